"""Computations that explorers and figures use, tested in the core without matplotlib.

They used to be private helpers of ``widgets/`` and ``plots/`` modules: the digits problem and
the batch-size ladder of notebook 04's minibatch-noise explorer (``estimators``), the step at
which a run reaches a tolerance (``trajectories``), and the phase-diagram grid, the regime of a
direction, the ordering of the roots and the noise floor across the stability limit of
notebook 07 (``quadratic_theory``). Others have their tests beside their core module: Adam's
moments over the steps (``optim.adam_moments``), the transient loss of the eigendirection
explorers and gradient descent's rate curves (``quadratic_theory.transient_loss``,
``gd_rate_curves``), run outcomes, loss ranges and round axis limits (``trajectories``), the
Gaussian NLL from the MSE (``losses``), the χ² peak and histogram range of notebook 01
(``estimators``) and the activation curves of notebook 05 (``mlp.activation_curves``).
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from npfl_helpers import estimators, mlp, quadratic_theory, trajectories

QT = quadratic_theory


# -- estimators ----------------------------------------------------------------------------------

@pytest.mark.parametrize("N", [1, 2, 3, 7, 8, 9, 1078])
def test_doubling_batch_sizes_are_powers_of_two_below_n_then_n(N):
    want = []
    m = 1
    while m < N:
        want.append(m)
        m *= 2
    want.append(N)
    assert estimators.doubling_batch_sizes(N) == want


def test_doubling_batch_sizes_validates():
    with pytest.raises(ValueError, match="N must be an integer"):
        estimators.doubling_batch_sizes(0)
    with pytest.raises(TypeError, match="N must be an integer"):
        estimators.doubling_batch_sizes(None)


def test_trained_digits_mlp_starts_from_the_seeded_network_and_training_lowers_the_loss():
    model0, X, y = estimators.trained_digits_mlp(hidden=8, epochs=0, seed=3)
    assert model0.sizes == (64, 8, 10) and model0.activation == "tanh"
    assert X.shape == (1078, 64) and y.shape == (1078,)
    np.testing.assert_array_equal(model0.theta, mlp.MLP((64, 8, 10), activation="tanh",
                                                        seed=3).theta)
    model1, X1, y1 = estimators.trained_digits_mlp(hidden=8, epochs=1, seed=3)
    np.testing.assert_array_equal(X1, X)
    assert model1.loss(model1.theta, X, y) < model0.loss(model0.theta, X, y)
    again, _, _ = estimators.trained_digits_mlp(hidden=8, epochs=1, seed=3)
    np.testing.assert_array_equal(again.theta, model1.theta)


def test_trained_digits_mlp_validates():
    with pytest.raises(ValueError, match="hidden must be an integer"):
        estimators.trained_digits_mlp(hidden=0)
    with pytest.raises(ValueError, match="epochs must be an integer"):
        estimators.trained_digits_mlp(epochs=-1)


# -- trajectories --------------------------------------------------------------------------------

def test_first_step_below():
    assert trajectories.first_step_below([4.0, 1.0, 0.1, 0.01], 0.5) == 2
    assert trajectories.first_step_below([0.1, 1.0], 0.5) == 0
    assert trajectories.first_step_below([1.0, 0.5], 0.5) is None  # strictly below
    assert trajectories.first_step_below([1.0, np.nan, np.nan], 0.5) is None
    assert trajectories.first_step_below([], 0.5) is None
    with pytest.raises(ValueError, match="losses must have 1 axis"):
        trajectories.first_step_below(np.zeros((2, 2)), 0.5)
    with pytest.raises(ValueError, match="tol must be in"):
        trajectories.first_step_below([1.0], np.nan)


# -- quadratic_theory ----------------------------------------------------------------------------

def test_grid_centres_are_arithmetic_or_geometric_means():
    edges = np.array([0.0, 0.25, 1.0, 2.0])
    np.testing.assert_allclose(QT.grid_centres(edges),
                               [(a + b) / 2 for a, b in zip(edges[:-1], edges[1:], strict=True)])
    log_edges = np.geomspace(1e-4, 10.0, 7)
    np.testing.assert_allclose(QT.grid_centres(log_edges, log=True),
                               [math.sqrt(a * b) for a, b in zip(log_edges[:-1], log_edges[1:],
                                                                 strict=True)], rtol=1e-14)
    with pytest.raises(ValueError, match="edges must hold at least 2"):
        QT.grid_centres([1.0])
    with pytest.raises(ValueError, match="edges must be in"):
        QT.grid_centres([0.0, 1.0], log=True)
    with pytest.raises(TypeError, match="log must be True or False"):
        QT.grid_centres([1.0, 2.0], log="yes")


@pytest.mark.parametrize("name", ["momentum", "nesterov"])
def test_root_branches_are_continuous_in_beta(name):
    betas = np.linspace(0.0, 0.995, 400)
    roots = QT.iteration_eigenvalues(name, 0.05, betas, 3.0)
    branches = QT.root_branches(roots)
    # the same two roots, reordered
    np.testing.assert_allclose(np.sort_complex(branches), np.sort_complex(roots))
    # each branch moves by little from one β to the next (the unordered roots swap places)
    assert np.abs(np.diff(branches, axis=0)).max() < 0.05
    # the rule: larger imaginary part first, or the larger real root
    b = QT.root_branches(np.array([[0.5 - 0.1j, 0.5 + 0.1j], [0.2, 0.9]]))
    assert b.tolist() == [[0.5 + 0.1j, 0.5 - 0.1j], [0.9, 0.2]]
    with pytest.raises(TypeError, match="roots must be an array of shape"):
        QT.root_branches(np.zeros(3))


def test_direction_regime_names_each_behaviour():
    # momentum, α = 0.1, β = 0: roots 1 − αλ (overdamped), negative for λ > 10 (zig-zag),
    # |1 − αλ| ≥ 1 for λ ≥ 20 (diverges)
    assert QT.direction_regime("momentum", 0.1, 0.0, 1.0) == "overdamped"
    assert QT.direction_regime("momentum", 0.1, 0.0, 15.0) == "overdamped, zig-zag"
    assert QT.direction_regime("momentum", 0.1, 0.0, 20.0) == "diverges"
    # β above β_crit = (1 − √(αλ))² = 0.81 for αλ = 0.01: complex roots, |r| = √β
    assert QT.direction_regime("momentum", 0.01, 0.9, 1.0) == "underdamped"
    assert QT.direction_regime("momentum", 0.01, 0.81, 1.0) == "critically damped"
    with pytest.raises(ValueError, match="lam must be a scalar"):
        QT.direction_regime("momentum", 0.1, 0.0, [1.0, 2.0])


def test_noise_floor_or_nan_is_the_noise_floor_below_the_stability_limit_and_nan_beyond():
    lambdas = [1.0, 10.0]
    lrs = np.array([0.0, 0.01, 0.1, 0.19, 0.2, 0.5])  # SGD's limit 2/λ_max = 0.2
    got = QT.noise_floor_or_nan(lrs, 1.0, lambdas)
    ok = (lrs > 0) & (lrs < 0.2)
    np.testing.assert_allclose(got[ok], QT.noise_floor(lrs[ok], 1.0, lambdas), rtol=1e-15)
    assert np.isnan(got[~ok]).all()
    # SGD's exact floor written out: Σ_λ ασ²/(2(2 − αλ))
    a = 0.1
    assert got[2] == pytest.approx(sum(a / (2 * (2 - a * lam)) for lam in lambdas), rel=1e-13)
    # over β, with momentum's limit 2(1 + β)/λ_max
    betas = np.linspace(0.0, 0.99, 12)
    curve = QT.noise_floor_or_nan(0.3, 1.0, lambdas, betas)
    assert np.array_equal(np.isnan(curve), ~(0.3 < 2 * (1 + betas) / 10.0))
    assert isinstance(QT.noise_floor_or_nan(0.1, 1.0, lambdas), float)
    with pytest.raises(ValueError, match="lr must be in"):
        QT.noise_floor_or_nan(-0.1, 1.0, lambdas)


def test_the_moved_computations_need_no_matplotlib():
    code = ("import sys; import npfl_helpers.estimators, npfl_helpers.quadratic_theory, "
            "npfl_helpers.trajectories; "
            "assert 'matplotlib' not in sys.modules and 'ipywidgets' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
