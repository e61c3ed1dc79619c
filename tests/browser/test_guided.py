"""Guided mode in a real Chromium from file://: every scenario of every tree walked by clicking reaches its
expected outcome; the address keeps the place (reload, copy, back, forward); the path can be changed;
keyboard, focus and announcements; the summary; the page without JavaScript; the full-size chart; phones."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from generator.graph import resolve
from generator.load import load_corpus
from generator.model import Corpus, Scenario, Tree

from ..conftest import FIXTURES, ROOT

TREES = {"fixture_site": FIXTURES / "good", "real_site": ROOT / "trees"}
CARD = ".fa-guide__card"


def open_guided(page, site: Path, tree_id: str) -> None:
    page.goto((site / "fak" / f"{tree_id}.html").as_uri())
    page.click(".fa-guide__begin")
    page.locator(CARD).wait_for()


def current(page) -> tuple[str | None, str | None]:
    """(node id, kind) of the step on screen."""
    card = page.locator(CARD)
    return card.get_attribute("data-node"), card.get_attribute("data-kind")


def answer_button(page, label: str):
    return page.locator(".fa-guide__answers .fa-guide__answer", has_text=label).filter(
        has=page.locator(f"xpath=self::*[normalize-space(.)={xpath_literal(label)}]"))


def xpath_literal(text: str) -> str:
    if '"' not in text:
        return f'"{text}"'
    return "concat(" + ", '\"', ".join(f'"{part}"' for part in text.split('"')) + ")"


def walk_by_clicking(page, site: Path, corpus: Corpus, tree: Tree, scenario: Scenario) -> str:
    """Click through `scenario` in guided mode; the node reached (`tree#node` when another tree took over)."""
    open_guided(page, site, tree.id)
    answers = list(scenario.answers)
    for _ in range(500):
        node_id, kind = current(page)
        node = tree.node(node_id or "")
        assert node is not None and node.kind == kind, (node_id, kind)
        if kind == "outcome":
            assert not answers, f"{scenario.name}: answers left over: {answers}"
            return node_id
        if kind == "question":
            label = answers.pop(0)
            button = answer_button(page, label)
            target = next(a.next for a in node.answers if " ".join(a.label.split()).casefold()
                          == " ".join(label.split()).casefold())
        else:
            button = page.locator(".fa-guide__done")
            target = node.next or ""
        before = page.locator(".fa-guide__count").inner_text()
        resolved = resolve(corpus, tree, target)
        assert resolved is not None
        if resolved.external:
            with page.expect_navigation():
                button.click()
            assert urlsplit(page.url).path.endswith(f"/fak/{resolved.tree}.html")
            page.locator(CARD).wait_for()
            return f"{resolved.tree}#{current(page)[0]}"
        button.click()
        page.wait_for_function("b => document.querySelector('.fa-guide__count').textContent !== b", arg=before)
    raise AssertionError("the walk did not end")


def scenarios(name: str) -> list[tuple[str, str, int]]:
    corpus, _ = load_corpus(str(TREES[name]))
    return [(name, t.id, i) for t in corpus.trees for i, _ in enumerate(t.scenarios)]


@pytest.mark.parametrize("site_fixture", sorted(TREES))
def test_every_scenario_walked_by_clicking_reaches_its_expected_outcome(site_fixture: str, request,
                                                                      browser_context_factory) -> None:
    site: Path = request.getfixturevalue(site_fixture)
    corpus, _ = load_corpus(str(TREES[site_fixture]))
    page = browser_context_factory().new_page()
    walked = 0
    for tree in corpus.trees:
        for scenario in tree.scenarios:
            reached = walk_by_clicking(page, site, corpus, tree, scenario)
            assert reached == scenario.expect, f"{tree.id}: {scenario.name}"
            walked += 1
            end = tree.node(reached)
            if end is not None and end.outcome == "continue":
                assert_continue_keeps_the_path(page, corpus, tree, end.next or "")
    assert walked == sum(len(t.scenarios) for t in corpus.trees) > 0


def assert_continue_keeps_the_path(page, corpus: Corpus, tree: Tree, target: str) -> None:
    """The continue link leads into the other tree at the right node, with this tree's path carried along."""
    resolved = resolve(corpus, tree, target)
    assert resolved is not None and resolved.external
    link = page.locator(".fa-guide__continue")
    href = link.get_attribute("href") or ""
    parts = urlsplit(href)
    assert parts.path == f"{resolved.tree}.html" and unquote(parts.fragment) == resolved.node
    assert tree.id in parse_qs(parts.query)["elozo"][0]
    with page.expect_navigation():
        link.click()
    assert current(page)[0] == resolved.node
    assert tree.title in page.locator(".fa-guide__path").inner_text()


