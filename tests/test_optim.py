"""Tests for npfl_helpers.optim: the lecture's formulas, equivalences, convergence, properties."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npfl_helpers import optim, schedules

# ---------------------------------------------------------------------------------------------
# Small problems written out here, independent of npfl_helpers.surfaces


def quad_grad(kappa=10.0):
    lam = np.array([1.0, kappa])
    return lambda th: lam * th


def quad_loss(kappa=10.0):
    lam = np.array([1.0, kappa])
    return lambda th: 0.5 * (lam * th * th).sum(-1)


def rosen_grad(th):
    x, y = th[..., 0], th[..., 1]
    return np.stack([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)], axis=-1)


def noisy_grad(seed=0):
    """A deterministic but irregular gradient field: g(θ) = Aθ + sin(3θ) + 0.5."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(3, 3))
    a = a @ a.T + np.eye(3)
    return lambda th: th @ a.T + np.sin(3 * th) + 0.5


def run_steps(opt, grad_fn, theta, n):
    state = opt.init(theta)
    out = [theta]
    for _ in range(n):
        theta, state = opt.step(theta, state, grad_fn)
        out.append(theta)
    return np.array(out), state


THETA0 = np.array([0.3, -1.2, 2.0])

# ---------------------------------------------------------------------------------------------
# Layer 1: the lecture's formulas, written out element by element with plain Python floats


def ref_sgd(theta, grad, lr, n):
    theta = list(theta)
    out = [list(theta)]
    for _ in range(n):
        g = grad(np.array(theta))
        theta = [th - lr * gi for th, gi in zip(theta, g, strict=True)]
        out.append(theta)
    return np.array(out)


def ref_momentum(theta, grad, lr, beta, n):
    theta, v = list(theta), [0.0] * len(theta)
    out = [list(theta)]
    for _ in range(n):
        g = grad(np.array(theta))
        v = [beta * vi - lr * gi for vi, gi in zip(v, g, strict=True)]
        theta = [th + vi for th, vi in zip(theta, v, strict=True)]
        out.append(theta)
    return np.array(out)


def ref_nesterov(theta, grad, lr, beta, n):
    theta, v = list(theta), [0.0] * len(theta)
    out = [list(theta)]
    for _ in range(n):
        theta = [th + beta * vi for th, vi in zip(theta, v, strict=True)]
        g = grad(np.array(theta))
        v = [beta * vi - lr * gi for vi, gi in zip(v, g, strict=True)]
        theta = [th - lr * gi for th, gi in zip(theta, g, strict=True)]
        out.append(theta)
    return np.array(out)


def ref_adagrad(theta, grad, lr, eps, n, inside=True, r0=0.0):
    theta, r = list(theta), [r0] * len(theta)
    out = [list(theta)]
    for _ in range(n):
        g = grad(np.array(theta))
        r = [ri + gi * gi for ri, gi in zip(r, g, strict=True)]
        den = [math.sqrt(ri + eps) if inside else math.sqrt(ri) + eps for ri in r]
        theta = [th - lr / d * gi for th, d, gi in zip(theta, den, g, strict=True)]
        out.append(theta)
    return np.array(out)


def ref_rmsprop(theta, grad, lr, beta, eps, n, inside=True):
    theta, r = list(theta), [0.0] * len(theta)
    out = [list(theta)]
    for _ in range(n):
        g = grad(np.array(theta))
        r = [beta * ri + (1 - beta) * gi * gi for ri, gi in zip(r, g, strict=True)]
        den = [math.sqrt(ri + eps) if inside else math.sqrt(ri) + eps for ri in r]
        theta = [th - lr / d * gi for th, d, gi in zip(theta, den, g, strict=True)]
        out.append(theta)
    return np.array(out)


def ref_adam(theta, grad, lr, b1, b2, eps, n, inside=True, correct=True):
    theta, s, r = list(theta), [0.0] * len(theta), [0.0] * len(theta)
    out = [list(theta)]
    for t in range(1, n + 1):
        g = grad(np.array(theta))
        s = [b1 * si + (1 - b1) * gi for si, gi in zip(s, g, strict=True)]
        r = [b2 * ri + (1 - b2) * gi * gi for ri, gi in zip(r, g, strict=True)]
        s_hat = [si / (1 - b1**t) if correct else si for si in s]
        r_hat = [ri / (1 - b2**t) if correct else ri for ri in r]
        den = [math.sqrt(ri + eps) if inside else math.sqrt(ri) + eps for ri in r_hat]
        theta = [th - lr * si / d for th, si, d in zip(theta, s_hat, den, strict=True)]
        out.append(theta)
    return np.array(out)


def ref_adam_alpha_t(theta, grad, lr, b1, b2, eps, n):
    theta, s, r = list(theta), [0.0] * len(theta), [0.0] * len(theta)
    out = [list(theta)]
    for t in range(1, n + 1):
        g = grad(np.array(theta))
        s = [b1 * si + (1 - b1) * gi for si, gi in zip(s, g, strict=True)]
        r = [b2 * ri + (1 - b2) * gi * gi for ri, gi in zip(r, g, strict=True)]
        alpha_t = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        theta = [th - alpha_t * si / math.sqrt(ri + eps) for th, si, ri in zip(theta, s, r,
                                                                                strict=True)]
        out.append(theta)
    return np.array(out)


