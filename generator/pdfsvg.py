"""Draw our page SVGs onto PDF pages (`pdfwrite.Page`), without a rendering library.

Every printed page is made as SVG (`generator/printpages.py`): text lines, Graphviz drawings nested in
`<svg>` elements, the legend, the QR code. They use a small part of SVG, and this module draws
exactly that part: nested `svg` (viewBox, x, y, width, height), `g` and `a` (transform,
inherited presentation attributes), `path`, `polygon`, `polyline`, `rect` (rounded too),
`circle`, `ellipse`, `line` and single-line `text` (anchor, size, weight, colour). Anything else
(`image`, `style`, `use`, `title`, …) draws nothing. It replaced rsvg-convert, which spent 1-2 ms
of Pango layout on each line of text: a whole page here costs about that much.
"""

from __future__ import annotations

import functools
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .pdfwrite import Page

__all__ = ["page_size", "svg_page", "draw_svg", "parse_color", "parse_transform", "parse_path"]

_SVG_NS = "{http://www.w3.org/2000/svg}"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_UNITS = {"": 1.0, "pt": 1.0, "px": 0.75, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0, "pc": 12.0}
_LENGTH = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([a-z]*)\s*$")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_COMMAND = re.compile(r"\s*([MmLlHhVvCcSsQqTtZzAa])([^MmLlHhVvCcSsQqTtZzAa]*)")
_PLAIN_PATH = re.compile(r"\s*M[-\d.,\s]+(?:C[-\d.,\s]+)*\Z")
_PLAIN_POINTS = re.compile(r"[-\d.,\s]+\Z")
_TRANSFORM = re.compile(r"(matrix|translate|scale|rotate|skewX|skewY)\s*\(([^)]*)\)")
_NAMED = {"black": (0.0, 0.0, 0.0), "white": (1.0, 1.0, 1.0), "red": (1.0, 0.0, 0.0), "green": (0.0, 0.5, 0.0),
          "blue": (0.0, 0.0, 1.0), "gray": (0.5, 0.5, 0.5), "grey": (0.5, 0.5, 0.5)}
_ARITY = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2}
_KAPPA = 0.5522847498  # control point distance of a quarter circle, per unit radius
_INHERITED = frozenset(("fill", "stroke", "stroke-width", "stroke-dasharray", "font-size", "font-weight",
                        "text-anchor", "fill-opacity", "stroke-opacity"))
_DEFAULTS = {"fill": "black", "stroke": "none", "stroke-width": "1", "stroke-dasharray": "none",
             "font-size": "16", "font-weight": "normal", "text-anchor": "start", "fill-opacity": "1",
             "stroke-opacity": "1"}

Matrix = tuple[float, float, float, float, float, float]
RGB = tuple[float, float, float]


def _length(value: str | None, default: float = 0.0) -> float:
    """An SVG length in points (user units taken as points, as in our pages)."""
    if not value:
        return default
    return _points(value)


@functools.lru_cache(maxsize=4096)
def _points(value: str) -> float:
    found = _LENGTH.match(value)
    if found is None or found.group(2) not in _UNITS:
        raise ValueError(f"unsupported SVG length {value!r}")
    return float(found.group(1)) * _UNITS[found.group(2)]


def _numbers(text: str | None) -> list[float]:
    return [float(n) for n in _NUMBER.findall(text or "")]


