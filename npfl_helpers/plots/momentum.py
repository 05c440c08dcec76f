r"""Figures of notebook 07 (SGD, momentum, Nesterov): contours of a surface with optimiser paths,
loss curves, and the 1×2 figure that puts them side by side; GD's rate, the (α, β) phase
diagram; and one eigendirection at a time — the error along each direction, the roots of the
2×2 iteration, the rate against β with critical damping marked, and the noise floor against β.

The same figures serve notebook 08 and the path explorers of :mod:`npfl_helpers.widgets`. Every
function that draws returns the artists it creates, so a widget can update them in place
(``line.set_data(...)``, :func:`update_trajectories`) instead of drawing the figure again. What a
path or a loss curve shows (clipping, the "×" of a diverged run, the gap :math:`f - f^*`) is
computed in :mod:`npfl_helpers.trajectories`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import matplotlib
import numpy as np
from matplotlib import colors as mcolors
from matplotlib import ticker as mticker
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .. import quadratic_theory as qt
from .._validate import check_int, check_range
from ..trajectories import (
    as_runs,
    diverged_runs,
    loss_curve,
    stack_curves,
    stack_runs,
    visible_path,
)
from ._momentum_eigen import (  # the eigendirection figures, exported from here
    DIRECTION_COLORS,
    RateArtists,
    RootArtists,
    plot_direction_errors,
    plot_noise_floor_vs_beta,
    plot_rate_vs_beta,
    plot_roots,
    update_direction_errors,
    update_noise_floor_vs_beta,
    update_rate_vs_beta,
    update_roots,
)
from ._style import _names_colors, label_for, new_figure, sci_text

__all__ = [
    "PHASE_DIVERGED",
    "PHASE_GREW",
    "OptimizerFigure",
    "PathArtists",
    "loss_curve",
    "optimizer_figure",
    "phase_colormap",
    "plot_gd_rate",
    "plot_losses",
    "plot_phase_diagram",
    "plot_surface",
    "plot_trajectories",
    "surface_artists",
    "update_trajectories",
    # from _momentum_eigen
    "DIRECTION_COLORS",
    "RateArtists",
    "RootArtists",
    "plot_direction_errors",
    "plot_noise_floor_vs_beta",
    "plot_rate_vs_beta",
    "plot_roots",
    "update_direction_errors",
    "update_noise_floor_vs_beta",
    "update_rate_vs_beta",
    "update_roots",
]

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


def _symlog_threshold(y: np.ndarray) -> float:
    """Linear range of a symlog axis: 1 % of the typical starting magnitude, a power of ten."""
    first = np.abs(y[0][np.isfinite(y[0])])
    scale = float(np.max(first)) if first.size and np.max(first) > 0 else 1.0
    return float(10.0 ** np.floor(np.log10(max(0.01 * scale, 1e-12))))


def _symlog(ax: Axes, y: np.ndarray) -> None:
    """A symlog y axis with at most about a dozen labelled ticks."""
    linthresh = _symlog_threshold(y)
    ax.set_yscale("symlog", linthresh=linthresh)
    big = np.abs(y[np.isfinite(y)])
    decades = np.log10(max(float(np.max(big)) if big.size else 1.0, linthresh) / linthresh)
    stride = int(max(1, np.ceil(decades / 5)))  # ~5 decades labelled on each side of zero
    ax.yaxis.set_major_locator(
        mticker.SymmetricalLogLocator(base=10.0**stride, linthresh=linthresh))
    ax.yaxis.set_minor_locator(mticker.NullLocator())


def plot_losses(ax: Axes, losses, labels=None, colors=None, *, f_min: float | None = None,
                floor: float = 1e-12, linewidth: float = 1.6) -> list[Line2D]:
    r"""Loss against the step :math:`t` on a log :math:`y` axis; return the lines.

    ``losses``: ``(steps + 1,)``, ``(steps + 1, K)`` or a mapping name → ``(steps + 1,)`` (e.g.
    ``optim.run(...).losses``). How values that a log axis cannot show are handled:

    - ``f_min`` given and finite: the curve is the gap :math:`f(\theta_t) - f^*`, with values
      below ``floor`` (exact hits and rounding noise, which can be slightly negative) drawn at
      ``floor``; log :math:`y`.
    - otherwise, if every finite value is positive: :math:`f(\theta_t)` on log :math:`y`;
      if some are zero or negative (e.g. the saddle, unbounded below): a ``symlog`` axis, linear
      within 1 % of the starting magnitude of zero, logarithmic beyond.
    - NaN (a diverged run after it left) is not drawn: the curve simply ends.

    The lines hold the transformed values (:func:`loss_curve`); update them with those.
    """
    floor = check_range("floor", floor, 0, low_open=True, allow_array=False)
    y, labels = stack_curves(losses, labels)
    K = y.shape[1]
    labels, colors = _names_colors(K, labels, colors)
    gap = f_min is not None and np.isfinite(f_min)
    y = loss_curve(y, f_min=f_min, floor=floor)
    finite = y[np.isfinite(y)]
    positive = bool(np.all(finite > 0))
    t = np.arange(y.shape[0])
    lines = []
    for k in range(K):
        lab = None if labels[k] is None else label_for(labels[k])
        lines += ax.plot(t, y[:, k], color=colors[k], linewidth=linewidth, label=lab)
    if positive:
        ax.set_yscale("log")
    else:
        _symlog(ax, y)
    ax.set_xlabel("step $t$")
    ax.set_ylabel(r"$f(\theta_t) - f^*$" if gap else r"$f(\theta_t)$")
    ax.grid(True, which="major", alpha=0.3)
    return lines


class OptimizerFigure(NamedTuple):
    """What :func:`optimizer_figure` returns: the figure, its two axes and the artists drawn."""

    fig: Figure
    ax_surface: Axes
    ax_loss: Axes
    paths: list[PathArtists]
    loss_lines: list[Line2D]


def _finding(surface, names, loss, diverged, tol: float = 1e-6) -> str:
    r"""A title that states the outcome.

    With a finite minimum: who first gets within ``tol`` of it (else who ends lowest); on a
    surface unbounded below (the saddle): who first escapes, i.e. first reaches
    :math:`f < -|f(\theta_0)|`. Then who diverged, or whose loss grew tenfold.
    """
    steps = loss.shape[0] - 1
    K = len(names)
    parts = []
    with np.errstate(invalid="ignore"):
        if np.isfinite(surface.f_min):
            y = loss - surface.f_min
            target, what = tol, rf"$f - f^* < {sci_text(tol, math=True)}$"
        else:
            y = loss
            start = np.abs(loss[0][np.isfinite(loss[0])])
            target = -float(np.max(start)) if start.size and np.max(start) > 0 else -1.0
            what = rf"$f < {sci_text(target, math=True)}$"
        hit = np.array([np.flatnonzero(y[:, k] < target)[0] if np.any(y[:, k] < target)
                        else steps + 1 for k in range(K)])
        if np.any(hit <= steps):
            first = int(np.argmin(hit))
            verb = "reaches" if np.isfinite(surface.f_min) else "escapes first:"
            parts.append(f"{label_for(names[first])} {verb} {what} "
                         + ("first " if verb == "reaches" else "") + f"(t = {hit[first]})")
        else:
            final = np.array([y[np.flatnonzero(np.isfinite(y[:, k]))[-1], k]
                              if np.isfinite(y[:, k]).any() else np.nan for k in range(K)])
            ok = ~diverged & np.isfinite(final)
            if ok.any():
                best = int(np.flatnonzero(ok)[np.argmin(final[ok])])
                sym = "f - f^*" if np.isfinite(surface.f_min) else "f"
                parts.append(f"{label_for(names[best])} ends lowest "
                             f"(${sym} = {sci_text(final[best], math=True)}$ after {steps} steps)")
        growing = ~diverged & np.array([np.isfinite(y[-1, k]) and np.isfinite(surface.f_min)
                                        and y[-1, k] > 10 * abs(y[0, k]) for k in range(K)])
    if diverged.any():
        who = ", ".join(label_for(n) for n, d in zip(names, diverged, strict=True) if d)
        parts.append(f"{who} diverged")
    if growing.any():
        who = ", ".join(label_for(n) for n, g in zip(names, growing, strict=True) if g)
        parts.append(f"{who} diverging")
    return "; ".join(parts) if parts else f"{steps} steps"


def optimizer_figure(surface, trajectories: Mapping | None = None, *, losses=None,
                     title: str | None = None, n: int = 200, figsize=(10.5, 4.6),
                     pyplot: bool = True, legend: bool = True) -> OptimizerFigure:
    r"""A 1×2 figure: contours of ``surface`` with paths (left), the loss curves (right).

    ``trajectories`` maps optimiser names to ``(steps + 1, 2)`` arrays (or ``Trajectory``
    objects) — or is None for an empty figure that a widget fills later. ``losses`` (same keys)
    defaults to ``surface.f`` along each path; the loss panel shows :math:`f - f^*` when the
    surface has a finite minimum (see :func:`plot_losses`). The default title states the
    outcome. ``pyplot=False`` makes a figure that pyplot does not track (see :func:`new_figure`).
    """
    fig, (ax_s, ax_l) = new_figure(2, figsize=figsize, pyplot=pyplot)
    plot_surface(surface, ax_s, n=n)
    f_min = surface.f_min if np.isfinite(surface.f_min) else None
    paths, lines = [], []
    if trajectories:
        names, runs, loss = stack_runs(trajectories, losses, loss_fn=surface.f)
        div = diverged_runs(runs)
        paths = plot_trajectories(ax_s, runs, labels=names, diverged=div)
        lines = plot_losses(ax_l, loss, labels=names, f_min=f_min)
        if title is None:
            title = f"{surface.name.capitalize()}: " + _finding(surface, names, loss, div)
        if legend:
            ax_l.legend(handles=[p.line for p in paths], loc="best", fontsize=9, framealpha=0.9)
    else:
        if f_min is not None:
            ax_l.set_yscale("log")
        else:
            ax_l.set_yscale("symlog", linthresh=1e-2)
        ax_l.set_xlabel("step $t$")
        ax_l.set_ylabel(r"$f(\theta_t) - f^*$" if f_min is not None else r"$f(\theta_t)$")
        ax_l.grid(True, alpha=0.3)
    if title:
        fig.suptitle(title, fontsize=11)
    return OptimizerFigure(fig, ax_s, ax_l, paths, lines)


def plot_gd_rate(ax: Axes, lambda_min: float, lambda_max: float, lrs=None) -> list[Line2D]:
    r"""Gradient descent's contraction per step on a quadratic against the learning rate α.

    The factors :math:`|1 - \alpha\lambda_{\min}|`, :math:`|1 - \alpha\lambda_{\max}|` (grey)
    and the rate :math:`\rho(\alpha)` = their maximum (black), with the best
    :math:`\alpha = 2/(\lambda_{\min}+\lambda_{\max})` and the stability limit
    :math:`2/\lambda_{\max}` marked. ``lrs`` defaults to 500 values up to
    :math:`2.3/\lambda_{\max}`. Returns the three curves.
    """
    a = np.linspace(0.001, 2.3 / lambda_max, 500) if lrs is None else np.asarray(lrs, float)
    slow, fast = np.abs(1 - a * lambda_min), np.abs(1 - a * lambda_max)
    lines = ax.plot(a, slow, color="#999999", ls="--", label=r"$|1-\alpha\lambda_{\min}|$")
    lines += ax.plot(a, fast, color="#999999", ls=":", label=r"$|1-\alpha\lambda_{\max}|$")
    lines += ax.plot(a, np.maximum(slow, fast), color="black", label=r"$\rho(\alpha)$")
    ax.axvline(2 / (lambda_min + lambda_max), color="#0072B2", lw=1,
               label=r"$2/(\lambda_{\min}+\lambda_{\max})$")
    ax.axvline(2 / lambda_max, color="#D55E00", lw=1, label=r"$2/\lambda_{\max}$")
    ax.axhline(1, color="grey", lw=0.6)
    ax.set(xlabel=r"learning rate $\alpha$", ylabel="contraction per step", ylim=(0, 1.5))
    ax.legend(fontsize=8, loc="upper left")
    return lines


#: the phase diagrams' cells that are not coloured by J(θ_T)/J(θ_0) ≤ 1
PHASE_DIVERGED, PHASE_GREW = "#CC79A7", "#BBBBBB"


def phase_colormap():
    """Viridis for :math:`J(\\theta_T)/J(\\theta_0) \\le 1`; NaN (diverged) in pink, values
    above the top (grew) in grey."""
    viridis = matplotlib.colormaps["viridis"]
    return viridis.with_extremes(bad=PHASE_DIVERGED, over=PHASE_GREW, under=viridis(0.0))


def plot_phase_diagram(ax: Axes, lrs, betas, ratio, diverged, lambda_max: float, *,
                       name: str = "momentum", optimum=None, steps: int | None = None,
                       vmin: float = 1e-16, legend: bool = True):
    r"""A phase diagram: :math:`J(\theta_T)/J(\theta_0)` over a grid of (α, β), log colours.

    ``ratio`` and ``diverged`` have shape ``(len(betas), len(lrs))`` (rows: β), e.g. the
    transpose of :func:`npfl_helpers.quadratic_theory.phase_diagram`. Three kinds of cells:

    - coloured: :math:`J(\theta_T) \le J(\theta_0)`, darker the further the run got (below
      ``vmin`` all alike);
    - grey: the loss grew, but :math:`\|\theta_t\|` stayed below ``optim.run``'s ``max_norm``
      (:math:`10^6`) for all T steps — diverging, not yet stopped;
    - pink: diverged — :math:`\|\theta_t\|` passed :math:`10^6` (or became non-finite) and the
      run was stopped there.

    The stability edge :math:`\alpha` = :func:`~npfl_helpers.quadratic_theory.stability_limit`
    of ``name`` is drawn and ``optimum`` :math:`(\alpha^*, \beta^*)` marked with a star; the
    legend goes below the axes. Returns the mesh.
    """
    lrs, betas = np.asarray(lrs, dtype=np.float64), np.asarray(betas, dtype=np.float64)
    ratio = np.asarray(ratio, dtype=np.float64)
    shown = np.where(diverged, np.nan, np.maximum(ratio, vmin * 1e-3))
    mesh = ax.pcolormesh(lrs, betas, np.ma.masked_invalid(shown), cmap=phase_colormap(),
                         norm=mcolors.LogNorm(vmin, 1.0), shading="auto")
    step = "T" if steps is None else steps
    ax.figure.colorbar(mesh, ax=ax, extend="both",
                       label=rf"$J(\theta_{{{step}}})\,/\,J(\theta_0)$")
    edge = qt.stability_limit(name, betas, lambda_max)
    ax.plot(edge, betas, color="#D55E00", lw=1.5, label=r"stability edge (largest stable $\alpha$)")
    if optimum is not None:
        ax.plot(*optimum, "*", ms=16, mfc="#F0E442", mec="black", label=r"$(\alpha^*, \beta^*)$")
    ax.set_xscale("log")
    ax.set(xlim=(lrs[0], lrs[-1]), ylim=(betas[0], betas[-1]), xlabel=r"learning rate $\alpha$",
           ylabel=r"momentum $\beta$")
    if legend:
        handles = [*ax.get_legend_handles_labels()[0],
                   Patch(facecolor=PHASE_GREW, label=r"grew, $\|\theta\| < 10^6$"),
                   Patch(facecolor=PHASE_DIVERGED, label=r"diverged: $\|\theta\|$ passed $10^6$")]
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2,
                  fontsize=8, frameon=False)
    return mesh

