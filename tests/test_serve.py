"""The fast preview of `make serve` (generator/serve.py): a real `mkdocs serve` on a copy of the fixture
site shows an edit, keeps the search index whole, serves the PDFs after the pages, and a fast build makes
the same page as a whole build; the decisions, the watcher and the template cache on their own; and
`mkdocs build` keeps none of it."""

from __future__ import annotations

import filecmp
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import jinja2
import pytest
from mkdocs.livereload import LiveReloadServer
from watchdog import events
from watchdog.observers import Observer

from bench.serve import MAKE_SERVE_ARGS
from generator.serve import Preview, Snapshot, TemplateCache, fingerprint, native_watcher

from .conftest import FIXTURES, ROOT

LIMIT = 180.0  # seconds before a wait gives up (a deadline on a loaded machine, not a timing assert)
_LIVERELOAD = re.compile(r"<script>\s*var livereload = .*?</script>", re.DOTALL)


# --- a real `mkdocs serve` -------------------------------------------------------------------------------

# A third tree in the same system that links no other: it shows the other trees' titles only in its
# navigation, so only a whole rebuild changes it when one of them is renamed.
THIRD = """\
# yaml-language-server: $schema=../../../generator/schemas/tree.schema.json
id: harmadik
title: Harmadik fa
summary: Egy fa, amely a többire nem hivatkozik.
system: asp
audience: [ügyintéző]
owner: Ügyfélszolgálat
reviewed: 2026-11-01
order: 3
start: kerdes
nodes:
  kerdes:
    question: Működik a gép?
    answers:
      - label: Igen
        next: kesz
      - label: Nem
        next: tovabb
  kesz:
    outcome: Kész.
    kind: solved
  tovabb:
    outcome: Forduljon a rendszergazdához.
    kind: escalate
    contact:
      who: Rendszergazda
      channel: telefonon
      include: [a gép neve]
tests:
  - name: működik
    answers: [Igen]
    expect: kesz
"""


def _copy_fixture_site(tmp_path: Path) -> Path:
    """The fixture site, its trees (and `THIRD`) and the theme overrides in `tmp_path` (others may edit
    the checkout's meanwhile), the config pointing back at the checkout's cache."""
    site = tmp_path / "site-src"
    shutil.copytree(FIXTURES / "site", site)
    shutil.copytree(FIXTURES / "good", tmp_path / "good")
    shutil.copytree(ROOT / "site_overrides", tmp_path / "site_overrides")
    (tmp_path / "good" / "harmadik.yaml").write_text(THIRD, "utf-8")
    config = site / "mkdocs.yml"
    text = config.read_text("utf-8").replace("../../../site_overrides", str(tmp_path / "site_overrides"))
    config.write_text(text.replace("../../../", str(ROOT) + "/"), "utf-8")
    return config


def _fetch(url: str, timeout: float = 10) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.read()
    except (urllib.error.URLError, OSError):
        return None


class _Serve:
    """`mkdocs serve` with `make serve`'s arguments on a free loopback port, stopped (its session) on exit."""

    def __init__(self, config: Path) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.log = config.parent / "serve.log"
        self._out = open(self.log, "wb")  # noqa: SIM115 - closed in __exit__
        self.child = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", *MAKE_SERVE_ARGS, "-f", str(config), "-a", f"127.0.0.1:{port}"],
            cwd=config.parent, stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})

    def __enter__(self) -> _Serve:
        return self

    def __exit__(self, *exc: object) -> None:
        for stop in (signal.SIGINT, signal.SIGKILL):  # Ctrl-C first: MkDocs and the plugin clean up after themselves
            if self.child.poll() is None:
                os.killpg(self.child.pid, stop)
                try:
                    self.child.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    continue
        self._out.close()

    def _alive(self) -> None:
        if self.child.poll() is not None:
            pytest.fail(f"mkdocs serve exited with {self.child.returncode}:\n{self.log.read_text(errors='replace')[-3000:]}")

    def get(self, path: str) -> bytes:
        self._alive()
        data = _fetch(f"{self.url}/{path}")
        assert data is not None, f"{path} is not served"
        return data

    def wait(self, path: str, needle: str = "", check=lambda data: True) -> bytes:
        """`path` once it is served and contains `needle` (and passes `check`)."""
        deadline = time.monotonic() + LIMIT
        while time.monotonic() < deadline:
            self._alive()
            data = _fetch(f"{self.url}/{path}")
            if data is not None and needle.encode() in data and check(data):
                return data
            time.sleep(0.1)
        pytest.fail(f"{path} did not show {needle!r} within {LIMIT:g} s:\n{self.log.read_text(errors='replace')[-3000:]}")

    def rebuilt(self, page: bytes) -> None:
        """Wait until a build newer than the one `page` came from is served (MkDocs' livereload long poll)."""
        epoch = re.search(rb"livereload\((\d+), \d+\)", page)
        assert epoch, "no livereload script in the served page"
        deadline = time.monotonic() + LIMIT
        while time.monotonic() < deadline:
            self._alive()
            answer = _fetch(f"{self.url}/livereload/{epoch[1].decode()}/1", timeout=70)
            if answer is not None and int(answer) > int(epoch[1]):
                return
        pytest.fail(f"no rebuild was served:\n{self.log.read_text(errors='replace')[-3000:]}")

    def index(self) -> list[dict[str, str]]:
        return json.loads(self.get("search/search_index.json"))["docs"]


