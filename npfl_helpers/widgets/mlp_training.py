r"""Train the 80s MLP on the 8x8 digits and watch its training and dev curves.

:func:`training_explorer` reproduces the knobs of the NPFL114 *mnist_training* assignment
(optimiser, learning rate and its decay) plus the model's size, activation and L2 penalty.
Training takes a moment, so moving a control only redraws the learning-rate schedule it
implies; the **Train** button trains a fresh model and draws its curves, and the previous run
stays visible as faint lines for comparison.

The assignment's learning-rate decay, :func:`lr_schedule`, goes from ``learning_rate`` to
``learning_rate_final`` over ``decay_steps`` updates, where ``decay_steps`` is the number of
updates of the whole training (epochs × batches per epoch). The schedule is called with the
number of updates already done (0 for the first), so the last update uses step
``decay_steps − 1``, and the learning rate *after the last batch* — at step ``decay_steps``,
the one an optimiser would report once training has finished — is ``learning_rate_final``:

>>> s = lr_schedule(0.01, "linear", 0.0001, decay_steps=200)
>>> s(0), s(200)
(0.01, 0.0001)
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
from .._validate import check_choice, check_int, check_range
from ..plots import OPTIMIZER_COLORS, fit_history_axes, plot_history, update_history
from ._base import Explorer, new_figure

__all__ = ["DECAYS", "OPTIMIZERS", "load_small", "lr_schedule", "make_optimizer",
           "training_explorer"]

OPTIMIZERS = {"sgd": "SGD", "momentum": "SGD + momentum", "adam": "Adam"}
"""The assignment's optimisers: name → display name (momentum uses β = 0.9)."""

DECAYS = ("none", "linear", "exponential")
"""The assignment's learning-rate decays."""

_HIDDEN = (4, 8, 16, 32, 64, 128, 256, 512)
_L2 = (0.0, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1)
_TRAIN_SIZES = (100, 200, 500, 0)  # 0: the whole training set
_LR_RANGE = (1e-4, 10.0)
_LR_FINAL_RANGE = (1e-6, 10.0)
_FAINT = 0.3  # alpha of the previous run
_STYLE = {"description_width": "92px"}


def lr_schedule(learning_rate: float, decay: str = "none", learning_rate_final=None,
                decay_steps: int = 1) -> schedules.Schedule:
    r"""The *mnist_training* learning rate: constant, or decayed to a final value.

    ===============  ==========================================================================
    ``decay``        :math:`\alpha_t` for :math:`t = 0, 1, \dots` updates done
    ===============  ==========================================================================
    ``"none"``       :math:`\alpha_0`
    ``"linear"``     :math:`\alpha_0 + (\alpha_T - \alpha_0)\,\min(t, T)/T`
                     (``polynomial_decay`` with power 1 and ``end_lr`` :math:`= \alpha_T`)
    ``"exponential"`` :math:`\alpha_0\,(\alpha_T/\alpha_0)^{t/T}`
                     (``exponential_decay`` with decay rate :math:`\alpha_T/\alpha_0`)
    ===============  ==========================================================================

    ====== ========================== ==============================================
    symbol argument                   meaning
    ====== ========================== ==============================================
    α₀     ``learning_rate``          the first update's learning rate (> 0)
    α_T    ``learning_rate_final``    the rate after the last update (> 0)
    T      ``decay_steps``            number of updates: epochs × batches per epoch
    ====== ========================== ==============================================

    At :math:`t = T`, after the last update, the linear schedule gives :math:`\alpha_T` exactly;
    the exponential one gives :math:`\alpha_0 \cdot (\alpha_T/\alpha_0)`, which floating point
    may round one unit in the last place away from :math:`\alpha_T`.

    >>> s = lr_schedule(0.1, "exponential", 0.001, decay_steps=10)
    >>> round(float(s(5)), 12)   # halfway: the geometric mean of 0.1 and 0.001
    0.01
    """
    decay = check_choice("decay", decay, DECAYS)
    lr = check_range("learning_rate", learning_rate, 0, None, low_open=True, allow_array=False)
    if decay == "none":
        return schedules.constant(lr)
    final = check_range("learning_rate_final", learning_rate_final, 0, None, low_open=True,
                        allow_array=False)
    T = check_int("decay_steps", decay_steps, low=1)
    if decay == "linear":
        return schedules.polynomial_decay(lr, T, end_lr=final, power=1.0)
    return schedules.exponential_decay(lr, T, decay_rate=final / lr)


