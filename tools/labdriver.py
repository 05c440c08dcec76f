"""Drive the notebooks in a real JupyterLab with headless Chromium.

Shared by the browser tests (``tests/test_browser.py``), the latency benchmark
(``benchmarks/bench_browser.py``) and the README screenshots (``tools/make_figures.py``).

- :class:`Lab` starts a private JupyterLab server on a free port, serving a COPY of the
  notebooks (autosave would otherwise rewrite the originals), with its own config, data,
  runtime, IPython and matplotlib directories, and stops it by its own process id.
  ``backend="ipympl"`` copies each notebook with ``%matplotlib widget`` as an extra first cell.
- :func:`launch_browser` starts Debian's Chromium through Playwright.
- :class:`LabPage` loads JupyterLab once in a page (a workspace of its own) and opens the
  notebooks in it one after another; :class:`NotebookPage` runs one and drives its explorers.
  Every wait is on a state, never a fixed sleep: kernel idle, every code cell numbered, every
  widget view rendered, a figure's pixels changed (``labdriver.js`` holds the page side).

Needs the ``playwright`` package (``pip install -e '.[browser]'``) and a Chromium binary
(``apt-get install chromium``); ``playwright install`` is not needed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

# The mark of the notebook cell added for the ipympl backend.
IPYMPL_CELL = "# added by the browser tests: the ipympl backend\n%matplotlib widget"


def find_chromium() -> str | None:
    """The Chromium binary (``$NPFL_CHROMIUM``, ``chromium`` on PATH), or None."""
    for candidate in (os.environ.get("NPFL_CHROMIUM"), shutil.which("chromium"),
                      shutil.which("chromium-browser"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def notebook_names(source: Path = ROOT) -> list[str]:
    """Every notebook of the course, in lecture order (by file name)."""
    return sorted(p.name for p in (Path(source) / "notebooks").glob("*.ipynb"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_notebook(src: Path, dst: Path, backend: str = "inline",
                  extra_first_cells: tuple[str, ...] = ()) -> None:
    """Copy a notebook; for ``backend="ipympl"`` add ``%matplotlib widget`` as its first cell."""
    nb = json.loads(src.read_text(encoding="utf-8"))
    first = list(extra_first_cells)
    if backend == "ipympl":
        first.insert(0, IPYMPL_CELL)
    elif backend != "inline":
        raise ValueError(f"backend must be 'inline' or 'ipympl', got {backend!r}")
    cells = [{"cell_type": "code", "execution_count": None, "id": f"added{i}", "metadata": {},
              "outputs": [], "source": source} for i, source in enumerate(first)]
    nb["cells"] = cells + nb["cells"]
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(json.dumps(nb, indent=1), encoding="utf-8")


class Lab:
    """A private JupyterLab server on copies of the notebooks.

    ``backends`` lists the copies to make: ``<root>/inline/NN.ipynb`` (as stored) and
    ``<root>/ipympl/NN.ipynb`` (with ``%matplotlib widget`` first). Use as a context manager.
    """

    def __init__(self, workdir: Path, backends=("inline",), notebooks: list[str] | None = None,
                 extra_first_cells: tuple[str, ...] = (), startup_timeout: float = 120.0,
                 source: Path = ROOT):
        self.workdir = Path(workdir)
        self.source = Path(source)  # the checkout whose notebooks and package are served
        self.backends = tuple(backends)
        self.notebooks = notebooks if notebooks is not None else notebook_names(self.source)
        self.extra_first_cells = extra_first_cells
        self.startup_timeout = startup_timeout
        self.root = self.workdir / "root"
        self.proc: subprocess.Popen | None = None
        self.port = _free_port()
        self.token = uuid.uuid4().hex
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.workdir / "lab.log"
        self._log = None

    def path(self, backend: str, notebook: str) -> str:
        """The server-relative path of a notebook copy."""
        return f"{backend}/{notebook}"

    def start(self) -> Lab:
        for backend in self.backends:
            for name in self.notebooks:
                copy_notebook(self.source / "notebooks" / name, self.root / backend / name, backend,
                              self.extra_first_cells)
        env = dict(os.environ)
        for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR",
                    "IPYTHONDIR", "MPLCONFIGDIR"):
            d = self.workdir / var.lower()
            d.mkdir(parents=True, exist_ok=True)
            env[var] = str(d)
        env.pop("MPLBACKEND", None)  # the root conftest's Agg must not reach the kernels
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(self.source),
                                                          env.get("PYTHONPATH")]))
        for _attempt in range(3):  # the free port may be taken before the server binds it
            if self._launch(env):
                return self
            self.stop()
            self.port = _free_port()
            self.url = f"http://127.0.0.1:{self.port}"
        raise RuntimeError("JupyterLab exited:\n" + self.log_tail())

    def _launch(self, env) -> bool:
        """Start the server; True once it answers, False if it exited (e.g. port taken)."""
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
               "--ServerApp.ip=127.0.0.1", f"--port={self.port}", "--ServerApp.port_retries=0",
               f"--ServerApp.token={self.token}", f"--ServerApp.root_dir={self.root}",
               "--ServerApp.open_browser=False", "--LabApp.expose_app_in_browser=True"]
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(cmd, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     cwd=self.workdir)
        deadline = time.monotonic() + self.startup_timeout
        status = f"{self.url}/api/status?token={self.token}"
        while True:
            if self.proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(status, timeout=2) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("JupyterLab did not answer in time:\n" + self.log_tail())
            time.sleep(0.2)  # polling the server's status, not waiting for a fixed time
        return True

    def log_tail(self, n: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # the server shuts its kernels down
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def _api(self, method: str, path: str):
        request = urllib.request.Request(f"{self.url}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=30) as r:
            body = r.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Shut down every kernel session (a closed page leaves its kernel running)."""
        for session in self._api("GET", "/api/sessions"):
            self._api("DELETE", f"/api/sessions/{session['id']}")

    def __enter__(self) -> Lab:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@contextlib.contextmanager
