"""Fast checks of every notebook file (no kernel): how it is stored, and the shape of a lesson.

Storage (hygiene): valid nbformat 4; no outputs and no execution counts; notebook metadata only
``kernelspec`` (python3) and ``language_info`` (name only); cell metadata at most ``tags``; no
empty code cells. ``nbstripout`` (see ``.pre-commit-config.yaml``) stores notebooks this way.

Shape (as the course's style asks): a title; "After this notebook you can"; at least one
explorer (a ``*_explorer(`` or ``*_stepper(`` call) and one self-check (a ``check_*(`` call);
a takeaway; a link to the next notebook in lecture order (the last links back to
``00_start_here``); balanced ``$`` / ``$$`` math in every Markdown cell; links between
notebooks that resolve.

``00_start_here`` is the course's map and first screen, not a lesson: it needs no self-check.
Notebooks are found by glob, so new ones are checked as soon as they exist.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
NAMES = [p.name for p in NOTEBOOKS]
START = "00_start_here.ipynb"
NO_SELF_CHECK = {START}  # the map of the course, not a lesson

ALLOWED_KERNELSPEC_KEYS = {"display_name", "language", "name"}
ALLOWED_CELL_METADATA = {"tags"}

_LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_EXPLORER = re.compile(r"\b\w+_(?:explorer|stepper)\s*\(")
_SELF_CHECK = re.compile(r"\bcheck_\w+\s*\(")


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def _markdown(nb) -> list[str]:
    return [_source(c) for c in nb["cells"] if c["cell_type"] == "markdown"]


def _code(nb) -> list[str]:
    return [_source(c) for c in nb["cells"] if c["cell_type"] == "code"]


def _without_code(md: str) -> str:
    """Markdown without fenced code blocks and inline code spans (their $ are not math)."""
    md = re.sub(r"^(```|~~~).*?^\1[^\n]*$", "", md, flags=re.S | re.M)
    return re.sub(r"(`+)(?:(?!\1).)+?\1", "", md, flags=re.S)


def unbalanced_math(md: str) -> str | None:
    """Why the ``$`` math of one Markdown cell does not balance, or None.

    >>> unbalanced_math(r"$a$ and $$b$$, a price of \\$5 and `$x`") is None
    True
    >>> unbalanced_math("$a$ and $b")
    'an odd number (3) of $'
    """
    text = _without_code(md).replace(r"\$", "")
    display = text.count("$$")
    if display % 2:
        return f"an odd number ({display}) of $$"
    inline = text.replace("$$", "").count("$")
    if inline % 2:
        return f"an odd number ({inline}) of $"
    return None


def notebook_links(md: str) -> list[str]:
    """Targets of Markdown links to notebooks (``*.ipynb``, without ``#anchor``), relative ones.

    >>> notebook_links("see [04](04_gradient_descent.ipynb#The-idea) and [x](https://a.b/c.ipynb)")
    ['04_gradient_descent.ipynb']
    """
    out = []
    for target in _LINK.findall(_without_code(md)):
        path = target.split("#", 1)[0]
        if path.endswith(".ipynb") and "://" not in path:
            out.append(path)
    return out


# ----------------------------------------------------------------------------------------------
# storage


def test_there_are_notebooks():
    assert START in NAMES
    assert all(re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", n) for n in NAMES), NAMES


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_stored_without_outputs_and_with_clean_metadata(path):
    nb = _load(path)
    assert nb["nbformat"] == 4, "nbformat 4"
    problems = []
    md = nb["metadata"]
    if set(md) != {"kernelspec", "language_info"}:
        problems.append(f"notebook metadata has keys {sorted(md)}: keep kernelspec and "
                        "language_info only")
    ks = md.get("kernelspec", {})
    if ks.get("name") != "python3" or not set(ks) <= ALLOWED_KERNELSPEC_KEYS:
        problems.append(f"kernelspec {ks}: name 'python3' (and display_name, language) only")
    if md.get("language_info") != {"name": "python"}:
        problems.append(f"language_info {md.get('language_info')}: keep {{'name': 'python'}}")
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            if cell.get("outputs"):
                problems.append(f"cell {i} is stored with outputs")
            if cell.get("execution_count") is not None:
                problems.append(f"cell {i} is stored with execution_count "
                                f"{cell['execution_count']}")
            if not _source(cell).strip():
                problems.append(f"cell {i} is an empty code cell")
        extra = set(cell.get("metadata", {})) - ALLOWED_CELL_METADATA
        if extra:
            problems.append(f"cell {i} has metadata {sorted(extra)}")
        if cell.get("attachments"):
            problems.append(f"cell {i} has attachments")
    assert not problems, f"{path.name}: " + "; ".join(problems) + \
        " (strip it with `nbstripout notebooks/*.ipynb`)"


# ----------------------------------------------------------------------------------------------
# the shape of a lesson


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_title_goals_takeaway(path):
    nb = _load(path)
    first = nb["cells"][0]
    assert first["cell_type"] == "markdown" and _source(first).lstrip().startswith("# "), \
        f"{path.name}: the first cell is a Markdown title ('# ...')"
    text = "\n".join(_markdown(nb))
    assert re.search(r"after this notebook you can", text, re.I), \
        f"{path.name}: no 'After this notebook you can' goals"
    assert re.search(r"takeaway", text, re.I), f"{path.name}: no takeaway"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_has_an_explorer_and_a_self_check(path):
    code = "\n".join(_code(_load(path)))
    assert _EXPLORER.search(code), f"{path.name}: no explorer (a *_explorer(...) call)"
    if path.name not in NO_SELF_CHECK:
        assert _SELF_CHECK.search(code), f"{path.name}: no self-check (a check_*(...) call)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_links_to_the_next_notebook(path):
    i = NAMES.index(path.name)
    following = NAMES[i + 1] if i + 1 < len(NAMES) else START
    links = [t for md in _markdown(_load(path)) for t in notebook_links(md)]
    assert following in links, (f"{path.name}: no Markdown link to the next notebook, "
                                f"[…]({following}); links found: {links}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_math_is_balanced(path):
    problems = []
    for i, cell in enumerate(_load(path)["cells"]):
        if cell["cell_type"] == "markdown":
            why = unbalanced_math(_source(cell))
            if why:
                problems.append(f"cell {i}: {why}")
    assert not problems, f"{path.name}: " + "; ".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_links_between_notebooks_resolve(path):
    broken = [t for md in _markdown(_load(path)) for t in notebook_links(md)
              if not (path.parent / t).resolve().is_file()]
    assert not broken, f"{path.name}: links to missing notebooks {broken}"
