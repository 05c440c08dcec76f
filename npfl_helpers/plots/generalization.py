r"""Figures of notebook 02 (generalisation and capacity): a polynomial fit with its training and
test points, the capacity curve (error against degree), the λ path, the weights, the validation
grid and the no-free-lunch rank swap.

Everything drawn is computed in :mod:`npfl_helpers.generalization`; the explorers of this
notebook in :mod:`npfl_helpers.widgets` draw with these functions and update the returned artists
in place (``update_*``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from matplotlib import ticker as mticker
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from .. import generalization as gen
from ..trajectories import loss_curve
from ._style import sci_text

__all__ = [
    "GENERALIZATION_COLORS",
    "FitArtists",
    "CapacityArtists",
    "LambdaArtists",
    "plot_fit",
    "add_fit_curve",
    "update_fit",
    "fit_title",
    "plot_capacity",
    "update_capacity",
    "plot_lambda_path",
    "update_lambda_path",
    "plot_weights",
    "update_weights",
    "plot_selection",
    "plot_rank_swap",
]

#: One colour per role, the same in every figure of the notebook (Okabe–Ito).
GENERALIZATION_COLORS = {
    "train": "#0072B2",       # blue: training points and training error
    "test": "#D55E00",        # vermillion: test points and test / generalisation error
    "validation": "#009E73",  # green: validation error
    "truth": "#999999",       # grey: the true function f
    "fit": "#000000",         # black: the fitted polynomial
}
_C = GENERALIZATION_COLORS
_GRID = np.linspace(-1.0, 1.0, 301)
_FIT_CLIP = 1e3    # fitted values beyond ±this are drawn at it (far off the panel anyway)
_ERR_FLOOR = 1e-12  # errors below this (an exact fit) are drawn at it on log axes


def _curve(theta, basis: str) -> np.ndarray:
    """The fitted polynomial on the drawing grid, clipped to the panel."""
    return gen.predict_clipped(theta, _GRID, _FIT_CLIP, basis)


def _positive(v) -> np.ndarray:
    """Errors as a log axis shows them: an exact fit (0) at the floor."""
    return loss_curve(v, f_min=0.0, floor=_ERR_FLOOR)


class FitArtists(NamedTuple):
    """What :func:`plot_fit` draws: the points, the true function and the fitted curve."""

    train: object   # PathCollection
    test: object    # PathCollection (empty without a test set)
    truth: Line2D
    fit: Line2D


def fit_title(degree: int, train_mse: float, test_mse: float | None = None) -> str:
    r"""``"D = 3: training MSE 0.081, test MSE 0.104"`` (tiny or huge numbers as powers of ten).

    >>> fit_title(3, 0.0812, 2.5e-9)
    'D = 3: training MSE 0.0812, test MSE $2.5\\times 10^{-9}$'
    """
    text = f"D = {degree}: training MSE {sci_text(train_mse)}"
    return text if test_mse is None else f"{text}, test MSE {sci_text(test_mse)}"


def plot_fit(ax: Axes, train, test=None, theta=None, *, target: str = "sine",
             basis: str = "legendre", ylim=(-2.0, 2.0), n_test_shown: int = 200,
             title: bool = True, legend: bool = True) -> FitArtists:
    r"""Training points (blue), test points (small, vermillion), the true :math:`f` (grey,
    dashed) and the polynomial :math:`\phi(x)^\top\theta` (black) on :math:`[-1, 1]`.

    ``train``/``test`` are ``(x, y)``; only the first ``n_test_shown`` test points are drawn.
    With ``title``, the title states the degree and the training (and test) MSE.
    """
    x_tr, y_tr = train
    truth, = ax.plot(_GRID, gen.TARGETS[target](_GRID), ls="--", color=_C["truth"], lw=1.5,
                     label=r"true $f(x)$", zorder=1)
    if test is not None:
        pts = ax.scatter(test[0][:n_test_shown], test[1][:n_test_shown], s=7, color=_C["test"],
                         alpha=0.45, linewidths=0, label="test points", zorder=2)
    else:
        pts = ax.scatter([], [], s=7, color=_C["test"], alpha=0.45, linewidths=0)
    tr = ax.scatter(x_tr, y_tr, s=30, color=_C["train"], edgecolors="white", linewidths=0.6,
                    label="training points", zorder=4)
    fit, = ax.plot(_GRID, np.full_like(_GRID, np.nan), color=_C["fit"], lw=2.0,
                   label="fitted polynomial", zorder=3)
    ax.set(xlim=(-1.05, 1.05), ylim=ylim, xlabel="$x$", ylabel="$y$")
    ax.grid(True, alpha=0.3)
    if legend:
        ax.legend(loc="lower right", fontsize=8, framealpha=0.9)
    artists = FitArtists(tr, pts, truth, fit)
    if theta is not None:
        update_fit(artists, theta, basis=basis)
        if title:
            theta = np.asarray(theta)
            tr_mse = float(gen.mean_squared_error(gen.predict(theta, x_tr, basis), y_tr))
            te_mse = None if test is None else float(
                gen.mean_squared_error(gen.predict(theta, test[0], basis), test[1]))
            ax.set_title(fit_title(len(theta) - 1, tr_mse, te_mse), fontsize=10)
    return artists


def add_fit_curve(ax: Axes, theta, *, label: str | None = None, color: str = "#009E73",
                  basis: str = "legendre", lw: float = 2.0) -> Line2D:
    r"""One more fitted polynomial on a :func:`plot_fit` panel (e.g. for another λ)."""
    line, = ax.plot(_GRID, _curve(theta, basis), color=color, lw=lw, label=label, zorder=3)
    return line


def update_fit(artists: FitArtists, theta, *, train=None, test=None,
               basis: str = "legendre", n_test_shown: int = 200) -> None:
    """Set the fitted curve to ``theta`` (and the points to new ``train``/``test`` data)."""
    artists.fit.set_ydata(_curve(theta, basis))
    if train is not None:
        artists.train.set_offsets(np.column_stack(train))
    if test is not None:
        artists.test.set_offsets(np.column_stack([test[0][:n_test_shown],
                                                  test[1][:n_test_shown]]))


class CapacityArtists(NamedTuple):
    """What :func:`plot_capacity` draws."""

    train: Line2D        # training error of one training set
    test: Line2D         # its test error
    average: Line2D      # generalisation error averaged over training sets (dashed)
    average_train: Line2D
    current: Line2D      # markers at the chosen degree
    best: Line2D         # vertical line at the optimal capacity
    zones: tuple         # the texts "underfitting" and "overfitting"


def plot_capacity(ax: Axes, degrees, train_mse=None, test_mse=None, *, average=None,
                  current: int | None = None, ylim=(3e-3, 30.0),
                  zones: str = "optimum") -> CapacityArtists:
    r"""Error against capacity (the degree :math:`D`), on a log scale: the lecture's U.

    ``train_mse``/``test_mse`` are one training set's curves (solid); ``average`` an
    :class:`~npfl_helpers.generalization.AverageCurve` (dashed: training and generalisation
    error summarised over many training sets — the median unless it says otherwise — whose
    minimum marks the optimal capacity, with underfitting to its left and overfitting to its
    right). ``current`` marks one degree. Limits are fixed (``ylim``); values beyond them
    leave the panel. ``zones="optimum"`` labels the two zones beside the optimum (moving with
    it); ``"corners"`` puts fixed labels in the top corners (cheaper in an explorer, where text
    is the costliest thing to redraw).
    """
    degrees = np.asarray(degrees)
    nan = np.full(degrees.shape, np.nan)
    kw = {"marker": "o", "markersize": 3.5, "lw": 1.6}
    train, = ax.plot(degrees, nan, color=_C["train"], label="training error", **kw)
    test, = ax.plot(degrees, nan, color=_C["test"], label="test error", **kw)
    stat = "median" if average is None else average.statistic
    avg_tr, = ax.plot(degrees, nan, color=_C["train"], ls="--", lw=1.4, alpha=0.8,
                      label=f"training error, {stat} over training sets")
    avg, = ax.plot(degrees, nan, color=_C["test"], ls="--", lw=2.2, alpha=0.8,
                   label=f"generalisation error, {stat} over training sets")
    cur, = ax.plot([], [], ls="none", marker="o", ms=9, mfc="none", mec="black", mew=1.5)
    best = ax.axvline(np.nan, color="#555555", lw=1.0, ls=":")
    if zones == "corners":
        kw = {"transform": ax.transAxes, "va": "top", "fontsize": 8.5, "color": "#555555"}
        under = ax.text(0.02, 0.97, "← underfitting", ha="left", **kw)
        over = ax.text(0.98, 0.97, "overfitting →", ha="right", **kw)
    else:
        trans = ax.get_xaxis_transform()
        under = ax.text(np.nan, 0.97, "underfitting ←", transform=trans, ha="right", va="top",
                        fontsize=8.5, color="#555555")
        over = ax.text(np.nan, 0.97, "→ overfitting", transform=trans, ha="left", va="top",
                       fontsize=8.5, color="#555555")
    ax.set_yscale("log")
    ax.set(xlim=(degrees[0] - 0.5, degrees[-1] + 0.5), ylim=ylim,
           xlabel="capacity: polynomial degree $D$", ylabel="mean squared error")
    ax.xaxis.set_major_locator(mticker.MaxNLocator(integer=True))
    ax.grid(True, which="major", alpha=0.3)
    artists = CapacityArtists(train, test, avg, avg_tr, cur, best, (under, over))
    update_capacity(artists, degrees, train_mse, test_mse, average=average, current=current)
    return artists


def update_capacity(artists: CapacityArtists, degrees, train_mse=None, test_mse=None, *,
                    average=None, current: int | None = None) -> None:
    """Set the curves (each optional) and the marker at degree ``current``."""
    degrees = np.asarray(degrees)
    if train_mse is not None:
        artists.train.set_data(degrees, _positive(train_mse))
    if test_mse is not None:
        artists.test.set_data(degrees, _positive(test_mse))
    if average is not None:
        artists.average.set_data(average.degrees, _positive(average.generalization))
        artists.average_train.set_data(average.degrees, _positive(average.train_mse))
        d_star = average.best_degree
        artists.best.set_xdata([d_star, d_star])
        under, over = artists.zones
        if under.get_transform() is not under.axes.transAxes:  # labels beside the optimum
            under.set_x(d_star - 0.2)
            over.set_x(d_star + 0.2)
            under.set_visible(d_star > average.degrees[0])   # no zone beyond the ends
            over.set_visible(d_star < average.degrees[-1])
    if current is not None:
        ys = [y[current] for y in (artists.train.get_ydata(), artists.test.get_ydata())
              if np.isfinite(y[current])]
        artists.current.set_data([current] * len(ys), ys)


class LambdaArtists(NamedTuple):
    """What :func:`plot_lambda_path` draws."""

    train: Line2D
    test: Line2D
    current: Line2D


def plot_lambda_path(ax: Axes, lams, train_mse, test_mse, *, current: float | None = None,
                     ylim=(3e-3, 30.0)) -> LambdaArtists:
    r"""Training and test error against :math:`\lambda` (log–log); a marker at ``current``."""
    train, = ax.plot(lams, _positive(train_mse), color=_C["train"], lw=1.8,
                     label="training error")
    test, = ax.plot(lams, _positive(test_mse), color=_C["test"], lw=1.8, label="test error")
    cur, = ax.plot([], [], ls="none", marker="o", ms=8, mfc="none", mec="black", mew=1.5)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set(xlim=(lams[0], lams[-1]), ylim=ylim, xlabel=r"L2 strength $\lambda$",
           ylabel="mean squared error")
    ax.grid(True, which="major", alpha=0.3)
    artists = LambdaArtists(train, test, cur)
    if current is not None:
        update_lambda_path(artists, current=current)
    return artists


def update_lambda_path(artists: LambdaArtists, lams=None, train_mse=None, test_mse=None, *,
                       current: float | None = None) -> None:
    """New curves (optional) and the marker at :math:`\\lambda` = ``current``."""
    if lams is not None:
        artists.train.set_data(lams, _positive(train_mse))
        artists.test.set_data(lams, _positive(test_mse))
    if current is not None:
        lams = artists.train.get_xdata()
        i = int(np.argmin(np.abs(np.log(lams) - np.log(current))))
        artists.current.set_data([lams[i], lams[i]],
                                 [artists.train.get_ydata()[i], artists.test.get_ydata()[i]])


def plot_weights(ax: Axes, theta, *, ylim=(1e-4, 1e4)) -> list:
    r""":math:`|\theta_k|` for each :math:`k` as bars on a log scale: the bias
    :math:`\theta_0` (grey, not penalised) and the weights :math:`w = \theta_{1:}` (blue)."""
    theta = np.asarray(theta, dtype=np.float64)
    k = np.arange(len(theta))
    colors = ["#999999"] + [_C["train"]] * (len(theta) - 1)
    bars = ax.bar(k, np.ones_like(theta), bottom=ylim[0], color=colors, width=0.75)
    ax.set_yscale("log")
    ax.set(xlim=(-0.6, len(theta) - 0.4), ylim=ylim, xlabel="index $k$ (0: the bias)",
           ylabel=r"$|\theta_k|$")
    ax.xaxis.set_major_locator(mticker.MaxNLocator(integer=True))
    ax.grid(True, axis="y", which="major", alpha=0.3)
    update_weights(bars, theta)
    return list(bars)


def update_weights(bars, theta) -> None:
    """Set the bar heights to :math:`|\\theta_k|` (bars beyond ``len(theta)`` get height 0)."""
    theta = np.abs(np.asarray(theta, dtype=np.float64))
    for i, bar in enumerate(bars):
        value = theta[i] if i < len(theta) else 0.0
        bar.set_height(max(value - bar.get_y(), 0.0))


def plot_selection(ax: Axes, selection, *, cmap: str = "viridis_r"):
    r"""The validation MSE of every (degree, :math:`\lambda`) of a
    :class:`~npfl_helpers.generalization.Selection` as a colour map (log colour scale), with
    the chosen cell starred. Returns the mesh."""
    from matplotlib.colors import LogNorm

    s = selection
    vals = np.clip(s.val_mse, 1e-3, 1e3)
    mesh = ax.pcolormesh(np.arange(len(s.degrees)), np.arange(len(s.lams)), vals, cmap=cmap,
                         norm=LogNorm(vmin=vals.min(), vmax=min(vals.max(), 100 * vals.min())),
                         shading="nearest")
    i, k = np.unravel_index(np.argmin(s.val_mse), s.val_mse.shape)
    ax.plot(k, i, "*", ms=18, mfc="white", mec="black", mew=1.2, label="smallest validation MSE")
    ax.set_xticks(np.arange(len(s.degrees)), [str(d) for d in s.degrees])
    ax.set_yticks(np.arange(len(s.lams)), [f"{lam:g}" for lam in s.lams])
    ax.set(xlabel="degree $D$", ylabel=r"$\lambda$")
    ax.figure.colorbar(mesh, ax=ax, label="validation MSE")
    return mesh


def plot_rank_swap(ax: Axes, swap) -> list:
    """Grouped bars: the expected generalisation error of each learner (a colour) on each
    process (a group), with ± 2 standard errors. Returns the bar containers."""
    n_p, n_l = swap.error.shape
    width = 0.8 / n_l
    colors = ("#56B4E9", "#E69F00", "#009E73", "#CC79A7")
    containers = []
    for j, degree in enumerate(swap.degrees):
        x = np.arange(n_p) + (j - (n_l - 1) / 2) * width
        containers.append(ax.bar(x, swap.error[:, j], width, yerr=2 * swap.stderr[:, j],
                                 color=colors[j % len(colors)], capsize=3,
                                 label=f"learner: degree {degree}"))
    ax.set_xticks(np.arange(n_p), [f'process "{p}"' for p in swap.processes])
    ax.set_ylabel("generalisation error (mean over training sets)")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    return containers
