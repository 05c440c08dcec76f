r"""Learning-rate schedules as pure functions of the step.

Each factory returns a closure ``schedule(t)`` that maps the number of updates already done
(``t = 0`` for the first update) to the learning rate :math:`\alpha_t`. The closures are built
from ``np.where``/``np.minimum``/``np.floor``, so ``t`` may be an ``int`` (the result is a
Python ``float``) or an integer ndarray (the result is a float64 ndarray of the same shape)::

    >>> s = exponential_decay(0.1, decay_steps=10, decay_rate=0.5)
    >>> s(10)
    0.05
    >>> s(np.array([0, 10, 20]))
    array([0.1  , 0.05 , 0.025])

Where :mod:`keras.optimizers.schedules` (Keras 3) has a schedule of the same name, the values
agree with it (computed here in float64). Every schedule carries ``.name`` (the factory's name),
``.params`` (its arguments) and ``.label`` (a short string for plot legends).

Optimisers accept "a float or a schedule"; :func:`as_schedule` turns either into a schedule in
one place. :func:`robbins_monro_sums` computes the partial sums :math:`\sum_t \alpha_t` and
:math:`\sum_t \alpha_t^2` behind the Robbins–Monro conditions
:math:`\sum_t \alpha_t = \infty`, :math:`\sum_t \alpha_t^2 < \infty`;
:func:`robbins_monro_verdict` decides them from a schedule's tail. :func:`lr_schedule` is the
NPFL114 *mnist_training* assignment's decay: none, linear or exponential to a final rate
reached after the last update.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable, Sequence

import numpy as np

from ._validate import (
    ArgumentTypeError,
    _fmt,
    check_bool,
    check_choice,
    check_int,
    check_range,
    check_schedule_value,
    describe,
)

__all__ = [
    "DECAYS",
    "Schedule",
    "as_schedule",
    "constant",
    "cosine_decay",
    "cosine_decay_restarts",
    "exponential_decay",
    "inverse_sqrt_decay",
    "inverse_time_decay",
    "linear_warmup",
    "lr_schedule",
    "piecewise_constant",
    "polynomial_decay",
    "robbins_monro_sums",
    "robbins_monro_verdict",
]

Schedule = Callable[[int | np.ndarray], float | np.ndarray]


# ---------------------------------------------------------------------------------------------
# Shared machinery: validate the step, build the closure, attach plot attributes


def _steps(step) -> np.ndarray:
    """Return ``step`` as an int64 array (0-d for a scalar); reject negative or fractional steps."""
    if isinstance(step, (int, np.integer)) and not isinstance(step, bool):
        if not 0 <= step < 2**63:
            raise ValueError(f"step must be an integer in [0, 2**63); got {step!r}")
        return np.asarray(step, dtype=np.int64)
    if step is None or isinstance(step, (bool, np.bool_, str, bytes)):
        raise ArgumentTypeError(f"step must be an integer (or integer array) in [0, inf); got "
                                f"{describe(step)}")
    arr = np.asarray(step)
    if arr.dtype.kind in "iu":
        ok = arr.size == 0 or arr.min() >= 0
    elif arr.dtype.kind == "f":
        ok = bool(np.all(np.isfinite(arr) & (arr >= 0) & (arr < 2.0**63)
                         & (arr == np.floor(arr))))
    else:
        raise ArgumentTypeError(f"step must be an integer (or integer array) in [0, inf); got "
                                f"{describe(step)}")
    if not ok:
        shown = repr(step) if arr.ndim == 0 or arr.dtype.kind not in "iuf" else _fmt(arr)
        raise ValueError(f"step must be an integer (or integer array) in [0, inf); got {shown}")
    return arr.astype(np.int64)


def _label(name: str, params: dict) -> str:
    """``name(arg=value, ...)`` listing the arguments that differ from the factory's defaults."""
    defaults = {k: p.default for k, p in inspect.signature(globals()[name]).parameters.items()}

    def show(v):
        if callable(v):
            return getattr(v, "label", getattr(v, "__name__", "schedule"))
        if isinstance(v, np.ndarray):
            return f"<array {v.shape}>"
        return f"{v:g}" if isinstance(v, float) else repr(v)

    shown = [f"{k}={show(v)}" for k, v in params.items()
             if isinstance(v, np.ndarray) or defaults.get(k, inspect.Parameter.empty) != v]
    return f"{name}(" + ", ".join(shown) + ")"


