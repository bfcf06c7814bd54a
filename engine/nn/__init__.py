"""``engine.nn``: only ``functional`` for now."""

from . import functional

__all__ = ["functional"]
