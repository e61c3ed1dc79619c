"""The strict YAML reader: plain data, 1-based locations of every value, and every YAML trap refused or reported."""

from __future__ import annotations

import tracemalloc
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.model import Loc
from generator.yamlread import _clean, _strict, parse_yaml, read_yaml


def parse(text: str | bytes):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return parse_yaml(raw, "f.yaml")


def messages(problems) -> list[str]:
    return [p.message for p in problems]


# ---- data and locations --------------------------------------------------------------------------

SAMPLE = """\
# comment
id: pin
nodes:
  zarolt:
    question: Milyen kódot lát?
    answers:
      - label: Igen
        next: puk
      - label: "Nem"
        next: kesz
tests:
  - answers: [Igen, "Nem"]
"""


def test_plain_data() -> None:
    doc, problems = parse(SAMPLE)
    assert problems == []
    assert doc.data == {
        "id": "pin",
        "nodes": {"zarolt": {"question": "Milyen kódot lát?",
                             "answers": [{"label": "Igen", "next": "puk"}, {"label": "Nem", "next": "kesz"}]}},
        "tests": [{"answers": ["Igen", "Nem"]}],
    }


@pytest.mark.parametrize("path, line, col", [
    (("id",), 2, 5),
    (("nodes", "zarolt", "question"), 5, 15),
    (("nodes", "zarolt", "answers", 0), 7, 9),            # a list item: where its mapping starts
    (("nodes", "zarolt", "answers", 0, "label"), 7, 16),
    (("nodes", "zarolt", "answers", 1, "label"), 9, 16),  # a quoted value: at its opening quote
    (("nodes", "zarolt", "answers", 1, "next"), 10, 15),
    (("tests", 0, "answers", 1), 12, 21),                 # an item of a flow list
])
def test_locations_are_one_based_line_and_column_of_the_value(path, line, col) -> None:
    doc, _ = parse(SAMPLE)
    assert doc.locs[path] == Loc("f.yaml", line, col)
    assert doc.at(path) == Loc("f.yaml", line, col)


def test_key_locations_point_at_the_key() -> None:
    doc, _ = parse(SAMPLE)
    assert doc.key_at(("nodes", "zarolt")) == Loc("f.yaml", 4, 3)
    assert doc.key_at(("nodes", "zarolt", "answers", 0, "next")) == Loc("f.yaml", 8, 9)
    assert doc.key_at(("id",)) == Loc("f.yaml", 2, 1)


def test_missing_paths_fall_back_to_the_nearest_located_ancestor() -> None:
    doc, _ = parse(SAMPLE)
    assert doc.at(("nodes", "zarolt", "nincs", 3)) == doc.at(("nodes", "zarolt"))
    assert doc.at(("nincs",)) == doc.at(())
    assert doc.at(()) == Loc("f.yaml", 2, 1)


