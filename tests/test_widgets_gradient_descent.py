"""Tests for npfl_helpers.widgets.gradient_descent (notebook 04): the minibatch-noise explorer,
every control driven across its range, against npfl_helpers.estimators."""

import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from npfl_helpers import estimators, widgets  # noqa: E402
from npfl_helpers.widgets import gradient_descent as G  # noqa: E402

pytestmark = pytest.mark.usefixtures("strict_warnings")


@pytest.fixture(scope="module")
def noise_explorer():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return G.minibatch_noise_explorer()


def test_minibatch_noise_explorer_every_control(noise_explorer):
    ex = noise_explorer
    assert set(ex.controls) == {"m", "sampling"}
    sizes = [v for _, v in ex.controls["m"].options]
    assert sizes[0] == 1 and sizes[-1] == ex.noise.N == 1078
    assert np.all(np.diff(sizes) > 0)
    spreads = {}
    for sampling in estimators.SAMPLINGS:
        ex.controls["sampling"].value = sampling
        for m in sizes:
            ex.controls["m"].value = m
            ex.draw()
            pts = ex.cloud.points.get_offsets()
            assert pts.shape == (200, 2)
            spreads[sampling, m] = float(np.mean(np.sum((pts - pts.mean(axis=0)) ** 2, axis=1)))
            x, y = ex.variance.current.get_data()
            assert list(x) == [m]
            assert f"m = {m}:" in ex.ax_cloud.get_title()
            mean = np.array(ex.cloud.mean.get_data()).ravel()
            np.testing.assert_allclose(mean, pts.mean(axis=0))
    # the cloud shrinks as m grows, and vanishes at m = N without replacement
    assert spreads["without replacement", 1] > 50 * spreads["without replacement", 64]
    assert spreads["without replacement", 1078] < 1e-20
    assert spreads["with replacement", 1078] > 0
    assert "no noise" in ex.info.get_text() or "with replacement" in ex.info.get_text()


def test_minibatch_noise_explorer_variance_follows_formula(noise_explorer):
    noise = noise_explorer.noise
    sizes = noise.batch_sizes
    for s, replace in zip(estimators.SAMPLINGS, (False, True), strict=True):
        theory = estimators.minibatch_variance(noise.sigma2, noise.N, sizes, replace=replace)
        ok = theory > 0
        np.testing.assert_allclose(noise.variance[s][ok], theory[ok], rtol=0.25)
    # log-log slope −1 with replacement
    slope = np.polyfit(np.log(sizes), np.log(noise.variance["with replacement"]), 1)[0]
    assert slope == pytest.approx(-1.0, abs=0.1)


def test_minibatch_noise_explorer_small_and_held():
    ex = widgets.minibatch_noise_explorer(hidden=4, epochs=0, n_batches=10, seed=3)
    with ex.hold():
        ex.controls["m"].value = 4
        ex.controls["sampling"].value = estimators.SAMPLINGS[1]
    assert ex.cloud.points.get_offsets().shape == (10, 2)
    assert ex.widget is not None  # the layout builds without a kernel
    ex.draw()


# ----------------------------------------------------------------------------------------------
# gd_valley_explorer (notebook 00): crawl, zig-zag, diverge with one slider


def _lr_grid(control):
    """Every value the α slider can take (its log grid)."""
    n = int(round((control.max - control.min) / control.step))
    return [float(control.base ** (control.min + k * control.step)) for k in range(n + 1)]


def test_gd_valley_explorer_whole_range_safe_and_every_value_changes_the_figure():
    from _explorer_checks import builds_headless, snapshot

    ex = widgets.gd_valley_explorer()
    builds_headless(ex, G.GDValleyExplorer)
    assert set(ex.controls) == {"lr"}
    before = snapshot(ex.figure)
    for lr in _lr_grid(ex.controls["lr"]):  # strict_warnings: any warning fails
        ex.controls["lr"].value = lr
        ex.draw()
        after = snapshot(ex.figure)
        assert after != before, f"α = {lr} changed nothing"
        before = after
        assert ex.marker.get_xdata()[0] == pytest.approx(ex.controls["lr"].value)


def test_gd_valley_explorer_follows_the_update_rule():
    # θ ← θ − α g with g = ∇J = (θ₁, κ θ₂) for J = ½(θ₁² + κ θ₂²), written out by hand
    ex = widgets.gd_valley_explorer(kappa=10.0, steps=40)
    for lr in (0.01, 0.15, 0.25):
        ex.controls["lr"].value = lr
        lr = ex.controls["lr"].value
        theta = np.array(ex.surface.start, dtype=np.float64)
        thetas = [theta]
        for _ in range(40):
            theta = theta - lr * np.array([theta[0], 10.0 * theta[1]])
            thetas.append(theta)
        thetas = np.array(thetas)
        got = ex.trajectory.thetas
        finite = np.all(np.isfinite(got), axis=1)
        np.testing.assert_allclose(got[finite], thetas[finite], rtol=1e-12, atol=1e-12)
        losses = 0.5 * (thetas[:, 0] ** 2 + 10.0 * thetas[:, 1] ** 2)
        np.testing.assert_allclose(ex.trajectory.losses[finite], losses[finite], rtol=1e-12)
        # the title's factor is the ratio of successive steep coordinates, 1 − 10 α
        ratio = thetas[2, 1] / thetas[1, 1]
        assert ratio == pytest.approx(1 - 10 * lr)
        if 0.1 < lr < 0.2:
            assert f"×{ratio:.2f}".replace("-", "−") in ex.title_text.get_text()


