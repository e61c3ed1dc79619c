"""Tests of generator.pdfjoin: pages of PDFs made by the real rsvg-convert, joined and numbered, read with poppler."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from generator.pdf import to_pdf
from generator.pdfjoin import NUMERALS, Mark, Numerals, Place, join

DAY = dt.date(2026, 11, 1)


def page(text: str, landscape: bool = False) -> str:
    """An A4 page SVG with one line of text at the top."""
    w, h = (841.89, 595.28) if landscape else (595.28, 841.89)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}pt" height="{h}pt" viewBox="0 0 {w} {h}">'
            f'<text x="40" y="60" font-family="Arial" font-size="12">{text}</text></svg>')


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A PDF of three pages (the second landscape), and one of NUMERALS."""
    folder = tmp_path_factory.mktemp("join")
    pages, numerals = folder / "pages.pdf", folder / "numerals.pdf"
    pages.write_bytes(to_pdf([page("Első oldal"), page("Második oldal", True), page("Harmadik oldal")], DAY, None))
    numerals.write_bytes(to_pdf(['<svg xmlns="http://www.w3.org/2000/svg" width="200pt" height="20pt">'
                                 f'<text x="0" y="15" font-family="Arial" font-size="9">{NUMERALS}</text></svg>'],
                                DAY, None))
    return pages, numerals


def words(data: bytes, tmp: Path) -> list[list[tuple[float, float, float, float, str]]]:
    path = tmp / "out.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [[(float(a), float(b), float(c), float(d), t) for a, b, c, d, t in
             re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', body)]
            for body in re.findall(r"<page .*?</page>", out, re.S)]


def bottom_centre(width: float, height: float) -> Place:
    """The number centred 30 pt above the bottom edge; a mark 50 pt square in the top right corner."""
    return Place(width / 2, height - 30, width - 60, 10, 50)


SQUARE = Mark("0 g 0 0 2 2 re f", 4)  # a black square in the lower left quarter of its box


def test_pages_are_joined_in_any_order_and_numbered_where_placed(made, tmp_path: Path) -> None:
    pages, numerals = made
    reader = PdfReader(pages)
    font = Numerals(numerals)
    order = [2, 1, 0, 2]
    data = join([(reader, i, f"{n}. oldal / 4", None) for n, i in enumerate(order, start=1)], font, bottom_centre, 9,
                (0, 0, 0), "Próba", DAY)
    got = words(data, tmp_path)
    assert [" ".join(w[4] for w in p[:2]) for p in got] == ["Harmadik oldal", "Második oldal", "Első oldal",
                                                            "Harmadik oldal"]
    for number, (found, size) in enumerate(zip(got, [(595.28, 841.89), (841.89, 595.28)] + [(595.28, 841.89)] * 2),
                                           start=1):
        line = [w for w in found if w[1] > 100]  # below the page's own line of text
        assert " ".join(w[4] for w in line) == f"{number}. oldal / 4"
        centre = (line[0][0] + line[-1][2]) / 2
        assert centre == pytest.approx(size[0] / 2, abs=1.0)  # centred on the page, either way round
        assert line[0][3] == pytest.approx(size[1] - 30, abs=3.0)  # on its baseline
    fonts = subprocess.run(["pdffonts", str(tmp_path / "out.pdf")], capture_output=True, text=True, check=True).stdout
    assert all(row.split()[-5] == "yes" for row in fonts.splitlines()[2:])  # every font embedded
    info = PdfReader(tmp_path / "out.pdf").metadata
    assert info is not None and info.title == "Próba"
    assert join([(reader, i, f"{n}. oldal / 4", None) for n, i in enumerate(order, start=1)], font, bottom_centre,
                9, (0, 0, 0), "Próba", DAY) == data  # the same bytes again


def test_a_mark_is_drawn_in_its_box_and_stored_once(made, tmp_path: Path) -> None:
    pages, numerals = made
    reader = PdfReader(pages)
    data = join([(reader, i, f"{i + 1}. oldal / 3", SQUARE) for i in range(3)], Numerals(numerals), bottom_centre, 9,
                (0, 0, 0), "Próba", DAY)
    (tmp_path / "m.pdf").write_bytes(data)
    assert data.count(b"/Subtype /Form") == 1
    subprocess.run(["pdftoppm", "-gray", "-r", "72", "-f", "1", "-l", "1", str(tmp_path / "m.pdf"), str(tmp_path / "m")],
                   check=True)
    (image,) = tmp_path.glob("m*.pgm")
    fields = image.read_bytes().split(maxsplit=4)
    width, pixels = int(fields[1]), fields[4]

    def dark(x: int, y: int) -> bool:
        return pixels[y * width + x] < 100

    # The box is 50 pt square from (width - 60, 10); the mark fills its lower left quarter.
    assert dark(width - 60 + 12, 10 + 37) and not dark(width - 60 + 37, 10 + 12) and not dark(width - 60 + 12, 10 + 12)


def test_numbers_only_of_the_characters_the_font_has(made) -> None:
    pages, numerals = made
    with pytest.raises(ValueError, match="other characters"):
        join([(PdfReader(pages), 0, "1. lap (A)", None)], Numerals(numerals), bottom_centre, 9, (0, 0, 0), "x", DAY)
    with pytest.raises(ValueError, match="no simple TrueType font"):
        Numerals(pages)  # its text lacks most digits
