r"""Loss landscapes: the loss along a line and on a plane through parameter space.

Following Li et al. (2018), *Visualizing the Loss Landscape of Neural Nets*, the plane through
:math:`\theta` is spanned by two random directions :math:`d_1, d_2` and we plot

.. math::
    f(\alpha, \beta) = \mathcal L(\theta + \alpha d_1 + \beta d_2).

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

The loss is the mean softmax cross-entropy of :class:`~npfl_helpers.mlp.MLP` (no L2 term). Grids
are evaluated in batches: many parameter vectors are stacked and pushed through the network with
batched matrix products, in chunks that bound the memory. The first layer's pre-activations are
affine in the coordinates, :math:`X(W + \alpha D_1 + \beta D_2) + \dots = XW + \alpha XD_1 +
\beta XD_2 + \dots`, so the widest product, with the inputs, is computed once per direction
instead of once per grid point.
"""

from __future__ import annotations

import numpy as np

from .mlp import MLP, _check_labels

__all__ = ["random_direction", "loss_along_line", "loss_plane"]

_CHUNK_BYTES = 32 * 2**20  # memory bound for one chunk of stacked activations


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
    theta = np.asarray(theta)
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    d = rng.standard_normal(theta.shape).astype(theta.dtype)
    for (D, db), (W, b) in zip(model.unpack(d), model.unpack(theta), strict=True):
        if filter_normalize:
            # column j of W (shape (fan_in, fan_out)) is output unit j's filter
            D *= _ratio(np.linalg.norm(W, axis=0), np.linalg.norm(D, axis=0))
        if ignore_biases:
            db[...] = 0.0
        elif filter_normalize:
            db *= _ratio(np.abs(b), np.abs(db))
    return d


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
    X = np.asarray(X, dtype=dtype)
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
            for w0, w1, b1, fi, fo in rest_slices:
                W = rest[:, w0:w1].reshape(k, fi, fo)
                b = rest[:, w1:b1]
                a = np.matmul(f(a, out=a), W)
                a += b[:, None, :]
            # mean softmax cross-entropy of the logits a: (k, N, C)
            a -= a.max(axis=-1, keepdims=True)
            lse = np.log(np.exp(a).sum(axis=-1))  # (k, N)
            picked = a.reshape(k, -1)[:, target]   # z_{i, y_i}
            out[start:start + k] = (lse.sum(axis=1) - picked.sum(axis=1)) / n
    return out


def loss_along_line(model: MLP, theta_a, theta_b, X, y, alphas) -> np.ndarray:
    r"""Losses at :math:`(1 - \alpha)\theta_a + \alpha\theta_b` for each α in ``alphas``.

    α = 0 is :math:`\theta_a`, α = 1 is :math:`\theta_b`; values outside [0, 1] extrapolate.
    Returns an array of the shape of ``alphas``.

    >>> model = MLP((2, 3, 2), seed=0)
    >>> X, y = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0, 1])
    >>> loss_along_line(model, model.theta, 2 * model.theta, X, y, [0.0, 0.5, 1.0]).shape
    (3,)
    """
    theta_a = np.asarray(theta_a, dtype=model.dtype)
    theta_b = np.asarray(theta_b, dtype=model.dtype)
    alphas = np.asarray(alphas, dtype=np.float64)
    losses = _losses(model, theta_a, (theta_b - theta_a)[None], alphas.reshape(-1, 1), X, y)
    return losses.reshape(alphas.shape)


def loss_plane(model: MLP, theta, d1, d2, X, y, alphas, betas) -> np.ndarray:
    r"""Losses :math:`\mathcal L(\theta + \alpha d_1 + \beta d_2)` on a grid of α and β.

    Returns shape ``(len(betas), len(alphas))``: row ``i``, column ``j`` holds the loss at
    ``alphas[j]``, ``betas[i]``, ready for ``plt.contour(alphas, betas, grid)``.
    """
    alphas = np.asarray(alphas, dtype=np.float64).ravel()
    betas = np.asarray(betas, dtype=np.float64).ravel()
    B, A = np.meshgrid(betas, alphas, indexing="ij")
    coords = np.stack([A.ravel(), B.ravel()], axis=1)
    losses = _losses(model, theta, np.stack([np.asarray(d1), np.asarray(d2)]), coords, X, y)
    return losses.reshape(len(betas), len(alphas))
