"""How PyTorch reads an index key ``x[key]``, as two numpy keys, with its errors in its order.

PyTorch walks the key's parts left to right (``applySlicing``): an int, or a 0-d integer tensor,
selects; a slice slices; None adds a dim; a Python bool or a 0-d bool tensor adds a dim and
indexes it with ``[0]`` (True) or ``[]`` (False); ``...`` skips the dims the other parts leave.
That gives a view, "sliced". Index tensors (and lists, made tensors) are only noted, at the dim of
the view where they start, and applied to that view afterwards, all at once (``index``): masks
become their nonzero positions, the indices are broadcast together, then checked against the
sizes. So an int between two index tensors does not separate them, as it would in numpy.

``parse`` returns a ``Key``: ``basic`` (ints, slices and None: numpy's basic indexing of x gives
the sliced view) and ``advanced`` (None, or a tuple for that view of ``slice(None)`` and index
arrays: int64, or a bool mask spanning as many dims as it has).
"""

from __future__ import annotations

import warnings

import numpy as np

INVALID_INDEX = ("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
                 "are valid indices (got {})")
SEQUENCE_AS_TUPLE_WARNING = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed "
    "in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be "
    "interpreted as tensor index, x[torch.tensor(seq)], which will result either in an error or "
    "a different result"
)
ZERO_DIM_INDEX = ("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                  "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")


class Key:
    """``x[key]`` as PyTorch reads it: see the module docstring. ``tensors`` are the index
    tensors that backward checks for in-place changes (not 0-d ones: those are read at once)."""

    __slots__ = ("basic", "advanced", "tensors", "bare", "through_view")

    def __init__(self, basic, advanced=None, tensors=(), bare=None, through_view=False):
        self.basic, self.advanced, self.tensors = tuple(basic), advanced, tensors
        self.bare = bare  # a bare x[True] / x[False], which PyTorch writes without the walk
        self.through_view = through_view  # where the view x[key] sits: writes are CopySlices

    @property
    def is_plain(self) -> bool:
        """The sliced view is x itself: every part of ``basic`` is a slice that keeps all."""
        return all(isinstance(p, slice) and p == slice(None) for p in self.basic)

    def arrays(self):
        return [p for p in self.advanced or () if isinstance(p, np.ndarray)]


def _is_tensor(item) -> bool:
    return hasattr(item, "_data") and hasattr(item, "_grad_fn")


def _is_int(item) -> bool:
    return isinstance(item, (int, np.integer)) and not isinstance(item, (bool, np.bool_))


def _sequence_as_tuple(key) -> bool:
    """PyTorch's treatSequenceAsTuple: a list holding a tensor, list, slice, ... or None is read
    as a tuple of parts (deprecated), a plain list of numbers as one index tensor."""
    if isinstance(key, tuple):
        return True
    if not isinstance(key, list) or len(key) >= 32:
        return False
    return any(_is_tensor(i) or isinstance(i, (list, tuple, slice)) or i is Ellipsis or i is None
               for i in key)


def _parts(key) -> tuple:
    if isinstance(key, tuple):
        return key
    if _sequence_as_tuple(key):
        warnings.warn(SEQUENCE_AS_TUPLE_WARNING, UserWarning, stacklevel=4)
        return tuple(key)
    return (key,)


def _named_dims(part) -> int:
    """PyTorch's count_specified_dimensions, for one part."""
    if _is_tensor(part):
        return part._data.ndim if part._data.dtype == np.bool_ else 1
    return 0 if part is None or part is Ellipsis or isinstance(part, bool) else 1


def _sequence_array(items) -> np.ndarray:
    """A list used as an index, made a tensor as PyTorch makes it (empty: int64)."""
    array = np.asarray([i._data if _is_tensor(i) else i for i in items])
    if array.size == 0 or array.dtype.kind in "iu":
        return array.astype(np.int64)
    if array.dtype.kind not in "bf":
        raise TypeError(f"new(): invalid data type '{type(np.ravel(array)[0].item()).__name__}'")
    return array


def _index(part) -> int:
    try:
        return int(part.__index__())
    except (AttributeError, TypeError):
        raise IndexError(INVALID_INDEX.format(type(part).__name__)) from None


def _check_select(size, index, real_dim):
    if not -size <= index < size:
        raise IndexError(
            f"index {index} is out of bounds for dimension {real_dim} with size {size}")


def _check_slice(part: slice):
    if part.step is not None and _index(part.step) == 0:
        raise ValueError("slice step cannot be zero")
    if part.step is not None and part.step < 0:
        raise ValueError("step must be greater than zero")


def whole_slice(part: slice, size: int) -> bool:
    """PyTorch skips a slice from 0 (or none) past the end with step 1; ``-n:`` still slices."""
    return part.start in (None, 0) and part.step in (None, 1) and (
        part.stop is None or part.stop >= size
    )


def parse(shape, key) -> Key:
    """``Key`` for ``x[key]`` on a tensor of ``shape``; raises PyTorch's errors of the walk
    (out-of-range ints, too many indices, bad parts). Index tensors are checked by
    ``check_advanced`` once the view is known."""
    shape = tuple(shape)
    if key is False or key is True:
        return Key((None,), (_bool_index(key),), bare=key)
    if key is Ellipsis or isinstance(key, slice) or _is_int(key) or key is None:
        if not shape and key is not None and key is not Ellipsis:  # PyTorch's single-part paths
            if isinstance(key, slice):
                raise IndexError("slice() cannot be applied to a 0-dim tensor.")
            if int(key) == 0:
                raise IndexError(ZERO_DIM_INDEX)
            _check_select(0, int(key), 0)
    parts = _parts(key)
    named = sum(_named_dims(p) for p in parts)
    if named > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    sizes = list(shape)  # of the view so far, from ``dim`` on what is left of x
    basic, noted, tensors, dim = [], [], [], 0
    for position, part in enumerate(parts):
        if _is_tensor(part):
            data = part._data
            if data.ndim == 0 and data.dtype.kind in "iu":  # read now, as x[int(t)]
                part = int(data)
            elif data.ndim == 0 and data.dtype == np.bool_:
                part = bool(data)
            else:
                noted.append((dim, data))
                tensors.append(part)
                used = data.ndim if data.dtype == np.bool_ else 1
                basic.extend([slice(None)] * used)
                dim += used
                continue
        elif isinstance(part, (list, tuple)):
            array = _sequence_array(part)
            noted.append((dim, array))
            used = array.ndim if array.dtype == np.bool_ else 1
            basic.extend([slice(None)] * used)
            dim += used
            continue
        if isinstance(part, bool):
            basic.append(None)
            sizes.insert(dim, 1)
            noted.append((dim, _bool_index(part)))
            dim += 1
        elif part is None:
            basic.append(None)
            sizes.insert(dim, 1)
            dim += 1
        elif part is Ellipsis:
            skipped = len(shape) - named
            basic.extend([slice(None)] * skipped)
            dim += skipped
        elif isinstance(part, slice):
            _check_slice(part)
            basic.append(slice(None) if whole_slice(part, sizes[dim]) else part)
            sizes[dim] = len(range(*part.indices(sizes[dim])))
            dim += 1
        else:
            index = _index(part)
            _check_select(sizes[dim], index, position)
            basic.append(index)
            del sizes[dim]
    advanced = None
    if noted:
        advanced = [slice(None)] * len(sizes)
        for start, array in reversed(noted):  # a mask of k dims takes the place of k slices
            advanced[start:start + (array.ndim if array.dtype == np.bool_ else 1)] = [array]
        advanced = tuple(advanced)
    return Key(basic, advanced, tuple(tensors))


def _bool_index(flag: bool) -> np.ndarray:
    return np.zeros(1 if flag else 0, dtype=np.int64)


# -- the index tensors, applied to the sliced view ----------------------------------------------
def _noted(view_shape, advanced):
    """Each index array with the view dim it starts at."""
    dim = 0
    for part in advanced:
        if isinstance(part, np.ndarray):
            yield dim, part
            dim += part.ndim if part.dtype == np.bool_ else 1
        else:
            dim += 1


def check_masked_fill_mask(view_shape, advanced):
    """index_put_ of a one-element value first asks if it is a masked_fill_: that checks the
    shape of the first index tensor, if a mask, before anything else is looked at."""
    for dim, part in _noted(view_shape, advanced):
        if part.dtype == np.bool_:
            _check_mask_shape(view_shape, dim, part)
        return


def _check_mask_shape(view_shape, dim, part):
    for j, size in enumerate(part.shape):
        if dim + j >= len(view_shape) or size != view_shape[dim + j]:
            raise IndexError(
                f"The shape of the mask {list(part.shape)} at index {j} does not match the "
                f"shape of the indexed tensor {list(view_shape)} at index {dim + j}")


def check_types(advanced):
    for part in advanced:
        if isinstance(part, np.ndarray) and part.dtype.kind not in "biu":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")


_LAST = (None, None, None)  # (view_shape, advanced, expanded): the checks ask several times


def expanded(view_shape, advanced):
    """The index arrays as PyTorch's expandTensors leaves them: a mask becomes one int array per
    dim (its nonzero positions), checked against the view's sizes. ``[(dim, array), ...]``."""
    global _LAST
    last = _LAST
    if last[1] is advanced and last[0] == view_shape:
        return last[2]
    check_types(advanced)
    out = []
    for dim, part in _noted(view_shape, advanced):
        if part.dtype != np.bool_:
            out.append((dim, part))
            continue
        _check_mask_shape(view_shape, dim, part)
        out.extend((dim + j, positions) for j, positions in enumerate(np.nonzero(part)))
    _LAST = (view_shape, advanced, out)
    return out


def _index_shape(arrays) -> tuple:
    try:
        return tuple(np.broadcast_shapes(*(a.shape for _, a in arrays)))
    except ValueError:
        shapes = ", ".join(str(list(a.shape)) for _, a in arrays)
        raise IndexError(
            f"shape mismatch: indexing tensors could not be broadcast together with shapes "
            f"{shapes}") from None


def place_shape(view_shape, advanced) -> tuple:
    """The shape of ``view[advanced]``, found without reading any index; raises PyTorch's
    errors for index dtypes, masks and indices that cannot broadcast."""
    arrays = expanded(view_shape, advanced)
    index_shape = _index_shape(arrays)
    dims = [d for d, _ in arrays]
    rest = [n for d, n in enumerate(view_shape) if d not in dims]
    first = dims[0]
    if dims != list(range(first, first + len(dims))):  # not side by side: indexed dims go first
        return index_shape + tuple(rest)
    return tuple(rest[:first]) + index_shape + tuple(rest[first:])


def check_empty_dims(view_shape, advanced):
    """PyTorch refuses (before any value is looked at) to read an indexed dim of size 0."""
    arrays = expanded(view_shape, advanced)
    if any(view_shape[d] == 0 for d, _ in arrays) and 0 not in _index_shape(arrays):
        raise IndexError("index is out of bounds for dimension with size 0")


def check_bounds(view_shape, advanced):
    """PyTorch's checks of the index values, once the shape is known: an indexed dim of size 0
    that something would be read from; then, unless nothing is read, the first index out of
    range in the order the kernel reads them (element by element, each index in turn), named by
    its number among the indices."""
    check_empty_dims(view_shape, advanced)
    if 0 in place_shape(view_shape, advanced):
        return
    arrays = expanded(view_shape, advanced)
    sizes = [view_shape[d] for d, _ in arrays]
    if all(not a.size or (a.min() >= -n and a.max() < n) for (_, a), n in zip(arrays, sizes)):
        return  # the usual case, found without broadcasting
    values = np.broadcast_arrays(*(a for _, a in arrays))
    wrong = np.stack([(v < -n) | (v >= n) for v, n in zip(values, sizes)], axis=-1)
    if wrong.any():
        flat = wrong.reshape(-1, len(arrays))
        element = int(np.argmax(flat.any(axis=1)))
        number = int(np.argmax(flat[element]))
        value = values[number].reshape(-1)[element]
        raise IndexError(f"index {value} is out of bounds for dimension {number} with size "
                         f"{sizes[number]}")
