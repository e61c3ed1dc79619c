"""Our own small PDF writer: pages drawn with a canvas API in SVG's coordinates (points, origin top
left, y down), text set in embedded subsets of Liberation Sans (DejaVu Sans for what it lacks) that
stays extractable, reusable Form XObjects, and a document written deterministically (same input, same
bytes). Pages are compressed as they are added, so a handbook of thousands of pages stays small."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import unicodedata
import zlib
from collections.abc import Callable, Sequence
from typing import BinaryIO, NamedTuple

from .pdffont import fonts, subset_tag, to_unicode, widths_array

__all__ = ["Page", "Drawing", "record", "Document", "PRODUCER"]

PRODUCER = "hibaelharitas-generator"
_LEVEL = 6  # zlib level: fixed, so the same content gives the same bytes
_ANCHORS = {"start": 0.0, "middle": 0.5, "end": 1.0}
_FACES = 4  # pdffont.Fonts.faces: regular, bold, fallback regular, fallback bold


def _n(value: float) -> str:
    """A coordinate, compactly: at most 2 decimals, no trailing zeros, no minus zero."""
    if value == int(value):
        return str(int(value))
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _f(value: float) -> str:
    """A matrix factor or colour component: 5 decimals, since it scales everything after it."""
    if value == int(value):
        return str(int(value))
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@functools.lru_cache(maxsize=1024)
def _colour(rgb: tuple[float, float, float], op: str) -> str:
    """`r g b rg` (or RG) for components 0..1."""
    return " ".join(_f(min(max(float(c), 0.0), 1.0)) for c in rgb) + " " + op


class _Shaped(NamedTuple):
    """A line of text resolved to glyphs: runs of (face, hex glyph ids) for Tj, its advance in 1/1000
    em, the faces it uses, and the (NFC) text itself, whose characters the document turns into glyph
    subsets once."""

    runs: tuple[tuple[int, str], ...]
    width: float
    faces: frozenset[int]
    text: str


# Per weight (0 regular, 1 bold), filled as characters are first met: character -> face, code point ->
# 4 hex digits of its glyph id (str.translate tables: all characters met, and only those set in the
# weight's own Liberation face, the fast path), character -> advance (1/1000 em).
_FACE: tuple[dict[str, int], dict[str, int]] = ({}, {})
_HEX: tuple[dict[int, str], dict[int, str]] = ({}, {})
_MAIN_HEX: tuple[dict[int, str], dict[int, str]] = ({}, {})
_ADVANCE: tuple[dict[str, float], dict[str, float]] = ({}, {})
_MAIN_FACES = (frozenset({0}), frozenset({1}))


def _learn(chars: Sequence[str], weight: int) -> None:
    """Look up the face, glyph and advance of characters not met before. The tables `_shape` tests
    (_MAIN_HEX, _FACE) are filled last, so a thread drawing at the same time never finds half an entry."""
    family = fonts()
    for char in chars:
        face, gid = family.pick(char, bool(weight))
        _ADVANCE[weight][char] = family.faces[face].advance(gid)
        _HEX[weight][ord(char)] = f"{gid:04X}"
        if face == weight:
            _MAIN_HEX[weight][ord(char)] = f"{gid:04X}"
        _FACE[weight][char] = face


@functools.lru_cache(maxsize=1 << 16)
def _shape(text: str, bold: bool) -> _Shaped:
    """`text` (NFC-normalised) as runs of one face each. A line set in Liberation Sans only (nearly
    all) is one C-level translate: every character known there becomes 4 hex digits, so the length
    tells. Headers and labels repeat on many pages, so whole lines are remembered too."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    weight = 1 if bold else 0
    hexes = text.translate(_MAIN_HEX[weight])
    if len(hexes) == 4 * len(text):
        if not text:
            return _Shaped((), 0.0, frozenset(), text)
        width = sum(map(_ADVANCE[weight].__getitem__, text))
        return _Shaped(((weight, hexes),), width, _MAIN_FACES[weight], text)
    face_of = _FACE[weight]
    new = {char for char in text if char not in face_of}
    if new:
        _learn(sorted(new), weight)
    runs: list[tuple[int, str]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or face_of[text[i]] != face_of[text[start]]:
            runs.append((face_of[text[start]], text[start:i].translate(_HEX[weight])))
            start = i
    width = sum(map(_ADVANCE[weight].__getitem__, text))
    return _Shaped(tuple(runs), width, frozenset(face for face, _ in runs), text)


class Page:
    """One page (or form) being drawn: points, origin top left, y down. Operators are collected as
    text; the document compresses them when the page is added."""

    def __init__(self, width: float, height: float) -> None:
        self.width = float(width)
        self.height = float(height)
        self._ops: list[str] = []
        self._texts: tuple[list[str], list[str]] = ([], [])  # the lines set, by weight: regular, bold
        self._faces: set[int] = set()
        self._forms: dict[str, tuple[int, float, float, Callable[[Page], None]]] = {}
        self._fill = _colour((0, 0, 0), "rg")  # the fill colour asked for
        self._fill_now: str | None = self._fill  # the one in force (None: unknown, as in a form)
        self._font_now: tuple[int, str] | None = None
        self._stack: list[tuple[str, str | None, tuple[int, str] | None]] = []

    def save(self) -> None:
        """Save the graphics state (q)."""
        self._stack.append((self._fill, self._fill_now, self._font_now))
        self._ops.append("q")

    def restore(self) -> None:
        """Restore the last saved graphics state (Q)."""
        self._fill, self._fill_now, self._font_now = self._stack.pop()
        self._ops.append("Q")

    def transform(self, a: float, b: float, c: float, d: float, e: float, f: float) -> None:
        """Concatenate a matrix, in SVG's matrix(a b c d e f) order (cm)."""
        self._ops.append(f"{_f(a)} {_f(b)} {_f(c)} {_f(d)} {_n(e)} {_n(f)} cm")

    def fill_color(self, rgb: tuple[float, float, float]) -> None:
        """The colour of fills (components 0..1); written when a path is started."""
        self._fill = _colour(tuple(rgb), "rg")  # type: ignore[arg-type]

    def stroke_color(self, rgb: tuple[float, float, float]) -> None:
        """The colour of strokes (components 0..1)."""
        self._ops.append(_colour(tuple(rgb), "RG"))  # type: ignore[arg-type]

    def line_width(self, width: float) -> None:
        """The stroke width (w)."""
        self._ops.append(f"{_n(width)} w")

    def dash(self, pattern: Sequence[float], phase: float = 0.0) -> None:
        """The dash pattern (d); an empty pattern strokes solid."""
        self._ops.append(f"[{' '.join(map(_n, pattern))}] {_n(phase)} d")

    def _sync_fill(self) -> None:
        """Put the asked-for fill colour in force (text may have changed it)."""
        if self._fill_now != self._fill:
            self._ops.append(self._fill)
            self._fill_now = self._fill

    def move_to(self, x: float, y: float) -> None:
        """Start a (sub)path at x, y (m)."""
        if self._fill_now != self._fill:
            self._sync_fill()
        self._ops.append(f"{_n(x)} {_n(y)} m")

    def line_to(self, x: float, y: float) -> None:
        """A straight segment to x, y (l)."""
        self._ops.append(f"{_n(x)} {_n(y)} l")

    def curve_to(self, x1: float, y1: float, x2: float, y2: float, x: float, y: float) -> None:
        """A cubic Bézier segment to x, y with control points x1, y1 and x2, y2 (c)."""
        self._ops.append(f"{_n(x1)} {_n(y1)} {_n(x2)} {_n(y2)} {_n(x)} {_n(y)} c")

    def path(self, operators: str) -> None:
        """Path construction operators (m, l, c, h, re) written as given, for callers that already have
        them in PDF's syntax: an SVG's numbers copied without being parsed and formatted again."""
        if self._fill_now != self._fill:
            self._sync_fill()
        self._ops.append(operators)

    def close(self) -> None:
        """Close the current subpath (h)."""
        self._ops.append("h")

    def rect(self, x: float, y: float, w: float, h: float) -> None:
        """A rectangle subpath with its corner at x, y (re)."""
        if self._fill_now != self._fill:
            self._sync_fill()
        self._ops.append(f"{_n(x)} {_n(y)} {_n(w)} {_n(h)} re")

    def paint(self, fill: bool, stroke: bool, even_odd: bool = False) -> None:
        """Paint the current path: fill (f, f*), stroke (S), both (B, B*), or neither (n)."""
        if fill:
            self._ops.append(("B*" if even_odd else "B") if stroke else ("f*" if even_odd else "f"))
        else:
            self._ops.append("S" if stroke else "n")

    def text(self, x: float, y: float, text: str, size: float, bold: bool = False, anchor: str = "start",
             rgb: tuple[float, float, float] = (0, 0, 0)) -> None:
        """One line of text with its baseline at y, starting at x ("start"), centred on it ("middle")
        or ending there ("end"); characters Liberation Sans lacks are set in DejaVu Sans."""
        shift = _ANCHORS.get(anchor)
        if shift is None:
            raise ValueError(f"unknown text anchor {anchor!r}: use start, middle or end")
        shaped = _shape(text, bold)
        if not shaped.runs:
            return
        self._texts[1 if bold else 0].append(shaped.text)
        self._faces.update(shaped.faces)
        if shift:
            x -= shaped.width * size / 1000 * shift
        colour = _colour(tuple(rgb), "rg")  # type: ignore[arg-type]
        ops = self._ops
        if colour != self._fill_now:
            ops.append(colour)
            self._fill_now = colour
        size_text = _n(size)
        parts = ["BT", f"1 0 0 -1 {_n(x)} {_n(y)} Tm"]
        for face, hexes in shaped.runs:
            font = (face, size_text)
            if font != self._font_now:
                parts.append(f"/F{face} {size_text} Tf")
                self._font_now = font
            parts.append(f"<{hexes}> Tj")
        parts.append("ET")
        ops.append(" ".join(parts))

    def text_width(self, text: str, size: float, bold: bool = False) -> float:
        """The advance of `text` at `size` in points, from the same widths the PDF carries."""
        return _shape(text, bold).width * size / 1000

    def replay(self, drawing: Drawing) -> None:
        """Draw a recorded drawing (`record`) here, at the current transform, in a state of its own."""
        self._ops.extend(("q", drawing.ops, "Q"))
        self._texts[0].extend(drawing.texts[0])
        self._texts[1].extend(drawing.texts[1])
        self._faces.update(drawing.faces)

    def form(self, key: str, width: float, height: float, draw: Callable[[Page], None]) -> None:
        """Draw the form `key` (box 0,0..width,height, y down) at the current transform. `draw` fills a
        fresh Page of that size once per document per key, when the first page using it is added;
        every later use refers to the same Form XObject."""
        entry = self._forms.get(key)
        if entry is None:
            entry = (len(self._forms), float(width), float(height), draw)
            self._forms[key] = entry
        self._sync_fill()
        self._ops.append(f"/X{entry[0]} Do")


class Drawing(NamedTuple):
    """Operators drawn once and replayed on pages of any document (`Page.replay`): a flowchart sheet
    goes into its tree's PDF and into the handbook, drawn from its SVG once."""

    ops: str
    texts: tuple[tuple[str, ...], tuple[str, ...]]  # the lines set, by weight, for the font subsets
    faces: frozenset[int]


def record(width: float, height: float, draw: Callable[[Page], None]) -> Drawing:
    """What `draw` draws on a page of `width` × `height`, to be replayed; every colour is set in it,
    since it is replayed where the state is not known. Forms cannot be recorded (they belong to a
    document)."""
    page = Page(width, height)
    page._fill_now = None
    draw(page)
    if page._forms:
        raise ValueError("a recorded drawing cannot use forms")
    return Drawing("\n".join(page._ops), (tuple(page._texts[0]), tuple(page._texts[1])), frozenset(page._faces))


class _Record(NamedTuple):
    """An added page or form: its size, compressed content, the faces and forms it refers to."""

    width: float
    height: float
    content: bytes
    faces: tuple[int, ...]
    forms: tuple[str, ...]


def _string(text: str) -> str:
    """A PDF text string: literal when printable ASCII, else UTF-16BE hex with a byte order mark."""
    if text.isascii() and text.isprintable():
        return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


class _Out:
    """Writes numbered objects to a binary stream, remembering offsets and a digest of all bytes."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.pos = 0
        self.offsets: dict[int, int] = {}
        self.digest = hashlib.sha256()

    def raw(self, data: bytes) -> None:
        """Write `data` as it is."""
        self.out.write(data)
        self.digest.update(data)
        self.pos += len(data)

    def obj(self, num: int, body: str, stream: bytes | None = None) -> None:
        """Object `num`: a dictionary or other value, with `stream` after it when given."""
        self.offsets[num] = self.pos
        if stream is None:
            self.raw(f"{num} 0 obj\n{body}\nendobj\n".encode("latin-1"))
        else:
            self.raw(f"{num} 0 obj\n{body}\nstream\n".encode("latin-1") + stream + b"\nendstream\nendobj\n")


class Document:
    """A PDF of pages added in order: fonts embedded once as subsets of the glyphs used, forms once
    per key, written deterministically (dates from `day`, /ID a digest of the content)."""

    def __init__(self, title: str, day: dt.date, lang: str = "hu") -> None:
        self.title = title
        self.day = day
        self.lang = lang
        self._pages: list[_Record] = []
        self._forms: dict[str, _Record | None] = {}
        self._chars: tuple[set[str], set[str]] = (set(), set())  # every character set, by weight

    def add(self, page: Page) -> None:
        """Append `page`; its content is compressed now (and the forms it uses drawn, if new)."""
        self._pages.append(self._record(page, form=False))

    def __len__(self) -> int:
        """The number of pages added."""
        return len(self._pages)

    def _record(self, page: Page, form: bool) -> _Record:
        """`page` compressed, its glyphs noted for the subsets, its new forms drawn and recorded."""
        for key, (_, width, height, draw) in page._forms.items():
            if key not in self._forms:
                self._forms[key] = None  # taken: a form drawing itself must not recurse
                inner = Page(width, height)
                inner._fill_now = None  # a form inherits the state of where it is used
                draw(inner)
                self._forms[key] = self._record(inner, form=True)
        self._chars[0].update("".join(page._texts[0]))
        self._chars[1].update("".join(page._texts[1]))
        # A page flips to y down once and takes SVG's default miter limit (4); a form inherits both.
        head = "" if form else f"1 0 0 -1 0 {_n(page.height)} cm 4 M\n"
        content = zlib.compress((head + "\n".join(page._ops)).encode("latin-1"), _LEVEL)
        return _Record(page.width, page.height, content, tuple(sorted(page._faces)),
                       tuple(page._forms))

    def write(self, out: BinaryIO) -> None:
        """Write the PDF to `out`: catalog, info, fonts, forms, then each page and its content."""
        if not self._pages:
            raise ValueError("a PDF needs at least one page")
        used = self._glyphs()
        faces = [face for face in range(_FACES) if used[face]]
        font_num = {face: 4 + 5 * i for i, face in enumerate(faces)}
        forms = [key for key, record in self._forms.items() if record is not None]
        form_num = {key: 4 + 5 * len(faces) + i for i, key in enumerate(forms)}
        first_page = 4 + 5 * len(faces) + len(forms)
        page_nums = range(first_page, first_page + 2 * len(self._pages), 2)
        w = _Out(out)
        w.raw(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        w.obj(1, f"<< /Type /Catalog /Pages 2 0 R /Lang {_string(self.lang)} "
                 "/ViewerPreferences << /DisplayDocTitle true >> >>")
        kids = " ".join(f"{num} 0 R" for num in page_nums)
        w.obj(2, f"<< /Type /Pages /Kids [{kids}] /Count {len(self._pages)} >>")
        date = _string(f"D:{self.day:%Y%m%d}000000Z")
        w.obj(3, f"<< /Title {_string(self.title)} /Producer {_string(PRODUCER)} "
                 f"/CreationDate {date} /ModDate {date} >>")
        for face in faces:
            self._write_font(w, font_num[face], face, used[face])

        def resources(record: _Record) -> str:
            parts = []
            if record.faces:
                parts.append("/Font << " + " ".join(f"/F{f} {font_num[f]} 0 R" for f in record.faces) + " >>")
            if record.forms:
                parts.append("/XObject << " + " ".join(f"/X{i} {form_num[key]} 0 R"
                                                      for i, key in enumerate(record.forms)) + " >>")
            return "<< " + " ".join(parts) + " >>"

        for key in forms:
            record = self._forms[key]
            assert record is not None
            w.obj(form_num[key], f"<< /Type /XObject /Subtype /Form /BBox [0 0 {_n(record.width)} "
                                 f"{_n(record.height)}] /Resources {resources(record)} "
                                 f"/Filter /FlateDecode /Length {len(record.content)} >>", record.content)
        for num, record in zip(page_nums, self._pages):
            w.obj(num, f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {_n(record.width)} {_n(record.height)}] "
                       f"/Resources {resources(record)} /Contents {num + 1} 0 R >>")
            w.obj(num + 1, f"<< /Filter /FlateDecode /Length {len(record.content)} >>", record.content)
        size = first_page + 2 * len(self._pages)
        xref = w.pos
        file_id = w.digest.hexdigest()[:32].upper()
        table = ["xref", f"0 {size}", "0000000000 65535 f "]
        table.extend(f"{w.offsets[num]:010d} 00000 n " for num in range(1, size))
        table += ["trailer", f"<< /Size {size} /Root 1 0 R /Info 3 0 R /ID [<{file_id}> <{file_id}>] >>",
                  "startxref", str(xref), "%%EOF", ""]
        w.raw("\n".join(table).encode("ascii"))

    def _glyphs(self) -> list[dict[int, str]]:
        """By face: glyph id -> the text it stands for (the lowest character when several share it)."""
        family = fonts()
        used: list[dict[int, str]] = [{} for _ in range(_FACES)]
        for weight, chars in enumerate(self._chars):
            for char in sorted(chars):
                face, gid = family.pick(char, bool(weight))
                used[face].setdefault(gid, char)
        return used

    @staticmethod
    def _write_font(w: _Out, num: int, face: int, used: dict[int, str]) -> None:
        """Face `face` as objects num..num+4: Type0, CIDFontType2, descriptor, FontFile2, ToUnicode."""
        font = fonts().faces[face]
        program = font.subset(used)
        name = f"{subset_tag(used)}+{font.name}"
        bbox = " ".join(_n(v) for v in font.bbox)
        w.obj(num, f"<< /Type /Font /Subtype /Type0 /BaseFont /{name} /Encoding /Identity-H "
                   f"/DescendantFonts [{num + 1} 0 R] /ToUnicode {num + 4} 0 R >>")
        w.obj(num + 1, f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{name} "
                       "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
                       f"/FontDescriptor {num + 2} 0 R /CIDToGIDMap /Identity /DW 1000 "
                       f"/W {widths_array(font, used)} >>")
        w.obj(num + 2, f"<< /Type /FontDescriptor /FontName /{name} /Flags {font.flags} /FontBBox [{bbox}] "
                       f"/ItalicAngle {_n(font.italic_angle)} /Ascent {_n(font.ascent)} /Descent {_n(font.descent)} "
                       f"/CapHeight {_n(font.cap_height)} /StemV {font.stem_v} /FontFile2 {num + 3} 0 R >>")
        packed = zlib.compress(program, _LEVEL)
        w.obj(num + 3, f"<< /Length1 {len(program)} /Filter /FlateDecode /Length {len(packed)} >>", packed)
        cmap = zlib.compress(to_unicode(used), _LEVEL)
        w.obj(num + 4, f"<< /Filter /FlateDecode /Length {len(cmap)} >>", cmap)
