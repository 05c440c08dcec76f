r"""Figures of notebook 03 (maximum likelihood): a categorical model against the data, the
decomposition :math:`H(\hat p, q) = H(\hat p) + D_\text{KL}(\hat p \,\|\, q)`, MSE against the
Gaussian NLL, consistency of the MLE, its efficiency against the Cramér–Rao bound, and the
Gaussian log-likelihood surface.

The numbers come from :mod:`npfl_helpers.losses` and :mod:`npfl_helpers.estimators`; the
explorers of this notebook in :mod:`npfl_helpers.widgets` draw with these functions and update
the returned artists in place.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

__all__ = [
    "LIKELIHOOD_COLORS",
    "DistributionBars",
    "CrossEntropyBars",
    "LossPairArtists",
    "ConsistencyArtists",
    "plot_distribution_bars",
    "plot_cross_entropy_bars",
    "set_cross_entropy_bars",
    "plot_mse_and_nll",
    "plot_nll_against_mse",
    "plot_running_estimates",
    "plot_deviation_probability",
    "plot_efficiency",
    "plot_log_likelihood_contours",
]

#: Colours of the quantities in the likelihood figures (Okabe–Ito).
LIKELIHOOD_COLORS: dict[str, str] = {
    "data": "#999999",  # p̂_data
    "model": "#0072B2",  # p_model
    "entropy": "#999999",  # H(p̂_data)
    "kl": "#D55E00",  # KL(p̂_data ‖ p_model)
    "nll": "#009E73",  # the NLL
    "mse": "#000000",
    "mean": "#0072B2",  # the sample mean
    "median": "#D55E00",  # the sample median
    "bound": "#000000",  # the Cramér–Rao bound
}


class DistributionBars(NamedTuple):
    """What :func:`plot_distribution_bars` draws: the two BarContainers, ``data`` and
    ``model``; update a bar with ``model[k].set_height(q_k)``."""

    data: object
    model: object


def plot_distribution_bars(ax: Axes, p, q, *, labels=(r"$\hat p_\mathrm{data}$",
                                                       r"$p_\mathrm{model}$"),
                           ymax: float = 1.0) -> DistributionBars:
    r"""Two categorical distributions over :math:`K` classes as side-by-side bars."""
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    x = np.arange(p.size)
    w = 0.38
    data = ax.bar(x - w / 2, p, width=w, color=LIKELIHOOD_COLORS["data"], label=labels[0])
    model = ax.bar(x + w / 2, q, width=w, color=LIKELIHOOD_COLORS["model"], label=labels[1])
    ax.set_xticks(x, [f"$k = {k}$" for k in x])
    ax.set_ylim(0, ymax)
    ax.set_ylabel("probability")
    ax.grid(True, axis="y", alpha=0.3)
    return DistributionBars(data, model)


class CrossEntropyBars(NamedTuple):
    """What :func:`plot_cross_entropy_bars` draws: the bars of :math:`H(\\hat p)`, of the KL
    divergence stacked on it, of the NLL, and the text above each column."""

    entropy: object  # Rectangle
    kl: object  # Rectangle
    nll: object  # Rectangle
    texts: tuple


def plot_cross_entropy_bars(ax: Axes, entropy: float, kl: float, nll: float, *,
                            ymax: float = 3.0) -> CrossEntropyBars:
    r"""Left column: :math:`H(\hat p)` with :math:`D_\text{KL}(\hat p\,\|\,q)` stacked on top,
    together :math:`H(\hat p, q)`; right column: the NLL :math:`-\frac1m\sum_i\log q(x_i)`. The
    columns have equal heights — the identity. A dotted line marks :math:`H(\hat p)`, the
    smallest possible NLL. Values above ``ymax`` (an infinite KL) are clipped at the top.
    """
    c = LIKELIHOOD_COLORS
    (h_bar,) = ax.bar([0], [entropy], width=0.6, color=c["entropy"],
                      label=r"$H(\hat p_\mathrm{data})$")
    (kl_bar,) = ax.bar([0], [0.0], bottom=[entropy], width=0.6, color=c["kl"],
                       label=r"$D_\mathrm{KL}(\hat p_\mathrm{data}\,\|\,p_\mathrm{model})$")
    (nll_bar,) = ax.bar([1], [0.0], width=0.6, color=c["nll"],
                        label=r"$-\frac{1}{m}\sum_i \log p_\mathrm{model}(x^{(i)})$")
    ax.axhline(entropy, color="#555555", linestyle=":", linewidth=1.2)
    texts = (ax.text(0, 0, "", ha="center", va="bottom", fontsize=9),
             ax.text(1, 0, "", ha="center", va="bottom", fontsize=9))
    ax.set_xticks([0, 1], [r"$H(\hat p_\mathrm{data},\, p_\mathrm{model})$",
                           r"NLL per example"])
    ax.set_xlim(-0.6, 1.6)
    ax.set_ylim(0, ymax)
    ax.set_ylabel("nats")
    ax.grid(True, axis="y", alpha=0.3)
    bars = CrossEntropyBars(h_bar, kl_bar, nll_bar, texts)
    set_cross_entropy_bars(bars, entropy, kl, nll, ymax=ymax)
    return bars


def _shown(value: float) -> str:
    return "∞" if not math.isfinite(value) else f"{value:.3f}"


def set_cross_entropy_bars(bars: CrossEntropyBars, entropy: float, kl: float, nll: float, *,
                           ymax: float = 3.0) -> None:
    """Update the bars of :func:`plot_cross_entropy_bars` in place (infinite values clipped)."""
    top = 0.97 * ymax
    bars.entropy.set_height(min(entropy, top))
    bars.kl.set_y(min(entropy, top))
    bars.kl.set_height(max(min(entropy + kl, top) - min(entropy, top), 0.0))
    bars.nll.set_height(min(nll, top))
    total = entropy + kl
    for text, value, label in ((bars.texts[0], total, f"{_shown(entropy)} + {_shown(kl)}\n"
                                                      f"= {_shown(total)}"),
                               (bars.texts[1], nll, _shown(nll))):
        clipped = not value < top  # written inside the top of a clipped bar
        text.set_position((text.get_position()[0], min(value, top)))
        text.set_verticalalignment("top" if clipped else "bottom")
        text.set_color("white" if clipped else "black")
        text.set_text(label)


class LossPairArtists(NamedTuple):
    """What :func:`plot_mse_and_nll` draws: the two curves and the markers of each curve's
    minimum."""

    mse: Line2D
    nll: Line2D
    mse_min: Line2D
    nll_min: Line2D


def plot_mse_and_nll(ax: Axes, theta, mse, nll, *,
                     xlabel: str = r"parameter $\theta$") -> LossPairArtists:
    r"""MSE and Gaussian NLL per example against a parameter θ on one axis, each with its
    minimum marked: the same θ when the NLL is an increasing affine function of the MSE."""
    c = LIKELIHOOD_COLORS
    theta = np.asarray(theta, dtype=np.float64)
    mse = np.asarray(mse, dtype=np.float64)
    nll = np.asarray(nll, dtype=np.float64)
    (l_mse,) = ax.plot(theta, mse, color=c["mse"], linewidth=2.0, label="MSE")
    (l_nll,) = ax.plot(theta, nll, color=c["nll"], linewidth=2.0,
                       label="Gaussian NLL per example")
    i, j = int(np.argmin(mse)), int(np.argmin(nll))
    (m1,) = ax.plot([theta[i]], [mse[i]], "o", color=c["mse"], markersize=9,
                    label="minimum of the MSE")
    (m2,) = ax.plot([theta[j]], [nll[j]], "x", color=c["nll"], markersize=11,
                    markeredgewidth=2.5, label="minimum of the NLL")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("loss")
    ax.grid(True, alpha=0.3)
    return LossPairArtists(l_mse, l_nll, m1, m2)


def plot_nll_against_mse(ax: Axes, mse, nll, *, color: str | None = None,
                         label: str | None = None) -> Line2D:
    r"""The NLL against the MSE, one point per parameter value: a straight line
    :math:`\frac{1}{2\sigma^2}\mathrm{MSE} + \log\sigma + \frac12\log 2\pi` for a fixed σ."""
    mse = np.asarray(mse, dtype=np.float64)
    order = np.argsort(mse)
    (line,) = ax.plot(mse[order], np.asarray(nll, dtype=np.float64)[order],
                      color=color or LIKELIHOOD_COLORS["nll"], linewidth=1.8, label=label)
    ax.set_xlabel("MSE")
    ax.set_ylabel("Gaussian NLL per example")
    ax.grid(True, alpha=0.3)
    return line


class ConsistencyArtists(NamedTuple):
    """What :func:`plot_running_estimates` draws: the paths (a list of lines), the lines at
    :math:`\\theta \\pm \\varepsilon`, the vertical line at the current :math:`m` and the line
    at the true θ."""

    paths: list
    band: tuple
    current: Line2D
    true: Line2D


def plot_running_estimates(ax: Axes, paths, theta: float, eps: float, *, current: int = 1,
                           ylim=None) -> ConsistencyArtists:
    r"""Running MLEs :math:`\hat\theta_m` of several runs against :math:`m` (log :math:`x`),
    the true θ and the band :math:`\theta \pm \varepsilon`. ``paths`` ``(runs, m_max)``."""
    paths = np.asarray(paths, dtype=np.float64)
    m = np.arange(1, paths.shape[1] + 1)
    lines = [ax.plot(m, row, color="#0072B2", linewidth=0.7, alpha=0.35)[0] for row in paths]
    true = ax.axhline(theta, color="#000000", linewidth=1.4, label=r"true $\theta$")
    band = (ax.axhline(theta - eps, color="#D55E00", linestyle="--", linewidth=1.2,
                       label=r"$\theta \pm \varepsilon$"),
            ax.axhline(theta + eps, color="#D55E00", linestyle="--", linewidth=1.2))
    cur = ax.axvline(current, color="#555555", linewidth=1.0, linestyle=":")
    ax.set_xscale("log")
    ax.set_xlim(1, m[-1])
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_xlabel("number of examples $m$")
    ax.set_ylabel(r"MLE $\hat\theta_m$")
    ax.grid(True, which="major", alpha=0.3)
    return ConsistencyArtists(lines, band, cur, true)


def plot_deviation_probability(ax: Axes, m, measured, theory=None, *,
                               theory_label: str = "exact") -> tuple[Line2D, Line2D | None,
                                                                     Line2D]:
    r""":math:`P(|\hat\theta_m - \theta| > \varepsilon)` against :math:`m` (log :math:`x`):
    measured (solid), a theory curve or bound (dashed) and a marker for the current
    :math:`m`. Returns ``(measured, theory, current)``."""
    m = np.asarray(m, dtype=np.float64)
    (meas,) = ax.plot(m, measured, color="#0072B2", linewidth=1.6, label="measured")
    th = None
    if theory is not None:
        (th,) = ax.plot(m, theory, color="#000000", linestyle="--", linewidth=1.2,
                        label=theory_label)
    (cur,) = ax.plot([], [], "o", color="#D55E00", markersize=8, zorder=4)
    ax.set_xscale("log")
    ax.set_xlim(1, m[-1])
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("number of examples $m$")
    ax.set_ylabel(r"$P(|\hat\theta_m - \theta| > \varepsilon)$")
    ax.grid(True, which="major", alpha=0.3)
    return meas, th, cur


def plot_efficiency(ax_var: Axes, ax_eff: Axes, eff, m_exact=None, var_exact=None,
                    sigma2: float = 1.0) -> None:
    r"""Left: :math:`m \cdot \operatorname{Var}` of the sample mean and median (measured, ±2
    SE) with the Cramér–Rao bound :math:`m \cdot \sigma^2/m = \sigma^2` and the median's exact
    variance; right: the efficiency :math:`\frac{\sigma^2/m}{\operatorname{Var}}` with the
    asymptote :math:`2/\pi`. ``eff`` an :class:`npfl_helpers.estimators.Efficiency`."""
    c = LIKELIHOOD_COLORS
    m = np.asarray(eff.m, dtype=np.float64)
    se = math.sqrt(2.0 / (eff.runs - 1))  # relative standard error of a measured variance
    for name, var in (("mean", eff.var_mean), ("median", eff.var_median)):
        ax_var.errorbar(m, m * var, yerr=2 * se * m * var, fmt="o", color=c[name],
                        markersize=5, capsize=2, label=f"sample {name} (measured)")
        ax_eff.errorbar(m, eff.bound / var, yerr=2 * se * eff.bound / var, fmt="o",
                        color=c[name], markersize=5, capsize=2, label=f"sample {name}")
    ax_var.axhline(sigma2, color=c["bound"], linewidth=1.4,
                   label=r"Cramér–Rao bound $\sigma^2/m$ (times $m$)")
    ax_var.axhline(math.pi / 2 * sigma2, color=c["median"], linestyle=":", linewidth=1.2,
                   label=r"$\frac{\pi}{2}\sigma^2$ (median, $m \to \infty$)")
    if m_exact is not None:
        m_exact = np.asarray(m_exact, dtype=np.float64)
        var_exact = np.asarray(var_exact, dtype=np.float64)
        ax_var.plot(m_exact, m_exact * var_exact, color=c["median"], linewidth=1.2,
                    label="median, exact")
        ax_eff.plot(m_exact, sigma2 / m_exact / var_exact, color=c["median"], linewidth=1.2,
                    label="median, exact")
    ax_eff.axhline(1.0, color=c["bound"], linewidth=1.4, label="attains the bound")
    ax_eff.axhline(2 / math.pi, color=c["median"], linestyle=":", linewidth=1.2,
                   label=r"$2/\pi \approx 0.637$")
    for ax in (ax_var, ax_eff):
        ax.set_xscale("log")
        ax.set_xlabel("sample size $m$ (odd)")
        ax.grid(True, which="major", alpha=0.3)
    ax_var.set_ylabel(r"$m \cdot \mathrm{Var}$")
    ax_eff.set_ylabel(r"efficiency $\frac{\sigma^2/m}{\mathrm{Var}}$")


def plot_log_likelihood_contours(ax: Axes, mu, sigma2, loglik, *, mle=None, others=None,
                                 n_levels: int = 25):
    r"""Contours of a log-likelihood over a grid of :math:`(\mu, \sigma^2)`
    (``loglik`` of shape ``(len(sigma2), len(mu))``), the maximum ``mle`` as a star and
    ``others`` (dict label → (μ, σ²)) as points. Returns the ContourSet."""
    mu = np.asarray(mu, dtype=np.float64)
    sigma2 = np.asarray(sigma2, dtype=np.float64)
    ll = np.asarray(loglik, dtype=np.float64)
    top = float(np.max(ll))
    levels = top - np.geomspace(0.05, max(top - float(np.min(ll)), 0.1), n_levels)[::-1]
    cs = ax.contour(mu, sigma2, ll, levels=levels, cmap="viridis_r", linewidths=0.9)
    if mle is not None:
        ax.plot(*mle, marker="*", markersize=17, color="#F0E442", markeredgecolor="black",
                linestyle="none", zorder=4, label="maximum (MLE)")
    markers = ("o", "s", "^", "D")
    for k, (label, point) in enumerate((others or {}).items()):
        ax.plot(*point, marker=markers[k % len(markers)], markersize=8, color="#D55E00",
                markeredgecolor="white", linestyle="none", zorder=5, label=label)
    ax.set_xlabel(r"$\mu$")
    ax.set_ylabel(r"$\sigma^2$")
    ax.grid(True, alpha=0.3)
    return cs
