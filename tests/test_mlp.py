"""Tests for npfl_helpers.mlp: activations, parameter layout, forward, backprop, training."""

import math

import numpy as np
import pytest

from npfl_helpers import data, mlp, optim, schedules

ACTS = ["sigmoid", "tanh", "relu"]


def layer_params(sizes, theta):
    """Unpack θ by hand (W row-major then b, layer after layer), independently of MLP.unpack."""
    out, pos = [], 0
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        W = theta[pos:pos + fan_in * fan_out].reshape(fan_in, fan_out)
        pos += fan_in * fan_out
        out.append((W, theta[pos:pos + fan_out]))
        pos += fan_out
    assert pos == len(theta)
    return out


def naive_loss(sizes, activation, theta, X, y, l2=0.0):
    """The lecture's formulas row by row, with scalar exp/log."""
    f = {"sigmoid": lambda a: 1 / (1 + np.exp(-a)), "tanh": np.tanh,
         "relu": lambda a: np.where(a > 0, a, 0.0)}[activation]
    layers = layer_params(sizes, theta)
    total = 0.0
    for x, label in zip(X, y, strict=True):
        h = x
        for i, (W, b) in enumerate(layers):
            a = np.array([sum(h[k] * W[k, j] for k in range(len(h))) + b[j]
                          for j in range(W.shape[1])])
            h = f(a) if i < len(layers) - 1 else a
        total += -math.log(math.exp(h[label]) / sum(math.exp(v) for v in h))
    return total / len(X) + l2 * sum(float((W ** 2).sum()) for W, _ in layers)


def problem(sizes=(5, 7, 6, 4), n=9, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, sizes[0])).astype(dtype)
    y = rng.integers(0, sizes[-1], n)
    return X, y


# -- activations ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ACTS)
def test_activation_derivative_is_central_difference(name):
    f, f_prime = mlp.ACTIVATIONS[name]
    a = np.array([-3.0, -0.7, -0.1, 0.2, 0.9, 4.0])
    eps = 1e-6
    np.testing.assert_allclose(f_prime(a), (f(a + eps) - f(a - eps)) / (2 * eps), atol=1e-8)


def test_activation_values_follow_the_formulas():
    a = np.linspace(-5, 5, 11)
    np.testing.assert_allclose(mlp.ACTIVATIONS["sigmoid"][0](a), 1 / (1 + np.exp(-a)), rtol=1e-12)
    np.testing.assert_allclose(mlp.ACTIVATIONS["relu"][0](a), np.where(a > 0, a, 0))
    assert mlp.ACTIVATIONS["relu"][1](np.array([0.0]))[0] == 0.0  # ReLU'(0) = 0 by convention


@pytest.mark.parametrize("name", ACTS)
def test_activation_curves_are_the_activation_and_its_derivative(name):
    a = np.linspace(-4.0, 4.0, 81)  # 0 is a grid point
    f, f_prime = mlp.ACTIVATIONS[name]
    y, dy = mlp.activation_curves(name, a)
    np.testing.assert_array_equal(y, f(a))
    gap = np.isnan(dy)
    np.testing.assert_array_equal(dy[~gap], f_prime(a)[~gap])
    if name == "relu":  # the step from 0 to 1 between a = 0 and the next point: a gap at 0
        assert np.flatnonzero(gap).tolist() == [40] and a[40] == 0.0
    else:  # smooth: a fine grid has no gap
        assert not gap.any()


def test_activation_curves_validate():
    with pytest.raises(ValueError, match="name must be one of"):
        mlp.activation_curves("gelu", [0.0, 1.0])
    with pytest.raises(ValueError, match="a must have 1 axis"):
        mlp.activation_curves("tanh", np.zeros((2, 2)))
    with pytest.raises(TypeError, match="a must be"):
        mlp.activation_curves("tanh", None)


@pytest.mark.parametrize("name", ACTS)
def test_activation_in_place(name):
    f, _ = mlp.ACTIVATIONS[name]
    a = np.linspace(-3, 3, 7)
    expected = f(a)
    out = a.copy()
    assert f(out, out=out) is out
    np.testing.assert_allclose(out, expected, rtol=1e-15)


def test_sigmoid_saturates_without_warnings():
    s = mlp.sigmoid(np.array([-1000.0, 1000.0], dtype=np.float32))
    assert s.dtype == np.float32 and s[0] == 0.0 and s[1] == 1.0


# -- parameter layout ------------------------------------------------------------------------


