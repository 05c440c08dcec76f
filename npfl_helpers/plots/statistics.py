r"""Figures of notebook 01 (estimators and bias): histograms of estimates, their running means,
the bias of :math:`\hat\sigma^2` against :math:`n`, and the MSE of dividing by
:math:`n - 1`, :math:`n` or :math:`n + 1`.

The numbers come from :mod:`npfl_helpers.estimators`; the explorer of this notebook in
:mod:`npfl_helpers.widgets` draws with these functions and updates the returned artists in
place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator, NullLocator

from .._validate import check_int, check_range
from ..estimators import variance_histogram_range
from ._style import _SEQUENCE, new_figure

__all__ = [
    "DIVISOR_COLORS",
    "DIVISOR_LABELS",
    "HistogramArtists",
    "RunningMeanArtists",
    "BiasArtists",
    "plot_estimate_histograms",
    "plot_running_means",
    "plot_bias_against_n",
    "plot_divisor_mse",
    "plot_mse_decomposition",
    "VarianceFigure",
    "variance_estimator_figure",
    "update_variance_estimator_figure",
]

#: One colour per divisor :math:`d = n + k` of :math:`\hat\sigma^2_d = S/d`, keyed by ``k``.
DIVISOR_COLORS: dict[int, str] = {-1: "#0072B2", 0: "#D55E00", 1: "#009E73"}
#: Legend names of the three divisors, keyed by ``k`` in :math:`d = n + k`.
DIVISOR_LABELS: dict[int, str] = {-1: r"$\div(n-1)$, unbiased", 0: r"$\div n$, the MLE",
                                  1: r"$\div(n+1)$"}


def _colors(labels, colors) -> list[str]:
    if colors is None:
        return [_SEQUENCE[k % len(_SEQUENCE)] for k in range(len(labels))]
    if isinstance(colors, Mapping):
        return [colors[lab] for lab in labels]
    return list(colors)


class HistogramArtists(NamedTuple):
    """What :func:`plot_estimate_histograms` draws, each a dict label → artist: ``steps``
    (StepPatch histograms), ``means`` (measured means, dashed) and ``predicted`` (predicted
    means, dotted); ``true`` the line at the true value."""

    steps: dict
    means: dict
    predicted: dict
    true: Line2D


def plot_estimate_histograms(ax: Axes, edges, counts: Mapping, means: Mapping,
                             predicted: Mapping, true_value: float, *, colors=None,
                             true_label: str = r"true $\sigma^2$",
                             xlabel: str = r"estimate $\hat\sigma^2$") -> HistogramArtists:
    r"""Histograms of several estimators' estimates, their means and the true value.

    ``edges`` the bin edges; ``counts`` maps a label to the histogram values (densities);
    ``means`` and ``predicted`` map the same labels to the measured mean and the predicted
    expectation, drawn as vertical dashed and dotted lines. Returns the artists, for updating.
    """
    labels = list(counts)
    cols = _colors(labels, colors)
    edges = np.asarray(edges, dtype=np.float64)
    steps, mean_lines, pred_lines = {}, {}, {}
    for label, color in zip(labels, cols, strict=True):
        steps[label] = ax.stairs(np.asarray(counts[label], dtype=np.float64), edges,
                                 color=color, linewidth=1.6, fill=False, label=label)
        mean_lines[label] = ax.axvline(means[label], color=color, linestyle="--", linewidth=1.6)
        pred_lines[label] = ax.axvline(predicted[label], color=color, linestyle=":",
                                       linewidth=2.4, alpha=0.8)
    true = ax.axvline(true_value, color="#000000", linewidth=1.4, label=true_label)
    ax.plot([], [], color="#555555", linestyle="--", label="measured mean")
    ax.plot([], [], color="#555555", linestyle=":", linewidth=2.4, label="predicted mean")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("density")
    ax.set_xlim(edges[0], edges[-1])
    ax.grid(True, alpha=0.3)
    return HistogramArtists(steps, mean_lines, pred_lines, true)


class RunningMeanArtists(NamedTuple):
    """What :func:`plot_running_means` draws: dicts label → line of the running means and of
    the predicted values."""

    running: dict
    predicted: dict


def plot_running_means(ax: Axes, running: Mapping, predicted: Mapping, *, colors=None,
                       t_max: int | None = None) -> RunningMeanArtists:
    r"""The mean of the first :math:`t` estimates against :math:`t` (log :math:`x`), converging
    to the expectation (a horizontal dotted line per estimator).

    ``running`` maps a label to the running means (index ``t - 1``), ``predicted`` to the
    expectation; ``t_max`` fixes the :math:`x` range to :math:`[1, t_\max]`.
    """
    labels = list(running)
    cols = _colors(labels, colors)
    lines, preds = {}, {}
    for label, color in zip(labels, cols, strict=True):
        r = np.asarray(running[label], dtype=np.float64)
        (lines[label],) = ax.plot(np.arange(1, r.size + 1), r, color=color, linewidth=1.4,
                                  label=label)
        preds[label] = ax.axhline(predicted[label], color=color, linestyle=":", linewidth=2.4,
                                  alpha=0.8)
    ax.set_xscale("log")
    ax.xaxis.set_minor_locator(NullLocator())  # minor ticks are most of a log axis' cost
    if t_max is not None:
        ax.set_xlim(1, t_max)
    ax.set_xlabel("number of trials $t$")
    ax.set_ylabel(r"mean of the first $t$ estimates")
    ax.grid(True, which="major", alpha=0.3)
    return RunningMeanArtists(lines, preds)


class BiasArtists(NamedTuple):
    """What :func:`plot_bias_against_n` draws: dicts label → the theory curve, the measured
    point (with its error bar, a line) at the current :math:`n`."""

    curves: dict
    points: dict
    errorbars: dict


def plot_bias_against_n(ax: Axes, n, theory: Mapping, *, colors=None,
                        ylabel: str = r"bias $/\,\sigma^2$") -> BiasArtists:
    r"""Theory curves of the bias against :math:`n` and one measured point per estimator.

    ``n`` the sample sizes of the curves, ``theory`` maps a label to the bias there. The points
    start empty; set them with ``points[label].set_data([n], [bias])`` and the vertical error
    bar with ``errorbars[label].set_data([n, n], [lo, hi])``.
    """
    labels = list(theory)
    cols = _colors(labels, colors)
    n = np.asarray(n, dtype=np.float64)
    curves, points, bars = {}, {}, {}
    for label, color in zip(labels, cols, strict=True):
        (curves[label],) = ax.plot(n, np.asarray(theory[label], dtype=np.float64), color=color,
                                   linewidth=1.4, label=label)
        (bars[label],) = ax.plot([], [], color=color, linewidth=2.0)
        (points[label],) = ax.plot([], [], marker="o", markersize=8, color=color,
                                   markeredgecolor="white", linestyle="none", zorder=4)
    ax.axhline(0.0, color="#999999", linewidth=0.8, zorder=1)
    ax.set_xlabel("sample size $n$")
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    return BiasArtists(curves, points, bars)


def plot_divisor_mse(ax: Axes, n_theory, theory: Mapping, n_measured=None,
                     measured: Mapping | None = None, errors: Mapping | None = None, *,
                     colors: Mapping | None = None, labels: Mapping | None = None) -> dict:
    r""":math:`n \cdot \operatorname{MSE}/\sigma^4` of :math:`\hat\sigma^2_d` against :math:`n`
    for several divisors (log :math:`x`): closed forms as lines, Monte Carlo as points.

    ``theory`` maps a key (e.g. ``k`` in :math:`d = n + k`) to the MSE/σ⁴ at ``n_theory``;
    ``measured`` (optional) to the MSE/σ⁴ at ``n_measured``, with ``errors`` its standard
    errors (drawn as ±2 SE bars). Multiplying by :math:`n` makes the curves, which all fall
    like :math:`2/n`, distinguishable. Returns dict key → line.
    """
    colors = colors or DIVISOR_COLORS
    labels = labels or DIVISOR_LABELS
    n_theory = np.asarray(n_theory, dtype=np.float64)
    lines = {}
    for key, mse in theory.items():
        (lines[key],) = ax.plot(n_theory, n_theory * np.asarray(mse, dtype=np.float64),
                                color=colors[key], linewidth=1.6, label=labels[key])
    if measured is not None:
        n_m = np.asarray(n_measured, dtype=np.float64)
        for key, mse in measured.items():
            err = None if errors is None else 2 * n_m * np.asarray(errors[key])
            ax.errorbar(n_m, n_m * np.asarray(mse, dtype=np.float64), yerr=err, fmt="o",
                        markersize=5, color=colors[key], markeredgecolor="white", capsize=2,
                        zorder=3)
        ax.plot([], [], "o", color="#555555", label=r"Monte Carlo ($\pm 2$ SE)")
    ax.axhline(2.0, color="#999999", linestyle=":", linewidth=1.2)
    ax.set_xscale("log")
    ax.set_xlabel("sample size $n$")
    ax.set_ylabel(r"$n \cdot \mathrm{MSE} / \sigma^4$")
    ax.grid(True, which="major", alpha=0.3)
    return lines


def plot_mse_decomposition(ax: Axes, names, bias2, variance, *, colors=None) -> tuple:
    r"""Stacked bars: :math:`\text{bias}^2` (hatched) on top of the variance, one bar per
    estimator; the total height is the MSE. Returns ``(variance_bars, bias_bars)``."""
    names = list(names)
    cols = _colors(names, colors)
    x = np.arange(len(names))
    variance = np.asarray(variance, dtype=np.float64)
    bias2 = np.asarray(bias2, dtype=np.float64)
    var_bars = ax.bar(x, variance, color=cols, alpha=0.85, label="variance")
    bias_bars = ax.bar(x, bias2, bottom=variance, color=cols, alpha=0.35, hatch="//",
                       edgecolor="#333333", label=r"bias$^2$")
    for xi, total in zip(x, variance + bias2, strict=True):
        ax.annotate(f"{total:.3g}", (xi, total), textcoords="offset points", xytext=(0, 3),
                    ha="center", fontsize=9)
    ax.set_xticks(x, names)
    ax.set_ylim(0, 1.12 * float(np.max(variance + bias2)))
    ax.set_ylabel(r"MSE $=$ bias$^2$ $+$ variance")
    ax.grid(True, axis="y", alpha=0.3)
    return var_bars, bias_bars


class VarianceFigure(NamedTuple):
    """The artists of :func:`variance_estimator_figure`, for updating in place."""

    histograms: HistogramArtists
    running: RunningMeanArtists
    bias: BiasArtists
    axes: tuple
    offsets: tuple
    bins: int


#: The sample sizes on the bias panel of :func:`variance_estimator_figure`.
BIAS_N_MAX = 50


def variance_estimator_figure(estimates, n: int, sigma2: float, offsets=(-1, 0), *,
                              t_max: int | None = None, bins: int = 60, pyplot: bool = True,
                              figsize=(13.5, 4.3), figure=None):
    r"""Three panels on the estimates :math:`\hat\sigma^2_d = S/d` of a Monte-Carlo experiment.

    Left: the histograms of the estimates with their measured means (dashed), the predicted
    means :math:`\frac{n-1}{d}\sigma^2` (dotted) and the true :math:`\sigma^2`; middle: the
    mean of the first :math:`t` estimates against :math:`t`, converging to the predictions;
    right: the bias :math:`/\sigma^2 = \frac{n-1}{d} - 1` against :math:`n` (curves) with the
    measured bias at this :math:`n` (points, ±2 standard errors).

    ``estimates`` ``(len(offsets), trials)`` as from
    :func:`npfl_helpers.estimators.variance_estimates` with divisors ``n + k`` for ``k`` in
    ``offsets`` (−1, 0 or 1). ``figure``: draw into this (empty) figure instead of a new one
    (an explorer's). Returns ``(fig, VarianceFigure)``; redraw other data with
    :func:`update_variance_estimator_figure`.
    """
    offsets = tuple(check_int("offsets", k, -1, 1) for k in offsets)
    estimates = np.asarray(estimates, dtype=np.float64).reshape(len(offsets), -1)
    t_max = estimates.shape[1] if t_max is None else check_int("t_max", t_max, 1)
    bins = check_int("bins", bins, 2)
    if figure is None:
        fig, (ax_h, ax_r, ax_b) = new_figure(3, figsize=figsize, pyplot=pyplot)
    else:
        fig = figure
        ax_h, ax_r, ax_b = fig.subplots(1, 3)
    labels = [DIVISOR_LABELS[k] for k in offsets]
    colors = [DIVISOR_COLORS[k] for k in offsets]
    zeros = {lab: np.zeros(bins) for lab in labels}
    ones = dict.fromkeys(labels, 1.0)
    hist = plot_estimate_histograms(ax_h, np.linspace(0, 1, bins + 1), zeros, ones, ones, 1.0,
                                    colors=colors)
    # this panel's limits follow n and σ²: few tick labels keep redrawing it cheap
    ax_h.xaxis.set_major_locator(MaxNLocator(5, steps=[1, 2, 5, 10]))
    ax_h.yaxis.set_major_locator(MaxNLocator(4, steps=[1, 2, 5, 10]))
    run = plot_running_means(ax_r, {lab: np.ones(t_max) for lab in labels}, ones,
                             colors=colors, t_max=t_max)
    ax_r.set_ylabel(r"mean of the first $t$ estimates $/\,\sigma^2$")
    ax_r.set_ylim(0.0, 2.0)
    n_grid = np.arange(2, BIAS_N_MAX + 1)
    theory = {lab: (n_grid - 1) / (n_grid + k) - 1 for lab, k in zip(labels, offsets,
                                                                    strict=True)}
    bias = plot_bias_against_n(ax_b, n_grid, theory, colors=colors)
    ax_b.set_xlim(0, BIAS_N_MAX + 1)
    ax_b.set_ylim(-0.58, 0.3)
    ax_b.set_autoscale_on(False)
    ax_b.plot([], [], "o", color="#555555", label=r"measured bias ($\pm 2$ SE)")
    # one legend for the figure, below the panels: outside the axes whose limits change
    handles, names = ax_h.get_legend_handles_labels()
    h_b, n_b = ax_b.get_legend_handles_labels()
    fig.legend(handles + h_b[-1:], names + n_b[-1:], loc="outside lower center", ncols=6,
               fontsize=8.5, frameon=False)
    art = VarianceFigure(hist, run, bias, (ax_h, ax_r, ax_b), offsets, bins)
    update_variance_estimator_figure(art, estimates, n, sigma2)
    return fig, art


def update_variance_estimator_figure(art: VarianceFigure, estimates, n: int,
                                     sigma2: float) -> None:
    r"""Set the data of a :func:`variance_estimator_figure` to new estimates, in place.

    Only the histogram's limits move: they are :math:`\sigma^2` times a factor that depends on
    :math:`n` (the spread of :math:`S/d` is about :math:`\sigma^2\sqrt{2/(n-1)}`), rounded up
    to a few round values, so that most changes of :math:`n` keep them. The running means and
    the bias are drawn in units of :math:`\sigma^2` on fixed axes.
    """
    n = check_int("n", n, 2)
    sigma2 = check_range("sigma2", sigma2, 0, low_open=True, allow_array=False)
    estimates = np.asarray(estimates, dtype=np.float64).reshape(len(art.offsets), -1)
    trials = estimates.shape[1]
    ax_h, ax_r, ax_b = art.axes
    # the histogram's range is σ² times a factor from a coarse ladder: it moves with σ² (the
    # picture keeps its shape, only the numbers change) and now and then with n
    x_max, density_max = variance_histogram_range(n, sigma2, [n + k for k in art.offsets])
    edges = np.linspace(0.0, x_max, art.bins + 1)
    width = edges[1] - edges[0]
    # the running means at every t up to 200, then at 400 geometric steps (the axis is log)
    shown = np.unique(np.concatenate([np.arange(1, min(trials, 200) + 1),
                                      np.geomspace(1, trials, 400).round().astype(int)]))
    for row, k in zip(estimates, art.offsets, strict=True):
        label = DIVISOR_LABELS[k]
        counts, _ = np.histogram(row, edges)
        art.histograms.steps[label].set_data(counts / (trials * width), edges)
        mean = float(row.mean())
        predicted = (n - 1) / (n + k) * sigma2
        art.histograms.means[label].set_xdata([mean, mean])
        art.histograms.predicted[label].set_xdata([predicted, predicted])
        running = np.cumsum(row) / (sigma2 * np.arange(1, trials + 1))  # in units of σ²
        art.running.running[label].set_data(shown, running[shown - 1])
        art.running.predicted[label].set_ydata([predicted / sigma2] * 2)
        se = float(row.std()) / np.sqrt(trials) / sigma2
        rel_bias = mean / sigma2 - 1
        art.bias.points[label].set_data([n], [rel_bias])
        art.bias.errorbars[label].set_data([n, n], [rel_bias - 2 * se, rel_bias + 2 * se])
    art.histograms.true.set_xdata([sigma2, sigma2])
    ax_h.set_xlim(0.0, edges[-1])
    ax_h.set_ylim(0.0, density_max)