def _make(name: str, params: dict, core: Callable[[np.ndarray], np.ndarray]) -> Schedule:
    """Wrap ``core`` (int64 array of steps -> float array) into a schedule of ``t``."""

    def schedule(step):
        t = _steps(step)
        out = np.asarray(core(t), dtype=np.float64)
        return float(out) if out.ndim == 0 else out

    schedule.name = name
    schedule.params = dict(params)
    schedule.label = _label(name, params)
    schedule.__name__ = schedule.__qualname__ = name
    return schedule


def _lr(name: str, value, *, allow_zero: bool = False) -> float:
    return check_range(name, value, 0, None, low_open=not allow_zero, allow_array=False)


def _steps_arg(name: str, value, low: int = 1) -> int:
    return check_int(name, value, low=low)


def _flag(name: str, value) -> bool:
    return check_bool(name, value)


def _checked(schedule: Callable, name: str) -> Schedule:
    """A schedule of the caller's, its values checked at every call (a finite rate ≥ 0): a
    negative, NaN or non-numeric rate is an error naming the step, never a silent wrong update.

    Schedules made by this module are returned unchanged (their values are valid by
    construction); an uncalled factory of this module, or a callable that cannot take the step,
    is refused here, before the first update.
    """
    if getattr(schedule, "__module__", None) == __name__:
        if hasattr(schedule, "params"):
            return schedule
        if getattr(schedule, "__name__", "") in _FACTORY_NAMES:
            raise ArgumentTypeError(f"{name} must be > 0 or a schedule; got the factory "
                                    f"schedules.{schedule.__name__} itself: call it, e.g. "
                                    f"schedules.{schedule.__name__}(0.1, 1000)")
    try:
        inspect.signature(schedule).bind(0)
    except TypeError:
        raise ArgumentTypeError(f"{name} must be > 0 or a schedule, a callable of the step t "
                                f"(0 for the first update); got {describe(schedule)}, which "
                                "cannot be called with one argument") from None
    except ValueError:  # no signature to inspect (some builtins): trust it
        pass

    @functools.wraps(schedule)
    def checked(step):
        return check_schedule_value(schedule(step), step, name)

    return checked


# ---------------------------------------------------------------------------------------------
# Constant and "a float or a schedule"


def constant(lr) -> Schedule:
    r"""A constant learning rate.

    .. math::
        \alpha_t = \alpha

    ====== ========= =====================================================
    symbol argument  meaning
    ====== ========= =====================================================
    α      ``lr``    the learning rate (> 0); a float or a float ndarray
    ====== ========= =====================================================

    An array ``lr`` (a grid of learning rates that broadcasts against θ) is returned as it is for
    a scalar step; for an array of steps the result has shape ``t.shape + lr.shape``.

    >>> s = constant(0.1)
    >>> s(0), s(1000)
    (0.1, 0.1)
    >>> constant(np.array([0.1, 0.2]))(5)
    array([0.1, 0.2])
    """
    alpha = check_range("lr", lr, 0, None, low_open=True)
    if isinstance(alpha, np.ndarray):
        alpha = alpha.copy()
        alpha.flags.writeable = False

    def core(t):
        if t.ndim == 0:
            return alpha
        return np.multiply.outer(np.ones(t.shape), alpha)

    return _make("constant", {"lr": alpha}, core)


def as_schedule(lr, name: str = "lr") -> Schedule:
    r"""Turn "a float or a schedule" into a schedule of the step.

    A schedule made by this module is returned unchanged; any other callable is wrapped so that
    each rate it returns is checked (a finite number ≥ 0, else an error naming the step). A
    positive number, or a float ndarray whose entries are all positive, becomes :func:`constant`.
    ``name`` is the parameter named in error messages.

    >>> as_schedule(0.01)(7)
    0.01
    >>> s = cosine_decay(0.1, 100)
    >>> as_schedule(s) is s
    True
    >>> as_schedule(-1.0)
    Traceback (most recent call last):
    ...
    ValueError: lr must be > 0 or a schedule (a callable of the step); got -1.0
    """
    if callable(lr):
        return _checked(lr, name)
    message = name + " must be > 0 or a schedule (a callable of the step); got {}"
    if isinstance(lr, str) and lr in _FACTORY_NAMES:
        raise ArgumentTypeError(message.format(f"the string {lr!r}") + f": pass "
                                f"schedules.{lr}(...) instead")
    if isinstance(lr, (bool, np.bool_, str, bytes, complex)) or lr is None:
        raise ArgumentTypeError(message.format(describe(lr)))
    try:
        arr = np.asarray(lr, dtype=np.float64)
    except (TypeError, ValueError):
        raise ArgumentTypeError(message.format(describe(lr))) from None
    if arr.size == 0:
        raise ValueError(message.format(_fmt(arr)))
    if not np.all(np.isfinite(arr) & (arr > 0)):
        raise ValueError(message.format(repr(lr) if arr.ndim == 0 else _fmt(arr)))
    return constant(arr if arr.ndim else float(arr))


