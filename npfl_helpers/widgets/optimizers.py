r"""Explorers for the optimisation part of the course: paths, momentum, phase diagrams, schedules,
Adam's bias correction.

Each factory takes no arguments and returns an :class:`~npfl_helpers.widgets.Explorer`; the last
expression of a notebook cell displays it::

    from npfl_helpers.widgets import optimizer_explorer
    optimizer_explorer()

Every control's whole range is safe: a diverging run is drawn up to where it left the plot and
marked with "×"; axes stay fixed to the surface.

>>> ex = momentum_explorer()
>>> ex.controls["beta"].value = 0.0          # momentum with β = 0 is gradient descent
>>> bool(np.allclose(ex.paths["sgd"].line.get_xydata(), ex.paths["momentum"].line.get_xydata()))
True
"""

from __future__ import annotations

import math
from collections import OrderedDict

import ipywidgets as W
import matplotlib
import numpy as np
from matplotlib import colors as mcolors
from matplotlib import ticker as mticker
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .. import optim, schedules, surfaces
from ..optim import heavy_ball_optimum, phase_diagram
from ..plots import (
    OPTIMIZER_COLORS,
    label_for,
    plot_losses,
    plot_schedules,
    plot_surface,
    plot_trajectories,
    sci_text,
    surface_artists,
    update_trajectories,
)
from ..schedules import robbins_monro_verdict
from ._base import Explorer, new_figure

__all__ = [
    "optimizer_explorer",
    "momentum_explorer",
    "phase_diagram_explorer",
    "schedule_explorer",
    "adam_bias_explorer",
]

_NAMES = tuple(optim.OPTIMIZERS)  # the lecture's order
_FLOOR = 1e-12  # f − f* below this is drawn at this value on log axes
_CONTOUR_N = 150  # contour grid resolution (150² is indistinguishable from 200², and cheaper)
_STYLE = {"description_width": "84px"}


# ----------------------------------------------------------------------------------------------
# controls


def _layout(width="310px"):
    return W.Layout(width=width)


def _on_grid(value, low_exp, step):
    """The value a base-10 log slider shows for ``value`` (the browser snaps to its grid and
    sends the snapped value back; starting on the grid avoids that extra update)."""
    return 10.0 ** (low_exp + round((math.log10(value) - low_exp) / step) * step)


def _log_slider(description, value, low, high, step=0.05):
    value = _on_grid(value, math.log10(low), step)
    return W.FloatLogSlider(value=value, base=10, min=np.log10(low), max=np.log10(high),
                            step=step, description=description, readout_format=".3g",
                            style=_STYLE, layout=_layout())


def _float_slider(description, value, low, high, step):
    return W.FloatSlider(value=value, min=low, max=high, step=step, description=description,
                         readout_format=".3g", style=_STYLE, layout=_layout())


def _int_slider(description, value, low, high, step=1):
    return W.IntSlider(value=value, min=low, max=high, step=step, description=description,
                       style=_STYLE, layout=_layout())


def _choice_slider(description, value, options):
    return W.SelectionSlider(options=[(f"{v:g}", float(v)) for v in options], value=float(value),
                             description=description, style=_STYLE, layout=_layout())


def _dropdown(description, value, options):
    return W.Dropdown(options=options, value=value, description=description, style=_STYLE,
                      layout=_layout())


def _checkbox(description, value, html=False):
    return W.Checkbox(value=value, description=description, description_allow_html=html,
                      indent=False, layout=W.Layout(width="120px"))


def _layout_engine(top: float = 0.93) -> ConstrainedLayoutEngine:
    """Constrained layout below ``top`` (figure fraction): the dynamic title goes above it."""
    return ConstrainedLayoutEngine(rect=(0.0, 0.0, 1.0, top))


def _decades(lo: float, hi: float) -> tuple[float, float]:
    """Round positive limits outwards to powers of ten (limits then rarely change, so the
    figure's static part stays cached while a slider moves)."""
    lo_q = 10.0 ** np.floor(np.log10(lo))
    hi_q = 10.0 ** np.ceil(np.log10(hi))
    return lo_q, max(hi_q, 10.0 * lo_q)


def _light_log_axis(axis) -> None:
    """No minor ticks on a log axis whose limits change: they are most of its drawing cost."""
    axis.set_minor_locator(mticker.NullLocator())


# ----------------------------------------------------------------------------------------------
# paths on a surface: the shared part of optimizer_explorer and momentum_explorer


def _loss_range(values: list[np.ndarray], first: list[float], log: bool):
    """The y range loss curves need: the finite data, capped 10⁴× beyond the starting values.

    A diverging run then leaves the top (log axis) or the bottom (saddle, symlog) of the panel
    instead of stretching the axis over dozens of decades.
    """
    finite = [v[np.isfinite(v)] for v in values]
    finite = np.concatenate(finite) if finite else np.empty(0)
    start = np.abs(np.asarray(first, dtype=np.float64))
    start = start[np.isfinite(start)]
    scale = float(start.max()) if start.size else 1.0
    if log:
        if finite.size == 0:
            return 1e-3, 10.0
        lo = max(float(finite.min()), _FLOOR)
        hi = min(float(finite.max()), 1e4 * max(scale, _FLOOR))
        return (_FLOOR / 10 if lo <= _FLOOR else lo), max(hi, lo)
    if finite.size == 0:
        return -1.0, 1.0
    cap = 1e4 * max(scale, 1.0)
    return max(float(finite.min()), -cap), min(float(finite.max()), cap)


