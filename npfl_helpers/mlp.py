r"""The 80s-style multilayer perceptron: one flat parameter vector, manual vectorised backprop.

A network with layer sizes :math:`d_0, d_1, \dots, d_L` computes, for a batch :math:`X` of
:math:`N` rows,

.. math::
    h_0 = X, \qquad a_l = h_{l-1} W_l + b_l, \qquad h_l = f(a_l) \quad (l < L),
    \qquad \text{logits} = a_L,

and is trained on the mean softmax cross-entropy with an optional L2 penalty on the weights
(biases are not penalised):

.. math::
    \mathcal L(\theta) = -\frac1N \sum_{i=1}^N \log \operatorname{softmax}(a_L^{(i)})_{y_i}
    + \lambda \sum_l \lVert W_l \rVert^2 .

Backpropagation, the lecture's algorithm written for whole layers and whole batches
(:math:`\odot` is the elementwise product):

.. math::
    g_{a_L} = \frac1N\bigl(\operatorname{softmax}(a_L) - \operatorname{onehot}(y)\bigr), \qquad
    g_{W_l} = h_{l-1}^\top g_{a_l} + 2\lambda W_l, \qquad g_{b_l} = \textstyle\sum_i g_{a_l}, \qquad
    g_{a_{l-1}} = g_{a_l} W_l^\top \odot f'(a_{l-1}).

=====================  ===============  ==============================================
symbol                 argument         meaning
=====================  ===============  ==============================================
:math:`\theta`         ``theta``        all weights and biases in one flat vector
:math:`W_l, b_l`       ``unpack``       layer :math:`l`'s weights ``(d_{l-1}, d_l)``, bias
:math:`f`              ``activation``   ``"sigmoid"``, ``"tanh"`` or ``"relu"``
:math:`\lambda`        ``l2``           L2 penalty strength
:math:`N`              ``len(X)``       minibatch size
=====================  ===============  ==============================================
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from . import data
from ._validate import check_choice, check_int, check_range

__all__ = ["ACTIVATIONS", "MLP", "History", "cross_entropy_from_logits", "train"]


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


def cross_entropy_from_logits(logits, y):
    r"""Mean softmax cross-entropy :math:`-\frac1N\sum_i \log\operatorname{softmax}(z_i)_{y_i}`.

    ``logits`` has shape ``(..., N, C)`` and ``y`` ``(N,)``; returns shape ``(...)``. Stable: uses
    :math:`\log\operatorname{softmax}(z) = z - \max z - \log\sum e^{z - \max z}`.

    >>> float(cross_entropy_from_logits(np.zeros((2, 4)), np.array([0, 3])))  # log 4
    1.3862943611198906
    """
    z = logits - logits.max(axis=-1, keepdims=True)
    lse = np.log(np.exp(z).sum(axis=-1))
    idx = np.broadcast_to(np.asarray(y)[:, None], z.shape[:-1] + (1,))
    return (lse - np.take_along_axis(z, idx, axis=-1)[..., 0]).mean(axis=-1)


def _check_labels(y, n: int, n_classes: int, name: str = "y") -> np.ndarray:
    """``y`` as an integer array of ``n`` class indices in ``[0, n_classes)``.

    An index outside that range would silently pick another row's logit (the targets are
    flat indices), and a shorter ``y`` would broadcast.
    """
    y = np.asarray(y)
    if y.shape != (n,) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"{name} must be an integer array of class indices of shape ({n},); "
                         f"got a {y.dtype} array of shape {y.shape}")
    if n and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(f"{name} must hold class indices in [0, {n_classes - 1}]; got values "
                         f"in [{y.min()}, {y.max()}]")
    return y


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

    >>> model = MLP((4, 5, 3), activation="tanh", seed=0)
    >>> model.n_params  # 4*5 + 5 + 5*3 + 3
    43
    >>> [(W.shape, b.shape) for W, b in model.unpack(model.theta)]
    [((4, 5), (5,)), ((5, 3), (3,))]
    >>> model.forward(np.zeros((2, 4))).shape
    (2, 3)
    """

    def __init__(self, sizes: Sequence[int], activation: str = "relu", seed=0,
                 dtype=np.float64):
        sizes = tuple(check_int("sizes", s, low=1) for s in sizes)
        if len(sizes) < 2:
            raise ValueError(f"sizes must list at least 2 layer widths (input, output); got "
                             f"{sizes}")
        self.sizes = sizes
        self.activation = check_choice("activation", activation, ACTIVATIONS)
        self.dtype = np.dtype(dtype)
        if self.dtype.kind != "f":
            raise ValueError(f"dtype must be a floating type; got {self.dtype}")
        self._f, self._f_prime = ACTIVATIONS[activation]
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
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        theta = np.zeros(self.n_params, dtype=self.dtype)
        n_layers = len(self._slices)
        for i, (W, _b) in enumerate(self.unpack(theta)):
            fan_in, fan_out = W.shape
            he = self.activation == "relu" and i < n_layers - 1
            r = math.sqrt(6.0 / fan_in) if he else math.sqrt(6.0 / (fan_in + fan_out))
            W[...] = rng.uniform(-r, r, size=W.shape)
        return theta

    def __repr__(self) -> str:
        return (f"MLP(sizes={self.sizes}, activation={self.activation!r}, "
                f"dtype={self.dtype.name}, n_params={self.n_params})")

    # -- parameters ------------------------------------------------------------------------

    def unpack(self, theta) -> list[tuple[np.ndarray, np.ndarray]]:
        """``[(W_1, b_1), (W_2, b_2), ...]`` as views into ``theta`` (writing into them writes θ).

        ``W_l`` has shape ``(d_{l-1}, d_l)`` and ``b_l`` ``(d_l,)``. ``theta`` may carry leading
        batch axes, ``(..., n_params)``; then ``W_l`` is ``(..., d_{l-1}, d_l)``. The results are
        views whenever the last axis of ``theta`` is contiguous (always true for ``model.theta``).
        """
        theta = np.asarray(theta)
        if theta.shape[-1:] != (self.n_params,):
            raise ValueError(f"theta must have shape (..., {self.n_params}); got {theta.shape}")
        lead = theta.shape[:-1]
        return [(theta[..., w0:w1].reshape(*lead, fan_in, fan_out), theta[..., w1:b1])
                for w0, w1, b1, fan_in, fan_out in self._slices]

    # -- forward ---------------------------------------------------------------------------

    def forward(self, X, theta=None) -> np.ndarray:
        r"""Logits :math:`a_L` for inputs ``X`` ``(N, d_0)``; shape ``(..., N, d_L)``.

        ``theta`` defaults to ``model.theta``; a stack of parameter vectors ``(..., n_params)``
        is evaluated in one batched pass (``np.matmul`` over the leading axes).
        """
        theta = self.theta if theta is None else theta
        h = np.asarray(X, dtype=self.dtype)
        layers = self.unpack(theta)
        for i, (W, b) in enumerate(layers):
            a = h @ W
            a += b[..., None, :]
            h = self._f(a) if i < len(layers) - 1 else a
        return h

    def penalty(self, theta=None) -> np.ndarray:
        r""":math:`\sum_l \lVert W_l \rVert^2` (biases excluded); shape ``theta.shape[:-1]``."""
        theta = self.theta if theta is None else theta
        return sum(np.square(W).sum(axis=(-2, -1)) for W, _ in self.unpack(theta))

    def loss(self, theta, X, y, l2: float = 0.0):
        r"""Mean cross-entropy + :math:`\lambda\sum\lVert W\rVert^2`, vectorised over batch axes.

        ``theta`` ``(..., n_params)`` gives losses of shape ``(...)``.
        """
        X = np.asarray(X, dtype=self.dtype)
        y = _check_labels(y, len(X), self.sizes[-1])
        ce = cross_entropy_from_logits(self.forward(X, theta), y)
        return ce + l2 * self.penalty(theta) if l2 else ce

    def predict(self, X, theta=None) -> np.ndarray:
        """Predicted classes, ``argmax`` of the logits."""
        return self.forward(X, theta).argmax(axis=-1)

    def accuracy(self, X, y, theta=None):
        """Fraction of rows whose predicted class equals ``y``."""
        return (self.predict(X, theta) == np.asarray(y)).mean(axis=-1)

    # -- backward --------------------------------------------------------------------------

    def loss_and_grad(self, theta, X, y, l2: float = 0.0, *, out=None):
        r"""``(loss, grad)``: :math:`\mathcal L(\theta)` and, by backprop, its gradient.

        ``grad`` is a flat vector like ``theta`` (same dtype). Pass ``out`` (a preallocated
        vector of that shape and dtype) to have the gradient written into it instead.
        """
        X = np.asarray(X, dtype=self.dtype)
        y = _check_labels(y, len(X), self.sizes[-1])
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
        for W, b in layers[:-1]:
            a = hs[-1] @ W
            a += b
            pre.append(a)
            hs.append(f(a))
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
        for i in range(len(layers) - 1, -1, -1):
            W, _ = layers[i]
            g_W, g_b = grads[i]
            np.matmul(hs[i].T, g, out=g_W)  # g_W = h^T g
            np.sum(g, axis=0, out=g_b)       # g_b = sum_i g
            if l2:
                g_W += (2.0 * l2) * W
            if i > 0:
                g = g @ W.T                   # g_h = g W^T
                g *= f_prime(pre[i - 1])      # g_a = g_h ⊙ f'(a)
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
    """

    train_loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    dev_loss: list = field(default_factory=list)
    dev_accuracy: list = field(default_factory=list)
    step_loss: list = field(default_factory=list)
    diverged: bool = False

    def __getitem__(self, key: str):
        return getattr(self, key)


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
          seed=0, progress: bool = True, l2: float = 0.0) -> History:
    r"""Minibatch training of ``model`` with any :mod:`npfl_helpers.optim` optimiser.

    Each epoch draws a new order of the rows (seeded by ``seed``) and takes one step
    ``theta, state = optimizer.step(theta, state, grad_fn)`` per minibatch, where ``grad_fn``
    is backprop on that minibatch. A learning-rate schedule inside the optimiser sees the
    number of updates done so far. ``model.theta`` is replaced by the current parameters after
    each epoch (a new array: earlier views of it are not updated); a run whose loss becomes
    non-finite stops early with ``history.diverged = True``.
    ``progress`` shows a ``tqdm`` bar. Returns a :class:`History`.
    """
    epochs = check_int("epochs", epochs, low=0)
    batch_size = check_int("batch_size", batch_size, low=1)
    l2 = check_range("l2", l2, low=0, allow_array=False)
    X = np.ascontiguousarray(X, dtype=model.dtype)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != model.sizes[0] or len(y) != len(X):
        raise ValueError(f"X must have shape (n, {model.sizes[0]}) and y shape (n,); got "
                         f"{X.shape} and {y.shape}")
    y = _check_labels(y, len(X), model.sizes[-1])
    has_dev = X_dev is not None
    if has_dev:
        X_dev = np.asarray(X_dev, dtype=model.dtype)
        y_dev = _check_labels(y_dev, len(X_dev), model.sizes[-1], name="y_dev")

    rng = np.random.default_rng(seed)
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
                if not math.isfinite(stash[0] + stash[1]):
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
