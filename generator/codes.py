"""The one normaliser for error codes, and the stable page slug derived from a canonical code."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalise", "slug", "is_code_like", "lookup_key"]

# A K-code with an optional sub-code: "K0517 (-116)", "k0517/116", "K0517 -116", "K0517(-116)-as".
_K_CODE = re.compile(
    r"""^\s*(?P<letter>[a-z])\s*(?P<num>\d{3,5})      # K0517
        (?:\s*(?:\(\s*[-–]?|/\s*[-–]?|[-–]|\s+[-–]?)\s*(?P<sub>\d{1,6})\s*\)?)?  # (-116), /116, -116
        \s*(?:[-–]\s*[a-záéíóöőúüű]{1,4})?\s*$          # Hungarian suffix: -as, -es, –ös
    """,
    re.IGNORECASE | re.VERBOSE,
)
# A bare numeric code: "1155", "1155-ös".
_NUM_CODE = re.compile(r"^\s*(?P<num>\d{3,6})\s*(?:[-–]\s*[a-záéíóöőúüű]{1,4})?\s*$", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """The canonical form of a code, or of an error message when `text` is not code-like.

    >>> [normalise(s) for s in ["K0517 (-116)", "k0517(-116)", "K0517 -116", "K0517/116", "K0517(-116)-as"]]
    ['K0517(-116)', 'K0517(-116)', 'K0517(-116)', 'K0517(-116)', 'K0517(-116)']
    >>> normalise("k0505-ös"), normalise("1155"), normalise("  Webhely  nem elérhető. ")
    ('K0505', '1155', 'Webhely nem elérhető.')
    """
    text = unicodedata.normalize("NFC", text)
    m = _K_CODE.match(text)
    if m:
        base = m["letter"].upper() + m["num"]
        return f"{base}(-{m['sub']})" if m["sub"] else base
    m = _NUM_CODE.match(text)
    if m:
        return m["num"]
    return _SPACE.sub(" ", text).strip()


def is_code_like(text: str) -> bool:
    """True when `text` reads as a code (K-code or number) rather than a message.

    >>> is_code_like("K0517 -116"), is_code_like("Webhely nem elérhető.")
    (True, False)
    """
    text = unicodedata.normalize("NFC", text)
    return bool(_K_CODE.match(text) or _NUM_CODE.match(text))


def lookup_key(text: str) -> str:
    """The key two spellings share when they name the same code or message (case-folded).

    >>> lookup_key("webhely nem ELÉRHETŐ.") == lookup_key("Webhely nem elérhető.")
    True
    """
    return normalise(text).casefold()


def slug(code: str) -> str:
    """The stable URL slug of a canonical code or message: lowercase ASCII letters, digits, dashes.

    >>> slug("K0517(-116)"), slug("1155"), slug("Webhely nem elérhető.")
    ('k0517-116', '1155', 'webhely-nem-elerheto')
    """
    ascii_text = unicodedata.normalize("NFKD", normalise(code)).encode("ascii", "ignore").decode()
    return _NON_SLUG.sub("-", ascii_text.lower()).strip("-") or "kod"
