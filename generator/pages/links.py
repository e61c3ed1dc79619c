"""Where every generated page lives, and relative links between pages (raw HTML is not rewritten by MkDocs)."""

from __future__ import annotations

import posixpath
from urllib.parse import quote

from ..codes import normalise, slug

__all__ = ["tree_src", "code_src", "CODE_INDEX_SRC", "REPORT_SRC", "src_to_url", "relative", "href_for_target"]

CODE_INDEX_SRC = "kodok/index.md"
REPORT_SRC = "jelentes.md"


def tree_src(tree_id: str) -> str:
    """The source path of a tree page (virtual): `fak/<id>.md`."""
    return f"fak/{tree_id}.md"


def code_src(code: str) -> str:
    """The source path of a code page (virtual): `kodok/<slug>.md`."""
    return f"kodok/{slug(normalise(code))}.md"


def src_to_url(src: str) -> str:
    """The built file of a page source, with `use_directory_urls: false`: `a/b.md` -> `a/b.html`."""
    return src[:-3] + ".html" if src.endswith(".md") else src


def relative(from_src: str, to_src: str, fragment: str = "") -> str:
    """A link from one page to another page (and anchor), relative, percent-encoded."""
    here = posixpath.dirname(src_to_url(from_src))
    target = posixpath.relpath(src_to_url(to_src), here or ".")
    if to_src == from_src:
        target = ""
    return quote(target, safe="/.-_~") + (f"#{quote(fragment, safe='-_')}" if fragment else "")


def href_for_target(from_src: str, tree_id: str, node_id: str, this_tree: str) -> str:
    """The link for a node of `tree_id` seen from a page of `this_tree`."""
    if tree_id == this_tree:
        return f"#{quote(node_id, safe='-_')}"
    return relative(from_src, tree_src(tree_id), node_id)
