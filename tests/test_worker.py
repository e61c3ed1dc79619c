"""The forked worker: phases come back as files, failures as WorkerError, and stopping it leaves no process."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.worker import Worker, WorkerError

ROOT = Path(__file__).resolve().parent.parent


def _state(pid: int) -> str | None:
    """A process's state letter (`Z` for a zombie), or None when there is no such process."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return None


def _until(condition: Callable[[], bool], seconds: float = 60) -> bool:
    """Poll `condition` until it holds or `seconds` pass (a deadline against hanging, not a timing check)."""
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True


def _alone(scenario: Callable[[], None]) -> None:
    """Run `scenario` where this process has no other thread, as in `mkdocs build`: here, or when another
    test left one running (a browser's), in a fresh Python process (with a thread, the job would run
    in-process, by design)."""
    if threading.active_count() == 1:
        scenario()
        return
    done = subprocess.run([sys.executable, "-c", f"from tests.test_worker import {scenario.__name__} as s; s()"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def test_phases_come_back_in_order_with_their_files() -> None:
    _alone(phases_come_back_in_order)


def phases_come_back_in_order() -> None:
    def job(folder: Path, done: Callable[[str], None]) -> None:
        (folder / "a.txt").write_text(str(os.getpid()), encoding="utf-8")
        done("first")
        (folder / "b.txt").write_text("b", encoding="utf-8")
        done("second")

    worker = Worker(job)
    try:
        folder = worker.wait("first")
        assert int((folder / "a.txt").read_text(encoding="utf-8")) != os.getpid()  # made in another process
        assert (worker.wait("second") / "b.txt").read_text(encoding="utf-8") == "b"
        assert worker.wait("first") == folder  # a phase done stays done
    finally:
        worker.stop()
    assert not folder.exists()


def test_a_failing_job_gives_its_message_and_leaves_no_process() -> None:
    _alone(a_failing_job_gives_its_message)


def a_failing_job_gives_its_message() -> None:
    def job(folder: Path, done: Callable[[str], None]) -> None:
        done("first")
        raise ValueError("the sheets did not fit")

    worker = Worker(job, describe=lambda exc: f"{type(exc).__name__}: {exc}")
    assert worker.wait("first").is_dir()
    with pytest.raises(WorkerError, match="^ValueError: the sheets did not fit$"):
        worker.wait("second")
    assert worker._process is not None
    pid = worker._process.pid
    worker.stop()
    assert worker._process.exitcode == 1
    assert _state(pid) is None  # reaped: not even a zombie


def test_a_worker_that_dies_without_a_word_is_reported() -> None:
    _alone(a_dead_worker_is_reported)


def a_dead_worker_is_reported() -> None:
    def job(folder: Path, done: Callable[[str], None]) -> None:
        os._exit(3)

    worker = Worker(job)
    try:
        with pytest.raises(WorkerError, match=r"ended unexpectedly \(exit code 3\)"):
            worker.wait("first")
    finally:
        worker.stop()


def test_stopping_ends_the_worker_and_the_processes_it_started() -> None:
    _alone(stopping_ends_everything)


def stopping_ends_everything() -> None:
    def job(folder: Path, done: Callable[[str], None]) -> None:
        sleeper = subprocess.Popen(["sleep", "300"])
        (folder / "pid").write_text(str(sleeper.pid), encoding="utf-8")
        done("started")
        sleeper.wait()
        done("never")

    worker = Worker(job)
    folder = worker.wait("started")
    sleeper = int((folder / "pid").read_text(encoding="utf-8"))
    assert worker._process is not None
    pid = worker._process.pid
    assert _state(sleeper) not in (None, "Z")
    worker.stop()
    assert _state(pid) is None and _state(sleeper) is None  # both ended and reaped
    assert not folder.exists()
    worker.stop()  # twice is fine


def test_with_another_thread_running_the_job_runs_in_this_process() -> None:
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        def job(folder: Path, done: Callable[[str], None]) -> None:
            (folder / "pid").write_text(str(os.getpid()), encoding="utf-8")
            done("first")
            raise RuntimeError("late")

        worker = Worker(job)
        assert worker._process is None
        assert int((worker.wait("first") / "pid").read_text(encoding="utf-8")) == os.getpid()
        with pytest.raises(WorkerError, match="^late$"):
            worker.wait("second")
        worker.stop()
    finally:
        release.set()
        thread.join()


_ORPHAN = """
import os, subprocess, sys
from pathlib import Path
from generator.worker import Worker

def job(folder, done):
    sleeper = subprocess.Popen(["sleep", "300"])
    print(os.getpid(), sleeper.pid, folder, flush=True)
    sleeper.wait()

worker = Worker(job)
sys.stdin.readline()
os._exit(0)  # dies without stopping the worker, as a killed build would
"""


def test_a_worker_ends_when_its_parent_dies() -> None:
    parent = subprocess.Popen([sys.executable, "-c", _ORPHAN], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None and parent.stdin is not None
    worker, sleeper, folder = parent.stdout.readline().split()
    assert Path(folder).is_dir()
    parent.stdin.write("\n")
    parent.stdin.flush()
    parent.wait(timeout=60)
    assert _until(lambda: _state(int(worker)) in (None, "Z") and _state(int(sleeper)) in (None, "Z"))
    assert not Path(folder).exists()
