r"""Figures of notebook 06 (training an MLP): loss and accuracy per epoch of training runs, runs
repeated over seeds with their error bars, and what a regulariser does to each weight.

The explorer of notebook 06 in :mod:`npfl_helpers.widgets` draws with these functions and updates
the returned artists. The arrays drawn come from :func:`npfl_helpers.mlp.history_curves`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
from matplotlib import ticker as mticker
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from ..estimators import standard_error
from ..mlp import history_curves

__all__ = ["HistoryArtists", "fit_history_axes", "history_curves", "history_legend",
           "plot_accuracies", "plot_history", "plot_seed_runs", "plot_weight_shrink",
           "update_history"]

_LOSS_RANGE = (1e-4, 1e3)  # loss panel limits never go beyond this


class HistoryArtists(NamedTuple):
    """What :func:`plot_history` draws for one run: four curves and a divergence mark."""

    train_loss: Line2D
    dev_loss: Line2D
    train_accuracy: Line2D
    dev_accuracy: Line2D
    diverged: Line2D  # "×" at the top of the loss panel in the epoch the run diverged


class _PlainLogFormatter(mticker.LogFormatterSciNotation):
    """Log-axis labels as plain numbers (0.2, 1, 30); tiny or huge ones as powers of ten."""

    def __call__(self, x, pos=None):
        text = super().__call__(x, pos)
        return f"{x:g}" if text and 1e-3 <= abs(x) < 1e4 else text



def _history_data(history) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    c = history_curves(history)
    d = c["diverged"]
    return {"train_loss": (c["epoch"], c["train_loss"]),
            "dev_loss": (c["dev_epoch"], c["dev_loss"]),
            "train_accuracy": (c["epoch"], c["train_accuracy"]),
            "dev_accuracy": (c["dev_epoch"], c["dev_accuracy"]),
            "diverged": (np.array([d]) if np.isfinite(d) else np.empty(0),
                         np.array([0.93]) if np.isfinite(d) else np.empty(0))}


def plot_history(ax_loss: Axes, ax_acc: Axes, history, label: str | None = None,
                 color: str = "#000000", *, alpha: float = 1.0,
                 linewidth: float = 1.8) -> HistoryArtists:
    r"""Loss (left) and accuracy (right) per epoch of one training run; return the artists.

    Training curves are dashed, dev curves solid, both in ``color``; ``label`` goes on the dev
    loss curve (one legend entry per run, see :func:`history_legend`). The loss is the mean
    cross-entropy :math:`-\frac1N\sum_i \log p(y_i \mid x_i; \theta)` (without the L2 term) on a
    log axis; the training values average the minibatches of the epoch, the dev values are
    measured after it. A run that diverged ends where its loss stopped being finite and gets a
    "×" at the top of the loss panel in that epoch. Update in place with :func:`update_history`;
    set sensible limits for several runs with :func:`fit_history_axes`.
    """
    data = _history_data(history)
    kw = {"color": color, "alpha": alpha, "linewidth": linewidth}
    (train_loss,) = ax_loss.plot(*data["train_loss"], linestyle="--", **kw)
    (dev_loss,) = ax_loss.plot(*data["dev_loss"], linestyle="-", label=label, **kw)
    (train_acc,) = ax_acc.plot(*data["train_accuracy"], linestyle="--", **kw)
    (dev_acc,) = ax_acc.plot(*data["dev_accuracy"], linestyle="-", **kw)
    (mark,) = ax_loss.plot(*data["diverged"], linestyle="none", marker="x", markersize=10,
                           markeredgewidth=2.5, color=color, alpha=alpha, clip_on=False,
                           transform=ax_loss.get_xaxis_transform())
    mark.set_in_layout(False)  # outside the data limits it must not squeeze the layout
    ax_loss.set_yscale("log")
    ax_loss.yaxis.set_major_formatter(_PlainLogFormatter())
    ax_loss.yaxis.set_minor_formatter(_PlainLogFormatter(labelOnlyBase=False,
                                                         minor_thresholds=(1.5, 0.6)))
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("loss (mean cross-entropy)")
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy")
    for ax in (ax_loss, ax_acc):
        ax.xaxis.set_major_locator(mticker.MaxNLocator(integer=True))
        ax.grid(True, which="major", alpha=0.3)
    return HistoryArtists(train_loss, dev_loss, train_acc, dev_acc, mark)


def update_history(artists: HistoryArtists, history, *, color: str | None = None,
                   alpha: float | None = None) -> None:
    """Put another run's curves into the artists of :func:`plot_history` (in place)."""
    data = _history_data(history)
    for name, line in zip(HistoryArtists._fields, artists, strict=True):
        line.set_data(*data[name])
        if color is not None:
            line.set_color(color)
        if alpha is not None:
            line.set_alpha(alpha)


