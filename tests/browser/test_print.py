"""Tree pages printed to PDF by Chromium and by Firefox (A4, as Ctrl+P does), and the site's own PDFs, read
with poppler.

Printed tree page, in both browsers: A4 pages; the flowchart sheets first, one per page, each marked
"Folyamatábra, N. lap"; the smallest text on them at least 8 pt; every text of a sheet's drawing on its
page (no node clipped); no text within 4 mm of the paper's edge or, on sheet pages, outside the content
box; every page with title, review date and address, once; no navigation, search or buttons. The page
number: Chromium prints it in the footer; Firefox cannot (no page margin boxes), so there its own footer,
on by default, carries it (tested by printing as a user does), and each sheet page's "N. lap" is its
page number. With `site_url` set (the real trees, built with URL_SITE_URL), every page also carries a QR
code of its full address, and zbarimg reads exactly that address from every page.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from generator.load import load_corpus
from generator.pages.tree_page import format_date
from generator.printpages import QR_MM
from generator.sheets import MARGIN_MM, MIN_PRINT_PT, MM

from ..conftest import FIXTURES, ROOT

ASCENT_DESCENT = 1.117  # Liberation Sans: a word's box in pdftotext is this many times the font size
EDGE = 4 * MM  # printers leave about this much of the paper's edge blank: nothing of ours goes there
TREES = {"fixture_site": FIXTURES / "good", "real_site": ROOT / "trees", "url_site": ROOT / "trees"}
# The real site's address on an intranet: its pages' addresses are 60-74 characters long, so their QR codes
# are of version 4 (33 modules) and version 5 (37 modules), as for a typical intranet address.
URL_SITE_URL = "https://intranet.pelda-varos.hu/hibaelharitas/"
# The resolution the QR codes must read at: what a phone's scanner sees of a 14 mm code where one scans
# it from. A code is scanned from up to about ten times its width (14-20 cm here), and scanner apps
# decode a 1080p preview (1920 pixels across a main camera's ~70° field, 20-28 cm wide at that
# distance): 7-10 pixels per mm, 175-250 dpi. So 200 dpi: 2.7-3 pixels per module of these codes. At
# 150 dpi (2.0-2.2 pixels per module) zbarimg read a quarter (Firefox) to a half (Chromium) of the
# pages: at about two pixels per module, where the modules fall on the pixel grid decides, and no
# larger code fits Chromium's 18 mm bottom margin. An 8 mm code (the most that fits Firefox's 12 mm
# header) reads at neither (1.5-1.7 pixels per module at 200 dpi).
SCAN_DPI = 200
BROWSERS = ("chromium", "firefox")
SCREEN_ONLY = ("Keresés", "PDF letöltése", "Ugrás a tartalomhoz", "Sötét mód")
Word = tuple[float, float, float, float, str]


def pdf_pages(path: Path) -> list[tuple[float, float, list[Word]]]:
    """(width, height, words with their boxes) of every page, by `pdftotext -bbox-layout`; ligatures such
    as "ﬁ" spelt out."""
    out = subprocess.run(["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    pages = []
    for w, h, body in re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out, re.S):
        words = [(float(a), float(b), float(c), float(d), unicodedata.normalize("NFKC", html.unescape(t))) for
                 a, b, c, d, t in
                 re.findall(r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*?)</word>',
                            body)]
        pages.append((float(w), float(h), words))
    return pages


def is_a4(width: float, height: float) -> bool:
    """595 × 842 pt either way round (Chromium gives 595.92 × 842.88, Firefox 596 × 842)."""
    return abs(min(width, height) - 595.3) < 1.5 and abs(max(width, height) - 841.9) < 1.5


def sheet_words(page_html: str) -> dict[int, list[str]]:
    """The words of each print sheet's drawing on a tree page, by sheet number."""
    found = {}
    for number, body in re.findall(r'<figure class="fa-sheet [^"]*" data-sheet="(\d+)"[^>]*>(.*?)</figure>',
                                   page_html, re.S):
        texts = re.findall(r"<text\b[^>]*>(.*?)</text>", body, re.S)
        found[int(number)] = [unicodedata.normalize("NFKC", w) for t in texts for w in html.unescape(t).split()]
    return found


