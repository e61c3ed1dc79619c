"""Tests of generator.pdffont on the real Liberation Sans and DejaVu Sans files: cmap lookups (checked
against fontconfig's own reading), Arial-compatible advances, glyph-ID-preserving subsets read back
with an independent sfnt reader here, checksums, the fallback face, and the PDF helpers."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from generator import pdffont
from generator.pdffont import Fonts, TrueType, fonts, load_font, subset_tag, to_unicode, widths_array
from generator.render import RenderError

PDF_TABLES = {b"head", b"hhea", b"maxp", b"loca", b"glyf", b"hmtx", b"cvt ", b"fpgm", b"prep"}


def tables(data: bytes) -> dict[bytes, bytes]:
    """The tables of an sfnt file, by tag."""
    count = struct.unpack_from(">H", data, 4)[0]
    found = {}
    for i in range(count):
        tag, _, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
        found[tag] = data[offset:offset + length]
    return found


def outlines(data: bytes) -> list[bytes]:
    """Every glyph's glyf entry, by glyph id, read through loca as head.indexToLocFormat says."""
    t = tables(data)
    count = struct.unpack_from(">H", t[b"maxp"], 4)[0]
    long_loca = struct.unpack_from(">h", t[b"head"], 50)[0] == 1
    assert len(t[b"loca"]) == (count + 1) * (4 if long_loca else 2)
    offsets = (struct.unpack(f">{count + 1}I", t[b"loca"]) if long_loca
               else [2 * o for o in struct.unpack(f">{count + 1}H", t[b"loca"])])
    return [t[b"glyf"][offsets[g]:offsets[g + 1]] for g in range(count)]


def components(outline: bytes) -> list[int]:
    """The component glyph ids of a composite glyf entry."""
    assert struct.unpack_from(">h", outline, 0)[0] < 0, "not a composite glyph"
    found, at = [], 10
    while True:
        flags, gid = struct.unpack_from(">HH", outline, at)
        found.append(gid)
        at += 4 + (4 if flags & 1 else 2) + (8 if flags & 0x80 else 4 if flags & 0x40 else 2 if flags & 8 else 0)
        if not flags & 0x20:
            return found


def same_outline(copied: bytes, original: bytes) -> bool:
    """The copy is the original, zero-padded to a 4-byte boundary at most."""
    return copied[:len(original)] == original and copied[len(original):] == bytes(len(copied) - len(original)) \
        and len(copied) - len(original) < 4


def checksum(data: bytes) -> int:
    data += bytes(-len(data) % 4)
    return sum(struct.unpack(f">{len(data) // 4}I", data)) & 0xFFFFFFFF


def advance_units(data: bytes, gid: int) -> int:
    """The hmtx advance of `gid` in font units."""
    t = tables(data)
    metrics = struct.unpack_from(">H", t[b"hhea"], 34)[0]
    return struct.unpack_from(">H", t[b"hmtx"], 4 * min(gid, metrics - 1))[0]


def fontconfig_charset(path: str) -> list[int]:
    """The code points FreeType/fontconfig say the font covers."""
    out = subprocess.run(["fc-query", "-f", "%{charset}", path], capture_output=True, text=True, check=True).stdout
    points: list[int] = []
    for item in out.split():
        first, _, last = item.partition("-")
        points.extend(range(int(first, 16), int(last or first, 16) + 1))
    return points


@pytest.fixture(scope="module")
def family() -> Fonts:
    return fonts()


def test_faces_are_liberation_sans_and_dejavu_sans(family: Fonts) -> None:
    names = [face.name for face in family.faces]
    assert names == ["LiberationSans", "LiberationSans-Bold", "DejaVuSans", "DejaVuSans-Bold"]
    assert fonts() is family and load_font(family.regular.path) is family.regular


def test_hungarian_and_arrow_glyphs_are_found(family: Fonts) -> None:
    for face in (family.regular, family.bold):
        gids = [face.glyph(char) for char in "AőŰ→„”"]
        assert all(gids) and len(set(gids)) == len(gids)
    assert family.regular.glyph("\uffff") == 0


