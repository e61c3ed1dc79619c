"""Tests of generator.pdfwrite, read back with the real poppler tools: text extraction (Hungarian,
arrows, quotes, the DejaVu fallback), embedded font subsets, document info, page sizes, text
positions by anchor, rendered pixels of fills, dashes and forms, and byte-for-byte determinism."""

from __future__ import annotations

import datetime as dt
import gc
import io
import os
import re
import shutil
import subprocess
import sys
import weakref
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from generator.pdfwrite import PRODUCER, Document, Page, record

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")

ROOT = Path(__file__).resolve().parent.parent
A4 = (595.28, 841.89)
DAY = dt.date(2024, 5, 17)
# (poppler joins single-letter words when all gaps are equal, so "ő ű Ő Ű" stands in a longer line)
HUNGARIAN = ["Árvíztűrő tükörfúrógép", "Ékezetek: ő ű Ő Ű", "→", "Tovább → „idézet”", "Kód: K-123 ✓ kész"]


def pdf(pages: list[Page], title: str = "Próba", day: dt.date = DAY) -> bytes:
    doc = Document(title, day)
    for page in pages:
        doc.add(page)
    out = io.BytesIO()
    doc.write(out)
    return out.getvalue()


def save(tmp_path: Path, data: bytes, name: str = "doc.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def tool(*args: str | Path) -> str:
    """Run a poppler tool; it must succeed and say nothing on stderr (no "Syntax Error")."""
    done = subprocess.run([str(a) for a in args], capture_output=True, timeout=60, check=False)
    assert done.returncode == 0 and done.stderr == b"", done.stderr.decode("utf-8", "replace")
    return done.stdout.decode("utf-8")


def gray(path: Path, page: int = 1, dpi: int = 72) -> tuple[int, int, bytes]:
    """Page `page` rendered by pdftoppm as 8-bit gray: (width, height, pixels row by row)."""
    stem = path.with_suffix("")
    tool("pdftoppm", "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", path, stem)
    data = stem.with_suffix(".pgm").read_bytes()
    match = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", data)
    assert match, data[:20]
    width, height = int(match[1]), int(match[2])
    pixels = data[match.end():]
    assert len(pixels) == width * height
    return width, height, pixels


def pixel(image: tuple[int, int, bytes], x: float, y: float) -> int:
    width, _, pixels = image
    return pixels[int(y) * width + int(x)]


def words(path: Path, page: int = 1) -> list[tuple[str, float, float, float, float]]:
    """(word, xMin, yMin, xMax, yMax) from `pdftotext -bbox`."""
    out = tool("pdftotext", "-bbox", "-f", str(page), "-l", str(page), path, "-")
    return [(html_unescape(m[5]), float(m[1]), float(m[2]), float(m[3]), float(m[4]))
            for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', out)]


def html_unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def text_page(lines: list[str], size: float = 12, bold: bool = False) -> Page:
    page = Page(*A4)
    for i, line in enumerate(lines):
        page.text(50, 80 + i * 30, line, size, bold=bold or i == 0)
    return page


def test_hungarian_text_is_extracted_exactly(tmp_path: Path) -> None:
    path = save(tmp_path, pdf([text_page(HUNGARIAN)]))
    assert tool("pdftotext", path, "-").split("\n")[:len(HUNGARIAN)] == HUNGARIAN


def test_fonts_are_embedded_subsets(tmp_path: Path) -> None:
    path = save(tmp_path, pdf([text_page(HUNGARIAN)]))
    rows = tool("pdffonts", path).splitlines()[2:]
    fonts = {}
    for row in rows:
        name, rest = row.split(" ", 1)
        fonts[name.split("+")[1]] = (name, rest.split())
    assert set(fonts) == {"LiberationSans", "LiberationSans-Bold", "DejaVuSans"}  # ✓ is in DejaVu only
    for name, fields in fonts.values():
        assert re.fullmatch(r"[A-Z]{6}\+\w+(-Bold)?", name)
        assert fields[:6] == ["CID", "TrueType", "Identity-H", "yes", "yes", "yes"], fields  # emb sub uni
    plain = save(tmp_path, pdf([text_page(["abc", "def"])]), "plain.pdf")
    assert [row.split()[0].split("+")[1] for row in tool("pdffonts", plain).splitlines()[2:]] == [
        "LiberationSans", "LiberationSans-Bold"]


def test_fonts_are_embedded_once_with_the_glyphs_of_all_pages(tmp_path: Path) -> None:
    pages = [text_page(["Első oldal", "alma"]), text_page(["Második oldal", "körte ✓"]), text_page(["Z", "ű"])]
    data = pdf(pages)
    assert data.count(b"/FontFile2") == 3
    path = save(tmp_path, data)
    for number, expected in enumerate(["Első oldal\nalma", "Második oldal\nkörte ✓", "Z\nű"], start=1):
        assert tool("pdftotext", "-f", str(number), "-l", str(number), path, "-").strip() == expected
    image = gray(path, 3, dpi=144)
    assert min(pixel(image, x, y) for x in range(100, 116) for y in range(200, 222)) < 60  # the ű is drawn
    assert min(pixel(image, x, y) for x in range(120, 200) for y in range(200, 222)) > 240  # and nothing after


@pytest.mark.parametrize("title", ["Plain title (v2)", "Kézikönyv – hibaelhárítás „ASP”"])
def test_info_title_dates_pages_and_sizes(tmp_path: Path, title: str) -> None:
    pages = [Page(*A4), Page(A4[1], A4[0]), Page(*A4)]
    for page in pages:
        page.text(40, 40, "x", 10)
    path = save(tmp_path, pdf(pages, title=title, day=dt.date(2023, 12, 1)))
    info = tool("pdfinfo", "-isodates", "-f", "1", "-l", "3", path)
    assert f"Title:           {title}\n" in info
    assert f"Producer:        {PRODUCER}\n" in info
    assert "CreationDate:    2023-12-01T00:00:00Z\n" in info and "ModDate:         2023-12-01T00:00:00Z\n" in info
    assert "Pages:           3\n" in info and "PDF version:     1.7\n" in info
    assert re.search(r"Page +1 size: +595\.28 x 841\.89 pts \(A4\)", info)
    assert re.search(r"Page +2 size: +841\.89 x 595\.28 pts \(A4\)", info)
    assert re.search(r"Page +3 size: +595\.28 x 841\.89 pts \(A4\)", info)


def test_catalog_language_and_viewer_preferences(tmp_path: Path) -> None:
    data = pdf([text_page(["a"])])
    reader = PdfReader(io.BytesIO(data), strict=True)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "hu"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712 (a pypdf BooleanObject)
    assert len(reader.trailer["/ID"]) == 2


@pytest.mark.parametrize("size", [10, 14.5])
def test_anchors_place_text_by_its_width(tmp_path: Path, size: float) -> None:
    page = Page(*A4)
    x = 300.0
    page.text(x, 100, "Kezdet", size, anchor="start")
    page.text(x, 150, "Közép", size, anchor="middle", bold=True)
    page.text(x, 200, "Vége→", size, anchor="end")
    width = page.text_width("Közép", size, bold=True)
    found = {word: (x0, y0, x1, y1) for word, x0, y0, x1, y1 in words(save(tmp_path, pdf([page])))}
    assert abs(found["Kezdet"][0] - x) < 0.5
    assert abs((found["Közép"][0] + found["Közép"][2]) / 2 - x) < 0.5
    assert abs(found["Vége→"][2] - x) < 0.5
    assert abs(found["Közép"][2] - found["Közép"][0] - width) < 0.05
    assert found["Kezdet"][1] < 100 < found["Kezdet"][3]  # baseline inside the line's box
    with pytest.raises(ValueError, match="anchor"):
        page.text(0, 0, "x", 10, anchor="left")


def test_text_width_uses_the_font_advances() -> None:
    page = Page(*A4)
    assert page.text_width("A", 10) == pytest.approx(6.67)
    assert page.text_width("AA", 12, bold=True) == pytest.approx(2 * 722 * 12 / 1000)
    assert page.text_width("", 12) == 0
    assert page.text_width("✓", 10) > 0  # from DejaVu Sans


def test_fills_transforms_and_forms_render_where_drawn(tmp_path: Path) -> None:
    page = Page(*A4)
    page.fill_color((0, 0, 0))
    page.rect(100, 300, 100, 50)
    page.paint(fill=True, stroke=False)
    page.save()
    page.transform(1, 0, 0, 1, 400, 600)
    page.fill_color((0.5, 0.5, 0.5))
    page.rect(0, 0, 40, 40)  # at 400..440, 600..640
    page.paint(fill=True, stroke=False)
    page.restore()
    page.text(100, 500, "szöveg", 10, rgb=(1, 0, 0))
    page.rect(300, 300, 20, 20)  # filled black again after the red text
    page.paint(fill=True, stroke=False)
    image = gray(save(tmp_path, pdf([page])))
    assert image[0] in (595, 596) and image[1] == 842
    assert pixel(image, 150, 325) < 20 and pixel(image, 310, 310) < 20
    assert 100 < pixel(image, 420, 620) < 160
    for x, y in [(150, 290), (150, 360), (90, 325), (210, 325), (420, 590), (450, 620), (350, 310)]:
        assert pixel(image, x, y) > 240, (x, y)


def test_even_odd_fill_leaves_a_hole(tmp_path: Path) -> None:
    page = Page(200, 200)
    for even_odd, x in [(False, 0), (True, 100)]:
        page.rect(x + 10, 10, 80, 80)
        page.rect(x + 30, 30, 40, 40)
        page.paint(fill=True, stroke=False, even_odd=even_odd)
    image = gray(save(tmp_path, pdf([page])))
    assert pixel(image, 50, 50) < 20 and pixel(image, 150, 50) > 240 and pixel(image, 115, 50) < 20


def test_dashed_stroke_and_curve(tmp_path: Path) -> None:
    page = Page(300, 200)
    page.stroke_color((0, 0, 0))
    page.line_width(4)
    page.dash([10, 10])
    page.move_to(20, 50)
    page.line_to(280, 50)
    page.paint(fill=False, stroke=True)
    page.dash([])
    page.move_to(20, 100)
    page.line_to(280, 100)
    page.paint(fill=False, stroke=True)
    page.move_to(20, 180)
    page.curve_to(20, 120, 280, 120, 280, 180)  # peaks at y = 135 in the middle
    page.paint(fill=False, stroke=True)
    image = gray(save(tmp_path, pdf([page])))
    dashed = [pixel(image, x, 50) < 128 for x in range(22, 278)]
    solid = [pixel(image, x, 100) < 128 for x in range(22, 278)]
    assert all(solid) and 0.4 < sum(dashed) / len(dashed) < 0.6
    assert sum(1 for a, b in zip(dashed, dashed[1:]) if a != b) >= 20
    assert min(pixel(image, 150, y) for y in range(130, 140)) < 128 and pixel(image, 150, 160) > 240


def test_form_is_drawn_once_and_stored_once(tmp_path: Path) -> None:
    calls: list[Page] = []

    def qr(form: Page) -> None:
        calls.append(form)
        form.rect(0, 0, 30, 30)
        form.paint(fill=True, stroke=False)
        form.text(0, 45, "QR-jel", 8)

    def page_with_form(n: int) -> Page:
        page = Page(*A4)
        page.text(50, 50, f"{n}. oldal", 12)
        page.save()
        page.transform(1, 0, 0, 1, 500, 700)
        page.form("qr", 40, 50, qr)
        page.restore()
        page.fill_color((0.5, 0.5, 0.5))
        page.form("qr", 40, 50, qr)  # again, at the origin
        return page

    one = pdf([page_with_form(1)])
    calls.clear()
    data = pdf([page_with_form(n) for n in (1, 2, 3)])
    assert len(calls) == 1 and (calls[0].width, calls[0].height) == (40, 50)
    assert data.count(b"/Subtype /Form") == 1
    assert len(data) - len(one) < 0.5 * len(one)
    path = save(tmp_path, data)
    for number in (1, 2, 3):
        image = gray(path, number)
        assert pixel(image, 515, 715) < 20 and pixel(image, 15, 15) < 20 and pixel(image, 515, 690) > 240
        assert "QR-jel" in [w for w, *_ in words(path, number)]


def test_nested_forms(tmp_path: Path) -> None:
    def inner(form: Page) -> None:
        form.rect(0, 0, 10, 10)
        form.paint(fill=True, stroke=False)

    def outer(form: Page) -> None:
        form.transform(1, 0, 0, 1, 20, 20)
        form.form("inner", 10, 10, inner)

    page = Page(100, 100)
    page.form("outer", 40, 40, outer)
    data = pdf([page])
    assert data.count(b"/Subtype /Form") == 2
    image = gray(save(tmp_path, data))
    assert pixel(image, 25, 25) < 20 and pixel(image, 5, 5) > 240


def test_same_input_same_bytes_and_id_from_content(tmp_path: Path) -> None:
    first = pdf([text_page(HUNGARIAN), text_page(["második"])])
    assert pdf([text_page(HUNGARIAN), text_page(["második"])]) == first
    other = pdf([text_page(HUNGARIAN), text_page(["harmadik"])])

    def file_id(data: bytes) -> bytes:
        match = re.search(rb"/ID \[<([0-9A-F]{32})> <\1>\]", data)
        assert match
        return match[1]

    assert file_id(first) != file_id(other)
    assert pdf([text_page(["x"])], day=dt.date(2024, 1, 2)) != pdf([text_page(["x"])], day=dt.date(2024, 1, 3))


SCRIPT = """
import datetime as dt, io, sys
from generator.pdfwrite import Document, Page
doc = Document("Hash-független", dt.date(2024, 5, 17))
for n in range(3):
    page = Page(300, 200)
    page.text(10, 20, "Árvíztűrő ✓ → „idézet” " + str(n), 10, bold=n == 1)
    page.form("jel", 10, 10, lambda form: (form.rect(0, 0, 10, 10), form.paint(True, False)))
    doc.add(page)
out = io.BytesIO()
doc.write(out)
sys.stdout.buffer.write(out.getvalue())
"""


def test_same_bytes_in_processes_with_different_hash_seeds() -> None:
    runs = [subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, check=True, cwd=ROOT,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "4242")]
    assert runs[0].startswith(b"%PDF-1.7") and runs[0] == runs[1]


def test_document_keeps_no_page_objects() -> None:
    doc = Document("t", DAY)
    page = text_page(["egy", "kettő"])
    ref = weakref.ref(page)
    doc.add(page)
    del page
    gc.collect()
    assert ref() is None and len(doc) == 1


def test_stderr_free_rendering_of_every_page(tmp_path: Path) -> None:
    pages: list[Page] = []
    draws: list[Callable[[Page], None]] = [
        lambda p: p.text(10, 20, "", 10),
        lambda p: (p.move_to(0, 0), p.line_to(10, 10), p.paint(fill=False, stroke=False)),
        lambda p: (p.fill_color((0.2, 0.4, 0.6)), p.move_to(10, 10), p.curve_to(20, 0, 30, 20, 40, 10), p.close(),
                   p.paint(fill=True, stroke=True)),
        lambda p: p.text(100, 20, "emoji 😀 és ⚠", 11, bold=True, anchor="middle"),
    ]
    for draw in draws:
        page = Page(200, 100)
        draw(page)
        pages.append(page)
    path = save(tmp_path, pdf(pages))
    tool("pdftoppm", "-r", "30", "-png", path, tmp_path / "page")
    assert len(list(tmp_path.glob("page-*.png"))) == 4
    assert "emoji 😀 és ⚠" in tool("pdftotext", "-f", "4", "-l", "4", path, "-")
    PdfReader(io.BytesIO(path.read_bytes()), strict=True).pages[3].extract_text()


def test_a_document_needs_a_page() -> None:
    with pytest.raises(ValueError, match="at least one page"):
        Document("empty", DAY).write(io.BytesIO())


def test_a_recorded_drawing_replays_on_pages_of_two_documents_in_its_own_colours(tmp_path: Path) -> None:
    def sheet(page: Page) -> None:
        page.rect(10, 10, 40, 40)  # black: a recorded drawing sets its colours itself
        page.paint(fill=True, stroke=False)
        page.text(10, 90, "Árvíztűrő lap", 12)

    drawing = record(200, 200, sheet)
    made = []
    for name in ("fa.pdf", "kezikonyv.pdf"):
        page = Page(200, 200)
        page.fill_color((1, 1, 1))  # what was in force before the replay must not leak into it
        page.rect(100, 10, 40, 40)
        page.paint(fill=True, stroke=True)
        page.replay(drawing)
        page.rect(150, 10, 40, 40)  # after it, the page's own state again: white fill
        page.paint(fill=True, stroke=False)
        made.append(save(tmp_path, pdf([page]), name))
    for path in made:
        image = gray(path)
        assert pixel(image, 30, 30) < 20 and pixel(image, 170, 30) > 240
        assert [w[0] for w in words(path)] == ["Árvíztűrő", "lap"]
    assert "LiberationSans" in tool("pdffonts", made[1])


def test_a_recorded_drawing_cannot_hold_a_form() -> None:
    with pytest.raises(ValueError):
        record(100, 100, lambda page: page.form("x", 10, 10, lambda form: form.rect(0, 0, 1, 1)))
