"""Vectorised optim.run vs a Python loop over start points vs torch.optim.Adam, measured in one run.

Work: 10,000 start points x 1,000 Adam steps on Rosenbrock, recording every point (the
trajectory), as `optim.run` does. Prints times and ratios; asserts nothing.

    python benchmarks/bench_optim.py [--points 10000] [--steps 1000] [--loop-subset 100]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from npfl_helpers import optim, surfaces


def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=1_000)
    parser.add_argument("--loop-subset", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    surf = surfaces.rosenbrock()
    rng = np.random.default_rng(0)
    (x0, x1), (y0, y1) = surf.bounds
    theta0 = np.stack([rng.uniform(x0, x1, args.points), rng.uniform(y0, y1, args.points)], -1)
    opt = optim.adam(lr=1e-2)

    def vectorised():
        return optim.run(opt, surf.grad, theta0, args.steps)

    t_vec = best_of(vectorised, args.repeat)

    subset = theta0[: args.loop_subset]

    def loop():
        for p in subset:
            optim.run(opt, surf.grad, p, args.steps)

    t_loop = best_of(loop, 1) * args.points / args.loop_subset

    print(f"work: {args.points} start points x {args.steps} Adam steps on Rosenbrock "
          f"(trajectory recorded), numpy {np.__version__}, {os.cpu_count()} cores")
    print(f"optim.run, vectorised            : {t_vec:8.3f} s")
    print(f"Python loop over start points    : {t_loop:8.3f} s  "
          f"(estimated from {args.loop_subset} points)")
    print(f"ratio vectorised / loop          : {t_vec / t_loop:8.4f}")

    try:
        import torch
    except ImportError:
        print("torch not installed: torch.optim comparison skipped")
        return

    torch.set_num_threads(1)  # numpy's elementwise ufuncs run on one core, too
    theta0_t = torch.tensor(theta0)

    def torch_run():
        p = theta0_t.clone().requires_grad_(True)
        topt = torch.optim.Adam([p], lr=1e-2, eps=1e-8)
        thetas = torch.empty((args.steps + 1, *p.shape), dtype=p.dtype)
        thetas[0] = p.detach()
        for k in range(1, args.steps + 1):
            topt.zero_grad(set_to_none=False)
            x, y = p[:, 0], p[:, 1]
            loss = ((1 - x) ** 2 + 100 * (y - x * x) ** 2).sum()
            loss.backward()
            topt.step()
            thetas[k] = p.detach()
        return thetas

    t_torch = best_of(torch_run, args.repeat)
    print(f"torch.optim.Adam, one (N, 2) tensor: {t_torch:6.3f} s  "
          f"(torch {torch.__version__}, autograd for the gradient, 1 thread)")
    print(f"ratio vectorised / torch         : {t_vec / t_torch:8.3f}   (goal <= 1.0)")


if __name__ == "__main__":
    main()
