"""The page of one tree: metadata, the flowchart, and every node as a section (the chart's text equivalent)."""

from __future__ import annotations

import datetime as dt

from ..codes import normalise
from ..graph import resolve
from ..model import Corpus, Node, SourceRef, Tree
from ..sheets import PagePrint
from ..text import Glossary, md_escape, page_front_matter, plain, plain_block, rich
from .links import code_src, href_for_target, relative, tree_src

__all__ = ["tree_page", "KIND_LABELS", "OUTCOME_LABELS", "cite", "format_date"]

KIND_LABELS = {"question": "Kérdés", "step": "Teendő", "outcome": "Kimenet"}
OUTCOME_LABELS = {"solved": "Megoldva", "escalate": "Továbbküldés", "continue": "Folytatás másik fában"}
_MONTHS = ["január", "február", "március", "április", "május", "június", "július", "augusztus", "szeptember",
           "október", "november", "december"]


def format_date(day: object) -> str:
    """A date the Hungarian way: 2026. november 21."""
    if not isinstance(day, dt.date):
        return "nincs megadva"
    return f"{day.year}. {_MONTHS[day.month - 1]} {day.day}."


def cite(corpus: Corpus, ref: SourceRef) -> str:
    """A citation as text: `ASP GYIK, 4. kérdés`."""
    for doc in corpus.project.sources:
        if doc.id == ref.doc:
            return f"{doc.title}, {doc.citation(ref.item)}"
    return f"{ref.doc}#{ref.item}"


def _system_title(corpus: Corpus, system_id: str) -> str:
    return next((s.title for s in corpus.project.systems if s.id == system_id), system_id)


def _node_title(corpus: Corpus, tree_id: str, node_id: str) -> str:
    tree = corpus.tree(tree_id)
    node = tree.node(node_id) if tree else None
    return node.text if node else node_id


def _target_link(corpus: Corpus, tree: Tree, src: str, target: str) -> tuple[str, str, str]:
    """(href, text, external tree title or '') of a `next` value."""
    resolved = resolve(corpus, tree, target)
    if resolved is None:
        return "#", target, ""
    href = href_for_target(src, resolved.tree, resolved.node, tree.id)
    other = corpus.tree(resolved.tree) if resolved.external else None
    return href, _node_title(corpus, resolved.tree, resolved.node), other.title if other else ""


def _link_html(href: str, text: str, other_title: str, glossary: Glossary) -> str:
    label = plain_block(text, glossary)
    if other_title:
        return f'<a href="{plain(href)}" class="fa-kulso">{plain_block(other_title)} › {plain_block(text)}</a>'
    return f'<a href="{plain(href)}">{label}</a>'


def _meta(corpus: Corpus, tree: Tree) -> str:
    rows = [("Rendszer", plain(_system_title(corpus, tree.system)))]
    if tree.audience:
        rows.append(("Kinek szól", plain(", ".join(tree.audience))))
    rows.append(("Utoljára átnézve", plain(format_date(tree.reviewed))))
    if tree.owner:
        rows.append(("Gondozó", plain(tree.owner)))
    if tree.references:
        refs = []
        for r in tree.references:
            title = plain(r.title) + (f", {plain(r.chapter)}" if r.chapter else "")
            refs.append(f'<a href="{plain(r.url)}">{title}</a>' if r.url else title)
        rows.append(("Források", "; ".join(refs)))
    items = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return f'<dl class="fa-meta">{items}</dl>'