def test_unpack_returns_views_with_the_documented_shapes():
    model = mlp.MLP((4, 5, 3), seed=0)
    assert model.n_params == 4 * 5 + 5 + 5 * 3 + 3
    layers = model.unpack(model.theta)
    assert [(W.shape, b.shape) for W, b in layers] == [((4, 5), (5,)), ((5, 3), (3,))]
    for W, b in layers:
        assert np.shares_memory(W, model.theta) and np.shares_memory(b, model.theta)
    layers[1][0][2, 1] = 123.0
    layers[0][1][4] = -7.0
    assert model.theta[4 * 5 + 5 + 2 * 3 + 1] == 123.0
    assert model.theta[4 * 5 + 4] == -7.0
    for (W, b), (W2, b2) in zip(layers, layer_params(model.sizes, model.theta), strict=True):
        np.testing.assert_array_equal(W, W2)
        np.testing.assert_array_equal(b, b2)


def test_unpack_of_a_stack_of_parameter_vectors():
    model = mlp.MLP((4, 5, 3), seed=0)
    stack = np.stack([model.theta, 2 * model.theta, 3 * model.theta])
    layers = model.unpack(stack)
    assert [(W.shape, b.shape) for W, b in layers] == [((3, 4, 5), (3, 5)), ((3, 5, 3), (3, 3))]
    assert all(np.shares_memory(W, stack) for W, _ in layers)
    np.testing.assert_array_equal(layers[0][0][2], 3 * model.unpack(model.theta)[0][0])
    with pytest.raises(ValueError, match="theta must have shape"):
        model.unpack(np.zeros(5))


@pytest.mark.parametrize(("activation", "hidden_r"), [("tanh", math.sqrt(6 / 600)),
                                                      ("relu", math.sqrt(6 / 400))])
def test_initialisation_is_seeded_glorot_or_he_uniform(activation, hidden_r):
    model = mlp.MLP((400, 200, 10), activation=activation, seed=3)
    (W1, b1), (W2, b2) = model.unpack(model.theta)
    assert np.all(b1 == 0) and np.all(b2 == 0)
    assert np.abs(W1).max() <= hidden_r and np.abs(W1).max() > 0.99 * hidden_r
    assert np.isclose(W1.std(), hidden_r / math.sqrt(3), rtol=0.02)  # std of U(-r, r)
    out_r = math.sqrt(6 / 210)  # output layer: Glorot
    assert np.abs(W2).max() <= out_r and np.abs(W2).max() > 0.95 * out_r
    same = mlp.MLP((400, 200, 10), activation=activation, seed=3)
    other = mlp.MLP((400, 200, 10), activation=activation, seed=4)
    np.testing.assert_array_equal(model.theta, same.theta)
    assert not np.allclose(model.theta, other.theta)


@pytest.mark.parametrize("bad", [{"sizes": (5,)}, {"sizes": (5, 0, 2)}, {"activation": "elu"},
                                 {"dtype": np.int32}])
def test_invalid_construction_raises(bad):
    kwargs = {"sizes": (3, 4, 2), **bad}
    with pytest.raises(ValueError):
        mlp.MLP(**kwargs)


# -- forward and loss --------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ACTS)
def test_loss_matches_the_formula_written_row_by_row(activation):
    sizes = (3, 4, 5, 3)
    model = mlp.MLP(sizes, activation=activation, seed=1)
    X, y = problem(sizes, n=6, seed=1)
    theta = model.theta + 0.1 * np.random.default_rng(2).standard_normal(model.n_params)
    for l2 in (0.0, 0.05):
        expected = naive_loss(sizes, activation, theta, X, y, l2)
        assert model.loss(theta, X, y, l2=l2) == pytest.approx(expected, rel=1e-12)
        assert model.loss_and_grad(theta, X, y, l2=l2)[0] == pytest.approx(expected, rel=1e-12)


def test_forward_on_a_stack_equals_one_vector_at_a_time():
    model = mlp.MLP((5, 7, 6, 4), activation="tanh", seed=0)
    X, y = problem()
    thetas = model.theta + np.random.default_rng(1).standard_normal((2, 3, model.n_params))
    logits = model.forward(X, thetas)
    assert logits.shape == (2, 3, len(X), 4)
    losses = model.loss(thetas, X, y, l2=0.01)
    assert losses.shape == (2, 3)
    for i in range(2):
        for j in range(3):
            np.testing.assert_allclose(logits[i, j], model.forward(X, thetas[i, j]), rtol=1e-12)
            assert losses[i, j] == pytest.approx(model.loss(thetas[i, j], X, y, l2=0.01))


