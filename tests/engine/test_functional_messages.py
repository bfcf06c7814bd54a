"""engine.nn.functional's errors and warnings against PyTorch's, word for word.

Each case is made twice, once with ``engine`` and once with ``torch`` (the ``torch`` fixture skips
without it); the exception type and text, the warning category, text and the line it points at
must be the same. A few key messages are also checked without torch.
"""

from __future__ import annotations

import warnings

import pytest

import engine


# -- errors and warnings, word for word ------------------------------------------------------------
def _bce(x, t, *args, **kwargs):
    return lambda F, T: F.binary_cross_entropy(T.tensor(x), T.tensor(t), *args, **kwargs)


def _bcel(make):
    return lambda F, T: F.binary_cross_entropy_with_logits(*make(T))


def _nll(make, name="nll_loss", **kwargs):
    return lambda F, T: getattr(F, name)(*make(T), **kwargs)


def _linear(make):
    return lambda F, T: F.linear(*make(T))


ERRORS = {
    "bce_input_above_one": _bce([0.5, 1.5], [1.0, 0.0]),
    "bce_input_negative": _bce([-0.5], [1.0]),
    "bce_input_nan": _bce([float("nan")], [1.0]),
    "bce_target_above_one": _bce([0.5], [1.5]),
    "bce_first_bad_element_decides": _bce([0.5, 1.5], [2.0, 0.5]),
    "bce_sizes": _bce([0.5, 0.2], [1.0]),
    "bce_reduction": _bce([0.5], [1.0], reduction="average"),
    "bce_dtypes": lambda F, T: F.binary_cross_entropy(T.ones(2), T.ones(2, dtype=T.float64)),
    "bce_long": lambda F, T: F.binary_cross_entropy(T.tensor([1]), T.tensor([1])),
    "bce_weight_shape": lambda F, T: F.binary_cross_entropy(T.ones(2), T.ones(2), T.ones(3)),
    "bce_weight_bigger": lambda F, T: F.binary_cross_entropy(T.ones(2), T.ones(2), T.ones(2, 1)),
    "bce_weight_requires_grad": (
        lambda F, T: F.binary_cross_entropy(T.ones(1), T.ones(1), T.ones(1, requires_grad=True))
    ),
    "bce_target_not_tensor": lambda F, T: F.binary_cross_entropy(T.ones(1), 1.0),
    "bcel_sizes": _bcel(lambda T: (T.ones(2), T.ones(1))),
    "bcel_long_input": _bcel(lambda T: (T.tensor([1]), T.tensor([1.0]))),
    "bcel_long_target": _bcel(lambda T: (T.ones(2, dtype=T.float64), T.tensor([1, 0]))),
    "bcel_bool_target": _bcel(lambda T: (T.ones(1), T.tensor([True]))),
    "bcel_weight_shape": _bcel(lambda T: (T.ones(2), T.ones(2), T.ones(3))),
    "bcel_weight_bigger": _bcel(lambda T: (T.ones(1, 1), T.ones(1, 1), T.ones(1, 1, 1))),
    "bcel_pos_weight_shape": _bcel(lambda T: (T.ones(2), T.ones(2), None, None, None, "mean",
                                              T.ones(3))),
    "bcel_pos_weight_first": _bcel(lambda T: (T.ones(2), T.tensor([1, 0]), T.ones(3), None, None,
                                              "mean", T.ones(4))),
    "bcel_weight_requires_grad": _bcel(lambda T: (T.ones(1), T.ones(1),
                                                  T.ones(1, requires_grad=True))),
    "bcel_pos_weight_requires_grad": _bcel(lambda T: (T.ones(1), T.ones(1), None, None, None,
                                                      "mean", T.ones(1, requires_grad=True))),
    "mse_shapes": lambda F, T: F.mse_loss(T.ones(2, 3), T.ones(4)),
    "mse_long": lambda F, T: F.mse_loss(T.tensor([1]), T.tensor([2])),
    "mse_bool": lambda F, T: F.mse_loss(T.tensor([True]), T.tensor([False])),
    "mse_reduction": lambda F, T: F.mse_loss(T.ones(2), T.ones(2), reduction="avg"),
    "mse_weight_size": lambda F, T: F.mse_loss(T.ones(2), T.ones(2), weight=T.ones(1)),
    "mse_weight_reduction": (
        lambda F, T: F.mse_loss(T.ones(2), T.ones(2), reduction="avg", weight=T.ones(2))
    ),
    "mse_target_list": lambda F, T: F.mse_loss(T.ones(2), [1.0, 2.0]),
    "softmax_dim_range": lambda F, T: F.softmax(T.ones(2, 3), 2),
    "softmax_dim_negative": lambda F, T: F.log_softmax(T.ones(2, 3), -3),
    "softmax_dim_tuple": lambda F, T: F.softmax(T.ones(2, 3), (0,)),
    "log_softmax_dim_float": lambda F, T: F.log_softmax(T.ones(2, 3), 0.5),
    "softmax_long_last": lambda F, T: F.softmax(T.tensor([1, 2]), 0),
    "softmax_long_inner": lambda F, T: F.softmax(T.tensor([[1, 2]]), 0),
    "log_softmax_bool": lambda F, T: F.log_softmax(T.tensor([[True]]), 1),
    "softmax_dtype_long": lambda F, T: F.softmax(T.ones(2), 0, dtype=T.int64),
    "softmax_list": lambda F, T: F.softmax([1.0, 2.0], 0),
    "nll_0d": _nll(lambda T: (T.tensor(1.0), T.tensor(1))),
    "nll_batch": _nll(lambda T: (T.ones(2, 3), T.tensor([1, 0, 1]))),
    "nll_batch_0d_target": _nll(lambda T: (T.ones(2, 3), T.tensor(1))),
    "nll_1d_target_size": _nll(lambda T: (T.ones(3), T.tensor([1, 0]))),
    "nll_multi_target": _nll(lambda T: (T.ones(2, 3), T.tensor([[1], [0]]))),
    "nll_weight_shape": _nll(lambda T: (T.ones(2, 3), T.tensor([1, 0]), T.ones(3, 1))),
    "nll_weight_dtype": _nll(lambda T: (T.ones(2, 3), T.tensor([5, 0]),
                                        T.ones(3, dtype=T.float64))),
    "nll_target_float": _nll(lambda T: (T.ones(2, 3), T.tensor([1.0, 0.0]))),
    "nll_target_bool": _nll(lambda T: (T.ones(2, 3), T.tensor([True, False]))),
    "nll_long_input": _nll(lambda T: (T.tensor([[1, 2, 3]]), T.tensor([5]))),
    "nll_out_of_bounds": _nll(lambda T: (T.ones(3, 3), T.tensor([1, 7, 5]))),
    "nll_negative_target": _nll(lambda T: (T.ones(2, 3), T.tensor([-1, 0]))),
    "nll_weight_requires_grad": _nll(lambda T: (T.ones(2, 3), T.tensor([1.0, 0.0]),
                                                T.ones(3, requires_grad=True))),
    "nll_4d_target_dims": _nll(lambda T: (T.ones(2, 3, 4, 5), T.zeros(2, 4, dtype=T.int64))),
    "nll_4d_target_size": _nll(lambda T: (T.ones(2, 3, 4, 5), T.zeros(2, 4, 4, dtype=T.int64))),
    "nll_4d_weight": _nll(lambda T: (T.ones(2, 3, 4, 5), T.zeros(2, 4, 5, dtype=T.int64),
                                     T.ones(2))),
    "nll_4d_out_of_bounds": _nll(lambda T: (T.ones(1, 3, 1, 2), T.tensor([[[0, 3]]]))),
    "nll_4d_long": _nll(lambda T: (T.zeros(1, 3, 1, 1, dtype=T.int64), T.tensor([[[0]]]))),
    "nll_4d_weight_requires_grad": _nll(lambda T: (T.ones(1, 3, 1, 1), T.tensor([[[0]]]),
                                                   T.ones(3, requires_grad=True))),
    "nll_3d_target_size": _nll(lambda T: (T.ones(2, 3, 4), T.zeros(2, 5, dtype=T.int64))),
    "nll_reduction": _nll(lambda T: (T.ones(2, 3), T.tensor([1, 0])), reduction="bad"),
    "ce_out_of_bounds": _nll(lambda T: (T.ones(2, 3), T.tensor([5, 0])), "cross_entropy"),
    "ce_batch": _nll(lambda T: (T.ones(2, 3), T.tensor([1])), "cross_entropy"),
    "ce_long_input": _nll(lambda T: (T.tensor([[1, 2]]), T.tensor([0])), "cross_entropy"),
    "ce_long_probabilities": _nll(lambda T: (T.ones(2), T.tensor([1, 0])), "cross_entropy"),
    "ce_0d": _nll(lambda T: (T.tensor(1.0), T.tensor(1.0)), "cross_entropy"),
    "ce_0d_input_index_target": _nll(lambda T: (T.tensor(1.0), T.tensor([1])), "cross_entropy"),
    "ce_probabilities_ignore_index": _nll(lambda T: (T.ones(2, 3), T.ones(2, 3)), "cross_entropy",
                                          ignore_index=1),
    "ce_probabilities_weight": _nll(lambda T: (T.ones(2, 3), T.ones(2, 3), T.ones(2)),
                                    "cross_entropy"),
    "ce_label_smoothing_range": _nll(lambda T: (T.ones(2, 3), T.tensor([1, 0])), "cross_entropy",
                                     label_smoothing=1.5),
    "ce_reduction": _nll(lambda T: (T.ones(2, 3), T.tensor([1, 0])), "cross_entropy",
                         reduction="bad"),
    "linear_0d": _linear(lambda T: (T.tensor(2.0), T.ones(4, 3))),
    "linear_shapes_bias": _linear(lambda T: (T.ones(2, 5), T.ones(4, 3), T.ones(4))),
    "linear_shapes_1d": _linear(lambda T: (T.ones(5), T.ones(4, 3))),
    "linear_shapes_3d": _linear(lambda T: (T.ones(2, 3, 5), T.ones(4, 3))),
    "linear_input_dtype": _linear(lambda T: (T.ones(2, 3, dtype=T.float64), T.ones(4, 3),
                                             T.ones(4))),
    "linear_bias_dtype": _linear(lambda T: (T.ones(2, 3), T.ones(4, 3),
                                            T.ones(4, dtype=T.float64))),
    "linear_mm_dtype": _linear(lambda T: (T.ones(2, 3), T.ones(4, 3, dtype=T.float64))),
    "linear_bias_shape": _linear(lambda T: (T.ones(2, 3), T.ones(4, 3), T.ones(3))),
    "linear_bias_dims": _linear(lambda T: (T.ones(2, 3), T.ones(4, 3), T.ones(1, 1, 4))),
    "linear_bias_bigger": _linear(lambda T: (T.ones(3), T.ones(4, 3), T.ones(2, 4))),
    "linear_bias_not_broadcast": _linear(lambda T: (T.ones(2, 2, 3), T.ones(4, 3), T.ones(2, 2))),
    "linear_vector_weight_bias": _linear(lambda T: (T.ones(2, 3), T.ones(3), T.tensor(1.0))),
    "linear_3d_weight": _linear(lambda T: (T.ones(2, 3), T.ones(2, 2, 3))),
}


