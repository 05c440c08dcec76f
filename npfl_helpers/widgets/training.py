r"""Explorers for gradient descent and backpropagation (notebooks 04 and 05).

=================================  =====================================================
explorer                           what it shows
=================================  =====================================================
:func:`minibatch_noise_explorer`   minibatch gradients of an MLP on the digits scatter
                                   around the full gradient; their variance ∝ 1/m
:func:`backprop_stepper`           forward propagation in topological order, then
                                   backpropagation in reverse order, one node per step
:func:`activation_explorer`        σ, tanh, ReLU and their derivatives; where gradients vanish
=================================  =====================================================

The computations behind them sit below the drawing layer: the minibatch gradient as an
estimator of the full gradient (``gradient_noise``, ``minibatch_variance``) in
:mod:`npfl_helpers.estimators`; the example graph and its steps (``lecture_graph``,
``backprop_steps``) in :mod:`npfl_helpers.autodiff`.
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np
from matplotlib.patches import Patch
from matplotlib.text import Annotation

from .. import autodiff, data, mlp, optim
from .._validate import check_choice, check_int
from ..autodiff import backprop_steps, lecture_graph
from ..estimators import SAMPLINGS, gradient_noise, minibatch_variance, per_example_gradients
from ..plots import (
    ACTIVATION_COLORS,
    ACTIVATION_LABELS,
    plot_activations,
    plot_gradient_variance,
    plot_minibatch_cloud,
)
from ._base import Explorer, new_figure

__all__ = [
    "minibatch_noise_explorer",
    "backprop_stepper",
    "activation_explorer",
]

_STYLE = {"description_width": "90px"}


# ----------------------------------------------------------------------------------------------
# minibatch gradient noise


def _digits_problem(hidden: int, epochs: int, seed):
    """A small tanh MLP on the digits' training set after a few epochs of minibatch SGD."""
    digits = data.load_digits(seed=seed)
    X, y = digits.train.X, digits.train.y
    model = mlp.MLP((X.shape[1], hidden, 10), activation="tanh", seed=seed)
    if epochs:
        mlp.train(model, X, y, optim.sgd(0.2), epochs=epochs, batch_size=32, seed=seed,
                  progress=False)
    return model, X, y


def _batch_sizes(N: int) -> list[int]:
    """1, 2, 4, … below N, then N itself."""
    sizes = [1 << k for k in range(int(np.log2(N)) + 1) if (1 << k) < N]
    return [*sizes, N]


