r"""Explorers for gradient descent and backpropagation (notebooks 04 and 05), and the
computations behind them.

=================================  =====================================================
explorer                           what it shows
=================================  =====================================================
:func:`minibatch_noise_explorer`   minibatch gradients of an MLP on the digits scatter
                                   around the full gradient; their variance ∝ 1/m
:func:`backprop_stepper`           forward propagation in topological order, then
                                   backpropagation in reverse order, one node per step
:func:`activation_explorer`        σ, tanh, ReLU and their derivatives; where gradients vanish
=================================  =====================================================

The minibatch gradient :math:`\hat g = \frac1m\sum_{i\in B} g_i` (:math:`g_i` the gradient of
example :math:`i`'s loss) is an unbiased estimate of the full gradient :math:`g = \frac1N
\sum_i g_i`. With :math:`\sigma^2 = \frac1N\sum_i \lVert g_i - g\rVert^2`,

.. math::
    \mathbb E\,\lVert \hat g - g \rVert^2 = \frac{\sigma^2}{m}\cdot\frac{N - m}{N - 1}
    \quad\text{(without replacement)}, \qquad \frac{\sigma^2}{m} \quad\text{(with replacement)}.

The explorer draws minibatches **without replacement** by default, as
:func:`npfl_helpers.data.minibatches` does within an epoch; at :math:`m = N` the minibatch is
the whole set and the variance is exactly zero.

>>> minibatch_variance(2.0, N=100, m=[1, 100])          # σ² at m = 1, 0 at m = N
array([2., 0.])
>>> minibatch_variance(2.0, N=100, m=100, replace=True)  # σ²/m
0.02
"""

from __future__ import annotations

from typing import NamedTuple

import ipywidgets as W
import numpy as np
from matplotlib.patches import Patch
from matplotlib.text import Annotation

from .. import autodiff, data, mlp, optim
from .._validate import check_choice, check_int
from ..plots import (
    ACTIVATION_COLORS,
    ACTIVATION_LABELS,
    plot_activations,
    plot_gradient_variance,
    plot_minibatch_cloud,
)
from ._base import Explorer, new_figure

__all__ = [
    "minibatch_noise_explorer",
    "backprop_stepper",
    "activation_explorer",
    "per_example_gradients",
    "minibatch_weights",
    "minibatch_variance",
    "GradientNoise",
    "gradient_noise",
    "lecture_graph",
    "BackpropStep",
    "backprop_steps",
]

_STYLE = {"description_width": "90px"}
SAMPLINGS = ("without replacement", "with replacement")


# ----------------------------------------------------------------------------------------------
# minibatch gradient noise: the computations


def per_example_gradients(model: mlp.MLP, theta, X, y) -> np.ndarray:
    r"""The gradient of every example's loss, one row per example: shape ``(N, n_params)``.

    Row :math:`i` is :math:`g_i = \nabla_\theta\,(-\log p(y_i \mid x_i; \theta))`, computed for
    all examples at once by the MLP's backpropagation with the batch axis kept: the weight
    gradient of layer :math:`l` for example :math:`i` is the outer product
    :math:`h_{l-1,i}\, g_{a_l,i}^\top`. The mean of the rows is ``model.loss_and_grad``'s
    gradient (without L2).

    >>> model = mlp.MLP((3, 4, 2), activation="tanh", seed=0)
    >>> X, y = np.eye(3), np.array([0, 1, 1])
    >>> G = per_example_gradients(model, model.theta, X, y)
    >>> G.shape, bool(np.allclose(G.mean(axis=0), model.loss_and_grad(model.theta, X, y)[1]))
    ((3, 26), True)
    """
    f, f_prime = mlp.ACTIVATIONS[model.activation]
    X = np.asarray(X, dtype=model.dtype)
    y = np.asarray(y)
    layers = model.unpack(np.asarray(theta, dtype=model.dtype))
    hs, pre = [X], []
    for W_, b in layers[:-1]:
        a = hs[-1] @ W_ + b
        pre.append(a)
        hs.append(f(a))
    z = hs[-1] @ layers[-1][0] + layers[-1][1]
    z = z - z.max(axis=1, keepdims=True)
    g = np.exp(z)
    g /= g.sum(axis=1, keepdims=True)
    g[np.arange(len(X)), y] -= 1.0  # g_{a_L} of each example: softmax − onehot
    G = np.empty((len(X), model.n_params), dtype=model.dtype)
    views = model.unpack(G)
    for i in range(len(layers) - 1, -1, -1):
        g_W, g_b = views[i]
        g_W[...] = hs[i][:, :, None] * g[:, None, :]  # per-example outer product h g^T
        g_b[...] = g
        if i > 0:
            g = (g @ layers[i][0].T) * f_prime(pre[i - 1])
    return G


