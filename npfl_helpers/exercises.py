r"""``check_*`` functions that give a learner instant, specific feedback.

Each checker takes the learner's function (or answer), compares it with the package's reference
on several seeded random inputs, prints one message and returns ``True`` or ``False``:

- on success, how many inputs were checked;
- on a mismatch, which output differs on which input, the expected and the received values, and
  a hint that names the likely mistake (a sign, a missing :math:`(1 - \beta)`, the order of the
  updates, ...);
- for a skeleton that still raises ``NotImplementedError``, a friendly "not implemented yet";
- for any other exception, its type and message. A checker never raises because of the
  learner's code, so a notebook with unfinished exercises still runs top to bottom.

====================================  ==============================================================
checker                               the learner writes
====================================  ==============================================================
:func:`check_minibatch_variance`      ``minibatch_variance(sigma2, m, N) -> variance``
:func:`check_tanh_backward`           ``tanh_backward(h, g_h) -> g_a``
:func:`check_mlp_backward`            ``backward(X, y, W1, b1, W2, b2)``
                                      ``-> (g_W1, g_b1, g_W2, g_b2)``
:func:`check_momentum_step`           ``momentum_step(theta, v, g, lr, beta) -> (theta, v)``
:func:`check_nesterov_step`           ``nesterov_step(theta, v, grad_fn, lr, beta) -> (theta, v)``
:func:`check_rmsprop_step`            ``rmsprop_step(theta, r, g, lr, beta, eps) -> (theta, r)``
:func:`check_adam_bias_correction`    ``adam_step(theta, s, r, t, g, lr, beta1, beta2, eps)``
                                      ``-> (theta, s, r, t)``
:func:`check_cosine_decay`            ``cosine_decay(t, initial_lr, decay_steps, alpha) -> lr``
:func:`check_lr_bound`                a number: the largest stable GD learning rate for a matrix A
:func:`check_robbins_monro`           a dict: which schedules of :data:`ROBBINS_MONRO_QUIZ` satisfy
                                      the Robbins–Monro conditions
====================================  ==============================================================

>>> def momentum_step(theta, v, g, lr, beta):
...     raise NotImplementedError
>>> check_momentum_step(momentum_step)
✘ momentum_step is not implemented yet: replace `raise NotImplementedError` with your code.
False
"""

from __future__ import annotations

import textwrap
import warnings
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from . import autodiff, mlp, optim, schedules

__all__ = [
    "ROBBINS_MONRO_QUIZ",
    "check_adam_bias_correction",
    "check_cosine_decay",
    "check_lr_bound",
    "check_minibatch_variance",
    "check_mlp_backward",
    "check_momentum_step",
    "check_nesterov_step",
    "check_rmsprop_step",
    "check_robbins_monro",
    "check_tanh_backward",
]

OK = "✔"
NO = "✘"

# Shapes of θ in the random test inputs: vectors, a matrix (elementwise code must keep it) and
# a single parameter.
_SHAPES = ((3,), (2,), (2, 2), (4,), (1,), (3,))
_RTOL, _ATOL = 1e-7, 1e-12
# The hint for an output of the wrong shape; {out}, {got} and {expected} are filled in.
_SHAPE_HINT = ("{out} has shape {got} but must have the parameters' shape {expected}: use "
               "elementwise operations (+, *, /, np.sqrt) on whole arrays, without np.dot, sum or "
               "reshaping.")


# ---------------------------------------------------------------------------------------------
# Shared machinery


class _Case(NamedTuple):
    args: tuple[tuple[str, Any], ...]  # (name, value) in the order of the learner's signature
    expected: tuple  # the reference outputs
    variants: tuple[tuple[str, tuple], ...]  # (hint, outputs of a typical wrong implementation)
    accepted: tuple[tuple[str, tuple], ...] = ()  # (note, outputs of another correct form)
    fallback: str = ""  # the hint for this input when no variant matches (else the generic one)


def _show(x, prefix: str = "") -> str:
    """``x`` for a message; ``prefix`` is the text before it on its line (to align rows)."""
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        return str(int(x))
    if isinstance(x, (float, np.floating)):
        return f"{float(x):.6g}"
    if callable(x):
        return getattr(x, "__doc__", None) or "a function"
    try:
        arr = np.asarray(x)
    except Exception:  # a ragged list or an object numpy cannot hold
        return repr(x)
    if arr.dtype.kind in "biuf":
        return np.array2string(arr, precision=6, separator=", ", max_line_width=96,
                               prefix=prefix, threshold=12, edgeitems=3)
    return repr(x)


def _copy(x):
    return x.copy() if isinstance(x, np.ndarray) else x


