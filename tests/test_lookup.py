"""The browser's code lookup table: built from the Python normaliser, and the JavaScript that reads it
(site_overrides/assets/lookup.js, run in Node) lands every spelling Python accepts on the same code."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from generator.check import code_index
from generator.codes import lookup_key, normalise
from generator.load import load_corpus
from generator.lookup import GLOBAL_NAME, fold, lookup_script, lookup_table, spellings
from generator.model import CodeEntry, Corpus, Loc, Project
from generator.pages.links import code_src, src_to_url
from generator.site import sorted_trees

from .conftest import FIXTURES, ROOT

LOOKUP_JS = ROOT / "site_overrides" / "assets" / "lookup.js"
CORPORA = {"fixture": FIXTURES / "good", "real": ROOT / "trees"}
L = Loc("test.yaml")


def corpus_of(name: str) -> Corpus:
    corpus, problems = load_corpus(str(CORPORA[name]))
    assert not [p for p in problems if p.severity == "error"], problems
    return corpus


def script_for(corpus: Corpus) -> bytes:
    trees = sorted_trees(corpus)
    return lookup_script(corpus, trees[0] if trees else None)


def run_js(table_script: bytes, queries: list[str], function: str = "find") -> list:
    """Run lookup.js in Node (no DOM: only its core) over the table; `function` of every query."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: run `make setup` (installs npm and node)")
    args = "q" if function == "fold" else f"window.{GLOBAL_NAME}, q"
    program = ("var window = globalThis;\n" + table_script.decode() + LOOKUP_JS.read_text("utf-8")
               + f"\nprocess.stdout.write(JSON.stringify({json.dumps(queries)}.map(function (q) {{"
               f" return window.faLookup.{function}({args}); }})));\n")
    result = subprocess.run([node, "-"], input=program, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def entry_ids(corpus: Corpus) -> dict[str, int]:
    """Canonical code -> its index in the table."""
    table = lookup_table(corpus, None)
    return {e[0]: i for i, e in enumerate(table["entries"])}


def wild_spellings(corpus: Corpus) -> list[str]:
    """Spellings as clerks type them: every code and alias, case and spacing changed, separators,
    Hungarian suffixes, Word's en dash, decomposed accents."""
    found: list[str] = []
    for entry in corpus.codes:
        for s in (entry.code, *entry.aliases):
            found += [s, s.lower(), s.upper(), f"  {s}  ", s.replace(" ", "   "), unicodedata.normalize("NFD", s)]
        canonical = normalise(entry.code)
        if canonical.startswith("K") and "(" in canonical:
            num, sub = canonical[1:].split("(-")
            sub = sub.rstrip(")")
            for letter, sep, close, suffix in itertools.product("kK", [" (-", "(-", " -", "/", " (–", "-", " ", "/-", "( -"],
                                                                ["", ")"], ["", "-as", "-es", "-ös", "–ás", " -os"]):
                found.append(f"{letter}{num}{sep}{sub}{close if '(' in sep else ''}{suffix}")
        elif canonical[0].isalnum() and not entry.message:
            found += [f"{canonical}-ös", f"{canonical.lower()} -as", f"{canonical}–ás"]
    return found


@pytest.mark.parametrize("name", sorted(CORPORA))
def test_every_spelling_python_accepts_lands_on_the_same_code_in_javascript(name: str) -> None:
    corpus = corpus_of(name)
    index = code_index(corpus)
    ids = entry_ids(corpus)
    queries = [s for s in wild_spellings(corpus) if lookup_key(s) in index]
    assert len(queries) > 50
    got = run_js(script_for(corpus), queries)
    wrong = [(q, g, index[lookup_key(q)]) for q, g in zip(queries, got) if g != [ids[index[lookup_key(q)]]]]
    assert not wrong, wrong[:10]


def test_the_issue_spellings_land_on_their_codes() -> None:
    corpus = corpus_of("real")
    ids = entry_ids(corpus)
    cases = {"k0517 -116": "K0517(-116)", "K0517(-116)-as": "K0517(-116)", "0505": "K0505", "K0100": "K0100",
             "1155": "1155", "webhely nem": "Webhely nem elérhető.", "K0517": "K0517", "0517 (-116)": "K0517(-116)",
             "k0505-ös": "K0505", "K0517 (-112)-es": "K0517(-112)", "Biztonságos kapcsolat": "Biztonságos kapcsolat sikertelen."}
    got = run_js(script_for(corpus), list(cases))
    assert got == [[ids[c]] for c in cases.values()]


def test_unknown_codes_and_half_codes_find_nothing() -> None:
    corpus = corpus_of("real")
    queries = ["K9999", "K0517(-999)", "K0517 -11", "K0517/1160", "9999", "Hiba történt", "K05", "we", "", "   ",
               "K0517 (-116)7"]
    assert run_js(script_for(corpus), queries) == [[] for _ in queries]


def test_a_bare_k_code_leads_to_its_sub_codes_when_the_catalogue_has_no_bare_entry() -> None:
    corpus = corpus_of("fixture")  # K0517(-116) only, no K0517
    ids = entry_ids(corpus)
    assert run_js(script_for(corpus), ["K0517", "k 0517", "0517", "K0517-es"]) == [[ids["K0517(-116)"]]] * 4


def entry(code: str, message: bool = False) -> CodeEntry:
    return CodeEntry(code, "asp", f"{code} címe", "jelentés", "teendő", L, message=message)


def test_derived_keys_never_shadow_a_real_code_and_ambiguity_offers_a_choice() -> None:
    project = Project((), (), L)
    corpus = Corpus(project, (), (entry("K0505"), entry("0505"), entry("K0710"), entry("X0710"),
                                  entry("K0900(-1)"), entry("K0900(-2)")))
    ids = entry_ids(corpus)
    got = run_js(lookup_script(corpus, None), ["0505", "k0505", "0710", "K0900", "0900 -2"])
    assert got == [[ids["0505"]], [ids["K0505"]], sorted([ids["K0710"], ids["X0710"]]),
                   sorted([ids["K0900(-1)"], ids["K0900(-2)"]]), [ids["K0900(-2)"]]]


def test_every_table_key_of_a_code_is_a_spelling_python_maps_to_it() -> None:
    corpus = corpus_of("real")
    index = code_index(corpus)
    for e in corpus.codes:
        for s in spellings(e.code, e.aliases):
            assert index[lookup_key(s)] == normalise(e.code), s
    table = lookup_table(corpus, None)
    for key, value in table["keys"].items():
        if isinstance(value, int) and lookup_key(key) in index:
            assert index[lookup_key(key)] == table["entries"][value][0], key


def test_entries_link_their_pages_and_the_fallback_pages() -> None:
    corpus = corpus_of("real")
    trees = sorted_trees(corpus)
    table = lookup_table(corpus, trees[0])
    assert {e[0]: e[2] for e in table["entries"]} == {normalise(e.code): src_to_url(code_src(e.code)) for e in corpus.codes}
    assert table["index"] == "kodok/index.html"
    assert table["start"] == [f"fak/{trees[0].id}.html", trees[0].title]
    by_code = {normalise(c.code): c for c in corpus.codes}
    assert all(e[3] == int(by_code[e[0]].message) and e[1] == by_code[e[0]].title for e in table["entries"])


def test_fold_is_the_same_in_python_and_javascript() -> None:
    texts = ["  K0517\t(-116) ", "WEBHELY  nem\nELÉRHETŐ.", unicodedata.normalize("NFD", "Árvíztűrő"), "ŐŰ\u00a0x"]
    table = lookup_script(corpus_of("fixture"), None)
    assert run_js(table, texts, "fold") == [fold(t) for t in texts]


def test_suggestions_start_with_the_hit_then_codes_starting_alike() -> None:
    corpus = corpus_of("real")
    ids = entry_ids(corpus)
    (k05, pin) = run_js(script_for(corpus), ["k05", "zárolt"], "suggest")
    assert k05[:3] == [ids["K0505"], ids["K0506"], ids["K0510"]]
    entries = lookup_table(corpus, None)["entries"]
    assert all(entries[i][0].startswith("K05") for i in k05)
    assert pin, "a word of a title finds codes too"


def test_the_script_is_deterministic_and_sets_one_global() -> None:
    corpus = corpus_of("real")
    first, second = script_for(corpus), script_for(corpus_of("real"))
    assert first == second
    assert first.startswith(f"window.{GLOBAL_NAME}=".encode()) and first.endswith(b";\n")
    json.loads(first.decode()[len(f"window.{GLOBAL_NAME}="):-2])


def test_the_built_site_ships_the_table(fixture_site: Path) -> None:
    assert (fixture_site / "assets" / "kodtabla.js").read_bytes() == script_for(corpus_of("fixture"))
    page = (fixture_site / "fak" / "pin.html").read_text("utf-8")
    assert '<script src="../assets/kodtabla.js">' in page and 'data-base=".."' in page
