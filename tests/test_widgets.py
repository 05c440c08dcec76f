"""Explorers, headless (Agg, no kernel): every control over its whole range, rendering paths."""

import base64
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import ipywidgets as W  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from npfl_helpers import optim, surfaces, widgets  # noqa: E402
from npfl_helpers.widgets import _base  # noqa: E402
from npfl_helpers.widgets import optimizers as wo  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error")  # any warning fails, not only RuntimeWarning

FACTORIES = [widgets.optimizer_explorer, widgets.momentum_explorer,
             widgets.phase_diagram_explorer, widgets.schedule_explorer,
             widgets.adam_bias_explorer]


# ----------------------------------------------------------------------------------------------
# helpers


def values(control) -> list:
    """Min, max and a few values in between; every option; both checkbox states."""
    if isinstance(control, W.Checkbox):
        return [not control.value, control.value]
    if isinstance(control, (W.Dropdown, W.SelectionSlider)):
        return [o[1] if isinstance(o, tuple) else o for o in control.options]
    if isinstance(control, W.FloatLogSlider):
        exps = np.linspace(control.min, control.max, 5)
        return [float(control.base**e) for e in (exps[0], exps[-1], *exps[1:-1])]
    if isinstance(control, W.IntSlider):
        vals = np.linspace(control.min, control.max, 5).round().astype(int)
        return [int(v) for v in (vals[0], vals[-1], *vals[1:-1])]
    if isinstance(control, W.FloatSlider):
        vals = np.linspace(control.min, control.max, 5)
        return [float(v) for v in (vals[0], vals[-1], *vals[1:-1])]
    raise TypeError(f"no test values for {type(control).__name__}")


def snapshot(fig) -> list:
    """Everything an update may change: line data and visibility, mesh colours, texts."""
    out = []
    for ax in fig.axes:
        for line in ax.lines:
            out.append((line.get_visible(), np.asarray(line.get_xydata(), float).tobytes()))
        for coll in ax.collections:
            arr = coll.get_array()
            if arr is not None:
                out.append(np.ma.filled(np.ma.asarray(arr, dtype=float), -1.0).tobytes())
        out += [t.get_text() for t in ax.texts] + [ax.get_title()]
        out.append((ax.get_xlim(), ax.get_ylim()))
    return out


def sweep(ex, name) -> bool:
    """Drive control ``name`` over its range, rendering each state; True if anything changed."""
    control = ex.controls[name]
    before = snapshot(ex.figure)
    changed = False
    for k, v in enumerate(values(control)):
        if control.value == v:
            continue
        control.value = v
        if k < 2:  # render at the extremes (min, max): warnings from drawing count too
            ex.draw()
        after = snapshot(ex.figure)
        changed |= after != before
        before = after
    return changed


def pixels(ex) -> np.ndarray:
    return np.asarray(ex.figure.canvas.buffer_rgba()).copy()


# ----------------------------------------------------------------------------------------------
# every explorer, every control


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_explorer_builds_headless(factory):
    ex = factory()
    assert isinstance(ex, widgets.Explorer)
    assert ex.controls and all(isinstance(c, W.ValueWidget) for c in ex.controls.values())
    ex.draw()
    assert ex.figure.axes and ex.figure.axes[0].texts[0].get_text()  # a title states a finding
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert ex.widget.children[1] is ex._output  # inline path: an Output below the controls


def _all_on(ex):
    with ex.hold():
        for name in widgets.optimizers._NAMES:
            ex.controls[name].value = True


@pytest.mark.parametrize("factory", [widgets.optimizer_explorer, widgets.momentum_explorer,
                                     widgets.phase_diagram_explorer,
                                     widgets.adam_bias_explorer], ids=lambda f: f.__name__)
def test_every_control_over_its_range(factory):
    ex = factory()
    if factory is widgets.optimizer_explorer:
        _all_on(ex)  # so that every α slider moves a visible path
        ex.controls["steps"].value = 30  # (short runs keep the test fast)
    # steps last but one (it lengthens the runs), surface last (κ acts on the quadratic only)
    names = sorted(ex.controls, key=lambda n: (n == "surface", n == "steps"))
    for name in names:
        assert sweep(ex, name), f"moving {name!r} changed nothing"


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
            for n in widgets.optimizers._NAMES:
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
        for n in widgets.optimizers._NAMES:
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


def _hyper(ex, n):
    c = ex.controls
    return {"sgd": {}, "momentum": {"beta": c["beta"].value}, "nesterov": {"beta": c["beta"].value},
            "adagrad": {"eps": c["eps"].value},
            "rmsprop": {"beta": c["beta_rmsprop"].value, "eps": c["eps"].value},
            "adam": {"beta1": c["beta1"].value, "beta2": c["beta2"].value,
                     "eps": c["eps"].value}}[n]


