"""The shared runner of the table-driven bad-input tests (``test_bad_inputs_core*.py``).

A row of ``BAD`` is ``(id, callable, kwargs, exception type, parameter)``: ``callable(**kwargs)``
must raise that exception with a message naming the parameter, and no warning on the way. A row
of ``EDGE`` is ``(id, call, expected)``: ``call()`` must return ``expected`` without a warning.
"""

from __future__ import annotations

import re
import warnings

import numpy as np

T, V = TypeError, ValueError

# A wrong value for an array parameter, the exception it must raise, and a short id.
WRONG_KIND = [
    (None, T, "None"),
    ("abc", T, "str"),
    ([1.0, None], T, "None-inside"),
    (np.array([1 + 2j, 0j]), T, "complex"),
    ([[1.0], [1.0, 2.0]], T, "ragged"),
    ({"a": 1.0}, T, "dict"),
]
STR_ARRAY = (np.array(["1.0", "2.0"]), T, "str-array")


def non_finite(other: float) -> list:
    """NaN and inf beside a valid ``other`` value."""
    return [(np.array([np.nan, other]), V, "nan"), (np.array([np.inf, other]), V, "inf")]


def array_rows(wrong_kind: list, non_finite_values: list):
    """``arrays(label, fn, good, param, finite=True, skip=())``: rows putting every wrong kind
    (and non-finite values, if refused) into ``param``, leaving out the ids in ``skip``."""

    def arrays(label, fn, good: dict, param: str, finite: bool = True, skip=()):
        bad = wrong_kind + (non_finite_values if finite else [])
        return [(f"{label}:{param}={tag}", fn, {**good, param: value}, exc, param)
                for value, exc, tag in bad if tag not in skip]

    return arrays


def row(label, fn, kwargs, exc, param):
    return (label, fn, kwargs, exc, param)


def check_bad(fn, kwargs: dict, exc: type, param: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            fn(**kwargs)
        except exc as error:
            message = str(error)
        else:
            raise AssertionError(f"no {exc.__name__} raised")
    assert re.search(rf"(?<![\w.]){re.escape(param)}\b", message), message
    assert "got" in message or "must" in message or "missing" in message, message


def check_edge(call, expected) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = call()
    if isinstance(expected, tuple) and isinstance(got, list):
        assert tuple(got) == expected
    elif isinstance(expected, (bool, tuple)):
        assert got == expected
    else:
        np.testing.assert_allclose(got, expected, rtol=1e-12)


def assert_unique_ids(rows) -> None:
    ids = [r[0] for r in rows]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
