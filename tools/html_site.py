"""Finish the static site that ``tools/build_html.sh`` (``make html``) builds with nbconvert.

- Every page gets a visible banner at the top, "Static copy — run in JupyterLab to move the
  sliders", and its sliders, dropdowns and buttons are greyed out and ignore the mouse: they
  render with the state they were saved in but cannot move without a kernel.
- Links between notebooks (``….ipynb``) lead to their pages (``….html``); stylesheets that
  outputs link from a CDN (Font Awesome, for matplotlib's animation buttons) to local copies.
- ``index.html`` lists the notebooks in lecture order: the course title, then one line per
  notebook (its number and title, linked to its page).

Nothing here loads anything from the network.

    .venv/bin/python tools/html_site.py --out html notebooks/*.ipynb
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The last package build_html.sh fetches from npm; with it in place no network is needed.
NPM_CACHE = ROOT / "build/npm/node_modules/font-awesome/css/font-awesome.min.css"

BANNER_TEXT = "Static copy — run in JupyterLab to move the sliders"
MARK = "npfl-static-banner"
COURSE_TITLE = "Training Neural Networks (NPFL114, lecture 2)"

STYLE = f"""<style id="{MARK}-style">
.{MARK} {{ position: sticky; top: 0; z-index: 1000; margin: 0 0 1em 0; padding: 0.6em 1em;
  background: #FFF4CE; border-bottom: 2px solid #E69F00; color: #222;
  font: 15px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; }}
