r"""The course's look, shared by every figure: colours, names, figure factory, numbers in titles.

One colour per optimiser, the same in every notebook (Okabe–Ito, colour-blind safe):

>>> color_for("adam"), OPTIMIZER_LABELS["rmsprop"]
('#D55E00', 'RMSProp')

Figures are created with pyplot under ``plt.ioff()``: they never display by themselves (also not
twice under ``%matplotlib widget``), and a notebook cell shows them with ``plt.show()``.
"""

from __future__ import annotations

import zlib

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from .._validate import check_int
from ..optim import LABELS

__all__ = [
    "OPTIMIZER_COLORS",
    "OPTIMIZER_LABELS",
    "SPARE_COLORS",
    "color_for",
    "label_for",
    "new_figure",
    "sci_text",
]

OPTIMIZER_COLORS: dict[str, str] = {
    "sgd": "#000000",
    "momentum": "#E69F00",
    "nesterov": "#56B4E9",
    "adagrad": "#009E73",
    "rmsprop": "#0072B2",
    "adam": "#D55E00",
}
OPTIMIZER_LABELS: dict[str, str] = LABELS  # the one table of display names, in optim
#: Okabe–Ito colours no optimiser owns, for anything else (schedules, extra runs).
SPARE_COLORS: tuple[str, ...] = ("#CC79A7", "#F0E442", "#999999")
#: Order for curves that are not optimisers (schedules): the palette, most distinct first.
_SEQUENCE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
             "#999999")


def _key(name: str) -> str | None:
    """The optimiser a name refers to: exact key, or the longest key it starts with."""
    low = str(name).lower().replace(" ", "").replace("-", "").replace("_", "")
    if low in OPTIMIZER_COLORS:
        return low
    hits = [k for k in OPTIMIZER_COLORS if low.startswith(k)]
    return max(hits, key=len) if hits else None


def color_for(name: str) -> str:
    """The course colour of optimiser ``name`` ("adam", "Adam", "adam_outside" → Adam's).

    Other names get a fixed spare colour (the same name always gets the same colour).

    >>> color_for("Momentum"), color_for("sgd (lr=0.1)")
    ('#E69F00', '#000000')
    """
    key = _key(name)
    if key is not None:
        return OPTIMIZER_COLORS[key]
    return SPARE_COLORS[zlib.crc32(str(name).encode()) % len(SPARE_COLORS)]


def label_for(name: str) -> str:
    """The display name of optimiser ``name`` ("rmsprop" → "RMSProp"); other names unchanged."""
    return OPTIMIZER_LABELS.get(str(name).lower(), str(name))


def new_figure(ncols: int = 1, figsize=None, pyplot: bool = True):
    """A figure with ``ncols`` axes side by side: ``(fig, axes)``, ``axes`` a list.

    With ``pyplot=True`` the figure is created under ``plt.ioff()`` (shown by ``plt.show()``, never
    by itself); with ``pyplot=False`` it is a bare :class:`~matplotlib.figure.Figure` that pyplot
    does not track (display it explicitly, e.g. in an ``Output`` widget).
    """
    ncols = check_int("ncols", ncols, 1)
    figsize = figsize or (5.0 * ncols, 4.4)
    if pyplot:
        with plt.ioff():
            fig = plt.figure(figsize=figsize, layout="constrained")
    else:
        fig = Figure(figsize=figsize, layout="constrained")
    axes = [fig.add_subplot(1, ncols, i + 1) for i in range(ncols)]
    return fig, axes


def _names_colors(K, labels, colors):
    """One label and one colour for each of ``K`` curves: optimiser names get their colour,
    other curves the palette in order; a single string applies to all."""
    if labels is None:
        labels = [None] * K
    elif isinstance(labels, str):
        labels = [labels] * K
    labels = list(labels)
    if len(labels) != K:
        raise ValueError(f"labels must have one entry per trajectory ({K}); got {len(labels)}")
    if colors is None:
        colors = [color_for(lab) if lab is not None and _key(lab) is not None
                  else _SEQUENCE[k % len(_SEQUENCE)] for k, lab in enumerate(labels)]
    elif isinstance(colors, str):
        colors = [colors] * K
    colors = list(colors)
    if len(colors) != K:
        raise ValueError(f"colors must have one entry per trajectory ({K}); got {len(colors)}")
    return labels, colors


def sci_text(x: float, *, math: bool = False) -> str:
    r"""``x`` for a title: 3 significant digits when :math:`0.01 \le |x| < 1000`, else
    :math:`m \times 10^{e}` with two (:math:`10^{e}` when :math:`m = 1`).

    The power of ten is mathtext: wrapped in ``$…$``, or bare with ``math=True`` (for use inside
    a formula).

    >>> sci_text(0.1234), sci_text(999.7), sci_text(-4.44e-3), sci_text(1e-6, math=True)
    ('0.123', '$10^{3}$', '$-4.4\\times 10^{-3}$', '10^{-6}')
    """
    x = float(x)
    if x == 0 or not np.isfinite(x) or 1e-2 <= abs(float(f"{x:.3g}")) < 1e3:
        return f"{x:.3g}"
    m, e = f"{x:.1e}".split("e")
    power = rf"10^{{{int(e)}}}"
    text = m[:-3] + power if m in ("1.0", "-1.0") else rf"{m}\times {power}"
    return text if math else f"${text}$"

