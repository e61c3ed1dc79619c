# The README's commands. `make site` and `make test` set up everything they need.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1

.PHONY: site test check serve bench bundle publish rollback setup system-deps clean

site: setup
	$(PY) -m generator build

test: setup
	$(PY) -m pytest

check: setup
	$(PY) -m generator check

serve: setup
	$(PY) -m mkdocs serve --livereload

bench: setup
	$(PY) bench/run.py

setup: system-deps $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

$(STAMP): requirements.lock pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

clean:
	rm -rf site .cache
