r"""The explorer of notebook 06 (training an MLP): train the 80s MLP on the 8x8 digits and
watch its training and dev curves.

:func:`training_explorer` reproduces the knobs of the NPFL114 *mnist_training* assignment
(optimiser, learning rate and its decay) plus the model's size, activation and L2 penalty, and
the training set: how many images, and how many of their labels are wrong.
Training takes a moment, so moving a control only redraws the learning-rate schedule it
implies; the **Train** button trains a fresh model and draws its curves, and the previous run
stays visible as faint lines for comparison.

The assignment's parts are in the core: its decay is :func:`npfl_helpers.schedules.lr_schedule`
(the rate after the last update is ``learning_rate_final``), its optimisers
:func:`npfl_helpers.optim.make_optimizer`.

>>> from npfl_helpers.data import load_small
>>> ex = training_explorer(load_small(), batch_size=25)   # trains once with the defaults
>>> ex.controls["epochs"].value = 3                       # redraws the schedule, no training
>>> len(ex.history.train_loss)
10
>>> ex.button.click()
>>> len(ex.history.train_loss), len(ex.previous.train_loss)
(3, 10)
"""

from __future__ import annotations

import math

import ipywidgets as W
import numpy as np
from matplotlib import ticker as mticker
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D

from .. import data, mlp, optim, schedules
from .._validate import ArgumentTypeError, check_int, describe
from ..optim import ASSIGNMENT_OPTIMIZERS, make_optimizer
from ..plots import OPTIMIZER_COLORS, fit_history_axes, plot_history, update_history
from ..schedules import DECAYS, lr_schedule
from ._axes import decades, set_ylim_sticky
from ._base import Explorer, explorer_figure
from ._controls import Controls

__all__ = ["training_explorer"]

_HIDDEN = (4, 8, 16, 32, 64, 128, 256, 512)
_L2 = (0.0, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1)
_TRAIN_SIZES = (100, 200, 500, 0)  # 0: the whole training set
_WRONG = (0.0, 0.1, 0.2, 0.4)  # fraction of the training labels made wrong
_LR_RANGE = (1e-4, 10.0)
_LR_FINAL_RANGE = (1e-6, 10.0)
_FAINT = 0.3  # alpha of the previous run
# training waits for the button, so sliders report on release; log sliders keep exact values
_c = Controls(width="300px", label_width="92px", continuous_update=False, log_step=0.1,
              log_format=".1e", snap=False)


def _fmt(x: float) -> str:
    """A learning rate or λ for a title: ``0.1``, ``0.003``, ``1e-05``."""
    return f"{x:.2g}"


# ----------------------------------------------------------------------------------------------
# the explorer