def _symlog_limits(lo: float, hi: float, linthresh: float = 1e-2) -> tuple[float, float]:
    """Round symlog limits outwards to ± powers of ten (0 when the data keep one sign)."""
    lo_q = -(10.0 ** np.ceil(np.log10(max(-lo, linthresh)))) if lo < 0 else 0.0
    hi_q = 10.0 ** np.ceil(np.log10(max(hi, linthresh))) if hi > 0 else 0.0
    return lo_q, (hi_q if hi_q > lo_q else linthresh)


def _linear_limits(lo: float, hi: float) -> tuple[float, float]:
    """Round linear limits outwards to multiples of 0.5, with a margin."""
    return np.floor(2 * lo) / 2 - 0.25, np.ceil(2 * hi) / 2 + 0.25


def _set_ylim_sticky(ax, lo: float, hi: float, rounded, decades: float = 3.0) -> None:
    """Show data in [lo, hi] with limits that rarely move.

    Keep the current limits if they contain the data with modest slack (``decades`` on log and
    symlog axes, half the span on linear ones); else widen them to cover both old and new data
    if that stays within the slack; else set ``rounded(lo, hi)``. Limits that stay put while a
    slider moves are easier to read, and keep the static part of the figure cached.
    """
    cur_lo, cur_hi = ax.get_ylim()
    t = ax.yaxis.get_transform().transform
    linear = ax.get_yscale() == "linear"

    def fits(a_lo, a_hi):
        if not (a_lo <= lo and hi <= a_hi):
            return False
        a, b, c, d = t(np.array([[a_lo], [lo], [hi], [a_hi]]))[:, 0]
        slack = 0.5 * (d - a) if linear else decades
        return bool(np.all(np.isfinite([a, b, c, d])) and b - a <= slack and d - c <= slack)

    if fits(cur_lo, cur_hi):
        return
    if ax.get_yscale() == "log" and cur_lo <= 0:
        ax.set_ylim(*rounded(lo, hi))
        return
    wider = rounded(min(lo, cur_lo), max(hi, cur_hi))
    ax.set_ylim(*(wider if fits(*wider) else rounded(lo, hi)))


class _PathsExplorer(Explorer):
    """Contours with optimiser paths (left) and their losses (right), for a fixed set of names."""

    _fixed_loss_axis = False

    def _build(self, names, figsize=(9.4, 4.5)):
        self.names = tuple(names)
        fig = new_figure(figsize, layout=_layout_engine())
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
        plot_surface(surface, self.ax_s, n=_CONTOUR_N)
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
        _light_log_axis(self.ax_l.yaxis)
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
            with np.errstate(invalid="ignore"):
                y = traj.losses - s.f_min if self._gap else traj.losses.copy()
                if self._gap:
                    y = np.where(np.isnan(y), np.nan, np.maximum(y, _FLOOR))
            self.loss_lines[name].set_data(np.arange(steps + 1), y)
            ys.append(y)
            first.append(y[0])
        self.ax_l.set_xlim(0, steps)
        if self._fixed_loss_axis:  # from the floor to above the start: fixed per surface
            self.ax_l.set_ylim(*_decades(_FLOOR / 10, 10 * max(max(first), _FLOOR)))
        else:
            lo, hi = _loss_range(ys, first, self._gap)
            _set_ylim_sticky(self.ax_l, lo, hi, _decades if self._gap else _symlog_limits)
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


# ----------------------------------------------------------------------------------------------
# optimizer_explorer

#: Per surface: steps and a learning rate per optimiser that gives an instructive first picture
#: (all converge or make progress; none diverges). β's keep their course defaults.
_SURFACE_DEFAULTS = {
    "quadratic": (100, {"sgd": 0.1, "momentum": 0.02, "nesterov": 0.05, "adagrad": 0.5,
                        "rmsprop": 0.02, "adam": 0.1}),
    "rosenbrock": (500, {"sgd": 1e-3, "momentum": 1e-3, "nesterov": 5e-4, "adagrad": 0.5,
                         "rmsprop": 0.01, "adam": 0.1}),
    "beale": (300, {"sgd": 0.01, "momentum": 2e-3, "nesterov": 2e-3, "adagrad": 0.5,
                    "rmsprop": 0.01, "adam": 0.1}),
    "himmelblau": (100, {"sgd": 0.01, "momentum": 2e-3, "nesterov": 2e-3, "adagrad": 0.5,
                         "rmsprop": 0.02, "adam": 0.1}),
    "saddle": (100, {"sgd": 0.05, "momentum": 0.02, "nesterov": 0.02, "adagrad": 0.5,
                     "rmsprop": 0.02, "adam": 0.05}),
}
_BETAS = (0.0, 0.5, 0.8, 0.9, 0.95, 0.99)
_BETA2S = (0.0, 0.5, 0.9, 0.99, 0.999, 0.9999)


