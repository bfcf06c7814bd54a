"""The console shows each error, and PyTorch's non-leaf ``.grad`` warning, with its specific
plain explanation and fix, in the theme's colours."""

from __future__ import annotations

from playground.qt.console_panel import ConsolePanel
from playground.qt.theme import apply_theme, colors
from playground.session import Action, Document, Leaf, PrintItem, Session, Step
from playground.session.error_help import explain
from tests.session.builders import backward


def _session(*actions) -> Session:
    return Session(Document(
        leaves=(Leaf(name="x", factory="ones", shape=(2,), requires_grad=True),),
        steps=(Step(name="h", op="mul", operands=("x", 2)), Step(name="out", op="sum",
                                                                 operands=("h",))),
        actions=actions,
    ))


def _print_grad(name: str) -> Action:
    return Action(kind="print", items=(PrintItem(kind="grad", text=name),))


def test_second_backward_error_shows_its_explanation_and_fix(qtbot):
    session = _session(backward(retain_graph=False), backward(retain_graph=False))
    panel = ConsolePanel(session)
    qtbot.addWidget(panel)
    text = panel.plain_text()
    help_ = explain(session.outcomes[-1].error)
    assert help_.key == "second-backward"
    assert "RuntimeError: Trying to backward through the graph a second time" in text
    assert f"↳ {help_.explanation}" in text and f"↳ Fix: {help_.fix}" in text


def test_reading_a_non_leaf_grad_shows_the_warning_and_retain_grad(qtbot):
    session = _session(backward(), _print_grad("h"), _print_grad("x"))
    panel = ConsolePanel(session)
    qtbot.addWidget(panel)
    text = panel.plain_text()
    warning = "UserWarning: The .grad attribute of a Tensor that is not a leaf Tensor"
    assert text.count(warning) == 1  # h.grad warns; x is a leaf and does not
    assert "retain_grad()" in text.split(warning, 1)[1].split(">>>", 1)[0]
    assert text.index(warning) < text.index(">>> print(x.grad)")


def test_no_warning_once_the_non_leaf_retains_its_grad(qtbot):
    session = _session(Action(kind="retain_grad", target="h"), backward(), _print_grad("h"))
    panel = ConsolePanel(session)
    qtbot.addWidget(panel)
    assert "UserWarning" not in panel.plain_text()


def test_warning_is_drawn_in_the_themes_warning_colour(qtbot):
    session = _session(backward(), _print_grad("h"))
    try:
        for theme in ("light", "dark"):
            apply_theme(theme)
            panel = ConsolePanel(session)
            qtbot.addWidget(panel)
            assert colors().warning.lower() in panel.view.toHtml().lower()
    finally:
        apply_theme("light")


def test_tensors_panel_refusals_get_their_explanation(qtbot):
    from playground.qt.selection import Selection
    from playground.qt.tensors_panel import TensorsPanel
    from playground.session import UndoStack

    session = _session(backward(), Action(kind="detach", target="h", new_name="h_cut"))
    selection = Selection()
    panel = TensorsPanel(session, UndoStack(), selection)
    qtbot.addWidget(panel)
    for name, key in (("h_cut", "made-by-detach"), ("out", "used-on-timeline"),
                      ("h", "used-by")):
        selection.select(name)
        assert not panel.delete_selected()
        assert explain(panel.message.text()).key == key, panel.message.text()


def test_timeline_and_tensors_tooltips_add_the_explanation(qtbot):
    from playground.qt.selection import Selection
    from playground.qt.tensors_panel import TensorsPanel
    from playground.qt.timeline_panel import TimelinePanel
    from playground.session import Leaf, UndoStack

    session = Session(Document(
        leaves=(Leaf(name="a", factory="ones", shape=(2, 3)),),
        steps=(Step(name="bad", op="matmul", operands=("a", "a")),
               Step(name="out", op="sum", operands=("a",))),
        actions=(backward(), ),
    ))
    timeline = TimelinePanel(session)
    tensors = TensorsPanel(session, UndoStack(), Selection())
    qtbot.addWidget(timeline)
    qtbot.addWidget(tensors)
    failed = timeline.list.item(1).toolTip()
    assert "does not require grad" in failed and explain(failed).explanation in failed
    rows = [tensors.tree.topLevelItem(i) for i in range(tensors.tree.topLevelItemCount())]
    tip = next(row.toolTip(0) for row in rows if row.text(0) == "bad")
    assert "here a is 2x3 (3 columns) and b is 2x3 (2 rows)" in tip
