"""A real headless Firefox (Debian's `firefox-esr`) driven over WebDriver BiDi, for the print tests.

Playwright cannot drive a stock Firefox and its own Firefox build cannot be downloaded here, but
Firefox speaks WebDriver BiDi natively: started with `--remote-debugging-port=0` it writes
"WebDriver BiDi listening on ws://…" to stderr, and takes JSON commands on `<that address>/session`.
Two ways to print: `print_pdf` (BiDi's `browsingContext.print`: A4, zero margins so the page's CSS
decides, never Firefox's own header and footer) and `print_as_user` (`window.print()` with Firefox's
default print settings, saved silently to PDF: what Ctrl+P gives, Firefox's own header and footer
included).
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

from ..processes import stop

__all__ = ["FIREFOX", "Firefox", "launch"]

FIREFOX = "firefox-esr"
TIMEOUT = 120.0  # seconds for one command, the start and one silent print
_LISTENING = re.compile(r"WebDriver BiDi listening on (ws://\S+)")
_SAVE_TO_PDF = "print.printer_Mozilla_Save_to_PDF."


def _prefs(print_to: Path) -> dict[str, object]:
    """The fresh profile's preferences: `window.print()` saves to `print_to` as A4 PDF without asking;
    everything else, Firefox's own header and footer included, stays at Firefox's defaults."""
    return {
        "print.always_print_silent": True,
        "print.show_print_progress": False,
        "print_printer": "Mozilla Save to PDF",
        _SAVE_TO_PDF + "print_to_file": True,
        _SAVE_TO_PDF + "print_to_filename": str(print_to),
        _SAVE_TO_PDF + "print_paper_id": "iso_a4",
        _SAVE_TO_PDF + "print_paper_size_unit": 1,
        _SAVE_TO_PDF + "print_paper_width": "210.0",
        _SAVE_TO_PDF + "print_paper_height": "297.0",
        "browser.shell.checkDefaultBrowser": False,
        "datareporting.policy.dataSubmissionEnabled": False,
    }


class Firefox:
    """One running Firefox with one BiDi session and its first tab."""

    def __init__(self, socket: ClientConnection, profile: Path) -> None:
        self._socket = socket
        self._profile = profile
        self._next_id = 0
        self.command("session.new", capabilities={})
        self._context = self.command("browsingContext.getTree")["contexts"][0]["context"]

    def command(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one BiDi command and return its result (events in between are skipped)."""
        self._next_id += 1
        self._socket.send(json.dumps({"id": self._next_id, "method": method, "params": params}))
        deadline = time.monotonic() + TIMEOUT
        while True:
            message = json.loads(self._socket.recv(timeout=max(1.0, deadline - time.monotonic())))
            if message.get("id") != self._next_id:
                continue
            if message.get("type") == "error":
                raise RuntimeError(f"{method}: {message.get('error')}: {message.get('message')}")
            return message["result"]

    def open(self, url: str) -> None:
        """Load `url` in the tab and wait for its load event."""
        self.command("browsingContext.navigate", context=self._context, url=url, wait="complete")

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the tab (primitives and arrays of them)."""
        result = self.command("script.evaluate", expression=expression, target={"context": self._context},
                              awaitPromise=True)
        if result.get("type") == "exception":
            raise RuntimeError(f"{expression}: {result['exceptionDetails'].get('text')}")
        return _value(result["result"])

    def print_pdf(self, url: str, target: Path) -> Path:
        """`url` printed to `target` on A4 with the page's own margins and backgrounds."""
        self.open(url)
        data = self.command("browsingContext.print", context=self._context, background=True,
                            margin={"top": 0, "bottom": 0, "left": 0, "right": 0},
                            page={"width": 21.0, "height": 29.7}, orientation="portrait")["data"]
        target.write_bytes(base64.b64decode(data))
        return target

    def print_as_user(self, url: str, target: Path) -> Path:
        """`url` printed as Ctrl+P does with Firefox's default settings, saved to `target`."""
        saved = self._profile / "printed.pdf"
        saved.unlink(missing_ok=True)
        self.open(url)
        self.evaluate("window.print(), true")
        deadline = time.monotonic() + TIMEOUT
        while not (saved.is_file() and saved.read_bytes().rstrip().endswith(b"%%EOF")):
            if time.monotonic() > deadline:
                raise TimeoutError(f"Firefox did not save {url} as PDF")
            time.sleep(0.1)
        shutil.move(saved, target)
        return target


def _value(remote: dict[str, Any]) -> Any:
    """A BiDi remote value as Python."""
    if remote["type"] == "array":
        return [_value(item) for item in remote.get("value", [])]
    return remote.get("value")


@contextmanager
def launch() -> Iterator[Firefox]:
    """A fresh headless Firefox in a new profile, stopped and its profile removed on exit."""
    profile = Path(tempfile.mkdtemp(prefix="firefox-profile-"))
    prefs = _prefs(profile / "printed.pdf")
    (profile / "user.js").write_text("".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n"
                                             for k, v in prefs.items()), "utf-8")
    log = profile / "stderr.txt"
    with log.open("wb") as stderr:
        process = subprocess.Popen([FIREFOX, "--headless", "--no-remote", "--remote-debugging-port=0",
                                    "--profile", str(profile)], stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        deadline = time.monotonic() + TIMEOUT
        while (found := _LISTENING.search(log.read_text("utf-8", "replace"))) is None:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Firefox did not start WebDriver BiDi:\n{log.read_text('utf-8', 'replace')}")
            time.sleep(0.05)
        with connect(found.group(1) + "/session", max_size=None, open_timeout=TIMEOUT) as socket:
            browser = Firefox(socket, profile)
            yield browser
            browser.command("session.end")
    finally:
        stop(process, 20)
        shutil.rmtree(profile, ignore_errors=True)
