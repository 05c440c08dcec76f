"""Tests for npfl_helpers.quadratic_theory: the heavy-ball optimum and the (α, β) phase diagram,
against the iteration matrices and single runs written out here."""

import numpy as np
import pytest

from npfl_helpers import optim, quadratic_theory, surfaces

pytestmark = pytest.mark.filterwarnings("error")


def _heavy_ball_rate(alpha, beta, lambdas):
    """Spectral radius of the heavy-ball iteration θ_{t+1} = θ_t − αλθ_t + β(θ_t − θ_{t−1})."""
    rho = 0.0
    for lam in lambdas:
        M = np.array([[1 + beta - alpha * lam, -beta], [1.0, 0.0]])
        rho = max(rho, np.abs(np.linalg.eigvals(M)).max())
    return rho


@pytest.mark.parametrize("kappa", [4.0, 100.0, 1000.0])
def test_heavy_ball_optimum_is_the_fastest_rate(kappa):
    a, b = quadratic_theory.heavy_ball_optimum(1.0, kappa)
    assert a == pytest.approx(4 / (1 + np.sqrt(kappa)) ** 2)
    rho = _heavy_ball_rate(a, b, (1.0, kappa))
    assert rho == pytest.approx((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1), rel=1e-4)
    for da in (0.9, 1.1):
        for db in (-0.02, 0.0, 0.02):
            if (da, db) != (1.0, 0.0):
                assert _heavy_ball_rate(a * da, b + db, (1.0, kappa)) > rho


@pytest.mark.parametrize("l1, ln", [(1.0, 1.0), (0.5, 8.0), (2.0, 50.0), (1e-3, 1.0)])
def test_heavy_ball_optimum_formula_written_out(l1, ln):
    a, b = quadratic_theory.heavy_ball_optimum(l1, ln)
    kappa = ln / l1
    assert a == pytest.approx((2 / (np.sqrt(l1) + np.sqrt(ln))) ** 2, rel=1e-12)
    assert b == pytest.approx(((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2, abs=1e-15)
    # its rate √β* beats the best gradient descent, (κ − 1)/(κ + 1), unless κ = 1
    gd = (kappa - 1) / (kappa + 1)
    assert np.sqrt(b) <= gd and (np.sqrt(b) < gd or kappa == 1.0)


def test_heavy_ball_optimum_converges_fastest_in_a_run():
    s = surfaces.quadratic(kappa=100.0)
    a, b = quadratic_theory.heavy_ball_optimum(*s.lambdas)
    best = optim.run(optim.momentum(lr=a, beta=b), s.grad, s.start, 200, loss_fn=s.f)
    for lr, beta in ((a, 0.9), (a, 0.3), (0.5 * a, b), (1 / s.lambdas[1], 0.0)):
        other = optim.run(optim.momentum(lr=lr, beta=beta), s.grad, s.start, 200, loss_fn=s.f)
        assert other.diverged or best.losses[-1] < 1e-6 * other.losses[-1]
    assert not best.diverged


def test_phase_diagram_is_one_broadcast_run_per_optimizer():
    lrs, betas = np.array([1e-3, 0.01, 0.1]), np.array([0.0, 0.9])
    ratio, div = quadratic_theory.phase_diagram("momentum", 10.0, 40, lrs, betas)
    assert ratio.shape == div.shape == (3, 2)
    s = surfaces.quadratic(kappa=10.0)
    for i, lr in enumerate(lrs):
        for j, beta in enumerate(betas):
            traj = optim.run(optim.momentum(lr=lr, beta=beta), s.grad, s.start, 40)
            assert div[i, j] == traj.diverged
            if not traj.diverged:
                assert ratio[i, j] == pytest.approx(s.f(traj.thetas[-1]) / s.f(s.start))


def test_phase_diagram_of_nesterov_and_its_diverged_cells():
    lrs, betas = np.array([0.01, 0.15, 0.5]), np.array([0.0, 0.5, 0.95])
    ratio, div = quadratic_theory.phase_diagram("nesterov", 10.0, 60, lrs, betas)
    s = surfaces.quadratic(kappa=10.0)
    for i, lr in enumerate(lrs):
        for j, beta in enumerate(betas):
            traj = optim.run(optim.nesterov(lr=lr, beta=beta), s.grad, s.start, 60)
            assert div[i, j] == traj.diverged
            if traj.diverged:
                assert np.isnan(ratio[i, j])
            else:
                assert ratio[i, j] == pytest.approx(s.f(traj.thetas[-1]) / s.f(s.start))
    assert div[2].all()  # α = 0.5 > 2/λ_max = 0.2 diverges for every β here
    assert not div[0].any()


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: quadratic_theory.heavy_ball_optimum(0.0, 1.0),
         r"lambda_min must be in \(0, inf\)"),
        (lambda: quadratic_theory.heavy_ball_optimum(2.0, 1.0),
         r"lambda_max must be in \[2, inf\)"),
        (lambda: quadratic_theory.phase_diagram("sgd", 10.0, 5, [0.1], [0.5]),
         "name must be one of"),
        (lambda: quadratic_theory.phase_diagram("momentum", 10.0, -1, [0.1], [0.5]), "steps"),
        (lambda: quadratic_theory.phase_diagram("momentum", 10.0, 5, [0.1], [1.0]), "beta"),
    ],
)
def test_invalid_arguments_raise(make, match):
    with pytest.raises(ValueError, match=match):
        make()


