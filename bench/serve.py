"""Preview latency: how long after a maintainer saves a tree does `mkdocs serve` show the new page.

Runs `mkdocs serve` (by default with the arguments `make serve` uses) on a copy of the real site in a
temp folder, so the checkout is never touched; waits for the first build; then, several times,
appends a marker to one tree's title (or to a node's text) and polls that tree's page over HTTP until
the marker shows: the time from saving the file to the new page being served. A title also shows on
other pages (the home page's tree list, the navigation, the pages linking to the tree): the time until
every page that showed the old title shows the new one is recorded as well. Saves are `settle` seconds
apart, as a maintainer's would be.

    bench/serve.py [--edits N] [--kind title|node] [--settle S] [--plain]
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

__all__ = ["MAKE_SERVE_ARGS", "ServeResult", "measure_serve"]

_COPY = ("mkdocs.yml", "trees", "content", "site_overrides", ".cache")
# What `make serve` passes to `mkdocs serve` (tests/test_serve.py checks the Makefile says the same).
MAKE_SERVE_ARGS = ("--livereload", "--dirty")
_PLAIN_ARGS = ("--livereload",)  # MkDocs' default: every rebuild is a whole, clean build
_FIELDS = {"title": re.compile(r"^title:[ \t]*(.*?)[ \t]*$", re.MULTILINE),
           "node": re.compile(r"^[ \t]+question:[ \t]*(.*?)[ \t]*$", re.MULTILINE)}


@dataclass(frozen=True)
class ServeResult:
    """Seconds from saving the file to the new page being served, per edit; the tree edited."""

    tree: str
    latencies: list[float]
    first_build: float
    dirty: bool = False
    kind: str = "title"
    args: tuple[str, ...] = MAKE_SERVE_ARGS
    elsewhere: list[float] | None = None  # seconds until every page that showed the title shows the new one

    @property
    def median(self) -> float:
        """The median latency in seconds."""
        return statistics.median(self.latencies)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return None


def _wait_for(url: str, needle: str | None, limit: float, child: subprocess.Popen[bytes], log: Path,
              start: float | None = None) -> float:
    """Seconds since `start` (default: now) until `url` answers (and contains `needle`), polling every 20 ms;
    raises after `limit`."""
    start = time.perf_counter() if start is None else start
    while time.perf_counter() - start < limit:
        if child.poll() is not None:
            tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
            raise RuntimeError(f"mkdocs serve exited with {child.returncode}: {' / '.join(tail)}")
        page = _fetch(url)
        if page is not None and (needle is None or needle in page):
            return time.perf_counter() - start
        time.sleep(0.02)
    raise RuntimeError(f"{url} did not show {needle!r} within {limit:g} s")


def _copy_if_there(source: str, target: str) -> None:
    try:
        shutil.copy2(source, target)
    except FileNotFoundError:
        pass


def _pages_showing(url: str, text: str) -> list[str]:
    """The site's pages (as the search index lists them) whose HTML contains `text`."""
    index = _fetch(f"{url}/search/search_index.json")
    if index is None:
        raise RuntimeError(f"{url} serves no search index")
    pages = sorted({doc["location"].partition("#")[0] or "index.html" for doc in json.loads(index)["docs"]})
    return [f"{url}/{page}" for page in pages if text in (_fetch(f"{url}/{page}") or "")]


def _wait_for_all(pages: list[str], needle: str, limit: float, start: float) -> float:
    """Seconds since `start` until every one of `pages` contains `needle` (each fetched every 0.1 s at most)."""
    waiting = list(pages)
    while waiting:
        if time.perf_counter() - start > limit:
            raise RuntimeError(f"{waiting[0]} did not show {needle!r} within {limit:g} s")
        waiting = [page for page in waiting if needle not in (_fetch(page) or "")]
        if waiting:
            time.sleep(0.1)
    return time.perf_counter() - start


