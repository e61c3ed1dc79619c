"""Split a tree's flowchart into A4 sheets that print with text of at least 8 pt.

A small tree is one sheet: its whole chart. A larger one is cut into subtrees (breadth-first order
from the start, subtrees kept together), each drawn as its own graph; an edge that leaves a sheet
ends in an off-page connector "folytatás: 2. lap, A", and the sheet it leads to starts with the
matching "innen: 1. lap, A". Outcomes reached from several sheets are drawn again where needed
instead of being linked. Sheet sizes are measured by rendering (batched and cached by render.py).
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import math
import re
import unicodedata
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


from .draw import EDGE_LINE, EDGE_TEXT, EDGE_WRAP, FONT, NODE_WRAP, STYLES, Style, node_style, wrap
from .graph import resolve
from .model import Corpus, Tree
from .problems import Problem
from .render import RenderError, dot_version, keep_svgs, render_svgs, source_digest, write_text
from .svg import embeddable

__all__ = [
    "MIN_PRINT_PT",
    "MAX_SHEETS",
    "PAGE_MM",
    "MARGIN_MM",
    "CAPTION_PT",
    "MM",
    "Sheet",
    "Fit",
    "fit",
    "svg_size",
    "min_font",
    "connector_name",
    "plan_sheets",
    "text_width",
    "legend_svg",
    "PagePrint",
    "sheets_html",
    "front_matter",
    "print_warnings",
]

MIN_PRINT_PT = 8.0  # smallest text size on paper
MAX_SHEETS = 4  # more sheets than this: `check` warns that the tree is getting too large to print well
MM = 72 / 25.4  # points per millimetre
PAGE_MM = (210.0, 297.0)  # A4 portrait
MARGIN_MM = (12.0, 10.0, 18.0, 10.0)  # top, right, bottom, left; equal to print.css (tested)
CAPTION_PT = 26.0  # room above a sheet's drawing for its caption line (print.css gives it 9 pt + 8 pt gap)
_MAX_ROUNDS = 12
LEGEND_PT = 8.5
# Advance widths (1/1000 em) of Arial/Helvetica, which Liberation Sans matches, for U+0020…U+007E.
_WIDTHS = [int(w) for w in (
    "278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 556 556 "
    "278 278 584 584 584 556 1015 667 667 722 722 667 611 778 722 278 500 667 556 833 722 778 667 778 722 667 "
    "611 722 667 944 667 667 611 278 278 278 469 556 333 556 556 500 556 556 278 556 556 222 222 500 222 833 "
    "556 556 556 556 333 500 278 556 500 722 500 500 500 334 260 334 584").split()]
_OTHER = {"–": 556, "—": 1000, "„": 333, "”": 333, "“": 333, "’": 222, "‘": 222, "…": 1000, "•": 350, "→": 1000,
          "›": 333, "‹": 333, "«": 556, "»": 556, "\u00a0": 278, "×": 584, "°": 400, "§": 556}
_RANKDIRS = ("TB", "LR")  # top to bottom first; left to right when that prints larger

_SIZE = re.compile(r'<svg[^>]*?\swidth="([0-9.]+)pt"\s+height="([0-9.]+)pt"')
_FONT_SIZE = re.compile(r'font-size="([0-9.]+)"')


@dataclass(frozen=True)
class Fit:
    """How a drawing of `width` × `height` pt goes on an A4 page: orientation and scale (≤ 1)."""

    landscape: bool
    scale: float


@dataclass(frozen=True)
class Sheet:
    """One printed sheet of a tree: its number (1-based) of `count`, the nodes it holds, the rendered
    drawing (`svg`, `width` × `height` pt at scale 1), how it goes on the page, and the smallest
    text size on paper (`min_pt`)."""

    tree: str
    number: int
    count: int
    nodes: tuple[str, ...]
    dot: str
    svg: str
    width: float
    height: float
    fit: Fit
    min_pt: float


def _area(landscape: bool) -> tuple[float, float]:
    """The width and height (pt) left for a drawing on an A4 page, below the caption line."""
    top, right, bottom, left = MARGIN_MM
    w, h = (PAGE_MM[1], PAGE_MM[0]) if landscape else PAGE_MM
    return (w - left - right) * MM, (h - top - bottom) * MM - CAPTION_PT


def fit(width: float, height: float) -> Fit:
    """The orientation giving the larger scale (portrait on a tie), never enlarged beyond 1."""
    best = Fit(False, 0.0)
    for landscape in (False, True):
        w, h = _area(landscape)
        scale = min(1.0, w / max(width, 1.0), h / max(height, 1.0))
        if scale > best.scale + 1e-9:
            best = Fit(landscape, scale)
    return best


def svg_size(svg: str) -> tuple[float, float]:
    """The width and height (pt) of a Graphviz SVG document."""
    m = _SIZE.search(svg)
    if m is None:
        raise ValueError("SVG without a width and height in pt")
    return float(m.group(1)), float(m.group(2))


def min_font(svg: str) -> float:
    """The smallest font size (pt at scale 1) of the text in a Graphviz SVG (14 when it has none)."""
    sizes = [float(s) for s in _FONT_SIZE.findall(svg)]
    return min(sizes) if sizes else 14.0


def connector_name(index: int) -> str:
    """The letter of the `index`-th (0-based) connector: A … Z, AA, AB, …"""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


class _Graph:
    """A tree's local edges, its breadth-first spanning tree, and the nodes drawn again on any sheet.

    A question with too many answers for one sheet can be cut in two: its later answers move to a
    continuation node `<id>~2` (drawn with the same text), which the question leads to by one more edge.
    """

    def __init__(self, corpus: Corpus, tree: Tree) -> None:
        self.tree = tree
        self.base: dict[str, str] = {}  # continuation node -> the question it continues
        self.out: dict[str, list[tuple[str, str | None, str | None]]] = {}  # node -> (target, label, local id)
        for node in tree.nodes:
            pairs = [(a.next, a.label) for a in node.answers] if node.kind == "question" else (
                [(node.next, None)] if node.next else [])
            edges = []
            for target, label in pairs:
                found = resolve(corpus, tree, target)
                edges.append((target, label, found.node if found is not None and not found.external else None))
            self.out[node.id] = edges
            self.base[node.id] = node.id
        # A node leading only to other trees (outcomes above all) is drawn again wherever it is needed.
        self.leaf = {n: all(local is None for _, _, local in e) for n, e in self.out.items()}
        self._index()

    def _index(self) -> None:
        """Breadth-first order from the start (then any node not reached), spanning tree, preorder."""
        self.parent: dict[str, str | None] = {}
        self.children: dict[str, list[str]] = {n: [] for n in self.out}
        roots = [self.tree.start] if self.tree.start in self.out else []
        roots += [n for n in self.out if n not in roots]
        self.bfs: list[str] = []
        for root in roots:
            if root in self.parent:
                continue
            self.parent[root] = None
            queue = [root]
            while queue:
                current = queue.pop(0)
                self.bfs.append(current)
                for _, _, local in self.out[current]:
                    if local is not None and local not in self.parent:
                        self.parent[local] = current
                        self.children[current].append(local)
                        queue.append(local)
        self.rank = {n: i for i, n in enumerate(self.bfs)}
        self.pre: dict[str, int] = {}
        for root in [n for n in self.bfs if self.parent[n] is None]:
            stack = [root]
            while stack:
                current = stack.pop()
                self.pre[current] = len(self.pre)
                stack.extend(reversed(self.children[current]))

    def continue_widest(self, group: frozenset[str]) -> str | None:
        """Move the later half of the answers of the group's question with most answers (at least 3)
        to a new continuation node, which joins the group; its id, or None when there is no such question."""
        wide = [n for n in self.bfs if n in group and len(self.out[n]) >= 3]
        if not wide:
            return None
        node = max(wide, key=lambda n: (len(self.out[n]), -self.rank[n]))
        edges = self.out[node]
        keep = (len(edges) + 1) // 2
        base, number = self.base[node], 2
        while f"{base}~{number}" in self.out:
            number += 1
        extra = f"{base}~{number}"
        self.out[node] = edges[:keep] + [("", "további válaszok", extra)]
        self.out[extra] = edges[keep:]
        self.base[extra] = base
        self.leaf[extra] = False
        self._index()
        return extra

    def split(self, group: frozenset[str], limit: int) -> list[frozenset[str]]:
        """Cut `group` bottom-up so that no part has more than `limit` nodes where it can be helped:
        under an overfull node its largest subtrees go to parts of their own (outcomes are never cut
        off, they are drawn again). The part holding the group's roots comes first; [group]: no cut."""
        inside = [n for n in self.bfs if n in group]
        size: dict[str, int] = {}
        cut: set[str] = set()
        for node in reversed(inside):  # children before parents
            kids = [c for c in self.children[node] if c in group]
            size[node] = 1 + sum(size[c] for c in kids)
            for kid in sorted((c for c in kids if not self.leaf[c]), key=lambda c: (-size[c], self.rank[c])):
                if size[node] <= limit:
                    break
                cut.add(kid)
                size[node] -= size[kid]
        parts = []
        for head in sorted(cut, key=lambda n: self.pre[n]):
            members, stack = set(), [head]
            while stack:
                current = stack.pop()
                members.add(current)
                stack.extend(c for c in self.children[current] if c in group and c not in cut)
            parts.append(frozenset(members))
        return [group.difference(*parts), *parts] if parts else [group]

    def entry(self, group: frozenset[str]) -> int:
        """The sort key of a group: the preorder position of its first node."""
        return min(self.pre[n] for n in group)



