"""Tests for npfl_helpers.exercises: every checker accepts the lecture's formula (written out here),
rejects typical mistakes with a specific hint, and never raises because of the learner's code."""

import itertools

import numpy as np
import pytest

from npfl_helpers import exercises as ex
from npfl_helpers import schedules

# ---------------------------------------------------------------------------------------------
# The lecture's formulas, written out independently of npfl_helpers.optim


def momentum_ok(theta, v, g, lr, beta):
    v = beta * v - lr * g
    return theta + v, v


def nesterov_ok(theta, v, grad_fn, lr, beta):
    theta = theta + beta * v
    g = grad_fn(theta)
    v = beta * v - lr * g
    return theta - lr * g, v


def rmsprop_ok(theta, r, g, lr, beta, eps):
    r = beta * r + (1 - beta) * g**2
    return theta - lr / np.sqrt(r + eps) * g, r


def adam_ok(theta, s, r, t, g, lr, beta1, beta2, eps):
    t = t + 1
    s = beta1 * s + (1 - beta1) * g
    r = beta2 * r + (1 - beta2) * g**2
    s_hat = s / (1 - beta1**t)
    r_hat = r / (1 - beta2**t)
    return theta - lr / np.sqrt(r_hat + eps) * s_hat, s, r, t


def adam_alpha_t(theta, s, r, t, g, lr, beta1, beta2, eps):
    t = t + 1
    s = beta1 * s + (1 - beta1) * g
    r = beta2 * r + (1 - beta2) * g**2
    alpha_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return theta - alpha_t / np.sqrt(r + eps) * s, s, r, t


def cosine_ok(t, initial_lr, decay_steps, alpha):
    t = np.minimum(t, decay_steps)
    return initial_lr * (alpha + (1 - alpha) * 0.5 * (1 + np.cos(np.pi * t / decay_steps)))


def not_implemented(*args):
    raise NotImplementedError


def run(check, fn, capsys, **kw):
    verdict = check(fn, **kw)
    return verdict, capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# Correct implementations pass (also for other seeds); the output says so


@pytest.mark.parametrize(
    ("check", "fn"),
    [
        (ex.check_momentum_step, momentum_ok),
        (ex.check_nesterov_step, nesterov_ok),
        (ex.check_rmsprop_step, rmsprop_ok),
        (ex.check_adam_bias_correction, adam_ok),
        (ex.check_cosine_decay, cosine_ok),
    ],
)
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_reference_passes(check, fn, seed, capsys):
    verdict, out = run(check, fn, capsys, seed=seed)
    assert verdict is True
    assert out.startswith(ex.OK) and "correct" in out


def test_adam_second_form_is_accepted_with_a_note(capsys):
    verdict, out = run(ex.check_adam_bias_correction, adam_alpha_t, capsys)
    assert verdict is True
    assert "second form" in out


# ---------------------------------------------------------------------------------------------
# Skeletons, exceptions, bad return values: a message and False, never a traceback

ALL_CHECKS = [ex.check_momentum_step, ex.check_nesterov_step, ex.check_rmsprop_step,
              ex.check_adam_bias_correction, ex.check_cosine_decay]


@pytest.mark.parametrize("check", ALL_CHECKS)
def test_not_implemented_is_friendly(check, capsys):
    verdict, out = run(check, not_implemented, capsys)
    assert verdict is False
    assert "not implemented yet" in out
    assert "Traceback" not in out and "input" not in out


@pytest.mark.parametrize("check", ALL_CHECKS)
def test_other_exceptions_are_reported_with_type_and_message(check, capsys):
    def broken(*args):
        return {}["no such key"]

    verdict, out = run(check, broken, capsys)
    assert verdict is False
    assert "raised KeyError" in out and "no such key" in out
    assert "test input 1 of" in out


@pytest.mark.parametrize("check", ALL_CHECKS)
def test_not_a_function(check, capsys):
    verdict, out = run(check, None, capsys)
    assert verdict is False
    assert "itself" in out


@pytest.mark.parametrize("check", ALL_CHECKS)
def test_wrong_arity_is_reported(check, capsys):
    verdict, out = run(check, lambda a, b: None, capsys)  # takes too few arguments
    assert verdict is False
    assert "raised TypeError" in out


