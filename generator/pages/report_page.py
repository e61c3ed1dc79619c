"""The maintainer's report page (`jelentes.md`): the report as HTML tables, out of the nav and out of search."""

from __future__ import annotations

from ..model import Corpus
from ..report import CodeRow, Report, TreeRow, age_text
from ..text import plain
from .links import REPORT_SRC, code_src, relative, tree_src
from .tree_page import format_date

__all__ = ["report_page", "REPORT_TITLE"]

REPORT_TITLE = "Karbantartói jelentés"
# Material's search plugin skips pages with this front matter: clerks searching a code should land
# on the code page, not on a maintainers' table that lists it.
_FRONT_MATTER = "---\nsearch:\n  exclude: true\n---\n"


def _table(header: list[str], rows: list[str], numeric: set[int]) -> str:
    right = ' align="right"'
    head = "".join(f'<th scope="col"{right if i in numeric else ""}>{h}</th>' for i, h in enumerate(header))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _tree_row(row: TreeRow, report: Report) -> str:
    link = f'<a href="{relative(REPORT_SRC, tree_src(row.id))}">{plain(row.title)}</a>'
    age = plain(age_text(row, report.today))
    age = f'<strong class="fa-jelentes-atnezendo">{age}, átnézendő</strong>' if row.overdue else age
    coverage = f"{len(row.covered)} / {row.outcomes}"
    if row.uncovered:
        missing = ", ".join(f'<a href="{relative(REPORT_SRC, tree_src(row.id), o)}"><code>{plain(o)}</code></a>'
                            for o in row.uncovered)
        coverage += f"<br><small>forgatókönyv nélkül: {missing}</small>"
    owner = f'<br><small>Gondozó: {plain(row.owner or "nincs megadva")}</small>'
    cells = [link + owner, f"{plain(format_date(row.reviewed))}<br>{age}"]
    numbers = [str(row.nodes), coverage, str(len(row.codes)), str(row.sheets)]
    return ("<tr>" + "".join(f"<td>{c}</td>" for c in cells)
            + "".join(f'<td align="right">{n}</td>' for n in numbers) + "</tr>")


def _code_row(code: CodeRow, titles: dict[str, str]) -> str:
    link = f'<a href="{relative(REPORT_SRC, code_src(code.code))}"><code>{plain(code.code)}</code></a>'
    trees = ", ".join(f'<a href="{relative(REPORT_SRC, tree_src(t))}">{plain(titles.get(t, t))}</a>' for t in code.trees)
    return f"<tr><td>{link}</td><td>{plain(code.title)}</td><td>{trees or 'egy fa sem kezeli'}</td></tr>"


def report_page(corpus: Corpus, report: Report) -> str:
    """The Markdown source of the report page: a title, then raw-HTML tables we escape ourselves."""
    titles = {t.id: t.title for t in corpus.trees}
    trees = _table(["Fa", "Átnézve", "Csomópont", "Kimenet", "Kód", "Lap"],
                   [_tree_row(r, report) for r in report.trees], {2, 3, 4, 5})
    parts = [
        _FRONT_MATTER,
        f"# {REPORT_TITLE} {{ #jelentes-cim }}",
        f'<p class="fa-jelentes-datum">Készült: {plain(format_date(report.today))} Egy fát '
        f"{report.review_months} havonta kell átnézni; a régebben átnézett fák „átnézendő” jelölést kapnak, "
        "és a <code>python -m generator check</code> figyelmeztet rájuk.</p>",
        '<h2 id="fak">Fák</h2>',
        "<p><strong>Kimenet:</strong> a fa kimenetei közül hányhoz vezet legalább egy forgatókönyv "
        "(<code>tests:</code>), az összes kimenet közül. <strong>Kód:</strong> a fa csomópontjainak "
        "<code>codes</code> listáiban szereplő különböző kódok száma. <strong>Lap:</strong> a folyamatábra "
        "nyomtatott A4-es lapjainak száma.</p>",
        trees,
        '<h2 id="egy-fabol">Csak egy fából elérhető kódok</h2>',
        "<p>Ezekhez a kódokhoz csak egy fa csomópontja vezet; ha az a fa megváltozik, a kód elérhetetlenné válhat.</p>",
        _code_list(report.single_tree_codes, titles),
        '<h2 id="teendo-nelkul">Teendő nélküli kódok</h2>',
        "<p>Ezeknek a kódoknak a katalógusban nincs teendője: a <code>todo</code> üres, vagy azt írja, hogy a "
        "forrás nem ad teendőt.</p>",
        _code_list(report.no_todo_codes, titles),
    ]
    return "\n\n".join(parts) + "\n"


def _code_list(codes: tuple[CodeRow, ...], titles: dict[str, str]) -> str:
    if not codes:
        return "<p><em>Nincs ilyen kód.</em></p>"
    return _table(["Kód", "Rövid leírás", "Kezeli"], [_code_row(c, titles) for c in codes], set())
