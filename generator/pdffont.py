"""TrueType fonts for our own PDF writer: read a .ttf once (names, metrics, cmap, advances), cut a
glyph-ID-preserving subset per document, and make the PDF pieces a CIDFontType2 needs (/W widths,
ToUnicode CMap, subset tag). Also finds the faces we print in: Liberation Sans, with DejaVu Sans for
the characters it lacks."""

from __future__ import annotations

import bisect
import functools
import hashlib
import shutil
import struct
import subprocess
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from .render import RenderError

__all__ = ["TrueType", "load_font", "Fonts", "fonts", "LIBERATION_HINT", "DEJAVU_HINT", "widths_array",
           "to_unicode", "subset_tag"]

LIBERATION_HINT = ("Liberation Sans not found: install it with `sudo apt-get install fonts-liberation` "
                   "(Debian/Ubuntu), the PDFs are set in it")
DEJAVU_HINT = ("DejaVu Sans not found: install it with `sudo apt-get install fonts-dejavu-core` "
               "(Debian/Ubuntu), the PDFs use it for characters Liberation Sans lacks")
_LIBERATION = "/usr/share/fonts/truetype/liberation/LiberationSans-{}.ttf"
_DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans{}.ttf"
_COMPOSITE_WORDS, _COMPOSITE_SCALE, _COMPOSITE_MORE, _COMPOSITE_XY, _COMPOSITE_2X2 = 0x1, 0x8, 0x20, 0x40, 0x80


def _checksum(data: bytes) -> int:
    """The TrueType checksum: the sum of big-endian uint32 words, zero-padded, modulo 2**32."""
    if len(data) % 4:
        data += bytes(4 - len(data) % 4)
    return sum(struct.unpack(f">{len(data) // 4}I", data)) & 0xFFFFFFFF


class _Cmap:
    """Unicode code point -> glyph id, from a cmap subtable of format 4 or 12, looked up by bisection."""

    def __init__(self, data: bytes, offset: int) -> None:
        self.format = struct.unpack_from(">H", data, offset)[0]
        if self.format == 12:
            count = struct.unpack_from(">I", data, offset + 12)[0]
            groups = struct.unpack_from(f">{count * 3}I", data, offset + 16)
            self._starts = list(groups[0::3])
            self._ends = list(groups[1::3])
            self._first = list(groups[2::3])
        elif self.format == 4:
            segs = struct.unpack_from(">H", data, offset + 6)[0] // 2
            base = offset + 14
            self._ends = list(struct.unpack_from(f">{segs}H", data, base))
            self._starts = list(struct.unpack_from(f">{segs}H", data, base + 2 * segs + 2))
            self._deltas = struct.unpack_from(f">{segs}h", data, base + 4 * segs + 2)
            self._range_at = base + 6 * segs + 2
            self._ranges = struct.unpack_from(f">{segs}H", data, self._range_at)
            self._data = data
        else:
            raise ValueError(f"cmap format {self.format} is not supported")

    def lookup(self, code: int) -> int:
        """The glyph id of `code`, 0 when the font has none."""
        i = bisect.bisect_left(self._ends, code)
        if i == len(self._ends) or code < self._starts[i]:
            return 0
        if self.format == 12:
            return self._first[i] + code - self._starts[i]
        if self._ranges[i] == 0:
            return (code + self._deltas[i]) & 0xFFFF
        at = self._range_at + 2 * i + self._ranges[i] + 2 * (code - self._starts[i])
        gid = struct.unpack_from(">H", self._data, at)[0]
        return (gid + self._deltas[i]) & 0xFFFF if gid else 0