def test_missing_return_value(capsys):
    def forgot_return(theta, v, g, lr, beta):
        v = beta * v - lr * g

    verdict, out = run(ex.check_momentum_step, forgot_return, capsys)
    assert verdict is False
    assert "must return a tuple (theta, v)" in out and "missing return" in out


def test_a_division_by_zero_in_learner_code_gives_no_runtime_warning(capsys):
    # pytest turns RuntimeWarnings into errors here: the checker must silence the learner's
    def divides_by_zero(theta, r, g, lr, beta, eps):
        r = beta * r + (1 - beta) * g**2
        return theta - lr * g / (0 * r), r

    verdict, out = run(ex.check_rmsprop_step, divides_by_zero, capsys)
    assert verdict is False
    assert "not finite" in out


def test_in_place_modification_is_rejected(capsys):
    def in_place(theta, v, g, lr, beta):
        v *= beta
        v -= lr * g
        theta += v
        return theta, v

    verdict, out = run(ex.check_momentum_step, in_place, capsys)
    assert verdict is False
    assert "in place" in out


def test_checks_are_deterministic(capsys):
    def wrong(theta, v, g, lr, beta):
        return theta + lr * g, v

    first = run(ex.check_momentum_step, wrong, capsys)
    second = run(ex.check_momentum_step, wrong, capsys)
    assert first == second


# ---------------------------------------------------------------------------------------------
# Typical mistakes: rejected, with the output, the values and a hint naming the mistake


def _mistake(check, fn, capsys, *expected_fragments, output=None):
    verdict, out = run(check, fn, capsys)
    assert verdict is False, out
    assert out.startswith(ex.NO)
    for fragment in expected_fragments:
        assert fragment in out, out
    if output is not None:
        assert f"output {output} is wrong" in out
        assert "expected:" in out and "got:" in out
    return out


def test_momentum_sign_flip(capsys):
    def sign_flip(theta, v, g, lr, beta):
        v = beta * v + lr * g
        return theta + v, v

    _mistake(ex.check_momentum_step, sign_flip, capsys, "sign", output="theta")


def test_momentum_with_one_minus_beta(capsys):
    def ema(theta, v, g, lr, beta):
        v = beta * v - (1 - beta) * lr * g
        return theta + v, v

    _mistake(ex.check_momentum_step, ema, capsys, "no (1 − β)", output="theta")


def test_momentum_old_velocity(capsys):
    def wrong_order(theta, v, g, lr, beta):
        return theta + v, beta * v - lr * g

    _mistake(ex.check_momentum_step, wrong_order, capsys, "update v first", output="theta")


def test_momentum_wrong_shape(capsys):
    def flattens(theta, v, g, lr, beta):
        v = beta * v - lr * g
        return (theta + v).ravel(), v.ravel()

    _mistake(ex.check_momentum_step, flattens, capsys, "shape (4,)", "(2, 2)", output="theta")


def test_momentum_sum_instead_of_elementwise(capsys):
    def reduces(theta, v, g, lr, beta):
        v = beta * v - lr * np.sum(g)
        return theta + v, v

    out = _mistake(ex.check_momentum_step, reduces, capsys, output="theta")
    assert "Hint:" in out


def test_nesterov_gradient_at_theta(capsys):
    def classical(theta, v, grad_fn, lr, beta):
        v = beta * v - lr * grad_fn(theta)
        return theta + v, v

    _mistake(ex.check_nesterov_step, classical, capsys, "look-ahead point θ + βv, not at θ",
             output="theta")


def test_nesterov_forgets_gradient_step(capsys):
    def no_step(theta, v, grad_fn, lr, beta):
        theta = theta + beta * v
        g = grad_fn(theta)
        return theta, beta * v - lr * g

    _mistake(ex.check_nesterov_step, no_step, capsys, "θ ← θ − αg", output="theta")


def test_nesterov_returns_the_pytorch_variable(capsys):
    def lookahead(theta, v, grad_fn, lr, beta):
        g = grad_fn(theta + beta * v)
        v = beta * v - lr * g
        return theta + v + beta * v, v

    _mistake(ex.check_nesterov_step, lookahead, capsys, "PyTorch", output="theta")


