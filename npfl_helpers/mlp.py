r"""The 80s-style multilayer perceptron: one flat parameter vector, manual vectorised backprop.

A network with layer sizes :math:`d_0, d_1, \dots, d_L` computes, for a batch :math:`X` of
:math:`m` rows (a minibatch, or all :math:`N` training examples),

.. math::
    h_0 = X, \qquad a_l = h_{l-1} W_l + b_l, \qquad h_l = f(a_l) \quad (l < L),
    \qquad \text{logits} = a_L,

With ``residual=True`` every hidden layer whose input and output widths are equal gains a skip
(residual) connection, :math:`h_l = h_{l-1} + f(a_l)`, as in a ResNet block.

The network is trained on the mean softmax cross-entropy with an optional L2 penalty on the weights
(biases are not penalised):

.. math::
    J(\theta) = -\frac1m \sum_{i=1}^m \log \operatorname{softmax}(a_L^{(i)})_{y_i}
    + \lambda \sum_l \lVert W_l \rVert^2 .

Backpropagation, the lecture's algorithm written for whole layers and whole batches
(:math:`\odot` is the elementwise product):

.. math::
    g_{a_L} = \frac1m\bigl(\operatorname{softmax}(a_L) - \operatorname{onehot}(y)\bigr), \qquad
    g_{W_l} = h_{l-1}^\top g_{a_l} + 2\lambda W_l, \qquad g_{b_l} = \textstyle\sum_i g_{a_l}, \qquad
    g_{a_{l-1}} = g_{a_l} W_l^\top \odot f'(a_{l-1}).

With a skip connection into :math:`h_l`, the gradient of :math:`h_{l-1}` has a second term,
:math:`g_{h_{l-1}} = g_{a_l} W_l^\top + g_{h_l}`: the skip passes the gradient back unchanged.

=====================  ===============  ==============================================
symbol                 argument         meaning
=====================  ===============  ==============================================
:math:`\theta`         ``theta``        all weights and biases in one flat vector
:math:`W_l, b_l`       ``unpack``       layer :math:`l`'s weights ``(d_{l-1}, d_l)``, bias
:math:`f`              ``activation``   ``"sigmoid"``, ``"tanh"`` or ``"relu"``
:math:`\lambda`        ``l2``           L2 penalty strength
:math:`h_{l-1} + f`    ``residual``     skip connections around equal-width hidden layers
:math:`m`              ``len(X)``       minibatch size (:math:`N` for the whole set)
=====================  ===============  ==============================================
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from . import data
from ._validate import (
    ArgumentTypeError,
    check_array,
    check_bool,
    check_choice,
    check_int,
    check_labels,
    check_optimizer,
    check_range,
    check_rng,
    describe,
)

__all__ = ["ACTIVATIONS", "MLP", "History", "activation_curves", "cross_entropy_from_logits",
           "dead_units", "history_curves", "layer_gradient_norms", "train", "train_epochs"]


# --------------------------------------------------------------------------------------------
# Activations: name -> (f, f'), both functions of the pre-activation a
# --------------------------------------------------------------------------------------------


def sigmoid(a, out=None):
    r""":math:`\sigma(a) = 1 / (1 + e^{-a})`, computed as :math:`e^{-\log(1 + e^{-a})}`.

    The second form never overflows. ``out`` (may be ``a``) receives the result.

    >>> float(sigmoid(0.0))
    0.5
    """
    if out is None:
        return np.exp(-np.logaddexp(0.0, -a))
    np.negative(a, out=out)
    np.logaddexp(0.0, out, out=out)
    np.negative(out, out=out)
    return np.exp(out, out=out)


def sigmoid_prime(a):
    r""":math:`\sigma'(a) = \sigma(a)\,(1 - \sigma(a))`."""
    s = sigmoid(a)
    return s * (1.0 - s)


def tanh_prime(a):
    r""":math:`\tanh'(a) = 1 - \tanh^2(a)`."""
    t = np.tanh(a)
    return 1.0 - t * t


def relu(a, out=None):
    r""":math:`\operatorname{ReLU}(a) = \max(0, a)`; ``out`` (may be ``a``) receives the result."""
    return np.maximum(a, 0.0, out=out)


def relu_prime(a):
    r""":math:`\operatorname{ReLU}'(a) = [a > 0]`; at the kink, :math:`\operatorname{ReLU}'(0) = 0`.

    >>> relu_prime(np.array([-1.0, 0.0, 2.0])).tolist()
    [0.0, 0.0, 1.0]
    """
    a = np.asarray(a)
    return (a > 0).astype(a.dtype if a.dtype.kind == "f" else np.float64)


ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (np.tanh, tanh_prime),
    "relu": (relu, relu_prime),
}
"""Activation name → ``(f, f')``; ``f'`` takes the pre-activation :math:`a`, like ``f``.

``f(a, out=None)`` also accepts an output array (``out=a`` computes in place)."""


def activation_curves(name: str, a) -> tuple[np.ndarray, np.ndarray]:
    r"""``(f(a), f'(a))`` of the activation ``name`` on a grid ``a``, ready to be drawn as curves.

    ``a`` is a sorted 1-D grid of pre-activations. Where :math:`f'` jumps between neighbouring
    grid points (by more than 0.5: ReLU's step at 0), the value before the jump is NaN, so a
    line through the points breaks there instead of drawing a vertical segment; everywhere
    else the values are those of :data:`ACTIVATIONS`.

    >>> f, df = activation_curves("relu", np.array([-1.0, 0.0, 1.0, 2.0]))
    >>> f.tolist(), df.tolist()
    ([0.0, 0.0, 1.0, 2.0], [0.0, nan, 1.0, 1.0])
    """
    name = check_choice("name", name, ACTIVATIONS)
    a = check_array("a", a, ndim=1, dtype=np.float64)
    f, df = ACTIVATIONS[name]
    y, dy = np.asarray(f(a), dtype=np.float64), np.array(df(a), dtype=np.float64)
    dy[np.flatnonzero(np.abs(np.diff(dy)) > 0.5)] = np.nan  # no vertical segment at a jump
    return y, dy


def cross_entropy_from_logits(logits, y):
    r"""Mean softmax cross-entropy :math:`-\frac1N\sum_i \log\operatorname{softmax}(z_i)_{y_i}`.

    ``logits`` has shape ``(..., N, C)`` and ``y`` ``(N,)``; returns shape ``(...)``. Stable: uses
    :math:`\log\operatorname{softmax}(z) = z - \max z - \log\sum e^{z - \max z}`.

    >>> float(cross_entropy_from_logits(np.zeros((2, 4)), np.array([0, 3])))  # log 4
    1.3862943611198906
    """
    logits = check_array("logits", logits, dtype=None, finite=False)
    if logits.ndim < 2 or logits.shape[-2] == 0 or logits.shape[-1] == 0:
        raise ValueError(f"logits must have shape (..., N, C) with N, C >= 1; got shape "
                         f"{logits.shape}")
    y = check_labels("y", y, n=logits.shape[-2], n_classes=logits.shape[-1])
    with np.errstate(over="ignore", invalid="ignore"):  # non-finite logits: NaN, no warning
        z = logits - logits.max(axis=-1, keepdims=True)
        lse = np.log(np.exp(z).sum(axis=-1))
        idx = np.broadcast_to(y[:, None], z.shape[:-1] + (1,))
        return (lse - np.take_along_axis(z, idx, axis=-1)[..., 0]).mean(axis=-1)


def _check_labels(y, n: int, n_classes: int, name: str = "y") -> np.ndarray:
    """``y`` as an integer array of ``n`` class indices in ``[0, n_classes)``.

    An index outside that range would silently pick another row's logit (the targets are
    flat indices), and a shorter ``y`` would broadcast.
    """
    return check_labels(name, y, n=n, n_classes=n_classes)


def _l2(l2) -> float:
    """λ ≥ 0: a negative penalty would reward large weights and make the loss unbounded below."""
    return check_range("l2", l2, low=0, allow_array=False)


# --------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------


class MLP:
    r"""A fully connected network with a softmax output, its parameters in one flat vector.

    ``sizes`` lists the layer widths, input first and number of classes last, e.g.
    ``(64, 100, 10)``. Weights are initialised uniformly in :math:`[-r, r]`: Glorot,
    :math:`r = \sqrt{6 / (d_{\text{in}} + d_{\text{out}})}`, for sigmoid/tanh layers and the
    output layer; He, :math:`r = \sqrt{6 / d_{\text{in}}}`, for ReLU hidden layers. Biases start
    at zero. Everything stays in ``dtype`` (float32 in, float32 out).

    ``residual=True`` adds a skip connection :math:`h_l = h_{l-1} + f(a_l)` to every hidden layer
    whose input and output widths are equal (``model.skips`` lists which). The :math:`K` such
    layers start with their range :math:`r` divided by :math:`\sqrt K`: each block then adds
    about :math:`1/K` of the signal's variance, so the activations grow by a bounded factor
    instead of doubling in every block.

    >>> model = MLP((4, 5, 3), activation="tanh", seed=0)
    >>> model.n_params  # 4*5 + 5 + 5*3 + 3
    43
    >>> [(W.shape, b.shape) for W, b in model.unpack(model.theta)]
    [((4, 5), (5,)), ((5, 3), (3,))]
    >>> model.forward(np.zeros((2, 4))).shape
    (2, 3)
    """

    def __init__(self, sizes: Sequence[int], activation: str = "relu", seed=0,
                 dtype=np.float64, residual: bool = False):
        if isinstance(sizes, (str, bytes, dict)) or not hasattr(sizes, "__iter__"):
            raise ArgumentTypeError(f"sizes must be a sequence of layer widths, input first and "
                                    f"classes last, such as (64, 100, 10); got "
                                    f"{describe(sizes)}")
        sizes = tuple(check_int("sizes", s, low=1) for s in sizes)
        if len(sizes) < 2:
            raise ValueError(f"sizes must list at least 2 layer widths (input, output); got "
                             f"{sizes}")
        self.sizes = sizes
        self.activation = check_choice("activation", activation, ACTIVATIONS)
        try:
            self.dtype = np.dtype(dtype)
        except TypeError:
            raise ArgumentTypeError(f"dtype must be a float type such as np.float32 or "
                                    f"np.float64; got {describe(dtype)}") from None
        if self.dtype.kind != "f":
            raise ValueError(f"dtype must be a floating type; got {self.dtype}")
        self._f, self._f_prime = ACTIVATIONS[activation]
        self.residual = check_bool("residual", residual)
        # skips[i]: layer i (0-based, hidden, equal widths) computes h_{i+1} = h_i + f(a_i)
        self.skips = tuple(self.residual and i < len(sizes) - 2 and sizes[i] == sizes[i + 1]
                           for i in range(len(sizes) - 1))
        # Flat layout: W_1 (row-major), b_1, W_2, b_2, ...
        self._slices = []
        start = 0
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
            w_end = start + fan_in * fan_out
            self._slices.append((start, w_end, w_end + fan_out, fan_in, fan_out))
            start = w_end + fan_out
        self.n_params = start
        self.theta = self.init_params(seed)

    def init_params(self, seed=0) -> np.ndarray:
        """A fresh, seeded parameter vector (Glorot/He uniform weights, zero biases)."""
        rng = check_rng("seed", seed)
        theta = np.zeros(self.n_params, dtype=self.dtype)
        n_layers = len(self._slices)
        n_skips = sum(self.skips)
        for i, (W, _b) in enumerate(self.unpack(theta)):
            fan_in, fan_out = W.shape
            he = self.activation == "relu" and i < n_layers - 1
            r = math.sqrt(6.0 / fan_in) if he else math.sqrt(6.0 / (fan_in + fan_out))
            if self.skips[i]:
                r /= math.sqrt(n_skips)
            W[...] = rng.uniform(-r, r, size=W.shape)
        return theta

    def __repr__(self) -> str:
        skip = ", residual=True" if self.residual else ""
        return (f"MLP(sizes={self.sizes}, activation={self.activation!r}{skip}, "
                f"dtype={self.dtype.name}, n_params={self.n_params})")

    # -- parameters ------------------------------------------------------------------------

    def unpack(self, theta) -> list[tuple[np.ndarray, np.ndarray]]:
        """``[(W_1, b_1), (W_2, b_2), ...]`` as views into ``theta`` (writing into them writes θ).

        ``W_l`` has shape ``(d_{l-1}, d_l)`` and ``b_l`` ``(d_l,)``. ``theta`` may carry leading
        batch axes, ``(..., n_params)``; then ``W_l`` is ``(..., d_{l-1}, d_l)``. The results are
        views whenever the last axis of ``theta`` is contiguous (always true for ``model.theta``).
        """
        if not (isinstance(theta, np.ndarray) and theta.dtype.kind == "f"):
            theta = check_array("theta", theta, dtype=None, finite=False)
        if theta.shape[-1:] != (self.n_params,):
            raise ValueError(f"theta must have shape (..., {self.n_params}); got {theta.shape}")
        lead = theta.shape[:-1]
        return [(theta[..., w0:w1].reshape(*lead, fan_in, fan_out), theta[..., w1:b1])
                for w0, w1, b1, fan_in, fan_out in self._slices]

    # -- forward ---------------------------------------------------------------------------

    def forward(self, X, theta=None) -> np.ndarray:
        r"""Logits :math:`a_L` for inputs ``X`` ``(N, d_0)``; shape ``(..., N, d_L)``.

        ``theta`` defaults to ``model.theta``; a stack of parameter vectors ``(..., n_params)``
        is evaluated in one batched pass (``np.matmul`` over the leading axes). A single
        example ``X`` of shape ``(d_0,)`` is accepted too: its logits have shape ``(..., d_L)``.
        Inputs must be finite; logits that overflow become ``±inf`` without a warning.

        >>> model = MLP((4, 3), seed=0)
        >>> model.forward(np.zeros(4)).shape, model.forward(np.zeros((5, 4))).shape
        ((3,), (5, 3))
        """
        theta = self.theta if theta is None else theta
        h, single = self._inputs(X, allow_single=True)
        layers = self.unpack(theta)
        with np.errstate(over="ignore", invalid="ignore"):
            for i, (W, b) in enumerate(layers):
                a = h @ W
                a += b[..., None, :]
                if i == len(layers) - 1:
                    h = a
                elif self.skips[i]:
                    h = self._f(a) + h  # the skip connection: h_l = h_{l-1} + f(a_l)
                else:
                    h = self._f(a)
        return h[..., 0, :] if single else h

    def _inputs(self, X, name: str = "X", allow_single: bool = False):
        """``X`` as a finite ``(N, d_0)`` array of the model's dtype, and whether it was one
        example ``(d_0,)`` (made a batch of one)."""
        d0 = self.sizes[0]
        X = check_array(name, X, dtype=self.dtype, allow_empty=allow_single)
        if allow_single and X.shape == (d0,):
            return X[None, :], True
        if X.ndim != 2 or X.shape[1] != d0:
            one = f" or ({d0},) for one example" if allow_single else ""
            hint = "" if allow_single or X.shape != (d0,) else (
                f"; for one example pass {name}[None] (and its label in a list)")
            raise ValueError(f"{name} must have shape (n, {d0}){one}; got shape "
                             f"{X.shape}{hint}")
        return X, False

    def penalty(self, theta=None) -> np.ndarray:
        r""":math:`\sum_l \lVert W_l \rVert^2` (biases excluded); shape ``theta.shape[:-1]``."""
        theta = self.theta if theta is None else theta
        return sum(np.square(W).sum(axis=(-2, -1)) for W, _ in self.unpack(theta))

    def loss(self, theta, X, y, l2: float = 0.0):
        r"""Mean cross-entropy + :math:`\lambda\sum\lVert W\rVert^2`, vectorised over batch axes.

        ``theta`` ``(..., n_params)`` gives losses of shape ``(...)``.
        """
        l2 = _l2(l2)
        X, _ = self._inputs(X)
        y = _check_labels(y, len(X), self.sizes[-1])
        ce = cross_entropy_from_logits(self.forward(X, theta), y)
        return ce + l2 * self.penalty(theta) if l2 else ce

    def predict(self, X, theta=None) -> np.ndarray:
        """Predicted classes, ``argmax`` of the logits (one class for one example ``(d_0,)``)."""
        return self.forward(X, theta).argmax(axis=-1)

    def accuracy(self, X, y, theta=None):
        """Fraction of rows whose predicted class equals ``y``."""
        X, _ = self._inputs(X)
        y = _check_labels(y, len(X), self.sizes[-1])
        return (self.predict(X, theta) == y).mean(axis=-1)

    # -- backward --------------------------------------------------------------------------

    def loss_and_grad(self, theta, X, y, l2: float = 0.0, *, out=None):
        r"""``(loss, grad)``: :math:`J(\theta)` and, by backprop, its gradient.

        ``grad`` is a flat vector like ``theta`` (same dtype). Pass ``out`` (a preallocated
        vector of that shape and dtype) to have the gradient written into it instead.
        """
        l2 = _l2(l2)
        theta = check_array("theta", theta, dtype=None, finite=False)
        if theta.shape != (self.n_params,):
            raise ValueError(f"theta must be one flat vector of shape ({self.n_params},) for "
                             f"backprop; got shape {theta.shape}")
        X, _ = self._inputs(X)
        y = _check_labels(y, len(X), self.sizes[-1])
        if out is not None and not (isinstance(out, np.ndarray) and out.shape == theta.shape
                                    and out.dtype == theta.dtype and out.flags.writeable):
            raise ArgumentTypeError(f"out must be a writeable {theta.dtype} array of shape "
                                    f"{theta.shape} (like theta); got {describe(out)}")
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            ce, pen, _, grad = self._backprop(theta, X, y, l2, out)
        return ce + pen, grad

    def _backprop(self, theta, X, y, l2, out):
        """Return (cross-entropy, L2 term, number of correct predictions, gradient)."""
        theta = np.asarray(theta)
        if theta.ndim != 1:
            raise ValueError(f"theta must be one flat vector for backprop; got shape "
                             f"{theta.shape}")
        X = np.asarray(X, dtype=self.dtype)
        y = np.asarray(y)
        grad = np.empty_like(theta) if out is None else out
        layers, grads = self.unpack(theta), self.unpack(grad)
        f, f_prime = self._f, self._f_prime
        n, n_classes = len(X), self.sizes[-1]
        target = np.arange(n) * n_classes + y  # flat index of z[i, y_i]

        # Forward, keeping every pre-activation a_l and activation h_l.
        hs, pre = [X], []
        for i, (W, b) in enumerate(layers[:-1]):
            a = hs[-1] @ W
            a += b
            pre.append(a)
            h = f(a)
            if self.skips[i]:
                h += hs[-1]  # h_l = h_{l-1} + f(a_l)
            hs.append(h)
        W, b = layers[-1]
        z = hs[-1] @ W
        z += b

        # Softmax cross-entropy, stable: z <- z - max z.
        correct = int(np.count_nonzero(z.argmax(axis=1) == y))
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        total = p.sum(axis=1, keepdims=True)
        ce = float((np.log(total).sum() - z.ravel()[target].sum()) / n)

        # g_{a_L} = (softmax - onehot) / N
        p /= total
        p.ravel()[target] -= 1.0
        p /= n
        g = p
        g_h_out = None  # with skips: the gradient of layer i's output h_{i+1}
        for i in range(len(layers) - 1, -1, -1):
            W, _ = layers[i]
            g_W, g_b = grads[i]
            np.matmul(hs[i].T, g, out=g_W)  # g_W = h^T g
            np.sum(g, axis=0, out=g_b)       # g_b = sum_i g
            if l2:
                g_W += (2.0 * l2) * W
            if i > 0:
                g_h = g @ W.T                 # g_h = g W^T
                if self.skips[i]:
                    g_h += g_h_out            # + g of h_{i+1} = h_i + f(a_i): the skip
                if self.skips[i - 1]:
                    g_h_out = g_h             # kept for the skip around layer i - 1
                    g = g_h * f_prime(pre[i - 1])
                else:
                    g = g_h
                    g *= f_prime(pre[i - 1])  # g_a = g_h ⊙ f'(a)
        pen = l2 * float(sum(np.vdot(W, W) for W, _ in layers)) if l2 else 0.0
        return ce, pen, correct, grad


# --------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------


@dataclass
class History:
    """Per-epoch metrics of :func:`train` (``history.train_loss`` or ``history["train_loss"]``).

    ``train_loss``/``train_accuracy`` average the minibatches seen during the epoch (as Keras
    reports them); ``dev_*`` are measured after the epoch. Losses are mean cross-entropy without
    the L2 term. ``step_loss`` holds every minibatch's objective (with the L2 term), evaluated
    where the optimiser asked for the gradient (Nesterov: at the look-ahead point).
    ``diverged`` is True when a minibatch objective became non-finite or exceeded the bound
    ``max_loss`` of :func:`train`; training then stopped.
    """

    train_loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    dev_loss: list = field(default_factory=list)
    dev_accuracy: list = field(default_factory=list)
    step_loss: list = field(default_factory=list)
    diverged: bool = False

    def __getitem__(self, key: str):
        if key not in self.__dataclass_fields__:
            raise KeyError(f"{key!r} is not a History field; the fields are "
                           f"{', '.join(self.__dataclass_fields__)}")
        return getattr(self, key)


_HISTORY_KEYS = ("train_loss", "train_accuracy", "dev_loss", "dev_accuracy")


def _history_field(history, key: str):
    if isinstance(history, Mapping):
        return history.get(key, [])
    return getattr(history, key, [])


def history_curves(history) -> dict[str, np.ndarray]:
    r"""A training history as float arrays, one value per epoch; non-finite values become NaN.

    ``history`` is a :class:`History` or a mapping with ``train_loss`` and ``train_accuracy``
    and, optionally, ``dev_loss``, ``dev_accuracy`` and ``diverged``. Returns those four arrays
    (missing ones empty), ``epoch`` (1, 2, … for the training curves), ``dev_epoch`` (the same
    for the dev curves) and ``diverged``: the epoch in which the run diverged (flagged, or its
    training loss is not finite), else NaN.

    >>> c = history_curves({"train_loss": [2.0, np.inf], "train_accuracy": [0.5, 0.1]})
    >>> c["epoch"].tolist(), c["train_loss"].tolist(), c["dev_loss"].size, float(c["diverged"])
    ([1.0, 2.0], [2.0, nan], 0, 2.0)
    """
    if not (isinstance(history, Mapping) or hasattr(history, "train_loss")):
        raise ArgumentTypeError("history must be a History (what mlp.train returns) or a "
                                f"mapping of per-epoch lists; got {describe(history)}")
    curves = {}
    for key in _HISTORY_KEYS:
        field_ = _history_field(history, key)
        try:
            v = np.asarray(field_, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError):
            raise ArgumentTypeError(f"history[{key!r}] must be a list of numbers, one per "
                                    f"epoch; got {describe(field_)}") from None
        curves[key] = np.where(np.isfinite(v), v, np.nan)
    curves["epoch"] = np.arange(1.0, len(curves["train_loss"]) + 1)
    curves["dev_epoch"] = np.arange(1.0, len(curves["dev_loss"]) + 1)
    bad = np.flatnonzero(np.isnan(curves["train_loss"]))
    flagged = bool(_history_field(history, "diverged") or False)
    if bad.size:
        curves["diverged"] = np.float64(bad[0] + 1)
    elif flagged:
        curves["diverged"] = np.float64(len(curves["train_loss"]))
    else:
        curves["diverged"] = np.float64(np.nan)
    return curves


def _evaluate(model: MLP, theta, X, y, chunk: int = 8192) -> tuple[float, float]:
    """Mean cross-entropy and accuracy of ``theta`` on ``(X, y)``, in chunks of rows."""
    ce_sum, correct = 0.0, 0
    for start in range(0, len(X), chunk):
        logits = model.forward(X[start:start + chunk], theta)
        yb = y[start:start + chunk]
        ce_sum += float(cross_entropy_from_logits(logits, yb)) * len(yb)
        correct += int(np.count_nonzero(logits.argmax(axis=-1) == yb))
    return ce_sum / len(X), correct / len(X)


def train(model: MLP, X, y, optimizer, epochs: int, batch_size: int, X_dev=None, y_dev=None,
          seed=0, progress: bool = True, l2: float = 0.0, max_loss=None) -> History:
    r"""Minibatch training of ``model`` with any :mod:`npfl_helpers.optim` optimiser.

    Each epoch draws a new order of the rows (seeded by ``seed``) and takes one step
    ``theta, state = optimizer.step(theta, state, grad_fn)`` per minibatch, where ``grad_fn``
    is backprop on that minibatch. A learning-rate schedule inside the optimiser sees the
    number of updates done so far. ``model.theta`` is replaced by the current parameters after
    each epoch (a new array: earlier views of it are not updated).

    **Divergence.** A run stops early with ``history.diverged = True`` as soon as a minibatch
    objective is not finite or exceeds ``max_loss``. By default ``max_loss`` is
    :math:`10^6 \cdot \max(1, J_1)`, with :math:`J_1` the objective of the first minibatch (the
    untrained network's, near :math:`\log C` for :math:`C` classes plus the L2 term): a loss a
    million times the starting one has exploded even if it is still a finite float. Pass a
    number to use an absolute bound instead.

    ``progress`` shows a ``tqdm`` bar. Returns a :class:`History`.
    """
    if not isinstance(model, MLP):
        raise ArgumentTypeError(f"model must be an MLP such as mlp.MLP((64, 100, 10)); got "
                                f"{describe(model)}")
    optimizer = check_optimizer("optimizer", optimizer)
    epochs = check_int("epochs", epochs, low=0)
    batch_size = check_int("batch_size", batch_size, low=1)
    l2 = _l2(l2)
    progress = check_bool("progress", progress)
    if max_loss is not None:
        max_loss = check_range("max_loss", max_loss, 0, low_open=True, allow_array=False)
    X = np.ascontiguousarray(model._inputs(X)[0])
    y = _check_labels(y, len(X), model.sizes[-1])
    has_dev = X_dev is not None
    if has_dev != (y_dev is not None):
        given, missing = ("X_dev", "y_dev") if has_dev else ("y_dev", "X_dev")
        raise ValueError(f"{missing} must be given together with {given}; got {given} "
                         f"without {missing}")
    if has_dev:
        X_dev = model._inputs(X_dev, name="X_dev")[0]
        y_dev = _check_labels(y_dev, len(X_dev), model.sizes[-1], name="y_dev")

    rng = check_rng("seed", seed)
    theta = np.array(model.theta, dtype=model.dtype)
    state = optimizer.init(theta)
    n_batches = -(-len(X) // batch_size)
    history = History()
    stash = [0.0, 0.0, 0]  # cross-entropy, L2 term, correct count of the last minibatch
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=epochs * n_batches, unit="step", desc=f"{optimizer.name}")

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for _epoch in range(epochs):
            ce_sum, correct = 0.0, 0
            for Xb, yb in data.minibatches(X, y, batch_size, rng):

                def grad_fn(th, Xb=Xb, yb=yb):
                    # a fresh gradient per call, so an optimiser may keep g in its state
                    # (measured: reusing one buffer would save only ~2 % of an epoch)
                    stash[0], stash[1], stash[2], g = model._backprop(th, Xb, yb, l2, None)
                    return g

                theta, state = optimizer.step(theta, state, grad_fn)
                if theta.dtype != model.dtype:  # keep float32 float32 whatever the optimiser does
                    theta = theta.astype(model.dtype)
                history.step_loss.append(stash[0] + stash[1])
                ce_sum += stash[0] * len(yb)
                correct += stash[2]
                if bar is not None:
                    bar.update()
                objective = stash[0] + stash[1]
                if max_loss is None:  # the bound relative to the first minibatch's objective
                    max_loss = 1e6 * max(1.0, objective) if math.isfinite(objective) else 1.0
                if not objective <= max_loss:  # also True for NaN
                    history.diverged = True
                    break
            history.train_loss.append(ce_sum / len(X))
            history.train_accuracy.append(correct / len(X))
            if has_dev:
                dev_loss, dev_acc = _evaluate(model, theta, X_dev, y_dev)
                history.dev_loss.append(dev_loss)
                history.dev_accuracy.append(dev_acc)
            model.theta = theta
            if bar is not None:
                post = {"loss": f"{history.train_loss[-1]:.4f}"}
                if has_dev:
                    post["dev_acc"] = f"{history.dev_accuracy[-1]:.3f}"
                bar.set_postfix(post)
            if history.diverged:
                break
    if bar is not None:
        bar.close()
    return history


def train_epochs(model: MLP, X, y, optimizer, epochs: int, batch_size: int) -> np.ndarray:
    r"""Train ``model`` epoch by epoch; the loss on **all** of ``(X, y)`` before and after each.

    Returns :math:`J(\theta)` on the whole training set at the start and after every
    epoch, shape ``(epochs + 1,)`` (``History.train_loss`` instead averages the minibatches seen
    during an epoch). Epoch :math:`e = 0, 1, \dots` is one call of :func:`train` with
    ``seed=e``, so the optimiser's state starts afresh every epoch: meant for plain SGD, which
    keeps none. ``batch_size = len(X)`` is gradient descent, ``1`` online SGD.
    """
    epochs = check_int("epochs", epochs, 0)
    losses = [model.loss(model.theta, X, y)]
    for epoch in range(epochs):
        train(model, X, y, optimizer, epochs=1, batch_size=batch_size, seed=epoch,
              progress=False)
        losses.append(model.loss(model.theta, X, y))
    return np.array(losses, dtype=np.float64)


def layer_gradient_norms(activation: str, depth: int = 12, width: int = 32,
                         seed=0) -> np.ndarray:
    r"""How large the gradient is at each layer of a deep random stack, after one backward pass.

    The stack is :math:`h_0 = x`, :math:`h_l = f(h_{l-1} W_l)` for :math:`l = 1 \dots` ``depth``
    (no biases), with :math:`x` and the entries of :math:`W_l` drawn from
    :math:`\mathcal N(0, 1)` and :math:`\mathcal N(0, \text{gain}/\text{width})` (gain 2 for
    ReLU, else 1: the usual initialisations), and the scalar output :math:`\sum h_{\text{depth}}`.
    Backpropagation from :math:`g_{h_{\text{depth}}} = 1`:
    :math:`g_{h_{l-1}} = (g_{h_l} \odot f'(h_{l-1} W_l))\, W_l^\top`. Returns
    :math:`\lVert g_{h_l}\rVert` for :math:`l = 0 \dots` ``depth``, shape ``(depth + 1,)``.

    >>> norms = layer_gradient_norms("sigmoid")
    >>> bool(norms[0] < 1e-4 * norms[-1])  # σ' ≤ 1/4 at every layer: the gradient vanishes
    True
    """
    f, df = ACTIVATIONS[check_choice("activation", activation, tuple(ACTIVATIONS))]
    depth = check_int("depth", depth, 1)
    width = check_int("width", width, 1)
    rng = check_rng("seed", seed)
    gain = 2.0 if activation == "relu" else 1.0
    h = rng.standard_normal((1, width))
    weights, pre_activations = [], []
    for _ in range(depth):
        W = rng.standard_normal((width, width)) * np.sqrt(gain / width)
        a = h @ W
        h = f(a)
        weights.append(W)
        pre_activations.append(a)
    g = np.ones_like(h)  # ∂(Σ h_depth)/∂h_depth
    norms = [np.linalg.norm(g)]
    for W, a in zip(reversed(weights), reversed(pre_activations), strict=True):
        g = (g * df(a)) @ W.T
        norms.append(np.linalg.norm(g))
    return np.array(norms[::-1])


def dead_units(model: MLP, X, theta=None) -> np.ndarray:
    r"""How many units of each hidden layer output exactly 0 for every row of ``X``.

    For ReLU these are "dead" units: their pre-activation :math:`a` is ≤ 0 on every example, so
    :math:`\operatorname{ReLU}'(a) = 0` and no gradient from that data reaches their incoming
    weights: training cannot revive them. (σ and tanh units are 0 only where they underflow.)
    A learning rate that is far too large can kill every unit of a ReLU layer; the network then
    predicts the same class for every input. Returns one count per hidden layer, shape
    ``(len(model.sizes) - 2,)``.

    >>> model = MLP((2, 3, 2), activation="relu", seed=0)
    >>> (W1, b1), _ = model.unpack(model.theta)
    >>> b1[:2] = -100.0  # two units that no input in [0, 1]² can switch on
    >>> dead_units(model, np.random.default_rng(0).random((50, 2))).tolist()
    [2]
    """
    if not isinstance(model, MLP):
        raise ArgumentTypeError(f"model must be an MLP such as mlp.MLP((64, 100, 10)); got "
                                f"{describe(model)}")
    theta = model.theta if theta is None else theta
    h, _ = model._inputs(X)
    counts = []
    with np.errstate(over="ignore", invalid="ignore"):
        for i, (W, b) in enumerate(model.unpack(theta)[:-1]):
            out = model._f(h @ W + b)
            counts.append(int(np.count_nonzero((out == 0).all(axis=0))))
            h = out + h if model.skips[i] else out
    return np.array(counts, dtype=np.int64)
