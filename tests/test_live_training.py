"""Tests for npfl_helpers.live_training: a live run equals seeded training with mlp and optim."""

import math
import warnings

import numpy as np
import pytest

from npfl_helpers import data, live_training, mlp, optim
from npfl_helpers.live_training import LiveTraining

OPTIMIZERS = list(optim.OPTIMIZERS)


# ----------------------------------------------------------------------------------------------
# The reference: the same seeded training written out directly with data, mlp and optim


def direct_setup(dataset="two_moons", noise=0.2, n=400, test_fraction=0.5, hidden=(16, 16),
                 activation="tanh", seed=0):
    """Data, split, model and minibatch generator by the documented seed rule."""
    data_ss, split_ss, init_ss, batch_ss = np.random.SeedSequence(seed).spawn(4)
    rng = np.random.default_rng(data_ss)
    if dataset == "two_moons":
        X, y = data.two_moons(n, noise=noise, seed=rng)
    elif dataset == "spirals":
        X, y = data.spirals(n, classes=3, noise=noise, seed=rng)
    else:
        c = np.array([[0.0, 1.0], [-math.sqrt(3) / 2, -0.5], [math.sqrt(3) / 2, -0.5]])
        X, y = data.blobs(n, centers=c, std=noise, seed=rng)
    train, test = data.split(X, y, (1 - test_fraction, test_fraction),
                             seed=np.random.default_rng(split_ss), stratify=True)
    model = mlp.MLP((2, *hidden, int(y.max()) + 1), activation=activation,
                    seed=np.random.default_rng(init_ss))
    return train, test, model, np.random.default_rng(batch_ss)


def direct_optimizer(name, lr, beta):
    if name in ("sgd", "adagrad"):
        return optim.OPTIMIZERS[name](lr=lr)
    if name == "adam":
        return optim.adam(lr=lr, beta1=beta, beta2=0.999, eps=1e-8)
    return optim.OPTIMIZERS[name](lr=lr, beta=beta)


def direct_train(train, model, rng, segments):
    """Train with ``segments`` of ``(updates, optimizer, batch_size, l2, keep_state)``.

    Every segment must end on an epoch boundary when the next one changes the batch size (the
    generator of data.minibatches is then restarted). Returns θ and the optimiser state.
    """
    theta, state = model.theta.copy(), None
    X, y = train
    for updates, opt, batch_size, l2, keep in segments:
        if not keep or state is None:
            state = opt.init(theta)
        done = 0
        while done < updates:
            for Xb, yb in data.minibatches(X, y, batch_size, rng):
                def grad_fn(th, Xb=Xb, yb=yb, l2=l2):
                    return model.loss_and_grad(th, Xb, yb, l2)[1]

                theta, state = opt.step(theta, state, grad_fn)
                done += 1
                if done == updates:
                    break
    return theta, state


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("batch_size", [1, 16, 7, 1000])
def test_ticks_equal_direct_training(name, batch_size):
    run = LiveTraining("two_moons", optimizer=name, lr=0.05, beta=0.8, batch_size=batch_size,
                       updates_per_tick=9)
    for _ in range(7):
        assert run.step() == 9
    train, _, model, rng = direct_setup()
    np.testing.assert_array_equal(run.X_train, train.X)
    np.testing.assert_array_equal(run.theta0, model.theta)
    opt = direct_optimizer(name, 0.05, 0.8)
    # batch sizes that do not divide N: only whole epochs are comparable with data.minibatches
    # restarting mid-epoch, so the reference runs the same 63 updates in one segment
    theta, state = direct_train(train, model, rng, [(63, opt, batch_size, 0.0, True)])
    assert run.steps == 63 and state.t == 63
    np.testing.assert_allclose(run.theta, theta, rtol=0, atol=1e-12)


@pytest.mark.parametrize("dataset", live_training.DATASETS)
@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_datasets_and_architectures_equal_direct_training(dataset, activation):
    kw = dict(noise=0.3, n=150, test_fraction=0.3, hidden=(5, 4, 3), activation=activation,
              seed=7)
    run = LiveTraining(dataset, **kw, optimizer="adam", lr=0.02, batch_size=10, l2=1e-3,
                       updates_per_tick=5)
    for _ in range(6):
        run.step()
    train, test, model, rng = direct_setup(dataset, **kw)
    np.testing.assert_array_equal(run.y_test, test.y)
    assert run.model.sizes == model.sizes
    theta, _ = direct_train(train, model, rng, [(30, optim.adam(0.02), 10, 1e-3, True)])
    np.testing.assert_allclose(run.theta, theta, rtol=0, atol=1e-12)


