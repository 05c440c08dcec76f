"""Argument checks for the public drawing functions, in one place.

:func:`validated` wraps a plotting function so that, before anything is drawn, its arguments are
checked and a wrong one raises ``TypeError``/``ValueError`` naming the parameter, what is allowed
and what was given (the message format of :mod:`npfl_helpers._validate`). The package
``__init__`` wraps every public function of :mod:`npfl_helpers.plots` this way, so
``plots.plot_loss_line(None, ...)`` says ``ax must be a matplotlib Axes ...`` instead of failing
deep inside matplotlib.

What is checked follows each parameter's annotation:

==========================  ====================================================================
annotation                  required
==========================  ====================================================================
``Axes``                    a matplotlib ``Axes`` (``Sequence[Axes]``: a list of them)
``Mapping``                 a mapping (a ``dict``), e.g. name → values
``str`` / ``bool``          a string / ``True`` or ``False``
``int`` / ``float``         a number (an integer for ``int``); ranges are checked inside
==========================  ====================================================================

(``... | None`` also allows ``None``), and, for the parameters listed in :data:`ARRAYS`, an array
of real numbers: ``None`` inside, strings and complex numbers are refused, while NaN and ±inf
are allowed, because a diverged run is drawn, not refused. Some names mean the same everywhere:
a ``surface`` is a :class:`~npfl_helpers.surfaces.Surface`; ``labels`` and ``names`` are
sequences of names (a single string is refused), ``colors`` a colour, a sequence or a mapping of
colours;
a ``history`` is an :class:`~npfl_helpers.mlp.History` or a mapping, ``histories`` a sequence
of them; ``steps`` a number of steps or an array of them.

Then the values' shapes, lengths and keys are checked against the table of
:mod:`._check_specs` (``SPECS``: per function and parameter), whose checks are built from the
blocks of :mod:`._check_values` (``Arr``, ``Map``, ``Tuple``, ``Colors``, …) and the checks
of :mod:`._check_rules` written for one function or a few.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping

import numpy as np
from matplotlib.axes import Axes

from .._validate import ArgumentTypeError, _real_array, check_bool, describe
from ._check_specs import ARRAYS, SAME_LENGTH, specs
from ._check_values import Inst, Seq, _check_number

__all__ = ["ARRAYS", "validated"]

#: Array parameters that may also be a single value.
_SCALAR_OK = frozenset({"diverged", "theta", "full"})

_AXES_EXAMPLE = "fig.add_subplot() or plots.new_figure(1)[1][0]"


def _optional(param: inspect.Parameter) -> bool:
    return "None" in str(param.annotation) or param.default is None


def _check_axes(name: str, value, many: bool) -> None:
    if many:
        if isinstance(value, Axes) or not hasattr(value, "__iter__") or isinstance(value, str):
            raise ArgumentTypeError(f"{name} must be a sequence of matplotlib Axes, one per "
                                    f"panel; got {describe(value)}")
        for k, ax in enumerate(value):
            _check_axes(f"{name}[{k}]", ax, many=False)
        return
    if not isinstance(value, Axes):
        hint = ""
        if hasattr(value, "add_subplot"):
            hint = " (a Figure: pass one of its axes, e.g. fig.axes[0])"
        elif isinstance(value, (list, tuple, np.ndarray)):
            hint = " (a collection: pass one of its axes)"
        raise ArgumentTypeError(f"{name} must be a matplotlib Axes such as {_AXES_EXAMPLE}; got "
                                f"{describe(value)}{hint}")



def _check(name: str, param: inspect.Parameter, value, arrays: tuple[str, ...]) -> None:
    if value is None and _optional(param):
        return
    ann = str(param.annotation) if param.annotation is not inspect.Parameter.empty else ""
    if "Axes" in ann:
        _check_axes(name, value, many=ann.startswith("Sequence"))
    elif ann.startswith("Mapping"):
        if not isinstance(value, Mapping):
            raise ArgumentTypeError(f"{name} must be a mapping (a dict, e.g. name → values); got "
                                    f"{describe(value)}")
    elif ann.split(" |")[0] == "str":
        if not isinstance(value, str):
            raise ArgumentTypeError(f"{name} must be a string; got {describe(value)}")
    elif ann == "bool":
        check_bool(name, value)
    elif ann.split(" |")[0] in ("int", "float"):
        _check_number(name, value, integer=ann.startswith("int"))
    elif name in arrays:
        arr = _real_array(name, value, "an array of real numbers")
        if arr.ndim == 0 and name not in _SCALAR_OK:
            raise ValueError(f"{name} must be an array with at least one axis; got the single "
                             f"value {describe(value)}")
    elif name in _BY_NAME:
        _BY_NAME[name](name, value)


def _surface(name, value) -> None:
    if not all(hasattr(value, a) for a in ("f", "grad", "bounds")):
        raise ArgumentTypeError(f"{name} must be a Surface such as surfaces.rosenbrock(); got "
                                f"{describe(value)}")


def _sequence(name, value, what: str) -> None:
    if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__iter__"):
        raise ArgumentTypeError(f"{name} must be a sequence of {what} (a list); got "
                                f"{describe(value)}")


def _colors(name, value) -> None:
    if not isinstance(value, (Mapping, str)):
        _sequence(name, value, "colours (or a dict name → colour)")


def _history(name, value) -> None:
    if not (isinstance(value, Mapping) or hasattr(value, "train_loss")):
        raise ArgumentTypeError(f"{name} must be an mlp.History (what mlp.train returns) or a "
                                f"dict with train_loss and train_accuracy; got "
                                f"{describe(value)}")


def _histories(name, value) -> None:
    _sequence(name, value, "histories")
    for k, h in enumerate(value):
        _history(f"{name}[{k}]", h)


def _steps(name, value) -> None:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        _real_array(name, value, "a number of steps or an array of steps")


_BY_NAME: dict[str, Callable] = {
    "surface": _surface,
    "labels": lambda name, value: _sequence(name, value, "names"),
    "names": lambda name, value: _sequence(name, value, "names"),
    "colors": _colors,
    "history": _history,
    "histories": _histories,
    "steps": _steps,
}


def _check_lengths(names: tuple[str, ...], given: dict) -> None:
    """Parameters drawn against the same x must have as many values as it has."""
    lengths = {n: len(given[n]) for n in names
               if given.get(n) is not None and np.ndim(given[n]) >= 1}
    if len(set(lengths.values())) > 1:
        first = next(iter(lengths))
        for name, length in lengths.items():
            if length != lengths[first]:
                raise ValueError(f"{name} must have one value per entry of {first} "
                                 f"({lengths[first]}); got {length}")


def _annotated_classes(fn: Callable, params) -> dict[str, Callable]:
    """Checks for parameters annotated with a class of the plots package (e.g. ``artists:
    CapacityArtists``, ``paths: Sequence[PathArtists]``): what another function returned."""
    checks = {}
    for name, param in params.items():
        ann = param.annotation
        if not isinstance(ann, str):
            continue
        many = ann.startswith("Sequence[") and ann.endswith("]")
        cls = fn.__globals__.get(ann[9:-1] if many else ann)
        if not isinstance(cls, type) or not cls.__module__.startswith(__package__ + "."):
            continue
        makers = [n for n, f in fn.__globals__.items() if callable(f) and getattr(
            f, "__annotations__", {}).get("return") in (cls.__name__, f"list[{cls.__name__}]")]
        what = f"a {cls.__name__}" + (f", what plots.{makers[0]} returns" if makers else "")
        checks[name] = Seq(Inst(cls, what), f"{cls.__name__} ({what[2:]})") if many \
            else Inst(cls, what)
    return checks


def validated(fn: Callable) -> Callable:
    """``fn`` with its arguments checked first (see the module docstring); same signature."""
    params = inspect.signature(fn).parameters
    positional = [p for p in params.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    arrays = ARRAYS.get(fn.__name__, ())
    same = SAME_LENGTH.get(fn.__name__, ())
    signature = inspect.signature(fn)
    classes = _annotated_classes(fn, params)

    @functools.wraps(fn)
    def checked(*args, **kwargs):
        # only the arguments given are checked (defaults are valid); a wrong number of
        # arguments is left to Python's own message when fn is called
        given = dict(zip((p.name for p in positional), args, strict=False))
        given.update(kwargs)
        for name, value in given.items():
            param = params.get(name)
            if param is not None and param.kind is not param.VAR_KEYWORD:
                _check(name, param, value, arrays)
        for name, check in classes.items():
            if name in given and not (given[name] is None and _optional(params[name])):
                check(name, given[name], given)
        _check_lengths(same, given)
        rules = specs().get(fn.__name__)
        if rules:
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError:
                bound = None  # a wrong number of arguments: Python's own message, below
            if bound is not None:
                bound.apply_defaults()
                full = bound.arguments
                for name, spec in rules.items():
                    if name in full and not (full[name] is None and _optional(params[name])):
                        spec(name, full[name], full)
        return fn(*args, **kwargs)

    return checked
