"""Run exported code in a child Python, under real torch or under the engine."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from playground.session.text import torch_text

ROOT = Path(__file__).resolve().parents[2]
HAS_TORCH = importlib.util.find_spec("torch") is not None
needs_torch = pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed")


def run_python(path: Path, *args: str) -> str:
    """Stdout of ``python path``; fails the test with stderr if it exits non-zero."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(path), *args], capture_output=True, text=True,
                          env=env, cwd=path.parent, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def run_both(tmp_path: Path, torch_source: str, engine_source: str) -> tuple[str, str]:
    """Stdout of both scripts, the engine's with ``engine.`` spelt ``torch.`` as torch does."""
    engine_file = tmp_path / "with_engine.py"
    engine_file.write_text(engine_source)
    engine_out = torch_text(run_python(engine_file))
    if not HAS_TORCH:
        return None, engine_out
    torch_file = tmp_path / "with_torch.py"
    torch_file.write_text(torch_source)
    return run_python(torch_file), engine_out
