"""One epoch of ``mlp.train`` against the same network and loop in PyTorch on the CPU.

Setting: float32, a 784-256-10 ReLU MLP, 30,000 random rows, batch 64, SGD (lr 0.01), no
progress bar, no dev set. PyTorch (optional) runs the usual loop -- one ``randperm`` per epoch,
``X[idx]`` per batch, ``cross_entropy``, ``zero_grad``/``backward``/``step`` -- with
``torch.set_num_threads`` set to numpy's BLAS thread count. Each side is timed as the best of
``REPEATS`` epochs, the two sides alternating, after one warm-up epoch each.
Run: ``.venv/bin/python benchmarks/bench_mlp.py``.
"""

from __future__ import annotations

import time

import numpy as np

from npfl_helpers import mlp, optim

N, SIZES, BATCH, LR, REPEATS = 30_000, (784, 256, 10), 64, 0.01, 5


def blas_threads() -> int:
    try:
        from threadpoolctl import threadpool_info

        return max((p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"),
                   default=1)
    except ImportError:  # pragma: no cover
        return 1


def best_of(fns: dict, repeats: int = REPEATS) -> dict:
    """Best time of each function, the functions run alternately (fair under varying load)."""
    for fn in fns.values():
        fn()  # warm-up
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: min(t) for name, t in times.items()}


def main() -> None:
    rng = np.random.default_rng(0)
    X = rng.random((N, SIZES[0]), dtype=np.float32)
    y = rng.integers(0, SIZES[-1], N)
    model = mlp.MLP(SIZES, activation="relu", seed=0, dtype=np.float32)
    opt = optim.sgd(LR)
    seeds = iter(range(1000))

    def numpy_epoch():
        mlp.train(model, X, y, opt, epochs=1, batch_size=BATCH, seed=next(seeds), progress=False)

    threads = blas_threads()
    fns = {"numpy": numpy_epoch}
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        torch.set_num_threads(threads)
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Linear(SIZES[0], SIZES[1]), torch.nn.ReLU(),
                                  torch.nn.Linear(SIZES[1], SIZES[2]))
        sgd = torch.optim.SGD(net.parameters(), lr=LR)
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

        def torch_epoch():
            perm = torch.randperm(N)
            for start in range(0, N, BATCH):
                idx = perm[start:start + BATCH]
                loss = torch.nn.functional.cross_entropy(net(Xt[idx]), yt[idx])
                sgd.zero_grad()
                loss.backward()
                sgd.step()

        fns["torch"] = torch_epoch

    best = best_of(fns)
    assert model.theta.dtype == np.float32
    print(f"numpy  mlp.train, 1 epoch ({N:,} rows, {'-'.join(map(str, SIZES))}, batch {BATCH}, "
          f"float32, SGD): {best['numpy'] * 1e3:7.1f} ms  ({threads} BLAS threads)")
    if torch is None:
        print("torch not installed: no comparison (pip install torch to compare)")
        return
    print(f"torch  same loop ({torch.__version__}, torch.set_num_threads({threads})):"
          f"{' ' * 12}{best['torch'] * 1e3:7.1f} ms")
    print(f"ratio numpy / torch: {best['numpy'] / best['torch']:.2f}  (goal <= 1.0; best of "
          f"{REPEATS} alternating epochs each)")


if __name__ == "__main__":
    main()
