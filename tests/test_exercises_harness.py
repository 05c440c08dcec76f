"""Tests for the checkers' shared machinery (npfl_helpers.exercises._harness, _convert,
_timelimit): every checker reports skeletons, exceptions and bad results with a message and never
raises; the one strict conversion; the per-call time limit in the main thread and in others."""

import math
import signal
import threading
import time
import warnings

import numpy as np
import pytest
from exercise_solutions import CHECKS, FUNCTION_CHECKS, momentum_ok, not_implemented, run
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from npfl_helpers import exercises as ex
from npfl_helpers.exercises import _harness, momentum
from npfl_helpers.exercises._convert import Rejected, as_real
from npfl_helpers.exercises._timelimit import TimeLimitExceeded, run_with_time_limit, uses_alarm

# ---------------------------------------------------------------------------------------------
# Skeletons, exceptions, bad return values: a message and False, never a traceback


@pytest.mark.parametrize("check", CHECKS)
def test_not_implemented_is_friendly(check, capsys):
    verdict, out = run(check, not_implemented, capsys)
    assert verdict is False
    assert out.startswith(ex.NO) and "not implemented yet" in out
    assert "Traceback" not in out and "input" not in out


@pytest.mark.parametrize("check", CHECKS)
def test_other_exceptions_are_reported_with_type_and_message(check, capsys):
    def broken(*args):
        return {}["no such key"]

    verdict, out = run(check, broken, capsys)
    assert verdict is False
    assert "raised KeyError" in out and "no such key" in out
    assert "test input 1 of 6" in out or "test input 1 of 4" in out


@pytest.mark.parametrize("check", CHECKS)
def test_not_a_function(check, capsys):
    for not_a_function in (None, 0.5, (np.zeros((5, 4)), np.zeros(4))):
        verdict, out = run(check, not_a_function, capsys)
        assert verdict is False
        assert "itself" in out


@pytest.mark.parametrize(("check", "ok", "outputs"), FUNCTION_CHECKS)
def test_wrong_arity_is_reported(check, ok, outputs, capsys):
    for too_few in (lambda: None, lambda a: a)[:ok.__code__.co_argcount]:  # fewer than ok's
        verdict, out = run(check, too_few, capsys)
        assert verdict is False
        assert "raised TypeError" in out


@pytest.mark.parametrize(("check", "fn", "outputs"), FUNCTION_CHECKS)
def test_missing_return_value(check, fn, outputs, capsys):
    def forgot_return(*args):
        fn(*args)

    verdict, out = run(check, forgot_return, capsys)
    assert verdict is False
    must = f"must return {outputs[0]}" if len(outputs) == 1 else \
        f"must return a tuple ({', '.join(outputs)})"
    assert must in out and "missing return" in out


def test_a_division_by_zero_in_learner_code_gives_no_runtime_warning(capsys):
    # pytest turns RuntimeWarnings into errors here: the checker must silence the learner's
    def divides_by_zero(theta, r, g, lr, beta, eps):
        r = beta * r + (1 - beta) * g**2
        return theta - lr * g / (0 * r), r

    verdict, out = run(ex.check_rmsprop_step, divides_by_zero, capsys)
    assert verdict is False
    assert "not finite" in out


def test_in_place_modification_is_rejected(capsys):
    def in_place(theta, v, g, lr, beta):
        v *= beta
        v -= lr * g
        theta += v
        return theta, v

    verdict, out = run(ex.check_momentum_step, in_place, capsys)
    assert verdict is False
    assert "in place" in out


def test_checks_are_deterministic(capsys):
    def wrong(theta, v, g, lr, beta):
        return theta + lr * g, v

    first = run(ex.check_momentum_step, wrong, capsys)
    second = run(ex.check_momentum_step, wrong, capsys)
    assert first == second


