"""Indexing: ``x[0]`` (select), ``x[1:3]`` (slice), ``x[None]``, ``x[mask]`` / ``x[[0, 2]]``
(index), and assignment ``x[key] = v`` (CopySlices, named as PyTorch names each kind of write)."""

from __future__ import annotations

import numpy as np

from .. import grad_mode
from ..function import Function, SavedValue, record
from ..tensor import LEAF_INPLACE_MESSAGE, VIEW_INPLACE_MESSAGE, Tensor
from .shape import Unsqueeze
from .unary import check_fits


def _as_view(x, where):
    """``x[where]`` as a view, even of one element (numpy would hand back a scalar copy)."""
    if not any(part is Ellipsis for part in where):
        where = tuple(where) + (Ellipsis,)
    return x[where]


class Select(Function):
    torch_name = "SelectBackward0"
    formulas = {"self": "select_backward_symint(grad, self.sym_sizes(), dim, index)"}
    is_view = True

    def forward(self, x, dim, index):
        self.shape, self.where = x.shape, (slice(None),) * dim + (index,)
        return _as_view(x, self.where)

    def backward(self, grad):
        out = np.zeros(self.shape, dtype=grad.dtype)
        out[self.where] = grad
        return out

    def jvp(self, t):
        return t[self.where]


class Slice(Select):
    torch_name = "SliceBackward0"
    formulas = {"self": "slice_backward_wrapper(grad, self.sym_sizes(), dim, start, end, step)"}

    def forward(self, x, dim, part):
        return super().forward(x, dim, part)


class AsStrided(Select):
    """The view ``base[key]`` regenerated after an in-place change through it."""

    torch_name = "AsStridedBackward0"
    formulas = {"self": "as_strided_backward(grad, ...)  # grad placed back where the view sits"}

    def forward(self, x, key):
        self.shape, self.where = x.shape, key
        return _as_view(x, key)


class Alias(Function):
    """``x[...]`` or ``x[:, :]``: a key that selects everything still gives a new view."""

    torch_name = "AliasBackward0"
    formulas = {"self": "grad"}
    is_view = True

    def forward(self, x):
        return x.view()

    def backward(self, grad):
        return grad

    def jvp(self, t):
        return t


class _SavesIndexTensors(Function):
    """A node that saves its index tensors as ``indices_0``, ``indices_1``, ...: named at run
    time, so looked up here (``grad_fn._saved_indices_0``) rather than by a class attribute."""

    def __getattr__(self, attr):
        if attr.startswith("_saved_indices_"):
            return SavedValue(attr[len("_saved_"):]).__get__(self)
        raise AttributeError(f"'{self.torch_name}' object has no attribute '{attr}'")


class Index(_SavesIndexTensors):
    torch_name = "IndexBackward0"
    formulas = {"self": "index_backward(grad.new_zeros_symint(self.sym_sizes()), indices, grad)"}

    def forward(self, x, key, index_tensors=()):
        self.shape, self.key = x.shape, key
        save_indices(self, key, index_tensors)
        return np.ascontiguousarray(x[key])  # numpy may lay it out otherwise; PyTorch does not

    def backward(self, grad):
        out = np.zeros(self.shape, dtype=grad.dtype)
        np.add.at(out, saved_indices(self), grad)  # repeated indices add up
        return out

    def jvp(self, t):
        return t[self.key]


def save_indices(node: Function, key, index_tensors):
    """Keep the index arrays as PyTorch keeps ``indices``: freed after backward, and checked
    against in-place changes of the tensors they came from."""
    node.save("indices", key)
    for number, tensor in enumerate(index_tensors):
        node.save(f"indices_{number}", tensor._data, tensor)


def saved_indices(node: Function):
    for name in node.saved_names:
        if name.startswith("indices_"):
            node.saved(name)  # raises if that index tensor was changed in place
    return node.saved("indices")


