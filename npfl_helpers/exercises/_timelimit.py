"""A time limit for one call of a learner's function: :func:`run_with_time_limit`.

Two mechanisms, chosen per call:

- **In the main thread on Unix** (a Jupyter kernel, pytest, a script), an interval timer
  (``signal.setitimer``) raises :class:`TimeLimitExceeded` into the running code. It ends pure
  Python loops *and* blocking calls such as ``time.sleep`` (the signal interrupts them). A
  previous ``SIGALRM`` handler and timer (e.g. pytest-timeout's) are restored afterwards.
- **Elsewhere** (another thread, Windows), the call runs in a daemon worker thread. At the limit
  the caller stops waiting and reports; the worker receives :class:`TimeLimitExceeded` as an
  asynchronous exception (``PyThreadState_SetAsyncExc``), which ends a pure Python loop at once
  and a ``time.sleep`` when it returns (the worker is then abandoned, not waited for).

Either way the exception is raised again every 50 ms until the call ends, so a learner's bare
``except:`` inside a loop cannot swallow it for good. It derives from ``BaseException``, so
``except Exception`` never catches it. A single long C call (one huge matrix product) cannot be
interrupted; it is reported when it returns.
"""

from __future__ import annotations

import ctypes
import math
import signal
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np

__all__ = ["TimeLimitExceeded", "run_with_time_limit", "uses_alarm"]

T = TypeVar("T")
_REPEAT = 0.05  # seconds between repeated raises after the limit
_GRACE = 0.3  # seconds a worker thread gets to stop before it is abandoned


class TimeLimitExceeded(BaseException):
    """Raised into a learner's function that runs past its time limit."""


def uses_alarm() -> bool:
    """Whether a call from this thread is limited by ``SIGALRM`` (else by a worker thread)."""
    return (hasattr(signal, "setitimer")
            and threading.current_thread() is threading.main_thread())


def run_with_time_limit(call: Callable[[], T], seconds: float) -> T:
    """Return ``call()``, or raise :class:`TimeLimitExceeded` after ``seconds`` (``inf``: none).

    Numpy's floating-point warnings are silenced inside the call (``np.errstate``).
    """
    if math.isinf(seconds):
        with np.errstate(all="ignore"):
            return call()
    if uses_alarm():
        try:
            return _with_alarm(call, seconds)
        except _NoSignals:
            pass
    return _with_worker(call, seconds)


class _NoSignals(Exception):
    """Signals cannot be installed here (e.g. an embedded interpreter)."""


def _with_alarm(call: Callable[[], T], seconds: float) -> T:
    armed = [True]

    def on_alarm(signum, frame):
        if armed[0]:
            raise TimeLimitExceeded

    try:
        previous = signal.signal(signal.SIGALRM, on_alarm)
    except (ValueError, OSError) as exc:
        raise _NoSignals from exc
    start = time.monotonic()
    outer = signal.setitimer(signal.ITIMER_REAL, seconds, _REPEAT)
    try:
        with np.errstate(all="ignore"):
            return call()
    finally:
        # The handler may fire between any two bytecodes until it is disarmed; retry until the
        # flag is down, then nothing below can be interrupted.
        while True:
            try:
                armed[0] = False
                break
            except TimeLimitExceeded:
                continue
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer[0] > 0:  # someone else's timer was running: give it back what is left
            left = max(outer[0] - (time.monotonic() - start), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, left, outer[1])


def _raise_in(thread: threading.Thread, exc_type: type[BaseException]) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident),
                                               ctypes.py_object(exc_type))


def _with_worker(call: Callable[[], T], seconds: float) -> T:
    box: dict[str, object] = {}
    done = threading.Event()

    def target():
        try:
            with np.errstate(all="ignore"):
                box["value"] = call()
        except BaseException as exc:  # handed to the caller, whatever it is
            box["error"] = exc
        finally:
            done.set()

    worker = threading.Thread(target=target, name="exercise-time-limit", daemon=True)
    worker.start()
    try:
        finished = done.wait(seconds)
    except BaseException:  # e.g. KeyboardInterrupt in the waiting thread: stop the worker too
        _raise_in(worker, TimeLimitExceeded)
        raise
    if not finished:
        # Stop a Python loop; a thread blocked in C code or in sleep is abandoned (a daemon).
        deadline = time.monotonic() + _GRACE
        while not done.is_set() and time.monotonic() < deadline:
            _raise_in(worker, TimeLimitExceeded)
            done.wait(_REPEAT)
        raise TimeLimitExceeded
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]