def test_optimizer_explorer_paths_are_optim_run():
    ex = widgets.optimizer_explorer()
    ex.controls["surface"].value = "rosenbrock"
    ex.controls["lr_adam"].value = 0.05
    s = surfaces.rosenbrock()
    steps = ex.controls["steps"].value
    traj = optim.run(optim.adam(lr=0.05), s.grad, s.start, steps, loss_fn=s.f)
    np.testing.assert_allclose(ex.paths["adam"].line.get_xydata(), traj.thetas)
    np.testing.assert_allclose(ex.loss_lines["adam"].get_ydata(),
                               np.maximum(traj.losses, wo._FLOOR))
    ex.controls["adam"].value = False
    assert not ex.paths["adam"].line.get_visible()
    assert not ex.loss_lines["adam"].get_visible()


def test_schedule_explorer_every_schedule_every_parameter():
    ex = widgets.schedule_explorer()
    for kind in ex.controls["schedule"].options:
        ex.controls["schedule"].value = kind
        ex.draw()
        params = [n for n in ex.controls if n not in ("schedule", "steps")]
        assert params, kind
        for name in params:
            changed = sweep(ex, name)
            if not (kind == "cosine_decay_restarts" and name == "t_mul"):
                assert changed, f"{kind}: moving {name!r} changed nothing"
    assert sweep(ex, "steps")


def test_schedule_explorer_draws_the_schedule_and_its_sums():
    ex = widgets.schedule_explorer()
    ex.controls["schedule"].value = "inverse_time_decay"
    with ex.hold():
        ex.controls["initial_lr"].value = 0.5
        ex.controls["decay_steps"].value = 1
        ex.controls["decay_rate"].value = 1.0
        ex.controls["steps"].value = 1000
    t = np.arange(1000)
    alpha = 0.5 / (1 + t)  # α_t = α₀ / (1 + γ t / T), written out
    np.testing.assert_allclose(ex.lr_line.get_ydata(), alpha)
    np.testing.assert_allclose(ex.sum_line.get_ydata(), np.cumsum(alpha))
    np.testing.assert_allclose(ex.sq_line.get_ydata(), np.cumsum(alpha**2))
    assert "hold" in ex.title_text.get_text()
    ex.controls["schedule"].value = "constant"
    assert "fail" in ex.title_text.get_text()
    with ex.hold():  # Σα = 1.0 · 2000 steps: a power of ten in mathtext, never "2e+03"
        ex.controls["lr"].value = 1.0
        ex.controls["steps"].value = 2000
    assert r"Σα = $2.0\times 10^{3}$, Σα² = $2.0\times 10^{3}$" in ex.title_text.get_text()


def test_momentum_explorer_paths_and_title():
    ex = widgets.momentum_explorer()
    with ex.hold():
        ex.controls["kappa"].value = 100.0
        ex.controls["steps"].value = 300
        a, b = optim.heavy_ball_optimum(1.0, 100.0)
        ex.controls["lr"].value = a
        ex.controls["beta"].value = round(b, 2)
    s = surfaces.quadratic(kappa=100.0)
    traj = optim.run(optim.nesterov(lr=a, beta=round(b, 2)), s.grad, s.start, 300)
    np.testing.assert_allclose(ex.paths["nesterov"].line.get_xydata(), traj.thetas)
    title = ex.title_text.get_text()
    # at α*: α λ_max = 4κ/(1 + √κ)² > 2, so gradient descent diverges; momentum converges fast
    assert "SGD diverges" in title
    assert int(title.split("Momentum ")[1].split(",")[0]) < 100
    ex.controls["lr"].value = 1e-3
    assert "SGD > 300" in ex.title_text.get_text()
    assert ex.ax_s.get_xlim() == (-2.0, 2.0)


# ----------------------------------------------------------------------------------------------
# the phase diagram


@pytest.mark.parametrize("kappa", [10.0, 100.0])
def test_marked_optimum_converges_near_fastest_on_the_grid(kappa):
    ex = widgets.phase_diagram_explorer()
    ex.controls["kappa"].value = kappa
    steps = ex.controls["steps"].value
    a, b = optim.heavy_ball_optimum(1.0, kappa)
    (sx,), (sy,) = ex.stars["momentum"].get_data()
    assert (sx, sy) == pytest.approx((a, b))
    ratio, div = ex.data["momentum"]
    grid_rate = np.min(ratio[~div]) ** (1 / (2 * steps))  # per-step rate of ‖θ‖
    marked, _ = optim.phase_diagram("momentum", kappa, steps, [a], [b])
    marked_rate = marked[0, 0] ** (1 / (2 * steps))
    assert marked_rate <= grid_rate * 1.03 + 1e-3
    # and it is the place to be: far from it, convergence is much slower
    far = ratio[np.abs(np.log(ex.lrs / a))[:, None] + np.abs(ex.betas - b)[None, :] > 2.0]
    assert np.nanmin(far) ** (1 / (2 * steps)) > marked_rate + 0.02


