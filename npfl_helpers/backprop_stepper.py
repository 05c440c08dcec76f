r"""Forward propagation and backpropagation, one node per step, explained with numbers.

The text behind :func:`~npfl_helpers.widgets.backprop_stepper` (notebook 05), on top of the
:mod:`~npfl_helpers.autodiff` engine:

==========================  ===========================================================
name                        what it gives
==========================  ===========================================================
:func:`lecture_graph`       the example graph: one tanh unit, a squared error, weight decay
:func:`backprop_steps`      ``2n + 1`` :class:`BackpropStep`: nothing, forward in
                            topological order, backward in reverse order
:func:`box_label`           a node's box text, with "?" for what is not computed yet
:func:`superscript`         an exponent in Unicode superscripts (``x²``, ``σ′(a)¹⁰``)
==========================  ===========================================================

>>> steps = backprop_steps(lecture_graph())
>>> print(steps[-1].text)
Backpropagation, step 26 of 26: gradient of w
g_w = g_u · x + g_p · 2w = (−0.5315) · 0.5 + 0.1 · 2 · 1.5 = 0.03427   (one term per use: p, u)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import ArgumentTypeError, check_bool, check_range, describe
from .autodiff import Tensor, _short, backward, tanh, topological_order

__all__ = ["lecture_graph", "BackpropStep", "backprop_steps", "box_label", "superscript"]


def lecture_graph() -> Tensor:
    r"""The example graph of notebook 05: one tanh unit, a squared error and weight decay.

    .. math::
        u = w x,\quad a = u + b,\quad h = \tanh a,\quad d = h - t,\quad e = d^2,\quad
        p = w^2,\quad r = \lambda p,\quad L = e + r

    with :math:`x = 0.5, w = 1.5, b = -0.25, t = 0.8, \lambda = 0.1`. The weight :math:`w` has
    two consumers (:math:`u` and :math:`p`), so its gradient is a sum of two terms. Returns the
    root :math:`L` (forward already computed, no gradients yet).

    >>> L = lecture_graph()
    >>> [n.name for n in topological_order(L)]
    ['w', 'x', 'u', 'b', 'a', 'h', 't', 'd', 'e', 'λ', 'p', 'r', 'L']
    """
    T = Tensor
    x, w, b, t, lam = T(0.5, "x"), T(1.5, "w"), T(-0.25, "b"), T(0.8, "t"), T(0.1, "λ")
    nodes = {}
    nodes["u"] = w * x
    nodes["a"] = nodes["u"] + b
    nodes["h"] = tanh(nodes["a"])
    nodes["d"] = nodes["h"] - t
    nodes["e"] = nodes["d"] ** 2
    nodes["p"] = w ** 2
    nodes["r"] = lam * nodes["p"]
    nodes["L"] = nodes["e"] + nodes["r"]
    for name, node in nodes.items():
        node.name = name
    return nodes["L"]


class BackpropStep(NamedTuple):
    """One step of :func:`backprop_steps`: ``phase`` ("start", "forward" or "backward"), the
    ``node`` computed (None at the start), the nodes ``read`` to compute it and a ``text``."""

    phase: str
    node: Tensor | None
    read: tuple
    text: str


_SUPERSCRIPTS = str.maketrans("0123456789-.", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻·")


def _num(v) -> str:
    """A value for a formula: 4 significant digits, negatives in parentheses."""
    v = np.asarray(v, dtype=np.float64)
    if v.size != 1:
        return _short(v)
    s = f"{float(v):.4g}".replace("-", "−")
    return f"({s})" if s.startswith("−") else s


def _plain(v) -> str:
    """A value standing alone: no parentheses."""
    s = _num(v)
    return s[1:-1] if s.startswith("(") else s


def _equation(*parts: str) -> str:
    """``a = b = c``, leaving out a part equal to the next one (``g_h = g_d = −0.68``)."""
    kept = [p for p, q in zip(parts, (*parts[1:], None), strict=True)
            if q is None or p.strip("()") != q.strip("()")]
    return " = ".join(kept)


def _sym(node: Tensor) -> str:
    if node.name:
        return node.name
    if not node.inputs and node.value.size == 1:
        return _num(node.value)
    return node.op or "const"


def _power(op: str) -> float | None:
    return float(op[2:]) if op.startswith("**") else None


def superscript(p: float) -> str:
    """``p`` as Unicode superscripts, for exponents in plain text.

    >>> "x" + superscript(2), "a" + superscript(-0.5)
    ('x²', 'a⁻⁰·⁵')
    """
    p = check_range("p", p, allow_array=False)
    return f"{p:g}".translate(_SUPERSCRIPTS)


def _forward_formula(node: Tensor) -> tuple[str, str]:
    """``(symbolic, numeric)`` right-hand sides of ``node = f(inputs)``."""
    op = node.op
    ins = node.inputs
    s = [_sym(t) for t in ins]
    n = [_num(t.value) for t in ins]
    binary = {"+": "{} + {}", "-": "{} − {}", "*": "{} · {}", "/": "{} / {}",
              "matmul": "{} @ {}"}
    unary = {"tanh": "tanh({})", "sigmoid": "σ({})", "relu": "max(0, {})", "exp": "exp({})",
             "log": "log({})", "neg": "−{}", "sum": "Σ {}", "mean": "mean({})"}
    if op in binary and len(ins) == 2:
        return binary[op].format(*s), binary[op].format(*n)
    if op in unary and len(ins) == 1:
        return unary[op].format(s[0]), unary[op].format(n[0])
    p = _power(op)
    if p is not None:
        return f"{s[0]}{superscript(p)}", f"{n[0]}{superscript(p)}"
    return f"{op}({', '.join(s)})", f"{op}({', '.join(n)})"


def _local_term(c: Tensor, k: int) -> tuple[str, str]:
    """``(symbolic, numeric)`` of consumer c's term g_c · ∂c/∂(input k)."""
    gc, gcv = f"g_{_sym(c)}", _num(c.grad)
    ins = c.inputs
    s = [_sym(t) for t in ins]
    n = [_num(t.value) for t in ins]
    cs, cv = _sym(c), _num(c.value)
    op = c.op
    if op == "+":
        return gc, gcv
    if op == "-":
        return (gc, gcv) if k == 0 else (f"−{gc}", f"−{gcv}")
    if op == "*":
        return f"{gc} · {s[1 - k]}", f"{gcv} · {n[1 - k]}"
    if op == "/":
        if k == 0:
            return f"{gc} / {s[1]}", f"{gcv} / {n[1]}"
        return f"−{gc} · {s[0]} / {s[1]}²", f"−{gcv} · {n[0]} / {n[1]}²"
    if op == "tanh":
        return f"{gc} · (1 − {cs}²)", f"{gcv} · (1 − {cv}²)"
    if op == "sigmoid":
        return f"{gc} · {cs}(1 − {cs})", f"{gcv} · {cv} · (1 − {cv})"
    if op == "relu":
        return f"{gc} · [{s[0]} > 0]", f"{gcv} · [{n[0]} > 0]"
    if op == "exp":
        return f"{gc} · {cs}", f"{gcv} · {cv}"
    if op == "log":
        return f"{gc} / {s[0]}", f"{gcv} / {n[0]}"
    if op == "neg":
        return f"−{gc}", f"−{gcv}"
    p = _power(op)
    if p is not None:
        if p == 2:
            return f"{gc} · 2{s[0]}", f"{gcv} · 2 · {n[0]}"
        return (f"{gc} · {p:g}{s[0]}{superscript(p - 1)}",
                f"{gcv} · {p:g} · {n[0]}{superscript(p - 1)}")
    return f"{gc} · ∂{cs}/∂{s[k]}", f"{gcv} · ∂{cs}/∂{s[k]}"


