"""File menu behaviour: ask for a path, call the window's method, report a failure clearly.

A file that cannot be read or written is one message box with the reason; the open session is
left exactly as it was. The save dialogs ask before overwriting (Qt's own confirmation; and
we ask when the suffix we add names a file the dialog did not ask about). Every file is written
through a temporary file and ``os.replace``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from playground.session.lessons import LessonError
from playground.session.persist import SUFFIX

SESSION_FILTER = f"Tensor Playground sessions (*{SUFFIX})"
_READ_ERRORS = (OSError, ValueError, LessonError)


def save_image_atomically(image, path) -> bool:
    """``image.save`` (a QImage or QPixmap) through a temporary file in the same folder, so an
    existing picture is replaced whole or not at all; False when Qt could not write it."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=path.suffix)
    os.close(handle)
    try:
        if not image.save(temporary):  # the format follows the suffix, as for ``path``
            return False
        os.replace(temporary, path)
        return True
    finally:
        Path(temporary).unlink(missing_ok=True)


class FileActions:
    """The dialogs in front of ``MainWindow``'s file methods."""

    def __init__(self, window):
        self.window = window

    def _fail(self, what: str, error: Exception) -> None:
        message = str(error)
        if isinstance(error, OSError) and error.strerror:
            message = f"{error.filename or ''}: {error.strerror}".lstrip(": ")
        QMessageBox.warning(self.window, "Tensor Playground", f"{what}\n\n{message}")
        self.window.show_status(f"{what} {message}", True)

    def _land_actions(self) -> None:
        """Land the big action computing off the GUI thread, and those queued behind it, so
        that what is written is what the learner asked for (up to ~100 ms per action)."""
        controls = self.window.controls
        if controls.busy:
            self.window.show_status("Finishing the actions still computing before writing…")
            self.window.status_label.repaint()  # the event loop does not run until they land
            controls.finish()

    def _start_dir(self) -> str:
        return str(self.window.path.parent) if self.window.path else str(Path.home())

    def new(self) -> None:
        if self.window.confirm_discard():
            self.window.new_session()

    def open(self) -> None:
        if not self.window.confirm_discard():
            return
        path, _ = QFileDialog.getOpenFileName(self.window, "Open session", self._start_dir(),
                                              f"{SESSION_FILTER};;All files (*)")
        if path:
            self.open_path(path)

    def open_path(self, path: str) -> bool:
        try:
            self.window.open_session(path)
        except _READ_ERRORS as error:
            self._fail("This session could not be opened.", error)
            return False
        self.window.show_status(f"Opened {path}")
        return True

    def open_lesson(self, name: str) -> None:
        if not self.window.confirm_discard():
            return
        try:
            self.window.load_lesson(name)
        except _READ_ERRORS as error:
            self._fail(f"The lesson {name} could not be opened.", error)

    def save(self) -> bool:
        if self.window.path is None:
            return self.save_as()
        return self._save_to(self.window.path)

    def save_as(self) -> bool:
        suggested = str(Path(self._start_dir()) / f"session{SUFFIX}")
        path, _ = QFileDialog.getSaveFileName(self.window, "Save session", suggested,
                                              SESSION_FILTER)
        if not path:
            return False
        if not path.endswith(SUFFIX):
            path += SUFFIX
            # The dialog asked about the name typed, not this one.
            if Path(path).exists() and not self._confirm_overwrite(Path(path)):
                return False
        return self._save_to(Path(path))

    def _confirm_overwrite(self, path: Path) -> bool:
        answer = QMessageBox.question(
            self.window, "Tensor Playground", f"{path.name} already exists. Replace it?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _save_to(self, path: Path) -> bool:
        self._land_actions()
        try:
            self.window.save_session(path)
        except OSError as error:
            self._fail("The session could not be saved.", error)
            return False
        self.window.show_status(f"Saved {path}")
        return True

    def _ask_export_path(self, title: str, suffix: str, file_filter: str) -> str:
        stem = self.window.path.name.removesuffix(SUFFIX) if self.window.path else "session"
        suggested = str(Path(self._start_dir()) / f"{stem}{suffix}")
        path, _ = QFileDialog.getSaveFileName(self.window, title, suggested, file_filter)
        return path

    def export_script(self, engine: bool = False) -> None:
        title = "Export engine script" if engine else "Export PyTorch script"
        path = self._ask_export_path(title, ".py", "Python scripts (*.py)")
        if path:
            self._export(lambda: self.window.export_script(path, engine=engine), path)

    def export_notebook(self) -> None:
        path = self._ask_export_path("Export notebook", ".ipynb", "Jupyter notebooks (*.ipynb)")
        if path:
            self._export(lambda: self.window.export_notebook(path), path)

    def export_heatmaps(self) -> None:
        path = self._ask_export_path("Export heatmaps", ".png", "PNG images (*.png)")
        if path:
            self._export(lambda: self.window.export_heatmaps(path), path)

    def _export(self, write, path: str) -> None:
        self._land_actions()
        try:
            written = write()
        except (OSError, ValueError, ImportError) as error:
            self._fail("The export failed.", error)
            return
        if written is False:  # an image Qt could not write says so only by returning False
            self._fail("The export failed.", OSError(0, "the image could not be written", path))
            return
        self.window.show_status(f"Exported {path}")

    def import_snippet(self) -> None:
        if not self.window.confirm_discard():
            return
        path, _ = QFileDialog.getOpenFileName(self.window, "Import PyTorch snippet",
                                              self._start_dir(), "Python files (*.py)")
        if not path:
            return
        try:
            self.window.import_snippet(path)
        except (OSError, ValueError, SyntaxError, ImportError) as error:
            self._fail("This snippet could not be imported.", error)
