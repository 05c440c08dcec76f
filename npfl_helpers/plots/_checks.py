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
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping

import numpy as np
from matplotlib.axes import Axes

from .._validate import ArgumentTypeError, _real_array, check_bool, check_int, describe

__all__ = ["ARRAYS", "validated"]

#: Function name → its parameters that hold arrays of numbers (NaN and inf allowed).
ARRAYS: dict[str, tuple[str, ...]] = {
    "plot_estimate_histograms": ("edges",),
    "plot_bias_against_n": ("n",),
    "plot_divisor_mse": ("n_theory", "n_measured"),
    "plot_mse_decomposition": ("bias2", "variance"),
    "variance_estimator_figure": ("estimates",),
    "update_variance_estimator_figure": ("estimates",),
    "plot_fit": ("theta",),
    "add_fit_curve": ("theta",),
    "update_fit": ("theta",),
    "plot_capacity": ("degrees", "train_mse", "test_mse"),
    "update_capacity": ("degrees", "train_mse", "test_mse"),
    "plot_lambda_path": ("lams", "train_mse", "test_mse"),
    "update_lambda_path": ("lams", "train_mse", "test_mse"),
    "plot_weights": ("theta",),
    "update_weights": ("theta",),
    "plot_distribution_bars": ("p", "q"),
    "plot_mse_and_nll": ("theta", "mse", "nll"),
    "plot_nll_against_mse": ("mse", "nll"),
    "plot_running_estimates": ("paths",),
    "plot_deviation_probability": ("m", "measured", "theory"),
    "plot_efficiency": ("m_exact", "var_exact"),
    "plot_log_likelihood_contours": ("mu", "sigma2", "loglik"),
    "landscape_figure": ("alphas", "line_train", "line_dev", "plane_alphas", "plane_betas",
                         "plane"),
    "deep_landscape_figure": ("coords", "grid"),
    "plot_gradient_variance": ("m", "measured"),
    "plot_loss_line": ("alphas", "losses"),
    "plot_loss_plane": ("alphas", "betas", "grid"),
    "plot_minibatch_cloud": ("points", "full"),
    "jacobian_figure": ("J_rows", "J_columns"),
    "plot_activations": ("a",),
    "plot_difference_errors": ("h",),
    "plot_gd_rate": ("lrs",),
    "plot_phase_diagram": ("lrs", "betas", "ratio", "diverged"),
    "plot_trajectories": ("thetas", "diverged"),
    "update_trajectories": ("thetas", "diverged"),
    "loss_curve": ("losses",),
    "plot_adagrad_steps": ("t", "sgd_step", "adagrad_step", "g_scales"),
    "plot_adam_moments": ("t", "mean_s", "mean_r"),
    "plot_eps_placement": ("g", "step_inside", "step_outside"),
    "plot_rmsprop_steps": ("t", "relative_step", "betas"),
    "plot_weight_shrink": ("w_start", "w_end", "still"),
    "plot_partial_sums": ("t",),
    "region_image": ("p",),
}

#: Function name → parameters that must have the same length (one value per x), first = the x.
SAME_LENGTH: dict[str, tuple[str, ...]] = {
    "plot_mse_decomposition": ("names", "bias2", "variance"),
    "plot_capacity": ("degrees", "train_mse", "test_mse"),
    "update_capacity": ("degrees", "train_mse", "test_mse"),
    "plot_lambda_path": ("lams", "train_mse", "test_mse"),
    "update_lambda_path": ("lams", "train_mse", "test_mse"),
    "plot_distribution_bars": ("p", "q"),
    "plot_mse_and_nll": ("theta", "mse", "nll"),
    "plot_nll_against_mse": ("mse", "nll"),
    "plot_deviation_probability": ("m", "measured", "theory"),
    "plot_gradient_variance": ("m", "measured"),
    "plot_loss_line": ("alphas", "losses"),
    "plot_adagrad_steps": ("t", "sgd_step", "adagrad_step"),
    "plot_eps_placement": ("g", "step_inside", "step_outside"),
}

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


def _check_number(name: str, value, integer: bool) -> None:
    if integer:
        check_int(name, value)
        return
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        return
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)) \
            or isinstance(value, (complex, np.complexfloating)):
        raise ArgumentTypeError(f"{name} must be a real number; got {describe(value)}")


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
        specs = _specs().get(fn.__name__)
        if specs:
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError:
                bound = None  # a wrong number of arguments: Python's own message, below
            if bound is not None:
                bound.apply_defaults()
                full = bound.arguments
                for name, spec in specs.items():
                    if name in full and not (full[name] is None and _optional(params[name])):
                        spec(name, full[name], full)
        return fn(*args, **kwargs)

    return checked


