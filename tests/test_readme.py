"""The README's example corpus is complete and passes `check` (so the documentation cannot rot)."""

from __future__ import annotations

import re
from pathlib import Path

from generator.cli import load_and_check

from .conftest import ROOT


def test_readme_example_passes_check(tmp_path: Path) -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", (ROOT / "README.md").read_text("utf-8"), re.S)
    project, codes, tree = blocks[:3]
    # The example cites only question 7 of the 41: declare just that item so coverage holds.
    (tmp_path / "project.yaml").write_text(project.replace("items: 41", 'items: ["7"]'), "utf-8")
    (tmp_path / "codes.yaml").write_text(codes, "utf-8")
    (tmp_path / "pin.yaml").write_text(tree, "utf-8")
    corpus, problems = load_and_check(str(tmp_path))
    assert not problems, "\n".join(map(str, problems))
    assert [t.id for t in corpus.trees] == ["pin"] and len(corpus.trees[0].scenarios) == 3
