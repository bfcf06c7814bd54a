"""Autograd behaviour against PyTorch: accumulation, retain_graph, in-place checks, non-leaf
grads, detach and no_grad. Each scenario runs the same code with both modules."""

from __future__ import annotations

import warnings

import pytest

from tests.engine.compare import assert_same_values, torch_repr

torch = pytest.importorskip("torch")
import engine  # noqa: E402


def outcome(scenario, module):
    """What a learner would see: printed results, or the error's type and message."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            shown = scenario(module)
            result = ("ok", _printed(shown))
        except Exception as error:  # noqa: BLE001 - the error is the outcome under test
            result = ("error", type(error).__name__, _engine_words(str(error)))
    messages = tuple(str(w.message).split(" (Triggered internally")[0] for w in caught)
    return result, messages


def _engine_words(text: str) -> str:
    return text.replace("torch.", "engine.").replace("torch::", "engine::")


def _printed(value):
    if isinstance(value, (list, tuple)):
        return [_printed(v) for v in value]
    if isinstance(value, str):
        return _engine_words(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return torch_repr(value) if hasattr(value, "grad_fn") and "torch" in type(value).__module__ \
        else repr(value)


def seed_chain_twice(T):
    inp = T.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    out.backward(T.ones_like(out), retain_graph=True)
    first = inp.grad.clone()
    out.backward(T.ones_like(out), retain_graph=True)
    return [first, inp.grad]


def second_backward_without_retain(T):
    inp = T.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    out.backward(T.ones_like(out))
    out.backward(T.ones_like(out))


def second_backward_nothing_saved(T):
    x = T.ones(3, requires_grad=True)
    y = (x + 2).t()
    y.sum().backward()
    y.sum().backward()
    return x.grad


def nonscalar_without_seed(T):
    x = T.ones(2, 2, requires_grad=True)
    (x * 2).backward()


def seed_shape_mismatch(T):
    x = T.ones(3, requires_grad=True)
    (x * 2).backward(T.ones(2))


def no_grad_output(T):
    T.ones(3).sum().backward()


def zero_then_backward(T):
    x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x ** 2).mean().backward()
    x.grad.zero_()
    (x ** 2).mean().backward()
    return x.grad


def grad_reference_updates_in_place(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    held = x.grad
    (x * 3).sum().backward()
    return [held, held is x.grad]


def nonleaf_grad_warns(T):
    x = T.ones(2, requires_grad=True)
    y = x * 2
    y.sum().backward()
    return y.grad


def retain_grad_nonleaf(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    (y * y).sum().backward()
    return [y.grad, x.grad, y.is_leaf, y.retains_grad]


def inplace_on_leaf(T):
    x = T.ones(3, requires_grad=True)
    x.add_(1)


def inplace_on_view_of_leaf(T):
    x = T.ones(3, requires_grad=True)
    x[0].mul_(2)


def inplace_after_save_output(T):
    x = T.ones(3, requires_grad=True)
    y = x.exp()
    y.add_(1)
    y.sum().backward()


def inplace_after_save_input(T):
    x = T.ones(3, requires_grad=True)
    y = x * 2
    z = y * y
    y.add_(1)
    z.sum().backward()


def inplace_not_saved_is_fine(T):
    x = T.ones(3, requires_grad=True)
    y = x * 2
    z = y + 1
    y.mul_(3)
    z.sum().backward()
    return [x.grad, y, y.grad_fn.name()]


def inplace_leaf_under_no_grad(T):
    x = T.ones(2, 3, dtype=T.float64, requires_grad=True)
    y = x.sin()
    with T.no_grad():
        x.mul_(2)
    y.sum().backward()


def inplace_leaf_under_no_grad_unsaved(T):
    x = T.ones(3, requires_grad=True)
    y = x * 5
    with T.no_grad():
        x.add_(1)
    y.sum().backward()
    return [x, x.grad]


def detach_shares_memory(T):
    x = T.tensor([1.8, 0.5, 0.9, 0.2], requires_grad=True)
    z = x.detach()
    z.add_(1)
    return [x, z, z.requires_grad, z.is_leaf]


def detach_cuts_graph(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y.detach() * x
    z.sum().backward()
    return x.grad


def no_grad_block(T):
    x = T.ones(2, requires_grad=True)
    with T.no_grad():
        y = x * 2
    return [y, y.requires_grad, y.grad_fn is None]


def set_grad_enabled_call(T):
    x = T.ones(2, requires_grad=True)
    T.set_grad_enabled(False)
    y = x * 2
    T.set_grad_enabled(True)
    z = x * 2
    return [y.requires_grad, z.requires_grad, T.is_grad_enabled()]


def int_requires_grad(T):
    T.tensor([1, 2], requires_grad=True)


def nonleaf_requires_grad_false(T):
    x = T.ones(2, requires_grad=True)
    (x * 2).requires_grad_(False)


def numpy_of_requires_grad(T):
    T.ones(2, requires_grad=True).numpy()


def item_of_many(T):
    T.ones(2).item()


def autograd_grad(T):
    x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = T.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = (x * w).sum()
    gx, gw = T.autograd.grad(y, [x, w])
    return [gx, gw, x.grad]


def autograd_grad_unused(T):
    x = T.ones(2, requires_grad=True)
    u = T.ones(2, requires_grad=True)
    T.autograd.grad((x * 2).sum(), [x, u])


def autograd_grad_allow_unused(T):
    x = T.ones(2, requires_grad=True)
    u = T.ones(2, requires_grad=True)
    return list(T.autograd.grad((x * 2).sum(), [x, u], allow_unused=True))


def backward_with_inputs(T):
    x = T.ones(2, requires_grad=True)
    w = T.ones(2, requires_grad=True)
    (x * w * 3).sum().backward(inputs=[w])
    return [x.grad, w.grad]


def grad_of_intermediate(T):
    x = T.ones(2, requires_grad=True)
    y = x * 3
    z = (y * y).sum()
    return list(T.autograd.grad(z, y))


def broadcast_grads(T):
    x = T.ones(5, 5)
    w = T.tensor([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6], [0.7, 0.8], [0.9, 1.0]],
                 requires_grad=True)
    b = T.zeros(2, requires_grad=True)
    (x @ w + b).sum().backward()
    return [w.grad, b.grad]


def grad_fn_next_functions(T):
    x = T.ones(2, requires_grad=True)
    y = (x + 1) * x.exp()
    names = []
    stack = [y.grad_fn]
    while stack:
        node = stack.pop()
        names.append(node.name())
        stack.extend(n for n, _ in node.next_functions if n is not None)
    return [names, len((x + 1).grad_fn.next_functions), (x + 1).grad_fn.next_functions[1]]


def setitem_in_graph(T):
    x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y[1] = 10.0
    y.sum().backward()
    return [y, x.grad]


def setitem_tensor_value(T):
    x = T.zeros(2, 3)
    v = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[0] = v * 2
    (x * x).sum().backward()
    return [x, v.grad]


def dtype_promotion(T):
    i = T.tensor([1, 2, 3])
    f = T.tensor([0.5, 1.5, 2.5])
    d = T.tensor(2.0, dtype=T.float64)
    return [i + 0.5, i * 2, i / 2, f + d, i + d, i > 1, (i > 1) + (i > 2), f.sum(), i.sum()]


def zero_grad_to_none(T):
    x = T.ones(2, requires_grad=True)
    (x * 2).sum().backward()
    x.grad = None
    (x * 3).sum().backward()
    return x.grad


def int_mean(T):
    T.tensor([1, 2]).mean()


def max_with_dim(T):
    x = T.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]], requires_grad=True)
    result = x.max(dim=1)
    result.values.sum().backward()
    return [result, x.grad]


def max_ties_share(T):
    x = T.tensor([3.0, 1.0, 3.0], requires_grad=True)
    x.max().backward()
    return x.grad


def nan_and_inf(T):
    x = T.tensor([0.0, -1.0, 2.0], requires_grad=True)
    y = x.log()
    z = 1 / x
    (y + z).sum().backward()
    return [y, z, x.grad]


SCENARIOS = [value for key, value in dict(globals()).items()
             if callable(value) and getattr(value, "__module__", None) == __name__
             and key not in {"outcome", "test_scenario_matches_torch"} and not key.startswith("_")]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_scenario_matches_torch(scenario):
    assert outcome(scenario, engine) == outcome(scenario, torch)


def test_seed_chain_grads():
    first, second = seed_chain_twice(engine)
    theirs = seed_chain_twice(torch)
    assert_same_values(first, theirs[0])
    assert_same_values(second, theirs[1])
    assert first.numpy()[0, 0] == 4 and second.numpy()[0, 0] == 8


def inplace_through_view_of_nonleaf(T):
    x = T.ones(2, 3, requires_grad=True)
    y = x * 2
    v = y[0]
    v.mul_(3)
    y[1] += 1
    y.sum().backward()
    return [y, v.grad_fn.name(), y.grad_fn.name(), x.grad]


def test_inplace_through_view_matches_torch():
    assert outcome(inplace_through_view_of_nonleaf, engine) == outcome(
        inplace_through_view_of_nonleaf, torch
    )


def format_zero_dim(T):
    loss = T.tensor(2.5, requires_grad=True) * 2
    return [f"{loss}", f"{T.tensor(3)}", f"{T.tensor(True)}", f"{loss:.2f}"]


def requires_grad_on_int(T):
    T.tensor([1, 2]).requires_grad_()


def cast_to_long_drops_grad(T):
    x = T.ones(2, requires_grad=True)
    return [x.long().requires_grad, x.long().grad_fn is None, x.double().grad_fn.name()]


@pytest.mark.parametrize(
    "scenario", [format_zero_dim, requires_grad_on_int, cast_to_long_drops_grad],
    ids=lambda f: f.__name__,
)
def test_reported_differences_match_torch(scenario):
    assert outcome(scenario, engine) == outcome(scenario, torch)


def zero_dim_results_are_arrays(T):
    a = T.tensor([1.0, 2.0])
    w = T.tensor([3.0, 4.0], requires_grad=True)
    total = (T.dot(a, w) + 1).detach()
    return [type(total.numpy()).__name__, total.numpy().shape, T.randn_like(T.tensor(1.0)).shape,
            T.allclose(a, a * 1.0000001), T.equal(a, a.clone()), T.equal(a, w.detach())]


def test_zero_dim_results_and_comparisons_match_torch():
    assert outcome(zero_dim_results_are_arrays, engine) == outcome(
        zero_dim_results_are_arrays, torch
    )


def inplace_twice_through_a_view(T):
    x = T.tensor([0.0, -1.5], requires_grad=True)
    base = x.abs()
    view = base[()]
    view.exp_()
    view.add_(0)
    base.backward(T.tensor([0.0, -1.5]), retain_graph=True)


def inplace_twice_on_nonleaf(T):
    x = T.tensor([0.5, 1.5], requires_grad=True)
    y = x * 2
    y.exp_()
    y.add_(1)
    y.sum().backward()


@pytest.mark.parametrize("scenario", [inplace_twice_through_a_view, inplace_twice_on_nonleaf],
                         ids=lambda f: f.__name__)
def test_inplace_after_inplace_saved_result_matches_torch(scenario):
    assert outcome(scenario, engine) == outcome(scenario, torch)


def test_the_same_output_given_twice_to_backward_sums_its_seeds_as_torch_does():
    def scenario(T):
        x = T.tensor([1.0, -2.0], requires_grad=True)
        y = x * 2
        T.autograd.backward([y, y], [T.tensor([1.0, 0.5]), T.tensor([3.0, 1.0])])
        return x.grad

    assert outcome(scenario, engine) == outcome(scenario, torch)
