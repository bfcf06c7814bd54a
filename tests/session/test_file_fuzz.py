"""Session-file fuzzing: 1,000 damaged or hostile files, each one clear error or a session that
replays; the open session is never touched and nothing from a file is ever executed.

The files are derived from real sessions (the seed lesson, random sessions) by truncating,
flipping bytes, swapping in values of the wrong type, blowing up sizes and planting hostile
text. Anything ``load`` accepts must also replay and export without raising: its problems then
show as errors inside the session, as a hand-written PyTorch script would show them.
"""

import ast
import builtins
import json
import random

import pytest

from playground.session import Session
from playground.session.export import script
from playground.session.lessons import lesson_path
from playground.session.persist import MAX_TEXT, SessionFileError, dumps, load
from tests.session.builders import backward, jvp_document
from tests.session.test_random_sessions import random_document

FILES = 1_000
MARKER = "PWNED_BY_A_SESSION_FILE"
HOSTILE_TEXT = [
    "x; import os", "__import__", "__builtins__", "__class__", "eval", "exec",
    f"__import__('os').system('echo {MARKER}')", f"exec('{MARKER}')", "inp.grad; del inp",
    "𝔵", "a" * 300, "\x00", "\n", "",
]
WRONG_VALUES = [None, True, -1, 0, 2**70, 1e308, -0.0, "nan", "", "x; import os", [], {},
                [[[]]], [1, "a"], {"a": 1}, "inp", 3.5, [-1, -2], [2**63, 2**63]]


def _bases() -> list[str]:
    rng = random.Random(3)
    texts = [lesson_path("seed-notebook").read_text(), dumps(jvp_document([backward()]))]
    texts += [dumps(random_document(rng)) for _ in range(6)]
    return texts


def _slots(node, path=()):
    """Every (path, value) in a JSON tree, containers included."""
    yield path, node
    items = node.items() if isinstance(node, dict) else enumerate(node) \
        if isinstance(node, list) else ()
    for key, value in items:
        yield from _slots(value, (*path, key))


def _set(data, path, value):
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


def _edit_json(text, rng, choose_value):
    data = json.loads(text)
    slots = [path for path, _ in _slots(data) if path]
    path = rng.choice(slots)
    _set(data, path, choose_value(path))
    return json.dumps(data)


def _huge_shape(text, rng):
    data = json.loads(text)
    leaf = rng.choice(data.get("leaves") or [{}])
    leaf.update(rng.choice([
        {"factory": "zeros", "shape": [100000, 100000]},
        {"factory": "eye", "shape": [10**9, 10**9]},
        {"factory": "ones", "shape": [1] * 100},
        {"factory": "linspace", "end": 1, "steps": 10**12},
        {"factory": "arange", "end": 1e300},
        {"factory": "tensor", "values": {"shape": [100000, 100000], "data": [1.0]}},
        {"factory": "tensor", "values": {"shape": [0, 10**12], "data": []}},
    ]))
    return json.dumps(data)


def _graph_damage(text, rng):
    """Unknown ops, a step using itself, two steps using each other, names used twice."""
    data = json.loads(text)
    steps = data.get("steps") or [{"name": "s", "op": "neg", "operands": ["s"]}]
    data["steps"] = steps
    step = rng.choice(steps)
    how = rng.randrange(4)
    if how == 0:
        step["op"] = rng.choice(["frobnicate", "__class__", "system", f"exec('{MARKER}')"])
    elif how == 1:
        step["operands"] = [step["name"]]
    elif how == 2:
        other = rng.choice(steps)
        step["operands"], other["operands"] = [other["name"]], [step["name"]]
    else:
        step["params"] = {rng.choice(["dim", "__init__", MARKER]): rng.choice(WRONG_VALUES[:12])}
    return json.dumps(data)


def _oversized(text, rng):
    data = json.loads(text)
    size = rng.choice([MAX_TEXT + 1, 50_000_000])
    place = rng.choice(["note", "title", "leaf"])
    if place == "leaf" and data.get("leaves"):
        data["leaves"][0]["name"] = "a" * size
    else:
        data[place if place != "leaf" else "note"] = "x" * size
    return json.dumps(data)


