"""Grad mode is per thread, as in PyTorch: the Jacobian panel's worker thread runs backward
walks (which switch recording off while they run) and no_grad blocks, and the GUI thread must
keep recording meanwhile."""

import threading

import pytest

import engine


def _inside_worker(context, check):
    """Run ``check()`` on this thread while another thread sits inside ``context``."""
    inside, leave = threading.Event(), threading.Event()

    def worker():
        with context():
            inside.set()
            leave.wait(10)

    thread = threading.Thread(target=worker)
    thread.start()
    inside.wait(10)
    try:
        return check()
    finally:
        leave.set()
        thread.join()


def test_a_workers_no_grad_does_not_stop_this_thread_recording():
    x = engine.ones(2, requires_grad=True)
    assert _inside_worker(engine.no_grad, lambda: (x * 2).requires_grad)
    assert engine.is_grad_enabled()


def test_a_new_thread_starts_with_grad_enabled_as_in_torch():
    torch = pytest.importorskip("torch")
    results = {}

    def worker():
        results["engine"] = engine.is_grad_enabled()
        results["torch"] = torch.is_grad_enabled()

    with engine.no_grad(), torch.no_grad():
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
    assert results == {"engine": True, "torch": True}
