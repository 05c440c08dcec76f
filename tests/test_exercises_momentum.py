"""Tests for npfl_helpers.exercises.momentum (notebook 07): one step of momentum and of Nesterov
momentum, and the largest stable GD learning rate."""

import numpy as np
import pytest
from exercise_solutions import mistake, momentum_ok, nesterov_ok, run

from npfl_helpers import exercises as ex


@pytest.mark.parametrize(("check", "fn"), [(ex.check_momentum_step, momentum_ok),
                                           (ex.check_nesterov_step, nesterov_ok)])
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_reference_passes(check, fn, seed, capsys):
    verdict, out = run(check, fn, capsys, seed=seed)
    assert verdict is True
    assert out.startswith(ex.OK) and "correct" in out


def test_momentum_sign_flip(capsys):
    def sign_flip(theta, v, g, lr, beta):
        v = beta * v + lr * g
        return theta + v, v

    mistake(ex.check_momentum_step, sign_flip, capsys, "sign", output="theta")


def test_momentum_with_one_minus_beta(capsys):
    def ema(theta, v, g, lr, beta):
        v = beta * v - (1 - beta) * lr * g
        return theta + v, v

    mistake(ex.check_momentum_step, ema, capsys, "no (1 − β)", output="theta")


def test_momentum_old_velocity(capsys):
    def wrong_order(theta, v, g, lr, beta):
        return theta + v, beta * v - lr * g

    mistake(ex.check_momentum_step, wrong_order, capsys, "update v first", output="theta")


def test_momentum_wrong_shape(capsys):
    def flattens(theta, v, g, lr, beta):
        v = beta * v - lr * g
        return (theta + v).ravel(), v.ravel()

    mistake(ex.check_momentum_step, flattens, capsys, "shape (4,)", "(2, 2)", output="theta")


def test_momentum_sum_instead_of_elementwise(capsys):
    def reduces(theta, v, g, lr, beta):
        v = beta * v - lr * np.sum(g)
        return theta + v, v

    out = mistake(ex.check_momentum_step, reduces, capsys, output="theta")
    assert "Hint:" in out


def test_nesterov_gradient_at_theta(capsys):
    def classical(theta, v, grad_fn, lr, beta):
        v = beta * v - lr * grad_fn(theta)
        return theta + v, v

    mistake(ex.check_nesterov_step, classical, capsys, "look-ahead point θ + βv, not at θ",
            output="theta")


def test_nesterov_forgets_gradient_step(capsys):
    def no_step(theta, v, grad_fn, lr, beta):
        theta = theta + beta * v
        g = grad_fn(theta)
        return theta, beta * v - lr * g

    mistake(ex.check_nesterov_step, no_step, capsys, "θ ← θ − αg", output="theta")


def test_nesterov_returns_the_pytorch_variable(capsys):
    def lookahead(theta, v, grad_fn, lr, beta):
        g = grad_fn(theta + beta * v)
        v = beta * v - lr * g
        return theta + v + beta * v, v

    mistake(ex.check_nesterov_step, lookahead, capsys, "PyTorch", output="theta")


def test_nesterov_two_gradients(capsys):
    def twice(theta, v, grad_fn, lr, beta):
        grad_fn(theta)
        return nesterov_ok(theta, v, grad_fn, lr, beta)

    mistake(ex.check_nesterov_step, twice, capsys, "called grad_fn 2 times")


def test_momentum_and_nesterov_returned_in_the_wrong_order(capsys):
    def swapped_momentum(theta, v, g, lr, beta):
        theta, v = momentum_ok(theta, v, g, lr, beta)
        return v, theta

    def swapped_nesterov(theta, v, grad_fn, lr, beta):
        theta, v = nesterov_ok(theta, v, grad_fn, lr, beta)
        return v, theta

    for check, fn in ((ex.check_momentum_step, swapped_momentum),
                      (ex.check_nesterov_step, swapped_nesterov)):
        mistake(check, fn, capsys, "order (theta, v)", output="theta")



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


# --- one eigendirection at a time -------------------------------------------------------------

def test_momentum_matrix_reference_is_one_step_of_optim_momentum(capsys):
    from exercise_solutions import momentum_matrix_ok

    from npfl_helpers import optim

    lr, beta, lam, u, v = 0.07, 0.8, 3.0, 0.6, -0.2  # the written-out matrix is one step
    state = optim.MomentumState(0, np.array([v]))
    theta, state = optim.momentum(lr, beta).step(np.array([u]), state, lambda th: lam * th)
    np.testing.assert_allclose(momentum_matrix_ok(lr, beta, lam) @ [u, v], [theta[0], state.v[0]])
    for seed in (0, 3):
        verdict, out = run(ex.check_momentum_matrix, momentum_matrix_ok, capsys, seed=seed)
        assert verdict is True and out.startswith(ex.OK)


