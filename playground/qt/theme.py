"""Light and dark themes: one Fusion palette each, plus the few colours the panels share.

Panels ask ``colors()`` for semantic colours (error red, success green, muted text) instead of
hard-coding them, so both themes stay readable.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import NamedTuple

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QWidget

THEMES = ("light", "dark")
THEMES_DIR = Path(__file__).resolve().parents[2] / "resources" / "themes"


# NamedTuples, not frozen dataclasses: the same read-only fields, made ~2 ms faster each at
# start-up (a dataclass compiles its methods when the module is imported).
class Colors(NamedTuple):
    window: str
    base: str
    alternate: str
    text: str
    muted: str
    accent: str
    error: str
    error_background: str
    success: str
    warning: str
    code_style: str  # the pygments style of the Code panel
    changed_background: str = "#fff3c4"  # behind a value the last action changed


LIGHT = Colors("#f3f4f6", "#ffffff", "#f7f8fa", "#1f2328", "#6b7280", "#2563eb", "#c62828",
               "#fdecea", "#2e7d32", "#a15c00", "default")
DARK = Colors("#1f2126", "#26282e", "#2c2f36", "#e6e6e6", "#9aa0aa", "#6ea8fe", "#ff6b6b",
              "#3a2327", "#7bd88f", "#f0b35a", "monokai", changed_background="#4d4220")



class GraphColors(NamedTuple):
    """The graph view's colours, torchviz's scheme in each theme: leaves blue, ops grey,
    outputs green; greyed inputs, a red cut for ``detach``; orange for what backward is on."""

    fill: dict[str, str]  # by node kind: leaf, op, output, constant, detached
    border: dict[str, str]
    title: str
    subtitle: str
    muted_title: str  # constants and detached tensors are greyed
    muted_subtitle: str
    selected: str
    highlight: str
    saved: str
    saved_rule: str
    freed: str
    edge: str
    edge_no_grad: str
    cut: str
    label_background: str  # behind an edge's shape label, slightly see-through
    empty_cell: str  # a ``None`` grad thumbnail
    frame: str  # around thumbnails and ``None`` cells
    badge_text: str = "#ffffff"
    retain: str = "#7b3fb3"
    done: str = "#2e7d32"


LIGHT_GRAPH = GraphColors(
    fill={"leaf": "#d4e8fc", "op": "#eeeeee", "output": "#d3f2d3", "constant": "#f7f7f7",
          "detached": "#f7f7f7"},
    border={"leaf": "#3b78c4", "op": "#7a7a7a", "output": "#3d9a3d", "constant": "#b8b8b8",
            "detached": "#c0392b"},
    title="#1f2328", subtitle="#505860", muted_title="#8a8a8a", muted_subtitle="#9a9a9a",
    selected="#1565c0", highlight="#ff8c00", saved="#c46a00", saved_rule="#d9b27a",
    freed="#c0392b", edge="#5a6270", edge_no_grad="#b0b0b0", cut="#c0392b",
    label_background="#e1ffffff", empty_cell="#f2f2f2", frame="#7a7a7a",
)
DARK_GRAPH = GraphColors(
    fill={"leaf": "#1d3552", "op": "#33363d", "output": "#1f3f27", "constant": "#2a2c31",
          "detached": "#2a2c31"},
    border={"leaf": "#6ea8fe", "op": "#8b919c", "output": "#5cc46f", "constant": "#5a5f68",
            "detached": "#ff6b6b"},
    title="#e6e6e6", subtitle="#b4bac4", muted_title="#80868f", muted_subtitle="#70767f",
    selected="#8ab4ff", highlight="#ffa640", saved="#f0a050", saved_rule="#7a5a30",
    freed="#ff6b6b", edge="#9aa3b0", edge_no_grad="#5a5f68", cut="#ff6b6b",
    label_background="#e126282e", empty_cell="#2c2f36", frame="#70767f",
)

_current = "light"
_style: QStyle | None = None


def colors() -> Colors:
    return DARK if _current == "dark" else LIGHT


def graph_colors() -> GraphColors:
    return DARK_GRAPH if _current == "dark" else LIGHT_GRAPH


def current_theme() -> str:
    return _current


def apply_theme(name: str) -> None:
    """Switch the whole application to ``name`` ("light" or "dark"; anything else is light)."""
    global _current
    _current = name if name in THEMES else "light"
    app = QApplication.instance()
    if app is None:
        return
    sheet = style_sheet(_current)
    if app.styleSheet() == sheet:
        return  # re-applying re-polishes every widget of every window: slow, and no change
    global _style
    style = FusionStyle()
    app.setStyle(style)
    _style = style  # and the old one goes only now, when no longer set
    app.setPalette(_palette(colors()))
    app.setStyleSheet(sheet)


class FusionStyle(QProxyStyle):
    """Fusion, whose dock title buttons' icons are made once.

    Qt's common style asks for a dock's close and float icons each time it places their
    buttons (~90 times while the window opens), and Fusion reads six PNG sizes into a new icon
    every time (~30M instructions of start-up). The icons depend on nothing but their kind.
    """

    _KEPT = (QStyle.StandardPixmap.SP_TitleBarCloseButton,
             QStyle.StandardPixmap.SP_TitleBarNormalButton)

    def __init__(self):
        super().__init__("Fusion")
        self._icons: dict[QStyle.StandardPixmap, QIcon] = {}

    def standardIcon(self, which, option=None, widget=None):  # noqa: N802 - Qt's name
        if which not in self._KEPT:
            return super().standardIcon(which, option, widget)
        kept = self._icons.get(which)
        if kept is None:
            kept = self._icons[which] = super().standardIcon(which, option, widget)
        return kept


def restyle(widget: QWidget) -> None:
    """Apply the application style sheet's rules to ``widget`` again after its object name or a
    property they select on changed; a widget not polished yet gets them when first shown."""
    if widget.testAttribute(Qt.WidgetAttribute.WA_WState_Polished):
        style = widget.style()
        style.unpolish(widget)
        style.polish(widget)
        widget.update()


def style_sheet(name: str) -> str:
    """The application style sheet of theme ``name``."""
    name = name if name in THEMES else "light"
    c = DARK if name == "dark" else LIGHT
    sheet = _STYLE.format(c=c) + _PANELS.format(c=c) + _CARDS
    sheet += _TABS.format(c=c, edge=_TAB_EDGE[name])
    sheet += _FIELDS.format(c=c, **_FIELD_EDGES[name])
    return sheet + _indicator_style(THEMES_DIR / name)


def _indicator_style(folder: Path) -> str:
    # Fusion outlines an unticked box or radio in the window colour darkened: on a dark
    # background it all but vanishes, on a light one it is faint (under 2:1). Each theme
    # draws them from its own images instead, outlined at 3:1 or more.
    kinds = {"checkbox": ("QCheckBox", "QAbstractItemView", "QGroupBox"),
             "radio": ("QRadioButton",)}
    rules = []
    for kind, widgets in kinds.items():
        select = partial(_selectors, widgets)
        rules.append(f"{select('')} {{ width: 14px; height: 14px; }}")
        states = ["unchecked", "checked"] + (["indeterminate"] if kind == "checkbox" else [])
        for state in states:
            rules.append(f"{select(':' + state)} {{ image: url({_url(folder, kind, state)}); }}")
            rules.append(f"{select(':' + state + ':disabled')} "
                         f"{{ image: url({_url(folder, kind, state + '-disabled')}); }}")
        hover = _url(folder, kind, "unchecked-hover")
        rules.append(f"{select(':unchecked:hover')} {{ image: url({hover}); }}")
    return "\n".join(rules) + "\n"


def _selectors(widgets: tuple[str, ...], states: str) -> str:
    return ", ".join(f"{widget}::indicator{states}" for widget in widgets)


def _url(folder: Path, kind: str, state: str) -> str:
    return '"' + (folder / f"{kind}-{state}.svg").as_posix() + '"'


def _palette(c: Colors) -> QPalette:
    palette = QPalette()
    role = QPalette.ColorRole
    for which, value in (
        (role.Window, c.window), (role.Base, c.base), (role.AlternateBase, c.alternate),
        (role.Text, c.text), (role.WindowText, c.text), (role.ButtonText, c.text),
        (role.Button, c.alternate), (role.ToolTipBase, c.base), (role.ToolTipText, c.text),
        (role.Highlight, c.accent), (role.Link, c.accent), (role.PlaceholderText, c.muted),
    ):
        palette.setColor(which, QColor(value))
    palette.setColor(role.HighlightedText, QColor("#ffffff"))
    disabled = QPalette.ColorGroup.Disabled
    for which in (role.Text, role.WindowText, role.ButtonText):
        palette.setColor(disabled, which, QColor(c.muted))
    return palette


# Dock titles read as panel headers; toolbar buttons get room for their text.
_STYLE = """
QDockWidget {{ font-weight: 600; }}
QDockWidget::title {{ padding: 5px 8px; background: {c.alternate}; }}
QToolBar {{ spacing: 4px; padding: 3px; }}
QToolButton {{ padding: 4px 8px; }}
QLabel#panelError {{ color: {c.error}; }}
QLabel#panelHint {{ color: {c.muted}; }}
"""

# Rules for a few named widgets of the panels, here rather than in a sheet of their own: Qt
# parses and polishes a widget's own sheet for that widget alone (with the application's
# around it), which cost ~1 ms a widget while the window first showed.
_PANELS = """
QLabel#lessonTitle {{ font-size: 15px; font-weight: 600; }}
QLabel#lessonIntro {{ color: {c.muted}; }}
QFrame#lessonQuestion {{ background: {c.base}; border: 1px solid {c.accent}; border-radius: 5px; }}
"""
# The heatmap cards (``HeatmapCard``): palette colours, the same in both themes.
_CARDS = """
QFrame#heatmapCard { background: palette(base); border: 1px solid palette(mid);
                     border-radius: 6px; }
