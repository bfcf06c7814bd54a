"""The seed notebook's story, driven through the window: forward, backward (4/2), backward again
(8/4), zero_grad (zeros); the errors a learner meets on purpose; undo, redo and time travel."""

import numpy as np

from tests.qt.helpers import FIRST_GRAD, SECOND_GRAD, ZERO_GRAD, last_console_block, trigger


def test_forward_backward_twice_then_zero_grad(window):
    trigger(window, "actionForward")
    trigger(window, "actionBackward")
    assert FIRST_GRAD in last_console_block(window)
    call = ">>> out.backward(torch.ones_like(out), retain_graph=True)"
    assert call in window.console.plain_text()
    trigger(window, "actionBackwardAgain")
    assert SECOND_GRAD in last_console_block(window)
    trigger(window, "actionZeroGrad")
    block = last_console_block(window)
    assert ">>> inp.grad.zero_()" in block and ZERO_GRAD in block
    grad = window.session.state("inp").grad
    assert grad is not None and not grad.any()


def test_second_backward_without_retain_graph_is_an_error_not_a_crash(window):
    window.controls.backward_settings = window.controls.backward_settings.__class__(
        "out", retain_graph=False)
    trigger(window, "actionBackward")
    trigger(window, "actionBackward")
    outcome = window.session.outcomes[-1]
    assert outcome.error.startswith("RuntimeError: Trying to backward through the graph")
    block = last_console_block(window)
    assert "RuntimeError: Trying to backward" in block and "Fix: Tick retain_graph" in block
    assert "a second time — see the Console" in window.status_label.text()
    row = window.timeline.list.item(outcome.index)
    assert row.foreground().color().name() == "#c62828"  # errors are red
    # The grads of the first call are kept: the failed call changed nothing.
    assert np.array_equal(window.session.state("inp").grad, window.session.state("inp", 1).grad)


def test_undo_redo_show_labels_and_restore(window):
    trigger(window, "actionBackward")
    undo = window.findChild(type(window.action_undo), "actionUndo")
    assert undo.text() == "&Undo Backward from out"
    trigger(window, "actionUndo")
    assert window.session.document.actions == ()
    assert window.session.state("inp").grad is None
    assert window.action_redo.text() == "&Redo Backward from out"
    trigger(window, "actionRedo")
    assert FIRST_GRAD in last_console_block(window)


def test_clicking_the_timeline_shows_the_past(window):
    trigger(window, "actionBackward")
    trigger(window, "actionBackward")
    window.timeline.list.setCurrentRow(1)  # as a click does
    assert window.session.cursor == 1
    assert np.array_equal(window.session.state("inp").grad.max(), 4)
    assert SECOND_GRAD not in window.console.plain_text()
    assert "1 later action not shown" in window.console.plain_text()
    window.timeline.step_forward()
    assert SECOND_GRAD in window.console.plain_text()
    assert "inp.grad +2 … +4" in window.timeline.list.item(2).text()


def test_the_lesson_guide_takes_the_next_step(window):
    first = window.guide.next_action(())
    assert first.kind == "print"
    for _ in range(3):  # two prints, then the first backward of the lesson
        window.lesson_panel.take_next_step()
    assert FIRST_GRAD in last_console_block(window)
    assert "First backward call" in window.console.plain_text()  # the lesson's note


def test_detach_needs_a_selection(window):
    window.selection.select(None)
    assert not window.controls.detach.isEnabled()
    window.selection.select("x_3")
    trigger(window, "actionDetach")
    state = window.session.state("x_3_detached")
    assert state.origin == "detached" and not state.requires_grad


def test_zero_grad_with_nothing_to_zero_says_so(window):
    trigger(window, "actionZeroGrad")
    assert window.session.document.actions == ()
    assert "run Backward first" in window.status_label.text()


def test_every_shortcut_has_one_owner(window):
    from collections import Counter

    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QAbstractButton

    keys = [a.shortcut().toString() for a in window.findChildren(QAction)]
    keys += [b.shortcut().toString() for b in window.findChildren(QAbstractButton)]
    clashes = {k: n for k, n in Counter(k for k in keys if k).items() if n > 1}
    assert not clashes, f"ambiguous shortcuts do nothing in Qt: {clashes}"


def test_the_real_panels_are_wired_in(window):
    from playground.qt.optional_panels import PlaceholderPanel

    for panel in (window.heatmaps, window.pipeline, window.editor,
                  *(lazy.panel() for _, lazy in window.learning_views.values())):
        assert not isinstance(panel, PlaceholderPanel), getattr(panel, "reason", "")



def test_tooltips_show_the_call_a_click_runs(window):
    tip = window.controls.backward.toolTip()
    assert "out.backward(torch.ones_like(out), retain_graph=True)" in tip
    assert "no leaf has a .grad yet" in window.controls.zero_grad.toolTip()
    trigger(window, "actionBackward")
    assert "inp.grad.zero_()" in window.controls.zero_grad.toolTip()
