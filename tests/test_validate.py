"""Property tests for npfl_helpers._validate: what every validator accepts, returns and refuses.

Each refusal must be a TypeError (wrong kind) or ValueError (wrong value) whose message names
the parameter; a wrong kind is an ArgumentTypeError, which ``except ValueError`` also catches.
"""

import math
import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from npfl_helpers import _validate as v
from npfl_helpers import optim

finite = st.floats(allow_nan=False, allow_infinity=False)
non_finite = st.sampled_from([math.nan, math.inf, -math.inf])
names = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True)
not_numbers = st.one_of(st.none(), st.text(max_size=8), st.binary(max_size=4),
                        st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
                        st.just(len), st.just(object()), st.booleans())
float_arrays = hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, min_side=1,
                                                       max_side=4), elements=finite)


def named(name: str):
    """A regex matching ``name`` as a whole word at the start of a message."""
    return rf"^{re.escape(name)}\b"


def test_argument_type_error_is_both_type_and_value_error():
    assert issubclass(v.ArgumentTypeError, TypeError)
    assert issubclass(v.ArgumentTypeError, ValueError)


# --- check_range -------------------------------------------------------------------------------

@settings(max_examples=150, deadline=None)
@given(name=names, x=finite, lo=finite, width=st.floats(0, 1e6))
def test_check_range_returns_values_inside_and_refuses_values_outside(name, x, lo, width):
    hi = lo + width
    if not math.isfinite(hi):
        return
    if lo <= x <= hi:
        assert v.check_range(name, x, lo, hi) == x
    else:
        with pytest.raises(ValueError, match=named(name)) as info:
            v.check_range(name, x, lo, hi)
        assert not isinstance(info.value, TypeError)
        assert f"[{lo:g}, {hi:g}]" in str(info.value)


@settings(max_examples=60, deadline=None)
@given(name=names, x=non_finite)
def test_check_range_refuses_nan_and_inf_even_without_bounds(name, x):
    with pytest.raises(ValueError, match=named(name) + r".*\(-inf, inf\)"):
        v.check_range(name, x)


@settings(max_examples=80, deadline=None)
@given(name=names, x=not_numbers)
def test_check_range_refuses_other_kinds_with_a_type_error(name, x):
    with pytest.raises(TypeError, match=named(name) + r" must be a number"):
        v.check_range(name, x, 0)


@settings(max_examples=60, deadline=None)
@given(name=names, arr=float_arrays)
def test_check_range_arrays_all_or_nothing(name, arr):
    ok = bool(np.all(arr >= 0))
    if ok:
        np.testing.assert_array_equal(v.check_range(name, arr, 0), arr)
    else:
        with pytest.raises(ValueError, match=named(name)):
            v.check_range(name, arr, 0)
    with pytest.raises(TypeError, match=named(name) + " must be a scalar"):
        v.check_range(name, arr, allow_array=False)


def test_check_range_refuses_complex_and_empty():
    with pytest.raises(TypeError, match="lr must be a number.*complex"):
        v.check_range("lr", 1 + 2j)
    with pytest.raises(ValueError, match="lr must be a number .*empty"):
        v.check_range("lr", [])


# --- check_int ---------------------------------------------------------------------------------

@settings(max_examples=150, deadline=None)
@given(name=names, k=st.integers(-10**6, 10**6), lo=st.integers(-100, 100))
def test_check_int_roundtrips_integers_and_integral_floats(name, k, lo):
    if k >= lo:
        assert v.check_int(name, k, lo) == k
        assert v.check_int(name, float(k), lo) == k
        assert v.check_int(name, np.int32(k) if abs(k) < 2**31 else k, lo) == k
    else:
        with pytest.raises(ValueError, match=named(name) + " must be an integer in"):
            v.check_int(name, k, lo)


@settings(max_examples=80, deadline=None)
@given(name=names, x=finite.filter(lambda x: not float(x).is_integer()))
def test_check_int_refuses_fractions(name, x):
    with pytest.raises(ValueError, match=named(name) + " must be an integer"):
        v.check_int(name, x)


@settings(max_examples=60, deadline=None)
@given(name=names, x=not_numbers)
def test_check_int_refuses_other_kinds_with_a_type_error(name, x):
    with pytest.raises(TypeError, match=named(name) + " must be an integer"):
        v.check_int(name, x)


# --- check_bool, check_choice, check_axis -----------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(name=names, x=st.one_of(st.integers(), st.text(max_size=5), st.none(), finite))
def test_check_bool_accepts_only_bools(name, x):
    assert v.check_bool(name, True) is True and v.check_bool(name, np.bool_(False)) is False
    with pytest.raises(TypeError, match=named(name) + " must be True or False"):
        v.check_bool(name, x)


@settings(max_examples=100, deadline=None)
@given(name=names, choices=st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=5,
                                    unique=True), x=st.text(max_size=6))
