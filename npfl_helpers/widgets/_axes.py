"""Axes that keep still while a slider moves: limits rounded outwards and kept while the data
fit, light log axes, room for the explorer's dynamic title.

Limits that rarely change are easier to read, and they keep the static part of the figure in
the explorer's cache (see :class:`~npfl_helpers.widgets._base.Explorer`), so an update only
redraws the dynamic artists.
"""

from __future__ import annotations

import numpy as np
from matplotlib import ticker as mticker
from matplotlib.layout_engine import ConstrainedLayoutEngine

__all__ = ["FLOOR", "decades", "layout_engine", "light_log_axis", "linear_limits",
           "set_ylim_sticky", "step_limit", "symlog_limits"]

FLOOR = 1e-12  # f − f* below this is drawn at this value on log axes


def layout_engine(top: float = 0.93) -> ConstrainedLayoutEngine:
    """Constrained layout below ``top`` (figure fraction): the dynamic title goes above it."""
    return ConstrainedLayoutEngine(rect=(0.0, 0.0, 1.0, top))


def light_log_axis(axis) -> None:
    """No minor ticks on a log axis whose limits change: they are most of its drawing cost."""
    axis.set_minor_locator(mticker.NullLocator())


def decades(lo: float, hi: float) -> tuple[float, float]:
    """Round positive limits outwards to powers of ten (at least one decade apart).

    >>> decades(0.03, 7.0)
    (0.01, 10.0)
    """
    lo_q = 10.0 ** np.floor(np.log10(lo))
    hi_q = 10.0 ** np.ceil(np.log10(hi))
    return float(lo_q), float(max(hi_q, 10.0 * lo_q))


def symlog_limits(lo: float, hi: float, linthresh: float = 1e-2) -> tuple[float, float]:
    """Round symlog limits outwards to ± powers of ten (0 when the data keep one sign).

    >>> symlog_limits(-3.0, 0.5)
    (-10.0, 1.0)
    """
    lo_q = -(10.0 ** np.ceil(np.log10(max(-lo, linthresh)))) if lo < 0 else 0.0
    hi_q = 10.0 ** np.ceil(np.log10(max(hi, linthresh))) if hi > 0 else 0.0
    return float(lo_q), float(hi_q if hi_q > lo_q else linthresh)


def linear_limits(lo: float, hi: float) -> tuple[float, float]:
    """Round linear limits outwards to multiples of 0.5, with a margin.

    >>> linear_limits(0.1, 1.2)
    (-0.25, 1.75)
    """
    return float(np.floor(2 * lo) / 2 - 0.25), float(np.ceil(2 * hi) / 2 + 0.25)


def set_ylim_sticky(ax, lo: float, hi: float, rounded, slack_decades: float = 3.0) -> None:
    """Show data in [lo, hi] with limits that rarely move.

    Keep the current limits if they contain the data with modest slack (``slack_decades`` on
    log and symlog axes, half the span on linear ones); else widen them to cover both old and
    new data if that stays within the slack; else set ``rounded(lo, hi)``.
    """
    cur_lo, cur_hi = ax.get_ylim()
    t = ax.yaxis.get_transform().transform
    linear = ax.get_yscale() == "linear"

    def fits(a_lo, a_hi):
        if not (a_lo <= lo and hi <= a_hi):
            return False
        a, b, c, d = t(np.array([[a_lo], [lo], [hi], [a_hi]]))[:, 0]
        slack = 0.5 * (d - a) if linear else slack_decades
        return bool(np.all(np.isfinite([a, b, c, d])) and b - a <= slack and d - c <= slack)

    if fits(cur_lo, cur_hi):
        return
    if ax.get_yscale() == "log" and cur_lo <= 0:
        ax.set_ylim(*rounded(lo, hi))
        return
    wider = rounded(min(lo, cur_lo), max(hi, cur_hi))
    ax.set_ylim(*(wider if fits(*wider) else rounded(lo, hi)))


_ROUND = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def step_limit(current: float, last: float) -> float:
    """The right limit of a step axis ``[0, limit]`` for data up to step ``last``: ``current``
    while the data fill more than half of it, else ``last`` rounded up to a round number
    (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10ᵏ). A steps slider then seldom moves the axis.

    >>> step_limit(999.0, 999.0), step_limit(999.0, 1099.0), step_limit(1200.0, 999.0)
    (999.0, 1200.0, 1200.0)
    >>> step_limit(1200.0, 499.0)
    500.0
    """
    if last <= 0:
        return 1.0
    if 0.5 * current < last <= current:
        return float(current)
    scale = 10.0 ** np.floor(np.log10(last))
    return float(scale * next(r for r in _ROUND if r * scale >= last * (1 - 1e-12)))