def make_optimizer(name: str, lr, beta: float = 0.9) -> optim.Optimizer:
    """The assignment's optimiser ``name`` ("sgd", "momentum" or "adam") with learning rate
    ``lr`` (a float or a schedule); momentum uses ``beta``, Adam its defaults.

    >>> make_optimizer("momentum", 0.01).hyperparams["beta"]
    0.9
    """
    name = check_choice("optimizer", name, OPTIMIZERS)
    if name == "sgd":
        return optim.sgd(lr)
    if name == "momentum":
        return optim.momentum(lr, beta=beta)
    return optim.adam(lr)


def load_small(n_train: int = 60, n_dev: int = 40, seed=0) -> data.Splits:
    """A few digits (first ``n_train`` training and ``n_dev`` dev images): quick examples, tests."""
    digits = data.load_digits(seed=seed)
    return data.Splits(data.Dataset(*(a[:n_train] for a in digits.train)),
                       data.Dataset(*(a[:n_dev] for a in digits.dev)), digits.test)


# ----------------------------------------------------------------------------------------------
# controls


def _layout():
    return W.Layout(width="300px")


def _log_slider(description, value, low, high):
    return W.FloatLogSlider(value=value, base=10, min=math.log10(low), max=math.log10(high),
                            step=0.1, description=description, readout_format=".1e",
                            continuous_update=False, style=_STYLE, layout=_layout())


def _selection(description, value, options):
    return W.SelectionSlider(options=options, value=value, description=description,
                             continuous_update=False, style=_STYLE, layout=_layout())