def _call(fn: Callable, name: str, args: tuple) -> tuple[Any, str | None]:
    """Call the learner's ``fn``; return ``(result, None)`` or ``(None, message)``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with np.errstate(all="ignore"):
                return fn(*args), None
    except NotImplementedError:
        return None, (f"{NO} {name} is not implemented yet: replace `raise NotImplementedError` "
                      "with your code.")
    except Exception as exc:  # the learner's code may fail in any way: report, never raise
        return None, f"{NO} {name} raised {type(exc).__name__}: {exc}\n"


def _not_callable(fn, name: str) -> str | None:
    if callable(fn):
        return None
    return f"{NO} pass the function {name} itself (not its result) to the check; got {fn!r}"


def _close(got, expected, rtol=_RTOL, atol=_ATOL) -> bool:
    if isinstance(expected, (int, np.integer)):
        return isinstance(got, (int, np.integer, float, np.floating)) and got == expected
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if got.shape != np.shape(expected):
        return False
    return bool(np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True))


def _describe_input(case: _Case, indent: str = "      ") -> str:
    """One line per argument, ``name = value``."""
    return "\n".join(f"{indent}{key} = {_show(value, prefix=f'{indent}{key} = ')}"
                     for key, value in case.args)


def _run_cases(fn, name: str, out_names: Sequence[str], cases: Sequence[_Case],
               generic: dict[str, str], shape_hint: str = _SHAPE_HINT,
               order: Sequence[int] | None = None) -> bool:
    """Compare ``fn`` with the reference on every case; print one message; return the verdict.

    The outputs are compared in ``order`` (indices into ``out_names``; default: as returned), and
    the first wrong one is reported.
    """
    message = _not_callable(fn, name)
    if message:
        print(message)
        return False
    notes: set[str] = set()
    for k, case in enumerate(cases, start=1):
        args = tuple(_copy(v) for _, v in case.args)
        result, message = _call(fn, name, args)
        where = f"on test input {k} of {len(cases)}"
        if message:
            if message.endswith("\n"):  # an exception other than NotImplementedError
                message += f"    {where}, with\n{_describe_input(case)}"
            print(message)
            return False
        if len(out_names) == 1:
            if result is None:
                print(f"{NO} {name} must return {out_names[0]}; got None (a missing return?)")
                return False
            result = (result,)
        elif not isinstance(result, (tuple, list)) or len(result) != len(out_names):
            if result is None:
                got = "None (a missing return?)"
            elif isinstance(result, (tuple, list)):
                got = f"{len(result)} value{'s' * (len(result) != 1)}"
            else:
                got = _show(result)
            print(f"{NO} {name} must return a tuple ({', '.join(out_names)}); got {got}")
            return False
        bad = _first_wrong(result, case.expected, order)
        if bad is not None:
            matched = [note for note, outs in case.accepted if _all_close(result, outs)]
            if matched:
                notes.update(matched)
                bad = None
        if bad is not None:
            print(_mismatch(name, out_names, case, result, bad, where, generic, shape_hint))
            return False
        for (key, original), passed in zip(case.args, args, strict=True):
            if isinstance(original, np.ndarray) and not np.array_equal(original, passed,
                                                                       equal_nan=True):
                print(_wrap(f"{NO} {name} returns the right values but modified its argument "
                            f"{key} in place ({where}). Build new arrays instead, e.g. "
                            f"`{key} = {key} + ...` rather than `{key} += ...`: the caller's "
                            "state must not change."))
                return False
    print(f"{OK} {name} is correct: it matches the reference on {len(cases)} random inputs.")
    for note in sorted(notes):
        print(_hint(note, "  Note: "))
    return True


def _all_close(result, outputs, rtol=1e-6) -> bool:
    return all(_close(r, o, rtol=rtol, atol=1e-10) for r, o in zip(result, outputs, strict=True))


def _first_wrong(result, expected, order: Sequence[int] | None = None) -> int | None:
    for i in range(len(expected)) if order is None else order:
        if not _close(result[i], expected[i]):
            return i
    return None


def _mismatch(name, out_names, case: _Case, result, i: int, where: str, generic,
              shape_hint: str = _SHAPE_HINT) -> str:
    out = out_names[i]
    got, expected = result[i], case.expected[i]
    lines = [f"{NO} {name}: output {out} is wrong {where}.", "    input:",
             _describe_input(case)]
    try:
        got_arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        got_arr = None
    exp_arr = np.asarray(expected, dtype=np.float64)
    if got_arr is not None and got_arr.shape == exp_arr.shape and exp_arr.size > 12:
        with np.errstate(all="ignore"):
            far = ~np.isclose(got_arr, exp_arr, rtol=_RTOL, atol=_ATOL, equal_nan=True)
        idx = tuple(int(j) for j in np.argwhere(far)[0])
        lines.append(f"    first difference at index {idx if len(idx) > 1 else idx[0]}:")
        lines.append(f"    expected: {out}{list(idx)} = {_show(exp_arr[idx])}")
        lines.append(f"    got:      {out}{list(idx)} = {_show(got_arr[idx])}")
    else:
        lines.append(f"    expected: {out} = {_show(expected, prefix=f'    expected: {out} = ')}")
        lines.append(f"    got:      {out} = {_show(got, prefix=f'    got:      {out} = ')}")
    if got_arr is None:
        lines.append(_hint(f"{out} must be a number or a float array."))
        return "\n".join(lines)
    if isinstance(expected, (int, np.integer)):
        hint = generic.get(out, "")
    elif got_arr.shape != np.shape(expected):
        hint = shape_hint.format(out=out, got=got_arr.shape, expected=np.shape(expected))
    else:
        hits = [h for h, outs in case.variants if _all_close(result, outs)]
        if not hits:
            hits = [h for h, outs in case.variants if _close(result[i], outs[i], 1e-6, 1e-10)]
        if hits:
            hint = hits[0]
        elif not np.all(np.isfinite(got_arr)):
            hint = f"{out} is not finite: look for a division by zero or a square root of a " \
                   "negative number."
        else:
            hint = case.fallback or generic.get(out, "")
    if hint:
        lines.append(_hint(hint))
    return "\n".join(lines)


def _hint(text: str, label: str = "  Hint: ") -> str:
    return textwrap.fill(text, width=92, break_on_hyphens=False, initial_indent=label,
                         subsequent_indent="        ")


def _wrap(text: str) -> str:
    return textwrap.fill(text, width=92, break_on_hyphens=False, subsequent_indent="  ")


def _quiet(fn):
    """Evaluate a (deliberately wrong) formula without warnings: 1/0 gives inf silently."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            return fn()


def _const(g):
    def grad_fn(theta):
        return g

    return grad_fn


# ---------------------------------------------------------------------------------------------
# Minibatch variance


def _minibatch_variance(sigma2, m, N):
    r""":math:`\frac{\sigma^2}{m}\cdot\frac{N-m}{N-1}`, the variance of a minibatch mean."""
    m = np.asarray(m, dtype=np.float64)
    v = sigma2 / m * (N - m) / (N - 1)
    return float(v) if v.ndim == 0 else v


