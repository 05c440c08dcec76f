"""Bad inputs to the drawing layer, as a table: plot functions and explorer factories.

``GOOD`` holds one valid call of each plotting function (``AX`` stands for a fresh Axes). The rows
of ``BAD`` are generated from it: every Axes parameter gets ``None``, a string, a Figure and a
list; every array parameter (``plots._checks.ARRAYS``) ``None``, a string, ``None`` inside a list
and complex numbers; every mapping, string, flag and number parameter a value of the wrong kind.
Each row must raise the stated exception with a message naming the parameter, without a
warning. NaN and inf in data stay allowed: a diverged run is drawn, not refused (``EDGE``).
"""

from __future__ import annotations

import inspect
import re
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from npfl_helpers import generalization as gen  # noqa: E402
from npfl_helpers import optim, plots, schedules, surfaces, widgets  # noqa: E402
from npfl_helpers.plots._checks import ARRAYS  # noqa: E402

pytestmark = pytest.mark.usefixtures("strict_warnings")

T, V = TypeError, ValueError


class AX:
    """Stands for a fresh matplotlib Axes, made when the row runs."""


def materialise(kwargs: dict) -> dict:
    def fresh(v):
        if v is AX:
            return Figure().add_subplot()
        return [fresh(x) for x in v] if isinstance(v, list) and any(x is AX for x in v) else v
    return {k: fresh(v) for k, v in kwargs.items()}


N = np.arange(2, 11)
S = surfaces.rosenbrock()
TRAJ = optim.run(optim.sgd(1e-3), S.grad, S.start, 10, loss_fn=S.f)
TRAIN, TEST = gen.sample(10), gen.sample(30, seed=1)
CURVE = gen.capacity_curve(TRAIN, TEST, 5)
PATH = gen.lambda_path(TRAIN, TEST, 5, np.geomspace(1e-4, 1, 5))
HIST = {"train_loss": [2.0, 1.0], "train_accuracy": [0.5, 0.7], "dev_loss": [2.1, 1.2],
        "dev_accuracy": [0.4, 0.6]}
MU, S2 = np.linspace(-1, 1, 5), np.linspace(0.5, 2, 4)
H = np.geomspace(1e-8, 1e-1, 8)

