"""The exported notebook run by a real Jupyter kernel (nbclient + ipykernel) under PyTorch:
every code cell shows exactly the output the engine stored in it."""

from __future__ import annotations

import copy

import pytest

from playground.session import Session
from playground.session.lessons import load_lesson
from playground.session.notebook import notebook

pytest.importorskip("torch")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")


def _shown(cell) -> str:
    text = ""
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            text += output["text"]
        elif output["output_type"] == "execute_result":
            text += output["data"]["text/plain"] + "\n"
        elif output["output_type"] == "error":
            text += f"{output['ename']}: {output['evalue']}\n"
    return text


def test_seed_lesson_notebook_reproduces_its_outputs_in_a_torch_kernel(tmp_path):
    stored = notebook(Session(load_lesson("seed-notebook")))
    executed = copy.deepcopy(stored)
    client = nbclient.NotebookClient(executed, timeout=120, kernel_name="python3",
                                     allow_errors=True, resources={"metadata": {"path": tmp_path}})
    client.execute()
    code_cells = [i for i, cell in enumerate(stored.cells) if cell.cell_type == "code"]
    assert code_cells, "the notebook has no code"
    for index in code_cells:
        want = _shown(stored.cells[index])
        got = _shown(executed.cells[index])
        assert got == want, f"cell {index}: {stored.cells[index].source}"
