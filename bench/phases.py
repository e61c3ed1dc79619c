"""Where a build's time goes: one build under cProfile, summed into our phases and MkDocs' own.

Profiling slows Python down (about 1.5-2×) and not Graphviz, so shares are indicative; the table's
times come from unprofiled runs. Phases are the cumulative times of named functions. Only the build
process is profiled: the charts, sheets and PDFs are made in forked workers (`generator/deferred.py`),
and show here as the time the build waited for them.
"""

from __future__ import annotations

import pstats
import tempfile
from pathlib import Path

from bench.measure import DotShim, run_build

__all__ = ["PHASES", "profile_build"]

# (label, file suffix, function name): cumulative time of that function in the profile.
PHASES = [
    ("whole build (mkdocs build)", "mkdocs/commands/build.py", "build"),
    ("our on_config: load, check, draft pages", "generator/plugin.py", "on_config"),
    ("  load trees (YAML, schema)", "generator/load.py", "load_corpus"),
    ("  check (semantic)", "generator/check.py", "check_corpus"),
    ("  draft pages (no Graphviz)", "generator/site.py", "draft"),
    ("waiting for the workers (charts, sheets, PDFs)", "generator/worker.py", "wait"),
    ("drawings into the pages' HTML", "generator/deferred.py", "drawn"),
    ("MkDocs: Markdown to HTML", "markdown/core.py", "convert"),
    ("MkDocs: search index", "material/plugins/search/plugin.py", "on_page_context"),
    ("MkDocs: templates (nav, page)", "jinja2/environment.py", "render"),
]


def profile_build(config: Path, shim: DotShim, cwd: Path, limit: float) -> list[tuple[str, float]]:
    """(label, seconds) of each phase of one profiled build of `config`."""
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as work:
        out = Path(work) / "build.prof"
        run_build(config, Path(work) / "site", shim, cwd, limit, profile=out)
        stats = pstats.Stats(str(out)).stats  # type: ignore[attr-defined]
    totals = []
    for label, suffix, name in PHASES:
        seconds = sum(row[3] for (file, _, func), row in stats.items() if func == name and file.endswith(suffix))
        totals.append((label, seconds))
    return totals
