"""What a worker-thread action must do as the synchronous path does: after an undo at the end,
with random numbers drawn on the other thread meanwhile, and with warnings raised; what saving
sees while it computes (``planned_document``, ``is_modified``)."""

from __future__ import annotations

import threading
import warnings

import numpy as np
import pytest

import engine
from playground.session import Action, Document, Leaf, Seed, Session, Step
from playground.session.pending import PendingReplay
from playground.session.runner import seeded_generator
from tests.session.builders import backward, jvp_document


def _random_document(actions=()) -> Document:
    """Random leaves (one drawn like another) and a loss: every draw the replay makes."""
    return Document(
        leaves=(Leaf(name="w", factory="randn", shape=(30, 40), seed=3, requires_grad=True),
                Leaf(name="b", factory="rand_like", like="w", seed=5, requires_grad=True)),
        steps=(Step(name="y", op="mul", operands=("w", "b")),
               Step(name="z", op="tanh", operands=("y",))),
        actions=tuple(actions),
    )


RANDN_SEED = Action(kind="backward", target="z", retain_graph=True,
                    seed=Seed(kind="randn", seed=11))


def _same_states(mine, theirs) -> None:
    assert mine.keys() == theirs.keys()
    for name, state in theirs.items():
        for field in ("value", "grad"):
            a, b = getattr(mine[name], field), getattr(state, field)
            assert (a is None) == (b is None), (name, field)
            if b is not None:
                assert a.dtype == b.dtype
                np.testing.assert_array_equal(a, b)


def _compute_while_the_gui_thread_draws(pending) -> None:
    """Run ``pending.compute`` on a thread while this one reseeds and draws from the engine's
    shared generator, as views replaying on the GUI thread do."""
    worker = threading.Thread(target=pending.compute)
    worker.start()
    seed = 0
    while worker.is_alive():
        seed += 1
        engine.manual_seed(seed)
        engine.randn(64)
    worker.join()


def test_a_replay_draws_the_bits_manual_seed_gives_without_touching_the_engines_generator():
    engine.manual_seed(99)
    expected_next = engine.randn(5).numpy()
    engine.manual_seed(99)
    session = Session(_random_document([RANDN_SEED]))
    np.testing.assert_array_equal(engine.randn(5).numpy(), expected_next)  # left as it was
    engine.manual_seed(3)
    w = engine.randn(30, 40).numpy()
    engine.manual_seed(5)
    b = engine.rand(30, 40).numpy()
    engine.manual_seed(11)
    seed = engine.randn(30, 40).numpy()
    states = session.outcomes[0].states
    np.testing.assert_array_equal(states["w"].value, w)
    np.testing.assert_array_equal(states["b"].value, b)
    np.testing.assert_array_equal(session.outcomes[1].seed_used, seed)
    assert seeded_generator(3).standard_normal(2).tolist() == \
        np.random.default_rng(3).standard_normal(2).tolist()


def test_after_an_undo_at_the_end_a_new_action_is_replayed_on_a_thread_bit_for_bit():
    session = Session(_random_document([RANDN_SEED]))
    session.remove_action(0)  # the engine state is now ahead of the timeline
    action = RANDN_SEED.model_copy(update={"retain_graph": False})  # not the undone one
    pending = session.begin_action(action)
    assert isinstance(pending, PendingReplay) and session.busy
    assert len(session.outcomes) == 1  # nothing shows before it lands
    _compute_while_the_gui_thread_draws(pending)
    outcome = session.land_pending()
    synchronous = Session(_random_document([action]))
    assert session.document == synchronous.document and session.cursor == 1
    for mine, theirs in zip(session.outcomes, synchronous.outcomes, strict=True):
        _same_states(mine.states, theirs.states)
        assert mine.output == theirs.output
    np.testing.assert_array_equal(outcome.seed_used, synchronous.outcomes[1].seed_used)
    # Live again: the next action continues this replay, on a thread too.
    pending = session.begin_action(action)
    assert type(pending) is not PendingReplay
    pending.compute()
    session.land_pending()
    twice = Session(_random_document([action, action]))  # without retain_graph: an error
    assert session.outcomes[-1].output == twice.outcomes[-1].output
    assert "a second time" in session.outcomes[-1].error


def test_a_big_backward_on_a_thread_keeps_its_random_seed_while_the_gui_thread_draws():
    session, synchronous = Session(_random_document()), Session(_random_document([RANDN_SEED]))
    pending = session.begin_action(RANDN_SEED)
    _compute_while_the_gui_thread_draws(pending)
    session.land_pending()
    _same_states(session.current.states, synchronous.current.states)


