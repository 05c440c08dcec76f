"""Tests for npfl_helpers.exercises.generalization (notebook 02): the closed form of L2-regularised
least squares and the choice of λ on the validation set — correct answers pass, each typical
mistake gets its own message, garbage never crashes a check."""

import numpy as np
import pytest
from exercise_solutions import mistake, run

from npfl_helpers import exercises as ex
from npfl_helpers import generalization as gen

TIMEOUT = 0.3


def _B(P):
    return np.diag([0.0] + [1.0] * (P - 1))


def ridge_ok(X, y, lam):
    """θ = (XᵀX + NλB)⁻¹Xᵀy, B = diag(0, 1, …, 1), written out with np.linalg.solve."""
    N, P = X.shape
    return np.linalg.solve(X.T @ X + N * lam * _B(P), X.T @ y)


def ridge_inv(X, y, lam):
    N, P = X.shape
    return np.linalg.inv(X.T @ X + N * lam * _B(P)) @ X.T @ y


def ridge_lists(X, y, lam):
    return ridge_ok(X, y, lam).tolist()


def ridge_float32(X, y, lam):
    return ridge_ok(X, y, lam).astype(np.float32)


# ----------------------------------------------------------------------------------------------
# check_ridge


@pytest.mark.parametrize("fn", [ridge_ok, ridge_inv, ridge_lists, ridge_float32])
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_correct_ridge_passes(fn, seed, capsys):
    verdict, out = run(ex.check_ridge, fn, capsys, seed=seed)
    assert verdict is True, out
    assert out.startswith(ex.OK) and "correct" in out


def test_reference_agrees_with_the_core():
    rng = np.random.default_rng(3)
    X = np.column_stack([np.ones(9), rng.standard_normal((9, 3))])
    y = rng.standard_normal(9)
    np.testing.assert_allclose(ridge_ok(X, y, 0.2), gen.least_squares(X, y, 0.2), rtol=1e-12)


MISTAKES = {
    "forgot λ": (lambda X, y, lam: np.linalg.solve(X.T @ X, X.T @ y), "λ is missing"),
    "penalised bias": (lambda X, y, lam: np.linalg.solve(
        X.T @ X + len(y) * lam * np.eye(X.shape[1]), X.T @ y), "must not be penalised"),
    "no N": (lambda X, y, lam: np.linalg.solve(X.T @ X + lam * _B(X.shape[1]), X.T @ y),
             "as NλB"),
    "minus": (lambda X, y, lam: np.linalg.solve(X.T @ X - len(y) * lam * _B(X.shape[1]),
                                                X.T @ y), "plus sign"),
    "2Nλ": (lambda X, y, lam: np.linalg.solve(X.T @ X + 2 * len(y) * lam * _B(X.shape[1]),
                                              X.T @ y), "the 2 of the gradient"),
    "λ on the right": (lambda X, y, lam: np.linalg.solve(X.T @ X, X.T @ y + len(y) * lam),
                       "not to the right-hand side"),
    "added to every entry": (lambda X, y, lam: np.linalg.solve(X.T @ X + len(y) * lam, X.T @ y),
                             "every entry"),
    "divided one side": (lambda X, y, lam: np.linalg.solve(X.T @ X / len(y) + lam * _B(X.shape[1]),
                                                           X.T @ y), "or neither"),
}


@pytest.mark.parametrize("name", MISTAKES)
def test_each_typical_mistake_gets_its_message(name, capsys):
    fn, fragment = MISTAKES[name]
    mistake(ex.check_ridge, fn, capsys, fragment, output="theta")


def test_wrong_shape_names_xxt(capsys):
    def dual(X, y, lam):
        return np.linalg.solve(X @ X.T + lam * np.eye(len(y)), y)

    mistake(ex.check_ridge, dual, capsys, "one coefficient per column of X", "X @ X.T")


def test_unknown_mistake_gets_the_formula(capsys):
    mistake(ex.check_ridge, lambda X, y, lam: ridge_ok(X, y, lam) + 0.1, capsys,
            "solve (XᵀX + NλB)θ = Xᵀy")


def test_skeleton_is_not_attempted_yet(capsys):
    def ridge(X, y, lam):
        raise NotImplementedError

    verdict, out = run(ex.check_ridge, ridge, capsys)
    assert verdict is False and "not implemented yet" in out


def test_inputs_modified_in_place_are_reported(capsys):
    def sloppy(X, y, lam):
        theta = ridge_ok(X, y, lam)
        y -= y.mean()
        return theta

    mistake(ex.check_ridge, sloppy, capsys, "modified its argument y in place")


def _hang(X, y, lam):
    while True:
        pass


