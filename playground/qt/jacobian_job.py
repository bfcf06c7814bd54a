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

from engine.autograd.jacobian_matrix import jacobian_matrix_walks
from playground.session.text import error_text


def jacobian_walks(func, point, rows: int):
    """Yield ``(walks done, walks in all, J so far)`` while building J of ``func`` at ``point``.

    ``rows`` is the output's number of elements: J is built by backward walks, one per row,
    unless the input has fewer elements than that, then by forward walks, one per column
    (``engine.autograd.functional.jacobian_matrix_walks``). The walks run on a copy of
    ``point``, so the GUI thread may go on reading it.
    """
    strategy = "reverse-mode" if rows <= point.numel() else "forward-mode"
    return jacobian_matrix_walks(func, point.detach().clone(), strategy)


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

