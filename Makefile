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

.PHONY: run test bench accuracy messages
run: $(BIN)/.installed
	$(BIN)/mailfeed serve --demo

test: $(BIN)/.installed
	$(BIN)/pytest

bench: $(BIN)/.installed
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python benchmarks/run.py --quick --json benchmarks/last-run.json

accuracy: $(BIN)/.installed
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python benchmarks/accuracy.py

# The message catalogue: collect the msgids from code and templates, then merge them into
# templates/locale/{sv,en}/LC_MESSAGES/messages.po: new and changed msgids arrive
# untranslated; translate them in sv, then tests/test_catalogue.py passes again.
POT := $(VENV)/messages.pot
messages: $(BIN)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k lazy_pgettext:1c,2 --no-location \
	    --sort-output --project Mailfeed --version 0.1 -o $(POT) .
	$(BIN)/pybabel update -i $(POT) -d templates/locale -D messages \
	    --ignore-obsolete --no-fuzzy-matching
