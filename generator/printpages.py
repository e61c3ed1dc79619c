"""Printed A4 pages laid out as SVG: what every page carries (title, review date, address, QR code,
page number) in the browser's print (`margin_css`) and in the PDFs (`furniture`), text blocks wrapped
onto pages, a flowchart sheet placed on its page, and the texts printed: a tree's steps, the code
index, the handbook's contents. `pdf` draws these pages into PDFs."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import quote

import segno

from .codes import normalise
from .draw import FONT
from .graph import resolve
from .model import Corpus, Node, Tree
from .pages.code_pages import code_sort_key, handlers_by_code
from .pages.tree_page import KIND_LABELS, OUTCOME_LABELS, cite, format_date
from .sheets import CAPTION_PT, MARGIN_MM, MM, PAGE_MM, Sheet, legend_svg, text_width
from .text import lines, rich

__all__ = [
    "HEAD_PT",
    "QR_MM",
    "PageInfo",
    "Block",
    "PageBody",
    "css_string",
    "qr_svg",
    "margin_css",
    "html_blocks",
    "page_size",
    "sheet_page",
    "text_pages",
    "qr_box",
    "furniture",
    "target_text",
    "tree_blocks",
    "code_index_blocks",
    "contents_blocks",
    "latest",
]

HEAD_PT = 9.0  # header and footer text


ADDRESS_PT = 8.0


QR_MM = 14.0


CAPTION_FONT_PT = 9.0


@dataclass(frozen=True)
class PageInfo:
    """What every printed page of one page of the site shows: title, review date, address, QR code."""

    title: str
    reviewed: str
    address: str
    qr: str | None = None  # a QR code SVG of `address`, when the site's address is known


@dataclass(frozen=True)
class Block:
    """A paragraph of text laid out on text pages: size in pt, bold, left indent in pt, space above."""

    text: str
    size: float = 10.0
    bold: bool = False
    indent: float = 0.0
    before: float = 3.0
    keep: bool = False  # keep on one page with the next block (headings)


def css_string(text: str) -> str:
    """`text` as a double-quoted CSS string, safe inside a <style> element."""
    out = []
    for char in " ".join(text.split()):
        if char in '"\\<>&':
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def qr_svg(data: str) -> str:
    """A QR code of `data` (error correction M) as a small SVG, 14 mm square, black on white."""
    code = segno.make(data, error="m", micro=False, boost_error=False)
    border = 2
    rows = [list(row) for row in code.matrix]
    size = len(rows) + 2 * border
    path = []
    for y, row in enumerate(rows):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                path.append(f"M{start + border} {y + border}h{x - start}v1h{start - x}z")
            else:
                x += 1
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{QR_MM}mm" height="{QR_MM}mm" '
            f'viewBox="0 0 {size} {size}" shape-rendering="crispEdges"><rect width="{size}" height="{size}" '
            f'fill="#fff"/><path fill="#000" d="{"".join(path)}"/></svg>')


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def margin_css(info: PageInfo, first_landscape: bool = False) -> str:
    """The page margin boxes of a printed page of the site: title, review date, address, QR code
    (print.css sets their fonts and places, and the page number); the first page turned when its
    sheet is landscape. Firefox, which has no margin boxes, gets the same in fixed boxes, repeated on
    every page; `--fa-qr: 1` tells print.css to make room for the QR code at the top right."""
    turn = "@page :first{size:A4 landscape}" if first_landscape else ""
    title, reviewed, address = map(css_string, (info.title, "Utoljára átnézve: " + info.reviewed, info.address))
    rules = [f"@top-left{{content:{title}}}", f"@top-right{{content:{reviewed}}}",
             f"@bottom-left{{content:{address}}}"]
    firefox = (f"body::before{{content:{title}}}body::after{{content:{reviewed}}}"
               f".md-container::before{{content:{address}}}")
    if info.qr:
        url = "data:image/svg+xml," + quote(info.qr, safe=" =:/,;'")
        rules.append(f"@bottom-right{{content:url({css_string(url)})}}")
        firefox += f":root{{--fa-qr:1}}.md-container::after{{content:url({css_string(url)})}}"
    return "@page{" + "".join(rules) + "}" + turn + "@supports (-moz-appearance:none){" + firefox + "}"


class _Text(HTMLParser):
    """Sanitised HTML (from `text.rich`) to plain paragraphs: one per block element, list items bulleted;
    a `<br>` and the line breaks inside `<pre>` kept as line breaks (`\\n`), other whitespace as a space."""

    _BLOCKS = {"p", "li", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "div", "blockquote", "tr"}
    _SPACE = re.compile("[ \t\n\r\f]+")  # HTML's whitespace: what a browser collapses outside <pre>

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.current: list[str] = []
        self.pre = 0

    def _flush(self) -> None:
        text = "\n".join(lines("".join(self.current)))
        if text:
            self.paragraphs.append(text)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.current.append("\n")
            return
        if tag in self._BLOCKS and (tag == "li" or "".join(self.current).strip() != "•"):
            self._flush()  # but a loose list item's paragraph goes on its bullet's line
        if tag == "pre":
            self.pre += 1
        if tag == "li":
            self.current.append("• ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre" and self.pre:
            self.pre -= 1
        if tag in self._BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        self.current.append(data if self.pre else self._SPACE.sub(" ", data))


def html_blocks(markup: str, size: float = 9.5, indent: float = 0.0) -> list[Block]:
    """The paragraphs of an HTML fragment as text blocks."""
    parser = _Text()
    parser.feed(markup)
    parser.close()
    parser._flush()
    return [Block(p, size, indent=indent + (8 if p.startswith("• ") else 0), before=2) for p in parser.paragraphs]


def page_size(landscape: bool) -> tuple[float, float]:
    w, h = PAGE_MM[1] * MM, PAGE_MM[0] * MM
    return (w, h) if landscape else (h, w)


def _content_box(landscape: bool) -> tuple[float, float, float, float]:
    """x, y, width, height (pt) of a page's content area, inside the margins."""
    top, right, bottom, left = (m * MM for m in MARGIN_MM)
    w, h = page_size(landscape)
    return left, top, w - left - right, h - top - bottom