def test_hyperparameter_changes_take_effect_without_reset():
    # N = 200 training points: batch 20 -> 10 updates = 1 epoch, batch 40 -> 5 updates
    run = LiveTraining("spirals", optimizer="momentum", lr=0.05, beta=0.9, batch_size=20,
                       updates_per_tick=10)
    run.step()
    run.step()
    assert run.set(lr=0.02, beta=0.5) is False                # same optimiser: state carries
    run.step()
    assert run.set(batch_size=40, l2=0.01, updates_per_tick=5) is False
    run.step()
    run.step()
    assert run.set(optimizer="adam", lr=0.01) is False        # another optimiser: state resets
    run.step()
    assert run.set(optimizer="rmsprop") is False
    run.step()
    assert run.steps == 50 and len(run.history.train_loss) == 51

    train, _, model, rng = direct_setup("spirals")
    theta, state = direct_train(train, model, rng, [
        (20, optim.momentum(0.05, beta=0.9), 20, 0.0, True),
        (10, optim.momentum(0.02, beta=0.5), 20, 0.0, True),
        (10, optim.momentum(0.02, beta=0.5), 40, 0.01, True),
        (5, optim.adam(0.01, beta1=0.5), 40, 0.01, False),
        (5, optim.rmsprop(0.01, beta=0.5), 40, 0.01, False),
    ])
    np.testing.assert_allclose(run.theta, theta, rtol=0, atol=1e-12)
    assert run.state.t == state.t == 5
    np.testing.assert_allclose(run.state.r, state.r, rtol=0, atol=1e-12)


def test_batch_size_change_mid_epoch_continues_the_permutation():
    run = LiveTraining(batch_size=30, updates_per_tick=3, optimizer="sgd", lr=0.1)
    run.step()                    # rows 0..89 of the first permutation
    run.set(batch_size=50)
    run.step()                    # rows 90..139, 140..189, 190..199 (end of the epoch)
    run.step(1)                   # first 50 rows of a new permutation
    assert run.epoch == pytest.approx(1.25)
    train, _, model, rng = direct_setup()
    theta, perms = model.theta.copy(), [rng.permutation(200), rng.permutation(200)]
    slices = [(0, 30), (30, 60), (60, 90), (90, 140), (140, 190), (190, 200)]
    batches = [perms[0][a:b] for a, b in slices] + [perms[1][:50]]
    for idx in batches:
        g = model.loss_and_grad(theta, train.X[idx], train.y[idx])[1]
        theta = theta - 0.1 * g
    np.testing.assert_allclose(run.theta, theta, rtol=0, atol=1e-12)
    assert run.history.epochs[-1] == 1.25


def test_momentum_and_nesterov_share_the_velocity_other_switches_reset():
    run = LiveTraining(optimizer="momentum", lr=0.05)
    run.step(5)
    v = run.state.v
    run.set(optimizer="nesterov")
    assert run.state.v is v and run.state.t == 5
    run.set(optimizer="adam")
    assert run.state.t == 0 and not run.state.s.any() and not run.state.r.any()
    run.step(3)
    r = run.state.r
    run.set(lr=0.5, beta=0.1)                                 # same optimiser: state carries
    assert run.state.r is r and run.state.t == 3
    run.set(optimizer="rmsprop")                              # Adam's r is bias-corrected by t
    assert run.state.t == 0 and not run.state.r.any()
    run.set(optimizer="sgd")
    assert run.state == optim.SGDState(t=0)


def test_ticks_of_any_size_give_the_same_run():
    a = LiveTraining("blobs", noise=0.5, optimizer="nesterov", batch_size=13)
    b = LiveTraining("blobs", noise=0.5, optimizer="nesterov", batch_size=13)
    for k in (1, 7, 30, 2):
        a.step(k)
    b.step(40)
    assert a.history == b.history
    np.testing.assert_array_equal(a.theta, b.theta)


def test_reset_reproduces_the_run():
    run = LiveTraining("spirals", optimizer="adam", lr=0.02, batch_size=8)
    run.step(25)
    run.set(lr=0.005, batch_size=3)
    run.step(25)
    run.reset()
    assert run.steps == 0 and len(run.history.train_loss) == 1 and run.epoch == 0
    np.testing.assert_array_equal(run.theta, run.theta0)
    run.step(10)
    first = (run.theta.copy(), run.history)
    run.reset()
    run.step(4)
    run.step(6)
    np.testing.assert_array_equal(run.theta, first[0])
    assert run.history == first[1]
    fresh = LiveTraining("spirals", optimizer="adam", lr=0.005, batch_size=3)  # current settings
    fresh.step(10)
    np.testing.assert_array_equal(fresh.theta, run.theta)


