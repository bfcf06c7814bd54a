"""The shared selection fires once per real change."""

from playground.qt.selection import Selection


def test_selection_emits_only_on_change(qtbot):
    selection = Selection()
    seen = []
    selection.changed.connect(seen.append)
    selection.select("inp")
    selection.select("inp")
    selection.select(None)
    assert seen == ["inp", ""]
    assert selection.name == ""
