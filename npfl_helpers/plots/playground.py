r"""Figures of notebook 10 (the playground): a network's decision regions and its loss curves
while it trains.

:func:`plot_playground` draws one :class:`~npfl_helpers.live_training.LiveTraining` run on two
axes and returns the artists; :func:`update_playground` replaces their data in place after the
run advanced (the explorer of notebook 10 calls it once per frame):

- left, the decision regions: an image of the class probabilities on the run's grid, each pixel
  the probability-weighted mix of light class colours (pure where the network is sure, grey-ish
  along the boundary), with the training points (filled) and test points (rings) on top;
- right, the training and test loss (mean cross-entropy, log scale) against the number of
  updates, measured after every update.

>>> from npfl_helpers.live_training import LiveTraining
>>> run = LiveTraining("two_moons", hidden=(8,), optimizer="adam", lr=0.05)
>>> fig, art = playground_figure(run)
>>> _ = run.step(50); update_playground(art, run, fresh=False)
>>> int(art.train_loss.get_xdata()[-1]), art.image.get_array().shape
(50, (60, 60, 4))
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from matplotlib import ticker as mticker
from matplotlib.axes import Axes
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.text import Text

from ..trajectories import nice_ceil
from ._style import OPTIMIZER_LABELS, new_figure, sci_text

__all__ = ["CLASS_COLORS", "PlaygroundArtists", "compare_runs", "playground_figure",
           "playground_title", "plot_playground", "plot_regions", "region_image",
           "settings_text", "update_playground"]

CLASS_COLORS = ("#0072B2", "#D55E00", "#009E73")
"""One colour per class (Okabe–Ito blue, vermillion, green)."""

LOSS_FLOOR = 1e-4
"""Losses below this are drawn at this value (the bottom of the loss panel)."""

_LIGHT = 0.45  # share of the class colour in a region's colour (the rest is white)
_MAX_POINTS = 300  # loss curves are thinned to about this many points for drawing
# (a noisy curve of 2,000 points takes ~10x longer to rasterise than one of 300)
_TRAIN_COLOR, _TEST_COLOR = "#000000", "#CC79A7"


class PlaygroundArtists(NamedTuple):
    """What :func:`plot_playground` draws; :func:`update_playground` changes their data."""

    image: AxesImage  # the decision regions
    train_points: tuple[Line2D, ...]  # one line of markers per class (drawn fast)
    test_points: tuple[Line2D, ...]
    train_loss: Line2D
    test_loss: Line2D
    end: Line2D  # an "×" on the training curve where a diverged run stopped
    title: Text  # update, epoch, test accuracy, or why the run diverged
    subtitle: Text  # the optimiser and its hyperparameters
    ax_regions: Axes
    ax_loss: Axes


def _rgb(color: str) -> np.ndarray:
    return np.array([int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)])


_LIGHT_RGB = np.array([1.0 - _LIGHT + _LIGHT * _rgb(c) for c in CLASS_COLORS])


def region_image(p: np.ndarray) -> np.ndarray:
    r"""RGBA image ``(H, W, 4)``, ``uint8``, of class probabilities ``p`` ``(H, W, C)``:
    :math:`\sum_c p_c \cdot \text{light colour}_c` (a uniform guess is a grey-ish mix of the
    class colours). Bytes, because matplotlib then resamples the image without converting it
    first (about half the drawing time).

    >>> region_image(np.array([[[1.0, 0.0]]])).tolist()   # sure of class 0
    [[[140, 192, 220, 255]]]
    """
    p = np.asarray(p, dtype=np.float64)
    out = np.empty((*p.shape[:-1], 4), dtype=np.uint8)
    with np.errstate(invalid="ignore"):
        rgb = np.clip(p @ _LIGHT_RGB[:p.shape[-1]], 0.0, 1.0)
    out[..., :3] = np.rint(np.nan_to_num(rgb, nan=1.0) * 255)
    out[..., 3] = 255
    return out


def _thin(x: np.ndarray, *ys: np.ndarray) -> tuple[np.ndarray, ...]:
    """Every k-th point (and the last) when there are more than about ``_MAX_POINTS``."""
    k = max(1, len(x) // _MAX_POINTS)
    if k == 1:
        return (x, *ys)
    idx = np.r_[np.arange(0, len(x) - 1, k), len(x) - 1]
    return (x[idx], *(y[idx] for y in ys))


def playground_title(run) -> str:
    """Update, epoch and test accuracy of a run, or that it diverged and why.

    >>> from npfl_helpers.live_training import LiveTraining
    >>> run = LiveTraining("spirals", lr=10.0)
    >>> playground_title(run)
    'update t = 0 · epoch 0.0 · test accuracy 39%'
    >>> _ = run.step(50); playground_title(run).startswith("diverged: the training loss")
    True
    """
    if run.diverged:
        return f"diverged: {run.divergence}; try a smaller α, then Reset"
    return (f"update t = {run.steps:,} · epoch {run.epoch:.1f} · test accuracy "
            f"{run.history.test_accuracy[-1]:.0%}")


def settings_text(run) -> str:
    """The optimiser and its hyperparameters in a few words.

    >>> from npfl_helpers.live_training import LiveTraining
    >>> settings_text(LiveTraining(optimizer="adam", lr=0.01, batch_size=10**6))
    'Adam, α = 0.01, β₁ = 0.9, full batch (N = 200), λ = 0, 10 updates per frame'
    """
    s = run.settings
    text = f"{OPTIMIZER_LABELS.get(s['optimizer'], s['optimizer'])}, α = {sci_text(s['lr'])}"
    if s["optimizer"] not in ("sgd", "adagrad"):
        text += f", {'β₁' if s['optimizer'] == 'adam' else 'β'} = {s['beta']:g}"
    n = len(run.y_train)
    batch = f"full batch (N = {n})" if s["batch_size"] >= n else f"batch {s['batch_size']}"
    per = s["updates_per_tick"]
    return (f"{text}, {batch}, λ = {sci_text(s['l2'])}, {per} update{'s' * (per != 1)} "
            f"per frame")


def plot_regions(ax: Axes, run, title: str | None = None):
    """The decision regions of ``run`` as an image, with its training points (dots) and test
    points (rings) on top; returns ``(image, train_points, test_points)``.

    ``image`` is an ``imshow`` of :func:`region_image` over ``run.bounds``; the points are one
    line of markers per class (``(Line2D, ...)``), so that they draw fast.
    """
    (x0, x1), (y0, y1) = run.bounds
    image = ax.imshow(region_image(run.probabilities()), origin="lower",
                      extent=(x0, x1, y0, y1), interpolation="bilinear", aspect="auto")
    train = tuple(ax.plot(run.X_train[run.y_train == c, 0], run.X_train[run.y_train == c, 1],
                          linestyle="none", marker="o", markersize=4.3, markerfacecolor=col,
                          markeredgecolor="white", markeredgewidth=0.6)[0]
                  for c, col in enumerate(CLASS_COLORS))
    test = tuple(ax.plot(run.X_test[run.y_test == c, 0], run.X_test[run.y_test == c, 1],
                         linestyle="none", marker="o", markersize=4.3, markerfacecolor="none",
                         markeredgecolor=col, markeredgewidth=1.1)[0]
                 for c, col in enumerate(CLASS_COLORS))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title is None:
        title = "decision regions; dots: training points, rings: test points"
    ax.set_title(title, fontsize=9.5)
    return image, train, test


def plot_playground(ax_regions: Axes, ax_loss: Axes, run) -> PlaygroundArtists:
    """Draw a run: decision regions with the points (left), losses against updates (right).

    The title is a figure-level text above both panels. Returns the artists for
    :func:`update_playground`.
    """
    image, train, test = plot_regions(ax_regions, run)

    (train_loss,) = ax_loss.plot([], [], color=_TRAIN_COLOR, linewidth=1.4,
                                 label="training loss")
    (test_loss,) = ax_loss.plot([], [], color=_TEST_COLOR, linewidth=1.4, label="test loss")
    (end,) = ax_loss.plot([], [], linestyle="none", marker="x", markersize=10,
                          markeredgewidth=2.5, color="#D55E00")
    ax_loss.set_yscale("log")
    ax_loss.yaxis.set_minor_locator(mticker.NullLocator())
    ax_loss.set_xlabel("update $t$ (minibatches done)")
    ax_loss.set_ylabel("loss (mean cross-entropy)")
    ax_loss.grid(True, which="major", alpha=0.3)
    # above the panel, where the moving curves never cover it
    ax_loss.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, fontsize=8.5,
                   frameon=False, borderaxespad=0.2)
    fig = ax_regions.figure
    # a figure title that belongs to the first axes (as an explorer's dynamic title does)
    title = ax_regions.text(0.5, 0.995, "", transform=fig.transFigure, ha="center", va="top",
                            fontsize=10.5, clip_on=False)
    subtitle = ax_regions.text(0.5, 0.948, "", transform=fig.transFigure, ha="center",
                               va="top", fontsize=9, color="#444444", clip_on=False)
    for text in (title, subtitle):
        text.set_in_layout(False)
    art = PlaygroundArtists(image, train, test, train_loss, test_loss, end, title, subtitle,
                            ax_regions, ax_loss)
    update_playground(art, run)
    return art


def _loss_limits(ax_loss: Axes, lo: float, hi: float, fresh: bool) -> None:
    """Decades around [lo, hi]; kept while the data fit (a quiet axis), widened otherwise
    (``fresh``: set from the data alone)."""
    want_lo = 10.0 ** math.floor(math.log10(max(lo, LOSS_FLOOR)))
    want_hi = 10.0 ** math.ceil(math.log10(max(hi, 10 * want_lo)))
    if not fresh:
        cur_lo, cur_hi = ax_loss.get_ylim()
        if cur_lo <= want_lo and want_hi <= cur_hi:
            return
        want_lo, want_hi = min(want_lo, cur_lo), max(want_hi, cur_hi)
    ax_loss.set_ylim(want_lo, want_hi)


def update_playground(art: PlaygroundArtists, run, *, fresh: bool = True) -> None:
    """Show the run's current state: the image's data replaced in place, the loss curves, the
    limits of the loss panel, the title.

    ``fresh=True`` (a new or reset run) also sets the points, the extent of the regions and the
    loss limits from scratch; ``fresh=False`` (the same run, further on) only widens the loss
    limits when the curves leave them, so the axes keep still.
    """
    art.image.set_data(region_image(run.probabilities()))
    if fresh:
        (x0, x1), (y0, y1) = run.bounds
        art.image.set_extent((x0, x1, y0, y1))
        art.ax_regions.set_xlim(x0, x1)
        art.ax_regions.set_ylim(y0, y1)
        for c, (train, test) in enumerate(zip(art.train_points, art.test_points, strict=True)):
            train.set_data(run.X_train[run.y_train == c].T)
            test.set_data(run.X_test[run.y_test == c].T)
    h = run.history
    t, train, test = _thin(np.asarray(h.steps), np.asarray(h.train_loss),
                           np.asarray(h.test_loss))
    with np.errstate(invalid="ignore"):
        train_shown = np.maximum(train, LOSS_FLOOR)
        test_shown = np.maximum(test, LOSS_FLOOR)
    art.train_loss.set_data(t, train_shown)
    art.test_loss.set_data(t, test_shown)
    if run.diverged:
        art.end.set_data([t[-1]], [train_shown[-1]])
    else:
        art.end.set_data([], [])
    # the first of 100, 200, 500, 1000, … that is ≥ 1.05 t
    art.ax_loss.set_xlim(0, int(nice_ceil(max(100.0, 1.05 * run.steps))))
    both = np.concatenate([train_shown, test_shown])
    both = both[np.isfinite(both)]
    if both.size:
        _loss_limits(art.ax_loss, float(both.min()), float(both.max()), fresh)
    art.title.set_text(playground_title(run))
    art.subtitle.set_text(settings_text(run))


def playground_figure(run, figsize=(10.5, 4.6)):
    """A new figure with the two panels of :func:`plot_playground` for ``run``: ``(fig, art)``.

    Created under ``plt.ioff()``; show it with ``plt.show()``.
    """
    fig, (ax_regions, ax_loss) = new_figure(2, figsize=figsize)
    fig.get_layout_engine().set(rect=(0.0, 0.0, 1.0, 0.9))
    art = plot_playground(ax_regions, ax_loss, run)
    return fig, art


def compare_runs(runs, title: str = "", figsize=None):
    """Several runs side by side: the decision regions of each, then all their losses.

    ``runs`` maps a label to a :class:`~npfl_helpers.live_training.LiveTraining`. The last
    panel shows each run's training loss (solid) and test loss (dashed) against the updates,
    in one colour per run (log scale); a run that diverged ends in an "×". Returns
    ``(fig, axes)``; created under ``plt.ioff()``, show it with ``plt.show()``.
    """
    runs = dict(runs)
    n = len(runs)
    fig, axes = new_figure(n + 1, figsize=figsize or (4.2 * (n + 1), 4.0))
    colors = ("#000000", "#CC79A7", "#E69F00", "#999999")  # none of them a class colour
    ax_loss = axes[-1]
    highest = 0.0
    for k, (label, run) in enumerate(runs.items()):
        h, color = run.history, colors[k % len(colors)]
        verdict = "diverged" if run.diverged else f"test accuracy {h.test_accuracy[-1]:.0%}"
        plot_regions(axes[k], run, title=f"{label}\n{verdict} after {run.steps:,} updates")
        t, train, test = _thin(np.asarray(h.steps), np.asarray(h.train_loss),
                               np.asarray(h.test_loss))
        train, test = np.maximum(train, LOSS_FLOOR), np.maximum(test, LOSS_FLOOR)
        ax_loss.plot(t, train, color=color, linewidth=1.3, label=f"{label}: training")
        ax_loss.plot(t, test, color=color, linewidth=1.3, linestyle="--", label="test")
        if run.diverged:
            ax_loss.plot([t[-1]], [train[-1]], "x", color=color, markersize=10,
                         markeredgewidth=2.5)
        highest = max(highest, float(np.nanmax(np.r_[train, test])))
    ax_loss.set_yscale("log")
    ax_loss.set_ylim(top=10.0 ** math.ceil(math.log10(max(highest, 1.0)) + 0.01))
    ax_loss.set_xlabel("update $t$")
    ax_loss.set_ylabel("loss (mean cross-entropy)")
    ax_loss.grid(True, which="major", alpha=0.3)
    ax_loss.legend(fontsize=7.5, loc="lower left")
    ax_loss.set_title("training (solid) and test (dashed) loss", fontsize=9.5)
    if title:
        fig.suptitle(title, fontsize=11)
    return fig, axes
