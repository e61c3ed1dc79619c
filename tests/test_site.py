"""The built fixture site: anchors, flowchart links, code pages linked both ways, no outside assets, repeatable builds."""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from generator.codes import normalise
from generator.load import load_corpus
from generator.pages.links import code_src, src_to_url, tree_src

from .conftest import FIXTURES, ROOT, build

GOOD = FIXTURES / "good"


class _Page(HTMLParser):
    """Collects ids, links (with the classes of the link), and the sections' node ids of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str, str | None]] = []  # (href, class, enclosing data-node)
        self.assets: list[str] = []
        self.sections: list[str] = []
        self._node_stack: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "section":
            self._node_stack.append(a.get("data-node"))
            if a.get("data-node"):
                self.sections.append(a["data-node"])
        href = a.get("href") or a.get("xlink:href")
        if tag == "a" and href:
            node = next((n for n in reversed(self._node_stack) if n), None)
            self.links.append((href, a.get("class") or "", node))
        if tag in ("script", "img", "iframe", "source") and a.get("src"):
            self.assets.append(a["src"])
        if tag == "link" and a.get("href") and a.get("rel") in ("stylesheet", "preload", "icon", "manifest", "modulepreload"):
            self.assets.append(a["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "section" and self._node_stack:
            self._node_stack.pop()


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text("utf-8"))
    return page


def _target(site: Path, page: Path, href: str) -> tuple[Path, str]:
    parts = urlsplit(href)
    base = site if parts.path.startswith("/") else page.parent  # the 404 page links from the site root
    target = page if not parts.path else (base / unquote(parts.path).lstrip("/")).resolve()
    return target, unquote(parts.fragment)


@pytest.fixture(scope="module")
def corpus():
    loaded, problems = load_corpus(str(GOOD))
    assert not [p for p in problems if p.severity == "error"]
    return loaded


def test_every_node_has_its_section_and_anchor(fixture_site: Path, corpus) -> None:
    for tree in corpus.trees:
        page = _parse(fixture_site / src_to_url(tree_src(tree.id)))
        assert sorted(page.sections) == sorted(n.id for n in tree.nodes)
        for node in tree.nodes:
            assert node.id in page.ids, f"{tree.id}: no anchor #{node.id}"


def test_every_flowchart_node_links_to_an_existing_anchor(fixture_site: Path, corpus) -> None:
    for tree in corpus.trees:
        path = fixture_site / src_to_url(tree_src(tree.id))
        html = path.read_text("utf-8")
        svg = re.search(r'<div class="fc-chart"[^>]*>(<svg.*?</svg>)</div>', html, re.S)
        assert svg, f"{tree.id}: no inline flowchart"
        hrefs = re.findall(r'xlink:href="([^"]+)"', svg.group(1))
        node_links = [h for h in hrefs if not h.startswith("#fc-")]
        assert len(node_links) >= len(tree.nodes)
        for href in node_links:
            target, fragment = _target(fixture_site, path, href)
            assert target.exists(), href
            assert fragment in _parse(target).ids, f"{tree.id}: {href} has no target anchor"


def test_flowchart_is_kept_out_of_search_and_ids_are_unique(fixture_site: Path, corpus) -> None:
    for tree in corpus.trees:
        html = (fixture_site / src_to_url(tree_src(tree.id))).read_text("utf-8")
        assert '<div class="fc-chart" data-search-exclude>' in html
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), "duplicate ids on the page"
    index = (fixture_site / "search" / "search_index.js").read_text("utf-8")
    assert "n-zarolt" not in index and "fc-pin" not in index
    # Text only the charts and print sheets carry: the legend and the sheet captions.
    for chart_only in ("Jelmagyarázat", "Folyamatábra,", "folytatás:", "innen:"):
        assert chart_only not in index, chart_only


def test_every_internal_link_and_fragment_resolves(fixture_site: Path) -> None:
    broken = []
    for path in sorted(fixture_site.rglob("*.html")):
        for href, _, _ in _parse(path).links:
            scheme = urlsplit(href).scheme
            if scheme in ("http", "https", "mailto") or href.startswith("javascript:"):
                continue
            target, fragment = _target(fixture_site, path, href)
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{path.relative_to(fixture_site)}: {href}")
            elif fragment and target.suffix == ".html" and fragment not in _parse(target).ids:
                broken.append(f"{path.relative_to(fixture_site)}: {href} (no #{fragment})")
    assert not broken, "\n".join(broken)


def test_codes_link_to_code_pages_and_back(fixture_site: Path, corpus) -> None:
    handled = 0
    for tree in corpus.trees:
        tree_path = fixture_site / src_to_url(tree_src(tree.id))
        page = _parse(tree_path)
        for href, cls, node in page.links:
            if "fa-code" not in cls:
                continue
            code_path, _ = _target(fixture_site, tree_path, href)
            back = [_target(fixture_site, code_path, h) for h, c, _ in _parse(code_path).links if "kod-lepes" in c]
            assert (tree_path, node) in back, f"{code_path.name} does not link back to {tree.id}#{node}"
            handled += 1
    assert handled == sum(len(n.codes) for t in corpus.trees for n in t.nodes)
    for entry in corpus.codes:
        code_path = fixture_site / src_to_url(code_src(entry.code))
        steps = [(h, _target(fixture_site, code_path, h)) for h, c, _ in _parse(code_path).links if "kod-lepes" in c]
        assert steps, f"{entry.code}: no step links"
        for href, (tree_path, node) in steps:
            forward = [_target(fixture_site, tree_path, h)[0] for h, c, n in _parse(tree_path).links
                       if "fa-code" in c and n == node]
            assert code_path in forward, f"{tree_path.name}#{node} does not link to {entry.code}"


def test_code_index_lists_every_code_sorted_by_system(fixture_site: Path, corpus) -> None:
    html = (fixture_site / "kodok" / "index.html").read_text("utf-8")
    for entry in corpus.codes:
        assert f"<code>{normalise(entry.code)}</code>" in html
    assert html.index("K0506") < html.index("K0517(-116)")
    assert "Kód nélküli hibaüzenetek" in html


def test_no_page_loads_an_asset_from_outside_the_site(fixture_site: Path) -> None:
    outside = []
    for path in fixture_site.rglob("*.html"):
        for src in _parse(path).assets:
            if urlsplit(src).scheme or src.startswith("//"):
                outside.append(f"{path.relative_to(fixture_site)}: {src}")
    for path in fixture_site.rglob("*.css"):
        outside += [f"{path.name}: {u}" for u in re.findall(r"url\(\s*['\"]?((?:https?:)?//[^)'\"]+)", path.read_text("utf-8"))]
    assert not outside, "\n".join(outside)
    assert not list(fixture_site.rglob("*unpkg*"))


def test_generated_pages_are_virtual(fixture_site: Path) -> None:
    content = FIXTURES / "site" / "content"
    assert sorted(p.name for p in content.iterdir()) == ["index.md"]


def test_two_builds_are_byte_identical(tmp_path: Path, fixture_site: Path) -> None:
    again = tmp_path / "again"
    result = build(FIXTURES / "site" / "mkdocs.yml", again)
    assert result.returncode == 0, result.stderr
    cmp = filecmp.dircmp(fixture_site, again)
    diffs: list[str] = []

    def walk(c: filecmp.dircmp, prefix: str = "") -> None:
        diffs.extend(prefix + n for n in c.left_only + c.right_only)
        _, mismatch, errors = filecmp.cmpfiles(c.left, c.right, c.common_files, shallow=False)
        diffs.extend(prefix + n for n in mismatch + errors)
        for name, sub in c.subdirs.items():
            walk(sub, prefix + name + "/")

    walk(cmp)
    assert not diffs, diffs


def _copy_site_with_trees(tmp_path: Path, mutate) -> Path:
    site = tmp_path / "site-src"
    shutil.copytree(FIXTURES / "site", site)
    shutil.copytree(GOOD, tmp_path / "good")
    mutate(tmp_path / "good")
    config = site / "mkdocs.yml"
    text = config.read_text("utf-8").replace("../../../", str(ROOT) + "/")
    config.write_text(text, "utf-8")
    return config


def test_content_errors_stop_the_build_and_keep_the_old_site(tmp_path: Path) -> None:
    def break_tree(trees: Path) -> None:
        pin = trees / "pin.yaml"
        pin.write_text(pin.read_text("utf-8").replace("next: puk", "next: pukk"), "utf-8")

    config = _copy_site_with_trees(tmp_path, break_tree)
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text("previous site", "utf-8")
    result = subprocess.run([sys.executable, "-m", "generator", "build", "--config", str(config), "--site-dir", str(out)],
                            capture_output=True, text=True, cwd=ROOT, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 1
    assert re.search(r"pin\.yaml:\d+:\d+: a\(z\) pukk cél nem létezik \(erre gondolt: puk\?\)", result.stderr), result.stderr
    assert "Traceback" not in result.stderr
    assert [p.name for p in out.iterdir()] == ["index.html"]
    assert (out / "index.html").read_text("utf-8") == "previous site"
    assert not Path(str(out) + ".new").exists()


def test_a_good_build_replaces_the_old_site(tmp_path: Path) -> None:
    config = _copy_site_with_trees(tmp_path, lambda trees: None)
    out = tmp_path / "out"
    out.mkdir()
    (out / "stale.html").write_text("old", "utf-8")
    result = subprocess.run([sys.executable, "-m", "generator", "build", "--config", str(config), "--site-dir", str(out)],
                            capture_output=True, text=True, cwd=ROOT, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 0, result.stderr
    assert (out / "fak" / "pin.html").exists() and not (out / "stale.html").exists()


def _nav_links(html: str) -> list[str]:
    """The link targets of a page's primary navigation."""
    start = html.index('<nav class="md-nav md-nav--primary"')
    end = html.index('<div class="md-content"', start)
    return re.findall(r'<a href="([^"#]+)[^"]*" class="md-nav__link', html[start:end])


