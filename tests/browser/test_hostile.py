"""Hostile text (tests/fixtures/hostile) built into a real site: shown literally everywhere, run nowhere.

The built HTML holds no script or event handler the theme did not put there; every text field
appears literally in the page text, in the flowchart's SVG text and in the search index (the chart
not indexed twice); in Chromium from file:// no dialog opens, even when every element gets mouse and
focus events, when the search lists the hostile text and when guided mode walks it; and no request
leaves the site.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.codes import normalise
from generator.load import load_corpus
from generator.lookup import fold, lookup_table
from generator.model import Corpus, Tree
from generator.pages.links import code_src, src_to_url, tree_src
from generator.pages.tree_page import cite
from generator.pdf import tree_pdf_path
from generator.text import lines

from ..conftest import FIXTURES, ROOT, build, built_site

HOSTILE_SITE = FIXTURES / "hostile-site"
SITE_NAME = "Ellenséges tartalom"
# Literal raw HTML and odd text from the Markdown fields, by page: each must be shown as text.
MARKDOWN_LITERALS = {
    "fak/tamadas.html": [
        "<script>alert('summary')</script>", "<img src=x onerror=alert('summary-img')>",
        "<a href=x onmouseover=alert('a')>ide</a>", "<object data=\"javascript:alert('object')\"></object>",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert('meta')\">", "<b> & \"x\" 'y' \\N",
        "\\\\szerver\\megosztas C:\\Users\\*.txt &amp; &lt;b&gt; { } | # 🔑 ő", "<script>alert('details')</script>",
        "<img src=x onerror=alert('details-img')> \\N \\G \\L \\E \\T \\H {x|y} #fejléc", "--8<-- \"README.md\"",
        "<kód blokk> & \"idézet\" \\N"],
    "fak/masik.html": ["A másik fa <code> &amp; \\N."],
    "kodok/k0517-116.html": ["<img src=x onerror=alert('meaning')>", "<b> & </b>",
                             "<iframe srcdoc=\"<script>alert('todo')</script>\"></iframe> \\\\szerver\\megosztas"],
    "kodok/hiba-b-x-b-y-n.html": ["<svg onload=alert('message')></svg>"],
    "kodok/kapcsolodasi-hiba-x-label-o-svg.html": [
        "<style>body{display:none}</style>", "<form action=\"javascript:alert('form')\"><button>OK</button></form>"],
}
# Elements that only the theme may bring, never our content.
FOREIGN = {"script", "iframe", "object", "embed", "form", "style", "meta", "link", "img", "base", "input", "button"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def one_line(text: str) -> str:
    return " ".join(text.split())


def squash(text: str) -> str:
    return "".join(text.split())


class Page(HTMLParser):
    """What a browser makes of one built page: scripts, event-handler attributes, the article's text and
    tags, and the chart's text. The head's <title> is RCDATA (a browser reads it up to `</title`)."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        m = re.search(r"<title>(.*?)</title", source, re.IGNORECASE | re.DOTALL)
        self.title = html.unescape(m.group(1)) if m else ""
        self.scripts: list[tuple[str, str]] = []
        self.handlers: list[tuple[str, str, str]] = []
        self.article_tags: list[str] = []
        self._article = self._svg = 0
        self._script: list[str] | None = None
        self._text: list[str] = []
        self._chart: list[str] = []
        self.feed(source[:m.start()] + "<title></title" + source[m.end():] if m else source)
        self.close()

    @property
    def text(self) -> str:
        return one_line("".join(self._text))

    @property
    def chart(self) -> str:
        return "".join(self._chart)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.handlers += [(tag, k, v or "") for k, v in attrs if k.lower().startswith("on")]
        if tag == "script":
            if a.get("src"):
                self.scripts.append(("src", a["src"] or ""))
            else:
                self._script = []
        if self._article:
            self.article_tags.append(tag)
            self._article += tag not in VOID
        elif tag == "article":
            self._article = 1
        if tag == "svg" or self._svg:
            self._svg += 1
        if tag == "br" and self._article and not self._svg:
            self._text.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append(("inline", "".join(self._script)))
            self._script = None
        if self._svg:
            self._svg -= 1
        if self._article:
            self._article -= 1

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)
        elif self._svg and self._article:
            self._chart.append(data)
        elif self._article:
            self._text.append(data)


def pages_of(site: Path) -> dict[str, Page]:
    return {p.relative_to(site).as_posix(): Page(p.read_text("utf-8")) for p in sorted(site.rglob("*.html"))}


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_site(tmp_path_factory, "hostile-site", HOSTILE_SITE / "mkdocs.yml")


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    loaded, problems = load_corpus(str(FIXTURES / "hostile"))
    assert [p for p in problems if p.severity == "error"] == []
    return loaded


