"""A heatmap card: one tensor's value and ``.grad`` side by side, with a header saying what
the tensor is (shape, dtype, leaf or ``grad_fn``) and what the mouse is over."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from ..session.outcome import TensorState
from .heatmap_cells import display_array, number_format
from .heatmap_stand_in import StandIn
from .heatmap_view import HeatmapView
from .message_row import MessageLabel
from .state_words import counts_note, describe, none_reason
from .theme import restyle

_FACTS = ("name", "origin", "requires_grad", "is_leaf", "grad_fn", "retains_grad", "error",
          "blocked_by")


def _same_state(state: TensorState, delta, built: bool, shown_for: tuple) -> bool:
    """Whether ``state`` and ``delta`` draw exactly what ``shown_for`` drew: arrays by identity
    (the session shares an unchanged array between timeline points), the rest by value."""
    old, old_delta, was_built = shown_for
    if built != was_built or delta is not old_delta:
        return False
    if state is old:
        return True
    return (state.value is old.value and state.grad is old.grad
            and all(getattr(state, f) == getattr(old, f) for f in _FACTS))


HEADER_ESTIMATE = 24  # the header row and the spacing under it, in a card not yet built


def _estimated_height(shape: tuple[int, ...]) -> int:
    rows = shape[-2] if len(shape) >= 2 else 1
    cols = shape[-1] if shape else 1
    return 330 if max(rows, cols) > 16 else rows * 30 + 52


class HeatmapCard(QFrame):
    """Value and gradient pictures of tensor ``name``; ``clicked`` when the user clicks it."""

    clicked = Signal(str)

    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.name = name
        self.setObjectName("heatmapCard")
        self.state: TensorState | None = None
        self.slice_index: tuple[int, ...] = ()
        self.stacked = False
        self.delta = None  # how .grad changed in the last action, and what it was computed from
        self.delta_key: tuple | None = None
        self._slice_boxes: list[QSpinBox] = []
        self.foreground = self.palette().text().color()
        self.hold = False
        self._views: tuple[HeatmapView, HeatmapView] | None = None
        self._shown_for: tuple | None = None  # (state, delta, built) last drawn
        self._header: tuple | None = None  # name, info, hover and note labels, when made
        # Until the card is first scrolled into view it is only a frame of about its height:
        # most cards of a lesson start below the panel, and their labels (~0.6 ms a card, then
        # Qt's polish and layout of each) would delay the first picture for nothing. The room
        # is held by a spacer, not a widget: no widget to create, style and polish per card.
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 6)
        layout.setSpacing(4)
        self._layout = layout
        self.graphics = StandIn(layout, 120 + HEADER_ESTIMATE)

    def _ensure_header(self) -> tuple[QLabel, QLabel, QLabel, MessageLabel]:
        """The header (name, what the tensor is, what the mouse is over), the slice boxes' row
        and the note line, made the first time they are needed."""
        if self._header is None:
            name_label = QLabel(self.name, objectName="cardName")
            info_label = QLabel("", objectName="cardInfo")
            hover_label = QLabel("", objectName="cardHover")
            hover_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            note_label = MessageLabel(hide_when_empty=True)
            header = QHBoxLayout()
            header.addWidget(name_label)
            header.addWidget(info_label)
            header.addStretch(1)
            header.addWidget(hover_label)
            self.slice_row = QHBoxLayout()
            self._layout.insertLayout(0, header)
            self._layout.insertLayout(1, self.slice_row)
            self._layout.insertWidget(2, note_label)
            for label in (name_label, info_label, hover_label):
                label.show()  # now: Qt would show them only on the next turn of the loop
            self._header = (name_label, info_label, hover_label, note_label)
            if self._views is None:  # the stand-in no longer holds the header's room
                self.graphics.setFixedHeight(self.graphics.height() - HEADER_ESTIMATE)
            if self.state is not None and self.state.value is not None:
                self._sync_slices(self.state.value.shape)
                info_label.setText(describe(self.state))
        return self._header

    @property
    def slice_boxes(self) -> list[QSpinBox]:
        """One spin box per leading dimension of a tensor of more than two."""
        self._ensure_header()
        return self._slice_boxes

    @property
    def name_label(self) -> QLabel:
        return self._ensure_header()[0]

    @property
    def info_label(self) -> QLabel:
        return self._ensure_header()[1]

    @property
    def hover_label(self) -> QLabel:
        return self._ensure_header()[2]

    @property
    def note_label(self) -> MessageLabel:
        return self._ensure_header()[3]

    # -- building the pictures (pyqtgraph items cost ~25 ms a card: only when seen) --
    @property
    def built(self) -> bool:
        return self._views is not None

    def ensure_built(self) -> None:
        """Create the pictures and draw the tensor in them, if not done yet."""
        if self._views is not None:
            return
        self._ensure_header()
        # A plain GraphicsView: a GraphicsLayoutWidget would build a layout only to have it
        # replaced by ``pictures``.
        graphics = pg.GraphicsView()
        graphics.setBackground(self.palette().base().color())
        graphics.setFrameShape(QFrame.Shape.NoFrame)
        graphics.setAttribute(Qt.WidgetAttribute.WA_Hover, True)
        pictures = pg.GraphicsLayout()  # filled before it joins the scene: one layout pass
        pictures.setContentsMargins(2, 2, 2, 2)
        pictures.setSpacing(10)
        views = (HeatmapView(pictures, "value", 0, self.foreground),
                 HeatmapView(pictures, f"{self.name}.grad", 1, self.foreground))
        graphics.setCentralItem(pictures)
        graphics.ci = pictures
        graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)
        graphics.scene().sigMouseClicked.connect(self._on_scene_clicked)
        graphics.setFixedHeight(self.graphics.height())
        graphics.setVisible(not self.graphics.isHidden())
        self.graphics.replace_with(graphics)
        self.graphics, self._views = graphics, views
        for view in views:
            view.set_hold(self.hold)
        if self.state is not None:
            self.show_state(self.state, self.delta, force=True)

    @property
    def value_view(self) -> HeatmapView:
        self.ensure_built()
        return self._views[0]

    @property
    def grad_view(self) -> HeatmapView:
        self.ensure_built()
        return self._views[1]

    # -- for tests and the panel --
    @property
    def value_image(self) -> pg.ImageItem:
        return self.value_view.image

    @property
    def grad_image(self) -> pg.ImageItem:
        return self.grad_view.image

    @property
    def grad_is_none(self) -> bool:
        return self.grad_view.is_none

    def cell_texts(self) -> list[str]:
        """The strings written in the gradient's cells (none when it is None or too big)."""
        return [] if self.grad_view.is_none else list(self.grad_view.texts or [])

    def set_selected(self, selected: bool) -> None:
        selected = bool(selected)
        if selected == bool(self.property("selected")):
            return  # restyling every card on each selection cost ~0.1 ms a card for nothing
        self.setProperty("selected", selected)
        restyle(self)

    def set_hold(self, hold: bool) -> None:
        self.hold = hold
        for view in self._views or ():
            view.set_hold(hold)
        if self._views is not None and self.state is not None and self.state.value is not None:
            self._update_texts(self.state)

    # -- content --
    def show_state(self, state: TensorState, delta: np.ndarray | None, force=False) -> bool:
        """Draw ``state``; returns whether anything was repainted."""
        if not force and self._shown_for is not None and _same_state(
                state, delta, self.built, self._shown_for):
            self.state = state
            return False  # the same arrays and facts: most cards, after most actions
        self._shown_for = (state, delta, self.built)
        self.state = state
        if state.value is None:
            return self._show_error(state)
        value = state.value
        if self._views is None:
            self.delta = delta
            height = _estimated_height(value.shape)
            if self._header is None:
                height += HEADER_ESTIMATE  # the texts are written when the card is built
            else:
                self._sync_slices(value.shape)
                self.info_label.setText(describe(state))
            self.graphics.setFixedHeight(height)
            return False
        self._sync_slices(value.shape)
        index = self.slice_index
        changed = self.value_view.show(value, index, force=force)
        changed |= self.grad_view.show(state.grad, index, delta, "None", force=force)
        if state.grad is None and value.size:
            self.grad_view.set_frame(display_array(value, index).shape, self.value_view.aspect)
        if changed or force:
            self._update_texts(state)
            self._fit_height()
        return changed

    def _fit_height(self) -> None:
        """Cells 22–40 px tall (scalars up to 56) and as wide as their numbers need; value and
        grad side by side, or one above the other when the card is too narrow for that; big
        tensors get a picture in their own proportions."""
        if self._views is None:
            return
        shape = self.value_view._shape
        if shape is None or self.state is None or self.state.value is None:
            return
        rows, cols = max(1, shape[0]), max(1, shape[1])
        views = (self.value_view, self.grad_view)
        aspects = [v.aspect for v in views if v.aspect is not None]
        aspect = max(aspects) if aspects else None
        for view in views:
            view._set_aspect(aspect if view.is_none or view.aspect is not None else None)
        width, overhead = max(200, self.graphics.width()), 90
        beside = (width - 24) / 2 - overhead
        if aspect is None:
            stacked, height = False, min(360.0, max(36.0, beside * rows / cols))
        else:
            stacked = beside / cols / aspect < 26 and cols > 1
            side = width - overhead if stacked else beside
            tallest = 56.0 if shape == (1, 1) else 40.0
            height = rows * min(tallest, max(22.0, side / cols / aspect))
        self._set_stacked(stacked)
        axes = 28 if shape == (1, 1) else 52
        self.graphics.setFixedHeight(int((height + axes) * (2 if stacked else 1)))

    def _set_stacked(self, stacked: bool) -> None:
        if stacked == self.stacked:
            return
        self.stacked = stacked
        layout = self.graphics.ci
        frame = self.grad_view.frame.layout
        layout.removeItem(frame)
        layout.addItem(frame, row=1 if stacked else 0, col=0 if stacked else 1)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self._views is not None:
            background = self.palette().base().color()
            if self.palette().text().color() == self.foreground and (
                    self.graphics.backgroundBrush().color() == background):
                return  # Qt sends these while polishing too: restyling the axes costs ~4 ms
            self.foreground = self.palette().text().color()
            self.graphics.setBackground(background)
            for view in self._views:
                view.frame.set_foreground(self.foreground)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_height()

    def _update_texts(self, state: TensorState) -> None:
        self.info_label.setText(describe(state))
        notes = []
        if state.value.ndim > 2:
            where = ", ".join(map(str, self.slice_index)) + ", :, :"
            notes.append(f"showing the slice [{where}] of {state.value.ndim} dimensions")
        counts = counts_note(self.value_view.odd)
        if counts:
            notes.append(f"value has {counts} (hatched cells; the colour scale ignores them)")
        if state.grad is not None and any(self.grad_view.odd):
            notes.append(f".grad has {counts_note(self.grad_view.odd)}")
        if state.grad is None:
            notes.append(none_reason(state))
        if self.hold and any(view.saturated() for view in self._views):
            notes.append("held colour scale: cells beyond it show its strongest colour")
        self._set_note("  ·  ".join(notes), error=False)

    def _show_error(self, state: TensorState) -> bool:
        self.info_label.setText("not computed")
        reason = state.error or f"needs {state.blocked_by}, which is not computed"
        self._set_note(reason, error=True)
        self.graphics.hide()
        return True

    def _set_note(self, text: str, error: bool) -> None:
        self.graphics.setVisible(not error)
        self.note_label.show_message(text, error)

    # -- slices of 3-D and larger tensors --
    def _sync_slices(self, shape: tuple[int, ...]) -> None:
        leading = shape[:-2] if len(shape) > 2 else ()
        if len(self._slice_boxes) != len(leading):
            for box in self._slice_boxes:
                box.deleteLater()
            while self.slice_row.count():
                item = self.slice_row.takeAt(0)
                if item.widget():
                    item.widget().deleteLater()
            self._slice_boxes = []
            if leading:
                self.slice_row.addWidget(QLabel("slice"))
            for dim in range(len(leading)):
                box = QSpinBox()
                box.setPrefix(f"dim {dim}: ")
                box.valueChanged.connect(self._on_slice_changed)
                self._slice_boxes.append(box)
                self.slice_row.addWidget(box)
            self.slice_row.addStretch(1)
        for box, size in zip(self._slice_boxes, leading):
            box.blockSignals(True)
            box.setRange(0, max(0, size - 1))
            box.blockSignals(False)
        self.slice_index = tuple(box.value() for box in self._slice_boxes)

    def _on_slice_changed(self, _value: int) -> None:
        if self.state is not None:
            self.slice_index = tuple(box.value() for box in self._slice_boxes)
            self.show_state(self.state, self.grad_view._delta, force=True)

    # -- mouse --
    def _on_mouse_moved(self, pos) -> None:
        state = self.state
        if self._views is None:
            return
        cell = None
        for view in (self.value_view, self.grad_view):
            cell = cell or view.cell_at(pos)
        if state is None or state.value is None or cell is None:
            self.hover_label.setText("")
            self.graphics.setToolTip("")
            return
        ndim = state.value.ndim
        index = () if ndim == 0 else (cell[1],) if ndim == 1 else self.slice_index + cell
        text = self.hover_text(index)
        self.hover_label.setText(text)
        self.graphics.setToolTip(text)

    def hover_text(self, index: tuple[int, ...]) -> str:
        """``inp[1, 2] = 1.   grad 2.`` for the element at ``index``."""
        state = self.state
        value = state.value[index]
        where = f"{self.name}[{', '.join(map(str, index))}]" if index else self.name
        text = f"{where} = {number_format(state.value)(value)}"
        if state.grad is None:
            return text + "    grad None"
        return text + f"    grad {number_format(state.grad)(state.grad[index])}"

    def _on_scene_clicked(self, _event) -> None:
        self.clicked.emit(self.name)

    def mousePressEvent(self, event) -> None:
        self.clicked.emit(self.name)
        super().mousePressEvent(event)
