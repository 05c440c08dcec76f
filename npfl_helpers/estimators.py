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
For any divisor :math:`d` of :math:`S = \sum_i (x_i - \bar x)^2`, :func:`variance_divisor_theory`
gives the closed forms and :func:`variance_divisor_experiment` measures them; :math:`d = n + 1`
has the smallest MSE.

**Maximum likelihood.** :func:`running_mle` (consistency: every run's MLE for every :math:`m`,
with :func:`deviation_probability` and :func:`exact_deviation_probability`),
:func:`mean_median_experiment` and :func:`median_variance` (efficiency against the Cramér–Rao
bound :func:`cramer_rao_bound`), :func:`empirical_distribution` (the categorical MLE).

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

import math
from typing import NamedTuple

import numpy as np

from . import data, mlp, optim
from ._validate import (
    ArgumentTypeError,
    check_array,
    check_axis,
    check_bool,
    check_choice,
    check_int,
    check_labels,
    check_range,
    check_rng,
)

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
    "doubling_batch_sizes",
    "trained_digits_mlp",
    "estimator_stats",
    "standard_error",
    "variance_estimates",
    "variance_divisor_theory",
    "variance_divisor_experiment",
    "MLE_FAMILIES",
    "empirical_distribution",
    "running_mle",
    "cramer_rao_bound",
    "deviation_probability",
    "exact_deviation_probability",
    "Efficiency",
    "mean_median_experiment",
    "median_variance",
]

#: The two ways of drawing a minibatch, as :func:`gradient_noise` names them.
SAMPLINGS = ("without replacement", "with replacement")


# --------------------------------------------------------------------------------------------
# Sample mean and variance


def _scalar(v):
    """A 0-d result as a Python float, anything else unchanged."""
    return float(v) if np.ndim(v) == 0 else v


def _sample(x, axis, at_least: int = 1):
    """``x`` as a finite float array with at least one axis, ``axis`` normalised, and ``n``."""
    x = check_array("x", x, allow_empty=True)
    if x.ndim == 0:
        raise ValueError(f"x must be an array of samples with at least one axis; got the scalar "
                         f"{float(x)!r} (pass [x] for a sample of size 1)")
    axis = check_axis("axis", axis, x.ndim)
    n = x.shape[axis]
    if n < at_least:
        bound = ">= 1" if at_least == 1 else f"> ddof = {at_least - 1}"
        raise ValueError(f"the sample size of x along axis {axis} must be {bound}; got {n}")
    return x, axis, n


def _scale(x, axis):
    """``max |x|`` along ``axis`` (kept, 1 where it is 0): dividing by it keeps sums finite."""
    s = np.max(np.abs(x), axis=axis, keepdims=True)
    return np.where(s == 0, 1.0, s)


def sample_mean(x, axis=-1):
    r"""The sample mean :math:`\bar x = \frac1n \sum_{i=1}^n x_i` along ``axis``.

    ``axis`` (default the last) holds one sample; other axes are a batch of independent samples.
    Returns a float for a single sample, else an array over the batch. Samples must be finite;
    samples so large that their sum would overflow (e.g. 1e308) are scaled by their largest
    magnitude before summing, so the mean of finite samples is always finite.

    >>> sample_mean(np.array([[1.0, 2.0, 6.0], [0.0, 0.0, 3.0]]))
    array([3., 1.])
    >>> sample_mean([1.7e308, 1.7e308])
    1.7e+308
    """
    x, axis, n = _sample(x, axis)
    if np.max(np.abs(x)) <= np.finfo(np.float64).max / n:
        return _scalar(np.sum(x, axis=axis) / n)
    s = _scale(x, axis)
    return _scalar(np.sum(x / s, axis=axis) / n * np.squeeze(s, axis))


