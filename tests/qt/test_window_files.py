"""Files through the window: save and reopen, a bad file leaves the session alone, exports,
the title's unsaved mark, recent files, and a screenshot that is not blank."""

import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QMessageBox

from playground.qt.app import save_screenshot
from playground.session import persist
from tests.qt.helpers import FIRST_GRAD, trigger

ROOT = Path(__file__).resolve().parents[2]


def test_save_then_reopen_gives_the_same_session(window, make_window, tmp_path):
    trigger(window, "actionBackward")
    assert window.isWindowModified()
    path = tmp_path / "story.tpg.json"
    window.save_session(path)
    assert not window.isWindowModified()
    assert window.windowTitle().startswith("story.tpg.json")
    other = make_window(lesson=None)
    other.open_session(path)
    assert other.session.document == window.session.document
    assert FIRST_GRAD in other.console.plain_text()
    assert str(path.resolve()) in other.recent_files()


def test_a_broken_file_is_one_message_and_changes_nothing(window, tmp_path, monkeypatch):
    trigger(window, "actionBackward")
    before = window.session.document
    broken = tmp_path / "broken.tpg.json"
    broken.write_text('{"format": "tensor-playground-session", "version": 1, "leaves": 3}')
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[2]))
    assert not window.file_actions.open_path(str(broken))
    assert len(shown) == 1 and "leaves" in shown[0]
    assert window.session.document == before
    assert "could not be opened" in window.status_label.text()


def test_export_script_writes_the_torch_calls(window, tmp_path):
    trigger(window, "actionBackward")
    path = tmp_path / "story.py"
    window.export_script(path)
    text = path.read_text()
    assert "import torch" in text
    assert "out.backward(torch.ones_like(out), retain_graph=True)" in text


def test_code_panel_shows_the_live_script(window):
    trigger(window, "actionBackward")
    window.code.refresh()
    assert "out.backward(torch.ones_like(out), retain_graph=True)" in window.code.code
    assert "out.backward" in window.code.view.toPlainText()


def test_new_session_is_untitled_and_empty(window):
    window.new_session()
    assert window.session.document.leaves == ()
    assert window.windowTitle().startswith("Untitled")
    assert not window.controls.forward.isEnabled()


def test_screenshot_is_not_blank(window, tmp_path):
    trigger(window, "actionBackward")
    path = tmp_path / "window.png"
    window.resize(1280, 800)
    save_screenshot(window, str(path))
    image = QImage(str(path))
    assert (image.width(), image.height()) == (1280, 800)
    colours = {image.pixel(x, y) for x in range(0, 1280, 16) for y in range(0, 800, 16)}
    assert len(colours) > 50  # panels, text and heatmaps, not one flat colour


def test_main_py_screenshot_flag(tmp_path):
    out = tmp_path / "shot.png"
    saved = tmp_path / "out.tpg.json"
    result = subprocess.run(
        [sys.executable, "main.py", "--lesson", "seed-notebook", "--do",
         "forward,backward,backward,zero_grad", "--screenshot", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert QImage(str(out)).width() == 1280
    assert not saved.exists()


def test_main_py_refuses_an_unknown_action(tmp_path):
    result = subprocess.run(
        [sys.executable, "main.py", "--do", "fly", "--screenshot", str(tmp_path / "x.png")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    assert "unknown action 'fly'" in result.stderr


def test_saved_file_is_a_valid_session(window, tmp_path):
    trigger(window, "actionBackward")
    window.save_session(tmp_path / "s.tpg.json")
    document = persist.load(tmp_path / "s.tpg.json")
    assert document.actions[-1].kind == "backward"


def test_no_stray_tab_bars_over_the_panels(window, tmp_path):
    from PySide6.QtWidgets import QTabBar

    window.resize(1280, 800)
    save_screenshot(window, str(tmp_path / "w.png"))
    shown = [bar for bar in window.findChildren(QTabBar) if bar.isVisible()]
    groups = sorted(tuple(bar.tabText(i) for i in range(bar.count())) for bar in shown)
    assert len(groups) == len(set(groups)), f"a tab group is painted twice: {groups}"
    assert window.width() <= 1280  # every panel fits the smallest screen we design for


def test_dark_theme_is_remembered_and_redraws_icons(window, make_window):
    from PySide6.QtGui import QAction

    from playground.qt.theme import current_theme

    forward = window.findChild(QAction, "actionForward")
    light_icon = forward.icon().pixmap(16, 16).toImage()
    trigger(window, "actionThemeDark")
    try:
        assert current_theme() == "dark"
        assert forward.icon().pixmap(16, 16).toImage() != light_icon
        assert make_window(lesson=None).settings.value("theme") == "dark"
    finally:
        window.set_theme("light")


def test_import_a_pytorch_snippet_as_an_unsaved_session(window, tmp_path):
    snippet = tmp_path / "snippet.py"
    snippet.write_text("import torch\nx = torch.ones(2, 3, requires_grad=True)\n"
                       "y = (x * 3).sum()\ny.backward()\n")
    window.import_snippet(snippet)
    assert {"x", "y"} <= set(window.session.tensor_names())
    assert window.session.state("x").grad.tolist() == [[3.0] * 3] * 2
    assert window.isWindowModified()
    assert window.windowTitle().startswith("Untitled")


def test_export_notebook(window, tmp_path):
    import nbformat

    trigger(window, "actionBackward")
    path = tmp_path / "story.ipynb"
    window.export_notebook(path)
    cells = nbformat.read(str(path), as_version=4).cells
    assert any("out.backward(torch.ones_like(out), retain_graph=True)" in c.source for c in cells)
    assert window.findChild(type(window.action_undo), "actionExportNotebook").isEnabled()


def test_export_heatmaps_png_and_hold_colour_scale(window, tmp_path):
    path = tmp_path / "heatmaps.png"
    assert window.export_heatmaps(path)
    assert QImage(str(path)).width() > 100
    trigger(window, "actionHoldScale")
    assert window.heatmaps.hold
    window.heatmaps.hold_check.setChecked(False)
    assert not window.action_hold_scale.isChecked()


def _brightness(path) -> float:
    image = QImage(str(path))
    samples = [QColor(image.pixel(x, y)).lightnessF()
               for x in range(0, image.width(), 40) for y in range(0, image.height(), 40)]
    return sum(samples) / len(samples)


def test_screenshots_are_light_unless_told_and_keep_the_chosen_theme(tmp_path):
    import os

    config = tmp_path / "config"
    settings = config / "TensorPlayground" / "Tensor Playground.conf"
    settings.parent.mkdir(parents=True)
    settings.write_text("[General]\ntheme=dark\n")
    env = dict(os.environ, XDG_CONFIG_HOME=str(config))
    shots = {}
    for theme in (None, "dark"):
        out = tmp_path / f"{theme}.png"
        flags = ["--theme", theme] if theme else []
        result = subprocess.run(
            [sys.executable, "main.py", "--lesson", "seed-notebook", "--screenshot", str(out),
             *flags], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
        assert result.returncode == 0, result.stderr
        shots[theme] = _brightness(out)
    assert shots[None] > 0.75 > 0.35 > shots["dark"], shots
    assert "theme=dark" in settings.read_text()  # the user's choice is not overwritten
