"""Property tests: random valid trees pass `check`; random single mutations of them are caught and located.

A corpus is generated as plain data (a random DAG of questions, steps and outcomes of every kind, all reachable
from the start, some answers leading back to earlier questions), written out as YAML text by a small emitter, and
checked with the real loader and checker.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import load_and_check, main
from generator.problems import Problem, format_problem

MODELINE = "# yaml-language-server: $schema=../generator/schemas/{kind}.schema.json\n"
PROBLEM_LINE = re.compile(r"^.+\.yaml:\d+:\d+: .+ \(.+\)$")
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

OTHER_TREE = """\
id: masik
title: Másik fa
summary: A folytatás.
system: asp
reviewed: 2026-11-01
start: m-kezd
nodes:
  m-kezd:
    step: Indítsa újra a gépet.
    next: m-vege
  m-vege:
    outcome: Kész.
    kind: solved
"""
EXTERNAL_TARGETS = {"masik": "masik#m-kezd", "masik#m-kezd": "masik#m-kezd", "masik#m-vege": "masik#m-vege"}


# ---- a small YAML emitter ---------------------------------------------------------------------------

class Plain(str):
    """A scalar written without quotes (dates, known-safe words)."""


_PLAIN_SAFE = re.compile(r"[A-Za-zÁÉÍÓÖŐÚÜŰáéíóöőúüű]+( [A-Za-zÁÉÍÓÖŐÚÜŰáéíóöőúüű]+)*")
_YAML11_WORDS = {"yes", "no", "on", "off", "true", "false", "null", "y", "n"}


def scalar(value: Any) -> str:
    if isinstance(value, Plain):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    assert isinstance(value, str)
    if _PLAIN_SAFE.fullmatch(value) and value.casefold() not in _YAML11_WORDS and len(value) % 2 == 0:
        return value  # exercise plain scalars too
    return json.dumps(value, ensure_ascii=False)


def key_text(key: str) -> str:
    """A mapping key, quoted when YAML would not read it as text (node ids `0`, `1155`, `no`)."""
    return key if re.fullmatch(r"[a-z][a-z0-9_-]*", key) and key not in _YAML11_WORDS else json.dumps(key)


def emit(obj: Any, indent: int = 0) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(obj, dict):
        for key, value in obj.items():
            key = key_text(key)
            if isinstance(value, (dict, list)) and not value:
                lines.append(f"{pad}{key}: {'{}' if isinstance(value, dict) else '[]'}")
            elif isinstance(value, (dict, list)):
                lines.append(f"{pad}{key}:")
                lines += emit(value, indent + 2)
            else:
                lines.append(f"{pad}{key}: {scalar(value)}")
    else:
        for item in obj:
            if isinstance(item, (dict, list)):
                sub = emit(item, indent + 2)
                lines.append(f"{pad}- {sub[0][indent + 2:]}")
                lines += sub[1:]
            else:
                lines.append(f"{pad}- {scalar(item)}")
    return lines


# ---- random valid corpora ---------------------------------------------------------------------------

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZáéíóöőúüűÁÉŐŰ"
TEXT_ALPHABET = LETTERS + "0123456789 :#-&*!?%.,'\"()[]{}|>@`\\/" + "o\u030b"   # plus a decomposed ő
texts = st.text(TEXT_ALPHABET, min_size=1, max_size=16).filter(lambda s: any(c in LETTERS for c in s))
# Node texts and contacts may be typed on several lines (the emitter writes the break as `\n` in a double-quoted
# scalar). Answer labels and scenario names are not: `check` quotes them in its one-line problems.
multiline_texts = st.text(TEXT_ALPHABET + "\n", min_size=1, max_size=24).filter(lambda s: any(c in LETTERS for c in s))
slugs = st.from_regex(r"\A[a-z0-9]{1,8}(-[a-z0-9]{1,4}){0,2}\Z").filter(lambda s: s not in ("fa", "masik"))


def label_key(label: str) -> str:
    return " ".join(unicodedata.normalize("NFC", label).split()).casefold()


@dataclass
class Generated:
    tree: dict[str, Any]
    project: dict[str, Any]
    codes: dict[str, Any]
    node_ids: list[str]
    edges: list[tuple[str, ...]] = field(default_factory=list)   # paths (in tree data) of every `next`

    def files(self) -> dict[str, str]:
        return {
            "project.yaml": MODELINE.format(kind="project") + "\n".join(emit(self.project)) + "\n",
            "codes.yaml": MODELINE.format(kind="codes") + "\n".join(emit(self.codes)) + "\n",
            "fa.yaml": MODELINE.format(kind="tree") + "\n".join(emit(self.tree)) + "\n",
            "masik.yaml": MODELINE.format(kind="tree") + OTHER_TREE,
        }


@st.composite
def corpora(draw: st.DrawFn) -> Generated:
    max_inner = draw(st.integers(0, 8))
    # Abstract structure: kinds and edges by index; edges go forward (a DAG), except extra answers that go back.
    kinds: list[str] = []
    edges: dict[int, list[Any]] = {}
    pending: list[tuple[int, int]] = []

    def new(kind: str) -> int:
        kinds.append(kind)
        i = len(kinds) - 1
        if kind == "question":
            edges[i] = [None] * draw(st.integers(2, 4))
        elif kind in ("step", "continue"):
            edges[i] = [None]
        else:
            edges[i] = []
        if kind != "continue":
            pending.extend((i, pos) for pos in range(len(edges[i])))
        else:
            edges[i][0] = draw(st.sampled_from(sorted(EXTERNAL_TARGETS)))
        return i

    new(draw(st.sampled_from(["question", "step"])) if max_inner else draw(st.sampled_from(["solved", "escalate"])))
    while pending:
        owner, pos = pending.pop(0)
        inner = sum(k in ("question", "step") for k in kinds) < max_inner
        choices = ["solved", "escalate", "continue", "existing", "external"] + (["question", "step"] * 4 if inner else [])
        if kinds[owner] == "question" and pos > 0:
            choices.append("back")
        choice = draw(st.sampled_from(choices))
        later = [i for i in range(owner + 1, len(kinds))]
        earlier_questions = [i for i in range(owner) if kinds[i] == "question"] + [owner]
        if choice == "existing" and later:
            edges[owner][pos] = draw(st.sampled_from(later))
        elif choice == "back":
            edges[owner][pos] = draw(st.sampled_from(earlier_questions))
        elif choice == "external":
            edges[owner][pos] = draw(st.sampled_from(sorted(EXTERNAL_TARGETS)))
        else:
            edges[owner][pos] = new(choice if choice not in ("existing",) else "solved")

    ids = draw(st.lists(slugs, min_size=len(kinds), max_size=len(kinds), unique=True))

    def target(t: Any) -> str:
        return ids[t] if isinstance(t, int) else t

    nodes: dict[str, Any] = {}
    labels_of: dict[int, list[str]] = {}
    for i, kind in enumerate(kinds):
        node: dict[str, Any] = {}
        if kind == "question":
            node["question"] = draw(multiline_texts)
            labels = draw(st.lists(texts, min_size=len(edges[i]), max_size=len(edges[i]), unique_by=label_key))
            labels_of[i] = labels
            node["answers"] = [{"label": lab, "next": target(t)} for lab, t in zip(labels, edges[i])]
        elif kind == "step":
            node["step"] = draw(multiline_texts)
            if draw(st.booleans()):
                node["steps"] = draw(st.lists(multiline_texts, min_size=1, max_size=3))
            node["next"] = target(edges[i][0])
        else:
            node["outcome"] = draw(multiline_texts)
            node["kind"] = "continue" if kind == "continue" else kind
            if kind == "escalate":
                node["contact"] = {"who": draw(multiline_texts), "channel": draw(multiline_texts),
                                   "include": draw(st.lists(multiline_texts, min_size=1, max_size=3))}
            if kind == "continue":
                node["next"] = target(edges[i][0])
        if draw(st.booleans()):
            node["details"] = draw(st.sampled_from(["Lásd [a kézikönyvet](https://example.org/k.pdf).",
                                                    "Írjon a <mailto:help@example.org> címre.", "**Fontos:** ne várjon."]))
        nodes[ids[i]] = node

    # Catalogue: one K-code and one message, each handled by some node (any spelling of the code will do).
    code_node = draw(st.sampled_from(ids))
    nodes[code_node].setdefault("codes", []).append(draw(st.sampled_from(["K0517(-116)", "K0517 (-116)", "k0517/116"])))
    message_node = draw(st.sampled_from(ids))
    nodes[message_node].setdefault("codes", []).append("Webhely nem elérhető.")
    # Sources: every item of the document is cited by some node.
    items = draw(st.integers(1, 4))
    for item in range(1, items + 1):
        nodes[draw(st.sampled_from(ids))].setdefault("sources", []).append(f"gyik#{item}")

    # Scenarios: random walks along forward edges.
    scenarios = []
    for _ in range(draw(st.integers(0, 3))):
        at: Any = 0
        answers: list[str] = []
        while isinstance(at, int) and kinds[at] in ("question", "step"):
            if kinds[at] == "question":
                forward = [p for p, t in enumerate(edges[at]) if not isinstance(t, int) or t > at]
                pos = draw(st.sampled_from(forward))
                answers.append(labels_of[at][pos])
                at = edges[at][pos]
            else:
                at = edges[at][0]
        expect = ids[at] if isinstance(at, int) else EXTERNAL_TARGETS[at]
        scenarios.append({"name": draw(texts), "answers": answers, "expect": expect})

    tree: dict[str, Any] = {"id": "fa", "title": draw(texts), "summary": draw(texts), "system": "asp",
                            "audience": ["ügyintéző"], "reviewed": Plain("2026-11-01"),
                            "order": draw(st.integers(0, 50)), "start": ids[0], "nodes": nodes}
    if draw(st.booleans()):
        tree["sources"] = [{"title": draw(texts), "url": "https://example.org/k.pdf", "chapter": "9.5.1"}]
    if scenarios:
        tree["tests"] = scenarios
    project = {"review_months": 600, "systems": [{"id": "asp", "title": "ASP"}],
               "sources": [{"id": "gyik", "title": "GYIK", "cite": "{item}. kérdés", "items": items}]}
    codes = {"codes": [
        {"code": "K0517(-116)", "system": "asp", "title": "Zárolt PIN", "meaning": "Zárolva.", "todo": "PUK."},
        {"code": "Webhely nem elérhető.", "message": True, "system": "asp", "title": "Nem elérhető",
         "meaning": "Nem ismert.", "todo": "Hálózat."},
    ]}
    return Generated(tree, project, codes, ids)


# ---- running the checker ----------------------------------------------------------------------------

def write(folder: str, files: dict[str, str]) -> None:
    for name, text in files.items():
        with open(os.path.join(folder, name), "w", encoding="utf-8") as fh:
            fh.write(text)


def run_check(files: dict[str, str]) -> tuple[list[Problem], int, str]:
    with tempfile.TemporaryDirectory() as folder:
        write(folder, files)
        _, problems = load_and_check(folder)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["check", folder])
    assert "Traceback" not in out.getvalue() + err.getvalue()
    for p in problems:
        assert PROBLEM_LINE.match(format_problem(p)), format_problem(p)
        name = os.path.basename(p.loc.file)
        assert name in files, p
        assert 1 <= p.loc.line <= files[name].count("\n") + 1 and p.loc.col >= 1, p
    return [p for p in problems if p.severity == "error"], code, err.getvalue()


@SETTINGS
@given(corpora())
def test_random_valid_corpora_pass(generated: Generated) -> None:
    files = generated.files()
    errors, code, err = run_check(files)
    assert errors == [], "\n".join(map(format_problem, errors)) + "\n\n" + files["fa.yaml"]
    assert code == 0, err


# ---- mutations --------------------------------------------------------------------------------------

MUTATIONS = ["drop-node", "retarget", "duplicate-key", "break-type", "delete-required"]


def line_of(text: str, needle: str) -> int:
    for no, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return no
    raise AssertionError(needle)


@SETTINGS
@given(corpora(), st.sampled_from(MUTATIONS), st.data())
def test_random_mutations_are_caught_and_located(generated: Generated, mutation: str, data: st.DataObject) -> None:
    tree = generated.tree
    nodes: dict[str, Any] = tree["nodes"]
    expect_line: int | None = None
    expect_in: str

    if mutation == "drop-node":
        victim = data.draw(st.sampled_from(generated.node_ids))
        del nodes[victim]
        expect_in = "nem létezik"
        files = generated.files()
    elif mutation == "retarget":
        sites = [(n, i) for n, node in nodes.items() for i, _ in enumerate(node.get("answers", []))]
        sites += [(n, None) for n, node in nodes.items() if "next" in node]
        in_answer = False
        if not sites:  # a single outcome: nothing links anywhere; retarget the start instead
            tree["start"] = "nincs-ilyen"
            expect_in = "a kezdő csomópont (nincs-ilyen) nem létezik"
        else:
            node_id, i = data.draw(st.sampled_from(sites))
            if i is None:
                nodes[node_id]["next"] = "nincs-ilyen"
            else:
                nodes[node_id]["answers"][i]["next"] = "nincs-ilyen"
                in_answer = True
            expect_in = "a(z) nincs-ilyen cél nem létezik"
        files = generated.files()
        at = line_of(files["fa.yaml"], "nincs-ilyen")
        expect_line = at - 1 if in_answer else at   # an answer is located at its `- label:` line
    elif mutation == "duplicate-key":
        files = generated.files()
        lines = files["fa.yaml"].splitlines(keepends=True)
        candidates = [no for no, ln in enumerate(lines) if re.match(r"^ *[a-z_][a-z0-9_-]*:( |$)", ln)]
        no = data.draw(st.sampled_from(candidates))
        key = lines[no].split(":")[0].strip()
        lines.insert(no + 1, lines[no])
        files["fa.yaml"] = "".join(lines)
        expect_line = no + 2
        expect_in = f"ismétlődő kulcs: {key}"
    elif mutation == "break-type":
        sites: list[tuple[str, Any]] = [("title", tree)]
        for node in nodes.values():
            sites += [("label", a) for a in node.get("answers", [])]
            sites += [(k, node) for k in ("answers", "steps", "codes") if k in node]
            if "contact" in node:
                sites.append(("include", node["contact"]))
        name, owner = data.draw(st.sampled_from(sites))
        value = owner[name]
        owner[name] = ["nincs", "ilyen"] if isinstance(value, str) else "nem lista"
        files = generated.files()
        want = "lista" if isinstance(value, list) else "szöveg"
        expect_in = f"a(z) {name} mező értéke {want} legyen"
    else:  # delete-required
        sites = [("id", tree), ("title", tree), ("summary", tree), ("system", tree), ("reviewed", tree),
                 ("start", tree), ("nodes", tree)]
        for node in nodes.values():
            if "question" in node:
                sites.append(("answers", node))
                sites += [(k, a) for a in node["answers"] for k in ("label", "next")]
            elif "step" in node:
                sites.append(("next", node))
            else:
                sites.append(("kind", node))
                if "contact" in node:
                    sites += [("contact", node), ("who", node["contact"])]
        name, owner = data.draw(st.sampled_from(sites))
        del owner[name]
        files = generated.files()
        expect_in = f"hiányzik a(z) {name} mező"

    errors, code, err = run_check(files)
    shown = "\n".join(map(format_problem, errors)) + "\n\n" + files["fa.yaml"]
    assert errors, f"{mutation} not caught:\n{shown}"
    assert code == 1, err
    hits = [p for p in errors if expect_in in p.message]
    assert hits, f"{mutation}: no `{expect_in}` among:\n{shown}"
    if expect_line is not None:
        assert any(p.loc.line == expect_line and p.loc.file.endswith("fa.yaml") for p in hits), shown
