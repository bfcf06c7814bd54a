"""Instructions per run of the engine's small workloads and their numpy floors, by callgrind:
``python -m tests.bench.count_engine_instructions [--runs N] [workload ...]``.

Timing on this shared machine swings by 2x; instruction counts repeat within ~1%. Each workload
runs twice under ``valgrind --tool=callgrind`` in a fresh process, 0 and N times after a warm-up,
and the difference divided by N is what one run costs (start-up and imports cancel out). Needs
valgrind; not part of ``pytest``.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile

WORKLOADS = ("seed", "seed_floor", "chain", "chain_floor")


def _run_workload(name: str, runs: int) -> None:
    """Inside the measured process: build the workload, warm it up, then run it ``runs`` times."""
    import numpy as np

    import engine
    from tests.bench import engine_workloads as work

    x = np.random.default_rng(0).standard_normal((64, 64)).astype(np.float32)
    func = {
        "seed": lambda: work.seed_workload(engine),
        "seed_floor": work.seed_numpy_floor,
        "chain": lambda: work.chain_workload(engine, x),
        "chain_floor": lambda: work.chain_numpy_floor(x),
    }[name]
    for _ in range(3):  # compiled bytecode, numpy's caches, first-use imports
        func()
    for _ in range(runs):
        func()


def callgrind_instructions(arguments: list[str], environment: dict | None = None) -> int:
    """Instructions of ``python ARGUMENTS`` under callgrind in a fresh process (``environment``:
    the process's, else this one's)."""
    with tempfile.TemporaryDirectory() as folder:
        command = [
            "valgrind", "--tool=callgrind", f"--callgrind-out-file={folder}/out",
            sys.executable, *arguments,
        ]
        # A fixed hash seed: set and dict layouts, and so the instructions, repeat run to run.
        env = dict(environment or os.environ, PYTHONHASHSEED="0", OPENBLAS_NUM_THREADS="1")
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    return int(re.search(r"Collected : (\d+)", done.stderr).group(1))


def _instructions(name: str, runs: int) -> int:
    return callgrind_instructions(["-m", __spec__.name, "--inside", name, str(runs)])


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--inside":
        _run_workload(sys.argv[2], int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workloads", nargs="*", help=f"any of {', '.join(WORKLOADS)} (all)")
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    unknown = set(args.workloads) - set(WORKLOADS)
    if unknown:
        parser.error(f"unknown workloads: {', '.join(sorted(unknown))}")
    for name in args.workloads or WORKLOADS:
        runs = args.runs if "chain" not in name else max(1, args.runs // 10)
        per_run = (_instructions(name, runs) - _instructions(name, 0)) / runs
        print(f"{name:12} {per_run:12,.0f} instructions per run ({runs} runs)")


if __name__ == "__main__":
    main()