def fit_history_axes(ax_loss: Axes, ax_acc: Axes, histories, *, epochs: int | None = None):
    r"""Limits that show every run: all epochs, the finite losses (log), accuracies up to 1.

    ``histories`` is a sequence of histories (as for :func:`plot_history`). The loss panel spans
    the finite values with a margin, clipped to :math:`[10^{-4}, 10^{3}]` (a diverging run's
    last values do not squash the others); the accuracy panel spans the lowest value (rounded
    down to 0.05) to 1. ``epochs`` fixes the right end of the epoch axis.
    """
    curves = [history_curves(h) for h in histories]
    last = max([len(c["epoch"]) for c in curves] + [len(c["dev_epoch"]) for c in curves] + [1])
    last = max(last, epochs or 1)
    for ax in (ax_loss, ax_acc):
        ax.set_xlim(0.5, last + 0.5)

    def finite(keys):
        vals = [c[k][np.isfinite(c[k])] for c in curves for k in keys]
        return np.concatenate(vals) if vals else np.empty(0)

    loss = finite(("train_loss", "dev_loss"))
    loss = loss[loss > 0]
    if loss.size:
        low = max(float(loss.min()) / 1.5, _LOSS_RANGE[0])
        high = min(float(loss.max()) * 1.5, _LOSS_RANGE[1])
        ax_loss.set_ylim(low, max(high, 2 * low))
    acc = finite(("train_accuracy", "dev_accuracy"))
    low = float(np.floor(acc.min() / 0.05) * 0.05) if acc.size else 0.0
    ax_acc.set_ylim(min(max(low, 0.0), 0.9), 1.005)


def history_legend(ax: Axes, runs: Mapping[str, str] | None = None, **kwargs):
    """A legend that explains the line styles (train dashed, dev solid) and, optionally, the runs.

    ``runs`` maps a label to a colour (one entry per run). Extra keyword arguments go to
    ``ax.legend``. Returns the legend.
    """
    handles = [Line2D([], [], color="#555555", linestyle="--", label="train"),
               Line2D([], [], color="#555555", linestyle="-", label="dev")]
    for name, color in (runs or {}).items():
        handles.append(Line2D([], [], color=color, linewidth=4, label=str(name)))
    kwargs.setdefault("fontsize", 8)
    return ax.legend(handles=handles, **kwargs)


def plot_accuracies(ax: Axes, accuracies: Mapping[str, float], colors, *,
                    xlabel: str = "dev accuracy"):
    """One dot per run at its accuracy, labelled with the value; the runs top to bottom.

    ``accuracies`` maps a run's label to its accuracy in [0, 1]; ``colors`` is one colour per run
    (a sequence, or a mapping from the labels). The x axis starts at the lowest accuracy rounded
    down to 2 % (with a 2 % margin) and ends at 1. Returns the dots (a ``PathCollection``).
    """
    labels = list(accuracies)
    acc = np.array([accuracies[k] for k in labels], dtype=np.float64)
    if isinstance(colors, Mapping):
        colors = [colors[k] for k in labels]
    y = np.arange(len(labels))[::-1]
    dots = ax.scatter(acc, y, s=60, zorder=3, c=list(colors))
    for yi, a in zip(y, acc, strict=True):
        ax.annotate(f"{a:.1%}", (a, yi), xytext=(7, 0), textcoords="offset points", va="center",
                    fontsize=8)
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlim(np.floor(acc.min() * 50 - 1) / 50, 1.0)
    ax.set_xlabel(xlabel)
    ax.grid(True, alpha=0.3)
    return dots