def test_a_mutating_learner_cannot_corrupt_the_reference(capsys):
    # the learner gets deep copies: the cases (inputs and reference outputs) stay as built
    cases = momentum._momentum_cases(0)
    generic = {"theta": "", "v": ""}

    def vandal(theta, v, g, lr, beta):
        result = momentum_ok(theta.copy(), v.copy(), g.copy(), lr, beta)
        for arr in (theta, v, g):
            arr[...] = np.nan
        return result

    assert _harness._run_cases(vandal, "momentum_step", ("theta", "v"), cases, generic) is False
    assert "modified its argument theta in place" in capsys.readouterr().out
    fresh = momentum._momentum_cases(0)
    for case, new in zip(cases, fresh, strict=True):
        for (_, a), (_, b) in zip(case.args, new.args, strict=True):
            assert np.array_equal(a, b)
        for a, b in zip(case.expected, new.expected, strict=True):
            assert np.array_equal(a, b)
    assert _harness._run_cases(momentum_ok, "momentum_step", ("theta", "v"), cases, generic)


def test_keyboard_interrupt_still_stops_a_check():
    # a teacher interrupting the kernel must stop the cell, not get a message about it
    def interrupted(*args):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ex.check_momentum_step(interrupted)


def test_numpy_and_warning_state_is_restored_after_a_time_out(capsys):
    errstate, filters = np.geterr(), list(warnings.filters)

    def spins(*args):
        np.seterr(all="raise")
        warnings.simplefilter("ignore")
        while True:
            pass

    assert ex.check_momentum_step(spins, timeout=0.2) is False
    assert "did not finish within 0.2 s" in capsys.readouterr().out
    assert np.geterr() == errstate and warnings.filters == filters


# ---------------------------------------------------------------------------------------------
# Arguments from the notebook (the teacher's side): bad ones raise, naming the parameter


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize(("kw", "name"), [
    ({"seed": "1"}, "seed"), ({"seed": -1}, "seed"), ({"seed": 1.5}, "seed"),
    ({"seed": True}, "seed"), ({"seed": None}, "seed"),
    ({"timeout": 0}, "timeout"), ({"timeout": -1.0}, "timeout"), ({"timeout": math.nan}, "timeout"),
    ({"timeout": "5"}, "timeout"), ({"timeout": True}, "timeout"),
])
def test_bad_teacher_arguments_raise_naming_them(check, kw, name):
    with pytest.raises((TypeError, ValueError), match=name):
        check(momentum_ok, **kw)


def test_settings_time_limit(monkeypatch, capsys):
    assert ex.settings.time_limit == 5.0
    for bad in (0, -2, "3", None, math.nan, True):
        with pytest.raises((TypeError, ValueError), match="settings.time_limit"):
            ex.settings.time_limit = bad
    assert ex.settings.time_limit == 5.0
    monkeypatch.setattr(ex.settings, "_time_limit", 0.2)

    def spins(*args):
        while True:
            pass

    start = time.monotonic()
    assert ex.check_cosine_decay(spins) is False
    assert time.monotonic() - start < 2
    assert "did not finish within 0.2 s" in capsys.readouterr().out
    ex.settings.time_limit = math.inf  # no limit: allowed
    assert ex.check_cosine_decay(lambda *a: 1.0) is False
    assert repr(ex.settings) == "Settings(time_limit=inf)"


# ---------------------------------------------------------------------------------------------
# The time limit: in the main thread (SIGALRM) and in any other thread (a worker thread)


def _spin():
    while True:
        pass


def _sleep():
    time.sleep(100)


def _stubborn():
    # a bare except inside the loop catches the first raise; the repeated raise gets out
    n = 0
    while True:
        try:
            n += 1
        except BaseException:
            pass


def _workers():
    return {t for t in threading.enumerate() if t.name == "exercise-time-limit"}


@pytest.mark.parametrize("body", [_spin, _sleep, _stubborn])
def test_time_limit_in_the_main_thread(body):
    assert uses_alarm()  # pytest, like a Jupyter kernel, runs the test in the main thread
    before = signal.getsignal(signal.SIGALRM)
    start = time.monotonic()
    with pytest.raises(TimeLimitExceeded):
        run_with_time_limit(body, 0.2)
    assert time.monotonic() - start < 1.5
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


