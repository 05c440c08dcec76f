"""Notebook 07 (SGD, momentum, Nesterov): the two steps, the largest stable learning rate, and
(from ``_momentum_eigen``) the 2×2 iteration matrix, the critical β and the learning rate that
gives momentum SGD's noise floor."""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np

from .. import optim
from ._convert import Rejected, as_real
from ._harness import (
    _SHAPES,
    NO,
    OK,
    _call,
    _Case,
    _const,
    _hint,
    _number_answer,
    _report,
    _run_cases,
    _teacher_args,
    _wrap,
)
from ._momentum_eigen import check_critical_beta, check_equal_floor_lr, check_momentum_matrix

__all__ = ["check_critical_beta", "check_equal_floor_lr", "check_lr_bound",
           "check_momentum_matrix", "check_momentum_step", "check_nesterov_step"]


def _momentum_cases(seed: int) -> list[_Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for shape in _SHAPES:
        theta, v, g = (rng.normal(size=shape) for _ in range(3))
        lr = float(rng.uniform(0.01, 0.5))
        beta = float(rng.uniform(0.5, 0.95))
        th_ref, st = optim.momentum(lr, beta).step(theta, optim.MomentumState(0, v), _const(g))
        v_new = beta * v - lr * g
        variants = (
            ("the velocity moves against the gradient: v ← βv − αg (check the sign of αg).",
             (theta + beta * v + lr * g, beta * v + lr * g)),
            ("v already points downhill, so θ ← θ + v, not θ − v.", (theta - v_new, v_new)),
            ("update v first and then θ with the new v: v ← βv − αg; θ ← θ + v.",
             (theta + v, v_new)),
            ("the lecture's momentum has no (1 − β) factor: v ← βv − αg.",
             (theta + beta * v - (1 - beta) * lr * g, beta * v - (1 - beta) * lr * g)),
            ("β multiplies the old velocity: v ← βv − αg.", (theta + v - lr * g, v - lr * g)),
            ("β multiplies only the old velocity, not the gradient step: v ← βv − αg.",
             (theta + beta * (v - lr * g), beta * (v - lr * g))),
            ("return the pair in the order (theta, v).", (v_new, th_ref)),
        )
        cases.append(_Case((("theta", theta), ("v", v), ("g", g), ("lr", lr), ("beta", beta)),
                           (th_ref, st.v), variants))
    return cases


def check_momentum_step(fn: Callable, seed: int = 0, *,
                        timeout: float | None = None) -> bool:
    r"""Check one step of SGD with momentum.

    The learner writes ``momentum_step(theta, v, g, lr, beta) -> (theta, v)``, the lecture's

    .. math::
        v \leftarrow \beta v - \alpha g, \qquad \theta \leftarrow \theta + v

    ====== ==========
    symbol argument
    ====== ==========
    θ      ``theta``
    v      ``v``
    g      ``g`` (the gradient at θ, given)
    α      ``lr``
    β      ``beta``
    ====== ==========

    It is compared with :func:`npfl_helpers.optim.momentum` on six seeded random inputs; prints
    one message and returns whether all agree.

    >>> def momentum_step(theta, v, g, lr, beta):
    ...     v = beta * v - lr * g
    ...     return theta + v, v
    >>> check_momentum_step(momentum_step)
    ✔ momentum_step is correct: it matches the reference on 6 random inputs.
    True
    """
    generic = {"theta": "θ ← θ + v with the new v.", "v": "v ← βv − αg, elementwise."}
    seed, timeout = _teacher_args(seed, timeout)
    return _run_cases(fn, "momentum_step", ("theta", "v"), _momentum_cases(seed), generic,
                      timeout=timeout)


class _CountingGrad:
    """g(θ) = a ⊙ θ + ½ sin 2θ + b: a gradient that differs from point to point; counts calls."""

    def __init__(self, a, b):
        self.a, self.b, self.calls = a, b, 0
        self.__doc__ = "grad_fn(θ) = a·θ + sin(2θ)/2 + b"

    def __call__(self, theta):
        self.calls += 1
        try:
            theta = as_real(theta, "θ")
        except Rejected as rej:
            raise TypeError(f"grad_fn expects a real array θ; {rej.problem}") from None
        if theta.shape != self.a.shape:
            raise ValueError(f"grad_fn expects θ of shape {self.a.shape}; got shape {theta.shape}")
        return self.a * theta + 0.5 * np.sin(2 * theta) + self.b

    def fresh(self):
        return _CountingGrad(self.a, self.b)


def _nesterov_cases(seed: int) -> list[_Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for shape in _SHAPES:
        theta, v = rng.normal(size=shape), rng.normal(size=shape)
        grad = _CountingGrad(rng.uniform(0.5, 3.0, size=shape), rng.normal(size=shape))
        lr = float(rng.uniform(0.01, 0.5))
        beta = float(rng.uniform(0.5, 0.95))
        th_ref, st = optim.nesterov(lr, beta).step(theta, optim.MomentumState(0, v), grad.fresh())
        ahead = theta + beta * v
        g_ahead, g_here = grad.fresh()(ahead), grad.fresh()(theta)
        v_here = beta * v - lr * g_here
        variants = (
            ("evaluate the gradient at the look-ahead point θ + βv, not at θ (that is classical "
             "momentum).", (theta + v_here, v_here)),
            ("the velocity moves against the gradient: v ← βv − αg (check the sign of αg).",
             (ahead + lr * g_ahead, beta * v + lr * g_ahead)),
            ("after the look-ahead θ ← θ + βv, also take the gradient step θ ← θ − αg.",
             (ahead, st.v)),
            ("θ moves to the look-ahead point first (θ ← θ + βv) and keeps that move: "
             "the net update is θ + βv − αg.", (theta - lr * g_ahead, st.v)),
            ("return θ itself, not the next look-ahead point θ + βv_new (PyTorch's variable).",
             (th_ref + beta * st.v, st.v)),
            ("the lecture's momentum has no (1 − β) factor: v ← βv − αg.",
             (ahead - (1 - beta) * lr * g_ahead, beta * v - (1 - beta) * lr * g_ahead)),
            ("return the pair in the order (theta, v).", (st.v, th_ref)),
        )
        cases.append(_Case((("theta", theta), ("v", v), ("grad_fn", grad), ("lr", lr),
                            ("beta", beta)), (th_ref, st.v), variants))
    return cases


def check_nesterov_step(fn: Callable, seed: int = 0, *,
                        timeout: float | None = None) -> bool:
    r"""Check one step of Nesterov momentum, as the lecture writes it.

    The learner writes ``nesterov_step(theta, v, grad_fn, lr, beta) -> (theta, v)``:

    .. math::
        \theta \leftarrow \theta + \beta v, \qquad
        g \leftarrow \nabla_\theta J(\theta), \qquad
        v \leftarrow \beta v - \alpha g, \qquad
        \theta \leftarrow \theta - \alpha g

    ``grad_fn(theta) -> g`` computes the gradient; call it once, at the look-ahead point.

    ====== ============
    symbol argument
    ====== ============
    θ      ``theta``
    v      ``v``
    ∇J     ``grad_fn``
    α      ``lr``
    β      ``beta``
    ====== ============

    It is compared with :func:`npfl_helpers.optim.nesterov` on six seeded random inputs (with a
    gradient that changes from point to point, so the place where it is evaluated matters).

    >>> def nesterov_step(theta, v, grad_fn, lr, beta):
    ...     g = grad_fn(theta)                      # the gradient at θ: classical momentum
    ...     v = beta * v - lr * g
    ...     return theta + v, v
    >>> check_nesterov_step(nesterov_step)  # doctest: +ELLIPSIS
    ✘ nesterov_step: output theta is wrong on test input 1 of 6.
    ...
      Hint: evaluate the gradient at the look-ahead point θ + βv, not at θ (that is classical
            momentum).
    False
    """
    seed, timeout = _teacher_args(seed, timeout)
    name, outs = "nesterov_step", ("theta", "v")
    cases = _nesterov_cases(seed)
    if callable(fn):  # count the gradient evaluations of the learner's function on input 1
        probe = cases[0].args[2][1].fresh()
        args = copy.deepcopy(tuple(value for _, value in cases[0].args))
        where = f"on test input 1 of {len(cases)}"
        _, failure = _call(fn, name, args[:2] + (probe,) + args[3:], outs, where, timeout)
        if failure:
            print(_report(failure, cases[0], where))
            return False
        if probe.calls != 1:
            print(_wrap(f"{NO} nesterov_step called grad_fn {probe.calls} times; one step needs "
                        "exactly one gradient, at the look-ahead point θ + βv."))
            return False
    generic = {"theta": "θ ← θ + βv; g ← ∇J(θ); v ← βv − αg; θ ← θ − αg, in this order.",
               "v": "v ← βv − αg, with g evaluated at θ + βv."}
    return _run_cases(fn, name, outs, cases, generic, timeout=timeout)


def _spd_matrix(A) -> np.ndarray:
    """``A`` as a float matrix, checked to be square, symmetric and positive definite."""
    what = "A must be a symmetric positive-definite matrix of real numbers"
    if isinstance(A, (str, bytes, dict)) or A is None:
        raise TypeError(f"{what}; got {type(A).__name__} {A!r:.60}")
    try:
        arr = np.array(A)
        if arr.dtype.kind not in "iuf" and arr.dtype != object:
            raise TypeError(f"dtype {arr.dtype}")
        arr = arr.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{what}; got {type(A).__name__} ({exc})") from None
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.size == 0:
        raise ValueError(f"{what}; got an array of shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what}; got non-finite entries")
    scale = np.abs(arr).max()
    if np.abs(arr - arr.T).max() > 1e-9 * scale:
        raise ValueError(f"{what}; got a matrix that is not symmetric (|A − Aᵀ| up to "
                         f"{np.abs(arr - arr.T).max():.3g})")
    lams = np.linalg.eigvalsh(0.5 * (arr + arr.T))
    if not lams[0] > 0:
        raise ValueError(f"{what}; got eigenvalues from {lams[0]:.4g} to {lams[-1]:.4g}: with an "
                         "eigenvalue ≤ 0, ½θᵀAθ has no minimum for GD to converge to")
    return arr


def check_lr_bound(value, A) -> bool:
    r"""Check the largest learning rate for which gradient descent converges on ½θᵀAθ.

    GD multiplies the component of θ along an eigenvector of A with eigenvalue λ by 1 − αλ, so it
    converges from every start exactly when :math:`|1 - \alpha\lambda| < 1` for all λ:

    .. math::
        0 < \alpha < \alpha_{\max} = \frac{2}{\lambda_{\max}(A)}

    ``value`` is the learner's α_max (a number, or a numeric string; ``None`` means "not answered
    yet"); ``A`` a symmetric positive-definite matrix (else ``ValueError``/``TypeError`` naming
    it). Answers within 0.1 % count as correct.

    >>> import numpy as np
    >>> A = np.array([[2.0, 1.0], [1.0, 2.0]])          # eigenvalues 1 and 3
    >>> check_lr_bound(2 / 3, A)
    ✔ α_max = 2/λ_max = 0.666667: GD on ½θᵀAθ converges for 0 < α < 0.666667 and diverges above.
    True
    >>> check_lr_bound(1 / 3, A)
    ✘ 0.333333 is not α_max (A's eigenvalues are 1, 3).
      Hint: that is 1/λ_max, where the steepest direction is solved in one step; |1 − αλ| < 1
            still holds up to twice that.
    False
    """
    A = _spd_matrix(A)
    lams = np.linalg.eigvalsh(0.5 * (A + A.T))
    lo, hi = float(lams[0]), float(lams[-1])
    if value is None or value is Ellipsis:
        print(f"{NO} not answered yet: set the variable to your value of α_max and run the check "
              "again.")
        return False
    x, message = _number_answer(value, "α_max")
    if message:
        print(message)
        return False
    best = 2.0 / hi
    if abs(x - best) <= 1e-3 * best:
        print(f"{OK} α_max = 2/λ_max = {best:.6g}: GD on ½θᵀAθ converges for 0 < α < {best:.6g} "
              "and diverges above.")
        return True
    candidates = (
        (1.0 / hi, "that is 1/λ_max, where the steepest direction is solved in one step; "
                   "|1 − αλ| < 1 still holds up to twice that."),
        (2.0 / lo, "that is 2/λ_min: the flat direction tolerates it, but every direction must "
                   "satisfy |1 − αλ| < 1, and the steepest one fails first."),
        (2.0 / (lo + hi), "that is the best constant α, 2/(λ_min + λ_max), which balances the "
                          "slowest and the fastest direction; the question asks where GD stops "
                          "converging."),
        (1.0 / lo, "use the largest eigenvalue, and the factor 2: α < 2/λ_max."),
        (2.0 * hi, "the bound is 2 divided by λ_max, not 2 times it."),
        (2.0 / np.trace(A), "use the largest eigenvalue of A (np.linalg.eigvalsh), not its trace."),
        (2.0 / np.abs(A).max(), "use the largest eigenvalue of A (np.linalg.eigvalsh), not its "
                                "largest entry."),
    )
    hint = next((h for c, h in candidates if abs(x - c) <= 1e-3 * abs(c)),
                "find A's eigenvalues (np.linalg.eigvalsh(A)); along each eigenvector a GD step "
                "multiplies θ by 1 − αλ.")
    if x <= 0:
        hint = "α_max is a learning rate, a positive number: GD steps against the gradient."
    print(f"{NO} {x:.6g} is not α_max (A's eigenvalues are {', '.join(f'{v:.4g}' for v in lams)})."
          f"\n{_hint(hint)}")
    return False
