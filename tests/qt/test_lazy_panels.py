"""The learning views are built when their tab is first raised, not when the window opens."""

from PySide6.QtWidgets import QApplication

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
