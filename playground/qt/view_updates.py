"""How a view follows the session: handlers that never raise into the session, and a refresh
that runs once per burst of signals and only while the view can be seen.

One action makes the session emit several signals (definitions, timeline, cursor); a view that
rebuilds on each would rebuild three times. ``CoalescedRefresh`` turns them into one refresh on
the next pass of the event loop. The learning views (graph, backward stepper, Jacobian) replay
the session to draw; they are tabs behind the heatmaps most of the time, so a refresh while
hidden is only remembered, and done when the view is shown (its dock's tab raised).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QDockWidget, QWidget

from .dock_tabs import is_on_screen

log = logging.getLogger(__name__)


def guarded(handler):
    """A view's handler never lets an exception reach the session that emitted the signal."""

    @functools.wraps(handler)
    def run(self, *args):
        try:
            return handler(self, *args)
        except RuntimeError as error:  # the C++ widget is gone (window closing)
            log.debug("handler after deletion: %s", error)
        except Exception:
            log.exception("%s could not show the session", type(self).__name__)
        return None

    return run


class CoalescedRefresh(QObject):
    """Calls ``refresh`` once after any burst of ``session``'s signals, while ``view`` is on
    screen; while it is hidden (or tabbed behind another dock) the refresh waits until it shows.

    Parameters
    ----------
    view : the widget whose visibility decides; the dock it is put in is followed as well.
    session : its ``definitions_changed``, ``timeline_changed`` and ``cursor_changed`` are
        followed.
    refresh : what rebuilds the view (called with no arguments).

    Attributes
    ----------
    stale : a refresh is owed (asked for but not done yet).
    """

    def __init__(self, view: QWidget, session, refresh: Callable[[], None]):
        super().__init__(view)
        self.view = view
        self.stale = False
        self._refresh = refresh
        self._dock: QDockWidget | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._on_timeout)
        view.installEventFilter(self)
        session.definitions_changed.connect(self.request)
        session.timeline_changed.connect(self.request)
        session.cursor_changed.connect(self.request)

    @guarded
    def request(self, *_) -> None:
        """Refresh on the next pass of the event loop, or when the view is next shown."""
        self.stale = True
        if is_on_screen(self.view):
            self._timer.start()

    def cancel(self) -> None:
        """The view refreshed itself just now: nothing is owed."""
        self.stale = False
        self._timer.stop()

    def _on_timeout(self) -> None:
        if self.stale and is_on_screen(self.view):
            self.stale = False
            self._refresh()

    def _on_shown(self, shown: bool) -> None:
        if shown and self.stale:
            self._timer.start()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind == QEvent.Type.Show:
            self._on_shown(True)
        elif kind == QEvent.Type.ParentChange:
            self._follow_dock()
        return False

    def _follow_dock(self) -> None:
        # A dock tabbed behind another is moved off screen, not hidden: the view gets no Show
        # event when its tab is raised, only the dock's visibilityChanged says so.
        dock = self.view.parentWidget()
        while dock is not None and not isinstance(dock, QDockWidget):
            dock = dock.parentWidget()
        if dock is self._dock:
            return
        if self._dock is not None:
            self._dock.visibilityChanged.disconnect(self._on_shown)
        self._dock = dock
        if dock is not None:
            dock.visibilityChanged.connect(self._on_shown)


def connect_coalesced(view: QWidget, session, refresh: Callable[[], None]) -> CoalescedRefresh:
    """Follow ``session`` with one ``refresh`` per burst of signals, only while ``view`` shows."""
    return CoalescedRefresh(view, session, refresh)
