"""The MkDocs plugin: a thin adapter that loads and checks trees/, then adds the generated pages.
In `mkdocs build` Graphviz and print work in a forked process while MkDocs converts the pages
(`deferred.DeferredDrawing`); in `mkdocs serve` the plugin drives the fast preview (`serve.Preview`:
only changed pages are rebuilt, PDFs come after the pages)."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files, InclusionLevel

from .check import check_corpus
from .deferred import DeferredDrawing
from .load import load_corpus
from .pages.home import tree_list
from .pdf import site_pdfs
from .problems import format_problem, sort_problems
from .render import RenderError
from .serve import GeneratedFile, Preview, Snapshot, fingerprint, native_watcher, quiet_dirty_warning
from .report import build_date
from .site import GeneratedSite, draft, generate, navigation, sorted_trees
from .text import Glossary

__all__ = ["TroubleshootingPlugin"]

_log = logging.getLogger("mkdocs.plugins.troubleshooting")
TREES_MARKER = "<!-- generator:trees -->"
# Inline SVGs (charts, print sheets) leave the Markdown for a marker and come back into the finished
# HTML: Markdown's raw-HTML parser and the search indexer would otherwise read every chart, which
# costs more than the rest of the page (the chart is excluded from search anyway).
_SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL)
_SVG_MARKER = re.compile(r"<!-- generator:svg:(\d+) -->")


def _lift_svgs(text: str) -> tuple[str, list[str]]:
    """`text` with every `<svg>…</svg>` replaced by a numbered marker, and the SVGs in order."""
    svgs: list[str] = []

    def keep(match: re.Match[str]) -> str:
        svgs.append(match.group())
        return f"<!-- generator:svg:{len(svgs) - 1} -->"

    return _SVG.sub(keep, text), svgs


class _Options(Config):
    trees_dir = opt.Type(str, default="trees")
    cache_dir = opt.Type(str, default=".cache/svg")
    glossary = opt.Type(str, default="site_overrides/snippets/abbreviations.md")
    nav_before = opt.Type(list, default=[])
    nav_after = opt.Type(list, default=[])


class TroubleshootingPlugin(BasePlugin[_Options]):
    """Loads trees/ on every build, stops the build on content errors, serves generated pages virtually."""

    def __init__(self) -> None:
        self.site: GeneratedSite | None = None
        self.tree_list = ""
        self.svgs: dict[str, list[str]] = {}  # page source path -> its SVGs, lifted out of the Markdown
        self.preview: Preview | None = None  # only in `mkdocs serve`
        self.pdfs: Any = None  # in `mkdocs serve`: makes this build's PDFs, after the pages
        self.order: list[str] = []
        self.deferred: DeferredDrawing | None = None  # only in `mkdocs build`: the charts and PDFs, in a worker
        self.files: Files | None = None

    def _path(self, config: MkDocsConfig, value: str) -> Path:
        return Path(os.path.dirname(config.config_file_path or ".")) / value

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining on_startup also makes MkDocs keep this instance across `mkdocs serve` rebuilds.
        if command == "serve":
            self.preview = Preview(dirty)
            quiet_dirty_warning(dirty)

    def on_shutdown(self) -> None:
        self._stop_worker()
        if self.preview is not None:
            self.preview.close()
            quiet_dirty_warning(False)

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        trees = self._path(config, self.config.trees_dir)
        corpus, problems = load_corpus(str(trees))
        # Only errors stop a build; the print warnings (`check` shows them) would lay out every sheet twice.
        problems = sort_problems(problems + check_corpus(corpus, printing=False))
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise PluginError("A fák hibásak, az oldal nem készült el:\n" + "\n".join(format_problem(p) for p in errors))
        glossary_file = self._path(config, self.config.glossary)
        glossary = Glossary.from_abbreviations(glossary_file.read_text("utf-8")) if glossary_file.exists() else Glossary({})
        cache_dir = self._path(config, self.config.cache_dir)
        site_url, site_name = config.site_url or "", config.site_name
        self._stop_worker()
        if self.preview is None:  # Graphviz and print in workers, started first; meanwhile the pages
            today = build_date()
            self.deferred = DeferredDrawing(corpus, cache_dir, site_url, site_name, today)
            self.site = draft(corpus, glossary, today)
        else:
            try:  # the preview serves the pages first and makes the PDFs after them
                self.site = generate(corpus, glossary, cache_dir, site_url=site_url, site_name=site_name,
                                     pdfs=False, charts=self.preview.charts)
            except RenderError as exc:
                raise PluginError(str(exc)) from exc
        config.nav = navigation(corpus, self.site, self.config.nav_before, self.config.nav_after)
        self.tree_list = tree_list(corpus, sorted_trees(corpus))
        self.svgs = {}
        if self.preview is not None:
            self.pdfs = lambda: site_pdfs(corpus, sorted_trees(corpus), cache_dir, site_url, site_name)
            inputs = fingerprint(self._inputs(config, glossary_file), skip=trees)
            self.preview.begin(Snapshot(self.site.pages, self.site.assets, config.nav, self.tree_list, inputs),
                               config.plugins.values())
        return config

    def _inputs(self, config: MkDocsConfig, glossary: Path) -> list[Path]:
        """What a build reads besides the trees: the config, the pages, the glossary, the theme overrides
        and whatever else the config watches."""
        paths = [Path(config.config_file_path or "mkdocs.yml"), Path(config.docs_dir), glossary,
                 *(Path(p) for p in config.watch)]
        return paths + ([Path(config.theme.custom_dir)] if config.theme.custom_dir else [])

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        if self.preview is not None:
            self.preview.before_build(config.site_dir)

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.site is not None
        self.files = files
        preview = self.preview
        for src, text in sorted(self.site.pages.items()):
            file = GeneratedFile.generated(config, src, content=text)
            if preview is not None:
                file.modified = preview.modified(src, text)
            if file.modified:  # an unmodified page is not read again: its Markdown needs no work
                file.content_string, svgs = _lift_svgs(text)
                if svgs:
                    self.svgs[src] = svgs
            files.append(file)
        for path, data in sorted(self.site.assets.items()):
            file = GeneratedFile.generated(config, path, content=data)
            if preview is not None:
                file.modified = preview.modified(path, data)
            files.append(file)
        if preview is not None:
            preview.mark_stale(files)
            _log.info(preview.describe(files))
        return files

    def on_page_markdown(self, markdown: str, *, page: Any, config: MkDocsConfig, files: Files) -> str:
        if TREES_MARKER not in markdown:
            return markdown
        if self.preview is not None:
            self.preview.home_pages.add(page.file.src_uri)
        return markdown.replace(TREES_MARKER, self.tree_list)

    @event_priority(-100)  # after every other plugin's, the search index included
    def on_page_context(self, context: Any, *, page: Any, config: MkDocsConfig, nav: Any) -> Any:
        if self.deferred is not None:
            assert self.files is not None
            self.deferred.fill(page, config, self.files)
        if self.preview is not None:
            self.preview.page_built(page.file.src_uri)
        return context

    @event_priority(100)  # before any other plugin sees the page's HTML
    def on_post_page(self, output: str, *, page: Any, config: MkDocsConfig) -> str:
        # The drawings go into the finished HTML, not into `page.content`, which MkDocs keeps for every
        # page until the build ends.
        svgs = self.svgs.pop(page.file.src_uri, None)
        if svgs:
            output = _SVG_MARKER.sub(lambda m: svgs[int(m.group(1))], output)
        if self.deferred is not None:
            output = self.deferred.drawn(page.file.src_uri, output)
        return output

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        if self.preview is not None:  # the pages in build order, as the search index lists them
            self.order = [f.src_uri for f in files.documentation_pages(inclusion=InclusionLevel.is_in_serve)]
            env.bytecode_cache = self.preview.templates
        return env

    @event_priority(-50)  # after the search index is written, before the offline plugin copies it
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.deferred is not None:
            self.deferred.place_pdfs(config.site_dir)
            self.deferred = None
        if self.preview is not None:
            self.preview.after_build(config.site_dir, self.order, self.pdfs)

    def on_build_error(self, *, error: Exception) -> None:
        self._stop_worker()

    def _stop_worker(self) -> None:
        if self.deferred is not None:
            self.deferred.stop()
            self.deferred = None

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        if self.preview is not None:
            native_watcher(server)  # before anything else is watched: MkDocs polls every 0.5 s
            self.preview.attach(server)
        server.watch(str(self._path(config, self.config.trees_dir)))
        return server
