"""Tests of generator.text, and of the text policy end to end: exact text in, exact text out, no markup.

Arbitrary Unicode labels through Graphviz are covered by tests/test_draw.py
(`test_any_unicode_label_renders_literally`); here the same goes on through `svg.embeddable`, the
SVG exactly as a page carries it.
"""

from __future__ import annotations

import html
import shutil
import unicodedata
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from mkdocs.utils.meta import get_data
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from generator.check import check_corpus
from generator.draw import NODE_WRAP, clean, tree_to_dot
from generator.graph import walk
from generator.load import load_corpus
from generator.model import Answer, Loc, Node, Tree
from generator.render import render_svgs
from generator.svg import embeddable
from generator.text import Glossary, lines, md_escape, one_line, page_front_matter, plain, plain_block, rich

from .conftest import FIXTURES

SVG = "{http://www.w3.org/2000/svg}"
ALLOWED_TAGS = {"p", "a", "em", "strong", "code", "pre", "ul", "ol", "li", "br", "blockquote", "abbr", "table",
                "thead", "tbody", "tr", "th", "td", "h3", "h4", "h5", "h6", "hr", "span"}
# The real site's Markdown extensions (mkdocs.yml), which see every generated page's `# ` title.
SITE_EXTENSIONS = ["abbr", "admonition", "attr_list", "md_in_html", "tables", "toc", "pymdownx.snippets"]
TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=80)
# Typed line breaks: what YAML gives for a block scalar or a quoted "\n", and the rarer ones a quoted escape gives.
BREAKS = ["\n", "\r\n", "\r", "\u2028", "\u2029", "\x85", "\n\n", " \n\t"]
# Text with line breaks among any other characters (no other control characters, no surrogates).
TEXT_WITH_BREAKS = st.lists(st.one_of(st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
                                      st.sampled_from(BREAKS)), max_size=8).map("".join)


class _Fragment(HTMLParser):
    """Text content, tags and attributes of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(fragment: str) -> _Fragment:
    parser = _Fragment()
    parser.feed(fragment)
    parser.close()
    return parser


def text_of(fragment: str) -> str:
    """The text a reader sees, whitespace runs as one space."""
    return " ".join("".join(parse(fragment).text).split())


# --- plain text ------------------------------------------------------------------------------------

@given(TEXT)
def test_plain_shows_every_character_and_makes_no_markup(text: str) -> None:
    out = plain(text)
    assert html.unescape(out) == text
    assert "<" not in out and ">" not in out and '"' not in out and "'" not in out
    assert parse(out).tags == []


def test_plain_block_keeps_line_breaks() -> None:
    assert plain_block("a <b>\nc & d") == "a &lt;b&gt;<br>\nc &amp; d"
    assert plain_block("első\r\n\n\n  második  sor \u2028harmadik\n") == "első<br>\n<br>\nmásodik sor<br>\nharmadik"
    assert plain_block("\\n \\N <br>") == "\\n \\N &lt;br&gt;"  # typed backslashes and tags stay text
    assert plain_block("") == "" and plain_block(" \n ") == ""


def test_plain_block_marks_glossary_words_on_every_line() -> None:
    glossary = Glossary({"PIN": "Személyi azonosító", "br": "nem jelölendő"})
    out = plain_block("a PIN\nés a PIN", glossary)
    assert out.count('<abbr title="Személyi azonosító">PIN</abbr>') == 2
    assert out.count("<br>") == 1 and "<abbr title=\"nem jelölendő\">" not in out  # our <br> is no text


def test_lines_splits_at_typed_line_breaks_only() -> None:
    assert lines("első\nmásodik") == ["első", "második"]
    assert lines("a\r\nb\rc\u2028d\u2029e\x85f") == ["a", "b", "c", "d", "e", "f"]
    assert lines("\n\n  a \t b  \n\n\n\nc\n\n") == ["a b", "", "c"]  # one blank line kept, none at the ends
    assert lines("10\u00a0000 Ft") == ["10\u00a0000 Ft"]  # a no-break space is kept as typed
    assert lines(r"a\nb \N") == [r"a\nb \N"]  # a typed backslash-n is two characters
    assert lines("") == lines(" \t\n ") == []
    assert one_line("első\n\nmásodik  sor") == "első második sor"


@given(TEXT_WITH_BREAKS)
def test_plain_block_shows_the_typed_lines_and_never_glues_words(text: str) -> None:
    """The page text is the typed lines joined by line breaks: every character but whitespace as typed, and
    each line break a newline in the text (which the search index and `textContent` read)."""
    out = plain_block(text)
    found = parse(out)
    assert {tag for tag, _ in found.tags} <= {"br"}
    assert "".join(found.text) == "\n".join(lines(text))
    assert out.count("<br>") == max(len(lines(text)) - 1, 0)
    assert one_line("".join(found.text)) == one_line(text)  # words of two lines are never glued together


@given(TEXT)
def test_md_escape_gives_a_heading_showing_the_text(text: str) -> None:
    """A page title written with md_escape, under the real site's Markdown extensions, shows exactly the text."""
    assume(text.split())
    body = markdown.markdown(f"# {md_escape(text)} {{ #fa-cim }}", extensions=SITE_EXTENSIONS)
    found = parse(body)
    assert found.tags == [("h1", {"id": "fa-cim"})], body
    assert "".join(found.text) == one_line(text)