def test_cross_entropy_is_stable_for_huge_logits():
    logits = np.array([[1000.0, 0.0, -1000.0], [5.0, 5.0, 5.0]])
    ce = mlp.cross_entropy_from_logits(logits, np.array([1, 2]))
    assert ce == pytest.approx((1000.0 + math.log(3)) / 2)


def test_predict_and_accuracy():
    model = mlp.MLP((2, 3), seed=0)
    model.theta[:] = [1, 0, 0, 0, 1, 0, 0, 0, 0.5]  # W = [[1,0,0],[0,1,0]], b = (0, 0, 0.5)
    X = np.array([[2.0, 0.0], [0.0, 2.0], [0.0, 0.0]])
    assert model.predict(X).tolist() == [0, 1, 2]
    assert model.accuracy(X, np.array([0, 1, 0])) == pytest.approx(2 / 3)


# -- backprop ----------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize("l2", [0.0, 0.03])
def test_gradient_matches_central_differences(activation, l2):
    model = mlp.MLP((5, 7, 6, 4), activation=activation, seed=1)
    X, y = problem()
    # move away from the ReLU kinks and the zero biases of the initialisation
    theta = model.theta + 0.1 * np.random.default_rng(5).standard_normal(model.n_params)
    _, grad = model.loss_and_grad(theta, X, y, l2=l2)
    eps = 1e-6
    numeric = np.array([(model.loss(theta + eps * e, X, y, l2) - model.loss(theta - eps * e, X, y,
                                                                            l2)) / (2 * eps)
                        for e in np.eye(model.n_params)])
    np.testing.assert_allclose(grad, numeric, atol=1e-8, rtol=1e-6)


def test_biases_are_not_penalised():
    model = mlp.MLP((3, 4, 2), seed=0)
    X, y = problem((3, 4, 2), n=5)
    g0 = model.loss_and_grad(model.theta, X, y, l2=0.0)[1]
    g1 = model.loss_and_grad(model.theta, X, y, l2=0.5)[1]
    diff = model.unpack(g1 - g0)
    for (dW, db), (W, _) in zip(diff, model.unpack(model.theta), strict=True):
        np.testing.assert_allclose(dW, 2 * 0.5 * W, atol=1e-15)  # d/dW λ‖W‖² = 2λW
        np.testing.assert_array_equal(db, 0.0)


def test_gradient_is_written_into_out_and_inputs_are_untouched():
    model = mlp.MLP((5, 7, 4), seed=0)
    X, y = problem((5, 7, 4))
    theta, X0 = model.theta.copy(), X.copy()
    buf = np.full(model.n_params, np.nan)
    loss, grad = model.loss_and_grad(model.theta, X, y, out=buf)
    assert grad is buf
    np.testing.assert_array_equal(grad, model.loss_and_grad(model.theta, X, y)[1])
    np.testing.assert_array_equal(model.theta, theta)
    np.testing.assert_array_equal(X, X0)


def test_float32_is_kept_throughout():
    model = mlp.MLP((5, 7, 4), activation="sigmoid", seed=0, dtype=np.float32)
    X, y = problem((5, 7, 4), dtype=np.float32)
    assert model.theta.dtype == np.float32
    assert model.forward(X).dtype == np.float32
    loss, grad = model.loss_and_grad(model.theta, X, y, l2=0.01)
    assert grad.dtype == np.float32 and isinstance(loss, float)
    ref = mlp.MLP((5, 7, 4), activation="sigmoid", seed=0)
    ref.theta = model.theta.astype(np.float64)
    np.testing.assert_allclose(grad, ref.loss_and_grad(ref.theta, X.astype(np.float64), y,
                                                       l2=0.01)[1], atol=1e-6)


@pytest.mark.torch
@pytest.mark.parametrize("activation", ACTS)
def test_gradient_agrees_with_torch(activation):
    torch = pytest.importorskip("torch")
    sizes = (6, 8, 5, 3)
    model = mlp.MLP(sizes, activation=activation, seed=2)
    X, y = problem(sizes, n=10)
    theta = model.theta + 0.1 * np.random.default_rng(3).standard_normal(model.n_params)
    loss, grad = model.loss_and_grad(theta, X, y, l2=0.01)
    t = torch.tensor(theta, requires_grad=True)
    h = torch.tensor(X)
    layers = [(t[w0:w1].reshape(fi, fo), t[w1:b1]) for w0, w1, b1, fi, fo in model._slices]
    f = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[activation]
    for i, (W, b) in enumerate(layers):
        h = h @ W + b
        if i < len(layers) - 1:
            h = f(h)
    ref = torch.nn.functional.cross_entropy(h, torch.tensor(y)) + 0.01 * sum(
        (W ** 2).sum() for W, _ in layers)
    ref.backward()
    assert loss == pytest.approx(ref.item(), rel=1e-12)
    np.testing.assert_allclose(grad, t.grad.numpy(), atol=1e-12)


