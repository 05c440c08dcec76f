"""Tests for npfl_helpers.widgets.playground (notebook 10): the live training playground,
headless. A tick is what the browser's Play does every interval: ``play.value += 1``."""

import matplotlib

matplotlib.use("Agg")

import ipywidgets as W  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from _explorer_checks import builds_headless, pixels, snapshot, values  # noqa: E402

from npfl_helpers import optim, widgets  # noqa: E402
from npfl_helpers.live_training import LiveTraining  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error")  # any warning fails, not only RuntimeWarning


def tick(ex, n=1):
    for _ in range(n):
        ex.play.value += 1


def test_builds_headless_with_play_step_reset():
    ex = widgets.playground_explorer()
    builds_headless(ex, widgets.Explorer)
    assert isinstance(ex.play, W.Play) and ex.play.max >= 10**6 and not ex.play.playing
    assert ex.play.interval == 80                               # up to 12.5 frames/s
    panel = ex.widget.children[0]
    assert ex.play in panel.children[0].children[0].children   # Play, Step, Reset on top
    assert "playground_explorer" in widgets.__all__


@pytest.mark.parametrize("name", ["dataset", "noise", "points", "layers", "units", "activation",
                                  "optimizer", "lr", "beta", "batch", "l2", "per_tick"])
def test_every_control_over_its_whole_range_is_safe_and_shows(name):
    ex = widgets.playground_explorer(optimizer="momentum")   # β matters for momentum
    tick(ex, 3)
    control = ex.controls[name]
    for value in values(control):
        before = snapshot(ex.figure)
        if control.value == value:
            continue
        control.value = value
        assert snapshot(ex.figure) != before, f"{name} = {value!r} changed nothing"
        tick(ex, 2)                                            # and the run goes on (or stops)
        ex.draw()
        assert ex.art.title.get_text()


@pytest.mark.parametrize("optimizer", list(optim.OPTIMIZERS))
def test_extreme_settings_never_warn_or_raise(optimizer):
    ex = widgets.playground_explorer(dataset="spirals", optimizer=optimizer)
    c = ex.controls
    for lr, batch, l2, layers, units, act in [(10.0, 1, 0.1, 3, 32, "relu"),
                                              (1e-4, 10**9, 0.0, 1, 2, "sigmoid"),
                                              (10.0, 10**9, 0.0, 3, 2, "tanh")]:
        with ex.hold():
            c["lr"].value, c["batch"].value, c["l2"].value = lr, batch, l2
            c["layers"].value, c["units"].value, c["activation"].value = layers, units, act
            c["noise"].value, c["per_tick"].value, c["beta"].value = 0.8, 20, 0.99
        ex.play.playing = True
        tick(ex, 3)
        ex.draw()
        assert ex.run.diverged == ("diverged" in ex.art.title.get_text())
        if ex.run.diverged:
            assert not ex.play.playing                        # a diverging run stops the Play


def test_pixels_change_on_every_tick_while_playing():
    ex = widgets.playground_explorer(dataset="spirals", optimizer="adam", lr=0.01)
    ex.play.playing = True
    ex.draw()
    before = pixels(ex)
    for _ in range(12):
        tick(ex)
        ex.draw()
        now = pixels(ex)
        assert not np.array_equal(now, before)
        before = now
    assert ex.run.steps == 120


def test_every_frame_equals_a_render_from_scratch():
    """Blitting draws the moving artists over a cached image: nothing may go stale."""
    ex = widgets.playground_explorer(dataset="spirals", optimizer="adam", lr=0.01)
    steps = [lambda: tick(ex, 3), lambda: tick(ex, 12),             # the x limit grows past 100
             lambda: setattr(ex.controls["l2"], "value", 1e-3),    # a new settings line
             lambda: setattr(ex.controls["lr"], "value", 10.0),    # diverges on the next frames
             lambda: tick(ex, 2), ex.reset_button.click,
             lambda: setattr(ex.controls["dataset"], "value", "blobs"), lambda: tick(ex)]
    for action in steps:
        action()
        ex.draw()
        blitted = pixels(ex)
        ex.invalidate()
        for artist in ex._animated:                            # the settings line's stamp too
            if hasattr(artist, "_key"):
                artist._key = None
        ex.draw()
        np.testing.assert_array_equal(blitted, pixels(ex))


def test_ticks_are_the_core_run():
    ex = widgets.playground_explorer(dataset="blobs", noise=0.5, layers=1, units=8,
                                     activation="relu", optimizer="rmsprop", lr=0.003,
                                     beta=0.8, batch_size=8, l2=1e-3, updates_per_tick=5)
    tick(ex, 4)
    run = LiveTraining("blobs", 0.5, hidden=(8,), activation="relu", optimizer="rmsprop",
                       lr=ex.controls["lr"].value, beta=0.8, batch_size=8, l2=1e-3)
    run.step(20)
    np.testing.assert_array_equal(ex.run.theta, run.theta)


def test_hyperparameters_apply_from_the_next_tick_without_reset():
    ex = widgets.playground_explorer()
    tick(ex, 3)
    theta = ex.run.theta.copy()
    c = ex.controls
    for name, value in [("optimizer", "nesterov"), ("lr", 0.01), ("beta", 0.5),
                        ("batch", 4), ("l2", 1e-3), ("per_tick", 2)]:
        c[name].value = value
        assert ex.run.steps == 30                               # the run was not reset
        np.testing.assert_array_equal(ex.run.theta, theta)      # ... and nothing trained
    s = ex.run.settings
    assert (s["optimizer"], s["beta"], s["batch_size"], s["l2"]) == ("nesterov", 0.5, 4, 1e-3)
    assert s["lr"] == c["lr"].value
    tick(ex)
    assert ex.run.steps == 32 and ex.run.history.epochs[-1] == pytest.approx(
        ex.run.epoch)


