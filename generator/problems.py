"""Problems found in the sources: where, what is wrong, how to fix it, and how they are printed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

from .model import Loc

__all__ = ["Problem", "Severity", "format_problem", "sort_problems", "ContentError"]

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One finding: `file:line:col: message (hint)`; warnings do not fail a check."""

    loc: Loc
    message: str
    hint: str = ""
    severity: Severity = "error"

    def __str__(self) -> str:
        return format_problem(self)


def format_problem(p: Problem) -> str:
    """The one-line form every tool prints: `file:line:col: [figyelmeztetés: ]message (hint)`; a line
    break quoted from the content (e.g. a multi-line answer label) is shown as ⏎, keeping one line."""
    prefix = "figyelmeztetés: " if p.severity == "warning" else ""
    hint = f" ({p.hint})" if p.hint else ""
    return _one_line(f"{p.loc}: {prefix}{p.message}{hint}")


def _one_line(text: str) -> str:
    """`text` with every kind of line break as ⏎ (a CR LF pair as one)."""
    return "⏎".join(text.replace("\r\n", "\n").splitlines()) if text else text


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Problems in file, line, column order, each once."""
    return sorted(set(problems), key=lambda p: (p.loc.file, p.loc.line, p.loc.col, p.message))


class ContentError(Exception):
    """Raised by the build when the content has errors; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(format_problem(p) for p in problems))
