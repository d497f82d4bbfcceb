"""Forked workers and their pipes (``citekit.render.workers``), and the bulk path when one dies."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from citekit.render import bulk, workers

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork only")

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from gen_library import library  # noqa: E402


def echo(pipe: workers.Pipe) -> None:
    while (msg := pipe.recv()) is not None:
        pipe.send(msg)


def sleeper(pipe: workers.Pipe) -> None:
    time.sleep(60)


def alive(pid: int) -> bool:
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False
    return not done


def test_messages_larger_than_a_pipe_buffer_round_trip() -> None:
    w = workers.start(echo, ())
    try:
        big = {"text": "中" * 300_000, "n": list(range(50_000))}  # megabytes: many partial reads and writes
        w.pipe.send(big)
        assert w.pipe.recv() == big
        for i in range(100):  # and many small ones in a row
            w.pipe.send(i)
        assert [w.pipe.recv() for _ in range(100)] == list(range(100))
        w.pipe.send(None)
    finally:
        workers.reap([w])
    assert not alive(w.pid)


def test_ready_reports_only_a_worker_that_spoke() -> None:
    a, b = workers.start(echo, ()), workers.start(echo, (), [])
    try:
        b.pipe.send("x")
        assert workers.ready([a.pipe, b.pipe]) == [b.pipe]
        assert b.pipe.recv() == "x"
    finally:
        workers.reap([a, b])


def test_a_worker_sees_end_of_file_when_the_parent_closes_even_with_a_sibling_alive() -> None:
    first = workers.start(echo, ())
    second = workers.start(sleeper, (), [first])  # holds no copy of first's pipes
    try:
        first.pipe.close()
        deadline = time.monotonic() + 10
        while alive(first.pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not alive(first.pid)  # its recv() raised EOFError and it exited
    finally:
        workers.reap([first, second], timeout=0.1)


def test_a_dead_worker_is_end_of_file_and_a_stuck_one_is_killed() -> None:
    dead = workers.start(echo, ())
    os.kill(dead.pid, signal.SIGKILL)
    with pytest.raises(EOFError):
        dead.pipe.recv()
    stuck = workers.start(sleeper, ())
    start = time.monotonic()
    workers.reap([dead, stuck], timeout=0.2)
    assert time.monotonic() - start < 5
    assert not alive(stuck.pid)


def test_a_worker_that_raises_exits_quietly(capfd: pytest.CaptureFixture[str]) -> None:
    def broken(pipe: workers.Pipe) -> None:
        raise RuntimeError("boom")

    w = workers.start(broken, ())
    with pytest.raises(EOFError):
        w.pipe.recv()
    workers.reap([w])
    assert "boom" not in capfd.readouterr().err  # no traceback from a worker: the caller falls back


def test_bulk_falls_back_when_a_worker_dies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "lib.bib"
    path.write_text(library(600), encoding="utf-8")
    monkeypatch.setattr(bulk, "MIN_BYTES", 0)
    monkeypatch.setattr(bulk, "_worker", lambda *args: os._exit(3))
    assert bulk.render_files([path], "gb-t-7714-2015-numeric", workers=2, cache=False) is None
