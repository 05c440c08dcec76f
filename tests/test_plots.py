"""Tests for npfl_helpers.plots: artists created, their data, fixed limits, animation frames."""


import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.animation import FuncAnimation  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from npfl_helpers import optim, plots, schedules, surfaces  # noqa: E402

OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7",
             "#F0E442"}


pytestmark = pytest.mark.usefixtures("strict_warnings")


def ax_with(surface):
    fig, (ax,) = plots.new_figure(1)
    plots.plot_surface(surface, ax, n=40)
    return ax


def synthetic(T=30, K=3, seed=0):
    """K smooth spirals towards the origin, shape (T, K, 2)."""
    t = np.linspace(0, 1, T)[:, None]
    phase = np.arange(K)[None, :] * 0.7
    r = 1.5 * (1 - t)
    return np.stack([r * np.cos(6 * t + phase), r * np.sin(6 * t + phase)], axis=-1)


# --- palette -----------------------------------------------------------------------------------

def test_palette_is_the_course_palette():
    assert plots.OPTIMIZER_COLORS == {
        "sgd": "#000000", "momentum": "#E69F00", "nesterov": "#56B4E9",
        "adagrad": "#009E73", "rmsprop": "#0072B2", "adam": "#D55E00",
    }
    assert set(plots.OPTIMIZER_LABELS) == set(plots.OPTIMIZER_COLORS)
    assert plots.color_for("Adam") == "#D55E00"
    assert plots.color_for("adam_outside") == "#D55E00"
    assert plots.color_for("adagrad") == "#009E73"  # not confused with "adam"
    assert plots.color_for("something else") in plots.SPARE_COLORS
    assert plots.color_for("something else") == plots.color_for("something else")
    assert set(plots.SPARE_COLORS) - {"#999999"} <= OKABE_ITO
    assert plots.label_for("rmsprop") == "RMSProp" and plots.label_for("mine") == "mine"


# --- surface ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(surfaces.SURFACES))
def test_plot_surface_limits_labels_markers(name):
    s = surfaces.SURFACES[name]()
    ax = plots.plot_surface(s, n=30)
    assert ax.get_xlim() == s.bounds[0] and ax.get_ylim() == s.bounds[1]
    assert "theta_1" in ax.get_xlabel() and "theta_2" in ax.get_ylabel()
    arts = plots.surface_artists(ax)
    stars = [a for a in arts if getattr(a, "get_marker", lambda: None)() == "*"]
    if len(s.minima):
        assert len(stars) == 1
        np.testing.assert_array_equal(np.c_[stars[0].get_data()], s.minima)
    else:
        assert stars == []
    for a in arts:
        a.remove()
    assert plots.surface_artists(ax) == []


def test_new_figure_does_not_register_when_asked():
    before = plt.get_fignums()
    fig, axes = plots.new_figure(2, pyplot=False)
    assert isinstance(fig, Figure) and len(axes) == 2
    assert plt.get_fignums() == before
    fig, _ = plots.new_figure(1)
    assert plt.get_fignums() == [*before, fig.number]


# --- trajectories -----------------------------------------------------------------------------

def test_trajectory_lines_hold_the_input_data():
    s = surfaces.quadratic()
    ax = ax_with(s)
    th = synthetic(T=25, K=3)
    paths = plots.plot_trajectories(ax, th, labels=["sgd", "momentum", "adam"])
    assert len(paths) == 3 and all(len(p) == 4 for p in paths)
    for k, p in enumerate(paths):
        np.testing.assert_array_equal(np.c_[p.line.get_data()], th[:, k])
        np.testing.assert_array_equal(np.c_[p.start.get_data()], th[:1, k])
        np.testing.assert_array_equal(np.c_[p.head.get_data()], th[-1:, k])
        assert len(p.cross.get_xdata()) == 0
    assert [p.line.get_color() for p in paths] == ["#000000", "#E69F00", "#D55E00"]
    assert [p.line.get_label() for p in paths] == ["SGD", "Momentum", "Adam"]


