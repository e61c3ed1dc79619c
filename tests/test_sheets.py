"""Tests of generator.sheets: trees split into A4 sheets, drawn with the real Graphviz and read back."""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from generator import render
from generator.load import load_corpus
from generator.model import Answer, Corpus, Loc, Node, Project, Tree
from generator.sheets import (MARGIN_MM, MAX_SHEETS, MIN_PRINT_PT, connector_name, fit, legend_svg, min_font,
                              plan_sheets, print_warnings, sheets_html, svg_size, text_width)

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"
L = Loc("nagy.yaml", 2, 1)
LONG = "Ellenőrizze a beállítást a kliens programban, és jegyezze fel a hibaüzenet pontos szövegét"


def big_tree(depth: int = 5) -> Tree:
    """A full binary decision tree of questions (2**depth - 1), each leaf question ending in two
    outcomes: 63 nodes for depth 5, far too large for one A4 page."""
    nodes: list[Node] = []
    for index in range(1, 2 ** depth):
        if index < 2 ** (depth - 1):
            answers = (Answer(f"Igen, a(z) {index}. eset", f"k{2 * index}", L),
                       Answer(f"Nem, a(z) {index}. eset", f"k{2 * index + 1}", L))
        else:
            answers = (Answer("Igen", f"jo{index}", L), Answer("Nem", f"rossz{index}", L))
            nodes.append(Node(f"jo{index}", "outcome", f"Megoldva ({index})", L, outcome="solved"))
            nodes.append(Node(f"rossz{index}", "outcome", f"Forduljon az ügyfélszolgálathoz ({index})", L,
                              outcome="escalate"))
        nodes.append(Node(f"k{index}", "question", f"{index}. kérdés: {LONG}?", L, answers=answers))
    return Tree("nagy", "Nagy fa", "", "asp", "k1", tuple(nodes), L)


def fan_tree(answers: int = 24) -> Tree:
    """One question with many answers, each to an outcome: too wide for a page, and no subtree to cut."""
    nodes = [Node("q", "question", "Milyen hibakódot lát a képernyőn?", L,
                  answers=tuple(Answer(f"K05{i:02d} hibakód, zárójelben szám", f"o{i}", L) for i in range(answers)))]
    nodes += [Node(f"o{i}", "outcome", f"A(z) K05{i:02d} hibát a másik fa tárgyalja részletesen.", L,
                   outcome="solved") for i in range(answers)]
    return Tree("legyezo", "Legyező", "", "asp", "q", tuple(nodes), L)


def corpus_of(*trees: Tree) -> Corpus:
    return Corpus(Project((), (), L), tuple(trees), ())


def texts(svg: str) -> list[str]:
    """The text lines of a rendered sheet."""
    root = ET.fromstring(svg.encode("utf-8"))
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def connector_labels(svg: str) -> list[tuple[str, str]]:
    """(kind, label) of each off-page connector of a sheet: kind "fc-connector-in" or "-out"."""
    root = ET.fromstring(svg.encode("utf-8"))
    found = []
    for g in root.iter(f"{SVG}g"):
        cls = g.get("class", "")
        if "fc-connector" in cls:
            label = " ".join(t.text or "" for t in g.iter(f"{SVG}text"))
            found.append(("in" if "fc-connector-in" in cls else "out", label))
    return found


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory):
    tree = big_tree()
    corpus = corpus_of(tree)
    return tree, plan_sheets(corpus, [tree], tmp_path_factory.mktemp("svg"))["nagy"]


def test_fit_turns_wide_drawings_and_never_enlarges() -> None:
    assert fit(400, 300) .landscape is False and fit(400, 300).scale == 1.0
    wide = fit(1200, 500)
    assert wide.landscape is True and wide.scale == pytest.approx(min(785.2 / 1200, 447.4 / 500), rel=0.01)
    tall = fit(500, 1200)
    assert tall.landscape is False and tall.scale < 1


def test_connector_names() -> None:
    assert [connector_name(i) for i in (0, 1, 25, 26, 27, 701, 702)] == ["A", "B", "Z", "AA", "AB", "ZZ", "AAA"]