@pytest.mark.parametrize("body", [_spin, _sleep, _stubborn])
def test_time_limit_in_another_thread(body):
    box, before = {}, _workers()

    def caller():
        box["alarm"] = uses_alarm()
        start = time.monotonic()
        try:
            run_with_time_limit(body, 0.2)
        except TimeLimitExceeded:
            box["elapsed"] = time.monotonic() - start

    thread = threading.Thread(target=caller)
    thread.start()
    thread.join(5)
    assert box["alarm"] is False
    assert box["elapsed"] < 1.5
    if body is not _sleep:  # a Python loop is stopped, not left spinning in the background
        time.sleep(0.2)
        assert _workers() <= before


def test_a_check_from_another_thread_times_out_too():
    box = {}

    def caller():
        box["verdict"] = ex.check_momentum_step(lambda *a: _sleep(), timeout=0.2)

    thread = threading.Thread(target=caller)
    start = time.monotonic()
    thread.start()
    thread.join(5)
    assert box["verdict"] is False and time.monotonic() - start < 2


@pytest.mark.parametrize("in_thread", [False, True])
def test_time_limit_returns_results_and_passes_exceptions(in_thread):
    def work():
        assert run_with_time_limit(lambda: 42, 1.0) == 42
        assert run_with_time_limit(lambda: 7, math.inf) == 7
        with pytest.raises(ZeroDivisionError):
            run_with_time_limit(lambda: 1 / 0, 1.0)
        with pytest.raises(SystemExit):
            run_with_time_limit(lambda: exit(3), 1.0)

    if not in_thread:
        work()
        return
    errors = []
    thread = threading.Thread(target=lambda: _collect(work, errors))
    thread.start()
    thread.join(5)
    assert errors == []


def _collect(fn, errors):
    try:
        fn()
    except BaseException as exc:  # handed to the test thread
        errors.append(exc)


def test_an_outer_timer_is_given_back():
    # a timer that was running before (e.g. pytest-timeout's) keeps running afterwards
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *a: fired.append(True))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        assert run_with_time_limit(lambda: 1, 1.0) == 1
        left = signal.getitimer(signal.ITIMER_REAL)[0]
        assert 0 < left <= 0.5
        time.sleep(0.6)
        assert fired == [True]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# ---------------------------------------------------------------------------------------------
# The strict conversion: property-based


real_arrays = hnp.arrays(dtype=st.sampled_from([np.float64, np.int64, np.int32, np.uint8]),
                         shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
                         elements={"allow_nan": False, "allow_infinity": False})


@given(real_arrays)
def test_real_arrays_convert_to_a_float64_copy(arr):
    out = as_real(arr, "x")
    assert out.dtype == np.float64 and type(out) is np.ndarray
    assert out.shape == arr.shape and np.array_equal(out, arr.astype(np.float64))
    assert not np.shares_memory(out, arr)


@given(real_arrays)
def test_lists_and_tuples_convert_like_arrays(arr):
    as_list = arr.tolist()
    assert np.array_equal(as_real(as_list, "x"), arr.astype(np.float64))
    if arr.ndim:
        assert np.array_equal(as_real(tuple(arr), "x"), arr.astype(np.float64))


@given(hnp.arrays(np.complex128, hnp.array_shapes(min_dims=0, max_dims=2, max_side=3)))
def test_complex_is_always_rejected(arr):
    with pytest.raises(Rejected, match="complex"):
        as_real(arr, "x")
    with pytest.raises(Rejected, match="complex"):
        as_real(arr.tolist(), "x")


@given(hnp.arrays(np.bool_, hnp.array_shapes(min_dims=0, max_dims=2, max_side=3)))
def test_truth_values_are_rejected(arr):
    with pytest.raises(Rejected, match="truth value"):
        as_real(arr, "x")


