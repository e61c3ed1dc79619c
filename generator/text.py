"""One escaping policy per field kind and output: text from YAML shown exactly as typed, never as markup.

Every text field has one kind. Plain text is shown character for character; Markdown is rendered,
but raw HTML in it is shown as text and links are limited to http, https, mailto and relative
links within the site. All text is NFC-normalised when loaded (`yamlread`), so a letter typed
precomposed or decomposed (o + U+030B) looks and searches the same.

| field                                                    | kind     |
| -------------------------------------------------------- | -------- |
| tree `title`, `category`, `audience`, `owner`            | plain    |
| reference `title`, `chapter`; system and source titles   | plain    |
| node `question` / `step` / `outcome`, `steps` items      | plain    |
| answer `label`, contact `who`, `channel`, `include`      | plain    |
| code `code`, `aliases`, `title`; scenario `name`         | plain    |
| tree `summary`, node `details`, code `meaning`, `todo`   | Markdown |

| output             | plain text                                    | Markdown                           |
| ------------------ | --------------------------------------------- | ---------------------------------- |
| HTML page          | `plain_block()` in the page body (line breaks | `rich()`                           |
|                    | as `<br>`); `plain()` in attributes and in    |                                    |
|                    | one-line facts (system, audience, owner,      |                                    |
|                    | references), where a break shows as a space   |                                    |
| page heading       | `md_escape()` in the `# ` title line          | –                                  |
| nav, `<title>`     | `plain()`: nav titles (`site.navigation`) and | –                                  |
|                    | `page_front_matter()`; Material prints both   |                                    |
|                    | as HTML                                       |                                    |
| flowchart DOT/SVG  | `draw._label`: DOT escString, `\\` doubled,   | not drawn                          |
|                    | `&` as `&amp;`, broken at typed line breaks   |                                    |
|                    | (`draw.wrap`), then wrapped at spaces; URLs   |                                    |
|                    | by `draw.safe_url`; SVG text escaped by the   |                                    |
|                    | XML serialiser (`svg.embeddable`)             |                                    |
| search index       | the page's HTML text as MkDocs indexes it     | same                               |
|                    | (escaped there, shown as text in results);    |                                    |
|                    | the chart is `data-search-exclude`, so node   |                                    |
|                    | text is indexed once, from its section        |                                    |
| PDF / print        | `printpages.text_pages`: the text itself,     | `rich()`, then                     |
|                    | broken at                                     | `printpages.html_blocks`           |
|                    | typed line breaks, wrapped; sheets as the     |                                    |
|                    | flowchart; page header on one line            |                                    |
| plain-text summary | the text itself, unescaped (guided mode reads | the rendered text                  |
|                    | the page's `textContent`, line breaks kept)   |                                    |

Line breaks typed in plain text (a YAML block scalar, a quoted `\\n`) are kept: `lines()` is the one
reading of them (`\\n`, `\\r\\n`, `\\r`, U+0085, U+2028, U+2029; spaces and tabs collapsed; one blank line
at most), shown as a line break on the page, in the chart and print sheets (blank lines left out), in
the PDF and in the guided summary. Where only one line fits (page heading, `<title>`, navigation,
search-result titles, tooltips, codes, PDF page header) a break becomes a space (`one_line()`);
`check` warns about breaks in titles, codes and aliases, which mostly stand there.

In Markdown fields `&`, `<` and `\\` are literal: entities and backslash escapes are not
interpreted (pasted `&amp;`, `C:\\Users\\*` and `\\\\szerver\\mappa` show as typed; to show Markdown
syntax such as `*x*` literally, put it in a code span) and raw HTML shows as text. `<https://…>`
and `<mailto:…>` autolinks still work. Images show as their alt text (the site makes no outside
requests). Links other than http(s), mailto or relative within the site (`javascript:`, `data:`,
`//host`, `/root`, `\\\\host`) lose their href; `check` reports them.
"""

from __future__ import annotations

import html
import json
import re
import threading
import unicodedata
from functools import lru_cache
from html.parser import HTMLParser
from xml.etree.ElementTree import Element

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

__all__ = ["plain", "plain_block", "lines", "one_line", "rich", "Glossary", "md_escape", "page_front_matter"]

