"""Printed pages: what every A4 page carries (title, review date, address, QR code, page number),
and the PDFs: one per tree (its sheets, then its steps as text) and the handbook (every flowchart
and the code index). Pages are drawn as SVG and turned into PDF by `rsvg-convert`, which keeps text
as real, searchable text with embedded fonts; PDFs are cached by content like the SVGs."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import html
import os
import re
import shutil
import subprocess
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

import segno
from pypdf import PdfReader

from .codes import normalise
from .draw import FONT
from .graph import resolve
from .model import Corpus, Node, Tree
from .pages.code_pages import code_sort_key, handlers_by_code
from .pages.links import CODE_INDEX_SRC, relative, src_to_url, tree_src
from .pages.tree_page import KIND_LABELS, OUTCOME_LABELS, cite, format_date
from .pdfjoin import NUMERALS, Document, Mark, Numerals, Place
from .render import RenderError, source_digest, stored_version, write_text
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
    "RSVG_HINT",
    "PDFUNITE_HINT",
    "css_string",
    "qr_svg",
    "margin_css",
    "html_blocks",
    "sheet_page",
    "text_pages",
    "finish_pages",
    "to_pdf",
    "Stats",
    "stats",
    "site_pdfs",
]

RSVG_HINT = ("'rsvg-convert' not found: install it with `sudo apt-get install librsvg2-bin` (Debian/Ubuntu), "
             "it makes the PDFs")
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


def _place(width: float, height: float) -> Place:
    """Where the number and the QR code go on a page joined from parts (as `finish_pages` puts them)."""
    return Place(*_number_place(width, height), *_qr_box(width, height))


def finish_pages(bodies: Sequence[tuple[PageBody, PageInfo]], numbered: bool = True) -> list[str]:
    """Whole A4 page SVGs: each body with its header (title, review date), footer (address, page
    number of the whole) and QR code. Without `numbered`, the page number is left out: the pages are
    numbered when joined into a document (`pdfjoin.join`), so they can go into more than one."""
    total = len(bodies)
    pages = []
    for number, (body, info) in enumerate(bodies, start=1):
        w, h = _page_size(body.landscape)
        left, right = MARGIN_MM[3] * MM, w - MARGIN_MM[1] * MM
        top_base = MARGIN_MM[0] * MM - 4 * MM
        bottom_top = h - MARGIN_MM[2] * MM
        furniture = [
            _text(left, top_base, info.title, HEAD_PT, bold=True),
            _text(right, top_base, f"Utoljára átnézve: {info.reviewed}", HEAD_PT, anchor="end"),
            _text(left, bottom_top + 4 * MM + ADDRESS_PT, info.address, ADDRESS_PT, fill="#334155"),
        ]
        if numbered:
            furniture.append(_text(*_number_place(w, h), _page_number(number, total), HEAD_PT, anchor="middle"))
        if info.qr:
            x, y, side = _qr_box(w, h)
            furniture.append(_nest(info.qr, x, y, side, side))
        pages.append(f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
                     f'width="{w / MM:.3f}mm" height="{h / MM:.3f}mm" viewBox="0 0 {w:.3f} {h:.3f}">'
                     f'<rect width="{w:.3f}" height="{h:.3f}" fill="#fff"/>{"".join(furniture)}{body.content}</svg>')
    return pages


def _page_number(number: int, total: int) -> str:
    return f"{number}. oldal / {total}"


@dataclass(frozen=True)
class _Rsvg:
    """The `rsvg-convert` on PATH and its version."""

    exe: str
    version: str


def _rsvg(cache_dir: Path | None = None) -> _Rsvg:
    """`rsvg-convert` and its version, remembered in `<cache_dir>.rsvg-version` under the binary's path,
    size and mtime, so a build with every PDF cached starts no process (as render.py does for `dot`)."""
    exe = shutil.which("rsvg-convert")
    if exe is None:
        raise RenderError(RSVG_HINT)
    memo = cache_dir.with_name(cache_dir.name + ".rsvg-version") if cache_dir is not None else None
    return _Rsvg(exe, stored_version(exe, memo, _rsvg_version))


@dataclass
class Stats:
    """Counters for tests and benchmarks: `rsvg-convert` processes started (version probes included)
    and the pages they rendered."""

    processes_started: int = 0
    pages_rendered: int = 0


stats = Stats()


@functools.lru_cache(maxsize=None)
def _rsvg_version(exe: str) -> str:
    stats.processes_started += 1
    done = subprocess.run([exe, "--version"], capture_output=True, timeout=30, check=False)
    return done.stdout.decode("utf-8", "replace").strip()


def _count(pages: int) -> None:
    stats.processes_started += 1
    stats.pages_rendered += pages


def _epoch(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp())


def _convert(exe: str, pages: Sequence[str], out: Path, day: dt.date) -> None:
    """Render page SVGs into one PDF at `out` (written atomically), dated `day` so that equal input
    gives equal bytes. Counted in `stats` by the caller (this runs in worker threads)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, made = tempfile.mkstemp(dir=out.parent, prefix=f".{out.stem}.", suffix=".tmp")
    os.close(fd)
    try:
        with tempfile.TemporaryDirectory(prefix="fa-pdf-") as tmp:
            files = []
            for number, page in enumerate(pages, start=1):
                path = Path(tmp) / f"oldal-{number:04d}.svg"
                path.write_text(page, encoding="utf-8")
                files.append(str(path))
            done = subprocess.run([exe, "-f", "pdf", "-o", made, *files], capture_output=True, timeout=300,
                                  check=False, env={**os.environ, "SOURCE_DATE_EPOCH": str(_epoch(day))})
        if done.returncode != 0 or not os.path.getsize(made):
            raise RenderError(f"rsvg-convert failed (exit {done.returncode}): "
                              + done.stderr.decode("utf-8", "replace").strip())
        os.replace(made, out)
    finally:
        Path(made).unlink(missing_ok=True)


