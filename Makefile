# Two commands: `make run` (gateway with demo data) and `make test` (the whole suite).
# Each creates the virtual environment from pyproject.toml when it is missing or stale.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

# constraints.txt pins what the tests run against (exact versions, `pip freeze
# --exclude-editable` of a working venv); pyproject.toml keeps only lower bounds.
$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[test]'
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
