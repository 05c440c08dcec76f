"""Tests for the shared parts of npfl_helpers.widgets: the Explorer (blitting, hold, the inline
PNG, ipympl), the control factories, the package's exports and its layering."""

import base64
import inspect
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import ipywidgets as W  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from _explorer_checks import pixels, render_aside  # noqa: E402

from npfl_helpers import plots, widgets  # noqa: E402
from npfl_helpers.widgets import _base, _controls, _figure  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error")  # any warning fails, not only RuntimeWarning

EXPLORERS = ["minibatch_noise_explorer", "backprop_stepper", "activation_explorer",
             "training_explorer", "momentum_explorer", "phase_diagram_explorer",
             "adam_bias_explorer", "optimizer_explorer", "schedule_explorer"]
TOPICS = {"gradient_descent": ["minibatch_noise_explorer"],
          "backprop": ["backprop_stepper", "activation_explorer"],
          "training": ["training_explorer"],
          "momentum": ["momentum_explorer", "phase_diagram_explorer"],
          "adaptive": ["adam_bias_explorer", "optimizer_explorer"],
          "schedules": ["schedule_explorer"],
          "statistics": ["variance_estimator_explorer"],
          "likelihood": ["likelihood_chain_explorer", "gaussian_nll_explorer",
                         "consistency_explorer"]}


# ----------------------------------------------------------------------------------------------
# the base: blitting, hold, the inline PNG, ipympl


@pytest.mark.parametrize("control, value", [("lr_adam", 0.3), ("steps", 200), ("kappa", 50.0),
                                            ("surface", "beale")])
def test_cached_rendering_matches_a_full_render(control, value):
    ex = widgets.optimizer_explorer()
    ex.draw()
    ex.controls["steps"].value = 150  # makes the loss panel "volatile" (re-drawn alone)
    ex.draw()
    ex.controls[control].value = value
    ex.draw()
    fast = pixels(ex)
    ex.invalidate()
    ex._volatile.clear()
    ex.draw()
    np.testing.assert_array_equal(fast, pixels(ex))


def test_hold_makes_one_update():
    ex = widgets.momentum_explorer()
    calls = []
    ex.refresh = lambda: calls.append(1)
    with ex.hold():
        ex.controls["lr"].value = 0.01
        ex.controls["beta"].value = 0.5
    assert calls == [1]
    ex.controls["beta"].value = 0.6
    assert calls == [1, 1]


def test_inline_output_gets_a_png(monkeypatch):
    ex = widgets.adam_bias_explorer()
    monkeypatch.setattr(_figure, "_shell", lambda: object())  # as if in a kernel
    widget = ex.widget
    out = widget.children[1]
    assert isinstance(out, W.Output)
    first = out.outputs[0]["data"]["image/png"]
    assert base64.b64decode(first)[:8] == b"\x89PNG\r\n\x1a\n"
    ex.controls["beta1"].value = 0.5
    assert len(out.outputs) == 1 and out.outputs[0]["output_type"] == "display_data"
    assert out.outputs[0]["data"]["image/png"] != first


def test_no_png_without_a_kernel():
    ex = widgets.adam_bias_explorer()
    out = ex.widget.children[1]
    ex.controls["beta1"].value = 0.5
    assert out.outputs == ()


def test_ipympl_canvas_is_shown_directly():
    code = """
import matplotlib
matplotlib.use("module://ipympl.backend_nbagg")
from npfl_helpers import widgets
ex = widgets.momentum_explorer()
assert ex.widget.children[1] is ex.figure.canvas, ex.widget.children
assert type(ex.figure.canvas).__module__.startswith("ipympl")
ex.controls["lr"].value = 0.05
ex.controls["kappa"].value = 100.0
print("ok")
"""
    # (ipympl's own toolbar raises a DeprecationWarning in traitlets: not ours to make an error)
    out = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-W", "error::UserWarning",
                          "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_explorer_figure_is_untracked_and_not_named_like_plots_new_figure():
    import matplotlib.pyplot as plt

    fig = _base.explorer_figure((4.0, 3.0))
    assert fig.get_size_inches() == pytest.approx((4.0, 3.0))
    assert fig not in [plt.figure(n) for n in plt.get_fignums()]
    assert not hasattr(_base, "new_figure")  # plots.new_figure is the only new_figure
    assert callable(plots.new_figure)


