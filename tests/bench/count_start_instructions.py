"""Instructions from process start to the first heatmap painted, app against the bare window,
by callgrind: ``python -m tests.bench.count_start_instructions [--runs N]``.

The same two child processes as the start-up row of ``run_window`` (``tests.bench.window_start``
``app`` and ``bare``, offscreen, allowed to write ``__pycache__``), each run once untimed so
compiled bytecode exists, then under ``valgrind --tool=callgrind`` with a fixed hash seed.
Counts repeat within ~1% where wall clock on this shared machine swings by 2x. Needs valgrind;
not part of ``pytest``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

from tests.bench.count_engine_instructions import callgrind_instructions
from tests.bench.run_window import child_environment

CHILD = ["-m", "tests.bench.window_start"]


def _instructions(mode: str) -> int:
    return callgrind_instructions([*CHILD, mode], child_environment())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="runs of each; the median is shown")
    args = parser.parse_args()
    for mode in ("app", "bare"):  # the warm, untimed start: .pyc files, font caches
        subprocess.run([sys.executable, *CHILD, mode], check=True, capture_output=True,
                       env=child_environment())
    counts = {mode: statistics.median(_instructions(mode) for _ in range(args.runs))
              for mode in ("app", "bare")}
    for mode, count in counts.items():
        print(f"{mode:5} {count:16,.0f} instructions")
    print(f"ratio {counts['app'] / counts['bare']:16.3f}  (target <= 1.3)")


if __name__ == "__main__":
    main()
