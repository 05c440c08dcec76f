"""Latency you can feel: key press on a slider → first animation frame with changed figure pixels,
per explorer, in real JupyterLab and headless Chromium, for the inline and the ipympl backend.

For every explorer of every notebook (found by glob): Run All, then press an arrow key on the
explorer's first slider ``--presses`` times (alternating right and left, after one warm-up
press). The page times each press itself: the ``keydown`` timestamp, then a
``requestAnimationFrame`` loop that fingerprints the figure (inline: the decoded ``img``'s
``src``; ipympl: a hash of the canvas pixels) until the first frame that differs. Between
presses it waits until the kernel is idle and the figure has kept still for 10 frames.

Breakdown of each press (medians), to show where the time goes:

- ``kernel``: the update in the kernel, timed there by a cell the benchmark adds to its copy of
  the notebook (``refresh`` = compute, ``draw`` = Agg render, ``encode`` = PNG encoding and
  sending: the inline PNG, or ipympl's diff image);
- ``input``: key press → the browser sends the slider's new value (WebSocket ``send``);
- ``wire``: that send → the figure message arrives, minus the kernel's update (transport,
  message handling in the server and the kernel);
- ``paint``: the figure message arrives → first frame with the new pixels (decode, render).

Goal: median ≤ 50 ms and worst ≤ 80 ms per explorer.

Explorers with a Play (the playground of notebook 10) are then played: press Play, wait for the
first changed frame, let it play ``--warmup`` s, then count for ``--window`` s the animation
frames in which the figure's pixels changed (the same fingerprints) → frames/s, goal ≥ 10;
with the Play's value messages sent per second, the kernel's time per tick (``compute`` = the
updates, ``draw``, ``encode`` as above) and the CPU time per tick of the kernel, the server and
the browser (all of Chromium's processes, including the page's fingerprinting). A frame passes
through them one after another (the Play sends its next value once the kernel has finished the
last), so on an idle machine their sum bounds the time per frame from above, and the Play's
interval from below.

    .venv/bin/python benchmarks/bench_browser.py [--presses 10] [--backends inline ipympl]
        [--notebooks 00 07] [--warmup 1] [--window 5] [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import labdriver  # noqa: E402

GOAL_MEDIAN, GOAL_WORST = 50.0, 80.0
GOAL_FPS = 10.0

# Added as a first cell of every notebook copy: logs the kernel side of each explorer update.
KERNEL_TIMING = '''\
# added by benchmarks/bench_browser.py: times the kernel side of every explorer update
import json as _json
import time as _time

from npfl_helpers.widgets import _base as _b

_log = open({path!r}, "a", buffering=1)
_rec = {{}}


def _timed(name, fn):
    def wrapper(self, *args, **kwargs):
        t0 = _time.perf_counter()
        try:
            return fn(self, *args, **kwargs)
        finally:
            _rec[name] = _rec.get(name, 0.0) + _time.perf_counter() - t0
    return wrapper


def _timed_update(self):
    _rec.clear()
    t0 = _time.perf_counter()
    _timed("refresh", type(self).refresh)(self)
    self.redraw()
    _rec["update"] = _time.perf_counter() - t0
    _log.write(_json.dumps({{k: 1e3 * v for k, v in _rec.items()}}) + "\\n")


def _timed_tick(fn):
    def wrapper(self, *args, **kwargs):
        _rec.clear()
        t0 = _time.perf_counter()
        try:
            return fn(self, *args, **kwargs)
        finally:
            _rec["tick"] = _time.perf_counter() - t0
            _log.write(_json.dumps({{k: 1e3 * v for k, v in _rec.items()}}) + "\\n")
    return wrapper


_b.Explorer.update = _timed_update
_b.Explorer.redraw = _timed("redraw", _b.Explorer.redraw)
_b.Explorer.draw = _timed("draw", _b.Explorer.draw)
try:  # the frames a Play asks for (notebook 10)
    from npfl_helpers.widgets import playground as _pg
    _pg.PlaygroundExplorer.tick = _timed_tick(_pg.PlaygroundExplorer.tick)
except (ImportError, AttributeError):
    pass
'''


def _explorer_name(source: str, index: int) -> str:
    found = re.findall(r"(\w+_(?:explorer|stepper))\s*\(", source)
    return found[-1] if found else f"explorer {index}"


def _breakdown(result: dict, kernel: dict | None) -> dict:
    """Split one press into input / kernel / wire / paint (ms); None where unmeasured."""
    t0, done = result["t0"], result["t0"] + result["ms"]
    sent = [t for t, _ in result["sent"] if t >= t0 - 1]
    recv = [(t, n) for t, n in result["recv"] if t <= done]
    out = {"total": result["ms"], "input": None, "wire": None, "paint": None}
    if kernel:
        out |= {"kernel": kernel.get("update"), "refresh": kernel.get("refresh"),
                "draw": kernel.get("draw"),
                "encode": (kernel.get("redraw", 0.0) - kernel.get("draw", 0.0))}
    if sent:
        out["input"] = sent[0] - t0
        after = [(t, n) for t, n in recv if t >= sent[0]]
        if after:
            arrival = max(after, key=lambda tn: tn[1])[0]  # the figure: the largest message
            out["wire"] = arrival - sent[0] - (kernel.get("update", 0.0) if kernel else 0.0)
            out["paint"] = done - arrival
    return out


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else float("nan")


def _log_records(log_path: Path, size: int, key: str) -> list[dict]:
    """The kernel's timing records written since ``size`` bytes that have ``key``."""
    if not log_path.exists():
        return []
    records = [json.loads(line) for line in log_path.read_text()[size:].splitlines() if line]
    return [r for r in records if key in r]


