r"""Generalisation and capacity: polynomial regression, L2, validation sets, no free lunch.

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
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

from ._validate import (
    ArgumentTypeError,
    check_array,
    check_bool,
    check_choice,
    check_int,
    check_range,
    check_rng,
    describe,
)

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
    "mean_squared_error",
    "generalization_error",
    "CapacityCurve",
    "capacity_curve",
    "AverageCurve",
    "average_capacity_curve",
    "LambdaPath",
    "lambda_path",
    "Selection",
    "select_on_validation",
    "SelectionBias",
    "selection_bias",
    "RankSwap",
    "rank_swap",
    "AllTargets",
    "off_training_set_errors",
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
_MAX_NUMBERS = 50_000_000  # numbers one array of a computation may hold (400 MB of float64)


def _check_size(names: str, count: int, what: str) -> None:
    """Refuse a computation whose one vectorised array would not fit in memory."""
    if count > _MAX_NUMBERS:
        got = f"{count:.3g}" if count < 1e300 else "more than 1e300"
        raise ValueError(f"{names} must keep {what} at most {_MAX_NUMBERS:.0e} numbers (one "
                         f"array in memory); got {got}")


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


def _array(name: str, value, min_ndim: int = 1) -> np.ndarray:
    """``value`` as a finite float array with at least ``min_ndim`` axes."""
    arr = check_array(name, value)
    if arr.ndim < min_ndim:
        axes = "one axis" if min_ndim == 1 else f"{min_ndim} axes"
        raise ValueError(f"{name} must have at least {axes}; got shape {arr.shape}")
    return arr


_NO_Y = object()


def _inputs(x, y=_NO_Y, xname: str = "x", yname: str = "y"):
    """``x`` (and ``y``) as float arrays of one shape, ``x`` inside [-1, 1]."""
    x = _array(xname, x)
    check_range(xname, x, -1.0, 1.0)
    if y is _NO_Y:
        return x
    y = _array(yname, y)
    if x.shape != y.shape:
        raise ValueError(f"{xname} and {yname} must have the same shape; got {x.shape} and "
                         f"{y.shape}")
    return x, y


def _pair(name: str, data, batch: tuple | None = None):
    """A data set ``(x, y)`` given as ``name``: checked, with names such as "train x".

    With ``batch``, its batch axes (all but the last) must broadcast against ``batch``.
    """
    if isinstance(data, (str, bytes, dict)) or not hasattr(data, "__len__") or len(data) != 2:
        raise ArgumentTypeError(f"{name} must be a pair (x, y) of arrays of one shape; got "
                                f"{describe(data)}")
    x, y = _inputs(data[0], data[1], f"{name} x", f"{name} y")
    if batch is not None:
        try:
            np.broadcast_shapes(x.shape[:-1], batch)
        except ValueError:
            raise ValueError(f"{name} x must have batch axes (all but the last) that broadcast "
                             f"against the training data's {batch}; got shape "
                             f"{x.shape}") from None
    return x, y


def _int_list(name: str, values, low: int = 0, high: int | None = None) -> np.ndarray:
    """A non-empty sequence of integers in [low, high] as an int array."""
    what = f"a non-empty sequence of integers in [{low}, {'inf' if high is None else high}]"
    if isinstance(values, (str, bytes, dict)) or not np.iterable(values):
        raise ArgumentTypeError(f"{name} must be {what}; got {describe(values)}")
    out = np.array([check_int(f"{name}[{i}]", v, low=low, high=high)
                    for i, v in enumerate(values)], dtype=int)
    if out.size == 0:
        raise ValueError(f"{name} must be {what}; got an empty sequence")
    return out


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


# --------------------------------------------------------------------------------------------
# Capacity curve and λ path


class CapacityCurve(NamedTuple):
    """Training and test error of every degree 0 … D_max (arrays ``batch + (D_max + 1,)``)."""

    degrees: np.ndarray
    train_mse: np.ndarray
    test_mse: np.ndarray
    theta: np.ndarray   # batch + (D_max + 1, D_max + 1), row D = the degree-D fit


def capacity_curve(train, test, max_degree: int, lam=0.0, *,
                   basis: str = "legendre") -> CapacityCurve:
    r"""Fit every degree on ``train = (x, y)`` and measure the MSE on ``train`` and ``test``.

    The training error never increases with the degree (the models are nested); the test error
    falls while the extra capacity captures :math:`f` (underfitting), then rises as it fits the
    noise (overfitting). Batch axes of the data sets (many training sets) are kept in front.
    """
    x_tr, y_tr = _pair("train", train)
    x_te, y_te = _pair("test", test, batch=x_tr.shape[:-1])
    max_degree = check_int("max_degree", max_degree, low=0, high=MAX_DEGREE)
    theta = _fit_all(x_tr, y_tr, max_degree, _lam(lam), basis, x_name="train x")
    train_mse = _mse_all_degrees(theta, x_tr, y_tr, basis)
    test_mse = _mse_all_degrees(theta, x_te, y_te, basis)
    return CapacityCurve(np.arange(max_degree + 1), train_mse, test_mse, theta)


def _mse_all_degrees(theta, x, y, basis):
    """MSE of every row of ``theta`` (..., K, P) on (x, y) (..., n): one matmul, (..., K)."""
    X = polynomial_features(x, theta.shape[-1] - 1, basis)             # (..., n, P)
    with np.errstate(over="ignore", invalid="ignore"):
        pred = X @ np.swapaxes(theta, -1, -2)                          # (..., n, K)
    return _mse(pred, y[..., None], axis=-2)


class AverageCurve(NamedTuple):
    """Training and generalisation error of every degree, summarised over many training sets."""

    degrees: np.ndarray
    train_mse: np.ndarray        # (D_max + 1,)
    generalization: np.ndarray   # (D_max + 1,) exact generalisation error
    statistic: str               # "median" or "mean" over the training sets


def average_capacity_curve(n: int, noise: float = 0.3, target: str = "sine",
                           max_degree: int = 12, lam=0.0, trials: int = 100, seed=0,
                           basis: str = "legendre", statistic: str = "median") -> AverageCurve:
    r"""The capacity curve of the lecture's figure: ``trials`` training sets of size ``n``,
    every degree fitted on each (one call), the errors summarised over the training sets.

    The generalisation error is exact in :math:`x` (:func:`generalization_error`), so the only
    randomness left is the draw of the training sets. ``statistic="median"`` (the default) shows
    a typical training set; the ``"mean"`` (the expectation over training sets) is dominated, at
    high degrees, by the rare training sets on which the fit explodes between or beyond the
    points.
    """
    statistic = check_choice("statistic", statistic, ("median", "mean"))
    trials = check_int("trials", trials, low=1)
    x, y = sample(n, noise, target, seed, trials)
    theta = fit_all_degrees(x, y, max_degree, lam, basis=basis)       # (T, K, P)
    train = _mse_all_degrees(theta, x, y, basis)                       # (T, K)
    gen = _generalization_error(theta, target, noise, basis)           # (T, K)
    summary = np.median if statistic == "median" else np.mean
    return AverageCurve(np.arange(max_degree + 1), summary(train, axis=0),
                        summary(gen, axis=0), statistic)


class LambdaPath(NamedTuple):
    """The fits of one degree for each λ (arrays ``(L,) + batch``)."""

    lams: np.ndarray
    train_mse: np.ndarray
    test_mse: np.ndarray
    theta: np.ndarray          # (L,) + batch + (D + 1,)
    weight_norm: np.ndarray    # ‖w‖ = ‖θ_{1:}‖, the penalised weights


def lambda_path(train, test, degree: int, lams, *, basis: str = "legendre") -> LambdaPath:
    r"""Fit degree :math:`D` on ``train`` for every :math:`\lambda` in ``lams`` (one call)."""
    x_tr, y_tr = _pair("train", train)
    x_te, y_te = _pair("test", test, batch=x_tr.shape[:-1])
    degree = check_int("degree", degree, low=0, high=MAX_DEGREE)
    lams = check_range("lams", check_array("lams", lams, ndim=1), low=0)
    lam_b = lams.reshape(lams.shape + (1,) * (x_tr.ndim - 1))   # broadcast over the batch
    theta = _fit(x_tr, y_tr, degree, lam_b, basis, lam_name="lams", x_name="train x")
    train_mse = _mse(_predict(theta, x_tr, basis), y_tr)
    test_mse = _mse(_predict(theta, x_te, basis), y_te)
    return LambdaPath(lams, train_mse, test_mse, theta, np.linalg.norm(theta[..., 1:], axis=-1))


# --------------------------------------------------------------------------------------------
# Choosing hyperparameters on a validation set


class Selection(NamedTuple):
    """Hyperparameters chosen on the validation set, and the test error reported once."""

    degree: int
    lam: float
    theta: np.ndarray       # the chosen model
    degrees: np.ndarray
    lams: np.ndarray
    train_mse: np.ndarray   # (L, K): every (λ, degree) on the training set
    val_mse: np.ndarray     # (L, K): … on the validation set, where the choice is made
    test_mse: float         # the chosen model only, measured once


def _grid(x, y, degrees, lams, basis, x_name="train x"):
    degrees = _int_list("degrees", degrees, low=0, high=MAX_DEGREE)
    lams = check_range("lams", check_array("lams", lams, ndim=1), low=0)
    lam_b = lams.reshape(lams.shape + (1,) * (x.ndim - 1))     # broadcast over the batch
    theta = _fit_all(x, y, int(degrees.max()), lam_b, basis, lam_name="lams", x_name=x_name)
    return degrees, lams, theta[..., degrees, :]     # (L,) + batch + (K, P)


def select_on_validation(train, val, test, degrees: Sequence[int], lams, *,
                         basis: str = "legendre") -> Selection:
    r"""Grid search: fit every (degree, λ) on ``train``, choose the smallest validation MSE,
    then evaluate that one model on ``test``.

    The test set plays no part in the choice, so its error is an unbiased estimate of the
    chosen model's generalisation error (:func:`selection_bias` measures what goes wrong
    otherwise).
    """
    x_tr, y_tr = _pair("train", train)
    if x_tr.ndim != 1:
        raise ValueError(f"train x must have one axis (one data set); got shape {x_tr.shape}")
    (x_va, y_va), (x_te, y_te) = _pair("val", val, ()), _pair("test", test, ())
    degrees, lams, theta = _grid(x_tr, y_tr, degrees, lams, basis)
    train_mse = _mse(_predict(theta, x_tr, basis), y_tr)
    val_mse = _mse(_predict(theta, x_va, basis), y_va)
    i, k = np.unravel_index(np.argmin(val_mse), val_mse.shape)
    chosen = theta[i, k]
    test_mse = float(_mse(_predict(chosen, x_te, basis), y_te))
    return Selection(int(degrees[k]), float(lams[i]), chosen, degrees, lams, train_mse, val_mse,
                     test_mse)


class SelectionBias(NamedTuple):
    """Means over trials of the reported and the true error, for each way of choosing."""

    reported: dict[str, float]     # what the chosen model scores on the test set
    true: dict[str, float]         # its exact generalisation error
    stderr: dict[str, float]       # standard error of mean(reported − true)


def selection_bias(trials: int = 400, n_train: int = 30, n_val: int = 30, n_test: int = 30,
                   noise: float = 0.3, target: str = "sine", degrees=range(11),
                   lams=(1e-4, 1e-3, 1e-2, 1e-1, 1.0), seed=0, basis: str = "legendre"
                   ) -> SelectionBias:
    r"""Monte Carlo over ``trials`` independent (train, validation, test) draws, all at once.

    In each trial the grid of (degree, λ) is fitted on the training set; the model is chosen
    either on the **validation** set or on the **test** set, and the test MSE is reported. The
    chosen model's exact :func:`generalization_error` says how good it really is. Choosing on
    validation: the report is unbiased (mean reported ≈ mean true). Choosing on test: the report
    is the minimum of many noisy numbers, so it is optimistic (mean reported < mean true).
    """
    trials = check_int("trials", trials, low=2)
    rng = check_rng("seed", seed)
    sizes = {name: check_int(name, n, low=1) for name, n in
             (("n_train", n_train), ("n_val", n_val), ("n_test", n_test))}
    for name, n in sizes.items():
        _check_size(f"{name} × trials", n * trials, "the data")
    train, val, test = (sample(n, noise, target, rng, trials) for n in sizes.values())
    degrees, lams, theta = _grid(*train, degrees, lams, basis)          # (L, T, K, P)
    theta = np.moveaxis(theta, 0, 1)                                    # (T, L, K, P)

    def mse_on(data):
        x, y = data
        return _mse(_predict(theta, x[:, None, None, :], basis),
                    y[:, None, None, :]).reshape(trials, -1)

    val_mse, test_mse = mse_on(val), mse_on(test)
    true = _generalization_error(theta, target, noise, basis).reshape(trials, -1)
    reported, truth, stderr = {}, {}, {}
    for name, scores in (("validation", val_mse), ("test", test_mse)):
        pick = np.argmin(scores, axis=1)[:, None]
        rep = np.take_along_axis(test_mse, pick, axis=1)[:, 0]
        tru = np.take_along_axis(true, pick, axis=1)[:, 0]
        reported[name], truth[name] = float(rep.mean()), float(tru.mean())
        stderr[name] = float((rep - tru).std(ddof=1) / np.sqrt(trials))
    return SelectionBias(reported, truth, stderr)


# --------------------------------------------------------------------------------------------
# No free lunch


class RankSwap(NamedTuple):
    """Expected generalisation error ``error[p, l]`` of learner ``l`` on process ``p``."""

    processes: tuple[str, ...]
    degrees: tuple[int, ...]        # the learners: least squares of these degrees
    error: np.ndarray               # (processes, learners), mean over trials
    stderr: np.ndarray              # its standard error


def rank_swap(processes: Sequence[str] = ("line", "wiggle"), degrees: Sequence[int] = (1, 9),
              n: int = 20, noise: float = 0.3, lam: float = 0.01, trials: int = 500,
              seed=0) -> RankSwap:
    r"""Two learners (L2-regularised least squares of two degrees) on two data-generating
    processes.

    For each process, ``trials`` training sets of size ``n`` are drawn at once, every learner is
    fitted to each (with the same weak ``lam``, which keeps degree 9 on 20 points stable), and
    its exact :func:`generalization_error` is averaged. With the defaults the simple learner (a
    line) wins on the ``"line"`` process and the flexible one (degree 9) on ``"wiggle"``:
    neither is better everywhere.
    """
    if isinstance(processes, (str, bytes, dict)) or not np.iterable(processes) \
            or len(processes := tuple(processes)) == 0:
        raise ArgumentTypeError(f"processes must be a non-empty sequence of names from "
                                f"{', '.join(map(repr, TARGETS))}, e.g. ('line', 'wiggle'); got "
                                f"{describe(processes)}")
    processes = tuple(check_choice("processes", p, TARGETS) for p in processes)
    degrees = tuple(int(d) for d in _int_list("degrees", degrees, low=0, high=MAX_DEGREE))
    n = check_int("n", n, low=1)
    trials = check_int("trials", trials, low=2)
    _check_size("n × trials", n * trials, "the data")
    rng = check_rng("seed", seed)
    error = np.empty((len(processes), len(degrees)))
    stderr = np.empty_like(error)
    for p, process in enumerate(processes):
        x, y = sample(n, noise, process, rng, trials)
        theta = fit_all_degrees(x, y, max(degrees), lam)[:, list(degrees)]     # (T, L, P)
        gen = _generalization_error(theta, process, noise, "legendre")         # (T, L)
        error[p], stderr[p] = gen.mean(axis=0), gen.std(axis=0, ddof=1) / np.sqrt(trials)
    return RankSwap(processes, degrees, error, stderr)


class AllTargets(NamedTuple):
    """Off-training-set errors of two classifiers on every labelling of a small domain."""

    targets: np.ndarray           # (2^n, n) every 0/1 labelling of the points 0 … n − 1
    train: np.ndarray             # indices of the training points
    test: np.ndarray              # the other points: the unseen examples
    errors: dict[str, np.ndarray]  # learner → (2^n,) error rate on the unseen points


def off_training_set_errors(n_points: int = 8, train: Sequence[int] = (0, 2, 4, 6)
                            ) -> AllTargets:
    r"""The no-free-lunch theorem, exactly, for binary classification of ``n_points`` inputs.

    Inputs are the points :math:`0, \dots, n-1` on a line; every one of the :math:`2^n`
    labellings is a possible target. Each learner sees the labels of the ``train`` points and
    predicts the rest:

    - ``"nearest neighbour"``: the label of the closest training point (the left one on ties);
    - ``"majority"``: the most frequent training label (1 on ties).

    Averaged over all targets, both err on exactly half of the unseen points: for every target
    on which a learner is right at an unseen point, flipping that point's label gives a target
    with the same training data on which it is wrong.
    """
    n_points = check_int("n_points", n_points, low=2, high=16)
    train = np.unique(_int_list("train", train, low=0))
    if train.max() >= n_points or train.size == n_points:
        raise ValueError(f"train must be a non-empty proper subset of 0 … {n_points - 1}; got "
                         f"{train.tolist()}")
    test = np.setdiff1d(np.arange(n_points), train)
    codes = np.arange(2**n_points)
    targets = (codes[:, None] >> np.arange(n_points)) & 1                  # (2^n, n)
    y_train = targets[:, train]
    nearest = train[np.argmin(np.abs(test[:, None] - train[None, :]), axis=1)]
    predictions = {
        "nearest neighbour": targets[:, nearest],
        "majority": np.broadcast_to((2 * y_train.sum(axis=1, keepdims=True) >= train.size),
                                    (codes.size, test.size)).astype(int),
    }
    errors = {name: np.mean(pred != targets[:, test], axis=1) for name, pred in predictions.items()}
    return AllTargets(targets, train, test, errors)