def _pages(docs: list[dict[str, str]]) -> set[str]:
    return {doc["location"].partition("#")[0] for doc in docs}


def _edit(path: Path, field: str, suffix: str) -> None:
    text = path.read_text("utf-8")
    match = re.search(rf"^[ \t]*{field}:[ \t]*(.*?)[ \t]*$", text, re.MULTILINE)
    assert match, f"no {field} in {path}"
    path.write_text(text[:match.end()] + suffix + text[match.end():], "utf-8")


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    pdf = tmp_path / "served.pdf"
    pdf.write_bytes(data)
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_serve_shows_edits_keeps_the_search_index_whole_and_serves_the_pdfs(tmp_path: Path, fixture_site: Path) -> None:
    config = _copy_fixture_site(tmp_path)
    tree = tmp_path / "good" / "pin.yaml"
    built = json.loads((fixture_site / "search" / "search_index.json").read_text("utf-8"))["docs"]
    with _Serve(config) as serve:
        serve.wait("fak/pin.html")
        # The PDFs come after the pages, into the served site.
        assert "PIN-kód zárolva" in _pdf_text(serve.wait("pdf/pin.pdf", "%PDF"), tmp_path)
        first = serve.index()
        assert _pages(first) == _pages(built) | {"fak/harmadik.html"}
        assert len({d["location"] for d in first}) == len(first) > len(built)

        # A node's text: only the pages showing it are made again, and they are what a whole build makes.
        _edit(tree, "question", " Szerkesztve")
        fast = serve.wait("fak/pin.html", "Szerkesztve")
        fast_index = serve.index()
        log = serve.log.read_text("utf-8", errors="replace")
        assert re.search(r"Előnézet: \d+ változott oldal készül újra \([^)]*fak/pin\.md", log), log[-2000:]
        assert "index.md" not in re.findall(r"Előnézet: \d+ változott oldal.*", log)[-1]
        assert any("Szerkesztve" in d["title"] + d["text"] for d in fast_index if d["location"].startswith("fak/pin.html"))
        assert len({d["location"] for d in fast_index}) == len(fast_index) == len(first)
        wholes = log.count("Előnézet: minden oldal újra készül")
        (config.parent / "content" / "index.md").touch()  # not a tree: the next build is whole
        serve.rebuilt(fast)
        assert serve.log.read_text("utf-8", errors="replace").count("Előnézet: minden oldal újra készül") > wholes
        whole = serve.get("fak/pin.html")
        assert _LIVERELOAD.sub("", whole.decode()) == _LIVERELOAD.sub("", fast.decode())
        assert serve.index() == fast_index

        # A title: the pages showing it in their text at once (the home page's tree list too); a page
        # showing it only in its navigation after the whole rebuild the fast one asks for.
        assert "PIN-kód zárolva" in serve.get("fak/harmadik.html").decode()
        _edit(tree, "title", " Átnevezve")
        serve.wait("fak/pin.html", "PIN-kód zárolva Átnevezve")
        fast_line = re.findall(r"Előnézet: \d+ változott oldal.*", serve.log.read_text("utf-8", errors="replace"))[-1]
        assert "index.md" in fast_line and "harmadik" not in fast_line and "utána minden oldal" in fast_line
        serve.wait("index.html", "PIN-kód zárolva Átnevezve")
        serve.wait("fak/harmadik.html", "PIN-kód zárolva Átnevezve")
        renamed = serve.index()
        assert _pages(renamed) == _pages(first)
        assert len({d["location"] for d in renamed}) == len(renamed) == len(first)
        assert any("Átnevezve" in d["title"] for d in renamed)
        # The PDF follows the edit.
        serve.wait("pdf/pin.pdf", "%PDF", check=lambda data: "Átnevezve" in _pdf_text(data, tmp_path))