def _make_surface(name: str, kappa: float):
    return surfaces.quadratic(kappa=kappa) if name == "quadratic" else surfaces.SURFACES[name]()


def _set_start_range(c, s) -> None:
    """Fit the start-point sliders ``c["x0"], c["y0"]`` to the bounds of surface ``s``; move them
    to its default start."""
    for key, (lo, hi), start in zip(("x0", "y0"), s.bounds, s.start, strict=True):
        sl = c[key]
        sl.min, sl.max = min(sl.min, lo), max(sl.max, hi)  # widen first: min ≤ max throughout
        sl.min, sl.max, sl.step = lo, hi, 1e-3  # fine enough for the saddle's start 10⁻³
        sl.value = float(start)


class _OptimizerExplorer(_PathsExplorer):
    def __init__(self):
        fig = self._build(_NAMES)
        c = {}
        c["surface"] = _dropdown("surface", "quadratic", list(surfaces.SURFACES))
        c["kappa"] = _log_slider("κ (quadratic)", 10.0, 1.0, 1000.0)
        steps, lrs = _SURFACE_DEFAULTS["quadratic"]
        c["steps"] = _int_slider("steps", steps, 10, 1000, 10)
        s = _make_surface("quadratic", 10.0)
        c["x0"] = _float_slider(r"start $\theta_1$", 0.0, -1.0, 1.0, 0.01)
        c["y0"] = _float_slider(r"start $\theta_2$", 0.0, -1.0, 1.0, 0.01)
        for name in _NAMES:
            swatch = f'<b style="color:{OPTIMIZER_COLORS[name]}">&#9632;</b> {label_for(name)}'
            c[name] = _checkbox(swatch, name in ("sgd", "momentum", "adam"), html=True)
            c[f"lr_{name}"] = _log_slider("α", lrs[name], 1e-4, 10.0)
        c["beta"] = _choice_slider("β (mom., Nest.)", 0.9, _BETAS)
        c["beta_rmsprop"] = _choice_slider("β (RMSProp)", 0.9, _BETA2S)
        c["beta1"] = _choice_slider("β₁ (Adam)", 0.9, _BETAS)
        c["beta2"] = _choice_slider("β₂ (Adam)", 0.999, _BETA2S)
        c["eps"] = _log_slider("ε", 1e-8, 1e-12, 1e-1, step=0.25)
        rows = [W.HBox([c[n], c[f"lr_{n}"]]) for n in _NAMES]
        columns = [["surface", "kappa", "steps", "x0", "y0"], rows,
                   ["beta", "beta_rmsprop", "beta1", "beta2", "eps"]]
        _set_start_range(c, s)
        fig.canvas.mpl_connect("button_press_event", self._on_click)
        super().__init__(fig, c, columns)

    def _on_click(self, event) -> None:
        """A click on the contours moves the start point there (ipympl)."""
        if event.inaxes is not self.ax_s or event.xdata is None:
            return
        toolbar = getattr(self.figure.canvas, "toolbar", None)
        if toolbar is not None and getattr(toolbar, "mode", ""):
            return  # zooming or panning
        with self.hold():
            self.controls["x0"].value = float(event.xdata)
            self.controls["y0"].value = float(event.ydata)

    def _on_change(self, change) -> None:
        if change["owner"] is self.controls.get("surface"):
            with self.hold():
                name = change["new"]
                surface = _make_surface(name, self.controls["kappa"].value)
                steps, lrs = _SURFACE_DEFAULTS[name]
                _set_start_range(self.controls, surface)
                self.controls["steps"].value = steps
                for n in _NAMES:
                    sl = self.controls[f"lr_{n}"]
                    sl.value = _on_grid(lrs[n], sl.min, sl.step)
                self._pending = True
            return
        super()._on_change(change)

    def refresh(self) -> None:
        c = self.controls
        name = c["surface"].value
        kappa = float(c["kappa"].value)
        key = (name, kappa) if name == "quadratic" else (name,)
        if key != self._surface_key:
            self._set_surface(key, _make_surface(name, kappa))
        c["kappa"].disabled = name != "quadratic"
        # a hyperparameter is live only while an optimiser that uses it is shown
        users = {"beta": ("momentum", "nesterov"), "beta_rmsprop": ("rmsprop",),
                 "beta1": ("adam",), "beta2": ("adam",), "eps": ("adagrad", "rmsprop", "adam"),
                 **{f"lr_{n}": (n,) for n in _NAMES}}
        for key_, names in users.items():
            c[key_].disabled = not any(c[n].value for n in names)
        theta0 = np.array([c["x0"].value, c["y0"].value], dtype=np.float64)
        steps = int(c["steps"].value)
        hyper = {
            "sgd": {},
            "momentum": {"beta": c["beta"].value},
            "nesterov": {"beta": c["beta"].value},
            "adagrad": {"eps": c["eps"].value},
            "rmsprop": {"beta": c["beta_rmsprop"].value, "eps": c["eps"].value},
            "adam": {"beta1": c["beta1"].value, "beta2": c["beta2"].value,
                     "eps": c["eps"].value},
        }
        runs = {}
        for n in _NAMES:
            if c[n].value:
                runs[n] = self._run(n, {"lr": float(c[f"lr_{n}"].value), **hyper[n]}, theta0,
                                    steps)
        self._show(runs, steps)


