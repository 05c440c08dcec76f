r"""Data for the experiments: seeded synthetic sets, the 8x8 digits, MNIST, splits, minibatches.

Every generator takes a ``seed`` and returns ``(X, y)``: the same seed gives the same data,
``X`` is a float64 array of shape ``(n, d)``, ``y`` an int64 array of labels of shape ``(n,)``
(or float64 targets for regression).

Real data sets come back as :class:`Splits` ``(train, dev, test)`` of :class:`Dataset` ``(X, y)``::

    digits = load_digits()
    digits.train.X, digits.train.y, digits.dev.X, digits.test.y

Minibatch stochastic gradient descent draws its batches from :func:`minibatches`: one
permutation per epoch, then contiguous batches of the permuted copy.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ._validate import (
    ArgumentTypeError,
    check_array,
    check_bool,
    check_int,
    check_labels,
    check_range,
    check_rng,
    describe,
)

__all__ = [
    "Dataset",
    "Splits",
    "polynomial_regression",
    "two_moons",
    "spirals",
    "blobs",
    "split",
    "minibatches",
    "wrong_labels",
    "load_digits",
    "load_small",
    "load_mnist",
    "MNIST_URL",
    "MNIST_SHA256",
    "DATA_DIR_ENV",
]


class Dataset(NamedTuple):
    """Inputs ``X`` of shape ``(n, d)`` and targets ``y`` of shape ``(n,)``."""

    X: np.ndarray
    y: np.ndarray


class Splits(NamedTuple):
    """A training, development (validation) and test set, each a :class:`Dataset`."""

    train: Dataset
    dev: Dataset
    test: Dataset


_MAX_N = 10_000_000  # examples a synthetic set may have (memory)


def _rng(seed, name: str = "seed") -> np.random.Generator:
    return check_rng(name, seed)


def _n(n, low: int) -> int:
    return check_int("n", n, low=low, high=_MAX_N)


def _paired(X, y) -> tuple[np.ndarray, np.ndarray]:
    """``X`` and ``y`` as arrays with the same (non-zero) number of rows."""
    for name, value in (("X", X), ("y", y)):
        if value is None or isinstance(value, (str, bytes, dict)) or np.ndim(value) == 0:
            raise ArgumentTypeError(f"{name} must be an array with one row per example; got "
                                    f"{describe(value)}")
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same length; got {len(X)} and {len(y)}")
    if len(X) == 0:
        raise ValueError("X must hold at least one example; got an empty array")
    return X, y


# --------------------------------------------------------------------------------------------
# Synthetic data
# --------------------------------------------------------------------------------------------


def polynomial_regression(n: int, degree: int = 3, noise: float = 0.1, seed=0,
                          *, return_coef: bool = False):
    r"""Noisy samples of a random polynomial on :math:`[-1, 1]`.

    .. math::  x \sim U(-1, 1), \qquad y = \sum_{k=0}^{D} w_k x^k + \varepsilon,
               \qquad \varepsilon \sim \mathcal N(0, \sigma^2)

    ======================  ==========  ======================================
    symbol                  argument    meaning
    ======================  ==========  ======================================
    :math:`D`               ``degree``  degree of the true polynomial
    :math:`\sigma`          ``noise``   standard deviation of the Gaussian noise
    :math:`w_k`             —           coefficients, drawn from :math:`\mathcal N(0, 1)`
    ======================  ==========  ======================================

    Returns ``X`` of shape ``(n, 1)`` and ``y`` of shape ``(n,)``, and the coefficients
    ``w`` (lowest degree first) when ``return_coef`` is true.

    >>> X, y = polynomial_regression(5, degree=2, noise=0.0)
    >>> X.shape, y.shape
    ((5, 1), (5,))
    """
    n = _n(n, low=1)
    degree = check_int("degree", degree, low=0, high=1000)
    noise = check_range("noise", noise, low=0, allow_array=False)
    rng = _rng(seed)
    w = rng.standard_normal(degree + 1)
    x = rng.uniform(-1.0, 1.0, size=n)
    y = np.polynomial.polynomial.polyval(x, w) + noise * rng.standard_normal(n)
    X = x[:, None]
    return (X, y, w) if return_coef else (X, y)


def two_moons(n: int = 200, noise: float = 0.1, seed=0):
    r"""Two interleaving half circles (as ``sklearn.datasets.make_moons``).

    Class 0: :math:`(\cos t, \sin t)`, class 1: :math:`(1 - \cos t, \tfrac12 - \sin t)`,
    :math:`t \sim U(0, \pi)`, plus Gaussian noise of standard deviation ``noise``.
    Returns ``X`` ``(n, 2)`` and ``y`` ``(n,)`` with ``n // 2`` points of class 0.

    >>> X, y = two_moons(10, noise=0.0)
    >>> X.shape, np.bincount(y).tolist()
    ((10, 2), [5, 5])
    """
    n = _n(n, low=2)
    noise = check_range("noise", noise, low=0, allow_array=False)
    rng = _rng(seed)
    y = np.repeat(np.arange(2), [n // 2, n - n // 2])
    t = rng.uniform(0.0, np.pi, size=n)
    X = np.where(
        (y == 0)[:, None],
        np.stack([np.cos(t), np.sin(t)], axis=1),
        np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1),
    )
    X += noise * rng.standard_normal((n, 2))
    perm = rng.permutation(n)
    return X[perm], y[perm]


def spirals(n: int = 300, classes: int = 3, noise: float = 0.2, seed=0):
    r"""``classes`` interleaved spiral arms in the plane (the classic "not linearly separable" set).

    Arm :math:`c` is :math:`r(\sin\varphi, \cos\varphi)` with :math:`r \in [0, 1]` and
    :math:`\varphi = \tfrac{2\pi c}{K} + 4r + \text{noise}\cdot\mathcal N(0, 1)`, :math:`K` =
    ``classes``. Returns ``X`` ``(n, 2)`` and ``y`` ``(n,)``; class sizes differ by at most 1.

    >>> X, y = spirals(9, classes=3)
    >>> X.shape, np.bincount(y).tolist()
    ((9, 2), [3, 3, 3])
    """
    classes = check_int("classes", classes, low=1)
    n = _n(n, low=classes)
    noise = check_range("noise", noise, low=0, allow_array=False)
    rng = _rng(seed)
    y = np.repeat(np.arange(classes), np.diff(np.linspace(0, n, classes + 1).round().astype(int)))
    r = rng.uniform(0.0, 1.0, size=n)
    phi = 2 * np.pi * y / classes + 4.0 * r + noise * rng.standard_normal(n)
    X = r[:, None] * np.stack([np.sin(phi), np.cos(phi)], axis=1)
    perm = rng.permutation(n)
    return X[perm], y[perm]


def blobs(n: int = 300, centers=3, std: float = 1.0, seed=0):
    r"""Gaussian clusters: :math:`x \sim \mathcal N(\mu_c, \sigma^2 I)` in class :math:`c`.

    ``centers`` is a number of clusters (centres drawn from :math:`U(-5, 5)^2`) or an array of
    centres of shape ``(k, d)``; ``std`` is :math:`\sigma`. Returns ``X`` ``(n, d)`` and ``y``
    ``(n,)``; the classes differ in size by at most 1.

    >>> X, y = blobs(6, centers=[[0.0, 0.0], [10.0, 10.0]], std=0.1)
    >>> np.bincount(y).tolist(), bool(np.all(X[y == 1] > 9))
    ([3, 3], True)
    """
    rng = _rng(seed)
    if centers is None or isinstance(centers, (str, bytes, bool, int, float, np.number)) or (
            isinstance(centers, np.ndarray) and centers.ndim == 0):
        k = check_int("centers", centers, low=1, high=_MAX_N)
        mu = rng.uniform(-5.0, 5.0, size=(k, 2))
    else:
        mu = check_array("centers", centers, allow_empty=True)
        if mu.ndim != 2 or len(mu) == 0 or mu.shape[1] == 0:
            raise ValueError(f"centers must be an int or an array of shape (k, d); got shape "
                             f"{mu.shape}")
    n = _n(n, low=len(mu))
    std = check_range("std", std, low=0, allow_array=False)
    k = len(mu)
    y = np.repeat(np.arange(k), np.diff(np.linspace(0, n, k + 1).round().astype(int)))
    X = mu[y] + std * rng.standard_normal((n, mu.shape[1]))
    perm = rng.permutation(n)
    return X[perm], y[perm]


# --------------------------------------------------------------------------------------------
# Splits and minibatches
# --------------------------------------------------------------------------------------------


def _counts(n: int, fractions: np.ndarray) -> np.ndarray:
    """Split ``n`` into parts proportional to ``fractions`` (rounded cumulatively, sum = n)."""
    edges = np.round(np.concatenate([[0.0], np.cumsum(fractions)]) * n).astype(int)
    edges[-1] = n
    return np.diff(edges)


def split(X, y, fractions: Sequence[float] = (0.8, 0.2), seed=0, *,
          stratify: bool = False) -> tuple[Dataset, ...]:
    """Shuffle ``(X, y)`` and cut it into disjoint parts of the given ``fractions`` (summing to 1).

    With ``stratify=True`` every class (value of ``y``) is split in the same proportions, so
    each part has (up to rounding) the class frequencies of the whole set. Returns one
    :class:`Dataset` per fraction; every row lands in exactly one part.

    >>> X, y = np.arange(10.0)[:, None], np.arange(10) % 2
    >>> train, dev = split(X, y, (0.8, 0.2), seed=0)
    >>> len(train.y), len(dev.y)
    (8, 2)
    """
    X, y = _paired(X, y)
    stratify = check_bool("stratify", stratify)
    fr = np.atleast_1d(check_range("fractions", fractions, low=0, high=1))
    if fr.ndim != 1 or not np.isclose(fr.sum(), 1.0):
        raise ValueError(f"fractions must be a sequence summing to 1; got {list(fractions)}")
    rng = _rng(seed)
    parts: list[list[np.ndarray]] = [[] for _ in fr]
    groups = [np.flatnonzero(y == c) for c in np.unique(y)] if stratify else [np.arange(len(y))]
    for idx in groups:
        idx = rng.permutation(idx)
        for part, chunk in zip(parts, np.split(idx, np.cumsum(_counts(len(idx), fr))[:-1]),
                               strict=True):
            part.append(chunk)
    out = []
    for part in parts:
        idx = rng.permutation(np.concatenate(part))
        out.append(Dataset(X[idx], y[idx]))
    return tuple(out)


def minibatches(X, y, batch_size: int, rng=None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(X_batch, y_batch)`` covering one epoch in a random order.

    Shuffles once per call (one permutation drawn from ``rng``, a ``numpy.random.Generator`` or a
    seed), copies ``X`` and ``y`` in that order, and yields contiguous slices of the copy (views,
    no copy per batch). The last batch is smaller when ``batch_size`` does not divide ``len(X)``.

    >>> X, y = np.arange(5.0)[:, None], np.arange(5)
    >>> [len(yb) for _, yb in minibatches(X, y, 2, rng=0)]
    [2, 2, 1]
    """
    batch_size = check_int("batch_size", batch_size, low=1)
    X, y = _paired(X, y)
    perm = _rng(rng, "rng").permutation(len(X))
    Xp, yp = np.take(X, perm, axis=0), np.take(y, perm, axis=0)
    for start in range(0, len(Xp), batch_size):
        yield Xp[start:start + batch_size], yp[start:start + batch_size]


