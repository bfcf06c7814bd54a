"""The learning views are built when their tab is first raised, not when the window opens."""

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QListWidget

from playground.qt.graph_view import GraphView
from playground.qt.jacobian_panel import JacobianPanel
from tests.qt.helpers import trigger


def _settle(qtbot):
    for _ in range(3):
        QApplication.processEvents()
        qtbot.wait(5)


def test_hidden_learning_views_are_not_built_until_raised(window, qtbot):
    window.show()
    _settle(qtbot)
    assert not any(lazy.built for _, lazy in window.learning_views.values())
    assert window.findChild(GraphView) is None
    trigger(window, "actionForward")
    window.docks["graph"].raise_()
    qtbot.waitUntil(lambda: window.learning_views["graph"][1].built)
    graph = window.findChild(GraphView)
    assert graph is not None
    qtbot.waitUntil(graph.isVisible)  # Qt shows a child added to a shown widget on its next pass
    assert not window.learning_views["jacobian"][1].built


def test_a_view_built_late_shows_the_session_as_it_is_now(window, qtbot):
    window.show()
    trigger(window, "actionForward")
    trigger(window, "actionBackward")
    assert not window.learning_views["jacobian"][1].built
    window.docks["jacobian"].raise_()
    qtbot.waitUntil(lambda: window.learning_views["jacobian"][1].built)
    panel = window.findChild(JacobianPanel)
    assert panel is window.learning_views["jacobian"][1].panel()
    # Built after Backward, it shows that backward: vᵀJ checked against inp.grad.
    qtbot.waitUntil(lambda: panel.lesson is not None)
    assert panel.output_box.currentData() == "out" and panel.input_box.currentData() == "inp"
    assert "vᵀJ = inp.grad ✓" in panel.check.text()


def test_the_tensor_editor_is_built_when_a_tensor_is_opened_in_it(window, qtbot):
    from playground.qt.tensor_editor import TensorEditor

    window.show()
    _settle(qtbot)
    assert window.findChild(TensorEditor) is None  # a tab behind the pipeline at start
    window.tensors.edit_requested.emit("w")  # what double-clicking a tensor's row does
    qtbot.waitUntil(lambda: window.findChild(TensorEditor) is not None)
    editor = window.findChild(TensorEditor)
    assert editor is window.editor and editor.name == "w"
    qtbot.waitUntil(editor.isVisible)


@pytest.mark.parametrize("graph_first", [False, True])
def test_the_stepped_backward_lights_up_the_graph_tab_whichever_is_built_first(
        window, qtbot, graph_first):
    window.show()
    trigger(window, "actionForward")
    trigger(window, "actionBackward")
    if graph_first:
        window.docks["graph"].raise_()
        qtbot.waitUntil(lambda: window.learning_views["graph"][1].built)
    window.docks["stepper"].raise_()
    qtbot.waitUntil(lambda: window.learning_views["stepper"][1].built)
    stepper = window.learning_views["stepper"][1].panel()
    assert "What a step shows" in stepper.detail.findChild(QLabel).text()
    intro = stepper.detail.findChild(QLabel)
    assert "out.backward()" in intro.text() and "against a plain" in intro.text()
    qtbot.waitUntil(lambda: intro.isVisible() and intro.width() > 100)
    assert intro.height() >= intro.heightForWidth(intro.width())  # no line cut off
    trigger(window, "actionBackwardAgain")  # restarts at backward #2: the same words kept
    qtbot.waitUntil(lambda: "backward #2" in stepper.call_label.text())
    assert stepper.detail.findChildren(QLabel) == [intro]
    stepper.step()
    stepper.step()  # out's TBackward0 done, PowBackward0 of out_pow under way
    assert window.learning_views["graph"][1].built == graph_first
    window.docks["graph"].raise_()  # if built only now, after two steps: shows them at once
    qtbot.waitUntil(lambda: window.learning_views["graph"][1].built)
    graph = window.learning_views["graph"][1].panel()
    assert graph.node_items["t:out"].done and graph.node_items["t:out_pow"].highlighted
    stepper.step()
    assert graph.node_items["t:out_pow"].done and graph.node_items["t:out_add"].highlighted
    stepper.restart()
    assert not any(item.highlighted or item.done for item in graph.node_items.values())


def test_the_empty_step_list_says_what_will_fill_it(qtbot):
    from playground.qt.placeholder_list import PlaceholderList

    hinted, plain = PlaceholderList("Nodes are listed here."), QListWidget()
    for widget in (hinted, plain):
        qtbot.addWidget(widget)
        widget.resize(200, 120)
    assert hinted.grab().toImage() != plain.grab().toImage()
    for widget in (hinted, plain):
        widget.addItem("1. TBackward0  (out)")
    assert hinted.grab().toImage() == plain.grab().toImage()  # rows, and no hint under them