# --- noisy gradients and the noise floor of SGD ---------------------------------------------

def test_noisy_gradient_is_the_gradient_plus_seeded_gaussian_noise():
    def grad_fn(theta):
        return 3.0 * theta

    theta = np.zeros((200_000, 2)) + [1.0, -2.0]
    g = quadratic_theory.noisy_gradient(grad_fn, sigma=0.5, seed=3)(theta)
    noise = g - grad_fn(theta)
    assert abs(noise.mean()) < 0.01 and abs(noise.std() - 0.5) < 0.01
    rng = np.random.default_rng(3)  # the same draws as numpy's generator with that seed
    np.testing.assert_allclose(noise, 0.5 * rng.normal(size=theta.shape), atol=1e-12)
    a = quadratic_theory.noisy_gradient(grad_fn, 1.0, seed=0)
    b = quadratic_theory.noisy_gradient(grad_fn, 1.0, seed=0)
    x = np.ones(3)
    first = a(x)
    np.testing.assert_array_equal(first, b(x))     # same seed, same noise
    assert not np.array_equal(first, a(x))         # a new draw on every call
    with pytest.raises(ValueError, match="sigma"):
        quadratic_theory.noisy_gradient(grad_fn, -1.0)


@pytest.mark.parametrize("alpha", [0.01, 0.1, 0.15])
def test_noise_floor_formula_written_out(alpha):
    lambdas, sigma = (1.0, 10.0), 2.0
    # E[u²] = ασ²/(λ(2 − αλ)) per eigendirection, J = ½ Σ λ u²
    expected = sum(0.5 * lam * alpha * sigma**2 / (lam * (2 - alpha * lam)) for lam in lambdas)
    assert quadratic_theory.noise_floor(alpha, sigma, lambdas) == pytest.approx(expected)
    floors = quadratic_theory.noise_floor(np.array([alpha, alpha / 2]), sigma, lambdas)
    assert floors.shape == (2,) and floors[0] == pytest.approx(expected)


def test_noise_floor_is_where_sgd_stalls():
    bowl = surfaces.quadratic(kappa=10.0, angle=np.pi / 6)
    alpha, sigma, runs = 0.1, 1.0, 2000
    grad = quadratic_theory.noisy_gradient(bowl.grad, sigma, seed=0)
    theta0 = np.broadcast_to(bowl.start, (runs, 2))
    traj = optim.run(optim.sgd(lr=alpha), grad, theta0, 600, loss_fn=bowl.f)
    measured = traj.losses[-300:].mean()  # stationary after ~1/(αλ_min) = 10 steps
    predicted = quadratic_theory.noise_floor(alpha, sigma, bowl.lambdas)
    assert measured == pytest.approx(predicted, rel=0.03)


