"""Tests for npfl_helpers.widgets.statistics (notebook 01): the Monte-Carlo explorer of the
sample variance — every control over its whole range, and what the figure shows."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from _explorer_checks import builds_headless, every_control_changes_something, sweep  # noqa: E402

from npfl_helpers import estimators, plots, widgets  # noqa: E402
from npfl_helpers.widgets import statistics as ws  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error")  # any warning fails, not only RuntimeWarning

MLE, UNBIASED = plots.DIVISOR_LABELS[0], plots.DIVISOR_LABELS[-1]


def test_explorer_builds_headless():
    builds_headless(widgets.variance_estimator_explorer(), widgets.Explorer)


def test_every_control_over_its_whole_range_changes_the_figure():
    ex = widgets.variance_estimator_explorer()
    every_control_changes_something(ex)
    assert set(ex.controls) == {"n", "sigma2", "trials"}


@pytest.mark.parametrize(("n", "sigma2", "trials"), [(2, 0.1, 100), (50, 10.0, 20_000),
                                                      (7, 1.0, 1000)])
def test_the_figure_shows_the_experiment(n, sigma2, trials):
    ex = widgets.variance_estimator_explorer()
    with ex.hold():
        ex.controls["n"].value = n
        ex.controls["sigma2"].value = sigma2
        ex.controls["trials"].value = trials
    ex.draw()
    sigma2 = ex.controls["sigma2"].value  # the log slider's grid value
    x = np.sqrt(sigma2) * ex.pool[:trials, :n]
    mle = estimators.sample_variance(x, ddof=0, axis=1)  # the lecture's σ̂², written elsewhere
    h = ex.art.histograms
    assert h.means[MLE].get_xdata()[0] == pytest.approx(mle.mean(), rel=1e-10)
    assert h.predicted[MLE].get_xdata()[0] == pytest.approx((1 - 1 / n) * sigma2)
    assert h.predicted[UNBIASED].get_xdata()[0] == pytest.approx(sigma2)
    assert h.means[UNBIASED].get_xdata()[0] == pytest.approx(mle.mean() * n / (n - 1))
    assert ex.art.bias.points[MLE].get_xdata()[0] == n
    assert ex.art.running.running[MLE].get_xdata()[-1] == trials
    assert f"n = {n}:" in ex.title_text.get_text()


def test_the_pool_is_reused_so_sigma2_only_rescales():
    ex = widgets.variance_estimator_explorer()
    ex.controls["sigma2"].value = 1.0
    before = ex.art.histograms.steps[MLE].get_data()
    before = (before.values.copy(), before.edges.copy())
    ex.controls["sigma2"].value = 10.0
    after = ex.art.histograms.steps[MLE].get_data()
    # same draws, scaled: the histogram over the scaled range keeps its shape (densities ÷ σ²)
    np.testing.assert_allclose(after.values * 10.0, before[0], rtol=1e-9)
    np.testing.assert_allclose(after.edges, 10.0 * before[1], rtol=1e-12)


def test_trials_move_no_axis():
    ex = widgets.variance_estimator_explorer()
    ex.draw()
    limits = [(ax.get_xlim(), ax.get_ylim()) for ax in ex.figure.axes]
    assert sweep(ex, "trials")
    assert [(ax.get_xlim(), ax.get_ylim()) for ax in ex.figure.axes] == limits


def test_the_measured_bias_agrees_with_minus_sigma2_over_n():
    """With all 20,000 trials the MLE's bias is −σ²/n within 5 standard errors for every n."""
    ex = widgets.variance_estimator_explorer()
    ex.controls["trials"].value = ws.TRIALS[-1]
    for n in (2, 3, 5, 10, 25, 50):
        ex.controls["n"].value = n
        y = ex.art.bias.points[MLE].get_ydata()[0]
        lo, hi = ex.art.bias.errorbars[MLE].get_ydata()
        assert abs(y - (-1 / n)) < 2.5 * (hi - lo) / 2  # (hi − lo)/2 is 2 standard errors


def test_seed_is_validated():
    with pytest.raises(ValueError, match="seed"):
        widgets.variance_estimator_explorer(seed=-1)
