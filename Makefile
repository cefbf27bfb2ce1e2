# The README's commands. Everything installs into .venv; nothing is needed beforehand but python3.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install translations run test test-pg lint bench bench-b6 bench-b78 bench-exam-day extract-messages clean check-bank

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Compiled catalogs are build output (not in git).
translations: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d examapp/translations -D messages 2>&1 | grep -v '^compiling' || true

run: translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) serve --host $(HOST) --port $(PORT)

# Tests run in parallel, one worker per CPU (on PostgreSQL each worker has its own database).
TEST_WORKERS ?= auto
test: translations
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# Every bank file valid and every cited article present in the law texts beside the repository.
LAWS_DIR ?= ../shared/laws
check-bank: $(STAMP)
	EXAMAPP_INSTANCE_PATH=$$(mktemp -d) $(FLASK) bank check --laws $(LAWS_DIR)

lint: $(STAMP)
	$(BIN)/ruff check examapp tests bench

extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o examapp/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i examapp/translations/messages.pot -d examapp/translations -D messages --no-fuzzy-matching --omit-header

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache test-artifacts

# B6 (QUALITY.md): the rates report at 50k staff on SQLite and PostgreSQL; writes its section of docs/benchmarks.md.
bench-b6: $(STAMP)
	$(BIN)/python bench/rates_report.py $(BENCH_ARGS)

# B7 and B8 (QUALITY.md): bulk imports and the audit chain on SQLite and PostgreSQL; writes their sections of docs/benchmarks.md.
bench-b78: $(STAMP)
	$(BIN)/python bench/imports_audit.py $(BENCH_ARGS)

# B0–B5 (QUALITY.md): exam day through gunicorn on SQLite and PostgreSQL; writes its sections of docs/benchmarks.md.
# BENCH_ARGS=--small for a smoke run (50 takers, a few seconds per phase, docs untouched).
bench-exam-day: $(STAMP)
	$(BIN)/python bench/exam_day.py $(BENCH_ARGS)

# Every benchmark of QUALITY.md that exists (B0-B8) on SQLite and PostgreSQL; each writes its docs/benchmarks.md section.
bench: bench-exam-day bench-b6 bench-b78
