"""Tests for npfl_helpers.autodiff: gradients against central differences (float64)."""

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npfl_helpers import autodiff as ad
from npfl_helpers import losses
from npfl_helpers.autodiff import Tensor


def numerical_grads(build, arrays, h=1e-6):
    """Central differences (f(θ + h e_i) − f(θ − h e_i)) / 2h of ``build(*Tensors)`` per entry."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]

    def f():
        return float(build(*(Tensor(a) for a in arrays)).value)

    grads = []
    for a in arrays:
        g = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            old = a[i]
            a[i] = old + h
            f_plus = f()
            a[i] = old - h
            f_minus = f()
            a[i] = old
            g[i] = (f_plus - f_minus) / (2 * h)
        grads.append(g)
    return grads


def check_grads(build, *arrays, rtol=1e-5, atol=1e-7):
    leaves = [Tensor(a, name=f"a{i}") for i, a in enumerate(arrays)]
    out = build(*leaves)
    out.backward()
    for leaf, expected in zip(leaves, numerical_grads(build, arrays), strict=True):
        assert leaf.grad.shape == leaf.value.shape
        np.testing.assert_allclose(leaf.grad, expected, rtol=rtol, atol=atol)
    return leaves


def rand(rng, shape, away_from_zero=False):
    x = rng.normal(size=shape)
    if away_from_zero:
        x = np.sign(x) * (0.5 + np.abs(x))
    return x


# ----- the node ---------------------------------------------------------------------------------
def test_tensor_attributes():
    x = Tensor(2, name="x")
    assert x.value.dtype == np.float64 and x.value.shape == ()
    assert x.grad is None and x.op == "" and x.inputs == () and x.name == "x"
    y = ad.tanh(x * 3.0)
    assert y.op == "tanh" and y.inputs[0].op == "*" and y.inputs[0].inputs[0] is x
    assert x.grad is None  # only backward fills grads
    y.backward()
    assert isinstance(x.grad, np.ndarray) and x.grad.shape == ()


def test_tensor_copies_its_value():
    a = np.ones(3)
    x = Tensor(a)
    a[0] = 5.0
    assert x.value[0] == 1.0


# ----- gradients of every operation -------------------------------------------------------------
SHAPES = [((3, 1), (1, 4)), ((), (2, 3)), ((2, 3), ()), ((2, 3), (3,)), ((4,), (4,))]


@pytest.mark.parametrize("shapes", SHAPES)
@pytest.mark.parametrize("op", ["+", "-", "*", "/"])
def test_binary_ops_with_broadcasting(op, shapes):
    rng = np.random.default_rng(1)
    a, b = rand(rng, shapes[0]), rand(rng, shapes[1], away_from_zero=True)
    out_shape = np.broadcast_shapes(*shapes)
    w = rng.normal(size=out_shape)  # a random weighting makes every output entry count

    def build(x, y):
        z = {"+": x + y, "-": x - y, "*": x * y, "/": x / y}[op]
        return (z * w).sum()

    check_grads(build, a, b)


def test_broadcast_gradients_are_summed_back():
    a = Tensor(np.zeros((3, 1)))
    b = Tensor(np.zeros((1, 4)))
    (a + b).sum().backward()
    np.testing.assert_array_equal(a.grad, np.full((3, 1), 4.0))
    np.testing.assert_array_equal(b.grad, np.full((1, 4), 3.0))
    s = Tensor(2.0)
    x = Tensor(np.arange(6.0).reshape(2, 3))
    (s * x).sum().backward()
    assert s.grad.shape == () and s.grad == pytest.approx(15.0)
    np.testing.assert_array_equal(x.grad, np.full((2, 3), 2.0))


def test_reflected_ops_with_numbers_and_arrays():
    rng = np.random.default_rng(2)
    c = rng.normal(size=(2, 3))
    m = rng.normal(size=(4, 2))

    def build(x):
        y = 2.0 + x
        y = c - y
        y = 3.0 * y + c * x
        y = 1.5 / (y * y + 1.0) + c / (x * x + 2.0)
        return (m @ y).sum() + (-x).sum() + (x**3).mean()

    check_grads(build, rng.normal(size=(2, 3)))
    x = Tensor(np.ones(3))
    for y in (c[0] + x, c[0] - x, c[0] * x, c[0] / x):  # ndarray on the left stays a Tensor
        assert isinstance(y, Tensor)
    np.testing.assert_allclose((c[0] - x).value, c[0] - 1.0)


@pytest.mark.parametrize("shapes", [((2, 3), (3, 4)), ((3,), (3,)), ((3,), (3, 4)),
                                    ((2, 3), (3,)), ((5, 2, 3), (3, 4)), ((5, 2, 3), (5, 3, 2))])
def test_matmul_shapes(shapes):
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=shapes[0]), rng.normal(size=shapes[1])
    w = rng.normal(size=np.matmul(a, b).shape)
    check_grads(lambda x, y: ((x @ y) * w).sum(), a, b)


def test_matmul_chain():
    rng = np.random.default_rng(4)
    A, B, C, v = (rng.normal(size=s) for s in [(2, 3), (3, 4), (4, 5), (5,)])
    check_grads(lambda a, b, c, x: ad.tanh(a @ b @ c @ x).sum(), A, B, C, v)


@pytest.mark.parametrize("name", ["exp", "log", "tanh", "sigmoid", "relu"])
def test_functions(name):
    rng = np.random.default_rng(5)
    x = rand(rng, (3, 4), away_from_zero=True)  # relu away from its kink
    if name == "log":
        x = np.abs(x)
    w = rng.normal(size=(3, 4))
    fn = getattr(ad, name)
    check_grads(lambda t: (fn(t) * w).sum(), x)


def test_function_values():
    x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    t = Tensor(x)
    np.testing.assert_allclose(ad.exp(t).value, np.exp(x))
    np.testing.assert_allclose(ad.log(ad.exp(t)).value, x)
    np.testing.assert_allclose(ad.tanh(t).value, np.tanh(x))
    np.testing.assert_allclose(ad.sigmoid(t).value, 1 / (1 + np.exp(-x)))
    np.testing.assert_array_equal(ad.relu(t).value, [0.0, 0.0, 0.0, 0.5, 2.0])
    big = ad.sigmoid(Tensor([-1e4, 1e4]))  # no overflow warning
    np.testing.assert_array_equal(big.value, [0.0, 1.0])


@pytest.mark.parametrize("p", [2, 3, -1, 0.5, 1.5])
def test_pow(p):
    rng = np.random.default_rng(6)
    x = np.abs(rng.normal(size=5)) + 0.5
    check_grads(lambda t: (t**p).sum(), x)


def test_pow_needs_a_number():
    with pytest.raises(TypeError):
        Tensor(2.0) ** Tensor(2.0)


def test_relu_derivative_at_zero_is_zero():
    x = Tensor([-1.0, 0.0, 1.0])
    ad.relu(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0])


@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2), (-1, -2)])
@pytest.mark.parametrize("method", ["sum", "mean"])
def test_reductions(method, axis):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(2, 3, 4))
    expected_value = getattr(np, method)(x, axis=axis)
    np.testing.assert_allclose(getattr(Tensor(x), method)(axis).value, expected_value)
    w = rng.normal(size=np.shape(expected_value))
    check_grads(lambda t: (getattr(t, method)(axis) * w).sum(), x)


def test_softmax_cross_entropy_gradient_and_value():
    rng = np.random.default_rng(8)
    z = rng.normal(size=(6, 4))
    y = rng.integers(0, 4, size=6)
    check_grads(lambda t: ad.softmax_cross_entropy(t, y), z)
    loss = ad.softmax_cross_entropy(Tensor(z), y)
    assert loss.value.shape == ()
    assert float(loss.value) == pytest.approx(losses.cross_entropy(z, y), rel=1e-12)
    # the closed-form gradient (softmax − one-hot) / N, written out
    t = Tensor(z)
    ad.softmax_cross_entropy(t, y).backward()
    expected = (np.exp(z) / np.exp(z).sum(axis=1, keepdims=True) - np.eye(4)[y]) / 6
    np.testing.assert_allclose(t.grad, expected, rtol=1e-12)


def test_softmax_cross_entropy_stable_and_validated():
    z = Tensor([[1e4, 0.0], [0.0, 1e4]])
    loss = ad.softmax_cross_entropy(z, np.array([0, 0]))
    loss.backward()
    assert float(loss.value) == pytest.approx(5e3)
    np.testing.assert_allclose(z.grad, [[0.0, 0.0], [-0.5, 0.5]])
    with pytest.raises(ValueError, match="labels"):
        ad.softmax_cross_entropy(z, np.array([0, 2]))
    with pytest.raises(ValueError, match="labels"):
        ad.softmax_cross_entropy(z, np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="logits"):
        ad.softmax_cross_entropy(Tensor(np.zeros(3)), np.array([0]))


def test_mlp_graph():
    rng = np.random.default_rng(9)
    X = rng.normal(size=(5, 3))
    y = rng.integers(0, 2, size=5)

    def build(W1, b1, W2, b2):
        h = ad.relu(X @ W1 + b1)
        return ad.softmax_cross_entropy(ad.sigmoid(h @ W2 + b2), y) + 0.1 * (W1 * W1).sum()

    check_grads(build, rand(rng, (3, 4)), rng.normal(size=4), rng.normal(size=(4, 2)),
                rng.normal(size=2))


# ----- shared nodes -----------------------------------------------------------------------------
def test_shared_nodes_accumulate():
    x = Tensor(3.0)
    (x * x).backward()
    assert float(x.grad) == pytest.approx(6.0)

    def build(x):
        h = ad.tanh(x)  # h feeds two branches
        return (h * 3.0 + ad.exp(h) * h).sum()

    check_grads(build, np.random.default_rng(10).normal(size=4))


# ----- the backward algorithm -------------------------------------------------------------------
def test_backward_twice_gives_identical_grads():
    rng = np.random.default_rng(11)
    x = Tensor(rng.normal(size=(2, 3)))
    w = Tensor(rng.normal(size=(3,)))
    loss = (ad.tanh(x * w) * x).sum()
    loss.backward()
    first = (x.grad.copy(), w.grad.copy())
    loss.backward()
    np.testing.assert_array_equal(x.grad, first[0])
    np.testing.assert_array_equal(w.grad, first[1])


def test_backward_fills_intermediate_grads():
    x = Tensor(2.0)
    h = x * 3.0
    z = h * h
    z.backward()
    assert float(z.grad) == 1.0
    assert float(h.grad) == pytest.approx(2 * 6.0)  # dz/dh = 2h
    assert float(x.grad) == pytest.approx(2 * 6.0 * 3.0)


def test_backward_needs_scalar_root_or_gradient():
    x = Tensor([1.0, 2.0])
    y = x * 2.0
    with pytest.raises(ValueError, match="scalar"):
        y.backward()
    with pytest.raises(ValueError, match="shape"):
        y.backward(np.ones(3))
    y.backward(np.array([1.0, 10.0]))
    np.testing.assert_array_equal(x.grad, [2.0, 20.0])


def test_long_chain_has_no_recursion_limit():
    x = Tensor(1.0, name="x")
    y = x
    for _ in range(10_000):
        y = y * 1.0001 + 0.0
    order = ad.topological_order(y)
    assert len(order) == 1 + 4 * 10_000  # x; per step two constants, "*" and "+"
    y.backward()
    assert float(x.grad) == pytest.approx(1.0001**10_000)
    x.value = np.array(2.0)
    assert float(ad.forward(y)) == pytest.approx(2.0 * 1.0001**10_000)


# ----- topological order and forward ------------------------------------------------------------
@st.composite
def random_graphs(draw):
    n_leaves = draw(st.integers(1, 4))
    nodes = [Tensor(float(i + 1)) for i in range(n_leaves)]
    for _ in range(draw(st.integers(0, 15))):
        op = draw(st.sampled_from(["+", "*", "tanh", "sum-of-two"]))
        a = nodes[draw(st.integers(0, len(nodes) - 1))]
        b = nodes[draw(st.integers(0, len(nodes) - 1))]
        if op == "+":
            nodes.append(a + b)
        elif op == "*":
            nodes.append(a * b)
        elif op == "tanh":
            nodes.append(ad.tanh(a))
        else:
            nodes.append((a + a) * b)
    return nodes


def reachable(root):
    seen, todo = set(), [root]
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.add(n)
            todo.extend(n.inputs)
    return seen


@settings(max_examples=60, deadline=None)
@given(random_graphs())
def test_topological_order_properties(nodes):
    root = nodes[-1]
    order = ad.topological_order(root)
    assert len(order) == len(set(order))  # each node once
    assert set(order) == reachable(root)  # exactly the nodes root depends on
    assert order[-1] is root
    position = {node: i for i, node in enumerate(order)}
    for node in order:
        assert all(position[t] < position[node] for t in node.inputs)


@settings(max_examples=30, deadline=None)
@given(random_graphs())
def test_forward_recomputes_like_a_fresh_build(nodes):
    root = nodes[-1]
    leaves = [n for n in ad.topological_order(root) if not n.inputs]
    expected = float(root.value)
    for leaf in leaves:
        leaf.value = leaf.value * 0.5
    ad.forward(root)
    for leaf in leaves:
        leaf.value = leaf.value * 2.0
    assert float(ad.forward(root)) == pytest.approx(expected, rel=1e-12)


def test_forward_after_leaf_change_and_recompute():
    x = Tensor(1.0)
    w = Tensor(2.0)
    h = ad.tanh(w * x)
    z = h * h + x
    x.value = np.array(0.5)
    assert float(ad.forward(z)) == pytest.approx(np.tanh(1.0) ** 2 + 0.5)
    z.backward()  # backward uses the recomputed values
    t = np.tanh(1.0)
    assert float(x.grad) == pytest.approx(2 * t * (1 - t**2) * 2.0 + 1.0)
    w.value = np.array(0.0)
    assert float(h.recompute()) == pytest.approx(np.tanh(1.0))  # its input is not recomputed
    h.inputs[0].recompute()
    assert float(h.recompute()) == 0.0


# ----- drawing ----------------------------------------------------------------------------------
def test_import_does_not_load_matplotlib():
    code = "import sys, npfl_helpers.autodiff; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_draw_graph_boxes_do_not_overlap():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x, y, w, b = (Tensor(v, name=n) for v, n in [(2.0, "x"), (-1.5, "y"), (0.5, "w"), (0.1, "b")])
    h = ad.tanh(w * x + b)
    h.name = "h"
    loss = (x * y + h) ** 2 + ad.sigmoid(Tensor(np.arange(6.0).reshape(2, 3))).mean()
    loss.backward()
    order = ad.topological_order(loss)
    fig, ax = ad.draw_graph(loss, highlight=h)
    fig.canvas.draw()
    boxes = [t.get_bbox_patch().get_window_extent() for t in ax.texts if t.get_bbox_patch()]
    assert len(boxes) == len(order)
    for i in range(len(boxes)):
        for j in range(i):
            assert not boxes[i].overlaps(boxes[j])
    labels = [t.get_text() for t in ax.texts]
    assert any(lab.startswith("h = tanh") and "grad" in lab for lab in labels)
    assert any("(2, 3)" in lab for lab in labels)  # arrays show their shape
    highlighted = [t for t in ax.texts if t.get_bbox_patch() and t.get_bbox_patch().get_lw() > 2]
    assert [t.get_text().split("\n")[0] for t in highlighted] == ["h = tanh"]
    plt.close(fig)

    fig, ax = plt.subplots()
    fig2, ax2 = ad.draw_graph(loss, ax=ax, show_grad=False, highlight=0)
    assert ax2 is ax and fig2 is fig
    assert not any("grad" in t.get_text() for t in ax.texts)
    plt.close(fig)


# ----- optional cross-check against PyTorch -----------------------------------------------------
@pytest.mark.torch
def test_against_torch_autograd():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(12)
    X = rng.normal(size=(8, 3))
    y = rng.integers(0, 3, size=8)
    params = [rng.normal(size=(3, 5)), rng.normal(size=(1, 5)), rng.normal(size=(5, 3))]

    def build(lib, W1, b1, W2, Xc):
        if lib is ad:
            h = ad.tanh(Xc @ W1 + b1) * ad.sigmoid(Xc @ W1) + ad.relu(Xc @ W1) ** 2
            return ad.softmax_cross_entropy(h @ W2, y) + ad.log(ad.exp(W2).sum()) / 2
        h = torch.tanh(Xc @ W1 + b1) * torch.sigmoid(Xc @ W1) + torch.relu(Xc @ W1) ** 2
        ce = torch.nn.functional.cross_entropy(h @ W2, torch.from_numpy(y))
        return ce + torch.log(torch.exp(W2).sum()) / 2

    ours = [Tensor(p) for p in params]
    loss = build(ad, *ours, Tensor(X))
    loss.backward()
    theirs = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in params]
    ref = build(torch, *theirs, torch.from_numpy(X))
    ref.backward()
    assert float(loss.value) == pytest.approx(ref.item(), rel=1e-12)
    for a, t in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a.grad, t.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.filterwarnings("error")
def test_power_gradient_at_zero():
    """d/dx x⁰ = 0 everywhere; d/dx √x = +∞ at 0 (as in PyTorch), without a warning."""
    x = Tensor(0.0)
    (x**0).backward()
    assert float(x.grad) == 0.0
    (x**0.5).backward()
    assert float(x.grad) == np.inf
