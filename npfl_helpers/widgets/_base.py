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

Rendering is blitted: artists registered with :meth:`Explorer.animate` (paths, curves, titles)
are drawn onto a cached image of everything else (contours, axes, ticks, legends). The cache is
refreshed by a full draw whenever an axis limit or scale changes or a subclass calls
:meth:`Explorer.invalidate` after changing a static artist. The inline PNG is encoded straight
from that Agg buffer: ``format_display_data(fig)`` would render the whole figure again (about
six times slower here).

An explorer returned as the last expression of a cell displays itself.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import math
import struct
import zlib
from collections.abc import Iterable, Mapping, Sequence

import ipywidgets as W
import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["Explorer", "explorer_figure", "ipympl_active"]

_numbers = itertools.count(1001)  # figure numbers for ipympl managers (never shown by pyplot)

# Widest figure, in CSS pixels. An ipympl canvas does not scale down to its output area (inline
# PNGs do): in a 1280-px-wide JupyterLab window with the file browser open the output area is
# about 848 px wide, so wider figures are drawn at a lower dpi (a uniform scale). Explorer
# figures keep to it under both backends: fewer pixels to draw, encode, send and decode.
MAX_WIDTH_PX = 820
_FIT_HOOK = "npfl_helpers.widgets._base:fit_ipympl_figure"


def ipympl_active() -> bool:
    """True when the backend is ipympl (``%matplotlib widget`` or ``%matplotlib ipympl``)."""
    backend = str(matplotlib.get_backend()).lower()
    return "ipympl" in backend or backend == "widget"


def _float_echo(old, new) -> bool:
    """True for a change that only rounds a float: browsers' slider views send their value
    back after rendering (0.9 becomes 0.9000000000000001); that is no change to recompute.

    >>> _float_echo(0.9, 0.9000000000000001), _float_echo(0.9, 0.91), _float_echo(1, 2)
    (True, False, False)
    """
    return (isinstance(old, float) and isinstance(new, float) and old != new
            and math.isclose(old, new, rel_tol=1e-9, abs_tol=0.0))


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def _png_rgb(rgba) -> bytes:
    """An RGB PNG of an ``(h, w, 4)`` uint8 buffer: rows unfiltered, zlib level 1.

    About twice as fast as Pillow's adaptive filtering at level 3 for an explorer's figure
    (which is mostly flat colour), at a similar size; it is sent over a local connection.

    >>> _png_rgb(np.zeros((2, 3, 4), np.uint8))[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    rgba = np.asarray(rgba)
    h, w = rgba.shape[:2]
    rows = np.empty((h, 1 + 3 * w), np.uint8)
    rows[:, 0] = 0  # filter type 0 (none) for every row
    rows[:, 1:].reshape(h, w, 3)[...] = rgba[:, :, :3]
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(rows.tobytes(), 1)) + _png_chunk(b"IEND", b""))


def _shell():
    """The running IPython shell, or None (plain Python, pytest)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - ipywidgets depends on IPython
        return None
    return get_ipython()


def _fitting_dpi(width_in: float, dpi: float) -> float:
    """The dpi at which a figure ``width_in`` inches wide is at most ``MAX_WIDTH_PX`` px."""
    return min(dpi, MAX_WIDTH_PX / width_in)


def fit_ipympl_figure(fig: Figure) -> None:
    """A ``figure.hooks`` hook: an ipympl figure wider than its output area gets a lower dpi.

    Registered when this module is imported, so ``plt.subplots`` in a notebook under
    ``%matplotlib widget`` fits too. Other canvases (inline, Agg) are left alone.
    """
    if not type(fig.canvas).__module__.startswith("ipympl"):
        return
    dpi = _fitting_dpi(fig.get_figwidth(), fig._original_dpi)
    if dpi < fig._original_dpi:
        fig._original_dpi = dpi  # what ipympl multiplies by the screen's pixel ratio
        fig.set_dpi(dpi * fig.canvas.device_pixel_ratio)


if _FIT_HOOK not in matplotlib.rcParams["figure.hooks"]:
    matplotlib.rcParams["figure.hooks"] = [*matplotlib.rcParams["figure.hooks"], _FIT_HOOK]


def explorer_figure(figsize=(10.0, 4.4), **kwargs) -> Figure:
    """A figure pyplot does not track: on an ipympl canvas if ipympl is active, else on Agg.

    Not registered with pyplot, so ``plt.show()`` in a later cell never shows it again, and it
    is never displayed twice under ``%matplotlib widget``. It is at most ``MAX_WIDTH_PX``
    (CSS) pixels wide, like every ipympl figure (see :func:`fit_ipympl_figure`).
    """
    if "dpi" not in kwargs:
        kwargs["dpi"] = _fitting_dpi(figsize[0], matplotlib.rcParams["figure.dpi"])
    fig = Figure(figsize=figsize, **kwargs)
    if ipympl_active():
        from ipympl.backend_nbagg import Canvas, FigureManager

        canvas = Canvas(fig)
        FigureManager(canvas, next(_numbers))  # gives the canvas its toolbar
        canvas.header_visible = False
        canvas.footer_visible = False
        canvas.resizable = False
    else:
        FigureCanvasAgg(fig)
    return fig