def print_in_chromium(site: Path, context, out: Path) -> dict[str, tuple[Path, int]]:
    """Every tree page printed to PDF by Chromium: tree id -> (PDF, number of sheets on the page)."""
    page = context.new_page()
    printed = {}
    for html_file in sorted((site / "fak").glob("*.html")):
        page.goto(html_file.as_uri())
        page.wait_for_load_state("load")
        sheets = page.locator(".fa-sheet").count()
        target = out / f"{html_file.stem}.pdf"
        page.pdf(path=str(target), format="A4", print_background=True)
        printed[html_file.stem] = (target, sheets)
    page.close()
    return printed


def print_in_firefox(site: Path, firefox, out: Path) -> dict[str, tuple[Path, int]]:
    """Every tree page printed to PDF by Firefox (WebDriver BiDi, A4, without Firefox's own header and footer)."""
    printed = {}
    for html_file in sorted((site / "fak").glob("*.html")):
        target = firefox.print_pdf(html_file.as_uri(), out / f"{html_file.stem}.pdf")
        printed[html_file.stem] = (target, firefox.evaluate("document.querySelectorAll('.fa-sheet').length"))
    return printed


@pytest.fixture(scope="module")
def url_site(tmp_path_factory) -> Path:
    """The real site built with `site_url: URL_SITE_URL` (mkdocs.yml with that line added, read from stdin):
    printed pages carry the full address and a QR code."""
    out = tmp_path_factory.mktemp("url-site") / "site"
    config = (ROOT / "mkdocs.yml").read_text("utf-8") + f"\nsite_url: {URL_SITE_URL}\n"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1763683200"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", "-", "-d", str(out)],
                            input=config, capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module", params=["fixture_site", "real_site", "url_site"])
def site_case(request):
    """A built site, its corpus and its `site_url` ("" when not set)."""
    corpus, _ = load_corpus(str(TREES[request.param]))
    return request.getfixturevalue(request.param), corpus, URL_SITE_URL if request.param == "url_site" else ""


@pytest.fixture(scope="module", params=BROWSERS)
def printed(request, site_case, tmp_path_factory):
    """(browser, site, corpus, tree id -> (PDF, sheets), site_url) of every tree page printed by one browser."""
    site, corpus, site_url = site_case
    out = tmp_path_factory.mktemp(f"print-{request.param}")
    if request.param == "chromium":
        pdfs = print_in_chromium(site, request.getfixturevalue("browser_context_factory")(), out)
    else:
        pdfs = print_in_firefox(site, request.getfixturevalue("firefox"), out)
    return request.param, site, corpus, pdfs, site_url


def test_every_tree_page_prints(printed) -> None:
    _, site, corpus, pdfs, _ = printed
    assert set(pdfs) == {t.id for t in corpus.trees}
    assert all(sheets >= 1 for _, sheets in pdfs.values())


def test_printed_pages_are_a4_with_the_sheets_first_and_text_at_least_8pt(printed) -> None:
    browser, site, corpus, pdfs, _ = printed
    for tree in corpus.trees:
        path, sheets = pdfs[tree.id]
        pages = pdf_pages(path)
        drawn = sheet_words((site / "fak" / f"{tree.id}.html").read_text("utf-8"))
        assert len(pages) > sheets, tree.id  # the sheets, then the steps
        for number, (width, height, words) in enumerate(pages, start=1):
            assert is_a4(width, height), (browser, tree.id, number, width, height)
            text = " ".join(w[4] for w in words)
            marked = "Folyamatábra," in text
            assert marked == (number <= sheets), (browser, tree.id, number)
            for x0, y0, x1, y1, word in words:
                assert EDGE <= x0 and x1 <= width - EDGE and EDGE <= y0 and y1 <= height - EDGE, (
                    browser, tree.id, number, word)
            if not marked:
                continue
            assert f"Folyamatábra, {number}. lap / {sheets}" in text
            smallest = min(words, key=lambda w: w[3] - w[1])
            size = (smallest[3] - smallest[1]) / ASCENT_DESCENT
            assert size >= MIN_PRINT_PT - 0.05, (browser, tree.id, number, smallest)
            # The drawing stays inside the content box: nothing clipped at the figure's edge, no node lost.
            top, right, bottom, left = (m * MM for m in MARGIN_MM)
            inner = [w for w in words if top <= w[1] and w[3] <= height - bottom]
            assert all(left - 1 <= x0 and x1 <= width - right + 1 for x0, _, x1, _, _ in inner), (tree.id, number)
            missing = [w for w in drawn[number] if not any(w in word for *_, word in inner)]
            assert missing == [], (browser, tree.id, number, missing)