N = 25
G = noisy_grad()


@pytest.mark.parametrize(
    ("opt", "ref"),
    [
        (optim.sgd(0.05), lambda: ref_sgd(THETA0, G, 0.05, N)),
        (optim.momentum(0.03, 0.8), lambda: ref_momentum(THETA0, G, 0.03, 0.8, N)),
        (optim.nesterov(0.03, 0.8), lambda: ref_nesterov(THETA0, G, 0.03, 0.8, N)),
        (optim.adagrad(0.2, eps=1e-3), lambda: ref_adagrad(THETA0, G, 0.2, 1e-3, N)),
        (
            optim.adagrad(0.2, eps=1e-3, eps_placement="outside", initial_accumulator=0.1),
            lambda: ref_adagrad(THETA0, G, 0.2, 1e-3, N, inside=False, r0=0.1),
        ),
        (optim.rmsprop(0.01, 0.9, 1e-4), lambda: ref_rmsprop(THETA0, G, 0.01, 0.9, 1e-4, N)),
        (
            optim.rmsprop(0.01, 0.7, 1e-4, eps_placement="outside"),
            lambda: ref_rmsprop(THETA0, G, 0.01, 0.7, 1e-4, N, inside=False),
        ),
        (optim.adam(0.05, 0.9, 0.99, 1e-3), lambda: ref_adam(THETA0, G, 0.05, 0.9, 0.99, 1e-3, N)),
        (
            optim.adam(0.05, 0.8, 0.95, 1e-3, eps_placement="outside"),
            lambda: ref_adam(THETA0, G, 0.05, 0.8, 0.95, 1e-3, N, inside=False),
        ),
        (
            optim.adam(0.05, 0.8, 0.95, 1e-3, bias_correction=False),
            lambda: ref_adam(THETA0, G, 0.05, 0.8, 0.95, 1e-3, N, correct=False),
        ),
        (
            optim.adam(0.05, 0.9, 0.99, 1e-3, form="alpha_t"),
            lambda: ref_adam_alpha_t(THETA0, G, 0.05, 0.9, 0.99, 1e-3, N),
        ),
    ],
    ids=lambda x: getattr(x, "name", ""),
)
def test_matches_lecture_formula(opt, ref):
    got, state = run_steps(opt, G, THETA0, N)
    np.testing.assert_allclose(got, ref(), rtol=1e-12, atol=1e-12)
    assert state.t == N


def test_run_matches_step_loop():
    opt = optim.adam(0.05)
    traj = optim.run(opt, G, THETA0, N)
    got, _ = run_steps(opt, G, THETA0, N)
    np.testing.assert_array_equal(traj.thetas, got)
    assert traj.losses is None and traj.diverged.shape == () and not traj.diverged


# ---------------------------------------------------------------------------------------------
# Layer 2: equivalences between forms


def test_momentum_and_nesterov_with_zero_beta_are_sgd():
    ref, _ = run_steps(optim.sgd(0.05), G, THETA0, N)
    for opt in (optim.momentum(0.05, beta=0.0), optim.nesterov(0.05, beta=0.0)):
        np.testing.assert_allclose(run_steps(opt, G, THETA0, N)[0], ref, rtol=1e-14, atol=1e-14)


def test_adam_forms_agree_when_eps_is_zero():
    a = run_steps(optim.adam(0.05, eps=0.0, form="moments"), G, THETA0, N)[0]
    b = run_steps(optim.adam(0.05, eps=0.0, form="alpha_t"), G, THETA0, N)[0]
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)


def test_adam_forms_differ_only_through_eps():
    """α ŝ/√(r̂ + ε) = α_t s/√(r + ε(1 − β₂ᵗ)): the α_t form acts like a larger ε/(1 − β₂ᵗ)."""
    b1, b2, eps, lr = 0.9, 0.99, 1e-2, 0.1
    g = np.array([0.3, -0.02, 1e-3])
    th1, _ = optim.adam(lr, b1, b2, eps).step(THETA0, optim.adam().init(THETA0), lambda _: g)
    th2, _ = optim.adam(lr, b1, b2, eps * (1 - b2), form="alpha_t").step(
        THETA0, optim.adam().init(THETA0), lambda _: g
    )
    np.testing.assert_allclose(th1, th2, rtol=1e-13)
    th3, _ = optim.adam(lr, b1, b2, eps, form="alpha_t").step(
        THETA0, optim.adam().init(THETA0), lambda _: g
    )
    assert not np.allclose(th1, th3, rtol=1e-6)
    th4, _ = optim.adam(lr, b1, b2, eps / (1 - b2)).step(
        THETA0, optim.adam().init(THETA0), lambda _: g
    )
    np.testing.assert_allclose(th3, th4, rtol=1e-13)
    assert np.all(np.abs(th3 - THETA0) < np.abs(th1 - THETA0))  # larger ε, smaller steps


