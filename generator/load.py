"""Load a trees/ folder into the model: read each file strictly, validate it, build typed objects."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from .model import (Answer, CodeEntry, Contact, Corpus, Loc, Node, Project, Reference, Scenario, SourceDoc,
                    SourceRef, System, Tree)
from .problems import Problem
from .schema import validate
from .yamlread import Doc, read_yaml

__all__ = ["load_corpus", "PROJECT_FILE", "CODES_FILE", "MODELINE"]

PROJECT_FILE = "project.yaml"
CODES_FILE = "codes.yaml"
MODELINE = "# yaml-language-server: $schema="


def load_corpus(root: str) -> tuple[Corpus, list[Problem]]:
    """Load every YAML file under `root` (a trees/ folder, or one tree file) into a Corpus."""
    problems: list[Problem] = []
    files = _yaml_files(root)
    base = root if os.path.isdir(root) else os.path.dirname(root) or "."
    project: Project | None = None
    codes: list[CodeEntry] = []
    trees: list[Tree] = []
    for path in files:
        name = os.path.relpath(path)
        doc, found = read_yaml(path, name)
        problems.extend(found)
        if doc is None or doc.data is None:
            continue
        kind = _kind(path)
        problems.extend(_modeline(path, name, kind))
        problems.extend(validate(doc, kind))
        if not isinstance(doc.data, dict):
            continue
        if kind == "project":
            project = _project(doc)
        elif kind == "codes":
            codes.extend(_codes(doc))
        else:
            tree, found = _tree(doc)
            problems.extend(found)
            if tree is not None:
                trees.append(tree)
                stem = os.path.splitext(os.path.basename(path))[0]
                if tree.id != stem:
                    problems.append(Problem(doc.at(("id",)), f"a fa azonosítója ({tree.id}) nem egyezik a fájlnévvel ({stem}.yaml)",
                                            f"nevezze át a fájlt {tree.id}.yaml-ra, vagy írja az id-t {stem}-ra"))
    if project is None:
        project_loc = Loc(os.path.relpath(os.path.join(base, PROJECT_FILE)), 1, 1)
        if os.path.isdir(root) and not os.path.exists(os.path.join(base, PROJECT_FILE)):
            problems.append(Problem(project_loc, "hiányzik a project.yaml", "hozza létre a rendszerek listájával, lásd docs/format.md"))
        project = Project(systems=(), sources=(), loc=project_loc, missing=True)
    return Corpus(project=project, trees=tuple(trees), codes=tuple(codes), root=base), problems


def _yaml_files(root: str) -> list[str]:
    if os.path.isfile(root):
        folder = os.path.dirname(root) or "."
        extra = [os.path.join(folder, f) for f in (PROJECT_FILE, CODES_FILE) if os.path.exists(os.path.join(folder, f))]
        return sorted(set(extra + [root]))
    out = []
    for name in sorted(os.listdir(root)):
        if name.endswith((".yaml", ".yml")) and not name.startswith("."):
            out.append(os.path.join(root, name))
    return out


def _kind(path: str) -> str:
    base = os.path.basename(path)
    if base == PROJECT_FILE:
        return "project"
    if base == CODES_FILE:
        return "codes"
    return "tree"


def _modeline(path: str, name: str, kind: str) -> list[Problem]:
    with open(path, "rb") as fh:
        first = fh.readline().decode("utf-8", "replace").lstrip("\ufeff").strip()
    if first.startswith(MODELINE) and first.endswith(f"{kind}.schema.json"):
        return []
    return [Problem(Loc(name, 1, 1), "hiányzik a szerkesztőnek szóló séma-sor az első sorból",
                    f"az első sor legyen: {MODELINE}../generator/schemas/{kind}.schema.json", "warning")]


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _texts(value: Any) -> tuple[str, ...]:
    return tuple(v.strip() for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _source_refs(doc: Doc, value: Any, path: tuple[Any, ...]) -> tuple[SourceRef, ...]:
    refs = []
    for i, item in enumerate(value if isinstance(value, list) else []):
        if isinstance(item, str) and "#" in item:
            doc_id, _, part = item.partition("#")
            refs.append(SourceRef(doc_id, part, doc.at(path + (i,))))
    return tuple(refs)


def _project(doc: Doc) -> Project:
    data = doc.data
    systems = tuple(
        System(_text(s.get("id")), _text(s.get("title")), _text(s.get("description")), doc.at(("systems", i)))
        for i, s in enumerate(data.get("systems") or []) if isinstance(s, dict))
    sources = []
    for i, s in enumerate(data.get("sources") or []):
        if not isinstance(s, dict):
            continue
        items = s.get("items")
        named = [(it, it) if isinstance(it, str) else (_text(it.get("id")), _text(it.get("title")))
                 for it in (items if isinstance(items, list) else []) if isinstance(it, (str, dict))]
        listed = tuple(str(n) for n in range(1, items + 1)) if isinstance(items, int) else tuple(i for i, _ in named)
        sources.append(SourceDoc(_text(s.get("id")), _text(s.get("title")), s.get("url") if isinstance(s.get("url"), str) else None,
                                 _text(s.get("cite")) or "{item}", listed, doc.at(("sources", i)), tuple(named)))
    months = data.get("review_months")
    return Project(systems, tuple(sources), doc.at(()), months if isinstance(months, int) else 12)


def _codes(doc: Doc) -> list[CodeEntry]:
    out = []
    for i, e in enumerate(doc.data.get("codes") or []):
        if not isinstance(e, dict) or not isinstance(e.get("code"), str):
            continue
        p = ("codes", i)
        aliases = _texts(e.get("aliases"))
        related = _texts(e.get("related"))
        out.append(CodeEntry(
            code=e["code"].strip(), system=_text(e.get("system")), title=_text(e.get("title")),
            meaning=_text(e.get("meaning")), todo=_text(e.get("todo")), loc=doc.at(p + ("code",)),
            aliases=aliases, alias_locs=tuple(doc.at(p + ("aliases", j)) for j in range(len(aliases))),
            message=e.get("message") is True, related=related,
            related_locs=tuple(doc.at(p + ("related", j)) for j in range(len(related))),
            sources=_source_refs(doc, e.get("sources"), p + ("sources",))))
    return out


def _tree(doc: Doc) -> tuple[Tree | None, list[Problem]]:
    data = doc.data
    if not isinstance(data.get("id"), str):
        return None, []
    nodes = []
    problems: list[Problem] = []
    raw_nodes = data.get("nodes") if isinstance(data.get("nodes"), dict) else {}
    for node_id, raw in raw_nodes.items():
        node = _node(doc, node_id, raw, problems)
        if node is not None:
            nodes.append(node)
    refs = tuple(
        Reference(_text(r.get("title")), r.get("url") if isinstance(r.get("url"), str) else None,
                  _text(r.get("chapter")) or None, doc.at(("sources", i)))
        for i, r in enumerate(data.get("sources") or []) if isinstance(r, dict))
    scenarios = []
    for i, s in enumerate(data.get("tests") or []):
        if isinstance(s, dict):
            answers = _texts(s.get("answers"))
            scenarios.append(Scenario(_text(s.get("name")), answers, _text(s.get("expect")), doc.at(("tests", i)),
                                      tuple(doc.at(("tests", i, "answers", j)) for j in range(len(answers))),
                                      doc.at(("tests", i, "expect"))))
    reviewed = None
    if isinstance(data.get("reviewed"), str):
        try:
            reviewed = dt.date.fromisoformat(data["reviewed"])
        except ValueError:
            reviewed = None
    order = data.get("order")
    return Tree(
        id=data["id"], title=_text(data.get("title")), summary=_text(data.get("summary")),
        system=_text(data.get("system")), start=_text(data.get("start")), nodes=tuple(nodes), loc=doc.at(()),
        audience=_texts(data.get("audience")), category=_text(data.get("category")) or None,
        owner=_text(data.get("owner")) or None, reviewed=reviewed, reviewed_loc=doc.at(("reviewed",)),
        references=refs, scenarios=tuple(scenarios), start_loc=doc.at(("start",)),
        order=order if isinstance(order, int) else 100), problems


# Fields that belong to one node kind only.
_KIND_FIELDS = {"answers": "question", "steps": "step", "kind": "outcome", "contact": "outcome"}
_KIND_NAMES = {"question": "kérdésnél (question)", "step": "teendőnél (step)", "outcome": "kimenetnél (outcome)"}


def _node(doc: Doc, node_id: str, raw: Any, problems: list[Problem]) -> Node | None:
    if not isinstance(raw, dict):
        return None
    p = ("nodes", node_id)
    loc = doc.key_at(p)
    kinds = [k for k in ("question", "step", "outcome") if k in raw]
    if len(kinds) != 1:
        what = "több fajtája is van: " + ", ".join(kinds) if kinds else "nincs fajtája"
        problems.append(Problem(loc, f"a(z) {node_id} csomópontnak {what}",
                                "egy csomópont pontosan egy legyen: question (kérdés), step (teendő) vagy outcome (kimenet)"))
        if not kinds:
            return None
    # With several kinds, keep the node as its first kind, so links to it do not read as "does not exist".
    kind = kinds[0]
    for key, owner in _KIND_FIELDS.items():
        if key in raw and owner != kind:
            problems.append(Problem(doc.key_at(p + (key,)), f"a(z) {key} mező csak {_KIND_NAMES[owner]} használható",
                                    f"törölje, vagy tegye a csomópontot {owner} fajtájúvá"))
    if kind == "question" and "next" in raw:
        problems.append(Problem(doc.key_at(p + ("next",)), "kérdésnek nincs next mezője",
                                "a kérdés válaszai (answers) mondják meg, hová vezet"))
    if kind == "outcome" and "next" in raw and raw.get("kind") != "continue":
        problems.append(Problem(doc.key_at(p + ("next",)), "next csak continue fajtájú kimenetnél használható",
                                "törölje a next mezőt, vagy legyen kind: continue"))
    answers = tuple(
        Answer(_text(a.get("label")), _text(a.get("next")), doc.at(p + ("answers", i)))
        for i, a in enumerate(raw.get("answers") or []) if isinstance(a, dict))
    contact = None
    if isinstance(raw.get("contact"), dict):
        c = raw["contact"]
        contact = Contact(_text(c.get("who")), _text(c.get("channel")), _texts(c.get("include")), doc.at(p + ("contact",)))
    codes = _texts(raw.get("codes"))
    outcome = raw.get("kind") if raw.get("kind") in ("solved", "escalate", "continue") else None
    return Node(
        id=node_id, kind=kind, text=_text(raw.get(kind)), loc=loc, answers=answers, steps=_texts(raw.get("steps")),
        next=_text(raw.get("next")) or None, outcome=outcome if kind == "outcome" else None, contact=contact,
        details=_text(raw.get("details")) or None, codes=codes,
        code_locs=tuple(doc.at(p + ("codes", i)) for i in range(len(codes))),
        sources=_source_refs(doc, raw.get("sources"), p + ("sources",)), next_loc=doc.at(p + ("next",)))