def sample_variance(x, ddof=0, axis=-1):
    r"""The sample variance :math:`\hat\sigma^2 = \frac{1}{n - \text{ddof}} \sum_{i=1}^n
    (x_i - \bar x)^2` along ``axis``.

    ``ddof=0`` is the maximum-likelihood estimate (biased: :math:`\mathbb E[\hat\sigma^2] =
    (1 - \frac1n)\,\sigma^2`); ``ddof=1`` is unbiased. Needs :math:`n > \text{ddof}`. Axes as in
    :func:`sample_mean`. Samples beyond :math:`10^{\pm 100}` are scaled by their largest
    magnitude first, so nothing overflows or underflows on the way; the result is ``inf``
    (silently) only when the variance itself exceeds the float range (e.g. samples ±1e200).

    >>> sample_variance(np.array([2.0, 4.0]), ddof=1)
    2.0
    >>> sample_variance([1e300, -1e300]), sample_variance([1e150, -1e150])
    (inf, 1e+300)
    """
    ddof = check_int("ddof", ddof, 0, 1)
    x, axis, n = _sample(x, axis, at_least=ddof + 1)
    amax = np.max(np.abs(x))
    if amax == 0 or 1e-100 < amax < 1e100:
        d = x - np.sum(x, axis=axis, keepdims=True) / n
        return _scalar(np.sum(d * d, axis=axis) / (n - ddof))
    s = _scale(x, axis)
    d = x / s
    d -= np.sum(d, axis=axis, keepdims=True) / n
    s = np.squeeze(s, axis)
    with np.errstate(over="ignore"):  # the variance itself beyond 1.8e308: inf
        return _scalar(np.sum(d * d, axis=axis) / (n - ddof) * s * s)


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
    sigma2 = _sigma2(sigma2)
    trials = check_int("trials", trials, low=2)
    _check_draws(trials, n)
    rng = check_rng("seed", seed)
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


_MAX_DRAWS = 50_000_000  # numbers drawn at once (400 MB of float64)
_MAX_SIGMA2 = 1e100  # σ² of Monte-Carlo experiments: the squared errors of estimates stay finite


def _sigma2(sigma2) -> float:
    """σ² > 0 of a Monte-Carlo experiment, at most 1e100 (so its squared errors stay finite)."""
    sigma2 = check_range("sigma2", sigma2, 0, low_open=True, allow_array=False)
    if sigma2 > _MAX_SIGMA2:
        raise ValueError(f"sigma2 must be at most {_MAX_SIGMA2:g} (the squared errors of the "
                         f"estimates stay finite); got {sigma2!r}")
    return sigma2


def _check_draws(rows: int, cols: int, rows_name: str = "trials", cols_name: str = "n"):
    """Refuse experiments whose one vectorised array would not fit in memory."""
    if rows * cols > _MAX_DRAWS:
        raise ValueError(f"{rows_name} × {cols_name} must be at most {_MAX_DRAWS:.0e} (the "
                         f"numbers drawn at once, in memory); got {_count(rows)} × "
                         f"{_count(cols)}")


def _count(n: int) -> str:
    return f"{n:.3g}" if n < 1e300 else "more than 1e300"


# --------------------------------------------------------------------------------------------
# Any divisor: bias, variance and MSE of S/d, measured and in closed form (Gaussian data)


def estimator_stats(estimates, true_value, axis=-1) -> EstimatorStats:
    r"""Monte-Carlo :class:`EstimatorStats` of ``estimates`` of ``true_value`` along ``axis``.

    ``axis`` (default the last) runs over the trials; other axes are a batch of estimators,
    summarised at once (the fields are then arrays over the batch, else floats):

    .. math::
        \text{mean} = \frac1T\sum_t \hat\theta_t, \quad \text{bias} = \text{mean} - \theta,
        \quad \text{variance} = \frac1T\sum_t (\hat\theta_t - \text{mean})^2, \quad
        \text{mse} = \frac1T\sum_t (\hat\theta_t - \theta)^2 .

    >>> estimator_stats(np.array([1.0, 3.0]), 1.0)
    EstimatorStats(mean=2.0, bias=1.0, variance=1.0, mse=2.0)
    """
    est = check_array("estimates", estimates, allow_empty=True, finite=False)
    if est.ndim:
        check_axis("axis", axis, est.ndim)
        axis = int(axis)
    if est.ndim == 0 or est.shape[axis] == 0:
        raise ValueError("estimates must hold at least one trial along axis "
                         f"{axis}; got shape {est.shape}")
    true_value = np.asarray(check_range("true_value", true_value), dtype=np.float64)
    with np.errstate(over="ignore"):  # squares beyond the float range: inf
        mean = np.mean(est, axis=axis)
        variance = np.mean((est - np.expand_dims(mean, axis)) ** 2, axis=axis)
        mse = np.mean((est - np.expand_dims(true_value, axis)) ** 2, axis=axis)
    return EstimatorStats(_scalar(mean), _scalar(mean - true_value), _scalar(variance),
                          _scalar(mse))