def backprop_steps(root: Tensor) -> list[BackpropStep]:
    r"""The lecture's two algorithms on ``root``'s graph as ``2n + 1`` steps (n nodes).

    Step 0 computes nothing; steps :math:`1 … n` compute the node values in topological order
    (forward propagation); steps :math:`n+1 … 2n` complete the gradients in reverse order
    (backpropagation): :math:`g_L = 1`, then :math:`g_u = \sum_{c} g_c\,\partial c/\partial u`
    over the consumers :math:`c` of :math:`u`. Runs :func:`backward` on
    ``root`` (filling ``.grad``) and explains each step with the formula and its numbers.

    >>> steps = backprop_steps(lecture_graph())
    >>> len(steps), steps[5].text.splitlines()[1]
    (27, 'a = u + b = 0.75 + (−0.25) = 0.5')
    >>> steps[22].text.splitlines()[1]
    'g_a = g_h · (1 − h²) = (−0.6758) · (1 − 0.4621²) = −0.5315'
    """
    _tensor("root", root)
    backward(root)
    order = topological_order(root)
    n = len(order)
    consumers: dict = {node: [] for node in order}
    for node in order:
        for k, t in enumerate(node.inputs):
            consumers[t].append((node, k))
    steps = [BackpropStep("start", None, (), (
        f"Step 0 of {2 * n}: nothing computed yet\nForward propagation computes the {n} nodes "
        "in topological order (inputs first); backpropagation then fills the gradients in "
        "reverse order."))]
    for i, node in enumerate(order, start=1):
        head = f"Forward propagation, step {i} of {2 * n}: node {_sym(node)}"
        if node.inputs:
            rhs, num = _forward_formula(node)
            line = _equation(_sym(node), rhs, num, _plain(node.value))
        else:
            line = f"{_sym(node)} = {_plain(node.value)}   (a leaf: its value is given)"
        steps.append(BackpropStep("forward", node, tuple(dict.fromkeys(node.inputs)),
                                  f"{head}\n{line}"))
    for i, node in enumerate(reversed(order), start=1):
        head = f"Backpropagation, step {n + i} of {2 * n}: gradient of {_sym(node)}"
        uses = consumers[node]
        if node is root:
            line = f"g_{_sym(node)} = 1"
            note = f"   (∂{_sym(node)}/∂{_sym(node)}: the result's own gradient)"
        else:
            terms = [_local_term(c, k) for c, k in uses]
            line = _equation(f"g_{_sym(node)}", " + ".join(t[0] for t in terms),
                             " + ".join(t[1] for t in terms), _plain(node.grad))
            line = line.replace("+ −", "− ")
            names = sorted({_sym(c) for c, _ in uses})
            note = (f"   (one term per use: {', '.join(names)})" if len(uses) > 1 else "")
        read = tuple(dict.fromkeys(c for c, _ in uses))
        steps.append(BackpropStep("backward", node, read, f"{head}\n{line}{note}"))
    return steps


