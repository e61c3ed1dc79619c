"""Render DOT sources to SVG with the system Graphviz `dot`, in concurrent batches, cached on disk."""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

__all__ = ["RenderError", "Stats", "stats", "INSTALL_HINT", "dot_version", "render_svgs", "keep_svgs",
           "stored_version", "source_digest", "write_text"]

INSTALL_HINT = ("Graphviz 'dot' not found: install it with `sudo apt-get install graphviz` (Debian/Ubuntu) "
                "or see https://graphviz.org/download/")

_log = logging.getLogger(__name__)
_DOCUMENT = re.compile(r"(?=<\?xml[\s?])")
_PAGE_PREFIX = re.compile(r'(<g id=")page\d+,\d+_([^"]*" class="graph")')
_GRADIENT = re.compile(r'<(?:linear|radial)Gradient id="([lr])_(\d+)"')


class RenderError(RuntimeError):
    """`dot` is missing, failed, timed out or gave unexpected output."""


@dataclass
class Stats:
    """Counters for tests and benchmarks: `dot -Tsvg` processes started, graphs they rendered,
    `dot -V` probes, cache hits."""

    processes_started: int = 0
    graphs_rendered: int = 0
    version_probes: int = 0
    cache_hits: int = 0


stats = Stats()


def _dot() -> str:
    """The path of `dot` on PATH, or RenderError with the install hint."""
    exe = shutil.which("dot")
    if exe is None:
        raise RenderError(INSTALL_HINT)
    return exe


@functools.lru_cache(maxsize=None)
def _version(exe: str) -> str:
    """`exe -V` output (Graphviz prints it on stderr); probed once per process and binary."""
    stats.version_probes += 1
    try:
        done = subprocess.run([exe, "-V"], capture_output=True, timeout=30, check=False)
    except FileNotFoundError:
        raise RenderError(INSTALL_HINT) from None
    except subprocess.TimeoutExpired:
        raise RenderError(f"`{exe} -V` did not answer within 30 s") from None
    text = (done.stdout + done.stderr).decode("utf-8", "replace").strip()
    if done.returncode != 0:
        raise RenderError(f"`{exe} -V` failed (exit {done.returncode}): {text}")
    return text


def dot_version(cache_dir: Path | None = None) -> str:
    """The version string of the `dot` on PATH, e.g. 'dot - graphviz version 2.43.0 (0)';
    remembered next to `cache_dir` when given (see `stored_version`)."""
    exe = _dot()
    return stored_version(exe, cache_dir.with_name(cache_dir.name + ".dot-version") if cache_dir else None, _version)


def stored_version(exe: str, memo: Path | None, probe: Callable[[str], str]) -> str:
    """`probe(exe)` (a program's version), remembered in the file `memo` under the binary's path, size
    and mtime, so a build with everything cached starts no process at all; a changed binary (an
    upgrade) is probed again. Without a memo file: `probe` alone (which may remember it per process)."""
    if memo is None:
        return probe(exe)
    real = os.path.realpath(exe)
    try:
        info = os.stat(real)
    except OSError:
        return probe(exe)
    stamp = f"{real}\t{info.st_size}\t{info.st_mtime_ns}"
    try:
        stored_stamp, _, stored = memo.read_text(encoding="utf-8").partition("\n")
        if stored_stamp == stamp and stored:
            return stored
    except OSError:
        pass
    version = probe(exe)
    write_text(memo, f"{stamp}\n{version}")
    return version


def render_svgs(dots: Sequence[str], *, cache_dir: Path | None, timeout: float = 60, jobs: int = 2,
                names: Sequence[str] | None = None, keep: bool = True) -> list[str]:
    """One SVG document per DOT source, in the same order.

    SVGs are cached in `cache_dir` (None: no cache) under the sha256 of the `dot -V` version and the
    source, so a call where everything is cached starts no `dot -Tsvg` process. The rest render in
    up to `jobs` concurrent `dot` processes, each fed a batch of graphs on stdin; `timeout` (seconds)
    applies to each process. `names` (e.g. tree ids) name graphs in error messages. Without `keep`,
    new renders are not written to the cache (trial layouts that are never needed again).
    """
    if names is not None and len(names) != len(dots):
        raise ValueError(f"{len(names)} names for {len(dots)} graphs")
    if not dots:
        return []
    exe = _dot()
    version = dot_version(cache_dir)
    labels = list(names) if names is not None else [f"#{i + 1}" for i in range(len(dots))]
    keys = [hashlib.sha256(f"{version}\n{dot}".encode("utf-8")).hexdigest() for dot in dots]
    found: dict[str, str] = {}
    pending: dict[str, tuple[str, str]] = {}  # key -> (DOT, name) of graphs to render, first use first
    for key, dot, label in zip(keys, dots, labels):
        if key in found or key in pending:
            continue
        cached = _read(cache_dir, key)
        if cached is not None:
            stats.cache_hits += 1
            found[key] = cached
        else:
            pending[key] = (dot, label)
    if pending:
        order = list(pending)
        count = max(1, min(jobs, len(order)))
        groups = [order[i::count] for i in range(count)]
        stats.processes_started += len(groups)
        stats.graphs_rendered += len(order)
        with ThreadPoolExecutor(max_workers=count) as pool:
            batches = [pool.submit(_run, exe, [pending[k] for k in group], timeout) for group in groups]
            for group, batch in zip(groups, batches):
                for key, svg in zip(group, batch.result()):
                    if keep:
                        _write(cache_dir, key, svg)
                    found[key] = svg
    return [found[key] for key in keys]