GOOD = {
    "plot_estimate_histograms": dict(ax=AX, edges=np.linspace(0, 4, 5),
                                     counts={"a": [0.1, 0.4, 0.2, 0.0]}, means={"a": 1.0},
                                     predicted={"a": 1.1}, true_value=2.0),
    "plot_running_means": dict(ax=AX, running={"x": [1.0, 2.0, 3.0]}, predicted={"x": 2.0},
                               t_max=10),
    "plot_bias_against_n": dict(ax=AX, n=N, theory={"mle": -1 / N}),
    "plot_divisor_mse": dict(ax=AX, n_theory=N, theory={k: 1.0 / N for k in (-1, 0, 1)}),
    "plot_mse_decomposition": dict(ax=AX, names=["a", "b"], bias2=[0.0, 0.1],
                                   variance=[0.5, 0.2]),
    "variance_estimator_figure": dict(
        estimates=np.random.default_rng(0).chisquare(4, (3, 200)) / 5, n=5, sigma2=1.0,
        pyplot=False),
    "plot_fit": dict(ax=AX, train=TRAIN, test=TEST, theta=np.r_[0.1, 0.5]),
    "add_fit_curve": dict(ax=AX, theta=np.r_[0.5, 0.1]),
    "plot_capacity": dict(ax=AX, degrees=CURVE.degrees, train_mse=CURVE.train_mse,
                          test_mse=CURVE.test_mse),
    "plot_lambda_path": dict(ax=AX, lams=PATH.lams, train_mse=PATH.train_mse,
                             test_mse=PATH.test_mse),
    "plot_weights": dict(ax=AX, theta=np.r_[1.0, -0.5, 0.1]),
    "plot_distribution_bars": dict(ax=AX, p=[0.5, 0.5, 0.0], q=[0.2, 0.3, 0.5]),
    "plot_cross_entropy_bars": dict(ax=AX, entropy=0.7, kl=0.1, nll=0.8),
    "plot_mse_and_nll": dict(ax=AX, theta=MU, mse=MU**2 + 1, nll=MU**2 / 2 + 1),
    "plot_nll_against_mse": dict(ax=AX, mse=MU**2 + 1, nll=MU**2 / 2 + 1),
    "plot_running_estimates": dict(ax=AX, paths=np.random.default_rng(0).random((3, 20)),
                                   theta=0.3, eps=0.05),
    "plot_deviation_probability": dict(ax=AX, m=np.arange(1, 6),
                                       measured=np.linspace(0.9, 0.1, 5)),
    "plot_log_likelihood_contours": dict(ax=AX, mu=MU, sigma2=S2,
                                         loglik=-(MU[None] ** 2) - S2[:, None]),
    "plot_gradient_variance": dict(ax=AX, m=np.array([1, 2, 4, 8]),
                                   measured=[4.0, 2.0, 1.0, 0.5]),
    "plot_loss_line": dict(ax=AX, alphas=np.linspace(0, 1, 5), losses=np.linspace(2, 0.1, 5)),
    "plot_loss_plane": dict(ax=AX, alphas=MU, betas=MU, grid=1 + MU[None] ** 2 + MU[:, None] ** 2),
    "deep_landscape_figure": dict(coords=MU, lines={"a": MU**2}, grid=MU,
                                  planes={"a": 1 + MU[None] ** 2 + MU[:, None] ** 2}),
    "plot_minibatch_cloud": dict(ax=AX, points=np.random.default_rng(0).normal(size=(20, 2)),
                                 full=[1.0, 0.0]),
    "plot_training_curves": dict(ax=AX, curves={"a": (np.arange(1, 6), np.linspace(2, 1, 5))}),
    "plot_difference_errors": dict(ax=AX, h=H, errors={"forward": H}),
    "plot_layer_gradients": dict(ax=AX, norms={"sigmoid": [1.0, 0.5, 0.1]}),
    "plot_history": dict(ax_loss=AX, ax_acc=AX, history=HIST),
    "fit_history_axes": dict(ax_loss=AX, ax_acc=AX, histories=[HIST]),
    "plot_accuracies": dict(ax=AX, accuracies={"a": 0.9, "b": 0.8},
                            colors={"a": "#000000", "b": "#E69F00"}),
    "plot_seed_runs": dict(ax_curve=AX, ax_final=AX, runs={"a": [HIST, HIST]},
                           colors={"a": "#000000"}),
    "plot_weight_shrink": dict(ax=AX, w_start=[0.1, -0.2, 0.3], w_end=[0.05, -0.1, 1e-9],
                               still=[False, False, True], factor=0.5),
    "plot_gd_rate": dict(ax=AX, lambda_min=1.0, lambda_max=10.0),
    "plot_losses": dict(ax=AX, losses=TRAJ.losses[:, None], labels=["sgd"]),
    "plot_surface": dict(surface=S, ax=AX, n=20),
    "plot_trajectories": dict(ax=AX, thetas=TRAJ.thetas[:, None], labels=["sgd"]),
    "optimizer_figure": dict(surface=S, trajectories={"sgd": TRAJ.thetas}, n=20, pyplot=False),
    "plot_schedules": dict(ax=AX, schedules={"c": schedules.constant(0.1)}, steps=20),
    "plot_schedules_lin_log": dict(ax_lin=AX, ax_log=AX, schedules={"c": schedules.constant(0.1)},
                                   steps=20),
    "plot_eps_placement": dict(ax=AX, g=H, step_inside=H / np.sqrt(H**2 + 1e-8),
                               step_outside=H / (H + 1e-8), eps=1e-8),
    "sci_text": dict(x=1.5e-3),
    "new_figure": dict(ncols=2, pyplot=False),
}

# Wrong values per kind of parameter: (value, exception, id).
BAD_AXES = [(None, T, "None"), ("ax", T, "str"), (Figure(), T, "Figure"), ([1, 2], T, "list")]
BAD_ARRAY = [(None, T, "None"), ("abc", T, "str"), ([1.0, None], T, "None-inside"),
             (np.array([1j, 2j]), T, "complex")]
BAD_BY_ANNOTATION = {
    "Mapping": [("abc", T, "str"), ([1, 2], T, "list"), (None, T, "None")],
    "str": [(5, T, "int")],
    "bool": [("yes", T, "str"), (1, T, "int")],
    "int": [(2.5, V, "2.5"), ("3", T, "str"), (None, T, "None")],
    "float": [("1.0", T, "str"), (1j, T, "complex"), (None, T, "None")],
}
BAD_BY_NAME = {
    "surface": [("rosenbrock", T, "str"), (None, T, "None")],
    "labels": [("sgd", T, "str")],
    "names": [("ab", T, "str")],
    "colors": [(5, T, "int")],
    "history": [("run", T, "str"), (None, T, "None")],
    "histories": [("run", T, "str"), ([HIST, "run"], T, "str-inside")],
    "steps": [("20", T, "str"), (None, T, "None")],
}


def _bad_values(fn, name: str):
    param = inspect.signature(fn).parameters[name]
    ann = str(param.annotation) if param.annotation is not inspect.Parameter.empty else ""
    optional = "None" in ann or param.default is None
    if "Axes" in ann:
        values = BAD_AXES
    elif name in ARRAYS.get(fn.__name__, ()):
        values = BAD_ARRAY
    elif ann.split(" |")[0].split("[")[0] in BAD_BY_ANNOTATION:
        values = BAD_BY_ANNOTATION[ann.split(" |")[0].split("[")[0]]
    else:
        values = BAD_BY_NAME.get(name, [])
    return [(v, e, tag) for v, e, tag in values if not (v is None and optional)]


