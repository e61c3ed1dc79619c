"""What `mkdocs serve` does differently from a build, so that a saved tree shows within a second.

With `--dirty` (as `make serve` runs it), the plugin keeps every generated page's Markdown between
rebuilds and marks the pages whose Markdown did not change as unmodified, so MkDocs rebuilds only the
pages that changed. What such a partial build would leave stale is handled here: the search index is
put together from every page's entries (Material's search sees only the pages built); a changed
navigation asks for a whole rebuild a second after the fast one; a changed home page tree list
rebuilds the home page; a change of anything but the trees (pages, templates, the config) makes the
build whole. PDFs are made after the pages are served, in a background thread; compiled theme
templates are kept between builds. A native file watcher (inotify) replaces MkDocs' polling one,
which looks every 0.5 s. `mkdocs build` never uses this: its output is the same as without it
(docs/adr/0004-fast-preview.md).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from material.plugins.search.plugin import SearchPlugin as MaterialSearch
from mkdocs.contrib.search import SearchPlugin as MkDocsSearch
from mkdocs.structure.files import File
from mkdocs.utils import clean_directory
from watchdog import events
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

__all__ = ["DIRTY_WARNING", "GeneratedFile", "Preview", "Snapshot", "TemplateCache", "fingerprint",
           "native_watcher", "quiet_dirty_warning"]

_log = logging.getLogger("mkdocs.plugins.troubleshooting")
# The PDF thread's messages may come while a build runs: outside "mkdocs", strict mode does not count them.
_thread_log = logging.getLogger(__name__)

# MkDocs warns on every dirty build, and strict mode (mkdocs.yml) turns warnings into an abort.
DIRTY_WARNING = "A 'dirty' build is being performed"
# Seconds after a build before the PDFs are made: a save meanwhile cancels them, so quick saves in a row
# do not share the processor with making PDFs (Python runs one thread at a time).
PDF_DELAY = 2.0
# Seconds after a fast build before the whole one it asks for: time for browsers to load the page and
# its scripts, which the server holds back while it builds.
FOLLOW_UP_DELAY = 1.0


class GeneratedFile(File):
    """A generated file that can say it did not change since the last build. MkDocs counts every
    generated file as modified, so a dirty build would otherwise rebuild all of them."""

    modified = True

    def is_modified(self) -> bool:
        return self.modified


class TemplateCache(jinja2.BytecodeCache):
    """Compiled theme templates, kept in memory between rebuilds. MkDocs makes a new Jinja environment
    for every build, which compiles every template again; Jinja checks each template's source against
    the checksum stored with its code, so an edited template is compiled afresh."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


@dataclass(frozen=True)
class Snapshot:
    """What one build made: page sources -> Markdown, assets -> bytes, the navigation, the home page's
    tree list, and the fingerprint of every other input (see `fingerprint`)."""

    pages: dict[str, str]
    assets: dict[str, bytes]
    nav: list[Any]
    home: str
    inputs: tuple[tuple[str, int, int], ...]


def fingerprint(paths: Iterable[Path], skip: Path) -> tuple[tuple[str, int, int], ...]:
    """Every file under `paths` (files or folders) but `skip`, with its modification time and size:
    what a build reads besides the trees."""
    skip = skip.resolve()
    found: list[tuple[str, int, int]] = []

    def add(path: Path) -> None:
        try:
            stat = path.stat()
        except OSError:
            return
        found.append((str(path), stat.st_mtime_ns, stat.st_size))

    for path in paths:
        path = path.resolve()
        if path == skip or skip in path.parents:
            continue
        if path.is_file():
            add(path)
            continue
        for folder, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if Path(folder, d).resolve() != skip)
            for name in sorted(files):
                add(Path(folder, name))
    return tuple(sorted(set(found)))