@pytest.mark.parametrize("lr, regime", [(0.005, "a crawl"), (0.05, "a crawl"),
                                        (0.12, "a zig-zag that still converges"),
                                        (0.19, "a zig-zag that still converges"),
                                        (0.21, "GD diverges"), (0.3, "GD diverges")])
def test_gd_valley_explorer_names_the_regime(lr, regime):
    ex = widgets.gd_valley_explorer()
    ex.controls["lr"].value = lr
    lr = ex.controls["lr"].value
    assert regime in ex.title_text.get_text()
    final = ex.trajectory.losses[-1]
    if lr < 0.2:  # |1 − 10 α| < 1 and |1 − α| < 1: the loss falls
        assert final < ex.trajectory.losses[0]
    else:  # |1 − 10 α| > 1: it grows (or the run was stopped as diverged)
        assert not np.isfinite(final) or final > 10 * ex.trajectory.losses[0]
    ex.draw()


def test_gd_valley_explorer_divergence_is_shown_not_raised():
    ex = widgets.gd_valley_explorer(steps=200)
    ex.controls["lr"].value = 0.3
    assert bool(ex.trajectory.diverged)
    ex.draw()
    x, _ = ex.path.cross.get_data()
    assert len(x) == 1  # the "×" where the path left the plot
    y = ex.loss_line.get_ydata()
    assert np.all(np.isnan(y) | (y <= 1e6))  # drawn clipped, never inf


def test_gd_valley_explorer_bad_arguments():
    with pytest.raises(ValueError, match="steps"):
        widgets.gd_valley_explorer(steps=0)
    with pytest.raises(ValueError, match="kappa"):
        widgets.gd_valley_explorer(kappa=0.5)


# -- slices through the deep networks' landscapes -------------------------------------------------


@pytest.fixture(scope="module")
def deep():
    from npfl_helpers import landscape

    return landscape.deep_landscapes()


def test_deep_landscapes_show_li_et_al_s_contrast(deep):
    from npfl_helpers import landscape

    grid, planes, models = deep
    plain, skip = landscape.SKIP_LABELS
    assert list(planes) == [plain, skip] and models[skip].residual and not models[plain].residual
    assert sum(models[skip].skips) == 19 and not any(models[plain].skips)
    n_minima = {k: int(landscape.local_minima(v).sum()) for k, v in planes.items()}
    assert n_minima[skip] == 1 and n_minima[plain] >= 5
    # the centre is the trained θ*: the plane passes through its loss on the 256 images
    from npfl_helpers import data

    digits = data.load_digits(seed=0, dtype=np.float32)
    centre = len(grid) // 2
    for label, net in models.items():
        assert planes[label][centre, centre] == pytest.approx(
            net.loss(net.theta, digits.train.X[:256], digits.train.y[:256]), rel=1e-4)


def test_landscape_slice_explorer_every_row(deep):
    grid, planes, _ = deep
    ex = G.landscape_slice_explorer(grid, planes)
    options = [v for _, v in ex.controls["beta"].options]
    assert options == list(range(len(grid))) and ex.controls["beta"].value == len(grid) // 2
    from npfl_helpers import landscape

    for i in (0, len(grid) - 1, *range(1, len(grid) - 1, 4)):
        ex.controls["beta"].value = i
        ex.draw()
        for label, plane in planes.items():
            np.testing.assert_allclose(ex.curves[label].get_ydata(), np.minimum(plane[i], 10.0))
            mask = landscape.local_minima(plane[i])
            np.testing.assert_allclose(ex.dots[label].get_xdata(), grid[mask])
            assert ex.hlines[label].get_ydata()[0] == pytest.approx(grid[i])
        assert f"β = {grid[i]:+.2f}" in ex.ax_slice.get_title()


def test_landscape_slice_explorer_text_of_notebook_04(deep):
    # "with skip connections every slice is one valley; without, two to five dips far out"
    grid, planes, _ = deep
    ex = G.landscape_slice_explorer(grid, planes)
    plain, skip = list(planes)
    rows = {k: m.sum(axis=1) for k, m in ex.minima.items()}
    assert np.all(rows[skip] == 1)
    far = np.abs(grid) >= 0.8
    assert np.all(rows[plain][far] >= 2) and rows[plain].max() <= 5
    ex.controls["beta"].value = 0
    assert f"{rows[plain][0]} (without), 1 (with)" in ex.ax_slice.get_title()


def test_landscape_slice_explorer_is_safe_with_huge_and_missing_losses():
    a = np.linspace(-1, 1, 7)
    bowl = np.add.outer(a**2, a**2)
    wild = bowl * 1e6
    wild[2, 3] = np.nan
    wild[4, 1] = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ex = G.landscape_slice_explorer(a, {"a": wild, "b": bowl}, zmax=5.0)
        for i in range(len(a)):
            ex.controls["beta"].value = i
            ex.draw()
            assert np.all(ex.curves["a"].get_ydata() <= 5.0)


def test_landscape_slice_explorer_bad_arguments():
    a = np.linspace(-1, 1, 5)
    with pytest.raises(TypeError, match="planes"):
        G.landscape_slice_explorer(a, [np.zeros((5, 5))])
    with pytest.raises(ValueError, match="planes"):
        G.landscape_slice_explorer(a, {"x": np.zeros((4, 5))})
    with pytest.raises(ValueError, match="zmax"):
        G.landscape_slice_explorer(a, {"x": np.zeros((5, 5))}, zmax=0.0)
