r"""The machinery behind every checker: the guarded call, comparison and feedback.

A checker builds seeded :class:`_Case`\ s (the inputs, the reference outputs and the outputs of
typical wrong implementations, each with a hint) and hands them with the learner's function to
:func:`_run_cases`, which prints one message and returns the verdict. The learner's code is run
only by :func:`_guarded` (through :func:`_call`), so a learner's function can never crash, hang
or fool a checker:

- it gets deep copies of the inputs (the reference was computed before, on the originals), and
  an input it modifies in place is reported even when the returned values are right;
- it runs with warnings silenced and under a time limit per call: ``settings.time_limit``
  seconds (default 5), or the ``timeout=`` of a check (the mechanism: :mod:`._timelimit`);
- every exception it raises becomes feedback naming it, ``SystemExit``, ``GeneratorExit`` and
  other ``BaseException``\ s included; only ``KeyboardInterrupt`` propagates, so that
  interrupting the kernel still stops a cell that runs several checks;
- its results are converted by :func:`._convert.as_real`, the one strict conversion (inside the
  time limit too, since converting runs methods of the learner's objects).
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import linecache
import math
import sys
import textwrap
import warnings
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from .._validate import check_int
from ._convert import Rejected, as_real, exception_text
from ._timelimit import TimeLimitExceeded, run_with_time_limit

OK = "✔"
NO = "✘"

# Shapes of θ in the random test inputs: vectors, a matrix (elementwise code must keep it) and
# a single parameter.
_SHAPES = ((3,), (2,), (2, 2), (4,), (1,), (3,))
_RTOL, _ATOL = 1e-7, 1e-12
_RTOL32, _ATOL32 = 1e-5, 1e-6  # for results computed in float32
# The hint for an output of the wrong shape; {out}, {got} and {expected} are filled in.
_SHAPE_HINT = ("{out} has shape {got} but must have the parameters' shape {expected}: use "
               "elementwise operations (+, *, /, np.sqrt) on whole arrays, without np.dot, sum or "
               "reshaping.")
_FLOAT32_NOTE = ("your result is float32 (PyTorch's default): it matches to float32 precision; "
                 "numpy and the reference compute in float64.")


def _seconds(name: str, value) -> float:
    """A time limit in seconds: a number in (0, ∞] (``math.inf``: no limit)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{name} must be a number of seconds in (0, inf]; got {value!r}")
    if not float(value) > 0:  # NaN fails too
        raise ValueError(f"{name} must be a number of seconds in (0, inf]; got {value!r}")
    return float(value)


class Settings:
    """Settings shared by every checker; change them on :data:`settings`.

    >>> settings.time_limit
    5.0
    """

    def __init__(self) -> None:
        self._time_limit = 5.0

    @property
    def time_limit(self) -> float:
        """Seconds one call of the learner's function may take (``math.inf``: no limit)."""
        return self._time_limit

    @time_limit.setter
    def time_limit(self, seconds) -> None:
        self._time_limit = _seconds("settings.time_limit", seconds)

    def __repr__(self) -> str:
        return f"Settings(time_limit={self._time_limit!r})"


settings = Settings()


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


# ---------------------------------------------------------------------------------------------
# Calling the learner's code


class _Failure(NamedTuple):
    text: str  # the whole message
    show_input: bool = False  # follow it with the test input (for exceptions and time-outs)


def _guarded(call: Callable[[], Any], name: str, timeout: float | None = None,
             source: str | None = None) -> tuple[Any, _Failure | None]:
    """Run ``call`` (code that runs the learner's) as described in the module docstring.

    ``source``: the file (or notebook cell) of the learner's code, to name the line that raised.
    """
    limit = settings.time_limit if timeout is None else timeout

    def attempt():
        try:
            return call(), None
        except (KeyboardInterrupt, TimeLimitExceeded, Rejected):
            raise
        except NotImplementedError:
            return None, _Failure(f"{NO} {name} is not implemented yet: replace `raise "
                                  "NotImplementedError` with your code.")
        except SystemExit as exc:
            return None, _Failure(f"{NO} {name} raised {exception_text(exc)} (sys.exit() or "
                                  "exit() ends the program: return a value instead)", True)
        except BaseException as exc:  # any other failure of the learner's code: report it
            return None, _Failure(f"{NO} {name} raised {exception_text(exc)}"
                                  f"{_line_in(exc, source)}", True)

    try:
        with warnings.catch_warnings(), _exit_raises():
            warnings.simplefilter("ignore")
            return run_with_time_limit(attempt, limit)
    except TimeLimitExceeded:
        return None, _Failure(
            f"{NO} {name} did not finish within {limit:g} s: an endless loop? (The limit is "
            "exercises.settings.time_limit seconds, or the check's timeout=.)", True)
    except Rejected as rej:
        return None, _Failure(_wrap(f"{NO} {rej.problem}.") + (f"\n{_hint(rej.hint)}"
                                                               if rej.hint else ""))


