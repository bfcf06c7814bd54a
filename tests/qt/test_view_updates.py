"""``connect_coalesced``: one refresh per burst of session signals, none while the view is hidden
(or tabbed behind another dock), and the owed one when it shows; ``guarded`` handlers."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from playground.qt.view_updates import connect_coalesced, guarded
from playground.session import Document, Leaf, Session


def _leaf(name: str) -> Leaf:
    return Leaf(name=name, factory="ones", shape=(2, 2), requires_grad=True)


class Counting(QWidget):
    def __init__(self, session):
        super().__init__()
        self.count = 0
        self.updates = connect_coalesced(self, session, self.refresh)

    def refresh(self):
        self.count += 1

    @guarded
    def broken(self):
        raise ValueError("a bug in a view")


def test_a_burst_of_signals_is_one_refresh(qtbot):
    session = Session()
    view = Counting(session)
    qtbot.addWidget(view)
    view.show()
    session.set_document(Document(leaves=(_leaf("a"),)))  # definitions, timeline and cursor
    qtbot.waitUntil(lambda: view.count == 1)
    qtbot.wait(20)
    assert view.count == 1 and not view.updates.stale


def test_hidden_view_refreshes_when_shown(qtbot):
    session = Session()
    view = Counting(session)
    qtbot.addWidget(view)
    session.insert_leaf(0, _leaf("a"))
    session.insert_leaf(1, _leaf("b"))
    qtbot.wait(20)
    assert view.count == 0 and view.updates.stale
    view.show()
    qtbot.waitUntil(lambda: view.count == 1)
    assert not view.updates.stale


def test_tab_behind_another_dock_waits_for_its_tab(qtbot):
    session = Session()
    window = QMainWindow()
    qtbot.addWidget(window)
    view = Counting(session)
    docks = []
    for title, widget in (("front", QWidget()), ("behind", view)):
        dock = QDockWidget(title, window)
        dock.setWidget(widget)
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        docks.append(dock)
    window.tabifyDockWidget(docks[0], docks[1])
    docks[0].raise_()
    window.resize(600, 400)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(20)
    shown_before = view.count
    session.insert_leaf(0, _leaf("a"))
    qtbot.wait(20)
    assert view.count == shown_before and view.updates.stale
    docks[1].raise_()
    qtbot.waitUntil(lambda: view.count == shown_before + 1)


def test_guarded_handler_logs_instead_of_raising(qtbot, caplog):
    view = Counting(Session())
    qtbot.addWidget(view)
    assert view.broken() is None
    assert "Counting could not show the session" in caplog.text
