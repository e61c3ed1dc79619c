"""Printed pages: what every A4 page carries (title, review date, address, QR code, page number),
and the PDFs: one per tree (its sheets, then its steps as text) and the handbook (every flowchart
and the code index). Pages are laid out as SVG and drawn into PDF by our own writer (`pdfsvg`,
`pdfwrite`), which keeps text as real, searchable text in embedded fonts; PDFs are cached by content
like the SVGs."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import os
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

import segno

from .codes import normalise
from .draw import FONT
from .graph import resolve
from .model import Corpus, Node, Tree
from .pages.code_pages import code_sort_key, handlers_by_code
from .pages.links import CODE_INDEX_SRC, relative, src_to_url, tree_src
from .pages.tree_page import KIND_LABELS, OUTCOME_LABELS, cite, format_date
from .pdfsvg import draw_svg, svg_page
from .pdfwrite import Document, Drawing, Page, record
from .render import source_digest, write_text
from .sheets import (CAPTION_PT, MARGIN_MM, MM, PAGE_MM, PagePrint, Sheet, front_matter, legend_svg, plan_sheets,
                     sheets_html, text_width)
from .text import lines, rich

__all__ = [
    "PageInfo",
    "PageBody",
    "PrintSet",
    "Block",
    "HANDBOOK_PATH",
    "tree_pdf_path",
    "tree_blocks",
    "code_index_blocks",
    "build_pdfs",
    "PrintedSite",
    "print_site",
    "page_address",
    "write_pdf",
    "page_links",
    "css_string",
    "qr_svg",
    "margin_css",
    "html_blocks",
    "sheet_page",
    "text_pages",
    "to_pdf",
    "Stats",
    "stats",
    "site_pdfs",
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


def _page_size(landscape: bool) -> tuple[float, float]:
    w, h = PAGE_MM[1] * MM, PAGE_MM[0] * MM
    return (w, h) if landscape else (h, w)


def _content_box(landscape: bool) -> tuple[float, float, float, float]:
    """x, y, width, height (pt) of a page's content area, inside the margins."""
    top, right, bottom, left = (m * MM for m in MARGIN_MM)
    w, h = _page_size(landscape)
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


def _qr_box(width: float, height: float) -> tuple[float, float, float]:
    """Where a page's QR code goes: left, top and side (pt), in the bottom right corner."""
    side = QR_MM * MM
    return width - MARGIN_MM[1] * MM - side, height - MARGIN_MM[2] * MM + 2 * MM, side


def _furniture(landscape: bool, info: PageInfo, number: int, total: int) -> str:
    """An A4 page's SVG with only its furniture: header (title, review date) and footer (address,
    page number of the whole); the body is drawn over it, the QR code added once per document."""
    w, h = _page_size(landscape)
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


@dataclass
class Stats:
    """Counters for tests and benchmarks: PDF documents written, pages added to them, and page bodies
    drawn from their SVG (a sheet is drawn once for its tree's PDF and the handbook)."""

    documents_written: int = 0
    pages_rendered: int = 0
    bodies_drawn: int = 0


stats = Stats()


_QR_SIZE = re.compile(r'viewBox="0 0 (\d+) \1"')
_QR_RUN = re.compile(r"M(\d+) (\d+)h(\d+)v1h-\d+z")


def _draw_qr(form: Page, qr: str) -> None:
    """A QR code made by `qr_svg` filling `form`: a white square, then each run of dark modules as a
    rectangle (what `pdfsvg` would draw of it, without parsing its path data)."""
    found = _QR_SIZE.search(qr)
    if found is None:
        raise ValueError("not a QR code of qr_svg")
    size = int(found.group(1))
    scale = form.width / size
    form.transform(scale, 0, 0, scale, 0, 0)
    form.fill_color((1.0, 1.0, 1.0))
    form.rect(0, 0, size, size)
    form.paint(fill=True, stroke=False)
    form.fill_color((0.0, 0.0, 0.0))
    form.path(" ".join(f"{x} {y} {w} 1 re" for x, y, w in _QR_RUN.findall(qr)))
    form.paint(fill=True, stroke=False)