def test_phase_diagram_title_says_whether_the_best_cell_is_at_the_optimum():
    ex = widgets.phase_diagram_explorer()  # κ = 100, T = 100: the best cell is next to α*, β*
    assert "momentum is fastest near" in ex.title_text.get_text()
    with ex.hold():  # after 10 steps on κ = 1000, β ≈ 0.7 beats β* ≈ 0.88
        ex.controls["kappa"].value = 1000.0
        ex.controls["steps"].value = 10
    _, (y,) = ex.bests["momentum"].get_data()
    _, b = optim.heavy_ball_optimum(1.0, 1000.0)
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
    assert "diverged" in labels


# ----------------------------------------------------------------------------------------------
# Adam's bias correction


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


# ----------------------------------------------------------------------------------------------
# the base: blitting, hold, the inline PNG, ipympl


@pytest.mark.parametrize("control, value", [("lr_adam", 0.3), ("steps", 200), ("kappa", 50.0),
                                            ("surface", "beale")])
def test_cached_rendering_matches_a_full_render(control, value):
    ex = widgets.optimizer_explorer()
    ex.draw()
    ex.controls["steps"].value = 150  # makes the loss panel "volatile" (re-drawn alone)
    ex.draw()
    ex.controls[control].value = value
    ex.draw()
    fast = pixels(ex)
    ex.invalidate()
    ex._volatile.clear()
    ex.draw()
    np.testing.assert_array_equal(fast, pixels(ex))


def test_hold_makes_one_update():
    ex = widgets.momentum_explorer()
    calls = []
    ex.refresh = lambda: calls.append(1)
    with ex.hold():
        ex.controls["lr"].value = 0.01
        ex.controls["beta"].value = 0.5
    assert calls == [1]
    ex.controls["beta"].value = 0.6
    assert calls == [1, 1]


def test_inline_output_gets_a_png(monkeypatch):
    ex = widgets.adam_bias_explorer()
    monkeypatch.setattr(_base, "_shell", lambda: object())  # as if in a kernel
    widget = ex.widget
    out = widget.children[1]
    assert isinstance(out, W.Output)
    first = out.outputs[0]["data"]["image/png"]
    assert base64.b64decode(first)[:8] == b"\x89PNG\r\n\x1a\n"
    ex.controls["beta1"].value = 0.5
    assert len(out.outputs) == 1 and out.outputs[0]["output_type"] == "display_data"
    assert out.outputs[0]["data"]["image/png"] != first


def test_no_png_without_a_kernel():
    ex = widgets.adam_bias_explorer()
    out = ex.widget.children[1]
    ex.controls["beta1"].value = 0.5
    assert out.outputs == ()


def test_ipympl_canvas_is_shown_directly():
    code = """
import matplotlib
matplotlib.use("module://ipympl.backend_nbagg")
from npfl_helpers import widgets
ex = widgets.momentum_explorer()
assert ex.widget.children[1] is ex.figure.canvas, ex.widget.children
assert type(ex.figure.canvas).__module__.startswith("ipympl")
ex.controls["lr"].value = 0.05
ex.controls["kappa"].value = 100.0
print("ok")
"""
    # (ipympl's own toolbar raises a DeprecationWarning in traitlets: not ours to make an error)
    out = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-W", "error::UserWarning",
                          "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_computations_live_below_the_drawing_layer():
    from npfl_helpers import autodiff, estimators, schedules

    homes = {optim: ("heavy_ball_optimum", "phase_diagram"),
             schedules: ("robbins_monro_verdict",),
             estimators: ("per_example_gradients", "minibatch_weights", "minibatch_variance",
                          "GradientNoise", "gradient_noise"),
             autodiff: ("lecture_graph", "BackpropStep", "backprop_steps")}
    for module, names in homes.items():
        for name in names:
            assert name in module.__all__ and callable(getattr(module, name))
            assert name not in widgets.__all__ and not hasattr(widgets, name)
    assert all(name == "Explorer" or name.endswith(("_explorer", "_stepper"))
               for name in widgets.__all__)


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
