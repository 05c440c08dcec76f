"""One place for argument validation, with one message format.

Every message names the parameter, what is allowed and what was received::

    ValueError: beta must be in [0, 1); got 1.5
    TypeError: x must be an array of real numbers; got None
    TypeError: optimizer must be an Optimizer such as optim.adam(lr=0.001); got the factory
        optim.adam itself: call it, e.g. optim.adam(lr=0.001)

An argument of the wrong *kind* (``None``, a string where a number belongs, a complex array, an
uncalled factory) raises :class:`ArgumentTypeError`, which is both a ``TypeError`` and a
``ValueError``: ``except ValueError`` keeps catching every bad argument. A value of the right kind
outside its range (a negative learning rate, a NaN, an empty array, a label ≥ K) raises
``ValueError``.
"""

from __future__ import annotations

import difflib
import math
import operator
from collections.abc import Iterable

import numpy as np

__all__ = [
    "ArgumentTypeError",
    "describe",
    "check_range",
    "check_int",
    "check_choice",
    "check_bool",
    "check_array",
    "check_labels",
    "check_callable",
    "check_optimizer",
    "check_rng",
    "check_axis",
    "check_schedule_value",
]


class ArgumentTypeError(TypeError, ValueError):
    """An argument of the wrong kind; a ``TypeError`` that ``except ValueError`` also catches."""


# --------------------------------------------------------------------------------------------
# Describing what was received


def _fmt(value) -> str:
    """A number as its repr, an array as the range of its values and its shape (no warnings)."""
    if isinstance(value, np.generic):
        value = value.item()
    arr = np.asarray(value)
    if arr.ndim == 0:
        return repr(value.item() if isinstance(value, np.ndarray) else value)
    if arr.size == 0:
        return f"an empty array (shape {arr.shape})"
    if arr.dtype.kind not in "biuf":
        return f"an array of dtype {arr.dtype} (shape {arr.shape})"
    finite = arr[np.isfinite(arr)] if arr.dtype.kind == "f" else arr
    parts = []
    if finite.size:
        parts.append(f"values in [{finite.min().item()!r}, {finite.max().item()!r}]")
    n_bad = arr.size - finite.size
    if n_bad:
        n_nan = int(np.count_nonzero(np.isnan(arr)))
        bad = [f"{n_nan} NaN"] if n_nan else []
        if n_bad - n_nan:
            bad.append(f"{n_bad - n_nan} infinite")
        parts.append(" and ".join(bad))
    return f"array with {', '.join(parts)} (shape {arr.shape})"


def describe(value) -> str:
    """A short description of ``value`` for the "got …" part of a message.

    >>> describe(None), describe("adam"), describe(2.5)
    ('None', "the string 'adam'", '2.5')
    >>> describe(np.zeros((2, 3)))
    'a float64 array of shape (2, 3)'
    >>> describe(len), describe(10**400)
    ('the function len', '(an integer of 401 digits)')
    """
    if value is None or isinstance(value, (bool, np.bool_)):
        return repr(bool(value)) if value is not None else "None"
    if isinstance(value, (str, bytes)):
        text = repr(value)
        return f"the string {text if len(text) <= 40 else text[:36] + '...' + text[0]}"
    if isinstance(value, int):
        return _int_text(value)
    if isinstance(value, (float, complex, np.number)):
        return repr(value.item() if isinstance(value, np.generic) else value)
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return f"a 0-d {value.dtype} array ({value.item()!r})"
        return f"a {value.dtype} array of shape {value.shape}"
    if isinstance(value, type):
        return f"the class {value.__qualname__}"
    if callable(value) and hasattr(value, "__qualname__"):
        module = getattr(value, "__module__", None) or ""
        prefix = module.rsplit(".", 1)[-1] + "." if module.startswith("npfl_helpers.") else ""
        return f"the function {prefix}{value.__qualname__}"
    kind = type(value).__name__
    if isinstance(value, (list, tuple)):
        return f"a {kind} of length {len(value)}"
    text = repr(value)
    return f"a {kind} object" if len(text) > 60 else f"a {kind} object {text}"


def _interval(low, high, low_open, high_open) -> str:
    lo = "-inf" if low is None else f"{low:g}"
    hi = "inf" if high is None else f"{high:g}"
    left = "(" if (low is None or low_open) else "["
    right = ")" if (high is None or high_open) else "]"
    return f"{left}{lo}, {hi}{right}"