def box_label(node: Tensor, value_known: bool = True, grad_known: bool = True) -> str:
    """The text of ``node``'s box in the stepper: its name and operation, then its value and its
    gradient, each replaced by "?" while not known yet.

    Both number lines are padded to the width they have once everything is known, so a box
    keeps its size from the first step to the last (with ``.grad`` filled, e.g. after
    :func:`backprop_steps`).

    >>> L = lecture_graph()
    >>> _ = backprop_steps(L)
    >>> print(box_label(L, value_known=True, grad_known=False))
    L = +
    value 0.3392
    grad  ?
    """
    _tensor("node", node)
    value_known = check_bool("value_known", value_known)
    grad_known = check_bool("grad_known", grad_known)
    if node.inputs:
        title = f"{node.name} = {node.op}" if node.name else node.op
    else:
        title = node.name if node.name else "const"
    value = f"value {_short(node.value)}"
    grad = f"grad  {_short(node.grad)}" if node.grad is not None else "grad  ?"
    width = max(len(value), len(grad))
    value = value if value_known else "value ?"
    grad = grad if grad_known else "grad  ?"
    return "\n".join((title, value.ljust(width), grad.ljust(width)))  # the title centred


def _tensor(name: str, value) -> Tensor:
    if not isinstance(value, Tensor):
        raise ArgumentTypeError(f"{name} must be an autodiff Tensor (a node of a graph, e.g. "
                                f"lecture_graph()); got {describe(value)}")
    return value