def minibatch_weights(N: int, m: int, n_batches: int, rng=None,
                      replace: bool = False) -> np.ndarray:
    r"""``n_batches`` random minibatches of size ``m`` as rows of weights, shape ``(n_batches, N)``.

    Row :math:`b` puts weight :math:`1/m` on each example drawn into minibatch :math:`b` (an
    example drawn twice, possible only with ``replace``, gets :math:`2/m`), so ``weights @ G``
    is the minibatch gradients of all batches at once. Without replacement every row holds
    exactly ``m`` distinct examples.

    >>> w = minibatch_weights(5, 2, 3, rng=0)
    >>> w.shape, w.sum(axis=1).tolist(), sorted(set(w.ravel().tolist()))
    ((3, 5), [1.0, 1.0, 1.0], [0.0, 0.5])
    """
    N = check_int("N", N, low=1)
    m = check_int("m", m, low=1, high=None if replace else N)
    n_batches = check_int("n_batches", n_batches, low=1)
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    rows = np.arange(n_batches)[:, None]
    if replace:
        idx = rng.integers(0, N, size=(n_batches, m))
        counts = np.bincount((rows * N + idx).ravel(), minlength=n_batches * N)
        return counts.reshape(n_batches, N) / m
    idx = rng.permuted(np.broadcast_to(np.arange(N), (n_batches, N)), axis=1)[:, :m]
    w = np.zeros((n_batches, N))
    w[rows, idx] = 1.0 / m
    return w


def minibatch_variance(sigma2, N: int, m, replace: bool = False):
    r"""Expected squared error of the minibatch gradient, :math:`\mathbb E\lVert\hat g - g\rVert^2`.

    .. math::
        \frac{\sigma^2}{m}\cdot\frac{N-m}{N-1} \ \text{(without replacement)}, \qquad
        \frac{\sigma^2}{m} \ \text{(with replacement)},

    with :math:`\sigma^2 = \frac1N\sum_i\lVert g_i - g\rVert^2` the variance of single
    examples' gradients. ``m`` may be an array. The factor :math:`(N-m)/(N-1)` is the
    finite-population correction: it makes the variance zero at :math:`m = N`.
    """
    m = np.asarray(m, dtype=np.float64)
    v = sigma2 / m
    if not replace:
        v = v * ((N - m) / (N - 1) if N > 1 else np.zeros_like(m))
    return float(v) if v.ndim == 0 else v


class GradientNoise(NamedTuple):
    r"""Measured statistics of minibatch gradients at one θ (see :func:`gradient_noise`).

    ``g`` the full gradient, ``sigma2`` :math:`\sigma^2`, ``batch_sizes`` the sizes
    :math:`m`; per sampling ("without replacement", "with replacement"): ``variance[s]`` the
    mean of :math:`\lVert\hat g - g\rVert^2` over the minibatches for each :math:`m`,
    ``descent[s]`` the fraction with :math:`\hat g\cdot g > 0`, ``cloud[s]`` the coordinates
    ``(len(batch_sizes), n_batches, 2)`` of the minibatch gradients on the orthonormal
    directions ``u`` ``(2, P)``: :math:`u_1 = g/\lVert g\rVert` and :math:`u_2 \perp g` the
    direction of largest noise. ``mean_error[s]`` is the distance of the average of all
    minibatch gradients from :math:`g` for each :math:`m`.
    """

    g: np.ndarray
    sigma2: float
    N: int
    batch_sizes: np.ndarray
    u: np.ndarray
    variance: dict
    descent: dict
    cloud: dict
    mean_error: dict


