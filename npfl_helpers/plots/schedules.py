r"""Figures of notebook 09 (learning-rate schedules): :math:`\alpha_t` against the step, the noise
floor of SGD with a constant α, and the partial sums of the Robbins–Monro conditions.

The schedules themselves are the pure functions of :mod:`npfl_helpers.schedules`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from .._validate import check_int
from ._style import _SEQUENCE

__all__ = ["plot_noise_floors", "plot_partial_sums", "plot_schedules", "plot_schedules_lin_log"]


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


def plot_schedules_lin_log(ax_lin: Axes, ax_log: Axes, schedules: Mapping[str, Callable], steps,
                           *, colors=None) -> None:
    """The same schedules twice (:func:`plot_schedules`): on a linear axis (how long each keeps
    α large) and on a log axis (how fast each decays), with the legend outside on the right."""
    plot_schedules(ax_lin, schedules, steps, colors=colors)
    ax_lin.set_yscale("linear")
    plot_schedules(ax_log, schedules, steps, colors=colors)
    ax_log.legend(fontsize=7.5, loc="upper left", bbox_to_anchor=(1.01, 1.0))


def plot_noise_floors(ax: Axes, mean_loss: Mapping, floors: Mapping, colors: Mapping, *,
                      runs: int) -> None:
    r"""Mean loss of SGD runs under gradient noise, with the predicted floors of constant rates.

    ``mean_loss`` maps a schedule's label to the mean loss over ``runs`` runs at steps
    :math:`0 \dots T`; ``floors`` maps some of those labels to ``(alpha, floor)``, the noise
    floor of a constant α (:func:`npfl_helpers.quadratic_theory.noise_floor`), drawn dashed in
    the curve's colour. Log–log.
    """
    for name, loss in mean_loss.items():
        ax.plot(loss, color=colors[name], lw=1.6, label=name)
    for name, (alpha, floor) in floors.items():
        ax.axhline(floor, color=colors[name], lw=0.8, ls="--")
        ax.text(1.1, floor * 1.15, rf"predicted floor for $\alpha = {alpha}$", ha="left",
                fontsize=8, color=colors[name])
    ax.set(yscale="log", xscale="log", xlabel="step $t$",
           ylabel=rf"mean loss $J(\theta_t)$ over {runs} runs")
    ax.legend(fontsize=8, loc="lower left")


def plot_partial_sums(ax_sum: Axes, ax_sq: Axes, t, sums: Mapping, colors) -> None:
    r"""The partial sums :math:`\sum_{k \le t}\alpha_k` (left) and :math:`\sum_{k \le t}\alpha_k^2`
    (right) of several schedules, log–log: a sum that converges turns flat.

    ``sums`` maps a label to ``(A, B)``, the two sums at the steps ``t`` (e.g. from
    :func:`npfl_helpers.schedules.robbins_monro_sums`); ``colors``: one per schedule.
    """
    for color, (name, (A, B)) in zip(colors, sums.items(), strict=True):
        ax_sum.loglog(t, A, color=color, lw=1.6, label=name)
        ax_sq.loglog(t, B, color=color, lw=1.6, label=name)
    ax_sum.set(xlabel="step $t$", ylabel=r"$\sum_{k \leq t} \alpha_k$",
               title=r"$\sum \alpha_t$: must keep growing")
    ax_sq.set(xlabel="step $t$", ylabel=r"$\sum_{k \leq t} \alpha_k^2$",
              title=r"$\sum \alpha_t^2$: must level off")
    ax_sq.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
