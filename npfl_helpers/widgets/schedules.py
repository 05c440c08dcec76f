r"""The explorer of notebook 09 (learning-rate schedules): every schedule of
:mod:`npfl_helpers.schedules` with its parameters, and the Robbins–Monro sums.

>>> ex = schedule_explorer()
>>> ex.controls["schedule"].value = "inverse_time_decay"     # α_t ∝ 1/t
>>> ex.title_text.get_text().endswith("Robbins–Monro conditions hold")
True
"""

from __future__ import annotations

import numpy as np

from .. import schedules
from ..plots import plot_schedules, sci_text
from ..schedules import robbins_monro_verdict
from ._axes import decades, layout_engine, light_log_axis, set_ylim_sticky, step_limit
from ._base import Explorer, explorer_figure
from ._controls import Controls

__all__ = ["schedule_explorer"]

_c = Controls(width="310px", label_width="84px")


def _lr_slider(value=0.1):
    return _c.log_slider("α₀", value, 1e-4, 1.0)


def _steps_slider(description, value, low=1, high=1000):
    return _c.int_slider(description, value, low, high)


#: name → (controls factory, schedule factory from the control values)
_SCHEDULES = {
    "constant": (
        lambda: {"lr": _lr_slider()},
        lambda p: schedules.constant(p["lr"])),
    "exponential_decay": (
        lambda: {"initial_lr": _lr_slider(), "decay_steps": _steps_slider("T", 100),
                 "decay_rate": _c.float_slider("γ", 0.5, 0.01, 1.0, 0.01),
                 "staircase": _c.checkbox("staircase", False)},
        lambda p: schedules.exponential_decay(**p)),
    "polynomial_decay": (
        lambda: {"initial_lr": _lr_slider(), "decay_steps": _steps_slider("T", 500),
                 "end_lr": _c.log_slider("α_end", 1e-4, 1e-6, 1.0),
                 "power": _c.float_slider("power p", 1.0, 0.1, 4.0, 0.1),
                 "cycle": _c.checkbox("cycle", False)},
        lambda p: schedules.polynomial_decay(**p)),
    "inverse_time_decay": (
        lambda: {"initial_lr": _lr_slider(), "decay_steps": _steps_slider("T", 10),
                 "decay_rate": _c.log_slider("γ", 1.0, 0.01, 100.0),
                 "staircase": _c.checkbox("staircase", False)},
        lambda p: schedules.inverse_time_decay(**p)),
    "cosine_decay": (
        lambda: {"initial_lr": _lr_slider(), "decay_steps": _steps_slider("T", 500),
                 "alpha": _c.float_slider("a (floor)", 0.0, 0.0, 1.0, 0.01),
                 "warmup_steps": _steps_slider("warmup W", 0, 0, 500)},
        lambda p: (schedules.cosine_decay(p["initial_lr"], p["decay_steps"], p["alpha"])
                   if p["warmup_steps"] == 0 else
                   schedules.cosine_decay(0.0, p["decay_steps"], p["alpha"],
                                          warmup_target=p["initial_lr"],
                                          warmup_steps=p["warmup_steps"]))),
    "cosine_decay_restarts": (
        lambda: {"initial_lr": _lr_slider(), "first_decay_steps": _steps_slider("T₀", 100),
                 "t_mul": _c.float_slider("τ (t_mul)", 2.0, 1.0, 3.0, 0.1),
                 "m_mul": _c.float_slider("μ (m_mul)", 1.0, 0.1, 1.0, 0.05),
                 "alpha": _c.float_slider("a (floor)", 0.0, 0.0, 1.0, 0.01)},
        lambda p: schedules.cosine_decay_restarts(**p)),
    "piecewise_constant": (
        lambda: {"initial_lr": _lr_slider(), "b1": _steps_slider("b₁", 300, 0, 999),
                 "b2": _steps_slider("b₂", 600, 1, 1000),
                 "factor": _c.log_slider("drop ×", 0.1, 0.01, 1.0)},
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
        fig = explorer_figure((9.4, 4.2), layout=layout_engine())
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
        light_log_axis(self.ax_a.yaxis)
        light_log_axis(self.ax_s.yaxis)
        self.ax_s.set_xlabel("step $t$")
        self.ax_s.set_ylabel("running sum")
        self.ax_s.grid(True, which="major", alpha=0.3)
        self.ax_s.legend(loc="lower right", fontsize=9)
        self.animate(self.lr_line, self.sum_line, self.sq_line)
        self.animate_text(self.ax_a.title, self.ax_s.title)
        self.title_text = self.title()
        c = {"schedule": _c.dropdown("schedule", "exponential_decay", list(_SCHEDULES)),
             "steps": _c.int_slider("steps", 1000, 100, 10000, 100)}
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
        # the step axis keeps still while the steps slider moves: it is widened to a round
        # number of steps when the schedule would leave it, narrowed when it would fill less
        # than half of it
        right = step_limit(self.ax_a.get_xlim()[1], steps - 1)
        self.ax_a.set_xlim(0, right)
        both = np.concatenate([sums[sums > 0], squares[squares > 0]])
        lo, hi = (float(both.min()), float(both.max())) if both.size else (1e-6, 1.0)
        # the sums scale with α₀ and with the number of steps: generous slack keeps the limits
        # (and the cached background) in place while those sliders move
        set_ylim_sticky(self.ax_s, lo, hi, decades, slack_decades=6.0)
        self.ax_s.set_xlim(0, right)
        self.ax_a.set_title(sched.label, fontsize=9)
        infinite, finite = robbins_monro_verdict(sched)
        ok = infinite and finite
        # each condition as the lecture writes it, then whether this schedule meets it
        self.ax_s.set_title(
            rf"as $t\to\infty$: $\sum\alpha_t = \infty$ {'✓' if infinite else '✗ (finite)'},  "
            rf"$\sum\alpha_t^2 < \infty$ {'✓' if finite else '✗ (infinite)'}", fontsize=10)
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
