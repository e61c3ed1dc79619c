"""The two sites the benchmark builds from one trees/ folder: ours (with the plugin) and the floor.

Both start from the real mkdocs.yml, so theme, features, Markdown extensions and other plugins are
the ones we ship. Ours points the `troubleshooting` plugin at the synthetic trees; the floor drops
the plugin and holds the very pages it would generate, written out as plain Markdown files with
their inline SVGs, with the same navigation: what `mkdocs build` costs without us.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from generator.cli import load_and_check
from generator.pages.home import tree_list
from generator.plugin import TREES_MARKER
from generator.site import generate, navigation, sorted_trees
from generator.text import Glossary

__all__ = ["ROOT", "PLUGIN", "read_config", "write_ours", "write_floor", "write_floor_fresh", "nav_pages", "main"]

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = "troubleshooting"


class _Tagged:
    """A YAML value with a custom tag (`!ENV`, `!!python/name:`), kept as written."""

    def __init__(self, tag: str, node: yaml.Node) -> None:
        self.tag, self.node = tag, node


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps unknown tags instead of failing on them."""


class _Dumper(yaml.SafeDumper):
    """SafeDumper that writes kept tags back."""


_Loader.add_multi_constructor("", lambda loader, suffix, node: _Tagged(suffix, node))
_Dumper.add_representer(_Tagged, lambda dumper, value: _retag(value))


def _retag(value: _Tagged) -> yaml.Node:
    value.node.tag = value.tag
    return value.node


def read_config(path: Path = ROOT / "mkdocs.yml") -> dict[str, Any]:
    """The real site configuration as plain data (custom tags kept)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)


def nav_pages(nav: list[Any]) -> list[tuple[str, str]]:
    """(title, path) of every Markdown page named in a nav list, nested sections included."""
    out: list[tuple[str, str]] = []
    for item in nav:
        if isinstance(item, str) and item.endswith(".md"):
            out.append((Path(item).stem, item))
        elif isinstance(item, dict):
            for title, value in item.items():
                if isinstance(value, str) and value.endswith(".md"):
                    out.append((str(title), value))
                elif isinstance(value, list):
                    out.extend(nav_pages(value))
    return out


def _plugin_options(config: dict[str, Any]) -> dict[str, Any]:
    for entry in config.get("plugins", []):
        if isinstance(entry, dict) and PLUGIN in entry:
            return dict(entry[PLUGIN] or {})
    return {}


def _base(config: dict[str, Any], docs: Path) -> dict[str, Any]:
    """The real config made to run from anywhere: absolute paths, no watch list, docs in `docs`."""
    out = dict(config)
    out["docs_dir"] = str(docs)
    out.pop("watch", None)
    out.pop("site_dir", None)
    theme = dict(out.get("theme") or {})
    if theme.get("custom_dir"):
        theme["custom_dir"] = str(ROOT / theme["custom_dir"])
    out["theme"] = theme
    return out


def _write_hand_pages(docs: Path, options: dict[str, Any], home: str, content: Path | None) -> None:
    """The hand-written pages: a copy of `content` with `home` in place of the tree-list marker, or
    (None) stand-ins for the pages the nav names."""
    if content is not None:
        shutil.copytree(content, docs, dirs_exist_ok=True)
        for page in docs.glob("**/*.md"):
            text = page.read_text(encoding="utf-8")
            if TREES_MARKER in text:
                page.write_text(text.replace(TREES_MARKER, home), encoding="utf-8")
        return
    docs.mkdir(parents=True, exist_ok=True)
    for title, page in nav_pages(options.get("nav_before", []) + options.get("nav_after", [])):
        target = docs / page
        target.parent.mkdir(parents=True, exist_ok=True)
        body = home if page == "index.md" else "Ez az oldal a mérés kedvéért áll itt.\n"
        target.write_text(f"# {title}\n\n{body}\n", encoding="utf-8")
    if not (docs / "index.md").exists():
        (docs / "index.md").write_text(f"# Kezdőlap\n\n{home}\n", encoding="utf-8")


def _glossary(options: dict[str, Any]) -> Path:
    return ROOT / options.get("glossary", "site_overrides/snippets/abbreviations.md")


def write_ours(trees: Path, cache: Path, folder: Path, content: Path | None = None) -> Path:
    """mkdocs.yml (and its docs folder) for our build of `trees`, SVG cache in `cache`, hand-written
    pages from `content` (None: stand-ins); returns the config path."""
    config = read_config()
    options = _plugin_options(config)
    docs = folder / "docs"
    _write_hand_pages(docs, options, TREES_MARKER, content)
    out = _base(config, docs)
    options.update(trees_dir=str(trees), cache_dir=str(cache), glossary=str(_glossary(options)))
    out["plugins"] = [{PLUGIN: options} if isinstance(p, dict) and PLUGIN in p else p for p in config["plugins"]]
    path = folder / "mkdocs.yml"
    path.write_text(yaml.dump(out, Dumper=_Dumper, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def write_floor(trees: Path, cache: Path, folder: Path, content: Path | None = None) -> Path:
    """mkdocs.yml and docs for the floor: our generated pages as plain files, no plugin, hand-written
    pages as for `write_ours`; returns the config path."""
    config = read_config()
    options = _plugin_options(config)
    corpus, problems = load_and_check(str(trees))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise RuntimeError(f"synthetic trees fail check: {errors[0]}")
    glossary_file = _glossary(options)
    glossary = Glossary.from_abbreviations(glossary_file.read_text("utf-8")) if glossary_file.exists() else Glossary({})
    site = generate(corpus, glossary, cache, site_url=config.get("site_url") or "", site_name=config.get("site_name", ""))
    docs = folder / "docs"
    shutil.rmtree(docs, ignore_errors=True)
    _write_hand_pages(docs, options, tree_list(corpus, sorted_trees(corpus)), content)
    for src, text in site.pages.items():
        (docs / src).parent.mkdir(parents=True, exist_ok=True)
        (docs / src).write_text(text, encoding="utf-8")
    for path, data in site.assets.items():
        (docs / path).parent.mkdir(parents=True, exist_ok=True)
        (docs / path).write_bytes(data)
    out = _base(config, docs)
    out["plugins"] = [p for p in config["plugins"] if not (isinstance(p, dict) and PLUGIN in p) and p != PLUGIN]
    out["nav"] = navigation(corpus, site, options.get("nav_before", []), options.get("nav_after", []))
    path = folder / "mkdocs.yml"
    path.write_text(yaml.dump(out, Dumper=_Dumper, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def write_floor_fresh(trees: Path, cache: Path, folder: Path, content: Path | None = None) -> Path:
    """`write_floor` in a fresh Python process: the generator code is read anew, as each build reads it
    (a long benchmark must not compare our build with pages made by code loaded an hour ago)."""
    command = [sys.executable, str(Path(__file__).resolve()), str(trees), str(cache), str(folder)]
    done = subprocess.run(command + ([str(content)] if content else []), cwd=ROOT, capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError(f"writing the floor failed: {done.stderr.strip()[-1000:]}")
    return Path(done.stdout.strip())


def main(argv: list[str] | None = None) -> int:
    """`sites.py TREES CACHE FOLDER [CONTENT]`: write the floor site; prints its mkdocs.yml path."""
    parser = argparse.ArgumentParser(description="Write the floor site of a trees folder.")
    for name in ("trees", "cache", "folder"):
        parser.add_argument(name, type=Path)
    parser.add_argument("content", type=Path, nargs="?")
    args = parser.parse_args(argv)
    print(write_floor(args.trees, args.cache, args.folder, args.content))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
