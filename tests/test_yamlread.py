"""The strict YAML reader: plain data, 1-based locations of every value, and every YAML trap refused or reported."""

from __future__ import annotations

import tracemalloc
import unicodedata

import pytest

from generator.model import Loc
from generator.yamlread import parse_yaml, read_yaml


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