def optimizer_explorer() -> Explorer:
    r"""Six optimisers on five surfaces: paths on the contours (left), losses (right).

    Controls: the surface (the quadratic with its condition number κ, Rosenbrock, Beale,
    Himmelblau, the saddle), the number of steps, the start point :math:`\theta_0` (or click on
    the contours under ``%matplotlib widget``), one checkbox and one learning rate α per
    optimiser, and the shared hyperparameters β (momentum and Nesterov), β (RMSProp), β₁, β₂
    (Adam) and ε (AdaGrad, RMSProp, Adam; the lecture's :math:`\alpha/\sqrt{r + \varepsilon}`).

    Choosing a surface redraws its contours and resets the start, the steps and each α to
    values that work there. Every other change reruns only the optimisers whose settings changed
    (``optim.run``) and moves the existing lines.

    >>> ex = optimizer_explorer()
    >>> ex.controls["surface"].value = "rosenbrock"
    >>> ex.controls["lr_sgd"].value = 10.0       # far too large: SGD diverges
    >>> ex.title_text.get_text()
    'Momentum ends lowest: $f - f^*$ = $4.4\\times 10^{-3}$ after 500 steps; diverged: SGD (t = 2)'
    """
    return _OptimizerExplorer()


# ----------------------------------------------------------------------------------------------
# momentum_explorer


def _steps_to(losses, tol):
    """First step with loss < tol, or None."""
    with np.errstate(invalid="ignore"):
        hit = np.flatnonzero(losses < tol)
    return int(hit[0]) if hit.size else None


class _MomentumExplorer(_PathsExplorer):
    _NAMES3 = ("sgd", "momentum", "nesterov")
    _TOL = 1e-6
    _fixed_loss_axis = True

    def __init__(self):
        fig = self._build(self._NAMES3)
        c = {
            "lr": _log_slider("α", 0.01, 1e-4, 2.0),
            "beta": _float_slider("β", 0.9, 0.0, 0.99, 0.01),
            "kappa": _log_slider("κ", 100.0, 1.0, 1000.0),
            "steps": _int_slider("steps", 150, 10, 500, 10),
        }
        self.ax_l.axhline(self._TOL, color="#999999", linewidth=0.8, linestyle=":")
        super().__init__(fig, c, [["lr", "beta"], ["kappa", "steps"]])

    def refresh(self) -> None:
        c = self.controls
        kappa = float(c["kappa"].value)
        self._set_surface(kappa, surfaces.quadratic(kappa=kappa))
        lr, beta, steps = float(c["lr"].value), float(c["beta"].value), int(c["steps"].value)
        theta0 = self.surface.start
        runs = {"sgd": self._run("sgd", {"lr": lr}, theta0, steps)}
        for n in ("momentum", "nesterov"):
            runs[n] = self._run(n, {"lr": lr, "beta": beta}, theta0, steps)
        self._show(runs, steps)

    def _finding(self, runs, steps) -> str:
        a, b = heavy_ball_optimum(*self.surface.lambdas)
        parts = []
        for n in self._NAMES3:
            t = _steps_to(runs[n].losses, self._TOL)
            if runs[n].diverged:
                parts.append(f"{label_for(n)} diverges")
            else:
                parts.append(f"{label_for(n)} {t if t is not None else f'> {steps}'}")
        return (r"steps to $f < 10^{-6}$: " + ", ".join(parts)
                + rf"   (best heavy ball: $\alpha^*$ = {a:.3g}, $\beta^*$ = {b:.3g})")


def momentum_explorer() -> Explorer:
    r"""Gradient descent, momentum and Nesterov on the ill-conditioned quadratic.

    One α and one β for all three (β does not affect gradient descent); κ is the condition
    number :math:`\lambda_n / \lambda_1` of :math:`f = \tfrac12\theta^\top A\theta`. The title
    counts the steps each method needs to reach :math:`f < 10^{-6}` and gives the heavy-ball
    optimum :math:`(\alpha^*, \beta^*)` (see :func:`~npfl_helpers.optim.heavy_ball_optimum`) to try.
    """
    return _MomentumExplorer()


# ----------------------------------------------------------------------------------------------
# phase_diagram_explorer

_PHASE_LRS = np.geomspace(1e-4, 10.0, 65)  # cell edges in α (log)
_PHASE_BETAS = np.linspace(0.0, 0.99, 45)  # cell edges in β


def _centres(edges, log=False):
    if log:
        return np.sqrt(edges[:-1] * edges[1:])
    return 0.5 * (edges[:-1] + edges[1:])


