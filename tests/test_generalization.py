"""Tests for npfl_helpers.generalization: the features against numpy's polynomial module, the
closed-form L2-regularised least squares against independent solvers and against its own
optimality condition (central differences), vectorised fits against loops, the exact
generalisation error against Monte Carlo, and the claims the notebook makes (U-shaped capacity
curve, shrinking weights, validation vs test choice, no free lunch)."""

import itertools

import numpy as np
import pytest

from npfl_helpers import generalization as gen

pytestmark = pytest.mark.filterwarnings("error")  # any warning fails, not only RuntimeWarning


def _data(n=30, noise=0.3, target="sine", seed=0, trials=None):
    return gen.sample(n, noise, target, seed, trials)


# ----------------------------------------------------------------------------------------------
# data


def test_sample_shapes_determinism_and_nesting():
    x, y = _data(25)
    assert x.shape == y.shape == (25,) and np.all(np.abs(x) <= 1)
    x2, y2 = _data(25)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    # nested along n: the first 10 points of a 25-point draw are the 10-point draw
    x10, y10 = _data(10)
    assert np.array_equal(x10, x[:10]) and np.array_equal(y10, y[:10])
    # the noise is the same ε, rescaled
    _, y0 = _data(25, noise=0.0)
    _, y1 = _data(25, noise=1.0)
    assert np.allclose(y - y0, 0.3 * (y1 - y0))
    assert np.allclose(y0, gen.TARGETS["sine"](x))
    xt, yt = _data(12, trials=5)
    assert xt.shape == yt.shape == (5, 12)
    xt4, _ = _data(4, trials=5)
    assert np.array_equal(xt4, xt[:, :4])
    assert not np.allclose(xt[0], xt[1])  # trials are different data sets


def test_sample_noise_has_the_stated_spread():
    x, y = gen.sample(200_000, noise=0.5, target="line", seed=3)
    resid = y - x / 2
    # standard error of a sample std of n Gaussians: σ/√(2n) ≈ 0.0008
    assert abs(resid.std() - 0.5) < 0.004 and abs(resid.mean()) < 0.005
    assert abs(x.mean()) < 0.01 and abs(x.var() - 1 / 3) < 0.005  # U(-1, 1)


# ----------------------------------------------------------------------------------------------
# features


def test_legendre_features_match_numpy():
    x = np.linspace(-1, 1, 41)
    ours = gen.polynomial_features(x, 12)
    assert ours.shape == (41, 13)
    assert np.allclose(ours, np.polynomial.legendre.legvander(x, 12), atol=1e-13)
    mono = gen.polynomial_features(x, 6, basis="monomial")
    assert np.allclose(mono, np.vander(x, 7, increasing=True), atol=1e-15)
    batch = gen.polynomial_features(np.stack([x, -x]), 3)
    assert batch.shape == (2, 41, 4) and np.allclose(batch[1], gen.polynomial_features(-x, 3))
    assert np.array_equal(gen.polynomial_features(x, 0), np.ones((41, 1)))


def test_legendre_basis_is_well_conditioned():
    x, _ = _data(400, seed=5)
    cond = {b: np.linalg.cond(gen.polynomial_features(x, 15, b).T
                              @ gen.polynomial_features(x, 15, b)) for b in gen.BASES}
    assert cond["legendre"] < 3 * (2 * 15 + 1) and cond["monomial"] > 1e10
    # XᵀX / N ≈ diag(1/(2k+1)) for uniform x
    X = gen.polynomial_features(x, 15)
    assert np.allclose(np.diag(X.T @ X) / len(x), 1 / (2 * np.arange(16) + 1), rtol=0.25)
    # with powers, the condition number grows exponentially: > 10× per 3 degrees
    powers = [gen.polynomial_features(x, d, "monomial") for d in (3, 6, 9, 12, 15)]
    growth = [np.linalg.cond(X.T @ X) for X in powers]
    assert np.all(np.diff(np.log10(growth)) > 1)