def _qr_form(page: Page, qr: str) -> None:
    """A page's QR code in its bottom right corner, stored once per document (`Page.form`)."""
    x, y, side = _qr_box(page.width, page.height)
    page.save()
    page.transform(1, 0, 0, 1, x, y)
    page.form("qr-" + _digest(qr), side, side, lambda form: _draw_qr(form, qr))
    page.restore()


def _drawn(body: PageBody) -> Drawing:
    """A page body drawn from its SVG once, to be put on pages of one document or more."""
    w, h = _page_size(body.landscape)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{w:.3f}pt" '
           f'height="{h:.3f}pt" viewBox="0 0 {w:.3f} {h:.3f}">{body.content}</svg>')
    stats.bodies_drawn += 1
    return record(w, h, lambda page: draw_svg(page, svg))


def _add_page(document: Document, landscape: bool, body: Drawing, info: PageInfo, number: int, total: int) -> None:
    """A page of `document`: its furniture, numbered `number` of `total`, the body, the QR code."""
    page = svg_page(_furniture(landscape, info, number, total))
    page.replay(body)
    if info.qr:
        _qr_form(page, info.qr)
    document.add(page)
    stats.pages_rendered += 1


def write_pdf(bodies: Sequence[tuple[PageBody, PageInfo]], title: str, day: dt.date, out: BinaryIO) -> None:
    """One PDF of these page bodies, each with its furniture and QR code, numbered as pages of this
    document and dated `day`, so that equal input gives equal bytes."""
    _write_document(Document(title, day), [(b.landscape, _drawn(b), info) for b, info in bodies], out)


def _write_document(document: Document, pages: Sequence[tuple[bool, Drawing, PageInfo]], out: BinaryIO) -> None:
    for number, (landscape, body, info) in enumerate(pages, start=1):
        _add_page(document, landscape, body, info, number, len(pages))
    stats.documents_written += 1
    document.write(out)


def to_pdf(bodies: Sequence[tuple[PageBody, PageInfo]], title: str, day: dt.date) -> bytes:
    """`write_pdf` into bytes."""
    out = io.BytesIO()
    write_pdf(bodies, title, day, out)
    return out.getvalue()


def _node_blocks(corpus: Corpus, tree: Tree, node: Node) -> list[Block]:
    """One node of a tree as compact text, as its section on the tree page."""
    kind = OUTCOME_LABELS[node.outcome] if node.kind == "outcome" and node.outcome else KIND_LABELS[node.kind]
    blocks = [Block(f"{kind}: {node.text}", 10.5, bold=True, before=9, keep=True)]
    if node.details:
        blocks += html_blocks(rich(node.details))
    blocks += [Block(f"{i}. {step}", 9.5, indent=8, before=1) for i, step in enumerate(node.steps, start=1)]
    for answer in node.answers:
        blocks.append(Block(f"• {answer.label} → {_target_text(corpus, tree, answer.next)}", 9.5, indent=8, before=1))
    if node.next:
        word = "Folytassa itt" if node.kind == "outcome" else "Tovább"
        blocks.append(Block(f"{word}: {_target_text(corpus, tree, node.next)}", 9.5, before=2))
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


def _target_text(corpus: Corpus, tree: Tree, target: str) -> str:
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


@dataclass(frozen=True)
class PrintSet:
    """What the site's printed pages need: each tree's page facts, and the code index's."""

    trees: dict[str, PageInfo]
    index: PageInfo
    site_name: str


def _digest(*texts: str) -> str:
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode("utf-8") + b"\0")
    return digest.hexdigest()


