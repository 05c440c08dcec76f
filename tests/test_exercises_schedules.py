"""Tests for npfl_helpers.exercises.schedules (notebook 09): cosine decay and the Robbins–Monro
quiz."""

import numpy as np
import pytest
from exercise_solutions import cosine_ok, mistake, run

from npfl_helpers import exercises as ex
from npfl_helpers import schedules
from npfl_helpers.exercises import schedules as ex_schedules


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_reference_passes(seed, capsys):
    verdict, out = run(ex.check_cosine_decay, cosine_ok, capsys, seed=seed)
    assert verdict is True
    assert out.startswith(ex.OK) and "correct" in out


def test_cosine_without_clamp(capsys):
    def no_clamp(t, initial_lr, decay_steps, alpha):
        return initial_lr * (alpha + (1 - alpha) * 0.5 * (1 + np.cos(np.pi * t / decay_steps)))

    out = mistake(ex.check_cosine_decay, no_clamp, capsys, "min(t, T)", output="lr")
    assert "first difference at index" in out


def test_cosine_without_half(capsys):
    def no_half(t, initial_lr, decay_steps, alpha):
        t = np.minimum(t, decay_steps)
        return initial_lr * (alpha + (1 - alpha) * (1 + np.cos(np.pi * t / decay_steps)))

    mistake(ex.check_cosine_decay, no_half, capsys, "½(1 + cos", output="lr")


def test_cosine_floor_not_scaled(capsys):
    def absolute_floor(t, initial_lr, decay_steps, alpha):
        t = np.minimum(t, decay_steps)
        return initial_lr * (1 - alpha) * 0.5 * (1 + np.cos(np.pi * t / decay_steps)) + alpha

    mistake(ex.check_cosine_decay, absolute_floor, capsys, "fraction of initial_lr",
            output="lr")


def test_cosine_floor_given_as_a_rate(capsys):
    def floor_as_rate(t, initial_lr, decay_steps, alpha):  # ends at alpha, not alpha·α₀
        t = np.minimum(t, decay_steps)
        return alpha + (initial_lr - alpha) * 0.5 * (1 + np.cos(np.pi * t / decay_steps))

    mistake(ex.check_cosine_decay, floor_as_rate, capsys, "ends at α₀·a, not at a",
            output="lr")


def test_cosine_scalar_instead_of_array(capsys):
    def scalar(t, initial_lr, decay_steps, alpha):
        return float(np.mean(cosine_ok(t, initial_lr, decay_steps, alpha)))

    mistake(ex.check_cosine_decay, scalar, capsys, "shape", output="lr")



# ---------------------------------------------------------------------------------------------
# Robbins–Monro quiz: the answer key agrees with the partial sums


def _diverges(partial_sums):
    """A sum "diverges" when its last doubling of steps still adds ≥ 0.01 % of its value."""
    n = len(partial_sums)
    return partial_sums[-1] - partial_sums[n // 2 - 1] > 1e-4 * partial_sums[-1]


def test_robbins_monro_key_matches_partial_sums():
    key = {}
    for name, schedule in ex.ROBBINS_MONRO_QUIZ.items():
        A_t, B_t = schedules.robbins_monro_sums(schedule, 2**20)
        key[name] = bool(_diverges(A_t) and not _diverges(B_t))
    assert key == {name: truth for name, (truth, _) in ex_schedules._RM_KEY.items()}
    assert sum(key.values()) == 1  # the quiz has exactly one schedule that satisfies both


def test_robbins_monro_all_right(capsys):
    answers = {name: name == "inverse_time_decay" for name in ex.ROBBINS_MONRO_QUIZ}
    assert ex.check_robbins_monro(answers) is True
    assert ex.OK in capsys.readouterr().out


def test_robbins_monro_wrong_answers_are_explained(capsys):
    answers = {name: False for name in ex.ROBBINS_MONRO_QUIZ}
    answers["inverse_sqrt_decay"] = True
    answers["exponential_decay"] = True
    assert ex.check_robbins_monro(answers) is False
    out = capsys.readouterr().out
    assert "3 of 8 wrong" in out
    for name in ("inverse_sqrt_decay", "exponential_decay", "inverse_time_decay"):
        assert name in out
    assert not any(line.startswith("  constant ") for line in out.splitlines())


@pytest.mark.parametrize(
    ("answers", "fragment"),
    [
        ({name: None for name in ex.ROBBINS_MONRO_QUIZ}, "not answered yet"),
        ({"constant": False}, "still unanswered"),
        ({"adam": True}, "unknown names"),
        ({name: "yes" for name in ex.ROBBINS_MONRO_QUIZ}, "True or False"),
        ([True, False], "must be a dict"),
    ],
)
def test_robbins_monro_incomplete_answers(answers, fragment, capsys):
    assert ex.check_robbins_monro(answers) is False
    assert fragment in capsys.readouterr().out
