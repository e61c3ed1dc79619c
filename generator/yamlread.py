"""Strict YAML reading: plain data plus the location of every value, and every YAML trap reported.

A file is read with libyaml (PyYAML's C parser, about ten times faster) and kept only if it reads cleanly:
any file with anything to report (an error, an anchor, a trap, a duplicate key) is read again with PyYAML's
pure-Python parser, whose messages and locations are the ones maintainers see. Both parsers feed the same
event reader, which refuses anchors and aliases at their first event, before anything could be expanded.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable

import yaml
from yaml.events import (AliasEvent, DocumentStartEvent, Event, MappingEndEvent, MappingStartEvent, ScalarEvent,
                         SequenceEndEvent, SequenceStartEvent, StreamEndEvent)
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .model import Loc
from .problems import Problem

__all__ = ["Doc", "Path", "read_yaml", "parse_yaml"]

Path = tuple[Any, ...]

# Keys whose values may legitimately be YAML numbers, booleans or dates.
_NON_TEXT_KEYS = {"items": int, "order": int, "review_months": int, "message": bool, "reviewed": dt.date}
_STR, _NULL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:null"
_STANDARD_TAGS = {
    _STR,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    _NULL,
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}
_EMPTY = ("a fájl üres", "írja bele a tartalmat a minta szerint")
# No file kind nests deeper than a handful of levels; far deeper nesting is a mistake (or an attack)
# and is refused where it starts, well before Python's recursion limit.
MAX_DEPTH = 64


@dataclass
class Doc:
    """A parsed YAML file: its data and where each value (and each mapping key) stands."""

    file: str
    data: Any
    locs: dict[Path, Loc] = field(default_factory=dict)
    key_locs: dict[Path, Loc] = field(default_factory=dict)

    def at(self, path: Path) -> Loc:
        """The location of the value at `path`, or of its nearest located ancestor."""
        path = tuple(path)
        while path:
            if path in self.locs:
                return self.locs[path]
            path = path[:-1]
        return self.locs.get((), Loc(self.file, 1, 1))

    def key_at(self, path: Path) -> Loc:
        """The location of the key that names the value at `path` (or of the value itself)."""
        return self.key_locs.get(tuple(path)) or self.at(path)


class _Refused(Exception):
    """A YAML construct we refuse outright (anchors, aliases): parsing stops there."""

    def __init__(self, mark: yaml.Mark, message: str, hint: str) -> None:
        self.mark, self.message, self.hint = mark, message, hint


class _Unsure(Exception):
    """Something libyaml may place differently from the pure-Python parser: read the file with that one."""


def _loc(file: str, mark: yaml.Mark) -> Loc:
    return Loc(file, mark.line + 1, mark.column + 1)


def read_yaml(path: str, display: str | None = None) -> tuple[Doc | None, list[Problem]]:
    """Read and parse one YAML file; never raises for bad content."""
    name = display or path
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        return None, [Problem(Loc(name, 1, 1), f"a fájl nem olvasható: {exc.strerror}", "ellenőrizze a jogosultságokat")]
    return parse_yaml(raw, name)


def _decode(raw: bytes, name: str) -> tuple[str | None, list[Problem]]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        return None, [Problem(Loc(name, line, col), "a fájl nem UTF-8 kódolású",
                              "mentse el UTF-8 kódolással, a szerkesztő Mentés másként vagy Encoding menüjében")]


def _tabs(text: str, name: str) -> list[Problem]:
    if "\t" not in text:
        return []
    found = []
    for no, line in enumerate(text.splitlines(), 1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            found.append(Problem(Loc(name, no, indent.index("\t") + 1), "tabulátor a behúzásban",
                                 "a YAML csak szóközzel húzható be; cserélje a tabot szóközökre"))
    return found


def parse_yaml(raw: bytes, name: str) -> tuple[Doc | None, list[Problem]]:
    """Parse YAML bytes strictly into a Doc, collecting every problem found."""
    text, problems = _decode(raw, name)
    if text is None:
        return None, problems
    problems = _tabs(text, name)
    if problems:
        return None, problems
    return _clean(text, name) or _strict(text, name)


def _clean(text: str, name: str) -> tuple[Doc, list[Problem]] | None:
    """libyaml's reading of a file with nothing to report; None for any other file.

    Where libyaml and the pure-Python parser are known to differ, the file is left to the latter: a tab
    outside the indentation (libyaml takes it in plain text, PyYAML refuses it), a byte-order mark inside
    the text (libyaml counts it as a column), a control character, an empty value (in flow style libyaml
    places it one column off; no schema allows an empty value anyway), plain text with `?` or `:` inside
    [ ] or { } (PyYAML ends plain text at `?`, libyaml does not), any tag (`! ` before an empty value is
    text to libyaml, null to PyYAML), and a `#` on the header line of a | or > block (libyaml takes `>-#` as a
    comment, PyYAML refuses it).
    """
    if "\t" in text or "\ufeff" in text or yaml.reader.Reader.NON_PRINTABLE.search(text):
        return None
    loader = yaml.CSafeLoader(text)
    try:
        doc, problems = _read(loader, name, source=text)
    except (yaml.YAMLError, _Refused, _Unsure, RecursionError):
        return None
    finally:
        loader.dispose()
    return (doc, problems) if doc.data is not None and not problems else None


def _strict(text: str, name: str) -> tuple[Doc | None, list[Problem]]:
    """The pure-Python reading, with every problem located and worded."""
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:  # a control character (e.g. a pasted \x0b): raised before parsing starts
        before = text[: exc.position]
        loc = Loc(name, before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1)
        return None, [Problem(loc, f"nem megengedett vezérlőkarakter a szövegben (U+{exc.character:04X})",
                              "törölje ezt a láthatatlan karaktert (gyakran Wordből vagy PDF-ből másolt szövegben van)")]
    try:
        return _read(loader, name)
    except _Refused as exc:
        return None, [Problem(_loc(name, exc.mark), exc.message, exc.hint)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = _loc(name, mark) if mark else Loc(name, 1, 1)
        what = exc.problem or "YAML-szintaktikai hiba"
        return None, [Problem(loc, f"YAML-szintaktikai hiba: {what}", _syntax_hint(what))]
    except yaml.YAMLError as exc:
        return None, [Problem(Loc(name, 1, 1), f"YAML-szintaktikai hiba: {exc}", "ellenőrizze a fájlt")]
    finally:
        loader.dispose()


def _read(loader: yaml.SafeLoader | yaml.CSafeLoader, name: str, source: str | None = None) -> tuple[Doc, list[Problem]]:
    """One document read from the loader's events (as PyYAML's composer would), or the first error raised.

    `source` is the text libyaml reads: the reader then stops (`_Unsure`) where libyaml may differ.
    """
    doc = Doc(name, None)
    loader.get_event()  # the stream's start
    if isinstance(loader.get_event(), StreamEndEvent):
        doc.locs[()] = Loc(name, 1, 1)
        return doc, [Problem(Loc(name, 1, 1), *_EMPTY)]
    root = loader.get_event()
    reader = _Reader(doc, loader, source)
    doc.data = reader.value(root, (), None)
    loader.get_event()  # the document's end
    following = loader.get_event()
    if isinstance(following, DocumentStartEvent):
        raise yaml.composer.ComposerError("expected a single document in the stream", root.start_mark,
                                          "but found another document", following.start_mark)
    if doc.data is None and not reader.problems:  # `---`, `~` or `null` alone: as empty as an empty file
        return doc, [Problem(Loc(name, 1, 1), *_EMPTY)]
    return doc, reader.problems


def _refuse(event: Event) -> None:
    """Stop at an anchor or an alias (`event.anchor` is set on both), before anything could be expanded."""
    if isinstance(event, AliasEvent):
        raise _Refused(event.start_mark, f"hivatkozás (*{event.anchor}) nem használható",
                       "írja ki a szöveget újra; az aliasok tiltottak")
    if event.anchor:
        raise _Refused(event.start_mark, f"horgony (&{event.anchor}) nem használható",
                       "törölje a &-jelet és a nevet; a horgonyok és aliasok tiltottak")


def _flow_plain(event: ScalarEvent) -> None:
    """Leave plain text inside [ ] or { } with `?` or `:` to the pure-Python parser (they end it there)."""
    if not event.style and ("?" in event.value or ":" in event.value):
        raise _Unsure()


@lru_cache(maxsize=4096)
def _plain_tag(value: str) -> str:
    """The tag of an untagged plain scalar, by its look (keys and short answers recur in every file)."""
    return _RESOLVER.resolve(ScalarNode, value, (True, False))


_RESOLVER = yaml.resolver.Resolver()


class _Reader:
    """Turns a parser's events into plain data, recording locations and reporting traps.

    It runs once per value of every file, so it binds what it uses to attributes and dispatches on the
    event's class.
    """

    def __init__(self, doc: Doc, loader: yaml.SafeLoader | yaml.CSafeLoader, source: str | None) -> None:
        self.file, self.locs, self.key_locs = doc.file, doc.locs, doc.key_locs
        self.loader, self.source, self.fast, self.problems = loader, source, source is not None, []
        self.flow = 0  # how deep in [ ] and { } the fast reader is
        self.next: Callable[[], Event] = loader.get_event

    def _scalar_tag(self, event: ScalarEvent) -> str:
        """The tag PyYAML's composer gives a scalar: plain ones by their look, quoted ones are text."""
        tag = event.tag
        if tag is None or tag == "!":
            return _plain_tag(event.value) if event.implicit[0] else _STR
        return tag

    def value(self, event: Event, path: Path, key: str | None) -> Any:
        if event.anchor is not None:
            _refuse(event)
        if len(path) > MAX_DEPTH:
            raise _Refused(event.start_mark, f"túl mély egymásba ágyazás (több mint {MAX_DEPTH} szint)",
                           "ellenőrizze a behúzást és a zárójeleket; a fák ennél jóval laposabbak")
        if self.fast and event.tag is not None:
            raise _Unsure()
        mark = event.start_mark
        loc = Loc(self.file, mark.line + 1, mark.column + 1)
        self.locs[path] = loc
        kind = event.__class__
        if kind is ScalarEvent:
            if self.flow:
                _flow_plain(event)
            if self.fast and event.style in ("|", ">"):
                self._block_header(event)
            tag = self._scalar_tag(event)
        else:
            tag = event.tag
            if tag is None or tag == "!":
                tag = _RESOLVER.resolve(MappingNode if kind is MappingStartEvent else SequenceNode, None, event.implicit)
        if tag not in _STANDARD_TAGS:
            self.problems.append(Problem(loc, f"ismeretlen YAML-címke: {tag}", "törölje a !-lel kezdődő címkét"))
            self._skip(event)
            return None
        if kind is ScalarEvent:
            return self._scalar(event, tag, loc, key)
        flow = bool(self.fast and event.flow_style)
        self.flow += flow
        if kind is MappingStartEvent:
            out: Any = self._mapping(path)
        else:
            out = []
            item = self.next()
            while item.__class__ is not SequenceEndEvent:
                out.append(self.value(item, path + (len(out),), key))
                item = self.next()
        self.flow -= flow
        return out

    def _block_header(self, event: ScalarEvent) -> None:
        """Leave a | or > block with a `#` on its header line to the pure-Python parser."""
        assert self.source is not None
        start = event.start_mark.index
        end = self.source.find("\n", start)
        if "#" in self.source[start:end if end >= 0 else None]:
            raise _Unsure()

    def _skip(self, event: Event) -> None:
        """Consume a value left unread (under a bad key or tag), still refusing its anchors and aliases."""
        _refuse(event)
        depth = 1 if isinstance(event, (MappingStartEvent, SequenceStartEvent)) else 0
        while depth:  # a loop, not recursion: however deep the skipped value nests
            item = self.next()
            if isinstance(item, (MappingEndEvent, SequenceEndEvent)):
                depth -= 1
                continue
            _refuse(item)
            depth += isinstance(item, (MappingStartEvent, SequenceStartEvent))

    def _mapping(self, path: Path) -> dict[str, Any]:
        out: dict[str, Any] = {}
        first: dict[str, Loc] = {}
        key_event = self.next()
        while key_event.__class__ is not MappingEndEvent:
            if key_event.anchor is not None:
                _refuse(key_event)
            if self.fast and key_event.tag is not None:
                raise _Unsure()
            mark = key_event.start_mark
            key_loc = Loc(self.file, mark.line + 1, mark.column + 1)
            if key_event.__class__ is not ScalarEvent:
                self._skip(key_event)
                self._skip(self.next())
                self.problems.append(Problem(key_loc, "a kulcs csak egyszerű szöveg lehet", "írjon ide egy nevet"))
                key_event = self.next()
                continue
            if self.flow:
                _flow_plain(key_event)
            key = unicodedata.normalize("NFC", key_event.value)
            if not key_event.style and self._scalar_tag(key_event) != _STR:  # plain: None in PyYAML, "" in libyaml
                self.problems.append(Problem(key_loc, f"a(z) {key} kulcsot a YAML nem szövegként olvassa",
                                             f'tegye idézőjelbe: "{key}"'))
            if key in first:
                self.problems.append(Problem(key_loc, f"ismétlődő kulcs: {key} (először a(z) {first[key].line}. sorban)",
                                             "egy kulcs egy leképezésben csak egyszer szerepelhet; vonja össze vagy nevezze át"))
                self._skip(self.next())
            else:
                first[key] = key_loc
                key_path = path + (key,)
                self.key_locs[key_path] = key_loc
                out[key] = self.value(self.next(), key_path, key)
            key_event = self.next()
        return out

    def _scalar(self, event: ScalarEvent, tag: str, loc: Loc, key: str | None) -> Any:
        text = unicodedata.normalize("NFC", event.value)
        if tag == _STR:
            return text
        if tag == _NULL:
            if self.fast:
                raise _Unsure()
            return None
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            value = self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError, yaml.YAMLError):  # e.g. 2026-13-45: looks like a date but is none
            what = "nem létező dátumnak" if tag == "tag:yaml.org,2002:timestamp" else "hibás értéknek"
            self.problems.append(Problem(loc, f"a YAML az idézőjel nélküli {text} értéket {what} olvassa",
                                         f'dátumnál írjon valós napot ÉÉÉÉ-HH-NN alakban; szövegnél tegye idézőjelbe: "{text}"'))
            return text
        allowed = _NON_TEXT_KEYS.get(key or "")
        if allowed is dt.date and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value.isoformat()
        if allowed is not None and type(value) is allowed:
            return value
        self.problems.append(Problem(loc, _trap_message(text, value), f'tegye idézőjelbe: "{text}"'))
        return text