class CopySlices(_SavesIndexTensors):
    """``x[key] = value`` on a tensor in a graph: the old values there get no gradient, the
    value gets ``grad[key]`` (summed to its shape).

    PyTorch records the same write under a name that depends on the key (see ``NAMES``); the
    maths is the same. With advanced indices the indices are saved, so that a second backward
    finds them freed, as in PyTorch.
    """

    torch_name = "CopySlices"
    qualified_name = "engine::autograd::CopySlices"
    formulas = {"self": "grad with grad[key] = 0", "src": "grad[key]"}
    NAMES = {  # kind of write -> (torch_name, qualified_name)
        "view": ("CopySlices", "engine::autograd::CopySlices"),  # through a view: x[0] = v
        "index_put": ("IndexPutBackward0", ""),  # advanced indices only: x[[0, 2]] = v
        "copy": ("CopyBackwards", "engine::autograd::CopyBackwards"),  # x[...] = v, x[:] = v
        "fill": ("FillBackward3", ""),  # the same with a number or a 0-d value
    }

    def forward(self, x, value, key, kind="view", index_tensors=()):
        self.key, self.kept, self.value_ndim = key, None, value.ndim
        if kind != "view":
            self.torch_name, self.qualified_name = self.NAMES[kind]
        if any(isinstance(part, np.ndarray) for part in key):
            save_indices(self, key, index_tensors)
            self.kept = "indices"
        elif kind == "view":  # PyTorch's CopySlices keeps the op it wraps until backward frees it
            self.save("fn", key)
            self.kept = "fn"
        out = x.copy()
        _put(out, key, value)
        return out

    def _saved_key(self):  # raises once backward has freed what the node keeps
        if self.kept == "indices":
            return saved_indices(self)
        return self.saved("fn") if self.kept == "fn" else self.key

    def backward(self, grad):
        key = self._saved_key()
        to_self = np.array(grad, copy=True)
        _put(to_self, key, 0)
        to_value = region(grad, key)
        if self.value_ndim > to_value.ndim:  # a value with more leading 1s than its place
            to_value = to_value.reshape((1,) * (self.value_ndim - to_value.ndim) + to_value.shape)
        return to_self, to_value

    def jvp(self, t_self, t_value):
        out = np.zeros_like(self._fw_result) if t_self is None else t_self.copy()
        _put(out, self.key, 0 if t_value is None else t_value)
        return out


class _ViewKey(tuple):
    """Where the view ``x[key]`` sits in ``x``: an in-place change of the view writes there,
    always as CopySlices."""

    __slots__ = ()


def _numpy_index(item):
    if isinstance(item, Tensor):
        # PyTorch reads a 0-d index tensor's value at once (``x[t]`` is ``x[t.item()]``): a
        # later in-place change of ``t`` changes nothing, so a copy of that value is kept.
        return item._data.copy() if item._data.ndim == 0 else item._data
    if isinstance(item, list):
        array = np.asarray([_numpy_index(i) for i in item])
        return array if array.size else array.astype(np.int64)  # [] indexes nothing, as ints
    return item


def _is_advanced(item) -> bool:
    return isinstance(item, (Tensor, list, np.ndarray)) or (
        isinstance(item, bool)
    )


def numpy_key(key):
    parts = key if isinstance(key, tuple) else (key,)
    return tuple(_numpy_index(p) for p in parts)


def _check_bounds(index, size, dim):
    if not -size <= index < size:
        raise IndexError(f"index {index} is out of bounds for dimension {dim} with size {size}")


def split_key(ndim: int, np_key):
    """``(basic, advanced)``: PyTorch applies ints, slices, None and ``...`` first (a view), then
    the index arrays to that view (``advanced``, None when there are none). So an int between two
    index arrays does not count as one, as it would for numpy (which moves their dims first)."""
    def consumed(part):
        if part is None or part is Ellipsis or isinstance(part, bool):
            return 0
        return part.ndim if isinstance(part, np.ndarray) and part.dtype == np.bool_ else 1

    spare = ndim - sum(consumed(p) for p in np_key)
    basic, advanced, any_array = [], [], False
    for part in np_key:
        if isinstance(part, (np.ndarray, bool)):
            basic.extend([slice(None)] * consumed(part))
            advanced.append(part)
            any_array = True
        elif part is Ellipsis:
            basic.append(part)
            advanced.extend([slice(None)] * max(spare, 0))
        elif part is None or isinstance(part, slice):
            basic.append(part)
            advanced.append(slice(None))
        else:
            basic.append(part)
    return tuple(basic), (tuple(advanced) if any_array else None)


def region(array, np_key):
    """``array[key]`` read as PyTorch reads it (see ``split_key``), as a view where it can be."""
    basic, advanced = split_key(array.ndim, np_key)
    view = _as_view(array, basic)
    return view if advanced is None else view[advanced]


