"""Tests for npfl_helpers.widgets.training: the three explorers, every control driven across its
range, against the computations they show (npfl_helpers.estimators, npfl_helpers.autodiff)."""

import re
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from npfl_helpers import autodiff, estimators  # noqa: E402
from npfl_helpers.widgets import training as T  # noqa: E402

pytestmark = pytest.mark.usefixtures("strict_warnings")


@pytest.fixture(scope="module")
def noise_explorer():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return T.minibatch_noise_explorer()


# ----------------------------------------------------------------------------------------------
# explorers


def test_minibatch_noise_explorer_every_control(noise_explorer):
    ex = noise_explorer
    assert set(ex.controls) == {"m", "sampling"}
    sizes = [v for _, v in ex.controls["m"].options]
    assert sizes[0] == 1 and sizes[-1] == ex.noise.N == 1078
    assert np.all(np.diff(sizes) > 0)
    spreads = {}
    for sampling in estimators.SAMPLINGS:
        ex.controls["sampling"].value = sampling
        for m in sizes:
            ex.controls["m"].value = m
            ex.draw()
            pts = ex.cloud.points.get_offsets()
            assert pts.shape == (200, 2)
            spreads[sampling, m] = float(np.mean(np.sum((pts - pts.mean(axis=0)) ** 2, axis=1)))
            x, y = ex.variance.current.get_data()
            assert list(x) == [m]
            assert f"m = {m}:" in ex.ax_cloud.get_title()
            mean = np.array(ex.cloud.mean.get_data()).ravel()
            np.testing.assert_allclose(mean, pts.mean(axis=0))
    # the cloud shrinks as m grows, and vanishes at m = N without replacement
    assert spreads["without replacement", 1] > 50 * spreads["without replacement", 64]
    assert spreads["without replacement", 1078] < 1e-20
    assert spreads["with replacement", 1078] > 0
    assert "no noise" in ex.info.get_text() or "with replacement" in ex.info.get_text()


def test_minibatch_noise_explorer_variance_follows_formula(noise_explorer):
    noise = noise_explorer.noise
    sizes = noise.batch_sizes
    for s, replace in zip(estimators.SAMPLINGS, (False, True), strict=True):
        theory = estimators.minibatch_variance(noise.sigma2, noise.N, sizes, replace=replace)
        ok = theory > 0
        np.testing.assert_allclose(noise.variance[s][ok], theory[ok], rtol=0.25)
    # log-log slope −1 with replacement
    slope = np.polyfit(np.log(sizes), np.log(noise.variance["with replacement"]), 1)[0]
    assert slope == pytest.approx(-1.0, abs=0.1)


def test_minibatch_noise_explorer_small_and_held():
    ex = T.minibatch_noise_explorer(hidden=4, epochs=0, n_batches=10, seed=3)
    with ex.hold():
        ex.controls["m"].value = 4
        ex.controls["sampling"].value = estimators.SAMPLINGS[1]
    assert ex.cloud.points.get_offsets().shape == (10, 2)
    assert ex.widget is not None  # the layout builds without a kernel
    ex.draw()


def test_backprop_stepper_every_step():
    ex = T.backprop_stepper()
    slider = ex.controls["step"]
    n = ex.n
    assert (slider.min, slider.max) == (0, 2 * n)
    for k in range(slider.min, slider.max + 1):
        slider.value = k
        labels = {node: box.get_text() for node, box in ex.boxes.items()}
        n_values = sum("value ?" not in t for t in labels.values())
        n_grads = sum("grad  ?" not in t for t in labels.values())
        assert n_values == min(k, n)
        assert n_grads == max(k - n, 0)
        step = ex.steps[k]
        for node, box in ex.boxes.items():
            edge = matplotlib.colors.to_hex(box.get_bbox_patch().get_edgecolor())
            assert (edge == "#d55e00") == (node is step.node)
        assert ex.head.get_text() == step.text.split("\n")[0]
        if k in (0, n, n + 1, 2 * n):
            ex.draw()
    assert re.search(r"g_w = .* = 0\.034", ex.line.get_text())


def test_backprop_stepper_custom_graph():
    a = autodiff.Tensor(2.0, "a")
    out = autodiff.tanh(a * a)
    out.name = "out"
    ex = T.backprop_stepper(out)
    ex.controls["step"].value = ex.controls["step"].max
    assert "g_a = g_* · a + g_* · a" in ex.line.get_text()  # a used twice by one node
    assert float(a.grad) == pytest.approx(4.0 * (1 - np.tanh(4.0) ** 2))
    ex.draw()


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


_FORMULAS = {
    "sigmoid": (_sigmoid, lambda a: _sigmoid(a) * (1 - _sigmoid(a))),
    "tanh": (np.tanh, lambda a: 1 / np.cosh(a) ** 2),
    "relu": (lambda a: max(a, 0.0), lambda a: 1.0 if a > 0 else 0.0),
}


def test_activation_explorer_every_control():
    ex = T.activation_explorer()
    slider = ex.controls["a"]
    names = [v for _, v in ex.controls["function"].options]
    assert names == ["sigmoid", "tanh", "relu"]
    for name in names:
        ex.controls["function"].value = name
        for a in (slider.min, -2.5, -0.1, 0.0, 0.1, 3.0, slider.max):
            slider.value = a
            f, df = _FORMULAS[name]
            (xf,), (yf,) = ex.dot_f.get_data()
            (xd,), (yd,) = ex.dot_d.get_data()
            assert xf == xd == pytest.approx(a)
            assert yf == pytest.approx(f(a), abs=1e-12)
            assert yd == pytest.approx(df(a), abs=1e-12)
            assert ex.shades[name].get_visible()
            assert not any(ex.shades[o].get_visible() for o in names if o != name)
            assert ex.curves[name].f.get_linewidth() > ex.curves[names[0 if name != "sigmoid"
                                                                       else 1]].f.get_linewidth()
        ex.draw()
    ex.controls["function"].value = "relu"
    slider.value = 0.0
    assert "by convention" in ex.info.get_text()
    assert ex.dot_d.get_data()[1][0] == 0.0
    ex.controls["function"].value = "sigmoid"
    assert ex.max_line.get_ydata()[0] == 0.25
    slider.value = -6.0
    assert "vanishes" in ex.info.get_text()


def test_activation_explorer_slider_noise_at_zero():
    """A slider's float readout like 8.9e-16 is treated as a = 0 (ReLU′(0) = 0)."""
    ex = T.activation_explorer()
    ex.controls["function"].value = "relu"
    ex.controls["a"].value = 0.1
    ex.controls["a"].value = -6.0 + 60 * 0.1  # not exactly 0 in floating point
    assert ex.dot_d.get_data()[1][0] == 0.0


def test_explorers_are_exported():
    from npfl_helpers import widgets

    for name in ("minibatch_noise_explorer", "backprop_stepper", "activation_explorer"):
        assert callable(getattr(widgets, name))
