r"""The sample mean and variance, and their bias, variance and MSE measured by Monte Carlo.

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
:math:`S`            :func:`variance_estimates`     :math:`\sum_i (x_i - \bar x)^2`
:math:`d`            ``divisor``, ``divisors``      :math:`\hat\sigma^2_d = S/d`
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
For any divisor :math:`d` of :math:`S`, :func:`variance_divisor_theory` gives the closed forms
and :func:`variance_divisor_experiment` measures them; :math:`d = n + 1` has the smallest MSE.
:func:`estimator_stats` and :func:`standard_error` summarise any Monte-Carlo estimates;
:func:`variance_estimates_from_pool` makes the estimates from one fixed draw of standard normal
numbers (every :math:`n` and :math:`\sigma^2` from the same numbers);
:func:`variance_estimate_peak_density` is the height of the density of :math:`S/d`, and
:func:`variance_histogram_range` a range that holds histograms of :math:`S/d`.

>>> x = np.array([1.0, 2.0, 3.0, 4.0])
>>> sample_mean(x), sample_variance(x), sample_variance(x, ddof=1)
(2.5, 1.25, 1.6666666666666667)
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .._validate import check_array, check_axis, check_int, check_range, check_rng
from ..trajectories import nice_ceil
from ._common import _check_draws, _scalar, _sigma2

__all__ = [
    "sample_mean",
    "sample_variance",
    "EstimatorStats",
    "variance_estimator_experiment",
    "estimator_stats",
    "standard_error",
    "variance_estimates",
    "variance_estimates_from_pool",
    "variance_divisor_theory",
    "variance_divisor_experiment",
    "variance_estimate_peak_density",
    "variance_histogram_range",
]


# --------------------------------------------------------------------------------------------
# Sample mean and variance


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
# Monte-Carlo summaries of any estimates


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


# --------------------------------------------------------------------------------------------
# Any divisor: bias, variance and MSE of S/d, measured and in closed form (Gaussian data)


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
    return _sums_of_squares_over(x, _divisors(x.shape[-1], divisors))


def _sums_of_squares_over(x: np.ndarray, d: np.ndarray) -> np.ndarray:
    """:math:`S/d` of each row of a checked ``x`` for each checked divisor (``inf`` beyond the
    float range)."""
    c = x - np.mean(x, axis=-1, keepdims=True)
    with np.errstate(over="ignore"):
        S = np.sum(c * c, axis=-1)
    return S / d.reshape((-1,) + (1,) * S.ndim)


def variance_estimates_from_pool(pool, n: int, sigma2: float = 1.0, trials: int | None = None,
                                 divisors=None) -> np.ndarray:
    r""":func:`variance_estimates` of ``trials`` samples of size :math:`n` from
    :math:`\mathcal N(0, \sigma^2)`, made from one fixed draw of standard normal numbers.

    ``pool`` ``(T, n_max)`` holds standard normal numbers; sample :math:`t` is
    :math:`\sigma z_{t,1}, \dots, \sigma z_{t,n}` (the first :math:`n` entries of row
    :math:`t`, scaled), for the first ``trials`` rows (default all). The same numbers serve every
    :math:`n`, :math:`\sigma^2` and number of trials (common random numbers): a change of one of
    them changes only what it controls — more trials add samples, a larger :math:`\sigma^2`
    scales the same ones. Returns shape ``(len(divisors), trials)`` (default divisors
    :math:`n - 1, n, n + 1`).

    >>> pool = np.array([[1.0, -1.0, 5.0], [0.0, 3.0, 0.0]])
    >>> variance_estimates_from_pool(pool, 2, sigma2=4.0, divisors=[1, 2])  # S = 8, 18
    array([[ 8., 18.],
           [ 4.,  9.]])
    """
    # only the entries used must be finite: the rest of a large pool is not scanned every call
    pool = check_array("pool", pool, ndim=2, allow_empty=True, finite=False)
    if pool.shape[0] < 1 or pool.shape[1] < 2:
        raise ValueError(f"pool must have at least 1 row (a trial) and 2 columns (samples of "
                         f"size n >= 2); got shape {pool.shape}")
    n = check_int("n", n, 2, pool.shape[1])
    sigma2 = check_range("sigma2", sigma2, 0, low_open=True, allow_array=False)
    trials = pool.shape[0] if trials is None else check_int("trials", trials, 1, pool.shape[0])
    used = pool[:trials, :n]
    if not np.isfinite(used).all():
        raise ValueError(f"pool must hold finite numbers in the {trials} rows and {n} columns "
                         f"used; got {float(used[~np.isfinite(used)][0])} there")
    x = np.sqrt(sigma2) * used  # (trials, n): one sample per row
    return _sums_of_squares_over(x, _divisors(n, divisors))


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


def variance_estimate_peak_density(n: int, divisor: float, sigma2: float = 1.0) -> float:
    r"""The largest value of the probability density of :math:`\hat\sigma^2_d = S/d` for
    :math:`n` Gaussian samples of variance :math:`\sigma^2`.

    :math:`S/\sigma^2 \sim \chi^2_k` with :math:`k = n - 1`, so :math:`S/d` has the density
    :math:`v \mapsto \frac{d}{\sigma^2}\, f_k\bigl(\frac{d\,v}{\sigma^2}\bigr)`. For
    :math:`k \ge 2` the :math:`\chi^2_k` density :math:`f_k` peaks at its mode
    :math:`k - 2`, where

    .. math::
        f_k(k - 2) = \frac{(k - 2)^{k/2 - 1}\, e^{-(k - 2)/2}}{2^{k/2}\,\Gamma(k/2)}
        \qquad (f_2(0) = \tfrac12);

    for :math:`n = 2` (:math:`k = 1`) the density is unbounded near 0 and the result is
    ``inf``. A histogram of :math:`S/d` on an axis up to about this height shows its peak.
    For large :math:`k` the log-density uses Stirling's series, so any ``n`` is exact to
    rounding.

    >>> variance_estimate_peak_density(3, 2)            # f_2(0) = 1/2, times d = 2
    1.0
    >>> round(variance_estimate_peak_density(5, 4, sigma2=2.0), 6)   # (4/2) f_4(2) = e^{-1}
    0.367879
    >>> variance_estimate_peak_density(2, 1)
    inf
    """
    n = check_int("n", n, low=2)
    d = check_range("divisor", divisor, 0, low_open=True, allow_array=False)
    sigma2 = check_range("sigma2", sigma2, 0, low_open=True, allow_array=False)
    if n == 2:
        return math.inf
    k = n - 1
    mode = k - 2.0
    j = mode / 2  # log f_k(k − 2) = −log 2 + j log j − j − log Γ(j + 1)
    if j < 1e4:
        log_pdf = ((k / 2 - 1) * math.log(mode) if mode > 0 else 0.0) - mode / 2 \
            - (k / 2) * math.log(2.0) - math.lgamma(k / 2)
    else:  # Stirling: log Γ(j + 1) = j log j − j + ½ log(2πj) + 1/(12j) − 1/(360j³) + …
        log_pdf = -math.log(2.0) - 0.5 * math.log(2 * math.pi * j) - 1 / (12 * j) \
            + 1 / (360 * j) / j / j
    with np.errstate(over="ignore"):  # d/σ² beyond the float range: inf
        return float(np.exp(np.log(d) - np.log(sigma2) + log_pdf))


def variance_histogram_range(n: int, sigma2: float = 1.0, divisors=None) -> tuple[float, float]:
    r"""``(v_max, density_max)``: axis limits that hold histograms (as densities) of
    :math:`\hat\sigma^2_d = S/d` for :math:`n` Gaussian samples and each divisor :math:`d`.

    ``v_max`` is :math:`\sigma^2` times :math:`1 + 5\sqrt{2/(n-1)}` (the relative spread of
    :math:`S/(n-1)` is :math:`\sqrt{2/(n-1)}`), capped at 4 and rounded up to one of 1, 1.5, 2,
    2.5, 3, 4 (so it changes with :math:`n` only now and then, and with :math:`\sigma^2` only by
    the scale). ``density_max`` is 1.15 times the highest peak
    :func:`variance_estimate_peak_density` among the divisors (for :math:`n = 2`, whose density
    is unbounded, that of :math:`n = 3`), rounded up to 1, 1.5, 2, 3, 4, 5 or 7 times a power of
    ten, over :math:`\sigma^2`. ``divisors`` default :math:`n - 1, n, n + 1`.

    >>> variance_histogram_range(5, 2.0, [4, 5])   # 2 · 4; 1.15 · 5/(2e) = 1.06 → 1.5, over 2
    (8.0, 0.75)
    """
    n = check_int("n", n, low=2)
    sigma2 = check_range("sigma2", sigma2, 0, low_open=True, allow_array=False)
    divisors = (n - 1, n, n + 1) if divisors is None else divisors
    divisors = check_range("divisors", check_array("divisors", divisors, ndim=1), 0,
                           low_open=True)
    factor = nice_ceil(min(4.0, 1.0 + 5.0 * math.sqrt(2.0 / (n - 1))),
                      (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 7.0))
    peak = max(variance_estimate_peak_density(max(n, 3), d, 1.0) for d in divisors)
    with np.errstate(over="ignore"):  # beyond the float range: inf
        return (float(np.float64(sigma2) * factor),
                float(nice_ceil(1.15 * peak, (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 7.0))
                      / np.float64(sigma2)))
