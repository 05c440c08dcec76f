r"""The machinery behind every checker: test cases, the guarded call, comparison and feedback.

A checker builds seeded :class:`_Case`\ s (the inputs, the reference outputs and the outputs of
typical wrong implementations, each with a hint) and hands them with the learner's function to
:func:`_run_cases`, which prints one message and returns the verdict. Every checker imports what
it needs from this module; the parts live in two private modules:

- :mod:`._guard`: calling the learner's code (:func:`_guarded`, :func:`_call`,
  :func:`_number_answer`) and :data:`settings` (the time limit per call). A learner's function
  can never crash, hang or fool a checker: it runs under a time limit with warnings silenced,
  every exception it raises becomes feedback (only ``KeyboardInterrupt`` propagates), and its
  results are converted strictly (:mod:`._convert`);
- :mod:`._feedback`: comparing with the reference (:func:`_close`) and the messages (the marks
  :data:`OK`, :data:`NO`; :func:`_report`, :func:`_mismatch`, :func:`_hint`, :func:`_wrap`).

Here: the test case, the arguments of a check (:func:`_teacher_args`), the loop over the cases
(:func:`_run_cases`; the learner's function gets deep copies of the inputs, since the reference
was computed before on the originals, and an input it modifies in place is reported even when
the returned values are right) and small helpers for building cases (:func:`_quiet`,
:func:`_const`).
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from .._validate import check_int
from ._feedback import (
    _FLOAT32_NOTE,
    _SHAPE_HINT,
    NO,
    OK,
    _all_close,
    _first_wrong,
    _hint,
    _mismatch,
    _report,
    _wrap,
)
from ._guard import _call, _guarded, _not_callable, _number_answer, _seconds, settings

# What the checkers import from here (defined here or in _guard and _feedback).
__all__ = [
    "NO",
    "OK",
    "_SHAPES",
    "_Case",
    "_call",
    "_const",
    "_guarded",
    "_hint",
    "_number_answer",
    "_quiet",
    "_report",
    "_run_cases",
    "_teacher_args",
    "_wrap",
    "settings",
]

# Shapes of θ in the random test inputs: vectors, a matrix (elementwise code must keep it) and
# a single parameter.
_SHAPES = ((3,), (2,), (2, 2), (4,), (1,), (3,))


def _teacher_args(seed, timeout) -> tuple[int, float]:
    """Validate the arguments a notebook passes to a check: ``seed`` and ``timeout``."""
    limit = settings.time_limit if timeout is None else _seconds("timeout", timeout)
    return check_int("seed", seed, low=0), limit


class _Case(NamedTuple):
    args: tuple[tuple[str, Any], ...]  # (name, value) in the order of the learner's signature
    expected: tuple  # the reference outputs
    variants: tuple[tuple[str, tuple], ...]  # (hint, outputs of a typical wrong implementation)
    accepted: tuple[tuple[str, tuple], ...] = ()  # (note, outputs of another correct form)
    fallback: str = ""  # the hint for this input when no variant matches (else the generic one)


def _run_cases(fn, name: str, out_names: Sequence[str], cases: Sequence[_Case],
               generic: dict[str, str], shape_hint: str = _SHAPE_HINT,
               order: Sequence[int] | None = None, timeout: float | None = None) -> bool:
    """Compare ``fn`` with the reference on every case; print one message; return the verdict.

    The outputs are compared in ``order`` (indices into ``out_names``; default: as returned), and
    the first wrong one is reported.
    """
    message = _not_callable(fn, name)
    if message:
        print(message)
        return False
    notes: set[str] = set()
    for k, case in enumerate(cases, start=1):
        where = f"on test input {k} of {len(cases)}"
        args = copy.deepcopy(tuple(value for _, value in case.args))
        result, failure = _call(fn, name, args, out_names, where, timeout)
        if failure:
            print(_report(failure, case, where))
            return False
        bad = _first_wrong(result, case.expected, order)
        if bad is not None:
            matched = [note for note, outs in case.accepted if _all_close(result, outs)]
            if matched:
                notes.update(matched)
                bad = None
        if bad is not None:
            print(_mismatch(name, out_names, case, result, bad, where, generic, shape_hint))
            return False
        if any(r.dtype == np.float32 for r in result):
            notes.add(_FLOAT32_NOTE)
        for (key, original), passed in zip(case.args, args, strict=True):
            if isinstance(original, np.ndarray) and not np.array_equal(original, passed,
                                                                       equal_nan=True):
                print(_wrap(f"{NO} {name} returns the right values but modified its argument "
                            f"{key} in place ({where}). Build new arrays instead, e.g. "
                            f"`{key} = {key} + ...` rather than `{key} += ...`: the caller's "
                            "state must not change."))
                return False
    print(f"{OK} {name} is correct: it matches the reference on {len(cases)} random inputs.")
    for note in sorted(notes):
        print(_hint(note, "  Note: "))
    return True


def _quiet(fn):
    """Evaluate a (deliberately wrong) formula without warnings: 1/0 gives inf silently."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            return fn()


def _const(g):
    def grad_fn(theta):
        return g

    return grad_fn