def test_single_path_and_colors_override():
    s = surfaces.beale()
    ax = ax_with(s)
    th = synthetic(K=1)[:, 0]
    (p,) = plots.plot_trajectories(ax, th, colors="#CC79A7")
    np.testing.assert_array_equal(np.c_[p.line.get_data()], th)
    assert p.line.get_color() == "#CC79A7"
    with pytest.raises(ValueError, match="labels must have one entry"):
        plots.plot_trajectories(ax, synthetic(K=2), labels=["sgd"])
    with pytest.raises(ValueError, match="thetas must have shape"):
        plots.plot_trajectories(ax, np.zeros((5, 3)))


def test_diverged_run_gets_a_cross_and_limits_stay():
    s = surfaces.quadratic(kappa=10.0)
    ax = ax_with(s)
    traj = optim.run(optim.sgd(lr=0.25), s.grad, np.stack([s.start, s.start]), 200)
    traj_ok = optim.run(optim.sgd(lr=0.05), s.grad, s.start, 200)
    assert traj.diverged.all() and not traj_ok.diverged
    th = np.concatenate([traj.thetas[:, :1], traj_ok.thetas[:, None]], axis=1)
    paths = plots.plot_trajectories(ax, th, labels=["sgd", "momentum"], diverged=[True, False])
    assert ax.get_xlim() == s.bounds[0] and ax.get_ylim() == s.bounds[1]
    bad, good = paths
    assert len(bad.cross.get_xdata()) == 1 and len(bad.head.get_xdata()) == 0
    assert len(good.cross.get_xdata()) == 0 and len(good.head.get_xdata()) == 1
    # the cross is where the path left the plot: on the boundary, between two path points
    cx, cy = bad.cross.get_xdata()[0], bad.cross.get_ydata()[0]
    (x0, x1), (y0, y1) = s.bounds
    assert x0 <= cx <= x1 and y0 <= cy <= y1
    assert min(abs(cy - y0), abs(cy - y1), abs(cx - x0), abs(cx - x1)) < 1e-9
    assert bad.line.get_label() == "SGD (diverged)"
    # finite part of the line equals the input
    finite = np.isfinite(th[:, 0]).all(-1)
    np.testing.assert_array_equal(np.c_[bad.line.get_data()][finite], th[finite, 0])


def test_diverged_inside_bounds_cross_at_last_point():
    s = surfaces.saddle()
    ax = ax_with(s)
    th = np.array([[-1.0, 0.1], [-0.5, 0.2], [np.nan, np.nan], [np.nan, np.nan]])
    (p,) = plots.plot_trajectories(ax, th)
    np.testing.assert_array_equal(np.c_[p.cross.get_data()], [[-0.5, 0.2]])


def test_far_points_are_clipped_without_warnings():
    s = surfaces.rosenbrock()
    ax = ax_with(s)
    th = np.array([[-1.5, 2.0], [0.0, 0.0], [1e200, -1e250], [np.inf, np.nan]])
    (p,) = plots.plot_trajectories(ax, th)
    x, y = p.line.get_data()
    assert np.nanmax(np.abs(x)) < 1e7 and np.nanmax(np.abs(y)) < 1e7
    ax.figure.canvas.draw()
    assert ax.get_xlim() == s.bounds[0]


def test_update_trajectories_in_place():
    s = surfaces.himmelblau()
    ax = ax_with(s)
    th = synthetic(T=40, K=2)
    paths = plots.plot_trajectories(ax, th, labels=["adam", "rmsprop"])
    new = th * 0.5
    plots.update_trajectories(paths, new, upto=10)
    for k, p in enumerate(paths):
        np.testing.assert_array_equal(np.c_[p.line.get_data()], new[:11, k])
        np.testing.assert_array_equal(np.c_[p.head.get_data()], new[10:11, k])
    with pytest.raises(ValueError, match="3 paths"):
        plots.update_trajectories(paths, synthetic(K=3))


