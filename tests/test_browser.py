"""End-to-end: every notebook in real JupyterLab in headless Chromium, as a learner would use it.

Runs all cells of each notebook, checks that no cell shows an error, then moves every slider of
the explorers one step and checks that the figure next to it changes. Needs Debian's
``chromium`` and the ``playwright`` package; skipped unless ``NPFL_BROWSER_TESTS=1``
(``make test-browser`` sets it).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(os.environ.get("NPFL_BROWSER_TESTS") != "1",
                       reason="browser tests run with NPFL_BROWSER_TESTS=1 (make test-browser)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A fresh JupyterLab server on a copy of the notebooks, with private config dirs."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    pytest.importorskip("playwright")
    base = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", base / "notebooks")
    env = dict(os.environ)
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR",
                "MPLCONFIGDIR"):
        (base / var).mkdir()
        env[var] = str(base / var)
    env.pop("MPLBACKEND", None)
    port, token = _free_port(), uuid.uuid4().hex
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
           "--ServerApp.ip=127.0.0.1", f"--port={port}", f"--ServerApp.token={token}",
           f"--ServerApp.root_dir={base / 'notebooks'}"]
    log = open(base / "lab.log", "w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("JupyterLab did not start: " + (base / "lab.log").read_text()[-2000:])
    yield url, token
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield b
        b.close()


def _wait_idle(page, timeout_s: float) -> None:
    deadline = time.time() + timeout_s
    quiet_since = None
    while time.time() < deadline:
        idle = page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').count() > 0
        busy = page.locator(".jp-InputPrompt:text('[*]')").count() > 0
        if idle and not busy:
            quiet_since = quiet_since or time.time()
            if time.time() - quiet_since > 3:
                return
        else:
            quiet_since = None
        time.sleep(0.5)
    raise AssertionError("the notebook did not finish running in time")


def _hash(locator) -> str:
    """Hash of the element's pixels; the image is replaced on every update, so retry."""
    from playwright.sync_api import Error

    for attempt in range(10):
        try:
            return hashlib.sha256(locator.screenshot(timeout=5_000)).hexdigest()
        except Error:
            if attempt == 9:
                raise
            time.sleep(0.3)
    raise AssertionError("unreachable")


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_runs_and_sliders_respond(lab, browser, notebook):
    url, token = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    workspace = "w" + uuid.uuid4().hex[:12]
    page.goto(f"{url}/lab/workspaces/{workspace}/tree/{notebook}?reset&token={token}")
    page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', timeout=90_000)
    page.click('.lm-MenuBar-itemLabel:text-is("Run")')
    page.click('li.lm-Menu-item[data-command="runmenu:run-all"]')
    time.sleep(2)
    _wait_idle(page, timeout_s=240)

    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    tracebacks = [t for t in errors.all_inner_texts() if "Traceback" in t or "Error" in t]
    assert not tracebacks, f"{notebook}: error output\n" + "\n".join(tracebacks)[:3000]

    sliders = page.locator(".widget-slider .noUi-handle")
    moved = 0
    for i in range(min(sliders.count(), 12)):
        handle = sliders.nth(i)
        target = handle.locator("xpath=ancestor::div[contains(@class,'noUi-target')][1]")
        if target.get_attribute("disabled") is not None:
            continue  # e.g. the learning rate of an optimiser that is switched off
        widget = handle.locator("xpath=ancestor::div[contains(@class,'jp-OutputArea-output')][1]")
        figure = widget.locator(".widget-output img, .jupyter-matplotlib-figure canvas").first
        if figure.count() == 0:
            continue
        handle.scroll_into_view_if_needed()
        before = _hash(figure)
        handle.focus()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        for _ in range(40):
            time.sleep(0.25)
            if _hash(figure) != before:
                moved += 1
                break
        else:
            button = widget.locator(".widget-button")
            if button.count():  # settings that take effect when the learner presses "Train"
                button.first.click()
                deadline = time.time() + 120
                while _hash(figure) == before and time.time() < deadline:
                    time.sleep(1.0)
            assert _hash(figure) != before, f"{notebook}: slider {i} did not change its figure"
            moved += 1
    if sliders.count():
        assert moved > 0, f"{notebook}: no slider with a figure found"
    page.close()
