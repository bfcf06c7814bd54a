"""``Function``: the base of every differentiable op, and the node PyTorch calls ``grad_fn``.

Each op is one subclass: ``forward`` computes the result from numpy arrays and saves exactly what
PyTorch saves; ``backward`` maps the gradient of the output to one gradient per input (in the
broadcast shape: the graph walk sums it back, see ``graph.py``); ``jvp`` maps input tangents to the
output tangent for forward mode. ``torch_name`` and ``formulas`` are what the playground shows.
"""

from __future__ import annotations

import itertools
import weakref

import numpy as np

from . import dtypes, grad_mode

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)

_next_sequence_nr = itertools.count().__next__
_new = object.__new__

Tensor = None  # engine.tensor.Tensor, bound by that module (it imports this one first)


class VersionCounter:
    """Counts in-place changes to a tensor's memory; shared by a tensor and its views."""

    __slots__ = ("value",)

    def __init__(self):
        self.value = 0


def short_node_name(node) -> str:
    """``ExpBackward0`` -> ``Exp`` but ``ClampBackward1`` -> ``Clamp1``, and a name with no
    number left whole (``CopyBackwards``), as PyTorch names a node in its in-place error
    message."""
    name = node.name()
    cut = name.find("Backward")
    number = name[cut + len("Backward"):]
    if cut <= 0 or not number.isdigit():
        return name
    return name[:cut] + ("" if number == "0" else number)


# What a node keeps for backward, per name: a plain tuple ``(data, counter, version, tensor_ref,
# is_output)``, the array and the version its tensor must still have then. A tuple, not an object
# with named fields: an op saves one or two per call, and making an object costs several times
# what a tuple does. A saved input keeps a weak reference to its tensor (the error message names
# that tensor's current grad_fn); a saved output needs none (the message names the node that saved
# it, and the dtype is its data's), nor does a Python number, which nothing can change.


def saved_entry(data, counter, tensor_ref, is_output) -> tuple:
    """An entry saved now: the version to expect is the counter's (0 with no counter)."""
    return data, counter, counter.value if counter is not None else 0, tensor_ref, is_output


def unpack(entry: tuple, owner: Function):
    """The saved array, or PyTorch's error when its tensor was changed in place since."""
    data, counter, version, _, _ = entry
    if counter is not None and counter.value != version:
        raise RuntimeError(_modified_message(entry, owner))
    return data


def _modified_message(entry: tuple, owner: Function) -> str:
    data, counter, version, tensor_ref, is_output = entry
    tensor = tensor_ref() if tensor_ref is not None else None
    shape = ", ".join(str(n) for n in data.shape)
    if is_output:
        dtype = dtypes.from_numpy(data.dtype)
    else:
        dtype = tensor.dtype if tensor is not None else None
    legacy = dtype.legacy_name if dtype is not None else "Tensor"
    # PyTorch names the node that saved an output, but an input's current grad_fn.
    grad_fn = owner if is_output else (tensor.grad_fn if tensor is not None else None)
    which = f", which is output 0 of {short_node_name(grad_fn)}," if grad_fn is not None else ""
    return (
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [engine.{legacy} [{shape}]]{which} is at version "
        f"{counter.value}; expected version {version} instead. Hint: enable anomaly "
        "detection to find the operation that failed to compute its gradient, with "
        "engine.autograd.set_detect_anomaly(True, check_nan=False)."
    )


def _saved_input(data, tensor) -> tuple:
    """``data`` saved from ``tensor`` (None for a Python number: nothing can change it)."""
    if tensor is None:
        return data, None, 0, None, False
    counter = tensor._counter
    return data, counter, counter.value, weakref.ref(tensor), False


_NOTHING_SAVED: dict = {}


class SavedValue:
    """``grad_fn._saved_<name>``: what a node saved under ``name``, as PyTorch exposes it.

    A descriptor per name rather than ``Function.__getattr__``: a class with ``__getattr__``
    makes every attribute read of every node take Python's slow path, and the op dispatch and
    the backward walk read node attributes all the time.
    """

    __slots__ = ("name", "attr")

    def __init__(self, name: str):
        self.name = name
        self.attr = "_saved_" + name

    def __get__(self, node, owner=None):
        if node is None:
            return self
        saved = node._saved
        if saved is None:
            raise RuntimeError(FREED_MESSAGE)
        if self.name in saved:
            return Tensor._make(unpack(saved[self.name], node))
        raise AttributeError(f"'{node.torch_name}' object has no attribute '{self.attr}'")


