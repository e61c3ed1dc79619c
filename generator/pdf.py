"""The site's PDFs: one per tree (its sheets, then its steps as text) and the handbook (every
flowchart and the code index), drawn from the pages `printpages` lays out by our own writer
(`pdfsvg`, `pdfwrite`), which keeps text as real, searchable text in embedded fonts; and what each
tree page adds for print. PDFs are cached by content like the SVGs."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

from .model import Corpus, Tree
from .pages.links import CODE_INDEX_SRC, relative, src_to_url, tree_src
from .pages.tree_page import cite, format_date
from .pdfsvg import draw_svg, svg_page
from .pdfwrite import Document, Drawing, Page, record
from .printpages import (PageBody, PageInfo, code_index_blocks, contents_blocks, furniture, latest, margin_css,
                         page_size, qr_box, qr_svg, sheet_page, target_text, text_pages, tree_blocks)
from .render import source_digest, write_text
from .sheets import PagePrint, Sheet, front_matter, plan_sheets, sheets_html

__all__ = [
    "PrintSet",
    "HANDBOOK_PATH",
    "tree_pdf_path",
    "build_pdfs",
    "PrintedSite",
    "print_site",
    "page_address",
    "page_links",
    "to_pdf",
    "Stats",
    "stats",
    "site_pdfs",
]

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
    x, y, side = qr_box(page.width, page.height)
    page.save()
    page.transform(1, 0, 0, 1, x, y)
    page.form("qr-" + _digest(qr), side, side, lambda form: _draw_qr(form, qr))
    page.restore()


def _drawn(body: PageBody) -> Drawing:
    """A page body drawn from its SVG once, to be put on pages of one document or more."""
    w, h = page_size(body.landscape)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{w:.3f}pt" '
           f'height="{h:.3f}pt" viewBox="0 0 {w:.3f} {h:.3f}">{body.content}</svg>')
    stats.bodies_drawn += 1
    return record(w, h, lambda page: draw_svg(page, svg))


def _add_page(document: Document, landscape: bool, body: Drawing, info: PageInfo, number: int, total: int) -> None:
    """A page of `document`: its furniture, numbered `number` of `total`, the body, the QR code."""
    page = svg_page(furniture(landscape, info, number, total))
    page.replay(body)
    if info.qr:
        _qr_form(page, info.qr)
    document.add(page)
    stats.pages_rendered += 1


def _write_document(document: Document, pages: Sequence[tuple[bool, Drawing, PageInfo]], out: BinaryIO) -> None:
    for number, (landscape, body, info) in enumerate(pages, start=1):
        _add_page(document, landscape, body, info, number, len(pages))
    stats.documents_written += 1
    document.write(out)


def to_pdf(bodies: Sequence[tuple[PageBody, PageInfo]], title: str, day: dt.date) -> bytes:
    """One PDF of these page bodies, each with its furniture and QR code, numbered as pages of this
    document and dated `day`, so that equal input gives equal bytes."""
    out = io.BytesIO()
    _write_document(Document(title, day), [(b.landscape, _drawn(b), info) for b, info in bodies], out)
    return out.getvalue()


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
    return repr((tree, [target_text(corpus, tree, t) for t in targets],
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
        start = 1 + len(text_pages(contents_blocks(facts.site_name, chapters, 0)))
        contents = text_pages(contents_blocks(facts.site_name, chapters, start))
        self.total = len(contents) + sum(count for _, count in chapters)
        self.number = 0
        self.document = Document(f"{facts.site_name}: kézikönyv", day)
        info = PageInfo(facts.site_name, latest(trees), facts.index.address, facts.index.qr)
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
    index = _info("Hibakódok", latest(trees), CODE_INDEX_SRC, site_url, site_name, store)
    return PrintSet(infos, index, site_name)


def _pdf_cache(cache_dir: Path | None) -> Path | None:
    """Where PDFs are kept: next to the SVG cache (`<cache_dir>/../pdf`)."""
    return cache_dir.parent / "pdf" if cache_dir is not None else None


def _print_cache(cache_dir: Path | None) -> Path | None:
    """Where pages' print additions and QR codes are kept: next to the SVG cache (`<cache_dir>/../print`)."""
    return cache_dir.parent / "print" if cache_dir is not None else None


def print_site(corpus: Corpus, trees: Sequence[Tree], cache_dir: Path | None, site_url: str = "",
               site_name: str = "", pdfs: bool = True,
               pages_ready: Callable[[PrintedSite], None] | None = None) -> PrintedSite:
    """Split every tree into sheets, and make what its page adds for print and, with `pdfs`, every PDF.
    With `pdfs=False` no PDF is drawn and `assets` is empty (the pages still link the PDFs):
    `site_pdfs` makes them later, e.g. after `mkdocs serve` has shown the pages. `pages_ready` is
    given the pages' part (no assets) before the PDFs are drawn from the same sheets: the build's
    worker hands the pages over without planning the sheets a second time."""
    sheets = plan_sheets(corpus, trees, cache_dir)
    facts = _facts(trees, site_url, site_name, _print_cache(cache_dir))
    pages = {t.id: _page_print(t, sheets[t.id], facts.trees[t.id], _print_cache(cache_dir)) for t in trees}
    index_html = page_links(CODE_INDEX_SRC, None)
    if pages_ready is not None:
        pages_ready(PrintedSite(pages, index_html, {}))
    assets = build_pdfs(corpus, trees, sheets, facts, _pdf_cache(cache_dir)) if pdfs else {}
    return PrintedSite(pages, index_html, assets)


def site_pdfs(corpus: Corpus, trees: Sequence[Tree], cache_dir: Path | None, site_url: str = "",
              site_name: str = "") -> dict[str, bytes]:
    """Every PDF of the site (path in the site -> bytes), as `print_site(..., pdfs=True)` adds them;
    the sheet plans come from the cache in `cache_dir`, so after `print_site` no tree is planned again."""
    sheets = plan_sheets(corpus, trees, cache_dir)
    facts = _facts(trees, site_url, site_name, _print_cache(cache_dir))
    return build_pdfs(corpus, trees, sheets, facts, _pdf_cache(cache_dir))
