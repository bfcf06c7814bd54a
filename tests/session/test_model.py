"""The session model: replay, errors kept as the engine's text, time travel, signals."""

import numpy as np
import pytest

from playground.session import Action, Leaf, Seed, Session, SessionError, Step
from tests.session.builders import backward, jvp_document, zero_grad

FOUR_TWO = np.where(np.eye(4, 5) == 1, 4.0, 2.0)
SECOND_BACKWARD = "RuntimeError: Trying to backward through the graph a second time"


def test_the_pipeline_is_computed_at_the_start_of_the_timeline():
    session = Session(jvp_document())
    out = session.state("out")
    assert out.value.shape == (5, 4)
    assert out.grad_fn == "TBackward0"
    assert out.value[0, 0] == 4 and out.value[4, 0] == 1
    assert session.state("inp").grad is None


def test_two_backward_calls_accumulate_and_zero_clears():
    session = Session(jvp_document([backward(), backward(), zero_grad("inp")]))
    grads = [o.states["inp"].grad for o in session.outcomes]
    assert grads[0] is None
    np.testing.assert_array_equal(grads[1], FOUR_TWO)
    np.testing.assert_array_equal(grads[2], 2 * FOUR_TWO)
    np.testing.assert_array_equal(grads[3], np.zeros((4, 5)))


def test_a_second_backward_without_retain_graph_shows_pytorchs_error():
    session = Session(jvp_document([backward(retain_graph=False), backward()]))
    assert session.outcomes[1].error is None
    assert session.outcomes[2].error.startswith(SECOND_BACKWARD)
    np.testing.assert_array_equal(session.state("inp", 2).grad, FOUR_TWO)  # unchanged


def test_time_travel_and_grad_difference():
    session = Session(jvp_document([backward(), backward()]))
    seen = []
    session.cursor_changed.connect(seen.append)
    session.select(1)
    assert seen == [1]
    np.testing.assert_array_equal(session.state("inp").grad, FOUR_TWO)
    np.testing.assert_array_equal(session.grad_delta("inp", 2), FOUR_TWO)
    np.testing.assert_array_equal(session.grad_delta("inp", 1), FOUR_TWO)
    assert session.grad_delta("inp", 0) is None
    with pytest.raises(IndexError):
        session.select(9)


def test_an_invalid_step_is_kept_with_the_engine_error_and_blocks_downstream():
    session = Session(jvp_document())
    session.insert_step(1, Step(name="bad", op="mm", operands=("inp", "inp")))
    session.insert_step(2, Step(name="after", op="exp", operands=("bad",)))
    bad, after = session.state("bad"), session.state("after")
    assert bad.value is None and bad.error.startswith("RuntimeError: mat1 and mat2 shapes")
    assert after.value is None and after.blocked_by == "bad"
    assert session.state("out").value is not None


def test_unknown_tensor_in_an_action_is_pythons_name_error():
    session = Session(jvp_document([backward(target="nothing")]))
    assert session.outcomes[1].error == "NameError: name 'nothing' is not defined"


def test_non_scalar_backward_without_seed_is_pytorchs_error():
    session = Session(jvp_document([backward(seed=Seed(kind="implicit"))]))
    assert session.outcomes[1].error == (
        "RuntimeError: grad can be implicitly created only for scalar outputs")


def test_randn_seed_is_reproducible_and_recorded():
    action = backward(seed=Seed(kind="randn", seed=7))
    first, second = Session(jvp_document([action])), Session(jvp_document([action]))
    np.testing.assert_array_equal(first.outcomes[1].seed_used, second.outcomes[1].seed_used)
    np.testing.assert_array_equal(first.state("inp").grad, second.state("inp").grad)


def test_random_leaves_replay_identically():
    leaf = Leaf(name="w", factory="rand", shape=(3, 2), seed=5)
    a = Session(jvp_document()).document.model_copy(update={"leaves": (leaf,), "steps": ()})
    np.testing.assert_array_equal(Session(a).state("w").value, Session(a).state("w").value)


def test_zero_grad_on_a_missing_grad_and_set_to_none():
    session = Session(jvp_document([zero_grad("inp")]))
    assert session.outcomes[1].error == (
        "AttributeError: 'NoneType' object has no attribute 'zero_'")
    session = Session(jvp_document([backward(), zero_grad("inp", set_to_none=True)]))
    assert session.state("inp").grad is None
    assert session.outcomes[2].reported == (("inp", "grad"),)


def test_detach_retain_grad_and_requires_grad():
    session = Session(jvp_document([
        Action(kind="retain_grad", target="h"),
        backward(),
        Action(kind="detach", target="out", new_name="z"),
        Action(kind="requires_grad", target="inp", flag=False),
    ]))
    np.testing.assert_array_equal(session.state("h", 2).grad, 2 * (np.eye(4, 5) + 1))
    z = session.state("z")
    assert z.origin == "detached" and z.is_leaf and not z.requires_grad and z.grad_fn is None
    assert not session.state("inp").requires_grad
    assert session.outcomes[3].reported == (("z", "value"),)