@given(hnp.arrays(np.float32, hnp.array_shapes(min_dims=0, max_dims=2, max_side=3),
                  elements={"allow_nan": False}))
def test_float32_keeps_its_precision_for_the_comparison(arr):
    out = as_real(arr, "x")
    assert out.dtype == np.float32 and np.array_equal(out, arr)


garbage = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.complex_numbers()
    | st.text(max_size=5) | st.binary(max_size=5) | st.fractions() | st.decimals(),
    lambda children: st.lists(children, max_size=3) | st.tuples(children, children)
    | st.dictionaries(st.text(max_size=3), children, max_size=2) | st.sets(st.integers()),
    max_leaves=8,
)


@settings(max_examples=300)
@given(garbage)
def test_anything_converts_or_is_rejected_with_a_message_naming_it(value):
    try:
        out = as_real(value, "the output")
    except Rejected as rej:
        assert rej.problem.startswith("the output")
        return
    assert isinstance(out, np.ndarray) and out.dtype.kind == "f"


def test_conversion_of_the_learner_objects():
    class Raises:
        def __array__(self, dtype=None, copy=None):
            raise RuntimeError("no conversion today")

    class Loops:  # a list that contains itself
        pass

    me = []
    me.append(me)
    with pytest.raises(Rejected, match="RuntimeError: no conversion today"):
        as_real(Raises(), "v")
    with pytest.raises(Rejected, match="nested"):
        as_real(me, "v")
    with pytest.raises(Rejected, match="not a number"):
        as_real(Loops(), "v")
    with pytest.raises(Rejected, match="different shapes"):
        as_real([np.zeros(2), np.zeros(3)], "v")
    with pytest.raises(Rejected, match="None"):
        as_real([1.0, None], "v")
    with pytest.raises(Rejected, match="float16"):
        as_real(np.zeros(2, np.float16), "v")
    with pytest.raises(Rejected, match="masked"):
        as_real(np.ma.masked_array([1.0, 2.0], mask=[0, 1]), "v")
    with pytest.raises(Rejected, match="generator"):
        as_real((x for x in range(2)), "v")
    assert as_real(np.ma.masked_array([1.0, 2.0]), "v").tolist() == [1.0, 2.0]
    assert as_real(np.array([1.5, 2], dtype=object), "v").tolist() == [1.5, 2.0]
    assert as_real(2**70, "v") == 2.0**70
    assert as_real(np.longdouble(0.5), "v").dtype == np.float64
    sub = np.zeros(2).view(type("Sub", (np.ndarray,), {}))  # a subclass becomes a plain array
    assert type(as_real(sub, "v")) is np.ndarray


def test_exit_in_a_jupyter_kernel_becomes_feedback(monkeypatch, capsys):
    # IPython's exit() asks the kernel to shut down after the cell instead of raising: during a
    # check it raises SystemExit, which is reported, and the kernel lives on
    IPython = pytest.importorskip("IPython")

    class Shell:
        keepkernel_on_exit = None
        exit_now = False

        def ask_exit(self):
            self.exit_now = True

    shell = Shell()
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)

    def calls_exit(*args):
        shell.keepkernel_on_exit = False  # what IPython's exit() does, then ask_exit()
        shell.ask_exit()

    verdict, out = run(ex.check_momentum_step, calls_exit, capsys)
    assert verdict is False and "raised SystemExit: exit() was called" in out
    assert shell.exit_now is False and shell.keepkernel_on_exit is None
    assert "ask_exit" not in vars(shell)  # the shell's own method is back


def test_an_exception_names_the_line_of_the_learner_code(capsys):
    def momentum_step(theta, v, g, lr, beta):
        v = beta * v - lr * g
        return theta + v / undefined_name  # noqa: F821 (the learner's mistake)

    verdict, out = run(ex.check_momentum_step, momentum_step, capsys)
    line = momentum_step.__code__.co_firstlineno + 2
    assert verdict is False
    assert "raised NameError: name 'undefined_name' is not defined" in out
    assert f"at line {line}: return theta + v / undefined_name" in out
