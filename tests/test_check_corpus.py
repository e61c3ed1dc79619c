"""`check` on a corpus of broken inputs: each case folder holds one fault and `expect.txt` says where and what.

`expect.txt` is one line: `<file>:<line>[:<col>]: <substring of the message>`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "fixtures" / "bad"
GOOD = ROOT / "tests" / "fixtures" / "good"
CASES = sorted(p.name for p in BAD.iterdir() if p.is_dir())
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
EXPECT = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+)(?::(?P<col>\d+))?: (?P<message>.+)$")
SUMMARY_FAIL = re.compile(r"^\d+ hiba, \d+ figyelmeztetés$")
SUMMARY_OK = re.compile(r"^rendben: (\d+) fa, (\d+) csomópont, (\d+) kód, (\d+) forgatókönyv(, \d+ figyelmeztetés)?$")

# Cases whose one fault is, by design, reported more than once (the error count is pinned so a change shows).
ERROR_COUNTS = {
    # An unreadable tree is missing from the corpus: links into it, its codes and citations are reported too.
    "alias": 5, "anchor": 5, "control-char": 5, "not-utf8": 5, "tab-indent": 5, "yaml-syntax": 5,
    "yaml-syntax-flow": 5, "empty-file": 4,
    "answers-string": 6,              # the question has no answers: unreachable outcome, dead ends, scenario
    "code-duplicate-normalised": 2,   # k0506 is also not canonical
    "loop-no-exit": 2,                # both nodes of the loop
    "node-id-not-slug": 2,            # the id and the link to it
    "question-and-step": 2,           # a step also needs next
    "step-without-next": 2,           # the schema, and the dead end
    "tree-id-not-slug": 3,            # not a slug, not the file name, links to `pin` broken
    "unknown-tag": 2,                 # the tag, and the value it leaves empty
    "unquoted-0517-code": 2,          # the trap, and 0517 is not in the catalogue
    "three-faults": 3,
}
THREE_FAULTS = [(10, "ismétlődő kulcs: order"), (39, "a(z) sikerul cél nem létezik"), (52, "érvénytelen érték: megoldva")]
SUBPROCESS_CASES = ["yaml-syntax", "not-utf8", "invalid-date", "control-char", "duplicate-key", "link-missing-node",
                    "missing-project", "three-faults"]


def read_expect(case: str) -> re.Match[str]:
    lines = (BAD / case / "expect.txt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1, f"{case}/expect.txt must hold exactly one line"
    m = EXPECT.match(lines[0])
    assert m, f"{case}/expect.txt: {lines[0]!r}"
    return m


def problem_line(folder: str) -> re.Pattern[str]:
    """A printed problem: `<folder>/<file>:line:col: message (hint)`."""
    return re.compile(rf"^{re.escape(folder)}/[^/:]+:\d+:\d+: .+ \(.+\)$")


def assert_report(case: str, folder: str, code: int, out: str, err: str) -> None:
    assert "Traceback" not in out + err
    assert code == 1, out + err
    lines = [ln for ln in (out + err).splitlines() if ln]
    summary = [ln for ln in lines if SUMMARY_FAIL.match(ln)]
    assert len(summary) == 1 and err.splitlines()[-1] == summary[0]
    problems = [ln for ln in lines if not SUMMARY_FAIL.match(ln)]
    pattern = problem_line(folder)
    for ln in problems:
        assert pattern.match(ln), f"badly formed problem line: {ln!r}"
    errors = [ln for ln in err.splitlines() if pattern.match(ln)]
    assert errors, err
    assert summary[0].startswith(f"{len(errors)} hiba,")
    m = read_expect(case)
    where = f"{folder}/{m['file']}:{m['line']}:" + (f"{m['col']}:" if m["col"] else "")
    hits = [ln for ln in errors if ln.startswith(where) and m["message"] in ln]
    assert hits, f"expected `{where} ... {m['message']}` among:\n" + "\n".join(errors)
    assert len(errors) == ERROR_COUNTS.get(case, 1), "\n".join(errors)


def test_the_bad_corpus_is_big_enough() -> None:
    assert len(CASES) >= 35
    for case in CASES:
        read_expect(case)
        assert any(p.suffix == ".yaml" for p in (BAD / case).iterdir()), case


@pytest.mark.parametrize("case", CASES)
def test_check_reports_the_fault(case: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    folder = f"tests/fixtures/bad/{case}"
    code = main(["check", folder])
    captured = capsys.readouterr()
    assert_report(case, folder, code, captured.out, captured.err)


@pytest.mark.parametrize("case", SUBPROCESS_CASES)
def test_check_reports_the_fault_as_a_command(case: str) -> None:
    folder = f"tests/fixtures/bad/{case}"
    result = subprocess.run([PYTHON, "-m", "generator", "check", folder], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert_report(case, folder, result.returncode, result.stdout, result.stderr)


def test_several_problems_in_one_file_are_all_reported(capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["check", "tests/fixtures/bad/three-faults"]) == 1
    err = capsys.readouterr().err
    for line, message in THREE_FAULTS:
        assert any(ln.startswith(f"tests/fixtures/bad/three-faults/pin.yaml:{line}:") and message in ln
                   for ln in err.splitlines()), (line, message, err)
    assert "3 hiba" in err


def test_fixes_are_independent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Fixing one of the three faults leaves exactly the other two."""
    text = (BAD / "three-faults" / "pin.yaml").read_text(encoding="utf-8")
    for f in (BAD / "three-faults").glob("*.yaml"):
        (tmp_path / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "pin.yaml").write_text(text.replace("kind: megoldva", "kind: solved"), encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "ismétlődő kulcs: order" in err and "sikerul cél nem létezik" in err
    assert "érvénytelen érték" not in err
    assert "2 hiba" in err


# ---- the good corpus, and usage -----------------------------------------------------------------------

def _assert_good(code: int, out: str, err: str) -> None:
    assert code == 0, out + err
    assert err == ""
    lines = out.splitlines()
    m = SUMMARY_OK.match(lines[-1])
    assert m, lines[-1]
    assert m.groups()[:4] == ("2", "11", "3", "4")
    for ln in lines[:-1]:  # only warnings (a review date grown old) may precede the summary
        assert re.match(r"^.+:\d+:\d+: figyelmeztetés: .+ \(.+\)$", ln), ln


def test_good_corpus_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", str(GOOD)])
    captured = capsys.readouterr()
    _assert_good(code, captured.out, captured.err)


def test_good_corpus_passes_as_a_command() -> None:
    result = subprocess.run([PYTHON, "-m", "generator", "check", "tests/fixtures/good"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    _assert_good(result.returncode, result.stdout, result.stderr)


@pytest.mark.parametrize("name", ["pin.yaml", "belepes.yaml", "codes.yaml", "project.yaml"])
def test_one_file_of_the_good_corpus_passes(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A single file is checked against its whole folder: its links into other trees resolve."""
    code = main(["check", str(GOOD / name)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert SUMMARY_OK.match(captured.out.splitlines()[-1])


def test_one_file_reports_only_its_own_problems(capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["check", "tests/fixtures/bad/yaml-syntax/belepes.yaml"]) == 1   # pin.yaml is broken, not belepes
    err = capsys.readouterr().err.splitlines()
    assert err and all(ln.startswith("tests/fixtures/bad/yaml-syntax/belepes.yaml:") for ln in err[:-1])
    assert main(["check", "tests/fixtures/bad/yaml-syntax/codes.yaml"]) == 1
    capsys.readouterr()
    assert main(["check", "tests/fixtures/bad/link-missing-node/belepes.yaml"]) == 0
    capsys.readouterr()
    assert main(["check", "tests/fixtures/bad/link-missing-node/pin.yaml"]) == 1
    assert "sikerul cél nem létezik" in capsys.readouterr().err


def test_several_paths_in_one_run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code = main(["check", "tests/fixtures/good", "tests/fixtures/bad/duplicate-key", "tests/fixtures/bad/bad-kind"])
    err = capsys.readouterr().err
    assert code == 1
    assert "bad/duplicate-key/pin.yaml:8:1: ismétlődő kulcs" in err and "bad/bad-kind/pin.yaml:51:11:" in err
    assert err.splitlines()[-1].startswith("2 hiba")


@pytest.mark.parametrize("argv, says", [
    (["frobnicate"], "invalid choice"),
    (["check", "nincs/ilyen/mappa"], "nincs ilyen fájl vagy mappa"),
    ([], "PARANCS"),
    (["paths"], "tree"),
    (["check", "--nincs-ilyen"], "unrecognized arguments"),
])
def test_usage_errors_exit_2(argv: list[str], says: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert says in captured.err
    assert "Traceback" not in captured.out + captured.err


@pytest.mark.parametrize("argv", [["frobnicate"], ["check", "nincs/ilyen/mappa"]])
def test_usage_errors_exit_2_as_a_command(argv: list[str]) -> None:
    result = subprocess.run([PYTHON, "-m", "generator", *argv], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr and "Traceback" not in result.stderr


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "check" in capsys.readouterr().out
