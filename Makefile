# careapp — `make run` serves the demo on http://127.0.0.1:5000, `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app careapp
STAMP  := $(VENV)/.installed

.PHONY: help install run db demo test test-sqlite lint bench bench-load bench-http clean translations lock audit

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) ## create the virtualenv and install the project
	@if ls careapp/translations/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
	  $(BIN)/pybabel -q compile -d careapp/translations; fi

db: install ## apply migrations to the database (SQLite in instance/ by default)
	$(FLASK) db upgrade

demo: db ## load the demo data and print the demo accounts
	$(FLASK) seed-demo

run: demo ## serve the app with demo data on http://127.0.0.1:5000
	$(FLASK) run --host 127.0.0.1 --port 5000

test: install ## run the whole test suite (SQLite and a PostgreSQL started by the tests)
	$(BIN)/ruff check careapp tests bench migrations
	$(BIN)/bandit -q -r careapp -lll
	$(BIN)/pytest -n 2 -p no:cacheprovider

test-sqlite: install ## the tests on SQLite only (quick)
	$(BIN)/pytest -n 2 -p no:cacheprovider --db sqlite

translations: $(STAMP) ## re-extract the interface strings (French msgids) and update the catalogues
	$(BIN)/pybabel extract -F babel.cfg -k _l -k Msg --add-comments=TRANSLATORS: --project=careapp \
	  -o careapp/translations/messages.pot .
	$(BIN)/pybabel update -i careapp/translations/messages.pot -d careapp/translations

lint: install ## ruff and bandit (high-severity findings fail)
	$(BIN)/ruff check careapp tests bench migrations
	$(BIN)/bandit -q -r careapp -lll

clean: ## remove the virtualenv and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis

bench: install ## scoring and regional-view benchmarks (figures in bench/RESULTS.md)
	$(BIN)/python -m bench.bench_scoring
	$(BIN)/python -m bench.bench_region

bench-load: install ## bulk load (COPY / executemany) vs ORM insert, SQLite and PostgreSQL (bench/RESULTS.md)
	$(BIN)/python -m bench.bench_load --establishments 300 --campaigns 3

BENCH_HTTP_ARGS ?=
bench-http: install ## HTTP load: gunicorn (2 workers) + PostgreSQL, 3,000 establishments, 20 users (bench/RESULTS.md)
	$(BIN)/python -m bench.bench_http $(BENCH_HTTP_ARGS)

lock: ## re-resolve the dependencies from pyproject.toml and rewrite requirements.lock
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip && .lock-venv/bin/pip install --quiet ".[dev]"
	echo "# Locked dependency set (make lock): what make install installs, what make audit checks." > requirements.lock
	.lock-venv/bin/pip freeze --exclude-editable | grep -v '^careapp' >> requirements.lock
	rm -rf .lock-venv

audit: install ## known vulnerabilities of the locked dependency set (needs PyPI's or OSV's API)
	$(BIN)/pip-audit --strict --progress-spinner off --no-deps --disable-pip -r requirements.lock