# -- training ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def digits():
    return data.load_digits()


def test_training_with_adam_reaches_a_good_dev_accuracy_on_digits(digits):
    model = mlp.MLP((64, 100, 10), seed=0)
    theta0 = model.theta.copy()
    hist = mlp.train(model, digits.train.X, digits.train.y, optim.adam(1e-3), epochs=10,
                     batch_size=32, X_dev=digits.dev.X, y_dev=digits.dev.y, progress=False)
    for key in ("train_loss", "train_accuracy", "dev_loss", "dev_accuracy"):
        assert len(hist[key]) == 10
    assert len(hist.step_loss) == 10 * math.ceil(len(digits.train.y) / 32)
    assert hist.train_loss[-1] < 0.5 * hist.train_loss[0]
    assert hist.dev_accuracy[-1] >= 0.9
    assert not hist.diverged
    assert not np.array_equal(model.theta, theta0)
    # the history's dev figures are those of the final parameters
    assert model.accuracy(digits.dev.X, digits.dev.y) == pytest.approx(hist.dev_accuracy[-1])
    assert model.loss(model.theta, digits.dev.X, digits.dev.y) == pytest.approx(hist.dev_loss[-1])


@pytest.mark.parametrize("opt", [optim.sgd(0.5), optim.momentum(0.1, beta=0.9),
                                 optim.nesterov(0.1, beta=0.9), optim.adam(1e-2),
                                 optim.sgd(schedules.exponential_decay(0.5, 50, 0.5))],
                         ids=["sgd", "momentum", "nesterov", "adam", "sgd-schedule"])
def test_every_optimiser_reduces_the_loss(opt, digits):
    model = mlp.MLP((64, 32, 10), activation="tanh", seed=0)
    X, y = digits.train.X[:400], digits.train.y[:400]
    before = model.loss(model.theta, X, y)
    hist = mlp.train(model, X, y, opt, epochs=3, batch_size=50, progress=False, l2=1e-4)
    assert model.loss(model.theta, X, y) < 0.6 * before
    assert hist.train_loss[-1] < hist.train_loss[0]


def test_schedule_sees_the_number_of_updates_done(digits):
    seen = []

    def schedule(step):
        seen.append(step)
        return 0.1

    model = mlp.MLP((64, 10), seed=0)
    mlp.train(model, digits.train.X[:100], digits.train.y[:100], optim.sgd(schedule), epochs=2,
              batch_size=30, progress=False)
    assert seen == list(range(2 * 4))  # ceil(100 / 30) = 4 updates per epoch


def test_training_is_seeded_and_keeps_float32(digits):
    X, y = digits.train.X[:200].astype(np.float32), digits.train.y[:200]
    runs = []
    for seed in (0, 0, 1):
        model = mlp.MLP((64, 16, 10), seed=0, dtype=np.float32)
        hist = mlp.train(model, X, y, optim.momentum(0.05), epochs=2, batch_size=16, seed=seed,
                         progress=False)
        assert model.theta.dtype == np.float32
        runs.append((hist.step_loss, model.theta))
    assert runs[0][0] == runs[1][0] and np.array_equal(runs[0][1], runs[1][1])
    assert runs[0][0] != runs[2][0]


def test_l2_shrinks_the_weights(digits):
    X, y = digits.train.X[:300], digits.train.y[:300]
    norms = []
    for l2 in (0.0, 0.01):
        model = mlp.MLP((64, 32, 10), seed=0)
        hist = mlp.train(model, X, y, optim.sgd(0.3), epochs=5, batch_size=30, progress=False,
                         l2=l2)
        norms.append(float(model.penalty()))
        # step losses include the L2 term, epoch losses do not
        assert hist.step_loss[-1] >= 0
    assert norms[1] < 0.8 * norms[0]


def test_divergence_stops_training_without_warnings(digits):
    model = mlp.MLP((64, 32, 10), seed=0, dtype=np.float32)  # float32 overflows sooner
    hist = mlp.train(model, digits.train.X, digits.train.y, optim.sgd(1e30), epochs=5,
                     batch_size=32, X_dev=digits.dev.X, y_dev=digits.dev.y, progress=False)
    assert hist.diverged
    assert len(hist.train_loss) < 5
    assert not math.isfinite(hist.step_loss[-1])


