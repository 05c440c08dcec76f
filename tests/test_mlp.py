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