def standard_error(values, axis=-1):
    r"""The standard error of a Monte-Carlo average: :math:`s / \sqrt T`, with :math:`s` the
    sample standard deviation (ddof 1) of the :math:`T` values along ``axis``.

    A measured mean within a few standard errors of a prediction agrees with it (beyond 5, the
    chance is below one in a million for roughly normal averages).

    >>> round(standard_error(np.array([1.0, 3.0, 1.0, 3.0])), 6)   # s = 2/√3, T = 4
    0.57735
    """
    v = check_array("values", values, finite=False)
    if v.ndim:
        check_axis("axis", axis, v.ndim)
        axis = int(axis)
    T = v.shape[axis] if v.ndim else 0
    if T < 2:
        raise ValueError(f"values must hold at least 2 trials along axis {axis}; got shape "
                         f"{v.shape}")
    return _scalar(np.std(v, axis=axis, ddof=1) / np.sqrt(T))


def _divisors(n: int, divisors):
    """The divisors as an int array (default :math:`n - 1, n, n + 1`), each ≥ 1."""
    if divisors is None:
        return np.array([n - 1, n, n + 1])
    out = np.array([check_int("divisors", d, low=1) for d in np.ravel(divisors)])
    if out.size == 0:
        raise ValueError("divisors must hold at least one integer in [1, inf); got none")
    return out.astype(np.float64) if out.dtype == object else out  # ints beyond int64


def variance_estimates(x, divisors=None) -> np.ndarray:
    r"""The variance estimates :math:`\hat\sigma^2_d = \frac1d \sum_{i=1}^n (x_i - \bar x)^2`.

    ``x`` has shape ``(..., n)``: every row along the last axis is one sample of size
    :math:`n \ge 2`. The sum of squares :math:`S = \sum_i (x_i - \bar x)^2` is computed once
    per sample and divided by each divisor :math:`d` (default :math:`n - 1, n, n + 1`: the
    unbiased estimate, the MLE and the minimum-MSE one for Gaussian data). Returns shape
    ``(len(divisors), ...)``.

    >>> variance_estimates(np.array([1.0, 2.0, 3.0, 4.0]))   # S = 5 over 3, 4, 5
    array([1.66666667, 1.25      , 1.        ])
    """
    x = check_array("x", x, allow_empty=True)
    if x.ndim == 0 or x.shape[-1] < 2:
        raise ValueError("x must have a last axis of size n >= 2 (one sample per row); got "
                         f"shape {x.shape}")
    d = _divisors(x.shape[-1], divisors)
    c = x - np.mean(x, axis=-1, keepdims=True)
    S = np.sum(c * c, axis=-1)
    return S / d.reshape((-1,) + (1,) * S.ndim)


