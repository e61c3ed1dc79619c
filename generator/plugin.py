"""The MkDocs plugin: a thin adapter that loads and checks trees/, then adds the generated pages."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files

from .check import check_corpus
from .load import load_corpus
from .pages.home import tree_list
from .problems import format_problem, sort_problems
from .render import RenderError
from .site import GeneratedSite, generate, navigation, sorted_trees
from .text import Glossary

__all__ = ["TroubleshootingPlugin"]

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

    def _path(self, config: MkDocsConfig, value: str) -> Path:
        return Path(os.path.dirname(config.config_file_path or ".")) / value

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
        try:
            self.site = generate(corpus, glossary, self._path(config, self.config.cache_dir),
                                 site_url=config.site_url or "", site_name=config.site_name)
        except RenderError as exc:
            raise PluginError(str(exc)) from exc
        config.nav = navigation(corpus, self.site, self.config.nav_before, self.config.nav_after)
        self.tree_list = tree_list(corpus, sorted_trees(corpus))
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.site is not None
        for src, text in sorted(self.site.pages.items()):
            text, svgs = _lift_svgs(text)
            if svgs:
                self.svgs[src] = svgs
            files.append(File.generated(config, src, content=text))
        for path, data in sorted(self.site.assets.items()):
            files.append(File.generated(config, path, content=data))
        return files

    def on_page_markdown(self, markdown: str, *, page: Any, config: MkDocsConfig, files: Files) -> str:
        return markdown.replace(TREES_MARKER, self.tree_list) if TREES_MARKER in markdown else markdown

    @event_priority(-100)  # after every other plugin's, the search index included
    def on_page_context(self, context: Any, *, page: Any, config: MkDocsConfig, nav: Any) -> Any:
        svgs = self.svgs.get(page.file.src_uri)
        if svgs and page.content:
            page.content = _SVG_MARKER.sub(lambda m: svgs[int(m.group(1))], page.content)
        return context

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        server.watch(str(self._path(config, self.config.trees_dir)))
        return server
