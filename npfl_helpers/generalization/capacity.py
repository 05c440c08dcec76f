r"""Capacity: training and test error of every polynomial degree (one data set or the average
over many), and the fits of one degree along a path of L2 strengths λ.

The training error never increases with the degree (the models are nested); the test error
falls while the extra capacity captures :math:`f` (underfitting), then rises as it fits the
noise (overfitting). Along a λ path the weights shrink as λ grows.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._validate import check_array, check_choice, check_int, check_range
from ._common import _pair
from .polynomial import (
    MAX_DEGREE,
    _fit,
    _fit_all,
    _generalization_error,
    _lam,
    _mse,
    _predict,
    fit_all_degrees,
    polynomial_features,
    sample,
)

__all__ = [
    "CapacityCurve",
    "capacity_curve",
    "AverageCurve",
    "average_capacity_curve",
    "LambdaPath",
    "lambda_path",
]


class CapacityCurve(NamedTuple):
    """Training and test error of every degree 0 … D_max (arrays ``batch + (D_max + 1,)``)."""

    degrees: np.ndarray
    train_mse: np.ndarray
    test_mse: np.ndarray
    theta: np.ndarray   # batch + (D_max + 1, D_max + 1), row D = the degree-D fit


def capacity_curve(train, test, max_degree: int, lam=0.0, *,
                   basis: str = "legendre") -> CapacityCurve:
    r"""Fit every degree on ``train = (x, y)`` and measure the MSE on ``train`` and ``test``.

    The training error never increases with the degree (the models are nested); the test error
    falls while the extra capacity captures :math:`f` (underfitting), then rises as it fits the
    noise (overfitting). Batch axes of the data sets (many training sets) are kept in front.
    """
    x_tr, y_tr = _pair("train", train)
    x_te, y_te = _pair("test", test, batch=x_tr.shape[:-1])
    max_degree = check_int("max_degree", max_degree, low=0, high=MAX_DEGREE)
    theta = _fit_all(x_tr, y_tr, max_degree, _lam(lam), basis, x_name="train x")
    train_mse = _mse_all_degrees(theta, x_tr, y_tr, basis)
    test_mse = _mse_all_degrees(theta, x_te, y_te, basis)
    return CapacityCurve(np.arange(max_degree + 1), train_mse, test_mse, theta)


def _mse_all_degrees(theta, x, y, basis):
    """MSE of every row of ``theta`` (..., K, P) on (x, y) (..., n): one matmul, (..., K)."""
    X = polynomial_features(x, theta.shape[-1] - 1, basis)             # (..., n, P)
    with np.errstate(over="ignore", invalid="ignore"):
        pred = X @ np.swapaxes(theta, -1, -2)                          # (..., n, K)
    return _mse(pred, y[..., None], axis=-2)


class AverageCurve(NamedTuple):
    """Training and generalisation error of every degree, summarised over many training sets."""

    degrees: np.ndarray
    train_mse: np.ndarray        # (D_max + 1,)
    generalization: np.ndarray   # (D_max + 1,) exact generalisation error
    statistic: str               # "median" or "mean" over the training sets

    @property
    def best_degree(self) -> int:
        """The optimal capacity: the degree with the smallest generalisation error (the first
        of equal ones)."""
        return int(self.degrees[np.argmin(self.generalization)])


def average_capacity_curve(n: int, noise: float = 0.3, target: str = "sine",
                           max_degree: int = 12, lam=0.0, trials: int = 100, seed=0,
                           basis: str = "legendre", statistic: str = "median") -> AverageCurve:
    r"""The capacity curve of the lecture's figure: ``trials`` training sets of size ``n``,
    every degree fitted on each (one call), the errors summarised over the training sets.

    The generalisation error is exact in :math:`x` (:func:`generalization_error`), so the only
    randomness left is the draw of the training sets. ``statistic="median"`` (the default) shows
    a typical training set; the ``"mean"`` (the expectation over training sets) is dominated, at
    high degrees, by the rare training sets on which the fit explodes between or beyond the
    points.
    """
    statistic = check_choice("statistic", statistic, ("median", "mean"))
    trials = check_int("trials", trials, low=1)
    x, y = sample(n, noise, target, seed, trials)
    theta = fit_all_degrees(x, y, max_degree, lam, basis=basis)       # (T, K, P)
    train = _mse_all_degrees(theta, x, y, basis)                       # (T, K)
    gen = _generalization_error(theta, target, noise, basis)           # (T, K)
    summary = np.median if statistic == "median" else np.mean
    return AverageCurve(np.arange(max_degree + 1), summary(train, axis=0),
                        summary(gen, axis=0), statistic)


class LambdaPath(NamedTuple):
    """The fits of one degree for each λ (arrays ``(L,) + batch``)."""

    lams: np.ndarray
    train_mse: np.ndarray
    test_mse: np.ndarray
    theta: np.ndarray          # (L,) + batch + (D + 1,)
    weight_norm: np.ndarray    # ‖w‖ = ‖θ_{1:}‖, the penalised weights


def lambda_path(train, test, degree: int, lams, *, basis: str = "legendre") -> LambdaPath:
    r"""Fit degree :math:`D` on ``train`` for every :math:`\lambda` in ``lams`` (one call)."""
    x_tr, y_tr = _pair("train", train)
    x_te, y_te = _pair("test", test, batch=x_tr.shape[:-1])
    degree = check_int("degree", degree, low=0, high=MAX_DEGREE)
    lams = check_range("lams", check_array("lams", lams, ndim=1), low=0)
    lam_b = lams.reshape(lams.shape + (1,) * (x_tr.ndim - 1))   # broadcast over the batch
    theta = _fit(x_tr, y_tr, degree, lam_b, basis, lam_name="lams", x_name="train x")
    train_mse = _mse(_predict(theta, x_tr, basis), y_tr)
    test_mse = _mse(_predict(theta, x_te, basis), y_te)
    return LambdaPath(lams, train_mse, test_mse, theta, np.linalg.norm(theta[..., 1:], axis=-1))
