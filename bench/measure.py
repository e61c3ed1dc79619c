"""Run one build in a child process and measure it: wall time, peak memory, Graphviz processes started.

Graphviz processes are counted twice: by the plugin's own counter (`generator.render.stats`, read
in the child) and independently, by a `dot` shim first on PATH that logs every invocation and then
runs the real `dot`. The shim's count is the honest one: it also sees `dot -V` probes and any
process the counter would miss.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Run", "DotShim", "run_build", "tree_size"]

_RUNNER = Path(__file__).resolve().parent / "build_once.py"


@dataclass(frozen=True)
class Run:
    """One measured build."""

    seconds: float
    peak_mb: float
    cpu: float  # user + system seconds of the build and the processes it waited for (dot)
    dot_calls: list[list[str]]  # argument lists of every `dot` the shim saw
    stats: dict[str, int] = field(default_factory=dict)  # generator.render.stats of the child

    @property
    def dot_processes(self) -> int:
        """Every Graphviz process started, version probes included."""
        return len(self.dot_calls)


class DotShim:
    """A temp folder holding a `dot` script that logs its arguments, then execs the real `dot`."""

    def __init__(self) -> None:
        real = shutil.which("dot")
        if real is None:
            raise RuntimeError("Graphviz `dot` is not installed")
        self.folder = Path(tempfile.mkdtemp(prefix="bench-dot-"))
        self.log = self.folder / "calls.log"
        script = self.folder / "dot"
        # One line per call: the arguments, tab-separated. `>>` appends atomically for short lines.
        script.write_text("#!/bin/sh\n"
                          f"(IFS='\t'; printf '%s\\n' \"$*\") >> '{self.log}'\n"
                          f"exec '{real}' \"$@\"\n", encoding="utf-8")
        script.chmod(0o755)

    def env(self) -> dict[str, str]:
        """The environment for a child: the shim first on PATH, reproducible timestamps."""
        env = dict(os.environ)
        env["PATH"] = f"{self.folder}{os.pathsep}{env.get('PATH', '')}"
        env["NO_MKDOCS_2_WARNING"] = "1"
        return env

    def take(self) -> list[list[str]]:
        """The calls logged since the last take, and a fresh log."""
        if not self.log.exists():
            return []
        lines = self.log.read_text(encoding="utf-8").splitlines()
        self.log.unlink()
        return [line.split("\t") for line in lines]

    def close(self) -> None:
        """Remove the shim folder."""
        shutil.rmtree(self.folder, ignore_errors=True)


def run_build(config: Path, site: Path, shim: DotShim, cwd: Path, limit: float | None = None,
              profile: Path | None = None) -> Run:
    """`mkdocs build` of `config` into `site` in a child process; raises when the build fails or
    takes longer than `limit` seconds (the child and its Graphviz processes are then killed)."""
    shim.take()
    shutil.rmtree(site, ignore_errors=True)
    stats_file = site.with_name(site.name + ".stats.json")
    stats_file.unlink(missing_ok=True)
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        extra = [str(profile)] if profile else []
        child = subprocess.Popen([sys.executable, str(_RUNNER), str(config), str(site), str(stats_file), *extra],
                                 cwd=cwd, env=shim.env(), stdout=subprocess.DEVNULL, stderr=errors,
                                 start_new_session=True)
        timer = threading.Timer(limit, os.killpg, (child.pid, signal.SIGKILL)) if limit else None
        if timer:
            timer.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)  # rusage of this child (and the dot processes it waited for)
        finally:
            if timer:
                timer.cancel()
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if limit and seconds >= limit:
            raise RuntimeError(f"a build took longer than {limit:g} s and was stopped")
        if child.returncode != 0:
            errors.seek(0)
            raise RuntimeError(f"build of {config} failed:\n{errors.read().decode('utf-8', 'replace')[-3000:]}")
    stats = json.loads(stats_file.read_text(encoding="utf-8")) if stats_file.exists() else {}
    return Run(seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, shim.take(), stats)


def tree_size(folder: Path, pattern: str = "**/*") -> tuple[int, int]:
    """(number of files, total bytes) under `folder` matching `pattern`."""
    sizes = [p.stat().st_size for p in folder.glob(pattern) if p.is_file()]
    return len(sizes), sum(sizes)
