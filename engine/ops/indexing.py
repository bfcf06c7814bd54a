"""Indexing: ``x[0]`` (select), ``x[1:3]`` (slice), ``x[None]``, ``x[mask]`` / ``x[[0, 2]]``
(index), and assignment ``x[key] = v`` (CopySlices, named as PyTorch names each kind of write)."""

from __future__ import annotations

import numpy as np

from .. import grad_mode
from ..function import Function, SavedValue, record
from ..tensor import LEAF_INPLACE_MESSAGE, VIEW_INPLACE_MESSAGE, Tensor
from .index_key import (
    Key,
    check_bounds,
    check_empty_dims,
    check_masked_fill_mask,
    check_types,
    parse,
    place_shape,
    whole_slice,
)
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

    def forward(self, x, key: Key):
        self.shape, self.where = x.shape, key.basic
        return _as_view(x, key.basic)


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

    def forward(self, x, key, index_tensors=(), place=None):
        self.shape, self.key, self.place = x.shape, key, place
        save_indices(self, key, index_tensors)
        if 0 in place:  # nothing is read (numpy might still look at the indices)
            return np.zeros(place, dtype=x.dtype)
        return np.ascontiguousarray(x[key])  # numpy may lay it out otherwise; PyTorch does not

    def backward(self, grad):
        out = np.zeros(self.shape, dtype=grad.dtype)
        key = saved_indices(self)
        if grad.size:
            np.add.at(out, key, grad)  # repeated indices add up
        return out

    def jvp(self, t):
        return np.zeros(self.place, dtype=t.dtype) if 0 in self.place else t[self.key]


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
        if key.advanced is not None:
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


def region(array, key: Key):
    """``array[key]`` read as PyTorch reads it (see ``index_key``), as a view where it can be."""
    view = _as_view(array, key.basic)
    if key.advanced is None:
        return view
    place = place_shape(view.shape, key.advanced)
    return np.zeros(place, dtype=array.dtype) if 0 in place else view[key.advanced]


def _put(array, key: Key, value):
    view = _as_view(array, key.basic)
    if key.advanced is None:
        view[...] = value
    else:
        place = place_shape(view.shape, key.advanced)
        if 0 not in place:  # else nothing is written
            value = np.asarray(value)  # numpy wants it the place's shape: drop leading 1s
            view[key.advanced] = np.broadcast_to(
                value.reshape(_strip_leading_ones(value.shape)), place)


def _basic_view(x: Tensor, basic) -> Tensor:
    """``x[basic]`` for ints, slices and None, as the views PyTorch records (Select, Slice,
    Unsqueeze); ``parse`` has checked the key."""
    result, dim = x, 0
    for part in basic:
        if part is None:
            result = record(Unsqueeze, (result,), (result._data,), dim)
            dim += 1
        elif isinstance(part, slice):
            if not whole_slice(part, result._data.shape[dim]):
                result = record(Slice, (result,), (result._data,), dim, part)
            dim += 1
        else:
            result = record(Select, (result,), (result._data,), dim, part)
    return result


def getitem(x: Tensor, key):
    parsed = parse(x._data.shape, key)
    view = _basic_view(x, parsed.basic)
    if parsed.advanced is not None:
        place = place_shape(view._data.shape, parsed.advanced)  # errors of the index tensors
        check_bounds(view._data.shape, parsed.advanced)
        return record(Index, (view,), (view._data,), parsed.advanced, parsed.tensors, place)
    result = view
    if result is x:  # still a new view in PyTorch: x[:] slices, x[...] or x[:, :] is an alias
        if isinstance(key, slice):
            result = record(Slice, (x,), (x._data,), 0, key)
        else:
            result = record(Alias, (x,), (x._data,))
    if x._base is None:  # an in-place change of the view writes through to x, as CopySlices
        result._view_key = Key(parsed.basic, through_view=True)
    return result


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


def _assign(target: Tensor, key, value, kind, index_tensors=()):
    if isinstance(value, Tensor):
        data = value._data.astype(target._data.dtype, copy=False)
        inputs = (target, value)
    else:
        data, inputs = np.asarray(value, dtype=target._data.dtype), (target, None)
    return record(CopySlices, inputs, (target._data, data), key, kind, index_tensors)


def _single_mask(key: Key) -> bool:
    """One bool mask (not a 0-d one: PyTorch turns that into an int index) and no other arrays."""
    arrays = key.arrays()
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