@pytest.mark.parametrize(("wrong", "fragment"), [
    (lambda lr, beta, lam: np.array([[1 + beta - lr * lam, -beta], [1.0, 0.0]]), "(u_t, u_{t−1})"),
    (lambda lr, beta, lam: np.array([[1 - lr * lam, -lr * lam], [beta, beta]]), "transpose"),
    (lambda lr, beta, lam: np.array([[1 - lr * lam, beta], [lr * lam, beta]]),
     "against the gradient"),
    (lambda lr, beta, lam: np.array([[1.0, 1.0], [-lr * lam, beta]]), "uses the new v"),
    (lambda lr, beta, lam: np.array([[1 - lr, beta], [-lr, beta]]), "not u"),
    (lambda lr, beta, lam: np.eye(3), "2×2"),
])
def test_momentum_matrix_mistakes_get_their_hint(wrong, fragment, capsys):
    mistake(ex.check_momentum_matrix, wrong, capsys, fragment)


def test_critical_beta_reference_passes_and_is_a_double_root(capsys):
    from exercise_solutions import critical_beta_ok

    for lr, lam in ((0.01, 1.0), (0.05, 30.0)):  # the written-out β gives equal eigenvalues
        M = np.array([[1 - lr * lam, critical_beta_ok(lr, lam)],
                      [-lr * lam, critical_beta_ok(lr, lam)]])
        r1, r2 = np.linalg.eigvals(M)
        assert abs(r1 - r2) < 1e-6
    verdict, out = run(ex.check_critical_beta, critical_beta_ok, capsys)
    assert verdict is True and out.startswith(ex.OK)


@pytest.mark.parametrize(("wrong", "fragment"), [
    (lambda lr, lam: 1 - np.sqrt(lr * lam), "square it"),
    (lambda lr, lam: (1 - lr * lam) ** 2, "square root of αλ"),
    (lambda lr, lam: (1 + np.sqrt(lr * lam)) ** 2, "other zero"),
    (lambda lr, lam: (1 - np.sqrt(lr)) ** 2 + 0 * lam, "not α alone"),
    (lambda lr, lam: (1 - np.sqrt(lr * lam)) / (1 + np.sqrt(lr * lam)), "Nesterov"),
])
def test_critical_beta_mistakes_get_their_hint(wrong, fragment, capsys):
    mistake(ex.check_critical_beta, wrong, capsys, fragment)


def test_equal_floor_lr_accepts_the_small_step_answer_and_the_exact_one(capsys):
    from npfl_helpers import quadratic_theory as qt

    args = (0.002, 1.0, [1.0, 10.0], 0.9)
    assert ex.check_equal_floor_lr(0.002 * (1 - 0.9), *args) is True
    exact = float(capsys.readouterr().out.split("exactly at")[1].split("α = ")[1].split(")")[0])
    # the exact answer really gives SGD's floor
    assert qt.noise_floor(exact, 1.0, [1.0, 10.0], beta=0.9) == pytest.approx(
        qt.noise_floor(0.002, 1.0, [1.0, 10.0]), rel=1e-5)
    assert ex.check_equal_floor_lr(exact, *args) is True
    assert ex.check_equal_floor_lr(str(exact), *args) is True


@pytest.mark.parametrize(("value", "fragment"), [
    (0.002, "times SGD's"),
    (0.02, "raises the floor further"),
    (0.002 * 0.01, "one factor (1 − β)"),
    (0.002 * 0.9, "not 1/β"),
    (0.0005, "solve for α"),
    (-1.0, "positive number"),
    (1.0, "it diverges"),
])
def test_equal_floor_lr_wrong_answers_are_explained(value, fragment, capsys):
    assert ex.check_equal_floor_lr(value, 0.002, 1.0, [1.0, 10.0], 0.9) is False
    out = capsys.readouterr().out
    assert out.startswith(ex.NO) and fragment in out, out


@pytest.mark.parametrize("value", [None, ..., "abc", [1.0, 2.0], float("nan"), 1j])
def test_equal_floor_lr_garbage_gets_a_message(value, capsys):
    assert ex.check_equal_floor_lr(value, 0.002, 1.0, [1.0, 10.0], 0.9) is False
    assert capsys.readouterr().out.startswith(ex.NO)


def test_equal_floor_lr_bad_teacher_arguments_raise():
    with pytest.raises(ValueError, match="lr"):
        ex.check_equal_floor_lr(0.001, 0.3, 1.0, [1.0, 10.0], 0.9)  # SGD diverges at α = 0.3
    with pytest.raises(ValueError, match="beta"):
        ex.check_equal_floor_lr(0.001, 0.002, 1.0, [1.0, 10.0], 1.0)
