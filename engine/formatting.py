"""Text rendering of engine tensors, character-for-character the same as PyTorch's.

``tensor_repr`` produces what ``repr(torch_tensor)`` prints, with ``engine.`` in place of
``torch.``; ``set_printoptions`` / ``get_printoptions`` mirror torch's global print options.

The rules, learnt from torch's output:

* One formatter is built per tensor from its (possibly summarised) values, so every element is
  padded to a common width and the columns line up.
* Floats whose non-zero finite values are all integers print as ``1.``; scientific notation is
  chosen when the largest/smallest non-zero magnitude ratio exceeds 1000, or a magnitude is above
  1e8 or below 1e-4 (unless ``sci_mode`` forces it on or off).
* Rows wrap to ``linewidth``; tensors above ``threshold`` elements show only ``edgeitems`` entries
  at each end of every dimension, with ``...`` between.
* Trailing ``size=``, ``dtype=``, ``grad_fn=`` / ``requires_grad=`` notes follow the data and
  move to their own line when they would overflow it.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

_PREFIX = "tensor("
_DEFAULT_FLOAT = "float32"  # engine's default dtype, so it never needs a ``dtype=`` note
# Dtypes whose values already show their type (``1.``, ``1``, ``True``): no ``dtype=`` note.
_SELF_EVIDENT_DTYPES = (_DEFAULT_FLOAT, "int64", "bool")


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}

_options = _PrintOptions()


def set_printoptions(
    precision=None,
    threshold=None,
    edgeitems=None,
    linewidth=None,
    profile=None,
    sci_mode=None,
):
    """Change how tensors are printed, with the semantics of ``torch.set_printoptions``.

    Parameters
    ----------
    precision : int, optional
        Digits after the decimal point for floats (default 4).
    threshold : float, optional
        Element count above which a tensor is summarised with ``...`` (default 1000).
    edgeitems : int, optional
        Entries kept at each end of every dimension when summarising (default 3).
    linewidth : int, optional
        Characters per line before rows wrap (default 80).
    profile : {"default", "short", "full"}, optional
        Preset applied first; the explicit arguments above then override it.
    sci_mode : bool, optional
        Force scientific notation on (True) or off (False). Like torch, this argument is always
        applied, so any call that omits it returns to automatic choice (None).
    """
    if profile in _PROFILES:
        for name, value in _PROFILES[profile].items():
            setattr(_options, name, value)
    given = {"precision": precision, "threshold": threshold,
             "edgeitems": edgeitems, "linewidth": linewidth}
    for name, value in given.items():
        if value is not None:
            setattr(_options, name, value)
    _options.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current print options.

    Returns
    -------
    dict
        Keys ``precision``, ``threshold``, ``edgeitems``, ``linewidth`` and ``sci_mode``;
        it can be passed back as ``set_printoptions(**options)``.
    """
    return dataclasses.asdict(_options)


class _ElementFormatter:
    """Turns single values into equal-width strings, chosen from a sample of the tensor."""

    def __init__(self, sample: np.ndarray, is_float: bool):
        self.is_float = is_float
        self.precision = _options.precision
        self.sci_mode = False
        self.int_mode = True
        self.width = 1
        values = sample.ravel()
        if not is_float:
            self.width = max([len(str(v)) for v in values.tolist()], default=1)
            return
        # Only non-zero finite values decide the style and width: zeros, nan and inf print
        # however they come out, and may stick out of the column.
        picked = values[np.isfinite(values) & (values != 0)].astype(np.float64)
        if picked.size == 0:
            return
        magnitudes = np.abs(picked)
        smallest, largest = float(magnitudes.min()), float(magnitudes.max())
        self.int_mode = bool(np.all(picked == np.ceil(picked)))
        if _options.sci_mode is None:
            self.sci_mode = largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
        else:
            self.sci_mode = bool(_options.sci_mode)
        # The width is measured without padding; the trailing "." of int mode adds one.
        extra = 1 if self.int_mode and not self.sci_mode else 0
        self.width = max(len(self._bare(v)) + extra for v in picked.tolist())

    def _bare(self, value: float) -> str:
        if self.sci_mode:
            return f"{value:.{self.precision}e}"
        if self.int_mode:
            return f"{value:.0f}"
        return f"{value:.{self.precision}f}"

    def format(self, value) -> str:
        if not self.is_float:
            text = str(value)
        else:
            text = self._bare(value)
            # A trailing "." marks integral floats as floats; nan/inf need no marker.
            if self.int_mode and not self.sci_mode and math.isfinite(value):
                text += "."
        return text.rjust(self.width)


def _edge_indices(length: int, summarize: bool) -> list[int]:
    """Positions kept along one axis: all, or ``edgeitems`` from each end when summarising."""
    edge = _options.edgeitems
    if summarize and length > 2 * edge:
        return list(range(edge)) + list(range(length - edge, length))
    return list(range(length))