def _put(array, np_key, value):
    basic, advanced = split_key(array.ndim, np_key)
    view = _as_view(array, basic)
    view[Ellipsis if advanced is None else advanced] = value


def _basic_view(x: Tensor, parts) -> Tensor:
    """``x[parts]`` for ints, slices, None and ``...``: the views PyTorch records (Select, Slice,
    Unsqueeze), with its errors."""
    result = x
    dim = 0
    named = sum(1 for p in parts if p is not None and p is not Ellipsis)
    if named > x._data.ndim:
        raise IndexError(
            f"too many indices for tensor of dimension {x._data.ndim}"
        )
    for position, part in enumerate(parts):
        if part is Ellipsis:
            dim += x._data.ndim - named
        elif part is None:
            result = record(Unsqueeze, (result,), (result._data,), dim)
            dim += 1
        elif isinstance(part, slice):
            size = result._data.shape[dim]
            if part.step is not None and part.step <= 0:
                raise ValueError("step must be greater than zero")
            if not _whole(part, size):
                result = record(Slice, (result,), (result._data,), dim, part)
            dim += 1
        else:
            index = int(part)
            _check_bounds(index, result._data.shape[dim], position)  # PyTorch names the position
            result = record(Select, (result,), (result._data,), dim, index)
    return result


def getitem(x: Tensor, key):
    parts = key if isinstance(key, tuple) else (key,)
    if any(_is_advanced(p) for p in parts):
        basic, advanced = split_key(x._data.ndim, numpy_key(key))
        view = _basic_view(x, basic)
        _check_masks(view, advanced)
        if 0 in _place_shape(view._data.shape, advanced):  # nothing is read: no index checked
            advanced = _in_bounds(view._data.shape, advanced)
        else:
            _check_key(view, advanced)
        return record(Index, (view,), (view._data,), advanced, _index_tensors(parts))
    result = _basic_view(x, parts)
    if result is x:  # still a new view in PyTorch: x[:] slices, x[...] or x[:, :] is an alias
        if isinstance(key, slice):
            result = record(Slice, (x,), (x._data,), 0, key)
        else:
            result = record(Alias, (x,), (x._data,))
    if x._base is None:
        result._view_key = _ViewKey(numpy_key(key))  # an in-place change writes through to x
    return result


def _whole(part: slice, size: int) -> bool:
    """PyTorch skips a slice from 0 (or none) past the end with step 1; ``-n:`` still slices."""
    return part.start in (None, 0) and part.step in (None, 1) and (
        part.stop is None or part.stop >= size
    )


def _index_arrays(shape, np_key):
    """Each index array of ``np_key``: its position in the key, the array, the dim of ``shape``
    it starts at and its number among the index arrays."""
    named = sum(1 for p in np_key if p is not None and p is not Ellipsis)
    dim, number = 0, 0
    for position, part in enumerate(np_key):
        if part is Ellipsis:
            dim += len(shape) - named
        elif isinstance(part, np.ndarray):
            yield position, part, dim, number
            dim += part.ndim if part.dtype == np.bool_ and part.ndim else 1
            number += 1
        elif part is not None:
            dim += 1


def _check_masks(x: Tensor, np_key):
    shape = x._data.shape
    for _, part, dim, _ in _index_arrays(shape, np_key):
        if part.dtype == np.bool_ and part.ndim:
            for j, size in enumerate(part.shape):
                if dim + j < len(shape) and size != shape[dim + j]:
                    raise IndexError(
                        f"The shape of the mask {list(part.shape)} at index {j} does not match "
                        f"the shape of the indexed tensor {list(shape)} at index {dim + j}"
                    )


def _check_key(x: Tensor, np_key):
    """PyTorch's IndexErrors for index tensors: a mask of the wrong shape; an index out of
    bounds, named by its place among the index tensors ("dimension 0" for the first)."""
    _check_masks(x, np_key)
    shape = x._data.shape
    for _, part, dim, number in _index_arrays(shape, np_key):
        if part.dtype != np.bool_ and dim < len(shape):
            size = shape[dim]
            wrong = part[(part < -size) | (part >= size)]
            if wrong.size:
                raise IndexError(
                    f"index {wrong.flat[0]} is out of bounds for dimension {number} with size "
                    f"{size}"
                )
    try:
        x._data[np_key]
    except IndexError as error:
        raise IndexError(str(error).replace(" for axis ", " for dimension ")) from None


