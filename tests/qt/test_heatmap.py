"""The heatmaps panel shows what the session holds: the seed notebook's 4/2, then 8/4, zeros,
and None before any backward; held colour scales; outlines; odd shapes and values."""

from __future__ import annotations

import numpy as np
import pytest

from playground.qt.heatmap import HeatmapPanel, levels_of
from playground.qt.selection import Selection
from playground.session import (
    AddAction,
    AddLeaf,
    AddStep,
    Document,
    Leaf,
    RemoveStep,
    Session,
    Step,
    TensorData,
    UndoStack,
)
from tests.session.builders import backward, jvp_document, zero_grad


@pytest.fixture
def seed(qtbot):
    session, stack, selection = Session(jvp_document()), UndoStack(), Selection()
    panel = HeatmapPanel(session, selection)
    qtbot.addWidget(panel)
    panel.resize(600, 700)
    return session, stack, selection, panel


def expected(diagonal: str, rest: str) -> list[str]:
    return [diagonal if r == c else rest for r in range(4) for c in range(5)]


def test_grads_read_like_the_notebook(seed):
    session, stack, _, panel = seed
    assert list(panel.cards) == ["inp", "h", "sq", "out"]
    inp = panel.cards["inp"]
    assert inp.grad_is_none and inp.cell_texts() == []
    assert inp.value_view.texts == expected("1.", "0.")
    stack.push(AddAction(session, backward()))
    assert not inp.grad_is_none
    assert inp.cell_texts() == expected("4.", "2.")
    np.testing.assert_array_equal(inp.grad_image.image, session.state("inp").grad)
    stack.push(AddAction(session, backward()))
    assert inp.cell_texts() == expected("8.", "4.")
    stack.push(AddAction(session, zero_grad("inp")))
    assert inp.cell_texts() == ["0."] * 20
    assert panel.cards["h"].grad_is_none  # a non-leaf keeps no .grad
    stack.undo()
    assert inp.cell_texts() == expected("8.", "4.")


def test_time_travel_shows_each_point(seed):
    session, stack, _, panel = seed
    for action in (backward(), backward(), zero_grad("inp", set_to_none=True)):
        stack.push(AddAction(session, action))
    assert panel.cards["inp"].grad_is_none
    session.select(1)
    assert panel.cards["inp"].cell_texts() == expected("4.", "2.")
    session.select(0)
    assert panel.cards["inp"].grad_is_none


def test_hold_colour_scale_keeps_levels(seed):
    session, stack, _, panel = seed
    stack.push(AddAction(session, backward()))
    inp = panel.cards["inp"]
    assert levels_of(inp) == (-4.0, 4.0)
    panel.set_hold_colour_scale(True)
    assert panel.hold_check.isChecked()
    stack.push(AddAction(session, backward()))
    assert levels_of(inp) == (-4.0, 4.0)  # 8 now saturates: the colours visibly doubled
    assert tuple(inp.grad_image.levels) == (-4.0, 4.0)
    assert "held colour scale" in inp.note_label.text()
    panel.set_hold_colour_scale(False)
    assert levels_of(inp) == (-8.0, 8.0)
    assert "held colour scale" not in inp.note_label.text()


def test_changed_cells_are_outlined(seed):
    session, stack, _, panel = seed
    overlay = panel.cards["inp"].grad_view.overlay
    assert overlay.outlined is None
    stack.push(AddAction(session, backward()))
    assert len(overlay.outlined) == 20
    stack.push(AddAction(session, zero_grad("inp")))
    assert len(overlay.outlined) == 20
    stack.push(AddAction(session, zero_grad("inp")))  # zeros again: nothing changed
    assert overlay.outlined is None


def test_only_changed_pictures_are_repainted(seed):
    session, stack, _, panel = seed
    painted = []
    for name, card in panel.cards.items():
        for side, image in (("value", card.value_image), ("grad", card.grad_image)):
            image.sigImageChanged.connect(_recorder(painted, name, side))
    stack.push(AddAction(session, backward()))
    assert painted == [("inp", "grad")]


def _recorder(painted, name, side):
    def record():
        painted.append((name, side))
    return record


def test_clicking_a_card_selects_it(seed, qtbot):
    _, _, selection, panel = seed
    panel.show()
    card = panel.cards["sq"]
    qtbot.mouseClick(card.name_label, qtbot_button())
    assert selection.name == "sq"
    assert card.property("selected") is True
    selection.select("inp")
    assert card.property("selected") is False


def qtbot_button():
    from PySide6.QtCore import Qt
    return Qt.MouseButton.LeftButton


def test_hover_text(seed, qtbot):
    from PySide6.QtCore import QPointF

    session, stack, _, panel = seed
    stack.push(AddAction(session, backward()))
    card = panel.cards["inp"]
    card.resize(560, 260)
    card._on_mouse_moved(card.grad_view.box.mapViewToScene(QPointF(3, 1)))  # x = column
    assert card.hover_label.text() == "inp[1, 3] = 0.    grad 2."
    assert panel.cards["inp"].hover_text((1, 1)) == "inp[1, 1] = 1.    grad 4."
    assert panel.cards["h"].hover_text((0, 2)) == "h[0, 2] = 1.    grad None"


