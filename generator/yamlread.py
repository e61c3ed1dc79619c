"""Strict YAML reading: plain data plus the location of every value, and every YAML trap reported."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .model import Loc
from .problems import Problem

__all__ = ["Doc", "Path", "read_yaml", "parse_yaml"]

Path = tuple[Any, ...]

# Keys whose values may legitimately be YAML numbers, booleans or dates.
_NON_TEXT_KEYS = {"items": int, "order": int, "review_months": int, "message": bool, "reviewed": dt.date}
_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


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


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases before anything is expanded (no alias bombs)."""

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:  # type: ignore[override]
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(event.start_mark, f"hivatkozás (*{event.anchor}) nem használható",
                           "írja ki a szöveget újra; az aliasok tiltottak")
        if getattr(event, "anchor", None):
            raise _Refused(event.start_mark, f"horgony (&{event.anchor}) nem használható",
                           "törölje a &-jelet és a nevet; a horgonyok és aliasok tiltottak")
        return super().compose_node(parent, index)


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
    try:
        loader = _StrictLoader(text)
    except yaml.reader.ReaderError as exc:  # a control character (e.g. a pasted \x0b): raised before parsing starts
        before = text[: exc.position]
        loc = Loc(name, before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1)
        return None, [Problem(loc, f"nem megengedett vezérlőkarakter a szövegben (U+{exc.character:04X})",
                              "törölje ezt a láthatatlan karaktert (gyakran Wordből vagy PDF-ből másolt szövegben van)")]
    try:
        root = loader.get_single_node()
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
    doc = Doc(name, None)
    if root is None:
        doc.locs[()] = Loc(name, 1, 1)
        return doc, [Problem(Loc(name, 1, 1), "a fájl üres", "írja bele a tartalmat a minta szerint")]
    builder = _Builder(doc, loader)
    doc.data = builder.value(root, (), None)
    if doc.data is None and not builder.problems:  # `---`, `~` or `null` alone: as empty as an empty file
        return doc, [Problem(Loc(name, 1, 1), "a fájl üres", "írja bele a tartalmat a minta szerint")]
    return doc, builder.problems


class _Builder:
    """Turns composed YAML nodes into plain data, recording locations and reporting traps."""

    def __init__(self, doc: Doc, loader: yaml.SafeLoader) -> None:
        self.doc, self.loader, self.problems = doc, loader, []

    def value(self, node: Node, path: Path, key: str | None) -> Any:
        loc = _loc(self.doc.file, node.start_mark)
        self.doc.locs[path] = loc
        if node.tag not in _STANDARD_TAGS:
            self.problems.append(Problem(loc, f"ismeretlen YAML-címke: {node.tag}", "törölje a !-lel kezdődő címkét"))
            return None
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.value(item, path + (i,), key) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        return self._scalar(node, loc, key)

    def _mapping(self, node: MappingNode, path: Path) -> dict[str, Any]:
        out: dict[str, Any] = {}
        first: dict[str, Loc] = {}
        for key_node, value_node in node.value:
            key_loc = _loc(self.doc.file, key_node.start_mark)
            if not isinstance(key_node, ScalarNode):
                self.problems.append(Problem(key_loc, "a kulcs csak egyszerű szöveg lehet", "írjon ide egy nevet"))
                continue
            key = unicodedata.normalize("NFC", key_node.value)
            if key_node.style is None and key_node.tag != "tag:yaml.org,2002:str":
                self.problems.append(Problem(key_loc, f"a(z) {key} kulcsot a YAML nem szövegként olvassa",
                                             f'tegye idézőjelbe: "{key}"'))
            if key in first:
                self.problems.append(Problem(key_loc, f"ismétlődő kulcs: {key} (először a(z) {first[key].line}. sorban)",
                                             "egy kulcs egy leképezésben csak egyszer szerepelhet; vonja össze vagy nevezze át"))
                continue
            first[key] = key_loc
            self.doc.key_locs[path + (key,)] = key_loc
            out[key] = self.value(value_node, path + (key,), key)
        return out

    def _scalar(self, node: ScalarNode, loc: Loc, key: str | None) -> Any:
        text = unicodedata.normalize("NFC", node.value)
        if node.tag == "tag:yaml.org,2002:str":
            return text
        if node.tag == "tag:yaml.org,2002:null":
            return None
        try:
            value = self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError, yaml.YAMLError):  # e.g. 2026-13-45: looks like a date but is none
            what = "nem létező dátumnak" if node.tag == "tag:yaml.org,2002:timestamp" else "hibás értéknek"
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
