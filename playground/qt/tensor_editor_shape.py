"""Shapes for the tensor editor: which 2-D table shows a tensor, which element a cell is,
where a pasted block lands, and what a leaf becomes when its shape changes."""

from __future__ import annotations

import math

import numpy as np

from ..session.document import Leaf, TensorData
from ..session.runner import MAX_ELEMENTS

MAX_LITERAL = 250_000  # elements a leaf of typed-in values may have
SIZED_FACTORIES = ("zeros", "ones", "full", "rand", "randn")


def table_array(array: np.ndarray, index: tuple[int, ...] = ()) -> np.ndarray:
    """0-d → 1×1, 1-d → one row, 2-d as is, more → the slice ``array[index]``."""
    if array.ndim == 0:
        return array.reshape(1, 1)
    if array.ndim == 1:
        return array.reshape(1, -1)
    if array.ndim > 2:
        return array[tuple(index)] if len(index) == array.ndim - 2 else array.reshape(
            (-1,) + array.shape[-2:])[0]
    return array


def table_index(ndim: int, slice_index: tuple[int, ...], row: int, column: int):
    """The tensor index of table cell (row, column)."""
    if ndim == 0:
        return ()
    if ndim == 1:
        return (column,)
    return tuple(slice_index) + (row, column)


def block_into(values: np.ndarray, block: np.ndarray, slice_index, start) -> np.ndarray:
    """``values`` with ``block`` (2-D, parsed) written from table cell ``start``; a block that
    does not fit is refused. A column pasted into a vector is read as a row."""
    table = table_array(values, slice_index)
    if values.ndim <= 1 and block.shape[1] == 1 and block.shape[0] > 1:
        block = block.T
    if block.size == table.size and block.shape != table.shape and values.ndim <= 1:
        block = block.reshape(table.shape)
    rows, cols = block.shape
    r0, c0 = start if block.shape != table.shape else (0, 0)
    if r0 + rows > table.shape[0] or c0 + cols > table.shape[1]:
        room = f"{table.shape[0] - r0}×{table.shape[1] - c0}"
        raise ValueError(f"the block is {rows}×{cols} but from cell [{r0}, {c0}] only {room} fits")
    result = values.copy()
    target = table_array(result, slice_index)  # a view into result
    target[r0:r0 + rows, c0:c0 + cols] = block.astype(values.dtype)
    return result


def literal_leaf(leaf: Leaf, values: np.ndarray) -> Leaf:
    """``leaf`` as typed-in values (``torch.tensor([...])``), keeping name and requires_grad."""
    if values.size > MAX_LITERAL:
        raise ValueError(f"{values.size:,} typed-in values is too many (at most "
                         f"{MAX_LITERAL:,}); use a factory such as zeros or randn")
    data = TensorData.of(values)
    update = {"factory": "tensor", "values": data, "dtype": data.dtype, "like": None,
              "shape": ()}
    return Leaf.model_validate(leaf.model_copy(update=update).model_dump())


def reshaped_leaf(leaf: Leaf, values: np.ndarray | None, shape: tuple[int, ...]) -> Leaf:
    """The leaf with a new shape: factories keep their factory; typed-in values keep their
    order when the size is the same, else the overlapping block is kept and new cells are 0."""
    count = math.prod(shape)
    if count > MAX_ELEMENTS:
        raise ValueError(f"{count:,} elements is more than the playground's limit "
                         f"({MAX_ELEMENTS:,})")
    if leaf.like:
        raise ValueError(f"{leaf.name} takes its shape from {leaf.like}")
    if leaf.factory in SIZED_FACTORIES or (leaf.factory == "eye" and len(shape) == 2):
        return Leaf.model_validate(leaf.model_copy(update={"shape": shape}).model_dump())
    if values is None:
        raise ValueError(f"{leaf.name} has no values to reshape")
    if values.size == count:
        return literal_leaf(leaf, values.reshape(shape))
    resized = np.zeros(shape, dtype=values.dtype)
    if values.ndim == len(shape):
        overlap = tuple(slice(0, min(a, b)) for a, b in zip(values.shape, shape))
        resized[overlap] = values[overlap]
    else:
        flat = values.ravel()[:count]
        resized.ravel()[:flat.size] = flat
    return literal_leaf(leaf, resized)
