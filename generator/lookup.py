"""The browser's code lookup table, generated at build time from the one Python normaliser.

The lookup box runs in the browser, also from file://, where generator.codes cannot run. Rather
than a second normaliser in JavaScript, the build writes a table (`assets/kodtabla.js`, a script
that sets a global, so no fetch is needed) whose keys are *folded spellings*: NFC, lower case,
whitespace collapsed to one space and trimmed (`fold`, one line in both languages).

Which spellings: for every catalogue entry, its code and aliases, and for K-codes every spelling
built from the separators and spacing the wild uses (`K0517 -116`, `k0517/116`, `K 0517 (– 116)`,
...). `lookup_key` decides: a generated spelling is kept only when the Python normaliser maps it
to the entry's own key, so the table holds exactly what Python accepts, never more.
Derived keys, added where they do not clash with a real key: a K-code without its letter
(`0505` -> K0505), and a bare K-code whose only catalogue entries have sub-codes (`K0517` ->
the K0517(-…) family; one member is a direct hit, several are offered as choices).

The browser then only folds the input and tries a small set of candidates taken from the table
itself: the folded input as a key; else the longest key that the input starts with when the rest
holds no digit (a Hungarian suffix such as `-as`, `–ös`, or a trailing word); else, for
message-only errors, the messages the input is the start of (`webhely nem`).
"""

from __future__ import annotations

import itertools
import json
import re
import unicodedata

from .codes import lookup_key, normalise
from .model import Corpus, Tree
from .pages.code_pages import code_sort_key
from .pages.links import CODE_INDEX_SRC, code_src, src_to_url, tree_src

__all__ = ["fold", "lookup_table", "lookup_script", "spellings", "LOOKUP_ASSET", "GLOBAL_NAME"]

LOOKUP_ASSET = "assets/kodtabla.js"
GLOBAL_NAME = "faLookupTable"

_CANONICAL_K = re.compile(r"^(?P<letter>[A-Z])(?P<num>\d+)(?:\(-(?P<sub>\d+)\))?$")
# Pieces of a sub-code separator; every combination is offered to `lookup_key`, which keeps the valid ones.
_BEFORE = ("", " ")
_OPEN = ("", "(", "/")
_GAP = ("", " ")
_DASH = ("", "-", "–")
_INNER = ("", " ")
_CLOSE = ("", ")", " )")


def fold(text: str) -> str:
    """The browser's only canonicalisation: NFC, lower case, whitespace collapsed and trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


def _k_variants(letter: str, num: str, sub: str | None) -> list[str]:
    bases = [f"{letter}{num}", f"{letter} {num}"]
    if sub is None:
        return bases
    return [f"{base}{before}{opening}{gap}{dash}{inner}{sub}{close}"
            for base in bases
            for before, opening, gap, dash, inner, close in itertools.product(_BEFORE, _OPEN, _GAP, _DASH, _INNER, _CLOSE)
            if (close == "" or opening == "(") and (gap == "" or (opening and dash))]


def spellings(code: str, aliases: tuple[str, ...] = ()) -> list[str]:
    """The code, its aliases (explicit, so always kept), and every generated spelling `lookup_key` maps to it."""
    key = lookup_key(code)
    m = _CANONICAL_K.match(normalise(code))
    generated = _k_variants(m["letter"], m["num"], m["sub"]) if m else []
    return list(dict.fromkeys([code, *aliases, *(s for s in generated if lookup_key(s) == key)]))


def _letterless(spelling: str) -> str | None:
    """`K0517 (-116)` -> `0517 (-116)`; None when the spelling does not start with a letter."""
    m = re.match(r"^\s*[A-Za-z]\s*(\d.*)$", spelling)
    return m[1] if m else None


def lookup_table(corpus: Corpus, entry_tree: Tree | None) -> dict:
    """The table: entries (code, title, page, message flag), folded keys -> entry or family, and the pages
    offered when nothing matches (the code index and `entry_tree`, the first tree of the navigation)."""
    entries = sorted(corpus.codes, key=lambda e: code_sort_key(normalise(e.code)))
    keys: dict[str, int | list[int]] = {}
    derived: dict[str, set[int]] = {}
    canonical = {normalise(e.code) for e in entries}
    for i, entry in enumerate(entries):
        found = spellings(entry.code, entry.aliases)
        for spelling in found:
            keys.setdefault(fold(spelling), i)
        m = _CANONICAL_K.match(normalise(entry.code))
        if not m:
            continue
        derived_spellings = [s for s in map(_letterless, found) if s]
        if m["sub"] and f"{m['letter']}{m['num']}" not in canonical:
            bare = _k_variants(m["letter"], m["num"], None)
            derived_spellings += bare + [s for s in map(_letterless, bare) if s]
        for spelling in derived_spellings:
            derived.setdefault(fold(spelling), set()).add(i)
    for key, members in derived.items():
        if key not in keys:
            keys[key] = min(members) if len(members) == 1 else sorted(members)
    return {
        "entries": [[normalise(e.code), e.title, src_to_url(code_src(e.code)), int(e.message)] for e in entries],
        "keys": keys,
        "index": src_to_url(CODE_INDEX_SRC),
        "start": [src_to_url(tree_src(entry_tree.id)), entry_tree.title] if entry_tree else None,
    }


def lookup_script(corpus: Corpus, entry_tree: Tree | None) -> bytes:
    """The table as a script that sets `window.faLookupTable` (works from file://); same input, same bytes."""
    data = json.dumps(lookup_table(corpus, entry_tree), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return f"window.{GLOBAL_NAME}={data};\n".encode("utf-8")
