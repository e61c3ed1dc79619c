"""A link checker for a built site: every internal link, resource and #fragment must resolve, and nothing
is loaded from outside the site (it must work from file:// with no network).

Every HTML file is parsed; each href, src and xlink:href is resolved relative to the file (a path starting
with `/`, or a URL under `site_url`, against the site's root). The target file must exist and, for
an HTML or SVG target, the #fragment must be an id (or an `<a name>`) in it. A link to a folder fails: from
file:// it shows a file listing. Links to other sites (http, https, mailto, tel) are not followed, but a
resource taken from another site (a script, stylesheet, image, frame) is a problem.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

__all__ = ["BrokenLink", "check_site", "format_broken"]

LINK_ATTRIBUTES = ("href", "src", "xlink:href")
EXTERNAL_SCHEMES = ("http", "https", "mailto", "tel")
INLINE_SCHEMES = ("data", "blob", "about")
FRAGMENT_TYPES = (".html", ".htm", ".svg")
# Elements whose URL is only followed when the user clicks it; every other URL is fetched by the browser.
NAVIGATION = {("a", "href"), ("a", "xlink:href"), ("area", "href")}
OUTSIDE_RESOURCE = "külső forrásból tölt be (hálózat nélkül nem működik)"
PASSIVE_LINK_RELS = {"canonical", "alternate", "author", "license", "help", "next", "prev", "search"}


@dataclass(frozen=True)
class BrokenLink:
    """One link that does not resolve: the page it is on (relative to the site), the URL as written, why."""

    page: str
    url: str
    reason: str


@dataclass(frozen=True)
class _Link:
    url: str
    fetched: bool


class _PageParser(HTMLParser):
    """Collects the ids (fragment targets) and the links of one HTML or SVG file."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[_Link] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        rels = set(values.get("rel", "").lower().split())
        for name in LINK_ATTRIBUTES:
            if name in values:
                passive = (tag, name) in NAVIGATION or (tag == "link" and bool(rels) and rels <= PASSIVE_LINK_RELS)
                self.links.append(_Link(values[name].strip(), fetched=not passive))

    handle_startendtag = handle_starttag


def _parse(path: Path) -> _PageParser:
    parser = _PageParser()
    parser.feed(path.read_text("utf-8", errors="replace"))
    parser.close()
    return parser


def _site_path(url: str, page: str, base_path: str, site_host: str) -> tuple[str | None, str | None, str]:
    """Where `url` on `page` points in the site: (path relative to the site root, fragment, problem)."""
    parts = urlsplit(url)
    if (parts.scheme or parts.netloc) and not (site_host and parts.netloc.lower() == site_host
                                                and parts.scheme.lower() in ("", "http", "https")):
        return None, None, "external"
    path = unquote(parts.path)
    if parts.path.startswith("/"):
        if not (path + "/").startswith(base_path):
            return None, None, f"a webhely gyökerén ({base_path}) kívülre mutat"
        target = path[len(base_path):]
    elif path:
        target = posixpath.join(posixpath.dirname(page), path)
    else:
        target = page
    target = posixpath.normpath(target) if target else "."
    if target == ".." or target.startswith("../"):
        return None, None, "a webhely mappáján kívülre mutat"
    return target, unquote(parts.fragment) if parts.fragment else None, ""


def check_site(site_dir: Path, site_url: str | None = None) -> list[BrokenLink]:
    """Every broken internal link, missing #fragment and outside resource of the built site in `site_dir`.

    `site_url` (MkDocs' setting, e.g. `https://intranet/hibaelharitas/`) tells where `/`-paths start.
    """
    site_dir = Path(site_dir)
    split = urlsplit(site_url or "/")
    base_path = split.path.rstrip("/") + "/"
    site_host = split.netloc.lower()
    parsed: dict[str, _PageParser] = {}

    def parse(rel: str) -> _PageParser:
        if rel not in parsed:
            parsed[rel] = _parse(site_dir / rel)
        return parsed[rel]

    pages = sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*.html") if p.is_file())
    broken: list[BrokenLink] = []
    for page in pages:
        for link in parse(page).links:
            scheme = urlsplit(link.url).scheme.lower()
            if not link.url or link.url == "#" or scheme in INLINE_SCHEMES:
                continue
            target, fragment, problem = _site_path(link.url, page, base_path, site_host)
            if problem == "external":
                if link.fetched:
                    broken.append(BrokenLink(page, link.url, OUTSIDE_RESOURCE))
                elif scheme and scheme not in EXTERNAL_SCHEMES:
                    broken.append(BrokenLink(page, link.url, f"ismeretlen séma: {scheme}"))
                continue
            if problem:
                broken.append(BrokenLink(page, link.url, problem))
                continue
            assert target is not None
            file = site_dir / target
            if file.is_dir():
                broken.append(BrokenLink(page, link.url, "mappára mutat (file://-ról nem nyílik meg)"))
            elif not file.is_file():
                broken.append(BrokenLink(page, link.url, f"nincs ilyen fájl: {target}"))
            elif fragment and file.suffix.lower() in FRAGMENT_TYPES and fragment not in parse(target).ids:
                broken.append(BrokenLink(page, link.url, f"nincs ilyen horgony: #{fragment} ({target})"))
    return broken


def format_broken(link: BrokenLink) -> str:
    """One line per broken link, in the style of the checker's messages."""
    return f"{link.page}: {link.url}: {link.reason}"
