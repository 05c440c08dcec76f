"""Explorer update latency: one control change → figure rendered (Agg ``canvas.draw()`` done).

For every explorer, cycle each of a few representative controls through values, time
``control.value = v`` (which recomputes and sets artist data) plus ``explorer.draw()``, and print
the median and 90th percentile over all changes. Goal: median ≤ 50 ms. The values cycle, so
after the first round every change shows a state shown before, as a slider moved back and forth
does: explorers keep their last static images and text pixels, which makes such changes cheap.
``--first --fresh`` times only new values.

Also prints, for reference, the cost of the inline path's PNG encoding of one figure
(``savefig(png)``), which the notebook adds on top of the render.

``--first`` times instead what ``bench_browser.py`` presses in JupyterLab: one step of each
explorer's first slider (as laid out in its panel), alternately right and left, split into
``refresh`` (compute) and ``draw``, plus the inline PNG (:meth:`Explorer.png`'s encoding); with
``--fresh`` the slider keeps going one way instead (a new value each time, nothing repeats).
The kernel's share of the browser goal is about 20 ms median, 45 ms worst (compute + draw).

    .venv/bin/python benchmarks/bench_widgets.py [--changes 50] [--first [--fresh]]
"""

from __future__ import annotations

import argparse
import io
import itertools
import math
import time

import matplotlib

matplotlib.use("Agg")

import ipywidgets as W  # noqa: E402
import numpy as np  # noqa: E402

from npfl_helpers import widgets  # noqa: E402
from npfl_helpers.widgets._base import _png_rgb  # noqa: E402

#: explorer → controls to move, each with the values to cycle through
PLAN = {
    "optimizer_explorer": {
        "lr_adam": [0.01, 0.05, 0.2, 1.0],
        "beta1": [0.5, 0.9, 0.95],
        "steps": [100, 200, 300],
        "x0": [-1.5, -1.0, 1.0],
        "kappa": [3.0, 10.0, 100.0],  # the contour of the quadratic is redrawn here
    },
    "momentum_explorer": {
        "lr": [0.005, 0.02, 0.05],
        "beta": [0.5, 0.8, 0.95],
        "kappa": [10.0, 30.0, 100.0],
    },
    "phase_diagram_explorer": {
        "kappa": [10.0, 100.0, 300.0],
        "steps": [50, 100, 150],
    },
    "eigendirection_explorer": {
        "lr": [0.005, 0.0331, 0.01],
        "beta": [0.5, 0.67, 0.9],
        "kappa": [10.0, 100.0],
        "steps": [150, 500],  # the longest runs
        "method": ["nesterov", "momentum"],
    },
    "noisy_momentum_explorer": {
        "lr": [0.003, 0.01, 0.03],
        "beta": [0.5, 0.9, 0.99],
        "kappa": [10.0, 30.0],
        "steps": [300, 600],  # 3 settings × 100 runs × 600 steps at most
    },
    "schedule_explorer": {
        "steps": [500, 1000, 2000],
        "initial_lr": [0.01, 0.1, 0.5],
        "decay_rate": [0.2, 0.5, 0.9],
    },
    "adam_bias_explorer": {
        "beta1": [0.5, 0.9, 0.99],
        "beta2": [0.9, 0.99, 0.999],
        "sigma": [0.2, 0.5, 1.0],
    },
    "gd_valley_explorer": {
        "lr": [0.005, 0.05, 0.15, 0.19, 0.25],  # crawl, zig-zag, diverge
    },
    "minibatch_noise_explorer": {
        "m": [1, 8, 64, 512],
        "sampling": ["with replacement", "without replacement"],
    },
    "backprop_stepper": {
        "step": [0, 5, 13, 20, 26],
    },
    "landscape_slice_explorer": {
        "beta": [0, 8, 15, 22, 30],  # rows of the two precomputed 31 x 31 planes
    },
    "activation_explorer": {
        "a": [-3.0, 0.0, 2.5],
        "function": ["tanh", "relu", "sigmoid"],
    },
    "capacity_explorer": {
        "degree": [2, 8, 14, 4],
        "n": [50, 200, 15, 20],  # a change of N or σ refits every degree, 30 training sets
        "noise": [0.1, 0.8, 0.0, 0.3],
    },
    "regularization_explorer": {
        "lam": [1e-6, 1e-3, 1.0, 1e-2],
        "degree": [6, 14, 1, 12],  # a change of D or N recomputes the whole λ path
        "n": [50, 100, 15, 20],
    },
    "playground_explorer": {
        "lr": [0.03, 0.3, 0.1],
        "beta": [0.5, 0.9],
        "batch": [1, 64, 16],
        "units": [8, 16],  # the architecture: a new run, the whole figure redrawn
    },
    "variance_estimator_explorer": {
        "n": [4, 5, 8, 20, 50],
        "trials": [1000, 5000, 20_000],
        "sigma2": [0.5, 1.0, 2.0],  # the histogram's axis scales with σ²: that axis is redrawn
    },
    "likelihood_chain_explorer": {
        "w0": [0.1, 0.5, 0.9],
        "w1": [0.2, 0.6],
        "w3": [0.0, 0.3],  # 0: an observed class impossible, the NLL infinite
    },
    "gaussian_nll_explorer": {
        "sigma": [0.4, 0.5, 0.63, 0.8, 1.0, 1.26, 1.58, 2.0],  # steps of the slider
    },
    "consistency_explorer": {
        "m": [1, 10, 100, 1000],
        "eps": [0.02, 0.05, 0.1],
        "family": ["gaussian", "bernoulli"],  # other runs and limits: the whole figure redrawn
    },
}


