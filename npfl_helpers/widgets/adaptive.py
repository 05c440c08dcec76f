r"""Explorers of notebook 08 (adaptive learning rates): Adam's bias correction, and the six
optimisers racing on five surfaces.

=============================  ==============================================================
explorer                       what it shows
=============================  ==============================================================
:func:`adam_bias_explorer`     Adam's moments :math:`s_t, r_t` start near 0; the corrected
                               :math:`\hat s_t, \hat r_t` do not
:func:`optimizer_explorer`     SGD, momentum, Nesterov, AdaGrad, RMSProp and Adam: paths on
                               the contours and their losses
=============================  ==============================================================

>>> ex = adam_bias_explorer()
>>> ex.controls["beta1"].value = 0.0        # β₁ = 0: s_t is the last gradient, no bias
>>> bool(np.allclose(ex.lines["s"].get_ydata(), ex.lines["s_g"].get_ydata()))
True
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np

from .. import optim, surfaces
from ..plots import OPTIMIZER_COLORS, label_for, sci_text
from ._axes import decades, layout_engine, light_log_axis, linear_limits, set_ylim_sticky
from ._base import Explorer, explorer_figure, value_key
from ._controls import Controls, on_grid
from ._paths import PathsExplorer

__all__ = ["adam_bias_explorer", "optimizer_explorer"]

_NAMES = tuple(optim.OPTIMIZERS)  # the lecture's order
_BETAS = (0.0, 0.5, 0.8, 0.9, 0.95, 0.99)
_BETA2S = (0.0, 0.5, 0.9, 0.99, 0.999, 0.9999)
_c = Controls(width="310px", label_width="84px")
_c_betas = Controls(width="310px", label_width="112px")  # room for "β (mom., Nest.)"


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


class _OptimizerExplorer(PathsExplorer):
    def __init__(self):
        fig = self._build(_NAMES)
        c = {}
        c["surface"] = _c.dropdown("surface", "quadratic", list(surfaces.SURFACES))
        c["kappa"] = _c.log_slider("κ (quadratic)", 10.0, 1.0, 1000.0)
        steps, lrs = _SURFACE_DEFAULTS["quadratic"]
        c["steps"] = _c.int_slider("steps", steps, 10, 1000, 10)
        s = _make_surface("quadratic", 10.0)
        c["x0"] = _c.float_slider(r"start $\theta_1$", 0.0, -1.0, 1.0, 0.01)
        c["y0"] = _c.float_slider(r"start $\theta_2$", 0.0, -1.0, 1.0, 0.01)
        for name in _NAMES:
            swatch = f'<b style="color:{OPTIMIZER_COLORS[name]}">&#9632;</b> {label_for(name)}'
            c[name] = _c.checkbox(swatch, name in ("sgd", "momentum", "adam"), html=True)
            c[f"lr_{name}"] = _c.log_slider("α", lrs[name], 1e-4, 10.0)
        c["beta"] = _c_betas.choice_slider("β (mom., Nest.)", 0.9, _BETAS)
        c["beta_rmsprop"] = _c_betas.choice_slider("β (RMSProp)", 0.9, _BETA2S)
        c["beta1"] = _c_betas.choice_slider("β₁ (Adam)", 0.9, _BETAS)
        c["beta2"] = _c_betas.choice_slider("β₂ (Adam)", 0.999, _BETA2S)
        c["eps"] = _c_betas.log_slider("ε", 1e-8, 1e-12, 1e-1, step=0.25)
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
                    sl.value = on_grid(lrs[n], sl.min, sl.step)
                self._pending = True
            return
        super()._on_change(change)

    def refresh(self) -> None:
        c = self.controls
        name = c["surface"].value
        kappa = float(c["kappa"].value)
        key = (name, kappa) if name == "quadratic" else (name,)
        if value_key(key) != self._surface_key:
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
    'Momentum ends lowest: $J - J^*$ = $4.4\\times 10^{-3}$ after 500 steps; diverged: SGD (t = 2)'
    """
    return _OptimizerExplorer()


