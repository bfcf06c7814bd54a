"""An action computed on another thread (``Session.begin_action``): the same outcome as the
synchronous path, nothing visible before it lands, and edits that land it first."""

import threading

import numpy as np
import pytest

import playground.session.pending as pending_module
from playground.session import Action, Leaf, Seed, Session, SessionError
from playground.session.outcome import Outcome, TensorState
from playground.session.pending import worth_a_thread
from tests.session.builders import backward, jvp_document

SECOND_BACKWARD = "RuntimeError: Trying to backward through the graph a second time"


def _in_a_thread(session: Session, action: Action):
    """Begin ``action``, compute it on a worker thread, and return what it handed out."""
    pending = session.begin_action(action)
    assert pending is not None
    worker = threading.Thread(target=pending.compute)
    worker.start()
    worker.join()
    return pending


def _same_outcome(threaded: Outcome, synchronous: Outcome) -> None:
    assert threaded.index == synchronous.index
    assert threaded.error == synchronous.error
    assert threaded.output == synchronous.output
    assert threaded.reported == synchronous.reported
    assert threaded.states.keys() == synchronous.states.keys()
    for name, state in synchronous.states.items():
        other = threaded.states[name]
        for field in ("value", "grad"):
            mine, theirs = getattr(other, field), getattr(state, field)
            assert (mine is None) == (theirs is None), (name, field)
            if theirs is not None:
                np.testing.assert_array_equal(mine, theirs)
        assert (other.grad_fn, other.requires_grad) == (state.grad_fn, state.requires_grad)


@pytest.mark.parametrize("seed", [None, Seed(kind="ones"), Seed(kind="randn", seed=7)])
def test_a_backward_computed_on_a_thread_lands_the_synchronous_outcome(seed):
    threaded, synchronous = Session(jvp_document()), Session(jvp_document())
    action = backward(seed=seed) if seed else backward()
    for _ in range(2):  # the second one accumulates onto the first
        _in_a_thread(threaded, action)
        threaded.land_pending()
        synchronous.insert_action(-1, action)
    assert len(threaded.outcomes) == len(synchronous.outcomes) == 3
    assert threaded.document == synchronous.document
    assert threaded.cursor == synchronous.cursor == 2
    for mine, theirs in zip(threaded.outcomes, synchronous.outcomes):
        _same_outcome(mine, theirs)


def test_nothing_changes_or_signals_before_it_lands():
    session = Session(jvp_document())
    heard = []
    session.timeline_changed.connect(lambda: heard.append("timeline"))
    session.cursor_changed.connect(heard.append)
    document, outcomes = session.document, list(session.outcomes)
    _in_a_thread(session, backward())
    assert session.busy and heard == []
    assert session.document is document and session.outcomes == outcomes
    assert session.state("inp").grad is None
    outcome = session.land_pending()
    assert not session.busy and heard == ["timeline", 1]
    assert session.current is outcome and outcome.states["inp"].grad is not None
    assert session.land_pending() is None  # nothing pending any more


def test_an_engine_error_computed_on_a_thread_is_the_outcomes_error():
    session = Session(jvp_document([backward(retain_graph=False)]))
    _in_a_thread(session, backward())
    outcome = session.land_pending()
    assert outcome.error.startswith(SECOND_BACKWARD)
    assert outcome.output.splitlines()[1].startswith(SECOND_BACKWARD)


def test_an_edit_lands_the_pending_action_first_and_comes_after_it():
    session = Session(jvp_document())
    _in_a_thread(session, backward())
    session.replace_leaf("inp", Leaf(name="inp", factory="ones", shape=(4, 5),
                                     requires_grad=True))
    assert not session.busy
    assert [a.kind for a in session.document.actions] == ["backward"]
    assert session.document.leaves[0].factory == "ones"
    np.testing.assert_array_equal(session.state("inp").grad, np.full((4, 5), 4.0))


def test_undo_while_it_computes_lands_it_then_removes_it():
    session = Session(jvp_document([backward()]))
    _in_a_thread(session, backward())
    session.remove_action(1)  # what undoing the AddAction recorded for it calls
    assert not session.busy and len(session.document.actions) == 1
    assert len(session.outcomes) == 2 and session.cursor == 1


