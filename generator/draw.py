"""Draw a tree as Graphviz DOT source: shape and colour by kind, answers on edges, a legend."""

from __future__ import annotations

import re
import textwrap
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import graphviz

from .model import Node, Tree
from .text import lines

__all__ = [
    "Style",
    "STYLES",
    "EDGE_LINE",
    "EDGE_TEXT",
    "LEGEND_LINE",
    "FONT",
    "NODE_WRAP",
    "EDGE_WRAP",
    "clean",
    "wrap",
    "safe_url",
    "node_style",
    "tree_to_dot",
]

FONT = "Arial"  # Liberation Sans, metric-compatible with Arial, stands in for it on the build machine
NODE_WRAP = 24  # characters per line of a node label
EDGE_WRAP = 20  # characters per line of an answer label on an edge
EDGE_LINE = "#475569"
EDGE_TEXT = "#334155"
LEGEND_LINE = "#94a3b8"


@dataclass(frozen=True)
class Style:
    """How one kind of node is drawn; `name` is its Hungarian legend entry, `css` its class."""

    name: str
    css: str
    shape: str
    style: str
    fill: str
    line: str
    text: str


# Keys: node kinds, outcome kinds, and "tree" for the node standing for another tree.
# The light colours here equal those of site_overrides/assets/flowchart.css (tested).
STYLES: Mapping[str, Style] = {
    "question": Style("Kérdés", "fc-question", "hexagon", "filled", "#dbeafe", "#1d4ed8", "#1e3a8a"),
    "step": Style("Teendő", "fc-step", "box", "filled", "#f1f5f9", "#475569", "#0f172a"),
    "solved": Style("Megoldva", "fc-solved", "box", "rounded,filled", "#dcfce7", "#15803d", "#14532d"),
    "escalate": Style("Továbbküldés (eszkaláció)", "fc-escalate", "octagon", "filled", "#ffedd5", "#c2410c",
                      "#7c2d12"),
    "continue": Style("Folytatás másik fában", "fc-continue", "tab", "filled", "#ede9fe", "#6d28d9", "#4c1d95"),
    "tree": Style("Másik fa", "fc-tree", "folder", "filled", "#ede9fe", "#6d28d9", "#4c1d95"),
}
_LEGEND = ("question", "step", "solved", "escalate", "tree")

_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NOT_ID = re.compile(r"[^a-z0-9-]")
_URL_SAFE = re.compile(r"%[0-9A-Fa-f]{2}|[A-Za-z0-9\-._~:/?#\[\]@!$()*+,;=]")


def clean(text: str) -> str:
    """Text as drawn on one line (a tooltip): NFC-normalised, whitespace runs and line breaks collapsed
    to one space, stripped, and characters XML cannot carry (C0 controls, surrogates, U+FFFE/U+FFFF)
    replaced by U+FFFD."""
    return _INVALID.sub("\ufffd", " ".join(unicodedata.normalize("NFC", text).split()))


def wrap(text: str, width: int = NODE_WRAP) -> list[str]:
    """The lines of a label: each typed line (`text.lines`, blank ones left out) `clean`ed and broken at
    spaces, words longer than `width` hard-broken; so a typed line break always starts a new line.

    Lines are stripped: textwrap leaves a trailing space before a hard-broken word.
    """
    return [part.strip(" ") for line in lines(unicodedata.normalize("NFC", text)) if line
            for part in textwrap.wrap(clean(line), width=width, break_on_hyphens=False, break_long_words=True)]


def _label(text: str, width: int) -> str:
    r"""A DOT escString showing `text` literally, wrapped (`wrap`): backslashes doubled (no \N, \G, \l),
    `&` written as `&amp;` (Graphviz decodes entities in labels), lines joined by our own `\n`, so a typed
    line break breaks the label and a typed backslash-n stays two characters."""
    drawn = (graphviz.escape(line.replace("&", "&amp;")) for line in wrap(text, width))
    return graphviz.nohtml("\\n".join(drawn))


def _tooltip(text: str) -> str:
    """A DOT tooltip showing `text` literally: Graphviz expands escapes in tooltips twice, so
    backslashes are quadrupled; entities are decoded, so `&` is written as `&amp;`."""
    return graphviz.escape(graphviz.escape(clean(text).replace("&", "&amp;")))


def safe_url(href: str) -> str:
    """`href` with every character outside a URL whitelist percent-encoded (UTF-8); `&`, quotes,
    backslashes, `<`, `>` and spaces included, since Graphviz neither escapes nor validates URLs."""
    out: list[str] = []
    pos = 0
    for m in _URL_SAFE.finditer(href):
        out.append(_percent(href[pos:m.start()]))
        out.append(m.group())
        pos = m.end()
    out.append(_percent(href[pos:]))
    return "".join(out)


