"""Instructions spent inside chosen functions while the app window starts, by callgrind:
``python -m tests.bench.start_breakdown TARGET [TARGET ...]`` (up to six), each TARGET
``module:attribute`` or ``module:Class.method``, e.g.
``playground.qt.heatmap_card:HeatmapCard.ensure_built pyqtgraph:AxisItem.__init__``.

Callgrind sees the interpreter, not Python functions, so each target is wrapped in a call
through its own rarely used C function of CPython (``functools.reduce``, ``itertools.starmap``,
...) and the inclusive count of that C function is the target's, summed over its calls. The
child starts the window as ``tests.bench.window_start app`` does, with this module and the
wrappers loaded too: compare targets within one run, not its whole count with
``count_start_instructions``'. Needs valgrind; not part of ``pytest``.
"""

from __future__ import annotations

import argparse
import contextvars
import functools
import importlib
import itertools
import os
import re
import subprocess
import sys
import tempfile

from tests.bench.run_window import child_environment


def _through_reduce(call):
    return functools.reduce(lambda _a, _b: call(), [0, 0])


def _through_starmap(call):
    return next(itertools.starmap(call, [()]))


def _through_dropwhile(call):
    results = []
    next(itertools.dropwhile(lambda _: results.append(call()) and False, [0]))
    return results[0]


def _through_accumulate(call):
    results = []
    list(itertools.accumulate([0, 0], lambda _a, _b: results.append(call())))
    return results[0]


def _through_call_tracing(call):
    return sys.call_tracing(call, ())


def _through_context(call):
    return contextvars.copy_context().run(call)


# Each way in, and the C function of CPython that callgrind names for it.
WAYS = ((_through_reduce, "functools_reduce"), (_through_starmap, "starmap_next"),
        (_through_dropwhile, "dropwhile_next"), (_through_accumulate, "accumulate_next"),
        (_through_call_tracing, "sys_call_tracing"), (_through_context, "context_run"))


def _wrap(target: str, way) -> None:
    module, path = target.split(":")
    owner = importlib.import_module(module)
    *owners, name = path.split(".")
    for part in owners:
        owner = getattr(owner, part)
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        return way(lambda: original(*args, **kwargs))

    setattr(owner, name, wrapper)


def _inside(targets: list[str]) -> None:
    """In the measured process: wrap the targets, then start the window as the bench does."""
    import PySide6  # noqa: F401, I001  (before pyqtgraph, as the app does)
    import pyqtgraph  # noqa: F401

    from tests.bench import window_start

    for target, (way, _name) in zip(targets, WAYS):
        _wrap(target, way)
    painted = window_start.app_window()["painted"]
    sys.stdout.flush()
    os._exit(0 if painted else 1)  # not painted in time: the counts would mean nothing


def _inclusive(out_file: str, names: list[str]) -> dict[str, int]:
    text = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", out_file],
                          capture_output=True, text=True, check=True).stdout
    found = {}
    for name in names:  # the outermost entry (recursive ones are named name'2)
        match = re.search(rf"^\s*([\d,]+) .*[:/]{name} ", text, re.MULTILINE)
        found[name] = int(match.group(1).replace(",", "")) if match else 0
    return found


def main() -> None:
    if sys.argv[1:2] == ["--inside"]:
        _inside(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="+", help="module:attribute or module:Class.method")
    args = parser.parse_args()
    if len(args.targets) > len(WAYS):
        parser.error(f"at most {len(WAYS)} targets")
    child = [sys.executable, "-m", __spec__.name, "--inside", *args.targets]
    environment = dict(child_environment(), PYTHONHASHSEED="0", OPENBLAS_NUM_THREADS="1")
    subprocess.run(child, check=True, capture_output=True, env=environment)  # .pyc files
    with tempfile.TemporaryDirectory() as folder:
        out_file = f"{folder}/out"
        done = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}",
                               *child], capture_output=True, text=True, env=environment,
                              check=True)
        total = int(re.search(r"Collected : (\d+)", done.stderr).group(1))
        counts = _inclusive(out_file, [name for _way, name in WAYS[:len(args.targets)]])
    print(f"{'whole start':60} {total:16,}")
    for target, count in zip(args.targets, counts.values()):
        print(f"{target:60} {count:16,}")


if __name__ == "__main__":
    main()
