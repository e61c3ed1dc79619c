"""The offline bundle: one deterministic zip with one folder (the site and OLVASSEL.txt) that unzips anywhere."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from generator.bundle import README_NAME, write_bundle
from generator.linkcheck import check_site

ROOT = Path(__file__).resolve().parent.parent
EPOCH = 1763683200  # 2025-11-21, UTC


def test_the_zip_holds_one_folder_with_the_whole_site_and_a_readme(fixture_site: Path, tmp_path: Path) -> None:
    archive = write_bundle(fixture_site, tmp_path, EPOCH)
    assert archive == tmp_path / "hibaelharitas-2025-11-21.zip"
    with zipfile.ZipFile(archive) as z:
        names = z.namelist()
        assert z.testzip() is None
        files = {n.removeprefix("hibaelharitas-2025-11-21/") for n in names if not n.endswith("/")}
        site_files = {p.relative_to(fixture_site).as_posix() for p in fixture_site.rglob("*") if p.is_file()}
        assert files == site_files | {README_NAME}
        assert all(n.startswith("hibaelharitas-2025-11-21/") for n in names)
        assert names == sorted(names), "entries are sorted"
        assert {i.date_time for i in z.infolist()} == {(2025, 11, 21, 0, 0, 0)}
        assert all(n.isascii() for n in names), "plain names unzip the same with every tool"
        for name in site_files:
            assert z.read(f"hibaelharitas-2025-11-21/{name}") == (fixture_site / name).read_bytes()
        raw = z.read(f"hibaelharitas-2025-11-21/{README_NAME}")
    assert raw.startswith("\ufeff".encode()) and b"\n" not in raw.replace(b"\r\n", b""), "BOM and CRLF for Notepad"
    readme = raw.decode("utf-8-sig")
    assert "index.html" in readme and "internet nélkül" in readme and "2025-11-21" in readme


def test_the_same_site_gives_the_same_bytes(fixture_site: Path, tmp_path: Path) -> None:
    first = write_bundle(fixture_site, tmp_path / "1", EPOCH).read_bytes()
    os.utime(fixture_site / "index.html", (0, 0))  # file times do not leak into the zip
    second = write_bundle(fixture_site, tmp_path / "2", EPOCH).read_bytes()
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()
    assert not list((tmp_path / "1").glob(".*")), "no temporary file is left next to the zip"


def test_unzipped_into_a_folder_with_spaces_and_accents_every_link_resolves(fixture_site: Path,
                                                                             tmp_path: Path) -> None:
    archive = write_bundle(fixture_site, tmp_path, EPOCH)
    target = tmp_path / "ASP hibaelhárítás"
    with zipfile.ZipFile(archive) as z:
        z.extractall(target)
    site = target / "hibaelharitas-2025-11-21"
    assert (site / "index.html").is_file() and (site / README_NAME).is_file()
    assert check_site(site) == []


def bundle_command(tmp_path: Path, name: str) -> Path:
    """`python -m generator bundle` of the fixture site into `tmp_path/name`; the folder of the zip."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": str(EPOCH)}
    result = subprocess.run([sys.executable, "-m", "generator", "bundle", "--config",
                             str(ROOT / "tests" / "fixtures" / "site" / "mkdocs.yml"), "--site-dir",
                             str(tmp_path / name / "site"), "--out", str(tmp_path / name / "dist")],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "hibaelharitas-2025-11-21.zip" in result.stdout
    return tmp_path / name / "dist"


def test_the_bundle_command_builds_checks_and_zips_the_same_bytes_each_time(tmp_path: Path) -> None:
    first, second = bundle_command(tmp_path, "1"), bundle_command(tmp_path, "2")
    assert sorted(p.name for p in first.iterdir()) == ["hibaelharitas-2025-11-21.zip"]
    with zipfile.ZipFile(first / "hibaelharitas-2025-11-21.zip") as z:
        assert "hibaelharitas-2025-11-21/fak/pin.html" in z.namelist()
    assert (first / "hibaelharitas-2025-11-21.zip").read_bytes() == (second / "hibaelharitas-2025-11-21.zip").read_bytes()


def test_a_site_with_a_broken_link_is_not_bundled(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: Törött\nuse_directory_urls: false\ntheme:\n  name: material\n"
                                         "  font: false\n", encoding="utf-8")
    (tmp_path / "docs" / "index.md").write_text('# Kezdőlap\n\n<img src="nincs.png">\n', encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "generator", "bundle", "--config", str(tmp_path / "mkdocs.yml"),
                             "--site-dir", str(tmp_path / "site"), "--out", str(tmp_path / "dist")],
                            cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": str(EPOCH)})
    assert result.returncode == 1 and "index.html: nincs.png: nincs ilyen fájl" in result.stderr
    assert not (tmp_path / "dist").exists()
