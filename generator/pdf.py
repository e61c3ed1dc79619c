"""Printed pages: what every A4 page carries (title, review date, address, QR code, page number),
and the PDFs: one per tree (its sheets, then its steps as text) and the handbook (every flowchart
and the code index). Pages are drawn as SVG and turned into PDF by `rsvg-convert`, which keeps text
as real, searchable text with embedded fonts; PDFs are cached by content like the SVGs."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import segno

from .codes import normalise
from .draw import FONT
from .graph import resolve
from .model import Corpus, Node, Tree
from .pages.code_pages import code_sort_key, handlers_by_code
from .pages.links import CODE_INDEX_SRC, relative, src_to_url, tree_src
from .pages.tree_page import KIND_LABELS, OUTCOME_LABELS, cite, format_date
from .render import RenderError
from .sheets import (CAPTION_PT, MARGIN_MM, MM, PAGE_MM, PagePrint, Sheet, front_matter, legend_svg, plan_sheets,
                     sheets_html, text_width)
from .text import rich

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
    "css_string",
    "qr_svg",
    "margin_css",
    "html_blocks",
    "sheet_page",
    "text_pages",
    "finish_pages",
    "to_pdf",
    "render_pdfs",
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
    sheet is landscape."""
    turn = "@page :first{size:A4 landscape}" if first_landscape else ""
    rules = [f"@top-left{{content:{css_string(info.title)}}}",
             f"@top-right{{content:{css_string('Utoljára átnézve: ' + info.reviewed)}}}",
             f"@bottom-left{{content:{css_string(info.address)}}}"]
    if info.qr:
        url = "data:image/svg+xml," + quote(info.qr, safe=" =:/,;'")
        rules.append(f"@bottom-right{{content:url({css_string(url)})}}")
    return "@page{" + "".join(rules) + "}" + turn