def tree_fields(corpus: Corpus, tree: Tree) -> list[str]:
    """Every plain-text field a tree page shows."""
    system = next(s for s in corpus.project.systems if s.id == tree.system)
    fields = [tree.title, system.title, *tree.audience, *([tree.owner] if tree.owner else [])]
    fields += [r.title for r in tree.references] + [r.chapter for r in tree.references if r.chapter]
    for node in tree.nodes:
        fields += [node.text, *node.steps, *(a.label for a in node.answers), *(normalise(c) for c in node.codes)]
        fields += [cite(corpus, s) for s in node.sources]
        if node.contact:
            fields += [node.contact.who, node.contact.channel, *node.contact.include]
    return fields


def chart_labels(corpus: Corpus, tree: Tree) -> list[str]:
    """Every text the flowchart of `tree` draws from YAML: node texts, answer labels, other trees' titles."""
    labels = [n.text for n in tree.nodes] + [a.label for n in tree.nodes for a in n.answers]
    others = {t.split("#")[0] for n in tree.nodes for t, _ in n.targets()} - {n.id for n in tree.nodes} - {tree.id}
    return labels + [other.title for other in corpus.trees if other.id in others]


# --- the built HTML ----------------------------------------------------------------------------------

def test_no_script_or_handler_but_the_themes(hostile_site: Path, fixture_site: Path) -> None:
    theirs = pages_of(fixture_site)
    allowed_scripts = {s for page in theirs.values() for s in page.scripts}
    allowed_handlers = {h for page in theirs.values() for h in page.handlers}
    ours = pages_of(hostile_site)
    assert {"fak/tamadas.html", "fak/masik.html", "jelentes.html", "kodok/hiba-b-x-b-y-n.html"} <= set(ours)
    for name, page in ours.items():
        assert page.scripts and set(page.scripts) <= allowed_scripts, name
        assert set(page.handlers) <= allowed_handlers, (name, page.handlers)
        assert not FOREIGN & set(page.article_tags), (name, FOREIGN & set(page.article_tags))
        assert "Hibaelhárítási fák — troubleshooting trees" not in page.text  # a `--8<--` snippet did not fire


def test_every_plain_field_appears_literally(hostile_site: Path, corpus: Corpus) -> None:
    pages = pages_of(hostile_site)
    for tree in corpus.trees:
        page = pages[src_to_url(tree_src(tree.id))]
        assert page.title == f"{tree.title} - {SITE_NAME}"
        for field in tree_fields(corpus, tree):
            assert one_line(field) in page.text, field
    for entry in corpus.codes:
        page = pages[src_to_url(code_src(entry.code))]
        for field in [normalise(entry.code), entry.title, *entry.aliases]:
            assert one_line(field) in page.text, field
    home = pages["index.html"]
    for field in [s.title for s in corpus.project.systems] + [s.description for s in corpus.project.systems]:
        assert one_line(field) in home.text
    report = pages["jelentes.html"]
    for field in [t.title for t in corpus.trees] + [t.owner for t in corpus.trees if t.owner]:
        assert one_line(field) in report.text


def test_markdown_fields_show_raw_html_as_text(hostile_site: Path) -> None:
    pages = pages_of(hostile_site)
    for name, literals in MARKDOWN_LITERALS.items():
        for literal in literals:
            assert one_line(literal) in pages[name].text, (name, literal)


def test_the_chart_draws_every_label_literally(hostile_site: Path, corpus: Corpus) -> None:
    pages = pages_of(hostile_site)
    for tree in corpus.trees:
        chart = squash(pages[src_to_url(tree_src(tree.id))].chart)
        for label in chart_labels(corpus, tree):
            assert squash(label) in chart, label


def search_index(site: Path) -> list[dict[str, str]]:
    """The index the offline site uses (search/search_index.js), each entry's title and text as plain text."""
    source = (site / "search" / "search_index.js").read_text("utf-8")
    data = json.loads(source[source.index("{"):source.rindex("}") + 1])
    plain = lambda markup: one_line(html.unescape(re.sub(r"<[^>]*>", " ", markup)))  # noqa: E731
    return [{"location": d["location"], "text": plain(d["title"]) + " " + plain(d["text"])} for d in data["docs"]]


