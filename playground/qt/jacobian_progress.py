"""The row under the Jacobian panel's choices while J is built off the GUI thread: a progress
bar counting walks, Cancel, and after a Cancel a "Build J" button. It polls the job (plain
attributes set by the worker thread) 20 times a second; no Qt object crosses threads."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QSizePolicy, QWidget

from .jacobian_job import JacobianJob
from .view_updates import guarded


class JobProgress(QWidget):
    """Shows a running ``JacobianJob``; ``finished(job)`` when it is done (built or failed),
    ``cancelled(job)`` on Cancel, ``build_requested`` on Build J. ``stop()`` forgets the job
    (cancelling it): a stale result is never reported."""

    finished = Signal(object)
    cancelled = Signal(object)
    build_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.job: JacobianJob | None = None
        self.bar = QProgressBar()
        self.bar.setFormat("%v of %m walks")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop building J (nothing else is changed)")
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.build_button = QPushButton("Build J")
        self.build_button.setToolTip("Build J again on a worker thread")
        self.build_button.clicked.connect(self.build_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar, 1)
        for button in (self.cancel_button, self.build_button):
            button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
            layout.addWidget(button)
        layout.addStretch(0)
        self._timer = QTimer(self)
        self._timer.setInterval(50)
        self._timer.timeout.connect(self._on_poll)
        self.hide()

    def start(self, job: JacobianJob, walks: int) -> None:
        self.stop()
        self.job = job.start()
        self.destroyed.connect(job.cancel)  # the panel closed: stop computing for nobody
        self.bar.setRange(0, max(walks, 1))
        self.bar.setValue(0)
        for widget in (self.bar, self.cancel_button):
            widget.show()
        self.build_button.hide()
        self.show()
        self._timer.start()

    def stop(self) -> None:
        if self.job is not None:
            self.job.cancel()
        self.job = None
        self._timer.stop()
        self.hide()

    def offer_build(self) -> None:
        """After a Cancel: only the Build J button."""
        self.bar.hide()
        self.cancel_button.hide()
        self.build_button.show()
        self.show()

    @guarded
    def _on_cancel_clicked(self, *_):
        job = self.job
        if job is not None:
            self.stop()
            self.offer_build()
            self.cancelled.emit(job)

    @guarded
    def _on_poll(self):
        job = self.job
        if job is None:
            self._timer.stop()
            return
        self.bar.setValue(job.done)
        if job.finished.is_set():
            self.job = None
            self._timer.stop()
            self.hide()
            self.finished.emit(job)
