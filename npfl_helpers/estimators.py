r"""Estimators: the sample mean and variance, their bias, variance and MSE measured by Monte
Carlo, and the minibatch gradient as an estimator of the full gradient.

An estimator :math:`\hat\theta` of a quantity :math:`\theta` is computed from random samples;
over the samples,

.. math::
    \operatorname{bias}(\hat\theta) = \mathbb E[\hat\theta] - \theta, \qquad
    \operatorname{MSE}(\hat\theta) = \mathbb E\bigl[(\hat\theta - \theta)^2\bigr]
        = \operatorname{bias}(\hat\theta)^2 + \operatorname{Var}(\hat\theta).

Notation (NPFL114, lecture 2):

===================  =============================  ============================================
symbol               argument / result              meaning
===================  =============================  ============================================
:math:`x_i`          ``x`` (along ``axis``)         the samples, i.i.d. with variance σ²
:math:`n`            ``n``, ``x.shape[axis]``       sample size
:math:`\bar x`       :func:`sample_mean`            :math:`\frac1n \sum_i x_i`
:math:`\sigma^2`     ``sigma2``                     the true variance
:math:`\hat\sigma^2` :func:`sample_variance`        :math:`\frac{1}{n - \text{ddof}} \sum_i
                                                    (x_i - \bar x)^2`
ddof                 ``ddof``                       0: the MLE (biased); 1: Bessel's correction
:math:`g_i`          row ``i`` of ``G``             gradient of example :math:`i`'s loss
:math:`g`            ``G.mean(axis=0)``             the full gradient
:math:`\hat g`       ``weights @ G``                a minibatch gradient
:math:`m`, :math:`N` ``m``, ``N``                   batch size, number of training examples
===================  =============================  ============================================

**Sample variance.** :math:`\mathbb E[\hat\sigma^2_0] = (1 - \frac1n)\,\sigma^2`: the MLE
(``ddof=0``) underestimates :math:`\sigma^2`, because :math:`\bar x` is fitted to the same
samples; dividing by :math:`n - 1` (``ddof=1``) removes the bias. Unbiased is not best: for
Gaussian data :math:`(n-1)\,\hat\sigma^2_1/\sigma^2 \sim \chi^2_{n-1}`, so

.. math::
    \operatorname{MSE}_1 = \operatorname{Var}(\hat\sigma^2_1) = \frac{2\sigma^4}{n - 1},
    \qquad
    \operatorname{MSE}_0 = \frac{\sigma^4}{n^2} + \frac{(n-1)^2}{n^2}\cdot\frac{2\sigma^4}{n-1}
        = \frac{(2n - 1)\,\sigma^4}{n^2} < \operatorname{MSE}_1.

:func:`variance_estimator_experiment` measures these by Monte Carlo, all trials at once.

>>> x = np.array([1.0, 2.0, 3.0, 4.0])
>>> sample_mean(x), sample_variance(x), sample_variance(x, ddof=1)
(2.5, 1.25, 1.6666666666666667)

**Minibatch gradients.** The minibatch gradient :math:`\hat g = \frac1m\sum_{i\in B} g_i` is an
unbiased estimate of the full gradient :math:`g = \frac1N \sum_i g_i`. With
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

from . import mlp
from ._validate import check_int, check_range

__all__ = [
    "sample_mean",
    "sample_variance",
    "EstimatorStats",
    "variance_estimator_experiment",
    "SAMPLINGS",
    "per_example_gradients",
    "minibatch_weights",
    "minibatch_variance",
    "GradientNoise",
    "gradient_noise",
]

#: The two ways of drawing a minibatch, as :func:`gradient_noise` names them.
SAMPLINGS = ("without replacement", "with replacement")


# --------------------------------------------------------------------------------------------
# Sample mean and variance


def _scalar(v):
    """A 0-d result as a Python float, anything else unchanged."""
    return float(v) if np.ndim(v) == 0 else v


def sample_mean(x, axis=-1):
    r"""The sample mean :math:`\bar x = \frac1n \sum_{i=1}^n x_i` along ``axis``.

    ``axis`` (default the last) holds one sample; other axes are a batch of independent samples.
    Returns a float for a single sample, else an array over the batch.

    >>> sample_mean(np.array([[1.0, 2.0, 6.0], [0.0, 0.0, 3.0]]))
    array([3., 1.])
    """
    x = np.asarray(x, dtype=np.float64)
    if x.shape[axis] == 0:
        raise ValueError(f"the sample size along axis {axis} must be >= 1; got 0")
    return _scalar(np.sum(x, axis=axis) / x.shape[axis])


def sample_variance(x, ddof=0, axis=-1):
    r"""The sample variance :math:`\hat\sigma^2 = \frac{1}{n - \text{ddof}} \sum_{i=1}^n
    (x_i - \bar x)^2` along ``axis``.

    ``ddof=0`` is the maximum-likelihood estimate (biased: :math:`\mathbb E[\hat\sigma^2] =
    (1 - \frac1n)\,\sigma^2`); ``ddof=1`` is unbiased. Needs :math:`n > \text{ddof}`. Axes as in
    :func:`sample_mean`.

    >>> sample_variance(np.array([2.0, 4.0]), ddof=1)
    2.0
    """
    ddof = check_int("ddof", ddof, 0, 1)
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[axis]
    if n <= ddof:
        raise ValueError(f"the sample size along axis {axis} must be > ddof = {ddof}; got {n}")
    d = x - np.sum(x, axis=axis, keepdims=True) / n
    return _scalar(np.sum(d * d, axis=axis) / (n - ddof))


class EstimatorStats(NamedTuple):
    r"""Monte-Carlo statistics of an estimator :math:`\hat\theta` of :math:`\theta` over the
    trials: ``mean`` :math:`\approx \mathbb E[\hat\theta]`, ``bias`` = ``mean`` − θ,
    ``variance`` :math:`\approx \operatorname{Var}(\hat\theta)` (over the trials, ddof 0), and
    ``mse`` :math:`\approx \mathbb E[(\hat\theta - \theta)^2]`; ``mse`` = ``bias``² +
    ``variance`` up to rounding."""

    mean: float
    bias: float
    variance: float
    mse: float


def variance_estimator_experiment(n: int, sigma2: float = 1.0, trials: int = 100_000,
                                  seed=0) -> dict[int, EstimatorStats]:
    r"""Bias, variance and MSE of :math:`\hat\sigma^2` with ``ddof`` 0 and 1, by Monte Carlo.

    Draws ``trials`` samples of size ``n`` from :math:`\mathcal N(0, \sigma^2)` at once (an
    array ``(trials, n)``), computes both estimates of every sample with
    :func:`sample_variance` and summarises them against :math:`\sigma^2`. Returns
    ``{0: EstimatorStats, 1: EstimatorStats}`` keyed by ddof. Expect (see the module's
    docstring) :math:`\mathbb E[\hat\sigma^2_0] = (1 - \frac1n)\sigma^2`,
    :math:`\mathbb E[\hat\sigma^2_1] = \sigma^2`, and
    :math:`\operatorname{MSE}_0 = (2n - 1)\sigma^4/n^2 < \operatorname{MSE}_1 = 2\sigma^4/(n-1)`.

    >>> res = variance_estimator_experiment(n=5, sigma2=1.0, trials=100_000, seed=0)
    >>> round(res[0].mean, 2), round(res[1].mean, 2)     # (1 − 1/5)σ² = 0.8, σ² = 1
    (0.8, 1.0)
    >>> round(res[0].mse, 2), round(res[1].mse, 2)       # 9/25 = 0.36 < 2/4 = 0.5
    (0.36, 0.5)
    """
    n = check_int("n", n, low=2)
    sigma2 = check_range("sigma2", sigma2, 0, low_open=True, allow_array=False)
    trials = check_int("trials", trials, low=2)
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, np.sqrt(sigma2), size=(trials, n))
    out = {}
    for ddof in (0, 1):
        est = sample_variance(x, ddof=ddof, axis=1)
        mean = float(np.mean(est))
        out[ddof] = EstimatorStats(mean=mean, bias=mean - sigma2,
                                   variance=float(np.mean((est - mean) ** 2)),
                                   mse=float(np.mean((est - sigma2) ** 2)))
    return out


# --------------------------------------------------------------------------------------------
# The minibatch gradient as an estimator of the full gradient


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
    f, f_prime = mlp.ACTIVATIONS[model.activation]
    X = np.asarray(X, dtype=model.dtype)
    y = mlp._check_labels(y, len(X), model.sizes[-1])
    layers = model.unpack(np.asarray(theta, dtype=model.dtype))
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
    N = check_int("N", N, low=1)
    m = check_int("m", m, low=1, high=None if replace else N)
    n_batches = check_int("n_batches", n_batches, low=1)
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
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
    sigma2 = check_range("sigma2", sigma2, 0, allow_array=False)
    N = check_int("N", N, low=1)
    m = np.asarray(check_range("m", m, 1, None if replace else N), dtype=np.float64)
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
    """
    G = np.asarray(G, dtype=np.float64)
    N = len(G)
    sizes = np.asarray([check_int("batch size", m, 1, N) for m in np.ravel(batch_sizes)])
    rng = np.random.default_rng(seed)
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
    return GradientNoise(g, sigma2, N, sizes, u, variance, descent, cloud, mean_error)
