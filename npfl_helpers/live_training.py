r"""Live training: a small MLP learns a 2-D data set a few minibatch updates at a time.

A :class:`LiveTraining` holds one run — the data, the network, the optimiser and its state, the
minibatch stream and the losses so far — and advances it by :meth:`LiveTraining.step`. Between
two steps any hyperparameter may change and takes effect from the next update, without starting
over; changing the data or the network starts a new run. The playground notebook draws one run
and calls ``step`` once per frame::

    run = LiveTraining("spirals", hidden=(16, 16), optimizer="adam", lr=0.01)
    run.step()                      # updates_per_tick minibatch updates, losses after each
    run.set(lr=0.003, batch_size=1) # from the next update on; θ and the optimiser state carry
    run.probabilities()             # class probabilities on a 60 x 60 grid, shape (60, 60, C)

Every update is one step of a :mod:`npfl_helpers.optim` optimiser on the minibatch objective
of :meth:`npfl_helpers.mlp.MLP.loss_and_grad` (mean cross-entropy plus :math:`\lambda \sum
\lVert W \rVert^2`); the run equals a plain loop over :func:`npfl_helpers.data.minibatches`
with the same seeds (the tests check it).

=============  =====================  ========================================================
symbol         argument               meaning
=============  =====================  ========================================================
θ              ``theta``              all weights and biases of the MLP, one flat vector
α              ``lr``                 learning rate
β              ``beta``               momentum's and Nesterov's β, RMSProp's β, Adam's β₁
m              ``batch_size``         minibatch size (≥ N means the whole training set)
λ              ``l2``                 L2 penalty on the weights
N              ``len(y_train)``       training-set size
t              ``steps``              updates done so far
=============  =====================  ========================================================

**Seeds.** ``np.random.SeedSequence(seed).spawn(4)`` gives four independent streams: the data,
the train/test split, the initial θ and the minibatch order. So a new architecture keeps the
data, and moving the noise slider moves the same points further from their curve.

**Minibatches.** Each epoch draws one permutation of the training set from the minibatch
stream and walks through it in slices of ``batch_size`` rows (the last slice of an epoch may be
shorter), exactly as :func:`npfl_helpers.data.minibatches`. A new batch size applies from the
next slice of the current epoch on.

**Changing the optimiser.** A new α, β or a new optimiser is a new
:func:`npfl_helpers.optim.make_optimizer` call (β is Adam's β₁, β₂ = 0.999). The
state (``t``, ``v``, ``r``, ``s``) carries over when the new optimiser's state means the same
thing: the same optimiser with other hyperparameters, or momentum ↔ Nesterov (both keep the
velocity v of :math:`v \leftarrow \beta v - \alpha g`). Any other switch starts the new
optimiser from its initial state (t = 0, zero v, r, s) at the current θ: AdaGrad's r is a sum
while RMSProp's and Adam's are averages, and Adam's bias correction assumes that s and r started
at zero t updates ago, so no other state would mean the same thing.

**Measurements.** After every update the run measures the mean cross-entropy (without the L2
term) and the accuracy on the whole training and test sets (:class:`LiveHistory`), so ``k``
steps of ``u`` updates record the same history as one step of ``k·u``.

**Divergence.** A run stops, and says why in :attr:`LiveTraining.divergence`, when an update's
minibatch loss is non-finite, or the update makes θ non-finite or
:math:`\lVert\theta\rVert > 10^6` (θ then stays at the last good point), or when the training
loss measured after an update exceeds ``max_loss`` (default 10 nats: on average the network
then gives the true class a probability below :math:`e^{-10} \approx 4.5\cdot 10^{-5}`, far
worse than a uniform guess, :math:`\log C` for :math:`C` classes). A run whose loss got that
high rarely recovers; the threshold is a judgement, ``max_loss`` changes it. No numpy warning
escapes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from . import data, mlp, optim
from ._validate import ArgumentTypeError, check_choice, check_int, check_range, describe

__all__ = [
    "DATASETS",
    "HYPERPARAMETERS",
    "LR_SLIDER",
    "SETUP",
    "LiveHistory",
    "LiveTraining",
    "lr_notches",
    "make_dataset",
    "make_optimizer",
]

DATASETS = ("two_moons", "spirals", "blobs")
"""The data sets: two moons (2 classes), three spiral arms, three Gaussian blobs."""

SETUP = ("dataset", "noise", "n", "test_fraction", "hidden", "activation", "seed")
"""Arguments that define the data or the network: changing one starts a new run."""

HYPERPARAMETERS = ("optimizer", "lr", "beta", "batch_size", "l2", "updates_per_tick")
"""Arguments that take effect from the next update, without starting over."""

LR_SLIDER = (-4.0, 1.0, 0.1)
"""The playground's α slider: log10 of its lowest and highest value and its step (decades)."""

