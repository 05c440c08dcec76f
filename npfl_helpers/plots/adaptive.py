r"""Figures of notebook 08 (AdaGrad, RMSProp, Adam): step sizes, Adam's moments, where ε sits,
and the race of the optimisers on a surface.

The still figure of a race is :func:`npfl_helpers.plots.momentum.optimizer_figure` (notebook 07
introduces it); here it is animated. The figure is not tracked by pyplot: show the animation with
``HTML(anim.to_jshtml())``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib import image as mimage
from matplotlib.animation import FuncAnimation
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg

from .._validate import check_int
from ..trajectories import diverged_runs, stack_runs
from ._style import OPTIMIZER_COLORS
from .momentum import optimizer_figure, update_trajectories

__all__ = [
    "plot_adagrad_steps",
    "plot_adam_moments",
    "plot_eps_placement",
    "plot_rmsprop_steps",
    "race_animation",
]


class _StaticBackgroundCanvas(FigureCanvasAgg):
    """An Agg canvas that renders the still parts of a figure once and then only what moves.

    The first draw at a given size renders everything except ``moving``, keeps that image and
    draws ``moving`` on top; later draws at the same size restore the image and draw only
    ``moving``. An animation's frames then cost a few lines and a PNG encoding instead of the
    contours, ticks and legends of a full draw (the frames look the same, except that the moving
    artists lie above every still one). Still artists must not change after the first draw.
    """

    def __init__(self, figure, moving):
        super().__init__(figure)
        self._moving = list(moving)
        self._background = None  # (renderer size, saved image)

    def draw(self):
        renderer = self.get_renderer()
        key = (renderer.width, renderer.height)
        if self._background is None or self._background[0] != key:
            shown = [a.get_visible() for a in self._moving]
            for a in self._moving:
                a.set_visible(False)
            try:
                super().draw()
            finally:
                for a, v in zip(self._moving, shown, strict=True):
                    a.set_visible(v)
            self._background = (key, self.copy_from_bbox(self.figure.bbox))
        else:
            self.restore_region(self._background[1])
        for a in self._moving:
            a.draw(renderer)

    def print_png(self, filename_or_obj, *, metadata=None, pil_kwargs=None, **_print_figure):
        """Agg's ``print_png``, but drawing with :meth:`draw` above (Agg's calls its own).

        ``print_figure`` has already applied the ``dpi``, colours and so on it passes along."""
        self.draw()
        mimage.imsave(filename_or_obj, self.buffer_rgba(), format="png", origin="upper",
                      dpi=self.figure.dpi, metadata=metadata, pil_kwargs=pil_kwargs)


def race_animation(surface, trajectories: Mapping, *, losses=None, interval: int = 50,
                   max_frames: int = 100, title: str | None = None, n: int = 150,
                   figsize=(10.5, 4.8)) -> FuncAnimation:
    r"""Animate optimisers racing on ``surface``: growing paths with a moving head (left) and
    growing loss curves (right), in the course colours.

    ``trajectories`` maps optimiser names to ``(steps + 1, 2)`` arrays (e.g.
    ``optim.run(...).thetas``). At most ``max_frames`` frames, evenly spaced over the steps
    (always including the first and the last). The figure is not tracked by pyplot; in a notebook
    show the animation with ``HTML(anim.to_jshtml())``. Axes limits stay fixed throughout, and
    the still parts (contours, axes, legend, title) are rendered once, not for every frame.
    """
    interval = check_int("interval", interval, 1)
    max_frames = check_int("max_frames", max_frames, 2)
    fig_parts = optimizer_figure(surface, trajectories, losses=losses, title=title, n=n,
                                 figsize=figsize, pyplot=False)
    fig, ax_l = fig_parts.fig, fig_parts.ax_loss
    runs = stack_runs(trajectories).thetas
    div = diverged_runs(runs)
    T = runs.shape[0]
    frames = np.unique(np.round(np.linspace(0, T - 1, min(T, max_frames))).astype(int))
    full = [(ln.get_xdata().copy(), ln.get_ydata().copy()) for ln in fig_parts.loss_lines]
    ax_l.set_xlim(0, T - 1)
    ax_l.set_ylim(ax_l.get_ylim())  # freeze the limits the full curves needed
    ax_l.set_autoscale_on(False)
    legend = ax_l.get_legend()
    if legend is not None:  # "best" would be re-chosen for every frame: the legend would jump
        legend.set_loc("upper right")
    step_text = fig_parts.ax_surface.text(
        0.02, 0.97, "", transform=fig_parts.ax_surface.transAxes, va="top", ha="left",
        fontsize=9, bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"}, zorder=9)
    bounds = (tuple(surface.bounds[0]), tuple(surface.bounds[1]))
    moving = [*(a for p in fig_parts.paths for a in p), *fig_parts.loss_lines, step_text]
    _StaticBackgroundCanvas(fig, moving)  # becomes fig.canvas
    fig.canvas.draw()  # lay the figure out once, with the full loss curves' limits ...
    fig.set_layout_engine(None)  # ... and keep that layout: the background stays valid

    def draw(i):
        i = int(i)
        update_trajectories(fig_parts.paths, runs, diverged=div, upto=i, bounds=bounds)
        for ln, (x, y) in zip(fig_parts.loss_lines, full, strict=True):
            ln.set_data(x[: i + 1], y[: i + 1])
        step_text.set_text(f"step t = {i}")  # plain text: no mathtext parse per frame
        return moving

    draw(frames[0])
    return FuncAnimation(fig, draw, frames=frames, interval=interval, blit=False,
                         repeat=False)


def _power_of_ten(x: float) -> str:
    return rf"10^{{{np.log10(x):.0f}}}"


def plot_adagrad_steps(ax: Axes, t, sgd_step, adagrad_step, g_scales, lr: float) -> None:
    r"""Step sizes :math:`|\theta_t - \theta_{t-1}|` of SGD and AdaGrad under constant gradients.

    ``sgd_step`` and ``adagrad_step`` have shape ``(steps, K)``: one column per gradient scale
    in ``g_scales`` (up to three, e.g. :math:`10^{-3}, 1, 10^3`); ``t`` is :math:`1 \dots`
    ``steps``. SGD's steps are :math:`\alpha g` (dotted, black), AdaGrad's follow the guide
    :math:`\alpha/\sqrt t` (dashed) whatever the scale. Log–log; legend outside on the right.
    """
    sgd, ada = OPTIMIZER_COLORS["sgd"], OPTIMIZER_COLORS["adagrad"]
    for k, g in enumerate(g_scales):
        ax.loglog(t, sgd_step[:, k], color=sgd, lw=1.2, ls=(0, (1 + 2 * k, 2)),
                  label=rf"SGD, $g = {_power_of_ten(g)}$")
    for k, (g, lw) in enumerate(zip(g_scales, [5, 3, 1.2], strict=False)):
        ax.loglog(t, adagrad_step[:, k], color=ada, lw=lw, alpha=0.5 + 0.25 * k,
                  label=rf"AdaGrad, $g = {_power_of_ten(g)}$")
    ax.loglog(t, lr / np.sqrt(t), color="#CC79A7", ls="--", lw=1.2, label=r"$\alpha/\sqrt{t}$")
    ax.set(xlabel="step $t$", ylabel=r"step size $|\theta_t - \theta_{t-1}|$")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))


def plot_rmsprop_steps(ax: Axes, t, relative_step, betas) -> None:
    r"""RMSProp's step size over α, :math:`1/\sqrt{1-\beta^t}` under a constant gradient.

    ``relative_step`` has shape ``(steps, K)``, one column per β in ``betas`` (up to three,
    drawn solid, dashed, dotted); the legend gives each first step :math:`1/\sqrt{1-\beta}`.
    """
    for k, (beta, ls) in enumerate(zip(betas, ["-", "--", ":"], strict=False)):
        first = 1 / np.sqrt(1 - beta)
        ax.semilogx(t, relative_step[:, k], color=OPTIMIZER_COLORS["rmsprop"], ls=ls, lw=2,
                    label=rf"$\beta = {beta}$: first step $1/\sqrt{{1-\beta}} = {first:.1f}$")
    ax.set_yscale("log")
    ax.axhline(1, color="grey", lw=0.8)
    ax.set(xlabel="step $t$", ylabel=r"step size / $\alpha$")
    ax.legend(fontsize=9)


def plot_adam_moments(ax_s: Axes, ax_r: Axes, t, mean_s, mean_r, *, beta1: float,
                      beta2: float, mean_g: float, mean_g2: float, runs: int) -> None:
    r"""Adam's moment estimates averaged over runs, against :math:`E[\cdot](1-\beta^t)`.

    Left :math:`s_t` (first moment, β₁), right :math:`r_t` (second moment, β₂): the mean over
    ``runs`` runs (blue), the prediction :math:`E\,(1-\beta^t)` (dashed), the bias-corrected
    mean :math:`\hat s_t`, :math:`\hat r_t` (Adam's colour) and the target ``mean_g``,
    ``mean_g2`` (dotted). Log step axis; the titles are left to the caller.
    """
    for ax, mean, beta, E, name in [(ax_s, mean_s, beta1, mean_g, "s"),
                                    (ax_r, mean_r, beta2, mean_g2, "r")]:
        ax.plot(t, mean, color="#0072B2", lw=2.5, alpha=0.6,
                label=rf"mean of ${name}_t$ over {runs} runs")
        ax.plot(t, E * (1 - beta**t), color="black", ls="--", lw=1,
                label=r"prediction $E\,(1-\beta^t)$")
        ax.plot(t, mean / (1 - beta**t), color=OPTIMIZER_COLORS["adam"], lw=2,
                label=rf"mean of $\hat {name}_t = {name}_t/(1-\beta^t)$")
        ax.axhline(E, color="grey", lw=0.8, ls=":")
        ax.set(xscale="log", xlabel="step $t$")
        ax.legend(fontsize=8, loc="lower right")
    ax_s.set(ylabel="first moment")
    ax_r.set(ylabel="second moment")


def plot_eps_placement(ax: Axes, g, step_inside, step_outside, eps: float) -> None:
    r"""Adam's step over α against the gradient size, for the two places of ε.

    ``step_inside`` (the lecture's :math:`\alpha/\sqrt{\hat r + \varepsilon}`, solid) and
    ``step_outside`` (the Adam paper's and PyTorch's :math:`\alpha/(\sqrt{\hat r} +
    \varepsilon)`, dashed) over the gradient sizes ``g``; :math:`\sqrt\varepsilon` and
    :math:`\varepsilon` are marked. Log–log.
    """
    adam = OPTIMIZER_COLORS["adam"]
    ax.loglog(g, step_inside, color=adam, lw=2,
              label=r"lecture: $\alpha/\sqrt{\hat r + \varepsilon}$")
    ax.loglog(g, step_outside, color=adam, lw=2, ls="--",
              label=r"Adam paper, PyTorch: $\alpha/(\sqrt{\hat r} + \varepsilon)$")
    for x, text in ((np.sqrt(eps), r"$\sqrt{\varepsilon}$"), (eps, r"$\varepsilon$")):
        ax.axvline(x, color="grey", lw=0.8, ls=":")
        ax.text(x * 1.3, 1.5e-3, text, color="grey")
    ax.set(xlabel=r"gradient size $|g|$", ylabel=r"step size / $\alpha$", ylim=(1e-3, 2))
    ax.legend(fontsize=9, loc="center right")
