"""Tests for npfl_helpers.exercises.likelihood (notebook 03): the KL divergence and the Gaussian
log-likelihood; correct forms pass, every typical mistake gets its own hint, garbage never
crashes the check."""

import math

import numpy as np
import pytest
from exercise_solutions import (
    gaussian_log_likelihood_ok,
    kl_divergence_ok,
    mistake,
    not_implemented,
    run,
)

from npfl_helpers import exercises as ex
from npfl_helpers.exercises import likelihood

GARBAGE = (lambda *a: "0.5", lambda *a: None, lambda *a: 1 + 1j, lambda *a: 1 / 0,
           lambda *a: {"v": 1}, lambda *a: [[1, 2], [3]], lambda *a: np.array([1.0, 2.0]))


# ----- KL divergence --------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_kl_reference_passes(seed, capsys):
    verdict, out = run(ex.check_kl_divergence, kl_divergence_ok, capsys, seed=seed)
    assert verdict is True, out
    assert out.startswith(ex.OK) and "6 random inputs" in out


def test_kl_other_correct_forms_pass(capsys):
    def with_where(p, q):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.sum(np.where(p > 0, p * np.log(p / q), 0.0))

    def cross_minus_entropy(p, q):
        keep = p > 0
        return -np.sum(p[keep] * np.log(q[keep])) + np.sum(p[keep] * np.log(p[keep]))

    for fn in (with_where, cross_minus_entropy):
        verdict, out = run(ex.check_kl_divergence, fn, capsys)
        assert verdict is True, out


def test_kl_cases_cover_zeros_and_match_the_formula():
    cases = likelihood._kl_cases(0)
    assert np.any(cases[0].args[0][1] == 0)  # the first input has p_k = 0
    assert sum(np.any(c.args[0][1] == 0) for c in cases) == 2
    for case in cases:
        (_, p), (_, q) = case.args
        assert np.all(q > 0) and p.sum() == pytest.approx(1.0)
        written_out = sum(a * math.log(a / b) for a, b in zip(p, q, strict=True) if a > 0)
        assert case.expected[0] == pytest.approx(written_out, rel=1e-12)


def _kl_swapped(p, q):
    return kl_divergence_ok(q, p)


@pytest.mark.parametrize(("fn", "fragments"), [
    (lambda p, q: np.sum(p * np.log(p / q)), ["p_k = 0", "NaN", "p[p > 0]"]),
    (_kl_swapped, ["swapped", "not symmetric"]),
    (lambda p, q: -kl_divergence_ok(p, q), ["the sign", "log(p_k/q_k)"]),
    (lambda p, q: -np.sum(p[p > 0] * np.log(q[p > 0])), ["cross-entropy", "H(p) + D_KL"]),
    (lambda p, q: -np.sum(p[p > 0] * np.log(p[p > 0])), ["entropy of p"]),
    (lambda p, q: np.sum(np.log(p[p > 0] / q[p > 0])) if np.all(p > 0) else
     np.sum(np.log(p / q)), ["weight each log-ratio by p_k"]),
    (lambda p, q: kl_divergence_ok(p, q) / len(p), ["you took the mean"]),
    (lambda p, q: kl_divergence_ok(p, q) / np.log(2), ["bits", "np.log2"]),
    (lambda p, q: kl_divergence_ok(p, q) / np.log(10), ["np.log10"]),
])
def test_kl_each_mistake_gets_its_hint(fn, fragments, capsys):
    mistake(ex.check_kl_divergence, fn, capsys, *fragments, output="kl")


def test_kl_vector_result_is_a_shape_message(capsys):
    def elementwise(p, q):
        keep = p > 0
        return np.where(keep, p * np.log(np.where(keep, p, 1.0) / q), 0.0)

    mistake(ex.check_kl_divergence, elementwise, capsys, "single number", "sum over the classes")


