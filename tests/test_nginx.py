"""The built site served by a real nginx on loopback under /hibaelharitas/, configured with the very blocks of
docs/hosting.md: every file comes back whole with the right type and caching, and the 404 page works."""

from __future__ import annotations

import gzip
import http.client
import os
import re
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import quote, urljoin, urlsplit

import pytest

from .processes import stop, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
HOSTING = ROOT / "docs" / "hosting.md"
NGINX = "/usr/sbin/nginx"
SUB_PATH = "/hibaelharitas/"
DOCS_ROOT = "/var/www/hibaelharitas"
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".map": "application/json; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
    ".xml": "text/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".gz": "application/gzip",
    ".png": "image/png",
    ".pdf": "application/pdf",
    "": "application/octet-stream",
}
FINGERPRINTED = re.compile(r"^assets/.+\.[0-9a-f]{8}\.min\.(js|css)$")
CONFIGS = {"fixture": ROOT / "tests" / "fixtures" / "site" / "mkdocs.yml", "real": ROOT / "mkdocs.yml"}


def docs_block(language: str, first_line: str, doc: Path = HOSTING) -> str:
    """The fenced `language` block of `doc` (docs/hosting.md) whose first line starts with `first_line`."""
    blocks = re.findall(rf"```{language}\n(.*?)```", doc.read_text("utf-8"), flags=re.S)
    found = [b for b in blocks if b.startswith(first_line)]
    assert len(found) == 1, f"{doc.name}: one ```{language} block starting with {first_line!r}"
    return found[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_with_site_url(config: Path, out: Path, site_url: str) -> None:
    """`mkdocs build` of `config` with `site_url` added (the config is read from stdin; paths stay relative
    to the config's folder, which is the working directory)."""
    text = config.read_text("utf-8") + f"\nsite_url: {site_url}\n"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1763683200"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", "-", "-d", str(out)],
                            input=text, capture_output=True, text=True, cwd=config.parent, env=env, timeout=600)
    assert result.returncode == 0, result.stderr


@dataclass(frozen=True)
class Server:
    """A running nginx serving `site` (CONFIGS[name], through a publish-style symlink) at
    http://127.0.0.1:port/hibaelharitas/."""

    name: str
    port: int
    site: Path

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", path, headers=headers or {})
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()


