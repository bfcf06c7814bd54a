"""The engine's op table as the session uses it, tolerant of an engine still being extended."""

from __future__ import annotations

from engine.op_table import OpSpec, inplace_table, op_table

_cache: dict[str, OpSpec] | None = None


def _missing_function(name: str):
    def missing(*args, **kwargs):
        raise NotImplementedError(f"engine.nn.functional.{name} is not available in this engine")

    missing.__name__ = name
    return missing


def op_specs() -> dict[str, OpSpec]:
    """Every op a step can use, by name.

    While ``engine.nn.functional`` is incomplete, ``op_table()`` cannot be built; rather than
    offer no ops at all, the missing functions stand in as ones that raise, so a step using one
    is shown as invalid with that message and every other op works.
    """
    global _cache
    if _cache is None:
        try:
            _cache = op_table()
        except AttributeError:
            import engine.nn.functional as functional

            names = ("softmax", "log_softmax", "linear", "mse_loss", "binary_cross_entropy",
                     "binary_cross_entropy_with_logits", "cross_entropy")
            added = [name for name in names if not hasattr(functional, name)]
            for name in added:
                setattr(functional, name, _missing_function(name))
            try:
                _cache = op_table()
            finally:  # the stand-ins live only in the table, not in engine.nn.functional
                for name in added:
                    delattr(functional, name)
    return _cache


def op_spec(name: str) -> OpSpec:
    """The op called ``name`` (in-place ones too); ``KeyError`` with a readable message when
    there is none."""
    spec = op_specs().get(name) or inplace_table().get(name)
    if spec is None:
        raise KeyError(f"unknown op {name!r}")
    return spec


def apply_op(spec: OpSpec, operands, params: dict):
    """``spec.apply``, except that shape-like parameters go positionally.

    ``OpSpec.apply`` passes every parameter by keyword, but ``reshape``, ``view``, ``permute``
    and ``expand`` take their sizes as ``*shape`` and refuse ``shape=(2, 3)``; torch accepts a
    tuple positionally, so that is what the session passes.
    """
    sizes = [p for p in spec.params if p.kind == "ints"]
    if not sizes or spec.variadic:
        return spec.apply(operands, params)
    values = {**spec.defaults(), **params}
    for param in sizes:
        if param.name not in values:
            raise TypeError(f"{spec.name}() missing required argument '{param.name}'")
    positional = [tuple(values.pop(p.name)) for p in sizes]
    return spec.func(*operands, *positional, **values)