def test_the_search_index_holds_the_text_once_and_not_the_chart(hostile_site: Path, corpus: Corpus) -> None:
    index = search_index(hostile_site)
    pages = pages_of(hostile_site)
    assert not any("Jelmagyarázat" in d["text"] for d in index)  # the chart's legend: only in the SVG
    assert not any(d["location"].startswith("jelentes.html") for d in index)
    for tree in corpus.trees:
        url = src_to_url(tree_src(tree.id))
        indexed = " ".join(d["text"] for d in index if d["location"].split("#")[0] == url)
        for field in tree_fields(corpus, tree):
            assert one_line(field) in indexed, field
        for node in tree.nodes:  # as often as the page text shows it: the chart adds nothing
            assert indexed.count(one_line(node.text)) == pages[url].text.count(one_line(node.text)), node.text


def without_pictographs(text: str) -> str:
    """`text` less emoji (symbols, joiners, variation selectors): pdftotext cannot read colour glyphs back."""
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("So", "Cf", "Mn") or ch == "\u030b")


def test_the_pdfs_print_every_field_literally(hostile_site: Path, corpus: Corpus) -> None:
    for tree in corpus.trees:
        done = subprocess.run(["pdftotext", str(hostile_site / tree_pdf_path(tree.id)), "-"], capture_output=True,
                              text=True, check=True, timeout=120)
        printed = squash(without_pictographs(done.stdout))
        system = next(s.title for s in corpus.project.systems if s.id == tree.system)
        references = [r.title for r in tree.references] + [r.chapter or "" for r in tree.references]
        shown = [f for f in tree_fields(corpus, tree) if f != system and f not in references]  # the PDF omits these
        for field in shown + chart_labels(corpus, tree):
            assert squash(without_pictographs(field)) in printed, field


# --- in Chromium -------------------------------------------------------------------------------------

PROBE = """() => {
  const names = ['mouseover', 'mouseenter', 'mousedown', 'mouseup', 'focus', 'focusin', 'animationstart', 'load', 'error'];
  for (const el of document.querySelectorAll('body *')) {
    for (const name of names) el.dispatchEvent(new Event(name, {bubbles: true}));
  }
  return document.querySelectorAll('article script, article iframe, article object, article img, article [onerror]').length;
}"""


def open_site(browser_context_factory, site: Path):
    """A page that records dialogs and every request; requests outside the site are aborted."""
    context = browser_context_factory()
    requests: list[str] = []
    dialogs: list[str] = []

    def route(r) -> None:
        requests.append(r.request.url)
        if r.request.url.startswith(site.as_uri() + "/"):
            r.continue_()
        else:
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    return page, requests, dialogs


def test_no_dialog_and_no_request_off_the_site(hostile_site: Path, browser_context_factory) -> None:
    page, requests, dialogs = open_site(browser_context_factory, hostile_site)
    # 404.html links its assets from the server root (MkDocs serves it for any path): not a file:// page.
    for path in sorted(p for p in hostile_site.rglob("*.html") if p.name != "404.html"):
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        assert page.evaluate(PROBE) == 0, path
    tree_page = (hostile_site / "fak" / "tamadas.html").as_uri()
    page.goto(tree_page)
    assert page.title() == page.evaluate("document.querySelector('article h1').textContent") + f" - {SITE_NAME}"
    assert dialogs == []
    assert requests and all(url.startswith(hostile_site.as_uri() + "/") for url in requests), \
        [u for u in requests if not u.startswith(hostile_site.as_uri())]


def test_search_lists_hostile_text_as_text(hostile_site: Path, browser_context_factory) -> None:
    page, requests, dialogs = open_site(browser_context_factory, hostile_site)
    page.goto((hostile_site / "index.html").as_uri())
    box = page.locator("[data-md-component=search-query]")
    box.click()
    box.fill("alert")  # at once, then a keyup for Material's search: typed, a prefix's results could be read
    box.press("End")
    page.locator(".md-search-result__item").first.wait_for(timeout=15_000)
    results = page.inner_text(".md-search-result")
    assert "<script>alert(" in results
    assert page.locator(".md-search-result script, .md-search-result img, .md-search-result iframe").count() == 0
    page.evaluate(PROBE)
    assert dialogs == []
    assert all(url.startswith(hostile_site.as_uri() + "/") for url in requests)