# ---------------------------------------------------------------------------------------------
# Keras schedules


def exponential_decay(initial_lr, decay_steps, decay_rate, staircase=False) -> Schedule:
    r"""Exponential decay: the learning rate is multiplied by γ every T steps.

    .. math::
        \alpha_t = \alpha_0 \, \gamma^{t / T}
        \qquad\text{or, with staircase,}\qquad
        \alpha_t = \alpha_0 \, \gamma^{\lfloor t / T \rfloor}

    ====== ================ ==========================================
    symbol argument         meaning
    ====== ================ ==========================================
    α₀     ``initial_lr``   learning rate at t = 0 (> 0)
    T      ``decay_steps``  steps per factor γ (integer ≥ 1)
    γ      ``decay_rate``   factor per T steps (> 0; < 1 decays)
    ⌊·⌋    ``staircase``    decay in whole steps of T
    ====== ================ ==========================================

    As in ``keras.optimizers.schedules.ExponentialDecay``.

    >>> s = exponential_decay(0.1, decay_steps=10, decay_rate=0.5)
    >>> round(s(5), 6), s(10), s(20)
    (0.070711, 0.05, 0.025)
    >>> exponential_decay(0.1, 10, 0.5, staircase=True)(np.array([9, 10, 19, 20]))
    array([0.1  , 0.05 , 0.05 , 0.025])
    """
    a0 = _lr("initial_lr", initial_lr)
    T = _steps_arg("decay_steps", decay_steps)
    gamma = check_range("decay_rate", decay_rate, 0, None, low_open=True, allow_array=False)
    staircase = _flag("staircase", staircase)

    def core(t):
        p = t / T
        if staircase:
            p = np.floor(p)
        with np.errstate(over="ignore"):
            return a0 * np.power(gamma, p)

    params = {"initial_lr": a0, "decay_steps": T, "decay_rate": gamma, "staircase": staircase}
    return _make("exponential_decay", params, core)


def polynomial_decay(initial_lr, decay_steps, end_lr=1e-4, power=1.0, cycle=False) -> Schedule:
    r"""Polynomial decay from α₀ to α_end in T steps (then constant, or cycling).

    .. math::
        \alpha_t = (\alpha_0 - \alpha_\mathrm{end})
                   \Bigl(1 - \frac{\min(t, T)}{T}\Bigr)^{p} + \alpha_\mathrm{end}

    With ``cycle=True`` the horizon grows to the first multiple of T that is ≥ t,
    :math:`T_t = T \lceil t / T \rceil` (and :math:`T_0 = T`), and
    :math:`\alpha_t = (\alpha_0 - \alpha_\mathrm{end})(1 - t / T_t)^p + \alpha_\mathrm{end}`.

    ====== ================ ==========================================
    symbol argument         meaning
    ====== ================ ==========================================
    α₀     ``initial_lr``   learning rate at t = 0 (> 0)
    T      ``decay_steps``  steps to reach α_end (integer ≥ 1)
    α_end  ``end_lr``       final learning rate (≥ 0)
    p      ``power``        exponent (> 0; 1 is linear)
    ⌈·⌉    ``cycle``        restart the decay with a longer horizon
    ====== ================ ==========================================

    As in ``keras.optimizers.schedules.PolynomialDecay``.

    >>> s = polynomial_decay(0.1, decay_steps=10, end_lr=0.0)
    >>> s(np.array([0, 5, 10, 15]))
    array([0.1 , 0.05, 0.  , 0.  ])
    >>> polynomial_decay(0.1, 10, end_lr=0.0, cycle=True)(np.array([10, 15, 20]))
    array([0.   , 0.025, 0.   ])
    """
    a0 = _lr("initial_lr", initial_lr)
    T = _steps_arg("decay_steps", decay_steps)
    a_end = _lr("end_lr", end_lr, allow_zero=True)
    p = check_range("power", power, 0, None, low_open=True, allow_array=False)
    cycle = _flag("cycle", cycle)

    def core(t):
        t = t.astype(np.float64)
        if cycle:
            horizon = T * np.where(t == 0, 1.0, np.ceil(t / T))
        else:
            horizon = float(T)
            t = np.minimum(t, horizon)
        return (a0 - a_end) * np.power(1.0 - t / horizon, p) + a_end

    params = {"initial_lr": a0, "decay_steps": T, "end_lr": a_end, "power": p, "cycle": cycle}
    return _make("polynomial_decay", params, core)


