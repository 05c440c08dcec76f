"""Tests for npfl_helpers.plots.schedules: learning rates against the step."""

import numpy as np
import pytest

from npfl_helpers import plots, schedules

pytestmark = pytest.mark.usefixtures("strict_warnings")


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


def test_schedules_lin_log_draws_both_panels():
    fig, (ax_lin, ax_log) = plots.new_figure(2)
    sch = {"constant": schedules.constant(0.1), "cosine": schedules.cosine_decay(0.1, 50)}
    plots.plot_schedules_lin_log(ax_lin, ax_log, sch, 60)
    assert ax_lin.get_yscale() == "linear" and ax_log.get_yscale() == "log"
    assert len(ax_lin.lines) == len(ax_log.lines) == 2
    assert ax_log.get_legend() is not None and ax_lin.get_legend() is None
    fig.canvas.draw()


def test_noise_floors_dashed_at_the_predicted_values():
    fig, (ax,) = plots.new_figure(1)
    loss = {"constant(0.1)": np.geomspace(10, 0.08, 50), "decay": np.geomspace(10, 1e-3, 50)}
    colors = {"constant(0.1)": "#000000", "decay": "#009E73"}
    plots.plot_noise_floors(ax, loss, {"constant(0.1)": (0.1, 0.0763)}, colors, runs=500)
    curves, floor = ax.lines[:2], ax.lines[2]
    assert [c.get_label() for c in curves] == list(loss)
    assert list(floor.get_ydata()) == [0.0763, 0.0763] and floor.get_linestyle() == "--"
    assert floor.get_color() == "#000000"
    assert "0.1" in ax.texts[0].get_text() and "500 runs" in ax.get_ylabel()
    assert ax.get_xscale() == ax.get_yscale() == "log"
    fig.canvas.draw()


def test_partial_sums_two_panels_one_curve_per_schedule():
    fig, (ax_sum, ax_sq) = plots.new_figure(2)
    t = np.arange(1, 101)
    sums = {"1/t": (np.cumsum(1 / t), np.cumsum(1 / t**2)), "const": (0.1 * t, 0.01 * t)}
    plots.plot_partial_sums(ax_sum, ax_sq, t, sums, ["#0072B2", "#D55E00"])
    np.testing.assert_allclose(ax_sq.lines[0].get_ydata(), np.cumsum(1 / t**2))
    assert [ln.get_label() for ln in ax_sum.lines] == ["1/t", "const"]
    assert "growing" in ax_sum.get_title() and "level off" in ax_sq.get_title()
    fig.canvas.draw()
