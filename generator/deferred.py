"""`mkdocs build`'s Graphviz and print work, done by forked workers while MkDocs converts the pages.

The plugin gives MkDocs the pages of `site.draft`, with markers where the charts and print sheets go.
Meanwhile two workers (`worker.Worker`) make them: one draws the charts (`site.draw_charts`), the
other lays out the print sheets, then makes the PDFs from them (`pdf.print_site`): the
longest chain, which the charts would otherwise hold up. All of it is kept in the usual caches too.
Once MkDocs has made a page's HTML, `drawn` puts the drawings in place of the markers, and after the
build `place_pdfs` moves the PDFs into the site: the site is byte for byte the one `site.generate`'s
pages make.
"""

from __future__ import annotations

import datetime as dt
import errno
import functools
import os
import pickle
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.utils import meta

from .model import Corpus
from .pages.links import REPORT_SRC, tree_src
from .pdf import PrintedSite, print_site
from .render import RenderError
from .site import CHART_MARKER, SHEETS_MARKER, draw_charts, report_markdown, sheet_count, sorted_trees
from .worker import Worker, WorkerError

__all__ = ["DeferredDrawing"]

_MARKERS = re.compile(f"{re.escape(CHART_MARKER)}|{re.escape(SHEETS_MARKER)}")
_TREES = "trees"  # a worker's folder of what it made for each tree's page
_SITE = "site"  # the print worker's folder of files that go into the built site (the PDFs)
_COUNTS = "sheets.pickle"  # the print worker's file of each tree's print sheet count


class DeferredDrawing:
    """Starts the workers for a build of `corpus` (see the module's docstring); `today` is the report's day."""

    def __init__(self, corpus: Corpus, cache_dir: Path, site_url: str, site_name: str, today: dt.date) -> None:
        self.corpus = corpus
        self.today = today
        self.trees = {tree_src(t.id): t.id for t in corpus.trees}
        self.printing = Worker(functools.partial(_print, corpus, cache_dir, site_url, site_name), describe=_describe)
        self.charts = Worker(functools.partial(_charts, corpus, cache_dir), describe=_describe)
        self.pending: tuple[str, dict[str, str]] | None = None  # the page being built: its drawings, by marker

    def fill(self, page: Any, config: MkDocsConfig, files: Files) -> None:
        """Before a page's template: a tree page's print CSS (`page.meta.fa_print_css`, for the theme
        partial), the report's sheet counts. Waits for the charts and the sheets if they are not done
        yet; the drawings themselves go into the page's HTML in `drawn`."""
        src = page.file.src_uri
        if src in self.trees:
            name = f"{self.trees[src]}.pickle"
            chart = pickle.loads((self._wait(self.charts, "charts") / _TREES / name).read_bytes())
            sheets, print_meta = pickle.loads((self._wait(self.printing, "sheets") / _TREES / name).read_bytes())
            if (page.content or "").count(CHART_MARKER) != 1 or page.content.count(SHEETS_MARKER) != 1:
                raise PluginError(f"{src}: a folyamatábra helye nincs meg az oldalon")
            self.pending = (src, {CHART_MARKER: chart, SHEETS_MARKER: sheets})
            page.meta.update(print_meta)
        elif src == REPORT_SRC:  # its sheet counts are in tables of raw HTML: the page is converted again
            counts = pickle.loads((self._wait(self.printing, "sheets") / _COUNTS).read_bytes())
            page.markdown, _ = meta.get_data(report_markdown(self.corpus, self.today, counts))
            page.render(config, files)

    def drawn(self, src: str, output: str) -> str:
        """A page's finished HTML with its chart and print sheets in place of the markers. Put in here,
        not into `page.content`, which MkDocs keeps for every page until the build ends: at a thousand
        trees their drawings would hold a quarter of a gigabyte."""
        if self.pending is None or self.pending[0] != src:
            return output
        filled = self.pending[1]
        self.pending = None
        return _MARKERS.sub(lambda m: filled[m.group()], output)

    def place_pdfs(self, site_dir: str) -> None:
        """Wait for the PDFs and move them into the built site (each atomically), then end the workers."""
        made = self._wait(self.printing, "pdfs") / _SITE
        for path in sorted(p for p in made.rglob("*") if p.is_file()):
            _move(path, Path(site_dir) / path.relative_to(made))
        self.stop()

    def stop(self) -> None:
        """End the workers (if they still run) and remove what they made; safe to call more than once."""
        self.charts.stop()
        self.printing.stop()

    def _wait(self, worker: Worker, phase: str) -> Path:
        try:
            return worker.wait(phase)
        except WorkerError as exc:
            self.stop()
            raise PluginError(str(exc)) from None


def _charts(corpus: Corpus, cache_dir: Path, folder: Path, done: Callable[[str], None]) -> None:
    """The charts' worker: each tree's inline chart into `_TREES/<tree id>.pickle`."""
    for tree_id, chart in draw_charts(corpus, cache_dir).items():
        _write(folder / _TREES / f"{tree_id}.pickle", pickle.dumps(chart))
    done("charts")


def _print(corpus: Corpus, cache_dir: Path, site_url: str, site_name: str, folder: Path,
           done: Callable[[str], None]) -> None:
    """The print worker: each tree's print sheets and print front matter (as MkDocs reads it) into
    `_TREES/<tree id>.pickle`, the sheet counts into _COUNTS; then the PDFs, from the same sheets,
    under _SITE."""

    def pages_ready(printed: PrintedSite) -> None:
        counts = {}
        for tree_id, printing in printed.pages.items():
            _, print_meta = meta.get_data(printing.front_matter)
            _write(folder / _TREES / f"{tree_id}.pickle", pickle.dumps((printing.sheets_html, print_meta)))
            counts[tree_id] = sheet_count(printing)
        _write(folder / _COUNTS, pickle.dumps(counts))
        done("sheets")

    printed = print_site(corpus, sorted_trees(corpus), cache_dir, site_url, site_name, pages_ready=pages_ready)
    for path, data in printed.assets.items():
        _write(folder / _SITE / path, data)
    done("pdfs")


def _describe(exc: BaseException) -> str:
    """A worker's failure as the build reports it: a Graphviz or PDF problem as it says, anything else
    with its kind (no traceback)."""
    if isinstance(exc, RenderError):
        return str(exc)
    return f"A folyamatábrák és a PDF-ek nem készültek el: {type(exc).__name__}: {exc}"


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _move(source: Path, target: Path) -> None:
    """Move a file into place atomically; from another file system, by way of a copy beside the target
    (made as MkDocs copies a static file: the file's mode follows the umask)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(source, target)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(source, temp)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