def _quote(value: str) -> str:
    """A DOT double-quoted string showing `value` literally (backslashes and quotes escaped)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _label(lines: Sequence[str]) -> str:
    r"""A DOT label of these lines (joined by `\n`), `&` written as an entity as Graphviz decodes them."""
    return "\\n".join(_quote(line.replace("&", "&amp;"))[1:-1] for line in lines).join('""')


@functools.lru_cache(maxsize=4096)
def _wrapped(text: str, width: int) -> tuple[str, ...]:
    """`draw.wrap`, remembered: a sheet's nodes are drawn again in every round of splitting."""
    return tuple(wrap(text, width))


def _attrs(attrs: Mapping[str, str]) -> str:
    return " ".join(f"{key}={value if key == 'label' else _quote(value)}" for key, value in attrs.items())


def _style(style: Style, classes: str) -> dict[str, str]:
    return {"class": classes, "shape": style.shape, "style": style.style, "fillcolor": style.fill,
            "color": style.line, "fontcolor": style.text}


_CONNECTOR = {"shape": "invhouse", "style": "filled,dashed", "fillcolor": "#ffffff", "color": EDGE_LINE,
              "fontcolor": EDGE_TEXT, "fontsize": "12", "margin": "0.08,0.04"}
_HEAD = (f'graph [rankdir=TB fontname={_quote(FONT)} fontsize=12 bgcolor=transparent nodesep=0.3 ranksep=0.45]\n'
         f'node [fontname={_quote(FONT)} fontsize=14 margin="0.15,0.08" penwidth=1.2]\n'
         f'edge [fontname={_quote(FONT)} fontsize=12 color={_quote(EDGE_LINE)} fontcolor={_quote(EDGE_TEXT)} '
         f'arrowsize=0.8]\n')


