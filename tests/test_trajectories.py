"""Tests for npfl_helpers.trajectories: optimiser runs read for display, without matplotlib."""

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
