r"""Figures of notebook 07 that look at one eigendirection at a time (re-exported by
:mod:`npfl_helpers.plots.momentum`): the error along each direction, the roots of the 2×2
iteration in the complex plane, the rate against β with critical damping marked, and the noise
floor against β. What they draw is computed in :mod:`npfl_helpers.quadratic_theory`.

Each ``plot_*`` draws on an axes and returns its artists; the matching ``update_*`` sets their
data in place (for the explorers of :mod:`npfl_helpers.widgets.momentum`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from .. import quadratic_theory as qt
from ._style import OPTIMIZER_COLORS, sci_text

# No __all__: these names are exported once, by the topic module plots.momentum, which imports
# them by name and lists them in its __all__.


#: colours of the slowest and the fastest eigendirection (λ_min, λ_max) in every figure
DIRECTION_COLORS = ("#0072B2", "#D55E00")
_MOMENTUM = OPTIMIZER_COLORS["momentum"]
_FLOOR_U = 1e-16  # |u_t| below this (exact zeros) is drawn at this value on the log axis


def _direction_labels(lambdas) -> list[str]:
    lambdas = np.atleast_1d(lambdas)
    labels = [rf"$\lambda = {sci_text(lam, math=True)}$" for lam in lambdas]
    if lambdas.size > 1:
        labels[0] += " (slowest)"
        labels[-1] += " (fastest)"
    return labels


def _direction_colors(n: int, colors=None) -> list[str]:
    if colors is not None:
        return list(colors)
    if n <= 2:
        return list(DIRECTION_COLORS[:n]) if n == 2 else [DIRECTION_COLORS[0]]
    return [DIRECTION_COLORS[0], *["#999999"] * (n - 2), DIRECTION_COLORS[1]]


def plot_direction_errors(ax: Axes, u, lambdas, *, colors=None, labels=None,
                          linewidth: float = 1.6) -> list[Line2D]:
    r"""The error along each eigendirection, :math:`|u_t|` against the step, log :math:`y`.

    ``u`` has shape ``(steps + 1, n)`` (e.g.
    :func:`~npfl_helpers.quadratic_theory.direction_errors`), one column per eigenvalue of
    ``lambdas``. Exact zeros are drawn at :math:`10^{-16}`; a diverged direction (NaN) ends
    where it left. Returns the lines (update them with :func:`update_direction_errors`).
    """
    u = np.asarray(u, dtype=np.float64)
    n = u.shape[-1]
    labels = _direction_labels(lambdas) if labels is None else labels
    colors = _direction_colors(n, colors)
    lines = [ax.plot([], [], color=colors[i], lw=linewidth, label=labels[i])[0]
             for i in range(n)]
    update_direction_errors(lines, u)
    ax.relim()
    ax.autoscale_view()
    ax.set_yscale("log")
    ax.set(xlabel="step $t$", ylabel=r"error along the direction, $|u_t|$")
    ax.grid(True, which="major", alpha=0.3)
    return lines


def update_direction_errors(lines: Sequence[Line2D], u) -> None:
    """Set the lines of :func:`plot_direction_errors` to new errors ``u``, in place."""
    u = np.asarray(u, dtype=np.float64)
    t = np.arange(u.shape[0])
    with np.errstate(invalid="ignore"):
        shown = np.maximum(np.abs(u), _FLOOR_U)
    for i, line in enumerate(lines):
        line.set_data(t, shown[:, i])


_LOCUS_BETAS = np.linspace(0.0, 0.995, 400)


class RootArtists(NamedTuple):
    """What :func:`plot_roots` draws: per direction the two branches of the root locus (as β
    runs over [0, 1)) and the roots at the current β."""

    locus: list[tuple[Line2D, Line2D]]
    roots: list[Line2D]


def plot_roots(ax: Axes, name: str, lr: float, beta: float, lambdas, *,
               colors=None) -> RootArtists:
    r"""The eigenvalues :math:`r_1, r_2` of the 2×2 iteration of each direction, in the complex
    plane, with the unit circle (inside: the direction converges) and their paths as β runs from
    0 to 1 at this α (thin lines): real and apart (overdamped), meeting (critically damped), then
    complex on a circle (underdamped; for momentum of radius :math:`\sqrt\beta`). Current roots
    as dots. Update with :func:`update_roots`.
    """
    lambdas = np.atleast_1d(np.asarray(lambdas, dtype=np.float64))
    colors = _direction_colors(lambdas.size, colors)
    phi = np.linspace(0, 2 * np.pi, 200)
    ax.plot(np.cos(phi), np.sin(phi), color="#555555", lw=0.9)
    ax.axhline(0, color="#BBBBBB", lw=0.6)
    ax.axvline(0, color="#BBBBBB", lw=0.6)
    locus, dots = [], []
    for c in colors:
        pair = tuple(ax.plot([], [], color=c, lw=0.9, alpha=0.55)[0] for _ in range(2))
        locus.append(pair)
        dots += ax.plot([], [], linestyle="none", marker="o", ms=7, mfc=c, mec="white", mew=0.8,
                        zorder=5)
    artists = RootArtists(locus, dots)
    update_roots(artists, name, lr, beta, lambdas)
    ax.set_aspect("equal", adjustable="box")
    ax.set(xlim=(-1.35, 1.35), ylim=(-1.35, 1.35), xlabel=r"Re $r$", ylabel=r"Im $r$")
    return artists


def update_roots(artists: RootArtists, name: str, lr: float, beta: float, lambdas) -> None:
    """Set :func:`plot_roots`'s artists to a new α, β (and eigenvalues), in place."""
    lambdas = np.atleast_1d(np.asarray(lambdas, dtype=np.float64))
    locus = qt.root_branches(qt.iteration_eigenvalues(name, lr, _LOCUS_BETAS[:, None], lambdas))
    now = qt.iteration_eigenvalues(name, lr, beta, lambdas)
    for i, (pair, dot) in enumerate(zip(artists.locus, artists.roots, strict=True)):
        for k, line in enumerate(pair):
            line.set_data(locus[:, i, k].real, locus[:, i, k].imag)
        dot.set_data(now[i].real, now[i].imag)


