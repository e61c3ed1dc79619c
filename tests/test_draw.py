"""Tests of generator.draw: drawn with the real Graphviz and read back from the SVG."""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.draw import (EDGE_LINE, EDGE_TEXT, EDGE_WRAP, LEGEND_LINE, NODE_WRAP, STYLES, clean, safe_url,
                            tree_to_dot, wrap)
from generator.model import Answer, Loc, Node, Tree
from generator.render import render_svgs
from generator.text import lines as typed_lines

ROOT = Path(__file__).resolve().parent.parent
CSS = ROOT / "site_overrides" / "assets" / "flowchart.css"
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
L = Loc("test.yaml")
WHITE, SLATE_BG = "#ffffff", "#1e2129"  # Material page backgrounds: default, slate hsl(225 15% 14%)


def link(target: str) -> str:
    """Hrefs as the page generator makes them: same-page anchors and ../tree/#node."""
    tree, hash_, node = target.partition("#")
    if hash_:
        return f"../{tree}/#{node}"
    return f"../{target}/" if target in ("halozat", "jelszo") else f"#{target}"


def sample() -> Tree:
    """A tree with every kind of node and both kinds of cross-tree target."""
    nodes = (
        Node("aktivalva", "question", "Zöld pipa látszik az eSzemélyi kliens 3. pontja mellett?", L,
             answers=(Answer("Igen", "pin-megadas", L), Answer("Nem", "kormanyhivatal", L),
                      Answer("Nem tudom", "portok", L))),
        Node("pin-megadas", "step", "Adja meg a saját, 6 jegyű PIN-kódját.", L, next="sikerult"),
        Node("sikerult", "question", "Sikerült?", L,
             answers=(Answer("Igen", "megoldva", L), Answer("Nem", "halozat#proxy", L),
                      Answer("Újra", "pin-puk#aktivalva", L))),
        Node("megoldva", "outcome", "A belépés sikerül.", L, outcome="solved"),
        Node("kormanyhivatal", "outcome", "Aktiváltassa a kártyát.", L, outcome="escalate"),
        Node("portok", "outcome", "A Hálózat fa folytatja.", L, outcome="continue", next="halozat"),
    )
    return Tree("pin-puk", "PIN-kód és PUK-kód", "", "asp", "aktivalva", nodes, L)


def render(dot: str) -> ET.Element:
    """The SVG of one DOT source, parsed."""
    return ET.fromstring(render_svgs([dot], cache_dir=None)[0].encode("utf-8"))


def groups(svg: ET.Element) -> dict[str, ET.Element]:
    """Every <g> with an id, by id."""
    return {g.get("id", ""): g for g in svg.iter(f"{SVG}g") if g.get("id")}


def lines(g: ET.Element) -> list[str]:
    """The text lines drawn inside a group, in order."""
    return [t.text or "" for t in g.iter(f"{SVG}text")]


