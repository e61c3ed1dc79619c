"""Print and PDF cost: per tree, the time to split it into A4 sheets (Graphviz renders, cold cache)
and to draw its pages into its PDF (generator.pdfwrite), with sheet, page and byte counts;
then the whole print step of the site (every plan, page and PDF, the handbook included) from cold
caches, with nothing changed (what a rebuild pays), and after editing one node's text.

    .venv/bin/python bench/print_bench.py [trees-folder]
"""

from __future__ import annotations

import dataclasses
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import pdf, render  # noqa: E402
from generator.load import load_corpus  # noqa: E402
from generator.model import Corpus, Tree  # noqa: E402
from generator.pdf import HANDBOOK_PATH, PrintSet, build_pdfs, print_site  # noqa: E402
from generator.printpages import PageInfo  # noqa: E402
from generator.sheets import plan_sheets  # noqa: E402
from generator.site import sorted_trees  # noqa: E402

SITE = ("https://intranet.example/hiba", "Mérés")


def _cpu() -> float:
    """CPU seconds of this process and the processes it ran (dot)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _counts() -> tuple[float, float, int, int, int, int]:
    """Now, CPU time, dot processes and graphs, PDF documents and pages drawn."""
    return (time.perf_counter(), _cpu(), render.stats.processes_started, render.stats.graphs_rendered,
            pdf.stats.documents_written, pdf.stats.pages_rendered)


def _since(start: tuple[float, float, int, int, int, int]) -> str:
    now = _counts()
    return (f"{now[0] - start[0]:.2f} s ({now[1] - start[1]:.2f} s CPU), {now[2] - start[2]} dot processes "
            f"({now[3] - start[3]} graphs), {now[4] - start[4]} PDFs drawn ({now[5] - start[5]} pages)")


def _edited(corpus: Corpus, tree: Tree) -> tuple[Corpus, list[Tree]]:
    """The corpus with the text of `tree`'s start node changed, as the benchmark's edit build does."""
    nodes = tuple(dataclasses.replace(n, text=n.text + " (javítva)") if n.id == tree.start else n for n in tree.nodes)
    changed = dataclasses.replace(corpus, trees=tuple(dataclasses.replace(t, nodes=nodes) if t is tree else t
                                                      for t in corpus.trees))
    return changed, sorted_trees(changed)


def main(argv: list[str]) -> int:
    folder = argv[0] if argv else str(ROOT / "trees")
    corpus, _ = load_corpus(folder)
    trees = sorted_trees(corpus)
    info = PageInfo("Mérés", "2026. november 1.", "https://intranet.example/hiba/fak/meres.html")
    print(f"{'tree':<24} {'nodes':>5} {'sheets':>6} {'min pt':>6} {'split s':>8} {'dot':>4} {'graphs':>6} "
          f"{'pages':>5} {'pdf s':>6} {'pdf kB':>7}")
    totals = [0.0, 0.0, 0, 0, 0]
    with tempfile.TemporaryDirectory() as tmp:
        for tree in trees:
            cache = Path(tmp) / tree.id / "svg"  # cold for each tree
            start = _counts()
            sheets = plan_sheets(corpus, [tree], cache)[tree.id]
            split, dots, graphs = time.perf_counter() - start[0], _counts()[2] - start[2], _counts()[3] - start[3]
            facts = PrintSet({tree.id: info}, info, "Mérés")
            start = _counts()
            made = build_pdfs(corpus, [tree], {tree.id: sheets}, facts, cache.parent / "pdf")
            seconds, pages = time.perf_counter() - start[0], _counts()[5] - start[5]
            data = made[f"pdf/{tree.id}.pdf"]
            totals = [totals[0] + split, totals[1] + seconds, totals[2] + len(sheets), totals[3] + len(data),
                      totals[4] + graphs]
            print(f"{tree.id:<24} {len(tree.nodes):>5} {len(sheets):>6} {min(s.min_pt for s in sheets):>6.1f} "
                  f"{split:>8.2f} {dots:>4} {graphs:>6} {pages:>5} {seconds:>6.2f} {len(data) / 1024:>7.0f}")
        print(f"{'all trees':<24} {sum(len(t.nodes) for t in trees):>5} {totals[2]:>6} {'':>6} {totals[0]:>8.2f} "
              f"{'':>4} {totals[4]:>6} {'':>5} {totals[1]:>6.2f} {totals[3] / 1024:>7.0f}")
        print("(pdf s and pages: the tree's pages and its PDF, with a handbook of that tree alone)")

        cache = Path(tmp) / "site" / "svg"
        start = _counts()
        cold = print_site(corpus, trees, cache, *SITE)
        print(f"\nwhole print step, cold caches: {_since(start)}")
        print(f"  PDFs: {sum(map(len, cold.assets.values())) / 1024:.0f} kB, the handbook "
              f"{len(cold.assets[HANDBOOK_PATH]) / 1024:.0f} kB")
        start = _counts()
        print_site(corpus, trees, cache, *SITE)
        print(f"whole print step, nothing changed (a rebuild): {_since(start)}")
        changed, changed_trees = _edited(corpus, trees[len(trees) // 2])
        start = _counts()
        print_site(changed, changed_trees, cache, *SITE)
        print(f"whole print step, one node's text edited: {_since(start)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
