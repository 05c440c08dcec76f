"""End-to-end: every notebook in real JupyterLab in headless Chromium, as a learner uses it.

For both backends — the notebooks as stored (inline figures) and a copy with ``%matplotlib
widget`` as its first cell (ipympl) — each notebook is opened in a 1280-px-wide window with the
file browser open, run with *Run → Run All Cells*, and checked:

- no cell shows an error and every code cell ran; no widget view failed to render;
- no pop-up (JupyterLab's news toast) covers the notebook;
- no figure is wider than its output area;
- the first slider of every explorer, moved by one key press, changes the explorer's figure.

Every wait is on a state (kernel idle, every cell numbered, widget views rendered, figure pixels
changed), never a fixed sleep. Notebooks are found by glob, so new ones are covered. The server,
on a copy of the notebooks with private Jupyter directories, and the browser are started and
stopped by the tests (``tools/labdriver.py``).

Needs Debian's ``chromium`` and ``playwright`` (``pip install -e '.[browser]'``); skipped
unless ``NPFL_BROWSER_TESTS=1`` (``make test-browser`` sets it). ``NPFL_BROWSER_SCREENSHOTS=dir``
saves a screenshot of every notebook after Run All and of every explorer after its key press.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import labdriver  # noqa: E402

BACKENDS = ("inline", "ipympl")
NOTEBOOKS = labdriver.notebook_names()
SCREENSHOTS = os.environ.get("NPFL_BROWSER_SCREENSHOTS")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(os.environ.get("NPFL_BROWSER_TESTS") != "1",
                       reason="browser tests run with NPFL_BROWSER_TESTS=1 (make test-browser)"),
]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """One fresh JupyterLab server for the module, with a copy of the notebooks per backend."""
    if labdriver.find_chromium() is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    pytest.importorskip("playwright")
    with labdriver.Lab(tmp_path_factory.mktemp("lab"), backends=BACKENDS) as server:
        yield server


@pytest.fixture(scope="module")
def app(lab):
    """JupyterLab loaded once in a 1280 × 900 page with the file browser open."""
    with labdriver.launch_browser() as browser:
        page = labdriver.LabPage(browser, lab, width=1280, height=900).load()
        page.show_file_browser()
        yield page
        page.close()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_runs_fits_and_its_sliders_respond(app, lab, notebook, backend):
    started = time.monotonic()
    try:
        page = app.open(lab.path(backend, notebook))
        opened = time.monotonic()
        page.run_all()
        ran = time.monotonic()

        errors = page.errors()
        assert not errors, f"{backend}/{notebook}:\n" + "\n".join(errors)[:4000]
        assert not app.toasts(), f"{backend}/{notebook}: a pop-up shows: {app.toasts()}"
        assert not app.console_errors, f"{backend}/{notebook}: {app.console_errors[:3]}"
        too_wide = page.overflowing_figures()
        assert not too_wide, f"{backend}/{notebook}: figures wider than their output area: " \
                             f"{too_wide}"

        explorers = page.explorers()
        for explorer in explorers:
            assert explorer.kind == backend, f"{backend}/{notebook}: explorer " \
                f"{explorer.index} is drawn as {explorer.kind}"
            # generous: under load an ipympl page may answer other canvases' image requests first
            result = page.press_and_time(explorer,
                                         timeout_s=30.0 if page.has_button(explorer) else 90.0)
            if result["ms"] is None and page.has_button(explorer):
                # settings that take effect when the learner presses the explorer's button
                result = page.click_and_wait(explorer)
            if SCREENSHOTS:
                page.explorer_element(explorer).screenshot(
                    path=str(Path(SCREENSHOTS) / f"{Path(notebook).stem}-{backend}-"
                                                 f"explorer{explorer.index}.png"))
            assert result["ms"] is not None, (
                f"{backend}/{notebook}: the first slider ({explorer.slider_label!r}) of "
                f"explorer {explorer.index} did not change its figure: {result.get('key')} "
                f"(handle focused: {result.get('focused')}) moved it from "
                f"{result.get('value_before')} to {result.get('value_after')}; "
                f"{len(result['sent'])} messages sent, {len(result['recv'])} received")
            if page.has_play(explorer):  # a live explorer: playing moves its figure, frame by frame
                played = page.play_changes(explorer, changes=3)
                assert played["ms"] is not None, (
                    f"{backend}/{notebook}: explorer {explorer.index} played, but its figure "
                    f"changed only {played['changes']} times")
        if SCREENSHOTS:  # the notebook where the last explorer left it, every figure drawn
            page.wait_quiet()
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            app.screenshot(Path(SCREENSHOTS) / f"{Path(notebook).stem}-{backend}.png")
        moved = ", ".join(f"{e.slider_label} {e.latencies_ms[0]:.0f} ms" for e in explorers
                          if e.latencies_ms)
        print(f"{backend}/{notebook}: open {opened - started:.1f} s, run all "
              f"{ran - opened:.1f} s, {len(explorers)} explorers ({moved}), "
              f"total {time.monotonic() - started:.1f} s")
    finally:
        app.close_notebooks()
