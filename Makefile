# `make serve` and `make test` set everything up on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: build serve test bundle bench clean

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

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench/.venv-mkdocs/bin/mkdocs:
	$(PYTHON) -m venv bench/.venv-mkdocs
	bench/.venv-mkdocs/bin/python -m pip install --quiet mkdocs-material

bench: $(STAMP) bench/.venv-mkdocs/bin/mkdocs
	command -v hugo >/dev/null || (apt-get update -qq && apt-get install -y -qq hugo)
	$(BIN)/python bench/run.py --with-50k
	$(BIN)/python bench/report.py

clean:
	rm -rf _site dist .pytest_cache
