"""axe-core (from npm, test-only) finds no WCAG 2.1 A/AA violation on every page type, from file://, in both
colour schemes: home, tree page (plain, guided at a question, a step and an outcome), code page, code index,
glossary, and with the lookup suggestions and the full-size flowchart open."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..conftest import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# (name, page in the real site, clicks after loading)
VIEWS = [
    ("home", "index.html", []),
    ("home, suggestions open", "index.html", ["#fa-kk-home", "type:k05"]),
    ("tree page", "fak/pin-puk.html", []),
    ("tree page, guided, question", "fak/pin-puk.html", [".fa-guide__begin"]),
    ("tree page, guided, step", "fak/pin-puk.html", [".fa-guide__begin", ".fa-guide__answers .fa-guide__answer >> nth=0",
                                                     ".fa-guide__answers .fa-guide__answer >> nth=1"]),
    ("tree page, guided, outcome", "fak/k0517.html?ut=", []),
    ("tree page, full-size chart", "fak/pin-puk.html", [".fa-zoom__open"]),
    ("code page", "kodok/k0517-116.html", []),
    ("code index", "kodok/index.html", []),
    ("glossary", "glosszarium.html", []),
]


def axe_violations(page) -> list[dict]:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make node-deps` (npm ci)")
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async tags => {
        const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))}));
    }""", TAGS)


def reach_an_outcome(page) -> None:
    """Answer the first answer until an outcome is on screen (steps: Kész, tovább)."""
    for _ in range(60):
        if page.get_attribute(".fa-guide__card", "data-kind") == "outcome":
            return
        before = page.inner_text(".fa-guide__count")
        page.locator(".fa-guide__card .fa-guide__answer").first.click()
        page.wait_for_function("b => document.querySelector('.fa-guide__count').textContent !== b", arg=before)
    raise AssertionError("no outcome reached")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name, path, actions", VIEWS, ids=[v[0] for v in VIEWS])
def test_no_wcag_violations(real_site: Path, browser_context_factory, name: str, path: str, actions: list[str],
                            scheme: str) -> None:
    page = browser_context_factory(color_scheme=scheme).new_page()
    file, _, query = path.partition("?")
    page.goto((real_site / file).as_uri() + (f"?{query}" if query else ""))
    for action in actions:
        if action.startswith("type:"):
            page.keyboard.type(action[5:])
        else:
            page.click(action)
    if name.endswith("outcome"):
        reach_an_outcome(page)
        page.click(".fa-guide__preview summary")
    assert page.get_attribute("body", "data-md-color-scheme") == ("slate" if scheme == "dark" else "default")
    violations = axe_violations(page)
    assert not violations, json.dumps(violations, ensure_ascii=False, indent=1)


def test_axe_is_real_and_catches_a_violation(real_site: Path, browser_context_factory) -> None:
    """The harness can fail: an image without alternative text is reported."""
    page = browser_context_factory().new_page()
    page.goto((real_site / "index.html").as_uri())
    page.evaluate("document.querySelector('article').appendChild(document.createElement('img')).src = 'x.png'")
    assert "image-alt" in [v["id"] for v in axe_violations(page)]


def test_the_fixture_site_pages_too(fixture_site: Path, browser_context_factory) -> None:
    page = browser_context_factory().new_page()
    for path in ["index.html", "fak/pin.html", "kodok/k0517-116.html", "kodok/index.html"]:
        page.goto((fixture_site / path).as_uri())
        violations = axe_violations(page)
        assert not violations, (path, json.dumps(violations, ensure_ascii=False, indent=1))


def _luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_flowchart_text_keeps_contrast_as_drawn_in_the_browser(real_site: Path, browser_context_factory,
                                                               scheme: str) -> None:
    """Every node's text against its own shape, as the browser paints them (guided marks included)."""
    page = browser_context_factory(color_scheme=scheme).new_page()
    page.goto((real_site / "fak" / "belepes.html").as_uri())
    page.click(".fa-guide__begin")
    pairs = page.evaluate("""() => Array.from(document.querySelectorAll('.fa-chart-figure .fc-node')).map(g => {
        const shape = g.querySelector('polygon, path, ellipse'), text = g.querySelector('text');
        return [g.id, getComputedStyle(text).fill, getComputedStyle(shape).fill];
    })""")
    assert len(pairs) > 5
    for node, text, fill in pairs:
        light, dark = sorted([_luminance(text), _luminance(fill)], reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, (node, text, fill)
