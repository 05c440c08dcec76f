r"""Notebook 07, one eigendirection at a time (re-exported by :mod:`.momentum`): the 2×2 iteration
matrix of momentum, its critical β, and the learning rate at which momentum's noise floor equals
SGD's."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import quadratic_theory as qt
from .._validate import check_range
from ._harness import NO, OK, _Case, _hint, _number_answer, _run_cases, _teacher_args


def _matrix_cases(seed: int) -> list[_Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(6):
        lr, beta, lam = (float(rng.uniform(0.01, 0.2)), float(rng.uniform(0.3, 0.95)),
                         float(rng.uniform(0.5, 20.0)))
        a = lr * lam
        M = qt.iteration_matrix("momentum", lr, beta, lam)
        variants = (
            ("that is the matrix of (u_t, u_{t−1}); here the state is (u_t, v_t) with the "
             "velocity v.", (np.array([[1 + beta - a, -beta], [1.0, 0.0]]),)),
            ("rows are the new values: the first row gives u_{t+1} = (1 − αλ)u_t + βv_t, the "
             "second v_{t+1} = −αλu_t + βv_t (you wrote the transpose).", (M.T,)),
            ("the velocity moves against the gradient λu: v ← βv − αλu.",
             (np.array([[1 - a, beta], [a, beta]]),)),
            ("v ← βv − αλu comes first; then u ← u + v uses the new v, so u_{t+1} = "
             "(1 − αλ)u_t + βv_t.", (np.array([[1.0, 1.0], [-a, beta]]),)),
            ("along the direction the gradient is λu (not u): the step is −αλu.",
             (np.array([[1 - lr, beta], [-lr, beta]]),)),
            ("the lecture's momentum has no (1 − β) factor: v ← βv − αλu.",
             (np.array([[1 - (1 - beta) * a, beta], [-(1 - beta) * a, beta]]),)),
        )
        # λ as a 0-d array: a number to the learner, and an input the checker can watch
        cases.append(_Case((("lr", lr), ("beta", beta), ("lam", np.array(lam))), (M,), variants))
    return cases


def check_momentum_matrix(fn: Callable, seed: int = 0, *, timeout: float | None = None) -> bool:
    r"""Check the 2×2 matrix of one momentum step along an eigendirection.

    The learner writes ``momentum_matrix(lr, beta, lam) -> M`` (a 2×2 array) such that
    :math:`(u_{t+1}, v_{t+1}) = M\,(u_t, v_t)` for the lecture's momentum on the coordinate
    :math:`u` along an eigenvector with eigenvalue λ (gradient :math:`\lambda u`):

    .. math::
        v \leftarrow \beta v - \alpha\lambda u, \quad u \leftarrow u + v
        \qquad\Longrightarrow\qquad
        M = \begin{pmatrix} 1 - \alpha\lambda & \beta \\ -\alpha\lambda & \beta \end{pmatrix}

    ====== ==========
    symbol argument
    ====== ==========
    α      ``lr``
    β      ``beta``
    λ      ``lam``
    ====== ==========

    Compared with :func:`npfl_helpers.quadratic_theory.iteration_matrix` on six seeded inputs.

    >>> def momentum_matrix(lr, beta, lam):
    ...     return [[1 - lr * lam, beta], [-lr * lam, beta]]
    >>> check_momentum_matrix(momentum_matrix)
    ✔ momentum_matrix is correct: it matches the reference on 6 random inputs.
    True
    """
    generic = {"M": "write one step as u_{t+1} = a·u_t + b·v_t, v_{t+1} = c·u_t + d·v_t; then "
                    "M = [[a, b], [c, d]]."}
    shape = ("M must be a 2×2 array [[a, b], [c, d]] (new u = a·u + b·v, new v = c·u + d·v); "
             "got shape {got}.")
    seed, timeout = _teacher_args(seed, timeout)
    return _run_cases(fn, "momentum_matrix", ("M",), _matrix_cases(seed), generic,
                      shape_hint=shape, timeout=timeout)


def _critical_cases(seed: int) -> list[_Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for k in range(6):
        lr = float(rng.uniform(0.001, 0.05))
        top = 0.9 if k < 4 else 3.9  # αλ < 1 (both roots positive), then up to 4 as well
        lam = np.sort(rng.uniform(0.02, top, size=1 + k % 3)) / lr  # eigenvalues: αλ < top
        a = lr * lam
        s = np.sqrt(a)
        expected = qt.critical_beta("momentum", lr, lam)
        variants = (
            ("square it: the discriminant (1 + β − αλ)² − 4β vanishes at √β = 1 − √(αλ).",
             (1 - s,)),
            ("β_crit = (1 − √(αλ))², with the square root of αλ.", ((1 - a) ** 2,)),
            ("(1 + √(αλ))² is the other zero of the discriminant; it is > 1, no momentum.",
             ((1 + s) ** 2,)),
            ("use αλ, not α alone: the direction's eigenvalue matters.",
             ((1 - np.sqrt(lr)) ** 2 + 0 * lam,)),
            ("that is the Nesterov form (1 − √(αλ))/(1 + √(αλ)); this is the lecture's momentum.",
             ((1 - s) / (1 + s),)),
        )
        cases.append(_Case((("lr", lr), ("lam", lam)), (expected,), variants))
    return cases


def check_critical_beta(fn: Callable, seed: int = 0, *, timeout: float | None = None) -> bool:
    r"""Check the critical momentum of one eigendirection.

    The learner writes ``critical_beta(lr, lam) -> beta`` for an array ``lam`` of eigenvalues
    (one β per eigenvalue, elementwise): the β for which the iteration matrix of momentum along
    a direction with eigenvalue λ has a double eigenvalue, i.e. the discriminant of
    :math:`r^2 - (1 + \beta - \alpha\lambda)\,r + \beta = 0` vanishes:

    .. math::
        \beta_{\text{crit}} = \bigl(1 - \sqrt{\alpha\lambda}\bigr)^2
        \qquad (0 < \alpha\lambda < 4).

    Compared with :func:`npfl_helpers.quadratic_theory.critical_beta` on six seeded inputs
    (the arguments in its order, without its ``name``).

    >>> def critical_beta(lr, lam):
    ...     return (1 - np.sqrt(lr * lam)) ** 2
    >>> check_critical_beta(critical_beta)
    ✔ critical_beta is correct: it matches the reference on 6 random inputs.
    True
    """
    generic = {"beta": "set the discriminant (1 + β − αλ)² − 4β to 0 and take the root in "
                       "[0, 1)."}
    seed, timeout = _teacher_args(seed, timeout)
    return _run_cases(fn, "critical_beta", ("beta",), _critical_cases(seed), generic,
                      shape_hint="critical_beta returns one β per eigenvalue, an array of the "
                                 "shape of lam; got shape {got}.",
                      timeout=timeout)


def _equal_floor_lr(lr, sigma, lambdas, beta) -> float:
    """The α at which momentum with β stalls at SGD's floor for ``lr`` (bisection)."""
    target = qt.noise_floor(lr, sigma, lambdas)
    lo, hi = 0.0, qt.stability_limit("momentum", beta, max(lambdas)) * (1 - 1e-12)
    for _ in range(200):  # the floor grows with α: bisection to machine precision
        mid = 0.5 * (lo + hi)
        if qt.noise_floor(mid, sigma, lambdas, beta=beta) < target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def check_equal_floor_lr(value, lr: float, sigma: float, lambdas, beta: float) -> bool:
    r"""Check the learning rate at which momentum stalls at the same noise floor as SGD.

    SGD with learning rate ``lr`` on the noisy quadratic (eigenvalues ``lambdas``, gradient noise
    σ) stalls at the floor :func:`npfl_helpers.quadratic_theory.noise_floor`; ``value`` is the
    learner's α for momentum with ``beta`` that stalls at the same floor. For small steps the
    floor is about :math:`n\alpha\sigma^2/(4(1 - \beta))`, so the answer is about
    :math:`\alpha_{\text{SGD}}(1 - \beta)`; answers within 1 % of the exact α count.
    (Arguments after ``value`` in the order of ``noise_floor``.)

    >>> check_equal_floor_lr(0.0002, 0.002, 1.0, [1.0, 10.0], 0.9)
    ✔ α = 0.0002: momentum with β = 0.9 then stalls where SGD with α = 0.002 does (exactly at
      α = 0.000201052). At the same effective rate α/(1 − β), momentum does not lower the floor.
    True
    """
    lambdas = np.asarray(lambdas, dtype=np.float64).reshape(-1)
    beta = check_range("beta", beta, 0, 1, high_open=True, allow_array=False)
    exact = _equal_floor_lr(lr, sigma, lambdas, beta)  # validates lr, sigma, lambdas
    if value is None or value is Ellipsis:
        print(f"{NO} not answered yet: set the variable to your α and run the check again.")
        return False
    x, message = _number_answer(value, "α")
    if message:
        print(message)
        return False
    if abs(x - exact) <= 0.01 * exact:
        print(f"{OK} α = {x:.6g}: momentum with β = {beta:g} then stalls where SGD with "
              f"α = {lr:g} does (exactly at\n  α = {exact:.6g}). At the same effective rate "
              "α/(1 − β), momentum does not lower the floor.")
        return True
    candidates = (
        (lr, "at the same α, momentum's floor is about 1/(1 − β) times SGD's: it must take "
             "smaller steps."),
        (lr / (1 - beta), "that raises the floor further: momentum multiplies the floor by about "
                          "1/(1 − β), so α must shrink by that factor."),
        (lr * (1 - beta) ** 2, "the floor is proportional to α/(1 − β): one factor (1 − β) is "
                               "enough."),
        (lr * beta, "the floor grows like 1/(1 − β), not 1/β: use the factor (1 − β)."),
    )
    hint = next((h for c, h in candidates if abs(x - c) <= 0.01 * c),
                "for small steps the floor is about nασ²/(4(1 − β)): set it equal to SGD's "
                "nα_SGD σ²/4 and solve for α.")
    if x <= 0:
        hint = "α is a learning rate, a positive number."
    print(f"{NO} α = {x:.6g} does not give SGD's floor (momentum's floor there: "
          f"{_floor_text(x, sigma, lambdas, beta)}; SGD's: "
          f"{qt.noise_floor(lr, sigma, lambdas):.4g}).\n{_hint(hint)}")
    return False


def _floor_text(x, sigma, lambdas, beta) -> str:
    if not 0 < x < qt.stability_limit("momentum", beta, lambdas.max()):
        return "none — it diverges"
    return f"{qt.noise_floor(x, sigma, lambdas, beta=beta):.4g}"
