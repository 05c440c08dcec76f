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
``except:`` inside a loop cannot swallow it for good. With ``SIGALRM`` it is raised only where it
reaches the caller: in the learner's own code, never while the garbage collector runs (its
callbacks, e.g. hypothesis's, and finalizers) nor in a ``__del__`` method, where Python would
swallow it and report an "unraisable exception"; there it is raised at the next call or return
in the learner's code (a profile function, only while no profiler is set) or at an alarm 5 ms
later. It derives from ``BaseException``, so
``except Exception`` never catches it. A single long C call (one huge matrix product) cannot be
interrupted; it is reported when it returns.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import math
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np

__all__ = ["TimeLimitExceeded", "run_with_time_limit", "uses_alarm"]

T = TypeVar("T")
_REPEAT = 0.05  # seconds between repeated raises after the limit
_GRACE = 0.3  # seconds a worker thread gets to stop before it is abandoned
_RETRY = 0.005  # seconds until the alarm tries again where it may not raise


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


def _learner_call(call: Callable[[], T]) -> T:
    """Run ``call()``; the alarm raises only inside this frame (see :func:`_may_raise_in`)."""
    return call()


_LEARNER_CODE = _learner_call.__code__


class _Collecting:
    """Whether the garbage collector is running: a ``gc`` callback first and last in the list.

    While it runs, Python code is called from C (``gc`` callbacks, ``__del__``, weakref
    callbacks) and an exception raised there is swallowed as an "unraisable exception".
    """

    def __init__(self):
        self.depth = 0

    def first(self, phase, info):
        if phase == "start":
            self.depth += 1

    def last(self, phase, info):
        if phase == "stop":
            self.depth = max(self.depth - 1, 0)

    def __enter__(self):
        gc.callbacks.insert(0, self.first)
        gc.callbacks.append(self.last)
        return self

    def __exit__(self, *exc):
        for callback in (self.first, self.last):
            with contextlib.suppress(ValueError):
                gc.callbacks.remove(callback)


def _may_raise_in(frame, collecting: _Collecting) -> bool:
    """Whether an exception raised in ``frame`` reaches the learner's call: the frame runs
    inside :func:`_learner_call`, the garbage collector is not running, and no frame between is
    a ``__del__`` or a ``gc`` callback."""
    if collecting.depth:
        return False
    callbacks = {getattr(cb, "__code__", None) for cb in gc.callbacks}
    while frame is not None:
        code = frame.f_code
        if code is _LEARNER_CODE:
            return True
        if code.co_name == "__del__" or code in callbacks:
            return False
        frame = frame.f_back
    return False


def _with_alarm(call: Callable[[], T], seconds: float) -> T:
    armed = [True]
    collecting = _Collecting()
    profiling = [False]

    def on_event(frame, event, arg):  # a profile function: called on every call and return
        if armed[0] and _may_raise_in(frame, collecting):
            raise TimeLimitExceeded  # (this also removes the profile function)

    def on_alarm(signum, frame):
        if not armed[0]:
            return
        if _may_raise_in(frame, collecting):
            raise TimeLimitExceeded
        # Not here: raise at the next call or return in the learner's code (e.g. right after a
        # collection that the learner's loop triggers again and again), else at a new alarm.
        if sys.getprofile() is None:
            profiling[0] = True
            sys.setprofile(on_event)
        signal.setitimer(signal.ITIMER_REAL, _RETRY, _REPEAT)

    try:
        previous = signal.signal(signal.SIGALRM, on_alarm)
    except (ValueError, OSError) as exc:
        raise _NoSignals from exc
    start = time.monotonic()
    outer = signal.setitimer(signal.ITIMER_REAL, seconds, _REPEAT)
    try:
        with np.errstate(all="ignore"), collecting:
            return _learner_call(call)
    finally:
        # The handler raises only inside _learner_call, so nothing below can be interrupted.
        armed[0] = False
        if profiling[0] and sys.getprofile() is on_event:
            sys.setprofile(None)
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
