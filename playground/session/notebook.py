"""Export a session as a Jupyter notebook that reads like the seed notebook.

Notes become markdown cells; every statement is a code cell whose outputs are what the engine
printed (spelt as torch prints it), so the notebook shows its results without being run, and
run with a torch kernel it produces them again.
"""

from __future__ import annotations

import os

import nbformat
from nbformat import v4

from .codegen import factory_call, leaf_lines
from .export import action_body, definition_lines, made_value, reveal
from .model import Session
from .outcome import Outcome
from .persist import write_atomically


class _Cells:
    """Collects cells, numbering code cells as a kernel run from the top would."""

    def __init__(self):
        self.cells = []
        self.count = 0

    def markdown(self, text: str) -> None:
        if text.strip():
            self.cells.append(v4.new_markdown_cell(text.strip()))

    def code(self, source: str, outputs=(), raises: bool = False) -> None:
        self.count += 1
        cell = v4.new_code_cell(source, execution_count=self.count)
        for output in outputs:
            if output.get("output_type") == "execute_result":
                output["execution_count"] = self.count
        cell.outputs = list(outputs)
        if raises:  # lets "Run all" go on past an error that is part of the lesson
            cell.metadata["tags"] = ["raises-exception"]
        self.cells.append(cell)


def _stream(text: str):
    return v4.new_output("stream", name="stdout", text=text)


def _result(text: str):
    return v4.new_output("execute_result", data={"text/plain": text})


def _error(error: str):
    name, _, value = error.partition(": ")
    return v4.new_output("error", ename=name, evalue=value, traceback=[error])


def _reveal_markdown(said: str, reason: str) -> str:
    """The answer folded away, so a reader can predict before opening it."""
    return f"<details><summary>Answer</summary>\n\n```\n{said}\n```\n\n{reason}\n</details>"


def _action_cell(cells: _Cells, session: Session, outcome: Outcome, taken: set[str]) -> None:
    action = outcome.action
    lines = action_body(session, outcome, taken)
    if outcome.error:
        cells.code("\n".join(lines), [_error(outcome.error)], raises=True)
        return
    if action.kind == "print":
        cells.code("\n".join(lines), [_stream(outcome.output + "\n")])
        return
    reported = [(f"{n}.grad" if what == "grad" else n, text)
                for (n, what), text in zip(outcome.reported, outcome.reported_text)]
    if outcome.result_text is not None and len(reported) <= 1:
        cells.code("\n".join(lines), [_result(outcome.result_text)])  # e.g. inp.grad.zero_()
    elif len(reported) == 1 and action.kind != "detach" and reported[0][1] != "None":
        # (a notebook does not display a bare None, so a grad set to None is printed instead)
        expression, text = reported[0]
        cells.code("\n".join([*lines, expression]), [_result(text)])  # like the seed's inp.grad
    elif reported:
        prints = [f'print("{expression}:", {expression}, sep="\\n")' for expression, _ in reported]
        text = "".join(f"{expression}:\n{shown}\n" for expression, shown in reported)
        cells.code("\n".join(lines + prints), [_stream(text)])
    else:
        cells.code("\n".join(lines))


def notebook(session: Session) -> nbformat.NotebookNode:
    """The session as a notebook node (validated)."""
    document = session.document
    cells = _Cells()
    cells.markdown(f"# {document.title}\n\n{document.note}" if document.title else document.note)
    cells.code("import torch")
    _, pipeline = definition_lines(session)  # the cells hold its lines one by one
    start = session.outcomes[0]
    for leaf in document.leaves:
        cells.markdown(leaf.note)
        if start.states[leaf.name].value is None:
            cells.code(f"{leaf.name} = {factory_call(leaf)}",
                       [_error(start.states[leaf.name].error or "")], raises=True)
        else:
            cells.code("\n".join(leaf_lines(leaf, made_value(start, leaf.name))))
    steps = {step.name: step for step in document.steps}
    for covered, code in pipeline.statements():
        cells.markdown("\n\n".join(steps[name].note for name in covered if steps[name].note))
        cells.code(code)
    taken = set(session.tensor_names(len(session.outcomes) - 1))
    for outcome in session.outcomes[1:]:
        cells.markdown(outcome.action.note)
        question = outcome.action.question
        if question is not None:
            cells.markdown(f"**Predict:** {question.prompt}")
        _action_cell(cells, session, outcome, taken)
        if question is not None:
            cells.markdown(_reveal_markdown(*reveal(session, outcome)))
    node = v4.new_notebook(cells=cells.cells)
    node.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                   "language": "python"}
    node.metadata["language_info"] = {"name": "python"}
    nbformat.validate(node)
    return node


def write_notebook(session: Session, path: str | os.PathLike) -> None:
    write_atomically(path, nbformat.writes(notebook(session)))
