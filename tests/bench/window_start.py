"""The child processes of the window benchmarks: ``python -m tests.bench.window_start MODE``.

``bare``: a PySide6 + pyqtgraph window with one ``ImageItem`` (a 4×5 picture), shown.
``app``: the Tensor Playground window with the ``seed-notebook`` lesson, shown the way
``python main.py`` shows it (``create_window``, ``open_document``, 1280×800).
Both print one JSON line as soon as the first ``ImageItem`` has painted, then exit at once
(``os._exit``: tearing Qt down is not part of starting it). The parent times the line's arrival
from the moment it started the process, so interpreter start-up and imports are included.

``memory``: the app window with a 1,000-action session of 64×64 tensors loaded and drawn;
prints the resident memory (``VmRSS``) before and after loading it.
"""

from __future__ import annotations

import json
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _watch_image_paints(pg) -> dict:
    """Record when any ``ImageItem`` first paints (the same test for both windows)."""
    seen = {"painted": None}
    paint = pg.ImageItem.paint

    def recording_paint(item, painter, *args):
        if seen["painted"] is None:
            seen["painted"] = time.perf_counter()
        return paint(item, painter, *args)

    pg.ImageItem.paint = recording_paint
    return seen


def _show_until_painted(app, window, seen, limit: float = 60.0) -> None:
    window.show()
    deadline = time.perf_counter() + limit
    while seen["painted"] is None and time.perf_counter() < deadline:
        app.processEvents()


def bare() -> dict:
    import numpy as np  # noqa: I001  (PySide6 first, so pyqtgraph picks that binding)
    from PySide6.QtWidgets import QApplication

    import pyqtgraph as pg

    app = QApplication(sys.argv[:1])
    seen = _watch_image_paints(pg)
    window = pg.GraphicsLayoutWidget()
    box = window.addViewBox()
    box.addItem(pg.ImageItem(np.arange(20, dtype=np.float32).reshape(4, 5)))
    window.resize(1280, 800)
    _show_until_painted(app, window, seen)
    return {"painted": seen["painted"] is not None}


def app_window() -> dict:
    import PySide6  # noqa: F401, I001  (before pyqtgraph, as the app does)
    import pyqtgraph as pg

    from playground.qt.app import application, create_window, open_document

    app = application()
    seen = _watch_image_paints(pg)
    window = create_window(remember_layout=False)
    open_document(window, None, "seed-notebook", None)
    window.resize(1280, 800)
    _show_until_painted(app, window, seen)
    return {"painted": seen["painted"] is not None, "torch_imported": "torch" in sys.modules}


def memory() -> dict:
    from playground.qt.app import application, create_window
    from tests.bench.window_sessions import long_timeline_document

    app = application()
    window = create_window(remember_layout=False)
    window.resize(1280, 800)
    window.show()
    for _ in range(5):
        app.processEvents()
    empty = _rss_mb()
    document = long_timeline_document(1000, 64)
    start = time.perf_counter()
    window.session.set_document(document)
    for _ in range(5):
        app.processEvents()
    loaded = time.perf_counter() - start
    return {"rss_empty_mb": round(empty, 1), "rss_mb": round(_rss_mb(), 1),
            "load_s": round(loaded, 3), "actions": len(window.session.document.actions),
            "torch_imported": "torch" in sys.modules}


MODES = {"bare": bare, "app": app_window, "memory": memory}

if __name__ == "__main__":
    result = MODES[sys.argv[1]]()
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    os._exit(0)
