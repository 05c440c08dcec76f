"""Tests for npfl_helpers.widgets.mlp_training: the assignment's schedule and optimisers, and the
training explorer driven headless (controls, the Train button, curves, divergence)."""

import math
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from npfl_helpers import data, mlp, optim, widgets  # noqa: E402
from npfl_helpers.plots import OPTIMIZER_COLORS, update_history  # noqa: E402
from npfl_helpers.widgets import mlp_training as mt  # noqa: E402


@pytest.fixture(autouse=True)
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.fixture(scope="module")
def small():
    return mt.load_small(n_train=60, n_dev=40)


def explorer(small, **settings):
    """An explorer on 60 digits; ``settings`` are applied (one update) before the first click."""
    ex = mt.training_explorer(small, batch_size=20)
    with ex.hold():
        for name, value in settings.items():
            ex.controls[name].value = value
    return ex


# ---------------------------------------------------------------------------------------------
# lr_schedule and make_optimizer


@pytest.mark.parametrize("lr, final, T", [(0.01, 1e-4, 220), (0.1, 0.001, 7), (1e-3, 0.05, 33)])
def test_linear_decay_is_the_straight_line_and_ends_exactly_at_the_final_rate(lr, final, T):
    s = mt.lr_schedule(lr, "linear", final, decay_steps=T)
    t = np.arange(T + 1)
    expected = lr + (final - lr) * t / T  # α_t = α₀ + (α_T − α₀) t/T
    np.testing.assert_allclose(s(t), expected, rtol=1e-12)
    assert s(0) == pytest.approx(lr, rel=1e-15)  # (α₀ − α_T)·1 + α_T: rounding only
    assert s(T) == final  # after the last update, exactly
    assert s(T - 1) != final  # the last update itself still uses a (slightly) different rate
    assert s(T + 5) == final  # and it stays there


@pytest.mark.parametrize("lr, final, T", [(0.01, 1e-4, 220), (0.1, 0.003, 7), (1e-3, 0.05, 33)])
def test_exponential_decay_is_geometric_and_ends_at_the_final_rate(lr, final, T):
    s = mt.lr_schedule(lr, "exponential", final, decay_steps=T)
    t = np.arange(T + 1)
    expected = np.exp(np.log(lr) + (np.log(final) - np.log(lr)) * t / T)
    np.testing.assert_allclose(s(t), expected, rtol=1e-12)
    assert abs(s(T) - final) <= np.spacing(final)  # at most one unit in the last place
    ratios = s(t[1:]) / s(t[:-1])
    np.testing.assert_allclose(ratios, (final / lr) ** (1 / T), rtol=1e-12)  # constant factor


def test_no_decay_is_constant_and_ignores_the_final_rate():
    s = mt.lr_schedule(0.3, "none", None, decay_steps=5)
    np.testing.assert_array_equal(s(np.arange(10)), 0.3)


@pytest.mark.parametrize("kwargs, name", [
    ({"learning_rate": 0.1, "decay": "cosine", "learning_rate_final": 0.01}, "decay"),
    ({"learning_rate": 0.0, "decay": "none"}, "learning_rate"),
    ({"learning_rate": 0.1, "decay": "linear", "learning_rate_final": None}, "learning_rate_final"),
    ({"learning_rate": 0.1, "decay": "exponential", "learning_rate_final": -1.0},
     "learning_rate_final"),
    ({"learning_rate": 0.1, "decay": "linear", "learning_rate_final": 0.01, "decay_steps": 0},
     "decay_steps"),
])
def test_lr_schedule_rejects_bad_arguments_by_name(kwargs, name):
    with pytest.raises(ValueError, match=name):
        mt.lr_schedule(**kwargs)


