"""The real knowledge base in trees/: clean, covers every FAQ question and article item, every source code catalogued."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.check import code_index
from generator.cli import load_and_check
from generator.codes import lookup_key
from generator.graph import resolve

from .conftest import ROOT

SOURCES = ROOT.parent / "shared" / "source"
FAQ = next(SOURCES.glob("000_*.txt"), None) if SOURCES.exists() else None
ARTICLE_MESSAGE = "Nem megfelelő felhasználónév és jelszó"


@pytest.fixture(scope="module")
def loaded():
    corpus, problems = load_and_check(str(ROOT / "trees"))
    return corpus, problems


def test_the_knowledge_base_passes_check(loaded) -> None:
    _, problems = loaded
    assert not [p for p in problems if p.severity == "error"], "\n".join(map(str, problems))


def test_every_faq_question_and_article_item_is_cited(loaded) -> None:
    corpus, _ = loaded
    cited = {(r.doc, r.item) for t in corpus.trees for n in t.nodes for r in n.sources}
    faq = next(d for d in corpus.project.sources if d.id == "gyik")
    assert faq.items == tuple(str(n) for n in range(1, 42))
    assert all(("gyik", str(n)) in cited for n in range(1, 42))
    article = next(d for d in corpus.project.sources if d.id == "ugyfelkapu")
    assert article.items and all(("ugyfelkapu", item) in cited for item in article.items)


@pytest.mark.skipif(FAQ is None, reason="the shared source documents are not beside the checkout")
def test_every_code_and_message_in_the_sources_is_in_the_catalogue(loaded) -> None:
    corpus, _ = loaded
    index = code_index(corpus)
    text = FAQ.read_text("utf-8")
    found = set(re.findall(r"K ?\d{4}(?: ?\(?[-–]\d+\)?)?", text)) | {"1155"}
    found |= {"Webhely nem elérhető.", "Biztonságos kapcsolat sikertelen."}
    missing = sorted(code for code in found if lookup_key(code) not in index)
    assert not missing, missing
    assert any(e.message and e.code.startswith(ARTICLE_MESSAGE) for e in corpus.codes)
    subcodes = {c for c in index.values() if c.startswith("K0517(")}
    assert len(subcodes) == 9


def test_the_entry_tree_routes_to_every_other_tree(loaded) -> None:
    corpus, _ = loaded
    entry = corpus.tree("belepes")
    assert entry is not None
    reached: set[str] = set()
    todo = [entry.id]
    while todo:
        tree = corpus.tree(todo.pop())
        if tree is None or tree.id in reached:
            continue
        reached.add(tree.id)
        for node in tree.nodes:
            for target, _ in node.targets():
                resolved = resolve(corpus, tree, target)
                if resolved and resolved.external:
                    todo.append(resolved.tree)
    assert reached == {t.id for t in corpus.trees}


def test_every_outcome_is_covered_by_a_scenario(loaded) -> None:
    from generator.graph import walk

    corpus, _ = loaded
    for tree in corpus.trees:
        reached = {walk(corpus, tree, s.answers).end for s in tree.scenarios}
        outcomes = {n.id for n in tree.nodes if n.kind == "outcome"}
        assert outcomes <= reached, f"{tree.id}: {sorted(outcomes - reached)}"


@pytest.mark.parametrize("fact", ["4443", "5443", "eid.kekkh.gov.hu", "1.6", "PUK", "2.3.0413", "9.5.1", "5.3",
                                  "asp.hd@allamkincstar.gov.hu", "Törlőkód mentése"])
def test_exact_facts_are_carried(fact: str) -> None:
    text = "\n".join(p.read_text("utf-8") for p in (ROOT / "trees").glob("*.yaml"))
    assert fact in text
