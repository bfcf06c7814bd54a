"""Differential test for in-place and no_grad steps: random sessions (those of
test_random_sessions, plus an in-place step and some steps under no_grad), exported and run under
real torch, must print exactly the session's console."""

import json
import random

import pytest

from playground.session import Document, Session, Step
from playground.session.export import script
from tests.session.scripts import needs_torch, run_python
from tests.session.test_random_sessions import DRIVER, random_document

# op, its second operand ("self" = the tensor it changes), its params. Not an operand that
# broadcasts to a larger shape, nor views made under no_grad: both are known engine issues
# (tests/engine/test_fuzz_known_issues.py: tensor._write's shape check, and
# view_made_under_no_grad_requires_grad_like_its_base). No exp_: a forward applies it again, and
# exp of exp of float32 prints 1 ulp apart from torch's (2203.2327 vs 2203.2317).
VIEWS = ("t", "flatten", "squeeze")
INPLACE = [("mul_", 2.0, {}), ("add_", 0.5, {}), ("mul_", "self", {}), ("div_", 2.0, {}),
           ("pow_", 2, {}), ("neg_", None, {}), ("relu_", None, {}),
           ("zero_", None, {}), ("clamp_", None, {"min": -0.5, "max": 0.5}),
           ("fill_", None, {"value": 1.5})]


def inplace_document(rng: random.Random) -> Document:
    document = random_document(rng)
    steps = [s.model_copy(update={"no_grad": s.op not in VIEWS and rng.random() < 0.3})
             for s in document.steps]
    position = rng.randint(0, len(steps))
    earlier = [leaf.name for leaf in document.leaves] + [s.name for s in steps[:position]]
    op, other, params = rng.choice(INPLACE)
    operands = (rng.choice(earlier),)
    if other is not None:
        operands += (operands[0] if other == "self" else other,)
    step = Step(name="ip", op=op, operands=operands, params=params, no_grad=rng.random() < 0.4)
    steps.insert(position, step)
    return document.model_copy(update={"steps": tuple(steps)})


def test_random_inplace_sessions_are_valid_and_run_in_the_engine():
    rng = random.Random(7)
    ran = 0
    for _ in range(60):
        session = Session(inplace_document(rng))
        ran += session.state("ip", 0).error is None
    assert ran > 10  # the generator makes in-place steps that run, not only ones that fail


@needs_torch
@pytest.mark.parametrize("batch", range(2))
def test_random_inplace_sessions_print_under_torch_what_the_session_shows(batch, tmp_path):
    rng = random.Random(2000 + batch)
    sessions, paths = [], []
    for index in range(40):
        session = Session(inplace_document(rng))
        path = tmp_path / f"s{index}.py"
        path.write_text(script(session))
        sessions.append(session)
        paths.append(str(path))
    (tmp_path / "driver.py").write_text(DRIVER)
    results = json.loads(run_python(tmp_path / "driver.py", *paths))
    mismatches = [(path, result["failure"]) for session, path, result in
                  zip(sessions, paths, results)
                  if result["failure"] or result["stdout"] != session.console_text()]
    assert not mismatches, mismatches[:3]
