r"""The explorer of notebook 04 (gradient descent): minibatch gradients scatter around the full
gradient, and their variance falls as :math:`1/m`.

The computations behind it — the minibatch gradient as an estimator of the full gradient
(``per_example_gradients``, ``gradient_noise``, ``minibatch_variance``) — are in
:mod:`npfl_helpers.estimators`.

>>> ex = minibatch_noise_explorer(hidden=4, epochs=0, n_batches=10)
>>> ex.controls["m"].value = ex.noise.N       # the whole training set: no noise at all
>>> ex.info.get_text().splitlines()[-1]
'm = N without replacement: the whole set, no noise'
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .. import optim, surfaces
from .._validate import ArgumentTypeError, check_array, check_int, check_range, describe
from ..estimators import (
    SAMPLINGS,
    doubling_batch_sizes,
    gradient_noise,
    minibatch_variance,
    per_example_gradients,
    trained_digits_mlp,
)
from ..landscape import deep_landscapes, local_minima
from ..plots import (
    SKIP_COLORS,
    color_for,
    plot_gradient_variance,
    plot_loss_plane,
    plot_lr_regimes,
    plot_minibatch_cloud,
    plot_surface,
    plot_trajectories,
    sci_text,
    update_trajectories,
)
from ..trajectories import loss_curve
from ._axes import layout_engine, light_log_axis
from ._base import Explorer, explorer_figure
from ._controls import Controls

__all__ = ["gd_valley_explorer", "landscape_slice_explorer", "minibatch_noise_explorer"]

_c = Controls(width="420px", label_width="90px")


class MinibatchNoiseExplorer(Explorer):
    """See :func:`minibatch_noise_explorer`."""

    def __init__(self, hidden: int = 32, epochs: int = 2, n_batches: int = 200, seed=0):
        hidden = check_int("hidden", hidden, 1)
        epochs = check_int("epochs", epochs, 0)
        n_batches = check_int("n_batches", n_batches, 2)
        self.model, X, y = trained_digits_mlp(hidden, epochs, seed)
        G = per_example_gradients(self.model, self.model.theta, X, y)
        sizes = doubling_batch_sizes(len(X))
        self.noise = noise = gradient_noise(G, sizes, n_batches, seed)
        N = noise.N

        fig = explorer_figure(figsize=(11.0, 4.6), layout="constrained")
        ax_c, ax_v = fig.subplots(1, 2, width_ratios=(1.0, 1.05))
        first = noise.cloud[SAMPLINGS[0]][0]  # m = 1: single examples' gradients
        lo = np.quantile(first, 0.01, axis=0)
        hi = np.quantile(first, 0.99, axis=0)
        full = noise.u @ noise.g
        x0, x1 = min(lo[0], -0.2 * hi[0]), max(hi[0], 1.2 * full[0])
        half = max(abs(lo[1]), abs(hi[1]))
        pad = 0.08 * (x1 - x0)
        self.cloud = plot_minibatch_cloud(ax_c, first, full,
                                          lim=((x0 - pad, x1 + pad), (-1.1 * half, 1.1 * half)))
        ax_c.legend(loc="lower left", fontsize=8, framealpha=0.9)
        m_dense = np.unique(np.round(np.geomspace(1, N, 200)))
        curves = {
            r"$\frac{\sigma^2}{m}\,\frac{N-m}{N-1}$ (without replacement)":
                (m_dense, minibatch_variance(noise.sigma2, N, m_dense)),
            r"$\sigma^2/m$ (with replacement)":
                (m_dense, minibatch_variance(noise.sigma2, N, m_dense, replace=True)),
        }
        self.variance = plot_gradient_variance(ax_v, sizes, noise.variance[SAMPLINGS[0]],
                                               curves, N=N)
        v_all = np.concatenate([v[v > 0] for v in noise.variance.values()])
        ax_v.set_ylim(0.3 * min(v_all.min(), noise.sigma2 / N), 3 * noise.sigma2)
        ax_v.set_xlim(0.7, 1.5 * N)
        ax_v.set_autoscale_on(False)
        ax_v.legend(loc="lower left", fontsize=8, framealpha=0.9)
        ax_v.set_title(r"Variance falls as $1/m$: $\times\frac{1}{2}$ per doubling of $m$",
                       fontsize=10)
        self.info = ax_v.text(0.98, 0.97, "", transform=ax_v.transAxes, ha="right", va="top",
                              fontsize=8.5, bbox={"facecolor": "white", "alpha": 0.85,
                                                  "edgecolor": "#CCCCCC"})
        self.ax_cloud, self.ax_variance = ax_c, ax_v

        # everything a control changes is drawn over the cached static image
        self.animate(self.cloud.points, self.cloud.mean, self.variance.measured,
                     self.variance.current, *self.variance.curves.values())
        self.animate_text(ax_c.title, self.info)  # the curves never reach the top right
        controls = {
            "m": _c.selection("batch size m", sizes[0], [(str(m), m) for m in sizes]),
            "sampling": _c.toggle("sampling", SAMPLINGS[0], list(SAMPLINGS)),
        }
        super().__init__(fig, controls)

    def refresh(self) -> None:
        noise = self.noise
        m = int(self.controls["m"].value)
        sampling = self.controls["sampling"].value
        k = int(np.flatnonzero(noise.batch_sizes == m)[0])
        pts = noise.cloud[sampling][k]
        self.cloud.points.set_offsets(pts)
        self.cloud.mean.set_data([pts[:, 0].mean()], [pts[:, 1].mean()])
        variance = noise.variance[sampling]
        shown = np.where(variance > 0, variance, np.nan)
        self.variance.measured.set_ydata(shown)
        self.variance.current.set_data([m], [shown[k]])
        for i, line in enumerate(self.variance.curves.values()):
            on = SAMPLINGS[i] == sampling
            line.set_linewidth(2.0 if on else 1.0)
            line.set_alpha(1.0 if on else 0.5)
        descent = noise.descent[sampling][k]
        n_b = pts.shape[0]
        self.ax_cloud.set_title(
            f"m = {m}: {100 * descent:.0f} % of {n_b} minibatch gradients point downhill "
            r"($\hat g\cdot g > 0$)", fontsize=10)
        theory = minibatch_variance(noise.sigma2, noise.N, m, replace=sampling == SAMPLINGS[1])
        if theory > 0:
            ratio = f"measured / formula = {variance[k] / theory:.2f}"
        else:
            ratio = "m = N without replacement: the whole set, no noise"
        self.info.set_text(f"N = {noise.N}, σ² = {noise.sigma2:.3g}, ‖g‖² = "
                           f"{noise.g @ noise.g:.3g}\nm = {m} ({sampling}):\n"
                           f"E‖ĝ − g‖² = {variance[k]:.3g},  formula {theory:.3g}\n{ratio}")


def minibatch_noise_explorer(hidden: int = 32, epochs: int = 2, n_batches: int = 200,
                             seed=0) -> MinibatchNoiseExplorer:
    r"""Minibatch gradients are unbiased but noisy: their spread and variance against :math:`m`.

    A tanh MLP ``(64, hidden, 10)`` on the digits' training set (:math:`N = 1078`), after
    ``epochs`` epochs of minibatch SGD, is held fixed at that θ. Left: ``n_batches`` minibatch
    gradients :math:`\hat g` for the chosen batch size, projected on :math:`u_1 = g/\lVert
    g\rVert` and on the direction :math:`u_2 \perp g` of largest noise; their mean (×) sits on
    the full gradient (★) — unbiased — and the cloud shrinks as :math:`m` grows. Right: the
    measured :math:`\mathbb E\lVert\hat g - g\rVert^2` for all batch sizes against the formulas
    with and without replacement (log–log: slope −1).

    Controls: ``m`` (1, 2, 4, …, 512, N) and ``sampling`` (without replacement, the default, as
    within an epoch of :func:`npfl_helpers.data.minibatches`, or with replacement). Everything
    is computed once, vectorised, at construction (< 1 s); a control change only moves artists.
    """
    return MinibatchNoiseExplorer(hidden=hidden, epochs=epochs, n_batches=n_batches, seed=seed)


# ----------------------------------------------------------------------------------------------
# gd_valley_explorer: the first slider of the course (notebook 00)

_VALLEY_LRS = (0.003, 0.3)  # the α slider: from a crawl to clear divergence (2/λ_max = 0.2)
_VALLEY_LOSS_LIM = (1e-10, 1e5)  # fixed: the loss axis never moves, only the curve does
_valley_controls = Controls(width="560px", label_width="120px")


def valley_finding(lr: float, lambdas, steps: int, final_loss: float) -> str:
    r"""What gradient descent with ``lr`` does on a quadratic with curvatures ``lambdas``, in a
    title: one step multiplies the error along curvature λ by :math:`1 - \alpha\lambda`.

    >>> valley_finding(0.15, (1.0, 10.0), 40, 1e-5)
    'α = 0.15: the steep direction flips sign every step (×−0.50): a zig-zag that still converges'
    >>> valley_finding(0.25, (1.0, 10.0), 40, float("nan"))
    'α = 0.25: the steep direction grows ×−1.50 per step: the zig-zag explodes, GD diverges'
    """
    lam_min, lam_max = lambdas
    steep, flat = 1.0 - lr * lam_max, 1.0 - lr * lam_min
    factor = f"{steep:.2f}".replace("-", "−")
    head = f"α = {lr:.3g}: "
    if steep < -1.0:
        return head + f"the steep direction grows ×{factor} per step: the zig-zag " \
                      "explodes, GD diverges"
    if steep == -1.0:
        return head + "the steep direction flips between ±: GD bounces for ever"
    if steep < 0.0:
        return head + f"the steep direction flips sign every step (×{factor}): a zig-zag " \
                      "that still converges"
    return head + f"straight downhill, but the flat direction shrinks only ×{flat:.3f} per " \
                  f"step: a crawl (J = {sci_text(final_loss)} after {steps} steps)"


class GDValleyExplorer(Explorer):
    """See :func:`gd_valley_explorer`."""

    def __init__(self, kappa: float = 10.0, steps: int = 40, lr: float = 0.15):
        self.steps = check_int("steps", steps, 1)
        self.surface = s = surfaces.quadratic(kappa=kappa)
        self.figure = fig = explorer_figure((10.0, 4.6), layout=layout_engine())
        grid = fig.add_gridspec(2, 2, height_ratios=(7, 1))
        self.ax_path = fig.add_subplot(grid[0, 0])
        self.ax_loss = fig.add_subplot(grid[0, 1])
        self.ax_lr = fig.add_subplot(grid[1, :])
        kappa_text = f"{s.lambdas[1]:g}"
        plot_surface(s, self.ax_path, n=150,
                     title=rf"$J(\theta) = \frac{{1}}{{2}}(\theta_1^2 + {kappa_text}\,"
                           r"\theta_2^2)$: a narrow valley")
        empty = np.full((1, 2), np.nan)
        (self.path,) = plot_trajectories(self.ax_path, empty, labels=["sgd"])
        (self.loss_line,) = self.ax_loss.plot([], [], color=color_for("sgd"), linewidth=1.6)
        self.ax_loss.set_yscale("log")
        self.ax_loss.set_xlim(0, self.steps)
        self.ax_loss.set_ylim(*_VALLEY_LOSS_LIM)
        light_log_axis(self.ax_loss.yaxis)
        self.ax_loss.grid(True, which="major", alpha=0.3)
        self.ax_loss.set(xlabel="step $t$", ylabel=r"$J(\theta_t)$")
        self.ax_loss.set_title("loss along the path", fontsize=10)
        self.marker = plot_lr_regimes(self.ax_lr, s.lambdas[1], _VALLEY_LRS)
        self.animate(*self.path, self.loss_line, self.marker)
        self.title_text = self.title()
        controls = {"lr": _valley_controls.log_slider("learning rate α", lr, *_VALLEY_LRS)}
        super().__init__(fig, controls)

    def refresh(self) -> None:
        s, steps = self.surface, self.steps
        lr = float(self.controls["lr"].value)
        self.trajectory = traj = optim.run(optim.sgd(lr), s.grad, s.start, steps, loss_fn=s.f)
        update_trajectories([self.path], traj.thetas, diverged=traj.diverged,
                            bounds=(tuple(s.bounds[0]), tuple(s.bounds[1])))
        lo, hi = _VALLEY_LOSS_LIM
        loss = loss_curve(traj.losses, s.f_min, floor=lo)
        self.loss_line.set_data(np.arange(steps + 1), np.minimum(loss, 10 * hi))
        self.marker.set_xdata([lr, lr])
        self.title_text.set_text(valley_finding(lr, s.lambdas, steps, float(traj.losses[-1])))


def gd_valley_explorer(kappa: float = 10.0, steps: int = 40, lr: float = 0.15) -> GDValleyExplorer:
    r"""Gradient descent :math:`\theta \leftarrow \theta - \alpha g` in a narrow valley, with one
    slider for the learning rate α.

    The valley is the quadratic :math:`J(\theta) = \tfrac12(\theta_1^2 + \kappa\,\theta_2^2)`
    (curvatures 1 and κ). Left: ``steps`` steps from a fixed start; right: the loss
    :math:`J(\theta_t)`; below: where α sits among :math:`1/\lambda_{\max}` and
    :math:`2/\lambda_{\max}` (:func:`~npfl_helpers.plots.plot_lr_regimes`). Small α crawls
    straight in, α between :math:`1/\kappa` and :math:`2/\kappa` zig-zags and converges,
    α above :math:`2/\kappa` diverges (drawn up to where the path leaves the plot, marked "×").
    """
    return GDValleyExplorer(kappa=kappa, steps=steps, lr=lr)


# ----------------------------------------------------------------------------------------------
# slices through the landscapes of deep networks with and without skip connections

_slice_controls = Controls(width="520px", label_width="90px")


class LandscapeSliceExplorer(Explorer):
    """See :func:`landscape_slice_explorer`."""

    def __init__(self, grid=None, planes=None, zmax: float = 10.0):
        if planes is None:
            grid, planes, _ = deep_landscapes()
        self.grid = grid = check_array("grid", grid, ndim=1)
        if not isinstance(planes, Mapping) or not planes:
            raise ArgumentTypeError(f"planes must be a dict label -> losses of shape "
                                    f"(len(grid), len(grid)); got {describe(planes)}")
        self.planes = {str(k): check_array(f"planes[{k!r}]", v, shape=(len(grid), len(grid)),
                                           finite=False) for k, v in planes.items()}
        self.zmax = zmax = check_range("zmax", zmax, 0, low_open=True, allow_array=False)
        labels = list(self.planes)
        colors = dict(zip(labels, SKIP_COLORS + ("#009E73", "#CC79A7"), strict=False))
        self.minima = {k: np.stack([local_minima(row) for row in v])
                       for k, v in self.planes.items()}
        fig = explorer_figure(figsize=(12.5, 4.2), layout="constrained")
        axes = fig.subplots(1, len(labels) + 1)
        self.hlines, self.map_dots = {}, {}
        for ax, label in zip(axes[:-1], labels, strict=True):
            plot_loss_plane(ax, grid, grid, self.planes[label], zmax=zmax, colorbar=False,
                            n_levels=21)
            ax.set_title(label, fontsize=10, color=colors[label])
            self.hlines[label] = ax.axhline(0.0, color="white", linewidth=1.6)
            (self.map_dots[label],) = ax.plot([], [], linestyle="none", marker="o",
                                              markersize=5, color="black", zorder=5)
        ax_s = axes[-1]
        self.curves, self.dots = {}, {}
        for label in labels:
            (self.curves[label],) = ax_s.plot(grid, np.zeros_like(grid), color=colors[label],
                                              linewidth=2.0, label=label)
            (self.dots[label],) = ax_s.plot([], [], linestyle="none", marker="o", markersize=6,
                                            color=colors[label], markeredgecolor="black")
        ax_s.set_xlim(grid[0], grid[-1])
        ax_s.set_ylim(0.0, zmax)
        ax_s.set_xlabel(r"$\alpha$ (along $d_1$)")
        ax_s.set_ylabel(rf"training loss $J$ (cut at {zmax:g})")
        ax_s.grid(True, alpha=0.3)
        ax_s.legend(loc="upper center", fontsize=8.5)
        self.ax_slice = ax_s
        self.animate(*self.hlines.values(), *self.map_dots.values(), *self.curves.values(),
                     *self.dots.values(), ax_s.title)
        centre = int(np.argmin(np.abs(grid)))
        controls = {"beta": _slice_controls.selection(
            "β (slice)", centre, [(f"{b:+.2f}", i) for i, b in enumerate(grid)])}
        super().__init__(fig, controls)

    def refresh(self) -> None:
        i = int(self.controls["beta"].value)
        beta = float(self.grid[i])
        counts = []
        for label, plane in self.planes.items():
            row = np.minimum(np.where(np.isfinite(plane[i]), plane[i], self.zmax), self.zmax)
            mask = self.minima[label][i]
            self.hlines[label].set_ydata([beta, beta])
            self.curves[label].set_ydata(row)
            self.dots[label].set_data(self.grid[mask], row[mask])
            self.map_dots[label].set_data(self.grid[mask], np.full(int(mask.sum()), beta))
            counts.append(int(mask.sum()))
        text = ", ".join(f"{n} ({label.split()[0]})"
                         for n, label in zip(counts, self.planes, strict=True))
        self.ax_slice.set_title(f"β = {beta:+.2f}: local minima {text}", fontsize=10)


def landscape_slice_explorer(grid=None, planes=None, zmax: float = 10.0
                             ) -> LandscapeSliceExplorer:
    r"""Slices :math:`\beta = \text{const}` through loss planes, side by side, with their local
    minima.

    ``planes`` maps a label to :math:`J(\theta^* + \alpha d_1 + \beta d_2)` on ``grid`` ×
    ``grid`` (rows: β, as :func:`npfl_helpers.landscape.loss_plane` returns them); by default
    the two 20-layer networks of :func:`npfl_helpers.landscape.deep_landscapes`, without and
    with skip connections (about a second to compute). Left: each plane on a linear scale cut
    at ``zmax``, with a white line at the chosen β; right: the loss along α on that line, for
    every plane, with its strict local minima (dots, also on the maps). One control, ``beta``:
    the row. Everything is precomputed; a change moves artists only.
    """
    return LandscapeSliceExplorer(grid=grid, planes=planes, zmax=zmax)
