"""The offline bundle: one zip of the built site for a shared folder or a USB stick.

The zip holds one folder, `hibaelharitas-<date>/`, with the site and OLVASSEL.txt (how to open it). It is
deterministic: entries sorted, every timestamp the date of the last commit (SOURCE_DATE_EPOCH), fixed
permissions, so the same sources give the same bytes.
"""

from __future__ import annotations

import os
import sys
import time
import zipfile
from pathlib import Path

from .build import reproducible_env
from .publish import build_and_verify

__all__ = ["bundle", "write_bundle", "README_NAME"]

README_NAME = "OLVASSEL.txt"
ZIP_EPOCH_MIN = 315532800  # 1980-01-01, the earliest time a zip entry can hold
README = """ASP és Ügyfélkapu+ belépési hibaelhárítás ({date})

Megnyitás: kattintson duplán az index.html fájlra ebben a mappában.
A böngészőben megnyílik az útmutató; internet nélkül is működik
(keresés, folyamatábrák, hibakódok).

Fontos: a mappa tartalmát együtt hagyja, ne csak az index.html-t másolja
át máshová. A mappa bárhová tehető és átnevezhető (pendrive, megosztott
mappa, asztal).

Ha a böngésző azt kérdezi, hogy engedélyezi-e a helyi fájl megnyitását,
válassza az engedélyezést.
"""


def _entry(name: str, stamp: tuple[int, int, int, int, int, int], is_dir: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name + "/" if is_dir else name, date_time=stamp)
    info.create_system = 3  # Unix, so the permissions below are read everywhere
    info.external_attr = ((0o40755 << 16) | 0x10) if is_dir else (0o100644 << 16)
    info.compress_type = zipfile.ZIP_STORED if is_dir else zipfile.ZIP_DEFLATED
    return info


def write_bundle(site_dir: Path, out_dir: Path, epoch: int) -> Path:
    """Zip `site_dir` as `out_dir/hibaelharitas-<date>.zip` (date from `epoch`, UTC); the zip's path."""
    date = time.strftime("%Y-%m-%d", time.gmtime(epoch))
    stamp = time.gmtime(max(epoch, ZIP_EPOCH_MIN))[:6]
    top = f"hibaelharitas-{date}"
    files: dict[str, bytes | Path] = {
        p.relative_to(site_dir).as_posix(): p for p in Path(site_dir).rglob("*") if p.is_file()}
    files[README_NAME] = ("\ufeff" + README.format(date=date)).replace("\n", "\r\n").encode("utf-8")
    folders = {parent for name in files for parent in _parents(name)}
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{top}.zip"
    temp = out_dir / f".{top}.zip.tmp"
    with zipfile.ZipFile(temp, "w") as archive:
        archive.writestr(_entry(top, stamp, is_dir=True), b"")
        for name in sorted(folders | set(files)):
            content = files.get(name)
            if content is None:
                archive.writestr(_entry(f"{top}/{name}", stamp, is_dir=True), b"")
            else:
                data = content if isinstance(content, bytes) else content.read_bytes()
                archive.writestr(_entry(f"{top}/{name}", stamp, is_dir=False), data, compresslevel=9)
    os.replace(temp, target)
    return target


def _parents(name: str) -> list[str]:
    parts = name.split("/")[:-1]
    return ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]


def bundle(config_file: str = "mkdocs.yml", site_dir: str = "site", out_dir: str = "dist") -> int:
    """Build the site into `site_dir`, check its links, then zip it into `out_dir`; 0 on success."""
    site = Path(site_dir)
    if not build_and_verify(config_file, site):
        print("A csomag nem készült el.", file=sys.stderr)
        return 1
    epoch = int(reproducible_env(os.path.dirname(os.path.abspath(config_file)))["SOURCE_DATE_EPOCH"])
    target = write_bundle(site, Path(out_dir), epoch)
    print(f"Kész: {target} ({target.stat().st_size // 1024} KiB)")
    return 0