def _sheets_text(numbers: Sequence[int]) -> str:
    """`1.` or `1., 3.` – the sheets an incoming connector comes from."""
    return ", ".join(f"{n}." for n in numbers)


def _sheet_dot(g: _Graph, group: frozenset[str], number: int, sheet_of: Mapping[str, int],
               letters: Mapping[str, str], sources: Mapping[str, list[int]], titles: Mapping[str, str]) -> str:
    """The DOT source of one sheet, top to bottom: its nodes, the outcomes it leads to, other trees,
    and connectors. Written directly (same attributes as draw.py): sheets are drawn many times over."""
    lines = [f"digraph {_quote(f'{g.tree.id}-lap-{number}')} {{", _HEAD]
    drawn: list[str] = []
    edges: list[tuple[str, str, str | None]] = []

    def node(name: str, attrs: Mapping[str, str]) -> None:
        lines.append(f"{_quote(name)} [id={_quote(name)} {_attrs(attrs)}]")

    def draw_node(node_id: str) -> str:
        name = f"n-{node_id}"
        if node_id not in drawn:
            drawn.append(node_id)
            found = g.tree.node(g.base[node_id])
            assert found is not None
            style = node_style(found)
            classes = f"fc-node fc-outcome {style.css}" if found.kind == "outcome" else f"fc-node {style.css}"
            text = found.text if node_id == found.id else f"{found.text} (további válaszok)"
            node(name, {"label": _label(_wrapped(text, NODE_WRAP)), **_style(style, classes)})
        return name

    members = [n for n in g.bfs if n in group]
    for node_id in members:
        if node_id in letters:
            name = f"innen-{letters[node_id]}"
            node(name, {"label": _label(["innen:", f"{_sheets_text(sources[node_id])} lap, {letters[node_id]}"]),
                        **_CONNECTOR, "shape": "house", "class": "fc-connector fc-connector-in"})
            edges.append((name, f"n-{node_id}", None))
    others: dict[str, str] = {}
    outgoing: dict[str, str] = {}
    todo = list(members)
    while todo:
        node_id = todo.pop(0)
        tail = draw_node(node_id)
        for target, label, local in g.out[node_id]:
            if local is None:
                head = others.setdefault(target, f"x-{len(others) + 1}")
            elif local in group or g.leaf[local]:
                head = f"n-{local}"
                if local not in group and local not in drawn and local not in todo:
                    todo.append(local)
            else:
                head = outgoing.setdefault(local, f"tovabb-{letters[local]}")
            edges.append((tail, head, label))
    for local, name in outgoing.items():
        node(name, {"label": _label(["folytatás:", f"{sheet_of[local]}. lap, {letters[local]}"]), **_CONNECTOR,
                    "class": "fc-connector fc-connector-out"})
    for target, name in others.items():
        title = titles.get(target.partition("#")[0], target.partition("#")[0])
        node(name, {"label": _label(_wrapped(title, NODE_WRAP)), **_style(STYLES["tree"], "fc-node fc-tree")})
    for index, (tail, head, label) in enumerate(edges, start=1):
        extra = {"label": _label(_wrapped(label, EDGE_WRAP))} if label is not None else {}
        lines.append(f"{_quote(tail)} -> {_quote(head)} [id={_quote(f'e-{index}')} class=\"fc-edge\" {_attrs(extra)}]")
    lines.append("}")
    return "\n".join(lines) + "\n"


