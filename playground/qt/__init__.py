"""The Qt views over a session. Import PySide6 before pyqtgraph so pyqtgraph picks that binding."""

import PySide6  # noqa: F401 - must precede any pyqtgraph import