def test_nesterov_two_gradients(capsys):
    def twice(theta, v, grad_fn, lr, beta):
        grad_fn(theta)
        return nesterov_ok(theta, v, grad_fn, lr, beta)

    _mistake(ex.check_nesterov_step, twice, capsys, "called grad_fn 2 times")


def test_rmsprop_missing_one_minus_beta(capsys):
    def no_one_minus_beta(theta, r, g, lr, beta, eps):
        r = beta * r + g**2
        return theta - lr / np.sqrt(r + eps) * g, r

    _mistake(ex.check_rmsprop_step, no_one_minus_beta, capsys, "missing (1 − β)", output="theta")


def test_rmsprop_eps_outside(capsys):
    def outside(theta, r, g, lr, beta, eps):
        r = beta * r + (1 - beta) * g**2
        return theta - lr / (np.sqrt(r) + eps) * g, r

    _mistake(ex.check_rmsprop_step, outside, capsys, "ε inside the root", output="theta")


def test_rmsprop_no_square_root(capsys):
    def no_root(theta, r, g, lr, beta, eps):
        r = beta * r + (1 - beta) * g**2
        return theta - lr / (r + eps) * g, r

    _mistake(ex.check_rmsprop_step, no_root, capsys, "square root", output="theta")


def test_rmsprop_sign_flip(capsys):
    def ascends(theta, r, g, lr, beta, eps):
        r = beta * r + (1 - beta) * g**2
        return theta + lr / np.sqrt(r + eps) * g, r

    _mistake(ex.check_rmsprop_step, ascends, capsys, "sign", output="theta")


def test_adam_t_starting_at_zero(capsys):
    def t_not_incremented(theta, s, r, t, g, lr, beta1, beta2, eps):
        s = beta1 * s + (1 - beta1) * g
        r = beta2 * r + (1 - beta2) * g**2
        s_hat, r_hat = s / (1 - beta1**t), r / (1 - beta2**t)
        return theta - lr / np.sqrt(r_hat + eps) * s_hat, s, r, t + 1

    out = _mistake(ex.check_adam_bias_correction, t_not_incremented, capsys,
                   "increment t first", output="theta")
    assert "t = 0" in out  # shown on the first step, where 1 − β⁰ = 0


def test_adam_without_bias_correction(capsys):
    def uncorrected(theta, s, r, t, g, lr, beta1, beta2, eps):
        s = beta1 * s + (1 - beta1) * g
        r = beta2 * r + (1 - beta2) * g**2
        return theta - lr / np.sqrt(r + eps) * s, s, r, t + 1

    _mistake(ex.check_adam_bias_correction, uncorrected, capsys, "bias correction is missing",
             output="theta")


def test_adam_missing_one_minus_beta2(capsys):
    def no_one_minus_beta2(theta, s, r, t, g, lr, beta1, beta2, eps):
        t = t + 1
        s = beta1 * s + (1 - beta1) * g
        r = beta2 * r + g**2
        return theta - lr / np.sqrt(r / (1 - beta2**t) + eps) * s / (1 - beta1**t), s, r, t

    _mistake(ex.check_adam_bias_correction, no_one_minus_beta2, capsys, "missing (1 − β₂)",
             output="theta")


def test_adam_eps_outside(capsys):
    def outside(theta, s, r, t, g, lr, beta1, beta2, eps):
        t = t + 1
        s = beta1 * s + (1 - beta1) * g
        r = beta2 * r + (1 - beta2) * g**2
        s_hat, r_hat = s / (1 - beta1**t), r / (1 - beta2**t)
        return theta - lr / (np.sqrt(r_hat) + eps) * s_hat, s, r, t

    _mistake(ex.check_adam_bias_correction, outside, capsys, "ε inside the root", output="theta")


def test_adam_returns_old_t(capsys):
    def old_t(theta, s, r, t, g, lr, beta1, beta2, eps):
        return adam_ok(theta, s, r, t, g, lr, beta1, beta2, eps)[:3] + (t,)

    _mistake(ex.check_adam_bias_correction, old_t, capsys, "t + 1", output="t")


