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


def test_per_example_gradients_refuse_skip_connections():
    """Its forward pass has no skips: a residual MLP would get another network's gradients."""
    model = mlp.MLP((3, 4, 4, 2), seed=0, residual=True)
    with pytest.raises(ValueError, match="residual=False"):
        est.per_example_gradients(model, model.theta, np.eye(3), np.array([0, 1, 1]))
    plain = mlp.MLP((3, 4, 2), seed=0, residual=True)  # no equal-width hidden layers: no skips
    assert est.per_example_gradients(plain, plain.theta, np.eye(3), np.array([0, 1, 1])).shape \
        == (3, plain.n_params)


# ----------------------------------------------------------------------------------------------
# any divisor: σ̂²_d = S/d, measured and in closed form


def test_estimator_stats_written_out():
    rng = np.random.default_rng(11)
    est_ = rng.normal(2.0, 0.5, size=(3, 50))
    stats = est.estimator_stats(est_, 1.5)
    for b in range(3):
        xs = list(est_[b])
        mean = sum(xs) / len(xs)
        var = sum((x - mean) ** 2 for x in xs) / len(xs)
        mse = sum((x - 1.5) ** 2 for x in xs) / len(xs)
        assert stats.mean[b] == pytest.approx(mean, rel=1e-12)
        assert stats.bias[b] == pytest.approx(mean - 1.5, rel=1e-12)
        assert stats.variance[b] == pytest.approx(var, rel=1e-12)
        assert stats.mse[b] == pytest.approx(mse, rel=1e-12)
        assert stats.mse[b] == pytest.approx(stats.bias[b] ** 2 + stats.variance[b], rel=1e-12)
    along0 = est.estimator_stats(est_.T, np.array([1.5, 1.5, 1.5]), axis=0)
    np.testing.assert_allclose(along0.mse, stats.mse, rtol=1e-12)
    assert est.estimator_stats([1.0, 3.0], 1.0) == est.EstimatorStats(2.0, 1.0, 1.0, 2.0)
    with pytest.raises(ValueError, match="estimates must hold at least one trial"):
        est.estimator_stats(np.zeros((2, 0)), 0.0)


def test_standard_error_written_out():
    rng = np.random.default_rng(13)
    v = rng.exponential(size=(3, 40))
    se = est.standard_error(v)
    for b in range(3):
        xs = list(v[b])
        mean = sum(xs) / 40
        s = math.sqrt(sum((x - mean) ** 2 for x in xs) / 39)
        assert se[b] == pytest.approx(s / math.sqrt(40), rel=1e-12)
    np.testing.assert_allclose(est.standard_error(v.T, axis=0), se, rtol=1e-12)
    # its meaning: the spread of many independent means of T values is σ/√T
    means = rng.normal(0.0, 2.0, size=(20_000, 25)).mean(axis=1)
    assert means.std() == pytest.approx(2.0 / 5.0, rel=0.03)
    with pytest.raises(ValueError, match="values must hold at least 2 trials"):
        est.standard_error([1.0])


def test_variance_estimates_written_out_and_vectorised_equals_looped():
    rng = np.random.default_rng(12)
    x = rng.normal(1.0, 2.0, size=(4, 6, 7))
    v = est.variance_estimates(x)  # default divisors n − 1, n, n + 1 with n = 7
    assert v.shape == (3, 4, 6)
    for k, d in enumerate((6, 7, 8)):
        for i, j in itertools.product(range(4), range(6)):
            xs = list(x[i, j])
            m = sum(xs) / 7
            assert v[k, i, j] == pytest.approx(sum((a - m) ** 2 for a in xs) / d, rel=1e-12)
    np.testing.assert_allclose(est.variance_estimates(x, [7])[0],
                               est.sample_variance(x, ddof=0), rtol=1e-13)
    np.testing.assert_allclose(est.variance_estimates(x, [6])[0],
                               est.sample_variance(x, ddof=1), rtol=1e-13)


def _chi2_pdf(v, k):
    """The χ²_k density written out: v^(k/2 − 1) e^(−v/2) / (2^(k/2) Γ(k/2))."""
    return v ** (k / 2 - 1) * math.exp(-v / 2) / (2 ** (k / 2) * math.gamma(k / 2))


@pytest.mark.parametrize(("n", "d", "sigma2"), [(3, 2, 1.0), (4, 4, 1.0), (5, 6, 2.5),
                                                (30, 29, 0.3)])
