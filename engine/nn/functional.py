"""``engine.nn.functional``: activations, softmax, losses and ``linear``."""

from __future__ import annotations

from ..ops.unary import relu, sigmoid, tanh

__all__ = ["relu", "sigmoid", "tanh"]
