r"""Two-dimensional test functions for watching optimisers move.

Every factory returns a :class:`Surface`, a 2-D stand-in for the objective :math:`J(\theta)`.
Its ``f`` (which computes :math:`J`), ``grad`` and ``hessian`` accept points of shape ``(..., 2)``
(any leading batch axes, the last axis is :math:`\theta = (\theta_1, \theta_2)`) and return shapes
``(...)``, ``(..., 2)`` and ``(..., 2, 2)``. A diverging optimiser may hand them huge values: they
then return ``inf``/``nan`` silently, never a ``RuntimeWarning``.

- ``quadratic``:  :math:`\tfrac12 \theta^\top A \theta`,
  :math:`A = R^\top \mathrm{diag}(1, \kappa) R`; minimum at :math:`(0, 0)`.
- ``rosenbrock``: :math:`(a - \theta_1)^2 + b(\theta_2 - \theta_1^2)^2`;
  minimum at :math:`(a, a^2)`.
- ``beale``:      :math:`\sum_{i=1}^{3} (c_i - \theta_1 + \theta_1\theta_2^i)^2`,
  :math:`c = (1.5, 2.25, 2.625)`; minimum at :math:`(3, 0.5)`.
- ``himmelblau``: :math:`(\theta_1^2 + \theta_2 - 11)^2 + (\theta_1 + \theta_2^2 - 7)^2`;
  four minima.
- ``saddle``:     :math:`\theta_1^2 - \theta_2^2`; no minimum, a saddle point at :math:`(0, 0)`.

>>> s = rosenbrock()
>>> s.f(s.minima)
array([0.])
>>> s.grad(np.array([[0.0, 0.0], [2.0, 4.0]]))
array([[-2.,  0.],
       [ 2.,  0.]])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from npfl_helpers._validate import _real_array, check_range

__all__ = ["Surface", "quadratic", "rosenbrock", "beale", "himmelblau", "saddle", "SURFACES"]


class Surface(NamedTuple):
    r"""A 2-D objective with everything needed to run and draw optimisers on it.

    =================  ==========================================================================
    field              meaning
    =================  ==========================================================================
    ``name``           short name, a key of :data:`SURFACES`
    ``formula``        :math:`J(\theta) = \dots` in LaTeX (for titles)
    ``f``              the objective :math:`J(\theta)`, ``(..., 2) -> (...)``
    ``grad``           :math:`\nabla J(\theta)`, ``(..., 2) -> (..., 2)``
    ``hessian``        :math:`\nabla^2 J(\theta)`, ``(..., 2) -> (..., 2, 2)``
    ``minima``         global minimisers, float array ``(k, 2)``; ``(0, 2)`` when there is none
    ``f_min``          :math:`J^* = \min J` (``-inf`` when :math:`J` is unbounded below)
    ``bounds``         ``((xmin, xmax), (ymin, ymax))``, the region to draw
    ``start``          a default :math:`\theta_0`, float array ``(2,)``
    ``levels``         suggested contour levels (increasing; log-spaced when J spans decades)
    ``saddle_points``  known saddle points, float array ``(k, 2)`` (possibly empty)
    ``lambdas``        eigenvalues :math:`(\lambda_{\min}, \lambda_{\max})` of a constant Hessian
                       (the quadratic), else ``None``
    =================  ==========================================================================
    """

    name: str
    formula: str
    f: Callable[[np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray], np.ndarray]
    hessian: Callable[[np.ndarray], np.ndarray]
    minima: np.ndarray
    f_min: float
    bounds: tuple[tuple[float, float], tuple[float, float]]
    start: np.ndarray
    levels: np.ndarray
    saddle_points: np.ndarray = np.empty((0, 2))
    lambdas: tuple[float, float] | None = None

    @property
    def condition_number(self) -> float | None:
        r""":math:`\kappa = \lambda_{\max} / \lambda_{\min}` for a quadratic, else ``None``."""
        return None if self.lambdas is None else self.lambdas[1] / self.lambdas[0]


# ----------------------------------------------------------------------------------------------
# helpers

def _points(theta) -> np.ndarray:
    """``theta`` as a float array of points ``(..., 2)``. Non-finite values are allowed (a
    diverging optimiser hands them over); ``None``, strings and complex numbers are not."""
    if not (isinstance(theta, np.ndarray) and theta.dtype == np.float64):
        theta = _real_array("theta", theta, "points θ of shape (..., 2), real numbers").astype(
            np.float64)
    if theta.shape[-1:] != (2,):
        raise ValueError(f"theta must have shape (..., 2); got shape {theta.shape}")
    return theta


def _xy(theta):
    theta = _points(theta)
    if theta.shape[-1:] != (2,):
        raise ValueError(f"theta must have shape (..., 2); got shape {theta.shape}")
    return theta[..., 0], theta[..., 1]


def _quiet(fn):
    """Wrap ``fn`` so overflow and inf - inf give inf/nan without a RuntimeWarning."""

    def wrapped(theta):
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            return fn(theta)

    wrapped.__name__ = fn.__name__
    wrapped.__doc__ = fn.__doc__
    return wrapped


def _stack2(a, b):
    return np.stack(np.broadcast_arrays(a, b), axis=-1)


def _hess2(xx, xy, yy):
    xx, xy, yy = np.broadcast_arrays(xx, xy, yy)
    return np.stack([np.stack([xx, xy], -1), np.stack([xy, yy], -1)], -2)


def _polish(grad, hessian, points, iters=8):
    """Refine approximate stationary points with a few Newton steps (to machine precision)."""
    p = np.array(points, dtype=np.float64).reshape(-1, 2)
    for _ in range(iters):
        p = p - np.linalg.solve(hessian(p), grad(p)[..., None])[..., 0]
    return p


def _log_levels(f, bounds, low, n=24):
    """``n`` log-spaced levels from ``low`` to the largest value of ``f`` on a grid over bounds."""
    (x0, x1), (y0, y1) = bounds
    X, Y = np.meshgrid(np.linspace(x0, x1, 101), np.linspace(y0, y1, 101))
    high = float(np.max(f(np.stack([X, Y], -1))))
    return np.logspace(np.log10(low), np.log10(high), n)


def _finite(name, value, low=None, low_open=False, high=None):
    """A finite real number, at least ``low`` (or above it when ``low_open``), at most ``high``."""
    return check_range(name, value, low, high, low_open=low_open, allow_array=False)


def _as_point(p):
    return np.asarray(p, dtype=np.float64).reshape(2)


# ----------------------------------------------------------------------------------------------
# surfaces

def quadratic(kappa: float = 10.0, angle: float = 0.0) -> Surface:
    r"""The ill-conditioned quadratic bowl :math:`J(\theta) = \tfrac12 \theta^\top A \theta`.

    :math:`A = R^\top \operatorname{diag}(1, \kappa)\, R` with :math:`R` the rotation by ``angle``;
    its eigenvalues are :math:`\lambda_{\min} = 1` and :math:`\lambda_{\max} = \kappa`, so
    :math:`\kappa` is the condition number. :math:`\nabla J = A\theta`, :math:`\nabla^2 J = A`.

    ==========  ===========  ===================================
    symbol      argument     meaning
    ==========  ===========  ===================================
    κ           ``kappa``    condition number, :math:`1 \le \kappa \le 10^{12}`
    φ           ``angle``    rotation of the principal axes (radians)
    ==========  ===========  ===================================

    >>> s = quadratic(kappa=4.0)
    >>> s.f(np.array([1.0, 1.0])), s.grad(np.array([1.0, 1.0])), s.lambdas
    (np.float64(2.5), array([1., 4.]), (1.0, 4.0))
    """
    kappa = _finite("kappa", kappa, 1.0, high=1e12)
    angle = _finite("angle", angle)
    c, s = np.cos(angle), np.sin(angle)
    R = np.array([[c, -s], [s, c]])
    A = R.T @ np.diag([1.0, kappa]) @ R
    A = 0.5 * (A + A.T)  # exactly symmetric

    @_quiet
    def f(theta):
        theta = _points(theta)
        return 0.5 * np.einsum("...i,ij,...j->...", theta, A, theta)

    @_quiet
    def grad(theta):
        return _points(theta) @ A  # A is symmetric: (A θ)ᵀ = θᵀ A

    def hessian(theta):
        x, _ = _xy(theta)
        return np.broadcast_to(A, x.shape + (2, 2)).copy()

    bounds = ((-2.0, 2.0), (-2.0, 2.0))
    # In the eigenbasis the start has a large component along λ_min = 1 and a smaller one along κ.
    start = R.T @ np.array([-1.6, 0.9])
    return Surface(
        name="quadratic",
        formula=r"$J(\theta)=\frac{1}{2}\theta^\top A\theta$, " + rf"$\kappa={kappa:g}$",
        f=f, grad=grad, hessian=hessian,
        minima=np.zeros((1, 2)), f_min=0.0,
        bounds=bounds, start=start,
        levels=_log_levels(f, bounds, low=1e-3, n=20),
        lambdas=(1.0, kappa),
    )


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Surface:
    r"""Rosenbrock's banana valley :math:`J = (a - \theta_1)^2 + b(\theta_2 - \theta_1^2)^2`.

    The minimum :math:`J = 0` lies at :math:`(a, a^2)` at the end of a long, curved, flat-bottomed
    valley; the start :math:`(-1.5, 2)` (scaled with :math:`a`) sits on the far side of it.

    ======  ========  ==============================
    symbol  argument  meaning
    ======  ========  ==============================
    a       ``a``     position of the minimum, :math:`|a| \le 10^6`
    b       ``b``     steepness of the valley walls, :math:`0 < b \le 10^{12}`
    ======  ========  ==============================

    >>> rosenbrock().f(np.array([-1.5, 2.0]))
    np.float64(12.5)
    """
    a = _finite("a", a, -1e6, high=1e6)  # beyond, the drawn region's J overflows
    b = _finite("b", b, 0.0, low_open=True, high=1e12)

    @_quiet
    def f(theta):
        x, y = _xy(theta)
        return (a - x) ** 2 + b * (y - x**2) ** 2

    @_quiet
    def grad(theta):
        x, y = _xy(theta)
        return _stack2(-2.0 * (a - x) - 4.0 * b * x * (y - x**2), 2.0 * b * (y - x**2))

    @_quiet
    def hessian(theta):
        x, y = _xy(theta)
        hyy = np.full(np.shape(x), 2.0 * b)
        return _hess2(2.0 - 4.0 * b * y + 12.0 * b * x**2, -4.0 * b * x, hyy)

    s = max(1.0, abs(a))
    bounds = ((-2.0 * s, 2.0 * s), (-1.0 * s**2, 3.0 * s**2))
    return Surface(
        name="rosenbrock",
        formula=(r"$J(\theta)=(a-\theta_1)^2+b(\theta_2-\theta_1^2)^2$"
                 + rf", $a={a:g}$, $b={b:g}$"),
        f=f, grad=grad, hessian=hessian,
        minima=np.array([[a, a * a]]), f_min=0.0,
        bounds=bounds, start=_as_point([-1.5 * s, 2.0 * s**2]),
        levels=_log_levels(f, bounds, low=1e-2, n=24),
    )


_BEALE_C = (1.5, 2.25, 2.625)


def beale() -> Surface:
    r"""Beale's function :math:`J = \sum_{i=1}^{3} (c_i - \theta_1 + \theta_1\theta_2^i)^2`.

    :math:`c = (1.5, 2.25, 2.625)`; minimum :math:`J = 0` at :math:`(3, 0.5)` in a narrow curved
    valley, a saddle at :math:`(0, 1)`, and walls that grow like :math:`\theta_1^2\theta_2^6`.

    >>> beale().f(np.array([3.0, 0.5]))
    np.float64(0.0)
    """

    @_quiet
    def f(theta):
        x, y = _xy(theta)
        return sum((c - x + x * y**i) ** 2 for i, c in enumerate(_BEALE_C, start=1))

    @_quiet
    def grad(theta):
        x, y = _xy(theta)
        gx = gy = 0.0
        for i, c in enumerate(_BEALE_C, start=1):
            t = c - x + x * y**i
            gx = gx + 2.0 * t * (y**i - 1.0)
            gy = gy + 2.0 * t * i * x * y ** (i - 1)
        return _stack2(gx, gy)

    @_quiet
    def hessian(theta):
        x, y = _xy(theta)
        hxx = hxy = hyy = 0.0
        for i, c in enumerate(_BEALE_C, start=1):
            t = c - x + x * y**i
            tx, ty = y**i - 1.0, i * x * y ** (i - 1)
            hxx = hxx + 2.0 * tx * tx
            hxy = hxy + 2.0 * (tx * ty + t * i * y ** (i - 1))
            hyy = hyy + 2.0 * (ty * ty + t * i * (i - 1) * x * y ** max(i - 2, 0))
        return _hess2(hxx, hxy, hyy)

    bounds = ((-4.5, 4.5), (-4.5, 4.5))
    return Surface(
        name="beale",
        formula=r"$J(\theta)=\sum_{i=1}^3(c_i-\theta_1+\theta_1\theta_2^i)^2$",
        f=f, grad=grad, hessian=hessian,
        minima=np.array([[3.0, 0.5]]), f_min=0.0,
        bounds=bounds, start=_as_point([1.0, 1.5]),
        levels=_log_levels(f, bounds, low=1e-1, n=30),
        saddle_points=np.array([[0.0, 1.0]]),
    )


def himmelblau() -> Surface:
    r"""Himmelblau's function.

    :math:`J = (\theta_1^2 + \theta_2 - 11)^2 + (\theta_1 + \theta_2^2 - 7)^2`.

    Four global minima with :math:`J = 0` (one at :math:`(3, 2)`), four saddles and a local maximum
    near :math:`(-0.27, -0.92)`: where an optimiser ends depends on where and how it starts.

    >>> himmelblau().f(np.array([3.0, 2.0]))
    np.float64(0.0)
    """

    @_quiet
    def f(theta):
        x, y = _xy(theta)
        return (x**2 + y - 11.0) ** 2 + (x + y**2 - 7.0) ** 2

    @_quiet
    def grad(theta):
        x, y = _xy(theta)
        u, w = x**2 + y - 11.0, x + y**2 - 7.0
        return _stack2(4.0 * x * u + 2.0 * w, 2.0 * u + 4.0 * y * w)

    @_quiet
    def hessian(theta):
        x, y = _xy(theta)
        return _hess2(12.0 * x**2 + 4.0 * y - 42.0, 4.0 * (x + y), 12.0 * y**2 + 4.0 * x - 26.0)

    minima = _polish(grad, hessian, [[3.0, 2.0], [-2.805118, 3.131312],
                                     [-3.779310, -3.283186], [3.584428, -1.848126]])
    minima[0] = (3.0, 2.0)  # exact
    saddles = _polish(grad, hessian, [[0.086677, 2.884254], [-3.073026, -0.081353],
                                      [3.385154, 0.073852], [-0.127961, -1.953715]])
    bounds = ((-5.0, 5.0), (-5.0, 5.0))
    return Surface(
        name="himmelblau",
        formula=r"$J(\theta)=(\theta_1^2+\theta_2-11)^2+(\theta_1+\theta_2^2-7)^2$",
        f=f, grad=grad, hessian=hessian,
        minima=minima, f_min=0.0,
        bounds=bounds, start=_as_point([-0.5, -1.5]),
        levels=_log_levels(f, bounds, low=1e-1, n=24),
        saddle_points=saddles,
    )


def saddle() -> Surface:
    r"""The saddle :math:`J = \theta_1^2 - \theta_2^2`: a minimum along :math:`\theta_1`, a maximum
    along :math:`\theta_2`.

    There is **no minimum** (:math:`J \to -\infty` along :math:`\theta_2`), so ``minima`` is empty,
    ``f_min`` is ``-inf`` and the critical point :math:`(0, 0)` is in ``saddle_points``. The start
    :math:`(-1, 10^{-3})` lies almost on the ridge: plain gradient descent first slides towards the
    saddle and escapes only slowly (the :math:`\theta_2` component grows by a factor
    :math:`1 + 2\alpha` per step), while adaptive methods escape sooner.

    >>> saddle().grad(np.array([1.0, 1.0]))
    array([ 2., -2.])
    """

    @_quiet
    def f(theta):
        x, y = _xy(theta)
        return x**2 - y**2

    @_quiet
    def grad(theta):
        x, y = _xy(theta)
        return _stack2(2.0 * x, -2.0 * y)

    def hessian(theta):
        x, _ = _xy(theta)
        return np.broadcast_to(np.diag([2.0, -2.0]), x.shape + (2, 2)).copy()

    return Surface(
        name="saddle",
        formula=r"$J(\theta)=\theta_1^2-\theta_2^2$",
        f=f, grad=grad, hessian=hessian,
        minima=np.empty((0, 2)), f_min=-np.inf,
        bounds=((-1.5, 1.5), (-1.5, 1.5)), start=_as_point([-1.0, 1e-3]),
        levels=np.linspace(-2.0, 2.0, 17),
        saddle_points=np.zeros((1, 2)),
    )


SURFACES: dict[str, Callable[..., Surface]] = {
    "quadratic": quadratic,
    "rosenbrock": rosenbrock,
    "beale": beale,
    "himmelblau": himmelblau,
    "saddle": saddle,
}
