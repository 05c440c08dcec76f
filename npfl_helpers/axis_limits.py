r"""Axis limits that keep still while a slider moves: data ranges rounded outwards to round
numbers, so that most changes fit the limits already shown.

The explorers of :mod:`npfl_helpers.widgets` set their axes with these; they are computed here,
without matplotlib, and tested on their own. Limits that rarely change are easier to read, and
they keep an explorer's cached picture valid, so that an update only redraws what moves.

- :func:`decades`: positive limits rounded to powers of ten (log axes);
- :func:`symlog_limits`: limits rounded to :math:`\pm` powers of ten (symlog axes);
- :func:`linear_limits`: limits rounded to multiples of 0.5, with a margin;
- :func:`step_limit`: the right end of a step axis :math:`[0, T]`, kept while the data fill
  more than half of it.

(:func:`npfl_helpers.trajectories.nice_ceil` rounds a single number up to 1, 2 or 5 times a
power of ten.)

>>> decades(0.03, 7.0), step_limit(1000.0, 1099.0)
((0.01, 10.0), 1200.0)
"""

from __future__ import annotations

import math

from ._validate import check_range
from .trajectories import nice_ceil

__all__ = ["decades", "linear_limits", "step_limit", "symlog_limits"]

#: the round numbers of :func:`step_limit`, times a power of ten
STEP_ROUNDS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)


def _ordered(lo, hi, low: float | None = None, low_open: bool = False) -> tuple[float, float]:
    lo = check_range("lo", lo, low, low_open=low_open, allow_array=False)
    hi = check_range("hi", hi, low, low_open=low_open, allow_array=False)
    if lo > hi:
        raise ValueError(f"lo must be at most hi; got lo = {lo!r} > hi = {hi!r}")
    return lo, hi


def decades(lo: float, hi: float) -> tuple[float, float]:
    """Positive limits ``lo ≤ hi`` rounded outwards to powers of ten, at least one decade apart.

    >>> decades(0.03, 7.0), decades(1.0, 1.0)
    ((0.01, 10.0), (1.0, 10.0))
    """
    lo, hi = _ordered(lo, hi, 0.0, low_open=True)
    lo_q = 10.0 ** math.floor(math.log10(lo))
    hi_q = 10.0 ** math.ceil(math.log10(hi))
    return float(lo_q), float(max(hi_q, 10.0 * lo_q))


def symlog_limits(lo: float, hi: float, linthresh: float = 1e-2) -> tuple[float, float]:
    """Limits ``lo ≤ hi`` rounded outwards to ± powers of ten for a symlog axis whose linear
    range is ``linthresh``: 0 stays the end on a side without data, and the limits are never
    closer to 0 than ``linthresh``.

    >>> symlog_limits(-3.0, 0.5), symlog_limits(0.2, 0.5), symlog_limits(-0.001, 0.0)
    ((-10.0, 1.0), (0.0, 1.0), (-0.01, 0.0))
    """
    lo, hi = _ordered(lo, hi)
    linthresh = check_range("linthresh", linthresh, 0.0, low_open=True, allow_array=False)
    lo_q = -(10.0 ** math.ceil(math.log10(max(-lo, linthresh)))) if lo < 0 else 0.0
    hi_q = 10.0 ** math.ceil(math.log10(max(hi, linthresh))) if hi > 0 else 0.0
    return float(lo_q), float(hi_q if hi_q > lo_q else linthresh)


def linear_limits(lo: float, hi: float) -> tuple[float, float]:
    """Limits ``lo ≤ hi`` rounded outwards to multiples of 0.5, then 0.25 wider on each side.

    >>> linear_limits(0.1, 1.2)
    (-0.25, 1.75)
    """
    lo, hi = _ordered(lo, hi)
    return float(math.floor(2 * lo) / 2 - 0.25), float(math.ceil(2 * hi) / 2 + 0.25)


def step_limit(current: float, last: float) -> float:
    """The right limit of a step axis ``[0, limit]`` for data up to step ``last``: ``current``
    while the data fill more than half of it, else ``last`` rounded up to a round number
    (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10ᵏ); 1 for ``last`` ≤ 0. A steps slider then seldom
    moves the axis.

    >>> step_limit(999.0, 999.0), step_limit(999.0, 1099.0), step_limit(1200.0, 999.0)
    (999.0, 1200.0, 1200.0)
    >>> step_limit(1200.0, 499.0)
    500.0
    """
    current = check_range("current", current, allow_array=False)
    last = check_range("last", last, allow_array=False)
    if last <= 0:
        return 1.0
    if 0.5 * current < last <= current:
        return float(current)
    return nice_ceil(last, STEP_ROUNDS)
