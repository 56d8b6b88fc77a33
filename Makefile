# The two commands: `make run` and `make test`. Everything else is what they need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
PORT ?= 5000
export INTERSESSION_INSTANCE ?= $(CURDIR)/instance

# `make test-postgres` runs the suite (without the browser) on PostgreSQL as well, and
# `make test-scaled` the scaled shape (Redis, nginx, two gunicorn instances); CI does all three.
.PHONY: run test test-postgres test-scaled lint typecheck pytest setup setup-test translations static messages clean

run: setup
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi seed-if-empty
	PORT=$(PORT) $(PY) -m intersession.serve

test: setup-test lint typecheck pytest

setup: $(VENV)/.installed static translations

setup-test: $(VENV)/.installed-test static translations
	$(PY) scripts/ensure_chromium.py

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The content-hashed copies (and their .gz and .br for nginx) are made anew from what is there.
static: node_modules/.installed $(VENV)/.installed
	mkdir -p static/vendor
	cp node_modules/@picocss/pico/css/pico.min.css static/vendor/pico.min.css
	cp node_modules/socket.io-client/dist/socket.io.min.js static/vendor/socket.io.min.js
	cp node_modules/tus-js-client/dist/tus.min.js static/vendor/tus.min.js
	mkdir -p static/vendor/fonts  # for the portfolio's PDF: Cyrillic and Kazakh letters
	cp node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf node_modules/dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf static/vendor/fonts/
	$(BIN)/flask --app wsgi digest clean >/dev/null
	$(BIN)/flask --app wsgi digest compile >/dev/null

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d intersession/translations

# Re-extract the strings after changing them; then translate the new entries in every catalogue.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_pgettext:1c,2 -o intersession/translations/messages.pot --no-location --sort-output -w 100 .
	$(BIN)/pybabel update -i intersession/translations/messages.pot -d intersession/translations --no-fuzzy-matching --ignore-obsolete -w 100

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

pytest: setup-test
	scripts/isolated.sh $(BIN)/pytest --ignore=tests/scaled $(PYTEST_ARGS)

test-postgres: setup-test
	scripts/test_postgres.sh

test-scaled: setup-test
	scripts/test_scaled.sh

clean:
	-$(BIN)/flask --app wsgi digest clean >/dev/null
	rm -rf $(VENV) node_modules static/vendor
