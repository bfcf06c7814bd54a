"""engine.formatting must print tensors exactly as PyTorch does (with ``engine.`` for ``torch.``).

Each case builds a torch tensor, wraps its values in a ``FakeTensor`` that has only the
attributes ``tensor_repr`` reads, and compares the two texts.
"""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from engine.formatting import get_printoptions, set_printoptions, tensor_repr

torch = pytest.importorskip("torch")

NAN, INF = math.nan, math.inf


class FakeDtype:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"engine.{self.name}"


class FakeGradFn:
    def __init__(self, name):
        self._name = name

    def name(self):
        return self._name


class FakeTensor:
    """Just the attributes tensor_repr may use, so no other part of the engine is involved."""

    def __init__(self, data, requires_grad=False, grad_fn=None):
        self._data = data
        self.dtype = FakeDtype(str(data.dtype))
        self.requires_grad = requires_grad
        self.is_leaf = grad_fn is None
        self.grad_fn = None if grad_fn is None else FakeGradFn(grad_fn)

    @classmethod
    def like(cls, t):
        grad_fn = None if t.grad_fn is None else type(t.grad_fn).__name__
        return cls(t.detach().numpy(), t.requires_grad, grad_fn)


def expected(t):
    return repr(t).replace("torch.", "engine.")


def assert_same(t, fake=None):
    fake = FakeTensor.like(t) if fake is None else fake
    assert tensor_repr(fake) == expected(t)


@pytest.fixture(autouse=True)
def default_print_options():
    """Every test starts and ends with default options in both libraries."""
    torch.set_printoptions(profile="default")
    set_printoptions(profile="default")
    yield
    torch.set_printoptions(profile="default")
    set_printoptions(profile="default")


def rand(*shape, scale=1.0, dtype=torch.float32, seed=0):
    gen = torch.Generator().manual_seed(seed)
    return (torch.randn(*shape, generator=gen, dtype=torch.float64) * scale).to(dtype)


def leaf(t):
    return t.clone().requires_grad_(True)


def with_grad_fn(t, op=lambda x: x + 1):
    return op(leaf(t))