@functools.lru_cache(maxsize=1024)
def parse_color(value: str) -> RGB | None:
    """An SVG paint as RGB components 0..1; None for `none`/`transparent`. Unknown names are black."""
    value = value.strip().lower()
    if value in ("none", "transparent", ""):
        return None
    if value.startswith("#"):
        digits = value[1:]
        if len(digits) in (3, 4):
            digits = "".join(c * 2 for c in digits[:3])
        if len(digits) >= 6:
            return (int(digits[0:2], 16) / 255, int(digits[2:4], 16) / 255, int(digits[4:6], 16) / 255)
    return _NAMED.get(value, (0.0, 0.0, 0.0))


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    """m then n: the matrix of applying `n` inside a system already transformed by `m`."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + c * b2, b * a2 + d * b2, a * c2 + c * d2, b * c2 + d * d2, a * e2 + c * f2 + e, b * e2 + d * f2 + f)


def parse_transform(value: str) -> Matrix:
    """An SVG `transform` attribute as one matrix (a, b, c, d, e, f)."""
    matrix: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    for name, args in _TRANSFORM.findall(value):
        v = _numbers(args)
        if name == "matrix" and len(v) == 6:
            step: Matrix = (v[0], v[1], v[2], v[3], v[4], v[5])
        elif name == "translate" and v:
            step = (1.0, 0.0, 0.0, 1.0, v[0], v[1] if len(v) > 1 else 0.0)
        elif name == "scale" and v:
            step = (v[0], 0.0, 0.0, v[1] if len(v) > 1 else v[0], 0.0, 0.0)
        elif name == "rotate" and v:
            cos, sin = math.cos(math.radians(v[0])), math.sin(math.radians(v[0]))
            step = (cos, sin, -sin, cos, 0.0, 0.0)
            if len(v) == 3:
                step = _multiply(_multiply((1.0, 0.0, 0.0, 1.0, v[1], v[2]), step), (1.0, 0.0, 0.0, 1.0, -v[1], -v[2]))
        elif name == "skewX" and v:
            step = (1.0, 0.0, math.tan(math.radians(v[0])), 1.0, 0.0, 0.0)
        elif name == "skewY" and v:
            step = (1.0, math.tan(math.radians(v[0])), 0.0, 1.0, 0.0, 0.0)
        else:
            continue
        matrix = _multiply(matrix, step)
    return matrix


@dataclass(frozen=True)
class _Segment:
    """One drawing command in absolute coordinates: M, L, C or Z with its points."""

    op: str
    points: tuple[float, ...] = ()


def parse_path(data: str) -> list[_Segment]:
    """SVG path data as absolute move, line, cubic curve and close commands (quadratic curves raised
    to cubic; arcs are not used by our drawings and raise ValueError)."""
    out: list[_Segment] = []
    x = y = start_x = start_y = 0.0
    last_c: tuple[float, float] | None = None  # the last cubic's second control point (for S)
    last_q: tuple[float, float] | None = None  # the last quadratic's control point (for T)
    if _COMMAND.match(data) is None:
        raise ValueError("path data must start with a command")
    for command, args in _COMMAND.findall(data):
        upper, rel = command.upper(), command.islower()
        if upper == "Z":
            out.append(_Segment("Z"))
            x, y = start_x, start_y
            last_c = last_q = None
            continue
        arity = _ARITY.get(upper)
        if arity is None:
            raise ValueError("path data: arcs (A) are not supported")
        numbers = [float(n) for n in _NUMBER.findall(args)]
        if not numbers or len(numbers) % arity:
            raise ValueError(f"path data: {command} needs {arity} numbers at a time")
        for at in range(0, len(numbers), arity):
            v = numbers[at:at + arity]
            ox, oy = (x, y) if rel else (0.0, 0.0)
            if upper == "M":
                x, y = v[0] + ox, v[1] + oy
                if at == 0:
                    start_x, start_y = x, y
                out.append(_Segment("M" if at == 0 else "L", (x, y)))  # further pairs are lines
                last_c = last_q = None
            elif upper in "LHV":
                if upper == "H":
                    x = v[0] + (x if rel else 0.0)
                elif upper == "V":
                    y = v[0] + (y if rel else 0.0)
                else:
                    x, y = v[0] + ox, v[1] + oy
                out.append(_Segment("L", (x, y)))
                last_c = last_q = None
            elif upper in "CS":
                if upper == "C":
                    c1 = (v[0] + ox, v[1] + oy)
                    c2, end = (v[2] + ox, v[3] + oy), (v[4] + ox, v[5] + oy)
                else:
                    c1 = (2 * x - last_c[0], 2 * y - last_c[1]) if last_c else (x, y)
                    c2, end = (v[0] + ox, v[1] + oy), (v[2] + ox, v[3] + oy)
                out.append(_Segment("C", (*c1, *c2, *end)))
                last_c, last_q = c2, None
                x, y = end
            else:
                if upper == "Q":
                    q, end = (v[0] + ox, v[1] + oy), (v[2] + ox, v[3] + oy)
                else:
                    q = (2 * x - last_q[0], 2 * y - last_q[1]) if last_q else (x, y)
                    end = (v[0] + ox, v[1] + oy)
                out.append(_Segment("C", (x + 2 / 3 * (q[0] - x), y + 2 / 3 * (q[1] - y),
                                          end[0] + 2 / 3 * (q[0] - end[0]), end[1] + 2 / 3 * (q[1] - end[1]), *end)))
                last_q, last_c = q, None
                x, y = end
    return out


def _trace(page: Page, segments: list[_Segment]) -> None:
    for segment in segments:
        p = segment.points
        if segment.op == "M":
            page.move_to(p[0], p[1])
        elif segment.op == "L":
            page.line_to(p[0], p[1])
        elif segment.op == "C":
            page.curve_to(*p)
        else:
            page.close()


def _ellipse(page: Page, cx: float, cy: float, rx: float, ry: float) -> None:
    kx, ky = rx * _KAPPA, ry * _KAPPA
    page.move_to(cx + rx, cy)
    page.curve_to(cx + rx, cy + ky, cx + kx, cy + ry, cx, cy + ry)
    page.curve_to(cx - kx, cy + ry, cx - rx, cy + ky, cx - rx, cy)
    page.curve_to(cx - rx, cy - ky, cx - kx, cy - ry, cx, cy - ry)
    page.curve_to(cx + kx, cy - ry, cx + rx, cy - ky, cx + rx, cy)
    page.close()


def _rounded(page: Page, x: float, y: float, w: float, h: float, rx: float, ry: float) -> None:
    rx, ry = min(rx, w / 2), min(ry, h / 2)
    kx, ky = rx * _KAPPA, ry * _KAPPA
    page.move_to(x + rx, y)
    page.line_to(x + w - rx, y)
    page.curve_to(x + w - rx + kx, y, x + w, y + ry - ky, x + w, y + ry)
    page.line_to(x + w, y + h - ry)
    page.curve_to(x + w, y + h - ry + ky, x + w - rx + kx, y + h, x + w - rx, y + h)
    page.line_to(x + rx, y + h)
    page.curve_to(x + rx - kx, y + h, x, y + h - ry + ky, x, y + h - ry)
    page.line_to(x, y + ry)
    page.curve_to(x, y + ry - ky, x + rx - kx, y, x + rx, y)
    page.close()


def _style(element: ET.Element, inherited: Mapping[str, str]) -> Mapping[str, str]:
    """The presentation attributes in force on `element`: its own over the inherited ones."""
    own = element.attrib.keys() & _INHERITED
    if not own:
        return inherited
    style = dict(inherited)
    style.update((name, element.attrib[name]) for name in own)
    return style


def _paint(page: Page, style: Mapping[str, str], shape: Callable[[], None]) -> None:
    """Fill and/or stroke a shape traced by `shape`, as the style says."""
    fill = parse_color(style["fill"]) if style["fill-opacity"] not in ("0", "0.0") else None
    stroke = parse_color(style["stroke"]) if style["stroke-opacity"] not in ("0", "0.0") else None
    width = _length(style["stroke-width"], 1.0)
    if stroke is not None and width <= 0:
        stroke = None
    if fill is None and stroke is None:
        return
    if fill is not None:
        page.fill_color(fill)
    if stroke is not None:
        page.stroke_color(stroke)
        page.line_width(width)
        dashes = [] if style["stroke-dasharray"] in ("none", "") else _numbers(style["stroke-dasharray"])
        page.dash(dashes if any(dashes) else [])
    shape()
    page.paint(fill is not None, stroke is not None)


def _text_of(element: ET.Element) -> str:
    """The characters a single-line text element shows, with SVG's whitespace handling."""
    text = "".join(element.itertext())
    if element.get(_XML_SPACE) == "preserve":
        return text.replace("\n", " ").replace("\t", " ")
    return " ".join(text.split())


