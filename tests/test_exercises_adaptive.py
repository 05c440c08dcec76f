"""Tests for npfl_helpers.exercises.adaptive (notebook 08): one step of RMSProp and of Adam
with bias correction."""

import numpy as np
import pytest
from exercise_solutions import adam_alpha_t, adam_ok, mistake, rmsprop_ok, run

from npfl_helpers import exercises as ex


@pytest.mark.parametrize(("check", "fn"), [(ex.check_rmsprop_step, rmsprop_ok),
                                           (ex.check_adam_bias_correction, adam_ok)])
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_reference_passes(check, fn, seed, capsys):
    verdict, out = run(check, fn, capsys, seed=seed)
    assert verdict is True
    assert out.startswith(ex.OK) and "correct" in out


def test_adam_second_form_is_accepted_with_a_note(capsys):
    verdict, out = run(ex.check_adam_bias_correction, adam_alpha_t, capsys)
    assert verdict is True
    assert "second form" in out


def test_rmsprop_missing_one_minus_beta(capsys):
    def no_one_minus_beta(theta, r, g, lr, beta, eps):
        r = beta * r + g**2
        return theta - lr / np.sqrt(r + eps) * g, r

    mistake(ex.check_rmsprop_step, no_one_minus_beta, capsys, "missing (1 − β)", output="theta")


def test_rmsprop_eps_outside(capsys):
    def outside(theta, r, g, lr, beta, eps):
        r = beta * r + (1 - beta) * g**2
        return theta - lr / (np.sqrt(r) + eps) * g, r

    mistake(ex.check_rmsprop_step, outside, capsys, "ε inside the root", output="theta")


def test_rmsprop_no_square_root(capsys):
    def no_root(theta, r, g, lr, beta, eps):
        r = beta * r + (1 - beta) * g**2
        return theta - lr / (r + eps) * g, r

    mistake(ex.check_rmsprop_step, no_root, capsys, "square root", output="theta")


def test_rmsprop_sign_flip(capsys):
    def ascends(theta, r, g, lr, beta, eps):
        r = beta * r + (1 - beta) * g**2
        return theta + lr / np.sqrt(r + eps) * g, r

    mistake(ex.check_rmsprop_step, ascends, capsys, "sign", output="theta")


def test_adam_t_starting_at_zero(capsys):
    def t_not_incremented(theta, t, s, r, g, lr, beta1, beta2, eps):
        s = beta1 * s + (1 - beta1) * g
        r = beta2 * r + (1 - beta2) * g**2
        s_hat, r_hat = s / (1 - beta1**t), r / (1 - beta2**t)
        return theta - lr / np.sqrt(r_hat + eps) * s_hat, t + 1, s, r

    out = mistake(ex.check_adam_bias_correction, t_not_incremented, capsys,
                  "increment t first", output="theta")
    assert "t = 0" in out  # shown on the first step, where 1 − β⁰ = 0


def test_adam_without_bias_correction(capsys):
    def uncorrected(theta, t, s, r, g, lr, beta1, beta2, eps):
        s = beta1 * s + (1 - beta1) * g
        r = beta2 * r + (1 - beta2) * g**2
        return theta - lr / np.sqrt(r + eps) * s, t + 1, s, r

    mistake(ex.check_adam_bias_correction, uncorrected, capsys, "bias correction is missing",
            output="theta")


def test_adam_missing_one_minus_beta2(capsys):
    def no_one_minus_beta2(theta, t, s, r, g, lr, beta1, beta2, eps):
        t = t + 1
        s = beta1 * s + (1 - beta1) * g
        r = beta2 * r + g**2
        return theta - lr / np.sqrt(r / (1 - beta2**t) + eps) * s / (1 - beta1**t), t, s, r

    mistake(ex.check_adam_bias_correction, no_one_minus_beta2, capsys, "missing (1 − β₂)",
            output="theta")


def test_adam_eps_outside(capsys):
    def outside(theta, t, s, r, g, lr, beta1, beta2, eps):
        t = t + 1
        s = beta1 * s + (1 - beta1) * g
        r = beta2 * r + (1 - beta2) * g**2
        s_hat, r_hat = s / (1 - beta1**t), r / (1 - beta2**t)
        return theta - lr / (np.sqrt(r_hat) + eps) * s_hat, t, s, r

    mistake(ex.check_adam_bias_correction, outside, capsys, "ε inside the root", output="theta")


def test_adam_returns_old_t(capsys):
    def old_t(theta, t, s, r, g, lr, beta1, beta2, eps):
        theta, _, s, r = adam_ok(theta, t, s, r, g, lr, beta1, beta2, eps)
        return theta, t, s, r  # the t it was given

    mistake(ex.check_adam_bias_correction, old_t, capsys, "t + 1", output="t")


def test_adam_wrong_shape(capsys):
    def as_column(theta, t, s, r, g, lr, beta1, beta2, eps):
        th, t, s, r = adam_ok(theta, t, s, r, g, lr, beta1, beta2, eps)
        return th[:, None], t, s, r

    mistake(ex.check_adam_bias_correction, as_column, capsys, "shape", output="theta")


def test_adam_state_in_the_old_order_is_named(capsys):
    """(θ, s, r, t) instead of AdamState's (θ, t, s, r): the checker says which output is off."""
    def old_order(theta, t, s, r, g, lr, beta1, beta2, eps):
        theta, t, s, r = adam_ok(theta, t, s, r, g, lr, beta1, beta2, eps)
        return theta, s, r, t

    verdict, out = run(ex.check_adam_bias_correction, old_order, capsys)
    assert verdict is False and "output t" in out
