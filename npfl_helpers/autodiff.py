r"""A small reverse-mode automatic differentiation engine over numpy arrays.

Every operation on :class:`Tensor` objects builds a node :math:`u^{(i)}` of a computation graph,
remembering its inputs :math:`P(u^{(i)})` (its parents), how to compute its value from theirs
(``fn``) and how to send a gradient back to them (``vjp``, the local vector–Jacobian product).
The lecture's two algorithms are the two short functions :func:`forward` and :func:`backward`:

**Forward propagation.** For :math:`i = 1, \dots, n` in topological order,
:math:`u^{(i)} \leftarrow f^{(i)}(P(u^{(i)}))`. Building the graph already computes every value;
:func:`forward` recomputes them after leaf values changed.

**Simple backpropagation.** :math:`g^{(n)} \leftarrow 1` for the (scalar) result
:math:`u^{(n)}`; then for :math:`i = n-1, \dots, 1`

.. math::

    g^{(i)} \leftarrow \sum_{j:\, u^{(i)} \in P(u^{(j)})}
        g^{(j)} \frac{\partial u^{(j)}}{\partial u^{(i)}}.

:func:`backward` computes the same sums by walking the nodes in reverse topological order and
letting each node :math:`u^{(j)}` add its term :math:`g^{(j)}\,\partial u^{(j)} / \partial u^{(i)}`
into each input's ``grad``. When a node is reached, every node that uses it has already added
its term, so its gradient is complete. A node used twice receives two terms.

>>> x = Tensor(2.0, name="x")
>>> y = Tensor(3.0, name="y")
>>> z = x * y + tanh(x)
>>> z.backward()
>>> float(x.grad)  # y + 1 - tanh(x)^2
3.0706508248531645
>>> float(y.grad)  # x
2.0

Broadcasting follows numpy; the gradient of a broadcast operand is summed back to its shape.

**At the edges of the float range** values and gradients are IEEE floats, never clipped:
:math:`\log 0 = -\infty` (and its derivative :math:`1/0 = \infty`), :math:`e^{1000} = \infty`,
:math:`1/0 = \infty`, while :math:`\log(-1)`, :math:`0/0` and :math:`(-1)^{0.5}` are NaN; no
RuntimeWarning is raised. A leaf, ``Tensor(value)``, must hold finite real numbers.
:func:`draw_graph` draws a graph with matplotlib (imported only when it is called); the lecture's
example graph and the step-by-step text of both algorithms are in
:mod:`npfl_helpers.backprop_stepper`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._validate import ArgumentTypeError, check_array, check_axis, check_labels, describe

__all__ = [
    "Tensor",
    "topological_order",
    "forward",
    "backward",
    "exp",
    "log",
    "tanh",
    "sigmoid",
    "relu",
    "softmax_cross_entropy",
    "draw_graph",
]


class Tensor:
    """A node of the computation graph: a float64 array with a gradient.

    Attributes: ``value`` (ndarray), ``grad`` (``None`` until :meth:`backward`, then an ndarray of
    ``value``'s shape), ``name``, ``op`` (the operation that made the node, ``""`` for a leaf) and
    ``inputs`` (the tuple of parent nodes).
    """

    # numpy then defers `ndarray <op> Tensor` to Tensor.__r<op>__ instead of looping elementwise
    __array_ufunc__ = None

    def __init__(self, value, name: str | None = None):
        if isinstance(value, Tensor):
            raise ArgumentTypeError(f"value must be a number or an array, not a Tensor; got "
                                    f"{value!r} (use it directly, or its .value)")
        if name is not None and not isinstance(name, str):
            raise ArgumentTypeError(f"name must be a string or None; got {describe(name)}")
        self._setup(np.array(check_array("value", value), dtype=np.float64), name)

    def _setup(self, value: np.ndarray, name: str | None) -> None:
        self.value = value
        self.grad: np.ndarray | None = None
        self.name = name
        self.op = ""
        self.inputs: tuple[Tensor, ...] = ()
        self._fn: Callable | None = None  # fn(*input values) -> value
        self._vjp: Callable | None = None  # vjp(g, value, *input values) -> input gradients

    @classmethod
    def _from_op(cls, op: str, inputs: tuple, fn: Callable, vjp: Callable) -> Tensor:
        """Make the node ``fn(*inputs)``; ``vjp`` sends its gradient back to ``inputs``."""
        with np.errstate(all="ignore"):  # inf and NaN are the values (see the module docstring)
            value = np.asarray(fn(*(t.value for t in inputs)), dtype=np.float64)
        out = cls.__new__(cls)
        out._setup(value, None)
        out.op, out.inputs, out._fn, out._vjp = op, inputs, fn, vjp
        return out

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    def __repr__(self) -> str:
        label = f", name={self.name!r}" if self.name else ""
        op = f", op={self.op!r}" if self.op else ""
        return f"Tensor({_short(self.value)}{label}{op})"

    # ----- the two algorithms, per node -------------------------------------------------------
    def recompute(self) -> np.ndarray:
        """Recompute ``value`` from the inputs' current values (a leaf keeps its value)."""
        if self._fn is not None:
            with np.errstate(all="ignore"):
                self.value = np.asarray(self._fn(*(t.value for t in self.inputs)),
                                        dtype=np.float64)
        return self.value

    def backward(self, gradient=None) -> None:
        """Fill ``.grad`` of every node of this graph; see :func:`backward`."""
        backward(self, gradient)

    # ----- arithmetic ---------------------------------------------------------------------------
    def __add__(self, other):
        return Tensor._from_op("+", _operands(self, other, "+"), np.add,
                               lambda g, y, a, b: (g, g))

    def __sub__(self, other):
        return Tensor._from_op("-", _operands(self, other, "-"), np.subtract,
                               lambda g, y, a, b: (g, -g))

    def __mul__(self, other):
        return Tensor._from_op("*", _operands(self, other, "*"), np.multiply,
                               lambda g, y, a, b: (g * b, g * a))

    def __truediv__(self, other):
        return Tensor._from_op("/", _operands(self, other, "/"), np.divide,
                               lambda g, y, a, b: (g / b, -g * a / b**2))

    def __matmul__(self, other):
        a, b = _operands(self, other, "@")
        if a.value.ndim == 0 or b.value.ndim == 0 or (
                a.value.shape[-1] != b.value.shape[-2 if b.value.ndim > 1 else 0]):
            raise ValueError(f"the operands of @ must be arrays whose inner sizes agree, "
                             f"(..., n, k) @ (..., k, m); got shapes {a.value.shape} and "
                             f"{b.value.shape}")
        return Tensor._from_op("matmul", (a, b), np.matmul, _matmul_vjp)

    def __pow__(self, p):
        if isinstance(p, Tensor) or np.ndim(p) != 0:
            raise ArgumentTypeError(f"p, the exponent in x ** p, must be a number; got "
                                    f"{describe(p)}")
        if isinstance(p, (str, bytes, bool, np.bool_, complex)) or p is None:
            raise ArgumentTypeError(f"p, the exponent in x ** p, must be a real number; got "
                                    f"{describe(p)}")
        p = float(p)
        if not np.isfinite(p):
            raise ValueError(f"p, the exponent in x ** p, must be finite; got {p!r}")

        def vjp(g, y, x):
            if p == 0.0:  # x⁰ = 1: no dependence on x (x^(−1) would give 0 · ∞ at x = 0)
                return (np.zeros_like(g * x),)
            with np.errstate(divide="ignore"):  # p < 1 at x = 0: the derivative is +∞
                return (g * p * x ** (p - 1),)

        return Tensor._from_op(f"**{p:g}", (self,), lambda x: x**p, vjp)

    def __neg__(self):
        return Tensor._from_op("neg", (self,), np.negative, lambda g, y, x: (-g,))

    def __radd__(self, other):
        return _as_tensor(other, "the other operand of +") + self

    def __rsub__(self, other):
        return _as_tensor(other, "the other operand of -") - self

    def __rmul__(self, other):
        return _as_tensor(other, "the other operand of *") * self

    def __rtruediv__(self, other):
        return _as_tensor(other, "the other operand of /") / self

    def __rmatmul__(self, other):
        return _as_tensor(other, "the other operand of @") @ self

    # ----- reductions ---------------------------------------------------------------------------
    def sum(self, axis=None):
        """Sum over ``axis`` (an int, a tuple, or ``None`` for all); the gradient is copied back."""
        axes = _axes(axis, self.value.ndim)
        return Tensor._from_op("sum", (self,), lambda x: np.sum(x, axis=axes),
                               lambda g, y, x: (_expand(g, axes, x.shape),))

    def mean(self, axis=None):
        """Mean over ``axis``; the gradient is copied back divided by the number averaged."""
        axes = _axes(axis, self.value.ndim)
        n = int(np.prod([self.value.shape[a] for a in axes]))
        return Tensor._from_op("mean", (self,), lambda x: np.mean(x, axis=axes),
                               lambda g, y, x: (_expand(g, axes, x.shape) / n,))


# ----- elementwise functions: y = f(x), g_x = g_y * f'(x) -----------------------------------------
def exp(x) -> Tensor:
    r""":math:`e^x`, derivative :math:`e^x = y`."""
    return Tensor._from_op("exp", (_as_tensor(x),), np.exp, lambda g, y, x: (g * y,))


def log(x) -> Tensor:
    r""":math:`\log x`, derivative :math:`1/x`."""
    return Tensor._from_op("log", (_as_tensor(x),), np.log, lambda g, y, x: (g / x,))


def tanh(x) -> Tensor:
    r""":math:`\tanh x`, derivative :math:`1 - \tanh^2 x = 1 - y^2`."""
    return Tensor._from_op("tanh", (_as_tensor(x),), np.tanh, lambda g, y, x: (g * (1 - y**2),))


def sigmoid(x) -> Tensor:
    r""":math:`\sigma(x) = 1 / (1 + e^{-x})`, derivative :math:`\sigma(x)(1 - \sigma(x)) = y(1-y)`.

    Computed as :math:`\frac12(1 + \tanh\frac x2)`, which never overflows.
    """
    return Tensor._from_op("sigmoid", (_as_tensor(x),), lambda x: 0.5 * (1.0 + np.tanh(0.5 * x)),
                           lambda g, y, x: (g * y * (1 - y),))


def relu(x) -> Tensor:
    r""":math:`\max(0, x)`, derivative :math:`[x > 0]`: we take :math:`\operatorname{ReLU}'(0) = 0`.

    At the kink any value in [0, 1] is a valid subgradient; 0 is what PyTorch uses too.
    """
    return Tensor._from_op("relu", (_as_tensor(x),), lambda x: np.maximum(x, 0.0),
                           lambda g, y, x: (g * (x > 0),))


def softmax_cross_entropy(logits, labels) -> Tensor:
    r"""Mean cross-entropy of integer ``labels`` under :math:`\operatorname{softmax}(z)`: a scalar.

    .. math::

        L = \frac1N \sum_i \Big(\log\sum_k e^{z_{i,k}} - z_{i,y_i}\Big), \qquad
        \frac{\partial L}{\partial z_{i,k}} = \frac1N\big(\operatorname{softmax}(z_i)_k
            - [k = y_i]\big).

    The log-sum-exp subtracts :math:`\max_k z_{i,k}` first, so large logits do not overflow.
    ``logits`` has shape ``(N, K)``; ``labels`` are class indices in ``[0, K)`` of shape ``(N,)``.
    The same value as :func:`npfl_helpers.losses.cross_entropy`.
    """
    logits = _as_tensor(logits, "logits")
    if logits.value.ndim != 2:
        raise ValueError(f"logits must have shape (N, K); got {logits.value.shape}")
    n, k = logits.value.shape
    labels = check_labels("labels", labels, n=n, n_classes=k)
    rows = np.arange(n)

    def log_softmax(z):
        z = z - z.max(axis=1, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=1, keepdims=True))

    def fn(z):
        return -np.mean(log_softmax(z)[rows, labels])

    def vjp(g, y, z):
        dz = np.exp(log_softmax(z))
        dz[rows, labels] -= 1.0
        return (g * dz / n,)

    return Tensor._from_op("softmax_ce", (logits,), fn, vjp)