def _bold(weight: str) -> bool:
    return weight in ("bold", "bolder") or (weight.isdigit() and int(weight) >= 600)


def _viewport(element: ET.Element, width: float, height: float) -> Matrix:
    """The transform from a (nested) svg's viewBox to its viewport of `width` × `height` at its x, y
    (preserveAspectRatio xMidYMid meet, SVG's default)."""
    x, y = _length(element.get("x")), _length(element.get("y"))
    box = _numbers(element.get("viewBox"))
    if len(box) != 4 or box[2] <= 0 or box[3] <= 0:
        return (1.0, 0.0, 0.0, 1.0, x, y)
    scale = min(width / box[2], height / box[3])
    dx, dy = (width - box[2] * scale) / 2, (height - box[3] * scale) / 2
    return (scale, 0.0, 0.0, scale, x + dx - box[0] * scale, y + dy - box[1] * scale)


def _children(page: Page, element: ET.Element, style: Mapping[str, str]) -> None:
    for child in element:
        _element(page, child, style)


def _element(page: Page, element: ET.Element, inherited: Mapping[str, str]) -> None:
    """Draw one element and what it holds."""
    tag = element.tag
    if not isinstance(tag, str):
        return  # a comment or processing instruction
    tag = tag[len(_SVG_NS):] if tag.startswith(_SVG_NS) else tag
    if tag not in _DRAWN:
        return
    style = _style(element, inherited)
    transform = element.get("transform")
    if transform or tag == "svg":
        page.save()
        if transform:
            page.transform(*parse_transform(transform))
        if tag == "svg":
            box = _numbers(element.get("viewBox"))
            width = _length(element.get("width"), box[2] if len(box) == 4 else 0.0)
            height = _length(element.get("height"), box[3] if len(box) == 4 else 0.0)
            page.transform(*_viewport(element, width, height))
        _DRAWN[tag](page, element, style)
        page.restore()
    else:
        _DRAWN[tag](page, element, style)


