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


def validated(fn: Callable) -> Callable:
    """``fn`` with its arguments checked first (see the module docstring); same signature."""
    params = inspect.signature(fn).parameters
    positional = [p for p in params.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    arrays = ARRAYS.get(fn.__name__, ())
    same = SAME_LENGTH.get(fn.__name__, ())

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
        _check_lengths(same, given)
        return fn(*args, **kwargs)

    return checked