def test_every_printed_page_names_the_tree_its_date_number_and_address(printed) -> None:
    browser, site, corpus, pdfs, site_url = printed
    for tree in corpus.trees:
        path, sheets = pdfs[tree.id]
        pages = pdf_pages(path)
        for number, (_, _, words) in enumerate(pages, start=1):
            text = " ".join(w[4] for w in words)
            assert tree.title in text, (browser, tree.id, number)
            # Once: Firefox's fallback for the margin boxes must not print in Chromium as well.
            assert text.count("Utoljára átnézve:") == 1, (browser, tree.id, number)
            assert f"Utoljára átnézve: {format_date(tree.reviewed)}" in text
            assert f"{site_url}fak/{tree.id}.html" in text, (browser, tree.id, number)
            if browser == "chromium":
                assert f"{number}. oldal / {len(pages)}" in text
            else:  # no page counter in Firefox's CSS; the sheets are pages 1 … sheets (see the user test)
                assert "oldal /" not in text
            for screen_only in SCREEN_ONLY:
                assert screen_only not in text, (browser, tree.id, number, screen_only)


def test_in_firefox_as_a_user_prints_its_page_numbers_below_our_pages(real_site, firefox, tmp_path) -> None:
    """Ctrl+P in Firefox with its default settings: Firefox's own footer ("1 of 8" and the date of printing)
    in the bottom margin, clear of the content; its own header (title and URL) left out for ours; nothing
    shrunk to fit."""
    corpus, _ = load_corpus(str(TREES["real_site"]))
    for tree in corpus.trees:
        path = firefox.print_as_user((real_site / "fak" / f"{tree.id}.html").as_uri(), tmp_path / f"{tree.id}.pdf")
        pages = pdf_pages(path)
        for number, (width, height, words) in enumerate(pages, start=1):
            assert is_a4(width, height), (tree.id, number)
            text = " ".join(w[4] for w in words)
            assert tree.title in text and f"Utoljára átnézve: {format_date(tree.reviewed)}" in text, (tree.id, number)
            assert "file:" not in text, (tree.id, number)  # Firefox's header, with the page's URL: not printed
            content_bottom = height - MARGIN_MM[2] * MM
            footer = [w for w in words if w[1] > content_bottom - 2]
            assert re.search(rf"\b{number}\b\D+\b{len(pages)}\b", " ".join(w[4] for w in footer)), (tree.id, number)
            for x0, y0, x1, y1, word in words:
                if (x0, y0, x1, y1, word) not in footer:
                    assert y1 <= content_bottom + 1, (tree.id, number, word)
                    assert not any(x0 < f[2] and f[0] < x1 and y0 < f[3] - 1 and f[1] + 1 < y1 for f in footer)
            if "Folyamatábra," in text:
                smallest = min(words, key=lambda w: w[3] - w[1])
                assert (smallest[3] - smallest[1]) / ASCENT_DESCENT >= MIN_PRINT_PT - 0.05, (tree.id, number)


def test_the_sites_pdfs_are_a4_with_text_and_embedded_fonts(site_case) -> None:
    site, corpus, _ = site_case
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


def test_tree_pages_link_their_pdf_and_the_handbook(site_case) -> None:
    site, corpus, _ = site_case
    for tree in corpus.trees:
        page_html = (site / "fak" / f"{tree.id}.html").read_text("utf-8")
        assert f'href="../pdf/{tree.id}.pdf"' in page_html and 'href="../pdf/kezikonyv.pdf"' in page_html
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
    # Firefox's fixed header is for Firefox only.
    assert page.evaluate("getComputedStyle(document.body, '::before').content") == "none"


