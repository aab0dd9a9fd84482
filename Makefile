# Two commands do everything on a fresh machine:
#   make build   -> installs what is missing, then builds the site and every PDF
#   make test    -> installs what is missing, then runs the whole test suite
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: build test setup system check clean editeur

build: setup
	$(PY) build.py

test: setup
	@echo "Suite de tests (2 processus ; quelques minutes, l'avancement s'affiche tous les 25 tests)…"
	$(PY) -m pytest -n 2 -q

check: setup
	$(PY) build.py check

setup: system $(STAMP) $(NODE_STAMP)

# The form editor (Decap CMS) from the npm registry, exactly as package-lock.json says.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $(NODE_STAMP)

editeur: setup
	$(PY) build.py editeur

# Debian packages: Chromium for browser tests, poppler for PDF inspection,
# HarfBuzz subsetting for fast PDF font embedding. Installed only when missing.
system:
	@bash scripts/install-system.sh

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $(STAMP)

clean:
	rm -rf site site-interne site-relecture sorties .build