def test_make_optimizer_builds_the_lecture_optimisers():
    theta, g = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    sgd = mt.make_optimizer("sgd", 0.1)
    new, _ = sgd.step(theta, sgd.init(theta), lambda th: g)
    np.testing.assert_allclose(new, theta - 0.1 * g)
    mom = mt.make_optimizer("momentum", 0.1)
    state = mom.init(theta)
    th1, state = mom.step(theta, state, lambda th: g)
    th2, _ = mom.step(th1, state, lambda th: g)
    # v₁ = −αg, v₂ = βv₁ − αg = −α(1 + β)g with β = 0.9
    np.testing.assert_allclose(th2 - th1, -0.1 * 1.9 * g)
    adam = mt.make_optimizer("adam", 1e-3)
    assert adam.name == optim.adam().name
    th, _ = adam.step(theta, adam.init(theta), lambda th: g)
    np.testing.assert_allclose(th, theta - 1e-3 * np.sign(g), rtol=1e-6)  # first step ≈ α·sign g
    with pytest.raises(ValueError, match="optimizer"):
        mt.make_optimizer("rmsprop", 0.1)


def test_training_with_the_schedule_uses_exactly_decay_steps_updates(small):
    epochs, batch = 3, 25
    total = epochs * math.ceil(60 / batch)
    seen = []

    def spy(t):
        seen.append(int(t))
        return mt.lr_schedule(0.1, "linear", 0.01, total)(t)

    model = mlp.MLP((64, 8, 10), seed=0)
    mlp.train(model, *small.train, optim.sgd(spy), epochs, batch, progress=False)
    assert seen == list(range(total))  # updates 0 … T−1: the rate after the last one is α_T


# ---------------------------------------------------------------------------------------------
# the explorer


def curve(line):
    return np.asarray(line.get_ydata(), dtype=float)


def test_explorer_is_exported_and_trains_once_when_built(small):
    assert widgets.training_explorer is mt.training_explorer
    ex = mt.training_explorer(small, batch_size=20)
    assert set(ex.controls) >= {"optimizer", "lr", "decay", "lr_final", "hidden", "activation",
                                "l2", "epochs"}
    epochs = ex.controls["epochs"].value
    assert len(ex.history.train_loss) == epochs and ex.previous is None
    np.testing.assert_allclose(curve(ex.artists.dev_accuracy), ex.history.dev_accuracy)
    np.testing.assert_allclose(curve(ex.artists.train_loss), ex.history.train_loss)
    assert len(curve(ex.previous_artists.dev_loss)) == 0
    assert "dev accuracy" in ex.title_text.get_text()
    ex.draw()


def test_moving_a_control_redraws_the_schedule_but_does_not_train(small):
    ex = explorer(small, epochs=2)
    first = ex.history
    assert ex.history is first
    with ex.hold():
        ex.controls["decay"].value = "linear"
        ex.controls["lr"].value = 0.1
        ex.controls["lr_final"].value = 1e-3
        ex.controls["epochs"].value = 4
    assert ex.history is first  # nothing trained
    assert "Train" in ex.status.value
    total = 4 * math.ceil(60 / 20)
    t, alpha = ex.lr_line.get_data()
    assert t[-1] == total and len(t) == total + 1
    assert alpha[0] == pytest.approx(0.1) and alpha[-1] == pytest.approx(1e-3)
    assert ex.lr_end.get_ydata()[0] == pytest.approx(1e-3)  # α_T, after the last update
    assert not ex.controls["lr_final"].disabled
    ex.controls["decay"].value = "none"
    assert ex.controls["lr_final"].disabled
    np.testing.assert_allclose(ex.lr_line.get_ydata(), 0.1)


