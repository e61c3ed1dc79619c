"""The code lookup box in a real Chromium from file://: every catalogue code and alias, typed into the box on
pages at every depth, lands on its page with Enter; suggestions while typing; a friendly miss."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.codes import normalise
from generator.load import load_corpus
from generator.pages.links import code_src, src_to_url

from ..conftest import FIXTURES, ROOT

TREES = {"fixture_site": FIXTURES / "good", "real_site": ROOT / "trees"}
HEADER_BOX = "#fa-kk-header"


def start_pages(site: Path) -> list[Path]:
    """One page at each depth: the home page, a tree page, a code page."""
    return [site / "index.html", sorted((site / "fak").glob("*.html"))[0], site / "kodok" / "index.html"]


def jump(page, start: Path, text: str, box: str = HEADER_BOX) -> str:
    """Open `start`, type `text` into the lookup box, press Enter; the page path landed on (site-relative)."""
    page.goto(start.as_uri())
    page.fill(box, text)
    with page.expect_navigation():
        page.press(box, "Enter")
    return page.url.split("?")[0].split("#")[0]


@pytest.mark.parametrize("site_fixture", sorted(TREES))
def test_every_code_and_alias_lands_on_its_page(site_fixture: str, request, browser_context_factory) -> None:
    site: Path = request.getfixturevalue(site_fixture)
    corpus, _ = load_corpus(str(TREES[site_fixture]))
    page = browser_context_factory().new_page()
    starts = start_pages(site)
    typed = [(s, e.code) for e in corpus.codes for s in (e.code, *e.aliases)]
    assert typed
    wrong = []
    for i, (spelling, code) in enumerate(typed):
        landed = jump(page, starts[i % len(starts)], spelling)
        expected = (site / src_to_url(code_src(code))).as_uri()
        if landed != expected:
            wrong.append((spelling, landed, expected))
    assert not wrong


@pytest.mark.parametrize("spelling, target", [
    ("k0517 -116", "kodok/k0517-116.html"),
    ("K0517(-116)-as", "kodok/k0517-116.html"),
    ("0505", "kodok/k0505.html"),
    ("K0100", "kodok/k0100.html"),
    ("1155", "kodok/1155.html"),
    ("webhely nem", "kodok/webhely-nem-elerheto.html"),
])
def test_the_spellings_of_the_issue_land_from_the_home_page_box(real_site: Path, browser_context_factory,
                                                                spelling: str, target: str) -> None:
    page = browser_context_factory().new_page()
    assert jump(page, real_site / "index.html", spelling, "#kodkereso-home input") == (real_site / target).as_uri()


def test_the_home_page_box_is_placed_and_labelled(real_site: Path, browser_context_factory) -> None:
    page = browser_context_factory().new_page()
    page.goto((real_site / "index.html").as_uri())
    box = page.locator("#kodkereso-home input[role=combobox]")
    assert box.is_visible()
    assert page.locator("#kodkereso-home label").inner_text().strip()
    assert page.get_by_label("Hibakód", exact=True).count() == 1  # the header box has its own name


def test_suggestions_appear_while_typing_and_arrow_keys_choose(fixture_site: Path, browser_context_factory) -> None:
    page = browser_context_factory().new_page()
    page.goto((fixture_site / "fak" / "pin.html").as_uri())
    page.click(HEADER_BOX)
    page.keyboard.type("k05")
    options = page.locator("#fa-kk-header-lista [role=option]")
    options.first.wait_for()
    assert [t.split()[0] for t in options.all_inner_texts()] == ["K0506", "K0517(-116)"]
    assert page.get_attribute(HEADER_BOX, "aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.get_attribute(HEADER_BOX, "aria-activedescendant") == "fa-kk-header-opt-1"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/kodok/k0517-116.html")


def test_clicking_a_suggestion_goes_there(fixture_site: Path, browser_context_factory) -> None:
    page = browser_context_factory().new_page()
    page.goto((fixture_site / "index.html").as_uri())
    page.click(HEADER_BOX)
    page.keyboard.type("webh")
    with page.expect_navigation():
        page.locator("#fa-kk-header-lista [role=option]").first.click()
    assert page.url.endswith("/kodok/webhely-nem-elerheto.html")


def test_an_unknown_code_gets_a_friendly_message_with_the_index_and_the_entry_tree(fixture_site: Path,
                                                                                    browser_context_factory) -> None:
    page = browser_context_factory().new_page()
    page.goto((fixture_site / "kodok" / "k0506.html").as_uri())
    page.fill(HEADER_BOX, "K9999")
    page.press(HEADER_BOX, "Enter")
    status = page.locator(".fa-kk-header .fa-kk__status")
    status.wait_for()
    assert "nem ismerem" in status.inner_text() and "K9999" in status.inner_text()
    assert "nem ismerem" in page.locator(".fa-kk-header [role=status]").text_content()  # announced
    links = {a.inner_text(): a.get_attribute("href") for a in status.locator("a").all()}
    assert links == {"hibakódok listáját": (fixture_site / "kodok" / "index.html").as_uri(),
                     "Nem tudok belépni": (fixture_site / "fak" / "belepes.html").as_uri()}
    with page.expect_navigation():
        status.locator("a").first.click()
    assert page.url.endswith("/kodok/index.html")


def test_escape_closes_the_suggestions_and_typing_in_the_box_does_not_open_site_search(
        fixture_site: Path, browser_context_factory) -> None:
    page = browser_context_factory().new_page()
    page.goto((fixture_site / "index.html").as_uri())
    page.click(HEADER_BOX)
    page.keyboard.type("s")  # Material opens its search on "s" outside text fields
    assert page.input_value(HEADER_BOX) == "s"
    assert not page.locator("#__search").is_checked()
    page.fill(HEADER_BOX, "")
    page.keyboard.type("k0")
    page.locator("#fa-kk-header-lista [role=option]").first.wait_for()
    page.keyboard.press("Escape")
    assert page.locator(".fa-kk-header .fa-kk__panel").is_hidden()
    assert page.get_attribute(HEADER_BOX, "aria-expanded") == "false"


def test_canonical_code_of_every_entry_is_shown_in_suggestions(fixture_site: Path, browser_context_factory) -> None:
    corpus, _ = load_corpus(str(FIXTURES / "good"))
    page = browser_context_factory().new_page()
    page.goto((fixture_site / "index.html").as_uri())
    for entry in corpus.codes:
        page.fill(HEADER_BOX, "")
        page.click(HEADER_BOX)
        page.keyboard.type(entry.code[:6])
        first = page.locator("#fa-kk-header-lista [role=option]").first
        first.wait_for()
        assert normalise(entry.code) in first.inner_text()
