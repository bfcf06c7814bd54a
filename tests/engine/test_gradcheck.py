"""gradcheck, and every op's backward and forward-mode rules against central differences.

``OP_CASES`` (tests/engine/op_cases.py) exercises every ``Function`` subclass the engine defines
(a test here discovers them and fails when one is missing from the table).
The PyTorch comparisons skip when torch is not installed; the finite-difference checks never do.
"""

from __future__ import annotations

import importlib
import pkgutil
import warnings

import numpy as np
import pytest

import engine
import engine.ops
from engine.autograd import gradcheck
from engine.autograd.gradcheck import GradcheckError
from engine.function import AccumulateGrad, Function, record
from tests.engine.op_cases import KNOWN_WRONG_JVP, OP_CASES, bound, make_inputs


# -- every op: backward and forward rules agree with central differences ---------------------------
@pytest.mark.parametrize("name", sorted(OP_CASES))
def test_backward_rule_matches_finite_differences(name):
    case = OP_CASES[name]
    assert gradcheck(bound(case), make_inputs(case), **case.options)


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=pytest.mark.xfail(reason=KNOWN_WRONG_JVP[name], strict=True,
                                               raises=GradcheckError))
    if name in KNOWN_WRONG_JVP else name
    for name in sorted(OP_CASES)
])
def test_jvp_rule_matches_finite_differences(name):
    case = OP_CASES[name]
    assert gradcheck(bound(case), make_inputs(case), check_forward_ad=True,
                     check_backward_ad=False, **case.options)


def _all_function_classes():
    for module in pkgutil.iter_modules(engine.ops.__path__):
        importlib.import_module(f"engine.ops.{module.name}")
    found, stack = set(), [Function]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                stack.append(sub)
    # An op has a name of its own; bases that only share code (and Compare) keep Function's.
    return {cls for cls in found if cls.differentiable and cls is not AccumulateGrad
            and cls.__module__.startswith("engine.") and cls.torch_name != Function.torch_name}


def _recorded_classes(case):
    inputs = make_inputs(case)
    outputs = case.fn(engine, *inputs)
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    seen, stack = set(), [out.grad_fn for out in outputs if out.grad_fn is not None]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(child for child in node._edges if child is not None)
    return {type(node) for node in seen}


def test_the_table_covers_every_op_class():
    covered = set()
    for case in OP_CASES.values():
        covered |= _recorded_classes(case)
    missing = sorted(f"{cls.__module__}.{cls.__name__}" for cls in _all_function_classes()
                     - covered)
    assert not missing, f"ops without a finite-difference case in OP_CASES: {missing}"


def test_every_op_class_has_a_forward_rule():
    missing = sorted(cls.__name__ for cls in _all_function_classes()
                     if all("jvp" not in base.__dict__ for base in cls.__mro__[:-2]))
    assert not missing, f"ops without a jvp rule: {missing}"


# -- a deliberately wrong op is caught -------------------------------------------------------------
class WrongSquare(Function):
    """x * x whose backward and forward rules forget the factor 2."""

    torch_name = "WrongSquareBackward0"

    def forward(self, x):
        self.save_input("self", 0, x)
        return x * x

    def backward(self, grad):
        return grad * self.saved("self")

    def jvp(self, t):
        return t * self._fw_inputs[0]


def wrong_square(x):
    return record(WrongSquare, (x,), (x._data,))


def float64(values, requires_grad=True):
    return engine.tensor(values, dtype=engine.float64, requires_grad=requires_grad)


WRONG_MESSAGE = """Jacobian mismatch for output 0 with respect to input 0,
numerical:tensor([[2.0000, 0.0000],
        [0.0000, 4.0000]], dtype=engine.float64)
analytical:tensor([[1., 0.],
        [0., 2.]], dtype=engine.float64)
"""


def test_a_wrong_backward_raises_gradcheck_error_with_both_jacobians():
    with pytest.raises(GradcheckError) as info:
        gradcheck(wrong_square, (float64([1.0, 2.0]),))
    assert str(info.value) == WRONG_MESSAGE
    assert isinstance(info.value, RuntimeError)


def test_a_wrong_backward_returns_false_without_raise_exception():
    assert gradcheck(wrong_square, (float64([1.0, 2.0]),), raise_exception=False) is False


def test_a_wrong_forward_rule_is_caught_by_check_forward_ad():
    with pytest.raises(GradcheckError, match="Jacobian computed with forward mode mismatch"):
        gradcheck(lambda x: wrong_square(x) + 0, (float64([1.0, 2.0]),), check_forward_ad=True,
                  check_backward_ad=False)


def test_fast_mode_passes_good_ops_and_catches_the_wrong_one():
    x, y = float64([0.5, -1.0, 2.0]), float64([1.5, 0.3, -0.7])
    assert gradcheck(lambda a, b: (a * b).exp().sum(0), (x, y), fast_mode=True,
                     check_forward_ad=True)
    with pytest.raises(GradcheckError) as info:
        gradcheck(wrong_square, (float64([1.0, 2.0]),), fast_mode=True)
    assert "in fast mode" in str(info.value)
    assert "The max per-element difference (slow mode) is: 2.0000000001" in str(info.value)


