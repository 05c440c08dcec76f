r"""Maximum likelihood: the categorical MLE, consistency and efficiency of one-parameter MLEs.

===================  =============================  ============================================
symbol               argument / result              meaning
===================  =============================  ============================================
:math:`\theta`       ``theta``                      the true parameter (Bernoulli :math:`p` or
                                                    Gaussian mean :math:`\mu`)
:math:`\sigma`       ``sigma``                      the Gaussian's known standard deviation
:math:`m`            ``m``, ``m_max``               number of examples
:math:`\hat\theta_m` :func:`running_mle`            the MLE from the first :math:`m` examples
:math:`\varepsilon`  ``eps``                        the half-width of the band around θ
===================  =============================  ============================================

**Consistency.** :func:`running_mle` gives every run's MLE for every :math:`m`;
:func:`deviation_probability` measures :math:`P(|\hat\theta_m - \theta| > \varepsilon)` over the
runs and :func:`exact_deviation_probability` computes it exactly: it tends to 0.

**Efficiency.** :func:`mean_median_experiment` measures the variance of the sample mean and the
sample median against the Cramér–Rao bound :func:`cramer_rao_bound`; :func:`median_variance` is
the median's exact variance. :func:`empirical_distribution` is the categorical MLE.

>>> empirical_distribution([1, 1, 0], K=2), cramer_rao_bound("bernoulli", 0.5, 4)
(array([0.33333333, 0.66666667]), 0.0625)
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .._validate import check_array, check_choice, check_int, check_labels, check_range, check_rng
from ._common import _MAX_DRAWS, _check_draws, _scalar, _sigma2

__all__ = [
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