def test_a_browser_on_the_page_reloads_with_the_edit(tmp_path: Path, browser_context_factory) -> None:
    config = _copy_fixture_site(tmp_path)
    with _Serve(config) as serve:
        serve.wait("fak/pin.html")
        page = browser_context_factory().new_page()
        page.goto(f"{serve.url}/fak/pin.html")
        page.wait_for_function("document.title.length > 0")
        page.wait_for_timeout(500)  # the livereload script starts polling on load
        _edit(tmp_path / "good" / "pin.yaml", "title", " Böngészőben")
        page.wait_for_function("document.title.includes('Böngészőben')", timeout=LIMIT * 1000)
        assert "PIN-kód zárolva Böngészőben" in page.locator("h1").inner_text()


def test_make_serve_runs_what_the_benchmark_measures() -> None:
    recipe = re.search(r"^serve:.*\n\t(.*)$", (ROOT / "Makefile").read_text("utf-8"), re.MULTILINE)
    assert recipe, "no serve target in the Makefile"
    assert recipe[1].split()[-len(MAKE_SERVE_ARGS):] == list(MAKE_SERVE_ARGS)
    assert "mkdocs serve" in recipe[1]


# --- `mkdocs build` keeps none of it -----------------------------------------------------------------------

def test_mkdocs_build_keeps_no_preview_and_repeats_byte_for_byte(tmp_path: Path, fixture_site: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1763683200")  # as the fixture build (conftest.build)
    monkeypatch.chdir(ROOT)
    config = load_config(str(FIXTURES / "site" / "mkdocs.yml"), site_dir=str(tmp_path / "site"), strict=True)
    config.plugins.on_startup(command="build", dirty=False)  # what `mkdocs build` does
    build(config)
    plugin = config.plugins["troubleshooting"]
    assert plugin.preview is None
    diffs: list[str] = []

    def walk(c: filecmp.dircmp, prefix: str = "") -> None:
        diffs.extend(prefix + n for n in c.left_only + c.right_only)
        diffs.extend(prefix + n for n in filecmp.cmpfiles(c.left, c.right, c.common_files, shallow=False)[1])
        for name, sub in c.subdirs.items():
            walk(sub, prefix + name + "/")

    walk(filecmp.dircmp(fixture_site, tmp_path / "site"))
    assert not diffs, diffs
    assert list((tmp_path / "site" / "pdf").glob("*.pdf")), "a build makes its PDFs itself"


# --- the decisions ---------------------------------------------------------------------------------------

def _snapshot(pages: dict[str, str], nav: list[object] | None = None, inputs: tuple = ()) -> Snapshot:
    return Snapshot(pages, {"x.js": b"x"}, nav or [{"A": "a.md"}], "home", inputs)


def _wait_file(path: Path) -> bytes:
    deadline = time.monotonic() + 30
    while not path.is_file():
        assert time.monotonic() < deadline, f"{path} was not written"
        time.sleep(0.05)
    return path.read_bytes()


def test_a_dirty_preview_makes_only_what_changed(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "stale.html").write_text("old")
    preview = Preview(dirty=True)
    preview.begin(_snapshot({"a.md": "A", "b.md": "B"}), [])
    assert preview.whole  # the first build
    preview.before_build(str(site))
    assert not (site / "stale.html").exists()  # a whole dirty build starts clean, as MkDocs' own builds do
    preview.after_build(str(site), ["a.md", "b.md"], lambda: {"pdf/a.pdf": b"%PDF-a"})
    assert _wait_file(site / "pdf" / "a.pdf") == b"%PDF-a"  # after the build, in the background

    preview.begin(_snapshot({"a.md": "A2", "b.md": "B"}), [])
    assert not preview.whole and not preview.follow_up
    assert preview.modified("a.md", "A2") and not preview.modified("b.md", "B")
    assert not preview.modified("x.js", b"x") and preview.modified("x.js", b"y") and preview.modified("new.md", "N")
    preview.before_build(str(site))
    preview.after_build(str(site), ["a.md", "b.md"], lambda: {})

    # A changed navigation: this build is still fast, the next one whole.
    preview.begin(_snapshot({"a.md": "A3", "b.md": "B"}, nav=[{"A renamed": "a.md"}]), [])
    assert not preview.whole and preview.follow_up
    preview.before_build(str(site))
    preview.after_build(str(site), ["a.md", "b.md"], lambda: {})
    preview.begin(_snapshot({"a.md": "A3", "b.md": "B"}, nav=[{"A renamed": "a.md"}]), [])
    assert preview.whole

    # A failed build, or a change of anything but the trees, makes the next build whole.
    preview.before_build(str(site))
    preview.begin(_snapshot({"a.md": "A3", "b.md": "B"}, nav=[{"A renamed": "a.md"}]), [])
    assert preview.whole
    preview.after_build(str(site), ["a.md", "b.md"], lambda: {})
    preview.begin(_snapshot({"a.md": "A3", "b.md": "B"}, nav=[{"A renamed": "a.md"}], inputs=(("x", 1, 1),)), [])
    assert preview.whole


def test_a_clean_preview_is_always_whole(tmp_path: Path) -> None:
    preview = Preview(dirty=False)
    for _ in range(2):
        preview.begin(_snapshot({"a.md": "A"}), [])
        assert preview.whole and preview.modified("a.md", "A")
        preview.before_build(str(tmp_path))
        preview.after_build(str(tmp_path), ["a.md"], lambda: {})


def test_fingerprint_sees_every_input_but_the_trees(tmp_path: Path) -> None:
    (tmp_path / "trees").mkdir()
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "index.md").write_text("a")
    (tmp_path / "trees" / "t.yaml").write_text("a")
    (tmp_path / "mkdocs.yml").write_text("a")
    inputs = [tmp_path / "mkdocs.yml", tmp_path, tmp_path / "content", tmp_path / "trees"]
    before = fingerprint(inputs, skip=tmp_path / "trees")
    assert not any("t.yaml" in path for path, _, _ in before)
    (tmp_path / "trees" / "t.yaml").write_text("changed")
    assert fingerprint(inputs, skip=tmp_path / "trees") == before
    (tmp_path / "content" / "index.md").write_text("changed")
    assert fingerprint(inputs, skip=tmp_path / "trees") != before