_Request = list[tuple[str, str]]  # (name for error messages, DOT) of graphs a planner needs rendered
_Steps = Generator[_Request, list[str], "list[Sheet]"]


class _Planner:
    """The sheets of one tree while they are split and merged.

    `run` is a generator: it yields the DOT sources it needs rendered and is sent their SVGs, so that
    `plan_sheets` can render the graphs of every tree still being planned together in one batch; a
    tree that is done drops out. Each tree's result depends on its own renders only.

    Renders are saved where a drawing's outcome is known: a group of nodes is measured again only
    when its nodes change (its sheet number and connector letters hardly change its size; the final
    sheets are all drawn, and checked, with their final numbers), a pair of sheets that did not fit
    together is not tried again, and a drawing turned left to right only where that can help.
    """

    def __init__(self, graph: _Graph, titles: Mapping[str, str], eager: bool = False) -> None:
        self.graph = graph
        self.titles = titles
        self.eager = eager  # draw both ways at once: fewer rounds for a lone tree (an edit)
        self.groups: list[frozenset[str]] = [frozenset(graph.bfs)] if graph.bfs else []
        self.stuck: set[frozenset[str]] = set()
        self.turn: set[frozenset[str]] = set()  # groups to draw both ways whatever their size
        self.latest: dict[frozenset[str], Sheet] = {}  # the last drawing of each group, for its size
        self.failed: set[frozenset[frozenset[str]]] = set()  # pairs tried that did not fit together
        self.svgs: dict[str, str] = {}  # DOT -> SVG of this tree's renders so far (trials come back)

    def run(self) -> _Steps:
        """Split sheets printing too small; put related sheets together where they still print
        large enough; split again what that spoilt. Returns the final sheets."""
        if not self.groups:
            return []
        yield from self._split(check=False)
        yield from self._merge()
        return (yield from self._split())

    def _numbering(self, groups: list[frozenset[str]]) -> tuple[dict[str, int], dict[str, str], dict[str, list[int]]]:
        """Sheet of each node, connector letter of each entry point, and the sheets leading to it."""
        sheet_of = {n: i + 1 for i, group in enumerate(groups) for n in group}
        sources: dict[str, set[int]] = {}
        for tail, edges in self.graph.out.items():
            for _, _, local in edges:
                if local is not None and not self.graph.leaf[local] and sheet_of[local] != sheet_of[tail]:
                    sources.setdefault(local, set()).add(sheet_of[tail])
        entries = sorted(sources, key=lambda n: (sheet_of[n], self.graph.rank[n]))
        letters = {n: connector_name(i) for i, n in enumerate(entries)}
        return sheet_of, letters, {n: sorted(s) for n, s in sources.items()}

    def _render(self, named: _Request) -> Generator[_Request, list[str], list[str]]:
        """The SVGs of these graphs: rendered by the caller of `run`, unless drawn before."""
        todo = list({dot: name for name, dot in named if dot not in self.svgs}.items())
        if todo:
            svgs = yield [(name, dot) for dot, name in todo]
            self.svgs.update(zip((dot for dot, _ in todo), svgs))
        return [self.svgs[dot] for _, dot in named]

    def _draw(self, jobs: Sequence[tuple[list[frozenset[str]], int]]) -> Generator[_Request, list[str], list[Sheet]]:
        """Sheet `index` of each (groups in reading order, index), drawn top to bottom, and left to
        right where its text prints too small that way (taken when that prints large enough, or
        larger). Not turned when the text is so small that turning never made it fit
        (`_HOPELESS_PT`): the group is split instead, unless it is in `turn`."""
        tree_id = self.graph.tree.id
        numbered: dict[int, tuple[dict[str, int], dict[str, str], dict[str, list[int]]]] = {}
        dots = []
        for groups, index in jobs:
            if id(groups) not in numbered:
                numbered[id(groups)] = self._numbering(groups)
            sheet_of, letters, listed = numbered[id(groups)]
            dots.append(_sheet_dot(self.graph, groups[index], index + 1, sheet_of, letters, listed, self.titles))
        names = [f"{tree_id} ({index + 1}. lap)" for _, index in jobs]
        turned = [dot.replace("rankdir=TB", "rankdir=LR", 1) for dot in dots]
        members = [tuple(n for n in self.graph.bfs if n in groups[index]) for groups, index in jobs]
        ahead = list(zip(names, turned)) if self.eager else []
        svgs = (yield from self._render(list(zip(names, dots)) + ahead))[:len(dots)]
        sheets = [_sheet(tree_id, index + 1, len(groups), nodes, dot, svg)
                  for (groups, index), nodes, dot, svg in zip(jobs, members, dots, svgs)]
        retry = [i for i, sheet in enumerate(sheets) if sheet.min_pt < MIN_PRINT_PT
                 and (sheet.min_pt >= _HOPELESS_PT or jobs[i][0][jobs[i][1]] in self.turn)]
        svgs = yield from self._render([(names[i], turned[i]) for i in retry])
        for i, svg in zip(retry, svgs):
            groups, index = jobs[i]
            other = _sheet(tree_id, index + 1, len(groups), members[i], turned[i], svg)
            if other.min_pt >= MIN_PRINT_PT or other.min_pt > sheets[i].min_pt:
                sheets[i] = other
        return sheets

    def _split(self, check: bool = True) -> _Steps:
        """Split sheets printing too small until all fit or cannot be split further; new groups are
        drawn each round. With `check`, every sheet is then drawn with its final number and checked
        once more, and returned (without, before merging: the numbers change again)."""
        final = False
        for _ in range(_MAX_ROUNDS):
            self.groups.sort(key=self.graph.entry)
            todo = [i for i, group in enumerate(self.groups) if final or group not in self.latest]
            drawn = yield from self._draw([(self.groups, i) for i in todo])
            self.latest.update(zip((self.groups[i] for i in todo), drawn))
            if not self._cut():
                if final or not check:
                    return drawn
                final = True
            else:
                final = False
        return (yield from self._draw([(self.groups, i) for i in range(len(self.groups))]))

    def _cut(self) -> bool:
        """Split every group whose latest drawing prints too small, where it can be split; False when
        nothing changed. A group that cannot be split and was not turned is marked to be turned."""
        changed = False
        for group in list(self.groups):
            sheet = self.latest[group]
            if sheet.min_pt >= MIN_PRINT_PT or group in self.stuck:
                continue
            limit = max(1, min(len(group) - 1, math.floor(len(group) * sheet.min_pt / MIN_PRINT_PT)))
            parts = self.graph.split(group, limit)
            if parts == [group] and (extra := self.graph.continue_widest(group)) is not None:
                parts = self.graph.split(group | {extra}, limit)
            if parts == [group]:
                self.stuck.add(group)
                if group not in self.turn:
                    self.turn.add(group)
                    del self.latest[group]
                    changed = True
                continue
            self.groups.remove(group)
            self.groups.extend(parts)
            changed = True
        if changed:
            self._settle()
        return changed

    def _settle(self) -> None:
        """Put every outcome-like node on the sheet of the node it hangs from in the spanning tree
        (moving answers to a continuation can leave one on a sheet where nothing leads to it)."""
        where = {n: i for i, group in enumerate(self.groups) for n in group}
        moved = [set(group) for group in self.groups]
        for node, parent in self.graph.parent.items():
            if parent is not None and self.graph.leaf[node] and where[node] != where[parent]:
                moved[where[node]].discard(node)
                moved[where[parent]].add(node)
        self.groups = [frozenset(group) for group in moved if group]

    def _pairs(self) -> list[tuple[frozenset[str], frozenset[str]]]:
        """Sheets that may share a page: a sheet with one that continues it, or two continuing the same one."""
        sheet_of = {n: i for i, group in enumerate(self.groups) for n in group}
        up = {}
        for i, group in enumerate(self.groups):
            heads = [n for n in group if self.graph.parent[n] is None or self.graph.parent[n] not in group]
            up[i] = {sheet_of[p] for n in heads if (p := self.graph.parent[n]) is not None}
        found = []
        for i in range(len(self.groups)):
            for j in range(i + 1, len(self.groups)):
                if i in up[j] or j in up[i] or up[i] & up[j]:
                    found.append((self.groups[i], self.groups[j]))
        return found

    def _merge(self) -> Generator[_Request, list[str], bool]:
        """Put related sheets together where the pair still prints large enough; True when any were.
        Only pairs whose drawings could fit on a page together by their area are tried, each once."""
        merged_any = False
        for _ in range(_MAX_ROUNDS):
            pairs, jobs = [], []
            for first, second in self._pairs():
                both = first | second
                if frozenset((first, second)) in self.failed or not _may_share(self.latest[first], self.latest[second]):
                    continue
                trial = sorted([g for g in self.groups if g not in (first, second)] + [both], key=self.graph.entry)
                pairs.append((first, second))
                jobs.append((trial, trial.index(both)))
            tried = yield from self._draw(jobs)
            fitting = []
            for (first, second), sheet in zip(pairs, tried):
                if sheet.min_pt >= MIN_PRINT_PT:
                    self.latest[first | second] = sheet
                    fitting.append((sheet.width * sheet.height, self.graph.entry(first), first, second))
                else:
                    self.failed.add(frozenset((first, second)))
            taken: set[frozenset[str]] = set()
            for *_, first, second in sorted(fitting, key=lambda f: f[:2]):
                if first in taken or second in taken:
                    continue
                taken.update((first, second))
                self.groups = [g for g in self.groups if g not in (first, second)] + [first | second]
            if not taken:
                break
            self.groups.sort(key=self.graph.entry)
            merged_any = True
        return merged_any


