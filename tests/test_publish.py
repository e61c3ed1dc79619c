"""Publishing and rollback with real builds (of the fixture site; of a three-page site for the kill test): the
switch, the kept releases, refusals, and kill -9 at many moments (the target is always one whole site)."""

from __future__ import annotations

import fcntl
import hashlib
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from generator.publish import current_release, release_names, releases_dir

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_CONFIG = ROOT / "tests" / "fixtures" / "site" / "mkdocs.yml"
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1763683200"}


def generator(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m generator ARGS` as a user runs it."""
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=ROOT, env=ENV, capture_output=True,
                          text=True, timeout=300)


def publish(dest: Path, config: Path = FIXTURE_CONFIG) -> subprocess.CompletedProcess[str]:
    return generator("publish", str(dest), "--config", str(config))


def manifest(folder: Path) -> dict[str, str]:
    """Every file of a site (resolved once, as one web request would) -> sha256."""
    real = Path(os.path.realpath(folder))
    return {p.relative_to(real).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(real.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def site_b(fixture_site: Path) -> dict[str, str]:
    """What a publish of the fixture site must serve (the same bytes as the session's fixture build)."""
    return manifest(fixture_site)


@pytest.fixture(scope="module")
def site_a(fixture_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An older version of the site: other home page, one page more, one page fewer."""
    a = tmp_path_factory.mktemp("site-a") / "site"
    shutil.copytree(fixture_site, a)
    (a / "index.html").write_text("<!doctype html><title>A</title>régi változat", encoding="utf-8")
    (a / "regi-oldal.html").write_text("régi", encoding="utf-8")
    (a / "kodok" / "k0506.html").unlink()
    return a


def published_a(tmp_path: Path, site_a: Path) -> Path:
    """DEST serving release 0001-a (as left by an earlier publish)."""
    dest = tmp_path / "www" / "hibaelharitas"
    releases_dir(dest).mkdir(parents=True)
    shutil.copytree(site_a, releases_dir(dest) / "0001-a")
    dest.symlink_to("hibaelharitas.releases/0001-a")
    return dest


def plain_a(tmp_path: Path, site_a: Path) -> Path:
    """DEST as a plain folder with site A copied in by hand."""
    dest = tmp_path / "www" / "hibaelharitas"
    shutil.copytree(site_a, dest)
    return dest


def leftovers(dest: Path) -> list[str]:
    return sorted(p.name for p in list(releases_dir(dest).iterdir()) + list(dest.parent.iterdir())
                  if p.name.startswith(".") and p.name != ".lock")


def test_first_publish_adopts_a_plain_folder_and_rollback_restores_it(tmp_path: Path, site_a: Path,
                                                                      site_b: dict[str, str]) -> None:
    dest = plain_a(tmp_path, site_a)
    result = publish(dest)
    assert result.returncode == 0, result.stderr
    assert dest.is_symlink() and not os.path.isabs(os.readlink(dest))
    names = release_names(dest)
    assert [n.split("-")[0] for n in names] == ["0001", "0002"] and names[0] == "0001-kezi"
    assert current_release(dest) == names[1] and manifest(dest) == site_b
    assert manifest(releases_dir(dest) / "0001-kezi") == manifest(site_a)
    assert "rollback" in result.stdout

    back = generator("rollback", str(dest))
    assert back.returncode == 0, back.stderr
    assert current_release(dest) == "0001-kezi" and manifest(dest) == manifest(site_a)
    again = generator("rollback", str(dest))
    assert again.returncode == 1 and "nincs a jelenleginél" in again.stderr
    forward = generator("rollback", str(dest), "--to", names[1])
    assert forward.returncode == 0 and manifest(dest) == site_b
    assert leftovers(dest) == []


def test_publish_to_a_new_path(tmp_path: Path, site_b: dict[str, str]) -> None:
    dest = tmp_path / "hibaelharitas"
    result = publish(dest)
    assert result.returncode == 0, result.stderr
    assert manifest(dest) == site_b and len(release_names(dest)) == 1
    assert generator("rollback", str(dest)).returncode == 1


def test_rollback_of_an_unpublished_path_changes_nothing(tmp_path: Path, site_a: Path) -> None:
    dest = plain_a(tmp_path, site_a)
    result = generator("rollback", str(dest))
    assert result.returncode == 1 and "nem közzétett" in result.stderr
    assert not dest.is_symlink() and not releases_dir(dest).exists()


def test_a_failed_build_leaves_the_target_unchanged(tmp_path: Path, site_a: Path) -> None:
    dest = published_a(tmp_path, site_a)
    config = tmp_path / "rossz" / "mkdocs.yml"
    config.parent.mkdir()
    config.write_text("site_name: Rossz\ndocs_dir: nincs-ilyen-mappa\n", encoding="utf-8")
    result = publish(dest, config)
    assert result.returncode == 1 and "változatlan" in result.stderr
    assert manifest(dest) == manifest(site_a) and release_names(dest) == ["0001-a"] and leftovers(dest) == []


def test_broken_links_stop_the_publish(tmp_path: Path, site_a: Path) -> None:
    dest = published_a(tmp_path, site_a)
    config = tmp_path / "torott" / "mkdocs.yml"
    (config.parent / "docs").mkdir(parents=True)
    config.write_text("site_name: Törött\nuse_directory_urls: false\ntheme:\n  name: material\n  font: false\n",
                      encoding="utf-8")
    (config.parent / "docs" / "index.md").write_text('# Kezdőlap\n\n<a href="nincs.html">sehova</a>\n', "utf-8")
    result = publish(dest, config)
    assert result.returncode == 1
    assert "index.html: nincs.html: nincs ilyen fájl: nincs.html" in result.stderr
    assert manifest(dest) == manifest(site_a) and release_names(dest) == ["0001-a"] and leftovers(dest) == []


def test_only_the_newest_three_releases_are_kept(tmp_path: Path, site_b: dict[str, str]) -> None:
    dest = tmp_path / "hibaelharitas"
    for number in range(1, 5):
        (releases_dir(dest) / f"{number:04d}-regi").mkdir(parents=True)
    dest.symlink_to("hibaelharitas.releases/0004-regi")
    result = publish(dest)
    assert result.returncode == 0, result.stderr
    assert [n.split("-")[0] for n in release_names(dest)] == ["0003", "0004", "0005"]
    assert "0001-regi, 0002-regi" in result.stdout and manifest(dest) == site_b


def test_a_second_publish_at_the_same_time_is_refused(tmp_path: Path, site_a: Path) -> None:
    dest = published_a(tmp_path, site_a)
    with open(releases_dir(dest) / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = publish(dest)
        rolled = generator("rollback", str(dest))
    assert result.returncode == 1 and "másik közzététel" in result.stderr
    assert rolled.returncode == 1 and "másik közzététel" in rolled.stderr
    assert manifest(dest) == manifest(site_a) and release_names(dest) == ["0001-a"]


def test_a_symlink_made_by_hand_is_not_overwritten(tmp_path: Path, site_a: Path) -> None:
    dest = tmp_path / "hibaelharitas"
    dest.symlink_to(site_a)
    result = publish(dest)
    assert result.returncode == 1 and "nem írom felül" in result.stderr
    assert os.readlink(dest) == str(site_a)


def test_readers_during_a_publish_always_see_a_whole_site(tmp_path: Path, site_a: Path,
                                                         site_b: dict[str, str]) -> None:
    dest = published_a(tmp_path, site_a)
    a = manifest(site_a)
    seen: list[str] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            current = manifest(dest)
            seen.append("A" if current == a else "B" if current == site_b else f"mixed: {sorted(current)[:5]}")

    reader = threading.Thread(target=read)
    reader.start()
    try:
        result = publish(dest)
    finally:
        done.set()
        reader.join()
    assert result.returncode == 0, result.stderr
    assert set(seen) == {"A", "B"} and seen.index("B") > 0 and "A" not in seen[seen.index("B"):]


def _kill_when(proc: subprocess.Popen[bytes], dest: Path, stage: str, delay: float) -> None:
    """Kill -9 `proc` after `delay` seconds, or as soon as `stage` is seen on disk (polled every 0.5 ms)."""
    releases = releases_dir(dest)
    before = os.readlink(dest) if dest.is_symlink() else None
    old = set(os.listdir(releases)) if releases.is_dir() else set()
    reached = {
        "time": lambda: False,
        "build-started": lambda: any(n.startswith(".build-") for n in os.listdir(releases)),
        "release-named": lambda: any(n[:1].isdigit() and n not in old for n in os.listdir(releases)),
        "switched": lambda: (os.readlink(dest) if dest.is_symlink() else None) != before,
    }[stage]
    deadline = time.monotonic() + delay
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            if releases.is_dir() and reached():
                break
        except FileNotFoundError:
            pass
        time.sleep(0.0005)  # leave the CPU to the publish
    proc.kill()
    proc.wait()


def small_site(folder: Path) -> Path:
    """A three-page Material site (quick to build, so the publish can be killed many times); its config."""
    (folder / "docs").mkdir(parents=True)
    (folder / "mkdocs.yml").write_text("site_name: Kicsi\nuse_directory_urls: false\ntheme:\n  name: material\n"
                                       "  font: false\n", encoding="utf-8")
    for name in ("index", "egy", "ketto"):
        (folder / "docs" / f"{name}.md").write_text(f"# {name}\n\n[egy](egy.md), [kettő](ketto.md#ketto)\n", "utf-8")
    return folder / "mkdocs.yml"


def test_kill_9_at_any_moment_leaves_a_whole_site(tmp_path: Path) -> None:
    """Kill the publish at spread-out times and right at each stage; DEST is always all of A or all of B."""
    config = small_site(tmp_path / "src")
    timing = tmp_path / "timing" / "hibaelharitas"
    timing.parent.mkdir()
    start = time.monotonic()
    assert publish(timing, config).returncode == 0
    duration = time.monotonic() - start
    site_b = manifest(timing)
    site_a = tmp_path / "a"
    shutil.copytree(os.path.realpath(timing), site_a)
    (site_a / "index.html").write_text("régi változat", encoding="utf-8")
    (site_a / "regi.html").write_text("régi", encoding="utf-8")
    (site_a / "egy.html").unlink()
    a = manifest(site_a)
    rng = random.Random(5)
    plans = [("time", duration * (i + rng.random()) / 8) for i in range(8)]
    plans += [(stage, duration * 10) for stage in ("build-started", "release-named", "switched")]
    outcomes = []
    for i, (stage, delay) in enumerate(plans):
        dest = (plain_a if i % 3 == 0 else published_a)(tmp_path / f"run{i}", site_a)
        proc = subprocess.Popen([sys.executable, "-m", "generator", "publish", str(dest), "--config", str(config)],
                                cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _kill_when(proc, dest, stage, delay)
        served = manifest(dest)
        assert served in (a, site_b), f"kill #{i} ({stage}, {delay:.2f}s): a mixed site is served"
        outcomes.append("A" if served == a else "B")
        if i % 5 == 0:  # the next publish clears what the killed one left, and rollback returns to `served`
            result = publish(dest, config)
            assert result.returncode == 0, result.stderr
            assert manifest(dest) == site_b and leftovers(dest) == []
            assert generator("rollback", str(dest)).returncode == 0 and manifest(dest) == served
    assert "A" in outcomes and "B" in outcomes, outcomes
