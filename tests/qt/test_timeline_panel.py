"""The Timeline remembers its rows' sizes (a new row lays out every row again): the sizes it
remembers are the ones Qt measures, after new rows, undo, and a narrower panel."""

from __future__ import annotations

from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from playground.qt.timeline_panel import RowSizes, TimelinePanel
from playground.session import AddAction, Session, UndoStack
from tests.session.builders import backward, jvp_document, zero_grad


def measured(panel: TimelinePanel, delegate) -> list[tuple[int, int]]:
    sizes = []
    for row in range(panel.list.count()):
        option = QStyleOptionViewItem()
        option.initFrom(panel.list.viewport())
        option.rect.setWidth(panel.list.viewport().width())
        option.features |= QStyleOptionViewItem.ViewItemFeature.WrapText
        size = delegate.sizeHint(option, panel.list.model().index(row, 0))
        sizes.append((size.width(), size.height()))
    return sizes


def test_remembered_row_sizes_are_the_measured_ones(qtbot):
    session, stack = Session(jvp_document([backward(retain_graph=False), backward()])), UndoStack()
    panel = TimelinePanel(session)
    qtbot.addWidget(panel)
    panel.resize(330, 400)
    panel.show()
    plain = QStyledItemDelegate(panel.list)
    assert isinstance(panel.list.itemDelegate(), RowSizes)
    for width in (330, 180):
        panel.resize(width, 400)
        stack.push(AddAction(session, zero_grad("inp")))
        stack.push(AddAction(session, backward()))
        stack.undo()
        qtbot.wait(5)
        remembered = measured(panel, panel.list.itemDelegate())
        assert remembered == measured(panel, plain)
        assert len(set(remembered)) > 1  # rows differ (an error row is longer): a real check
    rows = [panel.list.visualItemRect(panel.list.item(i)) for i in range(panel.list.count())]
    assert all(a.bottom() < b.top() for a, b in zip(rows, rows[1:]))  # stacked, never overlapping


def test_the_start_row_counts_in_words(qtbot):
    session = Session(jvp_document())
    panel = TimelinePanel(session)
    qtbot.addWidget(panel)
    assert panel.list.item(0).text() == "Start — 1 tensor, 3 steps computed"
    document = jvp_document()
    leaf = document.leaves[0]
    session.set_document(document.model_copy(update={
        "steps": document.steps[:1], "leaves": (leaf, leaf.model_copy(update={"name": "other"}))}))
    assert panel.list.item(0).text() == "Start — 2 tensors, 1 step computed"