@pytest.mark.skipif(shutil.which("fc-query") is None, reason="fc-query (fontconfig) is not installed")
@pytest.mark.parametrize("face", ["regular", "fallback"])
def test_cmap_agrees_with_fontconfig(family: Fonts, face: str) -> None:
    """Liberation has a format 4 cmap, DejaVu a format 12 one: every covered character has a glyph."""
    font: TrueType = getattr(family, face)
    covered = fontconfig_charset(font.path)
    assert len(covered) > 600
    missing = [hex(cp) for cp in covered if font.glyph(chr(cp)) == 0]
    assert missing == []
    uncovered = sorted(set(range(0x20, 0x3000)) - set(covered))
    assert uncovered and all(font.glyph(chr(cp)) == 0 for cp in uncovered)


def test_dejavu_reaches_beyond_the_bmp(family: Fonts) -> None:
    assert family.fallback.glyph("\U0001F600") != 0  # format 12 only
    assert family.regular.glyph("\U0001F600") == 0


def test_advances_are_arial_compatible(family: Fonts) -> None:
    regular, bold = family.regular, family.bold
    assert regular.advance(regular.glyph("A")) == 667
    assert regular.advance(regular.glyph(" ")) == 278
    assert regular.advance(regular.glyph("m")) == 833
    assert bold.advance(bold.glyph("A")) == 722
    assert regular.advance(regular.glyph("ő")) == regular.advance(regular.glyph("o")) == 556


def test_descriptor_metrics(family: Fonts) -> None:
    regular = family.regular
    assert regular.units == 2048
    assert (regular.ascent, regular.descent) == (905, -212)
    assert 600 < regular.cap_height < 750
    assert regular.bbox[0] < 0 < regular.bbox[2] and regular.bbox[1] < 0 < regular.bbox[3]
    assert regular.italic_angle == 0 and regular.flags == 32
    assert 0 < regular.stem_v < family.bold.stem_v


def test_subset_keeps_glyph_ids_and_is_small(family: Fonts) -> None:
    font = family.regular
    original = Path(font.path).read_bytes()
    used = {font.glyph(char) for char in "Árvíztűrő tükörfúrógép AB"}
    sub = font.subset(used)
    assert len(sub) < len(original) / 5
    before, after = outlines(original), outlines(sub)
    kept = font.closure(used)
    assert len(after) == max(kept) + 1 and used < kept  # accents are components of their own
    for gid in used | {0}:
        assert same_outline(after[gid], before[gid])
        assert bool(after[gid]) == (gid != font.glyph(" "))
        assert advance_units(sub, gid) == advance_units(original, gid)
    assert all(after[gid] == b"" for gid in range(len(after)) if gid not in kept)
    assert sum(1 for outline in after if outline) < 40


def test_subset_pulls_in_composite_components(family: Fonts) -> None:
    font = family.regular
    before = outlines(Path(font.path).read_bytes())
    accented = font.glyph("ő")
    parts = components(before[accented])
    assert font.glyph("o") in parts and len(parts) == 2
    after = outlines(font.subset({accented}))
    assert components(after[accented]) == parts
    for part in parts:
        assert after[part] and same_outline(after[part], before[part])


@pytest.mark.parametrize("face", ["regular", "bold", "fallback", "fallback_bold"])
def test_subset_tables_and_checksums(family: Fonts, face: str) -> None:
    font: TrueType = getattr(family, face)
    original = tables(Path(font.path).read_bytes())
    sub = font.subset({font.glyph(char) for char in "Kód ✓ →"})
    found = tables(sub)
    assert set(found) == PDF_TABLES & set(original)
    assert {b"head", b"hhea", b"maxp", b"loca", b"glyf", b"hmtx"} <= set(found)
    count = struct.unpack_from(">H", sub, 4)[0]
    for i in range(count):
        tag, stored, offset, length = struct.unpack_from(">4sIII", sub, 12 + 16 * i)
        data = sub[offset:offset + length]
        if tag == b"head":
            data = data[:8] + bytes(4) + data[12:]
        assert stored == checksum(data), tag
        assert offset % 4 == 0
    assert checksum(sub) == 0xB1B0AFBA
    assert struct.unpack_from(">h", found[b"head"], 50) == struct.unpack_from(">h", original[b"head"], 50)
    metrics = struct.unpack_from(">H", found[b"hhea"], 34)[0]
    glyphs = struct.unpack_from(">H", found[b"maxp"], 4)[0]
    assert len(found[b"hmtx"]) == 4 * metrics + 2 * (glyphs - metrics)
    assert outlines(sub)  # loca agrees with maxp and indexToLocFormat


