r"""Notebook 02 (generalisation and capacity): L2-regularised least squares in closed form, and
choosing λ on the validation set."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import generalization as gen
from .._validate import check_array, check_int, check_range
from ._harness import (
    NO,
    OK,
    _Case,
    _hint,
    _number_answer,
    _quiet,
    _run_cases,
    _teacher_args,
    _wrap,
)


def _ridge_variants(X, y, lam):
    """(hint, θ) of the typical wrong closed forms (a singular one is left out)."""
    N, P = X.shape
    B = np.diag(np.r_[0.0, np.ones(P - 1)])
    G, b = X.T @ X, X.T @ y

    def _solve(A, rhs):
        try:
            return _quiet(lambda: np.linalg.solve(A, rhs))
        except np.linalg.LinAlgError:
            return None

    variants = (
        ("λ is missing: that is plain least squares, (XᵀX)⁻¹Xᵀy. Add NλB to XᵀX.",
         _solve(G, b)),
        ("the bias θ₀ (column 0 of X) must not be penalised: use B = diag(0, 1, …, 1), not the "
         "identity.", _solve(G + N * lam * np.eye(P), b)),
        ("J averages the squared errors over N examples, so the penalty enters the closed form "
         "as NλB: (XᵀX + NλB)θ = Xᵀy.", _solve(G + lam * B, b)),
        ("the penalty is added: (XᵀX + NλB), with a plus sign.", _solve(G - N * lam * B, b)),
        ("the 2 of the gradient appears on both sides and cancels: (XᵀX + NλB)θ = Xᵀy, not "
         "2NλB.", _solve(G + 2 * N * lam * B, b)),
        ("λ belongs to the matrix on the left, (XᵀX + NλB)θ = Xᵀy, not to the right-hand side "
         "Xᵀy.", _solve(G, b + N * lam)),
        ("adding a number to XᵀX adds it to every entry: put NλB on the diagonal only "
         "(e.g. N * lam * B with B = np.diag(...)).", _solve(G + N * lam, b)),
        ("divide both sides by N, or neither: (XᵀX/N + λB)θ = Xᵀy/N.",
         _solve(G / N + lam * B, b)),
    )
    return tuple((hint, (theta,)) for hint, theta in variants if theta is not None)


def _ridge_cases(seed: int) -> list[_Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for N, P in ((8, 3), (12, 4), (20, 6), (15, 2), (30, 5)):
        X = np.column_stack([np.ones(N), rng.standard_normal((N, P - 1))])
        y = rng.standard_normal(N) + 2.0
        lam = float(rng.uniform(0.05, 0.5))
        theta = gen.least_squares(X, y, lam)
        cases.append(_Case((("X", X), ("y", y), ("lam", lam)), (theta,),
                           _ridge_variants(X, y, lam)))
    return cases


def check_ridge(fn: Callable, seed: int = 0, *, timeout: float | None = None) -> bool:
    r"""Check the closed form of L2-regularised least squares.

    The learner writes ``ridge(X, y, lam) -> theta``, the minimiser of
    :math:`J(\theta) = \frac1N\lVert X\theta - y\rVert^2 + \lambda\sum_{k\ge1}\theta_k^2`:

    .. math::
        \theta = (X^\top X + N\lambda B)^{-1} X^\top y, \qquad B = \operatorname{diag}(0, 1,
        \dots, 1)

    (column 0 of ``X`` is the constant feature; its coefficient, the bias, is not penalised).
    ``np.linalg.solve`` and ``np.linalg.inv`` are both fine. Compared with
    :func:`npfl_helpers.generalization.least_squares` on five seeded random problems; prints one
    message, returns whether all agree.

    >>> def ridge(X, y, lam):
    ...     N, P = X.shape
    ...     B = np.diag([0.0] + [1.0] * (P - 1))
    ...     return np.linalg.solve(X.T @ X + N * lam * B, X.T @ y)
    >>> check_ridge(ridge)
    ✔ ridge is correct: it matches the reference on 5 random inputs.
    True
    """
    seed, limit = _teacher_args(seed, timeout)
    generic = {"theta": "solve (XᵀX + NλB)θ = Xᵀy with B = diag(0, 1, …, 1); N = len(y)."}
    return _run_cases(fn, "ridge", ("theta",), _ridge_cases(seed), generic,
                      shape_hint="{out} has shape {got} but must have shape {expected}: one "
                                 "coefficient per column of X (use X.T @ X, not X @ X.T).",
                      timeout=limit)


def _pair(name: str, value):
    """A data set ``(x, y)`` of the teacher's, checked and copied."""
    if not (isinstance(value, (tuple, list)) and len(value) == 2):
        raise TypeError(f"{name} must be a pair (x, y) as returned by generalization.sample; got "
                        f"a {type(value).__name__}")
    x, y = (np.array(v, dtype=np.float64) for v in value)
    return x, y


