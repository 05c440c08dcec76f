"""What a learner sees: every control changes the rendered pixels, not only artist data.

Explorers redraw by blitting dynamic artists over a cached image; an artist that changes but is
neither animated nor invalidated would leave the picture stale. These tests compare the Agg
buffer before and after each change, through the same ``draw()`` the notebooks use, and with a
render from scratch.
"""

import hashlib

import ipywidgets as W
import matplotlib
import pytest

matplotlib.use("Agg")

import _explorer_checks  # noqa: E402

from npfl_helpers import data, widgets  # noqa: E402


def pixels(ex) -> str:
    ex.draw()
    return hashlib.sha256(bytes(ex.figure.canvas.buffer_rgba())).hexdigest()


def full_render(ex) -> str:
    """The pixels of the figure rendered from scratch (no cached image)."""
    ex.invalidate()
    return pixels(ex)


def other_value(control):
    """A value of ``control`` clearly different from its current one, inside its range."""
    old = control.value
    if isinstance(control, W.Checkbox):
        return not old
    if isinstance(control, (W.Dropdown, W.SelectionSlider, W.ToggleButtons)):
        values = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return values[(values.index(old) + len(values) // 2) % len(values)]
    if isinstance(control, W.FloatLogSlider):  # half a decade, towards the farther end
        lo, hi = control.base**control.min, control.base**control.max
        return old * 10**0.5 if old < (lo * hi) ** 0.5 else old / 10**0.5
    step = 0.25 * (control.max - control.min)  # a quarter of the range, likewise
    new = old + step if old - control.min < control.max - old else old - step
    return round(new) if isinstance(control, W.IntSlider) else new


EXPLORERS = ["optimizer_explorer", "momentum_explorer", "phase_diagram_explorer",
             "schedule_explorer", "adam_bias_explorer", "minibatch_noise_explorer",
             "backprop_stepper", "activation_explorer", "landscape_slice_explorer",
             "eigendirection_explorer", "noisy_momentum_explorer"]


@pytest.mark.parametrize("name", EXPLORERS)
def test_every_enabled_control_changes_the_picture(name):
    ex = getattr(widgets, name)()
    for key in list(ex.controls):
        if key not in ex.controls:  # replaced when another control rebuilt the panel
            continue
        control = ex.controls[key]
        if isinstance(control, W.Button) or getattr(control, "disabled", False):
            continue
        before = pixels(ex)
        control.value = other_value(control)
        after = pixels(ex)
        assert after != before, f"{name}: changing {key!r} left the picture unchanged"
        assert after == full_render(ex), f"{name}: after changing {key!r} the picture is stale"


def test_training_explorer_redraws_after_train():
    ex = widgets.training_explorer()
    ex.controls["epochs"].value = 2
    ex.controls["train_size"].value = 100
    button = ex.button
    before = pixels(ex)
    button.click()
    after_first = pixels(ex)
    assert after_first != before
    for key in ("optimizer", "hidden", "activation", "l2"):
        ex.controls[key].value = other_value(ex.controls[key])
    button.click()
    assert pixels(ex) != after_first
    assert pixels(ex) == full_render(ex)


def test_training_explorer_controls_redraw_the_schedule_in_full():
    ex = widgets.training_explorer(data.load_small())
    pixels(ex)  # cache the first picture
    for key in ("optimizer", "lr", "decay", "lr_final", "epochs", "train_size"):
        control = ex.controls[key]
        control.value = other_value(control)
        assert pixels(ex) == full_render(ex), f"after changing {key!r} the picture is stale"
    before = pixels(ex)
    ex.controls["hidden"].value = other_value(ex.controls["hidden"])
    assert pixels(ex) == before  # no training before the button
    ex.button.click()
    assert pixels(ex) == full_render(ex) != before


def test_phase_diagram_legend_is_not_under_the_meshes():
    """The meshes are drawn over the cached background; no legend may sit where they go."""
    ex = widgets.phase_diagram_explorer()
    ex.draw()
    renderer = ex.figure.canvas.get_renderer()
    legends = [ax.get_legend() for ax in ex.figure.axes if ax.get_legend()] + ex.figure.legends
    assert legends
    for legend in legends:
        box = legend.get_window_extent(renderer)
        for ax in ex.figure.axes[:2]:  # the two phase diagrams
            assert not box.overlaps(ax.get_window_extent(renderer)), "legend under a mesh"


def render_aside(ex) -> str:
    """:func:`_explorer_checks.render_aside`, hashed like :func:`pixels`."""
    return hashlib.sha256(bytes(_explorer_checks.render_aside(ex))).hexdigest()


def _slider_like(control) -> bool:
    return (isinstance(control, W.ValueWidget) and not isinstance(control, W.Button)
            and not getattr(control, "disabled", False)
            and isinstance(control, (W.Checkbox, W.Dropdown, W.SelectionSlider, W.ToggleButtons,
                                     W.FloatLogSlider, W.IntSlider, W.FloatSlider)))


class _CountingImages(dict):
    """An explorer's kept static images, counting the lookups that found one."""

    hits = 0

    def pop(self, key, *default):
        if default and key in self:
            self.hits += 1
        return super().pop(key, *default)


@pytest.mark.parametrize("name", [n for n in widgets.__all__ if n != "Explorer"])
def test_states_shown_before_are_shown_as_a_full_render_would(name):
    """Each control to another value and back: the static images and text pixels kept from the
    first visit must give the picture a render from scratch gives."""
    ex = getattr(widgets, name)()
    pixels(ex)
    ex._backgrounds = _CountingImages(ex._backgrounds)
    for key in list(ex.controls):
        control = ex.controls.get(key)  # None: replaced when another control rebuilt the panel
        if control is None or not _slider_like(control):
            continue
        start = control.value
        control.value = other_value(control)
        pixels(ex)
        control.value = start
        assert pixels(ex) == render_aside(ex), f"{name}: {key} back to {start!r} is stale"


def test_a_state_shown_before_reuses_its_static_image():
    ex = widgets.variance_estimator_explorer()
    sigma2 = ex.controls["sigma2"]
    first = pixels(ex)
    ex._backgrounds = _CountingImages(ex._backgrounds)
    sigma2.value = 2.0  # the histogram's axis scales with σ²: a new static image
    pixels(ex)
    assert ex._backgrounds.hits == 0
    sigma2.value = 1.0
    assert pixels(ex) == first
    assert ex._backgrounds.hits == 1
    assert first == render_aside(ex)