def test_adam_wrong_shape(capsys):
    def as_column(theta, s, r, t, g, lr, beta1, beta2, eps):
        th, s, r, t = adam_ok(theta, s, r, t, g, lr, beta1, beta2, eps)
        return th[:, None], s, r, t

    _mistake(ex.check_adam_bias_correction, as_column, capsys, "shape", output="theta")


def test_cosine_without_clamp(capsys):
    def no_clamp(t, initial_lr, decay_steps, alpha):
        return initial_lr * (alpha + (1 - alpha) * 0.5 * (1 + np.cos(np.pi * t / decay_steps)))

    out = _mistake(ex.check_cosine_decay, no_clamp, capsys, "min(t, T)", output="lr")
    assert "first difference at index" in out


def test_cosine_without_half(capsys):
    def no_half(t, initial_lr, decay_steps, alpha):
        t = np.minimum(t, decay_steps)
        return initial_lr * (alpha + (1 - alpha) * (1 + np.cos(np.pi * t / decay_steps)))

    _mistake(ex.check_cosine_decay, no_half, capsys, "½(1 + cos", output="lr")


def test_cosine_floor_not_scaled(capsys):
    def absolute_floor(t, initial_lr, decay_steps, alpha):
        t = np.minimum(t, decay_steps)
        return initial_lr * (1 - alpha) * 0.5 * (1 + np.cos(np.pi * t / decay_steps)) + alpha

    _mistake(ex.check_cosine_decay, absolute_floor, capsys, "fraction of initial_lr",
             output="lr")


def test_cosine_scalar_instead_of_array(capsys):
    def scalar(t, initial_lr, decay_steps, alpha):
        return float(np.mean(cosine_ok(t, initial_lr, decay_steps, alpha)))

    _mistake(ex.check_cosine_decay, scalar, capsys, "shape", output="lr")


# ---------------------------------------------------------------------------------------------
# The learning-rate bound


A = np.array([[5.5, 4.5], [4.5, 5.5]])  # eigenvalues 1 and 10, written out: A = Q diag(1, 10) Qᵀ


def test_lr_bound_accepts_two_over_lambda_max(capsys):
    assert ex.check_lr_bound(0.2, A) is True
    assert ex.check_lr_bound(0.2001, A) is True  # rounding is fine
    assert ex.OK in capsys.readouterr().out


def test_lr_bound_is_where_gd_stops_converging():
    # the accepted answer separates convergence from divergence of GD on ½θᵀAθ
    theta = np.array([1.0, -0.3])
    for alpha, converges in [(0.199, True), (0.201, False)]:
        th = theta.copy()
        for _ in range(3000):
            th = th - alpha * (A @ th)
        assert (np.linalg.norm(th) < 1e-3) == converges


@pytest.mark.parametrize(
    ("value", "fragment"),
    [(0.1, "1/λ_max"), (2.0, "2/λ_min"), (2 / 11, "best constant α"), (20.0, "not 2 times"),
     (0.3, "eigenvalues")],
)
def test_lr_bound_rejects_with_a_hint(value, fragment, capsys):
    assert ex.check_lr_bound(value, A) is False
    out = capsys.readouterr().out
    assert out.startswith(ex.NO) and fragment in out


@pytest.mark.parametrize("value", [None, ...])
def test_lr_bound_not_answered(value, capsys):
    assert ex.check_lr_bound(value, A) is False
    assert "not answered yet" in capsys.readouterr().out


def test_lr_bound_not_a_number(capsys):
    assert ex.check_lr_bound("0.2", A) is True  # a numeric string is a number
    assert ex.check_lr_bound("two", A) is False
    assert "must be a number" in capsys.readouterr().out


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
    assert key == {name: truth for name, (truth, _) in ex._RM_KEY.items()}
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


# ---------------------------------------------------------------------------------------------
# Minibatch variance and the backward step of a tanh node


def minibatch_variance_ok(sigma2, m, N):
    return sigma2 / m * (N - m) / (N - 1)


def tanh_backward_ok(h, g_h):
    return g_h * (1 - h**2)


NEW_CHECKS = [(ex.check_minibatch_variance, minibatch_variance_ok),
              (ex.check_tanh_backward, tanh_backward_ok)]


