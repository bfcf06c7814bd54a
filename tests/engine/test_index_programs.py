"""Random indexing programs for the differential test ``test_index_fuzz_vs_torch.py``: a small
tensor, a random index key (ints, slices, None, ``...``, Python bools, 0-d / 1-d / n-d int and
bool tensors, lists of ints or bools, now and then a float index), then either ``x[key]`` or
``x[key] = value``. A program is plain data, so it runs the same in the engine and in PyTorch and
prints as code when they disagree. (Helpers only: the tests are in the file named above.)"""

from __future__ import annotations

import random
import warnings
from dataclasses import dataclass

import numpy as np

# -- programs ------------------------------------------------------------------------------------
# An index part is a tuple: ("int", n), ("slice", start, stop, step), ("none",), ("ellipsis",),
# ("bool", b), ("tensor", values, dtype, requires_grad) or ("list", values).


X_LINES = {"nonleaf": "x = leaf * 1", "view": "x = (leaf * 1)[...]"}


@dataclass
class IndexProgram:
    shape: tuple
    dtype: str  # "float32", "float64" or "int64"
    values: list  # nested, of ``shape``
    role: str  # "leaf" (requires grad), "viewleaf" (one that is a view), "nonleaf" (leaf * 1),
    # "view" ((leaf * 1)[...]) or "plain"
    parts: list
    bare: bool  # x[part] rather than x[(part,)]
    write: tuple | None  # None reads; ("number", v) or ("tensor", values, dtype, grad) writes

    def __str__(self):
        grad = ", requires_grad=True" if self.role != "plain" else ""
        if self.role == "viewleaf":
            grad = f").view(-1).view({self.shape}).requires_grad_("
        lines = [f"leaf = torch.tensor({self.values}, dtype=torch.{self.dtype}{grad})",
                 X_LINES.get(self.role, "x = leaf")]
        key = ", ".join(render_part(p) for p in self.parts)
        key = key if self.bare else f"({key},)" if len(self.parts) == 1 else key or "()"
        if self.write is None:
            lines.append(f"y = x[{key}]")
        else:
            lines.append(f"x[{key}] = {render_value(self.write)}")
        return "\n".join(lines)


def render_part(part) -> str:
    kind = part[0]
    if kind == "slice":
        start, stop, step = ("" if v is None else v for v in part[1:])
        return f"{start}:{stop}" + ("" if step == "" else f":{step}")
    if kind == "tensor":
        grad = ", requires_grad=True" if part[3] else ""
        return f"torch.tensor({part[1]}, dtype=torch.{part[2]}{grad})"
    if kind == "none":
        return "None"
    if kind == "seq":  # (a slice in a list must be spelt out)
        return "[" + ", ".join(f"slice{p[1:]}" if p[0] == "slice" else render_part(p)
                               for p in part[1]) + "]"
    return "..." if kind == "ellipsis" else repr(part[1])


def render_value(write) -> str:
    if write[0] == "number":
        return repr(write[1])
    grad = ", requires_grad=True" if write[3] else ""
    return f"torch.tensor({write[1]}, dtype=torch.{write[2]}{grad})"


# -- drawing -------------------------------------------------------------------------------------
def _values(rng: random.Random, shape, dtype):
    count = int(np.prod(shape, dtype=np.int64))
    if dtype == "bool":
        flat = [rng.random() < 0.5 for _ in range(count)]
    elif dtype == "int64":
        flat = [rng.randint(-5, 9) for _ in range(count)]
    else:
        flat = [round(rng.uniform(-3, 3), 2) for _ in range(count)]
    return np.array(flat, dtype=object).reshape(shape).tolist() if shape else flat[0]


def _int(rng, size):
    if size == 0 or rng.random() < 0.08:  # out of range now and then
        return rng.choice((size, -size - 1, size + 2))
    return rng.randint(-size, size - 1)


def _consuming_part(rng: random.Random, sizes):
    """A part that indexes the dims ``sizes`` (one, or more for a mask): returns (part, dims)."""
    size = sizes[0] if sizes else 1
    kind = rng.choices(
        ("int", "slice", "t0", "t1", "tn", "mask", "ints", "bools", "float"),
        (14, 14, 12, 10, 5, 8, 7, 5, 2))[0]
    if kind == "int":
        return ("int", _int(rng, size)), 1
    if kind == "slice":
        bounds = (None, None, None) + tuple(range(-size - 1, size + 2))
        step = rng.choice((None, None, 1, 2, 3, 3)) if rng.random() > 0.02 else rng.choice((0, -1))
        return ("slice", rng.choice(bounds), rng.choice(bounds), step), 1
    if kind == "t0":
        return ("tensor", _int(rng, size), "int64", False), 1
    if kind in ("t1", "ints"):
        picks = [_int(rng, size) for _ in range(rng.choice((0, 1, 2, 2, 3)))]
        if kind == "ints" and not picks:
            picks = [_int(rng, size)]
        return (("tensor", picks, "int64", False) if kind == "t1" else ("list", picks)), 1
    if kind == "tn":
        shape = rng.choice(((2, 2), (1, 3), (2, 1, 2), (3, 1)))
        return ("tensor", np.array([_int(rng, size) for _ in range(int(np.prod(shape)))])
                .reshape(shape).tolist(), "int64", False), 1
    if kind in ("mask", "bools"):
        ndim = 1 if kind == "bools" else rng.choice((1, 1, 2))
        shape = list(sizes[:ndim]) or [1]
        if rng.random() < 0.06:  # the wrong length
            shape[-1] += rng.choice((-1, 1)) if shape[-1] else 1
        values = _values(rng, tuple(shape), "bool")
        return (("list", values) if kind == "bools" else ("tensor", values, "bool", False)), len(
            shape)
    grad = rng.random() < 0.5
    return ("tensor", _values(rng, rng.choice(((), (2,))), "float32"), "float32", grad), 1


