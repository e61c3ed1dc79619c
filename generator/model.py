"""The typed, immutable model of trees, codes and the project, each object with its source location."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

__all__ = [
    "Loc",
    "SourceRef",
    "Reference",
    "Answer",
    "Contact",
    "Node",
    "Scenario",
    "Tree",
    "CodeEntry",
    "System",
    "SourceDoc",
    "Project",
    "Corpus",
    "NodeKind",
    "OutcomeKind",
]

NodeKind = Literal["question", "step", "outcome"]
OutcomeKind = Literal["solved", "escalate", "continue"]


@dataclass(frozen=True, order=True)
class Loc:
    """Where something stands in a source file: path, 1-based line and column."""

    file: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class SourceRef:
    """A citation of one item of a source document, written `doc#item` (e.g. `gyik#4`)."""

    doc: str
    item: str
    loc: Loc


@dataclass(frozen=True)
class Reference:
    """A reader-facing reference of a tree: a document title, optional URL and chapter."""

    title: str
    url: str | None
    chapter: str | None
    loc: Loc


@dataclass(frozen=True)
class Answer:
    """One answer of a question: the label shown and the target it leads to."""

    label: str
    next: str
    loc: Loc


@dataclass(frozen=True)
class Contact:
    """Who to contact on an escalate outcome, through which channel, with what information."""

    who: str
    channel: str
    include: tuple[str, ...]
    loc: Loc


@dataclass(frozen=True)
class Node:
    """One node of a tree: a question, a step or an outcome.

    `text` holds the question, the instruction or the outcome text, by kind.
    `next` is the way on for a step and for a `continue` outcome (a target string).
    """

    id: str
    kind: NodeKind
    text: str
    loc: Loc
    answers: tuple[Answer, ...] = ()
    steps: tuple[str, ...] = ()
    next: str | None = None
    outcome: OutcomeKind | None = None
    contact: Contact | None = None
    details: str | None = None
    codes: tuple[str, ...] = ()
    code_locs: tuple[Loc, ...] = ()
    sources: tuple[SourceRef, ...] = ()
    next_loc: Loc | None = None

    def targets(self) -> tuple[tuple[str, Loc], ...]:
        """Every target this node leads to, with the location of the reference."""
        if self.kind == "question":
            return tuple((a.next, a.loc) for a in self.answers)
        if self.next is not None:
            return ((self.next, self.next_loc or self.loc),)
        return ()


@dataclass(frozen=True)
class Scenario:
    """A scenario test: answers given in order, and the outcome node that must be reached."""

    name: str
    answers: tuple[str, ...]
    expect: str
    loc: Loc
    answer_locs: tuple[Loc, ...] = ()
    expect_loc: Loc | None = None


@dataclass(frozen=True)
class Tree:
    """One troubleshooting tree, compiled from `trees/<id>.yaml`."""

    id: str
    title: str
    summary: str
    system: str
    start: str
    nodes: tuple[Node, ...]
    loc: Loc
    audience: tuple[str, ...] = ()
    category: str | None = None
    owner: str | None = None
    reviewed: _dt.date | None = None
    reviewed_loc: Loc | None = None
    references: tuple[Reference, ...] = ()
    scenarios: tuple[Scenario, ...] = ()
    start_loc: Loc | None = None
    order: int = 100

    def node(self, node_id: str) -> Node | None:
        """The node with this id (the first, if several share it), or None."""
        return self._nodes_by_id.get(node_id)

    @cached_property
    def _nodes_by_id(self) -> dict[str, Node]:
        # Built at the first lookup (links resolve per answer): not a field, so equality, hash and repr ignore it.
        index: dict[str, Node] = {}
        for n in self.nodes:
            index.setdefault(n.id, n)
        return index


@dataclass(frozen=True)
class CodeEntry:
    """One catalogue entry: an error code or, for errors without a code, the exact message."""

    code: str
    system: str
    title: str
    meaning: str
    todo: str
    loc: Loc
    aliases: tuple[str, ...] = ()
    alias_locs: tuple[Loc, ...] = ()
    message: bool = False
    related: tuple[str, ...] = ()
    related_locs: tuple[Loc, ...] = ()
    sources: tuple[SourceRef, ...] = ()


@dataclass(frozen=True)
class System:
    """A system the trees and codes belong to (e.g. ASP, Ügyfélkapu+), in navigation order."""

    id: str
    title: str
    description: str
    loc: Loc


@dataclass(frozen=True)
class SourceDoc:
    """A source document that nodes cite; `items` lists the items every one of which must be cited."""

    id: str
    title: str
    url: str | None
    cite: str
    items: tuple[str, ...]
    loc: Loc
    item_titles: tuple[tuple[str, str], ...] = ()

    def citation(self, item: str) -> str:
        """How one item is cited: the `cite` format filled with the item and its title."""
        title = dict(self.item_titles).get(item, item)
        return self.cite.replace("{item}", item).replace("{title}", title)


@dataclass(frozen=True)
class Project:
    """Project-wide settings from `trees/project.yaml`."""

    systems: tuple[System, ...]
    sources: tuple[SourceDoc, ...]
    loc: Loc
    review_months: int = 12
    missing: bool = False


@dataclass(frozen=True)
class Corpus:
    """Everything loaded from one trees/ folder."""

    project: Project
    trees: tuple[Tree, ...]
    codes: tuple[CodeEntry, ...]
    root: str = "trees"

    def tree(self, tree_id: str) -> Tree | None:
        """The tree with this id (the first, if several share it), or None."""
        return self._trees_by_id.get(tree_id)

    @cached_property
    def _trees_by_id(self) -> dict[str, Tree]:
        index: dict[str, Tree] = {}
        for t in self.trees:
            index.setdefault(t.id, t)
        return index
