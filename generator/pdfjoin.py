"""Join pages of PDFs made by rsvg-convert into one document and number them, rendering nothing again.

A tree's pages are rendered once, without their page number, and used twice: in the tree's own PDF
and in the handbook, each time numbered as the page of that document. The number is set in a font
taken from a small PDF that rsvg-convert made of every character a number needs (`NUMERALS`), so it
is the same embedded Liberation Sans as the rest of the page and stays searchable text. A drawing
that many pages show (their QR code) is added here too, stored once in each document.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, IndirectObject, NameObject,
                           PdfObject)

__all__ = ["NUMERALS", "Numerals", "Mark", "Place", "Document", "join"]

NUMERALS = "0123456789. oldal/"  # every character of a page number such as "12. oldal / 345"
_NAME = NameObject("/FaPageNumber")  # the font's name in each numbered page's resources


class Numerals:
    """The font page numbers are set in: the simple (WinAnsi) TrueType font that rsvg-convert embedded
    for a line of NUMERALS, and the width of each of those characters."""

    def __init__(self, pdf: Path) -> None:
        page = PdfReader(pdf).pages[0]
        fonts = page["/Resources"].get("/Font", DictionaryObject())
        for name in fonts:
            font = fonts[name]
            if font.get("/Subtype") != "/TrueType" or font.get("/Encoding") != "/WinAnsiEncoding":
                continue
            first, widths = int(font["/FirstChar"]), [float(w) for w in font["/Widths"]]
            found = {c: widths[ord(c) - first] for c in NUMERALS if 0 <= ord(c) - first < len(widths)}
            if len(found) == len(set(NUMERALS)) and all(found.values()):
                self.font: IndirectObject = fonts.raw_get(name)
                self.widths = found
                return
        raise ValueError(f"{pdf}: no simple TrueType font with every character of {NUMERALS!r}")

    def width(self, text: str, size: float) -> float:
        """The width (pt) of `text` at `size`."""
        return sum(self.widths[c] for c in text) * size / 1000


@dataclass(frozen=True)
class Mark:
    """A drawing set on pages as they are joined and stored once per document, however many pages
    show it (a page's QR code): PDF path operators within a `size` × `size` square, y upwards."""

    operators: str
    size: float


@dataclass(frozen=True)
class Place:
    """Where a page's furniture goes, in pt from its top left: the number's centre and baseline, and
    the square its mark is drawn in."""

    number_x: float
    number_y: float
    mark_x: float
    mark_y: float
    mark_side: float


def _stream(writer: PdfWriter, data: bytes, **entries: PdfObject) -> IndirectObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    for key, value in entries.items():
        stream[NameObject(f"/{key}")] = value
    return writer._add_object(stream.flate_encode() if len(data) > 200 else stream)


def _form(writer: PdfWriter, mark: Mark) -> IndirectObject:
    """A mark as a form XObject of the document."""
    box = ArrayObject([FloatObject(0), FloatObject(0), FloatObject(mark.size), FloatObject(mark.size)])
    return _stream(writer, mark.operators.encode("ascii"), Type=NameObject("/XObject"),
                   Subtype=NameObject("/Form"), BBox=box)


def _entry(resources: DictionaryObject, kind: str) -> DictionaryObject:
    """The `kind` dictionary (/Font, /XObject) of a page's resources, made when missing."""
    if kind not in resources:
        resources[NameObject(kind)] = DictionaryObject()
    return resources[kind]  # resolved, when an indirect object


class Document:
    """A PDF joined from pages of others: each page is numbered, and its mark drawn, as it is added
    (see `join`); pages can be added while their sources are read one by one."""

    def __init__(self, numerals: Numerals, place: Callable[[float, float], Place], size: float,
                 color: tuple[float, float, float]) -> None:
        self.writer = PdfWriter()
        self.numerals, self.place, self.size = numerals, place, size
        self.rgb = " ".join(f"{c:.4f}" for c in color)
        self.font = numerals.font.clone(self.writer)
        self.push = _stream(self.writer, b"q\n")
        self.forms: dict[Mark, tuple[NameObject, IndirectObject]] = {}

    def add(self, reader: PdfReader, index: int, number: str, mark: Mark | None) -> None:
        """Page `index` of `reader`, with its number set and its mark (if any) drawn where `place` says."""
        if not set(number) <= set(NUMERALS):
            raise ValueError(f"a page number of other characters than {NUMERALS!r}: {number!r}")
        page = self.writer.add_page(reader.pages[index])
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        at = self.place(width, height)
        if "/Resources" not in page:
            page[NameObject("/Resources")] = DictionaryObject()
        resources = page["/Resources"]
        _entry(resources, "/Font")[_NAME] = self.font  # one object, however many pages use it
        x = at.number_x - self.numerals.width(number, self.size) / 2
        added = f"Q\nBT {_NAME} {self.size:g} Tf {self.rgb} rg 1 0 0 1 {x:.3f} {height - at.number_y:.3f} Tm ({number}) Tj ET\n"
        if mark is not None:
            if mark not in self.forms:
                self.forms[mark] = (NameObject(f"/FaMark{len(self.forms)}"), _form(self.writer, mark))
            name, form = self.forms[mark]
            _entry(resources, "/XObject")[name] = form
            scale = at.mark_side / mark.size
            added += (f"q {scale:.5f} 0 0 {scale:.5f} {at.mark_x:.3f} {height - at.mark_y - at.mark_side:.3f} cm "
                      f"{name} Do Q\n")
        contents = page.raw_get("/Contents")
        before = list(contents) if isinstance(contents, ArrayObject) else [] if contents is None else [contents]
        page[NameObject("/Contents")] = ArrayObject([self.push, *before, _stream(self.writer, added.encode("ascii"))])

    def write(self, out: BinaryIO, title: str, day: dt.date) -> None:
        """The PDF, titled and dated (`day`) in its document information, so equal input gives equal bytes."""
        self.writer.add_metadata({"/Title": title, "/CreationDate": f"D:{day:%Y%m%d}000000Z"})
        self.writer.write(out)


def join(pages: Iterable[tuple[PdfReader, int, str, Mark | None]], numerals: Numerals,
         place: Callable[[float, float], Place], size: float, color: tuple[float, float, float],
         title: str, day: dt.date) -> bytes:
    """One PDF of these pages (reader, page index, number, mark or None): on each, its number set
    centred in `size` pt and RGB `color` (0-1), and its mark drawn, where `place(width, height)`
    says. Titled and dated (`day`) in its document information, so equal input gives equal bytes."""
    document = Document(numerals, place, size, color)
    for page in pages:
        document.add(*page)
    out = io.BytesIO()
    document.write(out, title, day)
    return out.getvalue()