def bench(name: str, changes: int) -> tuple[np.ndarray, float]:
    ex = getattr(widgets, name)()
    ex.draw()
    cycle = itertools.cycle([(k, v) for k, vals in PLAN[name].items() for v in vals])
    times = []
    while len(times) < changes:
        key, value = next(cycle)
        control = ex.controls[key]
        if control.value == value:
            continue
        t0 = time.perf_counter()
        control.value = value
        ex.draw()
        times.append(time.perf_counter() - t0)
    buf = io.BytesIO()
    t0 = time.perf_counter()
    ex.figure.savefig(buf, format="png")
    png = time.perf_counter() - t0
    return np.array(times) * 1e3, png * 1e3


def bench_ticks(ticks: int) -> np.ndarray:
    """Playground frames: 2-16-16-2 on two moons (400 points: 200 train, 200 test), 60 x 60
    grid, 10 updates per frame; time ``play.value += 1`` (updates, redraw of the artists) plus
    ``draw()``. The Play widget does exactly this once per interval in the browser."""
    ex = widgets.playground_explorer()
    ex.draw()
    times = []
    for _ in range(ticks):
        t0 = time.perf_counter()
        ex.play.value += 1
        ex.draw()
        times.append(time.perf_counter() - t0)
    return np.array(times) * 1e3


_SLIDERS = (W.IntSlider, W.FloatSlider, W.FloatLogSlider, W.SelectionSlider)


def first_slider(ex):
    """The first enabled slider of the explorer's panel, in the order the browser shows it."""
    stack = [ex.widget]
    while stack:
        w = stack.pop(0)
        if isinstance(w, _SLIDERS) and not w.disabled:
            return w
        stack = list(getattr(w, "children", ())) + stack
    return None


def _nudge(slider, sign: int) -> bool:
    """One arrow-key step of ``slider``; False (and no change) at the end of its range."""
    if isinstance(slider, W.SelectionSlider):
        i = slider.index + sign
        if not 0 <= i < len(slider.options):
            return False
        slider.index = i
        return True
    if isinstance(slider, W.FloatLogSlider):
        e = math.log10(slider.value) + sign * slider.step
        if not slider.min - 1e-9 <= e <= slider.max + 1e-9:
            return False
        slider.value = 10.0 ** e
        return True
    v = slider.value + sign * slider.step
    if not slider.min <= v <= slider.max:
        return False
    slider.value = v
    return True


def bench_first(name: str, presses: int, fresh: bool) -> dict:
    """Key presses on the first slider: compute, draw and PNG times (ms) of each."""
    ex = getattr(widgets, name)()
    slider = first_slider(ex)
    ex.draw()
    sign = 1 if _nudge(slider, 1) else -1  # the warm-up press, as in the browser
    if sign < 0:
        _nudge(slider, -1)
    ex.draw()
    sign = sign if fresh else -sign
    out = {"refresh": [], "draw": [], "png": []}
    for _ in range(presses):
        with ex.hold():
            if not _nudge(slider, sign):
                sign = -sign
                _nudge(slider, sign)
            ex._pending = False  # time refresh() and draw() apart, below
        t0 = time.perf_counter()
        ex.refresh()
        t1 = time.perf_counter()
        ex.draw()
        t2 = time.perf_counter()
        _png_rgb(ex.figure.canvas.buffer_rgba())
        t3 = time.perf_counter()
        out["refresh"].append(t1 - t0)
        out["draw"].append(t2 - t1)
        out["png"].append(t3 - t2)
        if not fresh:
            sign = -sign
    out = {k: np.array(v) * 1e3 for k, v in out.items()}
    out["slider"] = slider.description
    return out


def main_first(presses: int, fresh: bool) -> None:
    print(f"first slider, {presses} presses ({'new values' if fresh else 'right/left'}); ms, "
          "median/worst")
    print(f"{'explorer':<26} {'slider':<14} {'compute':>11} {'draw':>11} {'compute+draw':>13} "
          f"{'png':>11}")
    for name in PLAN:
        if name in ("playground_explorer", "landscape_slice_explorer"):
            continue  # no first slider to press / needs its planes
        r = bench_first(name, presses, fresh)
        both = r["refresh"] + r["draw"]

        def mw(v):
            return f"{np.median(v):5.1f}/{v.max():5.1f}"

        ok = "ok" if np.median(both) <= 20 and both.max() <= 45 else "SLOW"
        print(f"{name:<26} {r['slider'][:14]:<14} {mw(r['refresh']):>11} {mw(r['draw']):>11} "
              f"{mw(both):>13} {mw(r['png']):>11}  {ok}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--first", action="store_true",
                        help="time the first slider's key presses (as bench_browser.py)")
    parser.add_argument("--fresh", action="store_true",
                        help="with --first: a new value on every press")
    args = parser.parse_args()
    if args.first:
        main_first(max(args.changes // 4, 8), args.fresh)
        return
    print(f"{'explorer':<24} {'median ms':>10} {'p90 ms':>8} {'max ms':>8} {'png ms':>8}  goal")
    for name in PLAN:
        ms, png = bench(name, args.changes)
        med, p90 = np.median(ms), np.percentile(ms, 90)
        ok = "ok" if med <= 50 else "SLOW"
        print(f"{name:<24} {med:10.1f} {p90:8.1f} {ms.max():8.1f} {png:8.1f}  {ok}")
    ms = bench_ticks(max(args.changes, 50))
    med = np.median(ms)
    print(f"{'playground tick':<24} {med:10.1f} {np.percentile(ms, 90):8.1f} {ms.max():8.1f} "
          f"{'':>8}  {'ok' if med <= 50 else 'SLOW'}")


if __name__ == "__main__":
    main()
