r"""Gradient descent and momentum on quadratics: the theory behind notebooks 07 and 09.

On a quadratic :math:`J(\theta) = \tfrac12 \theta^\top A \theta` with eigenvalues
:math:`\lambda_1 \le \dots \le \lambda_n` of :math:`A` and condition number
:math:`\kappa = \lambda_n / \lambda_1`, write :math:`\theta = \sum_i u^{(i)} q_i` in the
eigenvectors :math:`q_i` of :math:`A`. The gradient :math:`A\theta` has coordinates
:math:`\lambda_i u^{(i)}`, so every coordinate of gradient descent, momentum and Nesterov
evolves on its own, by a :math:`2\times 2` iteration matrix acting on :math:`(u_t, v_t)`.
Rates, regimes and best hyperparameters then have closed forms.

============================  ======================================================
function                      what it gives
============================  ======================================================
:func:`eigendirections`       eigenvalues and eigenvectors of :math:`A`
:func:`iteration_matrix`      the 2×2 matrix :math:`M`: :math:`(u, v) \leftarrow M (u, v)`
:func:`iteration_eigenvalues` its eigenvalues (the roots :math:`r_1, r_2`)
:func:`convergence_rate`      :math:`\max |r|` over the roots and the directions
:func:`damping`               over-, critically or underdamped, per direction
:func:`direction_regime`      the same in words, with "zig-zag" or "diverges"
:func:`root_branches`         the two roots ordered along continuous branches
:func:`critical_beta`         the β at which a direction is critically damped
:func:`gd_rate_curves`        gradient descent's factors :math:`|1 - \alpha\lambda|` and rate
                              against α
:func:`stability_limit`       the largest stable α for a given β
:func:`direction_errors`      :math:`u_t` of every direction, by powers of :math:`M`
:func:`heavy_ball_optimum`    the fastest momentum :math:`(\alpha^*, \beta^*)` (Polyak)
:func:`phase_diagram`         :math:`J(\theta_T)/J(\theta_0)` over a grid of (α, β), in one
                              broadcast ``optim.run``
:func:`grid_centres`          the centres of a grid's cells, e.g. of a phase diagram
:func:`noisy_gradient`        a gradient plus Gaussian noise: SGD's minibatch noise as a model
:func:`noise_floor`           the mean loss at which SGD or momentum with a constant α stalls
                              under that noise (exact)
:func:`noise_floor_or_nan`    the same over ranges of α and β, NaN where it diverges
:func:`noise_floor_approx`    its small-step approximation :math:`n\alpha\sigma^2/(4(1-\beta))`
:func:`transient_loss`        what is left of the starting loss after T steps (its decay
                              envelope): whether noisy runs have reached their floor
============================  ======================================================

Notation (NPFL114, lecture 2): α learning rate, β momentum, v velocity; the lecture's momentum
is :math:`v \leftarrow \beta v - \alpha g,\ \theta \leftarrow \theta + v`, its Nesterov
momentum :math:`\theta \leftarrow \theta + \beta v,\ g \leftarrow \nabla J(\theta),\
v \leftarrow \beta v - \alpha g,\ \theta \leftarrow \theta - \alpha g`. ``name`` selects
``"sgd"`` (β is ignored), ``"momentum"`` or ``"nesterov"``.

>>> a, b = heavy_ball_optimum(1.0, 100.0)
>>> round(a, 4), round(b, 4)
(0.0331, 0.6694)
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from . import optim, surfaces
from ._validate import (
    ArgumentTypeError,
    check_array,
    check_bool,
    check_callable,
    check_choice,
    check_int,
    check_range,
    check_rng,
    describe,
)

__all__ = [
    "GDRate",
    "convergence_rate",
    "critical_beta",
    "damping",
    "direction_errors",
    "direction_regime",
    "eigendirections",
    "gd_rate_curves",
    "grid_centres",
    "heavy_ball_optimum",
    "iteration_eigenvalues",
    "iteration_matrix",
    "noise_floor",
    "noise_floor_approx",
    "noise_floor_or_nan",
    "noisy_gradient",
    "phase_diagram",
    "root_branches",
    "stability_limit",
    "transient_loss",
]

_NAMES = ("sgd", "momentum", "nesterov")



# ----------------------------------------------------------------------------------------------
# One eigendirection at a time: the 2×2 iteration


def eigendirections(A) -> tuple[np.ndarray, np.ndarray]:
    r"""Eigenvalues (ascending) and unit eigenvectors of a symmetric positive-definite ``A``.

    Returns ``(lambdas, Q)`` with ``Q[:, i]`` the eigenvector :math:`q_i` of ``lambdas[i]``:
    the coordinates of points ``theta`` (shape ``(..., n)``) along the eigendirections are
    ``u = theta @ Q``, and ``theta = u @ Q.T``.

    >>> lambdas, Q = eigendirections([[2.0, 1.0], [1.0, 2.0]])
    >>> np.round(lambdas, 12).tolist()
    [1.0, 3.0]
    """
    A = check_array("A", A, ndim=2)
    if A.shape[0] != A.shape[1]:
        raise ValueError(f"A must be a square matrix; got shape {A.shape}")
    asym = float(np.abs(A - A.T).max())
    if asym > 1e-10 * float(np.abs(A).max()):
        raise ValueError(f"A must be symmetric; got |A - A^T| up to {asym:.3g}")
    lambdas, Q = np.linalg.eigh(0.5 * (A + A.T))
    if not lambdas[0] > 0:
        raise ValueError(f"A must be positive definite (eigenvalues > 0); got eigenvalues from "
                         f"{lambdas[0]:.4g} to {lambdas[-1]:.4g}")
    return lambdas, Q


def _hyper(name, lr, beta, lam, lam_name="lam"):
    """Validated ``name`` and float arrays α, β (0 for SGD), λ."""
    name = check_choice("name", name, _NAMES)
    lr = np.asarray(check_range("lr", lr, 0, low_open=True), dtype=np.float64)
    beta = (np.zeros(()) if name == "sgd"
            else np.asarray(check_range("beta", beta, 0, 1, high_open=True), dtype=np.float64))
    lam = np.asarray(check_range(lam_name, lam, 0, low_open=True), dtype=np.float64)
    return name, lr, beta, lam


_MAX_STEP = 1e150  # αλ beyond this diverges at once, and the roots' discriminant overflows


def _check_step(lr, lam, lam_name="lam"):
    r"""Refuse αλ so large that :math:`\phi_1^2` would overflow."""
    with np.errstate(over="ignore"):
        a = lr * lam
    if np.any(a > _MAX_STEP):
        raise ValueError(f"lr × {lam_name} must be at most {_MAX_STEP:g} (such a step diverges "
                         f"at once, and its square overflows); got {float(np.max(a)):.3g}")


def _recursion(name, lr, beta, lam):
    r""":math:`(\phi_1, \phi_2)` of :math:`u_{t+1} = \phi_1 u_t + \phi_2 u_{t-1}`: the trace of
    :math:`M` and minus its determinant."""
    with np.errstate(over="ignore"):  # αλ beyond the float range: inf
        a = lr * lam
        if name == "nesterov":
            return (1 + beta) * (1 - a), -beta * (1 - a)
        return 1 + beta - a, -beta * np.ones_like(a)


def iteration_matrix(name: str, lr, beta, lam) -> np.ndarray:
    r"""The matrix :math:`M` of one step along an eigendirection with eigenvalue λ:
    :math:`(u_{t+1}, v_{t+1}) = M\,(u_t, v_t)`.

    Along that direction the gradient is :math:`\lambda u`, so the lecture's momentum
    (:math:`v \leftarrow \beta v - \alpha\lambda u,\ u \leftarrow u + v`) and Nesterov momentum
    (:math:`u \leftarrow u + \beta v,\ g \leftarrow \lambda u,\ v \leftarrow \beta v - \alpha g,\
    u \leftarrow u - \alpha g`) are

    .. math::
        M_{\text{momentum}} = \begin{pmatrix} 1 - \alpha\lambda & \beta \\
                                               -\alpha\lambda & \beta \end{pmatrix},
        \qquad
        M_{\text{Nesterov}} = \begin{pmatrix} 1 - \alpha\lambda & \beta(1 - \alpha\lambda) \\
                                               -\alpha\lambda & \beta(1 - \alpha\lambda)
                              \end{pmatrix},

    and SGD is momentum with β = 0. ``lr``, ``beta`` and ``lam`` broadcast; the result has shape
    ``(..., 2, 2)``.

    >>> iteration_matrix("momentum", 0.1, 0.9, 2.0).tolist()
    [[0.8, 0.9], [-0.2, 0.9]]
    """
    name, lr, beta, lam = _hyper(name, lr, beta, lam)
    with np.errstate(over="ignore", invalid="ignore"):  # αλ beyond the float range: inf
        a = lr * lam
        b = beta * (1 - a) if name == "nesterov" else beta * np.ones_like(a)
    M = np.stack(np.broadcast_arrays(1 - a, b, -a, b), axis=-1)
    return M.reshape(M.shape[:-1] + (2, 2))


def iteration_eigenvalues(name: str, lr, beta, lam) -> np.ndarray:
    r"""The eigenvalues :math:`r_1, r_2` of :func:`iteration_matrix` (complex, larger modulus
    first), i.e. the roots of :math:`r^2 - \phi_1 r - \phi_2 = 0` with
    :math:`\phi_1 = \operatorname{tr} M`, :math:`\phi_2 = -\det M`. The error along the direction is
    :math:`u_t = c_1 r_1^t + c_2 r_2^t` (or :math:`(c_1 + c_2 t)\, r^t` for a double root), so
    it shrinks like :math:`|r_1|^t`. Shape ``(..., 2)``.

    >>> r = iteration_eigenvalues("momentum", 0.01, 0.81, 100.0)   # β > β_crit = 0
    >>> np.round(np.abs(r), 12).tolist()                            # complex: |r| = √β
    [0.9, 0.9]
    """
    name, lr, beta, lam = _hyper(name, lr, beta, lam)
    _check_step(lr, lam)
    phi1, phi2 = _recursion(name, lr, beta, lam)
    root = np.sqrt((phi1**2 + 4 * phi2).astype(np.complex128))
    q = 0.5 * (phi1 + np.where(phi1 >= 0, 1.0, -1.0) * root)  # no cancellation
    with np.errstate(divide="ignore", invalid="ignore"):
        other = np.where(q != 0, -phi2 / np.where(q != 0, q, 1.0), 0.0)  # r₁r₂ = −φ₂
    swap = np.abs(other) > np.abs(q)
    return np.stack([np.where(swap, other, q), np.where(swap, q, other)], axis=-1)


def _eigenvalues(lambdas) -> np.ndarray:
    lambdas = check_array("lambdas", lambdas, ndim=(0, 1)).reshape(-1)
    return check_range("lambdas", lambdas, 0, low_open=True)


def convergence_rate(name: str, lr, beta, lambdas):
    r"""The factor by which the error eventually shrinks per step: the largest :math:`|r|` over
    the roots of every direction (the spectral radius of the iteration). Below 1 the method
    converges from every start; above 1 it diverges. ``lr`` and ``beta`` broadcast (one rate per
    pair); ``lambdas`` lists the eigenvalues.

    >>> round(float(convergence_rate("sgd", 2 / 11, 0.0, [1.0, 10.0])), 4)   # (κ−1)/(κ+1)
    0.8182
    """
    lambdas = _eigenvalues(lambdas)
    name, lr, beta, _ = _hyper(name, lr, beta, 1.0)
    _check_step(lr[..., None], lambdas, "lambdas")
    roots = iteration_eigenvalues(name, lr[..., None], beta[..., None], lambdas)
    rate = np.abs(roots).max(axis=(-2, -1))
    return float(rate) if rate.ndim == 0 else rate


def damping(name: str, lr, beta, lam):
    r"""The regime of one direction: ``"overdamped"`` (two distinct real roots: the error decays
    without ripples), ``"critically damped"`` (a double root) or ``"underdamped"`` (complex roots
    of modulus :math:`\sqrt{\det M}`: the error ripples). With :math:`\alpha\lambda > 1 + \beta`
    (momentum) the real roots are negative and the error flips sign every step — GD's zig-zag.
    Whether the direction converges is :func:`convergence_rate`'s question. Returns a string, or
    an array of strings if the arguments are arrays.

    >>> damping("momentum", 0.01, [0.0, 0.81, 0.9], 1.0)   # β_crit = (1 − √0.01)² = 0.81
    array(['overdamped', 'critically damped', 'underdamped'], dtype='<U17')
    """
    name, lr, beta, lam = _hyper(name, lr, beta, lam)
    _check_step(lr, lam)
    phi1, phi2 = _recursion(name, lr, beta, lam)
    disc = phi1**2 + 4 * phi2
    tol = 1e-10 * np.maximum(1.0, phi1**2)
    out = np.where(disc > tol, "overdamped",
                   np.where(disc < -tol, "underdamped", "critically damped"))
    return str(out) if out.ndim == 0 else out


def direction_regime(name: str, lr: float, beta: float, lam: float) -> str:
    r"""The behaviour of one direction in words: ``"diverges"`` when its largest root has
    :math:`|r_1| \ge 1`, else its :func:`damping`, with ``", zig-zag"`` added when the error
    flips sign every step (a negative real dominant root).

    >>> [direction_regime("momentum", 0.1, 0.0, lam) for lam in (1.0, 15.0, 25.0)]
    ['overdamped', 'overdamped, zig-zag', 'diverges']
    """
    for arg, value in (("lr", lr), ("beta", beta), ("lam", lam)):
        check_range(arg, value, allow_array=False)  # one direction: scalars (ranges below)
    r1, _ = iteration_eigenvalues(name, lr, beta, lam)
    if abs(r1) >= 1:
        return "diverges"
    kind = damping(name, lr, beta, lam)
    if kind != "underdamped" and r1.real < 0:
        kind += ", zig-zag"
    return kind


def root_branches(roots) -> np.ndarray:
    r"""The two roots of each iteration, ``roots`` ``(..., 2)`` (e.g.
    :func:`iteration_eigenvalues` over a range of β), reordered so that each column follows one
    continuous branch: the root with the larger imaginary part first, or, when both are real,
    the larger one.

    >>> root_branches(np.array([[0.5 - 0.1j, 0.5 + 0.1j], [0.2, 0.9]])).tolist()
    [[(0.5+0.1j), (0.5-0.1j)], [(0.9+0j), (0.2+0j)]]
    """
    raw = roots
    roots = np.asarray(roots) if not isinstance(roots, (str, bytes, dict)) else None
    if roots is None or roots.dtype.kind not in "biufc" or roots.ndim == 0 \
            or roots.shape[-1] != 2:
        raise ArgumentTypeError(f"roots must be an array of shape (..., 2) of real or complex "
                                f"numbers; got {describe(raw)}")
    roots = roots.astype(np.complex128)
    r1, r2 = roots[..., 0], roots[..., 1]
    first = np.where(np.abs(r1.imag - r2.imag) > 1e-12, r1.imag > r2.imag, r1.real >= r2.real)
    return np.stack([np.where(first, r1, r2), np.where(first, r2, r1)], axis=-1)


def critical_beta(name: str, lr, lam):
    r"""The momentum β at which the direction with eigenvalue λ is critically damped (a double
    root): overdamped below it, underdamped above.

    .. math::
        \beta_{\text{crit}} = \bigl(1 - \sqrt{\alpha\lambda}\bigr)^2 \ \text{(momentum)}, \qquad
        \beta_{\text{crit}} = \frac{1 - \sqrt{\alpha\lambda}}{1 + \sqrt{\alpha\lambda}}
        \ \text{(Nesterov)}.

    NaN where no :math:`\beta \in [0, 1)` is critical: momentum with :math:`\alpha\lambda \ge 4`,
    Nesterov with :math:`\alpha\lambda \ge 1` (its roots are then real for every β). At the
    heavy-ball optimum (:func:`heavy_ball_optimum`) both the slowest and the fastest direction
    are critically damped: :math:`\beta_{\text{crit}}(\alpha^*, \lambda_1) =
    \beta_{\text{crit}}(\alpha^*, \lambda_n) = \beta^*`.

    >>> critical_beta("momentum", 0.01, [1.0, 100.0, 400.0]).tolist()
    [0.81, 0.0, nan]
    """
    name = check_choice("name", name, ("momentum", "nesterov"))
    _, lr, _, lam = _hyper(name, lr, 0.0, lam)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        s = np.sqrt(lr * lam)
        beta = (1 - s) ** 2 if name == "momentum" else (1 - s) / (1 + s)
    ok = (beta < 1) & (s < 2) if name == "momentum" else s < 1
    beta = np.where(ok, beta, np.nan)
    return float(beta) if beta.ndim == 0 else beta


def stability_limit(name: str, beta, lam_max):
    r"""The largest stable learning rate: the method converges for :math:`0 < \alpha <`
    this on every quadratic whose largest eigenvalue is ``lam_max``.

    .. math::
        \frac{2}{\lambda_{\max}}\ \text{(SGD)}, \qquad
        \frac{2(1 + \beta)}{\lambda_{\max}}\ \text{(momentum)}, \qquad
        \frac{2 + 2\beta}{(1 + 2\beta)\,\lambda_{\max}}\ \text{(Nesterov)}.

    Nesterov's limit lies below SGD's for every β > 0, momentum's above it.

    >>> [round(stability_limit(n, 0.9, 10.0), 4) for n in ("sgd", "momentum", "nesterov")]
    [0.2, 0.38, 0.1357]
    """
    name, _, beta, lam = _hyper(name, 1.0, beta, lam_max, "lam_max")
    with np.errstate(over="ignore"):  # a tiny lam_max: no limit within the float range, inf
        if name == "nesterov":
            limit = (2 + 2 * beta) / ((1 + 2 * beta) * lam)
        else:
            limit = 2 * (1 + beta) / lam
    return float(limit) if limit.ndim == 0 else limit


def direction_errors(name: str, lr, beta, lambdas, u0, steps: int, max_norm: float = 1e6,
                     noise=None):
    r"""The coordinate :math:`u_t` of :math:`\theta_t - \theta^*` along each eigendirection, for
    :math:`t = 0 \dots` ``steps``, from the powers of :func:`iteration_matrix`:
    :math:`(u_t, v_t) = M^t (u_0, 0)` (the optimisers start with :math:`v = 0`), computed as the
    equivalent recursion :math:`u_{t+1} = \phi_1 u_t + \phi_2 u_{t-1}` with
    :math:`\phi_1 = \operatorname{tr} M`, :math:`\phi_2 = -\det M` (Cayley–Hamilton).

    ``lambdas`` (shape ``(n,)``) and ``u0`` (broadcast to ``(..., n)``, e.g.
    ``theta0 @ Q`` from :func:`eigendirections`) describe the start; ``lr`` and ``beta`` may be
    arrays (one run per pair). Returns shape ``(steps + 1, *batch, n)``. As in ``optim.run``,
    a direction whose :math:`|u|` or :math:`|v|` exceeds ``max_norm`` is diverged: it holds NaN
    from then on (no warning).

    ``noise`` (optional, broadcast to ``(steps, *batch, n)``) adds gradient noise: the gradient
    along each direction at step :math:`t` is :math:`\lambda u + \text{noise}_t`, so
    :math:`(u, v) \leftarrow M (u, v) - \alpha\,\text{noise}_t\,(1, 1)` — for momentum and
    Nesterov alike. Isotropic Gaussian noise :math:`\sigma\xi` in θ (:func:`noisy_gradient`)
    is isotropic Gaussian noise of the same σ along the eigendirections.

    >>> u = direction_errors("sgd", 0.1, 0.0, [1.0, 10.0], [1.0, 1.0], 2)
    >>> np.round(u, 12).tolist()          # factors 1 − αλ: 0.9 and 0
    [[1.0, 1.0], [0.9, 0.0], [0.81, 0.0]]
    """
    lambdas = _eigenvalues(lambdas)
    steps = check_int("steps", steps, 0)
    max_norm = check_range("max_norm", max_norm, 0, low_open=True, allow_array=False)
    name, lr, beta, _ = _hyper(name, lr, beta, 1.0)
    # (u_t, v_t) = M^t (u_0, 0), computed as the equivalent recursion in u alone (trace φ₁,
    # −det φ₂; v_t = u_t − u_{t−1}, so v_0 = 0 means u_{−1} = u_0): two products per step
    phi1, phi2 = _recursion(name, lr[..., None], beta[..., None], lambdas)
    u0 = check_array("u0", u0)
    try:
        shape = np.broadcast_shapes(phi1.shape, u0.shape)
    except ValueError:
        raise ValueError(f"u0 must broadcast to (..., n) with n = {lambdas.size} eigenvalues (and "
                         f"against lr, beta); got shape {u0.shape}") from None
    if noise is not None:  # the gradient λu + noise: the step −α·noise, in u (and in v)
        noise = check_array("noise", noise, ndim=tuple(range(1, 33)))
        try:
            shape = np.broadcast_shapes(shape, noise.shape[1:])
        except ValueError:
            raise ValueError(f"noise must have shape (steps, ...) with (...) broadcasting "
                             f"against {shape}; got shape {noise.shape}") from None
        noise = noise[:steps].reshape(noise[:steps].shape[:1] + (1,) * (len(shape) + 1
                                                                        - noise.ndim)
                                      + noise.shape[1:])  # (time, *batch, n)
        kicks = -lr[..., None] * noise
    if (steps + 1) * math.prod(shape) > 50_000_000:
        raise ValueError(f"steps must keep the result at most 5e7 numbers (one array in "
                         f"memory); got {steps} steps of {math.prod(shape)} numbers")
    out = np.empty((steps + 1,) + shape)
    out[0] = u0
    with np.errstate(all="ignore"):  # a diverging direction may overflow: masked below
        for t in range(1, steps + 1):
            np.multiply(phi1, out[t - 1], out=out[t])  # u_t = φ₁ u_{t−1} + φ₂ u_{t−2} (+ kick)
            out[t] += phi2 * out[max(t - 2, 0)]
            if noise is not None:
                out[t] += kicks[min(t - 1, kicks.shape[0] - 1)]
        gone = np.logical_or.accumulate(~(np.abs(out) <= max_norm), axis=0)
    out[gone] = np.nan
    return out


class GDRate(NamedTuple):
    r"""What :func:`gd_rate_curves` returns, each with the shape of ``lrs``."""

    slow: np.ndarray  #: :math:`|1 - \alpha\lambda_{\min}|`
    fast: np.ndarray  #: :math:`|1 - \alpha\lambda_{\max}|`
    rate: np.ndarray  #: :math:`\rho(\alpha)`, the larger of the two


def gd_rate_curves(lrs, lambda_min: float, lambda_max: float) -> GDRate:
    r"""Gradient descent's contraction per step on a quadratic, against the learning rate α.

    Along an eigendirection with eigenvalue λ, gradient descent multiplies the error by
    :math:`1 - \alpha\lambda` every step; on a quadratic whose eigenvalues lie in
    :math:`[\lambda_{\min}, \lambda_{\max}]` the slowest direction is one of the two ends, so
    the rate is :math:`\rho(\alpha) = \max(|1 - \alpha\lambda_{\min}|,
    |1 - \alpha\lambda_{\max}|)` (:func:`convergence_rate` of ``"sgd"``). It is smallest,
    :math:`(\kappa - 1)/(\kappa + 1)`, at :math:`\alpha = 2/(\lambda_{\min} + \lambda_{\max})`
    and reaches 1 at the stability limit :math:`2/\lambda_{\max}`.

    ``lrs`` are learning rates ≥ 0 (any shape); ``lambda_min``, ``lambda_max`` > 0.

    >>> g = gd_rate_curves([0.1, 2 / 11, 0.2], 1.0, 10.0)
    >>> np.round(g.rate, 4).tolist()
    [0.9, 0.8182, 1.0]
    """
    lrs = check_array("lrs", lrs, finite=False)
    if not np.all(lrs >= 0):
        raise ValueError(f"lrs must be learning rates ≥ 0; got {describe(lrs)}")
    lambda_min = check_range("lambda_min", lambda_min, 0, low_open=True, allow_array=False)
    lambda_max = check_range("lambda_max", lambda_max, 0, low_open=True, allow_array=False)
    with np.errstate(over="ignore"):  # α λ beyond the float range: inf
        slow, fast = np.abs(1 - lrs * lambda_min), np.abs(1 - lrs * lambda_max)
    return GDRate(slow, fast, np.maximum(slow, fast))


def heavy_ball_optimum(lambda_min: float, lambda_max: float) -> tuple[float, float]:
    r"""The fastest heavy-ball momentum on a quadratic with eigenvalues in
    :math:`[\lambda_1, \lambda_n]` (Polyak 1964):

    .. math::
        \alpha^* = \Bigl(\frac{2}{\sqrt{\lambda_1} + \sqrt{\lambda_n}}\Bigr)^2, \qquad
        \beta^* = \Bigl(\frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}\Bigr)^2, \qquad
        \kappa = \lambda_n / \lambda_1,

    for the lecture's momentum :math:`v \leftarrow \beta v - \alpha g,\ \theta \leftarrow
    \theta + v`. The error then shrinks by :math:`\sqrt{\beta^*} = (\sqrt\kappa - 1) /
    (\sqrt\kappa + 1)` per step, against :math:`(\kappa - 1)/(\kappa + 1)` for the best
    gradient descent.

    ========== =============== ===========================================
    symbol     argument        meaning
    ========== =============== ===========================================
    λ₁         ``lambda_min``  smallest eigenvalue of the Hessian (> 0)
    λₙ         ``lambda_max``  largest eigenvalue (≥ λ₁)
    ========== =============== ===========================================

    >>> heavy_ball_optimum(1.0, 100.0)
    (0.03305785123966942, 0.6694214876033059)
    """
    l1 = check_range("lambda_min", lambda_min, 0, low_open=True, allow_array=False)
    ln = check_range("lambda_max", lambda_max, 0, low_open=True, allow_array=False)
    if ln < l1:
        raise ValueError(f"lambda_max must be in [{l1:g}, inf) (at least lambda_min); got "
                         f"{ln!r}")
    r1, rn = math.sqrt(l1), math.sqrt(ln)  # (√κ − 1)/(√κ + 1) without forming κ, which overflows
    return (2.0 / (r1 + rn)) ** 2, ((rn - r1) / (rn + r1)) ** 2


def phase_diagram(name: str, kappa: float, steps: int, lrs, betas):
    r"""Final loss ratio :math:`J(\theta_T) / J(\theta_0)` of ``name`` ("momentum" or
    "nesterov") on ``surfaces.quadratic(kappa)`` for every pair in the grid ``lrs × betas``.

    One ``optim.run`` call: θ₀ has shape ``(A, B, 2)``, α shape ``(A, 1, 1)``, β shape
    ``(1, B, 1)``. Returns ``(ratio, diverged)``, both of shape ``(A, B)``; diverged cells hold
    NaN in ``ratio``.

    >>> ratio, div = phase_diagram("momentum", 10.0, 50, [0.01, 1.0], [0.0, 0.5])
    >>> bool(ratio[0, 1] < ratio[0, 0] < 1), div[1].tolist()     # α = 1 > 2/κ diverges
    (True, [True, True])
    """
    name = check_choice("name", name, ("momentum", "nesterov"))
    lrs = check_range("lrs", check_array("lrs", lrs, ndim=1), 0, low_open=True)
    betas = check_range("betas", check_array("betas", betas, ndim=1), 0, 1, high_open=True)
    s = surfaces.quadratic(kappa=kappa)
    theta0 = np.broadcast_to(s.start, (lrs.size, betas.size, 2))
    opt = optim.OPTIMIZERS[name](lr=lrs[:, None, None], beta=betas[None, :, None])
    traj = optim.run(opt, s.grad, theta0, steps)
    with np.errstate(invalid="ignore"):
        ratio = s.f(traj.thetas[-1]) / s.f(s.start)
    return np.where(traj.diverged, np.nan, ratio), traj.diverged


def grid_centres(edges, log: bool = False) -> np.ndarray:
    """The centres of the cells between consecutive ``edges`` (e.g. of a phase diagram's α or
    β axis): arithmetic means, or with ``log`` geometric means (for a log-spaced axis).

    >>> grid_centres([0.0, 1.0, 3.0]).tolist(), grid_centres([1.0, 100.0], log=True).tolist()
    ([0.5, 2.0], [10.0])
    """
    edges = check_array("edges", edges, ndim=1)
    if edges.size < 2:
        raise ValueError(f"edges must hold at least 2 values (one cell); got {edges.size}")
    if check_bool("log", log):
        edges = check_range("edges", edges, 0, low_open=True)
        return np.sqrt(edges[:-1]) * np.sqrt(edges[1:])
    return edges[:-1] / 2 + edges[1:] / 2


def noisy_gradient(grad_fn, sigma: float, seed=0):
    r"""A gradient with noise, as a minibatch would give it: :math:`\hat g = g(\theta) + \sigma\xi`.

    Returns ``grad(theta) = grad_fn(theta) + sigma * xi`` with :math:`\xi \sim \mathcal N(0, I)`
    of the shape of ``theta``, drawn from ``numpy.random.default_rng(seed)``: a new draw on every
    call, the same sequence for the same seed (so several optimisers can see the same noise).

    >>> g = noisy_gradient(lambda theta: 2 * theta, sigma=0.0)
    >>> g(np.array([1.0, -1.0])).tolist()
    [2.0, -2.0]
    """
    grad_fn = check_callable("grad_fn", grad_fn, "a function θ ↦ ∇J(θ)")
    sigma = check_range("sigma", sigma, 0, allow_array=False)
    rng = check_rng("seed", seed)

    def grad(theta):
        theta = check_array("theta", theta, finite=False, dtype=None)
        g = grad_fn(theta)
        if g is None:
            raise TypeError("grad_fn must return the gradient, an array of theta's shape; got None")
        with np.errstate(over="ignore", invalid="ignore"):  # beyond the float range: ±inf
            return g + sigma * rng.normal(size=theta.shape)

    return grad


def _floor_lr(name, lr, beta, lambdas):
    """α, β as broadcast arrays, α checked against the stability limit for β."""
    lr = np.asarray(check_range("lr", lr, 0, low_open=True), dtype=np.float64)
    beta = np.asarray(check_range("beta", beta, 0, 1, high_open=True), dtype=np.float64)
    lr, beta = np.broadcast_arrays(lr, beta)
    limit = stability_limit(name, beta, lambdas.max())
    bad = ~(lr < limit)
    if bad.any():
        k = np.flatnonzero(bad.reshape(-1))[0]
        raise ValueError(f"lr must be in (0, {np.reshape(limit, -1)[k]:.6g}) for {name} with "
                         f"beta = {beta.reshape(-1)[k]:g} and max(lambdas) = {lambdas.max():g} "
                         f"(beyond, it diverges); got {float(lr.reshape(-1)[k])!r}")
    return lr, beta


def noise_floor(lr, sigma: float, lambdas, beta=0.0, name: str = "momentum"):
    r"""The mean loss at which SGD or momentum with a constant learning rate stalls under
    gradient noise (exact).

    On :math:`J(\theta) = \tfrac12\theta^\top A\theta` with gradients :math:`A\theta + \sigma\xi`
    (:func:`noisy_gradient`), the coordinate :math:`u` along an eigenvector with eigenvalue
    :math:`\lambda` follows :math:`u_{t+1} = \phi_1 u_t + \phi_2 u_{t-1} - \alpha\sigma\xi_t`
    (:func:`iteration_matrix`: :math:`\phi_1 = 1 + \beta - \alpha\lambda`, :math:`\phi_2 = -\beta`
    for momentum). Its variance settles where the contraction balances the noise, at the
    stationary variance of this AR(2) process,

    .. math::
        E[u^2] = \frac{(1 - \phi_2)\,\alpha^2\sigma^2}{(1 + \phi_2)\,((1 - \phi_2)^2 - \phi_1^2)},

    and :math:`E[J] = \sum_\lambda \tfrac12 \lambda E[u^2]`. For momentum (SGD: β = 0):

    .. math::
        E[J] = \sum_\lambda \frac{(1 + \beta)\,\alpha\sigma^2}
                                 {2(1 - \beta)\,\bigl(2(1 + \beta) - \alpha\lambda\bigr)},
        \qquad \text{SGD: } \sum_\lambda \frac{\alpha\sigma^2}{2(2 - \alpha\lambda)} .

    Defined for :math:`0 < \alpha <` :func:`stability_limit` (beyond, the iteration diverges).
    ``lr`` and ``beta`` may be arrays (one floor per pair); ``name`` is ``"momentum"`` (the
    default; β = 0 is SGD) or ``"nesterov"``. For small steps see :func:`noise_floor_approx`.

    >>> round(float(noise_floor(0.1, 1.0, [1.0, 10.0])), 4)
    0.0763
    >>> round(float(noise_floor(0.01, 1.0, [1.0, 10.0], beta=0.9)), 4)   # ≈ 10× SGD's
    0.0507
    """
    name = check_choice("name", name, ("momentum", "nesterov"))
    lambdas = _eigenvalues(lambdas)
    sigma = check_range("sigma", sigma, 0, allow_array=False)
    lr, beta = _floor_lr(name, lr, beta, lambdas)
    a, b = lr[..., None], beta[..., None]
    phi1, phi2 = _recursion(name, a, b, lambdas)
    # (1 − φ₂)² − φ₁² = αλ·k, written so that small αλ loses no digits
    k = 2 * (1 + b) - a * lambdas if name == "momentum" else 1 + (1 + 2 * b) * (1 - a * lambdas)
    with np.errstate(over="ignore"):  # σ² beyond the float range: inf
        floor = ((1 - phi2) * a * np.float64(sigma) ** 2 / (2 * (1 + phi2) * k)).sum(axis=-1)
    return float(floor) if floor.ndim == 0 else floor


def noise_floor_or_nan(lr, sigma: float, lambdas, beta=0.0, name: str = "momentum"):
    r""":func:`noise_floor` over ranges of α and β (broadcast), with NaN where there is no floor
    instead of an error: where :math:`\alpha = 0` or α is at or beyond the
    :func:`stability_limit` (the iteration diverges). For curves that cross that limit.

    >>> noise_floor_or_nan([0.1, 0.5], 1.0, [1.0, 10.0]).round(4).tolist()   # limit 2/10
    [0.0763, nan]
    """
    name = check_choice("name", name, ("momentum", "nesterov"))
    lambdas = _eigenvalues(lambdas)
    sigma = check_range("sigma", sigma, 0, allow_array=False)
    lr = np.asarray(check_range("lr", lr, 0), dtype=np.float64)
    beta = np.asarray(check_range("beta", beta, 0, 1, high_open=True), dtype=np.float64)
    lr, beta = np.broadcast_arrays(lr, beta)
    out = np.full(lr.shape, np.nan)
    ok = (lr > 0) & (lr < stability_limit(name, beta, lambdas.max()))
    if ok.any():
        out[ok] = noise_floor(lr[ok], sigma, lambdas, beta=beta[ok], name=name)
    return float(out) if out.ndim == 0 else out


def noise_floor_approx(lr, sigma: float, lambdas, beta=0.0):
    r"""The small-step approximation of :func:`noise_floor` for SGD and momentum:

    .. math::
        E[J] \approx \frac{n\,\alpha\sigma^2}{4(1 - \beta)}
        \qquad (\alpha\lambda \ll 1 \text{ for every eigenvalue}),

    with :math:`n` the number of parameters (eigenvalues). Per direction it is low by the factor
    :math:`1 - \frac{\alpha\lambda}{2(1 + \beta)}` against the exact floor, so it is within 5 %
    when :math:`\alpha\lambda_{\max} \le 0.1` — and 50 % low in a direction with
    :math:`\alpha\lambda = 1`, β = 0. At the same α, momentum raises the floor by about
    :math:`1/(1 - \beta)`: it is SGD's floor at the effective rate :math:`\alpha/(1 - \beta)`.
    (Nesterov's floor has the same small-step limit, but only for
    :math:`\alpha\lambda \ll 1 - \beta`.)

    >>> noise_floor_approx(0.01, 1.0, [1.0, 10.0])
    0.005
    """
    lambdas = _eigenvalues(lambdas)
    sigma = check_range("sigma", sigma, 0, allow_array=False)
    lr, beta = _floor_lr("momentum", lr, beta, lambdas)
    with np.errstate(over="ignore"):  # σ² beyond the float range: inf
        floor = lambdas.size * lr * np.float64(sigma) ** 2 / (4 * (1 - beta))
    return float(floor) if floor.ndim == 0 else floor


def transient_loss(name: str, lr: float, beta: float, lambdas, start, steps: int,
                   tail: int = 0) -> float:
    r"""What is left of the starting loss after ``steps`` steps, averaged over the last ``tail``
    of them: the decay envelope of the noise-free run,

    .. math::
        \sum_i J_i(\theta_0)\; \frac{1}{\text{tail} + 1} \sum_{t = T - \text{tail}}^{T}
        \rho_i^{2t},
        \qquad \rho_i = \max |r| \text{ over the roots of direction } i,

    with :math:`T` = ``steps`` and :math:`J_i(\theta_0)` = ``start`` (the starting loss of each
    direction, e.g. :math:`\tfrac12\lambda_i u_{0,i}^2`; shape of ``lambdas``). The loss along a
    direction decays like :math:`\rho_i^{2t}` (:func:`iteration_eigenvalues`), so this is the
    part of a mean loss over the last steps that still comes from the start rather than from
    gradient noise: once it is small against :func:`noise_floor`, the runs have settled on their
    floor. For SGD (β = 0) it is exact,
    :math:`J_i(\theta_t) = J_i(\theta_0)(1 - \alpha\lambda_i)^{2t}`.
    With :math:`\rho_i \ge 1` it does not shrink (``inf`` once it overflows).

    >>> transient_loss("sgd", 0.5, 0.0, [1.0], [2.0], steps=2)    # 2 · (1 − 0.5)⁴
    0.125
    """
    lambdas = _eigenvalues(lambdas)
    start = check_range("start", check_array("start", start, ndim=(0, 1)), 0)
    if start.size not in (1, lambdas.size):
        raise ValueError(f"start must hold one starting loss per eigenvalue ({lambdas.size}); "
                         f"got shape {start.shape}")
    check_range("lr", lr, 0, low_open=True, allow_array=False)
    check_range("beta", beta, 0, 1, high_open=True, allow_array=False)
    steps = check_int("steps", steps, 0)
    tail = check_int("tail", tail, 0, steps)
    r2 = np.abs(iteration_eigenvalues(name, lr, beta, lambdas)).max(axis=-1) ** 2
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # ρ ≥ 1: no shrinking
        first = r2 ** (steps - tail)
        window = np.where(r2 != 1, (1 - r2 ** (tail + 1)) / ((1 - r2) * (tail + 1)), 1.0)
        left = np.where(start > 0, start * first * window, 0.0)
    return float(np.sum(left))