class RateArtists(NamedTuple):
    """What :func:`plot_rate_vs_beta` draws: one curve per direction, the overall rate, the
    critical-damping marks (one per direction) and the current β."""

    curves: list[Line2D]
    overall: Line2D
    critical: list[Line2D]
    current: Line2D


def plot_rate_vs_beta(ax: Axes, name: str, lr: float, beta: float, lambdas, *, colors=None,
                      labels=None) -> RateArtists:
    r"""The convergence rate :math:`\max|r|` of each direction against β at this α, the overall
    rate (the slowest direction's, black), each direction's critical β (dot;
    :func:`~npfl_helpers.quadratic_theory.critical_beta`) and the current β (dotted line).

    Left of a dot the direction is overdamped, right of it underdamped (momentum: rate
    :math:`\sqrt\beta` there). Above 1 it diverges. Update with :func:`update_rate_vs_beta`.
    """
    lambdas = np.atleast_1d(np.asarray(lambdas, dtype=np.float64))
    colors = _direction_colors(lambdas.size, colors)
    labels = _direction_labels(lambdas) if labels is None else labels
    curves = [ax.plot([], [], color=c, lw=1.5, label=lab)[0]
              for c, lab in zip(colors, labels, strict=True)]
    (overall,) = ax.plot([], [], color="black", lw=1.0, ls="--", label="rate (the largest)")
    critical = [ax.plot([], [], linestyle="none", marker="o", ms=7, mfc=c, mec="black",
                        zorder=5)[0] for c in colors]
    current = ax.axvline(beta, color="#555555", lw=1.0, ls=":", label=r"current $\beta$")
    ax.axhline(1.0, color="#999999", lw=0.8)
    artists = RateArtists(curves, overall, critical, current)
    update_rate_vs_beta(artists, name, lr, beta, lambdas)
    ax.set(xlim=(0, 1), ylim=(0, 1.25), xlabel=r"momentum $\beta$",
           ylabel=r"rate $\max|r|$ per step")
    ax.grid(True, alpha=0.3)
    return artists


