"""The MkDocs plugin: a thin adapter that loads and checks trees/, then adds the generated pages."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from .cli import load_and_check
from .pages.home import tree_list
from .problems import format_problem
from .render import RenderError
from .site import GeneratedSite, generate, navigation, sorted_trees
from .text import Glossary

__all__ = ["TroubleshootingPlugin"]

TREES_MARKER = "<!-- generator:trees -->"


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

    def _path(self, config: MkDocsConfig, value: str) -> Path:
        return Path(os.path.dirname(config.config_file_path or ".")) / value

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        trees = self._path(config, self.config.trees_dir)
        corpus, problems = load_and_check(str(trees))
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise PluginError("A fák hibásak, az oldal nem készült el:\n" + "\n".join(format_problem(p) for p in errors))
        glossary_file = self._path(config, self.config.glossary)
        glossary = Glossary.from_abbreviations(glossary_file.read_text("utf-8")) if glossary_file.exists() else Glossary({})
        try:
            self.site = generate(corpus, glossary, self._path(config, self.config.cache_dir))
        except RenderError as exc:
            raise PluginError(str(exc)) from exc
        config.nav = navigation(corpus, self.site, self.config.nav_before, self.config.nav_after)
        self.tree_list = tree_list(corpus, sorted_trees(corpus))
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.site is not None
        for src, text in sorted(self.site.pages.items()):
            files.append(File.generated(config, src, content=text))
        for path, data in sorted(self.site.assets.items()):
            files.append(File.generated(config, path, content=data))
        return files

    def on_page_markdown(self, markdown: str, *, page: Any, config: MkDocsConfig, files: Files) -> str:
        return markdown.replace(TREES_MARKER, self.tree_list) if TREES_MARKER in markdown else markdown

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        server.watch(str(self._path(config, self.config.trees_dir)))
        return server