class _PdfWriter:
    """Makes the PDFs after a build, in a thread, and writes those that changed into the served site.
    `lock` is held while it writes, so a build that cleans the site waits for it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.cancel = threading.Event()

    def start(self, make: Callable[[], dict[str, bytes]], site_dir: Path) -> None:
        self.cancel = threading.Event()
        threading.Thread(target=self._run, args=(make, site_dir, self.cancel), name="pdf", daemon=True).start()

    def _run(self, make: Callable[[], dict[str, bytes]], site_dir: Path, cancel: threading.Event) -> None:
        if cancel.wait(PDF_DELAY):
            return
        try:
            pdfs = make()
        except Exception as exc:  # noqa: BLE001 - a thread has no caller: say it, the pages are served anyway
            _thread_log.warning("A PDF-ek nem készültek el: %s", exc)
            return
        with self.lock:
            if cancel.is_set():  # a newer build started: it makes its own
                return
            for path, data in sorted(pdfs.items()):
                target = site_dir / path
                if target.is_file() and target.read_bytes() == data:
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".pdf-", suffix=".tmp")
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                os.replace(temp, target)  # never a half-written PDF on the server


class Preview:
    """The state the plugin keeps between `mkdocs serve` rebuilds, and what it decides from it.

    `dirty`: the server runs `--dirty`, so pages that did not change can be skipped. `search`: Material's
    search plugin, when the site has it (its index must be kept whole by us in a dirty build)."""

    def __init__(self, dirty: bool) -> None:
        self.dirty = dirty
        self.last: Snapshot | None = None  # what the served site holds (the last build that succeeded)
        self.current: Snapshot | None = None
        self.whole = True  # this build makes every page
        self.whole_next = False  # the next build must make every page (asked for, or a build failed)
        self.follow_up = False  # after this fast build, rebuild everything (the navigation changed)
        self.home_pages: set[str] = set()  # pages that show the tree list
        self.entries: dict[str, list[dict[str, Any]]] = {}  # page source -> its search index entries
        self.search: Any = None
        self._seen = 0
        self._pdfs = _PdfWriter()
        self._trigger: Path | None = None
        self._asked = 0
        self._follow_up: threading.Timer | None = None
        self.templates = TemplateCache()
        self.charts: dict[tuple[str, str, str], str] = {}  # for `site.generate`

    def begin(self, snapshot: Snapshot, plugins: Iterable[Any]) -> None:
        """Start a build that makes `snapshot`: decide whether it is whole, or which pages it makes.
        Pages can be skipped when the server is dirty and the site's search index (if any) is Material's,
        whose entries of each page built can be kept (`page_built`)."""
        plugins = list(plugins)
        self.search = next((p for p in plugins if isinstance(p, MaterialSearch)), None)
        known = self.search is None or hasattr(getattr(self.search, "search_index", None), "entries")
        incremental = self.dirty and known and not any(isinstance(p, MkDocsSearch) for p in plugins)
        last, self.current = self.last, snapshot
        self.whole = not incremental or last is None or self.whole_next or last.inputs != snapshot.inputs
        self.follow_up = not self.whole and last is not None and last.nav != snapshot.nav

    def describe(self, files: Iterable[File]) -> str:
        """What this build makes, for the log."""
        if self.whole:
            return "Előnézet: minden oldal újra készül"
        pages = sorted(f.src_uri for f in files if f.is_documentation_page() and f.is_modified())
        more = "; utána minden oldal (változott a navigáció)" if self.follow_up else ""
        return f"Előnézet: {len(pages)} változott oldal készül újra ({', '.join(pages)}){more}"

    def modified(self, src: str, content: str | bytes) -> bool:
        """Whether the generated file `src` must be written in this build."""
        if self.whole or self.last is None:
            return True
        before = self.last.pages.get(src) if isinstance(content, str) else self.last.assets.get(src)
        return before != content

    def mark_stale(self, files: Iterable[File]) -> None:
        """A changed tree list makes the home page modified (its source file did not change)."""
        if self.whole or self.last is None or self.current is None or self.last.home == self.current.home:
            return
        for file in files:
            if file.src_uri in self.home_pages and os.path.isfile(file.abs_dest_path):
                os.utime(file.abs_dest_path, (0, 0))  # older than its source: MkDocs rebuilds it

    def before_build(self, site_dir: str) -> None:
        """A build starts: stop making PDFs; a whole build of a dirty server cleans the site first."""
        self._pdfs.cancel.set()
        if self._follow_up is not None:  # this build comes first (and is whole if one was asked for)
            self._follow_up.cancel()
        self._seen = 0
        self.whole_next = True  # until this build succeeds
        with self._pdfs.lock:  # a PDF being written is finished first; none is written after this
            if self.dirty and self.whole:  # MkDocs cleans the site itself unless it is dirty
                clean_directory(site_dir)

    def page_built(self, src: str) -> None:
        """Keep the search index entries Material's search made of the page just built (it adds them in
        its `on_page_context`, which runs before ours)."""
        if self.search is None:
            return
        entries = self.search.search_index.entries
        self.entries[src] = list(entries[self._seen:])
        self._seen = len(entries)

    def after_build(self, site_dir: str, order: Sequence[str], pdfs: Callable[[], dict[str, bytes]]) -> None:
        """The build succeeded: put the search index together (`order`: the documentation pages in build
        order, the order of a whole build's index), remember the build, start the PDFs, and ask for a
        whole rebuild when the navigation changed."""
        if self.dirty and self.search is not None:
            self.entries = {src: self.entries.get(src, []) for src in order}
            docs = [entry for entries in self.entries.values() for entry in entries]
            _write_index(Path(site_dir), docs)
            # Material keeps its index for the next dirty build and merges into it (assuming one page was
            # built); keep it whole and free of duplicates instead of letting it grow with every build.
            self.search.search_index.entries = docs
        self.last = self.current
        self.whole_next = self.follow_up
        if not self.follow_up:  # else the whole build makes them
            self._pdfs.start(pdfs, Path(site_dir))
        if self.follow_up and self._trigger is not None:
            self._follow_up = threading.Timer(FOLLOW_UP_DELAY, self._ask)
            self._follow_up.daemon = True
            self._follow_up.start()

    def _ask(self) -> None:
        assert self._trigger is not None
        self._asked += 1
        self._trigger.write_text(str(self._asked), encoding="utf-8")  # the server sees it and rebuilds

    def attach(self, server: Any) -> None:
        """Watch a file of our own: writing it asks the server for a rebuild (the follow-up)."""
        folder = Path(tempfile.mkdtemp(prefix="fa-serve-"))
        self._trigger = folder / "rebuild"
        server.watch(str(folder))

    def close(self) -> None:
        """The server stops: no more PDFs or rebuilds, and the trigger's folder goes."""
        self._pdfs.cancel.set()
        if self._follow_up is not None:
            self._follow_up.cancel()
        if self._trigger is not None:
            shutil.rmtree(self._trigger.parent, ignore_errors=True)


def _write_index(site_dir: Path, docs: list[dict[str, Any]]) -> None:
    """Rewrite Material's search index with every page's entries, in build order, as a whole build writes it."""
    path = site_dir / "search" / "search_index.json"
    if not path.is_file():
        return
    config = json.loads(path.read_text(encoding="utf-8"))["config"]
    data = {"config": config, "docs": docs}
    path.write_bytes(json.dumps(data, separators=(",", ":"), default=str).encode("utf-8"))


class _DirtyWarningFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.levelno == logging.WARNING and str(record.msg).startswith(DIRTY_WARNING))


