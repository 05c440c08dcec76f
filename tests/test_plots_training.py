"""Tests for npfl_helpers.plots.training: per-epoch curves of an MLP's training (notebook 06)."""

import numpy as np
import pytest

from npfl_helpers import data, mlp, optim, plots

pytestmark = pytest.mark.usefixtures("strict_warnings")


def axes():
    fig, (ax_loss, ax_acc) = plots.new_figure(2)
    return ax_loss, ax_acc


HISTORY = {"train_loss": [2.0, 1.0, 0.5], "train_accuracy": [0.4, 0.7, 0.9],
           "dev_loss": [1.8, 1.1, 0.9], "dev_accuracy": [0.5, 0.7, 0.8]}


def test_exported():
    for name in ("plot_history", "update_history", "fit_history_axes", "history_curves",
                 "history_legend", "HistoryArtists"):
        assert name in plots.__all__ and hasattr(plots, name)


def test_plot_history_draws_train_dashed_dev_solid_with_the_values():
    ax_loss, ax_acc = axes()
    a = plots.plot_history(ax_loss, ax_acc, HISTORY, label="run", color="#E69F00")
    assert isinstance(a, plots.HistoryArtists)
    for line, key in ((a.train_loss, "train_loss"), (a.dev_loss, "dev_loss"),
                      (a.train_accuracy, "train_accuracy"), (a.dev_accuracy, "dev_accuracy")):
        np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3])
        np.testing.assert_array_equal(line.get_ydata(), HISTORY[key])
        assert line.get_color() == "#E69F00"
    assert a.train_loss.get_linestyle() == "--" and a.dev_loss.get_linestyle() == "-"
    assert a.dev_loss.axes is ax_loss and a.dev_accuracy.axes is ax_acc
    assert ax_loss.get_yscale() == "log" and ax_acc.get_yscale() == "linear"
    assert ax_loss.get_xlabel() == "epoch" and "accuracy" in ax_acc.get_ylabel()
    assert len(a.diverged.get_xdata()) == 0
    assert [t.get_text() for t in ax_loss.legend().get_texts()] == ["run"]  # one entry per run


def test_update_history_replaces_the_data_colour_and_alpha(render):
    ax_loss, ax_acc = axes()
    a = plots.plot_history(ax_loss, ax_acc, {"train_loss": [], "train_accuracy": []})
    plots.update_history(a, HISTORY, color="#D55E00", alpha=0.3)
    np.testing.assert_array_equal(a.dev_accuracy.get_ydata(), HISTORY["dev_accuracy"])
    assert all(line.get_alpha() == 0.3 and line.get_color() == "#D55E00" for line in a)
    diverged = dict(HISTORY, train_loss=[2.0, np.nan, np.nan], diverged=True)
    plots.update_history(a, diverged)
    np.testing.assert_array_equal(a.diverged.get_xdata(), [2.0])
    render(ax_loss.figure)


def test_fit_history_axes_shows_all_epochs_and_the_finite_values(render):
    ax_loss, ax_acc = axes()
    long = {k: v + v[-1:] * 2 for k, v in HISTORY.items()}  # 5 epochs
    blown = {"train_loss": [5.0, 1e8, np.inf], "train_accuracy": [0.1, 0.1, 0.1],
             "dev_loss": [4.0, np.nan, np.nan], "dev_accuracy": [0.12, 0.1, 0.1]}
    for h in (long, blown):
        plots.plot_history(ax_loss, ax_acc, h)
    plots.fit_history_axes(ax_loss, ax_acc, [long, blown])
    assert ax_loss.get_xlim() == (0.5, 5.5) and ax_acc.get_xlim() == (0.5, 5.5)
    lo, hi = ax_loss.get_ylim()
    assert lo <= 0.5 and hi == 1e3  # the smallest loss shown, the blown-up one capped at 10³
    lo, hi = ax_acc.get_ylim()
    assert lo == pytest.approx(0.1) and hi > 1.0  # lowest accuracy rounded down to 0.05; 1 shown
    plots.fit_history_axes(ax_loss, ax_acc, [long], epochs=20)
    assert ax_loss.get_xlim() == (0.5, 20.5)
    render(ax_loss.figure)


def test_fit_history_axes_accepts_empty_histories():
    ax_loss, ax_acc = axes()
    plots.fit_history_axes(ax_loss, ax_acc, [{"train_loss": [], "train_accuracy": []}])
    assert np.isfinite(ax_acc.get_ylim()).all()


def test_history_legend_explains_styles_and_runs():
    ax_loss, _ = axes()
    leg = plots.history_legend(ax_loss, {"λ = 0": "#CC79A7", "λ = 0.001": "#009E73"})
    assert [t.get_text() for t in leg.get_texts()] == ["train", "dev", "λ = 0", "λ = 0.001"]
    styles = [h.get_linestyle() for h in leg.legend_handles[:2]]
    assert styles == ["--", "-"]


def test_a_real_training_run_plots_without_warnings(render):
    d = data.load_small(60, 30)
    model = mlp.MLP((64, 16, 10), seed=0)
    h = mlp.train(model, *d.train, optim.adam(0.01), 4, 20, *d.dev, progress=False)
    ax_loss, ax_acc = axes()
    a = plots.plot_history(ax_loss, ax_acc, h, label="Adam", color=plots.color_for("adam"))
    plots.fit_history_axes(ax_loss, ax_acc, [h])
    np.testing.assert_allclose(a.dev_loss.get_ydata(), h.dev_loss)
    assert h.train_loss[-1] < h.train_loss[0]
    render(ax_loss.figure)