def test_progress_bar_and_argument_checks(digits, capsys):
    model = mlp.MLP((64, 10), seed=0)
    mlp.train(model, digits.train.X[:64], digits.train.y[:64], optim.sgd(0.1), epochs=1,
              batch_size=32)
    assert "sgd" in capsys.readouterr().err
    with pytest.raises(ValueError, match="batch_size"):
        mlp.train(model, digits.train.X, digits.train.y, optim.sgd(0.1), 1, 0, progress=False)
    with pytest.raises(ValueError, match="X must have shape"):
        mlp.train(model, digits.train.X[:, :10], digits.train.y, optim.sgd(0.1), 1, 8,
                  progress=False)


def test_each_step_gets_a_fresh_gradient_of_its_minibatch(digits):
    kept, thetas = [], []

    def step(theta, state, grad_fn):
        thetas.append(theta)
        g = grad_fn(theta)
        kept.append(g)  # an optimiser may keep g: it must not be overwritten later
        return theta - 0.1 * g, state + 1

    custom = optim.Optimizer("custom", {}, lambda theta: 0, step)
    X, y = digits.train.X[:90], digits.train.y[:90]
    model = mlp.MLP((64, 10), seed=0)
    mlp.train(model, X, y, custom, epochs=1, batch_size=40, seed=7, progress=False)
    batches = list(data.minibatches(X, y, 40, np.random.default_rng(7)))
    assert len(kept) == len(batches) == 3
    for theta, g, (Xb, yb) in zip(thetas, kept, batches, strict=True):
        np.testing.assert_array_equal(g, model.loss_and_grad(theta, Xb, yb)[1])


@pytest.mark.parametrize("bad", [np.array([3, 0]), np.array([0, -1]), np.array([0.0, 1.0]),
                                 np.array([0]), np.array([[0, 1]])])
def test_labels_must_be_class_indices_of_the_batch(bad):
    """Out-of-range, negative, float or misshapen labels raise instead of picking a wrong z."""
    model = mlp.MLP((2, 3), seed=0)
    X = np.ones((2, 2))
    calls = {
        "loss_and_grad": lambda: model.loss_and_grad(model.theta, X, bad),
        "loss": lambda: model.loss(model.theta, X, bad),
        "train": lambda: mlp.train(model, X, bad, optim.sgd(0.1), 1, 2, progress=False),
        "train dev": lambda: mlp.train(model, X, np.array([0, 1]), optim.sgd(0.1), 1, 2,
                                       X_dev=X, y_dev=bad, progress=False),
    }
    for name, call in calls.items():
        with pytest.raises(ValueError, match=r"y(_dev)? (must|shape)"):
            call()
            pytest.fail(name)


# --- history_curves: a training history as arrays ------------------------------------------

_HISTORY = {"train_loss": [2.0, 1.0, 0.5], "train_accuracy": [0.4, 0.7, 0.9],
            "dev_loss": [1.8, 1.1, 0.9], "dev_accuracy": [0.5, 0.7, 0.8]}


def test_history_curves_number_the_epochs_and_turn_non_finite_values_into_nan():
    c = mlp.history_curves({"train_loss": [2.0, np.inf, np.nan], "train_accuracy": [1, 0, 0],
                            "dev_loss": [1.0], "dev_accuracy": [0.5]})
    np.testing.assert_array_equal(c["epoch"], [1, 2, 3])
    np.testing.assert_array_equal(c["dev_epoch"], [1])
    assert np.isnan(c["train_loss"][1:]).all() and c["train_loss"][0] == 2.0
    assert c["diverged"] == 2  # the first epoch whose training loss is not finite
    assert np.isnan(mlp.history_curves(_HISTORY)["diverged"])


def test_history_curves_read_a_real_history_and_its_divergence_flag():
    h = mlp.History([1.0, 0.5], [0.5, 0.6], [1.1, 0.7], [0.4, 0.5], [], diverged=True)
    c = mlp.history_curves(h)
    np.testing.assert_array_equal(c["dev_loss"], [1.1, 0.7])
    assert c["diverged"] == 2  # flagged: the last epoch


# --- train_epochs and layer_gradient_norms ---------------------------------------------------

