"""Explorer figures that fit their output area, the inline PNG encoder, and slider echoes.

- Under ipympl a canvas does not scale down to its output area, so every figure (explorers and
  ``plt`` figures alike, through a ``figure.hooks`` hook) is at most ``MAX_WIDTH_PX`` wide;
  explorer figures keep to that width under the inline backend too. The browser tests check the
  result in JupyterLab (``tests/test_browser.py``: no canvas wider than its output area).
- The inline PNG is encoded losslessly from the Agg buffer.
- A slider view that sends its value back rounded (0.9 → 0.9000000000000001) costs no update.
"""

import io
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from npfl_helpers import widgets  # noqa: E402
from npfl_helpers.widgets import _base  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error")


@pytest.mark.parametrize("width_in", [4.0, 8.2, 9.4, 11.0, 13.5])
def test_explorer_figures_are_at_most_max_width(width_in):
    fig = _base.explorer_figure((width_in, 4.0))
    w, _ = fig.canvas.get_width_height()
    assert w <= _base.MAX_WIDTH_PX
    if width_in * 100 <= _base.MAX_WIDTH_PX:
        assert fig.dpi == 100  # narrow figures keep the default resolution


def test_an_explorer_is_at_most_max_width():
    ex = widgets.gd_valley_explorer()
    assert ex.figure.canvas.get_width_height()[0] <= _base.MAX_WIDTH_PX


def test_figures_fit_under_ipympl():
    code = f"""
import matplotlib
matplotlib.use("module://ipympl.backend_nbagg")
import matplotlib.pyplot as plt
from npfl_helpers import widgets
from npfl_helpers.widgets import _base
wide, _ = plt.subplots(figsize=(13, 4))
narrow, _ = plt.subplots(figsize=(6, 4))
ex = widgets.gd_valley_explorer()
sizes = [f.canvas.get_width_height()[0] for f in (wide, narrow, ex.figure)]
limit = {_base.MAX_WIDTH_PX}
assert sizes[0] <= limit and sizes[1] == 600 and sizes[2] <= limit, sizes
assert type(wide.canvas).__module__.startswith("ipympl")
print("ok")
"""
    # (ipympl's own toolbar raises a DeprecationWarning in traitlets: not ours to make an error)
    out = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-W", "error::UserWarning",
                          "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_the_fit_hook_leaves_other_canvases_alone():
    import matplotlib.pyplot as plt

    assert _base._FIT_HOOK in matplotlib.rcParams["figure.hooks"]
    fig, _ = plt.subplots(figsize=(13, 4))
    try:
        assert fig.canvas.get_width_height()[0] == 1300  # Agg (and inline): no change
    finally:
        plt.close(fig)


def test_inline_png_is_lossless():
    ex = widgets.gd_valley_explorer()
    png = ex.png()
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.mode == "RGB"
    expected = np.asarray(ex.figure.canvas.buffer_rgba())[:, :, :3]
    np.testing.assert_array_equal(np.asarray(image), expected)


def test_a_rounded_echo_of_a_slider_value_costs_no_update():
    ex = widgets.gd_valley_explorer()
    calls = []
    ex.refresh = lambda: calls.append(ex.controls["lr"].value)
    lr = ex.controls["lr"].value
    ex.controls["lr"].value = lr * (1 + 1e-15)  # what a browser sends back after rendering
    assert calls == []
    ex.controls["lr"].value = lr * 1.2
    assert len(calls) == 1