def _cpu_ms() -> dict:
    """CPU time (user + system, ms) used so far by this benchmark's kernel(s), JupyterLab
    server and Chromium: the descendants of this process, read from /proc (Linux)."""
    out = {"kernel": 0.0, "server": 0.0, "browser": 0.0}
    if not os.path.isdir("/proc"):
        return out
    clock = os.sysconf("SC_CLK_TCK")
    children, info = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        info[pid] = (cmd, int(fields[11]) + int(fields[12]))
    stack = [os.getpid()]
    while stack:
        for child in children.get(stack.pop(), []):
            stack.append(child)
            cmd, ticks = info[child]
            role = ("kernel" if "ipykernel" in cmd else "server" if "jupyterlab" in cmd
                    else "browser" if "chrom" in cmd else None)
            if role:
                out[role] += 1000.0 * ticks / clock
    return out


def bench_play(page, explorer, name, backend, notebook, warmup_s, window_s,
               log_path: Path) -> dict:
    """Play the explorer; frames/s with changed pixels, value messages, kernel time per tick."""
    size = log_path.stat().st_size if log_path.exists() else 0
    cpu0 = _cpu_ms()
    result = page.measure_play(explorer, warmup_s, window_s)
    cpu1 = _cpu_ms()
    ticks = _log_records(log_path, size, "tick")
    row = {"notebook": notebook, "backend": backend, "explorer": name, "measure": "play",
           "warmup_s": warmup_s, "window_s": window_s, "fps": float("nan"), "changes": 0,
           "animation_frames": 0, "values_per_s": float("nan"), "first_frame": None,
           "kernel_ticks": len(ticks)}
    if result is not None:
        seconds = result["ms"] / 1000
        row |= {"fps": result["fps"], "changes": result["changes"],
                "animation_frames": result["frames"], "values_per_s": result["sent"] / seconds,
                "received_kb_per_s": result["recvBytes"] / 1000 / seconds,
                "first_frame": result["firstMs"]}
    row["tick"] = _median([t.get("tick") for t in ticks])
    row["tick_draw"] = _median([t.get("draw") for t in ticks])
    row["tick_encode"] = _median([t.get("redraw", 0.0) - t.get("draw", 0.0) for t in ticks])
    row["tick_compute"] = _median([t["tick"] - t.get("redraw", 0.0) for t in ticks])
    for role in cpu0:  # CPU per tick, over the whole play (first frame, warm-up, window)
        row[f"cpu_{role}"] = (cpu1[role] - cpu0[role]) / len(ticks) if ticks else float("nan")
    ok = "ok" if row["fps"] >= GOAL_FPS else "SLOW"
    print(f"  {backend:<6} {notebook[:2]} {name:<26} {row['fps']:5.1f} frames/s (goal ≥ "
          f"{GOAL_FPS:.0f}; {row['changes']} changed of {row['animation_frames']} animation "
          f"frames in {window_s:g} s)   Play values sent {row['values_per_s']:4.1f}/s   kernel "
          f"per tick {row['tick']:4.0f} ms (compute {row['tick_compute']:4.0f}, draw "
          f"{row['tick_draw']:4.0f}, encode+send {row['tick_encode']:4.0f})   CPU per tick: "
          f"kernel {row['cpu_kernel']:3.0f}, server {row['cpu_server']:3.0f}, browser "
          f"{row['cpu_browser']:3.0f} ms   {ok}", flush=True)
    return row