def test_train_button_draws_the_new_run_and_keeps_the_previous_one_faint(small):
    ex = explorer(small, epochs=2)
    old = ex.history
    old_dev = curve(ex.artists.dev_loss).copy()
    with ex.hold():
        ex.controls["optimizer"].value = "adam"
        ex.controls["lr"].value = 0.01
        ex.controls["epochs"].value = 3
        ex.controls["hidden"].value = 16
    ex.button.click()
    assert ex.previous is old and len(ex.history.train_loss) == 3
    np.testing.assert_allclose(curve(ex.previous_artists.dev_loss), old_dev)
    np.testing.assert_allclose(curve(ex.artists.dev_loss), ex.history.dev_loss)
    assert ex.artists.dev_loss.get_color() == OPTIMIZER_COLORS["adam"]
    assert ex.previous_artists.dev_loss.get_color() == OPTIMIZER_COLORS["sgd"]
    assert ex.previous_artists.dev_loss.get_alpha() < ex.artists.dev_loss.get_alpha()
    assert ex.ax_loss.get_xlim()[1] >= 3  # all epochs of both runs are visible
    assert "Adam" in ex.title_text.get_text()
    assert "previous run" in ex.status.value


def test_same_settings_give_the_same_run(small):
    ex = explorer(small, epochs=2)
    ex.button.click()
    ex.button.click()
    np.testing.assert_array_equal(ex.history.dev_loss, ex.previous.dev_loss)


@pytest.mark.parametrize("settings", [
    {"epochs": 3, "lr": 10.0},
    {"epochs": 3, "lr": 10.0, "optimizer": "momentum", "activation": "sigmoid", "l2": 0.1},
    # exponential "decay" upwards, to α = 10 after the last update
    {"epochs": 5, "lr": 1.0, "decay": "exponential", "lr_final": 10.0, "hidden": 512},
])
def test_a_diverging_run_is_shown_as_such(small, settings):
    ex = explorer(small, **settings)
    ex.button.click()
    h = ex.history
    assert h.diverged or h.train_loss[-1] > math.log(10)  # worse than a uniform guess
    assert "diverg" in ex.title_text.get_text()
    if h.diverged:
        assert len(ex.artists.diverged.get_xdata()) == 1
    lo, hi = ex.ax_loss.get_ylim()
    assert np.isfinite([lo, hi]).all() and 0 < lo < hi <= 1e3
    ex.draw()


def test_a_run_whose_loss_becomes_infinite_gets_a_cross(small):
    ex = explorer(small, epochs=1)
    # a history as mlp.train returns it when the loss overflows in epoch 2
    h = mlp.History([2.0, np.inf], [0.3, 0.1], [1.9, np.nan], [0.3, 0.1], [], diverged=True)
    update_history(ex.artists, h)
    np.testing.assert_array_equal(ex.artists.diverged.get_xdata(), [2.0])
    assert "diverged in epoch 2" in ex._finding(h)
    ex.draw()


@pytest.mark.parametrize("end", ["min", "max"])
def test_every_control_at_its_extremes_is_safe(small, end):
    ex = explorer(small, epochs=2)
    with ex.hold():
        for name, w in ex.controls.items():
            if hasattr(w, "options"):
                options = [o[1] if isinstance(o, tuple) else o for o in w.options]
                w.value = options[0] if end == "min" else options[-1]
            elif name == "epochs":
                w.value = w.min if end == "min" else 5
            else:
                w.value = w.min if end == "min" else w.max
    ex.button.click()
    assert len(ex.history.train_loss) >= 1
    for line in ex.artists:
        assert np.all(np.isfinite(np.asarray(line.get_xdata(), dtype=float)))
    for ax in (ex.ax_loss, ex.ax_acc, ex.ax_lr):
        assert np.isfinite(ax.get_ylim()).all()
    ex.draw()


def test_widget_layout_holds_the_button_and_displays(small):
    ex = explorer(small, epochs=1)
    box = ex.widget
    shown = str(box.children[0].children)
    assert "Train" in shown
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_train_size_uses_a_subset():
    d = data.load_digits()
    ex = mt.training_explorer(data.Splits(data.Dataset(*(a[:250] for a in d.train)),
                                          data.Dataset(*(a[:30] for a in d.dev)), d.test),
                              batch_size=50)
    with ex.hold():
        ex.controls["epochs"].value = 1
        ex.controls["train_size"].value = 100
    assert ex.total_steps() == 2
    ex.button.click()
    assert "100 training images" in ex.title_text.get_text()