_HOPELESS_PT = 5.0  # text this small top to bottom never printed large enough left to right (measured)
# Two drawings put together take at least this share of the room they take stacked or side by side
# (connectors drop out; Graphviz packs them about as loosely as apart). Pairs that cannot fit even
# so are not drawn: of 2000 pairs tried on the real and synthetic trees, none that fitted was
# estimated larger than 0.8 of that.
_MERGED_SHARE = 0.8


def _may_share(first: Sheet, second: Sheet) -> bool:
    """Whether two sheets could fit on one page with text of MIN_PRINT_PT: the two drawings, either
    turned, stacked or side by side, shrunk to `_MERGED_SHARE`, fit at the scale that text needs."""
    need = MIN_PRINT_PT / min(min_font(first.svg), min_font(second.svg))
    for w1, h1 in ((first.width, first.height), (first.height, first.width)):
        for w2, h2 in ((second.width, second.height), (second.height, second.width)):
            for w, h in ((max(w1, w2), h1 + h2), (w1 + w2, max(h1, h2))):
                if fit(w * _MERGED_SHARE, h * _MERGED_SHARE).scale >= need:
                    return True
    return False


def _sheet(tree_id: str, number: int, count: int, members: tuple[str, ...], dot_source: str, svg: str) -> Sheet:
    """A rendered sheet, placed on its page."""
    width, height = svg_size(svg)
    placed = fit(width, height)
    return Sheet(tree_id, number, count, members, dot_source, svg, width, height, placed,
                 round(placed.scale * min_font(svg), 2))


