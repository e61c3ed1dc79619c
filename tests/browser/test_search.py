"""Search tuned for codes, in a real Chromium from file://: every common spelling puts the code's page first."""

from __future__ import annotations

from pathlib import Path

import pytest

SPELLINGS = ["K0517(-116)", "k0517(-116)", "K0517 (-116)", "K0517 -116", "116", "-116"]


def first_result(context, site: Path, query: str) -> str:
    """Type `query` into Material's search box on the home page; the href of the first result."""
    page = context.new_page()
    page.goto((site / "index.html").as_uri())
    box = page.locator("[data-md-component=search-query]")
    box.click()
    # The whole query at once, then a key Material's search listens for (keyup): typed letter by
    # letter, results for a prefix ("k0") could be read before those of the whole query.
    box.fill(query)
    box.press("End")
    first = page.locator(".md-search-result__item a").first
    first.wait_for(timeout=15_000)
    href = first.get_attribute("href") or ""
    page.close()
    return href.split("?")[0]


@pytest.mark.parametrize("query", SPELLINGS)
def test_code_spellings_find_the_code_page_first(fixture_site: Path, browser_context_factory, query: str) -> None:
    context = browser_context_factory()
    assert first_result(context, fixture_site, query).split("#")[0].endswith("kodok/k0517-116.html")


def test_message_text_finds_its_page(fixture_site: Path, browser_context_factory) -> None:
    context = browser_context_factory()
    assert first_result(context, fixture_site, "Webhely nem elérhető").split("#")[0].endswith(
        "kodok/webhely-nem-elerheto.html")


@pytest.mark.parametrize("query, page", [("K0517", "kodok/k0517.html"), ("k0517", "kodok/k0517.html"),
                                         ("K0517 (-116)", "kodok/k0517-116.html"), ("-116", "kodok/k0517-116.html"),
                                         ("K0505", "kodok/k0505.html"), ("1155", "kodok/1155.html")])
def test_real_site_code_queries_rank_the_code_page_first(real_site: Path, browser_context_factory, query: str,
                                                          page: str) -> None:
    context = browser_context_factory()
    assert first_result(context, real_site, query).split("#")[0].endswith(page)
