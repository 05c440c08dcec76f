"""Tests for npfl_helpers.exercises.backprop (notebook 05): the backward step of a tanh node."""

import numpy as np
import pytest
from exercise_solutions import mistake, run, tanh_backward_ok

from npfl_helpers import exercises as ex
from npfl_helpers.exercises import backprop


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_reference_passes(seed, capsys):
    verdict, out = run(ex.check_tanh_backward, tanh_backward_ok, capsys, seed=seed)
    assert verdict is True
    assert out.startswith(ex.OK) and "correct" in out and "6 random inputs" in out


def test_tanh_cases_match_central_differences():
    # the reference (the autodiff engine) against ∂/∂a Σ g_h·tanh(a), by central differences
    cases = backprop._tanh_cases(0)
    assert [np.shape(case.args[0][1]) for case in cases][:3] == [(), (3,), (2, 3)]
    assert isinstance(cases[0].args[0][1], float)  # a single number is passed as a float
    for case in cases:
        h, g_h = (np.asarray(value, dtype=np.float64) for _, value in case.args)
        a, eps = np.arctanh(h), 1e-6
        numeric = g_h * (np.tanh(a + eps) - np.tanh(a - eps)) / (2 * eps)
        assert np.allclose(case.expected[0], numeric, rtol=1e-7, atol=1e-10)


def test_tanh_missing_square(capsys):
    def no_square(h, g_h):
        return g_h * (1 - h)

    mistake(ex.check_tanh_backward, no_square, capsys, "square h", output="g_a")


def test_tanh_applied_twice(capsys):
    def twice(h, g_h):
        return g_h * (1 - np.tanh(h) ** 2)

    mistake(ex.check_tanh_backward, twice, capsys, "not 1 − tanh²(h)", output="g_a")


def test_tanh_missing_upstream_gradient(capsys):
    def local_only(h, g_h):
        return 1 - h**2

    mistake(ex.check_tanh_backward, local_only, capsys, "multiply by g_h", output="g_a")


@pytest.mark.parametrize("reduce", [np.sum, lambda x: x.ravel()[:1]])
def test_tanh_wrong_shape(reduce, capsys):
    def reduces(h, g_h):
        return reduce(np.asarray(tanh_backward_ok(h, g_h)))

    mistake(ex.check_tanh_backward, reduces, capsys, "must have h's shape", "elementwise",
            output="g_a")


def test_tanh_swapped_arguments(capsys):
    def swapped(g_h, h):
        return g_h * (1 - h**2)

    mistake(ex.check_tanh_backward, swapped, capsys, "order (h, g_h)", output="g_a")


def test_tanh_in_place(capsys):
    def in_place(h, g_h):
        g_h *= 1 - h**2
        return g_h

    verdict, out = run(ex.check_tanh_backward, in_place, capsys)
    assert verdict is False
    assert "modified its argument g_h in place" in out
