"""Following a tree on the good corpus: resolving targets, walking answers, listing every path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.cli import main
from generator.graph import PathStep, Target, paths, resolve, walk
from generator.load import load_corpus
from generator.model import Corpus, Loc, Node, Project, Tree

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "tests" / "fixtures" / "good"


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    corpus, problems = load_corpus(str(GOOD))
    assert [p for p in problems if p.severity == "error"] == []
    return corpus


def tree(corpus: Corpus, tree_id: str) -> Tree:
    found = corpus.tree(tree_id)
    assert found is not None
    return found


# ---- resolve ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("seen_in, target, expected", [
    ("pin", "puk", Target("pin", "puk", False)),
    ("pin", "belepes", Target("belepes", "rendszer", True)),              # a tree: its start
    ("pin", "belepes#halozat-ellenorzes", Target("belepes", "halozat-ellenorzes", True)),
    ("pin", "pin#megoldva", Target("pin", "megoldva", False)),            # own tree, spelled out
    ("pin", "pin", Target("pin", "zarolt", False)),                       # own tree: its start
    ("belepes", "pin", Target("pin", "zarolt", True)),
    ("belepes", "kesz", Target("belepes", "kesz", False)),
])
def test_resolve(corpus: Corpus, seen_in: str, target: str, expected: Target) -> None:
    assert resolve(corpus, tree(corpus, seen_in), target) == expected


@pytest.mark.parametrize("target", ["nincs", "belepes#nincs", "nincs#kesz", "puk#megoldva", "kesz", ""])
def test_resolve_nowhere(corpus: Corpus, target: str) -> None:
    assert resolve(corpus, tree(corpus, "pin"), target) is None


def test_target_ref() -> None:
    assert Target("pin", "puk", False).ref == "puk"
    assert Target("belepes", "kesz", True).ref == "belepes#kesz"


# ---- walk: given these answers, where do we end? -----------------------------------------------------

@pytest.mark.parametrize("tree_id, answers, visited, end", [
    ("pin", ["K0517(-116)", "Igen"], ["zarolt", "puk", "sikerult", "megoldva"], "megoldva"),
    ("pin", ["K0517(-116)", "Nem"], ["zarolt", "puk", "sikerult", "kormanyhivatal"], "kormanyhivatal"),
    ("pin", ["K0506", "Igen", "Igen"], ["zarolt", "aktivalas", "sikerult", "megoldva"], "megoldva"),
    ("pin", ["K0506", "Igen", "Nem"], ["zarolt", "aktivalas", "sikerult", "kormanyhivatal"], "kormanyhivatal"),
    ("pin", ["K0506", "Nem"], ["zarolt", "aktivalas", "kormanyhivatal"], "kormanyhivatal"),
    ("pin", ["Webhely nem elérhető."], ["zarolt", "halozat"], "halozat"),
    ("belepes", ["ASP"], ["rendszer", "halozat-ellenorzes", "kesz"], "kesz"),   # the step is passed through
    ("belepes", ["PIN-probléma"], ["rendszer", "pin-fa"], "pin-fa"),            # a continue outcome ends the walk
])
def test_walk(corpus: Corpus, tree_id: str, answers: list[str], visited: list[str], end: str) -> None:
    result = walk(corpus, tree(corpus, tree_id), tuple(answers))
    assert result.error is None
    assert list(result.visited) == visited
    assert result.end == end
    assert result.used == len(answers)


@pytest.mark.parametrize("answers", [["k0506", " nem "], ["K0506", "NEM"], ["K0506", "Nem"]])
def test_walk_matches_labels_ignoring_case_and_spacing(corpus: Corpus, answers: list[str]) -> None:
    assert walk(corpus, tree(corpus, "pin"), tuple(answers)).end == "kormanyhivatal"


def test_walk_with_an_unknown_answer(corpus: Corpus) -> None:
    result = walk(corpus, tree(corpus, "pin"), ("K0506", "Talán"))
    assert result.end is None
    assert result.bad_answer == 1
    assert result.visited == ("zarolt", "aktivalas")
    assert "nincs ilyen válasza: Talán" in result.error


def test_walk_running_out_of_answers(corpus: Corpus) -> None:
    result = walk(corpus, tree(corpus, "pin"), ("K0506",))
    assert result.end is None and result.bad_answer is None
    assert "elfogytak a válaszok a(z) aktivalas kérdésnél" in result.error


def test_walk_stops_at_the_first_outcome_and_reports_unused_answers(corpus: Corpus) -> None:
    result = walk(corpus, tree(corpus, "pin"), ("Webhely nem elérhető.", "Igen"))
    assert result.end == "halozat" and result.used == 1 and result.error is None


# Small hand-built trees for what the good corpus does not contain.

def _node(node_id: str, kind: str, **kw) -> Node:
    return Node(id=node_id, kind=kind, text=node_id, loc=Loc("t.yaml", 1, 1), **kw)


def _corpus(*trees: Tree) -> Corpus:
    return Corpus(project=Project((), (), Loc("project.yaml")), trees=trees, codes=())


def _tree(tree_id: str, start: str, *nodes: Node) -> Tree:
    return Tree(id=tree_id, title=tree_id, summary="", system="asp", start=start, nodes=nodes,
                loc=Loc(f"{tree_id}.yaml"))


def test_walk_through_an_answer_into_another_tree_ends_there() -> None:
    from generator.model import Answer
    q = _node("q", "question", answers=(Answer("Máshol", "masik#b", Loc("a.yaml")), Answer("Itt", "vege", Loc("a.yaml"))))
    a = _tree("a", "q", q, _node("vege", "outcome", outcome="solved"))
    b = _tree("masik", "b", _node("b", "outcome", outcome="solved"))
    corpus = _corpus(a, b)
    result = walk(corpus, a, ("Máshol",))
    assert result.end == "masik#b" and result.error is None
    assert [list(p) for p in paths(corpus, a)] == [
        [PathStep("q", "Máshol"), PathStep("masik#b", None)],
        [PathStep("q", "Itt"), PathStep("vege", None)],
    ]


def test_walk_of_a_loop_without_exit_ends_with_an_error_not_a_hang() -> None:
    a = _tree("a", "x", _node("x", "step", next="y"), _node("y", "step", next="x"))
    result = walk(_corpus(a), a, ())
    assert result.end is None
    assert "körbe jár" in result.error
    assert list(paths(_corpus(a), a)) == []


def test_walk_to_a_missing_target() -> None:
    a = _tree("a", "x", _node("x", "step", next="nincs"))
    result = walk(_corpus(a), a, ())
    assert result.end is None and "a(z) nincs cél nem létezik" in result.error


def test_walk_without_start() -> None:
    a = _tree("a", "nincs", _node("x", "outcome", outcome="solved"))
    result = walk(_corpus(a), a, ())
    assert result.visited == () and result.end is None
    assert list(paths(_corpus(a), a)) == []


# ---- paths ------------------------------------------------------------------------------------------

def _render(path) -> str:
    return " ".join(f"{s.node}[{s.answer}]" if s.answer else s.node for s in path)


def test_paths_of_pin(corpus: Corpus) -> None:
    found = [_render(p) for p in paths(corpus, tree(corpus, "pin"))]
    assert len(found) == 6
    assert found == [
        "zarolt[K0517(-116)] puk sikerult[Igen] megoldva",
        "zarolt[K0517(-116)] puk sikerult[Nem] kormanyhivatal",
        "zarolt[K0506] aktivalas[Igen] sikerult[Igen] megoldva",
        "zarolt[K0506] aktivalas[Igen] sikerult[Nem] kormanyhivatal",
        "zarolt[K0506] aktivalas[Nem] kormanyhivatal",
        "zarolt[Webhely nem elérhető.] halozat",
    ]


def test_paths_of_belepes(corpus: Corpus) -> None:
    found = [_render(p) for p in paths(corpus, tree(corpus, "belepes"))]
    assert found == ["rendszer[ASP] halozat-ellenorzes kesz", "rendszer[PIN-probléma] pin-fa"]


@pytest.mark.parametrize("tree_id", ["pin", "belepes"])
def test_every_path_is_simple_ends_at_an_outcome_and_agrees_with_walk(corpus: Corpus, tree_id: str) -> None:
    t = tree(corpus, tree_id)
    for path in paths(corpus, t):
        nodes = [s.node for s in path]
        assert len(nodes) == len(set(nodes))
        assert nodes[0] == t.start
        end = t.node(nodes[-1])
        assert end is not None and end.kind == "outcome"
        answers = tuple(s.answer for s in path if s.answer is not None)
        result = walk(corpus, t, answers)
        assert result.error is None and list(result.visited) == nodes and result.used == len(answers)


def test_every_outcome_of_pin_is_on_some_path(corpus: Corpus) -> None:
    t = tree(corpus, "pin")
    ends = {p[-1].node for p in paths(corpus, t)}
    assert ends == {n.id for n in t.nodes if n.kind == "outcome"}


def test_paths_command(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["paths", "pin", "--trees", os.path.relpath(GOOD)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "1. zarolt --[K0517(-116)]--> puk --> sikerult --[Igen]--> megoldva"
    assert out[-1] == "6 út a(z) pin fában"
    assert len(out) == 7


def test_paths_command_unknown_tree(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["paths", "nincs", "--trees", str(GOOD)]) == 2
    assert "nincs ilyen fa: nincs" in capsys.readouterr().err