def test_train_epochs_records_the_full_training_loss_after_every_epoch(digits):
    X, y = digits.train.X[:200], digits.train.y[:200]
    model = mlp.MLP((64, 16, 10), activation="tanh", seed=0)
    losses = mlp.train_epochs(model, X, y, optim.sgd(0.5), epochs=3, batch_size=20)
    # the same, written out: one call of train per epoch, seeded by the epoch
    ref = mlp.MLP((64, 16, 10), activation="tanh", seed=0)
    expected = [ref.loss(ref.theta, X, y)]
    for epoch in range(3):
        mlp.train(ref, X, y, optim.sgd(0.5), epochs=1, batch_size=20, seed=epoch, progress=False)
        expected.append(ref.loss(ref.theta, X, y))
    np.testing.assert_array_equal(losses, expected)
    np.testing.assert_array_equal(model.theta, ref.theta)
    assert losses.shape == (4,) and losses[-1] < losses[0]
    assert mlp.train_epochs(model, X, y, optim.sgd(0.5), 0, 20).shape == (1,)
    with pytest.raises(ValueError, match="epochs"):
        mlp.train_epochs(model, X, y, optim.sgd(0.5), -1, 20)


def test_layer_gradient_norms_agree_with_the_autodiff_engine():
    from npfl_helpers import autodiff

    for name in ("sigmoid", "tanh", "relu"):
        rng = np.random.default_rng(5)  # the same draws as the function with seed=5
        f = {"sigmoid": autodiff.sigmoid, "tanh": autodiff.tanh, "relu": autodiff.relu}[name]
        gain = 2.0 if name == "relu" else 1.0
        h = autodiff.Tensor(rng.standard_normal((1, 8)))
        layers = [h]
        for _ in range(6):
            h = f(h @ (rng.standard_normal((8, 8)) * np.sqrt(gain / 8)))
            layers.append(h)
        h.sum().backward()
        expected = [np.linalg.norm(layer.grad) for layer in layers]
        np.testing.assert_allclose(mlp.layer_gradient_norms(name, depth=6, width=8, seed=5),
                                   expected, rtol=1e-12)


def test_layer_gradient_norms_by_central_differences():
    # ‖∂(Σ h_L)/∂x‖ of the first layer, checked on the network rebuilt from the same seed
    depth, width = 3, 5
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, width))
    Ws = [rng.standard_normal((width, width)) * np.sqrt(1 / width) for _ in range(depth)]

    def out(x):
        for W in Ws:
            x = np.tanh(x @ W)
        return x.sum()

    h = 1e-6
    E = h * np.eye(width)
    grad = np.array([(out(x + E[j]) - out(x - E[j])) / (2 * h) for j in range(width)])
    norms = mlp.layer_gradient_norms("tanh", depth=depth, width=width, seed=1)
    assert norms.shape == (depth + 1,)
    assert norms[0] == pytest.approx(np.linalg.norm(grad), rel=1e-8)
    assert norms[-1] == pytest.approx(np.sqrt(width))  # g = 1 at the output


def test_layer_gradient_norms_show_the_vanishing_gradient():
    sig, tanh = mlp.layer_gradient_norms("sigmoid"), mlp.layer_gradient_norms("tanh")
    assert sig[0] < 1e-4 * sig[-1] and tanh[0] > 0.1 * tanh[-1]
    with pytest.raises(ValueError, match="activation"):
        mlp.layer_gradient_norms("softmax")
    with pytest.raises(ValueError, match="depth"):
        mlp.layer_gradient_norms("relu", depth=0)


# -- skip (residual) connections ----------------------------------------------------------------

RES_SIZES = (5, 6, 6, 4, 4, 3)  # skips around layers 2 (6 -> 6) and 4 (4 -> 4) only


def naive_residual_loss(sizes, activation, theta, X, y, l2=0.0):
    """h_l = h_{l-1} + f(a_l) for equal-width hidden layers, else h_l = f(a_l); row by row."""
    f = {"sigmoid": lambda a: 1 / (1 + np.exp(-a)), "tanh": np.tanh,
         "relu": lambda a: np.where(a > 0, a, 0.0)}[activation]
    layers = layer_params(sizes, theta)
    total = 0.0
    for x, label in zip(X, y, strict=True):
        h = x
        for i, (W, b) in enumerate(layers):
            a = np.array([sum(h[k] * W[k, j] for k in range(len(h))) + b[j]
                          for j in range(W.shape[1])])
            if i == len(layers) - 1:
                h = a
            elif W.shape[0] == W.shape[1]:
                h = h + f(a)
            else:
                h = f(a)
        total += -math.log(math.exp(h[label]) / sum(math.exp(v) for v in h))
    return total / len(X) + l2 * sum(float((W ** 2).sum()) for W, _ in layers)


