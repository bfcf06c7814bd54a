"""Both themes keep every unticked box and radio button visible: its outline stands out from
the background by at least WCAG's 3:1 for user-interface parts."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QRadioButton, QStyle, QStyleOptionButton

from playground.qt.tensors_panel import NAME
from tests.qt.contrast import contrast


def _best_contrast(image, rect, background) -> float:
    return max(contrast(image.pixelColor(x, y), background)
               for x in range(rect.left(), rect.right() + 1)
               for y in range(rect.top(), rect.bottom() + 1))


@pytest.mark.parametrize("kind, element", [
    (QCheckBox, QStyle.SubElement.SE_CheckBoxIndicator),
    (QRadioButton, QStyle.SubElement.SE_RadioButtonIndicator),
])
def test_an_unticked_box_stands_out_from_the_dialog(qtbot, each_theme, kind, element):
    button = kind("retain_graph=True")
    qtbot.addWidget(button)
    button.show()
    assert not button.isChecked()
    image = button.grab().toImage()
    option = QStyleOptionButton()
    option.initFrom(button)
    rect = button.style().subElementRect(element, option, button)
    background = button.palette().color(button.backgroundRole())
    assert _best_contrast(image, rect, background) >= 3.0


def test_an_unticked_requires_grad_box_in_the_tensors_panel_stands_out(window, each_theme):
    window.set_theme(each_theme)
    tree = window.tensors.tree
    item = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                if tree.topLevelItem(i).text(NAME) == "input")
    assert item.checkState(NAME) == Qt.CheckState.Unchecked
    window.show()
    rect = tree.visualItemRect(item)
    image = tree.viewport().grab().toImage()
    # The box is at the row's left edge, a text line high; the row's own colour around it.
    box = rect.adjusted(0, 0, -(rect.width() - rect.height() - 6), 0)
    background = image.pixelColor(rect.right() - 2, rect.center().y())
    assert _best_contrast(image, box, background) >= 3.0


def test_a_text_field_shows_where_to_type(qtbot, each_theme):
    from PySide6.QtWidgets import QLineEdit, QWidget

    holder = QWidget()  # the field on a panel's background, not focused
    qtbot.addWidget(holder)
    field = QLineEdit("4, 5", holder)
    field.move(10, 10)
    holder.resize(200, 60)
    holder.show()
    image = holder.grab().toImage()
    background = holder.palette().color(holder.backgroundRole())
    left_edge = field.geometry().adjusted(0, 4, -(field.width() - 2), -4)
    assert _best_contrast(image, left_edge, background) >= 3.0


def test_the_shown_tab_is_marked_in_the_accent_colour(qtbot, each_theme):
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QTabBar

    from playground.qt.theme import colors

    tabs = QTabBar()
    qtbot.addWidget(tabs)
    tabs.addTab("value")
    tabs.addTab(".grad")
    tabs.show()
    accent = QColor(colors().accent)

    def marked(index: int) -> bool:
        image = tabs.grab().toImage()
        rect = tabs.tabRect(index)
        return any(image.pixelColor(x, y) == accent for x in range(rect.left(), rect.right())
                   for y in range(rect.top(), rect.top() + 4))

    assert marked(0) and not marked(1)
    tabs.setCurrentIndex(1)
    assert marked(1) and not marked(0)


def test_the_view_menu_ticks_the_theme_in_use(window, qtbot):
    from PySide6.QtGui import QAction

    window.set_theme("dark")  # not through the menu
    view = next(action.menu() for action in window.menuBar().actions()
                if action.text().replace("&", "") == "View")
    view.aboutToShow.emit()
    assert window.findChild(QAction, "actionThemeDark").isChecked()
    assert not window.findChild(QAction, "actionThemeLight").isChecked()
    window.set_theme("light")
    view.aboutToShow.emit()
    assert window.findChild(QAction, "actionThemeLight").isChecked()