def test_check_choice_names_every_allowed_value(name, choices, x):
    if x in choices:
        assert v.check_choice(name, x, choices) == x
        return
    with pytest.raises(ValueError) as info:
        v.check_choice(name, x, choices)
    message = str(info.value)
    assert message.startswith(f"{name} must be one of ")
    assert all(repr(c) in message for c in choices)


def test_check_choice_refuses_non_strings_and_suggests_near_misses():
    with pytest.raises(TypeError, match="activation must be one of .*got None"):
        v.check_choice("activation", None, ("relu", "tanh"))
    with pytest.raises(ValueError, match="did you mean 'relu'"):
        v.check_choice("activation", "ReLU", ("relu", "tanh"))


@settings(max_examples=60, deadline=None)
@given(ndim=st.integers(1, 6), axis=st.integers(-10, 10))
def test_check_axis_normalises_valid_axes(ndim, axis):
    if -ndim <= axis < ndim:
        assert v.check_axis("axis", axis, ndim) == axis % ndim
    else:
        with pytest.raises(ValueError, match=named("axis")):
            v.check_axis("axis", axis, ndim)


# --- check_array and _fmt ----------------------------------------------------------------------

@settings(max_examples=100, deadline=None)
@given(name=names, arr=float_arrays)
def test_check_array_roundtrips_finite_arrays_and_lists(name, arr):
    np.testing.assert_array_equal(v.check_array(name, arr), arr)
    np.testing.assert_array_equal(v.check_array(name, arr.tolist()), arr)
    small = np.clip(arr, -1e38, 1e38).astype(np.float32)
    assert v.check_array(name, small, dtype=None).dtype == np.float32
    if np.any(np.abs(arr) > 3.5e38):  # beyond float32: refused, no overflow warning
        with pytest.raises(ValueError, match=named(name) + ".*beyond the float32 range"):
            v.check_array(name, arr, dtype=np.float32)


@settings(max_examples=100, deadline=None)
@given(name=names, arr=float_arrays, bad=non_finite, data=st.data())
def test_check_array_refuses_any_non_finite_entry_and_says_how_many(name, arr, bad, data):
    i = data.draw(st.integers(0, arr.size - 1))
    arr = arr.copy()
    arr.flat[i] = bad
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # describing NaN must not warn (All-NaN slice)
        with pytest.raises(ValueError, match=named(name) + r" must hold finite numbers"):
            v.check_array(name, arr)
        np.testing.assert_array_equal(v.check_array(name, arr, finite=False), arr)


@settings(max_examples=100, deadline=None)
@given(name=names, values=st.lists(finite, min_size=1, max_size=6), data=st.data())
def test_check_array_never_turns_none_into_nan(name, values, data):
    i = data.draw(st.integers(0, len(values)))
    with pytest.raises(TypeError, match=named(name) + r".*None"):
        v.check_array(name, values[:i] + [None] + values[i:])


@pytest.mark.parametrize("bad, match", [
    (None, "None"),
    ("abc", "the string 'abc'"),
    ([1.0, "2"], "strings"),
    (np.array([1 + 1j]), "complex"),
    ([[1.0], [1.0, 2.0]], "cannot be converted"),
    ({"a": 1}, "dict"),
    (np.array(["a"]), "dtype <U1"),
])
def test_check_array_refuses_other_kinds_with_a_type_error(bad, match):
    with pytest.raises(TypeError, match="x must be an array of real numbers; got .*" + match):
        v.check_array("x", bad)


@settings(max_examples=60, deadline=None)
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
       spec=st.lists(st.one_of(st.none(), st.integers(0, 4)), min_size=1, max_size=3))
def test_check_array_shape_spec(shape, spec):
    arr = np.zeros(shape)
    fits = len(spec) == len(shape) and all(s is None or s == a for s, a in zip(spec, shape,
                                                                            strict=False))
    if fits:
        assert v.check_array("X", arr, shape=tuple(spec), allow_empty=True).shape == shape
    else:
        with pytest.raises(ValueError, match=r"X must have shape \("):
            v.check_array("X", arr, shape=tuple(spec), allow_empty=True)


def test_check_array_refuses_empty_unless_allowed():
    with pytest.raises(ValueError, match="x must not be empty"):
        v.check_array("x", [])
    assert v.check_array("x", [], allow_empty=True).shape == (0,)


@settings(max_examples=100, deadline=None)
@given(arr=hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=2, max_side=4),
                      elements=st.floats(allow_nan=True, allow_infinity=True)))
def test_fmt_never_warns_and_mentions_the_shape(arr):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        text = v._fmt(arr)
    assert isinstance(text, str)
    if arr.ndim:
        assert str(arr.shape) in text


# --- check_labels ------------------------------------------------------------------------------

@settings(max_examples=100, deadline=None)
@given(k=st.integers(1, 10), labels=st.lists(st.integers(-3, 12), min_size=1, max_size=8))
def test_check_labels_accepts_exactly_the_indices_in_range(k, labels):
    if all(0 <= y < k for y in labels):
        out = v.check_labels("y", labels, n=len(labels), n_classes=k)
        assert out.tolist() == labels and out.dtype.kind == "i"
    else:
        with pytest.raises(ValueError, match=rf"y must hold class indices in \[0, {k - 1}\]"):
            v.check_labels("y", labels, n=len(labels), n_classes=k)


