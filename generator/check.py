"""Semantic checks of a loaded corpus: links, reachability, loops, answers, codes, sources, scenarios,
line breaks in one-line fields."""

from __future__ import annotations

import datetime as dt
import difflib
import html
import re
from collections import defaultdict
from typing import Iterable

from .codes import is_code_like, lookup_key, normalise
from .graph import resolve, walk
from .model import Corpus, Loc, Tree
from .problems import Problem
from .sheets import print_warnings
from .text import lines, one_line

__all__ = ["check_corpus", "code_index", "review_overdue", "UNSAFE_LINK", "OFF_SITE_LINK"]

# A Markdown link, reference definition (`[id]: url`), autolink, or raw href/src whose scheme is not
# http, https or mailto. Texts are matched after HTML entities are decoded (`java&#115;cript:`); tabs
# and line breaks inside a scheme count as nothing, as browsers drop them (`java&#9;script:`).
UNSAFE_LINK = re.compile(r"(?:\]\(\s*<?|<|(?:href|src)\s*=\s*[\"']?|^[ ]{0,3}\[[^\]\n]+\]:\s*<?)"
                         r"\s*(?!https?:|mailto:)([a-z](?:[\t\r\n]*[a-z0-9+.-])*)[\t\r\n]*:", re.IGNORECASE | re.MULTILINE)
# A link that leaves the site without a scheme: `//host/…` and `\\host\…` (on file:// a network share),
# or `/…` (the server root: wrong under a sub-path and on file://).
OFF_SITE_LINK = re.compile(r"(?:\]\(\s*<?|(?:href|src)\s*=\s*[\"']?|^[ ]{0,3}\[[^\]\n]+\]:\s*<?)\s*([/\\]{1,2})",
                           re.IGNORECASE | re.MULTILINE)


def _suggest(word: str, options: Iterable[str]) -> str:
    guess = difflib.get_close_matches(word, sorted(set(options)), n=1, cutoff=0.6)
    return f"erre gondolt: {guess[0]}?" if guess else ""


def code_index(corpus: Corpus) -> dict[str, str]:
    """Lookup key of every code and alias -> the canonical code of its catalogue entry."""
    index: dict[str, str] = {}
    for entry in corpus.codes:
        canonical = normalise(entry.code)
        for spelling in (entry.code, *entry.aliases):
            index.setdefault(lookup_key(spelling), canonical)
    return index


def check_corpus(corpus: Corpus, today: dt.date | None = None, *, printing: bool = True) -> list[Problem]:
    """Every semantic problem of the corpus (errors and warnings). `printing=False` skips the print
    warnings, which lay out every printed sheet: a site build, which stops on errors only, lays them out anyway."""
    found: list[Problem] = []
    found += _check_project(corpus)
    found += _check_catalogue(corpus)
    seen_trees: dict[str, Tree] = {}
    for tree in corpus.trees:
        if tree.id in seen_trees:
            found.append(Problem(tree.loc, f"a(z) {tree.id} fa azonosítója ismétlődik (először: {seen_trees[tree.id].loc.file})",
                                 "minden fának egyedi id kell"))
        seen_trees.setdefault(tree.id, tree)
        found += _check_tree(corpus, tree, today or dt.date.today())
    found += _check_usage(corpus)
    found += _check_line_breaks(corpus)
    if printing and not any(p.severity == "error" for p in found):
        found += print_warnings(corpus)
    return found


def _check_project(corpus: Corpus) -> list[Problem]:
    found = []
    for kind, items in (("rendszer", corpus.project.systems), ("forrás", corpus.project.sources)):
        seen: set[str] = set()
        for item in items:
            if item.id in seen:
                found.append(Problem(item.loc, f"ismétlődő {kind}-azonosító: {item.id}", "adjon neki egyedi id-t"))
            seen.add(item.id)
    return found