# ----- the graph algorithms -------------------------------------------------------------------
def topological_order(root: Tensor) -> list[Tensor]:
    """All nodes that ``root`` depends on (and ``root``), each once, every node after its inputs.

    Iterative depth-first search with an explicit stack: no recursion limit, so a chain of
    10,000 nodes is fine. A node is appended once all its inputs have been appended.
    """
    _root(root)
    order: list[Tensor] = []
    visited: set[Tensor] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))  # popped again after all its inputs
            stack.extend((t, False) for t in reversed(node.inputs) if t not in visited)
    return order


def forward(root: Tensor) -> np.ndarray:
    """Forward propagation: recompute every node from its inputs, in topological order.

    Call it after changing leaf values (``x.value = ...``); returns ``root.value``.

    >>> x = Tensor(1.0)
    >>> y = x * x + 1
    >>> x.value = np.array(3.0)
    >>> float(forward(y))
    10.0
    """
    for node in topological_order(root):
        node.recompute()
    return root.value


def backward(root: Tensor, gradient=None) -> None:
    """Simple backpropagation: fill ``.grad`` of every node in ``root``'s graph.

    Sets :math:`g^{(root)} = 1` (``root`` must hold one number, else pass ``gradient`` of
    ``root``'s shape), resets every other ``grad`` to zero (calling it twice gives the same
    gradients, nothing accumulates across calls) and walks the nodes in reverse topological order,
    each node adding its local vector–Jacobian product into its inputs' ``grad``.
    """
    order = topological_order(root)
    if gradient is None:
        if root.value.size != 1:
            raise ValueError(f"gradient must be given, an array of the root's shape "
                             f"{root.value.shape}, when the root is not a scalar; "
                             f"got None")
        gradient = np.ones_like(root.value)
    gradient = check_array("gradient", gradient)
    if gradient.shape != root.value.shape:
        raise ValueError(f"gradient must have the root's shape {root.value.shape}; "
                         f"got {gradient.shape}")
    for node in order:
        node.grad = np.zeros_like(node.value)
    root.grad = gradient.copy()
    for node in reversed(order):
        if node._vjp is None:  # a leaf
            continue
        with np.errstate(all="ignore"):  # inf and NaN gradients are results, not warnings
            input_grads = node._vjp(node.grad, node.value, *(t.value for t in node.inputs))
            for t, g in zip(node.inputs, input_grads, strict=True):
                t.grad += _unbroadcast(g, t.value.shape)