# ----------------------------------------------------------------------------------------------
# the controls, written once


def test_on_grid_is_a_point_of_the_log_slider_grid():
    for value in (0.02, 0.1, 3e-4, 7.0):
        snapped = _controls.on_grid(value, -4.0, 0.05)
        k = (np.log10(snapped) + 4.0) / 0.05
        assert k == pytest.approx(round(k), abs=1e-9)
        assert abs(np.log10(snapped) - np.log10(value)) <= 0.025 + 1e-12  # the nearest point


def test_controls_share_one_look():
    c = _controls.Controls(width="300px", label_width="92px", continuous_update=False,
                           log_step=0.1, log_format=".1e", snap=False)
    made = [c.log_slider("α", 0.1, 1e-4, 10.0), c.float_slider("β", 0.5, 0.0, 1.0, 0.1),
            c.int_slider("n", 3, 1, 9), c.choice_slider("β₂", 0.9, (0.5, 0.9)),
            c.selection("m", 2, [("1", 1), ("2", 2)]), c.dropdown("d", "a", ["a", "b"])]
    for w in made:
        assert w.layout.width == "300px" and w.style.description_width == "92px"
        if hasattr(w, "continuous_update"):
            assert w.continuous_update is False
    log = made[0]
    assert (log.value, log.step, log.readout_format) == (0.1, 0.1, ".1e")  # not snapped
    assert (log.min, log.max) == pytest.approx((-4.0, 1.0))
    assert made[3].options == (("0.5", 0.5), ("0.9", 0.9)) and made[3].value == 0.9
    natural = c.dropdown("d", "a", ["a", "b"], width=_controls.NATURAL)
    assert natural.layout.width is None
    snapping = _controls.Controls()
    assert snapping.log_slider("α", 0.02, 1e-4, 10.0).value == _controls.on_grid(0.02, -4, 0.05)
    box = c.checkbox("<b>x</b>", True, html=True)
    assert box.value and box.description_allow_html and not box.indent


def test_each_topic_builds_its_controls_with_the_shared_factories():
    """No topic module creates sliders or dropdowns by hand (one place for the look)."""
    from npfl_helpers.widgets import (
        adaptive,
        backprop,
        gradient_descent,
        momentum,
        schedules,
        training,
    )

    for module in (adaptive, backprop, gradient_descent, momentum, schedules, training):
        source = inspect.getsource(module)
        for cls in ("FloatLogSlider", "FloatSlider", "IntSlider", "SelectionSlider", "Dropdown",
                    "Checkbox", "ToggleButtons"):
            assert f"W.{cls}(" not in source, (module.__name__, cls)


# ----------------------------------------------------------------------------------------------
# the package: exports, topics, layering


def test_explorers_are_exported():
    assert set(widgets.__all__) >= {"Explorer", *EXPLORERS}  # (and those of newer notebooks)
    for name in widgets.__all__:
        assert callable(getattr(widgets, name))


@pytest.mark.parametrize("topic", TOPICS)
def test_each_explorer_lives_in_the_module_of_its_notebook(topic):
    import importlib

    module = importlib.import_module(f"npfl_helpers.widgets.{topic}")
    assert set(module.__all__) >= set(TOPICS[topic])  # (and explorers added since)
    for name in TOPICS[topic]:
        assert getattr(widgets, name) is getattr(module, name)


def test_computations_live_below_the_drawing_layer():
    from npfl_helpers import (
        autodiff,
        backprop_stepper,
        data,
        estimators,
        optim,
        quadratic_theory,
        schedules,
    )

    homes = {quadratic_theory: ("heavy_ball_optimum", "phase_diagram"),
             schedules: ("robbins_monro_verdict", "lr_schedule", "DECAYS"),
             optim: ("make_optimizer", "OPTIMIZERS", "LABELS"),
             data: ("load_small",),
             estimators: ("per_example_gradients", "minibatch_weights", "minibatch_variance",
                          "GradientNoise", "gradient_noise"),
             backprop_stepper: ("lecture_graph", "BackpropStep", "backprop_steps", "box_label")}
    for module, names in homes.items():
        for name in names:
            assert name in module.__all__ and hasattr(module, name)
            assert name not in widgets.__all__ and not hasattr(widgets, name)
    for name in ("lecture_graph", "backprop_steps"):
        assert not hasattr(autodiff, name)  # the engine holds no stepper text
    assert all(name == "Explorer" or name.endswith(("_explorer", "_stepper"))
               for name in widgets.__all__)