def test_an_answer_can_be_changed_and_the_rest_is_dropped(fixture_site: Path, browser_context_factory) -> None:
    page = browser_context_factory().new_page()
    open_guided(page, fixture_site, "pin")
    answer_button(page, "K0506").click()
    answer_button(page, "Nem").click()
    assert current(page) == ("kormanyhivatal", "outcome")
    assert page.locator(".fa-guide__path li").count() == 2
    page.locator(".fa-guide__path button.fa-guide__change").first.click()
    assert current(page) == ("zarolt", "question")
    assert page.locator(".fa-guide__path").count() == 0
    answer_button(page, "K0517(-116)").click()
    assert current(page) == ("puk", "step")
    assert "K0506" not in page.locator(".fa-guide__path").inner_text()


def test_back_and_restart_buttons(fixture_site: Path, browser_context_factory) -> None:
    page = browser_context_factory().new_page()
    open_guided(page, fixture_site, "pin")
    assert page.locator(".fa-guide__back").is_disabled()
    answer_button(page, "K0517(-116)").click()
    page.click(".fa-guide__done")
    assert current(page) == ("sikerult", "question")
    page.click(".fa-guide__back")
    assert current(page) == ("puk", "step")
    page.click(".fa-guide__restart")
    assert current(page) == ("zarolt", "question")
    assert urlsplit(page.url).query == "ut="


def test_reload_copied_address_back_and_forward_keep_the_place(fixture_site: Path, browser_context_factory) -> None:
    context = browser_context_factory()
    page = context.new_page()
    open_guided(page, fixture_site, "pin")
    answer_button(page, "K0517(-116)").click()
    page.click(".fa-guide__done")
    assert current(page) == ("sikerult", "question")
    address = page.url
    assert urlsplit(address).fragment == "sikerult" and "ut=K0517(-116)" in unquote(address)
    page.reload()
    assert current(page) == ("sikerult", "question")
    assert page.locator(".fa-guide__path li").count() == 2
    other = context.new_page()
    other.goto(address)
    assert current(other) == ("sikerult", "question")
    assert other.locator(".fa-guide__path").inner_text() == page.locator(".fa-guide__path").inner_text()
    page.go_back()
    assert current(page) == ("puk", "step")
    page.go_back()
    assert current(page) == ("zarolt", "question")
    page.go_forward()
    assert current(page) == ("puk", "step")
    page.go_forward()
    assert current(page) == ("sikerult", "question")


def test_the_current_node_is_marked_in_the_flowchart(fixture_site: Path, browser_context_factory) -> None:
    page = browser_context_factory().new_page()
    open_guided(page, fixture_site, "pin")
    answer_button(page, "K0506").click()
    assert "fa-aktualis" in (page.get_attribute("#fc-pin-n-aktivalas", "class") or "")
    assert "fa-bejart" in (page.get_attribute("#fc-pin-n-zarolt", "class") or "")
    assert page.locator(".fc-chart .fa-aktualis").count() == 1
    assert page.get_attribute("#fc-pin-n-aktivalas a", "aria-current") == "step"
    width = page.evaluate("getComputedStyle(document.querySelector('#fc-pin-n-aktivalas polygon')).strokeWidth")
    assert float(width.rstrip("px")) >= 4


def test_keyboard_alone_focus_moves_to_the_new_step_and_it_is_announced(fixture_site: Path,
                                                                         browser_context_factory) -> None:
    page = browser_context_factory().new_page()
    page.goto((fixture_site / "fak" / "pin.html").as_uri())
    page.focus(".fa-guide__begin")
    page.keyboard.press("Enter")
    page.locator(CARD).wait_for()
    assert page.evaluate("document.activeElement.id") == "fa-guide-aktualis"
    for _ in range(10):  # from the heading, Tab reaches the answers
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('fa-guide__answer')"):
            break
    assert page.evaluate("document.activeElement.textContent") == "K0517(-116)"
    outline = page.evaluate("(() => { const s = getComputedStyle(document.activeElement);"
                            " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()")
    assert outline[0] != "none" and outline[1] >= 2, "focus must be visible"
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('.fa-guide__card').dataset.node === 'puk'")
    assert page.evaluate("document.activeElement.id") == "fa-guide-aktualis"
    assert "Oldja fel a PIN-kódot" in page.inner_text("[role=status][aria-live=polite]")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    while not page.evaluate("document.activeElement.classList.contains('fa-guide__done')"):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('.fa-guide__card').dataset.node === 'sikerult'")
    assert "2. lépés" in page.inner_text("[role=status][aria-live=polite]") or \
        "3. lépés" in page.inner_text("[role=status][aria-live=polite]")


def test_the_summary_says_everything_and_whom_to_send_it_to(fixture_site: Path, browser_context_factory) -> None:
    context = browser_context_factory()
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    open_guided(page, fixture_site, "pin")
    answer_button(page, "K0506").click()
    answer_button(page, "Nem").click()
    page.click(".fa-guide__card .fa-guide__copy")
    page.locator(".fa-guide__copied").wait_for()
    assert "vágólapra" in page.inner_text(".fa-guide__copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    for line in ["Útmutató: PIN-kód zárolva", "1. Milyen hibakódot lát? – K0506",
                 "2. Zöld pipa látszik a 3. pont mellett? – Nem",
                 "Eredmény: Továbbküldés – Forduljon a kormányhivatalhoz.", "Küldje el ide: Kormányhivatal (személyesen)",
                 "Kihez forduljon: Kormányhivatal", "Hogyan: személyesen", "Mit írjon meg: az eSzemélyi igazolvány; a hibakód",
                 "Hibakód: K0506", f"Oldal: {page.url}"]:
        assert line in copied.splitlines(), line
    assert any(line.startswith("Dátum: 20") for line in copied.splitlines())
    assert "K0517" not in copied  # only the code the clerk chose, not every code the question handles


