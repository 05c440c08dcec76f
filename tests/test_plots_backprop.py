"""Tests for npfl_helpers.plots.backprop: the figures of notebook 05."""

import numpy as np
import pytest

from npfl_helpers import plots

pytestmark = pytest.mark.usefixtures("strict_warnings")


def axes(n=1):
    fig, axs = plots.new_figure(n)
    return fig, axs


def test_new_names_are_exported():
    for name in ("plot_activations", "plot_difference_errors", "plot_matrices",
                 "ACTIVATION_COLORS", "ACTIVATION_LABELS", "ActivationArtists"):
        assert name in plots.__all__
        assert hasattr(plots, name)


def test_activations_and_derivatives(render):
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


def test_difference_errors_with_guides(render):
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


def test_matrices_shared_scale(render):
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


def test_jacobian_figure_shows_both_matrices_on_one_scale(render):
    J = np.array([[1.0, -2.0, 0.5, 0.0], [0.0, 3.0, 1.0, -1.0], [0.2, 0.1, 0.0, 0.4]])
    fig, axes = plots.jacobian_figure(J, J + 1e-9)
    assert [ax.get_title() for ax in axes] == ["rows from 3 backward passes",
                                               "columns from central differences"]
    images = [ax.images[0] for ax in axes]
    np.testing.assert_array_equal(images[0].get_array(), J)
    assert images[0].get_clim() == images[1].get_clim() == pytest.approx((-3.0, 3.0))
    assert "Jacobian" in fig.get_suptitle()
    render(fig)


def test_layer_gradients_one_curve_per_activation_on_a_log_axis(render):
    fig, (ax,) = axes()
    norms = {"sigmoid": np.geomspace(1e-6, 1.0, 13), "relu": np.ones(13)}
    lines = plots.plot_layer_gradients(ax, norms)
    assert [ln.get_label() for ln in lines] == [plots.ACTIVATION_LABELS["sigmoid"],
                                               plots.ACTIVATION_LABELS["relu"]]
    assert lines[1].get_color() == plots.ACTIVATION_COLORS["relu"]
    np.testing.assert_array_equal(lines[0].get_xdata(), np.arange(13))
    np.testing.assert_allclose(lines[0].get_ydata(), norms["sigmoid"])
    assert ax.get_yscale() == "log" and "12 = output" in ax.get_xlabel()
    assert ax.get_legend() is not None
    render(fig)