def _line_in(exc: BaseException, source: str | None) -> str:
    """Where in ``source`` (the learner's file or cell) ``exc`` was raised, e.g. ``in line 3:
    v = beta * vv``; empty if it was not raised there."""
    tb, found = exc.__traceback__, None
    while tb is not None:
        if source and tb.tb_frame.f_code.co_filename == source:
            found = tb
        tb = tb.tb_next
    if found is None:
        return ""
    line = linecache.getline(source, found.tb_lineno).strip()
    return f"\n    at line {found.tb_lineno}" + (f": {line}" if line else "")


@contextlib.contextmanager
def _exit_raises():
    """In a Jupyter kernel, make ``exit()``/``quit()`` raise ``SystemExit`` (by default they ask
    the kernel to shut down after the cell, with no exception to report)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not callable(getattr(shell, "ask_exit", None)):
        yield
        return
    keep = getattr(shell, "keepkernel_on_exit", None)

    def ask_exit():
        raise SystemExit("exit() was called")

    shell.ask_exit = ask_exit
    try:
        yield
    finally:
        del shell.ask_exit  # the class's method again
        shell.keepkernel_on_exit = keep


def _outputs(result, name: str, out_names: Sequence[str], where: str) -> tuple[np.ndarray, ...]:
    """The learner's result as one converted array per output, or raise :class:`Rejected`."""
    if inspect.iscoroutine(result):
        result.close()  # never awaited: close it without a warning
        raise Rejected(f"{name} returned a coroutine", "define it with `def`, not `async def`.")
    if inspect.isgenerator(result):
        raise Rejected(f"{name} returned a generator", "use `return`, not `yield`.")
    if len(out_names) == 1:
        if result is None:
            raise Rejected(f"{name} must return {out_names[0]}; got None (a missing return?)")
        items = (result,)
    elif not isinstance(result, (tuple, list)) or len(result) != len(out_names):
        if result is None:
            got = "None (a missing return?)"
        elif isinstance(result, (tuple, list)):
            got = f"{len(result)} value{'s' * (len(result) != 1)}"
        elif isinstance(result, np.ndarray):
            got = f"one array of shape {result.shape}"
        else:
            got = f"a {type(result).__name__}"
        raise Rejected(f"{name} must return a tuple ({', '.join(out_names)}); got {got}",
                       f"return all of them, e.g. `return {', '.join(out_names)}`.")
    else:
        items = tuple(result)
    converted = []
    for item, out in zip(items, out_names, strict=True):
        try:
            converted.append(as_real(item, out))
        except Rejected as rej:
            raise Rejected(f"{name} returned a value that cannot be checked {where}: "
                           f"{rej.problem}", rej.hint) from None
    return tuple(converted)


def _call(fn: Callable, name: str, args: tuple, out_names: Sequence[str], where: str = "",
          timeout: float | None = None) -> tuple[tuple[np.ndarray, ...] | None, _Failure | None]:
    """Call the learner's ``fn(*args)``; return ``(outputs, None)`` or ``(None, failure)``."""
    source = getattr(getattr(fn, "__code__", None), "co_filename", None)
    return _guarded(lambda: _outputs(fn(*args), name, out_names, where), name, timeout, source)


def _not_callable(fn, name: str) -> str | None:
    if callable(fn):
        return None
    return f"{NO} pass the function {name} itself (not its result) to the check; got a " \
           f"{type(fn).__name__}"


# ---------------------------------------------------------------------------------------------
# Comparing and reporting


def _close(got: np.ndarray, expected, rtol=_RTOL, atol=_ATOL) -> bool:
    if isinstance(expected, (int, np.integer)):
        return got.shape == () and bool(got == expected)
    if got.shape != np.shape(expected):
        return False
    if got.dtype == np.float32:
        rtol, atol = max(rtol, _RTOL32), max(atol, _ATOL32)
    return bool(np.allclose(got.astype(np.float64), expected, rtol=rtol, atol=atol,
                            equal_nan=True))


def _all_close(result, outputs, rtol=1e-6) -> bool:
    return all(_close(r, o, rtol=rtol, atol=1e-10) for r, o in zip(result, outputs, strict=True))


