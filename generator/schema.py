"""JSON Schema validation of parsed files, with errors turned into plain, located problems.

A file is first checked by the schema compiled to Python code (fastjsonschema, over ten times faster); only a
file it finds fault with is validated again by jsonschema, whose errors are the ones explained to authors.
The compiled check is never more lenient: it writes the patterns' `$` as `\\Z`, the stricter reading.
"""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Callable, Iterator

import fastjsonschema

from .problems import Problem
from .yamlread import Doc

if TYPE_CHECKING:
    import jsonschema

__all__ = ["validate", "schema_for", "SCHEMA_FILES"]

SCHEMA_FILES = {"tree": "tree.schema.json", "codes": "codes.schema.json", "project": "project.schema.json"}
_TYPE_NAMES = {"string": "szöveg", "array": "lista", "object": "leképezés (kulcs: érték)", "integer": "egész szám",
               "boolean": "true vagy false", "number": "szám"}
_SLUG_HINT = "csak kisbetű, számjegy és kötőjel: pl. pin-kod-zarolva"


@lru_cache(maxsize=None)
def schema_for(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft-07) of a file kind: 'tree', 'codes' or 'project'."""
    text = resources.files("generator.schemas").joinpath(SCHEMA_FILES[kind]).read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=None)
def _validator(kind: str) -> jsonschema.Draft7Validator:
    import jsonschema  # on the first faulty file only: importing it takes about 0.1 s of every build

    return jsonschema.Draft7Validator(schema_for(kind))


@lru_cache(maxsize=None)
def _quick(kind: str) -> Callable[[Any], Any]:
    return fastjsonschema.compile(schema_for(kind))


def validate(doc: Doc, kind: str) -> list[Problem]:
    """Every schema problem of `doc`, located and phrased for a maintainer."""
    try:
        _quick(kind)(doc.data)
        return []
    except fastjsonschema.JsonSchemaValueException:
        pass
    found: list[Problem] = []
    for error in _leaves(_validator(kind).iter_errors(doc.data)):
        found.extend(_explain(doc, error))
    return found


def _leaves(errors: Any) -> Iterator[jsonschema.ValidationError]:
    """The most specific errors: descend into if/then and allOf so authors see the real cause."""
    for error in errors:
        if error.context:
            # oneOf/anyOf: a branch of another type is not what the author meant (items: 0 is a bad number, not a bad list)
            leaves = list(_leaves(error.context))
            yield from [e for e in leaves if e.validator != "type"] or leaves
        else:
            yield error


def _field(path: tuple[Any, ...]) -> str:
    names = [str(p) for p in path if not isinstance(p, int)]
    return names[-1] if names else "a fájl"


def _explain(doc: Doc, error: jsonschema.ValidationError) -> list[Problem]:
    path = tuple(error.absolute_path)
    loc = doc.at(path)
    name = _field(path)
    v = error.validator
    if "propertyNames" in error.schema_path:  # a bad key (e.g. a node id): point at the key, not at the mapping
        return [Problem(doc.key_at(path + (error.instance,)), f"érvénytelen azonosító: {error.instance}", _SLUG_HINT)]
    if v == "required":
        missing = error.message.split("'")[1]
        where = f" ({_field(path)})" if path else ""
        return [Problem(loc, f"hiányzik a(z) {missing} mező{where}", f"adja hozzá: {missing}: ...")]
    if v == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in allowed]
        out = []
        for key in extra:
            guess = difflib.get_close_matches(key, allowed, n=1)
            hint = f"erre gondolt: {guess[0]}?" if guess else "a megengedett mezők: " + ", ".join(allowed)
            out.append(Problem(doc.key_at(path + (key,)), f"ismeretlen mező: {key}", hint))
        return out
    if v == "type":
        want = error.validator_value if isinstance(error.validator_value, str) else error.validator_value[0]
        if error.instance is None:
            return [Problem(loc, f"a(z) {name} mező üres", f"írjon ide egy értéket ({_TYPE_NAMES.get(want, want)})")]
        return [Problem(loc, f"a(z) {name} mező értéke {_TYPE_NAMES.get(want, want)} legyen", "lásd a formátum leírását a README-ben")]
    if v in ("minLength",) or (v == "pattern" and error.validator_value == "\\S"):
        return [Problem(loc, f"a(z) {name} szövege üres", "írja be a szöveget")]
    if v == "pattern":
        return [_pattern_problem(doc, path, name, error)]
    if v in ("minItems", "minProperties"):
        return [Problem(loc, f"a(z) {name} lista üres", "adjon meg legalább egy elemet")]
    if v in ("enum", "const"):
        options = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        return [Problem(loc, f"érvénytelen érték: {error.instance}", "lehetséges értékek: " + ", ".join(map(str, options)))]
    if v == "minimum":
        return [Problem(loc, f"a(z) {name} értéke legalább {error.validator_value} legyen", "javítsa a számot")]
    if v == "maxLength":
        return [Problem(loc, f"a(z) {name} túl hosszú (legfeljebb {error.validator_value} karakter)", "rövidítse")]
    return [Problem(loc, f"a(z) {name} mező hibás: {error.message}", "lásd a formátum leírását a README-ben")]


def _pattern_problem(doc: Doc, path: tuple[Any, ...], name: str, error: jsonschema.ValidationError) -> Problem:
    value = error.instance
    pattern = error.validator_value
    if pattern.startswith("^(https?"):
        return Problem(doc.at(path), f"nem engedélyezett hivatkozás: {value}",
                       "csak http://, https:// vagy mailto: kezdetű cím adható meg")
    if "#[A-Za-z0-9" in pattern:
        return Problem(doc.at(path), f"érvénytelen forrás-hivatkozás: {value}", "alakja forrás#tétel, pl. gyik#4")
    if "(#[a-z0-9" in pattern:
        return Problem(doc.at(path), f"érvénytelen cél: {value}", "alakja csomópont, fa vagy fa#csomópont, " + _SLUG_HINT)
    if pattern.startswith("^\\d{4}"):
        return Problem(doc.at(path), f"érvénytelen dátum: {value}", "alakja ÉÉÉÉ-HH-NN, pl. 2026-11-21")
    return Problem(doc.at(path), f"érvénytelen azonosító a(z) {name} mezőben: {value}", _SLUG_HINT)