def _in_bounds(shape, np_key) -> tuple:
    """``np_key`` with every int index array made zeros (same shape, so the same result shape)
    where the dim has elements: for when PyTorch never reads the indices."""
    safe = list(np_key)
    for position, part, dim, _ in _index_arrays(shape, np_key):
        if part.dtype != np.bool_ and dim < len(shape) and shape[dim]:
            safe[position] = np.zeros_like(part)
    return tuple(safe)


def _place_shape(view_shape, index_arrays) -> tuple:
    """The shape ``view[index_arrays]`` has, even with indices out of bounds (PyTorch checks
    those last)."""
    dummy = np.broadcast_to(np.zeros((), dtype=bool), view_shape)
    return dummy[_in_bounds(view_shape, index_arrays)].shape


def _assignment_kind(x: Tensor, np_key) -> str:
    """How PyTorch records ``x[key] = v``: ``"whole"`` (copy_ or fill_ of x itself),
    ``"index_put"`` (advanced indices and nothing else) or ``"view"`` (into a view of x)."""
    shape = x._data.shape

    def consumed(part):  # how many dims of x a part indexes
        if part is None or part is Ellipsis or isinstance(part, bool):
            return 0
        is_mask = isinstance(part, np.ndarray) and part.dtype == np.bool_
        return part.ndim if is_mask else 1

    named = sum(consumed(p) for p in np_key)
    dim, plain, advanced = 0, True, False
    for part in np_key:
        if part is Ellipsis:
            dim += len(shape) - named
            continue
        if isinstance(part, slice):
            plain = plain and _whole(part, shape[dim])
        elif isinstance(part, np.ndarray) and consumed(part):
            advanced = True
        else:  # an int selects; None, True and a 0-d mask unsqueeze: views all
            plain = False
            advanced = advanced or isinstance(part, np.ndarray)
        dim += consumed(part)
    if advanced:
        return "index_put" if plain else "view"
    return "whole" if plain else "view"


def _strip_leading_ones(shape):
    while shape and shape[0] == 1:
        shape = shape[1:]
    return shape


def _check_value_shape(place, value_shape, advanced: bool, dtype):
    """PyTorch's errors for a value that does not fit the place it is written to."""
    stripped = _strip_leading_ones(tuple(value_shape))
    fits = len(stripped) <= len(place) and all(
        v in (1, p) for v, p in zip(reversed(stripped), reversed(place))
    )
    if fits:
        return
    if advanced:  # index_put_'s words, also when it writes into a view (x[0, [1, 2]] = v)
        raise RuntimeError(  # PyTorch names the value without its leading 1s
            f"shape mismatch: value tensor of shape {list(stripped)} cannot be broadcast to "
            f"indexing result of shape {list(place)}"
        )
    from .shape import expand

    expand(Tensor._make(np.zeros(stripped, dtype=dtype)), *place)  # raises its error


def _index_tensors(parts) -> tuple:
    """The index tensors whose in-place change fails backward: not 0-d ones (read at once)."""
    return tuple(p for p in parts if isinstance(p, Tensor) and p._data.ndim)


def _assign(target: Tensor, key, value, kind, index_tensors=()):
    if isinstance(value, Tensor):
        data = value._data.astype(target._data.dtype, copy=False)
        inputs = (target, value)
    else:
        data, inputs = np.asarray(value, dtype=target._data.dtype), (target, None)
    return record(CopySlices, inputs, (target._data, data), key, kind, index_tensors)


def _single_mask(np_key) -> bool:
    """One bool mask (not a 0-d one: PyTorch turns that into an int index) and no other arrays."""
    arrays = [p for p in np_key if isinstance(p, np.ndarray)]
    return len(arrays) == 1 and arrays[0].dtype == np.bool_ and arrays[0].ndim > 0


def _overlap(a: np.ndarray, b: np.ndarray) -> str:
    """PyTorch's get_overlap_status: "no", "full" (the same elements, laid out alike),
    "partial", or "too hard" (either is not dense: then nothing is refused)."""
    if a.size == 0 or b.size == 0 or not np.shares_memory(a, b):
        return "no"
    if not (_dense(a) and _dense(b)):
        return "too hard"
    same_start = a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
    if same_start and a.size == b.size:
        strides_a = [s for s, n in zip(a.strides, a.shape) if n != 1]
        strides_b = [s for s, n in zip(b.strides, b.shape) if n != 1]
        return "full" if strides_a == strides_b else "partial"
    return "partial"


