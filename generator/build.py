"""A safe site build: MkDocs writes into a fresh folder, which replaces site/ only when the build succeeded."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

__all__ = ["build_site", "reproducible_env"]


def reproducible_env(cwd: str = ".") -> dict[str, str]:
    """The environment for a build: SOURCE_DATE_EPOCH from the last commit when not set, so builds repeat byte for byte."""
    env = dict(os.environ)
    env.setdefault("NO_MKDOCS_2_WARNING", "1")
    if "SOURCE_DATE_EPOCH" not in env:
        try:
            stamp = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=cwd, capture_output=True, text=True,
                                   timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            stamp = ""
        env["SOURCE_DATE_EPOCH"] = stamp if stamp.isdigit() else "0"
    return env


def build_site(config_file: str = "mkdocs.yml", site_dir: str = "site") -> int:
    """Build into `<site_dir>.new`; on success swap it in place of `site_dir`; on failure leave `site_dir` untouched."""
    site_dir = os.path.abspath(site_dir)
    fresh, old = site_dir + ".new", site_dir + ".old"
    for leftover in (fresh, old):
        shutil.rmtree(leftover, ignore_errors=True)
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", config_file, "-d", fresh]
    result = subprocess.run(cmd, env=reproducible_env(os.path.dirname(os.path.abspath(config_file))))
    if result.returncode != 0:
        shutil.rmtree(fresh, ignore_errors=True)
        print(f"Az oldal nem készült el; a korábbi {os.path.relpath(site_dir)}/ változatlan.", file=sys.stderr)
        return 1
    if os.path.exists(site_dir):
        os.replace(site_dir, old)
    os.replace(fresh, site_dir)
    shutil.rmtree(old, ignore_errors=True)
    print(f"Kész: {os.path.relpath(site_dir)}/")
    return 0
