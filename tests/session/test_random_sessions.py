"""Differential test: random sessions, exported and run under real torch, must print exactly
the session's console (values, grads, errors), so the playground never disagrees with PyTorch.
"""

import json
import random

import pytest

from playground.session import Action, Document, Leaf, PrintItem, Seed, Session, Step
from playground.session.export import script
from tests.session.scripts import needs_torch, run_python

SHAPES = [(2, 3), (3,), (3, 2), (), (1, 3)]
UNARY = ["exp", "neg", "abs", "sin", "tanh", "sigmoid", "relu", "t", "sum", "mean", "sqrt",
         "log", "softmax", "flatten", "max", "squeeze"]
# No comparisons: the engine accepts abs/relu of bool tensors, which torch refuses (reported).
BINARY = ["add", "sub", "mul", "div", "matmul", "maximum", "pow", "mse_loss"]
PARAMS = {"sum": {"dim": 0}, "mean": {"dim": -1, "keepdim": True}, "max": {"dim": 0},
          "softmax": {"dim": 0}, "squeeze": {"dim": 0}}
DRIVER = '''
import contextlib, io, json, runpy, sys
results = []
for path in sys.argv[1:]:
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(path, run_name="__main__")
        failure = None
    except BaseException as error:
        failure = f"{type(error).__name__}: {error}"
    results.append({"stdout": out.getvalue(), "failure": failure})
print(json.dumps(results))
'''


def random_document(rng: random.Random) -> Document:
    leaves = []
    for index in range(rng.randint(1, 3)):
        shape = rng.choice(SHAPES)
        factory = rng.choice(["randn", "rand", "ones", "full"])
        leaves.append(Leaf(name=f"a{index}", factory=factory, shape=shape, seed=rng.randint(0, 9),
                           fill=rng.choice([0.5, -2.0, 3.0]) if factory == "full" else None,
                           requires_grad=rng.random() < 0.8))
    names = [leaf.name for leaf in leaves]
    steps = []
    for index in range(rng.randint(1, 5)):
        if rng.random() < 0.5:
            op = rng.choice(UNARY)
            params = PARAMS.get(op, {}) if rng.random() < 0.5 else {}
            step = Step(name=f"s{index}", op=op, operands=(rng.choice(names),), params=params)
        else:
            op = rng.choice(BINARY)
            tensor_only = ("matmul", "maximum", "mse_loss")
            other = rng.choice(names) if op in tensor_only else rng.choice(names + [2.0, 0.5])
            step = Step(name=f"s{index}", op=op, operands=(rng.choice(names), other))
        steps.append(step)
        names.append(step.name)
    actions = []
    for index in range(rng.randint(1, 6)):
        kind = rng.choice(["backward", "backward", "zero", "retain", "detach", "forward", "print"])
        target = rng.choice(names)
        if kind == "backward":
            seed = rng.choice([Seed(kind="implicit"), Seed(), Seed(kind="randn", seed=1)])
            actions.append(Action(kind="backward", target=target, seed=seed,
                                  retain_graph=rng.random() < 0.5))
        elif kind == "zero":
            actions.append(Action(kind="zero_grad", targets=(rng.choice(names[:len(leaves)]),),
                                  set_to_none=rng.random() < 0.3))
        elif kind == "retain":
            actions.append(Action(kind="retain_grad", target=target))
        elif kind == "detach":
            actions.append(Action(kind="detach", target=target, new_name=f"d{index}"))
        elif kind == "forward":
            actions.append(Action(kind="forward"))
        else:
            what = rng.choice(["value", "grad"])
            actions.append(Action(kind="print", items=(PrintItem(kind=what, text=target),)))
    return Document(leaves=tuple(leaves), steps=tuple(steps), actions=tuple(actions))


@needs_torch
@pytest.mark.parametrize("batch", range(2))
def test_random_sessions_print_under_torch_what_the_session_shows(batch, tmp_path):
    rng = random.Random(1000 + batch)
    sessions, paths = [], []
    for index in range(40):
        session = Session(random_document(rng))
        path = tmp_path / f"s{index}.py"
        path.write_text(script(session))
        sessions.append(session)
        paths.append(str(path))
    (tmp_path / "driver.py").write_text(DRIVER)
    results = json.loads(run_python(tmp_path / "driver.py", *paths))
    mismatches = []
    for session, path, result in zip(sessions, paths, results):
        if result["failure"] or result["stdout"] != session.console_text():
            mismatches.append((path, result["failure"]))
    assert not mismatches, mismatches[:3]