BAD = []
for _fname, _good in GOOD.items():
    _fn = getattr(plots, _fname)
    for _param in _good:
        for _value, _exc, _tag in _bad_values(_fn, _param):
            BAD.append((f"{_fname}:{_param}={_tag}", _fn, {**_good, _param: _value}, _exc,
                        _param))

# Explorer factories: (id, factory, kwargs, exception, parameter).
BAD += [
    ("minibatch_noise_explorer:hidden=0", widgets.minibatch_noise_explorer, {"hidden": 0}, V,
     "hidden"),
    ("minibatch_noise_explorer:hidden=str", widgets.minibatch_noise_explorer, {"hidden": "32"},
     T, "hidden"),
    ("minibatch_noise_explorer:epochs=-1", widgets.minibatch_noise_explorer, {"epochs": -1}, V,
     "epochs"),
    ("minibatch_noise_explorer:n_batches=0", widgets.minibatch_noise_explorer,
     {"n_batches": 0}, V, "n_batches"),
    ("minibatch_noise_explorer:seed=-1", widgets.minibatch_noise_explorer, {"seed": -1}, V,
     "seed"),
    ("training_explorer:splits=str", widgets.training_explorer, {"splits": "digits"}, T,
     "splits"),
    ("training_explorer:splits=tuple", widgets.training_explorer, {"splits": (1, 2, 3)}, T,
     "splits"),
    ("training_explorer:batch_size=0", widgets.training_explorer, {"batch_size": 0}, V,
     "batch_size"),
    ("backprop_stepper:root=str", widgets.backprop_stepper, {"root": "x"}, T, "root"),
    ("capacity_explorer:target", widgets.capacity_explorer, {"target": "cos"}, V, "target"),
    ("capacity_explorer:max_degree=0", widgets.capacity_explorer, {"max_degree": 0}, V,
     "max_degree"),
    ("capacity_explorer:trials=0", widgets.capacity_explorer, {"trials": 0}, V, "trials"),
    ("capacity_explorer:seed=str", widgets.capacity_explorer, {"seed": "a"}, T, "seed"),
    ("regularization_explorer:noise<0", widgets.regularization_explorer, {"noise": -1.0}, V,
     "noise"),
    ("regularization_explorer:noise=None", widgets.regularization_explorer, {"noise": None}, T,
     "noise"),
    ("likelihood_chain_explorer:m=0", widgets.likelihood_chain_explorer, {"m": 0}, V, "m"),
    ("likelihood_chain_explorer:m=1e9", widgets.likelihood_chain_explorer, {"m": 10**9}, V,
     "m"),
    ("likelihood_chain_explorer:seed=-1", widgets.likelihood_chain_explorer, {"seed": -1}, V,
     "seed"),
    ("gaussian_nll_explorer:m=None", widgets.gaussian_nll_explorer, {"m": None}, T, "m"),
    ("gaussian_nll_explorer:seed=str", widgets.gaussian_nll_explorer, {"seed": "a"}, T, "seed"),
    ("consistency_explorer:seed=-1", widgets.consistency_explorer, {"seed": -1}, V, "seed"),
    ("consistency_explorer:seed=str", widgets.consistency_explorer, {"seed": "a"}, T, "seed"),
    ("variance_estimator_explorer:seed=-1", widgets.variance_estimator_explorer, {"seed": -1},
     V, "seed"),
    ("playground_explorer:dataset", widgets.playground_explorer, {"dataset": "moons"}, V,
     "dataset"),
    ("playground_explorer:lr=0", widgets.playground_explorer, {"lr": 0.0}, V, "lr"),
    ("playground_explorer:lr=str", widgets.playground_explorer, {"lr": "0.1"}, T, "lr"),
    ("playground_explorer:layers=100", widgets.playground_explorer, {"layers": 100}, V,
     "layers"),
    ("playground_explorer:activation", widgets.playground_explorer, {"activation": "gelu"}, V,
     "activation"),
    ("playground_explorer:optimizer", widgets.playground_explorer, {"optimizer": "nadam"}, V,
     "optimizer"),
    # checked by widgets._checks before anything is built
    ("gd_valley_explorer:steps=1e308", widgets.gd_valley_explorer, {"steps": 1e308}, V, "steps"),
    ("gd_valley_explorer:steps=10**30", widgets.gd_valley_explorer, {"steps": 10**30}, V,
     "steps"),
    ("gd_valley_explorer:lr=None", widgets.gd_valley_explorer, {"lr": None}, T, "lr"),
    ("gd_valley_explorer:lr=str", widgets.gd_valley_explorer, {"lr": "0.1"}, T, "lr"),
    ("gd_valley_explorer:lr=0", widgets.gd_valley_explorer, {"lr": 0.0}, V, "lr"),
    ("gd_valley_explorer:lr=inf", widgets.gd_valley_explorer, {"lr": np.inf}, V, "lr"),
    ("gd_valley_explorer:lr=nan", widgets.gd_valley_explorer, {"lr": np.nan}, V, "lr"),
    ("gd_valley_explorer:lr=beyond-slider", widgets.gd_valley_explorer, {"lr": 5.0}, V, "lr"),
    ("gd_valley_explorer:lr=array", widgets.gd_valley_explorer, {"lr": np.array([0.1])}, T,
     "lr"),
    ("landscape_slice_explorer:planes=str", widgets.landscape_slice_explorer,
     {"planes": "abc"}, T, "planes"),
    ("landscape_slice_explorer:planes=empty", widgets.landscape_slice_explorer, {"planes": {}},
     T, "planes"),
    ("landscape_slice_explorer:planes-without-grid", widgets.landscape_slice_explorer,
     {"planes": {"a": np.zeros((3, 3))}}, T, "grid"),
    ("landscape_slice_explorer:grid-without-planes", widgets.landscape_slice_explorer,
     {"grid": np.linspace(-1, 1, 3)}, V, "planes"),
    ("landscape_slice_explorer:zmax=1e308", widgets.landscape_slice_explorer,
     {"grid": MU, "planes": {"a": np.ones((5, 5))}, "zmax": 1e308}, V, "zmax"),
    ("minibatch_noise_explorer:hidden=1e9", widgets.minibatch_noise_explorer,
     {"hidden": 10**9}, V, "hidden"),
    ("minibatch_noise_explorer:hidden=1e308", widgets.minibatch_noise_explorer,
     {"hidden": 1e308}, V, "hidden"),
    ("minibatch_noise_explorer:epochs=1e9", widgets.minibatch_noise_explorer,
     {"epochs": 10**9}, V, "epochs"),
]