# ----------------------------------------------------------------------------------------------
# least squares: closed form against independent solvers and the optimality condition


def _problem(N=25, P=6, seed=0):
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(N), rng.standard_normal((N, P - 1))])
    y = rng.standard_normal(N)
    return X, y


@pytest.mark.parametrize("lam", [0.0, 1e-3, 0.1, 2.0])
@pytest.mark.parametrize("penalize_bias", [False, True])
def test_closed_form_matches_lstsq_on_the_augmented_system(lam, penalize_bias):
    X, y = _problem()
    N, P = X.shape
    theta = gen.least_squares(X, y, lam, penalize_bias=penalize_bias)
    # (1/N)‖Xθ − y‖² + λ Σ_k b_k θ_k²  =  (1/N) ‖[X; √(Nλ) B^{1/2}] θ − [y; 0]‖²
    b = np.ones(P)
    if not penalize_bias:
        b[0] = 0.0
    Z = np.vstack([X, np.sqrt(N * lam) * np.diag(np.sqrt(b))])
    t = np.concatenate([y, np.zeros(P)])
    reference = np.linalg.lstsq(Z, t, rcond=None)[0]
    assert np.allclose(theta, reference, rtol=1e-10, atol=1e-12)
    # the lecture-style formula with an explicit inverse
    inverse = np.linalg.inv(X.T @ X + N * lam * np.diag(b)) @ X.T @ y
    assert np.allclose(theta, inverse, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("lam", [0.0, 0.05])
@pytest.mark.parametrize("penalize_bias", [False, True])
def test_gradient_is_zero_at_the_solution_by_central_differences(lam, penalize_bias):
    X, y = _problem(seed=1)
    theta = gen.least_squares(X, y, lam, penalize_bias=penalize_bias)

    def J(t):
        return float(gen.objective(t, X, y, lam, penalize_bias=penalize_bias))

    h = 1e-5
    numeric = np.array([(J(theta + h * e) - J(theta - h * e)) / (2 * h)
                        for e in np.eye(len(theta))])
    assert np.max(np.abs(numeric)) < 1e-8
    # and the solution is a minimum: every perturbation increases J
    rng = np.random.default_rng(2)
    assert all(J(theta + 1e-3 * d) > J(theta) for d in rng.standard_normal((20, len(theta))))


@pytest.mark.parametrize("penalize_bias", [False, True])
def test_objective_and_gradient_written_out(penalize_bias):
    X, y = _problem(N=9, P=4, seed=3)
    rng = np.random.default_rng(4)
    theta, lam = rng.standard_normal(4), 0.3
    N = len(y)
    first = 0 if penalize_bias else 1
    J = sum((X[i] @ theta - y[i]) ** 2 for i in range(N)) / N + lam * sum(
        theta[k] ** 2 for k in range(first, 4))
    assert gen.objective(theta, X, y, lam, penalize_bias=penalize_bias) == pytest.approx(J, 1e-13)
    g = gen.objective_grad(theta, X, y, lam, penalize_bias=penalize_bias)
    h = 1e-6
    numeric = [(gen.objective(theta + h * e, X, y, lam, penalize_bias=penalize_bias)
                - gen.objective(theta - h * e, X, y, lam, penalize_bias=penalize_bias)) / (2 * h)
               for e in np.eye(4)]
    assert np.allclose(g, numeric, rtol=1e-7, atol=1e-9)


def test_l2_is_weight_decay_with_factor_two_alpha_lambda():
    """One gradient step on J shrinks the weights (not the bias) by (1 − 2αλ) first."""
    X, y = _problem(seed=6)
    rng = np.random.default_rng(7)
    theta, alpha, lam = rng.standard_normal(X.shape[1]), 0.05, 0.2
    step = theta - alpha * gen.objective_grad(theta, X, y, lam)
    grad_mse = gen.objective_grad(theta, X, y, 0.0)
    decay = np.r_[1.0, np.full(len(theta) - 1, 1 - 2 * alpha * lam)]
    assert np.allclose(step, decay * theta - alpha * grad_mse, rtol=1e-13)


def test_lambda_scaling_matches_sklearn_ridge():
    linear_model = pytest.importorskip("sklearn.linear_model")
    x, y = _data(40)
    lam = 0.01
    theta = gen.fit_polynomial(x, y, 5, lam)
    X = gen.polynomial_features(x, 5)
    ridge = linear_model.Ridge(alpha=len(x) * lam, fit_intercept=True).fit(X[:, 1:], y)
    assert np.allclose(theta[1:], ridge.coef_, rtol=1e-8)
    assert np.allclose(gen.predict(theta, x), ridge.predict(X[:, 1:]), rtol=1e-8)


def test_least_squares_batch_equals_loop():
    rng = np.random.default_rng(8)
    X = np.concatenate([np.ones((3, 2, 15, 1)), rng.standard_normal((3, 2, 15, 4))], axis=-1)
    y = rng.standard_normal((3, 2, 15))
    lam = np.array([0.0, 0.5])  # broadcasts over the last batch axis
    theta = gen.least_squares(X, y, lam)
    assert theta.shape == (3, 2, 5)
    for i, j in itertools.product(range(3), range(2)):
        assert np.allclose(theta[i, j], gen.least_squares(X[i, j], y[i, j], lam[j]), rtol=1e-12)


def test_bases_give_the_same_function_without_penalty_only():
    x, y = _data(30)
    grid = np.linspace(-1, 1, 9)
    fits = {b: gen.predict(gen.fit_polynomial(x, y, 6, basis=b), grid, basis=b) for b in gen.BASES}
    assert np.allclose(fits["legendre"], fits["monomial"], rtol=1e-8)
    reg = {b: gen.predict(gen.fit_polynomial(x, y, 6, 0.1, basis=b), grid, basis=b)
           for b in gen.BASES}
    assert not np.allclose(reg["legendre"], reg["monomial"], rtol=1e-3)


def test_exact_fit_recovers_a_polynomial():
    x, y = gen.sample(12, noise=0.0, target="line", seed=2)
    assert np.allclose(gen.fit_polynomial(x, y, 4), [0, 0.5, 0, 0, 0], atol=1e-12)


# ----------------------------------------------------------------------------------------------
# all degrees at once, capacity curve


@pytest.mark.parametrize("lam", [0.0, 0.01])
def test_fit_all_degrees_equals_loop(lam):
    x, y = _data(20, trials=3)
    theta = gen.fit_all_degrees(x, y, 10, lam)
    assert theta.shape == (3, 11, 11)
    for t, d in itertools.product(range(3), range(11)):
        single = gen.fit_polynomial(x[t], y[t], d, lam)
        assert np.allclose(theta[t, d, : d + 1], single, rtol=1e-9, atol=1e-11)
        assert np.all(theta[t, d, d + 1:] == 0)


def test_fit_all_degrees_with_a_lambda_per_batch_entry():
    x, y = _data(20)
    lams = np.array([1e-4, 1e-2, 1.0])
    theta = gen.fit_all_degrees(x, y, 6, lams[:, None, None][:, 0, 0])
    for i, d in itertools.product(range(3), range(7)):
        assert np.allclose(theta[i, d, : d + 1], gen.fit_polynomial(x, y, d, lams[i]), rtol=1e-9)


def test_capacity_curve_equals_loop_and_training_error_never_rises():
    train, test = _data(25), _data(500, seed=1)
    curve = gen.capacity_curve(train, test, 12)
    assert curve.degrees.tolist() == list(range(13))
    for d in range(13):
        theta = gen.fit_polynomial(*train, d)
        assert curve.train_mse[d] == pytest.approx(np.mean((gen.predict(theta, train[0])
                                                             - train[1]) ** 2), rel=1e-9)
        assert curve.test_mse[d] == pytest.approx(np.mean((gen.predict(theta, test[0])
                                                            - test[1]) ** 2), rel=1e-9)
    assert np.all(np.diff(curve.train_mse) <= 1e-12)   # nested models
    # the U: test error falls, has an interior minimum, then rises well above it
    best = int(np.argmin(curve.test_mse))
    assert 2 <= best <= 8 and curve.test_mse[-1] > 2 * curve.test_mse[best]
    assert curve.test_mse[0] > 2 * curve.test_mse[best]


def test_average_capacity_curve_is_u_shaped_and_moves_with_n_and_noise():
    def best(n, noise):
        c = gen.average_capacity_curve(n, noise, max_degree=12, trials=200)
        assert np.all(np.diff(c.train_mse) <= 1e-12)
        return int(np.argmin(c.generalization)), c

    d30, c = best(30, 0.3)
    assert 2 < d30 < 12 and c.generalization[12] > 3 * c.generalization[d30]
    assert c.generalization[0] > 3 * c.generalization[d30]
    assert best(200, 0.3)[0] > d30           # more data: more capacity pays off
    assert best(30, 1.0)[0] < best(200, 0.1)[0]  # more noise, less data: less capacity


@pytest.mark.parametrize("statistic", ["median", "mean"])
def test_average_capacity_curve_equals_loop(statistic):
    c = gen.average_capacity_curve(15, 0.3, max_degree=6, trials=4, seed=5, statistic=statistic)
    x, y = gen.sample(15, 0.3, "sine", 5, trials=4)
    summary = np.median if statistic == "median" else np.mean
    for d in range(7):
        thetas = [gen.fit_polynomial(x[t], y[t], d) for t in range(4)]
        train = [np.mean((gen.predict(th, x[t]) - y[t]) ** 2) for t, th in enumerate(thetas)]
        g = [gen.generalization_error(th, "sine", 0.3) for th in thetas]
        assert c.train_mse[d] == pytest.approx(summary(train), rel=1e-9)
        assert c.generalization[d] == pytest.approx(summary(g), rel=1e-9)
    assert c.statistic == statistic


def test_generalization_error_exact_and_against_monte_carlo():
    # θ = 0 against f(x) = x/2: ½ ∫ x²/4 dx = 1/12, plus σ²
    assert gen.generalization_error(np.zeros(3), "line", 0.5) == pytest.approx(1 / 12 + 0.25,
                                                                               rel=1e-13)
    theta = gen.fit_polynomial(*_data(20), 7)
    exact = gen.generalization_error(theta, "sine", 0.3)
    x, y = gen.sample(400_000, 0.3, "sine", seed=11)
    sq = (gen.predict(theta, x) - y) ** 2
    assert abs(sq.mean() - exact) < 4 * sq.std() / np.sqrt(len(sq))
    batch = gen.generalization_error(np.stack([theta, 2 * theta]), "sine", 0.3)
    assert batch.shape == (2,) and batch[0] == pytest.approx(exact)


# ----------------------------------------------------------------------------------------------
# λ path, validation


def test_lambda_path_equals_loop_shrinks_weights_and_raises_training_error():
    train, test = _data(20), _data(300, seed=1)
    lams = np.geomspace(1e-8, 10, 30)
    path = gen.lambda_path(train, test, 12, lams)
    for i in (0, 13, 29):
        theta = gen.fit_polynomial(*train, 12, lams[i])
        assert np.allclose(path.theta[i], theta, rtol=1e-9)
        assert path.weight_norm[i] == pytest.approx(np.linalg.norm(theta[1:]))
    assert np.all(np.diff(path.weight_norm) < 0)
    assert np.all(np.diff(path.train_mse) >= -1e-12)
    best = int(np.argmin(path.test_mse))
    assert 0 < best < 29   # regularisation helps the test error, and too much hurts


def test_select_on_validation_equals_brute_force():
    train, val, test = _data(30), _data(30, seed=1), _data(30, seed=2)
    degrees, lams = [1, 3, 5, 9, 12], [1e-6, 1e-3, 1e-1]
    sel = gen.select_on_validation(train, val, test, degrees, lams)
    scores = {(d, lam): np.mean((gen.predict(gen.fit_polynomial(*train, d, lam), val[0])
                                 - val[1]) ** 2) for d in degrees for lam in lams}
    d, lam = min(scores, key=scores.get)
    assert (sel.degree, sel.lam) == (d, lam)
    assert sel.val_mse.shape == (3, 5)
    assert np.min(sel.val_mse) == pytest.approx(scores[d, lam])
    theta = gen.fit_polynomial(*train, d, lam)
    assert np.allclose(sel.theta[: d + 1], theta) and np.all(sel.theta[d + 1:] == 0)
    assert sel.test_mse == pytest.approx(np.mean((gen.predict(theta, test[0]) - test[1]) ** 2))


def test_choosing_on_test_is_optimistic_choosing_on_validation_is_not():
    sb = gen.selection_bias(trials=400, seed=0)
    v_gap = sb.reported["validation"] - sb.true["validation"]
    t_gap = sb.true["test"] - sb.reported["test"]
    assert abs(v_gap) < 3 * sb.stderr["validation"]
    assert t_gap > 5 * sb.stderr["test"]


# ----------------------------------------------------------------------------------------------
# no free lunch


def test_rank_swap_and_equals_loop():
    rs = gen.rank_swap(trials=500, seed=0)
    err, se = rs.error, rs.stderr
    assert err[0, 0] + 4 * (se[0, 0] + se[0, 1]) < err[0, 1]   # "line": the line wins
    assert err[1, 1] + 4 * (se[1, 0] + se[1, 1]) < err[1, 0]   # "wiggle": degree 9 wins
    # the same numbers from a loop over trials
    small = gen.rank_swap(trials=5, seed=3)
    rng = np.random.default_rng(3)
    for p, process in enumerate(small.processes):
        x, y = gen.sample(20, 0.3, process, rng, 5)
        for j, d in enumerate(small.degrees):
            e = [gen.generalization_error(gen.fit_polynomial(x[t], y[t], d, 0.01), process, 0.3)
                 for t in range(5)]
            assert small.error[p, j] == pytest.approx(np.mean(e), rel=1e-9)


def test_off_training_set_errors_average_to_one_half_exactly():
    res = gen.off_training_set_errors(8, (0, 2, 4, 6))
    assert res.targets.shape == (256, 8) and len(np.unique(res.targets, axis=0)) == 256
    assert res.test.tolist() == [1, 3, 5, 7]
    for errors in res.errors.values():
        assert errors.mean() == 0.5
    # nearest neighbour written out: the closest training point, the left one on ties
    for code in (0, 77, 200, 255):
        t = res.targets[code]
        pred = [t[min(res.train, key=lambda j, i=i: (abs(i - j), j))] for i in res.test]
        assert res.errors["nearest neighbour"][code] == np.mean(np.array(pred) != t[res.test])
    diff = res.errors["nearest neighbour"] - res.errors["majority"]
    assert np.sum(diff < 0) == np.sum(diff > 0) > 0   # each wins on as many targets as it loses
    smooth = np.sum(np.abs(np.diff(res.targets, axis=1)), axis=1) <= 1
    assert res.errors["nearest neighbour"][smooth].mean() < res.errors["majority"][smooth].mean()


# ----------------------------------------------------------------------------------------------
# invalid arguments


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: gen.sample(0), r"n must be an integer in \[1, inf\); got 0"),
        (lambda: gen.sample(5, noise=-1), r"noise must be in \[0, 1e\+100\]; got -1"),
        (lambda: gen.sample(5, target="cosine"), "target must be one of 'sine', 'line', 'wiggle'"),
        (lambda: gen.sample(5, trials=0), "trials must be an integer"),
        (lambda: gen.polynomial_features([0.5, 2.0], 3), r"x must be in \[-1, 1\]"),
        (lambda: gen.polynomial_features([0.5], -1), r"degree must be an integer in \[0, 1000\]"),
        (lambda: gen.polynomial_features([0.5], 2, basis="chebyshev"), "basis must be one of"),
        (lambda: gen.polynomial_features(0.5, 2), "x must have at least one axis"),
        (lambda: gen.fit_polynomial([0.1, 0.2], [1.0], 1), "x and y must have the same shape"),
        (lambda: gen.fit_polynomial([0.1, 0.2], [1.0, 2.0], 1, lam=-0.1),
         r"lam must be in \[0, inf\); got -0.1"),
        (lambda: gen.fit_polynomial([0.1, 0.2], [1.0, 2.0], 3), "N >= P"),
        (lambda: gen.fit_polynomial([0.1, 0.1, 0.1], [1.0, 2.0, 3.0], 2), "no unique solution"),
        (lambda: gen.fit_all_degrees([0.1, 0.2], [1.0, 2.0], 2), "max_degree must be at most"),
        (lambda: gen.least_squares(np.ones((3, 2)), np.ones(4)), "y must have one value per row"),
        (lambda: gen.least_squares(np.ones(3), np.ones(3)), "X must have at least 2 axes"),
        (lambda: gen.lambda_path(_data(), _data(), 3, [-1.0]), r"lams must be in \[0, inf\)"),
        (lambda: gen.select_on_validation(_data(), _data(), _data(), [1], [-1.0]),
         r"lams must be in \[0, inf\)"),
        (lambda: gen.generalization_error(np.zeros(2), "cos"), "target must be one of"),
        (lambda: gen.off_training_set_errors(20), r"n_points must be an integer in \[2, 16\]"),
        (lambda: gen.average_capacity_curve(20, statistic="mode"), "statistic must be one of"),
        (lambda: gen.off_training_set_errors(4, (0, 5)), "train must be a non-empty proper subset"),
        (lambda: gen.select_on_validation(_data(), _data(), _data(), [-1], [0.1]),
         r"degrees\[0\] must be an integer in \[0, 1000\]; got -1"),
    ],
)
def test_invalid_arguments_raise_value_error_naming_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_nan_and_wrong_kinds_are_refused():
    with pytest.raises(ValueError, match="x must"):
        gen.polynomial_features([np.nan, 0.1], 2)
    with pytest.raises(TypeError, match="x must be an array of real numbers"):
        gen.polynomial_features("abc", 2)
    with pytest.raises(ValueError, match="y must hold finite numbers"):
        gen.fit_polynomial([0.1, 0.2], [1.0, np.inf], 1)


