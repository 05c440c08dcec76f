"""Importing the numpy-only core must not import matplotlib or ipywidgets (each in a fresh
interpreter, so that nothing another test imported counts)."""

import importlib
import importlib.util
import pkgutil
import subprocess
import sys

import pytest

import npfl_helpers

PURE = ["optim", "schedules", "surfaces", "losses", "data", "mlp", "autodiff", "landscape",
        "exercises", "estimators", "generalization", "quadratic_theory", "backprop_stepper",
        "_validate"]
DRAWING = {"plots", "widgets"}  # the drawing layer: everything else is core
#: Core packages with one module per idea; each of their modules is checked on its own too.
CORE_PACKAGES = ["estimators", "generalization"]
SUBMODULES = [f"{pkg}.{m.name}" for pkg in CORE_PACKAGES
              for m in pkgutil.iter_modules(importlib.import_module(f"npfl_helpers.{pkg}")
                                            .__path__)]


def _imports_drawing(*modules: str) -> list[str]:
    code = (
        f"import sys, {', '.join(modules)}\n"
        "bad = sorted({m.split('.')[0] for m in sys.modules} & {'matplotlib', 'ipywidgets'})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return [m for m in out.stdout.strip().split(",") if m]


def test_package_import_is_cheap():
    assert _imports_drawing("npfl_helpers") == []


@pytest.mark.parametrize("name", PURE)
def test_pure_module_imports_no_drawing_library(name):
    assert importlib.util.find_spec(f"npfl_helpers.{name}") is not None
    assert _imports_drawing(f"npfl_helpers.{name}") == []


def test_the_core_packages_are_split_into_modules():
    # the list below is not empty by accident: every module of the core packages is checked
    assert {"estimators.sample_statistics", "estimators.mle", "estimators.minibatch",
            "generalization.polynomial", "generalization.capacity", "generalization.validation",
            "generalization.no_free_lunch"} <= set(SUBMODULES)


@pytest.mark.parametrize("name", SUBMODULES)
def test_core_package_module_imports_no_drawing_library(name):
    assert _imports_drawing(f"npfl_helpers.{name}") == []


def test_the_core_together_imports_no_drawing_library():
    """The combination named in the layering rule, and every core module there is (new ones
    included: a module of the package is core unless it belongs to the drawing layer)."""
    assert _imports_drawing("npfl_helpers.optim", "npfl_helpers.schedules",
                            "npfl_helpers.surfaces", "npfl_helpers.estimators",
                            "npfl_helpers.generalization") == []
    core = sorted(m.name for m in pkgutil.iter_modules(npfl_helpers.__path__)
                  if m.name not in DRAWING)
    assert set(PURE) <= set(core)
    assert _imports_drawing(*(f"npfl_helpers.{name}" for name in core)) == []


def test_widgets_import_drawing_libraries():
    # the check above can fail: the drawing layer really does import them
    assert _imports_drawing("npfl_helpers.widgets") == ["ipywidgets", "matplotlib"]