def inverse_time_decay(initial_lr, decay_steps, decay_rate, staircase=False) -> Schedule:
    r"""Inverse-time decay, :math:`\alpha_t \propto 1/t` for large t.

    .. math::
        \alpha_t = \frac{\alpha_0}{1 + \gamma \, t / T}
        \qquad\text{or, with staircase,}\qquad
        \alpha_t = \frac{\alpha_0}{1 + \gamma \lfloor t / T \rfloor}

    ====== ================ ==========================================
    symbol argument         meaning
    ====== ================ ==========================================
    α₀     ``initial_lr``   learning rate at t = 0 (> 0)
    T      ``decay_steps``  time unit of the decay (integer ≥ 1)
    γ      ``decay_rate``   decay per T steps (> 0)
    ⌊·⌋    ``staircase``    decay in whole steps of T
    ====== ================ ==========================================

    As in ``keras.optimizers.schedules.InverseTimeDecay``. It satisfies the Robbins–Monro
    conditions :math:`\sum_t \alpha_t = \infty`, :math:`\sum_t \alpha_t^2 < \infty`.

    >>> s = inverse_time_decay(0.1, decay_steps=10, decay_rate=1.0)
    >>> s(np.array([0, 10, 30]))
    array([0.1  , 0.05 , 0.025])
    """
    a0 = _lr("initial_lr", initial_lr)
    T = _steps_arg("decay_steps", decay_steps)
    gamma = check_range("decay_rate", decay_rate, 0, None, low_open=True, allow_array=False)
    staircase = _flag("staircase", staircase)

    def core(t):
        p = t / T
        if staircase:
            p = np.floor(p)
        return a0 / (1.0 + gamma * p)

    params = {"initial_lr": a0, "decay_steps": T, "decay_rate": gamma, "staircase": staircase}
    return _make("inverse_time_decay", params, core)


def cosine_decay(initial_lr, decay_steps, alpha=0.0, warmup_target=None, warmup_steps=0):
    r"""Cosine decay (half a cosine from the peak to a fraction a of it), with optional warmup.

    Without warmup (``warmup_target=None``), for :math:`\hat\alpha = \alpha_0`:

    .. math::
        \alpha_t = \hat\alpha \Bigl[a + (1 - a)\,
                   \tfrac12\Bigl(1 + \cos\frac{\pi \min(t, T)}{T}\Bigr)\Bigr]

    With warmup the learning rate first rises linearly from α₀ to :math:`\hat\alpha`
    (``warmup_target``) in W steps, :math:`\alpha_t = \alpha_0 + (\hat\alpha - \alpha_0)\,t/W`
    for :math:`t < W`; then the cosine above runs with :math:`t - W` in place of t.

    ====== ================== ==============================================================
    symbol argument           meaning
    ====== ================== ==============================================================
    α₀     ``initial_lr``     learning rate at t = 0 (> 0; may be 0 when warming up)
    T      ``decay_steps``    length of the cosine (integer ≥ 1)
    a      ``alpha``          final learning rate as a fraction of the peak, in [0, 1]
    α̂      ``warmup_target``  peak learning rate reached after warmup (> 0), or None
    W      ``warmup_steps``   length of the linear warmup (integer ≥ 0; needs warmup_target)
    ====== ================== ==============================================================

    As in ``keras.optimizers.schedules.CosineDecay`` (which silently ignores ``warmup_steps``
    without ``warmup_target``; here that combination is an error).

    >>> s = cosine_decay(0.1, decay_steps=10, alpha=0.1)
    >>> s(np.array([0, 5, 10, 20]))
    array([0.1  , 0.055, 0.01 , 0.01 ])
    >>> w = cosine_decay(0.0, decay_steps=10, warmup_target=0.1, warmup_steps=4)
    >>> w(np.array([0, 2, 4, 9, 14]))
    array([0.  , 0.05, 0.1 , 0.05, 0.  ])
    """
    T = _steps_arg("decay_steps", decay_steps)
    a = check_range("alpha", alpha, 0, 1, allow_array=False)
    W = _steps_arg("warmup_steps", warmup_steps, low=0)
    if warmup_target is None:
        a0 = _lr("initial_lr", initial_lr)
        if W > 0:
            raise ValueError(
                f"warmup_steps must be 0 when warmup_target is None; got {W!r} "
                "(set warmup_target to the peak learning rate to warm up)"
            )
        peak = a0
    else:
        a0 = _lr("initial_lr", initial_lr, allow_zero=True)
        peak = _lr("warmup_target", warmup_target)

    def decay(t):
        return peak * ((1.0 - a) * 0.5 * (1.0 + np.cos(np.pi * t / T)) + a)

    def core(t):
        t = np.minimum(t.astype(np.float64), T + W)
        if W == 0:
            return decay(t)
        warm = a0 + (peak - a0) * t / W
        return np.where(t < W, warm, decay(np.maximum(t - W, 0.0)))

    params = {"initial_lr": a0, "decay_steps": T, "alpha": a,
              "warmup_target": None if warmup_target is None else peak, "warmup_steps": W}
    return _make("cosine_decay", params, core)


