r"""Figures of notebook 04 (gradient descent): loss curves against the work done, the cloud of
minibatch gradients and their variance, the loss along a line and on a plane, and the landscapes
of deep networks with and without skip connections side by side.

The explorers of this notebook in :mod:`npfl_helpers.widgets` draw with these functions and
update the returned artists in place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
from matplotlib import colors as mcolors
from matplotlib import ticker as mticker
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from .._validate import check_int
from ._style import _SEQUENCE, _key, color_for, new_figure

__all__ = [
    "CloudArtists",
    "plot_lr_regimes",
    "SKIP_COLORS",
    "VarianceArtists",
    "deep_landscape_figure",
    "landscape_figure",
    "plot_gradient_variance",
    "plot_loss_line",
    "plot_loss_plane",
    "plot_minibatch_cloud",
    "plot_training_curves",
]


def plot_training_curves(ax: Axes, curves: Mapping, *, colors=None,
                         xlabel: str = "training examples processed",
                         ylabel: str = r"training loss $J(\theta)$",
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
    ax.set_ylabel(r"training loss $J$")
    ax.grid(True, which="major", alpha=0.3)
    return line


def plot_loss_plane(ax: Axes, alphas, betas, grid, *, n_levels: int = 20,
                    colorbar: bool = True, cmap: str = "viridis", zmax: float | None = None):
    r"""Contours of :math:`J(\theta^* + \alpha d_1 + \beta d_2)` with log-spaced levels.

    ``grid`` has shape ``(len(betas), len(alphas))`` as from
    :func:`npfl_helpers.landscape.loss_plane`. The centre :math:`(0, 0)` is marked. With
    ``zmax``, the levels are linear from 0 to ``zmax`` instead and higher losses are drawn at
    ``zmax`` (Li et al.'s way of drawing a landscape). Returns the filled ContourSet.
    """
    n_levels = check_int("n_levels", n_levels, 2)
    alphas = np.asarray(alphas, dtype=np.float64)
    betas = np.asarray(betas, dtype=np.float64)
    grid = np.asarray(grid, dtype=np.float64)
    if zmax is not None:
        zmax = float(zmax)
        if not zmax > 0:
            raise ValueError(f"zmax must be > 0 (the top of the linear scale); got {zmax}")
        levels = np.linspace(0.0, zmax, n_levels)
        norm = mcolors.Normalize(0.0, zmax)
        z = np.minimum(np.where(np.isfinite(grid), grid, zmax), zmax)
    else:
        finite = grid[np.isfinite(grid) & (grid > 0)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (1e-3, 1.0)
        hi = max(hi, lo * 1.01)
        levels = np.geomspace(lo, hi, n_levels)
        norm = mcolors.LogNorm(lo, hi)
        z = np.where(np.isfinite(grid) & (grid > 0), grid, hi)
    filled = ax.contourf(alphas, betas, z, levels=levels, cmap=cmap, norm=norm,
                         extend="neither" if zmax is not None else "both")
    ax.contour(alphas, betas, z, levels=levels, colors="white", linewidths=0.4, alpha=0.6)
    ax.plot([0.0], [0.0], marker="*", markersize=14, color="#F0E442", markeredgecolor="black",
            linestyle="none", zorder=4, label=r"$\theta^*$")
    ax.set_xlabel(r"$\alpha$ (along $d_1$)")
    ax.set_ylabel(r"$\beta$ (along $d_2$)")
    ax.set_aspect("equal", adjustable="box")
    if colorbar and zmax is not None:
        cb = ax.figure.colorbar(filled, ax=ax, shrink=0.9)
        cb.set_label(rf"training loss $J$ (cut at {zmax:g})")
    elif colorbar:
        cb = ax.figure.colorbar(filled, ax=ax, shrink=0.9)
        cb.set_label(r"training loss $J$ (log scale)")
        cb.ax.yaxis.set_major_locator(mticker.LogLocator())
        cb.ax.yaxis.set_major_formatter(mticker.LogFormatterSciNotation())
    return filled


def landscape_figure(alphas, line_train, line_dev, plane_alphas, plane_betas, plane, *,
                     figsize=(11, 4.4)):
    r"""The loss landscape around a trained :math:`\theta^*` in one 1×2 figure.

    Left: the training loss along the line from :math:`\theta_0` to :math:`\theta^*`
    (:func:`plot_loss_line`) with the development loss dashed; right: the training loss on a
    plane of random directions (:func:`plot_loss_plane`). The arguments are the outputs of
    :func:`npfl_helpers.landscape.loss_along_line` (``line_*`` over ``alphas``) and
    :func:`npfl_helpers.landscape.loss_plane`. Returns ``(fig, (ax_line, ax_plane))``; the titles
    are left to the caller.
    """
    fig, (ax_line, ax_plane) = new_figure(2, figsize=figsize)
    train = plot_loss_line(ax_line, alphas, line_train)
    (dev,) = ax_line.plot(alphas, line_dev, color="#D55E00", linewidth=1.4, linestyle="--",
                          label="development set")
    train.set_label("training set")
    ax_line.legend(handles=[dev, train], fontsize=9, loc="upper right")
    ax_line.set_ylabel(r"loss $J$")
    plot_loss_plane(ax_plane, plane_alphas, plane_betas, plane)
    return fig, (ax_line, ax_plane)


#: the colours of :func:`plot_lr_regimes`: straight in, zig-zag, diverges
REGIME_COLORS = ("#56B4E9", "#E69F00", "#CC79A7")


def plot_lr_regimes(ax: Axes, lambda_max: float, lr_range) -> Line2D:
    r"""Where the learning rate α sits for gradient descent on a quadratic: three bands on a log
    α axis; return a vertical marker line to move with ``marker.set_xdata([lr, lr])``.

    Along an eigendirection with curvature λ one step multiplies the error by
    :math:`1 - \alpha\lambda`. With :math:`\lambda_{\max}` the largest curvature:
    :math:`\alpha < 1/\lambda_{\max}` every factor is in :math:`[0, 1)` (the path goes straight
    in, slowly when α is small); :math:`1/\lambda_{\max} < \alpha < 2/\lambda_{\max}` the steepest
    factor is negative (the path zig-zags, and still converges);
    :math:`\alpha > 2/\lambda_{\max}` it is below −1 (the zig-zag grows: divergence).
    """
    lo, hi = (float(v) for v in lr_range)
    edges = [lo, 1.0 / lambda_max, 2.0 / lambda_max, hi]
    names = ("straight in", "zig-zag", "diverges")
    for a, b, name, color in zip(edges[:-1], edges[1:], names, REGIME_COLORS, strict=True):
        if b <= lo or a >= hi:
            continue
        a, b = max(a, lo), min(b, hi)
        ax.axvspan(a, b, color=color, alpha=0.35, linewidth=0)
        ax.text(np.sqrt(a * b), 0.5, name, ha="center", va="center", fontsize=9)
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(0.0, 1.0)
    ax.yaxis.set_visible(False)
    ticks = {v * 10.0**e: f"{v * 10.0**e:g}" for e in range(-6, 6) for v in (1, 3)}
    ticks = {t: text for t, text in ticks.items() if lo <= t <= hi}
    for t, name in zip(edges[1:3], (r"1/\lambda_{\max}", r"2/\lambda_{\max}"), strict=True):
        ticks = {u: text for u, text in ticks.items() if not 0.7 < u / t < 1.4}
        if lo < t < hi:
            ticks[t] = f"${name} = {t:.3g}$"
    ax.set_xticks(list(ticks), list(ticks.values()), fontsize=8)
    ax.xaxis.set_minor_locator(mticker.NullLocator())
    ax.set_xlabel(r"learning rate $\alpha$", labelpad=1)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    (marker,) = ax.plot([lo, lo], [0.0, 1.0], color="black", linewidth=2.5)
    return marker


#: Colours of deep networks without and with skip connections (:func:`deep_landscape_figure`).
SKIP_COLORS: tuple[str, str] = ("#D55E00", "#0072B2")


def deep_landscape_figure(coords, lines: Mapping, grid, planes: Mapping, *,
                          zmax: float = 10.0, minima: Mapping | None = None,
                          figsize=(13.5, 4.6)):
    r"""Loss landscapes of several networks around their trained :math:`\theta^*`, side by side.

    Left: the loss along filter-normalised directions, :math:`J(\theta^* + \alpha d)`
    over ``coords``; ``lines`` maps a network's label to its losses, shape ``(len(coords),)`` or
    ``(k, len(coords))`` for ``k`` directions (drawn in the network's colour, the second and
    later ones dashed). Then one 3-D surface per network of
    :math:`J(\theta^* + \alpha d_1 + \beta d_2)` on ``grid`` × ``grid``
    (``planes`` maps the same labels to arrays ``(len(grid), len(grid))`` as from
    :func:`npfl_helpers.landscape.loss_plane`), with contour lines on its floor. All panels share
    one linear loss scale cut at ``zmax`` (as Li et al. draw them: above it only the shape of
    the walls would change). ``minima`` maps labels to boolean masks of the grid (e.g.
    :func:`npfl_helpers.landscape.local_minima`), marked as black dots on the floor. Returns
    ``(fig, axes)``: the line axis, then the 3-D axes.
    """
    import matplotlib.pyplot as plt

    zmax = float(zmax)
    if not zmax > 0:
        raise ValueError(f"zmax must be > 0; got {zmax}")
    coords = np.asarray(coords, dtype=np.float64)
    grid = np.asarray(grid, dtype=np.float64)
    labels = list(planes)
    if set(lines) != set(labels):
        raise ValueError(f"lines and planes must have the same labels; got {list(lines)} and "
                         f"{labels}")
    colors = dict(zip(labels, SKIP_COLORS + _SEQUENCE, strict=False))
    with plt.ioff():
        fig = plt.figure(figsize=figsize, layout="constrained")
    ax_line = fig.add_subplot(1, len(labels) + 1, 1)
    for label in labels:
        curves = np.atleast_2d(np.asarray(lines[label], dtype=np.float64))
        for k, curve in enumerate(curves):
            ax_line.plot(coords, np.minimum(curve, zmax), color=colors[label],
                         linestyle="-" if k == 0 else "--", linewidth=1.8 if k == 0 else 1.2,
                         label=str(label) if k == 0 else None)
    ax_line.set_ylim(0.0, zmax)
    ax_line.set_xlim(coords.min(), coords.max())
    ax_line.set_xlabel(r"$\alpha$ along a filter-normalised direction $d$")
    ax_line.set_ylabel(r"training loss $J(\theta^* + \alpha d)$")
    ax_line.grid(True, alpha=0.3)
    ax_line.legend(fontsize=9, loc="upper center")
    A, B = np.meshgrid(grid, grid)
    levels = np.linspace(0.0, zmax, 21)[1:]
    axes = [ax_line]
    for k, label in enumerate(labels):
        ax = fig.add_subplot(1, len(labels) + 1, k + 2, projection="3d")
        Z = np.asarray(planes[label], dtype=np.float64)
        Z = np.minimum(np.where(np.isfinite(Z), Z, zmax), zmax)
        ax.plot_surface(A, B, Z, cmap="viridis", vmin=0.0, vmax=zmax, rstride=1, cstride=1,
                        linewidth=0, antialiased=False, alpha=0.95)
        ax.contour(A, B, Z, levels=levels, zdir="z", offset=0.0, cmap="viridis", vmin=0.0,
                   vmax=zmax, linewidths=0.8)
        if minima is not None and label in minima:
            mask = np.asarray(minima[label], dtype=bool)
            ax.scatter(A[mask], B[mask], np.zeros(int(mask.sum())), color="black", s=10,
                       depthshade=False)
        ax.set_zlim(0.0, zmax)
        ax.set_xlabel(r"$\alpha$ (along $d_1$)", labelpad=-2)
        ax.set_ylabel(r"$\beta$ (along $d_2$)", labelpad=-2)
        ax.set_zlabel(r"loss $J$", labelpad=-2)
        ax.tick_params(labelsize=7, pad=0)
        ax.set_title(str(label), fontsize=10, color=colors[label])
        ax.view_init(elev=28, azim=-60)
        axes.append(ax)
    return fig, axes
