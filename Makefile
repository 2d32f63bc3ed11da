# The chores: `make run` and `make test` are all a new user needs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
export FLASK_APP := vendorrisk
PORT ?= 5000

.PHONY: run test lint bench install install-dev

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: pyproject.toml | $(PY)
	$(PIP) install -q -e .
	@touch $@

$(VENV)/.dev: pyproject.toml | $(PY)
	$(PIP) install -q -e '.[dev]'
	@touch $@ $(VENV)/.runtime

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

run: $(VENV)/.runtime
	$(PY) -m flask db upgrade
	$(PY) -m flask demo
	$(PY) -m flask questionnaires sync
	$(PY) -m flask advisories sync
	@echo "Mail is printed in this console unless MAIL_SERVER is set (see README)."
	EXTERNAL_BASE_URL=$${EXTERNAL_BASE_URL:-http://127.0.0.1:$(PORT)} $(PY) -m flask run --host 127.0.0.1 --port $(PORT)

test: $(VENV)/.dev
	$(PY) -m pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL ($$TEST_DATABASE_URL) =="; \
		VENDORRISK_TEST_BACKEND=postgresql $(PY) -m pytest -m "not browser"; \
	fi

lint: $(VENV)/.dev
	$(PY) -m ruff check vendorrisk tests bench
	$(PY) -m ruff format --check vendorrisk tests bench
	$(PY) -m mypy
	$(PY) -m bandit -q -ll -c pyproject.toml -r vendorrisk

bench: $(VENV)/.dev
	@for script in bench/*.py; do $(PY) $$script || exit 1; done
