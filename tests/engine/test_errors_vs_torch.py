"""Wrong calls raise PyTorch's exception types with PyTorch's words (``torch.`` read as
``engine.``)."""

from __future__ import annotations

import pytest

import engine

torch = pytest.importorskip("torch")

BAD_CALLS = {
    "mm_shapes": lambda T: T.ones(2, 3).mm(T.ones(2, 3)),
    "matmul_shapes": lambda T: T.ones(2, 3) @ T.ones(2, 3),
    "matmul_dtypes": lambda T: T.ones(2, 2) @ T.ones(2, 2, dtype=T.float64),
    "mv_shapes": lambda T: T.ones(2, 3) @ T.ones(2),
    "dot_sizes": lambda T: T.dot(T.ones(2), T.ones(3)),
    "dot_dtypes": lambda T: T.dot(T.ones(2), T.ones(2, dtype=T.float64)),
    "broadcast": lambda T: T.ones(2) + T.ones(3),
    "broadcast_2d": lambda T: T.ones(2, 3) * T.ones(3, 2),
    "reshape_size": lambda T: T.ones(2, 3).reshape(4),
    "view_stride": lambda T: T.ones(2, 3).t().view(6),
    "item_many": lambda T: T.ones(2).item(),
    "squeeze_dim": lambda T: T.ones(2).squeeze(3),
    "sum_dim": lambda T: T.ones(2).sum(2),
    "transpose_dim": lambda T: T.ones(2, 3).transpose(0, 2),
    "unsqueeze_dim": lambda T: T.ones(2, 3).unsqueeze(3),
    "cat_sizes": lambda T: T.cat([T.ones(2, 3), T.ones(3, 2)]),
    "cat_scalars": lambda T: T.cat([T.ones(()), T.ones(())]),
    "stack_sizes": lambda T: T.stack([T.ones(2, 3), T.ones(3, 2)]),
    "expand_size": lambda T: T.ones(2, 3).expand(3, 3),
    "index_bounds": lambda T: T.ones(2, 3)[5],
    "rand_negative": lambda T: T.rand(-1),
    "zeros_str": lambda T: T.zeros("a"),
    "ragged": lambda T: T.tensor([[1, 2], [3]]),
    "tensor_str": lambda T: T.tensor("abc"),
    "mean_int": lambda T: T.tensor([1, 2]).mean(),
    "max_empty": lambda T: T.ones(0).max(),
    "int_requires_grad": lambda T: T.tensor([1, 2], requires_grad=True),
    "leaf_inplace": lambda T: T.ones(3, requires_grad=True).add_(1),
    "bool_neg": lambda T: -T.tensor([True]),
    "t_3d": lambda T: T.ones(2, 2, 2).t(),
    "bool_of_many": lambda T: bool(T.ones(2)),
    "len_scalar": lambda T: len(T.tensor(1.0)),
    "inplace_int_from_float": lambda T: T.tensor([1, 2]).add_(0.5),
    "clamp_nothing": lambda T: T.ones(2).clamp(),
    "cat_nothing": lambda T: T.cat([]),
    "stack_nothing": lambda T: T.stack([]),
    "inplace_broadcast_grows": lambda T: T.ones(2).add_(T.ones(2, 2)),
    "inplace_broadcast_grows_column": lambda T: T.ones(2, 1).mul_(T.ones(2, 3)),  # fuzz found
    "inplace_broadcast_int": lambda T: T.ones(2, dtype=T.int64).mul_(T.ones(3, 2)),
    "inplace_view_grows": lambda T: T.ones(2, 2)[0].add_(T.ones(2, 2)),
    "zeros_negative": lambda T: T.zeros(2, -3),
    "empty_negative": lambda T: T.empty(-1),
    "ones_negative": lambda T: T.ones(-1),
    "arange_bounds": lambda T: T.arange(5, 1),
    "arange_bounds_negative_step": lambda T: T.arange(0, 5, -1),
    "arange_bool": lambda T: T.arange(3, dtype=T.bool),
    "arange_int_step_cut_to_zero": lambda T: T.arange(0, 1, 0.3, dtype=T.int64),
    "arange_int_bounds_first": lambda T: T.arange(0, 5, -0.5, dtype=T.int64),
    "linspace_bool": lambda T: T.linspace(0, 1, 3, dtype=T.bool),
    "rand_int": lambda T: T.rand(2, dtype=T.int64),
    "rand_bool_empty": lambda T: T.rand(0, dtype=T.bool),
    "randn_int": lambda T: T.randn(2, dtype=T.int64),
    "rand_like_int": lambda T: T.rand_like(T.ones(2, dtype=T.int64)),
    "randn_like_int": lambda T: T.randn_like(T.ones(2, dtype=T.int64)),
}


def _raised(call, module):
    try:
        call(module)
    except Exception as error:  # noqa: BLE001 - the error is what is compared
        text = str(error).replace("torch.", "engine.").split("\n\nInvalid combination")[0]
        return type(error).__name__, text
    return None


@pytest.mark.parametrize("name", sorted(BAD_CALLS))
def test_error_matches_torch(name):
    theirs = _raised(BAD_CALLS[name], torch)
    assert theirs is not None, "torch accepted this call: the case is wrong"
    assert _raised(BAD_CALLS[name], engine) == theirs
