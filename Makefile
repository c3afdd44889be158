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

# What the browser, search-spec and export tests run on: Debian's chromium and node, a Java
# runtime for the Nu HTML Checker, jing (the feed against RFC 4287's schema), bibtex (with
# texlive-base's styles) and biber. pandoc comes from PyPI. Installed when we are root (CI, a
# fresh machine); otherwise one line says what to install. The checker itself comes from npm.
DEBIAN_DEPS := chromium:chromium node:nodejs java:default-jre-headless bibtex:texlive-binaries biber:biber jing:jing
VNU := tests/.node/node_modules/vnu-jar/build/dist/vnu.jar

system-deps:
	@missing=""; for pair in $(DEBIAN_DEPS); do \
	  command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; done; \
	test -n "$$(kpsewhich plain.bst 2>/dev/null)" || missing="$$missing texlive-base"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && \
	    apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "make test needs:$$missing  (run: sudo apt-get install$$missing)"; exit 1; fi; \
	fi
	@test -f $(VNU) || (mkdir -p tests/.node && npm install --silent --no-audit --no-fund --prefix tests/.node vnu-jar@26.9.27)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# Two test processes (pytest-xdist), each taking whole files: the suite's builds, browsers and
# validators wait on disk and subprocesses as much as on the CPU. TEST_WORKERS=0 runs it in one.
TEST_WORKERS ?= 2
test: $(STAMP) system-deps
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile --durations=15

# The README's pictures: the browser tests, writing their screenshots into docs/screenshots.
screenshots: $(STAMP) system-deps
	LITSITE_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q -m screenshots

bench/.venv-mkdocs/bin/mkdocs:
	$(PYTHON) -m venv bench/.venv-mkdocs
	bench/.venv-mkdocs/bin/python -m pip install --quiet mkdocs-material

bench: $(STAMP) bench/.venv-mkdocs/bin/mkdocs
	command -v hugo >/dev/null || (apt-get update -qq && apt-get install -y -qq hugo)
	$(BIN)/python bench/run.py --with-50k --with-150k
	$(BIN)/python bench/import_speed.py  # import, re-import, check, retag at 10,000 papers: bench/IMPORT.md
	$(BIN)/python bench/report.py  # RESULTS.json and IMPORT.md -> RESULTS.md

clean:
	rm -rf _site dist .pytest_cache _screenshots