def wrong_labels(y, fraction: float, n_classes: int | None = None, seed=0) -> np.ndarray:
    """A copy of the class labels ``y`` in which exactly ``round(fraction · len(y))`` are wrong.

    Those labels, chosen at random, are each replaced by one of the *other* ``n_classes − 1``
    classes (uniformly), so that exactly that many are wrong; the rest are kept. ``n_classes``
    defaults to ``max(y) + 1``. Label noise of this kind makes a small training set easy to
    memorise and hard to generalise from.

    >>> y = np.arange(10) % 5
    >>> noisy = wrong_labels(y, 0.3, seed=0)
    >>> int((noisy != y).sum()), bool(((noisy >= 0) & (noisy < 5)).all())
    (3, True)
    """
    y = check_labels("y", y, n_classes=None if n_classes is None else
                     check_int("n_classes", n_classes, low=2))
    fraction = check_range("fraction", fraction, 0, 1, allow_array=False)
    if len(y) == 0 or y.min() < 0:
        got = "no labels" if len(y) == 0 else f"values in [{y.min()}, {y.max()}]"
        raise ValueError(f"y must hold at least one class index, all ≥ 0; got {got}")
    n_classes = int(y.max()) + 1 if n_classes is None else n_classes
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2 for a label to be wrong; got {n_classes}")
    rng = _rng(seed)
    flip = rng.choice(len(y), size=int(round(fraction * len(y))), replace=False)
    noisy = y.copy()
    # adding 1 … C−1 modulo C gives each other class with the same probability
    noisy[flip] = (y[flip] + rng.integers(1, n_classes, size=flip.size)) % n_classes
    return noisy


