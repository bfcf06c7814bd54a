"""Opening a lesson gives the Lesson tab most of the right column: a reveal under the steps
must not squeeze the step list to a few rows, and the Timeline above keeps a few rows."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication


def _settle():
    for _ in range(3):
        QApplication.processEvents()


def _first_question_revealed(window) -> None:
    panel = window.lesson_panel
    for _ in range(40):
        if panel.question.isVisibleTo(window):
            panel.reveal("0")
            _settle()
            return
        panel.advance()
        _settle()
    raise AssertionError("the lesson asked no question")


def _assert_lesson_has_the_column(window) -> None:
    timeline, lesson = window.docks["timeline"], window.docks["lesson"]
    assert lesson.height() >= 2.4 * timeline.height(), (timeline.height(), lesson.height())
    # The Timeline stays usable: its list shows about three of its two-line rows.
    assert window.timeline.list.viewport().height() >= 90


@pytest.mark.parametrize("lesson", ["seed-notebook", "retain-graph"])
def test_a_lesson_opened_at_start_takes_most_of_the_column(make_window, each_theme, lesson):
    window = make_window(lesson)
    window.set_theme(each_theme, remember=False)
    window.resize(1280, 800)
    window.show()
    _settle()
    _assert_lesson_has_the_column(window)
    _first_question_revealed(window)
    panel = window.lesson_panel
    assert panel.reveal_box.isVisible()
    # With the reveal shown the steps keep room for several rows (90 px before: three).
    assert panel.steps.viewport().height() >= 140


def test_a_lesson_opened_in_a_shown_window_takes_most_of_the_column(make_window, each_theme):
    window = make_window(None)
    window.set_theme(each_theme, remember=False)
    window.resize(1280, 800)
    window.show()
    _settle()
    window.load_lesson("accumulation")
    _settle()
    _assert_lesson_has_the_column(window)


def test_a_floating_lesson_dock_leaves_the_timeline_as_it_is(make_window):
    window = make_window(None)
    window.resize(1280, 800)
    window.show()
    _settle()
    window.docks["lesson"].setFloating(True)
    _settle()
    before = window.docks["timeline"].height()
    window.load_lesson("accumulation")
    _settle()
    assert window.docks["timeline"].height() == before
