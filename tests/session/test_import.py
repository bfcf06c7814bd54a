"""Import of PyTorch snippets: parsed with ast, never executed, clear errors."""

from pathlib import Path

import numpy as np
import pytest

from playground.cli import main
from playground.session import Session
from playground.session.importer import SnippetError, import_file, import_snippet
from playground.session.lessons import load_lesson
from playground.session.persist import load

SEED_CELLS = Path(__file__).with_name("seed_notebook_cells.txt")


def _without_notes(document):
    data = document.model_dump(exclude={"title", "note"})
    for key in ("leaves", "steps", "actions"):
        for item in data[key]:
            item.pop("note")
            item.pop("question", None)  # lesson questions are the lesson's, not the notebook's
    return data


def test_the_seed_notebook_cells_import_as_the_seed_lesson():
    imported = import_file(SEED_CELLS)
    assert _without_notes(imported) == _without_notes(load_lesson("seed-notebook"))
    text = Session(imported).console_text()
    assert "First call\ntensor([[4., 2., 2., 2., 2.]," in text


def test_the_supported_subset():
    document = import_snippet("""
import torch
import torch.nn.functional as F
torch.manual_seed(3)
a = torch.randn(2, 3, requires_grad=True)
n = torch.arange(6)
d = torch.tensor([[1, 2], [3, 4]], dtype=torch.float64, requires_grad=True)
r = a.reshape(3, 2).sum(dim=1, keepdim=True)
m = torch.cat([a, a], dim=0).max(dim=0).values
big = n > 2
loss = F.relu(a - torch.zeros_like(a)).sum()
h = -a * 2.5
h.retain_grad()
loss.backward(retain_graph=True)
r.backward(torch.randn_like(r))
m.backward(torch.tensor([1.0, 2.0, 3.0]))
a.grad = None
d.requires_grad_(False)
print("a:", a.grad, sep="")
""")
    leaves = {leaf.name: leaf for leaf in document.leaves}
    assert leaves["a"].factory == "randn" and leaves["a"].seed == 3
    assert leaves["n"].dtype == "int64" and leaves["n"].end == 6
    assert leaves["d"].dtype == "float64" and leaves["d"].values.data == (1.0, 2.0, 3.0, 4.0)
    steps = {step.name: step for step in document.steps}
    assert steps["r_reshape"].params == {"shape": (3, 2)}
    assert steps["r"].params == {"dim": 1, "keepdim": True}
    assert steps["m"].op == "max" and steps["m"].params == {"dim": 0}
    assert leaves["loss_zeros_like"].like == "a" and steps["loss_sub"].operands == (
        "a", "loss_zeros_like")
    assert steps["loss_relu"].operands == ("loss_sub",) and steps["loss"].op == "sum"
    kinds = [(a.kind, a.target or a.targets) for a in document.actions]
    assert kinds[:4] == [("retain_grad", "h"), ("backward", "loss"), ("backward", "r"),
                         ("backward", "m")]
    assert [a.seed.kind for a in document.actions[1:4]] == ["implicit", "randn", "literal"]
    assert document.actions[4].set_to_none and document.actions[5].flag is False
    session = Session(document)
    assert all(o.error is None for o in session.outcomes), [o.error for o in session.outcomes]
    np.testing.assert_array_equal(session.state("big").value, [0, 0, 0, 1, 1, 1])


@pytest.mark.parametrize("source, expected", [
    ("import os\nos.system('echo hacked')", "line 1: import os: only torch can be imported"),
    ("import torch\nwith open('f') as f:\n    pass",
     "line 2: with open('f') as f:: the only supported with-block is `with torch.no_grad():`"),
    ("import torch\nx = torch.ones(2)\nwith torch.no_grad():\n    x.backward()",
     "inside `with torch.no_grad():` only assignments"),
    ("import torch\ny = x + 1", "line 2: y = x + 1: x is not defined"),
    ("import torch\nx = torch.ones(2)\ny = x.frobnicate()", "frobnicate is not in the"),
    ("import torch\nx = torch.ones(2)\nz = x.detach()\ny = z * 2", "comes from detach()"),
    ("x = (", "line 1: not valid Python"),
    ("import torch\nx = torch.ones(2)\nx.backward(x * 2)", "backward's gradient must be"),
    ("import torch\nx = torch.tensor(open('f').read())", "must be a literal value"),
])
def test_the_first_unsupported_line_is_named(source, expected):
    with pytest.raises(SnippetError) as caught:
        import_snippet(source)
    assert expected in str(caught.value) and "\n" not in str(caught.value)


def test_cli_converts_a_snippet_and_reports_bad_ones(tmp_path, capsys):
    out = tmp_path / "s.tpg.json"
    assert main(["--import", str(SEED_CELLS), "--save", str(out)]) == 0
    assert _without_notes(load(out)) == _without_notes(load_lesson("seed-notebook"))
    bad = tmp_path / "bad.py"
    bad.write_text("import torch\nx = torch.ones(2)\nfor i in range(3):\n    pass\n")
    assert main(["--import", str(bad), "--save", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "line 3: for i in range(3):: For statements" in err
