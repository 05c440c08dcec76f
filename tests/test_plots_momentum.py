"""Tests for npfl_helpers.plots.momentum: contours, optimiser paths, loss curves, the 1×2 figure."""

import warnings

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from npfl_helpers import optim, plots, surfaces

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


def run_all(s, steps=80):
    lrs = {"sgd": 1e-3, "momentum": 1e-3, "adam": 0.05}
    return {n: optim.run(getattr(optim, n)(lr=lr), s.grad, s.start, steps).thetas
            for n, lr in lrs.items()}


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
    assert ax.get_ylabel() == r"$J(\theta_t) - J^*$"


def test_plot_losses_raw_positive_and_negative():
    fig, (ax1, ax2) = plots.new_figure(2)
    (line,) = plots.plot_losses(ax1, np.geomspace(10, 1e-3, 20))
    assert ax1.get_yscale() == "log" and ax1.get_ylabel() == r"$J(\theta_t)$"
    np.testing.assert_allclose(line.get_ydata(), np.geomspace(10, 1e-3, 20))
    neg = {"sgd": 1.0 - np.arange(50.0) ** 3, "adam": -np.geomspace(1, 1e9, 50)}
    lines = plots.plot_losses(ax2, neg)
    assert ax2.get_yscale() == "symlog" and len(lines) == 2
    np.testing.assert_array_equal(lines[0].get_ydata(), neg["sgd"])
    assert len(ax2.yaxis.get_major_locator()()) <= 16
    fig.canvas.draw()


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
    assert empty.ax_loss.get_ylabel() == r"$J(\theta_t) - J^*$"


def test_finding_names_the_winner_and_the_diverged():
    s = surfaces.quadratic(kappa=10.0)
    tr = {"sgd": optim.run(optim.sgd(lr=0.3), s.grad, s.start, 100).thetas,
          "nesterov": optim.run(optim.nesterov(lr=0.1), s.grad, s.start, 100).thetas,
          "adam": optim.run(optim.adam(lr=0.01), s.grad, s.start, 100).thetas}
    gaps = {n: s.f(th) for n, th in tr.items()}
    first = {n: np.flatnonzero(g < 1e-6) for n, g in gaps.items()}
    assert first["nesterov"].size and not first["adam"].size  # the premise of this test
    title = plots.optimizer_figure(s, tr, n=20).fig._suptitle.get_text()
    assert f"Nesterov reaches $J - J^* < 10^{{-6}}$ first (t = {first['nesterov'][0]})" in title
    assert "SGD diverged" in title


def test_saddle_title_states_the_escape_computed_in_the_core():
    from npfl_helpers import trajectories

    s = surfaces.saddle()
    tr = {"sgd": optim.run(optim.sgd(lr=0.05), s.grad, s.start, 80).thetas,
          "adam": optim.run(optim.adam(lr=0.05), s.grad, s.start, 80).thetas}
    of = plots.optimizer_figure(s, tr, n=20)
    o = trajectories.run_outcome(s.f(np.stack(list(tr.values()), axis=1)), s.f_min)
    assert o.first is not None  # the premise: someone escapes below -|J(θ_0)| = -1
    who = ["SGD", "Adam"][o.first]
    assert of.fig._suptitle.get_text() == (f"Saddle: {who} escapes first: $J < -1$ "
                                          f"(t = {o.first_step})")
    assert of.ax_loss.get_yscale() == "symlog"
    shown = np.stack([ln.get_ydata() for ln in of.loss_lines], axis=1)
    linthresh, base = trajectories.symlog_scale(shown)
    assert linthresh == 1e-3  # 1 % of |J(θ_0)| = 1 - 10⁻⁶, rounded down to a power of ten
    assert of.ax_loss.yaxis.get_transform().linthresh == linthresh
    assert of.ax_loss.yaxis.get_major_locator()._base == base
    assert of.ax_surface.get_title() == r"$J(\theta)=\theta_1^2-\theta_2^2$"
    of.fig.canvas.draw()


def test_figures_leave_interactive_mode_alone():
    plt.ion()
    try:
        ax = plots.plot_surface(surfaces.saddle(), n=20)
        assert plt.isinteractive()
        assert ax.figure.number in plt.get_fignums()  # plt.show() will display it
    finally:
        plt.ioff()


