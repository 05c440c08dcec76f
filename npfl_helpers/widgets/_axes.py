"""Axes that keep still while a slider moves: limits rounded outwards (by
:mod:`npfl_helpers.axis_limits`) and kept while the data fit, light log axes, room for the
explorer's dynamic title.

Limits that rarely change are easier to read, and they keep the static part of the figure in
the explorer's cache (see :class:`~npfl_helpers.widgets._base.Explorer`), so an update only
redraws the dynamic artists.
"""

from __future__ import annotations

import numpy as np
from matplotlib import ticker as mticker
from matplotlib.layout_engine import ConstrainedLayoutEngine

from ..axis_limits import decades, linear_limits, step_limit, symlog_limits

__all__ = ["FLOOR", "decades", "layout_engine", "light_log_axis", "linear_limits",
           "set_ylim_sticky", "step_limit", "symlog_limits"]

FLOOR = 1e-12  # f − f* below this is drawn at this value on log axes


def layout_engine(top: float = 0.93) -> ConstrainedLayoutEngine:
    """Constrained layout below ``top`` (figure fraction): the dynamic title goes above it."""
    return ConstrainedLayoutEngine(rect=(0.0, 0.0, 1.0, top))


def light_log_axis(axis) -> None:
    """No minor ticks on a log axis whose limits change: they are most of its drawing cost."""
    axis.set_minor_locator(mticker.NullLocator())


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