class _Text(HTMLParser):
    """Sanitised HTML (from `text.rich`) to plain paragraphs: one per block element, list items bulleted."""

    _BLOCKS = {"p", "li", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "div", "blockquote", "tr", "br"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.current: list[str] = []

    def _flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.paragraphs.append(text)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BLOCKS:
            self._flush()
        if tag == "li":
            self.current.append("• ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        self.current.append(data)


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
    """`text` broken at spaces into lines no wider than `width` (a longer word is broken by characters)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, size, bold) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while len(word) > 1 and text_width(word, size, bold) > width:
            cut = 1
            while cut < len(word) - 1 and text_width(word[:cut + 1], size, bold) <= width:
                cut += 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines or [""]


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


def finish_pages(bodies: Sequence[tuple[PageBody, PageInfo]]) -> list[str]:
    """Whole A4 page SVGs: each body with its header (title, review date), footer (address, page
    number of the whole) and QR code."""
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
            _text(w / 2, bottom_top + 4 * MM + HEAD_PT, f"{number}. oldal / {total}", HEAD_PT, anchor="middle"),
        ]
        if info.qr:
            side = QR_MM * MM
            furniture.append(_nest(info.qr, right - side, bottom_top + 2 * MM, side, side))
        pages.append(f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
                     f'width="{w / MM:.3f}mm" height="{h / MM:.3f}mm" viewBox="0 0 {w:.3f} {h:.3f}">'
                     f'<rect width="{w:.3f}" height="{h:.3f}" fill="#fff"/>{"".join(furniture)}{body.content}</svg>')
    return pages


def _rsvg() -> str:
    exe = shutil.which("rsvg-convert")
    if exe is None:
        raise RenderError(RSVG_HINT)
    return exe


def _rsvg_version(exe: str) -> str:
    done = subprocess.run([exe, "--version"], capture_output=True, timeout=30, check=False)
    return done.stdout.decode("utf-8", "replace").strip()


def to_pdf(pages: Sequence[str], day: dt.date, cache_dir: Path | None, exe: str | None = None,
           version: str | None = None) -> bytes:
    """One PDF of the page SVGs, dated `day` (so equal input gives equal bytes), cached in `cache_dir`."""
    exe = exe or _rsvg()
    version = version or _rsvg_version(exe)
    key = hashlib.sha256("\0".join([version, day.isoformat(), *pages]).encode("utf-8")).hexdigest()
    cached = cache_dir / f"{key}.pdf" if cache_dir is not None else None
    if cached is not None and cached.exists():
        return cached.read_bytes()
    epoch = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp())
    with tempfile.TemporaryDirectory(prefix="fa-pdf-") as tmp:
        files = []
        for number, page in enumerate(pages, start=1):
            path = Path(tmp) / f"oldal-{number:04d}.svg"
            path.write_text(page, encoding="utf-8")
            files.append(str(path))
        out = Path(tmp) / "out.pdf"
        done = subprocess.run([exe, "-f", "pdf", "-o", str(out), *files], capture_output=True, timeout=300,
                              check=False, env={**os.environ, "SOURCE_DATE_EPOCH": str(epoch)})
        if done.returncode != 0 or not out.exists():
            raise RenderError(f"rsvg-convert failed (exit {done.returncode}): "
                              + done.stderr.decode("utf-8", "replace").strip())
        data = out.read_bytes()
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=cached.parent, prefix=f".{key}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp_name, cached)
    return data


def render_pdfs(jobs: Iterable[tuple[str, Sequence[str], dt.date]], cache_dir: Path | None,
                workers: int = 4) -> dict[str, bytes]:
    """Several PDFs at once: (name, page SVGs, date) -> name -> PDF bytes."""
    exe = _rsvg()
    version = _rsvg_version(exe)
    listed = list(jobs)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [(name, pool.submit(to_pdf, pages, day, cache_dir, exe, version)) for name, pages, day in listed]
        return {name: future.result() for name, future in futures}


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


def build_pdfs(corpus: Corpus, trees: Sequence[Tree], sheets: Mapping[str, Sequence[Sheet]], facts: PrintSet,
               cache_dir: Path | None) -> dict[str, bytes]:
    """Every PDF of the site by path: `pdf/<tree-id>.pdf` (sheets, then the steps) and HANDBOOK_PATH
    (contents, every tree's sheets, the code index)."""
    jobs = []
    for tree in trees:
        info = facts.trees[tree.id]
        bodies = [(sheet_page(s), info) for s in sheets[tree.id]]
        bodies += [(b, info) for b in text_pages(tree_blocks(corpus, tree))]
        jobs.append((tree_pdf_path(tree.id), finish_pages(bodies), tree.reviewed or _EPOCH))
    chapters: list[tuple[str, list[tuple[PageBody, PageInfo]]]] = []
    for tree in trees:
        chapters.append((tree.title, [(sheet_page(s), facts.trees[tree.id]) for s in sheets[tree.id]]))
    chapters.append(("Hibakódok", [(b, facts.index) for b in text_pages(code_index_blocks(corpus))]))
    contents_info = PageInfo(facts.site_name, _latest(trees), facts.index.address, facts.index.qr)
    start = 1 + len(text_pages(_contents_blocks(facts.site_name, chapters, 0)))
    contents = text_pages(_contents_blocks(facts.site_name, chapters, start))
    bodies = [(b, contents_info) for b in contents] + [page for _, pages in chapters for page in pages]
    day = max((t.reviewed for t in trees if t.reviewed), default=_EPOCH)
    jobs.append((HANDBOOK_PATH, finish_pages(bodies), day))
    return render_pdfs(jobs, cache_dir)


def tree_pdf_path(tree_id: str) -> str:
    """Where a tree's PDF lives in the site."""
    return f"pdf/{tree_id}.pdf"


HANDBOOK_PATH = "pdf/kezikonyv.pdf"
_EPOCH = dt.date(2026, 1, 1)


def _latest(trees: Sequence[Tree]) -> str:
    """The latest review date of the trees, formatted."""
    return format_date(max((t.reviewed for t in trees if t.reviewed), default=None))


def _contents_blocks(site_name: str, chapters: Sequence[tuple[str, Sequence[object]]], first: int) -> list[Block]:
    """The handbook's contents: each chapter with the page it starts on (pages counted from `first`)."""
    blocks = [Block(site_name, 16, bold=True, before=0), Block("Kézikönyv: minden folyamatábra és a hibakódok", 11,
                                                              before=4),
              Block("Tartalom", 12.5, bold=True, before=14, keep=True)]
    page = first
    for title, pages in chapters:
        blocks.append(Block(f"{title} ........ {page}. oldal", 10, before=3))
        page += len(pages)
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


def _info(title: str, reviewed: str, src: str, site_url: str, site_name: str) -> PageInfo:
    address = page_address(src, site_url, site_name)
    return PageInfo(title, reviewed, address, qr_svg(address) if site_url else None)


def _links(src: str, tree_id: str | None) -> str:
    """The PDF links of a page: its tree's PDF (when a tree page) and the handbook."""
    links = []
    if tree_id is not None:
        links.append(f'<a class="fa-pdf" href="{relative(src, tree_pdf_path(tree_id))}" type="application/pdf">'
                     f"PDF letöltése (A4)</a>")
    links.append(f'<a class="fa-pdf fa-kezikonyv" href="{relative(src, HANDBOOK_PATH)}" type="application/pdf">'
                 f"Kézikönyv nyomtatáshoz (PDF, A4): minden folyamatábra és a hibakódok</a>")
    return '<p class="fa-print-links">' + " · ".join(links) + "</p>"


def print_site(corpus: Corpus, trees: Sequence[Tree], cache_dir: Path | None, site_url: str = "",
               site_name: str = "") -> PrintedSite:
    """Split every tree into sheets, and make what its page adds for print and every PDF.
    PDFs are cached next to the SVG cache (`<cache_dir>/../pdf`)."""
    sheets = plan_sheets(corpus, trees, cache_dir)
    infos = {t.id: _info(t.title, format_date(t.reviewed), tree_src(t.id), site_url, site_name) for t in trees}
    index = _info("Hibakódok", _latest(trees), CODE_INDEX_SRC, site_url, site_name)
    pdfs = build_pdfs(corpus, trees, sheets, PrintSet(infos, index, site_name),
                      cache_dir.parent / "pdf" if cache_dir is not None else None)
    pages = {t.id: PagePrint(front_matter(margin_css(infos[t.id], bool(sheets[t.id]) and sheets[t.id][0].fit.landscape)),
                             sheets_html(t.title, sheets[t.id]),
                             _links(tree_src(t.id), t.id)) for t in trees}
    return PrintedSite(pages, _links(CODE_INDEX_SRC, None), pdfs)