def _dense(a: np.ndarray) -> bool:
    """Non-overlapping and dense: some order of the dims is contiguous."""
    expected = a.itemsize
    for stride, size in sorted((s, n) for s, n in zip(a.strides, a.shape) if n != 1):
        if stride != expected:
            return False
        expected *= size
    return True


def _check_overlap(x: Tensor, np_key, basic, value, place):
    """index_put_ refuses a value sharing memory with where it writes; copy_ only one that
    overlaps it partly (x[0] = x[0] is fine)."""
    if not isinstance(value, Tensor):
        return
    data = value._data
    if any(isinstance(p, (np.ndarray, bool)) for p in np_key):
        refused = _overlap(_as_view(x._data, basic), data) in ("full", "partial")
    elif data.ndim == 0 and place != ():
        return  # fill_
    else:
        stripped = _strip_leading_ones(data.shape)
        source = data if data.shape == place else np.broadcast_to(data.reshape(stripped), place)
        refused = _overlap(region(x._data, np_key), source) == "partial"
    if refused:
        raise RuntimeError(
            "unsupported operation: some elements of the input tensor and the written-to tensor "
            "refer to a single memory location. Please clone() the tensor before performing the "
            "operation."
        )


def _check_leaf_write(x: Tensor, through_view: bool):
    """PyTorch's refusal to write into a leaf that requires grad (or into a view of one)."""
    if not grad_mode.STATE.enabled:
        return
    if x.is_leaf and x.requires_grad:
        raise RuntimeError(VIEW_INPLACE_MESSAGE if through_view else LEAF_INPLACE_MESSAGE)
    base = x._base
    if base is not None and base.is_leaf and base.requires_grad:
        raise RuntimeError(VIEW_INPLACE_MESSAGE)


def setitem(x: Tensor, key, value):
    """``x[key] = value``, with PyTorch's checks in its order: index_put_ (index arrays) checks
    the leaf first, then sizes and dtypes; a copy into a view expands the value first."""
    from .. import dtypes

    if not isinstance(value, Tensor):  # PyTorch makes the number a tensor before anything else
        check_fits(value, x._data.dtype)
    np_key = numpy_key(key)
    basic, index_arrays = split_key(x._data.ndim, np_key)
    view = _basic_view(Tensor._make(x._data), basic)  # PyTorch's errors for the key
    kind = "view" if isinstance(key, _ViewKey) else _assignment_kind(x, np_key)
    value_data = value._data if isinstance(value, Tensor) else np.asarray(value)
    advanced = index_arrays is not None
    if advanced:
        _check_masks(view, index_arrays)
        place = _place_shape(view._data.shape, index_arrays)
        if 0 in place:  # nothing is written: no index is checked
            np_key = _in_bounds(x._data.shape, np_key)
            basic, index_arrays = split_key(x._data.ndim, np_key)
        _check_leaf_write(x, kind == "view")
    else:
        place = view._data.shape
    _check_value_shape(place, value_data.shape, advanced, value_data.dtype)
    if advanced and isinstance(value, Tensor) and value_data.dtype != x._data.dtype and not (
        value_data.size == 1 and _single_mask(np_key)  # then a masked_fill_, which casts
    ):
        raise RuntimeError(
            "Index put requires the source and destination dtypes match, got "
            f"{dtypes.from_numpy(x._data.dtype).short_name} for the destination and "
            f"{dtypes.from_numpy(value_data.dtype).short_name} for the source."
        )
    if advanced:
        _check_key(view, index_arrays)  # indices out of bounds: found last, by the kernel
    _check_overlap(x, np_key, basic, value, place)
    # PyTorch copy_s a value into its place, but fill_s it with a 0-d one (and, unlike copy_,
    # fill_ records a gradient even into an int or bool tensor).
    fills = value_data.ndim == 0 and place != () and not advanced
    if isinstance(value, Tensor) and x._data.dtype.kind != "f" and not fills:
        value = value.detach()
    if kind == "whole":
        kind = "fill" if fills else "copy"
    _check_leaf_write(x, kind == "view")
    parts = key if isinstance(key, tuple) else (key,)
    x._apply_inplace(_assign, np_key, value, kind, _index_tensors(parts))