def test_variance_estimate_peak_density_is_the_maximum_of_the_density(n, d, sigma2):
    # S/d = (σ²/d)·χ²_{n−1}: its density at v is (d/σ²)·pdf(d v/σ²); maximum over a fine grid
    grid = np.linspace(1e-9, 4.0 * sigma2, 40_001)
    dens = [d / sigma2 * _chi2_pdf(d * v / sigma2, n - 1) for v in grid]
    peak = est.variance_estimate_peak_density(n, d, sigma2)
    assert max(dens) == pytest.approx(peak, rel=1e-6)
    # and it is what a histogram of many estimates S/d reaches
    x = np.random.default_rng(3).normal(0.0, math.sqrt(sigma2), size=(400_000, n))
    counts, edges = np.histogram(est.variance_estimates(x, [d])[0], bins=200,
                                 range=(0.0, 4.0 * sigma2), density=True)
    assert counts.max() == pytest.approx(peak, rel=0.05)


def test_variance_estimate_peak_density_at_n_2_is_unbounded_and_validates():
    assert est.variance_estimate_peak_density(2, 1.0) == math.inf  # χ²_1 density → ∞ at 0
    assert est.variance_estimate_peak_density(3, 1.0) == 0.5  # χ²_2 density e^{−v/2}/2 at 0
    with pytest.raises(ValueError, match=r"n must be an integer in \[2, inf\); got 1"):
        est.variance_estimate_peak_density(1, 1.0)


@pytest.mark.parametrize("n", [20_001, 20_003, 10**5, 10**9, 10**15, 10**300],
                         ids=lambda n: f"n={n:.0e}")
def test_variance_estimate_peak_density_for_large_n_is_the_gaussian_limit(n):
    # both branches agree where they meet, and S/k tends to N(1, 2/k): its peak is
    # sqrt(k/(4π)) · (1 + O(1/k))
    k = n - 1
    peak = est.variance_estimate_peak_density(n, float(k))
    assert peak == pytest.approx(math.sqrt(k / (4 * math.pi)), rel=5 / k + 1e-12)
    direct = math.exp((k / 2 - 1) * math.log(k - 2) - (k - 2) / 2 - (k / 2) * math.log(2)
                      - math.lgamma(k / 2)) * k if n < 10**6 else None
    if direct is not None:
        assert peak == pytest.approx(direct, rel=1e-9)
    with pytest.raises(ValueError, match=r"divisor must be in \(0, inf\); got 0"):
        est.variance_estimate_peak_density(5, 0)
    with pytest.raises(ValueError, match=r"sigma2 must be in \(0, inf\)"):
        est.variance_estimate_peak_density(5, 4, -1.0)


@pytest.mark.parametrize("n", [2, 3, 5, 10, 50])
@pytest.mark.parametrize("sigma2", [0.5, 3.0])
def test_variance_histogram_range_holds_the_histograms(n, sigma2):
    divisors = [n - 1, n] if n > 2 else [1, 2]
    v_max, top = est.variance_histogram_range(n, sigma2, divisors)
    x = np.random.default_rng(n).normal(0.0, math.sqrt(sigma2), size=(50_000, n))
    e = est.variance_estimates(x, divisors)
    # most of every histogram lies inside [0, v_max] (the spread of S/(n − 1) is σ²√(2/(n−1)))
    assert np.mean(e <= v_max) > 0.95
    # the height: above every histogram's peak (except at n = 2, whose density is unbounded),
    # and not more than twice the highest (it is rounded up to 1, 1.5, 2, 3, 4, 5 or 7)
    width = v_max / 60
    peaks = [np.histogram(row, np.linspace(0.0, v_max, 61))[0].max() / (row.size * width)
             for row in e]
    if n > 2:
        assert max(peaks) < top < 2.0 * max(peaks)
    # the range scales with σ² and moves with n only on a coarse ladder
    v1, top1 = est.variance_histogram_range(n, 1.0, divisors)
    assert v_max == pytest.approx(sigma2 * v1) and top == pytest.approx(top1 / sigma2)
    assert v1 in (1.0, 1.5, 2.0, 2.5, 3.0, 4.0)
    assert round(top1 / 10 ** math.floor(math.log10(top1)), 9) in (1, 1.5, 2, 3, 4, 5, 7)


