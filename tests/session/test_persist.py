"""Save/load: exact round trips, and one clear error for every bad file."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.session import Leaf, Session, TensorData
from playground.session.persist import SessionFileError, dumps, load, loads, save
from tests.session.builders import backward, jvp_document, zero_grad


def test_save_load_save_is_identical(tmp_path):
    document = jvp_document([backward(), backward(), zero_grad("inp")])
    path = tmp_path / "s.tpg.json"
    save(document, path)
    assert load(path) == document
    assert dumps(load(path)) == path.read_text()
    assert json.loads(path.read_text())["version"] == 1


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(["float32", "float64"]), st.lists(st.integers(0, 2**64 - 1), max_size=20))
def test_float_values_round_trip_bit_for_bit(dtype, bit_patterns):
    unsigned = np.uint32 if dtype == "float32" else np.uint64
    bits = np.array(bit_patterns, dtype=np.uint64).astype(unsigned)
    array = bits.view(dtype)
    array = array[~np.isnan(array)]  # nan payloads are not kept; nan itself is (below)
    leaf = Leaf(name="x", dtype=dtype, values=TensorData.of(array))
    loaded = loads(dumps(jvp_document().model_copy(update={"leaves": (leaf,), "steps": ()})))
    again = np.array(loaded.leaves[0].values.data, dtype=dtype)
    assert again.tobytes() == array.tobytes()
    value = Session(loaded).state("x").value
    assert value.dtype == dtype and value.tobytes() == array.tobytes()


def test_non_finite_values_survive():
    array = np.array([np.nan, np.inf, -np.inf, -0.0], dtype=np.float32)
    loaded = loads(dumps(jvp_document().model_copy(
        update={"leaves": (Leaf(name="x", values=TensorData.of(array)),), "steps": ()})))
    np.testing.assert_array_equal(np.array(loaded.leaves[0].values.data), array)
    assert "nan" in dumps(loaded) and "NaN" not in dumps(loaded)


GOOD = dumps(jvp_document([backward()]))


def _edited(change):
    data = json.loads(GOOD)
    change(data)
    return json.dumps(data)


BAD_FILES = {
    "truncated": (GOOD[: len(GOOD) // 2], "not valid JSON (line"),
    "empty": ("", "not valid JSON"),
    "a list": ("[1, 2]", "expected a JSON object"),
    "another format": (_edited(lambda d: d.update(format="x")), "format:"),
    "newer version": (_edited(lambda d: d.update(version=2)), "version: the file has format "
                                                              "version 2, from a newer"),
    "bad dtype": (_edited(lambda d: d["leaves"][0].update(dtype="float16")), "leaves.0.dtype:"),
    "bad name": (_edited(lambda d: d["leaves"][0].update(name="x; import os")),
                 "leaves.0.name: 'x; import os' is not a valid Python name"),
    "unknown field": (_edited(lambda d: d["steps"][0].update(evil=1)), "steps.0.evil:"),
    "wrong type": (_edited(lambda d: d["actions"][0].update(retain_graph="yes")),
                   "actions.0.retain_graph:"),
    "duplicate": (_edited(lambda d: d["steps"][0].update(name="inp")),
                  "steps: the name 'inp' is used twice"),
    "data size": (_edited(lambda d: d["leaves"].append(
        {"name": "v", "values": {"shape": [2], "data": [1.0]}})),
        "leaves.1.values: data has 1 elements but shape [2] needs 2"),
    "deep nesting": ("[" * 100000 + "]" * 100000, "nested too deeply"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_files_give_one_clear_line_and_leave_the_session_untouched(name, tmp_path):
    text, expected = BAD_FILES[name]
    session = Session(jvp_document([backward()]))
    before = session.document
    path = tmp_path / "bad.tpg.json"
    path.write_text(text)
    with pytest.raises(SessionFileError) as caught:
        session.set_document(load(path))
    message = str(caught.value)
    assert expected in message, message
    assert "\n" not in message and message.startswith(str(path))
    assert session.document is before


def test_missing_and_binary_files(tmp_path):
    with pytest.raises(SessionFileError, match="no such file"):
        load(tmp_path / "nothing.tpg.json")
    (tmp_path / "b.tpg.json").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(SessionFileError, match="not a text file"):
        load(tmp_path / "b.tpg.json")


def test_save_is_atomic_and_leaves_no_temporary_files(tmp_path):
    save(jvp_document(), tmp_path / "a.tpg.json")
    save(jvp_document([backward()]), tmp_path / "a.tpg.json")
    assert [p.name for p in tmp_path.iterdir()] == ["a.tpg.json"]


def test_a_detach_reusing_a_name_is_refused():
    text = _edited(lambda d: d["actions"].append(
        {"kind": "detach", "target": "out", "new_name": "inp"}))
    with pytest.raises(SessionFileError, match="new_name: the name 'inp' is used twice"):
        loads(text)


def test_random_documents_round_trip_exactly():
    import random

    from tests.session.test_random_sessions import random_document

    rng = random.Random(7)
    for _ in range(50):
        document = random_document(rng)
        text = dumps(document)
        assert loads(text) == document and dumps(loads(text)) == text


def test_mutated_files_give_a_session_file_error_or_a_session_that_replays():
    """Truncations, byte flips and swapped values: nothing but SessionFileError escapes, and
    whatever does load replays without raising (errors stay inside the outcomes)."""
    import random

    from playground.session.lessons import lesson_path

    original = lesson_path("seed-notebook").read_text()
    rng = random.Random(11)
    loaded = refused = 0
    for _ in range(300):
        text = original
        how = rng.choice(["truncate", "flip", "swap"])
        position = rng.randrange(len(text))
        if how == "truncate":
            text = text[:position]
        elif how == "flip":
            text = text[:position] + chr(rng.randrange(32, 127)) + text[position + 1:]
        else:
            value = rng.choice(['"x; import os"', "-1", "1e308", "[]", "null", "true", '"inp"'])
            text = text[:position] + value + text[position:]
        try:
            document = loads(text)
        except SessionFileError as error:
            assert "\n" not in str(error)
            refused += 1
            continue
        Session(document).console_text()
        loaded += 1
    assert refused > 100 and loaded > 0
