r"""Explorers of notebook 05 (backpropagation): the lecture's two algorithms one node at a time,
and the activations whose derivatives decide how much gradient flows back.

=============================  ==============================================================
explorer                       what it shows
=============================  ==============================================================
:func:`backprop_stepper`       forward propagation in topological order, then backpropagation
                               in reverse order, one node per step, with the numbers
:func:`activation_explorer`    σ, tanh, ReLU and their derivatives; where gradients vanish
=============================  ==============================================================

The example graph and the text of each step (``lecture_graph``, ``backprop_steps``,
``box_label``) are in :mod:`npfl_helpers.backprop_stepper`; the graph drawing is
:func:`npfl_helpers.autodiff.draw_graph`.

>>> ex = backprop_stepper()
>>> ex.controls["step"].value = 5
>>> ex.line.get_text()
'a = u + b = 0.75 + (−0.25) = 0.5'
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Patch
from matplotlib.text import Annotation

from .. import autodiff, mlp
from .._validate import check_choice
from ..backprop_stepper import backprop_steps, box_label, lecture_graph, superscript
from ..plots import ACTIVATION_COLORS, ACTIVATION_LABELS, plot_activations
from ._base import Explorer, explorer_figure
from ._controls import NATURAL, Controls

__all__ = ["backprop_stepper", "activation_explorer"]

_c = Controls(width="420px", label_width="90px")


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
        fig = explorer_figure(figsize=(max(9.0, width), height + 1.1))
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
        # (every label is padded to the width it has once all is known, see box_label)
        self.animate_text(*self.boxes.values(), self.head, self.line)
        controls = {"step": _c.int_slider("step", 0, 0, 2 * n, width="520px")}
        super().__init__(fig, controls)

    def refresh(self) -> None:
        k = int(self.controls["step"].value)
        step = self.steps[k]
        n = self.n
        n_values = min(k, n)
        n_grads = max(k - n, 0)
        known_values = set(self.order[:n_values])
        known_grads = set(self.order[n - n_grads:]) if n_grads else set()
        for node, box in self.boxes.items():
            box.set_text(box_label(node, node in known_values, node in known_grads))
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
    the graph says what is computed, with numbers (:mod:`npfl_helpers.backprop_stepper`).
    ``root`` defaults to :func:`~npfl_helpers.backprop_stepper.lecture_graph`; any graph of
    scalar nodes works (its ``.grad`` are filled).
    """
    return BackpropStepper(root)


# ----------------------------------------------------------------------------------------------
# activations and their derivatives


_ACT_TEXT = {
    "sigmoid": ("σ", r"$\sigma'(a) \leq \frac{1}{4}$: the derivative factors of ten σ layers "
                r"$\leq 4^{-10}$", 0.25, "max σ′ = 1/4"),
    "tanh": ("tanh", r"$\tanh'(a) \leq 1$, and $\tanh'(a) \approx 0$ once $|a| > 3$", 1.0,
             "max tanh′ = 1"),
    "relu": ("ReLU", r"$\mathrm{ReLU}'(a) \in \{0, 1\}$: the gradient passes whole, or not at "
             "all", 1.0, "ReLU′ = 1 for a > 0"),
}
_VANISH = 0.05  # f'(a) below this counts as "vanished" in the shading
_DEPTH = 10  # the text shows f'(a)^depth: the derivative factor of `depth` such layers


class ActivationExplorer(Explorer):
    """See :func:`activation_explorer`."""

    def __init__(self):
        fig = explorer_figure(figsize=(11.0, 4.4), layout="constrained")
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
                     self.dot_f, self.dot_d, self.info)
        self.animate_text(ax_f.title, ax_d.title)
        controls = {
            "function": _c.dropdown("function", "sigmoid", [("σ (sigmoid)", "sigmoid"),
                                                            ("tanh", "tanh"), ("ReLU", "relu")],
                                    width=NATURAL),
            "a": _c.float_slider("input a", 1.0, -6.0, 6.0, 0.1, readout_format=".1f"),
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
                 f"derivative factor of {_DEPTH} such layers: {sym}′(a){superscript(_DEPTH)} = "
                 f"{product:.2g}", "(the gradient is also multiplied by each layer's Wᵀ)"]
        if name == "relu" and a == 0.0:
            lines.append("ReLU′(0): undefined (NaN in the lecture); 0 by convention, as in\n"
                         "PyTorch and TensorFlow (any value in [0, 1] is a subgradient)")
        elif da < _VANISH:
            lines.append("the gradient vanishes here: almost nothing flows back")
        self.info.set_text("\n".join(lines))


def activation_explorer() -> ActivationExplorer:
    r"""σ, tanh and ReLU (left) and their derivatives (right) at an input :math:`a`.

    Controls: ``function`` (the highlighted activation) and ``a`` (−6 … 6, a marker on both
    curves). Shaded: where :math:`f'(a) < 0.05` and the gradient effectively vanishes; dotted:
    the largest derivative (:math:`\sigma' \le \frac14`, :math:`\tanh' \le 1`,
    :math:`\operatorname{ReLU}' \in \{0, 1\}` with :math:`\operatorname{ReLU}'(0) = 0`, where the
    lecture leaves it undefined). The text shows :math:`f'(a)^{10}`, the derivative factor of ten
    such layers at that input: the part of backpropagation's product that the activation
    contributes; the weights :math:`W_l^\top` multiply the gradient too, so the whole gradient
    can shrink less, or more.
    """
    return ActivationExplorer()
