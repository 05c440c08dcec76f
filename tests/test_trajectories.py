"""Tests for npfl_helpers.trajectories: optimiser runs read for display, without matplotlib."""

import math
import warnings

import numpy as np
import pytest

from npfl_helpers import optim, surfaces, trajectories

BOX = ((-1.0, 1.0), (-2.0, 2.0))


@pytest.fixture(autouse=True)
def _no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# --- as_runs, diverged_runs ---------------------------------------------------------------------

def test_as_runs_accepts_one_path_many_paths_and_a_trajectory():
    one = np.arange(10.0).reshape(5, 2)
    np.testing.assert_array_equal(trajectories.as_runs(one)[:, 0], one)
    many = np.zeros((5, 3, 2))
    assert trajectories.as_runs(many).shape == (5, 3, 2)
    s = surfaces.quadratic()
    traj = optim.run(optim.sgd(0.1), s.grad, np.stack([s.start, s.start]), 4)
    np.testing.assert_array_equal(trajectories.as_runs(traj), traj.thetas)
    for bad in (np.zeros(5), np.zeros((5, 3)), np.zeros((2, 5, 3, 2))):
        with pytest.raises(ValueError, match="thetas must have shape"):
            trajectories.as_runs(bad)


def test_diverged_runs_are_inferred_from_non_finite_points_or_given():
    runs = np.zeros((4, 3, 2))
    runs[2:, 1] = np.nan
    runs[3, 2, 0] = np.inf
    np.testing.assert_array_equal(trajectories.diverged_runs(runs), [False, True, True])
    np.testing.assert_array_equal(trajectories.diverged_runs(runs, True), [True, True, True])
    np.testing.assert_array_equal(trajectories.diverged_runs(runs, [1, 0, 0]),
                                  [True, False, False])


# --- exit_point, visible_path ------------------------------------------------------------------

@pytest.mark.parametrize(("p", "q", "expected"), [
    ((0.0, 0.0), (2.0, 0.0), (1.0, 0.0)),      # through the right side
    ((0.0, 0.0), (0.0, -4.0), (0.0, -2.0)),    # through the bottom
    ((0.5, 1.0), (1.5, 3.0), (1.0, 2.0)),      # through the corner
    ((0.0, 0.0), (-3.0, 1.0), (-1.0, 1 / 3)),  # left side first
])
def test_exit_point_is_where_the_segment_meets_the_box(p, q, expected):
    p, q = np.array(p), np.array(q)
    x = trajectories.exit_point(p, q, BOX)
    np.testing.assert_allclose(x, expected)
    # on the segment p + t (q - p) with t in [0, 1], and on the boundary of the box
    t = np.dot(x - p, q - p) / np.dot(q - p, q - p)
    np.testing.assert_allclose(p + t * (q - p), x)
    assert 0 <= t <= 1
    (x0, x1), (y0, y1) = BOX
    assert min(abs(x[0] - x0), abs(x[0] - x1), abs(x[1] - y0), abs(x[1] - y1)) < 1e-12


def test_a_finite_path_has_a_head_and_no_cross():
    xy = np.array([[0.0, 0.0], [0.5, 0.5], [0.2, 0.1], [0.1, 0.0]])
    v = trajectories.visible_path(xy, 3, BOX)
    np.testing.assert_array_equal(v.line, xy)
    np.testing.assert_array_equal(v.head, xy[3])
    assert v.cross is None
    v = trajectories.visible_path(xy, 1, BOX)  # an animation frame: steps 0 and 1
    np.testing.assert_array_equal(v.line, xy[:2])
    np.testing.assert_array_equal(v.head, xy[1])
    v = trajectories.visible_path(xy, 99, BOX)  # past the end: the whole path
    np.testing.assert_array_equal(v.line, xy)