def _is_text_or_none(value) -> bool:
    return value is None or isinstance(value, (str, bytes, dict, set, frozenset))


# --------------------------------------------------------------------------------------------
# Numbers


def check_range(
    name: str,
    value,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
    allow_array: bool = True,
):
    """Return ``value`` (a float, or a float ndarray if ``allow_array``) if it lies in the interval.

    ``low_open``/``high_open`` make the corresponding end exclusive. NaN and ±inf are never in
    the interval, and an empty array is refused.

    >>> check_range("beta", 0.9, 0, 1, high_open=True)
    0.9
    >>> check_range("beta", 1.0, 0, 1, high_open=True)
    Traceback (most recent call last):
    ...
    ValueError: beta must be in [0, 1); got 1.0
    >>> check_range("lr", "0.1", 0, low_open=True)
    Traceback (most recent call last):
    ...
    npfl_helpers._validate.ArgumentTypeError: lr must be a number in (0, inf); got the string '0.1'
    """
    interval = _interval(low, high, low_open, high_open)
    what = f"a number in {interval}"
    if _is_text_or_none(value) or isinstance(value, (bool, np.bool_)) or callable(value):
        raise ArgumentTypeError(f"{name} must be {what}; got {describe(value)}")
    try:
        raw = np.asarray(value)
    except Exception:  # noqa: BLE001 - any failure to convert is a wrong kind of argument
        raise ArgumentTypeError(f"{name} must be {what}; got {describe(value)}") from None
    if raw.dtype.kind not in "iuf":
        got = "complex numbers" if raw.dtype.kind == "c" else describe(value)
        raise ArgumentTypeError(f"{name} must be {what}; got {got}")
    arr = raw.astype(np.float64)
    if arr.ndim > 0 and not allow_array:
        raise ArgumentTypeError(f"{name} must be a scalar (one number) in {interval}; got "
                                f"{_fmt(value)}")
    if arr.size == 0:
        raise ValueError(f"{name} must be a number in {interval}; got {_fmt(value)}")
    ok = np.isfinite(arr)
    if low is not None:
        ok &= (arr > low) if low_open else (arr >= low)
    if high is not None:
        ok &= (arr < high) if high_open else (arr <= high)
    if not np.all(ok):
        raise ValueError(f"{name} must be in {interval}; got {_fmt(value)}")
    return float(arr) if arr.ndim == 0 else arr


