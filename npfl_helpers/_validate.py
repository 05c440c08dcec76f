"""One place for argument validation, with one message format.

Every message names the parameter, the allowed range in math notation and the value received::

    ValueError: beta must be in [0, 1); got 1.5
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

__all__ = ["check_range", "check_int", "check_choice"]


def _fmt(value) -> str:
    arr = np.asarray(value)
    if arr.ndim == 0:
        return repr(value.item() if isinstance(value, np.generic) else value)
    return f"array with values in [{np.nanmin(arr)!r}, {np.nanmax(arr)!r}] (shape {arr.shape})"


def _interval(low, high, low_open, high_open) -> str:
    lo = "-inf" if low is None else f"{low:g}"
    hi = "inf" if high is None else f"{high:g}"
    left = "(" if (low is None or low_open) else "["
    right = ")" if (high is None or high_open) else "]"
    return f"{left}{lo}, {hi}{right}"


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

    ``low_open``/``high_open`` make the corresponding end exclusive.

    >>> check_range("beta", 0.9, 0, 1, high_open=True)
    0.9
    >>> check_range("beta", 1.0, 0, 1, high_open=True)
    Traceback (most recent call last):
    ...
    ValueError: beta must be in [0, 1); got 1.0
    """
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number in {_interval(low, high, low_open, high_open)}; "
                         f"got {value!r}")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be a number in {_interval(low, high, low_open, high_open)}; got {value!r}"
        ) from None
    if arr.ndim > 0 and not allow_array:
        raise ValueError(f"{name} must be a scalar; got {_fmt(value)}")
    ok = np.isfinite(arr)
    if low is not None:
        ok &= (arr > low) if low_open else (arr >= low)
    if high is not None:
        ok &= (arr < high) if high_open else (arr <= high)
    if not np.all(ok):
        raise ValueError(
            f"{name} must be in {_interval(low, high, low_open, high_open)}; got {_fmt(value)}"
        )
    return float(arr) if arr.ndim == 0 else arr


def check_int(name: str, value, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` as an ``int`` if it is an integer in ``[low, high]``.

    >>> check_int("steps", 10, low=0)
    10
    >>> check_int("steps", 2.5, low=0)
    Traceback (most recent call last):
    ...
    ValueError: steps must be an integer in [0, inf); got 2.5
    """
    rng = _interval(low, high, False, False)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        if not (isinstance(value, (float, np.floating)) and math.isfinite(value)
                and float(value).is_integer()):
            raise ValueError(f"{name} must be an integer in {rng}; got {value!r}")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name} must be an integer in {rng}; got {value!r}")
    return value


def check_choice(name: str, value, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``.

    >>> check_choice("form", "moments", ("moments", "alpha_t"))
    'moments'
    >>> check_choice("form", "x", ("moments", "alpha_t"))
    Traceback (most recent call last):
    ...
    ValueError: form must be one of 'moments', 'alpha_t'; got 'x'
    """
    choices = tuple(choices)
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value