def test_navigation_stays_bounded_by_the_systems(fixture_site: Path, corpus) -> None:
    """Trees and codes are grouped by system below two sections; a page's navigation lists only its
    own group's pages, so it does not grow with every tree and code of the site."""
    systems = len(corpus.project.systems)
    tree_pages = {src_to_url(tree_src(t.id)).split("/")[-1] for t in corpus.trees}
    code_pages = {src_to_url(code_src(e.code)).split("/")[-1] for e in corpus.codes}
    for entry in corpus.codes:
        html = (fixture_site / src_to_url(code_src(entry.code))).read_text("utf-8")
        links = _nav_links(html)
        # one link per tree group (Material links a collapsed group to its first page)
        assert sum(link.split("/")[-1] in tree_pages for link in links) <= len({t.system for t in corpus.trees})
        siblings = [e for e in corpus.codes if e.system == entry.system]
        assert sum(link.split("/")[-1] in code_pages for link in links) <= len(siblings) + systems
    for tree in corpus.trees:
        html = (fixture_site / src_to_url(tree_src(tree.id))).read_text("utf-8")
        links = _nav_links(html)
        assert sum(link.split("/")[-1] in code_pages for link in links) <= systems, tree.id
        assert any(link.split("/")[-1] == src_to_url(tree_src(tree.id)).split("/")[-1] for link in links), tree.id