def _pick_tree(trees: Path, kind: str) -> Path:
    """A tree file whose edited field (title, or a node's question) is plain (unquoted, one line), so
    appending to it keeps valid YAML."""
    for path in sorted(trees.glob("*.yaml")):
        if path.name in ("project.yaml", "codes.yaml"):
            continue
        match = _FIELDS[kind].search(path.read_text(encoding="utf-8"))
        if match and match.group(1) and match.group(1)[0] not in "\"'|>&*!%@`":
            return path
    raise RuntimeError(f"no tree with a plain {kind} in {trees}")


def measure_serve(root: Path, edits: int = 3, limit: float = 120, dirty: bool = False, kind: str = "title",
                  settle: float = 3.0, args: tuple[str, ...] | None = None) -> ServeResult:
    """Start `mkdocs serve` on a copy of `root`'s site, edit one tree `edits` times, time each.
    `kind`: "title" (the tree's title) or "node" (a node's question). `args`: what `mkdocs serve` gets
    besides the address (default: as `make serve`); `dirty`: MkDocs' plain `--dirty --no-strict`."""
    work = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    child: subprocess.Popen[bytes] | None = None
    log = None
    if args is None:
        args = ("--livereload", "--dirty", "--no-strict") if dirty else MAKE_SERVE_ARGS
    try:
        for name in _COPY:
            source = root / name
            if source.is_dir():  # temp files, and cache files that other builds replace meanwhile, left out
                shutil.copytree(source, work / name, ignore=shutil.ignore_patterns("*.tmp", ".*"),
                                copy_function=_copy_if_there)
            elif source.exists():
                shutil.copy2(source, work / name)
        tree = _pick_tree(work / "trees", kind)
        url = f"http://127.0.0.1:{_free_port()}"
        port = url.rsplit(":", 1)[1]
        command = [sys.executable, "-m", "mkdocs", "serve", *args, "-a", f"127.0.0.1:{port}"]
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        log = open(work / "serve.log", "wb")  # noqa: SIM115 - closed with the folder, read on failure
        child = subprocess.Popen(command, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT,
                                 start_new_session=True)
        page = f"{url}/fak/{tree.stem}.html"
        first = _wait_for(page, None, limit, child, work / "serve.log")
        latencies: list[float] = []
        elsewhere: list[float] = []
        for number in range(1, edits + 1):
            marker = f"Mérés{number}"
            text = tree.read_text(encoding="utf-8")
            match = _FIELDS[kind].search(text)
            assert match is not None
            edited = text[:match.end()] + f" {marker}" + text[match.end():]
            time.sleep(settle)  # let the previous rebuild settle, as a maintainer would between saves
            showing = _pages_showing(url, html.escape(match.group(1), quote=False)) if kind == "title" else []
            tree.write_text(edited, encoding="utf-8")
            saved = time.perf_counter()
            latencies.append(_wait_for(page, marker, limit, child, work / "serve.log", saved))
            if showing:
                elsewhere.append(_wait_for_all(showing, marker, limit, saved))
        return ServeResult(tree.stem, latencies, first, dirty, kind, tuple(args), elsewhere or None)
    finally:
        for stop in (signal.SIGINT, signal.SIGKILL):  # Ctrl-C first: MkDocs removes its temp site then
            if child is not None and child.poll() is None:
                os.killpg(child.pid, stop)  # the session this call started: serve and its dot children
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    continue
        if log is not None:
            log.close()
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    """Measure and print the latencies of one kind of edit."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--kind", choices=sorted(_FIELDS), default="title")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds between saves")
    parser.add_argument("--plain", action="store_true", help="plain `mkdocs serve --livereload` (whole rebuilds)")
    options = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    result = measure_serve(root, options.edits, kind=options.kind, settle=options.settle,
                           args=_PLAIN_ARGS if options.plain else None)
    print(f"mkdocs serve {' '.join(result.args)}: {result.kind} of trees/{result.tree}.yaml; first build "
          f"{result.first_build:.1f} s; page showed the edit in {', '.join(f'{s:.2f}' for s in result.latencies)} s "
          f"(median {result.median:.2f} s)")
    if result.elsewhere:
        print(f"every page that showed the old title showed the new one in "
              f"{', '.join(f'{s:.2f}' for s in result.elsewhere)} s (median {statistics.median(result.elsewhere):.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