def test_md_escape_leaves_no_visible_backslashes() -> None:
    """Ordinary titles with colons, equals signs and tildes show no escaping backslash."""
    for title in ["Ügyfélkapu+: belépés", "a=b ~ ^ | x", r"C:\Temp\N", "{: #x onclick=alert(1) }", "--8<-- \"x\""]:
        body = markdown.markdown(f"# {md_escape(title)}", extensions=SITE_EXTENSIONS)
        assert text_of(body) == title


@given(TEXT)
def test_page_front_matter_gives_mkdocs_the_escaped_title(title: str) -> None:
    """MkDocs reads back exactly `plain(title)`, alone or next to other front matter, and the body is untouched."""
    markdown_source, meta = get_data(page_front_matter(title) + "# Cím\n")
    assert meta == {"title": plain(title)} and markdown_source.strip() == "# Cím"
    merged = page_front_matter(title, '---\nfa_print_css: "@page { x }"\n---\n\n')
    markdown_source, meta = get_data(merged + "# Cím\n")
    assert meta == {"title": plain(title), "fa_print_css": "@page { x }"} and markdown_source.strip() == "# Cím"


# --- Markdown fields -------------------------------------------------------------------------------

RAW_HTML = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">ide</a>',
    "<svg onload=alert(1)><circle/></svg>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<form action="javascript:alert(1)"><button>OK</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<style>body{display:none}</style>",
    "<!-- megjegyzés --> </p> </div>",
    '<div markdown="1">x</div>',
]


@pytest.mark.parametrize("snippet", RAW_HTML)
def test_raw_html_in_markdown_is_shown_as_text(snippet: str) -> None:
    out = rich(f"Előtte {snippet} utána")
    assert text_of(out) == one_line(f"Előtte {snippet} utána")
    assert [tag for tag, _ in parse(out).tags] == ["p"]


SPECIAL = st.lists(st.sampled_from(list("abcőű ÁŐ<>&\"'\\{}|#;:/=%$@~^.,?") + ["😀", "o\u030b", "&amp;", "&lt;", "</svg>",
                                                                            "\\N", "\\G"]), max_size=20).map("".join)


@given(SPECIAL)
def test_markdown_text_without_markdown_syntax_comes_out_exactly(text: str) -> None:
    """`& < > " ' \\ { } | # ;` entities and Graphviz-like escapes are literal in Markdown fields."""
    assume("<http" not in text and "<mailto" not in text)
    line = f"x {text}"
    assert text_of(rich(line)) == one_line(unicodedata.normalize("NFC", line))


def test_code_spans_and_blocks_are_literal() -> None:
    assert text_of(rich(r"Írja be: `<b> & \N \\szerver`")) == r"Írja be: <b> & \N \\szerver"
    block = rich("Példa:\n\n    <kód> & \"idézet\" \\N\n\n    --8<-- \"README.md\"\n")
    assert "<kód> & \"idézet\" \\N\n\n--8<-- \"README.md\"" in "".join(parse(block).text)


def test_backslashes_and_entities_are_not_interpreted() -> None:
    assert text_of(rich(r"\\szerver\megosztas C:\Users\*.txt \N\G")) == r"\\szerver\megosztas C:\Users\*.txt \N\G"
    assert text_of(rich("&amp; &lt;b&gt; &#65; &eacute;")) == "&amp; &lt;b&gt; &#65; &eacute;"