def _check_catalogue(corpus: Corpus) -> list[Problem]:
    found = []
    systems = {s.id for s in corpus.project.systems}
    owner: dict[str, tuple[int, str]] = {}  # lookup key -> (index of the entry, its code)
    canon = {lookup_key(e.code) for e in corpus.codes}
    for index, entry in enumerate(corpus.codes):
        if entry.system and systems and entry.system not in systems:
            found.append(Problem(entry.loc, f"ismeretlen rendszer: {entry.system}", _suggest(entry.system, systems) or
                                 "a rendszereket a project.yaml sorolja fel"))
        if not entry.message and not is_code_like(entry.code):
            found.append(Problem(entry.loc, f"a(z) „{entry.code}” nem kódnak látszik",
                                 "kód nélküli hibánál írja mellé: message: true"))
        elif not entry.message and normalise(entry.code) != entry.code:
            found.append(Problem(entry.loc, f"a kód nem kanonikus alakú: {entry.code}", f"írja így: {normalise(entry.code)}"))
        for spelling, loc in ((entry.code, entry.loc), *zip(entry.aliases, entry.alias_locs)):
            key = lookup_key(spelling)
            if key in owner and owner[key][0] != index:
                found.append(Problem(loc, f"a(z) „{spelling}” ugyanarra a kódra normalizálódik, mint a(z) {owner[key][1]}",
                                     "két bejegyzés vagy álnév nem jelölheti ugyanazt a kódot; vonja össze őket"))
            owner.setdefault(key, (index, entry.code))
        for rel, loc in zip(entry.related, entry.related_locs):
            if lookup_key(rel) not in canon:
                found.append(Problem(loc, f"ismeretlen kapcsolódó kód: {rel}",
                                     _suggest(rel, [e.code for e in corpus.codes]) or "csak a katalógus kódjai szerepelhetnek"))
        found += _check_markdown(entry.loc, entry.meaning, entry.todo)
        found += _check_sources(corpus, entry.sources)
    return found


def _check_markdown(loc: Loc, *texts: str | None) -> list[Problem]:
    found = []
    for text in texts:
        for m in UNSAFE_LINK.finditer(html.unescape(text or "")):
            scheme = "".join(m.group(1).split())
            found.append(Problem(loc, f"nem engedélyezett hivatkozás ({scheme}:) a szövegben",
                                 "csak http://, https://, mailto: vagy az oldalon belüli hivatkozás használható"))
        for m in OFF_SITE_LINK.finditer(html.unescape(text or "")):
            found.append(Problem(loc, f"az oldalon kívülre mutató hivatkozás ({m.group(1)}…) a szövegben",
                                 "írjon teljes https:// címet, vagy az oldalon belüli relatív hivatkozást "
                                 "(pl. ../kodok/k0100.html)"))
    return found


def _check_sources(corpus: Corpus, refs: Iterable) -> list[Problem]:
    found: list[Problem] = []
    if corpus.project.missing:  # already reported once; don't repeat it for every citation
        return found
    docs = {d.id: d for d in corpus.project.sources}
    for ref in refs:
        doc = docs.get(ref.doc)
        if doc is None:
            found.append(Problem(ref.loc, f"ismeretlen forrás: {ref.doc}",
                                 _suggest(ref.doc, docs) or "a forrásokat a project.yaml sorolja fel"))
        elif doc.items and ref.item not in doc.items:
            found.append(Problem(ref.loc, f"a(z) {ref.doc} forrásnak nincs ilyen tétele: {ref.item}",
                                 _suggest(ref.item, doc.items) or f"lehetséges: {', '.join(doc.items[:10])}…"))
    return found


def _check_tree(corpus: Corpus, tree: Tree, today: dt.date) -> list[Problem]:
    found: list[Problem] = []
    systems = {s.id for s in corpus.project.systems}
    if tree.system and systems and tree.system not in systems:
        found.append(Problem(tree.loc, f"ismeretlen rendszer: {tree.system}", _suggest(tree.system, systems) or
                             "a rendszereket a project.yaml sorolja fel"))
    node_ids = [n.id for n in tree.nodes]
    if tree.start and tree.node(tree.start) is None:
        found.append(Problem(tree.start_loc or tree.loc, f"a kezdő csomópont ({tree.start}) nem létezik",
                             _suggest(tree.start, node_ids) or "a start egy csomópont azonosítója legyen"))
    found += _check_links(corpus, tree)
    found += _check_flow(corpus, tree)
    for node in tree.nodes:
        found += _check_markdown(node.loc, node.details)
        found += _check_sources(corpus, node.sources)
    found += _check_markdown(tree.loc, tree.summary)
    found += _check_scenarios(corpus, tree)
    found += _check_review(corpus, tree, today)
    return found