def to_pdf(pages: Sequence[str], day: dt.date, cache_dir: Path | None) -> bytes:
    """One PDF of the page SVGs, dated `day` (so equal input gives equal bytes), cached in `cache_dir`."""
    rsvg = _rsvg(cache_dir)
    key = hashlib.sha256("\0".join([rsvg.version, day.isoformat(), *pages]).encode("utf-8")).hexdigest()
    if cache_dir is not None and (cache_dir / f"{key}.pdf").exists():
        return (cache_dir / f"{key}.pdf").read_bytes()
    with tempfile.TemporaryDirectory(prefix="fa-pdf-") as tmp:
        out = (cache_dir or Path(tmp)) / f"{key}.pdf"
        _count(len(pages))
        _convert(rsvg.exe, pages, out, day)
        return out.read_bytes()


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


_NUMBER_COLOR = (15 / 255, 23 / 255, 42 / 255)  # #0f172a, as the rest of the page furniture


@dataclass(frozen=True)
class _Part:
    """Pages rendered once into a PDF of their own, `path`, named by `key` (a digest of all they
    show), unnumbered; `pages` makes their SVGs, called only when the part must be rendered."""

    key: str
    path: Path
    pages: Callable[[], list[str]]


def _digest(*texts: str) -> str:
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode("utf-8") + b"\0")
    return digest.hexdigest()


def _text_inputs(corpus: Corpus, tree: Tree) -> str:
    """Everything `tree_blocks` reads, as text: the tree, where each of its `next`s leads (other trees'
    titles and node texts) and the sources it cites. It names a tree's cached PDF pages, so that they
    need not be laid out to learn whether they changed: keep it in step with `tree_blocks`."""
    targets = [a.next for n in tree.nodes for a in n.answers] + [n.next for n in tree.nodes if n.next]
    return repr((tree, [_target_text(corpus, tree, t) for t in targets],
                 [cite(corpus, ref) for n in tree.nodes for ref in n.sources]))


def _tree_part(corpus: Corpus, tree: Tree, sheets: Sequence[Sheet], info: PageInfo, store: Path,
               version: str) -> _Part:
    """A tree's pages: its sheets, then its steps as text."""
    bare = _bare(info)
    key = _digest(source_digest(), version, "tree", _text_inputs(corpus, tree), repr(bare), *_sheet_digests(sheets))

    def pages() -> list[str]:
        bodies = [(sheet_page(s), bare) for s in sheets] + [(b, bare) for b in text_pages(tree_blocks(corpus, tree))]
        return finish_pages(bodies, numbered=False)

    return _Part(key, store / f"part-{key}.pdf", pages)


