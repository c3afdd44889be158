# `make serve` and `make test` set everything up on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: build serve test lint system-deps screenshots bundle bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/litsite build

serve: $(STAMP)
	$(BIN)/litsite serve

bundle: $(STAMP)
	$(BIN)/litsite bundle

# What the browser and search-spec tests run on: Debian's chromium and node. Installed when we
# are root (CI, a fresh machine); otherwise one line says what to install.
system-deps:
	@missing=""; command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v node >/dev/null 2>&1 || missing="$$missing nodejs"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; \
	  else echo "make test needs:$$missing  (run: sudo apt-get install$$missing)"; exit 1; fi; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

test: $(STAMP) system-deps
	$(BIN)/python -m pytest -q

# The README's pictures: the browser tests, writing their screenshots into docs/screenshots.
screenshots: $(STAMP) system-deps
	LITSITE_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q -k screenshot

bench/.venv-mkdocs/bin/mkdocs:
	$(PYTHON) -m venv bench/.venv-mkdocs
	bench/.venv-mkdocs/bin/python -m pip install --quiet mkdocs-material

bench: $(STAMP) bench/.venv-mkdocs/bin/mkdocs
	command -v hugo >/dev/null || (apt-get update -qq && apt-get install -y -qq hugo)
	$(BIN)/python bench/run.py --with-50k
	$(BIN)/python bench/report.py

clean:
	rm -rf _site dist .pytest_cache _screenshots
