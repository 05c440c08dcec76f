r"""Losses as negative log-likelihoods, in numpy.

Maximum likelihood estimation chooses the parameters :math:`\theta` that minimise the negative
log-likelihood of the training data,

.. math::

    \operatorname{NLL}(\theta) = \mathbb{E}_{(x, y) \sim \hat p_\text{data}}
        \big[-\log p_\text{model}(y \mid x; \theta)\big],

and every loss here is one such NLL (averaged over examples):

* a Gaussian :math:`p_\text{model}(y \mid x) = \mathcal N(y; \hat y(x; \theta), \sigma^2)` gives
  :func:`gaussian_nll`, which is :func:`mse` up to an affine map (same minimiser) —
  :func:`gaussian_nll_from_mse` applies that map to many MSEs and σ at once;
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

from ._validate import (
    ArgumentTypeError,
    _real_array,
    check_array,
    check_axis,
    check_labels,
    check_range,
)

__all__ = [
    "mse",
    "gaussian_nll",
    "gaussian_nll_from_mse",
    "log_softmax",
    "softmax",
    "cross_entropy",
    "entropy",
    "kl_divergence",
    "cross_entropy_dist",
    "categorical_nll",
    "gaussian_log_likelihood",
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

    The mean runs over every element (examples and, if present, output dimensions). Inputs
    must be finite; squares are scaled before they are summed, so the result overflows to
    ``inf`` (silently) only when the MSE itself exceeds the largest float, about 1.8e308.

    >>> mse([1.0, 2.0, 3.0], [1.0, 2.0, 5.0])
    1.3333333333333333
    """
    pred, target = _same_shape(pred, target)
    # (y - ŷ)² = 4 ((y - ŷ)/2)²: the halves never overflow, even for y = -ŷ = 1e308
    return 4.0 * _mean_square(target / 2 - pred / 2)


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

    Inputs must be finite; the result is ``inf`` (silently) only when it exceeds the float
    range (e.g. an error of 1e300 with :math:`\sigma = 10^{-300}`).

    >>> round(gaussian_nll([0.0], [0.0], sigma=1.0), 6)  # ½ log 2π
    0.918939
    """
    sigma = check_range("sigma", sigma, 0.0, None, low_open=True)
    pred, target = _same_shape(pred, target)
    if np.ndim(sigma) and _broadcast(np.shape(sigma), pred.shape) != pred.shape:
        raise ValueError(f"sigma must be a number or an array broadcasting against pred "
                         f"{pred.shape}; got shape {np.shape(sigma)}")
    # (y - ŷ)²/(2σ²) = 2 (d/σ)² with d = (y - ŷ)/2; d/σ may overflow to inf, the true value
    with np.errstate(over="ignore"):
        z = np.broadcast_to((target / 2 - pred / 2) / sigma, pred.shape)
    log_sigma = np.mean(np.broadcast_to(np.log(sigma), pred.shape))
    return 2.0 * _mean_square(z) + float(log_sigma) + _HALF_LOG_2PI


def gaussian_nll_from_mse(mse, sigma) -> np.ndarray | float:
    r"""The mean Gaussian NLL of predictions whose MSE is ``mse``, for noise ``sigma``:

    .. math::

        \operatorname{NLL} = \frac{\operatorname{MSE}}{2\sigma^2} + \log\sigma
            + \tfrac12 \log 2\pi ,

    the value :func:`gaussian_nll` returns for a scalar :math:`\sigma` (the mean of
    :math:`(y - \hat y)^2` is all it needs). Vectorised: ``mse`` (≥ 0) and ``sigma``
    (> 0) broadcast, so one call gives the NLL of a whole grid of parameters (an array of MSEs)
    for one σ, or of one MSE against many σ. A float for scalar inputs, else an array; ``inf``
    (silently) only beyond the float range (e.g. an MSE of 1 with :math:`\sigma = 10^{-200}`).

    >>> round(gaussian_nll_from_mse(0.0, 1.0), 6)     # ½ log 2π
    0.918939
    >>> gaussian_nll_from_mse([0.5, 2.0], 1.0) - gaussian_nll_from_mse(0.0, 1.0)   # MSE/2
    array([0.25, 1.  ])
    """
    mse = check_range("mse", mse, 0.0)
    sigma = check_range("sigma", sigma, 0.0, None, low_open=True)
    if _broadcast(np.shape(mse), np.shape(sigma)) is None:
        raise ValueError(f"mse and sigma must broadcast against each other; got shapes "
                         f"{np.shape(mse)} and {np.shape(sigma)}")
    log_sigma = math.log(sigma) if isinstance(sigma, float) else np.log(sigma)
    sigma = np.float64(sigma) if isinstance(sigma, float) else sigma  # numpy's inf, not errors
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        scaled = mse / (2 * sigma**2)  # σ² below the float range: MSE/0 = inf, 0/0 = nan
    scaled = np.where(np.asarray(mse) == 0, 0.0, scaled)  # a zero MSE costs nothing
    return _maybe_float(scaled + log_sigma + _HALF_LOG_2PI)


def log_softmax(logits, axis: int = -1) -> np.ndarray:
    r"""Stable :math:`\log\operatorname{softmax}(z)_k = z_k - \log\sum_j e^{z_j}` along ``axis``.

    Computed as :math:`(z_k - m) - \log\sum_j e^{z_j - m}` with :math:`m = \max_j z_j`
    (log-sum-exp), so every exponent is :math:`\le 0`: no overflow in the exponentials for
    finite logits of any size, and no warning. A log-probability below the float range
    (:math:`z_k - m < -1.8 \cdot 10^{308}`, e.g. logits ±1e308) is ``-inf``, and its softmax
    probability 0, the nearest floats to the true values. Logits must be finite.

    >>> np.round(np.exp(log_softmax([0.0, np.log(3.0)])), 6)
    array([0.25, 0.75])
    >>> log_softmax([1e308, -1e308])
    array([  0., -inf])
    """
    z = _logits(logits)
    axis = check_axis("axis", axis, z.ndim)
    with np.errstate(over="ignore"):  # z_k - m below -1.8e308 is -inf: the nearest float
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
    :func:`log_softmax`, so finite logits of any magnitude are safe: logits near the float limit
    are handled through halved log-probabilities, and the loss is ``inf`` only when it exceeds
    the float range itself.

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
    z = _logits(logits)
    if z.shape[-1] == 0 or z.size == 0:
        raise ValueError(f"logits must hold at least one example and one class; got shape "
                         f"{z.shape}")
    if np.max(np.abs(z)) < 1e290:  # log-probabilities and their sums stay finite
        logp, factor = log_softmax(z), 1.0
    else:  # logit gaps near the float limit: halved log-probabilities stay finite
        half = z / 2 - np.max(z, axis=-1, keepdims=True) / 2
        with np.errstate(over="ignore"):
            half -= np.log(np.sum(np.exp(2 * half), axis=-1, keepdims=True)) / 2
        logp, factor = half, 2.0
    labels = _real_array("labels", labels,
                         "integer class indices or probability distributions (floats)")
    if labels.dtype.kind == "b":
        raise ArgumentTypeError("labels must be integer class indices or probability "
                                "distributions (floats); got booleans")
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
        return _negative_mean(picked, factor)
    if logp.ndim == 1 and labels.ndim == 0:
        raise ArgumentTypeError(f"labels must be an integer class index or a distribution; "
                                f"got the float {float(labels)!r} (pass an int)")
    p = _check_distribution("labels", labels)
    if p.shape != logp.shape:
        raise ValueError(
            f"distribution labels must have the shape of logits {logp.shape}; got {p.shape} "
            "(pass integer class indices otherwise)"
        )
    # 0 · log q = 0, also where q underflows to 0 (log q = -inf)
    terms = p * np.where(p > 0, logp, 0.0)
    return _negative_mean(np.sum(terms, axis=-1), factor)


def _negative_mean(x: np.ndarray, factor: float) -> float:
    """``-factor · mean(x)``; with ``factor`` 2 (halved values near the float limit) the mean is
    taken as a sum of ``x / n``, which cannot overflow, and only the doubling may reach inf."""
    if factor == 1.0:
        return float(-np.mean(x)) + 0.0  # + 0.0 turns -0.0 into 0.0
    with np.errstate(over="ignore"):
        return float(-factor * np.sum(x / x.size)) + 0.0


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
    if p.shape[-1] != q.shape[-1]:
        raise ValueError(f"p and q must have the same number of classes (last axis); got "
                         f"{p.shape[-1]} and {q.shape[-1]}")
    if _broadcast(p.shape, q.shape) is None:
        raise ValueError(f"the leading axes of p and q must broadcast; got shapes {p.shape} "
                         f"and {q.shape}")
    with np.errstate(divide="ignore", invalid="ignore"):  # log 0 = -inf; masked below
        log_ratio = np.log(p) - np.log(q)  # where p > 0: finite, or +inf when q = 0
    terms = p * np.where(p > 0, log_ratio, 0.0)
    return _maybe_float(np.sum(terms, axis=-1))


def cross_entropy_dist(p, q) -> np.ndarray | float:
    r"""Cross-entropy :math:`H(p, q) = -\sum_k p_k \log q_k` of two distributions (nats).

    Along the last axis (leading axes broadcast), with :math:`0 \log q = 0`; it is
    :math:`+\infty` where some :math:`p_k > 0` has :math:`q_k = 0`. It equals
    :math:`H(p) + D_\text{KL}(p \,\|\, q)`, so it is at least :math:`H(p)`, with equality iff
    :math:`q = p`. (:func:`cross_entropy` is the same quantity with :math:`q` given by logits,
    averaged over examples.)

    >>> round(cross_entropy_dist([0.5, 0.5], [0.25, 0.75]), 6)   # H(p) + KL = 0.693147 + 0.143841
    0.836988
    """
    p = _check_distribution("p", p)
    q = _check_distribution("q", q)
    with np.errstate(divide="ignore"):  # log 0 = -inf; only used where p > 0
        logq = np.log(q)
    terms = p * np.where(p > 0, logq, 0.0)  # 0 · log q = 0, also where q = 0
    return _maybe_float(-np.sum(terms, axis=-1) + 0.0)


def categorical_nll(x, q) -> np.ndarray | float:
    r"""Mean negative log-likelihood :math:`-\frac1m \sum_{i=1}^m \log q_{x_i}` of observed
    classes under a categorical model :math:`q`.

    ``x`` holds :math:`m` class indices (1-D); ``q`` is one distribution over :math:`K` classes
    or a batch ``(..., K)`` of candidate models, all evaluated at once (result shape
    ``q.shape[:-1]``). It equals :math:`H(\hat p_\text{data}, q)` with :math:`\hat p_\text{data}`
    the class frequencies of ``x``; :math:`+\infty` if an observed class has :math:`q_k = 0`.

    >>> round(categorical_nll([0, 0, 1], [0.5, 0.5]), 6)   # log 2
    0.693147
    """
    q = _check_distribution("q", q)
    x = check_labels("x", x, n_classes=q.shape[-1])
    if x.size == 0:
        raise ValueError("x must hold at least one class index; got an empty array")
    with np.errstate(divide="ignore"):  # q = 0 for an observed class: -log 0 = +inf
        return _maybe_float(-np.mean(np.log(q[..., x]), axis=-1))


def gaussian_log_likelihood(x, mu, sigma2) -> np.ndarray | float:
    r"""Log-likelihood :math:`\sum_{i=1}^m \log \mathcal N(x_i; \mu, \sigma^2)` of a sample.

    .. math::
        \log \mathcal N(x; \mu, \sigma^2) = -\frac{(x - \mu)^2}{2\sigma^2}
            - \frac12 \log(2\pi\sigma^2)

    ``x`` has the sample along its last axis; ``mu`` and ``sigma2`` (the variance, > 0)
    broadcast against each other and ``x.shape[:-1]``, so one call evaluates a whole grid of
    parameters. It is maximised by :math:`\hat\mu = \bar x` and :math:`\hat\sigma^2 =
    \frac1m \sum_i (x_i - \bar x)^2`, the biased sample variance.

    >>> round(gaussian_log_likelihood([0.0], 0.0, 1.0), 6)   # -½ log 2π
    -0.918939
    """
    sigma2 = np.asarray(check_range("sigma2", sigma2, 0.0, None, low_open=True))
    x = check_array("x", x, allow_empty=True)
    if x.ndim == 0 or x.shape[-1] == 0:
        raise ValueError(f"x must hold a sample along its last axis; got shape {x.shape}")
    mu = np.asarray(check_range("mu", mu), dtype=np.float64)
    m = x.shape[-1]
    sq = np.sum((x - mu[..., None]) ** 2, axis=-1)
    return _maybe_float(-sq / (2.0 * sigma2) - 0.5 * m * np.log(2.0 * np.pi * sigma2))


def _mean_square(z: np.ndarray) -> float:
    """The mean of ``z²``, scaled so that no square overflows unless the mean itself does."""
    if z.size == 0:
        return 0.0
    scale = float(np.max(np.abs(z)))
    if 1e-100 < scale < 1e100 or scale == 0.0:
        return float(np.mean(z * z))
    if not math.isfinite(scale):
        return math.inf
    with np.errstate(over="ignore"):
        return float(np.mean(np.square(z / scale)) * scale * scale)


def _broadcast(*shapes):
    """The broadcast shape, or None when the shapes do not broadcast."""
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        return None


def _logits(logits) -> np.ndarray:
    """``logits`` as a non-empty finite float array with at least one axis."""
    z = check_array("logits", logits)
    if z.ndim == 0:
        raise ValueError(f"logits must have a class axis (shape (..., K)); got the scalar "
                         f"{float(z)!r}")
    return z


def _same_shape(pred, target) -> tuple[np.ndarray, np.ndarray]:
    """``pred`` and ``target`` as float arrays; a shape mismatch would broadcast silently."""
    pred = check_array("pred", pred)
    target = check_array("target", target)
    if pred.shape != target.shape:
        raise ValueError(f"pred and target must have the same shape; got {pred.shape} and "
                         f"{target.shape}")
    return pred, target


def _check_distribution(name: str, p) -> np.ndarray:
    """Return ``p`` as a float array if it is non-negative and sums to 1 along the last axis."""
    p = _real_array(name, p, "a probability distribution (an array of floats)").astype(
        np.float64)
    if p.size == 0:
        raise ValueError(f"{name} must be a probability distribution along the last axis; "
                         f"got an empty array of shape {p.shape}")
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
