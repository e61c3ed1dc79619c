"""One page per catalogue code, linking back to every step that handles it, and the code index."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from ..check import code_index
from ..codes import lookup_key, normalise
from ..model import CodeEntry, Corpus
from ..text import Glossary, md_escape, page_front_matter, plain, plain_block, rich
from .links import CODE_INDEX_SRC, code_src, relative, tree_src
from .tree_page import cite

__all__ = ["Handler", "handlers_by_code", "code_page", "code_index_page", "code_sort_key", "related_codes"]


@dataclass(frozen=True)
class Handler:
    """A node that handles a code: its tree, node id, and the texts shown in the link."""

    tree: str
    tree_title: str
    node: str
    node_text: str


def handlers_by_code(corpus: Corpus) -> dict[str, list[Handler]]:
    """Canonical code -> every node handling it, in tree order (one pass over all nodes)."""
    index = code_index(corpus)
    out: dict[str, list[Handler]] = defaultdict(list)
    for tree in corpus.trees:
        for node in tree.nodes:
            for code in node.codes:
                canonical = index.get(lookup_key(code))
                if canonical:
                    out[canonical].append(Handler(tree.id, tree.title, node.id, node.text))
    return out


def related_codes(corpus: Corpus) -> dict[str, list[str]]:
    """Canonical code -> related canonical codes, both directions, sorted."""
    index = code_index(corpus)
    out: dict[str, set[str]] = defaultdict(set)
    for entry in corpus.codes:
        me = normalise(entry.code)
        for rel in entry.related:
            other = index.get(lookup_key(rel))
            if other and other != me:
                out[me].add(other)
                out[other].add(me)
    return {k: sorted(v, key=code_sort_key) for k, v in out.items()}


def code_sort_key(code: str) -> tuple:
    """Natural order: K0100 < K0517(-2) < K0517(-112) < 1155; message texts last, alphabetically."""
    parts = re.split(r"(\d+)", code)
    return (not any(ch.isdigit() for ch in code[:6]), [(0, int(p)) if p.isdigit() else (1, p.casefold()) for p in parts])


def _system_title(corpus: Corpus, system_id: str) -> str:
    return next((s.title for s in corpus.project.systems if s.id == system_id), system_id)


def code_page(corpus: Corpus, entry: CodeEntry, handlers: list[Handler], related: list[str], glossary: Glossary) -> str:
    """The Markdown source of one code page."""
    src = code_src(entry.code)
    canonical = normalise(entry.code)
    # The heading is the code alone, so a search for the code ranks this page above longer titles.
    title = canonical if not entry.message else f"„{canonical}”"
    meta = [f"<dt>Rendszer</dt><dd>{plain(_system_title(corpus, entry.system))}</dd>"]
    if entry.message:
        meta.append(f"<dt>Üzenet</dt><dd>{plain_block(entry.title)} (kód nélküli hibaüzenet)</dd>")
    if entry.aliases:
        meta.append("<dt>Más írásmód</dt><dd>" + ", ".join(f"<code>{plain(a)}</code>" for a in entry.aliases) + "</dd>")
    steps = "".join(
        f'<li><a href="{relative(src, tree_src(h.tree), h.node)}" class="kod-lepes">'
        f"{plain_block(h.tree_title)} › {plain_block(h.node_text)}</a></li>" for h in handlers)
    parts = [
        f"# {md_escape(title)} {{ #kod-cim }}",
        *([f'<p class="kod-rovid">{plain_block(entry.title)}</p>'] if not entry.message else []),
        f'<dl class="kod-meta">{"".join(meta)}</dl>',
        f'<h2 id="jelentes">Jelentése</h2>\n<div class="kod-jelentes">{rich(entry.meaning, glossary)}</div>',
        f'<h2 id="teendo">Mi a teendő?</h2>\n<div class="kod-teendo">{rich(entry.todo, glossary)}</div>',
        f'<h2 id="lepesek">Lépésről lépésre</h2>\n<p>Ezek a lépések foglalkoznak ezzel a hibával:</p>\n'
        f'<ul class="kod-lepesek">{steps}</ul>',
    ]
    if related:
        links = "".join(f'<li><a href="{relative(src, code_src(r))}">{plain(r)}</a></li>' for r in related)
        parts.append(f'<h2 id="kapcsolodo">Kapcsolódó kódok</h2>\n<ul class="kod-kapcsolodo">{links}</ul>')
    if entry.sources:
        parts.append('<p class="kod-forras"><strong>Forrás:</strong> '
                     + "; ".join(plain(cite(corpus, r)) for r in entry.sources) + "</p>")
    parts.append(f'<p><a href="{relative(src, CODE_INDEX_SRC)}">Vissza a hibakódok listájához</a></p>')
    # Someone searching for a code wants its page before the trees that mention it; a code without a
    # sub-code (K0517) before its sub-codes (K0517(-116)), which would otherwise tie with it on "K0517".
    boost = f"---\nsearch:\n  boost: {3 if '(' in canonical else 4}\n---\n\n"
    return page_front_matter(entry.title if entry.message else canonical, boost) + "\n\n".join(parts) + "\n"


def code_index_page(corpus: Corpus) -> str:
    """The Markdown source of the code index: grouped by system, codes sorted, message-only errors too."""
    src = CODE_INDEX_SRC
    parts = ["# Hibakódok { #kodok-cim }",
             "<p>Minden ismert hibakód és kód nélküli hibaüzenet, rendszerenként. "
             "Kattintson a kódra a jelentéséért és a teendőkért.</p>"]
    by_system: dict[str, list[CodeEntry]] = defaultdict(list)
    for entry in corpus.codes:
        by_system[entry.system].append(entry)
    order = [s.id for s in corpus.project.systems] + sorted(set(by_system) - {s.id for s in corpus.project.systems})
    for system in order:
        entries = by_system.get(system)
        if not entries:
            continue
        parts.append(f'<h2 id="rendszer-{plain(system)}">{plain(_system_title(corpus, system))}</h2>')
        for heading, group in (("Hibakódok", [e for e in entries if not e.message]),
                               ("Kód nélküli hibaüzenetek", [e for e in entries if e.message])):
            if not group:
                continue
            rows = "".join(
                f'<tr><td><a href="{relative(src, code_src(e.code))}"><code>{plain(normalise(e.code))}</code></a></td>'
                f"<td>{plain_block(e.title)}</td></tr>"
                for e in sorted(group, key=lambda e: code_sort_key(normalise(e.code))))
            parts.append(f'<h3 id="{plain(system)}-{"kodok" if heading == "Hibakódok" else "uzenetek"}">{heading}</h3>\n'
                         f'<table class="kod-tabla"><thead><tr><th scope="col">Kód</th><th scope="col">Rövid leírás</th>'
                         f"</tr></thead><tbody>{rows}</tbody></table>")
    return "\n\n".join(parts) + "\n"
