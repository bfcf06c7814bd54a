"""Detach and retain_grad say why they are off, in the tooltip a learner hovers."""

from PySide6.QtGui import QAction


def _action(window, name) -> QAction:
    return window.findChild(QAction, name)


def test_disabled_detach_and_retain_grad_explain_themselves(window):
    detach, retain = _action(window, "actionDetach"), _action(window, "actionRetainGrad")
    window.selection.select(None)
    assert not detach.isEnabled() and "Select a tensor" in detach.toolTip()
    assert not retain.isEnabled() and "non-leaf" in retain.toolTip()
    window.selection.select("inp")
    assert detach.isEnabled() and "inp.detach()" in detach.toolTip()
    assert not retain.isEnabled() and "inp is a leaf" in retain.toolTip()
    window.selection.select("out")
    assert retain.isEnabled() and "out.retain_grad()" in retain.toolTip()
