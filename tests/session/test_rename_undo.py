"""Regression (GUI monkey): undoing a rename restores the document exactly, even when a step
still names a deleted tensor that had the new name (a rename back captured that reference)."""

from playground.session import Document, Leaf, Rename, Session, Step


def test_undo_rename_leaves_a_dangling_reference_alone():
    document = Document(
        leaves=(Leaf(name="m2", factory="ones", shape=(2,)),),
        steps=(Step(name="out", op="neg", operands=("s1",)),),  # s1 was deleted earlier
    )
    session = Session(document)
    rename = Rename(session, "m2", "s1")
    rename.redo()
    assert session.step("out").operands == ("s1",) and session.leaf("s1")
    rename.undo()
    assert session.document == document
    assert session.users_of("m2") == []
    rename.redo()
    assert session.leaf("s1") and session.step("out").operands == ("s1",)


def test_undo_rename_keeps_the_timeline_point():
    from tests.session.builders import backward, jvp_document

    session = Session(jvp_document([backward(), backward()]))
    session.select(1)
    rename = Rename(session, "inp", "x")
    rename.redo()
    session.select(1)
    rename.undo()
    assert session.document == jvp_document([backward(), backward()])
    assert session.cursor == 1
