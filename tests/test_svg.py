"""Tests of generator.svg on SVGs rendered by the real `dot`."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import markdown
import pytest

from generator.draw import tree_to_dot
from generator.model import Answer, Loc, Node, Tree
from generator.render import render_svgs
from generator.svg import embeddable

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
L = Loc("test.yaml")
TITLE = "PIN-kód és <PUK>-kód"


def tree() -> Tree:
    """A small tree with a question, an outcome and a link to another tree."""
    nodes = (
        Node("kerdes", "question", "Működik?", L, answers=(Answer("Igen", "jo", L), Answer("Nem", "masik", L))),
        Node("jo", "outcome", "Kész.", L, outcome="solved"),
    )
    return Tree("pin", "PIN", "", "asp", "kerdes", nodes, L)


def link(target: str) -> str:
    """Page anchors, and another tree's page."""
    return f"#{target}" if target in ("kerdes", "jo") else f"../{target}/"


@pytest.fixture(scope="module")
def raw() -> str:
    """The drawn tree, plus a gradient and a target attribute no drawn chart has, rendered by dot."""
    dot = tree_to_dot(tree(), link)
    dot = dot.replace('style="rounded,filled"', 'style="rounded,filled" fillcolor="#dcfce7:#bbf7d0"')
    dot = dot.replace('URL="#kerdes"', 'URL="#kerdes" target="_blank"')
    return render_svgs([dot], cache_dir=None)[0]


def ids(element: ET.Element) -> list[str]:
    """Every id under `element`."""
    return [e.get("id", "") for e in element.iter() if e.get("id")]


def test_one_line_without_prologue_comments_or_graphviz_titles(raw: str) -> None:
    assert "<!--" in raw and "<?xml" in raw and "<!DOCTYPE" in raw and "&#45;&gt;" in raw  # dot's noise
    out = embeddable(raw, "fc-pin-", TITLE)
    assert "\n" not in out and "\r" not in out
    assert out.startswith("<svg ") and out.endswith("</svg>")
    assert "<?xml" not in out and "<!DOCTYPE" not in out and "<!--" not in out
    root = ET.fromstring(out)
    titles = list(root.iter(f"{SVG}title"))
    assert [t.text for t in titles] == [TITLE] and root[0] is titles[0]
    assert "->" not in out and "&gt;" not in out.replace("&lt;PUK&gt;", "")


def test_accessible_name_and_scaling(raw: str) -> None:
    original = ET.fromstring(raw.encode("utf-8"))
    root = ET.fromstring(embeddable(raw, "fc-pin-", TITLE))
    assert root.get("role") == "img" and root.get("aria-label") == TITLE
    assert root.get("viewBox") == original.get("viewBox")
    assert root.get("width") is None and root.get("height") is None
    assert root.get("style") == f"max-width:{original.get('width')}"


def test_ids_and_internal_references_are_prefixed(raw: str) -> None:
    out = embeddable(raw, "fc-pin-", TITLE)
    root = ET.fromstring(out)
    assert ids(root) and all(i.startswith("fc-pin-") for i in ids(root))
    assert "fc-pin-n-kerdes" in ids(root) and "fc-pin-legend" in ids(root)
    refs = re.findall(r"url\(#([^)]*)\)", out)
    assert refs and set(refs) <= set(ids(root))


def test_two_charts_on_one_page_have_unique_ids(raw: str) -> None:
    page = f"<div>{embeddable(raw, 'fc-a-', 'A')}{embeddable(raw, 'fc-b-', 'B')}</div>"
    found = ids(ET.fromstring(page))
    assert len(found) == len(set(found)) > 10


def test_links_keep_xlink_href_and_open_in_the_same_tab(raw: str) -> None:
    out = embeddable(raw, "fc-pin-", TITLE)
    anchors = list(ET.fromstring(out).iter(f"{SVG}a"))
    hrefs = sorted(a.get(f"{XLINK}href", "") for a in anchors)
    assert hrefs == ["#jo", "#kerdes", "../masik/"]  # page links, not prefixed
    assert all(a.get("href") is None and a.get("target") is None for a in anchors)
    assert 'xlink:href="#kerdes"' in out and "target=" not in out


def test_markdown_keeps_the_chart_as_is(raw: str) -> None:
    chart = embeddable(raw, "fc-pin-", TITLE)
    page = f"Bevezető.\n\n<div class=\"fc-chart\" data-search-exclude>{chart}</div>\n\n## Lépések\n"
    html = markdown.markdown(page)
    assert chart in html and "<p><svg" not in html


def test_bad_prefix_is_refused(raw: str) -> None:
    for prefix in ("", "1x", 'a"b', "a b"):
        with pytest.raises(ValueError):
            embeddable(raw, prefix, TITLE)
