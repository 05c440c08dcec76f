r"""Loss landscapes: the loss along a line and on a plane through parameter space.

Following Li et al. (2018), *Visualizing the Loss Landscape of Neural Nets*, the plane through
:math:`\theta` is spanned by two random directions :math:`d_1, d_2` and we plot

.. math::
    f(\alpha, \beta) = J(\theta + \alpha d_1 + \beta d_2).

A raw Gaussian direction is meaningless for a ReLU network, whose function does not change when
one unit's incoming weights are scaled up and its outgoing weights down. *Filter normalisation*
rescales each unit's part of the direction to the size of that unit's weights:

.. math::
    d_{l,j} \leftarrow \frac{d_{l,j}}{\lVert d_{l,j}\rVert}\,\lVert W_{l,j}\rVert,

where :math:`W_{l,j}` is column :math:`j` of layer :math:`l`'s weights, shape
``(fan_in, fan_out)``: the weights into output unit :math:`j` (the "filter").

=====================  ==============  ================================================
symbol                 argument        meaning
=====================  ==============  ================================================
:math:`\theta`         ``theta``       the centre of the plane (e.g. trained parameters)
:math:`d_1, d_2`       ``d1, d2``      directions, flat vectors like θ
:math:`\alpha, \beta`  ``alphas, betas``  coordinates along :math:`d_1` and :math:`d_2`
=====================  ==============  ================================================

The loss is the mean softmax cross-entropy of :class:`~npfl_helpers.mlp.MLP` (no L2 term), with
or without its skip connections (``residual=True``). Grids are evaluated in batches: many
parameter vectors are stacked and pushed through the network with batched matrix products, in
chunks that bound the memory. The first layer's pre-activations are
affine in the coordinates, :math:`X(W + \alpha D_1 + \beta D_2) + \dots = XW + \alpha XD_1 +
\beta XD_2 + \dots`, so the widest product, with the inputs, is computed once per direction
instead of once per grid point.

:func:`filter_normalize` rescales one layer's part of a direction; :func:`local_minima` marks
the strict local minima of a grid of losses (one for a smooth bowl, many for a chaotic
landscape); :func:`deep_landscapes` computes Li et al.'s comparison on the digits, a 20-layer
MLP without and with skip connections (notebook 04).
"""

from __future__ import annotations

import numpy as np

from ._validate import ArgumentTypeError, check_array, check_bool, check_rng, describe
from .mlp import MLP, _check_labels, train

__all__ = ["SKIP_LABELS", "deep_landscapes", "filter_normalize", "local_minima", "loss_along_line",
           "loss_plane", "random_direction"]

_CHUNK_BYTES = 32 * 2**20  # memory bound for one chunk of stacked activations


def _model(model) -> MLP:
    if not isinstance(model, MLP):
        raise ArgumentTypeError(f"model must be an MLP such as mlp.MLP((64, 100, 10)); got "
                                f"{describe(model)}")
    return model


def _vector(model: MLP, name: str, theta) -> np.ndarray:
    """A finite flat parameter vector of ``model``'s shape ``(n_params,)`` and dtype."""
    theta = check_array(name, theta, dtype=model.dtype)
    if theta.shape != (model.n_params,):
        raise ValueError(f"{name} must be a flat parameter vector of shape ({model.n_params},) "
                         f"like model.theta; got shape {theta.shape}")
    return theta


def _coordinates(name: str, values) -> np.ndarray:
    return check_array(name, values)


