r"""Optimiser runs read for display: stacked paths, loss gaps, divergence, what a plot shows.

:func:`npfl_helpers.optim.run` returns the points :math:`\theta_0, \theta_1, \dots` of one or
many runs; a diverged run is frozen and its later points are NaN. The figures of
:mod:`npfl_helpers.plots` draw these runs; what they draw is computed here, without matplotlib,
so it is tested on its own:

- :func:`as_runs`, :func:`stack_runs`, :func:`stack_curves`: runs of different lengths as one
  array, missing steps NaN;
- :func:`diverged_runs`: which runs diverged (flagged, or their points became non-finite);
- :func:`loss_curve`: the gap :math:`f(\theta_t) - f^*` as a log axis can show it;
- :func:`visible_path`: a path cut at step ``upto`` and clipped to a plot box, with the point
  where a diverged run was last seen (the "×" of the figures).

>>> loss_curve([3.0, 1.0, np.nan], f_min=1.0)
array([2.e+00, 1.e-12,    nan])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

import numpy as np

from ._validate import check_int, check_range

__all__ = [
    "StackedRuns",
    "VisiblePath",
    "as_runs",
    "diverged_runs",
    "exit_point",
    "loss_curve",
    "stack_curves",
    "stack_runs",
    "visible_path",
]

FAR = 1e6  #: path points farther than FAR box-widths from the box are clipped there


def as_runs(thetas) -> np.ndarray:
    """Paths in the plane as a float array ``(T, K, 2)``: K runs of T points each.

    ``thetas`` has shape ``(T, 2)`` (one run) or ``(T, K, 2)``, or is a ``Trajectory``.

    >>> as_runs(np.zeros((5, 2))).shape
    (5, 1, 2)
    """
    thetas = np.asarray(getattr(thetas, "thetas", thetas), dtype=np.float64)
    if thetas.ndim == 2:
        thetas = thetas[:, None, :]
    if thetas.ndim != 3 or thetas.shape[-1] != 2:
        raise ValueError(f"thetas must have shape (steps + 1, 2) or (steps + 1, K, 2); "
                         f"got shape {thetas.shape}")
    return thetas


def diverged_runs(runs, diverged=None) -> np.ndarray:
    """Which of the K runs in ``runs`` ``(T, K, 2)`` diverged: a bool array ``(K,)``.

    ``diverged`` (a bool or K bools) says so explicitly; when None, a run counts as diverged if
    any of its points is not finite (as :func:`npfl_helpers.optim.run` leaves a diverged run).
    """
    runs = as_runs(runs)
    K = runs.shape[1]
    if diverged is None:
        return ~np.all(np.isfinite(runs), axis=(0, 2))
    return np.broadcast_to(np.asarray(diverged, dtype=bool), (K,)).copy()


def exit_point(p, q, bounds) -> np.ndarray:
    r"""Where the segment :math:`p \to q` (``p`` inside the box, ``q`` outside) leaves the box.

    ``bounds`` is ``((x0, x1), (y0, y1))``. The point is :math:`p + t (q - p)` with the smallest
    :math:`t \in [0, 1]` at which a coordinate reaches a side of the box.

    >>> exit_point(np.array([0.0, 0.0]), np.array([2.0, 1.0]), ((-1, 1), (-1, 1))).tolist()
    [1.0, 0.5]
    """
    p = np.asarray(p, dtype=np.float64)
    d = np.asarray(q, dtype=np.float64) - p
    ts = []
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
    xy = np.asarray(xy, dtype=np.float64)
    upto = min(check_int("upto", upto, 0), len(xy) - 1)
    far = check_range("far", far, 0, low_open=True, allow_array=False)
    final = upto >= len(xy) - 1
    xy = xy[: upto + 1]
    finite = np.all(np.isfinite(xy), axis=-1)
    (x0, x1), (y0, y1) = bounds
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
    return VisiblePath(line, None, exit_point(xy[j], xy[j + 1], bounds))


def loss_curve(losses, f_min: float | None = None, floor: float = 1e-12) -> np.ndarray:
    r"""The loss as a log axis shows it: :math:`\max(f - f^*, \text{floor})` when ``f_min`` is
    finite, else the losses unchanged (NaN stays NaN).

    Values below ``floor`` are exact hits of the minimum or rounding noise (which can make
    :math:`f - f^*` slightly negative).

    >>> loss_curve([3.0, 1.0, np.nan], f_min=1.0)
    array([2.e+00, 1.e-12,    nan])
    """
    y = np.asarray(losses, dtype=np.float64)
    if f_min is None or not np.isfinite(f_min):
        return y.copy()
    with np.errstate(invalid="ignore", over="ignore"):
        return np.where(np.isnan(y), np.nan, np.maximum(y - f_min, floor))


def stack_curves(values, labels=None) -> tuple[np.ndarray, list | None]:
    """Curves as one float array ``(T, K)`` and their labels.

    ``values`` is ``(T,)``, ``(T, K)`` or a mapping label → ``(T_k,)``; a mapping's curves are
    padded with NaN to the longest, and its keys are the labels unless ``labels`` is given.

    >>> stack_curves({"a": [1.0, 2.0], "b": [3.0]})
    (array([[ 1.,  3.],
           [ 2., nan]]), ['a', 'b'])
    """
    if isinstance(values, Mapping):
        labels = list(values) if labels is None else labels
        cols = [np.asarray(v, dtype=np.float64).reshape(-1) for v in values.values()]
        T = max(len(c) for c in cols)
        arr = np.full((T, len(cols)), np.nan)
        for k, c in enumerate(cols):
            arr[: len(c), k] = c
        return arr, labels
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"losses must have shape (steps + 1,) or (steps + 1, K); got {arr.shape}")
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
    names = list(trajectories)
    thetas = [np.asarray(getattr(trajectories[n], "thetas", trajectories[n]), dtype=np.float64)
              for n in names]
    for n, th in zip(names, thetas, strict=True):
        if th.ndim != 2 or th.shape[-1] != 2:
            raise ValueError(f"trajectory {n!r} must have shape (steps + 1, 2); got {th.shape}")
    T = max(len(th) for th in thetas)
    runs = np.full((T, len(names), 2), np.nan)
    for k, th in enumerate(thetas):
        runs[: len(th), k] = th
    if losses is not None:
        loss, _ = stack_curves({n: losses[n] for n in names}, names)
        loss = np.concatenate([loss, np.full((max(T - len(loss), 0), len(names)), np.nan)])[:T]
    elif loss_fn is not None:
        loss = np.asarray(loss_fn(runs), dtype=np.float64)
    else:
        loss = None
    return StackedRuns(names, runs, loss)
