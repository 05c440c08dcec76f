"""Blitted rendering, the drawing side of :class:`~npfl_helpers.widgets._base.Explorer`.

Artists registered with :meth:`BlittedFigure.animate` (paths, curves, titles) are drawn onto a
cached image of everything else (contours, axes, ticks, legends). The cache is refreshed by a
full draw whenever an axis limit or scale changes or a subclass calls
:meth:`BlittedFigure.invalidate` after changing a static artist; axes whose limits changed
before ("volatile" axes, e.g. a loss panel) are then drawn again over an image of the rest. The
last few static images are kept by the axis limits they show, so a slider moved back and forth
renders each of them once.

Artists that change seldom but cost much (a surface's contours) can form a layer
(:meth:`BlittedFigure.set_layer`) cached over the static image until it is replaced; the images
of the last few layers are kept too, by their artists and the static image under them.

Text is the slowest thing to draw (each glyph is rendered on its own). Texts registered with
:meth:`BlittedFigure.animate_text` (titles, text panels: over no other dynamic artist) are drawn
first, and their pixels are kept per content: a text that did not change, or shows a content
it showed before, costs one copy, for as long as the static image under it stays the same.
Other animated texts are kept likewise, per content and per the pixels under them.

Private; explorers use it through :class:`~npfl_helpers.widgets._base.Explorer`.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from ._figure import _text_extent, _text_key

__all__ = ["BlittedFigure"]

#: static images kept per explorer, by the axis limits they show (about 1 MB each)
BACKGROUNDS = 8


class BlittedFigure:
    """Renders ``figure`` blitted: :meth:`draw` does as little as the change since the last
    call needs. Call :meth:`_init_rendering` once the figure exists; :meth:`animate`,
    :meth:`animate_text` and :meth:`set_layer` may be called before."""

    def _init_rendering(self) -> None:
        self._animated: list = getattr(self, "_animated", [])
        self._texts: list = getattr(self, "_texts", [])
        self._text_pixels: dict = {}  # text -> {content: its pixels over the background}
        self._background_pixels = None  # a copy of the background, to see where it changes
        self._layer: list = getattr(self, "_layer", [])  # set_layer's: over the background
        self._layer_image = None  # ... and the result, while they stay as they are
        self._background = None  # the figure without dynamic artists
        self._backgrounds: dict = {}  # (static signature,) -> that background, latest last
        self._layer_images: dict = {}  # (signature, layer's artists) -> the layer over it
        self._base = None  # ... and without the volatile axes
        self._volatile: set = set()
        self._signature = None
        self._static_version = 0
        self._rendering = False
        self._layout_engine = self.figure.get_layout_engine()
        self.figure.canvas.mpl_connect("draw_event", self._on_draw)

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
        The image of the same artists over the same static image is kept (the last
        ``BACKGROUNDS``), so the artists of a layer must not change: make new ones instead.
        """
        for artist in artists:
            artist.set_animated(True)
        self._layer = list(artists)
        self._layer_image = None

    def invalidate(self) -> None:
        """Declare that a static artist changed: the next render draws the whole figure."""
        self._static_version += 1

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
        """The static image changed (it is in the canvas now): forget the texts' pixels cached
        where it changed, and the layer's image.

        A text's pixels stay valid where the static image under the text is the same as before
        (a title above an axes whose ticks were redrawn), so they are compared, not cleared.
        """
        pixels = np.asarray(self.figure.canvas.buffer_rgba())
        old = self._background_pixels
        if old is None or old.shape != pixels.shape:
            self._text_pixels.clear()
        else:
            height, width = pixels.shape[:2]
            for cache in self._text_pixels.values():
                for key, (box, _) in list(cache.items()):
                    x0, y0, x1, y1 = box.extents  # one pixel more on each side: rounding
                    rows = slice(max(height - math.ceil(y1) - 1, 0),
                                 min(height - math.floor(y0) + 1, height))
                    cols = slice(max(math.floor(x0) - 1, 0), min(math.ceil(x1) + 1, width))
                    if not np.array_equal(old[rows, cols], pixels[rows, cols]):
                        del cache[key]
        self._background_pixels = pixels.copy()
        self._layer_image = None

    def _draw_animated(self) -> None:
        canvas = self.figure.canvas
        if self._layer:
            if self._layer_image is None:
                key = (self._signature, tuple(self._layer))
                self._layer_image = _kept(self._layer_images, key)
                if self._layer_image is not None:  # these artists over this image, drawn before
                    canvas.restore_region(self._layer_image)
                else:
                    for artist in self._layer:
                        if artist.get_visible():
                            self.figure.draw_artist(artist)
                    self._layer_image = canvas.copy_from_bbox(self.figure.bbox)
                    _keep(self._layer_images, key, self._layer_image)
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

        Three levels: (1) static parts unchanged, or as they were in one of the last
        ``BACKGROUNDS`` static images (the same axis limits): restore that image, draw the
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
        seen = _kept(self._backgrounds, (sig,))
        if seen is not None:  # these limits were shown before: their image is kept
            canvas.restore_region(seen)
            self._set_background(seen, sig)
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
        self._set_background(canvas.copy_from_bbox(fig.bbox), sig)

    def _set_background(self, background, sig) -> None:
        """``background`` (now in the canvas) is the static image of ``sig``: keep it among the
        last ``BACKGROUNDS`` (only those of the current static version and size), draw the
        dynamic artists over it."""
        self._background = background
        _keep(self._backgrounds, (sig,), background)
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


def _kept(images: dict, key):
    """The image kept under ``key`` (then the most recent), or None."""
    image = images.pop(key, None)
    if image is not None:
        images[key] = image
    return image


def _keep(images: dict, key, image) -> None:
    """Keep ``image`` under ``key`` (whose first item is the static signature it belongs to),
    the last ``BACKGROUNDS`` only; images of another static version or figure size are never
    shown again: dropped."""
    if any(k[0][:2] != key[0][:2] for k in images):
        images.clear()
    images[key] = image
    while len(images) > BACKGROUNDS:
        images.pop(next(iter(images)))
