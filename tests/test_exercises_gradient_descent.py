"""Tests for npfl_helpers.exercises.gradient_descent (notebook 04): the variance of a minibatch
gradient; the correct formula passes, typical mistakes get a specific hint."""

import itertools

import numpy as np
import pytest
from exercise_solutions import filter_normalize_ok, minibatch_variance_ok, mistake, run

from npfl_helpers import estimators, landscape
from npfl_helpers import exercises as ex
from npfl_helpers.exercises import gradient_descent


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_reference_passes(seed, capsys):
    verdict, out = run(ex.check_minibatch_variance, minibatch_variance_ok, capsys, seed=seed)
    assert verdict is True
    assert out.startswith(ex.OK) and "correct" in out and "6 random inputs" in out


def test_arguments_in_the_order_of_the_package_function():
    # issue: exercise arguments mirror the package function they are compared with
    import inspect

    package = list(inspect.signature(estimators.minibatch_variance).parameters)[:3]
    assert [name for name, _ in gradient_descent._minibatch_cases(0)[0].args] == package


def test_minibatch_variance_formula_by_enumerating_all_minibatches():
    # the variance of the mean over *every* minibatch of a tiny data set, written out
    x = np.array([0.3, -1.2, 2.5, 0.0, 1.1, -0.7])
    N, sigma2 = len(x), np.var(x)  # the population variance (1/N)
    for m in range(1, N + 1):
        means = np.array([x[list(b)].mean() for b in itertools.combinations(range(N), m)])
        exact = estimators.minibatch_variance(sigma2, N, m)
        assert np.isclose(np.mean((means - x.mean()) ** 2), exact)
        # with replacement (all N^m ordered draws) it is σ²/m: what the first hint says
        draws = np.array(list(itertools.product(x, repeat=m))).mean(axis=1) if m <= 4 else None
        if draws is not None:
            assert np.isclose(np.mean((draws - x.mean()) ** 2), sigma2 / m)
    assert estimators.minibatch_variance(sigma2, N, N) == 0.0
    assert np.allclose(estimators.minibatch_variance(sigma2, N, np.array([1, N])), [sigma2, 0.0])


def test_minibatch_cases_cover_m_equal_one_and_n():
    cases = gradient_descent._minibatch_cases(0)
    pairs = [(case.args[2][1], case.args[1][1]) for case in cases]  # (m, N)
    assert any(np.ndim(m) == 0 and m == N for m, N in pairs)
    assert any(np.ndim(m) == 1 and m[0] == 1 and m[-1] == N for m, N in pairs)


def test_minibatch_without_correction(capsys):
    def with_replacement(sigma2, N, m):
        return sigma2 / m

    mistake(ex.check_minibatch_variance, with_replacement, capsys, "*with* replacement",
            "(N − m)/(N − 1)", output="variance")


def test_minibatch_correction_over_n(capsys):
    def over_n(sigma2, N, m):
        return sigma2 / m * (N - m) / N

    mistake(ex.check_minibatch_variance, over_n, capsys, "not (N − m)/N", output="variance")


def test_minibatch_nonzero_at_m_equal_n(capsys):
    def off_by_one(sigma2, N, m):
        return sigma2 / m * (N - m + 1) / N

    out = mistake(ex.check_minibatch_variance, off_by_one, capsys, "at m = N",
                  output="variance")
    assert "expected: variance = 0" in out


def test_minibatch_standard_deviation(capsys):
    def std(sigma2, N, m):
        return np.sqrt(minibatch_variance_ok(sigma2, N, m))

    mistake(ex.check_minibatch_variance, std, capsys, "standard deviation", output="variance")


def test_minibatch_scalar_for_an_array_of_m(capsys):
    def summed(sigma2, N, m):
        return np.sum(minibatch_variance_ok(sigma2, N, m))

    mistake(ex.check_minibatch_variance, summed, capsys, "must have m's shape (10,)",
            output="variance")


def test_minibatch_division_by_zero_gives_no_runtime_warning(capsys):
    def reciprocal(sigma2, N, m):
        return sigma2 / m * (N - 1) / (N - np.asarray(m, dtype=float))  # inf at m = N

    mistake(ex.check_minibatch_variance, reciprocal, capsys, "not its reciprocal",
            output="variance")


def test_minibatch_swapped_arguments(capsys):
    def swapped(sigma2, m, N):  # the order of an older version of the exercise
        return sigma2 / m * (N - m) / (N - 1)

    mistake(ex.check_minibatch_variance, swapped, capsys, "order (sigma2, N, m)",
            output="variance")


# -- filter normalisation (the deep landscapes of notebook 04) ---------------------------------


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_filter_normalize_reference_passes(seed, capsys):
    verdict, out = run(ex.check_filter_normalize, filter_normalize_ok, capsys, seed=seed)
    assert verdict is True, out
    assert out.startswith(ex.OK) and "6 random inputs" in out


def test_filter_normalize_formula_written_out():
    # the lecture's (Li et al.'s) formula, column by column, against the package's reference
    rng = np.random.default_rng(3)
    D, W = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    expected = np.column_stack([D[:, j] / np.sqrt(np.sum(D[:, j] ** 2))
                                * np.sqrt(np.sum(W[:, j] ** 2)) for j in range(3)])
    np.testing.assert_allclose(landscape.filter_normalize(D, W), expected, rtol=1e-14)
    np.testing.assert_allclose(np.linalg.norm(expected, axis=0), np.linalg.norm(W, axis=0))
    zero = W.copy()
    zero[:, 1] = 0.0
    assert np.all(landscape.filter_normalize(D, zero)[:, 1] == 0.0)
    with pytest.raises(ValueError, match="D must have W's shape"):
        landscape.filter_normalize(D, W[:, :2])


def test_filter_normalize_arguments_in_the_order_of_the_package_function():
    import inspect

    package = list(inspect.signature(landscape.filter_normalize).parameters)
    assert [name for name, _ in gradient_descent._filter_cases(0)[0].args] == package


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda D, W: D / np.linalg.norm(D, axis=1, keepdims=True)
     * np.linalg.norm(W, axis=1, keepdims=True), "not every row"),
    (lambda D, W: D / np.linalg.norm(D) * np.linalg.norm(W), "not the whole matrix"),
    (lambda D, W: D / np.linalg.norm(D, axis=0), "not size 1"),
    (lambda D, W: D * np.linalg.norm(D, axis=0) / np.linalg.norm(W, axis=0),
     "not its reciprocal"),
    (lambda D, W: D * np.linalg.norm(W, axis=0) ** 2 / np.linalg.norm(D, axis=0) ** 2,
     "not their squares"),
    (lambda D, W: W / np.linalg.norm(W, axis=0) * np.linalg.norm(D, axis=0), "order (D, W)"),
], ids=["rows", "whole", "unit", "reciprocal", "squares", "swapped"])
def test_filter_normalize_mistakes_get_their_hint(wrong, hint, capsys):
    mistake(ex.check_filter_normalize, wrong, capsys, hint, output="D_normalised")