def test_a_gone_run_is_crossed_at_its_last_point_in_the_box():
    xy = np.array([[0.0, 0.0], [0.5, 0.5], [np.nan, np.nan]])
    v = trajectories.visible_path(xy, 2, BOX)
    assert v.head is None
    np.testing.assert_array_equal(v.cross, [0.5, 0.5])
    v = trajectories.visible_path(xy, 1, BOX)  # before it is gone, it still has a head
    assert v.cross is None
    np.testing.assert_array_equal(v.head, [0.5, 0.5])


def test_a_flagged_run_is_crossed_only_when_the_whole_path_is_shown():
    xy = np.array([[0.0, 0.0], [0.5, 0.5], [0.9, 0.9]])
    assert trajectories.visible_path(xy, 2, BOX, flagged=True).head is None
    np.testing.assert_array_equal(trajectories.visible_path(xy, 2, BOX, flagged=True).cross,
                                  [0.9, 0.9])
    assert trajectories.visible_path(xy, 1, BOX, flagged=True).cross is None


def test_a_run_that_left_the_box_is_crossed_where_it_left():
    xy = np.array([[0.0, 0.0], [0.5, 0.0], [3.0, 0.0], [30.0, 0.0], [np.nan, np.nan]])
    v = trajectories.visible_path(xy, 4, BOX)
    np.testing.assert_allclose(v.cross, [1.0, 0.0])  # between steps 1 and 2, on x = 1
    never = np.array([[5.0, 9.0], [6.0, -9.0], [np.nan, np.nan]])
    v = trajectories.visible_path(never, 2, BOX)
    np.testing.assert_array_equal(v.cross, [1.0, -2.0])  # the last point clipped onto the box


def test_far_points_are_clipped_and_nan_kept():
    xy = np.array([[0.0, 0.0], [1e300, -1e300], [np.inf, np.nan]])
    v = trajectories.visible_path(xy, 2, BOX, far=10.0)
    np.testing.assert_array_equal(v.line[1], [1.0 + 10 * 2.0, -2.0 - 10 * 4.0])
    assert v.line[2, 0] == 1.0 + 10 * 2.0 and np.isnan(v.line[2, 1])
    with pytest.raises(ValueError, match="upto"):
        trajectories.visible_path(xy, -1, BOX)
    with pytest.raises(ValueError, match="far"):
        trajectories.visible_path(xy, 1, BOX, far=0.0)


def test_a_path_with_no_finite_point_shows_nothing():
    v = trajectories.visible_path(np.full((3, 2), np.nan), 2, BOX)
    assert v.head is None and v.cross is None and np.isnan(v.line).all()


# --- loss_curve, stack_curves, stack_runs -------------------------------------------------------

def test_loss_curve_is_the_gap_above_the_minimum_floored():
    f = np.array([3.0, 1.0 + 1e-3, 1.0, 1.0 - 1e-15, np.nan, np.inf])
    f_star, floor = 1.0, 1e-10
    expected = [max(v - f_star, floor) if not np.isnan(v) else np.nan for v in f]
    np.testing.assert_allclose(trajectories.loss_curve(f, f_min=f_star, floor=floor), expected)
    raw = trajectories.loss_curve(f, f_min=-np.inf)  # unbounded below: unchanged
    np.testing.assert_array_equal(raw, f)
    assert raw is not f
    np.testing.assert_array_equal(trajectories.loss_curve(f), f)


def test_stack_curves_pads_a_mapping_with_nan():
    arr, labels = trajectories.stack_curves({"a": [1.0, 2.0, 3.0], "b": [4.0]})
    assert labels == ["a", "b"]
    np.testing.assert_array_equal(arr[:, 0], [1, 2, 3])
    np.testing.assert_array_equal(arr[:1, 1], [4])
    assert np.isnan(arr[1:, 1]).all()
    arr, labels = trajectories.stack_curves(np.arange(3.0), ["x"])
    assert arr.shape == (3, 1) and labels == ["x"]
    with pytest.raises(ValueError, match="values must have shape"):
        trajectories.stack_curves(np.zeros((2, 2, 2)))


