"""Tests for npfl_helpers.schedules.

Layers: each formula written out independently (plain Python, one step at a time); scalar and
array steps agree; limits; monotonicity (hypothesis); continuity at warm-up joins; SGDR restarts;
validation messages; Robbins–Monro sums and verdicts; optional cross-checks against Keras and
PyTorch.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npfl_helpers import schedules as S

# ---------------------------------------------------------------------------------------------
# The formulas, written out independently: plain Python math, one step at a time


def ref_exponential(t, a0, T, gamma, staircase=False):
    p = t // T if staircase else t / T
    return a0 * gamma**p


def ref_polynomial(t, a0, T, end=1e-4, power=1.0, cycle=False):
    if cycle:
        horizon = T if t == 0 else T * math.ceil(t / T)
    else:
        horizon, t = T, min(t, T)
    return (a0 - end) * (1 - t / horizon) ** power + end


def ref_inverse_time(t, a0, T, gamma, staircase=False):
    p = t // T if staircase else t / T
    return a0 / (1 + gamma * p)


def ref_cosine(t, a0, T, a=0.0, target=None, W=0):
    if target is None:
        peak, u = a0, min(t, T)
    elif t < W:
        return a0 + (target - a0) * t / W
    else:
        peak, u = target, min(t - W, T)
    return peak * (a + (1 - a) * 0.5 * (1 + math.cos(math.pi * u / T)))


def ref_restarts(t, a0, T0, tau=2.0, mu=1.0, a=0.0):
    # walk through the periods: period i starts at `start` and lasts `length` steps
    start, length, i = 0.0, float(T0), 0
    while t >= start + length:
        start, length, i = start + length, length * tau, i + 1
    f = (t - start) / length
    return a0 * (a + (1 - a) * mu**i * 0.5 * (1 + math.cos(math.pi * f)))


def ref_piecewise(t, boundaries, values):
    for b, v in zip(boundaries, values, strict=False):
        if t <= b:
            return v
    return values[-1]


def ref_inverse_sqrt(t, a0, W=0):
    if W == 0:
        return a0 / math.sqrt(t + 1)
    return a0 * min((t + 1) / W, math.sqrt(W / (t + 1)))


def ref_warmup(t, inner, W, start=0.0):
    if t < W:
        return start + (inner(0) - start) * t / W
    return inner(t - W)


# (schedule, reference of t, steps to compare on)
CASES = {
    "exp": (S.exponential_decay(0.1, 10, 0.5), lambda t: ref_exponential(t, 0.1, 10, 0.5)),
    "exp-stair": (S.exponential_decay(0.3, 7, 0.9, staircase=True),
                  lambda t: ref_exponential(t, 0.3, 7, 0.9, True)),
    "exp-grow": (S.exponential_decay(0.01, 20, 1.5), lambda t: ref_exponential(t, 0.01, 20, 1.5)),
    "poly": (S.polynomial_decay(0.1, 30), lambda t: ref_polynomial(t, 0.1, 30)),
    "poly-sqrt": (S.polynomial_decay(0.2, 25, end_lr=0.01, power=0.5),
                  lambda t: ref_polynomial(t, 0.2, 25, 0.01, 0.5)),
    "poly-cycle": (S.polynomial_decay(0.1, 12, end_lr=0.001, power=2.0, cycle=True),
                   lambda t: ref_polynomial(t, 0.1, 12, 0.001, 2.0, True)),
    "poly-up": (S.polynomial_decay(0.01, 10, end_lr=0.1),
                lambda t: ref_polynomial(t, 0.01, 10, 0.1)),
    "invtime": (S.inverse_time_decay(0.1, 10, 0.5), lambda t: ref_inverse_time(t, 0.1, 10, 0.5)),
    "invtime-stair": (S.inverse_time_decay(0.1, 6, 2.0, staircase=True),
                      lambda t: ref_inverse_time(t, 0.1, 6, 2.0, True)),
    "cos": (S.cosine_decay(0.1, 40), lambda t: ref_cosine(t, 0.1, 40)),
    "cos-alpha": (S.cosine_decay(0.1, 40, alpha=0.2), lambda t: ref_cosine(t, 0.1, 40, 0.2)),
    "cos-warm": (S.cosine_decay(0.0, 30, alpha=0.1, warmup_target=0.5, warmup_steps=8),
                 lambda t: ref_cosine(t, 0.0, 30, 0.1, 0.5, 8)),
    "cos-warm-from": (S.cosine_decay(0.05, 20, warmup_target=0.2, warmup_steps=5),
                      lambda t: ref_cosine(t, 0.05, 20, 0.0, 0.2, 5)),
    "cos-target-no-warmup": (S.cosine_decay(0.05, 20, warmup_target=0.2),
                             lambda t: ref_cosine(t, 0.05, 20, 0.0, 0.2, 0)),
    "sgdr": (S.cosine_decay_restarts(0.1, 10), lambda t: ref_restarts(t, 0.1, 10)),
    "sgdr-1": (S.cosine_decay_restarts(0.1, 9, t_mul=1.0, m_mul=0.8, alpha=0.1),
               lambda t: ref_restarts(t, 0.1, 9, 1.0, 0.8, 0.1)),
    "sgdr-3": (S.cosine_decay_restarts(0.2, 7, t_mul=3.0, m_mul=0.5, alpha=0.05),
               lambda t: ref_restarts(t, 0.2, 7, 3.0, 0.5, 0.05)),
    "sgdr-1.5": (S.cosine_decay_restarts(0.1, 10, t_mul=1.5, m_mul=0.7),
                 lambda t: ref_restarts(t, 0.1, 10, 1.5, 0.7)),
    "sgdr-shrink": (S.cosine_decay_restarts(0.1, 100, t_mul=0.5),
                    lambda t: ref_restarts(t, 0.1, 100, 0.5)),
    "piecewise": (S.piecewise_constant([10, 25, 40], [0.1, 0.05, 0.01, 0.001]),
                  lambda t: ref_piecewise(t, [10, 25, 40], [0.1, 0.05, 0.01, 0.001])),
    "piecewise-1": (S.piecewise_constant([0], [0.3, 0.2]),
                    lambda t: ref_piecewise(t, [0], [0.3, 0.2])),
    "constant": (S.constant(0.07), lambda t: 0.07),
    "invsqrt": (S.inverse_sqrt_decay(0.1), lambda t: ref_inverse_sqrt(t, 0.1)),
    "invsqrt-warm": (S.inverse_sqrt_decay(0.1, 16), lambda t: ref_inverse_sqrt(t, 0.1, 16)),
    "warmup-exp": (S.linear_warmup(S.exponential_decay(0.1, 10, 0.5), 12),
                   lambda t: ref_warmup(t, lambda u: ref_exponential(u, 0.1, 10, 0.5), 12)),
    "warmup-cos-start": (S.linear_warmup(S.cosine_decay(0.2, 30, alpha=0.1), 7, start_lr=0.02),
                         lambda t: ref_warmup(t, lambda u: ref_cosine(u, 0.2, 30, 0.1), 7, 0.02)),
    "warmup-0": (S.linear_warmup(S.inverse_time_decay(0.1, 5, 1.0), 0),
                 lambda t: ref_inverse_time(t, 0.1, 5, 1.0)),
    "warmup-float": (S.linear_warmup(0.3, 4), lambda t: ref_warmup(t, lambda u: 0.3, 4)),
}
STEPS = list(range(0, 160)) + [199, 200, 201, 999, 1000, 12345]


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_formula_written_out(case):
    schedule, ref = CASES[case]
    steps = STEPS if case != "sgdr-shrink" else list(range(200))  # all periods fit in 200 steps
    expected = np.array([ref(t) for t in steps])
    np.testing.assert_allclose(schedule(np.array(steps)), expected, rtol=1e-12, atol=1e-15)
    for t in steps[::7]:
        assert schedule(t) == pytest.approx(ref(t), rel=1e-12, abs=1e-15)


# ---------------------------------------------------------------------------------------------
# Scalar and array steps


@settings(max_examples=60, deadline=None)
@given(case=st.sampled_from(sorted(CASES)),
       steps=st.lists(st.integers(0, 10**5), min_size=1, max_size=12))
def test_int_and_int_array_give_identical_values(case, steps):
    schedule, _ = CASES[case]
    if case == "sgdr-shrink":
        steps = [t % 200 for t in steps]
    scalars = [schedule(t) for t in steps]
    assert all(type(x) is float for x in scalars)
    out = schedule(np.array(steps))
    assert isinstance(out, np.ndarray) and out.dtype == np.float64 and out.shape == (len(steps),)
    np.testing.assert_array_equal(out, np.array(scalars))
    # any integer dtype, any shape; numpy scalars and integral floats are steps too
    grid = np.array(steps * 2, dtype=np.int32).reshape(2, -1)
    np.testing.assert_array_equal(schedule(grid), np.array(scalars * 2).reshape(2, -1))
    assert schedule(np.int64(steps[0])) == scalars[0]
    assert schedule(float(steps[0])) == scalars[0]


def test_empty_step_array():
    out = S.cosine_decay(0.1, 10)(np.array([], dtype=int))
    assert out.shape == (0,) and out.dtype == np.float64


@pytest.mark.parametrize("bad", [-1, 1.5, np.nan, np.inf, "3", True, None,
                                 np.array([1, -2]), np.array([0.5, 1.0]), [0, -1]])
def test_bad_step_rejected(bad):
    for schedule, _ in (CASES["exp"], CASES["constant"], CASES["warmup-exp"]):
        with pytest.raises(ValueError, match="step must be an integer"):
            schedule(bad)


# ---------------------------------------------------------------------------------------------
# Limits


def test_exponential_tends_to_zero_and_inverse_time_like_one_over_t():
    assert S.exponential_decay(0.1, 10, 0.5)(10**4) < 1e-100
    assert S.exponential_decay(0.1, 10, 0.5)(10**6) == 0.0  # underflows quietly
    s = S.inverse_time_decay(0.1, 10, 0.5)
    t = 10**8
    assert s(t) * t == pytest.approx(0.1 * 10 / 0.5, rel=1e-6)


def test_polynomial_reaches_end_lr_at_decay_steps_and_stays():
    s = S.polynomial_decay(0.1, 50, end_lr=0.003, power=1.7)
    assert s(49) > 0.003
    np.testing.assert_array_equal(s(np.arange(50, 500)), 0.003)
    cyc = S.polynomial_decay(0.1, 50, end_lr=0.003, cycle=True)
    # cycling: end_lr at every multiple of T, then a jump up to a longer, shallower decay
    np.testing.assert_allclose(cyc(np.array([50, 100, 150])), 0.003, rtol=1e-12)
    assert cyc(0) == pytest.approx(0.1)
    assert cyc(51) == pytest.approx(0.003 + 0.097 * (1 - 51 / 100))


def test_cosine_reaches_alpha_times_peak_and_stays():
    s = S.cosine_decay(0.1, 40, alpha=0.25)
    assert s(0) == pytest.approx(0.1)
    assert s(20) == pytest.approx(0.1 * (0.25 + 0.75 * 0.5))
    np.testing.assert_allclose(s(np.arange(40, 400)), 0.025, rtol=1e-14)
    w = S.cosine_decay(0.0, 40, alpha=0.25, warmup_target=0.4, warmup_steps=10)
    np.testing.assert_allclose(w(np.arange(50, 400)), 0.1, rtol=1e-14)


def test_inverse_sqrt_decays_like_one_over_root_t():
    s = S.inverse_sqrt_decay(0.2)
    assert s(399) == pytest.approx(0.2 / 20)
    w = S.inverse_sqrt_decay(0.2, warmup_steps=100)
    assert w(9999) == pytest.approx(0.2 * math.sqrt(100 / 10000))


# ---------------------------------------------------------------------------------------------
# Monotone non-increasing (hypothesis over parameters)

lrs = st.floats(1e-4, 10.0)
decay_steps = st.integers(1, 200)
fractions = st.floats(0.0, 1.0)
T_STEPS = np.arange(0, 1500)


def _non_increasing(values):
    return bool(np.all(np.diff(values) <= 1e-15 * np.abs(values[:-1])))


@settings(max_examples=40, deadline=None)
@given(a0=lrs, T=decay_steps, gamma=st.floats(1e-3, 1.0), stair=st.booleans())
def test_exponential_non_increasing(a0, T, gamma, stair):
    assert _non_increasing(S.exponential_decay(a0, T, gamma, stair)(T_STEPS))


@settings(max_examples=40, deadline=None)
@given(a0=lrs, T=decay_steps, frac=fractions, power=st.floats(0.1, 5.0))
def test_polynomial_non_increasing(a0, T, frac, power):
    assert _non_increasing(S.polynomial_decay(a0, T, end_lr=frac * a0, power=power)(T_STEPS))


@settings(max_examples=40, deadline=None)
@given(a0=lrs, T=decay_steps, gamma=st.floats(1e-3, 100.0), stair=st.booleans())
def test_inverse_time_non_increasing(a0, T, gamma, stair):
    assert _non_increasing(S.inverse_time_decay(a0, T, gamma, stair)(T_STEPS))


@settings(max_examples=40, deadline=None)
@given(a0=lrs, T=decay_steps, a=fractions, W=st.integers(0, 100), start=fractions)
def test_cosine_rises_during_warmup_then_non_increasing(a0, T, a, W, start):
    s = S.cosine_decay(start * a0, T, alpha=a, warmup_target=a0, warmup_steps=W)
    values = s(T_STEPS)
    assert np.all(np.diff(values[: W + 1]) >= 0)
    assert _non_increasing(values[W:])
    assert _non_increasing(S.cosine_decay(a0, T, alpha=a)(T_STEPS))


@settings(max_examples=40, deadline=None)
@given(values=st.lists(lrs, min_size=1, max_size=6), gaps=st.lists(decay_steps, min_size=5))
def test_piecewise_with_decreasing_values_non_increasing(values, gaps):
    values = sorted(values, reverse=True)
    boundaries = np.cumsum(gaps[: len(values) - 1]).tolist()
    assert _non_increasing(S.piecewise_constant(boundaries, values)(T_STEPS))


@settings(max_examples=40, deadline=None)
@given(a0=lrs, W=st.integers(0, 300))
def test_inverse_sqrt_rises_until_peak_then_non_increasing(a0, W):
    values = S.inverse_sqrt_decay(a0, W)(T_STEPS)
    peak = max(W - 1, 0)
    assert np.all(np.diff(values[: peak + 1]) > 0)
    assert _non_increasing(values[peak:])
    assert values.max() == pytest.approx(a0)


# ---------------------------------------------------------------------------------------------
# Continuity at warm-up joins


@settings(max_examples=40, deadline=None)
@given(W=st.integers(1, 100), start=st.floats(0.0, 0.5), a0=lrs)
def test_linear_warmup_joins_the_schedule(W, start, a0):
    inner = S.cosine_decay(a0, 50, alpha=0.1)
    s = S.linear_warmup(inner, W, start_lr=start)
    assert s(0) == pytest.approx(start)
    assert s(W) == inner(0)
    assert s(W + 17) == inner(17)
    # the ramp is a straight line: equal increments up to the join
    ramp = s(np.arange(W + 1))
    np.testing.assert_allclose(np.diff(ramp), (inner(0) - start) / W, rtol=1e-9, atol=1e-15)


def test_linear_warmup_calls_the_schedule_once_per_call():
    calls = []

    def inner(t):
        calls.append(np.array(t))
        return 0.1 / (1.0 + np.asarray(t))

    s = S.linear_warmup(inner, 5)
    s(np.arange(20))
    assert len(calls) == 1
    np.testing.assert_array_equal(calls[0], np.maximum(np.arange(20) - 5, 0))


def test_linear_warmup_of_an_array_schedule_broadcasts():
    s = S.linear_warmup(S.as_schedule(np.array([0.1, 0.2])), 4)
    np.testing.assert_allclose(s(2), [0.05, 0.1])
    out = s(np.arange(6))
    assert out.shape == (6, 2)
    np.testing.assert_allclose(out[:, 1], [0.0, 0.05, 0.1, 0.15, 0.2, 0.2])


@pytest.mark.parametrize("W", [1, 2, 7, 64])
def test_inverse_sqrt_warmup_peak_at_t_plus_one_equal_w(W):
    s = S.inverse_sqrt_decay(0.3, W)
    assert s(W - 1) == pytest.approx(0.3)
    t = np.arange(4 * W + 10)
    assert int(np.argmax(s(t))) == W - 1
    # the ramp leads up to the peak and the decay leads away from it
    if W > 1:
        assert s(W - 2) == pytest.approx(0.3 * (W - 1) / W)
    assert s(W) == pytest.approx(0.3 * math.sqrt(W / (W + 1)))


def test_inverse_sqrt_warmup_of_one_step_is_plain_inverse_sqrt():
    t = np.arange(100)
    np.testing.assert_allclose(S.inverse_sqrt_decay(0.1, 1)(t), S.inverse_sqrt_decay(0.1)(t))


def test_cosine_warmup_reaches_target_at_warmup_steps():
    s = S.cosine_decay(0.01, 30, warmup_target=0.1, warmup_steps=10)
    assert s(0) == pytest.approx(0.01)
    assert s(5) == pytest.approx(0.055)
    assert s(10) == pytest.approx(0.1)


# ---------------------------------------------------------------------------------------------
# SGDR restarts


def _restart_steps(schedule, n):
    """Steps t at which α_{t} > α_{t-1}: the learning rate jumps back up."""
    values = schedule(np.arange(n))
    return (np.flatnonzero(np.diff(values) > 0) + 1).tolist()


@pytest.mark.parametrize(
    ("T0", "tau", "expected"),
    [
        (10, 1.0, [10, 20, 30, 40, 50]),
        (10, 2.0, [10, 30, 70, 150]),
        (5, 3.0, [5, 20, 65]),
        (4, 3.0, [4, 16, 52, 160, 484]),  # log(1 + f(τ − 1))/log τ rounds down at f = 121
        (4, 10.0, [4, 44, 444, 4444]),  # ... and at f = 111
        (10, 1.5, [10, 25, 48, 82]),  # restarts at 47.5 and 81.25 show at the next whole step
    ],
)
def test_restarts_happen_at_the_right_steps(T0, tau, expected):
    s = S.cosine_decay_restarts(1.0, T0, t_mul=tau, m_mul=0.8, alpha=0.1)
    assert _restart_steps(s, expected[-1] + 3) == expected
    if tau != 1.5:  # each period begins at its peak α₀(a + (1 − a)μ^i)
        for i, t in enumerate([0, *expected]):
            assert s(t) == pytest.approx(0.1 + 0.9 * 0.8**i, rel=1e-12)


def test_restarts_just_before_a_restart_is_near_the_floor():
    s = S.cosine_decay_restarts(0.1, 100, t_mul=2.0, m_mul=0.9, alpha=0.0)
    for end, length, i in ((100, 100, 0), (300, 200, 1), (700, 400, 2)):
        expected = 0.1 * 0.9**i * 0.5 * (1 + math.cos(math.pi * (length - 1) / length))
        assert s(end - 1) == pytest.approx(expected, rel=1e-12)
        assert s(end - 1) < 1e-3 * 0.1


def test_restarts_with_shrinking_periods_give_nan_after_the_horizon():
    s = S.cosine_decay_restarts(0.1, 100, t_mul=0.5)  # all periods fit in 100/(1 − 0.5) steps
    assert np.all(np.isfinite(s(np.arange(199))))
    assert np.all(np.isnan(s(np.array([200, 201, 5000]))))


# ---------------------------------------------------------------------------------------------
# Validation: every invalid parameter is named in the message

INVALID = [
    (lambda: S.exponential_decay(0.0, 10, 0.5), r"initial_lr must be in \(0, inf\)"),
    (lambda: S.exponential_decay(-0.1, 10, 0.5), "initial_lr"),
    (lambda: S.exponential_decay(np.array([0.1, 0.2]), 10, 0.5), "initial_lr must be a scalar"),
    (lambda: S.exponential_decay(0.1, 0, 0.5), r"decay_steps must be an integer in \[1, inf\)"),
    (lambda: S.exponential_decay(0.1, 2.5, 0.5), "decay_steps must be an integer"),
    (lambda: S.exponential_decay(0.1, 10, 0.0), r"decay_rate must be in \(0, inf\)"),
    (lambda: S.exponential_decay(0.1, 10, -0.5), "decay_rate"),
    (lambda: S.exponential_decay(0.1, 10, 0.5, staircase="yes"), "staircase must be True or"),
    (lambda: S.polynomial_decay(0.0, 10), "initial_lr"),
    (lambda: S.polynomial_decay(0.1, -3), "decay_steps"),
    (lambda: S.polynomial_decay(0.1, 10, end_lr=-1e-3), r"end_lr must be in \[0, inf\)"),
    (lambda: S.polynomial_decay(0.1, 10, power=0.0), r"power must be in \(0, inf\)"),
    (lambda: S.polynomial_decay(0.1, 10, cycle=1), "cycle must be True or False"),
    (lambda: S.inverse_time_decay(0.1, 10, 0.0), r"decay_rate must be in \(0, inf\)"),
    (lambda: S.inverse_time_decay(0.1, 0, 1.0), "decay_steps"),
    (lambda: S.inverse_time_decay(np.nan, 10, 1.0), "initial_lr"),
    (lambda: S.inverse_time_decay(0.1, 10, 1.0, staircase=None), "staircase"),
    (lambda: S.cosine_decay(0.0, 10), r"initial_lr must be in \(0, inf\)"),
    (lambda: S.cosine_decay(-0.1, 10, warmup_target=0.1, warmup_steps=3),
     r"initial_lr must be in \[0, inf\)"),
    (lambda: S.cosine_decay(0.1, 0), "decay_steps"),
    (lambda: S.cosine_decay(0.1, 10, alpha=1.5), r"alpha must be in \[0, 1\]"),
    (lambda: S.cosine_decay(0.1, 10, alpha=-0.1), "alpha"),
    (lambda: S.cosine_decay(0.1, 10, warmup_target=0.0, warmup_steps=3), "warmup_target"),
    (lambda: S.cosine_decay(0.1, 10, warmup_target=0.2, warmup_steps=-1),
     r"warmup_steps must be an integer in \[0, inf\)"),
    (lambda: S.cosine_decay(0.1, 10, warmup_target=0.2, warmup_steps=1.5), "warmup_steps"),
    (lambda: S.cosine_decay(0.1, 10, warmup_steps=5), "warmup_steps must be 0 when warmup_target"),
    (lambda: S.cosine_decay_restarts(0.0, 10), "initial_lr"),
    (lambda: S.cosine_decay_restarts(0.1, 0), r"first_decay_steps must be an integer in \[1"),
    (lambda: S.cosine_decay_restarts(0.1, 10, t_mul=0.0), r"t_mul must be in \(0, inf\)"),
    (lambda: S.cosine_decay_restarts(0.1, 10, m_mul=-1.0), r"m_mul must be in \(0, inf\)"),
    (lambda: S.cosine_decay_restarts(0.1, 10, alpha=2.0), r"alpha must be in \[0, 1\]"),
    (lambda: S.piecewise_constant([10, 5], [0.1, 0.01, 0.001]), "boundaries must be strictly"),
    (lambda: S.piecewise_constant([10, 10], [0.1, 0.01, 0.001]), "boundaries must be strictly"),
    (lambda: S.piecewise_constant([10], [0.1, 0.01, 0.001]), r"values must have len\(bound"),
    (lambda: S.piecewise_constant([10, 20], [0.1, 0.01]), r"values must have len\(bound"),
    (lambda: S.piecewise_constant([10], [0.1, 0.0]), r"values\[1\] must be in \(0, inf\)"),
    (lambda: S.piecewise_constant([np.nan], [0.1, 0.01]), r"boundaries\[0\]"),
    (lambda: S.piecewise_constant(10, [0.1, 0.01]), "boundaries and values must be sequences"),
    (lambda: S.constant(0.0), r"lr must be in \(0, inf\)"),
    (lambda: S.constant(np.array([0.1, -1.0])), "lr must be in"),
    (lambda: S.inverse_sqrt_decay(0.0), "initial_lr"),
    (lambda: S.inverse_sqrt_decay(0.1, -1), r"warmup_steps must be an integer in \[0, inf\)"),
    (lambda: S.inverse_sqrt_decay(0.1, 2.5), "warmup_steps"),
    (lambda: S.linear_warmup("cosine", 5), "schedule must be a callable of the step or a float"),
    (lambda: S.linear_warmup(-0.1, 5), "schedule must be a callable"),
    (lambda: S.linear_warmup(S.constant(0.1), -1), "warmup_steps"),
    (lambda: S.linear_warmup(S.constant(0.1), 5, start_lr=-0.1), r"start_lr must be in \[0"),
    (lambda: S.robbins_monro_sums(S.constant(0.1), 0), r"steps must be an integer in \[1"),
]


@pytest.mark.parametrize("make,match", INVALID, ids=[m for _, m in INVALID])
def test_invalid_parameters_rejected_with_their_name(make, match):
    with pytest.raises(ValueError, match=match):
        make()


# ---------------------------------------------------------------------------------------------
# as_schedule and attributes


@pytest.mark.parametrize("bad", [0.0, -1.0, np.nan, np.inf, "0.1", None, True, [0.1, 0.0],
                                 np.array([[0.1], [-0.2]]), object()])
def test_as_schedule_rejects_non_positive_and_non_numbers(bad):
    with pytest.raises(ValueError, match="lr must be > 0 or a schedule"):
        S.as_schedule(bad)


def test_as_schedule_floats_arrays_and_callables():
    s = S.as_schedule(0.05)
    assert s(0) == 0.05 and s(10**6) == 0.05 and type(s(3)) is float
    assert s.name == "constant"
    assert S.as_schedule(1)(4) == 1.0

    def custom(t):
        return 0.1 / (1 + np.asarray(t))

    wrapped = S.as_schedule(custom)  # a caller's schedule: its values are checked at each call
    assert wrapped.__wrapped__ is custom and wrapped(3) == custom(3)
    with pytest.raises(ValueError, match=r"lr \(a learning-rate schedule\) returned -0.1 at step"):
        S.as_schedule(lambda t: -0.1)(2)
    grid = np.array([[0.1], [0.2], [0.4]])  # a grid of learning rates that broadcasts over θ
    g = S.as_schedule(grid)
    np.testing.assert_array_equal(g(7), grid)
    assert g(7).shape == (3, 1)
    assert g(np.arange(5)).shape == (5, 3, 1)
    assert (g(7) * np.ones((3, 2))).shape == (3, 2)
    grid[0, 0] = 99.0  # the schedule keeps its own copy
    assert g(0)[0, 0] == 0.1
    with pytest.raises(ValueError):  # and does not let a caller change it in place
        g(0)[0, 0] = 5.0


def test_every_schedule_has_name_params_and_label():
    for key, (schedule, _) in CASES.items():
        assert isinstance(schedule.name, str) and schedule.__name__ == schedule.name, key
        assert isinstance(schedule.params, dict) and schedule.params, key
        assert schedule.label.startswith(schedule.name + "("), key
    s = S.cosine_decay_restarts(0.1, 10, m_mul=0.5)
    assert s.params == {"initial_lr": 0.1, "first_decay_steps": 10, "t_mul": 2.0,
                        "m_mul": 0.5, "alpha": 0.0}
    assert s.label == "cosine_decay_restarts(initial_lr=0.1, first_decay_steps=10, m_mul=0.5)"
    w = S.linear_warmup(S.exponential_decay(0.1, 10, 0.5), 5)
    assert "exponential_decay(" in w.label and "warmup_steps=5" in w.label


# ---------------------------------------------------------------------------------------------
# Robbins–Monro partial sums and verdicts


def test_robbins_monro_sums_match_a_loop_and_call_once():
    calls = []
    inner = S.cosine_decay_restarts(0.1, 10, m_mul=0.7)

    def counted(t):
        calls.append(1)
        return inner(t)

    A, B = S.robbins_monro_sums(counted, 100)
    assert len(calls) == 1 and A.shape == B.shape == (100,)
    a_loop, b_loop, acc_a, acc_b = [], [], 0.0, 0.0
    for t in range(100):
        acc_a += inner(t)
        acc_b += inner(t) ** 2
        a_loop.append(acc_a)
        b_loop.append(acc_b)
    np.testing.assert_allclose(A, a_loop, rtol=1e-12)
    np.testing.assert_allclose(B, b_loop, rtol=1e-12)


def test_robbins_monro_conditions_for_classic_schedules():
    n = 100_000
    # α_t = 1/(t + 1): Σα is the harmonic number (→ ∞ like ln n), Σα² → π²/6
    A, B = S.robbins_monro_sums(S.inverse_time_decay(1.0, 1, 1.0), n)
    assert abs(A[-1] - math.log(n) - 0.5772156649) < 1 / n
    assert 0 < math.pi**2 / 6 - B[-1] < 1 / n
    # constant: both grow linearly — Σα² diverges
    A, B = S.robbins_monro_sums(0.1, n)
    assert A[-1] == pytest.approx(0.1 * n) and B[-1] == pytest.approx(0.01 * n)
    # exponential: Σα converges to α₀ / (1 − γ) — too little total step
    A, _ = S.robbins_monro_sums(S.exponential_decay(1.0, 1, 0.9), 2000)
    assert A[-1] == pytest.approx(1.0 / (1 - 0.9), rel=1e-9)
    # 1/√(t+1): Σα ≈ 2√n + ζ(1/2) diverges, and so does Σα² ≈ ln n + 0.5772
    A, B = S.robbins_monro_sums(S.inverse_sqrt_decay(1.0), n)
    assert A[-1] - 2 * math.sqrt(n) == pytest.approx(-1.4603545088, abs=1e-2)
    assert B[-1] - math.log(n) == pytest.approx(0.5772156649, abs=1e-4)


def test_robbins_monro_sums_of_a_grid_sum_over_steps():
    A, B = S.robbins_monro_sums(np.array([0.1, 0.2]), 10)
    assert A.shape == (10, 2)
    np.testing.assert_allclose(A[-1], [1.0, 2.0])
    np.testing.assert_allclose(B[-1], [0.1, 0.4])


def test_large_steps_raise_no_warning():
    # pytest turns RuntimeWarnings into errors; overflow and underflow must stay quiet
    assert S.exponential_decay(0.1, 1, 2.0)(10**4) == math.inf
    assert S.cosine_decay_restarts(0.1, 1, t_mul=1.0, m_mul=10.0)(10**4) == math.inf
    assert S.cosine_decay_restarts(0.1, 1, t_mul=2.0, m_mul=0.1)(10**9) == pytest.approx(0.0)


@pytest.mark.parametrize("schedule, expected", [
    (S.constant(0.1), (True, False)),
    (0.1, (True, False)),  # a float is a constant schedule
    (S.exponential_decay(0.1, 10, 0.5), (False, True)),
    (S.exponential_decay(0.1, 10, 1.0), (True, False)),
    (S.exponential_decay(0.1, 10, 0.5, staircase=True), (False, True)),
    (S.inverse_time_decay(0.1, 10, 1.0), (True, True)),
    (S.inverse_time_decay(0.1, 10, 1.0, staircase=True), (True, True)),
    (S.inverse_sqrt_decay(0.1), (True, False)),
    (S.inverse_sqrt_decay(0.1, warmup_steps=50), (True, False)),
    (S.cosine_decay(0.1, 100, alpha=0.0), (False, True)),
    (S.cosine_decay(0.1, 100, alpha=0.1), (True, False)),
    (S.cosine_decay(0.0, 100, alpha=0.1, warmup_target=0.1, warmup_steps=10), (True, False)),
    (S.cosine_decay_restarts(0.1, 10, t_mul=2.0, m_mul=0.4), (False, True)),
    (S.cosine_decay_restarts(0.1, 10, t_mul=2.0, m_mul=0.6), (True, True)),
    (S.cosine_decay_restarts(0.1, 10, t_mul=2.0, m_mul=0.8), (True, False)),
    (S.cosine_decay_restarts(0.1, 10, t_mul=2.0, m_mul=0.4, alpha=0.1), (True, False)),
    (S.polynomial_decay(0.1, 100, end_lr=1e-4), (True, False)),
    (S.polynomial_decay(0.1, 100, end_lr=0.0), (False, True)),  # zero after decay_steps
    # cycling to 0: block k adds ∝ (k+1)^-p to Σα and ∝ (k+1)^-2p to Σα²
    (S.polynomial_decay(0.1, 100, end_lr=0.0, cycle=True, power=1.0), (True, True)),
    (S.polynomial_decay(0.1, 100, end_lr=0.0, cycle=True, power=2.0), (False, True)),
    (S.polynomial_decay(0.1, 100, end_lr=0.0, cycle=True, power=0.5), (True, False)),
    (S.piecewise_constant([10, 20], [0.1, 0.01, 0.001]), (True, False)),
    # a warm-up does not change the tail: the verdict of the schedule it warms up
    (S.linear_warmup(S.cosine_decay(0.1, 100), 10), (False, True)),
    (S.linear_warmup(S.inverse_time_decay(0.1, 10, 1.0), 10), (True, True)),
    (S.linear_warmup(0.1, 10), (True, False)),
], ids=lambda v: getattr(v, "label", None) if callable(v) else None)
@pytest.mark.filterwarnings("error")
def test_robbins_monro_verdict(schedule, expected):
    assert S.robbins_monro_verdict(schedule) == expected


@pytest.mark.parametrize("schedule, expected", [
    (S.inverse_time_decay(1.0, 1, 1.0), (True, True)),      # α_t = 1/(t+1)
    (S.inverse_sqrt_decay(1.0), (True, False)),             # α_t = 1/√(t+1)
    (S.exponential_decay(1.0, 1, 0.9), (False, True)),      # α_t = 0.9^t
    (S.constant(1.0), (True, False)),
])
@pytest.mark.filterwarnings("error")
def test_robbins_monro_verdict_agrees_with_the_partial_sums(schedule, expected):
    """Σα and Σα² written out over 10⁶ steps: growing like log t, √t or t — or levelled off."""
    t = np.arange(10**6, dtype=np.float64)
    alpha = np.asarray(schedule(t.astype(np.int64)), dtype=np.float64)
    A, B = np.cumsum(alpha), np.cumsum(alpha**2)

    def grows(c):  # the last 9·10⁵ steps still add more than 1
        return c[-1] - c[10**5] > 1.0

    assert (grows(A), not grows(B)) == expected == S.robbins_monro_verdict(schedule)


@pytest.mark.parametrize("bad", [lambda t: 0.1, "constant", -0.1, None])
def test_robbins_monro_verdict_needs_a_schedule_of_this_module(bad):
    with pytest.raises(ValueError, match="schedule"):
        S.robbins_monro_verdict(bad)


@pytest.mark.filterwarnings("error")
def test_robbins_monro_verdict_of_restarts_matches_the_partial_sums():
    # μτ = 1.2 > 1 ⇒ Σα grows geometrically per period; μ²τ = 0.72 < 1 ⇒ Σα² levels off
    s = S.cosine_decay_restarts(1.0, 10, t_mul=2.0, m_mul=0.6)
    A, B = S.robbins_monro_sums(s, 10 * (2**12 - 1))  # 12 whole periods
    ends = 10 * (2 ** np.arange(1, 13) - 1) - 1
    assert np.all(np.diff(np.diff(A[ends])) > 0)  # per-period gains of Σα grow
    gains = np.diff(B[ends])
    assert np.all(gains[1:] < gains[:-1]) and gains[-1] < 0.01 * B[-1]


# ---------------------------------------------------------------------------------------------
# The mnist_training assignment's decay: lr_schedule


@pytest.mark.parametrize("lr, final, T", [(0.01, 1e-4, 220), (0.1, 0.001, 7), (1e-3, 0.05, 33)])
def test_linear_decay_is_the_straight_line_and_ends_exactly_at_the_final_rate(lr, final, T):
    s = S.lr_schedule(lr, "linear", final, decay_steps=T)
    t = np.arange(T + 1)
    expected = lr + (final - lr) * t / T  # α_t = α₀ + (α_T − α₀) t/T
    np.testing.assert_allclose(s(t), expected, rtol=1e-12)
    assert s(0) == pytest.approx(lr, rel=1e-15)  # (α₀ − α_T)·1 + α_T: rounding only
    assert s(T) == final  # after the last update, exactly
    assert s(T - 1) != final  # the last update itself still uses a (slightly) different rate
    assert s(T + 5) == final  # and it stays there


@pytest.mark.parametrize("lr, final, T", [(0.01, 1e-4, 220), (0.1, 0.003, 7), (1e-3, 0.05, 33)])
def test_exponential_decay_is_geometric_and_ends_at_the_final_rate(lr, final, T):
    s = S.lr_schedule(lr, "exponential", final, decay_steps=T)
    t = np.arange(T + 1)
    expected = np.exp(np.log(lr) + (np.log(final) - np.log(lr)) * t / T)
    np.testing.assert_allclose(s(t), expected, rtol=1e-12)
    assert abs(s(T) - final) <= np.spacing(final)  # at most one unit in the last place
    ratios = s(t[1:]) / s(t[:-1])
    np.testing.assert_allclose(ratios, (final / lr) ** (1 / T), rtol=1e-12)  # constant factor


def test_no_decay_is_constant_and_ignores_the_final_rate():
    s = S.lr_schedule(0.3, "none", None, decay_steps=5)
    np.testing.assert_array_equal(s(np.arange(10)), 0.3)


def test_lr_schedule_is_one_of_the_module_schedules():
    assert S.DECAYS == ("none", "linear", "exponential")
    names = [S.lr_schedule(0.1, d, 0.01, 10).name for d in S.DECAYS]
    assert names == ["constant", "polynomial_decay", "exponential_decay"]
    assert S.robbins_monro_verdict(S.lr_schedule(0.1, "linear", 0.01, 10)) == (True, False)


@pytest.mark.parametrize("kwargs, name", [
    ({"learning_rate": 0.1, "decay": "cosine", "learning_rate_final": 0.01}, "decay"),
    ({"learning_rate": 0.0, "decay": "none"}, "learning_rate"),
    ({"learning_rate": 0.1, "decay": "linear", "learning_rate_final": None}, "learning_rate_final"),
    ({"learning_rate": 0.1, "decay": "exponential", "learning_rate_final": -1.0},
     "learning_rate_final"),
    ({"learning_rate": 0.1, "decay": "linear", "learning_rate_final": 0.01, "decay_steps": 0},
     "decay_steps"),
])
def test_lr_schedule_rejects_bad_arguments_by_name(kwargs, name):
    with pytest.raises(ValueError, match=name):
        S.lr_schedule(**kwargs)


def test_training_with_the_schedule_uses_exactly_decay_steps_updates():
    from npfl_helpers import data, mlp, optim

    epochs, batch = 3, 25
    small = data.load_small(n_train=60, n_dev=40)
    total = epochs * math.ceil(60 / batch)
    seen = []

    def spy(t):
        seen.append(int(t))
        return S.lr_schedule(0.1, "linear", 0.01, total)(t)

    model = mlp.MLP((64, 8, 10), seed=0)
    mlp.train(model, *small.train, optim.sgd(spy), epochs, batch, progress=False)
    assert seen == list(range(total))  # updates 0 … T−1: the rate after the last one is α_T


# ---------------------------------------------------------------------------------------------
# Optional cross-checks


def _keras_pairs(keras):
    ks = keras.optimizers.schedules
    return [
        (S.exponential_decay(0.1, 10, 0.5), ks.ExponentialDecay(0.1, 10, 0.5)),
        (S.exponential_decay(0.1, 10, 0.5, True), ks.ExponentialDecay(0.1, 10, 0.5, True)),
        (S.polynomial_decay(0.1, 30, 0.01, 2.0), ks.PolynomialDecay(0.1, 30, 0.01, 2.0)),
        (S.polynomial_decay(0.1, 12, 0.001, 1.0, cycle=True),
         ks.PolynomialDecay(0.1, 12, 0.001, 1.0, cycle=True)),
        (S.inverse_time_decay(0.1, 10, 0.5), ks.InverseTimeDecay(0.1, 10, 0.5)),
        (S.inverse_time_decay(0.1, 6, 2.0, True), ks.InverseTimeDecay(0.1, 6, 2.0, True)),
        (S.cosine_decay(0.1, 40, 0.2), ks.CosineDecay(0.1, 40, 0.2)),
        (S.cosine_decay(0.0, 30, 0.1, warmup_target=0.5, warmup_steps=8),
         ks.CosineDecay(0.0, 30, 0.1, warmup_target=0.5, warmup_steps=8)),
        (S.cosine_decay_restarts(0.1, 10, 2.0, 0.5, 0.1),
         ks.CosineDecayRestarts(0.1, 10, 2.0, 0.5, 0.1)),
        (S.cosine_decay_restarts(0.1, 9, 1.0, 0.8), ks.CosineDecayRestarts(0.1, 9, 1.0, 0.8)),
        (S.piecewise_constant([10, 25], [0.1, 0.05, 0.01]),
         ks.PiecewiseConstantDecay([10, 25], [0.1, 0.05, 0.01])),
    ]


def test_matches_keras():
    keras = pytest.importorskip("keras")
    # Keras's log-based period index may round down exactly at a restart (see the docstring)
    steps = [t for t in range(0, 100) if t not in (10, 30, 70)]
    for ours, theirs in _keras_pairs(keras):
        expected = [float(keras.ops.convert_to_numpy(theirs(t))) for t in steps]
        np.testing.assert_allclose(ours(np.array(steps)), expected, rtol=2e-5, atol=1e-7,
                                   err_msg=ours.label)


@pytest.mark.torch
def test_matches_pytorch_schedulers():
    torch = pytest.importorskip("torch")

    def lrs(make_scheduler, lr, n):
        param = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([param], lr=lr)
        sched = make_scheduler(opt)
        out = []
        for _ in range(n):
            out.append(sched.get_last_lr()[0])
            opt.step()
            sched.step()
        return np.array(out)

    t = np.arange(120)
    lr_sched = torch.optim.lr_scheduler
    theirs = lrs(lambda o: lr_sched.ExponentialLR(o, gamma=0.97), 0.1, 120)
    np.testing.assert_allclose(S.exponential_decay(0.1, 1, 0.97)(t), theirs, rtol=1e-10)
    theirs = lrs(lambda o: lr_sched.CosineAnnealingLR(o, T_max=50, eta_min=0.01), 0.1, 51)
    np.testing.assert_allclose(S.cosine_decay(0.1, 50, alpha=0.1)(t[:51]), theirs, rtol=1e-10)
    theirs = lrs(lambda o: lr_sched.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2,
                                                                eta_min=0.005), 0.1, 120)
    np.testing.assert_allclose(S.cosine_decay_restarts(0.1, 10, 2.0, 1.0, 0.05)(t), theirs,
                               rtol=1e-10)
    theirs = lrs(lambda o: lr_sched.PolynomialLR(o, total_iters=40, power=2.0), 0.1, 120)
    np.testing.assert_allclose(S.polynomial_decay(0.1, 40, end_lr=0.0, power=2.0)(t), theirs,
                               rtol=1e-9, atol=1e-15)
