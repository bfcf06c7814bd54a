"""The engine's workloads, each with its references: PyTorch (when installed) and a numpy floor,
the same forward and backward written by hand with no graph at all."""

from __future__ import annotations

import numpy as np

CHAIN_LENGTH = 18


def seed_workload(T):
    """The seed notebook: (eye(4, 5) + 1).pow(2).t(), backward with ones_like."""
    inp = T.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    out.backward(T.ones_like(out))
    return inp.grad


def seed_numpy_floor():
    inp = np.eye(4, 5, dtype=np.float32)
    shifted = inp + 1
    out = (shifted ** 2).T
    grad_out = np.ones_like(out)
    return (grad_out.T * 2 * shifted)


def chain_workload(T, x_values):
    """An 18-op elementwise chain, forward and backward."""
    x = T.tensor(x_values, requires_grad=True)
    y = x
    for _ in range(CHAIN_LENGTH // 6):
        y = (y * 0.9 + 0.1).tanh()
        y = (y * y + 1).sqrt() - y.sigmoid()
    y.sum().backward()
    return x.grad


def chain_numpy_floor(x_values):
    """The same chain by hand: forward keeps what backward needs, backward applies the rules."""
    saved = []
    y = x_values
    for _ in range(CHAIN_LENGTH // 6):
        t = np.tanh(y * np.float32(0.9) + np.float32(0.1))
        r = np.sqrt(t * t + 1)
        s = 1 / (1 + np.exp(-t))
        saved.append((t, r, s))
        y = r - s
    grad = np.ones_like(y)
    for t, r, s in reversed(saved):
        grad_t = grad * t / r - grad * s * (1 - s)
        grad = grad_t * (1 - t * t) * np.float32(0.9)
    return grad


def layer_workload(T, x, w, b):
    """relu(x @ w + b).sum() forward and backward: three GEMMs."""
    xt = T.tensor(x, requires_grad=True)
    wt = T.tensor(w, requires_grad=True)
    bt = T.tensor(b, requires_grad=True)
    T.relu(xt @ wt + bt).sum().backward()
    return wt.grad


def layer_numpy_floor(x, w, b):
    z = x @ w + b
    mask = z > 0
    grad_z = mask.astype(x.dtype)
    return x.T @ grad_z, grad_z @ w.T, grad_z.sum(0)


def long_chain(T, length):
    x = T.ones(4, 5, requires_grad=True)
    y = x
    for _ in range(length):
        y = y * 1.0001
    y.sum().backward()
    return x.grad