class TrueType:
    """One TrueType font file, parsed once: PostScript name, metrics in 1/1000 em for a PDF
    FontDescriptor, character -> glyph lookup, advances, and glyph-ID-preserving subsets."""

    def __init__(self, data: bytes, path: str = "") -> None:
        self.path = path
        self._data = data
        version, count = struct.unpack_from(">IH", data, 0)
        if version not in (0x00010000, 0x74727565):  # 1.0 or 'true'; 'OTTO' (CFF) cannot be a FontFile2
            raise ValueError(f"{path or 'font'}: not a TrueType font")
        self._tables: dict[bytes, tuple[int, int]] = {}
        for i in range(count):
            tag, _, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
            self._tables[tag] = (offset, length)
        head = self._table(b"head")
        self.units: int = struct.unpack_from(">H", head, 18)[0]
        x_min, y_min, x_max, y_max = struct.unpack_from(">4h", head, 36)
        self._long_loca = struct.unpack_from(">h", head, 50)[0] == 1
        hhea = self._table(b"hhea")
        ascender, descender = struct.unpack_from(">hh", hhea, 4)
        metrics = struct.unpack_from(">H", hhea, 34)[0]
        self.glyph_count: int = struct.unpack_from(">H", self._table(b"maxp"), 4)[0]
        hmtx = self._table(b"hmtx")
        pairs = struct.unpack_from(f">{2 * metrics}H", hmtx)
        self._advance_units = list(pairs[0::2]) + [pairs[-2]] * (self.glyph_count - metrics)
        self._hmetrics = metrics
        loca = self._table(b"loca")
        n = self.glyph_count + 1
        self._offsets = (struct.unpack_from(f">{n}I", loca) if self._long_loca
                         else [2 * o for o in struct.unpack_from(f">{n}H", loca)])
        scale = 1000 / self.units
        self.name: str = self._postscript_name()
        self.ascent: float = round(ascender * scale)
        self.descent: float = round(descender * scale)
        self.bbox: tuple[float, float, float, float] = (
            round(x_min * scale), round(y_min * scale), round(x_max * scale), round(y_max * scale))
        post = self._table(b"post")
        angle = struct.unpack_from(">i", post, 4)[0] / 65536
        fixed_pitch = struct.unpack_from(">I", post, 12)[0] != 0
        self.italic_angle: float = round(angle, 2)
        os2 = self._table(b"OS/2") if b"OS/2" in self._tables else b""
        weight = struct.unpack_from(">H", os2, 4)[0] if os2 else 400
        cap = struct.unpack_from(">h", os2, 88)[0] if len(os2) >= 90 and os2[1] >= 2 else 0
        self.cap_height: float = round(cap * scale) if cap else round(self.ascent * 0.7)
        self.flags: int = 32 | (64 if angle else 0) | (1 if fixed_pitch else 0)  # Nonsymbolic, Italic, FixedPitch
        self.stem_v: int = round(10 + 220 * (weight - 50) / 900)  # the usual estimate from the weight class
        self._cmap = self._unicode_cmap()
        self._glyphs: dict[str, int] = {}

    def _table(self, tag: bytes) -> bytes:
        """The bytes of table `tag` (KeyError when missing)."""
        offset, length = self._tables[tag]
        return self._data[offset:offset + length]

    def _postscript_name(self) -> str:
        """Name ID 6 from the name table (Windows UTF-16 or Mac Roman), spaces removed."""
        data = self._table(b"name")
        count, strings = struct.unpack_from(">HH", data, 2)
        found: dict[int, str] = {}
        for i in range(count):
            platform, _, _, name_id, length, offset = struct.unpack_from(">6H", data, 6 + 12 * i)
            if name_id == 6 and platform in (1, 3) and platform not in found:
                raw = data[strings + offset:strings + offset + length]
                found[platform] = raw.decode("utf-16-be" if platform == 3 else "mac-roman")
        name = found.get(3) or found.get(1) or Path(self.path).stem or "Font"
        return "".join(ch for ch in name if ch.isascii() and ch.isalnum() or ch in "-_")

    def _unicode_cmap(self) -> _Cmap:
        """The Unicode cmap subtable: format 12 (full Unicode) before format 4 (BMP)."""
        data = self._data
        base = self._tables[b"cmap"][0]
        count = struct.unpack_from(">H", data, base + 2)[0]
        best: tuple[int, int] | None = None
        for i in range(count):
            platform, encoding, offset = struct.unpack_from(">HHI", data, base + 4 + 8 * i)
            if platform == 0 or (platform == 3 and encoding in (1, 10)):
                fmt = struct.unpack_from(">H", data, base + offset)[0]
                rank = {12: 2, 4: 1}.get(fmt, 0)
                if rank and (best is None or rank > best[0]):
                    best = (rank, base + offset)
        if best is None:
            raise ValueError(f"{self.path or 'font'}: no Unicode cmap of format 4 or 12")
        return _Cmap(data, best[1])

    def glyph(self, char: str) -> int:
        """The glyph id of `char` (one character), 0 when the font lacks it; remembered."""
        gid = self._glyphs.get(char)
        if gid is None:
            gid = self._cmap.lookup(ord(char))
            if gid >= self.glyph_count:
                gid = 0
            self._glyphs[char] = gid
        return gid

    def advance(self, gid: int) -> float:
        """The advance width of glyph `gid` in 1/1000 em, rounded to a whole unit as PDF /W gives it."""
        return float(round(self._advance_units[gid] * 1000 / self.units))

    def _glyph_data(self, gid: int) -> bytes:
        """The glyf entry of `gid` (empty for a glyph without outline)."""
        start = self._tables[b"glyf"][0]
        return self._data[start + self._offsets[gid]:start + self._offsets[gid + 1]]

    def _components(self, gid: int) -> list[int]:
        """The glyph ids a composite glyph is built of (empty for a simple glyph)."""
        data = self._glyph_data(gid)
        if len(data) < 10 or struct.unpack_from(">h", data, 0)[0] >= 0:
            return []
        found, at = [], 10
        while True:
            flags, component = struct.unpack_from(">HH", data, at)
            found.append(component)
            at += 4 + (4 if flags & _COMPOSITE_WORDS else 2)
            at += 8 if flags & _COMPOSITE_2X2 else 4 if flags & _COMPOSITE_XY else 2 if flags & _COMPOSITE_SCALE else 0
            if not flags & _COMPOSITE_MORE:
                return found

    def closure(self, gids: Iterable[int]) -> set[int]:
        """`gids` with .notdef and every component of every composite glyph among them, recursively."""
        keep: set[int] = set()
        todo = [0, *(g for g in gids if 0 <= g < self.glyph_count)]
        while todo:
            gid = todo.pop()
            if gid not in keep:
                keep.add(gid)
                todo.extend(c for c in self._components(gid) if c < self.glyph_count)
        return keep

    def subset(self, gids: Iterable[int]) -> bytes:
        """A TrueType file holding only `gids` (plus .notdef and composite components), each glyph
        under its original id, the rest empty; only the tables a PDF FontFile2 needs. Deterministic."""
        keep = sorted(self.closure(gids))
        count = keep[-1] + 1
        glyf_start = self._tables[b"glyf"][0]
        data, offsets = self._data, self._offsets
        starts: list[int] = []
        parts: list[bytes] = []
        pos = 0
        for gid in keep:
            starts.extend([pos] * (gid - len(starts)))
            starts.append(pos)
            outline = data[glyf_start + offsets[gid]:glyf_start + offsets[gid + 1]]
            if len(outline) % 4:
                outline += bytes(4 - len(outline) % 4)
            parts.append(outline)
            pos += len(outline)
        starts.append(pos)
        metrics = min(self._hmetrics, count)
        hmtx = bytearray(4 * metrics + 2 * (count - metrics))
        source = self._table(b"hmtx")
        for gid in keep:
            if gid < metrics:
                hmtx[4 * gid:4 * gid + 4] = source[4 * gid:4 * gid + 4]
            else:  # past numberOfHMetrics (then metrics == the font's own) only the left side bearing is stored
                at = 4 * metrics + 2 * (gid - metrics)
                hmtx[at:at + 2] = source[at:at + 2]
        head = bytearray(self._table(b"head"))
        head[8:12] = bytes(4)  # checkSumAdjustment, set once the file is whole
        hhea = bytearray(self._table(b"hhea"))
        hhea[34:36] = struct.pack(">H", metrics)
        maxp = bytearray(self._table(b"maxp"))
        maxp[4:6] = struct.pack(">H", count)
        loca = (struct.pack(f">{len(starts)}I", *starts) if self._long_loca
                else struct.pack(f">{len(starts)}H", *(s // 2 for s in starts)))
        tables = {b"head": bytes(head), b"hhea": bytes(hhea), b"maxp": bytes(maxp), b"loca": loca,
                  b"glyf": b"".join(parts), b"hmtx": bytes(hmtx)}
        for tag in (b"cvt ", b"fpgm", b"prep"):
            if tag in self._tables:
                tables[tag] = self._table(tag)
        return _assemble(tables)


def _assemble(tables: dict[bytes, bytes]) -> bytes:
    """An sfnt file of `tables`: directory sorted by tag, tables 4-byte aligned, table checksums and
    head.checkSumAdjustment set."""
    tags = sorted(tables)
    count = len(tags)
    power = 1 << (count.bit_length() - 1)
    header = struct.pack(">IHHHH", 0x00010000, count, power * 16, power.bit_length() - 1, count * 16 - power * 16)
    offset = 12 + 16 * count
    directory, body = [], []
    for tag in tags:
        data = tables[tag]
        directory.append(struct.pack(">4sIII", tag, _checksum(data), offset, len(data)))
        padded = data + bytes(-len(data) % 4)
        body.append(padded)
        offset += len(padded)
    font = bytearray(header + b"".join(directory) + b"".join(body))
    head_at = struct.unpack_from(">I", font, 12 + 16 * tags.index(b"head") + 8)[0]
    font[head_at + 8:head_at + 12] = struct.pack(">I", (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF)
    return bytes(font)


@functools.lru_cache(maxsize=None)
def load_font(path: str) -> TrueType:
    """The font at `path`, parsed once per process."""
    return TrueType(Path(path).read_bytes(), path)


@dataclass(frozen=True)
class Fonts:
    """The faces we print in: Liberation Sans regular and bold (metric-compatible with Arial), and
    DejaVu Sans regular and bold for characters Liberation Sans lacks. `faces` is their fixed order."""

    regular: TrueType
    bold: TrueType
    fallback: TrueType
    fallback_bold: TrueType

    @property
    def faces(self) -> tuple[TrueType, TrueType, TrueType, TrueType]:
        """Regular, bold, fallback regular, fallback bold: the index is the face number."""
        return (self.regular, self.bold, self.fallback, self.fallback_bold)

    def pick(self, char: str, bold: bool = False) -> tuple[int, int]:
        """(face number, glyph id) for `char`: Liberation Sans when it has it, else DejaVu Sans, else
        Liberation's .notdef."""
        main = 1 if bold else 0
        gid = self.faces[main].glyph(char)
        if gid:
            return main, gid
        gid = self.faces[main + 2].glyph(char)
        return (main + 2, gid) if gid else (main, 0)


def _fc_match(pattern: str, family: str) -> str | None:
    """The file fontconfig gives for `pattern`, when it is really of `family` (fc-match always
    answers with something)."""
    exe = shutil.which("fc-match")
    if exe is None:
        return None
    try:
        done = subprocess.run([exe, "-f", "%{family}\n%{file}", pattern], capture_output=True, timeout=30,
                              check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    names, _, file = done.stdout.decode("utf-8", "replace").partition("\n")
    return file if done.returncode == 0 and family in names.split(",") and file else None


def _find(path: str, pattern: str, family: str, hint: str) -> TrueType:
    """The font fontconfig finds for `pattern` (the one Graphviz measured the charts with, and browsers
    print with), else the one at `path`, else RenderError(hint)."""

    def candidates() -> Iterator[str]:
        found = _fc_match(pattern, family)
        if found:
            yield found
        if Path(path).is_file():
            yield path

    for candidate in candidates():
        try:
            return load_font(candidate)
        except (OSError, ValueError, struct.error):
            continue
    raise RenderError(hint)


@functools.lru_cache(maxsize=None)
def fonts() -> Fonts:
    """The print faces, found and parsed once per process; RenderError with an install hint when
    one is missing."""
    return Fonts(
        regular=_find(_LIBERATION.format("Regular"), "Liberation Sans:regular", "Liberation Sans", LIBERATION_HINT),
        bold=_find(_LIBERATION.format("Bold"), "Liberation Sans:bold", "Liberation Sans", LIBERATION_HINT),
        fallback=_find(_DEJAVU.format(""), "DejaVu Sans:book", "DejaVu Sans", DEJAVU_HINT),
        fallback_bold=_find(_DEJAVU.format("-Bold"), "DejaVu Sans:bold", "DejaVu Sans", DEJAVU_HINT),
    )


def widths_array(font: TrueType, gids: Iterable[int]) -> str:
    """The PDF /W array for `gids`: consecutive ids grouped as `first [w1 w2 …]`."""
    groups: list[str] = []
    run: list[str] = []
    first = previous = -2
    for gid in sorted(set(gids)):
        if gid != previous + 1 and run:
            groups.append(f"{first} [{' '.join(run)}]")
            run = []
        if not run:
            first = gid
        run.append(f"{font.advance(gid):g}")
        previous = gid
    if run:
        groups.append(f"{first} [{' '.join(run)}]")
    return "[" + " ".join(groups) + "]"


def _utf16_hex(text: str) -> str:
    """`text` as UTF-16BE hex digits (surrogate pairs beyond the BMP)."""
    return text.encode("utf-16-be").hex().upper()


def to_unicode(mapping: Mapping[int, str]) -> bytes:
    """A ToUnicode CMap for 2-byte glyph ids: glyph id -> text, in bfchar blocks of at most 100."""
    items = sorted(mapping.items())
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
             "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange"]
    for start in range(0, len(items), 100):
        block = items[start:start + 100]
        lines.append(f"{len(block)} beginbfchar")
        lines.extend(f"<{gid:04X}> <{_utf16_hex(text)}>" for gid, text in block)
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end", ""]
    return "\n".join(lines).encode("ascii")


def subset_tag(gids: Iterable[int]) -> str:
    """Six uppercase letters naming a subset, derived from its glyph ids (same glyphs, same tag)."""
    digest = hashlib.sha256(",".join(map(str, sorted(set(gids)))).encode("ascii")).digest()
    return "".join(chr(65 + b % 26) for b in digest[:6])
