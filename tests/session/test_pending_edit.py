"""An edit whose replay runs on another thread (``Session.replay_elsewhere``): the same outcomes
as the synchronous path, nothing visible before it lands, undo and further edits that land it
first, and nothing lost when its replay fails."""

import threading

import numpy as np
import pytest

import playground.session.pending as pending_module
from playground.session import Leaf, Session, SessionError, Step, TensorData
from playground.session.commands import (
    AddStep,
    EditStep,
    Rename,
    ReplaceLeaf,
    UndoStack,
    edit_cell,
)
from playground.session.outcome import Outcome, TensorState
from playground.session.pending import PendingEdit, worth_replaying_elsewhere
from playground.session.runner import Replay
from tests.session.builders import backward, jvp_document
from tests.session.test_pending import _same_outcome


@pytest.fixture
def every_edit_big(monkeypatch):
    monkeypatch.setattr(pending_module, "REPLAY_ELEMENTS", 0)


class Elsewhere:
    """``replay_elsewhere`` for tests: computes what the session hands out on a worker thread,
    as the window does; ``run`` waits for the last one and lands it."""

    def __init__(self, session: Session):
        self.session, self.handed = session, []
        session.replay_elsewhere = self.start

    def start(self, pending: PendingEdit) -> None:
        self.handed.append(pending)
        threading.Thread(target=pending.compute).start()

    def compute(self) -> PendingEdit:
        pending = self.handed[-1]
        pending.finished.wait()
        return pending

    def run(self) -> Outcome:
        self.compute()
        return self.session.land_pending()


def _literal_document(actions=None):
    actions = (backward(),) if actions is None else actions
    values = np.arange(20, dtype=np.float32).reshape(4, 5) / 7
    document = jvp_document(actions)
    leaf = Leaf(name="inp", values=TensorData.of(values), requires_grad=True)
    return document.model_copy(update={"leaves": (leaf,)})


def _same_session(mine: Session, theirs: Session) -> None:
    assert mine.document == theirs.document
    assert mine.cursor == theirs.cursor
    assert len(mine.outcomes) == len(theirs.outcomes)
    for a, b in zip(mine.outcomes, theirs.outcomes):
        _same_outcome(a, b)
        for name, state in b.states.items():  # bit for bit, not only equal
            for field in ("value", "grad"):
                x, y = getattr(a.states[name], field), getattr(state, field)
                assert x is None or x.tobytes() == y.tobytes(), (name, field)


def test_an_edit_replays_on_a_thread_and_lands_the_synchronous_outcomes(every_edit_big):
    threaded, synchronous = Session(_literal_document()), Session(_literal_document())
    elsewhere = Elsewhere(threaded)
    step = Step(name="sq", op="pow", operands=("h", 3))
    threaded.replace_step("sq", step)
    synchronous.replace_step("sq", step)
    assert len(elsewhere.handed) == 1 and threaded.busy
    elsewhere.run()
    assert not threaded.busy
    _same_session(threaded, synchronous)


def test_nothing_changes_or_signals_before_the_edit_lands(every_edit_big):
    session = Session(_literal_document())
    elsewhere = Elsewhere(session)
    heard = []
    session.definitions_changed.connect(lambda: heard.append("definitions"))
    session.timeline_changed.connect(lambda: heard.append("timeline"))
    document, outcomes = session.document, list(session.outcomes)
    session.replace_step("sq", Step(name="sq", op="pow", operands=("h", 3)))
    assert heard == [] and session.document is document and session.outcomes == outcomes
    assert session.planned_document.steps[1].operands == ("h", 3)
    assert session.is_modified  # closing now asks about it
    elsewhere.compute()
    assert heard == [] and session.document is document  # computed, not landed
    session.land_pending()
    assert heard == ["definitions", "timeline"]
    assert session.document.steps[1].operands == ("h", 3)


def test_the_replay_never_runs_on_the_sessions_thread(every_edit_big, monkeypatch):
    threads = []
    made = Replay.__init__

    def recording(self, document):
        threads.append(threading.get_ident())
        made(self, document)

    session = Session(_literal_document())
    elsewhere = Elsewhere(session)
    monkeypatch.setattr(Replay, "__init__", recording)
    session.replace_leaf("inp", session.leaf("inp").model_copy(update={"requires_grad": False}))
    elsewhere.run()
    assert len(threads) == 1 and threads[0] != threading.get_ident()


def test_two_cells_typed_before_the_first_lands_are_both_kept(every_edit_big):
    threaded, synchronous = Session(_literal_document()), Session(_literal_document())
    elsewhere = Elsewhere(threaded)
    stack, stack_sync = UndoStack(), UndoStack()
    for session, undo in ((threaded, stack), (synchronous, stack_sync)):
        undo.push(edit_cell(session, "inp", (0, 1), 10.0))
        undo.push(edit_cell(session, "inp", (2, 3), 20.0))  # the first lands before it is read
    assert len(elsewhere.handed) == 2
    elsewhere.run()
    _same_session(threaded, synchronous)
    values = threaded.state("inp", 0).value
    assert (values[0, 1], values[2, 3]) == (10.0, 20.0)