CASES = {
    # 0-d
    "scalar_float": lambda: torch.tensor(4.6667),
    "scalar_int_valued": lambda: torch.tensor(3.0),
    "scalar_int": lambda: torch.tensor(-42),
    "scalar_bool": lambda: torch.tensor(True),
    "scalar_nan": lambda: torch.tensor(NAN),
    "scalar_neg_inf": lambda: torch.tensor(-INF),
    "scalar_zero": lambda: torch.tensor(0.0),
    "scalar_neg_zero": lambda: torch.tensor(-0.0),
    "scalar_tiny": lambda: torch.tensor(1e-7),
    "scalar_huge": lambda: torch.tensor(3e12),
    "scalar_float64": lambda: torch.tensor(2.5, dtype=torch.float64),
    "scalar_mean_grad_fn": lambda: with_grad_fn(torch.tensor([3.0, 4.0, 7.0]), torch.mean),
    "scalar_requires_grad": lambda: leaf(torch.tensor(1.5)),
    # 1-d
    "int_valued_floats": lambda: torch.tensor([1.0, 2.0, -3.0]),
    "mixed_floats": lambda: torch.tensor([1.0, 2.5, -3.25]),
    "rounding": lambda: torch.tensor([0.123456, 0.99999, 1.00005]),
    "ratio_above_1000": lambda: torch.tensor([1.0, 1001.0]),
    "ratio_exactly_1000": lambda: torch.tensor([1.0, 1000.0]),
    "above_1e8": lambda: torch.tensor([1.5e8, 2.0]),
    "int_valued_above_1e8": lambda: torch.tensor([1e9, 2e9]),
    "below_1e-4": lambda: torch.tensor([5e-5, 1e-4]),
    "nan_inf_mix": lambda: torch.tensor([NAN, INF, -INF, 1.5, 0.0]),
    "nan_inf_int_valued": lambda: torch.tensor([NAN, INF, -INF, 2.0]),
    "nan_with_sci": lambda: torch.tensor([NAN, 1.5e-7, 3.0]),
    "only_nan_inf": lambda: torch.tensor([NAN, INF, -INF]),
    "zeros": lambda: torch.zeros(4),
    "negative_zero": lambda: torch.tensor([-0.0, 1.0]),
    "negative_zero_frac": lambda: torch.tensor([-0.0, 0.5]),
    "all_negative_zero": lambda: torch.tensor([0.0, -0.0]),
    "huge_and_tiny": lambda: torch.tensor([1e-20, 1e20, -3.5, 0.0]),
    "float64_huge_exponent": lambda: torch.tensor([1e-300, 1e300], dtype=torch.float64),
    "float64_vector": lambda: torch.tensor([0.1, 0.2, 0.3], dtype=torch.float64),
    "long_row_wraps": lambda: rand(40),
    "long_int_valued_row": lambda: torch.arange(60.0),
    "long_sci_row": lambda: rand(30, scale=1e6),
    "ints": lambda: torch.tensor([1, -2, 300]),
    "ints_large": lambda: torch.tensor([2**62, -(2**63), 7]),
    "ints_long_row": lambda: torch.arange(-50, 50),
    "bools": lambda: torch.tensor([True, False, True]),
    "bools_all_true": lambda: torch.tensor([True, True]),
    "bool_matrix": lambda: torch.rand(3, 4, generator=torch.Generator().manual_seed(1)) > 0.5,
    # n-d
    "matrix_5x6_grad_fn": lambda: with_grad_fn(rand(5, 6)),
    "matrix_requires_grad": lambda: leaf(rand(3, 3)),
    "matrix_small_values": lambda: rand(3, 4, scale=1e-3),
    "matrix_large_values": lambda: rand(3, 4, scale=1e5),
    "matrix_1e10": lambda: rand(4, 3, scale=1e10),
    "matrix_1e-10": lambda: rand(4, 3, scale=1e-10),
    "matrix_float64": lambda: rand(3, 4, dtype=torch.float64),
    "matrix_float64_grad_fn": lambda: with_grad_fn(rand(4, 7, dtype=torch.float64)),
    "matrix_float64_grad_fn_sci": lambda: with_grad_fn(rand(4, 7, scale=1e9, dtype=torch.float64)),
    "wide_matrix_wraps": lambda: rand(3, 20),
    "wide_matrix_grad_fn": lambda: with_grad_fn(rand(2, 13), lambda x: x * 2),
    "tensor_3d": lambda: rand(2, 3, 4),
    "tensor_4d": lambda: rand(2, 2, 3, 2, scale=100),
    "tensor_3d_ints": lambda: torch.arange(24).reshape(2, 3, 4) - 12,
    "transposed": lambda: rand(3, 5).t(),
    "expanded": lambda: torch.tensor([1.5, -2.0, 3.0]).expand(4, 3),
    "single_column": lambda: rand(6, 1),
    # summarised
    "summarised_2000": lambda: rand(2000),
    "summarised_2000_matrix": lambda: rand(40, 50),
    "summarised_1e5": lambda: rand(100_000),
    "summarised_1e5_3d": lambda: rand(10, 100, 100),
    "summarised_ints": lambda: torch.arange(5000).reshape(50, 100),
    "summarised_bools": lambda: torch.arange(2000) % 3 == 0,
    "summarised_short_axis": lambda: rand(2, 1000),
    "summarised_4d_grad_fn": lambda: with_grad_fn(rand(7, 8, 9, 3)),
    "summarised_hidden_outlier": lambda: torch.cat([torch.ones(500), torch.tensor([1e9]),
                                                    torch.ones(600) * 0.5]),
    # empty
    "empty": lambda: torch.tensor([]),
    "empty_0x3": lambda: torch.zeros(0, 3),
    "empty_int": lambda: torch.zeros(0, dtype=torch.int64),
    "empty_bool_2d": lambda: torch.zeros(2, 0, dtype=torch.bool),
    "empty_float64": lambda: torch.zeros(0, dtype=torch.float64),
    "empty_3d_float64": lambda: torch.zeros(1, 0, 2, dtype=torch.float64),
    "empty_requires_grad": lambda: leaf(torch.zeros(0, 3)),
}


@pytest.mark.parametrize("make", CASES.values(), ids=CASES.keys())
def test_matches_torch(make):
    assert_same(make())


def test_seed_notebook_suffix_wraps_onto_own_line():
    text = tensor_repr(FakeTensor.like(with_grad_fn(rand(5, 6))))
    assert text.endswith("]],\n       grad_fn=<AddBackward0>)")


def test_read_only_broadcast_view():
    values = np.array([0.25, -1.0, 8.0], dtype=np.float32)
    view = np.broadcast_to(values, (3, 3))
    assert not view.flags.writeable
    assert_same(torch.tensor(values).expand(3, 3), FakeTensor(view))


def test_non_contiguous_slice():
    data = np.arange(48, dtype=np.float64).reshape(6, 8)[::2, 1::3] / 7
    assert_same(torch.from_numpy(np.ascontiguousarray(data)), FakeTensor(data))


