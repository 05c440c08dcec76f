"""Tests for npfl_helpers.widgets.momentum (notebook 07): the momentum explorer and the (α, β)
phase diagram, headless, against optim.run and npfl_helpers.quadratic_theory."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from _explorer_checks import builds_headless, every_control_changes_something  # noqa: E402

from npfl_helpers import optim, quadratic_theory, surfaces, widgets  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error")  # any warning fails, not only RuntimeWarning

FACTORIES = [widgets.momentum_explorer, widgets.phase_diagram_explorer]


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_explorer_builds_headless(factory):
    builds_headless(factory(), widgets.Explorer)


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_every_control_over_its_range(factory):
    every_control_changes_something(factory())


def test_momentum_explorer_paths_and_title():
    ex = widgets.momentum_explorer()
    with ex.hold():
        ex.controls["kappa"].value = 100.0
        ex.controls["steps"].value = 300
        a, b = quadratic_theory.heavy_ball_optimum(1.0, 100.0)
        ex.controls["lr"].value = a
        ex.controls["beta"].value = round(b, 2)
    s = surfaces.quadratic(kappa=100.0)
    traj = optim.run(optim.nesterov(lr=a, beta=round(b, 2)), s.grad, s.start, 300)
    drawn = ex.paths["nesterov"].line.get_xydata()
    assert traj.diverged  # β = 0.67 rounds β* up: Nesterov swings out; drawn until it leaves
    np.testing.assert_allclose(drawn[:-1], traj.thetas[:len(drawn) - 1])
    assert len(drawn) < len(traj.thetas) and np.abs(drawn[-1]).max() == pytest.approx(6.0)
    title = ex.title_text.get_text()
    # at α*: α λ_max = 4κ/(1 + √κ)² > 2, so gradient descent diverges; momentum converges fast
    assert "SGD diverges" in title
    assert int(title.split("Momentum ")[1].split(",")[0]) < 100
    ex.controls["lr"].value = 1e-3
    assert "SGD > 300" in ex.title_text.get_text()
    assert ex.ax_s.get_xlim() == (-2.0, 2.0)


@pytest.mark.parametrize("kappa", [10.0, 100.0])
def test_marked_optimum_converges_near_fastest_on_the_grid(kappa):
    ex = widgets.phase_diagram_explorer()
    ex.controls["kappa"].value = kappa
    steps = ex.controls["steps"].value
    a, b = quadratic_theory.heavy_ball_optimum(1.0, kappa)
    (sx,), (sy,) = ex.stars["momentum"].get_data()
    assert (sx, sy) == pytest.approx((a, b))
    ratio, div = ex.data["momentum"]
    grid_rate = np.min(ratio[~div]) ** (1 / (2 * steps))  # per-step rate of ‖θ‖
    marked, _ = quadratic_theory.phase_diagram("momentum", kappa, steps, [a], [b])
    marked_rate = marked[0, 0] ** (1 / (2 * steps))
    assert marked_rate <= grid_rate * 1.03 + 1e-3
    # and it is the place to be: far from it, convergence is much slower
    far = ratio[np.abs(np.log(ex.lrs / a))[:, None] + np.abs(ex.betas - b)[None, :] > 2.0]
    assert np.nanmin(far) ** (1 / (2 * steps)) > marked_rate + 0.02


def test_phase_diagram_shows_quadratic_theory():
    ex = widgets.phase_diagram_explorer()
    with ex.hold():
        ex.controls["kappa"].value = 30.0
        ex.controls["steps"].value = 50
    for name in ("momentum", "nesterov"):
        ratio, div = quadratic_theory.phase_diagram(name, 30.0, 50, ex.lrs, ex.betas)
        np.testing.assert_array_equal(ex.data[name][1], div)
        np.testing.assert_array_equal(ex.data[name][0], ratio)


def test_phase_diagram_title_says_whether_the_best_cell_is_at_the_optimum():
    ex = widgets.phase_diagram_explorer()  # κ = 100, T = 100: the best cell is next to α*, β*
    assert "momentum is fastest near" in ex.title_text.get_text()
    with ex.hold():  # after 10 steps on κ = 1000, β ≈ 0.7 beats β* ≈ 0.88
        ex.controls["kappa"].value = 1000.0
        ex.controls["steps"].value = 10
    _, (y,) = ex.bests["momentum"].get_data()
    _, b = quadratic_theory.heavy_ball_optimum(1.0, 1000.0)
    assert abs(y - b) > 0.1
    assert "is not yet at" in ex.title_text.get_text()


def test_phase_diagram_marks_diverged_cells_in_their_own_colour():
    ex = widgets.phase_diagram_explorer()
    ex.draw()
    mesh = ex.meshes["momentum"]
    ratio, div = ex.data["momentum"]
    assert div.any() and (~div).any()
    shown = mesh.get_array()
    assert np.ma.getmaskarray(shown).T[div].all()  # diverged → masked → the "bad" colour
    assert mesh.cmap.get_bad()[:3] == pytest.approx(matplotlib.colors.to_rgb(ex._DIVERGED))
    labels = [t.get_text() for legend in ex.figure.legends for t in legend.get_texts()]
    assert r"diverged: $\|\theta\|$ passed $10^6$" in labels


# --- one eigendirection at a time, and noisy gradients ----------------------------------------

NEW = [widgets.eigendirection_explorer, widgets.noisy_momentum_explorer]


@pytest.mark.parametrize("factory", NEW, ids=lambda f: f.__name__)
def test_new_explorers_build_headless(factory):
    builds_headless(factory(), widgets.Explorer)


@pytest.mark.parametrize("factory", NEW, ids=lambda f: f.__name__)
def test_new_explorers_every_control_over_its_range(factory):
    every_control_changes_something(factory())


@pytest.mark.parametrize("method", ["momentum", "nesterov"])
def test_eigendirection_explorer_draws_the_theory(method):
    ex = widgets.eigendirection_explorer()
    with ex.hold():
        ex.controls["method"].value = method
        ex.controls["kappa"].value = 50.0
        ex.controls["lr"].value = 0.02
        ex.controls["beta"].value = 0.5
        ex.controls["steps"].value = 100
    lam = np.array([1.0, 50.0])
    u = quadratic_theory.direction_errors(method, 0.02, 0.5, lam, [-1.6, 0.9], 100)
    np.testing.assert_allclose(ex.u_lines[0].get_ydata(), np.maximum(abs(u[:, 0]), 1e-16))
    # the errors are those of a real run seen along the eigenvectors
    s = surfaces.quadratic(kappa=50.0)
    traj = optim.run(optim.OPTIMIZERS[method](lr=0.02, beta=0.5), s.grad, s.start, 100)
    np.testing.assert_allclose(np.abs(traj.thetas), np.maximum(abs(u), 1e-16), atol=1e-12)
    roots = quadratic_theory.iteration_eigenvalues(method, 0.02, 0.5, lam)
    x, y = ex.roots.roots[1].get_data()
    assert sorted(np.asarray(x) + 1j * np.asarray(y), key=lambda z: (z.real, z.imag)) == \
        pytest.approx(sorted(roots[1], key=lambda z: (z.real, z.imag)))
    crit = quadratic_theory.critical_beta(method, 0.02, lam)
    np.testing.assert_allclose(ex.data["critical"], crit)
    rate = quadratic_theory.convergence_rate(method, 0.02, 0.5, lam)
    assert f"error × {rate:.3g} per step" in ex.title_text.get_text()


def test_eigendirection_explorer_names_the_regimes():
    ex = widgets.eigendirection_explorer()  # κ = 100, α = 0.01, β = 0.9: both underdamped
    assert ex.data["regimes"] == ["underdamped", "underdamped"]
    a, b = quadratic_theory.heavy_ball_optimum(1.0, 100.0)
    with ex.hold():  # the heavy-ball optimum: both extremes critically damped
        ex.controls["lr"].value = a
        ex.controls["beta"].value = b
    slow, fast = ex.data["regimes"]
    assert slow == "critically damped" and fast == "critically damped, zig-zag"
    ex.controls["beta"].value = 0.67  # just above β* = 0.6694: both underdamped
    assert ex.data["regimes"] == ["underdamped", "underdamped"]
    with ex.hold():  # β = 0 and α > 1/λ_max: GD, the fast direction zig-zags
        ex.controls["beta"].value = 0.0
        ex.controls["lr"].value = 0.015
    assert ex.data["regimes"] == ["overdamped", "overdamped, zig-zag"]
    ex.controls["lr"].value = 0.05  # past 2/λ_max = 0.02 (β = 0)
    assert ex.data["regimes"][1] == "diverges" and "diverges" in ex.title_text.get_text()
    ex.draw()


def test_noisy_explorer_predicts_what_its_runs_measure():
    ex = widgets.noisy_momentum_explorer()  # α = 0.01, β = 0.9, κ = 10, 500 steps
    pred, meas = ex.data["predicted"], ex.data["measured"]
    lam = [1.0, 10.0]
    assert pred["sgd"] == pytest.approx(quadratic_theory.noise_floor(0.01, 1.0, lam))
    assert pred["momentum"] == pytest.approx(quadratic_theory.noise_floor(0.01, 1.0, lam, beta=0.9))
    assert pred["effective"] == pytest.approx(
        quadratic_theory.noise_floor(0.001, 1.0, lam, beta=0.9))
    assert meas["momentum"] == pytest.approx(pred["momentum"], rel=0.15)  # 100 runs, 125 steps
    assert pred["momentum"] / pred["sgd"] == pytest.approx(10, rel=0.03)   # ≈ 1/(1 − β)
    assert pred["effective"] / pred["sgd"] == pytest.approx(1, rel=0.03)
    assert "= 9.86×" in ex.title_text.get_text()


def test_noisy_explorer_shows_divergence_without_warnings():
    ex = widgets.noisy_momentum_explorer()
    with ex.hold():
        ex.controls["kappa"].value = 100.0
        ex.controls["lr"].value = 0.1  # > 2/λ_max = 0.02 and > 2(1 + β)/λ_max = 0.038
    assert np.isnan(ex.data["predicted"]["sgd"]) and "no floor for SGD" in ex.title_text.get_text()
    assert np.isnan(ex.curves["sgd"].get_ydata()[-1])
    ex.draw()


# --- notebook 07's "what to try" lists, followed in order (values on the sliders' grids) --------

def _grid(exponent):
    """A value of a log slider with 0.01-decade steps (what the browser sends back)."""
    return 10.0 ** round(exponent, 2)


def test_notebook_07_eigendirection_guidance_works_in_order():
    ex = widgets.eigendirection_explorer()
    assert ex.data["regimes"] == ["underdamped", "underdamped"]                       # 1
    np.testing.assert_allclose(ex.data["rates"], np.sqrt(0.9))
    assert ex.ax_b.get_title() == "critical β (dots): 0.81, 0"
    ex.controls["beta"].value = 0.81                                                  # 2
    assert "critically damped" in ex.data["regimes"][0] and "|r| = 0.9)" in ex.title_text.get_text()
    with ex.hold():                                                                   # 3
        ex.controls["lr"].value = _grid(np.log10(0.0331))
        ex.controls["beta"].value = 0.67
    assert ex.controls["lr"].value == pytest.approx(0.0331, rel=1e-3)
    slow, fast = ex.data["critical"]
    assert abs(slow - fast) < 0.01 and round(fast, 3) == 0.672                         # dots meet
    assert ex.data["regimes"] == ["underdamped", "overdamped, zig-zag"]
    assert "(|r| = 0.819)" in ex.title_text.get_text()
    assert "error × 0.88 per step" in ex.title_text.get_text()
    ex.controls["beta"].value = 0.68
    assert ex.data["regimes"] == ["underdamped", "underdamped"]
    assert "error × 0.825 per step" in ex.title_text.get_text()
    ex.controls["lr"].value = _grid(np.log10(0.0331) + 0.01)                           # 4
    assert ex.data["regimes"][1] == "diverges" and "diverges" in ex.title_text.get_text()
    with ex.hold():                                                                   # 5
        ex.controls["method"].value = "nesterov"
        ex.controls["lr"].value = 0.01
        ex.controls["beta"].value = 0.9
    assert ex.data["regimes"][1] == "critically damped" and ex.data["rates"][1] == 0
    assert "critically damped (|r| = 0)" in ex.title_text.get_text()


def test_notebook_07_phase_diagram_guidance_works_in_order():
    ex = widgets.phase_diagram_explorer()
    assert "momentum is fastest near" in ex.title_text.get_text()                     # 1
    first = {name: np.argmax(ex.data[name][1], axis=0) for name in ("momentum", "nesterov")}
    assert np.all(first["nesterov"] <= first["momentum"])  # per β: Nesterov's pink starts first
    assert np.any(first["nesterov"] < first["momentum"])
    ex.controls["steps"].value = 10                                                   # 2
    assert "is not yet at" in ex.title_text.get_text()
    with ex.hold():                                                                   # 3
        ex.controls["steps"].value = 100
        ex.controls["kappa"].value = 1000.0
    (x,), (y,) = ex.stars["momentum"].get_data()
    assert round(x, 4) == 0.0038 and round(y, 2) == 0.88
    assert "momentum is fastest near" in ex.title_text.get_text()


def test_notebook_07_noisy_guidance_works_in_order():
    ex = widgets.noisy_momentum_explorer()
    title = ex.title_text.get_text()
    assert "= 9.86×" in title and "= 0.973×" in title                                 # 1
    ex.controls["beta"].value = 0.5                                                   # 2
    assert "= 1.98×" in ex.title_text.get_text()
    ex.controls["lr"].value = 0.1                                                     # 3
    assert "= 1.66×" in ex.title_text.get_text()
    b, exact = ex.floor_lines[0].get_data()
    low = 1 - ex.floor_lines[1].get_ydata() / exact  # how far the approximation is below
    assert round(low[0], 2) == 0.34 and np.all(low[b <= 0.9] > 0.15)
    ex.controls["lr"].value = 10.0 ** -0.7  # the readout's "0.2" is 0.1995 < 2/λ_max   # 4
    assert "floors: SGD 21;" in ex.title_text.get_text()  # just below the limit: a huge floor
    predicted, start = ex.data["predicted"], ex.data["loss"][0, 0]  # J(θ₀) ≈ 5.3
    assert predicted["sgd"] > 3 * start and predicted["momentum"] < predicted["sgd"]
    ex.controls["lr"].value = 10.0 ** -0.65  # 0.224, past 2/λ_max = 0.2
    assert "SGD has no floor" in ex.title_text.get_text()
    ex.controls["lr"].value = 10.0 ** -0.55  # 0.28 < 2(1 + β)/λ_max = 0.3
    assert np.isfinite(ex.data["predicted"]["momentum"])
    ex.controls["lr"].value = 10.0 ** ex.controls["lr"].max  # 0.3 = 2(1 + β)/λ_max
    assert "no floor for SGD nor momentum" in ex.title_text.get_text()


def test_notebook_07_momentum_explorer_guidance_works_in_order():
    ex = widgets.momentum_explorer()
    title = ex.title_text.get_text()
    assert "SGD > 150, Momentum 138, Nesterov 62" in title                            # 1
    with ex.hold():                                                                   # 2
        ex.controls["lr"].value = _grid(np.log10(0.0331))
        ex.controls["beta"].value = 0.67
    assert "Momentum 89," in ex.title_text.get_text()
    ex.controls["beta"].value = 0.68
    title = ex.title_text.get_text()
    assert "SGD diverges" in title and "Nesterov diverges" in title
    assert "Momentum 42," in title
    assert quadratic_theory.stability_limit("nesterov", 0.68, 100.0) == pytest.approx(0.0143,
                                                                                   abs=1e-4)
    ex.controls["beta"].value = 0.95                                                  # 3
    assert "Momentum > 150" in ex.title_text.get_text()
    with ex.hold():                                                                   # 4
        ex.controls["lr"].value = 0.01
        ex.controls["beta"].value = 0.9
    order, seen_above, seen_above_gd = [], False, False
    for e in np.arange(-2.0, -1.3, 0.01):
        ex.controls["lr"].value = _grid(e)
        title = ex.title_text.get_text()
        for name in ("Nesterov", "SGD", "Momentum"):
            if f"{name} diverges" in title and name not in order:
                order.append(name)
        seen_above |= "Nesterov > 150" in title and ex.controls["lr"].value > 0.0136
        seen_above_gd |= "SGD > 150" in title and ex.controls["lr"].value > 0.02
    # "Just past GD's and Nesterov's limits the title first shows '> 150'"
    assert order == ["Nesterov", "SGD", "Momentum"] and seen_above and seen_above_gd


def test_noisy_explorer_says_no_floor_only_past_the_stability_limit():
    ex = widgets.noisy_momentum_explorer()
    ex.controls["beta"].value = 0.5
    for e in np.arange(-1.0, ex.controls["lr"].max + 1e-9, 0.05):  # the slider's grid
        ex.controls["lr"].value = 10.0 ** e
        lr, title = ex.controls["lr"].value, ex.title_text.get_text()
        sgd_limit = quadratic_theory.stability_limit("momentum", 0.0, 10.0)
        assert ("SGD has no floor" in title or "no floor for SGD" in title) == (lr >= sgd_limit)
        mom_limit = quadratic_theory.stability_limit("momentum", 0.5, 10.0)
        assert ("no floor for SGD nor momentum" in title) == (lr >= mom_limit * (1 - 1e-9))
        for k, beta in (("sgd", 0.0), ("momentum", 0.5)):  # an exact floor wherever it exists
            if np.isfinite(ex.data["predicted"][k]):
                assert ex.data["predicted"][k] == pytest.approx(
                    quadratic_theory.noise_floor(lr, 1.0, [1.0, 10.0], beta=beta))


def test_noisy_explorer_measures_a_floor_only_once_the_runs_have_settled():
    ex = widgets.noisy_momentum_explorer()
    assert np.isfinite(ex.measured.get_ydata()).all()  # defaults: settled after 375 steps
    with ex.hold():
        ex.controls["lr"].value = 10.0 ** -2.5  # α ≈ 0.003: SGD's transient lasts ~ 1/(2α) steps
        ex.controls["beta"].value = 0.0
        ex.controls["steps"].value = 100
    assert all(np.isnan(v) for v in ex.data["measured"].values())
    assert np.isfinite(list(ex.data["predicted"].values())).all()
    ex.draw()


def test_a_diverging_path_leaves_the_picture_once():
    """At β = 0.68 and α = 0.0331 Nesterov diverges: its path stops where it first leaves the
    view widened by one view size on every side, instead of striping across the plot."""
    from npfl_helpers.widgets._paths import VIEW_MARGIN

    ex = widgets.momentum_explorer()
    with ex.hold():
        ex.controls["lr"].value = _grid(np.log10(0.0331))
        ex.controls["beta"].value = 0.68
    assert "Nesterov diverges" in ex.title_text.get_text()
    (x0, x1), (y0, y1) = ex.ax_s.get_xlim(), ex.ax_s.get_ylim()
    w, h = VIEW_MARGIN * (x1 - x0), VIEW_MARGIN * (y1 - y0)
    for name in ("sgd", "nesterov"):
        xy = ex.paths[name].line.get_xydata()
        inside = ((xy[:, 0] >= x0 - w) & (xy[:, 0] <= x1 + w)
                  & (xy[:, 1] >= y0 - h) & (xy[:, 1] <= y1 + h))
        assert inside[:-1].all(), name  # every point but the last within the wide box ...
        edge = np.isclose(np.abs(xy[-1] - [(x0 + x1) / 2, (y0 + y1) / 2]),
                          [(x1 - x0) / 2 + w, (y1 - y0) / 2 + h])
        assert edge.any(), name  # ... and the last one on its edge: the path leaves it there
        assert len(xy) < 151
        assert ex.paths[name].cross.get_xydata().shape == (1, 2)  # the "×" where it left the view
    # a converging path is drawn whole
    assert len(ex.paths["momentum"].line.get_xydata()) == 151


def test_loss_panel_speaks_of_the_objective_j():
    """The lecture writes J(θ) for the objective: so do the loss panels of the path explorers."""
    ex = widgets.momentum_explorer()
    assert ex.ax_l.get_ylabel() == r"$J(\theta_t) - J^*$"
    ex = widgets.optimizer_explorer()
    assert ex.ax_l.get_ylabel() == r"$J(\theta_t) - J^*$"
    assert "ends lowest: $J - J^*$ = " in ex.title_text.get_text()
    ex.controls["surface"].value = "saddle"  # no minimum: the loss itself
    assert ex.ax_l.get_ylabel() == r"$J(\theta_t)$"
    assert "ends lowest: $J$ = " in ex.title_text.get_text()
