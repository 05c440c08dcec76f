"""Tests for npfl_helpers.surfaces: formulas written out, central differences, vectorisation."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npfl_helpers import surfaces
from npfl_helpers.surfaces import SURFACES, Surface

ALL = [
    surfaces.quadratic(),
    surfaces.quadratic(kappa=50.0, angle=0.7),
    surfaces.rosenbrock(),
    surfaces.rosenbrock(a=-2.0, b=5.0),
    surfaces.beale(),
    surfaces.himmelblau(),
    surfaces.saddle(),
]
IDS = [f"{s.name}{i}" for i, s in enumerate(ALL)]


def random_points(s: Surface, n: int, seed: int = 0) -> np.ndarray:
    (x0, x1), (y0, y1) = s.bounds
    rng = np.random.default_rng(seed)
    return np.stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)], axis=-1)


def central_grad(fn, pts, h=1e-5):
    """Central differences of a (..., 2) -> (...) function, one coordinate at a time."""
    out = []
    for i in range(2):
        e = np.zeros(2)
        e[i] = h
        out.append((fn(pts + e) - fn(pts - e)) / (2 * h))
    return np.stack(out, axis=-1)


# --- the formulas, written out independently --------------------------------------------------

def test_formulas_written_out():
    x, y = 0.7, -1.3
    p = np.array([x, y])
    rosen = (2 - x) ** 2 + 3 * (y - x * x) ** 2
    assert surfaces.rosenbrock(a=2.0, b=3.0).f(p) == pytest.approx(rosen)
    assert surfaces.beale().f(p) == pytest.approx(
        (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2
    )
    assert surfaces.himmelblau().f(p) == pytest.approx((x * x + y - 11) ** 2 + (x + y * y - 7) ** 2)
    assert surfaces.saddle().f(p) == pytest.approx(x * x - y * y)


@pytest.mark.parametrize("s", ALL, ids=IDS)
def test_formula_titles_name_the_objective_j(s):
    """The lecture writes J(θ) for the objective; the titles above the contours do too."""
    assert s.formula.startswith(r"$J(\theta)=") and "$f" not in s.formula
    assert s.formula.count("$") % 2 == 0


def test_formula_titles_show_the_parameters():
    assert surfaces.quadratic(kappa=50.0).formula.endswith(r", $\kappa=50$")
    assert surfaces.rosenbrock(a=-2.0, b=5.0).formula.endswith(", $a=-2$, $b=5$")


def test_quadratic_matrix_and_eigenvalues():
    kappa, angle = 25.0, 0.4
    s = surfaces.quadratic(kappa=kappa, angle=angle)
    c, si = np.cos(angle), np.sin(angle)
    R = np.array([[c, -si], [si, c]])
    A = R.T @ np.diag([1.0, kappa]) @ R
    p = np.array([0.3, -1.1])
    assert s.f(p) == pytest.approx(0.5 * p @ A @ p)
    np.testing.assert_allclose(s.grad(p), A @ p)
    H = s.hessian(p)
    np.testing.assert_allclose(H, A, atol=1e-12)
    np.testing.assert_allclose(np.linalg.eigvalsh(H), [1.0, kappa])
    assert s.lambdas == (1.0, kappa)
    assert s.condition_number == pytest.approx(np.linalg.cond(H))
    # the eigenvector of λ_max = κ is rotated by -angle from the θ₂ axis: Rᵀ e₂
    v = R.T @ np.array([0.0, 1.0])
    np.testing.assert_allclose(H @ v, kappa * v)
    # no other surface claims a constant Hessian
    assert surfaces.rosenbrock().lambdas is None and surfaces.rosenbrock().condition_number is None


def test_quadratic_start_excites_both_eigendirections():
    s = surfaces.quadratic(kappa=10.0, angle=0.3)
    _, vecs = np.linalg.eigh(s.hessian(s.start))
    coeffs = vecs.T @ s.start
    assert np.all(np.abs(coeffs) > 0.5)


# --- gradients and Hessians vs central differences -------------------------------------------

@pytest.mark.parametrize("s", ALL, ids=IDS)
def test_grad_matches_central_differences(s):
    pts = random_points(s, 500)
    g = s.grad(pts)
    assert g.shape == (500, 2)
    fd = central_grad(s.f, pts)
    scale = 1.0 + np.abs(g)
    assert np.max(np.abs(g - fd) / scale) < 1e-5


@pytest.mark.parametrize("s", ALL, ids=IDS)
def test_hessian_matches_central_differences_of_grad(s):
    pts = random_points(s, 300, seed=1)
    H = s.hessian(pts)
    assert H.shape == (300, 2, 2)
    np.testing.assert_allclose(H, np.swapaxes(H, -1, -2))  # symmetric
    h = 1e-5
    for i in range(2):
        e = np.zeros(2)
        e[i] = h
        fd = (s.grad(pts + e) - s.grad(pts - e)) / (2 * h)  # column i: ∂g/∂θ_i
        assert np.max(np.abs(H[..., :, i] - fd) / (1.0 + np.abs(fd))) < 1e-5


@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(sorted(SURFACES)),
    x=st.floats(-3, 3),
    y=st.floats(-3, 3),
)
def test_grad_central_differences_hypothesis(name, x, y):
    s = SURFACES[name]()
    p = np.array([x, y])
    g = s.grad(p)
    fd = central_grad(s.f, p, h=1e-6)
    np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-4)


# --- minima, saddle points --------------------------------------------------------------------

KNOWN_MINIMA = {
    "quadratic": [(0.0, 0.0)],
    "rosenbrock": [(1.0, 1.0)],
    "beale": [(3.0, 0.5)],
    "himmelblau": [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
                   (3.584428, -1.848126)],
    "saddle": [],
}


@pytest.mark.parametrize("name", sorted(SURFACES))
def test_minima_are_the_known_ones(name):
    s = SURFACES[name]()
    assert s.minima.dtype == np.float64 and s.minima.ndim == 2 and s.minima.shape[1] == 2
    np.testing.assert_allclose(s.minima, np.array(KNOWN_MINIMA[name]).reshape(-1, 2), atol=1e-6)
    if len(s.minima):
        np.testing.assert_allclose(s.f(s.minima), s.f_min, atol=1e-20)
        np.testing.assert_allclose(s.grad(s.minima), 0.0, atol=1e-10)
        # second-order condition: positive definite Hessian
        assert np.all(np.linalg.eigvalsh(s.hessian(s.minima)) > 0)
        # nothing on a fine grid is lower
        (x0, x1), (y0, y1) = s.bounds
        X, Y = np.meshgrid(np.linspace(x0, x1, 301), np.linspace(y0, y1, 301))
        assert np.min(s.f(np.stack([X, Y], -1))) >= s.f_min


def test_rosenbrock_minimum_moves_with_a():
    s = surfaces.rosenbrock(a=-2.0, b=5.0)
    np.testing.assert_allclose(s.minima, [[-2.0, 4.0]])
    assert s.f(s.minima[0]) == 0.0


def test_saddle_has_no_minimum():
    s = surfaces.saddle()
    assert s.minima.shape == (0, 2)
    assert s.f_min == -np.inf
    assert s.f(np.array([0.0, 1e3])) < -1e5  # unbounded below
    np.testing.assert_array_equal(s.saddle_points, [[0.0, 0.0]])


@pytest.mark.parametrize("name", sorted(SURFACES))
def test_saddle_points_are_saddles(name):
    s = SURFACES[name]()
    for p in s.saddle_points:
        np.testing.assert_allclose(s.grad(p), 0.0, atol=1e-9)
        lo, hi = np.linalg.eigvalsh(s.hessian(p))
        assert lo < 0 < hi


def test_himmelblau_has_four_distinct_saddles_inside_bounds():
    s = surfaces.himmelblau()
    assert s.saddle_points.shape == (4, 2)
    d = np.linalg.norm(s.saddle_points[:, None] - s.saddle_points[None], axis=-1)
    assert np.min(d + np.eye(4) * 99) > 1.0


# --- vectorisation, shapes, start, bounds, levels --------------------------------------------

@pytest.mark.parametrize("s", ALL, ids=IDS)
def test_batch_equals_loop(s):
    pts = random_points(s, 12, seed=3).reshape(3, 4, 2)
    f, g, H = s.f(pts), s.grad(pts), s.hessian(pts)
    assert f.shape == (3, 4) and g.shape == (3, 4, 2) and H.shape == (3, 4, 2, 2)
    for i in range(3):
        for j in range(4):
            assert f[i, j] == pytest.approx(float(s.f(pts[i, j])), rel=1e-12, abs=1e-12)
            np.testing.assert_allclose(g[i, j], s.grad(pts[i, j]), rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(H[i, j], s.hessian(pts[i, j]), rtol=1e-12, atol=1e-12)
    assert np.ndim(s.f(pts[0, 0])) == 0 and s.grad(pts[0, 0]).shape == (2,)


@pytest.mark.parametrize("s", ALL, ids=IDS)
def test_accepts_lists_and_rejects_wrong_last_axis(s):
    assert s.f([0.5, 0.5]) == pytest.approx(float(s.f(np.array([0.5, 0.5]))))
    with pytest.raises(ValueError, match=r"\(\.\.\., 2\)"):
        s.f(np.zeros((4, 3)))


@pytest.mark.parametrize("s", ALL, ids=IDS)
def test_start_bounds_levels(s):
    (x0, x1), (y0, y1) = s.bounds
    assert x0 < x1 and y0 < y1
    assert s.start.shape == (2,) and s.start.dtype == np.float64
    assert x0 < s.start[0] < x1 and y0 < s.start[1] < y1
    for m in s.minima:
        assert x0 < m[0] < x1 and y0 < m[1] < y1
    assert np.all(np.diff(s.levels) > 0) and len(s.levels) >= 10
    assert np.linalg.norm(s.grad(s.start)) > 1e-3  # the start is not stationary
    if s.name != "saddle":  # f spans decades: levels are log-spaced
        ratios = s.levels[1:] / s.levels[:-1]
        np.testing.assert_allclose(ratios, ratios[0])
        assert s.levels[-1] / s.levels[0] > 1e3


def test_saddle_start_is_close_to_the_ridge():
    s = surfaces.saddle()
    assert s.start[0] < -0.5 and 0 < s.start[1] < 1e-2


@pytest.mark.parametrize("s", ALL, ids=IDS)
def test_huge_inputs_overflow_without_warnings(s):
    pts = np.array([[1e200, -1e200], [np.inf, 1.0], [np.nan, 0.0], [1e300, 1e300]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f, g, H = s.f(pts), s.grad(pts), s.hessian(pts)
    assert f.shape == (4,) and g.shape == (4, 2) and H.shape == (4, 2, 2)
    assert not np.all(np.isfinite(g))


def test_registry():
    assert set(SURFACES) == {"quadratic", "rosenbrock", "beale", "himmelblau", "saddle"}
    for name, factory in SURFACES.items():
        s = factory()
        assert isinstance(s, Surface) and s.name == name


# --- validation ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "call, pattern",
    [
        (lambda: surfaces.quadratic(kappa=0.5), r"kappa must be in \[1, 1e\+12\]; got 0.5"),
        (lambda: surfaces.quadratic(kappa=np.nan), r"kappa"),
        (lambda: surfaces.quadratic(kappa=np.inf), r"kappa must be in \[1, 1e\+12\]"),
        (lambda: surfaces.quadratic(kappa=1e13), r"kappa must be in \[1, 1e\+12\]; got 1"),
        (lambda: surfaces.quadratic(kappa=[1.0, 2.0]), r"kappa must be a scalar"),
        (lambda: surfaces.quadratic(angle=np.inf), r"angle"),
        (lambda: surfaces.rosenbrock(b=0.0), r"b must be in \(0, 1e\+12\]; got 0.0"),
        (lambda: surfaces.rosenbrock(b=-1.0), r"b must be in"),
        (lambda: surfaces.rosenbrock(a="x"), r"a must be a number"),
        (lambda: surfaces.rosenbrock(a=np.inf), r"a must be in \[-1e\+06, 1e\+06\]; got inf"),
        (lambda: surfaces.rosenbrock(a=1e200), r"a must be in \[-1e\+06, 1e\+06\]; got 1e\+200"),
        (lambda: surfaces.rosenbrock(b=np.inf), r"b must be in \(0, 1e\+12\]"),
    ],
)
def test_invalid_parameters_are_named(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()
