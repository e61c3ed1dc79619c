"""From a checked corpus to every generated page's Markdown and the navigation (no MkDocs here).

`generate` makes the pages whole. `mkdocs build` makes them in two parts, so that Graphviz and print
work while MkDocs converts the Markdown: `draft` writes every page with a marker where Graphviz's
work goes (the chart, the print sheets), and workers make that work (`draw_charts`, `pdf.print_site`),
which the plugin puts in place of the markers once MkDocs has made HTML of the draft
(`deferred.DeferredDrawing`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .codes import normalise
from .draw import tree_to_dot
from .graph import resolve
from .lookup import LOOKUP_ASSET, lookup_script
from .model import Corpus, Tree
from .pages.code_pages import code_index_page, code_page, code_sort_key, handlers_by_code, related_codes
from .pages.links import CODE_INDEX_SRC, REPORT_SRC, code_src, href_for_target, tree_src
from .pages.report_page import REPORT_TITLE, report_page
from .pages.tree_page import tree_page
from .pdf import page_links
from .pdf import print_site
from .render import render_svgs
from .report import build_date, build_report
from .sheets import PagePrint
from .svg import embeddable
from .text import Glossary, plain

__all__ = ["CHART_MARKER", "CODES_SECTION", "Drawing", "GeneratedSite", "SHEETS_MARKER", "TREES_SECTION", "draft",
           "draw_charts", "generate", "navigation", "report_markdown", "sheet_count", "sorted_trees"]

# Where `draft` leaves a tree page's chart and print sheets: HTML comments, which Markdown passes on as
# they are, so the page's HTML is the same whether they are filled in before Markdown or after it.
CHART_MARKER = "<!-- generator:chart -->"
SHEETS_MARKER = "<!-- generator:sheets -->"


@dataclass(frozen=True)
class GeneratedSite:
    """Every generated page: source path (e.g. `fak/pin.md`) -> Markdown, page titles for the nav,
    and generated static files (path in the site -> bytes), e.g. the code lookup table or PDFs."""

    pages: dict[str, str]
    titles: dict[str, str]
    assets: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class Drawing:
    """What Graphviz makes for a tree's page: the inline chart, and what print adds (its front matter,
    the print sheets, the PDF links)."""

    chart: str
    printing: PagePrint


def sorted_trees(corpus: Corpus) -> list[Tree]:
    """Trees in navigation order: by system order, then `order`, then title."""
    rank = {s.id: i for i, s in enumerate(corpus.project.systems)}
    return sorted(corpus.trees, key=lambda t: (rank.get(t.system, len(rank)), t.order, t.title.casefold(), t.id))


def _dot_for(corpus: Corpus, tree: Tree, titles: dict[str, str]) -> str:
    """The DOT of `tree`'s chart; `titles` (tree id -> title) is built once for all trees, not per tree."""
    src = tree_src(tree.id)

    def link(target: str) -> str:
        resolved = resolve(corpus, tree, target)
        if resolved is None:
            return "#"
        return href_for_target(src, resolved.tree, resolved.node, tree.id)

    return tree_to_dot(tree, link, titles)


def draw_charts(corpus: Corpus, cache_dir: Path | None,
                charts: dict[tuple[str, str, str], str] | None = None) -> dict[str, str]:
    """Every tree's inline chart by tree id, drawn by Graphviz (batched, cached). `charts`, kept by the
    caller between rebuilds (`mkdocs serve`), remembers each inline chart made from a rendered SVG, so
    an unchanged tree's is not made again."""
    trees = sorted_trees(corpus)
    titles = {t.id: t.title for t in corpus.trees}
    svgs = render_svgs([_dot_for(corpus, t, titles) for t in trees], cache_dir=cache_dir, names=[t.id for t in trees])
    made: dict[tuple[str, str, str], str] = {}
    inline: dict[str, str] = {}
    for tree, svg in zip(trees, svgs):
        key = (svg, tree.id, tree.title)
        inline[tree.id] = made[key] = (charts or {}).get(key) or embeddable(svg, f"fc-{tree.id}-", tree.title)
    if charts is not None:  # only this build's: a memo of every chart ever drawn would grow with each edit
        charts.clear()
        charts.update(made)
    return inline


def sheet_count(printing: PagePrint) -> int:
    """How many print sheets a tree page has (one `data-sheet` figure each), for the report."""
    return printing.sheets_html.count(' data-sheet="')


def generate(corpus: Corpus, glossary: Glossary, cache_dir: Path | None, site_url: str = "",
             site_name: str = "", pdfs: bool = True,
             charts: dict[tuple[str, str, str], str] | None = None) -> GeneratedSite:
    """Draw every tree (`draw_charts`) and lay out its print sheets, and write every tree page, code
    page, the code index and the report, whole. `site_url` and `site_name` go on printed pages and
    PDFs (the address, and its QR code). With `pdfs=False` the PDFs are left out of `assets` (the
    pages still link them): `mkdocs serve` makes them after the pages, with `pdf.site_pdfs`. `charts`:
    see `draw_charts`."""
    trees = sorted_trees(corpus)
    with ThreadPoolExecutor(max_workers=1) as pool:  # the charts render while the print sheets are laid out
        charts_done = pool.submit(draw_charts, corpus, cache_dir, charts)
        printed = print_site(corpus, trees, cache_dir, site_url, site_name, pdfs=pdfs)
        inline = charts_done.result()
    drawings = {t.id: Drawing(inline[t.id], printed.pages[t.id]) for t in trees}
    sheets = {t.id: sheet_count(printed.pages[t.id]) for t in trees}
    return _site(corpus, glossary, drawings, printed.index_html, sheets, build_date(), printed.assets)


