"""Tests for npfl_helpers.landscape: filter-normalised directions, losses on a line and a plane."""

import numpy as np
import pytest

from npfl_helpers import landscape, mlp


def setup(sizes=(6, 8, 5, 3), activation="relu", dtype=np.float64, n=40, seed=0):
    model = mlp.MLP(sizes, activation=activation, seed=seed, dtype=dtype)
    rng = np.random.default_rng(seed)
    # non-zero biases, as after training
    for _, b in model.unpack(model.theta):
        b[...] = rng.normal(scale=0.3, size=b.shape)
    X = rng.standard_normal((n, sizes[0])).astype(dtype)
    y = rng.integers(0, sizes[-1], n)
    return model, X, y


def test_filter_normalisation_matches_every_column_norm():
    model, _, _ = setup()
    d = landscape.random_direction(model, model.theta, rng=0)
    assert d.shape == model.theta.shape and d.dtype == model.theta.dtype
    for (D, db), (W, _) in zip(model.unpack(d), model.unpack(model.theta), strict=True):
        for j in range(W.shape[1]):  # column j = the weights into output unit j
            assert np.sqrt(np.sum(D[:, j] ** 2)) == pytest.approx(np.sqrt(np.sum(W[:, j] ** 2)))
        np.testing.assert_array_equal(db, 0.0)
    # the direction of each column is still random: not a copy of θ's column
    assert not np.allclose(np.abs(model.unpack(d)[0][0]), np.abs(model.unpack(model.theta)[0][0]))


def test_bias_options_and_raw_directions():
    model, _, _ = setup()
    d = landscape.random_direction(model, model.theta, rng=1, ignore_biases=False)
    for (_, db), (_, b) in zip(model.unpack(d), model.unpack(model.theta), strict=True):
        np.testing.assert_allclose(np.abs(db), np.abs(b))
    raw = landscape.random_direction(model, model.theta, rng=2, filter_normalize=False)
    expected = np.random.default_rng(2).standard_normal(model.n_params)
    for (D, db), (E, _) in zip(model.unpack(raw), model.unpack(expected), strict=True):
        np.testing.assert_array_equal(D, E)
        np.testing.assert_array_equal(db, 0.0)


def test_directions_are_seeded():
    model, _, _ = setup()
    a = landscape.random_direction(model, model.theta, rng=5)
    b = landscape.random_direction(model, model.theta, rng=np.random.default_rng(5))
    c = landscape.random_direction(model, model.theta, rng=6)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_plane_equals_the_loss_at_each_point(activation):
    model, X, y = setup(activation=activation)
    d1 = landscape.random_direction(model, model.theta, rng=1)
    d2 = landscape.random_direction(model, model.theta, rng=2)
    alphas, betas = np.linspace(-1, 1, 5), np.array([-0.5, 0.0, 0.25, 2.0])
    grid = landscape.loss_plane(model, model.theta, d1, d2, X, y, alphas, betas)
    assert grid.shape == (4, 5)
    for i, beta in enumerate(betas):
        for j, alpha in enumerate(alphas):
            theta = model.theta + alpha * d1 + beta * d2
            assert grid[i, j] == pytest.approx(model.loss(theta, X, y), rel=1e-12)
    # the centre α = β = 0 is the model's own loss
    assert grid[1, 2] == pytest.approx(model.loss(model.theta, X, y), rel=1e-13)


def test_plane_in_chunks_equals_plane_in_one_go(monkeypatch):
    model, X, y = setup()
    d1 = landscape.random_direction(model, model.theta, rng=1)
    d2 = landscape.random_direction(model, model.theta, rng=2)
    alphas, betas = np.linspace(-2, 2, 7), np.linspace(-1, 1, 6)
    whole = landscape.loss_plane(model, model.theta, d1, d2, X, y, alphas, betas)
    monkeypatch.setattr(landscape, "_CHUNK_BYTES", 1)  # one grid point per chunk
    np.testing.assert_allclose(
        landscape.loss_plane(model, model.theta, d1, d2, X, y, alphas, betas), whole, rtol=1e-13)


def test_plane_for_a_network_without_hidden_layers_and_in_float32():
    model, X, y = setup(sizes=(4, 3), dtype=np.float32)
    d1 = landscape.random_direction(model, model.theta, rng=1)
    d2 = landscape.random_direction(model, model.theta, rng=2)
    grid = landscape.loss_plane(model, model.theta, d1, d2, X, y, [0.0, 1.0], [0.0, -1.0, 3.0])
    assert grid.shape == (3, 2)
    assert grid[0, 0] == pytest.approx(model.loss(model.theta, X, y), rel=1e-5)
    assert grid[2, 1] == pytest.approx(model.loss(model.theta + d1 + 3 * d2, X, y), rel=1e-5)


