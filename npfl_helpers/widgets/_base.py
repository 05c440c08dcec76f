"""The base of every explorer: controls beside a figure, one callback, artists updated in place.

An :class:`Explorer` holds ``controls`` (name → ipywidget), a matplotlib ``figure`` and an
``update()`` method. Every control is observed by one callback that calls ``update()``: the
subclass's :meth:`Explorer.refresh` recomputes (vectorised) and sets the data of existing
artists, then :meth:`Explorer.redraw` shows the result. Nothing is re-created per change.

Two rendering paths, chosen when the explorer is built:

- ``%matplotlib widget`` (the ipympl backend is active): the figure lives on an ipympl canvas,
  which is shown directly; a change ends with ``canvas.draw_idle()``.
- otherwise (``%matplotlib inline``, static HTML, nbval): the figure is a bare Agg figure that
  pyplot does not track, and a change puts its PNG into an ``ipywidgets.Output`` by setting
  ``Output.outputs`` from the kernel (no ``with out:``, which leaks headless). Without an IPython
  kernel (plain pytest) no PNG is encoded at all; ``Explorer.draw()`` renders on demand.

Rendering is blitted (:mod:`._blit`): only the dynamic artists (registered with
:meth:`Explorer.animate` and :meth:`Explorer.animate_text`) are drawn on most changes, over a
cached image of everything else. The inline PNG is encoded straight from that Agg buffer:
``format_display_data(fig)`` would render the whole figure again (about six times slower here).

An explorer returned as the last expression of a cell displays itself.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence

import ipywidgets as W
from matplotlib.figure import Figure

from ._blit import BlittedFigure
from ._controls import _float_echo, value_key  # noqa: F401 - value_key: re-exported
from ._figure import (  # noqa: F401 - re-exported: other modules import them from here
    _FIT_HOOK,
    MAX_WIDTH_PX,
    TEXT_MARGIN,
    FigureView,
    _png_rgb,
    _shell,
    _text_extent,
    _text_key,
    explorer_figure,
    fit_ipympl_figure,
    ipympl_active,
)

__all__ = ["Explorer", "explorer_figure", "ipympl_active"]


class Explorer(BlittedFigure, FigureView):
    """Controls and a figure, kept in sync by one callback per control.

    Subclasses build the figure (with :func:`explorer_figure`) and the controls, call
    ``super().__init__(figure, controls, columns)`` and implement :meth:`refresh`.

    =============  ==================================================================
    attribute      meaning
    =============  ==================================================================
    ``controls``   dict name → ipywidget; a change of any ``value`` calls ``update()``
    ``figure``     the matplotlib Figure
    ``widget``     the ipywidgets layout: the controls above the figure (built lazily)
    =============  ==================================================================

    ``columns`` lists the control names shown in each column of the control panel (default:
    all controls, four per column). Use :meth:`hold` to change several controls with a single
    update at the end.
    """

    def __init__(self, figure: Figure, controls: Mapping[str, W.Widget],
                 columns: Sequence[Sequence[str]] | None = None):
        self.figure = figure
        self.controls: dict[str, W.Widget] = {}
        self._held = 0
        self._pending = False
        self._output = None
        self._widget = None
        self._controls_box = None
        self._ipympl = type(figure.canvas).__module__.startswith("ipympl")
        self._init_rendering()
        self.add_controls(controls)
        self.columns = columns
        # the layout is computed once, after the first refresh has filled titles and labels
        self.refresh()
        self.relayout()
        self.redraw()

    # -- controls -------------------------------------------------------------------------

    def add_controls(self, controls: Mapping[str, W.Widget]) -> None:
        """Add (and observe) controls; the panel shows them after :meth:`set_columns`."""
        for name, control in controls.items():
            if name in self.controls:
                raise ValueError(f"control {name!r} exists already")
            control.observe(self._on_change, names="value")
            self.controls[name] = control

    def remove_controls(self, names: Iterable[str]) -> None:
        """Stop observing and forget the named controls."""
        for name in list(names):
            control = self.controls.pop(name)
            control.unobserve(self._on_change, names="value")
            control.close()

    def set_columns(self, columns: Sequence[Sequence[str]] | None) -> None:
        """Lay the control panel out again (after controls were added or removed)."""
        self.columns = columns
        if self._controls_box is not None:
            self._controls_box.children = self._columns()

    def _columns(self) -> tuple:
        columns = self.columns
        if columns is None:
            names = list(self.controls)
            columns = [names[i:i + 4] for i in range(0, len(names), 4)]
        boxes = []
        for col in columns:
            items = [self.controls[n] if isinstance(n, str) else n for n in col]
            boxes.append(W.VBox(items, layout=W.Layout(margin="0 12px 0 0")))
        return tuple(boxes)

    @contextlib.contextmanager
    def hold(self):
        """Collect control changes made inside the block into one update at its end."""
        self._held += 1
        try:
            yield self
        finally:
            self._held -= 1
            if self._held == 0 and self._pending:
                self._pending = False
                self.update()

    def _on_change(self, change) -> None:
        if _float_echo(change["old"], change["new"]):
            return  # a slider view re-sent its value rounded (0.9 -> 0.9000000000000001)
        if self._held:
            self._pending = True
        else:
            self.update()

    # -- computing and drawing --------------------------------------------------------------

    def refresh(self) -> None:
        """Recompute from the controls and set the data of the existing artists."""
        raise NotImplementedError

    def update(self) -> None:
        """Recompute and show: :meth:`refresh`, then :meth:`redraw`."""
        self.refresh()
        self.redraw()

    def cached(self, key, compute, size: int = 16):
        """``compute()``, remembered for the last ``size`` keys: a slider moved back and forth
        computes each of its values once. ``key`` must determine the result (floats count to
        12 significant digits, see :func:`value_key`)."""
        memo = self.__dict__.setdefault("_memo", {})
        key = value_key(key)
        if key in memo:
            memo[key] = memo.pop(key)  # the most recent last
            return memo[key]
        value = compute()
        memo[key] = value
        while len(memo) > size:
            memo.pop(next(iter(memo)))
        return value

    def title(self, fontsize: float = 11.0):
        """A dynamic figure title (an animated text centred at the top of the figure).

        It belongs to the first axes, so ``savefig`` draws it too; keep room for it with the
        layout engine's ``rect``.
        """
        fig = self.figure
        text = fig.axes[0].text(0.5, 0.995, "", transform=fig.transFigure, ha="center",
                                va="top", fontsize=fontsize, clip_on=False)
        text.set_in_layout(False)
        self.animate_text(text)
        return text

    def __repr__(self) -> str:
        return f"<{type(self).__name__} with controls {list(self.controls)}>"
