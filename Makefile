# Docflow: the two commands of the README are `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test test-embedded test-postgres install clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is needed (Python 3.11+)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## Run the system on the embedded defaults with demo data.
# E-mails link to the address the demo runs on, unless DOCFLOW_SITE_URL says otherwise.
demo: export DOCFLOW_SITE_URL := $(or $(DOCFLOW_SITE_URL),http://$(HOST):$(PORT))
demo: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py demo_info
	$(PY) manage.py runserver $(HOST):$(PORT)

## The whole suite: embedded defaults (SQLite, eager tasks), then PostgreSQL + Redis + a real worker.
test: $(STAMP)
	scripts/test.sh

test-embedded: $(STAMP)
	scripts/test.sh embedded

test-postgres: $(STAMP)
	scripts/test.sh postgres

clean:
	rm -rf $(VENV) data
