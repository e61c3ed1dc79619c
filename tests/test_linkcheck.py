"""The link checker on small hand-made sites (each kind of break) and on the built fixture and real sites."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.linkcheck import BrokenLink, check_site, format_broken


def make_site(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


GOOD = {
    "index.html": '<link rel="stylesheet" href="assets/a.css"><a href="fak/pin.html#zarolt">PIN</a>'
                  '<a href="#top" id="top">fel</a><a href="https://example.org/">kint</a><a href="mailto:a@b.hu">m</a>'
                  '<img src="data:image/png;base64,AAAA"><a href="#">üres</a>',
    "assets/a.css": "body{}",
    "fak/pin.html": '<h2 id="zarolt">Zárolt</h2><svg><a xlink:href="#zarolt"><g id="n"/></a></svg>'
                    '<a href="../index.html?x=1#top">vissza</a><a href="../k%C3%B3d.html">kód</a>',
    "kód.html": '<a name="régi">régi</a>',
    "404.html": '<a href="/index.html">kezdőlap</a>',
}


def test_a_whole_site_has_no_broken_links(tmp_path: Path) -> None:
    assert check_site(make_site(tmp_path, GOOD)) == []


@pytest.mark.parametrize(("page", "html", "reason"), [
    ("index.html", '<a href="nincs.html">x</a>', "nincs ilyen fájl: nincs.html"),
    ("index.html", '<a href="fak/pin.html#nincs">x</a>', "nincs ilyen horgony: #nincs (fak/pin.html)"),
    ("index.html", '<a href="#sehol">x</a>', "nincs ilyen horgony: #sehol (index.html)"),
    ("fak/pin.html", '<svg><a xlink:href="#nincs-csomopont"><g/></a></svg>', "nincs ilyen horgony: #nincs-csomopont"),
    ("fak/pin.html", '<img src="../assets/nincs.png">', "nincs ilyen fájl: assets/nincs.png"),
    ("index.html", '<a href="fak/">x</a>', "mappára mutat"),
    ("index.html", '<a href="../kint.html">x</a>', "a webhely mappáján kívülre mutat"),
    ("index.html", '<script src="https://unpkg.com/iframe-worker/shim"></script>', "külső forrásból tölt be"),
    ("index.html", '<link rel="stylesheet" href="//fonts.googleapis.com/css">', "külső forrásból tölt be"),
    ("index.html", '<a href="javascript:alert(1)">x</a>', "ismeretlen séma: javascript"),
])
def test_each_kind_of_break_is_reported(tmp_path: Path, page: str, html: str, reason: str) -> None:
    site = make_site(tmp_path, {**GOOD, page: GOOD[page] + html})
    broken = check_site(site)
    assert len(broken) == 1, broken
    assert broken[0].page == page and reason in broken[0].reason


def test_root_paths_and_site_url_links_resolve_under_the_sub_path(tmp_path: Path) -> None:
    site = make_site(tmp_path, {**GOOD, "404.html": '<a href="/hibaelharitas/index.html">k</a>'
                                '<link rel="canonical" href="https://intra.example.hu/hibaelharitas/fak/pin.html">'
                                '<img src="https://intra.example.hu/hibaelharitas/nincs.png">'
                                '<a href="/mas/index.html">más</a>'})
    broken = check_site(site, "https://intra.example.hu/hibaelharitas/")
    assert [(b.url, b.reason.split(":")[0]) for b in broken] == [
        ("https://intra.example.hu/hibaelharitas/nincs.png", "nincs ilyen fájl"),
        ("/mas/index.html", "a webhely gyökerén (/hibaelharitas/) kívülre mutat"),
    ]


def test_format_names_page_url_and_reason() -> None:
    assert format_broken(BrokenLink("fak/pin.html", "x.html", "nincs ilyen fájl: fak/x.html")) == \
        "fak/pin.html: x.html: nincs ilyen fájl: fak/x.html"


def test_the_built_fixture_site_has_no_broken_links(fixture_site: Path) -> None:
    assert check_site(fixture_site) == []


def test_the_built_real_site_has_no_broken_links(real_site: Path) -> None:
    assert [format_broken(b) for b in check_site(real_site)] == []