def test_residual_skips_exactly_the_equal_width_hidden_layers():
    model = mlp.MLP(RES_SIZES, seed=0, residual=True)
    assert model.skips == (False, True, False, True, False)
    assert mlp.MLP(RES_SIZES, seed=0).skips == (False,) * 5
    # input width = first hidden width: the input is added too; never around the output layer
    assert mlp.MLP((4, 4, 4), seed=0, residual=True).skips == (True, False)
    assert "residual=True" in repr(model) and "residual" not in repr(mlp.MLP(RES_SIZES))
    assert model.n_params == mlp.MLP(RES_SIZES).n_params  # the same flat θ layout
    with pytest.raises(TypeError, match="residual"):
        mlp.MLP(RES_SIZES, residual="yes")


@pytest.mark.parametrize("activation", ACTS)
def test_residual_loss_matches_the_formula_written_row_by_row(activation):
    model = mlp.MLP(RES_SIZES, activation=activation, seed=1, residual=True)
    X, y = problem(RES_SIZES, n=5, seed=1)
    theta = model.theta + 0.1 * np.random.default_rng(2).standard_normal(model.n_params)
    expected = naive_residual_loss(RES_SIZES, activation, theta, X, y, 0.02)
    assert model.loss(theta, X, y, l2=0.02) == pytest.approx(expected, rel=1e-12)
    assert model.loss_and_grad(theta, X, y, l2=0.02)[0] == pytest.approx(expected, rel=1e-12)
    # the skips change the function: the plain network gives another loss
    assert mlp.MLP(RES_SIZES, activation=activation).loss(theta, X, y) != pytest.approx(
        expected, rel=1e-3)


@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize("sizes", [RES_SIZES, (4, 4, 4, 4, 2)])
def test_residual_gradient_matches_central_differences(activation, sizes):
    model = mlp.MLP(sizes, activation=activation, seed=3, residual=True)
    X, y = problem(sizes, n=7, seed=2)
    theta = model.theta + 0.1 * np.random.default_rng(6).standard_normal(model.n_params)
    _, grad = model.loss_and_grad(theta, X, y, l2=0.01)
    h = 1e-6
    E = h * np.eye(model.n_params)
    numeric = (model.loss(theta + E, X, y, 0.01) - model.loss(theta - E, X, y, 0.01)) / (2 * h)
    np.testing.assert_allclose(grad, numeric, atol=1e-8, rtol=1e-6)


def test_residual_forward_on_a_stack_and_in_float32():
    model = mlp.MLP(RES_SIZES, activation="tanh", seed=0, residual=True)
    X, y = problem(RES_SIZES)
    thetas = model.theta + np.random.default_rng(1).standard_normal((2, model.n_params))
    logits = model.forward(X, thetas)
    for i in range(2):
        np.testing.assert_allclose(logits[i], model.forward(X, thetas[i]), rtol=1e-12)
    small = mlp.MLP(RES_SIZES, activation="tanh", seed=0, residual=True, dtype=np.float32)
    loss, grad = small.loss_and_grad(small.theta, X.astype(np.float32), y)
    assert grad.dtype == np.float32
    np.testing.assert_allclose(grad, model.loss_and_grad(model.theta, X, y)[1], atol=1e-5)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_residual_layers_start_with_the_range_divided_by_sqrt_of_their_number(activation):
    sizes = (30, 40, 40, 40, 40, 10)  # K = 3 skip layers
    plain = mlp.MLP(sizes, activation=activation, seed=4)
    res = mlp.MLP(sizes, activation=activation, seed=4, residual=True)
    for skip, (W, _), (W0, _) in zip(res.skips, res.unpack(res.theta),
                                     plain.unpack(plain.theta), strict=True):
        np.testing.assert_allclose(W, W0 / math.sqrt(3) if skip else W0, rtol=1e-12)


def test_a_deep_residual_network_keeps_its_activations_bounded_and_trains(digits):
    # 20 tanh layers of 32: each skip adds a bounded term, the logits stay of order one
    sizes = (64, *[32] * 20, 10)
    model = mlp.MLP(sizes, activation="tanh", seed=0, residual=True)
    assert np.abs(model.forward(digits.train.X)).max() < 20
    before = model.loss(model.theta, digits.train.X, digits.train.y)
    mlp.train(model, digits.train.X, digits.train.y, optim.adam(1e-3), epochs=2, batch_size=32,
              progress=False)
    assert model.loss(model.theta, digits.train.X, digits.train.y) < 0.5 * before


