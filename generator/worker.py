"""A forked process that does slow work while the parent goes on: `mkdocs build` renders its pages
while the worker draws the charts and makes the PDFs.

The job writes what it makes as files into a folder of its own and says when each phase is done;
the parent waits for a phase only where it needs it (`wait`). Nothing large goes through the pipe.
A job's exception comes back as a `WorkerError` with its message; the process is killed with the
processes it started (`stop`), and none is left behind.
"""

from __future__ import annotations

import ctypes
import functools
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from types import FrameType

__all__ = ["Job", "Worker", "WorkerError"]

# job(folder, done): makes its files in `folder` and calls `done(phase)` after each phase.
Job = Callable[[Path, Callable[[str], None]], None]
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_STOP_WAIT = 5.0  # seconds a stopped worker has to end its own processes before it is killed with them


class WorkerError(RuntimeError):
    """The job failed (its message), or the worker ended before saying it was done."""


class Worker:
    """Runs `job` in a forked process, at once. Forking copies only the calling thread, so with any
    other thread running (it could hold a lock the copy would wait on forever) the job runs here,
    before the constructor returns, with the same results."""

    def __init__(self, job: Job, describe: Callable[[BaseException], str] = str) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="fa-build-"))
        self._done: set[str] = set()
        self._error: str | None = None
        self._process: multiprocessing.process.BaseProcess | None = None
        self._receive: Connection | None = None
        if threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
            try:
                job(self.folder, self._done.add)
            except Exception as exc:  # noqa: BLE001 - reported where the phase is waited for, as from a process
                self._error = describe(exc)
            return
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        for stream in (sys.stdout, sys.stderr):  # else the child would write what is buffered a second time
            stream.flush()
        self._process = context.Process(target=_run, args=(job, describe, self.folder, send, os.getpid()),
                                        daemon=True, name="fa-build-worker")
        self._process.start()
        send.close()  # the child's end: the parent's copy would keep the pipe open after the child ends

    def wait(self, phase: str) -> Path:
        """The folder, once `phase` is done; WorkerError if the job failed or the worker ended first."""
        while phase not in self._done:
            if self._error is not None:
                raise WorkerError(self._error)
            if self._receive is None:
                raise WorkerError(f"the worker ended without finishing {phase!r}")
            try:
                kind, value = self._receive.recv()
            except (EOFError, OSError):
                self._receive.close()
                self._receive = None
                code = self._reap()
                self._error = f"the worker ended unexpectedly (exit code {code}) before finishing {phase!r}"
                continue
            if kind == "done":
                self._done.add(value)
            else:
                self._error = value
        return self.folder

    def stop(self) -> None:
        """End the worker if it still runs (with the processes it started), and remove its folder.
        Safe to call more than once."""
        process = self._process
        if process is not None and process.is_alive():
            process.terminate()  # SIGTERM: the worker ends its own processes first (`_end_group`)
            process.join(_STOP_WAIT)
            if process.is_alive():
                try:
                    os.killpg(process.pid, signal.SIGKILL)  # type: ignore[arg-type]
                except OSError:
                    pass
        self._reap()
        if self._receive is not None:
            self._receive.close()
            self._receive = None
        shutil.rmtree(self.folder, ignore_errors=True)

    def _reap(self) -> int | None:
        """Wait for the ended worker process (no zombie is left) and give its exit code."""
        if self._process is None:
            return None
        self._process.join()
        return self._process.exitcode


def _run(job: Job, describe: Callable[[BaseException], str], folder: Path, send: Connection, parent: int) -> None:
    """The worker process: its own process group, so that stopping it can end the processes it started,
    and stopped when the parent ends, however it ends."""
    os.setpgid(0, 0)
    signal.signal(signal.SIGTERM, functools.partial(_end_group, folder, parent))
    _stop_with(parent)
    try:
        job(folder, lambda phase: send.send(("done", phase)))
    except BaseException as exc:  # noqa: BLE001 - everything goes to the parent as a message, no traceback
        try:
            send.send(("error", describe(exc)))
        except OSError:  # the parent is gone
            pass
        sys.exit(1)
    finally:
        send.close()


def _stop_with(parent: int) -> None:
    """Have Linux send SIGTERM when the parent process ends (PR_SET_PDEATHSIG); elsewhere, nothing."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return
    if prctl(_PR_SET_PDEATHSIG, signal.SIGTERM) == 0 and os.getppid() != parent:  # it ended before that
        os.kill(os.getpid(), signal.SIGTERM)


def _end_group(folder: Path, parent: int, signum: int, frame: FrameType | None) -> None:
    """SIGTERM in the worker: end every process it started and wait for them, then end; when the parent
    is gone (it did not stop the worker), remove the folder too."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    while os.getpgrp() == os.getpid():  # the group is the worker's own (`_run`), never the parent's
        try:
            os.killpg(0, signal.SIGTERM)  # also any started since the last round
            os.waitpid(-1, 0)
        except OSError:  # ChildProcessError: none is left
            break
    if os.getppid() != parent:
        shutil.rmtree(folder, ignore_errors=True)
    os._exit(1)
