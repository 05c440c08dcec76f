"""Tests for npfl_helpers.plots.gradient_descent: the figures of notebook 04."""

import numpy as np
import pytest

from npfl_helpers import plots

pytestmark = pytest.mark.usefixtures("strict_warnings")


def test_new_names_are_exported():
    for name in ("plot_training_curves", "plot_minibatch_cloud", "plot_gradient_variance",
                 "plot_loss_line", "plot_loss_plane", "CloudArtists", "VarianceArtists"):
        assert name in plots.__all__
        assert hasattr(plots, name)


def test_training_curves(render):
    fig, (ax,) = plots.new_figure(1)
    curves = {"SGD, m = N": ([0, 1, 2], [2.0, 1.0, 0.5]),
              "minibatch, m = 32": ([0, 1, 2], [2.0, 0.3, 0.0])}
    lines = plots.plot_training_curves(ax, curves)
    assert [ln.get_label() for ln in lines] == list(curves)
    assert lines[0].get_color() == plots.OPTIMIZER_COLORS["sgd"]  # names an optimiser
    assert lines[1].get_color() != lines[0].get_color()
    assert np.isnan(lines[1].get_ydata()[-1])  # 0 cannot be shown on a log axis
    assert ax.get_yscale() == "log" and ax.get_xscale() == "linear"
    fig2, (ax2,) = plots.new_figure(1)
    lines2 = plots.plot_training_curves(ax2, curves, colors={"SGD, m = N": "#123456",
                                                             "minibatch, m = 32": "#654321"},
                                        logx=True, logy=False)
    assert lines2[0].get_color() == "#123456"
    assert np.isnan(lines2[0].get_xdata()[0])  # x = 0 on a log axis
    assert ax2.get_xscale() == "log"
    render(fig)
    render(fig2)


def test_minibatch_cloud(render):
    fig, (ax,) = plots.new_figure(1)
    pts = np.array([[1.0, 0.5], [-1.0, 0.0], [3.0, -0.5]])
    art = plots.plot_minibatch_cloud(ax, pts, [1.0, 0.0], lim=((-2, 4), (-1, 1)))
    np.testing.assert_allclose(art.points.get_offsets(), pts)
    np.testing.assert_allclose(np.ravel(art.mean.get_data()), [1.0, 0.0])
    np.testing.assert_allclose(np.ravel(art.full.get_data()), [1.0, 0.0])
    assert np.allclose(art.boundary.get_xdata(), 0.0)
    assert ax.get_xlim() == (-2, 4) and not ax.get_autoscale_on()
    render(fig)


def test_gradient_variance(render):
    fig, (ax,) = plots.new_figure(1)
    m = np.array([1, 2, 4, 8])
    art = plots.plot_gradient_variance(ax, m, [4.0, 2.0, 1.0, 0.0],
                                       {"a": (m, 4.0 / m), "b": (m, np.r_[4.0, 2.0, 1.0, 0.0])},
                                       current=2, N=8)
    assert np.isnan(art.measured.get_ydata()[-1])  # the exact 0 at m = N is not drawn
    assert art.curves["a"].get_linestyle() == "-" and art.curves["b"].get_linestyle() == "--"
    assert np.isnan(art.curves["b"].get_ydata()[-1])
    x, y = art.current.get_data()
    assert list(x) == [2] and list(y) == [2.0]
    assert ax.get_xscale() == ax.get_yscale() == "log"
    fig2, (ax2,) = plots.new_figure(1)
    art2 = plots.plot_gradient_variance(ax2, m, 4.0 / m)
    assert art2.curves == {} and len(art2.current.get_xdata()) == 0
    render(fig)


def test_loss_line_marks_both_ends(render):
    fig, (ax,) = plots.new_figure(1)
    alphas = np.linspace(-0.5, 1.5, 21)
    losses = 1 + (alphas - 1) ** 2
    line = plots.plot_loss_line(ax, alphas, losses)
    np.testing.assert_allclose(line.get_ydata(), losses)
    texts = [t.get_text() for t in ax.texts]
    assert any("initial" in t for t in texts) and any("trained" in t for t in texts)
    assert ax.get_yscale() == "log"
    fig2, (ax2,) = plots.new_figure(1)
    plots.plot_loss_line(ax2, np.linspace(0.2, 0.8, 5), np.ones(5))  # neither end in range
    assert len(ax2.texts) == 0
    render(fig)


def test_loss_plane_log_levels(render):
    fig, (ax,) = plots.new_figure(1)
    a = np.linspace(-1, 1, 21)
    b = np.linspace(-1, 1, 11)
    grid = 0.01 + np.add.outer(b**2, 3 * a**2) * 10
    cs = plots.plot_loss_plane(ax, a, b, grid, n_levels=12)
    levels = np.asarray(cs.levels)
    assert len(levels) == 12
    np.testing.assert_allclose(levels[0], grid.min())
    np.testing.assert_allclose(levels[-1], grid.max())
    ratios = levels[1:] / levels[:-1]
    np.testing.assert_allclose(ratios, ratios[0])  # log-spaced
    assert len(fig.axes) == 2  # the colour bar
    render(fig)
    fig2, (ax2,) = plots.new_figure(1)
    grid2 = grid.copy()
    grid2[0, 0] = np.nan
    plots.plot_loss_plane(ax2, a, b, grid2, colorbar=False)  # NaN does not break it
    assert len(fig2.axes) == 1
    render(fig2)
    with pytest.raises(ValueError, match="n_levels"):
        plots.plot_loss_plane(ax2, a, b, grid, n_levels=1)


