"""Tests for npfl_helpers.plots.playground: the decision regions and loss curves of a live run
(notebook 10)."""

import numpy as np
import pytest

from npfl_helpers import plots, trajectories
from npfl_helpers.live_training import LiveTraining
from npfl_helpers.plots import playground as pg

pytestmark = pytest.mark.usefixtures("strict_warnings")


def test_exported():
    for name in pg.__all__:
        assert hasattr(plots, name)


def test_region_image_mixes_light_class_colours():
    light = [1 - 0.45 + 0.45 * np.array([int(c[i:i + 2], 16) / 255 for i in (1, 3, 5)])
             for c in pg.CLASS_COLORS]
    p = np.array([[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], [[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]]])
    img = pg.region_image(p)
    assert img.shape == (2, 2, 4) and img.dtype == np.uint8 and (img[..., 3] == 255).all()
    for i in range(2):
        for j in range(2):
            expected = sum(p[i, j, c] * light[c] for c in range(3))
            np.testing.assert_allclose(img[i, j, :3], expected * 255, atol=0.5)
    assert pg.region_image(np.full((1, 1, 2), np.nan))[0, 0].tolist() == [255] * 4  # no warning


def test_plot_playground_draws_the_run():
    run = LiveTraining("spirals", optimizer="adam", lr=0.01)
    run.step(40)
    fig, art = pg.playground_figure(run)
    np.testing.assert_array_equal(art.image.get_array(), pg.region_image(run.probabilities()))
    assert art.image.get_extent() == [*run.bounds[0], *run.bounds[1]]
    for c in range(3):
        np.testing.assert_array_equal(art.train_points[c].get_xydata(),
                                      run.X_train[run.y_train == c])
        np.testing.assert_array_equal(art.test_points[c].get_xydata(),
                                      run.X_test[run.y_test == c])
        assert art.test_points[c].get_markerfacecolor() == "none"
    np.testing.assert_array_equal(art.train_loss.get_xdata(), np.arange(41))
    np.testing.assert_array_equal(art.test_loss.get_ydata(), run.history.test_loss)
    assert art.ax_loss.get_yscale() == "log"
    lo, hi = art.ax_loss.get_ylim()
    assert lo <= min(run.history.train_loss) and max(run.history.test_loss) <= hi
    title = art.title.get_text()
    assert title.startswith(f"update t = 40 · epoch {run.epoch:.1f} · test accuracy")
    assert art.subtitle.get_text().startswith("Adam, α = 0.01, β₁ = 0.9, batch 16")
    assert art.end.get_xydata().size == 0
    fig.savefig("/dev/null", format="png")


def test_update_replaces_the_image_data_in_place_and_keeps_the_axes_still():
    run = LiveTraining("two_moons")
    fig, art = pg.playground_figure(run)
    image, before = art.image, art.image.get_array().copy()
    run.step(30)
    pg.update_playground(art, run, fresh=False)
    assert art.image is image and not np.array_equal(image.get_array(), before)
    limits = art.ax_loss.get_ylim(), art.ax_loss.get_xlim()
    run.step(20)
    pg.update_playground(art, run, fresh=False)
    assert (art.ax_loss.get_ylim(), art.ax_loss.get_xlim()) == limits   # the data still fit
    run.step(60)                                                        # t = 110 > 100
    pg.update_playground(art, run, fresh=False)
    assert art.ax_loss.get_xlim() == (0.0, 200.0)


def test_long_curves_are_thinned_keeping_the_last_point():
    run = LiveTraining("blobs", updates_per_tick=100)
    for _ in range(12):
        run.step()
    fig, art = pg.playground_figure(run)
    x = art.train_loss.get_xdata()
    assert len(x) <= 2 * pg._MAX_POINTS and x[-1] == 1200 and x[0] == 0
    np.testing.assert_array_equal(art.train_loss.get_ydata(),
                                  np.maximum(np.asarray(run.history.train_loss)[x],
                                             pg.LOSS_FLOOR))


def test_a_diverged_run_says_so_and_marks_where_it_stopped():
    run = LiveTraining("spirals", lr=10.0)
    run.step(100)
    fig, art = pg.playground_figure(run)
    assert art.title.get_text().startswith("diverged: the training loss reached")
    assert "try a smaller α" in art.title.get_text()
    assert art.end.get_xydata().tolist() == [[run.steps, run.history.train_loss[-1]]]
    lo, hi = art.ax_loss.get_ylim()
    assert hi >= run.history.train_loss[-1]
    fig.savefig("/dev/null", format="png")


@pytest.mark.parametrize(("t", "limit"), [(0, 100), (95, 100), (96, 200), (480, 1000),
                                          (1000, 2000), (4000, 5000), (9600, 20000)])
def test_nice_step_limits(t, limit):
    """The loss panel's step axis ends at the first of 100, 200, 500, … that is ≥ 1.05 t."""
    assert int(trajectories.nice_ceil(max(100.0, 1.05 * t))) == limit


def test_settings_text_names_what_the_optimiser_uses():
    assert pg.settings_text(LiveTraining(optimizer="sgd")).startswith("SGD, α = 0.1, batch")
    assert "β = 0.5" in pg.settings_text(LiveTraining(optimizer="nesterov", beta=0.5))
    assert "β" not in pg.settings_text(LiveTraining(optimizer="adagrad"))
    assert ", 1 update per frame" in pg.settings_text(LiveTraining(updates_per_tick=1))