def test_a_small_tree_is_one_sheet_with_every_node(tmp_path: Path) -> None:
    corpus, _ = load_corpus(str(ROOT / "tests" / "fixtures" / "good"))
    sheets = plan_sheets(corpus, corpus.trees, tmp_path)
    for tree in corpus.trees:
        (only,) = sheets[tree.id]
        assert only.number == only.count == 1
        assert set(only.nodes) == {n.id for n in tree.nodes}
        assert connector_labels(only.svg) == []
        assert only.min_pt >= MIN_PRINT_PT


def test_a_large_tree_is_split_into_sheets_printing_at_least_8pt(big) -> None:
    tree, sheets = big
    assert len(sheets) > MAX_SHEETS  # 63 nodes do not go on a few pages
    assert [s.number for s in sheets] == list(range(1, len(sheets) + 1))
    assert all(s.count == len(sheets) for s in sheets)
    for sheet in sheets:
        width, height = svg_size(sheet.svg)
        assert (width, height) == (sheet.width, sheet.height)
        assert sheet.min_pt == pytest.approx(sheet.fit.scale * min_font(sheet.svg), abs=0.01)
        assert sheet.min_pt >= MIN_PRINT_PT, sheet.number


def test_every_node_is_on_exactly_one_sheet_and_the_start_on_the_first(big) -> None:
    tree, sheets = big
    placed = [n for s in sheets for n in s.nodes]
    assert sorted(placed) == sorted(n.id for n in tree.nodes)
    assert tree.start in sheets[0].nodes
    # Every question's text is drawn on the sheet that holds it.
    for sheet in sheets:
        drawn = " ".join(texts(sheet.svg))
        for node_id in sheet.nodes:
            if node_id.startswith("k"):
                assert f"{node_id[1:]}. kérdés:" in drawn


def test_off_page_connectors_match_on_both_sides(big) -> None:
    tree, sheets = big
    outgoing: dict[str, set[int]] = {}  # letter -> sheets that continue there
    incoming: dict[str, tuple[int, str]] = {}  # letter -> (sheet, its label)
    for sheet in sheets:
        for kind, label in connector_labels(sheet.svg):
            if kind == "out":
                m = re.fullmatch(r"folytatás: (\d+)\. lap, ([A-Z]+)", label)
                assert m, label
                assert int(m.group(1)) != sheet.number
                outgoing.setdefault(m.group(2), set()).add(sheet.number)
                target = sheets[int(m.group(1)) - 1]
                assert (("in", f"innen: {sheet.number}. lap, {m.group(2)}") in connector_labels(target.svg)
                        or any(k == "in" and label.endswith(f" lap, {m.group(2)}") and f"{sheet.number}." in label
                               for k, label in connector_labels(target.svg)))
            else:
                m = re.fullmatch(r"innen: ([\d., ]+) lap, ([A-Z]+)", label)
                assert m, label
                assert m.group(2) not in incoming, "a letter names one entry point"
                incoming[m.group(2)] = (sheet.number, m.group(1))
    assert outgoing and set(outgoing) == set(incoming)
    for letter, sources in outgoing.items():
        listed = {int(n) for n in re.findall(r"\d+", incoming[letter][1])}
        assert listed == sources
    assert sorted(incoming) == [connector_name(i) for i in range(len(incoming))]


def test_a_wide_fan_of_answers_continues_on_another_sheet(tmp_path: Path) -> None:
    tree = fan_tree()
    sheets = plan_sheets(corpus_of(tree), [tree], tmp_path)["legyezo"]
    assert len(sheets) >= 2
    assert all(s.min_pt >= MIN_PRINT_PT for s in sheets)
    drawn = [" ".join(texts(s.svg)) for s in sheets]
    assert "további válaszok" in drawn[0]
    assert any("Milyen hibakódot lát a képernyőn? (további válaszok)" in d for d in drawn[1:])
    labels = " ".join(drawn)
    for i in range(24):  # every answer still drawn once
        assert labels.count(f"K05{i:02d} hibakód,") == 1


