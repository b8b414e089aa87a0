# The front door. `make run` and `make test` set up everything they need on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
SAM_VENV  := .venv-sam
PY        := $(VENV)/bin/python
SAM       := $(SAM_VENV)/bin/sam
# sam build looks for `python3.13` on PATH; the dev venv provides one.
SAM_ENV   := PATH="$(CURDIR)/$(VENV)/bin:$$PATH" SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1}
PORT      ?= 3000

.PHONY: help venv run test lint typecheck unit integration e2e browser browser-setup validate build deploy brand replay-clicks bench bench-console bench-portal bench-load openapi workflows clean

help:
	@echo "make run        start the local stack on http://127.0.0.1:$(PORT)"
	@echo "make test       lint, typecheck, sam validate --lint, sam build, unit/integration/e2e/browser tests, ASL checks"
	@echo "make openapi    regenerate docs/openapi.json from the models"
	@echo "make workflows  regenerate statemachines/*.asl.json and docs/workflows.md"
	@echo "make bench      run the benchmarks, write docs/performance.md"
	@echo "make bench-console  only the console's (overview in Chromium, page weight): its section of docs/performance.md"
	@echo "make bench-load     only the load burst at the local stack (about 2 minutes): its section of docs/performance.md"
	@echo "make bench-redirect only the redirect's (counts, cold start, throttled clicks, cost): its section of docs/performance.md"
	@echo "make build      sam build (arm64, python3.13)"
	@echo "make deploy     sam build && sam deploy (ENV=prod for the prod config)"
	@echo "make brand      NAME=… TABLE=…: create a brand and its first API key in a deployed table"
	@echo "make replay-clicks FILE=… TABLE=…: record clicks the redirect logged but could not write"

$(VENV)/.stamp: requirements-dev.txt layers/shared/requirements.txt scripts/find-python.sh
	@py="$$(scripts/find-python.sh)" || exit 1; \
	  [ -x $(PY) ] || "$$py" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

$(SAM_VENV)/.stamp: requirements-sam.txt scripts/find-python.sh
	@py="$$(scripts/find-python.sh)" || exit 1; \
	  [ -x $(SAM_VENV)/bin/python ] || "$$py" -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-sam.txt
	@touch $@

# axe-core for the browser tests' accessibility checks, exactly as package-lock.json pins it.
node_modules/.stamp: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "error: the browser tests need npm (Node.js) for axe-core; on Debian: apt-get install -y npm" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

venv: $(VENV)/.stamp $(SAM_VENV)/.stamp

# What the browser tests need besides the venv: axe-core (npm) and Chromium (installed if missing).
browser-setup: $(VENV)/.stamp node_modules/.stamp
	@scripts/ensure-chromium.sh

run: $(VENV)/.stamp
	PORT=$(PORT) PYTHONPATH=layers/shared:. $(PY) -m local

lint: $(VENV)/.stamp
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.stamp
	$(VENV)/bin/mypy

unit: $(VENV)/.stamp
	$(PY) -m pytest tests/unit

integration: $(VENV)/.stamp
	$(PY) -m pytest tests/integration

e2e: $(VENV)/.stamp
	$(PY) -m pytest tests/e2e

browser: browser-setup
	$(PY) -m pytest tests/browser

validate: $(SAM_VENV)/.stamp $(VENV)/.stamp
	$(SAM_ENV) $(SAM) validate --lint --template template.yaml

test: lint typecheck validate build browser-setup
	$(PY) -m pytest tests

openapi: $(VENV)/.stamp
	PYTHONPATH=layers/shared:. $(PY) -m local.openapi > docs/openapi.json

workflows: $(VENV)/.stamp
	PYTHONPATH=layers/shared:. $(PY) -m tools.workflows

build: $(SAM_VENV)/.stamp $(VENV)/.stamp
	$(SAM_ENV) $(SAM) build

deploy: build
	$(SAM_ENV) $(SAM) deploy --config-env $${ENV:-default}

brand: $(VENV)/.stamp
	@[ -n "$(NAME)" ] && [ -n "$(TABLE)" ] || { echo 'usage: make brand NAME="Acme" TABLE=<TableName>'; exit 2; }
	PYTHONPATH=layers/shared:. $(PY) -m tools.create_brand --name "$(NAME)" --table "$(TABLE)"

replay-clicks: $(VENV)/.stamp
	@[ -n "$(FILE)" ] && [ -n "$(TABLE)" ] || { echo 'usage: make replay-clicks FILE=clicks.log TABLE=<TableName>'; exit 2; }
	PYTHONPATH=layers/shared:. $(PY) -m tools.replay_clicks --file "$(FILE)" --table "$(TABLE)"

bench: $(VENV)/.stamp browser-setup
	PYTHONPATH=layers/shared:. $(PY) -m bench

bench-console: $(VENV)/.stamp browser-setup
	PYTHONPATH=layers/shared:. $(PY) -m bench.console

bench-portal: $(VENV)/.stamp
	PYTHONPATH=layers/shared:. $(PY) -m bench.portal

bench-load: $(VENV)/.stamp
	PYTHONPATH=layers/shared:. $(PY) -m bench.load

.PHONY: bench-redirect
bench-redirect: $(VENV)/.stamp
	PYTHONPATH=layers/shared:. $(PY) -m bench.redirect

clean:
	rm -rf $(VENV) $(SAM_VENV) node_modules .aws-sam .mypy_cache .ruff_cache .pytest_cache