def test_stack_runs_pads_and_computes_or_takes_the_losses():
    s = surfaces.rosenbrock()
    a = optim.run(optim.adam(0.05), s.grad, s.start, 6)
    b = optim.run(optim.sgd(1e-3), s.grad, s.start, 3).thetas
    st = trajectories.stack_runs({"adam": a, "sgd": b}, loss_fn=s.f)
    assert st.names == ["adam", "sgd"] and st.thetas.shape == (7, 2, 2)
    np.testing.assert_array_equal(st.thetas[:, 0], a.thetas)
    assert np.isnan(st.thetas[4:, 1]).all()
    np.testing.assert_allclose(st.losses[:4, 1], s.f(b))
    given = trajectories.stack_runs({"adam": a, "sgd": b}, losses={"adam": np.ones(9),
                                                                  "sgd": np.ones(2)})
    assert given.losses.shape == (7, 2) and np.isnan(given.losses[2:, 1]).all()
    assert trajectories.stack_runs({"sgd": b}).losses is None
    with pytest.raises(ValueError, match=r"trajectories\['x'\] must have shape"):
        trajectories.stack_runs({"x": np.zeros((3, 3))})


# --- nice_ceil ----------------------------------------------------------------------------------

def _nice_ceil_by_search(x, steps):
    """Every candidate m·10^k near x, written out, and the smallest one that is ≥ x."""
    cands = [float(f"{m}e{k}") for k in range(-12, 14) for m in (*steps, 10)]
    return min(c for c in cands if c >= x)


@pytest.mark.parametrize("steps", [(1, 2, 5), (1, 2, 3, 5), (1, 1.5, 2, 2.5, 3, 4, 5, 7)])
def test_nice_ceil_is_the_smallest_round_number_at_least_x(steps):
    rng = np.random.default_rng(3)
    xs = np.concatenate([10 ** rng.uniform(-9, 9, 500),
                         [float(f"{m}e{k}") for m in steps for k in (-3, 0, 2)]])
    for x in xs:
        assert trajectories.nice_ceil(float(x), steps) == _nice_ceil_by_search(float(x), steps)


def test_nice_ceil_examples_and_ends():
    nc = trajectories.nice_ceil
    assert [nc(v) for v in (0.26, 4.0, 5.0, 5.1, 9.99, 10.0)] == [0.5, 5.0, 5.0, 10.0, 10.0, 10.0]
    assert nc(0.25, (1, 2, 3, 5)) == 0.3                  # the float written 0.3
    assert nc(2.0 * (1 + 1e-14)) == 2.0                   # rounding noise above 2 counts as 2
    assert nc(np.inf) == np.inf and nc(1.7e308) == np.inf  # 2e308 is beyond the float range
    assert nc(3e-320) == 5e-320                           # subnormal: no underflow of 10^k
    assert nc(np.float64(7)) == 10.0 and isinstance(nc(np.float64(7)), float)


@pytest.mark.parametrize("args, exc, match", [
    ((0.0,), ValueError, r"x must be in \(0, inf\); got 0"),
    ((-1.0,), ValueError, "x must be in"),
    ((np.nan,), ValueError, "x must be in"),
    ((-np.inf,), ValueError, "x must be in"),
    (("1",), TypeError, "x must be a number"),
    (([1.0, 2.0],), TypeError, "x must be a scalar"),
    ((1.0, (2, 5)), ValueError, r"steps must be increasing numbers in \[1, 10\) starting with 1"),
    ((1.0, (1, 5, 3)), ValueError, "steps must be increasing"),
    ((1.0, (1, 10)), ValueError, "steps must be increasing"),
    ((1.0, ()), ValueError, "steps"),
])
def test_nice_ceil_rejects_bad_input(args, exc, match):
    with pytest.raises(exc, match=match):
        trajectories.nice_ceil(*args)


# --- run_outcome, symlog_scale ------------------------------------------------------------------

