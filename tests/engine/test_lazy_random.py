"""``import engine`` leaves ``numpy.random`` unimported (start-up time); the default generator is
made at the first draw and gives the numbers it gave when it was made at import."""

from __future__ import annotations

import subprocess
import sys

import numpy as np


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_importing_the_engine_does_not_import_numpy_random():
    assert _run("import sys, engine; print('numpy.random' in sys.modules)") == "False"


def test_the_first_draw_is_the_seed_0_generators_as_before():
    drawn = _run("import engine; print(engine.randn(4).numpy().tolist())")
    expected = np.random.default_rng(0).standard_normal(4).astype(np.float32).tolist()
    assert drawn == str(expected)


def test_manual_seed_before_any_draw_still_decides_the_numbers():
    code = "import engine; engine.manual_seed(7); print(engine.rand(3).numpy().tolist())"
    expected = np.random.default_rng(7).random(3).astype(np.float32).tolist()
    assert _run(code) == str(expected)
