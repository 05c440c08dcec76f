r"""Figures of notebook 07 about the choice of hyperparameters (re-exported by
:mod:`npfl_helpers.plots.momentum`): gradient descent's contraction per step against the learning
rate α (:func:`plot_gd_rate`) and the (α, β) phase diagram of momentum or Nesterov
(:func:`plot_phase_diagram`, its colours :func:`phase_colormap`, :data:`PHASE_DIVERGED`,
:data:`PHASE_GREW`). The grid of runs and the stability edge are computed in
:mod:`npfl_helpers.quadratic_theory`.
"""

from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib import colors as mcolors
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .. import quadratic_theory as qt

# No __all__: these names are exported once, by the topic module plots.momentum, which imports
# them by name and lists them in its __all__.


def plot_gd_rate(ax: Axes, lambda_min: float, lambda_max: float, lrs=None) -> list[Line2D]:
    r"""Gradient descent's contraction per step on a quadratic against the learning rate α.

    The factors :math:`|1 - \alpha\lambda_{\min}|`, :math:`|1 - \alpha\lambda_{\max}|` (grey)
    and the rate :math:`\rho(\alpha)` = their maximum (black), with the best
    :math:`\alpha = 2/(\lambda_{\min}+\lambda_{\max})` and the stability limit
    :math:`2/\lambda_{\max}` marked. ``lrs`` defaults to 500 values up to
    :math:`2.3/\lambda_{\max}`. The curves are
    :func:`~npfl_helpers.quadratic_theory.gd_rate_curves`. Returns the three curves.
    """
    a = np.linspace(0.001, 2.3 / lambda_max, 500) if lrs is None else np.asarray(lrs, float)
    slow, fast, rate = qt.gd_rate_curves(a, lambda_min, lambda_max)
    lines = ax.plot(a, slow, color="#999999", ls="--", label=r"$|1-\alpha\lambda_{\min}|$")
    lines += ax.plot(a, fast, color="#999999", ls=":", label=r"$|1-\alpha\lambda_{\max}|$")
    lines += ax.plot(a, rate, color="black", label=r"$\rho(\alpha)$")
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
