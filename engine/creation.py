"""Making tensors: ``tensor``, ``zeros``, ``ones``, ``full``, ``eye``, ``arange``, ``linspace``,
``rand``, ``randn``, the ``*_like`` variants, and ``manual_seed``."""

from __future__ import annotations

import numbers

import numpy as np

from . import dtypes
from .tensor import FLOAT_ONLY_MESSAGE, Tensor

# Made at the first random draw: ``np.random`` is imported by touching it, ~12 ms of the app's
# start-up that a session without random leaves never needs.
_generator = None


def ones_array(shape, dtype) -> np.ndarray:
    """``np.ones(shape, dtype)`` in two C calls (``np.ones`` is Python code in numpy; a backward
    seed and ``ones_like`` are made on every step of a small workload)."""
    data = np.empty(shape, dtype)
    data.fill(1)
    return data


def _eye_array(n: int, m: int, dtype) -> np.ndarray:
    """``np.eye(n, m, dtype=dtype)`` without numpy's Python layer: in the first m rows (the
    only ones with a diagonal element), element (i, i) sits at i * (m + 1) once flattened."""
    data = np.zeros((n, m), dtype)
    data[:m].reshape(-1)[:: m + 1] = 1
    return data


def manual_seed(seed: int):
    """Make later ``rand``/``randn`` draws reproducible (not PyTorch's exact numbers)."""
    global _generator
    _generator = np.random.default_rng(int(seed))
    return _generator


def _leaf(data, dtype, requires_grad) -> Tensor:
    if dtype is not None:
        if not isinstance(dtype, dtypes.dtype):
            raise TypeError(f"dtype must be engine.dtype, not {type(dtype).__name__}")
        data = data.astype(dtype.numpy, copy=False)
    result = Tensor._make(data)
    if requires_grad:
        if data.dtype.kind != "f":  # the factories' wording differs from requires_grad_()'s
            raise RuntimeError(FLOAT_ONLY_MESSAGE)
        result._requires_grad = True
    return result


def _nested_dtype(value):
    """The dtype PyTorch infers from Python data: bool, then int64, else the default float."""
    kinds = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Tensor):
            kinds.add(item._data.dtype.kind)
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, (bool, np.bool_)):
            kinds.add("b")
        elif isinstance(item, (numbers.Integral,)):
            kinds.add("i")
        elif isinstance(item, numbers.Real):
            kinds.add("f")
        else:
            raise TypeError(f"new(): invalid data type '{type(item).__name__}'")
    if "f" in kinds:
        return dtypes.default_float
    if "i" in kinds or "u" in kinds:
        return dtypes.int64
    if "b" in kinds:
        return dtypes.bool
    return dtypes.default_float


def _check_nested(value, depth=0):
    """PyTorch's message for ragged nested lists."""
    if not isinstance(value, (list, tuple)) or not value:
        return
    first = value[0]
    length = len(first) if isinstance(first, (list, tuple)) else None
    for item in value:
        if isinstance(item, (list, tuple)) != (length is not None) or (
            length is not None and len(item) != length
        ):
            got = len(item) if isinstance(item, (list, tuple)) else 0
            raise ValueError(f"expected sequence of length {length} at dim {depth + 1} (got {got})")
    for item in value:
        _check_nested(item, depth + 1)


def tensor(data, *, dtype=None, requires_grad=False, device=None) -> Tensor:
    """A new leaf tensor holding a copy of ``data`` (numbers, nested lists, arrays, tensors)."""
    if isinstance(data, Tensor):
        array = data._data.copy()
    elif isinstance(data, (np.ndarray, np.generic)):  # numpy scalars keep their dtype too
        array = np.array(data, dtype=dtypes.from_numpy(data.dtype).numpy, copy=True)
    else:
        if isinstance(data, (str, bytes, dict, set)) or data is None:
            raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
        _check_nested(data)
        inferred = _nested_dtype(data)
        if isinstance(dtype, dtypes.dtype) and dtype.is_floating_point:
            inferred = dtype  # straight to the asked precision: 0.1 as float64 is not float32's
        array = np.array(
            data._data if isinstance(data, Tensor) else _unwrap(data), dtype=inferred.numpy
        )
    return _leaf(array, dtype, requires_grad)