def _deep(text, rng):
    depth = rng.choice([10**3, 10**5])
    inner = rng.choice(["[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth])
    return text.replace('"version": 1', f'"version": 1, "note": {inner}', 1)


def _mutate(text: str, rng: random.Random) -> str | bytes:
    how = rng.choice(["truncate", "flip", "flip", "wrong type", "wrong type", "hostile",
                      "hostile", "huge shape", "graph", "graph", "nan", "drop"])
    if how == "truncate":
        return text[:rng.randrange(len(text))]
    if how == "flip":
        raw = bytearray(text.encode())
        for _ in range(rng.randint(1, 4)):
            raw[rng.randrange(len(raw))] ^= 1 << rng.randrange(8)
        return bytes(raw)
    if how == "wrong type":
        return _edit_json(text, rng, lambda path: rng.choice(WRONG_VALUES))
    if how == "hostile":
        return _edit_json(text, rng, lambda path: rng.choice(HOSTILE_TEXT))
    if how == "huge shape":
        return _huge_shape(text, rng)
    if how == "graph":
        return _graph_damage(text, rng)
    if how == "nan":  # JSON's forbidden tokens, written as Python's json writes them
        return text.replace("1.0", rng.choice(["NaN", "Infinity", "-Infinity"]), 1)
    data = json.loads(text)
    path = rng.choice([p for p, _ in _slots(data) if p and isinstance(p[-1], str)])
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]
    return json.dumps(data)


def fuzzed_files(count: int, seed: int = 1):
    """``count`` damaged files: a few expensive kinds (50 MB, 10^5 deep) and many cheap ones."""
    rng = random.Random(seed)
    bases = _bases()
    for index in range(count):
        base = rng.choice(bases)
        if index % 100 == 0:
            yield "oversized", _oversized(base, rng)
        elif index % 100 == 50:
            yield "deep", _deep(base, rng)
        else:
            yield "mutated", _mutate(base, rng)


@pytest.fixture
def executions(monkeypatch):
    """Every string given to eval, exec or compile (other than to parse it) while the test
    runs."""
    seen = []
    for name in ("eval", "exec", "compile"):
        original = getattr(builtins, name)

        def recording(source, *args, _original=original, _name=name, **kwargs):
            flags = args[2] if len(args) > 2 else kwargs.get("flags", 0)
            if not (_name == "compile" and flags & ast.PyCF_ONLY_AST):  # ast.parse runs nothing
                seen.append(source if isinstance(source, (str, bytes)) else repr(source))
            return _original(source, *args, **kwargs)

        monkeypatch.setattr(builtins, name, recording)
    return seen


def test_a_thousand_damaged_files_each_give_one_clear_error_or_a_working_session(
        tmp_path, executions):
    open_session = Session(jvp_document([backward()]))
    before = open_session.document
    path = tmp_path / "fuzzed.tpg.json"
    refused, loaded, kinds = 0, 0, set()
    for kind, content in fuzzed_files(FILES):
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        try:
            open_session.set_document(load(path))
        except SessionFileError as error:
            message = str(error)
            assert "\n" not in message and message.startswith(str(path)), message
            assert len(message) < 400 and "pydantic" not in message, message
            refused += 1
            kinds.add(kind)
        else:
            # It loaded: it must replay and export; errors stay inside the session.
            open_session.console_text()
            script(open_session)
            open_session.set_document(before)
            loaded += 1
        assert open_session.document is before and not open_session.is_modified
    assert refused + loaded == FILES
    print(f"{FILES} files: {refused} refused, {loaded} loaded and replayed")
    assert refused > 400 and loaded > 50, (refused, loaded)  # both paths are really exercised
    assert kinds == {"mutated", "oversized", "deep"}
    assert not [source for source in executions if MARKER in str(source)]


@pytest.mark.parametrize("limit", [MAX_TEXT + 1, 50_000_000])
def test_an_oversized_text_is_refused_naming_where_it_is(tmp_path, limit):
    data = json.loads(dumps(jvp_document()))
    data["leaves"][0]["name"] = "a" * limit
    path = tmp_path / "big.tpg.json"
    path.write_text(json.dumps(data))
    with pytest.raises(SessionFileError, match=r"leaves\.0\.name: a text of .* characters"):
        load(path)


HOSTILE_SNIPPETS = [
    f"import os\nos.system('echo {MARKER}')",
    f"__import__('os').system('echo {MARKER}')",
    f"x = eval('{MARKER}')",
    f"exec('{MARKER}')",
    f"open('{MARKER}', 'w')",
    f"import torch\nx = torch.ones(2)\ny = x.__class__.__bases__[0].__subclasses__()  # {MARKER}",
    f"import torch\nx = torch.tensor(__import__('os').getcwd())  # {MARKER}",
    "import torch\nx = torch.ones(" + "(" * 100_000 + "2" + ")" * 100_000 + ")",
    f"import torch\nx = torch.ones(2)\nx.backward(gradient=eval('{MARKER}'))",
    f"class A:\n    pass  # {MARKER}",
    f"def f():\n    return '{MARKER}'",
    f"import torch\nlambda: '{MARKER}'",
    "\x00",
]


@pytest.mark.parametrize("source", HOSTILE_SNIPPETS)
def test_hostile_snippets_are_refused_and_never_run(source, executions):
    from playground.session.importer import SnippetError, import_snippet

    with pytest.raises(SnippetError) as caught:
        import_snippet(source)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 400
    assert not [text for text in executions if MARKER in str(text)]


def test_the_execution_recorder_would_notice(executions):
    exec(f"seen = '{MARKER}'", {})  # what a file must never cause
    assert [text for text in executions if MARKER in str(text)]
