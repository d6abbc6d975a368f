# Kordon: `make run` sets up everything and serves the demo; `make test` sets up and runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The demo lets its supervisors and administrator in by password alone, so anyone can try every
# persona; a real node requires their two-factor code (KORDON_TWO_FACTOR, docs/configuration.md).
KORDON := KORDON_SECRET_KEY_FILE=$(CURDIR)/var/secret_key KORDON_TWO_FACTOR=optional $(BIN)/kordon
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup test lint typecheck unit bench messages clean

run: setup var/secret_key var/demo_password
	$(KORDON) migrate --no-input
	$(KORDON) collectstatic --no-input --verbosity 0
	$(KORDON) demo --password "$$(cat var/demo_password)"
	$(KORDON) analytics refresh
	@echo
	@echo "Open http://$(HOST):$(PORT)/ and log in as one of the accounts above."
	$(KORDON) serve --host $(HOST) --port $(PORT)

setup: $(VENV)/.installed node_modules/.installed

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

var/secret_key:
	mkdir -p var
	umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

var/demo_password:
	mkdir -p var
	umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(9))" > $@

test: setup lint
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check src bench
	$(BIN)/ruff format --check src bench
	$(BIN)/mypy src

bench: setup
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.screening
	$(BIN)/python -m bench.linking
	@if [ -n "$$KORDON_BENCH_POSTGRES_URL" ]; then $(BIN)/python -m bench.load; \
	else echo "KORDON_BENCH_POSTGRES_URL is not set: the 10-minute load test (bench.load) was not run."; fi

# Refresh the translation catalogues after changing user-facing text (needs GNU gettext).
messages: setup
	cd src/kordon && ../../$(BIN)/kordon makemessages --all --no-obsolete --ignore "*/tests/*"
	cd src/kordon && ../../$(BIN)/kordon compilemessages

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .mypy_cache .ruff_cache