def _unwrap(value):
    if isinstance(value, Tensor):
        return value._data
    if isinstance(value, (list, tuple)):
        return [_unwrap(v) for v in value]
    return value


def as_tensor(data, dtype=None) -> Tensor:
    if isinstance(data, Tensor) and (dtype is None or data.dtype is dtype):
        return data
    return tensor(data, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    return Tensor._make(np.asarray(array).astype(dtypes.from_numpy(array.dtype).numpy, copy=False))


def _size(name, size):
    """The shape from ``f(2, 3)`` or ``f((2, 3))``, with PyTorch's errors for anything else."""
    if len(size) == 1 and isinstance(size[0], (list, tuple)):
        size = tuple(size[0])
    if len(size) == 1 and hasattr(size[0], "__iter__") and not isinstance(size[0], str):
        size = tuple(size[0])
    for n in size:
        if isinstance(n, bool) or not isinstance(n, (numbers.Integral,)):
            raise TypeError(
                f"{name}(): argument 'size' (position 1) must be tuple of ints, not "
                f"{type(n).__name__}"
            )
    shape = tuple(int(n) for n in size)
    for n in shape:
        if n < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {n}: "
                f"[{', '.join(map(str, shape))}]"
            )
    return shape


def _float_dtype(dtype):
    return dtype or dtypes.default_float


def zeros(*size, dtype=None, requires_grad=False, device=None) -> Tensor:
    try:
        shape = _size("zeros", size)
    except RuntimeError:  # zeros alone words it this way
        raise RuntimeError("zeros: Dimension size must be non-negative.") from None
    return _leaf(np.zeros(shape, _float_dtype(dtype).numpy), None, requires_grad)


def ones(*size, dtype=None, requires_grad=False, device=None) -> Tensor:
    return _leaf(ones_array(_size("ones", size), _float_dtype(dtype).numpy), None, requires_grad)


def full(size, fill_value, *, dtype=None, requires_grad=False, device=None) -> Tensor:
    if dtype is None:
        dtype = dtypes.result_type((fill_value,))
    shape = _size("full", (size,))
    return _leaf(np.full(shape, fill_value, dtype=dtype.numpy), None, requires_grad)


def eye(n, m=None, *, dtype=None, requires_grad=False, device=None) -> Tensor:
    if type(n) is not int or (m is not None and type(m) is not int):  # ints pass at once
        for name, value in (("n", n), ("m", m)):
            if value is None or type(value) is int:  # int first: the abstract check is slow
                continue
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise TypeError(
                    f"eye(): argument '{name}' must be int, not {type(value).__name__}"
                )
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m is not None and m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    return _leaf(_eye_array(n, n if m is None else m, _float_dtype(dtype).numpy), None,
                 requires_grad)


def arange(start, end=None, step=1, *, dtype=None, requires_grad=False, device=None) -> Tensor:
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is None:
        dtype = dtypes.result_type((start, end, step))
        dtype = dtypes.int64 if dtype is dtypes.bool else dtype
    _check_kernel("arange_cpu", dtype, allowed=(1, 2))
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype is dtypes.int64:
        return _leaf(_integer_range(start, end, step), None, requires_grad)
    count = int(np.ceil((end - start) / step))
    values = start + step * np.arange(count, dtype=np.float64)
    return _leaf(values.astype(dtype.numpy), None, requires_grad)


def _integer_range(start, end, step) -> np.ndarray:
    """PyTorch's int64 arange: the bounds and the step are cut to integers first (toward zero),
    so ``arange(0, 5, 1.5, dtype=int64)`` steps by 1 and ``arange(0, 3, 0.5, ...)`` has no
    step at all."""
    start, end, step = int(start), int(end), int(step)
    if step == 0:
        raise ValueError("step must be nonzero")
    sign = 1 if step > 0 else -1
    count = max(int((end - start + step - sign) / step), 0)
    return start + step * np.arange(count, dtype=np.int64)


