r"""The explorer of notebook 10 (the playground): a small network learns a 2-D data set live
while you move α, β, the batch size and λ.

The run is a :class:`~npfl_helpers.live_training.LiveTraining`; the figure is drawn by
:func:`npfl_helpers.plots.plot_playground`. An ``ipywidgets.Play`` ticks from the browser (no
loop in the kernel): each tick does ``updates per frame`` minibatch updates and redraws the
decision regions (the image's data replaced in place) and the loss curves. **Step** does one
tick, **Reset** starts the run over with the current settings.

Optimiser, α, β, batch size, λ and updates per frame apply from the next tick, without a reset
(the optimiser state carries over where it means the same thing, see
:mod:`npfl_helpers.live_training`); a new data set, noise level, number of points,
architecture or activation starts a new run. A diverging run stops the Play and says so in
the title.

>>> ex = playground_explorer(dataset="spirals", optimizer="adam", lr=0.01)
>>> ex.play.value += 1                       # what the browser's Play does every interval
>>> ex.run.steps
10
>>> ex.controls["lr"].value = 0.003          # the same run continues with the new α
>>> ex.step_button.click(); ex.run.steps
20
>>> ex.controls["units"].value = 8           # a new architecture: a new run
>>> ex.run.steps, ex.run.model.sizes
(0, (2, 8, 8, 3))
"""

from __future__ import annotations

import math

import ipywidgets as W
import numpy as np
from matplotlib.artist import Artist

from .. import mlp, optim
from .._validate import check_int
from ..live_training import DATASETS, LR_SLIDER, LiveTraining
from ..plots import OPTIMIZER_LABELS, plot_playground, update_playground
from ._base import Explorer, explorer_figure
from ._controls import Controls

__all__ = ["playground_explorer"]

_c = Controls(width="310px", label_width="112px", continuous_update=False,
              log_step=LR_SLIDER[2], log_format=".2g")
_DATASET_LABELS = {"two_moons": "two moons", "spirals": "spirals", "blobs": "blobs"}
_BATCHES = (1, 2, 4, 8, 16, 32, 64, 128, 10**9)  # the last one: the whole training set
_L2 = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1)
_PER_TICK = (1, 2, 5, 10, 20, 50, 100)
_POINTS = (50, 100, 200, 400, 800)
_SETUP = {"dataset": "dataset", "noise": "noise", "n": "points", "activation": "activation"}
_HYPER = {"optimizer": "optimizer", "lr": "lr", "beta": "beta", "batch_size": "batch",
          "l2": "l2", "updates_per_tick": "per_tick"}


def _bilinear(n_in: int, n_out: int, start: float, size: float):
    """Bilinear sampling of ``n_in`` image pixels spread over ``size`` screen pixels, at the
    centres of ``n_out`` screen pixels from ``start`` pixels past the image's edge: the lower
    source index, the upper one and their weights (positions clamped to the outer centres)."""
    u = (start + np.arange(n_out) + 0.5) * (n_in / size) - 0.5
    u = np.clip(u, 0.0, n_in - 1.0)
    i0 = np.clip(np.floor(u).astype(np.intp), 0, max(n_in - 2, 0))
    w1 = (u - i0).astype(np.float32)
    return i0, np.minimum(i0 + 1, n_in - 1), 1.0 - w1, w1


class _Regions(Artist):
    """Draws the decision-region image (an ``AxesImage`` of RGBA bytes, ``origin="lower"``)
    bilinearly upsampled to the screen's pixels in numpy (rows, then columns), then one
    ``draw_image`` call: a fraction of ``AxesImage.draw``'s time, whose general path (masking,
    normalising, resampling through any transform) this image does not need. The pixels equal
    matplotlib's to ±1 in each channel. (Gathers, not matrix products: a multi-threaded BLAS
    costs more than it gains at this size on a busy machine.)

    The image itself stays animated (left out of the cached background, drawn by ``savefig``);
    the explorer animates this artist in its place.
    """

    def __init__(self, image):
        super().__init__()
        self.image = image
        self._key = None
        self._plan = None

    def draw(self, renderer) -> None:
        image = self.image
        if not image.get_visible():
            return
        rgba = np.asarray(image.get_array())
        ax = image.axes
        x0, x1, y0, y1 = image.get_extent()
        (px0, py0), (px1, py1) = ax.transData.transform([(x0, y0), (x1, y1)])
        clip = ax.bbox
        left, right = math.floor(max(px0, clip.x0)), math.ceil(min(px1, clip.x1))
        bottom, top = math.floor(max(py0, clip.y0)), math.ceil(min(py1, clip.y1))
        if right <= left or top <= bottom or px1 <= px0 or py1 <= py0:
            return
        h, w = rgba.shape[:2]
        key = (h, w, px0, px1, py0, py1, left, right, bottom, top)
        if key != self._key:
            # image row 0 is at the bottom (origin="lower"), the order draw_image takes rows in
            self._plan = (_bilinear(w, right - left, left - px0, px1 - px0),
                          _bilinear(h, top - bottom, bottom - py0, py1 - py0))
            self._key = key
        (cx0, cx1, wx0, wx1), (cy0, cy1, wy0, wy1) = self._plan
        src = rgba[:, :, :3].astype(np.float32)
        rows = src[cy0] * wy0[:, None, None] + src[cy1] * wy1[:, None, None]  # (rows, w, 3)
        rows += 0.5  # rounds to nearest in the conversion to bytes below
        mixed = rows[:, cx0]
        mixed *= wx0[:, None]
        upper = rows[:, cx1]
        upper *= wx1[:, None]
        mixed += upper
        out = np.empty((*mixed.shape[:2], 4), np.uint8)
        out[..., :3] = mixed
        out[..., 3] = 255
        gc = renderer.new_gc()
        gc.set_clip_rectangle(clip)
        renderer.draw_image(gc, left, bottom, out)
        gc.restore()


