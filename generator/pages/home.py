"""The list of trees for the home page, grouped by system, with each tree's summary."""

from __future__ import annotations

from ..model import Corpus, Tree
from ..text import plain, rich
from .links import relative, tree_src

__all__ = ["tree_list", "HOME_SRC"]

HOME_SRC = "index.md"


def tree_list(corpus: Corpus, ordered: list[Tree]) -> str:
    """HTML listing the trees (in navigation order) by system, as seen from the home page."""
    parts = []
    for system in corpus.project.systems:
        trees = [t for t in ordered if t.system == system.id]
        if not trees:
            continue
        items = "".join(
            f'<li><a href="{relative(HOME_SRC, tree_src(t.id))}"><strong>{plain(t.title)}</strong></a>'
            f'<div class="fa-lista-osszefoglalo">{rich(t.summary)}</div></li>' for t in trees)
        parts.append(f'<section class="fa-lista"><h3 id="rendszer-{system.id}">{plain(system.title)}</h3>'
                     + (f"<p>{plain(system.description)}</p>" if system.description else "")
                     + f"<ul>{items}</ul></section>")
    return "\n\n".join(parts)
