r"""The explorers of notebook 07 that look at one eigendirection at a time (re-exported by
:mod:`npfl_helpers.widgets.momentum`).

=================================  ==========================================================
explorer                           what it shows
=================================  ==========================================================
:func:`eigendirection_explorer`    the error along the slowest and the fastest direction, the
                                   roots of each direction's 2×2 iteration, the rate against
                                   β with critical damping marked
:func:`noisy_momentum_explorer`    SGD and momentum on noisy gradients: mean loss of many
                                   runs, the predicted floors, the floor against β
=================================  ==========================================================

The theory is in :mod:`npfl_helpers.quadratic_theory`, the figures in
:mod:`npfl_helpers.plots` (``plot_direction_errors``, ``plot_roots``, ``plot_rate_vs_beta``,
``plot_noise_floor_vs_beta``).
"""

from __future__ import annotations

import numpy as np

from .. import quadratic_theory as qt
from ..plots import (
    DIRECTION_COLORS,
    OPTIMIZER_COLORS,
    label_for,
    plot_direction_errors,
    plot_noise_floor_vs_beta,
    plot_rate_vs_beta,
    plot_roots,
    update_direction_errors,
    update_noise_floor_vs_beta,
    update_rate_vs_beta,
    update_roots,
)
from ._axes import layout_engine, light_log_axis
from ._base import Explorer, explorer_figure
from ._controls import Controls

__all__ = ["eigendirection_explorer", "noisy_momentum_explorer"]

_c = Controls(width="300px", label_width="70px")
_U0 = np.array([-1.6, 0.9])  # the start of surfaces.quadratic, in its eigendirections


def _num(x: float) -> str:
    """A positive number with two significant digits, in plain text."""
    return f"{x:.2g}"


# ----------------------------------------------------------------------------------------------
# eigendirection_explorer


class _EigenExplorer(Explorer):
    def __init__(self):
        fig = explorer_figure((9.6, 3.9), layout=layout_engine(0.9))
        self.figure = fig
        self.ax_u, self.ax_r, self.ax_b = fig.subplots(
            1, 3, gridspec_kw={"width_ratios": [1.25, 1.0, 1.1]})
        lam = np.array([1.0, 100.0])
        u = qt.direction_errors("momentum", 0.01, 0.9, lam, _U0, 10)
        self.u_lines = plot_direction_errors(self.ax_u, u, lam, labels=["slowest", "fastest"])
        self.ax_u.legend(loc="lower left", fontsize=8)
        self.ax_u.set_title("error along each direction", fontsize=9)
        self.ax_u.set_ylim(1e-12, 1e3)  # fixed: an update redraws only the curves
        light_log_axis(self.ax_u.yaxis)
        self.roots = plot_roots(self.ax_r, "momentum", 0.01, 0.9, lam)
        self.ax_r.set_title("roots $r$ of the iteration", fontsize=9)
        self.rates = plot_rate_vs_beta(self.ax_b, "momentum", 0.01, 0.9, lam,
                                       labels=["slowest", "fastest"])
        self.ax_b.set_ylabel(r"$\max|r|$ per step")
        # lower right: momentum's rate is at least √β there (> 0.77 for β > 0.6), no curve
        self.ax_b.legend(loc="lower right", fontsize=7)
        self.animate(*self.u_lines, *[ln for pair in self.roots.locus for ln in pair],
                     *self.roots.roots, *self.rates.curves, self.rates.overall,
                     *self.rates.critical, self.rates.current)
        self.animate_text(self.ax_b.title)
        self.title_text = self.title(9.5)
        c = {"method": _c.toggle("method", "momentum", [("momentum", "momentum"),
                                                         ("Nesterov", "nesterov")]),
             "lr": _c.log_slider("α", 0.01, 1e-4, 2.0, step=0.01),  # fine: α* is reachable
             "beta": _c.float_slider("β", 0.9, 0.0, 0.99, 0.01),
             "kappa": _c.log_slider("κ", 100.0, 1.0, 1000.0),
             "steps": _c.int_slider("steps", 150, 10, 500, 10)}
        self.data = {}
        super().__init__(fig, c, [["method", "lr", "beta"], ["kappa", "steps"]])

    def refresh(self) -> None:
        c = self.controls
        name, lr, beta = c["method"].value, float(c["lr"].value), float(c["beta"].value)
        kappa, steps = float(c["kappa"].value), int(c["steps"].value)
        lam = np.array([1.0, kappa])
        u = qt.direction_errors(name, lr, beta, lam, _U0, steps)
        update_direction_errors(self.u_lines, u)
        self.ax_u.set_xlim(0, steps)
        update_roots(self.roots, name, lr, beta, lam)
        update_rate_vs_beta(self.rates, name, lr, beta, lam)
        crit = qt.critical_beta(name, lr, lam)
        regimes = [qt.direction_regime(name, lr, beta, x) for x in lam]
        rates = np.abs(qt.iteration_eigenvalues(name, lr, beta, lam)).max(axis=-1)
        self.data = {"u": u, "critical": crit, "regimes": regimes, "rates": rates}
        self.ax_b.set_title("critical β (dots): " + ", ".join(
            "none" if not np.isfinite(b) else f"{b:.3g}" for b in crit), fontsize=9)
        parts = [f"λ = {x:g}: {r} (|r| = {q:.3g})" for x, r, q in
                 zip(lam, regimes, rates, strict=True)]
        tail = "diverges" if rates.max() >= 1 else f"error × {rates.max():.3g} per step"
        self.title_text.set_text(f"{label_for(name)}, α = {lr:.3g}, β = {beta:.2f}:  "
                                 + ";  ".join(parts) + f"  →  {tail}")


