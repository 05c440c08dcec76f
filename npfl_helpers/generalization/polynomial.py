r"""Polynomial least squares: data, features, the closed-form (L2-regularised) fit, its
errors on data and its exact generalisation error.

A polynomial of degree :math:`D` in a scalar input :math:`x \in [-1, 1]` is a linear model on
:math:`P = D + 1` features, :math:`\hat y = \sum_{k=0}^{D} \theta_k \phi_k(x) = \phi(x)^\top\theta`.
The degree is its **capacity**. Training minimises the regularised mean squared error

.. math::
    J(\theta) = \frac1N \sum_{i=1}^N \bigl(\phi(x_i)^\top\theta - y_i\bigr)^2
                + \lambda \sum_{k=1}^{D} \theta_k^2
              = \frac1N \lVert X\theta - y\rVert^2 + \lambda\, \theta^\top B\, \theta,

where :math:`X` is the :math:`N \times P` design matrix (row :math:`i` is :math:`\phi(x_i)`) and
:math:`B = \operatorname{diag}(0, 1, \dots, 1)`: the **bias** :math:`\theta_0` (the coefficient
of the constant feature :math:`\phi_0 = 1`) is not penalised, as in :mod:`npfl_helpers.mlp`
(``penalize_bias=True`` uses :math:`B = I`). Setting
:math:`\nabla J = \frac2N X^\top(X\theta - y) + 2\lambda B\theta` to zero gives the closed form

.. math::
    \theta^* = \bigl(X^\top X + N\lambda B\bigr)^{-1} X^\top y .

**Scaling of λ.** The penalty is added to the *mean* loss, so in the closed form it appears
multiplied by :math:`N` (``sklearn.linear_model.Ridge(alpha=N * lam)`` fits the same model). A
gradient step on :math:`J` with learning rate :math:`\alpha` is
:math:`\theta_k \leftarrow (1 - 2\alpha\lambda)\,\theta_k - \alpha\,\partial_k \text{MSE}`: the
lecture's L2 regularisation *is* weight decay, with decay factor :math:`2\alpha\lambda` per step.

**Basis.** The default features are Legendre polynomials :math:`P_k`, orthogonal on
:math:`[-1, 1]`: for uniform :math:`x` the matrix :math:`X^\top X/N` is close to
:math:`\operatorname{diag}(1/(2k+1))`, whose condition number is only :math:`2D + 1`, while
the monomials :math:`x^k` (``basis="monomial"``) give a matrix whose condition number grows
exponentially with :math:`D`. Without regularisation the *fitted function* is the same in both
bases (they span the same polynomials); with :math:`\lambda > 0` the penalty depends on the basis.

==========================  =========================  ==========================================
symbol                      argument / result          meaning
==========================  =========================  ==========================================
:math:`x_i, y_i`            ``x``, ``y``               inputs in [-1, 1], targets
:math:`N`                   ``x.shape[-1]``            training-set size
:math:`D`, :math:`P`        ``degree``, ``D + 1``      capacity, number of parameters
:math:`\phi_k`              :func:`polynomial_features`  the k-th basis polynomial
:math:`\theta`              ``theta``                  parameters; ``theta[..., 0]`` is the bias
:math:`\lambda`             ``lam``                    L2 strength (weight decay), ≥ 0
:math:`f`                   :data:`TARGETS`            the true regression function
:math:`\sigma`              ``noise``                  standard deviation of the Gaussian noise
==========================  =========================  ==========================================

Every function is vectorised: leading axes of ``x``/``y`` are a batch of independent data sets
(many training sets at once), and ``lam`` broadcasts against that batch.

>>> x, y = sample(20, noise=0.0, target="line", seed=0)
>>> theta = fit_polynomial(x, y, degree=1)
>>> np.round(theta, 6)          # f(x) = x/2 exactly: bias 0, slope 1/2
array([0. , 0.5])
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .._validate import check_bool, check_choice, check_int, check_range, check_rng
from ._common import _NO_Y, _array, _check_size, _inputs

__all__ = [
    "TARGETS",
    "BASES",
    "sample",
    "polynomial_features",
    "least_squares",
    "objective",
    "objective_grad",
    "fit_polynomial",
    "fit_all_degrees",
    "predict",
    "predict_clipped",
    "mean_squared_error",
    "generalization_error",
]


#: The true regression functions :math:`f` on [-1, 1] (vectorised).
TARGETS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sine": lambda x: np.sin(3.0 * x + 0.5),        # smooth: degree ≈ 5 captures it
    "line": lambda x: 0.5 * x,                      # the simplest process
    "wiggle": lambda x: np.sin(2.0 * np.pi * x),    # two periods: needs degree ≈ 9
}
#: The feature bases of :func:`polynomial_features`.
BASES = ("legendre", "monomial")
MAX_DEGREE = 1000  #: the largest polynomial degree accepted
NOISE_MAX = 1e100  #: the largest noise σ accepted: σ² and the squared errors stay finite


def _noise(noise) -> float:
    return check_range("noise", noise, 0, NOISE_MAX, allow_array=False)


# --------------------------------------------------------------------------------------------
# Data


def sample(n: int, noise: float = 0.3, target: str = "sine", seed=0, trials: int | None = None):
    r"""Draw :math:`x \sim U(-1, 1)` and :math:`y = f(x) + \sigma\varepsilon`,
    :math:`\varepsilon \sim \mathcal N(0, 1)`.

    Returns ``(x, y)`` of shape ``(n,)``, or ``(trials, n)`` for ``trials`` independent data
    sets drawn at once (``trials=None``: one data set); ``noise`` is at most :data:`NOISE_MAX`.
    The inputs and the noise come from separate streams, and along ``n`` the draws are
    *nested*: the first ``k`` points of ``sample(n)`` are ``sample(k)`` (same seed), and
    changing ``noise`` rescales the same :math:`\varepsilon`. So a slider over :math:`N` or
    :math:`\sigma` changes the data smoothly.

    >>> x, y = sample(3, noise=0.0, target="line", seed=1)
    >>> bool(np.allclose(y, x / 2))
    True
    """
    n = check_int("n", n, low=1)
    noise = _noise(noise)
    target = check_choice("target", target, TARGETS)
    rng = check_rng("seed", seed)
    shape = (n,) if trials is None else (n, check_int("trials", trials, low=1))
    _check_size("n" if trials is None else "n × trials", math.prod(shape), "the data")
    x_rng, eps_rng = (np.random.default_rng(s) for s in rng.integers(2**63, size=2))
    x = x_rng.uniform(-1.0, 1.0, size=shape)
    eps = eps_rng.standard_normal(size=shape)
    y = TARGETS[target](x) + noise * eps
    return (x, y) if trials is None else (x.T.copy(), y.T.copy())


# --------------------------------------------------------------------------------------------
# Features and the closed-form fit


def polynomial_features(x, degree: int, basis: str = "legendre") -> np.ndarray:
    r"""The design matrix: :math:`\phi_k(x_i)` for :math:`k = 0, \dots, D`, shape
    ``x.shape + (degree + 1,)``.

    ``basis="legendre"``: :math:`P_0 = 1`, :math:`P_1 = x`,
    :math:`(k + 1) P_{k+1} = (2k + 1)\,x P_k - k P_{k-1}` (Bonnet's recursion);
    ``basis="monomial"``: :math:`x^k`. Column 0 is the constant 1 in both.

    >>> polynomial_features(np.array([0.5]), 2)
    array([[ 1.   ,  0.5  , -0.125]])
    """
    degree = check_int("degree", degree, low=0, high=MAX_DEGREE)
    basis = check_choice("basis", basis, BASES)
    x = _inputs(x)
    _check_size("degree", x.size * (degree + 1), "x.size × (degree + 1)")
    columns = [np.ones_like(x)]
    if degree >= 1:
        columns.append(x)
    for k in range(1, degree):
        if basis == "legendre":
            columns.append(((2 * k + 1) * x * columns[k] - k * columns[k - 1]) / (k + 1))
        else:
            columns.append(x * columns[k])
    return np.stack(columns, axis=-1)


def _penalty_matrix(P: int, penalize_bias: bool) -> np.ndarray:
    """:math:`B`: the identity, without its (0, 0) entry unless the bias is penalised."""
    B = np.eye(P)
    if not penalize_bias:
        B[0, 0] = 0.0
    return B


def _lam(lam, name: str = "lam"):
    return check_range(name, lam, low=0)


def _scaled_system(XtX, Xty, N, lam, B):
    r""":math:`(X^\top X + N\lambda B,\ X^\top y)`, both divided by :math:`\max(1, \lambda)`,
    so that :math:`N\lambda` cannot overflow (the solution is the same)."""
    lam = np.asarray(lam)
    c = 1.0 / np.maximum(1.0, lam)
    A = XtX * c[..., None, None] + N * (lam * c)[..., None, None] * B
    return A, Xty * c[..., None]


def _solve(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve a stack of symmetric systems ``A θ = b``; a singular one is a ValueError."""
    A, b = np.broadcast_arrays(A, b[..., None])
    try:
        return np.linalg.solve(A, b)[..., 0]
    except np.linalg.LinAlgError:
        raise ValueError("the least-squares problem has no unique solution (XᵀX is singular): "
                         "use lam > 0, or at least degree + 1 distinct x values") from None


def least_squares(X, y, lam=0.0, *, penalize_bias: bool = False) -> np.ndarray:
    r"""The minimiser of :math:`J(\theta) = \frac1N\lVert X\theta - y\rVert^2 + \lambda\,
    \theta^\top B\theta`: :math:`\theta^* = (X^\top X + N\lambda B)^{-1} X^\top y`.

    ``X`` has shape ``(..., N, P)`` and ``y`` ``(..., N)``; leading axes are a batch of
    problems and ``lam`` broadcasts against them. :math:`B` leaves the bias (column 0)
    unpenalised unless ``penalize_bias``. Computed with ``np.linalg.solve`` on the normal
    equations (never an explicit inverse). With ``lam = 0`` it needs :math:`N \ge P`.

    >>> X = np.array([[1.0, -1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> least_squares(X, np.array([0.0, 1.0, 2.0]))      # y = 1 + x
    array([1., 1.])
    """
    X, y = _problem(X, y)
    return _least_squares(X, y, _lam(lam), check_bool("penalize_bias", penalize_bias))


def _problem(X, y, theta=_NO_Y):
    """Checked ``X`` ``(..., N, P)``, ``y`` ``(..., N)`` (and ``theta`` ``(..., P)``)."""
    X = _array("X", X, min_ndim=2)
    y = _array("y", y)
    if y.shape[-1] != X.shape[-2]:
        raise ValueError(f"y must have one value per row of X ({X.shape[-2]}); got shape "
                         f"{y.shape}")
    shapes = [X.shape[:-2], y.shape[:-1]]
    if theta is not _NO_Y:
        theta = _array("theta", theta)
        if theta.shape[-1] != X.shape[-1]:
            raise ValueError(f"theta must have one value per column of X ({X.shape[-1]}); got "
                             f"shape {theta.shape}")
        shapes.append(theta.shape[:-1])
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        names = "X and y" if theta is _NO_Y else "X, y and theta"
        raise ValueError(f"{names} must have batch axes that broadcast; got shapes "
                         f"{X.shape}, {y.shape}" + ("" if theta is _NO_Y
                                                    else f", {theta.shape}")) from None
    return (X, y) if theta is _NO_Y else (X, y, theta)


def _least_squares(X, y, lam, penalize_bias, lam_name="lam"):
    N, P = X.shape[-2:]
    if N < P and np.any(np.asarray(lam) == 0):
        raise ValueError(f"with {lam_name} = 0, X needs at least as many rows as columns "
                         f"(N >= P); got N = {N}, P = {P}")
    if np.any(np.asarray(lam) == 0) and np.any(np.linalg.matrix_rank(X) < P):
        raise ValueError(f"the least-squares problem has no unique solution: with {lam_name} = "
                         f"0, X must have full column rank P = {P} (for polynomial features: "
                         f"at least degree + 1 distinct x values); use {lam_name} > 0")
    Xt = np.swapaxes(X, -1, -2)
    A, b = _scaled_system(Xt @ X, (Xt @ y[..., None])[..., 0], N, lam,     # XᵀX + NλB, Xᵀy
                          _penalty_matrix(P, penalize_bias))
    return _solve(A, b)


def objective(theta, X, y, lam=0.0, *, penalize_bias: bool = False):
    r""":math:`J(\theta) = \frac1N\lVert X\theta - y\rVert^2 + \lambda\,\theta^\top B\theta`
    (batched like :func:`least_squares`).

    Squares are scaled before they are summed: the result is ``inf`` (without a warning) only
    when :math:`J` itself exceeds the largest float.
    """
    X, y, theta = _problem(X, y, theta)
    lam = np.asarray(_lam(lam))
    B = np.diag(_penalty_matrix(X.shape[-1], check_bool("penalize_bias", penalize_bias)))
    with np.errstate(over="ignore", invalid="ignore"):
        residual = (X @ theta[..., None])[..., 0] - y
        penalty = np.where(lam > 0, lam * _mean_square(B * theta) * B.size, 0.0)
        J = _mean_square(residual) + penalty
    # inputs are finite, so NaN can only come from inf − inf in an overflowing product: J > max
    J = np.where(np.isnan(J), np.inf, J)
    return float(J) if J.ndim == 0 else J


def objective_grad(theta, X, y, lam=0.0, *, penalize_bias: bool = False):
    r""":math:`\nabla J(\theta) = \frac2N X^\top(X\theta - y) + 2\lambda B\theta`.

    Beyond the float range its entries overflow to ±inf or NaN, without a warning."""
    X, y, theta = _problem(X, y, theta)
    lam = _lam(lam)
    N = X.shape[-2]
    B = np.diag(_penalty_matrix(X.shape[-1], check_bool("penalize_bias", penalize_bias)))
    with np.errstate(over="ignore", invalid="ignore"):
        residual = (X @ theta[..., None])[..., 0] - y
        grad_mse = 2.0 / N * (np.swapaxes(X, -1, -2) @ residual[..., None])[..., 0]
        return grad_mse + 2.0 * (np.asarray(lam)[..., None] * B * theta)


def _mean_square(r, axis: int = -1):
    """The mean of ``r²`` along ``axis``, scaled so that no square overflows unless the mean
    itself does (then ``inf``); NaN stays NaN. Call inside ``np.errstate(over="ignore")``."""
    scale = np.max(np.abs(r), axis=axis, keepdims=True)
    if np.all(scale < 1e100):
        return np.mean(r * r, axis=axis)
    s = np.where((scale > 0) & np.isfinite(scale), scale, 1.0)
    return np.mean(np.square(r / s), axis=axis) * np.squeeze(s, axis) * np.squeeze(s, axis)


def fit_polynomial(x, y, degree: int, lam=0.0, *, basis: str = "legendre",
                   penalize_bias: bool = False) -> np.ndarray:
    r"""Fit one polynomial of degree :math:`D` by :func:`least_squares` on
    :func:`polynomial_features`. Returns :math:`\theta` of shape ``batch + (D + 1,)``."""
    x, y = _inputs(x, y)
    return _fit(x, y, degree, _lam(lam), basis, check_bool("penalize_bias", penalize_bias))


def _distinct(x) -> int:
    """The smallest number of distinct values along the last axis of ``x``."""
    return int((1 + np.sum(np.diff(np.sort(x, axis=-1), axis=-1) > 0, axis=-1)).min())


def _fit(x, y, degree, lam, basis, penalize_bias=False, lam_name="lam", x_name="x"):
    """:func:`fit_polynomial` on checked arguments; errors name ``lam_name`` and ``x_name``."""
    X = polynomial_features(x, degree, basis)
    if np.any(np.asarray(lam) == 0):
        N, P = X.shape[-2:]
        if N < P:
            raise ValueError(f"with {lam_name} = 0, degree + 1 = {P} coefficients need at least "
                             f"as many points (N >= P); got N = {N} points in {x_name}")
        if _distinct(x) < P:
            raise ValueError(f"the fit has no unique solution: with {lam_name} = 0, degree "
                             f"must be at most (the number of distinct values in {x_name}) - 1 "
                             f"= {_distinct(x) - 1}; got {degree}")
    try:
        np.broadcast_shapes(np.shape(lam), X.shape[:-2])
    except ValueError:
        raise ValueError(f"{lam_name} must broadcast against the batch axes of the data "
                         f"{X.shape[:-2]}; got shape {np.shape(lam)}") from None
    return _least_squares(X, y, lam, penalize_bias, lam_name)


def fit_all_degrees(x, y, max_degree: int, lam=0.0, *, basis: str = "legendre",
                    penalize_bias: bool = False) -> np.ndarray:
    r"""Fit every degree :math:`D = 0, \dots, D_{\max}` at once.

    Returns ``theta`` of shape ``batch + (D_max + 1, D_max + 1)``: row :math:`D` holds the
    degree-:math:`D` fit, padded with zeros. :math:`X^\top X` and :math:`X^\top y` are computed
    once for :math:`D_{\max}`; the degree-:math:`D` system is their leading
    :math:`(D+1)\times(D+1)` block, with the identity in the remaining rows and columns (and 0 on
    the right-hand side, so those coefficients come out 0). All systems are solved in one call.
    """
    x, y = _inputs(x, y)
    max_degree = check_int("max_degree", max_degree, low=0, high=MAX_DEGREE)
    return _fit_all(x, y, max_degree, _lam(lam), basis,
                    check_bool("penalize_bias", penalize_bias))


def _fit_all(x, y, max_degree, lam, basis, penalize_bias=False, lam_name="lam", x_name="x"):
    """:func:`fit_all_degrees` on checked arguments; errors name ``lam_name`` and ``x_name``."""
    N, P = x.shape[-1], max_degree + 1
    try:
        batch = np.broadcast_shapes(np.shape(lam), x.shape[:-1])
    except ValueError:
        raise ValueError(f"{lam_name} must broadcast against the batch axes of the data "
                         f"{x.shape[:-1]}; got shape {np.shape(lam)}") from None
    _check_size("max_degree", math.prod(batch) * P**3,
                "(data sets × λ values) × (max_degree + 1)³")
    if np.any(np.asarray(lam) == 0) and P > _distinct(x):
        raise ValueError(f"with {lam_name} = 0, max_degree must be at most (the number of "
                         f"distinct values in {x_name}) - 1 = {_distinct(x) - 1}, else the fit "
                         f"is not unique; got {max_degree}")
    X = polynomial_features(x, max_degree, basis)
    Xt = np.swapaxes(X, -1, -2)
    A, b = _scaled_system(Xt @ X, (Xt @ y[..., None])[..., 0], N, lam,
                          _penalty_matrix(P, penalize_bias))
    used = np.tri(P, dtype=bool)                    # used[D, k]: feature k is in the degree-D model
    block = used[:, :, None] & used[:, None, :]     # (D, k, l)
    A_D = np.where(block, A[..., None, :, :], np.eye(P))    # batch + (D, P, P)
    b_D = np.where(used, b[..., None, :], 0.0)              # batch + (D, P)
    return _solve(A_D, b_D)


def predict(theta, x, basis: str = "legendre") -> np.ndarray:
    r""":math:`\hat y = \phi(x)^\top\theta`: ``theta`` ``(..., P)`` and ``x`` ``(..., n)``
    broadcast over their leading axes; returns ``(..., n)``."""
    theta = _array("theta", theta)
    x = _inputs(x)
    try:
        np.broadcast_shapes(theta.shape[:-1], x.shape[:-1])
    except ValueError:
        raise ValueError(f"theta and x must have leading (batch) axes that broadcast; got shapes "
                         f"{theta.shape} and {x.shape}") from None
    if theta.shape[-1] - 1 > MAX_DEGREE:
        raise ValueError(f"theta must have at most {MAX_DEGREE + 1} coefficients (degree "
                         f"<= {MAX_DEGREE}) along its last axis; got shape {theta.shape}")
    return _predict(theta, x, basis)


def _predict(theta, x, basis):
    X = polynomial_features(x, theta.shape[-1] - 1, basis)
    with np.errstate(over="ignore", invalid="ignore"):
        return (X @ theta[..., :, None])[..., 0]


def predict_clipped(theta, x, limit: float, basis: str = "legendre") -> np.ndarray:
    r""":func:`predict`, with values beyond :math:`\pm` ``limit`` (> 0) set to :math:`\pm`
    ``limit``: a fit that explodes between or beyond its points (or overflows to
    :math:`\pm\infty`) as a panel with a fixed range shows it, leaving at the edge.

    >>> predict_clipped([0.0, 5.0], [-1.0, 0.1, 1.0], limit=2.0)   # ŷ = 5x
    array([-2. ,  0.5,  2. ])
    """
    limit = check_range("limit", limit, 0, low_open=True, allow_array=False)
    return np.clip(predict(theta, x, basis), -limit, limit)


def mean_squared_error(pred, y) -> np.ndarray:
    r""":math:`\frac1n \sum_i (\hat y_i - y_i)^2` along the last axis (batched).

    ``pred`` and ``y`` (finite) broadcast against each other. Squares are scaled before they
    are summed: a result is ``inf`` (without a warning) only when that MSE itself exceeds the
    largest float, about 1.8e308.

    >>> mean_squared_error([1e300, 0.0], [-1e300, 0.0]), mean_squared_error([3.0, 1.0], [1.0, 1.0])
    (inf, 2.0)
    """
    pred, y = _array("pred", pred), _array("y", y)
    try:
        np.broadcast_shapes(pred.shape, y.shape)
    except ValueError:
        raise ValueError(f"pred and y must have shapes that broadcast; got {pred.shape} and "
                         f"{y.shape}") from None
    out = _mse(pred, y)
    return float(out) if out.ndim == 0 else out


def _mse(pred, y, axis: int = -1):
    """:func:`mean_squared_error` of checked arrays, along ``axis``, without warnings."""
    with np.errstate(over="ignore", invalid="ignore"):
        return _mean_square(pred - y, axis)


_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(64)


def generalization_error(theta, target: str = "sine", noise: float = 0.3,
                         basis: str = "legendre") -> np.ndarray:
    r"""The exact expected squared error on a new example,
    :math:`\mathbb E_{x, \varepsilon}\bigl[(\hat y(x) - y)^2\bigr] = \frac12\int_{-1}^{1}
    \bigl(\hat y(x) - f(x)\bigr)^2 dx + \sigma^2`.

    The integral is computed by 64-point Gauss–Legendre quadrature (exact for polynomials up to
    degree 127, so for polynomial targets; accurate to rounding for the smooth ones here).
    ``theta`` ``(..., P)`` gives an array ``(...)``: what a test set of infinite size measures.
    """
    target = check_choice("target", target, TARGETS)
    noise = _noise(noise)
    theta = _array("theta", theta)
    if theta.shape[-1] - 1 > MAX_DEGREE:
        raise ValueError(f"theta must have at most {MAX_DEGREE + 1} coefficients (degree "
                         f"<= {MAX_DEGREE}) along its last axis; got shape {theta.shape}")
    return _generalization_error(theta, target, noise, basis)


def _generalization_error(theta, target, noise, basis):
    gap = _predict(theta, _NODES, basis) - TARGETS[target](_NODES)
    with np.errstate(over="ignore", invalid="ignore"):
        return _mean_square(gap * np.sqrt(_WEIGHTS / 2)) * _NODES.size + noise**2