def _dropdown(description, value, options):
    return W.Dropdown(options=options, value=value, description=description, style=_STYLE,
                      layout=_layout())


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

        fig = new_figure((11.5, 4.1), layout=ConstrainedLayoutEngine())
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
        self.title_text = fig.suptitle("\n", fontsize=10.5)

        c = {
            "optimizer": _dropdown("optimizer", "sgd",
                                   [(label, key) for key, label in OPTIMIZERS.items()]),
            "lr": _log_slider("learning rate α", 0.1, *_LR_RANGE),
            "decay": _dropdown("decay", "none", list(DECAYS)),
            "lr_final": _log_slider("final α", 1e-3, *_LR_FINAL_RANGE),
            "hidden": _selection("hidden units", 128, list(_HIDDEN)),
            "activation": _dropdown("activation", "relu", list(mlp.ACTIVATIONS)),
            "l2": _selection("L2 λ", 0.0, [(f"{v:g}", v) for v in _L2]),
            "epochs": W.IntSlider(value=10, min=1, max=50, description="epochs",
                                  continuous_update=False, style=_STYLE, layout=_layout()),
            "train_size": _selection("train images", 0,
                                     [(str(n) if n else f"all {len(splits.train.y)}", n)
                                      for n in _TRAIN_SIZES if n < len(splits.train.y)]),
        }
        self.button = W.Button(description="Train", button_style="primary", icon="play",
                               layout=W.Layout(width="140px"))
        self.status = W.HTML(layout=W.Layout(width="300px"))
        self.button.on_click(lambda _button: self.train())
        columns = [["optimizer", "lr", "decay", "lr_final"],
                   ["hidden", "activation", "l2", "epochs"],
                   ["train_size", self.button, self.status]]
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
                "train_size": int(c["train_size"].value)}

    def _train_set(self, size: int) -> data.Dataset:
        X, y = self.splits.train
        return data.Dataset(X[:size], y[:size]) if size else data.Dataset(X, y)

    def total_steps(self, s: dict | None = None) -> int:
        """Updates in the whole training: epochs × ⌈train images / batch size⌉."""
        s = self.settings() if s is None else s
        n = len(self._train_set(s["train_size"]).y)
        return s["epochs"] * -(-n // self.batch_size)

    def schedule(self, s: dict | None = None) -> schedules.Schedule:
        """The learning-rate schedule the current settings imply (:func:`lr_schedule`)."""
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
        low, high = float(alpha.min()), float(alpha.max())
        self.ax_lr.set_ylim(10 ** math.floor(math.log10(low) - 0.01),
                            10 ** math.ceil(math.log10(high) + 0.01))
        if self._trained is not None and s != self._trained:
            self.status.value = "<i>Settings changed: press <b>Train</b> to train with them.</i>"

    def train(self) -> mlp.History:
        """Train a fresh model with the current settings, draw its curves; return its history."""
        s = self.settings()
        self.status.value = "<i>Training…</i>"
        X, y = self._train_set(s["train_size"])
        X_dev, y_dev = self.splits.dev
        model = mlp.MLP((X.shape[1], s["hidden"], int(max(y.max(), y_dev.max())) + 1),
                        activation=s["activation"], seed=self.seed)
        optimizer = make_optimizer(s["optimizer"], self.schedule(s))
        history = mlp.train(model, X, y, optimizer, s["epochs"], self.batch_size, X_dev, y_dev,
                            seed=self.seed, progress=False, l2=s["l2"])
        if self.history is not None:
            update_history(self.previous_artists, self.history, color=self._color,
                           alpha=_FAINT)
        self.previous, self.history = self.history, history
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
        head = (f"{OPTIMIZERS[s['optimizer']]}, {lr}; {s['hidden']} {s['activation']} units, "
                f"λ = {s['l2']:g}; {n} training images, {s['epochs']} epochs")
        return f"{head}\n{self._finding(history)}"

    def _finding(self, history: mlp.History) -> str:
        if history.diverged:
            return (f"diverged in epoch {len(history.train_loss)}: the loss became infinite "
                    "(try a smaller learning rate)")
        dev_loss, train_loss = np.asarray(history.dev_loss), np.asarray(history.train_loss)
        best = int(np.argmin(dev_loss)) + 1
        text = (f"dev accuracy {history.dev_accuracy[-1]:.1%} (train "
                f"{history.train_accuracy[-1]:.1%}); dev loss lowest in epoch {best}")
        n_classes = len(np.unique(self.splits.train.y))
        if train_loss[-1] > math.log(n_classes):
            return (f"diverging: the training loss ends at {train_loss[-1]:.3g}, above "
                    f"log {n_classes} = {math.log(n_classes):.2f} (a uniform guess); dev accuracy "
                    f"{history.dev_accuracy[-1]:.1%} (try a smaller learning rate)")
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
    reached after the last update, see :func:`lr_schedule`), the number of hidden units, their
    activation, the L2 penalty :math:`\lambda`, the number of epochs and of training images.
    Moving a control redraws the learning-rate schedule (right); **Train** (``.button``) trains
    a fresh model (seeded: the same settings give the same run) and draws its training (dashed)
    and dev (solid) loss and accuracy per epoch, the previous run faint behind it. A diverging
    run ends with a "×" and says so in the title.

    ``splits`` defaults to :func:`npfl_helpers.data.load_digits`; ``batch_size`` is the
    minibatch size. The explorer trains once with the default settings when it is built; after
    a run, ``.history`` and ``.previous`` hold the two latest :class:`~npfl_helpers.mlp.History`.
    """
    return _TrainingExplorer(data.load_digits() if splits is None else splits, batch_size, seed)