# ----- what the figures show: clipped predictions, the optimal capacity -----------------------
def test_predict_clipped_is_predict_inside_the_limit_and_the_limit_beyond():
    theta = gen.fit_polynomial(*gen.sample(15, 0.3, seed=1), 14)     # explodes off its points
    x = np.linspace(-1.0, 1.0, 301)
    raw = gen.predict(theta, x)
    got = gen.predict_clipped(theta, x, 3.0)
    inside = np.abs(raw) <= 3.0
    assert inside.any() and not inside.all()
    np.testing.assert_array_equal(got[inside], raw[inside])
    np.testing.assert_array_equal(got[~inside], 3.0 * np.sign(raw[~inside]))
    huge = gen.predict_clipped([0.0, 1e308, 1e308], [1.0], 10.0, basis="monomial")  # ŷ = inf
    assert huge.tolist() == [10.0]


@pytest.mark.parametrize("limit", [0.0, -1.0, np.nan, [1.0, 2.0]])
def test_predict_clipped_rejects_a_bad_limit(limit):
    with pytest.raises((ValueError, TypeError), match="limit must be"):
        gen.predict_clipped([1.0], [0.0], limit)


def test_average_curve_best_degree_is_the_degree_of_the_smallest_generalization_error():
    avg = gen.average_capacity_curve(20, 0.3, max_degree=10, trials=20, seed=1)
    errors = avg.generalization.tolist()
    assert avg.best_degree == errors.index(min(errors))
    assert isinstance(avg.best_degree, int)
    shifted = avg._replace(degrees=avg.degrees + 3)
    assert shifted.best_degree == avg.best_degree + 3
