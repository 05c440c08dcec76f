r"""Explorers of notebook 02 (generalisation and capacity).

=================================  =====================================================
explorer                           what it shows
=================================  =====================================================
:func:`capacity_explorer`          a polynomial of degree D fitted to N noisy points, and
                                   the training and test error of every degree: under-
                                   and overfitting, the U-shaped curve
:func:`regularization_explorer`    L2 regularisation: the fit, the weights and the
                                   training and test error as λ moves
=================================  =====================================================

The numbers come from :mod:`npfl_helpers.generalization` (all degrees, or all λ, in one call);
the drawing from :mod:`npfl_helpers.plots.generalization`. A change of N or σ recomputes every
degree's fit (a few ms); a change of D or λ only moves artists.
"""

from __future__ import annotations

import numpy as np

from .. import generalization as gen
from .._validate import check_choice, check_int, check_range
from ..plots._style import sci_text
from ..plots.generalization import (
    fit_title,
    plot_capacity,
    plot_fit,
    plot_lambda_path,
    plot_weights,
    update_capacity,
    update_fit,
    update_lambda_path,
    update_weights,
)
from ._axes import decades, layout_engine, light_log_axis, set_ylim_sticky
from ._base import Explorer, explorer_figure
from ._controls import Controls

__all__ = ["capacity_explorer", "regularization_explorer"]

_CONTROLS = Controls(width="300px", label_width="96px")
_SIZES = (15, 20, 30, 50, 100, 200)
_N_TEST = 500  # test points per data set (200 of them drawn)


def _data(n: int, noise: float, target: str, seed: int):
    """A training set of size ``n`` and a test set; nested in ``n``, the same ε for every σ."""
    return (gen.sample(n, noise, target, seed), gen.sample(_N_TEST, noise, target, seed + 1))


# ----------------------------------------------------------------------------------------------
# capacity


class _CapacityExplorer(Explorer):
    """See :func:`capacity_explorer`."""

    def __init__(self, target: str = "sine", max_degree: int = 14, trials: int = 30, seed=0):
        self.target = check_choice("target", target, gen.TARGETS)
        self.max_degree = check_int("max_degree", max_degree, 1, min(_SIZES) - 1)
        self.trials = check_int("trials", trials, 2)
        self.seed = check_int("seed", seed, 0)
        self._key = None
        c = _CONTROLS
        controls = {
            "degree": c.int_slider("degree D", 4, 0, self.max_degree),
            "n": c.selection("N (training)", 20, list(_SIZES)),
            "noise": c.float_slider("noise σ", 0.3, 0.0, 1.0, 0.05),
        }
        fig = explorer_figure(figsize=(11.5, 4.6), layout=layout_engine(top=0.92))
        self.figure = fig
        ax_fit, ax_cap = fig.subplots(1, 2)
        self.ax_cap = ax_cap
        train, test = _data(20, 0.3, self.target, self.seed)
        self.fit = plot_fit(ax_fit, train, test, target=self.target, title=False)
        degrees = np.arange(self.max_degree + 1)
        self.capacity = plot_capacity(ax_cap, degrees, ylim=(1e-3, 1e2), zones="corners")
        light_log_axis(ax_cap.yaxis)
        ax_cap.legend(loc="lower left", fontsize=7.5, framealpha=0.9)
        self.text = self.title(10.5)
        cap = self.capacity
        self.animate(self.fit.train, self.fit.test, self.fit.fit, cap.train, cap.test,
                     cap.average, cap.average_train, cap.current, cap.best)
        super().__init__(fig, controls, columns=[["degree"], ["n"], ["noise"]])

    def _recompute(self, n: int, noise: float) -> None:
        train, test = _data(n, noise, self.target, self.seed)
        self.train, self.test = train, test
        self.curve = gen.capacity_curve(train, test, self.max_degree)
        self.average = gen.average_capacity_curve(n, noise, self.target, self.max_degree,
                                                  trials=self.trials, seed=self.seed + 2)
        update_fit(self.fit, self.curve.theta[0], train=train, test=test)
        update_capacity(self.capacity, self.curve.degrees, self.curve.train_mse,
                        self.curve.test_mse, average=self.average)
        # the bottom follows the smallest test / generalisation error (σ = 0 goes to 1e-11)
        lo = min(self.curve.test_mse.min(), self.average.generalization.min())
        set_ylim_sticky(self.ax_cap, max(lo / 3, 1e-12), 1e2, decades)
        self._d_star = self.average.best_degree

    def refresh(self) -> None:
        D = int(self.controls["degree"].value)
        n = int(self.controls["n"].value)
        noise = float(self.controls["noise"].value)
        if (n, noise) != self._key:
            self._recompute(n, noise)
            self._key = (n, noise)
        update_fit(self.fit, self.curve.theta[D, : D + 1])
        update_capacity(self.capacity, self.curve.degrees, current=D)
        self.text.set_text(f"{fit_title(D, self.curve.train_mse[D], self.curve.test_mse[D])}"
                           f"  ·  typical best D* = {self._d_star}")


