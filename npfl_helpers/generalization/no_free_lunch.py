r"""No free lunch: no learner is better on every data-generating process.

:func:`rank_swap` shows two learners trading places between two processes;
:func:`off_training_set_errors` enumerates every labelling of a small domain and finds every
learner wrong on exactly half of the unseen points, on average.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from .._validate import ArgumentTypeError, check_choice, check_int, check_rng, describe
from ._common import _check_size, _int_list
from .polynomial import MAX_DEGREE, TARGETS, _generalization_error, fit_all_degrees, sample

__all__ = [
    "RankSwap",
    "rank_swap",
    "AllTargets",
    "off_training_set_errors",
]


class RankSwap(NamedTuple):
    """Expected generalisation error ``error[p, l]`` of learner ``l`` on process ``p``."""

    processes: tuple[str, ...]
    degrees: tuple[int, ...]        # the learners: least squares of these degrees
    error: np.ndarray               # (processes, learners), mean over trials
    stderr: np.ndarray              # its standard error


def rank_swap(processes: Sequence[str] = ("line", "wiggle"), degrees: Sequence[int] = (1, 9),
              n: int = 20, noise: float = 0.3, lam: float = 0.01, trials: int = 500,
              seed=0) -> RankSwap:
    r"""Two learners (L2-regularised least squares of two degrees) on two data-generating
    processes.

    For each process, ``trials`` training sets of size ``n`` are drawn at once, every learner is
    fitted to each (with the same weak ``lam``, which keeps degree 9 on 20 points stable), and
    its exact :func:`generalization_error` is averaged. With the defaults the simple learner (a
    line) wins on the ``"line"`` process and the flexible one (degree 9) on ``"wiggle"``:
    neither is better everywhere.
    """
    if isinstance(processes, (str, bytes, dict)) or not np.iterable(processes) \
            or len(processes := tuple(processes)) == 0:
        raise ArgumentTypeError(f"processes must be a non-empty sequence of names from "
                                f"{', '.join(map(repr, TARGETS))}, e.g. ('line', 'wiggle'); got "
                                f"{describe(processes)}")
    processes = tuple(check_choice("processes", p, TARGETS) for p in processes)
    degrees = tuple(int(d) for d in _int_list("degrees", degrees, low=0, high=MAX_DEGREE))
    n = check_int("n", n, low=1)
    trials = check_int("trials", trials, low=2)
    _check_size("n × trials", n * trials, "the data")
    rng = check_rng("seed", seed)
    error = np.empty((len(processes), len(degrees)))
    stderr = np.empty_like(error)
    for p, process in enumerate(processes):
        x, y = sample(n, noise, process, rng, trials)
        theta = fit_all_degrees(x, y, max(degrees), lam)[:, list(degrees)]     # (T, L, P)
        gen = _generalization_error(theta, process, noise, "legendre")         # (T, L)
        error[p], stderr[p] = gen.mean(axis=0), gen.std(axis=0, ddof=1) / np.sqrt(trials)
    return RankSwap(processes, degrees, error, stderr)


class AllTargets(NamedTuple):
    """Off-training-set errors of two classifiers on every labelling of a small domain."""

    targets: np.ndarray           # (2^n, n) every 0/1 labelling of the points 0 … n − 1
    train: np.ndarray             # indices of the training points
    test: np.ndarray              # the other points: the unseen examples
    errors: dict[str, np.ndarray]  # learner → (2^n,) error rate on the unseen points


def off_training_set_errors(n_points: int = 8, train: Sequence[int] = (0, 2, 4, 6)
                            ) -> AllTargets:
    r"""The no-free-lunch theorem, exactly, for binary classification of ``n_points`` inputs.

    Inputs are the points :math:`0, \dots, n-1` on a line; every one of the :math:`2^n`
    labellings is a possible target. Each learner sees the labels of the ``train`` points and
    predicts the rest:

    - ``"nearest neighbour"``: the label of the closest training point (the left one on ties);
    - ``"majority"``: the most frequent training label (1 on ties).

    Averaged over all targets, both err on exactly half of the unseen points: for every target
    on which a learner is right at an unseen point, flipping that point's label gives a target
    with the same training data on which it is wrong.
    """
    n_points = check_int("n_points", n_points, low=2, high=16)
    train = np.unique(_int_list("train", train, low=0))
    if train.max() >= n_points or train.size == n_points:
        raise ValueError(f"train must be a non-empty proper subset of 0 … {n_points - 1}; got "
                         f"{train.tolist()}")
    test = np.setdiff1d(np.arange(n_points), train)
    codes = np.arange(2**n_points)
    targets = (codes[:, None] >> np.arange(n_points)) & 1                  # (2^n, n)
    y_train = targets[:, train]
    nearest = train[np.argmin(np.abs(test[:, None] - train[None, :]), axis=1)]
    predictions = {
        "nearest neighbour": targets[:, nearest],
        "majority": np.broadcast_to((2 * y_train.sum(axis=1, keepdims=True) >= train.size),
                                    (codes.size, test.size)).astype(int),
    }
    errors = {name: np.mean(pred != targets[:, test], axis=1) for name, pred in predictions.items()}
    return AllTargets(targets, train, test, errors)
