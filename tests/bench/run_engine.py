"""Engine benchmarks: ``python -m tests.bench.run_engine [--quick] [--json OUT]``.

Prints a table of medians and ratios against PyTorch and the numpy floor, and writes JSON.
Reports, never asserts: CI runs ``--quick`` so the suite keeps working.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import sys
import time
import weakref

# Idle OpenBLAS threads spin and slow the other library in the same process.
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "1")

import numpy as np  # noqa: E402

import engine  # noqa: E402
from tests.bench import engine_workloads as work  # noqa: E402
from tests.bench.timing import interleaved, median, median_ratio  # noqa: E402

try:
    import torch  # noqa: E402
except ImportError:  # the benchmarks still run; the torch columns are left out
    torch = None
else:
    # Interleaved with numpy, PyTorch's idle intra-op threads made its 64x64 chain ~70x slower
    # (45 ms instead of 0.6 ms). Below its parallel grain size (32,768 elements) PyTorch runs
    # these ops on one thread anyway, so one thread is the fair reference, and a stricter one.
    torch.set_num_threads(1)


def _row(name, times, subject, references, target=""):
    row = {"workload": name, "median_us": round(median(times[subject]) * 1e6, 2), "target": target}
    for reference in references:
        if reference in times:
            row[f"vs_{reference}"] = round(median_ratio(times, subject, reference), 3)
            row[f"{reference}_us"] = round(median(times[reference]) * 1e6, 2)
    return row


def bench_seed(rounds):
    contenders = {"engine": lambda: work.seed_workload(engine), "numpy": work.seed_numpy_floor}
    if torch is not None:
        contenders["torch"] = lambda: work.seed_workload(torch)
    times = interleaved(contenders, rounds)
    return _row("seed workload 4x5 fwd+bwd", times, "engine", ("torch", "numpy"),
                "<= 0.5x torch; <= 3x numpy")


def bench_chain(rounds, size, with_torch):
    x = np.random.default_rng(0).standard_normal((size, size)).astype(np.float32)
    contenders = {"engine": lambda: work.chain_workload(engine, x),
                  "numpy": lambda: work.chain_numpy_floor(x)}
    if torch is not None and with_torch:
        contenders["torch"] = lambda: work.chain_workload(torch, x)
    times = interleaved(contenders, rounds, budget=0.05)
    target = "<= 0.6x torch; <= 2x numpy" if with_torch else "<= 1.2x numpy"
    return _row(f"{work.CHAIN_LENGTH}-op chain {size}x{size} fwd+bwd", times, "engine",
                ("torch", "numpy"), target)


def bench_layer(rounds, size, dtype):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((size, size)).astype(dtype)
    w = rng.standard_normal((size, size)).astype(dtype)
    b = rng.standard_normal(size).astype(dtype)
    grad = work.layer_workload(engine, x, w, b)
    assert grad.numpy().dtype == np.dtype(dtype), "the engine changed the dtype"
    times = interleaved({"engine": lambda: work.layer_workload(engine, x, w, b),
                         "numpy": lambda: work.layer_numpy_floor(x, w, b)}, rounds, budget=0.3)
    return _row(f"relu(x@w+b).sum() {size}^2 {dtype}", times, "engine", ("numpy",),
                "<= 1.1x numpy")


def bench_long_chain(rounds):
    """Per-op cost of a 10,000-op chain against a 20-op chain's, round by round."""
    length = 10_000
    times = interleaved({"long": lambda: work.long_chain(engine, length),
                         "short": lambda: work.long_chain(engine, 20)}, rounds)
    per_op_ratio = median_ratio(times, "long", "short") * 20 / length
    return {"workload": f"{length}-op chain on 4x5",
            "median_us": round(median(times["long"]) * 1e6),
            "per_op_vs_20_op_chain": round(per_op_ratio, 2), "target": "<= 2x per op"}


def _saved_arrays_released():
    """Backward without retain_graph frees what the graph saved: weak references die."""
    inp = engine.eye(4, 5, requires_grad=True)
    shifted = inp + 1  # PowBackward0 saves it
    out = shifted.pow(2).t()
    exp = out.exp()  # ExpBackward0 saves its result
    saved = [weakref.ref(shifted._data), weakref.ref(exp._data)]
    total = exp.sum()
    del shifted, out, exp
    total.backward()
    gc.collect()
    return all(ref() is None for ref in saved)


def bench_memory(iterations=10_000):
    for _ in range(200):  # warm up caches before the baseline
        work.seed_workload(engine)
    gc.collect()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(iterations):
        work.seed_workload(engine)
    gc.collect()
    growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    return {"workload": f"{iterations} fwd+bwd iterations", "memory_growth_mb": round(growth_mb, 2),
            "saved_released_after_backward": _saved_arrays_released(),
            "target": "<= 5 MB, released"}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="under a minute, for CI")
    parser.add_argument("--json", default="bench-results/engine.json")
    args = parser.parse_args(argv)
    rounds = 5 if args.quick else 21
    rows = [bench_seed(rounds), bench_chain(rounds, 64, True),
            bench_chain(3 if args.quick else 9, 1024, False)]
    for dtype in ("float32", "float64"):
        rows.append(bench_layer(3 if args.quick else 7, 512 if args.quick else 1024, dtype))
    rows += [bench_long_chain(3 if args.quick else 7), bench_memory()]
    for row in rows:
        print(" | ".join(f"{k}={v}" for k, v in row.items()))
    os.makedirs(os.path.dirname(args.json) or ".", exist_ok=True)
    with open(args.json, "w") as handle:
        json.dump({"machine": platform.platform(), "python": sys.version.split()[0],
                   "numpy": np.__version__, "torch": getattr(torch, "__version__", None),
                   "date": time.strftime("%Y-%m-%d"), "rows": rows}, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