# --- the watcher and the template cache ----------------------------------------------------------------

class _Recorder(events.FileSystemEventHandler):
    def __init__(self) -> None:
        self.seen: list[events.FileSystemEvent] = []
        self.event = threading.Event()

    def on_any_event(self, event: events.FileSystemEvent) -> None:
        if not event.is_directory:
            self.seen.append(event)
            self.event.set()


def test_the_native_watcher_replaces_polling_and_reports_saves_not_reads(tmp_path: Path) -> None:
    folder, single = tmp_path / "trees", tmp_path / "mkdocs.yml"
    folder.mkdir()
    (folder / "t.yaml").write_text("a")
    single.write_text("a")
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    server.watch(str(folder))
    server.watch(str(single))
    old = server.observer
    try:
        Observer().stop()
    except OSError as exc:  # other processes on this machine may hold every inotify instance
        pytest.skip(f"no native watcher can be made here: {exc}")
    assert native_watcher(server)
    assert server.observer is not old and not old.emitters
    assert type(server.observer).__name__ == "_NativeObserver"
    assert {e.watch.raw_path for e in server.observer.emitters} == {str(folder), str(single)}

    recorder, lone = _Recorder(), _Recorder()
    server.observer.schedule(recorder, str(folder), recursive=True)
    server.observer.schedule(lone, str(single))
    server.observer.start()
    try:
        time.sleep(0.3)
        (folder / "t.yaml").read_text()  # every build reads the trees: that is no change
        single.read_text()
        (tmp_path / "other.txt").write_text("x")  # next to the single file, not it
        time.sleep(0.5)
        assert recorder.seen == [] and lone.seen == []
        (folder / "t.yaml").write_text("b")
        assert recorder.event.wait(10)
        recorder.event.clear()
        os.utime(folder / "t.yaml")  # `touch`: a new modification time is a change, as for MkDocs' polling
        assert recorder.event.wait(10)
        for number in range(2):  # an editor saving by renaming a new file over it, twice
            lone.event.clear()
            (tmp_path / "new.yml").write_text(str(number))
            os.replace(tmp_path / "new.yml", single)
            assert lone.event.wait(10), f"save {number + 1} not seen"
    finally:
        server.observer.stop()
        server.observer.join()
        server.server_close()


class _CountingCache(TemplateCache):
    compiled = 0

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled += 1  # Jinja stores what it had to compile
        super().dump_bytecode(bucket)


def test_templates_compile_once_and_again_when_edited(tmp_path: Path) -> None:
    cache = _CountingCache()
    (tmp_path / "page.html").write_text("one {{ x }}")

    def render() -> str:  # a new environment each time, as MkDocs makes one per build
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path)), bytecode_cache=cache)
        return env.get_template("page.html").render(x=1)

    assert render() == "one 1" and cache.compiled == 1
    assert render() == "one 1" and cache.compiled == 1  # from the cache
    (tmp_path / "page.html").write_text("two {{ x }}")
    assert render() == "two 1" and cache.compiled == 2
