"""Print and PDF cost: per tree, the time to split it into A4 sheets (Graphviz renders, cold cache)
and to make its PDF (rsvg-convert), with sheet, page and byte counts; then the handbook; then the
whole print step again with warm caches (what a rebuild pays).

    .venv/bin/python bench/print_bench.py [trees-folder]
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import render  # noqa: E402
from generator.load import load_corpus  # noqa: E402
from generator.pdf import (HANDBOOK_PATH, PageInfo, PrintSet, build_pdfs, finish_pages, print_site,  # noqa: E402
                           sheet_page, text_pages, to_pdf, tree_blocks)
from generator.sheets import plan_sheets  # noqa: E402
from generator.site import sorted_trees  # noqa: E402


def main(argv: list[str]) -> int:
    folder = argv[0] if argv else str(ROOT / "trees")
    corpus, problems = load_corpus(folder)
    trees = sorted_trees(corpus)
    info = PageInfo("Mérés", "2026. november 1.", "https://intranet.example/hiba/fak/meres.html")
    print(f"{'tree':<24} {'nodes':>5} {'sheets':>6} {'min pt':>6} {'split s':>8} {'dot':>4} {'pages':>5} "
          f"{'pdf s':>6} {'pdf kB':>7}")
    totals = [0.0, 0.0, 0, 0]
    with tempfile.TemporaryDirectory() as tmp:
        for tree in trees:
            cache = Path(tmp) / tree.id / "svg"  # cold for each tree
            started, processes = time.perf_counter(), render.stats.processes_started
            sheets = plan_sheets(corpus, [tree], cache)[tree.id]
            split = time.perf_counter() - started
            dots = render.stats.processes_started - processes
            bodies = [(sheet_page(s), info) for s in sheets] + [(b, info) for b in text_pages(tree_blocks(corpus, tree))]
            pages = finish_pages(bodies)
            started = time.perf_counter()
            data = to_pdf(pages, tree.reviewed or dt.date(2026, 1, 1), None)
            made = time.perf_counter() - started
            totals = [totals[0] + split, totals[1] + made, totals[2] + len(sheets), totals[3] + len(data)]
            print(f"{tree.id:<24} {len(tree.nodes):>5} {len(sheets):>6} {min(s.min_pt for s in sheets):>6.1f} "
                  f"{split:>8.2f} {dots:>4} {len(pages):>5} {made:>6.2f} {len(data) / 1024:>7.0f}")
        print(f"{'all trees':<24} {sum(len(t.nodes) for t in trees):>5} {totals[2]:>6} {'':>6} {totals[0]:>8.2f} "
              f"{'':>4} {'':>5} {totals[1]:>6.2f} {totals[3] / 1024:>7.0f}")

        cache = Path(tmp) / "site" / "svg"
        started = time.perf_counter()
        planned = plan_sheets(corpus, trees, cache)
        facts = PrintSet({t.id: info for t in trees}, info, "Mérés")
        pdfs = build_pdfs(corpus, trees, planned, facts, None)
        cold = time.perf_counter() - started
        handbook = pdfs[HANDBOOK_PATH]
        print(f"\nhandbook: {len(handbook) / 1024:.0f} kB; every sheet and PDF from cold caches: {cold:.2f} s")
        print_site(corpus, trees, cache, "https://intranet.example/hiba", "Mérés")  # fills the PDF cache
        started, processes = time.perf_counter(), render.stats.processes_started
        print_site(corpus, trees, cache, "https://intranet.example/hiba", "Mérés")
        warm = time.perf_counter() - started
        print(f"whole print step with warm caches (a rebuild): {warm:.2f} s, "
              f"{render.stats.processes_started - processes} dot processes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
