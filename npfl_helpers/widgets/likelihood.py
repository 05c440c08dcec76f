r"""The explorers of notebook 03 (maximum likelihood).

==================================  ==========================================================
explorer                            what it shows
==================================  ==========================================================
:func:`likelihood_chain_explorer`   a categorical model against the data's frequencies, and
                                    NLL = H(p̂, q) = H(p̂) + KL(p̂ ‖ q) as bars
:func:`gaussian_nll_explorer`       MSE and Gaussian NLL against θ as σ changes: one
                                    minimiser; the σ that fits best
:func:`consistency_explorer`        the MLE of a Bernoulli p or a Gaussian mean converging as
                                    m grows, over 2,000 runs at once
==================================  ==========================================================

The numbers come from :mod:`npfl_helpers.losses` (the Gaussian NLL of every θ or σ from the MSE:
:func:`~npfl_helpers.losses.gaussian_nll_from_mse`) and :mod:`npfl_helpers.estimators`; the
figures from :mod:`npfl_helpers.plots.likelihood`.

>>> ex = likelihood_chain_explorer()
>>> with ex.hold():
...     for k, p in enumerate(ex.p_hat):
...         ex.controls[f"w{k}"].value = round(float(p), 2)   # q = p̂_data
>>> round(ex.kl, 6)
0.0
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.ticker import MaxNLocator

from .._validate import check_int, check_rng
from ..estimators import (
    deviation_probability,
    empirical_distribution,
    exact_deviation_probability,
    running_mle,
)
from ..generalization import mean_squared_error
from ..losses import categorical_nll, entropy, gaussian_nll_from_mse, kl_divergence
from ..plots import (
    LIKELIHOOD_COLORS,
    plot_cross_entropy_bars,
    plot_deviation_probability,
    plot_distribution_bars,
    plot_mse_and_nll,
    plot_nll_against_mse,
    plot_running_estimates,
    sci_text,
    set_cross_entropy_bars,
)
from ..trajectories import nice_ceil
from ._axes import layout_engine, set_ylim_sticky
from ._base import Explorer, explorer_figure
from ._controls import Controls

__all__ = ["likelihood_chain_explorer", "gaussian_nll_explorer", "consistency_explorer"]

_c = Controls(width="300px", label_width="90px")


# ----------------------------------------------------------------------------------------------
# NLL = cross-entropy = entropy + KL


class LikelihoodChainExplorer(Explorer):
    """See :func:`likelihood_chain_explorer`."""

    P_DATA = (0.4, 0.3, 0.2, 0.1)
    YMAX = 4.0  # nats shown on the right panel; an infinite KL is clipped there

    def __init__(self, m: int = 50, seed=0):
        self.m = check_int("m", m, 1, 1_000_000)
        K = len(self.P_DATA)
        self.x = check_rng("seed", seed).choice(K, size=self.m, p=self.P_DATA)
        self.p_hat = empirical_distribution(self.x, K)
        self.entropy = entropy(self.p_hat)
        self.figure = fig = explorer_figure((11.0, 4.4), layout=layout_engine(0.9))
        ax_d, ax_h = fig.subplots(1, 2, width_ratios=(1.15, 1.0))
        self.bars = plot_distribution_bars(ax_d, self.p_hat, np.full(K, 1 / K), ymax=1.0)
        ax_d.legend(loc="upper right", fontsize=9)
        ax_d.set_title(rf"$m = {self.m}$ examples from $p_\mathrm{{data}}$ = "
                       f"{list(self.P_DATA)}", fontsize=10)
        self.ce = plot_cross_entropy_bars(ax_h, self.entropy, 0.0, self.entropy, ymax=self.YMAX)
        ax_h.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8.5)
        self.animate(*self.bars.model, self.ce.entropy, self.ce.kl, self.ce.nll, *self.ce.texts)
        self.title_text = self.title()
        controls = {f"w{k}": _c.float_slider(f"weight w{k}", 0.25, 0.0, 1.0, 0.01)
                    for k in range(K)}
        super().__init__(fig, controls, columns=[list(controls)])

    def refresh(self) -> None:
        w = np.array([float(self.controls[f"w{k}"].value) for k in range(len(self.p_hat))])
        total = w.sum()
        q = w / total if total > 0 else np.full(len(w), 1 / len(w))  # all weights 0: uniform
        self.q = q
        self.nll = categorical_nll(self.x, q)  # −(1/m) Σ log q(x_i), +∞ if some q(x_i) = 0
        self.kl = kl_divergence(self.p_hat, q)
        for bar, qk in zip(self.bars.model, q, strict=True):
            bar.set_height(qk)
        set_cross_entropy_bars(self.ce, self.entropy, self.kl, self.nll, ymax=self.YMAX)
        log_lik = -self.m * self.nll
        if math.isfinite(log_lik):
            mantissa_exp = log_lik / math.log(10.0)
            e = math.floor(mantissa_exp)
            product = rf"${10 ** (mantissa_exp - e):.2f}\times 10^{{{e}}}$"
            chain = f"−(1/m) log Π = {self.nll:.3f} = {self.entropy:.3f} + {self.kl:.3f}"
        else:
            product = "0"
            chain = "an observed class has q = 0: NLL and KL are infinite"
        self.title_text.set_text(f"Π q(xᵢ) = {product};   {chain}")


def likelihood_chain_explorer(m: int = 50, seed=0) -> LikelihoodChainExplorer:
    r"""A categorical model :math:`q` against :math:`m` examples from
    :math:`p_\text{data} = (0.4, 0.3, 0.2, 0.1)`, and the lecture's chain as numbers.

    Left: the class frequencies :math:`\hat p_\text{data}` and :math:`q`. Right:
    :math:`H(\hat p_\text{data})` with :math:`D_\text{KL}(\hat p_\text{data}\,\|\,q)` stacked on
    top, next to the NLL per example :math:`-\frac1m\sum_i\log q(x_i)` — equal heights for every
    :math:`q`; the likelihood :math:`\prod_i q(x_i)` in the title. Controls: the weights
    ``w0`` … ``w3`` in [0, 1]; :math:`q_k = w_k/\sum_j w_j` (uniform when all are 0). A weight
    0 on an observed class makes the NLL and the KL infinite (the bars are clipped).
    """
    return LikelihoodChainExplorer(m=m, seed=seed)


# ----------------------------------------------------------------------------------------------
# MSE against the Gaussian NLL


class GaussianNLLExplorer(Explorer):
    """See :func:`gaussian_nll_explorer`."""

    def __init__(self, m: int = 30, seed=0):
        m = check_int("m", m, 2, 1_000_000)
        rng = check_rng("seed", seed)
        self.x = rng.uniform(-1.0, 1.0, size=m)
        self.y = 1.5 * self.x + rng.normal(0.0, 0.5, size=m)
        self.theta = np.linspace(-1.0, 4.0, 201)
        self.mse = mean_squared_error(self.theta[:, None] * self.x, self.y)  # one per θ
        best = int(np.argmin(self.mse))
        self.mse_best = float(self.mse[best])
        self.sigmas = np.geomspace(0.1, 10.0, 201)
        self.profile = gaussian_nll_from_mse(self.mse_best, self.sigmas)

        self.figure = fig = explorer_figure((13.5, 4.4), layout=layout_engine(0.9))
        ax_t, ax_l, ax_s = fig.subplots(1, 3)
        self.pair = plot_mse_and_nll(ax_t, self.theta, self.mse,
                                     gaussian_nll_from_mse(self.mse, 1.0))
        ax_t.set_yscale("log")
        ax_t.set_ylim(0.1, 300.0)
        ax_t.legend(loc="upper center", fontsize=8)
        ax_t.set_title("both curves against θ (log scale)", fontsize=10)
        self.line = plot_nll_against_mse(ax_l, self.mse, gaussian_nll_from_mse(self.mse, 1.0))
        ax_l.set_xlim(0.0, float(self.mse.max()) * 1.02)
        self.ax_l = ax_l
        ax_l.yaxis.set_major_locator(MaxNLocator(5, steps=[1, 2, 5, 10]))  # few labels: cheap
        ax_l.set_ylim(0.0, 8.0)
        ax_l.set_title("NLL against MSE: a straight increasing line", fontsize=10)
        c = LIKELIHOOD_COLORS["nll"]
        ax_s.plot(self.sigmas, self.profile, color=c, linewidth=1.6,
                  label=r"NLL at $\theta^*$ against $\sigma$")
        sigma_hat = math.sqrt(self.mse_best)
        ax_s.axvline(sigma_hat, color="#555555", linestyle=":",
                     label=r"$\sigma = \sqrt{\mathrm{MSE}(\theta^*)}$")
        (self.here,) = ax_s.plot([], [], "o", color="#D55E00", markersize=9,
                                 label=r"current $\sigma$")
        ax_s.set_xscale("log")
        ax_s.set_ylim(0.0, 12.0)
        ax_s.set_xlabel(r"$\sigma$")
        ax_s.set_ylabel(r"NLL per example at $\theta^*$")
        ax_s.grid(True, which="major", alpha=0.3)
        ax_s.legend(loc="upper right", fontsize=8)
        ax_s.set_title(r"the best $\sigma$: its MLE", fontsize=10)
        self.animate(self.pair.nll, self.pair.nll_min, self.line, self.here)
        self.title_text = self.title()
        controls = {"sigma": _c.log_slider("σ", 1.0, 0.1, 10.0)}
        super().__init__(fig, controls)

    def relayout(self) -> None:
        """Lay out with room for the widest tick labels of the middle panel (3 digits)."""
        limits = self.ax_l.get_ylim()
        self.ax_l.set_ylim(0.0, 200.0)
        super().relayout()
        self.ax_l.set_ylim(*limits)

    def refresh(self) -> None:
        sigma = float(self.controls["sigma"].value)
        nll = gaussian_nll_from_mse(self.mse, sigma)  # per example, for every θ
        self.pair.nll.set_ydata(nll)
        j = int(np.argmin(nll))
        self.pair.nll_min.set_data([self.theta[j]], [nll[j]])
        order = np.argsort(self.mse)
        self.line.set_data(self.mse[order], nll[order])
        # the line's height grows like 1/σ² for small σ: limits that move only now and then
        set_ylim_sticky(self.ax_l, min(0.0, float(nll.min())), float(nll.max()), _from_zero)
        self.here.set_data([sigma], [nll[j]])
        shift = gaussian_nll_from_mse(0.0, sigma)  # log σ + ½ log 2π
        self.title_text.set_text(
            f"σ = {sigma:.3g}: NLL = MSE/{2 * sigma**2:.3g} {'+' if shift >= 0 else '−'} "
            f"{abs(shift):.3f}, smallest at θ = {self.theta[j]:.3f};  best σ = √MSE(θ*) = "
            f"{math.sqrt(self.mse_best):.3f}")


def _from_zero(lo: float, hi: float) -> tuple[float, float]:
    """Limits from ``min(lo, 0)`` to ``hi`` rounded up to 1, 2 or 5 times a power of ten."""
    return min(lo, 0.0), nice_ceil(hi)


def gaussian_nll_explorer(m: int = 30, seed=0) -> GaussianNLLExplorer:
    r"""The MSE and the Gaussian NLL of a regression :math:`\hat y = \theta x` as :math:`\sigma`
    changes.

    Data: :math:`m` points :math:`y = 1.5x + \mathcal N(0, 0.5^2)`. Left: MSE and NLL per
    example :math:`\frac{1}{2\sigma^2}\mathrm{MSE} + \log\sigma + \frac12\log 2\pi` against θ
    (log scale), with their minima — always at the same θ. Middle: the NLL against the MSE,
    one point per θ: a straight line of slope :math:`\frac{1}{2\sigma^2}`. Right: the NLL at
    the best :math:`\theta^*` against σ, smallest at :math:`\sigma^2 = \mathrm{MSE}(\theta^*)`
    (the MLE of the noise variance). Control: ``sigma`` (0.1–10, log).
    """
    return GaussianNLLExplorer(m=m, seed=seed)


# ----------------------------------------------------------------------------------------------
# consistency of the MLE


class ConsistencyExplorer(Explorer):
    """See :func:`consistency_explorer`."""

    #: family → (label, θ, σ, limits of θ̂ shown)
    FAMILIES = {
        "bernoulli": ("Bernoulli p = 0.3", 0.3, 1.0, (0.0, 1.0)),
        "gaussian": ("Gaussian μ = 0", 0.0, 1.0, (-2.5, 2.5)),  # σ = 1 known
    }
    M_MAX, RUNS, SHOWN, BINS = 1000, 2000, 40, 60

    def __init__(self, seed=0):
        check_rng("seed", seed)  # a bad seed is named here, before the experiments run
        self.paths = {f: running_mle(f, th, self.M_MAX, self.RUNS, sigma=s, seed=seed)
                      for f, (_, th, s, _) in self.FAMILIES.items()}
        self._exact: dict = {}
        self._measured: dict = {}
        self.m_values = np.arange(1, self.M_MAX + 1)
        self.figure = fig = explorer_figure((13.5, 4.4), layout=layout_engine(0.9))
        ax_p, ax_h, ax_d = fig.subplots(1, 3)
        first = self.paths["bernoulli"][:self.SHOWN]
        self.run_art = plot_running_estimates(ax_p, first, 0.3, 0.05, current=10,
                                              ylim=(0.0, 1.0))
        ax_p.legend(loc="upper right", fontsize=8)
        ax_p.set_title(f"{self.SHOWN} of {self.RUNS} runs", fontsize=10)
        self.hist = ax_h.stairs(np.zeros(self.BINS), np.linspace(0, 1, self.BINS + 1),
                                color="#0072B2", fill=True, alpha=0.6,
                                label=r"$\hat\theta_m$ over all runs")
        self.h_true = ax_h.axvline(0.3, color="#000000", linewidth=1.4)
        self.h_band = (ax_h.axvline(0.25, color="#D55E00", linestyle="--", linewidth=1.2),
                       ax_h.axvline(0.35, color="#D55E00", linestyle="--", linewidth=1.2))
        ax_h.set_xlim(0.0, 1.0)
        ax_h.set_ylim(0.0, 1.0)
        ax_h.set_xlabel(r"MLE $\hat\theta_m$")
        ax_h.set_ylabel("fraction of runs per bin")
        ax_h.grid(True, alpha=0.3)
        meas, theory, cur = plot_deviation_probability(ax_d, self.m_values,
                                                       np.zeros(self.M_MAX),
                                                       np.zeros(self.M_MAX))
        self.d_meas, self.d_theory, self.d_cur = meas, theory, cur
        ax_d.legend(loc="upper right", fontsize=8)
        self.ax_p, self.ax_h, self.ax_d = ax_p, ax_h, ax_d
        for ax in (ax_p, ax_h, ax_d):
            ax.set_autoscale_on(False)  # limits change only with the family
        self.animate(self.run_art.current, self.hist, self.h_band[0], self.h_band[1],
                     self.d_cur, self.d_meas, self.d_theory, *self.run_art.band, ax_h.title,
                     ax_d.title)
        self.title_text = self.title()
        self._family = "bernoulli"
        m_opts = np.unique(np.round(np.geomspace(1, self.M_MAX, 31)).astype(int))
        controls = {
            "family": _c.toggle("model", "bernoulli",
                                [(v[0], k) for k, v in self.FAMILIES.items()]),
            "m": _c.selection("examples m", 10, [int(v) for v in m_opts]),
            "eps": _c.float_slider("ε", 0.05, 0.01, 0.3, 0.01),
        }
        super().__init__(fig, controls, columns=[["family"], ["m", "eps"]])

    def probabilities(self, family: str, eps: float) -> tuple[np.ndarray, np.ndarray]:
        """:math:`P(|\\hat\\theta_m - \\theta| > \\varepsilon)` for every m, measured over the
        runs and exact; computed once per family and ε."""
        key = (family, round(eps, 6))
        if key not in self._exact:
            _, th, s, _ = self.FAMILIES[family]
            self._measured[key] = deviation_probability(self.paths[family], th, eps)
            self._exact[key] = exact_deviation_probability(family, th, self.m_values, eps,
                                                           sigma=s)
        return self._measured[key], self._exact[key]

    def _set_family(self, family: str) -> None:
        """New paths and limits for another family (static artists: a full redraw)."""
        _, th, _, (lo, hi) = self.FAMILIES[family]
        for line, row in zip(self.run_art.paths, self.paths[family][:self.SHOWN], strict=True):
            line.set_ydata(row)
        self.run_art.true.set_ydata([th, th])
        self.ax_p.set_ylim(lo, hi)
        self.ax_h.set_xlim(lo, hi)
        self.h_true.set_xdata([th, th])
        self._family = family
        self.invalidate()

    def refresh(self) -> None:
        family = self.controls["family"].value
        if family != self._family:
            self._set_family(family)
        _, th, _, (lo, hi) = self.FAMILIES[family]
        m = int(self.controls["m"].value)
        eps = float(self.controls["eps"].value)
        paths = self.paths[family]
        for line, level in zip(self.run_art.band, (th - eps, th + eps), strict=True):
            line.set_ydata([level, level])
        self.run_art.current.set_xdata([m, m])
        edges = np.linspace(lo, hi, self.BINS + 1)
        counts, _ = np.histogram(paths[:, m - 1], edges)
        self.hist.set_data(counts / self.RUNS, edges)
        for line, level in zip(self.h_band, (th - eps, th + eps), strict=True):
            line.set_xdata([level, level])
        measured, exact = self.probabilities(family, eps)
        self.d_meas.set_ydata(measured)
        self.d_theory.set_ydata(exact)
        self.d_cur.set_data([m], [measured[m - 1]])
        self.ax_h.set_title(rf"$m = {m}$: spread of $\hat\theta_m$ = "
                            f"{paths[:, m - 1].std():.3g}", fontsize=10)
        self.ax_d.set_title(rf"$P(|\hat\theta_m - \theta| > {eps:g})$", fontsize=10)
        self.title_text.set_text(
            f"m = {m}: {measured[m - 1]:.1%} of the runs miss θ by more than ε = {eps:g} "
            f"(exact {sci_text(exact[m - 1]) if exact[m - 1] else 0})")


def consistency_explorer(seed=0) -> ConsistencyExplorer:
    r"""Consistency of the MLE: :math:`P(|\hat\theta_m - \theta| > \varepsilon) \to 0`.

    2,000 runs of 1,000 examples each, drawn once per family at construction
    (:func:`~npfl_helpers.estimators.running_mle`): the MLE of a Bernoulli :math:`p = 0.3` or
    of a Gaussian mean (:math:`\mu = 0`, :math:`\sigma = 1`), both the running sample mean.
    Left: 40 runs' :math:`\hat\theta_m` against :math:`m` with the band
    :math:`\theta \pm \varepsilon`; middle: the histogram of :math:`\hat\theta_m` over all runs
    at the chosen :math:`m`; right: the fraction of runs outside the band against :math:`m`,
    with the exact probability (binomial sum or erfc, dashed).

    Controls: ``family``, ``m`` (1–1,000, roughly geometric), ``eps`` (0.01–0.3).
    """
    return ConsistencyExplorer(seed=seed)
