"""Factory functions give PyTorch's values and dtypes, including int64 ranges with fractional
bounds or steps, where PyTorch cuts them to integers before counting."""

from __future__ import annotations

import numpy as np
import pytest

import engine

torch = pytest.importorskip("torch")

CALLS = {
    "arange_end": lambda T: T.arange(10),
    "arange_float_end": lambda T: T.arange(2.5),
    "arange_step": lambda T: T.arange(0, 1, 0.1),
    "arange_negative_step": lambda T: T.arange(10, 0, -3),
    "arange_float64": lambda T: T.arange(1, 4, dtype=T.float64),
    "arange_int_fractional_step": lambda T: T.arange(0, 5, 1.5, dtype=T.int64),
    "arange_int_fractional_start": lambda T: T.arange(0.5, 5, dtype=T.int64),
    "arange_int_negative_fractional": lambda T: T.arange(0, -5, -1.5, dtype=T.int64),
    "arange_int_start_toward_zero": lambda T: T.arange(-0.5, 3, dtype=T.int64),
    "arange_int_both_cut": lambda T: T.arange(0.5, 5.5, 2, dtype=T.int64),
    "arange_int_step_2_9": lambda T: T.arange(0, 7, 2.9, dtype=T.int64),
    "arange_int_empty_after_cut": lambda T: T.arange(0.5, 0.9, dtype=T.int64),
    "linspace_int": lambda T: T.linspace(0, 5, 3, dtype=T.int64),
    "linspace_float64": lambda T: T.linspace(-1, 1, 5, dtype=T.float64),
    "empty_shape": lambda T: T.empty(2, 0).shape,
    "full_int": lambda T: T.full((2,), 1.5, dtype=T.int64),
}


def _value(result):
    if isinstance(result, (tuple, list)):  # a shape
        return tuple(result), None
    return result.detach().numpy() if hasattr(result, "detach") else result, str(result.dtype)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_factory_matches_torch(name):
    theirs, their_dtype = _value(CALLS[name](torch))
    ours, our_dtype = _value(CALLS[name](engine))
    assert (our_dtype or "").replace("engine.", "torch.") == (their_dtype or "")
    np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))
