"""The headless command line: exports, conversions, and one-line errors."""

import subprocess
import sys

import pytest

from playground.cli import main
from playground.session.persist import dumps, load
from tests.session.builders import backward, jvp_document
from tests.session.scripts import HAS_TORCH, ROOT, run_python


def test_lesson_to_script_prints_the_seed_numbers(tmp_path):
    out = tmp_path / "s.py"
    assert main(["--lesson", "seed-notebook", "--export-script", str(out)]) == 0
    if HAS_TORCH:
        printed = run_python(out)
        assert "First call\ntensor([[4., 2., 2., 2., 2.]," in printed
        assert "Second call\ntensor([[8., 4., 4., 4., 4.]," in printed
        assert "inp.grad:\ntensor([[0., 0., 0., 0., 0.]," in printed


def test_session_file_to_every_output(tmp_path):
    source = tmp_path / "in.tpg.json"
    source.write_text(dumps(jvp_document([backward()])))
    outputs = {flag: tmp_path / name for flag, name in (
        ("--save", "copy.tpg.json"), ("--export-script", "t.py"),
        ("--export-script-engine", "e.py"))}
    argv = [str(source)] + [str(a) for pair in outputs.items() for a in pair]
    assert main(argv) == 0
    assert load(outputs["--save"]) == jvp_document([backward()])
    assert "import engine as torch" in outputs["--export-script-engine"].read_text()


def test_list_lessons(capsys):
    assert main(["--list-lessons"]) == 0
    assert "seed-notebook" in capsys.readouterr().out.split()


@pytest.mark.parametrize("argv, expected", [
    (["--lesson", "nope", "--save", "x.tpg.json"], "unknown lesson 'nope'"),
    (["missing.tpg.json", "--export-script", "x.py"], "missing.tpg.json: no such file"),
    (["--save", "x.tpg.json"], "nothing to write"),
    (["--lesson", "seed-notebook", "--save", "/no/such/dir/x.tpg.json"], "No such file"),
])
def test_errors_are_one_line_on_stderr(argv, expected, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) != 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and expected in captured.err


def test_bad_json_and_usage_errors_through_main_py(tmp_path):
    bad = tmp_path / "bad.tpg.json"
    bad.write_text('{"format": "tensor-playground-session", "version": 1, "leaves": [')
    for argv in ([str(bad), "--save", str(tmp_path / "o.tpg.json")], ["--no-such-flag"]):
        done = subprocess.run([sys.executable, str(ROOT / "main.py"), *argv],
                              capture_output=True, text=True, cwd=ROOT)
        assert done.returncode != 0
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
