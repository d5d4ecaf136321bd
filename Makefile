# Newsroom: `make run` to try it, `make test` to check it. See README.md.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test mutants bench lint format migrations-check serve backup restore clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,semantic]'
	touch $@

install: $(VENV)/.installed

run: install
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py load_demo
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py ensure_admin
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest

# Break each rule of DESIGN.md by hand-made mutations, on a temporary copy of the tree, and print
# which the tests kill and the kill rate (tests/mutants.py; `make mutants RULES="2 10"` for some rules).
mutants: install
	$(BIN)/python tests/mutants.py $(RULES)

# Benchmarks (tests/perf/bench_*.py). bench_cold.py needs PostgreSQL at 127.0.0.1:5432 (NEWSROOM_BENCH_PG)
# and keeps its generated databases; NEWSROOM_BENCH_SIZES=1000,10000 runs a subset of its sizes,
# NEWSROOM_BENCH_REBUILD=1 rebuilds them.
bench: install
	$(BIN)/python -m pytest tests/perf -p no:cacheprovider -s -q -o python_files='bench_*.py'

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

# Production serving: DEBUG off, static files collected for whitenoise, gunicorn (gunicorn.conf.py).
# Needs DJANGO_SECRET_KEY (and the variables of docs/operations.md, "Deploying").
serve: install
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python -m gunicorn -c gunicorn.conf.py

# Everything in the database as JSON (natural keys), to BACKUP (default backups/newsroom-<time>.json).
BACKUP ?= backups/newsroom-$(shell date -u +%Y%m%dT%H%M%SZ).json
backup: install
	@mkdir -p $(dir $(BACKUP))
	$(BIN)/python manage.py backup $(BACKUP)

# Load a backup into an empty, migrated database: make restore BACKUP=backups/newsroom-....json
restore: install
	@test -n "$(BACKUP)" -a -f "$(BACKUP)" || (echo "Give the file: make restore BACKUP=path/to/backup.json" && exit 2)
	$(BIN)/python manage.py restore $(BACKUP)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
