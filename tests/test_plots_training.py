"""Tests for the gradient-descent and backpropagation figures of npfl_helpers.plots."""


import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from npfl_helpers import plots  # noqa: E402

pytestmark = pytest.mark.usefixtures("strict_warnings")


def axes(n=1):
    fig, axs = plots.new_figure(n)
    return fig, axs


def render(fig):
    fig.canvas.draw()  # mathtext and layout errors only show when drawn


def test_new_names_are_exported():
    for name in ("plot_training_curves", "plot_minibatch_cloud", "plot_gradient_variance",
                 "plot_loss_line", "plot_loss_plane", "plot_activations",
                 "plot_difference_errors", "plot_matrices", "ACTIVATION_COLORS"):
        assert name in plots.__all__
        assert hasattr(plots, name)


def test_training_curves():
    fig, (ax,) = axes()
    curves = {"SGD, m = N": ([0, 1, 2], [2.0, 1.0, 0.5]),
              "minibatch, m = 32": ([0, 1, 2], [2.0, 0.3, 0.0])}
    lines = plots.plot_training_curves(ax, curves)
    assert [ln.get_label() for ln in lines] == list(curves)
    assert lines[0].get_color() == plots.OPTIMIZER_COLORS["sgd"]  # names an optimiser
    assert lines[1].get_color() != lines[0].get_color()
    assert np.isnan(lines[1].get_ydata()[-1])  # 0 cannot be shown on a log axis
    assert ax.get_yscale() == "log" and ax.get_xscale() == "linear"
    fig2, (ax2,) = axes()
    lines2 = plots.plot_training_curves(ax2, curves, colors={"SGD, m = N": "#123456",
                                                             "minibatch, m = 32": "#654321"},
                                        logx=True, logy=False)
    assert lines2[0].get_color() == "#123456"
    assert np.isnan(lines2[0].get_xdata()[0])  # x = 0 on a log axis
    assert ax2.get_xscale() == "log"
    render(fig)
    render(fig2)


def test_minibatch_cloud():
    fig, (ax,) = axes()
    pts = np.array([[1.0, 0.5], [-1.0, 0.0], [3.0, -0.5]])
    art = plots.plot_minibatch_cloud(ax, pts, [1.0, 0.0], lim=((-2, 4), (-1, 1)))
    np.testing.assert_allclose(art.points.get_offsets(), pts)
    np.testing.assert_allclose(np.ravel(art.mean.get_data()), [1.0, 0.0])
    np.testing.assert_allclose(np.ravel(art.full.get_data()), [1.0, 0.0])
    assert np.allclose(art.boundary.get_xdata(), 0.0)
    assert ax.get_xlim() == (-2, 4) and not ax.get_autoscale_on()
    render(fig)


def test_gradient_variance():
    fig, (ax,) = axes()
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
    fig2, (ax2,) = axes()
    art2 = plots.plot_gradient_variance(ax2, m, 4.0 / m)
    assert art2.curves == {} and len(art2.current.get_xdata()) == 0
    render(fig)


def test_loss_line_marks_both_ends():
    fig, (ax,) = axes()
    alphas = np.linspace(-0.5, 1.5, 21)
    losses = 1 + (alphas - 1) ** 2
    line = plots.plot_loss_line(ax, alphas, losses)
    np.testing.assert_allclose(line.get_ydata(), losses)
    texts = [t.get_text() for t in ax.texts]
    assert any("initial" in t for t in texts) and any("trained" in t for t in texts)
    assert ax.get_yscale() == "log"
    fig2, (ax2,) = axes()
    plots.plot_loss_line(ax2, np.linspace(0.2, 0.8, 5), np.ones(5))  # neither end in range
    assert len(ax2.texts) == 0
    render(fig)


def test_loss_plane_log_levels():
    fig, (ax,) = axes()
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
    fig2, (ax2,) = axes()
    grid2 = grid.copy()
    grid2[0, 0] = np.nan
    plots.plot_loss_plane(ax2, a, b, grid2, colorbar=False)  # NaN does not break it
    assert len(fig2.axes) == 1
    render(fig2)
    with pytest.raises(ValueError, match="n_levels"):
        plots.plot_loss_plane(ax2, a, b, grid, n_levels=1)


def test_activations_and_derivatives():
    fig, (ax_f, ax_d) = axes(2)
    a = np.linspace(-4, 4, 81)  # contains 0
    arts = plots.plot_activations(ax_f, ax_d, a=a)
    assert set(arts) == {"sigmoid", "tanh", "relu"}
    s = 1 / (1 + np.exp(-a))
    np.testing.assert_allclose(arts["sigmoid"].f.get_ydata(), s)
    np.testing.assert_allclose(arts["sigmoid"].df.get_ydata(), s * (1 - s))
    np.testing.assert_allclose(arts["tanh"].df.get_ydata(), 1 / np.cosh(a) ** 2)
    d = arts["relu"].df.get_ydata()
    assert np.nanmax(d) == 1.0 and np.nanmin(d) == 0.0
    assert np.isnan(d[40])  # the break at the jump: no vertical segment at a = 0
    assert np.all(d[a < 0] == 0) and np.all(d[41:] == 1)
    filled, hollow = arts["relu"].extras
    assert list(filled.get_ydata()) == [0] and list(hollow.get_ydata()) == [1]
    assert arts["tanh"].f.get_color() == plots.ACTIVATION_COLORS["tanh"]
    assert arts["sigmoid"].extras == []
    render(fig)


def test_difference_errors_with_guides():
    fig, (ax,) = axes()
    h = np.logspace(-8, 0, 33)
    errors = {"forward": 0.5 * h, "central": 0.1 * h**2 + 0.0 * h}
    errors["central"][0] = 0.0  # an exact zero is drawn at the floor
    lines = plots.plot_difference_errors(ax, h, errors, guides={"O(h)": ("forward", 1),
                                                                "O(h²)": ("central", 2)},
                                         styles={"central": "--"})
    assert len(lines) == 2 and lines[1].get_linestyle() == "--"
    assert lines[1].get_ydata()[0] == 1e-18
    guides = ax.lines[2:]
    assert len(guides) == 2
    gx, gy = guides[1].get_xdata(), guides[1].get_ydata()
    slope = np.polyfit(np.log(gx), np.log(gy), 1)[0]
    assert slope == pytest.approx(2.0)
    # the guide runs parallel to the curve, a factor `offset` = 0.1 below it at h = 1e-2
    i = np.argmin(np.abs(gx - 1e-2))
    assert gy[i] == pytest.approx(0.1 * 0.1 * gx[i] ** 2)
    assert [t.get_text() for t in ax.texts] == ["O(h)", "O(h²)"]
    render(fig)


def test_matrices_shared_scale():
    fig, axs = axes(3)
    J = np.array([[1.0, -2.0], [0.5, 0.0], [0.0, 3.0]])
    ims = plots.plot_matrices(axs, {"A": J, "B": J + 1e-9, "difference": np.full((3, 2), 1e-9)})
    assert all(im.get_clim() == pytest.approx((-3.0, 3.0)) for im in ims)
    assert axs[2].get_title() == "difference"
    fig2, axs2 = axes(2)
    ims2 = plots.plot_matrices(axs2, {"A": J, "zero": np.zeros((3, 2))}, shared=False,
                               colorbar=False)
    assert ims2[1].get_clim() == (-1.0, 1.0)  # an all-zero matrix still gets a scale
    with pytest.raises(ValueError, match="one axis per matrix"):
        plots.plot_matrices(axs2, {"A": J})
    render(fig)