# --------------------------------------------------------------------------------------------
# Real data
# --------------------------------------------------------------------------------------------


def _digits_table() -> tuple[np.ndarray, np.ndarray]:
    """The digits' pixels ``(1797, 64)`` (0..16) and labels, read from scikit-learn's file.

    ``sklearn.datasets.load_digits`` reads the same ``digits.csv.gz``; reading it directly
    skips importing scikit-learn (about a second). Falls back to scikit-learn's loader.
    """
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("sklearn")  # locates the package without importing it
    path = Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz" if spec else None
    if path is not None and path.is_file():
        table = np.loadtxt(path, delimiter=",")
        return table[:, :-1], table[:, -1]
    from sklearn.datasets import load_digits as _sk_load_digits  # pragma: no cover

    bunch = _sk_load_digits()  # pragma: no cover
    return bunch.data, bunch.target  # pragma: no cover


def load_digits(fractions: Sequence[float] = (0.6, 0.2, 0.2), seed=0,
                dtype=np.float64) -> Splits:
    """The 1,797 8x8 handwritten digits bundled with scikit-learn (no download).

    ``X`` has shape ``(n, 64)``, pixels scaled from 0..16 to [0, 1] in ``dtype``; ``y`` holds the
    digits 0-9. The split into train/dev/test (default 60 % / 20 % / 20 %: 1,078 / 360 / 359
    images) is stratified by digit and deterministic for a given ``seed``.

    >>> digits = load_digits()
    >>> digits.train.X.shape, len(digits.dev.y), len(digits.test.y)
    ((1078, 64), 360, 359)
    """
    pixels, digit = _digits_table()
    X = (pixels / 16.0).astype(dtype)
    y = digit.astype(np.int64)
    if np.ndim(check_range("fractions", fractions, 0, 1)) != 1 or len(fractions) != 3:
        raise ValueError(f"fractions must have 3 entries (train, dev, test); got {fractions}")
    return Splits(*split(X, y, fractions, seed, stratify=True))