def test_markdown_still_formats() -> None:
    out = rich("**vastag** és *dőlt*\n\n- egy\n- kettő\n\n| a | b |\n|---|---|\n| <b> | & |")
    tags = [tag for tag, _ in parse(out).tags]
    assert {"strong", "em", "ul", "li", "table", "td"} <= set(tags)
    assert "<b>" in text_of(out) and "&" in text_of(out)


@pytest.mark.parametrize("link", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>x</script>",
                                  "vbscript:msgbox", "file:///etc/passwd", "//evil.example/x", "\\\\evil\\share",
                                  "/gyoker/oldal.html", " javascript:alert(1)"])
def test_links_off_the_site_lose_their_href(link: str) -> None:
    for source in (f"[ide]({link})", f"[ide][r]\n\n[r]: {link}"):
        out = rich(source)
        anchors = [attrs for tag, attrs in parse(out).tags if tag == "a"]
        assert anchors and all("href" not in a for a in anchors), out
        assert "ide" in text_of(out)


@pytest.mark.parametrize("link", ["https://example.org/a?b=1&c=2", "http://example.org", "mailto:it@example.org",
                                  "../kodok/k0100.html#teendo", "#lepesek"])
def test_allowed_links_keep_their_href(link: str) -> None:
    anchors = [attrs for tag, attrs in parse(rich(f"[ide]({link})")).tags if tag == "a"]
    assert anchors == [{"href": link, "rel": "noopener noreferrer"}]


def test_autolinks_work_and_images_become_their_alt_text() -> None:
    out = rich("<https://example.org/?a=1&b=2> és <mailto:it@example.org> ![képernyőkép <b>](https://example.org/k.png)")
    hrefs = [attrs.get("href") for tag, attrs in parse(out).tags if tag == "a"]
    assert hrefs == ["https://example.org/?a=1&b=2", "mailto:it@example.org"]
    assert "képernyőkép <b>" in text_of(out)
    assert "img" not in [tag for tag, _ in parse(out).tags]


@given(st.text(max_size=60))
def test_rich_output_stays_inside_the_allowlist(text: str) -> None:
    """Whatever the input (control characters and lone surrogates too), only allowlisted markup comes out."""
    for tag, attrs in parse(rich(text)).tags:
        assert tag in ALLOWED_TAGS
        assert not any(name.startswith("on") or name in ("style", "src") for name in attrs)
        href = attrs.get("href")
        assert href is None or not href.lower().lstrip().startswith(("javascript:", "data:", "vbscript:", "//"))


def test_decomposed_letters_are_composed() -> None:
    assert text_of(rich("o\u030b")) == "ő" and text_of(rich("O\u030b")) == "Ő"


# --- glossary --------------------------------------------------------------------------------------

def test_glossary_marks_text_but_never_inside_attributes_entities_or_code() -> None:
    glossary = Glossary({"PIN": "Személyi <azonosító> & \"szám\"", "amp": "nem jelölendő"})
    out = rich('[ide](https://example.org "a>PIN b") PIN, `PIN` és &amp;', glossary)
    tags = parse(out).tags
    assert ("a", {"href": "https://example.org", "title": "a>PIN b", "rel": "noopener noreferrer"}) in tags
    # PIN once (not in the link's title, not in code), and the word "amp" the author typed in "&amp;";
    # the `&amp;` that encodes "&" is never split.
    assert [a for t, a in tags if t == "abbr"] == [{"title": "Személyi <azonosító> & \"szám\""}, {"title": "nem jelölendő"}]
    assert text_of(out) == "ide PIN, PIN és &amp;"
    assert glossary.mark(plain("a & PIN")) == 'a &amp; <abbr title="Személyi &lt;azonosító&gt; &amp; &quot;szám&quot;">PIN</abbr>'


# --- check: link schemes, with file:line ---------------------------------------------------------------

BAD_LINKS = ["[ide](javascript:alert(1))", "[ide](JavaScript:alert(1))", "[ide](java&#9;script:alert(1))",
             "[ide](java&#115;cript:alert(1))", "[ide](data:text/html;base64,PHNjcmlwdD4=)", "<vbscript:msgbox>",
             "[ide][r]\n\n[r]: javascript:alert(1)", '<a href="javascript:alert(1)">ide</a>',
             "[ide](//evil.example/x)", "[ide](/gyoker.html)", "[ide](\\\\evil\\share)"]


