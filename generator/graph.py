"""Following a tree: resolving `next` targets, walking scenarios, listing every path to an outcome."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from .model import Corpus, Node, Tree

__all__ = ["Target", "resolve", "walk", "Walk", "paths", "PathStep"]


@dataclass(frozen=True)
class Target:
    """Where a `next` leads: a node of some tree; `external` when that tree is another one."""

    tree: str
    node: str
    external: bool

    @property
    def ref(self) -> str:
        """The target written as in YAML: `node` for the same tree, `tree#node` otherwise."""
        return f"{self.tree}#{self.node}" if self.external else self.node


def resolve(corpus: Corpus, tree: Tree, target: str) -> Target | None:
    """Resolve a `next` value (`node`, `tree` or `tree#node`) seen in `tree`; None when it leads nowhere."""
    if "#" in target:
        tree_id, _, node_id = target.partition("#")
        other = corpus.tree(tree_id)
        if other is None or other.node(node_id) is None:
            return None
        return Target(tree_id, node_id, tree_id != tree.id)
    if tree.node(target) is not None:
        return Target(tree.id, target, False)
    other = corpus.tree(target)
    if other is not None and other.node(other.start) is not None:
        return Target(other.id, other.start, other.id != tree.id)
    return None


@dataclass(frozen=True)
class Walk:
    """The result of giving answers in order: the nodes visited and where the walk ended."""

    visited: tuple[str, ...]
    end: str | None
    used: int
    error: str | None = None
    bad_answer: int | None = None


def walk(corpus: Corpus, tree: Tree, answers: tuple[str, ...], limit: int = 10_000) -> Walk:
    """Walk `tree` from its start giving `answers` to questions; steps are passed through.

    Ends at the first outcome node, or at a link into another tree (end is then `tree#node`).
    """
    current: Node | None = tree.node(tree.start)
    visited: list[str] = []
    used = 0
    while current is not None and len(visited) < limit:
        visited.append(current.id)
        if current.kind == "outcome":
            return Walk(tuple(visited), current.id, used)
        if current.kind == "question":
            if used >= len(answers):
                return Walk(tuple(visited), None, used, f"elfogytak a válaszok a(z) {current.id} kérdésnél")
            label = answers[used]
            match = next((a for a in current.answers if _same_label(a.label, label)), None)
            if match is None:
                return Walk(tuple(visited), None, used, f"a(z) {current.id} kérdésnek nincs ilyen válasza: {label}", used)
            used += 1
            nxt = match.next
        else:
            nxt = current.next or ""
        target = resolve(corpus, tree, nxt)
        if target is None:
            return Walk(tuple(visited), None, used, f"a(z) {nxt} cél nem létezik")
        if target.external:
            return Walk(tuple(visited), target.ref, used)
        current = tree.node(target.node)
    return Walk(tuple(visited), None, used, "a bejárás körbe jár, nem ér kimenethez")


def _same_label(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


@dataclass(frozen=True)
class PathStep:
    """One step of a path: the node, and the answer label given there (None for steps and the end)."""

    node: str
    answer: str | None


def paths(corpus: Corpus, tree: Tree) -> Iterator[tuple[PathStep, ...]]:
    """Every simple path from the start to an outcome or to a link into another tree."""
    start = tree.node(tree.start)
    if start is None:
        return

    def go(node: Node, trail: tuple[PathStep, ...], seen: frozenset[str]) -> Iterator[tuple[PathStep, ...]]:
        if node.kind == "outcome":
            yield trail + (PathStep(node.id, None),)
            return
        edges = [(a.label, a.next) for a in node.answers] if node.kind == "question" else [(None, node.next or "")]
        for label, nxt in edges:
            step = PathStep(node.id, label)
            target = resolve(corpus, tree, nxt)
            if target is None:
                continue
            if target.external:
                yield trail + (step, PathStep(target.ref, None))
            elif target.node not in seen:
                following = tree.node(target.node)
                if following is not None:
                    yield from go(following, trail + (step,), seen | {target.node})

    yield from go(start, (), frozenset({start.id}))