def test_variance_histogram_range_defaults_and_validation():
    assert est.variance_histogram_range(5) == est.variance_histogram_range(5, 1.0, [4, 5, 6])
    assert est.variance_histogram_range(5, 2.0, [4, 5]) == (8.0, 0.75)
    with pytest.raises(ValueError, match="n must be an integer"):
        est.variance_histogram_range(1)
    with pytest.raises(ValueError, match=r"divisors must be in \(0, inf\)"):
        est.variance_histogram_range(5, 1.0, [4, 0])
    with pytest.raises(ValueError, match="divisors must not be empty"):
        est.variance_histogram_range(5, 1.0, [])
    with pytest.raises(TypeError, match="divisors must be"):
        est.variance_histogram_range(5, 1.0, "abc")


@pytest.mark.parametrize(("call", "match"), [
    (lambda: est.variance_estimates([1.0]), r"x must have a last axis of size n >= 2"),
    (lambda: est.variance_estimates([1.0, 2.0], [0]),
     r"divisors must be an integer in \[1, inf\); got 0"),
    (lambda: est.variance_estimates([1.0, 2.0], [1.5]), "divisors"),
    (lambda: est.variance_estimates([1.0, 2.0], []), "divisors must hold at least one"),
    (lambda: est.variance_divisor_theory(1, 1.0, 1), r"n must be in \[2, inf\); got 1"),
    (lambda: est.variance_divisor_theory(2.5, 1.0, 1), "n must be an integer"),
    (lambda: est.variance_divisor_theory(5, 0.0, 4), r"sigma2 must be in \(0, inf\); got 0.0"),
    (lambda: est.variance_divisor_theory(5, 1.0, 0), r"divisor must be in \(0, inf\); got 0"),
    (lambda: est.variance_divisor_experiment(1), r"n must be an integer in \[2, inf\); got 1"),
    (lambda: est.variance_divisor_experiment(5, -1.0), "sigma2 must be in"),
    (lambda: est.variance_divisor_experiment(5, 1.0, trials=1), "trials must be an integer"),
    (lambda: est.variance_divisor_experiment(5, divisors=[4, -1]), "divisors must be"),
])
def test_variance_divisor_functions_validate(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("n", [2, 5, 30])
def test_variance_divisor_theory_written_out(n):
    """From the χ²_{n−1} moments of S/σ²: E S = (n − 1)σ², Var S = 2(n − 1)σ⁴."""
    sigma2 = 1.7
    ES, VarS = (n - 1) * sigma2, 2 * (n - 1) * sigma2**2
    for d in (n - 1, n, n + 1, 2 * n):
        th = est.variance_divisor_theory(n, sigma2, d)
        assert th.mean == pytest.approx(ES / d, rel=1e-12)
        assert th.bias == pytest.approx(ES / d - sigma2, rel=1e-12, abs=1e-15)
        assert th.variance == pytest.approx(VarS / d**2, rel=1e-12)
        assert th.mse == pytest.approx((ES / d - sigma2) ** 2 + VarS / d**2, rel=1e-12)
    # the module docstring's forms: MSE_1 = 2σ⁴/(n − 1), MSE_0 = (2n − 1)σ⁴/n², bias_0 = −σ²/n
    assert est.variance_divisor_theory(n, sigma2, n).bias == pytest.approx(-sigma2 / n)
    assert est.variance_divisor_theory(n, sigma2, n).mse == pytest.approx((2 * n - 1) * sigma2**2
                                                                          / n**2)
    assert est.variance_divisor_theory(n, sigma2).mse == est.variance_divisor_theory(n, sigma2,
                                                                                     n).mse
    # n + 1 minimises the MSE over all real divisors
    d = np.linspace(max(n - 1, 0.5), 3 * n + 3, 20001)
    mse = est.variance_divisor_theory(n, sigma2, d).mse
    assert d[np.argmin(mse)] == pytest.approx(n + 1, abs=(d[1] - d[0]))


def test_variance_divisor_theory_broadcasts():
    n = np.array([[2], [10]])
    th = est.variance_divisor_theory(n, 1.0, n + np.array([-1, 0, 1]))
    assert th.mse.shape == (2, 3)
    assert np.all(np.argmin(th.mse, axis=1) == 2)  # n + 1 best for every n
    assert np.all(th.mse[:, 0] > th.mse[:, 1])  # the unbiased n − 1 is worst of the three


@pytest.mark.parametrize(("n", "sigma2", "seed"), [(2, 1.0, 0), (5, 2.0, 1), (20, 0.5, 2)])
def test_variance_divisor_experiment_matches_closed_forms(n, sigma2, seed):
    trials = 100_000
    res = est.variance_divisor_experiment(n, sigma2, trials=trials, seed=seed)
    assert list(res) == [n - 1, n, n + 1]
    # the same draw, to state the sampling error of each measured quantity: 5 standard errors
    x = np.random.default_rng(seed).normal(0.0, np.sqrt(sigma2), size=(trials, n))
    for d, r in res.items():
        e = est.variance_estimates(x, [d])[0]
        th = est.variance_divisor_theory(n, sigma2, d)
        se_mean = e.std() / math.sqrt(trials)
        se_mse = ((e - sigma2) ** 2).std() / math.sqrt(trials)
        se_var = ((e - e.mean()) ** 2).std() / math.sqrt(trials)
        assert abs(r.mean - th.mean) < 5 * se_mean
        assert abs(r.bias - th.bias) < 5 * se_mean
        assert abs(r.variance - th.variance) < 5 * se_var
        assert abs(r.mse - th.mse) < 5 * se_mse
        assert r.mse == pytest.approx(r.bias**2 + r.variance, rel=1e-9)
    assert res[n + 1].mse < res[n].mse < res[n - 1].mse  # unbiased is not best


def test_variance_divisor_experiment_vectorised_equals_looped():
    n, sigma2, trials, seed = 4, 1.3, 300, 5
    res = est.variance_divisor_experiment(n, sigma2, trials=trials, divisors=[3, 4, 5, 9],
                                          seed=seed)
    x = np.random.default_rng(seed).normal(0.0, np.sqrt(sigma2), size=(trials, n))
    for d in (3, 4, 5, 9):
        looped = [_variance(list(row), ddof=n - d) for row in x]  # S/(n − ddof) = S/d
        mean = sum(looped) / trials
        assert res[d].mean == pytest.approx(mean, rel=1e-12)
        assert res[d].variance == pytest.approx(sum((v - mean) ** 2 for v in looped) / trials,
                                                rel=1e-10)
        assert res[d].mse == pytest.approx(sum((v - sigma2) ** 2 for v in looped) / trials,
                                           rel=1e-10)
    # the ddof experiment draws the same samples: d = n is ddof 0, d = n − 1 is ddof 1
    old = est.variance_estimator_experiment(n, sigma2, trials=trials, seed=seed)
    for ddof in (0, 1):
        for a, b in zip(old[ddof], res[n - ddof], strict=True):
            assert a == pytest.approx(b, rel=1e-12)


# ----------------------------------------------------------------------------------------------
# maximum likelihood: categorical MLE, consistency, efficiency


def test_empirical_distribution_written_out():
    x = np.array([3, 0, 3, 1, 3, 0])
    expected = [sum(1 for v in x if v == k) / len(x) for k in range(5)]
    np.testing.assert_allclose(est.empirical_distribution(x, 5), expected)
    with pytest.raises(ValueError, match=r"x must hold class indices in \[0, 2\]"):
        est.empirical_distribution([0, 3], 3)
    with pytest.raises(ValueError, match="x must be an integer array of class indices"):
        est.empirical_distribution([0.5, 1.0], 3)
    with pytest.raises(ValueError, match="x must hold at least one class index"):
        est.empirical_distribution(np.array([], dtype=int), 3)
    with pytest.raises(TypeError, match="x must be an integer array"):
        est.empirical_distribution(None, 3)
    with pytest.raises(ValueError, match=r"K must be an integer in \[1, inf\)"):
        est.empirical_distribution([0], 0)


def test_empirical_distribution_maximises_the_likelihood():
    """Among many random categorical models, none has a higher likelihood than p̂."""
    rng = np.random.default_rng(3)
    x = rng.integers(0, 4, size=40)
    p_hat = est.empirical_distribution(x, 4)
    q = rng.dirichlet(np.ones(4), size=5000)
    loglik = np.log(q[:, x]).sum(axis=1)  # Σ_i log q(x_i), written out
    assert np.log(p_hat[x]).sum() >= loglik.max()


@pytest.mark.parametrize("family, theta", [("bernoulli", 0.3), ("gaussian", -1.0)])
def test_running_mle_vectorised_equals_looped(family, theta):
    runs, m_max, seed = 7, 25, 4
    got = est.running_mle(family, theta, m_max, runs, sigma=2.0, seed=seed)
    rng = np.random.default_rng(seed)
    x = ((rng.random((runs, m_max)) < theta).astype(float) if family == "bernoulli"
         else rng.normal(theta, 2.0, size=(runs, m_max)))
    for r in range(runs):
        for m in range(1, m_max + 1):
            assert got[r, m - 1] == pytest.approx(sum(x[r, :m]) / m, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("family, theta, sigma", [("bernoulli", 0.3, 1.0),
                                                  ("bernoulli", 0.9, 1.0),
                                                  ("gaussian", 2.0, 1.5)])
def test_running_mle_is_unbiased_with_the_cramer_rao_variance(family, theta, sigma):
    runs = 20_000
    e = est.running_mle(family, theta, 200, runs, sigma=sigma, seed=1)
    for m in (1, 10, 200):
        col = e[:, m - 1]
        bound = est.cramer_rao_bound(family, theta, m, sigma=sigma)
        assert abs(col.mean() - theta) < 5 * math.sqrt(bound / runs)
        # relative standard error of a variance estimate ≈ sqrt((κ − 1)/runs), κ the kurtosis
        kurt = np.mean((col - col.mean()) ** 4) / col.var() ** 2
        assert col.var() == pytest.approx(bound, rel=5 * math.sqrt((kurt - 1) / runs))


def test_mle_is_consistent():
    """P(|θ̂_m − θ| > ε) falls to 0 as m grows, for both families."""
    for family, theta in (("bernoulli", 0.3), ("gaussian", 0.0)):
        e = est.running_mle(family, theta, 1000, 2000, seed=2)
        p = est.deviation_probability(e, theta, eps=0.1)
        assert p[0] > 0.5 and p[-1] < 0.01
        coarse = p[[9, 49, 199, 999]]  # falling, up to sampling noise
        assert np.all(np.diff(coarse) < 0.02)


def test_exact_deviation_probability_gaussian_against_quadrature_and_monte_carlo():
    m, eps, sigma = np.array([1, 4, 25, 100]), 0.3, 1.2
    got = est.exact_deviation_probability("gaussian", 0.5, m, eps, sigma)
    for mj, g in zip(m, got, strict=True):
        # P(|Z| > ε√m/σ) by integrating the standard normal density over the two tails
        z = np.linspace(eps * math.sqrt(mj) / sigma, 40.0, 200_001)
        tail = np.trapezoid(np.exp(-z * z / 2) / math.sqrt(2 * math.pi), z)
        assert g == pytest.approx(2 * tail, rel=1e-6)
    e = est.running_mle("gaussian", 0.5, 100, 40_000, sigma=sigma, seed=3)
    measured = est.deviation_probability(e, 0.5, eps)[m - 1]
    se = np.sqrt(got * (1 - got) / 40_000)
    assert np.all(np.abs(measured - got) < 5 * se + 1e-12)
    assert est.exact_deviation_probability("gaussian", 0.0, 1, 1.959963984540054) == \
        pytest.approx(0.05)


def test_exact_deviation_probability_bernoulli_by_enumeration_and_monte_carlo():
    p, eps = 0.3, 0.1
    for m in (1, 2, 7, 10):  # all 2^m outcomes, one at a time
        total = 0.0
        for xs in itertools.product((0, 1), repeat=m):
            k = sum(xs)
            if abs(k / m - p) > eps:
                total += p**k * (1 - p) ** (m - k)
        assert est.exact_deviation_probability("bernoulli", p, m, eps) == pytest.approx(total,
                                                                                        rel=1e-10)
    m = np.arange(1, 301)
    got = est.exact_deviation_probability("bernoulli", p, m, eps)
    assert got.shape == (300,)
    e = est.running_mle("bernoulli", p, 300, 40_000, seed=4)
    measured = est.deviation_probability(e, p, eps)
    se = np.sqrt(got * (1 - got) / 40_000)
    assert np.all(np.abs(measured - got) < 5 * se + 1e-12)  # the jagged curve, matched
    assert np.any(np.diff(got) > 0.05)  # not monotone: the lattice k/m crosses the band
    assert got[-1] < 0.001


def test_cramer_rao_bound_from_the_fisher_information():
    """I(θ) = E[(∂/∂θ log p(x; θ))²], the score by central differences."""
    h = 1e-6

    def log_bern(x, p):
        return x * math.log(p) + (1 - x) * math.log(1 - p)

    for p in (0.1, 0.5, 0.8):
        info = sum((p if x else 1 - p) * ((log_bern(x, p + h) - log_bern(x, p - h)) / (2 * h)) ** 2
                   for x in (0, 1))
        assert est.cramer_rao_bound("bernoulli", p, 7) == pytest.approx(1 / (7 * info), rel=1e-6)
    sigma, mu = 1.5, 0.3
    x = np.linspace(mu - 12 * sigma, mu + 12 * sigma, 40_001)
    dens = np.exp(-((x - mu) ** 2) / (2 * sigma**2)) / (sigma * math.sqrt(2 * math.pi))

    def log_norm(m_):
        return -((x - m_) ** 2) / (2 * sigma**2)

    score = (log_norm(mu + h) - log_norm(mu - h)) / (2 * h)
    info = np.trapezoid(dens * score**2, x)
    assert est.cramer_rao_bound("gaussian", mu, 5, sigma=sigma) == pytest.approx(1 / (5 * info),
                                                                                   rel=1e-6)
    np.testing.assert_allclose(est.cramer_rao_bound("bernoulli", 0.5, np.array([1, 4])),
                               [0.25, 0.0625])


@pytest.mark.parametrize(("call", "match"), [
    (lambda: est.running_mle("poisson", 1.0, 5, 5),
     "family must be one of 'bernoulli', 'gaussian'"),
    (lambda: est.running_mle("bernoulli", 1.0, 5, 5), r"theta must be in \(0, 1\); got 1.0"),
    (lambda: est.running_mle("gaussian", 0.0, 0, 5), r"m_max must be an integer in \[1, inf\)"),
    (lambda: est.running_mle("gaussian", 0.0, 5, 0), r"runs must be an integer in \[1, inf\)"),
    (lambda: est.running_mle("gaussian", 0.0, 5, 5, sigma=0.0), r"sigma must be in \(0, inf\)"),
    (lambda: est.cramer_rao_bound("gaussian", 0.0, 0), r"m must be in \[1, inf\); got 0"),
    (lambda: est.deviation_probability([[0.1]], 0.0, 0.0), r"eps must be in \(0, inf\); got 0.0"),
    (lambda: est.deviation_probability(0.1, 0.0, 0.1), "estimates must have a leading axis"),
    (lambda: est.exact_deviation_probability("gaussian", 0.0, 0, 0.1),
     r"m must be an integer in \[1, inf\)"),
    (lambda: est.exact_deviation_probability("gaussian", 0.0, 1, 0.0), r"eps must be in \(0"),
    (lambda: est.mean_median_experiment([0, 3]), r"m must be an integer in \[1, inf\); got 0"),
    (lambda: est.mean_median_experiment([]), "m must hold at least one"),
    (lambda: est.mean_median_experiment([3], runs=1), "runs must be an integer"),
    (lambda: est.median_variance(4), r"m must be an odd integer in \[1, inf\); got 4"),
    (lambda: est.median_variance(3, sigma2=0.0), r"sigma2 must be in \(0, inf\)"),
])
def test_mle_functions_validate(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_median_variance_closed_forms():
    assert est.median_variance(1) == pytest.approx(1.0, rel=1e-10)  # one sample: x itself
    # median of three standard normals: E[X_(2)²] = 1 − √3/π
    assert est.median_variance(3) == pytest.approx(1 - math.sqrt(3) / math.pi, rel=1e-9)
    assert est.median_variance(3, sigma2=2.5) == pytest.approx(2.5 * (1 - math.sqrt(3) / math.pi))
    # large m: π/(2(m + 2)) + π²/(4(m + 2)²) + O(m⁻³)
    for m in (101, 1001):
        approx = math.pi / (2 * (m + 2)) + math.pi**2 / (4 * (m + 2) ** 2)
        assert est.median_variance(m) == pytest.approx(approx, rel=30 / m**2)
    eff = (1 / np.array([3, 11, 101, 1001])) / est.median_variance(np.array([3, 11, 101, 1001]))
    assert np.all(np.diff(eff) < 0) and np.all(eff > 2 / math.pi)  # from above to 2/π
    assert eff[-1] == pytest.approx(2 / math.pi, rel=1e-3)
    # the first-order correction: efficiency ≈ (2/π)(1 + (2 − π/2)/m)
    assert eff[2] == pytest.approx(2 / math.pi * (1 + (2 - math.pi / 2) / 101), rel=1e-4)


def test_mean_median_experiment_against_the_theory():
    m = [1, 3, 11, 51]
    runs = 40_000
    eff = est.mean_median_experiment(m, sigma2=2.0, runs=runs, seed=0)
    np.testing.assert_array_equal(eff.m, m)
    np.testing.assert_allclose(eff.bound, 2.0 / np.array(m))
    tol = 5 * math.sqrt(2 / runs)  # relative standard error of a variance of ≈ normal values
    np.testing.assert_allclose(eff.var_mean, eff.bound, rtol=tol)  # the mean attains the bound
    np.testing.assert_allclose(eff.var_median, est.median_variance(np.array(m), 2.0), rtol=tol)
    assert np.all(eff.var_median[1:] > eff.var_mean[1:])
    assert eff.var_median[0] == eff.var_mean[0]  # one sample: median = mean


def test_mean_median_experiment_vectorised_equals_looped():
    eff = est.mean_median_experiment([2, 5], runs=50, seed=9)
    x = np.random.default_rng(9).normal(0.0, 1.0, size=(50, 5))
    for j, m in enumerate((2, 5)):
        means = [sum(row[:m]) / m for row in x]
        middle = [sorted(row[:m])[(m - 1) // 2:m // 2 + 1] for row in x]  # 1 or 2 values
        medians = [sum(mid) / len(mid) for mid in middle]
        assert eff.var_mean[j] == pytest.approx(_variance(means, 0), rel=1e-10)
        assert eff.var_median[j] == pytest.approx(_variance(medians, 0), rel=1e-10)


# ----------------------------------------------------------------------------------------------
# wrong kinds of argument: TypeError (a ValueError too) or ValueError naming the parameter

WRONG = [
    (est.variance_estimates, {"x": None}, "x"),
    (est.variance_estimates, {"x": "abc"}, "x"),
    (est.variance_estimates, {"x": [[1.0, np.nan]]}, "x"),
    (est.variance_estimates, {"x": [[1.0, 2.0]], "divisors": "abc"}, "divisors"),
    (est.estimator_stats, {"estimates": None, "true_value": 1.0}, "estimates"),
    (est.estimator_stats, {"estimates": [1.0], "true_value": "a"}, "true_value"),
    (est.standard_error, {"values": None}, "values"),
    (est.variance_divisor_theory, {"n": None}, "n"),
    (est.variance_divisor_theory, {"n": 5, "divisor": "x"}, "divisor"),
    (est.variance_divisor_experiment, {"n": 5, "divisors": [1 + 2j]}, "divisors"),
    (est.empirical_distribution, {"x": None, "K": 3}, "x"),
    (est.empirical_distribution, {"x": [0, 1], "K": None}, "K"),
    (est.running_mle, {"family": None, "theta": 0.3, "m_max": 5, "runs": 5}, "family"),
    (est.running_mle, {"family": "bernoulli", "theta": "a", "m_max": 5, "runs": 5}, "theta"),
    (est.cramer_rao_bound, {"family": "gaussian", "theta": 0.0, "m": "abc"}, "m"),
    (est.deviation_probability, {"estimates": None, "theta": 0.0, "eps": 0.1}, "estimates"),
    (est.deviation_probability, {"estimates": [[1.0]], "theta": None, "eps": 0.1}, "theta"),
    (est.exact_deviation_probability, {"family": "gaussian", "theta": 0.0, "m": None,
                                       "eps": 0.1}, "m"),
    (est.mean_median_experiment, {"m": None}, "m"),
    (est.median_variance, {"m": "abc"}, "m"),
]


@pytest.mark.parametrize(("fn", "kwargs", "name"), WRONG,
                         ids=[f"{f.__name__}-{n}-{i}" for i, (f, _, n) in enumerate(WRONG)])
def test_wrong_arguments_raise_naming_the_parameter(fn, kwargs, name):
    with pytest.raises((TypeError, ValueError), match=rf"^{name} must"):
        fn(**kwargs)


# ----- variance_estimates_from_pool -----------------------------------------------------------
def test_variance_estimates_from_pool_are_the_estimates_of_the_scaled_samples_written_out():
    pool = np.random.default_rng(4).standard_normal((40, 9))
    n, sigma2, trials = 6, 2.5, 30
    got = est.variance_estimates_from_pool(pool, n, sigma2, trials, [n - 1, n])
    assert got.shape == (2, trials)
    for t in range(trials):
        sample = [math.sqrt(sigma2) * float(z) for z in pool[t, :n]]
        mean = sum(sample) / n
        S = sum((v - mean) ** 2 for v in sample)
        assert got[0, t] == pytest.approx(S / (n - 1), rel=1e-12)
        assert got[1, t] == pytest.approx(S / n, rel=1e-12)


def test_variance_estimates_from_pool_change_only_what_a_setting_controls():
    pool = np.random.default_rng(5).standard_normal((200, 12))
    few = est.variance_estimates_from_pool(pool, 5, 1.0, 50)
    more = est.variance_estimates_from_pool(pool, 5, 1.0, 200)
    np.testing.assert_array_equal(more[:, :50], few)            # more trials add samples
    scaled = est.variance_estimates_from_pool(pool, 5, 9.0, 50)
    np.testing.assert_allclose(scaled, 9.0 * few, rtol=1e-12)   # σ² scales the same samples
    assert est.variance_estimates_from_pool(pool, 5).shape == (3, 200)  # n − 1, n, n + 1; all


def test_variance_estimates_from_pool_uses_only_the_entries_it_needs():
    """A NaN outside the rows and columns used is never read; beyond the float range: inf."""
    pool = np.random.default_rng(7).standard_normal((20, 6))
    pool[10:, :] = np.nan
    pool[:, 5] = np.inf
    clean = pool[:10, :4].copy()
    np.testing.assert_array_equal(est.variance_estimates_from_pool(pool, 4, 2.0, 10),
                                  est.variance_estimates_from_pool(clean, 4, 2.0))
    with np.errstate(all="raise"):
        huge = est.variance_estimates_from_pool(clean, 4, 1e308)
    assert np.isposinf(huge).any() and not np.isnan(huge).any()  # no warning, no NaN


def test_variance_estimates_from_pool_has_the_expected_bias():
    pool = np.random.default_rng(6).standard_normal((100_000, 4))
    e = est.variance_estimates_from_pool(pool, 4, 3.0, divisors=[3, 4])
    se = est.standard_error(e, axis=-1)
    assert abs(e[0].mean() - 3.0) < 5 * se[0]                  # S/(n − 1): unbiased
    assert abs(e[1].mean() - 0.75 * 3.0) < 5 * se[1]           # S/n: (1 − 1/n)σ²


@pytest.mark.parametrize("args, kwargs, exc, match", [
    ((np.zeros((3, 4)), 1), {}, ValueError, r"n must be an integer in \[2, 4\]; got 1"),
    ((np.zeros((3, 4)), 5), {}, ValueError, r"n must be an integer in \[2, 4\]; got 5"),
    ((np.zeros((3, 4)), 2, 0.0), {}, ValueError, r"sigma2 must be in \(0, inf\)"),
    ((np.zeros((3, 4)), 2), {"trials": 4}, ValueError, r"trials must be an integer in \[1, 3\]"),
    ((np.zeros((3, 4)), 2), {"trials": 0}, ValueError, "trials must be an integer"),
    ((np.zeros((3, 1)), 2), {}, ValueError, r"pool must have at least 1 row .* got shape \(3, 1\)"),
    ((np.zeros((0, 4)), 2), {}, ValueError, r"pool must have at least 1 row"),
    ((np.zeros(4), 2), {}, ValueError, "pool must have 2 axes"),
    (([[0.0, np.nan]], 2), {}, ValueError, r"pool must hold finite numbers in the 1 rows and 2 "
                                            r"columns used; got nan"),
    (([[0.0, 1.0], [np.inf, 0.0]], 2), {}, ValueError, r"pool must hold finite .* got inf"),
    ((np.zeros((3, 4)), 2), {"divisors": [0]}, ValueError, "divisors"),
    (("abc", 2), {}, TypeError, "pool"),
])
def test_variance_estimates_from_pool_rejects_bad_input(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        est.variance_estimates_from_pool(*args, **kwargs)
