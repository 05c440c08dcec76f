"""Notebook 09 (learning-rate schedules): cosine decay and the Robbins–Monro quiz."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping

import numpy as np

from .. import schedules
from ._harness import NO, OK, _Case, _guarded, _run_cases, _teacher_args, _wrap


def _cosine_cases(seed: int) -> list[_Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for k in range(4):
        T = int(rng.integers(5, 50))
        a0 = float(rng.uniform(0.01, 1.0))
        a = 0.0 if k == 0 else float(rng.uniform(0.01, 0.3))
        t = np.arange(0, 2 * T + 3) if k % 2 == 0 else rng.integers(0, 2 * T, size=(2, 3))
        expected = schedules.cosine_decay(a0, T, alpha=a)(t)
        tc = np.minimum(t, T)
        half = 0.5 * (1 + np.cos(np.pi * tc / T))
        variants = (
            ("after decay_steps the rate stays at its floor: use min(t, T) in the cosine.",
             (a0 * ((1 - a) * 0.5 * (1 + np.cos(np.pi * t / T)) + a),)),
            ("the cosine term is ½(1 + cos(π t/T)), which falls from 1 to 0.",
             (a0 * ((1 - a) * (1 + np.cos(np.pi * tc / T)) + a),)),
            ("the cosine term is ½(1 + cos(π t/T)), which falls from 1 to 0.",
             (a0 * ((1 - a) * np.cos(np.pi * tc / T) + a),)),
            ("alpha is a fraction of initial_lr: α_t = α₀[a + (1 − a)·½(1 + cos(π t/T))].",
             (a0 * (1 - a) * half + a,)),
            ("alpha is a fraction of initial_lr: α_t = α₀[a + (1 − a)·½(1 + cos(π t/T))].",
             (a0 * half + a,)),
            ("the floor a also scales the cosine: α₀[a + (1 − a)·½(1 + cos(π t/T))].",
             (a0 * (half + a),)),
            ("alpha is a fraction of initial_lr: the rate ends at α₀·a, not at a.",
             (a + (a0 - a) * half,)),
        )
        args = (("t", t), ("initial_lr", a0), ("decay_steps", T), ("alpha", a))
        cases.append(_Case(args, (expected,), variants))
    return cases


def check_cosine_decay(fn: Callable, seed: int = 0, *,
                       timeout: float | None = None) -> bool:
    r"""Check a cosine-decay schedule (Keras's ``CosineDecay`` without warmup).

    The learner writes ``cosine_decay(t, initial_lr, decay_steps, alpha) -> lr`` for an integer
    array ``t`` (returning an array of the same shape):

    .. math::
        \alpha_t = \alpha_0 \Bigl[a + (1 - a)\,
                   \tfrac12\Bigl(1 + \cos\frac{\pi \min(t, T)}{T}\Bigr)\Bigr]

    ====== ================
    symbol argument
    ====== ================
    t      ``t``
    α₀     ``initial_lr``
    T      ``decay_steps``
    a      ``alpha``
    ====== ================

    It is compared with :func:`npfl_helpers.schedules.cosine_decay` on four seeded inputs.

    >>> import numpy as np
    >>> def cosine_decay(t, initial_lr, decay_steps, alpha):
    ...     t = np.minimum(t, decay_steps)
    ...     return initial_lr * (alpha + (1 - alpha) * 0.5 * (1 + np.cos(np.pi * t / decay_steps)))
    >>> check_cosine_decay(cosine_decay)
    ✔ cosine_decay is correct: it matches the reference on 4 random inputs.
    True
    """
    generic = {"lr": "α_t = α₀[a + (1 − a)·½(1 + cos(π min(t, T)/T))], elementwise over t."}
    seed, timeout = _teacher_args(seed, timeout)
    return _run_cases(fn, "cosine_decay", ("lr",), _cosine_cases(seed), generic, timeout=timeout)


def _quiz() -> dict[str, Callable]:
    return {
        "constant": schedules.constant(0.1),
        "exponential_decay": schedules.exponential_decay(0.1, decay_steps=100, decay_rate=0.5),
        "inverse_time_decay": schedules.inverse_time_decay(0.1, decay_steps=10, decay_rate=1.0),
        "inverse_sqrt_decay": schedules.inverse_sqrt_decay(0.1),
        "polynomial_decay": schedules.polynomial_decay(0.1, decay_steps=1000, end_lr=1e-4),
        "cosine_decay": schedules.cosine_decay(0.1, decay_steps=1000),
        "piecewise_constant": schedules.piecewise_constant([1000, 3000], [0.1, 0.01, 0.001]),
        "cosine_decay_restarts": schedules.cosine_decay_restarts(0.1, first_decay_steps=100),
    }


ROBBINS_MONRO_QUIZ: dict[str, Callable] = _quiz()
"""The schedules of the Robbins–Monro quiz (name → schedule, with fixed parameters)."""

# name → (satisfies both conditions?, why)
_RM_KEY: dict[str, tuple[bool, str]] = {
    "constant": (False, "α_t = α for ever: Σα_t = ∞, but Σα_t² = ∞ too, so the gradient noise "
                        "never averages out."),
    "exponential_decay": (False, "a geometric series: Σα_t = α₀/(1 − γ^{1/T}) < ∞, so the steps "
                                 "may stop before reaching the minimum."),
    "inverse_time_decay": (True, "α_t ≈ α₀T/(γt) for large t: Σ1/t = ∞ while Σ1/t² < ∞."),
    "inverse_sqrt_decay": (False, "α_t = α₀/√(t + 1): Σα_t = ∞, but Σα_t² = α₀²Σ1/(t + 1) = ∞."),
    "polynomial_decay": (False, "after decay_steps it stays at end_lr > 0, a constant: "
                                "Σα_t² = ∞."),
    "cosine_decay": (False, "it reaches α₀·alpha = 0 after decay_steps and stays there: "
                            "Σα_t < ∞."),
    "piecewise_constant": (False, "the last piece is a constant: Σα_t² = ∞."),
    "cosine_decay_restarts": (False, "with m_mul = 1 every period repeats the same cosine: both "
                                     "sums grow without bound, Σα_t² = ∞."),
}


def check_robbins_monro(answers) -> bool:
    r"""Check a quiz: which schedules of :data:`ROBBINS_MONRO_QUIZ` satisfy Robbins–Monro?

    SGD converges (under the usual assumptions) when the learning rates satisfy

    .. math::
        \sum_{t} \alpha_t = \infty \qquad\text{and}\qquad \sum_{t} \alpha_t^2 < \infty .

    ``answers`` maps each name of :data:`ROBBINS_MONRO_QUIZ` to ``True`` (satisfies both),
    ``False`` (violates one) or ``None`` (not answered yet). Every wrong answer is explained;
    answers of any other kind get a message, never an exception.

    >>> check_robbins_monro({name: None for name in ROBBINS_MONRO_QUIZ})
    ✘ not answered yet: set each None to True or False and run the check again.
    False
    """
    graded, failure = _guarded(lambda: _grade_quiz(answers), "reading your answers")
    if failure:
        print(failure.text)
        return False
    verdict, text = graded
    print(text)
    return verdict


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _grade_quiz(answers) -> tuple[bool, str]:
    """The verdict on the learner's ``answers`` and the message (run under the harness guard)."""
    if not isinstance(answers, Mapping):
        return False, (f"{NO} answers must be a dict name → True/False; got a "
                       f"{type(answers).__name__}")
    pairs = list(dict.items(answers) if isinstance(answers, dict) else answers.items())
    unknown = sorted(_short(key) for key, _ in pairs if not (isinstance(key, str)
                                                              and key in _RM_KEY))
    if unknown:
        return False, _wrap(f"{NO} unknown names {', '.join(unknown)}; use the names of "
                            f"ROBBINS_MONRO_QUIZ: {', '.join(_RM_KEY)}")
    given = dict(pairs)
    missing = [name for name in _RM_KEY if given.get(name) is None]
    if len(missing) == len(_RM_KEY):
        return False, (f"{NO} not answered yet: set each None to True or False and run the check "
                       "again.")
    if missing:
        return False, _wrap(f"{NO} still unanswered: {', '.join(missing)}.")
    bad_type = [f"{name} (got {_short(a)})" for name, a in given.items()
                if not isinstance(a, (bool, np.bool_))]
    if bad_type:
        return False, _wrap(f"{NO} answer True or False for: {', '.join(bad_type)}.")
    wrong = [name for name, (truth, _) in _RM_KEY.items() if bool(given[name]) != truth]
    if not wrong:
        return True, (f"{OK} all {len(_RM_KEY)} right: only inverse_time_decay (α_t ∝ 1/t) "
                      "satisfies both conditions.")
    lines = [f"{NO} {len(wrong)} of {len(_RM_KEY)} wrong:"]
    for name in wrong:
        truth, why = _RM_KEY[name]
        verdict = "satisfies" if truth else "does not satisfy"
        lines.append(textwrap.fill(f"{name} {verdict} them: {why}", width=92,
                                   break_on_hyphens=False, initial_indent="  ",
                                   subsequent_indent="    "))
    return False, "\n".join(lines)