class PlaygroundExplorer(Explorer):
    """See :func:`playground_explorer`."""

    def __init__(self, *, dataset: str, noise: float, n: int, layers: int, units: int,
                 activation: str,
                 optimizer: str, lr: float, beta: float, batch_size: int, l2: float,
                 updates_per_tick: int, seed: int, interval: int):
        layers = check_int("layers", layers, low=1, high=3)
        units = check_int("units", units, low=2, high=32)
        interval = check_int("interval", interval, low=20, high=5000)
        self.run = LiveTraining(dataset, noise, n=n, hidden=(units,) * layers,
                                activation=activation,
                                optimizer=optimizer, lr=lr, beta=beta, batch_size=batch_size,
                                l2=l2, updates_per_tick=updates_per_tick, seed=seed)
        s = self.run.settings
        for name, value, options in (("n", s["n"], _POINTS),
                                     ("batch_size", s["batch_size"], _BATCHES),
                                     ("l2", s["l2"], _L2),
                                     ("updates_per_tick", s["updates_per_tick"], _PER_TICK)):
            if value not in options:
                raise ValueError(f"{name} must be one of the slider's values "
                                 f"{', '.join(map(str, options))}; got {value!r}")

        fig = explorer_figure((10.5, 4.6), layout="constrained")
        fig.get_layout_engine().set(rect=(0.0, 0.0, 1.0, 0.9))
        ax_regions, ax_loss = fig.subplots(1, 2)
        self.art = plot_playground(ax_regions, ax_loss, self.run)
        self.ax_regions, self.ax_loss = ax_regions, ax_loss
        # The regions' coordinates mean nothing to the lesson: no ticks. Then nothing cached
        # depends on that panel's limits (see _axes_state), and a new data set, noise level or
        # number of points redraws only the moving artists, not the axes.
        ax_regions.set_xticks([])
        ax_regions.set_yticks([])
        # drawn every frame over the cached axes: the image (spines stay on top), the points,
        # the curves, the title; the rest (axes, labels, legend) is cached
        self.art.image.set_animated(True)
        self.animate_text(self.art.subtitle)  # the settings line: its pixels cached per content
        self.animate(_Regions(self.art.image), *ax_regions.spines.values(),
                     *self.art.train_points,
                     *self.art.test_points, self.art.train_loss, self.art.test_loss,
                     self.art.end, self.art.title)

        controls = {
            "dataset": _c.dropdown("data set", s["dataset"],
                                   [(_DATASET_LABELS[d], d) for d in DATASETS]),
            "noise": _c.float_slider("noise", s["noise"], 0.0, 0.8, 0.05, ".2f"),
            "points": _c.selection("points", s["n"], list(_POINTS)),
            "layers": _c.int_slider("hidden layers", layers, 1, 3),
            "units": _c.int_slider("units per layer", units, 2, 32),
            "activation": _c.dropdown("activation", s["activation"], list(mlp.ACTIVATIONS)),
            "optimizer": _c.dropdown("optimizer", s["optimizer"],
                                     [(OPTIMIZER_LABELS[k], k) for k in optim.OPTIMIZERS]),
            "lr": _c.log_slider("α", s["lr"], 10 ** LR_SLIDER[0], 10 ** LR_SLIDER[1]),
            "beta": _c.float_slider("β / β₁", s["beta"], 0.0, 0.99, 0.01, ".2f"),
            "batch": _c.selection("batch size m", s["batch_size"],
                                  [(str(b) if b < _BATCHES[-1] else "all", b)
                                   for b in _BATCHES]),
            "l2": _c.selection("L2 λ", s["l2"], [(f"{v:g}", v) for v in _L2]),
            "per_tick": _c.selection("updates / frame", s["updates_per_tick"],
                                     list(_PER_TICK)),
        }
        self.play = W.Play(value=0, min=0, max=10**9, step=1, interval=interval,
                           show_repeat=False, description="Play",
                           tooltip="Play / Pause: one frame every interval")
        self.step_button = W.Button(description="Step", icon="step-forward",
                                    tooltip="one frame", layout=W.Layout(width="90px"))
        self.reset_button = W.Button(description="Reset", icon="undo",
                                     tooltip="start over with the current settings",
                                     layout=W.Layout(width="90px"))
        # The browser sends the Play's next value only after the kernel finished the previous
        # one (ipywidgets keeps one message in flight and merges the rest), so a slow kernel
        # gets fewer frames, never a backlog: one tick per value received.
        self.play.observe(self._on_play, names="value")
        self.step_button.on_click(lambda _b: self.tick())
        self.reset_button.on_click(lambda _b: self.reset())
        buttons = W.HBox([self.play, self.step_button, self.reset_button])
        columns = [[buttons, "dataset", "noise", "points", "layers", "units", "activation"],
                   ["optimizer", "lr", "beta", "batch", "l2", "per_tick"]]
        super().__init__(fig, controls, columns)

    # -- settings ---------------------------------------------------------------------------

    def settings(self) -> dict:
        """The run's settings as the controls set them."""
        c = self.controls
        out = {key: c[name].value for key, name in {**_SETUP, **_HYPER}.items()}
        out["hidden"] = (int(c["units"].value),) * int(c["layers"].value)
        return out

    def refresh(self) -> None:
        """Apply the controls to the run (a new run only for data or architecture changes)."""
        fresh = self.run.set(**self.settings())
        self.controls["beta"].disabled = self.run.settings["optimizer"] in ("sgd", "adagrad")
        update_playground(self.art, self.run, fresh=fresh)

    def _axes_state(self, ax):
        """The state of an axes that the cached background depends on: for the regions' axes
        (no ticks; the image, points and spines are all animated), none at all."""
        if ax is self.ax_regions:
            return None
        return super()._axes_state(ax)

    # -- running ----------------------------------------------------------------------------

    def _on_play(self, change) -> None:
        if change["new"] > change["old"]:  # the Play's stop button resets it to 0: no tick
            self.tick()

    def tick(self) -> None:
        """One frame: ``updates per frame`` updates, then redraw; a divergence stops the Play."""
        if not self.run.diverged:
            self.run.step()
            update_playground(self.art, self.run, fresh=False)
        if self.run.diverged and self.play.playing:
            self.play.playing = False
        self.redraw()

    def reset(self) -> None:
        """Start the run over with the current settings (the same settings, the same run)."""
        self.run.reset()
        update_playground(self.art, self.run, fresh=True)
        self.redraw()


