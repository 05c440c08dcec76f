"""Tests for npfl_helpers.data: synthetic sets, splits, minibatches, digits and MNIST loading."""

import hashlib

import numpy as np
import pytest

from npfl_helpers import data

GENERATORS = {
    "polynomial_regression": lambda seed: data.polynomial_regression(50, degree=3, noise=0.1,
                                                                     seed=seed),
    "two_moons": lambda seed: data.two_moons(50, noise=0.1, seed=seed),
    "spirals": lambda seed: data.spirals(60, classes=3, noise=0.2, seed=seed),
    "blobs": lambda seed: data.blobs(60, centers=4, std=1.0, seed=seed),
}


@pytest.mark.parametrize("name", GENERATORS)
def test_generators_are_seeded(name):
    make = GENERATORS[name]
    X1, y1 = make(0)
    X2, y2 = make(0)
    X3, _ = make(1)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(X1, X3)
    assert X1.ndim == 2 and len(X1) == len(y1) and X1.dtype == np.float64


def test_polynomial_regression_follows_its_polynomial():
    X, y, w = data.polynomial_regression(30, degree=4, noise=0.0, seed=2, return_coef=True)
    x = X[:, 0]
    assert X.shape == (30, 1) and len(w) == 5
    assert np.all(np.abs(x) <= 1)
    np.testing.assert_allclose(y, sum(w[k] * x**k for k in range(5)), rtol=1e-12)
    _, y_noisy = data.polynomial_regression(2000, degree=4, noise=0.5, seed=2)
    X2, y_clean, w2 = data.polynomial_regression(2000, degree=4, noise=0.0, seed=2,
                                                 return_coef=True)
    assert np.std(y_noisy - y_clean) == pytest.approx(0.5, rel=0.1)


