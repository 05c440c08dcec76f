"""Tests for npfl_helpers.backprop_stepper: the lecture's example graph and the text of every
step of forward propagation and backpropagation, against central differences."""

import re

import numpy as np
import pytest

from npfl_helpers import autodiff as ad
from npfl_helpers import backprop_stepper as bs


def _lecture_values(x, w, b, t, lam):
    """L = (tanh(w x + b) − t)² + λ w², written out."""
    return (np.tanh(w * x + b) - t) ** 2 + lam * w**2


@pytest.mark.filterwarnings("error")
def test_lecture_graph_value():
    L = bs.lecture_graph()
    assert float(L.value) == pytest.approx(_lecture_values(0.5, 1.5, -0.25, 0.8, 0.1))


@pytest.mark.filterwarnings("error")
def test_backprop_steps_texts_state_the_right_numbers():
    L = bs.lecture_graph()
    steps = bs.backprop_steps(L)
    order = ad.topological_order(L)
    n = len(order)
    assert len(steps) == 2 * n + 1
    assert [s.phase for s in steps] == ["start"] + ["forward"] * n + ["backward"] * n
    assert [s.node for s in steps[1:n + 1]] == order
    assert [s.node for s in steps[n + 1:]] == order[::-1]
    # the last number of each line is the node's value (forward) or gradient (backward)
    base = dict(x=0.5, w=1.5, b=-0.25, t=0.8, lam=0.1)
    leaf_key = {"x": "x", "w": "w", "b": "b", "t": "t", "λ": "lam"}
    h = 1e-6
    for s in steps[1:]:
        last = float(s.text.split("\n")[1].split("=")[-1].split("(")[0].replace("−", "-"))
        if s.phase == "forward":
            assert last == pytest.approx(float(s.node.value), rel=1e-3)
        else:
            assert last == pytest.approx(float(s.node.grad), rel=1e-3, abs=1e-4)
            if s.node.name in leaf_key:  # leaves: check against central differences
                k = leaf_key[s.node.name]
                up, down = dict(base), dict(base)
                up[k] += h
                down[k] -= h
                numeric = (_lecture_values(**up) - _lecture_values(**down)) / (2 * h)
                assert last == pytest.approx(numeric, rel=1e-3, abs=1e-4)
    texts = {s.node.name: s.text for s in steps[n + 1:]}
    assert "g_a = g_h · (1 − h²)" in texts["a"]
    assert "g_w = g_u · x + g_p · 2w" in texts["w"]  # two consumers, two terms
    assert "g_L = 1" in texts["L"]
    assert "g_t = −g_d" in texts["t"]


@pytest.mark.filterwarnings("error")
def test_backprop_steps_other_ops():
    x = ad.Tensor(0.7, "x")
    y = ad.Tensor(-1.3, "y")
    z = ad.sigmoid(x) / y + ad.exp(-x) * ad.relu(y) + ad.log(x) ** 3
    z.name = "z"
    steps = bs.backprop_steps(z)
    for s in steps[1:]:
        assert s.text.count("\n") == 1
    grads = {s.node.name: s.text for s in steps if s.phase == "backward" and s.node.name}
    assert "g_x" in grads["x"] and "g_y" in grads["y"]
    assert float(x.grad) == pytest.approx(
        0.5 / np.cosh(0.35) ** 2 / 2 / -1.3 + 3 * np.log(0.7) ** 2 / 0.7, rel=1e-9)


@pytest.mark.filterwarnings("error")
def test_lecture_graph_is_fresh_and_named():
    L1, L2 = bs.lecture_graph(), bs.lecture_graph()
    assert L1 is not L2 and L1.grad is None  # a new graph, no gradients yet
    names = [n.name for n in ad.topological_order(L1)]
    assert sorted(names) == sorted(["x", "w", "b", "t", "λ", "u", "a", "h", "d", "e", "p", "r",
                                    "L"])
    w = next(n for n in ad.topological_order(L1) if n.name == "w")
    users = [n.name for n in ad.topological_order(L1) if w in n.inputs]
    assert sorted(users) == ["p", "u"]  # two consumers: g_w is a sum of two terms


@pytest.mark.filterwarnings("error")
def test_backprop_steps_read_the_inputs_forward_and_the_consumers_backward():
    L = bs.lecture_graph()
    steps = bs.backprop_steps(L)
    n = len(ad.topological_order(L))
    assert steps[0] == bs.BackpropStep("start", None, (), steps[0].text)
    assert steps[0].text.startswith(f"Step 0 of {2 * n}")
    for s in steps[1:n + 1]:
        assert set(s.read) == set(s.node.inputs)
    for s in steps[n + 1:]:
        consumers = {c for c in ad.topological_order(L) if s.node in c.inputs}
        assert set(s.read) == consumers
    assert steps[n + 1].node is L and steps[n + 1].read == ()


@pytest.mark.filterwarnings("error")
def test_backprop_steps_fill_the_same_gradients_as_backward():
    L = bs.lecture_graph()
    bs.backprop_steps(L)
    got = {n.name: float(n.grad) for n in ad.topological_order(L)}
    L2 = bs.lecture_graph()
    L2.backward()
    assert got == {n.name: float(n.grad) for n in ad.topological_order(L2)}


@pytest.mark.parametrize("p, text", [(2, "²"), (3, "³"), (10, "¹⁰"), (-1, "⁻¹"), (0.5, "⁰·⁵")])
def test_superscript(p, text):
    assert bs.superscript(p) == text


@pytest.mark.filterwarnings("error")
def test_box_label_hides_what_is_not_known_and_keeps_its_width():
    L = bs.lecture_graph()
    bs.backprop_steps(L)
    for node in ad.topological_order(L):
        full = bs.box_label(node)
        title, value, grad = full.split("\n")
        assert value.startswith("value ") and grad.startswith("grad  ")
        assert float(value.split()[1]) == pytest.approx(float(node.value), rel=1e-3)
        assert float(grad.split()[1]) == pytest.approx(float(node.grad), rel=1e-3, abs=1e-4)
        for v_known in (False, True):
            for g_known in (False, True):
                lines = bs.box_label(node, v_known, g_known).split("\n")
                assert lines[0] == title
                assert [len(x) for x in lines[1:]] == [len(value), len(grad)]  # same box size
                assert ("?" in lines[1]) is not v_known and ("?" in lines[2]) is not g_known
    assert bs.box_label(L, True, True).split("\n")[0] == "L = +"


def test_box_label_before_backpropagation():
    a = ad.Tensor(2.0)
    out = ad.tanh(a)
    title, value, grad = bs.box_label(out).split("\n")
    assert title == "tanh" and re.match(r"value 0\.964", value) and grad.strip() == "grad  ?"
    assert bs.box_label(a).split("\n")[0] == "const"