# Every name an op saves under (``save``, ``save_input``, ``save_result``); ops that save under
# names made at run time (the index tensors of ``x[idx]``) look those up themselves.
SAVED_NAMES = (
    "self", "other", "result", "condition", "exponent", "target", "weight", "pos_weight",
    "total_weight", "indices", "fn",
)


class Function:
    """Base class of ops. Subclasses define ``forward``, ``backward`` and usually ``jvp``.

    Attributes set when the op is recorded in a graph: ``needs_input_grad`` (one bool per input),
    ``next_functions`` (PyTorch's ``((node, 0), ...)``), and the saved tensors.
    """

    torch_name = "Function"
    formulas: dict[str, str] = {}  # derivatives.yaml vocabulary: {"self": "grad * result"}
    jvp_formula = ""
    qualified_name = ""  # PyTorch's name() for its C++-only nodes: "torch::autograd::CopySlices"
    is_view = False  # the output shares memory (and version counter) with input 0
    differentiable = True

    _saved = _NOTHING_SAVED
    _recording = False
    _retained = None  # weak references to tensors that called retain_grad() on this node
    _fw_inputs = None  # kept only while forward-mode recording is on (autograd.functional.jvp)
    _fw_result = None

    # -- what PyTorch's grad_fn offers --
    def name(self) -> str:
        return self.qualified_name or self.torch_name

    @property
    def next_functions(self):
        return tuple((node, 0) for node in self._edges)

    @property
    def metadata(self) -> dict:
        return {}

    def __repr__(self):
        return f"<{self.torch_name} object at {hex(id(self))}>"

    # -- used by ops --
    def save(self, name: str, array, tensor=None):
        """Keep ``array`` for backward under ``name`` (PyTorch's ``self``, ``other``, ``result``).

        ``tensor`` is the input it came from, so that an in-place change to it is detected; the
        output is saved with ``save_result``.
        """
        if not self._recording:
            return
        if self._saved is _NOTHING_SAVED:
            self._saved = {}
        self._saved[name] = _saved_input(array, tensor)

    def save_input(self, name: str, index: int, array):
        """Save ``array``, the (possibly dtype-cast) data of input ``index``."""
        if self._recording:  # each node attribute read once: every op is its own class, so
            saved = self._saved  # these reads take Python's slow, unspecialised path
            if saved is _NOTHING_SAVED:
                saved = self._saved = {}
            saved[name] = _saved_input(array, self._inputs[index])

    def save_result(self, array):
        if self._recording:
            saved = self._saved
            if saved is _NOTHING_SAVED:
                saved = self._saved = {}
            counter = self._out_counter
            saved["result"] = array, counter, counter.value, None, True

    def saved(self, name: str):
        saved = self._saved
        if saved is None:
            raise RuntimeError(FREED_MESSAGE)
        data, counter, version, _, _ = saved[name]  # unpack(), inline: every formula calls it
        if counter is not None and counter.value != version:
            raise RuntimeError(_modified_message(saved[name], self))
        return data

    @property
    def saved_names(self) -> tuple[str, ...]:
        return tuple(self._saved or ())

    def release(self):
        """Free the saved tensors (backward without ``retain_graph``)."""
        if self._saved is not _NOTHING_SAVED:
            self._saved = None

    @property
    def is_released(self) -> bool:
        return self._saved is None

    # -- to be defined by each op --
    def forward(self, *arrays, **params):
        raise NotImplementedError

    def backward(self, grad):
        raise NotImplementedError

    def jvp(self, *tangents):
        raise NotImplementedError(f"{self.torch_name} has no forward-mode rule")


for _name in SAVED_NAMES:
    setattr(Function, f"_saved_{_name}", SavedValue(_name))


def sum_tangents(*tangents):
    """Add the tangents that are present (None stands for a zero tangent)."""
    present = [t for t in tangents if t is not None]
    if not present:
        return None
    total = present[0]
    for tangent in present[1:]:
        total = total + tangent
    return total


class AccumulateGrad(Function):
    """The node of a leaf that requires grad: adds the incoming gradient into ``leaf.grad``."""

    torch_name = "AccumulateGrad"
    qualified_name = "engine::autograd::AccumulateGrad"
    formulas = {"variable": "variable.grad += grad"}

    _edges = ()
    _sequence_nr = float("inf")  # run as soon as ready, as PyTorch does

    def __init__(self, variable):
        self.variable = variable
        self._uses = 0  # edges made to it: how many gradients Tensor.backward waits for

    def backward(self, grad):
        self.variable._accumulate_grad(grad)
        return ()


_NO_GRAD_NEEDED = {n: (False,) * n for n in range(8)}
_NEEDS_ONE = (True,)
_NEEDS_BOTH, _NEEDS_FIRST, _NEEDS_SECOND = (True, True), (True, False), (False, True)