# --- losses and schedules ---------------------------------------------------------------------

def test_plot_losses_gap_on_log_axis_with_floor():
    fig, (ax,) = plots.new_figure(1)
    losses = np.array([[3.0, 2.0], [1.0, 1.0], [1.0 - 1e-15, np.nan], [1.0, np.nan]])
    lines = plots.plot_losses(ax, losses, labels=["sgd", "adam"], f_min=1.0, floor=1e-10)
    assert len(lines) == 2 and ax.get_yscale() == "log"
    np.testing.assert_allclose(lines[0].get_ydata(), [2.0, 1e-10, 1e-10, 1e-10])
    np.testing.assert_array_equal(lines[1].get_ydata()[:2], [1.0, 1e-10])
    assert np.isnan(lines[1].get_ydata()[2:]).all()
    np.testing.assert_array_equal(lines[0].get_xdata(), np.arange(4))
    assert lines[1].get_color() == "#D55E00"
    assert "f^*" in ax.get_ylabel()


def test_plot_losses_raw_positive_and_negative():
    fig, (ax1, ax2) = plots.new_figure(2)
    (line,) = plots.plot_losses(ax1, np.geomspace(10, 1e-3, 20))
    assert ax1.get_yscale() == "log"
    np.testing.assert_allclose(line.get_ydata(), np.geomspace(10, 1e-3, 20))
    neg = {"sgd": 1.0 - np.arange(50.0) ** 3, "adam": -np.geomspace(1, 1e9, 50)}
    lines = plots.plot_losses(ax2, neg)
    assert ax2.get_yscale() == "symlog" and len(lines) == 2
    np.testing.assert_array_equal(lines[0].get_ydata(), neg["sgd"])
    assert len(ax2.yaxis.get_major_locator()()) <= 16
    fig.canvas.draw()


def test_plot_schedules():
    fig, (ax,) = plots.new_figure(1)
    sch = {"constant": schedules.constant(0.1),
           "cosine": schedules.cosine_decay(0.1, 50)}
    lines = plots.plot_schedules(ax, sch, 60)
    assert len(lines) == 2 and ax.get_yscale() == "log"
    np.testing.assert_allclose(lines[0].get_ydata(), 0.1)
    t = np.arange(60)
    expected = 0.1 * 0.5 * (1 + np.cos(np.pi * np.minimum(t, 50) / 50))
    y = lines[1].get_ydata()
    np.testing.assert_allclose(y[expected > 0], expected[expected > 0])
    assert np.isnan(y[expected == 0]).all()  # zero learning rate left out on a log axis
    assert [ln.get_label() for ln in lines] == ["constant", "cosine"]


# --- optimiser figure and race ----------------------------------------------------------------

def run_all(s, steps=80):
    lrs = {"sgd": 1e-3, "momentum": 1e-3, "adam": 0.05}
    return {n: optim.run(getattr(optim, n)(lr=lr), s.grad, s.start, steps).thetas
            for n, lr in lrs.items()}


def test_optimizer_figure():
    s = surfaces.rosenbrock()
    tr = run_all(s)
    of = plots.optimizer_figure(s, tr, n=40)
    assert len(of.paths) == 3 and len(of.loss_lines) == 3
    for p, (name, th) in zip(of.paths, tr.items(), strict=True):
        np.testing.assert_array_equal(np.c_[p.line.get_data()], th)
        assert p.line.get_color() == plots.color_for(name)
    np.testing.assert_allclose(of.loss_lines[2].get_ydata(),
                               np.maximum(s.f(tr["adam"]) - s.f_min, 1e-12))
    title = of.fig._suptitle.get_text()
    assert title.startswith("Rosenbrock: ")
    assert of.ax_surface.get_legend() is None and of.ax_loss.get_legend() is not None
    empty = plots.optimizer_figure(s, n=20, pyplot=False)
    assert empty.paths == [] and empty.ax_loss.get_yscale() == "log"