# ----- helpers ------------------------------------------------------------------------------
def _as_tensor(x, name: str = "x") -> Tensor:
    """``x`` itself if it is a Tensor, else a new leaf; ``name`` is used in error messages."""
    if isinstance(x, Tensor):
        return x
    out = Tensor.__new__(Tensor)
    out._setup(np.array(check_array(name, x), dtype=np.float64), None)
    return out


def _operands(a: Tensor, other, op: str) -> tuple[Tensor, Tensor]:
    """The two operands of a binary operator; shapes must broadcast (numpy's rule)."""
    b = _as_tensor(other, f"the other operand of {op}")
    if op != "@":
        try:
            np.broadcast_shapes(a.value.shape, b.value.shape)
        except ValueError:
            raise ValueError(f"the operands of {op} must have shapes that broadcast; got "
                             f"{a.value.shape} and {b.value.shape}") from None
    return a, b


def _root(root) -> Tensor:
    if not isinstance(root, Tensor):
        raise ArgumentTypeError(f"root must be a Tensor (the result of a computation); got "
                                f"{describe(root)}")
    return root


def _unbroadcast(g, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``g`` over the axes along which an operand of ``shape`` was broadcast."""
    g = np.asarray(g)
    extra = g.ndim - len(shape)  # leading axes the operand did not have
    axes = tuple(range(extra)) + tuple(
        extra + i for i, n in enumerate(shape) if n == 1 and g.shape[extra + i] != 1
    )
    return np.sum(g, axis=axes).reshape(shape) if axes else g


def _axes(axis, ndim: int) -> tuple[int, ...]:
    """``axis`` (None, an int or a tuple) as a tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    out = tuple(check_axis("axis", a, ndim) for a in axes)
    if len(set(out)) != len(out):
        raise ValueError(f"axis must not repeat an axis; got {axis!r}")
    return out


def _expand(g, axes: tuple[int, ...], shape: tuple[int, ...]) -> np.ndarray:
    """Broadcast the gradient of a reduction over ``axes`` back to the input's ``shape``."""
    return np.broadcast_to(np.expand_dims(g, axes), shape)


def _matmul_vjp(g, y, a, b):
    r"""For :math:`Y = AB`: :math:`g_A = g B^T`, :math:`g_B = A^T g` (1-D operands as in numpy)."""
    a2 = a[None, :] if a.ndim == 1 else a  # a row vector
    b2 = b[:, None] if b.ndim == 1 else b  # a column vector
    if b.ndim == 1:  # put back the axes that numpy dropped from the output
        g = np.expand_dims(g, -1)
    if a.ndim == 1:
        g = np.expand_dims(g, -2)
    ga = g @ np.swapaxes(b2, -1, -2)
    gb = np.swapaxes(a2, -1, -2) @ g
    if a.ndim == 1:
        ga = ga[..., 0, :]
    if b.ndim == 1:
        gb = gb[..., 0]
    return ga, gb


def _short(v: np.ndarray, k: int = 3) -> str:
    """A short text for a value: the number, or the shape and the first ``k`` entries."""
    v = np.asarray(v)
    if v.ndim == 0:
        return f"{float(v):.4g}"
    head = ", ".join(f"{x:.3g}" for x in v.ravel()[:k])
    more = ", …" if v.size > k else ""
    return f"{v.shape}: [{head}{more}]"


# ----- drawing ------------------------------------------------------------------------------
def draw_graph(root: Tensor, ax=None, show_grad: bool = True, highlight=None):
    """Draw ``root``'s computation graph with matplotlib; return ``(fig, ax)``.

    Columns are the longest-path depth from the leaves (``root`` on the right; each leaf sits
    in the column just before its first use); arrows go from inputs to outputs. Each box shows
    the node's name and operation, its value and (when ``show_grad`` and computed) its gradient;
    arrays show their shape and a few entries. ``highlight`` (a node, or an index into
    :func:`topological_order`) is outlined — e.g. the node computed at step *k* of forward
    propagation. Meant for graphs of a few dozen nodes.
    """
    import matplotlib.pyplot as plt

    order = topological_order(root)
    if isinstance(highlight, (int, np.integer)):
        highlight = order[highlight]

    users: dict[Tensor, list[Tensor]] = {node: [] for node in order}
    for node in order:
        for t in node.inputs:
            users[t].append(node)
    # Columns: longest-path depth from the leaves; a leaf then moves right, next to its first use.
    depth: dict[Tensor, int] = {}
    for node in order:
        depth[node] = 1 + max((depth[t] for t in node.inputs), default=-1)
    for node in order:
        if not node.inputs and users[node]:
            depth[node] = min(depth[u] for u in users[node]) - 1
    n_cols = max(depth.values()) + 1
    columns: list[list[Tensor]] = [[] for _ in range(n_cols)]
    for node in order:
        columns[depth[node]].append(node)

    # Rows: a few barycentre sweeps (order a column by the mean row of each node's neighbours in
    # the columns already placed) keep arrows from crossing.
    y: dict[Tensor, float] = {}

    def place(col, neighbours):
        col.sort(key=lambda n: -np.mean([y[m] for m in neighbours[n] if m in y] or [y.get(n, 0)]))
        for r, node in enumerate(col):
            y[node] = (len(col) - 1) / 2 - r

    place(columns[0], {n: [] for n in columns[0]})
    inputs = {node: list(node.inputs) for node in order}
    for _ in range(2):
        for col in columns[1:]:
            place(col, inputs)
        for col in columns[-2::-1]:
            place(col, users)

    labels = {node: _label(node, show_grad) for node in order}
    width_chars = max(len(line) for text in labels.values() for line in text.split("\n"))
    col_w = 0.075 * width_chars + 0.9  # inches per column at fontsize 8
    n_rows = max(len(col) for col in columns)
    if ax is None:
        fig, ax = plt.subplots(figsize=(max(4.0, col_w * n_cols), max(2.0, 0.9 * n_rows + 0.6)))
    else:
        fig = ax.figure

    texts = {}
    for node in order:
        style = dict(boxstyle="round,pad=0.4", lw=1.0, ec="#555555",
                     fc="#DCEBF7" if not node.inputs else "#F2F2F2")
        if node is highlight:
            style.update(ec="#D55E00", lw=2.5, fc="#FBE3D0")
        texts[node] = ax.text(depth[node], y[node], labels[node], ha="center", va="center",
                              fontsize=8, family="monospace", bbox=style, zorder=3)
    for node in order:
        for t in dict.fromkeys(node.inputs):  # one arrow per distinct input
            # from the right edge of the input's box to the left edge of the node's box;
            # an arrow that skips columns bends away from the middle, around the boxes between
            bend = 0.0 if depth[node] - depth[t] == 1 else (-0.3 if y[t] + y[node] >= 0 else 0.3)
            ax.annotate("", xy=(0, 0.5), xycoords=texts[node], xytext=(1, 0.5),
                        textcoords=texts[t], zorder=2,
                        arrowprops=dict(arrowstyle="-|>", color="#777777", lw=1.0, shrinkA=6,
                                        shrinkB=6, connectionstyle=f"arc3,rad={bend}"))
    ax.set_xlim(-0.5, n_cols - 0.5)
    ax.set_ylim(-n_rows / 2, n_rows / 2)
    ax.axis("off")
    return fig, ax


def _label(node: Tensor, show_grad: bool) -> str:
    if node.inputs:
        title = f"{node.name} = {node.op}" if node.name else node.op
    else:
        title = node.name if node.name else "const"
    lines = [title, f"value {_short(node.value)}"]
    if show_grad and node.grad is not None:
        lines.append(f"grad  {_short(node.grad)}")
    return "\n".join(lines)