def check_int(name: str, value, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` as an ``int`` if it is an integer in ``[low, high]``.

    Integral floats (``3.0``) and 0-d integer arrays are accepted; ``True``/``False`` are not.

    >>> check_int("steps", 10, low=0)
    10
    >>> check_int("steps", 2.5, low=0)
    Traceback (most recent call last):
    ...
    ValueError: steps must be an integer in [0, inf); got 2.5
    """
    rng = _interval(low, high, False, False)
    if isinstance(value, (bool, np.bool_)) or _is_text_or_none(value):
        raise ArgumentTypeError(f"{name} must be an integer in {rng}; got {describe(value)}")
    try:
        value = operator.index(value)
    except TypeError:
        if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind == "f":
            value = value.item()
        if not isinstance(value, (float, np.floating)):
            raise ArgumentTypeError(f"{name} must be an integer in {rng}; got "
                                    f"{describe(value)}") from None
        if not (math.isfinite(value) and float(value).is_integer()):
            raise ValueError(f"{name} must be an integer in {rng}; got {_fmt(value)}") from None
        value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name} must be an integer in {rng}; got {_int_text(value)}")
    return int(value)


def _int_text(value: int) -> str:
    """An integer for a message: in full up to 15 digits, else in scientific notation.

    >>> _int_text(12), _int_text(10**308), _int_text(-(10**400))
    ('12', '1e+308', '-(an integer of 401 digits)')
    """
    value = int(value)
    if abs(value) < 10**15:
        return repr(value)
    try:
        return f"{float(value):.4g}"
    except OverflowError:
        return f"{'-' if value < 0 else ''}(an integer of {len(str(abs(value)))} digits)"


def check_bool(name: str, value) -> bool:
    """Return ``value`` as a ``bool`` if it is ``True`` or ``False`` (a numpy bool counts).

    >>> check_bool("replace", "yes")
    Traceback (most recent call last):
    ...
    npfl_helpers._validate.ArgumentTypeError: replace must be True or False; got the string 'yes'
    """
    if not isinstance(value, (bool, np.bool_)):
        raise ArgumentTypeError(f"{name} must be True or False; got {describe(value)}")
    return bool(value)


def check_choice(name: str, value, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``; a near miss is named in the message.

    >>> check_choice("form", "moments", ("moments", "alpha_t"))
    'moments'
    >>> check_choice("form", "x", ("moments", "alpha_t"))
    Traceback (most recent call last):
    ...
    ValueError: form must be one of 'moments', 'alpha_t'; got 'x'
    >>> check_choice("activation", "Relu", ("sigmoid", "tanh", "relu"))
    Traceback (most recent call last):
    ...
    ValueError: activation must be one of 'sigmoid', 'tanh', 'relu'; got 'Relu'
    (did you mean 'relu'?)
    """
    choices = tuple(choices)
    allowed = ", ".join(map(repr, choices))
    if not isinstance(value, str):
        if all(isinstance(c, str) for c in choices) or not _member(value, choices):
            raise ArgumentTypeError(f"{name} must be one of {allowed}; got {describe(value)}")
        return value
    if value not in choices:
        close = difflib.get_close_matches(value.lower(), [str(c) for c in choices], n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"{name} must be one of {allowed}; got {value!r}{hint}")
    return value


def _member(value, choices) -> bool:
    try:
        return any(value is c or (type(value) is type(c) and value == c) for c in choices)
    except Exception:  # noqa: BLE001 - e.g. an array compared with a choice
        return False


def check_axis(name: str, axis, ndim: int) -> int:
    """Return ``axis`` as a non-negative int if it names one of ``ndim`` axes.

    >>> check_axis("axis", -1, 2)
    1
    """
    if ndim == 0:
        raise ValueError(f"{name} must be None for a scalar, which has no axes; got {axis!r}")
    return check_int(name, axis, -ndim, ndim - 1) % ndim


# --------------------------------------------------------------------------------------------
# Arrays


def _shape_text(shape) -> str:
    parts = ["n" if s is None else str(s) for s in shape]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def _real_array(name: str, value, what: str) -> np.ndarray:
    """``value`` as a numeric (bool/int/float) ndarray, or an ArgumentTypeError saying why not.

    ``None`` anywhere (which numpy would turn into NaN), strings, complex numbers and objects
    that cannot be converted are refused.
    """
    if _is_text_or_none(value) or (callable(value) and not hasattr(value, "__array__")):
        raise ArgumentTypeError(f"{name} must be {what}; got {describe(value)}")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # noqa: BLE001 - ragged lists, tensors that need .detach(), ...
        reason = str(exc).split(". ")[0].split("\n")[0]
        raise ArgumentTypeError(f"{name} must be {what}; got {describe(value)}, which cannot "
                                f"be converted to an array ({reason})") from None
    kind = arr.dtype.kind
    if kind == "O":
        flat = arr.ravel()
        if any(v is None for v in flat):
            raise ArgumentTypeError(f"{name} must be {what}; got {describe(value)} containing "
                                    "None (a missing value)")
        if any(isinstance(v, (str, bytes, complex, np.complexfloating)) for v in flat):
            raise ArgumentTypeError(f"{name} must be {what}; got {describe(value)} containing "
                                    "strings or complex numbers")
        try:
            arr = arr.astype(np.float64)
        except Exception:  # noqa: BLE001
            raise ArgumentTypeError(f"{name} must be {what}; got {describe(value)} holding "
                                    "objects that are not numbers") from None
        kind = "f"
    if kind == "c":
        raise ArgumentTypeError(f"{name} must be {what}; got complex numbers (dtype "
                                f"{arr.dtype}); pass the real part explicitly if you mean it")
    if kind in "US":
        raise ArgumentTypeError(f"{name} must be {what}; got {describe(value)} containing "
                                f"strings (dtype {arr.dtype})")
    if kind not in "biuf":
        raise ArgumentTypeError(f"{name} must be {what}; got {describe(value)} of dtype "
                                f"{arr.dtype}")
    return arr


def check_array(
    name: str,
    value,
    *,
    ndim: int | tuple[int, ...] | None = None,
    shape: tuple | None = None,
    dtype=np.float64,
    finite: bool = True,
    allow_empty: bool = False,
) -> np.ndarray:
    """Return ``value`` as a float ndarray after checking its kind, shape and values.

    ``ndim`` is the number of axes allowed (an int or a tuple of ints); ``shape`` a tuple whose
    entries are sizes or ``None`` (any size). ``dtype`` is the float type of the result; with
    ``dtype=None`` float arrays keep theirs (float32 stays float32) and others become float64.
    ``finite`` refuses NaN and ±inf, ``allow_empty=False`` arrays without elements.

    >>> check_array("x", [1, 2])
    array([1., 2.])
    >>> check_array("x", [1.0, None])
    Traceback (most recent call last):
    ...
    npfl_helpers._validate.ArgumentTypeError: x must be an array of real numbers; got a list of
    length 2 containing None (a missing value)
    >>> check_array("X", np.zeros((3, 5)), shape=(None, 4))
    Traceback (most recent call last):
    ...
    ValueError: X must have shape (n, 4); got shape (3, 5)
    """
    what = "an array of real numbers"
    arr = _real_array(name, value, what)
    if dtype is None:
        dtype = arr.dtype if arr.dtype.kind == "f" else np.float64
    with np.errstate(over="ignore"):  # beyond e.g. the float32 range: inf, refused below
        arr = arr.astype(dtype, copy=False)
    if shape is not None:
        if arr.ndim != len(shape) or any(s is not None and s != a
                                         for s, a in zip(shape, arr.shape, strict=False)):
            raise ValueError(f"{name} must have shape {_shape_text(shape)}; got shape "
                             f"{arr.shape}")
    elif ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            axes = " or ".join(str(a) for a in allowed)
            raise ValueError(f"{name} must have {axes} ax{'is' if allowed == (1,) else 'es'}; "
                             f"got shape {arr.shape}")
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} must not be empty; got an empty array of shape {arr.shape}")
    if finite and arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        limit = ""
        if np.all(np.isfinite(np.asarray(value, dtype=np.float64))):
            limit = f" (values beyond the {np.dtype(dtype).name} range)"
        raise ValueError(f"{name} must hold finite numbers (no NaN or inf); got "
                         f"{_fmt(arr)}{limit}")
    return arr


def check_labels(name: str, value, n: int | None = None, n_classes: int | None = None
                 ) -> np.ndarray:
    """Return ``value`` as an int array of class indices in ``[0, n_classes)``, shape ``(n,)``.

    An index outside that range would silently pick another row's logit, a shorter array would
    broadcast, and float or bool labels are refused rather than guessed at.

    >>> check_labels("y", [0, 2, 1], n=3, n_classes=3)
    array([0, 2, 1])
    >>> check_labels("y", [0, 3], n_classes=3)
    Traceback (most recent call last):
    ...
    ValueError: y must hold class indices in [0, 2]; got values in [0, 3]
    """
    what = "an integer array of class indices"
    arr = _real_array(name, value, what)
    if arr.dtype.kind not in "iu":
        hint = ""
        if arr.dtype.kind == "f" and arr.size and np.all(np.isfinite(arr)) \
                and np.all(arr == np.round(arr)):
            hint = " (convert with y.astype(int) if these are class indices)"
        raise ArgumentTypeError(f"{name} must be {what}; got a {arr.dtype} array{hint}")
    if n is not None and arr.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), one class index per example; got "
                         f"shape {arr.shape}")
    if n is None and arr.ndim != 1:
        raise ValueError(f"{name} must have one axis (one class index per example); got shape "
                         f"{arr.shape}")
    if n_classes is not None and arr.size and (arr.min() < 0 or arr.max() >= n_classes):
        raise ValueError(f"{name} must hold class indices in [0, {n_classes - 1}]; got values "
                         f"in [{arr.min()}, {arr.max()}]")
    return arr.astype(np.intp, copy=False)


# --------------------------------------------------------------------------------------------
# Callables, optimisers, random generators


def check_callable(name: str, value, what: str = "a function"):
    """Return ``value`` if it can be called; otherwise say what was passed instead.

    >>> check_callable("grad_fn", None, "a function θ ↦ ∇J(θ)")
    Traceback (most recent call last):
    ...
    npfl_helpers._validate.ArgumentTypeError: grad_fn must be a function θ ↦ ∇J(θ); got None
    """
    if not callable(value):
        raise ArgumentTypeError(f"{name} must be {what}; got {describe(value)}")
    return value


_OPTIMIZER_EXAMPLE = "optim.adam(lr=0.001)"


def check_optimizer(name: str, value):
    """Return ``value`` if it is an optimiser (it has ``init`` and ``step``), else explain.

    An uncalled factory (``optim.adam``) and a name (``"adam"``) get a message saying what to
    pass instead.

    >>> check_optimizer("optimizer", "adam")
    Traceback (most recent call last):
    ...
    npfl_helpers._validate.ArgumentTypeError: optimizer must be an Optimizer such as
    optim.adam(lr=0.001); got the string 'adam': pass optim.adam(lr=...) instead
    """
    if callable(getattr(value, "init", None)) and callable(getattr(value, "step", None)):
        return value
    head = f"{name} must be an Optimizer such as {_OPTIMIZER_EXAMPLE}"
    factories = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
    if isinstance(value, str) and value.lower() in factories:
        raise ArgumentTypeError(f"{head}; got the string {value!r}: pass "
                                f"optim.{value.lower()}(lr=...) instead")
    module = getattr(value, "__module__", "") or ""
    fn_name = getattr(value, "__name__", "")
    if callable(value) and module.startswith("npfl_helpers.optim") and fn_name in factories:
        raise ArgumentTypeError(f"{head}; got the factory optim.{fn_name} itself: call it, "
                                f"e.g. optim.{fn_name}(lr=0.01)")
    raise ArgumentTypeError(f"{head}; got {describe(value)}")


def check_rng(name: str, value) -> np.random.Generator:
    """Return a ``numpy.random.Generator`` from a seed (``None`` or an int ≥ 0) or a Generator.

    >>> check_rng("seed", -1)
    Traceback (most recent call last):
    ...
    ValueError: seed must be None, an integer >= 0 or a numpy.random.Generator; got -1
    """
    if isinstance(value, np.random.Generator):
        return value
    head = f"{name} must be None, an integer >= 0 or a numpy.random.Generator"
    if value is None or isinstance(value, (np.random.SeedSequence, np.random.BitGenerator)):
        return np.random.default_rng(value)
    if isinstance(value, (bool, np.bool_)):
        raise ArgumentTypeError(f"{head}; got {describe(value)}")
    try:
        seed = operator.index(value)
    except TypeError:
        raise ArgumentTypeError(f"{head}; got {describe(value)}") from None
    if seed < 0:
        raise ValueError(f"{head}; got {seed}")
    return np.random.default_rng(seed)


def check_schedule_value(value, step, name: str = "lr"):
    """Check what a learning-rate schedule returned at ``step``: finite numbers ≥ 0.

    Returns it as a float (or a float array). A negative, NaN, infinite or non-numeric rate would
    make the optimiser climb or produce NaN silently, so it is an error naming the step.

    >>> check_schedule_value(-0.1, step=5)
    Traceback (most recent call last):
    ...
    ValueError: lr (a learning-rate schedule) returned -0.1 at step 5; a learning rate must be
    a finite number >= 0
    """
    head = f"{name} (a learning-rate schedule) returned"
    need = "a learning rate must be a finite number >= 0"
    if _is_text_or_none(value) or isinstance(value, (bool, np.bool_)) or callable(value):
        raise ArgumentTypeError(f"{head} {describe(value)} at step {step}; {need}")
    try:
        arr = np.asarray(value)
    except Exception:  # noqa: BLE001
        raise ArgumentTypeError(f"{head} {describe(value)} at step {step}; {need}") from None
    if arr.dtype.kind not in "iuf":
        raise ArgumentTypeError(f"{head} {describe(value)} at step {step}; {need}")
    arr = arr.astype(np.float64, copy=False)
    if arr.size == 0 or not np.all(np.isfinite(arr) & (arr >= 0)):
        raise ValueError(f"{head} {_fmt(value)} at step {step}; {need}")
    return float(arr) if arr.ndim == 0 else arr
