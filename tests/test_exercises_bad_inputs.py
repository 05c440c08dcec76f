"""Table-driven: whatever a learner's function does, every checker gives a message and a verdict
and never raises or hangs. Right answers of another type (lists, 0-d arrays, float32, tensors
with requires_grad) pass; everything else fails with a message that names the problem. The two
quizzes (a number, a dict of answers) get garbage too; bad teacher-side arguments raise."""

import gc
import sys
import time
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from exercise_solutions import FUNCTION_CHECKS, run

from npfl_helpers import exercises as ex
from npfl_helpers.exercises import _timelimit as _tl

TIMEOUT = 0.3  # seconds: short, so that the runaway cases stay quick


class FakeTensor:
    """Duck-types a PyTorch tensor with ``requires_grad=True``: ``np.asarray`` refuses it, as
    torch does, and only ``.detach().cpu().numpy()`` gives the values."""

    def __init__(self, value, requires_grad=True):
        self._value, self.requires_grad = np.array(value), requires_grad

    def detach(self):
        return FakeTensor(self._value, requires_grad=False)

    def cpu(self):
        return self

    def numpy(self):
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad.")
        return self._value

    def __array__(self, dtype=None, copy=None):
        return self.numpy()


class Unconvertible:
    def __array__(self, dtype=None, copy=None):
        raise RuntimeError("this object refuses to become an array")


class Custom(BaseException):
    pass


def _each(result, n, f):
    """Apply ``f`` to every output of a result with ``n`` outputs."""
    return f(result) if n == 1 else tuple(f(r) for r in result)


def _first(result, n, f):
    """Apply ``f`` to the first output only."""
    return f(result) if n == 1 else (f(result[0]), *result[1:])


def _raise(exc):
    def fn(*args):
        raise exc

    return fn


def _spin(*args):
    while True:
        pass


def _sleep(*args):
    time.sleep(100)


def _mutating(ok):
    def fn(*args):
        result = ok(*(a.copy() if isinstance(a, np.ndarray) else a for a in args))
        for a in args:
            if isinstance(a, np.ndarray):
                a[...] = 0
        return result

    return fn


def _in_float32(ok, n):
    def fn(*args):
        def f32(a):
            return a.astype(np.float32) if isinstance(a, np.ndarray) and a.dtype.kind == "f" \
                else np.float32(a) if isinstance(a, float) else a

        return _each(ok(*(f32(a) for a in args)), n,
                     lambda x: np.asarray(x, np.float32) if np.asarray(x).dtype.kind == "f" else x)

    return fn


def _generator(ok):
    def fn(*args):
        yield ok(*args)

    return fn


