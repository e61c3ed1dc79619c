"""The built site served by a real Apache 2.4 on loopback under /hibaelharitas/, configured with the very
`apache` block of docs/hosting.md (the README shows the same block): every file comes back whole with the
right type and caching, text is compressed, and the 404 page works under the sub-path.

Apache runs from a generated minimal httpd.conf: only the modules the block needs, Debian's stock type
settings (mods-available/mime.conf, as `a2enmod mime` gives), and the block with /var/www/hibaelharitas
replaced by a built site laid out as `publish` does it (a symlink to a release).
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .processes import stop, wait_for_port
from .test_nginx import (CONFIGS, DOCS_ROOT, HOSTING, MISSING, ROOT, SUB_PATH, TYPES, Server,
                         build_with_site_url, check_every_file, check_missing_page, free_port)

APACHE = "/usr/sbin/apache2"
MODULES = Path("/usr/lib/apache2/modules")
DEBIAN_MIME = Path("/etc/apache2/mods-available/mime.conf")
NEEDED = ("mpm_event", "authz_core", "alias", "dir", "mime", "headers", "filter", "deflate")
NOBODY = 65534  # Apache started as root serves as this user; it refuses to serve as root
# As nginx, but Apache labels XML by /etc/mime.types, and sends no type for a file without a known
# extension (the one such file, a vendored LICENSE, is never loaded by a page).
APACHE_TYPES = {**TYPES, ".xml": "application/xml", "": None}


def apache_block(document: Path) -> str:
    """The one ```apache block of `document`."""
    blocks = re.findall(r"```apache\n(.*?)```", document.read_text("utf-8"), flags=re.S)
    assert len(blocks) == 1, f"{document.name}: one ```apache block"
    return blocks[0]


def httpd_conf(tmp: Path, port: int, dest: Path) -> str:
    """A minimal httpd.conf: loopback port, files in `tmp`, the needed modules and the documented block."""
    modules = "".join(f"LoadModule {name}_module {MODULES}/mod_{name}.so\n" for name in NEEDED)
    user = f"User #{NOBODY}\nGroup #{NOBODY}\n" if os.geteuid() == 0 else ""
    return (f"ServerRoot {tmp}\nServerName 127.0.0.1\nListen 127.0.0.1:{port}\nPidFile {tmp}/httpd.pid\n"
            f"DefaultRuntimeDir {tmp}\nMutex file:{tmp} default\nErrorLog {tmp}/error.log\nLogLevel warn\n"
            f"{user}{modules}Include {DEBIAN_MIME}\n"
            f"DocumentRoot {tmp}/empty\n<Directory />\n    AllowOverride None\n    Require all denied\n</Directory>\n"
            + apache_block(HOSTING).replace(DOCS_ROOT, str(dest)))


@pytest.fixture(scope="module", params=sorted(CONFIGS))
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    """The fixture site and the real site, each built with its site_url and served by Apache under the
    sub-path. Built in a world-readable temp folder: started as root, Apache serves as nobody."""
    if not os.access(APACHE, os.X_OK):
        pytest.fail(f"{APACHE} is missing: run `make setup` (installs apache2)")
    tmp = Path(tempfile.mkdtemp(prefix="apache-"))
    try:
        tmp.chmod(0o755)
        (tmp / "empty").mkdir()
        port = free_port()
        dest = tmp / "www" / "hibaelharitas"
        build_with_site_url(CONFIGS[request.param], dest.with_name("hibaelharitas.releases") / "0001-teszt",
                            f"http://127.0.0.1:{port}{SUB_PATH}")
        dest.symlink_to("hibaelharitas.releases/0001-teszt")
        conf = tmp / "httpd.conf"
        conf.write_text(httpd_conf(tmp, port, dest), encoding="utf-8")
        check = subprocess.run([APACHE, "-t", "-f", str(conf)], capture_output=True, text=True, timeout=60)
        assert check.returncode == 0, check.stderr
        process = subprocess.Popen([APACHE, "-f", str(conf), "-DFOREGROUND"], stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            log = tmp / "error.log"
            wait_for_port(port, process, "apache2", 30, lambda: log.read_text("utf-8", "replace") if log.exists() else "")
            yield Server(request.param, port, Path(os.path.realpath(dest)))
        finally:
            stop(process, 20)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_the_readme_shows_the_tested_block() -> None:
    assert apache_block(ROOT / "README.md") == apache_block(HOSTING)


def test_every_file_is_served_whole_with_its_type_and_caching(server: Server) -> None:
    check_every_file(server, APACHE_TYPES)


def test_the_site_root_and_the_bare_sub_path(server: Server) -> None:
    status, headers, body = server.get(SUB_PATH)
    assert status == 200 and body == (server.site / "index.html").read_bytes()
    assert headers["content-type"] == APACHE_TYPES[".html"]
    status, headers, _ = server.get(SUB_PATH.rstrip("/"))
    assert status == 301 and urlsplit(headers["location"]).path == SUB_PATH


@pytest.mark.parametrize("missing", MISSING)
def test_a_missing_page_gets_the_404_page_and_its_links_work_under_the_sub_path(server: Server,
                                                                              missing: str) -> None:
    check_missing_page(server, missing, APACHE_TYPES[".html"])


def test_text_is_sent_compressed_to_browsers_that_accept_it(server: Server) -> None:
    for name in ("search/search_index.json", "index.html"):
        status, headers, body = server.get(SUB_PATH + name, {"Accept-Encoding": "gzip"})
        assert status == 200 and headers.get("content-encoding") == "gzip", name
        assert gzip.decompress(body) == (server.site / name).read_bytes()
    # sitemap.xml.gz is a file to download as it is, not XML sent compressed
    status, headers, body = server.get(SUB_PATH + "sitemap.xml.gz", {"Accept-Encoding": "gzip"})
    assert status == 200 and "content-encoding" not in headers
    assert body == (server.site / "sitemap.xml.gz").read_bytes()