def test_cards_follow_steps_and_undo(seed):
    session, stack, _, panel = seed
    stack.push(AddStep(session, Step(name="total", op="sum", operands=("out",))))
    assert list(panel.cards) == ["inp", "h", "sq", "out", "total"]
    assert panel.cards["total"].value_view.texts == ["32."]
    stack.push(RemoveStep(session, "h"))  # sq is now not computable
    assert "h" not in panel.cards
    assert not panel.cards["sq"].note_label.isHidden()
    assert "h" in panel.cards["sq"].note_label.text()
    stack.undo()
    stack.undo()
    assert list(panel.cards) == ["inp", "h", "sq", "out"]


def test_odd_shapes_and_values(qtbot):
    cube = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    values = np.array([[1.0, np.nan, -2.5], [np.inf, 0.25, 3.0]], dtype=np.float32)
    document = Document(leaves=(
        Leaf(name="s", factory="full", shape=(), fill=2.5, requires_grad=True),
        Leaf(name="v", factory="ones", shape=(6,), requires_grad=True),
        Leaf(name="x", factory="tensor", values=TensorData.of(values)),
        Leaf(name="cube", factory="tensor", values=TensorData.of(cube)),
        Leaf(name="e", factory="zeros", shape=(2, 0), requires_grad=True),
        Leaf(name="flags", factory="tensor", dtype="bool",
             values=TensorData(dtype="bool", shape=(2,), data=(True, False))),
    ))
    session = Session(document)
    panel = HeatmapPanel(session, Selection())
    qtbot.addWidget(panel)
    assert panel.cards["s"].value_view.texts == ["2.5000"]
    assert panel.cards["v"].value_image.image.shape == (1, 6)
    x = panel.cards["x"]
    assert x.value_view.texts == ["1.0000", "nan", "-2.5000", "inf", "0.2500", "3.0000"]
    assert x.value_view.levels == (-3.0, 3.0)  # inf and nan do not wreck the scale
    assert len(x.value_view.overlay.marks) == 2
    assert "1 nan, 1 inf" in x.note_label.text()
    assert panel.cards["flags"].value_view.texts == ["True", "False"]
    assert panel.cards["e"].value_view.overlay.none_text == "empty"
    card = panel.cards["cube"]
    assert len(card.slice_boxes) == 1
    assert card.value_view.texts[0] == "0."
    card.slice_boxes[0].setValue(1)
    assert card.value_view.texts[0] == "12."
    assert "[1, :, :]" in card.note_label.text()


def test_large_tensor_has_no_cell_texts(qtbot):
    session = Session(Document())
    panel = HeatmapPanel(session, Selection())
    qtbot.addWidget(panel)
    leaf = Leaf(name="big", factory="randn", shape=(1000, 1000), requires_grad=True)
    UndoStack().push(AddLeaf(session, leaf))
    card = panel.cards["big"]
    assert card.value_view.texts is None
    assert card.value_image.image.shape == (1000, 1000)
    assert card.grad_is_none


def test_cards_are_built_when_seen_then_in_idle_time(qtbot):
    leaves = tuple(Leaf(name=f"t{i}", factory="ones", shape=(3, 3)) for i in range(12))
    panel = HeatmapPanel(Session(Document(leaves=leaves)), Selection())
    qtbot.addWidget(panel)
    assert not any(card.built for card in panel.cards.values())
    panel.resize(500, 400)
    panel.show()
    qtbot.waitUntil(lambda: panel.cards["t0"].built)
    qtbot.waitUntil(lambda: all(card.built for card in panel.cards.values()))
    assert panel.cards["t11"].value_view.texts == ["1."] * 9


def test_an_action_redraws_only_the_cards_it_changed(seed, monkeypatch):
    session, stack, _, panel = seed
    for card in panel.cards.values():
        card.ensure_built()
    from playground.qt.heatmap_view import HeatmapView

    shown = []
    original = HeatmapView.show

    def recording_show(view, *args, **kwargs):
        shown.append(next(name for name, card in panel.cards.items()
                          if view in (card.value_view, card.grad_view)))
        return original(view, *args, **kwargs)

    monkeypatch.setattr(HeatmapView, "show", recording_show)
    stack.push(AddAction(session, backward()))
    assert set(shown) == {"inp"}  # only inp's .grad changed; h, sq and out keep their pictures
    assert panel.cards["inp"].cell_texts() == expected("4.", "2.")
    shown.clear()
    stack.push(AddAction(session, zero_grad("inp")))
    assert set(shown) == {"inp"}
    assert panel.cards["inp"].cell_texts() == ["0."] * 20