@pytest.mark.parametrize(("args", "match"), [
    ((0.0, 1.0, [1.0, 10.0]), "lr"),
    ((0.2, 1.0, [1.0, 10.0]), "lr"),      # 2/λ_max: SGD does not converge
    ((0.1, -1.0, [1.0, 10.0]), "sigma"),
    ((0.1, 1.0, [0.0, 10.0]), "lambdas"),
    ((0.1, 1.0, []), "lambdas"),
])
def test_noise_floor_rejects_bad_arguments(args, match):
    with pytest.raises(ValueError, match=match):
        quadratic_theory.noise_floor(*args)


# --- eigendirections and the 2×2 iteration ---------------------------------------------------

qt = quadratic_theory


def _one_step(name, lr, beta, lam, u, v):
    """One step of the package's optimiser on J(u) = ½λu² (one coordinate), from (u, v)."""
    opt = optim.sgd(lr=lr) if name == "sgd" else optim.OPTIMIZERS[name](lr=lr, beta=beta)
    state = opt.init(np.array([u])) if name == "sgd" else optim.MomentumState(0, np.array([v]))
    theta, state = opt.step(np.array([u]), state, lambda th: lam * th)
    return theta[0], (theta[0] - u if name == "sgd" else state.v[0])


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov"])
def test_iteration_matrix_is_one_step_of_the_optimizer(name):
    rng = np.random.default_rng(1)
    for _ in range(20):
        lr, beta, lam = rng.uniform(0.001, 0.5), rng.uniform(0, 0.99), rng.uniform(0.1, 20)
        u, v = rng.normal(size=2)
        if name == "sgd":
            v = 0.0  # GD keeps no velocity: its (u, v) state is (u, last step)
        M = qt.iteration_matrix(name, lr, beta, lam)
        np.testing.assert_allclose(M @ [u, v], _one_step(name, lr, beta, lam, u, v), rtol=1e-12,
                                   atol=1e-12)


