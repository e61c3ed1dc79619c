"""Tests of generator.pdfsvg: our page SVGs drawn into PDF, checked with poppler (text places, colours)
and zbarimg (the QR code), against the SVG's own geometry."""

from __future__ import annotations

import io
import math
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from generator.printpages import qr_svg
from generator.pdfsvg import draw_svg, parse_color, parse_path, parse_transform, svg_page
from generator.pdfwrite import Document, Page
from generator.render import render_svgs

DAY = __import__("datetime").date(2026, 11, 21)


def segments(data: str) -> list[tuple[str, tuple[float, ...]]]:
    return [(s.op, tuple(round(p, 3) for p in s.points)) for s in parse_path(data)]


def test_path_data_becomes_absolute_moves_lines_and_curves() -> None:
    assert segments("M0,1 h5 l1,-1 h4 l1,1 h5 v9 h-16 z") == [
        ("M", (0, 1)), ("L", (5, 1)), ("L", (6, 0)), ("L", (10, 0)), ("L", (11, 1)), ("L", (16, 1)),
        ("L", (16, 10)), ("L", (0, 10)), ("Z", ())]
    # Graphviz: absolute M and C with implicit repeats; a move's extra pairs are lines.
    assert segments("M1 2C3 4 5 6 7 8 9 10 11 12 13 14") == [
        ("M", (1, 2)), ("C", (3, 4, 5, 6, 7, 8)), ("C", (9, 10, 11, 12, 13, 14))]
    assert segments("m1 1 2 2 3 3") == [("M", (1, 1)), ("L", (3, 3)), ("L", (6, 6))]
    # S reflects the last control point; Q is raised to a cubic with the same curve.
    assert segments("M0 0C0 1 1 1 1 0S2 -1 2 0") == [("M", (0, 0)), ("C", (0, 1, 1, 1, 1, 0)),
                                                   ("C", (1, -1, 2, -1, 2, 0))]
    assert segments("M0 0Q3 3 6 0") == [("M", (0, 0)), ("C", (2, 2, 4, 2, 6, 0))]
    # After Z the pen is back at the subpath's start, so a relative move starts from there.
    assert segments("M10 10l5 0z m1 1") == [("M", (10, 10)), ("L", (15, 10)), ("Z", ()), ("M", (11, 11))]


def test_unsupported_or_broken_path_data_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_path("M0 0 A5 5 0 0 1 10 10")
    with pytest.raises(ValueError):
        parse_path("M0")
    with pytest.raises(ValueError):
        parse_path("10 10")


def test_transforms_compose_in_document_order() -> None:
    a, b, c, d, e, f = parse_transform("scale(1 1) rotate(0) translate(4 669.57)")
    assert (round(a, 6), round(b, 6), round(c, 6), round(d, 6), e, f) == (1, 0, 0, 1, 4, 669.57)
    a, b, c, d, e, f = parse_transform("translate(10,20) scale(2)")
    assert (a, d, e, f) == (2, 2, 10, 20)  # the scale applies inside the translation
    a, b, c, d, e, f = parse_transform("rotate(90 5 5)")
    assert (round(a, 6), round(b, 6), round(e, 6), round(f, 6)) == (0, 1, 10, 0)  # turns about (5, 5)


def test_colours() -> None:
    assert parse_color("#ff8000") == (1.0, 128 / 255, 0.0)
    assert parse_color("#fff") == (1.0, 1.0, 1.0)
    assert parse_color("none") is None and parse_color("transparent") is None
    assert parse_color("black") == (0.0, 0.0, 0.0)


def render(page: Page, tmp: Path, name: str = "p") -> tuple[Path, bytes]:
    document = Document("Próba", DAY)
    document.add(page)
    out = io.BytesIO()
    document.write(out)
    path = tmp / f"{name}.pdf"
    path.write_bytes(out.getvalue())
    return path, out.getvalue()


def words(path: Path) -> list[tuple[float, float, float, float, str]]:
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [(float(a), float(b), float(c), float(d), t) for a, b, c, d, t in
            re.findall(r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*?)</word>', out)]


def pixels(path: Path, tmp: Path, dpi: int = 72) -> tuple[int, int, bytes]:
    """The first page as RGB bytes (PPM from pdftoppm), with its width and height."""
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", str(path), str(tmp / "px")], check=True,
                   capture_output=True)
    (ppm,) = tmp.glob("px*.ppm")
    data = ppm.read_bytes()
    ppm.unlink()
    head = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", data)
    assert head is not None
    return int(head.group(1)), int(head.group(2)), data[head.end():]


def at(image: tuple[int, int, bytes], x: float, y: float, dpi: int = 72) -> tuple[int, int, int]:
    width, _, data = image
    i = (int(y * dpi / 72) * width + int(x * dpi / 72)) * 3
    return data[i], data[i + 1], data[i + 2]