def _check_links(corpus: Corpus, tree: Tree) -> list[Problem]:
    found = []

    def names() -> list[str]:  # every possible target: built only for a suggestion, it is as big as the corpus
        return [n.id for n in tree.nodes] + [t.id for t in corpus.trees] + [
            f"{t.id}#{n.id}" for t in corpus.trees for n in t.nodes]

    for node in tree.nodes:
        if node.kind == "question":
            if len(node.answers) < 2:
                found.append(Problem(node.loc, f"a(z) {node.id} kérdésnek kevesebb mint két válasza van",
                                     "egy kérdésnek legalább két válasz kell; egy válasznál legyen belőle step"))
            labels: dict[str, Loc] = {}
            for answer in node.answers:
                key = " ".join(answer.label.split()).casefold()
                if key in labels:
                    found.append(Problem(answer.loc, f"ismétlődő válasz: {answer.label} (először a(z) {labels[key].line}. sorban)",
                                         "a válaszok szövege egy kérdésen belül legyen különböző"))
                labels.setdefault(key, answer.loc)
        for target, loc in node.targets():
            if not target:
                continue
            resolved = resolve(corpus, tree, target)
            if resolved is None and tree.node(target) is None and corpus.tree(target) is not None:
                continue  # a tree whose start node is missing; reported in that tree
            if resolved is None:
                found.append(Problem(loc, f"a(z) {target} cél nem létezik", _suggest(target, names()) or
                                     "a cél lehet csomópont, fa vagy fa#csomópont"))
            elif node.kind == "outcome" and not resolved.external:
                found.append(Problem(loc, f"a folytatás ({target}) ugyanebbe a fába mutat",
                                     "a continue kimenet másik fába vezet; ugyanitt használjon step-et"))
    return found


def _check_flow(corpus: Corpus, tree: Tree) -> list[Problem]:
    """Unreachable nodes, and nodes from which no outcome (or other tree) can be reached."""
    edges: dict[str, list[str]] = defaultdict(list)
    exits: set[str] = set()
    for node in tree.nodes:
        if node.kind == "outcome":
            exits.add(node.id)
        for target, _ in node.targets():
            resolved = resolve(corpus, tree, target)
            if resolved is None:
                continue
            if resolved.external:
                exits.add(node.id)
            else:
                edges[node.id].append(resolved.node)
    reachable: set[str] = set()
    todo = [tree.start] if tree.node(tree.start) else []
    while todo:
        current = todo.pop()
        if current not in reachable:
            reachable.add(current)
            todo.extend(edges[current])
    can_finish = set(exits)
    changed = True
    while changed:
        changed = False
        for node in tree.nodes:
            if node.id not in can_finish and any(t in can_finish for t in edges[node.id]):
                can_finish.add(node.id)
                changed = True
    found = []
    for node in tree.nodes:
        if tree.node(tree.start) and node.id not in reachable:
            found.append(Problem(node.loc, f"a(z) {node.id} csomópont nem érhető el a kezdőpontból",
                                 "vezessen hozzá válasz vagy next, vagy törölje"))
        elif node.id in reachable and node.id not in can_finish:
            found.append(Problem(node.loc, f"a(z) {node.id} csomópontból nem lehet kimenethez jutni (zsákutca vagy végtelen kör)",
                                 "legyen legalább egy út, amely outcome-hoz vagy másik fához vezet"))
    return found


def _check_scenarios(corpus: Corpus, tree: Tree) -> list[Problem]:
    found = []
    if tree.node(tree.start) is None:
        return found
    for sc in tree.scenarios:
        result = walk(corpus, tree, sc.answers)
        if result.error:
            at = sc.answer_locs[result.bad_answer] if result.bad_answer is not None and result.bad_answer < len(sc.answer_locs) else sc.loc
            node = tree.node(result.visited[-1]) if result.visited else None
            labels = [a.label for a in node.answers] if node else []
            hint = _suggest(sc.answers[result.bad_answer], labels) if result.bad_answer is not None else ""
            found.append(Problem(at, f"a(z) „{sc.name}” forgatókönyv: {result.error}",
                                 hint or ("lehetséges válaszok: " + ", ".join(labels) if labels else "javítsa a válaszok listáját")))
            continue
        if result.used < len(sc.answers):
            found.append(Problem(sc.answer_locs[result.used], f"a(z) „{sc.name}” forgatókönyv már a(z) {result.end} kimenetnél véget ért",
                                 "törölje a fölösleges válaszokat"))
        elif result.end != sc.expect:
            expected = tree.node(sc.expect)
            hint = "" if expected else _suggest(sc.expect, [n.id for n in tree.nodes])
            found.append(Problem(sc.expect_loc or sc.loc,
                                 f"a(z) „{sc.name}” forgatókönyv a(z) {result.end} csomópontnál ér véget, nem a(z) {sc.expect} csomópontnál",
                                 hint or "javítsa a válaszokat vagy az expect értékét"))
    return found


