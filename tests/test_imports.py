"""Importing the numpy-only modules must not import matplotlib or ipywidgets."""

import importlib.util
import subprocess
import sys

import pytest

PURE = ["optim", "schedules", "surfaces", "losses", "data", "mlp", "autodiff", "landscape",
        "exercises", "estimators"]


def _imports_drawing(module: str) -> list[str]:
    code = (
        f"import sys, {module}\n"
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


def test_widgets_import_drawing_libraries():
    # the check above can fail: the drawing layer really does import them
    assert _imports_drawing("npfl_helpers.widgets") == ["ipywidgets", "matplotlib"]