QFrame#heatmapCard[selected="true"] { border: 2px solid palette(highlight); }
QLabel#cardName { font-weight: 600; font-size: 14px; }
QLabel#cardInfo, QLabel#cardHover { color: palette(placeholder-text); }
"""

# Fusion frames a text field in the window colour darkened: on the dark theme (1.1:1) a learner
# could not see where to type, on the light one it was faint (2:1). Fields inside combo and spin
# boxes keep their parent's frame.
_FIELD_EDGES = {"light": {"edge": "#868c96", "disabled_edge": "#d0d4da"},
                "dark": {"edge": "#6b717c", "disabled_edge": "#3e424a"}}
_FIELDS = """
QLineEdit {{ border: 1px solid {edge}; border-radius: 3px; padding: 2px 3px;
             background: {c.base}; }}
QLineEdit:focus {{ border-color: {c.accent}; }}
QLineEdit:disabled {{ border-color: {disabled_edge}; }}
QComboBox QLineEdit, QAbstractSpinBox QLineEdit {{ border: none; padding: 0; }}
"""

# Which tab is shown must be plain in both themes: Fusion's dark tabs drew the unselected one
# lighter, so ".grad" read as chosen while "value" was. The shown tab is the base colour with
# an accent line on its outer edge; the others are muted.
_TAB_EDGE = {"light": "#d0d4da", "dark": "#3a3e46"}
_TABS = """
QTabBar::tab {{ padding: 4px 12px; background: {c.alternate}; color: {c.muted};
                border: 1px solid {edge}; }}
QTabBar::tab:top {{ border-bottom: none; border-top: 2px solid transparent; }}
QTabBar::tab:bottom {{ border-top: none; border-bottom: 2px solid transparent; }}
QTabBar::tab:selected {{ background: {c.base}; color: {c.text}; }}
QTabBar::tab:top:selected {{ border-top: 2px solid {c.accent}; }}
QTabBar::tab:bottom:selected {{ border-bottom: 2px solid {c.accent}; }}
QTabBar::tab:hover:!selected {{ color: {c.text}; }}
"""