def test_finding_names_the_winner_and_the_diverged():
    s = surfaces.quadratic(kappa=10.0)
    tr = {"sgd": optim.run(optim.sgd(lr=0.3), s.grad, s.start, 100).thetas,
          "nesterov": optim.run(optim.nesterov(lr=0.1), s.grad, s.start, 100).thetas,
          "adam": optim.run(optim.adam(lr=0.01), s.grad, s.start, 100).thetas}
    gaps = {n: s.f(th) for n, th in tr.items()}
    first = {n: np.flatnonzero(g < 1e-6) for n, g in gaps.items()}
    assert first["nesterov"].size and not first["adam"].size  # the premise of this test
    title = plots.optimizer_figure(s, tr, n=20).fig._suptitle.get_text()
    assert f"Nesterov reaches $f - f^* < 10^{{-6}}$ first (t = {first['nesterov'][0]})" in title
    assert "SGD diverged" in title


def test_race_animation_frames_and_render():
    s = surfaces.himmelblau()
    tr = run_all(s, steps=250)
    n_before = plt.get_fignums()
    anim = plots.race_animation(s, tr, max_frames=40, n=30)
    assert isinstance(anim, FuncAnimation)
    assert plt.get_fignums() == n_before  # not tracked by pyplot
    frames = list(anim.new_frame_seq())
    assert len(frames) == 40 and frames[0] == 0 and frames[-1] == 250
    artists = anim._func(frames[10])
    assert len(artists) == 3 * 4 + 3 + 1  # 4 per path, 3 loss lines, the step counter
    line_sgd = artists[0]
    np.testing.assert_array_equal(np.c_[line_sgd.get_data()], tr["sgd"][: frames[10] + 1])
    ax_s = anim._fig.axes[0]
    assert ax_s.get_xlim() == s.bounds[0] and ax_s.get_ylim() == s.bounds[1]
    anim._fig.canvas.draw()
    small = plots.race_animation(s, {k: v[:5] for k, v in tr.items()}, n=20)
    assert len(list(small.new_frame_seq())) == 5
    html = small.to_jshtml()
    assert html.count("data:image/png;base64") == 5
    anim._draw_was_started = True  # only single frames were drawn: silence "deleted unrendered"


def test_race_shows_the_cross_only_after_divergence():
    s = surfaces.quadratic(kappa=10.0)
    traj = optim.run(optim.sgd(lr=0.3), s.grad, s.start, 120)
    last = int(np.flatnonzero(np.isfinite(traj.thetas).all(-1))[-1])
    anim = plots.race_animation(s, {"sgd": traj.thetas}, max_frames=121, n=20)
    line, start, head, cross = anim._func(last)[:4]
    assert len(cross.get_xdata()) == 0 and len(head.get_xdata()) == 1
    line, start, head, cross = anim._func(last + 1)[:4]
    assert len(cross.get_xdata()) == 1 and len(head.get_xdata()) == 0
    anim._draw_was_started = True  # silence "deleted without rendering"


def test_race_rejects_bad_input():
    s = surfaces.saddle()
    with pytest.raises(ValueError, match="max_frames"):
        plots.race_animation(s, {"sgd": np.zeros((3, 2))}, max_frames=1)
    with pytest.raises(ValueError, match="shape"):
        plots.race_animation(s, {"sgd": np.zeros((3, 2, 2))})


def test_figures_leave_interactive_mode_alone():
    plt.ion()
    try:
        ax = plots.plot_surface(surfaces.saddle(), n=20)
        assert plt.isinteractive()
        assert ax.figure.number in plt.get_fignums()  # plt.show() will display it
    finally:
        plt.ioff()
