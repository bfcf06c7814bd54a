"""The notebook export: valid nbformat, reads like the seed, and its outputs are reproducible."""

import json

import nbformat
import pytest

from playground.cli import main
from playground.session import Session
from playground.session.lessons import load_lesson
from playground.session.notebook import notebook
from tests.session.builders import backward, jvp_document, zero_grad
from tests.session.scripts import HAS_TORCH, run_python
from tests.session.test_export import SESSIONS

# Runs each code cell as a kernel would (the last expression's repr is displayed) and prints
# what it showed between markers. Only this test's own notebooks are run, never user data.
RUNNER = '''
import ast, json, sys
{header}
cells = json.load(open(sys.argv[1]))
namespace = {{"torch": torch, "__name__": "__main__"}}
for index, source in cells:
    print(f"@@cell {{index}}")
    tree = ast.parse(source)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    try:
        exec(compile(tree, "cell", "exec"), namespace)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), "cell", "eval"), namespace)
            if value is not None:
                print(repr(value))
    except Exception as error:
        print(f"{{type(error).__name__}}: {{error}}")
'''


def _expected(cell) -> str:
    text = ""
    for output in cell.outputs:
        if output.output_type == "stream":
            text += output.text
        elif output.output_type == "execute_result":
            text += output.data["text/plain"] + "\n"
        else:
            text += output.traceback[-1] + "\n"
    return text


def _run_cells(tmp_path, node, header):
    cells = [(i, c.source) for i, c in enumerate(node.cells)
             if c.cell_type == "code" and c.source != "import torch"]
    (tmp_path / "cells.json").write_text(json.dumps(cells))
    (tmp_path / "run_cells.py").write_text(RUNNER.format(header=header))
    printed = run_python(tmp_path / "run_cells.py", str(tmp_path / "cells.json"))
    shown = {}
    for chunk in printed.split("@@cell ")[1:]:
        index, _, text = chunk.partition("\n")
        shown[int(index)] = text
    return shown


@pytest.mark.parametrize("name", ["seed-notebook", "jvp", "seeds", "dag"])
@pytest.mark.parametrize("kernel", ["torch", "engine"])
def test_notebook_validates_and_running_it_reproduces_its_outputs(name, kernel, tmp_path):
    if kernel == "torch" and not HAS_TORCH:
        pytest.skip("torch is not installed")
    document = load_lesson(name) if name == "seed-notebook" else SESSIONS[name]
    node = notebook(Session(document))
    nbformat.validate(node)
    header = "import torch" if kernel == "torch" else "import engine as torch"
    shown = _run_cells(tmp_path, node, header)
    for index, text in shown.items():
        expected = _expected(node.cells[index])
        if kernel == "engine":
            text = text.replace("engine.", "torch.")
        assert text == expected, f"cell {index}: {node.cells[index].source}"


def test_reads_like_the_seed_notebook():
    node = notebook(Session(load_lesson("seed-notebook")))
    sources = [c.source for c in node.cells]
    assert node.cells[0].cell_type == "markdown" and sources[0].startswith("# The seed notebook")
    assert "out = (inp + 1).pow(2).t()" in sources
    assert "out.backward(torch.ones_like(out), retain_graph=True)\ninp.grad" in sources
    zero = node.cells[sources.index("inp.grad.zero_()")]
    assert zero.outputs[0].data["text/plain"].startswith("tensor([[0., 0., 0., 0., 0.],")
    assert any("gradients accumulate" in s for s in sources)


def test_an_error_is_an_error_output_tagged_to_let_run_all_continue():
    node = notebook(Session(jvp_document([backward(retain_graph=False), backward(), zero_grad(
        "inp")])))
    failing = [c for c in node.cells if c.cell_type == "code" and c.outputs
               and c.outputs[0].output_type == "error"]
    assert len(failing) == 1 and failing[0].metadata["tags"] == ["raises-exception"]
    assert failing[0].outputs[0].ename == "RuntimeError"


def test_cli_writes_the_notebook(tmp_path):
    out = tmp_path / "s.ipynb"
    assert main(["--lesson", "seed-notebook", "--export-notebook", str(out)]) == 0
    nbformat.validate(nbformat.read(out, as_version=4))