def _handbook_part(corpus: Corpus, trees: Sequence[Tree], sheets: Mapping[str, Sequence[Sheet]], facts: PrintSet,
                   store: Path, version: str) -> tuple[_Part, int, int]:
    """The handbook's own pages, its contents (the page each chapter starts on) and the code index;
    how many of them are contents, and how many there are."""
    index = text_pages(code_index_blocks(corpus))
    chapters = [(t.title, len(sheets[t.id])) for t in trees] + [("Hibakódok", len(index))]
    start = 1 + len(text_pages(_contents_blocks(facts.site_name, chapters, 0)))
    contents = text_pages(_contents_blocks(facts.site_name, chapters, start))
    info = PageInfo(facts.site_name, _latest(trees), facts.index.address)
    svgs = finish_pages([(b, info) for b in contents] + [(b, _bare(facts.index)) for b in index], numbered=False)
    key = _digest(source_digest(), version, "handbook", *svgs)
    return _Part(key, store / f"part-{key}.pdf", lambda: svgs), len(contents), len(svgs)


def _bare(info: PageInfo) -> PageInfo:
    """A page's facts without its QR code, which is added as pages are joined (once per document)."""
    return PageInfo(info.title, info.reviewed, info.address)


def _numerals_part(store: Path, version: str) -> _Part:
    """One line of every character of a page number, for the font numbers are set in."""
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="200pt" height="20pt" viewBox="0 0 200 20">'
           f'{_text(0, 15, NUMERALS, HEAD_PT)}</svg>')
    key = _digest(version, svg)
    return _Part(key, store / f"numerals-{key}.pdf", lambda: [svg])