def eigendirection_explorer() -> Explorer:
    r"""Momentum (or Nesterov) one eigendirection at a time, on the quadratic with eigenvalues
    :math:`\lambda_{\min} = 1` and :math:`\lambda_{\max} = \kappa`.

    Left: the error :math:`|u_t|` along the slowest and the fastest direction (from the start of
    ``surfaces.quadratic``). Middle: the roots :math:`r_1, r_2` of each direction's 2×2
    iteration in the complex plane, with their paths as β runs from 0 to 1 and the unit circle.
    Right: each direction's rate :math:`\max|r|` against β at this α, with its critical β (the
    dot: overdamped left of it, underdamped right of it). The title names each direction's
    regime and the overall rate.
    """
    return _EigenExplorer()


# ----------------------------------------------------------------------------------------------
# noisy_momentum_explorer

_RUNS, _MAX_STEPS, _SIGMA = 100, 600, 1.0
# A floor is predicted for every α below the stability limit (it grows without bound there); the
# tolerance only keeps the slider's top, 10**log10(0.3) = 0.29999999999999993, from counting as
# below the limit 0.3 of momentum with β = 0.5. Whether the runs have reached the floor is
# decided separately (``quadratic_theory.transient_loss``) before a measured floor is shown.
_SETTLES = 1 - 1e-9


