# One command for each job. `make demo` and `make test` work on a fresh machine: they create
# .venv, install the Python packages from pyproject.toml and (for tests) the system packages.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# postgresql: the tests run the ledger on a PostgreSQL server they start themselves (initdb + pg_ctl)
APT_PACKAGES := libreoffice-calc-nogui poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 qpdf postgresql

.PHONY: demo test test-fast test-slow lint install system-packages bench clean pictures

demo: install
	$(BIN)/eop demo --workdir demo

test: system-packages install
	$(BIN)/pytest -q

# The fast unit tier, chosen by module (no marker to keep in step): the house's imports and
# sizes (test_house), the vocabulary (periods, calendar, clock, Thai dates, formats, states),
# typed cells, the message catalogue, the ledger's queries and the sheet layouts (test_units),
# KPI scoring. No workbook rendered, no LibreOffice, no service: seconds (181 tests, ~8 s).
FAST_TESTS := tests/test_house.py tests/test_vocabulary.py tests/test_units.py tests/test_kpi_score.py

test-fast: install
	$(BIN)/pytest -q $(FAST_TESTS)

test-slow: system-packages install
	$(BIN)/pytest -q -m slow --run-slow

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q ".[test]"
	touch $@

# The package is always reinstalled from a built wheel (not editable): tests then see
# exactly what users get, and a missing package-data file or a name clash shows.
install: $(VENV)/.deps
	rm -rf build
	$(BIN)/pip install -q --no-deps --force-reinstall .

# The national benchmark (DESIGN §13): plain approach and product side by side on 878
# generated workbooks, reports, scaling and single-file latency; writes bench/RESULTS.md.
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Every kind of artifact of the demo as pictures in pictures/ (git-ignored), to look at before a
# change lands: workbooks through LibreOffice, PDFs through pdftoppm, mails through Chromium.
# PICTURES_ARGS="--readme docs/pictures" also refreshes the README's few small pictures.
pictures: install
	command -v chromium >/dev/null || ($(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium)
	$(BIN)/python tools/pictures.py --demo demo --out pictures $(PICTURES_ARGS)

# Each package is checked on its own: a machine with LibreOffice may still lack
# libharfbuzz-subset0 (WeasyPrint then warns on every PDF) or qpdf (the evidence tests).
system-packages:
	@missing="$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done)"; \
	if [ -z "$$missing" ]; then \
		echo "system packages present"; \
	else \
		echo "installing:" $$missing; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# ruff (rules and format) over every room, the tests, the benchmark and the tools; mypy (config
# in pyproject.toml) over every room of the product. Installed into .venv from the `lint` extra.
ROOMS := eop ledger intake validators templates outbox jobs kpi service cli simulation
LINT_PATHS := $(ROOMS) tests bench tools

$(VENV)/.lint: pyproject.toml | $(VENV)/.deps
	$(BIN)/pip install -q ".[lint]"
	touch $@

lint: $(VENV)/.lint
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/mypy $(ROOMS)

clean:
	rm -rf $(VENV) build *.egg-info demo
