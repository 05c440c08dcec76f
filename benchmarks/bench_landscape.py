"""A 41 x 41 loss plane on 1,000 examples (goal: at most 2 s), against a loop over grid points.

``landscape.loss_plane`` stacks the grid's parameter vectors and evaluates them in batched
matrix products; the baseline calls ``model.loss`` once per grid point (timed on one row of
41 points and scaled to the grid). Networks: the digits MLP 64-100-10 and an MNIST-sized
784-256-10, ReLU, random inputs. Each time is the best of ``REPEATS`` runs.

The deep case is notebook 04's: 20 tanh layers of 32 units, plain and with skip connections
(``residual=True``), a 31 x 31 plane on 256 digits, in float64 and float32 (goal: the two planes
of the notebook in at most 2 s together).
Run: ``.venv/bin/python benchmarks/bench_landscape.py``.
"""

from __future__ import annotations

import time

import numpy as np

from npfl_helpers import data, landscape, mlp

N, GRID, REPEATS = 1000, 41, 3


def best_of(fn, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    rng = np.random.default_rng(0)
    coords = np.linspace(-1.0, 1.0, GRID)
    for sizes, dtype in [((64, 100, 10), np.float64), ((784, 256, 10), np.float64),
                         ((784, 256, 10), np.float32)]:
        model = mlp.MLP(sizes, activation="relu", seed=0, dtype=dtype)
        X = rng.random((N, sizes[0]))
        y = rng.integers(0, sizes[-1], N)
        d1 = landscape.random_direction(model, model.theta, rng=1)
        d2 = landscape.random_direction(model, model.theta, rng=2)
        t_plane = best_of(lambda m=model, X=X, y=y, d1=d1, d2=d2: landscape.loss_plane(
            m, m.theta, d1, d2, X, y, coords, coords))

        def loop_row(m=model, X=X, y=y, d1=d1, d2=d2):
            for a in coords:
                m.loss(m.theta + a * d1 + coords[0] * d2, X, y)

        t_loop = best_of(loop_row) * GRID
        name = f"{'-'.join(map(str, sizes))} {np.dtype(dtype).name}"
        print(f"loss_plane {GRID}x{GRID}, {N:,} examples, {name:18s}: {t_plane:6.3f} s "
              f"(goal <= 2 s)   loop over points: {t_loop:6.2f} s   "
              f"speed-up {t_loop / t_plane:5.1f}x")
    deep()


def deep(depth: int = 20, width: int = 32, n: int = 256, grid: int = 31) -> None:
    """Notebook 04's deep landscapes: the plane of each network, plain and residual."""
    digits = data.load_digits(seed=0)
    coords = np.linspace(-1.0, 1.0, grid)
    for dtype in (np.float64, np.float32):
        X, y = digits.train.X[:n].astype(dtype), digits.train.y[:n]
        for residual in (False, True):
            model = mlp.MLP((64, *[width] * depth, 10), activation="tanh", seed=0, dtype=dtype,
                            residual=residual)
            d1 = landscape.random_direction(model, model.theta, rng=1)
            d2 = landscape.random_direction(model, model.theta, rng=2)
            t_plane = best_of(lambda m=model, X=X, y=y, d1=d1, d2=d2: landscape.loss_plane(
                m, m.theta, d1, d2, X, y, coords, coords))
            t_loop = best_of(lambda m=model, X=X, y=y, d1=d1, d2=d2: [
                m.loss(m.theta + a * d1 + coords[0] * d2, X, y) for a in coords]) * grid
            kind = "residual" if residual else "plain"
            print(f"loss_plane {grid}x{grid}, {n} digits, {depth} x {width} tanh {kind:8s} "
                  f"{np.dtype(dtype).name}: {t_plane:6.3f} s   loop over points: "
                  f"{t_loop:6.2f} s   speed-up {t_loop / t_plane:5.1f}x")


if __name__ == "__main__":
    main()