class _TrainingExplorer(Explorer):
    def __init__(self, splits: data.Splits, batch_size: int, seed):
        self.splits = splits
        self.batch_size = check_int("batch_size", batch_size, low=1)
        self.seed = seed
        self.history: mlp.History | None = None
        self.previous: mlp.History | None = None
        self._trained = None  # the settings of the last run
        self._color = OPTIMIZER_COLORS["sgd"]

        fig = explorer_figure((11.5, 4.1), layout=ConstrainedLayoutEngine())
        self.ax_loss, self.ax_acc, self.ax_lr = fig.subplots(
            1, 3, gridspec_kw={"width_ratios": (1.0, 1.0, 0.8)})
        empty = {"train_loss": [], "train_accuracy": []}
        self.previous_artists = plot_history(self.ax_loss, self.ax_acc, empty, alpha=_FAINT)
        self.artists = plot_history(self.ax_loss, self.ax_acc, empty)
        self.ax_loss.set_title("loss", fontsize=10)
        self.ax_acc.set_title("accuracy", fontsize=10)
        grey = "#555555"
        handles = [Line2D([], [], color=grey, linestyle="--", label="train"),
                   Line2D([], [], color=grey, linestyle="-", label="dev"),
                   Line2D([], [], color=grey, linewidth=3, label="this run"),
                   Line2D([], [], color=grey, linewidth=3, alpha=_FAINT, label="previous run")]
        self.ax_acc.legend(handles=handles, loc="best", fontsize=8)

        ax = self.ax_lr
        (self.lr_line,) = ax.plot([], [], color=self._color, linewidth=1.8)
        (self.lr_end,) = ax.plot([], [], "o", color=self._color, markersize=6,
                                 label=r"$\alpha_T$, after the last update")
        ax.set_yscale("log")
        ax.set_xlabel("update $t$ (minibatches done)")
        ax.set_ylabel(r"learning rate $\alpha_t$")
        ax.set_title("learning-rate schedule", fontsize=10)
        ax.grid(True, which="major", alpha=0.3)
        ax.yaxis.set_minor_formatter(mticker.NullFormatter())
        ax.legend(loc="lower left", fontsize=8)
        self.animate(self.lr_line, self.lr_end)  # the controls change only these (and limits)
        self._lr_axis_set = False
        self.title_text = fig.suptitle("\n", fontsize=10.5)

        c = {
            "optimizer": _c.dropdown("optimizer", "sgd", [(optim.LABELS[key], key)
                                                          for key in ASSIGNMENT_OPTIMIZERS]),
            "lr": _c.log_slider("learning rate α", 0.1, *_LR_RANGE),
            "decay": _c.dropdown("decay", "none", list(DECAYS)),
            "lr_final": _c.log_slider("final α", 1e-3, *_LR_FINAL_RANGE),
            "hidden": _c.selection("hidden units", 128, list(_HIDDEN)),
            "activation": _c.dropdown("activation", "relu", list(mlp.ACTIVATIONS)),
            "l2": _c.selection("L2 λ", 0.0, [(f"{v:g}", v) for v in _L2]),
            "epochs": _c.int_slider("epochs", 10, 1, 50),
            "train_size": _c.selection("train images", 0,
                                       [(str(n) if n else f"all {len(splits.train.y)}", n)
                                        for n in _TRAIN_SIZES if n < len(splits.train.y)]),
            "wrong": _c.selection("wrong labels", 0.0, [(f"{v:.0%}", v) for v in _WRONG]),
        }
        self.button = W.Button(description="Train", button_style="primary", icon="play",
                               layout=W.Layout(width="140px"))
        self.status = W.HTML(layout=W.Layout(width="300px"))
        self.button.on_click(lambda _button: self.train())
        columns = [["optimizer", "lr", "decay", "lr_final"],
                   ["hidden", "activation", "l2", "epochs"],
                   ["train_size", "wrong", self.button, self.status]]
        super().__init__(fig, c, columns)
        self.train()

    # -- settings ----------------------------------------------------------------------------

    def settings(self) -> dict:
        """The current control values (plain Python numbers and strings)."""
        c = self.controls
        return {"optimizer": c["optimizer"].value, "lr": float(c["lr"].value),
                "decay": c["decay"].value, "lr_final": float(c["lr_final"].value),
                "hidden": int(c["hidden"].value), "activation": c["activation"].value,
                "l2": float(c["l2"].value), "epochs": int(c["epochs"].value),
                "train_size": int(c["train_size"].value), "wrong": float(c["wrong"].value)}

    @property
    def n_classes(self) -> int:
        return int(max(self.splits.train.y.max(), self.splits.dev.y.max())) + 1

    def _train_set(self, size: int, wrong: float = 0.0) -> data.Dataset:
        """The first ``size`` training images (all for 0), ``wrong`` of their labels made wrong
        (:func:`~npfl_helpers.data.wrong_labels`, seeded)."""
        X, y = self.splits.train
        X, y = (X[:size], y[:size]) if size else (X, y)
        if wrong:
            y = data.wrong_labels(y, wrong, self.n_classes, seed=self.seed)
        return data.Dataset(X, y)

    def total_steps(self, s: dict | None = None) -> int:
        """Updates in the whole training: epochs × ⌈train images / batch size⌉."""
        s = self.settings() if s is None else s
        n = len(self._train_set(s["train_size"]).y)
        return s["epochs"] * -(-n // self.batch_size)

    def schedule(self, s: dict | None = None) -> schedules.Schedule:
        """The learning-rate schedule the current settings imply
        (:func:`~npfl_helpers.schedules.lr_schedule`)."""
        s = self.settings() if s is None else s
        return lr_schedule(s["lr"], s["decay"], s["lr_final"], self.total_steps(s))

    # -- drawing -------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Redraw the schedule for the current settings (cheap); training waits for the button."""
        s = self.settings()
        self.controls["lr_final"].disabled = s["decay"] == "none"
        total = self.total_steps(s)
        t = np.arange(total + 1)
        alpha = np.asarray(self.schedule(s)(t), dtype=np.float64)
        color = OPTIMIZER_COLORS[s["optimizer"]]
        self.lr_line.set_data(t, alpha)
        self.lr_end.set_data([total], [alpha[-1]])
        for artist in (self.lr_line, self.lr_end):
            artist.set_color(color)
        self.ax_lr.set_xlim(0, max(total, 1) * 1.04)
        # decades around the schedule, kept while it fits with at most 3 decades to spare: a
        # slider step then moves the curve, not the axis (a full redraw)
        low, high = float(alpha.min()) / 1.02, float(alpha.max()) * 1.02
        if self._lr_axis_set:
            set_ylim_sticky(self.ax_lr, low, high, decades)
        else:
            self.ax_lr.set_ylim(*decades(low, high))
            self._lr_axis_set = True
        if self._trained is not None and s != self._trained:
            self.status.value = "<i>Settings changed: press <b>Train</b> to train with them.</i>"

    def train(self) -> mlp.History:
        """Train a fresh model with the current settings, draw its curves; return its history."""
        s = self.settings()
        self.status.value = "<i>Training…</i>"
        X, y = self._train_set(s["train_size"], s["wrong"])
        X_dev, y_dev = self.splits.dev
        model = mlp.MLP((X.shape[1], s["hidden"], self.n_classes), activation=s["activation"],
                        seed=self.seed)
        optimizer = make_optimizer(s["optimizer"], self.schedule(s))
        history = mlp.train(model, X, y, optimizer, s["epochs"], self.batch_size, X_dev, y_dev,
                            seed=self.seed, progress=False, l2=s["l2"])
        if self.history is not None:
            update_history(self.previous_artists, self.history, color=self._color,
                           alpha=_FAINT)
        self.previous, self.history = self.history, history
        self.model = model
        self._dead = int(mlp.dead_units(model, X)[0]) if s["activation"] == "relu" else 0
        self._color = OPTIMIZER_COLORS[s["optimizer"]]
        update_history(self.artists, history, color=self._color, alpha=1.0)
        fit_history_axes(self.ax_loss, self.ax_acc,
                         [h for h in (history, self.previous) if h is not None],
                         epochs=s["epochs"])
        self.title_text.set_text(self._title(s, history))
        self._trained = s
        self.status.value = self._summary(history)
        # the curves, the title and the tick labels (their widths) are static: lay out and
        # render anew (cheap next to the training)
        self.relayout()
        self.redraw()
        return history

    def _title(self, s: dict, history: mlp.History) -> str:
        lr = f"α = {_fmt(s['lr'])}"
        if s["decay"] != "none":
            lr += f" → {_fmt(s['lr_final'])} ({s['decay']})"
        n = len(self._train_set(s["train_size"]).y)
        wrong = f" ({s['wrong']:.0%} wrong labels)" if s["wrong"] else ""
        head = (f"{optim.LABELS[s['optimizer']]}, {lr}; {s['hidden']} {s['activation']} units, "
                f"λ = {s['l2']:g}; {n} training images{wrong}, {s['epochs']} epochs")
        return f"{head}\n{self._finding(history)}"

    def _finding(self, history: mlp.History) -> str:
        if history.diverged:
            return (f"diverged in epoch {len(history.train_loss)}: the loss became infinite or "
                    "a million times its start (try a smaller learning rate)")
        dev_loss, train_loss = np.asarray(history.dev_loss), np.asarray(history.train_loss)
        best = int(np.argmin(dev_loss)) + 1
        text = (f"dev accuracy {history.dev_accuracy[-1]:.1%} (train "
                f"{history.train_accuracy[-1]:.1%}); dev loss lowest in epoch {best}")
        n_classes = self.n_classes
        if train_loss[-1] > math.log(n_classes):
            # worse than a uniform guess at the end: too large steps blew the loss up on the way
            # (and may have killed every ReLU unit), too small ones never left the start
            steps = np.asarray(history.step_loss, dtype=np.float64)
            peak = float(np.nanmax(steps)) if steps.size else math.nan
            dead = getattr(self, "_dead", 0)
            why = f"{dead} of {self.model.sizes[1]} ReLU units dead (0 on every image) " \
                if dead else ""
            hint = (f"{why}after the loss jumped to {peak:.3g}: try a smaller α"
                    if steps.size and peak > 2 * steps[0] else f"{why}try a larger α")
            return (f"no learning: training loss {train_loss[-1]:.3g} > log {n_classes} = "
                    f"{math.log(n_classes):.2f} (a uniform guess), dev accuracy "
                    f"{history.dev_accuracy[-1]:.1%};\n{hint}")
        if history.dev_accuracy[-1] < 2.0 / n_classes:
            text += f": no better than guessing one of {n_classes} classes"
        elif (best < len(dev_loss) and dev_loss[-1] > 1.05 * dev_loss[best - 1]
              and train_loss[-1] < train_loss[best - 1]):
            text += ", then rises while the training loss falls: overfitting"
        return text

    def _summary(self, history: mlp.History) -> str:
        text = self._finding(history)
        if self.previous is not None and not self.previous.diverged and not history.diverged:
            text += f"<br>previous run: dev accuracy {self.previous.dev_accuracy[-1]:.1%}"
        return text


def training_explorer(splits: data.Splits | None = None, *, batch_size: int = 50,
                      seed=0) -> Explorer:
    r"""Train an MLP with one hidden layer on the digits; compare runs by their curves.

    Controls: the optimiser (SGD, SGD with momentum β = 0.9, Adam), the learning rate
    :math:`\alpha` and its decay (none, linear or exponential to the final :math:`\alpha`,
    reached after the last update, see :func:`~npfl_helpers.schedules.lr_schedule`), the number
    of hidden units, their activation, the L2 penalty :math:`\lambda`, the number of epochs and
    of training images, and the fraction of those images given a wrong label
    (:func:`~npfl_helpers.data.wrong_labels`).
    Moving a control redraws the learning-rate schedule (right); **Train** (``.button``) trains
    a fresh model (seeded: the same settings give the same run) and draws its training (dashed)
    and dev (solid) loss and accuracy per epoch, the previous run faint behind it. The title
    states the outcome: a run whose loss became infinite ends with a "×"; one that ends worse
    than a uniform guess is "no learning" (with the number of dead ReLU units, see
    :func:`~npfl_helpers.mlp.dead_units`); a dev loss that rises again while the training loss
    falls is "overfitting".

    ``splits`` defaults to :func:`npfl_helpers.data.load_digits`; ``batch_size`` is the
    minibatch size. The explorer trains once with the default settings when it is built; after
    a run, ``.history`` and ``.previous`` hold the two latest :class:`~npfl_helpers.mlp.History`.
    """
    if splits is not None and not isinstance(splits, data.Splits):
        raise ArgumentTypeError(f"splits must be a data.Splits such as data.load_digits() (or "
                                f"None for the digits); got {describe(splits)}")
    return _TrainingExplorer(data.load_digits() if splits is None else splits, batch_size, seed)