def _raised(module, make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as info:
            make(module.nn.functional, module)
    return info.value


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_error_matches_torch(name, torch):
    ours, theirs = _raised(engine, ERRORS[name]), _raised(torch, ERRORS[name])
    assert type(ours) is type(theirs)
    assert str(ours) == str(theirs).replace("torch.", "engine.")


@pytest.mark.parametrize("name, kind, message", [
    ("bce_input_above_one", RuntimeError, "all elements of input should be between 0 and 1"),
    ("bce_target_above_one", RuntimeError, "all elements of target should be between 0 and 1"),
    ("nll_out_of_bounds", IndexError, "Target 7 is out of bounds."),
    ("ce_out_of_bounds", IndexError, "Target 5 is out of bounds."),
    ("bcel_sizes", ValueError,
     "Target size (engine.Size([1])) must be the same as input size (engine.Size([2]))"),
])
def test_key_errors_without_torch(name, kind, message):
    error = _raised(engine, ERRORS[name])
    assert type(error) is kind and str(error) == message


def _mse_size_warning(F, T):
    F.mse_loss(T.ones(2, 3), T.ones(3))


def _softmax_implicit_dim(F, T):
    F.softmax(T.ones(2, 3))


def _log_softmax_implicit_dim(F, T):
    F.log_softmax(T.ones(2, 2, 2))


def _legacy_size_average(F, T):
    F.binary_cross_entropy(T.tensor([0.5]), T.tensor([1.0]), size_average=False)


def _elementwise_mean(F, T):
    F.nll_loss(T.ones(2, 3), T.tensor([0, 1]), reduction="elementwise_mean")


@pytest.mark.parametrize("make, here", [
    (_mse_size_warning, True), (_softmax_implicit_dim, True), (_log_softmax_implicit_dim, True),
    (_legacy_size_average, False), (_elementwise_mean, False),
])
def test_warning_matches_torch(make, here, torch):
    caught = {}
    for module in (engine, torch):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            make(module.nn.functional, module)
        caught[module] = record
    assert [w.category for w in caught[engine]] == [w.category for w in caught[torch]]
    assert [str(w.message) for w in caught[engine]] == [
        str(w.message).replace("torch.", "engine.") for w in caught[torch]
    ]
    if here:  # both point at the caller's line
        assert {w.filename for w in caught[engine]} == {w.filename for w in caught[torch]}
