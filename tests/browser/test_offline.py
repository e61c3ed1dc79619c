"""The built site from file:// in Chromium with every network request blocked and recorded, from a folder
whose name has a space and accents: copied there, or unzipped there from the offline bundle.

Navigation, search (K0517 finds its code page), a flowchart node click (lands on its step), a code page and
a PDF all work, no file of the site is missing, and no request leaves the site's folder.
"""

from __future__ import annotations

import shutil
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import unquote, urlsplit

import pytest

from generator.bundle import README_NAME, write_bundle

FOLDER = "ASP hibaelhárítás"
EPOCH = 1763683200
CODE_PAGES = {"fixture_site": "kodok/k0517-116.html", "real_site": "kodok/k0517.html"}
# Schemes the browser serves itself (e.g. its PDF viewer's files); they never reach a network.
BROWSER_INTERNAL = {"data", "blob", "about", "chrome", "chrome-extension", "chrome-untrusted"}
CDN_HOSTS = ("unpkg.com", "cdn.jsdelivr.net", "fonts.googleapis.com", "fonts.gstatic.com", "cdnjs.cloudflare.com")
OFF_SCREEN = "el => { const r = el.getBoundingClientRect(); return r.top >= innerHeight || r.bottom <= 0; }"


@dataclass
class Traffic:
    """Every request of a browser context: the ones that left the site (blocked), and site files that failed.

    The site is every URL under `prefix` (e.g. the file:// URL of its folder, with a trailing slash).
    """

    prefix: str
    outside: set[str] = field(default_factory=set)
    failed: list[str] = field(default_factory=list)

    def inside(self, url: str) -> bool:
        return urlsplit(url).scheme in BROWSER_INTERNAL or unquote(url).startswith(unquote(self.prefix))

    def route(self, route: Any) -> None:
        if self.inside(route.request.url):
            route.continue_()
        else:
            self.outside.add(route.request.url)
            route.abort()

    def on_request(self, request: Any) -> None:
        if not self.inside(request.url):
            self.outside.add(request.url)

    def on_failed(self, request: Any) -> None:
        """A file that did not load; not one cancelled by leaving the page (net::ERR_ABORTED)."""
        if self.inside(request.url) and urlsplit(request.url).scheme not in BROWSER_INTERNAL \
                and request.failure != "net::ERR_ABORTED":
            self.failed.append(f"{request.url}: {request.failure}")

    def on_response(self, response: Any) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.url}: HTTP {response.status}")


@contextmanager
def guarded_page(browser_context_factory: Callable[..., Any], prefix: str) -> Iterator[tuple[Any, Traffic]]:
    """A page of a fresh Chromium whose every request outside `prefix` is aborted and recorded."""
    traffic = Traffic(prefix)
    context = browser_context_factory(viewport={"width": 1280, "height": 900}, service_workers="block")
    context.route("**/*", traffic.route)
    context.on("request", traffic.on_request)  # also what a worker asks for, should it bypass routing
    context.on("requestfailed", traffic.on_failed)
    context.on("response", traffic.on_response)
    try:
        yield context.new_page(), traffic
    finally:
        context.close()  # now, not at the end of the session: each context is a whole browser


def search(page: Any, query: str, wanted: str) -> Any:
    """Type `query` into Material's search box; the result link to page `wanted` (more results load on scroll)."""
    page.locator(".md-search__input").click()
    page.keyboard.type(query)
    page.wait_for_selector(".md-search-result__item")
    total = int(page.locator(".md-search-result__meta").inner_text().split()[0])
    documents = page.locator(".md-search-result__list > .md-search-result__item")
    while True:
        for i in range(documents.count()):
            link = documents.nth(i).locator(".md-search-result__link").first
            if site_page(link.get_attribute("href")) == wanted:
                return link
        shown = documents.count()
        assert shown < total, f"searching {query!r} does not find {wanted} among its {total} results"
        page.locator(".md-search__scrollwrap").evaluate("el => el.scrollTop = el.scrollHeight")
        page.wait_for_function(
            f"document.querySelectorAll('.md-search-result__list > .md-search-result__item').length > {shown}")


def site_page(url: str | None) -> str:
    """The site path of a result link (file:///…/site/kodok/k0517.html?h=k0517#x -> kodok/k0517.html)."""
    return "/".join(unquote(urlsplit(url or "").path).split("/")[-2:])


def check_offline(browser_context_factory: Callable[..., Any], site: Path, code_page: str) -> None:
    """Open `site` from file:// and use it; nothing may leave the site, every file of it must load."""
    with guarded_page(browser_context_factory, site.resolve().as_uri() + "/") as (page, traffic):
        use_offline(page, site, code_page)
    assert traffic.outside == set(), "requests that left the site"
    assert traffic.failed == [], "files of the site that did not load"