def test_adam_without_momentum_and_correction_is_rmsprop():
    a = run_steps(optim.adam(0.01, beta1=0.0, beta2=0.9, eps=1e-4, bias_correction=False), G,
                  THETA0, N)[0]
    b = run_steps(optim.rmsprop(0.01, beta=0.9, eps=1e-4), G, THETA0, N)[0]
    np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-14)


def test_adam_with_beta1_zero_is_rmsprop_with_bias_corrected_r():
    """Adam(β₁ = 0) divides by √(r̂ + ε), r̂ = r/(1 − β₂ᵗ), where r is RMSProp's own r."""
    lr, beta, eps = 0.01, 0.9, 1e-4
    adam, rms = optim.adam(lr, 0.0, beta, eps), optim.rmsprop(lr, beta, eps)
    theta, sa, sr = THETA0, adam.init(THETA0), rms.init(THETA0)
    for t in range(1, N + 1):
        new, sa = adam.step(theta, sa, G)
        _, sr = rms.step(theta, sr, G)
        np.testing.assert_allclose(sa.r, sr.r, rtol=1e-14)
        expected = theta - lr * G(theta) / np.sqrt(sr.r / (1 - beta**t) + eps)
        np.testing.assert_allclose(new, expected, rtol=1e-13)
        theta = new


def test_nesterov_equals_pytorch_lookahead_form():
    """PyTorch: b ← βb + g(p); p ← p − α(g(p) + βb). Its p is the lecture's look-ahead θ + βv."""
    lr, beta = 0.03, 0.8
    lecture, state = THETA0, optim.nesterov(lr, beta).init(THETA0)
    p, b = THETA0.copy(), np.zeros(3)
    for _ in range(N):
        lecture, state = optim.nesterov(lr, beta).step(lecture, state, G)
        g = G(p)
        b = beta * b + g
        p = p - lr * (g + beta * b)
        np.testing.assert_allclose(p, lecture + beta * state.v, rtol=1e-12, atol=1e-12)


def test_adagrad_effective_step_decays_like_one_over_sqrt_t():
    """Constant gradient g: r_t = t g², so the step is α|g|/√(t g² + ε) ≈ α/√t."""
    traj = optim.run(optim.adagrad(0.5, eps=0.0), lambda th: np.full_like(th, 3.0), np.zeros(1),
                     100)
    steps = -np.diff(traj.thetas[:, 0])
    np.testing.assert_allclose(steps, 0.5 / np.sqrt(np.arange(1, 101)), rtol=1e-12)


def test_rmsprop_first_step_bias():
    """r₁ = (1 − β) g₁², so the first step is α/√(1 − β) ≈ 3.16 α for β = 0.9 (not α)."""
    opt = optim.rmsprop(0.1, beta=0.9, eps=0.0)
    theta, state = opt.step(np.array([1.0]), opt.init(np.zeros(1)), lambda th: np.array([2.0]))
    np.testing.assert_allclose(state.r, [0.1 * 4.0])
    np.testing.assert_allclose(1.0 - theta, [0.1 / math.sqrt(0.1)])


def test_adam_first_step_is_lr_sized():
    """With bias correction, ŝ₁ = g₁ and r̂₁ = g₁²: the first step is α·sign(g) (ε = 0)."""
    opt = optim.adam(0.1, eps=0.0)
    g = np.array([5.0, -1e-3, 2.0])
    theta, _ = opt.step(np.zeros(3), opt.init(np.zeros(3)), lambda th: g)
    np.testing.assert_allclose(theta, -0.1 * np.sign(g), rtol=1e-12)


def test_zero_over_zero_is_zero_when_eps_is_zero():
    for opt in (optim.adagrad(0.1, eps=0.0), optim.rmsprop(0.1, eps=0.0), optim.adam(0.1, eps=0)):
        traj = optim.run(opt, lambda th: np.zeros_like(th), np.ones(2), 3)
        np.testing.assert_array_equal(traj.thetas, np.ones((4, 2)))
        assert not traj.diverged


# ---------------------------------------------------------------------------------------------
# Layer 3: convergence


@pytest.mark.parametrize(
    "opt",
    [
        optim.sgd(0.15),
        optim.momentum(0.05, 0.8),
        optim.nesterov(0.05, 0.8),
        optim.adagrad(1.0),
        optim.rmsprop(0.01),
        optim.adam(0.05),
    ],
    ids=lambda o: o.name,
)
def test_converges_on_ill_conditioned_quadratic(opt):
    traj = optim.run(opt, quad_grad(10.0), np.array([2.0, 1.5]), 2000, loss_fn=quad_loss(10.0))
    assert traj.losses[-1] < 1e-4 * traj.losses[0]
    assert traj.losses.shape == (2001,)


