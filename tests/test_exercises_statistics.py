"""Tests for npfl_helpers.exercises.statistics (notebook 01): the unbiased variance; the correct
formula passes, every typical mistake gets its own hint, garbage never crashes the check."""

import numpy as np
import pytest
from exercise_solutions import mistake, not_implemented, run, unbiased_variance_ok

from npfl_helpers import exercises as ex
from npfl_helpers.exercises import statistics


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_reference_passes(seed, capsys):
    verdict, out = run(ex.check_unbiased_variance, unbiased_variance_ok, capsys, seed=seed)
    assert verdict is True, out
    assert out.startswith(ex.OK) and "6 random inputs" in out


def test_other_correct_forms_pass(capsys):
    for fn in (lambda x: np.var(x, axis=1, ddof=1),
               lambda x: np.var(x, axis=1) * x.shape[1] / (x.shape[1] - 1),
               lambda x: ((x - x.mean(axis=1)[:, None]) ** 2).sum(axis=1) / (len(x[0]) - 1)):
        verdict, out = run(ex.check_unbiased_variance, fn, capsys)
        assert verdict is True, out


def test_cases_are_what_the_docstring_says():
    cases = statistics._variance_cases(0)
    shapes = [case.args[0][1].shape for case in cases]
    assert shapes[0][0] == shapes[0][1]  # square first
    assert any(s[1] == 2 for s in shapes) and any(s[0] == 1 for s in shapes)
    for case in cases:  # the reference is the formula written out, row by row
        x = case.args[0][1]
        for i, row in enumerate(x):
            m = sum(row) / len(row)
            assert case.expected[0][i] == pytest.approx(
                sum((v - m) ** 2 for v in row) / (len(row) - 1), rel=1e-12)
        assert abs(x.mean()) > 0.5  # a mean far from 0: forgetting to centre shows


@pytest.mark.parametrize(("fn", "fragments"), [
    (lambda x: np.var(x, axis=1), ["divides by n", "maximum-likelihood", "n − 1"]),
    (lambda x: np.sum((x - x.mean(axis=1, keepdims=True)) ** 2, axis=1) / (x.shape[1] + 1),
     ["divides by n + 1"]),
    (lambda x: np.sum(x**2, axis=1) / (x.shape[1] - 1), ["subtract each row's mean"]),
    (lambda x: np.sum(x**2, axis=1) / x.shape[1], ["subtract each row's mean", "not n"]),
    (lambda x: np.sum((x - x.mean()) ** 2, axis=1) / (x.shape[1] - 1), ["whole array"]),
    (lambda x: np.std(x, axis=1, ddof=1), ["standard deviation"]),
    (lambda x: np.sum((x - x.mean(axis=1, keepdims=True)) ** 2, axis=1) / (x.shape[0] - 1),
     ["rows minus 1"]),
    (lambda x: np.var(x, axis=0, ddof=1), ["every column", "axis=1"]),
    (lambda x: np.sum((x - x.mean(axis=1)) ** 2, axis=1) / (x.shape[1] - 1), ["keepdims"]),
])
def test_each_mistake_gets_its_hint(fn, fragments, capsys):
    mistake(ex.check_unbiased_variance, fn, capsys, *fragments, output="variance")


def test_wrong_axis_on_a_non_square_input_is_a_shape_message(capsys):
    def column_variance(x):
        return np.var(x, axis=0, ddof=1) if x.shape[0] != x.shape[1] else unbiased_variance_ok(x)

    out = mistake(ex.check_unbiased_variance, column_variance, capsys, "shape", "axis=1")
    assert "test input 2 of 6" in out


def test_skeleton_and_garbage_never_crash(capsys):
    verdict, out = run(ex.check_unbiased_variance, not_implemented, capsys)
    assert verdict is False and "not implemented yet" in out
    for garbage in (lambda x: "0.5", lambda x: None, lambda x: x.sum(axis=1) + 1j,
                    lambda x: 1 / 0, lambda x: {"v": 1}, lambda x: [[1, 2], [3]]):
        verdict, out = run(ex.check_unbiased_variance, garbage, capsys)
        assert verdict is False and out.startswith(ex.NO) and "Traceback" not in out
    verdict, out = run(ex.check_unbiased_variance, "np.var", capsys)
    assert verdict is False and "itself" in out
