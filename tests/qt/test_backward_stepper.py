"""Stepping the backward pass node by node ends where ``.backward()`` does, and never touches
the session."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from playground.qt.backward_stepper import BackwardStepper
from playground.qt.engine_state import replay_at
from playground.qt.graph_view import GraphView
from playground.qt.selection import Selection
from playground.qt.stepper_model import BackwardRun, substituted
from playground.session import Action, Seed, Session
from playground.session.lessons import lesson_names, load_lesson

from .test_graph_view import linear_document, seed_document


def backward(target="out", retain_graph=True, seed="ones"):
    return Action(kind="backward", target=target, retain_graph=retain_graph,
                  seed=Seed(kind=seed))


def leaf_grads(replay):
    return {name: None if t.grad is None else t.grad.numpy().copy()
            for name, t in replay.namespace.items() if t.is_leaf and t.requires_grad}


def cases():
    yield "seed", seed_document(), "out", np.ones((5, 4), np.float32)
    yield "linear", linear_document(), "loss", None
    if "seed-notebook" in lesson_names():
        yield "lesson-loss", load_lesson("seed-notebook"), "loss", None


@pytest.mark.parametrize("name,document,target,seed", list(cases()),
                         ids=[c[0] for c in cases()])
def test_stepping_ends_with_the_grad_of_backward(name, document, target, seed):
    session = Session(document)
    stepped = replay_at(session, 0)  # after the definitions: no backward has freed the graph
    run = BackwardRun(stepped, target, seed)
    count = 0
    while run.step() is not None:
        count += 1
    assert run.error is None and run.finished and count == len(run.records) > 0
    direct = replay_at(session, 0)
    direct.namespace[target].backward(None if seed is None else engine.tensor(seed))
    expected, got = leaf_grads(direct), leaf_grads(stepped)
    assert expected.keys() == got.keys()
    for leaf, grad in expected.items():
        if grad is None:
            assert got[leaf] is None
        else:
            np.testing.assert_allclose(got[leaf], grad, rtol=1e-6)


def test_each_step_is_one_node_with_formulas_and_accumulation():
    session = Session(seed_document([backward()]))
    run = BackwardRun(replay_at(session), "out", np.ones((5, 4), np.float32))
    run.run_to_end()
    assert [r.name for r in run.records] == ["TBackward0", "PowBackward0", "AddBackward0",
                                             "AccumulateGrad"]
    assert [r.key for r in run.records] == ["t:out", "t:sq", "t:h", "t:inp"]
    pow_step = run.records[1]
    line = substituted(pow_step, pow_step.sent[0], (0, 0))
    assert line.endswith("=  1 * 2 * 2^(2-1)  =  4")
    assert substituted(run.records[0], run.records[0].sent[0], (0, 0)) is None  # grad.t()
    last = run.records[-1]  # the second backward: before + incoming = after
    np.testing.assert_array_equal(last.before, np.where(np.eye(4, 5), 4.0, 2.0))
    np.testing.assert_array_equal(last.after, last.before + last.grad_output)


def test_broadcast_input_shows_the_gradient_before_sum_to():
    run = BackwardRun(replay_at(Session(linear_document())), "loss", None)
    run.run_to_end()
    add = next(r for r in run.records if r.name == "AddBackward0")
    to_b = next(s for s in add.sent if s.key == "t:b")
    assert to_b.broadcast.shape == (5, 6) and to_b.grad.shape == (6,)
    np.testing.assert_allclose(to_b.broadcast.sum(axis=0), to_b.grad)


def test_freed_graph_gives_pytorchs_error():
    session = Session(seed_document([backward(retain_graph=False)]))
    run = BackwardRun(replay_at(session), "out", np.ones((5, 4), np.float32))
    run.run_to_end()
    assert "Trying to backward through the graph a second time" in run.error


def test_panel_steps_highlights_and_leaves_the_session_alone(qtbot):
    session = Session(seed_document([backward()]))
    selection = Selection()
    before = session.state("inp", session.cursor).grad.copy()
    stepper = BackwardStepper(session, selection)
    graph = GraphView(session, selection)
    qtbot.addWidget(stepper)
    qtbot.addWidget(graph)
    stepper.connect_graph(graph)
    stepper.resize(1000, 700)
    assert "backward #1" in stepper.call_label.text()  # the cursor is on the backward action
    stepper.step()
    assert graph.node_items["t:out"].highlighted
    stepper.step()
    assert graph.node_items["t:sq"].highlighted and graph.node_items["t:out"].done
    stepper.run_to_end()
    assert "Done in 4 steps" in stepper.status.text() and "inp.grad ✓" in stepper.status.text()
    assert not stepper.step_button.isEnabled()
    np.testing.assert_array_equal(session.state("inp").grad, before)
    assert len(session.outcomes) == 2
    stepper.restart()
    assert stepper.run.records == [] and stepper.step_button.isEnabled()
    assert not any(item.highlighted for item in graph.node_items.values())
    assert not stepper.grab().toImage().isNull()


def test_panel_new_backward_from_the_cursor_and_bad_sessions(qtbot):
    session = Session(linear_document())
    stepper = BackwardStepper(session, Selection())
    qtbot.addWidget(stepper)
    stepper.show()  # a hidden panel only remembers that it must restart
    assert stepper.target_box.currentData() == "loss"
    assert stepper.seed_box.currentData() == "implicit"
    stepper.run_to_end()
    assert "b.grad ✓" in stepper.status.text()
    stepper.target_box.setCurrentIndex(stepper.target_box.findData("z"))
    stepper.seed_box.setCurrentIndex(stepper.seed_box.findData("implicit"))
    stepper.restart()  # z is not a scalar: PyTorch's error, not a crash
    assert "implicitly created only for scalar outputs" in stepper.status.text()
    session.select(0)
    session.set_document(type(session.document)())
    qtbot.waitUntil(lambda: "Nothing to step" in stepper.status.text())


def test_this_thread_records_graphs_between_steps_and_after_a_dropped_run():
    run = BackwardRun(replay_at(Session(seed_document())), "out", np.ones((5, 4), np.float32))
    x = engine.ones(2, requires_grad=True)
    for _ in range(2):
        assert run.step() is not None
        assert engine.is_grad_enabled() and (x * 2).requires_grad
    del run  # dropped half way, as Restart does
    import gc

    gc.collect()
    assert engine.is_grad_enabled()


def test_restart_after_stepping_a_timeline_backward_shows_its_seed_and_retain(qtbot):
    session = Session(seed_document([backward(retain_graph=True, seed="randn")]))
    stepper = BackwardStepper(session, Selection())
    qtbot.addWidget(stepper)
    session.select(1)
    stepper.restart()
    assert stepper.seed_box.currentText() == "torch.randn_like(t), seed 0"
    assert stepper.retain_box.isChecked() and not stepper.seed_box.isEnabled()
    for _ in range(3):
        stepper.step()
    stepper.restart()  # the graph must be rebuilt with grad recording on
    assert stepper.run is not None and stepper.run.error is None
    stepper.run_to_end()
    np.testing.assert_allclose(stepper.run.leaf_grad("inp"), session.state("inp", 1).grad)
    session.select(0)  # no backward at the cursor: a new one, with the usual default seed
    stepper.restart()
    assert stepper.seed_box.findData("timeline") < 0 and stepper.seed_box.isEnabled()


def test_a_backward_appended_continues_an_unstepped_replay_never_a_stepped_one(qtbot):
    session = Session(seed_document([backward()]))
    stepper = BackwardStepper(session, Selection())
    qtbot.addWidget(stepper)
    stepper.show()
    first = stepper.run.replay
    session.insert_action(-1, backward())
    qtbot.waitUntil(lambda: "backward #2" in stepper.call_label.text())
    assert stepper.run.replay is first  # continued by the one backward in between
    stepper.step()
    # Made for the first step shown, over the whole pass: inp.grad ends at 4 + 4 = 8.
    assert stepper.levels == (-8.0, 8.0)
    stepper.run_to_end()
    assert "inp.grad ✓" in stepper.status.text()
    np.testing.assert_allclose(stepper.run.leaf_grad("inp"), session.state("inp").grad)
    stepped = stepper.run.replay
    session.insert_action(-1, backward())
    qtbot.waitUntil(lambda: "backward #3" in stepper.call_label.text())
    assert stepper.run.replay is not stepped  # its .grad holds the stepped pass: replayed
    stepper.run_to_end()
    assert "inp.grad ✓" in stepper.status.text()
    np.testing.assert_allclose(stepper.run.leaf_grad("inp"), session.state("inp").grad)
