"""The same site from a web server under a sub-path: Chromium through the nginx of tests/test_nginx.py
(configured as docs/hosting.md says) at http://127.0.0.1:<port>/hibaelharitas/. Search runs in a real web
worker here (not the file:// shim), the 404 page is styled and leads home, and no request leaves the
sub-path."""

from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest

from tests.browser.test_offline import CODE_PAGES, guarded_page, search, site_page
from tests.test_nginx import CONFIGS, SUB_PATH, Server, running_nginx

CODE_PAGE = {"fixture": CODE_PAGES["fixture_site"], "real": CODE_PAGES["real_site"]}


@pytest.fixture(scope="module", params=sorted(CONFIGS))
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The fixture site and the real site under the sub-path (built once with tests/test_nginx.py's)."""
    with running_nginx(request.param, tmp_path_factory) as running:
        yield running


def test_search_and_navigation_work_under_the_sub_path(server: Server,
                                                      browser_context_factory: Callable[..., Any]) -> None:
    prefix = f"http://127.0.0.1:{server.port}{SUB_PATH}"
    code_page = CODE_PAGE[server.name]
    with guarded_page(browser_context_factory, prefix) as (page, traffic):
        assert page.goto(prefix).status == 200
        page.locator(".md-sidebar--primary a.md-nav__link[href*='fak/']").first.click()
        page.wait_for_load_state()
        assert page.url.startswith(prefix + "fak/") and page.locator("figure.fa-chart-figure svg").count() == 1
        search(page, "K0517", code_page).click()
        page.wait_for_load_state()
        assert site_page(page.url) == code_page and page.url.startswith(prefix)
    assert traffic.outside == set() and traffic.failed == []


def test_the_404_page_is_styled_and_leads_home(server: Server, browser_context_factory: Callable[..., Any]) -> None:
    prefix = f"http://127.0.0.1:{server.port}{SUB_PATH}"
    with guarded_page(browser_context_factory, prefix) as (page, traffic):
        response = page.goto(prefix + "fak/nincs/ilyen-oldal.html")
        assert response.status == 404
        header = page.locator(".md-header").evaluate("el => getComputedStyle(el).backgroundColor")
        assert header not in ("", "rgba(0, 0, 0, 0)"), "the theme's stylesheet is loaded under the sub-path"
        page.locator(".md-header a.md-logo").click()
        page.wait_for_load_state()
        assert page.url in (prefix, prefix + "index.html") and page.locator("h1").count() > 0
    assert traffic.outside == set(), "requests that left the sub-path"
    assert [f for f in traffic.failed if "ilyen-oldal" not in f] == []
