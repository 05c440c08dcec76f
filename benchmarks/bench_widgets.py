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
    ms = bench_ticks(max(args.changes, 50))
    med = np.median(ms)
    print(f"{'playground tick':<24} {med:10.1f} {np.percentile(ms, 90):8.1f} {ms.max():8.1f} "
          f"{'':>8}  {'ok' if med <= 50 else 'SLOW'}")


if __name__ == "__main__":
    main()
