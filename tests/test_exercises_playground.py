"""Tests for npfl_helpers.exercises.playground (notebook 10): the question answered with the
playground, and a checker that takes any answer without raising."""

import numpy as np
import pytest

from npfl_helpers import exercises as ex
from npfl_helpers.exercises import playground as q
from npfl_helpers.live_training import LiveTraining, lr_notches


@pytest.fixture(scope="module")
def first_divergence():
    """Raise α notch by notch from 0.1 as the question says, with the core run directly."""
    for k, lr in enumerate(lr_notches(0.1, 10.0)):
        run = LiveTraining("spirals", optimizer="momentum", beta=0.9, lr=lr)
        for _ in range(100):                      # 100 frames of 10 updates, as in the widget
            run.step()
        if run.diverged:
            return k, float(lr)
    pytest.fail("no α up to 10 diverges")


def check(answer, capsys):
    verdict = ex.check_diverging_lr(answer)
    return verdict, " ".join(capsys.readouterr().out.split())


def test_the_question_is_the_playgrounds_defaults_with_momentum_on_the_spirals():
    run = LiveTraining(**q.PLAYGROUND_QUESTION)
    s = run.settings
    assert (s["dataset"], s["optimizer"], s["beta"], s["hidden"], s["batch_size"], s["l2"],
            s["noise"], s["activation"]) == ("spirals", "momentum", 0.9, (16, 16), 16, 0.0,
                                             0.2, "tanh")


def test_the_first_diverging_notch_is_right_as_read_off_the_slider(first_divergence, capsys):
    k, lr = first_divergence
    assert k > 0                                   # α = 0.1 itself trains
    for answer in (lr, f"{lr:.2g}", float(f"{lr:.2g}"), np.float32(lr), np.array(lr)):
        verdict, out = check(answer, capsys)
        assert verdict is True, out
        assert out.startswith(ex.OK) and f"α = {lr:.2g}" in out and "does not" in out


def test_a_higher_notch_diverges_but_is_not_the_first(first_divergence, capsys):
    k, lr = first_divergence
    above = lr_notches(0.1, 10.0)[k + 2]
    verdict, out = check(above, capsys)
    assert verdict is False and "diverges at the notch below" in out


def test_a_lower_notch_does_not_diverge(first_divergence, capsys):
    k, lr = first_divergence
    below = lr_notches(0.1, 10.0)[k - 1]
    verdict, out = check(below, capsys)
    assert verdict is False and "does not diverge within 1,000 updates" in out and "Hint" in out


class Exploding:
    def __float__(self):
        raise SystemExit("no")

    def __array__(self, dtype=None, copy=None):
        raise RuntimeError("no array")


@pytest.mark.parametrize(("answer", "fragment"), [
    (None, "not answered yet"), (..., "not answered yet"), ("fast", "must be a number"),
    ("", "must be a number"), (float("nan"), "finite"), (float("inf"), "finite"),
    (-0.5, "not a learning rate"), (0, "not a learning rate"), (1j, "complex"),
    ([0.5, 0.6], "single number"), (np.zeros((2, 2)), "single number"), ({}, "α"),
    (Exploding(), "α"), (0.55, "not a value of the α slider"), (1e9, "beyond the slider"),
    (1e-6, "below where the question starts"), (0.05, "below where the question starts"),
    (True, "α"), (object(), "α"),
])
def test_garbage_answers_get_a_message_never_an_exception(answer, fragment, capsys):
    verdict, out = check(answer, capsys)
    assert verdict is False and out.startswith(ex.NO), out
    assert fragment in out, out


def test_the_start_of_the_question_is_not_the_answer(capsys):
    verdict, out = check(0.1, capsys)
    assert verdict is False and "where the question starts" in out
