"""Tests for npfl_helpers.estimators: the sample mean and variance against their formulas written
out, the Monte-Carlo experiment against the closed forms, and the minibatch gradient as an
estimator of the full gradient (against brute-force enumeration and central differences)."""

import itertools
import math

import numpy as np
import pytest

from npfl_helpers import estimators as est
from npfl_helpers import mlp

pytestmark = pytest.mark.filterwarnings("error")  # any warning fails, not only RuntimeWarning


# ----------------------------------------------------------------------------------------------
# sample mean and variance


def _mean(xs):
    return sum(xs) / len(xs)


def _variance(xs, ddof):
    """(1 / (n − ddof)) Σ (x_i − x̄)², one term at a time."""
    m = _mean(xs)
    return sum((x - m) ** 2 for x in xs) / (len(xs) - ddof)


def test_sample_mean_is_the_average():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4, 5))
    last = est.sample_mean(x)
    first = est.sample_mean(x, axis=0)
    assert last.shape == (3, 4) and first.shape == (4, 5)
    for i, j in itertools.product(range(3), range(4)):
        assert last[i, j] == pytest.approx(_mean(list(x[i, j])), rel=1e-13)
    for j, k in itertools.product(range(4), range(5)):
        assert first[j, k] == pytest.approx(_mean(list(x[:, j, k])), rel=1e-13)
    assert est.sample_mean([1.0, 2.0, 6.0]) == 3.0
    assert isinstance(est.sample_mean([1.0, 2.0]), float)


@pytest.mark.parametrize("ddof", [0, 1])
def test_sample_variance_written_out(ddof):
    rng = np.random.default_rng(1)
    x = 3.0 + 2.0 * rng.standard_normal((6, 7))
    v = est.sample_variance(x, ddof=ddof)
    assert v.shape == (6,)
    for i in range(6):
        assert v[i] == pytest.approx(_variance(list(x[i]), ddof), rel=1e-12)
    v0 = est.sample_variance(x, ddof=ddof, axis=0)
    for j in range(7):
        assert v0[j] == pytest.approx(_variance(list(x[:, j]), ddof), rel=1e-12)
    assert est.sample_variance([1.0, 2.0, 3.0, 4.0], ddof=ddof) == pytest.approx(5.0 / (4 - ddof))


def test_sample_variance_ddof_ratio_and_validation():
    x = np.array([0.5, -1.0, 2.0, 4.0, 0.0])
    n = len(x)
    assert est.sample_variance(x, ddof=0) == pytest.approx((n - 1) / n * est.sample_variance(x, 1))
    assert est.sample_variance([7.0], ddof=0) == 0.0
    with pytest.raises(ValueError, match=r"ddof must be an integer in \[0, 1\]; got 2"):
        est.sample_variance(x, ddof=2)
    with pytest.raises(ValueError, match="ddof"):
        est.sample_variance(x, ddof=True)
    with pytest.raises(ValueError, match="must be > ddof = 1; got 1"):
        est.sample_variance([7.0], ddof=1)


# ----------------------------------------------------------------------------------------------
# Monte-Carlo bias, variance and MSE of σ̂² (Gaussian data)

TRIALS = 200_000
# Worst case n = 2: the relative standard error of a Monte-Carlo variance or MSE is below 0.85 %
# (χ²₁ moments), so 4 % is more than 4.5 standard errors.
REL = 0.04


@pytest.mark.parametrize("n, sigma2", [(2, 1.0), (5, 2.0), (20, 0.5)])
def test_variance_estimator_experiment_matches_the_closed_forms(n, sigma2):
    res = est.variance_estimator_experiment(n, sigma2, trials=TRIALS, seed=n)
    assert set(res) == {0, 1}
    s4 = sigma2**2
    var1 = 2 * s4 / (n - 1)  # (n − 1)σ̂²₁/σ² ~ χ²_{n−1}, Var χ²_k = 2k
    var0 = ((n - 1) / n) ** 2 * var1  # σ̂²₀ = (n − 1)/n · σ̂²₁
    # E[σ̂²₀] = (1 − 1/n)σ²: biased by −σ²/n; E[σ̂²₁] = σ²: unbiased (5 standard errors)
    assert res[0].mean == pytest.approx((1 - 1 / n) * sigma2, abs=5 * math.sqrt(var0 / TRIALS))
    assert res[0].bias == pytest.approx(-sigma2 / n, abs=5 * math.sqrt(var0 / TRIALS))
    assert res[1].mean == pytest.approx(sigma2, abs=5 * math.sqrt(var1 / TRIALS))
    assert abs(res[1].bias) < 5 * math.sqrt(var1 / TRIALS)
    assert res[0].variance == pytest.approx(2 * (n - 1) * s4 / n**2, rel=REL)
    assert res[1].variance == pytest.approx(var1, rel=REL)
    mse0, mse1 = (2 * n - 1) * s4 / n**2, 2 * s4 / (n - 1)
    assert res[0].mse == pytest.approx(mse0, rel=REL)
    assert res[1].mse == pytest.approx(mse1, rel=REL)
    assert mse0 < mse1
    assert res[0].mse < res[1].mse  # the biased MLE has the smaller MSE
    for r in res.values():  # MSE = bias² + variance
        assert r.mse == pytest.approx(r.bias**2 + r.variance, rel=1e-9)