def cosine_decay_restarts(initial_lr, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0):
    r"""Cosine decay with warm restarts (SGDR, Loshchilov & Hutter 2017).

    Period i lasts :math:`T_i = T_0\,\tau^i` steps and starts at
    :math:`S_i = T_0 (1 + \tau + \dots + \tau^{i-1})`; within it, with the completed fraction
    :math:`f = (t - S_i) / T_i \in [0, 1)`,

    .. math::
        \alpha_t = \alpha_0 \Bigl[a + (1 - a)\, \mu^i\, \tfrac12\bigl(1 + \cos \pi f\bigr)\Bigr]

    ====== ======================= =============================================
    symbol argument                meaning
    ====== ======================= =============================================
    α₀     ``initial_lr``          peak learning rate of the first period (> 0)
    T₀     ``first_decay_steps``   length of the first period (integer ≥ 1)
    τ      ``t_mul``               each period is τ times longer (> 0)
    μ      ``m_mul``               each peak is μ times the previous one (> 0)
    a      ``alpha``               floor as a fraction of α₀, in [0, 1]
    ====== ======================= =============================================

    As in ``keras.optimizers.schedules.CosineDecayRestarts``, except that the period index i is
    corrected where rounding in :math:`\log(1 + f(\tau - 1)) / \log\tau` would put a restart
    one step late. With τ < 1 the periods shrink and all of them fit in :math:`T_0/(1-\tau)`
    steps; later steps give NaN, as in Keras.

    >>> s = cosine_decay_restarts(0.1, first_decay_steps=10, t_mul=2.0, m_mul=0.5)
    >>> s(np.array([0, 5, 9, 10, 20, 30]))
    array([0.1       , 0.05      , 0.00244717, 0.05      , 0.025     , 0.025     ])
    """
    a0 = _lr("initial_lr", initial_lr)
    T0 = _steps_arg("first_decay_steps", first_decay_steps)
    tau = check_range("t_mul", t_mul, 0, None, low_open=True, allow_array=False)
    mu = check_range("m_mul", m_mul, 0, None, low_open=True, allow_array=False)
    a = check_range("alpha", alpha, 0, 1, allow_array=False)

    def core(t):
        f = t / T0
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            if tau == 1.0:
                i = np.floor(f)
                frac = f - i
            else:
                # S_i / T0 = (τ^i − 1)/(τ − 1) ≤ f  ⇔  i ≤ log(1 + f(τ − 1)) / log τ
                def start(k):
                    return (np.power(tau, k) - 1.0) / (tau - 1.0)

                i = np.floor(np.log1p(f * (tau - 1.0)) / math.log(tau))
                i = np.where(start(i) > f, i - 1.0, i)
                i = np.where(start(i + 1.0) <= f, i + 1.0, i)
                frac = (f - start(i)) / np.power(tau, i)
            cosine = 0.5 * np.power(mu, i) * (1.0 + np.cos(np.pi * frac))
            return a0 * ((1.0 - a) * cosine + a)

    params = {"initial_lr": a0, "first_decay_steps": T0, "t_mul": tau, "m_mul": mu, "alpha": a}
    return _make("cosine_decay_restarts", params, core)


