# S&OP Studio: `make run` starts the app on the demo company; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q
PORT   ?= 8501
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test demo bench browser-deps clean-store

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) install -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed
	$(PY) -m sop ensure-demo
	$(PY) -m streamlit run app.py --server.port $(PORT)

browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium; }

test: $(VENV)/.installed-dev browser-deps
	$(PY) -m pytest

demo: $(VENV)/.installed
	$(PY) -m sop demo

bench: $(VENV)/.installed-dev
	for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean-store:
	rm -f data/sop.duckdb data/sop.duckdb.wal