@pytest.mark.parametrize(
    "opt", [optim.momentum(1e-3, 0.9), optim.nesterov(1e-3, 0.9), optim.adam(0.02)],
    ids=lambda o: o.name,
)
def test_converges_on_rosenbrock(opt):
    traj = optim.run(opt, rosen_grad, np.array([-1.5, 2.0]), 10_000)
    np.testing.assert_allclose(traj.thetas[-1], [1.0, 1.0], atol=2e-2)


def test_gd_diverges_above_two_over_lambda_max():
    """On ½λθ², GD multiplies θ by (1 − αλ) each step: |1 − αλ| > 1 ⇔ α > 2/λ."""
    lam = 10.0
    lrs = np.array([0.05, 0.19, 0.21, 0.5])[:, None]
    traj = optim.run(optim.sgd(lrs), lambda th: lam * th, np.ones((4, 1)), 2000)
    np.testing.assert_array_equal(traj.diverged, [False, False, True, True])


# ---------------------------------------------------------------------------------------------
# Layer 4: properties (purity, batching, broadcasting, divergence, schedules)

OPTS = [
    optim.sgd(0.1),
    optim.momentum(0.05, 0.9),
    optim.nesterov(0.05, 0.9),
    optim.adagrad(0.3),
    optim.rmsprop(0.01, 0.9),
    optim.adam(0.05),
    optim.adam(0.05, form="alpha_t", eps_placement="outside"),
]

finite = st.floats(-5, 5, allow_nan=False, allow_subnormal=False)


@settings(max_examples=25, deadline=None)
@given(st.lists(finite, min_size=3, max_size=3), st.sampled_from(OPTS))
def test_step_is_pure(theta, opt):
    theta = np.array(theta)
    theta_copy = theta.copy()
    state, _ = opt.init(theta), None
    theta1, state1 = opt.step(theta, state, G)
    snapshot = [np.copy(x) for x in state1]
    theta2, state2 = opt.step(theta1, state1, G)
    np.testing.assert_array_equal(theta, theta_copy)
    for before, after in zip(snapshot, state1, strict=True):
        np.testing.assert_array_equal(before, after)
    assert state2.t == 2 and theta2 is not theta1


@settings(max_examples=15, deadline=None)
@given(st.lists(st.lists(finite, min_size=2, max_size=2), min_size=1, max_size=5),
       st.sampled_from(OPTS))