_DIRTY_FILTER = _DirtyWarningFilter()


def quiet_dirty_warning(on: bool) -> None:
    """Drop (or stop dropping) MkDocs' warning of every dirty build, which strict mode would turn into an
    abort; every other warning still counts."""
    logger = logging.getLogger("mkdocs.commands.build")
    (logger.addFilter if on else logger.removeFilter)(_DIRTY_FILTER)


# Events that mean a file changed (a new modification time alone included, as MkDocs' polling sees
# it). inotify also reports files being opened and closed unchanged, which every build does to the
# files it reads: those would start a rebuild after every build.
_CHANGES: list[type[events.FileSystemEvent]] = [events.FileCreatedEvent, events.FileModifiedEvent,
                                                events.FileAttribEvent, events.FileDeletedEvent,
                                                events.FileMovedEvent, events.FileClosedEvent]


class _NativeObserver(Observer):  # type: ignore[misc,valid-type] - the platform's native observer class
    """The platform's native watcher, reporting changes only. (A single file is watched through its
    folder by watchdog itself, so an editor that saves by renaming a new file over it is still seen.)"""

    def schedule(self, event_handler: events.FileSystemEventHandler, path: str | Path, *, recursive: bool = False,
                 event_filter: list[type[events.FileSystemEvent]] | None = None,
                 follow_symlink: bool = False) -> Any:
        return super().schedule(event_handler, path, recursive=recursive, event_filter=event_filter or _CHANGES,
                                follow_symlink=follow_symlink)


def native_watcher(server: Any) -> bool:
    """Swap the server's polling watcher (it looks every 0.5 s) for the native one, before it starts:
    what it watches so far is unwatched and watched again on the new one. False when there is nothing
    to gain or it cannot be done safely (the server is not what MkDocs 1.6 makes)."""
    old = getattr(server, "observer", None)
    if Observer is PollingObserver or not isinstance(old, PollingObserver) or old.is_alive():
        return False
    paths = {getattr(emitter.watch, "raw_path", None) for emitter in old.emitters}  # as MkDocs passed them
    if None in paths:
        return False
    try:
        native = _NativeObserver()
    except OSError as exc:  # e.g. the user's inotify instances are used up (max_user_instances)
        _log.info("A fájlfigyelés marad a 0,5 másodpercenkénti lekérdezés: %s", exc)
        return False
    watched: list[str] = []
    for path in sorted(os.fspath(p) for p in paths):
        while True:  # as often as it was watched
            try:
                server.unwatch(path)
            except KeyError:
                break
            watched.append(path)
    server.observer = native
    for path in watched:
        server.watch(path)
    return True