def _outcome_by_loops(losses, f_min, diverged, tol):
    """The outcome written out with plain Python loops over steps and runs."""
    T, K = len(losses), len(losses[0])
    bounded = f_min is not None and math.isfinite(f_min)
    y = [[v - f_min if bounded else v for v in row] for row in losses]
    if bounded:
        target = tol
    else:
        start = [abs(v) for v in y[0] if math.isfinite(v)]
        target = -max(start) if start and max(start) > 0 else -1.0
    first = first_step = None
    for t in range(T):  # step by step: the first run (lowest index) to get below wins
        for k in range(K):
            if first is None and y[t][k] < target:
                first, first_step = k, t
    best, best_value = None, math.nan
    for k in range(K):
        finite = [y[t][k] for t in range(T) if math.isfinite(y[t][k])]
        if not diverged[k] and finite and (best is None or finite[-1] < best_value):
            best, best_value = k, finite[-1]
    growing = [bool(not diverged[k] and bounded and math.isfinite(y[-1][k])
                    and y[-1][k] > 10 * abs(y[0][k])) for k in range(K)]
    stopped = [next((t for t in range(T) if not math.isfinite(y[t][k])), None)
               for k in range(K)]
    return T - 1, bounded, target, first, first_step, best, best_value, growing, stopped


@pytest.mark.parametrize("seed", range(40))
def test_run_outcome_matches_loops(seed):
    rng = np.random.default_rng(seed)
    T, K = int(rng.integers(1, 25)), int(rng.integers(1, 5))
    losses = rng.normal(size=(T, K)) * 10.0 ** rng.integers(-8, 4, size=K)
    losses[-1] = np.abs(losses[-1]) * 10.0 ** rng.uniform(-2, 3, size=K)  # some end higher
    losses[rng.integers(0, T):, rng.integers(0, K)] = np.nan        # a run stopped
    if seed % 4 == 0:
        losses[: T // 2] = np.abs(losses[: T // 2])                  # start positive
    f_min = [None, -np.inf, 0.0, -0.3][seed % 4]
    tol = float(10.0 ** rng.integers(-7, 1))
    diverged = rng.random(K) < 0.3
    o = trajectories.run_outcome(losses, f_min, diverged, tol)
    steps, bounded, target, first, first_step, best, best_value, growing, stopped = (
        _outcome_by_loops(losses.tolist(), f_min, diverged.tolist(), tol))
    assert o.stopped_at == tuple(stopped)
    assert (o.steps, o.bounded, o.target, o.first, o.first_step, o.best) == (
        steps, bounded, target, first, first_step, best)
    np.testing.assert_equal(o.best_value, best_value)
    np.testing.assert_array_equal(o.growing, growing)
    np.testing.assert_array_equal(o.diverged, diverged)


def test_run_outcome_on_real_runs():
    s = surfaces.quadratic(kappa=10.0)
    tr = {"sgd": optim.run(optim.sgd(lr=0.3), s.grad, s.start, 100),
          "nesterov": optim.run(optim.nesterov(lr=0.1), s.grad, s.start, 100),
          "adam": optim.run(optim.adam(lr=0.01), s.grad, s.start, 100)}
    st = trajectories.stack_runs({n: t.thetas for n, t in tr.items()}, loss_fn=s.f)
    o = trajectories.run_outcome(st.losses, s.f_min)       # diverged inferred from NaN losses
    assert tr["sgd"].diverged and not tr["nesterov"].diverged
    np.testing.assert_array_equal(o.diverged, [True, False, False])
    assert o.stopped_at == (int(np.flatnonzero(np.isnan(tr["sgd"].thetas[:, 0]))[0]), None, None)
    assert o.first == 1 and o.first_step == int(np.flatnonzero(s.f(tr["nesterov"].thetas)
                                                                < 1e-6)[0])
    assert o.best == 1 and o.best_value == pytest.approx(float(s.f(tr["nesterov"].thetas[-1])))
    # the saddle, unbounded below: the target is escaping below -|J(θ_0)|
    sd = surfaces.saddle()
    gd = optim.run(optim.sgd(lr=0.1), sd.grad, sd.start, 60).thetas
    o = trajectories.run_outcome(sd.f(gd), sd.f_min)
    assert not o.bounded and o.target == -abs(float(sd.f(sd.start)))
    assert sd.f(gd[o.first_step]) < o.target <= sd.f(gd[o.first_step - 1])
    assert not o.growing.any()                              # only with a minimum


def test_run_outcome_growing_none_reached_and_nothing_finite():
    o = trajectories.run_outcome([[1.0, 1.0, 1.0], [2.0, 20.0, np.nan]], f_min=0.5, tol=0.1)
    np.testing.assert_array_equal(o.growing, [False, True, False])   # gap 0.5 → 19.5
    np.testing.assert_array_equal(o.diverged, [False, False, True])
    assert o.first is None and o.first_step is None and o.best == 0 and o.best_value == 1.5
    o = trajectories.run_outcome([np.nan, np.nan])
    assert o.best is None and np.isnan(o.best_value) and o.first is None and o.target == -1.0
    one = trajectories.run_outcome([3.0, 1.0], f_min=1.0, tol=0.5)
    assert (one.first, one.first_step, one.steps) == (0, 1, 1)       # a 1-D curve is one run


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"losses": np.zeros((2, 2, 2))}, ValueError, "losses"),
    ({"losses": []}, ValueError, "losses"),
    ({"losses": [1.0], "f_min": np.nan}, ValueError, r"f_min must be None, -inf .* got nan"),
    ({"losses": [1.0], "f_min": np.inf}, ValueError, "f_min must be None, -inf"),
    ({"losses": [1.0], "f_min": "0"}, TypeError, "f_min must be None, -inf"),
    ({"losses": [1.0], "tol": 0.0}, ValueError, r"tol must be in \(0, inf\)"),
    ({"losses": [[1.0, 2.0]], "diverged": [True, False, True]}, ValueError, "diverged must be"),
    ({"losses": [[1.0, 2.0]], "diverged": ["yes", "no"]}, TypeError, "diverged must be"),
])
def test_run_outcome_rejects_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        trajectories.run_outcome(**kwargs)