def test_bom_is_accepted_and_does_not_shift_columns() -> None:
    doc, problems = parse(b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"))
    assert problems == []
    assert doc.data["id"] == "pin"
    assert doc.locs[("id",)] == Loc("f.yaml", 2, 5)


def test_crlf_line_endings() -> None:
    doc, problems = parse(SAMPLE.replace("\n", "\r\n"))
    assert problems == []
    assert doc.locs[("nodes", "zarolt", "answers", 1, "next")] == Loc("f.yaml", 10, 15)


def test_read_yaml_uses_the_display_name(tmp_path) -> None:
    path = tmp_path / "pin.yaml"
    path.write_text("id: pin\ntitle: 0517\n", encoding="utf-8")
    doc, problems = read_yaml(str(path), "trees/pin.yaml")
    assert doc.data == {"id": "pin", "title": "0517"}
    assert [str(p.loc) for p in problems] == ["trees/pin.yaml:2:8"]


def test_unreadable_file_is_a_problem_not_an_exception(tmp_path) -> None:
    doc, problems = read_yaml(str(tmp_path / "nincs.yaml"), "nincs.yaml")
    assert doc is None
    assert len(problems) == 1 and "nem olvasható" in problems[0].message


# ---- traps: values YAML 1.1 would not read as text --------------------------------------------------

@pytest.mark.parametrize("value, says", [
    ("0517", "a(z) 335 számnak"),          # octal!
    ("11:55", "a(z) 715 számnak"),         # base 60!
    ("no", "logikai hamis"),
    ("No", "logikai hamis"),
    ("off", "logikai hamis"),
    ("yes", "logikai igaz"),
    ("on", "logikai igaz"),
    ("true", "logikai igaz"),
    ("2026-11-01", "dátumnak"),
    ("2026-11-01 10:00:00", "dátumnak"),
    ("1155", "a(z) 1155 számnak"),
    ("1.5", "számnak"),
    ("0x1F", "a(z) 31 számnak"),
    ("1_000", "a(z) 1000 számnak"),
    (".nan", "számnak"),
    ("-.inf", "számnak"),
])
def test_traps_are_reported_at_the_value_and_kept_as_text(value: str, says: str) -> None:
    doc, problems = parse(f"id: pin\nlabel: {value}\n")
    assert len(problems) == 1, messages(problems)
    p = problems[0]
    assert p.loc == Loc("f.yaml", 2, 8)
    assert f"idézőjel nélküli {value} értéket" in p.message and says in p.message
    assert p.hint == f'tegye idézőjelbe: "{value}"'
    assert doc.data["label"] == value


@pytest.mark.parametrize("text", ['label: "0517"', "label: '11:55'", 'label: "no"', 'label: "2026-11-01"',
                                  "label: K0517(-116)", "label: 08", "label: 0517-es", "label: |\n  0517\n"])
def test_quoted_or_plainly_textual_values_are_text(text: str) -> None:
    doc, problems = parse(text)
    assert problems == []
    assert isinstance(doc.data["label"], str)


def test_traps_in_lists_and_flow_style() -> None:
    _, problems = parse('codes: ["K0506", 0517]\nanswers: [Igen, no]\n')
    assert [(p.loc.line, p.loc.col) for p in problems] == [(1, 18), (2, 17)]


def test_non_text_keys_take_their_own_types() -> None:
    doc, problems = parse("items: 41\norder: 10\nreview_months: 12\nmessage: true\nreviewed: 2026-11-21\n")
    assert problems == []
    assert doc.data == {"items": 41, "order": 10, "review_months": 12, "message": True, "reviewed": "2026-11-21"}


@pytest.mark.parametrize("text", ["items: yes", "order: 1.5", "message: 1", "reviewed: 2026-11-21 10:00:00",
                                  "review_months: 2026-01-01"])
def test_non_text_keys_still_refuse_the_wrong_type(text: str) -> None:
    _, problems = parse(text)
    assert len(problems) == 1 and "idézőjel nélküli" in problems[0].message


@pytest.mark.parametrize("value", ["2026-13-45", "2026-02-30"])
@pytest.mark.parametrize("key", ["reviewed", "title"])
def test_impossible_dates_are_a_problem_not_a_crash(key: str, value: str) -> None:
    doc, problems = parse(f"{key}: {value}\n")
    assert len(problems) == 1
    assert problems[0].loc == Loc("f.yaml", 1, len(key) + 3)
    assert "nem létező dátum" in problems[0].message
    assert doc.data[key] == value


def test_null_is_none_without_a_problem() -> None:
    doc, problems = parse("title:\nstep: ~\n")
    assert problems == [] and doc.data == {"title": None, "step": None}


def test_non_text_keys_are_reported() -> None:
    doc, problems = parse('1: egy\n"2": kettő\nno: nem\n')
    assert [(p.loc.line, "kulcsot a YAML nem szövegként olvassa" in p.message) for p in problems] == [(1, True), (3, True)]
    assert doc.data == {"1": "egy", "2": "kettő", "no": "nem"}


def test_complex_key_is_reported() -> None:
    _, problems = parse("? [a, b]\n: x\n")
    assert messages(problems) == ["a kulcs csak egyszerű szöveg lehet"]


@pytest.mark.parametrize("text, tag", [("a: !!binary aGVsbG8=", "binary"), ("a: !egyedi x", "!egyedi"),
                                       ("a: !!python/object:os.system x", "python/object"), ("a: !!set {x}", "set")])
def test_unknown_tags_are_refused(text: str, tag: str) -> None:
    doc, problems = parse(text)
    assert len(problems) == 1 and "ismeretlen YAML-címke" in problems[0].message and tag in problems[0].message
    assert doc.data == {"a": None}


# ---- duplicate keys ---------------------------------------------------------------------------------

def test_duplicate_keys_at_any_depth_name_the_first_line() -> None:
    doc, problems = parse("id: a\nnodes:\n  x:\n    step: s\n    step: t\n  y: {}\n  x: {}\nid: b\n")
    found = sorted((p.loc.line, p.loc.col, p.message) for p in problems)
    assert found == [
        (5, 5, "ismétlődő kulcs: step (először a(z) 4. sorban)"),
        (7, 3, "ismétlődő kulcs: x (először a(z) 3. sorban)"),
        (8, 1, "ismétlődő kulcs: id (először a(z) 1. sorban)"),
    ]
    assert doc.data["id"] == "a" and doc.data["nodes"]["x"] == {"step": "s"}  # the first one wins


def test_keys_equal_after_nfc_are_duplicates() -> None:
    _, problems = parse("ő: 1\no\u030b: 2\n".replace(": 1", ': "1"').replace(": 2", ': "2"'))
    assert messages(problems) == ["ismétlődő kulcs: ő (először a(z) 1. sorban)"]


# ---- anchors, aliases, alias bombs ------------------------------------------------------------------

@pytest.mark.parametrize("text, line, col, says", [
    ("a: &x szöveg\nb: c\n", 1, 4, "horgony (&x)"),
    ("a: b\nc: *x\n", 2, 4, "hivatkozás (*x)"),
    ("alap: &alap {kind: solved}\nmas:\n  <<: *alap\n", 1, 7, "horgony (&alap)"),
    ("- &elso a\n- *elso\n", 1, 3, "horgony (&elso)"),
    ("a:\n  - b\n  - *x\n", 3, 5, "hivatkozás (*x)"),
])
def test_anchors_and_aliases_are_refused(text: str, line: int, col: int, says: str) -> None:
    doc, problems = parse(text)
    assert doc is None
    assert len(problems) == 1
    assert problems[0].loc == Loc("f.yaml", line, col)
    assert says in problems[0].message and "nem használható" in problems[0].message


def _alias_bomb() -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_at_once_without_memory_growth() -> None:
    bomb = _alias_bomb()
    assert len(bomb.encode()) <= 1024      # 9**9 = 387 million "lol"s if it were expanded
    tracemalloc.start()
    try:
        doc, problems = parse(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert doc is None
    assert len(problems) == 1 and "horgony (&a)" in problems[0].message
    assert problems[0].loc == Loc("f.yaml", 1, 4)
    assert peak < 5 * 1024 * 1024, peak


# ---- tabs, encodings, syntax ------------------------------------------------------------------------

def test_tab_in_indentation_is_refused_at_the_tab() -> None:
    doc, problems = parse("nodes:\n  a:\n  \tstep: x\n\tb: y\n")
    assert doc is None
    assert [(p.loc.line, p.loc.col) for p in problems] == [(3, 3), (4, 1)]
    assert all("tabulátor a behúzásban" in p.message for p in problems)


def test_tab_inside_a_value_is_not_indentation() -> None:
    doc, problems = parse('step: "a\tb"\n')
    assert problems == [] and doc.data == {"step": "a\tb"}


def test_latin2_file_is_refused_at_the_first_bad_byte() -> None:
    raw = "id: pin\nowner: Erdős Anna\n".encode("iso8859-2")
    doc, problems = parse(raw)
    assert doc is None
    assert len(problems) == 1
    assert problems[0].loc == Loc("f.yaml", 2, 11)
    assert "nem UTF-8" in problems[0].message


def test_utf16_file_is_refused() -> None:
    doc, problems = parse("id: pin\n".encode("utf-16"))
    assert doc is None and "nem UTF-8" in problems[0].message


@pytest.mark.parametrize("char", ["\x0b", "\x01", "\x7f"])
def test_control_characters_are_a_problem_not_a_crash(char: str) -> None:
    doc, problems = parse(f"id: pin\nstep: Kattintson{char}ide\n")
    assert doc is None
    assert len(problems) == 1
    assert problems[0].loc == Loc("f.yaml", 2, 17)
    assert "vezérlőkarakter" in problems[0].message and f"U+{ord(char):04X}" in problems[0].message


@pytest.mark.parametrize("text, line", [
    ("question: Hibakód: milyen kódot lát?\n", 1),
    ("a:\n  b: 1\n c: 2\n", 3),
    ("a: [x, y\nb: z\n", 2),
    ('a: "nyitott\nb: c\n', 3),
    ("a: b\n- c\n", 2),
])
def test_syntax_errors_are_located_problems(text: str, line: int) -> None:
    doc, problems = parse(text)
    assert doc is None
    assert len(problems) == 1
    assert problems[0].message.startswith("YAML-szintaktikai hiba")
    assert problems[0].loc.line == line and problems[0].loc.col >= 1
    assert problems[0].hint


@pytest.mark.parametrize("text", ["", "\n\n", "# csak megjegyzés\n", "---\n", "~\n", "null\n"])
def test_empty_file(text: str) -> None:
    doc, problems = parse(text)
    assert messages(problems) == ["a fájl üres"]
    assert doc is not None and doc.data is None


def test_several_documents_are_refused() -> None:
    doc, problems = parse("a: b\n---\nc: d\n")
    assert doc is None and problems[0].message.startswith("YAML-szintaktikai hiba")


# ---- Unicode normalisation --------------------------------------------------------------------------

def test_decomposed_text_loads_equal_to_composed() -> None:
    composed = "Erdős Anna: őrző"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    doc_c, _ = parse(f'owner: "{composed}"\nlist: ["{composed}"]\n')
    doc_d, _ = parse(f'owner: "{decomposed}"\nlist: ["{decomposed}"]\n')
    assert doc_d.data == doc_c.data
    assert doc_d.data["owner"] == composed


def test_decomposed_keys_are_composed() -> None:
    doc, problems = parse(unicodedata.normalize("NFD", "ő: x\n"))
    assert problems == [] and list(doc.data) == ["ő"]


# ---- libyaml and the pure-Python parser agree ---------------------------------------------------------
# A file is read with libyaml and kept only if it reads cleanly; otherwise the pure-Python parser reads it
# again and words every problem. These tests hold the two readings to the same data and locations.

ROOT = Path(__file__).resolve().parent.parent
CLEAN_FILES = sorted([*ROOT.glob("trees/*.yaml"), *ROOT.glob("tests/fixtures/good/*.yaml")])


def both(text: str) -> tuple[Any, Any]:
    """libyaml's reading (None when it leaves the file to the pure-Python parser) and the pure-Python one."""
    def plain(result):
        if result is None:
            return None
        doc, problems = result
        return (doc and (doc.data, doc.locs, doc.key_locs)), problems
    return plain(_clean(text, "f.yaml")), plain(_strict(text, "f.yaml"))


@pytest.mark.parametrize("path", CLEAN_FILES, ids=lambda p: p.name)
def test_libyaml_reads_every_clean_file_exactly_as_pure_python(path: Path) -> None:
    fast, strict = both(path.read_text(encoding="utf-8"))
    assert fast is not None, "a clean file must not need the slow parser"
    assert fast == strict


def test_libyaml_counts_columns_in_characters() -> None:
    text = 'cím: "Erdős Anna őrző 🔑"\nlista: [ő, "ű", 👩‍💻, x]\nárvíztűrő: tükörfúrógép\n'
    fast, strict = both(text)
    assert fast == strict
    doc, problems = parse(text)
    assert problems == []
    assert doc.locs[("lista", 3)] == Loc("f.yaml", 2, 22)   # after ő, ű and a four-code-point emoji
    assert doc.locs[("árvíztűrő",)] == Loc("f.yaml", 3, 12)


@pytest.mark.parametrize("text, line, col, says", [
    ("a: kattintson\tide\n", 1, 14, "found character '\\t' that cannot start any token"),  # libyaml takes the tab
    ("audience: [ügyintéz? ő]\n", 1, 20, "expected ',' or ']'"),                           # libyaml takes the ?
    ("description: >-# megjegyzés\n  szöveg\n", 1, 16, "expected chomping or indentation"),  # a comment to libyaml
])
def test_where_libyaml_is_lenient_the_pure_python_error_stands(text: str, line: int, col: int, says: str) -> None:
    assert yaml.compose(text, Loader=yaml.CSafeLoader) is not None  # libyaml alone would accept the file
    doc, problems = parse(text)
    assert doc is None
    assert [(p.loc.line, p.loc.col) for p in problems] == [(line, col)]
    assert says in problems[0].message


@pytest.mark.parametrize("text", ['codes: ["K0506": ]\n', "a: b\nc: x\ufeffy\nd: e\n", "a:\nb: c\n", "answers: [a, ! , b]\n",
                                  "a: !!str 0517\n"])
def test_where_libyaml_places_values_differently_the_pure_python_locations_stand(text: str) -> None:
    fast, strict = both(text)
    assert fast is None
    assert parse(text) == _strict(text, "f.yaml")


EDITS = [":", ": ", "- ", "#", " #", '"', "'", "[", "]", "{", "}", ",", "|", ">", "!", "&a ", "*a", "? ", "?", "%", "@",
         "`", "\n", " ", "  ", "---\n", "...\n", "\t", "ő", "\r\n", "\x85", "\u2028", "\ufeff", "0517", "no", "~", "!!str ",
         "! ", "[a?b]", "{a: b?}", "[x: y]", "a:b", ":,", "[,]", "😀", "\\", '"\\u0151"', "|#", ">-#", "| #", "|2\n"]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CLEAN_FILES), st.lists(st.tuples(st.floats(0, 1), st.integers(0, 6), st.sampled_from(EDITS)),
                                              min_size=1, max_size=3))
def test_libyaml_and_pure_python_agree_on_edited_files(path: Path, edits: list[tuple[float, int, str]]) -> None:
    text = path.read_text(encoding="utf-8")
    for where, cut, insert in edits:
        i = int(where * len(text))
        text = text[:i] + insert + text[i + cut:]
    fast, strict = both(text)
    assert fast is None or fast == strict


@pytest.mark.parametrize("text", ["a: " + "[" * 5000 + "]" * 5000 + "\n",
                                  "a: " + "{b: " * 3000 + "1" + "}" * 3000 + "\n",
                                  "".join("  " * i + f"k{i}:\n" for i in range(300)) + "  " * 300 + "v\n",
                                  "a: !x " + "[" * 5000 + "]" * 5000 + "\n"])
def test_deep_nesting_is_a_located_problem_not_a_crash(text: str) -> None:
    doc, problems = parse_yaml(text.encode("utf-8"), "fa.yaml")
    assert doc is None or problems
    assert problems and problems[0].loc.file == "fa.yaml"
    assert any("mély" in p.message for p in problems) or "!x" in text
