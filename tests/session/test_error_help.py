"""Every error a learner can meet gets its own plain explanation, not the generic fallback.

Each program below is run through the engine; the message it raises (or warns) must get the
named catalogue entry. Where torch is installed the same program runs under PyTorch too, and
its message must get the same entry: the matcher keys on PyTorch's wording, not only ours.
"""

from __future__ import annotations

import re
import string
import warnings

import pytest

import engine
from playground.session import Action, Document, Leaf, Session, Step
from playground.session.document import TensorData
from playground.session.error_help import GENERIC, entries, explain
from playground.session.model import SessionError
from playground.session.ops import apply_op, op_spec
from playground.session.text import error_text


def _second_backward(T):
    x = T.ones(2, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    y.backward()


def _inplace_saved(T):
    x = T.ones(2, requires_grad=True)
    y = x.exp()
    y.add_(1)
    y.sum().backward()


def _nonleaf_grad(T):
    x = T.ones(2, requires_grad=True)
    return (x * 2).grad


def _zero_none(T):
    T.ones(2, requires_grad=True).grad.zero_()


def _grad_of_unused(T):
    x, y = T.ones(2, requires_grad=True), T.ones(2, requires_grad=True)
    T.autograd.grad((x * 2).sum(), [y])


def _index_put_shape(T):
    x = T.zeros(2, 3)
    x[0] = T.ones(2)


def _bool_if(T):
    if T.ones(2) > 0:
        pass


def _F(T):
    return T.nn.functional


def _grad_assign(T):
    x = T.ones(2, requires_grad=True)
    x.grad = T.ones(3)


def _index_put_values(T):
    x = T.zeros(2, 3)
    x[T.tensor([0, 1])] = T.ones(3, 3)


def _index_put_dtype(T):
    x = T.zeros(2)
    x[T.tensor([0])] = T.tensor([True])


def _write_overlap(T):
    T.ones(3).expand(2, 3).add_(1)


# name -> (program, expected key)
PROGRAMS = {
    "second backward": (_second_backward, "second-backward"),
    "implicit grad": (lambda T: (T.ones(2, requires_grad=True) * 2).backward(), "implicit-grad"),
    "seed shape": (lambda T: (T.ones(2, 3, requires_grad=True) * 2).backward(T.ones(3, 2)),
                   "seed-shape"),
    "no grad_fn": (lambda T: (T.ones(2) * 2).sum().backward(), "no-grad-fn"),
    "in-place on saved": (_inplace_saved, "inplace-saved"),
    "in-place on leaf": (lambda T: T.ones(3, requires_grad=True).add_(1), "inplace-leaf"),
    "int requires_grad": (lambda T: T.tensor([1, 2], requires_grad=True), "int-requires-grad"),
    "int requires_grad_": (lambda T: T.tensor([1, 2]).requires_grad_(), "int-requires-grad"),
    "non-leaf requires_grad_": (
        lambda T: (T.ones(2, requires_grad=True) * 2).requires_grad_(False),
        "nonleaf-requires-grad"),
    "retain_grad without grad": (lambda T: T.ones(2).retain_grad(), "retain-grad-no-grad"),
    "non-leaf .grad warning": (_nonleaf_grad, "nonleaf-grad"),
    "grad of unused": (_grad_of_unused, "grad-of-unused"),
    "grad of non-grad input": (
        lambda T: T.autograd.grad((T.ones(2, requires_grad=True) * 2).sum(), [T.ones(2)]),
        "grad-input-no-grad"),
    "zero_ on None grad": (_zero_none, "zero-none"),
    "numpy requiring grad": (lambda T: T.ones(2, requires_grad=True).numpy(),
                             "numpy-requires-grad"),
    "matmul shapes": (lambda T: T.ones(2, 3) @ T.ones(2, 3), "matmul-shapes"),
    "linear shapes": (lambda T: _F(T).linear(T.ones(2, 3), T.ones(2, 2)), "matmul-shapes"),
    "mv sizes": (lambda T: T.ones(2, 3) @ T.ones(2), "mv-sizes"),
    "dot sizes": (lambda T: T.dot(T.ones(2), T.ones(3)), "dot-sizes"),
    "dot of matrices": (lambda T: T.dot(T.ones(2, 2), T.ones(2, 2)), "vectors-only"),
    "outer of matrices": (lambda T: T.outer(T.ones(2, 2), T.ones(2)), "vectors-only"),
    "matmul of 0-d": (lambda T: T.matmul(T.tensor(1.0), T.ones(2)), "matmul-0d"),
    "mm of vector": (lambda T: T.ones(2).mm(T.ones(2, 2)), "mm-matrix"),
    "broadcast": (lambda T: T.ones(2) + T.ones(3), "broadcast"),
    "broadcast 2-d": (lambda T: T.ones(2, 3) * T.ones(3, 2), "broadcast"),
    "expand size": (lambda T: T.ones(2, 3).expand(3, 3), "expand-size"),
    "expand count": (lambda T: T.ones(2, 3).expand(3), "expand-count"),
    "view of non-contiguous": (lambda T: T.ones(2, 3).t().view(6), "view-stride"),
    "reshape size": (lambda T: T.ones(2, 3).reshape(4), "reshape-size"),
    "view size": (lambda T: T.ones(2, 3).view(5), "reshape-size"),
    "two -1": (lambda T: T.ones(2, 3).reshape(-1, -1), "reshape-infer"),
    "dim out of range": (lambda T: T.ones(2).sum(2), "dim-range"),
    "squeeze dim": (lambda T: T.ones(2).squeeze(3), "dim-range"),
    "transpose dim": (lambda T: T.ones(2, 3).transpose(0, 2), "dim-range"),
    "t of 3-d": (lambda T: T.ones(2, 2, 2).t(), "t-3d"),
    "permute count": (lambda T: T.ones(2, 3).permute(0), "permute-dims"),
    "flatten args": (lambda T: T.ones(2, 3, 4).flatten(2, 1), "flatten-args"),
    "cat sizes": (lambda T: T.cat([T.ones(2, 3), T.ones(3, 2)]), "cat-sizes"),
    "cat ndim": (lambda T: T.cat([T.ones(2, 3), T.ones(3)]), "cat-ndim"),
    "cat 0-d": (lambda T: T.cat([T.ones(()), T.ones(())]), "cat-0d"),
    "stack sizes": (lambda T: T.stack([T.ones(2, 3), T.ones(3, 2)]), "stack-sizes"),
    "index bounds": (lambda T: T.ones(2, 3)[5], "index-bounds"),
    "too many indices": (lambda T: T.ones(2)[0, 0], "too-many-indices"),
    "index put shape": (_index_put_shape, "expand-size"),
    "max of empty": (lambda T: T.ones(0).max(), "empty-reduction"),
    "item of many": (lambda T: T.ones(2).item(), "item-many"),
    "bool of many": (_bool_if, "bool-ambiguous"),
    "len of 0-d": (lambda T: len(T.tensor(1.0)), "0d-length"),
    "matmul dtypes": (lambda T: T.ones(2, 2) @ T.ones(2, 2, dtype=T.float64), "matmul-dtype"),
    "mv dtypes": (lambda T: T.ones(2, 2) @ T.ones(2, dtype=T.float64), "dtype-mismatch"),
    "dot dtypes": (lambda T: T.dot(T.ones(2), T.ones(2, dtype=T.float64)), "dtype-mismatch"),
    "mse dtypes": (lambda T: _F(T).binary_cross_entropy(T.ones(2) / 2,
                                                         T.ones(2, dtype=T.float64)),
                   "loss-dtype"),
    "mean of ints": (lambda T: T.tensor([1, 2]).mean(), "mean-int"),
    "negate bool": (lambda T: -T.tensor([True]), "bool-minus"),
    "relu of bool": (lambda T: T.relu(T.tensor([True])), "bool-relu"),
    "int to negative power": (lambda T: T.tensor([2]) ** -1, "int-negative-power"),
    "in-place cast": (lambda T: T.tensor([1, 2]).add_(0.5), "inplace-cast"),
    "where of floats": (lambda T: T.where(T.ones(2), T.ones(2), T.ones(2)), "where-condition"),
    "clamp of nothing": (lambda T: T.ones(2).clamp(), "clamp-nothing"),
    "abs of bool": (lambda T: T.tensor([True]).abs(), "not-implemented-dtype"),
    "BCE input outside [0, 1]": (
        lambda T: _F(T).binary_cross_entropy(T.tensor([1.5]), T.tensor([1.0])), "bce-range"),
    "BCE arguments swapped": (
        lambda T: _F(T).binary_cross_entropy(T.tensor([0.5]), T.tensor([3.0])), "bce-range"),
    "cross_entropy float target": (
        lambda T: _F(T).cross_entropy(T.ones(2, 3), T.tensor([0.0, 1.0])), "ce-target-dtype"),
    "cross_entropy target bounds": (
        lambda T: _F(T).cross_entropy(T.ones(2, 3), T.tensor([0, 5])), "ce-target-bounds"),
    "cross_entropy batch": (
        lambda T: _F(T).cross_entropy(T.ones(2, 3), T.tensor([0, 1, 2])), "ce-target-size"),
    "BCE target size": (
        lambda T: _F(T).binary_cross_entropy(T.ones(2) / 2, T.ones(3) / 2), "loss-target-size"),
    "logits target size": (
        lambda T: _F(T).binary_cross_entropy_with_logits(T.ones(2), T.ones(3)),
        "loss-target-size"),
    "mse broadcast warning": (lambda T: _F(T).mse_loss(T.ones(2, 1), T.ones(2)),
                              "loss-target-broadcast"),
    "reduction": (lambda T: _F(T).mse_loss(T.ones(2), T.ones(2), reduction="all"),
                  "loss-reduction"),
    "softmax without dim": (lambda T: _F(T).softmax(T.ones(2, 2)), "softmax-dim"),
    "ragged list": (lambda T: T.tensor([[1, 2], [3]]), "ragged"),
    "tensor of text": (lambda T: T.tensor("abc"), "tensor-data"),
    "negative size": (lambda T: T.rand(-1), "negative-size"),
    "size of text": (lambda T: T.zeros("a"), "size-type"),
    "arange step": (lambda T: T.arange(0, 5, -1), "arange-step"),
    "add a string": (lambda T: T.ones(2).add("a"), "bad-operand"),
    "in-place on a leaf's view": (lambda T: T.ones(2, 2, requires_grad=True)[0].add_(1),
                                  "inplace-leaf-view"),
    "method of a None grad": (lambda T: T.ones(2, requires_grad=True).grad.sum(),
                              "none-attribute"),
    "assign a grad": (_grad_assign, "grad-assign"),
    "detach_ of a view": (lambda T: (T.ones(2, 2, requires_grad=True) * 1)[0].detach_(),
                          "detach-view"),
    "batched matmul": (lambda T: T.ones(2, 3, 4) @ T.ones(2, 3, 4), "batch-sizes"),
    "expand -1 in front": (lambda T: T.ones(2).expand(-1, 2), "expand-leading"),
    "reshape empty with -1": (lambda T: T.ones(0).reshape(-1, 0), "reshape-empty"),
    "mv of 0-d": (lambda T: T.ones(()).mv(T.ones(2)), "dim-of-0d"),
    "dim twice": (lambda T: T.ones(2, 2).sum((0, 0)), "dim-twice"),
    "mask shape": (lambda T: T.ones(2, 3)[T.tensor([True, False, True])], "mask-shape"),
    "index put values": (_index_put_values, "index-put-shape"),
    "index put dtype": (_index_put_dtype, "index-put-dtype"),
    "write overlap": (_write_overlap, "memory-overlap"),
    "negative step": (lambda T: T.ones(3)[::-1], "negative-step"),
    "index with a tensor": (lambda T: [1, 2, 3][T.ones(2, dtype=T.int64)], "index-from-tensor"),
    "nan into ints": (lambda T: T.zeros(2, dtype=T.int64).fill_(float("nan")), "int-overflow"),
    "cross_entropy long probabilities": (
        lambda T: _F(T).cross_entropy(T.ones(2, 3), T.tensor([[0, 1, 0], [1, 0, 0]])),
        "ce-probabilities"),
    "cross_entropy weight": (
        lambda T: _F(T).cross_entropy(T.ones(2, 3), T.tensor([0, 1]), weight=T.ones(2)),
        "ce-weight"),
    "BCE weight requiring grad": (
        lambda T: _F(T).binary_cross_entropy(T.ones(2) / 2, T.ones(2) / 2,
                                             weight=T.ones(2, requires_grad=True)),
        "not-differentiable"),
    "linspace steps": (lambda T: T.linspace(0, 1, -1), "linspace-steps"),
    "eye of -1": (lambda T: T.eye(-1), "negative-size"),
}

# PyTorch runs these; the engine says what it does not support yet.
ENGINE_ONLY = {
    "create_graph": (lambda T: T.autograd.grad((T.ones(2, requires_grad=True) ** 2).sum(),
                                               [T.ones(2, requires_grad=True)],
                                               create_graph=True), "create-graph"),
    "rounding_mode": (lambda T: T.div(T.ones(2), T.ones(2), rounding_mode="floor"),
                      "engine-missing"),
    "in-place on a transposed view": (
        lambda T: (T.ones(2, 2, requires_grad=True) * 1).t().add_(1), "inplace-view-engine"),
}

# Entries no program here reaches, and why.
NOT_DRIVEN = {
    "matmul-shapes-any": "a fallback for shape messages worded otherwise",
    "broadcast-inplace": "the engine words it as numpy does (reported as an engine gap)",
    "broadcast-any": "the engine's internal broadcast check for losses",
    "stack-empty": "the engine raises IndexError for stack([]) (reported as an engine gap)",
    "used-on-timeline": "worded by the Tensors panel (tests/qt/test_error_help.py)",
    "made-by-detach": "worded by the Tensors panel (tests/qt/test_error_help.py)",
    "no-values": "needs a leaf that cannot be made and a cell edit (tests/qt)",
    "not-a-tensor": "every op in the table returns a tensor",
}


def _message(program, module) -> str | None:
    """What the program raised (``RuntimeError: ...``), else the first warning's text."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            program(module)
        except Exception as error:  # noqa: BLE001 - the message is what is checked
            return error_text(error)
    return str(caught[0].message) if caught else None


@pytest.mark.parametrize("name", sorted(PROGRAMS) + sorted(ENGINE_ONLY))
def test_engine_message_gets_its_explanation(name):
    program, key = {**PROGRAMS, **ENGINE_ONLY}[name]
    message = _message(program, engine)
    assert message is not None, "the engine accepted this program"
    assert explain(message).key == key, message


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_torch_message_gets_the_same_explanation(name):
    torch = pytest.importorskip("torch")
    program, key = PROGRAMS[name]
    message = _message(program, torch)
    assert message is not None, "torch accepted this program: the case is wrong"
    assert explain(message).key == key, message


def _session_refusal(edit) -> str:
    session = Session(Document(leaves=(Leaf(name="x", factory="ones", shape=(2,)),),
                               steps=(Step(name="y", op="exp", operands=("x",)),)))
    with pytest.raises((SessionError, ValueError)) as raised:
        edit(session)
    return str(raised.value)


@pytest.mark.parametrize("edit, key", [
    (lambda s: s.remove_leaf("x"), "used-by"),
    (lambda s: s.rename("y", "x"), "name-taken"),
    (lambda s: s.rename("y", "2y"), "bad-name"),
    (lambda s: s.rename("y", "torch"), "reserved-name"),
    (lambda s: s.remove_step("z"), "no-such"),
    (lambda s: s.replace_leaf("x", Leaf(name="z", factory="ones", shape=(2,))),
     "replace-keeps-name"),
    (lambda s: s.replace_leaf("x", Leaf(name="x", factory="tensor", shape=(3,),
                                        values=TensorData(data=(1.0, 2.0), shape=(3,)))),
     "data-count"),
])
def test_session_refusals_get_their_explanation(edit, key):
    message = _session_refusal(edit)
    assert explain(message).key == key, message


def _outcome_error(leaves, steps=(), actions=()) -> str:
    session = Session(Document(leaves=leaves, steps=steps, actions=actions))
    outcome = session.outcomes[-1]
    return outcome.error or next(s.error for s in outcome.states.values() if s.error)


def test_session_size_limit_and_missing_tensor_are_explained():
    huge = _outcome_error((Leaf(name="big", factory="zeros", shape=(10**4, 10**4)),))
    assert explain(huge).key == "size-limit", huge
    assert "10000000" in explain(huge).explanation
    missing = _outcome_error((Leaf(name="x", factory="ones", shape=(2,), requires_grad=True),),
                             actions=(Action(kind="retain_grad", target="gone"),))
    assert explain(missing).key == "name-not-defined", missing
    assert "gone" in explain(missing).explanation


def test_missing_parameter_and_unknown_op_are_explained():
    with pytest.raises(TypeError) as raised:
        apply_op(op_spec("reshape"), [engine.ones(2)], {})
    assert explain(error_text(raised.value)).key == "missing-argument"
    unknown = _outcome_error((Leaf(name="x", factory="ones", shape=(2,)),),
                             (Step(name="y", op="no_such_op", operands=("x",)),))
    assert explain(unknown).key == "unknown-op", unknown


def test_every_entry_is_driven_by_a_program_or_says_why_not():
    driven = {key for _, key in [*PROGRAMS.values(), *ENGINE_ONLY.values()]}
    driven |= {"used-by", "name-taken", "bad-name", "reserved-name", "no-such",
               "replace-keeps-name", "data-count", "size-limit", "name-not-defined",
               "missing-argument", "unknown-op"}
    keys = {entry.key for entry in entries()}
    assert keys - driven == set(NOT_DRIVEN)


def test_unknown_messages_get_the_generic_help():
    assert explain("RuntimeError: something nobody has seen").key == GENERIC


def test_explanations_name_the_sizes_from_the_message():
    help_ = explain("RuntimeError: The size of tensor a (2) must match the size of tensor b (3) "
                    "at non-singleton dimension 0")
    assert "dimension 0 the sizes are 2 and 3" in help_.explanation


def test_every_entry_fills_from_its_own_groups_and_keys_are_unique():
    keys = [entry.key for entry in entries()]
    assert len(keys) == len(set(keys))
    for entry in entries():
        groups = set(re.compile(entry.pattern).groupindex)
        for text in (entry.explanation, entry.fix):
            fields = {f for _, f, _, _ in string.Formatter().parse(text) if f}
            assert fields <= groups, (entry.key, fields - groups)


def test_every_error_and_warning_of_every_lesson_is_explained():
    from playground.session.action_warnings import action_warnings
    from playground.session.lessons import lesson_names, load_lesson

    seen = set()
    for name in lesson_names():
        session = Session(load_lesson(name))
        for outcome in session.outcomes:
            messages = [outcome.error] if outcome.error else []
            messages += [state.error for state in outcome.states.values() if state.error]
            messages += action_warnings(session, outcome)
            for message in messages:
                key = explain(message).key
                assert key != GENERIC, (name, message)
                seen.add(key)
    assert {"second-backward", "nonleaf-grad"} <= seen  # the lessons do meet these


def test_errors_of_random_sessions_all_get_specific_help():
    import random

    from playground.session.action_warnings import action_warnings
    from tests.session.test_random_inplace_sessions import inplace_document
    from tests.session.test_random_sessions import random_document

    for make in (random_document, inplace_document):
        for seed in range(150):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                session = Session(make(random.Random(seed)))
            for outcome in session.outcomes:
                messages = [outcome.error] if outcome.error else []
                messages += [state.error for state in outcome.states.values() if state.error]
                messages += action_warnings(session, outcome)
                for message in messages:
                    assert explain(message).key != GENERIC, message