@pytest.mark.parametrize(("fn", "kwargs", "exc", "param"), [r[1:] for r in BAD],
                         ids=[r[0] for r in BAD])
def test_bad_argument_raises_a_clear_error_naming_the_parameter(fn, kwargs, exc, param):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(exc) as info:
            fn(**materialise(kwargs))
    message = str(info.value)
    assert re.search(rf"(?<![\w.]){re.escape(param)}\b", message), message


def test_ids_are_unique_and_every_kind_is_covered():
    ids = [r[0] for r in BAD]
    assert len(ids) == len(set(ids))
    tags = {i.rsplit("=", 1)[-1] for i in ids}
    assert {"None", "str", "Figure", "list", "None-inside", "complex"} <= tags


@pytest.mark.parametrize("name", list(GOOD))
def test_good_call_passes_the_checks_without_warnings(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        getattr(plots, name)(**materialise(GOOD[name]))


def test_every_public_plotting_function_is_checked_and_is_its_modules_function():
    for name in dir(plots):
        if name.startswith("_"):
            continue
        obj = getattr(plots, name)
        if inspect.isfunction(obj) and obj.__module__.startswith("npfl_helpers.plots."):
            assert hasattr(obj, "__wrapped__"), name
            module = __import__(obj.__module__, fromlist=[name])
            assert getattr(module, name) is obj, name


EDGE = [  # data a diverged run produces is drawn, not refused
    ("plot_loss_line", dict(ax=AX, alphas=[0.0, 0.5, 1.0], losses=[1.0, np.inf, np.nan])),
    ("plot_trajectories", dict(ax=AX, thetas=np.array([[[0.0, 0.0]], [[np.nan, np.nan]]]))),
    ("plot_losses", dict(ax=AX, losses=np.array([[1.0], [np.inf], [np.nan]]))),
    ("plot_gradient_variance", dict(ax=AX, m=[1, 2], measured=[1.0, 0.0])),
    ("plot_cross_entropy_bars", dict(ax=AX, entropy=1.0, kl=np.inf, nll=np.inf)),
    ("plot_history", dict(ax_loss=AX, ax_acc=AX, history={"train_loss": [1.0, np.inf],
                                                          "train_accuracy": [0.5, 0.1]})),
    ("plot_loss_plane", dict(ax=AX, alphas=MU, betas=MU,
                             grid=np.where(MU[None] > 0.5, np.inf, 1 + MU[:, None] ** 2))),
]


@pytest.mark.parametrize(("name", "kwargs"), EDGE, ids=[e[0] for e in EDGE])
def test_non_finite_data_is_drawn_without_warnings(name, kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        getattr(plots, name)(**materialise(kwargs))


def test_the_array_table_names_real_functions_and_parameters():
    for fname, params in ARRAYS.items():
        fn = getattr(plots, fname)
        assert set(params) <= set(inspect.signature(fn).parameters), fname


# Values of the right kind but the wrong shape, length or keys (plots._checks.SPECS), found by
# calling every function with such values: (id, function, good call, changes, exception, param).
E100 = np.random.default_rng(0).random((3, 20))
XY = (np.linspace(-1, 1, 5), np.zeros(5))
SHAPES = [
    ("plot_fit:train=None", "plot_fit", {"train": None}, T),
    ("plot_fit:train=triple", "plot_fit", {"train": (XY[0], XY[1], XY[1])}, T),
    ("plot_fit:train=unequal", "plot_fit", {"train": (XY[0], XY[1][:3])}, V),
    ("plot_fit:test=2d", "plot_fit", {"test": (np.zeros((2, 2)), np.zeros(2))}, V),
    ("plot_fit:ylim=reversed", "plot_fit", {"ylim": (2.0, -2.0)}, V),
    ("plot_running_estimates:paths=1d", "plot_running_estimates", {"paths": E100[0]}, V),
    ("plot_running_estimates:paths=empty", "plot_running_estimates",
     {"paths": np.zeros((0, 5))}, V),
    ("plot_running_estimates:eps=0", "plot_running_estimates", {"eps": 0.0}, V),
    ("plot_running_estimates:ylim=str", "plot_running_estimates", {"ylim": "0, 1"}, T),
    ("plot_estimate_histograms:counts=extra-key", "plot_estimate_histograms",
     {"counts": {"a": [0.1, 0.4, 0.2, 0.0], "b": [0.1, 0.4, 0.2, 0.0]}}, V),
    ("plot_estimate_histograms:counts=wrong-bins", "plot_estimate_histograms",
     {"counts": {"a": [0.1, 0.4]}}, V),
    ("plot_estimate_histograms:means=renamed", "plot_estimate_histograms", {"means": {"z": 1.0}},
     V),
    ("plot_estimate_histograms:predicted=None-value", "plot_estimate_histograms",
     {"predicted": {"a": None}}, T),
    ("plot_running_means:predicted=missing-key", "plot_running_means", {"predicted": {}}, V),
    ("plot_bias_against_n:theory=short", "plot_bias_against_n", {"theory": {"mle": [1.0]}}, V),
    ("plot_bias_against_n:n=empty", "plot_bias_against_n", {"n": []}, V),
    ("plot_divisor_mse:theory=unknown-key", "plot_divisor_mse", {"theory": {"zz": 1.0 / N}}, V),
    ("plot_divisor_mse:n_theory=2d", "plot_divisor_mse", {"n_theory": N[None]}, V),
    ("plot_mse_and_nll:theta=empty", "plot_mse_and_nll",
     {"theta": [], "mse": [], "nll": []}, V),
    ("plot_log_likelihood_contours:loglik=transposed", "plot_log_likelihood_contours",
     {"loglik": (-(MU[None] ** 2) - S2[:, None]).T}, V),
    ("plot_loss_plane:grid=wrong-shape", "plot_loss_plane", {"grid": np.ones((2, 2))}, V),
    ("deep_landscape_figure:planes=1d", "deep_landscape_figure", {"planes": {"a": MU}}, V),
    ("plot_minibatch_cloud:points=3-columns", "plot_minibatch_cloud",
     {"points": np.zeros((4, 3))}, V),
    ("plot_minibatch_cloud:full=3", "plot_minibatch_cloud", {"full": [1.0, 0.0, 0.0]}, V),
    ("plot_training_curves:curves=unequal", "plot_training_curves",
     {"curves": {"a": ([1, 2, 3], [1.0, 2.0])}}, V),
    ("plot_training_curves:curves=array", "plot_training_curves", {"curves": {"a": [1.0]}}, T),
    ("plot_difference_errors:h=negative", "plot_difference_errors", {"h": -H}, V),
    ("plot_difference_errors:errors=short", "plot_difference_errors",
     {"errors": {"forward": H[:2]}}, V),
    ("plot_layer_gradients:norms=empty", "plot_layer_gradients", {"norms": {}}, V),
    ("plot_accuracies:accuracies=str", "plot_accuracies", {"accuracies": {"a": "high"}}, T),
    ("plot_schedules:schedules=number", "plot_schedules", {"schedules": {"c": 0.1}}, T),
    ("plot_losses:losses=3d", "plot_losses", {"losses": np.zeros((3, 1, 2))}, V),
    ("plot_losses:losses=dict-of-None", "plot_losses", {"losses": {"sgd": None}}, T),
    ("optimizer_figure:n=1", "optimizer_figure", {"n": 1}, V),
    ("plot_surface:n=0", "plot_surface", {"n": 0}, V),
    ("new_figure:ncols=0", "new_figure", {"ncols": 0}, V),
    ("variance_estimator_figure:estimates=1d", "variance_estimator_figure",
     {"estimates": np.ones(10)}, V),
    ("plot_eps_placement:eps=-1", "plot_eps_placement", {"eps": -1.0}, V),
    ("plot_weights:ylim=nan", "plot_weights", {"ylim": (np.nan, 1.0)}, V),
]
MORE_GOOD = {
    "plot_roots": dict(ax=AX, name="momentum", lr=0.01, beta=0.9, lambdas=[1.0, 50.0]),
    "plot_rate_vs_beta": dict(ax=AX, name="momentum", lr=0.01, beta=0.9, lambdas=[1.0, 50.0]),
    "plot_noise_floor_vs_beta": dict(ax=AX, lr=0.01, beta=0.5, sigma=1.0, lambdas=[1.0, 10.0]),
    "plot_lr_regimes": dict(ax=AX, lambda_max=10.0, lr_range=(1e-3, 1.0)),
    "plot_phase_diagram": dict(ax=AX, lrs=np.geomspace(1e-3, 0.2, 6), betas=np.linspace(0, 0.9, 4),
                               ratio=np.full((4, 6), 1e-5), diverged=np.zeros((4, 6), bool),
                               lambda_max=10.0),
    "plot_rmsprop_steps": dict(ax=AX, t=np.arange(1, 51), relative_step=np.ones((50, 2)),
                               betas=np.array([0.9, 0.99])),
}
SHAPES += [
    ("plot_roots:lambdas=negative", "plot_roots", {"lambdas": [-1.0, 50.0]}, V),
    ("plot_roots:lambdas=str", "plot_roots", {"lambdas": "1, 50"}, T),
    ("plot_roots:beta=1", "plot_roots", {"beta": 1.0}, V),
    ("plot_rate_vs_beta:lambdas=2d", "plot_rate_vs_beta", {"lambdas": [[1.0, 50.0]]}, V),
    ("plot_noise_floor_vs_beta:lambdas=empty", "plot_noise_floor_vs_beta", {"lambdas": []}, V),
    ("plot_lr_regimes:lr_range=None", "plot_lr_regimes", {"lr_range": None}, T),
    ("plot_lr_regimes:lr_range=triple", "plot_lr_regimes", {"lr_range": (1e-3, 0.1, 1.0)}, T),
    ("plot_lr_regimes:lr_range=negative", "plot_lr_regimes", {"lr_range": (-1.0, 1.0)}, V),
    ("plot_phase_diagram:ratio=transposed", "plot_phase_diagram",
     {"ratio": np.full((6, 4), 1e-5)}, V),
    ("plot_phase_diagram:optimum=str", "plot_phase_diagram", {"optimum": "best"}, T),
    ("plot_rmsprop_steps:relative_step=1d", "plot_rmsprop_steps",
     {"relative_step": np.ones(50)}, V),
    ("plot_rmsprop_steps:betas=None", "plot_rmsprop_steps", {"betas": None}, T),
    ("plot_playground:run=dict", "plot_playground",
     {"ax_regions": AX, "ax_loss": AX, "run": {}}, T),
    ("plot_rank_swap:swap=None", "plot_rank_swap", {"ax": AX, "swap": None}, T),
    ("plot_selection:selection=str", "plot_selection", {"ax": AX, "selection": "best"}, T),
    ("plot_efficiency:eff=dict", "plot_efficiency", {"ax_var": AX, "ax_eff": AX, "eff": {}}, T),
    ("update_weights:bars=None", "update_weights", {"bars": None, "theta": [1.0]}, T),
    ("update_direction_errors:lines=str", "update_direction_errors",
     {"lines": "abc", "u": np.ones((3, 2))}, T),
    ("update_capacity:artists=None", "update_capacity", {"artists": None, "degrees": [1, 2]}, T),
    ("update_fit:artists=Axes", "update_fit", {"artists": AX, "theta": [0.1]}, T),
    ("update_trajectories:paths=str", "update_trajectories",
     {"paths": "x", "thetas": np.zeros((2, 1, 2))}, T),
    ("set_cross_entropy_bars:bars=int", "set_cross_entropy_bars",
     {"bars": 1, "entropy": 1.0, "kl": 0.1, "nll": 1.1}, T),
    ("update_variance_estimator_figure:art=list", "update_variance_estimator_figure",
     {"art": [], "estimates": np.ones((3, 10)), "n": 5, "sigma2": 1.0}, T),
]

J = np.array([[1.0, -2.0], [0.5, 0.0], [0.0, 3.0]])
T100 = np.arange(1, 101)
MORE_GOOD.update({
    "history_legend": dict(ax=AX, runs={"a": "#000000"}),
    "plot_activations": dict(ax_f=AX, ax_df=AX, names=["sigmoid"], a=np.linspace(-3, 3, 7)),
    "jacobian_figure": dict(J_rows=J, J_columns=J + 1e-9),
    "plot_matrices": dict(axes=[AX, AX], matrices={"A": J, "B": J + 1}),
    "plot_partial_sums": dict(ax_sum=AX, ax_sq=AX, t=T100, sums={"1/t": (
        np.cumsum(1 / T100), np.cumsum(1 / T100**2))}, colors=["#0072B2"]),
    "plot_noise_floors": dict(ax=AX, mean_loss={"c": np.geomspace(10, 0.08, 50)},
                              floors={"c": (0.1, 0.0763)}, colors={"c": "#000000"}, runs=500),
    "plot_direction_errors": dict(ax=AX, u=np.ones((21, 2)), lambdas=[1.0, 10.0]),
})
ALL_NAN = np.full((3, 2), np.nan)
SHAPES += [  # contents of histories, colours per entry, steps, names, value ranges
    ("plot_history:history=renamed-key", "plot_history",
     {"history": {"zz": [2.0, 1.0], "train_accuracy": [0.5, 0.7]}}, V),
    ("plot_history:history=None-field", "plot_history",
     {"history": {**HIST, "train_loss": None}}, T),
    ("plot_history:history=str-field", "plot_history", {"history": {**HIST, "dev_loss": "abc"}},
     T),
    ("plot_history:history=2d-field", "plot_history",
     {"history": {**HIST, "train_loss": np.ones((2, 2))}}, V),
    ("plot_history:history=short-accuracy", "plot_history",
     {"history": {**HIST, "train_accuracy": [0.5]}}, V),
    ("plot_seed_runs:runs=not-a-list", "plot_seed_runs", {"runs": {"a": 1}}, T),
    ("plot_seed_runs:runs=empty", "plot_seed_runs", {"runs": {}}, V),
    ("plot_seed_runs:runs=bad-history", "plot_seed_runs", {"runs": {"a": [HIST, {"x": 1}]}},
     V),
    ("plot_seed_runs:colors=missing-key", "plot_seed_runs", {"colors": {"zz": "#000000"}}, V),
    ("plot_seed_runs:colors=empty-list", "plot_seed_runs", {"colors": []}, V),
    ("plot_seed_runs:colors=not-a-colour", "plot_seed_runs", {"colors": [None]}, T),
    ("plot_seed_runs:key=unknown", "plot_seed_runs", {"key": "loss"}, V),
    ("history_legend:runs=not-a-colour", "history_legend", {"runs": {"a": "abc"}}, T),
    ("history_legend:runs=array", "history_legend", {"runs": {"a": np.ones((2, 2))}}, T),
    ("plot_accuracies:colors=missing-key", "plot_accuracies", {"colors": {"a": "#000000"}}, V),
    ("plot_accuracies:colors=too-many", "plot_accuracies", {"colors": ["k", "b", "r"]}, V),
    ("plot_accuracies:accuracies=extra-key", "plot_accuracies",
     {"accuracies": {"a": 0.9, "b": 0.8, "zz": 0.1}}, V),
    ("plot_mse_decomposition:bias2=2d", "plot_mse_decomposition", {"bias2": [[0.0, 0.1]]}, V),
    ("plot_mse_decomposition:variance=nan", "plot_mse_decomposition",
     {"variance": [np.nan, 0.2]}, V),
    ("plot_mse_decomposition:variance=negative", "plot_mse_decomposition",
     {"variance": [-0.5, 0.2]}, V),
    ("plot_mse_decomposition:colors=short", "plot_mse_decomposition", {"colors": ["k"]}, V),
    ("plot_schedules:steps=1e308", "plot_schedules", {"steps": 1e308}, V),
    ("plot_schedules:steps=10**30", "plot_schedules", {"steps": 10**30}, V),
    ("plot_schedules:steps=3d", "plot_schedules", {"steps": np.zeros((2, 2, 2))}, V),
    ("plot_schedules:steps=nan", "plot_schedules", {"steps": [np.nan, 1.0]}, V),
    ("plot_schedules:steps=fractions", "plot_schedules", {"steps": [0.5, 1.0]}, V),
    ("plot_schedules:colors=short", "plot_schedules",
     {"schedules": {"a": schedules.constant(0.1), "b": schedules.constant(0.2)},
      "colors": ["k"]}, V),
    ("plot_schedules:colors=dict", "plot_schedules", {"colors": {"c": "k"}}, T),
    ("plot_schedules_lin_log:steps=negative", "plot_schedules_lin_log", {"steps": [-1, 2]}, V),
    ("plot_partial_sums:colors=empty", "plot_partial_sums", {"colors": []}, V),
    ("plot_partial_sums:colors=None-inside", "plot_partial_sums", {"colors": [None]}, T),
    ("plot_noise_floors:floors=unknown-key", "plot_noise_floors",
     {"floors": {"zz": (0.1, 0.0763)}}, V),
    ("plot_noise_floors:colors=renamed", "plot_noise_floors", {"colors": {"zz": "#000000"}},
     V),
    ("plot_noise_floors:mean_loss=one-value", "plot_noise_floors", {"mean_loss": {"c": [1.0]}},
     V),
    ("plot_activations:names=unknown", "plot_activations", {"names": ["gelu"]}, V),
    ("plot_activations:names=None-inside", "plot_activations", {"names": [None]}, T),
    ("plot_activations:names=array", "plot_activations", {"names": np.zeros((2, 2))}, T),
    ("plot_activations:a=one-value", "plot_activations", {"a": [0.5]}, V),
    ("plot_weight_shrink:still=wrong-shape", "plot_weight_shrink", {"still": [True, False]}, V),
    ("plot_weight_shrink:still=empty", "plot_weight_shrink", {"still": []}, V),
    ("plot_weight_shrink:still=nan", "plot_weight_shrink", {"still": [np.nan, 1.0, 0.0]}, T),
    ("plot_weight_shrink:factor=1e308", "plot_weight_shrink", {"factor": 1e308}, V),
    ("plot_loss_line:alphas=2d", "plot_loss_line", {"alphas": np.linspace(0, 1, 5)[:, None]},
     V),
    ("plot_loss_line:losses=negative", "plot_loss_line", {"losses": -np.ones(5)}, V),
    ("plot_rate_vs_beta:lambdas=nan", "plot_rate_vs_beta", {"lambdas": [np.nan, 1.0]}, V),
    ("plot_direction_errors:lambdas=short", "plot_direction_errors", {"lambdas": [1.0]}, V),
    ("jacobian_figure:J_rows=all-nan", "jacobian_figure", {"J_rows": ALL_NAN}, V),
    ("jacobian_figure:J_columns=all-nan", "jacobian_figure", {"J_columns": ALL_NAN}, V),
    ("plot_matrices:matrices=all-nan", "plot_matrices", {"matrices": {"A": ALL_NAN}}, V),
    ("deep_landscape_figure:lines=short", "deep_landscape_figure", {"lines": {"a": MU[:2]}}, V),
    ("deep_landscape_figure:coords=nan", "deep_landscape_figure",
     {"coords": np.full(5, np.nan)}, V),
    ("new_figure:ncols=10**30", "new_figure", {"ncols": 10**30}, V),
    ("new_figure:ncols=1e308", "new_figure", {"ncols": 1e308}, V),
    ("plot_cross_entropy_bars:entropy=10**30", "plot_cross_entropy_bars", {"entropy": 10**30},
     V),
    ("plot_cross_entropy_bars:entropy=inf", "plot_cross_entropy_bars", {"entropy": np.inf}, V),
    ("plot_noise_floor_vs_beta:sigma=1e308", "plot_noise_floor_vs_beta", {"sigma": 1e308}, V),
    ("plot_roots:beta=10**30", "plot_roots", {"beta": 10**30}, V),
    ("variance_estimator_figure:n=1e308", "variance_estimator_figure", {"n": 1e308}, V),
    ("variance_estimator_figure:sigma2=1e308", "variance_estimator_figure", {"sigma2": 1e308},
     V),
    ("plot_running_estimates:eps=1e308", "plot_running_estimates", {"eps": 1e308}, V),
    ("plot_running_estimates:current=1e308", "plot_running_estimates", {"current": 1e308}, V),
    ("plot_running_means:t_max=-1", "plot_running_means", {"t_max": -1}, V),
    ("plot_eps_placement:g=all-nan", "plot_eps_placement", {"g": np.full(8, np.nan)}, V),
    ("plot_eps_placement:eps=1e308", "plot_eps_placement", {"eps": 1e308}, V),
    ("plot_surface:n=10**9", "plot_surface", {"n": 10**9}, V),
    ("plot_rmsprop_steps:betas=one", "plot_rmsprop_steps", {"betas": [1.0, 2.0]}, V),
    ("plot_rmsprop_steps:relative_step=negative", "plot_rmsprop_steps",
     {"relative_step": -np.ones((50, 2))}, V),
    ("plot_capacity:degrees=all-nan", "plot_capacity",
     {"degrees": np.full(len(CURVE.degrees), np.nan)}, V),
    ("plot_lambda_path:lams=negative", "plot_lambda_path", {"lams": -PATH.lams}, V),
    ("plot_gradient_variance:m=negative", "plot_gradient_variance", {"m": [-1, -2, -4, -8]}, V),
    ("plot_deviation_probability:m=all-nan", "plot_deviation_probability",
     {"m": np.full(5, np.nan)}, V),
    ("plot_distribution_bars:p=2d", "plot_distribution_bars", {"p": [[0.5], [0.5], [0.0]]}, V),
    ("plot_phase_diagram:betas=negative", "plot_phase_diagram",
     {"betas": np.linspace(-1.9, -1.0, 4)}, V),
    ("plot_phase_diagram:lrs=all-nan", "plot_phase_diagram", {"lrs": np.full(6, np.nan)}, V),
    ("plot_estimate_histograms:edges=short", "plot_estimate_histograms", {"edges": [0.0, 1.0]},
     V),
]


@pytest.mark.parametrize(("name", "changes", "exc"), [s[1:] for s in SHAPES],
                         ids=[s[0] for s in SHAPES])
def test_wrong_shape_length_or_keys_raises_a_clear_error(name, changes, exc):
    kwargs = {**GOOD.get(name, MORE_GOOD.get(name, {})), **changes}
    param = next(k for k in changes if not k.startswith("ax"))  # the first one changed
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(exc) as info:
            getattr(plots, name)(**materialise(kwargs))
    message = str(info.value)
    assert re.search(rf"(?<![\w.]){re.escape(param)}\b", message), message
    assert "got" in message, message


@pytest.mark.parametrize("name", list(MORE_GOOD))
def test_more_good_calls_pass_the_checks(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        getattr(plots, name)(**materialise(MORE_GOOD[name]))
