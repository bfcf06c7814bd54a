"""Big Jacobians: built off the GUI thread walk by walk, equal to the engine's and PyTorch's
jacobian; Cancel stops the worker and leaves the panel saying so; a session change while J is
being built discards the stale J; above 10^6 entries the panel says the size and the limit."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from engine.autograd.functional import jacobian
from playground.qt.engine_state import replay_at
from playground.qt.jacobian_job import JacobianJob, build_all, jacobian_walks
from playground.qt.jacobian_model import MAX_ENTRIES, jacobian_lesson, pipeline_function
from playground.qt.jacobian_panel import JacobianPanel
from playground.qt.mini_heatmap import MatrixPlot, downsample
from playground.qt.selection import Selection
from playground.session import Document, Leaf, Session, Step, TensorData

RNG = np.random.default_rng(5)


def values(*shape) -> TensorData:
    return TensorData(shape=shape, data=tuple(RNG.uniform(-1, 1, shape).ravel().tolist()))


def square_document() -> Document:
    """``out = (a @ w).sigmoid()`` for a (30, 30): J is 900 x 900, built row by row."""
    return Document(
        leaves=(Leaf(name="a", values=values(30, 30), requires_grad=True),
                Leaf(name="w", values=values(30, 30))),
        steps=(Step(name="aw", op="matmul", operands=("a", "w")),
               Step(name="out", op="sigmoid", operands=("aw",))))


def tall_document() -> Document:
    """``out = (m * b).tanh()`` for b (40,), m (120, 40): J is 4,800 x 40, column by column."""
    return Document(
        leaves=(Leaf(name="b", values=values(40), requires_grad=True),
                Leaf(name="m", values=values(120, 40))),
        steps=(Step(name="mb", op="mul", operands=("m", "b")),
               Step(name="out", op="tanh", operands=("mb",))))


def slow_document() -> Document:
    """A J of 1,000 x 1,000 through twelve ops: long enough to cancel."""
    steps = [Step(name="h0", op="mul", operands=("a", 1.5))]
    for i in range(1, 12):
        steps.append(Step(name=f"h{i}", op="sin" if i % 2 else "mul",
                          operands=(f"h{i - 1}",) if i % 2 else (f"h{i - 1}", 1.1)))
    return Document(leaves=(Leaf(name="a", values=values(1000), requires_grad=True),),
                    steps=tuple(steps))


def _function_and_point(document, output, name):
    session = Session(document)
    replay = replay_at(session)
    func = pipeline_function(document, replay.namespace, name, output)
    return func, replay.namespace[name].detach()


@pytest.mark.parametrize("make", [square_document, tall_document])
def test_the_workers_j_is_the_engines_and_torchs(make):
    document = make()
    lesson = jacobian_lesson(document, replay_at(Session(document)), "out", document.leaves[0].name,
                             build=False)
    assert lesson.jacobian is None and lesson.shape[0] * lesson.shape[1] > 40_000
    job = JacobianJob(lesson.walks()).start()
    assert job.finished.wait(60) and job.error is None
    assert job.done == job.total == min(lesson.shape)  # one walk per row or per column
    func, x = _function_and_point(document, "out", document.leaves[0].name)
    forward = {"strategy": "forward-mode", "vectorize": True} if make is tall_document else {}
    expected = jacobian(func, x, **forward).numpy().reshape(lesson.shape)
    np.testing.assert_allclose(job.matrix, expected, rtol=1e-5, atol=1e-7)
    torch = pytest.importorskip("torch")
    a, other = (torch.tensor(np.array(leaf.values.data, dtype=np.float32).reshape(
        leaf.values.shape)) for leaf in document.leaves)
    if make is square_document:
        def f(x):
            return (x @ other).sigmoid()
    else:
        def f(x):
            return (other * x).tanh()
    by_torch = torch.autograd.functional.jacobian(f, a, vectorize=True)
    by_torch = by_torch.reshape(lesson.shape).numpy()
    np.testing.assert_allclose(job.matrix, by_torch, rtol=1e-5, atol=1e-6)


def test_a_no_grad_step_carries_no_gradient_into_j():
    document = Document(
        leaves=(Leaf(name="a", values=values(3), requires_grad=True),),
        steps=(Step(name="c", op="mul", operands=("a", 2), no_grad=True),
               Step(name="out", op="mul", operands=("a", "c"))))
    func, x = _function_and_point(document, "out", "a")
    matrix = build_all(jacobian_walks(func, x, 3))
    torch = pytest.importorskip("torch")
    a = torch.tensor(x.numpy(), requires_grad=True)

    def f(t):
        with torch.no_grad():
            c = t * 2
        return t * c
    np.testing.assert_allclose(matrix, torch.autograd.functional.jacobian(f, a).numpy(),
                               rtol=1e-6)


def _panel(qtbot, document):
    session = Session(document)
    panel = JacobianPanel(session, Selection())
    qtbot.addWidget(panel)
    panel.resize(1100, 900)
    panel.show()
    return session, panel


def test_the_panel_builds_a_big_j_off_the_gui_thread(qtbot):
    session, panel = _panel(qtbot, square_document())
    job = panel.job
    assert job is not None and panel.progress.isVisible()
    assert "900 × 900 = 810,000 entries" in panel.message.text()
    qtbot.waitUntil(lambda: panel.lesson.jacobian is not None, timeout=60_000)
    assert panel.job is None and not panel.progress.isVisible()
    assert job.thread.name == "jacobian" and not job.thread.is_alive()
    func, x = _function_and_point(session.document, "out", "a")
    np.testing.assert_allclose(panel.lesson.jacobian, jacobian(func, x).numpy().reshape(900, 900),
                               rtol=1e-5, atol=1e-7)
    # Drawn downsampled (900 > 200 a side), and it says so.
    title = panel.drawing.j_plot.title.text()
    assert "shown downsampled" in title and "5 × 5 block" in title
    assert panel.drawing.j_plot.array.shape == (180, 180)


def test_cancel_stops_the_worker_and_says_so(qtbot):
    _, panel = _panel(qtbot, slow_document())
    job = panel.job
    assert job is not None
    qtbot.mouseClick(panel.progress.cancel_button, Qt.MouseButton.LeftButton)
    assert job.cancelled and job.finished.wait(30)
    assert job.matrix is None and job.done < 1000
    assert panel.job is None and panel.lesson.jacobian is None
    assert "of 1,000 walks: J was not built" in panel.message.text()
    assert panel.progress.build_button.isVisible() and not panel.progress.bar.isVisible()
    assert panel.drawing.j_plot is None or not panel.drawing.j_plot.isVisible()
    qtbot.mouseClick(panel.progress.build_button, Qt.MouseButton.LeftButton)  # to the end
    qtbot.waitUntil(lambda: panel.lesson.jacobian is not None, timeout=60_000)
    assert panel.lesson.jacobian.shape == (1000, 1000)


def test_a_session_change_meanwhile_discards_the_stale_j(qtbot):
    session, panel = _panel(qtbot, slow_document())
    stale = panel.job
    assert stale is not None
    # The learner edits a step while J is being built: h0 = a * 1.5 becomes a * -2.
    session.replace_step("h0", Step(name="h0", op="mul", operands=("a", -2.0)))
    qtbot.waitUntil(lambda: panel.job is not stale, timeout=10_000)
    assert stale.cancelled and stale.finished.wait(30) and stale.matrix is None
    qtbot.waitUntil(lambda: panel.lesson is not None and panel.lesson.jacobian is not None,
                    timeout=60_000)
    func, x = _function_and_point(session.document, "h11", "a")
    expected = jacobian(func, x).numpy().reshape(1000, 1000)
    np.testing.assert_allclose(panel.lesson.jacobian, expected, rtol=1e-5, atol=1e-7)


def test_a_session_change_while_the_panel_is_hidden_drops_the_job_at_once(qtbot):
    session, panel = _panel(qtbot, slow_document())
    stale = panel.job
    assert stale is not None
    panel.hide()  # another tab raised: the panel's own refresh waits until it shows again
    session.replace_step("h0", Step(name="h0", op="mul", operands=("a", -2.0)))
    assert stale.cancelled and panel.job is None and panel.lesson.jacobian is None
    assert "session changed while J was being built" in panel.message.text()
    assert stale.finished.wait(30) and stale.matrix is None
    panel.show()
    qtbot.waitUntil(lambda: panel.lesson.jacobian is not None, timeout=60_000)
    func, x = _function_and_point(session.document, "h11", "a")
    np.testing.assert_allclose(panel.lesson.jacobian, jacobian(func, x).numpy().reshape(1000, 1000),
                               rtol=1e-5, atol=1e-7)


def test_above_a_million_entries_the_panel_says_the_size_and_the_limit(qtbot):
    document = Document(leaves=(Leaf(name="a", factory="ones", shape=(1001,),
                                     requires_grad=True),),
                        steps=(Step(name="s", op="exp", operands=("a",)),))
    _, panel = _panel(qtbot, document)
    text = panel.message.text()
    assert "1,001 x 1,001 = 1,002,001 entries" in text and f"at most {MAX_ENTRIES:,}" in text
    assert panel.job is None and panel.lesson is None


def test_downsampling_keeps_a_thin_diagonal_and_signs():
    matrix = np.eye(1000, dtype=np.float32)
    matrix[0, 999] = -3.0
    picture, rows, cols, block = downsample(matrix)
    assert block == (5, 5) and picture.shape == (200, 200) and rows[:2] == [0, 5]
    assert (np.diag(picture) == 1).all() and picture[0, 199] == -3.0
    assert np.count_nonzero(picture) == 201
    small, _, _, one = downsample(np.ones((20, 20)))
    assert one == (1, 1) and small.shape == (20, 20)
    column = np.zeros((1_000_000, 1), dtype=np.float32)  # 10^6 outputs of one input
    column[123_456] = 7.0
    picture, rows, cols, block = downsample(column)
    assert block == (5000, 1) and picture.shape == (200, 1) and picture[24, 0] == 7.0



def test_a_big_side_plot_is_drawn_downsampled_and_says_so(qtbot):
    plot = MatrixPlot()
    qtbot.addWidget(plot)
    plot.set_title("<b>v</b>")
    values = np.arange(1000 * 300, dtype=np.float32).reshape(1000, 300)
    plot.set_array(values, marked=(999, 299))
    assert plot.block == (5, 2) and plot.texts.picture.shape == (200, 150)
    assert plot.texts.marked == (199, 149) and plot.array is not None
    assert plot.texts.picture[199, 149] == values.max()
    assert "downsampled" in plot.title.text() and "5 × 2" in plot.title.text()
    plot.set_array(np.ones((4, 5)))  # a small one again: no note
    assert plot.block == (1, 1) and "downsampled" not in plot.title.text()


def test_a_million_outputs_of_one_input_draw_without_colouring_a_million_cells(qtbot):
    document = Document(
        leaves=(Leaf(name="a", values=values(1), requires_grad=True),
                Leaf(name="m", values=values(1000, 1000))),
        steps=(Step(name="ma", op="mul", operands=("m", "a")),
               Step(name="out", op="exp", operands=("ma",))))
    _, panel = _panel(qtbot, document)
    qtbot.waitUntil(lambda: panel.lesson.jacobian is not None, timeout=60_000)
    assert panel.lesson.jacobian.shape == (1_000_000, 1)
    assert panel.drawing.j_plot.texts.picture.shape == (200, 1)
    shown = [p for p in panel.drawing.plots[:panel.drawing.plots_used] if p.array is not None]
    assert any(p.block == (5, 5) for p in shown)  # v and J·u, shaped like out (1000, 1000)
    assert all(max(p.texts.picture.shape) <= 200 for p in shown)


def test_closing_the_panel_stops_its_worker(qtbot):
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    session = Session(slow_document())
    panel = JacobianPanel(session, Selection())
    panel.show()
    job = panel.job
    assert job is not None
    panel.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert job.cancelled and job.finished.wait(30) and job.matrix is None