def test_setup_changes_start_a_new_run_and_keep_the_data_for_a_new_network():
    run = LiveTraining("two_moons", noise=0.1)
    run.step(20)
    X = run.X_train.copy()
    assert run.set(hidden=(8,), activation="relu") is True
    assert run.steps == 0 and run.model.sizes == (2, 8, 2)
    np.testing.assert_array_equal(run.X_train, X)              # data stream independent of θ₀
    assert run.set(dataset="spirals") is True
    assert run.n_classes == 3 and run.probabilities().shape == (60, 60, 3)
    assert run.set(hidden=8) is False                          # an int is one layer: (8,)
    assert run.set(lr=0.1, hidden=(8,)) is False               # nothing of the setup changed


def test_noise_moves_the_same_points():
    a, b = LiveTraining(noise=0.0), LiveTraining(noise=0.3)
    np.testing.assert_array_equal(a.y_train, b.y_train)
    shift = np.linalg.norm(b.X_train - a.X_train, axis=1)
    assert 0.05 < shift.mean() < 0.6                           # about 0.3 * sqrt(pi / 2)


def test_measurements_are_the_lecture_formulas():
    run = LiveTraining("spirals", hidden=(6,), optimizer="adam", lr=0.05, l2=0.01)
    run.step(12)
    h = run.history
    assert len(h.steps) == len(h.epochs) == len(h.train_loss) == len(h.test_accuracy) == 13
    assert h.steps == list(range(13)) and len(h.batch_loss) == 12
    for X, y, loss, acc in ((run.X_train, run.y_train, h.train_loss, h.train_accuracy),
                            (run.X_test, run.y_test, h.test_loss, h.test_accuracy)):
        z = run.model.forward(X, run.theta)
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        assert loss[-1] == pytest.approx(-np.mean(np.log(p[np.arange(len(y)), y])), rel=1e-12)
        assert acc[-1] == np.mean(z.argmax(axis=1) == y)
    # the minibatch objective includes the L2 term: the first batch at θ₀
    run.reset()
    batch_rng = np.random.default_rng(np.random.SeedSequence(0).spawn(4)[3])
    idx = batch_rng.permutation(len(run.y_train))[:16]
    run.step(1)
    expected = run.model.loss(run.theta0, run.X_train[idx], run.y_train[idx], l2=0.01)
    assert run.history.batch_loss[0] == pytest.approx(float(expected), rel=1e-12)


def test_epoch_counts_rows_used():
    run = LiveTraining(batch_size=16)                          # N = 200: 12 full batches + 8 rows
    run.step(12)
    assert run.epoch == pytest.approx(192 / 200)
    run.step(1)
    assert run.epoch == 1.0
    run.step(1)
    assert run.epoch == pytest.approx(1 + 16 / 200)
    run.set(batch_size=10_000)
    run.step(1)                                                # the rest of the epoch
    assert run.epoch == 2.0
    run.step(1)
    assert run.epoch == 3.0


def test_probabilities_on_the_grid():
    run = LiveTraining("spirals", grid_size=11)
    run.step(30)
    p = run.probabilities()
    assert p.shape == (11, 11, 3)
    np.testing.assert_allclose(p.sum(axis=2), 1.0, rtol=0, atol=1e-12)
    for i, j in [(0, 0), (3, 8), (10, 2)]:                    # row i <-> grid_y, column j <-> x
        z = run.model.forward(np.array([[run.grid_x[j], run.grid_y[i]]]), run.theta)[0]
        np.testing.assert_allclose(p[i, j], np.exp(z) / np.exp(z).sum(), rtol=1e-12)
    (x0, x1), (y0, y1) = run.bounds
    X = np.concatenate([run.X_train, run.X_test])
    assert x0 < X[:, 0].min() and X[:, 0].max() < x1 and y0 < X[:, 1].min()
    assert X[:, 1].max() < y1 and run.grid_x[0] == x0 and run.grid_y[-1] == y1


def test_make_dataset_and_the_runs_optimizer():
    X, y = live_training.make_dataset("blobs", 300, noise=0.05, seed=1)
    for c, centre in enumerate(live_training._BLOB_CENTERS):
        assert np.linalg.norm(centre) == pytest.approx(1.0)
        np.testing.assert_allclose(X[y == c].mean(axis=0), centre, atol=0.02)
    X, y = live_training.make_dataset("spirals", 99, noise=0.0, seed=1)
    assert np.bincount(y).tolist() == [33, 33, 33]
    # the run's optimiser is optim.make_optimizer's, with its one β, also after a change
    for name, hyper in [("rmsprop", {"lr": 0.01, "beta": 0.7, "eps": 1e-8}),
                        ("adam", {"lr": 0.01, "beta1": 0.7, "beta2": 0.999, "eps": 1e-8}),
                        ("sgd", {"lr": 0.01})]:
        run = LiveTraining(optimizer=name, lr=0.01, beta=0.7)
        assert run.optimizer.name == name
        assert run.optimizer.hyperparams == optim.make_optimizer(name, 0.01, 0.7).hyperparams
        assert {k: run.optimizer.hyperparams.get(k) for k in hyper} == hyper
        run.set(optimizer="momentum", lr=0.02)
        assert run.optimizer.hyperparams == optim.make_optimizer("momentum", 0.02,
                                                                 0.7).hyperparams
    ours = live_training.make_optimizer("nesterov", 0.05, 0.8)  # the same factory
    assert ours.hyperparams == optim.make_optimizer("nesterov", 0.05, 0.8).hyperparams
    with pytest.raises(ValueError, match="^name must be one of"):
        live_training.make_optimizer("nadam", 0.1)