def _text(x: float, y: float, text: str, size: float, bold: bool = False, anchor: str = "start",
          fill: str = "#0f172a") -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (f'<text x="{x:.2f}" y="{y:.2f}" font-family="{FONT}" font-size="{size}"{weight} '
            f'text-anchor="{anchor}" fill="{fill}" xml:space="preserve">{_esc(text)}</text>')


_PROLOGUE = re.compile(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<!--.*?-->", re.S)


_ROOT_SIZE = re.compile(r'(<svg\b[^>]*?)\swidth="[^"]*"\s+height="[^"]*"')


def _nest(svg: str, x: float, y: float, width: float, height: float) -> str:
    """An SVG document as an element placed at (x, y), `width` × `height` pt (its viewBox kept)."""
    body = _PROLOGUE.sub("", svg).strip()
    placed, count = _ROOT_SIZE.subn(rf'\1 x="{x:.2f}" y="{y:.2f}" width="{width:.2f}" height="{height:.2f}"',
                                    body, count=1)
    if not count:
        raise ValueError("SVG without width and height")
    return placed


@dataclass(frozen=True)
class PageBody:
    """A page before its furniture: orientation and the SVG elements of its content."""

    landscape: bool
    content: str


def sheet_page(sheet: Sheet) -> PageBody:
    """A flowchart sheet on its page: the caption line with the legend, then the drawing, scaled."""
    x, y, width, _ = _content_box(sheet.fit.landscape)
    caption = _text(x, y + CAPTION_FONT_PT, f"Folyamatábra, {sheet.number}. lap / {sheet.count}", CAPTION_FONT_PT,
                    bold=True)
    legend = legend_svg()
    legend_width = float(re.search(r'width="([0-9.]+)pt"', legend).group(1))  # type: ignore[union-attr]
    legend_el = _nest(legend, x + width - legend_width, y, legend_width, 13)
    w, h = sheet.width * sheet.fit.scale, sheet.height * sheet.fit.scale
    drawing = _nest(sheet.svg, x + (width - w) / 2, y + CAPTION_PT, w, h)
    return PageBody(sheet.fit.landscape, caption + legend_el + drawing)


def _wrap(text: str, width: float, size: float, bold: bool) -> list[str]:
    """`text` broken into lines no wider than `width`: at each typed line break (`text.lines`, a blank
    line kept blank), then at spaces (a longer word is broken by characters)."""
    out: list[str] = []
    for typed in lines(text):
        line = ""
        for word in typed.split(" ") if typed else []:
            candidate = f"{line} {word}" if line else word
            if text_width(candidate, size, bold) <= width:
                line = candidate
                continue
            if line:
                out.append(line)
            while len(word) > 1 and text_width(word, size, bold) > width:
                cut = 1
                while cut < len(word) - 1 and text_width(word[:cut + 1], size, bold) <= width:
                    cut += 1
                out.append(word[:cut])
                word = word[cut:]
            line = word
        out.append(line)
    return out or [""]


def text_pages(blocks: Sequence[Block]) -> list[PageBody]:
    """Blocks laid out on as many portrait pages as they need; a heading stays with what follows."""
    x0, y0, width, height = _content_box(False)
    laid = [(b, _wrap(b.text, width - b.indent, b.size, b.bold)) for b in blocks]
    pages: list[list[str]] = [[]]
    y = 0.0
    for index, (block, lines) in enumerate(laid):
        leading = block.size * 1.3
        need = block.before + leading * len(lines)
        if block.keep and index + 1 < len(laid):
            after, after_lines = laid[index + 1]
            need += after.before + after.size * 1.3 * min(2, len(after_lines))
        if y > 0 and y + need > height and (block.keep or len(lines) <= 2):
            pages.append([])
            y = 0.0
        y += block.before if y > 0 else 0
        for line in lines:
            if y + leading > height:
                pages.append([])
                y = 0.0
            pages[-1].append(_text(x0 + block.indent, y0 + y + block.size, line, block.size, block.bold))
            y += leading
    return [PageBody(False, "".join(p)) for p in pages if p]


def _number_place(width: float, height: float) -> tuple[float, float]:
    """Where a page's number goes: its centre and baseline (pt from the left and the top)."""
    return width / 2, height - MARGIN_MM[2] * MM + 4 * MM + HEAD_PT


def qr_box(width: float, height: float) -> tuple[float, float, float]:
    """Where a page's QR code goes: left, top and side (pt), in the bottom right corner."""
    side = QR_MM * MM
    return width - MARGIN_MM[1] * MM - side, height - MARGIN_MM[2] * MM + 2 * MM, side


def furniture(landscape: bool, info: PageInfo, number: int, total: int) -> str:
    """An A4 page's SVG with only its furniture: header (title, review date) and footer (address,
    page number of the whole); the body is drawn over it, the QR code added once per document."""
    w, h = page_size(landscape)
    left, right = MARGIN_MM[3] * MM, w - MARGIN_MM[1] * MM
    top_base = MARGIN_MM[0] * MM - 4 * MM
    bottom_top = h - MARGIN_MM[2] * MM
    furniture = [
        _text(left, top_base, info.title, HEAD_PT, bold=True),
        _text(right, top_base, f"Utoljára átnézve: {info.reviewed}", HEAD_PT, anchor="end"),
        _text(left, bottom_top + 4 * MM + ADDRESS_PT, info.address, ADDRESS_PT, fill="#334155"),
        _text(*_number_place(w, h), _page_number(number, total), HEAD_PT, anchor="middle"),
    ]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w / MM:.3f}mm" height="{h / MM:.3f}mm" '
            f'viewBox="0 0 {w:.3f} {h:.3f}"><rect width="{w:.3f}" height="{h:.3f}" fill="#fff"/>'
            f'{"".join(furniture)}</svg>')


