"""Checks written for one drawing function or a few (used in :data:`~._check_specs.SPECS`):
the values a figure needs beyond a shape, e.g. whole steps, decay rates in [0, 1), an index
into the degrees drawn, or a number small enough to be drawn; built like the blocks of
:mod:`._check_values` as ``check(name, value, arguments)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from .._validate import ArgumentTypeError, check_choice, describe
from ._check_values import Arr, Inst, Map, Seq, Tuple, _finite_in, _int_in


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


def _steps(name: str, value, args: dict) -> None:
    """plot_schedules: a number of steps, or a 1-D array of steps (integers >= 0)."""
    if np.ndim(value) == 0:
        _int_in(1, 10**7)(name, value, args)
        return
    arr = Arr(1, finite=True, low=0, what="a 1-D array of steps")(name, value, args)
    if arr.dtype.kind == "f" and not np.all(arr == np.round(arr)):
        raise ValueError(f"{name} must hold whole steps (integers >= 0); got "
                         f"{describe(arr[arr != np.round(arr)][0])}")


def _decay_rates(name: str, value, args: dict) -> None:
    """A 1-D array of decay rates β in [0, 1)."""
    arr = Arr(1, finite=True, what="a 1-D array of decay rates in [0, 1)")(name, value, args)
    bad = (arr < 0) | (arr >= 1)
    if bad.any():
        raise ValueError(f"{name} must hold decay rates in [0, 1); got "
                         f"{describe(arr[bad][0])}")


def _activation_grid(name: str, value, args: dict) -> None:
    """plot_activations: a grid of pre-activations spanning a range (the x axis)."""
    arr = Arr(1, finite=True, what="a 1-D grid of pre-activations")(name, value, args)
    if not arr.min() < arr.max():
        raise ValueError(f"{name} must span a range (at least two different values, the x "
                         f"axis); got {describe(value)}")


def _activation_names(name: str, value, args: dict) -> None:
    from ..mlp import ACTIVATIONS
    Seq(lambda n, v, a: check_choice(n, v, ACTIVATIONS), "activation names")(name, value, args)


def _still(name: str, value, args: dict) -> None:
    """plot_weight_shrink: a boolean array of w_start's shape (or one that broadcasts to it)."""
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf" or (arr.dtype.kind != "b" and not np.isin(arr, (0, 1)).all()):
        raise ArgumentTypeError(f"{name} must be a boolean array (True: the weight has no loss "
                                f"gradient); got {describe(value)}")
    shape = np.shape(args.get("w_start"))
    try:
        ok = np.broadcast_shapes(arr.shape, shape) == shape
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"{name} must have the shape of w_start {shape} (or broadcast to it); "
                         f"got shape {arr.shape}")


def _per_artist(field: str) -> Callable:
    """One value per curve drawn: len(artists.<field>)."""
    def shape(args):
        drawn = getattr(args.get("artists"), field, None)
        return None if drawn is None else (len(drawn),)
    shape.text = f" (one per curve in artists.{field})"
    return shape


def _weights_for_bars(name: str, value, args: dict) -> None:
    """update_weights: at most one weight per bar (the bars beyond get height 0)."""
    arr = _V1(name, value, args)
    bars = args.get("bars")
    if isinstance(bars, (list, tuple)) and len(arr) > len(bars):
        raise ValueError(f"{name} must have at most one weight per bar ({len(bars)}); got "
                         f"{len(arr)}")


_MAX_INT = 10**15  # counts (steps, sample sizes) beyond this cannot be drawn or computed
_GRID = _int_in(2, 2000)  # points per side of a contour grid


def _moderate(name: str, value, args: dict) -> None:
    """A positive scale (ε, σ², a factor) at most 1e100: beyond, the axes overflow."""
    _finite_in(0.0, 1e100)(name, value, args)
    if not value > 0:
        raise ValueError(f"{name} must be a positive number (at most 1e100); got "
                         f"{describe(value)}")


def _at_most(high: float) -> Callable:
    """No number above ``high`` (the function itself checks the rest of the range)."""
    def check(name: str, value, args: dict) -> None:
        if isinstance(value, (int, float, np.integer, np.floating)) and value > high:
            raise ValueError(f"{name} must be at most {high:g} (beyond, the figure cannot be "
                             f"computed); got {describe(value)}")
    return check


def _degree_index(name: str, value, args: dict) -> None:
    """update_capacity: the degree marked, an index into degrees (which start at 0)."""
    degrees = args.get("degrees")
    high = len(degrees) - 1 if np.ndim(degrees) == 1 and len(degrees) else None
    _int_in(0, high)(name, value, args)


def _log_curve(name: str, value, args: dict) -> None:
    """A curve against the steps 0, 1, … on log–log axes: step 0 is not drawn, so at least two
    values, and one of them positive."""
    arr = Arr(1, some_positive=True)(name, value, args)
    if len(arr) < 2:
        raise ValueError(f"{name} must hold at least two values (steps 0, 1, … on a log axis, "
                         f"where step 0 is not drawn); got {len(arr)}")


def _curves_over(param: str) -> Callable:
    """A curve (n,) or curves (k, n) over the n values of that parameter (the last axis)."""
    def check(name: str, value, args: dict) -> None:
        arr = Arr((1, 2))(name, value, args)
        if np.ndim(args.get(param)) == 1 and arr.shape[-1] != len(args[param]):
            raise ValueError(f"{name} must have one value per entry of {param} "
                             f"({len(args[param])}) along its last axis; got shape {arr.shape}")
    return check


def _bins_of_edges(args):
    """Shape (len(edges) - 1,): one bin height per pair of neighbouring edges."""
    return (len(args["edges"]) - 1,) if np.ndim(args.get("edges")) == 1 else None


_bins_of_edges.text = " = (len(edges) - 1,)"


def _lams_with_curves(name: str, value, args: dict) -> None:
    """update_lambda_path: new λ values come with their two curves."""
    _POS_AXIS(name, value, args)
    for other in ("train_mse", "test_mse"):
        if args.get(other) is None:
            raise ArgumentTypeError(f"{other} must be given with {name} (an array of MSEs, one "
                                    f"per λ); got None")


def _columns_of(param: str) -> Callable:
    """Shape (any, len(args[param])): one column per value of that parameter."""
    def shape(args):
        return (None, len(args[param])) if np.ndim(args.get(param)) == 1 else None
    shape.text = f" = (any, len({param}))"
    return shape


def _like_J_rows(args):
    return np.shape(args["J_rows"]) if np.ndim(args.get("J_rows")) == 2 else None


_like_J_rows.text = " (that of J_rows)"
_HISTORY_KEYS = ("train_loss", "train_accuracy", "dev_loss", "dev_accuracy")
_XY = Tuple(Arr(1), Arr(1), what="(x, y) of 1-D arrays", same=True)
_V1 = Arr(1)
_POS1 = Arr(1, positive=True)
_POS_AXIS = Arr(1, positive=True, finite=True)  # an x axis on a log scale