def luminance(colour: str) -> float:
    """WCAG relative luminance of #rrggbb."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def squash(text: str) -> str:
    """Text without any whitespace: what line breaks cannot change."""
    return "".join(text.split())


# --- shapes, classes, colours, edges, links, legend ---------------------------------------------

KINDS = {  # node id -> (style key, classes, SVG element drawing the shape, its point count or None)
    "aktivalva": ("question", "node fc-node fc-question", "polygon", 7),
    "pin-megadas": ("step", "node fc-node fc-step", "polygon", 5),
    "megoldva": ("solved", "node fc-node fc-outcome fc-solved", "path", None),
    "kormanyhivatal": ("escalate", "node fc-node fc-outcome fc-escalate", "polygon", 9),
    "portok": ("continue", "node fc-node fc-outcome fc-continue", "polyline", None),
}


def test_shape_class_and_colours_by_kind() -> None:
    dot = tree_to_dot(sample(), link)
    svg = groups(render(dot))
    for node_id, (kind, classes, element, points) in KINDS.items():
        g = svg[f"n-{node_id}"]
        style = STYLES[kind]
        assert g.get("class") == classes
        assert re.search(rf'"n-{node_id}" \[.*shape={style.shape} ', dot)
        shape = g.find(f".//{SVG}{element}")
        assert shape is not None, (node_id, element)
        if points is not None:
            assert len(shape.get("points", "").split()) == points
        body = g.find(f".//{SVG}{'polygon' if element == 'polyline' else element}")
        assert body is not None and body.get("fill") == style.fill and body.get("stroke") == style.line
        assert {t.get("fill") for t in g.iter(f"{SVG}text")} == {style.text}
        assert {t.get("font-family") for t in g.iter(f"{SVG}text")} == {"Arial"}
        assert all(float(t.get("font-size", "0")) >= 12 for t in g.iter(f"{SVG}text"))
    assert len({(style.shape, style.style) for style in STYLES.values()}) == len(STYLES)


def test_fonts_direction_and_no_target() -> None:
    dot = tree_to_dot(sample(), link)
    assert "rankdir=TB" in dot
    for kind in ("graph", "node", "edge"):
        assert re.search(rf"^\t{kind} \[.*fontname=Arial", dot, re.M)
    assert "target" not in dot.lower()


def test_edges_carry_the_answers() -> None:
    tree = sample()
    svg = render(tree_to_dot(tree, link))
    edges = [g for g in svg.iter(f"{SVG}g") if "edge" in (g.get("class") or "").split()]
    assert all(g.get("class") == "edge fc-edge" and re.fullmatch(r"e-\d+", g.get("id", "")) for g in edges)
    labels = sorted(" ".join(lines(g)) for g in edges)
    answers = sorted(a.label for n in tree.nodes for a in n.answers)
    assert labels == sorted(answers + ["", ""])  # plus the unlabelled step and continue edges


def test_every_node_links_through_link_and_other_trees_are_drawn() -> None:
    tree = sample()
    svg = groups(render(tree_to_dot(tree, link, {"halozat": "Hálózati hibák"})))
    for node in tree.nodes:
        anchor = svg[f"n-{node.id}"].find(f".//{SVG}a")
        assert anchor is not None and anchor.get(f"{XLINK}href") == link(node.id)
        assert anchor.get("target") is None
        assert anchor.get(f"{XLINK}title", "").endswith(node.text)
    for target, name in (("halozat#proxy", "x-halozat_23_proxy"), ("halozat", "x-halozat")):
        g = svg[name]
        assert g.get("class") == "node fc-node fc-tree"
        assert lines(g) == ["Hálózati hibák"]
        anchor = g.find(f".//{SVG}a")
        assert anchor is not None and anchor.get(f"{XLINK}href") == link(target)
    assert "x-pin-puk_23_aktivalva" not in svg  # `own-tree#node` is a node of this tree
    untitled = groups(render(tree_to_dot(tree, link)))
    assert lines(untitled["x-halozat"]) == ["halozat"]


def test_legend_explains_the_kinds_in_hungarian() -> None:
    svg = groups(render(tree_to_dot(sample(), link)))
    assert svg["legend"].get("class") == "cluster fc-legend"
    assert lines(svg["legend"]) == ["Jelmagyarázat"]
    names = {k: " ".join(lines(svg[f"legend-{k}"])) for k in ("question", "step", "solved", "escalate", "tree")}
    assert names == {"question": "Kérdés", "step": "Teendő", "solved": "Megoldva",
                     "escalate": "Továbbküldés (eszkaláció)", "tree": "Másik fa"}
    assert svg["legend-tree"].get("class") == "node fc-legend-item fc-tree"


def test_output_is_deterministic_across_processes() -> None:
    code = ("import pickle, sys; from generator.draw import tree_to_dot; tree, titles = pickle.load(sys.stdin.buffer); "
            "sys.stdout.write(tree_to_dot(tree, lambda t: '#' + t, titles))")
    data = pickle.dumps((sample(), {"halozat": "H", "jelszo": "J"}))
    outputs = {subprocess.run([sys.executable, "-c", code], cwd=ROOT, input=data, capture_output=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert outputs == {tree_to_dot(sample(), lambda t: "#" + t, {"halozat": "H", "jelszo": "J"}).encode()}


# --- hostile and odd text ------------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    '"]; x [label="',
    r"\N \G \l \n \r \E \T \H \L",
    "a & b &amp; &eacute; &#65; &lt;",
    "{ } | < > [ ] ;",
    "Kész 😀 👍🏽 ✔",
    unicodedata.normalize("NFD", "Árvíztűrő tükörfúrógép ŐŰ"),
    "c:\\temp\\",
    "  sok   szóköz\tés\nsortörés  ",
    "x" * 300,
    "Első sor\nmásodik sor \\n marad\r\n\r\nharmadik \\N\u2028negyedik",
]


def hostile_tree(texts: list[str]) -> Tree:
    """A chain of questions whose texts and first answers are `texts`; the second answers end."""
    nodes = [Node(f"q{i}", "question", text, L, answers=(Answer(text, f"q{i + 1}", L), Answer("Vége", "end", L)))
             for i, text in enumerate(texts)]
    nodes.append(Node(f"q{len(texts)}", "outcome", "Kész.", L, outcome="solved"))
    nodes.append(Node("end", "outcome", "Vége.", L, outcome="escalate"))
    return Tree("hostile", "Hostile", "", "asp", "q0", tuple(nodes), L)


def check_text_comes_out_literally(texts: list[str], svg: ET.Element) -> None:
    """Each node and answer shows its text wrapped as `wrap` says, and nothing else; each typed line starts
    a drawn line (the drawn lines are those of every typed line wrapped alone)."""
    found = groups(svg)
    for i, text in enumerate(texts):
        drawn = lines(found[f"n-q{i}"])
        assert drawn == wrap(text, NODE_WRAP)
        assert drawn == [part for line in typed_lines(unicodedata.normalize("NFC", text))
                         for part in wrap(line, NODE_WRAP)]
        assert squash("".join(drawn)) == squash(clean(text))
        assert squash(clean(text)) == squash(unicodedata.normalize("NFC", text))
        edge = next(g for g in found.values() if (g.get("class") or "").startswith("edge")
                    and lines(g) == wrap(text, EDGE_WRAP))
        assert squash("".join(lines(edge))) == squash(clean(text))
        anchor = found[f"n-q{i}"].find(f".//{SVG}a")
        assert anchor is not None and anchor.get(f"{XLINK}title") == clean(f"Kérdés: {text}")


def test_hostile_text_renders_literally() -> None:
    svg = render(tree_to_dot(hostile_tree(HOSTILE), link))
    check_text_comes_out_literally(HOSTILE, svg)
    found = groups(svg)
    assert "Árvíztűrő tükörfúrógép" in " ".join(lines(found["n-q6"]))  # precomposed letters
    assert all(len(line) <= NODE_WRAP for line in lines(found["n-q9"]))
    # typed line breaks break the label; typed backslashes stay literal (`\n`, `\N` are two characters)
    assert lines(found["n-q10"]) == ["Első sor", "második sor \\n marad", "harmadik \\N", "negyedik"]
    assert lines(found["n-q8"]) == ["sok szóköz és", "sortörés"]
    assert [t for t in svg.iter() if t.tag.endswith("script")] == []


def test_typed_line_breaks_break_the_label_and_wrapping_goes_on_within_each_line() -> None:
    assert wrap("első\nmásodik") == ["első", "második"]
    assert wrap("a\r\nb\rc\u2028d\u2029e\x85f") == list("abcdef")
    assert wrap("\n\nelső\n\n\nmásodik\n") == ["első", "második"]  # blank lines leave no empty line
    long = "Adja meg a saját, 6 jegyű PIN-kódját"
    assert wrap(f"{long}\n{long}") == wrap(long) * 2 == ["Adja meg a saját, 6", "jegyű PIN-kódját"] * 2
    dot = tree_to_dot(hostile_tree(["első\nmásodik \\n harmadik"]), link)
    assert 'label="első\\nmásodik \\\\n harmadik"' in dot  # our `\n` breaks; the typed one is escaped
    assert "tooltip=\"Kérdés: első második \\\\\\\\n harmadik\"" in dot  # a tooltip is one line


def test_wrap_lines_are_short_and_break_on_spaces() -> None:
    text = "Adja meg a saját, 6 jegyű PIN-kódját, majd nyomja meg az OK gombot a kártyaolvasón."
    got = wrap(text)
    assert " ".join(got) == text
    assert all(len(line) <= NODE_WRAP for line in got) and len(got) > 2
    assert wrap("a" * 60, 24) == ["a" * 24, "a" * 24, "a" * 12]
    assert wrap("") == [] and wrap(" \t\n ") == []
    assert clean("a\x00b\udc00c\uffff") == "a\ufffdb\ufffdc\ufffd"


@given(st.text())
def test_wrap_keeps_every_character(text: str) -> None:
    got = wrap(text, 10)
    assert all(0 < len(line) <= 10 and line == line.strip() for line in got)
    assert squash("".join(got)) == squash(clean(text))
    if all(len(word) <= 10 for word in clean(text).split()):
        assert " ".join(got) == clean(text)
    assert got == [part for line in typed_lines(unicodedata.normalize("NFC", text)) for part in wrap(line, 10)]


# Any text but control characters and surrogates, with typed line breaks among it.
LABELS = st.lists(st.one_of(st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=30),
                            st.sampled_from(["\n", "\r\n", "\n\n", "\u2028"])), min_size=1, max_size=4).map("".join)


@settings(max_examples=50, deadline=None)
@given(st.lists(LABELS, min_size=1, max_size=8))
def test_any_unicode_label_renders_literally(texts: list[str]) -> None:
    """Arbitrary text (no control characters or surrogates, but line breaks) comes out of Graphviz unchanged,
    once NFC-normalised, stripped, whitespace runs collapsed, and broken into lines at its own line breaks and
    then at spaces."""
    check_text_comes_out_literally(texts, render(tree_to_dot(hostile_tree(texts), link)))


# --- URLs ----------------------------------------------------------------------------------------

def test_urls_cannot_break_out() -> None:
    assert safe_url("../pin-puk/#aktivalva") == "../pin-puk/#aktivalva"
    assert safe_url("https://x.org/a?b=c;d#e") == "https://x.org/a?b=c;d#e"
    assert safe_url('#a" onclick="x') == "#a%22%20onclick=%22x"
    assert safe_url("#\\N<>&'é%2F%zz\udc00") == "#%5CN%3C%3E%26%27%C3%A9%2F%25zz%3F"
    hostile = {"aktivalva": 'javascript:alert(1)" x="<b>', "megoldva": "#\\N\\G"}
    svg = groups(render(tree_to_dot(sample(), lambda t: hostile.get(t, link(t)))))
    for node_id, href in hostile.items():
        anchor = svg[f"n-{node_id}"].find(f".//{SVG}a")
        assert anchor is not None and anchor.get(f"{XLINK}href") == safe_url(href)
        assert not set('"<> \\') & set(safe_url(href))


# --- colours -------------------------------------------------------------------------------------

def test_light_colours_have_enough_contrast() -> None:
    for kind, style in STYLES.items():
        assert contrast(style.fill, style.text) >= 4.5, kind
    assert contrast(EDGE_TEXT, WHITE) >= 4.5
    assert contrast(EDGE_LINE, WHITE) >= 3  # graphical objects: WCAG 1.4.11


def css_blocks() -> dict[str, dict[str, str]]:
    """The custom properties of flowchart.css: light (`.fc-chart`) and dark (slate) blocks."""
    css = re.sub(r"/\*.*?\*/", "", CSS.read_text(encoding="utf-8"), flags=re.S)
    blocks = {}
    for name, selector in (("light", r"\n\.fc-chart"), ("dark", r'\[data-md-color-scheme="slate"\] \.fc-chart')):
        body = re.search(selector + r"\s*\{([^}]*)\}", css)
        assert body is not None, name
        blocks[name] = dict(re.findall(r"--fc-([a-z-]+):\s*(#[0-9a-f]{6})", body.group(1)))
    return blocks


def test_css_light_colours_equal_the_drawn_ones() -> None:
    light = css_blocks()["light"]
    for kind, style in STYLES.items():
        assert (light[f"{kind}-fill"], light[f"{kind}-line"], light[f"{kind}-text"]) == \
            (style.fill, style.line, style.text), kind
    assert (light["edge-line"], light["edge-text"], light["legend-line"]) == (EDGE_LINE, EDGE_TEXT, LEGEND_LINE)


def test_css_dark_colours_have_enough_contrast() -> None:
    dark = css_blocks()["dark"]
    assert set(dark) == set(css_blocks()["light"])
    for kind in STYLES:
        assert contrast(dark[f"{kind}-fill"], dark[f"{kind}-text"]) >= 4.5, kind
        assert contrast(dark[f"{kind}-line"], SLATE_BG) >= 3, kind
    assert contrast(dark["edge-text"], SLATE_BG) >= 4.5
    assert contrast(dark["edge-line"], SLATE_BG) >= 3


def test_css_dark_scheme_is_screen_only_and_print_keeps_fills() -> None:
    css = CSS.read_text(encoding="utf-8")
    screen = css.index("@media screen")
    assert screen < css.index('[data-md-color-scheme="slate"]') < css.index("@media print")
    printing = css[css.index("@media print"):]
    assert "print-color-adjust: exact" in printing


@pytest.mark.parametrize("kind", ["fc-question", "fc-step", "fc-solved", "fc-escalate", "fc-continue", "fc-tree"])
def test_css_styles_every_kind_class(kind: str) -> None:
    assert re.search(rf"\.fc-chart \.{kind}\s*\{{", CSS.read_text(encoding="utf-8"))
