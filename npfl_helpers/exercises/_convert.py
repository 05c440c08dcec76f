"""The one strict conversion of a learner's results: :func:`as_real`.

Every value a learner's code returns is turned into a new plain float array here, or rejected
with a message that names the problem (:class:`Rejected`); nothing else in the checkers reads
a learner's objects.
"""

from __future__ import annotations

import inspect

import numpy as np

__all__ = ["Rejected", "as_real", "exception_text"]

_MAX_DEPTH = 32  # nesting of lists (and object arrays) that as_real follows


class Rejected(Exception):
    """A learner's value that is not a real number or array: ``problem`` and a ``hint``."""

    def __init__(self, problem: str, hint: str = "") -> None:
        super().__init__(problem)
        self.problem, self.hint = problem, hint


def as_real(value, what: str, depth: int = 0) -> np.ndarray:
    """``value`` as a new float64 array (float32 if it was float32), or raise :class:`Rejected`.

    Accepted, when the values are real: Python and numpy ints and floats, int or float arrays
    (0-d too), lists and tuples of those, objects with ``__array__`` or ``__float__``, and tensors
    with ``detach()`` (PyTorch's, with or without ``requires_grad``; converted duck-typed by
    ``.detach().cpu().numpy()``, torch is never imported).

    Rejected with a message naming the problem: ``None``; truth values (``True``, bool arrays: a
    comparison where arithmetic was meant); **complex numbers, even when every imaginary part is
    0** (the lecture's quantities are real; a complex dtype comes from a power of a negative
    number or a ``j`` literal, a formula to fix, not a value to take ``.real`` of); text; dicts
    and sets; functions, generators and coroutines; ragged lists; float16 (3 significant digits);
    masked arrays with masked entries; other dtypes; anything whose conversion raises. NaN and
    ±inf pass here and are reported by the comparison, with a hint.
    """
    name = type(value).__name__
    try:
        if value is None:
            raise Rejected(f"{what} is None", "a missing return, or a value never assigned?")
        if isinstance(value, (bool, np.bool_)):
            raise Rejected(f"{what} is {bool(value)}, a truth value, not a number",
                           "a comparison (==, <) where arithmetic was meant?")
        if isinstance(value, (int, float)) and not isinstance(value, np.generic):
            arr = np.asarray(float(value))  # a Python int beyond int64 too
        elif isinstance(value, (complex, np.number)):
            arr = np.asarray(value)
        elif isinstance(value, (str, bytes)):
            text = repr(value if len(value) <= 30 else value[:27] + "...")
            raise Rejected(f"{what} is the text {text}, not a number",
                           "return the number itself, not a string.")
        elif isinstance(value, (dict, set, frozenset)):
            raise Rejected(f"{what} is a {name}, not a number or an array")
        elif inspect.isgenerator(value):
            raise Rejected(f"{what} is a generator", "use `return`, not `yield`.")
        elif inspect.iscoroutine(value):
            value.close()  # never awaited: close it without a warning
            raise Rejected(f"{what} is a coroutine", "define the function with `def`, not "
                           "`async def`.")
        elif callable(value) and not isinstance(value, np.ndarray):
            raise Rejected(f"{what} is a function, not a value", "return what it computes.")
        elif depth > _MAX_DEPTH:
            raise Rejected(f"{what} is nested more than {_MAX_DEPTH} levels deep")
        elif isinstance(value, (list, tuple)):
            arr = _from_sequence(value, what, depth)
        elif isinstance(value, np.ndarray):
            arr = value
        elif callable(getattr(value, "detach", None)):  # a PyTorch tensor, duck-typed
            arr = value.detach()
            arr = arr.cpu() if callable(getattr(arr, "cpu", None)) else arr
            arr = arr.numpy() if callable(getattr(arr, "numpy", None)) else np.asarray(arr)
        elif hasattr(value, "__array__") or hasattr(value, "__array_interface__"):
            arr = np.asarray(value)
        elif hasattr(type(value), "__float__"):  # Fraction, Decimal, ...
            arr = np.asarray(float(value))
        else:
            raise Rejected(f"{what} is a {name}, not a number or an array")
        if not isinstance(arr, np.ndarray):
            return as_real(arr, what, depth + 1)
        if isinstance(arr, np.ma.MaskedArray) and np.ma.is_masked(arr):
            raise Rejected(f"{what} is a masked array with masked entries",
                           "return a plain numpy array.")
        arr = np.array(arr, copy=True, subok=False)  # a plain array of our own
        kind = arr.dtype.kind
        if kind == "O":
            return as_real(arr.tolist(), what, depth + 1)
        if kind == "b":
            raise Rejected(f"{what} is an array of truth values (dtype bool)",
                           "a comparison (==, <) where arithmetic was meant?")
        if kind == "c":
            zero = bool(np.all(arr.imag == 0))
            raise Rejected(
                f"{what} holds complex numbers (dtype {arr.dtype}"
                f"{', every imaginary part 0' if zero else ''}); it must be real",
                "look for a square root or a fractional power of a negative number (in Python, "
                "(-1) ** 0.5 is complex) or a literal such as 5j; fix the formula rather than "
                "taking .real.")
        if kind == "f" and arr.dtype.itemsize < 4:
            raise Rejected(f"{what} is {arr.dtype}, which keeps only about 3 significant digits",
                           "compute in float64, numpy's default.")
        if kind not in "iuf":
            raise Rejected(f"{what} is an array of dtype {arr.dtype}, not of numbers")
        return arr.astype(np.float32 if arr.dtype == np.float32 else np.float64)
    except Rejected:
        raise
    except RecursionError:
        raise Rejected(f"{what} is nested too deeply to be read") from None
    except Exception as exc:  # the learner's object failed to convert: say how
        raise Rejected(f"{what} (a {name}) could not be turned into numbers: "
                       f"{exception_text(exc)}") from None


def _from_sequence(value: list | tuple, what: str, depth: int) -> np.ndarray:
    try:  # the fast path: a list of numbers or of equal-shaped arrays
        arr = np.asarray(value)
        if arr.dtype.kind in "iufcb":
            return arr
    except Exception:  # ragged, or items numpy cannot convert: item by item below
        pass
    parts = [as_real(item, what, depth + 1) for item in value]
    shapes = {part.shape for part in parts}
    if len(shapes) > 1:
        raise Rejected(f"{what} is a {type(value).__name__} whose items have different shapes "
                       f"{sorted(shapes)}", "return one array whose entries have one shape.")
    return np.array(parts) if parts else np.zeros(0)


def exception_text(exc: BaseException) -> str:
    try:
        text = str(exc)
    except Exception:
        text = "(its message cannot be shown)"
    text = text if len(text) <= 300 else text[:297] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
