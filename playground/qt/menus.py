"""Menus and toolbars of the main window: File, Edit, Steps, View, Lessons, Help.

Object names of the actions tests and scripts use are fixed here (``actionOpen``, ...); the
step actions come from ``StepControls``.
"""

from __future__ import annotations

import importlib.util
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox, QToolBar, QToolButton

from playground.session.lessons import lesson_names, lesson_title

from .file_actions import FileActions
from .icons import icon, set_icon
from .theme import current_theme


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def _action(window, text, slot, shortcut=None, name=None, icon_name=None, tip=None) -> QAction:
    action = QAction(text, window)
    if icon_name:
        set_icon(action, icon_name)
    if name:
        action.setObjectName(name)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
    action.triggered.connect(slot)
    return action


def build_menus(window) -> None:
    """Create every menu and toolbar of ``window`` (a ``MainWindow``)."""
    files = window.file_actions = FileActions(window)
    bar = window.menuBar()

    file_menu = bar.addMenu("&File")
    file_menu.addAction(_action(window, "&New", files.new, QKeySequence.StandardKey.New,
                                "actionNew", "file"))
    window.action_open = _action(window, "&Open…", files.open, QKeySequence.StandardKey.Open,
                                 "actionOpen", "folder-open")
    file_menu.addAction(window.action_open)
    recent = file_menu.addMenu("Open &Recent")
    recent.aboutToShow.connect(partial(_fill_recent, window, recent))
    window.action_save = _action(window, "&Save", files.save, QKeySequence.StandardKey.Save,
                                 "actionSave", "floppy-disk")
    file_menu.addAction(window.action_save)
    file_menu.addAction(_action(window, "Save &As…", files.save_as,
                                QKeySequence.StandardKey.SaveAs, "actionSaveAs"))
    file_menu.addSeparator()
    importer = _action(window, "&Import PyTorch snippet…", files.import_snippet,
                       name="actionImportSnippet")
    importer.setEnabled(_module_exists("playground.session.importer"))
    file_menu.addAction(importer)
    export = file_menu.addMenu(icon("file-export"), "&Export")
    window.action_export_script = _action(window, "PyTorch script…", files.export_script,
                                          "Ctrl+E", "actionExportScript", "file-code")
    export.addAction(window.action_export_script)
    export.addAction(_action(window, "Engine script (import engine as torch)…",
                             partial(files.export_script, engine=True),
                             name="actionExportEngineScript"))
    window.action_export_notebook = _action(window, "Notebook…", files.export_notebook,
                                            name="actionExportNotebook")
    window.action_export_notebook.setEnabled(_module_exists("playground.session.notebook"))
    export.addAction(window.action_export_notebook)
    export.addAction(_action(window, "Heatmaps as PNG…", files.export_heatmaps,
                             name="actionExportHeatmaps"))
    file_menu.addSeparator()
    file_menu.addAction(_action(window, "&Quit", window.close, QKeySequence.StandardKey.Quit,
                                "actionQuit"))

    edit = bar.addMenu("&Edit")
    window.action_undo = window.undo_stack.createUndoAction(window, "&Undo")
    window.action_undo.setObjectName("actionUndo")
    window.action_undo.setShortcut(QKeySequence.StandardKey.Undo)
    set_icon(window.action_undo, "rotate-left")
    window.action_redo = window.undo_stack.createRedoAction(window, "&Redo")
    window.action_redo.setObjectName("actionRedo")
    window.action_redo.setShortcut(QKeySequence.StandardKey.Redo)
    set_icon(window.action_redo, "rotate-right")
    edit.addAction(window.action_undo)
    edit.addAction(window.action_redo)

    controls = window.controls
    steps = bar.addMenu("&Steps")
    for action in (controls.forward, None, controls.backward, controls.backward_options,
                   controls.backward_again, None, controls.zero_grad,
                   controls.zero_grad_options, None, controls.detach, controls.retain_grad,
                   None):
        steps.addAction(action) if action else steps.addSeparator()
    steps.addAction(_action(window, "Step back in time", window.timeline.step_back,
                            "Alt+Left", "actionStepBack", "backward-step"))
    steps.addAction(_action(window, "Step forward in time", window.timeline.step_forward,
                            "Alt+Right", "actionStepForward", "forward-step"))

    _build_view_menu(window, bar.addMenu("&View"))
    _build_lessons_menu(window, bar.addMenu("&Lessons"))
    help_menu = bar.addMenu("&Help")
    help_menu.addAction(_action(window, "Keyboard shortcuts", partial(_show_shortcuts, window),
                                "F1", "actionShortcuts"))
    help_menu.addAction(_action(window, "About Tensor Playground", partial(_show_about, window),
                                name="actionAbout"))
    _build_toolbars(window)


def _tick_current_theme(window) -> None:
    for name in ("light", "dark"):
        action = window.findChild(QAction, f"actionTheme{name.title()}")
        if action is not None:
            action.setChecked(current_theme() == name)