def variance_divisor_theory(n, sigma2=1.0, divisor=None) -> EstimatorStats:
    r"""Closed forms for :math:`\hat\sigma^2_d = S/d` on :math:`n` Gaussian samples.

    For :math:`x_i \sim \mathcal N(\mu, \sigma^2)` i.i.d., :math:`S/\sigma^2 \sim
    \chi^2_{n-1}`, whose mean is :math:`n - 1` and variance :math:`2(n - 1)`. Hence

    .. math::
        \mathbb E[\hat\sigma^2_d] = \frac{n-1}{d}\,\sigma^2, \qquad
        \operatorname{Var}(\hat\sigma^2_d) = \frac{2(n-1)}{d^2}\,\sigma^4, \qquad
        \operatorname{MSE} = \Bigl(\frac{n-1}{d} - 1\Bigr)^2\sigma^4
            + \frac{2(n-1)}{d^2}\,\sigma^4 .

    :math:`d = n - 1` is unbiased, :math:`d = n` is the MLE with bias :math:`-\sigma^2/n`, and
    the MSE is smallest at :math:`d = n + 1` (set the derivative in :math:`1/d` to zero).
    ``n``, ``sigma2`` and ``divisor`` (default :math:`n`) broadcast; the fields are floats or
    arrays.

    >>> [round(variance_divisor_theory(5, 1.0, d).mse, 4) for d in (4, 5, 6)]
    [0.5, 0.36, 0.3333]
    """
    n = np.asarray(check_range("n", n, 2), dtype=np.float64)
    if np.any(n != np.round(n)):
        raise ValueError(f"n must be an integer in [2, inf); got {n!r}")
    sigma2 = check_range("sigma2", sigma2, 0, low_open=True)
    d = n if divisor is None else check_range("divisor", divisor, 0, low_open=True)
    s2 = np.float64(sigma2)
    with np.errstate(over="ignore", under="ignore"):  # beyond the float range: inf
        mean = (n - 1) / d * s2
        variance = (n - 1) / d * (2 / d) * s2 * s2
        bias = mean - s2
        mse = bias**2 + variance
    return EstimatorStats(_scalar(mean), _scalar(bias), _scalar(variance), _scalar(mse))


def variance_divisor_experiment(n: int, sigma2: float = 1.0, trials: int = 100_000,
                                divisors=None, seed=0) -> dict[int, EstimatorStats]:
    r"""Bias, variance and MSE of :math:`\hat\sigma^2_d = S/d` for several divisors, by Monte Carlo.

    One draw of shape ``(trials, n)`` from :math:`\mathcal N(0, \sigma^2)`; every sample's
    estimates come from :func:`variance_estimates` (default divisors :math:`n - 1, n, n + 1`),
    summarised by :func:`estimator_stats`. Returns ``{d: EstimatorStats}``; compare with
    :func:`variance_divisor_theory`.

    >>> res = variance_divisor_experiment(5, trials=200_000, seed=0)
    >>> [round(res[d].mse, 2) for d in (4, 5, 6)]      # closed forms 0.5, 0.36, 0.33
    [0.5, 0.36, 0.33]
    """
    n = check_int("n", n, low=2)
    sigma2 = _sigma2(sigma2)
    trials = check_int("trials", trials, low=2)
    _check_draws(trials, n)
    d = _divisors(n, divisors)
    x = check_rng("seed", seed).normal(0.0, np.sqrt(sigma2), size=(trials, n))
    stats = estimator_stats(variance_estimates(x, d), sigma2)
    return {int(k): EstimatorStats(*(float(np.ravel(f)[i]) for f in stats))
            for i, k in enumerate(d)}


# --------------------------------------------------------------------------------------------
# Maximum likelihood: the categorical MLE, consistency and efficiency

#: The one-parameter families of :func:`running_mle`: the MLE of a Bernoulli :math:`p` and of
#: a Gaussian mean :math:`\mu` (known σ) is the sample mean.
MLE_FAMILIES = ("bernoulli", "gaussian")


def empirical_distribution(x, K: int) -> np.ndarray:
    r""":math:`\hat p_\text{data}(k) = \frac1m \#\{i: x_i = k\}`: class frequencies of ``x``.

    ``x`` is a 1-D array of class indices in :math:`\{0, \dots, K-1\}`. The result is the
    maximum-likelihood estimate of a categorical distribution from ``x``.

    >>> empirical_distribution([0, 2, 2, 1], K=4)
    array([0.25, 0.25, 0.5 , 0.  ])
    """
    K = check_int("K", K, low=1)
    if K > _MAX_DRAWS:
        raise ValueError(f"K must be at most {_MAX_DRAWS:.0e} (one count per class, in memory); "
                         f"got {K}")
    x = check_labels("x", x, n_classes=K)
    if x.size == 0:
        raise ValueError("x must hold at least one class index; got an empty array")
    return np.bincount(x, minlength=K) / x.size


