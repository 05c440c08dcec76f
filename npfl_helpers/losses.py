r"""Losses as negative log-likelihoods, in numpy.

Maximum likelihood estimation chooses the parameters :math:`\theta` that minimise the negative
log-likelihood of the training data,

.. math::

    \operatorname{NLL}(\theta) = \mathbb{E}_{(x, y) \sim \hat p_\text{data}}
        \big[-\log p_\text{model}(y \mid x; \theta)\big],

and every loss here is one such NLL (averaged over examples):

* a Gaussian :math:`p_\text{model}(y \mid x) = \mathcal N(y; \hat y(x; \theta), \sigma^2)` gives
  :func:`gaussian_nll`, which is :func:`mse` up to an affine map (same minimiser);
* a categorical :math:`p_\text{model}(y \mid x) = \operatorname{softmax}(z(x; \theta))_y` gives
  :func:`cross_entropy` from the logits :math:`z`.

For distributions :math:`p, q` over :math:`K` classes (along the last axis, in nats):

.. math::

    H(p) = -\sum_k p_k \log p_k, \qquad
    H(p, q) = -\sum_k p_k \log q_k, \qquad
    D_\text{KL}(p \,\|\, q) = \sum_k p_k \log \frac{p_k}{q_k},

and the NLL is the cross-entropy between the data and the model,

.. math::

    \operatorname{NLL} = H(\hat p_\text{data}, p_\text{model})
        = H(\hat p_\text{data}) + D_\text{KL}(\hat p_\text{data} \,\|\, p_\text{model}),

so minimising the NLL minimises the KL divergence (:math:`H(\hat p_\text{data})` does not depend
on :math:`\theta`). We use :math:`0 \log 0 = 0` throughout.
"""

from __future__ import annotations

import math

import numpy as np

from ._validate import check_range

__all__ = [
    "mse",
    "gaussian_nll",
    "log_softmax",
    "softmax",
    "cross_entropy",
    "entropy",
    "kl_divergence",
]

_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def mse(pred, target) -> float:
    r"""Mean squared error :math:`\frac1N \sum_i (y_i - \hat y_i)^2`.

    =========================  ==========
    symbol                     argument
    =========================  ==========
    :math:`\hat y`             ``pred``
    :math:`y`                  ``target``
    =========================  ==========

    The mean runs over every element (examples and, if present, output dimensions).

    >>> mse([1.0, 2.0, 3.0], [1.0, 2.0, 5.0])
    1.3333333333333333
    """
    pred, target = _same_shape(pred, target)
    return float(np.mean((target - pred) ** 2))


def gaussian_nll(pred, target, sigma) -> float:
    r"""Mean negative log-likelihood of ``target`` under :math:`\mathcal N(\hat y, \sigma^2)`.

    .. math::

        -\log p(y \mid x) = \frac{(y - \hat y)^2}{2\sigma^2} + \log\sigma + \tfrac12 \log 2\pi

    averaged over every element. For a fixed :math:`\sigma` this is
    :math:`\frac{1}{2\sigma^2}\operatorname{MSE} + \log\sigma + \frac12\log 2\pi`, an increasing
    affine map of :func:`mse`: both have the same minimiser :math:`\hat y`.

    =========================  ==========
    symbol                     argument
    =========================  ==========
    :math:`\hat y`             ``pred``
    :math:`y`                  ``target``
    :math:`\sigma`             ``sigma`` (> 0; a float or an array broadcasting against ``pred``)
    =========================  ==========

    >>> round(gaussian_nll([0.0], [0.0], sigma=1.0), 6)  # ½ log 2π
    0.918939
    """
    sigma = check_range("sigma", sigma, 0.0, None, low_open=True)
    pred, target = _same_shape(pred, target)
    nll = (target - pred) ** 2 / (2.0 * sigma**2) + np.log(sigma) + _HALF_LOG_2PI
    return float(np.mean(nll))


def log_softmax(logits, axis: int = -1) -> np.ndarray:
    r"""Stable :math:`\log\operatorname{softmax}(z)_k = z_k - \log\sum_j e^{z_j}` along ``axis``.

    Computed as :math:`(z_k - m) - \log\sum_j e^{z_j - m}` with :math:`m = \max_j z_j`
    (log-sum-exp), so every exponent is :math:`\le 0`: no overflow for logits of any size.

    >>> np.round(np.exp(log_softmax([0.0, np.log(3.0)])), 6)
    array([0.25, 0.75])
    """
    z = np.asarray(logits, dtype=np.float64)
    z = z - np.max(z, axis=axis, keepdims=True)
    return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))


def softmax(logits, axis: int = -1) -> np.ndarray:
    r""":math:`\operatorname{softmax}(z)_k = e^{z_k} / \sum_j e^{z_j}` along ``axis``, stably.

    >>> softmax([1000.0, 1000.0])
    array([0.5, 0.5])
    """
    return np.exp(log_softmax(logits, axis=axis))


