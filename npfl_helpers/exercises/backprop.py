"""Notebook 05 (backpropagation): the backward step of a tanh node."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import autodiff
from ._harness import _Case, _run_cases, _teacher_args


def _tanh_cases(seed: int) -> list[_Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for shape in ((), (3,), (2, 3), (4,), (), (3, 2)):
        a = rng.normal(scale=1.5, size=shape)
        g_h = rng.normal(size=shape)
        a_node = autodiff.Tensor(a)
        h_node = autodiff.tanh(a_node)
        h_node.backward(g_h)
        h, g_a = h_node.value, a_node.grad
        if shape == ():  # a single number, as a float
            h, g_h, g_a = float(h), float(g_h), float(g_a)
        variants = (
            ("square h: tanh′(a) = 1 − tanh²(a) = 1 − h², so g_a = g_h·(1 − h²).",
             (g_h * (1 - h),)),
            ("h is already tanh(a), the node's output: use 1 − h², not 1 − tanh²(h) (tanh "
             "applied twice).", (g_h * (1 - np.tanh(h) ** 2),)),
            ("multiply by g_h, the gradient arriving from the node's consumers (the chain rule): "
             "g_a = g_h·(1 − h²).", (1 - h**2,)),
            ("h(1 − h) is the derivative of the sigmoid; tanh′(a) = 1 − h².",
             (g_h * h * (1 - h),)),
            ("square h alone: 1 − h², not (1 − h)².", (g_h * (1 - h) ** 2,)),
            ("tanh′(a) = 1 − h², with a minus sign.", (g_h * (1 + h**2),)),
            ("the arguments come in the order (h, g_h): first the node's output, then the "
             "incoming gradient.", (h * (1 - g_h**2),)),
        )
        cases.append(_Case((("h", h), ("g_h", g_h)), (g_a,), variants))
    return cases


def check_tanh_backward(fn: Callable, seed: int = 0, *,
                        timeout: float | None = None) -> bool:
    r"""Check the backward step of a tanh node.

    The learner writes ``tanh_backward(h, g_h) -> g_a`` for the node :math:`h = \tanh(a)`: given
    its output h and the gradient :math:`g_h = \partial L/\partial h` arriving from its
    consumers, return

    .. math::
        g_a = \frac{\partial L}{\partial a} = g_h \odot \tanh'(a) = g_h \odot (1 - h^2)

    elementwise, for h of any shape (a single number too).

    ====== ==========
    symbol argument
    ====== ==========
    h      ``h``
    g_h    ``g_h``
    ====== ==========

    It is compared with :func:`npfl_helpers.autodiff.tanh` (a tanh node, backpropagated with the
    given g_h) on six seeded inputs: numbers, vectors and matrices.

    >>> def tanh_backward(h, g_h):
    ...     return g_h * (1 - h**2)
    >>> check_tanh_backward(tanh_backward)
    ✔ tanh_backward is correct: it matches the reference on 6 random inputs.
    True
    """
    generic = {"g_a": "g_a = g_h · (1 − h²), elementwise."}
    shape_hint = ("{out} has shape {got} but must have h's shape {expected}: tanh acts "
                  "elementwise, so its backward is an elementwise product (*), not np.dot, @ or "
                  "a sum.")
    seed, timeout = _teacher_args(seed, timeout)
    return _run_cases(fn, "tanh_backward", ("g_a",), _tanh_cases(seed), generic, shape_hint,
                      timeout=timeout)
