# The README's commands. Each makes its own virtual environment from pyproject.toml.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)

.PHONY: run test lint bench

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "probono-hours needs Python 3.11 or newer (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

run: $(STAMP)  ## serve on http://127.0.0.1:8000 with demo data (SQLite, jobs in-process)
	DEMO_DATA=$${DEMO_DATA:-1} $(VENV)/bin/probono serve

test: $(STAMP)  ## lint, then the whole suite on SQLite and PostgreSQL
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest

bench: $(STAMP)  ## print the benchmark figures (needs PostgreSQL; Redis for invites)
	$(VENV)/bin/python bench/engine_slots.py
	$(VENV)/bin/python bench/busy_import.py
	$(VENV)/bin/python bench/slots.py
	$(VENV)/bin/python bench/booking.py
	$(VENV)/bin/python bench/invites.py

lint: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
