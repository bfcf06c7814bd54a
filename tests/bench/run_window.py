"""Window benchmarks: ``python -m tests.bench.run_window [--quick] [--only ROWS] [--json OUT]``.

Prints a table of medians and writes JSON (``bench-results/window.json``). Reports, never
asserts: CI runs ``--quick`` (under a minute) so the suite keeps working. Runs offscreen.

What is measured
----------------
start-up
    Wall time from starting a child process to the first ``ImageItem`` paint, for the app with
    the seed lesson and for a bare PySide6 + pyqtgraph window with one ``ImageItem``
    (``window_start.py``); the two alternate, and the ratio is taken pair by pair. The app's
    child also says whether ``torch`` was imported (it must not be). One untimed start of each
    comes first, and the children may write ``__pycache__`` (as a user's Python does).
an action → repainted
    The time from triggering the action (the ``QAction`` a click triggers; the text typed into
    the editor's cell; ``session.select``, which a click on a timeline row calls) until the
    event loop is idle again: the session recomputes, its
    signals reach the views, the views' coalescing timers fire, and ``processEvents`` delivers
    the paint events Qt sends for the regions that changed (offscreen, widgets still paint
    into the backing store). "Idle" is a ``processEvents`` pass that takes under 1 ms after at
    least two passes. ``paints`` is how many ``QEvent.Paint`` were delivered in that time, to
    show that views did repaint; ``longest_block_ms`` is the longest stretch the GUI thread did
    not return to the event loop (the action itself, or one ``processEvents`` pass).
    A forward or backward on big tensors (the 2048² pipeline) is computed on a worker thread:
    the pipeline rows wait until it has landed and its views have repainted, waiting for
    events meanwhile as the event loop does, so the time is still click → repainted and
    ``longest_block_ms`` the longest the window did not answer.
    Panels tabbed behind another (Graph, Backward step by step, Jacobian, by default) are not
    visible; rows marked "tab raised" show the same action with that tab in front. The seed
    lesson shows its Lesson panel in front of the Console; the other sessions show the Console.
    "Backward after 1,000 actions" appends to the long timeline with the Console in front (it
    shows the last actions of the transcript; a "show more" link brings earlier ones).
    "autosaving each" types cells into a 2048² literal leaf with autosave after every edit:
    the recovery file is written on a worker thread, so a round may overlap the write of an
    earlier one; the first write of the leaf formats all its numbers (seconds), later ones
    reuse the unchanged rows. The rounds here all fall within that first write.
memory
    ``VmRSS`` of a child process showing a 1,000-action session of 64×64 tensors.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "1")

import numpy as np  # noqa: E402

from tests.bench import window_sessions as sessions  # noqa: E402


def child_environment() -> dict:
    # A user's Python keeps compiled modules (__pycache__); CI sets PYTHONDONTWRITEBYTECODE,
    # which would make every child compile the app's ~200 modules again (~0.4 s) while
    # pyqtgraph's, installed by pip, come precompiled: start-up is timed as a user sees it.
    environment = dict(os.environ)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    return environment


def _child(mode: str) -> tuple[float, dict]:
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "tests.bench.window_start", mode],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=child_environment())
    line = process.stdout.readline()
    elapsed = time.perf_counter() - start
    _, errors = process.communicate()
    if not line.startswith("{"):
        raise RuntimeError(f"window_start {mode} failed:\n{errors[-2000:]}")
    return elapsed, json.loads(line)


def bench_start(rounds: int) -> dict:
    bare, app, ratios, torch_seen = [], [], [], False
    _child("bare"), _child("app")  # not timed: writes the compiled modules, warms the disk cache
    for _ in range(rounds):
        bare_s, _ = _child("bare")
        app_s, report = _child("app")
        bare.append(bare_s)
        app.append(app_s)
        ratios.append(app_s / bare_s)
        torch_seen |= report.get("torch_imported", True)
    return {"workload": "process start -> seed lesson painted",
            "median_ms": round(statistics.median(app) * 1e3),
            "bare_window_ms": round(statistics.median(bare) * 1e3),
            "vs_bare": round(statistics.median(ratios), 2), "torch_imported": torch_seen,
            "target": "<= 1.3x bare; no torch"}


def bench_memory() -> dict:
    _, report = _child("memory")
    return {"workload": "1,000 actions on 64x64, resident", "rss_mb": report["rss_mb"],
            "rss_empty_window_mb": report["rss_empty_mb"], "load_ms": report["load_s"] * 1e3,
            "target": "<= 200 MB"}


class Window:
    """The app's window in this process, with the helpers that time an action until idle."""

    def __init__(self):
        from PySide6.QtCore import QEvent, QObject

        from playground.qt.app import application, create_window

        self.app = application()
        self.window = create_window(remember_layout=False)
        self.window.resize(1280, 800)
        self.window.show()

        class PaintCounter(QObject):
            count = 0

            def eventFilter(self, _watched, event):  # noqa: N802 - Qt's name
                if event.type() == QEvent.Type.Paint:
                    self.count += 1
                return False

        self.counter = PaintCounter()
        self.app.installEventFilter(self.counter)
        self.settle()

    def settle(self, busy=lambda: False) -> float:
        """Process events until idle; returns the longest single pass, in seconds.

        While ``busy()`` (an action computed on a worker thread has not landed) a pass waits
        for the next event, as the event loop does (the window's 2 ms poll of the worker is
        one), so such a pass may count up to 2 ms of waiting as blocked."""
        from PySide6.QtCore import QEventLoop

        longest, passes, wait = 0.0, 0, QEventLoop.ProcessEventsFlag.WaitForMoreEvents
        while passes < 50:
            start = time.perf_counter()
            if busy():
                self.app.processEvents(wait)
                passes = 0
            else:
                self.app.processEvents()
            took = time.perf_counter() - start
            longest, passes = max(longest, took), passes + 1
            if passes >= 2 and took < 1e-3:
                break
        return longest

    def trigger(self, name: str) -> None:
        from PySide6.QtGui import QAction

        self.window.findChild(QAction, name).trigger()

    def busy(self) -> bool:
        """A step action is computing off the GUI thread or queued behind one."""
        return self.window.controls.busy

    def time(self, act, rounds: int, busy=lambda: False, reset=None) -> dict:
        """Median of ``act()`` + settle (until not ``busy()``), with the paint count and the
        longest block; ``reset()``, untimed, before each round."""
        times, blocks, paints = [], [], []
        for _ in range(rounds):
            if reset is not None:
                reset()
            self.counter.count = 0
            start = time.perf_counter()
            act()
            acted = time.perf_counter() - start
            longest = self.settle(busy)
            times.append(time.perf_counter() - start)
            blocks.append(max(acted, longest))
            paints.append(self.counter.count)
        return {"median_ms": round(statistics.median(times) * 1e3, 1),
                "min_ms": round(min(times) * 1e3, 1),
                "longest_block_ms": round(max(blocks) * 1e3, 1),
                "paints": int(statistics.median(paints)), "rounds": rounds}

    def load(self, document, raise_dock: str = "heatmaps") -> None:
        from playground.qt.step_dialogs import BackwardSettings

        self.window.new_session()
        self.window.session.set_document(document)
        self.window.docks["console"].raise_()  # as a window opening a session shows it
        if document.steps:
            self.window.controls.backward_settings = BackwardSettings(
                document.steps[-1].name, sessions.backward_of(document).seed, True)
        self.raise_dock(raise_dock)

    def raise_dock(self, key: str) -> None:
        self.window.docks[key].raise_()
        for _ in range(3):  # cards of the heatmaps are built in idle moments: finish them
            self.settle()


