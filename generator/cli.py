"""The command line: `check` and `paths` for authors (more commands register here)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import Callable, Sequence

from .build import build_site
from .bundle import bundle
from .check import check_corpus
from .graph import paths
from .load import load_corpus
from .model import Corpus
from .problems import Problem, format_problem, sort_problems
from .publish import KEEP, publish, rollback
from .report import build_report, report_text, sheet_counts
from .site import sorted_trees

__all__ = ["main", "load_and_check", "COMMANDS"]

DEFAULT_TREES = "trees"


def load_and_check(root: str) -> tuple[Corpus, list[Problem]]:
    """Load `root` and run every check; problems sorted by place.

    For one file, its whole folder is loaded (links into other trees, code usage and source coverage
    need every tree), and only the problems of that file are reported.
    """
    if os.path.isfile(root):
        corpus, problems = load_and_check(os.path.dirname(root) or ".")
        return corpus, [p for p in problems if os.path.normpath(p.loc.file) == os.path.relpath(root)]
    corpus, problems = load_corpus(root)
    problems = problems + check_corpus(corpus)
    return corpus, sort_problems(problems)


def _cmd_check(args: argparse.Namespace) -> int:
    roots = args.paths or [DEFAULT_TREES]
    errors = warnings = 0
    totals = [0, 0, 0, 0]
    for root in roots:
        if not os.path.exists(root):
            print(f"{root}: nincs ilyen fájl vagy mappa", file=sys.stderr)
            return 2
        corpus, problems = load_and_check(root)
        for p in problems:
            print(format_problem(p), file=sys.stderr if p.severity == "error" else sys.stdout)
        errors += sum(p.severity == "error" for p in problems)
        warnings += sum(p.severity == "warning" for p in problems)
        totals[0] += len(corpus.trees)
        totals[1] += sum(len(t.nodes) for t in corpus.trees)
        totals[2] += len(corpus.codes)
        totals[3] += sum(len(t.scenarios) for t in corpus.trees)
    if errors:
        print(f"{errors} hiba, {warnings} figyelmeztetés", file=sys.stderr)
        return 1
    print(f"rendben: {totals[0]} fa, {totals[1]} csomópont, {totals[2]} kód, {totals[3]} forgatókönyv"
          + (f", {warnings} figyelmeztetés" if warnings else ""))
    return 0


def _cmd_paths(args: argparse.Namespace) -> int:
    corpus, problems = load_and_check(args.trees)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        for p in errors:
            print(format_problem(p), file=sys.stderr)
        return 1
    tree = corpus.tree(args.tree)
    if tree is None:
        print(f"nincs ilyen fa: {args.tree} (lehetséges: {', '.join(t.id for t in corpus.trees)})", file=sys.stderr)
        return 2
    count = 0
    for path in paths(corpus, tree):
        count += 1
        parts = [f"{s.node} --[{s.answer}]-->" if s.answer else f"{s.node} -->" for s in path[:-1]]
        print(f"{count}. " + " ".join(parts + [path[-1].node]))
    print(f"{count} út a(z) {tree.id} fában")
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    return build_site(args.config, args.site_dir)


def _cmd_report(args: argparse.Namespace) -> int:
    corpus, problems = load_corpus(args.trees)
    # Errors only: the print warnings would lay out every sheet, which sheet_counts does once below.
    problems = sort_problems(problems + check_corpus(corpus, printing=False))
    errors = [p for p in problems if p.severity == "error"]
    for p in errors:
        print(format_problem(p), file=sys.stderr)
    if errors:
        return 1
    trees = sorted_trees(corpus)
    sheets = sheet_counts(corpus, trees, Path(args.cache_dir))
    print(report_text(build_report(corpus, trees, dt.date.today(), sheets)), end="")
    return 0


def _cmd_publish(args: argparse.Namespace) -> int:
    if args.keep < 1:
        print("--keep legalább 1", file=sys.stderr)
        return 2
    return publish(args.dest, args.config, args.keep)


def _cmd_rollback(args: argparse.Namespace) -> int:
    return rollback(args.dest, args.to)


def _cmd_bundle(args: argparse.Namespace) -> int:
    return bundle(args.config, args.site_dir, args.out)


COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {
    "check": ("a fák és a kódkatalógus ellenőrzése",
              lambda p: p.add_argument("paths", nargs="*", help="mappák vagy fájlok (alapértelmezés: trees/)"), _cmd_check),
    "paths": ("egy fa minden útja a kezdőponttól a kimenetekig",
              lambda p: (p.add_argument("tree", help="a fa azonosítója"),
                         p.add_argument("--trees", default=DEFAULT_TREES, help="a fák mappája")), _cmd_paths),
    "build": ("az oldal felépítése; hiba esetén a korábbi site/ megmarad",
              lambda p: (p.add_argument("--config", default="mkdocs.yml", help="az MkDocs beállítófájl"),
                         p.add_argument("--site-dir", default="site", help="a kimeneti mappa")), _cmd_build),
    "report": ("karbantartói jelentés: átnézés kora, lefedettség, kódok fánként",
               lambda p: (p.add_argument("--trees", default=DEFAULT_TREES, help="a fák mappája"),
                          p.add_argument("--cache-dir", default=".cache/svg", help="a rajzok gyorsítótára")),
               _cmd_report),
    "publish": ("felépítés, ellenőrzés, majd a webszerver mappájának atomikus átváltása (docs/hosting.md)",
                lambda p: (p.add_argument("dest", help="a kiszolgált útvonal, pl. /var/www/hibaelharitas"),
                           p.add_argument("--config", default="mkdocs.yml", help="az MkDocs beállítófájl"),
                           p.add_argument("--keep", type=int, default=KEEP,
                                          help=f"ennyi változat marad meg (alapértelmezés: {KEEP})")), _cmd_publish),
    "rollback": ("a közzétett oldal visszaállítása az előző változatra",
                 lambda p: (p.add_argument("dest", help="a kiszolgált útvonal, pl. /var/www/hibaelharitas"),
                            p.add_argument("--to", help="ez a változat (a DEST.releases mappa egyik neve)")),
                 _cmd_rollback),
    "bundle": ("offline csomag: az oldal egy zip-fájlban (pendrive, megosztott mappa)",
               lambda p: (p.add_argument("--config", default="mkdocs.yml", help="az MkDocs beállítófájl"),
                          p.add_argument("--site-dir", default="site", help="ide épül az oldal"),
                          p.add_argument("--out", default="dist", help="a zip mappája")), _cmd_bundle),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; 0 clean, 1 problems found, 2 usage error."""
    parser = argparse.ArgumentParser(prog="python -m generator", description="Hibaelhárítási fák fordítója")
    sub = parser.add_subparsers(dest="command", metavar="PARANCS")
    for name, (help_text, configure, _) in COMMANDS.items():
        configure(sub.add_parser(name, help=help_text))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 2 if exc.code else 0
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    return COMMANDS[args.command][2](args)