def piecewise_constant(boundaries: Sequence, values: Sequence) -> Schedule:
    r"""A step function: value :math:`v_i` between boundaries :math:`b_{i-1}` and :math:`b_i`.

    .. math::
        \alpha_t = v_i \quad\text{for}\quad b_{i-1} < t \le b_i,
        \qquad b_{-1} = -\infty,\; b_n = \infty

    so :math:`t \le b_0` gives :math:`v_0` and :math:`t > b_{n-1}` gives :math:`v_n`.

    ====== ================ ======================================================
    symbol argument         meaning
    ====== ================ ======================================================
    b_i    ``boundaries``   n strictly increasing steps
    v_i    ``values``       n + 1 learning rates (> 0)
    ====== ================ ======================================================

    As in ``keras.optimizers.schedules.PiecewiseConstantDecay`` (note t ≤ b, not t < b).

    >>> s = piecewise_constant([10, 20], [0.1, 0.01, 0.001])
    >>> s(np.array([0, 10, 11, 20, 21]))
    array([0.1  , 0.1  , 0.01 , 0.01 , 0.001])
    """
    try:
        b_list, v_list = list(boundaries), list(values)
    except TypeError:
        raise ArgumentTypeError(
            f"boundaries and values must be sequences; got {boundaries!r} and {values!r}"
        ) from None
    b = np.array([check_range(f"boundaries[{k}]", x, allow_array=False)
                  for k, x in enumerate(b_list)], dtype=np.float64)
    v = np.array([_lr(f"values[{k}]", x) for k, x in enumerate(v_list)], dtype=np.float64)
    if len(v) != len(b) + 1:
        raise ValueError(
            f"values must have len(boundaries) + 1 = {len(b) + 1} entries; got {len(v)}"
        )
    if np.any(np.diff(b) <= 0):
        raise ValueError(f"boundaries must be strictly increasing; got {b_list!r}")

    def core(t):
        return v[np.searchsorted(b, t, side="left")]

    params = {"boundaries": tuple(b_list), "values": tuple(v.tolist())}
    return _make("piecewise_constant", params, core)


# ---------------------------------------------------------------------------------------------
# Beyond Keras


def inverse_sqrt_decay(initial_lr, warmup_steps=0) -> Schedule:
    r"""Inverse square-root decay, with an optional linear warmup (the Transformer schedule).

    .. math::
        \alpha_t = \frac{\alpha_0}{\sqrt{t + 1}}
        \qquad\text{or, with warmup,}\qquad
        \alpha_t = \alpha_0 \min\Bigl(\frac{t + 1}{W}, \sqrt{\frac{W}{t + 1}}\Bigr)

    The warmup peaks at :math:`\alpha_0` when :math:`t + 1 = W`.

    ====== ================ ==============================================
    symbol argument         meaning
    ====== ================ ==============================================
    α₀     ``initial_lr``   peak learning rate (> 0)
    W      ``warmup_steps`` length of the linear warmup (integer ≥ 0)
    ====== ================ ==============================================

    >>> inverse_sqrt_decay(0.1)(np.array([0, 3, 99]))
    array([0.1 , 0.05, 0.01])
    >>> inverse_sqrt_decay(0.1, warmup_steps=4)(np.array([0, 1, 3, 15]))
    array([0.025, 0.05 , 0.1  , 0.05 ])
    """
    a0 = _lr("initial_lr", initial_lr)
    W = _steps_arg("warmup_steps", warmup_steps, low=0)

    def core(t):
        n = t + 1.0
        if W == 0:
            return a0 / np.sqrt(n)
        return a0 * np.minimum(n / W, np.sqrt(W / n))

    return _make("inverse_sqrt_decay", {"initial_lr": a0, "warmup_steps": W}, core)


def linear_warmup(schedule, warmup_steps, start_lr=0.0) -> Schedule:
    r"""Prepend a linear warmup of W steps to a schedule σ.

    .. math::
        \alpha_t = \begin{cases}
            \alpha_\mathrm{start} + (\sigma(0) - \alpha_\mathrm{start})\, t / W & t < W \\
            \sigma(t - W) & t \ge W
        \end{cases}

    ====== ================= ===========================================================
    symbol argument          meaning
    ====== ================= ===========================================================
    σ      ``schedule``      the schedule after warmup (a callable of the step, or a float)
    W      ``warmup_steps``  length of the warmup (integer ≥ 0)
    α_start ``start_lr``     learning rate at t = 0 (≥ 0)
    ====== ================= ===========================================================

    ``schedule`` is called once per call, on the shifted steps :math:`\max(t - W, 0)`.

    >>> s = linear_warmup(exponential_decay(0.1, 10, 0.5), warmup_steps=5)
    >>> s(np.array([0, 1, 5, 15]))
    array([0.  , 0.02, 0.1 , 0.05])
    """
    if not callable(schedule):
        if isinstance(schedule, (int, float, np.integer, np.floating)) \
                and not isinstance(schedule, bool) and schedule > 0:
            schedule = constant(float(schedule))
        else:
            raise ArgumentTypeError(f"schedule must be a callable of the step or a float > 0; "
                                    f"got {describe(schedule)}")
    schedule = _checked(schedule, "schedule")
    W = _steps_arg("warmup_steps", warmup_steps, low=0)
    a_start = _lr("start_lr", start_lr, allow_zero=True)

    def core(t):
        after = np.asarray(schedule(np.maximum(t - W, 0)), dtype=np.float64)
        if W == 0:
            return after
        # a schedule with array hyperparameters adds trailing axes after those of t
        tt = t.reshape(t.shape + (1,) * (after.ndim - t.ndim)).astype(np.float64)
        return np.where(tt < W, a_start + (after - a_start) * tt / W, after)

    params = {"schedule": schedule, "warmup_steps": W, "start_lr": a_start}
    return _make("linear_warmup", params, core)