@pytest.mark.parametrize("activation", ACTS)
def test_each_layer_scales_the_gradient_by_at_most_its_weight_norm_times_max_f_prime(activation):
    # notebook 05: g_{h_{l-1}} = (g_{h_l} ⊙ f'(a_l)) W_lᵀ, so ‖g_{h_{l-1}}‖ ≤ ‖W_l‖₂ max|f'(a_l)|
    # ‖g_{h_l}‖: the bound 4⁻ᴸ of σ holds for the derivative factors, the weights multiply in
    depth, width = 12, 32
    norms = mlp.layer_gradient_norms(activation, depth=depth, width=width, seed=0)
    rng = np.random.default_rng(0)  # the stack of layer_gradient_norms, rebuilt from its seed
    gain = 2.0 if activation == "relu" else 1.0
    f, df = mlp.ACTIVATIONS[activation]
    h = rng.standard_normal((1, width))
    bounds, spectral = [], []
    for _ in range(depth):
        W = rng.standard_normal((width, width)) * np.sqrt(gain / width)
        a = h @ W
        h = f(a)
        bounds.append(np.linalg.norm(W, 2) * np.abs(df(a)).max())
        spectral.append(np.linalg.norm(W, 2))
    ratios = norms[:-1] / norms[1:]  # ‖g_{h_{l-1}}‖ / ‖g_{h_l}‖ for l = 1 … depth
    assert np.all(ratios <= np.array(bounds) * (1 + 1e-12))
    # the weights are not contractions: ‖W_l‖₂ ≈ 2√gain, so the derivative factors alone are no
    # bound on the whole gradient
    assert np.all(np.array(spectral) > 1.5)


# ---------------------------------------------------------------------------------------------
# dead_units: hidden units that output 0 on every example


def test_dead_units_counts_units_that_are_zero_on_every_row():
    model = mlp.MLP((3, 5, 4, 2), activation="relu", seed=0)
    theta = model.theta.copy()
    (W1, b1), (W2, b2), _ = model.unpack(theta)
    X = np.random.default_rng(1).random((40, 3))
    b1[[0, 3]] = -50.0  # no input in [0, 1]³ switches these on
    b2[1] = -50.0
    b2[2] = 50.0  # always on
    counts = mlp.dead_units(model, X, theta)
    # written out: a unit is dead when ReLU(a) = 0 for all 40 rows
    h1 = np.maximum(X @ W1 + b1, 0)
    h2 = np.maximum(h1 @ W2 + b2, 0)
    expected = [int((h1 == 0).all(axis=0).sum()), int((h2 == 0).all(axis=0).sum())]
    assert counts.tolist() == expected and expected[0] >= 2 and expected[1] >= 1
    smooth = mlp.MLP((3, 5, 2), activation="tanh", seed=0)
    assert mlp.dead_units(smooth, X).tolist() == [0]  # tanh is 0 only at a = 0


def test_dead_units_after_a_far_too_large_learning_rate():
    """SGD with α = 10 on the digits kills (almost) every ReLU unit: one class for all."""
    digits = data.load_digits()
    X, y = digits.train
    model = mlp.MLP((64, 32, 10), activation="relu", seed=0)
    before = mlp.dead_units(model, X)[0]
    mlp.train(model, X, y, optim.sgd(10.0), epochs=2, batch_size=50, progress=False)
    assert before == 0 and mlp.dead_units(model, X)[0] >= 31
    assert np.unique(model.predict(X)).size == 1


def test_dead_units_rejects_other_models():
    with pytest.raises(TypeError, match="model must be an MLP"):
        mlp.dead_units("net", np.zeros((1, 2)))


@pytest.mark.torch
def test_relu_derivative_at_zero_is_zero_as_in_pytorch():
    # notebook 05: the lecture leaves ReLU'(0) undefined (NaN); frameworks return 0, as we do
    torch = pytest.importorskip("torch")
    x = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    torch.relu(x).sum().backward()
    assert x.grad.item() == 0.0 == mlp.relu_prime(np.zeros(1))[0]


@pytest.mark.parametrize("history, message", [
    (None, r"history must be a History .*; got None"),
    (5, r"history must be a History"),
    ({"train_loss": ["a", "b"], "train_accuracy": [1, 0]},
     r"history\['train_loss'\] must be a list of numbers"),
    ({"train_loss": [1.0], "train_accuracy": [0.5], "dev_loss": [1.0, [2.0]]},
     r"history\['dev_loss'\]"),
])
def test_history_curves_names_what_is_wrong(history, message):
    with pytest.raises(TypeError, match=message):
        mlp.history_curves(history)