def _plain_path(data: str) -> str | None:
    """Path data of only absolute moves and cubic curves (all Graphviz writes) as PDF operators, the
    numbers copied as written (SVG's and PDF's decimal numbers agree without exponents); None for
    anything else, which `parse_path` reads."""
    if _PLAIN_PATH.match(data) is None:
        return None
    ops = []
    for command, args in _COMMAND.findall(data):
        numbers = args.replace(",", " ").split()
        if command == "M" and len(numbers) == 2:
            ops.append(f"{numbers[0]} {numbers[1]} m")
        elif command == "C" and numbers and len(numbers) % 6 == 0:
            ops.extend(" ".join(numbers[i:i + 6]) + " c" for i in range(0, len(numbers), 6))
        else:
            return None
    return " ".join(ops)


def _path(page: Page, element: ET.Element, style: Mapping[str, str]) -> None:
    data = element.get("d", "")
    plain = _plain_path(data)
    if plain is not None:
        _paint(page, style, lambda: page.path(plain))
        return
    segments = parse_path(data)
    if segments:
        _paint(page, style, lambda: _trace(page, segments))


def _poly(page: Page, element: ET.Element, style: Mapping[str, str], closed: bool) -> None:
    points = element.get("points", "")
    if _PLAIN_POINTS.match(points):
        numbers = points.replace(",", " ").split()
        if len(numbers) >= 4 and len(numbers) % 2 == 0:
            ops = [f"{numbers[0]} {numbers[1]} m"]
            ops.extend(f"{numbers[i]} {numbers[i + 1]} l" for i in range(2, len(numbers), 2))
            if closed:
                ops.append("h")
            text = " ".join(ops)
            _paint(page, style, lambda: page.path(text))
            return
    v = _numbers(points)
    if len(v) < 4:
        return

    def shape() -> None:
        page.move_to(v[0], v[1])
        for i in range(2, len(v) - 1, 2):
            page.line_to(v[i], v[i + 1])
        if closed:
            page.close()

    _paint(page, style, shape)


