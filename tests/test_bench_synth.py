"""The benchmark's synthetic content: valid in our format, realistic in shape, deterministic."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench.synth import SOURCE_ITEMS, TREES_PER_SYSTEM, write_corpus
from generator.check import check_corpus
from generator.graph import resolve
from generator.load import load_corpus

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 21)  # the synthetic trees are reviewed 2026-11-01


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "trees"
    write_corpus(out, 60, 50)
    return out


def test_corpus_passes_every_semantic_check(corpus_dir: Path) -> None:
    corpus, problems = load_corpus(str(corpus_dir))
    problems += check_corpus(corpus, TODAY, printing=False)
    assert problems == []
    assert len(corpus.trees) == 60


def test_check_command_accepts_a_small_corpus(tmp_path: Path) -> None:
    write_corpus(tmp_path / "trees", 3, 15)
    done = subprocess.run([sys.executable, "-m", "generator", "check", str(tmp_path / "trees")], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "rendben: 3 fa" in done.stdout


def test_shape_is_realistic(corpus_dir: Path) -> None:
    corpus, _ = load_corpus(str(corpus_dir))
    sizes = [len(t.nodes) for t in corpus.trees]
    assert all(45 <= n <= 50 for n in sizes)
    kinds = Counter(n.kind for t in corpus.trees for n in t.nodes)
    assert kinds["question"] and kinds["step"] and kinds["outcome"]
    answers = Counter(len(n.answers) for t in corpus.trees for n in t.nodes if n.kind == "question")
    assert set(answers) == {2, 3, 4}
    outcomes = Counter(n.outcome for t in corpus.trees for n in t.nodes if n.kind == "outcome")
    assert outcomes["solved"] and outcomes["escalate"] and outcomes["continue"]
    assert any(any(ch in "áéíóöőúüű" for ch in n.text) for t in corpus.trees for n in t.nodes)
    assert len(corpus.project.systems) == -(-60 // TREES_PER_SYSTEM)
    assert all(len(d.items) == SOURCE_ITEMS for d in corpus.project.sources)


def test_every_tree_links_across_and_handles_its_code(corpus_dir: Path) -> None:
    corpus, _ = load_corpus(str(corpus_dir))
    used = {c for t in corpus.trees for n in t.nodes for c in n.codes}
    assert used == {e.code for e in corpus.codes}
    assert any(e.message for e in corpus.codes) and any(e.aliases for e in corpus.codes)
    for tree in corpus.trees:
        external = [resolve(corpus, tree, target) for n in tree.nodes for target, _ in n.targets()]
        assert any(r is not None and r.external for r in external), tree.id


def test_same_arguments_same_bytes(tmp_path: Path) -> None:
    write_corpus(tmp_path / "a", 12, 30)
    write_corpus(tmp_path / "b", 12, 30)
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)


def test_single_large_tree(tmp_path: Path) -> None:
    info = write_corpus(tmp_path, 1, 500)
    corpus, problems = load_corpus(str(tmp_path))
    problems += check_corpus(corpus, TODAY, printing=False)
    assert problems == []
    assert info.nodes == len(corpus.trees[0].nodes) and 480 <= info.nodes <= 500
