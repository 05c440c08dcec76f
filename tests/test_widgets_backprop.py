"""Tests for npfl_helpers.widgets.backprop (notebook 05): the backpropagation stepper and the
activation explorer, every control driven across its range, against
npfl_helpers.backprop_stepper and the activations' formulas."""

import re

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from npfl_helpers import autodiff, backprop_stepper, mlp  # noqa: E402
from npfl_helpers.widgets import backprop as B  # noqa: E402

pytestmark = pytest.mark.usefixtures("strict_warnings")


def test_backprop_stepper_every_step():
    ex = B.backprop_stepper()
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
    ex = B.backprop_stepper(out)
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
    ex = B.activation_explorer()
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
    assert "NaN in the lecture" in ex.info.get_text()  # the lecture leaves ReLU′(0) undefined
    assert ex.dot_d.get_data()[1][0] == 0.0
    ex.controls["function"].value = "sigmoid"
    assert ex.max_line.get_ydata()[0] == 0.25
    slider.value = -6.0
    assert "vanishes" in ex.info.get_text()


def test_activation_explorer_slider_noise_at_zero():
    """A slider's float readout like 8.9e-16 is treated as a = 0 (ReLU′(0) = 0)."""
    ex = B.activation_explorer()
    ex.controls["function"].value = "relu"
    ex.controls["a"].value = 0.1
    ex.controls["a"].value = -6.0 + 60 * 0.1  # not exactly 0 in floating point
    assert ex.dot_d.get_data()[1][0] == 0.0


def test_backprop_stepper_boxes_show_box_label_at_every_step():
    ex = B.backprop_stepper()
    n = ex.n
    for k in (0, 3, n, n + 4, 2 * n):
        ex.controls["step"].value = k
        values, grads = set(ex.order[:min(k, n)]), set(ex.order[n - max(k - n, 0):])
        for node, box in ex.boxes.items():
            expected = backprop_stepper.box_label(node, node in values, node in grads)
            assert box.get_text() == expected
        assert ex.line.get_text() == ex.steps[k].text.split("\n", 1)[1]


def test_activation_explorer_claims_the_bound_only_for_the_derivative_factors():
    """σ′ ≤ 1/4 bounds the activation's factor; the weights Wᵀ multiply the gradient too, so
    "ten σ layers multiply the gradient by at most 4⁻¹⁰" would be wrong (issue 9): with W = 8·I
    and biases −4, a = 0 at every layer and the gradient *grows* by (8/4)¹⁰."""
    ex = B.activation_explorer()
    ex.controls["function"].value = "sigmoid"
    ex.controls["a"].value = 0.0
    text = ex.info.get_text()
    assert "derivative factor of 10 such layers: σ′(a)¹⁰ = 9.5e-07" in text
    assert "Wᵀ" in text
    assert "derivative factors" in ex.ax_d.get_title()
    # the counterexample to the whole-gradient reading, through the package's σ and σ′
    sigmoid, d_sigmoid = mlp.ACTIVATIONS["sigmoid"]
    W, b, h, pre = 8.0 * np.eye(3), -4.0 * np.ones(3), 0.5 * np.ones((1, 3)), []
    for _ in range(10):
        a = h @ W + b
        pre.append(a)
        h = sigmoid(a)
    g = np.ones((1, 3))
    for a in reversed(pre):
        g = (g * d_sigmoid(a)) @ W.T
    assert np.allclose(g, 2.0**10)  # (‖W‖ · max σ′)¹⁰ = (8/4)¹⁰: no vanishing at all


def test_activation_explorer_shows_what_notebook_05_says_to_try():
    ex = B.activation_explorer()
    steps = [("sigmoid", 0.0, "σ′(a) = 0.25", "9.5e-07"), ("sigmoid", 4.0, "σ′(a) = 0.01766",
                                                            "vanishes"),
             ("tanh", 0.0, "tanh′(a) = 1", "= 1\n"), ("tanh", 3.0, "tanh′(a) = 0.009866", ""),
             ("relu", -1.0, "ReLU′(a) = 0", ""), ("relu", 0.0, "ReLU′(a) = 0", "convention")]
    for name, a, derivative, more in steps:
        ex.controls["function"].value = name
        ex.controls["a"].value = a
        text = ex.info.get_text()
        assert derivative in text and more in text, (name, a, text)
    ex.controls["function"].value = "sigmoid"
    ex.controls["a"].value = 4.0
    shaded = mlp.ACTIVATIONS["sigmoid"][1](np.float64(4.0)) < B._VANISH
    assert shaded and ex.shades["sigmoid"].get_visible()
