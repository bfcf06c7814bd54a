"""The Lesson panel, driven as a learner drives it: Next, predict-then-reveal, Restart, undo and
time travel, on the seed lesson and on a small lesson written here."""

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction

from playground.qt.action_text import action_line
from playground.qt.lesson_steps import CURRENT, DONE, FAILED, SKIPPED, TODO, StepRow
from playground.session import Document, lessons, persist
from tests.qt.helpers import trigger

TINY = {
    "title": "Tiny: two backwards add up",
    "note": "x.grad after one backward, then after a second.",
    "leaves": [{"name": "x", "requires_grad": True,
                "values": {"shape": [2, 2], "data": [1.0, 2.0, 3.0, 4.0]}}],
    "steps": [{"name": "loss", "op": "sum", "operands": [{"ref": "sq"}]}],
    "actions": [
        {"kind": "backward", "target": "loss", "retain_graph": True,
         "note": "The first backward stores 2x in x's .grad."},
        {"kind": "print", "items": [{"kind": "grad", "text": "x"}], "note": "2x."},
        {"kind": "backward", "target": "loss", "retain_graph": True,
         "note": "The second one adds to it.",
         "question": {"prompt": "After this backward, what is x.grad[1, 1]?",
                      "expression": "x.grad[1, 1]",
                      "reason": "x's first backward stored 2 * 4 = 8; this one adds 8 more."}},
        {"kind": "zero_grad", "targets": ["x"]},
    ],
}
TINY["steps"] = [{"name": "sq", "op": "pow", "operands": ["x", 2]},
                 {"name": "loss", "op": "sum", "operands": ["sq"]}]


@pytest.fixture
def open_lesson(make_window, tmp_path, monkeypatch):
    """``open_lesson(data)``: a window with the lesson ``data`` open, from a folder of its own."""
    monkeypatch.setattr(lessons, "LESSONS_DIR", tmp_path)

    def open_it(data: dict):
        persist.save(Document.model_validate(data), tmp_path / "tiny.tpg.json")
        return make_window("tiny")

    return open_it


@pytest.fixture
def tiny(open_lesson):
    return open_lesson(TINY)


def reveal_text(window) -> str:
    box = window.lesson_panel.reveal_box
    assert box.isVisibleTo(window), "no reveal shown"
    return box.text()


def type_and_enter(qtbot, window, text: str) -> None:
    guess = window.lesson_panel.question.guess
    guess.setText(text)
    qtbot.keyClick(guess, Qt.Key.Key_Return)


def test_the_seed_lesson_shows_its_title_intro_and_steps(window):
    panel = window.lesson_panel
    assert not window.docks["lesson"].isHidden()
    assert panel.steps.title.text().startswith("The seed notebook")
    assert "Rebuilds, cell by cell" in panel.steps.intro.text()
    plan = window.guide.plan
    assert [row.action for row in panel.steps.rows] == list(plan)
    assert action_line(plan[2]) in panel.steps.rows[2].text.text()
    assert panel.steps.states() == [CURRENT] + [TODO] * (len(plan) - 1)
    assert panel.progress.text() == f"Step 1 of {len(plan)}"


def test_next_takes_the_step_through_the_undo_stack(tiny, qtbot):
    panel = tiny.lesson_panel
    # Qt rich text shows "&#x27;" as it is: notes are escaped without it.
    assert "x's .grad" in panel.steps.rows[0].text.text()
    qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)
    assert tiny.session.document.actions == tiny.guide.plan[:1]
    assert tiny.timeline.list.count() == 2  # the start row and the backward
    assert panel.steps.states() == [DONE, CURRENT, TODO, TODO]
    assert tiny.session.state("x").grad.tolist() == [[2, 4], [6, 8]]
    trigger(tiny, "actionUndo")
    assert tiny.session.document.actions == ()
    assert panel.steps.states() == [CURRENT, TODO, TODO, TODO]


def test_a_question_replaces_next_then_judges_wrong_and_right(tiny, qtbot):
    panel = tiny.lesson_panel
    assert not panel.question.isVisibleTo(tiny)
    panel.advance()
    panel.advance()  # the print
    assert panel.question.isVisibleTo(tiny) and not panel.next_button.isVisibleTo(tiny)
    assert "what is x.grad[1, 1]?" in panel.question.prompt.text()
    type_and_enter(qtbot, tiny, "8")
    shown = reveal_text(tiny)
    assert "✗ Not quite" in shown and "You said" in shown and "tensor(16.)" in shown
    assert "x's first backward stored 2 * 4 = 8; this one adds 8 more." in shown
    assert len(tiny.session.document.actions) == 3
    assert panel.steps.states() == [DONE, DONE, DONE, CURRENT]
    trigger(tiny, "actionUndo")  # ask again
    assert not panel.reveal_box.isVisibleTo(tiny) and panel.question.isVisibleTo(tiny)
    type_and_enter(qtbot, tiny, "tensor(16.)")
    shown = reveal_text(tiny)
    assert "✓ Right" in shown and "tensor(16.)" in shown and "adds 8 more" in shown