def _page_number(number: int, total: int) -> str:
    return f"{number}. oldal / {total}"


def _node_blocks(corpus: Corpus, tree: Tree, node: Node) -> list[Block]:
    """One node of a tree as compact text, as its section on the tree page."""
    kind = OUTCOME_LABELS[node.outcome] if node.kind == "outcome" and node.outcome else KIND_LABELS[node.kind]
    blocks = [Block(f"{kind}: {node.text}", 10.5, bold=True, before=9, keep=True)]
    if node.details:
        blocks += html_blocks(rich(node.details))
    blocks += [Block(f"{i}. {step}", 9.5, indent=8, before=1) for i, step in enumerate(node.steps, start=1)]
    for answer in node.answers:
        blocks.append(Block(f"• {answer.label} → {target_text(corpus, tree, answer.next)}", 9.5, indent=8, before=1))
    if node.next:
        word = "Folytassa itt" if node.kind == "outcome" else "Tovább"
        blocks.append(Block(f"{word}: {target_text(corpus, tree, node.next)}", 9.5, before=2))
    if node.contact:
        contact = node.contact
        blocks += [Block(f"Kihez forduljon: {contact.who}", 9.5, before=2),
                   Block(f"Hogyan: {contact.channel}", 9.5, before=1),
                   Block("Mit írjon meg: " + "; ".join(contact.include), 9.5, before=1)]
    if node.codes:
        blocks.append(Block("Hibakód: " + ", ".join(normalise(c) for c in node.codes), 9.5, before=2))
    if node.sources:
        blocks.append(Block("Forrás: " + "; ".join(cite(corpus, r) for r in node.sources), 8.5, before=2))
    return blocks