def cross_entropy(logits, labels) -> float:
    r"""Mean cross-entropy (categorical NLL) of ``labels`` under :math:`\operatorname{softmax}(z)`.

    ``labels`` is either

    * **integer class indices** :math:`y_i` of shape ``logits.shape[:-1]``:

      .. math::  \frac1N \sum_i -\log\operatorname{softmax}(z_i)_{y_i},

    * or **a probability distribution** :math:`p_i` per example, a float array of the same shape
      as ``logits`` (soft targets, e.g. label smoothing):

      .. math::  \frac1N \sum_i H\big(p_i, \operatorname{softmax}(z_i)\big)
          = \frac1N \sum_i -\sum_k p_{i,k} \log\operatorname{softmax}(z_i)_k.

    Index labels are the special case of one-hot :math:`p_i`. The logarithm comes from the stable
    :func:`log_softmax`, so logits of any magnitude are safe.

    =========================  ==========
    symbol                     argument
    =========================  ==========
    :math:`z`                  ``logits`` of shape ``(..., K)``
    :math:`y` or :math:`p`     ``labels``
    =========================  ==========

    >>> round(cross_entropy([[0.0, 0.0]], [1]), 6)  # log 2
    0.693147
    >>> round(cross_entropy([[0.0, 0.0]], [[0.5, 0.5]]), 6)
    0.693147
    """
    logp = log_softmax(logits)
    labels = np.asarray(labels)
    if np.issubdtype(labels.dtype, np.integer):
        if labels.shape != logp.shape[:-1]:
            raise ValueError(
                f"integer labels must have shape {logp.shape[:-1]} (logits without the class "
                f"axis); got {labels.shape}"
            )
        k = logp.shape[-1]
        if labels.size and (labels.min() < 0 or labels.max() >= k):
            raise ValueError(f"labels must be class indices in [0, {k - 1}]; got values in "
                             f"[{labels.min()}, {labels.max()}]")
        picked = np.take_along_axis(logp, labels[..., None], axis=-1)[..., 0]
        return float(-np.mean(picked))
    p = _check_distribution("labels", labels)
    if p.shape != logp.shape:
        raise ValueError(
            f"distribution labels must have the shape of logits {logp.shape}; got {p.shape} "
            "(pass integer class indices otherwise)"
        )
    # 0 · log q = 0, also where q underflows to 0 (log q = -inf)
    terms = p * np.where(p > 0, logp, 0.0)
    return float(-np.mean(np.sum(terms, axis=-1)))


def entropy(p) -> np.ndarray | float:
    r"""Entropy :math:`H(p) = -\sum_k p_k \log p_k` (nats) of distributions along the last axis.

    Uses :math:`0 \log 0 = 0`. Returns a float for one distribution, else an array of shape
    ``p.shape[:-1]``. The uniform distribution over :math:`K` classes has the maximum,
    :math:`\log K`.

    >>> round(entropy([0.25, 0.25, 0.25, 0.25]), 6)  # log 4
    1.386294
    >>> entropy([1.0, 0.0])
    0.0
    """
    p = _check_distribution("p", p)
    with np.errstate(divide="ignore"):  # log 0 = -inf; masked next
        logp = np.where(p > 0, np.log(p), 0.0)
    h = -np.sum(p * logp, axis=-1)
    return _maybe_float(h + 0.0)  # + 0.0 turns -0.0 into 0.0


def kl_divergence(p, q) -> np.ndarray | float:
    r"""Kullback–Leibler divergence :math:`D_\text{KL}(p \,\|\, q) = \sum_k p_k \log(p_k / q_k)`.

    In nats, along the last axis (leading axes broadcast), with :math:`0 \log(0/q) = 0`; it is
    :math:`+\infty` where some :math:`p_k > 0` has :math:`q_k = 0`. Always :math:`\ge 0`, with
    equality iff :math:`p = q` (Gibbs' inequality). Not symmetric.

    =========================  ==========
    symbol                     argument
    =========================  ==========
    :math:`p`                  ``p`` (e.g. :math:`\hat p_\text{data}`)
    :math:`q`                  ``q`` (e.g. :math:`p_\text{model}`)
    =========================  ==========

    >>> round(kl_divergence([0.5, 0.5], [0.25, 0.75]), 6)
    0.143841
    >>> kl_divergence([1.0, 0.0], [0.0, 1.0])
    inf
    """
    p = _check_distribution("p", p)
    q = _check_distribution("q", q)
    with np.errstate(divide="ignore", invalid="ignore"):  # log 0 = -inf; masked below
        log_ratio = np.log(p) - np.log(q)  # where p > 0: finite, or +inf when q = 0
    terms = p * np.where(p > 0, log_ratio, 0.0)
    return _maybe_float(np.sum(terms, axis=-1))


def _same_shape(pred, target) -> tuple[np.ndarray, np.ndarray]:
    """``pred`` and ``target`` as float arrays; a shape mismatch would broadcast silently."""
    pred = np.asarray(pred, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    if pred.shape != target.shape:
        raise ValueError(f"pred and target must have the same shape; got {pred.shape} and "
                         f"{target.shape}")
    return pred, target


def _check_distribution(name: str, p) -> np.ndarray:
    """Return ``p`` as a float array if it is non-negative and sums to 1 along the last axis."""
    p = np.asarray(p, dtype=np.float64)
    if p.ndim == 0:
        raise ValueError(f"{name} must be a probability distribution along the last axis; "
                         f"got a scalar {float(p)!r}")
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError(f"{name} must have entries in [0, 1]; got values in "
                         f"[{np.min(p)!r}, {np.max(p)!r}]")
    sums = np.sum(p, axis=-1)
    if not np.allclose(sums, 1.0, rtol=0.0, atol=1e-6):
        raise ValueError(f"{name} must sum to 1 along the last axis; got sums in "
                         f"[{np.min(sums)!r}, {np.max(sums)!r}]")
    return p


def _maybe_float(x: np.ndarray):
    return float(x) if np.ndim(x) == 0 else x
