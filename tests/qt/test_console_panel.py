"""The Console keeps its transcript one action at a time: whatever the order of actions, time
travel, undo and redo, it shows the same lines a console drawn from scratch shows, ending at
the point selected, and the link at its top brings earlier actions back."""

from __future__ import annotations

import random

import pytest
from PySide6.QtCore import QUrl

from playground.qt.console_panel import MORE, SHOWN, ConsolePanel
from playground.qt.console_text import EARLIER_LINK
from playground.session import AddAction, Session, UndoStack
from tests.session.builders import backward, jvp_document, zero_grad

CYCLE = (backward(), backward(), zero_grad("inp"), backward(retain_graph=False), backward())


def long_session(actions: int) -> Session:
    return Session(jvp_document([CYCLE[i % len(CYCLE)] for i in range(actions)]))


def everything(session: Session) -> str:
    """The whole transcript up to the point shown, from a console that draws every action."""
    panel = ConsolePanel(session)
    panel.shown = 10**6
    panel.refresh()
    text = panel.plain_text()
    panel.deleteLater()
    return text


def assert_shows_the_end_of_the_transcript(panel: ConsolePanel, session: Session) -> None:
    text, full = panel.plain_text(), everything(session)
    earlier = 0
    if text.startswith("("):  # "(N earlier actions not shown: show M more)"
        header, text = text.split("\n", 1)
        earlier = int(header[1:].split()[0])
        assert header.endswith(f"show {min(earlier, MORE)} more)")
    assert full.endswith(text)
    drawn = sum(line.startswith(">>> ") for line in text.splitlines())
    assert earlier + drawn == session.cursor  # every action up to the point, none after
    assert drawn >= min(session.cursor, SHOWN)


@pytest.mark.parametrize("seed", [1, 2])
def test_any_sequence_of_edits_and_jumps_shows_what_a_fresh_console_shows(qtbot, seed):
    session, stack = long_session(3 * SHOWN), UndoStack()
    panel = ConsolePanel(session)
    qtbot.addWidget(panel)
    rng = random.Random(seed)
    for _ in range(25):
        move = rng.choice(["jump", "jump", "jump", "add", "undo", "redo"])
        if move == "jump":
            session.select(rng.randrange(len(session.outcomes)))
        elif move == "add":
            session.select(len(session.outcomes) - 1)
            stack.push(AddAction(session, rng.choice(CYCLE)))
        elif move == "undo" and stack.can_undo():
            stack.undo()
        elif move == "redo" and stack.can_redo():
            stack.redo()
        assert_shows_the_end_of_the_transcript(panel, session)


def test_a_step_back_keeps_the_lines_before_it(qtbot):
    session = long_session(10)
    panel = ConsolePanel(session)
    qtbot.addWidget(panel)
    panel.view.document().firstBlock().setUserState(42)  # a mark that a redraw would lose
    session.select(7)
    assert panel.plain_text().endswith("(3 later actions not shown: you are looking at step 7)")
    assert panel.view.document().firstBlock().userState() == 42  # cut short, not drawn again
    session.select(10)
    assert panel.plain_text() == everything(session)


def test_the_link_at_the_top_shows_earlier_actions(qtbot):
    session = long_session(SHOWN + MORE + 20)
    panel = ConsolePanel(session)
    qtbot.addWidget(panel)
    cursor = session.cursor
    assert panel.plain_text().startswith(f"({cursor - SHOWN} earlier actions not shown: "
                                         f"show {MORE} more)")
    anchors = panel.view.toHtml().count(f'href="{EARLIER_LINK}"')
    assert anchors == 1
    panel.view.anchorClicked.emit(QUrl(EARLIER_LINK))  # what a click on the link sends
    assert panel.plain_text().startswith(f"({cursor - SHOWN - MORE} earlier actions not shown: "
                                         "show 20 more)")
    panel.show_earlier()
    assert panel.plain_text() == everything(session)
    assert_shows_the_end_of_the_transcript(panel, session)
