"""Tests for npfl_helpers.plots._style: the palette, display names, figures, numbers in titles."""

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from npfl_helpers import plots

pytestmark = pytest.mark.usefixtures("strict_warnings")

OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7",
             "#F0E442"}


def test_palette_is_the_course_palette():
    assert plots.OPTIMIZER_COLORS == {
        "sgd": "#000000", "momentum": "#E69F00", "nesterov": "#56B4E9",
        "adagrad": "#009E73", "rmsprop": "#0072B2", "adam": "#D55E00",
    }
    assert set(plots.OPTIMIZER_LABELS) == set(plots.OPTIMIZER_COLORS)
    assert plots.color_for("Adam") == "#D55E00"
    assert plots.color_for("adam_outside") == "#D55E00"
    assert plots.color_for("adagrad") == "#009E73"  # not confused with "adam"
    assert plots.color_for("something else") in plots.SPARE_COLORS
    assert plots.color_for("something else") == plots.color_for("something else")
    assert set(plots.SPARE_COLORS) - {"#999999"} <= OKABE_ITO
    assert plots.label_for("rmsprop") == "RMSProp" and plots.label_for("mine") == "mine"


def test_new_figure_does_not_register_when_asked():
    before = plt.get_fignums()
    fig, axes = plots.new_figure(2, pyplot=False)
    assert isinstance(fig, Figure) and len(axes) == 2
    assert plt.get_fignums() == before
    fig, _ = plots.new_figure(1)
    assert plt.get_fignums() == [*before, fig.number]


@pytest.mark.parametrize(("x", "text"), [
    (0.1234, "0.123"), (12.0, "12"), (-999.4, "-999"), (0.0, "0"),
    (999.7, "$10^{3}$"),  # rounds to 1000: shown as a power of ten
    (2.5e-3, r"$2.5\times 10^{-3}$"), (-4.44e-3, r"$-4.4\times 10^{-3}$"),
    (1e-6, "$10^{-6}$"), (3.14e7, r"$3.1\times 10^{7}$"),
])
def test_sci_text_keeps_three_digits_or_writes_a_power_of_ten(x, text):
    assert plots.sci_text(x) == text
    assert plots.sci_text(x, math=True) == text.strip("$")


def test_sci_text_of_non_finite_values():
    assert plots.sci_text(float("nan")) == "nan" and plots.sci_text(float("inf")) == "inf"


# Every name the flat ``plots`` module had; notebooks, widgets and tests use them as plots.<name>.
PUBLIC = """OPTIMIZER_COLORS OPTIMIZER_LABELS SPARE_COLORS color_for label_for sci_text PathArtists
OptimizerFigure new_figure plot_surface surface_artists plot_trajectories update_trajectories
loss_curve plot_losses plot_schedules optimizer_figure race_animation ACTIVATION_COLORS
ACTIVATION_LABELS ActivationArtists CloudArtists VarianceArtists plot_activations
plot_difference_errors plot_gradient_variance plot_loss_line plot_loss_plane plot_matrices
plot_minibatch_cloud plot_training_curves HistoryArtists fit_history_axes history_curves
history_legend plot_history update_history""".split()


def test_every_public_name_is_exported_once_from_its_topic_module():
    import importlib
    import pkgutil

    modules = [importlib.import_module(f"npfl_helpers.plots.{m.name}")
               for m in pkgutil.iter_modules(plots.__path__)]
    assert set(PUBLIC) <= set(plots.__all__)
    assert len(plots.__all__) == len(set(plots.__all__))
    for name in plots.__all__:
        owners = [m for m in modules if name in getattr(m, "__all__", ())]
        assert len(owners) == 1, name
        assert getattr(plots, name) is getattr(owners[0], name)
