"""Helpers to run the same code in the engine and in PyTorch and compare what comes out."""

from __future__ import annotations

import numpy as np

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
