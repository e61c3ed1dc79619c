"""What tests share for the server and browser processes they start."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable

import pytest

__all__ = ["stop", "wait_for_port"]


def wait_for_port(port: int, process: subprocess.Popen, name: str, seconds: float, why: Callable[[], str]) -> None:
    """Return once something listens on `port` of loopback; fail the test with `why()` (the server's own
    words) if `process`, called `name`, stops first, or when nothing listens within `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            pytest.fail(f"{name} stopped:\n{why()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail(f"{name} did not start listening")
            time.sleep(0.05)


def stop(process: subprocess.Popen, timeout: float) -> None:
    """End a process a test started: SIGTERM, then SIGKILL when it has not ended within `timeout` seconds;
    waited for either way, so no zombie is left."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
