"""Tests for npfl_helpers.axis_limits: each rounding written out again, and bad input."""

import math

import numpy as np
import pytest

from npfl_helpers import axis_limits as AL

RNG = np.random.default_rng(11)
POSITIVE = [(float(a), float(a * b)) for a, b in zip(10.0 ** RNG.uniform(-12, 8, 40),
                                                     10.0 ** RNG.uniform(0, 6, 40),
                                                     strict=True)]


def _powers_of_ten_around(x: float) -> tuple[float, float]:
    """The powers of ten just below (or at) and just above (or at) x > 0, by search."""
    k = 0
    while 10.0**k > x:
        k -= 1
    while 10.0 ** (k + 1) <= x:
        k += 1
    below = 10.0**k
    return below, below if math.isclose(below, x, rel_tol=1e-12) else 10.0 ** (k + 1)


@pytest.mark.parametrize("lo, hi", POSITIVE + [(0.03, 7.0), (1.0, 1.0), (0.5, 0.5)])
def test_decades_are_the_powers_of_ten_around_the_data(lo, hi):
    a, b = AL.decades(lo, hi)
    assert a == pytest.approx(_powers_of_ten_around(lo)[0], rel=1e-12)
    top = _powers_of_ten_around(hi)[1]
    assert b == pytest.approx(max(top, 10 * a), rel=1e-12)
    assert a <= lo and hi <= b * (1 + 1e-12) and b >= 10 * a * (1 - 1e-12)


@pytest.mark.parametrize("lo, hi, expected", [
    (-3.0, 0.5, (-10.0, 1.0)),      # both signs: ± powers of ten outside the data
    (0.2, 0.5, (0.0, 1.0)),         # positive data: 0 stays the bottom
    (-50.0, -2.0, (-100.0, 0.0)),   # negative data: 0 stays the top
    (-0.001, 0.0, (-0.01, 0.0)),    # inside the linear range: at least linthresh from 0
    (0.0, 0.0, (0.0, 0.01)),        # no data either side: the linear range above 0
    (-1e-5, 2e-5, (-0.01, 0.01)),
])
def test_symlog_limits(lo, hi, expected):
    assert AL.symlog_limits(lo, hi) == pytest.approx(expected, rel=1e-12)


def test_symlog_limits_follow_the_linear_range():
    assert AL.symlog_limits(-0.3, 0.02, linthresh=1.0) == (-1.0, 1.0)
    assert AL.symlog_limits(-0.3, 20.0, linthresh=1.0) == (-1.0, 100.0)


@pytest.mark.parametrize("lo, hi", [(0.1, 1.2), (-2.6, -2.4), (0.0, 0.0), (-0.5, 0.5),
                                    (3.3, 7.9)])
def test_linear_limits_are_halves_with_a_quarter_margin(lo, hi):
    a, b = AL.linear_limits(lo, hi)
    # the largest multiple of 0.5 at most lo, less 0.25; the smallest at least hi, plus 0.25
    halves = [k / 2 for k in range(-20, 21)]
    assert a == max(h for h in halves if h <= lo) - 0.25
    assert b == min(h for h in halves if h >= hi) + 0.25


ROUND = [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0]


@pytest.mark.parametrize("current, last", [(999.0, 999.0), (999.0, 1099.0), (1200.0, 999.0),
                                           (1200.0, 499.0), (100.0, 7.0), (50.0, 51.0),
                                           (10.0, 10.0), (1.0, 1e6), (1e6, 3.0)])
def test_step_limit_keeps_the_axis_while_the_data_fill_half_of_it(current, last):
    got = AL.step_limit(current, last)
    if current / 2 < last <= current:
        assert got == current
        return
    # else the smallest round number (1, 1.2, …, 8 × 10^k) at least last
    candidates = [r * 10.0**k for k in range(-2, 9) for r in ROUND]
    assert got == pytest.approx(min(c for c in candidates if c >= last * (1 - 1e-12)))


def test_step_limit_of_no_steps():
    assert AL.step_limit(100.0, 0.0) == 1.0 and AL.step_limit(100.0, -5.0) == 1.0


def test_a_slider_moving_one_step_at_a_time_seldom_moves_the_axis():
    limit, moves = 1000.0, 0
    for steps in range(1000, 10_001, 100):
        new = AL.step_limit(limit, steps - 1)
        moves += new != limit
        limit = new
        assert steps - 1 <= limit < 2 * steps
    assert moves <= 12


@pytest.mark.parametrize("call, match", [
    (lambda: AL.decades(0.0, 1.0), r"lo must be in \(0, inf\); got 0.0"),
    (lambda: AL.decades(1.0, -1.0), r"hi must be in \(0, inf\)"),
    (lambda: AL.decades(2.0, 1.0), r"lo must be at most hi; got lo = 2.0 > hi = 1.0"),
    (lambda: AL.decades(float("nan"), 1.0), "lo must be"),
    (lambda: AL.symlog_limits(-1.0, float("inf")), "hi must be"),
    (lambda: AL.symlog_limits(-1.0, 1.0, linthresh=0.0), r"linthresh must be in \(0, inf\)"),
    (lambda: AL.linear_limits(1.0, 0.0), "lo must be at most hi"),
    (lambda: AL.step_limit(float("nan"), 10.0), "current must be"),
    (lambda: AL.step_limit(10.0, [1.0, 2.0]), "last must be"),
])
def test_bad_input_is_named(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
