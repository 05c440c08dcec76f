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

Artists that change seldom but cost much (a surface's contours) can form a layer
(:meth:`Explorer.set_layer`) cached over the static image until it is replaced.

Text is the slowest thing to draw (each glyph is rendered on its own). Texts registered with
:meth:`Explorer.animate_text` (titles, text panels: over no other dynamic artist) are drawn
first, and their pixels are kept per content: a text that did not change, or shows a content
it showed before, costs one copy. Other animated texts are kept likewise, per content and per
the pixels under them.

An explorer returned as the last expression of a cell displays itself.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable, Mapping, Sequence

import ipywidgets as W
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

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


class Explorer(FigureView):
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
        self._texts: list = getattr(self, "_texts", [])
        self._text_pixels: dict = {}  # text -> {content: its pixels over the background}
        self._layer: list = getattr(self, "_layer", [])  # set_layer's: over the background
        self._layer_image = None  # ... and the result, while they stay as they are
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

    def animate_text(self, *texts) -> None:
        """Mark texts as dynamic that overlap no other dynamic artist (titles above axes, text
        panels): drawn first, over the static image and the layer (:meth:`set_layer`), their
        pixels cached per content."""
        if not hasattr(self, "_texts"):
            self._texts = []
        for text in texts:
            text.set_animated(True)
            self._texts.append(text)

    def set_layer(self, *artists) -> None:
        """Artists that change seldom and cost much to create or render (a surface's contours):
        drawn over the static image as it is, then cached with it until the next call.

        Between two calls only the other dynamic artists are drawn. The caller keeps the z-order
        right: the layer lies over the whole static image (add e.g. the spines it would cover).
        """
        for artist in artists:
            artist.set_animated(True)
        self._layer = list(artists)
        self._layer_image = None

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
        self.animate_text(text)
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
        self._new_background()
        self._base = None  # unknown: the next change of a volatile axes renders everything
        self._signature = self._static_signature()
        self._draw_animated()

    def _new_background(self) -> None:
        """The static image changed: so did everything cached over it."""
        self._text_pixels.clear()
        self._layer_image = None

    def _draw_animated(self) -> None:
        canvas = self.figure.canvas
        if self._layer:
            if self._layer_image is None:
                for artist in self._layer:
                    if artist.get_visible():
                        self.figure.draw_artist(artist)
                self._layer_image = canvas.copy_from_bbox(self.figure.bbox)
                self._forget_texts_over({a.axes for a in self._layer if a.axes is not None})
            else:
                canvas.restore_region(self._layer_image)
        for text in self._texts:
            if text.get_visible():
                self._draw_text(text)
        for artist in self._animated:
            if not artist.get_visible():
                continue
            if isinstance(artist, Text):  # over other dynamic artists: keyed by what is under it
                self._draw_text(artist, under=True)
            else:
                self.figure.draw_artist(artist)

    def _forget_texts_over(self, axes) -> None:
        """Drop the cached pixels of texts that reach into ``axes`` (a new layer is there)."""
        boxes = [ax.bbox for ax in axes]
        for cache in self._text_pixels.values():
            for key in [k for k, (box, _) in cache.items() if any(box.overlaps(b) for b in boxes)]:
                del cache[key]

    def _draw_text(self, text, under: bool = False) -> None:
        """Draw a dynamic text, or copy its pixels drawn before with the same content (and,
        ``under``, over the same pixels: for a text that other dynamic artists may pass under).
        """
        canvas = self.figure.canvas
        cache = self._text_pixels.setdefault(text, {})
        key = _text_key(text)
        box = None
        if under:
            renderer = canvas.get_renderer()
            box = Bbox.intersection(_text_extent(text, renderer), self.figure.bbox)
            if box is None or not np.all(np.isfinite(box.extents)):
                self.figure.draw_artist(text)
                return
            x0, y0, x1, y1 = (int(v) for v in box.extents)
            height = canvas.get_width_height()[1]
            below = np.asarray(canvas.buffer_rgba())[height - y1:height - y0, x0:x1]
            key += (hashlib.blake2b(below.tobytes(), digest_size=16).digest(),)
        hit = cache.get(key)
        if hit is not None:
            canvas.restore_region(hit[1])
            return
        self.figure.draw_artist(text)
        if box is None:
            renderer = canvas.get_renderer()
            box = Bbox.intersection(_text_extent(text, renderer), self.figure.bbox)
        if box is None or not np.all(np.isfinite(box.extents)):
            return
        if len(cache) >= 64:
            cache.pop(next(iter(cache)))
        cache[key] = (box, canvas.copy_from_bbox(box))

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
            if self._layer_image is None:  # else the layer's image covers the background
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
        self._new_background()
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

    def __repr__(self) -> str:
        return f"<{type(self).__name__} with controls {list(self.controls)}>"