def _family(family: str, theta, sigma):
    family = check_choice("family", family, MLE_FAMILIES)
    if family == "bernoulli":
        theta = check_range("theta", theta, 0, 1, low_open=True, high_open=True)
    else:
        theta = check_range("theta", theta)
    return family, theta, check_range("sigma", sigma, 0, low_open=True, allow_array=False)


def running_mle(family: str, theta: float, m_max: int, runs: int, sigma: float = 1.0,
                seed=0) -> np.ndarray:
    r"""The MLE :math:`\hat\theta_m` from the first :math:`m` examples, for every
    :math:`m \le` ``m_max`` and many independent runs at once: shape ``(runs, m_max)``.

    ``family`` ``"bernoulli"``: :math:`x \sim \operatorname{Bernoulli}(\theta)`;
    ``"gaussian"``: :math:`x \sim \mathcal N(\theta, \sigma^2)`. In both the MLE is the sample
    mean, :math:`\hat\theta_m = \frac1m \sum_{i \le m} x_i`: one draw of shape
    ``(runs, m_max)`` and a cumulative sum give every run's whole sequence. Column ``m - 1``
    holds :math:`\hat\theta_m`.

    >>> est = running_mle("bernoulli", 0.3, m_max=1000, runs=2000, seed=0)
    >>> est.shape, deviation_probability(est, 0.3, eps=0.05)[[9, 99, 999]]  # m = 10, 100, 1000
    ((2000, 1000), array([0.7455, 0.2335, 0.0005]))
    """
    family, theta, sigma = _family(family, theta, sigma)
    theta = check_range("theta", theta, allow_array=False)
    m_max = check_int("m_max", m_max, low=1)
    runs = check_int("runs", runs, low=1)
    _check_draws(runs, m_max, "runs", "m_max")
    rng = check_rng("seed", seed)
    if family == "bernoulli":
        x = (rng.random((runs, m_max)) < theta).astype(np.float64)
    else:
        x = rng.normal(theta, sigma, size=(runs, m_max))
    return np.cumsum(x, axis=1) / np.arange(1, m_max + 1)


def cramer_rao_bound(family: str, theta, m, sigma: float = 1.0):
    r"""The Cramér–Rao bound :math:`1/(m\,I(\theta))` on the variance of an unbiased estimator.

    Fisher information per example: :math:`I(p) = \frac{1}{p(1-p)}` (Bernoulli),
    :math:`I(\mu) = \frac{1}{\sigma^2}` (Gaussian mean, known σ). The sample mean attains the
    bound in both families: its variance is :math:`p(1-p)/m`, resp. :math:`\sigma^2/m`.
    ``theta`` and ``m`` broadcast.

    >>> cramer_rao_bound("bernoulli", 0.5, 100), cramer_rao_bound("gaussian", 0.0, 4, sigma=2.0)
    (0.0025, 1.0)
    """
    family, theta, sigma = _family(family, theta, sigma)
    m = check_range("m", m, 1)
    v = theta * (1 - theta) / m if family == "bernoulli" else sigma**2 / m + 0 * theta
    return _scalar(v)


def deviation_probability(estimates, theta, eps):
    r"""The fraction of runs with :math:`|\hat\theta_m - \theta| > \varepsilon`, for every
    :math:`m`: ``estimates`` ``(runs, M)`` → ``(M,)``.

    Consistency means exactly that this probability tends to 0 as :math:`m \to \infty`, for
    every :math:`\varepsilon > 0`.

    >>> deviation_probability(np.array([[0.1, 0.5], [0.9, 0.5]]), 0.5, 0.2)
    array([1., 0.])
    """
    eps = check_range("eps", eps, 0, low_open=True, allow_array=False)
    theta = check_range("theta", theta)
    est = check_array("estimates", estimates, finite=False)
    if est.ndim == 0:
        raise ValueError(f"estimates must have a leading axis of runs; got {est!r}")
    try:
        np.broadcast_shapes(est.shape, np.shape(theta))
    except ValueError:
        raise ValueError(f"theta must be a number or broadcast against estimates {est.shape}; "
                         f"got shape {np.shape(theta)}") from None
    with np.errstate(over="ignore"):  # |θ̂ − θ| beyond the float range: inf, > ε
        return np.mean(np.abs(est - theta) > eps, axis=0)


