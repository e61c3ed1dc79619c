"""One escaping policy per field kind and output: plain text and Markdown into safe HTML."""

from __future__ import annotations

import html
import re
from functools import lru_cache

import markdown
import nh3

__all__ = ["plain", "plain_block", "rich", "Glossary", "md_escape"]

# Tags and attributes a Markdown field may produce; everything else is escaped or dropped.
_TAGS = {"p", "a", "em", "strong", "code", "pre", "ul", "ol", "li", "br", "blockquote", "abbr",
         "table", "thead", "tbody", "tr", "th", "td", "h3", "h4", "h5", "h6", "hr", "span"}
_ATTRS = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
_SCHEMES = {"http", "https", "mailto"}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()>#+\-.!|~^=:])")


def plain(text: str) -> str:
    """Plain text as HTML: every character shown as typed, nothing becomes markup."""
    return html.escape(text, quote=True)


def plain_block(text: str) -> str:
    """Plain text as HTML keeping its line breaks."""
    return "<br>".join(plain(line) for line in text.split("\n"))


def md_escape(text: str) -> str:
    """Plain text written into Markdown so that Python-Markdown shows it literally."""
    return _MD_SPECIAL.sub(r"\\\1", text).replace("&", "&amp;").replace("<", "&lt;")


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
        """Wrap glossary words of already-escaped text (no tags inside) in <abbr title=...>."""
        if self._pattern is None:
            return escaped_html_text
        return self._pattern.sub(lambda m: f'<abbr title="{plain(self.terms[html.unescape(m.group(1))])}">{m.group(1)}</abbr>',
                                 escaped_html_text)

    def mark_html(self, fragment: str) -> str:
        """Wrap glossary words found in the text parts of an HTML fragment, not inside tags or links."""
        if self._pattern is None:
            return fragment
        out, depth_a = [], 0
        for part in re.split(r"(<[^>]*>)", fragment):
            if part.startswith("<"):
                if re.match(r"<a[\s>]", part) or part.startswith("<abbr") or part.startswith("<code"):
                    depth_a += 1
                elif part in ("</a>", "</abbr>", "</code>"):
                    depth_a -= 1
                out.append(part)
            else:
                out.append(part if depth_a else self.mark(part))
        return "".join(out)


_EMPTY = Glossary({})


@lru_cache(maxsize=4096)
def _render(text: str) -> str:
    body = markdown.markdown(text, extensions=["sane_lists", "tables"], output_format="html")
    return nh3.clean(body, tags=_TAGS, attributes=_ATTRS, url_schemes=_SCHEMES, link_rel="noopener noreferrer")


def rich(text: str, glossary: Glossary = _EMPTY) -> str:
    """A Markdown field as safe HTML: raw HTML in the source is shown as text, links limited to http(s)/mailto."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;")
    escaped = re.sub(r"&lt;((?:https?|mailto):[^\s>]+)>", r"<\1>", escaped)  # keep Markdown autolinks
    return glossary.mark_html(_render(escaped))
