"""Compile YAML troubleshooting trees into a MkDocs Material site: load, check, draw, pages."""

__version__ = "0.1.0"