def load_small(n_train: int = 60, n_dev: int = 40, seed=0) -> Splits:
    """A few digits for quick examples and tests: the first ``n_train`` training and ``n_dev``
    dev images of :func:`load_digits` (``seed``), and its whole test set.

    >>> small = load_small()
    >>> small.train.X.shape, small.dev.X.shape, len(small.test.y)
    ((60, 64), (40, 64), 359)
    """
    n_train = check_int("n_train", n_train, low=1)
    n_dev = check_int("n_dev", n_dev, low=1)
    digits = load_digits(seed=seed)
    return Splits(Dataset(*(a[:n_train] for a in digits.train)),
                  Dataset(*(a[:n_dev] for a in digits.dev)), digits.test)


MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
"""Where :func:`load_mnist` downloads ``mnist.npz`` from (the Keras copy of MNIST)."""

MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
"""SHA-256 of the file at :data:`MNIST_URL` (11,490,434 bytes)."""

DATA_DIR_ENV = "NPFL_DATA_DIR"
"""Environment variable naming the cache directory (default ``~/.cache/npfl_helpers``)."""


def _cache_dir(cache_dir) -> Path:
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    env = os.environ.get(DATA_DIR_ENV)
    return Path(env).expanduser() if env else Path.home() / ".cache" / "npfl_helpers"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _download(url: str, path: Path, sha256: str | None) -> None:
    """Fetch ``url`` to a temporary file, check its SHA-256, then move it to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f, urllib.request.urlopen(url, timeout=60) as response:
            shutil.copyfileobj(response, f)
        if sha256 is not None and (got := _sha256(Path(tmp))) != sha256:
            raise RuntimeError(f"the file downloaded from {url} has SHA-256 {got}, expected "
                               f"{sha256}; it was discarded. Try again later or place a correct "
                               f"mnist.npz in {path.parent} yourself.")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_mnist(cache_dir=None, download: bool = False, *, url: str = MNIST_URL,
               sha256: str | None = MNIST_SHA256, dev_size: int = 5000, flatten: bool = True,
               dtype=np.float32) -> Splits:
    """MNIST, split like the course's: train 55,000 / dev 5,000 / test 10,000 images.

    Reads ``mnist.npz`` (the Keras layout: ``x_train``, ``y_train``, ``x_test``, ``y_test``) from
    ``cache_dir`` (default: ``$NPFL_DATA_DIR`` or ``~/.cache/npfl_helpers``). The last
    ``dev_size`` training images become the dev set. Pixels (uint8) are scaled to [0, 1] in
    ``dtype``; with ``flatten`` each image is a row of 784 values, else an array ``(28, 28)``.

    When the file is missing, ``download=True`` fetches it from ``url``; otherwise a
    ``FileNotFoundError`` explains the options. The file's SHA-256 is checked against ``sha256``
    (``None`` skips the check); a mismatch raises ``RuntimeError``.
    """
    dev_size = check_int("dev_size", dev_size, low=0)
    download = check_bool("download", download)
    flatten = check_bool("flatten", flatten)
    path = _cache_dir(cache_dir) / "mnist.npz"
    if not path.exists():
        if not download:
            raise FileNotFoundError(
                f"MNIST not found at {path}. Call load_mnist(download=True) to fetch it "
                f"({MNIST_URL}, 11 MB), or put mnist.npz there yourself, or set "
                f"{DATA_DIR_ENV} (or cache_dir=) to the directory that holds it."
            )
        _download(url, path, sha256)
    elif sha256 is not None and (got := _sha256(path)) != sha256:
        raise RuntimeError(f"{path} has SHA-256 {got}, expected {sha256}: the file is damaged or "
                           f"not MNIST. Delete it and call load_mnist(download=True).")
    with np.load(path) as f:
        x_train, y_train, x_test, y_test = (f[k] for k in ("x_train", "y_train", "x_test",
                                                           "y_test"))
    if dev_size >= len(x_train):
        raise ValueError(f"dev_size must be in [0, {len(x_train) - 1}]; got {dev_size}")

    def prepare(images, labels) -> Dataset:
        X = images.astype(dtype)
        X /= 255
        if flatten:
            X = X.reshape(len(X), -1)
        return Dataset(X, labels.astype(np.int64))

    cut = len(x_train) - dev_size
    return Splits(prepare(x_train[:cut], y_train[:cut]), prepare(x_train[cut:], y_train[cut:]),
                  prepare(x_test, y_test))