def _render(parts: Iterable[_Part], exe: str) -> Iterator[_Part]:
    """Each part, in order, once its PDF is there: those not kept yet are rendered by as many
    `rsvg-convert` processes at once as there are cores, while the caller joins the parts yielded
    before. A part's page SVGs are made just before it renders, so only a few parts' are held."""
    workers = max(1, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        queue: deque[tuple[_Part, Future[None] | None]] = deque()
        for part in parts:
            future = None
            if not part.path.exists():
                pages = part.pages()
                _count(len(pages))
                future = pool.submit(_convert, exe, pages, part.path, _EPOCH)
            queue.append((part, future))
            while len(queue) > 2 * workers:
                yield _rendered(*queue.popleft())
        while queue:
            yield _rendered(*queue.popleft())


def _rendered(part: _Part, future: Future[None] | None) -> _Part:
    if future is not None:
        future.result()
    return part


def _write_with(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write a file atomically with `write`: into a temporary file in the same folder, then os.replace."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build_pdfs(corpus: Corpus, trees: Sequence[Tree], sheets: Mapping[str, Sequence[Sheet]], facts: PrintSet,
               cache_dir: Path | None) -> dict[str, bytes]:
    """Every PDF of the site by path: `pdf/<tree-id>.pdf` (sheets, then the steps) and HANDBOOK_PATH
    (contents, every tree's sheets, the code index).

    Each tree's pages are rendered once, without page numbers, into a part kept in `cache_dir` under
    a digest of everything they show. Its PDF is joined from the part and numbered (`pdfjoin`), and
    so is its chapter of the handbook (its sheets, numbered as handbook pages); the chapters are put
    together by poppler's `pdfunite`. All of these are kept too: a build where nothing changed
    renders nothing and starts no process, and an edit renders the edited tree's part only and joins
    its PDF and its chapter (every chapter when the handbook's page count changes)."""
    rsvg = _rsvg(cache_dir)
    with tempfile.TemporaryDirectory(prefix="fa-pdf-") as tmp:
        store = cache_dir if cache_dir is not None else Path(tmp)
        store.mkdir(parents=True, exist_ok=True)
        parts = {t.id: _tree_part(corpus, t, sheets[t.id], facts.trees[t.id], store, rsvg.version) for t in trees}
        extra, contents, own_pages = _handbook_part(corpus, trees, sheets, facts, store, rsvg.version)
        total = own_pages + sum(len(sheets[t.id]) for t in trees)
        finals = {t.id: store / "tree-{}.pdf".format(_digest(source_digest(), parts[t.id].key, t.title, str(_day(t)),
                                                             facts.trees[t.id].qr or "")) for t in trees}
        firsts, first = {}, contents + 1
        for tree in trees:
            firsts[tree.id], first = first, first + len(sheets[tree.id])
        chapters = {t.id: store / "chapter-{}.pdf".format(_digest(source_digest(), parts[t.id].key, str(firsts[t.id]),
                                                                  str(total), facts.trees[t.id].qr or ""))
                    for t in trees if sheets[t.id]}
        head, tail = (store / "chapter-{}.pdf".format(_digest(source_digest(), extra.key, end, str(total),
                                                              facts.index.qr or "")) for end in ("head", "tail"))
        listed = [head, *chapters.values(), tail]
        handbook = store / "handbook-{}.pdf".format(_digest(*(p.name for p in listed)))
        united = not handbook.exists()
        wanted = [parts[t.id] for t in trees
                  if not finals[t.id].exists() or (united and t.id in chapters and not chapters[t.id].exists())]
        numerals = _numerals_part(store, rsvg.version)
        if wanted or united:
            for _ in _render([numerals, extra] if united else [numerals], rsvg.exe):  # before anything is joined
                pass
        marks: dict[str, Mark] = {}

        @functools.cache
        def font() -> Numerals:  # read once, when first needed
            return Numerals(numerals.path)

        def mark(info: PageInfo) -> Mark | None:
            if info.qr and info.qr not in marks:
                marks[info.qr] = _qr_mark(info.qr)
            return marks[info.qr] if info.qr else None

        def number(path: Path, reader: PdfReader, pages: range, first: int, count: int, info: PageInfo,
                   title: str, day: dt.date) -> None:
            """Write the PDF of these pages of a part, numbered from `first` of `count`."""
            document = Document(font(), _place, HEAD_PT, _NUMBER_COLOR)
            for page, index in enumerate(pages, start=first):
                document.add(reader, index, _page_number(page, count), mark(info))
            _write_with(path, lambda out: document.write(out, title, day))

        day = max((t.reviewed for t in trees if t.reviewed), default=_EPOCH)
        by_part = {parts[t.id].path: t for t in trees}
        for part in _render(wanted, rsvg.exe):  # each part read once, for its tree's PDF and its chapter
            tree = by_part[part.path]
            final, chapter, info = finals[tree.id], chapters.get(tree.id), facts.trees[tree.id]
            reader = PdfReader(part.path)
            if not final.exists():
                count = len(reader.pages)
                number(final, reader, range(count), 1, count, info, tree.title, _day(tree))
            if united and chapter is not None and not chapter.exists():
                number(chapter, reader, range(len(sheets[tree.id])), firsts[tree.id], total, info, tree.title, day)
        assets = {tree_pdf_path(t.id): finals[t.id].read_bytes() for t in trees}
        if united:
            if not (head.exists() and tail.exists()):
                own, title = PdfReader(extra.path), f"{facts.site_name}: kézikönyv"
                number(head, own, range(contents), 1, total, facts.index, title, day)
                number(tail, own, range(contents, own_pages), total - own_pages + contents + 1, total, facts.index,
                       title, day)
            _unite(listed, handbook)
            for old in [*store.glob("handbook-*.pdf"), *store.glob("chapter-*.pdf")]:
                if old != handbook and old not in listed:  # only the latest: they add up to all the sheets
                    old.unlink(missing_ok=True)
        assets[HANDBOOK_PATH] = handbook.read_bytes()
    return assets


PDFUNITE_HINT = ("'pdfunite' not found: install it with `sudo apt-get install poppler-utils` (Debian/Ubuntu), "
                 "it puts the handbook together")
_TRAILER = re.compile(rb"trailer\s*<<(.*)>>\s*startxref\s*(\d+)\s*%%EOF\s*$", re.S)


def _unite(chapters: Sequence[Path], out: Path) -> None:
    """Put PDFs together into `out` (written atomically) with poppler's `pdfunite`, which copies the
    pages without holding them all in memory. pdfunite draws the file identifier (/ID) from the
    clock: the trailer is written anew with one made of the files' names (digests of their content),
    so equal input gives equal bytes."""
    exe = shutil.which("pdfunite")
    if exe is None:
        raise RenderError(PDFUNITE_HINT)
    fd, made = tempfile.mkstemp(dir=out.parent, prefix=f".{out.stem}.", suffix=".tmp")
    os.close(fd)
    try:
        stats.processes_started += 1
        done = subprocess.run([exe, *map(str, chapters), made], capture_output=True, timeout=600, check=False)
        if done.returncode != 0:
            raise RenderError(f"pdfunite failed (exit {done.returncode}): " + done.stderr.decode("utf-8", "replace").strip())
        with open(made, "r+b") as pdf:
            pdf.seek(max(0, os.path.getsize(made) - 4096))
            at = pdf.tell()
            end = pdf.read()
            start = end.rfind(b"trailer")
            found = _TRAILER.match(end, start) if start >= 0 else None
            size, root = (re.search(rb"/Size (\d+)", found.group(1)),
                          re.findall(rb"/Root (\d+) (\d+) R", found.group(1))) if found else (None, [])
            if found is None or size is None or not root:
                raise RenderError("pdfunite wrote a PDF without the trailer expected")
            pdf.seek(int(found.group(2)))
            table = re.match(rb"xref\s+0\s+(\d+)", pdf.read(64))  # /Size: the table's entries (pdfunite counts fewer)
            entries = max(int(size.group(1)), int(table.group(1)) if table else 0)
            ident = _digest(*(path.name for path in chapters))[:32].encode()
            pdf.seek(at + start)
            pdf.truncate()
            pdf.write(b"trailer\n<< /Size %d /Root %s %s R /ID [<%s> <%s>] >>\nstartxref\n%s\n%%%%EOF\n"
                      % (entries, *root[-1], ident, ident, found.group(2)))
        os.replace(made, out)
    finally:
        Path(made).unlink(missing_ok=True)


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


_QR_SIZE = re.compile(r'viewBox="0 0 (\d+) \1"')
_QR_RUN = re.compile(r"M(\d+) (\d+)h(\d+)v1h-\d+z")


def _qr_mark(svg: str) -> Mark:
    """A QR code made by `qr_svg` as PDF path operators: white square, then each dark run of modules."""
    found = _QR_SIZE.search(svg)
    if found is None:
        raise ValueError("not a QR code of qr_svg")
    size = int(found.group(1))
    runs = " ".join(f"{x} {size - 1 - int(y)} {w} 1 re" for x, y, w in _QR_RUN.findall(svg))
    return Mark(f"1 g 0 0 {size} {size} re f 0 g {runs} f", size)


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
                     sheets_html(tree.title, sheets), _links(tree_src(tree.id), tree.id))
    if path is not None:  # NUL never occurs in HTML (nor in XML)
        write_text(path, "\0".join([made.front_matter, made.sheets_html, made.links_html]))
    return made