class Explorer:
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
        self._animated: list = getattr(self, "_animated", [])
        self._background = None  # the figure without dynamic artists
        self._base = None  # ... and without the volatile axes
        self._volatile: set = set()
        self._signature = None
        self._static_version = 0
        self._rendering = False
        figure.canvas.mpl_connect("draw_event", self._on_draw)
        self.add_controls(controls)
        self.columns = columns
        self._layout_engine = figure.get_layout_engine()
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

    def animate(self, *artists) -> None:
        """Mark artists as dynamic: redrawn on every update over the cached static image."""
        if not hasattr(self, "_animated"):
            self._animated = []
        for artist in artists:
            artist.set_animated(True)
            self._animated.append(artist)

    def invalidate(self) -> None:
        """Declare that a static artist changed: the next render draws the whole figure."""
        self._static_version += 1

    def title(self, fontsize: float = 11.0):
        """A dynamic figure title (an animated text centred at the top of the figure).

        It belongs to the first axes, so ``savefig`` draws it too; keep room for it with the
        layout engine's ``rect``.
        """
        fig = self.figure
        text = fig.axes[0].text(0.5, 0.995, "", transform=fig.transFigure, ha="center",
                                va="top", fontsize=fontsize, clip_on=False)
        text.set_in_layout(False)
        self.animate(text)
        return text

    def _axes_state(self, ax):
        return ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale()

    def _static_signature(self):
        fig = self.figure
        return (self._static_version, tuple(fig.bbox.size),
                tuple(self._axes_state(ax) for ax in fig.axes))

    def _on_draw(self, event) -> None:
        """After a full draw we did not make (ipympl's, a resize): cache it, add the dynamic
        artists."""
        canvas = self.figure.canvas
        if self._rendering or canvas.is_saving():
            return
        self._background = canvas.copy_from_bbox(self.figure.bbox)
        self._base = None  # unknown: the next change of a volatile axes renders everything
        self._signature = self._static_signature()
        self._draw_animated()

    def _draw_animated(self) -> None:
        for artist in self._animated:
            if artist.get_visible():
                self.figure.draw_artist(artist)

    def draw(self) -> None:
        """Render now into the Agg buffer, doing as little as the change needs.

        Three levels: (1) static parts unchanged: restore the cached background, draw the
        dynamic artists; (2) only the limits of "volatile" axes changed (those whose limits
        changed before, e.g. a loss panel): restore the cached image of everything else and
        draw those axes again; (3) otherwise render everything, volatile axes last. The
        benchmark times ``control change → draw()``.
        """
        fig, canvas = self.figure, self.figure.canvas
        sig = self._static_signature()
        if self._background is not None and sig == self._signature:
            canvas.restore_region(self._background)
            self._draw_animated()
            return
        old = self._signature
        if old is not None and old[:2] == sig[:2]:
            changed = {ax for ax, a, b in zip(fig.axes, old[2], sig[2], strict=False) if a != b}
            if self._base is not None and changed <= self._volatile:
                canvas.restore_region(self._base)
                self._finish(sig)
                return
            self._volatile |= changed
        volatile = [ax for ax in fig.axes if ax in self._volatile and ax.get_visible()]
        self._rendering = True
        try:
            for ax in volatile:
                ax.set_visible(False)
            FigureCanvasAgg.draw(canvas)  # Agg only: on ipympl, nothing is sent yet
        finally:
            for ax in volatile:
                ax.set_visible(True)
            self._rendering = False
        self._base = canvas.copy_from_bbox(fig.bbox)
        self._finish(sig)

    def _finish(self, sig) -> None:
        """Draw the volatile axes over the base image, cache the result, add dynamic artists."""
        fig, canvas = self.figure, self.figure.canvas
        renderer = canvas.get_renderer()
        for ax in fig.axes:
            if ax in self._volatile and ax.get_visible():
                ax.draw(renderer)
        self._background = canvas.copy_from_bbox(fig.bbox)
        self._signature = sig
        self._draw_animated()

    def relayout(self) -> None:
        """Compute the figure layout once (after titles or labels changed size), then keep it.

        The layout engine runs only here, not on every render.
        """
        if self._layout_engine is None:
            return
        self._rendering = True
        try:
            self.figure.set_layout_engine(self._layout_engine)
            self.figure.draw_without_rendering()
            self.figure.set_layout_engine("none")
        finally:
            self._rendering = False
        self.invalidate()

    def png(self) -> bytes:
        """The current figure as PNG bytes, encoded from the Agg buffer (rendered first)."""
        self.draw()
        return _png_rgb(self.figure.canvas.buffer_rgba())

    def redraw(self) -> None:
        """Show the current state: render and blit on ipympl, else a PNG in the Output."""
        if self._ipympl:
            self.draw()
            self.figure.canvas.blit(self.figure.bbox)  # sends the changed pixels
            return
        if self._output is None or _shell() is None:
            return  # nothing displayed (or no kernel): encode no PNG
        png = base64.b64encode(self.png()).decode("ascii")
        w, h = self.figure.canvas.get_width_height()
        data = {"image/png": png, "text/plain": repr(self.figure)}
        md = {"image/png": {"width": w, "height": h}}
        self._output.outputs = ({"output_type": "display_data", "data": data, "metadata": md},)

    # -- display ----------------------------------------------------------------------------

    @property
    def widget(self) -> W.Widget:
        """The control panel above the figure (an ``ipywidgets.VBox``)."""
        if self._widget is None:
            self._controls_box = W.HBox(self._columns(), layout=W.Layout(flex_flow="row wrap"))
            if self._ipympl:
                view = self.figure.canvas
                # what displaying the canvas on its own would do: give the browser its size and
                # a first image (a canvas shown only inside a box stays blank otherwise)
                view._repr_mimebundle_()
            else:
                self._output = W.Output()
                view = self._output
            self._widget = W.VBox([self._controls_box, view])
            self.redraw()
        return self._widget

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} with controls {list(self.controls)}>"