def test_guided_mode_walks_hostile_text_literally(hostile_site: Path, browser_context_factory, corpus: Corpus) -> None:
    tree = corpus.tree("tamadas")
    assert tree is not None
    question, step, outcome = (tree.node(n) for n in ("kerdes", "lepes", "eszkalal"))
    assert question and step and outcome and step.next == "eszkalal"
    page, requests, dialogs = open_site(browser_context_factory, hostile_site)
    page.goto((hostile_site / "fak" / "tamadas.html").as_uri())
    page.click(".fa-guide__begin")
    card = page.locator(".fa-guide__card")
    card.wait_for()
    assert one_line(question.text) in one_line(card.inner_text())
    label = question.answers[0].label
    page.locator(".fa-guide__answers .fa-guide__answer").first.click()
    page.wait_for_function("() => document.querySelector('.fa-guide__card').dataset.node === 'lepes'")
    page.locator(".fa-guide__done").click()
    page.wait_for_function("() => document.querySelector('.fa-guide__card').dataset.node === 'eszkalal'")
    summary = page.locator(".fa-guide__summarytext").text_content() or ""
    for text in [tree.title, question.text, label, outcome.text, outcome.contact.who if outcome.contact else ""]:
        assert one_line(text) in one_line(summary), text
    page.evaluate(PROBE)
    assert dialogs == []
    assert all(url.startswith(hostile_site.as_uri() + "/") for url in requests)


# --- line breaks typed in plain-text fields ----------------------------------------------------------

RECTS = "els => els.map(e => Array.from(e.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)))"


def test_typed_line_breaks_show_on_the_page_in_the_chart_and_in_guided_mode(
        hostile_site: Path, browser_context_factory, corpus: Corpus) -> None:
    """A question, an answer, a step, an outcome and a contact typed on several lines show on several lines:
    in the node's section, in the flowchart, in guided mode and in the summary to copy (continuation lines
    indented under their item)."""
    masik, tamadas = corpus.tree("masik"), corpus.tree("tamadas")
    assert masik and tamadas
    question, step, outcome = masik.node("kezd"), tamadas.node("lepes"), tamadas.node("eszkalal")
    assert question and step and outcome and outcome.contact and len(lines(question.text)) == 6
    assert lines(question.answers[0].label) == ["Igen,", "két sorban"]
    page, requests, dialogs = open_site(browser_context_factory, hostile_site)
    page.goto((hostile_site / "fak" / "masik.html").as_uri())
    section = page.locator("section[data-node=kezd]")
    assert section.locator("h2").inner_text() == "Kérdés: " + "\n".join(lines(question.text))
    # Laid out on two lines: the two-line answer has two boxes one above the other, a one-line answer one.
    two, one = section.locator("a.fa-answer").evaluate_all(RECTS)
    assert len(two) == 2 and two[1] > two[0] and len(one) == 1
    # The flowchart: every typed line that fits a line of the drawing is one drawn line.
    drawn = page.locator(".fa-chart-figure [id$=n-kezd] text").all_text_contents()
    assert {"# behúzott harmadik sor", "*[PIN]: nem rövidítés", "az üres sor után"} <= set(drawn), drawn
    edge = [t for t in page.locator(".fa-chart-figure .fc-edge text").all_text_contents() if t in ("Igen,", "két sorban")]
    assert edge == ["Igen,", "két sorban"]
    # Guided mode: the question and its answer button on several lines, and the summary.
    page.click(".fa-guide__begin")
    page.locator(".fa-guide__card").wait_for()
    assert page.locator(".fa-guide__title").inner_text() == "Kérdés: " + "\n".join(lines(question.text))
    assert page.locator(".fa-guide__answers .fa-guide__answer").first.inner_text() == "Igen,\nkét sorban"
    page.locator(".fa-guide__answers .fa-guide__answer").first.click()
    page.wait_for_function("() => document.querySelector('.fa-guide__card').dataset.node === 'kesz'")
    assert page.locator(".fa-guide__path .fa-guide__a").first.inner_text() == "Igen,\nkét sorban"
    summary = page.locator(".fa-guide__summarytext").text_content() or ""
    first, *rest = lines(question.text)
    assert ("\n1. " + first + "\n" + "\n".join("   " + line if line else "" for line in rest)
            + " – Igen,\n   két sorban\n") in summary, summary
    # The step, the outcome and the contact of the other tree, on the way to its escalation.
    page.goto((hostile_site / "fak" / "tamadas.html").as_uri())
    assert page.locator("section[data-node=eszkalal] .fa-contact p").first.inner_text() == \
        "Kihez forduljon: " + "\n".join(lines(outcome.contact.who))
    page.click(".fa-guide__begin")
    page.locator(".fa-guide__answers .fa-guide__answer").first.click()
    page.wait_for_function("() => document.querySelector('.fa-guide__card').dataset.node === 'lepes'")
    assert page.locator(".fa-guide__title").inner_text() == "Teendő: " + "\n".join(lines(step.text))
    page.locator(".fa-guide__done").click()
    page.wait_for_function("() => document.querySelector('.fa-guide__card').dataset.node === 'eszkalal'")
    summary = page.locator(".fa-guide__summarytext").text_content() or ""
    assert "\n2. Teendő: " + "\n   ".join(lines(step.text)) + " – elvégezve\n" in summary, summary
    assert "\nEredmény: Továbbküldés – " + "\n   ".join(lines(outcome.text)) + "\n" in summary
    assert "\nKihez forduljon: " + "\n   ".join(lines(outcome.contact.who)) + "\n" in summary
    assert dialogs == [] and all(url.startswith(hostile_site.as_uri() + "/") for url in requests)


