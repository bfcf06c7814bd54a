"""engine.nn.functional called with arguments of other dtypes, in place, under no_grad, and with
an option the engine refuses: results, graphs and reprs against PyTorch's."""

from __future__ import annotations

import pytest

import engine
from tests.engine.compare import assert_same_values, torch_repr
from tests.engine.test_functional import _call, graph


# -- arguments of other dtypes ---------------------------------------------------------------------
def _mse_float_double(F, T):
    return F.mse_loss(_grad(T.ones(2, 3)), T.zeros(2, 3, dtype=T.float64))


def _mse_long_target(F, T):
    return F.mse_loss(_grad(T.ones(3)), T.tensor([1, 2, 3]))


def _bcel_double_target(F, T):
    return F.binary_cross_entropy_with_logits(_grad(T.ones(3)), T.ones(3, dtype=T.float64))


def _bcel_float_target(F, T):
    logits = _grad(T.ones(3, dtype=T.float64))
    return F.binary_cross_entropy_with_logits(logits, T.tensor([0.0, 0.5, 1.0]))


def _bcel_long_weights(F, T):
    return F.binary_cross_entropy_with_logits(
        _grad(T.ones(3)), T.tensor([0.0, 0.5, 1.0]), T.tensor([1, 2, 3]),
        pos_weight=T.tensor([2, 2, 2]),
    )


def _bce_double_weight(F, T):
    weight = T.ones(2, dtype=T.float64)
    return F.binary_cross_entropy(_grad(T.tensor([0.25, 0.5])), T.tensor([0.0, 1.0]), weight)


def _ce_double_probabilities(F, T):
    return F.cross_entropy(_grad(T.ones(2, 3)), T.ones(2, 3, dtype=T.float64))


def _linear_double_bias_added(F, T):
    bias = T.tensor(2.0, dtype=T.float64)
    return F.linear(_grad(T.ones(2, 2, 3)), _grad(T.ones(4, 3)), bias)


MIXED = {f.__name__[1:]: f for f in (
    _mse_float_double, _mse_long_target, _bcel_double_target, _bcel_float_target,
    _bcel_long_weights, _bce_double_weight, _ce_double_probabilities, _linear_double_bias_added,
)}


def _grad(tensor):
    return tensor.requires_grad_(True)


@pytest.mark.parametrize("name", sorted(MIXED))
def test_mixed_dtypes_match_torch(name, torch):
    ours, theirs = (_call(module, MIXED[name], ()) for module in (engine, torch))
    assert_same_values(ours, theirs)
    assert graph(ours) == graph(theirs)
    assert repr(ours) == torch_repr(theirs)


def test_relu_in_place_matches_torch(torch):
    results = []
    for module in (engine, torch):
        x = module.tensor([-1.0, 0.5, 2.0], requires_grad=True)
        y = x * 2
        out = module.nn.functional.relu(y, inplace=True)
        assert out is y
        out.sum().backward()
        results.append((repr(out), repr(x.grad)))
    assert results[0] == tuple(torch_repr_text(text) for text in results[1])


def torch_repr_text(text):
    return text.replace("torch.", "engine.")


def test_weights_that_require_grad_are_accepted_under_no_grad(torch):
    outs = []
    for module in (engine, torch):
        F = module.nn.functional
        weight = module.tensor([1.0, 2.0], requires_grad=True)
        with module.no_grad():
            outs.append(F.binary_cross_entropy(module.tensor([0.5, 0.25]), module.ones(2), weight))
    assert repr(outs[0]) == torch_repr(outs[1])


def test_label_smoothing_is_refused_clearly():
    F = engine.nn.functional
    with pytest.raises(NotImplementedError, match="label_smoothing"):
        F.cross_entropy(engine.ones(2, 3), engine.tensor([0, 1]), label_smoothing=0.1)