# Tags and attributes a Markdown field may produce; everything else is escaped or dropped.
_TAGS = {"p", "a", "em", "strong", "code", "pre", "ul", "ol", "li", "br", "blockquote", "abbr",
         "table", "thead", "tbody", "tr", "th", "td", "h3", "h4", "h5", "h6", "hr", "span"}
_ATTRS = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
_SCHEMES = {"http", "https", "mailto"}
# ASCII punctuation: written as numeric character references in a Markdown heading, so no Markdown
# extension (attr_list `{…}`, emphasis, escapes, snippets `--8<--`) can read it as syntax.
_MD_SPECIAL = re.compile(r"[!-/:-@\[-`{-~]")
# Characters HTML and XML cannot carry (C0 controls but tab and newlines, surrogates, U+FFFE/F);
# YAML refuses them, so only callers outside the loader meet this.
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# Placeholders for `&`, `<` and `\` while Python-Markdown runs (control characters, see _INVALID).
_AMP, _LT, _BSL = "\x0e", "\x0f", "\x10"
_AUTOLINK = re.compile(_LT + r"((?:https?://|mailto:)[^\s" + _LT + r">]+)>", re.IGNORECASE)
# hrefs that would leave the site although they are not absolute URLs: `//host`, `/root`, `\\host`.
_OFF_SITE = re.compile(r"^[\s\x00-\x20]*[/\\]")
# Typed line breaks in plain text (vertical tab and form feed are invalid: see _INVALID).
_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
_BLANKS = re.compile("[ \t]+")


def plain(text: str) -> str:
    """Plain text as HTML: every character shown as typed, nothing becomes markup."""
    return html.escape(text, quote=True)


def lines(text: str) -> list[str]:
    """The lines of a plain-text field as every output shows them: split at typed line breaks
    (`\\n`, `\\r\\n`, `\\r`, U+0085, U+2028, U+2029), runs of spaces and tabs as one space (as HTML
    shows them; other spaces such as U+00A0 are kept), a run of blank lines as one blank line, none at
    either end. No line at all for blank text."""
    out: list[str] = []
    for line in _LINE_BREAK.split(text):
        line = _BLANKS.sub(" ", line).strip(" ")
        if line or (out and out[-1]):
            out.append(line)
    if out and not out[-1]:
        out.pop()
    return out


def one_line(text: str) -> str:
    """Plain text where only one line fits (a page's title, the navigation): line breaks as spaces."""
    return " ".join(text.split())


def plain_block(text: str, glossary: "Glossary | None" = None) -> str:
    """Plain text as HTML keeping its typed line breaks (`lines`) as `<br>`, glossary words marked.

    Each `<br>` is followed by a newline, so text read from the markup (the search index, a copy of
    `textContent`) keeps a break between the lines and never glues their words together.
    """
    mark = glossary.mark if glossary is not None else (lambda escaped: escaped)
    return "<br>\n".join(mark(plain(line)) for line in lines(text))


def md_escape(text: str) -> str:
    """Plain text written into a Markdown line (a page's `# ` title) so that Markdown shows it literally.

    Whitespace runs become one space (a line break would end the heading); ASCII punctuation
    becomes numeric character references, which every Markdown extension passes through.
    """
    return _MD_SPECIAL.sub(lambda m: f"&#{ord(m.group())};", one_line(text))


def page_front_matter(title: str, front_matter: str = "") -> str:
    """YAML front matter stating a page's title for the theme, as escaped HTML, merged into `front_matter`.

    Material writes `page.meta.title` into `<title>` as it is, but `page.title` through `striptags`,
    which decodes entities: an escaped `</title>` would come back and end the element. So every
    generated page gives its title here (the navigation keeps its own escaped title).
    """
    value = json.dumps(plain(title), ensure_ascii=False)
    value = value.replace("\u0085", "\\u0085").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")  # YAML line breaks
    line = f"title: {value}\n"
    if front_matter.startswith("---\n"):
        return "---\n" + line + front_matter[4:]
    return f"---\n{line}---\n\n" + front_matter