def test_iteration_matrix_written_out_and_broadcast():
    a, b, lam = 0.05, 0.7, np.array([1.0, 4.0, 30.0])
    M = qt.iteration_matrix("momentum", a, b, lam)
    assert M.shape == (3, 2, 2)
    for k, l in enumerate(lam):
        np.testing.assert_allclose(M[k], [[1 - a * l, b], [-a * l, b]])
    N = qt.iteration_matrix("nesterov", a, b, lam)
    for k, l in enumerate(lam):
        np.testing.assert_allclose(N[k], [[1 - a * l, b * (1 - a * l)], [-a * l, b * (1 - a * l)]])
    G = qt.iteration_matrix("sgd", a, b, lam)  # β is ignored: GD
    np.testing.assert_allclose(G, qt.iteration_matrix("momentum", a, 0.0, lam))


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov"])
def test_iteration_eigenvalues_are_those_of_the_matrix(name):
    rng = np.random.default_rng(2)
    lr, beta = rng.uniform(0.001, 0.3, 200), rng.uniform(0, 0.99, 200)
    lam = rng.uniform(0.1, 30, 200)
    roots = qt.iteration_eigenvalues(name, lr, beta, lam)
    M = qt.iteration_matrix(name, lr, beta, lam)
    ref = np.linalg.eigvals(M)
    ref = np.take_along_axis(ref, np.argsort(-np.abs(ref), axis=-1), axis=-1)
    np.testing.assert_allclose(np.abs(roots), np.abs(ref), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(roots.sum(-1), np.trace(M, axis1=-2, axis2=-1), atol=1e-9)
    np.testing.assert_allclose(roots.prod(-1), np.linalg.det(M), atol=1e-9)


def test_convergence_rate_is_the_spectral_radius_and_the_known_optima():
    lambdas = [1.0, 3.0, 50.0]
    for name, lr, beta in (("sgd", 0.02, 0.0), ("momentum", 0.03, 0.6), ("nesterov", 0.01, 0.9)):
        M = qt.iteration_matrix(name, lr, beta, np.array(lambdas))
        rho = np.abs(np.linalg.eigvals(M)).max()
        assert qt.convergence_rate(name, lr, beta, lambdas) == pytest.approx(rho)
    kappa = 50.0
    best_gd = qt.convergence_rate("sgd", 2 / (1 + kappa), 0.0, [1.0, kappa])
    assert best_gd == pytest.approx((kappa - 1) / (kappa + 1))
    a, b = qt.heavy_ball_optimum(1.0, kappa)
    hb = qt.convergence_rate("momentum", a, b, [1.0, kappa])
    assert hb == pytest.approx(np.sqrt(b), rel=1e-6)
    rates = qt.convergence_rate("momentum", np.array([[a], [a / 2]]),
                                              np.array([0.0, b]), [1.0, kappa])
    assert rates.shape == (2, 2) and rates[0, 1] == pytest.approx(hb)


def _measured_rate(traj, start, stop, window=40):
    """Per-step factor of the envelope of ‖θ_t‖ (maxima over windows longer than a ripple)."""
    d = np.linalg.norm(traj.thetas, axis=-1)
    return (d[stop - window:stop].max() / d[start - window:start].max()) ** (1 / (stop - start))


def test_convergence_rate_matches_a_run():
    s = surfaces.quadratic(kappa=20.0, angle=0.3)
    for name, lr, beta in (("momentum", 0.05, 0.3), ("nesterov", 0.04, 0.8),
                           ("momentum", 0.02, 0.95)):
        traj = optim.run(optim.OPTIMIZERS[name](lr=lr, beta=beta), s.grad, s.start, 400)
        rho = qt.convergence_rate(name, lr, beta, s.lambdas)
        assert _measured_rate(traj, 200, 400) == pytest.approx(rho, abs=0.01)


@pytest.mark.parametrize("name", ["momentum", "nesterov"])
def test_critical_beta_gives_a_double_root_and_separates_the_regimes(name):
    for lr, lam in ((0.01, 1.0), (0.05, 3.0), (0.002, 100.0), (0.5, 1.5)):
        bc = qt.critical_beta(name, lr, lam)
        if name == "nesterov" and lr * lam >= 1:
            assert np.isnan(bc)
            continue
        M = qt.iteration_matrix(name, lr, bc, lam)
        r1, r2 = np.linalg.eigvals(M)
        assert abs(r1 - r2) < 1e-6  # a double root
        assert qt.damping(name, lr, bc, lam) == "critically damped"
        below, above = max(bc - 0.02, 0.0), min(bc + 0.02, 0.99)
        if below < bc:
            assert np.isreal(np.linalg.eigvals(qt.iteration_matrix(name, lr, below, lam))).all()
            assert qt.damping(name, lr, below, lam) == "overdamped"
        assert np.iscomplex(np.linalg.eigvals(qt.iteration_matrix(name, lr, above, lam))).all()
        assert qt.damping(name, lr, above, lam) == "underdamped"


def test_critical_beta_written_out_and_at_the_heavy_ball_optimum():
    lr, lam = 0.02, np.array([0.5, 2.0, 10.0, 300.0])
    s = np.sqrt(lr * lam)
    expected = np.where((1 - s) ** 2 < 1, (1 - s) ** 2, np.nan)
    np.testing.assert_allclose(qt.critical_beta("momentum", lr, lam), expected)
    nest = np.where(s < 1, (1 - s) / (1 + s), np.nan)
    np.testing.assert_allclose(qt.critical_beta("nesterov", lr, lam), nest)
    for kappa in (10.0, 50.0, 1000.0):
        a, b = qt.heavy_ball_optimum(1.0, kappa)
        both = qt.critical_beta("momentum", a, [1.0, kappa])
        np.testing.assert_allclose(both, [b, b], rtol=1e-9)  # both extremes critically damped


def test_damping_of_gradient_descent():
    # β = 0: real roots (1 − αλ and 0); a double root only where αλ = 1 (one-step solve)
    assert qt.damping("sgd", 0.05, 0.0, [1.0, 20.0, 30.0]).tolist() == [
        "overdamped", "critically damped", "overdamped"]


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov"])
def test_stability_limit_is_where_runs_start_to_diverge(name):
    s = surfaces.quadratic(kappa=10.0)
    for beta in (0.0, 0.5, 0.9):
        limit = qt.stability_limit(name, beta, s.lambdas[1])
        expected = {"sgd": 2 / 10, "momentum": 2 * (1 + beta) / 10,
                    "nesterov": (2 + 2 * beta) / ((1 + 2 * beta) * 10)}[name]
        assert limit == pytest.approx(expected)
        lrs = np.array([0.97 * limit, 1.03 * limit])[:, None]
        opt = optim.sgd(lr=lrs) if name == "sgd" else optim.OPTIMIZERS[name](lr=lrs, beta=beta)
        traj = optim.run(opt, s.grad, np.broadcast_to(s.start, (2, 2)), 3000)
        assert traj.diverged.tolist() == [False, True]
        rates = qt.convergence_rate(name, lrs[:, 0], beta, s.lambdas)
        assert rates[0] < 1 < rates[1]


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov"])
def test_direction_errors_are_the_run_seen_along_the_eigenvectors(name):
    s = surfaces.quadratic(kappa=30.0, angle=0.7)
    lambdas, Q = qt.eigendirections(s.hessian(np.zeros(2)))
    np.testing.assert_allclose(lambdas, s.lambdas)
    lrs, betas = np.array([0.01, 0.04, 0.045]), np.array([0.3, 0.9, 0.6])  # all stable
    u = qt.direction_errors(name, lrs, betas, lambdas, s.start @ Q, 120)
    assert u.shape == (121, 3, 2)
    for k in range(3):
        opt = (optim.sgd(lr=lrs[k]) if name == "sgd"
               else optim.OPTIMIZERS[name](lr=lrs[k], beta=betas[k]))
        traj = optim.run(opt, s.grad, s.start, 120)
        np.testing.assert_allclose(u[:, k], traj.thetas @ Q, atol=1e-9, equal_nan=True)


def test_direction_errors_match_the_closed_form_in_the_roots():
    # u_t = S_t u_1 − det(M) S_{t−1} u_0 with S_t = (r₁ᵗ − r₂ᵗ)/(r₁ − r₂), u_1 = (1 − αλ) u_0
    lr, beta, lam, u0 = 0.03, 0.8, np.array([1.0, 10.0, 60.0]), np.array([1.0, -0.5, 0.2])
    t = np.arange(80)[:, None]
    r1, r2 = np.moveaxis(np.linalg.eigvals(qt.iteration_matrix("momentum", lr, beta, lam)), -1, 0)
    S = lambda n: (r1**n - r2**n) / (r1 - r2)  # noqa: E731
    closed = (S(t) * (1 - lr * lam) * u0 - beta * S(t - 1) * u0).real
    u = qt.direction_errors("momentum", lr, beta, lam, u0, 79)
    np.testing.assert_allclose(u, closed, atol=1e-12)


def test_direction_errors_of_a_diverging_direction_become_nan_quietly():
    u = qt.direction_errors("sgd", 0.5, 0.0, [1.0, 10.0], [1.0, 1.0], 400)
    assert np.isfinite(u[:, 0]).all()          # |1 − 0.5| < 1
    assert np.isnan(u[-1, 1]) and np.isfinite(u[:3, 1]).all()   # |1 − 5| = 4: leaves 10⁶


def test_eigendirections_are_orthonormal_and_sorted():
    A = surfaces.quadratic(kappa=25.0, angle=0.4).hessian(np.zeros(2))
    lambdas, Q = qt.eigendirections(A)
    np.testing.assert_allclose(lambdas, [1.0, 25.0])
    np.testing.assert_allclose(Q.T @ Q, np.eye(2), atol=1e-12)
    np.testing.assert_allclose(A @ Q, Q * lambdas, atol=1e-12)


# --- noise floors of momentum and Nesterov ----------------------------------------------------

@pytest.mark.parametrize("alpha, beta", [(0.01, 0.0), (0.02, 0.5), (0.01, 0.9), (0.1, 0.9)])
def test_momentum_noise_floor_written_out(alpha, beta):
    lambdas, sigma = (1.0, 10.0), 1.5
    expected = sum((1 + beta) * alpha * sigma**2 / (2 * (1 - beta) * (2 * (1 + beta) - alpha * lam))
                   for lam in lambdas)
    assert qt.noise_floor(alpha, sigma, lambdas, beta=beta) == pytest.approx(expected)


@pytest.mark.parametrize("name, alpha, beta", [("momentum", 0.02, 0.5), ("momentum", 0.01, 0.9),
                                               ("nesterov", 0.02, 0.5), ("nesterov", 0.01, 0.9)])
def test_noise_floor_of_momentum_is_where_a_monte_carlo_run_stalls(name, alpha, beta):
    bowl = surfaces.quadratic(kappa=10.0, angle=np.pi / 6)
    runs, sigma = 2000, 1.0
    grad = qt.noisy_gradient(bowl.grad, sigma, seed=1)
    traj = optim.run(optim.OPTIMIZERS[name](lr=alpha, beta=beta), grad,
                     np.broadcast_to(bowl.start, (runs, 2)), 800, loss_fn=bowl.f)
    measured = traj.losses[-400:].mean()  # transient gone after ~300 steps (rate ≤ 0.99)
    predicted = qt.noise_floor(alpha, sigma, bowl.lambdas, beta=beta, name=name)
    assert measured == pytest.approx(predicted, rel=0.03)


def test_noise_floor_broadcasts_over_alpha_and_beta():
    lrs, betas = np.array([[0.01], [0.02]]), np.array([0.0, 0.5, 0.9])
    floors = qt.noise_floor(lrs, 1.0, [1.0, 10.0], beta=betas)
    assert floors.shape == (2, 3)
    assert floors[1, 2] == pytest.approx(qt.noise_floor(0.02, 1.0, [1.0, 10.0], beta=0.9))
    assert floors[0, 0] == pytest.approx(qt.noise_floor(0.01, 1.0, [1.0, 10.0]))


def test_noise_floor_approximation_and_its_condition():
    lambdas = np.array([1.0, 10.0])
    assert qt.noise_floor_approx(0.01, 2.0, lambdas, beta=0.5) == pytest.approx(
        2 * 0.01 * 4.0 / (4 * 0.5))
    for beta in (0.0, 0.5, 0.9):
        for alpha in (0.001, 0.01):  # αλ_max ≤ 0.1: within 5 %
            exact = qt.noise_floor(alpha, 1.0, lambdas, beta=beta)
            approx = qt.noise_floor_approx(alpha, 1.0, lambdas, beta=beta)
            assert 0.95 < approx / exact <= 1
        # per direction, low by the factor 1 − αλ/(2(1 + β))
        alpha, lam = 0.1, np.array([10.0])
        ratio = (qt.noise_floor_approx(alpha, 1.0, lam, beta=beta)
                 / qt.noise_floor(alpha, 1.0, lam, beta=beta))
        assert ratio == pytest.approx(1 - alpha * 10 / (2 * (1 + beta)))
    # β = 0 and αλ = 1: the approximation is 50 % low in that direction
    assert qt.noise_floor_approx(0.1, 1.0, [10.0]) == pytest.approx(
        0.5 * qt.noise_floor(0.1, 1.0, [10.0]))


@pytest.mark.parametrize(("make", "match"), [
    (lambda: qt.noise_floor(0.39, 1.0, [1.0, 10.0], beta=0.9), r"lr must be in \(0, 0\.38\)"),
    (lambda: qt.noise_floor(0.14, 1.0, [1.0, 10.0], beta=0.9, name="nesterov"), "lr"),
    (lambda: qt.noise_floor(0.1, 1.0, [1.0, 10.0], beta=1.0), "beta"),
    (lambda: qt.noise_floor(0.1, 1.0, [1.0], name="adam"), "name"),
    (lambda: qt.noise_floor_approx(0.1, -1.0, [1.0]), "sigma"),
    (lambda: qt.iteration_matrix("adam", 0.1, 0.9, 1.0), "name"),
    (lambda: qt.iteration_matrix("momentum", 0.0, 0.9, 1.0), "lr"),
    (lambda: qt.iteration_matrix("momentum", 0.1, 1.0, 1.0), "beta"),
    (lambda: qt.iteration_matrix("momentum", 0.1, 0.9, -1.0), "lam"),
    (lambda: qt.critical_beta("sgd", 0.1, 1.0), "name"),
    (lambda: qt.convergence_rate("momentum", 0.1, 0.9, []), "lambdas"),
    (lambda: qt.direction_errors("momentum", 0.1, 0.9, [1.0], [1.0], -1), "steps"),
    (lambda: qt.direction_errors("momentum", 0.1, 0.9, [1.0], [np.nan], 5), "u0"),
    (lambda: qt.eigendirections(np.ones((2, 3))), "square"),
    (lambda: qt.eigendirections([[1.0, 2.0], [0.0, 1.0]]), "symmetric"),
    (lambda: qt.eigendirections([[1.0, 0.0], [0.0, -1.0]]), "positive definite"),
    (lambda: qt.stability_limit("momentum", 0.5, 0.0), "lam"),
])
def test_theory_rejects_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("name", ["momentum", "nesterov"])
def test_direction_errors_with_noise_are_the_noisy_run_along_the_eigenvectors(name):
    bowl = surfaces.quadratic(kappa=10.0, angle=np.pi / 6)
    lambdas, Q = qt.eigendirections(bowl.hessian(np.zeros(2)))
    runs, steps, sigma = 40, 60, 0.7
    grad = qt.noisy_gradient(bowl.grad, sigma, seed=3)
    traj = optim.run(optim.OPTIMIZERS[name](lr=0.05, beta=0.8), grad,
                     np.broadcast_to(bowl.start, (runs, 2)), steps)
    xi = np.random.default_rng(3).normal(size=(steps, runs, 2))  # the draws noisy_gradient made
    u = qt.direction_errors(name, 0.05, 0.8, lambdas, bowl.start @ Q, steps, noise=sigma * xi @ Q)
    np.testing.assert_allclose(u, traj.thetas @ Q, atol=1e-12)
    # broadcast: SGD and momentum over the same runs, one call
    both = qt.direction_errors(name, 0.05, np.array([[0.0], [0.8]]), lambdas, bowl.start @ Q,
                               steps, noise=sigma * xi @ Q)
    assert both.shape == (steps + 1, 2, runs, 2)
    np.testing.assert_allclose(both[:, 1], u, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# transient_loss: what is left of the start, against heavy-ball momentum run step by step


def _heavy_ball_losses(lr, beta, lambdas, theta0, steps):
    """J(θ_t), t = 0 … steps, of the lecture's momentum (v ← βv − αg, θ ← θ + v) on
    J(θ) = ½ Σ λ_i θ_i², written out directly."""
    lam = np.asarray(lambdas, dtype=float)
    theta, v = np.array(theta0, dtype=float), np.zeros(len(lam))
    out = [0.5 * np.sum(lam * theta**2)]
    for _ in range(steps):
        v = beta * v - lr * (lam * theta)
        theta = theta + v
        out.append(0.5 * np.sum(lam * theta**2))
    return np.array(out)


_LAM, _THETA0 = np.array([1.0, 10.0]), np.array([-1.6, 0.9])


@pytest.mark.parametrize("steps, tail", [(0, 0), (1, 1), (40, 10), (300, 75)])
def test_transient_loss_is_exact_for_gradient_descent(steps, tail):
    losses = _heavy_ball_losses(0.05, 0.0, _LAM, _THETA0, steps)
    got = qt.transient_loss("momentum", 0.05, 0.0, _LAM, 0.5 * _LAM * _THETA0**2, steps, tail)
    assert got == pytest.approx(losses[steps - tail:].mean(), rel=1e-12)
    assert qt.transient_loss("sgd", 0.05, 0.7, _LAM, 0.5 * _LAM * _THETA0**2, steps,
                             tail) == pytest.approx(got, rel=1e-12)  # SGD ignores β


def test_transient_loss_decays_at_the_rate_of_heavy_ball_momentum():
    start = 0.5 * _LAM * _THETA0**2
    # overdamped (α = 0.01, β = 0.5): the slowest root takes over, so the simulated mean loss
    # over the last steps is a fixed multiple of the envelope, over ten decades
    ratios = []
    for steps in (100, 200, 400):
        tail = steps // 4
        sim = _heavy_ball_losses(0.01, 0.5, _LAM, _THETA0, steps)[steps - tail:].mean()
        ratios.append(sim / qt.transient_loss("momentum", 0.01, 0.5, _LAM, start, steps, tail))
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-9)
    assert 0.5 < ratios[0] < 2
    # underdamped (β = 0.9, complex roots of modulus √β): the loss ripples under the envelope
    for steps in (100, 200, 400):
        tail = steps // 4
        sim = _heavy_ball_losses(0.01, 0.9, _LAM, _THETA0, steps)[steps - tail:].mean()
        assert 0.2 < sim / qt.transient_loss("momentum", 0.01, 0.9, _LAM, start, steps,
                                             tail) < 2


def test_transient_loss_beyond_the_stability_limit_and_bad_inputs():
    # ρ = 1 (β = 0, αλ = 2) keeps the start; ρ > 1 grows, to inf without a warning
    assert qt.transient_loss("sgd", 2.0, 0.0, [1.0], [3.0], 50, 10) == pytest.approx(3.0)
    assert qt.transient_loss("sgd", 3.0, 0.0, [1.0], [3.0], 2000, 10) == np.inf
    assert qt.transient_loss("sgd", 3.0, 0.0, [1.0, 2.0], [0.0, 1.0], 3) == 5.0**6  # |1 − 6|⁶
    with pytest.raises(ValueError, match="tail must be"):
        qt.transient_loss("momentum", 0.1, 0.5, [1.0], [1.0], 5, 6)
    with pytest.raises(ValueError, match="start must hold one starting loss per eigenvalue"):
        qt.transient_loss("momentum", 0.1, 0.5, [1.0, 2.0], [1.0, 2.0, 3.0], 5)
    with pytest.raises(ValueError, match="start must be in"):
        qt.transient_loss("momentum", 0.1, 0.5, [1.0], [-1.0], 5)
    with pytest.raises(ValueError, match="beta must be in"):
        qt.transient_loss("momentum", 0.1, 1.0, [1.0], [1.0], 5)
    with pytest.raises(ValueError, match="lr must be"):
        qt.transient_loss("momentum", [0.1, 0.2], 0.5, [1.0], [1.0], 5)


# ---------------------------------------------------------------------------------------------
# gd_rate_curves: gradient descent's contraction per step against α


def test_gd_rate_curves_are_the_factors_and_the_sgd_convergence_rate():
    lam_min, lam_max = 1.0, 10.0
    lrs = np.linspace(0.001, 0.23, 231)
    g = qt.gd_rate_curves(lrs, lam_min, lam_max)
    for a, slow, fast, rate in zip(lrs, g.slow, g.fast, g.rate, strict=True):
        assert slow == pytest.approx(abs(1 - a * lam_min), abs=1e-15)
        assert fast == pytest.approx(abs(1 - a * lam_max), abs=1e-15)
        # the spectral radius of gradient descent's iteration, from its roots
        assert rate == pytest.approx(qt.convergence_rate("sgd", a, 0.0, [lam_min, lam_max]),
                                     abs=1e-12)
    # smallest at α = 2/(λ_min + λ_max), where it is (κ − 1)/(κ + 1); 1 at the limit 2/λ_max
    k = int(np.argmin(g.rate))
    assert lrs[k] == pytest.approx(2 / 11, abs=lrs[1] - lrs[0])
    best = qt.gd_rate_curves(2 / 11, lam_min, lam_max)
    assert float(best.rate) == pytest.approx(9 / 11, rel=1e-12)
    assert float(best.slow) == pytest.approx(float(best.fast), rel=1e-12)
    assert float(qt.gd_rate_curves(0.2, lam_min, lam_max).rate) == pytest.approx(1.0)
    assert np.all(g.rate[lrs > 0.2] > 1) and np.all(g.rate[lrs < 0.2] < 1)
    assert qt.gd_rate_curves(np.ones((2, 3)), 1.0, 3.0).rate.shape == (2, 3)


def test_gd_rate_curves_validate():
    with pytest.raises(ValueError, match="lrs must be learning rates ≥ 0"):
        qt.gd_rate_curves([0.1, -0.1], 1.0, 10.0)
    with pytest.raises(ValueError, match="lrs must be learning rates ≥ 0"):
        qt.gd_rate_curves([np.nan], 1.0, 10.0)
    with pytest.raises(ValueError, match="lambda_min must be in"):
        qt.gd_rate_curves([0.1], 0.0, 10.0)
    with pytest.raises(ValueError, match="lambda_max must be in"):
        qt.gd_rate_curves([0.1], 1.0, np.inf)
    with pytest.raises(TypeError, match="lrs must be"):
        qt.gd_rate_curves("fast", 1.0, 10.0)