def test_variance_estimator_experiment_is_seeded_and_validates():
    a = est.variance_estimator_experiment(4, 1.0, trials=1000, seed=7)
    assert a == est.variance_estimator_experiment(4, 1.0, trials=1000, seed=7)
    assert a != est.variance_estimator_experiment(4, 1.0, trials=1000, seed=8)
    with pytest.raises(ValueError, match=r"n must be an integer in \[2, inf\); got 1"):
        est.variance_estimator_experiment(1)
    with pytest.raises(ValueError, match=r"sigma2 must be in \(0, inf\); got 0"):
        est.variance_estimator_experiment(5, sigma2=0.0)
    with pytest.raises(ValueError, match="trials"):
        est.variance_estimator_experiment(5, trials=1)


# ----------------------------------------------------------------------------------------------
# per-example gradients and minibatches


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_per_example_gradients_are_single_example_backprop(activation):
    rng = np.random.default_rng(1)
    model = mlp.MLP((5, 4, 3, 3), activation=activation, seed=2)
    X, y = rng.standard_normal((7, 5)), rng.integers(0, 3, 7)
    G = est.per_example_gradients(model, model.theta, X, y)
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
    G = est.per_example_gradients(model, model.theta, X, y)
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
    w = est.minibatch_weights(10, 4, 300, rng=0)
    assert w.shape == (300, 10)
    assert np.all(np.count_nonzero(w, axis=1) == 4)
    assert set(np.unique(w)) == {0.0, 0.25}
    # every example is equally likely: inclusion frequency m/N = 0.4
    assert np.allclose((w > 0).mean(axis=0), 0.4, atol=0.1)
    np.testing.assert_array_equal(est.minibatch_weights(10, 10, 3, rng=1), np.full((3, 10), 0.1))


def test_minibatch_weights_with_replacement():
    w = est.minibatch_weights(3, 5, 400, rng=0, replace=True)
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    counts = w * 5
    np.testing.assert_allclose(counts, np.round(counts))  # whole draws
    assert np.any(counts > 1)  # with 5 draws from 3 examples, repeats must occur
    assert np.allclose(counts.mean(axis=0), 5 / 3, atol=0.15)
    assert est.minibatch_weights(2, 7, 1, rng=0, replace=True).shape == (1, 2)  # m > N is fine


def test_minibatch_weights_validates():
    with pytest.raises(ValueError, match="m"):
        est.minibatch_weights(5, 6, 2)  # without replacement m ≤ N
    with pytest.raises(ValueError, match="n_batches"):
        est.minibatch_weights(5, 2, 0)


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
    assert est.minibatch_variance(sigma2, N, m) == pytest.approx(np.mean(without), rel=1e-12)
    assert est.minibatch_variance(sigma2, N, m, replace=True) == pytest.approx(np.mean(with_),
                                                                             rel=1e-12)


def test_minibatch_variance_edge_cases():
    np.testing.assert_allclose(est.minibatch_variance(3.0, 10, np.array([1, 10])), [3.0, 0.0])
    assert est.minibatch_variance(3.0, 1, 1) == 0.0
    assert isinstance(est.minibatch_variance(3.0, 10, 2), float)


def test_gradient_noise_measures_the_formula():
    rng = np.random.default_rng(5)
    G = rng.standard_normal((64, 6)) * np.array([3.0, 1, 1, 0.5, 0.2, 0.1]) + 0.3
    sizes = [1, 4, 16, 64]
    noise = est.gradient_noise(G, sizes, n_batches=400, seed=0)
    g = G.mean(axis=0)
    assert noise.sigma2 == pytest.approx(np.mean(np.sum((G - g) ** 2, axis=1)))
    for s, replace in zip(est.SAMPLINGS, (False, True), strict=True):
        theory = est.minibatch_variance(noise.sigma2, 64, np.array(sizes), replace=replace)
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


@pytest.mark.parametrize(("args", "replace", "match"), [
    ((1.0, 10, 0), False, r"m must be in \[1, 10\]; got 0"),
    ((1.0, 10, 0), True, r"m must be in \[1, inf\); got 0"),
    ((1.0, 10, 20), False, r"m must be in \[1, 10\]; got 20"),
    ((1.0, 10, np.array([1, 11])), False, r"m must be in \[1, 10\]"),
    ((-1.0, 10, 2), False, r"sigma2 must be in \[0, inf\); got -1.0"),
    ((1.0, 0, 1), True, r"N must be an integer in \[1, inf\); got 0"),
])
def test_minibatch_variance_validates(args, replace, match):
    """m = 0 would divide by zero and m > N give a negative variance: both are rejected."""
    with pytest.raises(ValueError, match=match):
        est.minibatch_variance(*args, replace=replace)
    assert est.minibatch_variance(1.0, 10, 20, replace=True) == 0.05  # m > N: fine with replacement


def test_sample_mean_of_an_empty_sample_raises():
    with pytest.raises(ValueError, match="sample size"):
        est.sample_mean(np.array([]))


def test_per_example_gradients_reject_labels_out_of_range():
    """A label −1 would silently pick the last class."""
    model = mlp.MLP((3, 2), seed=0)
    with pytest.raises(ValueError, match=r"y must hold class indices in \[0, 1\]"):
        est.per_example_gradients(model, model.theta, np.eye(3), np.array([0, -1, 1]))
