"""Publishing to a web server's folder: build, verify every link, then switch atomically; roll back on demand.

Layout: the served path DEST is a symlink to one release in the folder `DEST.releases/` next to it, e.g.
`/var/www/hibaelharitas -> hibaelharitas.releases/0007-20251121T101530Z`. A release is built into a hidden
`.build-*` folder and gets its numbered name only when it is complete and its links all resolve, so every
numbered release is a whole site. The switch is one rename(2) of a fresh symlink over DEST, so whenever
the process dies (even kill -9), DEST is the old site or the new one, never a mix. The newest releases
are kept for `rollback` (older ones are renamed to `.trash-*` before they are deleted). `rollback` points
DEST to the release before the served one; the next publish deletes releases above the served one.

A DEST that is still a plain folder (a site copied there by hand) becomes a release itself on the first
publish: one renameat2(RENAME_EXCHANGE) swaps the folder and the new symlink, also atomically (Linux).
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import shutil
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from mkdocs.config import load_config

from .build import build_site
from .linkcheck import check_site, format_broken

__all__ = ["publish", "rollback", "build_and_verify", "releases_dir", "release_names", "current_release", "KEEP"]

KEEP = 3
RELEASE_NAME = re.compile(r"^(\d{4,})-[0-9A-Za-z]+$")
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class PublishError(Exception):
    """A publish or rollback that cannot go ahead; DEST is unchanged."""


def _number(name: str) -> int:
    return int(name.split("-", 1)[0])


def releases_dir(dest: Path) -> Path:
    """The folder of releases next to DEST: `DEST.releases`."""
    return dest.with_name(dest.name + ".releases")


def release_names(dest: Path) -> list[str]:
    """The complete releases of DEST, oldest first (by their number)."""
    folder = releases_dir(dest)
    if not folder.is_dir():
        return []
    names = [p.name for p in folder.iterdir() if RELEASE_NAME.match(p.name) and p.is_dir() and not p.is_symlink()]
    return sorted(names, key=_number)


def current_release(dest: Path) -> str | None:
    """The release DEST points to, or None when DEST is not (yet) a symlink into its releases."""
    if not dest.is_symlink():
        return None
    target = Path(os.path.normpath(dest.parent / os.readlink(dest)))
    if target.parent != releases_dir(dest) or not RELEASE_NAME.match(target.name):
        return None
    return target.name


def _site_url(config_file: str) -> str | None:
    return load_config(config_file).site_url or None


def build_and_verify(config_file: str, out: Path) -> bool:
    """Build the site into `out` and check every link; False (with the reasons printed) when either fails."""
    if build_site(config_file, str(out)) != 0:
        return False
    broken = check_site(out, _site_url(config_file))
    for link in broken:
        print(format_broken(link), file=sys.stderr)
    if broken:
        print(f"{len(broken)} hibás hivatkozás a felépített oldalon.", file=sys.stderr)
    return not broken


def _fsync(path: str | Path, flags: int = os.O_RDONLY) -> None:
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    _fsync(path, os.O_RDONLY | os.O_DIRECTORY)


def _fsync_tree(root: Path) -> None:
    """Write a release to disk before it is switched to, so that a power cut cannot leave it half written."""
    for folder, _, files in os.walk(root):
        for name in files:
            _fsync(os.path.join(folder, name))
        _fsync_dir(Path(folder))


def _exchange(a: Path, b: Path) -> None:
    """Swap two paths atomically with renameat2(RENAME_EXCHANGE)."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None or renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno() if renameat2 is not None else errno.ENOSYS
        raise PublishError(f"{b} mappa nem cserélhető le atomikusan ({os.strerror(code)}). Alakítsa át kézzel: "
                           f"mv {b} {releases_dir(b)}/0001-kezi && ln -s {releases_dir(b).name}/0001-kezi {b}")


def _point(dest: Path, release: str, adopt_as: str | None = None) -> None:
    """Make DEST point to `release` in one atomic step; a plain-folder DEST becomes release `adopt_as`."""
    target = os.path.join(releases_dir(dest).name, release)
    if adopt_as is not None:
        slot = releases_dir(dest) / adopt_as
        os.symlink(target, slot)
        try:
            _exchange(slot, dest)
        except PublishError:
            slot.unlink()
            raise
    else:
        temp = dest.with_name(f".{dest.name}.switch-{os.getpid()}")
        os.symlink(target, temp)
        os.replace(temp, dest)
    _fsync_dir(dest.parent)


def _remove_leftovers(dest: Path) -> None:
    """What an interrupted publish left behind: half-built and half-deleted releases, unused temp symlinks."""
    folder = releases_dir(dest)
    for path in sorted(folder.glob(".build-*")) + sorted(folder.glob(".trash-*")):
        shutil.rmtree(path, ignore_errors=True)
    slots = sorted(p for p in folder.iterdir() if p.is_symlink())
    for path in slots + sorted(dest.parent.glob(f".{dest.name}.switch-*")):
        path.unlink()