class MinibatchNoiseExplorer(Explorer):
    """See :func:`minibatch_noise_explorer`."""

    def __init__(self, hidden: int = 32, epochs: int = 2, n_batches: int = 200, seed=0):
        hidden = check_int("hidden", hidden, 1)
        epochs = check_int("epochs", epochs, 0)
        n_batches = check_int("n_batches", n_batches, 2)
        self.model, X, y = _digits_problem(hidden, epochs, seed)
        G = per_example_gradients(self.model, self.model.theta, X, y)
        sizes = _batch_sizes(len(X))
        self.noise = noise = gradient_noise(G, sizes, n_batches, seed)
        N = noise.N

        fig = new_figure(figsize=(11.0, 4.6), layout="constrained")
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
                     self.variance.current, *self.variance.curves.values(), ax_c.title,
                     self.info)
        controls = {
            "m": W.SelectionSlider(options=[(str(m), m) for m in sizes], value=sizes[0],
                                   description="batch size m", style=_STYLE,
                                   layout=W.Layout(width="420px")),
            "sampling": W.ToggleButtons(options=list(SAMPLINGS), value=SAMPLINGS[0],
                                        description="sampling", style=_STYLE),
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
# backpropagation, step by step


_BOX = {"leaf": "#DCEBF7", "op": "#F2F2F2", "edge": "#555555"}
_CURRENT = {"edgecolor": "#D55E00", "linewidth": 2.5, "facecolor": "#FBE3D0"}  # draw_graph's
_READ = {"edgecolor": "#0072B2", "linewidth": 2.0}


class BackpropStepper(Explorer):
    """See :func:`backprop_stepper`."""

    def __init__(self, root: autodiff.Tensor | None = None):
        self.root = lecture_graph() if root is None else root
        self.steps = backprop_steps(self.root)
        self.order = autodiff.topological_order(self.root)
        n = len(self.order)
        self.n = n
        import matplotlib.pyplot as plt

        with plt.ioff():
            probe, _ = autodiff.draw_graph(self.root, show_grad=True)  # its natural size
        width, height = probe.get_size_inches()
        plt.close(probe)
        fig = new_figure(figsize=(max(9.0, width), height + 1.1))
        ax_g, ax_t = fig.subplots(2, 1, height_ratios=(height, 1.1))
        fig.subplots_adjust(left=0.01, right=0.99, top=0.99, bottom=0.01, hspace=0.0)
        autodiff.draw_graph(self.root, ax=ax_g, show_grad=True)
        boxes = [t for t in ax_g.texts if not isinstance(t, Annotation)]
        if len(boxes) != n:  # pragma: no cover - guards draw_graph's drawing order
            raise RuntimeError("draw_graph drew an unexpected number of boxes")
        self.boxes = dict(zip(self.order, boxes, strict=True))
        ax_t.axis("off")
        self.head = ax_t.text(0.01, 0.78, "", transform=ax_t.transAxes, ha="left", va="center",
                              fontsize=10, fontweight="bold")
        self.line = ax_t.text(0.01, 0.32, "", transform=ax_t.transAxes, ha="left", va="center",
                              fontsize=11, family="monospace", color="#000000")
        self.ax_graph, self.ax_text = ax_g, ax_t
        # the arrows stay static: they end at the edges of the boxes, whose size never changes
        # (every label is padded to the width it has once all is known, see _label)
        self.animate(*self.boxes.values(), self.head, self.line)
        controls = {"step": W.IntSlider(value=0, min=0, max=2 * n, step=1, description="step",
                                        style=_STYLE, layout=W.Layout(width="520px"))}
        super().__init__(fig, controls)

    def _label(self, node, value_known: bool, grad_known: bool) -> str:
        """The box text, padded (monospace) to its width once value and gradient are known."""
        if node.inputs:
            title = f"{node.name} = {node.op}" if node.name else node.op
        else:
            title = node.name if node.name else "const"
        value = f"value {autodiff._short(node.value)}"
        grad = f"grad  {autodiff._short(node.grad)}"
        width = max(len(value), len(grad))
        value = value if value_known else "value ?"
        grad = grad if grad_known else "grad  ?"
        return "\n".join((title, value.ljust(width), grad.ljust(width)))  # the title centred

    def refresh(self) -> None:
        k = int(self.controls["step"].value)
        step = self.steps[k]
        n = self.n
        n_values = min(k, n)
        n_grads = max(k - n, 0)
        known_values = set(self.order[:n_values])
        known_grads = set(self.order[n - n_grads:]) if n_grads else set()
        for node, box in self.boxes.items():
            box.set_text(self._label(node, node in known_values, node in known_grads))
            patch = box.get_bbox_patch()
            patch.set_facecolor(_BOX["op"] if node.inputs else _BOX["leaf"])
            patch.set_edgecolor(_BOX["edge"])
            patch.set_linewidth(1.0)
            if node in step.read:
                patch.set(**_READ)
            if node is step.node:
                patch.set(**_CURRENT)
        head, line = step.text.split("\n", 1)
        self.head.set_text(head)
        self.line.set_text(line)


def backprop_stepper(root: autodiff.Tensor | None = None) -> BackpropStepper:
    r"""Forward propagation, then backpropagation, one node per step of a slider.

    Steps :math:`0 … n` compute the node values in topological order; steps
    :math:`n+1 … 2n` fill the gradients in reverse order, each :math:`g_u = \sum_c g_c\,
    \partial c/\partial u` over the consumers :math:`c`. The node computed at a step is outlined
    in orange (as ``draw_graph``'s ``highlight``), the nodes it reads in blue, and the line below
    the graph says what is computed, with numbers. ``root`` defaults to
    :func:`~npfl_helpers.autodiff.lecture_graph`; any graph of scalar nodes works (its ``.grad``
    are filled).
    """
    return BackpropStepper(root)


# ----------------------------------------------------------------------------------------------
# activations and their derivatives


_ACT_TEXT = {
    "sigmoid": ("σ", r"$\sigma'(a) \leq \frac{1}{4}$: each σ layer shrinks the gradient 4× or more",
                0.25, "max σ′ = 1/4"),
    "tanh": ("tanh", r"$\tanh'(a) \leq 1$, and $\tanh'(a) \approx 0$ once $|a| > 3$", 1.0,
             "max tanh′ = 1"),
    "relu": ("ReLU", r"$\mathrm{ReLU}'(a) \in \{0, 1\}$: the gradient passes whole, or not at "
             "all", 1.0, "ReLU′ = 1 for a > 0"),
}
_VANISH = 0.05  # f'(a) below this counts as "vanished" in the shading
_DEPTH = 10  # the text shows f'(a)^depth: the factor from `depth` such layers


class ActivationExplorer(Explorer):
    """See :func:`activation_explorer`."""

    def __init__(self):
        fig = new_figure(figsize=(11.0, 4.4), layout="constrained")
        ax_f, ax_d = fig.subplots(1, 2)
        a = np.linspace(-6.0, 6.0, 1201)
        self.names = tuple(_ACT_TEXT)
        self.curves = plot_activations(ax_f, ax_d, self.names, a)
        self.shades = {}
        for name in self.names:
            _, df = mlp.ACTIVATIONS[name]
            mask = df(a) < _VANISH
            self.shades[name] = ax_d.fill_between(
                a, 0, 1, where=mask, transform=ax_d.get_xaxis_transform(), color="#999999",
                alpha=0.18, linewidth=0, label=f"gradient vanishes: f′ < {_VANISH}")
        self.max_line = ax_d.axhline(0.25, color="#555555", linestyle=":", linewidth=1.2)
        self.max_text = ax_d.text(5.9, 0.25, "", ha="right", va="bottom", fontsize=9,
                                  color="#333333")
        self.vlines = [ax.axvline(0.0, color="#777777", linewidth=1.0, linestyle="--")
                       for ax in (ax_f, ax_d)]
        (self.dot_f,) = ax_f.plot([], [], marker="o", markersize=9, markeredgecolor="black",
                                  linestyle="none", zorder=5)
        (self.dot_d,) = ax_d.plot([], [], marker="o", markersize=9, markeredgecolor="black",
                                  linestyle="none", zorder=5)
        self.info = ax_f.text(0.03, 0.97, "", transform=ax_f.transAxes, ha="left", va="top",
                              fontsize=9.5, bbox={"facecolor": "white", "alpha": 0.9,
                                                  "edgecolor": "#CCCCCC"})
        ax_f.legend(loc="lower right", fontsize=9)
        ax_d.legend(handles=[Patch(color="#999999", alpha=0.35,
                                   label=f"gradient vanishes: f′(a) < {_VANISH}")],
                    loc="upper left", fontsize=8.5)
        self.ax_f, self.ax_d = ax_f, ax_d
        self.animate(*(line for art in self.curves.values()
                       for line in (art.f, art.df, *art.extras)),
                     *self.shades.values(), self.max_line, self.max_text, *self.vlines,
                     self.dot_f, self.dot_d, self.info, ax_f.title, ax_d.title)
        controls = {
            "function": W.Dropdown(options=[("σ (sigmoid)", "sigmoid"), ("tanh", "tanh"),
                                            ("ReLU", "relu")], value="sigmoid",
                                   description="function", style=_STYLE),
            "a": W.FloatSlider(value=1.0, min=-6.0, max=6.0, step=0.1, description="input a",
                               readout_format=".1f", style=_STYLE,
                               layout=W.Layout(width="420px")),
        }
        super().__init__(fig, controls)

    def refresh(self) -> None:
        name = check_choice("function", self.controls["function"].value, self.names)
        a = round(float(self.controls["a"].value), 6)
        a = 0.0 if abs(a) < 1e-9 else a
        f, df = mlp.ACTIVATIONS[name]
        fa, da = float(f(np.float64(a))), float(df(np.float64(a)))
        for other, art in self.curves.items():
            on = other == name
            for line in (art.f, art.df, *art.extras):
                line.set_alpha(1.0 if on else 0.22)
                line.set_linewidth(2.6 if on else 1.2)
            self.shades[other].set_visible(on)
        color = ACTIVATION_COLORS[name]
        self.dot_f.set_data([a], [fa])
        self.dot_d.set_data([a], [da])
        self.dot_f.set_markerfacecolor(color)
        self.dot_d.set_markerfacecolor(color)
        for v in self.vlines:
            v.set_xdata([a, a])
        sym, finding, top, top_text = _ACT_TEXT[name]
        self.max_line.set_ydata([top, top])
        self.max_text.set_position((5.9, top))
        self.max_text.set_text(top_text)
        self.ax_d.set_title(finding, fontsize=10)
        self.ax_f.set_title(f"{ACTIVATION_LABELS[name]} and its input $a$", fontsize=10)
        product = da**_DEPTH
        lines = [f"a = {a:.2f}", f"{sym}(a) = {fa:.4g},   {sym}′(a) = {da:.4g}",
                 f"through {_DEPTH} such layers: {sym}′(a){autodiff._sup(_DEPTH)} = {product:.2g}"]
        if name == "relu" and a == 0.0:
            lines.append("ReLU′(0) = 0 by convention (any value in [0, 1] is a subgradient)")
        elif da < _VANISH:
            lines.append("the gradient vanishes here: almost nothing flows back")
        self.info.set_text("\n".join(lines))


def activation_explorer() -> ActivationExplorer:
    r"""σ, tanh and ReLU (left) and their derivatives (right) at an input :math:`a`.

    Controls: ``function`` (the highlighted activation) and ``a`` (−6 … 6, a marker on both
    curves). Shaded: where :math:`f'(a) < 0.05` and the gradient effectively vanishes; dotted:
    the largest derivative (:math:`\sigma' \le \frac14`, :math:`\tanh' \le 1`,
    :math:`\operatorname{ReLU}' \in \{0, 1\}` with :math:`\operatorname{ReLU}'(0) = 0`). The text
    shows :math:`f'(a)^{10}`, the factor by which ten such layers scale a gradient.
    """
    return ActivationExplorer()
