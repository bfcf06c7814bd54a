"""Regression (file fuzzing): an empty tensor with a huge dimension, e.g. (10^12, 0), is written
as torch.zeros(shape) in exports instead of one [] per row (which froze the export)."""

import numpy as np

from playground.session import Document, Leaf, Session, Step, TensorData
from playground.session.codegen import tensor_code
from playground.session.export import script


def test_an_empty_tensor_with_a_huge_dimension_exports_at_once():
    leaf = Leaf(name="e", values=TensorData(shape=(0, 10**12), data=()), requires_grad=True)
    session = Session(Document(leaves=(leaf,), steps=(Step(name="t", op="t", operands=("e",)),)))
    assert session.state("t").value.shape == (10**12, 0)
    text = script(session)
    assert "torch.zeros((1000000000000, 0))" in text and len(text) < 10_000


def test_empty_matrices_keep_shape_and_dtype():
    assert tensor_code(np.zeros((3, 0), dtype=np.int64)) == "torch.zeros((3, 0), dtype=torch.int64)"
    assert tensor_code(np.zeros((0,), dtype=np.float32)) == "torch.tensor([])"
