"""The static site (``make html``): one page built for real, checked to load nothing from the
network, to carry the "static copy" banner and to link to its neighbours' pages; the index
lists the notebooks in lecture order.

Building a page executes ``00_start_here`` with nbconvert (a few seconds) and needs the widget
renderer, require.js, MathJax and Font Awesome from npm (``build/npm``, fetched once by
``tools/build_html.sh``); without npm and without that cache the page test is skipped, since
the pages would then load those from a CDN.
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import html_site  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PAGE = "00_start_here"

# attributes through which a page loads something (``<a href>`` is a link, not a load)
_LOADING = {("script", "src"), ("img", "src"), ("iframe", "src"), ("embed", "src"),
            ("source", "src"), ("video", "src"), ("audio", "src"), ("track", "src"),
            ("input", "src"), ("link", "href"), ("object", "data"), ("img", "srcset"),
            ("source", "srcset"), ("image", "href"), ("use", "href")}
_EXTERNAL = re.compile(r"^\s*(?:https?:)?//", re.I)
_CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""", re.I)


class _Loads(HTMLParser):
    """Collect every URL a page loads: loading attributes, CSS url(...) and @import."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str]] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if (tag, name) in _LOADING:
                for part in value.split(",") if name == "srcset" else [value]:
                    self.urls.append((f"<{tag} {name}>", part.strip().split(" ")[0]))
            if name == "style":
                self.urls += [(f"<{tag} style>", u) for u in _CSS_URL.findall(value)]
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.urls += [("<style>", u) for u in _CSS_URL.findall(data)]


def loaded_urls(page: str) -> list[tuple[str, str]]:
    parser = _Loads()
    parser.feed(page)
    return parser.urls


def test_the_parser_finds_what_a_page_loads():
    page = """<html><head><link rel="stylesheet" href="https://cdn.x/a.css">
    <style>@import "//cdn.x/b.css"; .a { background: url('https://cdn.x/c.png') }</style>
    <script src="_static/require.js"></script></head>
    <body><a href="https://example.org">a link is no load</a><img src="data:image/png;base64,AA">
    <div style="background-image: url(http://cdn.x/d.png)"></div></body></html>"""
    external = [u for _, u in loaded_urls(page) if _EXTERNAL.match(u)]
    assert external == ["https://cdn.x/a.css", "//cdn.x/b.css", "https://cdn.x/c.png",
                        "http://cdn.x/d.png"]


def test_index_lists_every_notebook_in_lecture_order_one_line_each():
    page = html_site.index_html(list(reversed(NOTEBOOKS)))
    assert html_site.COURSE_TITLE in page and html_site.BANNER_TEXT in page
    links = re.findall(r'<li><a href="([^"]+)\.html">([^<]+)</a></li>', page)
    assert [stem for stem, _ in links] == [p.stem for p in NOTEBOOKS]
    for (stem, title), path in zip(links, NOTEBOOKS, strict=True):
        assert title.startswith(stem[:2]), (stem, title)
        assert title.replace("&amp;", "&") == html_site.notebook_title(path) or \
            title.endswith(html_site.notebook_title(path))
    assert not [u for _, u in loaded_urls(page) if _EXTERNAL.match(u)]


def test_banner_and_relink_are_idempotent():
    page = "<html><head></head><body><a href='x'>x</a></body></html>"
    once = html_site.add_banner(page)
    assert html_site.add_banner(once) == once
    assert once.count(html_site.BANNER_TEXT) == 1


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """``tools/build_html.sh`` for one notebook into a temporary directory."""
    if not html_site.can_build_offline_pages():
        pytest.skip("no npm and no build/npm cache: pages would load their scripts from a CDN")
    out = tmp_path_factory.mktemp("html")
    result = html_site.build_pages(out, f"notebooks/{PAGE}.ipynb")
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def test_built_page_loads_no_external_url(built):
    page = (built / f"{PAGE}.html").read_text(encoding="utf-8")
    urls = loaded_urls(page)
    assert any("require.js" in u for _, u in urls)  # the parser sees the page's scripts
    external = [(where, u) for where, u in urls if _EXTERNAL.match(u)]
    assert not external, f"{PAGE}.html loads from the network: {external}"
    missing = [u for _, u in urls
               if not u.startswith(("data:", "#", "blob:"))
               and not (built / u.split("?")[0].split("#")[0]).exists()]
    assert not missing, f"{PAGE}.html loads files that are not beside it: {missing}"


def test_built_page_has_the_banner_and_links_to_pages(built):
    page = (built / f"{PAGE}.html").read_text(encoding="utf-8")
    body = page[page.index("<body"):]
    assert body.index(html_site.BANNER_TEXT) < body.index("Training Neural Networks")
    assert 'href="01_estimators_and_bias.html"' in page
    assert not re.search(r'href="\d\d_\w+\.ipynb', page)
    index = (built / "index.html").read_text(encoding="utf-8")
    assert f'href="{PAGE}.html"' in index


def test_cdn_stylesheets_are_served_from_local_copies(tmp_path):
    remote, local = next(iter(html_site.LOCAL_COPIES.items()))
    page = f'<html><head><link href="{remote}" rel="stylesheet"/></head><body></body></html>'
    assert html_site.localize(page, tmp_path) == page  # no copy beside the pages: unchanged
    (tmp_path / local).parent.mkdir(parents=True)
    (tmp_path / local).write_text("/* copy */")
    localized = html_site.localize(page, tmp_path)
    assert not [u for _, u in loaded_urls(localized) if _EXTERNAL.match(u)]
