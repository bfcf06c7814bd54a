"""Rows of a big array written again from the text of the last one written: only rows whose
bits are the same are reused, so the file is what formatting every row gives."""

import json

import numpy as np
import pytest

from playground.session import row_text
from playground.session.row_text import array_rows


def formatted(array, width):
    return [json.dumps(row.tolist())[1:-1] for row in array.reshape(-1, width)]


@pytest.fixture
def counted(monkeypatch):
    """How many rows were formatted (not reused)."""
    made = []
    original = row_text.row_text
    monkeypatch.setattr(row_text, "row_text", lambda numbers: made.append(1) or
                        original(numbers))
    monkeypatch.setattr(row_text, "_remembered", [])
    return made


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
def test_changed_rows_are_formatted_again_and_only_they(counted, dtype):
    first = (np.random.default_rng(1).standard_normal((300, 256)) * 5).astype(dtype)
    assert list(array_rows(first, 256)) == formatted(first, 256) and len(counted) == 300
    second = first.copy()
    second[7, 3] = np.logical_not(first[7, 3]) if dtype == "bool" else first[7, 3] + 1
    counted.clear()
    assert list(array_rows(second, 256)) == formatted(second, 256)
    assert len(counted) == 1


def test_bits_decide_not_equality(counted):
    first = np.zeros((300, 256), dtype=np.float32)
    first[0, 0] = np.nan
    list(array_rows(first, 256))
    second = first.copy()
    second[5, 5] = -0.0  # == 0.0, but written "-0.0"
    counted.clear()
    rows = list(array_rows(second, 256))
    assert rows[5].startswith("0.0, 0.0, 0.0, 0.0, 0.0, -0.0, ") and rows[0].startswith('"nan"')
    assert len(counted) == 1  # the nan row (nan != nan) was reused: its bits are the same


def test_the_same_numbers_in_rows_of_another_width_are_formatted_anew(counted):
    first = np.arange(300 * 256, dtype=np.float64)
    list(array_rows(first, 256))
    counted.clear()
    assert list(array_rows(first, 512)) == formatted(first, 512) and len(counted) == 150


def test_small_arrays_are_not_remembered(counted):
    small = np.ones((10, 10), dtype=np.float32)
    list(array_rows(small, 10))
    assert row_text._remembered == []