def _top_direction(Gc: np.ndarray, u1: np.ndarray, iters: int = 60) -> np.ndarray:
    """The direction of largest variance of the rows of ``Gc`` orthogonal to ``u1`` (power
    iteration on the Gram matrix, deterministic)."""
    A = Gc - np.outer(Gc @ u1, u1)
    K = A @ A.T
    v = np.ones(len(K)) / np.sqrt(len(K))
    for _ in range(iters):
        v = K @ v
        norm = np.linalg.norm(v)
        if norm == 0:
            break
        v /= norm
    u2 = A.T @ v
    u2 -= (u2 @ u1) * u1
    norm = np.linalg.norm(u2)
    if norm == 0:  # no noise left (e.g. N = 1): any unit vector orthogonal to u1
        u2 = np.zeros_like(u1)
        u2[int(np.argmin(np.abs(u1)))] = 1.0
        u2 -= (u2 @ u1) * u1
        norm = np.linalg.norm(u2)
    u2 /= norm
    return u2 if u2[np.argmax(np.abs(u2))] > 0 else -u2


def gradient_noise(G, batch_sizes, n_batches: int = 200, seed=0) -> GradientNoise:
    r"""Measure minibatch gradients for several batch sizes from per-example gradients ``G``.

    ``G`` ``(N, P)`` (e.g. from :func:`per_example_gradients`). For each size :math:`m` and
    each sampling, ``n_batches`` minibatches are drawn at once (:func:`minibatch_weights`) and
    all their gradients computed by one matrix product; squared norms use the Gram matrix
    :math:`K = (G - g)(G - g)^\top`, so nothing of size ``n_batches × P`` is formed.
    """
    G = np.asarray(G, dtype=np.float64)
    N = len(G)
    sizes = np.asarray([check_int("batch size", m, 1, N) for m in np.ravel(batch_sizes)])
    rng = np.random.default_rng(seed)
    g = G.mean(axis=0)
    Gc = G - g
    sigma2 = float(np.mean(np.sum(Gc * Gc, axis=1)))
    g_norm = float(np.linalg.norm(g))
    u1 = g / g_norm if g_norm > 0 else np.eye(G.shape[1])[0]
    u2 = _top_direction(Gc, u1)
    u = np.stack([u1, u2])
    K = Gc @ Gc.T
    Z = Gc @ u.T  # (N, 2): coordinates of g_i − g
    Gg = Gc @ g  # (N,): (g_i − g)·g
    variance, descent, cloud, mean_error = {}, {}, {}, {}
    for sampling in SAMPLINGS:
        replace = sampling == SAMPLINGS[1]
        var, desc, pts, err = [], [], [], []
        for m in sizes:
            w = minibatch_weights(N, int(m), n_batches, rng, replace=replace)
            sq = np.einsum("bi,bi->b", w @ K, w)  # ‖ĝ − g‖² of each minibatch
            v = float(np.mean(np.maximum(sq, 0.0)))
            var.append(v if v > 1e-12 * sigma2 else 0.0)  # below that: rounding, exactly g
            desc.append(float(np.mean(w @ Gg + g_norm**2 > 0)))
            pts.append(w @ Z + u @ g)
            err.append(float(np.linalg.norm(w.mean(axis=0) @ Gc)))
        variance[sampling] = np.array(var)
        descent[sampling] = np.array(desc)
        cloud[sampling] = np.stack(pts)
        mean_error[sampling] = np.array(err)
    return GradientNoise(g, sigma2, N, sizes, u, variance, descent, cloud, mean_error)


def _digits_problem(hidden: int, epochs: int, seed):
    """A small tanh MLP on the digits' training set after a few epochs of minibatch SGD."""
    digits = data.load_digits(seed=seed)
    X, y = digits.train.X, digits.train.y
    model = mlp.MLP((X.shape[1], hidden, 10), activation="tanh", seed=seed)
    if epochs:
        mlp.train(model, X, y, optim.sgd(0.2), epochs=epochs, batch_size=32, seed=seed,
                  progress=False)
    return model, X, y


# ----------------------------------------------------------------------------------------------
# minibatch gradient noise: the explorer


