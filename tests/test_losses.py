"""Tests for npfl_helpers.losses: each formula written out independently, and the identities."""

import math
import warnings

import numpy as np
import pytest

from npfl_helpers import losses

RNG = np.random.default_rng(0)


def random_distribution(rng, shape):
    p = rng.random(shape) ** 3  # skewed, some entries near 0
    return p / p.sum(axis=-1, keepdims=True)


# ----- mse and gaussian_nll -------------------------------------------------------------------
def test_mse_formula():
    y_hat = RNG.normal(size=7)
    y = RNG.normal(size=7)
    expected = sum((float(a) - float(b)) ** 2 for a, b in zip(y, y_hat, strict=True)) / 7
    assert losses.mse(y_hat, y) == pytest.approx(expected, rel=1e-12)


def test_mse_averages_over_all_elements():
    y_hat = RNG.normal(size=(4, 3))
    y = RNG.normal(size=(4, 3))
    assert losses.mse(y_hat, y) == pytest.approx(losses.mse(y_hat.ravel(), y.ravel()))


def test_gaussian_nll_is_minus_log_of_the_normal_density():
    y_hat = RNG.normal(size=6)
    y = RNG.normal(size=6)
    for sigma in (0.1, 1.0, 3.0):
        density = [
            math.exp(-((b - a) ** 2) / (2 * sigma**2)) / (sigma * math.sqrt(2 * math.pi))
            for a, b in zip(y_hat, y, strict=True)
        ]
        expected = -sum(math.log(d) for d in density) / len(density)
        assert losses.gaussian_nll(y_hat, y, sigma) == pytest.approx(expected, rel=1e-12)


def test_gaussian_nll_sign_of_log_sigma():
    # a perfect prediction costs log σ + ½ log 2π: larger σ, larger NLL (the correct sign)
    assert losses.gaussian_nll([1.0], [1.0], sigma=math.e) == pytest.approx(
        1.0 + 0.5 * math.log(2 * math.pi))
    assert losses.gaussian_nll([0.0], [0.0], 2.0) > losses.gaussian_nll([0.0], [0.0], 1.0)


def test_gaussian_nll_per_example_sigma_broadcasts():
    y_hat = np.array([0.0, 1.0, 2.0])
    y = np.array([0.5, 0.0, 2.0])
    sigma = np.array([0.5, 1.0, 2.0])
    expected = np.mean([losses.gaussian_nll([a], [b], s) for a, b, s in zip(y_hat, y, sigma,
                                                                            strict=True)])
    assert losses.gaussian_nll(y_hat, y, sigma) == pytest.approx(expected)


def test_mse_is_gaussian_nll_up_to_an_affine_map():
    y = RNG.normal(loc=2.0, size=50)
    candidates = np.linspace(0.0, 4.0, 401)  # constant predictions ŷ = c
    mses = np.array([losses.mse(np.full_like(y, c), y) for c in candidates])
    for sigma in (0.3, 1.0, 5.0):
        nlls = np.array([losses.gaussian_nll(np.full_like(y, c), y, sigma) for c in candidates])
        affine = mses / (2 * sigma**2) + math.log(sigma) + 0.5 * math.log(2 * math.pi)
        np.testing.assert_allclose(nlls, affine, rtol=1e-12)
        assert np.argmin(nlls) == np.argmin(mses)
    assert candidates[np.argmin(mses)] == pytest.approx(y.mean(), abs=0.01)


@pytest.mark.parametrize("sigma", [0.0, -1.0, float("nan"), [1.0, 0.0]])
def test_gaussian_nll_rejects_invalid_sigma(sigma):
    with pytest.raises(ValueError, match="sigma must be in"):
        losses.gaussian_nll([0.0, 1.0], [0.0, 1.0], sigma)


