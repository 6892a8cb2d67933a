# Two commands: `make run` (gateway with demo data) and `make test` (the whole suite).
# Each creates the virtual environment from pyproject.toml when it is missing or stale.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

.PHONY: run test bench accuracy
run: $(BIN)/.installed
	$(BIN)/mailfeed serve --demo

test: $(BIN)/.installed
	$(BIN)/pytest

bench: $(BIN)/.installed
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python benchmarks/smtp_intake.py
	$(BIN)/python benchmarks/parsing.py

accuracy: $(BIN)/.installed
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python benchmarks/accuracy.py