def test_typed_line_breaks_break_the_lines_of_a_sheet(tmp_path: Path) -> None:
    """A question, an answer and an outcome typed on several lines keep their lines on the printed sheet;
    typed backslashes stay literal."""
    nodes = (Node("q", "question", "Első sor\nmásodik sor \\n marad", L,
                  answers=(Answer("Igen,\nkét sorban", "jo", L), Answer("Nem", "rossz", L))),
             Node("jo", "outcome", "Kész.\r\nVége.", L, outcome="solved"),
             Node("rossz", "outcome", "Hívja az ügyfélszolgálatot.", L, outcome="escalate"))
    tree = Tree("sorok", "Sorok", "", "asp", "q", nodes, L)
    (sheet,) = plan_sheets(corpus_of(tree), [tree], tmp_path)["sorok"]
    drawn = texts(sheet.svg)
    for block in (["Első sor", "második sor \\n marad"], ["Igen,", "két sorban"], ["Kész.", "Vége."]):
        start = drawn.index(block[0])
        assert drawn[start:start + len(block)] == block, drawn


def test_plans_are_deterministic(tmp_path: Path) -> None:
    tree = big_tree(4)
    first = plan_sheets(corpus_of(tree), [tree], tmp_path / "a")["nagy"]
    second = plan_sheets(corpus_of(tree), [tree], None)["nagy"]
    assert [s.dot for s in first] == [s.dot for s in second]
    assert [s.svg for s in first] == [s.svg for s in second]


def test_check_warns_about_a_tree_too_large_to_print_well(tmp_path: Path) -> None:
    tree = big_tree()
    found = print_warnings(corpus_of(tree), tmp_path)
    assert [p.severity for p in found] == ["warning"]
    assert found[0].loc == tree.loc and "nagy" in found[0].message and "A4" in found[0].message
    small = fan_tree(2)
    assert print_warnings(corpus_of(small), tmp_path) == []


def test_sheets_html_holds_each_sheet_at_its_printed_size(big) -> None:
    tree, sheets = big
    markup = sheets_html(tree.title, sheets)
    assert "\n" not in markup and markup.startswith('<div class="fa-print-sheets">')
    figures = re.findall(r'<figure class="fa-sheet fa-sheet--(allo|fekvo)" data-sheet="(\d+)" data-search-exclude ', markup)
    assert [int(n) for _, n in figures] == [s.number for s in sheets]
    assert [side == "fekvo" for side, _ in figures] == [s.fit.landscape for s in sheets]
    widths = [float(w) for w in re.findall(r'fa-sheet-chart" style="width:([0-9.]+)pt', markup)]
    assert widths == pytest.approx([s.width * s.fit.scale for s in sheets], abs=0.01)
    for sheet in sheets:
        assert f"Folyamatábra, {sheet.number}. lap / {len(sheets)}" in markup


def test_legend_and_text_width() -> None:
    root = ET.fromstring(legend_svg().encode("utf-8"))
    names = [t.text for t in root.iter(f"{SVG}text")]
    assert names == ["Kérdés", "Teendő", "Megoldva", "Továbbküldés (eszkaláció)", "Másik fa"]
    assert all(float(t.get("font-size")) >= MIN_PRINT_PT for t in root.iter(f"{SVG}text"))
    assert text_width("W", 10) > text_width("i", 10)
    assert text_width("ő", 10) == text_width("o", 10)
    assert text_width("abc", 10, bold=True) > text_width("abc", 10)


def test_margins_equal_print_css() -> None:
    css = (ROOT / "site_overrides" / "assets" / "print.css").read_text("utf-8")
    m = re.search(r"@page\s*\{\s*size:\s*A4;\s*margin:\s*([\d.]+)mm ([\d.]+)mm ([\d.]+)mm ([\d.]+)mm;", css)
    assert m is not None
    assert tuple(float(v) for v in m.groups()) == MARGIN_MM


