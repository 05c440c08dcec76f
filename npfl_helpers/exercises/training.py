"""Notebook 06 (training an MLP): the backward pass of a one-hidden-layer tanh MLP."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import mlp
from ._harness import _Case, _quiet, _run_cases, _teacher_args

# (m, D, H, C): examples (the minibatch), inputs, hidden units, classes. D ≠ H ≠ C, so that a
# transposed g_W has the wrong shape, and m ∉ {H, C}, so that a sum over the wrong axis has it too.
_MLP_SIZES = ((6, 5, 4, 3), (4, 3, 5, 2), (7, 2, 3, 4), (5, 4, 6, 3), (3, 6, 2, 5), (10, 8, 7, 4))


def _mlp_backward_variant(X, y, W1, b1, W2, b2, *, n_div=1, sign=1.0, onehot=True,
                          d_tanh="1 - h1**2", h_for_W2="h1"):
    """The backward pass of a tanh MLP, written out, with one typical mistake switched on."""
    n = len(X)
    a1 = X @ W1 + b1
    h1 = np.tanh(a1)
    a2 = h1 @ W2 + b2
    p = np.exp(a2 - a2.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    g = p - np.eye(W2.shape[1])[y] if onehot else p
    g = sign * g / n**n_div
    g_W2 = (h1 if h_for_W2 == "h1" else a1).T @ g
    g_b2 = g.sum(axis=0)
    local = {"1 - h1**2": 1 - h1**2, "1": 1.0, "1 - h1": 1 - h1, "1 - a1**2": 1 - a1**2,
             "1 - tanh(h1)**2": 1 - np.tanh(h1) ** 2}[d_tanh]
    g = g @ W2.T * local
    return X.T @ g, g.sum(axis=0), g_W2, g_b2


def _mlp_cases(seed: int) -> list[_Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for m, D, H, C in _MLP_SIZES:
        net = mlp.MLP((D, H, C), activation="tanh", seed=rng)
        theta = net.theta.copy()
        (W1, b1), (W2, b2) = net.unpack(theta)
        W1 *= 1.5  # a little beyond Glorot, so that some tanh units are well into their tails
        b1[:] = rng.normal(scale=0.5, size=H)
        b2[:] = rng.normal(scale=0.5, size=C)
        X = rng.normal(size=(m, D))
        y = rng.integers(0, C, size=m)
        grad = net.loss_and_grad(theta, X, y)[1]
        expected = tuple(g.copy() for layer in net.unpack(grad) for g in layer)
        params = (W1.copy(), b1.copy(), W2.copy(), b2.copy())

        def variant(params=params, X=X, y=y, **mistake):
            return _quiet(lambda: _mlp_backward_variant(X, y, *params, **mistake))

        once = ("the loss is the mean over the m examples (the rows of X): divide by m exactly "
                "once, in g = (softmax − onehot(y))/m, and nowhere else.")
        variants = (
            (once, variant(n_div=0)),
            (once, variant(n_div=2)),
            ("g ← g W2ᵀ ⊙ (1 − h1²): after going back through W2ᵀ, multiply elementwise by "
             "tanh′(a1) = 1 − h1².", variant(d_tanh="1")),
            ("tanh′(a1) = 1 − h1²: square h1.", variant(d_tanh="1 - h1")),
            ("tanh′(a1) = 1 − tanh²(a1) = 1 − h1², with h1 = tanh(a1), not a1.",
             variant(d_tanh="1 - a1**2")),
            ("h1 is already tanh(a1): use 1 − h1², not 1 − tanh²(h1) (tanh applied twice).",
             variant(d_tanh="1 - tanh(h1)**2")),
            ("g = (softmax − onehot(y))/m, not (onehot(y) − softmax)/m: check the sign.",
             variant(sign=-1.0)),
            ("subtract the one-hot target: g = (softmax − onehot(y))/m.", variant(onehot=False)),
            ("g_W2 = h1ᵀ g takes the hidden layer's output h1 = tanh(a1), not a1.",
             variant(h_for_W2="a1")),
        )
        args = (("X", X), ("y", y), ("W1", params[0]), ("b1", params[1]), ("W2", params[2]),
                ("b2", params[3]))
        cases.append(_Case(args, expected, variants))
    return cases


def check_mlp_backward(fn: Callable, seed: int = 0, *,
                       timeout: float | None = None) -> bool:
    r"""Check the backward pass of a one-hidden-layer tanh MLP on a minibatch.

    The learner writes ``backward(X, y, W1, b1, W2, b2) -> (g_W1, g_b1, g_W2, g_b2)``: the
    gradients of the mean cross-entropy (no L2) of the network

    .. math::
        a_1 = X W_1 + b_1, \quad h_1 = \tanh(a_1), \quad a_2 = h_1 W_2 + b_2, \quad
        J = -\frac1m \sum_{i=1}^m \log \operatorname{softmax}(a_2^{(i)})_{y_i},

    by backpropagation, the output layer first:

    .. math::
        g = \tfrac1m\bigl(\operatorname{softmax}(a_2) - \operatorname{onehot}(y)\bigr), \quad
        g_{W_2} = h_1^\top g, \quad g_{b_2} = \textstyle\sum_i g_i, \quad
        g \leftarrow g W_2^\top \odot (1 - h_1^2), \quad
        g_{W_1} = X^\top g, \quad g_{b_1} = \textstyle\sum_i g_i .

    ========== ==============================
    symbol     argument
    ========== ==============================
    X          ``X`` (m examples as rows)
    y          ``y`` (m class indices)
    W₁, b₁     ``W1`` (D, H), ``b1`` (H,)
    W₂, b₂     ``W2`` (H, C), ``b2`` (C,)
    ========== ==============================

    It is compared with :meth:`npfl_helpers.mlp.MLP.loss_and_grad` on six seeded random inputs
    of different sizes, in the order backpropagation computes the gradients (g_W2, g_b2, then
    g_W1, g_b1), and the first wrong one is reported.

    >>> import numpy as np
    >>> def backward(X, y, W1, b1, W2, b2):
    ...     h1 = np.tanh(X @ W1 + b1)
    ...     a2 = h1 @ W2 + b2
    ...     p = np.exp(a2 - a2.max(axis=1, keepdims=True))
    ...     g = p / p.sum(axis=1, keepdims=True) - np.eye(W2.shape[1])[y]   # forgets the 1/m
    ...     g_W2, g_b2 = h1.T @ g, g.sum(axis=0)
    ...     g = g @ W2.T * (1 - h1**2)
    ...     return X.T @ g, g.sum(axis=0), g_W2, g_b2
    >>> check_mlp_backward(backward)  # doctest: +ELLIPSIS
    ✘ backward: output g_W2 is wrong on test input 1 of 6.
    ...
      Hint: the loss is the mean over the m examples (the rows of X): divide by m exactly once,
            in g = (softmax − onehot(y))/m, and nowhere else.
    False
    """
    generic = {
        "g_W2": "g = (softmax − onehot(y))/m, then g_W2 = h1ᵀ g.",
        "g_b2": "g = (softmax − onehot(y))/m, then g_b2 = Σ_i g_i, the column sums of g.",
        "g_W1": "g ← g W2ᵀ ⊙ (1 − h1²) (tanh′ at a1), then g_W1 = Xᵀ g.",
        "g_b1": "g ← g W2ᵀ ⊙ (1 − h1²) (tanh′ at a1), then g_b1 = Σ_i g_i, the column sums of g.",
    }
    shape_hint = ("{out} has shape {got} but must have its parameter's shape {expected}: "
                  "g_W = hᵀ g (the layer's input transposed, times g) and g_b = Σ_i g_i = "
                  "np.sum(g, axis=0), one entry per unit.")
    seed, timeout = _teacher_args(seed, timeout)
    return _run_cases(fn, "backward", ("g_W1", "g_b1", "g_W2", "g_b2"), _mlp_cases(seed),
                      generic, shape_hint, order=(2, 3, 0, 1), timeout=timeout)