def _rect(page: Page, element: ET.Element, style: Mapping[str, str]) -> None:
    x, y = _length(element.get("x")), _length(element.get("y"))
    w, h = _length(element.get("width")), _length(element.get("height"))
    if w <= 0 or h <= 0:
        return
    rx_attr, ry_attr = element.get("rx"), element.get("ry")
    rx = _length(rx_attr if rx_attr is not None else ry_attr)
    ry = _length(ry_attr if ry_attr is not None else rx_attr)
    if rx > 0 and ry > 0:
        _paint(page, style, lambda: _rounded(page, x, y, w, h, rx, ry))
    else:
        _paint(page, style, lambda: page.rect(x, y, w, h))


def _circle(page: Page, element: ET.Element, style: Mapping[str, str]) -> None:
    r = _length(element.get("r"))
    if r > 0:
        cx, cy = _length(element.get("cx")), _length(element.get("cy"))
        _paint(page, style, lambda: _ellipse(page, cx, cy, r, r))


def _ellipse_element(page: Page, element: ET.Element, style: Mapping[str, str]) -> None:
    rx, ry = _length(element.get("rx")), _length(element.get("ry"))
    if rx > 0 and ry > 0:
        cx, cy = _length(element.get("cx")), _length(element.get("cy"))
        _paint(page, style, lambda: _ellipse(page, cx, cy, rx, ry))


def _line(page: Page, element: ET.Element, style: Mapping[str, str]) -> None:
    x1, y1, x2, y2 = (_length(element.get(name)) for name in ("x1", "y1", "x2", "y2"))

    def shape() -> None:
        page.move_to(x1, y1)
        page.line_to(x2, y2)

    _paint(page, {**style, "fill": "none"}, shape)


def _text(page: Page, element: ET.Element, style: Mapping[str, str]) -> None:
    text = _text_of(element)
    colour = parse_color(style["fill"])
    if not text or colour is None:
        return
    page.text(_length(element.get("x")), _length(element.get("y")), text, _length(style["font-size"], 16.0),
              bold=_bold(style["font-weight"]), anchor=style["text-anchor"], rgb=colour)


_DRAWN: dict[str, Callable[[Page, ET.Element, Mapping[str, str]], None]] = {
    "svg": _children,
    "g": _children,
    "a": _children,
    "path": _path,
    "polygon": lambda page, element, style: _poly(page, element, style, True),
    "polyline": lambda page, element, style: _poly(page, element, style, False),
    "rect": _rect,
    "circle": _circle,
    "ellipse": _ellipse_element,
    "line": _line,
    "text": _text,
}


def page_size(svg: str) -> tuple[float, float]:
    """The width and height (pt) of an SVG document's root element."""
    root = ET.fromstring(svg)
    box = _numbers(root.get("viewBox"))
    return (_length(root.get("width"), box[2] if len(box) == 4 else 0.0),
            _length(root.get("height"), box[3] if len(box) == 4 else 0.0))


def draw_svg(page: Page, svg: str | ET.Element) -> None:
    """Draw an SVG document on `page` at the current transform, its root's viewport at 0, 0."""
    root = ET.fromstring(svg) if isinstance(svg, str) else svg
    _element(page, root, _DEFAULTS)


def svg_page(svg: str) -> Page:
    """A PDF page the size of the SVG document's root element, with the document drawn on it."""
    root = ET.fromstring(svg)
    box = _numbers(root.get("viewBox"))
    page = Page(_length(root.get("width"), box[2] if len(box) == 4 else 0.0),
                _length(root.get("height"), box[3] if len(box) == 4 else 0.0))
    draw_svg(page, root)
    return page
