"""Synthetic content in our YAML format, for the benchmark: a trees/ folder of any size that passes `check`.

Realistic in shape, not in meaning: Hungarian labels drawn from help-desk vocabulary, questions with
2-4 answers, steps with sub-steps, solved/escalate/continue outcomes, one catalogue code per tree
(K-codes, sub-codes, aliases, message-only errors) handled by a node, cross-tree links within a
system, cited source items, and a scenario test per tree. Same arguments, same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
import unicodedata
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["SynthInfo", "write_corpus", "TREES_PER_SYSTEM", "SOURCE_ITEMS", "main"]

TREES_PER_SYSTEM = 25  # trees per system (navigation group), as a county help desk would group them
SOURCE_ITEMS = 6  # items of each system's manual; every one is cited by some node
REVIEWED = "2026-11-01"
MODELINE = "# yaml-language-server: $schema=../generator/schemas/{kind}.schema.json\n"

_SYSTEMS = ["ASP Keretrendszer", "Ügyfélkapu+", "Gazdálkodási szakrendszer", "Adó szakrendszer",
            "Iratkezelő szakrendszer", "Ingatlanvagyon-kataszter", "Hagyatéki szakrendszer", "Anyakönyvi szakrendszer",
            "Ipar- és kereskedelmi szakrendszer", "Települési portál", "Elektronikus űrlapok", "Szociális szakrendszer"]
_OBJECTS = ["eSzemélyi kliens", "kártyaolvasó", "BALE eszköz", "Ügyfélkapu+ fiók", "böngésző", "személyes tanúsítvány",
            "PIN-kód", "hálózati kapcsolat", "tűzfal", "jelszó", "hitelesítő alkalmazás", "értesítési e-mail",
            "Java-környezet", "nyomtató", "iktatóprogram", "aláíró modul", "távoli asztal", "felhasználói fiók",
            "jogosultság", "tárhely"]
_PROBLEMS = ["nem indul el", "hibaüzenetet ad", "nem ismeri fel a kártyát", "lassan válaszol", "nem enged belépni",
             "elfelejtett adatok", "zárolva van", "lejárt", "nem jelenik meg", "hibás adatot mutat", "megszakad",
             "nem ment"]
_CONTEXTS = ["", "új gépen", "frissítés után", "otthoni munkavégzésnél", "helyettesítéskor"]
_QUESTIONS = ["Megjelenik a(z) {obj} ablaka?", "Működik a(z) {obj} egy másik gépen?",
              "Mit lát a(z) {obj} használatakor?", "Sikerült újraindítani a(z) {obj} alkalmazást?",
              "Szerepel a(z) {obj} a listában?", "Melyik böngészőben nyitotta meg az oldalt?",
              "Kapott hibakódot a(z) {obj} használatakor?", "Ki kezeli a(z) {obj} beállításait az önkormányzatnál?"]
_ANSWER_SETS = [["Igen", "Nem"], ["Igen", "Nem", "Nem tudom"], ["Igen, zöld pipával", "Igen, piros felkiáltójellel", "Nem látszik"],
                ["Chrome", "Edge", "Firefox", "Egyéb böngésző"],
                ["Hibaüzenetet kapok", "Üres oldal jelenik meg", "Semmi nem történik", "Lefagy a program"],
                ["A rendszergazda", "Én magam"], ["Kódot kaptam", "Csak szöveges üzenetet", "Semmit"]]
_STEPS = ["Indítsa újra a(z) {obj} alkalmazást, majd próbálja újra.", "Ellenőrizze a(z) {obj} beállításait.",
          "Törölje a böngésző gyorsítótárát, és nyissa meg újra az oldalt.", "Csatlakoztassa újra a(z) {obj} eszközt.",
          "Jelentkezzen ki, zárja be a böngészőt, majd lépjen be újra.", "Frissítse a(z) {obj} programot a legújabb változatra."]
_SUBSTEPS = ["Nyissa meg a Beállítások menüt.", "Válassza a Speciális fület.", "Kattintson a Mentés gombra.",
             "Várjon egy percet.", "Zárjon be minden böngészőablakot."]
_SOLVED = ["A belépés sikerül.", "A(z) {obj} ismét működik.", "Az oldal betöltődik, a munka folytatható.",
           "A hibaüzenet nem jelenik meg többé."]
_ESCALATE = ["Jelezze a hibát a(z) {team} felé.", "Kérjen segítséget a(z) {team} munkatársaitól."]
_TEAMS = ["ASP ügyfélszolgálat", "helyi rendszergazda", "kormányablak", "jegyzői titkárság"]
_DETAILS = ["A forrás szerint a(z) **{obj}** hibája gyakran átmeneti.\n\nHa a hiba ismétlődik, írja fel a pontos időpontot.",
            "A beállítás a `Vezérlőpult` alatt érhető el. Rendszergazdai jog kell hozzá.",
            "Ez a lépés *nem* törli a mentett adatokat."]
_INCLUDE = ["a hibaüzenet képernyőképe", "a felhasználó-azonosító", "a hiba időpontja", "a gép neve"]


@dataclass(frozen=True)
class SynthInfo:
    """What was written: counts, for the benchmark's table."""

    trees: int
    nodes: int
    codes: int
    systems: int


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_text).split())


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _systems(trees: int) -> list[tuple[str, str]]:
    """(id, title) of each system: one per TREES_PER_SYSTEM trees."""
    count = max(1, -(-trees // TREES_PER_SYSTEM))
    out = []
    for i in range(count):
        base = _SYSTEMS[i % len(_SYSTEMS)]
        title = base if i < len(_SYSTEMS) else f"{base} – {i // len(_SYSTEMS) + 1}. régió"
        out.append((f"{_slug(base)}-{i + 1}" if i >= len(_SYSTEMS) else _slug(base), title))
    return out


def _code(i: int, obj: str) -> tuple[str, dict[str, Any]]:
    """The catalogue code of tree `i`: mostly K-codes, every 5th with a sub-code, every 10th a message."""
    if i % 10 == 9:
        return f"A(z) {obj} nem érhető el (hibaazonosító: {i})", {"message": True}
    if i % 5 == 4:
        sub = 100 + i % 50
        return f"K{2000 + i:04d}(-{sub})", {"aliases": [f"K{2000 + i:04d} (-{sub})"]}
    return f"K{2000 + i:04d}", {}


def _tree(rng: random.Random, index: int, tree_id: str, title: str, system: str, size: int,
          code: str, source: str, obj: str) -> dict[str, Any]:
    """One tree as plain data: BFS growth of questions and steps, leftover answers go to shared outcomes."""
    nodes: dict[str, dict[str, Any]] = {}
    slots: deque[tuple[str, int | None]] = deque()  # (node id, answer index or None for `next`)

    def new_id(kind: str) -> str:
        return f"{kind}-{len(nodes) + 1}"

    def fill(slot: tuple[str, int | None], target: str) -> None:
        node_id, answer = slot
        if answer is None:
            nodes[node_id]["next"] = target
        else:
            nodes[node_id]["answers"][answer]["next"] = target

    def question() -> str:
        node_id = new_id("kerdes")
        labels = rng.choice(_ANSWER_SETS)
        nodes[node_id] = {"question": rng.choice(_QUESTIONS).format(obj=rng.choice(_OBJECTS)),
                          "answers": [{"label": label, "next": ""} for label in labels]}
        slots.extend((node_id, i) for i in range(len(labels)))
        return node_id

    start = question()
    while slots and len(nodes) + len(slots) < size:
        slot = slots.popleft()
        room = size - len(nodes) - len(slots)
        last = not slots  # the only open way left: grow, or the tree ends far below its size
        if room >= 4 and (last or rng.random() < 0.55):
            fill(slot, question())
        elif room >= 2 and (last or rng.random() < 0.7):
            node_id = new_id("lepes")
            nodes[node_id] = {"step": rng.choice(_STEPS).format(obj=rng.choice(_OBJECTS))}
            if rng.random() < 0.4:
                nodes[node_id]["steps"] = rng.sample(_SUBSTEPS, rng.randint(2, 4))
            slots.append((node_id, None))
            fill(slot, node_id)
        else:
            fill(slot, _outcome(rng, nodes, new_id("kimenet"), obj))
    outcomes = [n for n, d in nodes.items() if "outcome" in d]
    while slots:
        slot = slots.popleft()
        if len(nodes) < size or not outcomes:
            outcomes.append(_outcome(rng, nodes, new_id("kimenet"), obj))
            fill(slot, outcomes[-1])
        else:
            fill(slot, rng.choice(outcomes))
    ids = list(nodes)
    handler = next(n for n in ids if "step" in nodes[n] or "question" in nodes[n])
    nodes[handler]["codes"] = [code]
    for k, node_id in enumerate(ids):
        if k % 3 == 1:
            nodes[node_id]["details"] = rng.choice(_DETAILS).format(obj=obj)
        if k % 4 == 0:
            nodes[node_id]["sources"] = [f"{source}#{(index + k // 4) % SOURCE_ITEMS + 1}"]
    return {"id": tree_id, "title": title, "system": system, "start": start, "nodes": nodes, "obj": obj}


def _outcome(rng: random.Random, nodes: dict[str, dict[str, Any]], node_id: str, obj: str) -> str:
    if rng.random() < 0.6:
        nodes[node_id] = {"outcome": rng.choice(_SOLVED).format(obj=obj), "kind": "solved"}
    else:
        team = rng.choice(_TEAMS)
        nodes[node_id] = {"outcome": rng.choice(_ESCALATE).format(team=team), "kind": "escalate",
                          "contact": {"who": team, "channel": "e-mailben vagy telefonon",
                                      "include": rng.sample(_INCLUDE, 2)}}
    return node_id


def _link_trees(rng: random.Random, trees: list[dict[str, Any]]) -> None:
    """Cross-tree links within a system: one outcome per tree (a solved one if any) becomes `continue`."""
    by_system: dict[str, list[dict[str, Any]]] = {}
    for tree in trees:
        by_system.setdefault(tree["system"], []).append(tree)
    for group in by_system.values():
        if len(group) < 2:
            continue
        for i, tree in enumerate(group):
            other = group[(i + 1 + rng.randrange(len(group) - 1)) % len(group)]
            outcomes = [n for n, d in tree["nodes"].items() if "outcome" in d]
            solved = [n for n in outcomes if tree["nodes"][n]["kind"] == "solved"]
            target = other["id"] if i % 2 else f"{other['id']}#{rng.choice(list(other['nodes']))}"
            tree["nodes"][(solved or outcomes)[-1]] = {"outcome": f"A folytatás a(z) {other['title']} fában található.",
                                         "kind": "continue", "next": target}


def _scenario(tree: dict[str, Any]) -> tuple[list[str], str]:
    """Answers (the first each time) and the end, walking the tree as `check` does."""
    nodes, current, answers = tree["nodes"], tree["start"], []
    while True:
        node = nodes[current]
        if "outcome" in node:
            return answers, current
        if "question" in node:
            answers.append(node["answers"][0]["label"])
            target = node["answers"][0]["next"]
        else:
            target = node["next"]
        if target not in nodes:
            return answers, target
        current = target


def _tree_yaml(tree: dict[str, Any], order: int, summary: str) -> str:
    lines = [MODELINE.format(kind="tree"), f"id: {tree['id']}\n", f"title: {_q(tree['title'])}\n",
             f"summary: {_q(summary)}\n", f"system: {tree['system']}\n", "category: Belépés\n",
             "audience: [ügyintéző]\n", "owner: Megyei ügyfélszolgálat\n", f"reviewed: {REVIEWED}\n",
             f"order: {order}\n", "sources:\n", f"  - title: {_q('Felhasználói kézikönyv')}\n",
             "    url: https://example.org/kezikonyv.pdf\n", f"start: {tree['start']}\n", "nodes:\n"]
    for node_id, node in tree["nodes"].items():
        lines.append(f"  {node_id}:\n")
        for key in ("question", "step", "outcome", "kind"):
            if key in node:
                lines.append(f"    {key}: {_q(node[key]) if key != 'kind' else node[key]}\n")
        if "details" in node:
            lines.append(f"    details: {_q(node['details'])}\n")
        for key in ("steps", "codes", "sources"):
            if key in node:
                lines.append(f"    {key}: [{', '.join(_q(s) for s in node[key])}]\n")
        if "contact" in node:
            c = node["contact"]
            lines.append(f"    contact:\n      who: {_q(c['who'])}\n      channel: {_q(c['channel'])}\n"
                         f"      include: [{', '.join(_q(s) for s in c['include'])}]\n")
        if "answers" in node:
            lines.append("    answers:\n")
            lines.extend(f"      - label: {_q(a['label'])}\n        next: {a['next']}\n" for a in node["answers"])
        if "next" in node:
            lines.append(f"    next: {node['next']}\n")
    answers, end = _scenario(tree)
    lines.append(f"tests:\n  - name: {_q('első válaszok végig')}\n    answers: [{', '.join(_q(a) for a in answers)}]\n"
                 f"    expect: {end}\n")
    return "".join(lines)


def write_corpus(out: Path, trees: int, nodes: int, seed: int = 1) -> SynthInfo:
    """Write project.yaml, codes.yaml and `trees` tree files of about `nodes` nodes each into `out`."""
    rng = random.Random(f"{seed}-{trees}-{nodes}")
    out.mkdir(parents=True, exist_ok=True)
    systems = _systems(trees)
    combos = [(o, p, c) for c in _CONTEXTS for p in _PROBLEMS for o in _OBJECTS]
    made: list[dict[str, Any]] = []
    codes: list[tuple[str, dict[str, Any], str, str]] = []
    for i in range(trees):
        obj, problem, context = combos[(i * 7919) % len(combos)]  # 7919 is prime: a permutation
        title = f"{obj[0].upper()}{obj[1:]}: {problem}" + (f" {context}" if context else "")
        if i >= len(combos):
            title += f" ({i // len(combos) + 1}. eset)"
        system_id = systems[i // TREES_PER_SYSTEM][0]
        code, extra = _code(i, obj)
        tree_id = f"{_slug(obj)}-{i + 1}"
        codes.append((code, extra, system_id, title))
        made.append(_tree(rng, i, tree_id, title, system_id, nodes, code, f"kezikonyv-{system_id}", obj))
        made[-1]["problem"] = f"{problem} {context}".strip()
    _link_trees(rng, made)
    for i, tree in enumerate(made):
        summary = (f"Mit tegyen, ha a(z) {tree['obj']} {tree['problem']}. "
                   f"A lépések a(z) **{tree['obj']}** leggyakoribb hibáit sorolják fel.")
        (out / f"{tree['id']}.yaml").write_text(_tree_yaml(tree, i % TREES_PER_SYSTEM + 1, summary), encoding="utf-8")
    (out / "project.yaml").write_text(_project_yaml(systems), encoding="utf-8")
    (out / "codes.yaml").write_text(_codes_yaml(codes), encoding="utf-8")
    return SynthInfo(trees, sum(len(t["nodes"]) for t in made), len(codes), len(systems))


def _project_yaml(systems: list[tuple[str, str]]) -> str:
    lines = [MODELINE.format(kind="project"), "review_months: 12\n", "systems:\n"]
    for system_id, title in systems:
        lines.append(f"  - id: {system_id}\n    title: {_q(title)}\n    description: {_q(f'A(z) {title} belépési hibái.')}\n")
    lines.append("sources:\n")
    for system_id, title in systems:
        lines.append(f"  - id: kezikonyv-{system_id}\n    title: {_q(f'{title} – felhasználói kézikönyv')}\n"
                     f"    cite: {_q('{item}. fejezet')}\n    items: {SOURCE_ITEMS}\n")
    return "".join(lines)


def _codes_yaml(codes: list[tuple[str, dict[str, Any], str, str]]) -> str:
    lines = [MODELINE.format(kind="codes"), "codes:\n"]
    for i, (code, extra, system_id, title) in enumerate(codes):
        lines.append(f"  - code: {_q(code)}\n")
        if extra.get("message"):
            lines.append("    message: true\n")
        if extra.get("aliases"):
            lines.append(f"    aliases: [{', '.join(_q(a) for a in extra['aliases'])}]\n")
        lines.append(f"    system: {system_id}\n    title: {_q(title)}\n"
                     f"    meaning: {_q(f'A hiba a(z) {title.lower()} esetén jelenik meg.')}\n"
                     f"    todo: {_q('Kövesse a **lépésről lépésre** részt.')}\n")
        if i and codes[i - 1][2] == system_id:
            lines.append(f"    related: [{_q(codes[i - 1][0])}]\n")
        lines.append(f"    sources: [{_q(f'kezikonyv-{system_id}#{i % SOURCE_ITEMS + 1}')}]\n")
    return "".join(lines)


def main(argv: list[str] | None = None) -> int:
    """`python bench/synth.py OUT --trees N --nodes M`: write a synthetic trees/ folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--trees", type=int, default=10)
    parser.add_argument("--nodes", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    info = write_corpus(args.out, args.trees, args.nodes, args.seed)
    print(f"{info.trees} fa, {info.nodes} csomópont, {info.codes} kód, {info.systems} rendszer: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
