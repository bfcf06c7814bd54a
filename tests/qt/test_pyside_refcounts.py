"""Regression guard for PySide6 6.12.0 on CPython 3.11: it dropped a reference to ``True`` on
every ``Signal.emit()`` and to ``None`` on every void C++ call, and the process died with
"Fatal Python error: bool_dealloc" after a few thousand signals. The dependency pin keeps that
release out; this test fails loudly if a future bump lets it back in."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

CALLS = 100_000
SLACK = 50  # unrelated code may hold a few references; the bug loses one per call


class _Emitter(QObject):
    fired = Signal(int)


def test_signal_emit_keeps_the_refcount_of_true(qtbot):
    emitter = _Emitter()
    received = []
    emitter.fired.connect(received.append)
    before = sys.getrefcount(True)
    for i in range(CALLS):
        emitter.fired.emit(i)
    assert abs(sys.getrefcount(True) - before) < SLACK
    assert len(received) == CALLS


def test_void_calls_keep_the_refcount_of_none(qtbot):
    holder = QObject()
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        holder.setObjectName("x")  # a void C++ call returning None
    assert abs(sys.getrefcount(None) - before) < SLACK