def _batch_sizes(N: int) -> list[int]:
    """1, 2, 4, … below N, then N itself."""
    sizes = [1 << k for k in range(int(np.log2(N)) + 1) if (1 << k) < N]
    return [*sizes, N]


class MinibatchNoiseExplorer(Explorer):
    """See :func:`minibatch_noise_explorer`."""

    def __init__(self, hidden: int = 32, epochs: int = 2, n_batches: int = 200, seed=0):
        hidden = check_int("hidden", hidden, 1)
        epochs = check_int("epochs", epochs, 0)
        n_batches = check_int("n_batches", n_batches, 2)
        self.model, X, y = _digits_problem(hidden, epochs, seed)
        G = per_example_gradients(self.model, self.model.theta, X, y)
        sizes = _batch_sizes(len(X))
        self.noise = noise = gradient_noise(G, sizes, n_batches, seed)
        N = noise.N

        fig = new_figure(figsize=(11.0, 4.6), layout="constrained")
        ax_c, ax_v = fig.subplots(1, 2, width_ratios=(1.0, 1.05))
        first = noise.cloud[SAMPLINGS[0]][0]  # m = 1: single examples' gradients
        lo = np.quantile(first, 0.01, axis=0)
        hi = np.quantile(first, 0.99, axis=0)
        full = noise.u @ noise.g
        x0, x1 = min(lo[0], -0.2 * hi[0]), max(hi[0], 1.2 * full[0])
        half = max(abs(lo[1]), abs(hi[1]))
        pad = 0.08 * (x1 - x0)
        self.cloud = plot_minibatch_cloud(ax_c, first, full,
                                          lim=((x0 - pad, x1 + pad), (-1.1 * half, 1.1 * half)))
        ax_c.legend(loc="lower left", fontsize=8, framealpha=0.9)
        m_dense = np.unique(np.round(np.geomspace(1, N, 200)))
        curves = {
            r"$\frac{\sigma^2}{m}\,\frac{N-m}{N-1}$ (without replacement)":
                (m_dense, minibatch_variance(noise.sigma2, N, m_dense)),
            r"$\sigma^2/m$ (with replacement)":
                (m_dense, minibatch_variance(noise.sigma2, N, m_dense, replace=True)),
        }
        self.variance = plot_gradient_variance(ax_v, sizes, noise.variance[SAMPLINGS[0]],
                                               curves, N=N)
        v_all = np.concatenate([v[v > 0] for v in noise.variance.values()])
        ax_v.set_ylim(0.3 * min(v_all.min(), noise.sigma2 / N), 3 * noise.sigma2)
        ax_v.set_xlim(0.7, 1.5 * N)
        ax_v.set_autoscale_on(False)
        ax_v.legend(loc="lower left", fontsize=8, framealpha=0.9)
        ax_v.set_title(r"Variance falls as $1/m$: $\times\frac{1}{2}$ per doubling of $m$",
                       fontsize=10)
        self.info = ax_v.text(0.98, 0.97, "", transform=ax_v.transAxes, ha="right", va="top",
                              fontsize=8.5, bbox={"facecolor": "white", "alpha": 0.85,
                                                  "edgecolor": "#CCCCCC"})
        self.ax_cloud, self.ax_variance = ax_c, ax_v

        controls = {
            "m": W.SelectionSlider(options=[(str(m), m) for m in sizes], value=sizes[0],
                                   description="batch size m", style=_STYLE,
                                   layout=W.Layout(width="420px")),
            "sampling": W.ToggleButtons(options=list(SAMPLINGS), value=SAMPLINGS[0],
                                        description="sampling", style=_STYLE),
        }
        super().__init__(fig, controls)
        self.relayout()

    def refresh(self) -> None:
        noise = self.noise
        m = int(self.controls["m"].value)
        sampling = self.controls["sampling"].value
        k = int(np.flatnonzero(noise.batch_sizes == m)[0])
        pts = noise.cloud[sampling][k]
        self.cloud.points.set_offsets(pts)
        self.cloud.mean.set_data([pts[:, 0].mean()], [pts[:, 1].mean()])
        variance = noise.variance[sampling]
        shown = np.where(variance > 0, variance, np.nan)
        self.variance.measured.set_ydata(shown)
        self.variance.current.set_data([m], [shown[k]])
        for i, line in enumerate(self.variance.curves.values()):
            on = SAMPLINGS[i] == sampling
            line.set_linewidth(2.0 if on else 1.0)
            line.set_alpha(1.0 if on else 0.5)
        descent = noise.descent[sampling][k]
        n_b = pts.shape[0]
        self.ax_cloud.set_title(
            f"m = {m}: {100 * descent:.0f} % of {n_b} minibatch gradients point downhill "
            r"($\hat g\cdot g > 0$)", fontsize=10)
        theory = minibatch_variance(noise.sigma2, noise.N, m, replace=sampling == SAMPLINGS[1])
        if theory > 0:
            ratio = f"measured / formula = {variance[k] / theory:.2f}"
        else:
            ratio = "m = N without replacement: the whole set, no noise"
        self.info.set_text(f"N = {noise.N}, σ² = {noise.sigma2:.3g}, ‖g‖² = "
                           f"{noise.g @ noise.g:.3g}\nm = {m} ({sampling}):\n"
                           f"E‖ĝ − g‖² = {variance[k]:.3g},  formula {theory:.3g}\n{ratio}")