def use_offline(page: Any, site: Path, code_page: str) -> None:
    """Navigation to a tree page, a flowchart node click, its PDF, and search for K0517 to `code_page`."""
    page.goto((site / "index.html").as_uri())
    header = page.locator(".md-header").evaluate("el => getComputedStyle(el).backgroundColor")
    assert header not in ("", "rgba(0, 0, 0, 0)"), "the theme's stylesheet is loaded"

    page.locator(".md-sidebar--primary a.md-nav__link[href*='fak/']").first.click()
    page.wait_for_load_state()
    assert "/fak/" in page.url and page.locator("figure.fa-chart-figure svg").count() == 1

    # The last flowchart node that links to a step of this page: its step is off screen, the click shows it.
    nodes = page.locator("figure.fa-chart-figure svg a")
    hrefs = [nodes.nth(i).get_attribute("xlink:href") or nodes.nth(i).get_attribute("href") for i in range(nodes.count())]
    index = max(i for i, href in enumerate(hrefs) if href and href.startswith("#") and len(href) > 1)
    step = page.locator(f"[id='{unquote(hrefs[index][1:])}']")
    nodes.nth(index).scroll_into_view_if_needed()
    assert step.evaluate(OFF_SCREEN), "the step starts off screen"
    nodes.nth(index).click()
    page.wait_for_function(f"location.hash === {hrefs[index]!r}")
    assert not step.evaluate(OFF_SCREEN), "the click scrolled to the node's step"

    pdf = page.locator("a.fa-pdf").first
    pdf_url = pdf.evaluate("a => a.href")
    pdf_file = Path(unquote(urlsplit(pdf_url).path))
    assert pdf_file.is_relative_to(site.resolve()) and pdf_file.read_bytes().startswith(b"%PDF")
    pdf.click()
    page.wait_for_url(pdf_url)

    page.goto((site / "index.html").as_uri())
    search(page, "K0517", code_page).click()
    page.wait_for_load_state()
    assert site_page(page.url) == code_page and "K0517" in page.locator("h1").first.inner_text()


@pytest.fixture(params=sorted(CODE_PAGES))
def built(request: pytest.FixtureRequest) -> tuple[Path, str]:
    """A built site (the small fixture site, the real one) and the page a search for K0517 must find."""
    return request.getfixturevalue(request.param), CODE_PAGES[request.param]


def test_every_page_takes_the_vendored_worker_shim_and_nothing_from_a_cdn(built: tuple[Path, str]) -> None:
    site, _ = built
    pages = sorted(site.rglob("*.html"))
    assert pages
    for page in pages:
        html = page.read_text("utf-8")
        assert "assets/vendor/iframe-worker/shim.js" in html, page
        assert not [host for host in CDN_HOSTS if host in html], page


def test_the_site_works_offline_from_a_folder_with_spaces_and_accents(
        built: tuple[Path, str], tmp_path: Path, browser_context_factory: Callable[..., Any]) -> None:
    site, code_page = built
    copy = tmp_path / FOLDER / "site"
    shutil.copytree(site, copy)
    check_offline(browser_context_factory, copy, code_page)


def test_the_unzipped_bundle_works_offline(built: tuple[Path, str], tmp_path: Path,
                                           browser_context_factory: Callable[..., Any]) -> None:
    site, code_page = built
    archive = write_bundle(site, tmp_path / "dist", EPOCH)
    with zipfile.ZipFile(archive) as z:
        z.extractall(tmp_path / FOLDER)
    unzipped = tmp_path / FOLDER / archive.stem
    assert (unzipped / README_NAME).is_file()
    check_offline(browser_context_factory, unzipped, code_page)


def test_blocked_requests_are_recorded(fixture_site: Path, tmp_path: Path,
                                       browser_context_factory: Callable[..., Any]) -> None:
    """The recorder itself: a page that loads from outside its folder and from the network is caught."""
    copy = tmp_path / FOLDER / "site"
    shutil.copytree(fixture_site, copy)
    (copy / "kulso.html").write_text('<img src="../kivul.png"><script src="https://cdn.example.org/x.js"></script>',
                                     encoding="utf-8")
    with guarded_page(browser_context_factory, copy.as_uri() + "/") as (page, traffic):
        page.goto((copy / "kulso.html").as_uri())
        page.wait_for_load_state("load")
    assert sorted(u.rsplit("/", 1)[1] for u in set(traffic.outside)) == ["kivul.png", "x.js"]
