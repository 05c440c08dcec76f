r"""Comparing the learner's outputs with the reference, and the messages a checker prints.

Part of the checkers' machinery (the overview is in :mod:`._harness`): the tolerances of a
comparison (:func:`_close`; float32 results are compared at float32 precision), the marks
:data:`OK` and :data:`NO` that open every message, the message for a wrong output
(:func:`_mismatch`: the input, the expected and the received value, and the hint of the typical
mistake it matches), and the layout of messages (:func:`_hint`, :func:`_wrap`). Nothing here
runs the learner's code.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ._guard import _Failure
    from ._harness import _Case

OK = "✔"
NO = "✘"

_RTOL, _ATOL = 1e-7, 1e-12
_RTOL32, _ATOL32 = 1e-5, 1e-6  # for results computed in float32
# The hint for an output of the wrong shape; {out}, {got} and {expected} are filled in.
_SHAPE_HINT = ("{out} has shape {got} but must have the parameters' shape {expected}: use "
               "elementwise operations (+, *, /, np.sqrt) on whole arrays, without np.dot, sum or "
               "reshaping.")
_FLOAT32_NOTE = ("your result is float32 (PyTorch's default): it matches to float32 precision; "
                 "numpy and the reference compute in float64.")


def _close(got: np.ndarray, expected, rtol=_RTOL, atol=_ATOL) -> bool:
    if isinstance(expected, (int, np.integer)):
        return got.shape == () and bool(got == expected)
    if got.shape != np.shape(expected):
        return False
    if got.dtype == np.float32:
        rtol, atol = max(rtol, _RTOL32), max(atol, _ATOL32)
    return bool(np.allclose(got.astype(np.float64), expected, rtol=rtol, atol=atol,
                            equal_nan=True))


def _all_close(result, outputs, rtol=1e-6) -> bool:
    return all(_close(r, o, rtol=rtol, atol=1e-10) for r, o in zip(result, outputs, strict=True))


def _first_wrong(result, expected, order: Sequence[int] | None = None) -> int | None:
    for i in range(len(expected)) if order is None else order:
        if not _close(result[i], expected[i]):
            return i
    return None


def _report(failure: _Failure, case: _Case, where: str) -> str:
    if not failure.show_input:
        return failure.text
    return f"{_wrap(failure.text)}\n    {where}, with\n{_describe_input(case)}"


def _mismatch(name, out_names, case: _Case, result, i: int, where: str, generic,
              shape_hint: str = _SHAPE_HINT) -> str:
    out = out_names[i]
    got, expected = result[i].astype(np.float64), case.expected[i]
    lines = [f"{NO} {name}: output {out} is wrong {where}.", "    input:",
             _describe_input(case)]
    exp_arr = np.asarray(expected, dtype=np.float64)
    if got.shape == exp_arr.shape and exp_arr.size > 12:
        with np.errstate(all="ignore"):
            far = ~np.isclose(got, exp_arr, rtol=_RTOL, atol=_ATOL, equal_nan=True)
        idx = tuple(int(j) for j in np.argwhere(far)[0])
        lines.append(f"    first difference at index {idx if len(idx) > 1 else idx[0]}:")
        lines.append(f"    expected: {out}{list(idx)} = {_show(exp_arr[idx])}")
        lines.append(f"    got:      {out}{list(idx)} = {_show(got[idx])}")
    else:
        lines.append(f"    expected: {out} = {_show(expected, prefix=f'    expected: {out} = ')}")
        lines.append(f"    got:      {out} = {_show(got, prefix=f'    got:      {out} = ')}")
    finite = bool(np.all(np.isfinite(got)))
    if isinstance(expected, (int, np.integer)):
        hint = generic.get(out, "")
    elif got.shape != np.shape(expected):
        hint = shape_hint.format(out=out, got=got.shape, expected=np.shape(expected))
    else:
        hits = [h for h, outs in case.variants if _all_close(result, outs)]
        if not hits:
            hits = [h for h, outs in case.variants if _close(result[i], outs[i], 1e-6, 1e-10)]
        if hits:
            hint = hits[0] if finite else f"{hits[0]} ({out} is not finite: NaN or ±inf.)"
        elif not finite:
            hint = f"{out} is not finite: look for a division by zero or a square root of a " \
                   "negative number."
        else:
            hint = case.fallback or generic.get(out, "")
    if result[i].dtype == np.float32:
        hint = f"{hint} (Your result is float32; it was compared at float32 precision.)".strip()
    if hint:
        lines.append(_hint(hint))
    return "\n".join(lines)


def _show(x, prefix: str = "") -> str:
    """``x`` (one of the checker's own values) for a message; ``prefix`` precedes it on its line."""
    if isinstance(x, np.ndarray) and x.ndim == 0:
        x = x.item()
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        return str(int(x))
    if isinstance(x, (float, np.floating)):
        return f"{float(x):.6g}"
    if callable(x):
        return getattr(x, "__doc__", None) or "a function"
    arr = np.asarray(x)
    if arr.dtype.kind in "biuf":
        return np.array2string(arr, precision=6, separator=", ", max_line_width=96,
                               prefix=prefix, threshold=12, edgeitems=3)
    return repr(x)


def _describe_input(case: _Case, indent: str = "      ") -> str:
    """One line per argument, ``name = value``."""
    return "\n".join(f"{indent}{key} = {_show(value, prefix=f'{indent}{key} = ')}"
                     for key, value in case.args)


def _hint(text: str, label: str = "  Hint: ") -> str:
    return textwrap.fill(text, width=92, break_on_hyphens=False, initial_indent=label,
                         subsequent_indent="        ")


def _wrap(text: str) -> str:
    return "\n".join(textwrap.fill(line, width=92, break_on_hyphens=False,
                                   subsequent_indent="  ") for line in text.split("\n"))