def orphans(svg: str, start: str) -> list[str]:
    """Nodes drawn on a sheet that no edge of the sheet leads to (other than the tree's start)."""
    root = ET.fromstring(svg.encode("utf-8"))
    heads = set()
    nodes = []
    for g in root.iter(f"{SVG}g"):
        title = g.find(f"{SVG}title")
        if "fc-edge" in g.get("class", "") and title is not None:
            heads.add(title.text.split("->")[1])
        elif "node" in g.get("class", "").split() and title is not None:
            nodes.append(title.text)
    return [n for n in nodes if n not in heads and n != f"n-{start}" and not n.startswith("innen-")]


@pytest.mark.parametrize("source", ["big", "fan", "real"])
def test_nothing_is_left_on_a_sheet_without_a_way_to_it(source: str, tmp_path: Path) -> None:
    if source == "real":
        corpus, _ = load_corpus(str(ROOT / "trees"))
        trees = list(corpus.trees)
    else:
        trees = [big_tree() if source == "big" else fan_tree()]
        corpus = corpus_of(*trees)
    planned = plan_sheets(corpus, trees, tmp_path)
    for tree in trees:
        for sheet in planned[tree.id]:
            assert orphans(sheet.svg, tree.start) == [], (tree.id, sheet.number)


def edited(tree: Tree, text: str) -> Tree:
    """`tree` with its start node's text changed."""
    nodes = tuple(dataclasses.replace(n, text=text) if n.id == tree.start else n for n in tree.nodes)
    return dataclasses.replace(tree, nodes=nodes)


def test_a_kept_plan_gives_the_same_sheets_and_starts_no_process(tmp_path: Path) -> None:
    trees = [big_tree(4), fan_tree()]
    corpus = corpus_of(*trees)
    cache = tmp_path / "svg"
    fresh = plan_sheets(corpus, trees, cache)
    assert len(list((cache / "plans").glob("*.json"))) == 2
    before = (render.stats.processes_started, render.stats.version_probes)
    kept = plan_sheets(corpus, trees, cache)
    assert (render.stats.processes_started, render.stats.version_probes) == before
    assert kept == fresh  # every field of every sheet: nodes, DOT, SVG, size, placing, text size
    assert plan_sheets(corpus, trees, None) == fresh  # and a plan made without any cache is the same


def test_an_edit_plans_the_edited_tree_only(tmp_path: Path) -> None:
    first, second = big_tree(4), fan_tree(8)
    cache = tmp_path / "svg"
    plan_sheets(corpus_of(first, second), [first, second], cache)
    plans = {p.name: p.stat().st_mtime_ns for p in (cache / "plans").iterdir()}
    changed = edited(second, "Milyen hibaüzenetet lát a képernyőn most?")
    before = render.stats.graphs_rendered
    planned = plan_sheets(corpus_of(first, changed), [first, changed], cache)
    rendered = render.stats.graphs_rendered - before
    after = {p.name: p.stat().st_mtime_ns for p in (cache / "plans").iterdir()}
    assert len(after) == len(plans) + 1 and all(after[name] == stamp for name, stamp in plans.items())
    # Only the edited tree is drawn: as many graphs as planning it alone takes.
    before = render.stats.graphs_rendered
    alone = plan_sheets(corpus_of(changed), [changed], None)["legyezo"]
    assert rendered == render.stats.graphs_rendered - before > 0
    assert planned["legyezo"] == alone
    assert "Milyen hibaüzenetet lát a képernyőn most?" in " ".join(texts(planned["legyezo"][0].svg))


def test_a_plan_is_made_again_when_a_linked_trees_title_changes(tmp_path: Path) -> None:
    corpus, _ = load_corpus(str(ROOT / "tests" / "fixtures" / "good"))
    linking = corpus.tree("belepes")
    assert linking is not None
    cache = tmp_path / "svg"
    titles = {t.id: t.title for t in corpus.trees}
    plan_sheets(corpus, [linking], cache, titles)
    renamed = plan_sheets(corpus, [linking], cache, {**titles, "pin": "PIN-kód újra"})["belepes"]
    assert len(list((cache / "plans").glob("*.json"))) == 2
    assert any("PIN-kód újra" in " ".join(texts(s.svg)) for s in renamed)
