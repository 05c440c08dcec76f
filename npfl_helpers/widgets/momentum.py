r"""Explorers of notebook 07 (SGD, momentum, Nesterov): paths on an ill-conditioned quadratic,
where in the (α, β) plane momentum converges, one eigendirection at a time, and noisy gradients.

================================  ==========================================================
explorer                          what it shows
================================  ==========================================================
:func:`momentum_explorer`         gradient descent, momentum and Nesterov with one α and β
                                  on the quadratic with condition number κ
:func:`phase_diagram_explorer`    :math:`J(\theta_T)/J(\theta_0)` over a grid of (α, β) for
                                  momentum and Nesterov, with the heavy-ball optimum
:func:`eigendirection_explorer`   the error, the roots of the 2×2 iteration and the rate
                                  against β of the slowest and the fastest direction
:func:`noisy_momentum_explorer`   SGD and momentum with noisy gradients: their noise floors
================================  ==========================================================

The last two live in ``widgets/_momentum_eigen.py`` and are re-exported here.

The theory they show (the heavy-ball optimum, the phase diagram as one broadcast run) is in
:mod:`npfl_helpers.quadratic_theory`.

>>> ex = momentum_explorer()
>>> ex.controls["beta"].value = 0.0          # momentum with β = 0 is gradient descent
>>> bool(np.allclose(ex.paths["sgd"].line.get_xydata(), ex.paths["momentum"].line.get_xydata()))
True
"""

from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib import colors as mcolors
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .. import surfaces
from ..plots import label_for, sci_text
from ..quadratic_theory import grid_centres, heavy_ball_optimum, phase_diagram
from ..trajectories import first_step_below
from ._axes import layout_engine
from ._base import Explorer, explorer_figure
from ._controls import Controls
from ._momentum_eigen import eigendirection_explorer, noisy_momentum_explorer
from ._paths import PathsExplorer

__all__ = ["eigendirection_explorer", "momentum_explorer", "noisy_momentum_explorer",
           "phase_diagram_explorer"]

_c = Controls(width="310px", label_width="84px")


# ----------------------------------------------------------------------------------------------
# momentum_explorer


class _MomentumExplorer(PathsExplorer):
    _NAMES3 = ("sgd", "momentum", "nesterov")
    _TOL = 1e-6
    _fixed_loss_axis = True

    def __init__(self):
        fig = self._build(self._NAMES3)
        c = {
            "lr": _c.log_slider("α", 0.01, 1e-4, 2.0, step=0.01),  # α* is reachable
            "beta": _c.float_slider("β", 0.9, 0.0, 0.99, 0.01),
            "kappa": _c.log_slider("κ", 100.0, 1.0, 1000.0),
            "steps": _c.int_slider("steps", 150, 10, 500, 10),
        }
        self.ax_l.axhline(self._TOL, color="#999999", linewidth=0.8, linestyle=":")
        super().__init__(fig, c, [["lr", "beta"], ["kappa", "steps"]])

    def refresh(self) -> None:
        c = self.controls
        kappa = float(c["kappa"].value)
        self._set_surface(kappa, surfaces.quadratic(kappa=kappa))
        lr, beta, steps = float(c["lr"].value), float(c["beta"].value), int(c["steps"].value)
        theta0 = self.surface.start
        runs = {"sgd": self._run("sgd", {"lr": lr}, theta0, steps)}
        for n in ("momentum", "nesterov"):
            runs[n] = self._run(n, {"lr": lr, "beta": beta}, theta0, steps)
        self._show(runs, steps)

    def _finding(self, runs, steps) -> str:
        a, b = heavy_ball_optimum(*self.surface.lambdas)
        parts = []
        for n in self._NAMES3:
            t = first_step_below(runs[n].losses, self._TOL)
            if runs[n].diverged:
                parts.append(f"{label_for(n)} diverges")
            else:
                parts.append(f"{label_for(n)} {t if t is not None else f'> {steps}'}")
        return (r"steps to $J < 10^{-6}$: " + ", ".join(parts)
                + rf"   (best heavy ball: $\alpha^*$ = {a:.3g}, $\beta^*$ = {b:.3g})")


def momentum_explorer() -> Explorer:
    r"""Gradient descent, momentum and Nesterov on the ill-conditioned quadratic.

    One α and one β for all three (β does not affect gradient descent); κ is the condition
    number :math:`\lambda_n / \lambda_1` of :math:`J(\theta) = \tfrac12\theta^\top A\theta`.
    The title counts the steps each method needs to reach :math:`J < 10^{-6}` and gives the
    heavy-ball optimum :math:`(\alpha^*, \beta^*)` to try
    (see :func:`~npfl_helpers.quadratic_theory.heavy_ball_optimum`).
    """
    return _MomentumExplorer()


# ----------------------------------------------------------------------------------------------
# phase_diagram_explorer

_PHASE_LRS = np.geomspace(1e-4, 10.0, 65)  # cell edges in α (log)
_PHASE_BETAS = np.linspace(0.0, 0.99, 45)  # cell edges in β