def test_typed_line_breaks_stay_in_the_pdf_text_and_glue_no_words_in_search(hostile_site: Path) -> None:
    done = subprocess.run(["pdftotext", str(hostile_site / tree_pdf_path("masik")), "-"],
                          capture_output=True, text=True, check=True, timeout=120)
    printed = done.stdout[done.stdout.index("Lépések"):].splitlines()  # the text pages, after the sheet
    assert "# behúzott harmadik sor" in printed and "*[PIN]: nem rövidítés" in printed
    assert "• Igen," in printed and any(line.startswith("két sorban → ") for line in printed)
    indexed = " ".join(d["text"] for d in search_index(hostile_site) if d["location"] == "fak/masik.html#kezd")
    assert "nem rövidítés </section></h2>" in indexed and "Igen, két sorban →" in indexed  # words of two lines apart


def jump(page, site: Path, spelling: str) -> str:
    """Type `spelling` into the header's code lookup box on the home page and press Enter; the page landed on."""
    page.goto((site / "index.html").as_uri())
    page.fill("#fa-kk-header", spelling)
    with page.expect_navigation():
        page.press("#fa-kk-header", "Enter")
    return page.url.split("#")[0]


def test_the_code_lookup_finds_hostile_codes(hostile_site: Path, browser_context_factory, corpus: Corpus) -> None:
    page, requests, dialogs = open_site(browser_context_factory, hostile_site)
    typed = [(spelling, e) for e in corpus.codes for spelling in (e.code, *e.aliases)]
    for spelling, entry in typed:
        assert jump(page, hostile_site, spelling) == (hostile_site / src_to_url(code_src(entry.code))).as_uri(), spelling
    page.goto((hostile_site / "index.html").as_uri())
    page.fill("#fa-kk-header", "Hiba")
    assert page.evaluate(PROBE) == 0
    assert dialogs == []
    assert all(url.startswith(hostile_site.as_uri() + "/") for url in requests)


def test_the_code_lookup_knows_the_aliases_of_messages(corpus: Corpus) -> None:
    table = lookup_table(corpus, None)
    aliases = [(fold(a), e) for e in corpus.codes if e.message for a in e.aliases]
    assert aliases
    for key, entry in aliases:
        assert table["entries"][table["keys"][key]][2] == src_to_url(code_src(entry.code))


def test_a_title_cannot_leave_the_title_element(tmp_path: Path, browser_context_factory) -> None:
    """Material writes `page.title | striptags` into <title>, which decodes entities: without the page's
    own `title:` front matter (`text.page_front_matter`) this title would run its script."""
    trees, config_dir = tmp_path / "hostile", tmp_path / "hostile-site"
    shutil.copytree(FIXTURES / "hostile", trees)
    shutil.copytree(HOSTILE_SITE, config_dir)
    title = 'Cím </title><script>alert("breakout")</script> &amp; vége'
    path = trees / "masik.yaml"
    path.write_text(re.sub(r"^title: .*$", f"title: '{title}'", path.read_text("utf-8"), count=1, flags=re.M), "utf-8")
    path = trees / "codes.yaml"
    path.write_text(path.read_text("utf-8").replace("""title: '"]; x [label="pwned'""", f"title: '{title}'"), "utf-8")
    config = config_dir / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace("../../../site_overrides", str(ROOT / "site_overrides"))
                      .replace("../../../.cache", str(ROOT / ".cache")), "utf-8")
    out = tmp_path / "site"
    result = build(config, out)
    assert result.returncode == 0, result.stderr
    page, _, dialogs = open_site(browser_context_factory, out)
    for path in (out / "fak" / "masik.html", out / "kodok" / "hiba-b-x-b-y-n.html"):
        page.goto(path.as_uri())
        assert page.title() == f"{title} - {SITE_NAME}"
        assert title in one_line(page.locator("nav.md-nav--primary").text_content() or "")
    assert dialogs == []