def _erfc(z):
    """The complementary error function, elementwise (numpy has none)."""
    return np.asarray(np.frompyfunc(math.erfc, 1, 1)(np.asarray(z, dtype=np.float64)),
                      dtype=np.float64)


def exact_deviation_probability(family: str, theta: float, m, eps: float,
                                sigma: float = 1.0):
    r""":math:`P(|\hat\theta_m - \theta| > \varepsilon)` for the MLE of :func:`running_mle`,
    exactly. ``m`` may be an array.

    - ``"gaussian"``: :math:`\hat\theta_m = \bar x_m \sim \mathcal N(\mu, \sigma^2/m)`, so the
      probability is :math:`\operatorname{erfc}\bigl(\varepsilon\sqrt m / (\sigma\sqrt2)\bigr)`.
    - ``"bernoulli"``: :math:`m\hat\theta_m \sim \operatorname{Binomial}(m, p)`, so it is the sum
      of :math:`\binom mk p^k (1-p)^{m-k}` over the :math:`k` with :math:`|k/m - p| > \varepsilon`.
      :math:`\hat\theta_m` takes only the values :math:`k/m`, so this probability is not monotone
      in :math:`m`: it jumps whenever a value :math:`k/m` crosses the edge of the band.

    >>> round(exact_deviation_probability("gaussian", 0.0, 1, eps=1.96), 3)   # the familiar 5 %
    0.05
    >>> exact_deviation_probability("bernoulli", 0.5, [1, 2], eps=0.25)       # P(k = 0 or m)
    array([1. , 0.5])
    """
    family, theta, sigma = _family(family, theta, sigma)
    theta = check_range("theta", theta, allow_array=False)
    eps = check_range("eps", eps, 0, low_open=True, allow_array=False)
    ms = np.array([check_int("m", k, low=1) for k in np.ravel(m)])
    if ms.size == 0:
        raise ValueError("m must hold at least one sample size; got none")
    if family == "gaussian":
        with np.errstate(over="ignore"):  # a z beyond the float range: erfc(inf) = 0
            out = _erfc(eps * np.sqrt(ms.astype(np.float64)) / (sigma * math.sqrt(2.0)))
    else:
        if ms.max() > _MAX_DRAWS:
            raise ValueError(f"m must be at most {_MAX_DRAWS:.0e} for the bernoulli family (the "
                             f"exact sum runs over every k <= m); got {ms.max()}")
        # log k! for k = 0 … max(m), then the Binomial(m, p) pmf of every k ≤ m, for a block of
        # sample sizes at a time (rows: m, columns: k)
        log_fact = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, ms.max() + 1)))])
        k = np.arange(ms.max() + 1)
        out = np.empty(ms.shape)
        rows = max(1, 2_000_000 // k.size)
        for start in range(0, ms.size, rows):
            mj = ms[start:start + rows, None]
            kk = np.minimum(k, mj)  # k > m is masked below; keep the indices valid
            log_pmf = (log_fact[mj] - log_fact[kk] - log_fact[mj - kk]
                       + kk * math.log(theta) + (mj - kk) * math.log1p(-theta))
            outside = (k <= mj) & (np.abs(k / mj - theta) > eps)
            out[start:start + rows] = np.sum(np.exp(log_pmf) * outside, axis=1)
    return _scalar(out.reshape(np.shape(m)))


class Efficiency(NamedTuple):
    r"""Measured variances of the sample mean and the sample median of Gaussian data.

    ``m`` the sample sizes, ``var_mean`` and ``var_median`` their variances over the runs,
    ``bound`` the Cramér–Rao bound :math:`\sigma^2/m` for an unbiased estimator of
    :math:`\mu`, ``runs`` the number of samples per size.
    """

    m: np.ndarray
    var_mean: np.ndarray
    var_median: np.ndarray
    bound: np.ndarray
    runs: int


def mean_median_experiment(m, sigma2: float = 1.0, runs: int = 20_000, seed=0) -> Efficiency:
    r"""Variance of the sample mean and the sample median of :math:`\mathcal N(0, \sigma^2)`
    data for each sample size in ``m``, against the Cramér–Rao bound :math:`\sigma^2/m`.

    One draw of shape ``(runs, max(m))``; for each size the first :math:`m` columns are the
    samples (a loop over the sizes, none over the runs). The mean attains the bound; the median
    is unbiased too but less efficient: :math:`\operatorname{Var}(\text{median}) \to
    \frac{\pi}{2}\frac{\sigma^2}{m}`, i.e. efficiency :math:`2/\pi` (see
    :func:`median_variance`).

    >>> eff = mean_median_experiment([1, 101], runs=20_000, seed=0)
    >>> np.round(eff.bound / eff.var_mean, 1), np.round(eff.bound / eff.var_median, 2)
    (array([1., 1.]), array([1.  , 0.64]))
    """
    m = np.array([check_int("m", k, low=1) for k in np.ravel(m)])
    if m.size == 0:
        raise ValueError("m must hold at least one sample size; got none")
    sigma2 = _sigma2(sigma2)
    runs = check_int("runs", runs, low=2)
    _check_draws(runs, int(m.max()), "runs", "max(m)")
    x = check_rng("seed", seed).normal(0.0, math.sqrt(sigma2), size=(runs, int(m.max())))
    var_mean = np.array([np.var(np.mean(x[:, :k], axis=1)) for k in m])
    var_median = np.array([np.var(np.median(x[:, :k], axis=1)) for k in m])
    return Efficiency(m, var_mean, var_median, sigma2 / m, runs)


def median_variance(m, sigma2: float = 1.0):
    r"""The exact variance of the median of :math:`m` (odd) samples of :math:`\mathcal N(\mu,
    \sigma^2)`, by quadrature of the density of the middle order statistic,

    .. math::
        g(x) = \frac{m!}{(k!)^2}\,\Phi(x)^k\,\bigl(1 - \Phi(x)\bigr)^k\,\varphi(x), \qquad
        k = \frac{m - 1}{2}

    (standardised; times :math:`\sigma^2`). For large :math:`m`,

    .. math::
        \operatorname{Var}(\text{median}) = \frac{\pi\sigma^2}{2(m+2)}
            + \frac{\pi^2\sigma^2}{4(m+2)^2} + O(m^{-3})
        = \frac{\pi}{2}\frac{\sigma^2}{m}\Bigl(1 - \frac{2 - \pi/2}{m} + O(m^{-2})\Bigr),

    so the efficiency :math:`\frac{\sigma^2/m}{\operatorname{Var}(\text{median})}` approaches
    :math:`2/\pi \approx 0.637` from above, with a finite-:math:`m` excess of about
    :math:`\frac{2}{\pi}\cdot\frac{2 - \pi/2}{m}`: 0.74 at :math:`m = 3`, 0.66 at
    :math:`m = 11`. ``m`` may be an array of odd sizes.

    >>> round(median_variance(1), 6), round(median_variance(3), 4)
    (1.0, 0.4487)
    """
    sigma2 = check_range("sigma2", sigma2, 0, low_open=True, allow_array=False)
    ms = np.ravel(m)
    out = np.empty(ms.shape)
    for j, mj in enumerate(ms):
        k = check_int("m", mj, low=1)
        if k % 2 == 0:
            raise ValueError(f"m must be an odd integer in [1, inf); got {k}")
        half = (k - 1) // 2
        s = max(math.sqrt(math.pi / (2 * k)), 0.3)  # the median's spread, roughly
        x = np.linspace(-12 * s, 12 * s, 1201)
        lower = 0.5 * _erfc(-x / math.sqrt(2.0))  # Φ(x)
        upper = 0.5 * _erfc(x / math.sqrt(2.0))  # 1 − Φ(x), accurate in the tail
        log_g = (math.lgamma(k + 1) - 2 * math.lgamma(half + 1) + half * np.log(lower)
                 + half * np.log(upper) - 0.5 * x * x - 0.5 * math.log(2 * math.pi))
        out[j] = np.trapezoid(x * x * np.exp(log_g), x)
    return _scalar(sigma2 * out.reshape(np.shape(m)))
