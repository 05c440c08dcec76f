"""The static site in headless Chromium: a page built by ``tools/build_html.sh`` renders its
sliders, figures and math from files beside it, requests nothing from the network, shows the
"static copy" banner, and its controls are visibly inert.

Opt-in like ``tests/test_browser.py`` (``NPFL_BROWSER_TESTS=1``, ``make test-browser``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import html_site  # noqa: E402
import labdriver  # noqa: E402

PAGE = "00_start_here"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(os.environ.get("NPFL_BROWSER_TESTS") != "1",
                       reason="browser tests run with NPFL_BROWSER_TESTS=1 (make test-browser)"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if labdriver.find_chromium() is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    pytest.importorskip("playwright")
    if not html_site.can_build_offline_pages():
        pytest.skip("no npm and no build/npm cache: the page would load its scripts from a CDN")
    out = tmp_path_factory.mktemp("html")
    result = html_site.build_pages(out, f"notebooks/{PAGE}.ipynb")
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def test_static_page_renders_offline_with_a_banner(site):
    with labdriver.launch_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        for name in ("index", PAGE):
            page.goto((site / f"{name}.html").as_uri())
            banner = page.locator(f".{html_site.MARK}")
            assert banner.is_visible()
            assert html_site.BANNER_TEXT in banner.inner_text()
        # the widget renderer (local copy) draws the saved slider and figure; MathJax typesets
        page.wait_for_selector(".widget-slider", timeout=60_000)
        page.wait_for_selector(".widget-output img", timeout=60_000)
        page.wait_for_selector(".MathJax_CHTML, mjx-container", timeout=60_000)
        inert = page.evaluate("() => getComputedStyle("
                              "document.querySelector('.widget-slider')).pointerEvents")
        assert inert == "none"
        remote = [u for u in requests if not u.startswith(("file:", "data:", "blob:"))]
        assert not remote, f"the static pages requested {remote}"
        page.close()
