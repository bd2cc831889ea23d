# The two commands of the README: `make run` and `make test`. Each installs what is missing first.
PYTHON ?= python3.11
UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export UV_PYTHON_DOWNLOADS := never
# Bytecode is compiled once, not on every start: the packages at install time, the app and the (assertion-rewritten)
# tests at their first run. An environment that forbids writing .pyc files would make every test run compile
# some 2,700 modules again.
export UV_COMPILE_BYTECODE := 1
unexport PYTHONDONTWRITEBYTECODE

VENDOR := webapp/static/vendor
ASSETS := webapp/assets
# The tests' independent verifier of badge credentials (Digital Bazaar's vc in Node), at locked versions.
VERIFIER := tests/credentials/verifier

.PHONY: run test test-fast bench load mutation install install-runtime assets browser wrk serve-gunicorn clean lrs screenshots

run: install-runtime
	$(BIN)/learnloop db upgrade
	$(BIN)/learnloop demo load --if-empty
	$(BIN)/learnloop serve --port $(PORT)

test: install browser
	$(BIN)/pytest -n 2

# The developer's loop, under two minutes on 2 cores: SQLite only, without the browser suite, the Redis and
# fault drills, `make run` itself, the load smoke and the other slow tests. `make test` runs them all, on
# SQLite and PostgreSQL.
test-fast: install
	LEARNLOOP_TEST_BACKENDS=sqlite $(BIN)/pytest -n 2 -m "not browser and not redis and not faults and not slow"

bench: install wrk
	$(BIN)/python -m bench

# The load test: 50 simulated people (Locust) against gunicorn, PostgreSQL (scale seed), Redis and RQ workers.
load: install
	$(BIN)/python -m bench.load_test

# Mutation testing of the rule modules (mutmut, SQLite only, niced): killed / survived / timed out per module,
# survivors' diffs in mutation-survivors.txt. Not part of `make test`: all modules take hours on shared cores;
# `.venv/bin/python tests/mutation.py --module webapp/play/streaks.py` runs one.
mutation: install
	$(BIN)/python tests/mutation.py

# The play benchmark's load comes from wrk (C), so the client does not eat the cores the server is measured on.
wrk:
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }

# `make run` needs only the runtime packages; tests and benchmarks add the dev group.
# `--inexact` keeps the dev group when it is already there, so `make run` never uninstalls pytest
# from under a test run.
install-runtime: $(VENV)/.synced-runtime $(VENDOR)/.copied

install: $(VENV)/.synced-dev $(VENDOR)/.copied $(VERIFIER)/node_modules/.installed lrs

$(VENV)/.synced-runtime: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv==$(UV_VERSION)"
	uv sync --locked --no-dev --inexact --python $(PYTHON)
	@touch $@

$(VENV)/.synced-dev: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv==$(UV_VERSION)"
	uv sync --locked --python $(PYTHON)
	@touch $@ $(VENV)/.synced-runtime

# Front-end packages come from the npm registry at the locked versions and are served by the app.
# The icon sprite is built by the app's own Python (it reads the list of icons from webapp/icons.py).
$(VENDOR)/.copied: $(ASSETS)/package.json $(ASSETS)/package-lock.json $(ASSETS)/build_icons.py webapp/icons.py | $(VENV)/.synced-runtime
	npm ci --prefix $(ASSETS) --no-audit --no-fund --silent
	mkdir -p $(VENDOR)
	cp $(ASSETS)/node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp $(ASSETS)/node_modules/@picocss/pico/css/pico.min.css $(VENDOR)/
	cp $(ASSETS)/node_modules/chart.js/dist/chart.umd.min.js $(VENDOR)/
	cp $(ASSETS)/node_modules/swagger-ui-dist/swagger-ui-bundle.js $(ASSETS)/node_modules/swagger-ui-dist/swagger-ui.css $(VENDOR)/
	$(BIN)/python $(ASSETS)/build_icons.py $(VENDOR)/icons.svg
	@touch $@

assets: $(VENDOR)/.copied

$(VERIFIER)/node_modules/.installed: $(VERIFIER)/package.json $(VERIFIER)/package-lock.json
	npm ci --prefix $(VERIFIER) --no-audit --no-fund --silent
	@touch $@

# The tests' learning record store: ralph (PyPI) in an environment of its own on Python 3.12, at locked versions.
LRS := tests/outbound/lrs
LRS_PYTHON ?= $(firstword $(wildcard $(shell pyenv root 2>/dev/null)/versions/3.12*/bin/python) $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python) $(shell command -v python3.12))
lrs: $(LRS)/.venv/.installed

$(LRS)/.venv/.installed: $(LRS)/requirements.txt
	@test -n "$(LRS_PYTHON)" || { echo "make lrs needs Python 3.12 (pyenv install 3.12)"; exit 1; }
	$(LRS_PYTHON) -m venv $(LRS)/.venv
	$(LRS)/.venv/bin/pip install --quiet --disable-pip-version-check -r $(LRS)/requirements.txt
	@touch $@
# The README's pictures: the main pages of each role at 1280 and 390 px, from a fresh demo, into docs/screenshots/.
screenshots: install browser
	$(BIN)/python -m tests.browser.screenshots docs/screenshots

# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

clean:
	rm -rf $(VENV) $(VENDOR) $(ASSETS)/node_modules $(VERIFIER)/node_modules $(LRS)/.venv