# ----------------------------------------------------------------------------------------------
# texts cached per content (animate_text) and the cached layer (set_layer)

TEXT_EXPLORERS = ["minibatch_noise_explorer", "backprop_stepper", "activation_explorer",
                  "schedule_explorer", "eigendirection_explorer", "noisy_momentum_explorer",
                  "phase_diagram_explorer", "optimizer_explorer", "momentum_explorer",
                  "gd_valley_explorer", "variance_estimator_explorer"]


def _text_boxes_untouched(ex) -> list:
    """The cached texts whose box some other dynamic artist (or the layer) draws into."""
    fig, canvas = ex.figure, ex.figure.canvas
    ex.draw()
    renderer = canvas.get_renderer()

    def frame(with_others):
        canvas.restore_region(ex._background)
        for artist in ex._layer + (ex._animated if with_others else []):
            if artist.get_visible():
                fig.draw_artist(artist)
        return np.asarray(canvas.buffer_rgba()).copy()

    bare, drawn = frame(False), frame(True)
    height = bare.shape[0]
    touched = []
    for text in ex._texts:
        if not text.get_visible() or not text.get_text():
            continue
        x0, y0, x1, y1 = (int(v) for v in _base._text_extent(text, renderer).extents)
        rows = slice(max(height - y1, 0), max(height - y0, 0))  # as Agg's copy_from_bbox
        cols = slice(max(x0, 0), max(x1, 0))
        if not np.array_equal(bare[rows, cols], drawn[rows, cols]):
            touched.append(text.get_text()[:40])
        frame(False)
        fig.draw_artist(text)
        alone = np.asarray(canvas.buffer_rgba()).copy()
        alone[rows, cols] = bare[rows, cols]
        if not np.array_equal(alone, bare):  # the text drew outside the box it is cached by
            touched.append("outside its box: " + text.get_text()[:40])
    ex.invalidate()
    ex.draw()
    return touched


@pytest.mark.parametrize("name", TEXT_EXPLORERS)
def test_cached_texts_lie_over_no_other_dynamic_artist(name):
    """animate_text's promise: a text's cached pixels hold only the static image and itself."""
    from _explorer_checks import values

    ex = getattr(widgets, name)()
    assert ex._texts
    assert _text_boxes_untouched(ex) == []
    for key in list(ex.controls):
        control = ex.controls.get(key)
        if control is None or isinstance(control, W.Button) or getattr(control, "disabled",
                                                                       False):
            continue
        start = control.value
        for value in values(control)[:3]:
            control.value = value
            assert _text_boxes_untouched(ex) == [], f"{name}: {key} = {value!r}"
        if key in ex.controls:
            control.value = start


def _drawn(ex) -> np.ndarray:
    ex.draw()
    return pixels(ex)


def test_a_cached_text_shows_its_new_content():
    ex = widgets.schedule_explorer()
    ex.controls["steps"].value = 1100  # the step axis widens to 1200 and stays
    fast = []
    for steps in (1000, 1100, 1000, 1100):
        ex.controls["steps"].value = steps
        fast.append(_drawn(ex))
    np.testing.assert_array_equal(fast[0], fast[2])  # the same content: the same pixels
    assert not np.array_equal(fast[0], fast[1])
    ex.invalidate()
    np.testing.assert_array_equal(fast[3], _drawn(ex))


def test_the_layer_is_redrawn_when_replaced_and_cached_otherwise():
    ex = widgets.optimizer_explorer()
    ex.draw()
    layer = ex._layer
    ex.controls["lr_sgd"].value = 0.05  # no new surface: the layer's image is reused
    ex.draw()
    assert ex._layer is layer and ex._layer_image is not None
    ex.controls["kappa"].value = 31.6  # a new surface: a new layer, drawn once
    fast = _drawn(ex)
    assert ex._layer is not layer
    ex.invalidate()
    np.testing.assert_array_equal(fast, _drawn(ex))


