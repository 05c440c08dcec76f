"""Wall time of executing every notebook top to bottom in a fresh kernel, one at a time.

    python benchmarks/bench_notebooks.py [notebooks/NAME.ipynb ...]

Prints one line per notebook and the total; the notebooks on disk are not modified.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    paths = [Path(p) for p in sys.argv[1:]] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    total = 0.0
    print(f"{'notebook':40s} {'cells':>5s} {'seconds':>8s}")
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        t0 = time.perf_counter()
        client.execute()
        dt = time.perf_counter() - t0
        total += dt
        n = sum(c.cell_type == "code" for c in nb.cells)
        print(f"{path.name:40s} {n:5d} {dt:8.1f}")
    print(f"{'total':40s} {'':5s} {total:8.1f}")


if __name__ == "__main__":
    main()
