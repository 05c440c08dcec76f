"""The controls of every explorer: sliders, dropdowns, checkboxes with one look per explorer.

A :class:`Controls` holds the look (widths, label width, whether sliders update while dragged,
the log sliders' step and number format); its methods build the ipywidgets::

    c = Controls(width="310px", label_width="84px")
    lr = c.log_slider("α", 0.01, 1e-4, 10.0)
    beta = c.choice_slider("β", 0.9, (0.0, 0.5, 0.9, 0.99))

Every explorer module makes one ``Controls`` at the top and builds all its controls with it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import ipywidgets as W

__all__ = ["NATURAL", "Controls", "on_grid", "value_key"]

NATURAL = "natural"  # a width that leaves the widget its own size (no layout)


def on_grid(value: float, low_exp: float, step: float) -> float:
    """The value a base-10 log slider shows for ``value``: the nearest point of its grid
    ``10 ** (low_exp + k·step)`` (the browser snaps to that grid and sends the snapped value back;
    starting on the grid avoids that extra update).

    >>> on_grid(0.02, -4.0, 0.05) == 10 ** (-4.0 + 46 * 0.05)
    True
    """
    return 10.0 ** (low_exp + round((math.log10(value) - low_exp) / step) * step)


def _float_echo(old, new) -> bool:
    """True for a change that only rounds a float: browsers' slider views send their value
    back after rendering (0.9 becomes 0.9000000000000001); that is no change to recompute.

    >>> _float_echo(0.9, 0.9000000000000001), _float_echo(0.9, 0.91), _float_echo(1, 2)
    (True, False, False)
    """
    return (isinstance(old, float) and isinstance(new, float) and old != new
            and math.isclose(old, new, rel_tol=1e-9, abs_tol=0.0))


def value_key(key):
    """``key`` with its floats rounded to 12 significant digits: a browser's log slider sends
    10.000000000000002 for 10, which should find what 10 computed.

    >>> value_key(("quadratic", 10.000000000000002)) == value_key(("quadratic", 10.0))
    True
    """
    if isinstance(key, float):
        return float(f"{key:.12g}")
    if isinstance(key, tuple):
        return tuple(value_key(k) for k in key)
    return key


class Controls:
    """Builds controls that share one look.

    ===================== ==============================================================
    argument              meaning
    ===================== ==============================================================
    ``width``             width of each control (CSS), unless a method is given another
    ``label_width``       width of the description on the left
    ``continuous_update`` sliders update while dragged (False: on release)
    ``log_step``          step of log sliders, in decades
    ``log_format``        readout format of log sliders
    ``snap``              start log sliders on their grid (see :func:`on_grid`)
    ===================== ==============================================================

    A method's ``width="natural"`` leaves the widget its own width.
    """

    def __init__(self, *, width: str = "310px", label_width: str = "84px",
                 continuous_update: bool = True, log_step: float = 0.05,
                 log_format: str = ".3g", snap: bool = True):
        self.width = width
        self.label_width = label_width
        self.continuous_update = continuous_update
        self.log_step = log_step
        self.log_format = log_format
        self.snap = snap

    def _look(self, width: str | None) -> dict:
        look = {"style": {"description_width": self.label_width}}
        width = self.width if width is None else width
        if width != NATURAL:
            look["layout"] = W.Layout(width=width)
        return look

    def log_slider(self, description: str, value: float, low: float, high: float,
                   step: float | None = None, width: str | None = None) -> W.FloatLogSlider:
        """A base-10 log slider from ``low`` to ``high``, ``step`` decades per tick."""
        step = self.log_step if step is None else step
        if self.snap:
            value = on_grid(value, math.log10(low), step)
        return W.FloatLogSlider(value=value, base=10, min=math.log10(low), max=math.log10(high),
                                step=step, description=description,
                                readout_format=self.log_format,
                                continuous_update=self.continuous_update, **self._look(width))

    def float_slider(self, description: str, value: float, low: float, high: float,
                     step: float, readout_format: str = ".3g",
                     width: str | None = None) -> W.FloatSlider:
        """A linear slider of floats."""
        return W.FloatSlider(value=value, min=low, max=high, step=step, description=description,
                             readout_format=readout_format,
                             continuous_update=self.continuous_update, **self._look(width))

    def int_slider(self, description: str, value: int, low: int, high: int, step: int = 1,
                   width: str | None = None) -> W.IntSlider:
        """A slider of integers."""
        return W.IntSlider(value=value, min=low, max=high, step=step, description=description,
                           continuous_update=self.continuous_update, **self._look(width))

    def choice_slider(self, description: str, value: float, options: Sequence[float],
                      width: str | None = None) -> W.SelectionSlider:
        """A slider over a few numbers, each shown as ``f"{v:g}"``."""
        return self.selection(description, float(value),
                              [(f"{v:g}", float(v)) for v in options], width)

    def selection(self, description: str, value, options: Sequence,
                  width: str | None = None) -> W.SelectionSlider:
        """A slider over ``options`` (values, or ``(label, value)`` pairs)."""
        return W.SelectionSlider(options=options, value=value, description=description,
                                 continuous_update=self.continuous_update, **self._look(width))

    def dropdown(self, description: str, value, options: Sequence,
                 width: str | None = None) -> W.Dropdown:
        """A dropdown over ``options`` (values, or ``(label, value)`` pairs)."""
        return W.Dropdown(options=options, value=value, description=description,
                          **self._look(width))

    def toggle(self, description: str, value, options: Sequence,
               width: str | None = NATURAL) -> W.ToggleButtons:
        """A row of buttons, one per option, one of them pressed."""
        return W.ToggleButtons(options=options, value=value, description=description,
                               **self._look(width))

    @staticmethod
    def checkbox(description: str, value: bool, html: bool = False,
                 width: str = "120px") -> W.Checkbox:
        """A checkbox with its description on the right (``html``: the description is HTML)."""
        return W.Checkbox(value=value, description=description, description_allow_html=html,
                          indent=False, layout=W.Layout(width=width))