def _first_wrong(result, expected, order: Sequence[int] | None = None) -> int | None:
    for i in range(len(expected)) if order is None else order:
        if not _close(result[i], expected[i]):
            return i
    return None


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


def _report(failure: _Failure, case: _Case, where: str) -> str:
    if not failure.show_input:
        return failure.text
    return f"{_wrap(failure.text)}\n    {where}, with\n{_describe_input(case)}"


def _mismatch(name, out_names, case: _Case, result, i: int, where: str, generic,
              shape_hint: str = _SHAPE_HINT) -> str:
    out = out_names[i]
    got, expected = result[i].astype(np.float64), case.expected[i]
    lines = [f"{NO} {name}: output {out} is wrong {where}.", "    input:",
             _describe_input(case)]
    exp_arr = np.asarray(expected, dtype=np.float64)
    if got.shape == exp_arr.shape and exp_arr.size > 12:
        with np.errstate(all="ignore"):
            far = ~np.isclose(got, exp_arr, rtol=_RTOL, atol=_ATOL, equal_nan=True)
        idx = tuple(int(j) for j in np.argwhere(far)[0])
        lines.append(f"    first difference at index {idx if len(idx) > 1 else idx[0]}:")
        lines.append(f"    expected: {out}{list(idx)} = {_show(exp_arr[idx])}")
        lines.append(f"    got:      {out}{list(idx)} = {_show(got[idx])}")
    else:
        lines.append(f"    expected: {out} = {_show(expected, prefix=f'    expected: {out} = ')}")
        lines.append(f"    got:      {out} = {_show(got, prefix=f'    got:      {out} = ')}")
    finite = bool(np.all(np.isfinite(got)))
    if isinstance(expected, (int, np.integer)):
        hint = generic.get(out, "")
    elif got.shape != np.shape(expected):
        hint = shape_hint.format(out=out, got=got.shape, expected=np.shape(expected))
    else:
        hits = [h for h, outs in case.variants if _all_close(result, outs)]
        if not hits:
            hits = [h for h, outs in case.variants if _close(result[i], outs[i], 1e-6, 1e-10)]
        if hits:
            hint = hits[0] if finite else f"{hits[0]} ({out} is not finite: NaN or ±inf.)"
        elif not finite:
            hint = f"{out} is not finite: look for a division by zero or a square root of a " \
                   "negative number."
        else:
            hint = case.fallback or generic.get(out, "")
    if result[i].dtype == np.float32:
        hint = f"{hint} (Your result is float32; it was compared at float32 precision.)".strip()
    if hint:
        lines.append(_hint(hint))
    return "\n".join(lines)


def _show(x, prefix: str = "") -> str:
    """``x`` (one of the checker's own values) for a message; ``prefix`` precedes it on its line."""
    if isinstance(x, np.ndarray) and x.ndim == 0:
        x = x.item()
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        return str(int(x))
    if isinstance(x, (float, np.floating)):
        return f"{float(x):.6g}"
    if callable(x):
        return getattr(x, "__doc__", None) or "a function"
    arr = np.asarray(x)
    if arr.dtype.kind in "biuf":
        return np.array2string(arr, precision=6, separator=", ", max_line_width=96,
                               prefix=prefix, threshold=12, edgeitems=3)
    return repr(x)


def _describe_input(case: _Case, indent: str = "      ") -> str:
    """One line per argument, ``name = value``."""
    return "\n".join(f"{indent}{key} = {_show(value, prefix=f'{indent}{key} = ')}"
                     for key, value in case.args)


def _hint(text: str, label: str = "  Hint: ") -> str:
    return textwrap.fill(text, width=92, break_on_hyphens=False, initial_indent=label,
                         subsequent_indent="        ")


def _wrap(text: str) -> str:
    return "\n".join(textwrap.fill(line, width=92, break_on_hyphens=False,
                                   subsequent_indent="  ") for line in text.split("\n"))


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


def _number_answer(value, what: str) -> tuple[float | None, str | None]:
    """A learner's numeric answer as a finite float, or ``(None, message)``."""

    def read():
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                raise Rejected(f"{what} must be a number; got the text {value[:30]!r}") from None
        arr = as_real(value, what)
        if arr.shape != ():
            raise Rejected(f"{what} must be a single number; got an array of shape {arr.shape}")
        return float(arr)

    x, failure = _guarded(read, what)
    if failure:
        return None, failure.text
    if not math.isfinite(x):
        return None, f"{NO} {what} must be a finite number; got {x}"
    return x, None
