"""Tests of generator.pdf: printed page furniture and PDFs made with the real rsvg-convert, read with poppler."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from generator.load import load_corpus
from generator.pdf import (HANDBOOK_PATH, Block, PageInfo, css_string, finish_pages, margin_css, page_address,
                           print_site, qr_svg, text_pages, to_pdf, tree_pdf_path)
from generator.sheets import MARGIN_MM, MIN_PRINT_PT, MM, text_width

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "tests" / "fixtures" / "good"
SVG = "{http://www.w3.org/2000/svg}"
A4 = (595.28, 841.89)
ASCENT_DESCENT = 1.117  # Liberation Sans: a word's box height in pdftotext is this many times its size


def pdf_pages(data: bytes, tmp: Path) -> list[tuple[float, float, list[tuple[float, float, float, float, str]]]]:
    """(width, height, words with boxes) of every page of a PDF, by `pdftotext -bbox-layout`."""
    path = tmp / "x.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    pages = []
    for w, h, body in re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out, re.S):
        words = [(float(a), float(b), float(c), float(d), t) for a, b, c, d, t in
                 re.findall(r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*?)</word>',
                            body)]
        pages.append((float(w), float(h), words))
    return pages


def fonts(data: bytes, tmp: Path) -> list[list[str]]:
    """The rows of `pdffonts`."""
    path = tmp / "f.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:]]


def is_a4(width: float, height: float) -> bool:
    return sorted((round(width), round(height))) == [595, 842]


def test_css_string_is_safe_in_a_style_element() -> None:
    assert css_string('a "b" \\ </style>') == '"a \\22 b\\22  \\5c  \\3c /style\\3e "'
    assert css_string("több\nsor") == '"több sor"'


def test_qr_code_is_a_square_svg_of_modules() -> None:
    svg = qr_svg("https://intranet.example/hiba/fak/pin.html")
    root = ET.fromstring(svg.encode("utf-8"))
    size = root.get("viewBox").split()
    assert size[2] == size[3] and int(size[2]) >= 25 + 4  # version 2+ with the quiet border
    assert root.get("width") == root.get("height") == "14.0mm"
    assert qr_svg("https://intranet.example/hiba/fak/pin.html") == svg
    assert qr_svg("https://intranet.example/hiba/fak/masik.html") != svg


def test_margin_css_names_title_date_address_and_qr() -> None:
    info = PageInfo('PIN "kód"', "2026. november 1.", "https://x.example/fak/pin.html", qr_svg("https://x.example"))
    css = margin_css(info, first_landscape=True)
    assert '@top-left{content:"PIN \\22 kód\\22 "}' in css
    assert "Utoljára átnézve: 2026. november 1." in css
    assert '@bottom-left{content:"https://x.example/fak/pin.html"}' in css
    assert "@bottom-right{content:url(\"data:image/svg+xml," in css
    assert "@page :first{size:A4 landscape}" in css
    plain = margin_css(PageInfo("T", "d", "Teszt › fak/t.html"))
    assert "url(" not in plain and ":first" not in plain


def test_page_address() -> None:
    assert page_address("fak/pin.md", "https://intra.example/hiba/", "Teszt") == "https://intra.example/hiba/fak/pin.html"
    assert page_address("fak/pin.md", "", "Teszt") == "Teszt › fak/pin.html"


def test_text_pages_wrap_within_the_content_box_and_keep_headings(tmp_path: Path) -> None:
    long = " ".join(["Árvíztűrő tükörfúrógép és hosszú mondat a nyomtatott lapon"] * 12)
    blocks = []
    for i in range(40):
        blocks += [Block(f"{i}. címsor", 10.5, bold=True, before=9, keep=True), Block(long, 9.5)]
    bodies = text_pages(blocks)
    assert len(bodies) > 2
    x0, width = MARGIN_MM[3] * MM, (210 - MARGIN_MM[1] - MARGIN_MM[3]) * MM
    for body in bodies:
        root = ET.fromstring(f'<svg xmlns="http://www.w3.org/2000/svg">{body.content}</svg>')
        lines = list(root.iter(f"{SVG}text"))
        assert lines
        for line in lines:
            size = float(line.get("font-size"))
            assert float(line.get("x")) >= x0 - 0.01
            assert float(line.get("x")) + text_width(line.text, size, line.get("font-weight") == "bold") <= x0 + width
            assert MARGIN_MM[0] * MM <= float(line.get("y")) <= (297 - MARGIN_MM[2]) * MM
        # A heading never ends a page.
        assert not lines[-1].get("font-weight")


def test_to_pdf_keeps_text_embeds_fonts_is_repeatable_and_cached(tmp_path: Path) -> None:
    info = PageInfo("Próba fa", "2026. november 1.", "Teszt › fak/proba.html")
    pages = finish_pages([(b, info) for b in text_pages([Block("Árvíztűrő tükörfúrógép", 12)])])
    day = dt.date(2026, 11, 1)
    first = to_pdf(pages, day, None)
    assert to_pdf(pages, day, None) == first
    (page,) = pdf_pages(first, tmp_path)
    assert is_a4(page[0], page[1])
    words = [w[4] for w in page[2]]
    assert "Árvíztűrő" in words and "Próba" in words and "1." in words and "oldal" in words
    assert fonts(first, tmp_path) and all(row[-5] == "yes" for row in fonts(first, tmp_path))  # emb
    cache = tmp_path / "cache"
    assert to_pdf(pages, day, cache) == first
    (stored,) = cache.glob("*.pdf")
    stored.write_bytes(b"%PDF-cached")
    assert to_pdf(pages, day, cache) == b"%PDF-cached"


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory):
    corpus, _ = load_corpus(str(GOOD))
    cache = tmp_path_factory.mktemp("cache") / "svg"
    return corpus, print_site(corpus, list(corpus.trees), cache, "https://intra.example/hiba", "Teszt")


def test_each_tree_pdf_is_its_sheets_then_its_steps(printed, tmp_path: Path) -> None:
    corpus, site = printed
    assert set(site.assets) == {tree_pdf_path(t.id) for t in corpus.trees} | {HANDBOOK_PATH}
    for tree in corpus.trees:
        data = site.assets[tree_pdf_path(tree.id)]
        pages = pdf_pages(data, tmp_path)
        sheets = site.pages[tree.id].sheets_html.count('class="fa-sheet ')
        text = [" ".join(w[4] for w in words) for _, _, words in pages]
        assert len(pages) > sheets
        for number, (width, height, words) in enumerate(pages, start=1):
            assert is_a4(width, height)
            assert tree.title in text[number - 1]
            assert "Utoljára átnézve:" in text[number - 1]
            assert f"{number}. oldal / {len(pages)}" in text[number - 1]
            assert f"https://intra.example/hiba/fak/{tree.id}.html" in text[number - 1]
            for x0, y0, x1, y1, _ in words:
                assert 0 <= x0 and x1 <= width and 0 <= y0 and y1 <= height
            if number <= sheets:
                assert f"Folyamatábra, {number}. lap / {sheets}" in text[number - 1]
                assert min((y1 - y0) / ASCENT_DESCENT for _, y0, _, y1, _ in words) >= MIN_PRINT_PT - 0.05
        assert "Lépések" in text[sheets]
        for node in tree.nodes:
            assert node.text.split()[0] in " ".join(text[sheets:])
        assert all(row[-5] == "yes" for row in fonts(data, tmp_path))


def test_the_handbook_holds_every_flowchart_and_the_code_index(printed, tmp_path: Path) -> None:
    corpus, site = printed
    pages = pdf_pages(site.assets[HANDBOOK_PATH], tmp_path)
    text = [" ".join(w[4] for w in words) for _, _, words in pages]
    assert "Tartalom" in text[0]
    sheets = sum(site.pages[t.id].sheets_html.count('class="fa-sheet ') for t in corpus.trees)
    assert sum("Folyamatábra," in t for t in text) == sheets
    for tree in corpus.trees:
        assert tree.title in text[0]
        assert any(tree.title in t and "Folyamatábra," in t for t in text)
    assert "Hibakódok" in text[-1]
    for entry in corpus.codes:
        assert entry.title.split()[0] in " ".join(text)
    assert all(is_a4(w, h) for w, h, _ in pages)


def test_pages_carry_a_qr_code_only_when_the_site_address_is_known(printed, tmp_path: Path) -> None:
    corpus, site = printed
    tree = corpus.trees[0]
    assert "data:image/svg+xml" in site.pages[tree.id].front_matter
    bare = print_site(corpus, list(corpus.trees), tmp_path / "svg", "", "Teszt")
    assert "data:image/svg+xml" not in bare.pages[tree.id].front_matter
    assert bare.assets[tree_pdf_path(tree.id)] != site.assets[tree_pdf_path(tree.id)]
    # The QR code is drawn in the bottom right corner of every page: dark pixels there only with it.
    for data, dark in ((site.assets[tree_pdf_path(tree.id)], True), (bare.assets[tree_pdf_path(tree.id)], False)):
        (tmp_path / "q.pdf").write_bytes(data)
        subprocess.run(["pdftoppm", "-gray", "-r", "36", "-f", "1", "-l", "1", str(tmp_path / "q.pdf"),
                        str(tmp_path / "q")], check=True)
        (image,) = tmp_path.glob("q*.pgm")
        width, height, pixels = _pgm(image.read_bytes())
        corner = [pixels[y * width + x] for y in range(height - 25, height - 5) for x in range(width - 25, width - 5)]
        assert (min(corner) < 100) is dark
        image.unlink()


def _pgm(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and pixels of a binary PGM (P5) image."""
    fields = data.split(maxsplit=4)
    return int(fields[1]), int(fields[2]), fields[4]