@pytest.mark.parametrize(("check", "fn"), NEW_CHECKS)
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_new_references_pass(check, fn, seed, capsys):
    verdict, out = run(check, fn, capsys, seed=seed)
    assert verdict is True
    assert out.startswith(ex.OK) and "correct" in out and "6 random inputs" in out


def test_minibatch_variance_formula_by_enumerating_all_minibatches():
    # the variance of the mean over *every* minibatch of a tiny data set, written out
    x = np.array([0.3, -1.2, 2.5, 0.0, 1.1, -0.7])
    N, sigma2 = len(x), np.var(x)  # the population variance (1/N)
    for m in range(1, N + 1):
        means = np.array([x[list(b)].mean() for b in itertools.combinations(range(N), m)])
        assert np.isclose(np.mean((means - x.mean()) ** 2), ex._minibatch_variance(sigma2, m, N))
        # with replacement (all N^m ordered draws) it is σ²/m: what the first hint says
        draws = np.array(list(itertools.product(x, repeat=m))).mean(axis=1) if m <= 4 else None
        if draws is not None:
            assert np.isclose(np.mean((draws - x.mean()) ** 2), sigma2 / m)
    assert ex._minibatch_variance(sigma2, N, N) == 0.0
    assert np.allclose(ex._minibatch_variance(sigma2, np.array([1, N]), N), [sigma2, 0.0])


def test_minibatch_cases_cover_m_equal_one_and_n():
    cases = ex._minibatch_cases(0)
    pairs = [(case.args[1][1], case.args[2][1]) for case in cases]
    assert any(np.ndim(m) == 0 and m == N for m, N in pairs)
    assert any(np.ndim(m) == 1 and m[0] == 1 and m[-1] == N for m, N in pairs)