@pytest.mark.parametrize(("name", "value"), [("dataset", "spirals"), ("noise", 0.4),
                                             ("points", 100), ("layers", 1), ("units", 4),
                                             ("activation", "relu")])
def test_data_and_architecture_changes_reset(name, value):
    ex = widgets.playground_explorer()
    tick(ex, 3)
    ex.controls[name].value = value
    assert ex.run.steps == 0 and len(ex.art.train_loss.get_xdata()) == 1
    assert ex.art.title.get_text().startswith("update t = 0 ·")
    tick(ex)
    assert ex.run.steps == 10


def test_reset_reproduces_the_run_and_its_pixels():
    ex = widgets.playground_explorer(dataset="spirals", optimizer="momentum", lr=0.05)
    ex.draw()
    start = pixels(ex)
    tick(ex, 8)
    ex.draw()
    theta, first = ex.run.theta.copy(), pixels(ex)
    ex.reset_button.click()
    ex.draw()
    assert ex.run.steps == 0
    np.testing.assert_array_equal(pixels(ex), start)
    tick(ex, 8)
    ex.draw()
    np.testing.assert_array_equal(ex.run.theta, theta)
    np.testing.assert_array_equal(pixels(ex), first)


def test_step_button_and_the_plays_stop_button():
    ex = widgets.playground_explorer()
    ex.step_button.click()
    assert ex.run.steps == 10
    tick(ex, 2)
    ex.play.value = 0                                          # the Play's stop: no tick
    assert ex.run.steps == 30


def test_a_diverging_run_stops_the_play_and_says_so():
    ex = widgets.playground_explorer(dataset="spirals", lr=0.1)
    ex.play.playing = True
    tick(ex, 2)
    ex.controls["lr"].value = 10.0                             # 100x: diverges in a few updates
    tick(ex, 3)
    assert ex.run.diverged and not ex.play.playing
    title = ex.art.title.get_text()
    assert title.startswith("diverged:") and "Reset" in title
    steps = ex.run.steps
    tick(ex, 2)
    assert ex.run.steps == steps
    ex.controls["lr"].value = 0.1
    ex.reset_button.click()
    assert not ex.run.diverged and ex.run.steps == 0


@pytest.mark.parametrize(("name", "value"), [("layers", 4), ("units", 64), ("units", 1),
                                             ("batch_size", 3), ("l2", 0.5),
                                             ("updates_per_tick", 7), ("interval", 0),
                                             ("n", 300),
                                             ("lr", -1.0), ("dataset", "moons")])
def test_invalid_arguments(name, value):
    with pytest.raises(ValueError, match=f"^{name} "):
        widgets.playground_explorer(**{name: value})


def test_a_new_data_set_redraws_no_axes():
    """Data, noise and points move the regions' limits; that panel has no ticks and all of it
    that moves is animated, so a new run blits over the cached axes."""
    ex = widgets.playground_explorer()
    ex.draw()
    drawn = []
    for ax in (ex.ax_regions, ex.ax_loss):
        draw = ax.draw
        ax.draw = lambda renderer, ax=ax, draw=draw: (drawn.append(ax), draw(renderer))[1]
    assert ex.ax_regions.get_xticks().size == 0 and ex.ax_regions.get_yticks().size == 0
    for name, value in [("noise", 0.5), ("noise", 0.05), ("points", 100), ("noise", 0.3),
                        ("points", 800)]:
        limits = ex.ax_regions.get_xlim()
        before = pixels(ex)
        ex.controls[name].value = value
        ex.draw()
        assert ex.ax_regions.get_xlim() != limits, f"{name} = {value!r}: same limits"
        assert not np.array_equal(pixels(ex), before)
        assert ex.ax_regions not in drawn, f"{name} = {value!r} redrew the regions' axes"
    tick(ex, 12)                                               # the loss panel's x limit grows
    ex.draw()
    assert ex.ax_loss in drawn


def test_the_regions_are_drawn_as_matplotlib_draws_the_image():
    ex = widgets.playground_explorer(dataset="spirals", optimizer="adam", lr=0.01)
    tick(ex, 5)
    ex.draw()
    fig, canvas = ex.figure, ex.figure.canvas
    (regions,) = [a for a in ex._animated if getattr(a, "image", None) is ex.art.image]
    canvas.restore_region(ex._background)
    fig.draw_artist(regions)
    ours = pixels(ex).astype(int)
    canvas.restore_region(ex._background)
    fig.draw_artist(ex.art.image)                              # matplotlib's AxesImage.draw
    theirs = pixels(ex).astype(int)
    x0, y0, x1, y1 = ex.ax_regions.bbox.extents
    h = theirs.shape[0]
    inside = (slice(int(h - y1) + 2, int(h - y0) - 2), slice(int(x0) + 2, int(x1) - 2))
    # inside the spines (which are drawn over both), the same image to ±1 per channel
    assert np.abs(ours[inside][..., :3] - theirs[inside][..., :3]).max() <= 1
    assert np.ptp(theirs[inside][..., :3]) > 50                # ... and it is not blank