def test_batch_equals_stacked_single_runs(points, opt):
    theta0 = np.array(points)
    batch = optim.run(opt, rosen_grad, theta0, 30, loss_fn=quad_loss())
    for k, p in enumerate(theta0):
        single = optim.run(opt, rosen_grad, p, 30, loss_fn=quad_loss())
        np.testing.assert_allclose(batch.thetas[:, k], single.thetas, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(batch.losses[:, k], single.losses, rtol=1e-12, atol=1e-12)
        assert batch.diverged[k] == single.diverged


@pytest.mark.parametrize("name", ["momentum", "nesterov", "rmsprop"])
def test_hyperparameter_grid_in_one_call(name):
    lrs = np.array([0.01, 0.03, 0.1])
    betas = np.array([0.0, 0.5, 0.9, 0.99])
    lr_grid, beta_grid = lrs[:, None, None], betas[None, :, None]
    theta0 = np.broadcast_to([1.0, 1.0], (3, 4, 2))
    factory = optim.OPTIMIZERS[name]
    grid = optim.run(factory(lr_grid, beta_grid), quad_grad(), theta0, 40)
    for i, lr in enumerate(lrs):
        for j, beta in enumerate(betas):
            one = optim.run(factory(lr, beta), quad_grad(), np.array([1.0, 1.0]), 40)
            np.testing.assert_allclose(grid.thetas[:, i, j], one.thetas, rtol=1e-12, atol=1e-15)


def test_adam_beta_grid():
    b1 = np.array([0.0, 0.9])[:, None]
    traj = optim.run(optim.adam(0.1, beta1=b1, beta2=0.99), quad_grad(), np.ones((2, 2)), 20)
    for k, b in enumerate((0.0, 0.9)):
        one = optim.run(optim.adam(0.1, beta1=b, beta2=0.99), quad_grad(), np.ones(2), 20)
        np.testing.assert_allclose(traj.thetas[:, k], one.thetas, rtol=1e-12)


def test_divergence_is_flagged_frozen_and_silent():
    lrs = np.array([0.1, 0.5, 10.0])[:, None]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = optim.run(optim.sgd(lrs), quad_grad(10.0), np.ones((3, 2)), 500,
                         loss_fn=quad_loss(10.0))
    np.testing.assert_array_equal(traj.diverged, [False, True, True])
    for k in (1, 2):
        bad = np.isnan(traj.thetas[:, k]).any(-1)
        first = np.argmax(bad)
        assert first > 0 and bad[first:].all() and not bad[:first].any()
        assert np.isnan(traj.losses[first:, k]).all()
        assert np.isfinite(traj.losses[:first, k]).all()
        assert np.all(np.linalg.norm(traj.thetas[:first, k], axis=-1) <= 1e6)
    assert np.isfinite(traj.thetas[:, 0]).all()


def test_overflow_to_inf_is_silent():
    """A gradient that overflows (exp of a large number) diverges without any warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for opt in OPTS:
            traj = optim.run(opt, lambda th: -np.exp(th**2), np.array([30.0, 0.0]), 5,
                             max_norm=1e300)
            assert traj.diverged


def test_max_norm_and_start_outside():
    traj = optim.run(optim.sgd(0.1), quad_grad(), np.array([[5.0, 0.0], [0.1, 0.0]]), 3,
                     max_norm=1.0)
    np.testing.assert_array_equal(traj.diverged, [True, False])
    assert np.isnan(traj.thetas[:, 0]).all()


def test_schedule_is_called_with_updates_done():
    seen = []

    def lr(t):
        seen.append(t)
        return 0.1

    for factory in optim.OPTIMIZERS.values():
        seen.clear()
        optim.run(factory(lr), quad_grad(), np.ones(2), 4)
        assert seen == [0, 1, 2, 3], factory


def test_schedule_changes_the_step():
    sched = schedules.exponential_decay(0.1, decay_steps=1, decay_rate=0.5)
    traj = optim.run(optim.sgd(sched), lambda th: np.ones_like(th), np.zeros(1), 4)
    np.testing.assert_allclose(-np.diff(traj.thetas[:, 0]), [0.1, 0.05, 0.025, 0.0125])


def test_grad_fn_called_once_per_step_and_nesterov_at_lookahead():
    points = []

    def grad(th):
        points.append(th.copy())
        return quad_grad()(th)

    opt = optim.nesterov(0.05, 0.9)
    theta, state = opt.step(np.ones(2), opt.init(np.ones(2)), grad)
    theta2, state2 = opt.step(theta, state, grad)
    assert len(points) == 2
    np.testing.assert_allclose(points[1], theta + 0.9 * state.v)
    for factory in optim.OPTIMIZERS.values():
        points.clear()
        optim.run(factory(0.01), grad, np.ones(2), 7)
        assert len(points) == 7


@pytest.mark.parametrize(
    "opt", [f(0.01) for f in optim.OPTIMIZERS.values()]
    + [optim.adam(0.01, form="alpha_t"), optim.adam(0.01, bias_correction=False)],
    ids=lambda o: f"{o.name}-{o.hyperparams.get('form', '')}",
)
def test_float32_stays_float32(opt):
    theta = np.ones(4, dtype=np.float32)
    new, state = opt.step(theta, opt.init(theta), lambda th: th)
    new, state = opt.step(new, state, lambda th: th)
    assert new.dtype == np.float32
    assert all(x.dtype == np.float32 for x in state[1:])


def test_run_shapes_and_zero_steps():
    traj = optim.run(optim.adam(), quad_grad(), np.ones((2, 3, 2)), 5, loss_fn=quad_loss())
    assert traj.thetas.shape == (6, 2, 3, 2)
    assert traj.losses.shape == (6, 2, 3)
    assert traj.diverged.shape == (2, 3)
    zero = optim.run(optim.sgd(0.1), quad_grad(), np.ones(2), 0)
    assert zero.thetas.shape == (1, 2)


def test_hyperparams_and_names():
    assert [f(0.1).name for f in optim.OPTIMIZERS.values()] == list(optim.OPTIMIZERS)
    assert optim.adam(0.1, form="alpha_t").hyperparams["form"] == "alpha_t"
    assert optim.momentum(0.2, 0.5).hyperparams == {"lr": 0.2, "beta": 0.5}


# ---------------------------------------------------------------------------------------------
# Layer 5: every invalid hyperparameter is rejected, naming the parameter


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: optim.sgd(0.0), "lr"),
        (lambda: optim.sgd(-1.0), "lr"),
        (lambda: optim.sgd("fast"), "lr"),
        (lambda: optim.sgd(np.array([0.1, -0.1])), "lr"),
        (lambda: optim.momentum(0.1, beta=1.0), r"beta must be in \[0, 1\); got 1.0"),
        (lambda: optim.momentum(0.1, beta=-0.1), "beta"),
        (lambda: optim.nesterov(0.1, beta=1.5), "beta"),
        (lambda: optim.nesterov(0.1, beta=np.nan), "beta"),
        (lambda: optim.adagrad(0.1, eps=-1e-8), r"eps must be in \[0, inf\)"),
        (lambda: optim.adagrad(0.1, initial_accumulator=-1.0), "initial_accumulator"),
        (lambda: optim.adagrad(0.1, eps_placement="middle"), "eps_placement"),
        (lambda: optim.rmsprop(0.1, beta=1.0), "beta"),
        (lambda: optim.rmsprop(0.1, eps=np.inf), "eps"),
        (lambda: optim.rmsprop(0.1, eps_placement=None), "eps_placement"),
        (lambda: optim.adam(beta1=1.0), "beta1"),
        (lambda: optim.adam(beta2=-0.5), "beta2"),
        (lambda: optim.adam(eps=-1.0), "eps"),
        (lambda: optim.adam(form="beta_t"), "form"),
        (lambda: optim.adam(bias_correction="yes"), "bias_correction"),
        (lambda: optim.adam(eps_placement="out"), "eps_placement"),
        (lambda: optim.run(optim.sgd(0.1), quad_grad(), np.ones(2), -1), "steps"),
        (lambda: optim.run(optim.sgd(0.1), quad_grad(), np.ones(2), 2.5), "steps"),
        (lambda: optim.run(optim.sgd(0.1), quad_grad(), np.ones(2), 3, max_norm=0), "max_norm"),
        (lambda: optim.run(optim.sgd(0.1), quad_grad(), 1.0, 3), "theta0"),
        (lambda: optim.run(optim.sgd(0.1), lambda th: th[:1], np.ones(2), 3), "grad_fn"),
        (lambda: optim.run(optim.sgd(0.1), quad_grad(), np.ones(2), 3, loss_fn=lambda th: th),
         "loss_fn"),
        (lambda: optim.make_optimizer("nadam", 0.1), "optimizer must be one of"),
        (lambda: optim.make_optimizer("sgd", 0.1, beta=-0.5), "beta"),
        (lambda: optim.make_optimizer("adam", -1.0), "lr"),
        (lambda: optim.make_optimizer("momentum", 0.1, beta=1.0), "beta"),
    ],
)
def test_invalid_arguments_raise(make, match):
    with pytest.raises(ValueError, match=match):
        make()


# ---------------------------------------------------------------------------------------------
# Optional cross-check against torch.optim (skipped when torch is not installed)


@pytest.mark.torch
@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lambda: optim.sgd(0.05), lambda t, p: t.optim.SGD(p, lr=0.05)),
        (lambda: optim.nesterov(0.03, 0.8),
         lambda t, p: t.optim.SGD(p, lr=0.03, momentum=0.8, nesterov=True)),
        (lambda: optim.momentum(0.03, 0.8), lambda t, p: t.optim.SGD(p, lr=0.03, momentum=0.8)),
        (lambda: optim.adagrad(0.2, eps=1e-6, initial_accumulator=0.1, eps_placement="outside"),
         lambda t, p: t.optim.Adagrad(p, lr=0.2, eps=1e-6, initial_accumulator_value=0.1)),
        (lambda: optim.rmsprop(0.01, 0.9, 1e-6, eps_placement="outside"),
         lambda t, p: t.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-6)),
        (lambda: optim.adam(0.05, 0.9, 0.99, 1e-6, eps_placement="outside"),
         lambda t, p: t.optim.Adam(p, lr=0.05, betas=(0.9, 0.99), eps=1e-6)),
    ],
)
def test_against_torch(ours, theirs):
    torch = pytest.importorskip("torch")
    opt = ours()
    p = torch.tensor(THETA0, dtype=torch.float64, requires_grad=True)
    topt = theirs(torch, [p])
    lecture, state = THETA0, opt.init(THETA0)
    for _ in range(N):
        lecture, state = opt.step(lecture, state, G)
        topt.zero_grad()
        p.grad = torch.tensor(G(p.detach().numpy()))
        topt.step()
        got = p.detach().numpy()
        if opt.name == "nesterov":  # PyTorch stores the look-ahead point θ + βv
            np.testing.assert_allclose(got, lecture + 0.8 * state.v, rtol=1e-10, atol=1e-12)
        else:
            np.testing.assert_allclose(got, lecture, rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# One table of optimisers: factories, labels, the assignment's three


def test_labels_name_every_optimizer_in_the_same_order():
    assert list(optim.LABELS) == list(optim.OPTIMIZERS)
    assert optim.LABELS == {"sgd": "SGD", "momentum": "Momentum", "nesterov": "Nesterov",
                            "adagrad": "AdaGrad", "rmsprop": "RMSProp", "adam": "Adam"}
    assert set(optim.ASSIGNMENT_OPTIMIZERS) <= set(optim.OPTIMIZERS)


@pytest.mark.filterwarnings("error")
def test_make_optimizer_builds_the_lecture_optimisers():
    theta, g = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    sgd = optim.make_optimizer("sgd", 0.1)
    new, _ = sgd.step(theta, sgd.init(theta), lambda th: g)
    np.testing.assert_allclose(new, theta - 0.1 * g)
    mom = optim.make_optimizer("momentum", 0.1)
    state = mom.init(theta)
    th1, state = mom.step(theta, state, lambda th: g)
    th2, _ = mom.step(th1, state, lambda th: g)
    # v₁ = −αg, v₂ = βv₁ − αg = −α(1 + β)g with β = 0.9
    np.testing.assert_allclose(th2 - th1, -0.1 * 1.9 * g)
    adam = optim.make_optimizer("adam", 1e-3)
    assert adam.name == optim.adam().name
    th, _ = adam.step(theta, adam.init(theta), lambda th: g)
    np.testing.assert_allclose(th, theta - 1e-3 * np.sign(g), rtol=1e-6)  # first step ≈ α·sign g
    with pytest.raises(ValueError, match="optimizer"):
        optim.make_optimizer("nadam", 0.1)


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
def test_make_optimizer_is_the_factory_of_the_table(name):
    ours = optim.make_optimizer(name, schedules.constant(0.05), beta=0.8)
    ref = optim.OPTIMIZERS[name](0.05, **{"sgd": {}, "momentum": {"beta": 0.8},
                                          "adam": {"beta1": 0.8}}[name])
    assert ours.name == ref.name == name
    theta = np.array([0.3, -1.2, 2.0])
    (a, _), (b, _) = run_steps(ours, noisy_grad(), theta, 5), run_steps(ref, noisy_grad(), theta, 5)
    np.testing.assert_allclose(a, b, rtol=1e-12)


@pytest.mark.parametrize("name, hyper", [
    ("sgd", {"lr": 0.05}),
    ("momentum", {"lr": 0.05, "beta": 0.7}),
    ("nesterov", {"lr": 0.05, "beta": 0.7}),
    ("adagrad", {"lr": 0.05}),
    ("rmsprop", {"lr": 0.05, "beta": 0.7}),
    ("adam", {"lr": 0.05, "beta1": 0.7}),
])
def test_make_optimizer_gives_every_optimizer_its_one_beta(name, hyper):
    """β is momentum's, Nesterov's and RMSProp's β and Adam's β₁; the rest keep defaults."""
    ours = optim.make_optimizer(name, 0.05, beta=0.7)
    ref = optim.OPTIMIZERS[name](**hyper)
    assert ours.name == name and ours.hyperparams == ref.hyperparams
    theta = np.array([0.3, -1.2, 2.0])
    (a, _), (b, _) = run_steps(ours, noisy_grad(), theta, 4), run_steps(ref, noisy_grad(), theta, 4)
    np.testing.assert_array_equal(a, b)


def test_optim_holds_no_quadratic_theory():
    for name in ("heavy_ball_optimum", "phase_diagram"):
        assert not hasattr(optim, name) and name not in optim.__all__


# ---------------------------------------------------------------------------------------------
# Adam with decoupled weight decay (AdamW): θ ← θ − αλθ − α ŝ/√(r̂ + ε), both at the old θ


def ref_adamw(theta, grad, lr, b1, b2, eps, lam, n, inside=True):
    """AdamW written out with Python floats; ``lr`` is a function of the updates done."""
    theta, s, r = list(theta), [0.0] * len(theta), [0.0] * len(theta)
    lam = list(np.broadcast_to(lam, len(theta)))
    out = [list(theta)]
    for t in range(1, n + 1):
        g = grad(np.array(theta))
        a = lr(t - 1)
        s = [b1 * si + (1 - b1) * gi for si, gi in zip(s, g, strict=True)]
        r = [b2 * ri + (1 - b2) * gi * gi for ri, gi in zip(r, g, strict=True)]
        s_hat = [si / (1 - b1**t) for si in s]
        r_hat = [ri / (1 - b2**t) for ri in r]
        den = [math.sqrt(ri + eps) if inside else math.sqrt(ri) + eps for ri in r_hat]
        theta = [th - a * li * th - a * si / d
                 for th, li, si, d in zip(theta, lam, s_hat, den, strict=True)]
        out.append(theta)
    return np.array(out)


@pytest.mark.parametrize("inside", [True, False])
@pytest.mark.parametrize("lam", [0.3, np.array([0.5, 0.0, 2.0])])
def test_adamw_matches_the_written_out_update(inside, lam):
    placement = "inside" if inside else "outside"
    opt = optim.adam(0.05, 0.8, 0.95, 1e-3, eps_placement=placement, weight_decay=lam)
    got, _ = run_steps(opt, G, THETA0, N)
    np.testing.assert_allclose(got, ref_adamw(THETA0, G, lambda t: 0.05, 0.8, 0.95, 1e-3, lam,
                                              N, inside=inside), rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(opt.hyperparams["weight_decay"], lam)


def test_adamw_decay_follows_the_schedule():
    sched = schedules.exponential_decay(0.05, 10, 0.5)
    got, _ = run_steps(optim.adam(sched, weight_decay=0.7), G, THETA0, N)
    np.testing.assert_allclose(got, ref_adamw(THETA0, G, sched, 0.9, 0.999, 1e-8, 0.7, N),
                               rtol=1e-12, atol=1e-14)


def test_adamw_with_zero_decay_is_adam_exactly():
    a, _ = run_steps(optim.adam(0.05, weight_decay=0.0), G, THETA0, N)
    b, _ = run_steps(optim.adam(0.05), G, THETA0, N)
    np.testing.assert_array_equal(a, b)


def test_l2_penalty_in_adam_is_not_weight_decay():
    """With the L2 gradient 2λθ inside g, Adam divides it by √r̂: a parameter whose loss gradient
    is 0 moves by about α per step whatever its size and λ, while AdamW shrinks every parameter
    by the same factor 1 − αλ per step."""
    lr, lam = 0.01, 0.05
    theta = np.array([3.0, -0.3])
    l2 = optim.run(optim.adam(lr), lambda th: 2 * lam * th, theta, 20).thetas
    wd = optim.run(optim.adam(lr, weight_decay=lam), lambda th: 0 * th, theta, 20).thetas
    np.testing.assert_allclose(wd[-1], theta * (1 - lr * lam) ** 20, rtol=1e-12)
    np.testing.assert_allclose(np.abs(l2[-1] - theta), 20 * lr, rtol=0.1)  # ≈ α per step, both
    kept_l2, kept_wd = l2[-1] / theta, wd[-1] / theta  # the fraction of each θ_i kept
    assert math.isclose(*kept_wd) and kept_l2[1] < 0.5 * kept_l2[0]  # 0.99, 0.99 vs 0.93, 0.37


def test_adamw_runs_on_a_batch_and_keeps_float32():
    lam = np.array([[0.1], [1.0]])  # one λ per run
    traj = optim.run(optim.adam(0.05, weight_decay=lam), quad_grad(), np.ones((2, 2)), 20)
    single = optim.run(optim.adam(0.05, weight_decay=1.0), quad_grad(), np.ones(2), 20)
    np.testing.assert_allclose(traj.thetas[:, 1], single.thetas, rtol=1e-12)
    th, _ = optim.adam(0.05, weight_decay=0.1).step(np.ones(3, np.float32),
                                                    optim.adam().init(np.ones(3, np.float32)),
                                                    lambda th: th)
    assert th.dtype == np.float32


@pytest.mark.parametrize("bad", [-0.1, np.inf, np.nan, np.array([0.1, -1.0, 0.0])])
def test_adamw_rejects_a_negative_decay(bad):
    with pytest.raises(ValueError, match=r"weight_decay must be in \[0, inf\)"):
        optim.adam(0.01, weight_decay=bad)


@pytest.mark.torch
@pytest.mark.parametrize("lam", [0.01, 0.5])
def test_adamw_against_torch(lam):
    torch = pytest.importorskip("torch")
    opt = optim.adam(0.05, 0.9, 0.99, 1e-6, eps_placement="outside", weight_decay=lam)
    p = torch.tensor(THETA0, dtype=torch.float64, requires_grad=True)
    topt = torch.optim.AdamW([p], lr=0.05, betas=(0.9, 0.99), eps=1e-6, weight_decay=lam)
    ours, state = THETA0, opt.init(THETA0)
    for _ in range(N):
        ours, state = opt.step(ours, state, G)
        topt.zero_grad()
        p.grad = torch.tensor(G(p.detach().numpy()))
        topt.step()
        np.testing.assert_allclose(p.detach().numpy(), ours, rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# adam_moments: Adam's s, r, ŝ, r̂ over the steps


@pytest.mark.parametrize("beta1, beta2", [(0.9, 0.999), (0.5, 0.9), (0.0, 0.0), (0.99, 0.5)])
def test_adam_moments_follow_the_lecture_formulas(beta1, beta2):
    grads = np.random.default_rng(3).normal(1.0, 2.0, size=(40, 3))
    got = optim.adam_moments(grads, beta1=beta1, beta2=beta2)
    # the lecture's updates, written out one step at a time from s = r = 0
    s, r = np.zeros(3), np.zeros(3)
    for t, g in enumerate(grads, start=1):
        s = beta1 * s + (1 - beta1) * g
        r = beta2 * r + (1 - beta2) * g * g
        np.testing.assert_allclose(got.s[t - 1], s, rtol=1e-13)
        np.testing.assert_allclose(got.r[t - 1], r, rtol=1e-13)
        np.testing.assert_allclose(got.s_hat[t - 1], s / (1 - beta1**t), rtol=1e-13)
        np.testing.assert_allclose(got.r_hat[t - 1], r / (1 - beta2**t), rtol=1e-13)
    assert all(a.shape == grads.shape for a in got)


def test_adam_moments_of_a_constant_gradient_are_unbiased_from_the_first_step():
    got = optim.adam_moments(np.full(30, -3.0))
    np.testing.assert_allclose(got.s_hat, -3.0, rtol=1e-12)
    np.testing.assert_allclose(got.r_hat, 9.0, rtol=1e-12)
    # uncorrected: s_t = (1 − β₁ᵗ) g starts near 0
    np.testing.assert_allclose(got.s, -3.0 * (1 - 0.9 ** np.arange(1, 31)), rtol=1e-12)
    assert got.r[0] == pytest.approx(0.009)


def test_adam_moments_validates():
    with pytest.raises(ValueError, match="beta1 must be in"):
        optim.adam_moments([1.0], beta1=1.0)
    with pytest.raises(ValueError, match="grads must have at least one axis"):
        optim.adam_moments(2.0)
    with pytest.raises(ValueError, match="grads must not be empty"):
        optim.adam_moments([])
    with pytest.raises(ValueError, match="grads must hold finite"):
        optim.adam_moments([1.0, np.nan])
