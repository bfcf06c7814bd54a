"""Differential fuzzing: random programs run in the engine and in PyTorch must agree on values,
grads, grad_fn names, requires_grad/is_leaf and errors (see ``fuzz_programs.py`` and
``fuzz_compare.py``; the strategy is ``fuzz_strategies.programs``).

2,000 programs per run (about a minute on two cores). For long local runs, ``FUZZ_EXAMPLES=20000``
runs more, and ``FUZZ_SECONDS=3600`` keeps drawing new batches until that much time has passed.
A failure prints the program as PyTorch-like code, the first difference, and Hypothesis's
``@reproduce_failure`` blob.
"""

from __future__ import annotations

import os
import time
from collections import Counter

import pytest

pytest.importorskip("torch")

from hypothesis import HealthCheck, given, settings  # noqa: E402

from tests.engine.fuzz_compare import run_and_compare  # noqa: E402
from tests.engine.fuzz_programs import OPS, Program  # noqa: E402
from tests.engine.fuzz_strategies import programs  # noqa: E402

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2000"))
SECONDS = float(os.environ.get("FUZZ_SECONDS", "0"))
BATCH = 2000


def _fuzz(count: int, ran: Counter):
    @settings(
        max_examples=count, deadline=None, database=None, print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.filter_too_much],
    )
    @given(program=programs())
    def run(program: Program):
        ran.update(run_and_compare(program))

    run()


def test_random_programs_match_torch():
    ran: Counter = Counter()
    start, done = time.monotonic(), 0
    while done < EXAMPLES or time.monotonic() - start < SECONDS:
        count = min(BATCH, EXAMPLES - done) if done < EXAMPLES else BATCH
        _fuzz(count, ran)
        done += count
    if EXAMPLES >= 1000:  # every op of the table was drawn, in calls that PyTorch accepts
        assert not set(OPS) - set(ran), f"never ran: {sorted(set(OPS) - set(ran))}"


def test_each_known_issue_left_out_of_the_programs_is_a_strict_xfail():
    """Once the engine is fixed its xfail passes (strict: the suite fails), the case leaves
    the table, and then this test asks for the exclusion in the fuzzer to go too."""
    from tests.engine import test_fuzz_known_issues as known
    from tests.engine.fuzz_strategies import KNOWN_ISSUES

    cases = {issue.case.__name__ for issue in known.KNOWN_ISSUES}  # each a strict xfail
    for name in KNOWN_ISSUES:
        assert name in cases, f"{name}: fixed? drop its exclusion"