def keep_svgs(rendered: Sequence[tuple[str, str]], cache_dir: Path | None) -> None:
    """Put (DOT, SVG) pairs rendered with `keep=False` into the cache after all, as `render_svgs` would
    have, so that rendering those sources again starts no process."""
    if cache_dir is None or not rendered:
        return
    version = dot_version(cache_dir)
    for dot, svg in rendered:
        key = hashlib.sha256(f"{version}\n{dot}".encode("utf-8")).hexdigest()
        if not (cache_dir / f"{key}.svg").exists():
            _write(cache_dir, key, svg)


def _run(exe: str, graphs: list[tuple[str, str]], timeout: float) -> list[str]:
    """Render a batch of (DOT, name) pairs with one `dot -Tsvg` process; one SVG per graph."""
    source = "".join(dot + "\n" for dot, _ in graphs).encode("utf-8")
    listed = ", ".join(name for _, name in graphs)
    try:
        done = subprocess.run([exe, "-Tsvg"], input=source, capture_output=True, timeout=timeout, check=False)
    except FileNotFoundError:
        raise RenderError(INSTALL_HINT) from None
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"dot timed out after {timeout:g} s rendering graph(s) {listed}"
                          + _stderr(exc.stderr)) from None
    documents = [d for d in _DOCUMENT.split(done.stdout.decode("utf-8", "replace")) if "</svg>" in d]
    if done.returncode != 0 and len(documents) < len(graphs):
        culprit = graphs[len(documents)][1]  # dot stops at the first graph it cannot read
        raise RenderError(f"dot failed (exit {done.returncode}) on graph {culprit}" + _stderr(done.stderr))
    if done.returncode != 0 or len(documents) != len(graphs):
        raise RenderError(f"dot gave {len(documents)} SVG document(s) for {len(graphs)} graph(s) {listed}"
                          f" (exit {done.returncode})" + _stderr(done.stderr))
    if done.stderr.strip():
        _log.warning("dot warnings rendering graph(s) %s:%s", listed, _stderr(done.stderr))
    return [_normalise(d) for d in documents]


def _stderr(data: bytes | None) -> str:
    """dot's stderr, decoded, as a suffix for a message ('' when empty)."""
    text = (data or b"").decode("utf-8", "replace").strip()
    return f":\n{text}" if text else ""


def _normalise(svg: str) -> str:
    """An SVG as `dot` gives it for the graph alone: in a batch, the 2nd+ graphs get a `page0,1_`
    prefix on the graph group id and continue the gradient numbering (`l_0`, `r_0`) of earlier ones."""
    svg = _PAGE_PREFIX.sub(r"\1\2", svg, count=1)
    renumber: dict[str, str] = {}
    counts = {"l": 0, "r": 0}
    for kind, number in _GRADIENT.findall(svg):
        renumber[f"{kind}_{number}"] = f"{kind}_{counts[kind]}"
        counts[kind] += 1
    if renumber:
        svg = re.sub(r'(?<=id=")[lr]_\d+(?=")|(?<=url\(#)[lr]_\d+(?=\))',
                     lambda m: renumber.get(m.group(), m.group()), svg)
    return svg


@functools.lru_cache(maxsize=None)
def source_digest() -> str:
    """A digest of the generator's source code, for what is kept in caches under a digest of what it
    is made of (sheet plans, PDFs): made again when the code that makes it changes."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _read(cache_dir: Path | None, key: str) -> str | None:
    """The cached SVG for `key`, or None."""
    if cache_dir is None:
        return None
    try:
        with open(cache_dir / f"{key}.svg", encoding="utf-8", newline="") as cached:
            return cached.read()
    except FileNotFoundError:
        return None


def _write(cache_dir: Path | None, key: str, svg: str) -> None:
    """Store an SVG under `key` atomically."""
    if cache_dir is None:
        return
    write_text(cache_dir / f"{key}.svg", svg)


def write_text(path: Path, text: str) -> None:
    """Write `text` atomically: a temporary file in the same folder, then os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
