"""``Tensor``: a numpy array plus what autograd needs (``requires_grad``, ``grad``, ``grad_fn``).

Operations live in ``engine/ops`` and are bound as methods in ``engine/methods.py``; this file
holds the state, the autograd entry points and the in-place machinery.
"""

from __future__ import annotations

import warnings
import weakref

import numpy as np

from . import dtypes, function, grad_mode
from .function import AccumulateGrad, VersionCounter
from .graph import run_to_leaves
from .size import Size

NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
    "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
    "github.com/pytorch/pytorch/pull/30531 for more information."
)
LEAF_INPLACE_MESSAGE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_INPLACE_MESSAGE = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)
FLOAT_ONLY_MESSAGE = "Only Tensors of floating point and complex dtype can require gradients"

autograd_backward = None  # engine.autograd.backward, bound by that package (it imports this one)


class Tensor:
    """A multi-dimensional array that can record the operations applied to it.

    Create tensors with ``engine.tensor``, ``engine.zeros`` and the other factories; the
    attributes and methods follow ``torch.Tensor``.
    """

    __slots__ = (
        "_data", "_requires_grad", "_grad_fn", "_grad", "_counter", "_retains_grad",
        "_accumulator_ref", "_base", "_view_key", "__weakref__",
    )
    __array_priority__ = 1000  # so ``numpy_array + tensor`` defers to Tensor.__radd__

    @staticmethod  # not a classmethod: each call would make a bound method, every op makes one
    def _make(data, grad_fn=None, counter=None, view_of=None, requires_grad=False):
        """Wrap ``data`` (a numpy array of a supported dtype) without copying it."""
        self = object.__new__(Tensor)
        self._data = data
        self._requires_grad = requires_grad
        self._grad_fn = grad_fn
        self._grad = None
        self._retains_grad = False
        self._accumulator_ref = None
        self._view_key = None  # for x[key] of a tensor that is no view: where it sits in x
        if view_of is not None:
            self._counter = view_of._counter
            self._base = view_of if view_of._base is None else view_of._base
        else:
            if counter is None:
                counter = object.__new__(VersionCounter)  # less the call of __init__ from C
                counter.value = 0
            self._counter = counter
            self._base = None
        return self

    # -- description --
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        if dim is None:
            return Size(self._data.shape)
        from .ops._args import wrap_dim

        return self._data.shape[wrap_dim(dim, self._data.ndim)]

    def dim(self) -> int:
        return self._data.ndim

    ndim = property(dim)

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

    @property
    def dtype(self) -> dtypes.dtype:
        return dtypes.from_numpy(self._data.dtype)

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    @property
    def device(self) -> str:
        return "cpu"

    @property
    def is_leaf(self) -> bool:
        return self._grad_fn is None

    @property
    def grad_fn(self):
        return self._grad_fn

    @property
    def _version(self) -> int:
        return self._counter.value

    # -- requires_grad --
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad or self._grad_fn is not None

    @requires_grad.setter
    def requires_grad(self, flag):
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if self._grad_fn is not None:
            message = "you can only change requires_grad flags of leaf variables."
            if not requires_grad:
                message += (
                    " If you want to use a computed variable in a subgraph that doesn't require "
                    "differentiation use var_no_grad = var.detach()."
                )
                raise RuntimeError(message)
            return self
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._requires_grad = bool(requires_grad)
        return self

    # -- .grad --
    @property
    def grad(self):
        if self._grad_fn is not None and not self._retains_grad and self._grad is None:
            warnings.warn(NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__name__}"
                )
            if value._data.dtype != self._data.dtype:
                raise RuntimeError("assigned grad has data of a different type")
            if value._data.shape != self._data.shape:
                raise RuntimeError("assigned grad has data of a different size")
        self._grad = value

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def retain_grad(self) -> None:
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None or self._retains_grad:
            return
        node = self._grad_fn
        if node._retained is None:
            node._retained = []
        node._retained.append(weakref.ref(self))
        self._retains_grad = True

    def _grad_accumulator(self) -> AccumulateGrad:
        """The leaf's AccumulateGrad node, shared by every graph the leaf is in while one lives."""
        node = self._accumulator_ref() if self._accumulator_ref is not None else None
        if node is None:
            node = AccumulateGrad(self)
            self._accumulator_ref = weakref.ref(node)
        return node

    def _leaf_edge(self) -> AccumulateGrad:
        """The AccumulateGrad node, for an op that takes this leaf as input (counted: see
        ``graph.run_to_leaves``)."""
        node = self._grad_accumulator()
        node._uses += 1
        return node

    def _accumulate_grad(self, grad: np.ndarray, sole: bool = False) -> None:
        """Add ``grad`` into ``.grad``. When the caller holds the ``sole`` reference to ``grad``
        and it is a writable array owning its memory in the leaf's dtype, the first ``.grad`` is
        that array itself instead of a copy (a 1024x1024 layer's weights: two copies fewer)."""
        if self._grad is None:
            if not (sole and grad.base is None and grad.dtype == self._data.dtype
                    and grad.flags.writeable):
                grad = np.array(grad, dtype=self._data.dtype, copy=True)
            self._grad = Tensor._make(grad)
        else:  # in place, as PyTorch does: a reference to the old .grad sees the sum
            np.add(self._grad._data, grad, out=self._grad._data, casting="unsafe")
            self._grad._counter.value += 1

    def _accumulate_retained_grad(self, grad: np.ndarray) -> None:
        if self._grad is None:
            self._grad = Tensor._make(np.array(grad, dtype=self._data.dtype, copy=True))
        else:  # a retained non-leaf grad is replaced by the sum, not updated in place
            self._grad = Tensor._make(self._grad._data + grad)

    # -- autograd entry points --
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad``; ``gradient`` is the seed v."""
        node = self._grad_fn
        if node is not None and inputs is None and not create_graph:
            # The common call (a non-leaf output, a seed of its shape and dtype or none for a
            # scalar) passes every check ``autograd.backward`` makes: checked here in a few
            # comparisons, it goes straight to the walk (the checks cost as much as a small op).
            data = self._data
            if type(gradient) is Tensor:
                seed = gradient._data
                if seed.shape == data.shape and seed.dtype is data.dtype:
                    run_to_leaves(node, seed, bool(retain_graph))
                    return
            elif gradient is None and data.size == 1:
                seed = np.empty(data.shape, data.dtype)
                seed.fill(1)
                run_to_leaves(node, seed, bool(retain_graph))
                return
        autograd_backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self) -> Tensor:
        """The same data, cut from the graph (shares memory and version counter)."""
        return Tensor._make(self._data, counter=self._counter)

    def detach_(self) -> Tensor:
        if self._base is not None and self._grad_fn is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead."
            )
        self._grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self) -> Tensor:
        return self.detach()

    # -- conversion --
    def item(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self) -> np.ndarray:
        if self.requires_grad:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        return self._data

    def __array__(self, dtype=None, copy=None):
        return self._data if dtype is None else self._data.astype(dtype)

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(
                "Boolean value of Tensor with more than one value is ambiguous"
            )
        return bool(self._data.reshape(()))

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self._data.dtype.kind not in "iu" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    __hash__ = object.__hash__

    def __repr__(self):
        from .formatting import tensor_repr

        return tensor_repr(self)

    __str__ = __repr__

    def __format__(self, spec):
        # As PyTorch: a 0-d tensor formats as its number (f"{loss}" gives "0.25"), others as repr.
        if self._data.ndim == 0:
            return format(self.item(), spec)
        return object.__format__(self, spec)

    def __reduce_ex__(self, protocol):
        raise TypeError("engine tensors are not pickled; save sessions as JSON")

    # -- in place --
    def _check_inplace(self):
        if grad_mode.STATE.enabled and self._grad_fn is None and self.requires_grad:
            # a leaf made by a view op (arange(6.).reshape(2, 3).requires_grad_()) is a view
            raise RuntimeError(VIEW_INPLACE_MESSAGE if self._base is not None else (
                LEAF_INPLACE_MESSAGE))
        base = self._base
        if base is not None and grad_mode.STATE.enabled and base._grad_fn is None and (
            base._requires_grad
        ):
            raise RuntimeError(VIEW_INPLACE_MESSAGE)

    def _apply_inplace(self, op, *args):
        """Do ``self = op(self, *args)`` in place: same memory, version bumped, graph rebased."""
        self._check_inplace()
        recording = grad_mode.STATE.enabled and (
            self.requires_grad or any(isinstance(a, Tensor) and a.requires_grad for a in args)
        )
        view_of_graph = recording and self._base is not None and self._base.requires_grad
        if view_of_graph and self._view_key is None:
            raise NotImplementedError(
                "engine: in-place operations on this kind of view of a tensor that requires grad "
                "are not supported yet (x[index] views are); use the out-of-place operation"
            )
        if recording:
            # The op must see the old value even after we overwrite it, so it gets a copy that
            # stands at the same place in the graph.
            source = Tensor._make(self._data.copy(), grad_fn=self._grad_fn)
            source._requires_grad = self._requires_grad
            source._accumulator_ref = self._accumulator_ref
        else:
            source = self
        if recording and self._data.dtype.kind not in "fc":  # an int tensor a write put in
            result = grad_mode.run_in_place(op, source, *args)  # the graph (x[0] = w)
        else:
            result = op(source, *args)
        if result._data.shape != self._data.shape:  # in place cannot grow self to a broadcast
            raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the "
                               f"broadcast shape {list(result._data.shape)}")
        if view_of_graph:
            self._write_through_base(result)
        else:
            self._write(result._data)
            if recording:
                self._grad_fn = result._grad_fn
        if recording:
            self._rebind_saved_result(result._grad_fn, view_of_graph)
        return self

    def _rebind_saved_result(self, node, through_view: bool):
        """The op saved its output before that was written into ``self``: point the saved
        tensor at ``self`` so a later in-place change is caught. PyTorch's message then names
        the op (``Exp``), or through a view the view's own node (``AsStrided``)."""
        saved = node._saved.get("result") if node._saved else None
        if saved is not None:
            node._saved["result"] = function.saved_entry(
                self._data, self._counter, weakref.ref(self), not through_view)

    def _write_through_base(self, result: Tensor):
        """In place on ``base[key]``: as PyTorch does, the base's grad_fn becomes CopySlices and
        the view's is regenerated from it (AsStridedBackward0)."""
        from .function import record
        from .ops.indexing import AsStrided, setitem

        base = self._base
        setitem(base, self._view_key, result)
        regenerated = record(AsStrided, (base,), (base._data,), self._view_key)
        self._grad_fn = regenerated._grad_fn

    def _write(self, values: np.ndarray):
        target = self._data
        if not np.can_cast(values.dtype, target.dtype, casting="same_kind"):
            got = dtypes.from_numpy(values.dtype).short_name
            want = dtypes.from_numpy(target.dtype).short_name
            raise RuntimeError(f"result type {got} can't be cast to the desired output type {want}")
        if not target.flags.writeable:
            raise RuntimeError(
                "unsupported operation: more than one element of the written-to tensor refers to "
                "a single memory location. Please clone() the tensor before performing the "
                "operation."
            )
        np.copyto(target, values, casting="unsafe")
        self._counter.value += 1


function.Tensor = Tensor