def minibatch_noise_explorer(hidden: int = 32, epochs: int = 2, n_batches: int = 200,
                             seed=0) -> MinibatchNoiseExplorer:
    r"""Minibatch gradients are unbiased but noisy: their spread and variance against :math:`m`.

    A tanh MLP ``(64, hidden, 10)`` on the digits' training set (:math:`N = 1078`), after
    ``epochs`` epochs of minibatch SGD, is held fixed at that θ. Left: ``n_batches`` minibatch
    gradients :math:`\hat g` for the chosen batch size, projected on :math:`u_1 = g/\lVert
    g\rVert` and on the direction :math:`u_2 \perp g` of largest noise; their mean (×) sits on
    the full gradient (★) — unbiased — and the cloud shrinks as :math:`m` grows. Right: the
    measured :math:`\mathbb E\lVert\hat g - g\rVert^2` for all batch sizes against the formulas
    with and without replacement (log–log: slope −1).

    Controls: ``m`` (1, 2, 4, …, 512, N) and ``sampling`` (without replacement, the default, as
    within an epoch of :func:`npfl_helpers.data.minibatches`, or with replacement). Everything
    is computed once, vectorised, at construction (< 1 s); a control change only moves artists.
    """
    return MinibatchNoiseExplorer(hidden=hidden, epochs=epochs, n_batches=n_batches, seed=seed)


# ----------------------------------------------------------------------------------------------
# backpropagation, step by step


def lecture_graph() -> autodiff.Tensor:
    r"""The example graph of notebook 05: one tanh unit, a squared error and weight decay.

    .. math::
        u = w x,\quad a = u + b,\quad h = \tanh a,\quad d = h - t,\quad e = d^2,\quad
        p = w^2,\quad r = \lambda p,\quad L = e + r

    with :math:`x = 0.5, w = 1.5, b = -0.25, t = 0.8, \lambda = 0.1`. The weight :math:`w` has
    two consumers (:math:`u` and :math:`p`), so its gradient is a sum of two terms. Returns the
    root :math:`L` (forward already computed, no gradients yet).

    >>> L = lecture_graph()
    >>> [n.name for n in autodiff.topological_order(L)]
    ['w', 'x', 'u', 'b', 'a', 'h', 't', 'd', 'e', 'λ', 'p', 'r', 'L']
    """
    T = autodiff.Tensor
    x, w, b, t, lam = T(0.5, "x"), T(1.5, "w"), T(-0.25, "b"), T(0.8, "t"), T(0.1, "λ")
    nodes = {}
    nodes["u"] = w * x
    nodes["a"] = nodes["u"] + b
    nodes["h"] = autodiff.tanh(nodes["a"])
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
    node: autodiff.Tensor | None
    read: tuple
    text: str