# ----- softmax, cross_entropy -----------------------------------------------------------------
def test_softmax_and_log_softmax_formula():
    z = RNG.normal(size=(5, 4))
    naive = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(losses.softmax(z), naive, rtol=1e-12)
    np.testing.assert_allclose(losses.log_softmax(z), np.log(naive), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(losses.softmax(z, axis=0).sum(axis=0), 1.0)
    np.testing.assert_allclose(losses.log_softmax(z + 100.0), losses.log_softmax(z), atol=1e-12)


def test_cross_entropy_with_indices_formula():
    z = RNG.normal(size=(6, 3))
    y = RNG.integers(0, 3, size=6)
    expected = sum(
        -math.log(math.exp(z[i, y[i]]) / sum(math.exp(v) for v in z[i])) for i in range(6)
    ) / 6
    assert losses.cross_entropy(z, y) == pytest.approx(expected, rel=1e-12)


def test_cross_entropy_with_distributions_formula():
    z = RNG.normal(size=(6, 3))
    p = random_distribution(RNG, (6, 3))
    q = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    expected = -np.sum(p * np.log(q)) / 6
    assert losses.cross_entropy(z, p) == pytest.approx(expected, rel=1e-12)


def test_cross_entropy_one_hot_equals_indices_and_leading_axes():
    z = RNG.normal(size=(2, 5, 4))
    y = RNG.integers(0, 4, size=(2, 5))
    one_hot = np.eye(4)[y]
    assert losses.cross_entropy(z, one_hot) == pytest.approx(losses.cross_entropy(z, y))
    flat = losses.cross_entropy(z.reshape(10, 4), y.reshape(10))
    assert losses.cross_entropy(z, y) == pytest.approx(flat)


def test_cross_entropy_stable_for_huge_logits():
    z = np.array([[1e4, 0.0, -1e4], [0.0, 1e4, 1e4]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ce_idx = losses.cross_entropy(z, np.array([1, 2]))
        ce_dist = losses.cross_entropy(z, np.array([[1.0, 0.0, 0.0], [0.0, 0.5, 0.5]]))
        s = losses.softmax(z)
    # example 1: log(e^{1e4} + 1 + e^{-1e4}) - 0 ≈ 1e4; example 2: log 2
    assert ce_idx == pytest.approx((1e4 + math.log(2)) / 2)
    assert ce_dist == pytest.approx(math.log(2) / 2)
    assert np.all(np.isfinite(s))
    np.testing.assert_allclose(s[1], [0.0, 0.5, 0.5])


def test_cross_entropy_validation():
    z = np.zeros((3, 4))
    with pytest.raises(ValueError, match="class indices"):
        losses.cross_entropy(z, np.array([0, 1, 4]))
    with pytest.raises(ValueError, match="shape"):
        losses.cross_entropy(z, np.array([0, 1]))
    with pytest.raises(ValueError, match="shape"):
        losses.cross_entropy(z, np.full((3, 2), 0.5))
    with pytest.raises(ValueError, match="sum to 1"):
        losses.cross_entropy(z, np.full((3, 4), 0.5))


# ----- entropy and KL -------------------------------------------------------------------------
@pytest.mark.parametrize("k", [1, 2, 3, 10])
def test_entropy_of_uniform_is_log_k(k):
    assert losses.entropy(np.full(k, 1.0 / k)) == pytest.approx(math.log(k))


def test_entropy_formula_and_zeros():
    p = random_distribution(RNG, (4, 5))
    expected = [-sum(v * math.log(v) for v in row) for row in p]
    np.testing.assert_allclose(losses.entropy(p), expected, rtol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert losses.entropy([0.0, 1.0, 0.0]) == 0.0
        assert losses.entropy([0.5, 0.0, 0.5]) == pytest.approx(math.log(2))


def test_entropy_is_at_most_log_k():
    p = random_distribution(RNG, (200, 6))
    h = losses.entropy(p)
    assert np.all(h >= 0) and np.all(h <= math.log(6) + 1e-12)


def test_kl_formula():
    p = random_distribution(RNG, (3, 4))
    q = random_distribution(RNG, (3, 4))
    expected = [sum(a * math.log(a / b) for a, b in zip(pr, qr, strict=True))
                for pr, qr in zip(p, q, strict=True)]
    np.testing.assert_allclose(losses.kl_divergence(p, q), expected, rtol=1e-12)


def test_kl_nonnegative_and_zero_iff_equal():
    p = random_distribution(RNG, (500, 5))
    q = random_distribution(RNG, (500, 5))
    kl = losses.kl_divergence(p, q)
    assert np.all(kl > 0)
    np.testing.assert_allclose(losses.kl_divergence(p, p), 0.0, atol=1e-15)
    assert losses.kl_divergence([0.5, 0.5, 0.0], [0.5, 0.5, 0.0]) == 0.0


def test_kl_zeros_infinity_and_asymmetry():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # p_k = 0 contributes nothing, whatever q_k is
        assert losses.kl_divergence([1.0, 0.0], [0.5, 0.5]) == pytest.approx(math.log(2))
        # q_k = 0 where p_k > 0: infinite
        assert losses.kl_divergence([0.5, 0.5], [1.0, 0.0]) == math.inf
    p, q = [0.9, 0.1], [0.5, 0.5]
    assert losses.kl_divergence(p, q) != pytest.approx(losses.kl_divergence(q, p))


def test_distribution_validation():
    with pytest.raises(ValueError, match=r"p must have entries in \[0, 1\]"):
        losses.entropy([1.5, -0.5])
    with pytest.raises(ValueError, match="q must sum to 1"):
        losses.kl_divergence([0.5, 0.5], [0.5, 0.6])
    with pytest.raises(ValueError, match="distribution"):
        losses.entropy(1.0)


# ----- the identity NLL = H(p̂_data, p_model) = H(p̂_data) + KL(p̂_data ‖ p_model) -------------
@pytest.mark.parametrize("seed", range(5))
def test_nll_equals_cross_entropy_equals_entropy_plus_kl(seed):
    rng = np.random.default_rng(seed)
    k, n = 5, 400
    z = rng.normal(size=k)  # the model: one categorical distribution p_model = softmax(z)
    y = rng.integers(0, k, size=n)  # the data
    p_model = np.exp(z) / np.exp(z).sum()
    p_data = np.bincount(y, minlength=k) / n  # the empirical distribution p̂_data

    nll = -np.mean(np.log(p_model[y]))  # written out: mean of -log p_model(y_i)
    ce_indices = losses.cross_entropy(np.tile(z, (n, 1)), y)
    ce_dist = losses.cross_entropy(z[None, :], p_data[None, :])
    h_plus_kl = losses.entropy(p_data) + losses.kl_divergence(p_data, p_model)
    assert ce_indices == pytest.approx(nll, rel=1e-12)
    assert ce_dist == pytest.approx(nll, rel=1e-12)
    assert h_plus_kl == pytest.approx(nll, rel=1e-12)


def test_cross_entropy_minimised_by_data_distribution():
    rng = np.random.default_rng(7)
    p_data = random_distribution(rng, (1, 4))
    best = losses.cross_entropy(np.log(p_data), p_data)
    assert best == pytest.approx(losses.entropy(p_data[0]))
    for _ in range(20):
        assert losses.cross_entropy(rng.normal(size=(1, 4)), p_data) > best


@pytest.mark.parametrize("loss", [losses.mse, lambda p, t: losses.gaussian_nll(p, t, 1.0)])
def test_pred_and_target_of_different_shapes_raise(loss):
    """(N, 1) against (N,) would broadcast to (N, N) and average the wrong differences."""
    with pytest.raises(ValueError, match=r"pred and target must have the same shape"):
        loss(np.zeros((3, 1)), np.arange(3.0))


# ----- cross-entropy of two distributions, categorical NLL, Gaussian log-likelihood ----------
def test_cross_entropy_dist_formula_and_identity():
    p = random_distribution(RNG, (3, 5))
    q = random_distribution(RNG, (3, 5))
    expected = [-sum(a * math.log(b) for a, b in zip(pr, qr, strict=True))
                for pr, qr in zip(p, q, strict=True)]
    np.testing.assert_allclose(losses.cross_entropy_dist(p, q), expected, rtol=1e-12)
    np.testing.assert_allclose(losses.cross_entropy_dist(p, q),
                               losses.entropy(p) + losses.kl_divergence(p, q), rtol=1e-12)
    np.testing.assert_allclose(losses.cross_entropy_dist(p, p), losses.entropy(p), rtol=1e-12)
    # one p against a batch of candidate models q
    assert losses.cross_entropy_dist(p[0], q).shape == (3,)


def test_cross_entropy_dist_zeros_and_infinity():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert losses.cross_entropy_dist([1.0, 0.0], [0.5, 0.5]) == pytest.approx(math.log(2))
        assert losses.cross_entropy_dist([0.0, 1.0], [0.0, 1.0]) == 0.0
        assert losses.cross_entropy_dist([0.5, 0.5], [1.0, 0.0]) == math.inf
    with pytest.raises(ValueError, match="q must sum to 1"):
        losses.cross_entropy_dist([0.5, 0.5], [0.5, 0.6])
    with pytest.raises(ValueError, match=r"p must have entries in \[0, 1\]"):
        losses.cross_entropy_dist([-0.5, 1.5], [0.5, 0.5])


def test_categorical_nll_written_out_and_the_mle_chain():
    rng = np.random.default_rng(4)
    x = rng.integers(0, 4, size=30)
    q = random_distribution(rng, (4,))
    expected = -sum(math.log(q[i]) for i in x) / len(x)
    assert losses.categorical_nll(x, q) == pytest.approx(expected, rel=1e-12)
    # the chain: −(1/m) log Π q(x_i) = −(1/m) Σ log q(x_i) = H(p̂, q) = H(p̂) + KL(p̂ ‖ q)
    p_hat = np.bincount(x, minlength=4) / len(x)
    assert -math.log(math.prod(q[i] for i in x)) / len(x) == pytest.approx(expected, rel=1e-10)
    assert losses.cross_entropy_dist(p_hat, q) == pytest.approx(expected, rel=1e-12)
    assert losses.entropy(p_hat) + losses.kl_divergence(p_hat, q) == pytest.approx(expected,
                                                                                  rel=1e-12)
    # many candidate models at once; the minimiser among them is p̂ itself
    Q = np.vstack([random_distribution(rng, (500, 4)), p_hat])
    nll = losses.categorical_nll(x, Q)
    assert nll.shape == (501,)
    np.testing.assert_allclose(nll, [losses.categorical_nll(x, row) for row in Q], rtol=1e-12)
    assert np.argmin(nll) == 500


def test_categorical_nll_edge_cases():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert losses.categorical_nll([0, 1], [1.0, 0.0]) == math.inf
        assert losses.categorical_nll([0, 0], [1.0, 0.0]) == 0.0
    with pytest.raises(ValueError, match=r"x must hold class indices in \[0, 1\]"):
        losses.categorical_nll([0, 2], [0.5, 0.5])
    with pytest.raises(ValueError, match="x must be an integer array of class indices"):
        losses.categorical_nll([0.0, 1.0], [0.5, 0.5])
    with pytest.raises(ValueError, match="q must sum to 1"):
        losses.categorical_nll([0], [0.5, 0.4])


def test_gaussian_log_likelihood_written_out():
    x = RNG.normal(1.0, 2.0, size=9)
    for mu, s2 in ((0.0, 1.0), (1.3, 4.0), (-2.0, 0.25)):
        expected = sum(math.log(math.exp(-(v - mu) ** 2 / (2 * s2)) / math.sqrt(2 * math.pi * s2))
                       for v in x)
        assert losses.gaussian_log_likelihood(x, mu, s2) == pytest.approx(expected, rel=1e-12)
    # it is −m times gaussian_nll with ŷ = μ and σ = √σ²
    assert losses.gaussian_log_likelihood(x, 0.5, 2.0) == pytest.approx(
        -9 * losses.gaussian_nll(np.full(9, 0.5), x, math.sqrt(2.0)), rel=1e-12)


def test_gaussian_log_likelihood_grid_is_maximised_by_mean_and_biased_variance():
    x = np.random.default_rng(8).normal(0.5, 1.5, size=12)
    mu = np.linspace(-1.0, 2.0, 301)
    s2 = np.linspace(0.2, 6.0, 581)
    ll = losses.gaussian_log_likelihood(x, mu[:, None], s2[None, :])
    assert ll.shape == (301, 581)
    i, j = np.unravel_index(np.argmax(ll), ll.shape)
    biased = np.mean((x - x.mean()) ** 2)
    assert mu[i] == pytest.approx(x.mean(), abs=mu[1] - mu[0])
    assert s2[j] == pytest.approx(biased, abs=s2[1] - s2[0])
    assert abs(s2[j] - biased) < abs(s2[j] - biased * 12 / 11)  # not the unbiased one


@pytest.mark.parametrize("sigma2", [0.0, -1.0, float("nan")])
def test_gaussian_log_likelihood_validates(sigma2):
    with pytest.raises(ValueError, match=r"sigma2 must be in \(0, inf\)"):
        losses.gaussian_log_likelihood([0.0, 1.0], 0.0, sigma2)
    with pytest.raises(ValueError, match="x must hold a sample"):
        losses.gaussian_log_likelihood([], 0.0, 1.0)
    with pytest.raises(ValueError, match="mu must be a number"):
        losses.gaussian_log_likelihood([0.0], "a", 1.0)


@pytest.mark.parametrize(("fn", "kwargs", "name"), [
    (losses.cross_entropy_dist, {"p": None, "q": [0.5, 0.5]}, "p"),
    (losses.cross_entropy_dist, {"p": [0.5, 0.5], "q": "ab"}, "q"),
    (losses.categorical_nll, {"x": None, "q": [0.5, 0.5]}, "x"),
    (losses.categorical_nll, {"x": [0], "q": None}, "q"),
    (losses.gaussian_log_likelihood, {"x": None, "mu": 0.0, "sigma2": 1.0}, "x"),
    (losses.gaussian_log_likelihood, {"x": [np.nan], "mu": 0.0, "sigma2": 1.0}, "x"),
    (losses.gaussian_log_likelihood, {"x": [1.0], "mu": None, "sigma2": 1.0}, "mu"),
    (losses.gaussian_log_likelihood, {"x": [1.0], "mu": 0.0, "sigma2": None}, "sigma2"),
])
def test_new_losses_name_a_wrong_argument(fn, kwargs, name):
    with pytest.raises((TypeError, ValueError), match=rf"^{name} must"):
        fn(**kwargs)


# ----- gaussian_nll_from_mse ------------------------------------------------------------------
def test_gaussian_nll_from_mse_is_minus_log_of_the_normal_density():
    # predictions with a known MSE: the mean of -log N(y; ŷ, σ²), written out per example
    rng = np.random.default_rng(7)
    y_hat, y = rng.normal(size=9), rng.normal(size=9)
    mse_value = sum((float(a) - float(b)) ** 2 for a, b in zip(y_hat, y, strict=True)) / 9
    for sigma in (0.2, 1.0, 4.0):
        density = [math.exp(-((b - a) ** 2) / (2 * sigma**2)) / math.sqrt(2 * math.pi * sigma**2)
                   for a, b in zip(y_hat, y, strict=True)]
        expected = -sum(math.log(d) for d in density) / len(density)
        got = losses.gaussian_nll_from_mse(mse_value, sigma)
        assert isinstance(got, float)
        assert got == pytest.approx(expected, rel=1e-12)
        assert got == pytest.approx(losses.gaussian_nll(y_hat, y, sigma), rel=1e-12)


def test_gaussian_nll_from_mse_broadcasts_a_grid_of_mses_against_many_sigmas():
    mses = np.array([0.0, 0.25, 1.0, 9.0])
    sigmas = np.array([0.5, 1.0, 3.0])
    grid = losses.gaussian_nll_from_mse(mses[:, None], sigmas)
    assert grid.shape == (4, 3)
    for i, m in enumerate(mses):
        for j, s in enumerate(sigmas):
            assert grid[i, j] == pytest.approx(
                m / (2 * s * s) + math.log(s) + 0.5 * math.log(2 * math.pi), rel=1e-12)
    # one MSE against σ: smallest at σ² = MSE (the MLE of the noise variance)
    s = np.geomspace(0.1, 10.0, 2001)
    best = s[np.argmin(losses.gaussian_nll_from_mse(2.0, s))]
    assert best == pytest.approx(math.sqrt(2.0), rel=0.01)


def test_gaussian_nll_from_mse_at_the_ends_of_the_float_range():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert losses.gaussian_nll_from_mse(1.0, 1e-200) == math.inf   # σ² underflows
        assert losses.gaussian_nll_from_mse(0.0, 1e-200) == pytest.approx(
            math.log(1e-200) + 0.5 * math.log(2 * math.pi))           # no 0/0
        assert losses.gaussian_nll_from_mse(1.0, 1e200) == pytest.approx(
            math.log(1e200) + 0.5 * math.log(2 * math.pi))


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"mse": -1.0, "sigma": 1.0}, ValueError, r"mse must be in \[0, inf\); got -1"),
    ({"mse": math.nan, "sigma": 1.0}, ValueError, "mse must be in"),
    ({"mse": "a", "sigma": 1.0}, TypeError, "mse must be a number"),
    ({"mse": 1.0, "sigma": 0.0}, ValueError, r"sigma must be in \(0, inf\); got 0"),
    ({"mse": 1.0, "sigma": [1.0, -2.0]}, ValueError, "sigma must be in"),
    ({"mse": [1.0, 2.0], "sigma": [1.0, 2.0, 3.0]}, ValueError,
     r"mse and sigma must broadcast against each other; got shapes \(2,\) and \(3,\)"),
])
def test_gaussian_nll_from_mse_rejects_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        losses.gaussian_nll_from_mse(**kwargs)
