"""The file text: tensors a row a line, numbers written as ``json`` writes them (so they load back
bit for bit, kept arrays and tuples alike), and files in the old layout still load."""

import json
import random

import numpy as np
import pytest

from playground.session import Action, Document, Leaf, Seed, Step, TensorData
from playground.session.document import FORMAT, FORMAT_VERSION
from playground.session.persist import dumps, load, loads, save
from tests.session.test_random_sessions import random_document


def old_dumps(document: Document) -> str:
    """What the app wrote before: the whole document through ``json.dumps(indent=1)``."""
    body = document.model_dump(mode="json", exclude_defaults=True)
    body.pop("format", None)
    body.pop("version", None)
    data = {"format": FORMAT, "version": FORMAT_VERSION, **body}
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def awkward(dtype: str) -> np.ndarray:
    """-0.0, subnormals, the extremes, infinities, nan, and random bit patterns."""
    info = np.finfo(dtype)
    special = [-0.0, 0.0, info.smallest_subnormal, -info.smallest_subnormal, info.tiny,
               info.max, -info.max, info.eps, 1 / 3, 0.1, 1e16, 1e-5, 123456789.0, np.inf,
               -np.inf, np.nan]
    unsigned = np.uint32 if dtype == "float32" else np.uint64
    bits = np.random.default_rng(4).integers(0, np.iinfo(unsigned).max, 64, dtype=unsigned,
                                             endpoint=True)
    return np.concatenate([np.array(special, dtype=dtype), bits.view(dtype)]).reshape(8, 10)


def literal(name: str, array: np.ndarray, kept: bool) -> Leaf:
    values = TensorData.kept(array) if kept else TensorData.of(array)
    return Leaf(name=name, dtype=str(array.dtype), values=values)


def same_bits(loaded: TensorData, array: np.ndarray) -> None:
    again = np.array(loaded.data, dtype=array.dtype).reshape(array.shape)
    nan = np.isnan(array)
    assert (np.isnan(again) == nan).all()  # nan itself survives; its payload is not kept
    assert again[~nan].tobytes() == array[~nan].tobytes()


@pytest.mark.parametrize("kept", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_awkward_floats_load_back_bit_for_bit(tmp_path, dtype, kept):
    array = awkward(dtype)
    seed = Seed(kind="literal", values=TensorData.of(array[:2]))
    document = Document(leaves=(literal("w", array, kept),), steps=(
        Step(name="y", op="mul", operands=("w", 2.0)),), actions=(
        Action(kind="backward", target="y", seed=seed),))
    save(document, tmp_path / "s.tpg.json")
    loaded = load(tmp_path / "s.tpg.json")
    same_bits(loaded.leaves[0].values, array)
    same_bits(loaded.actions[0].seed.values, array[:2])
    # Numbers written as json writes them; the file parses to what the old writer wrote.
    assert json.loads(dumps(document)) == json.loads(old_dumps(document))
    assert dumps(loaded) == dumps(document)


def test_ints_bools_scalars_and_empty_tensors_parse_as_before():
    leaves = (literal("i", np.array([[1, -2, 3], [2**62, 0, -(2**63)]]), True),
              literal("b", np.array([[True, False], [False, True]]), False),
              literal("s", np.array(2.5, dtype=np.float32), True),
              literal("e", np.zeros((3, 0), dtype=np.float32), True),
              literal("f", np.zeros((0,), dtype=np.float64), False))
    document = Document(leaves=leaves)
    text = dumps(document)
    assert json.loads(text) == json.loads(old_dumps(document))
    assert loads(text) == document and dumps(loads(text)) == text
    assert '"data": [2.5]' in text and '"data": [true, false]' not in text  # two rows


def test_a_tensor_is_written_one_row_a_line():
    array = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    text = dumps(Document(title="rows", leaves=(literal("w", array, True),)))
    rows = [line.strip() for line in text.splitlines() if line.strip()[:1].isdigit()]
    assert rows == ["0.0, 1.0, 2.0, 3.0,", "4.0, 5.0, 6.0, 7.0,", "8.0, 9.0, 10.0, 11.0,",
                    "12.0, 13.0, 14.0, 15.0,", "16.0, 17.0, 18.0, 19.0,",
                    "20.0, 21.0, 22.0, 23.0"]
    assert '\n    "shape": [2, 3, 4],\n    "data": [\n     0.0, 1.0' in text
    assert '     20.0, 21.0, 22.0, 23.0\n    ]\n   }\n  }\n ]\n}\n' in text


def test_documents_without_literals_are_written_as_before():
    rng = random.Random(11)
    for _ in range(30):
        document = random_document(rng)
        assert dumps(document) == old_dumps(document)


def test_files_in_the_old_layout_still_load(tmp_path):
    array = awkward("float32")
    document = Document(title="old", leaves=(literal("w", array, False),))
    path = tmp_path / "old.tpg.json"
    path.write_text(old_dumps(document))
    assert '\n     -0.0,\n     0.0,\n' in path.read_text()  # one number a line
    loaded = load(path)
    same_bits(loaded.leaves[0].values, array)
    assert dumps(loaded) == dumps(document)


def test_text_like_the_stand_in_for_a_tensor_is_kept_as_text():
    title = '\x00tensor 0 "data": [1.0]'
    document = Document(title=title, note="\x00tensor ",
                        leaves=(literal("w", np.ones((2, 2), dtype=np.float32), True),))
    loaded = loads(dumps(document))
    assert loaded.title == title and loaded.note == "\x00tensor " and loaded == document