def _links(src: str, tree_id: str | None) -> str:
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
    With `pdfs=False` nothing is rendered by rsvg-convert and `assets` is empty (the pages still link
    the PDFs): `site_pdfs` makes them later, e.g. after `mkdocs serve` has shown the pages."""
    sheets = plan_sheets(corpus, trees, cache_dir)
    facts = _facts(trees, site_url, site_name, _print_cache(cache_dir))
    assets = build_pdfs(corpus, trees, sheets, facts, _pdf_cache(cache_dir)) if pdfs else {}
    pages = {t.id: _page_print(t, sheets[t.id], facts.trees[t.id], _print_cache(cache_dir)) for t in trees}
    return PrintedSite(pages, _links(CODE_INDEX_SRC, None), assets)


def site_pdfs(corpus: Corpus, trees: Sequence[Tree], cache_dir: Path | None, site_url: str = "",
              site_name: str = "") -> dict[str, bytes]:
    """Every PDF of the site (path in the site -> bytes), as `print_site(..., pdfs=True)` adds them;
    the sheet plans come from the cache in `cache_dir`, so after `print_site` no tree is planned again."""
    sheets = plan_sheets(corpus, trees, cache_dir)
    facts = _facts(trees, site_url, site_name, _print_cache(cache_dir))
    return build_pdfs(corpus, trees, sheets, facts, _pdf_cache(cache_dir))