def test_gd_rate_is_the_larger_factor_and_marks_the_two_learning_rates():
    fig, (ax,) = plots.new_figure(1)
    slow, fast, rho = plots.plot_gd_rate(ax, 1.0, 10.0)
    a = rho.get_xdata()
    assert a[-1] == pytest.approx(0.23)
    np.testing.assert_allclose(rho.get_ydata(), np.maximum(abs(1 - a), abs(1 - 10 * a)))
    np.testing.assert_allclose(fast.get_ydata(), abs(1 - 10 * a))
    marks = [ln for ln in ax.lines if ln not in (slow, fast, rho)]
    xs = sorted(ln.get_xdata()[0] for ln in marks if ln.get_xdata()[0] == ln.get_xdata()[1]
                and ln.get_xdata()[0] != 0)
    assert xs == pytest.approx([2 / 11, 0.2])  # best α and the stability limit 2/λ_max
    assert ax.get_ylim() == (0, 1.5) and ax.get_legend() is not None
    fig.canvas.draw()


def test_phase_diagram_shows_three_kinds_of_cells_and_marks_the_optimum():
    fig, (ax,) = plots.new_figure(1)
    lrs, betas = np.geomspace(1e-3, 0.2, 6), np.linspace(0.0, 0.9, 4)
    ratio = np.full((4, 6), 1e-5)
    ratio[:, -2] = 50.0                       # grew, but ‖θ‖ stayed below 10⁶
    diverged = np.zeros((4, 6), bool)
    diverged[:, -1] = True                    # ‖θ‖ passed 10⁶: stopped
    mesh = plots.plot_phase_diagram(ax, lrs, betas, ratio, diverged, 10.0, optimum=(0.01, 0.5),
                                    steps=100)
    shown = mesh.get_array().reshape(4, 6)
    assert np.ma.getmaskarray(shown)[:, -1].all()          # diverged → the "bad" colour
    assert not np.ma.getmaskarray(shown)[:, :-1].any()
    cmap, norm = mesh.cmap, mesh.norm
    assert cmap(norm(50.0))[:3] == pytest.approx(matplotlib.colors.to_rgb(plots.PHASE_GREW))
    assert cmap.get_bad()[:3] == pytest.approx(matplotlib.colors.to_rgb(plots.PHASE_DIVERGED))
    assert np.allclose(np.ma.getdata(shown)[:, :-2], 1e-5)
    edge, star = ax.lines
    np.testing.assert_allclose(edge.get_xdata(), 2 * (1 + betas) / 10.0)
    assert list(star.get_xdata()) == [0.01] and star.get_marker() == "*"
    assert ax.get_xscale() == "log" and ax.get_xlim() == pytest.approx((1e-3, 0.2))
    assert "theta_{100}" in fig.axes[1].get_ylabel()  # the colour bar names the step
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("passed $10^6$" in t for t in labels) and any("grew" in t for t in labels)
    fig.canvas.draw()


def test_phase_diagram_of_nesterov_draws_its_own_stability_edge():
    from npfl_helpers import quadratic_theory as qt

    fig, (ax,) = plots.new_figure(1)
    lrs, betas = np.geomspace(1e-3, 0.2, 5), np.linspace(0.0, 0.9, 3)
    plots.plot_phase_diagram(ax, lrs, betas, np.full((3, 5), 0.1), np.zeros((3, 5), bool), 10.0,
                             name="nesterov", legend=False)
    np.testing.assert_allclose(ax.lines[0].get_xdata(), (2 + 2 * betas) / ((1 + 2 * betas) * 10))
    np.testing.assert_allclose(ax.lines[0].get_xdata(), qt.stability_limit("nesterov", betas, 10))
    assert ax.get_legend() is None
    fig.canvas.draw()


# --- one eigendirection at a time --------------------------------------------------------------

def test_direction_errors_are_drawn_as_absolute_values_with_a_floor():
    from npfl_helpers import quadratic_theory as qt

    fig, (ax,) = plots.new_figure(1)
    u = qt.direction_errors("sgd", 0.1, 0.0, [1.0, 10.0, 30.0], [1.0, -1.0, 1.0], 200)
    lines = plots.plot_direction_errors(ax, u, [1.0, 10.0, 30.0])
    slow, exact, diverged = (ln.get_ydata() for ln in lines)
    np.testing.assert_allclose(slow, 0.9 ** np.arange(201))       # |1 − αλ|ᵗ
    assert exact[0] == 1.0 and np.all(exact[1:] == 1e-16)          # αλ = 1: zero after one step
    assert np.isfinite(diverged[:5]).all() and np.isnan(diverged[-1])  # |1 − 3| = 2: leaves
    assert lines[0].get_color() == plots.DIRECTION_COLORS[0]
    assert lines[-1].get_color() == plots.DIRECTION_COLORS[1]
    assert "slowest" in lines[0].get_label() and "fastest" in lines[-1].get_label()
    assert ax.get_yscale() == "log"
    fig.canvas.draw()