def capacity_explorer(target: str = "sine", max_degree: int = 14, trials: int = 30,
                      seed=0) -> _CapacityExplorer:
    r"""Under- and overfitting, and the U-shaped curve of error against capacity.

    Left: ``N`` training points (blue) and test points (vermillion) of
    :math:`y = f(x) + \varepsilon`, the true :math:`f` (grey) and the least-squares polynomial
    of degree ``D`` (black). Right: training and test error of *every* degree for this training
    set (solid; one call of :func:`~npfl_helpers.generalization.capacity_curve`) and the median
    over ``trials`` training sets (dashed), whose minimum marks the optimal capacity.

    Controls: ``degree`` (0 … ``max_degree``), ``n`` (15 … 200 training points) and ``noise``
    σ (0 … 1). The data are nested in N and share the same noise draw for every σ, so the
    points move smoothly.
    """
    return _CapacityExplorer(target=target, max_degree=max_degree, trials=trials, seed=seed)


# ----------------------------------------------------------------------------------------------
# regularisation


_LOG_LAM = (-8.0, 1.0, 0.25)  # log10 λ: low, high, step (the slider's grid)


class _RegularizationExplorer(Explorer):
    """See :func:`regularization_explorer`."""

    def __init__(self, target: str = "sine", noise: float = 0.3, max_degree: int = 14, seed=0):
        self.target = check_choice("target", target, gen.TARGETS)
        self.noise = check_range("noise", noise, 0, allow_array=False)
        self.max_degree = check_int("max_degree", max_degree, 1, min(_SIZES) - 1)
        self.seed = check_int("seed", seed, 0)
        lo, hi, step = _LOG_LAM
        self.lams = 10.0 ** np.arange(lo, hi + step / 2, step)
        self._key = None
        c = _CONTROLS
        controls = {
            "lam": c.log_slider("λ", 1e-2, 10.0**lo, 10.0**hi, step=step),
            "degree": c.int_slider("degree D", 12, 1, self.max_degree),
            "n": c.selection("N (training)", 20, list(_SIZES[:-1])),
        }
        fig = explorer_figure(figsize=(12.5, 4.4), layout=layout_engine(top=0.91))
        self.figure = fig
        ax_fit, ax_w, ax_path = fig.subplots(1, 3, width_ratios=(1.15, 0.85, 1.0))
        train, test = _data(20, self.noise, self.target, self.seed)
        self.fit = plot_fit(ax_fit, train, test, target=self.target, title=False)
        self.bars = plot_weights(ax_w, np.ones(self.max_degree + 1))
        nan = np.full(self.lams.shape, np.nan)
        self.path = plot_lambda_path(ax_path, self.lams, nan, nan, ylim=(1e-3, 1e2))
        for axis in (ax_w.yaxis, ax_path.xaxis, ax_path.yaxis):
            light_log_axis(axis)
        ax_path.legend(loc="upper left", fontsize=8, framealpha=0.9)
        self.text = self.title(10.5)
        self.animate(self.fit.train, self.fit.test, self.fit.fit, *self.bars, self.path.train,
                     self.path.test, self.path.current)
        super().__init__(fig, controls, columns=[["lam"], ["degree"], ["n"]])

    def refresh(self) -> None:
        lam = float(self.controls["lam"].value)
        D = int(self.controls["degree"].value)
        n = int(self.controls["n"].value)
        if (D, n) != self._key:
            self.train, self.test = _data(n, self.noise, self.target, self.seed)
            self.lambda_path = gen.lambda_path(self.train, self.test, D, self.lams)
            update_fit(self.fit, np.zeros(1), train=self.train, test=self.test)
            p = self.lambda_path
            update_lambda_path(self.path, self.lams, p.train_mse, p.test_mse)
            self._key = (D, n)
        p = self.lambda_path
        i = int(np.argmin(np.abs(np.log10(self.lams) - np.log10(lam))))
        theta = p.theta[i]
        update_fit(self.fit, theta)
        update_weights(self.bars, theta)
        update_lambda_path(self.path, current=self.lams[i])
        best = int(np.argmin(p.test_mse))
        self.text.set_text(f"λ = {self.lams[i]:.2g}: ‖w‖ = {p.weight_norm[i]:.3g}, training MSE "
                           f"{sci_text(p.train_mse[i])}, test MSE {sci_text(p.test_mse[i])}  ·  "
                           f"best λ = {self.lams[best]:.2g}")


def regularization_explorer(target: str = "sine", noise: float = 0.3, max_degree: int = 14,
                            seed=0) -> _RegularizationExplorer:
    r"""L2 regularisation of a polynomial fit, :math:`J = \text{MSE} + \lambda\lVert w\rVert^2`.

    Left: training and test points, the true :math:`f` and the fit for the chosen
    :math:`\lambda`; middle: :math:`|\theta_k|` (log scale; grey: the unpenalised bias); right:
    training and test error against :math:`\lambda` (log–log) with the current one marked.

    Controls: ``lam`` (:math:`10^{-8}` … 10, a quarter decade per step), ``degree``
    (1 … ``max_degree``) and ``n`` (15 … 100 training points). The whole λ path is computed in
    one call when D or N changes; moving λ only picks a precomputed fit.
    """
    return _RegularizationExplorer(target=target, noise=noise, max_degree=max_degree, seed=seed)
