"""Building a Jacobian walk by walk, so that a big one can be built off the GUI thread, with
progress and Cancel. No Qt here.

``jacobian_walks`` yields after every walk: one backward walk per output element (a row of J),
or, when the input has fewer elements than the output, one forward walk per input element (a
column), whichever takes fewer walks. ``JacobianJob`` runs it on a daemon thread that owns its
own graph (a fresh leaf, constants copied by ``pipeline_function``; the engine's grad mode is
per thread), and only sets plain attributes that the panel polls: no Qt object crosses threads.
"""

from __future__ import annotations

import threading
import time

import numpy as np

import engine
from engine.forward_ad import TangentGraph, recording
from playground.session.text import error_text


def jacobian_walks(func, point, rows: int):
    """Yield ``(walks done, walks in all, J so far)`` while building J of ``func`` at ``point``.

    ``rows`` is the output's number of elements. J is ``(rows, point.numel())``, rows and
    columns row-major as in ``engine.autograd.functional.jacobian_matrix``; a walk fills one row
    (reverse mode) or one column (forward mode) of the same array.
    """
    cols = point.numel()
    data = point.detach().numpy()
    leaf = engine.tensor(data.copy(), requires_grad=True)
    if rows <= cols:
        yield from _rows(func, leaf, rows, cols)
    else:
        yield from _columns(func, leaf, rows, cols)


def _rows(func, leaf, rows, cols):
    with engine.enable_grad():
        out = func(leaf)
    matrix = np.zeros((rows, cols), dtype=data_dtype(leaf))
    if not out.requires_grad:  # the output does not depend on the leaf: J is zero
        yield rows, rows, matrix
        return
    shape, dtype = tuple(out.shape), data_dtype(out)
    for row in range(rows):
        seed = np.zeros(rows, dtype=dtype)
        seed[row] = 1
        (grad,) = engine.autograd.grad(out, leaf, engine.tensor(seed.reshape(shape)),
                                       retain_graph=True, allow_unused=True)
        if grad is not None:
            matrix[row] = grad.numpy().reshape(-1)
        yield row + 1, rows, matrix


def _columns(func, leaf, rows, cols):
    with recording():
        out = func(leaf)
    matrix = np.zeros((rows, cols), dtype=data_dtype(out))
    graph = TangentGraph([leaf], [out])
    try:
        shape, dtype = tuple(leaf.shape), data_dtype(leaf)
        for col in range(cols):
            seed = np.zeros(cols, dtype=dtype)
            seed[col] = 1
            (tangent,) = graph.push([seed.reshape(shape)])
            if tangent is not None:
                matrix[:, col] = np.asarray(tangent).reshape(-1)
            yield col + 1, cols, matrix
    finally:
        graph.release()


def build_all(walks) -> np.ndarray:
    """Run ``jacobian_walks`` to the end on this thread (for a small J)."""
    matrix = None
    for _, _, built in walks:
        matrix = built
    return matrix


class JacobianJob:
    """``jacobian_walks`` on a daemon thread; ``done``/``total`` count walks, ``matrix`` is J
    once ``finished`` (None if cancelled or failed), ``error`` the exception's text."""

    def __init__(self, walks):
        self.done, self.total = 0, 0
        self.matrix: np.ndarray | None = None
        self.error: str | None = None
        self.seconds = 0.0
        self._walks = walks
        self._cancel = threading.Event()
        self.finished = threading.Event()
        self.thread = threading.Thread(target=self._run, name="jacobian", daemon=True)

    def start(self) -> JacobianJob:
        self.thread.start()
        return self

    def cancel(self) -> None:
        """Stop after the walk under way; ``matrix`` stays None."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def _run(self) -> None:
        start = time.perf_counter()
        try:
            matrix = None
            for done, total, built in self._walks:
                self.done, self.total, matrix = done, total, built
                if self._cancel.is_set():
                    return
            self.matrix = matrix
        except Exception as error:  # noqa: BLE001 - shown in the panel; never kills the app
            self.error = error_text(error)
        finally:
            self._walks.close()  # a forward-mode graph releases its arrays
            self.seconds = time.perf_counter() - start
            self.finished.set()


def data_dtype(tensor) -> np.dtype:
    return tensor.detach().numpy().dtype