def random_direction(model: MLP, theta, rng=None, filter_normalize: bool = True,
                     ignore_biases: bool = True) -> np.ndarray:
    r"""A Gaussian direction in parameter space, filter-normalised to ``theta`` by default.

    Each weight column (one output unit) is rescaled to the norm of the same column of θ's
    weights. Biases are set to zero when ``ignore_biases`` (as Li et al. do); otherwise each
    bias entry, a unit's single bias, is rescaled likewise: :math:`|d_j| = |b_j|`. ``rng`` is a
    ``numpy.random.Generator`` or a seed. Returns a flat vector of θ's shape and dtype.

    >>> model = MLP((3, 4, 2), seed=0)
    >>> d = random_direction(model, model.theta, rng=0)
    >>> (W, b), (D, db) = model.unpack(model.theta)[0], model.unpack(d)[0]
    >>> np.allclose(np.linalg.norm(D, axis=0), np.linalg.norm(W, axis=0)), bool(np.all(db == 0))
    (True, True)
    """
    model = _model(model)
    theta = _vector(model, "theta", theta)
    rng = check_rng("rng", rng)
    filter_normalize = check_bool("filter_normalize", filter_normalize)
    ignore_biases = check_bool("ignore_biases", ignore_biases)
    d = rng.standard_normal(theta.shape).astype(theta.dtype)
    for (D, db), (W, b) in zip(model.unpack(d), model.unpack(theta), strict=True):
        if filter_normalize:
            D[...] = _filter_normalize(D, W)
        if ignore_biases:
            db[...] = 0.0
        elif filter_normalize:
            db *= _ratio(np.abs(b), np.abs(db))
    return d


def filter_normalize(D, W) -> np.ndarray:
    r"""``D`` with every column rescaled to the norm of the same column of ``W``.

    Column :math:`j` of a weight matrix of shape ``(fan_in, fan_out)`` holds the weights into
    output unit :math:`j`, its *filter*: :math:`D_{:,j} \leftarrow D_{:,j}\,\lVert
    W_{:,j}\rVert / \lVert D_{:,j}\rVert` (a column of ``D`` that is all zeros stays zero).
    Returns a new array.

    >>> D = np.array([[3.0, 1.0], [4.0, 0.0]])
    >>> W = np.array([[1.0, 0.0], [0.0, 2.0]])
    >>> filter_normalize(D, W).tolist()  # column norms 5 and 1 become 1 and 2
    [[0.6, 2.0], [0.8, 0.0]]
    """
    D = check_array("D", D, ndim=2, dtype=None)
    W = check_array("W", W, ndim=2, dtype=None)
    if D.shape != W.shape:
        raise ValueError(f"D must have W's shape {W.shape}; got shape {D.shape}")
    return _filter_normalize(D, W)


def _filter_normalize(D: np.ndarray, W: np.ndarray) -> np.ndarray:
    # column j of W (shape (fan_in, fan_out)) is output unit j's filter
    return D * _ratio(np.linalg.norm(W, axis=0), np.linalg.norm(D, axis=0))


def _ratio(num, den):
    """num / den with 0 where den == 0."""
    return np.divide(num, den, out=np.zeros_like(num), where=den != 0)