def test_requires_grad_false_on_a_non_leaf_is_pytorchs_error():
    session = Session(jvp_document([Action(kind="requires_grad", target="out", flag=False)]))
    assert session.outcomes[1].error.startswith(
        "RuntimeError: you can only change requires_grad flags of leaf variables.")


def test_forward_builds_a_fresh_graph_so_backward_works_again():
    session = Session(jvp_document([
        backward(retain_graph=False), Action(kind="forward"), backward(retain_graph=False)]))
    assert [o.error for o in session.outcomes] == [None, None, None, None]
    np.testing.assert_array_equal(session.state("inp").grad, 2 * FOUR_TWO)


def test_console_text_is_what_the_actions_printed():
    session = Session(jvp_document([backward(), zero_grad("inp")]))
    text = session.console_text()
    assert text.startswith("after backward #1\ninp.grad:\ntensor([[4., 2., 2., 2., 2.],")
    assert "after zero_grad #1\ninp.grad:\ntensor([[0., 0., 0., 0., 0.]," in text


def test_names_are_checked_and_used_leaves_cannot_be_removed():
    session = Session(jvp_document())
    for name in ("h", "torch", "class", "2x"):
        with pytest.raises(SessionError):
            session.insert_leaf(0, Leaf.model_construct(name=name, factory="zeros"))
    with pytest.raises(SessionError, match="inp is used by h"):
        session.remove_leaf("inp")


def test_appending_an_action_continues_the_live_replay_and_matches_a_full_replay():
    session = Session(jvp_document())
    for action in (backward(), backward(retain_graph=False), backward()):
        session.insert_action(-1, action)
    fresh = Session(session.document)
    assert [o.error for o in session.outcomes] == [o.error for o in fresh.outcomes]
    session.remove_action(2)  # the live graph is freed by now: appending must replay
    session.remove_action(1)
    session.insert_action(-1, backward())
    assert [o.error for o in session.outcomes] == [None, None, None]


def test_signals_tell_views_what_changed():
    session = Session(jvp_document())
    seen = []
    session.definitions_changed.connect(lambda: seen.append("definitions"))
    session.timeline_changed.connect(lambda: seen.append("timeline"))
    session.modified_changed.connect(lambda flag: seen.append(f"modified={flag}"))
    session.insert_action(-1, backward())
    assert seen == ["timeline", "modified=True"]
    seen.clear()
    session.rename("h", "shifted")
    assert seen[0] == "definitions" and session.step("sq").operands == ("shifted", 2)
    session.mark_saved()
    assert not session.is_modified
    seen.clear()
    session.insert_action(-1, backward())
    session.insert_action(-1, backward())
    assert seen.count("modified=True") == 1  # only when the flag actually changes


def test_huge_leaves_are_refused_with_a_message_not_allocated():
    document = jvp_document().model_copy(update={"leaves": (
        Leaf(name="inp", factory="zeros", shape=(100000, 100000, 100)),)})
    state = Session(document).state("inp")
    assert state.value is None and "limit is 10000000" in state.error
    assert Session(document).state("out").blocked_by == "sq"


def test_helpers_for_the_window():
    session = Session(jvp_document([backward(), zero_grad("inp", set_to_none=True)]))
    assert session.leaves_with_grad(1) == ["inp"] and session.leaves_with_grad() == []
    assert session.last_action("backward").target == "out"
    assert session.last_action("detach") is None


def test_console_transcript_shows_code_then_output():
    from playground.session.console import transcript, transcript_text

    session = Session(jvp_document([backward(), backward(retain_graph=False),
                                    backward(retain_graph=False)]))
    entries = transcript(session)
    assert entries[0].code == "out.backward(torch.ones_like(out), retain_graph=True)"
    assert entries[2].error.startswith("RuntimeError: Trying to backward")
    text = transcript_text(session)
    assert text.startswith(">>> out.backward(torch.ones_like(out), retain_graph=True)\n"
                           "after backward #1\ninp.grad:\n")


def test_unknown_names_are_session_errors():
    session = Session(jvp_document())
    for call in (lambda: session.remove_leaf("nope"), lambda: session.remove_step("nope"),
                 lambda: session.leaf("nope"), lambda: session.replace_leaf(
                     "inp", Leaf(name="other", factory="ones"))):
        with pytest.raises(SessionError):
            call()


def test_an_unknown_op_from_a_hand_edited_file_is_a_plain_error():
    session = Session(jvp_document())
    session.insert_step(3, Step(name="odd", op="frobnicate", operands=("out",)))
    assert session.state("odd").error == "ValueError: the engine has no op 'frobnicate'"