_BLOB_CENTERS = np.array([[0.0, 1.0], [-math.sqrt(0.75), -0.5], [math.sqrt(0.75), -0.5]])
_MAX_NORM = 1e6


def lr_notches(low: float = 1e-4, high: float = 10.0) -> np.ndarray:
    """The α values the playground's slider can take between ``low`` and ``high``:
    :math:`10^{-4 + k/10}`, ten per decade.

    >>> lr_notches(0.1, 1.0).round(3).tolist()
    [0.1, 0.126, 0.158, 0.2, 0.251, 0.316, 0.398, 0.501, 0.631, 0.794, 1.0]
    """
    low = check_range("low", low, 0, low_open=True, allow_array=False)
    high = check_range("high", high, 0, low_open=True, allow_array=False)
    if high < low:
        raise ValueError(f"high must be in [{low:g}, inf) (at least low); got {high!r}")
    lo, hi, step = LR_SLIDER
    k = np.arange(round((hi - lo) / step) + 1)
    values = 10.0 ** (lo + k * step)
    return values[(values >= low * (1 - 1e-9)) & (values <= high * (1 + 1e-9))]


def make_dataset(dataset: str, n: int = 400, noise: float = 0.2, seed=0):
    r"""``(X, y)``: ``n`` points of a data set of :data:`DATASETS`, with noise level ``noise``.

    ``"two_moons"``: :func:`~npfl_helpers.data.two_moons`, ``noise`` the standard deviation of
    the Gaussian noise added to each coordinate. ``"spirals"``: three arms of
    :func:`~npfl_helpers.data.spirals`, ``noise`` the standard deviation of the angle (radians).
    ``"blobs"``: three Gaussian clusters, :math:`\mathcal N(\mu_c, \sigma^2 I)` with centres on
    the unit circle (120° apart) and :math:`\sigma` = ``noise``.

    >>> X, y = make_dataset("blobs", 30, noise=0.0)
    >>> X.shape, np.bincount(y).tolist()
    ((30, 2), [10, 10, 10])
    """
    dataset = check_choice("dataset", dataset, DATASETS)
    n = check_int("n", n, low=20, high=5000)
    noise = check_range("noise", noise, 0, 1, allow_array=False)
    if dataset == "two_moons":
        return data.two_moons(n, noise=noise, seed=seed)
    if dataset == "spirals":
        return data.spirals(n, classes=3, noise=noise, seed=seed)
    return data.blobs(n, centers=_BLOB_CENTERS, std=noise, seed=seed)


def make_optimizer(name: str, lr, beta: float = 0.9) -> optim.Optimizer:
    """:func:`npfl_helpers.optim.make_optimizer` (the run's factory), with the optimiser's
    argument called ``name`` as it was here.

    >>> make_optimizer("adam", 0.01, 0.8).hyperparams["beta1"]
    0.8
    """
    return optim.make_optimizer(check_choice("name", name, optim.OPTIMIZERS), lr, beta)


def _same_state_meaning(old: str, new: str) -> bool:
    """Does ``old``'s state mean the same thing for ``new``? (See the module docstring.)"""
    return old == new or {old, new} == {"momentum", "nesterov"}


@dataclass
class LiveHistory:
    """What a run recorded, one entry per update (plus one for the start).

    ``steps[i]`` is the number of updates done (``i``), ``epochs[i]`` the epochs done then
    (:attr:`LiveTraining.epoch`); ``train_loss``, ``test_loss`` (mean cross-entropy, without the
    L2 term) and ``train_accuracy``, ``test_accuracy`` are measured on the whole sets at that θ.
    ``batch_loss[i]`` is the objective (cross-entropy + L2 term) of update ``i + 1``'s
    minibatch, where the optimiser asked for the gradient (one entry fewer than the others).
    """

    steps: list = field(default_factory=list)
    epochs: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    test_loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    test_accuracy: list = field(default_factory=list)
    batch_loss: list = field(default_factory=list)