# ----------------------------------------------------------------------------------------------
# adam_bias_explorer


class _AdamBiasExplorer(Explorer):
    _MU = 1.0  # E[g]
    _MAX_STEPS = 200

    def __init__(self):
        fig = explorer_figure((9.4, 4.2), layout=layout_engine())
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
        light_log_axis(self.ax_r.yaxis)
        self.ax_s.legend(loc="lower right", fontsize=8)
        self.ax_r.legend(loc="lower right", fontsize=8)
        self.animate(*self.lines.values())
        self.title_text = self.title()
        c = {"beta1": _c.choice_slider("β₁", 0.9, _BETAS),
             "beta2": _c.choice_slider("β₂", 0.999, _BETA2S),
             "sigma": _c.float_slider("noise σ", 0.5, 0.0, 2.0, 0.1),
             "steps": _c.int_slider("steps", 50, 10, self._MAX_STEPS, 5)}
        super().__init__(fig, c, [["beta1", "beta2"], ["sigma", "steps"]])

    def moments(self, beta1, beta2, sigma, steps):
        """g, s, r, ŝ, r̂ for t = 1 … steps, from Adam's own state (``optim.adam_moments``)."""
        g = self._MU + sigma * self._z[:steps]
        return (g, *optim.adam_moments(g, beta1=beta1, beta2=beta2))

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
        set_ylim_sticky(self.ax_s, lo, hi, linear_limits)
        positive = np.concatenate([r, r_hat, [mean_g2]])
        positive = positive[positive > 0]
        g2 = (g * g)[g * g > 0]
        top = max(float(positive.max()), float(g2.max()) if g2.size else 1.0)
        set_ylim_sticky(self.ax_r, float(positive.min()), top, decades)
        k = min(10, steps) - 1
        self.title_text.set_text(
            rf"t = {k + 1}: $s_t$ = {s[k] / mean_g:.2f}$\,E[g]$ but $\hat s_t$ = "
            rf"{s_hat[k] / mean_g:.2f}$\,E[g]$;  $r_t$ = {sci_text(r[k] / mean_g2)}$\,E[g^2]$ but "
            rf"$\hat r_t$ = {r_hat[k] / mean_g2:.2f}$\,E[g^2]$")


def adam_bias_explorer() -> Explorer:
    r"""Why Adam corrects its moments: :math:`s_t, r_t` start near 0, :math:`\hat s_t, \hat r_t`
    do not.

    Gradients :math:`g_t = 1 + \sigma z_t` with seeded standard normal :math:`z_t`, so
    :math:`E[g] = 1`, :math:`E[g^2] = 1 + \sigma^2`. The moments come from ``optim.adam``'s state
    (:func:`~npfl_helpers.optim.adam_moments`):

    .. math::
        s_t = \beta_1 s_{t-1} + (1-\beta_1) g_t, \quad
        r_t = \beta_2 r_{t-1} + (1-\beta_2) g_t^2, \quad
        \hat s_t = \frac{s_t}{1 - \beta_1^t}, \quad \hat r_t = \frac{r_t}{1 - \beta_2^t}.

    Since :math:`E[s_t] = (1 - \beta_1^t) E[g]`, the corrected :math:`\hat s_t` is unbiased from
    the first step, while :math:`s_t` forgets its zero start only slowly: its expectation reaches
    :math:`1 - 1/e \approx 63\,\%` of :math:`E[g]` after :math:`1/(1-\beta_1)` steps and 95 %
    after about :math:`3/(1-\beta_1)`; the same holds for :math:`r_t` with :math:`\beta_2`
    (1000 and 3000 steps for :math:`\beta_2 = 0.999`). With :math:`\sigma = 0` the gradient is
    constant and :math:`\hat s_t, \hat r_t` equal :math:`E[g], E[g^2]` exactly at every step.
    """
    return _AdamBiasExplorer()
