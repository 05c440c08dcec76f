r"""The explorer of notebook 01 (estimators and bias): a Monte-Carlo experiment on the sample
variance, with sliders for the sample size :math:`n`, the true variance :math:`\sigma^2` and the
number of trials.

The estimates are computed by :func:`npfl_helpers.estimators.variance_estimates_from_pool` (one
pool of standard normal numbers for every setting); the figure is
:func:`npfl_helpers.plots.variance_estimator_figure`.

>>> ex = variance_estimator_explorer()
>>> ex.controls["n"].value = 2
>>> ex.title_text.get_text().startswith("n = 2:")
True
"""

from __future__ import annotations

import numpy as np

from .._validate import check_int
from ..estimators import variance_estimates_from_pool
from ..plots import update_variance_estimator_figure, variance_estimator_figure
from ._axes import layout_engine
from ._base import Explorer, explorer_figure
from ._controls import Controls

__all__ = ["variance_estimator_explorer"]

_c = Controls(width="330px", label_width="110px")

#: The choices of the trials slider; the largest is the size of the pool of random numbers.
TRIALS = (100, 200, 500, 1000, 2000, 5000, 10_000, 20_000)
N_MAX = 50


class VarianceEstimatorExplorer(Explorer):
    """See :func:`variance_estimator_explorer`."""

    def __init__(self, seed=0):
        # one pool of standard normal numbers, drawn once: a trial is a row, a sample its first
        # n entries, scaled by σ. Moving a slider changes only what it controls.
        self.pool = np.random.default_rng(seed).standard_normal((TRIALS[-1], N_MAX))
        self.figure = fig = explorer_figure((13.5, 4.4), layout=layout_engine(0.9))
        n, sigma2, trials = 5, 1.0, 5000
        _, self.art = variance_estimator_figure(self._estimates(n, sigma2, trials), n, sigma2,
                                                t_max=TRIALS[-1], figure=fig)
        h, r, b = self.art.histograms, self.art.running, self.art.bias
        self.animate(*h.steps.values(), *h.means.values(), *h.predicted.values(), h.true,
                     *r.running.values(), *r.predicted.values(), *b.points.values(),
                     *b.errorbars.values())
        self.title_text = self.title()
        controls = {
            "n": _c.int_slider("sample size n", n, 2, N_MAX),
            "sigma2": _c.log_slider("true σ²", sigma2, 0.1, 10.0),
            "trials": _c.selection("trials", trials, list(TRIALS)),
        }
        super().__init__(fig, controls, columns=[["n", "sigma2", "trials"]])

    def _estimates(self, n: int, sigma2: float, trials: int) -> np.ndarray:
        """``S/(n − 1)`` and ``S/n`` of the first ``trials`` samples of the pool."""
        return variance_estimates_from_pool(self.pool, n, sigma2, trials, [n - 1, n])

    def refresh(self) -> None:
        n = int(self.controls["n"].value)
        sigma2 = float(self.controls["sigma2"].value)
        trials = int(self.controls["trials"].value)
        est = self._estimates(n, sigma2, trials)
        update_variance_estimator_figure(self.art, est, n, sigma2)
        mean_mle = float(est[1].mean())
        se = float(est[1].std()) / np.sqrt(trials)
        # short: the title is redrawn on every change, and text is the slowest thing to draw
        self.title_text.set_text(f"n = {n}: ÷n averages {mean_mle:.3g} ± {se:.1g}, "
                                 f"predicted (1 − 1/n)σ² = {(1 - 1 / n) * sigma2:.3g}")


def variance_estimator_explorer(seed=0) -> VarianceEstimatorExplorer:
    r"""The sample variance by Monte Carlo: :math:`S/(n-1)` against :math:`S/n`.

    :math:`S = \sum_i (x_i - \hat\mu)^2` on ``trials`` samples of size :math:`n` from
    :math:`\mathcal N(0, \sigma^2)`, all from one pool of random numbers drawn at
    construction. Left: histograms of both estimates with their measured means (dashed), the
    predicted means :math:`\sigma^2` and :math:`(1 - \frac1n)\sigma^2` (dotted) and the true
    :math:`\sigma^2`; middle: the mean of the first :math:`t` estimates against :math:`t`;
    right: the bias :math:`/\sigma^2` against :math:`n`, theory and this experiment.

    Controls: ``n`` (2–50), ``sigma2`` (0.1–10, log), ``trials`` (100–20,000).
    """
    return VarianceEstimatorExplorer(seed=check_int("seed", seed, 0))