class Glossary:
    """Domain words with their short definitions, shown as <abbr> tooltips where they appear."""

    def __init__(self, terms: dict[str, str]) -> None:
        self.terms = dict(sorted(terms.items(), key=lambda kv: (-len(kv[0]), kv[0])))
        words = "|".join(re.escape(t) for t in self.terms)
        self._pattern = re.compile(rf"(?<![\w+])({words})(?![\w+])") if words else None

    @classmethod
    def from_abbreviations(cls, text: str) -> "Glossary":
        """Parse `*[TERM]: definition` lines (Python-Markdown's abbr syntax)."""
        terms = {}
        for m in re.finditer(r"^\*\[([^\]]+)\]:\s*(.+?)\s*$", text, re.MULTILINE):
            terms[m.group(1)] = m.group(2)
        return cls(terms)

    def mark(self, escaped_html_text: str) -> str:
        """Wrap glossary words of already-escaped text (no tags inside) in <abbr title=...>.

        Character references (`&amp;`, `&#x27;`) are left whole, so a term never splits one.
        """
        if self._pattern is None:
            return escaped_html_text
        pattern = self._pattern

        def wrap(match: re.Match[str]) -> str:
            word = match.group(1)
            return f'<abbr title="{plain(self.terms[html.unescape(word)])}">{word}</abbr>'

        parts = re.split(r"(&#?\w+;)", escaped_html_text)
        return "".join(p if i % 2 else pattern.sub(wrap, p) for i, p in enumerate(parts))

    def mark_html(self, fragment: str) -> str:
        """Wrap glossary words found in the text of an HTML fragment, not inside tags, links, abbr or code."""
        if self._pattern is None:
            return fragment
        marker = _Marker(self)
        marker.feed(fragment)
        marker.close()
        return "".join(marker.out)


class _Marker(HTMLParser):
    """Re-emits a (sanitised) HTML fragment, marking glossary words in its text nodes only."""

    _SKIP = {"a", "abbr", "code"}

    def __init__(self, glossary: Glossary) -> None:
        super().__init__(convert_charrefs=True)
        self.glossary, self.out, self.skip = glossary, [], 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.skip += tag in self._SKIP
        self.out.append(self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self.skip:
            self.skip -= 1
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        text = html.escape(data, quote=False)
        self.out.append(text if self.skip else self.glossary.mark(text))


_EMPTY = Glossary({})


class _ImagesAsText(Treeprocessor):
    """An image becomes its alt text: the site loads nothing from outside, and nh3 would drop it unseen."""

    def run(self, root: Element) -> None:
        for image in root.iter("img"):
            alt = image.get("alt", "")
            image.attrib.clear()
            image.tag, image.text = "span", alt


class _LiteralText(Extension):
    """Registers `_ImagesAsText`."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        md.treeprocessors.register(_ImagesAsText(md), "fa_images_as_text", 0)


def _keep_on_site(tag: str, attribute: str, value: str) -> str | None:
    """nh3 attribute filter: drop hrefs that leave the site without being http(s)/mailto URLs."""
    if attribute == "href" and _OFF_SITE.match(value):
        return None
    return value


_PARSERS = threading.local()


def _markdown() -> markdown.Markdown:
    """This thread's Markdown parser, made once: making one loads its extensions, which cost more than
    converting a field (the PDFs are made in a thread of their own in `mkdocs serve`)."""
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = markdown.Markdown(extensions=["sane_lists", "tables", _LiteralText()],
                                                     output_format="html")
    return parser


@lru_cache(maxsize=4096)
def _render(text: str) -> str:
    text = _INVALID.sub("\ufffd", unicodedata.normalize("NFC", text))
    text = text.replace("&", _AMP).replace("\\", _BSL).replace("<", _LT)
    text = _AUTOLINK.sub(r"<\1>", text)  # keep Markdown autolinks: <https://…>, <mailto:…>
    body = _markdown().reset().convert(text)
    body = body.replace(_AMP, "&amp;").replace(_LT, "&lt;").replace(_BSL, "\\")
    return nh3.clean(body, tags=_TAGS, attributes=_ATTRS, url_schemes=_SCHEMES, link_rel="noopener noreferrer",
                     attribute_filter=_keep_on_site)


def rich(text: str, glossary: Glossary = _EMPTY) -> str:
    """A Markdown field as safe HTML: raw HTML in the source is shown as text, links limited to
    http(s), mailto and relative links within the site; `&`, `<` and `\\` are literal."""
    return glossary.mark_html(_render(text))