@settings(max_examples=40, deadline=None)
@given(labels=st.lists(st.integers(0, 3), min_size=1, max_size=6))
def test_check_labels_refuses_floats_bools_and_wrong_lengths(labels):
    with pytest.raises(TypeError, match=r"y must be an integer array.*astype\(int\)"):
        v.check_labels("y", np.array(labels, dtype=float), n_classes=4)
    with pytest.raises(TypeError, match="y must be an integer array"):
        v.check_labels("y", np.array(labels, dtype=bool), n_classes=4)
    with pytest.raises(ValueError, match=rf"y must have shape \({len(labels) + 1},\)"):
        v.check_labels("y", labels, n=len(labels) + 1, n_classes=4)


# --- callables, optimisers, generators, schedule values ---------------------------------------

@settings(max_examples=60, deadline=None)
@given(name=names, x=st.one_of(st.none(), st.text(max_size=5), finite, st.integers()))
def test_check_callable_refuses_what_cannot_be_called(name, x):
    assert v.check_callable(name, len) is len
    with pytest.raises(TypeError, match=named(name) + " must be a function; got"):
        v.check_callable(name, x)


@pytest.mark.parametrize("factory", list(optim.OPTIMIZERS))
def test_check_optimizer_explains_factories_and_names(factory):
    opt = optim.OPTIMIZERS[factory](lr=0.1)
    assert v.check_optimizer("optimizer", opt) is opt
    with pytest.raises(TypeError, match=rf"got the factory optim\.{factory} itself: call it, "
                                        rf"e\.g\. optim\.{factory}\(lr="):
        v.check_optimizer("optimizer", optim.OPTIMIZERS[factory])
    with pytest.raises(TypeError, match=rf"got the string '{factory}': pass "
                                        rf"optim\.{factory}\(lr=\.\.\.\) instead"):
        v.check_optimizer("optimizer", factory)


@settings(max_examples=40, deadline=None)
@given(x=not_numbers)
def test_check_optimizer_refuses_anything_without_init_and_step(x):
    with pytest.raises(TypeError, match=r"optimizer must be an Optimizer such as optim\.adam"):
        v.check_optimizer("optimizer", x)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**63))
def test_check_rng_is_seeded_and_passes_generators_through(seed):
    a = v.check_rng("seed", seed).random(3)
    b = v.check_rng("seed", seed).random(3)
    np.testing.assert_array_equal(a, b)
    g = np.random.default_rng(seed)
    assert v.check_rng("seed", g) is g


@pytest.mark.parametrize("bad, kind", [(-1, ValueError), (1.5, TypeError), ("a", TypeError),
                                       (True, TypeError), ([1, 2], TypeError)])
def test_check_rng_refuses_other_seeds(bad, kind):
    with pytest.raises(kind, match="seed must be None, an integer >= 0 or a numpy.random"):
        v.check_rng("seed", bad)


@settings(max_examples=100, deadline=None)
@given(value=st.one_of(finite, non_finite), step=st.integers(0, 10**6))
def test_check_schedule_value_accepts_only_finite_non_negative_rates(value, step):
    if math.isfinite(value) and value >= 0:
        assert v.check_schedule_value(value, step) == value
    else:
        with pytest.raises(ValueError, match=rf"lr \(a learning-rate schedule\) returned .* at "
                                             rf"step {step}; a learning rate must be a finite "
                                             "number >= 0"):
            v.check_schedule_value(value, step)


@pytest.mark.parametrize("bad", [None, "0.1", [0.1, None], 1j, True])
def test_check_schedule_value_refuses_non_numbers(bad):
    with pytest.raises(TypeError, match=r"lr \(a learning-rate schedule\) returned"):
        v.check_schedule_value(bad, 3)


# --- describe ----------------------------------------------------------------------------------

anything = st.one_of(not_numbers, finite, st.integers(), st.complex_numbers(),
                     st.lists(st.integers(), max_size=3), float_arrays, st.text(min_size=50),
                     st.just(np.float64(1.5)), st.just(np.zeros(())), st.just(int))


@settings(max_examples=150, deadline=None)
@given(x=anything)
def test_describe_is_short_and_never_raises(x):
    text = v.describe(x)
    assert isinstance(text, str) and 0 < len(text) <= 80


@pytest.mark.parametrize("value, shown", [(1e308, "got 1e+308"),
                                          (10**400, "an integer of 401 digits"),
                                          (2**62, "got 4.612e+18"), (101, "got 101")])
def test_check_int_names_huge_integers_briefly(value, shown):
    with pytest.raises(ValueError, match=r"n must be an integer in \[0, 100\]") as err:
        v.check_int("n", value, 0, 100)
    assert shown in str(err.value) and len(str(err.value)) < 80
