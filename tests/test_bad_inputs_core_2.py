"""Bad and borderline inputs to the newer core modules, as a table.

The same contract as ``test_bad_inputs_core.py``, for ``generalization``, ``quadratic_theory``,
``trajectories``, ``backprop_stepper``, the maximum-likelihood and divisor parts of
``estimators`` and ``live_training``. Every row of ``BAD`` is ``(id, callable, kwargs, exception
type, parameter)``: calling ``callable(**kwargs)`` must raise that exception (TypeError for a
wrong kind of argument, ValueError for a wrong value) with a message that names the parameter,
and no warning on the way. Every row of ``EDGE`` is a valid input at the edge of the float range:
it must return the stated result, without a warning.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from _bad_inputs import (
    WRONG_KIND,
    T,
    V,
    array_rows,
    assert_unique_ids,
    check_bad,
    check_edge,
    non_finite,
    row,
)

from npfl_helpers import backprop_stepper, estimators, live_training, quadratic_theory, trajectories
from npfl_helpers import generalization as gen

arrays = array_rows(WRONG_KIND, non_finite(0.5))


# -- generalization ------------------------------------------------------------------------------
XS, YS = gen.sample(20, seed=0)
XT, YT = gen.sample(30, seed=1)
TRAIN, TEST = (XS, YS), (XT, YT)
FEAT = gen.polynomial_features(XS, 2)
TH3 = np.array([0.1, 0.2, 0.3])
OBJ = {"theta": TH3, "X": FEAT, "y": YS}
FIT = {"x": XS, "y": YS, "degree": 3}
PAIRS = {"train": TRAIN, "test": TEST}
SEL = {"train": TRAIN, "val": TEST, "test": TEST, "degrees": [1, 2], "lams": [0.0, 0.1]}
BAD = [
    row("sample:n=1e12", gen.sample, {"n": 10**12}, V, "n"),
    row("sample:trials=1e12", gen.sample, {"n": 10, "trials": 10**12}, V, "trials"),
    row("sample:noise=1e300", gen.sample, {"n": 10, "noise": 1e300}, V, "noise"),
    row("polynomial_features:degree=1e12", gen.polynomial_features, {"x": XS, "degree": 10**12},
        V, "degree"),
    row("polynomial_features:degree=str", gen.polynomial_features, {"x": XS, "degree": "3"}, T,
        "degree"),
    row("least_squares:penalize_bias=str", gen.least_squares,
        {"X": FEAT, "y": YS, "penalize_bias": "no"}, T, "penalize_bias"),
    *arrays("objective", gen.objective, OBJ, "theta"),
    *arrays("objective", gen.objective, OBJ, "X"),
    *arrays("objective", gen.objective, OBJ, "y"),
    row("objective:theta-shape", gen.objective, {**OBJ, "theta": np.zeros(4)}, V, "theta"),
    row("objective:X-1d", gen.objective, {**OBJ, "X": np.zeros(20)}, V, "X"),
    row("objective:y-length", gen.objective, {**OBJ, "y": np.zeros(3)}, V, "y"),
    row("objective:lam<0", gen.objective, {**OBJ, "lam": -1.0}, V, "lam"),
    row("objective:penalize_bias=str", gen.objective, {**OBJ, "penalize_bias": "yes"}, T,
        "penalize_bias"),
    *arrays("objective_grad", gen.objective_grad, OBJ, "theta"),
    *arrays("objective_grad", gen.objective_grad, OBJ, "X"),
    row("objective_grad:theta-shape", gen.objective_grad, {**OBJ, "theta": np.zeros(2)}, V,
        "theta"),
    row("objective_grad:lam=nan", gen.objective_grad, {**OBJ, "lam": np.nan}, V, "lam"),
    *arrays("fit_polynomial", gen.fit_polynomial, FIT, "y"),
    row("fit_polynomial:degree=1e12", gen.fit_polynomial, {**FIT, "degree": 10**12}, V, "degree"),
    row("fit_polynomial:degree>=N", gen.fit_polynomial, {**FIT, "degree": 25}, V, "degree"),
    row("fit_polynomial:penalize_bias=1", gen.fit_polynomial, {**FIT, "penalize_bias": 1}, T,
        "penalize_bias"),
    row("fit_all_degrees:y=None", gen.fit_all_degrees,
        {"x": XS, "y": None, "max_degree": 3}, T, "y"),
    row("fit_all_degrees:max_degree=1e12", gen.fit_all_degrees,
        {"x": XS, "y": YS, "max_degree": 10**12}, V, "max_degree"),
    *arrays("predict", gen.predict, {"theta": TH3, "x": XS}, "theta"),
    row("predict:theta-batch", gen.predict, {"theta": np.zeros((3, 2)), "x": np.zeros((2, 5))},
        V, "theta"),
    *arrays("mean_squared_error", gen.mean_squared_error, {"pred": YS, "y": YT[:20]}, "pred"),
    *arrays("mean_squared_error", gen.mean_squared_error, {"pred": YS, "y": YT[:20]}, "y"),
    row("mean_squared_error:empty", gen.mean_squared_error, {"pred": [], "y": []}, V, "pred"),
    row("mean_squared_error:shapes", gen.mean_squared_error, {"pred": YS, "y": YT}, V, "pred"),
    row("generalization_error:noise=1e300", gen.generalization_error,
        {"theta": TH3, "noise": 1e300}, V, "noise"),
    row("generalization_error:theta=None", gen.generalization_error, {"theta": None}, T,
        "theta"),
    *[row(f"capacity_curve:{p}={tag}", gen.capacity_curve, {**PAIRS, "max_degree": 3, p: bad},
          exc, p)
      for p in ("train", "test")
      for bad, exc, tag in [(None, T, "None"), (1.0, T, "number"), ("ab", T, "str"),
                            ((XS,), T, "one-array"), ((XS, YS[:5]), V, "lengths"),
                            ((XS * 2, YS), V, "x-outside"), ((XS, None), T, "y-None")]],
    row("capacity_curve:test-batch", gen.capacity_curve,
        {"train": (np.zeros((3, 20)) + XS, np.zeros((3, 20)) + YS),
         "test": (np.zeros((2, 30)) + XT, np.zeros((2, 30)) + YT), "max_degree": 2}, V, "test"),
    row("average_capacity_curve:trials=None", gen.average_capacity_curve,
        {"n": 20, "trials": None}, T, "trials"),
    row("average_capacity_curve:trials=1e12", gen.average_capacity_curve,
        {"n": 20, "trials": 10**12}, V, "trials"),
    *[row(f"lambda_path:{p}=None", gen.lambda_path, {**PAIRS, "degree": 3, "lams": [0.1], p: None},
          T, p) for p in ("train", "test")],
    row("lambda_path:lams<0", gen.lambda_path, {**PAIRS, "degree": 3, "lams": [-1.0]}, V, "lams"),
    row("lambda_path:lams=0-too-few-points", gen.lambda_path,
        {**PAIRS, "degree": 25, "lams": [0.0, 0.1]}, V, "lams"),
    row("lambda_path:lams=None", gen.lambda_path, {**PAIRS, "degree": 3, "lams": None}, T, "lams"),
    row("lambda_path:degree=1e12", gen.lambda_path, {**PAIRS, "degree": 10**12, "lams": [0.1]},
        V, "degree"),
    *[row(f"select_on_validation:{p}=None", gen.select_on_validation, {**SEL, p: None}, T, p)
      for p in ("train", "val", "test")],
    row("select_on_validation:degrees=[]", gen.select_on_validation, {**SEL, "degrees": []}, V,
        "degrees"),
    row("select_on_validation:degrees=2.5", gen.select_on_validation, {**SEL, "degrees": [2.5]},
        V, "degrees"),
    row("select_on_validation:degrees=None", gen.select_on_validation, {**SEL, "degrees": None},
        T, "degrees"),
    row("select_on_validation:lams=0-too-few-points", gen.select_on_validation,
        {**SEL, "degrees": [25]}, V, "lams"),
    row("selection_bias:n_train=0", gen.selection_bias, {"trials": 10, "n_train": 0}, V,
        "n_train"),
    row("selection_bias:n_val=str", gen.selection_bias, {"trials": 10, "n_val": "5"}, T,
        "n_val"),
    row("selection_bias:n_test=1e12", gen.selection_bias, {"trials": 10, "n_test": 10**12}, V,
        "n_test"),
    row("rank_swap:processes=None", gen.rank_swap, {"processes": None}, T, "processes"),
    row("rank_swap:processes=str", gen.rank_swap, {"processes": "line"}, T, "processes"),
    row("rank_swap:processes=[]", gen.rank_swap, {"processes": []}, T, "processes"),
    row("rank_swap:degrees=[]", gen.rank_swap, {"degrees": []}, V, "degrees"),
    row("rank_swap:degrees=None", gen.rank_swap, {"degrees": None}, T, "degrees"),
    row("rank_swap:trials=None", gen.rank_swap, {"trials": None}, T, "trials"),
    row("rank_swap:n=1e12", gen.rank_swap, {"n": 10**12}, V, "n"),
    row("off_training_set_errors:train=None", gen.off_training_set_errors, {"train": None}, T,
        "train"),
    row("off_training_set_errors:train=[]", gen.off_training_set_errors, {"train": []}, V,
        "train"),
    row("off_training_set_errors:train-float", gen.off_training_set_errors, {"train": [0.5]}, V,
        "train"),
]

# -- quadratic_theory ----------------------------------------------------------------------------
QT = quadratic_theory
PD = {"name": "momentum", "kappa": 10.0, "steps": 5, "lrs": [0.01, 0.1], "betas": [0.0, 0.5]}
DE = {"name": "momentum", "lr": 0.1, "beta": 0.5, "lambdas": [1.0, 5.0], "u0": [1.0, 1.0],
      "steps": 5}
BAD += [
    row("noisy_gradient:grad_fn=None", QT.noisy_gradient, {"grad_fn": None, "sigma": 1.0}, T,
        "grad_fn"),
    row("noisy_gradient:seed=str", QT.noisy_gradient,
        {"grad_fn": lambda th: th, "sigma": 1.0, "seed": "a"}, T, "seed"),
    row("noisy_gradient:seed=-1", QT.noisy_gradient,
        {"grad_fn": lambda th: th, "sigma": 1.0, "seed": -1}, V, "seed"),
    row("noisy_gradient:theta=complex", lambda: QT.noisy_gradient(lambda th: th, 1.0)(1j), {}, T,
        "theta"),
    row("noisy_gradient:grad_fn-returns-None",
        lambda: QT.noisy_gradient(lambda th: None, 1.0)(np.ones(2)), {}, T, "grad_fn"),
    *arrays("phase_diagram", QT.phase_diagram, PD, "lrs"),
    *arrays("phase_diagram", QT.phase_diagram, PD, "betas"),
    row("phase_diagram:lrs=[]", QT.phase_diagram, {**PD, "lrs": []}, V, "lrs"),
    row("phase_diagram:lrs<0", QT.phase_diagram, {**PD, "lrs": [0.1, -0.1]}, V, "lrs"),
    row("phase_diagram:lrs-scalar", QT.phase_diagram, {**PD, "lrs": 0.1}, V, "lrs"),
    row("phase_diagram:betas<0", QT.phase_diagram, {**PD, "betas": [-0.5]}, V, "betas"),
    row("phase_diagram:betas=1", QT.phase_diagram, {**PD, "betas": [1.0]}, V, "betas"),
    *arrays("convergence_rate", QT.convergence_rate,
            {"name": "sgd", "lr": 0.1, "beta": 0.0, "lambdas": [1.0, 5.0]}, "lambdas"),
    row("convergence_rate:lambdas-2d", QT.convergence_rate,
        {"name": "sgd", "lr": 0.1, "beta": 0.0, "lambdas": np.ones((2, 2))}, V, "lambdas"),
    row("convergence_rate:lr*lambdas-overflows", QT.convergence_rate,
        {"name": "sgd", "lr": 1e300, "beta": 0.0, "lambdas": [1.0]}, V, "lambdas"),
    row("iteration_eigenvalues:lr*lam-overflows", QT.iteration_eigenvalues,
        {"name": "momentum", "lr": 1e200, "beta": 0.5, "lam": 1.0}, V, "lam"),
    row("damping:lr*lam-overflows", QT.damping,
        {"name": "momentum", "lr": 1.0, "beta": 0.5, "lam": 1e300}, V, "lam"),
    row("stability_limit:lam_max=None", QT.stability_limit,
        {"name": "sgd", "beta": 0.0, "lam_max": None}, T, "lam_max"),
    row("stability_limit:lam_max=0", QT.stability_limit,
        {"name": "sgd", "beta": 0.0, "lam_max": 0.0}, V, "lam_max"),
    row("heavy_ball_optimum:lambda_min>lambda_max", QT.heavy_ball_optimum,
        {"lambda_min": 10.0, "lambda_max": 1.0}, V, "lambda_min"),
    row("direction_errors:lambdas=str", QT.direction_errors, {**DE, "lambdas": "ab"}, T,
        "lambdas"),
    row("direction_errors:u0-shape", QT.direction_errors, {**DE, "u0": [1.0, 1.0, 1.0]}, V,
        "u0"),
    row("direction_errors:noise-shape", QT.direction_errors,
        {**DE, "noise": np.zeros((5, 3))}, V, "noise"),
    row("direction_errors:steps=1e12", QT.direction_errors, {**DE, "steps": 10**12}, V, "steps"),
    row("noise_floor:lambdas=str", QT.noise_floor, {"lr": 0.1, "sigma": 1.0, "lambdas": "ab"}, T,
        "lambdas"),
    row("noise_floor:lr-beyond-stability", QT.noise_floor,
        {"lr": 0.1, "sigma": 1.0, "lambdas": [1e3]}, V, "lambdas"),
]

# -- trajectories --------------------------------------------------------------------------------
TR = trajectories
RUN = np.cumsum(np.ones((5, 2)), axis=0)
BOX = ((-1.0, 1.0), (-1.0, 1.0))
VP = {"xy": RUN, "upto": 3, "bounds": BOX}
BAD += [
    *arrays("as_runs", TR.as_runs, {"thetas": RUN}, "thetas", finite=False),
    *arrays("diverged_runs", TR.diverged_runs, {"runs": RUN}, "runs", finite=False),
    row("diverged_runs:diverged=str", TR.diverged_runs, {"runs": RUN, "diverged": "yes"}, T,
        "diverged"),
    row("diverged_runs:diverged-float", TR.diverged_runs, {"runs": RUN, "diverged": [0.5]}, T,
        "diverged"),
    row("diverged_runs:diverged-length", TR.diverged_runs,
        {"runs": np.zeros((3, 2, 2)), "diverged": [True] * 3}, V, "diverged"),
    row("exit_point:p=None", TR.exit_point, {"p": None, "q": [2.0, 0.0], "bounds": BOX}, T, "p"),
    row("exit_point:p-scalar", TR.exit_point, {"p": 0.0, "q": [2.0, 0.0], "bounds": BOX}, V,
        "p"),
    row("exit_point:q=inf", TR.exit_point, {"p": [0.0, 0.0], "q": [np.inf, 0.0], "bounds": BOX},
        V, "q"),
    row("exit_point:bounds=None", TR.exit_point, {"p": [0.0, 0.0], "q": [2.0, 0.0],
                                                  "bounds": None}, T, "bounds"),
    row("exit_point:bounds-shape", TR.exit_point, {"p": [0.0, 0.0], "q": [2.0, 0.0],
                                                   "bounds": (-1, 1)}, V, "bounds"),
    *arrays("visible_path", TR.visible_path, VP, "xy", finite=False),
    row("visible_path:xy=[]", TR.visible_path, {**VP, "xy": np.zeros((0, 2))}, V, "xy"),
    row("visible_path:xy-scalar", TR.visible_path, {**VP, "xy": 1.0}, V, "xy"),
    row("visible_path:bounds=None", TR.visible_path, {**VP, "bounds": None}, T, "bounds"),
    row("visible_path:bounds-nan", TR.visible_path, {**VP, "bounds": ((0, np.nan), (0, 1))}, V,
        "bounds"),
    row("visible_path:flagged=array", TR.visible_path, {**VP, "flagged": np.array([True, False])},
        T, "flagged"),
    row("visible_path:upto=-1", TR.visible_path, {**VP, "upto": -1}, V, "upto"),
    *arrays("loss_curve", TR.loss_curve, {"losses": [3.0, 1.0]}, "losses", finite=False),
    row("loss_curve:floor=0", TR.loss_curve, {"losses": [3.0, 1.0], "f_min": 1.0, "floor": 0.0},
        V, "floor"),
    row("loss_curve:floor=None", TR.loss_curve, {"losses": [3.0, 1.0], "floor": None}, T,
        "floor"),
    row("loss_curve:f_min=str", TR.loss_curve, {"losses": [3.0, 1.0], "f_min": "0"}, T, "f_min"),
    row("loss_curve:f_min-array", TR.loss_curve, {"losses": [3.0, 1.0], "f_min": [0.0, 1.0]}, V,
        "f_min"),
    *arrays("stack_curves", TR.stack_curves, {"values": [1.0, 2.0]}, "values", finite=False,
            skip=("dict",)),  # a mapping name → curve is allowed
    row("stack_curves:values-3d", TR.stack_curves, {"values": np.zeros((2, 2, 2))}, V, "values"),
    row("stack_curves:values={}", TR.stack_curves, {"values": {}}, V, "values"),
    row("stack_curves:values-mapping-None", TR.stack_curves, {"values": {"a": None}}, T,
        "values"),
    row("stack_curves:labels-length", TR.stack_curves, {"values": np.zeros((3, 2)),
                                                        "labels": ["a"]}, V, "labels"),
    row("stack_curves:labels=str", TR.stack_curves, {"values": np.zeros((3, 2)),
                                                     "labels": "ab"}, T, "labels"),
    row("stack_runs:trajectories=None", TR.stack_runs, {"trajectories": None}, T, "trajectories"),
    row("stack_runs:trajectories=list", TR.stack_runs, {"trajectories": [RUN]}, T,
        "trajectories"),
    row("stack_runs:trajectories={}", TR.stack_runs, {"trajectories": {}}, V, "trajectories"),
    row("stack_runs:trajectories-None-path", TR.stack_runs, {"trajectories": {"a": None}}, T,
        "trajectories"),
    row("stack_runs:trajectories-shape", TR.stack_runs, {"trajectories": {"a": np.zeros((3, 3))}},
        V, "trajectories"),
    row("stack_runs:losses=list", TR.stack_runs, {"trajectories": {"a": RUN}, "losses": [1.0]}, T,
        "losses"),
    row("stack_runs:losses-missing", TR.stack_runs, {"trajectories": {"a": RUN},
                                                     "losses": {"b": [1.0]}}, V, "losses"),
    row("stack_runs:loss_fn=str", TR.stack_runs, {"trajectories": {"a": RUN}, "loss_fn": "f"}, T,
        "loss_fn"),
    row("stack_runs:loss_fn-shape", TR.stack_runs, {"trajectories": {"a": RUN},
                                                    "loss_fn": lambda xy: xy}, V, "loss_fn"),
]

# -- backprop_stepper ----------------------------------------------------------------------------
BS = backprop_stepper
BAD += [
    row("backprop_steps:root=None", BS.backprop_steps, {"root": None}, T, "root"),
    row("backprop_steps:root=float", BS.backprop_steps, {"root": 1.0}, T, "root"),
    row("box_label:node=None", BS.box_label, {"node": None}, T, "node"),
    row("box_label:node=str", BS.box_label, {"node": "L"}, T, "node"),
    row("box_label:value_known=str", BS.box_label, {"node": BS.lecture_graph(),
                                                    "value_known": "yes"}, T, "value_known"),
    row("box_label:grad_known=None", BS.box_label, {"node": BS.lecture_graph(),
                                                    "grad_known": None}, T, "grad_known"),
    row("superscript:p=None", BS.superscript, {"p": None}, T, "p"),
    row("superscript:p=str", BS.superscript, {"p": "2"}, T, "p"),
    row("superscript:p=nan", BS.superscript, {"p": np.nan}, V, "p"),
]

# -- estimators (maximum likelihood, divisors) ---------------------------------------------------
E = estimators
EST = E.running_mle("bernoulli", 0.3, 10, 20)
BAD += [
    row("estimator_stats:axis=None", E.estimator_stats,
        {"estimates": [1.0, 3.0], "true_value": 1.0, "axis": None}, T, "axis"),
    row("estimator_stats:axis=5", E.estimator_stats,
        {"estimates": [1.0, 3.0], "true_value": 1.0, "axis": 5}, V, "axis"),
    row("estimator_stats:axis=str", E.estimator_stats,
        {"estimates": [1.0, 3.0], "true_value": 1.0, "axis": "a"}, T, "axis"),
    row("standard_error:axis=True", E.standard_error, {"values": [1.0, 3.0], "axis": True}, T,
        "axis"),
    row("standard_error:axis=2", E.standard_error, {"values": [1.0, 3.0], "axis": 2}, V, "axis"),
    row("variance_divisor_experiment:n=1e12", E.variance_divisor_experiment, {"n": 10**12}, V,
        "n"),
    row("variance_divisor_experiment:seed=str", E.variance_divisor_experiment,
        {"n": 5, "trials": 10, "seed": "a"}, T, "seed"),
    row("variance_divisor_experiment:sigma2=1e300", E.variance_divisor_experiment,
        {"n": 5, "sigma2": 1e300, "trials": 10}, V, "sigma2"),
    row("variance_estimator_experiment:sigma2=1.7e308", E.variance_estimator_experiment,
        {"n": 5, "sigma2": 1.7e308, "trials": 10}, V, "sigma2"),
    row("empirical_distribution:K=1e12", E.empirical_distribution, {"x": [0], "K": 10**12}, V,
        "K"),
    row("running_mle:m_max=1e12", E.running_mle,
        {"family": "gaussian", "theta": 0.0, "m_max": 10**12, "runs": 5}, V, "m_max"),
    row("running_mle:seed=1.5", E.running_mle,
        {"family": "gaussian", "theta": 0.0, "m_max": 5, "runs": 5, "seed": 1.5}, T, "seed"),
    row("deviation_probability:theta-shape", E.deviation_probability,
        {"estimates": EST, "theta": np.ones((2, 2)), "eps": 0.1}, V, "theta"),
    row("exact_deviation_probability:m=[]", E.exact_deviation_probability,
        {"family": "bernoulli", "theta": 0.3, "m": [], "eps": 0.1}, V, "m"),
    row("exact_deviation_probability:m=1e12", E.exact_deviation_probability,
        {"family": "bernoulli", "theta": 0.3, "m": 10**12, "eps": 0.1}, V, "m"),
    row("mean_median_experiment:runs=1e12", E.mean_median_experiment,
        {"m": [1, 3], "runs": 10**12}, V, "runs"),
    row("mean_median_experiment:seed=-1", E.mean_median_experiment,
        {"m": [1, 3], "runs": 10, "seed": -1}, V, "seed"),
]

# -- live_training -------------------------------------------------------------------------------
LT = live_training
BAD += [
    row("lr_notches:low=None", LT.lr_notches, {"low": None}, T, "low"),
    row("lr_notches:low=0", LT.lr_notches, {"low": 0.0}, V, "low"),
    row("lr_notches:high=str", LT.lr_notches, {"high": "1"}, T, "high"),
    row("lr_notches:high<low", LT.lr_notches, {"low": 1.0, "high": 0.1}, V, "high"),
    row("make_optimizer:name=None", LT.make_optimizer, {"name": None, "lr": 0.1}, T, "name"),
    row("make_optimizer:name=nadam", LT.make_optimizer, {"name": "nadam", "lr": 0.1}, V, "name"),
]


@pytest.mark.parametrize(("fn", "kwargs", "exc", "param"), [r[1:] for r in BAD],
                         ids=[r[0] for r in BAD])
def test_bad_input_raises_a_clear_error_naming_the_parameter(fn, kwargs, exc, param):
    check_bad(fn, kwargs, exc, param)


def test_ids_are_unique():
    assert_unique_ids(BAD)


# -- borderline inputs that must work ------------------------------------------------------------
INF = np.inf
X5 = gen.polynomial_features(np.linspace(-1.0, 1.0, 5), 2)
EDGE = [
    ("mean_squared_error ±1e300", lambda: gen.mean_squared_error([1e300], [-1e300]), INF),
    ("mean_squared_error 1e200 rows", lambda: gen.mean_squared_error(
        np.full((2, 3), 1e200), [0.0, 0.0, 0.0]), [INF, INF]),
    # (1e154)² / 2 = 5e307: the squares are scaled, so the finite mean is not lost
    ("mean_squared_error squares overflow, mean fits", lambda: gen.mean_squared_error(
        [1.3e154, 0.0], [0.0, 0.0]), 1.3e154**2 / 2),
    ("objective with overflowing θ", lambda: gen.objective(np.array([1e200, 1e200, 0.0]), X5,
                                                           np.zeros(5)), INF),
    ("objective_grad with lam = 1.7e308 keeps the bias finite", lambda: float(gen.objective_grad(
        np.ones(3), X5, np.zeros(5), 1.7e308)[0]), 2 / 5 * float(X5.sum())),
    ("fit_polynomial lam = 1.7e308: weights vanish, bias = mean", lambda: gen.fit_polynomial(
        XS, YS, 2, 1.7e308)[0], float(np.mean(YS))),
    ("fit_all_degrees lam = 1.7e308: bias = mean", lambda: gen.fit_all_degrees(
        XS, YS, 2, 1.7e308)[2, 0], float(np.mean(YS))),
    ("generalization_error noise 1e100", lambda: gen.generalization_error(np.zeros(2), "line",
                                                                           1e100), 1e200),
    ("capacity_curve y at 1e300", lambda: bool(np.isinf(gen.capacity_curve(
        (XS, YS * 1e300), (XT, YT), 2).test_mse).all()), True),
    ("heavy_ball_optimum λ₁ = 1e-320", lambda: gen_round(QT.heavy_ball_optimum(1e-320, 10.0)[1]),
     1.0),
    ("stability_limit tiny lam_max", lambda: QT.stability_limit("sgd", 0.0, 1e-320), INF),
    ("critical_beta at overflowing αλ", lambda: bool(np.isnan(QT.critical_beta(
        "momentum", 1.7e308, 1e10))), True),
    ("iteration_matrix at overflowing αλ", lambda: QT.iteration_matrix("sgd", 1e200, 0.0,
                                                                       1e200)[0, 0], -INF),
    ("direction_errors with lr = 1.7e308 diverges quietly", lambda: bool(np.isnan(
        QT.direction_errors("momentum", 1.7e308, 0.5, [1.0, 5.0], [1.0, 1.0], 3)[1:]).all()),
     True),
    ("noise_floor σ = 1e300", lambda: QT.noise_floor(0.1, 1e300, [1.0]), INF),
    ("noise_floor_approx σ = 1e300", lambda: QT.noise_floor_approx(0.01, 1e300, [1.0]), INF),
    ("exit_point with a tiny step", lambda: TR.exit_point([0.0, 0.0], [1e-320, 1e-320],
                                                          BOX).tolist(), (1e-320, 1e-320)),
    ("loss_curve with f_min = -1.7e308", lambda: TR.loss_curve([1.7e308], -1.7e308).tolist(),
     (INF,)),
    ("loss_curve f_min NaN counts as None", lambda: TR.loss_curve([2.0], np.nan).tolist(),
     (2.0,)),
    ("visible_path far 1e300 in a big box", lambda: TR.visible_path(
        RUN, 4, ((-1e300, 1e300), (0, 1)), far=1e300).head.tolist(), (5.0, 5.0)),
    ("diverged_runs with 0/1 flags", lambda: TR.diverged_runs(np.zeros((3, 2, 2)),
                                                              [1, 0]).tolist(), (True, False)),
    ("estimator_stats true value 1e300", lambda: E.estimator_stats([1.0, 3.0], 1e300).mse, INF),
    ("variance_divisor_theory σ² = 1e300", lambda: E.variance_divisor_theory(5, 1e300).variance,
     INF),
    ("variance_divisor_theory n = 1.7e308", lambda: E.variance_divisor_theory(1.7e308).variance,
     2 / 1.7e308),
    ("variance_divisor_theory tiny divisor", lambda: E.variance_divisor_theory(5, 1.0,
                                                                               1e-320).mean, INF),
    ("exact_deviation_probability ε = 1.7e308", lambda: E.exact_deviation_probability(
        "gaussian", 0.0, [1, 5], 1.7e308).tolist(), (0.0, 0.0)),
    ("exact_deviation_probability tiny σ", lambda: E.exact_deviation_probability(
        "gaussian", 0.0, 4, 0.1, sigma=1e-320), 0.0),
    ("variance_estimates a divisor beyond int64", lambda: float(E.variance_estimates(
        [1.0, 2.0, 3.0], [10**300])[0]), 2e-300),
]


def gen_round(x):
    return round(x, 12)


@pytest.mark.parametrize(("call", "expected"), [e[1:] for e in EDGE], ids=[e[0] for e in EDGE])
def test_edge_input_gives_the_right_answer_without_warnings(call, expected):
    check_edge(call, expected)


def test_edge_ids_are_unique():
    assert_unique_ids(EDGE)


def test_mean_squared_error_matches_the_formula_where_it_does_not_overflow():
    """(1/n) Σ (ŷ − y)², written out, on batches of ordinary and huge (1e150) magnitudes."""
    rng = np.random.default_rng(0)
    for scale in (1.0, 1e150):
        pred, y = rng.normal(size=(4, 7)) * scale, rng.normal(size=(4, 7)) * scale
        want = [sum((p - t) ** 2 for p, t in zip(pr, yr, strict=True)) / 7
                for pr, yr in zip(pred.tolist(), y.tolist(), strict=True)]
        np.testing.assert_allclose(gen.mean_squared_error(pred, y), want, rtol=1e-12)


def test_heavy_ball_optimum_is_polyaks_formula():
    """α* = (2/(√λ₁ + √λₙ))², β* = ((√κ − 1)/(√κ + 1))², κ = λₙ/λ₁, for ordinary eigenvalues."""
    for l1, ln in ((1.0, 100.0), (0.5, 3.0), (2.0, 2.0)):
        kappa = ln / l1
        a, b = QT.heavy_ball_optimum(l1, ln)
        assert a == pytest.approx((2 / (math.sqrt(l1) + math.sqrt(ln))) ** 2, rel=1e-14)
        assert b == pytest.approx(((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2,
                                  rel=1e-12, abs=1e-15)