def check_lambda_choice(value, train, val, test, degree: int, lams) -> bool:
    r"""Check a choice of :math:`\lambda` for a degree-``degree`` polynomial.

    The right choice fits :func:`~npfl_helpers.generalization.fit_polynomial` on ``train`` for
    every :math:`\lambda` in ``lams`` and keeps the one with the smallest MSE on the
    **validation** set ``val``. The test set plays no part in the choice: it is used once, to
    report the chosen model's error. ``value`` is the learner's :math:`\lambda` (``None``: not
    answered yet).
    """
    train, val, test = _pair("train", train), _pair("val", val), _pair("test", test)
    degree = check_int("degree", degree, low=0)
    lams = check_range("lams", check_array("lams", lams, ndim=1), low=0)
    if value is None or value is Ellipsis:
        print(f"{NO} not answered yet: set best_lam to the λ you choose and run the check again.")
        return False
    x, message = _number_answer(value, "best_lam")
    if message:
        print(message)
        return False
    on_train = gen.lambda_path(train, train, degree, lams).test_mse
    on_val = gen.lambda_path(train, val, degree, lams).test_mse
    on_test = gen.lambda_path(train, test, degree, lams).test_mse
    k_val = int(np.argmin(on_val))
    hits = np.flatnonzero(np.isclose(lams, x, rtol=1e-6, atol=0))
    if hits.size == 0:
        index_hint = ""
        if float(x).is_integer() and 0 <= x < len(lams):
            index_hint = (f" {int(x)} looks like an index: the answer is the value lams[{int(x)}] "
                          f"= {lams[int(x)]:g}.")
        print(_wrap(f"{NO} {x:g} is not one of the λ values in lams.{index_hint}"))
        print(_hint("choose one of the values you tried, e.g. lams[np.argmin(errors)]."))
        return False
    k = int(hits[0])
    if k == k_val:
        print(_wrap(f"{OK} λ = {lams[k]:g} has the smallest validation MSE ({on_val[k]:.4g}). "
                    f"Reported once on the test set, its MSE is {on_test[k]:.4g}."))
        return True
    wrong = [
        (int(np.argmin(on_test)), "that λ has the smallest test error: chosen on the test set, "
         "the test error no longer estimates the generalisation error (it is optimistic). Choose "
         "on the validation set; the test set is for the final report only."),
        (int(np.argmin(on_train)), "that λ has the smallest training error — the smallest λ "
         "always does, because the penalty only restricts the fit to the training set. Measure "
         "the error on the validation set."),
        (int(np.argmax(on_val)), "that λ has the largest validation error: use np.argmin."),
    ]
    hint = next((h for j, h in wrong if j == k),
                "fit on train for every λ, compute the MSE of each fit on val, and take the λ "
                "with the smallest one.")
    print(_wrap(f"{NO} λ = {lams[k]:g} is not the validation choice (its validation MSE is "
                f"{on_val[k]:.4g}; another λ reaches {on_val.min():.4g}).") + f"\n{_hint(hint)}")
    return False