def bench_seed_backward(window: Window, rounds: int, tab: str = "heatmaps") -> dict:
    window.window.load_lesson("seed-notebook")
    window.raise_dock(tab)
    window.trigger("actionForward")
    window.settle()
    window.trigger("actionBackward")  # the first backward builds cards and outlines: warm up
    window.settle()
    row = window.time(lambda: window.trigger("actionBackward"), rounds)
    shown = "" if tab == "heatmaps" else f", {tab} tab raised"
    return {"workload": f"Backward, seed lesson{shown}", **row, "target": "<= 16 ms"}


def bench_pipeline_backward(window: Window, rounds: int, size: int, target: str) -> dict:
    window.load(sessions.pipeline_document(size))
    window.trigger("actionForward")
    window.settle(window.busy)
    window.trigger("actionBackward")
    window.settle(window.busy)
    # A big backward is computed on a worker thread: timed until it has landed and repainted.
    row = window.time(lambda: window.trigger("actionBackward"), rounds, window.busy)
    return {"workload": f"Backward, 10-step pipeline {size}x{size}", **row, "target": target}


def _cell_typer(window: Window, document, leaf: str, row: int, column: int):
    """Load ``document`` with the editor in front showing ``leaf``; returns a function that
    types the next of a run of values into cell (row, column)."""
    window.load(document)
    window.window.selection.select(leaf)
    window.raise_dock("editor")
    editor = window.window.editor
    values = iter(np.linspace(0.5, 0.9, 1000).tolist())

    def type_one_cell():
        if not editor.edit_cell_text(row, column, repr(next(values))):
            raise RuntimeError("the cell edit was refused")

    return type_one_cell


def bench_cell_edit(window: Window, rounds: int) -> dict:
    type_one_cell = _cell_typer(window, sessions.literal_leaf_document(64), "w", 5, 7)
    type_one_cell()
    window.settle()
    row = window.time(type_one_cell, rounds)
    return {"workload": "typing one cell of a 64x64 leaf", **row, "target": "<= 16 ms"}


