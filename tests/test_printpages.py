"""Tests of generator.printpages: printed pages laid out as SVG (furniture, wrapped text, print CSS)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from generator.printpages import Block, PageInfo, css_string, html_blocks, margin_css, qr_svg, text_pages
from generator.sheets import MARGIN_MM, MM, text_width

SVG = "{http://www.w3.org/2000/svg}"


def page_lines(blocks: list[Block]) -> list[str]:
    """The text lines `text_pages` sets for `blocks`, in order."""
    return [t.text or "" for body in text_pages(blocks)
            for t in ET.fromstring(f'<svg xmlns="http://www.w3.org/2000/svg">{body.content}</svg>').iter(f"{SVG}text")]


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


def test_text_pages_keep_typed_line_breaks_and_wrap_within_each_line() -> None:
    long = " ".join(["Árvíztűrő tükörfúrógép"] * 8)
    got = page_lines([Block("Kérdés: első sor\nmásodik \\n sor\r\n\r\nharmadik", 10.5, bold=True),
                      Block(f"{long}\n{long}", 9.5)])
    assert got[:4] == ["Kérdés: első sor", "második \\n sor", "", "harmadik"]  # a blank line stays blank
    wrapped = page_lines([Block(long, 9.5)])
    assert len(wrapped) > 1 and got[4:] == wrapped * 2  # each typed line wrapped on its own


def test_html_blocks_keep_br_and_preformatted_lines() -> None:
    blocks = html_blocks("<p>első  sor<br>\nmásodik\nsor</p><ul><li>x<br>y</li><li><p>laza</p></li></ul>"
                         "<pre><code>kód 1\nkód 2\n</code></pre>")
    assert [b.text for b in blocks] == ["első sor\nmásodik sor", "• x\ny", "• laza", "kód 1\nkód 2"]
    assert [b.indent for b in blocks] == [0, 8, 8, 0]
