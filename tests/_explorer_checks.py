"""Helpers shared by the explorer tests (tests/test_widgets_*.py): drive a control over its
range and tell whether the figure changed."""

import ipywidgets as W
import numpy as np


def values(control) -> list:
    """Min, max and a few values in between; every option; both checkbox states."""
    if isinstance(control, W.Checkbox):
        return [not control.value, control.value]
    if isinstance(control, (W.Dropdown, W.SelectionSlider, W.ToggleButtons)):
        return [o[1] if isinstance(o, tuple) else o for o in control.options]
    if isinstance(control, W.FloatLogSlider):
        exps = np.linspace(control.min, control.max, 5)
        return [float(control.base**e) for e in (exps[0], exps[-1], *exps[1:-1])]
    if isinstance(control, W.IntSlider):
        vals = np.linspace(control.min, control.max, 5).round().astype(int)
        return [int(v) for v in (vals[0], vals[-1], *vals[1:-1])]
    if isinstance(control, W.FloatSlider):
        vals = np.linspace(control.min, control.max, 5)
        return [float(v) for v in (vals[0], vals[-1], *vals[1:-1])]
    raise TypeError(f"no test values for {type(control).__name__}")


def snapshot(fig) -> list:
    """Everything an update may change: line data and visibility, mesh colours, texts."""
    out = []
    for ax in fig.axes:
        for line in ax.lines:
            out.append((line.get_visible(), np.asarray(line.get_xydata(), float).tobytes()))
        for coll in ax.collections:
            arr = coll.get_array()
            if arr is not None:
                out.append(np.ma.filled(np.ma.asarray(arr, dtype=float), -1.0).tobytes())
        out += [t.get_text() for t in ax.texts] + [ax.get_title()]
        out.append((ax.get_xlim(), ax.get_ylim()))
    return out


def sweep(ex, name) -> bool:
    """Drive control ``name`` over its range, rendering each state; True if anything changed."""
    control = ex.controls[name]
    before = snapshot(ex.figure)
    changed = False
    for k, v in enumerate(values(control)):
        if control.value == v:
            continue
        control.value = v
        if k < 2:  # render at the extremes (min, max): warnings from drawing count too
            ex.draw()
        after = snapshot(ex.figure)
        changed |= after != before
        before = after
    return changed


def pixels(ex) -> np.ndarray:
    return np.asarray(ex.figure.canvas.buffer_rgba()).copy()


def render_aside(ex) -> np.ndarray:
    """The pixels of the current state rendered from scratch, without touching the explorer's
    caches (its kept static images and text pixels stay as they were, for the next change)."""
    names = ("_static_version", "_backgrounds", "_layer_images", "_volatile", "_signature",
             "_background", "_base", "_text_pixels", "_background_pixels", "_layer_image")
    saved = {n: getattr(ex, n) for n in names}
    ex._backgrounds, ex._layer_images, ex._volatile, ex._text_pixels = {}, {}, set(), {}
    ex._background_pixels = ex._layer_image = None
    try:
        ex.invalidate()
        ex.draw()
        return pixels(ex)
    finally:
        for n, v in saved.items():
            setattr(ex, n, v)


def builds_headless(ex, explorer_class) -> None:
    """An explorer built without a kernel: controls, a title stating a finding, a widget view."""
    assert isinstance(ex, explorer_class)
    assert ex.controls and all(isinstance(c, W.ValueWidget) for c in ex.controls.values())
    ex.draw()
    assert ex.figure.axes and ex.figure.axes[0].texts[0].get_text()  # a title states a finding
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert ex.widget.children[1] is ex._output  # inline path: an Output below the controls


def every_control_changes_something(ex) -> None:
    """Sweep every control (steps last but one, surface last); each must change the figure."""
    names = sorted(ex.controls, key=lambda n: (n == "surface", n == "steps"))
    for name in names:
        assert sweep(ex, name), f"moving {name!r} changed nothing"
