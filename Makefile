# S&OP Studio: `make run` starts the app on the demo company; `make check` lints and runs the
# unit and app tests (day to day); `make test` lints and runs every test, in Chromium too (CI).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q
RUFF   := $(VENV)/bin/ruff
PYTEST := $(PY) -m pytest
# the suite runs on WORKERS processes (pytest-xdist), a whole test file to one worker (every
# browser test to the same one: tests/conftest.py), so
# a file's module fixtures (a server, a store) are made once; WORKERS=0 runs it in one
# process. Two workers on this 2-core machine: about 21 min instead of 36.
WORKERS ?= 2
PYTEST_PAR := $(if $(filter 0,$(WORKERS)),,-n $(WORKERS) --dist loadfile)
PORT   ?= 8501
# the address the app listens on: this machine only; `make run HOST=0.0.0.0` serves the
# network (configure sign-in and a TLS proxy first: docs/security.md)
HOST   ?= localhost
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run lint check test screenshots demo bench browser-deps pg-deps clean-store

$(VENV)/.installed: requirements.txt requirements-nodeps.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install -r requirements.txt
	$(PIP) install --no-deps -r requirements-nodeps.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) install -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed
	$(PY) -m sop ensure-demo
	$(PY) -m streamlit run app.py --server.port $(PORT) --server.address $(HOST)

browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium; }

# the tests in tests/pg and bench/bench_refresh.py start their own PostgreSQL server
# (initdb + pg_ctl in a temporary folder): they need Debian's server binaries
pg-deps:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  echo "Installing Debian's postgresql for the database tests"; \
	  $(SUDO) apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql; }

lint: $(VENV)/.installed-dev
	$(RUFF) check .
	$(RUFF) format --check .

# unit and AppTest tests: a few minutes, no browser
check: lint pg-deps
	$(PYTEST) $(PYTEST_PAR) -m "not browser"

# every test: unit, AppTest and the real app in Debian's Chromium
test: lint browser-deps pg-deps
	$(PYTEST) $(PYTEST_PAR)

# the browser tests, saving their screenshots over the README's pictures in docs/
screenshots: $(VENV)/.installed-dev browser-deps
	SOP_SCREENSHOTS=docs $(PYTEST) -m browser

demo: $(VENV)/.installed
	$(PY) -m sop demo

bench: $(VENV)/.installed-dev pg-deps
	for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean-store:
	rm -f data/sop.duckdb data/sop.duckdb.wal data/sop.duckdb.lock
	rm -rf data/sop.duckdb.queue