def test_subset_is_deterministic(family: Fonts) -> None:
    font = family.bold
    used = [font.glyph(char) for char in "Hibaelhárítás"]
    again = TrueType(Path(font.path).read_bytes(), font.path)
    assert font.subset(used) == font.subset(reversed(used)) == again.subset(set(used))
    assert font.subset(used) != font.subset(used[:3])


def test_fallback_face_for_characters_liberation_lacks(family: Fonts) -> None:
    for char in "✓⚠":
        assert family.regular.glyph(char) == 0 and family.bold.glyph(char) == 0
        assert family.pick(char) == (2, family.fallback.glyph(char)) and family.fallback.glyph(char) > 0
        assert family.pick(char, bold=True) == (3, family.fallback_bold.glyph(char))
    assert family.pick("ő", bold=True) == (1, family.bold.glyph("ő"))
    assert family.pick("\U0010FFFD") == (0, 0)  # in neither: Liberation's .notdef


def test_widths_array_groups_consecutive_glyphs(family: Fonts) -> None:
    font = family.regular
    space, a, b, m = (font.glyph(char) for char in " ABm")
    assert b == a + 1
    assert widths_array(font, [m, b, a, space, a]) == f"[{space} [278] {a} [667 667] {m} [833]]"
    assert widths_array(font, []) == "[]"


def test_to_unicode_cmap_blocks() -> None:
    mapping = {gid: chr(0x41 + gid % 26) for gid in range(1, 151)}
    mapping[200] = "\U0001F600"
    cmap = to_unicode(mapping).decode("ascii")
    assert cmap.count("beginbfchar") == 2 and "100 beginbfchar" in cmap and "51 beginbfchar" in cmap
    assert "<0001> <0042>" in cmap and "<00C8> <D83DDE00>" in cmap
    assert "begincodespacerange\n<0000> <FFFF>\nendcodespacerange" in cmap
    assert cmap.count("endbfchar") == 2 and cmap.rstrip().endswith("end")


def test_subset_tag() -> None:
    tag = subset_tag([5, 3, 1])
    assert len(tag) == 6 and tag.isascii() and tag.isupper() and tag.isalpha()
    assert tag == subset_tag({1, 3, 5, 3})
    assert tag != subset_tag([1, 3, 6])


def test_non_truetype_file_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "cff.otf"
    fake.write_bytes(b"OTTO" + bytes(60))
    with pytest.raises(ValueError, match="not a TrueType font"):
        TrueType(fake.read_bytes(), str(fake))


def test_fontconfig_finds_liberation_elsewhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without the fonts-liberation path, fc-match's Liberation Sans (e.g. fonts-liberation2) is used."""
    if shutil.which("fc-match") is None:
        pytest.skip("fc-match (fontconfig) is not installed")
    monkeypatch.setattr(pdffont, "_LIBERATION", str(tmp_path / "none-{}.ttf"))
    fonts.cache_clear()
    try:
        found = fonts()
        assert found.regular.name == "LiberationSans" and found.bold.name == "LiberationSans-Bold"
        assert not found.regular.path.startswith(str(tmp_path))
    finally:
        fonts.cache_clear()


def test_missing_font_raises_render_error_with_hint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(pdffont, "_DEJAVU", str(tmp_path / "none{}.ttf"))
    monkeypatch.setenv("PATH", str(tmp_path))  # no fc-match either
    fonts.cache_clear()
    try:
        with pytest.raises(RenderError, match=r"sudo apt-get install fonts-dejavu-core"):
            fonts()
        monkeypatch.setattr(pdffont, "_LIBERATION", str(tmp_path / "none-{}.ttf"))
        with pytest.raises(RenderError, match=r"Liberation Sans not found: .*sudo apt-get install fonts-liberation"):
            fonts()
    finally:
        fonts.cache_clear()