def _minibatch_cases(seed: int) -> list[_Case]:
    rng = np.random.default_rng(seed)
    N1 = int(rng.integers(5, 50))
    N2 = int(rng.integers(20, 200))
    N3 = int(rng.integers(10, 40))
    N5 = int(rng.integers(500, 2000))
    inputs = (  # (N, m); m = N first (the variance must vanish), the arrays hold m = 1 and m = N
        (N1, N1),
        (N2, int(rng.integers(2, N2 // 2))),
        (N3, int(rng.integers(N3 // 2, N3))),
        (10, np.arange(1, 11)),
        (N5, np.array([1, 2, 32, N5 // 2, N5 - 1, N5])),
        (2, 1),
    )
    at_n = ("at m = N the minibatch is the whole data set, so ĝ = g exactly and the variance "
            "must be 0: the correction (N − m)/(N − 1) vanishes there.")
    cases = []
    for N, m in inputs:
        sigma2 = float(rng.uniform(0.1, 10.0))
        mf = np.asarray(m, dtype=np.float64)
        expected = _minibatch_variance(sigma2, m, N)
        variants = (
            ("that is σ²/m, the variance when drawing *with* replacement. Without replacement, "
             "multiply by the finite-population correction (N − m)/(N − 1).", (sigma2 / mf,)),
            ("the finite-population correction is (N − m)/(N − 1), not (N − m)/N: at m = 1 the "
             "variance must be exactly σ².", (sigma2 / mf * (N - mf) / N,)),
            ("the finite-population correction is (N − m)/(N − 1), not its reciprocal.",
             (_quiet(lambda s=sigma2, m=mf, N=N: s / m * (N - 1) / (N - m)),)),
            ("the variance of a mean of m examples is σ²/m: divide by m once, not by m².",
             (sigma2 / mf**2 * (N - mf) / (N - 1),)),
            ("the variance of a mean of m examples falls with m: σ²/m, not σ²·m.",
             (sigma2 * mf * (N - mf) / (N - 1),)),
            ("that is the standard deviation; return the variance (no square root).",
             (np.sqrt(np.asarray(expected)),)),
        )
        fallback = at_n if np.ndim(m) == 0 and m == N else ""
        cases.append(_Case((("sigma2", sigma2), ("m", m), ("N", N)), (expected,), variants,
                           fallback=fallback))
    return cases


def check_minibatch_variance(fn: Callable, seed: int = 0) -> bool:
    r"""Check the variance of a minibatch mean drawn without replacement.

    The learner writes ``minibatch_variance(sigma2, m, N) -> variance``: the variance of the mean
    of m examples drawn without replacement from N examples whose values have (population)
    variance σ², i.e. :math:`\mathbb E\lVert\hat g - g\rVert^2` for a minibatch gradient:

    .. math::
        \operatorname{Var} = \frac{\sigma^2}{m}\cdot\frac{N-m}{N-1}

    ``m`` may be a numpy array (return an array of its shape). The factor
    :math:`(N-m)/(N-1)` is the finite-population correction: it is 1 at m = 1 and 0 at m = N.

    ====== ==========
    symbol argument
    ====== ==========
    σ²     ``sigma2``
    m      ``m``
    N      ``N``
    ====== ==========

    It is compared with the formula on six seeded inputs, including m = 1 and m = N.

    >>> def minibatch_variance(sigma2, m, N):
    ...     return sigma2 / m                     # forgets that the draws are without replacement
    >>> check_minibatch_variance(minibatch_variance)  # doctest: +ELLIPSIS
    ✘ minibatch_variance: output variance is wrong on test input 1 of 6.
    ...
      Hint: that is σ²/m, the variance when drawing *with* replacement. Without replacement,
            multiply by the finite-population correction (N − m)/(N − 1).
    False
    """
    generic = {"variance": "Var = σ²/m · (N − m)/(N − 1), elementwise over m."}
    shape_hint = ("{out} has shape {got} but must have m's shape {expected}: compute with whole "
                  "arrays (m may be a numpy array), without sum, mean or reshaping.")
    return _run_cases(fn, "minibatch_variance", ("variance",), _minibatch_cases(seed), generic,
                      shape_hint)


# ---------------------------------------------------------------------------------------------
# Backpropagation


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


def check_tanh_backward(fn: Callable, seed: int = 0) -> bool:
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
    return _run_cases(fn, "tanh_backward", ("g_a",), _tanh_cases(seed), generic, shape_hint)


# (N, D, H, C): examples, inputs, hidden units, classes. D ≠ H ≠ C, so that a transposed g_W has
# the wrong shape, and N ∉ {H, C}, so that a sum over the wrong axis has it too.
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
    for N, D, H, C in _MLP_SIZES:
        net = mlp.MLP((D, H, C), activation="tanh", seed=rng)
        theta = net.theta.copy()
        (W1, b1), (W2, b2) = net.unpack(theta)
        W1 *= 1.5  # a little beyond Glorot, so that some tanh units are well into their tails
        b1[:] = rng.normal(scale=0.5, size=H)
        b2[:] = rng.normal(scale=0.5, size=C)
        X = rng.normal(size=(N, D))
        y = rng.integers(0, C, size=N)
        grad = net.loss_and_grad(theta, X, y)[1]
        expected = tuple(g.copy() for layer in net.unpack(grad) for g in layer)
        params = (W1.copy(), b1.copy(), W2.copy(), b2.copy())

        def variant(params=params, X=X, y=y, **mistake):
            return _quiet(lambda: _mlp_backward_variant(X, y, *params, **mistake))

        once = ("the loss is the mean over the N examples: divide by N exactly once, in "
                "g = (softmax − onehot(y))/N, and nowhere else.")
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
            ("g = (softmax − onehot(y))/N, not (onehot(y) − softmax)/N: check the sign.",
             variant(sign=-1.0)),
            ("subtract the one-hot target: g = (softmax − onehot(y))/N.", variant(onehot=False)),
            ("g_W2 = h1ᵀ g takes the hidden layer's output h1 = tanh(a1), not a1.",
             variant(h_for_W2="a1")),
        )
        args = (("X", X), ("y", y), ("W1", params[0]), ("b1", params[1]), ("W2", params[2]),
                ("b2", params[3]))
        cases.append(_Case(args, expected, variants))
    return cases


def check_mlp_backward(fn: Callable, seed: int = 0) -> bool:
    r"""Check the backward pass of a one-hidden-layer tanh MLP on a minibatch.

    The learner writes ``backward(X, y, W1, b1, W2, b2) -> (g_W1, g_b1, g_W2, g_b2)``: the
    gradients of the mean cross-entropy (no L2) of the network

    .. math::
        a_1 = X W_1 + b_1, \quad h_1 = \tanh(a_1), \quad a_2 = h_1 W_2 + b_2, \quad
        \mathcal L = -\frac1N \sum_{i=1}^N \log \operatorname{softmax}(a_2^{(i)})_{y_i},

    by backpropagation, the output layer first:

    .. math::
        g = \tfrac1N\bigl(\operatorname{softmax}(a_2) - \operatorname{onehot}(y)\bigr), \quad
        g_{W_2} = h_1^\top g, \quad g_{b_2} = \textstyle\sum_i g_i, \quad
        g \leftarrow g W_2^\top \odot (1 - h_1^2), \quad
        g_{W_1} = X^\top g, \quad g_{b_1} = \textstyle\sum_i g_i .

    ========== ==============================
    symbol     argument
    ========== ==============================
    X          ``X`` (N examples as rows)
    y          ``y`` (N class indices)
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
    ...     g = p / p.sum(axis=1, keepdims=True) - np.eye(W2.shape[1])[y]   # forgets the 1/N
    ...     g_W2, g_b2 = h1.T @ g, g.sum(axis=0)
    ...     g = g @ W2.T * (1 - h1**2)
    ...     return X.T @ g, g.sum(axis=0), g_W2, g_b2
    >>> check_mlp_backward(backward)  # doctest: +ELLIPSIS
    ✘ backward: output g_W2 is wrong on test input 1 of 6.
    ...
      Hint: the loss is the mean over the N examples: divide by N exactly once, in g = (softmax
            − onehot(y))/N, and nowhere else.
    False
    """
    generic = {
        "g_W2": "g = (softmax − onehot(y))/N, then g_W2 = h1ᵀ g.",
        "g_b2": "g = (softmax − onehot(y))/N, then g_b2 = Σ_i g_i, the column sums of g.",
        "g_W1": "g ← g W2ᵀ ⊙ (1 − h1²) (tanh′ at a1), then g_W1 = Xᵀ g.",
        "g_b1": "g ← g W2ᵀ ⊙ (1 − h1²) (tanh′ at a1), then g_b1 = Σ_i g_i, the column sums of g.",
    }
    shape_hint = ("{out} has shape {got} but must have its parameter's shape {expected}: "
                  "g_W = hᵀ g (the layer's input transposed, times g) and g_b = Σ_i g_i = "
                  "np.sum(g, axis=0), one entry per unit.")
    return _run_cases(fn, "backward", ("g_W1", "g_b1", "g_W2", "g_b2"), _mlp_cases(seed),
                      generic, shape_hint, order=(2, 3, 0, 1))


# ---------------------------------------------------------------------------------------------
# Momentum and Nesterov


def _momentum_cases(seed: int) -> list[_Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for shape in _SHAPES:
        theta, v, g = (rng.normal(size=shape) for _ in range(3))
        lr = float(rng.uniform(0.01, 0.5))
        beta = float(rng.uniform(0.5, 0.95))
        th_ref, st = optim.momentum(lr, beta).step(theta, optim.MomentumState(0, v), _const(g))
        v_new = beta * v - lr * g
        variants = (
            ("the velocity moves against the gradient: v ← βv − αg (check the sign of αg).",
             (theta + beta * v + lr * g, beta * v + lr * g)),
            ("v already points downhill, so θ ← θ + v, not θ − v.", (theta - v_new, v_new)),
            ("update v first and then θ with the new v: v ← βv − αg; θ ← θ + v.",
             (theta + v, v_new)),
            ("the lecture's momentum has no (1 − β) factor: v ← βv − αg.",
             (theta + beta * v - (1 - beta) * lr * g, beta * v - (1 - beta) * lr * g)),
            ("β multiplies the old velocity: v ← βv − αg.", (theta + v - lr * g, v - lr * g)),
            ("β multiplies only the old velocity, not the gradient step: v ← βv − αg.",
             (theta + beta * (v - lr * g), beta * (v - lr * g))),
        )
        cases.append(_Case((("theta", theta), ("v", v), ("g", g), ("lr", lr), ("beta", beta)),
                           (th_ref, st.v), variants))
    return cases


def check_momentum_step(fn: Callable, seed: int = 0) -> bool:
    r"""Check one step of SGD with momentum.

    The learner writes ``momentum_step(theta, v, g, lr, beta) -> (theta, v)``, the lecture's

    .. math::
        v \leftarrow \beta v - \alpha g, \qquad \theta \leftarrow \theta + v

    ====== ==========
    symbol argument
    ====== ==========
    θ      ``theta``
    v      ``v``
    g      ``g`` (the gradient at θ, given)
    α      ``lr``
    β      ``beta``
    ====== ==========

    It is compared with :func:`npfl_helpers.optim.momentum` on six seeded random inputs; prints
    one message and returns whether all agree.

    >>> def momentum_step(theta, v, g, lr, beta):
    ...     v = beta * v - lr * g
    ...     return theta + v, v
    >>> check_momentum_step(momentum_step)
    ✔ momentum_step is correct: it matches the reference on 6 random inputs.
    True
    """
    generic = {"theta": "θ ← θ + v with the new v.", "v": "v ← βv − αg, elementwise."}
    return _run_cases(fn, "momentum_step", ("theta", "v"), _momentum_cases(seed), generic)


class _CountingGrad:
    """g(θ) = a ⊙ θ + ½ sin 2θ + b: a gradient that differs from point to point; counts calls."""

    def __init__(self, a, b):
        self.a, self.b, self.calls = a, b, 0
        self.__doc__ = "grad_fn(θ) = a·θ + sin(2θ)/2 + b"

    def __call__(self, theta):
        self.calls += 1
        theta = np.asarray(theta, dtype=np.float64)
        if theta.shape != self.a.shape:
            raise ValueError(f"grad_fn expects θ of shape {self.a.shape}; got shape {theta.shape}")
        return self.a * theta + 0.5 * np.sin(2 * theta) + self.b

    def fresh(self):
        return _CountingGrad(self.a, self.b)


def _nesterov_cases(seed: int) -> list[_Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for shape in _SHAPES:
        theta, v = rng.normal(size=shape), rng.normal(size=shape)
        grad = _CountingGrad(rng.uniform(0.5, 3.0, size=shape), rng.normal(size=shape))
        lr = float(rng.uniform(0.01, 0.5))
        beta = float(rng.uniform(0.5, 0.95))
        th_ref, st = optim.nesterov(lr, beta).step(theta, optim.MomentumState(0, v), grad.fresh())
        ahead = theta + beta * v
        g_ahead, g_here = grad.fresh()(ahead), grad.fresh()(theta)
        v_here = beta * v - lr * g_here
        variants = (
            ("evaluate the gradient at the look-ahead point θ + βv, not at θ (that is classical "
             "momentum).", (theta + v_here, v_here)),
            ("the velocity moves against the gradient: v ← βv − αg (check the sign of αg).",
             (ahead + lr * g_ahead, beta * v + lr * g_ahead)),
            ("after the look-ahead θ ← θ + βv, also take the gradient step θ ← θ − αg.",
             (ahead, st.v)),
            ("θ moves to the look-ahead point first (θ ← θ + βv) and keeps that move: "
             "the net update is θ + βv − αg.", (theta - lr * g_ahead, st.v)),
            ("return θ itself, not the next look-ahead point θ + βv_new (PyTorch's variable).",
             (th_ref + beta * st.v, st.v)),
            ("the lecture's momentum has no (1 − β) factor: v ← βv − αg.",
             (ahead - (1 - beta) * lr * g_ahead, beta * v - (1 - beta) * lr * g_ahead)),
        )
        cases.append(_Case((("theta", theta), ("v", v), ("grad_fn", grad), ("lr", lr),
                            ("beta", beta)), (th_ref, st.v), variants))
    return cases


def check_nesterov_step(fn: Callable, seed: int = 0) -> bool:
    r"""Check one step of Nesterov momentum, as the lecture writes it.

    The learner writes ``nesterov_step(theta, v, grad_fn, lr, beta) -> (theta, v)``:

    .. math::
        \theta \leftarrow \theta + \beta v, \qquad
        g \leftarrow \nabla_\theta J(\theta), \qquad
        v \leftarrow \beta v - \alpha g, \qquad
        \theta \leftarrow \theta - \alpha g

    ``grad_fn(theta) -> g`` computes the gradient; call it once, at the look-ahead point.

    ====== ============
    symbol argument
    ====== ============
    θ      ``theta``
    v      ``v``
    ∇J     ``grad_fn``
    α      ``lr``
    β      ``beta``
    ====== ============

    It is compared with :func:`npfl_helpers.optim.nesterov` on six seeded random inputs (with a
    gradient that changes from point to point, so the place where it is evaluated matters).

    >>> def nesterov_step(theta, v, grad_fn, lr, beta):
    ...     g = grad_fn(theta)                      # the gradient at θ: classical momentum
    ...     v = beta * v - lr * g
    ...     return theta + v, v
    >>> check_nesterov_step(nesterov_step)  # doctest: +ELLIPSIS
    ✘ nesterov_step: output theta is wrong on test input 1 of 6.
    ...
      Hint: evaluate the gradient at the look-ahead point θ + βv, not at θ (that is classical
            momentum).
    False
    """
    message = _not_callable(fn, "nesterov_step")
    if message:
        print(message)
        return False
    cases = _nesterov_cases(seed)
    # count the gradient evaluations of the learner's function on the first case
    probe = cases[0].args[2][1].fresh()
    args = tuple(_copy(v) for _, v in cases[0].args)
    _, err = _call(fn, "nesterov_step", args[:2] + (probe,) + args[3:])
    if err is None and probe.calls != 1:
        print(_wrap(f"{NO} nesterov_step called grad_fn {probe.calls} times; one step needs "
                    "exactly one gradient, at the look-ahead point θ + βv."))
        return False
    generic = {"theta": "θ ← θ + βv; g ← ∇J(θ); v ← βv − αg; θ ← θ − αg, in this order.",
               "v": "v ← βv − αg, with g evaluated at θ + βv."}
    return _run_cases(fn, "nesterov_step", ("theta", "v"), cases, generic)


# ---------------------------------------------------------------------------------------------
# RMSProp and Adam


def _eps_values(rng, n):
    """Mostly a large ε (so its placement shows), sometimes the usual 1e-8."""
    return [1e-8 if k % 3 == 2 else float(rng.choice([1e-2, 0.1, 0.5])) for k in range(n)]


def _rmsprop_cases(seed: int) -> list[_Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for shape, eps in zip(_SHAPES, _eps_values(rng, len(_SHAPES)), strict=True):
        theta, g = rng.normal(size=shape), rng.normal(size=shape)
        r = rng.uniform(0.1, 2.0, size=shape)
        lr = float(rng.uniform(0.01, 0.5))
        beta = float(rng.uniform(0.5, 0.99))
        th_ref, st = optim.rmsprop(lr, beta, eps).step(theta, optim.RMSPropState(0, r), _const(g))
        r_new = beta * r + (1 - beta) * g**2

        def upd(rr, th=theta, gg=g, lr=lr, e=eps):
            return _quiet(lambda: th - lr * gg / np.sqrt(rr + e))

        variants = (
            ("missing (1 − β): r ← βr + (1 − β)g², an average of squared gradients.",
             (upd(beta * r + g**2), beta * r + g**2)),
            ("β weighs the old average and (1 − β) the new square: r ← βr + (1 − β)g².",
             (upd((1 - beta) * r + beta * g**2), (1 - beta) * r + beta * g**2)),
            ("r averages the squares of the gradient: g², not g.",
             (upd(beta * r + (1 - beta) * g), beta * r + (1 - beta) * g)),
            ("the lecture puts ε inside the root: α/√(r + ε) (α/(√r + ε) is PyTorch's choice).",
             (theta - lr * g / (np.sqrt(r_new) + eps), r_new)),
            ("divide by the square root √(r + ε), not by r + ε.",
             (theta - lr * g / (r_new + eps), r_new)),
            ("update r first, then divide by the new r.", (upd(r), r_new)),
            ("descend: θ ← θ − α g/√(r + ε) (check the sign).", (2 * theta - upd(r_new), r_new)),
        )
        cases.append(_Case((("theta", theta), ("r", r), ("g", g), ("lr", lr), ("beta", beta),
                            ("eps", eps)), (th_ref, st.r), variants))
    return cases


def check_rmsprop_step(fn: Callable, seed: int = 0) -> bool:
    r"""Check one step of RMSProp.

    The learner writes ``rmsprop_step(theta, r, g, lr, beta, eps) -> (theta, r)``, the lecture's

    .. math::
        r \leftarrow \beta r + (1 - \beta) g^2, \qquad
        \theta \leftarrow \theta - \frac{\alpha}{\sqrt{r + \varepsilon}} g

    (all operations elementwise; ε inside the root, as in the lecture).

    ====== ==========
    symbol argument
    ====== ==========
    θ      ``theta``
    r      ``r``
    g      ``g``
    α      ``lr``
    β      ``beta``
    ε      ``eps``
    ====== ==========

    It is compared with :func:`npfl_helpers.optim.rmsprop` on six seeded random inputs, most with
    a large ε so that its placement matters.

    >>> import numpy as np
    >>> def rmsprop_step(theta, r, g, lr, beta, eps):
    ...     r = beta * r + (1 - beta) * g**2
    ...     return theta - lr * g / np.sqrt(r + eps), r
    >>> check_rmsprop_step(rmsprop_step)
    ✔ rmsprop_step is correct: it matches the reference on 6 random inputs.
    True
    """
    generic = {"theta": "θ ← θ − α g / √(r + ε), with the new r.",
               "r": "r ← βr + (1 − β)g², elementwise."}
    return _run_cases(fn, "rmsprop_step", ("theta", "r"), _rmsprop_cases(seed), generic)


def _adam_cases(seed: int) -> list[_Case]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            return _adam_cases_quiet(seed)


def _adam_cases_quiet(seed: int) -> list[_Case]:
    rng = np.random.default_rng(seed)
    ts = (0, 1, 0, 9, 99, 4)
    cases = []
    for shape, eps, t in zip(_SHAPES, _eps_values(rng, len(_SHAPES)), ts, strict=True):
        theta, g = rng.normal(size=shape), rng.normal(size=shape)
        if t == 0:
            s, r = np.zeros(shape), np.zeros(shape)
        else:
            s, r = 0.3 * rng.normal(size=shape), rng.uniform(0.05, 1.0, size=shape)
        lr = float(rng.uniform(0.01, 0.5))
        b1, b2 = float(rng.uniform(0.6, 0.95)), float(rng.uniform(0.9, 0.999))
        state = optim.AdamState(t, s, r)
        th_ref, st = optim.adam(lr, b1, b2, eps).step(theta, state, _const(g))
        th_alpha_t, _ = optim.adam(lr, b1, b2, eps, form="alpha_t").step(theta, state, _const(g))
        s_new = b1 * s + (1 - b1) * g
        r_new = b2 * r + (1 - b2) * g**2
        n = t + 1

        def upd(s_hat, r_hat, th=theta, lr=lr, e=eps):
            return th - lr * s_hat / np.sqrt(r_hat + e)

        c1, c2 = 1 - b1**n, 1 - b2**n
        o1, o2 = 1 - b1**t, 1 - b2**t  # t not yet incremented
        variants = (
            ("increment t first (t ← t + 1), then correct with 1 − βᵗ: the first update uses "
             "t = 1, and with t = 0 the correction divides by 1 − β⁰ = 0.",
             (upd(s_new / o1, r_new / o2), s_new, r_new, n)),
            ("bias correction is missing: ŝ = s/(1 − β₁ᵗ), r̂ = r/(1 − β₂ᵗ).",
             (upd(s_new, r_new), s_new, r_new, n)),
            ("correct the first moment too: ŝ = s/(1 − β₁ᵗ).",
             (upd(s_new, r_new / c2), s_new, r_new, n)),
            ("correct the second moment too: r̂ = r/(1 − β₂ᵗ).",
             (upd(s_new / c1, r_new), s_new, r_new, n)),
            ("divide by 1 − βᵗ; do not multiply.",
             (upd(s_new * c1, r_new * c2), s_new, r_new, n)),
            ("missing (1 − β₁): s ← β₁s + (1 − β₁)g.",
             (upd((b1 * s + g) / c1, r_new / c2), b1 * s + g, r_new, n)),
            ("missing (1 − β₂): r ← β₂r + (1 − β₂)g².",
             (upd(s_new / c1, (b2 * r + g**2) / c2), s_new, b2 * r + g**2, n)),
            ("β₁ belongs to s (the gradient) and β₂ to r (its square); they are swapped.",
             (upd((b2 * s + (1 - b2) * g) / (1 - b2**n), (b1 * r + (1 - b1) * g**2) / (1 - b1**n)),
              b2 * s + (1 - b2) * g, b1 * r + (1 - b1) * g**2, n)),
            ("the lecture puts ε inside the root: α/√(r̂ + ε) (the Adam paper and PyTorch use "
             "α/(√r̂ + ε)).",
             (theta - lr * (s_new / c1) / (np.sqrt(r_new / c2) + eps), s_new, r_new, n)),
            ("descend: θ ← θ − α ŝ/√(r̂ + ε) (check the sign).",
             (2 * theta - upd(s_new / c1, r_new / c2), s_new, r_new, n)),
            ("return the incremented t (t + 1) as the new t.", (th_ref, s_new, r_new, t)),
        )
        accepted = (("your update is the lecture's second form, α_t = α√(1 − β₂ᵗ)/(1 − β₁ᵗ); it "
                     "equals the first up to the size of ε.", (th_alpha_t, s_new, r_new, n)),)
        args = (("theta", theta), ("s", s), ("r", r), ("t", t), ("g", g), ("lr", lr),
                ("beta1", b1), ("beta2", b2), ("eps", eps))
        cases.append(_Case(args, (th_ref, st.s, st.r, st.t), variants, accepted))
    return cases


def check_adam_bias_correction(fn: Callable, seed: int = 0) -> bool:
    r"""Check one step of Adam with its bias correction (the lecture's first algorithm).

    The learner writes ``adam_step(theta, s, r, t, g, lr, beta1, beta2, eps) -> (theta, s, r, t)``
    where ``t`` counts the updates done so far (0 before the first one):

    .. math::
        t \leftarrow t + 1, \quad
        s \leftarrow \beta_1 s + (1 - \beta_1) g, \quad
        r \leftarrow \beta_2 r + (1 - \beta_2) g^2, \quad
        \hat s \leftarrow \frac{s}{1 - \beta_1^t}, \quad
        \hat r \leftarrow \frac{r}{1 - \beta_2^t}, \quad
        \theta \leftarrow \theta - \frac{\alpha}{\sqrt{\hat r + \varepsilon}} \hat s

    ====== ===================
    symbol argument
    ====== ===================
    θ      ``theta``
    s, r   ``s``, ``r``
    t      ``t``
    g      ``g``
    α      ``lr``
    β₁, β₂ ``beta1``, ``beta2``
    ε      ``eps``
    ====== ===================

    It is compared with :func:`npfl_helpers.optim.adam` on six seeded random inputs, including
    first steps (t = 0, s = r = 0) where the correction matters most. The lecture's second form
    (α_t = α√(1 − β₂ᵗ)/(1 − β₁ᵗ)) is accepted too.

    >>> import numpy as np
    >>> def adam_step(theta, s, r, t, g, lr, beta1, beta2, eps):
    ...     s = beta1 * s + (1 - beta1) * g
    ...     r = beta2 * r + (1 - beta2) * g**2
    ...     s_hat, r_hat = s / (1 - beta1**t), r / (1 - beta2**t)  # t not incremented yet!
    ...     return theta - lr * s_hat / np.sqrt(r_hat + eps), s, r, t + 1
    >>> check_adam_bias_correction(adam_step)  # doctest: +ELLIPSIS
    ✘ adam_step: output theta is wrong on test input 1 of 6.
    ...
      Hint: increment t first (t ← t + 1), then correct with 1 − βᵗ: ...
    False
    """
    generic = {"theta": "θ ← θ − α ŝ/√(r̂ + ε) with ŝ = s/(1 − β₁ᵗ), r̂ = r/(1 − β₂ᵗ), after "
                        "t ← t + 1.",
               "s": "s ← β₁s + (1 − β₁)g.", "r": "r ← β₂r + (1 − β₂)g².",
               "t": "t counts the updates: return t + 1."}
    return _run_cases(fn, "adam_step", ("theta", "s", "r", "t"), _adam_cases(seed), generic)


# ---------------------------------------------------------------------------------------------
# Schedules


def _cosine_cases(seed: int) -> list[_Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for k in range(4):
        T = int(rng.integers(5, 50))
        a0 = float(rng.uniform(0.01, 1.0))
        a = 0.0 if k == 0 else float(rng.uniform(0.01, 0.3))
        t = np.arange(0, 2 * T + 3) if k % 2 == 0 else rng.integers(0, 2 * T, size=(2, 3))
        expected = schedules.cosine_decay(a0, T, alpha=a)(t)
        tc = np.minimum(t, T)
        half = 0.5 * (1 + np.cos(np.pi * tc / T))
        variants = (
            ("after decay_steps the rate stays at its floor: use min(t, T) in the cosine.",
             (a0 * ((1 - a) * 0.5 * (1 + np.cos(np.pi * t / T)) + a),)),
            ("the cosine term is ½(1 + cos(π t/T)), which falls from 1 to 0.",
             (a0 * ((1 - a) * (1 + np.cos(np.pi * tc / T)) + a),)),
            ("the cosine term is ½(1 + cos(π t/T)), which falls from 1 to 0.",
             (a0 * ((1 - a) * np.cos(np.pi * tc / T) + a),)),
            ("alpha is a fraction of initial_lr: α_t = α₀[a + (1 − a)·½(1 + cos(π t/T))].",
             (a0 * (1 - a) * half + a,)),
            ("alpha is a fraction of initial_lr: α_t = α₀[a + (1 − a)·½(1 + cos(π t/T))].",
             (a0 * half + a,)),
            ("the floor a also scales the cosine: α₀[a + (1 − a)·½(1 + cos(π t/T))].",
             (a0 * (half + a),)),
        )
        args = (("t", t), ("initial_lr", a0), ("decay_steps", T), ("alpha", a))
        cases.append(_Case(args, (expected,), variants))
    return cases


def check_cosine_decay(fn: Callable, seed: int = 0) -> bool:
    r"""Check a cosine-decay schedule (Keras's ``CosineDecay`` without warmup).

    The learner writes ``cosine_decay(t, initial_lr, decay_steps, alpha) -> lr`` for an integer
    array ``t`` (returning an array of the same shape):

    .. math::
        \alpha_t = \alpha_0 \Bigl[a + (1 - a)\,
                   \tfrac12\Bigl(1 + \cos\frac{\pi \min(t, T)}{T}\Bigr)\Bigr]

    ====== ================
    symbol argument
    ====== ================
    t      ``t``
    α₀     ``initial_lr``
    T      ``decay_steps``
    a      ``alpha``
    ====== ================

    It is compared with :func:`npfl_helpers.schedules.cosine_decay` on four seeded inputs.

    >>> import numpy as np
    >>> def cosine_decay(t, initial_lr, decay_steps, alpha):
    ...     t = np.minimum(t, decay_steps)
    ...     return initial_lr * (alpha + (1 - alpha) * 0.5 * (1 + np.cos(np.pi * t / decay_steps)))
    >>> check_cosine_decay(cosine_decay)
    ✔ cosine_decay is correct: it matches the reference on 4 random inputs.
    True
    """
    generic = {"lr": "α_t = α₀[a + (1 − a)·½(1 + cos(π min(t, T)/T))], elementwise over t."}
    return _run_cases(fn, "cosine_decay", ("lr",), _cosine_cases(seed), generic)


# ---------------------------------------------------------------------------------------------
# Quizzes: a number and a table of answers


def check_lr_bound(value, A) -> bool:
    r"""Check the largest learning rate for which gradient descent converges on ½θᵀAθ.

    GD multiplies the component of θ along an eigenvector of A with eigenvalue λ by 1 − αλ, so it
    converges from every start exactly when :math:`|1 - \alpha\lambda| < 1` for all λ:

    .. math::
        0 < \alpha < \alpha_{\max} = \frac{2}{\lambda_{\max}(A)}

    ``value`` is the learner's α_max (a number; ``None`` means "not answered yet"); ``A`` a
    symmetric positive-definite matrix. Answers within 0.1 % count as correct.

    >>> import numpy as np
    >>> A = np.array([[2.0, 1.0], [1.0, 2.0]])          # eigenvalues 1 and 3
    >>> check_lr_bound(2 / 3, A)
    ✔ α_max = 2/λ_max = 0.666667: GD on ½θᵀAθ converges for 0 < α < 0.666667 and diverges above.
    True
    >>> check_lr_bound(1 / 3, A)
    ✘ 0.333333 is not α_max (A's eigenvalues are 1, 3).
      Hint: that is 1/λ_max, where the steepest direction is solved in one step; |1 − αλ| < 1
            still holds up to twice that.
    False
    """
    A = np.asarray(A, dtype=np.float64)
    lams = np.linalg.eigvalsh(0.5 * (A + A.T))
    lo, hi = float(lams[0]), float(lams[-1])
    if value is None or value is Ellipsis:
        print(f"{NO} not answered yet: set the variable to your value of α_max and run the check "
              "again.")
        return False
    try:
        x = float(value)
    except (TypeError, ValueError):
        print(f"{NO} α_max must be a number; got {value!r}")
        return False
    best = 2.0 / hi
    if np.isfinite(x) and abs(x - best) <= 1e-3 * best:
        print(f"{OK} α_max = 2/λ_max = {best:.6g}: GD on ½θᵀAθ converges for 0 < α < {best:.6g} "
              "and diverges above.")
        return True
    candidates = (
        (1.0 / hi, "that is 1/λ_max, where the steepest direction is solved in one step; "
                   "|1 − αλ| < 1 still holds up to twice that."),
        (2.0 / lo, "that is 2/λ_min: the flat direction tolerates it, but every direction must "
                   "satisfy |1 − αλ| < 1, and the steepest one fails first."),
        (2.0 / (lo + hi), "that is the best constant α, 2/(λ_min + λ_max), which balances the "
                          "slowest and the fastest direction; the question asks where GD stops "
                          "converging."),
        (1.0 / lo, "use the largest eigenvalue, and the factor 2: α < 2/λ_max."),
        (2.0 * hi, "the bound is 2 divided by λ_max, not 2 times it."),
        (2.0 / np.trace(A), "use the largest eigenvalue of A (np.linalg.eigvalsh), not its trace."),
        (2.0 / np.abs(A).max(), "use the largest eigenvalue of A (np.linalg.eigvalsh), not its "
                                "largest entry."),
    )
    hint = next((h for c, h in candidates if np.isfinite(x) and abs(x - c) <= 1e-3 * abs(c)),
                "find A's eigenvalues (np.linalg.eigvalsh(A)); along each eigenvector a GD step "
                "multiplies θ by 1 − αλ.")
    print(f"{NO} {x:.6g} is not α_max (A's eigenvalues are {', '.join(f'{v:.4g}' for v in lams)})."
          f"\n{_hint(hint)}")
    return False


def _quiz() -> dict[str, Callable]:
    return {
        "constant": schedules.constant(0.1),
        "exponential_decay": schedules.exponential_decay(0.1, decay_steps=100, decay_rate=0.5),
        "inverse_time_decay": schedules.inverse_time_decay(0.1, decay_steps=10, decay_rate=1.0),
        "inverse_sqrt_decay": schedules.inverse_sqrt_decay(0.1),
        "polynomial_decay": schedules.polynomial_decay(0.1, decay_steps=1000, end_lr=1e-4),
        "cosine_decay": schedules.cosine_decay(0.1, decay_steps=1000),
        "piecewise_constant": schedules.piecewise_constant([1000, 3000], [0.1, 0.01, 0.001]),
        "cosine_decay_restarts": schedules.cosine_decay_restarts(0.1, first_decay_steps=100),
    }


ROBBINS_MONRO_QUIZ: dict[str, Callable] = _quiz()
"""The schedules of the Robbins–Monro quiz (name → schedule, with fixed parameters)."""

# name → (satisfies both conditions?, why)
_RM_KEY: dict[str, tuple[bool, str]] = {
    "constant": (False, "α_t = α for ever: Σα_t = ∞, but Σα_t² = ∞ too, so the gradient noise "
                        "never averages out."),
    "exponential_decay": (False, "a geometric series: Σα_t = α₀/(1 − γ^{1/T}) < ∞, so the steps "
                                 "may stop before reaching the minimum."),
    "inverse_time_decay": (True, "α_t ≈ α₀T/(γt) for large t: Σ1/t = ∞ while Σ1/t² < ∞."),
    "inverse_sqrt_decay": (False, "α_t = α₀/√(t + 1): Σα_t = ∞, but Σα_t² = α₀²Σ1/(t + 1) = ∞."),
    "polynomial_decay": (False, "after decay_steps it stays at end_lr > 0, a constant: "
                                "Σα_t² = ∞."),
    "cosine_decay": (False, "it reaches α₀·alpha = 0 after decay_steps and stays there: "
                            "Σα_t < ∞."),
    "piecewise_constant": (False, "the last piece is a constant: Σα_t² = ∞."),
    "cosine_decay_restarts": (False, "with m_mul = 1 every period repeats the same cosine: both "
                                     "sums grow without bound, Σα_t² = ∞."),
}


def check_robbins_monro(answers: dict) -> bool:
    r"""Check a quiz: which schedules of :data:`ROBBINS_MONRO_QUIZ` satisfy Robbins–Monro?

    SGD converges (under the usual assumptions) when the learning rates satisfy

    .. math::
        \sum_{t} \alpha_t = \infty \qquad\text{and}\qquad \sum_{t} \alpha_t^2 < \infty .

    ``answers`` maps each name of :data:`ROBBINS_MONRO_QUIZ` to ``True`` (satisfies both),
    ``False`` (violates one) or ``None`` (not answered yet). Every wrong answer is explained.

    >>> check_robbins_monro({name: None for name in ROBBINS_MONRO_QUIZ})
    ✘ not answered yet: set each None to True or False and run the check again.
    False
    """
    if not isinstance(answers, dict):
        print(f"{NO} answers must be a dict name → True/False; got {type(answers).__name__}")
        return False
    unknown = sorted(set(answers) - set(_RM_KEY))
    if unknown:
        print(f"{NO} unknown names {unknown}; use the names of ROBBINS_MONRO_QUIZ: "
              f"{', '.join(_RM_KEY)}")
        return False
    missing = [name for name in _RM_KEY if answers.get(name) is None]
    if len(missing) == len(_RM_KEY):
        print(f"{NO} not answered yet: set each None to True or False and run the check again.")
        return False
    if missing:
        print(f"{NO} still unanswered: {', '.join(missing)}.")
        return False
    bad_type = [name for name, a in answers.items() if not isinstance(a, (bool, np.bool_))]
    if bad_type:
        print(f"{NO} answer True or False for: {', '.join(bad_type)}.")
        return False
    wrong = [name for name, (truth, _) in _RM_KEY.items() if bool(answers[name]) != truth]
    if not wrong:
        print(f"{OK} all {len(_RM_KEY)} right: only inverse_time_decay (α_t ∝ 1/t) satisfies "
              "both conditions.")
        return True
    lines = [f"{NO} {len(wrong)} of {len(_RM_KEY)} wrong:"]
    for name in wrong:
        truth, why = _RM_KEY[name]
        verdict = "satisfies" if truth else "does not satisfy"
        lines.append(textwrap.fill(f"{name} {verdict} them: {why}", width=92,
                                   break_on_hyphens=False, initial_indent="  ",
                                   subsequent_indent="    "))
    print("\n".join(lines))
    return False