# ---------------------------------------------------------------------------------------------
# Robbins–Monro


def robbins_monro_sums(schedule, steps) -> tuple[np.ndarray, np.ndarray]:
    r"""Partial sums :math:`\sum_{k \le t} \alpha_k` and :math:`\sum_{k \le t} \alpha_k^2`.

    .. math::
        A_t = \sum_{k=0}^{t} \alpha_k, \qquad B_t = \sum_{k=0}^{t} \alpha_k^2,
        \qquad t = 0, \dots, \mathrm{steps} - 1

    SGD converges (under the usual assumptions) when :math:`A_t \to \infty` and
    :math:`B_t` stays bounded (Robbins–Monro). The schedule is called once, on
    ``np.arange(steps)``; a float is treated as :func:`constant`.

    >>> A, B = robbins_monro_sums(inverse_time_decay(1.0, 1, 1.0), 4)   # α_t = 1/(t+1)
    >>> A
    array([1.        , 1.5       , 1.83333333, 2.08333333])
    >>> B
    array([1.        , 1.25      , 1.36111111, 1.42361111])
    """
    sched = as_schedule(schedule, "schedule")
    n = check_int("steps", steps, low=1)
    alpha = np.asarray(sched(np.arange(n)), dtype=np.float64)
    with np.errstate(over="ignore"):
        return np.cumsum(alpha, axis=0), np.cumsum(alpha * alpha, axis=0)


def robbins_monro_verdict(schedule) -> tuple[bool, bool]:
    r"""Whether ``schedule`` satisfies, as :math:`t \to \infty`, :math:`\sum_t \alpha_t = \infty`
    and :math:`\sum_t \alpha_t^2 < \infty` (Robbins–Monro).

    ``schedule`` is a schedule made by this module (it carries ``.name`` and ``.params``) or a
    float (:func:`constant`). Returns ``(sum_infinite, squares_finite)``, decided from the tail:

    ==================================  ===============================  ==============
    tail of α_t                         schedules                        verdict
    ==================================  ===============================  ==============
    c > 0 or growing                    constant, piecewise constant,    (True, False)
                                        polynomial (α_end > 0), cosine
                                        (a > 0), exponential (γ ≥ 1)
    geometric: γ^(t/T), γ < 1           exponential                      (False, True)
    zero after finitely many steps      polynomial (α_end = 0), cosine   (False, True)
                                        (a = 0)
    ∝ 1/t                               inverse time                     (True, True)
    ∝ 1/√t                              inverse square root              (True, False)
    ==================================  ===============================  ==============

    Cosine restarts with peaks shrinking by μ and periods growing by τ (floor a = 0) sum to
    :math:`\sum_i (\mu\tau)^i` and :math:`\sum_i (\mu^2\tau)^i`; a cycling polynomial decay to 0
    adds :math:`\propto (k+1)^{-p}` to Σα and :math:`\propto (k+1)^{-2p}` to Σα² in cycle k;
    ``linear_warmup`` has the tail of the schedule it warms up.

    >>> robbins_monro_verdict(inverse_time_decay(0.1, 10, 1.0))   # α_t ∝ 1/t
    (True, True)
    >>> robbins_monro_verdict(exponential_decay(0.1, 10, 0.5))    # a geometric tail
    (False, True)
    """
    if not callable(schedule):
        schedule = as_schedule(schedule, "schedule")
    name, p = getattr(schedule, "name", None), getattr(schedule, "params", None)
    if name not in _VERDICT_NAMES or not isinstance(p, dict):
        raise ValueError("schedule must be a schedule of npfl_helpers.schedules (with .name and "
                         f".params) or a float > 0; got {schedule!r}")
    if name == "linear_warmup":
        return robbins_monro_verdict(p["schedule"])
    if name == "polynomial_decay" and p["end_lr"] == 0:
        if not p["cycle"]:
            return False, True  # zero after decay_steps: finitely many non-zero terms
        # cycling: block k (horizon (k+1)T) adds ∝ (k+1)^-p to Σα and ∝ (k+1)^-2p to Σα²
        return p["power"] <= 1.0, p["power"] > 0.5
    if name in ("constant", "piecewise_constant", "polynomial_decay"):
        return True, False  # the tail is a positive constant (end_lr > 0 for polynomial)
    if name == "exponential_decay":
        return (True, False) if p["decay_rate"] >= 1.0 else (False, True)
    if name == "inverse_time_decay":
        return True, True
    if name == "cosine_decay":
        return (True, False) if p["alpha"] > 0 else (False, True)
    if name == "cosine_decay_restarts":
        if p["alpha"] > 0:
            return True, False
        mu, tau = p["m_mul"], p["t_mul"]
        return mu * tau >= 1.0, mu * mu * tau < 1.0
    return True, False  # inverse_sqrt_decay: α_t ∝ 1/√t