def gray_pages(pdf: Path, dpi: int, out: Path) -> list[Path]:
    """Every page of `pdf` rendered by pdftoppm as a grayscale PGM image at `dpi` into the new folder `out`,
    in page order."""
    out.mkdir()
    subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), str(pdf), str(out / "page")], check=True)
    return sorted(out.glob("page-*.pgm"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def qr_codes(image: Path) -> list[str]:
    """What zbarimg reads from the QR codes (and any other barcodes) in `image`, one string each."""
    result = subprocess.run(["zbarimg", "--quiet", "--raw", "--nodbus", str(image)], capture_output=True, text=True)
    assert result.returncode in (0, 4), result.stderr  # 4: nothing found
    return result.stdout.splitlines()


def dark_shares(image: Path, dpi: int, boxes: dict[str, tuple[float, float, float, float]]) -> dict[str, float]:
    """The share of dark pixels in each box (left, top, right, bottom in mm) of a PGM image at `dpi`."""
    data = image.read_bytes()
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", data)
    assert header, image
    width, height, pixels = int(header[1]), int(header[2]), data[header.end():]
    shares = {}
    for name, box in boxes.items():
        left, top, right, bottom = (max(0, round(v * dpi / 25.4)) for v in box)
        right, bottom = min(right, width), min(bottom, height)
        rows = [pixels[y * width + left:y * width + right] for y in range(top, bottom)]
        shares[name] = sum(sum(v < 128 for v in row) for row in rows) / max(1, (right - left) * (bottom - top))
    return shares


def qr_box(browser: str, width: float, height: float) -> tuple[float, float, float, float]:
    """Where the QR code prints on a page `width` × `height` mm (left, top, right, bottom in mm): in Chromium
    the bottom right page margin box, in Firefox the top right of its header (print.css)."""
    right = width - MARGIN_MM[1]
    if browser == "chromium":
        return right - QR_MM, height - MARGIN_MM[2], right, height - MARGIN_MM[2] + QR_MM
    return right - QR_MM, EDGE / MM, right, EDGE / MM + QR_MM


@pytest.mark.parametrize("site_case", ["url_site"], indirect=True)
def test_with_a_site_url_every_printed_page_has_a_qr_code_of_its_address(printed, tmp_path) -> None:
    """The QR code on every printed page reads, at SCAN_DPI, as exactly that page's address: where print.css
    puts it, clear of every word and of the paper's edge."""
    browser, _, corpus, pdfs, site_url = printed
    for tree in corpus.trees:
        path, _ = pdfs[tree.id]
        pages = pdf_pages(path)
        images = gray_pages(path, SCAN_DPI, tmp_path / tree.id)
        assert len(images) == len(pages), tree.id
        for number, ((width_pt, height_pt, words), image) in enumerate(zip(pages, images), start=1):
            assert qr_codes(image) == [f"{site_url}fak/{tree.id}.html"], (browser, tree.id, number)
            width, height = width_pt / MM, height_pt / MM
            left, top, right, bottom = qr_box(browser, width, height)
            edge = EDGE / MM
            shares = dark_shares(image, SCAN_DPI, {
                "qr": (left, top, right, bottom),
                "top edge": (0, 0, width, edge), "bottom edge": (0, height - edge, width, height),
                "left edge": (0, 0, edge, height), "right edge": (width - edge, 0, width, height)})
            assert shares.pop("qr") > 0.3, (browser, tree.id, number)
            assert shares == dict.fromkeys(shares, 0.0), (browser, tree.id, number, shares)
            near = [w[4] for w in words if w[0] < right * MM + 1 and (left * MM - 1) < w[2]
                    and w[1] < bottom * MM + 1 and (top * MM - 1) < w[3]]
            assert near == [], (browser, tree.id, number, near)
            image.unlink()


def test_in_firefox_as_a_user_the_qr_code_reads_on_every_page_above_firefoxs_footer(url_site, firefox,
                                                                                     tmp_path) -> None:
    """Ctrl+P in Firefox with its default settings, on a tree with portrait and landscape sheets: the QR code
    reads on every page, and Firefox's own footer still numbers the pages."""
    address = f"{URL_SITE_URL}fak/belepes.html"
    path = firefox.print_as_user((url_site / "fak" / "belepes.html").as_uri(), tmp_path / "belepes.pdf")
    pages = pdf_pages(path)
    images = gray_pages(path, SCAN_DPI, tmp_path / "pages")
    assert len(images) == len(pages) > 2
    for number, ((_, height, words), image) in enumerate(zip(pages, images), start=1):
        assert qr_codes(image) == [address], number
        footer = " ".join(w[4] for w in words if w[1] > height - MARGIN_MM[2] * MM - 2)
        assert re.search(rf"\b{number}\b\D+\b{len(pages)}\b", footer), (number, footer)
