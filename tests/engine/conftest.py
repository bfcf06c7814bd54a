"""The ``torch`` fixture for engine tests that compare with PyTorch and skip cleanly without it."""

import pytest


@pytest.fixture(scope="session")
def torch():
    return pytest.importorskip("torch")