def _losses(model: MLP, theta0, directions, coords, X, y) -> np.ndarray:
    r"""Mean cross-entropy at :math:`\theta_0 + \sum_j c_{gj} d_j` for each row g of ``coords``.

    ``directions`` has shape ``(m, P)`` and ``coords`` ``(G, m)``; returns ``(G,)``.
    """
    dtype = model.dtype
    theta0 = np.asarray(theta0, dtype=dtype)
    directions = np.asarray(directions, dtype=dtype)
    coords = np.asarray(coords, dtype=dtype)
    X, _ = model._inputs(X)
    n, n_classes = len(X), model.sizes[-1]
    y = _check_labels(y, n, n_classes)
    f = model._f
    _w0, _w1, first_end, fan_in, width = model._slices[0]

    # First layer, once per direction: A_0 = X W + b, A_j = X D_j^W + D_j^b; shape (m+1, N, d_1).
    stacked = np.concatenate([theta0[None], directions])
    layer1 = [model.unpack(v)[0] for v in stacked]
    A = np.stack([X @ W + b for W, b in layer1]).reshape(len(stacked), -1)

    # The remaining layers' parameters at every grid point: θ_0 + c D (only the slice after
    # the first layer); unpacked with offsets relative to that slice.
    rest0, rest_dirs = theta0[first_end:], directions[:, first_end:]
    rest_slices = [(w0 - first_end, w1 - first_end, b1 - first_end, fi, fo)
                   for w0, w1, b1, fi, fo in model._slices[1:]]
    widest = max(model.sizes[1:])
    chunk = max(1, _CHUNK_BYTES // (n * widest * dtype.itemsize))
    target = np.arange(n) * n_classes + y
    out = np.empty(len(coords), dtype=np.float64)
    ones = np.ones((1, 1), dtype=dtype)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for start in range(0, len(coords), chunk):
            c = coords[start:start + chunk]
            k = len(c)
            # a_1 = A_0 + Σ_j c_j A_j for the whole chunk: one product with inner dimension m+1
            a = (np.concatenate([np.broadcast_to(ones, (k, 1)), c], axis=1) @ A)
            a = a.reshape(k, n, width)
            rest = rest0 + c @ rest_dirs  # (k, P_rest)
            h_in = X  # the input of the layer whose pre-activations a holds
            for skip, (w0, w1, b1, fi, fo) in zip(model.skips, rest_slices, strict=False):
                W = rest[:, w0:w1].reshape(k, fi, fo)
                b = rest[:, w1:b1]
                h = f(a, out=a)
                if skip:
                    h += h_in  # the skip connection h_l = h_{l-1} + f(a_l)
                a = np.matmul(h, W)
                a += b[:, None, :]
                h_in = h
            # mean softmax cross-entropy of the logits a: (k, N, C)
            a -= a.max(axis=-1, keepdims=True)
            lse = np.log(np.exp(a).sum(axis=-1))  # (k, N)
            picked = a.reshape(k, -1)[:, target]   # z_{i, y_i}
            out[start:start + k] = (lse.sum(axis=1) - picked.sum(axis=1)) / n
    return out


def loss_along_line(model: MLP, theta_a, theta_b, X, y, alphas) -> np.ndarray:
    r"""Losses at :math:`(1 - \alpha)\theta_a + \alpha\theta_b` for each α in ``alphas``.

    α = 0 is :math:`\theta_a`, α = 1 is :math:`\theta_b`; values outside [0, 1] extrapolate.
    Returns an array of the shape of ``alphas``. Where α is so large that the logits overflow
    the float range, the loss is NaN (no warning).

    >>> model = MLP((2, 3, 2), seed=0)
    >>> X, y = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0, 1])
    >>> loss_along_line(model, model.theta, 2 * model.theta, X, y, [0.0, 0.5, 1.0]).shape
    (3,)
    """
    model = _model(model)
    theta_a = _vector(model, "theta_a", theta_a)
    theta_b = _vector(model, "theta_b", theta_b)
    alphas = _coordinates("alphas", alphas)
    losses = _losses(model, theta_a, (theta_b - theta_a)[None], alphas.reshape(-1, 1), X, y)
    return losses.reshape(alphas.shape)


def loss_plane(model: MLP, theta, d1, d2, X, y, alphas, betas) -> np.ndarray:
    r"""Losses :math:`J(\theta + \alpha d_1 + \beta d_2)` on a grid of α and β.

    Returns shape ``(len(betas), len(alphas))``: row ``i``, column ``j`` holds the loss at
    ``alphas[j]``, ``betas[i]``, ready for ``plt.contour(alphas, betas, grid)``. Where the
    logits overflow the float range (coordinates far outside any useful plot), the loss is NaN.
    """
    model = _model(model)
    theta = _vector(model, "theta", theta)
    d1, d2 = _vector(model, "d1", d1), _vector(model, "d2", d2)
    alphas = _coordinates("alphas", alphas).ravel()
    betas = _coordinates("betas", betas).ravel()
    B, A = np.meshgrid(betas, alphas, indexing="ij")
    coords = np.stack([A.ravel(), B.ravel()], axis=1)
    losses = _losses(model, theta, np.stack([d1, d2]), coords, X, y)
    return losses.reshape(len(betas), len(alphas))


def local_minima(grid) -> np.ndarray:
    r"""Where a grid of losses has a strict local minimum: a boolean mask of ``grid``'s shape.

    A point is a local minimum when its value is below every neighbour's: the 8 around it on a
    2-D grid (fewer on the border), the 2 beside it on a 1-D one. A smooth bowl has one; a
    chaotic landscape (Li et al.'s networks without skip connections) has many. NaN values (an
    overflowed loss) are never minima and never block one.

    >>> int(local_minima(np.array([[3.0, 2.0, 3.0], [2.0, 1.0, 2.0], [3.0, 2.0, 3.0]])).sum())
    1
    >>> local_minima(np.array([2.0, 1.0, 3.0, 0.5, 4.0])).tolist()
    [False, True, False, True, False]
    """
    z = check_array("grid", grid, ndim=(1, 2), finite=False)
    z2 = z.reshape(1, -1) if z.ndim == 1 else z
    p = np.pad(np.where(np.isnan(z2), np.inf, z2), 1, constant_values=np.inf)
    rows, cols = z2.shape
    centre = p[1:-1, 1:-1]
    mask = np.isfinite(centre)
    shifts = [(0, -1), (0, 1)] if z.ndim == 1 else [
        (di, dj) for di in (-1, 0, 1) for dj in (-1, 0, 1) if di or dj]
    for di, dj in shifts:
        mask &= centre < p[1 + di:1 + di + rows, 1 + dj:1 + dj + cols]
    return mask.reshape(z.shape)


SKIP_LABELS = ("without skip connections", "with skip connections")
"""The labels of :func:`deep_landscapes`' two networks, plain first."""


def deep_landscapes(depth: int = 20, width: int = 32, epochs: int = 10, n_examples: int = 256,
                    n_grid: int = 31, seed=1) -> tuple[np.ndarray, dict, dict]:
    r"""Li et al.'s comparison on the digits: a deep tanh MLP without and with skip connections.

    Two networks ``(64, width × depth, 10)`` — :class:`~npfl_helpers.mlp.MLP` with
    ``residual=False`` and ``residual=True`` — are trained from seed ``seed`` for ``epochs``
    epochs of Adam (α = 10⁻³, minibatches of 32) on the digits' training set, in float32. Around
    each trained :math:`\theta^*`, two filter-normalised directions (seeded by 0) span a plane;
    the loss is evaluated on the first ``n_examples`` training images at ``n_grid`` × ``n_grid``
    points of :math:`[-1, 1]^2`. Returns ``(grid, planes, models)``: the coordinates, and dicts
    keyed by :data:`SKIP_LABELS` of the planes (``(n_grid, n_grid)``, as :func:`loss_plane`)
    and the trained models. About a second of computation at the defaults.
    """
    from . import data, optim
    from ._validate import check_int

    depth = check_int("depth", depth, 1)
    width = check_int("width", width, 1)
    epochs = check_int("epochs", epochs, 0)
    n_examples = check_int("n_examples", n_examples, 1)
    n_grid = check_int("n_grid", n_grid, 2)
    digits = data.load_digits(seed=0, dtype=np.float32)
    X, y = digits.train.X, digits.train.y
    grid = np.linspace(-1.0, 1.0, n_grid)
    planes, models = {}, {}
    for label, residual in zip(SKIP_LABELS, (False, True), strict=True):
        net = MLP((X.shape[1], *[width] * depth, 10), activation="tanh", seed=seed,
                  dtype=np.float32, residual=residual)
        train(net, X, y, optim.adam(1e-3), epochs=epochs, batch_size=32, progress=False,
              seed=seed)
        rng = np.random.default_rng(0)
        d1, d2 = (random_direction(net, net.theta, rng) for _ in range(2))
        planes[label] = loss_plane(net, net.theta, d1, d2, X[:n_examples], y[:n_examples],
                                   grid, grid)
        models[label] = net
    return grid, planes, models
