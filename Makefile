# BEU international-student assistant. The two commands: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.PHONY: help venv kb train run test test-fast lint bench clean system-deps web-deps kb-export audit

VENV := .venv
PY := $(VENV)/bin/python
KB_STAMP := build/kb.stamp
WEB_STAMP := node_modules/.package-lock.json
VENV_STAMP := $(VENV)/.installed
# uv installs the same pinned set as pip (constraints.txt pins every version) in ~25 s instead of
# ~3 min (measured on a fresh clone: parallel downloads and installs). Its cache stays in the clone.
UV_VERSION := 0.13.8
UV := $(VENV)/bin/uv
export UV_CACHE_DIR := $(CURDIR)/.cache/uv

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONPATH := $(CURDIR)

# Python 3.10 (Rasa 3.6 needs < 3.11): a pyenv 3.10.x first, then python3.10 on PATH.
PYTHON310 := $(shell for p in $$(ls -d "$$(pyenv root 2>/dev/null)"/versions/3.10.*/bin/python3.10 2>/dev/null | sort -V -r) $$(command -v python3.10 2>/dev/null); do \
	PYENV_VERSION=3.10.13 "$$p" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null && { echo "$$p"; break; }; done)

KB_INPUTS := $(shell find knowledge bot/i18n/locales -type f 2>/dev/null) bot/__main__.py bot/paths.py $(wildcard bot/kb/*.py) \
	$(wildcard bot/offline/*.py) $(wildcard bot/language/*.py)

help:
	@echo "make run    set up everything (venv, knowledge base, model) and start the assistant"
	@echo "make test   set up everything and run every test"
	@echo "make test-fast  the in-process tests only (no servers, model, databases or browser; < 2 min)"
	@echo "make kb     validate knowledge/ and print the source coverage report"
	@echo "make train  retrain the model (only when its inputs changed)"
	@echo "make bench  latency/throughput/memory against stock Rasa"
	@echo "make kb-export  write the staff FAQ and knowledge base back to knowledge/ (faq.yml, kb.yml, sources/)"
	@echo "make audit  known-vulnerability audit of the installed packages (pip-audit)"
	@echo "make run-scaled  scale-out profile: nginx, 2 Rasa + 2 action servers, PostgreSQL, Redis"
	@echo "make soak   load and faults against both profiles (~10 min, results/soak.json)"

$(VENV_STAMP): requirements.txt requirements-nodeps.txt constraints.txt
	@if [ -z "$(PYTHON310)" ]; then \
		echo "ERROR: Python 3.10 is required (Rasa 3.6 supports Python < 3.11) and was not found."; \
		echo "Install it with 'pyenv install 3.10.13' (or your system's python3.10 and python3.10-venv), then run make again."; \
		exit 1; fi
	@echo "==> creating $(VENV) with $(PYTHON310)"
	PYENV_VERSION=3.10.13 $(PYTHON310) -m venv --clear $(VENV)
	$(PY) -m pip install --quiet --upgrade pip==24.0 uv==$(UV_VERSION)
	$(UV) pip install --quiet --python $(PY) -r requirements.txt -c constraints.txt
	$(UV) pip install --quiet --python $(PY) --no-deps -r requirements-nodeps.txt
	touch $@

venv: $(VENV_STAMP)

$(KB_STAMP): $(VENV_STAMP) $(KB_INPUTS)
	$(PY) -m bot kb
	@touch $@

kb: $(VENV_STAMP)
	$(PY) -m bot kb
	@mkdir -p build && touch $(KB_STAMP)

# Trains only when the content of the training inputs changed (see bot/offline/training.py).
train: $(KB_STAMP)
	$(PY) -m bot train

# The widget (rasa-webchat) and axe-core, exactly as package-lock.json pins them.
$(WEB_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "ERROR: npm is required for the chat widget: apt-get install nodejs npm"; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

web-deps: $(WEB_STAMP)

# What the tests need from Debian: Chromium, PostgreSQL, Redis, nginx, Node.js and npm
# (scripts/system-deps.sh; installs only what is missing).
system-deps:
	@bash scripts/system-deps.sh

# The staff FAQ entries (database) written back to knowledge/faq.yml, for review in git.
kb-export: $(VENV_STAMP)
	$(PY) -m bot db upgrade
	$(PY) -m bot faq export knowledge/faq.yml
	$(PY) -m bot kb export --to knowledge

# Node.js and npm for the widget bundle (and for PROFILE=scaled, PostgreSQL, Redis and nginx),
# from Debian when missing (scripts/system-deps.sh).
run: train
	@bash scripts/system-deps.sh $(if $(filter scaled,$(PROFILE)),scaled,run)
	@$(MAKE) --no-print-directory $(WEB_STAMP)
	$(PY) -m bot serve

lint: $(VENV_STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

test: system-deps train lint $(WEB_STAMP)
	AUDIT_OFFLINE_OK=1 bash scripts/audit.sh
	$(PY) -m pytest

# While working: the in-process tests (pytest.ini's `heavy` marker leaves out every test that starts
# servers, loads the trained model, starts PostgreSQL/Redis/nginx or a browser). `make test` runs all.
test-fast: $(KB_STAMP) lint
	$(PY) -m pytest -m "not heavy"

# Ours against stock Rasa (results/bench.json), then the staff side at scale: the analytics
# aggregate and dashboard over 100,000 generated conversations, deletion by reference among them.
bench: train
	$(PY) -m tests.benchmark
	$(PY) -m tests.bench_analytics --keep build/bench-analytics
	$(PY) -m tests.bench_dashboard --from build/bench-analytics
	$(PY) -m tests.bench_deletion
	BEU_KB_SOURCE=files $(PY) -m tests.bench_tracker_events

# Fails on a known vulnerability not explained in audit-allowlist.txt. Where no advisory service
# is reachable (our CI) it says NOT AUDITED loudly; `make audit` alone then fails in CI.
audit: $(VENV_STAMP)
	bash scripts/audit.sh

clean:
	rm -rf build models results data/generated .pytest_cache .ruff_cache node_modules .cache

# The scale-out profile (bot/ops/scaled.py): PostgreSQL, Redis, nginx, 2 Rasa + 2 action servers.
.PHONY: run-scaled soak
run-scaled: train
	@bash scripts/system-deps.sh scaled
	@$(MAKE) --no-print-directory $(WEB_STAMP)
	bash scripts/run-scaled.sh

# Load and faults against the scaled profile, the same load against the default one (~10 min);
# figures in results/soak.json. A short version runs in `make test` (tests/soak/).
soak: train $(WEB_STAMP)
	@bash scripts/system-deps.sh scaled
	$(PY) -m tests.soak.run
	$(PY) -m pytest --soak -m soak