class _PhaseExplorer(Explorer):
    _VMIN, _VMAX = 1e-16, 1.0
    _DIVERGED = "#CC79A7"
    _GREW = "#BBBBBB"

    def __init__(self):
        fig = new_figure((9.4, 4.4), layout=_layout_engine())
        self.figure = fig
        self.axes = fig.subplots(1, 2, sharey=True)
        viridis = matplotlib.colormaps["viridis"]
        cmap = viridis.with_extremes(bad=self._DIVERGED, over=self._GREW, under=viridis(0.0))
        self.norm = mcolors.LogNorm(self._VMIN, self._VMAX)
        self.lrs, self.betas = _centres(_PHASE_LRS, log=True), _centres(_PHASE_BETAS)
        blank = np.full((self.betas.size, self.lrs.size), 0.5)
        self.meshes, self.stars, self.bests = {}, {}, {}
        for ax, name in zip(self.axes, ("momentum", "nesterov"), strict=True):
            self.meshes[name] = ax.pcolormesh(_PHASE_LRS, _PHASE_BETAS, blank, cmap=cmap,
                                              norm=self.norm, shading="flat")
            (self.stars[name],) = ax.plot([], [], linestyle="none", marker="*", markersize=14,
                                          markerfacecolor="white", markeredgecolor="black",
                                          label=r"heavy-ball optimum $(\alpha^*, \beta^*)$")
            (self.bests[name],) = ax.plot([], [], linestyle="none", marker="o", markersize=9,
                                          markerfacecolor="none", markeredgecolor="white",
                                          markeredgewidth=1.6, label="best cell")
            ax.set_xscale("log")
            ax.set_xlim(_PHASE_LRS[0], _PHASE_LRS[-1])
            ax.set_ylim(_PHASE_BETAS[0], _PHASE_BETAS[-1])
            ax.set_xlabel(r"learning rate $\alpha$")
            ax.set_title(label_for(name), fontsize=10)
        self.axes[0].set_ylabel(r"momentum $\beta$")
        for name in ("momentum", "nesterov"):
            self.animate(self.meshes[name], self.stars[name], self.bests[name])
        self.title_text = self.title(10.5)
        cbar = fig.colorbar(self.meshes["nesterov"], ax=list(self.axes), extend="both",
                            label=r"$f(\theta_T)\, /\, f(\theta_0)$")
        cbar.ax.tick_params(labelsize=8)
        best = Line2D([], [], linestyle="none", marker="o", markersize=9, markerfacecolor="none",
                      markeredgecolor="black", markeredgewidth=1.6, label="best cell")
        handles = [self.stars["momentum"], best,
                   Patch(facecolor=self._DIVERGED, label="diverged"),
                   Patch(facecolor=self._GREW, label=r"grew ($> 1$), not yet diverged")]
        # below the panels: inside them, the animated meshes would be drawn over it
        fig.legend(handles=handles, loc="outside lower center", ncol=4, fontsize=8,
                   frameon=False)
        c = {"kappa": _log_slider("κ", 100.0, 1.0, 1000.0),
             "steps": _int_slider("steps T", 100, 10, 300, 10)}
        self.data = {}
        super().__init__(fig, c, [["kappa", "steps"]])

    def refresh(self) -> None:
        kappa = float(self.controls["kappa"].value)
        steps = int(self.controls["steps"].value)
        a_star, b_star = heavy_ball_optimum(1.0, kappa)
        for name in ("momentum", "nesterov"):
            ratio, div = phase_diagram(name, kappa, steps, self.lrs, self.betas)
            self.data[name] = (ratio, div)
            shown = np.where(div, np.nan, np.maximum(ratio, self._VMIN * 1e-3))
            self.meshes[name].set_array(np.ma.masked_invalid(shown.T))
            self.stars[name].set_data([a_star], [b_star])
            with np.errstate(invalid="ignore"):
                i, j = np.unravel_index(np.argmin(np.where(div, np.inf, ratio)), ratio.shape)
            self.bests[name].set_data([self.lrs[i]], [self.betas[j]])
        self.title_text.set_text(self._finding(kappa, steps, a_star, b_star))


    def _finding(self, kappa, steps, a_star, b_star) -> str:
        """Where momentum's best cell lies: near the heavy-ball optimum (the star) or not."""
        ratio, div = self.data["momentum"]
        head = rf"$\kappa$ = {kappa:.4g}, T = {steps}: "
        optimum = rf"$\alpha^*$ = {a_star:.2g}, $\beta^*$ = {b_star:.2f}"
        tail = "; large $\\alpha$ diverges" if div.any() else ""
        if div.all():
            return head + "momentum diverges everywhere" + tail
        best = float(np.min(ratio[~div]))
        near = ((np.abs(np.log10(self.lrs / a_star)) <= 0.15)[:, None]
                & (np.abs(self.betas - b_star) <= 0.1)[None, :] & ~div)
        if near.any() and np.min(ratio[near]) <= best:  # (ties: f_T underflows to 0)
            return (head + f"momentum is fastest near {optimum} (best cell: $f_T/f_0$ = "
                    f"{sci_text(best)})" + tail)
        return (head + f"momentum's best cell (○, $f_T/f_0$ = {sci_text(best)}) is not yet at "
                f"{optimum} (☆)" + tail)


def phase_diagram_explorer() -> Explorer:
    r"""Where momentum and Nesterov converge: final loss over a grid of (α, β).

    Two panels (momentum, Nesterov) colour each cell by :math:`f(\theta_T) / f(\theta_0)` after T
    steps on the quadratic with condition number κ (log colour scale; diverged cells in their
    own colour). Each panel is one ``optim.run`` call with broadcast hyperparameters
    (see :func:`~npfl_helpers.optim.phase_diagram`). The star marks the heavy-ball optimum for
    eigenvalues :math:`\lambda_1 \le \dots \le \lambda_n` (here :math:`\lambda_1 = 1`,
    :math:`\lambda_n = \kappa`):

    .. math::
        \alpha^* = \Bigl(\frac{2}{\sqrt{\lambda_1} + \sqrt{\lambda_n}}\Bigr)^2, \qquad
        \beta^* = \Bigl(\frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}\Bigr)^2;

    the circle marks the best cell of the grid.
    """
    return _PhaseExplorer()