# ----------------------------------------------------------------------------------------------
# Divergence


def test_a_too_large_learning_rate_diverges_stops_and_says_why():
    run = LiveTraining("spirals", optimizer="sgd", lr=10.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        done = run.step(200)
    assert run.diverged and done < 200 and run.steps == done
    assert "training loss" in run.divergence and "> 10" in run.divergence
    assert run.history.train_loss[-1] > 10 and len(run.history.train_loss) == done + 1
    theta = run.theta.copy()
    assert run.step(50) == 0 and run.steps == done
    np.testing.assert_array_equal(run.theta, theta)
    run.set(lr=0.1)                                            # a hyperparameter: still stopped
    assert run.diverged and run.step() == 0
    run.reset()
    assert not run.diverged and run.step() == 10


def test_a_parameter_explosion_keeps_the_last_finite_point():
    run = LiveTraining("blobs", activation="relu", optimizer="sgd", lr=1e6, max_loss=1e300)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run.step(50)
        p = run.probabilities()
    assert run.diverged and ("‖θ‖" in run.divergence or "non-finite" in run.divergence)
    assert np.all(np.isfinite(run.theta)) and np.linalg.norm(run.theta) <= 1e6
    assert np.all(np.isfinite(p))
    assert len(run.history.batch_loss) == run.steps + 1       # the rejected update is recorded


def test_max_loss_is_the_threshold():
    run = LiveTraining("spirals", max_loss=1.0)               # log 3 > 1: diverged at the start
    assert run.diverged and run.step() == 0 and "after update 0" in run.divergence


# ----------------------------------------------------------------------------------------------
# Invalid arguments


BAD = [
    ("dataset", "moons"), ("dataset", None), ("noise", -0.1), ("noise", 1.5),
    ("noise", float("nan")), ("noise", "0.2"), ("n", 10), ("n", 100.5), ("n", 10**6),
    ("test_fraction", 0.95), ("test_fraction", 0.0), ("hidden", ()), ("hidden", (1,)),
    ("hidden", (64,)), ("hidden", (8, 8, 8, 8)), ("hidden", "16"), ("hidden", None),
    ("hidden", (8, 2.5)), ("activation", "softplus"), ("optimizer", "lbfgs"),
    ("optimizer", optim.adam), ("lr", 0.0), ("lr", -1.0), ("lr", float("inf")), ("lr", "0.1"),
    ("lr", [0.1, 0.2]), ("beta", 1.0), ("beta", -0.1), ("batch_size", 0), ("batch_size", 2.5),
    ("batch_size", True), ("l2", -1e-3), ("l2", float("nan")), ("updates_per_tick", 0),
    ("updates_per_tick", 1001), ("seed", -1), ("seed", 1.5),
]


@pytest.mark.parametrize(("name", "value"), BAD)
def test_invalid_arguments_raise_value_error_naming_the_parameter(name, value):
    with pytest.raises(ValueError, match=f"^{name} "):
        LiveTraining(**{name: value})
    run = LiveTraining()
    run.step(3)
    before = (run.settings, run.theta.copy(), run.steps)
    with pytest.raises(ValueError, match=f"^{name} "):
        run.set(**{name: value})
    assert run.settings == before[0] and run.steps == before[2]   # nothing changed
    np.testing.assert_array_equal(run.theta, before[1])


@pytest.mark.parametrize(("name", "value"), [("grid_size", 1), ("grid_size", 1000),
                                             ("max_loss", 0.0), ("max_loss", None)])
def test_invalid_construction_only_arguments(name, value):
    with pytest.raises(ValueError, match=f"^{name} "):
        LiveTraining(**{name: value})


def test_invalid_step_and_unknown_settings():
    run = LiveTraining()
    for k in (-1, 2.5, "3", 10**6):
        with pytest.raises(ValueError, match="^k "):
            run.step(k)
    with pytest.raises(ValueError, match="unknown setting.*'alpha'"):
        run.set(alpha=0.1)
    assert run.step(0) == 0 and run.steps == 0


def test_a_mixed_invalid_change_changes_nothing():
    run = LiveTraining()
    with pytest.raises(ValueError, match="^beta "):
        run.set(lr=0.5, hidden=(4,), beta=2.0)
    assert run.settings["lr"] == 0.1 and run.model.sizes == (2, 16, 16, 2)
