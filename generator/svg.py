"""Turn one Graphviz SVG document into a single-line inline <svg> element for a Markdown page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

__all__ = ["SVG_NS", "XLINK_NS", "embeddable"]

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)  # process-wide: SVG elements serialise without a prefix
ET.register_namespace("xlink", XLINK_NS)

_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_URL_REF = re.compile(r"url\(#([^)]*)\)")
_PT = re.compile(r"\s*([0-9.]+)pt\s*")
_HREFS = ("href", f"{{{XLINK_NS}}}href")


def embeddable(svg: str, prefix: str, title: str) -> str:
    """`svg` made fit to put inline, on one line, inside `<div class="fc-chart">`.

    Drops the XML prologue, doctype, comments and Graphviz's `<title>`s; prefixes every id and
    every internal reference to one (`url(#…)`, `href="#…"` outside `<a>`) with `prefix`, so
    several charts can share a page; leaves link targets (`xlink:href` of `<a>`) as they are and
    removes any `target` attribute, so links open in the same tab; replaces the fixed size in pt by
    a `max-width` of that size (the viewBox stays, so the chart scales down to fit); adds
    `role="img"`, `aria-label` and a `<title>` naming the chart `title`.
    """
    if not _PREFIX.fullmatch(prefix):
        raise ValueError(f"not a usable id prefix: {prefix!r}")
    root = ET.fromstring(svg.encode("utf-8"))  # the parser drops comments and the doctype
    if root.tag != f"{{{SVG_NS}}}svg":
        raise ValueError(f"not an SVG document: root element {root.tag!r}")
    _drop_titles(root)
    _prefix_ids(root, prefix)
    for element in root.iter():
        element.text = _one_line(element.text)
        element.tail = _one_line(element.tail)
    width = _PT.fullmatch(root.attrib.pop("width", ""))
    root.attrib.pop("height", None)
    if width:
        root.set("style", f"max-width:{width.group(1)}pt")
    name = " ".join(title.split())
    root.set("role", "img")
    root.set("aria-label", name)
    caption = ET.Element(f"{{{SVG_NS}}}title")
    caption.text = name
    root.insert(0, caption)
    return ET.tostring(root, encoding="unicode")


def _drop_titles(root: ET.Element) -> None:
    """Remove every `<title>`: Graphviz names each node and edge there (`n-a->n-b` noise)."""
    for parent in list(root.iter()):
        for child in [c for c in parent if c.tag == f"{{{SVG_NS}}}title"]:
            parent.remove(child)


def _prefix_ids(root: ET.Element, prefix: str) -> None:
    """Prefix ids and the references to them; `<a>` hrefs are page links and stay; `target` goes."""
    ids = {i for e in root.iter() if (i := e.get("id")) is not None}
    for element in root.iter():
        is_link = element.tag == f"{{{SVG_NS}}}a"
        if is_link:
            element.attrib.pop("target", None)
        for attr, value in list(element.attrib.items()):
            if attr == "id":
                element.set(attr, prefix + value)
            elif attr in _HREFS and not is_link and value.startswith("#") and value[1:] in ids:
                element.set(attr, "#" + prefix + value[1:])
            elif "url(#" in value:
                element.set(attr, _URL_REF.sub(lambda m: _url(m, ids, prefix), value))


def _url(match: re.Match[str], ids: set[str], prefix: str) -> str:
    """A `url(#id)` reference, prefixed when `id` is one of this SVG's ids."""
    return f"url(#{prefix}{match.group(1)})" if match.group(1) in ids else match.group()


def _one_line(text: str | None) -> str | None:
    """Whitespace between elements dropped; line breaks inside text made spaces."""
    if text is None or not text.strip():
        return None
    return text.replace("\r", " ").replace("\n", " ")