def _visible_sample(data: np.ndarray, summarize: bool) -> np.ndarray:
    """The values that will actually be printed, which alone decide the formatting style."""
    if data.ndim == 0 or not summarize:
        return data
    return data[np.ix_(*(_edge_indices(n, True) for n in data.shape))]


def _render_row(row: np.ndarray, indent: int, summarize: bool, fmt: _ElementFormatter) -> str:
    """A 1-d block ``[a, b, c]``, wrapped so lines fit ``linewidth`` after ``indent``."""
    edge = _options.edgeitems
    if summarize and not edge:
        items = ["..."]
    elif summarize and len(row) > 2 * edge:
        items = ([fmt.format(v) for v in row[:edge].tolist()] + [" ..."]
                 + [fmt.format(v) for v in row[-edge:].tolist()])
    else:
        items = [fmt.format(v) for v in row.tolist()]
    # Each item costs its width plus ", "; at least one item per line even if it overflows.
    per_line = max(1, math.floor((_options.linewidth - indent) / (fmt.width + 2)))
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _render_block(data: np.ndarray, indent: int, summarize: bool,
                  fmt: _ElementFormatter) -> str:
    """Nested brackets for any rank; ``indent`` is the column of this block's ``[``."""
    if data.ndim == 0:
        return fmt.format(data.item())
    if data.ndim == 1:
        return _render_row(data, indent, summarize, fmt)
    edge, length = _options.edgeitems, data.shape[0]
    if summarize and length > 2 * edge:
        chosen = list(range(edge)) + [None] + list(range(length - edge, length))
    else:
        chosen = list(range(length))
    parts = ["..." if i is None else _render_block(data[i], indent + 1, summarize, fmt)
             for i in chosen]
    # Sub-blocks of rank k are separated by k-1 blank lines so the nesting stays visible.
    separator = "," + "\n" * (data.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(parts) + "]"


def _attach_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    """Append ``, note`` entries, breaking to an indented new line when one would not fit."""
    # Torch's estimate of the last line's length counts two more characters than are there;
    # it is kept so the line breaks fall exactly where torch puts them.
    line_length = len(text) - text.rfind("\n") + 1
    pieces = [text]
    for suffix in suffixes:
        # Measured as torch spells it ("torch." is one character shorter than "engine."), so
        # the output is torch's text with only the word replaced, breaks included.
        width = len(suffix.replace("engine.", "torch."))
        if line_length + width + 2 > _options.linewidth:
            pieces.append(",\n" + " " * indent + suffix)
            line_length = indent + width
        else:
            pieces.append(", " + suffix)
            line_length += width + 2
    return "".join(pieces) + ")"


def _autograd_suffix(t) -> list[str]:
    if t.grad_fn is not None:
        # PyTorch prints the node's class name, which differs from name() for C++-only nodes
        # (CopySlices vs "torch::autograd::CopySlices").
        node = t.grad_fn
        return [f"grad_fn=<{getattr(node, 'torch_name', None) or node.name()}>"]
    if t.requires_grad:
        return ["requires_grad=True"]
    return []


def tensor_repr(t) -> str:
    """The text PyTorch prints for a tensor, spelt with ``engine.`` instead of ``torch.``.

    Parameters
    ----------
    t : Tensor
        Anything with ``_data`` (numpy array of bool, int64, float32 or float64), ``dtype``
        (with ``.name``; its repr is used in ``dtype=`` notes), ``requires_grad`` and
        ``grad_fn`` (None or an object whose ``name()`` gives e.g. ``"MulBackward0"``).

    Returns
    -------
    str
        For example ``tensor([1., 2.], dtype=engine.float64, requires_grad=True)``.
    """
    data = np.asarray(t._data)
    indent = len(_PREFIX)
    suffixes = []
    dtype_name = t.dtype.name
    if data.size == 0:
        # Nothing shows the dtype or shape, so both are spelt out (1-d needs no size).
        if data.ndim != 1:
            suffixes.append(f"size={tuple(data.shape)}")
        if dtype_name != _DEFAULT_FLOAT:
            suffixes.append(f"dtype={t.dtype!r}")
        body = "[]"
    else:
        if not _options.edgeitems:
            # With no edge items a summary shows no values at all, so the shape is given.
            suffixes.append(f"size={tuple(data.shape)}")
        if dtype_name not in _SELF_EVIDENT_DTYPES:
            suffixes.append(f"dtype={t.dtype!r}")
        summarize = data.size > _options.threshold
        is_float = data.dtype.kind == "f"
        formatter = _ElementFormatter(_visible_sample(data, summarize), is_float)
        body = _render_block(data, indent, summarize, formatter)
    suffixes += _autograd_suffix(t)
    return _attach_suffixes(_PREFIX + body, suffixes, indent)
