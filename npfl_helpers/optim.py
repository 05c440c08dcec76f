r"""The lecture's six optimisers as pure functions of explicit state, and :func:`run`.

Every factory returns an :class:`Optimizer`, a pair of pure functions in the style of optax::

    opt = optim.adam(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8)
    state = opt.init(theta)                          # theta: float ndarray, any shape
    theta, state = opt.step(theta, state, grad_fn)   # pure: inputs are never modified
    traj = optim.run(opt, grad_fn, theta0, steps, loss_fn=None)

Notation (NPFL114, lecture 2):

=========  ==================  =====================================================
symbol     argument / field    meaning
=========  ==================  =====================================================
θ          ``theta``           parameters
g          ``grad_fn(theta)``  the (minibatch) gradient :math:`\nabla_\theta J`
α          ``lr``              learning rate: a number, an array or a schedule of t
β          ``beta``            momentum / decay rate of the squared-gradient average
β₁, β₂     ``beta1, beta2``    Adam's decay rates of the first and second moment
ε          ``eps``             small constant that keeps the division finite
t          ``state.t``         number of updates done so far
v          ``state.v``         velocity (momentum, Nesterov)
r          ``state.r``         (average of) squared gradients (AdaGrad, RMSProp, Adam)
s          ``state.s``         average of gradients, Adam's first moment
=========  ==================  =====================================================

Hyperparameters may be arrays that broadcast against θ: with ``theta0`` of shape ``(K, 2)`` and
``lr = np.geomspace(1e-3, 1, K)[:, None]``, one call runs K learning rates at once.
(On quadratics, :mod:`npfl_helpers.quadratic_theory` computes the fastest momentum and the
final loss over a grid of (α, β) this way.) :data:`OPTIMIZERS` maps each name to its factory and
:data:`LABELS` to its display name; :func:`make_optimizer` builds one by name, with one β.

>>> import numpy as np
>>> opt = sgd(lr=0.1)
>>> theta, state = opt.step(np.array([1.0, -2.0]), opt.init(np.zeros(2)), lambda th: 2 * th)
>>> theta, state.t
(array([ 0.8, -1.6]), 1)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from ._validate import (
    ArgumentTypeError,
    _real_array,
    check_array,
    check_bool,
    check_callable,
    check_choice,
    check_int,
    check_optimizer,
    check_range,
    describe,
)
from .schedules import as_schedule

__all__ = [
    "Optimizer",
    "Trajectory",
    "SGDState",
    "MomentumState",
    "AdaGradState",
    "RMSPropState",
    "AdamState",
    "AdamMoments",
    "sgd",
    "momentum",
    "nesterov",
    "adagrad",
    "rmsprop",
    "adam",
    "adam_moments",
    "run",
    "OPTIMIZERS",
    "LABELS",
    "ASSIGNMENT_OPTIMIZERS",
    "make_optimizer",
]

GradFn = Callable[[np.ndarray], np.ndarray]


class Optimizer(NamedTuple):
    """An optimiser: a ``name``, its ``hyperparams`` and two pure functions.

    ``init(theta) -> state`` and ``step(theta, state, grad_fn) -> (theta, state)``.
    """

    name: str
    hyperparams: dict[str, Any]
    init: Callable[[np.ndarray], Any]
    step: Callable[[np.ndarray, Any, GradFn], tuple[np.ndarray, Any]]


class SGDState(NamedTuple):
    t: int


class MomentumState(NamedTuple):
    t: int
    v: np.ndarray


class AdaGradState(NamedTuple):
    t: int
    r: np.ndarray


class RMSPropState(NamedTuple):
    t: int
    r: np.ndarray


class AdamState(NamedTuple):
    t: int
    s: np.ndarray
    r: np.ndarray


class Trajectory(NamedTuple):
    """What :func:`run` returns.

    ``thetas``: ``(steps + 1, *theta0.shape)``; ``losses``: ``(steps + 1, *batch)`` or None;
    ``diverged``: bool array of shape ``batch`` (``theta0.shape[:-1]``).
    """

    thetas: np.ndarray
    losses: np.ndarray | None
    diverged: np.ndarray


# --------------------------------------------------------------------------------------------
# Helpers shared by every optimiser


def _as_float_array(theta, name: str = "theta") -> np.ndarray:
    """``theta`` as a float ndarray; ``None``, strings and complex numbers are refused."""
    if isinstance(theta, np.ndarray) and theta.dtype.kind == "f":
        return theta
    theta = _real_array(name, theta, "an array of real numbers (the parameters)")
    return theta if theta.dtype.kind == "f" else theta.astype(np.float64)


def _gradient(grad_fn: GradFn, theta: np.ndarray) -> np.ndarray:
    g = grad_fn(theta)
    if not (isinstance(g, np.ndarray) and g.dtype.kind == "f"):
        if g is None:
            raise ArgumentTypeError(f"grad_fn must return the gradient, an array of the "
                                    f"parameters' shape {theta.shape}; it returned None (a "
                                    "missing return?)")
        g = _real_array("grad_fn's result", g, f"the gradient, an array of real numbers of the "
                                                f"parameters' shape {theta.shape}")
    if g.shape != theta.shape:
        raise ValueError(
            f"grad_fn must return an array of the parameters' shape {theta.shape}; got {g.shape}"
        )
    return g


def _optimizer(name: str, hyperparams: dict, init, step, state_type) -> Optimizer:
    """The :class:`Optimizer`, its ``init`` and ``step`` checking their arguments first."""

    def checked_init(theta):
        return init(_as_float_array(theta))

    def checked_step(theta, state, grad_fn: GradFn):
        if not isinstance(state, state_type):
            raise ArgumentTypeError(f"state must be the {state_type.__name__} returned by "
                                    f"{name}'s init(theta) or by its previous step; got "
                                    f"{describe(state)}")
        check_callable("grad_fn", grad_fn, "a function θ ↦ ∇J(θ)")
        return step(_as_float_array(theta), state, grad_fn)

    checked_init.__doc__ = init.__doc__ or f"The initial {state_type.__name__} for ``theta``."
    checked_step.__doc__ = step.__doc__ or "One update: ``(theta, state) -> (theta, state)``."
    return Optimizer(name, hyperparams, checked_init, checked_step)


def _beta(name: str, value):
    return check_range(name, value, 0, 1, high_open=True)


def _eps(value):
    return check_range("eps", value, 0)


def _placement(value) -> str:
    return check_choice("eps_placement", value, ("inside", "outside"))


def _scaled_root(r: np.ndarray, eps, placement: str, r_scale=1.0) -> np.ndarray:
    r"""The denominator: :math:`\sqrt{c r + ε}` ("inside") or :math:`\sqrt{c r} + ε` ("outside")."""
    den = r * r_scale if not (np.isscalar(r_scale) and r_scale == 1.0) else r.copy()
    if placement == "inside":
        den += eps
        np.sqrt(den, out=den)
    else:
        np.sqrt(den, out=den)
        den += eps
    return den


def _divide(num: np.ndarray, den: np.ndarray, eps) -> np.ndarray:
    """num / den, where 0 / 0 counts as 0 (possible only when ε = 0 and every g so far was 0)."""
    if np.all(np.asarray(eps) > 0):
        num /= den
        return num
    return np.divide(num, den, out=np.zeros_like(num), where=den != 0)


# --------------------------------------------------------------------------------------------
# The six optimisers


def sgd(lr) -> Optimizer:
    r"""Stochastic gradient descent.

    .. math::
        g \leftarrow \nabla_\theta J(\theta), \qquad \theta \leftarrow \theta - \alpha g

    ====== =========
    symbol argument
    ====== =========
    α      ``lr`` (a positive number, an array of them, or a schedule of t)
    ====== =========

    >>> opt = sgd(lr=0.5)
    >>> opt.step(np.array([2.0]), opt.init(np.zeros(1)), lambda th: th)[0]
    array([1.])
    """
    alpha = as_schedule(lr)

    def init(theta) -> SGDState:
        return SGDState(t=0)

    def step(theta, state: SGDState, grad_fn: GradFn):
        theta = _as_float_array(theta)
        with np.errstate(over="ignore", invalid="ignore"):
            g = _gradient(grad_fn, theta)
            theta = theta - alpha(state.t) * g
        return theta, SGDState(t=state.t + 1)

    return _optimizer("sgd", {"lr": lr}, init, step, SGDState)


def momentum(lr, beta=0.9) -> Optimizer:
    r"""SGD with momentum.

    .. math::
        g \leftarrow \nabla_\theta J(\theta), \qquad
        v \leftarrow \beta v - \alpha g, \qquad
        \theta \leftarrow \theta + v

    ====== ============
    symbol argument
    ====== ============
    α      ``lr``
    β      ``beta`` ∈ [0, 1)
    v      ``state.v`` (starts at 0)
    ====== ============

    With β = 0 this is plain SGD.
    """
    alpha = as_schedule(lr)
    beta = _beta("beta", beta)

    def init(theta) -> MomentumState:
        return MomentumState(t=0, v=np.zeros_like(_as_float_array(theta)))

    def step(theta, state: MomentumState, grad_fn: GradFn):
        theta = _as_float_array(theta)
        with np.errstate(over="ignore", invalid="ignore"):
            g = _gradient(grad_fn, theta)
            v = beta * state.v
            v -= alpha(state.t) * g
            theta = theta + v
        return theta, MomentumState(t=state.t + 1, v=v)

    return _optimizer("momentum", {"lr": lr, "beta": beta}, init, step, MomentumState)


def nesterov(lr, beta=0.9) -> Optimizer:
    r"""Nesterov momentum, exactly as the lecture writes it.

    .. math::
        \theta \leftarrow \theta + \beta v, \qquad
        g \leftarrow \nabla_\theta J(\theta), \qquad
        v \leftarrow \beta v - \alpha g, \qquad
        \theta \leftarrow \theta - \alpha g

    The gradient is evaluated at the look-ahead point θ + βv; the net update is θ ← θ + v with the
    new v. (PyTorch's ``nesterov=True`` stores the look-ahead point instead of θ and evaluates the
    gradient at the stored parameters; the two produce the same sequence of look-ahead points.)

    ====== ============
    symbol argument
    ====== ============
    α      ``lr``
    β      ``beta`` ∈ [0, 1)
    v      ``state.v`` (starts at 0)
    ====== ============
    """
    alpha = as_schedule(lr)
    beta = _beta("beta", beta)

    def init(theta) -> MomentumState:
        return MomentumState(t=0, v=np.zeros_like(_as_float_array(theta)))

    def step(theta, state: MomentumState, grad_fn: GradFn):
        theta = _as_float_array(theta)
        with np.errstate(over="ignore", invalid="ignore"):
            v = beta * state.v
            theta = theta + v  # θ ← θ + βv
            g = _gradient(grad_fn, theta)  # g ← ∇J(θ + βv)
            step_ = alpha(state.t) * g
            v -= step_  # v ← βv − αg
            theta -= step_  # θ ← θ − αg
        return theta, MomentumState(t=state.t + 1, v=v)

    return _optimizer("nesterov", {"lr": lr, "beta": beta}, init, step, MomentumState)


def adagrad(lr, eps=1e-8, initial_accumulator=0.0, eps_placement="inside") -> Optimizer:
    r"""AdaGrad.

    .. math::
        g \leftarrow \nabla_\theta J(\theta), \qquad
        r \leftarrow r + g^2, \qquad
        \theta \leftarrow \theta - \frac{\alpha}{\sqrt{r + \varepsilon}} g

    (``eps_placement="outside"`` uses :math:`\alpha / (\sqrt{r} + \varepsilon)` as PyTorch does.)
    All operations are elementwise.

    ====== ========================================================
    symbol argument
    ====== ========================================================
    α      ``lr``
    ε      ``eps`` ≥ 0
    r      ``state.r``, starting at ``initial_accumulator`` ≥ 0
    ====== ========================================================
    """
    alpha = as_schedule(lr)
    eps = _eps(eps)
    r0 = check_range("initial_accumulator", initial_accumulator, 0)
    eps_placement = _placement(eps_placement)

    def init(theta) -> AdaGradState:
        theta = _as_float_array(theta)
        return AdaGradState(t=0, r=np.full_like(theta, r0))

    def step(theta, state: AdaGradState, grad_fn: GradFn):
        theta = _as_float_array(theta)
        with np.errstate(over="ignore", invalid="ignore"):
            g = _gradient(grad_fn, theta)
            r = g * g
            r += state.r
            upd = _divide(alpha(state.t) * g, _scaled_root(r, eps, eps_placement), eps)
            theta = theta - upd
        return theta, AdaGradState(t=state.t + 1, r=r)

    hp = {"lr": lr, "eps": eps, "initial_accumulator": r0, "eps_placement": eps_placement}
    return _optimizer("adagrad", hp, init, step, AdaGradState)


def rmsprop(lr, beta=0.9, eps=1e-8, eps_placement="inside") -> Optimizer:
    r"""RMSProp.

    .. math::
        g \leftarrow \nabla_\theta J(\theta), \qquad
        r \leftarrow \beta r + (1 - \beta) g^2, \qquad
        \theta \leftarrow \theta - \frac{\alpha}{\sqrt{r + \varepsilon}} g

    r starts at 0, so the first steps are too large: r₁ = (1 − β) g₁² (Adam corrects this bias).

    ====== ============
    symbol argument
    ====== ============
    α      ``lr``
    β      ``beta`` ∈ [0, 1)
    ε      ``eps`` ≥ 0
    r      ``state.r``
    ====== ============
    """
    alpha = as_schedule(lr)
    beta = _beta("beta", beta)
    eps = _eps(eps)
    eps_placement = _placement(eps_placement)

    def init(theta) -> RMSPropState:
        return RMSPropState(t=0, r=np.zeros_like(_as_float_array(theta)))

    def step(theta, state: RMSPropState, grad_fn: GradFn):
        theta = _as_float_array(theta)
        with np.errstate(over="ignore", invalid="ignore"):
            g = _gradient(grad_fn, theta)
            r = g * g
            r *= 1 - beta
            r += beta * state.r
            upd = _divide(alpha(state.t) * g, _scaled_root(r, eps, eps_placement), eps)
            theta = theta - upd
        return theta, RMSPropState(t=state.t + 1, r=r)

    hp = {"lr": lr, "beta": beta, "eps": eps, "eps_placement": eps_placement}
    return _optimizer("rmsprop", hp, init, step, RMSPropState)


def adam(
    lr=0.001,
    beta1=0.9,
    beta2=0.999,
    eps=1e-8,
    bias_correction=True,
    form="moments",
    eps_placement="inside",
    weight_decay=0.0,
) -> Optimizer:
    r"""Adam (with ``weight_decay`` > 0: AdamW, Adam with decoupled weight decay).

    ``form="moments"`` (the lecture's first algorithm):

    .. math::
        t \leftarrow t + 1, \quad
        s \leftarrow \beta_1 s + (1 - \beta_1) g, \quad
        r \leftarrow \beta_2 r + (1 - \beta_2) g^2, \quad
        \hat s \leftarrow \frac{s}{1 - \beta_1^t}, \quad
        \hat r \leftarrow \frac{r}{1 - \beta_2^t}, \quad
        \theta \leftarrow \theta - \frac{\alpha}{\sqrt{\hat r + \varepsilon}} \hat s

    ``form="alpha_t"`` (the lecture's second algorithm) folds both corrections into the step size:

    .. math::
        \alpha_t \leftarrow \alpha \frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t}, \qquad
        \theta \leftarrow \theta - \frac{\alpha_t}{\sqrt{r + \varepsilon}} s

    The two agree exactly when ε = 0; otherwise the second form equals the first with a larger
    constant, :math:`\sqrt{\hat r + \varepsilon/(1 - \beta_2^t)}` in the denominator (so the
    second form with ε(1 − β₂ᵗ) equals the first with ε). ``bias_correction=False`` drops the
    corrections (ŝ = s, r̂ = r, α_t = α). ``eps_placement="outside"`` divides by
    :math:`\sqrt{\hat r} + \varepsilon` as the Adam paper and PyTorch do.

    ``weight_decay`` = λ > 0 adds *decoupled* weight decay (AdamW, Loshchilov & Hutter), in the
    convention of PyTorch's ``torch.optim.AdamW``: the decay is scaled by the learning rate and
    not divided by :math:`\sqrt{\hat r}`,

    .. math::
        \theta \leftarrow \theta - \alpha\lambda\theta
        - \frac{\alpha}{\sqrt{\hat r + \varepsilon}} \hat s ,

    with g, ŝ and r̂ computed as above at the old θ (so θ ← (1 − αλ)θ − α ŝ/√(r̂ + ε); with a
    schedule, α is α(t) in both terms). An L2 penalty λ‖θ‖² in the loss instead puts 2λθ into
    g, where Adam divides it by √r̂ like the rest of the gradient: that is not weight decay.
    λ may be an array that broadcasts against θ, e.g. λ on the weights and 0 on the biases.

    ====== =============================================
    symbol argument
    ====== =============================================
    α      ``lr``
    β₁     ``beta1`` ∈ [0, 1)
    β₂     ``beta2`` ∈ [0, 1)
    ε      ``eps`` ≥ 0
    λ      ``weight_decay`` ≥ 0 (decoupled; 0: plain Adam)
    t      ``state.t`` (updates done)
    s, r   ``state.s``, ``state.r`` (start at 0)
    ====== =============================================

    >>> opt = adam(lr=0.1, weight_decay=0.5)  # zero gradient: only the decay acts
    >>> opt.step(np.array([2.0]), opt.init(np.zeros(1)), lambda th: 0 * th)[0]  # 2 − 0.1·0.5·2
    array([1.9])
    """
    alpha = as_schedule(lr)
    beta1 = _beta("beta1", beta1)
    beta2 = _beta("beta2", beta2)
    eps = _eps(eps)
    bias_correction = check_bool("bias_correction", bias_correction)
    form = check_choice("form", form, ("moments", "alpha_t"))
    eps_placement = _placement(eps_placement)
    weight_decay = check_range("weight_decay", weight_decay, 0)
    decoupled = np.any(np.asarray(weight_decay) != 0)

    def init(theta) -> AdamState:
        theta = _as_float_array(theta)
        return AdamState(t=0, s=np.zeros_like(theta), r=np.zeros_like(theta))

    def step(theta, state: AdamState, grad_fn: GradFn):
        theta = _as_float_array(theta)
        t = state.t + 1
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            g = _gradient(grad_fn, theta)
            s = g * (1 - beta1)
            s += beta1 * state.s
            r = g * g
            r *= 1 - beta2
            r += beta2 * state.r
            lr_t = alpha(state.t)
            if bias_correction:
                c1 = 1 - beta1**t  # ŝ = s / c1
                c2 = 1 - beta2**t  # r̂ = r / c2
            else:
                c1 = c2 = 1.0
            if form == "moments":
                den = _scaled_root(r, eps, eps_placement, r_scale=1 / c2)  # √(r̂ + ε)
                upd = s * (lr_t / c1)  # α ŝ
            else:
                den = _scaled_root(r, eps, eps_placement)  # √(r + ε)
                upd = s * (lr_t * np.sqrt(c2) / c1 if np.ndim(c2) else lr_t * math.sqrt(c2) / c1)
            upd = _divide(upd, den, eps)
            if decoupled:  # AdamW: θ ← θ − αλθ − α ŝ/√(r̂ + ε), both at the old θ
                upd += (lr_t * weight_decay) * theta
            theta = theta - upd
        return theta, AdamState(t=t, s=s, r=r)

    hp = {
        "lr": lr,
        "beta1": beta1,
        "beta2": beta2,
        "eps": eps,
        "bias_correction": bool(bias_correction),
        "form": form,
        "eps_placement": eps_placement,
        "weight_decay": weight_decay,
    }
    return _optimizer("adam", hp, init, step, AdamState)


class AdamMoments(NamedTuple):
    r"""What :func:`adam_moments` returns: Adam's moments after each step t = 1 … T."""

    s: np.ndarray  #: first moment :math:`s_t` (no correction)
    r: np.ndarray  #: second moment :math:`r_t` (no correction)
    s_hat: np.ndarray  #: :math:`\hat s_t = s_t / (1 - \beta_1^t)`
    r_hat: np.ndarray  #: :math:`\hat r_t = r_t / (1 - \beta_2^t)`


def adam_moments(grads, beta1=0.9, beta2=0.999) -> AdamMoments:
    r"""Adam's moments :math:`s_t, r_t` and their corrections :math:`\hat s_t, \hat r_t` when
    the gradients are ``grads`` = :math:`g_1, \dots, g_T` (axis 0 is t; further axes are
    parameters), read from :func:`adam`'s own state step by step:

    .. math::
        s_t = \beta_1 s_{t-1} + (1-\beta_1) g_t, \quad
        r_t = \beta_2 r_{t-1} + (1-\beta_2) g_t^2, \quad
        \hat s_t = \frac{s_t}{1 - \beta_1^t}, \quad \hat r_t = \frac{r_t}{1 - \beta_2^t},

    from :math:`s_0 = r_0 = 0`. The moments do not depend on θ, α or ε. Each field has the
    shape of ``grads``.

    >>> m = adam_moments([2.0, 2.0], beta1=0.5, beta2=0.75)   # a constant gradient
    >>> m.s.tolist(), m.s_hat.tolist(), m.r_hat.tolist()      # ŝ = g, r̂ = g² from the start
    ([1.0, 1.5], [2.0, 2.0], [4.0, 4.0])
    """
    g = check_array("grads", grads)
    if g.ndim == 0:
        raise ValueError("grads must have at least one axis (the steps t = 1 … T); got a "
                         "scalar")
    opt = adam(lr=1e-3, beta1=beta1, beta2=beta2)
    beta1, beta2 = opt.hyperparams["beta1"], opt.hyperparams["beta2"]
    flat = g.reshape(g.shape[0], -1)  # (T, number of parameters): θ has at least one axis
    theta = np.zeros(flat.shape[1])
    state = opt.init(theta)
    s, r = np.empty_like(flat), np.empty_like(flat)
    for k in range(flat.shape[0]):
        theta, state = opt.step(theta, state, lambda th, gk=flat[k]: gk)
        s[k], r[k] = state.s, state.r
    s, r = s.reshape(g.shape), r.reshape(g.shape)
    t = np.arange(1, g.shape[0] + 1, dtype=np.float64).reshape((-1,) + (1,) * (g.ndim - 1))
    return AdamMoments(s, r, s / (1 - beta1**t), r / (1 - beta2**t))


OPTIMIZERS: dict[str, Callable[..., Optimizer]] = {
    "sgd": sgd,
    "momentum": momentum,
    "nesterov": nesterov,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adam": adam,
}
"""Names → factories, in the lecture's order."""

# --------------------------------------------------------------------------------------------
# Running an optimiser

_MAX_RECORDED = 200_000_000  # numbers run records at once (1.6 GB of float64)


def _check_grids(opt: Optimizer, shape: tuple) -> None:
    """Array hyperparameters must broadcast against θ without changing its shape."""
    for key, value in opt.hyperparams.items():
        if callable(value) or np.ndim(value) == 0:
            continue
        try:
            ok = np.broadcast_shapes(np.shape(value), shape) == shape
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(f"{key} must broadcast against theta0 of shape {shape} (a grid of "
                             f"values, one per run); got shape {np.shape(value)}")


def run(
    opt: Optimizer,
    grad_fn: GradFn,
    theta0,
    steps: int,
    loss_fn: Callable[[np.ndarray], np.ndarray] | None = None,
    max_norm: float = 1e6,
) -> Trajectory:
    """Run ``steps`` updates of ``opt`` from ``theta0`` and record every point.

    The last axis of ``theta0`` is one parameter vector; leading axes are a batch of independent
    runs: ``(K, 2)`` is K trajectories on a 2-D surface, ``(P,)`` is one model. ``grad_fn`` and
    ``loss_fn`` see the whole batch at once (``(..., d) -> (..., d)`` and ``(..., d) -> (...)``).

    A run whose parameters become non-finite or whose norm exceeds ``max_norm`` is flagged in
    ``diverged`` and frozen: that point and all later ones are NaN. No numpy RuntimeWarning escapes.

    >>> traj = run(sgd(lr=0.25), lambda th: 2 * th, np.array([[1.0, 1.0], [2.0, 0.0]]), steps=2,
    ...            loss_fn=lambda th: (th**2).sum(-1))
    >>> traj.thetas.shape, traj.losses[-1], traj.diverged
    ((3, 2, 2), array([0.125, 0.25 ]), array([False, False]))
    >>> run(sgd(lr=2.0), lambda th: 2 * th, np.ones(2), steps=30).diverged
    array(True)
    """
    opt = check_optimizer("opt", opt)
    check_callable("grad_fn", grad_fn, "a function θ ↦ ∇J(θ)")
    if loss_fn is not None:
        check_callable("loss_fn", loss_fn, "a function θ ↦ J(θ), or None")
    steps = check_int("steps", steps, 0)
    max_norm = check_range("max_norm", max_norm, 0, low_open=True, allow_array=False)
    theta = check_array("theta0", theta0, dtype=None)
    if theta.ndim == 0:
        raise ValueError("theta0 must have at least one axis (the parameter vector); got a scalar")
    if (steps + 1) * theta.size > _MAX_RECORDED:
        raise ValueError(f"steps must keep (steps + 1) × theta0.size at most {_MAX_RECORDED:.0e} "
                         f"(every point is recorded, in memory); got steps = {steps} for "
                         f"theta0 of size {theta.size}")
    _check_grids(opt, theta.shape)
    max_sq = max_norm * max_norm  # may overflow to inf: then only non-finite points leave

    def inside(th):
        sq = np.einsum("...i,...i->...", th, th)
        return (sq <= max_sq) if np.isfinite(max_sq) else np.isfinite(sq)

    thetas = np.empty((steps + 1, *theta.shape), dtype=theta.dtype)
    thetas[0] = theta
    with np.errstate(all="ignore"):
        ok = inside(theta)
        diverged = np.array(~ok)
        if not ok.all():
            theta = np.where(ok[..., None], theta, np.nan)
            thetas[0] = theta
        state = opt.init(theta)
        for k in range(1, steps + 1):
            theta, state = opt.step(theta, state, grad_fn)
            ok = inside(theta)
            if not ok.all():
                diverged |= ~ok
                theta = np.where(ok[..., None], theta, np.nan)
            thetas[k] = theta

        losses = None
        if loss_fn is not None:
            losses = np.asarray(loss_fn(thetas), dtype=np.result_type(thetas.dtype, np.float32))
            expected = thetas.shape[:-1]
            if losses.shape != expected:
                raise ValueError(
                    f"loss_fn must map (..., d) to (...): expected shape {expected}; "
                    f"got {losses.shape}"
                )
            if diverged.any():
                losses = np.where(np.isnan(thetas).any(axis=-1), np.nan, losses)
    return Trajectory(thetas=thetas, losses=losses, diverged=diverged)


# --------------------------------------------------------------------------------------------
# One table of optimisers: names, factories, display names

LABELS: dict[str, str] = {
    "sgd": "SGD",
    "momentum": "Momentum",
    "nesterov": "Nesterov",
    "adagrad": "AdaGrad",
    "rmsprop": "RMSProp",
    "adam": "Adam",
}
"""Names → display names (legends, titles, controls), in the order of :data:`OPTIMIZERS`."""

ASSIGNMENT_OPTIMIZERS: tuple[str, ...] = ("sgd", "momentum", "adam")
"""The optimisers of the NPFL114 *mnist_training* assignment (see :func:`make_optimizer`)."""


def make_optimizer(name: str, lr, beta=0.9) -> Optimizer:
    """The optimiser ``name`` of :data:`OPTIMIZERS` with learning rate ``lr`` (a float or a
    schedule) and one β.

    ``beta`` is momentum's and Nesterov's β, RMSProp's β and Adam's β₁ (β₂ = 0.999 and every ε
    keep their defaults); SGD and AdaGrad have no β. The *mnist_training* assignment offers
    :data:`ASSIGNMENT_OPTIMIZERS`: SGD, momentum with β = 0.9 and Adam with its defaults.

    >>> make_optimizer("momentum", 0.01).hyperparams["beta"]
    0.9
    >>> LABELS[make_optimizer("adam", 1e-3).name]
    'Adam'
    """
    name = check_choice("optimizer", name, OPTIMIZERS)
    beta = _beta("beta", beta)
    if name in ("sgd", "adagrad"):
        return OPTIMIZERS[name](lr)
    if name == "adam":
        return adam(lr, beta1=beta)
    return OPTIMIZERS[name](lr, beta=beta)