def _spare_part(rng: random.Random):
    """A part that indexes no dim of x: None, a Python bool or a 0-d bool tensor."""
    kind = rng.choices(("none", "bool", "t0bool"), (5, 2, 3))[0]
    if kind == "none":
        return ("none",)
    flag = rng.random() < 0.6
    return ("bool", flag) if kind == "bool" else ("tensor", flag, "bool", False)


def _consuming_parts(rng, shape, dims):
    parts, dim = [], dims[0] if dims else 0
    end = dims[1] if dims else 0
    while dim < end or (rng.random() < 0.05 and len(parts) < 4):  # sometimes one too many
        part, used = _consuming_part(rng, shape[dim:])
        parts.append(part)
        dim += used
    return parts


def draw_program(rng: random.Random) -> IndexProgram:
    ndim = rng.choices((0, 1, 2, 3), (1, 4, 5, 3))[0]
    shape = tuple(rng.choice((0, 1, 2, 3, 3, 4)) if rng.random() < 0.1 else rng.choice((1, 2, 3, 4))
                  for _ in range(ndim))
    dtype = rng.choices(("float32", "float64", "int64"), (6, 3, 1))[0]
    roles = ("leaf", "viewleaf", "nonleaf", "nonleaf", "view", "plain")
    role = rng.choice(roles) if dtype != "int64" else "plain"
    used = rng.randint(0, ndim)
    if rng.random() < 0.25:  # an Ellipsis: some parts index the leading dims, some the last
        front = rng.randint(0, used)
        parts = _consuming_parts(rng, shape, (0, front)) + [("ellipsis",)] + _consuming_parts(
            rng, shape, (ndim - (used - front), ndim))
    else:
        parts = _consuming_parts(rng, shape, (0, used))
    for _ in range(rng.choices((0, 1, 2), (6, 3, 1))[0]):
        parts.insert(rng.randint(0, len(parts)), _spare_part(rng))
    if not parts:
        parts = [_consuming_part(rng, shape)[0] if ndim else _spare_part(rng)]
    bare = len(parts) == 1 and rng.random() < 0.7
    if len(parts) > 1 and rng.random() < 0.08:  # x[[0, [1, 2]]]: a list read as a tuple
        parts, bare = [("seq", parts)], True
    program = IndexProgram(shape, dtype, _values(rng, shape, dtype), role, parts, bare, None)
    if rng.random() < 0.4:
        program.write = _draw_write(rng, program)
    return program


def _draw_write(rng: random.Random, program: IndexProgram):
    """A value for ``x[key] = value``: a number, or a tensor whose shape broadcasts to the place
    written (read from the engine), now and then one that does not."""
    if rng.random() < 0.3:
        number = _values(rng, (), program.dtype if rng.random() < 0.8 else "int64")
        return ("number", number)
    import engine

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a list read as a tuple: warned about when run
            place = list(run_key(engine, program, engine.zeros(program.shape)).shape)
    except Exception:  # noqa: BLE001 - an invalid key: any value will do
        place = [rng.randint(1, 3)]
    shape = [1 if rng.random() < 0.3 else n for n in place[rng.randint(0, len(place)):]]
    if rng.random() < 0.2:
        shape = [1] + shape
    if rng.random() < 0.08:
        shape = shape + [rng.randint(2, 3)]
    dtype = program.dtype if rng.random() < 0.85 else rng.choice(("float32", "float64", "int64"))
    grad = dtype != "int64" and rng.random() < 0.6
    return ("tensor", _values(rng, tuple(shape), dtype), dtype, grad)


# -- running -------------------------------------------------------------------------------------
def build_part(T, part):
    kind = part[0]
    if kind in ("int", "bool", "list"):
        return part[1]
    if kind == "slice":
        return slice(*part[1:])
    if kind == "tensor":
        return T.tensor(part[1], dtype=getattr(T, part[2]), requires_grad=part[3])
    if kind == "seq":
        return [build_part(T, p) for p in part[1]]
    return None if kind == "none" else Ellipsis


def run_key(T, program: IndexProgram, x):
    parts = [build_part(T, p) for p in program.parts]
    return x[parts[0] if program.bare else tuple(parts)]