# (id, make(ok, n) -> the learner's function, verdict, fragments of the message)
BEHAVIOURS = [
    ("complex", lambda ok, n: lambda *a: _each(ok(*a), n, lambda x: np.asarray(x) + 5j),
     False, ["complex", "must be real"]),
    ("complex-zero-imaginary", lambda ok, n: lambda *a: _each(ok(*a), n, lambda x: x + 0j),
     False, ["complex", "every imaginary part 0"]),
    ("tensor-requires-grad", lambda ok, n: lambda *a: _each(ok(*a), n, FakeTensor),
     True, ["is correct"]),
    ("array-raises", lambda ok, n: lambda *a: _first(ok(*a), n, lambda x: Unconvertible()),
     False, ["could not be turned into numbers", "refuses to become an array"]),
    ("None", lambda ok, n: lambda *a: None, False, ["None", "missing return"]),
    ("None-inside", lambda ok, n: lambda *a: _first(ok(*a), n, lambda x: None),
     False, ["None"]),
    ("wrong-shape", lambda ok, n: lambda *a: _first(ok(*a), n, lambda x: np.asarray(x)[None]),
     False, ["shape"]),
    ("NaN", lambda ok, n: lambda *a: _first(ok(*a), n, lambda x: np.full(np.shape(x), np.nan)),
     False, ["not finite"]),
    ("inf", lambda ok, n: lambda *a: _first(ok(*a), n, lambda x: np.full(np.shape(x), np.inf)),
     False, ["not finite"]),
    ("list", lambda ok, n: lambda *a: _each(ok(*a), n, lambda x: np.asarray(x).tolist()),
     True, ["is correct"]),
    ("tuple-of-outputs-as-list", lambda ok, n: lambda *a: _each(ok(*a), n, np.asarray) if n == 1
     else list(ok(*a)), True, ["is correct"]),
    ("0-d-array", lambda ok, n: lambda *a: _each(ok(*a), n, np.asarray), True, ["is correct"]),
    ("numpy-scalars", lambda ok, n: lambda *a: _each(
        ok(*a), n, lambda x: np.float64(x) if np.ndim(x) == 0 else x), True, ["is correct"]),
    ("float32-result", lambda ok, n: lambda *a: _each(ok(*a), n, np.float32),
     True, ["is correct", "float32"]),
    ("computed-in-float32", lambda ok, n: _in_float32(ok, n), True, ["is correct", "float32"]),
    ("bool", lambda ok, n: lambda *a: _first(ok(*a), n, lambda x: True),
     False, ["truth value"]),
    ("text", lambda ok, n: lambda *a: _first(ok(*a), n, lambda x: str(x)), False, ["text"]),
    ("dict", lambda ok, n: lambda *a: {"answer": ok(*a)}, False, ["dict"]),
    ("generator", lambda ok, n: _generator(ok), False, ["generator", "yield"]),
    ("raises-ValueError", lambda ok, n: _raise(ValueError("a bad value")),
     False, ["raised ValueError: a bad value", "test input 1"]),
    ("raises-SystemExit", lambda ok, n: lambda *a: sys.exit(2),
     False, ["raised SystemExit", "exit"]),
    ("raises-GeneratorExit", lambda ok, n: _raise(GeneratorExit()),
     False, ["raised GeneratorExit"]),
    ("raises-BaseException", lambda ok, n: _raise(Custom("odd")), False, ["raised Custom: odd"]),
    ("never-returns", lambda ok, n: _spin, False, [f"did not finish within {TIMEOUT:g} s"]),
    ("sleeps", lambda ok, n: _sleep, False, [f"did not finish within {TIMEOUT:g} s"]),
    ("mutates-inputs", lambda ok, n: _mutating(ok), False, ["in place"]),
]


@pytest.mark.parametrize(("check", "ok", "outputs"), FUNCTION_CHECKS,
                         ids=[c.__name__ for c, _, _ in FUNCTION_CHECKS])
@pytest.mark.parametrize(("make", "verdict", "fragments"), [b[1:] for b in BEHAVIOURS],
                         ids=[b[0] for b in BEHAVIOURS])
def test_every_checker_survives_every_behaviour(check, ok, outputs, make, verdict, fragments,
                                                capsys):
    fn = make(ok, len(outputs))
    start = time.monotonic()
    got, out = run(check, fn, capsys, timeout=TIMEOUT)
    assert time.monotonic() - start < 5 * TIMEOUT + 1
    assert got is verdict, out
    assert out.startswith(ex.OK if verdict else ex.NO), out
    for fragment in fragments:
        assert fragment in " ".join(out.split()), out
    assert "Traceback" not in out


@pytest.mark.parametrize(("check", "ok", "outputs"), FUNCTION_CHECKS,
                         ids=[c.__name__ for c, _, _ in FUNCTION_CHECKS])
def test_real_torch_tensors_with_requires_grad_pass(check, ok, outputs, capsys):
    torch = pytest.importorskip("torch")

    def tensor(x):
        t = torch.from_numpy(np.array(x))
        if t.dtype.is_floating_point:
            t = t.requires_grad_(True) * 1.0  # a tensor in an autograd graph
        return t

    def learner(*args):
        return _each(ok(*args), len(outputs), tensor)

    verdict, out = run(check, learner, capsys)
    assert verdict is True, out


