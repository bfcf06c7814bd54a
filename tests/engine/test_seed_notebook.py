"""The seed notebook, cell by cell, with the engine standing in for torch.

The expected text is the notebook's own output (copied here so the tests stand alone), with
``torch.`` read as ``engine.``; only the random draws of ``rand`` differ.
"""

from __future__ import annotations

import numpy as np
import pytest

import engine as torch

EYE = """tensor([[1., 0., 0., 0., 0.],
        [0., 1., 0., 0., 0.],
        [0., 0., 1., 0., 0.],
        [0., 0., 0., 1., 0.]], requires_grad=True)
"""
OUT = """tensor([[4., 1., 1., 1.],
        [1., 4., 1., 1.],
        [1., 1., 4., 1.],
        [1., 1., 1., 4.],
        [1., 1., 1., 1.]], grad_fn=<TBackward0>)
"""
FIRST = """tensor([[4., 2., 2., 2., 2.],
        [2., 4., 2., 2., 2.],
        [2., 2., 4., 2., 2.],
        [2., 2., 2., 4., 2.]])"""
SECOND = """tensor([[8., 4., 4., 4., 4.],
        [4., 8., 4., 4., 4.],
        [4., 4., 8., 4., 4.],
        [4., 4., 4., 8., 4.]])"""
ZEROS = """tensor([[0., 0., 0., 0., 0.],
        [0., 0., 0., 0., 0.],
        [0., 0., 0., 0., 0.],
        [0., 0., 0., 0., 0.]])"""
RAND_ERROR = """rand() received an invalid combination of arguments - got (), but expected one of:
 * (tuple of ints size, *, engine.Generator generator, tuple of names names, engine.dtype dtype = None, engine.layout layout = None, engine.device device = None, bool pin_memory = False, bool requires_grad = False)
 * (tuple of ints size, *, engine.Generator generator, Tensor out = None, engine.dtype dtype = None, engine.layout layout = None, engine.device device = None, bool pin_memory = False, bool requires_grad = False)
 * (tuple of ints size, *, Tensor out = None, engine.dtype dtype = None, engine.layout layout = None, engine.device device = None, bool pin_memory = False, bool requires_grad = False)
 * (tuple of ints size, *, tuple of names names, engine.dtype dtype = None, engine.layout layout = None, engine.device device = None, bool pin_memory = False, bool requires_grad = False)
"""  # noqa: E501 - the notebook's own lines


@pytest.fixture
def jvp_cells():
    inp = torch.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    return inp, out


def test_eye_and_pipeline_print_as_in_the_notebook(capsys, jvp_cells):
    inp, out = jvp_cells
    print(inp)
    print(out)
    assert capsys.readouterr().out == EYE + OUT


def test_two_backward_calls_accumulate_then_zero(capsys, jvp_cells):
    inp, out = jvp_cells
    out.backward(torch.ones_like(out), retain_graph=True)
    assert repr(inp.grad) == FIRST
    print(f"First call\n{inp.grad}")
    out.backward(torch.ones_like(out), retain_graph=True)
    print(f"\nSecond call\n{inp.grad}")
    assert capsys.readouterr().out == f"First call\n{FIRST}\n\nSecond call\n{SECOND}\n"
    assert repr(inp.grad.zero_()) == ZEROS


def test_bce_with_logits_cell_leaves_input_grad_none(capsys):
    input = torch.tensor([2.0, 3.0])  # noqa: A001 - the notebook's name
    y = torch.tensor(1.0)
    w = torch.tensor([1.0, 0.1], requires_grad=True)
    b = torch.tensor(0.3, requires_grad=True)
    z = torch.dot(input, w) + b
    y_pred = torch.relu(z)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(y, y_pred)
    loss.backward()
    print(input.grad)
    assert capsys.readouterr().out == "None\n"
    assert w.grad.tolist() == [-2.0, -3.0]


def test_rand_without_size_raises_the_notebook_error():
    with pytest.raises(TypeError) as error:
        torch.rand()
    assert str(error.value) == RAND_ERROR


def test_matmul_plus_bias_cell(capsys):
    x = torch.ones([5, 5])
    print(x)
    w = torch.rand(5, 6, requires_grad=True)
    b = torch.zeros(6, requires_grad=True)
    print(b)
    z = x @ w + b
    print(z)
    lines = capsys.readouterr().out
    ones_row = "[1., 1., 1., 1., 1.]"
    assert lines.startswith("tensor([" + ones_row + ",\n        " + ones_row)
    assert "tensor([0., 0., 0., 0., 0., 0.], requires_grad=True)\n" in lines
    assert lines.endswith("]],\n       grad_fn=<AddBackward0>)\n")  # the suffix wraps as shown
    column_sums = w.detach().numpy().sum(axis=0)
    np.testing.assert_allclose(z.detach().numpy(), np.tile(column_sums, (5, 1)), rtol=1e-6)


def test_mean_example(capsys):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x**2
    z = y.mean()
    print(z)
    z.backward()
    print("gradients", x.grad)
    shown = repr(x.grad.zero_())
    assert capsys.readouterr().out == (
        "tensor(4.6667, grad_fn=<MeanBackward0>)\ngradients tensor([0.6667, 1.3333, 2.0000])\n"
    )
    assert shown == "tensor([0., 0., 0.])"


def test_detach_example(capsys):
    x = torch.tensor([1.8, 0.5, 0.9, 0.2], requires_grad=True)
    y = (x**2).mean()
    print("x value with grad -", x)
    y.backward()
    z = x.detach()
    print("z value after detach - separated from the computational graph - ", z)
    assert capsys.readouterr().out == (
        "x value with grad - tensor([1.8000, 0.5000, 0.9000, 0.2000], requires_grad=True)\n"
        "z value after detach - separated from the computational graph -  "
        "tensor([1.8000, 0.5000, 0.9000, 0.2000])\n"
    )