def bench_big_cell_edit(window: Window, rounds: int) -> dict:
    """The first cell typed into the 2048² pipeline's random leaf ``x`` (it becomes literal
    values), a forward and a backward on the timeline: the replay runs on the worker thread;
    timed until it has landed and repainted. Undone, untimed, before each round."""
    from playground.session import Action

    document = sessions.pipeline_document(2048)
    actions = (Action(kind="forward"), sessions.backward_of(document))
    type_first_cell = _cell_typer(window, document.model_copy(update={"actions": actions}),
                                  "x", 3, 4)

    def undo():
        while window.window.undo_stack.canUndo():
            window.trigger("actionUndo")
            window.settle(window.busy)

    row = window.time(type_first_cell, rounds, window.busy, reset=undo)
    return {"workload": "first cell typed into the 2048x2048 pipeline's random leaf", **row,
            "target": "no block > 100 ms"}


def bench_autosaved_cell_edit(window: Window, rounds: int) -> dict:
    """Cells typed into a 2048² literal leaf with autosave after every edit (the app's is
    every 5): the recovery file is written each time, into a temporary folder."""
    import tempfile
    from pathlib import Path

    from playground.qt import autosave, crash_guard

    folder = Path(tempfile.mkdtemp(prefix="tpg-bench-"))
    crash_guard.recovery_path = lambda: folder / crash_guard.RECOVERY_NAME
    type_one_cell = _cell_typer(window, sessions.literal_leaf_document(2048), "w", 5, 7)
    saver = autosave.Autosave(window.window, every=1)
    row = window.time(type_one_cell, rounds)
    getattr(saver, "finish", lambda: None)()  # the write still running, if it runs apart
    saver.deleteLater()
    return {"workload": "typing cells of a 2048x2048 literal leaf, autosaving each", **row,
            "target": "no block > 100 ms"}


def bench_timeline_jump(window: Window, rounds: int) -> dict:
    document = sessions.long_timeline_document(1000, 64)
    start = time.perf_counter()
    window.load(document)
    loaded = time.perf_counter() - start
    session = window.window.session
    points = iter(np.random.default_rng(5).integers(0, len(session.outcomes), 1000).tolist())
    row = window.time(lambda: session.select(next(points)), rounds)
    return {"workload": "jump in a 1,000-action timeline", **row,
            "load_ms": round(loaded * 1e3), "target": "<= 50 ms"}


def bench_long_backward(window: Window, rounds: int) -> dict:
    """Backward at the end of the 1,000-action timeline, the Console in front: the views that
    follow the whole timeline (the Console's transcript, the Timeline's rows) must not cost
    more per action as it grows."""
    window.load(sessions.long_timeline_document(1000, 64))  # the Console in front, as in jump
    window.trigger("actionBackward")
    window.settle()
    row = window.time(lambda: window.trigger("actionBackward"), rounds)
    return {"workload": "Backward after 1,000 actions, Console in front", **row,
            "target": "<= 50 ms"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="under a minute, for CI")
    parser.add_argument("--only", default="", help="comma-separated keys of the rows to run "
                        "(start, seed, tabs, 512, 2048, cell, 2048cell, autosave, jump, "
                        "long, memory); all by default")
    parser.add_argument("--json", default="bench-results/window.json")
    args = parser.parse_args(argv)
    quick = args.quick
    rounds = 5 if quick else 15
    benches = {
        "start": lambda: [bench_start(2 if quick else 7)],
        "seed": lambda: [bench_seed_backward(window(), rounds)],
        "tabs": lambda: [bench_seed_backward(window(), 3 if quick else 9, tab)
                         for tab in ("graph", "stepper", "jacobian")],
        "512": lambda: [bench_pipeline_backward(window(), 3 if quick else 9, 512, "<= 50 ms")],
        "2048": lambda: [bench_pipeline_backward(window(), 2 if quick else 5, 2048,
                                                 "<= 150 ms; no block > 100 ms")],
        "cell": lambda: [bench_cell_edit(window(), rounds)],
        "2048cell": lambda: [bench_big_cell_edit(window(), 3 if quick else 7)],
        "autosave": lambda: [bench_autosaved_cell_edit(window(), 3 if quick else 7)],
        "jump": lambda: [bench_timeline_jump(window(), rounds * 2)],
        "long": lambda: [bench_long_backward(window(), rounds)],
        "memory": lambda: [bench_memory()],
    }
    made: list[Window] = []

    def window() -> Window:  # one window for every in-process row, made when first needed
        if not made:
            made.append(Window())
        return made[0]

    only = [key for key in args.only.split(",") if key] or list(benches)
    rows = []
    for key in only:
        rows += benches[key]()
    for row in rows:
        print(" | ".join(f"{k}={v}" for k, v in row.items()), flush=True)
    os.makedirs(os.path.dirname(args.json) or ".", exist_ok=True)
    with open(args.json, "w") as handle:
        json.dump({"machine": platform.platform(), "cpus": os.cpu_count(),
                   "python": sys.version.split()[0], "date": time.strftime("%Y-%m-%d"),
                   "quick": quick, "rows": rows}, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
