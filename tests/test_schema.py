"""Schema validation: problems exactly where jsonschema finds errors, though most files skip jsonschema."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.load import _kind
from generator.model import Loc
from generator.schema import _validator, validate
from generator.yamlread import Doc, read_yaml

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted([*ROOT.glob("trees/*.yaml"), *ROOT.glob("tests/fixtures/good/*.yaml"), *ROOT.glob("tests/fixtures/hostile/*.yaml")])
# Values that break one schema rule or another: types, empty and blank text, slugs, targets, URLs, dates, enums.
VALUES = ["", " ", "\n", "x", "x\n", "K0517", "a-b", "A-b", "a--b", "a" * 80, "a" * 81, "http://x", "https://x y", "mailto:a",
          "javascript:x", "2026-11-21", "2026-11-21\n", "26-11-21", "gyik#4", "gyik#", "#4", "fa#", "a#b#c", "solved",
          "escalate", "continue", "megoldva", "ő", "\u00a0", 0, 1, -1, 12, 1.5, True, False, None, [], [""], ["x"], {}, {"x": "y"},
          {"label": "a", "next": "b"}, {"who": "a", "channel": "b", "include": []}]
KEYS = ["titel", "next", "kind", "contact", "answers", "steps", "question", "step", "outcome", "details", "A", "x y", "ő"]


def load(path: Path) -> tuple[Doc, str]:
    doc, problems = read_yaml(str(path), path.name)
    assert doc is not None, problems
    return doc, _kind(str(path))


def paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into the data (the root excluded)."""
    inner = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    return [q for k, v in inner for q in [path + (k,), *paths(v, path + (k,))]]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_valid_files_pass_both_checks(path: Path) -> None:
    doc, kind = load(path)
    assert validate(doc, kind) == []
    assert list(_validator(kind).iter_errors(doc.data)) == []


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(FILES), st.data())
def test_a_problem_is_reported_exactly_when_jsonschema_finds_an_error(path: Path, data: st.DataObject) -> None:
    doc, kind = load(path)
    mutated = copy.deepcopy(doc.data)
    for _ in range(data.draw(st.integers(1, 3))):
        if not paths(mutated):
            break
        where = data.draw(st.sampled_from(paths(mutated)))
        parent = mutated
        for step in where[:-1]:
            parent = parent[step]
        action = data.draw(st.sampled_from(["set", "delete", "add"]))
        if action == "set":
            parent[where[-1]] = copy.deepcopy(data.draw(st.sampled_from(VALUES)))
        elif action == "delete" and isinstance(parent, dict):
            del parent[where[-1]]
        elif isinstance(parent, dict):
            parent[data.draw(st.sampled_from(KEYS))] = copy.deepcopy(data.draw(st.sampled_from(VALUES)))
        else:
            parent.append(copy.deepcopy(data.draw(st.sampled_from(VALUES))))
    errors = list(_validator(kind).iter_errors(mutated))
    problems = validate(Doc(doc.file, mutated), kind)
    assert bool(problems) == bool(errors), errors
    assert all(p.loc == Loc(doc.file, 1, 1) for p in problems)  # nothing located in data without locations


def test_the_problems_are_the_explained_jsonschema_errors() -> None:
    doc, kind = load(ROOT / "tests" / "fixtures" / "good" / "pin.yaml")
    doc.data["nodes"]["puk"]["kind"] = "megoldva"
    del doc.data["title"]
    found = sorted((str(p.loc), p.message) for p in validate(doc, kind))
    assert found == sorted([("pin.yaml:2:1", "hiányzik a(z) title mező"),
                            (str(doc.at(("nodes", "puk"))), "érvénytelen érték: megoldva")])
