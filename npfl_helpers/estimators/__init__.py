r"""Estimators: the sample mean and variance, their bias, variance and MSE measured by Monte
Carlo, maximum-likelihood estimates (consistency, efficiency), and the minibatch gradient as an
estimator of the full gradient.

=======================  ======================================================================
module                   what it holds
=======================  ======================================================================
``sample_statistics``    01: ``sample_mean``, ``sample_variance`` (ddof); bias, variance and MSE
                         of σ̂² by Monte Carlo (``variance_estimator_experiment``) and for any
                         divisor ``d`` of :math:`S = \sum_i (x_i - \bar x)^2`, measured and in
                         closed form (``variance_estimates``, ``variance_divisor_theory``,
                         ``variance_divisor_experiment``), from one fixed draw of standard
                         normal numbers (``variance_estimates_from_pool``); the density of S/d
                         (``variance_estimate_peak_density``, ``variance_histogram_range``);
                         ``EstimatorStats``, ``estimator_stats`` and ``standard_error`` for any
                         Monte-Carlo estimates
``mle``                  03: the categorical MLE (``empirical_distribution``); consistency
                         (``running_mle``, ``deviation_probability``,
                         ``exact_deviation_probability``); efficiency (``cramer_rao_bound``,
                         ``mean_median_experiment``, ``median_variance``)
``minibatch``            04: per-example gradients of an MLP, random minibatches as weight rows,
                         the minibatch gradient's noise measured (``gradient_noise``) and
                         predicted (``minibatch_variance``), the trained digits network
``_common``              limits on one experiment's draws, σ² of Monte-Carlo experiments
=======================  ======================================================================

Every public name is available here (``estimators.sample_variance``,
``estimators.running_mle``, ``estimators.gradient_noise``). Nothing here imports matplotlib or
ipywidgets.
"""

from .minibatch import *  # noqa: F403
from .minibatch import __all__ as _minibatch_all
from .mle import *  # noqa: F403
from .mle import __all__ as _mle_all
from .sample_statistics import *  # noqa: F403
from .sample_statistics import __all__ as _sample_statistics_all

__all__ = [*_sample_statistics_all, *_mle_all, *_minibatch_all]