def _check_overlap(x: Tensor, key: Key, value, place):
    """index_put_ refuses a value sharing memory with where it writes; copy_ only one that
    overlaps it partly (x[0] = x[0] is fine)."""
    if not isinstance(value, Tensor):
        return
    data = value._data
    if key.advanced is not None:
        refused = _overlap(_as_view(x._data, key.basic), data) in ("full", "partial")
    elif data.ndim == 0 and place != ():
        return  # fill_
    else:
        stripped = _strip_leading_ones(data.shape)
        source = data if data.shape == place else np.broadcast_to(data.reshape(stripped), place)
        refused = _overlap(region(x._data, key), source) == "partial"
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
    if x.is_leaf and x.requires_grad:  # (a leaf may itself be a view: x = y.reshape(...))
        through_view = through_view or x._base is not None
        raise RuntimeError(VIEW_INPLACE_MESSAGE if through_view else LEAF_INPLACE_MESSAGE)
    base = x._base
    if base is not None and base.is_leaf and base.requires_grad:
        raise RuntimeError(VIEW_INPLACE_MESSAGE)


def _kind(key: Key) -> str:
    """How PyTorch records ``x[key] = v``: ``"whole"`` (copy_ or fill_ of x itself),
    ``"index_put"`` (index tensors on x itself) or ``"view"`` (into a view of x: CopySlices)."""
    if key.through_view or not key.is_plain:
        return "view"
    return "whole" if key.advanced is None else "index_put"


def setitem(x: Tensor, key, value):
    """``x[key] = value``, with PyTorch's checks in its order: index_put_ (index arrays) checks
    the leaf first, then sizes and dtypes; a copy into a view expands the value first."""
    from .. import dtypes

    if not isinstance(value, Tensor):  # PyTorch makes the number a tensor before anything else
        check_fits(value, x._data.dtype)
    if key is False:  # PyTorch writes nothing, and checks nothing, for a bare x[False] = v
        return
    parsed = key if isinstance(key, Key) else parse(x._data.shape, key)
    if parsed.bare is True:  # copied into x.unsqueeze(0), with no index tensor
        parsed = Key(parsed.basic)
    kind = _kind(parsed)
    if kind == "view" and x._data.dtype.kind != "f" and x.requires_grad and (
            grad_mode.STATE.enabled):  # an int tensor a write put in the graph: the view the
        raise RuntimeError("Autograd not support dtype: "  # write goes through is refused
                           + dtypes.from_numpy(x._data.dtype).short_name)
    view_shape = _as_view(x._data, parsed.basic).shape
    value_data = value._data if isinstance(value, Tensor) else np.asarray(value)
    advanced = parsed.advanced is not None
    if advanced:  # index_put_ refuses a leaf before it looks at the indices
        _check_leaf_write(x, kind == "view")
        if value_data.size == 1:
            check_masked_fill_mask(view_shape, parsed.advanced)
        check_types(parsed.advanced)
        place = place_shape(view_shape, parsed.advanced)
        check_empty_dims(view_shape, parsed.advanced)
    else:
        place = view_shape
    _check_value_shape(place, value_data.shape, advanced, value_data.dtype)
    if advanced and isinstance(value, Tensor) and value_data.dtype != x._data.dtype and not (
        value_data.size == 1 and _single_mask(parsed)  # then a masked_fill_, which casts
    ):
        raise RuntimeError(
            "Index put requires the source and destination dtypes match, got "
            f"{dtypes.from_numpy(x._data.dtype).short_name} for the destination and "
            f"{dtypes.from_numpy(value_data.dtype).short_name} for the source."
        )
    if advanced:
        check_bounds(view_shape, parsed.advanced)  # indices out of range: found last, by the kernel
    _check_overlap(x, parsed, value, place)
    # PyTorch copy_s a value into its place, but fill_s it with a 0-d one (and, unlike copy_,
    # fill_ records a gradient even into an int or bool tensor, and so does index_put_ when it
    # is a masked_fill_ of a one-element value of another dtype).
    fills = value_data.ndim == 0 and place != () and not advanced
    masked_fill = advanced and value_data.size == 1 and _single_mask(parsed)
    if isinstance(value, Tensor) and x._data.dtype.kind != "f" and not (fills or masked_fill):
        value = value.detach()
    if kind == "whole":
        kind = "fill" if fills else "copy"
    _check_leaf_write(x, kind == "view")
    x._apply_inplace(_assign, parsed, value, kind, parsed.tensors)
