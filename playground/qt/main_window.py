"""The main window: every panel of a session in a dock, the step controls, files and lessons.

The window owns one ``Session`` for its whole life (New, Open and lessons replace its document),
one undo stack and one shared selection. Panels are views: they push commands and follow the
session's signals. The public methods here (``load_lesson``, ``open_session``, ...) are what the
menus call after asking for a path, and what tests and ``--screenshot`` call directly.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QMessageBox, QWidget

from playground.session import Document, Session, persist
from playground.session import lessons as lesson_files
from playground.session.export import script

from .code_panel import CodePanel
from .console_panel import ConsolePanel
from .dock_tabs import hide_stray_tab_bars
from .file_actions import save_image_atomically
from .icons import recolor_icons
from .lesson_guide import LessonGuide
from .lesson_panel import LessonPanel
from .menus import build_menus
from .optional_panels import LazyPanel, optional_panel
from .selection import Selection
from .step_controls import StepControls
from .step_dialogs import BackwardSettings
from .tensors_panel import TensorsPanel
from .theme import apply_theme, colors, current_theme
from .timeline_panel import TimelinePanel
from .undo import UndoStack

APP_NAME = "Tensor Playground"
DEFAULT_LESSON = "seed-notebook"
MAX_RECENT = 8
# When a lesson opens, the Timeline above it keeps about three rows (its buttons, then two-line
# rows of ~32 px) and the Lesson tab gets the rest of the column: a reveal under the steps
# must not squeeze them to a few rows.
LESSON_TIMELINE_HEIGHT = 185
# The right column's height at 1280x800 (timeline + lesson docks) before the window is laid out.
RIGHT_COLUMN_HEIGHT = 700


def write_text_atomically(path: str | Path, text: str) -> None:
    """Exports go through the same atomic write as sessions: never a half-written file."""
    persist.write_atomically(path, text)


class MainWindow(QMainWindow):
    """Tensor Playground's window.

    Parameters
    ----------
    session : the session to show (an empty one by default).
    settings : where layout, theme and recent files are remembered.
    remember_layout : restore and save the window layout (off for screenshots, which must look
        the same on every machine).
    """

    closed_cleanly = Signal()  # nothing unsaved is left behind: the recovery copy can go

    def __init__(self, session: Session | None = None, settings: QSettings | None = None,
                 remember_layout: bool = True):
        super().__init__()
        self.setObjectName("mainWindow")
        self.session = session or Session()
        self.settings = settings or QSettings()
        self.undo_stack = UndoStack(self, self.session)
        self.selection = Selection(self)
        self.path: Path | None = None
        self.guide = LessonGuide()
        self.docks: dict[str, QDockWidget] = {}
        self.remember_layout = remember_layout
        self._tidy_pending = False
        apply_theme(str(self.settings.value("theme", "light")))
        self.controls = StepControls(self.session, self.undo_stack, self.selection, self)
        self.controls.status.connect(self.show_status)
        # Qt lays the whole window out each time a dock's tab bar is made; with the layout
        # off while the docks are arranged, it is laid out once, when the window first shows.
        self.layout().setEnabled(False)
        self._build_panels()
        self.layout().setEnabled(True)
        build_menus(self)
        self.status_label = QLabel(self)
        self.statusBar().addWidget(self.status_label, 1)
        self.session.modified_changed.connect(self._on_modified_changed)
        self.session.definitions_changed.connect(self._on_definitions_changed)
        self._restore_layout()
        self._update_title()

    # -- panels --
    def _build_panels(self):
        args = (self.session, self.undo_stack, self.selection)
        self.tensors = TensorsPanel(*args)
        self.pipeline = optional_panel("pipeline_builder", "PipelineBuilder", "Pipeline", *args)
        # A tab behind the pipeline: built when first raised (or when ``editor`` is asked for).
        self._editor_slot = LazyPanel("tensor_editor", "TensorEditor", "Tensor editor", *args)
        self.heatmaps = optional_panel("heatmap", "HeatmapPanel", "Heatmaps", self.session,
                                       self.selection)
        self.timeline = TimelinePanel(self.session)
        self.console = ConsolePanel(self.session)
        self.code = CodePanel(self.session)
        self.lesson_panel = LessonPanel(self.session, self.controls, self.undo_stack)
        # The learning views of issue 5, tabbed with the heatmaps: graph, backward walk, Jacobian.
        # Each is built the first time its tab is raised (``.panel()`` builds it at once).
        views = (self.session, self.selection)
        self.learning_views = {
            "graph": ("Graph", LazyPanel("graph_view", "GraphView", "Graph", *views)),
            "stepper": ("Backward, step by step", LazyPanel(
                "backward_stepper", "BackwardStepper", "Backward, step by step", *views)),
            "jacobian": ("Jacobian", LazyPanel("jacobian_panel", "JacobianPanel",
                                               "Jacobian", *views)),
        }
        for key in ("graph", "stepper"):
            self.learning_views[key][1].panel_built.connect(self._link_stepper_to_graph)
        dock = self._dock
        right, left = Qt.DockWidgetArea.RightDockWidgetArea, Qt.DockWidgetArea.LeftDockWidgetArea
        tensors = dock("tensors", "① Tensors", self.tensors, left)
        heatmaps = dock("heatmaps", "③ Heatmaps: values and .grad", self.heatmaps, left)
        self.splitDockWidget(tensors, heatmaps, Qt.Orientation.Horizontal)
        for key, (title, widget) in self.learning_views.items():
            self.tabifyDockWidget(heatmaps, dock(key, title, widget, left))
        heatmaps.raise_()
        pipeline = dock("pipeline", "② Pipeline", self.pipeline, left)
        self.splitDockWidget(tensors, pipeline, Qt.Orientation.Vertical)
        # Three panels stacked in 800 px leave none room to work: the editor is a tab behind
        # the pipeline, raised by double-clicking a tensor.
        editor = dock("editor", "Tensor editor", self._editor_slot, left)
        self.tabifyDockWidget(pipeline, editor)
        pipeline.raise_()
        self.tensors.edit_requested.connect(self._on_edit_requested)
        timeline = dock("timeline", "Timeline", self.timeline, right)
        console = dock("console", "Console", self.console, right)
        code = dock("code", "Code", self.code, right)
        self.tabifyDockWidget(console, code)
        # Tabbed with the console, under the timeline; raised when a lesson opens.
        self.tabifyDockWidget(console, dock("lesson", "Lesson", self.lesson_panel, right))
        code.visibilityChanged.connect(self.code.on_shown)
        console.raise_()
        self.resizeDocks([tensors, heatmaps, timeline], [330, 600, 350],
                         Qt.Orientation.Horizontal)
        self.resizeDocks([tensors, pipeline], [360, 340], Qt.Orientation.Vertical)
        self.resizeDocks([timeline, console], [260, 440], Qt.Orientation.Vertical)

    @property
    def editor(self) -> QWidget:
        """The tensor editor (built now if its tab was never raised)."""
        return self._editor_slot.panel()

    def _link_stepper_to_graph(self, *_):
        """Once both tabs are built (each when first raised), the stepped backward pass
        outlines its node in the Graph tab and ticks those done."""
        graph, stepper = (self.learning_views[key][1] for key in ("graph", "stepper"))
        if graph.built and stepper.built:
            stepper_panel, graph_panel = stepper.panel(), graph.panel()
            if hasattr(stepper_panel, "connect_graph") and hasattr(graph_panel, "highlight"):
                stepper_panel.connect_graph(graph_panel)  # not placeholders

    def _on_edit_requested(self, name: str):
        self.selection.select(name)
        self.docks["editor"].show()
        self.docks["editor"].raise_()

    def _dock(self, key: str, title: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{key}")
        dock.setWidget(widget)
        if isinstance(widget, LazyPanel):  # built when its tab is first raised
            dock.visibilityChanged.connect(widget.on_dock_shown)
        dock.dockLocationChanged.connect(self._tidy_tab_bars)
        dock.topLevelChanged.connect(self._tidy_tab_bars)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(area, dock)
        self.docks[key] = dock
        return dock

    def _tidy_tab_bars(self, *_):
        # Once per turn of the event loop, however many docks moved or resized (building the
        # window asked 21 times, each walking every tab bar). With self as context, the call
        # is dropped if the window is deleted first.
        if not self._tidy_pending:
            self._tidy_pending = True
            QTimer.singleShot(0, self, self._tidy_now)

    def _tidy_now(self):
        self._tidy_pending = False
        hide_stray_tab_bars(self)

    def showEvent(self, event):
        super().showEvent(event)
        self._tidy_tab_bars()

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._tidy_tab_bars()

    # -- documents --
    def load_lesson(self, name: str) -> None:
        """Open a shipped lesson: its tensors and pipeline, and its actions as the guide."""
        document = lesson_files.load_lesson(name)  # LessonError lists the lessons there are
        plan = document.actions
        self._replace_document(document.model_copy(update={"actions": ()}), None)
        self.guide = LessonGuide(name, plan, document.title, document.note)
        self.lesson_panel.set_guide(self.guide)
        self.docks["lesson"].show()
        self.docks["lesson"].raise_()
        self._give_the_lesson_the_column()
        self.controls.use_lesson_defaults(plan)
        self._update_title()
        first = plan[0] if plan else None
        self.show_status("Lesson open: press Forward then Backward (Ctrl+B) and watch .grad, or "
                         "follow the notebook with Next lesson step" if first else "")

    def _give_the_lesson_the_column(self) -> None:
        """The Lesson tab takes most of the right column; the Timeline keeps a few rows."""
        timeline, lesson = self.docks["timeline"], self.docks["lesson"]
        if (timeline.isFloating() or lesson.isFloating() or not timeline.isVisibleTo(self)
                or self.dockWidgetArea(timeline) != self.dockWidgetArea(lesson)):
            return  # the learner moved them: their arrangement is theirs
        # Before the window is first laid out the docks have no real height yet.
        column = timeline.height() + lesson.height() if self.isVisible() else RIGHT_COLUMN_HEIGHT
        timeline_height = min(LESSON_TIMELINE_HEIGHT, column // 3)
        self.resizeDocks([timeline, lesson], [timeline_height, column - timeline_height],
                         Qt.Orientation.Vertical)

    def open_session(self, path: str | Path) -> None:
        """Open a ``.tpg.json``; ``SessionFileError`` (one line) leaves everything as it was."""
        document = persist.load(path)
        self._replace_document(document, Path(path))
        self.remember_recent(Path(path))

    def new_session(self) -> None:
        self._replace_document(Document(), None)

    def save_session(self, path: str | Path) -> None:
        if self.controls.busy:  # what is written is what was asked for: land it first
            self.controls.finish()
        persist.save(self.session.document, path)
        self.path = Path(path)
        self.session.mark_saved()
        self.remember_recent(self.path)
        self._update_title()

    def export_script(self, path: str | Path, engine: bool = False) -> None:
        write_text_atomically(path, script(self.session, engine=engine))

    def export_notebook(self, path: str | Path) -> None:
        from playground.session.notebook import write_notebook  # the session engineer's module

        write_notebook(self.session, str(path))

    def export_heatmaps(self, path: str | Path) -> bool:
        return save_image_atomically(self.heatmaps.grab(), path)

    def _replace_document(self, document: Document, path: Path | None,
                          saved: bool = True) -> None:
        self.guide = LessonGuide()
        self.lesson_panel.set_guide(self.guide)
        self.session.set_document(document, saved=saved)
        self.undo_stack.clear()
        self.path = path
        last = next((a for a in reversed(document.actions) if a.kind == "backward"), None)
        self.controls.backward_settings = BackwardSettings() if last is None else \
            BackwardSettings(last.target, last.seed, last.retain_graph)
        first = document.leaves[0].name if document.leaves else None
        self.selection.select(first)
        self._update_title()

    def restore_unsaved(self, document: Document) -> None:
        """Show recovered work: saved nowhere, so it is marked unsaved."""
        self._replace_document(document, None, saved=False)

    def import_snippet(self, path: str | Path) -> None:
        from playground.session.importer import import_file  # the session engineer's module

        # Imported work is saved nowhere yet: it starts as unsaved, so closing asks.
        self._replace_document(import_file(path), None, saved=False)

    # -- title, status and closing --
    def document_name(self) -> str:
        if self.path is not None:
            return self.path.name
        if self.guide.name:
            return f"Lesson: {self.guide.name}"
        return "Untitled"

    def _update_title(self):
        self.setWindowTitle(f"{self.document_name()}[*] — {APP_NAME}")
        self.setWindowModified(self.session.is_modified)

    def _on_modified_changed(self, modified: bool):
        self.setWindowModified(modified)

    def _on_definitions_changed(self):
        if self.selection.name and self.selection.name not in self.session.tensor_names(-1):
            self.selection.select(None)

    def show_status(self, message: str, is_error: bool = False) -> None:
        color = colors().error if is_error else colors().text
        self.status_label.setStyleSheet(f"color: {color}")
        self.status_label.setText(message)

    def confirm_discard(self) -> bool:
        """True when there is nothing unsaved, or the user saved or chose to discard it."""
        if not self.session.is_modified:
            return True
        if QGuiApplication.platformName() == "offscreen":
            return True  # rendering headless: nobody could answer, never hang waiting
        buttons = (QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                   | QMessageBox.StandardButton.Cancel)
        answer = QMessageBox.question(self, APP_NAME, f"Save the changes to "
                                      f"{self.document_name()}?", buttons,
                                      QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            return self.file_actions.save()
        return answer == QMessageBox.StandardButton.Discard

    def closeEvent(self, event):
        if self.confirm_discard():
            self._save_layout()
            self.closed_cleanly.emit()
            event.accept()
        else:
            event.ignore()

    # -- remembered between runs --
    def remember_recent(self, path: Path) -> None:
        recent = [str(path.resolve())] + [p for p in self.recent_files()
                                          if p != str(path.resolve())]
        self.settings.setValue("recentFiles", recent[:MAX_RECENT])

    def recent_files(self) -> list[str]:
        value = self.settings.value("recentFiles", [])
        return [value] if isinstance(value, str) else list(value or [])

    def set_theme(self, name: str, remember: bool = True) -> None:
        """Switch to the ``light`` or ``dark`` theme; ``remember`` it for the next start."""
        apply_theme(name)
        if remember:
            self.settings.setValue("theme", current_theme())
        recolor_icons(self)
        # Panels read theme colours when they draw: redraw them.
        for panel in (self.tensors, self.console, self.timeline, self.code, self.lesson_panel):
            panel.refresh()

    def _save_layout(self):
        if not self.remember_layout:
            return
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("windowState", self.saveState())

    def _restore_layout(self):
        geometry = self.settings.value("geometry") if self.remember_layout else None
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        state = self.settings.value("windowState") if self.remember_layout else None
        if state is not None:
            self.restoreState(state)
