"""The step form's live preview refuses a result over the size limit before computing it
(``outer`` of two 10^4 vectors would allocate 400 MB on every keystroke)."""

from playground.session import Document, Leaf


def test_the_preview_of_a_too_big_outer_says_so(window):
    leaves = (Leaf(name="a", factory="ones", shape=(10**4,)),
              Leaf(name="b", factory="ones", shape=(10**4,)))
    window.session.set_document(Document(leaves=leaves))
    dialog = window.pipeline.open_add_dialog()
    dialog.choose_op("outer")
    dialog.name_edit.setText("o")
    for field, name in zip(dialog.operand_fields, ["a", "b"]):
        field.widget.setCurrentText(name)
    text = dialog.error_label.text()
    assert "o would have 100000000 elements; the playground's limit is 10000000" in text
    assert dialog.result_shape != (10**4, 10**4)
    dialog.close()
