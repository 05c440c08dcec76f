# Two commands: `make lab` and `make test`. Each creates .venv when it is missing.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# JupyterLab refuses to start as root unless told it may.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
LAB_ARGS ?=
PYTEST_ARGS ?=

.PHONY: lab test test-browser lint html figures bench bench-browser clean venv venv-test \
        venv-browser lab-settings

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

$(VENV)/.installed-browser: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,browser]'
	touch $@ $(VENV)/.installed-test $(VENV)/.installed

# JupyterLab settings for this venv only (not the user's home): no "Jupyter news" pop-up.
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json
$(LAB_OVERRIDES): $(VENV)/.installed tools/lab_settings.py
	$(BIN)/python tools/lab_settings.py

venv: $(VENV)/.installed
venv-test: $(VENV)/.installed-test
venv-browser: $(VENV)/.installed-browser
lab-settings: $(LAB_OVERRIDES)

lab: $(VENV)/.installed $(LAB_OVERRIDES)
	$(BIN)/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir=notebooks $(LAB_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)
	$(BIN)/pytest --nbval-lax --nbval-current-env notebooks $(PYTEST_ARGS)

# End-to-end in real JupyterLab, inline and ipympl: needs a chromium (apt-get install chromium).
test-browser: $(VENV)/.installed-browser $(LAB_OVERRIDES)
	NPFL_BROWSER_TESTS=1 $(BIN)/pytest tests/test_browser.py tests/test_browser_static.py -v -s \
	  --durations=0 $(PYTEST_ARGS)

html: $(VENV)/.installed-test
	BIN=$(BIN) bash tools/build_html.sh

# Screenshots of explorers in JupyterLab for the README (docs/*.png), from the browser tests' driver.
figures: $(VENV)/.installed-browser $(LAB_OVERRIDES)
	$(BIN)/python tools/make_figures.py

bench: $(VENV)/.installed-test
	for b in benchmarks/bench_*.py; do \
	  [ "$$b" = benchmarks/bench_browser.py ] && continue; \
	  echo "== $$b"; $(BIN)/python "$$b" || exit 1; done

# Key press -> changed pixels in real JupyterLab, per explorer, inline and ipympl.
bench-browser: $(VENV)/.installed-browser $(LAB_OVERRIDES)
	$(BIN)/python benchmarks/bench_browser.py

clean:
	rm -rf $(VENV) html build .pytest_cache .ruff_cache .hypothesis
