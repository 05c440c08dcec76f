"""Tests for npfl_helpers.widgets.adaptive (notebook 08): the optimiser explorer on every surface
and Adam's bias-correction explorer, headless, against optim.run and the lecture's formulas."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from _explorer_checks import builds_headless, every_control_changes_something  # noqa: E402

from npfl_helpers import optim, surfaces, widgets  # noqa: E402
from npfl_helpers.widgets import _axes, adaptive  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error")  # any warning fails, not only RuntimeWarning

FACTORIES = [widgets.optimizer_explorer, widgets.adam_bias_explorer]


def _all_on(ex):
    with ex.hold():
        for name in adaptive._NAMES:
            ex.controls[name].value = True


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_explorer_builds_headless(factory):
    builds_headless(factory(), widgets.Explorer)


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_every_control_over_its_range(factory):
    ex = factory()
    if factory is widgets.optimizer_explorer:
        _all_on(ex)  # so that every α slider moves a visible path
        ex.controls["steps"].value = 30  # (short runs keep the test fast)
    every_control_changes_something(ex)


def _hyper(ex, n):
    c = ex.controls
    return {"sgd": {}, "momentum": {"beta": c["beta"].value}, "nesterov": {"beta": c["beta"].value},
            "adagrad": {"eps": c["eps"].value},
            "rmsprop": {"beta": c["beta_rmsprop"].value, "eps": c["eps"].value},
            "adam": {"beta1": c["beta1"].value, "beta2": c["beta2"].value,
                     "eps": c["eps"].value}}[n]


def test_optimizer_explorer_every_surface_with_extreme_settings():
    ex = widgets.optimizer_explorer()
    _all_on(ex)
    for surface in ex.controls["surface"].options:
        ex.controls["surface"].value = surface
        s = ex.surface
        assert s.name == surface
        # the defaults for this surface: nobody diverges
        assert "diverged" not in ex.title_text.get_text()
        ex.controls["steps"].value = 50
        for name in ("x0", "y0"):
            c = ex.controls[name]
            for v in (c.min, c.max, float(s.start[int(name == "y0")])):
                c.value = v
                ex.draw()
        with ex.hold():
            for n in adaptive._NAMES:
                ex.controls[f"lr_{n}"].value = 10.0  # far too large
            ex.controls["steps"].value = 200
        ex.draw()
        assert ex.ax_s.get_xlim() == tuple(s.bounds[0])  # axes stay on the surface
        assert ex.ax_s.get_ylim() == tuple(s.bounds[1])
        lo, hi = ex.ax_l.get_ylim()
        assert np.isfinite([lo, hi]).all() and lo < hi
        if np.isfinite(s.f_min):
            assert 0 < lo and hi <= 1e4 * 10 * max(1.0, float(s.f(s.start) - s.f_min)) * 10
        assert "SGD" in ex.title_text.get_text() and "diverged" in ex.title_text.get_text()
        (x0, x1), (y0, y1) = s.bounds
        for n in adaptive._NAMES:
            p = ex.paths[n]
            traj = ex._run(n, {**_hyper(ex, n), "lr": 10.0}, s.start, 200)
            if traj.diverged:  # an × where it left, on the plot
                (cx,), (cy,) = p.cross.get_data()
                assert x0 - 1e-9 <= cx <= x1 + 1e-9 and y0 - 1e-9 <= cy <= y1 + 1e-9
                assert len(p.head.get_xdata()) == 0
        ex.controls["surface"].value = "quadratic"  # resets the α's before the next surface


def test_optimizer_explorer_every_change_of_surface():
    ex = widgets.optimizer_explorer()
    names = list(ex.controls["surface"].options)
    tour = []  # visits every ordered pair (a, b) of surfaces as a consecutive change
    for i, a in enumerate(names):
        tour.append(a)
        for b in names[i + 1:]:
            tour += [b, a]
    for name in tour:
        ex.controls["surface"].value = name
        lo, hi = ex.ax_l.get_ylim()
        assert lo < hi and (lo > 0 or ex.ax_l.get_yscale() == "symlog")
    pairs = set(zip(tour, tour[1:], strict=False))
    assert all((a, b) in pairs for a in names for b in names if a != b)
    ex.draw()


def test_optimizer_explorer_paths_are_optim_run():
    ex = widgets.optimizer_explorer()
    ex.controls["surface"].value = "rosenbrock"
    ex.controls["lr_adam"].value = 0.05
    s = surfaces.rosenbrock()
    steps = ex.controls["steps"].value
    traj = optim.run(optim.adam(lr=0.05), s.grad, s.start, steps, loss_fn=s.f)
    np.testing.assert_allclose(ex.paths["adam"].line.get_xydata(), traj.thetas)
    np.testing.assert_allclose(ex.loss_lines["adam"].get_ydata(),
                               np.maximum(traj.losses, _axes.FLOOR))
    ex.controls["adam"].value = False
    assert not ex.paths["adam"].line.get_visible()
    assert not ex.loss_lines["adam"].get_visible()


def test_optimizer_explorer_disables_hyperparameters_of_hidden_optimisers():
    ex = widgets.optimizer_explorer()
    c = ex.controls
    for name in ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"):
        c[name].value = False
    assert all(c[k].disabled for k in ("lr_sgd", "lr_adam", "beta", "beta1", "beta2", "eps"))
    c["nesterov"].value = True
    assert not c["lr_nesterov"].disabled and not c["beta"].disabled
    assert c["eps"].disabled and c["beta_rmsprop"].disabled
    c["rmsprop"].value = True
    assert not c["eps"].disabled and not c["beta_rmsprop"].disabled and c["beta1"].disabled


def test_optimizer_explorer_names_the_optimisers_from_the_one_table():
    ex = widgets.optimizer_explorer()
    assert adaptive._NAMES == tuple(optim.OPTIMIZERS)
    for name in adaptive._NAMES:
        assert optim.LABELS[name] in ex.controls[name].description


def test_adam_bias_explorer_moments_follow_the_lecture():
    ex = widgets.adam_bias_explorer()
    with ex.hold():
        ex.controls["beta1"].value = 0.9
        ex.controls["beta2"].value = 0.999
        ex.controls["sigma"].value = 0.5
        ex.controls["steps"].value = 50
    g = ex.lines["s_g"].get_ydata()
    t = np.arange(1, 51)
    s = np.array([0.1 * np.sum(0.9 ** (k - np.arange(1, k + 1)) * g[:k]) for k in t])
    r = np.array([0.001 * np.sum(0.999 ** (k - np.arange(1, k + 1)) * g[:k] ** 2) for k in t])
    np.testing.assert_allclose(ex.lines["s"].get_ydata(), s)
    np.testing.assert_allclose(ex.lines["r"].get_ydata(), r)
    np.testing.assert_allclose(ex.lines["s_hat"].get_ydata(), s / (1 - 0.9**t))
    np.testing.assert_allclose(ex.lines["r_hat"].get_ydata(), r / (1 - 0.999**t))
    # the corrected moments track E[g] = 1 and E[g²] = 1.25 from the start; r stays near 0
    assert abs(np.mean(ex.lines["s_hat"].get_ydata()[:10]) - 1.0) < 0.3
    assert abs(np.mean(ex.lines["r_hat"].get_ydata()[:10]) - 1.25) < 0.6
    assert np.all(ex.lines["r"].get_ydata()[:10] < 0.02)
    again = widgets.adam_bias_explorer()  # seeded: the same noise every time
    np.testing.assert_array_equal(again.lines["s_g"].get_ydata(), g)


# ---------------------------------------------------------------------------------------------
# What notebook 08's explorer cells promise, followed step by step


def test_notebook_recipe_adam_bias_explorer():
    ex = widgets.adam_bias_explorer()  # the start: β₁ = 0.9, β₂ = 0.999, σ = 0.5, 50 steps
    assert (ex.controls["beta2"].value, ex.controls["steps"].value) == (0.999, 50)
    L = ex.lines
    r, r_hat = L["r"].get_ydata(), L["r_hat"].get_ydata()
    np.testing.assert_allclose(r[-1] / r_hat[-1], 1 - 0.999**50)  # "4.9 % of r̂_t at t = 50"
    assert abs((1 - 0.999**50) - 0.049) < 0.0005
    assert np.all(r < 0.1 * 1.25)  # far below E[g²] = 1.25 in the whole window
    ex.controls["beta1"].value = 0.0  # β₁ = 0: nothing to correct
    np.testing.assert_allclose(L["s"].get_ydata(), L["s_hat"].get_ydata())
    np.testing.assert_allclose(L["s"].get_ydata(), L["s_g"].get_ydata())
    with ex.hold():
        ex.controls["beta1"].value = 0.9
        ex.controls["sigma"].value = 0.0  # a constant gradient: the correction is exact
    np.testing.assert_allclose(L["s_hat"].get_ydata(), 1.0, rtol=1e-12)
    np.testing.assert_allclose(L["r_hat"].get_ydata(), 1.0, rtol=1e-12)


def _diverged(ex):
    text = ex.title_text.get_text()
    return text.split("diverged: ")[1] if "diverged: " in text else ""


def test_notebook_recipe_stretch_the_quadratic():
    ex = widgets.optimizer_explorer()  # the start: SGD, momentum, Adam on the quadratic, κ = 10
    assert [n for n in adaptive._NAMES if ex.controls[n].value] == ["sgd", "momentum", "adam"]
    assert ex.controls["lr_sgd"].value == pytest.approx(0.1) and _diverged(ex) == ""
    ex.controls["kappa"].value = 100.0
    assert "SGD" in _diverged(ex) and "Momentum" not in _diverged(ex)
    assert 0.1 > 2 / 100  # α above 2/λ_max
    ex.controls["kappa"].value = 1000.0
    assert "SGD" in _diverged(ex) and "Momentum" in _diverged(ex) and "Adam" not in _diverged(ex)
    ex.controls["adagrad"].value = True
    path_1000 = ex.paths["adagrad"].line.get_xydata().copy()
    ex.controls["kappa"].value = 10.0
    np.testing.assert_allclose(ex.paths["adagrad"].line.get_xydata(), path_1000, atol=1e-4)


def test_notebook_recipe_the_most_forgiving_optimiser():
    ex = widgets.optimizer_explorer()
    _all_on(ex)
    ex.controls["surface"].value = "rosenbrock"
    assert _diverged(ex) == ""
    gone = {}
    for name in adaptive._NAMES:
        slider = ex.controls[f"lr_{name}"]
        start = slider.value
        slider.value = min(10 * start, slider.max)  # tenfold: one decade
        gone[name] = optim.LABELS[name] in _diverged(ex)
        if name == "adam":
            assert ex.title_text.get_text().startswith("Adam ends lowest")
        slider.value = start
    assert gone == {"sgd": True, "momentum": True, "nesterov": True, "adagrad": False,
                    "rmsprop": False, "adam": False}


def test_notebook_recipe_adam_does_not_diverge():
    ex = widgets.optimizer_explorer()
    ex.controls["lr_adam"].value = 10.0
    assert "Adam" not in _diverged(ex)
    theta0 = np.array([ex.controls["x0"].value, ex.controls["y0"].value])
    traj = optim.run(optim.adam(lr=10.0), ex.surface.grad, theta0, ex.controls["steps"].value)
    np.testing.assert_allclose(ex.paths["adam"].line.get_xydata(), traj.thetas)  # what is drawn
    assert not traj.diverged and np.isfinite(traj.thetas).all()
    steps = np.abs(np.diff(traj.thetas, axis=0))
    assert steps.max() < 10.0 * 0.1 / np.sqrt(0.001)  # below α(1 − β₁)/√(1 − β₂) ≈ 3.2α
