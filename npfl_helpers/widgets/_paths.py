"""Optimiser paths on a surface: the explorer behind ``optimizer_explorer`` (notebook 08) and
``momentum_explorer`` (notebook 07).

:class:`PathsExplorer` draws the contours of a surface with one path per optimiser (left) and
their losses (right); subclasses add the controls and call :meth:`PathsExplorer._show` with the
runs (``optim.run``, cached per optimiser) in their ``refresh``. A diverging run is drawn until
it first leaves the view widened by its size on every side, and marked with "×" where it left
the view; the contour axes stay fixed to the surface.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from .. import optim
from ..plots import (
    label_for,
    plot_losses,
    plot_surface,
    plot_trajectories,
    sci_text,
    surface_artists,
    update_trajectories,
)
from ..trajectories import loss_curve, loss_range, run_outcome
from ._axes import (
    FLOOR,
    decades,
    layout_engine,
    light_log_axis,
    set_ylim_sticky,
    symlog_limits,
)
from ._base import Explorer, explorer_figure, value_key

__all__ = ["PathsExplorer"]

CONTOUR_N = 150  # contour grid resolution (150² is indistinguishable from 200², and cheaper)


VIEW_MARGIN = 1.0  # a path is drawn until it leaves the view widened by this many view sizes


def _stop_outside(line, bounds, margin: float = VIEW_MARGIN) -> None:
    """Stop the drawn path of a diverged run where it first leaves the view widened by
    ``margin`` view sizes on every side: it then leaves the picture once, instead of striping
    across it with every swing of growing size. The last segment ends on that wider box.
    """
    x, y = (np.asarray(v, dtype=np.float64) for v in line.get_data())
    (x0, x1), (y0, y1) = bounds
    w, h = margin * (x1 - x0), margin * (y1 - y0)
    lo, hi = np.array([x0 - w, y0 - h]), np.array([x1 + w, y1 + h])
    xy = np.column_stack([x, y])
    with np.errstate(invalid="ignore"):
        out = np.flatnonzero(np.any((xy < lo) | (xy > hi), axis=1))
    if len(out) == 0 or out[0] == 0:
        return
    j = int(out[0])
    a, b = xy[j - 1], xy[j]
    d = b - a
    with np.errstate(divide="ignore", invalid="ignore"):
        # the fraction of the segment a → b inside the box, per coordinate
        t = np.where(d > 0, (hi - a) / d, np.where(d < 0, (lo - a) / d, np.inf))
    end = a + min(float(np.min(t)), 1.0) * d
    if not np.all(np.isfinite(end)):
        end = a
    line.set_data(np.append(x[:j], end[0]), np.append(y[:j], end[1]))


class PathsExplorer(Explorer):
    """Contours with optimiser paths (left) and their losses (right), for a fixed set of names."""

    _fixed_loss_axis = False

    def _build(self, names, figsize=(9.4, 4.5)):
        self.names = tuple(names)
        fig = explorer_figure(figsize, layout=layout_engine())
        self.figure = fig
        self.ax_s, self.ax_l = fig.subplots(1, 2)
        K = len(self.names)
        empty = np.full((1, K, 2), np.nan)
        arts = plot_trajectories(self.ax_s, empty, labels=list(self.names),
                                 diverged=np.zeros(K, dtype=bool))
        self.paths = dict(zip(self.names, arts, strict=True))
        lines = plot_losses(self.ax_l, np.full((2, K), 1.0), labels=list(self.names))
        self.loss_lines = dict(zip(self.names, lines, strict=True))
        self.ax_l.set_title("loss along each path", fontsize=10)
        for p in arts:
            self.animate(*p)
        self.animate(*lines)
        self.title_text = self.title()
        self._legend = None
        self._legend_names = None
        self.surface = None
        self._surface_key = None
        self._cache: OrderedDict = OrderedDict()
        self._surfaces: OrderedDict = OrderedDict()  # key -> the artists of its contours
        self.animate_text(self.ax_s.title)
        return fig

    def _set_surface(self, key, surface) -> None:
        """Show the contours of a new surface; nothing happens if it is unchanged.

        The contours are a cached layer over the static image (:meth:`Explorer.set_layer`), so a
        new surface renders only them, not the whole figure; the contours of the last few
        surfaces are kept (a slider moved back and forth computes them once).
        """
        key = value_key(key)
        if key == self._surface_key:
            return
        for artist in surface_artists(self.ax_s):
            artist.remove()
        if key in self._surfaces:
            self._surfaces.move_to_end(key)
            for artist in self._surfaces[key]:
                self.ax_s.add_artist(artist)
        else:
            plot_surface(surface, self.ax_s, n=CONTOUR_N)
            self._surfaces[key] = surface_artists(self.ax_s)
            if len(self._surfaces) > 8:
                self._surfaces.popitem(last=False)
        self.ax_s.set_title(surface.formula, fontsize=10)
        # the contours lie over the static image: the frame of the axes goes on top of them
        self.set_layer(*self._surfaces[key], *self.ax_s.spines.values())
        old, self.surface, self._surface_key = self.surface, surface, key
        gap = bool(np.isfinite(surface.f_min))
        if old is not None and gap == self._gap and np.array_equal(old.bounds, surface.bounds):
            return  # the same axes (a new κ): the loss axis keeps its limits while they fit
        self._gap = gap
        self.invalidate()
        if self._gap:
            self.ax_l.set_yscale("log")
            self.ax_l.set_ylim(1e-3, 10.0)  # valid for the new scale; fitted in _show
            self.ax_l.set_ylabel(r"$J(\theta_t) - J^*$")
        else:
            self.ax_l.set_yscale("symlog", linthresh=1e-2)
            self.ax_l.set_ylim(-1.0, 1.0)
            self.ax_l.set_ylabel(r"$J(\theta_t)$")
        light_log_axis(self.ax_l.yaxis)

    def _run(self, name, hyper, theta0, steps):
        """``optim.run`` of one optimiser, cached (only changed optimisers are recomputed)."""
        key = value_key((self._surface_key, name, tuple(sorted(hyper.items())),
                         tuple(float(x) for x in theta0), steps))
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        s = self.surface
        traj = optim.run(optim.OPTIMIZERS[name](**hyper), s.grad, theta0, steps, loss_fn=s.f)
        self._cache[key] = traj
        if len(self._cache) > 64:
            self._cache.popitem(last=False)
        return traj

    def _show(self, runs: dict, steps: int) -> None:
        """Put trajectories ``runs`` (name → Trajectory; missing names are hidden) on the axes."""
        s = self.surface
        bounds = (tuple(s.bounds[0]), tuple(s.bounds[1]))
        ys, first = [], []
        for name in self.names:
            visible = name in runs
            for artist in (*self.paths[name], self.loss_lines[name]):
                artist.set_visible(visible)
            if not visible:
                continue
            traj = runs[name]
            update_trajectories([self.paths[name]], traj.thetas, diverged=traj.diverged,
                                bounds=bounds)
            if traj.diverged:  # (a run that swings far out and comes back is drawn whole)
                _stop_outside(self.paths[name].line, bounds)
            y = loss_curve(traj.losses, s.f_min if self._gap else None, floor=FLOOR)
            self.loss_lines[name].set_data(np.arange(steps + 1), y)
            ys.append(y)
            first.append(y[0])
        self.ax_l.set_xlim(0, steps)
        if self._fixed_loss_axis:  # from the floor to above the start: fixed per surface
            self.ax_l.set_ylim(*decades(FLOOR / 10, 10 * max(max(first), FLOOR)))
        else:
            lo, hi = loss_range(ys, first, self._gap, floor=FLOOR)
            set_ylim_sticky(self.ax_l, lo, hi, decades if self._gap else symlog_limits)
        self._update_legend(runs)
        self.title_text.set_text(self._finding(runs, steps))

    def _update_legend(self, runs) -> None:
        """A legend of the optimisers shown (static: rebuilt only when that set changes)."""
        shown = tuple(n for n in self.names if n in runs)
        if shown == self._legend_names:
            return
        self._legend_names = shown
        self.invalidate()
        if self._legend is not None:
            self._legend.remove()
            self._legend = None
        handles = [self.loss_lines[n] for n in self.names if n in runs]
        if handles:
            self._legend = self.ax_l.legend(handles=handles, loc="upper right", fontsize=8,
                                            framealpha=0.9)

    def _finding(self, runs, steps) -> str:
        """A title that states the outcome (``trajectories.run_outcome``): who ends lowest, who
        diverged (and at which step)."""
        if not runs:
            return "choose an optimiser"
        names = list(runs)
        o = run_outcome(np.stack([runs[n].losses for n in names], axis=1),
                        self.surface.f_min if self._gap else None,
                        [bool(runs[n].diverged) for n in names])
        parts = []
        if o.best is not None:
            who = label_for(names[o.best])
            if self._gap:
                parts.append(f"{who} ends lowest: $J - J^*$ = {sci_text(max(o.best_value, 0.0))} "
                             f"after {steps} steps")
            else:
                parts.append(f"{who} ends lowest: $J$ = {sci_text(o.best_value)} "
                             f"after {steps} steps")
        gone = [f"{label_for(n)} (t = {t})"
                for n, d, t in zip(names, o.diverged, o.stopped_at, strict=True) if d]
        if gone:
            parts.append("diverged: " + ", ".join(gone))
        return "; ".join(parts)
