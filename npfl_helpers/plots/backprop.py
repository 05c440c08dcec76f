r"""Figures of notebook 05 (backpropagation): activations and their derivatives, errors of
finite differences, and matrices (Jacobians) side by side.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from ..mlp import activation_curves
from ._style import _SEQUENCE, new_figure
from .gradient_descent import plot_training_curves

__all__ = [
    "ACTIVATION_COLORS",
    "ACTIVATION_LABELS",
    "ActivationArtists",
    "jacobian_figure",
    "plot_activations",
    "plot_difference_errors",
    "plot_layer_gradients",
    "plot_matrices",
]

#: Colours of the activation functions (the palette's, most distinct first).
ACTIVATION_COLORS: dict[str, str] = {"sigmoid": "#0072B2", "tanh": "#D55E00", "relu": "#009E73"}
#: Display names of the activation functions.
ACTIVATION_LABELS: dict[str, str] = {"sigmoid": r"$\sigma$", "tanh": r"$\tanh$",
                                     "relu": r"$\mathrm{ReLU}$"}


class ActivationArtists(NamedTuple):
    """One activation's curves from :func:`plot_activations`: :math:`f`, :math:`f'` and extra
    markers (for ReLU the open/filled dots at the kink)."""

    f: Line2D
    df: Line2D
    extras: list


def plot_activations(ax_f: Axes, ax_df: Axes, names: Sequence[str] = ("sigmoid", "tanh", "relu"),
                     a=None) -> dict[str, ActivationArtists]:
    r"""σ, tanh and ReLU (left) and their derivatives (right) on a grid of pre-activations ``a``.

    Derivatives from :data:`npfl_helpers.mlp.ACTIVATIONS`: :math:`\sigma' = \sigma(1-\sigma) \le
    \frac14`, :math:`\tanh' = 1 - \tanh^2 \le 1`, :math:`\operatorname{ReLU}'(a) = [a > 0]`
    (0 at the kink, drawn as a filled dot; the open dot is the value it does not take).
    """
    a = np.linspace(-6.0, 6.0, 601) if a is None else np.asarray(a, dtype=np.float64)
    out = {}
    for name in names:
        y, dy = activation_curves(name, a)
        color = ACTIVATION_COLORS.get(name, "#000000")
        label = ACTIVATION_LABELS.get(name, name)
        (lf,) = ax_f.plot(a, y, color=color, linewidth=2.0, label=label)
        (ld,) = ax_df.plot(a, dy, color=color, linewidth=2.0, label=label + "$'$")
        extras = []
        if name == "relu" and a.min() < 0 < a.max():
            extras += ax_df.plot([0], [0], marker="o", markersize=6, color=color,
                                 linestyle="none")
            extras += ax_df.plot([0], [1], marker="o", markersize=6, markerfacecolor="white",
                                 markeredgecolor=color, linestyle="none")
        out[name] = ActivationArtists(lf, ld, extras)
    for ax, ylabel in ((ax_f, "$f(a)$"), (ax_df, "$f'(a)$")):
        ax.axhline(0.0, color="#999999", linewidth=0.8)
        ax.axvline(0.0, color="#999999", linewidth=0.8)
        ax.set_xlabel("pre-activation $a$")
        ax.set_ylabel(ylabel)
        ax.set_xlim(a.min(), a.max())
        ax.grid(True, alpha=0.3)
    ax_f.set_ylim(-1.2, 2.2)
    ax_df.set_ylim(-0.08, 1.12)
    return out


def plot_difference_errors(ax: Axes, h, errors: Mapping, *, colors=None, styles=None,
                           guides: Mapping | None = None, anchor: float = 1e-2,
                           offset: float = 0.1, floor: float = 1e-18) -> list[Line2D]:
    r"""Error of finite-difference derivatives against the step :math:`h`, log–log.

    ``errors`` maps a label to errors of shape ``h.shape``; ``colors`` and ``styles`` (line
    styles) map labels to values. ``guides`` maps a label to ``(curve label, slope)``: a thin grey
    line :math:`\propto h^{\text{slope}}` through ``offset`` times that curve's value at
    :math:`h =` ``anchor`` (parallel to the curve and just below it, e.g. the truncation errors
    :math:`O(h)` and :math:`O(h^2)`). Errors below ``floor`` (exact zeros) are drawn at ``floor``.
    """
    h = np.asarray(h, dtype=np.float64)
    names = list(errors)
    colors = colors or {}
    styles = styles or {}
    lines = []
    curves = {}
    for k, name in enumerate(names):
        e = np.maximum(np.abs(np.asarray(errors[name], dtype=np.float64)), floor)
        curves[name] = e
        lines += ax.plot(h, e, color=colors.get(name, _SEQUENCE[k % len(_SEQUENCE)]),
                         linestyle=styles.get(name, "-"), linewidth=1.8, label=str(name))
    i = int(np.argmin(np.abs(np.log(h) - np.log(anchor))))
    for text, (name, slope) in (guides or {}).items():
        ref = offset * curves[name][i] * (h / h[i]) ** slope
        keep = (h >= h[i] * 1e-2) & (h <= h[i] * 1e1)
        ax.plot(h[keep], ref[keep], color="#777777", linestyle=":", linewidth=1.2)
        j = np.flatnonzero(keep)[0]
        ax.annotate(text, (h[j], ref[j]), textcoords="offset points", xytext=(-4, 0),
                    ha="right", va="center", fontsize=9, color="#555555")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("step $h$")
    ax.set_ylabel("|finite difference − exact derivative|")
    ax.grid(True, which="major", alpha=0.3)
    return lines


def plot_matrices(axes: Sequence[Axes], matrices: Mapping, *, cmap: str = "RdBu_r",
                  shared: bool = True, colorbar: bool = True) -> list:
    r"""Show matrices (e.g. Jacobians computed in different ways) side by side as heat maps.

    ``matrices`` maps a title to a 2-D array, one per axis. With ``shared`` all use one
    symmetric colour scale (the largest absolute entry), so equal matrices look equal; otherwise
    each gets its own. Rows are the outputs :math:`i`, columns the inputs :math:`j`. Returns the
    images.
    """
    items = [(t, np.asarray(M, dtype=np.float64)) for t, M in matrices.items()]
    if len(items) != len(axes):
        raise ValueError(f"need one axis per matrix; got {len(axes)} axes for {len(items)} "
                         "matrices")
    top = max(float(np.nanmax(np.abs(M))) for _, M in items) if items else 1.0
    images = []
    for ax, (title, M) in zip(axes, items, strict=True):
        v = top if shared else float(np.nanmax(np.abs(M)))
        v = v if v > 0 else 1.0
        im = ax.imshow(M, cmap=cmap, vmin=-v, vmax=v, interpolation="nearest")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("input $j$")
        ax.set_ylabel("output $i$")
        ax.set_xticks(range(M.shape[1]))
        ax.set_yticks(range(M.shape[0]))
        if colorbar:
            ax.figure.colorbar(im, ax=ax, shrink=0.8)
        images.append(im)
    return images


def jacobian_figure(J_rows, J_columns, *, figsize=(8.5, 3.2)):
    r"""One Jacobian :math:`J_{ij} = \partial y_i / \partial x_j` computed two ways, side by side.

    ``J_rows``: row :math:`i` from the backward pass with :math:`g_y = e_i` (reverse mode);
    ``J_columns``: column :math:`j` from central differences along :math:`e_j`. One colour scale
    (:func:`plot_matrices`), so equal matrices look equal. Returns ``(fig, axes)``.
    """
    J_rows = np.asarray(J_rows, dtype=np.float64)
    fig, axes = new_figure(2, figsize=figsize)
    plot_matrices(axes, {f"rows from {len(J_rows)} backward passes": J_rows,
                         "columns from central differences": J_columns})
    fig.suptitle("The same Jacobian $J_{ij} = \\partial y_i / \\partial x_j$ computed both ways",
                 fontsize=11)
    return fig, axes


def plot_layer_gradients(ax: Axes, norms: Mapping) -> list[Line2D]:
    r"""The size :math:`\lVert g_{h_l}\rVert` of the gradient at each layer :math:`l`, log scale.

    ``norms`` maps an activation name (``"sigmoid"``, ``"tanh"``, ``"relu"``) to the norms for
    :math:`l = 0 \dots L`, as :func:`npfl_helpers.mlp.layer_gradient_norms` returns them; each
    gets its colour and symbol. Returns the lines.
    """
    names = list(norms)
    depth = max(len(np.asarray(v)) for v in norms.values()) - 1
    lines = plot_training_curves(
        ax, {ACTIVATION_LABELS.get(n, n): (np.arange(len(norms[n])), norms[n]) for n in names},
        colors=[ACTIVATION_COLORS.get(n, "#000000") for n in names], marker="o",
        xlabel=f"layer $l$ (0 = input, {depth} = output)", ylabel=r"$\|g_{h_l}\|$ (log scale)")
    ax.legend()
    return lines
