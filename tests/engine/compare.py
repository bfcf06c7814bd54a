"""Helpers to run the same code in the engine and in PyTorch and compare what comes out."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

import engine


def to_numpy(value):
    """The values of an engine or torch tensor (or None) as a numpy array."""
    if value is None:
        return None
    if isinstance(value, engine.Tensor):
        return value.detach()._data
    return value.detach().numpy()


def assert_same_values(ours, theirs, rtol=1e-5, atol=1e-6):
    """Same shape, dtype name and values (nan where PyTorch has nan)."""
    if theirs is None or ours is None:
        assert ours is None and theirs is None, f"engine gave {ours!r}, torch gave {theirs!r}"
        return
    a, b = to_numpy(ours), to_numpy(theirs)
    assert a.shape == b.shape, f"shape {a.shape} != torch's {b.shape}"
    assert str(a.dtype) == str(b.dtype), f"dtype {a.dtype} != torch's {b.dtype}"
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)


def grad_fn_name(tensor):
    return None if tensor.grad_fn is None else tensor.grad_fn.name()


def torch_repr(value) -> str:
    """PyTorch's printed text with the module name ours uses."""
    return repr(value).replace("torch.", "engine.")


def same(scenario):
    """Run ``scenario(T)`` with the engine and with torch; compare what it returns: tensors
    (values, dtype, grad_fn name, requires_grad, is_leaf), their grads, or other values."""
    torch = importlib.import_module("torch")  # callers skip without torch
    ours, theirs = scenario(engine), scenario(torch)
    for mine, its in zip(ours, theirs, strict=True):
        if isinstance(its, torch.Tensor) or isinstance(mine, engine.Tensor):
            assert_same_values(mine, its, rtol=1e-6, atol=1e-7)
            assert grad_fn_name(mine) == _name(grad_fn_name(its))
            assert mine.requires_grad == its.requires_grad
            assert mine.is_leaf == its.is_leaf
        else:
            assert mine == its


def _name(text):
    return None if text is None else text.replace("torch", "engine")


def errors(call):
    """``call(T)`` must raise with both; the (type, message) pairs, "torch." read as "engine."."""
    messages = []
    for T in (engine, importlib.import_module("torch")):
        with pytest.raises(Exception) as info:
            call(T)
        messages.append((info.type, str(info.value).replace("torch.", "engine.")))
    return messages
