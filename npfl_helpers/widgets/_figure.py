"""The figure side of an explorer: figures pyplot does not track, sized to fit JupyterLab's
output area under both backends, and the fast PNG encoding of the inline path.

Also the display side of :class:`~npfl_helpers.widgets._base.Explorer` (:class:`FigureView`:
its widget, the PNG in an Output, the ipympl canvas) and the extent of a cached text.

Private; :mod:`npfl_helpers.widgets._base` re-exports what explorers use.
"""

from __future__ import annotations

import base64
import itertools
import math
import struct
import zlib

import ipywidgets as W
import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

__all__ = ["MAX_WIDTH_PX", "TEXT_MARGIN", "FigureView", "explorer_figure", "fit_ipympl_figure",
           "ipympl_active"]

#: pixels kept around a cached text's box, (x, y): italic glyphs overhang their box sideways;
#: vertically no more, the text may sit just above an axes
TEXT_MARGIN = (3, 1)

_numbers = itertools.count(1001)  # figure numbers for ipympl managers (never shown by pyplot)

# Widest figure, in CSS pixels. An ipympl canvas does not scale down to its output area (inline
# PNGs do): in a 1280-px-wide JupyterLab window with the file browser open the output area is
# about 848 px wide, so wider figures are drawn at a lower dpi (a uniform scale). Explorer
# figures keep to it under both backends: fewer pixels to draw, encode, send and decode.
MAX_WIDTH_PX = 820
_FIT_HOOK = "npfl_helpers.widgets._figure:fit_ipympl_figure"


def ipympl_active() -> bool:
    """True when the backend is ipympl (``%matplotlib widget`` or ``%matplotlib ipympl``)."""
    backend = str(matplotlib.get_backend()).lower()
    return "ipympl" in backend or backend == "widget"


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


def _text_key(text) -> tuple:
    """What decides a text's pixels while the figure's static part stays as it is."""
    patch = text.get_bbox_patch()
    box = None if patch is None else (tuple(patch.get_facecolor()), tuple(patch.get_edgecolor()),
                                      patch.get_linewidth())
    return (text.get_text(), tuple(text.get_unitless_position()), str(text.get_color()),
            text.get_fontsize(), text.get_fontweight(), text.get_fontstyle(),
            text.get_fontfamily()[0],
            text.get_alpha(), text.get_rotation(), text.get_ha(), text.get_va(), box)


def _text_extent(text, renderer) -> Bbox:
    """The pixels a text draws into: its glyphs and its frame (with half the frame's line),
    rounded outwards to whole pixels, with ``TEXT_MARGIN`` more (overhangs, antialiasing)."""
    box = text.get_window_extent(renderer)
    patch = text.get_bbox_patch()
    if patch is not None:
        text.update_bbox_position_size(renderer)  # else the frame is the last drawn content's
        half = 0.5 * renderer.points_to_pixels(patch.get_linewidth())
        box = Bbox.union([box, patch.get_window_extent(renderer).padded(half)])
    (x0, y0), (x1, y1) = box.get_points()
    mx, my = TEXT_MARGIN
    return Bbox([[math.floor(x0) - mx, math.floor(y0) - my],
                 [math.ceil(x1) + mx, math.ceil(y1) + my]])


class FigureView:
    """How an explorer shows its figure: the widget (controls above the figure), the inline
    PNG in an ``ipywidgets.Output`` or the ipympl canvas. Needs ``figure``, ``draw()``,
    ``_columns()`` and the attributes ``_ipympl``, ``_output``, ``_widget``,
    ``_controls_box``.
    """

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
