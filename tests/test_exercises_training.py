"""Tests for npfl_helpers.exercises.training (notebook 06): the backward pass of a
one-hidden-layer tanh MLP."""

import numpy as np
import pytest
from exercise_solutions import mistake, mlp_backward_ok, not_implemented, run, softmax_rows

from npfl_helpers import exercises as ex
from npfl_helpers.exercises import training


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
        p = softmax_rows(np.tanh(X @ W1 + b1) @ W2 + b2)
        return -np.mean(np.log(p[np.arange(len(y)), y]))

    cases = training._mlp_cases(0)
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
    mistake(ex.check_mlp_backward, summed, capsys, "divide by m exactly once", output="g_W2")


def test_mlp_backward_one_over_n_twice(capsys):
    def twice(X, y, W1, b1, W2, b2):
        return tuple(g / len(X) for g in mlp_backward_ok(X, y, W1, b1, W2, b2))

    mistake(ex.check_mlp_backward, twice, capsys, "divide by m exactly once", output="g_W2")


def test_mlp_backward_missing_tanh_derivative(capsys):
    def no_tanh_prime(X, y, W1, b1, W2, b2):
        h1 = np.tanh(X @ W1 + b1)
        p = softmax_rows(h1 @ W2 + b2)
        g = (p - np.eye(W2.shape[1])[y]) / len(y)
        g_W2, g_b2 = h1.T @ g, g.sum(axis=0)
        g = g @ W2.T
        return X.T @ g, g.sum(axis=0), g_W2, g_b2

    mistake(ex.check_mlp_backward, no_tanh_prime, capsys, "g ← g W2ᵀ ⊙ (1 − h1²)",
            output="g_W1")


def test_mlp_backward_output_layer_without_onehot(capsys):
    def no_onehot(X, y, W1, b1, W2, b2):
        h1 = np.tanh(X @ W1 + b1)
        g = softmax_rows(h1 @ W2 + b2) / len(y)
        g_W2, g_b2 = h1.T @ g, g.sum(axis=0)
        g = g @ W2.T * (1 - h1**2)
        return X.T @ g, g.sum(axis=0), g_W2, g_b2

    mistake(ex.check_mlp_backward, no_onehot, capsys, "softmax − onehot(y)", output="g_W2")


def test_mlp_backward_unknown_mistake_gets_the_layer_hint(capsys):
    out = mistake(ex.check_mlp_backward, _mlp_mistake(g_b2=lambda g: 0.5 * g["g_b2"]), capsys,
                  output="g_b2")
    assert "then g_b2 = Σ_i g_i, the column sums of g" in out
    out = mistake(ex.check_mlp_backward, _mlp_mistake(g_W1=lambda g: g["g_W1"] + 0.1), capsys,
                  output="g_W1")
    assert "g ← g W2ᵀ ⊙ (1 − h1²)" in out


@pytest.mark.parametrize(
    ("wrong", "output", "shape"),
    [
        ({"g_W1": lambda g: g["g_W1"].T}, "g_W1", "must have its parameter's shape"),
        ({"g_W2": lambda g: g["g_W2"].T}, "g_W2", "must have its parameter's shape"),
        ({"g_b1": lambda g: g["g_b1"][None, :]}, "g_b1", "shape (1,"),
        ({"g_b2": lambda g: np.sum(g["g_b2"])}, "g_b2", "shape ()"),
    ],
)
def test_mlp_backward_wrong_shapes(wrong, output, shape, capsys):
    mistake(ex.check_mlp_backward, _mlp_mistake(**wrong), capsys, shape, "g_W = hᵀ g",
            "np.sum(g, axis=0)", output=output)


def test_mlp_backward_transposed_product_is_caught_by_shape(capsys):
    def g_transposed(X, y, W1, b1, W2, b2):
        h1 = np.tanh(X @ W1 + b1)
        g = (softmax_rows(h1 @ W2 + b2) - np.eye(W2.shape[1])[y]) / len(y)
        g_W2, g_b2 = g.T @ h1, g.sum(axis=0)  # (C, H) instead of (H, C)
        g = g @ W2.T * (1 - h1**2)
        return X.T @ g, g.sum(axis=0), g_W2, g_b2

    mistake(ex.check_mlp_backward, g_transposed, capsys, "g_W = hᵀ g", output="g_W2")


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

    mistake(ex.check_mlp_backward, unstable_softmax, capsys, "not finite", output="g_W2")


def test_mlp_backward_in_place(capsys):
    def in_place(X, y, W1, b1, W2, b2):
        grads = mlp_backward_ok(X, y, W1, b1, W2, b2)
        W2 -= 0.1 * grads[2]  # a training step on the caller's array
        return grads

    verdict, out = run(ex.check_mlp_backward, in_place, capsys)
    assert verdict is False
    assert "modified its argument W2 in place" in out