def test_a_guess_that_cannot_be_read_takes_no_step(tiny, qtbot):
    panel = tiny.lesson_panel
    panel.advance()
    panel.advance()
    before = tiny.session.document.actions
    type_and_enter(qtbot, tiny, "sixteen")
    assert panel.question.message.isVisibleTo(tiny)
    assert "Could not read 'sixteen'" in panel.question.message.text()
    assert tiny.session.document.actions == before
    type_and_enter(qtbot, tiny, "   ")
    assert panel.question.message.text() == "Type what you expect first, then Reveal"
    assert tiny.session.document.actions == before
    panel.question.guess.setText("1")  # typing again clears the message
    qtbot.keyClicks(panel.question.guess, "6")
    assert not panel.question.message.isVisibleTo(tiny)


def test_just_show_me_reveals_without_judging(tiny):
    panel = tiny.lesson_panel
    panel.advance()
    panel.advance()
    panel.question.show_me.linkActivated.emit("show")  # as a click on the link does
    shown = reveal_text(tiny)
    assert "Revealed" in shown and "You said" not in shown and "tensor(16.)" in shown


def test_time_travel_shows_the_lesson_as_it_was(tiny, qtbot):
    panel = tiny.lesson_panel
    panel.advance()
    panel.advance()
    type_and_enter(qtbot, tiny, "16")
    tiny.timeline.list.setCurrentRow(1)  # as a click does
    assert panel.steps.states() == [DONE, CURRENT, TODO, TODO]
    assert panel.present_button.isVisibleTo(tiny) and not panel.next_button.isVisibleTo(tiny)
    assert not panel.reveal_box.isVisibleTo(tiny)
    assert panel.progress.text().startswith("Showing the past")
    tiny.timeline.list.setCurrentRow(3)
    assert "✓ Right" in reveal_text(tiny)  # the reveal made at that point
    # Clicking a ticked step shows the point right after it.
    row = panel.steps.rows[0]
    qtbot.mouseClick(row, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert tiny.session.cursor == 1
    qtbot.mouseClick(panel.present_button, Qt.MouseButton.LeftButton)
    assert tiny.session.cursor == 3
    assert panel.steps.states() == [DONE, DONE, DONE, CURRENT]


def test_steps_taken_by_hand_advance_the_lesson(tiny):
    panel = tiny.lesson_panel
    trigger(tiny, "actionBackward")
    assert panel.steps.states() == [DONE, CURRENT, TODO, TODO]
    trigger(tiny, "actionBackwardAgain")  # the print is skipped over; the question is passed
    assert panel.steps.states() == [DONE, SKIPPED, DONE, CURRENT]
    assert not panel.question.isVisibleTo(tiny)


def test_restart_clears_the_timeline_in_one_undoable_command(tiny, qtbot):
    panel = tiny.lesson_panel
    panel.advance()
    panel.advance()
    qtbot.mouseClick(panel.restart_button, Qt.MouseButton.LeftButton)
    assert tiny.session.document.actions == ()
    assert panel.steps.states()[0] == CURRENT
    trigger(tiny, "actionUndo")
    assert tiny.session.document.actions == tiny.guide.plan[:2]


def test_restart_while_a_backward_computes_clears_it_too(tiny, qtbot, everything_big):
    panel = tiny.lesson_panel
    panel.advance()
    qtbot.waitUntil(lambda: not tiny.controls.busy, timeout=5000)
    panel.advance()  # the print: two actions shown
    trigger(tiny, "actionBackward")
    assert tiny.session.busy  # the window still shows two actions
    qtbot.mouseClick(panel.restart_button, Qt.MouseButton.LeftButton)
    assert tiny.session.document.actions == ()
    trigger(tiny, "actionUndo")
    assert [a.kind for a in tiny.session.document.actions] == ["backward", "print", "backward"]


def test_next_has_a_shortcut_of_its_own_and_asks_before_a_question(tiny):
    action = tiny.findChild(QAction, "actionNextLessonStep")
    assert action.shortcut().toString() == "Ctrl+Return"
    taken = [a.shortcut().toString() for a in tiny.findChildren(QAction)
             if not a.shortcut().isEmpty()]
    assert taken.count("Ctrl+Return") == 1  # a clash would make Qt ignore both
    # (Offscreen windows never become active, so the key itself cannot be pressed here.)
    action.trigger()
    action.trigger()
    assert len(tiny.session.document.actions) == 2
    action.trigger()  # the question is open and nothing is typed: ask, take no step
    assert tiny.lesson_panel.question.message.text() == "Type what you expect first, then Reveal"
    assert len(tiny.session.document.actions) == 2
    tiny.lesson_panel.question.guess.setText("16")
    action.trigger()
    assert "✓ Right" in reveal_text(tiny)


def test_the_lessons_menu_lists_lessons_in_course_order_and_opens_them(make_window):
    window = make_window(lesson=None)
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Lessons")
    menu.aboutToShow.emit()  # the lessons are listed as the menu opens
    menu.aboutToShow.emit()  # once
    entries = [a for a in menu.actions() if a.objectName().startswith("actionLesson_")]
    names = lessons.lesson_names()
    assert [a.objectName().removeprefix("actionLesson_") for a in entries] == names
    assert entries[0].text() == "1. The seed notebook"
    assert entries[0].toolTip() == lessons.lesson_title(names[0])
    assert window.lesson_panel.steps.title.text() == "No lesson open"
    assert not window.lesson_panel.next_button.isVisibleTo(window)
    entries[0].trigger()
    entries[1].trigger()
    assert window.guide.name == names[1]
    shown = [row for row in window.lesson_panel.steps.findChildren(StepRow)
             if row.isVisibleTo(window.lesson_panel)]
    assert [row.action for row in shown] == list(window.guide.plan)  # none left from the first
    assert window.lesson_panel.steps.title.text() == lessons.lesson_title(names[1])
    assert not window.docks["lesson"].isHidden()
    menu.aboutToShow.emit()
    assert [a.font().bold() for a in entries[:3]] == [False, True, False]  # the open one


def test_the_whole_course_runs_through_the_panel_lesson_after_lesson(make_window):
    window = make_window()
    panel = window.lesson_panel
    names = lessons.lesson_names()
    for number, name in enumerate(names):
        assert window.guide.name == name
        asked = 0
        for _ in window.guide.plan:
            pending = panel.pending()
            if pending is None:
                break
            if pending.question is None:
                panel.advance()
                continue
            asked += 1
            panel.show_me()
            reveal = panel.reveal_box.shown
            assert reveal is not None and reveal.message == "", (name, reveal)
        assert panel.progress.text().startswith("Lesson complete"), name
        assert set(panel.steps.states()) <= {DONE, FAILED, SKIPPED}, name
        assert asked >= 1, f"{name} asks no question"
        if number + 1 < len(names):
            assert panel.next_button.text().startswith("Next lesson: ")
            panel.advance()  # opens the next lesson of the course
    assert not panel.next_button.isEnabled()  # the last lesson: nothing follows


def test_next_then_reveal_keep_the_keyboard_where_the_learner_goes_next(tiny, qtbot):
    tiny.show()
    qtbot.waitExposed(tiny)
    panel = tiny.lesson_panel
    panel.advance()
    # The window's focus widget: what has the keyboard once the window is active.
    assert tiny.focusWidget() is panel.next_button
    panel.advance()
    assert tiny.focusWidget() is panel.question.guess
    type_and_enter(qtbot, tiny, "16")
    assert "✓ Right" in reveal_text(tiny)


def test_the_step_just_taken_shows_what_it_printed(tiny):
    panel = tiny.lesson_panel
    panel.advance()
    panel.advance()  # print(x.grad)
    rows = panel.steps.rows
    assert rows[1].output.isVisibleTo(panel)
    assert rows[1].output.text() == tiny.session.outcomes[2].output.rstrip("\n")
    assert rows[1].output.text().startswith("tensor([[2., 4.],")
    assert not rows[0].output.isVisibleTo(panel)  # only the step at the point shown
    tiny.session.select(1)  # the backward reports the grads it changed, as the Console does
    assert rows[0].output.text().startswith("after backward #1\nx.grad:")
    assert [row.output.isVisibleTo(panel) for row in rows] == [True, False, False, False]
    tiny.session.select(2)
    assert rows[1].output.isVisibleTo(panel)


def test_a_guess_of_another_kind_is_wrong_not_unreadable(open_lesson, qtbot):
    question = {"prompt": "What is x.grad_fn?", "expression": "x.grad_fn",
                "reason": "x is a leaf: no operation made it."}
    data = {**TINY, "actions": [{"kind": "forward", "question": question}]}
    window = open_lesson(data)
    type_and_enter(qtbot, window, "PowBackward0")
    shown = reveal_text(window)
    assert "✗ Not quite" in shown and "None" in shown and "no operation made it" in shown


def test_an_action_redraws_only_the_rows_whose_state_changed(tiny, monkeypatch):
    """Each action re-rendered every row (and set their style sheets again); now only the rows
    whose tick, highlight or output changed are drawn, and once per action, not per signal."""
    rendered = []
    original = StepRow.render

    def counting_render(row):
        rendered.append(row.number)
        original(row)

    monkeypatch.setattr(StepRow, "render", counting_render)
    trigger(tiny, "actionBackward")  # step 1 taken: it is ticked and shows its output; 2 is next
    assert sorted(rendered) == [1, 1, 2]  # 1: ticked, then its output; 2: highlighted
    assert tiny.lesson_panel.steps.states() == [DONE, CURRENT, TODO, TODO]
    rendered.clear()
    tiny.session.cursor_changed.emit(tiny.session.cursor)  # a signal with nothing new in it
    assert rendered == []
    rendered.clear()
    trigger(tiny, "actionZeroGrad")  # not the plan's next step: nothing moves on
    assert rendered == [1]  # only step 1's output goes (the point shown is not its step)
    rendered.clear()
    tiny.session.select(1)  # back to just after step 1: its output comes back
    assert rendered == [1]


def test_a_question_shows_the_step_it_is_about_with_a_literal_seed_written_out(open_lesson):
    question = {"prompt": "With this seed, what is x.grad[0, 1]?", "expression": "x.grad[0, 1]",
                "reason": "2 * x[0, 1] * v[0, 1] = 2 * 2 * 10."}
    seed = {"kind": "literal", "values": {"shape": [2, 2], "data": [1.0, 10.0, 100.0, 1000.0]}}
    data = {**TINY, "steps": [TINY["steps"][0]],
            "actions": [{"kind": "backward", "target": "sq", "seed": seed,
                         "question": question}]}
    window = open_lesson(data)
    code = window.lesson_panel.question.code
    assert code.isVisibleTo(window)
    lines = code.text().splitlines()
    assert lines[0].startswith(">>> v = torch.tensor([[1.0, 10.0],")
    assert "[100.0, 1000.0]]" in lines[1] and lines[1].startswith("...")
    assert lines[-1] == "... sq.backward(v)"


def test_a_question_about_a_plain_step_shows_its_one_line(tiny):
    trigger(tiny, "actionBackward")  # the lesson's first step, taken by hand
    tiny.lesson_panel.take_next_step()  # the print
    assert tiny.lesson_panel.question.code.text() == (
        ">>> loss.backward(torch.ones_like(loss), retain_graph=True)")


def test_a_step_that_raised_is_marked_with_a_cross_not_a_tick(open_lesson):
    data = {**TINY, "actions": [
        {"kind": "backward", "target": "loss"},
        {"kind": "backward", "target": "loss", "note": "Without retain_graph: it fails."},
        {"kind": "print", "items": [{"kind": "grad", "text": "x"}]}]}
    window = open_lesson(data)
    panel = window.lesson_panel
    panel.advance()
    panel.advance()
    assert panel.steps.states() == [DONE, FAILED, CURRENT]
    assert "raised an error" in panel.steps.rows[1].toolTip()
    assert panel.steps.rows[1].marker == "✗"


def test_reading_a_non_leafs_grad_shows_pytorchs_warning_under_the_step(open_lesson):
    data = {**TINY, "actions": [
        {"kind": "backward", "target": "loss"},
        {"kind": "print", "items": [{"kind": "grad", "text": "sq"}]}]}
    window = open_lesson(data)
    panel = window.lesson_panel
    panel.advance()
    panel.advance()
    shown = panel.steps.rows[1].output.text()
    assert shown.startswith("None") and "UserWarning" in shown and "not a leaf" in shown


def test_the_list_follows_the_next_step_down_a_long_lesson(open_lesson, qtbot):
    actions = [{"kind": "print", "items": [{"kind": "value", "text": "x"}],
                "note": "A note long enough to take a few lines in the narrow panel. " * 3}
               for _ in range(24)]  # more than the Lesson tab's ~500 px show at once
    window = open_lesson({**TINY, "actions": actions})
    window.resize(1280, 800)
    window.show()
    window.docks["console"].raise_()  # the steps are taken with the Lesson tab behind
    panel = window.lesson_panel
    for _ in range(21):
        panel.advance()
        qtbot.wait(1)
    window.docks["lesson"].raise_()
    rows = panel.steps.rows
    viewport = panel.steps.viewport()

    def on_screen(row) -> bool:
        top = row.mapTo(viewport, row.rect().topLeft()).y()
        return 0 <= top and top + 20 <= viewport.height()

    qtbot.waitUntil(lambda: on_screen(rows[21]))
    assert not on_screen(rows[0])