# ----------------------------------------------------------------------------------------------
# schedule_explorer


def _lr_slider(value=0.1):
    return _log_slider("α₀", value, 1e-4, 1.0)


def _steps_slider(description, value, low=1, high=1000, step=1):
    return _int_slider(description, value, low, high, step)


#: name → (controls factory, schedule factory from the control values)
_SCHEDULES = {
    "constant": (
        lambda: {"lr": _lr_slider()},
        lambda p: schedules.constant(p["lr"])),
    "exponential_decay": (
        lambda: {"initial_lr": _lr_slider(), "decay_steps": _steps_slider("T", 100),
                 "decay_rate": _float_slider("γ", 0.5, 0.01, 1.0, 0.01),
                 "staircase": _checkbox("staircase", False)},
        lambda p: schedules.exponential_decay(**p)),
    "polynomial_decay": (
        lambda: {"initial_lr": _lr_slider(), "decay_steps": _steps_slider("T", 500),
                 "end_lr": _log_slider("α_end", 1e-4, 1e-6, 1.0),
                 "power": _float_slider("power p", 1.0, 0.1, 4.0, 0.1),
                 "cycle": _checkbox("cycle", False)},
        lambda p: schedules.polynomial_decay(**p)),
    "inverse_time_decay": (
        lambda: {"initial_lr": _lr_slider(), "decay_steps": _steps_slider("T", 10),
                 "decay_rate": _log_slider("γ", 1.0, 0.01, 100.0),
                 "staircase": _checkbox("staircase", False)},
        lambda p: schedules.inverse_time_decay(**p)),
    "cosine_decay": (
        lambda: {"initial_lr": _lr_slider(), "decay_steps": _steps_slider("T", 500),
                 "alpha": _float_slider("a (floor)", 0.0, 0.0, 1.0, 0.01),
                 "warmup_steps": _steps_slider("warmup W", 0, 0, 500)},
        lambda p: (schedules.cosine_decay(p["initial_lr"], p["decay_steps"], p["alpha"])
                   if p["warmup_steps"] == 0 else
                   schedules.cosine_decay(0.0, p["decay_steps"], p["alpha"],
                                          warmup_target=p["initial_lr"],
                                          warmup_steps=p["warmup_steps"]))),
    "cosine_decay_restarts": (
        lambda: {"initial_lr": _lr_slider(), "first_decay_steps": _steps_slider("T₀", 100),
                 "t_mul": _float_slider("τ (t_mul)", 2.0, 1.0, 3.0, 0.1),
                 "m_mul": _float_slider("μ (m_mul)", 1.0, 0.1, 1.0, 0.05),
                 "alpha": _float_slider("a (floor)", 0.0, 0.0, 1.0, 0.01)},
        lambda p: schedules.cosine_decay_restarts(**p)),
    "piecewise_constant": (
        lambda: {"initial_lr": _lr_slider(), "b1": _steps_slider("b₁", 300, 0, 999),
                 "b2": _steps_slider("b₂", 600, 1, 1000),
                 "factor": _log_slider("drop ×", 0.1, 0.01, 1.0)},
        lambda p: schedules.piecewise_constant(
            [p["b1"], max(p["b2"], p["b1"] + 1)],
            [p["initial_lr"], p["initial_lr"] * p["factor"], p["initial_lr"] * p["factor"] ** 2])),
    "inverse_sqrt_decay": (
        lambda: {"initial_lr": _lr_slider(), "warmup_steps": _steps_slider("warmup W", 0, 0, 500)},
        lambda p: schedules.inverse_sqrt_decay(**p)),
    "linear_warmup": (
        lambda: {"initial_lr": _lr_slider(), "warmup_steps": _steps_slider("warmup W", 100, 0, 500),
                 "decay_steps": _steps_slider("cosine T", 500)},
        lambda p: schedules.linear_warmup(schedules.cosine_decay(p["initial_lr"],
                                                                 p["decay_steps"]),
                                          p["warmup_steps"])),
}