@pytest.mark.parametrize("check", [ex.check_kl_divergence, ex.check_gaussian_log_likelihood])
def test_skeleton_and_garbage_never_crash(check, capsys):
    verdict, out = run(check, not_implemented, capsys)
    assert verdict is False and "not implemented yet" in out
    for garbage in GARBAGE:
        verdict, out = run(check, garbage, capsys)
        assert verdict is False and out.startswith(ex.NO) and "Traceback" not in out, out
    verdict, out = run(check, 0.5, capsys)
    assert verdict is False and "itself" in out


# ----- Gaussian log-likelihood ------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_loglik_reference_passes(seed, capsys):
    verdict, out = run(ex.check_gaussian_log_likelihood, gaussian_log_likelihood_ok, capsys,
                       seed=seed)
    assert verdict is True, out


def test_loglik_other_correct_forms_pass(capsys):
    def with_sigma(x, mu, sigma2):
        s = math.sqrt(sigma2)
        return float(sum(-((v - mu) ** 2) / (2 * s * s) - math.log(s) - 0.5 * math.log(2 * math.pi)
                         for v in x))

    def log_of_density(x, mu, sigma2):
        return np.sum(np.log(np.exp(-((x - mu) ** 2) / (2 * sigma2))
                             / np.sqrt(2 * np.pi * sigma2)))

    for fn in (with_sigma, log_of_density):
        verdict, out = run(ex.check_gaussian_log_likelihood, fn, capsys)
        assert verdict is True, out


def test_loglik_cases_match_the_formula_and_avoid_sigma2_one():
    for case in likelihood._loglik_cases(0):
        (_, x), (_, mu), (_, s2) = case.args
        assert abs(s2 - 1.0) > 0.25  # σ and σ² must differ for the σ/σ² hints to work
        density = [math.exp(-(v - mu) ** 2 / (2 * s2)) / math.sqrt(2 * math.pi * s2) for v in x]
        assert case.expected[0] == pytest.approx(sum(math.log(d) for d in density), rel=1e-12)


def _ll(x, mu, sigma2):
    return gaussian_log_likelihood_ok(x, mu, sigma2)


@pytest.mark.parametrize(("fn", "fragments"), [
    (lambda x, mu, s2: -_ll(x, mu, s2), ["negative log-likelihood"]),
    (lambda x, mu, s2: np.sum(-((x - mu) ** 2) / (2 * s2)), ["normalising term", "−½ log(2πσ²)"]),
    (lambda x, mu, s2: np.sum(-((x - mu) ** 2) / (2 * s2) - 0.5 * np.log(s2)), ["½ log 2π"]),
    (lambda x, mu, s2: _ll(x, mu, s2**2), ["do not square it again"]),
    (lambda x, mu, s2: _ll(x, mu, np.sqrt(s2)), ["√sigma2"]),
    (lambda x, mu, s2: np.sum(-((x - mu) ** 2) / (2 * s2) - np.log(2 * np.pi * s2)),
     ["factor ½ is missing"]),
    (lambda x, mu, s2: np.sum(-((x - mu) ** 2) / s2 - 0.5 * np.log(2 * np.pi * s2)),
     ["the 2 in the denominator"]),
    (lambda x, mu, s2: _ll(x, mu, s2) / len(x), ["you took the mean"]),
    (lambda x, mu, s2: _ll(x, mu, s2) / np.log(10), ["np.log10"]),
    (lambda x, mu, s2: np.prod(np.exp(-((x - mu) ** 2) / (2 * s2)) / np.sqrt(2 * np.pi * s2)),
     ["likelihood Π", "logarithm"]),
])
def test_loglik_each_mistake_gets_its_hint(fn, fragments, capsys):
    mistake(ex.check_gaussian_log_likelihood, fn, capsys, *fragments, output="loglik")


def test_loglik_per_example_result_is_a_shape_message(capsys):
    def per_example(x, mu, sigma2):
        return -((x - mu) ** 2) / (2 * sigma2) - 0.5 * np.log(2 * np.pi * sigma2)

    mistake(ex.check_gaussian_log_likelihood, per_example, capsys, "single number",
            "sum over the examples")