def playground_explorer(*, dataset: str = "two_moons", noise: float = 0.2, n: int = 400,
                        layers: int = 2, units: int = 16, activation: str = "tanh",
                        optimizer: str = "sgd", lr: float = 0.1, beta: float = 0.9,
                        batch_size: int = 16, l2: float = 0.0, updates_per_tick: int = 10,
                        seed: int = 0, interval: int = 80) -> PlaygroundExplorer:
    r"""Train a small MLP on a 2-D data set live; change α, β, m and λ while it runs.

    Left: the decision regions (each pixel mixes the class colours by the network's class
    probabilities; no ticks, the coordinates mean nothing here) with the training points
    (dots) and test points (rings); right: the training and test loss after every update (log
    scale); the title shows the update :math:`t`, the epoch and the test accuracy, or why the
    run diverged, and the settings.

    Controls: **Play / Pause** (an ``ipywidgets.Play``: the browser asks for one frame every
    ``interval`` ms, and waits while the kernel is still busy with the last), **Step** (one
    frame), **Reset**; data set (two moons, spirals, blobs), noise level, number of points
    ``n`` (50 … 800, half of them for testing), 1–3 hidden layers of 2–32 units, activation —
    these start a new run; optimiser (the lecture's six), α (log slider, 10⁻⁴ … 10), β
    (momentum, Nesterov, RMSProp) or β₁ (Adam), batch size :math:`m` (1 … 128 or all), L2
    :math:`\lambda` and updates per frame — these apply from the next frame on. Seeded, so
    Reset (or the same settings) gives the same run.
    The arguments set the controls' starting values.
    """
    return PlaygroundExplorer(dataset=dataset, noise=noise, n=n, layers=layers, units=units,
                              activation=activation, optimizer=optimizer, lr=lr, beta=beta,
                              batch_size=batch_size, l2=l2, updates_per_tick=updates_per_tick,
                              seed=seed, interval=interval)