def test_undo_and_redo_while_the_replay_computes(every_edit_big):
    threaded, synchronous = Session(_literal_document()), Session(_literal_document())
    Elsewhere(threaded)
    stack, stack_sync = UndoStack(), UndoStack()
    for session, undo in ((threaded, stack), (synchronous, stack_sync)):
        undo.push(AddStep(session, Step(name="s", op="sum", operands=("out",))))
        undo.push(EditStep(session, "s", Step(name="s", op="mean", operands=("out",))))
        assert undo.can_undo()
        undo.undo()  # lands the edit first, then undoes it
        undo.undo()
        undo.redo()
    threaded.land_pending()
    _same_session(threaded, synchronous)
    assert [s.name for s in threaded.document.steps][-1] == "s"


def test_a_rename_redone_after_an_edit_still_replaying_keeps_that_edit(every_edit_big):
    session = Session(_literal_document())
    Elsewhere(session)
    stack = UndoStack()
    stack.push(Rename(session, "sq", "squared"))
    stack.undo()
    stack.push(edit_cell(session, "inp", (0, 0), 5.0))
    rename = Rename(session, "h", "shifted")
    stack.push(rename)
    stack.undo()  # back to the document before the rename: with the typed cell
    session.land_pending()
    assert session.state("inp", 0).value[0, 0] == 5.0


def test_a_refused_edit_is_refused_at_once(every_edit_big):
    session = Session(_literal_document())
    elsewhere = Elsewhere(session)
    with pytest.raises(SessionError):
        session.insert_step(0, Step(name="h", op="neg", operands=("inp",)))
    assert elsewhere.handed == [] and not session.busy


def test_an_engine_error_after_an_edit_is_in_the_outcomes(every_edit_big):
    threaded, synchronous = Session(_literal_document()), Session(_literal_document())
    elsewhere = Elsewhere(threaded)
    bad = Step(name="sq", op="matmul", operands=("h", "h"))  # (4, 5) @ (4, 5)
    threaded.replace_step("sq", bad)
    synchronous.replace_step("sq", bad)
    elsewhere.run()
    _same_session(threaded, synchronous)
    assert threaded.state("sq", 0).error


def test_a_replay_that_fails_leaves_the_session_as_it_was(every_edit_big, monkeypatch):
    session = Session(_literal_document())
    elsewhere = Elsewhere(session)
    document, outcomes = session.document, list(session.outcomes)

    def broken(self, document):
        raise MemoryError("no room")

    monkeypatch.setattr(Replay, "__init__", broken)
    session.replace_step("sq", Step(name="sq", op="pow", operands=("h", 3)))
    with pytest.raises(MemoryError):
        elsewhere.run()
    assert not session.busy
    assert session.document is document and session.outcomes == outcomes
    monkeypatch.undo()
    session.replace_step("sq", Step(name="sq", op="pow", operands=("h", 4)))  # still editable
    elsewhere.run()
    assert session.document.steps[1].operands == ("h", 4)


def test_whole_documents_and_small_edits_stay_synchronous():
    session = Session(_literal_document())
    elsewhere = Elsewhere(session)
    session.replace_step("sq", Step(name="sq", op="pow", operands=("h", 3)))  # small
    session.set_document(jvp_document())
    assert elsewhere.handed == [] and not session.busy


def test_the_2048_pipeline_with_a_forward_and_a_backward_is_worth_a_thread():
    def states(size):
        array = np.zeros((size, size), np.float32)
        return {f"h{i}": TensorState(f"h{i}", "step", array, None) for i in range(11)} | {
            "x": TensorState("x", "leaf", array, array)}

    document = jvp_document([backward()])
    for size, expected in ((2048, True), (256, False)):
        outcome = Outcome(0, None, None, states(size), (), "")
        assert worth_replaying_elsewhere(document, outcome) is expected


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_typing_into_a_literal_again_gives_the_literal_of_every_element(dtype, monkeypatch):
    values = (np.arange(-6, 6).reshape(3, 4) * 1.5).astype(dtype)
    values.reshape(-1)[3] = -0.0 if dtype != "int64" else 0
    session = Session(jvp_document().model_copy(update={"leaves": (
        Leaf(name="inp", values=TensorData.of(values), requires_grad=dtype != "int64"),)}))
    for index, number in (((0, 0), 2.0), ((2, 3), -7.0), ((1, 1), 0.5)):
        command = edit_cell(session, "inp", index, number)
        expected = session.state("inp", 0).value.copy()
        expected[index] = number
        assert command.leaf.values.data == tuple(expected.reshape(-1).tolist())
        assert [type(x) for x in command.leaf.values.data] == \
            [type(x) for x in expected.reshape(-1).tolist()]
        ReplaceLeaf(session, command.leaf).redo()


def test_a_rename_and_its_undo_replay_on_a_thread(every_edit_big):
    threaded, synchronous = Session(_literal_document()), Session(_literal_document())
    elsewhere = Elsewhere(threaded)
    stack, stack_sync = UndoStack(), UndoStack()
    for session, undo in ((threaded, stack), (synchronous, stack_sync)):
        session.select(0)
        undo.push(Rename(session, "sq", "squared"))
        undo.undo()
    assert len(elsewhere.handed) == 2
    elsewhere.run()
    _same_session(threaded, synchronous)
    assert threaded.cursor == 0 and "sq" in threaded.tensor_names()