def test_tanh_cases_match_central_differences():
    # the reference (the autodiff engine) against ∂/∂a Σ g_h·tanh(a), by central differences
    cases = ex._tanh_cases(0)
    assert [np.shape(case.args[0][1]) for case in cases][:3] == [(), (3,), (2, 3)]
    assert isinstance(cases[0].args[0][1], float)  # a single number is passed as a float
    for case in cases:
        h, g_h = (np.asarray(value, dtype=np.float64) for _, value in case.args)
        a, eps = np.arctanh(h), 1e-6
        numeric = g_h * (np.tanh(a + eps) - np.tanh(a - eps)) / (2 * eps)
        assert np.allclose(case.expected[0], numeric, rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("check", [c for c, _ in NEW_CHECKS])
def test_new_checks_not_implemented_is_friendly(check, capsys):
    verdict, out = run(check, not_implemented, capsys)
    assert verdict is False
    assert "not implemented yet" in out
    assert "Traceback" not in out and "input" not in out


@pytest.mark.parametrize("check", [c for c, _ in NEW_CHECKS])
def test_new_checks_report_other_exceptions(check, capsys):
    def broken(*args):
        return {}["no such key"]

    verdict, out = run(check, broken, capsys)
    assert verdict is False
    assert "raised KeyError" in out and "no such key" in out and "test input 1 of 6" in out


@pytest.mark.parametrize("check", [c for c, _ in NEW_CHECKS])
def test_new_checks_wrong_arity_and_not_a_function(check, capsys):
    verdict, out = run(check, lambda a: a, capsys)  # takes too few arguments
    assert verdict is False and "raised TypeError" in out
    verdict, out = run(check, 0.5, capsys)
    assert verdict is False and "itself" in out


@pytest.mark.parametrize(("check", "output"), [(ex.check_minibatch_variance, "variance"),
                                               (ex.check_tanh_backward, "g_a")])
def test_new_checks_missing_return_value(check, output, capsys):
    verdict, out = run(check, lambda *args: None, capsys)
    assert verdict is False
    assert f"must return {output}" in out and "missing return" in out


def test_minibatch_without_correction(capsys):
    def with_replacement(sigma2, m, N):
        return sigma2 / m

    _mistake(ex.check_minibatch_variance, with_replacement, capsys, "*with* replacement",
             "(N − m)/(N − 1)", output="variance")


def test_minibatch_correction_over_n(capsys):
    def over_n(sigma2, m, N):
        return sigma2 / m * (N - m) / N

    _mistake(ex.check_minibatch_variance, over_n, capsys, "not (N − m)/N", output="variance")


def test_minibatch_nonzero_at_m_equal_n(capsys):
    def off_by_one(sigma2, m, N):
        return sigma2 / m * (N - m + 1) / N

    out = _mistake(ex.check_minibatch_variance, off_by_one, capsys, "at m = N",
                   output="variance")
    assert "expected: variance = 0" in out


def test_minibatch_standard_deviation(capsys):
    def std(sigma2, m, N):
        return np.sqrt(minibatch_variance_ok(sigma2, m, N))

    _mistake(ex.check_minibatch_variance, std, capsys, "standard deviation", output="variance")


def test_minibatch_scalar_for_an_array_of_m(capsys):
    def summed(sigma2, m, N):
        return np.sum(minibatch_variance_ok(sigma2, m, N))

    _mistake(ex.check_minibatch_variance, summed, capsys, "must have m's shape (10,)",
             output="variance")


def test_minibatch_division_by_zero_gives_no_runtime_warning(capsys):
    def reciprocal(sigma2, m, N):
        return sigma2 / m * (N - 1) / (N - np.asarray(m, dtype=float))  # inf at m = N

    _mistake(ex.check_minibatch_variance, reciprocal, capsys, "not its reciprocal",
             output="variance")


def test_tanh_missing_square(capsys):
    def no_square(h, g_h):
        return g_h * (1 - h)

    _mistake(ex.check_tanh_backward, no_square, capsys, "square h", output="g_a")


def test_tanh_applied_twice(capsys):
    def twice(h, g_h):
        return g_h * (1 - np.tanh(h) ** 2)

    _mistake(ex.check_tanh_backward, twice, capsys, "not 1 − tanh²(h)", output="g_a")


def test_tanh_missing_upstream_gradient(capsys):
    def local_only(h, g_h):
        return 1 - h**2

    _mistake(ex.check_tanh_backward, local_only, capsys, "multiply by g_h", output="g_a")


@pytest.mark.parametrize("reduce", [np.sum, lambda x: x.ravel()[:1]])
def test_tanh_wrong_shape(reduce, capsys):
    def reduces(h, g_h):
        return reduce(np.asarray(tanh_backward_ok(h, g_h)))

    _mistake(ex.check_tanh_backward, reduces, capsys, "must have h's shape", "elementwise",
             output="g_a")


def test_tanh_swapped_arguments(capsys):
    def swapped(g_h, h):
        return g_h * (1 - h**2)

    _mistake(ex.check_tanh_backward, swapped, capsys, "order (h, g_h)", output="g_a")


def test_tanh_in_place(capsys):
    def in_place(h, g_h):
        g_h *= 1 - h**2
        return g_h

    verdict, out = run(ex.check_tanh_backward, in_place, capsys)
    assert verdict is False
    assert "modified its argument g_h in place" in out


# ---------------------------------------------------------------------------------------------
# The backward pass of a one-hidden-layer tanh MLP


def _softmax_rows(a):
    p = np.exp(a - a.max(axis=1, keepdims=True))
    return p / p.sum(axis=1, keepdims=True)


def mlp_backward_ok(X, y, W1, b1, W2, b2):
    h1 = np.tanh(X @ W1 + b1)
    p = _softmax_rows(h1 @ W2 + b2)
    g = p.copy()
    g[np.arange(len(y)), y] -= 1.0
    g = g / len(y)
    g_W2, g_b2 = h1.T @ g, g.sum(axis=0)
    g = (g @ W2.T) * (1 - h1**2)
    return X.T @ g, g.sum(axis=0), g_W2, g_b2


def _mlp_mistake(**kw):
    """mlp_backward_ok with one output replaced: name → f(correct outputs) -> wrong output."""
    names = ("g_W1", "g_b1", "g_W2", "g_b2")

    def backward(X, y, W1, b1, W2, b2):
        grads = dict(zip(names, mlp_backward_ok(X, y, W1, b1, W2, b2), strict=True))
        return tuple(kw[k](grads) if k in kw else grads[k] for k in names)

    return backward


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_mlp_backward_reference_passes(seed, capsys):
    verdict, out = run(ex.check_mlp_backward, mlp_backward_ok, capsys, seed=seed)
    assert verdict is True
    assert out.startswith(ex.OK) and "correct" in out and "6 random inputs" in out


def test_mlp_cases_match_central_differences():
    # the reference (MLP.loss_and_grad) against central differences of the loss, written out
    def loss(X, y, W1, b1, W2, b2):
        p = _softmax_rows(np.tanh(X @ W1 + b1) @ W2 + b2)
        return -np.mean(np.log(p[np.arange(len(y)), y]))

    cases = ex._mlp_cases(0)
    assert len({tuple(np.shape(v) for _, v in case.args) for case in cases}) == len(cases)
    for case in cases:
        args = [np.array(value, dtype=np.float64) for _, value in case.args]
        X, y, params = args[0], args[1].astype(int), args[2:]
        for param, expected in zip(params, case.expected, strict=True):
            numeric = np.zeros_like(param)
            for j in np.ndindex(param.shape):
                old, eps = param[j], 1e-6
                param[j] = old + eps
                up = loss(X, y, *params)
                param[j] = old - eps
                down = loss(X, y, *params)
                param[j] = old
                numeric[j] = (up - down) / (2 * eps)
            assert np.allclose(expected, numeric, rtol=1e-6, atol=1e-9)


def test_mlp_backward_missing_one_over_n(capsys):
    def summed(X, y, W1, b1, W2, b2):
        return tuple(len(X) * g for g in mlp_backward_ok(X, y, W1, b1, W2, b2))

    # the output layer is checked first, as backpropagation computes it
    _mistake(ex.check_mlp_backward, summed, capsys, "divide by N exactly once", output="g_W2")


def test_mlp_backward_one_over_n_twice(capsys):
    def twice(X, y, W1, b1, W2, b2):
        return tuple(g / len(X) for g in mlp_backward_ok(X, y, W1, b1, W2, b2))

    _mistake(ex.check_mlp_backward, twice, capsys, "divide by N exactly once", output="g_W2")


def test_mlp_backward_missing_tanh_derivative(capsys):
    def no_tanh_prime(X, y, W1, b1, W2, b2):
        h1 = np.tanh(X @ W1 + b1)
        p = _softmax_rows(h1 @ W2 + b2)
        g = (p - np.eye(W2.shape[1])[y]) / len(y)
        g_W2, g_b2 = h1.T @ g, g.sum(axis=0)
        g = g @ W2.T
        return X.T @ g, g.sum(axis=0), g_W2, g_b2

    _mistake(ex.check_mlp_backward, no_tanh_prime, capsys, "g ← g W2ᵀ ⊙ (1 − h1²)",
             output="g_W1")


def test_mlp_backward_output_layer_without_onehot(capsys):
    def no_onehot(X, y, W1, b1, W2, b2):
        h1 = np.tanh(X @ W1 + b1)
        g = _softmax_rows(h1 @ W2 + b2) / len(y)
        g_W2, g_b2 = h1.T @ g, g.sum(axis=0)
        g = g @ W2.T * (1 - h1**2)
        return X.T @ g, g.sum(axis=0), g_W2, g_b2

    _mistake(ex.check_mlp_backward, no_onehot, capsys, "softmax − onehot(y)", output="g_W2")


def test_mlp_backward_unknown_mistake_gets_the_layer_hint(capsys):
    out = _mistake(ex.check_mlp_backward, _mlp_mistake(g_b2=lambda g: 0.5 * g["g_b2"]), capsys,
                   output="g_b2")
    assert "then g_b2 = Σ_i g_i, the column sums of g" in out
    out = _mistake(ex.check_mlp_backward, _mlp_mistake(g_W1=lambda g: g["g_W1"] + 0.1), capsys,
                   output="g_W1")
    assert "g ← g W2ᵀ ⊙ (1 − h1²)" in out


@pytest.mark.parametrize(
    ("mistake", "output", "shape"),
    [
        ({"g_W1": lambda g: g["g_W1"].T}, "g_W1", "must have its parameter's shape"),
        ({"g_W2": lambda g: g["g_W2"].T}, "g_W2", "must have its parameter's shape"),
        ({"g_b1": lambda g: g["g_b1"][None, :]}, "g_b1", "shape (1,"),
        ({"g_b2": lambda g: np.sum(g["g_b2"])}, "g_b2", "shape ()"),
    ],
)
def test_mlp_backward_wrong_shapes(mistake, output, shape, capsys):
    _mistake(ex.check_mlp_backward, _mlp_mistake(**mistake), capsys, shape, "g_W = hᵀ g",
             "np.sum(g, axis=0)", output=output)


def test_mlp_backward_transposed_product_is_caught_by_shape(capsys):
    def g_transposed(X, y, W1, b1, W2, b2):
        h1 = np.tanh(X @ W1 + b1)
        g = (_softmax_rows(h1 @ W2 + b2) - np.eye(W2.shape[1])[y]) / len(y)
        g_W2, g_b2 = g.T @ h1, g.sum(axis=0)  # (C, H) instead of (H, C)
        g = g @ W2.T * (1 - h1**2)
        return X.T @ g, g.sum(axis=0), g_W2, g_b2

    _mistake(ex.check_mlp_backward, g_transposed, capsys, "g_W = hᵀ g", output="g_W2")


@pytest.mark.parametrize("count", [2, 3, 5])
def test_mlp_backward_wrong_number_of_outputs(count, capsys):
    def backward(X, y, W1, b1, W2, b2):
        grads = mlp_backward_ok(X, y, W1, b1, W2, b2)
        return (grads + grads)[:count]

    verdict, out = run(ex.check_mlp_backward, backward, capsys)
    assert verdict is False
    assert "must return a tuple (g_W1, g_b1, g_W2, g_b2)" in out and f"got {count} values" in out


def test_mlp_backward_missing_return(capsys):
    verdict, out = run(ex.check_mlp_backward, lambda *args: None, capsys)
    assert verdict is False
    assert "must return a tuple (g_W1, g_b1, g_W2, g_b2)" in out and "missing return" in out


def test_mlp_backward_not_implemented_and_exceptions(capsys):
    verdict, out = run(ex.check_mlp_backward, not_implemented, capsys)
    assert verdict is False
    assert out.startswith(ex.NO) and "backward is not implemented yet" in out
    assert "Traceback" not in out and "input" not in out

    def broken(X, y, W1, b1, W2, b2):
        return X @ W2  # (N, D) @ (H, C): shapes do not fit

    verdict, out = run(ex.check_mlp_backward, broken, capsys)
    assert verdict is False
    assert "backward raised ValueError" in out and "test input 1 of 6" in out
    assert "Traceback" not in out
    verdict, out = run(ex.check_mlp_backward, lambda X, y: X, capsys)
    assert verdict is False and "raised TypeError" in out
    verdict, out = run(ex.check_mlp_backward, (np.zeros((5, 4)), np.zeros(4)), capsys)
    assert verdict is False and "itself" in out  # a result passed instead of the function


def test_mlp_backward_overflow_gives_no_runtime_warning(capsys):
    def unstable_softmax(X, y, W1, b1, W2, b2):
        h1 = np.tanh(X @ W1 + b1)
        p = np.exp(1e3 * (h1 @ W2 + b2))  # overflows to inf; inf/inf = nan
        p = p / p.sum(axis=1, keepdims=True)
        g = (p - np.eye(W2.shape[1])[y]) / len(y)
        g_W2, g_b2 = h1.T @ g, g.sum(axis=0)
        g = g @ W2.T * (1 - h1**2)
        return X.T @ g, g.sum(axis=0), g_W2, g_b2

    _mistake(ex.check_mlp_backward, unstable_softmax, capsys, "not finite", output="g_W2")


def test_mlp_backward_in_place(capsys):
    def in_place(X, y, W1, b1, W2, b2):
        grads = mlp_backward_ok(X, y, W1, b1, W2, b2)
        W2 -= 0.1 * grads[2]  # a training step on the caller's array
        return grads

    verdict, out = run(ex.check_mlp_backward, in_place, capsys)
    assert verdict is False
    assert "modified its argument W2 in place" in out
