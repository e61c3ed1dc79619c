"""Shared fixtures: built sites (the small fixture site and the real one) and a real headless Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]


def build(config: Path, out: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a real `mkdocs build --strict` of `config` into `out`."""
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1763683200", **(env or {})}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(out)],
                          capture_output=True, text=True, env=full_env, cwd=ROOT, timeout=600)


def built_site(tmp_path_factory: pytest.TempPathFactory, name: str, config: Path) -> Path:
    """Build `config` into a fresh temp folder named after `name`; fail the test with MkDocs' errors."""
    out = tmp_path_factory.mktemp(name) / "site"
    result = build(config, out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small fixture site (tests/fixtures/site over tests/fixtures/good), built once."""
    return built_site(tmp_path_factory, "fixture-site", FIXTURES / "site" / "mkdocs.yml")


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site (mkdocs.yml over trees/ and content/), built once."""
    return built_site(tmp_path_factory, "real-site", ROOT / "mkdocs.yml")


@pytest.fixture(scope="session")
def browser_context_factory() -> Iterator:
    """A factory of fresh Chromium contexts (own user-data-dir each), closed at the end of the session."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make setup` (installs the chromium package)")
    contexts = []
    with playwright_api.sync_playwright() as p:
        def make(**kwargs):
            profile = tempfile.mkdtemp(prefix="chromium-profile-")
            ctx = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True,
                                                       args=CHROMIUM_ARGS, **kwargs)
            contexts.append((ctx, profile))
            return ctx
        yield make
        for ctx, profile in contexts:
            ctx.close()
            shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def firefox() -> Iterator:
    """A real headless Firefox driven over WebDriver BiDi (tests/browser/firefox.py), for the print tests;
    skipped only where firefox-esr is not installed (`make setup` installs it)."""
    from .browser.firefox import FIREFOX, launch
    if shutil.which(FIREFOX) is None:
        pytest.skip(f"{FIREFOX} is not installed: run `make setup` (installs the firefox-esr package)")
    with launch() as browser:
        yield browser
