"""Private helpers of the :mod:`npfl_helpers.generalization` modules: checked inputs and data
sets, lists of integers, and the limit on the size of one vectorised array."""

from __future__ import annotations

import numpy as np

from .._validate import ArgumentTypeError, check_array, check_int, check_range, describe

_MAX_NUMBERS = 50_000_000  # numbers one array of a computation may hold (400 MB of float64)


def _check_size(names: str, count: int, what: str) -> None:
    """Refuse a computation whose one vectorised array would not fit in memory."""
    if count > _MAX_NUMBERS:
        got = f"{count:.3g}" if count < 1e300 else "more than 1e300"
        raise ValueError(f"{names} must keep {what} at most {_MAX_NUMBERS:.0e} numbers (one "
                         f"array in memory); got {got}")


def _array(name: str, value, min_ndim: int = 1) -> np.ndarray:
    """``value`` as a finite float array with at least ``min_ndim`` axes."""
    arr = check_array(name, value)
    if arr.ndim < min_ndim:
        axes = "one axis" if min_ndim == 1 else f"{min_ndim} axes"
        raise ValueError(f"{name} must have at least {axes}; got shape {arr.shape}")
    return arr


_NO_Y = object()


def _inputs(x, y=_NO_Y, xname: str = "x", yname: str = "y"):
    """``x`` (and ``y``) as float arrays of one shape, ``x`` inside [-1, 1]."""
    x = _array(xname, x)
    check_range(xname, x, -1.0, 1.0)
    if y is _NO_Y:
        return x
    y = _array(yname, y)
    if x.shape != y.shape:
        raise ValueError(f"{xname} and {yname} must have the same shape; got {x.shape} and "
                         f"{y.shape}")
    return x, y


def _pair(name: str, data, batch: tuple | None = None):
    """A data set ``(x, y)`` given as ``name``: checked, with names such as "train x".

    With ``batch``, its batch axes (all but the last) must broadcast against ``batch``.
    """
    if isinstance(data, (str, bytes, dict)) or not hasattr(data, "__len__") or len(data) != 2:
        raise ArgumentTypeError(f"{name} must be a pair (x, y) of arrays of one shape; got "
                                f"{describe(data)}")
    x, y = _inputs(data[0], data[1], f"{name} x", f"{name} y")
    if batch is not None:
        try:
            np.broadcast_shapes(x.shape[:-1], batch)
        except ValueError:
            raise ValueError(f"{name} x must have batch axes (all but the last) that broadcast "
                             f"against the training data's {batch}; got shape "
                             f"{x.shape}") from None
    return x, y


def _int_list(name: str, values, low: int = 0, high: int | None = None) -> np.ndarray:
    """A non-empty sequence of integers in [low, high] as an int array."""
    what = f"a non-empty sequence of integers in [{low}, {'inf' if high is None else high}]"
    if isinstance(values, (str, bytes, dict)) or not np.iterable(values):
        raise ArgumentTypeError(f"{name} must be {what}; got {describe(values)}")
    out = np.array([check_int(f"{name}[{i}]", v, low=low, high=high)
                    for i, v in enumerate(values)], dtype=int)
    if out.size == 0:
        raise ValueError(f"{name} must be {what}; got an empty sequence")
    return out
