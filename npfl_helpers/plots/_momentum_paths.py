r"""Figures of notebook 07 drawn in the parameter plane (re-exported by
:mod:`npfl_helpers.plots.momentum`): the contours of a 2-D surface (:func:`plot_surface`,
:func:`surface_artists`) and optimiser paths on them (:func:`plot_trajectories`,
:func:`update_trajectories`, :class:`PathArtists`).

What a path shows — clipped to the axes, ended with an "×" where a diverged run was last seen —
is computed in :mod:`npfl_helpers.trajectories`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from matplotlib import colors as mcolors
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from .._validate import check_int
from ..trajectories import as_runs, diverged_runs, visible_path
from ._style import _names_colors, label_for, new_figure

# No __all__: these names are exported once, by the topic module plots.momentum, which imports
# them by name and lists them in its __all__.

_SURFACE_GID = "npfl-surface"


def _light_greys():
    """Light greys: low values white, high values mid grey, so every path stays visible."""
    return mcolors.LinearSegmentedColormap.from_list("npfl_greys", ["#FFFFFF", "#BEBEBE"])


def plot_surface(surface, ax: Axes | None = None, n: int = 200, levels=None, *,
                 filled: bool = True, title: str | None = None) -> Axes:
    r"""Draw the contours of ``surface`` on ``ax`` (a new figure when None); return ``ax``.

    Filled light-grey contours plus thin contour lines at ``levels`` (default ``surface.levels``,
    log-spaced for surfaces whose values span decades), minima as gold stars, saddle points as
    hollow diamonds, axes labelled :math:`\theta_1`, :math:`\theta_2` and fixed to
    ``surface.bounds``. Every artist drawn here carries ``gid="npfl-surface"``
    (see :func:`surface_artists`), so a widget can remove and redraw the surface alone.
    """
    n = check_int("n", n, 2)
    if ax is None:
        _, (ax,) = new_figure(1, figsize=(5.2, 4.6))
    levels = np.asarray(surface.levels if levels is None else levels, dtype=np.float64)
    (x0, x1), (y0, y1) = surface.bounds
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    Z = surface.f(np.stack([X, Y], axis=-1))
    log = bool(levels[0] > 0 and levels[-1] / levels[0] > 100)
    if log:  # a grid point on a minimum (J = J* ≤ 0) is below the lowest level, not a hole
        Z = np.maximum(Z, levels[0] / 10)
    norm = (mcolors.LogNorm(levels[0], levels[-1]) if log
            else mcolors.Normalize(levels[0], levels[-1]))
    artists = []
    if filled:
        artists.append(ax.contourf(X, Y, Z, levels=levels, cmap=_light_greys(), norm=norm,
                                   extend="both"))
    artists.append(ax.contour(X, Y, Z, levels=levels, colors="#707070", linewidths=0.5,
                              alpha=0.7, norm=norm))
    if len(surface.minima):
        artists += ax.plot(surface.minima[:, 0], surface.minima[:, 1], linestyle="none",
                           marker="*", markersize=15, markerfacecolor="#F0E442",
                           markeredgecolor="black", markeredgewidth=0.8, zorder=4,
                           label="minimum")
    if len(surface.saddle_points):
        artists += ax.plot(surface.saddle_points[:, 0], surface.saddle_points[:, 1],
                           linestyle="none", marker="D", markersize=6, markerfacecolor="none",
                           markeredgecolor="#404040", zorder=4, label="saddle point")
    for a in artists:
        a.set_gid(_SURFACE_GID)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_autoscale_on(False)
    ratio = (y1 - y0) / (x1 - x0)
    if 1 / 3 <= ratio <= 3:
        ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel(r"$\theta_1$")
    ax.set_ylabel(r"$\theta_2$")
    ax.set_title(surface.formula if title is None else title, fontsize=10)
    return ax


def surface_artists(ax: Axes) -> list:
    """The artists :func:`plot_surface` drew on ``ax`` (to ``.remove()`` before redrawing)."""
    return [a for a in ax.get_children() if a.get_gid() == _SURFACE_GID]


class PathArtists(NamedTuple):
    """The four artists of one drawn trajectory (all :class:`~matplotlib.lines.Line2D`).

    ``line``: the path; ``start``: :math:`\\theta_0`; ``head``: the current/last point (hidden
    once the run diverged); ``cross``: "×" where a diverged run was last seen (else hidden).
    """

    line: Line2D
    start: Line2D
    head: Line2D
    cross: Line2D


def plot_trajectories(ax: Axes, thetas, labels=None, colors=None, diverged=None, *,
                      linewidth: float = 1.6, markersize: float = 6.0) -> list[PathArtists]:
    r"""Draw optimiser paths :math:`\theta_0, \theta_1, \dots` on ``ax``; return their artists.

    ``thetas`` has shape ``(steps + 1, 2)`` (one path) or ``(steps + 1, K, 2)`` (K paths), e.g.
    ``optim.run(...).thetas``. ``labels`` are optimiser names (they pick the colour,
    :func:`color_for`, and appear as :func:`label_for` in a legend); ``colors`` override.

    A diverged run (``diverged[k]``, or inferred from a non-finite tail as :func:`optim.run` leaves
    it) is drawn up to its last finite point and marked with an "×" there — or, if that point is
    off the plot, where the path left it. The axes limits are not changed (points farther than
    10⁶ plot-widths away are drawn clipped). Update the artists with :func:`update_trajectories`.
    """
    runs = as_runs(thetas)
    K = runs.shape[1]
    labels, colors = _names_colors(K, labels, colors)
    div = diverged_runs(runs, diverged)
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    autoscale = ax.get_autoscale_on()
    ax.set_autoscale_on(False)
    out = []
    for k in range(K):
        lab = None if labels[k] is None else label_for(labels[k]) + (" (diverged)" if div[k]
                                                                      else "")
        c = colors[k]
        (line,) = ax.plot([], [], color=c, linewidth=linewidth, label=lab, zorder=5)
        (start,) = ax.plot([], [], linestyle="none", marker="o", markersize=markersize * 0.8,
                           markerfacecolor="white", markeredgecolor="black",
                           markeredgewidth=1.2, zorder=6)
        (head,) = ax.plot([], [], linestyle="none", marker="o", markersize=markersize,
                          markerfacecolor=c, markeredgecolor="white", markeredgewidth=0.8,
                          zorder=7)
        (cross,) = ax.plot([], [], linestyle="none", marker="X", markersize=markersize * 1.9,
                           markerfacecolor=c, markeredgecolor="white", markeredgewidth=1.0,
                           zorder=8)
        out.append(PathArtists(line, start, head, cross))
    update_trajectories(out, runs, diverged=div, bounds=(xlim, ylim))
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.set_autoscale_on(autoscale)
    return out


def update_trajectories(paths: Sequence[PathArtists], thetas, diverged=None, upto=None,
                        bounds=None) -> None:
    """Set the data of artists from :func:`plot_trajectories` to new paths, in place.

    ``thetas`` as in :func:`plot_trajectories` with the same number of paths; ``upto`` shows only
    steps ``0 … upto`` (an animation frame); ``bounds`` defaults to the current axes limits.
    A run shows its "×" once its points have become non-finite (at frame ``upto``), or, when the
    whole path is shown, if ``diverged`` flags it.
    """
    runs = as_runs(thetas)
    if runs.shape[1] != len(paths):
        raise ValueError(f"thetas holds {runs.shape[1]} paths; the artists draw {len(paths)}")
    T = runs.shape[0]
    upto = T - 1 if upto is None else min(check_int("upto", upto, 0), T - 1)
    div = diverged_runs(runs, diverged)
    if bounds is None:
        ax = paths[0].line.axes
        bounds = (tuple(sorted(ax.get_xlim())), tuple(sorted(ax.get_ylim())))
    for k, p in enumerate(paths):
        line, head, cross = visible_path(runs[:, k], max(upto, 0), bounds, bool(div[k]))
        p.line.set_data(line[:, 0], line[:, 1])
        x_start = line[:1] if np.all(np.isfinite(line[0])) else line[:0]
        p.start.set_data(x_start[:, 0], x_start[:, 1])
        p.head.set_data(*(([head[0]], [head[1]]) if head is not None else ([], [])))
        p.cross.set_data(*(([cross[0]], [cross[1]]) if cross is not None else ([], [])))