class _ScheduleExplorer(Explorer):
    def __init__(self):
        fig = new_figure((9.4, 4.2), layout=_layout_engine())
        self.figure = fig
        self.ax_a, self.ax_s = fig.subplots(1, 2)
        (self.lr_line,) = plot_schedules(self.ax_a, {"α_t": schedules.constant(0.1)}, 2)
        t = np.arange(2)
        (self.sum_line,) = self.ax_s.plot(t, [1.0, 1.0], color="#0072B2", linewidth=1.8,
                                          label=r"$\Sigma_{k \leq t}\, \alpha_k$")
        (self.sq_line,) = self.ax_s.plot(t, [1.0, 1.0], color="#D55E00", linewidth=1.8,
                                         label=r"$\Sigma_{k \leq t}\, \alpha_k^2$")
        self.ax_s.set_yscale("log")
        # α₀ ≤ 1 (the slider's top): one fixed α_t axis for every schedule; below 10⁻⁷ α_t
        # no longer matters (and leaves the panel)
        self.ax_a.set_ylim(1e-7, 2.0)
        _light_log_axis(self.ax_a.yaxis)
        _light_log_axis(self.ax_s.yaxis)
        self.ax_s.set_xlabel("step $t$")
        self.ax_s.set_ylabel("running sum")
        self.ax_s.grid(True, which="major", alpha=0.3)
        self.ax_s.legend(loc="lower right", fontsize=9)
        self.animate(self.lr_line, self.sum_line, self.sq_line, self.ax_a.title, self.ax_s.title)
        self.title_text = self.title()
        c = {"schedule": _dropdown("schedule", "exponential_decay", list(_SCHEDULES)),
             "steps": _int_slider("steps", 1000, 100, 10000, 100)}
        self._param_names: list[str] = []
        self._kind = None
        super().__init__(fig, c)

    def _rebuild(self, kind: str) -> None:
        """New parameter sliders for a new schedule (the old ones are closed)."""
        self.remove_controls(self._param_names)
        params = _SCHEDULES[kind][0]()
        self._param_names = list(params)
        self.add_controls(params)
        self.set_columns([["schedule", "steps"], self._param_names[:3], self._param_names[3:]])
        self._kind = kind

    def refresh(self) -> None:
        kind = self.controls["schedule"].value
        if kind != self._kind:
            self._rebuild(kind)
        p = {n: self.controls[n].value for n in self._param_names}
        sched = _SCHEDULES[kind][1](p)
        steps = int(self.controls["steps"].value)
        t = np.arange(steps)
        lr = np.asarray(sched(t), dtype=np.float64)
        sums, squares = schedules.robbins_monro_sums(sched, steps)
        self.lr_line.set_data(t, np.where(lr > 0, lr, np.nan))
        self.sum_line.set_data(t, np.where(sums > 0, sums, np.nan))
        self.sq_line.set_data(t, np.where(squares > 0, squares, np.nan))
        self.ax_a.set_xlim(0, steps - 1)
        both = np.concatenate([sums[sums > 0], squares[squares > 0]])
        lo, hi = (float(both.min()), float(both.max())) if both.size else (1e-6, 1.0)
        # the sums scale with α₀ and with the number of steps: generous slack keeps the limits
        # (and the cached background) in place while those sliders move
        _set_ylim_sticky(self.ax_s, lo, hi, _decades, decades=6.0)
        self.ax_s.set_xlim(0, steps - 1)
        self.ax_a.set_title(sched.label, fontsize=9)
        infinite, finite = robbins_monro_verdict(kind, p)
        ok = infinite and finite
        self.ax_s.set_title(
            rf"as $t\to\infty$: $\sum\alpha_t$ {'= ∞ ✓' if infinite else '< ∞ ✗'},  "
            rf"$\sum\alpha_t^2$ {'< ∞ ✓' if finite else '= ∞ ✗'}", fontsize=10)
        self.title_text.set_text(
            f"after {steps} steps: Σα = {sci_text(sums[-1])}, Σα² = {sci_text(squares[-1])}"
            f" — Robbins–Monro conditions {'hold' if ok else 'fail'}")


def schedule_explorer() -> Explorer:
    r"""Every learning-rate schedule of :mod:`npfl_helpers.schedules`, with its parameters.

    Left: :math:`\alpha_t` on a log axis. Right: the running sums :math:`\sum_{k\le t}\alpha_k`
    and :math:`\sum_{k\le t}\alpha_k^2` behind the Robbins–Monro conditions
    :math:`\sum_t \alpha_t = \infty`, :math:`\sum_t \alpha_t^2 < \infty`, and (in the title)
    whether the schedule's tail satisfies them
    (:func:`~npfl_helpers.schedules.robbins_monro_verdict`). Choosing a schedule replaces the
    parameter sliders. ``linear_warmup`` warms up a cosine decay.
    """
    return _ScheduleExplorer()


# ----------------------------------------------------------------------------------------------
# adam_bias_explorer