def _plan_key(graph: _Graph, titles: Mapping[str, str], version: str) -> str:
    """What a tree's plan depends on: the tree, where each of its answers and `next`s leads (a node
    of its own, or another tree, drawn with that tree's title), Graphviz's version and the code."""
    links = [(target, local, None if local is not None else titles.get(target.partition("#")[0]))
             for edges in graph.out.values() for target, _, local in edges]
    text = f"{source_digest()}\n{version}\n{graph.tree!r}\n{links!r}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plan_file(cache_dir: Path, key: str) -> Path:
    return cache_dir / "plans" / f"{key}.json"


def _stored_plan(cache_dir: Path | None, key: str) -> list[tuple[tuple[str, ...], str]] | None:
    """A kept plan: (nodes, DOT) of each sheet, or None."""
    if cache_dir is None:
        return None
    try:
        data = json.loads(_plan_file(cache_dir, key).read_text(encoding="utf-8"))
        return [(tuple(sheet["nodes"]), sheet["dot"]) for sheet in data["sheets"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _store_plan(cache_dir: Path | None, key: str, sheets: Sequence[Sheet]) -> None:
    if cache_dir is None:
        return
    data = {"sheets": [{"nodes": list(s.nodes), "dot": s.dot} for s in sheets]}
    write_text(_plan_file(cache_dir, key), json.dumps(data, ensure_ascii=False, indent=0))


def plan_sheets(corpus: Corpus, trees: Sequence[Tree], cache_dir: Path | None,
                titles: Mapping[str, str] | None = None) -> dict[str, tuple[Sheet, ...]]:
    """The printed sheets of every tree, by tree id; all trees are measured together in batches.

    A sheet whose smallest text would print below MIN_PRINT_PT is split; then related sheets are put
    back together where they still print large enough. A sheet that cannot be split (a node with two
    answers that are both too wide) stays, with its smaller text (`Sheet.min_pt` tells).

    Each tree's plan is kept in `cache_dir/plans` under what it depends on (`_plan_key`), so a tree
    planned before costs no trial render: only its sheets are drawn, from the SVG cache.
    """
    titles = titles if titles is not None else {t.id: t.title for t in corpus.trees}
    version = dot_version(cache_dir)
    result: dict[str, tuple[Sheet, ...]] = {}
    kept: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    new: list[tuple[str, str, _Graph]] = []
    for tree in trees:
        graph = _Graph(corpus, tree)
        key = _plan_key(graph, titles, version)
        stored = _stored_plan(cache_dir, key)
        if stored is not None:
            kept[tree.id] = stored
        else:
            new.append((tree.id, key, graph))
    dots = [dot for plan in kept.values() for _, dot in plan]
    svgs = iter(render_svgs(dots, cache_dir=cache_dir,
                            names=[f"{t} ({i + 1}. lap)" for t, plan in kept.items() for i in range(len(plan))]))
    for tree_id, plan in kept.items():
        result[tree_id] = tuple(_sheet(tree_id, i + 1, len(plan), nodes, dot, next(svgs))
                                for i, (nodes, dot) in enumerate(plan))
    _plan(new, titles, cache_dir, result)
    for tree_id, key, _ in new:
        _store_plan(cache_dir, key, result[tree_id])
        keep_svgs([(sheet.dot, sheet.svg) for sheet in result[tree_id]], cache_dir)
    return {t.id: result[t.id] for t in trees}


_IN_FLIGHT = 64  # trees planned at once: their trial drawings are held until each is done
_EAGER_UP_TO = 2  # when planning this few trees (an edit), draw both ways at once: fewer rounds


def _plan(new: Sequence[tuple[str, str, _Graph]], titles: Mapping[str, str], cache_dir: Path | None,
          result: dict[str, tuple[Sheet, ...]]) -> None:
    """Plan these trees into `result`: each round, the drawings every tree in flight asks for are
    rendered in one batch (trial layouts are read from the SVG cache but not written to it)."""
    eager = len(new) <= _EAGER_UP_TO
    waiting = iter(new)
    running: dict[str, _Steps] = {}
    requests: dict[str, _Request] = {}
    while True:
        while len(running) < _IN_FLIGHT and (item := next(waiting, None)) is not None:
            tree_id, _, graph = item
            running[tree_id] = _Planner(graph, titles, eager).run()
            requests[tree_id] = _advance(running, tree_id, None, result)
        asked = [(tree_id, named) for tree_id, named in requests.items() if named]
        if not asked:
            return
        flat = [pair for _, named in asked for pair in named]
        svgs = iter(render_svgs([dot for _, dot in flat], cache_dir=cache_dir, names=[name for name, _ in flat],
                                keep=False))
        requests = {}
        for tree_id, named in asked:
            requests[tree_id] = _advance(running, tree_id, [next(svgs) for _ in named], result)


def _advance(running: dict[str, _Steps], tree_id: str, svgs: list[str] | None,
             result: dict[str, tuple[Sheet, ...]]) -> _Request:
    """Send a tree's planner its SVGs: what it asks for next, or [] when it is done (then its sheets
    are in `result` and it leaves `running`)."""
    try:
        steps = running[tree_id]
        return next(steps) if svgs is None else steps.send(svgs)
    except StopIteration as done:
        result[tree_id] = tuple(done.value)
        del running[tree_id]
        return []


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width (pt) of `text` set in Arial at `size`: accented letters as their base letter,
    unknown characters as a full em; bold taken 10 % wider (a safe bound)."""
    return sum(map(_char_width, text)) * size / 1000 * (1.1 if bold else 1.0)


@functools.lru_cache(maxsize=None)
def _char_width(char: str) -> int:
    """The advance width (1/1000 em) of one character, remembered: text pages measure every
    character of every candidate line."""
    code = ord(char)
    if 32 <= code <= 126:
        return _WIDTHS[code - 32]
    if char in _OTHER:
        return _OTHER[char]
    base = unicodedata.normalize("NFD", char)[0]
    return _WIDTHS[ord(base) - 32] if 32 <= ord(base) <= 126 else 1000


def _legend_items() -> list[tuple[str, str]]:
    """(kind, shape outline) of each legend entry, shapes 16 × 10 pt."""
    return [
        ("question", '<polygon points="0,5 4,0 12,0 16,5 12,10 4,10"/>'),
        ("step", '<rect width="16" height="10"/>'),
        ("solved", '<rect width="16" height="10" rx="3"/>'),
        ("escalate", '<polygon points="4,0 12,0 16,3 16,7 12,10 4,10 0,7 0,3"/>'),
        ("tree", '<path d="M0,1 h5 l1,-1 h4 l1,1 h5 v9 h-16 z"/>'),
    ]


def legend_svg() -> str:
    """The key of the flowchart shapes in one line, for a sheet's caption (text 8.5 pt)."""
    parts, x = [], 0.0
    for kind, shape in _legend_items():
        style = STYLES[kind]
        parts.append(f'<g transform="translate({x:.1f},1.5)" fill="{style.fill}" stroke="{style.line}" '
                     f'stroke-width="0.8">{shape}</g>')
        parts.append(f'<text x="{x + 20:.1f}" y="10" font-family="{FONT}" font-size="{LEGEND_PT}" '
                     f'fill="#334155">{html.escape(style.name)}</text>')
        x += 20 + text_width(style.name, LEGEND_PT) + 12
    width = x - 12 + 4  # a little room: the text may set a hair wider than its estimate
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="fa-legend" width="{width:.1f}pt" height="13pt" '
            f'viewBox="0 0 {width:.1f} 13" role="img" aria-label="Jelmagyarázat">{"".join(parts)}</svg>')


@dataclass(frozen=True)
class PagePrint:
    """What a tree page adds for print: front matter (the page's margin boxes for the theme partial),
    the print-only sheets, and the links to the PDFs."""

    front_matter: str
    sheets_html: str
    links_html: str


def front_matter(print_css: str) -> str:
    """YAML front matter giving the theme partial this page's print CSS (`page.meta.fa_print_css`)."""
    return f"---\nfa_print_css: {json.dumps(print_css, ensure_ascii=False)}\n---\n\n"


def sheets_html(title: str, sheets: Sequence[Sheet]) -> str:
    """The print-only flowchart sheets of a tree (hidden on screen by print.css), one per page:
    a caption with the sheet number and the legend, then the drawing at its printed size."""
    legend = legend_svg()
    figures = []
    for sheet in sheets:
        svg = embeddable(sheet.svg, f"fc-{sheet.tree}-lap{sheet.number}-",
                         f"{title} – folyamatábra, {sheet.number}. lap")
        side = "fekvo" if sheet.fit.landscape else "allo"
        width, height = sheet.width * sheet.fit.scale, sheet.height * sheet.fit.scale
        # On each figure: Material's search parser ends an exclusion at the first closing tag of the
        # same name, so a wrapping <div> would stop excluding at the first nested </div>.
        figures.append(f'<figure class="fa-sheet fa-sheet--{side}" data-sheet="{sheet.number}" data-search-exclude '
                       f'data-min-pt="{sheet.min_pt:g}"><figcaption class="fa-sheet-caption">'
                       f'<span>Folyamatábra, {sheet.number}. lap / {sheet.count}</span>{legend}</figcaption>'
                       f'<div class="fc-chart fa-sheet-chart" style="width:{width:.2f}pt;height:{height:.2f}pt">'
                       f"{svg}</div></figure>")
    return f'<div class="fa-print-sheets">{"".join(figures)}</div>'


def print_warnings(corpus: Corpus, cache_dir: Path | None = None) -> list[Problem]:
    """Warnings for trees too large to print well: more than MAX_SHEETS sheets, or a sheet whose text
    prints below MIN_PRINT_PT. Renders are cached in `cache_dir`, by default in the `.cache/svg` beside
    the trees folder when that `.cache` exists; nothing is reported when Graphviz is missing."""
    if cache_dir is None:
        cache = Path(corpus.root).resolve().parent / ".cache"
        cache_dir = cache / "svg" if cache.is_dir() else None
    try:
        planned = plan_sheets(corpus, corpus.trees, cache_dir)
    except RenderError:
        return []
    found = []
    for tree in corpus.trees:
        sheets = planned.get(tree.id, ())
        if len(sheets) > MAX_SHEETS:
            found.append(Problem(tree.loc, f"a(z) {tree.id} fa nyomtatva {len(sheets)} A4-es lapra fér ki "
                                 f"(legfeljebb {MAX_SHEETS} lap javasolt)",
                                 "bontsa két fára: egy ágát vigye külön fába, és continue kimenettel vezessen oda",
                                 "warning"))
        for sheet in sheets:
            if sheet.min_pt < MIN_PRINT_PT:
                found.append(Problem(tree.loc, f"a(z) {tree.id} fa {sheet.number}. lapján a legkisebb szöveg nyomtatva "
                                     f"{sheet.min_pt:.1f} pt (legalább {MIN_PRINT_PT:g} pt kell)",
                                     "rövidítse a csomópontok és válaszok szövegét, vagy ossza két kérdésre a válaszokat",
                                     "warning"))
    return found