def draft(corpus: Corpus, glossary: Glossary, today: dt.date) -> GeneratedSite:
    """Every page as `generate` makes it, without Graphviz's work: a tree page has CHART_MARKER and
    SHEETS_MARKER in place of its chart and print sheets and no print front matter (`fa_print_css`),
    the report counts no print sheets (`report_markdown` makes it with them), and there are no PDFs."""
    drawings = {t.id: Drawing(CHART_MARKER, PagePrint("", SHEETS_MARKER, page_links(tree_src(t.id), t.id)))
                for t in corpus.trees}
    return _site(corpus, glossary, drawings, page_links(CODE_INDEX_SRC, None), {}, today, {})


def report_markdown(corpus: Corpus, today: dt.date, sheets: Mapping[str, int]) -> str:
    """The maintainer's report page, as of `today`, with each tree's print sheet count (tree id -> count)."""
    return report_page(corpus, build_report(corpus, sorted_trees(corpus), today, sheets))


def _site(corpus: Corpus, glossary: Glossary, drawings: Mapping[str, Drawing], index_html: str,
          sheets: Mapping[str, int], today: dt.date, pdfs: Mapping[str, bytes]) -> GeneratedSite:
    """Every page and asset, with these drawings, code index PDF links and print sheet counts."""
    pages: dict[str, str] = {}
    titles: dict[str, str] = {}
    trees = sorted_trees(corpus)
    for tree in trees:
        src = tree_src(tree.id)
        drawing = drawings[tree.id]
        pages[src] = tree_page(corpus, tree, drawing.chart, glossary, printing=drawing.printing)
        titles[src] = tree.title
    handlers = handlers_by_code(corpus)
    related = related_codes(corpus)
    for entry in corpus.codes:
        canonical = normalise(entry.code)
        src = code_src(entry.code)
        pages[src] = code_page(corpus, entry, handlers.get(canonical, []), related.get(canonical, []), glossary)
        titles[src] = canonical if not entry.message else entry.title
    pages[CODE_INDEX_SRC] = code_index_page(corpus) + "\n" + index_html + "\n"
    titles[CODE_INDEX_SRC] = "Minden hibakód"
    # The maintainer's report: linked from the authoring guide, deliberately not in the navigation.
    pages[REPORT_SRC] = report_markdown(corpus, today, sheets)
    titles[REPORT_SRC] = REPORT_TITLE
    assets = {LOOKUP_ASSET: lookup_script(corpus, trees[0] if trees else None)}
    assets.update(pdfs)
    return GeneratedSite(pages, titles, assets)


TREES_SECTION = "Hibaelhárító fák"
CODES_SECTION = "Hibakódok"


def navigation(corpus: Corpus, site: GeneratedSite, before: list[Any], after: list[Any]) -> list[Any]:
    """MkDocs-style nav: hand-written pages first, the trees and the codes each grouped by system,
    then the rest.

    The systems are nested one level below the two sections, not sections themselves: Material
    always renders top-level sections expanded (`navigation.sections`), so every page would carry
    every tree and code; nested groups are pruned on pages outside them (`navigation.prune`), which
    keeps each page's navigation bounded by the number of systems.
    """
    nav: list[Any] = list(before)
    # Material renders nav and page titles as HTML, unescaped: titles from YAML are escaped here.
    ordered = sorted_trees(corpus)  # once: sorting per system would make the nav quadratic in trees
    trees_by_system: dict[str, list[Any]] = {}
    for tree in ordered:
        trees_by_system.setdefault(tree.system, []).append({plain(tree.title): tree_src(tree.id)})
    codes_by_system: dict[str, list[Any]] = {}
    for entry in sorted(corpus.codes, key=lambda e: code_sort_key(normalise(e.code))):
        codes_by_system.setdefault(entry.system, []).append({plain(site.titles[code_src(entry.code)]):
                                                             code_src(entry.code)})
    tree_groups = _by_system(corpus, trees_by_system)
    if tree_groups:
        nav.append({TREES_SECTION: tree_groups})
    nav.append({CODES_SECTION: [{plain(site.titles[CODE_INDEX_SRC]): CODE_INDEX_SRC}]
                + _by_system(corpus, codes_by_system)})
    nav.extend(after)
    return nav


def _by_system(corpus: Corpus, items: dict[str, list[Any]]) -> list[Any]:
    """One nav group per system, in the project's order; items of no known system follow, ungrouped
    (a project without systems lists its pages flat)."""
    known = {s.id for s in corpus.project.systems}
    groups: list[Any] = [{plain(s.title): items[s.id]} for s in corpus.project.systems if s.id in items]
    for system, entries in items.items():
        if system not in known:
            groups.extend(entries)
    return groups
