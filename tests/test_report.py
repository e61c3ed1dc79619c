"""Tests of the maintainer's report: its numbers, the CLI table, the site page, and check's review warning."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.check import check_corpus, review_overdue
from generator.cli import main
from generator.load import load_corpus
from generator.model import CodeEntry, Loc
from generator.pages.links import REPORT_SRC
from generator.pages.report_page import REPORT_TITLE, report_page
from generator.report import age_text, build_date, build_report, has_no_todo, report_text, sheet_counts
from generator.site import generate, navigation, sorted_trees
from generator.text import Glossary

from .conftest import FIXTURES, ROOT

HOSTILE, GOOD = FIXTURES / "hostile", FIXTURES / "good"
DAY = dt.date(2026, 11, 21)


def report_of(root: Path, today: dt.date = DAY, sheets: dict[str, int] | None = None):
    corpus, problems = load_corpus(str(root))
    assert [p for p in problems if p.severity == "error"] == []
    return corpus, build_report(corpus, sorted_trees(corpus), today, sheets or {})


# --- the numbers -----------------------------------------------------------------------------------

def test_tree_rows_count_nodes_outcomes_coverage_codes_and_sheets() -> None:
    _, report = report_of(HOSTILE, sheets={"tamadas": 3, "masik": 1})
    rows = {r.id: r for r in report.trees}
    assert [r.id for r in report.trees] == ["tamadas", "masik"]  # navigation order
    tamadas, masik = rows["tamadas"], rows["masik"]
    assert (tamadas.nodes, tamadas.outcomes, tamadas.covered, tamadas.uncovered) == (5, 3, ("eszkalal", "vege"), ("tovabb",))
    assert tamadas.codes == ("Hiba: <b>\"x\"</b> & 'y' \\N {}|# 🔑", "K0517(-116)", "Kapcsolódási hiba \"]; x [label=\" ő </svg>")
    assert tamadas.owner == 'Gondozó <i>dőlt</i> & "társa" \\G' and tamadas.sheets == 3
    assert (masik.nodes, masik.outcomes, masik.covered, masik.uncovered, masik.codes) == (2, 1, ("kesz",), (), ("K0517(-116)",))
    assert masik.owner is None and masik.reviewed == dt.date(2024, 1, 15)
    assert (masik.age_months, masik.overdue, tamadas.age_months, tamadas.overdue) == (34, True, 0, False)


def test_codes_reached_through_one_tree_and_codes_without_todo() -> None:
    _, report = report_of(HOSTILE)
    assert [(c.code, c.trees) for c in report.single_tree_codes] == [
        ("Hiba: <b>\"x\"</b> & 'y' \\N {}|# 🔑", ("tamadas",)), ("Kapcsolódási hiba \"]; x [label=\" ő </svg>", ("tamadas",))]
    assert [c.code for c in report.no_todo_codes] == ["Hiba: <b>\"x\"</b> & 'y' \\N {}|# 🔑"]
    _, good = report_of(GOOD)
    assert [c.code for c in good.single_tree_codes] == ["K0517(-116)", "K0506", "Webhely nem elérhető."]
    assert good.no_todo_codes == ()


@pytest.mark.parametrize(("todo", "missing"), [
    ("A forrás csak a jelentést adja meg, teendőt nem.", True),
    ("Nincs ismert teendő.", True),
    ("A forrás nem adja meg teendőt.", True),
    ("", True),
    ("Oldja fel a PIN-kódot a PUK-kóddal.", False),
    ("A teendő: nem kell semmit tenni, várjon 10 percet.", False),
])
def test_has_no_todo(todo: str, missing: bool) -> None:
    assert has_no_todo(CodeEntry("K0100", "asp", "Cím", "Jelentés", todo, Loc("codes.yaml"))) is missing


@pytest.mark.parametrize(("reviewed", "months", "text", "overdue"), [
    (dt.date(2025, 11, 21), 12, "12 hónapja", False),   # exactly twelve months: not yet
    (dt.date(2025, 11, 20), 12, "12 hónapja", True),    # one day more
    (dt.date(2025, 11, 22), 12, "11 hónapja", False),
    (dt.date(2026, 10, 22), 12, "30 napja", False),
    (dt.date(2026, 11, 21), 12, "ma", False),
    (dt.date(2026, 12, 1), 12, "jövőbeli dátum", False),
    (dt.date(2026, 5, 20), 6, "6 hónapja", True),
])
def test_review_age_and_overdue(tmp_path: Path, reviewed: dt.date, months: int, text: str, overdue: bool) -> None:
    folder = tmp_path / "trees"
    shutil.copytree(GOOD, folder)
    (folder / "pin.yaml").write_text((folder / "pin.yaml").read_text("utf-8").replace(
        "reviewed: 2026-11-01", f"reviewed: {reviewed.isoformat()}"), "utf-8")
    (folder / "project.yaml").write_text((folder / "project.yaml").read_text("utf-8").replace(
        "review_months: 12", f"review_months: {months}"), "utf-8")
    _, report = report_of(folder)
    row = next(r for r in report.trees if r.id == "pin")
    assert (age_text(row, DAY), row.overdue) == (text, overdue)
    assert review_overdue(reviewed, DAY, months) is overdue


def test_build_date_follows_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1763683200")
    assert build_date() == dt.date(2025, 11, 21)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert build_date() == dt.date.today()


# --- the command -----------------------------------------------------------------------------------

def test_report_text_is_a_table_with_both_code_lists() -> None:
    _, report = report_of(HOSTILE, sheets={"tamadas": 3, "masik": 1})
    lines = report_text(report).splitlines()
    assert lines[0] == "Karbantartói jelentés, 2026-11-21 (átnézés esedékes 12 hónap után)"
    assert lines[2].split()[:3] == ["fa", "gondozó", "átnézve"] and set(lines[3]) == {"-", " "}
    tamadas = next(ln for ln in lines if ln.startswith("tamadas "))
    masik = next(ln for ln in lines if ln.startswith("masik "))
    assert tamadas.split()[-5:] == ["5", "3", "2/3", "3", "3"]
    assert "34 hónapja – ÁTNÉZENDŐ" in masik and masik.split()[-5:] == ["2", "1", "1/1", "1", "1"]
    assert "  tamadas: tovabb" in lines
    assert "Csak egy fából elérhető kódok (2):" in lines and "Teendő nélküli kódok (1):" in lines
    assert "  Hiba: <b>\"x\"</b> & 'y' \\N {}|# 🔑 – \"]; x [label=\"pwned (tamadas)" in lines


def test_report_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--trees", str(HOSTILE)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Karbantartói jelentés, {dt.date.today().isoformat()}")
    assert "tamadas" in out and "masik" in out and "Teendő nélküli kódok (1):" in out


def test_report_command_stops_on_errors() -> None:
    done = subprocess.run([sys.executable, "-m", "generator", "report", "--trees", str(FIXTURES / "bad" / "missing-start")],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1 and "nem létezik" in done.stderr and done.stdout == ""


# --- the page --------------------------------------------------------------------------------------

class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: list[str] = []
        self.hrefs: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "td":
            self._cell = []
        if tag == "br" and self._cell is not None:
            self._cell.append(" ")
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.cells.append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def test_report_page_shows_text_exactly_and_links_relatively() -> None:
    corpus, report = report_of(HOSTILE, sheets={"tamadas": 3, "masik": 1})
    source = report_page(corpus, report)
    assert source.startswith("---\nsearch:\n  exclude: true\n---\n")
    page = _Page()
    page.feed(source)
    tamadas = corpus.tree("tamadas")
    assert tamadas is not None
    assert f"{tamadas.title} Gondozó: {tamadas.owner}" in page.cells
    assert "2024. január 15. 34 hónapja, átnézendő" in page.cells
    assert "2 / 3 forgatókönyv nélkül: tovabb" in page.cells
    assert "Kapcsolódási hiba \"]; x [label=\" ő </svg>" in page.cells
    assert "fak/tamadas.html" in page.hrefs and "fak/tamadas.html#tovabb" in page.hrefs
    assert "kodok/hiba-b-x-b-y-n.html" in page.hrefs
    assert "<script>" not in source and "<b>" not in source.replace("<br>", "")


def test_report_page_is_generated_but_not_in_the_navigation(tmp_path: Path) -> None:
    corpus, _ = load_corpus(str(GOOD))
    site = generate(corpus, Glossary({}), tmp_path / "cache")
    assert REPORT_SRC in site.pages and site.titles[REPORT_SRC] == REPORT_TITLE
    assert f"# {REPORT_TITLE}" in site.pages[REPORT_SRC]
    assert REPORT_SRC not in repr(navigation(corpus, site, [], []))
    page = _Page()
    page.feed(site.pages[REPORT_SRC])
    trees = sorted_trees(corpus)
    per_tree = [page.cells[i * 6:(i + 1) * 6] for i in range(len(trees))]  # six cells a tree row
    counts = sheet_counts(corpus, trees, tmp_path / "cache")
    assert [row[5] for row in per_tree] == [str(counts[t.id]) for t in trees]  # the print sheets, counted once


# --- check's review warning ------------------------------------------------------------------------

def test_check_warns_on_old_reviews_with_file_and_reviewed_line(tmp_path: Path) -> None:
    folder = tmp_path / "trees"
    shutil.copytree(GOOD, folder)
    (folder / "project.yaml").write_text(
        (folder / "project.yaml").read_text("utf-8").replace("review_months: 12", "review_months: 3"), "utf-8")
    corpus, _ = load_corpus(str(folder))
    found = check_corpus(corpus, today=dt.date(2027, 2, 2))
    assert [p.severity for p in found] == ["warning", "warning"]
    lines = {p.loc.file.rsplit("/", 1)[-1]: p.loc.line for p in found}
    for name, line in lines.items():
        assert (folder / name).read_text("utf-8").splitlines()[line - 1].startswith("reviewed: 2026-11-01")
    assert check_corpus(corpus, today=dt.date(2027, 2, 1)) == []  # exactly three months: no warning


def test_check_command_prints_the_warning_and_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "trees"
    shutil.copytree(HOSTILE, folder)
    assert main(["check", str(folder)]) == 0
    out = capsys.readouterr().out
    warning = next(ln for ln in out.splitlines() if "figyelmeztetés:" in ln)
    assert "masik.yaml:7:" in warning and "2024-01-15" in warning and "12 hónap" in warning
    assert out.splitlines()[-1].endswith("1 figyelmeztetés")