def _percent(chars: str) -> str:
    """Percent-encode every byte of `chars` in UTF-8 (a lone surrogate, which UTF-8 cannot carry, as `%3F`)."""
    return "".join(f"%{b:02X}" for b in chars.encode("utf-8", "replace"))


def _dot_id(prefix: str, name: str) -> str:
    """A stable SVG id for a node: `prefix` plus `name`, any non-slug character written `_hex_`."""
    return prefix + _NOT_ID.sub(lambda m: f"_{ord(m.group()):x}_", name)


def node_style(node: Node) -> Style:
    """The style of a node by its kind, and for outcomes by its outcome kind."""
    if node.kind == "outcome":
        return STYLES[node.outcome or "solved"]
    return STYLES[node.kind]


def _local(tree: Tree, target: str) -> str | None:
    """The id of the node of `tree` that `target` names, or None when it leads to another tree."""
    tree_id, hash_, node_id = target.partition("#")
    if hash_:
        return node_id if tree_id == tree.id and tree.node(node_id) is not None else None
    if tree.node(target) is not None:
        return target
    return tree.start if target == tree.id else None


def _outgoing(node: Node) -> list[tuple[str, str | None]]:
    """The targets a node leads to, each with its answer label (None for a step's or outcome's `next`)."""
    if node.kind == "question":
        return [(a.next, a.label) for a in node.answers]
    return [(node.next, None)] if node.next else []


def _attrs(style: Style, classes: str) -> dict[str, str]:
    """Graphviz node attributes drawing `style`, with CSS `classes`."""
    return {"class": classes, "shape": style.shape, "style": style.style, "fillcolor": style.fill,
            "color": style.line, "fontcolor": style.text}


def tree_to_dot(tree: Tree, link: Callable[[str], str], titles: Mapping[str, str] | None = None) -> str:
    """The DOT source of a tree's flowchart, top to bottom, byte-identical for equal input.

    `link(target)` gives the href of a node id of this tree or of a cross-tree target; `titles`
    maps tree ids to titles, to label the nodes standing for other trees.
    """
    titles = titles or {}
    dot = graphviz.Digraph(name=tree.id)
    dot.attr("graph", rankdir="TB", fontname=FONT, fontsize="12", bgcolor="transparent", nodesep="0.3",
             ranksep="0.45")
    dot.attr("node", fontname=FONT, fontsize="14", margin="0.15,0.08", penwidth="1.2")
    dot.attr("edge", fontname=FONT, fontsize="12", color=EDGE_LINE, fontcolor=EDGE_TEXT, arrowsize="0.8")

    others: dict[str, str] = {}  # cross-tree target -> DOT node name, in order of first use
    edges: list[tuple[str, str, str | None]] = []
    for node in tree.nodes:
        name, style = _dot_id("n-", node.id), node_style(node)
        classes = f"fc-node fc-outcome {style.css}" if node.kind == "outcome" else f"fc-node {style.css}"
        dot.node(name, label=_label(node.text, NODE_WRAP), id=name, URL=safe_url(link(node.id)),
                 tooltip=_tooltip(f"{style.name}: {node.text}"), **_attrs(style, classes))
        for target, label in _outgoing(node):
            local = _local(tree, target)
            if local is not None:
                head = _dot_id("n-", local)
            else:
                head = others.setdefault(target, _dot_id("x-", target))
            edges.append((name, head, label))

    tree_style = STYLES["tree"]
    for target, name in others.items():
        title = titles.get(target.partition("#")[0], target.partition("#")[0])
        dot.node(name, label=_label(title, NODE_WRAP), id=name, URL=safe_url(link(target)),
                 tooltip=_tooltip(f"{tree_style.name}: {title}"), **_attrs(tree_style, "fc-node fc-tree"))

    for number, (tail, head, label) in enumerate(edges, start=1):
        extra = {"label": _label(label, EDGE_WRAP)} if label is not None else {}
        dot.edge(tail, head, id=f"e-{number}", **{"class": "fc-edge"}, **extra)

    with dot.subgraph(name="cluster_legend") as legend:
        legend.attr(label="Jelmagyarázat", id="legend", **{"class": "fc-legend"}, style="rounded",
                    color=LEGEND_LINE, fontcolor=EDGE_TEXT)
        legend.attr("node", fontsize="12", width="1.6")
        for kind in _LEGEND:
            style = STYLES[kind]
            legend.node(f"legend-{kind}", label=_label(style.name, 16), id=f"legend-{kind}",
                        **_attrs(style, "fc-legend-item " + style.css))
        for upper, lower in zip(_LEGEND, _LEGEND[1:]):
            legend.edge(f"legend-{upper}", f"legend-{lower}", style="invis")
    return dot.source
