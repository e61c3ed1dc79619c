"""Tests of generator.pdf: the site's PDFs drawn from the printed pages, read with poppler and zbarimg."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest

from generator import render
from generator.load import load_corpus
from generator.model import Corpus, Tree
from generator.pdf import HANDBOOK_PATH, page_address, print_site, site_pdfs, stats, to_pdf, tree_pdf_path
from generator.printpages import Block, PageInfo, text_pages
from generator.sheets import MIN_PRINT_PT

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "tests" / "fixtures" / "good"
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


def test_page_address() -> None:
    assert page_address("fak/pin.md", "https://intra.example/hiba/", "Teszt") == "https://intra.example/hiba/fak/pin.html"
    assert page_address("fak/pin.md", "", "Teszt") == "Teszt › fak/pin.html"


def test_to_pdf_keeps_text_embeds_fonts_and_is_repeatable(tmp_path: Path) -> None:
    info = PageInfo("Próba fa", "2026. november 1.", "Teszt › fak/proba.html")
    bodies = [(b, info) for b in text_pages([Block("Árvíztűrő tükörfúrógép", 12)])]
    day = dt.date(2026, 11, 1)
    first = to_pdf(bodies, "Próba fa", day)
    assert to_pdf(bodies, "Próba fa", day) == first
    (page,) = pdf_pages(first, tmp_path)
    assert is_a4(page[0], page[1])
    words = [w[4] for w in page[2]]
    assert "Árvíztűrő" in words and "Próba" in words and "1." in words and "oldal" in words
    assert fonts(first, tmp_path) and all(row[-5] == "yes" for row in fonts(first, tmp_path))  # emb
    assert to_pdf(bodies, "Próba fa", dt.date(2026, 11, 2)) != first  # the date is in the document


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


def corpus_with(corpus: Corpus, tree: Tree) -> Corpus:
    """`corpus` with `tree` in place of the tree of the same id."""
    return dataclasses.replace(corpus, trees=tuple(tree if t.id == tree.id else t for t in corpus.trees))


URL, NAME = "https://intra.example/hiba", "Teszt"


def test_pages_are_rendered_once_and_a_rebuild_renders_nothing(tmp_path: Path) -> None:
    corpus, _ = load_corpus(str(GOOD))
    trees = list(corpus.trees)
    cache = tmp_path / "svg"
    before, bodies = stats.pages_rendered, stats.bodies_drawn
    first = print_site(corpus, trees, cache, URL, NAME)
    rendered, drawn = stats.pages_rendered - before, stats.bodies_drawn - bodies
    tree_pages = sum(len(pdf_pages(first.assets[tree_pdf_path(t.id)], tmp_path)) for t in trees)
    handbook = pdf_pages(first.assets[HANDBOOK_PATH], tmp_path)
    sheets = sum(first.pages[t.id].sheets_html.count('class="fa-sheet ') for t in trees)
    # Each tree's pages, and the handbook's; each sheet is drawn from its SVG once for both.
    assert sheets and rendered == tree_pages + len(handbook)
    assert drawn == tree_pages + len(handbook) - sheets
    counts = (stats.pages_rendered, render.stats.processes_started, render.stats.version_probes)
    again = print_site(corpus, trees, cache, URL, NAME)
    assert (stats.pages_rendered, render.stats.processes_started, render.stats.version_probes) == counts
    assert again == first  # the same pages and the same PDF bytes


def test_an_edit_draws_only_the_edited_trees_pdf(tmp_path: Path) -> None:
    corpus, _ = load_corpus(str(GOOD))
    cache = tmp_path / "svg"
    first = print_site(corpus, list(corpus.trees), cache, URL, NAME)
    tree = corpus.trees[0]
    node = next(n for n in tree.nodes if n.id != tree.start and n.kind == "step")
    changed = dataclasses.replace(tree, nodes=tuple(dataclasses.replace(n, steps=n.steps + ("Mentse a naplót.",))
                                                    if n is node else n for n in tree.nodes))
    corpus = corpus_with(corpus, changed)
    before = stats.pages_rendered
    second = print_site(corpus, list(corpus.trees), cache, URL, NAME)
    path = tree_pdf_path(tree.id)
    assert stats.pages_rendered - before == len(pdf_pages(second.assets[path], tmp_path))
    assert "Mentse a naplót." in " ".join(w[4] for _, _, words in pdf_pages(second.assets[path], tmp_path)
                                           for w in words)
    for other in corpus.trees[1:]:
        assert second.assets[tree_pdf_path(other.id)] == first.assets[tree_pdf_path(other.id)]
    # The handbook holds the sheets only, which the new step does not change.
    assert pdf_pages(second.assets[HANDBOOK_PATH], tmp_path) == pdf_pages(first.assets[HANDBOOK_PATH], tmp_path)
    assert second.assets == print_site(corpus, list(corpus.trees), tmp_path / "fresh" / "svg", URL, NAME).assets


def test_the_handbook_is_numbered_through_and_its_contents_give_each_chapters_page(printed, tmp_path: Path) -> None:
    corpus, site = printed
    pages = pdf_pages(site.assets[HANDBOOK_PATH], tmp_path)
    text = [" ".join(w[4] for w in words) for _, _, words in pages]
    for number, page in enumerate(text, start=1):
        assert f"{number}. oldal / {len(pages)}" in page
    found = [re.search(re.escape(title) + r" \.{8} (\d+)\. oldal", text[0])
             for title in [t.title for t in corpus.trees] + ["Hibakódok"]]
    assert all(found) and sorted(found, key=lambda m: m.start()) == found  # every chapter, in order
    starts = [int(m.group(1)) for m in found]
    sheets = [site.pages[t.id].sheets_html.count('class="fa-sheet ') for t in corpus.trees]
    assert starts == [2 + sum(sheets[:i]) for i in range(len(sheets) + 1)]  # one page of contents
    for tree, start, count in zip(corpus.trees, starts, sheets):
        for number in range(count):
            assert tree.title in text[start - 1 + number]
            assert f"Folyamatábra, {number + 1}. lap / {count}" in text[start - 1 + number]
    assert "Hibakódok" in text[starts[-1] - 1] and starts[-1] <= len(pages)


def test_pdfs_can_be_made_after_the_pages(tmp_path: Path) -> None:
    corpus, _ = load_corpus(str(GOOD))
    trees = list(corpus.trees)
    cache = tmp_path / "svg"
    before = stats.pages_rendered
    pages_only = print_site(corpus, trees, cache, URL, NAME, pdfs=False)
    assert pages_only.assets == {} and stats.pages_rendered == before
    dots = render.stats.processes_started
    later = site_pdfs(corpus, trees, cache, URL, NAME)
    assert render.stats.processes_started == dots  # the sheets were planned already
    whole = print_site(corpus, trees, tmp_path / "whole" / "svg", URL, NAME)
    assert later == whole.assets
    assert (pages_only.pages, pages_only.index_html) == (whole.pages, whole.index_html)


def scanned(data: bytes, page: int, tmp: Path) -> str:
    """The QR code on a page of a PDF, read by zbarimg from the page rendered at 150 dpi."""
    (tmp / "scan.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", str(page), "-l", str(page), str(tmp / "scan.pdf"),
                    str(tmp / "scan")], check=True)
    (image,) = tmp.glob("scan*.png")
    found = subprocess.run(["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True).stdout.strip()
    image.unlink()
    return found


def test_the_qr_code_on_every_kind_of_page_reads_as_its_address(printed, tmp_path: Path) -> None:
    corpus, site = printed
    tree = corpus.trees[0]
    own = site.assets[tree_pdf_path(tree.id)]
    address = f"https://intra.example/hiba/fak/{tree.id}.html"
    assert scanned(own, 1, tmp_path) == address  # a sheet
    assert scanned(own, len(pdf_pages(own, tmp_path)), tmp_path) == address  # the last page of steps
    handbook = site.assets[HANDBOOK_PATH]
    assert scanned(handbook, 1, tmp_path) == "https://intra.example/hiba/kodok/index.html"  # the contents
    assert scanned(handbook, 2, tmp_path) == address  # the first tree's first sheet


def test_the_pages_are_handed_over_before_the_pdfs_are_drawn_from_the_same_sheets(tmp_path: Path) -> None:
    corpus, _ = load_corpus(str(GOOD))
    trees = list(corpus.trees)
    seen = []
    before = stats.documents_written
    whole = print_site(corpus, trees, tmp_path / "svg", URL, NAME,
                       pages_ready=lambda printed: seen.append((printed, stats.documents_written)))
    ((pages, written),) = seen
    assert written == before and pages.assets == {} and whole.assets
    assert (pages.pages, pages.index_html) == (whole.pages, whole.index_html)