def test_a_refused_detach_name_raises_before_anything_starts():
    session = Session(jvp_document())
    with pytest.raises(SessionError):
        session.begin_action(Action(kind="detach", target="inp", new_name="out"))
    assert not session.busy


def test_after_an_undo_at_the_end_only_another_action_is_computed_on_a_thread():
    session = Session(jvp_document([backward()]))
    session.remove_action(0)  # the engine state is now ahead of the timeline, by that backward
    assert session.begin_action(backward()) is None and not session.busy  # redone from it
    pending = session.begin_action(backward(retain_graph=False))
    assert pending is not None and session.busy  # the whole timeline is replayed with it


def test_a_bug_while_computing_is_raised_on_landing_and_the_session_stays_whole(monkeypatch):
    session = Session(jvp_document([backward()]))
    pending = session.begin_action(backward())

    def broken(*_):
        raise KeyError("a bug in the snapshot")

    monkeypatch.setattr(session._replay, "compute", broken)
    pending.compute()
    with pytest.raises(KeyError):
        session.land_pending()
    assert not session.busy and len(session.document.actions) == 1
    assert len(session.outcomes) == 2
    session.insert_action(-1, backward())  # the rebuilt engine state goes on from point 1
    np.testing.assert_array_equal(session.state("inp").grad,
                                  2 * np.where(np.eye(4, 5) == 1, 4.0, 2.0))


def _outcome_of(*shapes, grads=False) -> Outcome:
    states = {}
    for number, shape in enumerate(shapes):
        array = np.broadcast_to(np.float32(0), shape)  # the size without the memory
        states[f"t{number}"] = TensorState(f"t{number}", "leaf", array,
                                           array if grads else None)
    return Outcome(0, None, None, states, (), "")


def test_only_a_big_forward_or_backward_is_worth_a_thread():
    big = _outcome_of(*[(2048, 2048)] * 11, grads=True)  # the 10-step 2048² pipeline
    small = _outcome_of(*[(512, 512)] * 11, grads=True)  # the 512² one stays synchronous
    for kind in ("forward", "backward"):
        assert worth_a_thread(Action(kind=kind, target="t0"), big)
        assert not worth_a_thread(Action(kind=kind, target="t0"), small)
    assert not worth_a_thread(Action(kind="zero_grad", targets=("t0",)), big)
    assert not worth_a_thread(Action(kind="retain_grad", target="t0"), big)


def test_the_threshold_counts_values_and_grads(monkeypatch):
    monkeypatch.setattr(pending_module, "BACKGROUND_ELEMENTS", 150)
    action = Action(kind="backward", target="t0")
    assert not worth_a_thread(action, _outcome_of((10, 10)))
    assert worth_a_thread(action, _outcome_of((10, 10), grads=True))


def test_the_grad_changes_computed_with_it_are_the_ones_the_session_gives():
    threaded, synchronous = Session(jvp_document([backward()])), Session(jvp_document([backward()]))
    pending = _in_a_thread(threaded, backward())
    threaded.land_pending()
    synchronous.insert_action(-1, backward())
    change = threaded.grad_delta("inp")
    assert change is pending.grad_changes["inp"]  # computed on the worker, not again
    np.testing.assert_array_equal(change, synchronous.grad_delta("inp"))
    np.testing.assert_array_equal(change, np.where(np.eye(4, 5) == 1, 4.0, 2.0))
    assert not change.flags.writeable  # shared by every view that asks
    assert synchronous.grad_delta("inp") is synchronous.grad_delta("inp")


def test_the_grad_change_of_a_0d_tensor_is_a_0d_array():
    document = jvp_document().model_copy(update={"leaves": (
        Leaf(name="inp", factory="full", shape=(), fill=2.0, requires_grad=True),)})
    session = Session(document)
    session.insert_action(-1, backward())
    change = session.grad_delta("inp")
    assert change.shape == () and float(change) == 6.0  # d/dinp (inp + 1)**2 = 2 * 3
