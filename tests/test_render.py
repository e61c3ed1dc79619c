"""Tests of generator.render with the real `dot`: batches, cache, timeouts, errors."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import pytest

from generator import render
from generator.render import INSTALL_HINT, RenderError, dot_version, keep_svgs, render_svgs, stats, stored_version


def graph(name: str, size: int = 3) -> str:
    """A small DOT graph with gradients (numbered across a batch by dot) and a label naming it."""
    nodes = "".join(f'n{i} -> n{i + 1} [label="{name}-{i}"];' for i in range(size))
    return (f'digraph "{name}" {{ a [label="{name}" style=filled fillcolor="red:blue"]; '
            f'b [style=radial fillcolor="white:green"]; a -> b; {nodes} }}')


def big_graph(nodes: int = 3000) -> str:
    """A graph `dot` needs well over a second to lay out."""
    edges = "".join(f"n{i} -> n{(i * 7 + 3) % nodes}; n{i} -> n{(i * 13 + 5) % nodes};" for i in range(nodes))
    return f"digraph big {{ {edges} }}"


DOTS = [graph("alpha"), graph("beta", 5), graph("gamma", 1)]


def test_batch_output_equals_single_output() -> None:
    before = stats.processes_started
    batch = render_svgs(DOTS, cache_dir=None, jobs=1)
    assert stats.processes_started == before + 1
    alone = [render_svgs([dot], cache_dir=None)[0] for dot in DOTS]
    assert batch == alone
    assert all(svg.lstrip().startswith("<?xml") and svg.rstrip().endswith("</svg>") for svg in batch)
    assert 'id="graph0"' in batch[2] and 'id="l_0"' in batch[2] and 'url(#r_0)' in batch[2]


def test_order_is_kept_across_concurrent_batches() -> None:
    dots = [graph(f"g{i}", i % 4 + 1) for i in range(7)]
    before = stats.processes_started
    svgs = render_svgs(dots, cache_dir=None, jobs=3)
    assert stats.processes_started == before + 3
    assert [f">g{i}</text>" in svg for i, svg in enumerate(svgs)] == [True] * 7
    assert svgs == render_svgs(dots, cache_dir=None, jobs=1)


def test_cache_hit_starts_no_process(tmp_path: Path) -> None:
    dots = DOTS + [DOTS[0]]
    before = stats.processes_started
    first = render_svgs(dots, cache_dir=tmp_path, jobs=2)
    assert stats.processes_started == before + 2
    files = sorted(p.name for p in tmp_path.iterdir())
    keys = sorted(hashlib.sha256(f"{dot_version()}\n{dot}".encode()).hexdigest() + ".svg" for dot in DOTS)
    assert files == keys  # one file per distinct graph, no temporary files left
    hits = stats.cache_hits
    second = render_svgs(dots, cache_dir=tmp_path, jobs=2)
    assert second == first and first[3] == first[0]
    assert stats.processes_started == before + 2
    assert stats.cache_hits == hits + 3


def test_only_missing_graphs_render(tmp_path: Path) -> None:
    render_svgs(DOTS[:2], cache_dir=tmp_path)
    before = stats.processes_started
    svgs = render_svgs(DOTS, cache_dir=tmp_path, jobs=2)
    assert stats.processes_started == before + 1
    assert svgs == render_svgs(DOTS, cache_dir=None)


def test_version_is_probed_once_per_process() -> None:
    render._version.cache_clear()
    before = stats.version_probes
    render_svgs(DOTS[:1], cache_dir=None)
    render_svgs(DOTS[1:], cache_dir=None)
    assert stats.version_probes == before + 1
    assert dot_version().startswith("dot - graphviz version")


def test_timeout_raises_render_error() -> None:
    with pytest.raises(RenderError, match=r"timed out after 0\.2 s rendering graph\(s\) a-big-tree"):
        render_svgs([big_graph()], cache_dir=None, timeout=0.2, names=["a-big-tree"])


def test_missing_dot_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RenderError) as error:
        render_svgs(DOTS, cache_dir=None)
    assert str(error.value) == INSTALL_HINT


def test_syntax_error_names_the_graph_and_quotes_dot() -> None:
    with pytest.raises(RenderError, match=r"(?s)on graph broken.*syntax error") as error:
        render_svgs([DOTS[0], "digraph { a -> ; }", DOTS[1]], cache_dir=None, jobs=1,
                    names=["fine", "broken", "after"])
    assert "fine" not in str(error.value)


def test_warnings_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="generator.render"):
        svg = render_svgs(["digraph { a [shape=nosuchshape] }"], cache_dir=None, names=["odd"])[0]
    assert "</svg>" in svg
    assert "odd" in caplog.text and "nosuchshape" in caplog.text


def test_no_graphs_no_work() -> None:
    before = (stats.processes_started, stats.version_probes)
    assert render_svgs([], cache_dir=None) == []
    assert (stats.processes_started, stats.version_probes) == before


def test_renders_not_kept_are_cached_only_when_kept(tmp_path: Path) -> None:
    before = (stats.processes_started, stats.graphs_rendered)
    svgs = render_svgs(DOTS, cache_dir=tmp_path, keep=False, jobs=1)
    assert (stats.processes_started, stats.graphs_rendered) == (before[0] + 1, before[1] + 3)
    assert list(tmp_path.glob("*.svg")) == []
    keep_svgs(list(zip(DOTS[:2], svgs[:2])), tmp_path)
    before = stats.processes_started
    assert render_svgs(DOTS[:2], cache_dir=tmp_path) == svgs[:2]
    assert stats.processes_started == before
    assert render_svgs(DOTS, cache_dir=tmp_path) == svgs  # the third renders, as it would have anyway
    assert stats.processes_started == before + 1


def test_the_version_is_remembered_next_to_the_cache(tmp_path: Path) -> None:
    cache = tmp_path / "svg"
    render._version.cache_clear()
    before = stats.version_probes
    version = dot_version(cache)
    render._version.cache_clear()
    assert dot_version(cache) == version == dot_version()
    assert stats.version_probes == before + 2  # the memo file answered the second call
    assert (tmp_path / "svg.dot-version").read_text("utf-8").endswith("\n" + version)


def test_a_changed_binary_is_probed_again(tmp_path: Path) -> None:
    exe, memo = tmp_path / "tool", tmp_path / "tool.version"
    exe.write_bytes(b"1")
    probes: list[str] = []

    def probe(path: str) -> str:
        probes.append(path)
        return f"tool {len(probes)}"

    assert stored_version(str(exe), memo, probe) == "tool 1"
    assert stored_version(str(exe), memo, probe) == "tool 1" and len(probes) == 1
    exe.write_bytes(b"22")  # an upgrade: another size and mtime
    assert stored_version(str(exe), memo, probe) == "tool 2"
    assert stored_version(str(exe), None, probe) == "tool 3"  # no memo file: probed
