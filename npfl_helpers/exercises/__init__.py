r"""``check_*`` functions that give a learner instant, specific feedback.

Each checker takes the learner's function (or answer), compares it with the package's reference
on several seeded random inputs, prints one message and returns ``True`` or ``False``:

- on success, how many inputs were checked;
- on a mismatch, which output differs on which input, the expected and the received values, and
  a hint that names the likely mistake (a sign, a missing :math:`(1 - \beta)`, the order of the
  updates, ...);
- for a skeleton that still raises ``NotImplementedError``, a friendly "not implemented yet";
- for any other exception (``SystemExit`` too), its type and message; for a result that is not
  a real number or array (``None``, complex, text, ...), what is wrong with it; for a function
  that runs longer than :data:`settings` ``.time_limit`` seconds (default 5), that it did not
  finish. A checker never raises because of the learner's code, so a notebook with unfinished
  exercises still runs top to bottom. (How: :mod:`._harness`.)

One module per notebook topic: :mod:`.statistics` (01), :mod:`.likelihood` (03),
:mod:`.gradient_descent` (04), :mod:`.backprop` (05),
:mod:`.training` (06), :mod:`.momentum` (07), :mod:`.adaptive` (08), :mod:`.schedules` (09).
Arguments come in the order of the package function a checker compares with.

====================================  ==============================================================
checker                               the learner writes
====================================  ==============================================================
:func:`check_unbiased_variance`       ``unbiased_variance(x) -> variance`` (one per row of x)
:func:`check_kl_divergence`           ``kl_divergence(p, q) -> kl``
``check_gaussian_log_likelihood``     ``gaussian_log_likelihood(x, mu, sigma2) -> loglik``
:func:`check_minibatch_variance`      ``minibatch_variance(sigma2, N, m) -> variance``
:func:`check_filter_normalize`        ``filter_normalize(D, W) -> D_normalised`` (columns rescaled)
:func:`check_tanh_backward`           ``tanh_backward(h, g_h) -> g_a``
:func:`check_mlp_backward`            ``backward(X, y, W1, b1, W2, b2)``
                                      ``-> (g_W1, g_b1, g_W2, g_b2)``
:func:`check_momentum_step`           ``momentum_step(theta, v, g, lr, beta) -> (theta, v)``
:func:`check_nesterov_step`           ``nesterov_step(theta, v, grad_fn, lr, beta) -> (theta, v)``
:func:`check_rmsprop_step`            ``rmsprop_step(theta, r, g, lr, beta, eps) -> (theta, r)``
:func:`check_adam_bias_correction`    ``adam_step(theta, t, s, r, g, lr, beta1, beta2, eps)``
                                      ``-> (theta, t, s, r)``
:func:`check_cosine_decay`            ``cosine_decay(t, initial_lr, decay_steps, alpha) -> lr``
:func:`check_lr_bound`                a number: the largest stable GD learning rate for a matrix A
:func:`check_momentum_matrix`         ``momentum_matrix(lr, beta, lam) -> M``: one momentum step
                                      along an eigendirection, (u, v) ← M (u, v)
:func:`check_critical_beta`           ``critical_beta(lr, lam) -> beta``: critical damping
:func:`check_equal_floor_lr`          a number: the α at which momentum stalls at SGD's noise floor
:func:`check_robbins_monro`           a dict: which schedules of :data:`ROBBINS_MONRO_QUIZ` satisfy
                                      the Robbins–Monro conditions
====================================  ==============================================================

>>> def momentum_step(theta, v, g, lr, beta):
...     raise NotImplementedError
>>> check_momentum_step(momentum_step)
✘ momentum_step is not implemented yet: replace `raise NotImplementedError` with your code.
False
"""


from ._harness import NO as NO  # the marks that open every message: ✘ and ✔
from ._harness import OK as OK
from ._harness import settings
from .adaptive import check_adam_bias_correction, check_rmsprop_step
from .backprop import check_tanh_backward
from .generalization import check_lambda_choice, check_ridge
from .gradient_descent import check_filter_normalize, check_minibatch_variance
from .likelihood import check_gaussian_log_likelihood, check_kl_divergence
from .momentum import (
    check_critical_beta,
    check_equal_floor_lr,
    check_lr_bound,
    check_momentum_matrix,
    check_momentum_step,
    check_nesterov_step,
)
from .playground import check_diverging_lr
from .schedules import ROBBINS_MONRO_QUIZ, check_cosine_decay, check_robbins_monro
from .statistics import check_unbiased_variance
from .training import check_mlp_backward

__all__ = [
    "ROBBINS_MONRO_QUIZ",
    "check_adam_bias_correction",
    "check_cosine_decay",
    "check_critical_beta",
    "check_equal_floor_lr",
    "check_diverging_lr",
    "check_filter_normalize",
    "check_gaussian_log_likelihood",
    "check_kl_divergence",
    "check_lambda_choice",
    "check_lr_bound",
    "check_minibatch_variance",
    "check_mlp_backward",
    "check_momentum_matrix",
    "check_momentum_step",
    "check_nesterov_step",
    "check_ridge",
    "check_rmsprop_step",
    "check_robbins_monro",
    "check_tanh_backward",
    "check_unbiased_variance",
    "settings",
]