def corpus_with(tmp_path: Path, file: str, old: str, new: str) -> Path:
    folder = tmp_path / "trees"
    shutil.copytree(FIXTURES / "good", folder)
    path = folder / file
    text = path.read_text("utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), "utf-8")
    return folder


def line_of(path: Path, needle: str) -> int:
    return next(no for no, line in enumerate(path.read_text("utf-8").splitlines(), 1) if needle in line)


@pytest.mark.parametrize("link", BAD_LINKS)
@pytest.mark.parametrize("field", ["details", "summary", "todo"])
def test_check_rejects_links_off_the_site_with_file_and_line(tmp_path: Path, field: str, link: str) -> None:
    quoted = '"' + link.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    file, old, new, at = {
        "details": ("pin.yaml", "    question: Milyen hibakódot lát?\n",
                    f"    question: Milyen hibakódot lát?\n    details: {quoted}\n", "  zarolt:"),
        "summary": ("pin.yaml", "summary: Ha a **PIN-kód** zárolva van.", f"summary: {quoted}", "id: pin"),
        "todo": ("codes.yaml", "    todo: Ellenőrizze a hálózatot.", f"    todo: {quoted}", '"Webhely nem elérhető."'),
    }[field]
    folder = corpus_with(tmp_path, file, old, new)
    corpus, problems = load_corpus(str(folder))
    assert [p for p in problems if p.severity == "error"] == []
    errors = [p for p in check_corpus(corpus) if p.severity == "error"]
    assert len(errors) == 1, errors
    assert errors[0].loc.file.endswith(file) and errors[0].loc.line == line_of(folder / file, at)
    assert "hivatkozás" in errors[0].message


@pytest.mark.parametrize("link", ["https://example.org/a", "mailto:it@example.org", "../kodok/k0506.html", "#puk"])
def test_check_accepts_links_within_the_rules(tmp_path: Path, link: str) -> None:
    folder = corpus_with(tmp_path, "pin.yaml", "summary: Ha a **PIN-kód** zárolva van.", f'summary: "[ide]({link})"')
    corpus, _ = load_corpus(str(folder))
    assert [p for p in check_corpus(corpus) if p.severity == "error"] == []


@pytest.mark.parametrize("file, old, new, at, field", [
    ("pin.yaml", "title: PIN-kód zárolva\n", 'title: "PIN-kód\\nzárolva"\n', "id: pin", "title"),
    ("codes.yaml", "    title: Kártya nincs aktiválva\n", "    title: |\n      Kártya nincs\n      aktiválva\n",
     '- code: "K0506"', "title"),
    ("codes.yaml", 'aliases: ["K0517 (-116)"]', 'aliases: ["K0517\\n(-116)"]', 'aliases: ["K0517', "aliases"),
    ("pin.yaml", 'codes: ["K0506"]', 'codes: ["K0506", "Webhely nem\\r\\nelérhető."]', 'codes: ["K0506', "codes"),
])
def test_check_warns_about_line_breaks_in_titles_and_codes(tmp_path: Path, file: str, old: str, new: str, at: str,
                                                            field: str) -> None:
    """Titles, codes and aliases stand on one line (heading, navigation, tab, lookup): a typed break is reported."""
    folder = corpus_with(tmp_path, file, old, new)
    corpus, problems = load_corpus(str(folder))
    found = [p for p in problems + check_corpus(corpus) if "sortörés" in p.message]
    assert len(found) == 1, found
    assert found[0].severity == "warning" and f"a(z) {field} mezőben" in found[0].message and "egy sorba" in found[0].hint
    assert found[0].loc.file.endswith(file) and found[0].loc.line == line_of(folder / file, at)
    assert [p for p in problems + check_corpus(corpus) if p.severity == "error"] == []


def test_check_accepts_line_breaks_in_node_texts(tmp_path: Path) -> None:
    """Questions, answers, steps, outcomes and contacts show their line breaks everywhere: nothing to report;
    a scenario names a two-line answer on one line."""
    folder = corpus_with(tmp_path, "pin.yaml", "    question: Milyen hibakódot lát?\n",
                         "    question: |\n      Milyen hibakódot\n      lát?\n")
    path = folder / "pin.yaml"
    path.write_text(path.read_text("utf-8").replace("      - label: Nem\n", '      - label: "Nem,\\nmás kódot"\n', 1)
                    .replace("answers: [K0506, Nem]", 'answers: [K0506, "Nem, más kódot"]'), "utf-8")  # a scenario on one line
    corpus, problems = load_corpus(str(folder))
    tree = corpus.tree("pin")
    assert tree is not None and "\n" in tree.node("zarolt").text  # type: ignore[union-attr]
    assert any("\n" in a.label for n in tree.nodes for a in n.answers)
    assert [p for p in problems + check_corpus(corpus) if "sortörés" in p.message or p.severity == "error"] == []


def test_hostile_fixture_passes_check() -> None:
    """The hostile corpus holds attacks `check` is not meant to catch (raw HTML that is shown as text)."""
    corpus, problems = load_corpus(str(FIXTURES / "hostile"))
    assert [p for p in problems + check_corpus(corpus) if p.severity == "error"] == []


# --- NFC on load ---------------------------------------------------------------------------------------

def test_text_is_composed_when_loaded(tmp_path: Path) -> None:
    """"ő" typed decomposed in a question, an answer and a code loads precomposed; a scenario typed
    precomposed still matches the answer typed decomposed."""
    decomposed = "Ujrao\u030brzo\u030b"
    folder = corpus_with(tmp_path, "pin.yaml", "      - label: K0506\n", f"      - label: K0506 {decomposed}\n")
    path = folder / "pin.yaml"
    path.write_text(path.read_text("utf-8").replace("answers: [K0506, Nem]", "answers: [K0506 Ujraőrző, Nem]")
                    .replace("question: Milyen hibakódot lát?", f"question: Milyen hibakódot lát {decomposed}?"), "utf-8")
    assert "o\u030b" in path.read_text("utf-8")
    corpus, problems = load_corpus(str(folder))
    assert [p for p in problems + check_corpus(corpus) if p.severity == "error"] == []
    tree = corpus.tree("pin")
    assert tree is not None
    node = tree.node("zarolt")
    assert node is not None and node.text == "Milyen hibakódot lát Ujraőrző?"
    assert node.answers[1].label == "K0506 Ujraőrző"
    assert walk(corpus, tree, ("K0506 Ujraőrző", "Nem")).end == "kormanyhivatal"


# --- the flowchart as the page carries it -------------------------------------------------------------

def chart_of(labels: list[str]) -> ET.Element:
    """The inline SVG of a chain of questions labelled `labels`, as `svg.embeddable` puts it on a page."""
    loc = Loc("t.yaml")
    nodes = [Node(f"q{i}", "question", text, loc, answers=(Answer("Igen", f"q{i + 1}", loc), Answer("Nem", "end", loc)))
             for i, text in enumerate(labels)]
    nodes += [Node(f"q{len(labels)}", "outcome", "Kész.", loc, outcome="solved"),
              Node("end", "outcome", "Vége.", loc, outcome="escalate")]
    tree = Tree("t", "Fa", "", "asp", "q0", tuple(nodes), loc)
    svg = render_svgs([tree_to_dot(tree, lambda target: f"#{target}")], cache_dir=None)[0]
    return ET.fromstring(embeddable(svg, "fc-t-", "Fa <b> & \"idéz\""))


def node_lines(chart: ET.Element, node_id: str) -> list[str]:
    group = next(g for g in chart.iter(f"{SVG}g") if g.get("id") == f"fc-t-n-{node_id}")
    return [t.text or "" for t in group.iter(f"{SVG}text")]


LABEL_PARTS = st.one_of(st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=30),
                        st.sampled_from(BREAKS))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(LABEL_PARTS, min_size=1, max_size=5).map("".join), min_size=1, max_size=6))
def test_any_unicode_label_survives_to_the_page(labels: list[str]) -> None:
    """A valid inline SVG whose text, line breaks removed, is the label (NFC, whitespace runs collapsed);
    labels with typed line breaks included, each typed line starting a drawn line of its own."""
    assume(all(clean(label) for label in labels))
    chart = chart_of(labels)
    assert chart.get("aria-label") == 'Fa <b> & "idéz"'
    for i, label in enumerate(labels):
        drawn = node_lines(chart, f"q{i}")
        expected = clean(label)
        assert "".join("".join(drawn).split()) == "".join(expected.split())
        if all(len(word) <= NODE_WRAP for word in expected.split()):
            assert " ".join(drawn) == expected
        typed = [clean(line) for line in lines(unicodedata.normalize("NFC", label)) if clean(line)]
        if all(len(line) <= NODE_WRAP for line in typed):
            assert drawn == typed
    assert not [e for e in chart.iter() if e.tag.endswith(("script", "foreignObject"))]
