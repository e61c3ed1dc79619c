"""The model's lookups by id: the first object with the id, through an index that is not part of the value."""

from __future__ import annotations

import pickle

from generator.model import Corpus, Loc, Node, Project, Tree

LOC = Loc("trees/fa.yaml", 1, 1)


def node(node_id: str, text: str = "Kész.") -> Node:
    return Node(node_id, "outcome", text, LOC, outcome="solved")


def tree(tree_id: str, *nodes: Node, title: str = "Fa") -> Tree:
    return Tree(tree_id, title, "", "asp", nodes[0].id if nodes else "", nodes, LOC)


def corpus(*trees: Tree) -> Corpus:
    return Corpus(Project((), (), LOC), trees, ())


def test_node_lookup() -> None:
    first, other, again = node("a", "első"), node("b"), node("a", "második")
    t = tree("fa", first, other, again)
    assert t.node("a") is first  # a repeated id: the first one, as before the index
    assert t.node("b") is other
    assert t.node("c") is None and t.node("") is None


def test_tree_lookup() -> None:
    first, other, again = tree("fa", node("a")), tree("masik", node("a")), tree("fa", node("b"), title="Másik")
    c = corpus(first, other, again)
    assert c.tree("fa") is first
    assert c.tree("masik") is other
    assert c.tree("nincs") is None
    assert corpus().tree("fa") is None


def test_the_index_is_not_part_of_equality_hash_repr_or_pickle() -> None:
    looked_up, fresh = tree("fa", node("a"), node("b")), tree("fa", node("a"), node("b"))
    assert looked_up.node("b") is not None
    assert looked_up == fresh and hash(looked_up) == hash(fresh) and repr(looked_up) == repr(fresh)
    c, fresh_c = corpus(looked_up), corpus(fresh)
    assert c.tree("fa") is looked_up
    assert c == fresh_c and hash(c) == hash(fresh_c) and repr(c) == repr(fresh_c)
    copy = pickle.loads(pickle.dumps(c))
    assert copy == c and copy.tree("fa").node("b") == node("b")