def test_solved_outcome_is_shown_as_solved(fixture_site: Path, browser_context_factory) -> None:
    page = browser_context_factory().new_page()
    open_guided(page, fixture_site, "pin")
    answer_button(page, "K0517(-116)").click()
    page.click(".fa-guide__done")
    answer_button(page, "Igen").click()
    assert page.get_attribute(CARD, "data-outcome") == "solved"
    assert page.inner_text(".fa-guide__banner").startswith("Megoldva")
    assert "Küldje el ide" not in page.inner_text(".fa-guide__summarytext")


def test_without_javascript_the_page_is_as_before(fixture_site: Path, browser_context_factory) -> None:
    page = browser_context_factory(java_script_enabled=False).new_page()
    page.goto((fixture_site / "fak" / "pin.html").as_uri() + "?ut=K0506#aktivalas")
    assert page.locator(".fa-guide").is_hidden()
    assert page.locator("section.fa-node").count() == 7
    assert all(s.is_visible() for s in page.locator("section.fa-node").all())
    assert page.evaluate("document.getElementById('aktivalas').getBoundingClientRect().top") < 200
    page.click("section[data-node=zarolt] a.fa-answer >> text=K0506")
    assert urlsplit(page.url).fragment == "aktivalas"


def test_a_plain_anchor_does_not_start_guided_mode(fixture_site: Path, browser_context_factory) -> None:
    page = browser_context_factory().new_page()
    page.goto((fixture_site / "fak" / "pin.html").as_uri() + "#kormanyhivatal")
    assert page.locator(".fa-guide__begin").is_visible()
    assert page.locator("section[data-node=kormanyhivatal]").is_visible()


def test_a_flowchart_click_in_guided_mode_shows_that_step_on_the_full_page(fixture_site: Path,
                                                                           browser_context_factory) -> None:
    page = browser_context_factory().new_page()
    open_guided(page, fixture_site, "pin")
    page.click("#fc-pin-n-megoldva a")
    assert page.locator(".fa-guide__begin").is_visible()
    assert page.locator("section[data-node=megoldva]").is_visible()
    assert urlsplit(page.url).query == "" and urlsplit(page.url).fragment == "megoldva"


def test_the_flowchart_opens_full_size_zooms_and_closes(fixture_site: Path, browser_context_factory) -> None:
    page = browser_context_factory().new_page()
    page.goto((fixture_site / "fak" / "pin.html").as_uri())
    page.click(".fa-zoom__open")
    dialog = page.locator("dialog.fa-zoom")
    assert dialog.is_visible()
    assert page.locator("dialog.fa-zoom svg").count() == 1 and page.locator(".fa-chart-figure svg").count() == 0
    before = page.locator("dialog.fa-zoom svg").bounding_box()["width"]
    page.click("dialog.fa-zoom button[aria-label=Nagyítás]")
    page.click("dialog.fa-zoom button[aria-label=Nagyítás]")
    assert page.locator("dialog.fa-zoom svg").bounding_box()["width"] > before * 1.5
    stage = page.locator(".fa-zoom__stage")
    assert stage.evaluate("s => s.scrollWidth > s.clientWidth")  # larger than the screen: it pans
    stage.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector('.fa-zoom__stage').scrollLeft > 0")
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    page.locator(".fa-chart-figure .fc-chart svg").wait_for()  # moved back when the dialog's close event runs
    assert page.evaluate("document.activeElement.classList.contains('fa-zoom__open')")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 360])
def test_guided_mode_fits_the_screen_screenshots(real_site: Path, browser_context_factory, tmp_path_factory,
                                                 width: int, scheme: str) -> None:
    """At 360 px nothing runs off the side and the answers are large; screenshots kept for a human to look at."""
    context = browser_context_factory(viewport={"width": width, "height": 800}, color_scheme=scheme)
    page = context.new_page()
    page.goto((real_site / "fak" / "pin-puk.html").as_uri())
    page.click(".fa-guide__begin")
    page.locator(".fa-guide__answers .fa-guide__answer").first.click()
    page.wait_for_function("document.querySelector('.fa-guide__path')")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    heights = [b.bounding_box()["height"] for b in page.locator(".fa-guide__answers .fa-guide__answer").all()]
    assert heights and min(heights) >= 44
    expected_scheme = "slate" if scheme == "dark" else "default"
    assert page.get_attribute("body", "data-md-color-scheme") == expected_scheme
    out = Path(os.environ.get("FA_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / f"guided-{width}-{scheme}.png"))