def nginx_conf(tmp: Path, port: int, dest: Path) -> str:
    server_block = docs_block("nginx", "# server { } level").replace(DOCS_ROOT, str(dest))
    temp_paths = "".join(f"    {name}_temp_path {tmp}/{name};\n"
                         for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (("user root;\n" if os.geteuid() == 0 else "")  # workers must read pytest's 0700 temp folders
            + f"worker_processes 1;\npid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\n"
            + "events { worker_connections 64; }\nhttp {\n    include /etc/nginx/mime.types;\n"
            + f"    default_type application/octet-stream;\n    access_log {tmp}/access.log;\n{temp_paths}"
            + docs_block("nginx", "# http { } level") + f"    server {{\n        listen 127.0.0.1:{port};\n"
            + server_block + "    }\n}\n")


_BUILT: dict[str, tuple[int, Path]] = {}


def subpath_build(name: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    """Site `name` of CONFIGS built with site_url under the sub-path at a free port, laid out as `publish` does
    (www/hibaelharitas -> hibaelharitas.releases/0001-teszt): (port, folder of www/). Built once per test
    session, for these tests and the browser tests under the sub-path (tests/browser/test_subpath.py)."""
    if name not in _BUILT:
        tmp = tmp_path_factory.mktemp(f"nginx-{name}")
        port = free_port()
        dest = tmp / "www" / "hibaelharitas"
        build_with_site_url(CONFIGS[name], dest.with_name("hibaelharitas.releases") / "0001-teszt",
                            f"http://127.0.0.1:{port}{SUB_PATH}")
        dest.symlink_to("hibaelharitas.releases/0001-teszt")
        _BUILT[name] = port, tmp
    return _BUILT[name]


@contextmanager
def running_nginx(name: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """nginx serving site `name` (see subpath_build) with the blocks of docs/hosting.md, stopped on exit."""
    if not os.access(NGINX, os.X_OK):
        pytest.fail(f"{NGINX} is missing: run `make setup` (installs nginx-light)")
    port, tmp = subpath_build(name, tmp_path_factory)
    dest = tmp / "www" / "hibaelharitas"
    conf = tmp / "nginx.conf"
    conf.write_text(nginx_conf(tmp, port, dest), encoding="utf-8")
    proc = subprocess.Popen([NGINX, "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(conf), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_port(port, proc, "nginx", 20, lambda: proc.stderr.read().decode() if proc.stderr else "")
        yield Server(name, port, Path(os.path.realpath(dest)))
    finally:
        stop(proc, 10)
        if proc.stderr:
            proc.stderr.close()


@pytest.fixture(scope="module", params=sorted(CONFIGS))
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The fixture site and the real site, each served by nginx under the sub-path."""
    with running_nginx(request.param, tmp_path_factory) as running:
        yield running


def site_files(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())


def check_every_file(server: Server, types: dict[str, str | None]) -> None:
    """Every file of the site comes back whole, with the type `types` gives its suffix and the caching
    docs/hosting.md asks for (a year for fingerprinted assets, revalidation for the rest)."""
    files = site_files(server.site)
    assert "index.html" in files and "404.html" in files and len(files) > 20
    problems = []
    for name in files:
        status, headers, body = server.get(SUB_PATH + quote(name))
        expected_type = types.get(Path(name).suffix, "?")
        if expected_type == "?":
            problems.append(f"{name}: no expected type for {Path(name).suffix} (add it to docs/hosting.md and here)")
        cache = "public, max-age=31536000, immutable" if FINGERPRINTED.match(name) else "no-cache"
        got = (status, headers.get("content-type"), headers.get("cache-control"), body == (server.site / name).read_bytes())
        if got != (200, expected_type, cache, True):
            problems.append(f"{name}: {got[:3]}, same bytes: {got[3]}")
    assert problems == [], "\n".join(problems)


def test_every_file_is_served_whole_with_its_type_and_caching(server: Server) -> None:
    check_every_file(server, TYPES)


def test_the_site_root_and_the_bare_sub_path(server: Server) -> None:
    status, headers, body = server.get(SUB_PATH)
    assert status == 200 and body == (server.site / "index.html").read_bytes()
    status, headers, _ = server.get(SUB_PATH.rstrip("/"))
    assert status == 301 and urlsplit(headers["location"]).path == SUB_PATH


MISSING = ["nincs-ilyen-oldal.html", "fak/nincs/ilyen/mappa/", "kodok/K0000.html"]


def check_missing_page(server: Server, missing: str, html_type: str | None) -> None:
    """A missing page gets the 404 page (as `html_type`), and every local link of it works under the sub-path."""
    status, headers, body = server.get(SUB_PATH + missing)
    assert status == 404 and headers["content-type"] == html_type
    assert body == (server.site / "404.html").read_bytes()
    base = f"http://127.0.0.1:{server.port}{SUB_PATH}{missing}"
    links = sorted({urljoin(base, m) for m in re.findall(r'(?:href|src)="([^"#]+)', body.decode("utf-8"))})
    local = [u for u in links if urlsplit(u).netloc == f"127.0.0.1:{server.port}"]
    assert any(u.endswith(".css") for u in local) and any(u.endswith(".js") for u in local)
    for url in local:
        assert urlsplit(url).path.startswith(SUB_PATH), url
        status, _, _ = server.get(urlsplit(url).path)
        assert status == 200, url


@pytest.mark.parametrize("missing", MISSING)
def test_a_missing_page_gets_the_404_page_and_its_links_work_under_the_sub_path(server: Server,
                                                                              missing: str) -> None:
    check_missing_page(server, missing, TYPES[".html"])


def test_text_is_sent_compressed_to_browsers_that_accept_it(server: Server) -> None:
    status, headers, body = server.get(SUB_PATH + "search/search_index.json", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("content-encoding") == "gzip"
    assert gzip.decompress(body) == (server.site / "search" / "search_index.json").read_bytes()


def test_the_readme_shows_the_tested_blocks() -> None:
    for first_line in ("# http { } level", "# server { } level"):
        assert docs_block("nginx", first_line, ROOT / "README.md") == docs_block("nginx", first_line)


def test_the_documented_iis_web_config_is_well_formed() -> None:
    config = ET.fromstring(docs_block("xml", '<?xml version="1.0"').encode("utf-8"))
    maps = {m.get("fileExtension"): m.get("mimeType") for m in config.iter("mimeMap")}
    assert {".svg", ".json", ".js", ".webmanifest"} <= set(maps)
    assert [e.get("path") for e in config.iter("error")] == [SUB_PATH + "404.html"]
