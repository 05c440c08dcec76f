r"""The minibatch gradient as an estimator of the full gradient: per-example gradients of an
MLP, random minibatches as weight rows, and the measured and predicted gradient noise.

===================  =============================  ============================================
symbol               argument / result              meaning
===================  =============================  ============================================
:math:`g_i`          row ``i`` of ``G``             gradient of example :math:`i`'s loss
:math:`g`            ``G.mean(axis=0)``             the full gradient
:math:`\hat g`       ``weights @ G``                a minibatch gradient
:math:`m`, :math:`N` ``m``, ``N``                   batch size, number of training examples
===================  =============================  ============================================

The minibatch gradient :math:`\hat g = \frac1m\sum_{i\in B} g_i` is an unbiased estimate of the
full gradient :math:`g = \frac1N \sum_i g_i`. With
:math:`\sigma^2 = \frac1N\sum_i \lVert g_i - g\rVert^2` (the variance of single examples'
gradients),

.. math::
    \mathbb E\,\lVert \hat g - g \rVert^2 = \frac{\sigma^2}{m}\cdot\frac{N - m}{N - 1}
    \quad\text{(without replacement)}, \qquad \frac{\sigma^2}{m} \quad\text{(with replacement)}.

Minibatches drawn **without replacement**, as :func:`npfl_helpers.data.minibatches` draws them
within an epoch, give exactly zero variance at :math:`m = N`: the minibatch is the whole set.

>>> minibatch_variance(2.0, N=100, m=[1, 100])          # σ² at m = 1, 0 at m = N
array([2., 0.])
>>> minibatch_variance(2.0, N=100, m=100, replace=True)  # σ²/m
0.02
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import data, mlp, optim
from .._validate import (
    ArgumentTypeError,
    check_array,
    check_bool,
    check_int,
    check_range,
    check_rng,
)
from ._common import _check_draws

__all__ = [
    "SAMPLINGS",
    "per_example_gradients",
    "minibatch_weights",
    "minibatch_variance",
    "GradientNoise",
    "gradient_noise",
    "doubling_batch_sizes",
    "trained_digits_mlp",
]


#: The two ways of drawing a minibatch, as :func:`gradient_noise` names them.
SAMPLINGS = ("without replacement", "with replacement")


def per_example_gradients(model: mlp.MLP, theta, X, y) -> np.ndarray:
    r"""The gradient of every example's loss, one row per example: shape ``(N, n_params)``.

    Row :math:`i` is :math:`g_i = \nabla_\theta\,(-\log p(y_i \mid x_i; \theta))`, computed for
    all examples at once by the MLP's backpropagation with the batch axis kept: the weight
    gradient of layer :math:`l` for example :math:`i` is the outer product
    :math:`h_{l-1,i}\, g_{a_l,i}^\top`. The mean of the rows is ``model.loss_and_grad``'s
    gradient (without L2).

    >>> model = mlp.MLP((3, 4, 2), activation="tanh", seed=0)
    >>> X, y = np.eye(3), np.array([0, 1, 1])
    >>> G = per_example_gradients(model, model.theta, X, y)
    >>> G.shape, bool(np.allclose(G.mean(axis=0), model.loss_and_grad(model.theta, X, y)[1]))
    ((3, 26), True)
    """
    if not isinstance(model, mlp.MLP):
        raise ArgumentTypeError(f"model must be an mlp.MLP such as mlp.MLP((64, 100, 10)); got "
                                f"{type(model).__name__ if model is not None else None}")
    if any(model.skips):
        raise ValueError(f"model must be an MLP without skip connections (residual=False); got "
                         f"{model!r}")
    f, f_prime = mlp.ACTIVATIONS[model.activation]
    theta = check_array("theta", theta, shape=(model.n_params,), dtype=model.dtype)
    X = check_array("X", X, shape=(None, model.sizes[0]), dtype=model.dtype)
    y = mlp._check_labels(y, len(X), model.sizes[-1])
    layers = model.unpack(theta)
    hs, pre = [X], []
    for W_, b in layers[:-1]:
        a = hs[-1] @ W_ + b
        pre.append(a)
        hs.append(f(a))
    z = hs[-1] @ layers[-1][0] + layers[-1][1]
    z = z - z.max(axis=1, keepdims=True)
    g = np.exp(z)
    g /= g.sum(axis=1, keepdims=True)
    g[np.arange(len(X)), y] -= 1.0  # g_{a_L} of each example: softmax − onehot
    G = np.empty((len(X), model.n_params), dtype=model.dtype)
    views = model.unpack(G)
    for i in range(len(layers) - 1, -1, -1):
        g_W, g_b = views[i]
        g_W[...] = hs[i][:, :, None] * g[:, None, :]  # per-example outer product h g^T
        g_b[...] = g
        if i > 0:
            g = (g @ layers[i][0].T) * f_prime(pre[i - 1])
    return G


def minibatch_weights(N: int, m: int, n_batches: int, rng=None,
                      replace: bool = False) -> np.ndarray:
    r"""``n_batches`` random minibatches of size ``m`` as rows of weights, shape ``(n_batches, N)``.

    Row :math:`b` puts weight :math:`1/m` on each example drawn into minibatch :math:`b` (an
    example drawn twice, possible only with ``replace``, gets :math:`2/m`), so ``weights @ G``
    is the minibatch gradients of all batches at once. Without replacement every row holds
    exactly ``m`` distinct examples.

    >>> w = minibatch_weights(5, 2, 3, rng=0)
    >>> w.shape, w.sum(axis=1).tolist(), sorted(set(w.ravel().tolist()))
    ((3, 5), [1.0, 1.0, 1.0], [0.0, 0.5])
    """
    replace = check_bool("replace", replace)
    N = check_int("N", N, low=1)
    m = check_int("m", m, low=1, high=None if replace else N)
    n_batches = check_int("n_batches", n_batches, low=1)
    _check_draws(n_batches, max(N, m), "n_batches", "max(N, m)")
    rng = check_rng("rng", rng)
    rows = np.arange(n_batches)[:, None]
    if replace:
        idx = rng.integers(0, N, size=(n_batches, m))
        counts = np.bincount((rows * N + idx).ravel(), minlength=n_batches * N)
        return counts.reshape(n_batches, N) / m
    idx = rng.permuted(np.broadcast_to(np.arange(N), (n_batches, N)), axis=1)[:, :m]
    w = np.zeros((n_batches, N))
    w[rows, idx] = 1.0 / m
    return w


def minibatch_variance(sigma2, N: int, m, replace: bool = False):
    r"""Expected squared error of the minibatch gradient, :math:`\mathbb E\lVert\hat g - g\rVert^2`.

    .. math::
        \frac{\sigma^2}{m}\cdot\frac{N-m}{N-1} \ \text{(without replacement)}, \qquad
        \frac{\sigma^2}{m} \ \text{(with replacement)},

    with :math:`\sigma^2 = \frac1N\sum_i\lVert g_i - g\rVert^2` the variance of single
    examples' gradients. ``m`` may be an array. The factor :math:`(N-m)/(N-1)` is the
    finite-population correction: it makes the variance zero at :math:`m = N`.
    """
    replace = check_bool("replace", replace)
    sigma2 = check_range("sigma2", sigma2, 0, allow_array=False)
    N = check_int("N", N, low=1)
    m = np.asarray(check_range("m", m, 1, None if replace else N), dtype=np.float64)
    if not np.all(m == np.round(m)):
        raise ValueError(f"m must hold whole batch sizes; got {m[m != np.round(m)].ravel()[0]!r}")
    v = sigma2 / m
    if not replace:
        v = v * ((N - m) / (N - 1) if N > 1 else np.zeros_like(m))
    return float(v) if v.ndim == 0 else v


class GradientNoise(NamedTuple):
    r"""Measured statistics of minibatch gradients at one θ (see :func:`gradient_noise`).

    ``g`` the full gradient, ``sigma2`` :math:`\sigma^2`, ``batch_sizes`` the sizes
    :math:`m`; per sampling ("without replacement", "with replacement"): ``variance[s]`` the
    mean of :math:`\lVert\hat g - g\rVert^2` over the minibatches for each :math:`m`,
    ``descent[s]`` the fraction with :math:`\hat g\cdot g > 0`, ``cloud[s]`` the coordinates
    ``(len(batch_sizes), n_batches, 2)`` of the minibatch gradients on the orthonormal
    directions ``u`` ``(2, P)``: :math:`u_1 = g/\lVert g\rVert` and :math:`u_2 \perp g` the
    direction of largest noise. ``mean_error[s]`` is the distance of the average of all
    minibatch gradients from :math:`g` for each :math:`m`.
    """

    g: np.ndarray
    sigma2: float
    N: int
    batch_sizes: np.ndarray
    u: np.ndarray
    variance: dict
    descent: dict
    cloud: dict
    mean_error: dict


def _top_direction(Gc: np.ndarray, u1: np.ndarray, iters: int = 60) -> np.ndarray:
    """The direction of largest variance of the rows of ``Gc`` orthogonal to ``u1`` (power
    iteration on the Gram matrix, deterministic)."""
    A = Gc - np.outer(Gc @ u1, u1)
    K = A @ A.T
    v = np.ones(len(K)) / np.sqrt(len(K))
    for _ in range(iters):
        v = K @ v
        norm = np.linalg.norm(v)
        if norm == 0:
            break
        v /= norm
    u2 = A.T @ v
    u2 -= (u2 @ u1) * u1
    norm = np.linalg.norm(u2)
    if norm == 0:  # no noise left (e.g. N = 1): any unit vector orthogonal to u1
        u2 = np.zeros_like(u1)
        u2[int(np.argmin(np.abs(u1)))] = 1.0
        u2 -= (u2 @ u1) * u1
        norm = np.linalg.norm(u2)
    u2 /= norm
    return u2 if u2[np.argmax(np.abs(u2))] > 0 else -u2


def gradient_noise(G, batch_sizes, n_batches: int = 200, seed=0) -> GradientNoise:
    r"""Measure minibatch gradients for several batch sizes from per-example gradients ``G``.

    ``G`` ``(N, P)`` (e.g. from :func:`per_example_gradients`). For each size :math:`m` and
    each sampling, ``n_batches`` minibatches are drawn at once (:func:`minibatch_weights`) and
    all their gradients computed by one matrix product; squared norms use the Gram matrix
    :math:`K = (G - g)(G - g)^\top`, so nothing of size ``n_batches × P`` is formed.
    Gradients of any finite size are safe: ``G`` is scaled by its largest entry for the
    computation, and the results scaled back (overflowing to ``inf`` only where the true value
    exceeds the float range).
    """
    G = check_array("G", G, ndim=2)
    N = len(G)
    if isinstance(batch_sizes, (str, bytes)) or batch_sizes is None:
        raise ArgumentTypeError(f"batch_sizes must be a list of batch sizes; got {batch_sizes!r}")
    sizes = np.asarray([check_int("batch_sizes", m, 1, N) for m in np.ravel(batch_sizes)],
                       dtype=np.int64)
    if sizes.size == 0:
        raise ValueError("batch_sizes must list at least one batch size; got none")
    n_batches = check_int("n_batches", n_batches, low=1)
    _check_draws(n_batches, N, "n_batches", "N")
    rng = check_rng("seed", seed)
    scale = float(np.max(np.abs(G)))
    scale = scale if (scale > 0 and not 1e-100 < scale < 1e100) else 1.0
    if scale != 1.0:
        G = G / scale
    g = G.mean(axis=0)
    Gc = G - g
    sigma2 = float(np.mean(np.sum(Gc * Gc, axis=1)))
    g_norm = float(np.linalg.norm(g))
    u1 = g / g_norm if g_norm > 0 else np.eye(G.shape[1])[0]
    u2 = _top_direction(Gc, u1)
    u = np.stack([u1, u2])
    K = Gc @ Gc.T
    Z = Gc @ u.T  # (N, 2): coordinates of g_i − g
    Gg = Gc @ g  # (N,): (g_i − g)·g
    variance, descent, cloud, mean_error = {}, {}, {}, {}
    for sampling in SAMPLINGS:
        replace = sampling == SAMPLINGS[1]
        var, desc, pts, err = [], [], [], []
        for m in sizes:
            w = minibatch_weights(N, int(m), n_batches, rng, replace=replace)
            sq = np.einsum("bi,bi->b", w @ K, w)  # ‖ĝ − g‖² of each minibatch
            v = float(np.mean(np.maximum(sq, 0.0)))
            var.append(v if v > 1e-12 * sigma2 else 0.0)  # below that: rounding, exactly g
            desc.append(float(np.mean(w @ Gg + g_norm**2 > 0)))
            pts.append(w @ Z + u @ g)
            err.append(float(np.linalg.norm(w.mean(axis=0) @ Gc)))
        variance[sampling] = np.array(var)
        descent[sampling] = np.array(desc)
        cloud[sampling] = np.stack(pts)
        mean_error[sampling] = np.array(err)
    if scale != 1.0:  # back to the units of G (beyond the float range: inf, no warning)
        with np.errstate(over="ignore"):
            g, sigma2 = g * scale, sigma2 * scale * scale
            for sampling in SAMPLINGS:
                variance[sampling] = variance[sampling] * scale * scale
                cloud[sampling] = cloud[sampling] * scale
                mean_error[sampling] = mean_error[sampling] * scale
    return GradientNoise(g, sigma2, N, sizes, u, variance, descent, cloud, mean_error)


def doubling_batch_sizes(N: int) -> list[int]:
    r"""The batch sizes :math:`1, 2, 4, \dots` below ``N``, then ``N`` itself: a ladder for
    :func:`gradient_noise` on which the variance halves from one size to the next.

    >>> doubling_batch_sizes(10), doubling_batch_sizes(8), doubling_batch_sizes(1)
    ([1, 2, 4, 8, 10], [1, 2, 4, 8], [1])
    """
    N = check_int("N", N, low=1)
    return [*(1 << k for k in range(N.bit_length()) if (1 << k) < N), N]


def trained_digits_mlp(hidden: int = 32, epochs: int = 2, seed=0):
    r"""``(model, X, y)``: a tanh MLP ``(64, hidden, 10)`` and the digits' training set
    (:func:`~npfl_helpers.data.load_digits`, :math:`N = 1078`), after ``epochs`` epochs of
    minibatch SGD (:math:`\alpha = 0.2`, :math:`m = 32`); ``model.theta`` holds the trained
    :math:`\theta`. Notebook 04 holds the network fixed there and measures its minibatch
    gradients (:func:`per_example_gradients`, :func:`gradient_noise`). The same ``seed`` (an
    int) gives the same split, initialisation and minibatches.

    >>> model, X, y = trained_digits_mlp(hidden=8, epochs=0)
    >>> model.sizes, X.shape, y.shape
    ((64, 8, 10), (1078, 64), (1078,))
    """
    hidden = check_int("hidden", hidden, low=1)
    epochs = check_int("epochs", epochs, low=0)
    digits = data.load_digits(seed=seed)
    X, y = digits.train.X, digits.train.y
    model = mlp.MLP((X.shape[1], hidden, 10), activation="tanh", seed=seed)
    if epochs:
        mlp.train(model, X, y, optim.sgd(0.2), epochs=epochs, batch_size=32, seed=seed,
                  progress=False)
    return model, X, y