def test_a_torch_learner_computing_with_tensors_passes(capsys):
    torch = pytest.importorskip("torch")

    def momentum_step(theta, v, g, lr, beta):
        theta, v, g = (torch.tensor(x, requires_grad=True) for x in (theta, v, g))
        v = beta * v - lr * g
        return theta + v, v

    verdict, out = run(ex.check_momentum_step, momentum_step, capsys)
    assert verdict is True, out


# ---------------------------------------------------------------------------------------------
# The quizzes: a number for the learning-rate bound, a dict for Robbins–Monro


A = np.array([[5.5, 4.5], [4.5, 5.5]])  # eigenvalues 1 and 10: α_max = 0.2


class RaisesOnFloat:
    def __float__(self):
        raise ArithmeticError("no float for you")


class BadRepr:
    def __repr__(self):
        raise RuntimeError("no repr")


@pytest.mark.parametrize(("value", "verdict", "fragment"), [
    (0.2, True, "α_max = 2/λ_max"),
    ("0.2", True, "α_max = 2/λ_max"),
    (np.float32(0.2), True, "α_max"),
    (np.array(0.2), True, "α_max"),
    (Fraction(1, 5), True, "α_max"),
    (Decimal("0.2"), True, "α_max"),
    (FakeTensor(0.2), True, "α_max"),
    ([0.2], False, "single number"),
    (np.array([0.2, 0.3]), False, "single number"),
    ("two", False, "must be a number"),
    ("", False, "must be a number"),
    ({"alpha": 0.2}, False, "dict"),
    ({"alpha": {"nested": 0.2}}, False, "dict"),
    ([[0.2], [0.3, 0.4]], False, "different shapes"),
    (float("nan"), False, "finite"),
    (float("inf"), False, "finite"),
    (-0.2, False, "positive"),
    (0, False, "positive"),
    (1e308, False, "is not α_max"),
    (0.2 + 0j, False, "complex"),
    (0.2 + 5j, False, "complex"),
    (True, False, "truth value"),
    (object(), False, "not a number"),
    (lambda: 0.2, False, "function"),
    (RaisesOnFloat(), False, "no float for you"),
    (BadRepr(), False, "not a number"),
    (Unconvertible(), False, "refuses"),
    (None, False, "not answered yet"),
    (..., False, "not answered yet"),
])
def test_lr_bound_with_any_answer(value, verdict, fragment, capsys):
    assert ex.check_lr_bound(value, A) is verdict
    out = capsys.readouterr().out
    assert out.startswith(ex.OK if verdict else ex.NO), out
    assert fragment in " ".join(out.split()), out


@pytest.mark.parametrize(("matrix", "fragment"), [
    (np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), "shape (2, 3)"),
    (np.array([1.0, 2.0]), "shape (2,)"),
    (np.zeros((0, 0)), "shape (0, 0)"),
    (np.zeros((2, 2, 2)), "shape (2, 2, 2)"),
    (np.array([[2.0, 1.0], [0.0, 2.0]]), "not symmetric"),
    (np.array([[1.0, 0.0], [0.0, -1.0]]), "eigenvalue ≤ 0"),
    (np.array([[1.0, 1.0], [1.0, 1.0]]), "eigenvalue ≤ 0"),
    (np.array([[np.nan, 0.0], [0.0, 1.0]]), "non-finite"),
    (np.eye(2) * (1 + 1j), "complex"),
    (np.eye(2, dtype=bool), "bool"),
    (None, "None"),
    ("A", "str"),
    ([[1.0, 2.0], [3.0]], "A must be"),
])
def test_lr_bound_rejects_a_bad_matrix_naming_it(matrix, fragment):
    with pytest.raises((TypeError, ValueError), match="A must be") as info:
        ex.check_lr_bound(0.2, matrix)
    assert fragment in str(info.value)


