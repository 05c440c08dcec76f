"""The building blocks of the value checks in :data:`~._check_specs.SPECS`: what an argument
must look like once its kind is right (shape, length, keys, range).

Each is a callable ``check(name, value, arguments)`` raising ``TypeError``/``ValueError`` that
names the parameter (``name``, e.g. ``theory['n - 1']`` inside a mapping), what is allowed and
what was given; ``arguments`` holds every argument of the call (defaults filled in), so a check
can compare with another parameter (``Arr(1, like="n")``: one entry per value of ``n``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from .._validate import ArgumentTypeError, _real_array, check_int, describe


def _check_number(name: str, value, integer: bool) -> None:
    if integer:
        check_int(name, value)
        return
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        return
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
        raise ValueError(f"{name} must be a real number; got the integer {value:.3g}, too large"
                         f" for numpy (write it as a float, e.g. {float(value):.0e})")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)) \
            or isinstance(value, (complex, np.complexfloating)):
        raise ArgumentTypeError(f"{name} must be a real number; got {describe(value)}")


class Arr:
    """An array of real numbers with ``ndim`` axes (an int or a tuple of them) and at least one
    value; ``like``: as many entries (along the first axis) as that parameter; ``positive``:
    values above 0 where not NaN (a log axis); ``shape``: a function of the arguments giving
    the whole shape required (``None`` entries: any length; its ``text`` attribute, if any,
    says where it comes from); ``finite``: no NaN or ±inf; ``some_finite``: at least one finite
    value (a colour scale or axis limits need one); ``some_positive``: at least one finite value
    above 0 (a curve on a log axis); ``low``: no value below it."""

    def __init__(self, ndim=1, *, like: str | None = None, positive: bool = False,
                 shape: Callable | None = None, what: str = "", finite: bool = False,
                 some_finite: bool = False, some_positive: bool = False,
                 low: float | None = None):
        self.ndim = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        self.like, self.positive, self.shape, self.what = like, positive, shape, what
        self.finite, self.some_finite, self.low = finite, some_finite, low
        self.some_positive = some_positive

    def describe(self) -> str:
        axes = " or ".join(f"{n}-D" for n in self.ndim)
        return self.what or f"a {axes} array of real numbers"

    def __call__(self, name: str, value, args: dict) -> np.ndarray:
        arr = _real_array(name, value, self.describe())
        if arr.ndim not in self.ndim:
            raise ValueError(f"{name} must be {self.describe()}; got shape {arr.shape}")
        if arr.size == 0:
            raise ValueError(f"{name} must not be empty; got shape {arr.shape}")
        if self.like is not None and args.get(self.like) is not None \
                and np.ndim(args[self.like]) >= 1 and len(arr) != len(args[self.like]):
            raise ValueError(f"{name} must have one entry per value of {self.like} "
                             f"({len(args[self.like])}); got {len(arr)} (shape {arr.shape})")
        if self.shape is not None:
            want = self.shape(args)
            if want is not None and (len(want) != arr.ndim or any(
                    w is not None and w != g for w, g in zip(want, arr.shape, strict=True))):
                shown = "(" + ", ".join("any" if w is None else str(w) for w in want) + \
                    ("," if len(want) == 1 else "") + ")"
                source = getattr(self.shape, "text", "")
                raise ValueError(f"{name} must have shape {shown}{source}; got {arr.shape}")
        if self.positive and arr.dtype.kind != "b":
            with np.errstate(invalid="ignore"):
                bad = ~(arr > 0) & ~np.isnan(arr)
            if bad.any():
                raise ValueError(f"{name} must hold positive numbers (drawn on a log axis); "
                                 f"got {describe(arr[bad].flat[0])}")
        if arr.dtype.kind != "b":
            self._check_values(name, arr)
        return arr

    def _check_values(self, name: str, arr: np.ndarray) -> None:
        finite = np.isfinite(arr)
        if self.finite and not finite.all():
            raise ValueError(f"{name} must hold finite numbers (no NaN or inf); got "
                             f"{describe(arr[~finite].flat[0])} at index "
                             f"{np.unravel_index(np.flatnonzero(~finite)[0], arr.shape)}")
        if self.some_finite and not finite.any():
            raise ValueError(f"{name} must hold at least one finite number (there is nothing to "
                             f"draw otherwise); got only NaN or inf (shape {arr.shape})")
        if self.some_positive and not (finite & (np.where(finite, arr, 0) > 0)).any():
            raise ValueError(f"{name} must hold at least one finite number above 0 (drawn on a "
                             f"log axis); got none (shape {arr.shape})")
        if self.low is not None:
            with np.errstate(invalid="ignore"):
                bad = arr < self.low
            if bad.any():
                raise ValueError(f"{name} must hold numbers >= {self.low:g}; got "
                                 f"{describe(arr[bad].flat[0])}")


class Map:
    """A non-empty mapping whose values each pass ``values`` (named ``name[key]``);
    ``keys_of``: it must have every key of that mapping parameter."""

    def __init__(self, values: Callable | None = None, *, keys_of: str | None = None,
                 keys_in: Callable | None = None, what: str = "values"):
        self.values, self.keys_of, self.keys_in, self.what = values, keys_of, keys_in, what

    def __call__(self, name: str, value, args: dict) -> None:
        if not isinstance(value, Mapping):
            raise ArgumentTypeError(f"{name} must be a mapping (a dict name → {self.what}); got "
                                    f"{describe(value)}")
        if not value:
            raise ValueError(f"{name} must have at least one entry (a dict name → {self.what});"
                             " got an empty mapping")
        other = args.get(self.keys_of) if self.keys_of else None
        if isinstance(other, Mapping):
            missing = [k for k in other if k not in value]
            if missing:
                raise ValueError(f"{name} must have an entry for every key of {self.keys_of} "
                                 f"({_keys(other)}); got keys {_keys(value)}, missing "
                                 f"{missing[0]!r}")
        allowed = self.keys_in(args) if self.keys_in else None
        if allowed is not None:
            wrong = [k for k in value if k not in allowed]
            if wrong:
                raise ValueError(f"{name} must have keys among {_keys(allowed)}; got "
                                 f"{wrong[0]!r}")
        if self.values is not None:
            for key, v in value.items():
                self.values(f"{name}[{key!r}]", v, args)


def _keys(mapping: Mapping) -> str:
    keys = [repr(k) for k in mapping]
    return ", ".join(keys[:6]) + (", …" if len(keys) > 6 else "")


class Tuple:
    """A tuple or list of exactly ``len(items)`` values, each passing its item check (named
    ``name[k]``); ``what`` says what it holds, e.g. ``"(x, y)"``. ``same``: all items have
    the same length."""

    def __init__(self, *items: Callable, what: str, same: bool = False):
        self.items, self.what, self.same = items, what, same

    def __call__(self, name: str, value, args: dict) -> None:
        if isinstance(value, (str, bytes, Mapping, np.ndarray)) or not isinstance(
                value, (tuple, list)) or len(value) != len(self.items):
            kind = "a pair" if len(self.items) == 2 else f"a tuple of {len(self.items)}"
            raise ArgumentTypeError(f"{name} must be {kind} {self.what}; got "
                                    f"{describe(value)}")
        arrays = [check(f"{name}[{k}]", v, args)
                  for k, (check, v) in enumerate(zip(self.items, value, strict=True))]
        if self.same and len({len(a) for a in arrays if np.ndim(a) >= 1}) > 1:
            raise ValueError(f"{name} must be {self.what} of the same length; got lengths "
                             + ", ".join(str(len(a)) for a in arrays))


class Inst:
    """An instance of ``cls`` (a class or a tuple), e.g. what another function returns."""

    def __init__(self, cls, what: str):
        self.cls, self.what = cls, what

    def __call__(self, name: str, value, args: dict) -> None:
        if not isinstance(value, self.cls):
            raise ArgumentTypeError(f"{name} must be {self.what}; got {describe(value)}")


class Seq:
    """A non-empty list or tuple whose items each pass ``item``."""

    def __init__(self, item: Callable, what: str):
        self.item, self.what = item, what

    def __call__(self, name: str, value, args: dict) -> None:
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (list, tuple)):
            raise ArgumentTypeError(f"{name} must be a list of {self.what}; got "
                                    f"{describe(value)}")
        if not value:
            raise ValueError(f"{name} must hold at least one of {self.what}; got an empty "
                             f"{type(value).__name__}")
        for k, v in enumerate(value):
            self.item(f"{name}[{k}]", v, args)


def _limits(name: str, value, args: dict) -> None:
    """Axis limits: a pair (low, high) of finite numbers with low < high."""
    arr = Arr(what="a pair (low, high) of numbers")(name, value, args)
    if arr.shape != (2,) or not np.isfinite(arr).all() or not arr[0] < arr[1]:
        raise ValueError(f"{name} must be a pair (low, high) of finite numbers with low < high;"
                         f" got {describe(value)}")


def _number(name: str, value, args: dict) -> None:
    _check_number(name, value, integer=False)


def _finite(name: str, value, args: dict) -> None:
    _check_number(name, value, integer=False)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number; got {describe(value)}")


def _positive(name: str, value, args: dict) -> None:
    _finite(name, value, args)
    if not value > 0:
        raise ValueError(f"{name} must be a positive number; got {describe(value)}")


def _unit(name: str, value, args: dict) -> None:
    """A decay rate β in [0, 1)."""
    _finite(name, value, args)
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be a number in [0, 1) (a decay rate); got "
                         f"{describe(value)}")


def _positive_int(name: str, value, args: dict) -> None:
    check_int(name, value, low=1)


def _callable(name: str, value, args: dict) -> None:
    if not callable(value):
        raise ArgumentTypeError(f"{name} must be a function of the step (a schedule such as "
                                f"schedules.constant(0.1)); got {describe(value)}")


def _shape_of(*dims: str) -> Callable:
    """The required shape: (len(args[d]) for d in dims); unknown when one is not an array."""
    def shape(args):
        if any(args.get(d) is None or np.ndim(args[d]) < 1 for d in dims):
            return None
        return tuple(len(args[d]) for d in dims)
    shape.text = " = (" + ", ".join(f"len({d})" for d in dims) + ("," if len(dims) == 1 else "") \
        + ")"
    return shape


def _int_in(low: int, high: int | None = None) -> Callable:
    """An integer in [low, high]."""
    def check(name: str, value, args: dict) -> None:
        if isinstance(value, (float, np.floating)) and high is not None and value > high:
            raise ValueError(f"{name} must be an integer in [{low}, {high}]; got {value:g}")
        check_int(name, value, low, high)
    return check


def _finite_in(low: float, high: float) -> Callable:
    """A finite number in [low, high]."""
    def check(name: str, value, args: dict) -> None:
        _finite(name, value, args)
        if not low <= value <= high:
            raise ValueError(f"{name} must be a number in [{low:g}, {high:g}]; got "
                             f"{describe(value)}")
    return check


def _colour(name: str, value, args: dict) -> None:
    """A matplotlib colour: a name, '#rrggbb' or an (r, g, b[, a]) tuple in [0, 1]."""
    from matplotlib.colors import is_color_like
    if not is_color_like(value):
        raise ArgumentTypeError(f"{name} must be a colour such as 'C0', 'black' or '#0072B2'; "
                                f"got {describe(value)}")


class Colors:
    """Colours, one per entry of the parameter ``of`` (a mapping or a sequence): a sequence of
    ``len(of)`` colours (at least that many unless ``exact``) or, if ``mapping``, a mapping
    with a colour for every key of ``of``."""

    def __init__(self, of: str, *, exact: bool = True, mapping: bool = True):
        self.of, self.exact, self.mapping = of, exact, mapping

    def __call__(self, name: str, value, args: dict) -> None:
        of = args.get(self.of)
        if of is None or isinstance(of, str) or not hasattr(of, "__len__"):
            return  # the kind check of that parameter has the say
        per = f"one colour per entry of {self.of} ({len(of)})"
        if isinstance(value, Mapping):
            if not self.mapping:
                raise ArgumentTypeError(f"{name} must be a list of colours, {per}; got a "
                                        f"mapping")
            missing = [k for k in of if k not in value]
            if missing:
                raise ValueError(f"{name} must have a colour for every entry of {self.of}; got "
                                 f"keys {_keys(value) or 'none'}, missing {missing[0]!r}")
            for k in of:
                _colour(f"{name}[{k!r}]", value[k], args)
            return
        value = list(value)
        if len(value) != len(of) if self.exact else len(value) < len(of):
            raise ValueError(f"{name} must hold {'' if self.exact else 'at least '}{per}; "
                             f"got {len(value)} colours")
        for k, c in enumerate(value[:len(of)]):
            _colour(f"{name}[{k}]", c, args)


_HISTORY_FIELDS = ("train_loss", "train_accuracy", "dev_loss", "dev_accuracy")


def _history_content(name: str, value, args: dict) -> None:
    """A training history: a ``History`` or a mapping with ``train_loss`` and
    ``train_accuracy`` (``dev_loss``, ``dev_accuracy`` optional), each a 1-D sequence of numbers
    (NaN and inf allowed: a diverged run), the losses as long as their accuracies."""
    if isinstance(value, Mapping):
        missing = [k for k in _HISTORY_FIELDS[:2] if k not in value]
        if missing:
            raise ValueError(f"{name} must have the keys train_loss and train_accuracy (and "
                             f"optionally dev_loss, dev_accuracy); got keys "
                             f"{_keys(value) or 'none'}")
        get = value.get
    elif hasattr(value, "train_loss"):
        def get(key, default=None):
            return getattr(value, key, default)
    else:
        raise ArgumentTypeError(f"{name} must be an mlp.History (what mlp.train returns) or a "
                                f"dict with train_loss and train_accuracy; got "
                                f"{describe(value)}")
    lengths = {}
    for key in _HISTORY_FIELDS:
        field = get(key, None)
        if field is None and key.startswith("dev"):
            continue
        arr = _real_array(f"{name}[{key!r}]", field, "a 1-D sequence of numbers, one per epoch")
        if arr.ndim != 1:
            raise ValueError(f"{name}[{key!r}] must be a 1-D sequence of numbers, one per "
                             f"epoch; got shape {arr.shape}")
        lengths[key] = len(arr)
    for loss, acc in (("train_loss", "train_accuracy"), ("dev_loss", "dev_accuracy")):
        if loss in lengths and acc in lengths and lengths[loss] != lengths[acc]:
            raise ValueError(f"{name}[{acc!r}] must have one value per epoch of {loss} "
                             f"({lengths[loss]}); got {lengths[acc]}")

