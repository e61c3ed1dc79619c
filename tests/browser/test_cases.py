"""Five real cases walked as a clerk would: from "Nem tudok belépni", in guided mode, across trees, to the fix.

Screenshots of each outcome go to $CASE_SHOTS when set (for a person to look at), else to a temp folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ASP = "Az ASP rendszerbe (asp.lgov.hu)"
CASES = {
    "k0517-116-osszerendeleskor": (
        [ASP, "K0517, utána zárójelben egy szám", "K0517 (-116)", "Igen"], ("pin-puk", "megoldva")),
    "k0300-bale-eszkozzel": (
        [ASP, "K0300", "BALE eszközzel", "Igen", "Igen"], ("bale-tanusitvany", "megoldva")),
    "k0505-tenant-adminkent": (
        [ASP, "K0505", "Igen, és a saját összerendelésem hiányzik"], ("ideiglenes-engedely", "engedely-kerese")),
    "elveszett-torlokod": (
        ["Az Ügyfélkapu+ rendszerbe", "Nem mentettem el a törlőkódot"], ("ugyfelkapu", "torlokod-kesz")),
    "tuzfal-proxy": (
        [ASP, "Nincs se kód, se üzenet", "Tűzfal és proxy nélkül működik, a belső hálózatból nem"],
        ("kliens-halozat", "portok")),
}


def _card(page) -> tuple[str, str, str | None]:
    card = page.locator(".fa-guide__card")
    card.wait_for()
    return card.get_attribute("data-node") or "", card.get_attribute("data-kind") or "", card.get_attribute("data-outcome")


def _walk(page, labels: list[str]) -> tuple[str, str]:
    """Answer with `labels` in order; pass steps with "Kész, tovább"; follow continue outcomes; stop at the end."""
    labels = list(labels)
    for _ in range(200):
        node, kind, outcome = _card(page)
        count = page.locator(".fa-guide__count").inner_text()
        if kind == "outcome" and outcome == "continue":
            with page.expect_navigation():
                page.locator(".fa-guide__continue").first.click()
            continue
        if kind == "outcome" or (kind == "question" and not labels):
            return page.url.split("/fak/")[1].split(".html")[0], node
        if kind == "question":
            page.locator(".fa-guide__answers .fa-guide__answer").filter(has_text=labels.pop(0)).first.click()
        else:
            page.locator(".fa-guide__done").click()
        if "/fak/" in page.url and page.locator(".fa-guide__count").count():
            page.wait_for_function("b => document.querySelector('.fa-guide__count')?.textContent !== b", arg=count)
    raise AssertionError("the walk did not end")


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_clerk_reaches_the_fix_from_the_entry_tree(real_site: Path, browser_context_factory, tmp_path: Path,
                                                     case: str) -> None:
    labels, expected = CASES[case]
    context = browser_context_factory(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto((real_site / "fak" / "belepes.html").as_uri())
    page.click(".fa-guide__begin")
    assert _walk(page, labels) == expected
    shots = Path(os.environ.get("CASE_SHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{case}.png"), full_page=False)
    page.close()
