"""Driving the window as a user would: actions by object name, the console's text."""

from PySide6.QtGui import QAction

FIRST_GRAD = "tensor([[4., 2., 2., 2., 2.],\n        [2., 4., 2., 2., 2.],"
SECOND_GRAD = "tensor([[8., 4., 4., 4., 4.],\n        [4., 8., 4., 4., 4.],"
ZERO_GRAD = "tensor([[0., 0., 0., 0., 0.],\n        [0., 0., 0., 0., 0.],"


def trigger(window, name: str) -> None:
    """Press the action with object name ``name``, as a toolbar click or shortcut would."""
    action = window.findChild(QAction, name)
    assert action is not None, f"no action {name}"
    assert action.isEnabled(), f"{name} is disabled"
    action.trigger()


def last_console_block(window) -> str:
    """What the console shows for the last action taken (from its ``>>>`` line on)."""
    text = window.console.plain_text()
    return text[text.rindex(">>>"):]


def panel_over(panel_class, qtbot, document):
    """``(session, undo stack, selection, panel)``: a panel of ``panel_class`` over a new
    session of ``document``, as the window builds one."""
    from playground.qt.selection import Selection
    from playground.session import Session, UndoStack

    session, stack, selection = Session(document), UndoStack(), Selection()
    widget = panel_class(session, stack, selection)
    qtbot.addWidget(widget)
    return session, stack, selection, widget
