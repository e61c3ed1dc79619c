"""Preview latency: how long after a maintainer saves a tree does `mkdocs serve` show the new page.

Runs `mkdocs serve` (as `make serve` does) on a copy of the real site in a temp folder, so the
checkout is never touched; waits for the first build; then, several times, appends a marker to one
tree's title and polls that tree's page over HTTP until the marker shows. MkDocs notices the change
by polling the files (every 0.5 s) and rebuilds the whole site.
"""

from __future__ import annotations

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

__all__ = ["ServeResult", "measure_serve"]

_COPY = ("mkdocs.yml", "trees", "content", "site_overrides", ".cache")
_TITLE = re.compile(r"^title:[ \t]*(.*?)[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class ServeResult:
    """Seconds from saving the file to the new page being served, per edit; the tree edited."""

    tree: str
    latencies: list[float]
    first_build: float
    dirty: bool = False

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


def _wait_for(url: str, needle: str | None, limit: float, child: subprocess.Popen[bytes], log: Path) -> float:
    """Seconds until `url` answers (and contains `needle`), polling every 20 ms; raises after `limit`."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        if child.poll() is not None:
            tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
            raise RuntimeError(f"mkdocs serve exited with {child.returncode}: {' / '.join(tail)}")
        page = _fetch(url)
        if page is not None and (needle is None or needle in page):
            return time.perf_counter() - start
        time.sleep(0.02)
    raise RuntimeError(f"{url} did not show {needle!r} within {limit:g} s")


def _pick_tree(trees: Path) -> Path:
    """A tree file with a plain (unquoted, one-line) title, so appending to it keeps valid YAML."""
    for path in sorted(trees.glob("*.yaml")):
        if path.name in ("project.yaml", "codes.yaml"):
            continue
        match = _TITLE.search(path.read_text(encoding="utf-8"))
        if match and match.group(1) and match.group(1)[0] not in "\"'|>":
            return path
    raise RuntimeError(f"no tree with a plain title in {trees}")


def measure_serve(root: Path, edits: int = 3, limit: float = 120, dirty: bool = False) -> ServeResult:
    """Start `mkdocs serve` on a copy of `root`'s site, edit one tree title `edits` times, time each.
    `dirty`: `--dirty` (MkDocs rebuilds only changed files; our pages are generated, so all of them)."""
    work = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    child: subprocess.Popen[bytes] | None = None
    log = None
    try:
        for name in _COPY:
            source = root / name
            if source.is_dir():
                shutil.copytree(source, work / name, ignore=shutil.ignore_patterns("*.tmp"))
            elif source.exists():
                shutil.copy2(source, work / name)
        tree = _pick_tree(work / "trees")
        url = f"http://127.0.0.1:{_free_port()}"
        port = url.rsplit(":", 1)[1]
        command = [sys.executable, "-m", "mkdocs", "serve", "--livereload", "-a", f"127.0.0.1:{port}"]
        if dirty:  # MkDocs warns on every dirty build, which strict mode (mkdocs.yml) turns into an abort
            command += ["--dirty", "--no-strict"]
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        log = open(work / "serve.log", "wb")  # noqa: SIM115 - closed with the folder, read on failure
        child = subprocess.Popen(command, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT,
                                 start_new_session=True)
        page = f"{url}/fak/{tree.stem}.html"
        first = _wait_for(page, None, limit, child, work / "serve.log")
        latencies = []
        for number in range(1, edits + 1):
            marker = f"Mérés{number}"
            text = tree.read_text(encoding="utf-8")
            edited = _TITLE.sub(lambda m: f"title: {m.group(1)} {marker}", text, count=1)
            time.sleep(1.0)  # let the previous rebuild settle, as a maintainer would between saves
            tree.write_text(edited, encoding="utf-8")
            latencies.append(_wait_for(page, marker, limit, child, work / "serve.log"))
        return ServeResult(tree.stem, latencies, first, dirty)
    finally:
        if child is not None and child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)  # the session this call started: serve and its dot children
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        if log is not None:
            log.close()
        shutil.rmtree(work, ignore_errors=True)
