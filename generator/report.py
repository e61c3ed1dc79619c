"""The maintainer's report: what each tree covers and how old its review is, and which codes need care.

Shared by `python -m generator report` (plain-text tables, `report_text`) and the site page
`jelentes.md` (`pages/report_page.py`). Plain data in, plain data out: no MkDocs, no HTML here.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .check import code_index, review_overdue
from .codes import lookup_key, normalise
from .graph import walk
from .model import CodeEntry, Corpus, Tree
from .sheets import plan_sheets

__all__ = ["TreeRow", "CodeRow", "Report", "build_report", "build_date", "sheet_counts", "has_no_todo", "age_text",
           "report_text", "NO_TODO"]

# A `todo` saying the sources give no "what to do" (the authoring guide's wording: „…, teendőt nem.").
NO_TODO = re.compile(r"teendőt\s+nem|nincs\s+(?:ismert\s+)?teendő|nem\s+ad(?:ja\s+meg)?\s+teendőt", re.IGNORECASE)


@dataclass(frozen=True)
class TreeRow:
    """One tree in the report. `covered` are the outcomes some scenario ends in, `uncovered` the rest."""

    id: str
    title: str
    owner: str | None
    reviewed: dt.date | None
    age_months: int | None
    overdue: bool
    nodes: int
    outcomes: int
    covered: tuple[str, ...]
    uncovered: tuple[str, ...]
    codes: tuple[str, ...]
    sheets: int


@dataclass(frozen=True)
class CodeRow:
    """A catalogue code in one of the report's lists, with the trees whose nodes handle it."""

    code: str
    title: str
    trees: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    """Everything the report shows, as of `today`."""

    today: dt.date
    review_months: int
    trees: tuple[TreeRow, ...]
    single_tree_codes: tuple[CodeRow, ...]
    no_todo_codes: tuple[CodeRow, ...]


def build_date() -> dt.date:
    """The day a build is made: SOURCE_DATE_EPOCH (UTC) when set, so rebuilds give the same page; else today."""
    stamp = os.environ.get("SOURCE_DATE_EPOCH", "")
    if stamp.isdigit():
        return dt.datetime.fromtimestamp(int(stamp), dt.timezone.utc).date()
    return dt.date.today()


def sheet_counts(corpus: Corpus, trees: Sequence[Tree], cache_dir: Path | None) -> dict[str, int]:
    """How many A4 sheets each tree prints on (`sheets.plan_sheets`; renders are cached in `cache_dir`)."""
    return {tree_id: len(sheets) for tree_id, sheets in plan_sheets(corpus, trees, cache_dir).items()}


def has_no_todo(entry: CodeEntry) -> bool:
    """True when a code's `todo` is empty or says the sources give no "what to do"."""
    text = unicodedata.normalize("NFC", entry.todo or "")
    return not text.strip() or NO_TODO.search(text) is not None


def _months(earlier: dt.date, later: dt.date) -> int:
    """Whole calendar months from `earlier` to `later` (negative when `earlier` is later)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if months > 0 and later.day < earlier.day:
        months -= 1
    elif months < 0 and later.day > earlier.day:
        months += 1
    return months


def age_text(row: TreeRow, today: dt.date) -> str:
    """How long ago a tree was reviewed: `14 hónapja`, `20 napja`, `ma`, `jövőbeli dátum`, `nincs megadva`."""
    if row.reviewed is None or row.age_months is None:
        return "nincs megadva"
    if row.reviewed > today:
        return "jövőbeli dátum"
    if row.age_months == 0:
        days = (today - row.reviewed).days
        return f"{days} napja" if days else "ma"
    return f"{row.age_months} hónapja"


def _tree_row(corpus: Corpus, tree: Tree, index: Mapping[str, str], today: dt.date, sheets: int) -> TreeRow:
    outcomes = [n.id for n in tree.nodes if n.kind == "outcome"]
    ends = {r.end for r in (walk(corpus, tree, sc.answers) for sc in tree.scenarios) if r.error is None}
    codes = sorted({index[key] for n in tree.nodes for c in n.codes if (key := lookup_key(c)) in index})
    months = _months(tree.reviewed, today) if tree.reviewed else None
    return TreeRow(
        id=tree.id, title=tree.title, owner=tree.owner, reviewed=tree.reviewed, age_months=months,
        overdue=tree.reviewed is not None and review_overdue(tree.reviewed, today, corpus.project.review_months),
        nodes=len(tree.nodes), outcomes=len(outcomes), covered=tuple(o for o in outcomes if o in ends),
        uncovered=tuple(o for o in outcomes if o not in ends), codes=tuple(codes), sheets=sheets)


def build_report(corpus: Corpus, trees: Sequence[Tree], today: dt.date, sheets: Mapping[str, int]) -> Report:
    """The report over `trees` (in the order given) and the whole catalogue, as of `today`."""
    index = code_index(corpus)
    rows = tuple(_tree_row(corpus, t, index, today, sheets.get(t.id, 0)) for t in trees)
    handled_in: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        for code in row.codes:
            handled_in[code].add(row.id)

    def code_row(entry: CodeEntry) -> CodeRow:
        canonical = normalise(entry.code)
        return CodeRow(canonical, entry.title, tuple(sorted(handled_in.get(canonical, ()))))

    entries = [code_row(e) for e in corpus.codes]
    return Report(
        today=today, review_months=corpus.project.review_months, trees=rows,
        single_tree_codes=tuple(r for r in entries if len(r.trees) == 1),
        no_todo_codes=tuple(code_row(e) for e in corpus.codes if has_no_todo(e)))


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Columns padded to their widest cell, separated by two spaces; a dashed line under the header."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def report_text(report: Report) -> str:
    """The report as plain text: a table of trees, then the two code lists."""
    out = [f"Karbantartói jelentés, {report.today.isoformat()} (átnézés esedékes {report.review_months} hónap után)", ""]
    rows = []
    for r in report.trees:
        age = age_text(r, report.today) + (" – ÁTNÉZENDŐ" if r.overdue else "")
        rows.append([r.id, r.owner or "–", r.reviewed.isoformat() if r.reviewed else "–", age, str(r.nodes),
                     str(r.outcomes), f"{len(r.covered)}/{r.outcomes}", str(len(r.codes)), str(r.sheets)])
    out += _table(["fa", "gondozó", "átnézve", "kora", "csomópont", "kimenet", "forgatókönyvvel elért", "kód",
                   "nyomtatott lap"], rows)
    uncovered = [f"  {r.id}: {', '.join(r.uncovered)}" for r in report.trees if r.uncovered]
    if uncovered:
        out += ["", "Forgatókönyv nélküli kimenetek:", *uncovered]
    for heading, codes, empty in (
            ("Csak egy fából elérhető kódok", report.single_tree_codes, "nincs ilyen kód"),
            ("Teendő nélküli kódok", report.no_todo_codes, "nincs ilyen kód")):
        out += ["", f"{heading} ({len(codes)}):"]
        out += [f"  {c.code} – {c.title} ({', '.join(c.trees) or 'egy fa sem kezeli'})" for c in codes] or [f"  {empty}"]
    return "\n".join(out) + "\n"
