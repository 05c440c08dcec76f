"""Explorer update latency: one control change → figure rendered (Agg ``canvas.draw()`` done).

For every explorer, cycle each of a few representative controls through values, time
``control.value = v`` (which recomputes and sets artist data) plus ``explorer.draw()``, and print
the median and 90th percentile over all changes. Goal: median ≤ 50 ms.

Also prints, for reference, the cost of the inline path's PNG encoding of one figure
(``savefig(png)``), which the notebook adds on top of the render.

    .venv/bin/python benchmarks/bench_widgets.py [--changes 50]
"""

from __future__ import annotations

import argparse
import io
import itertools
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from npfl_helpers import widgets  # noqa: E402

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
    "minibatch_noise_explorer": {
        "m": [1, 8, 64, 512],
        "sampling": ["with replacement", "without replacement"],
    },
    "backprop_stepper": {
        "step": [0, 5, 13, 20, 26],
    },
    "activation_explorer": {
        "a": [-3.0, 0.0, 2.5],
        "function": ["tanh", "relu", "sigmoid"],
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=50)
    args = parser.parse_args()
    print(f"{'explorer':<24} {'median ms':>10} {'p90 ms':>8} {'max ms':>8} {'png ms':>8}  goal")
    for name in PLAN:
        ms, png = bench(name, args.changes)
        med, p90 = np.median(ms), np.percentile(ms, 90)
        ok = "ok" if med <= 50 else "SLOW"
        print(f"{name:<24} {med:10.1f} {p90:8.1f} {ms.max():8.1f} {png:8.1f}  {ok}")


if __name__ == "__main__":
    main()