def test_two_moons_lie_on_their_half_circles_without_noise():
    X, y = data.two_moons(100, noise=0.0, seed=0)
    assert np.bincount(y).tolist() == [50, 50]
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    assert np.all(upper[:, 1] >= 0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    assert np.all(lower[:, 1] <= 0.5)


def test_spirals_and_blobs_classes():
    X, y = data.spirals(301, classes=4, noise=0.0, seed=0)
    counts = np.bincount(y)
    assert len(counts) == 4 and counts.max() - counts.min() <= 1 and counts.sum() == 301
    assert np.all(np.hypot(X[:, 0], X[:, 1]) <= 1 + 1e-12)
    centres = np.array([[0.0, 0.0, 0.0], [10.0, 0.0, 0.0]])
    X, y = data.blobs(400, centers=centres, std=0.5, seed=0)
    assert X.shape == (400, 3)
    for c in range(2):
        np.testing.assert_allclose(X[y == c].mean(axis=0), centres[c], atol=0.15)
        np.testing.assert_allclose(X[y == c].std(axis=0), 0.5, rtol=0.15)


def test_generator_arguments_are_checked():
    with pytest.raises(ValueError, match="noise"):
        data.two_moons(10, noise=-1.0)
    with pytest.raises(ValueError, match="classes"):
        data.spirals(10, classes=0)
    with pytest.raises(ValueError, match="centers"):
        data.blobs(10, centers=np.zeros(3))


# -- split and minibatches ---------------------------------------------------------------------


def test_split_is_disjoint_complete_and_seeded():
    X = np.arange(100.0)[:, None] * np.ones((1, 3))  # row i holds i: rows are identifiable
    y = np.arange(100) % 3
    parts = data.split(X, y, (0.6, 0.3, 0.1), seed=0)
    assert [len(p.y) for p in parts] == [60, 30, 10]
    ids = np.concatenate([p.X[:, 0] for p in parts])
    assert sorted(ids.tolist()) == list(range(100))  # every row exactly once
    for p in parts:
        np.testing.assert_array_equal(p.y, p.X[:, 0].astype(int) % 3)  # rows stay paired
    again = data.split(X, y, (0.6, 0.3, 0.1), seed=0)
    other = data.split(X, y, (0.6, 0.3, 0.1), seed=1)
    np.testing.assert_array_equal(parts[0].X, again[0].X)
    assert not np.array_equal(parts[0].X, other[0].X)


def test_stratified_split_keeps_class_proportions():
    y = np.repeat([0, 1, 2], [500, 300, 200])
    X = np.arange(len(y), dtype=float)[:, None]
    train, test = data.split(X, y, (0.8, 0.2), seed=0, stratify=True)
    assert np.bincount(train.y).tolist() == [400, 240, 160]
    assert np.bincount(test.y).tolist() == [100, 60, 40]


@pytest.mark.parametrize("fractions", [(0.5, 0.4), (0.7, 0.5, -0.2), (1.5,)])
def test_split_rejects_bad_fractions(fractions):
    with pytest.raises(ValueError, match="fractions"):
        data.split(np.zeros((10, 1)), np.zeros(10), fractions)


def test_minibatches_cover_an_epoch_once_with_paired_rows():
    X = np.arange(23.0)[:, None] * np.ones((1, 2))
    y = np.arange(23)
    batches = list(data.minibatches(X, y, 5, rng=np.random.default_rng(0)))
    assert [len(yb) for _, yb in batches] == [5, 5, 5, 5, 3]
    for Xb, yb in batches:
        np.testing.assert_array_equal(Xb[:, 0], yb)
        assert Xb.base is batches[0][0].base  # contiguous slices of one permuted copy
    order = np.concatenate([yb for _, yb in batches])
    assert sorted(order.tolist()) == list(range(23)) and order.tolist() != list(range(23))
    same = np.concatenate([yb for _, yb in data.minibatches(X, y, 5, rng=0)])
    np.testing.assert_array_equal(same, np.concatenate([yb for _, yb in data.minibatches(X, y, 5,
                                                                                          rng=0)]))
    rng = np.random.default_rng(0)
    first = np.concatenate([yb for _, yb in data.minibatches(X, y, 5, rng)])
    second = np.concatenate([yb for _, yb in data.minibatches(X, y, 5, rng)])
    assert first.tolist() != second.tolist()  # a new order every epoch
    with pytest.raises(ValueError, match="batch_size"):
        next(data.minibatches(X, y, 0))


# -- load_digits -------------------------------------------------------------------------------


def test_load_digits_splits():
    from sklearn.datasets import load_digits

    raw = load_digits()
    digits = data.load_digits()
    assert [len(s.y) for s in digits] == [1078, 360, 359]
    X = np.concatenate([s.X for s in digits])
    y = np.concatenate([s.y for s in digits])
    assert X.shape == (1797, 64) and X.min() == 0.0 and X.max() == 1.0
    # the same multiset of (image, label) rows as scikit-learn's
    ours = np.concatenate([X * 16, y[:, None]], axis=1)
    theirs = np.concatenate([raw.data, raw.target[:, None]], axis=1)
    np.testing.assert_array_equal(ours[np.lexsort(ours.T)], theirs[np.lexsort(theirs.T)])
    overall = np.bincount(raw.target) / len(raw.target)
    for s in digits:  # stratified: each split has the overall class frequencies
        np.testing.assert_allclose(np.bincount(s.y, minlength=10) / len(s.y), overall, atol=0.01)
    again = data.load_digits()
    np.testing.assert_array_equal(digits.dev.X, again.dev.X)
    assert data.load_digits(dtype=np.float32).train.X.dtype == np.float32


def test_digits_are_read_in_scikit_learns_order_without_importing_it():
    import subprocess
    import sys

    from sklearn.datasets import load_digits

    pixels, digit = data._digits_table()
    raw = load_digits()
    np.testing.assert_array_equal(pixels, raw.data)  # same rows in the same order: same splits
    np.testing.assert_array_equal(digit, raw.target)
    code = ("import sys; from npfl_helpers import data; data.load_digits(); "
            "print('sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- load_mnist (on small files written here; never downloads) ---------------------------------


def write_mnist(path, n_train=12, n_test=4, seed=0):
    rng = np.random.default_rng(seed)
    arrays = {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n_train, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **arrays)
    return arrays, hashlib.sha256(path.read_bytes()).hexdigest()


def test_load_mnist_reads_and_splits_a_cached_file(tmp_path):
    arrays, digest = write_mnist(tmp_path / "mnist.npz")
    mnist = data.load_mnist(cache_dir=tmp_path, sha256=digest, dev_size=3)
    assert [len(s.y) for s in mnist] == [9, 3, 4]
    assert mnist.train.X.shape == (9, 784) and mnist.train.X.dtype == np.float32
    np.testing.assert_allclose(mnist.train.X[0], arrays["x_train"][0].ravel() / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(mnist.dev.y, arrays["y_train"][9:])
    np.testing.assert_array_equal(mnist.test.y, arrays["y_test"])
    assert mnist.dev.X.min() >= 0 and mnist.dev.X.max() <= 1
    images = data.load_mnist(cache_dir=tmp_path, sha256=None, dev_size=3, flatten=False)
    assert images.test.X.shape == (4, 28, 28)


def test_load_mnist_uses_the_environment_variable(tmp_path, monkeypatch):
    _, digest = write_mnist(tmp_path / "cache" / "mnist.npz")
    monkeypatch.setenv(data.DATA_DIR_ENV, str(tmp_path / "cache"))
    assert len(data.load_mnist(sha256=digest, dev_size=2).dev.y) == 2


def test_load_mnist_rejects_a_checksum_mismatch(tmp_path):
    write_mnist(tmp_path / "mnist.npz")
    with pytest.raises(RuntimeError, match="SHA-256"):
        data.load_mnist(cache_dir=tmp_path)  # the real MNIST checksum


def test_load_mnist_missing_file_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="download=True"):
        data.load_mnist(cache_dir=tmp_path / "empty")


def test_load_mnist_download_checks_the_checksum(tmp_path):
    # a file:// URL exercises the download path without the network
    _, digest = write_mnist(tmp_path / "source" / "mnist.npz")
    url = (tmp_path / "source" / "mnist.npz").as_uri()
    cache = tmp_path / "cache"
    with pytest.raises(RuntimeError, match="SHA-256"):
        data.load_mnist(cache_dir=cache, download=True, url=url)
    assert not (cache / "mnist.npz").exists() and list(cache.iterdir()) == []
    mnist = data.load_mnist(cache_dir=cache, download=True, url=url, sha256=digest, dev_size=2)
    assert (cache / "mnist.npz").exists() and len(mnist.train.y) == 10


def test_load_small_is_the_head_of_the_digits_splits():
    digits = data.load_digits(seed=3)
    small = data.load_small(n_train=25, n_dev=10, seed=3)
    assert isinstance(small, data.Splits)
    np.testing.assert_array_equal(small.train.X, digits.train.X[:25])
    np.testing.assert_array_equal(small.train.y, digits.train.y[:25])
    np.testing.assert_array_equal(small.dev.X, digits.dev.X[:10])
    np.testing.assert_array_equal(small.dev.y, digits.dev.y[:10])
    np.testing.assert_array_equal(small.test.X, digits.test.X)  # the whole test set
    default = data.load_small()
    assert (len(default.train.y), len(default.dev.y)) == (60, 40)


@pytest.mark.parametrize("kwargs, name", [({"n_train": 0}, "n_train"), ({"n_dev": 1.5}, "n_dev")])
def test_load_small_rejects_bad_sizes_by_name(kwargs, name):
    with pytest.raises(ValueError, match=name):
        data.load_small(**kwargs)


# ---------------------------------------------------------------------------------------------
# wrong_labels: label noise with an exact count


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.2, 0.5, 1.0])
def test_wrong_labels_makes_exactly_that_many_wrong(fraction):
    y = np.arange(200) % 10
    noisy = data.wrong_labels(y, fraction, seed=3)
    assert (noisy != y).sum() == round(fraction * 200)
    assert noisy.dtype.kind == "i" and noisy.min() >= 0 and noisy.max() <= 9
    np.testing.assert_array_equal(y, np.arange(200) % 10)  # the input is not modified
    np.testing.assert_array_equal(noisy, data.wrong_labels(y, fraction, seed=3))  # seeded


def test_wrong_labels_draws_the_other_classes_uniformly():
    y = np.zeros(60_000, dtype=int)
    noisy = data.wrong_labels(y, 1.0, n_classes=4, seed=0)
    counts = np.bincount(noisy, minlength=4)
    assert counts[0] == 0 and np.allclose(counts[1:] / 60_000, 1 / 3, atol=0.01)


@pytest.mark.parametrize(("args", "match"), [
    (([0, 1, 2], 1.5), "fraction"),
    (([0, 1, 2], -0.1), "fraction"),
    (([0.0, 1.0], 0.5), "integer array"),
    (([0, -1], 0.5), "≥ 0"),
    (([0, 0], 0.5), "n_classes must be at least 2"),
    (([0, 1, 3], 0.5, 3), r"class indices in \[0, 2\]"),
])
def test_wrong_labels_rejects_bad_input(args, match):
    with pytest.raises((ValueError, TypeError), match=match):
        data.wrong_labels(*args)
