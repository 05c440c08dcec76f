"""Screenshots of the course in JupyterLab for the README (``make figures``).

Uses the browser tests' driver (``tools/labdriver.py``): a private JupyterLab on a copy of the
notebooks, headless Chromium, *Run All*, then pictures of

- ``docs/start-here.png``: the first screen of ``00_start_here`` (the whole window),
- ``docs/momentum-explorer.png``: the momentum explorer of notebook 07,
- ``docs/optimizer-explorer.png``: the optimiser explorer of notebook 08,

so the README shows what the notebooks really look like today. Needs ``playwright`` and a
chromium binary, like ``make test-browser``.

    .venv/bin/python tools/make_figures.py [--out docs]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import labdriver  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

# (file name, notebook, text of the code cell that shows the explorer, or None for the window,
#  key presses on the explorer's first slider before the picture)
SHOTS = [
    ("start-here.png", "00_start_here.ipynb", None, ()),
    ("momentum-explorer.png", "07_sgd_momentum_nesterov.ipynb", "widgets.momentum_explorer()",
     ("ArrowLeft",)),
    ("optimizer-explorer.png", "08_adaptive_learning_rates.ipynb", "widgets.optimizer_explorer()",
     ()),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    notebooks = sorted({nb for _, nb, _, _ in SHOTS})
    with tempfile.TemporaryDirectory() as tmp, \
            labdriver.Lab(Path(tmp), backends=("inline",), notebooks=notebooks) as lab, \
            labdriver.launch_browser() as browser:
        app = labdriver.LabPage(browser, lab, width=1280, height=900).load()
        for name, notebook, cell_text, keys in SHOTS:
            if cell_text is None:  # the window, tall enough for the first explorer
                app.page.set_viewport_size({"width": 1280, "height": 1000})
                app.show_file_browser()
            else:  # tall enough for a whole explorer
                app.page.set_viewport_size({"width": 1280, "height": 1600})
                app.close_side_panel()
            page = app.open(lab.path("inline", notebook))
            page.run_all()
            errors = page.errors()
            if errors:
                raise SystemExit(f"{notebook}: " + "\n".join(errors))
            target = args.out / name
            if cell_text is None:
                page.scroll_to_top()
                for explorer in page.explorers():
                    page.wait_quiet(explorer)
                app.screenshot(target)
            else:
                cell, _ = page.code_cell(cell_text)
                explorer = page.explorer_in_cell(cell_text)
                for key in keys:
                    if page.press_and_time(explorer, key)["ms"] is None:
                        raise SystemExit(f"{notebook}: {key} did not change the figure")
                page.wait_quiet(explorer)
                view = cell.locator(".jp-Cell-outputArea > .jp-OutputArea-child "
                                    "> .jp-OutputArea-output").first
                view.screenshot(path=str(target))
            print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
        app.close_notebooks()
        app.close()


if __name__ == "__main__":
    main()
