r"""Notebook 03 (maximum likelihood): the KL divergence of two categorical distributions, and
the log-likelihood of a sample under a Gaussian."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .. import losses
from ._harness import _Case, _quiet, _run_cases, _teacher_args

# ---------------------------------------------------------------------------------------------
# D_KL(p ‖ q)

_ZERO_HINT = ("a class with p_k = 0 contributes 0 · log(0/q_k) = 0 by convention, but numpy "
              "computes 0 · (−inf) = NaN: skip those classes, e.g. sum over p > 0 only "
              "(np.where(p > 0, p * np.log(p / q), 0.0) still warns; p[p > 0] does not).")


def _kl_variants(p: np.ndarray, q: np.ndarray) -> tuple[tuple[str, tuple], ...]:
    """(hint, output) of the typical wrong implementations for one input."""
    kl = losses.kl_divergence(p, q)
    variants = [
        ("the arguments are swapped: that is D_KL(q ‖ p). The KL divergence is not symmetric; "
         "weight by p: Σ p_k log(p_k/q_k).", losses.kl_divergence(q, p)),
        ("the sign: the log-ratio is log(p_k/q_k), not log(q_k/p_k). (D_KL ≥ 0, with 0 only "
         "for p = q.)", -kl),
        ("that is the cross-entropy H(p, q) = −Σ p_k log q_k = H(p) + D_KL(p ‖ q): use the "
         "log-ratio log(p_k/q_k) instead of −log q_k.", losses.cross_entropy_dist(p, q)),
        ("that is the entropy of p; the KL divergence compares p with q: Σ p_k log(p_k/q_k).",
         losses.entropy(p)),
        ("weight each log-ratio by p_k: Σ p_k log(p_k/q_k), not Σ log(p_k/q_k).",
         _quiet(lambda: float(np.sum(np.log(p / q))))),
        ("sum over the classes; you took the mean (divided by K).", kl / len(p)),
        ("that is in bits (np.log2); the lecture's KL divergence uses the natural log, np.log "
         "(nats).", kl / math.log(2.0)),
        ("use the natural log, np.log, not np.log10.", kl / math.log(10.0)),
    ]
    if np.any(p == 0):
        variants.append((_ZERO_HINT, math.nan))
    return tuple((hint, (np.asarray(out, dtype=np.float64),)) for hint, out in variants)


def _kl_cases(seed: int) -> list[_Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for K, zeros in ((4, 1), (3, 0), (2, 0), (5, 2), (6, 0), (4, 0)):
        p = rng.dirichlet(np.ones(K))
        if zeros:  # classes that p never produces (the first case has one: the 0 log 0 rule)
            p[rng.choice(K, size=zeros, replace=False)] = 0.0
            p /= p.sum()
        q = rng.dirichlet(np.full(K, 2.0))  # every q_k > 0: the divergence is finite
        expected = np.asarray(losses.kl_divergence(p, q))
        cases.append(_Case((("p", p), ("q", q)), (expected,), _kl_variants(p, q),
                           fallback=_ZERO_HINT if zeros else ""))
    return cases


def check_kl_divergence(fn: Callable, seed: int = 0, *, timeout: float | None = None) -> bool:
    r"""Check the Kullback–Leibler divergence of two categorical distributions.

    The learner writes ``kl_divergence(p, q) -> kl``, for 1-D arrays of probabilities:

    .. math::
        D_\text{KL}(p \,\|\, q) = \sum_k p_k \log\frac{p_k}{q_k} \quad\text{(nats)},
        \qquad 0 \log\frac{0}{q_k} = 0 .

    Compared with :func:`npfl_helpers.losses.kl_divergence` on six seeded inputs; in three of
    them some :math:`p_k = 0` (the first input has one). Typical mistakes get their own hint:
    the arguments swapped, the sign of the log-ratio, the cross-entropy or the entropy instead,
    a missing weight :math:`p_k`, a mean instead of a sum, log2 or log10, and NaN from
    :math:`0 \log 0`.

    >>> def kl_divergence(p, q):
    ...     return np.sum(p * np.log(p / q))     # NaN where p_k = 0
    >>> check_kl_divergence(kl_divergence)  # doctest: +ELLIPSIS
    ✘ kl_divergence: output kl is wrong on test input 1 of 6.
    ...
      Hint: a class with p_k = 0 contributes 0 · log(0/q_k) = 0 by convention, but numpy
    ...
    False
    """
    generic = {"kl": "D_KL(p ‖ q) = Σ_k p_k log(p_k/q_k), summed over the classes with p_k > 0."}
    shape_hint = ("{out} has shape {got} but must be a single number (shape {expected}): sum "
                  "over the classes.")
    seed, timeout = _teacher_args(seed, timeout)
    return _run_cases(fn, "kl_divergence", ("kl",), _kl_cases(seed), generic, shape_hint,
                      timeout=timeout)


# ---------------------------------------------------------------------------------------------
# Σ_i log N(x_i; μ, σ²)


def _loglik_variants(x: np.ndarray, mu: float, sigma2: float) -> tuple[tuple[str, tuple], ...]:
    m = len(x)
    sq = float(np.sum((x - mu) ** 2))
    ll = -sq / (2 * sigma2) - 0.5 * m * math.log(2 * math.pi * sigma2)
    variants = [
        ("that is the negative log-likelihood (the loss); the log-likelihood itself has the "
         "opposite sign.", -ll),
        ("the normalising term −½ log(2πσ²) of every example is missing. It does not move the "
         "maximum over μ, but it depends on σ² and belongs to the log-likelihood.",
         -sq / (2 * sigma2)),
        ("the −½ log 2π of every example is missing (−½ log(2πσ²) = −½ log 2π − ½ log σ²).",
         -sq / (2 * sigma2) - 0.5 * m * math.log(sigma2)),
        ("sigma2 is the variance σ² already: do not square it again (you used σ² = sigma2²).",
         -sq / (2 * sigma2**2) - 0.5 * m * math.log(2 * math.pi * sigma2**2)),
        ("sigma2 is the variance σ²; its square root is σ. You used σ² = √sigma2.",
         -sq / (2 * math.sqrt(sigma2)) - 0.5 * m * math.log(2 * math.pi * math.sqrt(sigma2))),
        ("the normalising term is −½ log(2πσ²) per example: the factor ½ is missing.",
         -sq / (2 * sigma2) - m * math.log(2 * math.pi * sigma2)),
        ("the exponent is −(x − μ)²/(2σ²): the 2 in the denominator is missing.",
         -sq / sigma2 - 0.5 * m * math.log(2 * math.pi * sigma2)),
        ("sum the log-densities over the examples; you took the mean.", ll / m),
        ("use the natural log, np.log, not np.log10.", ll / math.log(10.0)),
        ("that is the likelihood Π N(x_i; μ, σ²) itself; return its logarithm, the sum of the "
         "log-densities (a product of many densities underflows to 0).", math.exp(ll)),
    ]
    return tuple((hint, (np.asarray(out, dtype=np.float64),)) for hint, out in variants)


def _loglik_cases(seed: int) -> list[_Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for m in (5, 1, 12, 30, 3, 8):
        mu = float(rng.uniform(-2.0, 2.0))
        sigma2 = float(rng.choice([rng.uniform(0.2, 0.7), rng.uniform(1.5, 4.0)]))
        x = rng.normal(mu + rng.uniform(-1, 1), math.sqrt(sigma2), size=m)
        expected = np.asarray(losses.gaussian_log_likelihood(x, mu, sigma2))
        cases.append(_Case((("x", x), ("mu", mu), ("sigma2", sigma2)), (expected,),
                           _loglik_variants(x, mu, sigma2)))
    return cases


def check_gaussian_log_likelihood(fn: Callable, seed: int = 0, *,
                                  timeout: float | None = None) -> bool:
    r"""Check the log-likelihood of a sample under a Gaussian.

    The learner writes ``gaussian_log_likelihood(x, mu, sigma2) -> loglik`` for a 1-D sample
    ``x`` and numbers ``mu`` and ``sigma2`` (the variance):

    .. math::
        \sum_{i=1}^m \log \mathcal N(x_i; \mu, \sigma^2)
        = \sum_{i=1}^m \Bigl(-\frac{(x_i - \mu)^2}{2\sigma^2} - \frac12\log(2\pi\sigma^2)\Bigr).

    Compared with :func:`npfl_helpers.losses.gaussian_log_likelihood` on six seeded inputs
    (σ² ≠ 1, so that a confusion of σ and σ² shows). Typical mistakes get their own hint: the
    sign (an NLL), the normalising term missing in whole or in part, σ² squared again or
    square-rooted, a missing ½ or 2, a mean instead of a sum, log10, and the likelihood
    instead of its logarithm.

    >>> def gaussian_log_likelihood(x, mu, sigma2):
    ...     return np.sum((x - mu) ** 2 / (2 * sigma2) + 0.5 * np.log(2 * np.pi * sigma2))
    >>> check_gaussian_log_likelihood(gaussian_log_likelihood)  # doctest: +ELLIPSIS
    ✘ gaussian_log_likelihood: output loglik is wrong on test input 1 of 6.
    ...
      Hint: that is the negative log-likelihood (the loss); the log-likelihood itself has the
    ...
    False
    """
    generic = {"loglik": "Σ_i [−(x_i − μ)²/(2σ²) − ½ log(2πσ²)], with sigma2 = σ²."}
    shape_hint = ("{out} has shape {got} but must be a single number (shape {expected}): sum "
                  "over the examples.")
    seed, timeout = _teacher_args(seed, timeout)
    return _run_cases(fn, "gaussian_log_likelihood", ("loglik",), _loglik_cases(seed), generic,
                      shape_hint, timeout=timeout)
