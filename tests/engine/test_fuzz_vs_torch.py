"""Differential fuzzing: random programs run in the engine and in PyTorch must agree on values,
grads, grad_fn names, requires_grad/is_leaf and errors (see ``fuzz_programs.py``).

At least 2,000 programs per run; ``FUZZ_EXAMPLES=20000`` runs more. A failure prints the program
as PyTorch-like code and the first difference.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest

pytest.importorskip("torch")

from hypothesis import HealthCheck, given, settings  # noqa: E402

from tests.engine.fuzz_compare import run_and_compare  # noqa: E402
from tests.engine.fuzz_programs import OPS, Program  # noqa: E402
from tests.engine.fuzz_strategies import programs  # noqa: E402

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2000"))
# CI runs one fixed set of programs, so a red run always means a change broke something;
# FUZZ_RANDOM=1 explores new programs locally (each mismatch found becomes a regression test).
DERANDOMIZE = os.environ.get("FUZZ_RANDOM") != "1"


def test_random_programs_match_torch():
    ran: Counter = Counter()

    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, derandomize=DERANDOMIZE,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.filter_too_much],
    )
    @given(program=programs())
    def run(program: Program):
        ran.update(run_and_compare(program))

    run()
    if EXAMPLES >= 1000:  # every op of the table was drawn, in calls that PyTorch accepts
        assert not set(OPS) - set(ran), f"never ran: {sorted(set(OPS) - set(ran))}"
