"""A part of the console transcript is exactly that part of the whole one (the Console draws
only the last actions of a long timeline, and must show the code the exported script has)."""

from __future__ import annotations

from playground.session import Action, Session
from playground.session.console import transcript
from tests.session.builders import backward, jvp_document, zero_grad


def test_any_part_of_the_transcript_is_that_slice_of_the_whole():
    forward = Action(kind="forward")
    actions = [forward, backward(), backward(), zero_grad("inp"), forward, backward(),
               Action(kind="detach", target="h", new_name="hd"), forward,
               backward(retain_graph=False), backward()]
    session = Session(jvp_document(actions))
    whole = transcript(session)
    assert [entry.index for entry in whole] == list(range(1, len(actions) + 1))
    for start in range(len(actions) + 1):
        for stop in range(start, len(actions) + 1):
            assert transcript(session, start, stop) == whole[start:stop]