_VERDICT_NAMES = ("constant", "exponential_decay", "polynomial_decay", "inverse_time_decay",
                  "cosine_decay", "cosine_decay_restarts", "piecewise_constant",
                  "inverse_sqrt_decay", "linear_warmup")


# ---------------------------------------------------------------------------------------------
# The mnist_training assignment's decay


_FACTORY_NAMES = ("constant", "exponential_decay", "polynomial_decay", "inverse_time_decay",
                  "cosine_decay", "cosine_decay_restarts", "piecewise_constant",
                  "inverse_sqrt_decay", "linear_warmup", "lr_schedule")

DECAYS = ("none", "linear", "exponential")
"""The learning-rate decays of the NPFL114 *mnist_training* assignment (:func:`lr_schedule`)."""


def lr_schedule(learning_rate: float, decay: str = "none", learning_rate_final=None,
                decay_steps: int = 1) -> Schedule:
    r"""The *mnist_training* learning rate: constant, or decayed to a final value.

    ===============  ==========================================================================
    ``decay``        :math:`\alpha_t` for :math:`t = 0, 1, \dots` updates done
    ===============  ==========================================================================
    ``"none"``       :math:`\alpha_0`
    ``"linear"``     :math:`\alpha_0 + (\alpha_T - \alpha_0)\,\min(t, T)/T`
                     (``polynomial_decay`` with power 1 and ``end_lr`` :math:`= \alpha_T`)
    ``"exponential"`` :math:`\alpha_0\,(\alpha_T/\alpha_0)^{t/T}`
                     (``exponential_decay`` with decay rate :math:`\alpha_T/\alpha_0`)
    ===============  ==========================================================================

    ====== ========================== ==============================================
    symbol argument                   meaning
    ====== ========================== ==============================================
    α₀     ``learning_rate``          the first update's learning rate (> 0)
    α_T    ``learning_rate_final``    the rate after the last update (> 0)
    T      ``decay_steps``            number of updates: epochs × batches per epoch
    ====== ========================== ==============================================

    The schedule is called with the number of updates already done (0 for the first), so the
    last update uses step :math:`T - 1`, and the rate *after the last batch* — at step
    :math:`T`, the one an optimiser reports once training has finished — is :math:`\alpha_T`.
    The linear schedule gives :math:`\alpha_T` there exactly; the exponential one gives
    :math:`\alpha_0 \cdot (\alpha_T/\alpha_0)`, which floating point may round one unit in the
    last place away from :math:`\alpha_T`.

    >>> s = lr_schedule(0.01, "linear", 0.0001, decay_steps=200)
    >>> s(0), s(200)
    (0.01, 0.0001)
    >>> s = lr_schedule(0.1, "exponential", 0.001, decay_steps=10)
    >>> round(float(s(5)), 12)   # halfway: the geometric mean of 0.1 and 0.001
    0.01
    """
    decay = check_choice("decay", decay, DECAYS)
    lr = check_range("learning_rate", learning_rate, 0, None, low_open=True, allow_array=False)
    if decay == "none":
        return constant(lr)
    final = check_range("learning_rate_final", learning_rate_final, 0, None, low_open=True,
                        allow_array=False)
    T = check_int("decay_steps", decay_steps, low=1)
    if decay == "linear":
        return polynomial_decay(lr, T, end_lr=final, power=1.0)
    return exponential_decay(lr, T, decay_rate=final / lr)