.{MARK} code {{ background: #fff; padding: 0 0.3em; }}
.jupyter-widgets.widget-slider, .jupyter-widgets.widget-dropdown, .jupyter-widgets.widget-button,
.jupyter-widgets.widget-toggle-buttons, .jupyter-widgets.widget-checkbox,
.jupyter-widgets .noUi-target {{ pointer-events: none; opacity: 0.55; }}
</style>"""


def banner_html(index_link: bool = True) -> str:
    back = ' · <a href="index.html">all notebooks</a>' if index_link else ""
    return (f'<div class="{MARK}" role="note"><strong>{html.escape(BANNER_TEXT)}</strong>: '
            "the figures show the state the notebook was saved in. To explore, open the "
            "notebook in JupyterLab (<code>make lab</code>) and choose "
            f"<em>Run → Run All Cells</em>{back}.</div>")


def add_banner(page: str, index_link: bool = True) -> str:
    """``page`` with the banner after ``<body …>`` and its style before ``</head>`` (once).

    >>> out = add_banner("<html><head></head><body class='x'><p>hi</p></body></html>")
    >>> out.count("Static copy"), out.index("Static copy") > out.index("<body")
    (1, True)
    >>> add_banner(out) == out
    True
    """
    if MARK in page:
        return page
    page, n = re.subn(r"</head>", STYLE + "\n</head>", page, count=1, flags=re.I)
    if n == 0:
        page = STYLE + page
    page, n = re.subn(r"(<body[^>]*>)", lambda m: m.group(1) + "\n" + banner_html(index_link),
                      page, count=1, flags=re.I)
    if n == 0:
        page = banner_html(index_link) + page
    return page


def relink(page: str) -> str:
    """Links between notebooks (``04_gradient_descent.ipynb#anchor``) point at their pages.

    >>> relink('<a href="04_gradient_descent.ipynb#The-idea">04</a> <a href="x.ipynb">x</a>')
    '<a href="04_gradient_descent.html#The-idea">04</a> <a href="x.ipynb">x</a>'
    """
    return re.sub(r'href="(\d\d_[A-Za-z0-9_]+)\.ipynb(#[^"]*)?"',
                  lambda m: f'href="{m.group(1)}.html{m.group(2) or ""}"', page)


# Stylesheets that notebook outputs link from a CDN, and the copies build_html.sh puts beside
# the pages (matplotlib's JavaScript animations link Font Awesome for their buttons).
LOCAL_COPIES = {
    "https://maxcdn.bootstrapcdn.com/font-awesome/4.4.0/css/font-awesome.min.css":
        "_static/font-awesome/css/font-awesome.min.css",
}


def localize(page: str, out: Path | None = None) -> str:
    """Links to :data:`LOCAL_COPIES` point at the copies (when ``out`` holds them, or always
    when ``out`` is None).

    >>> localize('<link href="https://maxcdn.bootstrapcdn.com/font-awesome/4.4.0/css/'
    ...          'font-awesome.min.css" rel="stylesheet"/>')
    '<link href="_static/font-awesome/css/font-awesome.min.css" rel="stylesheet"/>'
    """
    for remote, local in LOCAL_COPIES.items():
        if out is None or (out / local).exists():
            page = page.replace(f'"{remote}"', f'"{local}"')
    return page


def notebook_title(path: Path) -> str:
    """The text of a notebook's first ``# `` heading (Markdown emphasis removed), else its name.

    >>> import json, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "01_x.ipynb"
    >>> _ = p.write_text(json.dumps({"cells": [{"cell_type": "markdown",
    ...                                         "source": ["# 01 · *Estimators* and bias\\n"]}]}))
    >>> notebook_title(p)
    '01 · Estimators and bias'
    """
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell["source"]
        text = "".join(source) if isinstance(source, list) else source
        for line in text.splitlines():
            if line.startswith("# "):
                return re.sub(r"[*_`]", "", line[2:]).strip()
    return path.stem


def index_html(notebooks: list[Path]) -> str:
    """The index page: the course title and one line per notebook, in lecture order."""
    rows = []
    for path in sorted(notebooks, key=lambda p: p.name):
        number = path.name.split("_", 1)[0]
        title = notebook_title(path)
        if not title.startswith(number):
            title = f"{number} · {title}"
        rows.append(f'  <li><a href="{html.escape(path.stem)}.html">{html.escape(title)}</a></li>')
    items = "\n".join(rows)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(COURSE_TITLE)}</title>
<style>
body {{ max-width: 46em; margin: 0 auto 3em auto; padding: 0 1em;
  font: 17px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; }}
h1 {{ font-size: 1.7em; margin: 1em 0 0.3em 0; }}
ol {{ list-style: none; padding: 0; }}
li {{ padding: 0.35em 0; border-bottom: 1px solid #eee; }}
a {{ color: #0072B2; text-decoration: none; }}
a:hover {{ text-decoration: underline; }}
</style>
{STYLE}
</head>
<body>
{banner_html(index_link=False)}
<h1>{html.escape(COURSE_TITLE)}</h1>
<p>Interactive notebooks, here as static pages in lecture order.</p>
<ol>
{items}
</ol>
</body>
</html>
"""


def finish(out: Path, notebooks: list[Path]) -> list[Path]:
    """Add banners to ``out/<name>.html`` of each notebook and write ``out/index.html``."""
    done = []
    for path in notebooks:
        page = out / f"{path.stem}.html"
        if page.exists():
            text = localize(relink(add_banner(page.read_text(encoding="utf-8"))), out)
            page.write_text(text, encoding="utf-8")
            done.append(path)
    (out / "index.html").write_text(index_html(done), encoding="utf-8")
    return done


def can_build_offline_pages() -> bool:
    """Whether ``build_html.sh`` can copy its scripts beside the pages (npm, or its cache)."""
    return NPM_CACHE.exists() or shutil.which("npm") is not None


def build_pages(out: Path, *notebooks: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run ``tools/build_html.sh`` for ``notebooks`` (paths relative to the repository) into
    ``out`` with this interpreter's ``bin`` directory; the result carries its output."""
    env = dict(os.environ, OUT=str(out), BIN=str(Path(sys.executable).parent))
    env.pop("MPLBACKEND", None)  # the kernels draw inline, as in JupyterLab
    return subprocess.run(["bash", str(ROOT / "tools" / "build_html.sh"), *notebooks],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("html"))
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args()
    done = finish(args.out, args.notebooks)
    print(f"{args.out / 'index.html'}: {len(done)} notebooks, each with a static-copy banner")


if __name__ == "__main__":
    main()
