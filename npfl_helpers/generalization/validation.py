r"""Choosing hyperparameters on a validation set: a grid search over (degree, λ) judged on
validation data, and what goes wrong when the test set makes the choice (the reported error is
optimistic).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from .._validate import check_array, check_int, check_range, check_rng
from ._common import _check_size, _int_list, _pair
from .polynomial import MAX_DEGREE, _fit_all, _generalization_error, _mse, _predict, sample

__all__ = [
    "Selection",
    "select_on_validation",
    "SelectionBias",
    "selection_bias",
]


class Selection(NamedTuple):
    """Hyperparameters chosen on the validation set, and the test error reported once."""

    degree: int
    lam: float
    theta: np.ndarray       # the chosen model
    degrees: np.ndarray
    lams: np.ndarray
    train_mse: np.ndarray   # (L, K): every (λ, degree) on the training set
    val_mse: np.ndarray     # (L, K): … on the validation set, where the choice is made
    test_mse: float         # the chosen model only, measured once


def _grid(x, y, degrees, lams, basis, x_name="train x"):
    degrees = _int_list("degrees", degrees, low=0, high=MAX_DEGREE)
    lams = check_range("lams", check_array("lams", lams, ndim=1), low=0)
    lam_b = lams.reshape(lams.shape + (1,) * (x.ndim - 1))     # broadcast over the batch
    theta = _fit_all(x, y, int(degrees.max()), lam_b, basis, lam_name="lams", x_name=x_name)
    return degrees, lams, theta[..., degrees, :]     # (L,) + batch + (K, P)


def select_on_validation(train, val, test, degrees: Sequence[int], lams, *,
                         basis: str = "legendre") -> Selection:
    r"""Grid search: fit every (degree, λ) on ``train``, choose the smallest validation MSE,
    then evaluate that one model on ``test``.

    The test set plays no part in the choice, so its error is an unbiased estimate of the
    chosen model's generalisation error (:func:`selection_bias` measures what goes wrong
    otherwise).
    """
    x_tr, y_tr = _pair("train", train)
    if x_tr.ndim != 1:
        raise ValueError(f"train x must have one axis (one data set); got shape {x_tr.shape}")
    (x_va, y_va), (x_te, y_te) = _pair("val", val, ()), _pair("test", test, ())
    degrees, lams, theta = _grid(x_tr, y_tr, degrees, lams, basis)
    train_mse = _mse(_predict(theta, x_tr, basis), y_tr)
    val_mse = _mse(_predict(theta, x_va, basis), y_va)
    i, k = np.unravel_index(np.argmin(val_mse), val_mse.shape)
    chosen = theta[i, k]
    test_mse = float(_mse(_predict(chosen, x_te, basis), y_te))
    return Selection(int(degrees[k]), float(lams[i]), chosen, degrees, lams, train_mse, val_mse,
                     test_mse)


class SelectionBias(NamedTuple):
    """Means over trials of the reported and the true error, for each way of choosing."""

    reported: dict[str, float]     # what the chosen model scores on the test set
    true: dict[str, float]         # its exact generalisation error
    stderr: dict[str, float]       # standard error of mean(reported − true)


def selection_bias(trials: int = 400, n_train: int = 30, n_val: int = 30, n_test: int = 30,
                   noise: float = 0.3, target: str = "sine", degrees=range(11),
                   lams=(1e-4, 1e-3, 1e-2, 1e-1, 1.0), seed=0, basis: str = "legendre"
                   ) -> SelectionBias:
    r"""Monte Carlo over ``trials`` independent (train, validation, test) draws, all at once.

    In each trial the grid of (degree, λ) is fitted on the training set; the model is chosen
    either on the **validation** set or on the **test** set, and the test MSE is reported. The
    chosen model's exact :func:`generalization_error` says how good it really is. Choosing on
    validation: the report is unbiased (mean reported ≈ mean true). Choosing on test: the report
    is the minimum of many noisy numbers, so it is optimistic (mean reported < mean true).
    """
    trials = check_int("trials", trials, low=2)
    rng = check_rng("seed", seed)
    sizes = {name: check_int(name, n, low=1) for name, n in
             (("n_train", n_train), ("n_val", n_val), ("n_test", n_test))}
    for name, n in sizes.items():
        _check_size(f"{name} × trials", n * trials, "the data")
    train, val, test = (sample(n, noise, target, rng, trials) for n in sizes.values())
    degrees, lams, theta = _grid(*train, degrees, lams, basis)          # (L, T, K, P)
    theta = np.moveaxis(theta, 0, 1)                                    # (T, L, K, P)

    def mse_on(data):
        x, y = data
        return _mse(_predict(theta, x[:, None, None, :], basis),
                    y[:, None, None, :]).reshape(trials, -1)

    val_mse, test_mse = mse_on(val), mse_on(test)
    true = _generalization_error(theta, target, noise, basis).reshape(trials, -1)
    reported, truth, stderr = {}, {}, {}
    for name, scores in (("validation", val_mse), ("test", test_mse)):
        pick = np.argmin(scores, axis=1)[:, None]
        rep = np.take_along_axis(test_mse, pick, axis=1)[:, 0]
        tru = np.take_along_axis(true, pick, axis=1)[:, 0]
        reported[name], truth[name] = float(rep.mean()), float(tru.mean())
        stderr[name] = float((rep - tru).std(ddof=1) / np.sqrt(trials))
    return SelectionBias(reported, truth, stderr)
