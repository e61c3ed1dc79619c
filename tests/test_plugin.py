"""The plugin in `mkdocs build`: Graphviz and print work in forked workers while MkDocs converts the pages,
and the site is still the very one MkDocs makes of `generate()`'s whole pages; failures are clear and
leave no process behind; a warm build starts no Graphviz process."""

from __future__ import annotations

import filecmp
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from bench.sites import write_floor, write_ours
from bench.synth import write_corpus
from generator.pdf import HANDBOOK_PATH, tree_pdf_path
from generator.render import INSTALL_HINT

from .conftest import ROOT

EPOCH = "1763683200"


def _env(**more: str) -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": EPOCH, **more}


def _start(config: Path, out: Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(out)],
                            cwd=ROOT, env=_env(**env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _build(config: Path, out: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(out)],
                          cwd=ROOT, env=_env(**env), capture_output=True, text=True, timeout=600)


def _differences(left: Path, right: Path) -> list[str]:
    """Files only on one side or with different bytes, recursively."""
    found: list[str] = []

    def walk(cmp: filecmp.dircmp[str], prefix: str) -> None:
        found.extend(prefix + n for n in cmp.left_only + cmp.right_only)
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
        found.extend(prefix + n for n in mismatch + errors)
        for name, sub in cmp.subdirs.items():
            walk(sub, prefix + name + "/")

    walk(filecmp.dircmp(left, right), "")
    return found


def _processes_in_group(group: int) -> list[int]:
    """Every process (zombies included) of a process group."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == group:
                found.append(int(entry.name))
    return found


def _children(pid: int) -> list[int]:
    """The child processes of `pid`."""
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="utf-8").split()]
    except OSError:
        return []


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic trees folder (bench/synth.py)."""
    trees = tmp_path_factory.mktemp("plugin") / "trees"
    write_corpus(trees, 3, 20)
    return trees


def test_the_site_is_the_one_mkdocs_makes_of_the_whole_pages(tmp_path: Path, synthetic: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The floor (bench/sites.py): `generate()`'s pages and PDFs as plain files, built without the plugin.
    Every file of the two sites is the same: pages, search index, sitemap and PDFs (with the same mode,
    also when the workers' folder is on another file system, as /dev/shm often is)."""
    ours = write_ours(synthetic, tmp_path / "cache" / "svg", tmp_path / "ours")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)  # the floor's report page carries the build date too
    floor = write_floor(synthetic, tmp_path / "floor-cache" / "svg", tmp_path / "floor")
    shm = Path("/dev/shm")
    elsewhere = shm.is_dir() and os.access(shm, os.W_OK) and shm.stat().st_dev != tmp_path.stat().st_dev
    done = _build(ours, tmp_path / "site-ours", **({"TMPDIR": str(shm)} if elsewhere else {}))
    assert done.returncode == 0, done.stderr
    done = _build(floor, tmp_path / "site-floor")
    assert done.returncode == 0, done.stderr
    site = tmp_path / "site-ours"
    assert _differences(site, tmp_path / "site-floor") == []
    modes = [{p.name: p.stat().st_mode for p in (folder / "pdf").iterdir()} for folder in (site, tmp_path / "site-floor")]
    assert modes[0] == modes[1]
    assert (site / HANDBOOK_PATH).stat().st_size > 0
    assert all((site / tree_pdf_path(p.stem)).is_file() for p in synthetic.glob("*.yaml") if p.stem not in
               ("project", "codes"))


def test_a_warm_build_starts_no_graphviz_process(tmp_path: Path, synthetic: Path) -> None:
    real = shutil.which("dot")
    assert real is not None
    shim = tmp_path / "bin"
    shim.mkdir()
    log = tmp_path / "dot.log"
    (shim / "dot").write_text(f"#!/bin/sh\necho \"$*\" >> '{log}'\nexec '{real}' \"$@\"\n", encoding="utf-8")
    (shim / "dot").chmod(0o755)
    config = write_ours(synthetic, tmp_path / "cache" / "svg", tmp_path / "ours")
    path = f"{shim}{os.pathsep}{os.environ['PATH']}"
    first = _build(config, tmp_path / "first", PATH=path)
    assert first.returncode == 0, first.stderr
    assert log.read_text(encoding="utf-8").count("-Tsvg") > 0  # the cold build drew, through the shim
    log.unlink()
    second = _build(config, tmp_path / "second", PATH=path)
    assert second.returncode == 0, second.stderr
    assert not log.exists()
    assert _differences(tmp_path / "first", tmp_path / "second") == []


def _fixture_config(tmp_path: Path, **options: str) -> Path:
    """The fixture site's config, runnable from `tmp_path`, with these plugin options."""
    config = yaml.safe_load((ROOT / "tests" / "fixtures" / "site" / "mkdocs.yml").read_text(encoding="utf-8"))
    config["docs_dir"] = str(ROOT / "tests" / "fixtures" / "site" / "content")
    config["theme"]["custom_dir"] = str(ROOT / "site_overrides")
    plugin = next(p for p in config["plugins"] if isinstance(p, dict) and "troubleshooting" in p)
    settings = plugin["troubleshooting"]
    settings.update(trees_dir=str(ROOT / "tests" / "fixtures" / "good"),
                    glossary=str(ROOT / "tests" / "fixtures" / "site" / "glossary.md"), **options)
    settings.setdefault("cache_dir", str(tmp_path / "cache" / "svg"))
    path = tmp_path / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def test_graphviz_missing_fails_the_build_clearly_and_leaves_no_process(tmp_path: Path) -> None:
    config = _fixture_config(tmp_path)
    temp = tmp_path / "tmp"
    temp.mkdir()
    empty = tmp_path / "nothing"
    empty.mkdir()
    done = _build(config, tmp_path / "site", PATH=str(empty), TMPDIR=str(temp))  # no `dot` on PATH
    assert done.returncode != 0
    assert INSTALL_HINT in done.stderr
    assert "Traceback" not in done.stderr
    assert list(temp.iterdir()) == []  # the workers' folders are gone
    assert not any(str(config) in _cmdline(pid) for pid in _all_processes())


def test_any_failure_in_a_worker_becomes_a_build_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    config = _fixture_config(tmp_path, cache_dir=str(blocker))
    done = _build(config, tmp_path / "site")
    assert done.returncode != 0
    assert "A folyamatábrák és a PDF-ek nem készültek el: NotADirectoryError" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_interrupted_build_leaves_no_process(tmp_path: Path) -> None:
    trees = tmp_path / "trees"
    write_corpus(trees, 12, 50)  # a cold build long enough to be interrupted while the workers draw
    config = write_ours(trees, tmp_path / "cache" / "svg", tmp_path / "ours")
    build = _start(config, tmp_path / "site")
    deadline = time.monotonic() + 120
    workers: list[int] = []
    while not workers and build.poll() is None and time.monotonic() < deadline:
        workers = [c for c in _children(build.pid) if _processes_in_group(c)]  # a worker leads its group
        time.sleep(0.02)
    assert workers, "no worker was seen"
    build.send_signal(signal.SIGINT)
    build.communicate(timeout=120)
    assert build.returncode != 0
    assert all(_processes_in_group(worker) == [] for worker in workers)


def _all_processes() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""