def test_get_printoptions_defaults():
    assert get_printoptions() == torch._tensor_str.get_printoptions()
    assert get_printoptions() == {"precision": 4, "threshold": 1000, "edgeitems": 3,
                                  "linewidth": 80, "sci_mode": None}


@pytest.mark.parametrize("profile", ["short", "full", "default"])
def test_profiles_match_torch(profile):
    torch.set_printoptions(profile=profile)
    set_printoptions(profile=profile)
    assert get_printoptions() == torch._tensor_str.get_printoptions()
    for make in (CASES["summarised_2000"], CASES["mixed_floats"], CASES["tensor_3d"]):
        assert_same(make())


def test_omitting_sci_mode_resets_it_like_torch():
    set_printoptions(sci_mode=True)
    set_printoptions(precision=3)
    assert get_printoptions()["sci_mode"] is None


OPTION_SETS = {
    "precision_2": {"precision": 2},
    "precision_0": {"precision": 0},
    "precision_8": {"precision": 8},
    "sci_off": {"sci_mode": False},
    "sci_on": {"sci_mode": True},
    "threshold_5": {"threshold": 5},
    "threshold_0": {"threshold": 0},
    "edgeitems_1": {"threshold": 10, "edgeitems": 1},
    "edgeitems_0": {"threshold": 10, "edgeitems": 0},
    "edgeitems_0_small": {"edgeitems": 0},
    "linewidth_40": {"linewidth": 40},
    "linewidth_tiny": {"linewidth": 5},
    "short_with_sci": {"profile": "short", "sci_mode": True},
}

OPTION_TENSORS = ["scalar_float", "mixed_floats", "huge_and_tiny", "nan_inf_mix", "zeros",
                  "long_row_wraps", "ints_long_row", "bools", "matrix_5x6_grad_fn",
                  "tensor_4d", "summarised_2000_matrix", "empty_0x3", "matrix_float64_grad_fn",
                  "int_valued_floats"]


@pytest.mark.parametrize("options", OPTION_SETS.values(), ids=OPTION_SETS.keys())
def test_print_options_match_torch(options):
    torch.set_printoptions(**options)
    set_printoptions(**options)
    assert get_printoptions() == torch._tensor_str.get_printoptions()
    for name in OPTION_TENSORS:
        assert_same(CASES[name]())


@st.composite
def scaled_float_arrays(draw):
    """Arrays of float32/float64 spanning random decades, with sprinkled zeros, nan and inf."""
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=7))
    mantissas = draw(hnp.arrays(np.float64, shape, elements=st.one_of(
        st.floats(-10, 10), st.sampled_from([0.0, -0.0, 1.0, NAN, INF, -INF]))))
    exponents = draw(hnp.arrays(np.float64, shape, elements=st.integers(-12, 12).map(float)))
    spread = draw(st.booleans())  # one common decade, or a decade per element
    scale = 10.0 ** (exponents if spread else draw(st.integers(-12, 12)))
    with np.errstate(invalid="ignore"):
        return np.asarray(mantissas * scale).astype(dtype)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scaled_float_arrays(), st.booleans())
def test_random_float_arrays_match_torch(data, requires_grad):
    t = torch.from_numpy(data.copy())
    if requires_grad:
        t.requires_grad_(True)
    assert_same(t)


@settings(max_examples=150, deadline=None)
@given(hnp.arrays(st.sampled_from([np.float32, np.float64]),
                  hnp.array_shapes(min_dims=1, max_dims=2, max_side=6),
                  elements={"allow_subnormal": True}))
def test_arbitrary_floats_match_torch(data):
    assert_same(torch.from_numpy(data.copy()))


@settings(max_examples=100, deadline=None)
@given(hnp.arrays(st.sampled_from([np.int64, np.bool_]),
                  hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=6)))
def test_random_int_and_bool_arrays_match_torch(data):
    assert_same(torch.from_numpy(data.copy()))


@settings(max_examples=100, deadline=None)
@given(scaled_float_arrays(), st.integers(0, 8), st.integers(0, 60), st.integers(0, 4),
       st.integers(10, 120), st.sampled_from([None, True, False]))
def test_random_options_match_torch(data, precision, threshold, edgeitems, linewidth, sci):
    options = {"precision": precision, "threshold": threshold, "edgeitems": edgeitems,
               "linewidth": linewidth, "sci_mode": sci}
    torch.set_printoptions(**options)
    set_printoptions(**options)
    try:
        assert_same(torch.from_numpy(data.copy()))
    finally:
        torch.set_printoptions(profile="default")
        set_printoptions(profile="default")