def _delete(dest: Path, names: list[str]) -> list[str]:
    """Delete releases; each is renamed first, so a half-deleted one never looks like a release."""
    for name in names:
        trash = releases_dir(dest) / f".trash-{name}"
        os.replace(releases_dir(dest) / name, trash)
        shutil.rmtree(trash)
    return names


def _newer_than_current(dest: Path) -> list[str]:
    """Releases above the served one: built by a publish that died before its switch, or rolled back from.

    They go before a publish, so that afterwards `rollback` returns to the release served until then.
    """
    current = current_release(dest)
    if current is None:
        return []
    return [n for n in release_names(dest) if _number(n) > _number(current)]


@contextmanager
def _locked(dest: Path) -> Iterator[None]:
    """One publish or rollback at a time per DEST (the lock goes with the process, even on kill -9)."""
    import fcntl  # here, not at the top: the other commands of the CLI also run on Windows

    releases_dir(dest).mkdir(exist_ok=True)
    with open(releases_dir(dest) / ".lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(f"{dest}: egy másik közzététel vagy visszaállítás fut éppen") from None
        yield


def _check_dest(dest: Path) -> None:
    if not dest.parent.is_dir():
        raise PublishError(f"{dest.parent}: nincs ilyen mappa")
    if dest.is_symlink() and current_release(dest) is None:
        raise PublishError(f"{dest} olyan szimbolikus link, amely nem a {releases_dir(dest).name} mappába mutat;"
                           " nem írom felül")
    if dest.exists() and not dest.is_dir():
        raise PublishError(f"{dest} nem mappa")


def _published(dest: Path) -> str:
    current = current_release(dest)
    if current is None:
        raise PublishError(f"{dest} nem közzétett változatra mutat (előbb: python -m generator publish {dest})")
    return current


def publish(dest: str | Path, config_file: str = "mkdocs.yml", keep: int = KEEP) -> int:
    """Build, verify and switch DEST to the new release; 0 on success, 1 when DEST was left unchanged."""
    dest = Path(os.path.abspath(dest))
    try:
        _check_dest(dest)
        with _locked(dest):
            _remove_leftovers(dest)
            _delete(dest, _newer_than_current(dest))
            number = max(map(_number, release_names(dest)), default=0) + 1
            adopt_as = None
            if dest.is_dir() and not dest.is_symlink():
                adopt_as, number = f"{number:04d}-kezi", number + 1
            building = releases_dir(dest) / f".build-{number:04d}"
            if not build_and_verify(config_file, building):
                shutil.rmtree(building, ignore_errors=True)
                raise PublishError(f"{dest} változatlan.")
            _fsync_tree(building)
            name = f"{number:04d}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}"
            os.replace(building, releases_dir(dest) / name)
            _fsync_dir(releases_dir(dest))
            previous = current_release(dest) or adopt_as
            _point(dest, name, adopt_as)
            pruned = _delete(dest, release_names(dest)[:-keep])
    except PublishError as exc:
        print(f"Közzététel sikertelen: {exc}", file=sys.stderr)
        return 1
    print(f"Közzétéve: {dest} -> {releases_dir(dest).name}/{name}")
    if previous:
        print(f"Az előző változat ({previous}) visszaállítható: python -m generator rollback {dest}")
    if pruned:
        print(f"Törölt régi változatok: {', '.join(pruned)}")
    if _site_url(config_file) is None:
        print("Megjegyzés: a site_url nincs beállítva, így al-útvonalon (pl. /hibaelharitas/) a 404-es oldal"
              " stílus nélkül jelenik meg (docs/hosting.md).")
    return 0


def rollback(dest: str | Path, to: str | None = None) -> int:
    """Point DEST back to the release before the current one (or to release `to`); 0 on success, 1 if none."""
    dest = Path(os.path.abspath(dest))
    try:
        _published(dest)
        with _locked(dest):
            current = _published(dest)
            names = release_names(dest)
            older = [n for n in names if _number(n) < _number(current)]
            target = to if to is not None else (older[-1] if older else None)
            if target is None:
                raise PublishError(f"nincs a jelenleginél ({current}) korábbi változat")
            if target not in names:
                raise PublishError(f"nincs ilyen változat: {target} (lehetséges: {', '.join(names)})")
            _point(dest, target)
    except PublishError as exc:
        print(f"Visszaállítás sikertelen: {exc}", file=sys.stderr)
        return 1
    print(f"Visszaállítva: {dest} -> {releases_dir(dest).name}/{target} (korábban: {current})")
    return 0
