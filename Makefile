# make run: set up and serve on embedded defaults (SQLite, Celery eager, demo data).
# make test: set up and run the whole suite (lint, migrations check, unit, integration and browser tests).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test setup lint pytest messages bench clean chromium axe

# A Python >= 3.12: the plain names first, then pyenv's installed versions.
FIND_PYTHON = for c in python3.13 python3.12 python3 python $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	  if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then echo $$c; exit 0; fi; \
	done; exit 1

$(STAMP): requirements.txt
	@if [ ! -x $(PY) ]; then \
	  base=$$($(FIND_PYTHON)) || { echo "需要 Python 3.12 或更高版本 (Python >= 3.12 is required): 请先安装 python3.12。"; exit 1; }; \
	  echo "Using $$base"; $$base -m venv $(VENV); fi
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "打开 http://127.0.0.1:8000 ,用上面的演示账号登录。"
	$(PY) manage.py runserver 127.0.0.1:8000

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run --noinput
	$(VENV)/bin/lint-imports --no-cache
	$(PY) .ci/function_imports.py

# Browser tests need Debian's chromium; install it when we may (root with apt), else they say why they skip.
chromium:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || echo "chromium 未安装:浏览器测试将跳过。"; }
	@command -v npm >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && apt-get install -y -qq npm >/dev/null) || echo "npm 未安装：无障碍测试将跳过。"; }

# axe-core (npm, test-only: never served) for the accessibility browser test; npm ci when the lock changed.
axe: node_modules/.package-lock.json
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error || \
	  echo "npm ci 失败（离线？）：无障碍测试将跳过。"; else echo "npm 未安装：无障碍测试将跳过。"; fi

# The suite runs in PYTEST_WORKERS processes (pytest-xdist, one test at a time handed to whichever is free, so
# each process keeps pytest-django's order: database-transaction tests last); PYTEST_WORKERS=0 runs it in one.
PYTEST_WORKERS ?= 2
pytest: setup
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist load --cov --cov-config=.coveragerc --cov-report=term $(PYTEST_ARGS)

test: setup chromium axe lint pytest

messages: setup
	cd $(CURDIR) && $(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=var --ignore=node_modules && $(PY) manage.py compilemessages --ignore=.venv

bench: setup
	$(PY) bench/seed_and_time.py

clean:
	rm -rf $(VENV) var/db.sqlite3 var/media test-results node_modules
