"""Notebook 04 (gradient descent): the variance of a minibatch gradient; filter normalisation
of a direction for loss landscapes."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import estimators, landscape
from ._harness import _Case, _quiet, _run_cases, _teacher_args


def _minibatch_cases(seed: int) -> list[_Case]:
    rng = np.random.default_rng(seed)
    N1 = int(rng.integers(5, 50))
    N2 = int(rng.integers(20, 200))
    N3 = int(rng.integers(10, 40))
    N5 = int(rng.integers(500, 2000))
    inputs = (  # (N, m); m = N first (the variance must vanish), the arrays hold m = 1 and m = N
        (N1, N1),
        (N2, int(rng.integers(2, N2 // 2))),
        (N3, int(rng.integers(N3 // 2, N3))),
        (10, np.arange(1, 11)),
        (N5, np.array([1, 2, 32, N5 // 2, N5 - 1, N5])),
        (2, 1),
    )
    at_n = ("at m = N the minibatch is the whole data set, so ĝ = g exactly and the variance "
            "must be 0: the correction (N − m)/(N − 1) vanishes there.")
    cases = []
    for N, m in inputs:
        sigma2 = float(rng.uniform(0.1, 10.0))
        mf = np.asarray(m, dtype=np.float64)
        expected = estimators.minibatch_variance(sigma2, N, m)
        variants = (
            ("that is σ²/m, the variance when drawing *with* replacement. Without replacement, "
             "multiply by the finite-population correction (N − m)/(N − 1).", (sigma2 / mf,)),
            ("the finite-population correction is (N − m)/(N − 1), not (N − m)/N: at m = 1 the "
             "variance must be exactly σ².", (sigma2 / mf * (N - mf) / N,)),
            ("the finite-population correction is (N − m)/(N − 1), not its reciprocal.",
             (_quiet(lambda s=sigma2, m=mf, N=N: s / m * (N - 1) / (N - m)),)),
            ("the variance of a mean of m examples is σ²/m: divide by m once, not by m².",
             (sigma2 / mf**2 * (N - mf) / (N - 1),)),
            ("the variance of a mean of m examples falls with m: σ²/m, not σ²·m.",
             (sigma2 * mf * (N - mf) / (N - 1),)),
            ("that is the standard deviation; return the variance (no square root).",
             (np.sqrt(np.asarray(expected)),)),
            ("the arguments come in the order (sigma2, N, m), as in "
             "estimators.minibatch_variance: first N, then m.",
             (_quiet(lambda s=sigma2, m=mf, N=N: s / N * (m - N) / (m - 1)),)),
        )
        fallback = at_n if np.ndim(m) == 0 and m == N else ""
        cases.append(_Case((("sigma2", sigma2), ("N", N), ("m", m)), (expected,), variants,
                           fallback=fallback))
    return cases


def check_minibatch_variance(fn: Callable, seed: int = 0, *,
                             timeout: float | None = None) -> bool:
    r"""Check the variance of a minibatch mean drawn without replacement.

    The learner writes ``minibatch_variance(sigma2, N, m) -> variance``: the variance of the mean
    of m examples drawn without replacement from N examples whose values have (population)
    variance σ², i.e. :math:`\mathbb E\lVert\hat g - g\rVert^2` for a minibatch gradient:

    .. math::
        \operatorname{Var} = \frac{\sigma^2}{m}\cdot\frac{N-m}{N-1}

    ``m`` may be a numpy array (return an array of its shape). The factor
    :math:`(N-m)/(N-1)` is the finite-population correction: it is 1 at m = 1 and 0 at m = N.

    ====== ==========
    symbol argument
    ====== ==========
    σ²     ``sigma2``
    N      ``N``
    m      ``m``
    ====== ==========

    The arguments come in the order of :func:`npfl_helpers.estimators.minibatch_variance`, the
    reference it is compared with on six seeded inputs, including m = 1 and m = N.

    >>> def minibatch_variance(sigma2, N, m):
    ...     return sigma2 / m                     # forgets that the draws are without replacement
    >>> check_minibatch_variance(minibatch_variance)  # doctest: +ELLIPSIS
    ✘ minibatch_variance: output variance is wrong on test input 1 of 6.
    ...
      Hint: that is σ²/m, the variance when drawing *with* replacement. Without replacement,
            multiply by the finite-population correction (N − m)/(N − 1).
    False
    """
    generic = {"variance": "Var = σ²/m · (N − m)/(N − 1), elementwise over m."}
    shape_hint = ("{out} has shape {got} but must have m's shape {expected}: compute with whole "
                  "arrays (m may be a numpy array), without sum, mean or reshaping.")
    seed, timeout = _teacher_args(seed, timeout)
    return _run_cases(fn, "minibatch_variance", ("variance",), _minibatch_cases(seed), generic,
                      shape_hint, timeout=timeout)


def _filter_cases(seed: int) -> list[_Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for shape in ((3, 4), (5, 2), (1, 3), (4, 4), (6, 1), (2, 5)):
        D = rng.standard_normal(shape)
        W = rng.normal(scale=rng.uniform(0.1, 3.0), size=shape)
        if shape == (4, 4):
            W[:, 1] = 0.0  # a unit whose weights are all zero: its part of the direction is 0
        expected = landscape.filter_normalize(D, W)
        d_col, w_col = np.linalg.norm(D, axis=0), np.linalg.norm(W, axis=0)
        d_row = np.linalg.norm(D, axis=1, keepdims=True)
        w_row = np.linalg.norm(W, axis=1, keepdims=True)
        variants = (
            ("normalise every column (the weights into one output unit: W has shape "
             "(fan_in, fan_out)), not every row.", (D / d_row * w_row,)),
            ("rescale every filter (column) on its own, not the whole matrix at once.",
             (D / np.linalg.norm(D) * np.linalg.norm(W),)),
            ("after dividing column j by ‖D_j‖, multiply it by ‖W_j‖: the direction gets the "
             "size of that unit's own weights, not size 1.", (D / d_col,)),
            ("the factor is ‖W_j‖ / ‖D_j‖, not its reciprocal.",
             (_quiet(lambda D=D, w=w_col, d=d_col: D * d / w),)),
            ("use the norms ‖·‖ (square roots of the sums of squares), not their squares.",
             (D * w_col**2 / d_col**2,)),
            ("the arguments come in the order (D, W): first the direction, then the weights; "
             "return the rescaled D.", (_quiet(lambda W=W, w=w_col, d=d_col: W / w * d),)),
        )
        cases.append(_Case((("D", D), ("W", W)), (expected,), variants))
    return cases


def check_filter_normalize(fn: Callable, seed: int = 0, *,
                           timeout: float | None = None) -> bool:
    r"""Check filter normalisation of one layer's part of a random direction (Li et al., 2018).

    The learner writes ``filter_normalize(D, W) -> D_normalised``: ``D`` and ``W`` have the
    shape ``(fan_in, fan_out)`` of a layer's weights, column :math:`j` holds the weights into
    output unit :math:`j` (its filter), and every column of ``D`` is rescaled to the norm of
    the same column of ``W``:

    .. math::
        D_{:,j} \leftarrow \frac{D_{:,j}}{\lVert D_{:,j}\rVert}\,\lVert W_{:,j}\rVert

    ====== ==========
    symbol argument
    ====== ==========
    D      ``D``
    W      ``W``
    ====== ==========

    It is compared with :func:`npfl_helpers.landscape.filter_normalize` on six seeded inputs of
    different shapes, one with a unit whose weights are all zero.

    >>> def filter_normalize(D, W):
    ...     return D / np.linalg.norm(D) * np.linalg.norm(W)   # the whole matrix at once
    >>> check_filter_normalize(filter_normalize)  # doctest: +ELLIPSIS
    ✘ filter_normalize: output D_normalised is wrong on test input 1 of 6.
    ...
      Hint: rescale every filter (column) on its own, not the whole matrix at once.
    False
    """
    generic = {"D_normalised": "column j of D times ‖W_j‖ / ‖D_j‖ (np.linalg.norm(·, axis=0))."}
    shape_hint = ("{out} has shape {got} but must have D's shape {expected}: rescale the columns "
                  "of D, do not sum or reshape.")
    seed, timeout = _teacher_args(seed, timeout)
    return _run_cases(fn, "filter_normalize", ("D_normalised",), _filter_cases(seed), generic,
                      shape_hint, timeout=timeout)
