"""How problems are printed: one line each, whatever the content quoted in them."""

from __future__ import annotations

from generator.model import Loc
from generator.problems import Problem, format_problem


def test_problem_prints_as_file_line_col_message_hint() -> None:
    problem = Problem(Loc("trees/pin.yaml", 12, 5), "nincs ilyen csomópont: x", "írja át", "warning")
    assert format_problem(problem) == "trees/pin.yaml:12:5: figyelmeztetés: nincs ilyen csomópont: x (írja át)"


def test_a_quoted_line_break_keeps_the_problem_on_one_line() -> None:
    for label in ("Nincs\nilyen", "Nincs\r\nilyen", "Nincs\rilyen", "Nincs\u2028ilyen"):
        printed = format_problem(Problem(Loc("trees/pin.yaml", 3, 7), f"nincs ilyen válasza: {label}"))
        assert printed == "trees/pin.yaml:3:7: nincs ilyen válasza: Nincs⏎ilyen", repr(label)