def _text_inputs(corpus: Corpus, tree: Tree) -> str:
    """Everything `tree_blocks` reads, as text: the tree, where each of its `next`s leads (other trees'
    titles and node texts) and the sources it cites. It names a tree's cached PDF, so that its pages
    need not be laid out to learn whether they changed: keep it in step with `tree_blocks`."""
    targets = [a.next for n in tree.nodes for a in n.answers] + [n.next for n in tree.nodes if n.next]
    return repr((tree, [_target_text(corpus, tree, t) for t in targets],
                 [cite(corpus, ref) for n in tree.nodes for ref in n.sources]))


def _write_with(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write a file atomically with `write`: into a temporary file in the same folder, then os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class _Handbook:
    """The handbook, drawn as the trees' PDFs are: contents (the page each chapter starts on), each
    tree's sheets (the drawings its PDF uses too), then the code index; numbered through."""

    def __init__(self, corpus: Corpus, trees: Sequence[Tree], sheets: Mapping[str, Sequence[Sheet]],
                 facts: PrintSet, day: dt.date) -> None:
        self.index = [(b, facts.index) for b in text_pages(code_index_blocks(corpus))]
        chapters = [(t.title, len(sheets[t.id])) for t in trees] + [("Hibakódok", len(self.index))]
        start = 1 + len(text_pages(_contents_blocks(facts.site_name, chapters, 0)))
        contents = text_pages(_contents_blocks(facts.site_name, chapters, start))
        self.total = len(contents) + sum(count for _, count in chapters)
        self.number = 0
        self.document = Document(f"{facts.site_name}: kézikönyv", day)
        info = PageInfo(facts.site_name, _latest(trees), facts.index.address, facts.index.qr)
        self.add([(b.landscape, _drawn(b)) for b in contents], info)

    def add(self, pages: Sequence[tuple[bool, Drawing]], info: PageInfo) -> None:
        """The next pages, all with `info`'s furniture."""
        for landscape, body in pages:
            self.number += 1
            _add_page(self.document, landscape, body, info, self.number, self.total)

    def write(self, out: BinaryIO) -> None:
        """The code index, then the whole handbook into `out`."""
        for body, info in self.index:
            self.add([(body.landscape, _drawn(body))], info)
        stats.documents_written += 1
        self.document.write(out)


def build_pdfs(corpus: Corpus, trees: Sequence[Tree], sheets: Mapping[str, Sequence[Sheet]], facts: PrintSet,
               cache_dir: Path | None) -> dict[str, bytes]:
    """Every PDF of the site by path: `pdf/<tree-id>.pdf` (sheets, then the steps) and HANDBOOK_PATH
    (contents, every tree's sheets, the code index). Each is kept in `cache_dir` under a digest of all
    it shows, so a build where nothing changed draws nothing, and an edit draws the edited tree's PDF
    (and the handbook, when its sheets changed). A sheet is drawn from its SVG once for both."""
    with tempfile.TemporaryDirectory(prefix="fa-pdf-") as tmp:
        store = cache_dir if cache_dir is not None else Path(tmp)
        digests = {id(s): _sheet_digests([s])[0] for t in trees for s in sheets[t.id]}  # each sheet hashed once
        paths = {t.id: store / "tree-{}.pdf".format(_digest(source_digest(), "tree", _text_inputs(corpus, t),
                                                             repr(facts.trees[t.id]), str(_day(t)),
                                                             *(digests[id(s)] for s in sheets[t.id])))
                 for t in trees}
        day = max((t.reviewed for t in trees if t.reviewed), default=_EPOCH)
        key = _digest(source_digest(), "handbook", repr(facts.index), facts.site_name, str(day),
                      repr(code_index_blocks(corpus)),
                      *(f"{t.title}\0{facts.trees[t.id]!r}\0" + "\0".join(digests[id(s)] for s in sheets[t.id])
                        for t in trees))
        handbook = store / f"handbook-{key}.pdf"
        book = _Handbook(corpus, trees, sheets, facts, day) if not handbook.exists() else None
        for tree in trees:
            own = not paths[tree.id].exists()
            if not own and book is None:
                continue
            info = facts.trees[tree.id]
            drawn = [(b.landscape, _drawn(b)) for b in map(sheet_page, sheets[tree.id])]
            if own:
                pages = drawn + [(b.landscape, _drawn(b)) for b in text_pages(tree_blocks(corpus, tree))]
                document = Document(tree.title, _day(tree))
                _write_with(paths[tree.id], lambda out: _write_document(document, [(*p, info) for p in pages], out))
            if book is not None:
                book.add(drawn, info)
        if book is not None:
            _write_with(handbook, book.write)
            for old in store.glob("handbook-*.pdf"):
                if old != handbook:  # only the latest: each holds every sheet of the site
                    old.unlink(missing_ok=True)
        assets = {tree_pdf_path(t.id): paths[t.id].read_bytes() for t in trees}
        assets[HANDBOOK_PATH] = handbook.read_bytes()
    return assets


def _day(tree: Tree) -> dt.date:
    """The date a tree's PDF carries: its review date."""
    return tree.reviewed or _EPOCH


def tree_pdf_path(tree_id: str) -> str:
    """Where a tree's PDF lives in the site."""
    return f"pdf/{tree_id}.pdf"


HANDBOOK_PATH = "pdf/kezikonyv.pdf"
_EPOCH = dt.date(2026, 1, 1)


def _latest(trees: Sequence[Tree]) -> str:
    """The latest review date of the trees, formatted."""
    return format_date(max((t.reviewed for t in trees if t.reviewed), default=None))


def _contents_blocks(site_name: str, chapters: Sequence[tuple[str, int]], first: int) -> list[Block]:
    """The handbook's contents: each chapter with the page it starts on (pages counted from `first`)."""
    blocks = [Block(site_name, 16, bold=True, before=0), Block("Kézikönyv: minden folyamatábra és a hibakódok", 11,
                                                              before=4),
              Block("Tartalom", 12.5, bold=True, before=14, keep=True)]
    page = first
    for title, count in chapters:
        blocks.append(Block(f"{title} ........ {page}. oldal", 10, before=3))
        page += count
    return blocks


@dataclass(frozen=True)
class PrintedSite:
    """Everything print adds to the site: per tree id what its page adds, the handbook link for the
    code index, and the PDFs (path in the site -> bytes)."""

    pages: dict[str, PagePrint]
    index_html: str
    assets: dict[str, bytes]


def page_address(src: str, site_url: str, site_name: str) -> str:
    """The address printed on a page: its full URL when the site's address is known, else the
    site's name and the page's path in it."""
    path = src_to_url(src)
    if site_url:
        return site_url.rstrip("/") + "/" + quote(path, safe="/.-_~")
    return f"{site_name} › {path}" if site_name else path


def _info(title: str, reviewed: str, src: str, site_url: str, site_name: str, store: Path | None) -> PageInfo:
    address = page_address(src, site_url, site_name)
    return PageInfo(title, reviewed, address, _qr(address, store) if site_url else None)


def _qr(address: str, store: Path | None) -> str:
    """`qr_svg(address)`, kept in `store`: encoding one takes tens of milliseconds, and every page
    needs its own in every build."""
    if store is None:
        return qr_svg(address)
    path = store / f"qr-{_digest(source_digest(), address)}.svg"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        svg = qr_svg(address)
        write_text(path, svg)
        return svg


def _sheet_digests(sheets: Sequence[Sheet]) -> list[str]:
    """What names a tree's drawn sheets: number, count and a digest of each drawing."""
    return [f"{s.number}/{s.count} {hashlib.sha256(s.svg.encode('utf-8')).hexdigest()}" for s in sheets]


def _page_print(tree: Tree, sheets: Sequence[Sheet], info: PageInfo, store: Path | None) -> PagePrint:
    """What a tree's page adds for print, kept in `store` under a digest of all it shows: making the
    sheets embeddable in the page is the costly part of a rebuild otherwise."""
    path = store / f"page-{_digest(source_digest(), tree.id, tree.title, repr(info), *_sheet_digests(sheets))}.txt" \
        if store is not None else None
    if path is not None:
        try:
            return PagePrint(*path.read_text(encoding="utf-8").split("\0"))
        except (OSError, TypeError):
            pass
    made = PagePrint(front_matter(margin_css(info, bool(sheets) and sheets[0].fit.landscape)),
                     sheets_html(tree.title, sheets), page_links(tree_src(tree.id), tree.id))
    if path is not None:  # NUL never occurs in HTML (nor in XML)
        write_text(path, "\0".join([made.front_matter, made.sheets_html, made.links_html]))
    return made


def page_links(src: str, tree_id: str | None) -> str:
    """The PDF links of a page: its tree's PDF (when a tree page) and the handbook."""
    links = []
    if tree_id is not None:
        links.append(f'<a class="fa-pdf" href="{relative(src, tree_pdf_path(tree_id))}" type="application/pdf">'
                     f"PDF letöltése (A4)</a>")
    links.append(f'<a class="fa-pdf fa-kezikonyv" href="{relative(src, HANDBOOK_PATH)}" type="application/pdf">'
                 f"Kézikönyv nyomtatáshoz (PDF, A4): minden folyamatábra és a hibakódok</a>")
    return '<p class="fa-print-links">' + " · ".join(links) + "</p>"


def _facts(trees: Sequence[Tree], site_url: str, site_name: str, store: Path | None = None) -> PrintSet:
    """Each tree page's and the code index's printed facts (title, date, address, QR code kept in `store`)."""
    infos = {t.id: _info(t.title, format_date(t.reviewed), tree_src(t.id), site_url, site_name, store) for t in trees}
    index = _info("Hibakódok", _latest(trees), CODE_INDEX_SRC, site_url, site_name, store)
    return PrintSet(infos, index, site_name)


def _pdf_cache(cache_dir: Path | None) -> Path | None:
    """Where PDFs are kept: next to the SVG cache (`<cache_dir>/../pdf`)."""
    return cache_dir.parent / "pdf" if cache_dir is not None else None


def _print_cache(cache_dir: Path | None) -> Path | None:
    """Where pages' print additions and QR codes are kept: next to the SVG cache (`<cache_dir>/../print`)."""
    return cache_dir.parent / "print" if cache_dir is not None else None


def print_site(corpus: Corpus, trees: Sequence[Tree], cache_dir: Path | None, site_url: str = "",
               site_name: str = "", pdfs: bool = True) -> PrintedSite:
    """Split every tree into sheets, and make what its page adds for print and, with `pdfs`, every PDF.
    With `pdfs=False` no PDF is drawn and `assets` is empty (the pages still link
    the PDFs): `site_pdfs` makes them later, e.g. after `mkdocs serve` has shown the pages."""
    sheets = plan_sheets(corpus, trees, cache_dir)
    facts = _facts(trees, site_url, site_name, _print_cache(cache_dir))
    assets = build_pdfs(corpus, trees, sheets, facts, _pdf_cache(cache_dir)) if pdfs else {}
    pages = {t.id: _page_print(t, sheets[t.id], facts.trees[t.id], _print_cache(cache_dir)) for t in trees}
    return PrintedSite(pages, page_links(CODE_INDEX_SRC, None), assets)


def site_pdfs(corpus: Corpus, trees: Sequence[Tree], cache_dir: Path | None, site_url: str = "",
              site_name: str = "") -> dict[str, bytes]:
    """Every PDF of the site (path in the site -> bytes), as `print_site(..., pdfs=True)` adds them;
    the sheet plans come from the cache in `cache_dir`, so after `print_site` no tree is planned again."""
    sheets = plan_sheets(corpus, trees, cache_dir)
    facts = _facts(trees, site_url, site_name, _print_cache(cache_dir))
    return build_pdfs(corpus, trees, sheets, facts, _pdf_cache(cache_dir))