def test_lr_bound_accepts_a_nearly_symmetric_matrix(capsys):
    Q = np.linalg.qr(np.random.default_rng(0).normal(size=(3, 3)))[0]
    A3 = Q @ np.diag([1.0, 2.0, 8.0]) @ Q.T  # symmetric up to rounding
    assert ex.check_lr_bound(0.25, A3) is True


RM_KEY = {name: name == "inverse_time_decay" for name in ex.ROBBINS_MONRO_QUIZ}


class RaisingMapping(dict):
    def items(self):
        raise RuntimeError("items() is broken")


class BrokenMapping:
    """Claims to be a mapping, but fails when read."""

    def keys(self):
        raise LookupError("keys() is broken")

    def __getitem__(self, key):
        raise LookupError(key)

    def __len__(self):
        return 8

    def __iter__(self):
        raise LookupError("iteration is broken")

    def items(self):
        raise LookupError("items() is broken")


Mapping.register(BrokenMapping)


@pytest.mark.parametrize(("answers", "verdict", "fragment"), [
    (RM_KEY, True, "all 8 right"),
    ({k: np.bool_(v) for k, v in RM_KEY.items()}, True, "all 8 right"),
    (RaisingMapping(RM_KEY), True, "all 8 right"),  # read as a dict, not through its methods
    (None, False, "must be a dict"),
    ("yes", False, "must be a dict"),
    (3, False, "must be a dict"),
    ([True, False], False, "must be a dict"),
    (set(RM_KEY), False, "must be a dict"),
    ({}, False, "not answered yet"),
    ({**RM_KEY, "constant": "True"}, False, "constant (got 'True')"),
    ({**RM_KEY, "constant": float("nan")}, False, "constant (got nan)"),
    ({**RM_KEY, "constant": {"nested": True}}, False, "True or False"),
    ({**RM_KEY, "constant": 1}, False, "True or False"),
    ({**RM_KEY, "constant": BadRepr()}, False, "reading your answers raised RuntimeError"),
    ({**RM_KEY, 1: True}, False, "unknown names 1"),
    ({**RM_KEY, None: True, ("a",): False}, False, "unknown names"),
    ({"Constant": True}, False, "unknown names 'Constant'"),
    (BrokenMapping(), False, "reading your answers raised LookupError"),
])
def test_robbins_monro_with_any_answers(answers, verdict, fragment, capsys):
    assert ex.check_robbins_monro(answers) is verdict
    out = capsys.readouterr().out
    assert out.startswith(ex.OK if verdict else ex.NO), out
    assert fragment in " ".join(out.split()), out


def _busy(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


class _SlowFinalizer:
    def __del__(self):
        _busy(0.005)


@pytest.mark.skipif(not _tl.uses_alarm(), reason="SIGALRM is used only in the main thread")
def test_the_time_limit_is_never_raised_inside_a_gc_callback_or_a_finalizer(monkeypatch):
    """An exception raised there would be swallowed ("unraisable", an error under -W error);
    the alarm waits until the learner's own code runs and still ends the call in time."""
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)

    def slow_gc_callback(phase, info):  # like hypothesis's: Python code run by the collector
        _busy(0.005)

    def learner():
        while True:  # nearly all the time is spent in the collector and in __del__
            a, b = _SlowFinalizer(), _SlowFinalizer()
            a.other, b.other = b, a
            del a, b
            gc.collect(0)  # the youngest generation: quick however large the heap

    gc.callbacks.insert(0, slow_gc_callback)
    try:
        for _ in range(3):
            start = time.monotonic()
            with pytest.raises(_tl.TimeLimitExceeded):
                _tl.run_with_time_limit(learner, 0.05)
            assert time.monotonic() - start < 2.0
    finally:
        gc.callbacks.remove(slow_gc_callback)
    assert unraisable == []
    assert slow_gc_callback not in gc.callbacks and len(gc.callbacks) == len(set(gc.callbacks))
