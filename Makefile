# The two commands of the README: `make run` and `make test`. Each installs what is missing first.
PYTHON ?= python3.11
UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export UV_PYTHON_DOWNLOADS := never

VENDOR := webapp/static/vendor
ASSETS := webapp/assets

.PHONY: run test test-fast bench load mutation install assets browser wrk serve-gunicorn clean

run: install
	$(BIN)/learnloop db upgrade
	$(BIN)/learnloop demo load --if-empty
	$(BIN)/learnloop serve --port $(PORT)

test: install browser
	$(BIN)/pytest -n 2

# Unit and integration tests without the browser suite.
test-fast: install
	$(BIN)/pytest -n 2 -m "not browser"

bench: install wrk
	$(BIN)/python -m bench

# The load test: 50 simulated people (Locust) against gunicorn, PostgreSQL (scale seed), Redis and RQ workers.
load: install
	$(BIN)/python -m bench.load_test

# Mutation testing of the rule modules (mutmut, SQLite only, niced): killed / survived / timed out per module,
# survivors' diffs in mutation-survivors.txt. Not part of `make test`: it takes about half an hour.
mutation: install
	$(BIN)/python scripts/mutation.py

# The play benchmark's load comes from wrk (C), so the client does not eat the cores the server is measured on.
wrk:
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }

install: $(VENV)/.synced $(VENDOR)/.copied

$(VENV)/.synced: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv==$(UV_VERSION)"
	uv sync --locked --python $(PYTHON)
	@touch $@

# Front-end packages come from the npm registry at the locked versions and are served by the app.
$(VENDOR)/.copied: $(ASSETS)/package.json $(ASSETS)/package-lock.json
	npm ci --prefix $(ASSETS) --no-audit --no-fund --silent
	mkdir -p $(VENDOR)
	cp $(ASSETS)/node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp $(ASSETS)/node_modules/@picocss/pico/css/pico.min.css $(VENDOR)/
	cp $(ASSETS)/node_modules/chart.js/dist/chart.umd.min.js $(VENDOR)/
	@touch $@

assets: $(VENDOR)/.copied

# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

clean:
	rm -rf $(VENV) $(VENDOR) $(ASSETS)/node_modules