# ---------------------------------------------------------------------------------------------
# What the values must look like: shapes, lengths, keys (checked after the kinds above)


class Arr:
    """An array of real numbers with ``ndim`` axes (an int or a tuple of them) and at least one
    value; ``like``: as many entries (along the first axis) as that parameter; ``positive``:
    values above 0 where not NaN (a log axis); ``shape``: a function of the arguments giving
    the whole shape required (``None`` entries: any length)."""

    def __init__(self, ndim=1, *, like: str | None = None, positive: bool = False,
                 shape: Callable | None = None, what: str = ""):
        self.ndim = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        self.like, self.positive, self.shape, self.what = like, positive, shape, what

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
                raise ValueError(f"{name} must have shape {shown}; got {arr.shape}")
        if self.positive and arr.dtype.kind != "b":
            with np.errstate(invalid="ignore"):
                bad = ~(arr > 0) & ~np.isnan(arr)
            if bad.any():
                raise ValueError(f"{name} must hold positive numbers (drawn on a log axis); "
                                 f"got {describe(arr[bad].flat[0])}")
        return arr


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
    return shape


def _rows_like(param: str) -> Callable:
    """Shape (len(args[param]), any)."""
    def shape(args):
        if args.get(param) is None or np.ndim(args[param]) < 1:
            return None
        return (len(args[param]), None)
    return shape


