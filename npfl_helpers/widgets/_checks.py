"""Argument checks for the explorer factories, in one place.

:func:`validated` wraps a factory so that its keyword arguments are checked before anything is
built: a wrong one raises ``TypeError``/``ValueError`` naming the parameter, what is allowed and
what was given (the message format of :mod:`npfl_helpers._validate`), instead of failing deep
inside numpy, matplotlib or ipywidgets, running out of memory or taking hours. The package
``__init__`` wraps every factory listed in :data:`CHECKS`.

Most factories check their arguments themselves; the table adds what they leave open:

==============================  ==================================================================
factory                         checked here
==============================  ==================================================================
``gd_valley_explorer``          ``steps`` an integer in [1, 10 000]; ``lr`` a number inside the
                                learning-rate slider's range [0.003, 0.3] (a value outside would
                                be moved silently to the nearest end)
``landscape_slice_explorer``    ``planes`` a non-empty dict given together with ``grid`` (a grid
                                without planes would be replaced silently by the default
                                landscapes); ``zmax`` a number in (0, 1e12]
``minibatch_noise_explorer``    ``hidden`` in [1, 4096] and ``epochs`` in [0, 1000] (a trained
                                network is built first: larger values need more memory or time
                                than an explorer should)
==============================  ==================================================================

A wrong number of arguments is left to Python's own message.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping

import numpy as np

from .._validate import ArgumentTypeError, check_int, check_range, describe
from .gradient_descent import _VALLEY_LRS  # the learning-rate slider of gd_valley_explorer

__all__ = ["CHECKS", "validated"]



def _int_in(low: int, high: int) -> Callable:
    def check(name: str, value, given: dict) -> None:
        if isinstance(value, (float, np.floating)) and not low <= value <= high:
            # an integral float far out of range: shown as given, not as its many digits
            raise ValueError(f"{name} must be an integer in [{low}, {high}]; got {value!r}")
        check_int(name, value, low, high)
    return check


def _number_in(low: float, high: float, *, low_open: bool = False) -> Callable:
    def check(name: str, value, given: dict) -> None:
        check_range(name, value, low, high, low_open=low_open, allow_array=False)
    return check


def _planes(name: str, value, given: dict) -> None:
    """landscape_slice_explorer: planes and grid come together (or neither)."""
    grid = given.get("grid")
    if value is None:
        if grid is not None:
            raise ValueError(f"{name} must be given with grid (a dict label -> losses of shape "
                             f"(len(grid), len(grid))); got None, so grid would be ignored")
        return
    if not isinstance(value, Mapping) or not value:
        raise ArgumentTypeError(f"{name} must be a dict label -> losses of shape (len(grid), "
                                f"len(grid)); got {describe(value)}")
    if grid is None:
        raise ArgumentTypeError(f"grid must be given with {name} (the α and β values of their "
                                f"columns and rows, a 1-D array); got None")


#: Factory name → parameter → check(name, value, given arguments).
CHECKS: dict[str, dict[str, Callable]] = {
    "gd_valley_explorer": {"steps": _int_in(1, 10_000), "lr": _number_in(*_VALLEY_LRS)},
    "landscape_slice_explorer": {"planes": _planes,
                                 "zmax": _number_in(0.0, 1e12, low_open=True)},
    "minibatch_noise_explorer": {"hidden": _int_in(1, 4096), "epochs": _int_in(0, 1000)},
}


def validated(fn: Callable) -> Callable:
    """``fn`` with its arguments checked first by :data:`CHECKS` (see the module docstring)."""
    checks = CHECKS.get(fn.__name__, {})
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def checked(*args, **kwargs):
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError:
            bound = None  # a wrong number of arguments: Python's own message, below
        if bound is not None:
            bound.apply_defaults()  # the defaults pass; a check may compare two arguments
            given = bound.arguments
            for name, check in checks.items():
                check(name, given.get(name), given)
        return fn(*args, **kwargs)

    return checked