def test_a_graphviz_drawing_lands_where_its_svg_puts_it(tmp_path: Path) -> None:
    dot = ('digraph g { node [fontname="Arial" style=filled fillcolor="#dbeafe" color="#1d4ed8" fontcolor="#1e3a8a"]; '
           'a [label="Árvíztűrő kérdés" shape=hexagon]; b [label="Megoldva" shape=box style="rounded,filled" '
           'fillcolor="#dcfce7"]; a -> b [label="Igen" style=dashed]; }')
    (svg,) = render_svgs([dot], cache_dir=None)
    root = ET.fromstring(svg)
    page = svg_page(svg)
    path, _ = render(page, tmp_path)
    # Where the SVG puts each text: the graph's transform is a translation (Graphviz draws y upwards).
    ns = "{http://www.w3.org/2000/svg}"
    graph = root.find(f"{ns}g")
    assert graph is not None
    _, _, _, _, dx, dy = parse_transform(graph.get("transform", ""))
    got = {w[4]: w for w in words(path)}
    for text in graph.iter(f"{ns}text"):
        x, y = float(text.get("x", 0)) + dx, float(text.get("y", 0)) + dy
        first = (text.text or "").split()[0]
        box = got[first]
        if text.get("text-anchor") == "middle":
            line = [w for w in got.values() if abs(w[3] - box[3]) < 0.5]
            centre = (min(w[0] for w in line) + max(w[2] for w in line)) / 2
            assert math.isclose(centre, x, abs_tol=1.0), text.text
        assert box[1] < y < box[3] + 1, text.text  # the baseline within the word's box
    # The fills where Graphviz put the shapes: the middle of each node, between its lines of text.
    image = pixels(path, tmp_path, 144)
    for node, colour in (("a", (0xdb, 0xea, 0xfe)), ("b", (0xdc, 0xfc, 0xe7))):
        group = next(g for g in graph.iter(f"{ns}g") if g.findtext(f"{ns}title") == node)
        shape = group.find(f"{ns}polygon") if group.find(f"{ns}polygon") is not None else group.find(f"{ns}path")
        assert shape is not None
        numbers = [float(n) for n in re.findall(r"-?[\d.]+", shape.get("points") or shape.get("d") or "")]
        xs, ys = numbers[0::2], numbers[1::2]
        left = min(xs) + dx + 3
        middle = (min(ys) + max(ys)) / 2 + dy
        assert at(image, left, middle, 144) == colour, node
    assert at(image, 1, 1, 144) == (255, 255, 255)  # Graphviz's white background


def test_nested_svgs_keep_their_viewport_and_the_qr_code_scans(tmp_path: Path) -> None:
    qr = qr_svg("https://intra.example/hiba/fak/proba.html")
    side = 150.0
    nested = qr.replace("<svg ", '<svg x="20" y="25" ', 1).replace('width="14.0mm" height="14.0mm"',
                                                                  f'width="{side}" height="{side}"')
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="300pt" height="200pt" viewBox="0 0 300 200">'
           f'<rect width="300" height="200" fill="#fff"/>{nested}'
           f'<g transform="translate(200,100)" fill="#c2410c"><rect width="50" height="40" rx="8"/></g>'
           f'<text x="290" y="190" font-size="12" text-anchor="end" font-weight="bold" fill="#0f172a">Vége</text>'
           f'</svg>')
    path, _ = render(svg_page(svg), tmp_path)
    image = pixels(path, tmp_path, 144)
    assert at(image, 225, 120, 144) == (0xc2, 0x41, 0x0c)  # the rounded rect, inside
    assert at(image, 200.5, 100.5, 144) == (255, 255, 255)  # its rounded corner is cut
    (word,) = [w for w in words(path) if w[4] == "Vége"]
    assert math.isclose(word[2], 290, abs_tol=1.0)  # anchored at its end
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(path), str(tmp_path / "scan")], check=True)
    (png,) = tmp_path.glob("scan*.png")
    scanned = subprocess.run(["zbarimg", "--quiet", "--raw", str(png)], capture_output=True, text=True, check=True)
    assert scanned.stdout.strip() == "https://intra.example/hiba/fak/proba.html"


def test_a_drawing_can_be_drawn_into_a_form(tmp_path: Path) -> None:
    qr = qr_svg("https://intra.example/x")
    document = Document("Próba", DAY)
    for _ in range(3):
        page = Page(200, 200)
        page.form("qr", 100, 100, lambda form: draw_svg(form, qr))
        document.add(page)
    out = io.BytesIO()
    document.write(out)
    assert out.getvalue().count(b"/Subtype /Form") + out.getvalue().count(b"/Subtype/Form") == 1