def _build_view_menu(window, view: QMenu) -> None:
    panels = view.addMenu("Panels")
    for dock in window.docks.values():
        panels.addAction(dock.toggleViewAction())
    themes = QActionGroup(window)
    for name in ("light", "dark"):
        action = _action(window, f"{name.title()} theme", partial(window.set_theme, name),
                         name=f"actionTheme{name.title()}")
        action.setCheckable(True)
        action.setChecked(current_theme() == name)
        themes.addAction(action)
        view.addAction(action)
    # The theme can change without the menu (a script, the settings at start): tick the
    # one in use whenever the menu opens.
    view.aboutToShow.connect(partial(_tick_current_theme, window))
    view.addSeparator()
    hold = _action(window, "Hold colour scale", lambda on: _hold_scale(window, on),
                   name="actionHoldScale",
                   tip="Keep the heatmap colours fixed, so a second backward visibly doubles them")
    hold.setCheckable(True)
    view.addAction(hold)
    window.action_hold_scale = hold
    # The heatmap panel has its own check box: keep the two showing the same.
    check = getattr(window.heatmaps, "hold_check", None)
    if check is not None:
        check.toggled.connect(hold.setChecked)


def _build_lessons_menu(window, menu: QMenu) -> None:
    """Next and Restart, then every lesson in course order, by the short form of its title."""
    panel = window.lesson_panel
    panel.lesson_requested.connect(window.file_actions.open_lesson)
    menu.addAction(panel.next_action)
    menu.addAction(panel.restart_action)
    menu.addSeparator()
    menu.setToolTipsVisible(True)
    # The lessons (no shortcuts) are listed when the menu first opens: reading every lesson's
    # title and making its entry cost ~6M instructions before the window's first paint.
    menu.aboutToShow.connect(partial(_show_lessons, window, menu))


def _show_lessons(window, menu: QMenu) -> None:
    """Every lesson in course order (added on the first opening), the open one in bold."""
    if not any(a.objectName().startswith("actionLesson_") for a in menu.actions()):
        for number, name in enumerate(lesson_names(), start=1):
            title = lesson_title(name)
            short = title.split(":")[0].replace("&", "&&")  # "Accumulation: gradients add up…"
            open_it = partial(window.file_actions.open_lesson, name)
            action = _action(window, f"{number}. {short}", open_it,
                             name=f"actionLesson_{name}", icon_name="graduation-cap", tip=title)
            action.setToolTip(title)
            menu.addAction(action)
    for action in menu.actions():
        font = action.font()
        font.setBold(action.objectName() == f"actionLesson_{window.guide.name}")
        action.setFont(font)


def _fill_recent(window, menu: QMenu) -> None:
    menu.clear()
    recent = window.recent_files()
    for path in recent:  # "&" would be read as a shortcut marker and vanish from the name
        action = _action(window, path.replace("&", "&&"), partial(_open_recent, window, path))
        menu.addAction(action)
    if not recent:
        menu.addAction("No recent sessions").setEnabled(False)


def _open_recent(window, path: str) -> None:
    if not Path(path).is_file():  # moved or deleted since: say so and forget it
        window.settings.setValue("recentFiles", [p for p in window.recent_files() if p != path])
        window.statusBar().showMessage(f"{path} no longer exists: removed from Open Recent")
        return
    if window.confirm_discard():
        window.file_actions.open_path(path)


def _hold_scale(window, on: bool) -> None:
    setter = getattr(window.heatmaps, "set_hold_colour_scale", None)
    if setter is not None:
        setter(on)


def _build_toolbars(window) -> None:
    files = QToolBar("File", window)
    files.setObjectName("toolbarFile")
    files.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    for action in (window.action_open, window.action_save, None, window.action_undo,
                   window.action_redo):
        files.addAction(action) if action else files.addSeparator()
    window.addToolBar(files)

    controls = window.controls
    steps = QToolBar("Steps", window)
    steps.setObjectName("toolbarSteps")
    steps.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    steps.addAction(controls.forward)
    _add_with_options(steps, controls.backward, [controls.backward_options])
    steps.addAction(controls.backward_again)
    _add_with_options(steps, controls.zero_grad, [controls.zero_grad_options])
    steps.addSeparator()
    steps.addAction(controls.detach)
    steps.addAction(controls.retain_grad)
    window.addToolBar(steps)


def _add_with_options(toolbar: QToolBar, main: QAction, options: list[QAction]) -> None:
    """A button that does ``main`` on click, with its options on the arrow."""
    button = QToolButton(toolbar)
    button.setDefaultAction(main)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    menu = QMenu(button)
    for option in options:
        menu.addAction(option)
    button.setMenu(menu)
    button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
    toolbar.addWidget(button)


def _show_shortcuts(window) -> None:
    rows = []
    for action in window.findChildren(QAction):
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys and action.text():
            rows.append(f"<tr><td><b>{keys}</b></td><td>{action.text().replace('&', '')}</td></tr>")
    # Shortcuts of widgets, not of actions: the tensor editor's table.
    editor = ["<tr><td colspan=2><br><i>In the tensor editor</i></td></tr>"] + [
        f"<tr><td><b>{keys}</b></td><td>{what}</td></tr>" for keys, what in (
            ("Ctrl+C", "Copy the selected cells (tab-separated)"),
            ("Ctrl+V", "Paste a block: rows of numbers or [[1, 2], [3, 4]]"),
            ("F2, or type", "Edit the current cell (double-click works too)"))]
    QMessageBox.information(window, "Keyboard shortcuts",
                            "<table cellspacing=6>" + "".join(sorted(set(rows)))
                            + "".join(editor) + "</table>")


def _show_about(window) -> None:
    QMessageBox.about(window, "About Tensor Playground",
                      "<b>Tensor Playground</b><br>Build tensors, chain operations and step "
                      "through PyTorch autograd: forward, backward with a seed, accumulation, "
                      "zero_grad and detach, watching every .grad change.")
