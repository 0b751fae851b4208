# The front door. Each target creates .venv when it is missing or older than pyproject.toml or
# requirements.lock, installing exactly the versions the lock pins.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Tests run on every core (pytest-xdist); `make unit PYTEST_WORKERS=0` runs them in one process.
PYTEST_WORKERS ?= auto

.PHONY: demo test lint types unit cov bench clean lock messages

# Installs exactly the versions of requirements.lock (pip, the dependencies, the dev tools).
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c requirements.lock pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

# Bring requirements.lock in line with pyproject.toml (after adding or changing a dependency),
# keeping the versions already pinned where they still fit, then reinstall from it.
# `make lock LOCK_FLAGS=--upgrade` moves every pin to the newest version the index offers.
LOCK_FLAGS ?=
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(BIN)/pip-compile || $(BIN)/python -m pip install --quiet -c requirements.lock pip-tools
	$(BIN)/pip-compile --quiet $(LOCK_FLAGS) --extra dev --strip-extras --allow-unsafe \
		--no-emit-index-url --no-emit-find-links --output-file requirements.lock pyproject.toml
	$(MAKE) $(STAMP)

# Loads and shows the demo operator, then serves it live until Ctrl-C (docs/pages.md).
demo: $(STAMP)
	$(BIN)/accueil demo --serve

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

types: $(STAMP)
	$(BIN)/mypy

# The tests, without coverage: tracing every line triples the simulations' time (tests/sim and
# tests/routing: 73 s → 224 s), and `make test` must stay well under 10 minutes on 2 cores.
unit: $(STAMP)
	$(BIN)/pytest -n $(PYTEST_WORKERS) -q

# The same tests with branch coverage, reported per file (slower: run it when you look at it).
cov: $(STAMP)
	$(BIN)/pytest -n $(PYTEST_WORKERS) --cov --cov-report=term:skip-covered -q

test: lint types unit

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH)

# Bring the pages' French catalogue in line with the messages of the templates and web/*.py and
# the errors' words (says, N_) of all src/accueil;
# then translate the new entries (empty msgstr) in src/accueil/web/locale/fr/LC_MESSAGES/messages.po.
messages: $(STAMP)
	mkdir -p var
	$(BIN)/pybabel -q extract -F src/accueil/web/babel.cfg -k _ -k N_ -k says --no-location -o var/messages.pot .
	$(BIN)/pybabel -q update -i var/messages.pot -d src/accueil/web/locale -l fr --ignore-obsolete

clean:
	rm -rf $(VENV) var/*.db var/*.db-* var/reports