def _types():
    """The classes that some parameters must be (imported here, late, to keep imports light)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    from .. import estimators, generalization, live_training
    return {
        "run": Inst(live_training.LiveTraining, "a live_training.LiveTraining (a run to draw)"),
        "swap": Inst(generalization.RankSwap, "a RankSwap, what generalization.rank_swap() "
                     "returns"),
        "selection": Inst(generalization.Selection, "a Selection, what "
                          "generalization.select_on_validation() returns"),
        "eff": Inst(estimators.Efficiency, "an Efficiency, what "
                    "estimators.mean_median_experiment() returns"),
        "bars": Seq(Inst(Rectangle, "a bar"), "bars (what plots.plot_weights returns)"),
        "lines": Seq(Inst(Line2D, "a matplotlib Line2D"), "lines (what the plot_ function "
                     "returns)"),
    }


def _divisor_keys(args: dict):
    """The divisor offsets that plot_divisor_mse has a colour and a label for."""
    from .statistics import DIVISOR_COLORS, DIVISOR_LABELS
    colors, labels = args.get("colors") or DIVISOR_COLORS, args.get("labels") or DIVISOR_LABELS
    if not (isinstance(colors, Mapping) and isinstance(labels, Mapping)):
        return None
    return [k for k in colors if k in labels]


def _losses(name: str, value, args: dict) -> None:
    """plot_losses: an array (steps + 1,) or (steps + 1, K), or a mapping name → (steps + 1,)."""
    if isinstance(value, Mapping):
        Map(_V1, what="loss curves")(name, value, args)
    else:
        Arr((1, 2), what="a 1-D or 2-D array of losses (steps + 1, K)")(name, value, args)


def _weights_for_bars(name: str, value, args: dict) -> None:
    """update_weights: at most one weight per bar (the bars beyond get height 0)."""
    arr = _V1(name, value, args)
    bars = args.get("bars")
    if isinstance(bars, (list, tuple)) and len(arr) > len(bars):
        raise ValueError(f"{name} must have at most one weight per bar ({len(bars)}); got "
                         f"{len(arr)}")


_XY = Tuple(Arr(1), Arr(1), what="(x, y) of 1-D arrays", same=True)
_V1 = Arr(1)
_POS1 = Arr(1, positive=True)

#: Function name → parameter → check(name, value, arguments): the values' shapes, lengths and
#: keys, after the kinds above. Filled in by _specs() the first time a function is called.
SPECS: dict[str, dict[str, Callable]] = {}


def _specs() -> dict[str, dict[str, Callable]]:
    if SPECS:
        return SPECS
    t = _types()
    lam = Arr(1, positive=True, what="a 1-D array of curvatures λ > 0")
    SPECS.update({
        "plot_estimate_histograms": {
            "edges": Arr(1), "counts": Map(Arr(1, shape=lambda a: (
                len(a["edges"]) - 1,) if np.ndim(a.get("edges")) == 1 else None),
                what="bin heights"),
            "means": Map(_finite, keys_of="counts", what="numbers"),
            "predicted": Map(_finite, keys_of="counts", what="numbers")},
        "plot_running_means": {"running": Map(_V1, what="running means"),
                               "predicted": Map(_finite, keys_of="running", what="numbers")},
        "plot_bias_against_n": {"n": _POS1, "theory": Map(Arr(1, like="n"),
                                                          what="arrays over n")},
        "plot_divisor_mse": {"n_theory": _POS1, "theory": Map(Arr(1, like="n_theory"),
                                                              keys_in=_divisor_keys,
                                                              what="arrays over n"),
                             "n_measured": _POS1,
                             "measured": Map(Arr(1, like="n_measured"), keys_in=_divisor_keys,
                                             what="arrays over n_measured"),
                             "errors": Map(Arr(1, like="n_measured"), keys_of="measured",
                                           what="arrays over n_measured")},
        "plot_fit": {"train": _XY, "test": _XY, "theta": _V1, "ylim": _limits},
        "update_fit": {"theta": _V1, "train": _XY, "test": _XY},
        "add_fit_curve": {"theta": _V1},
        "plot_weights": {"theta": _V1, "ylim": _limits},
        "update_weights": {"bars": t["bars"], "theta": _weights_for_bars},
        "plot_selection": {"selection": t["selection"]},
        "plot_rank_swap": {"swap": t["swap"]},
        "plot_efficiency": {"eff": t["eff"], "m_exact": _POS1,
                            "var_exact": Arr(1, like="m_exact")},
        "plot_running_estimates": {"paths": Arr(2, what="a 2-D array (runs, m) of running "
                                                "estimates"),
                                   "theta": _finite, "eps": _positive, "ylim": _limits,
                                   "current": _positive_int},
        "plot_deviation_probability": {"m": _POS1, "measured": Arr(1, like="m"),
                                       "theory": Arr(1, like="m")},
        "plot_log_likelihood_contours": {
            "mu": _V1, "sigma2": _POS1, "loglik": Arr(2, shape=_shape_of("sigma2", "mu")),
            "mle": Tuple(_finite, _finite, what="(μ, σ²) of numbers"),
            "others": Map(Tuple(_finite, _finite, what="(μ, σ²) of numbers"),
                          what="(μ, σ²) points")},
        "plot_loss_plane": {"alphas": _V1, "betas": _V1,
                            "grid": Arr(2, shape=_shape_of("betas", "alphas"))},
        "landscape_figure": {"alphas": _V1, "line_train": Arr(1, like="alphas"),
                             "line_dev": Arr(1, like="alphas"), "plane_alphas": _V1,
                             "plane_betas": _V1,
                             "plane": Arr(2, shape=_shape_of("plane_betas", "plane_alphas"))},
        "deep_landscape_figure": {
            "coords": _V1, "grid": _V1,
            "lines": Map(Arr((1, 2)), what="loss curves over coords"),
            "planes": Map(Arr(2, shape=_shape_of("grid", "grid")),
                          what="loss surfaces over grid × grid")},
        "jacobian_figure": {"J_rows": Arr(2), "J_columns": Arr(2, shape=lambda a: np.shape(
            a["J_rows"]) if np.ndim(a.get("J_rows")) == 2 else None)},
        "plot_matrices": {"matrices": Map(Arr(2), what="2-D arrays")},
        "plot_layer_gradients": {"norms": Map(_V1, what="gradient norms per layer")},
        "plot_difference_errors": {"h": _POS1, "errors": Map(Arr(1, like="h"),
                                                             what="errors over h")},
        "plot_training_curves": {"curves": Map(Tuple(_V1, _V1, what="(x, y) of 1-D arrays",
                                                     same=True), what="(x, y) pairs")},
        "plot_accuracies": {"accuracies": Map(_finite, what="accuracies")},
        "plot_minibatch_cloud": {"points": Arr(2, shape=lambda a: (None, 2)),
                                 "full": Arr(1, shape=lambda a: (2,))},
        "plot_noise_floors": {"mean_loss": Map(_V1, what="mean losses per step"),
                              "floors": Map(Tuple(_finite, _finite, what="(lr, floor)"),
                                            what="(lr, floor) pairs"),
                              "colors": Map(None, keys_of="mean_loss", what="colours")},
        "plot_partial_sums": {"t": _POS1, "sums": Map(Tuple(Arr(1, like="t"), Arr(1, like="t"),
                                                            what="(Σα, Σα²) over t"),
                                                      what="(Σα, Σα²) pairs")},
        "plot_schedules": {"schedules": Map(_callable, what="schedules")},
        "plot_schedules_lin_log": {"schedules": Map(_callable, what="schedules")},
        "plot_phase_diagram": {"lrs": _POS1, "betas": _V1,
                               "ratio": Arr(2, shape=_shape_of("betas", "lrs")),
                               "diverged": Arr((0, 2), shape=lambda a: None if np.ndim(
                                   a.get("diverged")) == 0 else _shape_of("betas", "lrs")(a)),
                               "lambda_max": _positive,
                               "optimum": Tuple(_finite, _finite, what="(lr, β) of numbers")},
        "plot_gd_rate": {"lambda_min": _positive, "lambda_max": _positive, "lrs": _POS1},
        "plot_lr_regimes": {"lambda_max": _positive,
                            "lr_range": Tuple(_positive, _positive, what="(low, high) of "
                                              "positive numbers")},
        "plot_direction_errors": {"u": Arr(2, shape=lambda a: (None, len(a["lambdas"]))
                                           if np.ndim(a.get("lambdas")) == 1 else None),
                                  "lambdas": lam},
        "update_direction_errors": {"lines": t["lines"], "u": Arr(2, shape=lambda a: (
            None, len(a["lines"])) if isinstance(a.get("lines"), (list, tuple)) else None)},
        "plot_roots": {"lambdas": lam, "lr": _positive, "beta": _unit},
        "update_roots": {"lambdas": lam, "lr": _positive, "beta": _unit},
        "plot_rate_vs_beta": {"lambdas": lam, "lr": _positive, "beta": _unit},
        "update_rate_vs_beta": {"lambdas": lam, "lr": _positive, "beta": _unit},
        "plot_noise_floor_vs_beta": {"lambdas": lam, "lr": _positive, "beta": _unit,
                                     "sigma": _finite},
        "update_noise_floor_vs_beta": {"lines": t["lines"], "lambdas": lam, "lr": _positive,
                                       "beta": _unit, "sigma": _finite},
        "plot_adagrad_steps": {"t": _POS1, "sgd_step": Arr(2, like="t"),
                               "adagrad_step": Arr(2, like="t"),
                               "g_scales": Arr(1, positive=True, shape=lambda a: (np.shape(
                                   a["sgd_step"])[1],) if np.ndim(a.get("sgd_step")) == 2
                                   else None), "lr": _positive},
        "plot_adam_moments": {"t": _POS1, "mean_s": Arr(1, like="t"),
                              "mean_r": Arr(1, like="t"), "beta1": _unit, "beta2": _unit,
                              "mean_g": _finite, "mean_g2": _finite,
                              "runs": _positive_int},
        "plot_rmsprop_steps": {"t": _POS1, "betas": Arr(1, what="a 1-D array of decay rates"),
                               "relative_step": Arr(2, shape=_shape_of("t", "betas"))},
        "plot_eps_placement": {"g": _POS1, "eps": _positive},
        "plot_losses": {"losses": _losses},
        "plot_mse_and_nll": {"theta": _V1},
        "plot_nll_against_mse": {"mse": _V1},
        "playground_figure": {"run": t["run"]},
        "plot_playground": {"run": t["run"]},
        "plot_regions": {"run": t["run"]},
        "playground_title": {"run": t["run"]},
        "settings_text": {"run": t["run"]},
        "update_playground": {"run": t["run"]},
        "compare_runs": {"runs": Map(t["run"], what="live_training.LiveTraining runs")},
        "history_legend": {"runs": Map(None, what="line styles")},
        "race_animation": {"trajectories": Map(Arr(2, shape=lambda a: (None, 2)),
                                               what="paths (steps, 2)"),
                           "n": _positive_int, "max_frames": _positive_int},
        "optimizer_figure": {"n": lambda name, v, a: check_int(name, v, low=2)},
        "plot_surface": {"n": lambda name, v, a: check_int(name, v, low=2)},
        "new_figure": {"ncols": _positive_int},
        "variance_estimator_figure": {"estimates": Arr(2)},
        "update_variance_estimator_figure": {"estimates": Arr(2)},
    })
    return SPECS
