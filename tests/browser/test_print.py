"""Tree pages printed to PDF by Chromium (A4, as Ctrl+P does), and the site's own PDFs, read with poppler.

Printed tree page: A4 pages; the flowchart sheets first, one per page, each marked "Folyamatábra, N. lap";
the smallest text on them at least 8 pt; no text outside the page or, on sheet pages, outside the content
box; every page with title, review date, page number and address; no navigation, search or buttons.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.load import load_corpus
from generator.pages.tree_page import format_date
from generator.sheets import MARGIN_MM, MIN_PRINT_PT, MM

from ..conftest import FIXTURES, ROOT, build

ASCENT_DESCENT = 1.117  # Liberation Sans: a word's box in pdftotext is this many times the font size
TREES = {"fixture_site": FIXTURES / "good", "real_site": ROOT / "trees"}
Word = tuple[float, float, float, float, str]


def pdf_pages(path: Path) -> list[tuple[float, float, list[Word]]]:
    """(width, height, words with their boxes) of every page, by `pdftotext -bbox-layout`."""
    out = subprocess.run(["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    pages = []
    for w, h, body in re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out, re.S):
        words = [(float(a), float(b), float(c), float(d), t.replace("&amp;", "&")) for a, b, c, d, t in
                 re.findall(r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*?)</word>',
                            body)]
        pages.append((float(w), float(h), words))
    return pages


def is_a4(width: float, height: float) -> bool:
    """595 × 842 pt either way round (Chromium gives 595.92 × 842.88)."""
    return abs(min(width, height) - 595.3) < 1.5 and abs(max(width, height) - 841.9) < 1.5


def print_pages(site: Path, context, out: Path) -> dict[str, tuple[Path, int]]:
    """Every tree page printed to PDF: tree id -> (PDF, number of sheets on the page)."""
    page = context.new_page()
    printed = {}
    for html in sorted((site / "fak").glob("*.html")):
        page.goto(html.as_uri())
        page.wait_for_load_state("load")
        sheets = page.locator(".fa-sheet").count()
        target = out / f"{html.stem}.pdf"
        page.pdf(path=str(target), format="A4", print_background=True)
        printed[html.stem] = (target, sheets)
    page.close()
    return printed


@pytest.fixture(scope="module", params=["fixture_site", "real_site"])
def printed(request, browser_context_factory, tmp_path_factory):
    site = request.getfixturevalue(request.param)
    corpus, _ = load_corpus(str(TREES[request.param]))
    out = tmp_path_factory.mktemp(f"print-{request.param}")
    return site, corpus, print_pages(site, browser_context_factory(), out)


def test_every_tree_page_prints(printed) -> None:
    site, corpus, pdfs = printed
    assert set(pdfs) == {t.id for t in corpus.trees}
    assert all(sheets >= 1 for _, sheets in pdfs.values())


def test_printed_pages_are_a4_with_the_sheets_first_and_text_at_least_8pt(printed) -> None:
    site, corpus, pdfs = printed
    for tree in corpus.trees:
        path, sheets = pdfs[tree.id]
        pages = pdf_pages(path)
        assert len(pages) > sheets, tree.id  # the sheets, then the steps
        for number, (width, height, words) in enumerate(pages, start=1):
            assert is_a4(width, height), (tree.id, number, width, height)
            text = " ".join(w[4] for w in words)
            marked = "Folyamatábra," in text
            assert marked == (number <= sheets), (tree.id, number)
            for x0, y0, x1, y1, word in words:
                assert 0 <= x0 and x1 <= width and 0 <= y0 and y1 <= height, (tree.id, number, word)
            if not marked:
                continue
            assert f"Folyamatábra, {number}. lap / {sheets}" in text
            smallest = min(words, key=lambda w: w[3] - w[1])
            size = (smallest[3] - smallest[1]) / ASCENT_DESCENT
            assert size >= MIN_PRINT_PT - 0.05, (tree.id, number, smallest)
            # The drawing stays inside the content box: nothing clipped at the figure's edge.
            top, right, bottom, left = (m * MM for m in MARGIN_MM)
            inner = [w for w in words if top <= w[1] and w[3] <= height - bottom]
            assert all(left - 1 <= x0 and x1 <= width - right + 1 for x0, _, x1, _, _ in inner), (tree.id, number)


def test_every_printed_page_names_the_tree_its_date_number_and_address(printed) -> None:
    site, corpus, pdfs = printed
    for tree in corpus.trees:
        path, _ = pdfs[tree.id]
        pages = pdf_pages(path)
        for number, (_, _, words) in enumerate(pages, start=1):
            text = " ".join(w[4] for w in words)
            assert tree.title in text, (tree.id, number)
            assert f"Utoljára átnézve: {format_date(tree.reviewed)}" in text
            assert f"{number}. oldal / {len(pages)}" in text
            assert f"fak/{tree.id}.html" in text
            # Navigation, search and buttons do not print.
            for screen_only in ("Keresés", "PDF letöltése", "Ugrás a tartalomhoz", "Sötét mód"):
                assert screen_only not in text, (tree.id, number, screen_only)


def test_the_sites_pdfs_are_a4_with_text_and_embedded_fonts(printed) -> None:
    site, corpus, _ = printed
    for name in [f"{t.id}.pdf" for t in corpus.trees] + ["kezikonyv.pdf"]:
        path = site / "pdf" / name
        assert path.is_file(), name
        pages = pdf_pages(path)
        assert pages and all(is_a4(w, h) for w, h, _ in pages)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        rows = [line.split() for line in fonts.splitlines()[2:]]
        assert rows and all(row[-5] == "yes" for row in rows), name
        if name != "kezikonyv.pdf":
            tree = corpus.tree(name[:-4])
            assert " ".join(tree.title.split()) in " ".join(text.split())
    handbook = subprocess.run(["pdftotext", str(site / "pdf" / "kezikonyv.pdf"), "-"], capture_output=True,
                              text=True, check=True).stdout
    for tree in corpus.trees:
        assert " ".join(tree.title.split()) in " ".join(handbook.split())
    assert "Hibakódok" in handbook


def test_tree_pages_link_their_pdf_and_the_handbook(printed) -> None:
    site, corpus, _ = printed
    for tree in corpus.trees:
        html = (site / "fak" / f"{tree.id}.html").read_text("utf-8")
        assert f'href="../pdf/{tree.id}.pdf"' in html and 'href="../pdf/kezikonyv.pdf"' in html
    assert 'href="../pdf/kezikonyv.pdf"' in (site / "kodok" / "index.html").read_text("utf-8")


def test_on_screen_the_sheets_are_hidden_and_the_chart_shown(fixture_site, browser_context_factory) -> None:
    page = browser_context_factory(viewport={"width": 1280, "height": 900}).new_page()
    page.goto((fixture_site / "fak" / "pin.html").as_uri())
    assert page.locator(".fa-chart-figure").is_visible()
    assert not page.locator(".fa-print-sheets").is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".fa-chart-figure").is_visible()
    assert page.locator(".fa-print-sheets .fa-sheet").first.is_visible()
    assert not page.locator(".md-header").is_visible() and not page.locator(".md-sidebar--primary").is_visible()
    # No button, form field, link styled as a button, navigation or search is left on paper.
    shown = page.evaluate("""() => [...document.querySelectorAll(
        'button, input, select, textarea, .md-button, nav, .md-search, [role=search], .fa-print-links')]
        .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
        .map(e => e.outerHTML.slice(0, 80))""")
    assert shown == []


def test_with_a_site_url_pages_print_the_full_address_and_a_qr_code(tmp_path, browser_context_factory) -> None:
    config = (FIXTURES / "site" / "mkdocs.yml").read_text("utf-8")
    config = config.replace("site_name: Teszt", "site_name: Teszt\nsite_url: https://intranet.example/hiba/")
    for relative in ("../../../site_overrides", "../good", "../../../.cache/svg-test", "content", "glossary.md"):
        config = config.replace(f": {relative}\n", f": {(FIXTURES / 'site' / relative).resolve()}\n")
    config = config.replace("docs_dir: content", f"docs_dir: {(FIXTURES / 'site' / 'content').resolve()}")
    (tmp_path / "mkdocs.yml").write_text(config, "utf-8")
    out = tmp_path / "site"
    result = build(tmp_path / "mkdocs.yml", out)
    assert result.returncode == 0, result.stderr
    page = browser_context_factory().new_page()
    page.goto((out / "fak" / "pin.html").as_uri())
    page.pdf(path=str(tmp_path / "pin.pdf"), format="A4", print_background=True)
    pages = pdf_pages(tmp_path / "pin.pdf")
    for _, _, words in pages:
        assert "https://intranet.example/hiba/fak/pin.html" in " ".join(w[4] for w in words)
    # The QR code sits in the bottom right margin of the first page: dark pixels there.
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-gray", "-r", "36", "-f", "1", "-l", "1", str(tmp_path / "pin.pdf"),
                        str(tmp_path / "p")], check=True)
        (image,) = tmp_path.glob("p*.pgm")
        fields = image.read_bytes().split(maxsplit=4)
        width, height, pixels = int(fields[1]), int(fields[2]), fields[4]
        corner = [pixels[y * width + x] for y in range(height - 25, height - 5) for x in range(width - 25, width - 5)]
        assert min(corner) < 100
