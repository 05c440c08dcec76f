r"""Calling the learner's code: the guarded call, the time limit and the conversion of results.

Part of the checkers' machinery (the overview is in :mod:`._harness`). The learner's code is run
only by :func:`_guarded` (through :func:`_call`, or :func:`_number_answer` for an answer that is
a number), so a learner's function can never crash, hang or fool a checker:

- it runs with warnings silenced and under a time limit per call: ``settings.time_limit``
  seconds (default 5; :class:`Settings`), or the ``timeout=`` of a check (the mechanism:
  :mod:`._timelimit`);
- every exception it raises becomes a :class:`_Failure` naming it, ``SystemExit``,
  ``GeneratorExit`` and other ``BaseException``\ s included; only ``KeyboardInterrupt``
  propagates, so that interrupting the kernel still stops a cell that runs several checks;
- its results are converted by :func:`._convert.as_real`, the one strict conversion (inside the
  time limit too, since converting runs methods of the learner's objects).
"""

from __future__ import annotations

import contextlib
import inspect
import linecache
import math
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from ._convert import Rejected, as_real, exception_text
from ._feedback import NO, _hint, _wrap
from ._timelimit import TimeLimitExceeded, run_with_time_limit


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
