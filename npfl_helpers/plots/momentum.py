r"""Figures of notebook 07 (SGD, momentum, Nesterov), all exported from here; the topic module
holds the loss curves and the 1×2 figure, and re-exports the rest from three private modules:

=======================  ==========================================================================
module                   what it draws
=======================  ==========================================================================
``momentum`` (this one)  loss against the step (:func:`plot_losses`); the 1×2 figure of contours
                         with paths beside the loss curves, titled with the outcome
                         (:func:`optimizer_figure`)
``_momentum_paths``      contours of a surface (:func:`plot_surface`, :func:`surface_artists`) and
                         optimiser paths on them (:func:`plot_trajectories`,
                         :func:`update_trajectories`)
``_momentum_phase``      GD's contraction per step against α (:func:`plot_gd_rate`); the (α, β)
                         phase diagram (:func:`plot_phase_diagram`, :func:`phase_colormap`)
``_momentum_eigen``      one eigendirection at a time: the error along each direction, the roots
                         of the 2×2 iteration, the rate against β with critical damping marked,
                         the noise floor against β
=======================  ==========================================================================

The surfaces are 2-D stand-ins for the objective, which the figures call :math:`J`, as the lecture
does. The same figures serve notebook 08 and the path explorers of :mod:`npfl_helpers.widgets`.
Every function that draws returns the artists it creates, so a widget can update them in place
(``line.set_data(...)``, :func:`update_trajectories`) instead of drawing the figure again. What a
path or a loss curve shows (clipping, the "×" of a diverged run, the gap :math:`J - J^*`) is
computed in :mod:`npfl_helpers.trajectories`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
from matplotlib import ticker as mticker
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .._validate import check_range
from ..trajectories import (
    diverged_runs,
    loss_curve,
    run_outcome,
    stack_curves,
    stack_runs,
    symlog_scale,
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
from ._momentum_paths import (  # contours and paths, exported from here
    PathArtists,
    plot_surface,
    plot_trajectories,
    surface_artists,
    update_trajectories,
)
from ._momentum_phase import (  # GD's rate and the phase diagram, exported from here
    PHASE_DIVERGED,
    PHASE_GREW,
    phase_colormap,
    plot_gd_rate,
    plot_phase_diagram,
)
from ._style import _names_colors, label_for, new_figure, sci_text

__all__ = [
    # defined here, in _momentum_paths and in _momentum_phase
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


def _symlog(ax: Axes, y: np.ndarray) -> None:
    """A symlog y axis with at most about a dozen labelled ticks (see :func:`symlog_scale`)."""
    linthresh, base = symlog_scale(y)
    ax.set_yscale("symlog", linthresh=linthresh)
    ax.yaxis.set_major_locator(mticker.SymmetricalLogLocator(base=base, linthresh=linthresh))
    ax.yaxis.set_minor_locator(mticker.NullLocator())


def plot_losses(ax: Axes, losses, labels=None, colors=None, *, f_min: float | None = None,
                floor: float = 1e-12, linewidth: float = 1.6) -> list[Line2D]:
    r"""Loss against the step :math:`t` on a log :math:`y` axis; return the lines.

    ``losses``: ``(steps + 1,)``, ``(steps + 1, K)`` or a mapping name → ``(steps + 1,)`` (e.g.
    ``optim.run(...).losses``). How values that a log axis cannot show are handled:

    - ``f_min`` given and finite: the curve is the gap :math:`J(\theta_t) - J^*`, with values
      below ``floor`` (exact hits and rounding noise, which can be slightly negative) drawn at
      ``floor``; log :math:`y`.
    - otherwise, if every finite value is positive: :math:`J(\theta_t)` on log :math:`y`;
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
    ax.set_ylabel(r"$J(\theta_t) - J^*$" if gap else r"$J(\theta_t)$")
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
    r"""A title that states the outcome (computed by :func:`run_outcome`).

    With a finite minimum: who first gets within ``tol`` of it (else who ends lowest); on a
    surface unbounded below (the saddle): who first escapes, i.e. first reaches
    :math:`J < -|J(\theta_0)|`. Then who diverged, or whose loss grew tenfold.
    """
    o = run_outcome(loss, surface.f_min, diverged, tol)
    parts = []
    if o.first is not None:
        who = label_for(names[o.first])
        if o.bounded:
            parts.append(f"{who} reaches $J - J^* < {sci_text(o.target, math=True)}$ first "
                         f"(t = {o.first_step})")
        else:
            parts.append(f"{who} escapes first: $J < {sci_text(o.target, math=True)}$ "
                         f"(t = {o.first_step})")
    elif o.best is not None:
        sym = "J - J^*" if o.bounded else "J"
        parts.append(f"{label_for(names[o.best])} ends lowest "
                     f"(${sym} = {sci_text(o.best_value, math=True)}$ after {o.steps} steps)")
    for flags, what in ((o.diverged, "diverged"), (o.growing, "diverging")):
        if flags.any():
            who = ", ".join(label_for(n) for n, d in zip(names, flags, strict=True) if d)
            parts.append(f"{who} {what}")
    return "; ".join(parts) if parts else f"{o.steps} steps"


def optimizer_figure(surface, trajectories: Mapping | None = None, *, losses=None,
                     title: str | None = None, n: int = 200, figsize=(10.5, 4.6),
                     pyplot: bool = True, legend: bool = True) -> OptimizerFigure:
    r"""A 1×2 figure: contours of ``surface`` with paths (left), the loss curves (right).

    ``trajectories`` maps optimiser names to ``(steps + 1, 2)`` arrays (or ``Trajectory``
    objects) — or is None for an empty figure that a widget fills later. ``losses`` (same keys)
    defaults to ``surface.f`` along each path; the loss panel shows :math:`J - J^*` when the
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
        ax_l.set_ylabel(r"$J(\theta_t) - J^*$" if f_min is not None else r"$J(\theta_t)$")
        ax_l.grid(True, alpha=0.3)
    if title:
        fig.suptitle(title, fontsize=11)
    return OptimizerFigure(fig, ax_s, ax_l, paths, lines)
