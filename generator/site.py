"""From a checked corpus to every generated page's Markdown and the navigation (no MkDocs here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .codes import normalise
from .draw import tree_to_dot
from .graph import resolve
from .model import Corpus, Tree
from .pages.code_pages import code_index_page, code_page, code_sort_key, handlers_by_code, related_codes
from .pages.links import CODE_INDEX_SRC, code_src, href_for_target, tree_src
from .pages.tree_page import tree_page
from .render import render_svgs
from .svg import embeddable
from .text import Glossary

__all__ = ["GeneratedSite", "generate", "navigation", "sorted_trees"]


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


def _dot_for(corpus: Corpus, tree: Tree) -> str:
    src = tree_src(tree.id)
    titles = {t.id: t.title for t in corpus.trees}

    def link(target: str) -> str:
        resolved = resolve(corpus, tree, target)
        if resolved is None:
            return "#"
        return href_for_target(src, resolved.tree, resolved.node, tree.id)

    return tree_to_dot(tree, link, titles)


def generate(corpus: Corpus, glossary: Glossary, cache_dir: Path | None) -> GeneratedSite:
    """Draw every tree (batched, cached) and write every tree page, code page and the code index."""
    trees = sorted_trees(corpus)
    svgs = render_svgs([_dot_for(corpus, t) for t in trees], cache_dir=cache_dir, names=[t.id for t in trees])
    pages: dict[str, str] = {}
    titles: dict[str, str] = {}
    for tree, svg in zip(trees, svgs):
        src = tree_src(tree.id)
        pages[src] = tree_page(corpus, tree, embeddable(svg, f"fc-{tree.id}-", tree.title), glossary)
        titles[src] = tree.title
    handlers = handlers_by_code(corpus)
    related = related_codes(corpus)
    for entry in corpus.codes:
        canonical = normalise(entry.code)
        src = code_src(entry.code)
        pages[src] = code_page(corpus, entry, handlers.get(canonical, []), related.get(canonical, []), glossary)
        titles[src] = canonical if not entry.message else entry.title
    pages[CODE_INDEX_SRC] = code_index_page(corpus)
    titles[CODE_INDEX_SRC] = "Minden hibakód"
    return GeneratedSite(pages, titles)


def navigation(corpus: Corpus, site: GeneratedSite, before: list[Any], after: list[Any]) -> list[Any]:
    """MkDocs-style nav: hand-written pages first, trees grouped by system, the codes, then the rest."""
    nav: list[Any] = list(before)
    for system in corpus.project.systems:
        items = [{t.title: tree_src(t.id)} for t in sorted_trees(corpus) if t.system == system.id]
        if items:
            nav.append({system.title: items})
    codes = sorted(corpus.codes, key=lambda e: code_sort_key(normalise(e.code)))
    nav.append({"Hibakódok": [{site.titles[CODE_INDEX_SRC]: CODE_INDEX_SRC}]
                + [{site.titles[code_src(e.code)]: code_src(e.code)} for e in codes]})
    nav.extend(after)
    return nav