def test_redoing_the_action_undone_at_the_end_records_its_outcome_again():
    session = Session(_random_document([RANDN_SEED]))
    undone = session.outcomes[1]
    session.remove_action(0)
    assert session.begin_action(RANDN_SEED) is None  # nothing to compute: append it in sync
    session.insert_action(-1, RANDN_SEED)
    assert session.outcomes[1] is undone and session.cursor == 1
    session.insert_action(-1, RANDN_SEED)  # live again: it accumulates
    synchronous = Session(_random_document([RANDN_SEED, RANDN_SEED]))
    for mine, theirs in zip(session.outcomes, synchronous.outcomes, strict=True):
        _same_states(mine.states, theirs.states)
        assert mine.output == theirs.output


def test_only_the_last_action_undone_from_a_live_state_is_redone_from_it():
    session = Session(jvp_document([backward(), backward()]))
    session.remove_action(1)
    session.remove_action(0)  # two ahead: the engine is after the second, not the first
    session.insert_action(-1, backward())
    np.testing.assert_array_equal(session.state("inp").grad,
                                  Session(jvp_document([backward()])).state("inp").grad)


def _mismatched_loss_document(actions=()) -> Document:
    """mse_loss of a (3, 4) input against a (4,) target: PyTorch warns about the broadcast."""
    return Document(
        leaves=(Leaf(name="x", factory="ones", shape=(3, 4), requires_grad=True),
                Leaf(name="t", factory="zeros", shape=(4,))),
        steps=(Step(name="loss", op="mse_loss", operands=("x", "t")),),
        actions=tuple(actions),
    )


@pytest.mark.parametrize("after_an_undo", [False, True])
def test_warnings_on_the_worker_thread_give_the_synchronous_outcome_and_go_nowhere(after_an_undo):
    # Appended: the forward warns. After an undo at the end: the whole replay on the worker
    # warns, from the definitions on.
    action = Action(kind="forward") if not after_an_undo else \
        Action(kind="backward", target="loss")
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("error")  # as `python -W error` would: a warning would raise
        synchronous = Session(_mismatched_loss_document([action]))
        session = Session(_mismatched_loss_document([Action(kind="forward")] * after_an_undo))
        if after_an_undo:
            session.remove_action(0)
        pending = session.begin_action(action)
        worker = threading.Thread(target=pending.compute)
        worker.start()
        worker.join()
        outcome = session.land_pending()
    assert pending.exception is None and shown == []
    assert outcome.error is None and synchronous.current.error is None
    assert outcome.output == synchronous.current.output
    _same_states(outcome.states, synchronous.current.states)
    assert outcome.states["loss"].error is None  # the warning did not become the step's error


def test_the_main_threads_warnings_still_raise_under_its_own_filters():
    session = Session(_mismatched_loss_document())
    pending = session.begin_action(Action(kind="forward"))
    pending.compute()  # on this thread: quiet only inside the computation
    session.land_pending()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning, match="target size"):
            engine.nn.functional.mse_loss(engine.ones(3, 4), engine.zeros(4))


def test_saving_while_it_computes_sees_the_action_asked_for():
    session = Session(jvp_document())
    session.mark_saved()
    pending = session.begin_action(backward())
    assert session.is_modified  # closing now asks: the backward would be lost
    assert session.planned_document.actions == (backward(),)
    assert session.document.actions == ()  # the views still show the state before it
    pending.compute()
    session.land_pending()
    assert session.document == session.planned_document
    session.mark_saved()
    assert not session.is_modified


def test_an_edit_that_must_wait_says_so_first():
    session = Session(jvp_document())
    heard = []
    session.landing_waits.connect(heard.append)
    release = threading.Event()
    pending = session.begin_action(backward())
    compute = pending.compute

    def slow():
        release.wait(5)
        compute()

    worker = threading.Thread(target=slow)
    worker.start()
    threading.Timer(0.05, release.set).start()
    session.select(0)  # time travel never waits
    assert heard == []
    session.replace_leaf("inp", Leaf(name="inp", factory="ones", shape=(4, 5),
                                     requires_grad=True))
    worker.join()
    assert heard == [backward()] and session.document.actions == (backward(),)
    pending = session.begin_action(backward())
    pending.compute()
    session.land_pending()  # finished already: nothing to say
    assert heard == [backward()]


def test_a_replay_on_a_thread_shares_the_arrays_already_shown_where_equal():
    session = Session(_random_document([RANDN_SEED]))
    session.remove_action(0)
    shown = session.outcomes[0].states
    pending = session.begin_action(RANDN_SEED.model_copy(update={"retain_graph": False}))
    pending.compute()
    session.land_pending()
    for name in ("w", "b", "y", "z"):  # equal values: the very arrays the views show
        assert session.outcomes[0].states[name].value is shown[name].value
        assert session.outcomes[1].states[name].value is shown[name].value
    assert session.outcomes[1].states["w"].grad is not None  # the backward's own, new
    _same_states(session.current.states,
                 Session(_random_document([pending.action])).current.states)
