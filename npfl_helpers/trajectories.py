r"""Optimiser runs read for display: stacked paths, loss gaps, divergence, what a plot shows.

:func:`npfl_helpers.optim.run` returns the points :math:`\theta_0, \theta_1, \dots` of one or
many runs; a diverged run is frozen and its later points are NaN. The figures of
:mod:`npfl_helpers.plots` draw these runs; what they draw is computed here, without matplotlib,
so it is tested on its own:

- :func:`as_runs`, :func:`stack_runs`, :func:`stack_curves`: runs of different lengths as one
  array, missing steps NaN;
- :func:`diverged_runs`: which runs diverged (flagged, or their points became non-finite);
- :func:`loss_curve`: the gap :math:`J(\theta_t) - J^*` as a log axis can show it;
- :func:`first_step_below`: the step at which a loss first falls below a tolerance;
- :func:`run_outcome`: how a race of runs ended (who got close to the minimum first, who ends
  lowest, who diverged or is growing), the data behind a figure's title;
- :func:`symlog_scale`: the linear range and tick spacing of a symlog loss axis;
- :func:`loss_range`: the y range loss curves need, a diverging run capped;
- :func:`visible_path`: a path cut at step ``upto`` and clipped to a plot box, with the point
  where a diverged run was last seen (the "×" of the figures);
- :func:`nice_ceil`: a number rounded up to 1, 2 or 5 (or other steps) times a power of ten,
  for axis limits that change only now and then.

>>> loss_curve([3.0, 1.0, np.nan], f_min=1.0)
array([2.e+00, 1.e-12,    nan])
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import NamedTuple

import numpy as np

from ._validate import (
    ArgumentTypeError,
    check_array,
    check_bool,
    check_callable,
    check_int,
    check_range,
    describe,
)

__all__ = [
    "RunOutcome",
    "StackedRuns",
    "VisiblePath",
    "as_runs",
    "diverged_runs",
    "exit_point",
    "first_step_below",
    "loss_curve",
    "loss_range",
    "nice_ceil",
    "run_outcome",
    "stack_curves",
    "stack_runs",
    "symlog_scale",
    "visible_path",
]

FAR = 1e6  #: path points farther than FAR box-widths from the box are clipped there


def as_runs(thetas) -> np.ndarray:
    """Paths in the plane as a float array ``(T, K, 2)``: K runs of T points each.

    ``thetas`` has shape ``(T, 2)`` (one run) or ``(T, K, 2)``, or is a ``Trajectory``.

    >>> as_runs(np.zeros((5, 2))).shape
    (5, 1, 2)
    """
    return _runs("thetas", thetas)


def _runs(name: str, thetas) -> np.ndarray:
    """:func:`as_runs` with errors naming ``name``."""
    thetas = check_array(name, getattr(thetas, "thetas", thetas), finite=False)
    if thetas.ndim == 2:
        thetas = thetas[:, None, :]
    if thetas.ndim != 3 or thetas.shape[-1] != 2:
        raise ValueError(f"{name} must have shape (steps + 1, 2) or (steps + 1, K, 2); "
                         f"got shape {thetas.shape}")
    return thetas


def _bounds(bounds) -> tuple[tuple[float, float], tuple[float, float]]:
    """``((x0, x1), (y0, y1))`` as floats, each pair in increasing order."""
    b = check_array("bounds", bounds, shape=(2, 2))
    b.sort(axis=1)
    return (float(b[0, 0]), float(b[0, 1])), (float(b[1, 0]), float(b[1, 1]))


def _point(name: str, value) -> np.ndarray:
    return check_array(name, value, shape=(2,))


def diverged_runs(runs, diverged=None) -> np.ndarray:
    """Which of the K runs in ``runs`` ``(T, K, 2)`` diverged: a bool array ``(K,)``.

    ``diverged`` (a bool or K bools) says so explicitly; when None, a run counts as diverged if
    any of its points is not finite (as :func:`npfl_helpers.optim.run` leaves a diverged run).
    """
    runs = _runs("runs", runs)
    if diverged is None:
        return ~np.all(np.isfinite(runs), axis=(0, 2))
    return _flags(diverged, runs.shape[1])


def _flags(diverged, K: int) -> np.ndarray:
    """``diverged`` (a bool or K bools, 0/1 allowed) as a bool array ``(K,)``."""
    what = f"None, a bool or {K} bools (one per run)"
    try:
        flags = np.asarray(diverged)
    except Exception:  # noqa: BLE001 - e.g. a ragged list
        flags = None
    if flags is None or not (flags.dtype == bool or (flags.dtype.kind in "iu"
                                                     and np.all((flags == 0) | (flags == 1)))):
        raise ArgumentTypeError(f"diverged must be {what}; got {describe(diverged)}")
    flags = flags.astype(bool)
    if flags.shape not in ((), (1,), (K,)):
        raise ValueError(f"diverged must be {what}; got shape {flags.shape}")
    return np.broadcast_to(flags, (K,)).copy()


def exit_point(p, q, bounds) -> np.ndarray:
    r"""Where the segment :math:`p \to q` (``p`` inside the box, ``q`` outside) leaves the box.

    ``bounds`` is ``((x0, x1), (y0, y1))``. The point is :math:`p + t (q - p)` with the smallest
    :math:`t \in [0, 1]` at which a coordinate reaches a side of the box.

    >>> exit_point(np.array([0.0, 0.0]), np.array([2.0, 1.0]), ((-1, 1), (-1, 1))).tolist()
    [1.0, 0.5]
    """
    return _exit_point(_point("p", p), _point("q", q), _bounds(bounds))


def _exit_point(p, q, bounds) -> np.ndarray:
    d = q - p
    ts = []
    with np.errstate(over="ignore"):  # a tiny step: t beyond the float range, i.e. t > 1
        for i, (lo, hi) in enumerate(bounds):
            if d[i] > 0:
                ts.append((hi - p[i]) / d[i])
            elif d[i] < 0:
                ts.append((lo - p[i]) / d[i])
    t = min([1.0, *ts])
    return p + max(t, 0.0) * d


class VisiblePath(NamedTuple):
    """What a figure shows of one path (see :func:`visible_path`)."""

    line: np.ndarray  #: the points up to ``upto``, ``(upto + 1, 2)``, far points clipped, NaN kept
    head: np.ndarray | None  #: the current point, or None once the run is gone
    cross: np.ndarray | None  #: where a gone run was last seen in the box, else None


def visible_path(xy, upto: int, bounds, flagged: bool = False, far: float = FAR) -> VisiblePath:
    r"""The path :math:`\theta_0 \dots \theta_{\text{upto}}` as a plot of the box shows it.

    ``xy`` ``(T, 2)`` is the whole path (``upto`` past its end shows all of it), ``bounds``
    ``((x0, x1), (y0, y1))`` the plot box. The run counts as gone when its points have become
    non-finite by ``upto``, or when it is ``flagged`` as diverged and the whole path is shown.
    A run that is not gone has a ``head`` (its point at ``upto``); a gone run has a ``cross``
    instead: its last finite point if that is in the box, else where the path last left the box
    (:func:`exit_point`), or, for a path never inside, its last finite point clipped onto the
    box. Line points farther than ``far`` box-widths from the box are clipped there (a renderer
    cannot draw 1e300).

    >>> v = visible_path(np.array([[0.0, 0.0], [0.5, 0.0], [4.0, 0.0], [np.nan, np.nan]]),
    ...                  3, ((-1, 1), (-1, 1)))
    >>> v.head, v.cross.tolist()
    (None, [1.0, 0.0])
    """
    xy = check_array("xy", xy, shape=(None, 2), finite=False)
    upto = min(check_int("upto", upto, 0), len(xy) - 1)
    bounds = _bounds(bounds)
    flagged = check_bool("flagged", flagged)
    far = check_range("far", far, 0, low_open=True, allow_array=False)
    final = upto >= len(xy) - 1
    xy = xy[: upto + 1]
    finite = np.all(np.isfinite(xy), axis=-1)
    (x0, x1), (y0, y1) = bounds
    with np.errstate(over="ignore"):  # a huge box times far: inf, i.e. no clipping
        sx, sy = far * (x1 - x0), far * (y1 - y0)
    line = xy.copy()
    line[..., 0] = np.clip(line[..., 0], x0 - sx, x1 + sx)  # NaN stays NaN
    line[..., 1] = np.clip(line[..., 1], y0 - sy, y1 + sy)
    if not finite.any():
        return VisiblePath(line, None, None)
    last = int(np.flatnonzero(finite)[-1])
    if last == len(xy) - 1 and not (flagged and final):
        return VisiblePath(line, line[last], None)
    inside = finite & (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
    if inside[last]:
        return VisiblePath(line, None, xy[last])
    before = np.flatnonzero(inside[:last])
    if len(before) == 0:  # never inside the box: clip the last point onto it
        return VisiblePath(line, None, np.array([np.clip(xy[last, 0], x0, x1),
                                                 np.clip(xy[last, 1], y0, y1)]))
    j = int(before[-1])
    return VisiblePath(line, None, _exit_point(xy[j], xy[j + 1], bounds))


def loss_curve(losses, f_min: float | None = None, floor: float = 1e-12) -> np.ndarray:
    r"""The loss as a log axis shows it: :math:`\max(J - J^*, \text{floor})` when ``f_min`` is
    finite, else the losses unchanged (NaN stays NaN).

    Values below ``floor`` (> 0, as a log axis needs) are exact hits of the minimum or rounding
    noise (which can make :math:`J - J^*` slightly negative). A NaN or infinite ``f_min`` (an
    unknown minimum) counts as None.

    >>> loss_curve([3.0, 1.0, np.nan], f_min=1.0)
    array([2.e+00, 1.e-12,    nan])
    """
    y = check_array("losses", losses, finite=False, allow_empty=True)
    floor = check_range("floor", floor, 0, low_open=True, allow_array=False)
    if f_min is not None:
        f_min = check_array("f_min", f_min, ndim=0, finite=False)
    if f_min is None or not np.isfinite(f_min):
        return y.copy()
    with np.errstate(invalid="ignore", over="ignore"):
        return np.where(np.isnan(y), np.nan, np.maximum(y - f_min, floor))


def nice_ceil(x: float, steps=(1.0, 2.0, 5.0)) -> float:
    """The smallest of ``steps`` times a power of ten that is at least ``x`` (> 0; ``inf`` gives
    ``inf``): a round axis limit above the data.

    ``steps`` are increasing numbers in [1, 10) starting with 1 (the mantissas allowed). A
    value that exceeds a round number by rounding noise only (a relative 1e-12) counts as that
    number, and the result is the float nearest the decimal one (``0.3``, not
    ``0.30000000000000004``).

    >>> nice_ceil(0.26), nice_ceil(4.0), nice_ceil(5.0), nice_ceil(5.1), nice_ceil(1e-7)
    (0.5, 5.0, 5.0, 10.0, 1e-07)
    >>> nice_ceil(0.26, (1, 2, 3, 5)), nice_ceil(1.06, (1, 1.5, 2))
    (0.3, 1.5)
    """
    if not (isinstance(x, (float, np.floating)) and x == math.inf):
        x = check_range("x", x, 0, low_open=True, allow_array=False)
    grid = check_array("steps", steps, ndim=1)
    if grid[0] != 1.0 or np.any(grid >= 10.0) or np.any(np.diff(grid) <= 0):
        raise ValueError(f"steps must be increasing numbers in [1, 10) starting with 1; got "
                         f"{grid.tolist()}")
    if x == math.inf:
        return math.inf
    e = math.floor(math.log10(x))
    for m in (*grid.tolist(), 10.0):
        top = float(f"{m:.12g}e{e}")  # m·10^e as written: no rounding of 10^e, no underflow
        if top >= x * (1 - 1e-12):
            return top
    return float(f"1e{e + 2}")  # pragma: no cover - 10·10^e ≥ x always returns above


def first_step_below(losses, tol: float) -> int | None:
    """The first step ``t`` with ``losses[t] < tol``, or None if there is none (a NaN, e.g. after
    a divergence, never counts): how many steps a run needs to reach ``tol``.

    >>> first_step_below([4.0, 1.0, 0.1, 0.01], 0.5), first_step_below([1.0, np.nan], 0.5)
    (2, None)
    """
    losses = check_array("losses", losses, ndim=1, finite=False, allow_empty=True)
    tol = check_range("tol", tol, allow_array=False)
    with np.errstate(invalid="ignore"):
        hit = np.flatnonzero(losses < tol)
    return int(hit[0]) if hit.size else None


class RunOutcome(NamedTuple):
    """How a race of K runs ended (see :func:`run_outcome`); runs are numbered ``0 … K-1``."""

    steps: int  #: T − 1, the steps each run was given
    bounded: bool  #: the minimum :math:`J^*` is known: ``target`` is on the gap :math:`J - J^*`
    target: float  #: the level to get below: ``tol`` on the gap, or :math:`-\max|J(\theta_0)|`
    first: int | None  #: the run that got below ``target`` first (the lowest one on a tie)
    first_step: int | None  #: the step at which it did
    best: int | None  #: among the runs that did not diverge, the one whose last value is lowest
    best_value: float  #: that value (gap or loss; NaN when ``best`` is None)
    diverged: np.ndarray  #: ``(K,)`` bool
    growing: np.ndarray  #: ``(K,)`` bool: bounded, not diverged, last gap > 10 × the first
    #: per run, the first step whose value is not finite (where a diverged run was stopped),
    #: or None when all are finite
    stopped_at: tuple[int | None, ...] = ()


def run_outcome(losses, f_min: float | None = None, diverged=None,
                tol: float = 1e-6) -> RunOutcome:
    r"""How K runs on one surface ended: the data a figure's title states.

    ``losses`` is ``(steps + 1,)`` or ``(steps + 1, K)`` (NaN after a diverged run stopped);
    ``f_min`` the minimum :math:`J^*`, or None or ``-inf`` when there is none (a surface
    unbounded below, like the saddle). The values compared are the gaps :math:`J - J^*` when
    ``f_min`` is finite, else the losses themselves, and the target is

    - with a minimum: getting within ``tol`` (> 0) of it, :math:`J - J^* < \text{tol}`;
    - without one: escaping, :math:`J < -\max_k |J(\theta_0)|` (the largest finite starting
      magnitude; :math:`J < -1` when that is 0 or unknown).

    ``first``/``first_step``: who got below the target first, and when (:func:`first_step_below`
    of each run). ``best``/``best_value``: among the runs not diverged whose values are not all
    NaN, the one with the lowest last finite value. ``diverged`` (a bool or K bools) flags runs
    explicitly; when None, a run diverged if any of its losses is not finite. ``growing``: with
    a minimum, a run not diverged whose last gap is finite and above 10 times its first — it
    is diverging but has not been stopped yet. ``stopped_at``: per run, the first step whose
    value is NaN or infinite (for a run of ``optim.run``, the step at which it diverged), or None.

    >>> o = run_outcome([[4.0, 4.0], [1.0, 9.0], [1e-7, 50.0]], f_min=0.0)
    >>> o.first, o.first_step, o.best, o.growing.tolist(), o.stopped_at
    (0, 2, 0, [False, True], (None, None))
    >>> o = run_outcome([[1.0], [0.5], [-2.0]], f_min=-np.inf)
    >>> o.bounded, o.target, o.first_step
    (False, -1.0, 2)
    """
    y = check_array("losses", losses, ndim=(1, 2), finite=False)
    if y.ndim == 1:
        y = y[:, None]
    steps, K = y.shape[0] - 1, y.shape[1]
    if f_min is not None and not (isinstance(f_min, (float, np.floating)) and f_min == -math.inf):
        try:
            f_min = check_range("f_min", f_min, allow_array=False)
        except ValueError as e:
            raise type(e)(f"f_min must be None, -inf (no minimum) or a finite number; got "
                          f"{describe(f_min)}") from None
    tol = check_range("tol", tol, 0, low_open=True, allow_array=False)
    bounded = f_min is not None and math.isfinite(f_min)
    flags = ~np.all(np.isfinite(y), axis=0) if diverged is None else _flags(diverged, K)
    if bounded:
        y = y - f_min
        target = tol
    else:
        start = np.abs(y[0][np.isfinite(y[0])])
        target = -float(np.max(start)) if start.size and np.max(start) > 0 else -1.0
    hits = [first_step_below(y[:, k], target) for k in range(K)]
    reached = [k for k in range(K) if hits[k] is not None]
    first = min(reached, key=lambda k: (hits[k], k)) if reached else None
    last = np.array([y[np.flatnonzero(np.isfinite(y[:, k]))[-1], k]
                     if np.isfinite(y[:, k]).any() else np.nan for k in range(K)])
    ok = ~flags & np.isfinite(last)
    best = int(np.flatnonzero(ok)[np.argmin(last[ok])]) if ok.any() else None
    with np.errstate(invalid="ignore", over="ignore"):
        growing = ~flags & bounded & np.isfinite(y[-1]) & (y[-1] > 10 * np.abs(y[0]))
    bad = ~np.isfinite(y)
    stopped = tuple(int(np.argmax(bad[:, k])) if bad[:, k].any() else None for k in range(K))
    return RunOutcome(steps, bounded, float(target), first,
                      None if first is None else hits[first], best,
                      float("nan") if best is None else float(last[best]), flags, growing,
                      stopped)


def symlog_scale(losses) -> tuple[float, float]:
    r"""The linear range and the tick spacing of a symlog axis for loss curves that reach zero
    or below: ``(linthresh, base)``.

    ``linthresh`` is 1 % of the starting magnitude (the largest finite :math:`|J(\theta_0)|`
    over the curves; 1 when that is 0 or unknown), rounded down to a power of ten and at least
    :math:`10^{-12}`. ``base`` is the factor between labelled ticks, :math:`10^s` with the
    smallest whole :math:`s \ge 1` with :math:`d / s \le 5`, where :math:`d` is the number of
    decades from ``linthresh`` up to the largest finite :math:`|J|`: at most about 5 labelled
    ticks on each side of zero.

    ``losses`` is ``(steps + 1,)`` or ``(steps + 1, K)``; NaN and ±inf are ignored.

    >>> symlog_scale([[-3.0, 2.0], [-50.0, 1.0]])
    (0.01, 10.0)
    >>> symlog_scale([1.0, -1e9])  # 11 decades above 0.01: a tick every 3rd decade
    (0.01, 1000.0)
    """
    y = check_array("losses", losses, ndim=(1, 2), finite=False)
    if y.ndim == 1:
        y = y[:, None]
    first = np.abs(y[0][np.isfinite(y[0])])
    scale = float(np.max(first)) if first.size and np.max(first) > 0 else 1.0
    linthresh = float(10.0 ** np.floor(np.log10(max(0.01 * scale, 1e-12))))
    big = np.abs(y[np.isfinite(y)])
    decades = np.log10(max(float(np.max(big)) if big.size else 1.0, linthresh) / linthresh)
    stride = int(max(1, np.ceil(decades / 5)))  # ~5 decades labelled on each side of zero
    return linthresh, 10.0**stride


def loss_range(values, first, log: bool, floor: float = 1e-12) -> tuple[float, float]:
    r"""The y range loss curves need: their finite values, capped :math:`10^4` times beyond the
    starting values — so a diverging run leaves the top (log axis) or the bottom (an unbounded
    surface on a symlog axis) of the panel instead of stretching it over dozens of decades.

    ``values`` are the curves as drawn (a sequence of arrays, e.g. :func:`loss_curve`'s
    gaps), ``first`` their starting values (their scale is the largest finite :math:`|J_0|`, 1
    when there is none). ``log=True`` (gaps on a log axis): from the smallest value (at least
    ``floor``; ``floor``/10 when a curve reaches it, so exact hits show) to the largest, at most
    :math:`10^4 \max(\text{scale}, \text{floor})`; ``(1e-3, 10)`` without finite values.
    ``log=False`` (losses on a symlog axis): the finite values clipped to
    :math:`\pm 10^4 \max(\text{scale}, 1)`; ``(-1, 1)`` without finite values.

    >>> loss_range([np.array([1.0, 1e-3, 1e-13]), np.array([2.0, 1e9, np.nan])], [1.0, 2.0],
    ...            log=True)
    (1e-13, 20000.0)
    >>> loss_range([np.array([0.5, -3.0, -1e9])], [0.5], log=False)
    (-10000.0, 0.5)
    """
    if isinstance(values, np.ndarray) or not hasattr(values, "__len__"):
        raise ArgumentTypeError(f"values must be a sequence of loss curves (arrays); got "
                                f"{describe(values)}")
    curves = [check_array(f"values[{k}]", v, finite=False, allow_empty=True)
              for k, v in enumerate(values)]
    first = check_array("first", first, ndim=(0, 1), finite=False, allow_empty=True)
    log = check_bool("log", log)
    floor = check_range("floor", floor, 0, low_open=True, allow_array=False)
    finite = [v[np.isfinite(v)] for v in curves]
    finite = np.concatenate(finite) if finite else np.empty(0)
    start = np.abs(first.reshape(-1))
    start = start[np.isfinite(start)]
    scale = float(start.max()) if start.size else 1.0
    if log:
        if finite.size == 0:
            return 1e-3, 10.0
        lo = max(float(finite.min()), floor)
        hi = min(float(finite.max()), 1e4 * max(scale, floor))
        return (floor / 10 if lo <= floor else lo), max(hi, lo)
    if finite.size == 0:
        return -1.0, 1.0
    cap = 1e4 * max(scale, 1.0)
    return max(float(finite.min()), -cap), min(float(finite.max()), cap)


def stack_curves(values, labels=None) -> tuple[np.ndarray, list | None]:
    """Curves as one float array ``(T, K)`` and their labels.

    ``values`` is ``(T,)``, ``(T, K)`` or a mapping label → ``(T_k,)``; a mapping's curves are
    padded with NaN to the longest, and its keys are the labels unless ``labels`` is given.

    >>> stack_curves({"a": [1.0, 2.0], "b": [3.0]})
    (array([[ 1.,  3.],
           [ 2., nan]]), ['a', 'b'])
    """
    if isinstance(values, Mapping):
        if not values:
            raise ValueError("values must hold at least one curve; got an empty mapping")
        labels = list(values) if labels is None else labels
        cols = [check_array(f"values[{k!r}]", v, ndim=(0, 1), finite=False).reshape(-1)
                for k, v in values.items()]
        T = max(len(c) for c in cols)
        arr = np.full((T, len(cols)), np.nan)
        for k, c in enumerate(cols):
            arr[: len(c), k] = c
    else:
        arr = check_array("values", values, finite=False)
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.ndim != 2:
            raise ValueError(f"values must have shape (steps + 1,) or (steps + 1, K); got shape "
                             f"{arr.shape}")
    if labels is not None:
        if isinstance(labels, (str, bytes)) or not hasattr(labels, "__len__"):
            raise ArgumentTypeError(f"labels must be None or a sequence of {arr.shape[1]} "
                                    f"labels; got {describe(labels)}")
        if len(labels) != arr.shape[1]:
            raise ValueError(f"labels must hold one label per curve ({arr.shape[1]}); got "
                             f"{len(labels)}")
    return arr, labels


class StackedRuns(NamedTuple):
    """Named runs in one array (see :func:`stack_runs`)."""

    names: list
    thetas: np.ndarray  #: ``(T, K, 2)``, NaN after a run's last step
    losses: np.ndarray | None  #: ``(T, K)``, or None


def stack_runs(trajectories: Mapping, losses: Mapping | None = None,
               loss_fn: Callable | None = None) -> StackedRuns:
    r"""Named runs in the plane, possibly of different lengths, as one ``(T, K, 2)`` array.

    ``trajectories`` maps names to ``(steps + 1, 2)`` arrays (or ``Trajectory`` objects); shorter
    runs are padded with NaN. The losses are ``losses`` (same keys, padded or cut to ``T``) when
    given, else ``loss_fn`` of the stacked points (e.g. ``surface.f``), else None.

    >>> s = stack_runs({"sgd": np.zeros((3, 2)), "adam": np.ones((2, 2))},
    ...                loss_fn=lambda xy: xy.sum(-1))
    >>> s.names, s.thetas.shape, s.losses[:, 1].tolist()
    (['sgd', 'adam'], (3, 2, 2), [2.0, 2.0, nan])
    """
    if not isinstance(trajectories, Mapping):
        raise ArgumentTypeError(f"trajectories must be a mapping name → path (steps + 1, 2); "
                                f"got {describe(trajectories)}")
    if not trajectories:
        raise ValueError("trajectories must hold at least one path; got an empty mapping")
    names = list(trajectories)
    thetas = [check_array(f"trajectories[{n!r}]", getattr(trajectories[n], "thetas",
                                                           trajectories[n]),
                          shape=(None, 2), finite=False) for n in names]
    T = max(len(th) for th in thetas)
    runs = np.full((T, len(names), 2), np.nan)
    for k, th in enumerate(thetas):
        runs[: len(th), k] = th
    if losses is not None:
        if not isinstance(losses, Mapping):
            raise ArgumentTypeError(f"losses must be None or a mapping name → losses, with the "
                                    f"names of trajectories; got {describe(losses)}")
        missing = [n for n in names if n not in losses]
        if missing:
            raise ValueError(f"losses must hold a curve for every trajectory; missing "
                             f"{', '.join(map(repr, missing))}")
        loss, _ = stack_curves({n: losses[n] for n in names}, names)
        loss = np.concatenate([loss, np.full((max(T - len(loss), 0), len(names)), np.nan)])[:T]
    elif loss_fn is not None:
        loss_fn = check_callable("loss_fn", loss_fn, "None or a function of points (..., 2)")
        loss = check_array("loss_fn(thetas)", loss_fn(runs), finite=False)
        if loss.shape != (T, len(names)):
            raise ValueError(f"loss_fn must return one loss per point, shape {(T, len(names))}; "
                             f"got shape {loss.shape}")
    else:
        loss = None
    return StackedRuns(names, runs, loss)