def bench_notebook(app, lab, backend, notebook, presses, log_path: Path,
                   warmup_s: float = 1.0, window_s: float = 5.0) -> list[dict]:
    page = app.open(lab.path(backend, notebook))
    page.run_all()
    errors = page.errors()
    if errors:
        print(f"  {backend}/{notebook}: skipped, errors after Run All: {errors[0][:200]}")
        return []
    rows = []
    explorers = page.explorers()
    names = {}
    for explorer in explorers:
        source = page.page.evaluate("(i) => window.__npfl.explorerSource(i)", explorer.index)
        name = names[explorer.index] = _explorer_name(source, explorer.index)
        keys = ["ArrowLeft", "ArrowRight"] if explorer.at_max else ["ArrowRight", "ArrowLeft"]
        page.press_and_time(explorer, keys[0])  # warm-up: first use after Run All
        page.wait_quiet(explorer)
        explorer.latencies_ms.clear()
        parts = []
        for k in range(presses):
            size = log_path.stat().st_size if log_path.exists() else 0
            result = page.press_and_time(explorer, keys[(k + 1) % 2])
            page.wait_quiet(explorer)
            if result["ms"] is None:
                parts.append({"total": None})
                continue
            updates = _log_records(log_path, size, "update")
            kernel = updates[0] if updates else None
            parts.append(_breakdown(result, kernel))
        ms = [p["total"] for p in parts if p["total"] is not None]
        row = {"notebook": notebook, "backend": backend, "explorer": name, "measure": "latency",
               "slider": explorer.slider_label, "presses": len(parts),
               "unchanged": sum(p["total"] is None for p in parts),
               "median": _median(ms), "worst": max(ms) if ms else float("nan")}
        for key in ("input", "kernel", "refresh", "draw", "encode", "wire", "paint"):
            row[key] = _median([p.get(key) for p in parts])
        rows.append(row)
        ok = "ok" if row["median"] <= GOAL_MEDIAN and row["worst"] <= GOAL_WORST else "SLOW"
        print(f"  {backend:<6} {notebook[:2]} {name:<26} {row['median']:7.0f} {row['worst']:7.0f}"
              f"   input {row['input']:4.0f}  kernel {row['kernel']:5.0f} (compute "
              f"{row['refresh']:4.0f}, draw {row['draw']:4.0f}, encode+send {row['encode']:4.0f})"
              f"  wire {row['wire']:4.0f}  paint {row['paint']:4.0f}   {ok}", flush=True)
    for explorer in explorers:
        if page.has_play(explorer):
            rows.append(bench_play(page, explorer, names[explorer.index], backend, notebook,
                                   warmup_s, window_s, log_path))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=10)
    parser.add_argument("--backends", nargs="+", default=["inline", "ipympl"],
                        choices=["inline", "ipympl"])
    parser.add_argument("--notebooks", nargs="*", default=None,
                        help="notebook numbers or names (default: all)")
    parser.add_argument("--warmup", type=float, default=1.0,
                        help="seconds a Play plays before frames are counted")
    parser.add_argument("--window", type=float, default=5.0,
                        help="seconds in which a Play's changed frames are counted")
    parser.add_argument("--json", type=Path, default=None, help="write the rows here")
    args = parser.parse_args()
    names = labdriver.notebook_names()
    if args.notebooks:
        names = [n for n in names if any(n.startswith(p) for p in args.notebooks)]
    started = time.monotonic()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        log_path = Path(tmp) / "kernel_timing.jsonl"
        cell = KERNEL_TIMING.format(path=str(log_path))
        with labdriver.Lab(Path(tmp) / "lab", backends=args.backends, notebooks=names,
                           extra_first_cells=(cell,)) as lab, \
                labdriver.launch_browser() as browser:
            app = labdriver.LabPage(browser, lab, width=1280, height=900).load()
            app.show_file_browser()
            print(f"key press → changed pixels, ms ({args.presses} presses per explorer, "
                  f"first slider; goal median ≤ {GOAL_MEDIAN:.0f}, worst ≤ {GOAL_WORST:.0f})")
            print(f"  {'backend':<6} nb {'explorer':<26} {'median':>7} {'worst':>7}   "
                  "breakdown (medians)")
            for backend in args.backends:
                for notebook in names:
                    rows += bench_notebook(app, lab, backend, notebook, args.presses, log_path,
                                           args.warmup, args.window)
                    app.close_notebooks()
            app.close()
    for backend in args.backends:
        sel = [r for r in rows if r["backend"] == backend and r["measure"] == "latency"]
        if sel:
            print(f"{backend}: median of the explorers' medians "
                  f"{_median([r['median'] for r in sel]):.0f} ms, worst of all "
                  f"{max(r['worst'] for r in sel):.0f} ms over {len(sel)} explorers")
        for r in rows:
            if r["backend"] == backend and r["measure"] == "play":
                print(f"{backend}: {r['explorer']} plays at {r['fps']:.1f} frames/s "
                      f"(goal ≥ {GOAL_FPS:.0f})")
    print(f"({time.monotonic() - started:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
