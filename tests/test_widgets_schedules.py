"""Tests for npfl_helpers.widgets.schedules (notebook 09): the schedule explorer, every schedule
and parameter, its curves and its Robbins–Monro verdict."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from _explorer_checks import builds_headless, sweep  # noqa: E402

from npfl_helpers import schedules, widgets  # noqa: E402
from npfl_helpers.widgets import schedules as ws  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error")  # any warning fails, not only RuntimeWarning


def test_explorer_builds_headless():
    builds_headless(widgets.schedule_explorer(), widgets.Explorer)


def test_schedule_explorer_every_schedule_every_parameter():
    ex = widgets.schedule_explorer()
    for kind in ex.controls["schedule"].options:
        ex.controls["schedule"].value = kind
        ex.draw()
        params = [n for n in ex.controls if n not in ("schedule", "steps")]
        assert params, kind
        for name in params:
            changed = sweep(ex, name)
            if not (kind == "cosine_decay_restarts" and name == "t_mul"):
                assert changed, f"{kind}: moving {name!r} changed nothing"
    assert sweep(ex, "steps")


def test_schedule_explorer_draws_the_schedule_and_its_sums():
    ex = widgets.schedule_explorer()
    ex.controls["schedule"].value = "inverse_time_decay"
    with ex.hold():
        ex.controls["initial_lr"].value = 0.5
        ex.controls["decay_steps"].value = 1
        ex.controls["decay_rate"].value = 1.0
        ex.controls["steps"].value = 1000
    t = np.arange(1000)
    alpha = 0.5 / (1 + t)  # α_t = α₀ / (1 + γ t / T), written out
    np.testing.assert_allclose(ex.lr_line.get_ydata(), alpha)
    np.testing.assert_allclose(ex.sum_line.get_ydata(), np.cumsum(alpha))
    np.testing.assert_allclose(ex.sq_line.get_ydata(), np.cumsum(alpha**2))
    assert "hold" in ex.title_text.get_text()
    ex.controls["schedule"].value = "constant"
    assert "fail" in ex.title_text.get_text()
    with ex.hold():  # Σα = 1.0 · 2000 steps: a power of ten in mathtext, never "2e+03"
        ex.controls["lr"].value = 1.0
        ex.controls["steps"].value = 2000
    assert r"Σα = $2.0\times 10^{3}$, Σα² = $2.0\times 10^{3}$" in ex.title_text.get_text()


@pytest.mark.parametrize("kind", list(ws._SCHEDULES))
def test_schedule_explorer_verdict_is_that_of_the_schedule_it_draws(kind):
    ex = widgets.schedule_explorer()
    ex.controls["schedule"].value = kind
    p = {n: ex.controls[n].value for n in ex._param_names}
    sched = ws._SCHEDULES[kind][1](p)
    assert sched.name == kind
    infinite, finite = schedules.robbins_monro_verdict(sched)
    title = ex.title_text.get_text()
    assert title.endswith("hold" if infinite and finite else "fail")
    np.testing.assert_allclose(ex.lr_line.get_ydata(),
                               np.where(sched(np.arange(1000)) > 0, sched(np.arange(1000)),
                                        np.nan))


def _verdict(ex):
    """(Σα = ∞?, Σα² < ∞?) as the right panel's title states them: each condition written as
    the lecture does, then ✓ or ✗ with what the sum does instead (never "Σα < ∞ ✗", which
    reads as if the ✗ denied the sum's finiteness)."""
    title = ex.ax_s.get_title()
    first = title.split(r"$\sum\alpha_t = \infty$ ")[1].split(",")[0]
    second = title.split(r"$\sum\alpha_t^2 < \infty$ ")[1]
    assert first in ("✓", "✗ (finite)") and second in ("✓", "✗ (infinite)"), title
    return first == "✓", second == "✓"


def test_notebook_09_guidance_works_in_order():
    ex = widgets.schedule_explorer()  # 1: exponential decay, α₀ = 0.1, T = 100, γ = 0.5
    assert ex.controls["schedule"].value == "exponential_decay"
    assert "fail" in ex.title_text.get_text() and _verdict(ex) == (False, True)
    ex.controls["decay_rate"].value = 1.0
    assert "fail" in ex.title_text.get_text() and _verdict(ex) == (True, False)
    ex.controls["schedule"].value = "inverse_time_decay"                      # 2
    for name in ("initial_lr", "decay_steps", "decay_rate"):
        for value in (ex.controls[name].min, ex.controls[name].max):
            ex.controls[name].value = (10.0 ** value if name != "decay_steps" else value)
            assert "hold" in ex.title_text.get_text()
    ex.controls["schedule"].value = "inverse_sqrt_decay"                      # 3
    assert _verdict(ex) == (True, False)
    ex.controls["schedule"].value = "cosine_decay_restarts"                   # 4
    assert ex.controls["t_mul"].value == 2.0 and ex.controls["m_mul"].value == 1.0
    assert _verdict(ex) == (True, False)
    ex.controls["m_mul"].value = 0.6
    assert "hold" in ex.title_text.get_text() and _verdict(ex) == (True, True)
    ex.controls["m_mul"].value = 0.4
    assert _verdict(ex) == (False, True)
    with ex.hold():  # back at μ = 0.6, with a floor a > 0: α_t ≥ a·α₀ for ever
        ex.controls["m_mul"].value = 0.6
        ex.controls["alpha"].value = 0.1
    assert _verdict(ex) == (True, False)
    assert np.nanmin(ex.lr_line.get_ydata()) >= 0.1 * ex.controls["initial_lr"].value - 1e-15