GARBAGE = [
    (lambda X, y, lam: None, "got None"),
    (lambda X, y, lam: "theta", "text"),
    (lambda X, y, lam: ridge_ok(X, y, lam) + 0j, "complex"),
    (lambda X, y, lam: ridge_ok(X, y, lam)[:, None], "shape"),
    (lambda X, y, lam: np.full(X.shape[1], np.nan), "not finite"),
    (lambda X, y, lam: [1, "a"], "theta"),
    (lambda X, y, lam: 1 / 0, "ZeroDivisionError"),
    (lambda X, y, lam: exit(), "SystemExit"),
    (lambda X, y, lam: (ridge_ok(X, y, lam), 1), "theta"),
    (_hang, "did not finish"),
]


@pytest.mark.parametrize(("fn", "fragment"), GARBAGE)
def test_garbage_never_crashes(fn, fragment, capsys):
    verdict, out = run(ex.check_ridge, fn, capsys, timeout=TIMEOUT)
    assert verdict is False and out.startswith(ex.NO)
    assert fragment in out, out


def test_not_a_function(capsys):
    verdict, out = run(ex.check_ridge, np.zeros(3), capsys)
    assert verdict is False and "itself" in out


# ----------------------------------------------------------------------------------------------
# check_lambda_choice (the notebook's data)

DEGREE = 12
LAMS = np.geomspace(1e-6, 10, 15)


@pytest.fixture(scope="module")
def sets():
    return tuple(gen.sample(20, 0.3, seed=s) for s in (24, 124, 224))


@pytest.fixture(scope="module")
def choices(sets):
    """The index chosen on each set, written out with a loop."""
    train = sets[0]
    out = {}
    for name, (x, y) in zip(("train", "val", "test"), sets, strict=True):
        errs = [np.mean((gen.predict(gen.fit_polynomial(*train, DEGREE, lam), x) - y) ** 2)
                for lam in LAMS]
        out[name] = int(np.argmin(errs))
        out[name + "_max"] = int(np.argmax(errs))
    return out


def check(value, sets, capsys):
    verdict = ex.check_lambda_choice(value, *sets, DEGREE, LAMS)
    return verdict, capsys.readouterr().out


def test_notebook_data_separate_the_three_choices(choices):
    assert len({choices["train"], choices["val"], choices["test"], choices["val_max"]}) == 4
    assert choices["train"] == 0  # the smallest λ always fits the training set best


def test_validation_choice_passes_and_reports_the_test_error(sets, choices, capsys):
    verdict, out = check(LAMS[choices["val"]], sets, capsys)
    assert verdict is True and out.startswith(ex.OK)
    theta = gen.fit_polynomial(*sets[0], DEGREE, LAMS[choices["val"]])
    test_mse = np.mean((gen.predict(theta, sets[2][0]) - sets[2][1]) ** 2)
    assert f"{test_mse:.4g}" in out
    verdict, _ = check(str(LAMS[choices["val"]]), sets, capsys)  # a numeric string counts too
    assert verdict is True


def test_notebook_data_give_an_honest_report(sets, choices):
    """The correct choice's reported test MSE is close to its exact generalisation error (the
    notebook's data must not teach that a well-chosen λ fails on the test set)."""
    theta = gen.fit_polynomial(*sets[0], DEGREE, LAMS[choices["val"]])
    test_mse = np.mean((gen.predict(theta, sets[2][0]) - sets[2][1]) ** 2)
    exact = gen.generalization_error(theta, "sine", 0.3)
    assert exact < 2 * 0.3**2 and abs(test_mse / exact - 1) < 0.25


@pytest.mark.parametrize(("which", "fragment"), [
    ("test", "smallest test error"),
    ("train", "smallest training error"),
    ("val_max", "largest validation error"),
])
def test_wrong_set_gets_its_message(which, fragment, sets, choices, capsys):
    verdict, out = check(LAMS[choices[which]], sets, capsys)
    assert verdict is False and out.startswith(ex.NO)
    assert fragment in out, out


def test_values_outside_the_grid_and_indices(sets, choices, capsys):
    verdict, out = check(0.5, sets, capsys)
    assert verdict is False and "not one of the λ values" in out
    verdict, out = check(choices["val"], sets, capsys)
    assert verdict is False and "looks like an index" in out


@pytest.mark.parametrize(("value", "fragment"), [
    (None, "not answered yet"),
    ("abc", "must be a number"),
    (np.array([1e-3, 1e-2]), "single number"),
    (1j, "complex"),
    (float("nan"), "finite"),
    ([[]], "best_lam"),
    (object(), "best_lam"),
])
def test_garbage_answers_never_crash(value, fragment, sets, capsys):
    verdict, out = check(value, sets, capsys)
    assert verdict is False and out.startswith(ex.NO)
    assert fragment in out, out


def test_teacher_arguments_are_validated(sets):
    with pytest.raises(TypeError, match="train must be a pair"):
        ex.check_lambda_choice(1e-3, sets[0][0], sets[1], sets[2], DEGREE, LAMS)
    with pytest.raises(ValueError, match="lams"):
        ex.check_lambda_choice(1e-3, *sets, DEGREE, [-1.0, 1.0])
    with pytest.raises(ValueError, match="degree"):
        ex.check_lambda_choice(1e-3, *sets, -2, LAMS)
