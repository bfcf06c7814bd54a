"""Every op the engine defines as a case: its inputs (float64, drawn away from kinks and ties) and
a call of it, for the finite-difference checks in test_gradcheck.py and the Jacobian checks in
test_autograd_functional.py. ``OP_CASES`` must name every ``Function`` subclass (a test there
discovers them and fails when one is missing)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import engine


# -- input makers: each takes a numpy Generator and returns the input arrays -----------------------
def normal(*shapes):
    return lambda rng: [rng.uniform(-1.5, 1.5, shape) for shape in shapes]


def positive(*shapes):
    return lambda rng: [rng.uniform(0.5, 2.0, shape) for shape in shapes]


def away_from(kinks, *shapes):
    """Values at least 0.1 from each kink (abs and relu at 0, clamp at its bounds)."""

    def make(rng):
        arrays = []
        for shape in shapes:
            values = rng.uniform(-1.5, 1.5, shape)
            for kink in kinks:
                close = np.abs(values - kink) < 0.1
                values[close] = kink + np.where(values[close] >= kink, 0.1, -0.1) * 2
            arrays.append(values)
        return arrays

    return make


def distinct(*shapes):
    """Entries at least 0.2 apart, so max/min have no ties."""

    def make(rng):
        arrays = []
        for shape in shapes:
            count = int(np.prod(shape))
            arrays.append((rng.permutation(count) * 0.2 - 0.1 * count).reshape(shape))
        return arrays

    return make


def apart(shape):
    """Two arrays that differ by at least 0.2 everywhere (maximum/minimum without ties)."""

    def make(rng):
        a = rng.uniform(-1.5, 1.5, shape)
        return [a, a + rng.choice([-1.0, 1.0], shape) * rng.uniform(0.2, 1.0, shape)]

    return make


@dataclass
class Case:
    """``fn(T, *inputs)`` on inputs from ``make``; ``constant`` inputs do not require grad."""

    fn: object
    make: object
    constant: tuple = ()
    options: dict = field(default_factory=dict)


def _fill(T, a):
    b = a * 2
    b.fill_(3.0)
    return b * a


def _zero(T, a):
    b = a * 2
    b.zero_()
    return b + a


def _setitem(T, a, b):
    x = a * 1
    x[0] = b
    return x


def _inplace_through_view(T, a):
    x = a * 1
    row = x[0]
    row.mul_(2)  # x's node becomes CopySlices, the view's AsStridedBackward0
    return row * 3 + x.sum()


def _inplace_exp(T, a):
    b = a * 1
    b.exp_()
    return b


# Coarse steps for the float32 round trip: eps=1e-6 is below float32's resolution.
FLOAT32_STEP = {"eps": 1e-2, "atol": 1e-4}

OP_CASES = {
    "neg": Case(lambda T, a: -a, normal((2, 3))),
    "abs": Case(lambda T, a: a.abs(), away_from([0.0], (2, 3))),
    "exp": Case(lambda T, a: a.exp(), normal((2, 3))),
    "exp_inplace": Case(_inplace_exp, normal((3,))),
    "log": Case(lambda T, a: a.log(), positive((2, 3))),
    "sqrt": Case(lambda T, a: a.sqrt(), positive((4,))),
    "sin": Case(lambda T, a: a.sin(), normal((3, 2))),
    "cos": Case(lambda T, a: T.cos(a), normal((3,))),
    "tanh": Case(lambda T, a: a.tanh(), normal((2, 2))),
    "sigmoid": Case(lambda T, a: T.sigmoid(a), normal((5,))),
    "relu": Case(lambda T, a: T.relu(a), away_from([0.0], (3, 3))),
    "clamp": Case(lambda T, a: a.clamp(-0.5, 0.5), away_from([-0.5, 0.5], (4, 4))),
    "clamp_min": Case(lambda T, a: a.clamp(min=0.1), away_from([0.1], (5,))),
    "clamp_tensors": Case(lambda T, a, lo, hi: a.clamp(lo, hi),
                          lambda rng: away_from([-0.5, 0.5], (6,))(rng) + [
                              np.full(6, -0.5), np.full(6, 0.5)]),
    "reciprocal": Case(lambda T, a: a.reciprocal(), positive((3,))),
    "clone": Case(lambda T, a: a.clone() * 2, normal((2, 2))),
    "to_float32": Case(lambda T, a: a.float().double() * 2, normal((3,)), options=FLOAT32_STEP),
    "fill": Case(_fill, normal((3,))),
    "zero": Case(_zero, normal((3,))),
    "add_broadcast": Case(lambda T, a, b: a + b, normal((3, 4), (4,))),
    "add_alpha": Case(lambda T, a, b: T.add(a, b, alpha=2), normal((2, 3), (2, 3))),
    "add_constant": Case(lambda T, a, b: a + b, normal((2, 3), (3,)), constant=(1,)),
    "sub": Case(lambda T, a, b: a - b, normal((2, 1), (1, 3))),
    "sub_alpha_constant": Case(lambda T, a, b: T.sub(a, b, alpha=3), normal((2,), (2,)),
                               constant=(0,)),
    "rsub": Case(lambda T, a: 1 - a, normal((4,))),
    "mul": Case(lambda T, a, b: a * b, normal((2, 3), (3,))),
    "mul_constant": Case(lambda T, a, b: a * b, normal((2, 3), (2, 3)), constant=(0,)),
    "div": Case(lambda T, a, b: a / b, positive((3, 2), (3, 2))),
    "div_constant": Case(lambda T, a, b: a / b, positive((3,), (3,)), constant=(1,)),
    "rdiv": Case(lambda T, a: 2 / a, positive((3,))),
    "pow_scalar": Case(lambda T, a: a.pow(3), normal((2, 3))),
    "pow_fraction": Case(lambda T, a: a ** 0.5, positive((3,))),
    "pow_tensor": Case(lambda T, a, b: a ** b, positive((2, 3), (3,))),
    "pow_tensor_constant": Case(lambda T, a, b: a ** b, positive((3,), (3,)), constant=(1,)),
    "rpow": Case(lambda T, a: 2 ** a, normal((3,))),
    "maximum": Case(lambda T, a, b: T.maximum(a, b), apart((3, 4))),
    "minimum": Case(lambda T, a, b: T.minimum(a, b), apart((3, 4))),
    "where": Case(lambda T, a, b: T.where(a > 0, a, b), away_from([0.0], (3, 4), (4,))),
    "where_constant": Case(lambda T, a, b: T.where(b > 0, a, b), normal((5,), (5,)),
                           constant=(1,)),
    "sum": Case(lambda T, a: a.sum(), normal((3, 4))),
    "sum_dim": Case(lambda T, a: a.sum(1), normal((3, 4))),
    "sum_dims_keepdim": Case(lambda T, a: a.sum((0, 2), keepdim=True), normal((2, 3, 2))),
    "mean": Case(lambda T, a: a.mean(), normal((3, 4))),
    "mean_dim": Case(lambda T, a: a.mean(0, keepdim=True), normal((3, 4))),
    "max": Case(lambda T, a: a.max(), distinct((3, 4))),
    "min": Case(lambda T, a: a.min(), distinct((3, 4))),
    "max_dim": Case(lambda T, a: a.max(1)[0], distinct((3, 4))),
    "min_dim_keepdim": Case(lambda T, a: a.min(0, keepdim=True)[0], distinct((3, 4))),
    "t": Case(lambda T, a: a.t(), normal((2, 3))),
    "transpose": Case(lambda T, a: a.transpose(0, 2), normal((2, 3, 4))),
    "permute": Case(lambda T, a: a.permute(2, 0, 1), normal((2, 3, 4))),
    "view": Case(lambda T, a: a.view(3, 2), normal((2, 3))),
    "reshape_copy": Case(lambda T, a: a.t().reshape(-1), normal((2, 3))),
    "squeeze": Case(lambda T, a: a.squeeze(), normal((1, 3, 1))),
    "squeeze_dim": Case(lambda T, a: a.squeeze(0), normal((1, 3))),
    "squeeze_dims": Case(lambda T, a: a.squeeze((0, 2)), normal((1, 3, 1))),
    "unsqueeze": Case(lambda T, a: a.unsqueeze(1), normal((3,))),
    "expand": Case(lambda T, a: a.expand(3, 4), normal((1, 4))),
    "cat": Case(lambda T, a, b: T.cat([a, b], 1), normal((2, 3), (2, 2))),
    "cat_constant": Case(lambda T, a, b: T.cat([a, b]), normal((2,), (3,)), constant=(1,)),
    "stack": Case(lambda T, a, b: T.stack([a, b], 1), normal((2, 3), (2, 3))),
    "stack_constant": Case(lambda T, a, b: T.stack([a, b]), normal((3,), (3,)), constant=(0,)),
    "select": Case(lambda T, a: a[1], normal((3, 4))),
    "slice": Case(lambda T, a: a[:, 1:3], normal((3, 4))),
    "alias": Case(lambda T, a: a[...] * 2, normal((2, 3))),
    "index_list": Case(lambda T, a: a[[0, 2, 0]], normal((3, 2))),
    "index_mask": Case(lambda T, a, b: a[b > 0], normal((6,), (6,)), constant=(1,)),
    "setitem": Case(_setitem, normal((3, 2), (2,))),
    "setitem_constant": Case(_setitem, normal((3, 2), (2,)), constant=(1,)),
    "inplace_through_view": Case(_inplace_through_view, normal((3, 2))),
    "mm": Case(lambda T, a, b: a @ b, normal((2, 3), (3, 4))),
    "mv": Case(lambda T, a, b: a @ b, normal((2, 3), (3,))),
    "dot": Case(lambda T, a, b: a @ b, normal((3,), (3,))),
    "vecmat": Case(lambda T, a, b: a @ b, normal((3,), (3, 2))),
    "batched_matmul": Case(lambda T, a, b: a @ b, normal((2, 3, 4), (4, 2))),
    "bmm": Case(lambda T, a, b: a @ b, normal((2, 3, 4), (2, 4, 2))),  # not folded: bmm
    "addmm": Case(lambda T, c, a, b: T.addmm(c, a, b), normal((2,), (2, 3), (3, 2))),
    "addmm_constant_bias": Case(lambda T, c, a, b: T.addmm(c, a, b), normal((2, 2), (2, 3), (3, 2)),
                                constant=(0,)),
    "outer": Case(lambda T, a, b: T.outer(a, b), normal((3,), (2,))),
    "chain": Case(lambda T, a, b: ((a @ b).tanh() * 2 - a.sum()).sigmoid().mean(1),
                  normal((2, 3), (3, 4))),
}


def probabilities(*shapes):
    return lambda rng: [rng.uniform(0.2, 0.8, shape) for shape in shapes]


def classes(count, *shapes):
    """Integer class indices (constant inputs: they never require grad)."""
    return lambda rng: [rng.integers(0, count, shape) for shape in shapes]


def joined(*makers):
    return lambda rng: [array for make in makers for array in make(rng)]


def _functional(name):
    return getattr(engine.nn.functional, name, None)


# The activations and losses are newer: each case joins the table when the engine has its function.
NN_CASES = {
    "softmax": ("softmax", Case(lambda T, a: T.nn.functional.softmax(a, 1), normal((2, 3)))),
    "log_softmax": ("log_softmax", Case(lambda T, a: T.nn.functional.log_softmax(a, 0),
                                        normal((3, 2)))),
    "mse_loss": ("mse_loss", Case(lambda T, a, b: T.nn.functional.mse_loss(a, b),
                                  normal((2, 3), (2, 3)))),
    "mse_loss_none_constant": ("mse_loss", Case(
        lambda T, a, b: T.nn.functional.mse_loss(a, b, reduction="none"), normal((4,), (4,)),
        constant=(1,))),
    "binary_cross_entropy": ("binary_cross_entropy", Case(
        lambda T, a, b: T.nn.functional.binary_cross_entropy(a, b),
        probabilities((2, 3), (2, 3)))),
    "binary_cross_entropy_with_logits": ("binary_cross_entropy_with_logits", Case(
        lambda T, a, b: T.nn.functional.binary_cross_entropy_with_logits(a, b, reduction="sum"),
        joined(normal((3, 2)), probabilities((3, 2))))),
    "nll_loss": ("nll_loss", Case(lambda T, a, t: T.nn.functional.nll_loss(a, t),
                                  joined(normal((4, 3)), classes(3, (4,))), constant=(1,))),
    "nll_loss_4d": ("nll_loss", Case(
        lambda T, a, t: T.nn.functional.nll_loss(a, t, reduction="sum"),
        joined(normal((2, 3, 2, 2)), classes(3, (2, 2, 2))), constant=(1,))),
    "cross_entropy": ("cross_entropy", Case(
        lambda T, a, t: T.nn.functional.cross_entropy(a, t),
        joined(normal((4, 3)), classes(3, (4,))), constant=(1,))),
    "cross_entropy_probabilities": ("cross_entropy", Case(
        lambda T, a, p: T.nn.functional.cross_entropy(a, p),
        joined(normal((2, 3)), probabilities((2, 3))))),
}
OP_CASES.update({name: case for name, (needs, case) in NN_CASES.items()
                 if hasattr(engine.nn.functional, needs)})

# Forward-mode rules known to be wrong, by case name with the reason: each such case is expected
# to fail (strictly: it fails the suite once the rule is fixed, so the entry gets removed).
KNOWN_WRONG_JVP: dict[str, str] = {}


def make_inputs(case, seed=0):
    rng = np.random.default_rng(seed)
    tensors = []
    for index, array in enumerate(case.make(rng)):
        array = np.asarray(array)
        dtype = np.int64 if array.dtype.kind in "iu" else np.float64
        tensor = engine.from_numpy(np.ascontiguousarray(array, dtype=dtype))
        tensors.append(tensor if index in case.constant else tensor.requires_grad_())
    return tensors


def bound(case):
    def func(*inputs):
        return case.fn(engine, *inputs)

    return func


def bound_to_variables(case, inputs):
    """``func`` of the inputs that may require grad, the constant ones (class indices) bound in;
    and those inputs."""
    variable = [i for i in range(len(inputs)) if i not in case.constant]

    def func(*values):
        args = list(inputs)
        for index, value in zip(variable, values):
            args[index] = value
        return case.fn(engine, *args)

    return func, tuple(inputs[i] for i in variable)