class _PhaseExplorer(Explorer):
    _VMIN, _VMAX = 1e-16, 1.0
    _DIVERGED = "#CC79A7"
    _GREW = "#BBBBBB"

    def __init__(self):
        fig = explorer_figure((9.4, 4.4), layout=layout_engine())
        self.figure = fig
        self.axes = fig.subplots(1, 2, sharey=True)
        viridis = matplotlib.colormaps["viridis"]
        cmap = viridis.with_extremes(bad=self._DIVERGED, over=self._GREW, under=viridis(0.0))
        self.norm = mcolors.LogNorm(self._VMIN, self._VMAX)
        self.lrs, self.betas = grid_centres(_PHASE_LRS, log=True), grid_centres(_PHASE_BETAS)
        blank = np.full((self.betas.size, self.lrs.size), 0.5)
        self.meshes, self.stars, self.bests = {}, {}, {}
        for ax, name in zip(self.axes, ("momentum", "nesterov"), strict=True):
            self.meshes[name] = ax.pcolormesh(_PHASE_LRS, _PHASE_BETAS, blank, cmap=cmap,
                                              norm=self.norm, shading="flat")
            (self.stars[name],) = ax.plot([], [], linestyle="none", marker="*", markersize=14,
                                          markerfacecolor="white", markeredgecolor="black",
                                          label=r"heavy-ball optimum $(\alpha^*, \beta^*)$")
            (self.bests[name],) = ax.plot([], [], linestyle="none", marker="o", markersize=9,
                                          markerfacecolor="none", markeredgecolor="white",
                                          markeredgewidth=1.6, label="best cell")
            ax.set_xscale("log")
            ax.set_xlim(_PHASE_LRS[0], _PHASE_LRS[-1])
            ax.set_ylim(_PHASE_BETAS[0], _PHASE_BETAS[-1])
            ax.set_xlabel(r"learning rate $\alpha$")
            ax.set_title(label_for(name), fontsize=10)
        self.axes[0].set_ylabel(r"momentum $\beta$")
        for name in ("momentum", "nesterov"):
            self.animate(self.meshes[name], self.stars[name], self.bests[name])
        self.title_text = self.title(10.5)
        cbar = fig.colorbar(self.meshes["nesterov"], ax=list(self.axes), extend="both",
                            label=r"$J(\theta_T)\, /\, J(\theta_0)$")
        cbar.ax.tick_params(labelsize=8)
        best = Line2D([], [], linestyle="none", marker="o", markersize=9, markerfacecolor="none",
                      markeredgecolor="black", markeredgewidth=1.6, label="best cell")
        handles = [self.stars["momentum"], best,
                   Patch(facecolor=self._DIVERGED, label=r"diverged: $\|\theta\|$ passed $10^6$"),
                   Patch(facecolor=self._GREW, label=r"grew, $\|\theta\| < 10^6$")]
        # below the panels: inside them, the animated meshes would be drawn over it
        fig.legend(handles=handles, loc="outside lower center", ncol=4, fontsize=8,
                   frameon=False)
        c = {"kappa": _c.log_slider("κ", 100.0, 1.0, 1000.0),
             "steps": _c.int_slider("steps T", 100, 10, 300, 10)}
        self.data = {}
        super().__init__(fig, c, [["kappa", "steps"]])

    def refresh(self) -> None:
        kappa = float(self.controls["kappa"].value)
        steps = int(self.controls["steps"].value)
        a_star, b_star = heavy_ball_optimum(1.0, kappa)
        for name in ("momentum", "nesterov"):
            ratio, div = self.cached((name, kappa, steps), lambda n=name: phase_diagram(
                n, kappa, steps, self.lrs, self.betas))
            self.data[name] = (ratio, div)
            shown = np.where(div, np.nan, np.maximum(ratio, self._VMIN * 1e-3))
            self.meshes[name].set_array(np.ma.masked_invalid(shown.T))
            self.stars[name].set_data([a_star], [b_star])
            with np.errstate(invalid="ignore"):
                i, j = np.unravel_index(np.argmin(np.where(div, np.inf, ratio)), ratio.shape)
            self.bests[name].set_data([self.lrs[i]], [self.betas[j]])
        self.title_text.set_text(self._finding(kappa, steps, a_star, b_star))


    def _finding(self, kappa, steps, a_star, b_star) -> str:
        """Where momentum's best cell lies: near the heavy-ball optimum (the star) or not."""
        ratio, div = self.data["momentum"]
        head = rf"$\kappa$ = {kappa:.4g}, T = {steps}: "
        optimum = rf"$\alpha^*$ = {a_star:.2g}, $\beta^*$ = {b_star:.2f}"
        tail = "; large $\\alpha$ diverges" if div.any() else ""
        if div.all():
            return head + "momentum diverges everywhere" + tail
        best = float(np.min(ratio[~div]))
        near = ((np.abs(np.log10(self.lrs / a_star)) <= 0.15)[:, None]
                & (np.abs(self.betas - b_star) <= 0.1)[None, :] & ~div)
        if near.any() and np.min(ratio[near]) <= best:  # (ties: J(θ_T) underflows to 0)
            return (head + f"momentum is fastest near {optimum} (best cell: $J_T/J_0$ = "
                    f"{sci_text(best)})" + tail)
        return (head + f"momentum's best cell (○, $J_T/J_0$ = {sci_text(best)}) is not yet at "
                f"{optimum} (☆)" + tail)


def phase_diagram_explorer() -> Explorer:
    r"""Where momentum and Nesterov converge: final loss over a grid of (α, β).

    Two panels (momentum, Nesterov) colour each cell by :math:`J(\theta_T) / J(\theta_0)` after T
    steps on the quadratic with condition number κ (log colour scale; diverged cells in their
    own colour). Each panel is one ``optim.run`` call with broadcast hyperparameters
    (see :func:`~npfl_helpers.quadratic_theory.phase_diagram`). The star marks the heavy-ball
    optimum for eigenvalues :math:`\lambda_1 \le \dots \le \lambda_n` (here
    :math:`\lambda_1 = 1`, :math:`\lambda_n = \kappa`):

    .. math::
        \alpha^* = \Bigl(\frac{2}{\sqrt{\lambda_1} + \sqrt{\lambda_n}}\Bigr)^2, \qquad
        \beta^* = \Bigl(\frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}\Bigr)^2;

    the circle marks the best cell of the grid.
    """
    return _PhaseExplorer()