def launch_browser(chromium: str | None = None):
    """Headless Chromium through Playwright (yields the Browser)."""
    from playwright.sync_api import sync_playwright

    chromium = chromium or find_chromium()
    if chromium is None:
        raise RuntimeError("no chromium binary found (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# --- in the page ------------------------------------------------------------------------------

# The page-side helpers (window.__npfl): readiness, run-all state, explorers, fingerprints, timing.
PAGE_SCRIPT = (Path(__file__).with_name("labdriver.js")).read_text(encoding="utf-8")


@dataclass
class Explorer:
    """One explorer on the page: its index among explorers and its first enabled slider."""

    index: int
    kind: str  # "inline" or "ipympl"
    slider_label: str
    at_max: bool
    latencies_ms: list[float] = field(default_factory=list)


class LabPage:
    """One browser page with JupyterLab loaded; notebooks are opened in it one after another.

    Loading JupyterLab takes seconds; opening a notebook in the running app does not.
    """

    def __init__(self, browser, lab: Lab, width: int = 1280, height: int = 900):
        self.lab = lab
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.page.add_init_script(PAGE_SCRIPT)
        self.console_errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))
        self.page.on("dialog", lambda dialog: dialog.dismiss())  # "leave the page?"

    def load(self, timeout_s: float = 120.0) -> LabPage:
        workspace = "w" + uuid.uuid4().hex[:16]
        self.page.goto(f"{self.lab.url}/lab/workspaces/{workspace}?reset&token={self.lab.token}")
        self.page.wait_for_function("() => window.jupyterapp !== undefined",
                                    timeout=timeout_s * 1000, polling=100)
        self.page.evaluate("() => window.jupyterapp.restored")
        return self

    def open(self, path: str, timeout_s: float = 120.0) -> NotebookPage:
        """Open a notebook (server-relative path) and wait until its kernel is idle."""
        self.close_notebooks()
        self.console_errors.clear()
        notebook = NotebookPage(self, path)
        self.page.evaluate("(path) => { window.jupyterapp.commands.execute("
                           "'docmanager:open', {path, factory: 'Notebook'}); }", path)
        self.page.wait_for_function("(n) => window.__npfl.ready(n)", arg=notebook.n_cells,
                                    timeout=timeout_s * 1000, polling=100)
        return notebook

    def close_notebooks(self) -> None:
        """Close every open document without saving and shut down every kernel."""
        if not self.page.is_closed():
            self.page.evaluate("""() => {
                for (const w of [...window.jupyterapp.shell.widgets('main')]) {
                  if (w.context) { w.context.model.dirty = false; w.dispose(); }
                }}""")
        self.lab.shutdown_kernels()

    def show_file_browser(self) -> None:
        """Open the left side panel on the file browser (as a learner sees it)."""
        page = self.page
        if page.locator("#filebrowser").is_visible():
            return
        page.locator('.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="filebrowser"]').click()
        page.wait_for_selector("#filebrowser", state="visible")

    def close_side_panel(self) -> None:
        page = self.page
        if page.locator("#filebrowser").is_visible():
            page.locator('.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="filebrowser"]').click()
            page.wait_for_selector("#filebrowser", state="hidden")

    def toasts(self) -> list[str]:
        """Texts of the notifications (toasts) shown over the notebook."""
        return [t for t in self.page.locator(".Toastify__toast").all_inner_texts() if t.strip()]

    def screenshot(self, path: Path, **kwargs) -> None:
        self.page.screenshot(path=str(path), **kwargs)

    def close(self) -> None:
        if not self.page.is_closed():
            self.page.close()


