r"""Static figures and animations: contours with optimiser paths, loss curves, schedules, races.

Every function that draws returns the artists it creates, so a widget can update them in place
(``line.set_data(...)``, :func:`update_trajectories`) instead of drawing the figure again.

Figures are created with pyplot under ``plt.ioff()``: they never display by themselves (also not
twice under ``%matplotlib widget``), and a notebook cell shows them with ``plt.show()``.
:func:`race_animation` builds a figure that pyplot does not track at all; show it with
``HTML(anim.to_jshtml())``.

One colour per optimiser, the same in every notebook (Okabe–Ito, colour-blind safe):

>>> color_for("adam"), OPTIMIZER_LABELS["rmsprop"]
('#D55E00', 'RMSProp')
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import colors as mcolors
from matplotlib import ticker as mticker
from matplotlib.animation import FuncAnimation
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ._validate import check_int, check_range

__all__ = [
    "OPTIMIZER_COLORS",
    "OPTIMIZER_LABELS",
    "SPARE_COLORS",
    "color_for",
    "label_for",
    "sci_text",
    "PathArtists",
    "OptimizerFigure",
    "new_figure",
    "plot_surface",
    "surface_artists",
    "plot_trajectories",
    "update_trajectories",
    "loss_curve",
    "plot_losses",
    "plot_schedules",
    "optimizer_figure",
    "race_animation",
    # gradient descent and backpropagation figures
    "ACTIVATION_COLORS",
    "ACTIVATION_LABELS",
    "ActivationArtists",
    "CloudArtists",
    "VarianceArtists",
    "plot_activations",
    "plot_difference_errors",
    "plot_gradient_variance",
    "plot_loss_line",
    "plot_loss_plane",
    "plot_matrices",
    "plot_minibatch_cloud",
    "plot_training_curves",
]

OPTIMIZER_COLORS: dict[str, str] = {
    "sgd": "#000000",
    "momentum": "#E69F00",
    "nesterov": "#56B4E9",
    "adagrad": "#009E73",
    "rmsprop": "#0072B2",
    "adam": "#D55E00",
}
OPTIMIZER_LABELS: dict[str, str] = {
    "sgd": "SGD",
    "momentum": "Momentum",
    "nesterov": "Nesterov",
    "adagrad": "AdaGrad",
    "rmsprop": "RMSProp",
    "adam": "Adam",
}
#: Okabe–Ito colours no optimiser owns, for anything else (schedules, extra runs).
SPARE_COLORS: tuple[str, ...] = ("#CC79A7", "#F0E442", "#999999")
#: Order for curves that are not optimisers (schedules): the palette, most distinct first.
_SEQUENCE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
             "#999999")

_SURFACE_GID = "npfl-surface"
_FAR = 1e6  # path points farther than _FAR plot-widths from the box are drawn clipped


def _key(name: str) -> str | None:
    """The optimiser a name refers to: exact key, or the longest key it starts with."""
    low = str(name).lower().replace(" ", "").replace("-", "").replace("_", "")
    if low in OPTIMIZER_COLORS:
        return low
    hits = [k for k in OPTIMIZER_COLORS if low.startswith(k)]
    return max(hits, key=len) if hits else None


def color_for(name: str) -> str:
    """The course colour of optimiser ``name`` ("adam", "Adam", "adam_outside" → Adam's).

    Other names get a fixed spare colour (the same name always gets the same colour).

    >>> color_for("Momentum"), color_for("sgd (lr=0.1)")
    ('#E69F00', '#000000')
    """
    key = _key(name)
    if key is not None:
        return OPTIMIZER_COLORS[key]
    return SPARE_COLORS[zlib.crc32(str(name).encode()) % len(SPARE_COLORS)]


def label_for(name: str) -> str:
    """The display name of optimiser ``name`` ("rmsprop" → "RMSProp"); other names unchanged."""
    return OPTIMIZER_LABELS.get(str(name).lower(), str(name))


# ----------------------------------------------------------------------------------------------
# figures and surfaces

def new_figure(ncols: int = 1, figsize=None, pyplot: bool = True):
    """A figure with ``ncols`` axes side by side: ``(fig, axes)``, ``axes`` a list.

    With ``pyplot=True`` the figure is created under ``plt.ioff()`` (shown by ``plt.show()``, never
    by itself); with ``pyplot=False`` it is a bare :class:`~matplotlib.figure.Figure` that pyplot
    does not track (display it explicitly, e.g. in an ``Output`` widget).
    """
    ncols = check_int("ncols", ncols, 1)
    figsize = figsize or (5.0 * ncols, 4.4)
    if pyplot:
        with plt.ioff():
            fig = plt.figure(figsize=figsize, layout="constrained")
    else:
        fig = Figure(figsize=figsize, layout="constrained")
    axes = [fig.add_subplot(1, ncols, i + 1) for i in range(ncols)]
    return fig, axes


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


# ----------------------------------------------------------------------------------------------
# trajectories

class PathArtists(NamedTuple):
    """The four artists of one drawn trajectory (all :class:`~matplotlib.lines.Line2D`).

    ``line``: the path; ``start``: :math:`\\theta_0`; ``head``: the current/last point (hidden
    once the run diverged); ``cross``: "×" where a diverged run was last seen (else hidden).
    """

    line: Line2D
    start: Line2D
    head: Line2D
    cross: Line2D


def _as_runs(thetas) -> np.ndarray:
    """``(T, 2)`` or ``(T, K, 2)`` (or a Trajectory) → float ``(T, K, 2)``."""
    thetas = np.asarray(getattr(thetas, "thetas", thetas), dtype=np.float64)
    if thetas.ndim == 2:
        thetas = thetas[:, None, :]
    if thetas.ndim != 3 or thetas.shape[-1] != 2:
        raise ValueError(f"thetas must have shape (steps + 1, 2) or (steps + 1, K, 2); "
                         f"got shape {thetas.shape}")
    return thetas


def _exit_point(p, q, bounds):
    """Where the segment p → q (p inside the box, q outside) crosses the box boundary."""
    d = q - p
    ts = []
    for i, (lo, hi) in enumerate(bounds):
        if d[i] > 0:
            ts.append((hi - p[i]) / d[i])
        elif d[i] < 0:
            ts.append((lo - p[i]) / d[i])
    t = min([1.0, *ts])
    return p + max(t, 0.0) * d


def _path_geometry(xy: np.ndarray, upto: int, bounds, flagged: bool):
    """Line data, head point and cross point (or None) of one path shown up to index ``upto``.

    The run counts as gone when it has become non-finite by ``upto``, or when it is ``flagged``
    as diverged and the whole path is shown.
    """
    final = upto >= len(xy) - 1
    xy = xy[: upto + 1]
    finite = np.all(np.isfinite(xy), axis=-1)
    (x0, x1), (y0, y1) = bounds
    sx, sy = _FAR * (x1 - x0), _FAR * (y1 - y0)
    line = xy.copy()
    line[..., 0] = np.clip(line[..., 0], x0 - sx, x1 + sx)  # NaN stays NaN
    line[..., 1] = np.clip(line[..., 1], y0 - sy, y1 + sy)
    if not finite.any():
        return line, None, None
    last = int(np.flatnonzero(finite)[-1])
    if last == len(xy) - 1 and not (flagged and final):
        return line, line[last], None
    inside = finite & (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
    if inside[last]:
        return line, None, xy[last]
    before = np.flatnonzero(inside[:last])
    if len(before) == 0:  # never inside the box: clip the last point onto it
        return line, None, np.array([np.clip(xy[last, 0], x0, x1), np.clip(xy[last, 1], y0, y1)])
    j = int(before[-1])
    return line, None, _exit_point(xy[j], xy[j + 1], bounds)


def _runs_diverged(runs: np.ndarray, diverged) -> np.ndarray:
    K = runs.shape[1]
    if diverged is None:
        return ~np.all(np.isfinite(runs), axis=(0, 2))
    return np.broadcast_to(np.asarray(diverged, dtype=bool), (K,)).copy()


def _names_colors(K, labels, colors):
    if labels is None:
        labels = [None] * K
    elif isinstance(labels, str):
        labels = [labels] * K
    labels = list(labels)
    if len(labels) != K:
        raise ValueError(f"labels must have one entry per trajectory ({K}); got {len(labels)}")
    if colors is None:
        colors = [color_for(lab) if lab is not None and _key(lab) is not None
                  else _SEQUENCE[k % len(_SEQUENCE)] for k, lab in enumerate(labels)]
    elif isinstance(colors, str):
        colors = [colors] * K
    colors = list(colors)
    if len(colors) != K:
        raise ValueError(f"colors must have one entry per trajectory ({K}); got {len(colors)}")
    return labels, colors


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
    runs = _as_runs(thetas)
    K = runs.shape[1]
    labels, colors = _names_colors(K, labels, colors)
    div = _runs_diverged(runs, diverged)
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
    runs = _as_runs(thetas)
    if runs.shape[1] != len(paths):
        raise ValueError(f"thetas holds {runs.shape[1]} paths; the artists draw {len(paths)}")
    T = runs.shape[0]
    upto = T - 1 if upto is None else min(check_int("upto", upto, 0), T - 1)
    div = _runs_diverged(runs, diverged)
    if bounds is None:
        ax = paths[0].line.axes
        bounds = (tuple(sorted(ax.get_xlim())), tuple(sorted(ax.get_ylim())))
    for k, p in enumerate(paths):
        line, head, cross = _path_geometry(runs[:, k], upto, bounds, bool(div[k]))
        p.line.set_data(line[:, 0], line[:, 1])
        x_start = line[:1] if np.all(np.isfinite(line[0])) else line[:0]
        p.start.set_data(x_start[:, 0], x_start[:, 1])
        p.head.set_data(*(([head[0]], [head[1]]) if head is not None else ([], [])))
        p.cross.set_data(*(([cross[0]], [cross[1]]) if cross is not None else ([], [])))


# ----------------------------------------------------------------------------------------------
# losses and schedules

def _as_curves(values, labels):
    """An array ``(T,)``/``(T, K)`` or a mapping name → ``(T,)`` → (float ``(T, K)``, labels)."""
    if isinstance(values, Mapping):
        labels = list(values) if labels is None else labels
        cols = [np.asarray(v, dtype=np.float64).reshape(-1) for v in values.values()]
        T = max(len(c) for c in cols)
        arr = np.full((T, len(cols)), np.nan)
        for k, c in enumerate(cols):
            arr[: len(c), k] = c
        return arr, labels
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"losses must have shape (steps + 1,) or (steps + 1, K); got {arr.shape}")
    return arr, labels


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


def loss_curve(losses, f_min: float | None = None, floor: float = 1e-12) -> np.ndarray:
    r"""The values :func:`plot_losses` draws: :math:`\max(f - f^*, \text{floor})` when ``f_min``
    is finite, else the losses unchanged (NaN stays NaN). Use it to ``set_ydata`` in place.

    >>> loss_curve([3.0, 1.0, np.nan], f_min=1.0)
    array([2.e+00, 1.e-12,    nan])
    """
    y = np.asarray(losses, dtype=np.float64)
    if f_min is None or not np.isfinite(f_min):
        return y.copy()
    with np.errstate(invalid="ignore", over="ignore"):
        return np.where(np.isnan(y), np.nan, np.maximum(y - f_min, floor))


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
    y, labels = _as_curves(losses, labels)
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


def plot_schedules(ax: Axes, schedules: Mapping[str, Callable], steps, *,
                   colors=None, linewidth: float = 1.8) -> list[Line2D]:
    r"""Learning rate :math:`\alpha_t` of each schedule for :math:`t = 0 … steps - 1`, log y.

    ``schedules`` maps a legend label to a schedule (a callable of an int array of steps, as in
    :mod:`npfl_helpers.schedules`); ``steps`` is a count or an array of steps. Zero learning
    rates cannot appear on a log axis and are left out (the curve has a gap there).
    """
    t = (np.arange(check_int("steps", steps, 1)) if np.ndim(steps) == 0
         else np.asarray(steps, dtype=np.int64))
    names = list(schedules)
    if colors is None:
        colors = [_SEQUENCE[k % len(_SEQUENCE)] for k in range(len(names))]
    lines = []
    for k, name in enumerate(names):
        lr = np.broadcast_to(np.asarray(schedules[name](t), dtype=np.float64), t.shape)
        lr = np.where(lr > 0, lr, np.nan)
        lines += ax.plot(t, lr, color=colors[k], linewidth=linewidth, label=str(name))
    ax.set_yscale("log")
    ax.set_xlabel("step $t$")
    ax.set_ylabel(r"learning rate $\alpha_t$")
    ax.grid(True, which="major", alpha=0.3)
    return lines


# ----------------------------------------------------------------------------------------------
# the 1×2 optimiser figure and the race

class OptimizerFigure(NamedTuple):
    """What :func:`optimizer_figure` returns: the figure, its two axes and the artists drawn."""

    fig: Figure
    ax_surface: Axes
    ax_loss: Axes
    paths: list[PathArtists]
    loss_lines: list[Line2D]


def _prepare(surface, trajectories, losses):
    names = list(trajectories)
    thetas = [np.asarray(getattr(trajectories[n], "thetas", trajectories[n]), dtype=np.float64)
              for n in names]
    for n, th in zip(names, thetas, strict=True):
        if th.ndim != 2 or th.shape[-1] != 2:
            raise ValueError(f"trajectory {n!r} must have shape (steps + 1, 2); got {th.shape}")
    T = max(len(th) for th in thetas)
    runs = np.full((T, len(names), 2), np.nan)
    for k, th in enumerate(thetas):
        runs[: len(th), k] = th
    if losses is None:
        loss = surface.f(runs)
    else:
        loss, _ = _as_curves({n: losses[n] for n in names}, names)
        loss = np.concatenate([loss, np.full((T - len(loss), len(names)), np.nan)])[:T]
    return names, runs, loss


def _finding(surface, names, loss, diverged, tol: float = 1e-6) -> str:
    """A title that states the outcome.

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


def sci_text(x: float, *, math: bool = False) -> str:
    r"""``x`` for a title: 3 significant digits when :math:`0.01 \le |x| < 1000`, else
    :math:`m \times 10^{e}` with two (:math:`10^{e}` when :math:`m = 1`).

    The power of ten is mathtext: wrapped in ``$…$``, or bare with ``math=True`` (for use inside
    a formula).

    >>> sci_text(0.1234), sci_text(999.7), sci_text(-4.44e-3), sci_text(1e-6, math=True)
    ('0.123', '$10^{3}$', '$-4.4\\times 10^{-3}$', '10^{-6}')
    """
    x = float(x)
    if x == 0 or not np.isfinite(x) or 1e-2 <= abs(float(f"{x:.3g}")) < 1e3:
        return f"{x:.3g}"
    m, e = f"{x:.1e}".split("e")
    power = rf"10^{{{int(e)}}}"
    text = m[:-3] + power if m in ("1.0", "-1.0") else rf"{m}\times {power}"
    return text if math else f"${text}$"


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
        names, runs, loss = _prepare(surface, trajectories, losses)
        div = ~np.all(np.isfinite(runs), axis=(0, 2))
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


def race_animation(surface, trajectories: Mapping, *, losses=None, interval: int = 50,
                   max_frames: int = 100, title: str | None = None, n: int = 150,
                   figsize=(10.5, 4.8)) -> FuncAnimation:
    r"""Animate optimisers racing on ``surface``: growing paths with a moving head (left) and
    growing loss curves (right), in the course colours.

    ``trajectories`` maps optimiser names to ``(steps + 1, 2)`` arrays (e.g.
    ``optim.run(...).thetas``). At most ``max_frames`` frames, evenly spaced over the steps
    (always including the first and the last). The figure is not tracked by pyplot; in a notebook
    show the animation with ``HTML(anim.to_jshtml())``. Axes limits stay fixed throughout.
    """
    interval = check_int("interval", interval, 1)
    max_frames = check_int("max_frames", max_frames, 2)
    fig_parts = optimizer_figure(surface, trajectories, losses=losses, title=title, n=n,
                                 figsize=figsize, pyplot=False)
    fig, ax_l = fig_parts.fig, fig_parts.ax_loss
    names, runs, _ = _prepare(surface, trajectories, losses)
    div = ~np.all(np.isfinite(runs), axis=(0, 2))
    T = runs.shape[0]
    frames = np.unique(np.round(np.linspace(0, T - 1, min(T, max_frames))).astype(int))
    full = [(ln.get_xdata().copy(), ln.get_ydata().copy()) for ln in fig_parts.loss_lines]
    ax_l.set_xlim(0, T - 1)
    ax_l.set_ylim(ax_l.get_ylim())  # freeze the limits the full curves needed
    ax_l.set_autoscale_on(False)
    legend = ax_l.get_legend()
    if legend is not None:  # "best" would be re-chosen for every frame: the legend would jump
        legend.set_loc("upper right")
    step_text = fig_parts.ax_surface.text(
        0.02, 0.97, "", transform=fig_parts.ax_surface.transAxes, va="top", ha="left",
        fontsize=9, bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"}, zorder=9)
    bounds = (tuple(surface.bounds[0]), tuple(surface.bounds[1]))

    def draw(i):
        i = int(i)
        update_trajectories(fig_parts.paths, runs, diverged=div, upto=i, bounds=bounds)
        for ln, (x, y) in zip(fig_parts.loss_lines, full, strict=True):
            ln.set_data(x[: i + 1], y[: i + 1])
        step_text.set_text(f"$t = {i}$")
        return [*(a for p in fig_parts.paths for a in p), *fig_parts.loss_lines, step_text]

    draw(frames[0])
    return FuncAnimation(fig, draw, frames=frames, interval=interval, blit=False,
                         repeat=False)


# --- Gradient descent and backpropagation figures ---
# Static figures of notebooks 04 (gradient descent) and 05 (backpropagation); the explorers in
# npfl_helpers.widgets.training draw with these functions and update the returned artists.

#: Colours of the activation functions (the palette's, most distinct first).
ACTIVATION_COLORS: dict[str, str] = {"sigmoid": "#0072B2", "tanh": "#D55E00", "relu": "#009E73"}
#: Display names of the activation functions.
ACTIVATION_LABELS: dict[str, str] = {"sigmoid": r"$\sigma$", "tanh": r"$\tanh$",
                                     "relu": r"$\mathrm{ReLU}$"}


def plot_training_curves(ax: Axes, curves: Mapping, *, colors=None,
                         xlabel: str = "training examples processed",
                         ylabel: str = r"training loss $\mathcal{L}(\theta)$",
                         logx: bool = False, logy: bool = True, linewidth: float = 1.8,
                         marker: str | None = None) -> list[Line2D]:
    r"""Loss curves against any measure of progress; return the lines.

    ``curves`` maps a legend label to ``(x, loss)`` (e.g. examples processed, number of updates).
    ``colors`` maps labels to colours (or is a sequence); labels naming an optimiser get its
    course colour, others the palette in order. Non-positive values are not drawn on a log axis.
    """
    names = list(curves)
    if colors is None:
        colors = [color_for(n) if _key(n) else _SEQUENCE[(k + 1) % len(_SEQUENCE)]
                  for k, n in enumerate(names)]
    elif isinstance(colors, Mapping):
        colors = [colors[n] for n in names]
    lines = []
    for name, color in zip(names, colors, strict=True):
        x, y = (np.asarray(v, dtype=np.float64) for v in curves[name])
        if logy:
            y = np.where(y > 0, y, np.nan)
        if logx:
            x = np.where(x > 0, x, np.nan)
        lines += ax.plot(x, y, color=color, linewidth=linewidth, label=str(name), marker=marker,
                         markersize=3)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", alpha=0.3)
    return lines


class CloudArtists(NamedTuple):
    """What :func:`plot_minibatch_cloud` draws: the minibatch gradients (a scatter), their mean
    (a cross), the full gradient (a star) and the line :math:`\\hat g\\cdot g = 0`."""

    points: object  # PathCollection
    mean: Line2D
    full: Line2D
    boundary: Line2D


def plot_minibatch_cloud(ax: Axes, points, full, *, lim=None,
                         xlabel: str = r"$\hat g \cdot u_1$  (along the full gradient $g$)",
                         ylabel: str = r"$\hat g \cdot u_2$  (largest noise $\perp g$)"
                         ) -> CloudArtists:
    r"""Minibatch gradients :math:`\hat g` projected on two orthonormal directions.

    ``points`` ``(K, 2)``: the coordinates of K minibatch gradients; ``full`` ``(2,)``: those of
    the full gradient :math:`g`. Points left of the dashed line have :math:`\hat g \cdot g < 0`
    when :math:`u_1 = g/\lVert g\rVert`: a step along :math:`-\hat g` goes uphill. ``lim`` fixes
    the axes to ``((x0, x1), (y0, y1))`` (so a widget can show the cloud shrinking).
    """
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    full = np.asarray(full, dtype=np.float64).reshape(2)
    boundary = ax.axvline(0.0, color="#777777", linestyle="--", linewidth=1.0,
                          label=r"$\hat g \cdot g = 0$")
    scatter = ax.scatter(points[:, 0], points[:, 1], s=9, color="#0072B2", alpha=0.45,
                         linewidths=0, label=r"minibatch gradients $\hat g$")
    (star,) = ax.plot(*full, marker="*", markersize=17, color="#F0E442", markeredgecolor="black",
                      linestyle="none", zorder=4, label=r"full gradient $g$")
    (mean,) = ax.plot(*points.mean(axis=0), marker="X", markersize=8, color="#D55E00",
                      markeredgecolor="white", linestyle="none", zorder=5,
                      label=r"mean of the $\hat g$")
    if lim is not None:
        (x0, x1), (y0, y1) = lim
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_autoscale_on(False)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    return CloudArtists(scatter, mean, star, boundary)


class VarianceArtists(NamedTuple):
    """What :func:`plot_gradient_variance` draws: measured points, the given curves (a dict
    label → line) and a marker for the current batch size."""

    measured: Line2D
    curves: dict
    current: Line2D


def plot_gradient_variance(ax: Axes, m, measured, curves: Mapping | None = None, *,
                           current: int | None = None, N: int | None = None) -> VarianceArtists:
    r"""Variance of the minibatch gradient :math:`\mathbb E\lVert\hat g - g\rVert^2` against the
    batch size :math:`m`, log–log.

    ``m`` and ``measured`` are the batch sizes and the measured variances (values ≤ 0, e.g. the
    exact 0 at :math:`m = N` without replacement, are not drawn). ``curves`` maps a label to
    ``(m, variance)`` (e.g. the formulas with and without replacement): the first is solid, the
    others dashed. ``current`` marks one batch size (hidden when None); ``N`` draws a dotted
    vertical line at the data-set size.
    """
    m = np.asarray(m, dtype=np.float64)
    v = np.asarray(measured, dtype=np.float64)
    v = np.where(v > 0, v, np.nan)
    lines = {}
    for k, (label, (mc, vc)) in enumerate((curves or {}).items()):
        vc = np.asarray(vc, dtype=np.float64)
        (lines[label],) = ax.plot(mc, np.where(vc > 0, vc, np.nan), color="#000000",
                                  linestyle="-" if k == 0 else "--", linewidth=1.4 if k == 0 else 1,
                                  alpha=1.0 if k == 0 else 0.7, label=label)
    (meas,) = ax.plot(m, v, linestyle="none", marker="o", markersize=6, color="#0072B2",
                      label="measured", zorder=3)
    (cur,) = ax.plot([], [], linestyle="none", marker="o", markersize=13, markerfacecolor="none",
                     markeredgecolor="#D55E00", markeredgewidth=2.0, zorder=4,
                     label="current $m$")
    if current is not None:
        i = int(np.argmin(np.abs(m - current)))
        cur.set_data([m[i]], [v[i]])
    if N is not None:
        ax.axvline(N, color="#999999", linestyle=":", linewidth=1.2, label="$m = N$ (all data)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("batch size $m$")
    ax.set_ylabel(r"$\mathbb{E}\,\|\hat g - g\|^2$")
    ax.grid(True, which="major", alpha=0.3)
    return VarianceArtists(meas, lines, cur)


def plot_loss_line(ax: Axes, alphas, losses, *, color: str = "#0072B2",
                   ends=(r"$\theta_0$ (initial)", r"$\theta^*$ (trained)")) -> Line2D:
    r"""The loss along the line :math:`(1 - \alpha)\theta_0 + \alpha\theta^*`, log :math:`y`.

    ``alphas`` and ``losses`` as from :func:`npfl_helpers.landscape.loss_along_line`; the two
    ends α = 0 and α = 1 are marked (when in range) and labelled with ``ends``.
    """
    alphas = np.asarray(alphas, dtype=np.float64)
    losses = np.asarray(losses, dtype=np.float64)
    (line,) = ax.plot(alphas, np.where(losses > 0, losses, np.nan), color=color, linewidth=1.8)
    for a0, text, mk in ((0.0, ends[0], "o"), (1.0, ends[1], "*")):
        if alphas.min() <= a0 <= alphas.max():
            l0 = float(np.interp(a0, alphas, losses))
            ax.plot([a0], [l0], marker=mk, markersize=12 if mk == "*" else 8, color="#F0E442"
                    if mk == "*" else color, markeredgecolor="black", linestyle="none", zorder=4)
            ax.annotate(text, (a0, l0), textcoords="offset points", xytext=(0, 10),
                        ha="center", fontsize=9)
    ax.set_yscale("log")
    ax.set_xlabel(r"$\alpha$ in $(1-\alpha)\,\theta_0 + \alpha\,\theta^*$")
    ax.set_ylabel(r"training loss $\mathcal{L}$")
    ax.grid(True, which="major", alpha=0.3)
    return line


def plot_loss_plane(ax: Axes, alphas, betas, grid, *, n_levels: int = 20,
                    colorbar: bool = True, cmap: str = "viridis"):
    r"""Contours of :math:`\mathcal L(\theta^* + \alpha d_1 + \beta d_2)` with log-spaced levels.

    ``grid`` has shape ``(len(betas), len(alphas))`` as from
    :func:`npfl_helpers.landscape.loss_plane`. The centre :math:`(0, 0)` is marked. Returns the
    filled ContourSet.
    """
    n_levels = check_int("n_levels", n_levels, 2)
    alphas = np.asarray(alphas, dtype=np.float64)
    betas = np.asarray(betas, dtype=np.float64)
    grid = np.asarray(grid, dtype=np.float64)
    finite = grid[np.isfinite(grid) & (grid > 0)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (1e-3, 1.0)
    hi = max(hi, lo * 1.01)
    levels = np.geomspace(lo, hi, n_levels)
    norm = mcolors.LogNorm(lo, hi)
    z = np.where(np.isfinite(grid) & (grid > 0), grid, hi)
    filled = ax.contourf(alphas, betas, z, levels=levels, cmap=cmap, norm=norm, extend="both")
    ax.contour(alphas, betas, z, levels=levels, colors="white", linewidths=0.4, alpha=0.6)
    ax.plot([0.0], [0.0], marker="*", markersize=14, color="#F0E442", markeredgecolor="black",
            linestyle="none", zorder=4, label=r"$\theta^*$")
    ax.set_xlabel(r"$\alpha$ (along $d_1$)")
    ax.set_ylabel(r"$\beta$ (along $d_2$)")
    ax.set_aspect("equal", adjustable="box")
    if colorbar:
        cb = ax.figure.colorbar(filled, ax=ax, shrink=0.9)
        cb.set_label(r"training loss $\mathcal{L}$ (log scale)")
        cb.ax.yaxis.set_major_locator(mticker.LogLocator())
        cb.ax.yaxis.set_major_formatter(mticker.LogFormatterSciNotation())
    return filled


class ActivationArtists(NamedTuple):
    """One activation's curves from :func:`plot_activations`: :math:`f`, :math:`f'` and extra
    markers (for ReLU the open/filled dots at the kink)."""

    f: Line2D
    df: Line2D
    extras: list


def _activation_values(name: str, a: np.ndarray):
    """``f(a)``, ``f'(a)`` of a named activation, with a NaN break where f' jumps (ReLU at 0)."""
    from .mlp import ACTIVATIONS

    f, df = ACTIVATIONS[name]
    y, dy = np.asarray(f(a), dtype=np.float64), np.asarray(df(a), dtype=np.float64)
    jumps = np.flatnonzero(np.abs(np.diff(dy)) > 0.5)
    dy = dy.copy()
    dy[jumps] = np.nan  # no vertical segment across the jump
    return y, dy


def plot_activations(ax_f: Axes, ax_df: Axes, names: Sequence[str] = ("sigmoid", "tanh", "relu"),
                     a=None) -> dict[str, ActivationArtists]:
    r"""σ, tanh and ReLU (left) and their derivatives (right) on a grid of pre-activations ``a``.

    Derivatives from :data:`npfl_helpers.mlp.ACTIVATIONS`: :math:`\sigma' = \sigma(1-\sigma) \le
    \frac14`, :math:`\tanh' = 1 - \tanh^2 \le 1`, :math:`\operatorname{ReLU}'(a) = [a > 0]`
    (0 at the kink, drawn as a filled dot; the open dot is the value it does not take).
    """
    a = np.linspace(-6.0, 6.0, 601) if a is None else np.asarray(a, dtype=np.float64)
    out = {}
    for name in names:
        y, dy = _activation_values(name, a)
        color = ACTIVATION_COLORS.get(name, "#000000")
        label = ACTIVATION_LABELS.get(name, name)
        (lf,) = ax_f.plot(a, y, color=color, linewidth=2.0, label=label)
        (ld,) = ax_df.plot(a, dy, color=color, linewidth=2.0, label=label + "$'$")
        extras = []
        if name == "relu" and a.min() < 0 < a.max():
            extras += ax_df.plot([0], [0], marker="o", markersize=6, color=color,
                                 linestyle="none")
            extras += ax_df.plot([0], [1], marker="o", markersize=6, markerfacecolor="white",
                                 markeredgecolor=color, linestyle="none")
        out[name] = ActivationArtists(lf, ld, extras)
    for ax, ylabel in ((ax_f, "$f(a)$"), (ax_df, "$f'(a)$")):
        ax.axhline(0.0, color="#999999", linewidth=0.8)
        ax.axvline(0.0, color="#999999", linewidth=0.8)
        ax.set_xlabel("pre-activation $a$")
        ax.set_ylabel(ylabel)
        ax.set_xlim(a.min(), a.max())
        ax.grid(True, alpha=0.3)
    ax_f.set_ylim(-1.2, 2.2)
    ax_df.set_ylim(-0.08, 1.12)
    return out


def plot_difference_errors(ax: Axes, h, errors: Mapping, *, colors=None, styles=None,
                           guides: Mapping | None = None, anchor: float = 1e-2,
                           offset: float = 0.1, floor: float = 1e-18) -> list[Line2D]:
    r"""Error of finite-difference derivatives against the step :math:`h`, log–log.

    ``errors`` maps a label to errors of shape ``h.shape``; ``colors`` and ``styles`` (line
    styles) map labels to values. ``guides`` maps a label to ``(curve label, slope)``: a thin grey
    line :math:`\propto h^{\text{slope}}` through ``offset`` times that curve's value at
    :math:`h =` ``anchor`` (parallel to the curve and just below it, e.g. the truncation errors
    :math:`O(h)` and :math:`O(h^2)`). Errors below ``floor`` (exact zeros) are drawn at ``floor``.
    """
    h = np.asarray(h, dtype=np.float64)
    names = list(errors)
    colors = colors or {}
    styles = styles or {}
    lines = []
    curves = {}
    for k, name in enumerate(names):
        e = np.maximum(np.abs(np.asarray(errors[name], dtype=np.float64)), floor)
        curves[name] = e
        lines += ax.plot(h, e, color=colors.get(name, _SEQUENCE[k % len(_SEQUENCE)]),
                         linestyle=styles.get(name, "-"), linewidth=1.8, label=str(name))
    i = int(np.argmin(np.abs(np.log(h) - np.log(anchor))))
    for text, (name, slope) in (guides or {}).items():
        ref = offset * curves[name][i] * (h / h[i]) ** slope
        keep = (h >= h[i] * 1e-2) & (h <= h[i] * 1e1)
        ax.plot(h[keep], ref[keep], color="#777777", linestyle=":", linewidth=1.2)
        j = np.flatnonzero(keep)[0]
        ax.annotate(text, (h[j], ref[j]), textcoords="offset points", xytext=(-4, 0),
                    ha="right", va="center", fontsize=9, color="#555555")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("step $h$")
    ax.set_ylabel("|finite difference − exact derivative|")
    ax.grid(True, which="major", alpha=0.3)
    return lines


def plot_matrices(axes: Sequence[Axes], matrices: Mapping, *, cmap: str = "RdBu_r",
                  shared: bool = True, colorbar: bool = True) -> list:
    r"""Show matrices (e.g. Jacobians computed in different ways) side by side as heat maps.

    ``matrices`` maps a title to a 2-D array, one per axis. With ``shared`` all use one
    symmetric colour scale (the largest absolute entry), so equal matrices look equal; otherwise
    each gets its own. Rows are the outputs :math:`i`, columns the inputs :math:`j`. Returns the
    images.
    """
    items = [(t, np.asarray(M, dtype=np.float64)) for t, M in matrices.items()]
    if len(items) != len(axes):
        raise ValueError(f"need one axis per matrix; got {len(axes)} axes for {len(items)} "
                         "matrices")
    top = max(float(np.nanmax(np.abs(M))) for _, M in items) if items else 1.0
    images = []
    for ax, (title, M) in zip(axes, items, strict=True):
        v = top if shared else float(np.nanmax(np.abs(M)))
        v = v if v > 0 else 1.0
        im = ax.imshow(M, cmap=cmap, vmin=-v, vmax=v, interpolation="nearest")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("input $j$")
        ax.set_ylabel("output $i$")
        ax.set_xticks(range(M.shape[1]))
        ax.set_yticks(range(M.shape[0]))
        if colorbar:
            ax.figure.colorbar(im, ax=ax, shrink=0.8)
        images.append(im)
    return images


# --- Training figures ---
# Per-epoch training curves of notebook 06 (training an MLP) and of its explorer,
# npfl_helpers.widgets.mlp_training.training_explorer, which updates the returned artists.

__all__ += ["HistoryArtists", "fit_history_axes", "history_curves", "history_legend",
            "plot_history", "update_history"]

_HISTORY_KEYS = ("train_loss", "train_accuracy", "dev_loss", "dev_accuracy")
_LOSS_RANGE = (1e-4, 1e3)  # loss panel limits never go beyond this


class HistoryArtists(NamedTuple):
    """What :func:`plot_history` draws for one run: four curves and a divergence mark."""

    train_loss: Line2D
    dev_loss: Line2D
    train_accuracy: Line2D
    dev_accuracy: Line2D
    diverged: Line2D  # "×" at the top of the loss panel in the epoch the run diverged


class _PlainLogFormatter(mticker.LogFormatterSciNotation):
    """Log-axis labels as plain numbers (0.2, 1, 30); tiny or huge ones as powers of ten."""

    def __call__(self, x, pos=None):
        text = super().__call__(x, pos)
        return f"{x:g}" if text and 1e-3 <= abs(x) < 1e4 else text


def _history_field(history, key: str):
    if isinstance(history, Mapping):
        return history.get(key, [])
    return getattr(history, key, [])


def history_curves(history) -> dict[str, np.ndarray]:
    r"""A training history as float arrays, one value per epoch; non-finite values become NaN.

    ``history`` is an :class:`npfl_helpers.mlp.History` or a mapping with ``train_loss`` and
    ``train_accuracy`` and, optionally, ``dev_loss``, ``dev_accuracy`` and ``diverged``. Returns
    those four arrays (missing ones empty), ``epoch`` (1, 2, … for the training curves),
    ``dev_epoch`` (the same for the dev curves) and ``diverged``: the epoch in which the run
    diverged (flagged, or its training loss is not finite), else NaN.

    >>> c = history_curves({"train_loss": [2.0, np.inf], "train_accuracy": [0.5, 0.1]})
    >>> c["epoch"].tolist(), c["train_loss"].tolist(), c["dev_loss"].size, float(c["diverged"])
    ([1.0, 2.0], [2.0, nan], 0, 2.0)
    """
    curves = {}
    for key in _HISTORY_KEYS:
        v = np.asarray(_history_field(history, key), dtype=np.float64).reshape(-1)
        curves[key] = np.where(np.isfinite(v), v, np.nan)
    curves["epoch"] = np.arange(1.0, len(curves["train_loss"]) + 1)
    curves["dev_epoch"] = np.arange(1.0, len(curves["dev_loss"]) + 1)
    bad = np.flatnonzero(np.isnan(curves["train_loss"]))
    flagged = bool(_history_field(history, "diverged") or False)
    if bad.size:
        curves["diverged"] = np.float64(bad[0] + 1)
    elif flagged:
        curves["diverged"] = np.float64(len(curves["train_loss"]))
    else:
        curves["diverged"] = np.float64(np.nan)
    return curves


def _history_data(history) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    c = history_curves(history)
    d = c["diverged"]
    return {"train_loss": (c["epoch"], c["train_loss"]),
            "dev_loss": (c["dev_epoch"], c["dev_loss"]),
            "train_accuracy": (c["epoch"], c["train_accuracy"]),
            "dev_accuracy": (c["dev_epoch"], c["dev_accuracy"]),
            "diverged": (np.array([d]) if np.isfinite(d) else np.empty(0),
                         np.array([0.93]) if np.isfinite(d) else np.empty(0))}


def plot_history(ax_loss: Axes, ax_acc: Axes, history, label: str | None = None,
                 color: str = "#000000", *, alpha: float = 1.0,
                 linewidth: float = 1.8) -> HistoryArtists:
    r"""Loss (left) and accuracy (right) per epoch of one training run; return the artists.

    Training curves are dashed, dev curves solid, both in ``color``; ``label`` goes on the dev
    loss curve (one legend entry per run, see :func:`history_legend`). The loss is the mean
    cross-entropy :math:`-\frac1N\sum_i \log p(y_i \mid x_i; \theta)` (without the L2 term) on a
    log axis; the training values average the minibatches of the epoch, the dev values are
    measured after it. A run that diverged ends where its loss stopped being finite and gets a
    "×" at the top of the loss panel in that epoch. Update in place with :func:`update_history`;
    set sensible limits for several runs with :func:`fit_history_axes`.
    """
    data = _history_data(history)
    kw = {"color": color, "alpha": alpha, "linewidth": linewidth}
    (train_loss,) = ax_loss.plot(*data["train_loss"], linestyle="--", **kw)
    (dev_loss,) = ax_loss.plot(*data["dev_loss"], linestyle="-", label=label, **kw)
    (train_acc,) = ax_acc.plot(*data["train_accuracy"], linestyle="--", **kw)
    (dev_acc,) = ax_acc.plot(*data["dev_accuracy"], linestyle="-", **kw)
    (mark,) = ax_loss.plot(*data["diverged"], linestyle="none", marker="x", markersize=10,
                           markeredgewidth=2.5, color=color, alpha=alpha, clip_on=False,
                           transform=ax_loss.get_xaxis_transform())
    mark.set_in_layout(False)  # outside the data limits it must not squeeze the layout
    ax_loss.set_yscale("log")
    ax_loss.yaxis.set_major_formatter(_PlainLogFormatter())
    ax_loss.yaxis.set_minor_formatter(_PlainLogFormatter(labelOnlyBase=False,
                                                         minor_thresholds=(1.5, 0.6)))
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("loss (mean cross-entropy)")
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy")
    for ax in (ax_loss, ax_acc):
        ax.xaxis.set_major_locator(mticker.MaxNLocator(integer=True))
        ax.grid(True, which="major", alpha=0.3)
    return HistoryArtists(train_loss, dev_loss, train_acc, dev_acc, mark)


def update_history(artists: HistoryArtists, history, *, color: str | None = None,
                   alpha: float | None = None) -> None:
    """Put another run's curves into the artists of :func:`plot_history` (in place)."""
    data = _history_data(history)
    for name, line in zip(HistoryArtists._fields, artists, strict=True):
        line.set_data(*data[name])
        if color is not None:
            line.set_color(color)
        if alpha is not None:
            line.set_alpha(alpha)


def fit_history_axes(ax_loss: Axes, ax_acc: Axes, histories, *, epochs: int | None = None):
    r"""Limits that show every run: all epochs, the finite losses (log), accuracies up to 1.

    ``histories`` is a sequence of histories (as for :func:`plot_history`). The loss panel spans
    the finite values with a margin, clipped to :math:`[10^{-4}, 10^{3}]` (a diverging run's
    last values do not squash the others); the accuracy panel spans the lowest value (rounded
    down to 0.05) to 1. ``epochs`` fixes the right end of the epoch axis.
    """
    curves = [history_curves(h) for h in histories]
    last = max([len(c["epoch"]) for c in curves] + [len(c["dev_epoch"]) for c in curves] + [1])
    last = max(last, epochs or 1)
    for ax in (ax_loss, ax_acc):
        ax.set_xlim(0.5, last + 0.5)

    def finite(keys):
        vals = [c[k][np.isfinite(c[k])] for c in curves for k in keys]
        return np.concatenate(vals) if vals else np.empty(0)

    loss = finite(("train_loss", "dev_loss"))
    loss = loss[loss > 0]
    if loss.size:
        low = max(float(loss.min()) / 1.5, _LOSS_RANGE[0])
        high = min(float(loss.max()) * 1.5, _LOSS_RANGE[1])
        ax_loss.set_ylim(low, max(high, 2 * low))
    acc = finite(("train_accuracy", "dev_accuracy"))
    low = float(np.floor(acc.min() / 0.05) * 0.05) if acc.size else 0.0
    ax_acc.set_ylim(min(max(low, 0.0), 0.9), 1.005)


def history_legend(ax: Axes, runs: Mapping[str, str] | None = None, **kwargs):
    """A legend that explains the line styles (train dashed, dev solid) and, optionally, the runs.

    ``runs`` maps a label to a colour (one entry per run). Extra keyword arguments go to
    ``ax.legend``. Returns the legend.
    """
    handles = [Line2D([], [], color="#555555", linestyle="--", label="train"),
               Line2D([], [], color="#555555", linestyle="-", label="dev")]
    for name, color in (runs or {}).items():
        handles.append(Line2D([], [], color=color, linewidth=4, label=str(name)))
    kwargs.setdefault("fontsize", 8)
    return ax.legend(handles=handles, **kwargs)