def target_text(corpus: Corpus, tree: Tree, target: str) -> str:
    """Where a `next` leads, as text: the node's text, with the other tree's title before it."""
    found = resolve(corpus, tree, target)
    if found is None:
        return target
    other = corpus.tree(found.tree)
    node = other.node(found.node) if other else None
    text = node.text if node else found.node
    return f"{other.title} › {text}" if found.external and other else text


def tree_blocks(corpus: Corpus, tree: Tree) -> list[Block]:
    """A tree's text part: title, facts, summary, then every node from the start on."""
    blocks = [Block(tree.title, 15, bold=True, before=0, keep=True)]
    facts = [f"Utoljára átnézve: {format_date(tree.reviewed)}"]
    if tree.owner:
        facts.append(f"Gondozó: {tree.owner}")
    if tree.audience:
        facts.append("Kinek szól: " + ", ".join(tree.audience))
    blocks.append(Block(" · ".join(facts), 9, before=4))
    blocks += html_blocks(rich(tree.summary), 10)
    blocks.append(Block("Lépések", 12.5, bold=True, before=12, keep=True))
    order = [tree.start] + [n.id for n in tree.nodes if n.id != tree.start]
    for node_id in order:
        node = tree.node(node_id)
        if node is not None:
            blocks += _node_blocks(corpus, tree, node)
    return blocks


def code_index_blocks(corpus: Corpus) -> list[Block]:
    """The code index of the handbook: every code, its title, and the trees that handle it."""
    handlers = handlers_by_code(corpus)
    blocks = [Block("Hibakódok", 15, bold=True, before=0, keep=True)]
    for entry in sorted(corpus.codes, key=lambda e: code_sort_key(normalise(e.code))):
        code = normalise(entry.code) if not entry.message else f"„{entry.code}”"
        trees = sorted({h.tree_title for h in handlers.get(normalise(entry.code), [])})
        blocks.append(Block(f"{code} – {entry.title}", 10, bold=True, before=6, keep=True))
        if trees:
            blocks.append(Block("Fa: " + "; ".join(trees), 9, indent=8, before=1))
    return blocks


def latest(trees: Sequence[Tree]) -> str:
    """The latest review date of the trees, formatted."""
    return format_date(max((t.reviewed for t in trees if t.reviewed), default=None))


def contents_blocks(site_name: str, chapters: Sequence[tuple[str, int]], first: int) -> list[Block]:
    """The handbook's contents: each chapter with the page it starts on (pages counted from `first`)."""
    blocks = [Block(site_name, 16, bold=True, before=0), Block("Kézikönyv: minden folyamatábra és a hibakódok", 11,
                                                              before=4),
              Block("Tartalom", 12.5, bold=True, before=14, keep=True)]
    page = first
    for title, count in chapters:
        blocks.append(Block(f"{title} ........ {page}. oldal", 10, before=3))
        page += count
    return blocks