class NotebookPage:
    """The notebook open in a :class:`LabPage`."""

    def __init__(self, app: LabPage, path: str):
        self.app = app
        self.page = app.page
        self.path = path
        nb = json.loads((app.lab.root / path).read_text(encoding="utf-8"))
        self.n_cells = len(nb["cells"])

    def run_all(self, timeout_s: float = 300.0) -> None:
        """Run → Run All Cells, then wait until the kernel is idle and every cell has run."""
        page = self.page
        page.click('.lm-MenuBar-itemLabel:text-is("Run")')
        page.click('li.lm-Menu-item[data-command="runmenu:run-all"]')
        page.wait_for_function("() => window.__npfl.runFinished()", timeout=timeout_s * 1000,
                               polling=100)
        page.wait_for_function("() => window.__npfl.widgetsSettled()", timeout=60_000,
                               polling=100)
        self.wait_quiet()  # widget views and canvases have sent their first requests

    def errors(self) -> list[str]:
        """Error outputs (tracebacks) and widget views that failed to render."""
        page = self.page
        stderr = page.locator(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
        ).all_inner_texts()
        found = [t for t in stderr if "Traceback" in t or "Error" in t or "Warning" in t]
        views = page.evaluate(
            "() => window.__npfl.outputs().map(v => v.textContent.slice(0, 300))")
        found += [f"cell not run: {t}" for t in page.evaluate("() => window.__npfl.notRun()")]
        found += [f"widget view: {t}" for t in views
                  if t.startswith("Error displaying widget") or t.startswith("Loading widget")]
        return found

    def overflowing_figures(self) -> list[dict]:
        return self.page.evaluate("() => window.__npfl.overflows()")

    def explorers(self) -> list[Explorer]:
        """The explorers on the page and the first enabled slider of each."""
        found = self.page.evaluate("() => window.__npfl.describeExplorers()")
        return [Explorer(f["index"], f["kind"], f["label"], f["atMax"]) for f in found]

    def _handle(self, explorer: Explorer):
        return self.page.evaluate_handle("(i) => window.__npfl.sliderHandle(i)",
                                         explorer.index).as_element()

    def press_and_time(self, explorer: Explorer, key: str | None = None,
                       timeout_s: float = 30.0) -> dict:
        """Press one arrow key on the explorer's first slider; time it until the figure changes.

        Returns the page's record: ``ms`` (None if the figure did not change in time), ``t0``
        (keydown), ``done`` (first changed frame), ``sent``/``recv`` (WebSocket messages as
        ``[time, bytes]``).
        """
        handle = self._handle(explorer)
        handle.scroll_into_view_if_needed()
        # ipympl canvases that come into view ask the kernel for a full image: let it finish
        self.wait_quiet(explorer)
        if key is None:
            key = "ArrowLeft" if explorer.at_max else "ArrowRight"
        # focus last: JupyterLab may move the focus while the page settles
        handle.focus()
        self.page.wait_for_function("(h) => document.activeElement === h", arg=handle,
                                    timeout=10_000, polling="raf")
        armed = self.page.evaluate("([i, t]) => window.__npfl.arm(i, t)",
                                   [explorer.index, timeout_s * 1000])
        if not armed:
            raise AssertionError(f"{self.path}: explorer {explorer.index} shows no figure yet")
        before = handle.get_attribute("aria-valuenow")
        focused = handle.evaluate("(h) => document.activeElement === h")
        handle.press(key)  # focuses the handle again if it lost the focus meanwhile
        result = self.page.evaluate("() => window.__npfl.result")
        result |= {"key": key, "focused": focused, "value_before": before,
                   "value_after": handle.get_attribute("aria-valuenow")}
        if result["ms"] is not None:
            explorer.latencies_ms.append(result["ms"])
        return result

    def has_button(self, explorer: Explorer) -> bool:
        return self.page.evaluate("(i) => window.__npfl.button(i) !== null", explorer.index)

    def click_and_wait(self, explorer: Explorer, timeout_s: float = 180.0) -> dict:
        """Click the explorer's first button (e.g. "Train"); time it until the figure changes."""
        armed = self.page.evaluate("([i, t]) => window.__npfl.arm(i, t)",
                                   [explorer.index, timeout_s * 1000])
        if not armed:
            raise AssertionError(f"{self.path}: explorer {explorer.index} shows no figure yet")
        self.page.evaluate("(i) => window.__npfl.button(i).click()", explorer.index)
        return self.page.evaluate("() => window.__npfl.result")

    def wait_quiet(self, explorer: Explorer | None = None, frames: int = 10,
                   quiet_ms: float = 300.0, timeout_s: float = 120.0) -> None:
        """Wait until the kernel is idle, no message has passed for ``quiet_ms`` and the
        explorer's figure (if given) has not changed for ``frames`` frames."""
        index = -1 if explorer is None else explorer.index
        quiet = self.page.evaluate("([i, n, q, t]) => window.__npfl.quiet(i, n, q, t)",
                                   [index, frames, quiet_ms, timeout_s * 1000])
        if not quiet:
            raise AssertionError(f"{self.path}: explorer {index} did not settle")

    def code_cell(self, text: str):
        """The code cell (a Playwright locator) whose source contains ``text``."""
        index = self.page.evaluate("(t) => window.__npfl.codeCellWith(t)", text)
        if index < 0:
            raise LookupError(f"{self.path}: no code cell contains {text!r}")
        return self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook "
                                 ".jp-CodeCell").nth(index), index

    def explorer_in_cell(self, text: str) -> Explorer:
        """The explorer displayed by the code cell whose source contains ``text``."""
        _, cell_index = self.code_cell(text)
        index = self.page.evaluate("(i) => window.__npfl.explorerOfCell(i)", cell_index)
        for explorer in self.explorers():
            if explorer.index == index:
                return explorer
        raise LookupError(f"{self.path}: the cell with {text!r} shows no explorer")

    def scroll_to_top(self) -> None:
        self.page.evaluate("() => window.__npfl.scrollToTop()")

    def explorer_element(self, explorer: Explorer):
        """The explorer's view (an ElementHandle, e.g. for a screenshot)."""
        return self.page.evaluate_handle("(i) => window.__npfl.explorers()[i]",
                                         explorer.index).as_element()

    def has_play(self, explorer: Explorer) -> bool:
        """Does the explorer have a Play (an ``ipywidgets.Play``)?"""
        return self.page.evaluate("(i) => window.__npfl.playButton(i) !== null", explorer.index)

    def play_changes(self, explorer: Explorer, changes: int = 3, timeout_s: float = 60.0) -> dict:
        """Press the explorer's Play until its figure has changed ``changes`` times, press
        Pause and wait until the kernel and the figure are quiet. Returns ``{"changes": …,
        "ms": …}`` (``ms`` None if the figure changed fewer times within ``timeout_s``)."""
        handle = self.page.evaluate_handle("(i) => window.__npfl.playButton(i)",
                                           explorer.index).as_element()
        handle.scroll_into_view_if_needed()
        self.wait_quiet(explorer)
        result = self.page.evaluate("([i, n, t]) => window.__npfl.playChanges(i, n, t)",
                                    [explorer.index, changes, timeout_s * 1000])
        self.page.wait_for_function("(i) => !window.__npfl.playing(i)", arg=explorer.index,
                                    timeout=10_000, polling=100)
        self.wait_quiet(explorer)
        return result

    def measure_play(self, explorer: Explorer, warmup_s: float = 1.0, window_s: float = 5.0,
                     timeout_s: float = 60.0) -> dict | None:
        """Press the explorer's Play; once its figure first changes, let it play ``warmup_s``,
        count for ``window_s`` the animation frames in which the figure's pixels changed, press
        Pause and wait until the kernel and the figure are quiet.

        Returns the page's record (``fps``, ``changes``, ``frames``, ``ms``, ``sent``: the
        Play's value messages sent in the window, ``recvBytes``, ``firstMs``), or None if the
        figure did not change within ``timeout_s``.
        """
        handle = self.page.evaluate_handle("(i) => window.__npfl.playButton(i)",
                                           explorer.index).as_element()
        handle.scroll_into_view_if_needed()
        self.wait_quiet(explorer)
        result = self.page.evaluate(
            "([i, w, n, t]) => window.__npfl.measurePlay(i, w, n, t)",
            [explorer.index, warmup_s * 1000, window_s * 1000, timeout_s * 1000])
        self.page.wait_for_function("(i) => !window.__npfl.playing(i)", arg=explorer.index,
                                    timeout=10_000, polling=100)
        self.wait_quiet(explorer)
        return result