def plot_seed_runs(ax_curve: Axes, ax_final: Axes, runs: Mapping, colors,
                   linestyles=None, *, key: str = "dev_loss", label: str = "dev loss"):
    r"""Training runs repeated over seeds: mean curves with error bands, and the final values.

    ``runs`` maps a configuration's label to a sequence of histories, one per seed, all with the
    same number of epochs; ``key`` is the history field drawn (``"dev_loss"``,
    ``"dev_accuracy"``, …) and ``label`` names it on the axes. Left (``ax_curve``): the mean
    over seeds per epoch, with a band of ±1 standard error (sample standard deviation / √seeds).
    Right (``ax_final``): one row per configuration, a dot per seed at its final value and the
    mean ± 1 standard error as an error bar, labelled with both numbers. ``colors`` and
    ``linestyles`` map the labels to a colour and a line style (default solid). A loss is drawn
    on a log axis. Returns ``{label: (mean, standard error)}`` of the final values.
    """
    labels = list(runs)
    if isinstance(colors, Mapping):
        colors = [colors[k] for k in labels]
    styles = [(linestyles or {}).get(k, "-") for k in labels]
    y = np.arange(len(labels))[::-1]
    out = {}
    for k, color, style, row in zip(labels, colors, styles, y, strict=True):
        curves = [history_curves(h)[key] for h in runs[k]]
        if not curves or len({len(c) for c in curves}) != 1 or len(curves[0]) == 0:
            raise ValueError(f"runs[{k!r}] must hold histories with the same, non-zero number "
                             f"of epochs of {key}; got {[len(c) for c in curves]}")
        values = np.array(curves, dtype=np.float64)
        epochs = np.arange(1, values.shape[1] + 1)
        # one seed: no error band
        mean = values.mean(axis=0)
        se = standard_error(values, axis=0) if len(values) > 1 else np.zeros_like(mean)
        ax_curve.plot(epochs, mean, color=color, linestyle=style, linewidth=1.8, label=str(k))
        ax_curve.fill_between(epochs, mean - se, mean + se, color=color, alpha=0.2, lw=0)
        final = values[:, -1]
        m, e = float(final.mean()), standard_error(final) if final.size > 1 else 0.0
        out[k] = (m, e)
        ax_final.scatter(final, np.full(final.size, row), s=18, color=color, alpha=0.45,
                         zorder=2)
        ax_final.errorbar([m], [row], xerr=[e], fmt="o", color=color, ecolor="black",
                          capsize=4, markersize=7, zorder=3)
        ax_final.annotate(f"{m:.3g} ± {e:.2g}", (m, row), xytext=(0, 8),
                          textcoords="offset points", ha="center", fontsize=8)
    if "loss" in key:
        ax_curve.set_yscale("log")
        ax_curve.yaxis.set_major_formatter(_PlainLogFormatter())
        ax_curve.yaxis.set_minor_formatter(_PlainLogFormatter(labelOnlyBase=False,
                                                              minor_thresholds=(2, 0.5)))
    ax_curve.set_xlabel("epoch")
    ax_curve.set_ylabel(f"{label} (mean of {len(runs[labels[0]])} seeds ± 1 s.e.)")
    ax_curve.xaxis.set_major_locator(mticker.MaxNLocator(integer=True))
    ax_curve.grid(True, which="major", alpha=0.3)
    ax_final.set_yticks(y, labels, fontsize=8)
    ax_final.set_ylim(y.min() - 0.6, y.max() + 0.6)
    ax_final.margins(x=0.12)  # room for the labels of the outermost means
    ax_final.set_xlabel(f"final {label}: one dot per seed, mean ± 1 s.e.")
    ax_final.grid(True, axis="x", alpha=0.3)
    return out


def plot_weight_shrink(ax: Axes, w_start, w_end, still, *, factor: float | None = None,
                       factor_label: str | None = None, color: str = "#D55E00",
                       floor: float = 1e-12):
    r"""Each weight's size after training against its size before (log–log), one dot per weight.

    ``w_start`` and ``w_end`` hold the same weights (e.g. a layer's :math:`W`) before and after
    training; ``still`` (a boolean array of that shape) marks the weights whose loss gradient is
    0 throughout — their input is always 0, so only a regulariser moves them. Those are drawn
    in ``color``, the others small and grey. ``factor`` adds the dashed line
    :math:`|w_{\text{end}}| = \text{factor}\cdot|w_{\text{start}}|` labelled ``factor_label``
    (what a uniform decay by that factor would give), and the diagonal marks "unchanged".
    Sizes below ``floor`` are drawn at ``floor``. Returns the two lines of dots (still, others).
    """
    w0 = np.abs(np.asarray(w_start, dtype=np.float64))
    w1 = np.abs(np.asarray(w_end, dtype=np.float64))
    still = np.asarray(still)
    if w0.shape != w1.shape or np.broadcast_shapes(still.shape, w0.shape) != w0.shape:
        raise ValueError(f"w_start, w_end and still must have the same shape; got {w0.shape}, "
                         f"{w1.shape} and {still.shape}")
    still = np.broadcast_to(still.astype(bool), w0.shape)
    floor = float(floor)
    w0, w1 = np.maximum(w0, floor), np.maximum(np.nan_to_num(w1, nan=floor), floor)
    (others,) = ax.plot(w0[~still], w1[~still], ls="none", marker="o", ms=1.5, mew=0,
                        color="#999999", alpha=0.5, label="weights with a loss gradient")
    (quiet,) = ax.plot(w0[still], w1[still], ls="none", marker="o", ms=2.5, mew=0, color=color,
                       label="weights from always-blank pixels (no loss gradient)")
    x = np.geomspace(max(w0.min(), floor), w0.max(), 50)
    ax.plot(x, x, color="black", lw=0.8, ls=":", label="unchanged")
    if factor is not None:
        ax.plot(x, factor * x, color="black", lw=1.2, ls="--", label=factor_label)
    ax.set(xscale="log", yscale="log", xlabel=r"$|w|$ before training",
           ylabel=r"$|w|$ after training")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", markerscale=3)
    return quiet, others
