"""Tests for npfl_helpers.widgets.training (notebook 06): the training explorer driven headless
(controls, the Train button, curves, divergence). Its schedule and optimisers are tested with
the core: ``schedules.lr_schedule`` in test_schedules.py, ``optim.make_optimizer`` in
test_optim.py."""

import math
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from npfl_helpers import data, mlp, optim, schedules, widgets  # noqa: E402
from npfl_helpers.plots import OPTIMIZER_COLORS, update_history  # noqa: E402
from npfl_helpers.widgets import training as T  # noqa: E402


@pytest.fixture(autouse=True)
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.fixture(scope="module")
def small():
    return data.load_small(n_train=60, n_dev=40)


def explorer(small, **settings):
    """An explorer on 60 digits; ``settings`` are applied (one update) before the first click."""
    ex = widgets.training_explorer(small, batch_size=20)
    with ex.hold():
        for name, value in settings.items():
            ex.controls[name].value = value
    return ex


# ---------------------------------------------------------------------------------------------
# the explorer


def curve(line):
    return np.asarray(line.get_ydata(), dtype=float)


def test_explorer_is_exported_and_trains_once_when_built(small):
    assert widgets.training_explorer is T.training_explorer
    ex = widgets.training_explorer(small, batch_size=20)
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
    # "diverged" only for a loss that became infinite; a finite one is "no learning"
    assert ("diverged" if h.diverged else "no learning") in ex.title_text.get_text()
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
    ex = widgets.training_explorer(data.Splits(data.Dataset(*(a[:250] for a in d.train)),
                                          data.Dataset(*(a[:30] for a in d.dev)), d.test),
                              batch_size=50)
    with ex.hold():
        ex.controls["epochs"].value = 1
        ex.controls["train_size"].value = 100
    assert ex.total_steps() == 2
    ex.button.click()
    assert "100 training images" in ex.title_text.get_text()


def test_controls_come_from_the_core_tables(small):
    ex = explorer(small, epochs=1)
    options = ex.controls["optimizer"].options
    assert [v for _, v in options] == list(optim.ASSIGNMENT_OPTIMIZERS)
    assert [label for label, _ in options] == [optim.LABELS[n] for n in optim.ASSIGNMENT_OPTIMIZERS]
    assert tuple(ex.controls["decay"].options) == schedules.DECAYS
    with ex.hold():
        ex.controls["decay"].value = "exponential"
        ex.controls["lr"].value = 0.1
        ex.controls["lr_final"].value = 1e-3
    expected = schedules.lr_schedule(0.1, "exponential", 1e-3, ex.total_steps())
    t = np.arange(ex.total_steps() + 1)
    np.testing.assert_allclose(ex.schedule()(t), expected(t))


def test_wrong_labels_control_corrupts_exactly_that_fraction(small):
    ex = explorer(small, epochs=1, wrong=0.2)
    X, y = ex._train_set(0, 0.2)
    assert (y != small.train.y).sum() == 12  # 20 % of 60
    ex.button.click()
    assert "(20% wrong labels)" in ex.title_text.get_text()


# ---------------------------------------------------------------------------------------------
# What notebook 06's "Explore" list promises, followed step by step on the digits


@pytest.fixture(scope="module")
def digits_explorer():
    return widgets.training_explorer()  # the notebook's explorer: all digits, batches of 50


def train(ex, **settings):
    with ex.hold():
        for name, value in settings.items():
            ex.controls[name].value = value
    ex.button.click()
    return ex.history, ex.title_text.get_text()


@pytest.mark.slow
def test_notebook_recipe_learning_rates(digits_explorer):
    ex = digits_explorer
    acc = {}
    for lr in (0.01, 0.1, 1.0):
        h, title = train(ex, optimizer="sgd", lr=lr)
        acc[lr] = h.dev_accuracy[-1]
    assert acc[0.01] < 0.8 < 0.9 < acc[0.1] < acc[1.0]  # 0.01 crawls; 0.1 and 1 learn
    h, title = train(ex, lr=10.0)  # too large: not infinite, but every ReLU unit dies
    assert not h.diverged and np.isfinite(h.train_loss).all()
    assert max(h.step_loss) > 100 and h.train_loss[-1] > math.log(10)
    assert mlp.dead_units(ex.model, ex.splits.train.X)[0] == ex.model.sizes[1]
    assert np.unique(ex.model.predict(ex.splits.dev.X)).size == 1  # one class for every image
    assert h.dev_accuracy[-1] < 0.12
    assert "no learning" in title and "128 of 128 ReLU units dead" in title
    adam, dead = {}, {}
    for lr in (0.01, 0.1, 1.0, 10.0):
        adam[lr] = train(ex, optimizer="adam", lr=lr)[0]
        dead[lr] = mlp.dead_units(ex.model, ex.splits.train.X)[0]
    assert adam[0.01].dev_accuracy[-1] > adam[0.1].dev_accuracy[-1] > 0.9
    for lr in (1.0, 10.0):  # fail the same way: (almost) every ReLU unit dead
        assert adam[lr].dev_accuracy[-1] < 0.25 and dead[lr] >= 0.9 * ex.model.sizes[1]


@pytest.mark.slow
def test_notebook_recipe_overfitting_then_l2_then_underfitting(digits_explorer):
    ex = digits_explorer
    h, title = train(ex, optimizer="adam", lr=0.01, decay="none", hidden=128, activation="relu",
                     l2=0.0, epochs=50, train_size=200, wrong=0.2)
    best = int(np.argmin(h.dev_loss))
    assert h.train_accuracy[-1] > 0.95 and best < 10  # dev loss lowest early ...
    assert h.dev_loss[-1] > 1.2 * h.dev_loss[best]     # ... then it rises
    assert h.train_loss[-1] < h.train_loss[best] / 5   # while the training loss falls
    assert "overfitting" in title
    h2, title = train(ex, l2=0.01)  # λ = 0.01: the dev loss keeps falling
    assert int(np.argmin(h2.dev_loss)) >= 40 and "overfitting" not in title
    assert h2.dev_accuracy[-1] > h.dev_accuracy[-1] + 0.08
    h3, _ = train(ex, l2=0.0, hidden=4)  # too small a network: both losses stay high
    assert h3.train_loss[-1] > 1.0 and h3.dev_loss[-1] > 0.9 and h3.train_accuracy[-1] < 0.75


@pytest.mark.slow
def test_notebook_recipe_sigmoid_needs_a_larger_rate(digits_explorer):
    ex = digits_explorer
    common = {"optimizer": "sgd", "decay": "none", "hidden": 128, "l2": 0.0, "epochs": 10,
              "train_size": 0, "wrong": 0.0}
    relu = train(ex, **common, activation="relu", lr=0.1)[0].dev_accuracy[-1]
    sigmoid = train(ex, activation="sigmoid")[0].dev_accuracy[-1]
    sigmoid_10x = train(ex, lr=1.0)[0].dev_accuracy[-1]
    assert sigmoid < 0.75 < 0.945 < relu and abs(sigmoid_10x - relu) < 0.02  # "ReLU reaches 95 %"
