"""Tests for npfl_helpers.widgets.training: the computations (against formulas written out and
brute-force enumeration) and the three explorers, every control driven across its range."""

import itertools
import re
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from npfl_helpers import autodiff, mlp  # noqa: E402
from npfl_helpers.widgets import training as T  # noqa: E402


@pytest.fixture(autouse=True)
def no_warnings_and_close():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield
    plt.close("all")


@pytest.fixture(scope="module")
def noise_explorer():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return T.minibatch_noise_explorer()


# ----------------------------------------------------------------------------------------------
# per-example gradients and minibatches


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_per_example_gradients_are_single_example_backprop(activation):
    rng = np.random.default_rng(1)
    model = mlp.MLP((5, 4, 3, 3), activation=activation, seed=2)
    X, y = rng.standard_normal((7, 5)), rng.integers(0, 3, 7)
    G = T.per_example_gradients(model, model.theta, X, y)
    assert G.shape == (7, model.n_params)
    for i in range(7):  # the MLP's own backprop on a batch of one example
        _, g_i = model.loss_and_grad(model.theta, X[i:i + 1], y[i:i + 1])
        np.testing.assert_allclose(G[i], g_i, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(G.mean(axis=0), model.loss_and_grad(model.theta, X, y)[1],
                               rtol=1e-10, atol=1e-12)


def test_per_example_gradient_by_central_differences():
    rng = np.random.default_rng(3)
    model = mlp.MLP((3, 4, 2), activation="tanh", seed=0)
    X, y = rng.standard_normal((2, 3)), np.array([1, 0])
    G = T.per_example_gradients(model, model.theta, X, y)
    h = 1e-6
    E = np.eye(model.n_params)
    plus = model.theta + h * E
    minus = model.theta - h * E
    for i in range(2):
        # -log softmax(z)_y written out, for every perturbed θ at once
        def nll(th, i=i):
            z = model.forward(X[i:i + 1], th)[..., 0, :]
            return np.log(np.exp(z).sum(axis=-1)) - z[..., y[i]]
        numeric = (nll(plus) - nll(minus)) / (2 * h)
        np.testing.assert_allclose(G[i], numeric, rtol=1e-6, atol=1e-8)


def test_minibatch_weights_without_replacement():
    w = T.minibatch_weights(10, 4, 300, rng=0)
    assert w.shape == (300, 10)
    assert np.all(np.count_nonzero(w, axis=1) == 4)
    assert set(np.unique(w)) == {0.0, 0.25}
    # every example is equally likely: inclusion frequency m/N = 0.4
    assert np.allclose((w > 0).mean(axis=0), 0.4, atol=0.1)
    np.testing.assert_array_equal(T.minibatch_weights(10, 10, 3, rng=1), np.full((3, 10), 0.1))


def test_minibatch_weights_with_replacement():
    w = T.minibatch_weights(3, 5, 400, rng=0, replace=True)
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    counts = w * 5
    np.testing.assert_allclose(counts, np.round(counts))  # whole draws
    assert np.any(counts > 1)  # with 5 draws from 3 examples, repeats must occur
    assert np.allclose(counts.mean(axis=0), 5 / 3, atol=0.15)
    assert T.minibatch_weights(2, 7, 1, rng=0, replace=True).shape == (1, 2)  # m > N is fine


def test_minibatch_weights_validates():
    with pytest.raises(ValueError, match="m"):
        T.minibatch_weights(5, 6, 2)  # without replacement m ≤ N
    with pytest.raises(ValueError, match="n_batches"):
        T.minibatch_weights(5, 2, 0)


@pytest.mark.parametrize("m", [1, 2, 3, 5])
def test_minibatch_variance_matches_enumeration(m):
    """All minibatches enumerated: the exact expectation of ‖ĝ − g‖²."""
    rng = np.random.default_rng(0)
    N = 5
    g_i = rng.standard_normal((N, 3))
    g = g_i.mean(axis=0)
    sigma2 = np.mean(np.sum((g_i - g) ** 2, axis=1))
    without = [np.sum((g_i[list(b)].mean(axis=0) - g) ** 2)
               for b in itertools.combinations(range(N), m)]
    with_ = [np.sum((g_i[list(b)].mean(axis=0) - g) ** 2)
             for b in itertools.product(range(N), repeat=m)]
    assert T.minibatch_variance(sigma2, N, m) == pytest.approx(np.mean(without), rel=1e-12)
    assert T.minibatch_variance(sigma2, N, m, replace=True) == pytest.approx(np.mean(with_),
                                                                             rel=1e-12)


def test_minibatch_variance_edge_cases():
    np.testing.assert_allclose(T.minibatch_variance(3.0, 10, np.array([1, 10])), [3.0, 0.0])
    assert T.minibatch_variance(3.0, 1, 1) == 0.0
    assert isinstance(T.minibatch_variance(3.0, 10, 2), float)


def test_gradient_noise_measures_the_formula():
    rng = np.random.default_rng(5)
    G = rng.standard_normal((64, 6)) * np.array([3.0, 1, 1, 0.5, 0.2, 0.1]) + 0.3
    sizes = [1, 4, 16, 64]
    noise = T.gradient_noise(G, sizes, n_batches=400, seed=0)
    g = G.mean(axis=0)
    assert noise.sigma2 == pytest.approx(np.mean(np.sum((G - g) ** 2, axis=1)))
    for s, replace in zip(T.SAMPLINGS, (False, True), strict=True):
        theory = T.minibatch_variance(noise.sigma2, 64, np.array(sizes), replace=replace)
        measured = noise.variance[s]
        ok = theory > 0
        np.testing.assert_allclose(measured[ok], theory[ok], rtol=0.2)
        assert noise.cloud[s].shape == (4, 400, 2)
        # unbiased: the average of the minibatch gradients is close to g
        assert np.all(noise.mean_error[s] <= 4 * np.sqrt(theory / 400) + 1e-12)
    assert noise.variance["without replacement"][-1] == 0.0  # m = N: the full gradient
    np.testing.assert_allclose(noise.cloud["without replacement"][-1],
                               np.broadcast_to(noise.u @ g, (400, 2)), atol=1e-12)
    # orthonormal directions, the first along g
    np.testing.assert_allclose(noise.u @ noise.u.T, np.eye(2), atol=1e-12)
    np.testing.assert_allclose(noise.u[0], g / np.linalg.norm(g))
    # u2 is the direction of largest variance orthogonal to g: no other direction beats it
    A = (G - g) - np.outer((G - g) @ noise.u[0], noise.u[0])
    top = np.linalg.eigh(A.T @ A)[1][:, -1]
    assert abs(top @ noise.u[1]) == pytest.approx(1.0, abs=1e-6)
    assert noise.descent["without replacement"][-1] == 1.0


# ----------------------------------------------------------------------------------------------
# explorers


def test_minibatch_noise_explorer_every_control(noise_explorer):
    ex = noise_explorer
    assert set(ex.controls) == {"m", "sampling"}
    sizes = [v for _, v in ex.controls["m"].options]
    assert sizes[0] == 1 and sizes[-1] == ex.noise.N == 1078
    assert np.all(np.diff(sizes) > 0)
    spreads = {}
    for sampling in T.SAMPLINGS:
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
    for s, replace in zip(T.SAMPLINGS, (False, True), strict=True):
        theory = T.minibatch_variance(noise.sigma2, noise.N, sizes, replace=replace)
        ok = theory > 0
        np.testing.assert_allclose(noise.variance[s][ok], theory[ok], rtol=0.25)
    # log-log slope −1 with replacement
    slope = np.polyfit(np.log(sizes), np.log(noise.variance["with replacement"]), 1)[0]
    assert slope == pytest.approx(-1.0, abs=0.1)


def test_minibatch_noise_explorer_small_and_held():
    ex = T.minibatch_noise_explorer(hidden=4, epochs=0, n_batches=10, seed=3)
    with ex.hold():
        ex.controls["m"].value = 4
        ex.controls["sampling"].value = T.SAMPLINGS[1]
    assert ex.cloud.points.get_offsets().shape == (10, 2)
    assert ex.widget is not None  # the layout builds without a kernel
    ex.draw()


def _lecture_values(x, w, b, t, lam):
    """L = (tanh(w x + b) − t)² + λ w², written out."""
    return (np.tanh(w * x + b) - t) ** 2 + lam * w**2


def test_lecture_graph_value():
    L = T.lecture_graph()
    assert float(L.value) == pytest.approx(_lecture_values(0.5, 1.5, -0.25, 0.8, 0.1))


def test_backprop_steps_texts_state_the_right_numbers():
    L = T.lecture_graph()
    steps = T.backprop_steps(L)
    order = autodiff.topological_order(L)
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


def test_backprop_steps_other_ops():
    x = autodiff.Tensor(0.7, "x")
    y = autodiff.Tensor(-1.3, "y")
    z = autodiff.sigmoid(x) / y + autodiff.exp(-x) * autodiff.relu(y) + autodiff.log(x) ** 3
    z.name = "z"
    steps = T.backprop_steps(z)
    for s in steps[1:]:
        assert s.text.count("\n") == 1
    grads = {s.node.name: s.text for s in steps if s.phase == "backward" and s.node.name}
    assert "g_x" in grads["x"] and "g_y" in grads["y"]
    assert float(x.grad) == pytest.approx(
        0.5 / np.cosh(0.35) ** 2 / 2 / -1.3 + 3 * np.log(0.7) ** 2 / 0.7, rel=1e-9)


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
