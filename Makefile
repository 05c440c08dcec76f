# Two commands: `make lab` and `make test`. Each creates .venv when it is missing.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# JupyterLab refuses to start as root unless told it may.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
LAB_ARGS ?=
PYTEST_ARGS ?=

.PHONY: lab test test-browser lint html bench clean venv venv-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

venv: $(VENV)/.installed
venv-test: $(VENV)/.installed-test

lab: $(VENV)/.installed
	$(BIN)/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir=notebooks $(LAB_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)
	$(BIN)/pytest --nbval-lax --nbval-current-env notebooks $(PYTEST_ARGS)

# End-to-end in real JupyterLab: needs Debian's chromium (apt-get install chromium).
test-browser: $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet playwright
	NPFL_BROWSER_TESTS=1 $(BIN)/pytest tests/test_browser.py -v $(PYTEST_ARGS)

html: $(VENV)/.installed-test
	BIN=$(BIN) bash tools/build_html.sh

bench: $(VENV)/.installed-test
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python "$$b" || exit 1; done

clean:
	rm -rf $(VENV) html build .pytest_cache .ruff_cache .hypothesis
