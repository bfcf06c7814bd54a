"""Starting the window: for ``python main.py``, for tests, and headless for screenshots.

``create_window`` needs a running ``QApplication``; ``run_window`` makes one, opens what the
command line named (the ``seed-notebook`` lesson by default), optionally takes some step actions
and saves a screenshot instead of staying open.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from playground.session import Document, Session

# The --do names and the step actions they trigger.
DO_ACTIONS = {
    "forward": "actionForward",
    "backward": "actionBackward",
    "backward_again": "actionBackwardAgain",
    "zero_grad": "actionZeroGrad",
    "detach": "actionDetach",
    "retain_grad": "actionRetainGrad",
    "next": "actionNextLessonStep",
}


def application():
    """The running ``QApplication``, made (with its name, for QSettings) if there is none."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    app.setOrganizationName("TensorPlayground")
    app.setApplicationName("Tensor Playground")
    return app


def create_window(session: Session | None = None, remember_layout: bool = True):
    """The main window over ``session`` (an empty session by default); a QApplication must exist.
    """
    import PySide6  # noqa: F401  (imported before pyqtgraph so it picks this binding)

    from .main_window import MainWindow

    return MainWindow(session, remember_layout=remember_layout)


def do_actions(window, names: Sequence[str]) -> None:
    """Trigger step actions by their ``--do`` names (``forward``, ``backward``, ...)."""
    from PySide6.QtGui import QAction

    for name in names:
        name = name.strip()
        if not name:
            continue
        if name not in DO_ACTIONS:
            raise ValueError(f"--do: unknown action {name!r} (known: {', '.join(DO_ACTIONS)})")
        object_name = DO_ACTIONS[name]
        if name == "next":
            window.lesson_panel.take_next_step()
        else:
            window.findChild(QAction, object_name).trigger()
    window.controls.finish()  # big ones run on a worker thread: land them before a screenshot


def save_screenshot(window, path: str) -> None:
    """Render the window as shown and write it to ``path`` (PNG by the suffix)."""
    from PySide6.QtWidgets import QApplication

    from .dock_tabs import hide_stray_tab_bars

    window.show()
    for _ in range(3):  # let docks lay out and deferred repaints (the Code panel) run
        QApplication.processEvents()
    hide_stray_tab_bars(window)
    if not window.grab().save(str(path)):
        raise OSError(f"{path}: the screenshot could not be written")


def open_document(window, document: Document | None, lesson: str | None,
                  session_path: str | None) -> None:
    """Show what the command line asked for; nothing named means the default lesson."""
    from playground.session.lessons import LessonError

    from .main_window import DEFAULT_LESSON

    if session_path:
        window.open_session(session_path)
    elif lesson or document is None:
        try:
            window.load_lesson(lesson or DEFAULT_LESSON)
        except LessonError:
            if lesson:
                raise
            # No default lesson shipped (yet): an empty session is the honest start.
    else:
        window.new_session()
        window.session.set_document(document)


def run_window(document: Document | None = None, lesson: str | None = None,
               session_path: str | None = None, actions: Sequence[str] = (),
               screenshot: str | None = None, theme: str | None = None) -> int:
    """Open the window; with ``screenshot`` render it offscreen after ``actions`` and exit.

    ``theme`` (``light``/``dark``) is used for this run only; a screenshot is light unless told
    otherwise, so the README's picture does not depend on the theme last chosen in the window.
    """
    if screenshot and "QT_QPA_PLATFORM" not in os.environ:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    app = application()
    window = create_window(remember_layout=not screenshot)
    if theme or screenshot:
        window.set_theme(theme or "light", remember=False)
    if screenshot:
        open_document(window, document, lesson, session_path)
    else:
        from .autosave import Autosave, offer_recovery

        named = document is not None or lesson or session_path
        if named or not offer_recovery(window):
            open_document(window, document, lesson, session_path)
        autosave = Autosave(window)
        window.closed_cleanly.connect(autosave.discard)
    do_actions(window, actions)
    if screenshot:
        window.resize(1280, 800)
        save_screenshot(window, screenshot)
        window.session.mark_saved()  # a screenshot run has nothing to ask about on close
        window.close()
        return 0
    from .crash_guard import CrashGuard

    guard = CrashGuard(window)
    guard.install()
    window.show()
    try:
        return app.exec()
    finally:
        guard.uninstall()
