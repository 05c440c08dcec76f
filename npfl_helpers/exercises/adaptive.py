"""Notebook 08 (adaptive learning rates): one step of RMSProp and of Adam."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

from .. import optim
from ._harness import _SHAPES, _Case, _const, _quiet, _run_cases, _teacher_args


def _eps_values(rng, n):
    """Mostly a large ε (so its placement shows), sometimes the usual 1e-8."""
    return [1e-8 if k % 3 == 2 else float(rng.choice([1e-2, 0.1, 0.5])) for k in range(n)]


def _rmsprop_cases(seed: int) -> list[_Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for shape, eps in zip(_SHAPES, _eps_values(rng, len(_SHAPES)), strict=True):
        theta, g = rng.normal(size=shape), rng.normal(size=shape)
        r = rng.uniform(0.1, 2.0, size=shape)
        lr = float(rng.uniform(0.01, 0.5))
        beta = float(rng.uniform(0.5, 0.99))
        th_ref, st = optim.rmsprop(lr, beta, eps).step(theta, optim.RMSPropState(0, r), _const(g))
        r_new = beta * r + (1 - beta) * g**2

        def upd(rr, th=theta, gg=g, lr=lr, e=eps):
            return _quiet(lambda: th - lr * gg / np.sqrt(rr + e))

        variants = (
            ("missing (1 − β): r ← βr + (1 − β)g², an average of squared gradients.",
             (upd(beta * r + g**2), beta * r + g**2)),
            ("β weighs the old average and (1 − β) the new square: r ← βr + (1 − β)g².",
             (upd((1 - beta) * r + beta * g**2), (1 - beta) * r + beta * g**2)),
            ("r averages the squares of the gradient: g², not g.",
             (upd(beta * r + (1 - beta) * g), beta * r + (1 - beta) * g)),
            ("the lecture puts ε inside the root: α/√(r + ε) (α/(√r + ε) is PyTorch's choice).",
             (theta - lr * g / (np.sqrt(r_new) + eps), r_new)),
            ("divide by the square root √(r + ε), not by r + ε.",
             (theta - lr * g / (r_new + eps), r_new)),
            ("update r first, then divide by the new r.", (upd(r), r_new)),
            ("descend: θ ← θ − α g/√(r + ε) (check the sign).", (2 * theta - upd(r_new), r_new)),
        )
        cases.append(_Case((("theta", theta), ("r", r), ("g", g), ("lr", lr), ("beta", beta),
                            ("eps", eps)), (th_ref, st.r), variants))
    return cases


def check_rmsprop_step(fn: Callable, seed: int = 0, *,
                       timeout: float | None = None) -> bool:
    r"""Check one step of RMSProp.

    The learner writes ``rmsprop_step(theta, r, g, lr, beta, eps) -> (theta, r)``, the lecture's

    .. math::
        r \leftarrow \beta r + (1 - \beta) g^2, \qquad
        \theta \leftarrow \theta - \frac{\alpha}{\sqrt{r + \varepsilon}} g

    (all operations elementwise; ε inside the root, as in the lecture).

    ====== ==========
    symbol argument
    ====== ==========
    θ      ``theta``
    r      ``r``
    g      ``g``
    α      ``lr``
    β      ``beta``
    ε      ``eps``
    ====== ==========

    It is compared with :func:`npfl_helpers.optim.rmsprop` on six seeded random inputs, most with
    a large ε so that its placement matters.

    >>> import numpy as np
    >>> def rmsprop_step(theta, r, g, lr, beta, eps):
    ...     r = beta * r + (1 - beta) * g**2
    ...     return theta - lr * g / np.sqrt(r + eps), r
    >>> check_rmsprop_step(rmsprop_step)
    ✔ rmsprop_step is correct: it matches the reference on 6 random inputs.
    True
    """
    generic = {"theta": "θ ← θ − α g / √(r + ε), with the new r.",
               "r": "r ← βr + (1 − β)g², elementwise."}
    seed, timeout = _teacher_args(seed, timeout)
    return _run_cases(fn, "rmsprop_step", ("theta", "r"), _rmsprop_cases(seed), generic,
                      timeout=timeout)


def _adam_cases(seed: int) -> list[_Case]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            return _adam_cases_quiet(seed)


def _adam_cases_quiet(seed: int) -> list[_Case]:
    rng = np.random.default_rng(seed)
    ts = (0, 1, 0, 9, 99, 4)
    cases = []
    for shape, eps, t in zip(_SHAPES, _eps_values(rng, len(_SHAPES)), ts, strict=True):
        theta, g = rng.normal(size=shape), rng.normal(size=shape)
        if t == 0:
            s, r = np.zeros(shape), np.zeros(shape)
        else:
            s, r = 0.3 * rng.normal(size=shape), rng.uniform(0.05, 1.0, size=shape)
        lr = float(rng.uniform(0.01, 0.5))
        b1, b2 = float(rng.uniform(0.6, 0.95)), float(rng.uniform(0.9, 0.999))
        state = optim.AdamState(t, s, r)
        th_ref, st = optim.adam(lr, b1, b2, eps).step(theta, state, _const(g))
        th_alpha_t, _ = optim.adam(lr, b1, b2, eps, form="alpha_t").step(theta, state, _const(g))
        s_new = b1 * s + (1 - b1) * g
        r_new = b2 * r + (1 - b2) * g**2
        n = t + 1

        def upd(s_hat, r_hat, th=theta, lr=lr, e=eps):
            return th - lr * s_hat / np.sqrt(r_hat + e)

        c1, c2 = 1 - b1**n, 1 - b2**n
        o1, o2 = 1 - b1**t, 1 - b2**t  # t not yet incremented
        variants = (
            ("increment t first (t ← t + 1), then correct with 1 − βᵗ: the first update uses "
             "t = 1, and with t = 0 the correction divides by 1 − β⁰ = 0.",
             (upd(s_new / o1, r_new / o2), s_new, r_new, n)),
            ("bias correction is missing: ŝ = s/(1 − β₁ᵗ), r̂ = r/(1 − β₂ᵗ).",
             (upd(s_new, r_new), s_new, r_new, n)),
            ("correct the first moment too: ŝ = s/(1 − β₁ᵗ).",
             (upd(s_new, r_new / c2), s_new, r_new, n)),
            ("correct the second moment too: r̂ = r/(1 − β₂ᵗ).",
             (upd(s_new / c1, r_new), s_new, r_new, n)),
            ("divide by 1 − βᵗ; do not multiply.",
             (upd(s_new * c1, r_new * c2), s_new, r_new, n)),
            ("missing (1 − β₁): s ← β₁s + (1 − β₁)g.",
             (upd((b1 * s + g) / c1, r_new / c2), b1 * s + g, r_new, n)),
            ("missing (1 − β₂): r ← β₂r + (1 − β₂)g².",
             (upd(s_new / c1, (b2 * r + g**2) / c2), s_new, b2 * r + g**2, n)),
            ("β₁ belongs to s (the gradient) and β₂ to r (its square); they are swapped.",
             (upd((b2 * s + (1 - b2) * g) / (1 - b2**n), (b1 * r + (1 - b1) * g**2) / (1 - b1**n)),
              b2 * s + (1 - b2) * g, b1 * r + (1 - b1) * g**2, n)),
            ("the lecture puts ε inside the root: α/√(r̂ + ε) (the Adam paper and PyTorch use "
             "α/(√r̂ + ε)).",
             (theta - lr * (s_new / c1) / (np.sqrt(r_new / c2) + eps), s_new, r_new, n)),
            ("descend: θ ← θ − α ŝ/√(r̂ + ε) (check the sign).",
             (2 * theta - upd(s_new / c1, r_new / c2), s_new, r_new, n)),
            ("return the incremented t (t + 1) as the new t.", (th_ref, s_new, r_new, t)),
        )
        accepted = (("your update is the lecture's second form, α_t = α√(1 − β₂ᵗ)/(1 − β₁ᵗ); it "
                     "equals the first up to the size of ε.", (th_alpha_t, s_new, r_new, n)),)
        # written above as (θ, s, r, t); the learner returns them in AdamState's order (θ, t, s, r)
        variants = tuple((hint, _state_order(out)) for hint, out in variants)
        accepted = tuple((note, _state_order(out)) for note, out in accepted)
        args = (("theta", theta), ("t", t), ("s", s), ("r", r), ("g", g), ("lr", lr),
                ("beta1", b1), ("beta2", b2), ("eps", eps))
        cases.append(_Case(args, (th_ref, st.t, st.s, st.r), variants, accepted))
    return cases


def _state_order(out: tuple) -> tuple:
    """(θ, s, r, t) → (θ, t, s, r), the order of :class:`~npfl_helpers.optim.AdamState`."""
    theta, s, r, t = out
    return theta, t, s, r


def check_adam_bias_correction(fn: Callable, seed: int = 0, *,
                               timeout: float | None = None) -> bool:
    r"""Check one step of Adam with its bias correction (the lecture's first algorithm).

    The learner writes ``adam_step(theta, t, s, r, g, lr, beta1, beta2, eps) -> (theta, t, s, r)``
    where ``t`` counts the updates done so far (0 before the first one). The state comes in the
    order of :class:`~npfl_helpers.optim.AdamState` ``(t, s, r)`` and the hyperparameters in the
    order of :func:`~npfl_helpers.optim.adam`:

    .. math::
        t \leftarrow t + 1, \quad
        s \leftarrow \beta_1 s + (1 - \beta_1) g, \quad
        r \leftarrow \beta_2 r + (1 - \beta_2) g^2, \quad
        \hat s \leftarrow \frac{s}{1 - \beta_1^t}, \quad
        \hat r \leftarrow \frac{r}{1 - \beta_2^t}, \quad
        \theta \leftarrow \theta - \frac{\alpha}{\sqrt{\hat r + \varepsilon}} \hat s

    ====== ===================
    symbol argument
    ====== ===================
    θ      ``theta``
    t      ``t``
    s, r   ``s``, ``r``
    g      ``g``
    α      ``lr``
    β₁, β₂ ``beta1``, ``beta2``
    ε      ``eps``
    ====== ===================

    It is compared with :func:`npfl_helpers.optim.adam` on six seeded random inputs, including
    first steps (t = 0, s = r = 0) where the correction matters most. The lecture's second form
    (α_t = α√(1 − β₂ᵗ)/(1 − β₁ᵗ)) is accepted too.

    >>> import numpy as np
    >>> def adam_step(theta, t, s, r, g, lr, beta1, beta2, eps):
    ...     s = beta1 * s + (1 - beta1) * g
    ...     r = beta2 * r + (1 - beta2) * g**2
    ...     s_hat, r_hat = s / (1 - beta1**t), r / (1 - beta2**t)  # t not incremented yet!
    ...     return theta - lr * s_hat / np.sqrt(r_hat + eps), t + 1, s, r
    >>> check_adam_bias_correction(adam_step)  # doctest: +ELLIPSIS
    ✘ adam_step: output theta is wrong on test input 1 of 6.
    ...
      Hint: increment t first (t ← t + 1), then correct with 1 − βᵗ: ...
    False
    """
    generic = {"theta": "θ ← θ − α ŝ/√(r̂ + ε) with ŝ = s/(1 − β₁ᵗ), r̂ = r/(1 − β₂ᵗ), after "
                        "t ← t + 1.",
               "s": "s ← β₁s + (1 − β₁)g.", "r": "r ← β₂r + (1 − β₂)g².",
               "t": "t counts the updates: return t + 1."}
    seed, timeout = _teacher_args(seed, timeout)
    return _run_cases(fn, "adam_step", ("theta", "t", "s", "r"), _adam_cases(seed), generic,
                      timeout=timeout)