def test_the_wrong_output_and_input_are_named():
    a, b = float64([1.0, 2.0]), float64([3.0, 4.0])
    with pytest.raises(GradcheckError, match="for output 1 with respect to input 0"):
        gradcheck(lambda p, q: (p * q, wrong_square(p * q)), (a, b))
    with pytest.raises(GradcheckError, match="for output 1 with respect to input 0"):
        gradcheck(lambda p, q: (p * q, wrong_square(q)), (float64([3.0, 4.0], False), a))


def test_a_backward_that_ignores_its_seed_is_caught():
    class Constant(WrongSquare):
        def backward(self, grad):  # right for a nonzero seed, but not zero for a zero one
            return grad * 2 * self.saved("self") if grad.any() else np.ones_like(grad)

    def square(x):
        return record(Constant, (x,), (x._data,))

    with pytest.raises(GradcheckError, match="backward not multiplied by grad_output"):
        gradcheck(lambda x: square(x).sum(), (float64([1.0, 2.0]),))


# -- inputs and outputs gradcheck refuses or warns about -------------------------------------------
def test_no_input_requiring_grad_is_a_value_error():
    with pytest.raises(ValueError, match="none of them have requires_grad=True"):
        gradcheck(lambda a: a.exp(), (float64([1.0], requires_grad=False),))


def test_single_precision_inputs_warn():
    with pytest.warns(UserWarning, match="Input #0 requires gradient and is not a double"):
        gradcheck(lambda a: a * 2, (engine.ones(2, requires_grad=True),), eps=1e-2,
                  raise_exception=False)


def test_double_precision_inputs_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gradcheck(lambda a, k: a * k, (float64([1.0, 2.0]), 3.0))


def test_overlapping_memory_is_refused():
    expanded = engine.ones(1, dtype=engine.float64).expand(3).requires_grad_()
    with pytest.raises(RuntimeError, match="The 0th input has a dimension with stride 0"):
        gradcheck(lambda a: a.exp(), (expanded,))


def test_outputs_without_grad_must_not_depend_on_the_input():
    x = float64([1.0, 2.0])
    assert gradcheck(lambda a: engine.ones(2, dtype=engine.float64), (x,))
    with pytest.raises(GradcheckError, match="Numerical gradient for function expected to be zero"):
        gradcheck(lambda a: a.detach() * 2, (x,))


def test_integer_outputs_are_skipped():
    assert gradcheck(lambda a: (a * 2, (a > 1).long()), (float64([1.0, 2.0]),))


def test_neither_mode_is_an_assertion_error():
    with pytest.raises(AssertionError, match="Expected at least one of check_forward_ad"):
        gradcheck(lambda a: a, (float64([1.0]),), check_backward_ad=False)


def test_the_inputs_are_left_as_they_were():
    x = float64([0.25, -0.5])
    before = x._data.copy()
    gradcheck(lambda a: a.sin(), (x,), check_forward_ad=True)
    gradcheck(lambda a: a.sin(), (x,), fast_mode=True)
    np.testing.assert_array_equal(x._data, before)
    assert x.grad is None


# -- the same text as PyTorch's --------------------------------------------------------------------
def test_messages_match_pytorch(torch):
    from torch.autograd.gradcheck import GradcheckError as TorchGradcheckError

    class TorchWrongSquare(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * x

    with pytest.raises(TorchGradcheckError) as theirs:
        torch.autograd.gradcheck(TorchWrongSquare.apply, (
            torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True),))
    with pytest.raises(GradcheckError) as ours:
        gradcheck(wrong_square, (float64([1.0, 2.0]),))
    assert str(ours.value) == str(theirs.value).replace("torch.", "engine.")

    calls = [
        lambda T: T.autograd.gradcheck(lambda a: a.exp(), (T.ones(2, dtype=T.float64),)),
        lambda T: T.autograd.gradcheck(
            lambda a: a.exp(), (T.ones(1, dtype=T.float64).expand(3).requires_grad_(),)),
        lambda T: T.autograd.gradcheck(lambda a: a, (T.ones(1, dtype=T.float64),),
                                       check_backward_ad=False),
    ]
    for call in calls:
        with pytest.raises(Exception) as theirs:
            call(torch)
        with pytest.raises(Exception) as ours:
            call(engine)
        assert type(ours.value) is type(theirs.value)
        assert str(ours.value) == str(theirs.value).replace("torch.", "engine.")


@pytest.mark.parametrize("name", ["exp", "mul", "max_dim", "batched_matmul", "setitem", "chain"])
def test_passes_where_pytorch_passes(torch, name):
    case = OP_CASES[name]
    ours = make_inputs(case)
    theirs = [torch.from_numpy(t._data.copy()).requires_grad_(t.requires_grad) for t in ours]
    assert torch.autograd.gradcheck(lambda *xs: case.fn(torch, *xs), theirs,
                                    check_forward_ad=True)
    assert gradcheck(bound(case), ours, check_forward_ad=True)
