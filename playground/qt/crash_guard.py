"""Unexpected exceptions: save the learner's work first, then say what happened, keep running.

Installed by ``run_window`` as ``sys.excepthook``: a bug in a slot must not lose a session nor
close the window. The session is written to a recovery file in the platform's app-data folder
(``QStandardPaths``) before the dialog shows the details, which can be copied from it.
"""

from __future__ import annotations

import itertools
import sys
import threading
import traceback
from pathlib import Path
from typing import NamedTuple

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QMessageBox

from playground.session import Document, persist

RECOVERY_NAME = "recovery" + persist.SUFFIX


def recovery_path() -> Path:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(folder or Path.home() / ".tensor-playground") / RECOVERY_NAME


class Snapshot(NamedTuple):
    """What to write to the recovery file, taken on the GUI thread (cheap: the document is
    immutable records and arrays never written again), to be written on any thread."""

    number: int  # snapshots are numbered as taken: a later one is never overwritten
    document: Document
    path: Path


_numbers = itertools.count(1)
_writing = threading.Lock()  # the autosave's worker and the GUI thread take turns
_written: dict[Path, int] = {}  # the number of the snapshot in each file


def snapshot(window) -> Snapshot:
    """The window's session now (GUI thread). An action or edit still computing off the GUI
    thread, and the actions queued behind it, are taken as if done: they are work asked for."""
    return Snapshot(next(_numbers), window.controls.planned_document, recovery_path())


def write_recovery(taken: Snapshot) -> Path | None:
    """Write ``taken`` unless a later snapshot is in the file already; one write at a time.
    None when writing failed."""
    with _writing:
        if taken.number <= _written.get(taken.path, 0):
            return taken.path
        try:
            taken.path.parent.mkdir(parents=True, exist_ok=True)
            persist.save(taken.document, taken.path)
        except Exception:  # saving must never raise from inside the excepthook
            return None
        _written[taken.path] = taken.number
        return taken.path


def save_recovery(window) -> Path | None:
    """Write the window's session to the recovery file now, after any write in progress;
    None when even that fails."""
    try:
        taken = snapshot(window)
    except Exception:  # as in write_recovery: never raise from inside the excepthook
        return None
    return write_recovery(taken)


class CrashGuard:
    """``sys.excepthook`` for the window's process; ``install``/``uninstall`` swap it in."""

    def __init__(self, window):
        self.window = window
        self.previous = None
        self.showing = False

    def install(self) -> None:
        self.previous = sys.excepthook
        sys.excepthook = self.handle

    def uninstall(self) -> None:
        if self.previous is not None:
            sys.excepthook = self.previous

    def handle(self, kind, error, trace) -> None:
        details = "".join(traceback.format_exception(kind, error, trace))
        sys.stderr.write(details)
        if issubclass(kind, KeyboardInterrupt):
            self.window.close()
            return
        saved = save_recovery(self.window)
        if self.showing:
            return  # one dialog at a time, even if the error repeats on every repaint
        self.showing = True
        try:
            where = f"Your session was saved to {saved}." if saved else \
                "Saving a recovery copy failed too: use File ▸ Save As now."
            box = QMessageBox(QMessageBox.Icon.Critical, "Tensor Playground",
                              f"Something went wrong inside the playground (not in your "
                              f"PyTorch): {kind.__name__}: {error}\n\n{where}\n"
                              "The window keeps running.", parent=self.window)
            box.setDetailedText(details)  # selectable, so it can be copied into a bug report
            box.exec()
        finally:
            self.showing = False
