"""Regression guard for PySide6 6.12.0 on CPython 3.11: it dropped a reference to ``True`` on
every ``Signal.emit()`` and to ``None`` on every void C++ call, and the process died with
"Fatal Python error: bool_dealloc" after a few thousand signals. The dependency pin keeps that
release out; this test fails (instead of killing the test run) if a future bump lets it back in.
"""

from __future__ import annotations

import os
import subprocess
import sys

CALLS = 100_000
SLACK = 50  # unrelated code may hold a few references; the bug loses one per call

PROBE = f"""
import sys
from PySide6.QtCore import QCoreApplication, QObject, Signal

class Emitter(QObject):
    fired = Signal(int)

app = QCoreApplication([])
emitter = Emitter()
received = []
emitter.fired.connect(received.append)
true_before, none_before = sys.getrefcount(True), sys.getrefcount(None)
for i in range({CALLS}):
    emitter.fired.emit(i)
true_after = sys.getrefcount(True)
for _ in range({CALLS}):
    emitter.setObjectName("x")  # a void C++ call returning None
none_after = sys.getrefcount(None)
print(len(received), true_after - true_before, none_after - none_before)
"""


def test_signals_and_void_calls_keep_refcounts_of_true_and_none():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         env=env, timeout=120)
    assert run.returncode == 0, f"PySide6 crashed (refcount bug?): {run.stderr[-500:]}"
    received, true_drift, none_drift = (int(word) for word in run.stdout.split())
    assert received == CALLS
    assert abs(true_drift) < SLACK, f"refcount of True drifted by {true_drift}"
    assert abs(none_drift) < SLACK, f"refcount of None drifted by {none_drift}"
