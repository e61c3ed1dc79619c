"""`make bench`: build synthetic sites of growing size, measure against the MkDocs floor, print one table.

Sizes: the real content (trees/ and content/, copied), then synthetic corpora (bench/synth.py). For
each: cold build (no .cache at all), warm rebuild (nothing changed) and a rebuild after editing one
node text, each with wall and CPU time, peak memory and Graphviz processes (counted by a `dot` shim
on PATH); `check` time; output size in total, per page and per tree page; search index size, and
whether it holds flowchart text. The floor is `mkdocs build` of the very same pages written out as
plain Markdown (with their SVGs) without our plugin; the table shows our time over it, and counts
HTML pages whose bytes differ from the floor's (none should). A size predicted to take over --limit
is skipped. Then `mkdocs serve` latency on the real content, and bench/print_bench.py (print costs).
The table, machine details and targets go between markers into docs/benchmarks.md.

    .venv/bin/python bench/run.py [--quick] [--sizes real,10x50,1x500] [--repeat N] [--limit S]
                                  [--profile SIZE] [--no-serve] [--no-print-bench] [--no-record]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import DotShim, Run, run_build, tree_size  # noqa: E402
from bench.phases import profile_build  # noqa: E402
from bench.serve import ServeResult, measure_serve  # noqa: E402
from bench.sites import write_floor_fresh, write_ours  # noqa: E402
from bench.synth import write_corpus  # noqa: E402

__all__ = ["Size", "Result", "main"]

EPOCH = "1763683200"  # SOURCE_DATE_EPOCH for every build: the floor's pages and ours carry the same date
SIZES = ["real", "10x50", "100x50", "1000x50", "1x200", "1x500"]
QUICK = ["10x50", "100x50"]
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
# Text that only a flowchart carries: the legend, and the captions of the printed sheets.
CHART_TEXT = ("Jelmagyarázat", "Továbbküldés (eszkaláció)", "Folyamatábra,")


@dataclass(frozen=True)
class Size:
    """A corpus size: `trees` synthetic trees of about `nodes` nodes, or the real content (`real`)."""

    trees: int
    nodes: int
    real: bool = False

    @classmethod
    def parse(cls, text: str) -> "Size":
        if text == "real":
            return cls(0, 0, real=True)
        trees, _, nodes = text.partition("x")
        return cls(int(trees), int(nodes or 50))

    def __str__(self) -> str:
        return "real content" if self.real else f"{self.trees} × {self.nodes}"


@dataclass
class Result:
    """Everything measured for one size (medians over repeats); None where a step did not finish."""

    size: Size
    check: float | None = None
    check_dot: int = 0
    floor: Run | None = None
    cold: Run | None = None
    warm: Run | None = None
    edit: Run | None = None
    peak_mb: float = 0.0
    pages: int = 0
    html_bytes: int = 0
    output_bytes: int = 0
    tree_page_bytes: float = 0.0
    search_bytes: int = 0
    chart_text_docs: int = 0
    source_bytes: int = 0
    differing: list[str] = field(default_factory=list)  # HTML pages whose bytes differ from the floor's
    phases: dict[str, list[tuple[str, float]]] = field(default_factory=dict)  # "cold"/"warm" -> profile
    notes: list[str] = field(default_factory=list)


def _median_run(runs: list[Run]) -> Run:
    """The run with the median time (the lower middle one for an even count)."""
    ordered = sorted(runs, key=lambda r: r.seconds)
    return ordered[(len(ordered) - 1) // 2]


def _time_check(trees: Path, shim: DotShim) -> tuple[float, int]:
    """Seconds and Graphviz processes of `python -m generator check <trees>`."""
    shim.take()
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "generator", "check", str(trees)], cwd=ROOT, env=shim.env(),
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"check failed on {trees}:\n{done.stderr[-2000:]}")
    return seconds, len(shim.take())


def _edit_one_tree(trees: Path, number: int) -> None:
    """Change one node text of one tree in the middle of the corpus, as a maintainer would."""
    files = sorted(p for p in trees.glob("*.yaml") if p.name not in ("project.yaml", "codes.yaml"))
    path = files[len(files) // 2]
    text = path.read_text(encoding="utf-8")
    edited = re.sub(r'(\n    (?:question|step): "?)(?=[^|>\s"])', rf"\1(javítva {number}) ", text, count=1)
    if edited == text:
        raise RuntimeError(f"no node text to edit in {path}")
    path.write_text(edited, encoding="utf-8")


def _differing_pages(ours: Path, floor: Path) -> list[str]:
    """HTML pages that differ between our build and the floor's: there should be none, as the floor
    holds our very pages (a difference means the plugin changed something the floor cannot see)."""
    names = sorted({p.relative_to(ours).as_posix() for p in ours.glob("**/*.html")}
                   | {p.relative_to(floor).as_posix() for p in floor.glob("**/*.html")})
    return [n for n in names if not (ours / n).exists() or not (floor / n).exists()
            or (ours / n).read_bytes() != (floor / n).read_bytes()]


def _output_facts(site: Path, result: Result) -> None:
    """Sizes of the built site, and how much flowchart text its search index holds."""
    _, total = tree_size(site)
    pages, html = tree_size(site, "**/*.html")
    trees, tree_bytes = tree_size(site, "fak/*.html")
    index = site / "search" / "search_index.json"
    result.pages, result.html_bytes, result.output_bytes = pages, html, total
    result.tree_page_bytes = tree_bytes / trees if trees else 0.0
    result.search_bytes = index.stat().st_size if index.exists() else 0
    if index.exists():
        docs = json.loads(index.read_text(encoding="utf-8")).get("docs", [])
        result.chart_text_docs = sum(any(t in d.get("text", "") for t in CHART_TEXT) for d in docs)


def measure_size(size: Size, repeat: int, limit: float, work: Path, shim: DotShim, profile: bool = False) -> Result:
    """Every measurement of one size; a step that fails or exceeds `limit` is noted and ends the size."""
    result = Result(size)
    # The project's layout: trees/ and .cache/svg side by side (`check` finds the cache there too).
    trees, cache, site = work / "trees", work / ".cache" / "svg", work / "site"
    content = ROOT / "content" if size.real else None
    if size.real:
        shutil.copytree(ROOT / "trees", trees)  # a copy: the edit step changes it
    else:
        write_corpus(trees, size.trees, size.nodes)
    result.source_bytes = tree_size(trees)[1]
    try:
        ours = write_ours(trees, cache, work / "ours", content)
        colds = []
        for _ in range(repeat):
            shutil.rmtree(cache.parent, ignore_errors=True)  # a fresh checkout: no .cache at all
            colds.append(run_build(ours, site, shim, ROOT, limit))
        result.cold = _median_run(colds)
        result.warm = _median_run([run_build(ours, site, shim, ROOT, limit) for _ in range(repeat)])
        _output_facts(site, result)
        floor = write_floor_fresh(trees, cache, work / "floor", content)  # our pages, from the warm cache
        floor_site = work / "floor-site"
        result.floor = _median_run([run_build(floor, floor_site, shim, ROOT, limit) for _ in range(repeat)])
        result.differing = _differing_pages(site, floor_site)
        checks = [_time_check(trees, shim) for _ in range(repeat)]  # after a build, as a maintainer runs it
        result.check = statistics.median(c[0] for c in checks)
        result.check_dot = max(c[1] for c in checks)
        edits = []
        for number in range(repeat):
            _edit_one_tree(trees, number + 1)
            edits.append(run_build(ours, site, shim, ROOT, limit))
        result.edit = _median_run(edits)
        result.peak_mb = max(r.peak_mb for r in colds + edits)
        if profile:
            shutil.rmtree(cache.parent, ignore_errors=True)
            result.phases["cold"] = profile_build(ours, shim, ROOT, limit * 3)
            result.phases["warm"] = profile_build(ours, shim, ROOT, limit * 3)
    except Exception as exc:  # noqa: BLE001 - the generator is code under test: record its failure, go on
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()] or [""]
        said = lines[0] if len(lines) == 1 or not lines[0].endswith(":") else f"{lines[0]} … {lines[-1]}"
        said = said if len(said) <= 400 else f"{said[:200]} … {said[-200:]}"  # e.g. a command with 5000 file names
        result.notes.append(f"{type(exc).__name__}: {said}")
    return result


def _too_slow(size: Size, done: list[Result], limit: float) -> str:
    """Why `size` is skipped: the nearest smaller size with as many nodes per tree predicts a build over `limit`."""
    smaller = [r for r in done if r.cold and not r.size.real and r.size.nodes == size.nodes and r.size.trees < size.trees]
    if not smaller:
        return ""
    near = max(smaller, key=lambda r: r.size.trees)
    slowest = max(near.cold.seconds, near.floor.seconds if near.floor else 0.0)
    predicted = slowest * size.trees / near.size.trees
    if predicted <= limit:
        return ""
    return (f"skipped: {near.size} predicts a build of about {predicted:.0f} s, over --limit {limit:g} s "
            f"(run `bench/run.py --sizes {size.trees}x{size.nodes} --limit {predicted * 1.5:.0f}` to measure it)")


def _s(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _t(run: Run | None) -> str:
    """Wall seconds, and CPU seconds in brackets (steadier than wall time on a busy machine)."""
    return "–" if run is None else f"{run.seconds:.2f} ({run.cpu:.1f})"


def _ratio(a: Run | None, b: Run | None) -> str:
    return "–" if a is None or b is None else f"{a.seconds / b.seconds:.2f} ({a.cpu / b.cpu:.2f})"


def table(results: list[Result]) -> str:
    """The results as one Markdown table."""
    head = ("| size | pages | check s | floor s | cold s | cold/floor | warm s | warm/floor | edit s "
            "| dot: check/cold/warm/edit | peak MB | output MB | HTML KB/page | tree page KB | search KB | search/YAML "
            "| chart text in index | HTML ≠ floor |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in results:
        dots = "/".join(str(x.dot_processes) if x else "–" for x in (r.cold, r.warm, r.edit))
        if not r.pages:
            lines.append(f"| {r.size} |" + " – |" * (head.count("|") - 2))
            continue
        per_page = r.html_bytes / r.pages / 1024
        lines.append(
            f"| {r.size} | {r.pages or '–'} | {_s(r.check)} | {_t(r.floor)} "
            f"| {_t(r.cold)} | {_ratio(r.cold, r.floor)} "
            f"| {_t(r.warm)} | {_ratio(r.warm, r.floor)} "
            f"| {_t(r.edit)} | {r.check_dot}/{dots} | {r.peak_mb:.0f} "
            f"| {r.output_bytes / 1e6:.1f} | {per_page:.0f} | {r.tree_page_bytes / 1024:.0f} "
            f"| {r.search_bytes / 1024:.0f} | {r.search_bytes / max(r.source_bytes, 1):.2f} "
            f"| {r.chart_text_docs} pages | {len(r.differing) if r.floor else '–'} |")
    return "\n".join(lines)


def phase_table(results: list[Result]) -> list[str]:
    """Where the time of a profiled cold and warm build went (cumulative seconds, under cProfile)."""
    out = []
    for r in results:
        if r.phases:
            cold, warm = r.phases.get("cold", []), dict(r.phases.get("warm", []))
            out += ["", f"Where the time goes, {r.size} (one build each under cProfile, which slows Python ~1.5-2×):", "",
                    "| phase | cold s | warm s |", "|---|---|---|"]
            for label, seconds in cold:
                depth = (len(label) - len(label.lstrip())) // 2
                out.append(f"| {'· ' * depth}{label.strip()} | {seconds:.2f} | {warm.get(label, 0):.2f} |")
    return out


def growth(results: list[Result]) -> list[str]:
    """1000 trees against 100 trees: time and size ratios (linear growth is 10)."""
    by = {(r.size.trees, r.size.nodes): r for r in results}
    small, big = by.get((100, 50)), by.get((1000, 50))
    if not (small and big and small.cold and big.cold and small.output_bytes):
        return []
    return [f"1000 trees / 100 trees: cold build {big.cold.seconds / small.cold.seconds:.1f}×, "
            f"floor {big.floor.seconds / small.floor.seconds:.1f}×, output {big.output_bytes / small.output_bytes:.1f}×, "
            f"search index {big.search_bytes / max(small.search_bytes, 1):.1f}× (linear: 10×, target ≤ 11×)"]


def targets(results: list[Result], serves: list[ServeResult]) -> list[str]:
    """Each target of issue 7 with its measured value, met or not."""
    out = []
    done = [r for r in results if r.cold and r.floor]
    if done:
        worst = max(done, key=lambda r: r.cold.seconds / r.floor.seconds)
        ratio = worst.cold.seconds / worst.floor.seconds
        out.append(f"{'met' if ratio <= 1.15 else 'NOT met'}: cold build ≤ 1.15 × floor at every size (wall: "
                   + ", ".join(f"{r.cold.seconds / r.floor.seconds:.2f} at {r.size}" for r in done) + "; CPU: "
                   + ", ".join(f"{r.cold.cpu / r.floor.cpu:.2f}" for r in done) + ")")
    warm = [r for r in results if r.warm]
    if warm:
        started = max(r.warm.dot_processes for r in warm)
        out.append(f"{'met' if started == 0 else 'NOT met'}: warm rebuild starts no Graphviz process "
                   f"(most seen: {started})")
    big = next((r for r in results if (r.size.trees, r.size.nodes) == (1000, 50)), None)
    if big is not None:
        if big.cold:
            ok = big.cold.seconds < 30 and big.peak_mb < 1024
            out.append(f"{'met' if ok else 'NOT met'}: 1000 × 50 cold build < 30 s and < 1 GB "
                       f"({big.cold.seconds:.1f} s, {big.peak_mb:.0f} MB)")
        else:
            out.append(f"NOT met: 1000 × 50 did not finish ({'; '.join(big.notes)})")
    pages = [r for r in results if r.pages and r.size.nodes == 50]
    if len(pages) > 1:
        sizes = [r.html_bytes / r.pages / 1024 for r in pages]
        trees = [r.tree_page_bytes / 1024 for r in pages]
        grows = max(sizes) > 1.1 * min(sizes) or max(trees) > 1.1 * min(trees)
        out.append(f"{'NOT met' if grows else 'met'}: HTML per page does not grow with the pages (mean page "
                   f"{', '.join(f'{s:.0f}' for s in sizes)} KB, tree page {', '.join(f'{t:.0f}' for t in trees)} KB "
                   f"at {', '.join(str(r.size.trees) for r in pages)} trees)")
    out += growth(results)
    indexed = [r for r in results if r.search_bytes and not r.size.real]
    if len(indexed) > 1:
        ratios = [r.search_bytes / r.source_bytes for r in indexed]
        out.append(f"{'met' if max(ratios) <= 1.1 * min(ratios) else 'NOT met'}: the search index stays proportional "
                   f"to the text (index / YAML bytes: {', '.join(f'{x:.2f}' for x in ratios)})")
    if any(r.search_bytes for r in results):
        leaks = sum(r.chart_text_docs for r in results)
        out.append(f"{'met' if leaks == 0 else 'NOT met'}: no flowchart text in the search index "
                   f"({leaks} pages with some)")
    for run in serves:
        out.append(f"{'met' if run.median <= 1 else 'NOT met'}: preview shows a saved tree within 1 s "
                   f"({run.kind} edit: median {run.median:.2f} s over {len(run.latencies)} edits of {run.tree})")
    return out


def machine() -> list[str]:
    """The machine and tool versions, for the record."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next((int(line.split()[1]) // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    dot = subprocess.run(["dot", "-V"], capture_output=True, text=True, check=False).stderr.strip()
    load = os.getloadavg()
    return [f"CPU: {cpu}, {os.cpu_count()} cores; RAM {mem} MB; {platform.system()} {platform.release()}",
            f"Python {platform.python_version()}; MkDocs {_package_version('mkdocs')}; "
            f"Material {_package_version('mkdocs-material')}; {dot}",
            f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (other work on the machine skews times)"]


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


def print_bench() -> str:
    """The output of bench/print_bench.py on the real trees (its owner's measure of print costs), if present."""
    script = ROOT / "bench" / "print_bench.py"
    if not script.exists():
        return ""
    print("… bench/print_bench.py", file=sys.stderr, flush=True)
    done = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else f"print_bench.py failed: {done.stderr.strip()[-500:]}"


def record(text: str) -> None:
    """Put `text` between the markers of docs/benchmarks.md (appended when the markers are missing)."""
    block = f"{START}\n{text}\n{END}"
    old = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    if START in old and END in old:
        new = old[: old.index(START)] + block + old[old.index(END) + len(END):]
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    DOC.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when every size and the serve test ran (targets may still be missed)."""
    parser = argparse.ArgumentParser(description="Build speed and size against the MkDocs floor.")
    parser.add_argument("--quick", action="store_true", help="10 and 100 trees only, no serve test")
    parser.add_argument("--sizes", help="comma-separated TREESxNODES, e.g. 10x50,1x500")
    parser.add_argument("--repeat", type=int, default=3,
                        help="repeats of sizes up to 2000 nodes (median); larger sizes run once")
    parser.add_argument("--limit", type=float, default=300, help="seconds a single build may take")
    parser.add_argument("--no-serve", action="store_true", help="skip the `mkdocs serve` latency test")
    parser.add_argument("--no-print-bench", action="store_true", help="skip bench/print_bench.py (print and PDF costs)")
    parser.add_argument("--no-record", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--profile", default="real", help="size whose cold and warm builds are profiled ('' for none)")
    args = parser.parse_args(argv)
    os.environ.setdefault("SOURCE_DATE_EPOCH", EPOCH)
    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    sizes = [Size.parse(s) for s in (args.sizes.split(",") if args.sizes else QUICK if args.quick else SIZES)]
    profiled = Size.parse(args.profile) if args.profile else None
    shim = DotShim()
    path = os.environ.get("PATH", "")
    os.environ["PATH"] = shim.env()["PATH"]  # this process too: the floor's pages use the same `dot`
    results: list[Result] = []
    started = time.perf_counter()
    try:
        for size in sizes:
            repeat = 1 if size.trees * size.nodes > 2_000 else args.repeat  # the real content is small
            skip = _too_slow(size, results, args.limit)
            if skip:
                results.append(Result(size, notes=[skip]))
                print(f"  {size}: {skip}", file=sys.stderr)
                continue
            with tempfile.TemporaryDirectory(prefix="bench-") as work:
                print(f"… {size} ({repeat}×)", file=sys.stderr, flush=True)
                results.append(measure_size(size, repeat, args.limit, Path(work), shim, profile=size == profiled))
                for note in results[-1].notes:
                    print(f"  {size}: {note}", file=sys.stderr)
    finally:
        os.environ["PATH"] = path
        shim.close()
    serves: list[ServeResult] = []
    serve_note = ""
    if not (args.quick or args.no_serve):
        print("… mkdocs serve on the real content", file=sys.stderr, flush=True)
        try:
            serves = [measure_serve(ROOT, edits=5), measure_serve(ROOT, edits=5, kind="node")]
        except (RuntimeError, OSError) as exc:
            serve_note = f"serve latency not measured: {exc}"
    printing = "" if args.quick or args.no_print_bench else print_bench()
    lines = [table(results), "", "Times are wall seconds, CPU seconds (user + system of the build and of the dot "
             "processes it ran) in brackets; ratios likewise. dot: Graphviz processes the shim saw.", ""]
    lines += [f"- {r.size}: {note}" for r in results for note in r.notes]
    lines += [f"- {r.size}: HTML differs from the floor's in {', '.join(r.differing[:5])}" for r in results if r.differing]
    for run in serves:
        what = "a new title" if run.kind == "title" else "a new node text"
        lines.append(f"- `make serve` (`mkdocs serve {' '.join(run.args)}`) on the real content: first build "
                     f"{run.first_build:.1f} s; after saving {what} in `trees/{run.tree}.yaml`, the page showed it in "
                     + ", ".join(f"{s:.2f}" for s in run.latencies) + " s"
                     + (f"; every page showing the title did in {statistics.median(run.elsewhere):.2f} s (median)"
                        if run.elsewhere else ""))
    if serve_note:
        lines.append(f"- {serve_note}")
    lines += phase_table(results)
    if printing:
        lines += ["", "Print and PDF costs of the real trees (`bench/print_bench.py`):", "", "```", printing, "```"]
    lines += ["", "Targets:", *[f"- {t}" for t in targets(results, serves)], "", "Machine:",
              *[f"- {m}" for m in machine()],
              f"- whole run: {time.perf_counter() - started:.0f} s; sizes: {', '.join(str(s) for s in sizes)}"]
    text = "\n".join(lines)
    print(text)
    if not args.no_record:
        record(text)
    failed = [n for r in results for n in r.notes if not n.startswith("skipped")]
    return 1 if failed or serve_note else 0


if __name__ == "__main__":
    raise SystemExit(main())
