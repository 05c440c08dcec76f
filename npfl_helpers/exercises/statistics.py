r"""Notebook 01 (estimators and bias): the unbiased sample variance of every row of an array."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import estimators
from ._harness import _Case, _quiet, _run_cases, _teacher_args

#: (trials, n) of the test inputs. A square one comes first: there a mean without
#: ``keepdims`` broadcasts silently and the wrong axis keeps the shape, so both get their own
#: hint instead of a broadcasting error or a shape message. In the others the number of rows
#: minus 1 is none of n − 1, n, n + 1, so that dividing by it shows as its own mistake.
_SHAPES = ((6, 6), (9, 4), (3, 7), (8, 2), (1, 10), (7, 3))


def _variance_variants(x: np.ndarray) -> tuple[tuple[str, tuple], ...]:
    """(hint, output) of the typical wrong implementations on ``x`` ``(trials, n)``."""
    trials, n = x.shape
    row_mean = x.mean(axis=1, keepdims=True)
    S = np.sum((x - row_mean) ** 2, axis=1)  # Σ_i (x_i − x̄)² of every row
    raw = np.sum(x**2, axis=1)
    variants = [
        ("that divides by n: it is the lecture's σ̂², the maximum-likelihood estimate, with "
         "E[σ̂²] = (1 − 1/n)σ². The unbiased estimate divides the same sum by n − 1.", S / n),
        ("that divides by n + 1 (the smallest MSE for Gaussian data, but biased). The unbiased "
         "estimate divides by n − 1.", S / (n + 1)),
        ("subtract each row's mean before squaring: Σ(x_i − x̄)², not Σx_i². (Without centring "
         "you measure the spread around 0, not around the mean.)", raw / (n - 1)),
        ("subtract each row's mean before squaring (Σ(x_i − x̄)², not Σx_i²), and divide by "
         "n − 1, not n.", raw / n),
        ("you centred with the mean of the whole array; each row is its own sample and needs "
         "its own mean: x.mean(axis=1, keepdims=True).",
         np.sum((x - x.mean()) ** 2, axis=1) / (n - 1)),
        ("that is the standard deviation; return the variance (no square root).",
         np.sqrt(S / (n - 1))),
        ("n is the sample size, the number of columns (x.shape[1]); you divided by the number "
         "of rows minus 1.", _quiet(lambda: S / (trials - 1))),
    ]
    if trials == n:  # mistakes that keep the shape only on a square input
        col = np.sum((x - x.mean(axis=0)) ** 2, axis=0) / (trials - 1)
        variants += [
            ("that is the variance of every column (axis 0). Each row is one sample: take the "
             "mean and the sum along axis=1.", col),
            ("x - x.mean(axis=1) subtracts row j's mean from column j: keep the axis, "
             "x.mean(axis=1, keepdims=True) (or x.mean(axis=1)[:, None]).",
             np.sum((x - x.mean(axis=1)) ** 2, axis=1) / (n - 1)),
        ]
    return tuple((hint, (out,)) for hint, out in variants)


def _variance_cases(seed: int) -> list[_Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for trials, n in _SHAPES:
        # a mean far from 0 and a scale far from 1, so that every mistake shows
        x = rng.normal(rng.uniform(1.0, 5.0), rng.uniform(0.5, 3.0), size=(trials, n))
        expected = estimators.sample_variance(x, ddof=1, axis=1)
        cases.append(_Case((("x", x),), (np.asarray(expected),), _variance_variants(x)))
    return cases


def check_unbiased_variance(fn: Callable, seed: int = 0, *,
                            timeout: float | None = None) -> bool:
    r"""Check the unbiased sample variance of every row.

    The learner writes ``unbiased_variance(x) -> variance``: ``x`` has shape ``(trials, n)``,
    one sample of size :math:`n \ge 2` per row; the result has shape ``(trials,)``,

    .. math::
        \hat\sigma^2_{n-1} = \frac{1}{n-1} \sum_{i=1}^n (x_i - \bar x)^2, \qquad
        \bar x = \frac1n \sum_i x_i \quad\text{(per row)}.

    Compared with :func:`npfl_helpers.estimators.sample_variance` (``ddof=1``, ``axis=1``) on six
    seeded inputs (the first one square). Typical mistakes get their own hint: dividing by
    :math:`n` or :math:`n + 1`, not centring, centring with the mean of the whole array, the
    wrong axis, a mean without ``keepdims``, :math:`n` taken from the wrong axis, a square root.

    >>> def unbiased_variance(x):
    ...     return np.var(x, axis=1)           # np.var divides by n unless ddof=1
    >>> check_unbiased_variance(unbiased_variance)  # doctest: +ELLIPSIS
    ✘ unbiased_variance: output variance is wrong on test input 1 of 6.
    ...
      Hint: that divides by n: it is the lecture's σ̂², the maximum-likelihood estimate, with
    ...
    False
    """
    generic = {"variance": "the unbiased variance of a row is Σ(x_i − x̄)²/(n − 1), with x̄ the "
                           "row's mean and n the row's length."}
    shape_hint = ("{out} has shape {got} but must have shape {expected}, one number per row: "
                  "reduce along axis=1 (the n values of a sample), not axis 0 or the whole array.")
    seed, timeout = _teacher_args(seed, timeout)
    return _run_cases(fn, "unbiased_variance", ("variance",), _variance_cases(seed), generic,
                      shape_hint, timeout=timeout)