class LiveTraining:
    r"""One live training run of an MLP on a 2-D data set (see the module docstring).

    ==================  =========================================================================
    argument            meaning (allowed values)
    ==================  =========================================================================
    ``dataset``         one of :data:`DATASETS`
    ``noise``           noise level in [0, 1] (:func:`make_dataset`)
    ``n``               number of points, train and test together, in [20, 5000]
    ``test_fraction``   share of the points held out for testing, in [0.1, 0.9] (stratified)
    ``hidden``          1 to 3 hidden layer widths, each in [2, 32]
    ``activation``      ``"sigmoid"``, ``"tanh"`` or ``"relu"``
    ``optimizer``       one of ``optim.OPTIMIZERS``: sgd, momentum, nesterov, adagrad, rmsprop, adam
    ``lr``              α > 0
    ``beta``            β in [0, 1) (:func:`npfl_helpers.optim.make_optimizer`)
    ``batch_size``      m ≥ 1 (values ≥ N use the whole training set)
    ``l2``              λ ≥ 0
    ``updates_per_tick``  updates one :meth:`step` does by default, in [1, 1000]
    ``seed``            any int seed (see *Seeds* in the module docstring)
    ``grid_size``       points per side of the :meth:`probabilities` grid, in [2, 400]
    ``max_loss``        training loss above which the run counts as diverged, > 0
    ==================  =========================================================================

    >>> run = LiveTraining("two_moons", hidden=(8,), optimizer="adam", lr=0.05)
    >>> run.step(20)
    20
    >>> run.steps, run.history.train_loss[-1] < run.history.train_loss[0]
    (20, True)
    >>> run.set(lr=0.01)            # a hyperparameter: same run, new α from the next update
    False
    >>> run.set(hidden=(4, 4))      # the architecture: a new run
    True
    >>> run.steps, run.probabilities().shape
    (0, (60, 60, 2))
    """

    def __init__(self, dataset: str = "two_moons", noise: float = 0.2, *, n: int = 400,
                 test_fraction: float = 0.5, hidden: Sequence[int] = (16, 16),
                 activation: str = "tanh", optimizer: str = "sgd", lr: float = 0.1,
                 beta: float = 0.9, batch_size: int = 16, l2: float = 0.0,
                 updates_per_tick: int = 10, seed=0, grid_size: int = 60,
                 max_loss: float = 10.0):
        self.grid_size = check_int("grid_size", grid_size, low=2, high=400)
        self.max_loss = check_range("max_loss", max_loss, 0, low_open=True, allow_array=False)
        self._setup: dict = {}
        self._hyper: dict = {}
        self._set_setup(dict(dataset=dataset, noise=noise, n=n, test_fraction=test_fraction,
                             hidden=hidden, activation=activation, seed=seed))
        self._set_hyper(dict(optimizer=optimizer, lr=lr, beta=beta, batch_size=batch_size,
                             l2=l2, updates_per_tick=updates_per_tick))
        self._build()

    # -- settings -----------------------------------------------------------------------------

    def _set_setup(self, changes: dict) -> None:
        s = {**self._setup, **changes}
        s["dataset"] = check_choice("dataset", s["dataset"], DATASETS)
        s["noise"] = check_range("noise", s["noise"], 0, 1, allow_array=False)
        s["n"] = check_int("n", s["n"], low=20, high=5000)
        s["test_fraction"] = check_range("test_fraction", s["test_fraction"], 0.1, 0.9,
                                         allow_array=False)
        hidden = s["hidden"]
        if isinstance(hidden, (int, np.integer)) and not isinstance(hidden, (bool, np.bool_)):
            hidden = (hidden,)
        what = "1 to 3 hidden layer widths, each an integer in [2, 32]"
        if isinstance(hidden, (str, bytes)) or not isinstance(hidden, Sequence):
            raise ArgumentTypeError(f"hidden must be {what}; got {describe(s['hidden'])}")
        if not 1 <= len(hidden) <= 3:
            raise ValueError(f"hidden must be {what}; got {len(hidden)} widths {tuple(hidden)}")
        s["hidden"] = tuple(check_int("hidden", h, low=2, high=32) for h in hidden)
        s["activation"] = check_choice("activation", s["activation"], mlp.ACTIVATIONS)
        s["seed"] = check_int("seed", s["seed"], low=0)
        self._setup = s

    def _set_hyper(self, changes: dict) -> None:
        h = {**self._hyper, **changes}
        h["optimizer"] = check_choice("optimizer", h["optimizer"], optim.OPTIMIZERS)
        h["lr"] = check_range("lr", h["lr"], 0, low_open=True, allow_array=False)
        h["beta"] = check_range("beta", h["beta"], 0, 1, high_open=True, allow_array=False)
        h["batch_size"] = check_int("batch_size", h["batch_size"], low=1)
        h["l2"] = check_range("l2", h["l2"], 0, allow_array=False)
        h["updates_per_tick"] = check_int("updates_per_tick", h["updates_per_tick"], low=1,
                                          high=1000)
        self._hyper = h

    @property
    def settings(self) -> dict:
        """All current arguments (:data:`SETUP` and :data:`HYPERPARAMETERS`), as a new dict."""
        return {**self._setup, **self._hyper}

    def set(self, **changes) -> bool:
        """Change settings; return True if that started a new run.

        :data:`HYPERPARAMETERS` apply from the next update and keep θ, the optimiser state
        (where it means the same thing, see the module docstring), the minibatch stream and the
        history. Any change of a :data:`SETUP` argument rebuilds the data and the network and
        starts over (also after a divergence). Unknown names or invalid values raise
        ``ValueError`` and change nothing.
        """
        unknown = set(changes) - set(SETUP) - set(HYPERPARAMETERS)
        if unknown:
            raise ValueError(f"unknown setting(s) {sorted(unknown)}; allowed: "
                             f"{', '.join(SETUP + HYPERPARAMETERS)}")
        old_setup, old_hyper = self._setup, self._hyper
        try:
            self._set_setup({k: v for k, v in changes.items() if k in SETUP})
            self._set_hyper({k: v for k, v in changes.items() if k in HYPERPARAMETERS})
        except ValueError:
            self._setup, self._hyper = old_setup, old_hyper
            raise
        if self._setup != old_setup:
            self._build()
            return True
        if self._hyper != old_hyper:
            self._rebuild_optimizer(old_hyper["optimizer"])
        return False

    def _rebuild_optimizer(self, old_name: str) -> None:
        h = self._hyper
        self.optimizer = optim.make_optimizer(h["optimizer"], h["lr"], h["beta"])
        if not _same_state_meaning(old_name, h["optimizer"]):
            self.state = self.optimizer.init(self.theta)

    # -- building and resetting ---------------------------------------------------------------

    def _build(self) -> None:
        s = self._setup
        data_ss, split_ss, init_ss, batch_ss = np.random.SeedSequence(s["seed"]).spawn(4)
        X, y = make_dataset(s["dataset"], s["n"], s["noise"], seed=np.random.default_rng(data_ss))
        train, test = data.split(X, y, (1.0 - s["test_fraction"], s["test_fraction"]),
                                 seed=np.random.default_rng(split_ss), stratify=True)
        self.X_train, self.y_train = np.ascontiguousarray(train.X), train.y
        self.X_test, self.y_test = np.ascontiguousarray(test.X), test.y
        self._X_all = np.concatenate([self.X_train, self.X_test])
        self._y_all = np.concatenate([self.y_train, self.y_test])
        self._rows = np.arange(len(self._y_all))
        self.n_classes = int(y.max()) + 1
        self.model = mlp.MLP((2, *s["hidden"], self.n_classes), activation=s["activation"],
                             seed=np.random.default_rng(init_ss))
        self.theta0 = self.model.theta.copy()
        self._batch_seed = batch_ss
        # the grid of the decision regions: the data's bounding box plus 10 % on each side
        low, high = X.min(axis=0), X.max(axis=0)
        pad = 0.1 * (high - low) + 1e-9
        self.bounds = ((float(low[0] - pad[0]), float(high[0] + pad[0])),
                       (float(low[1] - pad[1]), float(high[1] + pad[1])))
        (x0, x1), (y0, y1) = self.bounds
        self.grid_x = np.linspace(x0, x1, self.grid_size)
        self.grid_y = np.linspace(y0, y1, self.grid_size)
        gx, gy = np.meshgrid(self.grid_x, self.grid_y)
        self._grid_points = np.stack([gx.ravel(), gy.ravel()], axis=1)
        self.reset()

    def reset(self) -> None:
        """Start the run over with the current settings: θ₀, a fresh optimiser state, the
        minibatch stream from its seed, an empty history. The same settings and the same
        calls then reproduce the run exactly."""
        h = self._hyper
        self.theta = self.theta0.copy()
        self.optimizer = optim.make_optimizer(h["optimizer"], h["lr"], h["beta"])
        self.state = self.optimizer.init(self.theta)
        self._batch_rng = np.random.default_rng(self._batch_seed)
        self._perm = self._batch_rng.permutation(len(self.y_train))
        self._pos = 0
        self.epochs_done = 0
        self.steps = 0
        self.divergence: str | None = None
        self.history = LiveHistory()
        self._measure()

    # -- training -----------------------------------------------------------------------------

    @property
    def diverged(self) -> bool:
        """True once the run has diverged (it then stops; :attr:`divergence` says why)."""
        return self.divergence is not None

    @property
    def epoch(self) -> float:
        """Epochs done, counting the current one's share: completed + rows used / N."""
        return self.epochs_done + self._pos / len(self.y_train)

    def _next_batch(self) -> np.ndarray:
        """Row indices of the next minibatch (a new permutation at the end of an epoch)."""
        n = len(self.y_train)
        if self._pos >= n:
            self._perm = self._batch_rng.permutation(n)
            self._pos = 0
            self.epochs_done += 1
        idx = self._perm[self._pos:self._pos + self._hyper["batch_size"]]
        self._pos += len(idx)
        return idx

    def step(self, k: int | None = None) -> int:
        """Do ``k`` minibatch updates (default ``updates_per_tick``), measuring after each.

        Returns the number of updates done: fewer than ``k`` if the run diverged, 0 once it
        has diverged. ``step(a)`` then ``step(b)`` is the same run as ``step(a + b)``.
        """
        k = self._hyper["updates_per_tick"] if k is None else check_int("k", k, low=0,
                                                                        high=100_000)
        model, l2, opt = self.model, self._hyper["l2"], self.optimizer
        batch = [None, None]
        loss = [0.0]

        def grad_fn(th):
            loss[0], g = model.loss_and_grad(th, batch[0], batch[1], l2)
            return g

        done = 0
        with np.errstate(all="ignore"):
            while done < k and not self.diverged:
                idx = self._next_batch()
                batch[0], batch[1] = self.X_train[idx], self.y_train[idx]
                theta, state = opt.step(self.theta, self.state, grad_fn)
                self.history.batch_loss.append(loss[0])
                if not math.isfinite(loss[0]):
                    self.divergence = (f"the minibatch loss became non-finite in update "
                                       f"{self.steps + 1}")
                elif not (float(np.linalg.norm(theta)) <= _MAX_NORM):  # also catches NaN
                    self.divergence = f"‖θ‖ left [0, 1e6] in update {self.steps + 1}"
                else:
                    self.theta, self.state = theta, state
                    self.steps += 1
                    done += 1
                    self._measure()
        return done

    def _measure(self) -> None:
        """Record the losses and accuracies of the current θ (one forward pass over both
        sets); a training loss above ``max_loss`` ends the run."""
        h, n = self.history, len(self.y_train)
        with np.errstate(all="ignore"):
            z = self.model.forward(self._X_all, self.theta)
            correct = z.argmax(axis=1) == self._y_all
            z -= z.max(axis=1, keepdims=True)
            nll = np.log(np.exp(z).sum(axis=1)) - z[self._rows, self._y_all]  # -log softmax_y
        h.steps.append(self.steps)
        h.epochs.append(self.epoch)
        h.train_loss.append(float(nll[:n].mean()))
        h.test_loss.append(float(nll[n:].mean()))
        h.train_accuracy.append(float(correct[:n].mean()))
        h.test_accuracy.append(float(correct[n:].mean()))
        train = h.train_loss[-1]
        if not (train <= self.max_loss):
            self.divergence = (f"the training loss reached {train:.3g} > {self.max_loss:g} "
                               f"after update {self.steps}")

    # -- what the playground draws ------------------------------------------------------------

    def probabilities(self, theta=None) -> np.ndarray:
        r"""Class probabilities :math:`\operatorname{softmax}(\text{logits})` over the grid.

        Shape ``(grid_size, grid_size, n_classes)``: row ``i`` is ``grid_y[i]``, column ``j``
        is ``grid_x[j]`` (the layout of ``imshow(..., origin="lower")``). One vectorised
        forward pass over all grid points; ``theta`` defaults to the current parameters.
        """
        theta = self.theta if theta is None else theta
        with np.errstate(all="ignore"):
            z = self.model.forward(self._grid_points, theta)
            z -= z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
        return p.reshape(self.grid_size, self.grid_size, self.n_classes)

    def __repr__(self) -> str:
        s = self.settings
        state = "diverged" if self.diverged else f"{self.steps} updates"
        return (f"LiveTraining({s['dataset']}, noise={s['noise']:g}, "
                f"MLP{self.model.sizes} {s['activation']}, {s['optimizer']} α={s['lr']:g}, "
                f"{state})")
