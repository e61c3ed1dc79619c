"""From a checked corpus to every generated page's Markdown and the navigation (no MkDocs here)."""

from __future__ import annotations

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
from .pdf import print_site
from .render import render_svgs
from .report import build_date, build_report
from .svg import embeddable
from .text import Glossary, plain

__all__ = ["CODES_SECTION", "GeneratedSite", "TREES_SECTION", "generate", "navigation", "sorted_trees"]


@dataclass(frozen=True)
class GeneratedSite:
    """Every generated page: source path (e.g. `fak/pin.md`) -> Markdown, page titles for the nav,
    and generated static files (path in the site -> bytes), e.g. the code lookup table or PDFs."""

    pages: dict[str, str]
    titles: dict[str, str]
    assets: dict[str, bytes] = field(default_factory=dict)


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


def generate(corpus: Corpus, glossary: Glossary, cache_dir: Path | None, site_url: str = "",
             site_name: str = "", pdfs: bool = True,
             charts: dict[tuple[str, str, str], str] | None = None) -> GeneratedSite:
    """Draw every tree (batched, cached) and write every tree page, code page and the code index.
    `site_url` and `site_name` go on printed pages and PDFs (the address, and its QR code). With
    `pdfs=False` the PDFs are left out of `assets` (the pages still link them): `mkdocs serve` makes
    them after the pages, with `pdf.site_pdfs`. `charts`, kept by the caller between rebuilds (`mkdocs
    serve`), remembers each inline chart made from a rendered SVG, so an unchanged tree's is not made again."""
    trees = sorted_trees(corpus)
    titles_by_id = {t.id: t.title for t in corpus.trees}
    dots = [_dot_for(corpus, t, titles_by_id) for t in trees]
    with ThreadPoolExecutor(max_workers=1) as pool:  # the charts render while the print sheets are laid out
        charts_done = pool.submit(render_svgs, dots, cache_dir=cache_dir, names=[t.id for t in trees])
        printed = print_site(corpus, trees, cache_dir, site_url, site_name, pdfs=pdfs)
        svgs = charts_done.result()
    pages: dict[str, str] = {}
    titles: dict[str, str] = {}
    made: dict[tuple[str, str, str], str] = {}
    for tree, svg in zip(trees, svgs):
        src = tree_src(tree.id)
        key = (svg, tree.id, tree.title)
        chart = made[key] = (charts or {}).get(key) or embeddable(svg, f"fc-{tree.id}-", tree.title)
        pages[src] = tree_page(corpus, tree, chart, glossary, printing=printed.pages[tree.id])
        titles[src] = tree.title
    if charts is not None:  # only this build's: a memo of every chart ever drawn would grow with each edit
        charts.clear()
        charts.update(made)
    handlers = handlers_by_code(corpus)
    related = related_codes(corpus)
    for entry in corpus.codes:
        canonical = normalise(entry.code)
        src = code_src(entry.code)
        pages[src] = code_page(corpus, entry, handlers.get(canonical, []), related.get(canonical, []), glossary)
        titles[src] = canonical if not entry.message else entry.title
    pages[CODE_INDEX_SRC] = code_index_page(corpus) + "\n" + printed.index_html + "\n"
    titles[CODE_INDEX_SRC] = "Minden hibakód"
    # The maintainer's report: linked from the authoring guide, deliberately not in the navigation.
    # Sheet counts from the print sheets already laid out (one `data-sheet` figure each), not planned again.
    sheets = {t.id: printed.pages[t.id].sheets_html.count(' data-sheet="') for t in trees}
    report = build_report(corpus, trees, build_date(), sheets)
    pages[REPORT_SRC] = report_page(corpus, report)
    titles[REPORT_SRC] = REPORT_TITLE
    assets = {LOOKUP_ASSET: lookup_script(corpus, trees[0] if trees else None)}
    assets.update(printed.assets)
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