_SUPERSCRIPTS = str.maketrans("0123456789-.", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻·")


def _num(v) -> str:
    """A value for a formula: 4 significant digits, negatives in parentheses."""
    v = np.asarray(v, dtype=np.float64)
    if v.size != 1:
        return autodiff._short(v)
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


def _sym(node: autodiff.Tensor) -> str:
    if node.name:
        return node.name
    if not node.inputs and node.value.size == 1:
        return _num(node.value)
    return node.op or "const"


def _power(op: str) -> float | None:
    return float(op[2:]) if op.startswith("**") else None


def _sup(p: float) -> str:
    return f"{p:g}".translate(_SUPERSCRIPTS)


def _forward_formula(node: autodiff.Tensor) -> tuple[str, str]:
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
        return f"{s[0]}{_sup(p)}", f"{n[0]}{_sup(p)}"
    return f"{op}({', '.join(s)})", f"{op}({', '.join(n)})"


def _local_term(c: autodiff.Tensor, k: int) -> tuple[str, str]:
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
        return (f"{gc} · {p:g}{s[0]}{_sup(p - 1)}", f"{gcv} · {p:g} · {n[0]}{_sup(p - 1)}")
    return f"{gc} · ∂{cs}/∂{s[k]}", f"{gcv} · ∂{cs}/∂{s[k]}"


def backprop_steps(root: autodiff.Tensor) -> list[BackpropStep]:
    r"""The lecture's two algorithms on ``root``'s graph as ``2n + 1`` steps (n nodes).

    Step 0 computes nothing; steps :math:`1 … n` compute the node values in topological order
    (forward propagation); steps :math:`n+1 … 2n` complete the gradients in reverse order
    (backpropagation): :math:`g_L = 1`, then :math:`g_u = \sum_{c} g_c\,\partial c/\partial u`
    over the consumers :math:`c` of :math:`u`. Runs :func:`~npfl_helpers.autodiff.backward` on
    ``root`` (filling ``.grad``) and explains each step with the formula and its numbers.

    >>> steps = backprop_steps(lecture_graph())
    >>> len(steps), steps[5].text.splitlines()[1]
    (27, 'a = u + b = 0.75 + (−0.25) = 0.5')
    >>> steps[22].text.splitlines()[1]
    'g_a = g_h · (1 − h²) = (−0.6758) · (1 − 0.4621²) = −0.5315'
    """
    autodiff.backward(root)
    order = autodiff.topological_order(root)
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


_BOX = {"leaf": "#DCEBF7", "op": "#F2F2F2", "edge": "#555555"}
_CURRENT = {"edgecolor": "#D55E00", "linewidth": 2.5, "facecolor": "#FBE3D0"}  # draw_graph's
_READ = {"edgecolor": "#0072B2", "linewidth": 2.0}


class BackpropStepper(Explorer):
    """See :func:`backprop_stepper`."""

    def __init__(self, root: autodiff.Tensor | None = None):
        self.root = lecture_graph() if root is None else root
        self.steps = backprop_steps(self.root)
        self.order = autodiff.topological_order(self.root)
        n = len(self.order)
        self.n = n
        import matplotlib.pyplot as plt

        with plt.ioff():
            probe, _ = autodiff.draw_graph(self.root, show_grad=True)  # its natural size
        width, height = probe.get_size_inches()
        plt.close(probe)
        fig = new_figure(figsize=(max(9.0, width), height + 1.1))
        ax_g, ax_t = fig.subplots(2, 1, height_ratios=(height, 1.1))
        fig.subplots_adjust(left=0.01, right=0.99, top=0.99, bottom=0.01, hspace=0.0)
        autodiff.draw_graph(self.root, ax=ax_g, show_grad=True)
        boxes = [t for t in ax_g.texts if not isinstance(t, Annotation)]
        if len(boxes) != n:  # pragma: no cover - guards draw_graph's drawing order
            raise RuntimeError("draw_graph drew an unexpected number of boxes")
        self.boxes = dict(zip(self.order, boxes, strict=True))
        ax_t.axis("off")
        self.head = ax_t.text(0.01, 0.78, "", transform=ax_t.transAxes, ha="left", va="center",
                              fontsize=10, fontweight="bold")
        self.line = ax_t.text(0.01, 0.32, "", transform=ax_t.transAxes, ha="left", va="center",
                              fontsize=11, family="monospace", color="#000000")
        self.ax_graph, self.ax_text = ax_g, ax_t
        controls = {"step": W.IntSlider(value=0, min=0, max=2 * n, step=1, description="step",
                                        style=_STYLE, layout=W.Layout(width="520px"))}
        super().__init__(fig, controls)

    def _label(self, node, value_known: bool, grad_known: bool) -> str:
        if node.inputs:
            title = f"{node.name} = {node.op}" if node.name else node.op
        else:
            title = node.name if node.name else "const"
        value = autodiff._short(node.value) if value_known else "?"
        grad = autodiff._short(node.grad) if grad_known else "?"
        return f"{title}\nvalue {value}\ngrad  {grad}"

    def refresh(self) -> None:
        k = int(self.controls["step"].value)
        step = self.steps[k]
        n = self.n
        n_values = min(k, n)
        n_grads = max(k - n, 0)
        known_values = set(self.order[:n_values])
        known_grads = set(self.order[n - n_grads:]) if n_grads else set()
        for node, box in self.boxes.items():
            box.set_text(self._label(node, node in known_values, node in known_grads))
            patch = box.get_bbox_patch()
            patch.set_facecolor(_BOX["op"] if node.inputs else _BOX["leaf"])
            patch.set_edgecolor(_BOX["edge"])
            patch.set_linewidth(1.0)
            if node in step.read:
                patch.set(**_READ)
            if node is step.node:
                patch.set(**_CURRENT)
        head, line = step.text.split("\n", 1)
        self.head.set_text(head)
        self.line.set_text(line)


def backprop_stepper(root: autodiff.Tensor | None = None) -> BackpropStepper:
    r"""Forward propagation, then backpropagation, one node per step of a slider.

    Steps :math:`0 … n` compute the node values in topological order; steps
    :math:`n+1 … 2n` fill the gradients in reverse order, each :math:`g_u = \sum_c g_c\,
    \partial c/\partial u` over the consumers :math:`c`. The node computed at a step is outlined
    in orange (as ``draw_graph``'s ``highlight``), the nodes it reads in blue, and the line below
    the graph says what is computed, with numbers. ``root`` defaults to :func:`lecture_graph`;
    any graph of scalar nodes works (its ``.grad`` are filled).
    """
    return BackpropStepper(root)


# ----------------------------------------------------------------------------------------------
# activations and their derivatives


_ACT_TEXT = {
    "sigmoid": ("σ", r"$\sigma'(a) \leq \frac{1}{4}$: each σ layer shrinks the gradient 4× or more",
                0.25, "max σ′ = 1/4"),
    "tanh": ("tanh", r"$\tanh'(a) \leq 1$, and $\tanh'(a) \approx 0$ once $|a| > 3$", 1.0,
             "max tanh′ = 1"),
    "relu": ("ReLU", r"$\mathrm{ReLU}'(a) \in \{0, 1\}$: the gradient passes whole, or not at "
             "all", 1.0, "ReLU′ = 1 for a > 0"),
}
_VANISH = 0.05  # f'(a) below this counts as "vanished" in the shading
_DEPTH = 10  # the text shows f'(a)^depth: the factor from `depth` such layers


class ActivationExplorer(Explorer):
    """See :func:`activation_explorer`."""

    def __init__(self):
        fig = new_figure(figsize=(11.0, 4.4), layout="constrained")
        ax_f, ax_d = fig.subplots(1, 2)
        a = np.linspace(-6.0, 6.0, 1201)
        self.names = tuple(_ACT_TEXT)
        self.curves = plot_activations(ax_f, ax_d, self.names, a)
        self.shades = {}
        for name in self.names:
            _, df = mlp.ACTIVATIONS[name]
            mask = df(a) < _VANISH
            self.shades[name] = ax_d.fill_between(
                a, 0, 1, where=mask, transform=ax_d.get_xaxis_transform(), color="#999999",
                alpha=0.18, linewidth=0, label=f"gradient vanishes: f′ < {_VANISH}")
        self.max_line = ax_d.axhline(0.25, color="#555555", linestyle=":", linewidth=1.2)
        self.max_text = ax_d.text(5.9, 0.25, "", ha="right", va="bottom", fontsize=9,
                                  color="#333333")
        self.vlines = [ax.axvline(0.0, color="#777777", linewidth=1.0, linestyle="--")
                       for ax in (ax_f, ax_d)]
        (self.dot_f,) = ax_f.plot([], [], marker="o", markersize=9, markeredgecolor="black",
                                  linestyle="none", zorder=5)
        (self.dot_d,) = ax_d.plot([], [], marker="o", markersize=9, markeredgecolor="black",
                                  linestyle="none", zorder=5)
        self.info = ax_f.text(0.03, 0.97, "", transform=ax_f.transAxes, ha="left", va="top",
                              fontsize=9.5, bbox={"facecolor": "white", "alpha": 0.9,
                                                  "edgecolor": "#CCCCCC"})
        ax_f.legend(loc="lower right", fontsize=9)
        ax_d.legend(handles=[Patch(color="#999999", alpha=0.35,
                                   label=f"gradient vanishes: f′(a) < {_VANISH}")],
                    loc="upper left", fontsize=8.5)
        self.ax_f, self.ax_d = ax_f, ax_d
        controls = {
            "function": W.Dropdown(options=[("σ (sigmoid)", "sigmoid"), ("tanh", "tanh"),
                                            ("ReLU", "relu")], value="sigmoid",
                                   description="function", style=_STYLE),
            "a": W.FloatSlider(value=1.0, min=-6.0, max=6.0, step=0.1, description="input a",
                               readout_format=".1f", style=_STYLE,
                               layout=W.Layout(width="420px")),
        }
        super().__init__(fig, controls)
        self.relayout()

    def refresh(self) -> None:
        name = check_choice("function", self.controls["function"].value, self.names)
        a = round(float(self.controls["a"].value), 6)
        a = 0.0 if abs(a) < 1e-9 else a
        f, df = mlp.ACTIVATIONS[name]
        fa, da = float(f(np.float64(a))), float(df(np.float64(a)))
        for other, art in self.curves.items():
            on = other == name
            for line in (art.f, art.df, *art.extras):
                line.set_alpha(1.0 if on else 0.22)
                line.set_linewidth(2.6 if on else 1.2)
            self.shades[other].set_visible(on)
        color = ACTIVATION_COLORS[name]
        self.dot_f.set_data([a], [fa])
        self.dot_d.set_data([a], [da])
        self.dot_f.set_markerfacecolor(color)
        self.dot_d.set_markerfacecolor(color)
        for v in self.vlines:
            v.set_xdata([a, a])
        sym, finding, top, top_text = _ACT_TEXT[name]
        self.max_line.set_ydata([top, top])
        self.max_text.set_position((5.9, top))
        self.max_text.set_text(top_text)
        self.ax_d.set_title(finding, fontsize=10)
        self.ax_f.set_title(f"{ACTIVATION_LABELS[name]} and its input $a$", fontsize=10)
        product = da**_DEPTH
        lines = [f"a = {a:.2f}", f"{sym}(a) = {fa:.4g},   {sym}′(a) = {da:.4g}",
                 f"through {_DEPTH} such layers: {sym}′(a){_sup(_DEPTH)} = {product:.2g}"]
        if name == "relu" and a == 0.0:
            lines.append("ReLU′(0) = 0 by convention (any value in [0, 1] is a subgradient)")
        elif da < _VANISH:
            lines.append("the gradient vanishes here: almost nothing flows back")
        self.info.set_text("\n".join(lines))


def activation_explorer() -> ActivationExplorer:
    r"""σ, tanh and ReLU (left) and their derivatives (right) at an input :math:`a`.

    Controls: ``function`` (the highlighted activation) and ``a`` (−6 … 6, a marker on both
    curves). Shaded: where :math:`f'(a) < 0.05` and the gradient effectively vanishes; dotted:
    the largest derivative (:math:`\sigma' \le \frac14`, :math:`\tanh' \le 1`,
    :math:`\operatorname{ReLU}' \in \{0, 1\}` with :math:`\operatorname{ReLU}'(0) = 0`). The text
    shows :math:`f'(a)^{10}`, the factor by which ten such layers scale a gradient.
    """
    return ActivationExplorer()