def _graph_inputs(inputs):
    """For each input: does it need grad, the node its gradient goes to, and the shape and dtype
    that gradient must have. None when no input needs grad (the common no-grad path)."""
    # One and two inputs (nearly every op) are spelt out: the general loop's lists and their
    # conversion to tuples cost more than the rest of recording a small op.
    if len(inputs) == 1:
        t = inputs[0]
        if t is None or not (t._requires_grad or t._grad_fn is not None):
            return None
        data = t._data
        return _NEEDS_ONE, (t._grad_fn or t._leaf_edge(),), ((data.shape, data.dtype),)
    if len(inputs) == 2:
        a, b = inputs
        a_needs = a is not None and (a._requires_grad or a._grad_fn is not None)
        b_needs = b is not None and (b._requires_grad or b._grad_fn is not None)
        if not (a_needs or b_needs):
            return None
        if a_needs:
            a_edge, a_meta = a._grad_fn or a._leaf_edge(), (a._data.shape, a._data.dtype)
        else:
            a_edge = a_meta = None
        if b_needs:
            b_edge, b_meta = b._grad_fn or b._leaf_edge(), (b._data.shape, b._data.dtype)
        else:
            b_edge = b_meta = None
        needs = (_NEEDS_BOTH if b_needs else _NEEDS_FIRST) if a_needs else _NEEDS_SECOND
        return needs, (a_edge, b_edge), (a_meta, b_meta)
    needs, edges, meta = [], [], []
    wanted = False
    for t in inputs:
        if t is not None and (t._requires_grad or t._grad_fn is not None):
            wanted = True
            needs.append(True)
            edges.append(t._grad_fn or t._leaf_edge())
            data = t._data
            meta.append((data.shape, data.dtype))
        else:
            needs.append(False)
            edges.append(None)
            meta.append(None)
    if not wanted:
        return None
    return tuple(needs), tuple(edges), tuple(meta)


def _saves_a_graph_input(fn) -> bool:
    """Whether ``fn`` saved an input tensor that is in the graph (not a number, nor a tensor
    that needs no gradient)."""
    for _, _, _, tensor_ref, _ in fn._saved.values():
        tensor = tensor_ref() if tensor_ref is not None else None
        if tensor is not None and (tensor._requires_grad or tensor._grad_fn is not None):
            return True
    return False


def record(cls, inputs, arrays, *params):
    """Run op ``cls`` on ``arrays`` (the data of ``inputs``), recording it if grad is needed.

    ``inputs`` holds the Tensor behind each array, or None for a Python number; the result is a
    new Tensor whose ``grad_fn`` is the op when any input requires grad and grad mode is on.
    """
    fn = _new(cls)
    state = grad_mode.STATE  # a thread-local: read it once
    graph = _graph_inputs(inputs) if state.enabled and cls.differentiable else None
    if graph is None:
        count = len(inputs)
        fn.needs_input_grad = _NO_GRAD_NEEDED.get(count) or (False,) * count
        out = fn.forward(*arrays, *params)
        if type(out) is not np.ndarray:  # numpy gives scalars for 0-d results; keep arrays
            out = np.asarray(out)
        return Tensor._make(out, None, None, inputs[0] if cls.is_view else None)

    # _saved and _retained keep their class defaults: every op is its own class, so these
    # attribute sites never specialise, and a class default reads as fast as a stored value.
    fn.needs_input_grad, fn._edges, fn._input_meta = graph
    fn._recording = True
    fn._inputs = inputs  # for save_input, during the forward only
    if cls.is_view:
        view_of = inputs[0]
        fn._out_counter = counter = view_of._counter
    else:
        view_of = None
        counter = _new(VersionCounter)  # VersionCounter() less the call of __init__ from C
        counter.value = 0
        fn._out_counter = counter
    out = fn.forward(*arrays, *params) if params else fn.forward(*arrays)  # no list made
    if type(out) is not np.ndarray:
        out = np.asarray(out)
    if out.dtype.kind not in "fc" and (not state.in_place or _saves_a_graph_input(fn)):
        # Only an int tensor that a write put in the graph gets here (x[0] = w, w requiring
        # grad): PyTorch refuses any op that would record an integer result from it, and an
        # in-place op that saves it (pow_, clamp_: the clone of self they keep is such an op).
        raise RuntimeError("Autograd not support dtype: "
                           + dtypes.from_numpy(out.dtype).short_name)
    fn._inputs = None
    fn._sequence_nr = _next_sequence_nr()
    if state.forward_ad:
        fn._fw_inputs = arrays
        fn._fw_result = out
    return Tensor._make(out, fn, counter, view_of)