@pytest.mark.parametrize("seed", range(30))
def test_symlog_scale_matches_its_definition(seed):
    rng = np.random.default_rng(seed)
    y = rng.normal(size=(int(rng.integers(1, 20)), int(rng.integers(1, 4))))
    y *= 10.0 ** rng.uniform(-14, 12, size=y.shape)
    if seed % 5 == 0:
        y[0] = 0.0
    if seed % 3 == 0:
        y[y.shape[0] // 2:, 0] = np.nan
    linthresh, base = trajectories.symlog_scale(y)
    start = max([abs(v) for v in y[0] if math.isfinite(v)], default=0.0) or 1.0
    # the largest power of ten ≤ 1 % of the start (at least 1e-12)
    want = max(10.0**k for k in range(-12, 14) if 10.0**k <= max(0.01 * start, 1e-12))
    assert linthresh == pytest.approx(want, rel=1e-12)
    top = max([abs(v) for v in y.ravel() if math.isfinite(v)], default=1.0)
    decades = math.log10(max(top, linthresh) / linthresh)
    s = round(math.log10(base))
    assert base == 10.0**s and s >= 1 and decades / s <= 5 and (s == 1 or decades / (s - 1) > 5)


def test_symlog_scale_examples():
    assert trajectories.symlog_scale([[-3.0, 2.0], [-50.0, 1.0]]) == (0.01, 10.0)
    assert trajectories.symlog_scale([0.0, -5.0]) == (0.01, 10.0)        # start 0: scale 1
    assert trajectories.symlog_scale([1e-20, -1e-20]) == (1e-12, 10.0)   # the 1e-12 floor
    assert trajectories.symlog_scale([[400.0], [-1e13]]) == (1.0, 1000.0)
    with pytest.raises(ValueError, match="losses"):
        trajectories.symlog_scale(np.zeros((2, 2, 2)))


# --- loss_range, nice_ceil as an axis limit ------------------------------------------------------

def test_loss_range_on_a_log_axis():
    lr = trajectories.loss_range
    # finite values only; the top capped 10⁴ × the largest |start|
    assert lr([np.array([1.0, 0.01, np.nan]), np.array([3.0, 5e8])], [1.0, 3.0], True) == (
        0.01, 3e4)
    # a curve at the floor (an exact hit): the bottom goes one decade below it
    assert lr([np.array([2.0, 1e-12])], [2.0], True) == (1e-13, 2.0)
    assert lr([np.array([2.0, 1e-5])], [2.0], True, floor=1e-4) == (1e-5, 2.0)
    # nothing grows: the data itself
    assert lr([np.array([4.0, 2.0, 1.0])], [4.0], True) == (1.0, 4.0)
    # no finite start: scale 1; no finite value at all: a default range
    assert lr([np.array([np.nan, 1e9])], [np.nan], True) == (1e9, 1e9)
    assert lr([np.array([np.nan])], [np.nan], True) == (1e-3, 10.0)
    assert lr([], [], True) == (1e-3, 10.0)


def test_loss_range_on_a_symlog_axis():
    lr = trajectories.loss_range
    # escaping to −∞ (the saddle): the bottom capped at −10⁴ × max(|start|, 1)
    assert lr([np.array([0.5, -3.0, -1e12])], [0.5], False) == (-1e4, 0.5)
    assert lr([np.array([50.0, -1e12]), np.array([-20.0, 1e12])], [50.0, -20.0], False) == (
        -5e5, 5e5)
    assert lr([np.array([1.0, -2.0])], [1.0], False) == (-2.0, 1.0)
    assert lr([np.array([np.inf])], [np.nan], False) == (-1.0, 1.0)


@pytest.mark.parametrize("seed", range(20))
def test_loss_range_matches_loops(seed):
    rng = np.random.default_rng(seed)
    values = [rng.lognormal(0, 6, size=int(rng.integers(1, 30))) * rng.choice([1, -1])
              for _ in range(int(rng.integers(1, 4)))]
    values[0][rng.integers(0, len(values[0])):] = np.nan
    first = [v[0] for v in values]
    flat = [x for v in values for x in v.tolist() if math.isfinite(x)]
    starts = [abs(x) for x in first if math.isfinite(x)]
    scale = max(starts) if starts else 1.0
    for log in (True, False):
        got = trajectories.loss_range(values, first, log)
        if not flat:
            assert got == ((1e-3, 10.0) if log else (-1.0, 1.0))
        elif log:
            lo = max(min(flat), 1e-12)
            want_lo = 1e-13 if lo <= 1e-12 else lo
            assert got == (want_lo, max(min(max(flat), 1e4 * max(scale, 1e-12)), lo))
        else:
            cap = 1e4 * max(scale, 1.0)
            assert got == (max(min(flat), -cap), min(max(flat), cap))


def test_loss_range_validates():
    with pytest.raises(TypeError, match="values must be a sequence of loss curves"):
        trajectories.loss_range(np.ones(3), [1.0], True)
    with pytest.raises(TypeError, match="log must be True or False"):
        trajectories.loss_range([np.ones(3)], [1.0], "log")
    with pytest.raises(ValueError, match="floor must be in"):
        trajectories.loss_range([np.ones(3)], [1.0], True, floor=0.0)
    with pytest.raises(TypeError, match=r"values\[1\] must be"):
        trajectories.loss_range([np.ones(3), "x"], [1.0], True)


def test_nice_ceil_gives_the_loss_axis_limit_of_the_playground():
    """The first of 100, 200, 500, 1000, … that is at least 1.05 t, searched step by step."""
    for t in [*range(0, 3000, 7), 95238, 95239, 190476, 190477, 476190, 476191, 10**7]:
        limit = 100
        while limit < 1.05 * t:
            limit = {1: 2, 2: 5, 5: 10}[int(str(limit)[0])] * 10 ** (len(str(limit)) - 1)
        assert int(trajectories.nice_ceil(max(100.0, 1.05 * t))) == limit
