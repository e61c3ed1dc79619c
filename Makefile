# The README's commands. `make site` and `make test` set up everything they need.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1

.PHONY: site test check serve bench bench-print bundle publish rollback setup system-deps clean node-deps

site: setup
	$(PY) -m generator build

test: setup node-deps
	$(PY) -m pytest

check: setup
	$(PY) -m generator check

# --dirty: only the pages a save changed are rebuilt (generator/serve.py, docs/adr/0004-fast-preview.md).
serve: setup
	$(PY) -m mkdocs serve --livereload --dirty

bench: setup
	$(PY) bench/run.py

bench-print: setup
	$(PY) bench/print_bench.py

# The offline zip (dist/hibaelharitas-<date>.zip); publishing to a web server folder (docs/hosting.md).
bundle: setup
	$(PY) -m generator bundle

publish: setup
	@test -n "$(DEST)" || { echo "Usage: make publish DEST=/var/www/hibaelharitas" >&2; exit 2; }
	$(PY) -m generator publish "$(DEST)"

rollback: setup
	@test -n "$(DEST)" || { echo "Usage: make rollback DEST=/var/www/hibaelharitas" >&2; exit 2; }
	$(PY) -m generator rollback "$(DEST)"

setup: system-deps $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

$(STAMP): requirements.lock pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

# Test-only npm packages (axe-core for the accessibility tests), pinned by package-lock.json.
node-deps: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

clean:
	rm -rf site .cache dist
