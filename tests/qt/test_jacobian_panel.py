"""The Jacobian panel's J is the engine's (and PyTorch's) Jacobian, and vᵀJ is the .grad that
backward produced."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QScrollArea

from engine.autograd.functional import jacobian
from playground.qt.engine_state import replay_at
from playground.qt.jacobian_model import (
    TooBig,
    index_labels,
    jacobian_lesson,
    pipeline_function,
)
from playground.qt.jacobian_panel import JacobianPanel
from playground.qt.mini_heatmap import MatrixPlot
from playground.qt.selection import Selection
from playground.session import Action, Document, Leaf, Seed, Session, Step
from playground.session.lessons import load_lesson

from .test_graph_view import linear_document, seed_document


def backward(target="out", seed="ones", retain_graph=True):
    return Action(kind="backward", target=target, retain_graph=retain_graph,
                  seed=Seed(kind=seed, seed=3))


def lesson_of(document, output, name, **options):
    session = Session(document)
    return session, jacobian_lesson(document, replay_at(session), output, name, **options)


@pytest.mark.parametrize("document,output,name", [
    (seed_document(), "out", "inp"),
    (linear_document(), "z", "b"),
    (linear_document(), "z", "w"),
    (linear_document(), "loss", "w"),
])
def test_j_equals_engine_jacobian(document, output, name):
    session, lesson = lesson_of(document, output, name)
    replay = replay_at(session)
    func = pipeline_function(document, replay.namespace, name, output)
    x = replay.namespace[name].detach()
    expected = jacobian(func, x).numpy().reshape(lesson.jacobian.shape)
    np.testing.assert_allclose(lesson.jacobian, expected, rtol=1e-6)
    assert lesson.jacobian.shape == (replay.namespace[output].numel(), x.numel())


def test_seed_lesson_j_shows_the_transpose_and_the_diagonal():
    _, lesson = lesson_of(seed_document(), "out", "inp")
    j = lesson.jacobian
    assert j.shape == (20, 20)
    assert np.count_nonzero(j) == 20  # one entry per row: out[i, j] depends on inp[j, i] only
    for row, (i, k) in enumerate(np.ndindex(5, 4)):
        column = k * 5 + i  # the transpose
        assert j[row, column] == (4.0 if i == k else 2.0)  # 2 * (inp + 1): 4 on the diagonal
    assert index_labels((5, 4))[:2] == ["0,0", "0,1"]


def test_j_equals_torch_jacobian():
    torch = pytest.importorskip("torch")
    _, lesson = lesson_of(seed_document(), "out", "inp")
    expected = torch.autograd.functional.jacobian(lambda x: (x + 1).pow(2).t(),
                                                  torch.eye(4, 5))
    np.testing.assert_allclose(lesson.jacobian, expected.reshape(20, 20).numpy(), rtol=1e-6)
    session, lesson = lesson_of(linear_document(), "z", "w")
    x = torch.ones(5, 5)
    b = torch.zeros(6)
    w = torch.tensor(replay_at(session).namespace["w"].detach().numpy())
    expected = torch.autograd.functional.jacobian(lambda w: x @ w + b, w)
    np.testing.assert_allclose(lesson.jacobian, expected.reshape(30, 30).numpy(), rtol=1e-6)


@pytest.mark.parametrize("seed", ["ones", "randn"])
def test_vjp_equals_the_grad_backward_produced(seed):
    session = Session(seed_document([backward(seed=seed), backward(seed=seed)]))
    used = session.outcomes[2].seed_used
    lesson = jacobian_lesson(session.document, replay_at(session), "out", "inp", seed=used)
    added = session.grad_delta("inp", 2)  # what the second backward added to inp.grad
    np.testing.assert_allclose(lesson.vjp, added, rtol=1e-5)
    np.testing.assert_allclose(lesson.backward_grad, added, rtol=1e-5)


def test_jvp_is_a_column_of_j_and_broadcasts_are_found():
    _, lesson = lesson_of(linear_document(), "z", "b", tangent=np.eye(6, dtype=np.float32)[2])
    np.testing.assert_allclose(lesson.jvp.reshape(-1), lesson.jacobian[:, 2])
    [sent] = lesson.broadcasts
    assert sent.broadcast.shape == (5, 6) and sent.grad.shape == (6,)
    np.testing.assert_allclose(sent.grad, lesson.vjp)


def test_too_big_and_unrelated_are_refused_with_a_message():
    big = Document(leaves=(Leaf(name="a", factory="ones", shape=(1001,), requires_grad=True),),
                   steps=(Step(name="s", op="exp", operands=("a",)),))
    with pytest.raises(TooBig, match="at most"):
        lesson_of(big, "s", "a")
    two = big.model_copy(update={"leaves": big.leaves + (
        Leaf(name="c", factory="ones", shape=(2,), requires_grad=True),)})
    with pytest.raises(ValueError, match="not computed from"):
        lesson_of(two, "s", "c")


def test_panel_shows_j_and_says_vjp_equals_grad(qtbot):
    session = Session(seed_document([backward()]))
    selection = Selection()
    panel = JacobianPanel(session, selection)
    qtbot.addWidget(panel)
    panel.resize(1150, 900)
    assert panel.output_box.currentData() == "out" and panel.input_box.currentData() == "inp"
    assert panel.lesson.jacobian.shape == (20, 20)
    assert "vᵀJ = inp.grad ✓" in panel.check.text()
    panel.tangent_box.setCurrentIndex(panel.tangent_box.findData("ones"))
    panel.refresh()
    np.testing.assert_allclose(panel.lesson.jvp.reshape(-1), panel.lesson.jacobian.sum(axis=1))
    selection.select("sq")
    assert panel.output_box.currentData() == "sq"
    panel.show()
    qtbot.waitUntil(lambda: panel.lesson.output == "sq")
    assert not panel.grab().toImage().isNull()


def test_panel_explains_instead_of_crashing(qtbot):
    session = Session(Document(leaves=(Leaf(name="a", factory="ones", shape=(1001,),
                                            requires_grad=True),)))
    panel = JacobianPanel(session, Selection())
    qtbot.addWidget(panel)
    panel.show()  # a hidden panel only remembers that it must recompute
    assert "Choose an output" in panel.message.text()
    session.insert_step(0, Step(name="s", op="exp", operands=("a",)))
    qtbot.waitUntil(lambda: "at most" in panel.message.text())
    assert panel.lesson is None


def test_panel_reuses_its_plots_when_it_redraws(qtbot):
    session = Session(seed_document([backward()]))
    panel = JacobianPanel(session, Selection())
    qtbot.addWidget(panel)
    plots = set(panel.findChildren(MatrixPlot))
    for _ in range(3):
        panel.refresh()
    assert set(panel.findChildren(MatrixPlot)) == plots
    assert "vᵀJ = inp.grad ✓" in panel.check.text()


def test_in_place_steps_count_in_j_and_a_failing_backward_is_named(qtbot):
    """The in-place lesson: ``a2 = a.add_(1)`` changes ``a`` before ``b = a.pow(2)``, which
    never names a2; and ``loss.backward()`` fails there (a saved y was changed)."""
    torch = pytest.importorskip("torch")
    session = Session(load_lesson("inplace-pitfalls"))
    session.select(len(session.outcomes) - 1)
    panel = JacobianPanel(session, Selection())
    qtbot.addWidget(panel)
    panel.output_box.setCurrentIndex(panel.output_box.findData("b"))
    panel.refresh()
    x = torch.tensor(session.state("x", 0).value)

    def by_torch(t):
        a = t * 2
        a.add_(1)
        return a.pow(2)

    expected = torch.autograd.functional.jacobian(by_torch, x).reshape(6, 6).numpy()
    np.testing.assert_allclose(panel.lesson.jacobian, expected, rtol=1e-6)
    assert "vᵀJ = x.grad ✓" in panel.check.text()
    panel.output_box.setCurrentIndex(panel.output_box.findData("loss"))
    panel.refresh()
    assert "loss.backward(v) fails here" in panel.check.text()
    assert "modified by an inplace operation" in panel.check.text()
    assert "torch.FloatTensor" in panel.check.text()


def test_a_backward_sets_again_only_the_plots_whose_title_or_picture_changed(qtbot):
    session = Session(linear_document([backward("loss", seed="implicit")]))
    panel = JacobianPanel(session, Selection())
    qtbot.addWidget(panel)
    panel.show()
    panel.input_box.setCurrentIndex(panel.input_box.findData("b"))  # broadcast to (5, 6)
    panel.refresh()
    assert panel.lesson.output == "loss" and len(panel.drawing._broadcasts) == 1
    drawing = panel.drawing
    plots = {"J": drawing.j_plot, "v": drawing._side[0], "vjp": drawing._side[1],
             "grad": drawing._side[2], "u": drawing._forward[0], "jvp": drawing._forward[1],
             "wide": drawing._broadcasts[0][1], "narrow": drawing._broadcasts[0][2]}
    check = panel.check
    set_again = []

    def counted(name, real):
        def set_array(*args, **kwargs):
            set_again.append(name)
            return real(*args, **kwargs)

        return set_array

    for name, plot in plots.items():
        plot.set_array = counted(name, plot.set_array)
    refilled = []
    for box in (panel.output_box, panel.input_box):
        box.model().rowsRemoved.connect(lambda *_: refilled.append(True))
    session.insert_action(-1, backward("loss", seed="implicit"))
    qtbot.waitUntil(lambda: not panel._updates.stale)
    assert not refilled  # the same choices: the boxes are left alone
    assert "backward #2" in plots["grad"].title.text() and "#2" in plots["v"].title.text()
    assert set_again == []  # only the titles that name the backward changed
    assert panel.check is check and "vᵀJ = b.grad ✓" in check.text()
    set_again.clear()
    panel.element_box.setValue(3)  # u moves to column 3; every column of J is 1/30 here
    assert set_again == ["u"]
    np.testing.assert_array_equal(plots["u"].array.reshape(-1), np.eye(6)[3])
    panel.output_box.setCurrentIndex(panel.output_box.findData("xw"))  # no broadcast on the
    panel.refresh()  # way back from xw: laid out anew, without that section
    assert panel.drawing._broadcasts == [] and not plots["wide"].isVisible()
    assert panel.lesson.jacobian.shape == (30, 30) and panel.lesson.input == "w"


@pytest.mark.parametrize("retain", [True, False])
def test_a_backward_appended_continues_the_panels_replay_and_shows_what_a_fresh_one_does(
        qtbot, retain):
    session = Session(linear_document([backward("loss", seed="implicit", retain_graph=True)]))
    panel = JacobianPanel(session, Selection())
    qtbot.addWidget(panel)
    panel.show()
    replay = panel._replays.get(session)
    for _ in range(2):  # without retain_graph, the second fails: the graph was freed
        session.insert_action(-1, backward("loss", seed="implicit", retain_graph=retain))
        qtbot.waitUntil(lambda: not panel._updates.stale)
        assert panel._replays.get(session) is replay  # continued, not replayed
        fresh = JacobianPanel(Session(session.document), Selection())
        qtbot.addWidget(fresh)
        for name in ("jacobian", "seed", "vjp", "backward_grad", "jvp"):
            np.testing.assert_array_equal(getattr(panel.lesson, name),
                                          getattr(fresh.lesson, name))
        assert panel.lesson.backward_error == fresh.lesson.backward_error
        assert panel.check.text() == fresh.check.text()


def test_v_vjp_and_grad_stand_beside_j_when_they_fit_and_below_it_when_not(qtbot):
    session = Session(seed_document([backward()]))  # J is 20 x 20: ~600 px wide with numbers
    panel = JacobianPanel(session, Selection())
    qtbot.addWidget(panel)
    scroll = panel.findChild(QScrollArea)
    drawing = panel.drawing
    j_plot, side = drawing.j_plot, drawing._side

    def placed(widget):
        return widget.geometry().translated(widget.parentWidget().mapTo(drawing, QPoint()))

    panel.resize(1200, 900)
    panel.show()
    qtbot.waitUntil(lambda: drawing.beside and placed(side[0]).left() > 0)
    for plot in side:  # a column to the right of J, the check under it
        assert placed(plot).left() >= placed(j_plot).right()
    assert placed(side[1]).top() > placed(side[0]).top()
    assert not scroll.horizontalScrollBar().isVisible()

    panel.resize(600, 900)  # a narrow middle column, as at 1280 x 800
    qtbot.waitUntil(lambda: not drawing.beside and placed(side[0]).top() > placed(j_plot).top())
    qtbot.wait(20)
    for plot in side:  # a row below J, nothing off to the right
        assert placed(plot).top() >= placed(j_plot).bottom()
        assert placed(plot).right() <= scroll.viewport().width()
    assert placed(side[1]).left() > placed(side[0]).right()
    assert placed(drawing.check).top() > placed(side[0]).bottom()
    assert j_plot.width() <= scroll.viewport().width()
    assert not scroll.horizontalScrollBar().isVisible()
    assert j_plot.texts.text_limit >= 20  # still J with its numbers, 20 x 20
    assert "vᵀJ = inp.grad ✓" in panel.check.text()

    pictures = []
    j_plot.set_array = lambda *args, **kwargs: pictures.append(args)
    drawing.fit_width(scroll.viewport().width() + 3)  # a scroll bar more or less: left alone
    assert pictures == []
