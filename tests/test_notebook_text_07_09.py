"""What notebooks 07 (momentum) and 09 (schedules) must say, checked in their stored text (no
kernel): the lecture's statements they teach, approximations with their conditions, and explorer
cells that say what to try. What the notebooks compute is checked by their own labelled asserts
(run by nbval) and by the explorer tests that follow each "what to try" list
(tests/test_widgets_momentum.py, tests/test_widgets_schedules.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
MOMENTUM, SCHEDULES = "07_sgd_momentum_nesterov.ipynb", "09_learning_rate_schedules.ipynb"


def _cells(name: str) -> list[tuple[str, str]]:
    nb = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    return [(c["cell_type"], "".join(c["source"]) if isinstance(c["source"], list)
             else c["source"]) for c in nb["cells"]]


def _markdown(name: str) -> str:
    return "\n".join(text for kind, text in _cells(name) if kind == "markdown")


def test_09_states_robbins_monro_with_its_assumptions_and_the_non_convex_caveats():
    text = _markdown(SCHEDULES)
    for phrase in ("**convex, continuous and has a unique optimum**", "**almost surely**",
                   r"$\sum_{t} \alpha_t = \infty", r"\sum_{t} \alpha_t^2 < \infty",
                   "**local** optimum", "at least NP-hard", "zero training error",
                   "no local minima", r"$\|\theta\|$ grow beyond any limit"):
        assert phrase in text, phrase


def test_09_maps_the_lecture_forms_to_keras_and_the_package():
    text = _markdown(SCHEDULES)
    header = "| lecture | Keras class | `npfl_helpers.schedules` |"
    assert header in text
    for row in (r"| exponential decay $\alpha_0 c^t$ | `ExponentialDecay` | `exponential_decay(",
                r"| inverse time decay $\alpha_0/t$ | `InverseTimeDecay` | `inverse_time_decay(",
                r"| inverse square root decay $\alpha_0/\sqrt t$ | — | `inverse_sqrt_decay(",
                "| — (not the lecture's polynomial decay) | `PolynomialDecay` |"):
        assert row in text, row
    assert "Keras's `PolynomialDecay` is *not* the lecture's polynomial decay" in text
    # ... and the check cell writes the lecture's forms out against the package
    code = "\n".join(src for kind, src in _cells(SCHEDULES) if kind == "code")
    assert "a0 / (t + 1)" in code and "a0 / np.sqrt(t + 1)" in code and "a0 * 0.995**t" in code


@pytest.mark.parametrize("name", [MOMENTUM, SCHEDULES])
def test_the_small_step_noise_floor_comes_with_its_condition(name):
    approximation = re.compile(r"\\alpha\\sigma\^2\}\{4|\\alpha\\sigma\^2/4|σ²/4")
    for kind, text in _cells(name):
        if kind == "markdown" and approximation.search(text):
            assert r"\alpha\lambda \ll 1" in text, text[:200]


@pytest.mark.parametrize("name", [MOMENTUM, SCHEDULES])
def test_every_explorer_cell_says_what_to_try(name):
    cells = _cells(name)
    explorers = [i for i, (kind, text) in enumerate(cells)
                 if kind == "code" and re.search(r"\b\w+_explorer\(\)", text)]
    assert explorers
    for i in explorers:
        kind, text = cells[i - 1]
        assert kind == "markdown" and "What to try" in text and re.search(r"^1\. ", text, re.M), \
            f"cell {i - 1} before {cells[i][1]!r}"


def test_07_makes_no_claim_its_outputs_contradict():
    text = _markdown(MOMENTUM)
    assert "dies out after about" not in text
    assert "(white)" not in text and "white: diverged" not in text
    # momentum "damps the zig-zag" only where its figure shows GD zig-zagging (α = 1.9/λ_max)
    for kind, md in _cells(MOMENTUM):
        if kind == "markdown" and "damps" in md and "zig-zag" in md:
            assert "1.9" in md or r"\sqrt{0.5}" in md, md[:200]


def test_07_names_the_direction_that_sets_gd_speed_by_its_factor():
    # "the slowest direction" means λ_min elsewhere in 07; the one that sets GD's rate is the one
    # with the largest |1 − αλ| (at α = 0.196 on the κ = 10 bowl: the steep one)
    text = _markdown(MOMENTUM)
    assert "slowest direction limits the speed" not in text
    assert "once the slowest direction dominates" not in text
    assert r"The direction with the largest factor $|1 - \alpha\lambda|$" in text


def test_07_sqrt_kappa_speedup_is_computed_where_it_is_claimed():
    cells = _cells(MOMENTUM)
    for i, (kind, text) in enumerate(cells):
        if kind == "markdown" and r"$\sqrt\kappa$ times fewer steps" in text:
            code = cells[i + 1][1]
            assert cells[i + 1][0] == "code" and "speedup" in code
            assert "assert abs(speedup / np.sqrt(kappa) - 1)" in code
            break
    else:
        raise AssertionError("the √κ claim is gone")


def test_09_quotes_the_lecture_on_polynomial_decay_and_corrects_its_name():
    text = _markdown(SCHEDULES)
    assert 'multiplied by "some polynomial of $t$"' in text  # the lecture's words
    assert '"inverse-square decay", but the formula is $1/\\sqrt t$' in text
    assert "one batched `optim.run` per schedule" in text  # one call per schedule, not one in all


@pytest.mark.parametrize("name", [MOMENTUM, SCHEDULES])
def test_markdown_lines_are_wrapped(name):
    for kind, text in _cells(name):
        if kind == "markdown":
            for line in text.splitlines():
                assert line.startswith(("|", "$$")) or len(line) <= 100, line