def _node_section(corpus: Corpus, tree: Tree, node: Node, src: str, glossary: Glossary) -> str:
    kind_label = OUTCOME_LABELS[node.outcome] if node.kind == "outcome" and node.outcome else KIND_LABELS[node.kind]
    cls = f"fa-node fa-{node.kind}" + (f" fa-{node.outcome}" if node.outcome else "")
    parts = [f'<section class="{cls}" data-node="{node.id}" data-kind="{node.kind}"'
             + (f' data-outcome="{node.outcome}"' if node.outcome else "") + ">",
             f'<h2 id="{node.id}"><span class="fa-kind">{kind_label}:</span> {plain_block(node.text, glossary)}</h2>']
    if node.details:
        parts.append(f'<div class="fa-details">{rich(node.details, glossary)}</div>')
    if node.steps:
        parts.append('<ol class="fa-steps">' + "".join(f"<li>{plain_block(s, glossary)}</li>" for s in node.steps) + "</ol>")
    if node.kind == "question":
        items = []
        for answer in node.answers:
            href, text, other = _target_link(corpus, tree, src, answer.next)
            items.append(f'<li><a class="fa-answer" href="{plain(href)}" data-next="{plain(answer.next)}">'
                         f'{plain_block(answer.label)}</a> <span class="fa-arrow" aria-hidden="true">→</span> '
                         f'<span class="fa-then">{plain_block(other) + " › " if other else ""}{plain_block(text)}</span></li>')
        parts.append('<ul class="fa-answers">' + "".join(items) + "</ul>")
    elif node.next:
        href, text, other = _target_link(corpus, tree, src, node.next)
        word = "Folytassa itt" if node.kind == "outcome" else "Tovább"
        parts.append(f'<p class="fa-next" data-next="{plain(node.next)}">{word}: {_link_html(href, text, other, glossary)}</p>')
    if node.contact:
        c = node.contact
        include = "".join(f"<li>{plain_block(i)}</li>" for i in c.include)
        parts.append(f'<div class="fa-contact"><p><strong>Kihez forduljon:</strong> {plain_block(c.who, glossary)}</p>'
                     f'<p><strong>Hogyan:</strong> {plain_block(c.channel)}</p>'
                     f'<p><strong>Mit írjon meg:</strong></p><ul>{include}</ul></div>')
    if node.codes:
        links = ", ".join(f'<a class="fa-code" href="{relative(src, code_src(c))}">{plain(normalise(c))}</a>' for c in node.codes)
        parts.append(f'<p class="fa-codes"><strong>Hibakód:</strong> {links}</p>')
    if node.sources:
        parts.append('<p class="fa-sources"><strong>Forrás:</strong> '
                     + "; ".join(plain(cite(corpus, r)) for r in node.sources) + "</p>")
    parts.append("</section>")
    return "".join(parts)


def tree_page(corpus: Corpus, tree: Tree, svg: str, glossary: Glossary, printing: PagePrint | None = None) -> str:
    """The Markdown source of a tree page: a Markdown title, then raw HTML blocks.

    With `printing`: front matter for the print header, the print-only sheets first (printed before
    the text), and the PDF links after the facts.
    """
    src = tree_src(tree.id)
    order = [tree.start] + [n.id for n in tree.nodes if n.id != tree.start]
    sections = [_node_section(corpus, tree, tree.node(i), src, glossary) for i in order if tree.node(i)]
    return page_front_matter(tree.title, printing.front_matter if printing else "") + "\n\n".join([
        *([printing.sheets_html] if printing else []),
        f"# {md_escape(tree.title)} {{ #fa-cim }}",
        _meta(corpus, tree),
        *([printing.links_html] if printing else []),
        f'<div class="fa-summary">{rich(tree.summary, glossary)}</div>',
        # Guided mode (site_overrides/assets/guide.js) fills this in; hidden, so the page is unchanged without JS.
        f'<div class="fa-guide" id="fa-utmutato" data-tree="{plain(tree.id)}" data-start="{plain(tree.start)}" hidden></div>',
        f'<figure class="fa-chart-figure"><div class="fc-chart" data-search-exclude>{svg}</div>'
        f'<figcaption>A folyamatábra szöveges változata lent, a <a href="#fa-lepesek">Lépések</a> részben olvasható. '
        f"Az ábra elemeire kattintva a megfelelő lépéshez jut.</figcaption></figure>",
        '<h2 id="fa-lepesek" class="fa-lepesek">Lépések</h2>',
        *sections,
    ]) + "\n"