# Plain-language hints for the parser errors authors meet most often.
_SYNTAX_HINTS = (
    ("mapping values are not allowed", "a szövegben kettőspont áll: tegye az egész szöveget idézőjelbe, pl. \"Hibakód: K0505\""),
    ("could not find expected ':'", "hiányzik a kettőspont a kulcs után, vagy egy idézőjel nincs lezárva"),
    ("expected <block end>", "a behúzás nem egyezik a fölötte lévő sorokéval; igazítsa szóközökkel"),
    ("found unexpected end of stream", "egy idézőjel nincs lezárva"),
    ("found undefined alias", "a * jel csak idézőjelben használható; tegye a szöveget idézőjelbe"),
    ("expected ',' or ']'", "egy [ ] lista nincs lezárva, vagy vessző hiányzik az elemei között"),
    ("expected ',' or '}'", "egy { } leképezés nincs lezárva, vagy vessző hiányzik; a vesszőt tartalmazó szöveget tegye idézőjelbe"),
    ("found character that cannot start any token", "a sor elején álló @ vagy ` jel miatt: tegye a szöveget idézőjelbe"),
)


def _syntax_hint(problem: str) -> str:
    for needle, hint in _SYNTAX_HINTS:
        if needle in problem:
            return hint
    return "ellenőrizze a behúzást, a kettőspontokat és az idézőjeleket ezen a soron és előtte"


def _trap_message(text: str, value: Any) -> str:
    if isinstance(value, bool):
        return f"a YAML az idézőjel nélküli {text} értéket logikai {'igaz' if value else 'hamis'} értéknek olvassa, nem szövegnek"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"a YAML az idézőjel nélküli {text} értéket dátumnak olvassa, nem szövegnek"
    if isinstance(value, (int, float)):
        return f"a YAML az idézőjel nélküli {text} értéket a(z) {value!r} számnak olvassa, nem szövegnek"
    return f"a YAML az idézőjel nélküli {text} értéket nem szövegnek olvassa"