def test_roots_are_the_eigenvalues_of_the_iteration_and_their_locus():
    from npfl_helpers import quadratic_theory as qt

    fig, (ax,) = plots.new_figure(1)
    art = plots.plot_roots(ax, "momentum", 0.01, 0.9, [1.0, 50.0])
    for i, lam in enumerate((1.0, 50.0)):
        x, y = art.roots[i].get_data()
        expected = np.linalg.eigvals(qt.iteration_matrix("momentum", 0.01, 0.9, lam))
        assert sorted(np.round(np.asarray(x) + 1j * np.asarray(y), 10), key=lambda z: z.imag) \
            == pytest.approx(sorted(expected, key=lambda z: z.imag))
        # the locus starts at β = 0 with the roots 1 − αλ and 0
        starts = sorted(line.get_xydata()[0, 0] for line in art.locus[i])
        assert starts == pytest.approx(sorted([1 - 0.01 * lam, 0.0]), abs=1e-12)
    plots.update_roots(art, "nesterov", 0.02, 0.5, [1.0, 50.0])  # αλ = 1: a double root at 0
    x, y = art.roots[1].get_data()
    assert np.allclose(x, 0) and np.allclose(y, 0)
    assert ax.get_aspect() == 1.0
    fig.canvas.draw()


def test_rate_against_beta_marks_critical_damping_and_the_current_beta():
    from npfl_helpers import quadratic_theory as qt

    fig, (ax,) = plots.new_figure(1)
    art = plots.plot_rate_vs_beta(ax, "momentum", 0.01, 0.9, [1.0, 50.0])
    b, slow = art.curves[0].get_data()
    for k in (0, 100, 399):
        roots = np.linalg.eigvals(qt.iteration_matrix("momentum", 0.01, b[k], 1.0))
        assert slow[k] == pytest.approx(np.abs(roots).max())
    _, overall = art.overall.get_data()
    np.testing.assert_allclose(overall, np.maximum(slow, art.curves[1].get_ydata()))
    for i, lam in enumerate((1.0, 50.0)):
        (x,), (y,) = art.critical[i].get_data()
        assert x == pytest.approx((1 - np.sqrt(0.01 * lam)) ** 2)
        assert y == pytest.approx(np.sqrt(x), abs=1e-6)  # a double root r = √β_crit
    assert list(art.current.get_xdata()) == [0.9, 0.9]
    assert art.current.get_label() == r"current $\beta$"  # the dotted line is in the legend
    plots.update_rate_vs_beta(art, "nesterov", 0.05, 0.5, [1.0, 50.0])  # αλ = 2.5: no β_crit
    assert art.critical[1].get_xydata().size == 0
    fig.canvas.draw()


def test_noise_floor_against_beta_is_the_exact_floor():
    from npfl_helpers import quadratic_theory as qt

    fig, (ax,) = plots.new_figure(1)
    same, approx, effective, current = plots.plot_noise_floor_vs_beta(ax, 0.01, 0.5, 1.0,
                                                                      [1.0, 10.0])
    b, y = same.get_data()
    for k in (0, 200, 399):
        assert y[k] == pytest.approx(qt.noise_floor(0.01, 1.0, [1.0, 10.0], beta=b[k]))
        assert effective.get_ydata()[k] == pytest.approx(
            qt.noise_floor(0.01 * (1 - b[k]), 1.0, [1.0, 10.0], beta=b[k]))
        assert approx.get_ydata()[k] == pytest.approx(2 * 0.01 / (4 * (1 - b[k])))
    assert list(current.get_xdata()) == [0.5, 0.5]
    # the legend states the approximation unambiguously: nασ²/(4(1 − β)), not (nασ²/4)(1 − β)
    assert r"$n\alpha\sigma^2/(4(1-\beta))$" in approx.get_label()
    assert current.get_label() == r"current $\beta$"
    plots.update_noise_floor_vs_beta([same, approx, effective, current], 0.3, 0.5, 1.0,
                                     [1.0, 10.0])  # α = 0.3: stable only for β > 0.5
    b, y = same.get_data()
    assert np.isnan(y[b < 0.49]).all() and np.isfinite(y[b > 0.51]).all()
    fig.canvas.draw()


@pytest.mark.parametrize("name", sorted(surfaces.SURFACES))
@pytest.mark.parametrize("n", [5, 9, 31])
def test_plot_surface_on_grids_through_the_minimum_warns_nothing(name, n):
    # grids whose points land on a minimum (J = 0 on a log colour scale) must not leave a hole
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plots.plot_surface(surfaces.SURFACES[name](), n=n).figure.canvas.draw()