def update_rate_vs_beta(artists: RateArtists, name: str, lr: float, beta: float,
                        lambdas) -> None:
    """Set :func:`plot_rate_vs_beta`'s artists to a new α, β (and eigenvalues), in place."""
    lambdas = np.atleast_1d(np.asarray(lambdas, dtype=np.float64))
    b = _LOCUS_BETAS
    rates = np.abs(qt.iteration_eigenvalues(name, lr, b[:, None], lambdas)).max(axis=-1)
    for i, line in enumerate(artists.curves):
        line.set_data(b, rates[:, i])
    artists.overall.set_data(b, rates.max(axis=-1))
    crit = np.atleast_1d(qt.critical_beta(name, lr, lambdas)) if name != "sgd" else \
        np.full(lambdas.size, np.nan)
    for i, dot in enumerate(artists.critical):
        if np.isfinite(crit[i]):
            r = np.abs(qt.iteration_eigenvalues(name, lr, crit[i], lambdas[i])).max()
            dot.set_data([crit[i]], [r])
        else:
            dot.set_data([], [])
    artists.current.set_xdata([beta, beta])


def plot_noise_floor_vs_beta(ax: Axes, lr: float, beta: float, sigma: float,
                             lambdas) -> list[Line2D]:
    r"""Momentum's noise floor against β, log :math:`y`: at the same α (orange, rising about
    like :math:`1/(1 - \beta)`), its small-step approximation :math:`n\alpha\sigma^2/(4(1-\beta))`
    (dotted), and at the same effective rate :math:`\alpha/(1 - \beta)` as SGD with α, i.e.
    with :math:`\alpha(1 - \beta)` (blue, nearly flat); the current β as a dotted line.
    Exact floors from :func:`~npfl_helpers.quadratic_theory.noise_floor`; where α is past the
    stability limit the curve is left out. Returns the lines (same α, approximation, same
    effective rate, current β); update with :func:`update_noise_floor_vs_beta`.
    """
    lines = [ax.plot([], [], color=_MOMENTUM, lw=1.8, label=r"same $\alpha$")[0],
             ax.plot([], [], color=_MOMENTUM, lw=1.0, ls=":",
                     label=r"same $\alpha$, approximation $n\alpha\sigma^2/(4(1-\beta))$")[0],
             ax.plot([], [], color="#0072B2", lw=1.8,
                     label=r"same $\alpha/(1-\beta)$ as SGD")[0],
             ax.axvline(beta, color="#555555", lw=1.0, ls=":", label=r"current $\beta$")]
    update_noise_floor_vs_beta(lines, lr, beta, sigma, lambdas)
    ax.relim()
    ax.autoscale_view()
    ax.set_yscale("log")
    ax.set(xlim=(0, 1), xlabel=r"momentum $\beta$", ylabel=r"noise floor $E[J]$")
    ax.grid(True, which="major", alpha=0.3)
    return lines


def update_noise_floor_vs_beta(lines: Sequence[Line2D], lr: float, beta: float, sigma: float,
                               lambdas) -> None:
    """Set :func:`plot_noise_floor_vs_beta`'s lines to a new α, β, σ, in place."""
    lambdas = np.atleast_1d(np.asarray(lambdas, dtype=np.float64))
    b = _LOCUS_BETAS
    lines[0].set_data(b, qt.noise_floor_or_nan(lr, sigma, lambdas, b))
    lines[1].set_data(b, lambdas.size * lr * sigma**2 / (4 * (1 - b)))
    lines[2].set_data(b, qt.noise_floor_or_nan(lr * (1 - b), sigma, lambdas, b))
    lines[3].set_xdata([beta, beta])
