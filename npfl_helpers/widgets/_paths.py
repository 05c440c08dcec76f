"""Optimiser paths on a surface: the explorer behind ``optimizer_explorer`` (notebook 08) and
``momentum_explorer`` (notebook 07).

:class:`PathsExplorer` draws the contours of a surface with one path per optimiser (left) and
their losses (right); subclasses add the controls and call :meth:`PathsExplorer._show` with the
runs (``optim.run``, cached per optimiser) in their ``refresh``. A diverging run is drawn up to
where it left the plot and marked with "×"; the contour axes stay fixed to the surface.
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
from ..trajectories import loss_curve
from ._axes import (
    FLOOR,
    decades,
    layout_engine,
    light_log_axis,
    loss_range,
    set_ylim_sticky,
    symlog_limits,
)
from ._base import Explorer, explorer_figure

__all__ = ["PathsExplorer"]

CONTOUR_N = 150  # contour grid resolution (150² is indistinguishable from 200², and cheaper)


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
        return fig

    def _set_surface(self, key, surface) -> None:
        """Draw the (static) contours of a new surface; nothing happens if it is unchanged."""
        if key == self._surface_key:
            return
        for artist in surface_artists(self.ax_s):
            artist.remove()
        plot_surface(surface, self.ax_s, n=CONTOUR_N)
        self.surface, self._surface_key = surface, key
        self._gap = bool(np.isfinite(surface.f_min))
        if self._gap:
            self.ax_l.set_yscale("log")
            self.ax_l.set_ylim(1e-3, 10.0)  # valid for the new scale; fitted in _show
            self.ax_l.set_ylabel(r"$f(\theta_t) - f^*$")
        else:
            self.ax_l.set_yscale("symlog", linthresh=1e-2)
            self.ax_l.set_ylim(-1.0, 1.0)
            self.ax_l.set_ylabel(r"$f(\theta_t)$")
        light_log_axis(self.ax_l.yaxis)
        self._cache.clear()
        self.invalidate()

    def _run(self, name, hyper, theta0, steps):
        """``optim.run`` of one optimiser, cached (only changed optimisers are recomputed)."""
        key = (name, tuple(sorted(hyper.items())), tuple(theta0), steps)
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
            y = loss_curve(traj.losses, s.f_min if self._gap else None, floor=FLOOR)
            self.loss_lines[name].set_data(np.arange(steps + 1), y)
            ys.append(y)
            first.append(y[0])
        self.ax_l.set_xlim(0, steps)
        if self._fixed_loss_axis:  # from the floor to above the start: fixed per surface
            self.ax_l.set_ylim(*decades(FLOOR / 10, 10 * max(max(first), FLOOR)))
        else:
            lo, hi = loss_range(ys, first, self._gap)
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
        """A title that states the outcome: who ends lowest, who diverged."""
        if not runs:
            return "choose an optimiser"
        parts = []
        finals, gone = {}, []
        for name, traj in runs.items():
            if traj.diverged:
                t = int(np.flatnonzero(np.isnan(traj.thetas[:, 0]))[0])
                gone.append(f"{label_for(name)} (t = {t})")
            else:
                finals[name] = float(traj.losses[-1])
        if finals:
            best = min(finals, key=finals.get)
            if self._gap:
                gap = max(finals[best] - self.surface.f_min, 0.0)
                parts.append(f"{label_for(best)} ends lowest: $f - f^*$ = {sci_text(gap)} "
                             f"after {steps} steps")
            else:
                parts.append(f"{label_for(best)} ends lowest: $f$ = {sci_text(finals[best])} "
                             f"after {steps} steps")
        if gone:
            parts.append("diverged: " + ", ".join(gone))
        return "; ".join(parts)
