"""The one code normaliser: every spelling seen in the wild maps to one canonical code, and one page slug."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.codes import is_code_like, lookup_key, normalise, slug

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@pytest.mark.parametrize("spelling", [
    "K0517 (-116)",
    "k0517(-116)",
    "K0517 -116",
    "K0517/116",
    "K0517(-116)-as",
    "K0517 (–116)",        # en dash, as pasted from Word
    "K0517–116",
    "  K0517(-116)  ",
    "K0517 116",
    "K0517(-116)",
])
def test_spellings_of_one_k_code_normalise_to_the_canonical_form(spelling: str) -> None:
    assert normalise(spelling) == "K0517(-116)"
    assert is_code_like(spelling)
    assert slug(spelling) == "k0517-116"
    assert lookup_key(spelling) == lookup_key("K0517(-116)")


@pytest.mark.parametrize("spelling, canonical", [
    ("K0505-ös", "K0505"),
    ("k0505", "K0505"),
    ("K0506", "K0506"),
    ("1155", "1155"),
    ("1155-ös", "1155"),
    (" 1155 ", "1155"),
])
def test_codes_without_sub_code_and_numeric_codes(spelling: str, canonical: str) -> None:
    assert normalise(spelling) == canonical
    assert is_code_like(spelling)


def test_sub_codes_stay_apart() -> None:
    assert normalise("K0517(-116)") != normalise("K0517(-117)")
    assert normalise("K0517") != normalise("K0517(-116)")
    assert lookup_key("K0517") != lookup_key("K0517 (-116)")


@pytest.mark.parametrize("message, expected", [
    ("Webhely nem elérhető.", "Webhely nem elérhető."),
    ("  Webhely   nem\nelérhető.  ", "Webhely nem elérhető."),
    ("Webhely\tnem elérhető.", "Webhely nem elérhető."),
    ("A PIN-kód HIBÁS!", "A PIN-kód HIBÁS!"),            # case and punctuation kept verbatim
    ("K0517 (-116) hiba", "K0517 (-116) hiba"),          # a code inside a sentence is a message
])
def test_messages_keep_their_text_with_whitespace_collapsed(message: str, expected: str) -> None:
    assert normalise(message) == expected
    assert not is_code_like(message)


def test_messages_are_nfc_normalised() -> None:
    decomposed = unicodedata.normalize("NFD", "Webhely nem elérhető.")
    assert decomposed != "Webhely nem elérhető."
    assert normalise(decomposed) == "Webhely nem elérhető."


@pytest.mark.parametrize("text", ["K05", "12", "K0517 valami", "", "   ", "Hiba történt", "K-0517", "0517x"])
def test_not_code_like(text: str) -> None:
    assert not is_code_like(text)


def test_lookup_key_ignores_case_of_messages_but_normalise_keeps_it() -> None:
    assert lookup_key("webhely nem ELÉRHETŐ.") == lookup_key("Webhely nem elérhető.")
    assert normalise("webhely nem ELÉRHETŐ.") != normalise("Webhely nem elérhető.")


@pytest.mark.parametrize("code, expected", [
    ("K0517(-116)", "k0517-116"),
    ("K0505", "k0505"),
    ("1155", "1155"),
    ("Webhely nem elérhető.", "webhely-nem-elerheto"),
    ("Árvíztűrő tükörfúrógép", "arvizturo-tukorfurogep"),
    ("!!!", "kod"),
    ("", "kod"),
])
def test_slug(code: str, expected: str) -> None:
    assert slug(code) == expected


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    assert is_code_like(once) == is_code_like(text)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_slug_is_always_a_url_slug_and_stable_across_spellings(text: str) -> None:
    s = slug(text)
    assert SLUG.match(s), s
    assert slug(normalise(text)) == s


@settings(max_examples=200, deadline=None)
@given(letter=st.sampled_from("kK"), num=st.from_regex(r"\A[0-9]{4}\Z"), sub=st.from_regex(r"\A[0-9]{1,3}\Z"),
       sep=st.sampled_from([" (-", "(-", " -", "/", " (–", "-", " "]), close=st.sampled_from(["", ")"]),
       suffix=st.sampled_from(["", "-as", "-es", "-ös", "–ás"]))
def test_generated_spellings_normalise_to_one_code(letter: str, num: str, sub: str, sep: str, close: str,
                                                   suffix: str) -> None:
    spelling = f"{letter}{num}{sep}{sub}{close if '(' in sep else ''}{suffix}"
    assert normalise(spelling) == f"K{num}(-{sub})"
