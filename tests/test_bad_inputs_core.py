"""Bad and borderline inputs to the core, as a table.

Every row of ``BAD`` is ``(id, callable, kwargs, exception type, parameter)``: calling
``callable(**kwargs)`` must raise that exception (TypeError for a wrong kind of argument,
ValueError for a wrong value) with a message that names the parameter, and no warning on the way.
Every row of ``EDGE`` is a valid input at the edge of the float range (or an accepted convenience
such as one example instead of a batch): it must return the stated result, without a warning.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _bad_inputs import (
    STR_ARRAY,
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

from npfl_helpers import (
    autodiff,
    data,
    estimators,
    landscape,
    losses,
    mlp,
    optim,
    schedules,
    surfaces,
)

MODEL = mlp.MLP((3, 4, 2), seed=0)
THETA = MODEL.theta.copy()
X3 = np.eye(3)
Y3 = np.array([0, 1, 1])
ROSEN = surfaces.rosenbrock()
SURFS = {name: make() for name, make in surfaces.SURFACES.items()}

WRONG_KINDS = [*WRONG_KIND, STR_ARRAY]  # and a numpy array of strings
arrays = array_rows(WRONG_KINDS, non_finite(0.0))


# -- losses -------------------------------------------------------------------------------------
PT = {"pred": [1.0, 2.0], "target": [1.0, 3.0]}
BAD = [
    *arrays("mse", losses.mse, PT, "pred"),
    *arrays("mse", losses.mse, PT, "target"),
    row("mse:empty", losses.mse, {"pred": [], "target": []}, V, "pred"),
    row("mse:shapes", losses.mse, {"pred": [1.0], "target": [1.0, 2.0]}, V, "pred"),
    *arrays("gaussian_nll", losses.gaussian_nll, {**PT, "sigma": 1.0}, "pred"),
    *arrays("gaussian_nll", losses.gaussian_nll, {**PT, "sigma": 1.0}, "sigma"),
    row("gaussian_nll:sigma=0", losses.gaussian_nll, {**PT, "sigma": 0.0}, V, "sigma"),
    row("gaussian_nll:sigma<0", losses.gaussian_nll, {**PT, "sigma": -1.0}, V, "sigma"),
    row("gaussian_nll:sigma=[]", losses.gaussian_nll, {**PT, "sigma": []}, V, "sigma"),
    row("gaussian_nll:sigma-shape", losses.gaussian_nll, {**PT, "sigma": [1.0, 2.0, 3.0]}, V,
        "sigma"),
    *arrays("log_softmax", losses.log_softmax, {"logits": [1.0, 2.0]}, "logits"),
    *arrays("softmax", losses.softmax, {"logits": [1.0, 2.0]}, "logits"),
    row("softmax:empty", losses.softmax, {"logits": []}, V, "logits"),
    row("softmax:scalar", losses.softmax, {"logits": 1.0}, V, "logits"),
    row("log_softmax:axis=5", losses.log_softmax, {"logits": [1.0, 2.0], "axis": 5}, V, "axis"),
    row("log_softmax:axis=1.5", losses.log_softmax, {"logits": [1.0, 2.0], "axis": 1.5}, V,
        "axis"),
    row("log_softmax:axis=str", losses.log_softmax, {"logits": [1.0, 2.0], "axis": "x"}, T,
        "axis"),
    *arrays("cross_entropy", losses.cross_entropy, {"logits": [[0.0, 1.0]], "labels": [1]},
            "logits"),
    row("cross_entropy:logits-scalar", losses.cross_entropy, {"logits": 1.0, "labels": 0}, V,
        "logits"),
    row("cross_entropy:logits-empty", losses.cross_entropy,
        {"logits": np.zeros((0, 2)), "labels": np.zeros(0, int)}, V, "logits"),
    *[row(f"cross_entropy:labels={tag}", losses.cross_entropy,
          {"logits": [[0.0, 1.0]], "labels": value}, exc, "labels")
      for value, exc, tag in WRONG_KINDS],
    row("cross_entropy:labels=-1", losses.cross_entropy, {"logits": [[0.0, 1.0]], "labels": [-1]},
        V, "labels"),
    row("cross_entropy:labels=K", losses.cross_entropy, {"logits": [[0.0, 1.0]], "labels": [2]},
        V, "labels"),
    row("cross_entropy:labels-shape", losses.cross_entropy,
        {"logits": [[0.0, 1.0]], "labels": [0, 1]}, V, "labels"),
    row("cross_entropy:labels-bool", losses.cross_entropy,
        {"logits": [[0.0, 1.0]], "labels": [True]}, T, "labels"),
    row("cross_entropy:labels-not-a-distribution", losses.cross_entropy,
        {"logits": [[0.0, 1.0]], "labels": [[0.3, 0.3]]}, V, "labels"),
    row("cross_entropy:labels-float-index", losses.cross_entropy,
        {"logits": [0.0, 1.0], "labels": 1.0}, T, "labels"),
    *arrays("entropy", losses.entropy, {"p": [0.5, 0.5]}, "p"),
    row("entropy:empty", losses.entropy, {"p": []}, V, "p"),
    row("entropy:negative", losses.entropy, {"p": [1.5, -0.5]}, V, "p"),
    row("entropy:sum", losses.entropy, {"p": [0.5, 0.6]}, V, "p"),
    *arrays("kl_divergence", losses.kl_divergence, {"p": [0.5, 0.5], "q": [0.5, 0.5]}, "p"),
    *arrays("kl_divergence", losses.kl_divergence, {"p": [0.5, 0.5], "q": [0.5, 0.5]}, "q"),
    row("kl_divergence:classes", losses.kl_divergence, {"p": [0.5, 0.5], "q": [1 / 3] * 3}, V,
        "q"),
]

# -- estimators ---------------------------------------------------------------------------------
G43 = np.random.default_rng(0).normal(size=(4, 3))
BAD += [
    *arrays("sample_mean", estimators.sample_mean, {"x": [1.0, 2.0]}, "x"),
    row("sample_mean:scalar", estimators.sample_mean, {"x": 3.0}, V, "x"),
    row("sample_mean:empty", estimators.sample_mean, {"x": []}, V, "x"),
    row("sample_mean:axis=3", estimators.sample_mean, {"x": [1.0, 2.0], "axis": 3}, V, "axis"),
    row("sample_mean:axis=str", estimators.sample_mean, {"x": [1.0, 2.0], "axis": "a"}, T,
        "axis"),
    *arrays("sample_variance", estimators.sample_variance, {"x": [1.0, 2.0]}, "x"),
    row("sample_variance:ddof=2", estimators.sample_variance, {"x": [1.0, 2.0], "ddof": 2}, V,
        "ddof"),
    row("sample_variance:ddof=True", estimators.sample_variance, {"x": [1.0, 2.0], "ddof": True},
        T, "ddof"),
    row("sample_variance:ddof=str", estimators.sample_variance, {"x": [1.0, 2.0], "ddof": "1"},
        T, "ddof"),
    row("sample_variance:n<=ddof", estimators.sample_variance, {"x": [1.0], "ddof": 1}, V, "x"),
    row("variance_experiment:n=None", estimators.variance_estimator_experiment, {"n": None}, T,
        "n"),
    row("variance_experiment:n=1", estimators.variance_estimator_experiment, {"n": 1}, V, "n"),
    row("variance_experiment:sigma2=0", estimators.variance_estimator_experiment,
        {"n": 5, "sigma2": 0.0}, V, "sigma2"),
    row("variance_experiment:seed=-1", estimators.variance_estimator_experiment,
        {"n": 5, "trials": 10, "seed": -1}, V, "seed"),
    row("variance_experiment:seed=str", estimators.variance_estimator_experiment,
        {"n": 5, "trials": 10, "seed": "a"}, T, "seed"),
    row("variance_experiment:seed=1.5", estimators.variance_estimator_experiment,
        {"n": 5, "trials": 10, "seed": 1.5}, T, "seed"),
    row("variance_experiment:memory", estimators.variance_estimator_experiment,
        {"n": 5, "trials": 10**12}, V, "trials"),
    row("per_example_gradients:model=None", estimators.per_example_gradients,
        {"model": None, "theta": THETA, "X": X3, "y": Y3}, T, "model"),
    *arrays("per_example_gradients", estimators.per_example_gradients,
            {"model": MODEL, "theta": THETA, "X": X3, "y": Y3}, "X"),
    *arrays("per_example_gradients", estimators.per_example_gradients,
            {"model": MODEL, "theta": THETA, "X": X3, "y": Y3}, "theta"),
    row("per_example_gradients:X-columns", estimators.per_example_gradients,
        {"model": MODEL, "theta": THETA, "X": np.zeros((3, 5)), "y": Y3}, V, "X"),
    row("per_example_gradients:X-1d", estimators.per_example_gradients,
        {"model": MODEL, "theta": THETA, "X": np.zeros(3), "y": Y3}, V, "X"),
    row("per_example_gradients:theta-shape", estimators.per_example_gradients,
        {"model": MODEL, "theta": np.zeros(5), "X": X3, "y": Y3}, V, "theta"),
    row("per_example_gradients:y-range", estimators.per_example_gradients,
        {"model": MODEL, "theta": THETA, "X": X3, "y": [0, 2, 1]}, V, "y"),
    row("minibatch_weights:rng=str", estimators.minibatch_weights,
        {"N": 5, "m": 2, "n_batches": 3, "rng": "a"}, T, "rng"),
    row("minibatch_weights:N=0", estimators.minibatch_weights, {"N": 0, "m": 1, "n_batches": 1},
        V, "N"),
    row("minibatch_weights:m>N", estimators.minibatch_weights, {"N": 5, "m": 6, "n_batches": 1},
        V, "m"),
    row("minibatch_weights:n_batches=0", estimators.minibatch_weights,
        {"N": 5, "m": 2, "n_batches": 0}, V, "n_batches"),
    row("minibatch_weights:replace=str", estimators.minibatch_weights,
        {"N": 5, "m": 2, "n_batches": 3, "replace": "yes"}, T, "replace"),
    row("minibatch_weights:memory", estimators.minibatch_weights,
        {"N": 10**6, "m": 2, "n_batches": 10**6}, V, "n_batches"),
    row("minibatch_variance:m=0", estimators.minibatch_variance, {"sigma2": 1.0, "N": 10, "m": 0},
        V, "m"),
    row("minibatch_variance:m=2.5", estimators.minibatch_variance,
        {"sigma2": 1.0, "N": 10, "m": 2.5}, V, "m"),
    row("minibatch_variance:m=[]", estimators.minibatch_variance,
        {"sigma2": 1.0, "N": 10, "m": []}, V, "m"),
    row("minibatch_variance:sigma2=None", estimators.minibatch_variance,
        {"sigma2": None, "N": 10, "m": 2}, T, "sigma2"),
    row("minibatch_variance:replace=1", estimators.minibatch_variance,
        {"sigma2": 1.0, "N": 10, "m": 2, "replace": 1}, T, "replace"),
    *arrays("gradient_noise", estimators.gradient_noise, {"G": G43, "batch_sizes": [1, 2]}, "G"),
    row("gradient_noise:G-1d", estimators.gradient_noise, {"G": np.ones(5), "batch_sizes": [1]},
        V, "G"),
    row("gradient_noise:G-empty", estimators.gradient_noise,
        {"G": np.ones((0, 3)), "batch_sizes": [1]}, V, "G"),
    row("gradient_noise:sizes=[]", estimators.gradient_noise, {"G": G43, "batch_sizes": []}, V,
        "batch_sizes"),
    row("gradient_noise:sizes=0", estimators.gradient_noise, {"G": G43, "batch_sizes": [0]}, V,
        "batch_sizes"),
    row("gradient_noise:sizes>N", estimators.gradient_noise, {"G": G43, "batch_sizes": [5]}, V,
        "batch_sizes"),
    row("gradient_noise:sizes=str", estimators.gradient_noise, {"G": G43, "batch_sizes": "12"},
        T, "batch_sizes"),
    row("gradient_noise:n_batches=0", estimators.gradient_noise,
        {"G": G43, "batch_sizes": [1], "n_batches": 0}, V, "n_batches"),
    row("gradient_noise:seed=-1", estimators.gradient_noise,
        {"G": G43, "batch_sizes": [1], "seed": -1}, V, "seed"),
]

# -- mlp ----------------------------------------------------------------------------------------
XY = {"X": X3, "y": Y3}
TRAIN = {"model": MODEL, **XY, "optimizer": optim.sgd(0.1), "epochs": 1, "batch_size": 2,
         "progress": False}
BAD += [
    row("MLP:sizes=None", mlp.MLP, {"sizes": None}, T, "sizes"),
    row("MLP:sizes=int", mlp.MLP, {"sizes": 5}, T, "sizes"),
    row("MLP:sizes=str", mlp.MLP, {"sizes": "3,4"}, T, "sizes"),
    row("MLP:sizes=(3,)", mlp.MLP, {"sizes": (3,)}, V, "sizes"),
    row("MLP:sizes-zero", mlp.MLP, {"sizes": (3, 0, 2)}, V, "sizes"),
    row("MLP:sizes-float", mlp.MLP, {"sizes": (3, 2.5)}, V, "sizes"),
    row("MLP:activation", mlp.MLP, {"sizes": (3, 2), "activation": "gelu"}, V, "activation"),
    row("MLP:activation=None", mlp.MLP, {"sizes": (3, 2), "activation": None}, T, "activation"),
    row("MLP:activation=list", mlp.MLP, {"sizes": (3, 2), "activation": ["relu"]}, T,
        "activation"),
    row("MLP:dtype=int", mlp.MLP, {"sizes": (3, 2), "dtype": int}, V, "dtype"),
    row("MLP:dtype=str", mlp.MLP, {"sizes": (3, 2), "dtype": "foo"}, T, "dtype"),
    row("MLP:seed=-1", mlp.MLP, {"sizes": (3, 2), "seed": -1}, V, "seed"),
    row("MLP:seed=str", mlp.MLP, {"sizes": (3, 2), "seed": "a"}, T, "seed"),
    *arrays("forward", MODEL.forward, {"X": X3}, "X"),
    *arrays("forward", MODEL.forward, {"X": X3, "theta": THETA}, "theta", finite=False)[1:],
    row("forward:X-columns", MODEL.forward, {"X": np.zeros((2, 5))}, V, "X"),
    row("forward:X-3d", MODEL.forward, {"X": np.zeros((1, 2, 3))}, V, "X"),
    row("forward:theta-shape", MODEL.forward, {"X": X3, "theta": np.zeros(4)}, V, "theta"),
    row("forward:X-float32-overflow", mlp.MLP((3, 2), dtype=np.float32).forward,
        {"X": np.full((1, 3), 1e39)}, V, "X"),
    *arrays("predict", MODEL.predict, {"X": X3}, "X"),
    *arrays("loss", MODEL.loss, {"theta": THETA, **XY}, "X"),
    *arrays("loss", MODEL.loss, {"theta": THETA, **XY}, "y"),
    row("loss:l2<0", MODEL.loss, {"theta": THETA, **XY, "l2": -1.0}, V, "l2"),
    row("loss:l2=str", MODEL.loss, {"theta": THETA, **XY, "l2": "a"}, T, "l2"),
    row("loss:l2=nan", MODEL.loss, {"theta": THETA, **XY, "l2": np.nan}, V, "l2"),
    row("loss:y-float", MODEL.loss, {"theta": THETA, "X": X3, "y": [0.0, 1.0, 1.0]}, T, "y"),
    row("loss:X-1d", MODEL.loss, {"theta": THETA, "X": np.zeros(3), "y": [0]}, V, "X"),
    row("loss:X-empty", MODEL.loss, {"theta": THETA, "X": np.zeros((0, 3)), "y": []}, V, "X"),
    *arrays("loss_and_grad", MODEL.loss_and_grad, {"theta": THETA, **XY}, "theta",
            finite=False),
    *arrays("loss_and_grad", MODEL.loss_and_grad, {"theta": THETA, **XY}, "X"),
    *arrays("loss_and_grad", MODEL.loss_and_grad, {"theta": THETA, **XY}, "y"),
    row("loss_and_grad:l2<0", MODEL.loss_and_grad, {"theta": THETA, **XY, "l2": -1.0}, V, "l2"),
    row("loss_and_grad:l2=inf", MODEL.loss_and_grad, {"theta": THETA, **XY, "l2": np.inf}, V,
        "l2"),
    row("loss_and_grad:theta-2d", MODEL.loss_and_grad,
        {"theta": np.zeros((2, MODEL.n_params)), **XY}, V, "theta"),
    row("loss_and_grad:out-shape", MODEL.loss_and_grad,
        {"theta": THETA, **XY, "out": np.zeros(3)}, T, "out"),
    row("loss_and_grad:out-list", MODEL.loss_and_grad,
        {"theta": THETA, **XY, "out": [0.0] * MODEL.n_params}, T, "out"),
    row("loss_and_grad:y-length", MODEL.loss_and_grad, {"theta": THETA, "X": X3, "y": [0, 1]},
        V, "y"),
    row("loss_and_grad:y-range", MODEL.loss_and_grad, {"theta": THETA, "X": X3, "y": [0, 1, 2]},
        V, "y"),
    row("loss_and_grad:y-negative", MODEL.loss_and_grad,
        {"theta": THETA, "X": X3, "y": [0, -1, 1]}, V, "y"),
    row("loss_and_grad:X-empty", MODEL.loss_and_grad,
        {"theta": THETA, "X": np.zeros((0, 3)), "y": np.zeros(0, int)}, V, "X"),
    row("accuracy:y=None", MODEL.accuracy, {"X": X3, "y": None}, T, "y"),
    row("accuracy:y-length", MODEL.accuracy, {"X": X3, "y": [0, 1]}, V, "y"),
    row("penalty:theta-shape", MODEL.penalty, {"theta": np.zeros(3)}, V, "theta"),
    row("unpack:theta=None", MODEL.unpack, {"theta": None}, T, "theta"),
    row("unpack:theta=str", MODEL.unpack, {"theta": "abc"}, T, "theta"),
    row("init_params:seed=str", MODEL.init_params, {"seed": "a"}, T, "seed"),
    *arrays("cross_entropy_from_logits", mlp.cross_entropy_from_logits,
            {"logits": np.zeros((2, 2)), "y": [0, 1]}, "logits", finite=False),
    row("cross_entropy_from_logits:y-range", mlp.cross_entropy_from_logits,
        {"logits": np.zeros((2, 2)), "y": [5, 0]}, V, "y"),
    row("cross_entropy_from_logits:logits-1d", mlp.cross_entropy_from_logits,
        {"logits": np.zeros(2), "y": [0]}, V, "logits"),
    row("train:optimizer=str", mlp.train, {**TRAIN, "optimizer": "adam"}, T, "optimizer"),
    row("train:optimizer=None", mlp.train, {**TRAIN, "optimizer": None}, T, "optimizer"),
    row("train:optimizer=factory", mlp.train, {**TRAIN, "optimizer": optim.adam}, T,
        "optimizer"),
    row("train:optimizer=dict", mlp.train, {**TRAIN, "optimizer": {"lr": 0.1}}, T, "optimizer"),
    row("train:model=None", mlp.train, {**TRAIN, "model": None}, T, "model"),
    row("train:model=MLP-class", mlp.train, {**TRAIN, "model": mlp.MLP}, T, "model"),
    row("train:epochs=-1", mlp.train, {**TRAIN, "epochs": -1}, V, "epochs"),
    row("train:epochs=1.5", mlp.train, {**TRAIN, "epochs": 1.5}, V, "epochs"),
    row("train:epochs=str", mlp.train, {**TRAIN, "epochs": "3"}, T, "epochs"),
    row("train:batch_size=0", mlp.train, {**TRAIN, "batch_size": 0}, V, "batch_size"),
    row("train:batch_size=None", mlp.train, {**TRAIN, "batch_size": None}, T, "batch_size"),
    row("train:l2<0", mlp.train, {**TRAIN, "l2": -0.1}, V, "l2"),
    row("train:max_loss=0", mlp.train, {**TRAIN, "max_loss": 0.0}, V, "max_loss"),
    row("train:progress=str", mlp.train, {**TRAIN, "progress": "no"}, T, "progress"),
    row("train:seed=-1", mlp.train, {**TRAIN, "seed": -1}, V, "seed"),
    *arrays("train", mlp.train, TRAIN, "X"),
    *arrays("train", mlp.train, TRAIN, "y"),
    row("train:X-empty", mlp.train, {**TRAIN, "X": np.zeros((0, 3)), "y": np.zeros(0, int)}, V,
        "X"),
    row("train:X-columns", mlp.train, {**TRAIN, "X": np.zeros((3, 5))}, V, "X"),
    row("train:y-length", mlp.train, {**TRAIN, "y": [0, 1]}, V, "y"),
    row("train:X_dev-columns", mlp.train, {**TRAIN, "X_dev": np.zeros((3, 5)), "y_dev": Y3}, V,
        "X_dev"),
    row("train:X_dev-without-y_dev", mlp.train, {**TRAIN, "X_dev": X3}, V, "y_dev"),
    row("train:y_dev-without-X_dev", mlp.train, {**TRAIN, "y_dev": Y3}, V, "X_dev"),
    row("train:y_dev-range", mlp.train, {**TRAIN, "X_dev": X3, "y_dev": [0, 1, 7]}, V, "y_dev"),
]

# -- surfaces -----------------------------------------------------------------------------------
BAD += [
    row("quadratic:kappa<1", surfaces.quadratic, {"kappa": 0.5}, V, "kappa"),
    row("quadratic:kappa=None", surfaces.quadratic, {"kappa": None}, T, "kappa"),
    row("quadratic:kappa=str", surfaces.quadratic, {"kappa": "10"}, T, "kappa"),
    row("quadratic:kappa=inf", surfaces.quadratic, {"kappa": np.inf}, V, "kappa"),
    row("quadratic:kappa=1e300", surfaces.quadratic, {"kappa": 1e300}, V, "kappa"),
    row("quadratic:kappa=list", surfaces.quadratic, {"kappa": [1.0, 2.0]}, T, "kappa"),
    row("quadratic:angle=nan", surfaces.quadratic, {"angle": np.nan}, V, "angle"),
    row("quadratic:angle=complex", surfaces.quadratic, {"angle": 1j}, T, "angle"),
    row("rosenbrock:b=0", surfaces.rosenbrock, {"b": 0.0}, V, "b"),
    row("rosenbrock:b=None", surfaces.rosenbrock, {"b": None}, T, "b"),
    row("rosenbrock:a=1e200", surfaces.rosenbrock, {"a": 1e200}, V, "a"),
    row("rosenbrock:a=True", surfaces.rosenbrock, {"a": True}, T, "a"),
]
for _name, _s in SURFS.items():
    for _fn in ("f", "grad", "hessian"):
        BAD += arrays(f"{_name}.{_fn}", getattr(_s, _fn), {"theta": _s.start}, "theta",
                      finite=False)
        BAD.append(row(f"{_name}.{_fn}:theta-shape", getattr(_s, _fn), {"theta": np.zeros(3)}, V,
                       "theta"))

# -- landscape ----------------------------------------------------------------------------------
LINE = {"model": MODEL, "theta_a": THETA, "theta_b": 2 * THETA, **XY, "alphas": [0.0, 1.0]}
PLANE = {"model": MODEL, "theta": THETA, "d1": THETA, "d2": -THETA, **XY, "alphas": [0.0, 1.0],
         "betas": [0.0, 1.0]}
BAD += [
    row("random_direction:model=None", landscape.random_direction,
        {"model": None, "theta": THETA}, T, "model"),
    *arrays("random_direction", landscape.random_direction, {"model": MODEL, "theta": THETA},
            "theta"),
    row("random_direction:theta-shape", landscape.random_direction,
        {"model": MODEL, "theta": np.zeros(5)}, V, "theta"),
    row("random_direction:rng=str", landscape.random_direction,
        {"model": MODEL, "theta": THETA, "rng": "a"}, T, "rng"),
    row("random_direction:filter_normalize=str", landscape.random_direction,
        {"model": MODEL, "theta": THETA, "filter_normalize": "yes"}, T, "filter_normalize"),
    row("random_direction:ignore_biases=None", landscape.random_direction,
        {"model": MODEL, "theta": THETA, "ignore_biases": None}, T, "ignore_biases"),
    row("loss_along_line:model=str", landscape.loss_along_line, {**LINE, "model": "mlp"}, T,
        "model"),
    *arrays("loss_along_line", landscape.loss_along_line, LINE, "alphas"),
    *arrays("loss_along_line", landscape.loss_along_line, LINE, "theta_a"),
    *arrays("loss_along_line", landscape.loss_along_line, LINE, "theta_b"),
    *arrays("loss_along_line", landscape.loss_along_line, LINE, "X"),
    *arrays("loss_along_line", landscape.loss_along_line, LINE, "y"),
    row("loss_along_line:alphas-empty", landscape.loss_along_line, {**LINE, "alphas": []}, V,
        "alphas"),
    row("loss_along_line:theta_b-shape", landscape.loss_along_line,
        {**LINE, "theta_b": np.zeros(4)}, V, "theta_b"),
    row("loss_along_line:X-columns", landscape.loss_along_line, {**LINE, "X": np.zeros((3, 5))},
        V, "X"),
    row("loss_along_line:X-1d", landscape.loss_along_line, {**LINE, "X": np.zeros(3)}, V, "X"),
    row("loss_along_line:X-empty", landscape.loss_along_line,
        {**LINE, "X": np.zeros((0, 3)), "y": np.zeros(0, int)}, V, "X"),
    row("loss_along_line:y-float", landscape.loss_along_line, {**LINE, "y": [0.0, 1.0, 1.0]}, T,
        "y"),
    *arrays("loss_plane", landscape.loss_plane, PLANE, "d1"),
    *arrays("loss_plane", landscape.loss_plane, PLANE, "d2"),
    *arrays("loss_plane", landscape.loss_plane, PLANE, "betas"),
    row("loss_plane:d1-shape", landscape.loss_plane, {**PLANE, "d1": np.zeros(3)}, V, "d1"),
    row("loss_plane:theta-shape", landscape.loss_plane, {**PLANE, "theta": np.zeros(3)}, V,
        "theta"),
    *arrays("local_minima", landscape.local_minima, {"grid": [[1.0, 0.0]]}, "grid",
            finite=False),
    row("local_minima:grid-3d", landscape.local_minima, {"grid": np.zeros((2, 2, 2))}, V, "grid"),
    row("local_minima:grid-empty", landscape.local_minima, {"grid": []}, V, "grid"),
    *arrays("filter_normalize", landscape.filter_normalize,
            {"D": np.ones((2, 2)), "W": np.eye(2)}, "D"),
    *arrays("filter_normalize", landscape.filter_normalize,
            {"D": np.ones((2, 2)), "W": np.eye(2)}, "W"),
    row("filter_normalize:D-shape", landscape.filter_normalize,
        {"D": np.ones((2, 3)), "W": np.eye(2)}, V, "D"),
    row("deep_landscapes:depth=0", landscape.deep_landscapes, {"depth": 0}, V, "depth"),
    row("deep_landscapes:n_grid=1", landscape.deep_landscapes, {"n_grid": 1}, V, "n_grid"),
    row("deep_landscapes:width=str", landscape.deep_landscapes, {"width": "32"}, T, "width"),
    row("MLP:residual=str", mlp.MLP, {"sizes": (3, 3, 2), "residual": "yes"}, T, "residual"),
]


# -- optim --------------------------------------------------------------------------------------
Z2 = np.zeros(2)
SGD = optim.sgd(0.1)
ADAM = optim.adam(0.1)


def sgd_step(lr=0.1, theta=Z2, state="init", grad_fn=lambda th: th + 1.0):
    opt = optim.sgd(lr)
    return opt.step(theta, opt.init(Z2) if state == "init" else state, grad_fn)


def adam_step(lr=0.1, state="init", grad_fn=lambda th: th + 1.0):
    opt = optim.adam(lr)
    return opt.step(Z2, opt.init(Z2) if state == "init" else state, grad_fn)


def returning(value):
    return lambda th: value


RUN = {"opt": SGD, "grad_fn": ROSEN.grad, "theta0": ROSEN.start, "steps": 3}
for _name, _make in optim.OPTIMIZERS.items():
    for _value, _exc, _tag in [(None, T, "None"), ("0.1", T, "str"), (-1.0, V, "negative"),
                               (0.0, V, "zero"), (np.nan, V, "nan"), ([], V, "empty"),
                               (1j, T, "complex"), (True, T, "bool"),
                               (schedules.cosine_decay, T, "schedule-factory"),
                               (lambda: 0.1, T, "schedule-without-step")]:
        BAD.append(row(f"{_name}:lr={_tag}", _make, {"lr": _value}, _exc, "lr"))
BAD += [
    *[row(f"momentum:beta={b!r}", optim.momentum, {"lr": 0.1, "beta": b}, e, "beta")
      for b, e in [(1.0, V), (-0.1, V), (None, T), ("0.9", T), (np.nan, V)]],
    row("nesterov:beta=1", optim.nesterov, {"lr": 0.1, "beta": 1.0}, V, "beta"),
    row("rmsprop:beta=2", optim.rmsprop, {"lr": 0.1, "beta": 2.0}, V, "beta"),
    row("adam:beta1=1", optim.adam, {"beta1": 1.0}, V, "beta1"),
    row("adam:beta2=None", optim.adam, {"beta2": None}, T, "beta2"),
    row("adam:eps<0", optim.adam, {"eps": -1e-8}, V, "eps"),
    row("adam:form", optim.adam, {"form": "moment"}, V, "form"),
    row("adam:bias_correction=1", optim.adam, {"bias_correction": 1}, T, "bias_correction"),
    row("adam:eps_placement", optim.adam, {"eps_placement": "in"}, V, "eps_placement"),
    row("adagrad:initial_accumulator<0", optim.adagrad, {"lr": 0.1, "initial_accumulator": -1.0},
        V, "initial_accumulator"),
    row("make_optimizer:name", optim.make_optimizer, {"name": "nadam", "lr": 0.1}, V,
        "optimizer"),
    *arrays("init", ADAM.init, {"theta": Z2}, "theta", finite=False),
    row("step:grad_fn=None", sgd_step, {"grad_fn": None}, T, "grad_fn"),
    row("step:grad_fn=str", sgd_step, {"grad_fn": "grad"}, T, "grad_fn"),
    row("step:grad_fn-returns-None", sgd_step, {"grad_fn": returning(None)}, T, "grad_fn"),
    row("step:grad_fn-returns-str", sgd_step, {"grad_fn": returning("ab")}, T, "grad_fn"),
    row("step:grad_fn-returns-complex", sgd_step, {"grad_fn": lambda th: th + 1j}, T,
        "grad_fn"),
    row("step:grad_fn-returns-None-inside", sgd_step, {"grad_fn": returning([1.0, None])}, T,
        "grad_fn"),
    row("step:grad_fn-returns-shape", sgd_step, {"grad_fn": returning(np.zeros(3))}, V,
        "grad_fn"),
    row("step:theta=None", sgd_step, {"theta": None}, T, "theta"),
    row("step:theta=str", sgd_step, {"theta": "ab"}, T, "theta"),
    row("step:state=None", adam_step, {"state": None}, T, "state"),
    row("step:state-of-another-optimizer", adam_step, {"state": SGD.init(Z2)}, T, "state"),
    row("step:schedule-negative", sgd_step, {"lr": lambda t: -0.1}, V, "lr"),
    row("step:schedule-nan", sgd_step, {"lr": lambda t: float("nan")}, V, "lr"),
    row("step:schedule-inf", adam_step, {"lr": lambda t: np.inf}, V, "lr"),
    row("step:schedule-str", sgd_step, {"lr": lambda t: "0.1"}, T, "lr"),
    row("step:schedule-None", sgd_step, {"lr": lambda t: None}, T, "lr"),
    row("step:schedule-negative-array", adam_step, {"lr": lambda t: np.array([0.1, -0.1])}, V,
        "lr"),
    row("run:opt=factory", optim.run, {**RUN, "opt": optim.sgd}, T, "opt"),
    row("run:opt=str", optim.run, {**RUN, "opt": "adam"}, T, "opt"),
    row("run:opt=None", optim.run, {**RUN, "opt": None}, T, "opt"),
    row("run:grad_fn=None", optim.run, {**RUN, "grad_fn": None}, T, "grad_fn"),
    row("run:grad_fn=str", optim.run, {**RUN, "grad_fn": "rosenbrock"}, T, "grad_fn"),
    row("run:grad_fn=Surface", optim.run, {**RUN, "grad_fn": ROSEN}, T, "grad_fn"),
    row("run:loss_fn=str", optim.run, {**RUN, "loss_fn": "f"}, T, "loss_fn"),
    row("run:loss_fn-shape", optim.run, {**RUN, "loss_fn": lambda th: th}, V, "loss_fn"),
    *arrays("run", optim.run, RUN, "theta0"),
    row("run:theta0-empty", optim.run, {**RUN, "theta0": []}, V, "theta0"),
    row("run:theta0-scalar", optim.run, {**RUN, "theta0": 1.0}, V, "theta0"),
    row("run:steps=-1", optim.run, {**RUN, "steps": -1}, V, "steps"),
    row("run:steps=str", optim.run, {**RUN, "steps": "10"}, T, "steps"),
    row("run:steps-memory", optim.run, {**RUN, "steps": 10**12}, V, "steps"),
    row("run:max_norm=0", optim.run, {**RUN, "max_norm": 0.0}, V, "max_norm"),
    row("run:lr-grid-shape", optim.run,
        {**RUN, "opt": optim.sgd(np.array([0.1, 0.2, 0.3])), "theta0": np.zeros((2, 2))}, V,
        "lr"),
    row("run:beta-grid-shape", optim.run,
        {**RUN, "opt": optim.momentum(0.1, np.array([0.1, 0.2, 0.3])),
         "theta0": np.zeros((2, 2))}, V, "beta"),
]

# -- schedules ----------------------------------------------------------------------------------
SCHEDULE_FACTORIES = {
    "exponential_decay": {"initial_lr": 0.1, "decay_steps": 10, "decay_rate": 0.5},
    "polynomial_decay": {"initial_lr": 0.1, "decay_steps": 10},
    "inverse_time_decay": {"initial_lr": 0.1, "decay_steps": 10, "decay_rate": 0.5},
    "cosine_decay": {"initial_lr": 0.1, "decay_steps": 10},
    "cosine_decay_restarts": {"initial_lr": 0.1, "first_decay_steps": 10},
    "inverse_sqrt_decay": {"initial_lr": 0.1},
    "constant": {"lr": 0.1},
}
for _name, _kw in SCHEDULE_FACTORIES.items():
    _make, _first = getattr(schedules, _name), next(iter(_kw))
    for _value, _exc, _tag in [(None, T, "None"), (-1.0, V, "negative"), ("a", T, "str"),
                               (np.nan, V, "nan")]:
        BAD.append(row(f"{_name}:{_first}={_tag}", _make, {**_kw, _first: _value}, _exc,
                       _first))
    _s = _make(**_kw)
    for _value, _exc, _tag in [(-1, V, "-1"), (1.5, V, "1.5"), (None, T, "None"),
                               ("3", T, "str"), (10**30, V, "1e30"), (np.nan, V, "nan"),
                               ([0, -1], V, "array-negative"), (1j, T, "complex")]:
        BAD.append(row(f"{_name}(step={_tag})", _s, {"step": _value}, _exc, "step"))
BAD += [
    row("exponential_decay:decay_steps=0", schedules.exponential_decay,
        {"initial_lr": 0.1, "decay_steps": 0, "decay_rate": 0.5}, V, "decay_steps"),
    row("exponential_decay:decay_rate=0", schedules.exponential_decay,
        {"initial_lr": 0.1, "decay_steps": 10, "decay_rate": 0.0}, V, "decay_rate"),
    row("exponential_decay:staircase=1", schedules.exponential_decay,
        {"initial_lr": 0.1, "decay_steps": 10, "decay_rate": 0.5, "staircase": 1}, T,
        "staircase"),
    row("polynomial_decay:power<0", schedules.polynomial_decay,
        {"initial_lr": 0.1, "decay_steps": 10, "power": -1.0}, V, "power"),
    row("cosine_decay:alpha>1", schedules.cosine_decay,
        {"initial_lr": 0.1, "decay_steps": 10, "alpha": 2.0}, V, "alpha"),
    row("piecewise_constant:values=None", schedules.piecewise_constant,
        {"boundaries": [10], "values": None}, T, "values"),
    row("piecewise_constant:lengths", schedules.piecewise_constant,
        {"boundaries": [10], "values": [0.1]}, V, "values"),
    row("piecewise_constant:unsorted", schedules.piecewise_constant,
        {"boundaries": [10, 5], "values": [0.1, 0.05, 0.01]}, V, "boundaries"),
    row("piecewise_constant:negative", schedules.piecewise_constant,
        {"boundaries": [10], "values": [0.1, -0.05]}, V, "values"),
    row("linear_warmup:schedule=None", schedules.linear_warmup,
        {"schedule": None, "warmup_steps": 10}, T, "schedule"),
    row("linear_warmup:schedule=str", schedules.linear_warmup,
        {"schedule": "cosine", "warmup_steps": 10}, T, "schedule"),
    row("linear_warmup:schedule=factory", schedules.linear_warmup,
        {"schedule": schedules.cosine_decay, "warmup_steps": 10}, T, "schedule"),
    row("linear_warmup:warmup_steps=-1", schedules.linear_warmup,
        {"schedule": 0.1, "warmup_steps": -1}, V, "warmup_steps"),
    row("linear_warmup:schedule-returns-negative",
        lambda: schedules.linear_warmup(lambda t: -1.0, 10)(20), {}, V, "schedule"),
    row("as_schedule:str", schedules.as_schedule, {"lr": "cosine_decay"}, T, "lr"),
    row("as_schedule:factory", schedules.as_schedule, {"lr": schedules.cosine_decay}, T, "lr"),
    row("as_schedule:custom-returns-negative", lambda: schedules.as_schedule(lambda t: -1.0)(3),
        {}, V, "lr"),
    row("robbins_monro_sums:schedule=None", schedules.robbins_monro_sums,
        {"schedule": None, "steps": 10}, T, "schedule"),
    row("robbins_monro_sums:steps=0", schedules.robbins_monro_sums,
        {"schedule": 0.1, "steps": 0}, V, "steps"),
    row("robbins_monro_verdict:lambda", schedules.robbins_monro_verdict,
        {"schedule": lambda t: 0.1}, V, "schedule"),
    row("lr_schedule:decay", schedules.lr_schedule, {"learning_rate": 0.1, "decay": "cosine"}, V,
        "decay"),
]

# -- data ---------------------------------------------------------------------------------------
XM, YM = data.two_moons(20)
for _name, _kw in {"two_moons": {}, "spirals": {}, "blobs": {},
                   "polynomial_regression": {"n": 20}}.items():
    _make = getattr(data, _name)
    BAD += [
        row(f"{_name}:n=None", _make, {**_kw, "n": None}, T, "n"),
        row(f"{_name}:n=0", _make, {**_kw, "n": 0}, V, "n"),
        row(f"{_name}:n=1e12", _make, {**_kw, "n": 10**12}, V, "n"),
        row(f"{_name}:n=2.5", _make, {**_kw, "n": 2.5}, V, "n"),
        row(f"{_name}:seed=-1", _make, {**_kw, "seed": -1}, V, "seed"),
        row(f"{_name}:seed=str", _make, {**_kw, "seed": "a"}, T, "seed"),
    ]
BAD += [
    row("two_moons:noise<0", data.two_moons, {"noise": -1.0}, V, "noise"),
    row("spirals:classes=0", data.spirals, {"classes": 0}, V, "classes"),
    row("blobs:std<0", data.blobs, {"std": -1.0}, V, "std"),
    row("blobs:centers=0", data.blobs, {"centers": 0}, V, "centers"),
    row("blobs:centers=None", data.blobs, {"centers": None}, T, "centers"),
    row("blobs:centers-ragged", data.blobs, {"centers": [[0.0, 0.0], [1.0]]}, T, "centers"),
    row("blobs:centers-nan", data.blobs, {"centers": [[0.0, np.nan]]}, V, "centers"),
    row("polynomial_regression:degree=-1", data.polynomial_regression, {"n": 10, "degree": -1},
        V, "degree"),
    row("split:fractions-sum", data.split, {"X": XM, "y": YM, "fractions": (0.5, 0.2)}, V,
        "fractions"),
    row("split:fractions=None", data.split, {"X": XM, "y": YM, "fractions": None}, T,
        "fractions"),
    row("split:fractions=str", data.split, {"X": XM, "y": YM, "fractions": "0.8"}, T,
        "fractions"),
    row("split:fractions>1", data.split, {"X": XM, "y": YM, "fractions": (1.5, -0.5)}, V,
        "fractions"),
    row("split:X=None", data.split, {"X": None, "y": YM}, T, "X"),
    row("split:y=None", data.split, {"X": XM, "y": None}, T, "y"),
    row("split:y-length", data.split, {"X": XM, "y": YM[:5]}, V, "y"),
    row("split:empty", data.split, {"X": np.zeros((0, 2)), "y": np.zeros(0, int)}, V, "X"),
    row("split:stratify=str", data.split, {"X": XM, "y": YM, "stratify": "yes"}, T, "stratify"),
    row("minibatches:batch_size=0", lambda **kw: list(data.minibatches(**kw)),
        {"X": XM, "y": YM, "batch_size": 0}, V, "batch_size"),
    row("minibatches:X=None", lambda **kw: list(data.minibatches(**kw)),
        {"X": None, "y": YM, "batch_size": 4}, T, "X"),
    row("minibatches:y-length", lambda **kw: list(data.minibatches(**kw)),
        {"X": XM, "y": YM[:3], "batch_size": 4}, V, "y"),
    row("minibatches:rng=str", lambda **kw: list(data.minibatches(**kw)),
        {"X": XM, "y": YM, "batch_size": 4, "rng": "a"}, T, "rng"),
    row("load_digits:fractions-sum", data.load_digits, {"fractions": (0.5, 0.6, 0.1)}, V,
        "fractions"),
    row("load_digits:fractions=None", data.load_digits, {"fractions": None}, T, "fractions"),
    row("load_digits:fractions-two", data.load_digits, {"fractions": (0.5, 0.5)}, V,
        "fractions"),
    row("load_mnist:download=str", data.load_mnist, {"cache_dir": "/nonexistent",
                                                     "download": "yes"}, T, "download"),
    row("load_mnist:dev_size<0", data.load_mnist, {"dev_size": -1}, V, "dev_size"),
]

# -- autodiff -----------------------------------------------------------------------------------
ONE = autodiff.Tensor(1.0)
VEC = autodiff.Tensor(np.ones(2))
BAD += [
    *arrays("Tensor", autodiff.Tensor, {"value": 1.0}, "value"),
    row("Tensor:value-empty", autodiff.Tensor, {"value": []}, V, "value"),
    row("Tensor:value=Tensor", autodiff.Tensor, {"value": ONE}, T, "value"),
    row("Tensor:name=int", autodiff.Tensor, {"value": 1.0, "name": 5}, T, "name"),
    *[row(f"Tensor{op}None", lambda op=op: eval(f"ONE {op} None"), {}, T, "operand")
      for op in ("+", "-", "*", "/")],
    *[row(f"None{op}Tensor", lambda op=op: eval(f"None {op} ONE"), {}, T, "operand")
      for op in ("+", "-", "*", "/")],
    row("Tensor+str", lambda: ONE + "a", {}, T, "operand"),
    row("Tensor*[None]", lambda: ONE * [None], {}, T, "operand"),
    row("Tensor*nan", lambda: ONE * np.nan, {}, V, "operand"),
    row("Tensor+shapes", lambda: VEC + np.ones(3), {}, V, "operands"),
    row("Tensor@shapes", lambda: autodiff.Tensor(np.ones((2, 3))) @ np.ones((2, 3)), {}, V,
        "operands"),
    row("Tensor@scalar", lambda: VEC @ 2.0, {}, V, "operands"),
    row("Tensor**str", lambda: ONE ** "2", {}, T, "p"),
    row("Tensor**Tensor", lambda: ONE ** ONE, {}, T, "p"),
    row("Tensor**None", lambda: ONE ** None, {}, T, "p"),
    row("Tensor**inf", lambda: ONE ** np.inf, {}, V, "p"),
    row("Tensor.sum:axis=5", VEC.sum, {"axis": 5}, V, "axis"),
    row("Tensor.sum:axis=str", VEC.sum, {"axis": "a"}, T, "axis"),
    row("Tensor.mean:axis-repeated", autodiff.Tensor(np.ones((2, 2))).mean, {"axis": (0, 0)},
        V, "axis"),
    row("Tensor.sum:scalar-axis", ONE.sum, {"axis": 0}, V, "axis"),
    *[row(f"{f}:x=None", getattr(autodiff, f), {"x": None}, T, "x")
      for f in ("exp", "log", "tanh", "sigmoid", "relu")],
    *[row(f"{f}:x=str", getattr(autodiff, f), {"x": "a"}, T, "x")
      for f in ("exp", "log", "tanh", "sigmoid", "relu")],
    row("softmax_cross_entropy:logits=None", autodiff.softmax_cross_entropy,
        {"logits": None, "labels": [0]}, T, "logits"),
    row("softmax_cross_entropy:logits-1d", autodiff.softmax_cross_entropy,
        {"logits": np.zeros(3), "labels": [0]}, V, "logits"),
    row("softmax_cross_entropy:labels=None", autodiff.softmax_cross_entropy,
        {"logits": np.zeros((2, 3)), "labels": None}, T, "labels"),
    row("softmax_cross_entropy:labels-float", autodiff.softmax_cross_entropy,
        {"logits": np.zeros((2, 3)), "labels": [0.0, 1.0]}, T, "labels"),
    row("softmax_cross_entropy:labels-range", autodiff.softmax_cross_entropy,
        {"logits": np.zeros((2, 3)), "labels": [0, 3]}, V, "labels"),
    row("softmax_cross_entropy:labels-length", autodiff.softmax_cross_entropy,
        {"logits": np.zeros((2, 3)), "labels": [0]}, V, "labels"),
    row("backward:root=None", autodiff.backward, {"root": None}, T, "root"),
    row("backward:gradient=str", autodiff.backward, {"root": ONE * 2, "gradient": "a"}, T,
        "gradient"),
    row("backward:gradient-shape", autodiff.backward, {"root": VEC * 2, "gradient": np.ones(3)},
        V, "gradient"),
    row("backward:non-scalar-root", autodiff.backward, {"root": VEC * 2}, V, "gradient"),
    row("forward:root=None", autodiff.forward, {"root": None}, T, "root"),
    row("topological_order:root=str", autodiff.topological_order, {"root": "x"}, T, "root"),
]


@pytest.mark.parametrize(("fn", "kwargs", "exc", "param"), [r[1:] for r in BAD],
                         ids=[r[0] for r in BAD])
def test_bad_input_raises_a_clear_error_naming_the_parameter(fn, kwargs, exc, param):
    check_bad(fn, kwargs, exc, param)


def test_ids_are_unique():
    assert_unique_ids(BAD)


# -- borderline inputs that must work -----------------------------------------------------------
INF = np.inf
EDGE = [
    ("log_softmax ±1e308", lambda: losses.log_softmax([1e308, -1e308]), [0.0, -INF]),
    ("softmax ±1e308", lambda: losses.softmax([1e308, -1e308]), [1.0, 0.0]),
    ("softmax -1e308 rows", lambda: losses.softmax([[-1e308, -1e308]]), [[0.5, 0.5]]),
    ("cross_entropy ±1e308 right class", lambda: losses.cross_entropy([[1e308, -1e308]], [0]),
     0.0),
    ("cross_entropy ±1e308 wrong class", lambda: losses.cross_entropy([[1e308, -1e308]], [1]),
     INF),
    ("cross_entropy ±1e308 mean fits", lambda: losses.cross_entropy(
        [[1e308, -1e308], [0.0, 0.0]], [1, 0]), 1e308),
    ("cross_entropy ±1e308 soft labels", lambda: losses.cross_entropy(
        [[1e308, -1e308]], [[0.5, 0.5]]), 1e308),
    ("cross_entropy 1e300 gap", lambda: losses.cross_entropy([[1e300, 0.0]], [1]), 1e300),
    ("mse ±1e300 beyond the float range", lambda: losses.mse([1e300], [-1e300]), INF),
    ("mse ±1e308", lambda: losses.mse([1e308], [-1e308]), INF),
    ("mse whose squares overflow but mean fits", lambda: losses.mse(
        [1e155] + [0.0] * 99, [0.0] * 100), 1e308),
    ("gaussian_nll 1e300 errors", lambda: losses.gaussian_nll([1e300], [-1e300], 1.0), INF),
    ("gaussian_nll tiny sigma", lambda: losses.gaussian_nll([1.0], [0.0], 1e-300), INF),
    ("sample_mean 1.7e308", lambda: estimators.sample_mean([1.7e308, 1.7e308]), 1.7e308),
    ("sample_mean 1e300 rows", lambda: estimators.sample_mean(
        np.array([[1e300, 1e300, 1e300], [0.0, 0.0, 3.0]])), [1e300, 1.0]),
    ("sample_variance 1e150", lambda: estimators.sample_variance([1e150, -1e150]), 1e300),
    ("sample_variance 1e300", lambda: estimators.sample_variance([1e300, -1e300, 1e300]), INF),
    ("sample_variance 1e308", lambda: estimators.sample_variance([1.7e308, -1.7e308]), INF),
    ("sample_variance tiny", lambda: estimators.sample_variance([3e-160, -3e-160], ddof=1),
     1.8e-319),
    ("forward one example", lambda: MODEL.forward(np.zeros(3)).shape, (2,)),
    ("forward one example, stacked θ", lambda: MODEL.forward(
        np.zeros(3), np.stack([THETA] * 4)).shape, (4, 2)),
    ("predict one example", lambda: int(MODEL.predict(np.zeros(3))) in (0, 1), True),
    ("forward 1e308 inputs overflow quietly", lambda: bool(np.any(np.isinf(
        mlp.MLP((3, 5, 2), seed=0).forward(np.full((4, 3), 1e308))))), True),
    ("loss with l2 = 0 as int", lambda: MODEL.loss(THETA, X3, Y3, l2=0) == MODEL.loss(
        THETA, X3, Y3), True),
    ("rosenbrock f at 1e300", lambda: ROSEN.f(np.array([1e300, 1e300])), INF),
    ("autodiff log 0", lambda: autodiff.log(autodiff.Tensor(0.0)).value, -INF),
    ("autodiff log 0 gradient", lambda: _grad(autodiff.log, 0.0), INF),
    ("autodiff log -1", lambda: bool(np.isnan(autodiff.log(autodiff.Tensor(-1.0)).value)),
     True),
    ("autodiff exp 1000", lambda: autodiff.exp(autodiff.Tensor(1000.0)).value, INF),
    ("autodiff exp 1000 gradient", lambda: _grad(autodiff.exp, 1000.0), INF),
    ("autodiff 1/0", lambda: (autodiff.Tensor(1.0) / autodiff.Tensor(0.0)).value, INF),
    ("autodiff 1/0 gradient", lambda: _grad(lambda b: 1.0 / b, 0.0), -INF),
    ("autodiff 0/0", lambda: bool(np.isnan((autodiff.Tensor(0.0) / 0.0).value)), True),
    ("autodiff 1e300 squared", lambda: (autodiff.Tensor(1e300) * 1e300).value, INF),
    ("autodiff sqrt(-1)", lambda: bool(np.isnan((autodiff.Tensor(-1.0) ** 0.5).value)), True),
    ("autodiff sigmoid -1e308", lambda: _grad(autodiff.sigmoid, -1e308), 0.0),
    ("autodiff softmax_cross_entropy ±1e308", lambda: autodiff.softmax_cross_entropy(
        autodiff.Tensor(np.array([[1e308, -1e308]])), [1]).value, INF),
    ("autodiff forward after a leaf change to 0", lambda: _forward_log_at_zero(), -INF),
    ("schedule returning 0 is allowed", lambda: optim.sgd(lambda t: 0.0).step(
        Z2, SGD.init(Z2), lambda th: th + 1.0)[0].tolist(), (0.0, 0.0)),
    ("run with an exploding lr schedule flags divergence", lambda: bool(optim.run(
        optim.sgd(schedules.exponential_decay(0.1, 1, 10.0)), lambda th: 2 * th, np.ones(2),
        steps=400).diverged), True),
    ("quadratic f at 1e200", lambda: SURFS["quadratic"].f(np.array([1e200, 1e200])), INF),
    ("himmelblau grad at 1e300", lambda: bool(np.all(np.isinf(
        SURFS["himmelblau"].grad(np.array([1e300, 1e300]))))), True),
]


def _grad(f, x0):
    x = autodiff.Tensor(x0)
    f(x).backward()
    return x.grad


def _forward_log_at_zero():
    x = autodiff.Tensor(1.0)
    y = autodiff.log(x)
    x.value = np.array(0.0)
    return autodiff.forward(y)


@pytest.mark.parametrize(("call", "expected"), [e[1:] for e in EDGE], ids=[e[0] for e in EDGE])
def test_edge_input_gives_the_right_answer_without_warnings(call, expected):
    check_edge(call, expected)


def test_train_flags_a_loss_that_explodes_while_still_finite():
    """An exploding finite loss is divergence too: by default 10⁶ × the first minibatch's."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 8))
    y = (X[:, 0] > 0).astype(int)
    model = mlp.MLP((8, 16, 2), activation="relu", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hist = mlp.train(model, X, y, optim.sgd(1e4), epochs=5, batch_size=20, progress=False)
    assert hist.diverged
    first = hist.step_loss[0]
    assert not hist.step_loss[-1] <= 1e6 * max(1.0, first)
    assert all(loss <= 1e6 * max(1.0, first) for loss in hist.step_loss[:-1])
    # an absolute bound instead
    hist = mlp.train(mlp.MLP((8, 16, 2), seed=0), X, y, optim.sgd(0.1), epochs=2, batch_size=20,
                     progress=False, max_loss=1e-3)
    assert hist.diverged and len(hist.step_loss) == 1