def test_landscape_figure_draws_the_line_with_dev_and_the_plane(render):
    alphas = np.linspace(-0.5, 1.5, 21)
    train, dev = 1 + (alphas - 1) ** 2, 1.5 + (alphas - 0.9) ** 2
    a = np.linspace(-1, 1, 11)
    plane = 0.01 + np.add.outer(a**2, a**2)
    fig, (ax_line, ax_plane) = plots.landscape_figure(alphas, train, dev, a, a, plane)
    lines = {ln.get_label(): ln for ln in ax_line.lines}
    np.testing.assert_allclose(lines["training set"].get_ydata(), train)
    np.testing.assert_allclose(lines["development set"].get_ydata(), dev)
    assert lines["development set"].get_linestyle() == "--"
    legend = [t.get_text() for t in ax_line.get_legend().get_texts()]
    assert legend == ["development set", "training set"]
    assert ax_line.get_yscale() == "log" and "$J$" in ax_line.get_ylabel()  # lecture: J
    assert len(ax_plane.collections) >= 2 and len(fig.axes) == 3  # contours and a colour bar
    render(fig)


def test_loss_plane_linear_levels_cut_at_zmax(render):
    fig, (ax,) = plots.new_figure(1)
    a = np.linspace(-1, 1, 21)
    grid = 0.1 + 30 * np.add.outer(a**2, a**2)  # up to 60: above the cut
    grid[3, 4] = np.inf
    cs = plots.plot_loss_plane(ax, a, a, grid, zmax=10.0, n_levels=11)
    np.testing.assert_allclose(cs.levels, np.linspace(0, 10, 11))  # linear, 0 … zmax
    assert "cut at 10" in fig.axes[1].get_ylabel()
    render(fig)
    with pytest.raises(ValueError, match="zmax"):
        plots.plot_loss_plane(ax, a, a, grid, zmax=0.0)


def deep_data(k=15):
    a = np.linspace(-1, 1, k)
    bowl = 0.05 + 8 * np.add.outer(a**2, a**2)
    rough = np.minimum(bowl, 3 + 0.5 * np.sin(9 * np.add.outer(a, 2 * a)))
    t = np.linspace(-1, 1, 41)
    lines = {"without skip connections": np.stack([np.minimum(8 * t**2, 3.5), 6 * t**2]),
             "with skip connections": 8 * t**2}
    planes = {"without skip connections": rough, "with skip connections": bowl}
    return t, lines, a, planes


def test_deep_landscape_figure_draws_lines_and_surfaces_on_one_scale(render):
    t, lines, a, planes = deep_data()
    from npfl_helpers import landscape

    minima = {k: landscape.local_minima(v) for k, v in planes.items()}
    fig, axes_ = plots.deep_landscape_figure(t, lines, a, planes, zmax=10.0, minima=minima)
    ax_line, *surfaces = axes_
    assert len(surfaces) == 2 and all(ax.name == "3d" for ax in surfaces)
    drawn = ax_line.get_lines()
    assert len(drawn) == 3  # two directions without skips, one with
    assert [ln.get_linestyle() for ln in drawn] == ["-", "--", "-"]
    assert drawn[0].get_color() == plots.SKIP_COLORS[0] and drawn[2].get_color() == \
        plots.SKIP_COLORS[1]
    np.testing.assert_allclose(drawn[2].get_ydata(), np.minimum(8 * t**2, 10.0))  # cut at zmax
    assert ax_line.get_ylim() == (0.0, 10.0)
    for ax, label in zip(surfaces, planes, strict=True):
        assert ax.get_title() == label and ax.get_zlim() == (0.0, 10.0)
    # the local minima are marked on the floor: one dot collection per panel with minima
    dots = [c for ax in surfaces for c in ax.collections if c.get_offsets().shape[0] > 0
            and type(c).__name__ == "Path3DCollection"]
    n_minima = sum(int(m.sum()) for m in minima.values())
    assert n_minima >= 2 and sum(len(c.get_offsets()) for c in dots) == n_minima
    render(fig)


def test_deep_landscape_figure_checks_its_arguments():
    t, lines, a, planes = deep_data()
    with pytest.raises(ValueError, match="same labels"):
        plots.deep_landscape_figure(t, {"other": lines["with skip connections"]}, a, planes)
    with pytest.raises(ValueError, match="zmax"):
        plots.deep_landscape_figure(t, lines, a, planes, zmax=-1.0)