def test_plot_accuracies_one_labelled_dot_per_run_top_down(render):
    fig, (ax,) = plots.new_figure(1)
    acc = {"SGD, α = 0.01": 0.81, "Adam, α = 0.001": 0.953, "Momentum": 0.9}
    dots = plots.plot_accuracies(ax, acc, {"SGD, α = 0.01": "#000000", "Adam, α = 0.001":
                                           "#D55E00", "Momentum": "#E69F00"}, xlabel="dev acc")
    np.testing.assert_allclose(dots.get_offsets()[:, 0], list(acc.values()))
    np.testing.assert_array_equal(dots.get_offsets()[:, 1], [2, 1, 0])  # first run on top
    assert [t.get_text() for t in ax.get_yticklabels()] == list(acc)
    assert [t.get_text() for t in ax.texts] == ["81.0%", "95.3%", "90.0%"]
    assert ax.get_xlim() == pytest.approx((0.78, 1.0)) and ax.get_xlabel() == "dev acc"
    render(fig)


# ---------------------------------------------------------------------------------------------
# runs over seeds with error bars; what a regulariser does to each weight


def seeds(values):
    """Histories whose dev loss ends at ``values`` (one per seed), three epochs each."""
    return [{"train_loss": [2.0, 1.0, v], "train_accuracy": [0.5, 0.6, 0.7],
             "dev_loss": [2.0, 1.5, v], "dev_accuracy": [0.5, 0.6, 1 - v]} for v in values]


def test_plot_seed_runs_draws_means_bands_and_error_bars(render):
    fig, (ax_c, ax_f) = plots.new_figure(2)
    runs = {"constant": seeds([0.2, 0.3, 0.4]), "decay": seeds([0.1, 0.1, 0.1])}
    out = plots.plot_seed_runs(ax_c, ax_f, runs, {"constant": "#D55E00", "decay": "#0072B2"},
                               {"decay": "--"})
    # mean ± s.e. written out: s.e. = sample std / √n
    assert out["constant"][0] == pytest.approx(0.3)
    assert out["constant"][1] == pytest.approx(np.std([0.2, 0.3, 0.4], ddof=1) / np.sqrt(3))
    assert out["decay"] == (pytest.approx(0.1), pytest.approx(0.0))
    mean_lines = ax_c.get_lines()
    np.testing.assert_allclose(mean_lines[0].get_ydata(), [2.0, 1.5, 0.3])
    assert mean_lines[1].get_linestyle() == "--" and ax_c.get_yscale() == "log"
    assert [t.get_text() for t in ax_f.get_yticklabels()] == ["constant", "decay"]
    assert any("0.3 ± 0.058" in t.get_text() for t in ax_f.texts)
    render(fig)


def test_plot_seed_runs_accuracy_and_unequal_runs():
    fig, (ax_c, ax_f) = plots.new_figure(2)
    out = plots.plot_seed_runs(ax_c, ax_f, {"a": seeds([0.2, 0.4])}, ["#000000"],
                               key="dev_accuracy", label="dev accuracy")
    assert out["a"][0] == pytest.approx(0.7) and ax_c.get_yscale() == "linear"
    bad = seeds([0.2]) + [{"train_loss": [1.0], "train_accuracy": [0.5], "dev_loss": [1.0],
                           "dev_accuracy": [0.5]}]
    with pytest.raises(ValueError, match="same, non-zero number of epochs"):
        plots.plot_seed_runs(ax_c, ax_f, {"a": bad}, ["#000000"])


def test_plot_seed_runs_with_one_seed_has_no_error_bar(render):
    fig, (ax_c, ax_f) = plots.new_figure(2)
    out = plots.plot_seed_runs(ax_c, ax_f, {"a": seeds([0.25])}, ["#000000"])
    assert out["a"] == (pytest.approx(0.25), 0.0)
    band = ax_c.collections[0].get_paths()[0].vertices[:, 1]  # mean − 0 … mean + 0
    assert set(np.round(band, 12)) <= {2.0, 1.5, 0.25}
    render(fig)


def test_plot_weight_shrink_puts_each_weight_at_its_two_sizes(render):
    fig, (ax,) = plots.new_figure(1)
    w0 = np.array([[0.1, -0.2], [0.3, 0.05]])
    w1 = np.array([[0.05, 0.0], [-0.6, 0.01]])
    still = np.array([[True], [False]])  # row 0: a blank pixel's weights
    quiet, others = plots.plot_weight_shrink(ax, w0, w1, still, factor=0.5, factor_label="half")
    np.testing.assert_allclose(quiet.get_xydata(), [[0.1, 0.05], [0.2, 1e-12]])  # 0 at the floor
    np.testing.assert_allclose(others.get_xydata(), [[0.3, 0.6], [0.05, 0.01]])
    line = [ln for ln in ax.get_lines() if ln.get_label() == "half"][0]
    np.testing.assert_allclose(line.get_ydata(), 0.5 * line.get_xdata())
    assert ax.get_xscale() == ax.get_yscale() == "log"
    with pytest.raises(ValueError, match="same shape"):
        plots.plot_weight_shrink(ax, w0, w1[:1], still)
    render(fig)