def test_line_endpoints_and_midpoint():
    model, X, y = setup(activation="tanh")
    theta_b = model.theta + landscape.random_direction(model, model.theta, rng=3)
    alphas = np.array([[0.0, 0.5], [1.0, 1.5]])
    losses = landscape.loss_along_line(model, model.theta, theta_b, X, y, alphas)
    assert losses.shape == (2, 2)
    assert losses[0, 0] == pytest.approx(model.loss(model.theta, X, y), rel=1e-12)
    assert losses[1, 0] == pytest.approx(model.loss(theta_b, X, y), rel=1e-12)
    mid = 0.5 * model.theta + 0.5 * theta_b
    assert losses[0, 1] == pytest.approx(model.loss(mid, X, y), rel=1e-12)
    beyond = -0.5 * model.theta + 1.5 * theta_b
    assert losses[1, 1] == pytest.approx(model.loss(beyond, X, y), rel=1e-12)


def test_extreme_points_give_no_warnings():
    model, X, y = setup(dtype=np.float32)
    d1 = landscape.random_direction(model, model.theta, rng=1)
    grid = landscape.loss_plane(model, model.theta, d1, d1, X, y, [0.0, 1e30], [0.0, 1e30])
    assert np.isfinite(grid[0, 0])


@pytest.mark.parametrize("bad", [np.array([3, 0]), np.array([-1, 0])])
def test_labels_out_of_range_raise(bad):
    model = mlp.MLP((2, 3), seed=0)
    X = np.ones((2, 2))
    with pytest.raises(ValueError, match="y must "):
        landscape.loss_along_line(model, model.theta, 2 * model.theta, X, bad, [0.0, 1.0])


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_plane_of_a_residual_network_equals_the_loss_at_each_point(activation):
    sizes = (4, 4, 5, 5, 5, 3)  # skips around the input layer and the two 5 -> 5 layers
    model = mlp.MLP(sizes, activation=activation, seed=2, residual=True)
    assert model.skips == (True, False, True, True, False)
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((30, 4)), rng.integers(0, 3, 30)
    d1 = landscape.random_direction(model, model.theta, rng=1)
    d2 = landscape.random_direction(model, model.theta, rng=2)
    alphas, betas = np.linspace(-1, 1, 4), np.array([-0.5, 0.0, 1.5])
    grid = landscape.loss_plane(model, model.theta, d1, d2, X, y, alphas, betas)
    for i, beta in enumerate(betas):
        for j, alpha in enumerate(alphas):
            theta = model.theta + alpha * d1 + beta * d2
            assert grid[i, j] == pytest.approx(model.loss(theta, X, y), rel=1e-12)


def test_filter_normalised_landscape_ignores_how_relu_layers_share_a_scale():
    # Scaling layer 1 of a ReLU network by c and layer 2 by 1/c leaves its function unchanged
    # (ReLU(c·a) = c·ReLU(a) for c > 0). The filter-normalised plane is then the same; a raw
    # Gaussian direction sees a different landscape: why Li et al. normalise filter-wise.
    model, X, y = setup(sizes=(6, 8, 5, 3), activation="relu")
    scaled = model.theta.copy()
    (W1, b1), (W2, _), _ = model.unpack(scaled)
    c = 10.0
    W1 *= c
    b1 *= c
    W2 /= c
    np.testing.assert_allclose(model.forward(X, scaled), model.forward(X), rtol=1e-12)
    grid = np.linspace(-1, 1, 5)

    def plane(theta, normalise):
        d1, d2 = (landscape.random_direction(model, theta, rng=k, filter_normalize=normalise)
                  for k in (1, 2))
        return landscape.loss_plane(model, theta, d1, d2, X, y, grid, grid)

    np.testing.assert_allclose(plane(scaled, True), plane(model.theta, True), rtol=1e-10)
    raw, raw_scaled = plane(model.theta, False), plane(scaled, False)
    assert np.abs(raw_scaled - raw).max() > 0.1 * raw.max()


def test_local_minima_on_grids_and_lines():
    bowl = np.add.outer(np.linspace(-1, 1, 5) ** 2, np.linspace(-1, 1, 7) ** 2)
    mask = landscape.local_minima(bowl)
    assert mask.shape == bowl.shape and mask.sum() == 1 and mask[2, 3]
    bumpy = bowl.copy()
    bumpy[0, 0] = -1.0   # a corner lower than its three neighbours
    bumpy[3, 5] = 0.01   # an interior dip below its eight neighbours
    assert sorted(zip(*np.nonzero(landscape.local_minima(bumpy)), strict=True)) == [
        (0, 0), (2, 3), (3, 5)]
    flat = np.ones((3, 3))
    assert not landscape.local_minima(flat).any()  # ties are not strict minima
    with_nan = bowl.copy()
    with_nan[2, 4] = np.nan                          # an overflowed loss next to the minimum
    assert landscape.local_minima(with_nan).sum() == 1 and landscape.local_minima(with_nan)[2, 3]
    line = np.array([3.0, 1.0, 2.0, 2.0, 0.0, 5.0])
    assert landscape.local_minima(line).tolist() == [False, True, False, False, True, False]
    with pytest.raises(ValueError, match="grid"):
        landscape.local_minima(np.zeros((2, 2, 2)))
