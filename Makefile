# Two commands: `make run` (set up and serve on http://127.0.0.1:8000) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .make
CHROMIUM ?= /usr/bin/chromium
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup python npm static chromium java sqlite3 poppler libreoffice pango lint format demo clean lait-extract

setup: python static

python: $(STAMPS)/python
$(STAMPS)/python: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@mkdir -p $(STAMPS) && touch $@

npm: $(STAMPS)/npm
$(STAMPS)/npm: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMPS) && touch $@

static: static/build/careprog.css
static/build/careprog.css: $(STAMPS)/npm $(wildcard static/src/*)
	npm run --silent build

# Browser tests never skip: install Debian's Chromium when we can, otherwise stop and say how.
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Chromium for the browser tests (apt-get install chromium)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "The browser tests need Chromium at $(CHROMIUM)."; \
	    echo "Install it with: sudo apt-get install chromium   (or set CHROMIUM=/path/to/chromium)"; \
	    exit 1; \
	  fi; \
	fi

# The browser suite runs the Nu HTML checker (npm vnu-jar) on every page: it needs Java 17 or later.
# Installed before npm, so that vnu-jar's install script finds it rather than downloading its own.
java:
	@if ! command -v java >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Java for the Nu HTML checker (apt-get install default-jre-headless)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; \
	  else \
	    echo "The browser tests' Nu HTML checker needs Java: sudo apt-get install default-jre-headless"; \
	    exit 1; \
	  fi; \
	fi
	@major="$$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"; \
	if [ "$${major%%.*}" -lt 17 ] 2>/dev/null || [ -z "$$major" ]; then \
	  echo "The Nu HTML checker needs Java 17 or later, found $${major:-none}: sudo apt-get install openjdk-17-jre-headless"; \
	  exit 1; \
	fi

# Local settings for commands typed by hand here (`.venv/bin/python manage.py ...`): manage.py
# reads .env; gunicorn and the tests do not. Written once, then yours to edit; never committed.
ENV_FILE ?= .env
$(ENV_FILE):
	@printf '%s\n' \
	  '# Written by `make run` for local work in this checkout: never commit it, never deploy it.' \
	  '# manage.py reads it; variables already set in the environment win.' \
	  'DEBUG=1' > $@
	@echo "Wrote $@ (DEBUG=1) so that manage.py commands run here as docs/operating.md shows."

demo: setup $(ENV_FILE)
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py setup_demo --address http://$(HOST):$(PORT)/

run: demo
	DEBUG=1 READINGS_CACHE_IN_PROCESS=1 $(PY) manage.py runserver $(HOST):$(PORT)

lint: python
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: python
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The backup test runs the operator's guide's own sqlite3 commands (docs/operating.md).
sqlite3:
	@if ! command -v sqlite3 >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing sqlite3 for the backup test (apt-get install sqlite3)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null; \
	  else \
	    echo "The backup test needs the sqlite3 command: sudo apt-get install sqlite3"; \
	    exit 1; \
	  fi; \
	fi

# The PDF tests ask poppler's pdfinfo whether a paper's PDF is tagged.
poppler:
	@if ! command -v pdfinfo >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing pdfinfo for the PDF tests (apt-get install poppler-utils)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; \
	  else \
	    echo "The PDF tests need pdfinfo: sudo apt-get install poppler-utils"; \
	    exit 1; \
	  fi; \
	fi

# The spreadsheet tests open what careprog writes, and build returns, with LibreOffice Calc; the
# Word tests print careprog's DOCX to PDF with LibreOffice Writer. Calc alone brings `soffice`
# but not Writer, so each is looked for by its library beside soffice (libsclo, libswlo).
LO_PACKAGES := libreoffice-calc-nogui libreoffice-writer-nogui
libreoffice:
	@program="$$(dirname "$$(readlink -f "$$(command -v soffice || echo /nonexistent)")")"; \
	if [ ! -e "$$program/libsclo.so" ] || [ ! -e "$$program/libswlo.so" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing LibreOffice Calc and Writer for the spreadsheet and Word tests (apt-get install $(LO_PACKAGES))"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(LO_PACKAGES) >/dev/null; \
	  else \
	    echo "The spreadsheet and Word tests need LibreOffice Calc and Writer: sudo apt-get install $(LO_PACKAGES)"; \
	    exit 1; \
	  fi; \
	fi

# Papers' PDFs are printed by WeasyPrint, which loads Pango, HarfBuzz's subsetter and a font from
# the system when imported: install Debian's when we can, otherwise stop and say how.
PANGO_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation
pango: python
	@if ! $(PY) -W error -c "import weasyprint" 2>/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Pango for the PDFs (apt-get install $(PANGO_PACKAGES))"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PANGO_PACKAGES) >/dev/null; \
	  else \
	    echo "The PDFs need Pango: sudo apt-get install $(PANGO_PACKAGES)"; \
	    exit 1; \
	  fi; \
	fi
	@$(PY) -W error -c "import weasyprint"

# In parallel (pytest-xdist, one worker per CPU; each worker has its own test database), a
# module's tests on one worker, browser tests one by one (tests/conftest.py). SUITE=all (the default) runs lint and every test; SUITE=database
# runs only the tests that use the database, less the browser and slow ones: CI runs those
# again on PostgreSQL (`DATABASE_URL=postgres://... make test SUITE=database`), having run
# everything once on SQLite. PYTEST_WORKERS=0 runs serially.
SUITE ?= all
PYTEST_WORKERS ?= auto
SUITE_MARKS_all :=
SUITE_MARKS_database := -m "database and not browser and not slow"
test: java setup chromium sqlite3 poppler libreoffice pango $(if $(filter all,$(SUITE)),lint)
	@case "$(SUITE)" in all|database) ;; *) echo "SUITE must be all or database, not $(SUITE)"; exit 2;; esac
	CHROMIUM=$(CHROMIUM) $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(SUITE_MARKS_$(SUITE)) $(PYTEST_ARGS)

# Rewrite fixtures/lait/ from DfE's full LAIT files (not in the repository) for the indicators
# the catalogue maps to. LAIT=/path/to/lait overrides the location.
LAIT ?= ../shared/data/lait
lait-extract: python
	rm -f /tmp/careprog-extract.sqlite3
	DEBUG=1 DATABASE_URL=sqlite:////tmp/careprog-extract.sqlite3 $(PY) manage.py migrate -v0
	DEBUG=1 DATABASE_URL=sqlite:////tmp/careprog-extract.sqlite3 $(PY) manage.py loaddata care_programme_2024_25 cla_strategy_2022_25
	DEBUG=1 DATABASE_URL=sqlite:////tmp/careprog-extract.sqlite3 $(PY) manage.py extract_lait $(LAIT) --out fixtures/lait
	rm -f /tmp/careprog-extract.sqlite3

clean:
	rm -rf $(STAMPS) static/build staticfiles .pytest_cache