class _AdamBiasExplorer(Explorer):
    _MU = 1.0  # E[g]
    _MAX_STEPS = 200

    def __init__(self):
        fig = new_figure((9.4, 4.2), layout=_layout_engine())
        self.figure = fig
        self.ax_s, self.ax_r = fig.subplots(1, 2)
        self._z = np.random.default_rng(0).standard_normal(self._MAX_STEPS)
        adam_c, grey = OPTIMIZER_COLORS["adam"], "#999999"
        self.lines = {}
        for ax, key, sym in ((self.ax_s, "s", "g"), (self.ax_r, "r", "g^2")):
            (self.lines[f"{key}_g"],) = ax.plot([], [], linestyle="none", marker=".",
                                                markersize=4, color=grey,
                                                label=f"${sym}_t$ (samples)")
            (self.lines[f"{key}_mean"],) = ax.plot([], [], color="black", linestyle=":",
                                                   linewidth=1.2, label=rf"$E[{sym}]$")
            (self.lines[key],) = ax.plot([], [], color="#0072B2", linestyle="--",
                                         linewidth=1.6, label=f"${key}_t$ (no correction)")
            (self.lines[f"{key}_hat"],) = ax.plot([], [], color=adam_c, linewidth=1.8,
                                                  label=rf"$\hat {key}_t$ (bias-corrected)")
            ax.set_xlabel("step $t$")
            ax.grid(True, alpha=0.3)
        self.ax_s.set_ylabel(r"first moment: $s_t$, $\hat s_t$")
        self.ax_r.set_ylabel(r"second moment: $r_t$, $\hat r_t$")
        self.ax_r.set_yscale("log")
        _light_log_axis(self.ax_r.yaxis)
        self.ax_s.legend(loc="lower right", fontsize=8)
        self.ax_r.legend(loc="lower right", fontsize=8)
        self.animate(*self.lines.values())
        self.title_text = self.title()
        c = {"beta1": _choice_slider("β₁", 0.9, _BETAS),
             "beta2": _choice_slider("β₂", 0.999, _BETA2S),
             "sigma": _float_slider("noise σ", 0.5, 0.0, 2.0, 0.1),
             "steps": _int_slider("steps", 50, 10, self._MAX_STEPS, 5)}
        super().__init__(fig, c, [["beta1", "beta2"], ["sigma", "steps"]])

    def moments(self, beta1, beta2, sigma, steps):
        """g, s, r, ŝ, r̂ for t = 1 … steps, from Adam's own state (``optim.adam``)."""
        g = self._MU + sigma * self._z[:steps]
        opt = optim.adam(lr=1e-3, beta1=beta1, beta2=beta2)
        theta = np.zeros(1)
        state = opt.init(theta)
        s, r = np.empty(steps), np.empty(steps)
        for k in range(steps):
            theta, state = opt.step(theta, state, lambda th, gk=g[k]: np.full_like(th, gk))
            s[k], r[k] = state.s[0], state.r[0]
        t = np.arange(1, steps + 1)
        return g, s, r, s / (1 - beta1**t), r / (1 - beta2**t)

    def refresh(self) -> None:
        c = self.controls
        b1, b2 = float(c["beta1"].value), float(c["beta2"].value)
        sigma, steps = float(c["sigma"].value), int(c["steps"].value)
        g, s, r, s_hat, r_hat = self.moments(b1, b2, sigma, steps)
        t = np.arange(1, steps + 1)
        mean_g, mean_g2 = self._MU, self._MU**2 + sigma**2
        L = self.lines
        L["s_g"].set_data(t, g)
        L["s_mean"].set_data([1, steps], [mean_g, mean_g])
        L["s"].set_data(t, s)
        L["s_hat"].set_data(t, s_hat)
        L["r_g"].set_data(t, g * g)
        L["r_mean"].set_data([1, steps], [mean_g2, mean_g2])
        L["r"].set_data(t, r)
        L["r_hat"].set_data(t, r_hat)
        for ax in (self.ax_s, self.ax_r):
            ax.set_xlim(0, steps + 1)
        lo = min(float(g.min()), 0.0)
        hi = max(float(g.max()), float(s_hat.max()), mean_g)
        _set_ylim_sticky(self.ax_s, lo, hi, _linear_limits)
        positive = np.concatenate([r, r_hat, [mean_g2]])
        positive = positive[positive > 0]
        g2 = (g * g)[g * g > 0]
        top = max(float(positive.max()), float(g2.max()) if g2.size else 1.0)
        _set_ylim_sticky(self.ax_r, float(positive.min()), top, _decades)
        k = min(10, steps) - 1
        self.title_text.set_text(
            rf"t = {k + 1}: $s_t$ = {s[k] / mean_g:.2f}$\,E[g]$ but $\hat s_t$ = "
            rf"{s_hat[k] / mean_g:.2f}$\,E[g]$;  $r_t$ = {sci_text(r[k] / mean_g2)}$\,E[g^2]$ but "
            rf"$\hat r_t$ = {r_hat[k] / mean_g2:.2f}$\,E[g^2]$")


def adam_bias_explorer() -> Explorer:
    r"""Why Adam corrects its moments: :math:`s_t, r_t` start near 0, :math:`\hat s_t, \hat r_t`
    do not.

    Gradients :math:`g_t = 1 + \sigma z_t` with seeded standard normal :math:`z_t`, so
    :math:`E[g] = 1`, :math:`E[g^2] = 1 + \sigma^2`. The moments come from ``optim.adam``'s state:

    .. math::
        s_t = \beta_1 s_{t-1} + (1-\beta_1) g_t, \quad
        r_t = \beta_2 r_{t-1} + (1-\beta_2) g_t^2, \quad
        \hat s_t = \frac{s_t}{1 - \beta_1^t}, \quad \hat r_t = \frac{r_t}{1 - \beta_2^t}.

    Since :math:`E[s_t] = (1 - \beta_1^t) E[g]`, the corrected :math:`\hat s_t` is unbiased from
    the first step, while :math:`s_t` needs about :math:`1/(1-\beta_1)` steps (and :math:`r_t`
    about :math:`1/(1-\beta_2)`, e.g. 1000) to forget its zero start.
    """
    return _AdamBiasExplorer()