class _NoisyExplorer(Explorer):
    _KEYS = ("sgd", "momentum", "effective")

    def __init__(self):
        fig = explorer_figure((9.4, 4.0), layout=layout_engine(0.9))
        self.figure = fig
        self.ax_l, self.ax_f = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.3, 1.0]})
        self.xi = np.random.default_rng(0).normal(size=(_MAX_STEPS, _RUNS, 2))  # drawn once
        mom = OPTIMIZER_COLORS["momentum"]
        colors = {"sgd": OPTIMIZER_COLORS["sgd"], "momentum": mom, "effective": DIRECTION_COLORS[0]}
        labels = {"sgd": r"SGD, $\alpha$", "momentum": r"momentum, $\alpha$, $\beta$",
                  "effective": r"momentum, $\alpha(1-\beta)$, $\beta$"}
        self.curves, self.floors = {}, {}
        for k in self._KEYS:
            (self.curves[k],) = self.ax_l.plot([0, 1], [1, 1], color=colors[k], lw=1.3,
                                               label=labels[k])
            (self.floors[k],) = self.ax_l.plot([0, 1], [1, 1], color=colors[k], lw=1.0, ls="--")
        self.ax_l.set_yscale("log")
        self.ax_l.set_ylim(1e-4, 1e2)  # fixed: from below the lowest floor to above J(θ₀)
        light_log_axis(self.ax_l.yaxis)
        self.ax_l.set(xlabel="step $t$", ylabel=f"mean $J(\\theta_t)$ over {_RUNS} runs")
        self.ax_l.grid(True, which="major", alpha=0.3)
        # lower left: every run starts at J(θ₀) ≈ 5 and needs many steps to get that low
        self.ax_l.legend(loc="lower left", fontsize=7.5, title="dashed: predicted floors",
                         title_fontsize=7.5)
        self.floor_lines = plot_noise_floor_vs_beta(self.ax_f, 0.01, 0.9, _SIGMA, [1.0, 10.0])
        (self.measured,) = self.ax_f.plot([], [], linestyle="none", marker="o", ms=6,
                                          mfc="white", mec="black", label="measured (left)")
        self.ax_f.legend(loc="upper left", fontsize=7)
        self.ax_f.set_ylim(1e-4, 1e2)  # fixed: every floor of the sliders' range
        light_log_axis(self.ax_f.yaxis)
        self.animate(*self.curves.values(), *self.floors.values(), *self.floor_lines,
                     self.measured)
        self.title_text = self.title(9.5)
        c = {"lr": _c.log_slider("α", 0.01, 1e-3, 0.3),
             "beta": _c.float_slider("β", 0.9, 0.0, 0.99, 0.01),
             "kappa": _c.log_slider("κ", 10.0, 1.0, 100.0),
             "steps": _c.int_slider("steps", 500, 100, _MAX_STEPS, 50)}
        self.data = {}
        super().__init__(fig, c, [["lr", "beta"], ["kappa", "steps"]])

    def refresh(self) -> None:
        c = self.controls
        lr, beta = float(c["lr"].value), float(c["beta"].value)
        kappa, steps = float(c["kappa"].value), int(c["steps"].value)
        lam = np.array([1.0, kappa])
        lrs = np.array([lr, lr, lr * (1 - beta)])[:, None]
        betas = np.array([0.0, beta, beta])[:, None]
        loss = self.cached((lr, beta, kappa, steps),
                           lambda: self._mean_loss(lrs, betas, lam, steps))
        t = np.arange(steps + 1)
        tail = max(steps // 4, 1)
        start = 0.5 * lam * _U0**2  # J(θ₀), direction by direction
        predicted, measured = {}, {}
        for i, k in enumerate(self._KEYS):
            self.curves[k].set_data(t, loss[:, i])
            stable = lrs[i, 0] < _SETTLES * qt.stability_limit("momentum", betas[i, 0], kappa)
            predicted[k] = (qt.noise_floor(lrs[i, 0], _SIGMA, lam, beta=betas[i, 0])
                            if stable else np.nan)
            settled = stable and qt.transient_loss("momentum", lrs[i, 0], betas[i, 0], lam,
                                                   start, steps, tail) < 0.05 * predicted[k]
            measured[k] = float(loss[-tail:, i].mean()) if settled else np.nan
            self.floors[k].set_data([0, steps], [predicted[k]] * 2)
        self.data = {"loss": loss, "predicted": predicted, "measured": measured}
        self.ax_l.set_xlim(0, steps)
        update_noise_floor_vs_beta(self.floor_lines, lr, beta, _SIGMA, lam)
        self.measured.set_data([beta, beta], [measured["momentum"], measured["effective"]])
        self.title_text.set_text(self._finding(lr, beta, kappa, predicted))

    def _mean_loss(self, lrs, betas, lam, steps):
        """The mean loss over the runs, per step and setting: shape (steps + 1, 3)."""
        u = qt.direction_errors("momentum", lrs, betas, lam, _U0, steps,
                                noise=_SIGMA * self.xi[:steps])     # (steps + 1, 3, runs, 2)
        return (0.5 * lam * u**2).sum(axis=-1).mean(axis=-1)       # NaN once a run diverged

    @staticmethod
    def _finding(lr, beta, kappa, predicted) -> str:
        """The floors compared, as plain text (no mathtext: cheaper to draw on every update)."""
        sgd, mom, eff = (predicted[k] for k in _NoisyExplorer._KEYS)
        if not np.isfinite(mom):  # then α is past SGD's limit 2/λ_max too
            limit = qt.stability_limit("momentum", beta, kappa)
            tail = f"; with α(1−β) it stalls at {_num(eff)}" if np.isfinite(eff) else ""
            return (f"no floor for SGD nor momentum (β = {beta:.2f}): α is at or past "
                    f"2(1+β)/λ_max = {limit:.3g}" + tail)
        if not np.isfinite(sgd):
            limit = qt.stability_limit("momentum", 0.0, kappa)
            return (f"SGD has no floor (α is at or past 2/λ_max = {limit:.3g}); momentum "
                    f"(β = {beta:.2f}) stalls at {_num(mom)}, with α(1−β) at {_num(eff)}")
        return (f"floors: SGD {_num(sgd)}; momentum (β = {beta:.2f}) {_num(mom)}"
                f" = {mom / sgd:.3g}× (1/(1−β) = {1 / (1 - beta):.3g}); "
                f"with α(1−β): {_num(eff)} = {eff / sgd:.3g}×")


def noisy_momentum_explorer() -> Explorer:
    r"""SGD and momentum with noisy gradients :math:`A\theta + \sigma\xi` (σ = 1) on the
    quadratic with eigenvalues 1 and κ.

    Left: the mean loss over 100 runs (the same noise for every setting) of SGD with α, of
    momentum with α and β, and of momentum with :math:`\alpha(1 - \beta)` — the same effective
    rate :math:`\alpha/(1 - \beta)` as SGD — each with its predicted floor (dashed,
    :func:`~npfl_helpers.quadratic_theory.noise_floor`). Right: the floor against β
    (:func:`~npfl_helpers.plots.plot_noise_floor_vs_beta`), with the measured floors (mean of
    the last quarter of the steps, shown once the runs have settled there) as circles. The title
    compares the predicted floors.
    """
    return _NoisyExplorer()