def test_a_layer_shown_before_over_the_same_image_is_not_drawn_again():
    ex = widgets.optimizer_explorer()
    kappa = ex.controls["kappa"]
    first = _drawn(ex)
    start, first_layer = kappa.value, list(ex._layer)
    kappa.value = 31.6  # a new surface: its contours drawn once
    _drawn(ex)
    assert ex._layer != first_layer
    drawn = []
    for artist in first_layer:
        artist.draw = lambda renderer, artist=artist: drawn.append(artist)
    kappa.value = start  # back: the first surface's contours over the same image
    np.testing.assert_array_equal(_drawn(ex), first)
    assert ex._layer == first_layer and drawn == [], "the layer was drawn again"
    for artist in first_layer:
        del artist.draw
    np.testing.assert_array_equal(first, render_aside(ex))


def test_cached_computes_each_key_once():
    ex = widgets.momentum_explorer()
    calls = []
    for key in (1, 2, 1, 2, 3):
        ex.cached(("test", key), lambda k=key: calls.append(k) or k * 10)
    assert calls == [1, 2, 3]
    assert ex.cached(("test", 2), lambda: -1) == 20


def test_a_text_over_other_dynamic_artists_is_cached_by_what_lies_under_it():
    """activation_explorer's panel of numbers has the marker line under it: its pixels are
    reused only over the same pixels, so the picture is always the full render's."""
    ex = widgets.activation_explorer()
    info = ex.info
    assert info in ex._animated and info not in ex._texts
    ex.draw()
    frames, kept = [], []
    for a in (1.1, 1.0, 1.1, 1.0, -5.0):
        ex.controls["a"].value = a
        frames.append(_drawn(ex))
        kept.append(len(ex._text_pixels[info]))
    assert kept[3] == kept[2] == kept[1] < kept[4]  # seen before: reused; a new a: drawn
    np.testing.assert_array_equal(frames[0], frames[2])
    np.testing.assert_array_equal(frames[1], frames[3])
    ex.invalidate()
    np.testing.assert_array_equal(frames[4], _drawn(ex))  # the same as drawn from scratch


class _Probe(widgets.Explorer):
    """A framed text over a dynamic line (cached by what lies under it) and a fixed text over
    the grid of an axes whose limits follow a slider (cached by content)."""

    def __init__(self):
        fig = _base.explorer_figure((4.0, 3.0))
        self.ax = fig.subplots()
        self.ax.grid(True)
        (self.line,) = self.ax.plot([0.0, 1.0], [0.0, 1.0])
        self.note = self.ax.text(0.05, 0.4, "", bbox={"facecolor": "white", "edgecolor": "k"})
        self.panel = self.ax.text(0.3, 0.75, "the same words", transform=self.ax.transAxes)
        self.animate(self.line, self.note)
        self.animate_text(self.panel)
        super().__init__(fig, {"width": W.IntSlider(1, min=1, max=3),
                               "top": W.FloatSlider(1.0, min=1.0, max=4.0)})

    def refresh(self):
        self.note.set_text("x" * 12 * self.controls["width"].value)
        self.ax.set_ylim(0.0, self.controls["top"].value)


@pytest.mark.parametrize("moves", [
    [("width", 3), ("width", 1), ("width", 3), ("width", 2), ("width", 3)],  # the frame resizes
    [("top", 2.0), ("top", 1.0), ("top", 3.0), ("top", 2.0), ("top", 1.0)],  # the grid moves
    [("top", 2.0), ("width", 3), ("top", 1.0), ("width", 1), ("top", 2.0), ("width", 3)],
])
def test_kept_pixels_are_those_of_a_full_render(moves):
    """Text pixels are kept per content (and per what is under them) and static images per
    axis limits; none may show where a render from scratch would differ: a framed text's frame
    grows with its text, the grid under a fixed text moves with the limits."""
    ex = _Probe()
    ex.draw()
    for key, value in moves:
        ex.controls[key].value = value
        ex.draw()
        np.testing.assert_array_equal(pixels(ex), render_aside(ex), f"{key} = {value}")