def _check_review(corpus: Corpus, tree: Tree, today: dt.date) -> list[Problem]:
    if tree.reviewed is None:
        return []
    months = corpus.project.review_months
    if review_overdue(tree.reviewed, today, months):
        return [Problem(tree.reviewed_loc or tree.loc, f"a(z) {tree.id} fát {tree.reviewed.isoformat()} óta nem nézték át "
                        f"(több mint {months} hónapja)", "nézze át a tartalmat, és írja be a mai dátumot a reviewed mezőbe",
                        "warning")]
    return []


def review_overdue(reviewed: dt.date, today: dt.date, months: int) -> bool:
    """True when `reviewed` lies more than `months` calendar months before `today`."""
    return reviewed < _months_before(today, months)


def _months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    return dt.date(year, month, 28)


def _check_line_breaks(corpus: Corpus) -> list[Problem]:
    """Warnings for line breaks typed in titles, codes and aliases: these stand on one line (the page's
    heading, the navigation, the browser tab, the code lookup, the PDF header), where a break becomes a space."""
    fields: list[tuple[Loc, str, str]] = [(s.loc, "title", s.title) for s in corpus.project.systems]
    for tree in corpus.trees:
        fields.append((tree.loc, "title", tree.title))
        fields += [(loc, "codes", code) for node in tree.nodes for code, loc in zip(node.codes, node.code_locs)]
    for entry in corpus.codes:
        fields += [(entry.loc, "code", entry.code), (entry.loc, "title", entry.title)]
        fields += [(loc, "aliases", alias) for alias, loc in zip(entry.aliases, entry.alias_locs)]
    return [Problem(loc, f"sortörés a(z) {name} mezőben: „{one_line(text)}”",
                    "a címek, kódok és álnevek egy sorban állnak (címsor, navigáció, böngészőfül, kódkereső), "
                    "ott szóköz lesz a sortörésből; írja egy sorba", "warning")
            for loc, name, text in fields if len(lines(text)) > 1]


def _check_usage(corpus: Corpus) -> list[Problem]:
    """Codes used in trees must be in the catalogue; every catalogue code must be handled; sources covered."""
    found = []
    index = code_index(corpus)
    handled: set[str] = set()
    cited: set[tuple[str, str]] = set()
    for tree in corpus.trees:
        for node in tree.nodes:
            for code, loc in zip(node.codes, node.code_locs):
                canonical = index.get(lookup_key(code))
                if canonical is None:
                    found.append(Problem(loc, f"a(z) {code} kód nincs a katalógusban (codes.yaml)",
                                         _suggest(normalise(code), [e.code for e in corpus.codes]) or "vegye fel a codes.yaml-ba"))
                else:
                    handled.add(canonical)
            cited.update((r.doc, r.item) for r in node.sources)
    for entry in corpus.codes:
        if normalise(entry.code) not in handled:
            found.append(Problem(entry.loc, f"a(z) {entry.code} kódot egyetlen fa csomópontja sem kezeli",
                                 "írja be egy csomópont codes listájába, vagy törölje a katalógusból"))
    for doc in corpus.project.sources:
        missing = [item for item in doc.items if (doc.id, item) not in cited]
        if missing:
            found.append(Problem(doc.loc, f"a(z) {doc.id} forrás tételei közül egyik csomópont sem hivatkozik erre: "
                                 + ", ".join(missing), f"írja be egy csomópont sources listájába, pl. {doc.id}#{missing[0]}"))
    return found