def _check_kernel(kernel: str, dtype, allowed) -> None:
    """PyTorch has no kernel of ``kernel`` for some dtypes (random numbers of integers, a range
    of booleans); it says so with the kernel's own name."""
    if dtype.category not in allowed:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{dtype.short_name}\'')


def linspace(start, end, steps, *, dtype=None, requires_grad=False, device=None) -> Tensor:
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dtype = _float_dtype(dtype)
    _check_kernel("linspace_cpu", dtype, allowed=(1, 2))
    values = np.linspace(start, end, int(steps), dtype=np.float64)
    return _leaf(values.astype(dtype.numpy), None, requires_grad)


def _rand_signature(name):
    return (
        f"{name}() received an invalid combination of arguments - got (), but expected one of:\n"
        " * (tuple of ints size, *, engine.Generator generator, tuple of names names, engine.dtype "
        "dtype = None, engine.layout layout = None, engine.device device = None, bool pin_memory = "
        "False, bool requires_grad = False)\n"
        " * (tuple of ints size, *, engine.Generator generator, Tensor out = None, engine.dtype "
        "dtype = None, engine.layout layout = None, engine.device device = None, bool pin_memory = "
        "False, bool requires_grad = False)\n"
        " * (tuple of ints size, *, Tensor out = None, engine.dtype dtype = None, engine.layout "
        "layout = None, engine.device device = None, bool pin_memory = False, bool requires_grad = "
        "False)\n"
        " * (tuple of ints size, *, tuple of names names, engine.dtype dtype = None, engine.layout "
        "layout = None, engine.device device = None, bool pin_memory = False, bool requires_grad = "
        "False)\n"
    )


def _draw(kind, shape, generator, dtype, requires_grad) -> Tensor:
    dtype = _float_dtype(dtype)
    _check_kernel("check_uniform_bounds" if kind == "rand" else "normal_kernel_cpu", dtype,
                  allowed=(2,))
    rng = generator or _generator or manual_seed(0)
    values = rng.random(shape) if kind == "rand" else rng.standard_normal(shape)
    return _leaf(np.asarray(values).astype(dtype.numpy), None, requires_grad)


def rand(*size, generator=None, dtype=None, requires_grad=False, device=None) -> Tensor:
    if not size:
        raise TypeError(_rand_signature("rand"))
    return _draw("rand", _size("rand", size), generator, dtype, requires_grad)


def randn(*size, generator=None, dtype=None, requires_grad=False, device=None) -> Tensor:
    if not size:
        raise TypeError(_rand_signature("randn"))
    return _draw("randn", _size("randn", size), generator, dtype, requires_grad)


def zeros_like(x: Tensor, *, dtype=None, requires_grad=False, device=None) -> Tensor:
    return _leaf(np.zeros(x._data.shape, x._data.dtype if dtype is None else dtype.numpy), None,
                 requires_grad)


def ones_like(x: Tensor, *, dtype=None, requires_grad=False, device=None) -> Tensor:
    return _leaf(ones_array(x._data.shape, x._data.dtype if dtype is None else dtype.numpy), None,
                 requires_grad)


def full_like(x: Tensor, fill_value, *, dtype=None, requires_grad=False, device=None) -> Tensor:
    return _leaf(np.full(x._data.shape, fill_value, (dtype or x.dtype).numpy), None, requires_grad)


def rand_like(x: Tensor, *, dtype=None, requires_grad=False, device=None) -> Tensor:
    return _draw("rand", x._data.shape, None, dtype or x.dtype, requires_grad)


def randn_like(x: Tensor, *, dtype=None, requires_grad=False, device=None) -> Tensor:
    return _draw("randn", x._data.shape, None, dtype or x.dtype, requires_grad)


def empty(*size, dtype=None, requires_grad=False, device=None) -> Tensor:
    # Zero-filled: the engine has no uninitialised memory to show.
    return _leaf(np.zeros(_size("empty", size), _float_dtype(dtype).numpy), None, requires_grad)
