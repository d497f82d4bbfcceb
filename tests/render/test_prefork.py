"""The first bulk worker, forked before the command line is read (``citekit.render.prefork``)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from citekit.render import bulk, prefork, workers

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork only")

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from gen_library import library  # noqa: E402

GBT = "gb-t-7714-2015-numeric"


@pytest.fixture(autouse=True)
def no_zygote_left() -> Iterator[None]:
    yield
    prefork.release()


@pytest.fixture
def lib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "lib.bib"
    path.write_text(library(700), encoding="utf-8")
    monkeypatch.setattr(bulk, "MIN_BYTES", 0)
    return path


def parent_forks(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Workers this process forks itself (patched after the zygote's fork, so only here)."""
    calls: list[object] = []
    real = workers.start

    def start(target: object, *args: object, **kwargs: object) -> workers.Worker:
        if target is bulk._worker:
            calls.append(args)
        return real(target, *args, **kwargs)

    monkeypatch.setattr(workers, "start", start)
    return calls


def gone(pid: int) -> bool:
    try:
        return os.waitpid(pid, os.WNOHANG)[0] == pid
    except ChildProcessError:
        return True


def test_the_zygote_renders_what_the_parent_would(lib: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = bulk.render_files([lib], GBT, workers=2, cache=False)
    prefork.start(2)
    pid = prefork._zygote.pid
    calls = parent_forks(monkeypatch)
    got = bulk.render_files([lib], GBT, workers=2, cache=False)
    assert calls == []  # the zygote forked the second worker, not this process
    assert got is not None and expected is not None
    assert [(e.key, e.cache) for e in got[0]] == [(e.key, e.cache) for e in expected[0]]
    assert got[1:] == expected[1:]
    assert gone(pid) and prefork._zygote is None


def test_a_style_that_sorts_is_refused_and_the_zygote_reaped(lib: Path) -> None:
    prefork.start(2)
    pid = prefork._zygote.pid
    assert bulk.render_files([lib], "gb-t-7714-2015-author-date", workers=2, cache=False) is None
    assert gone(pid)


def test_a_file_changed_between_the_two_reads_is_refused(lib: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parent = os.getpid()
    real = bulk.read_texts

    def other_in_the_zygote(paths: list[str]) -> list[tuple[str, str]]:
        texts = real(paths)
        return texts if os.getpid() == parent else [(p, t + "\n% edited") for p, t in texts]

    monkeypatch.setattr(bulk, "read_texts", other_in_the_zygote)
    prefork.start(2)  # inherits the patch
    assert bulk.render_files([lib], GBT, workers=2, cache=False) is None


def test_a_dead_zygote_means_the_serial_path(lib: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prefork.start(2)
    forks = parent_forks(monkeypatch)
    os.kill(prefork._zygote.pid, 9)
    time.sleep(0.05)
    assert bulk.render_files([lib], GBT, workers=2, cache=False) is None
    assert forks == []


def test_a_zygote_without_a_job_is_ended_at_once() -> None:
    prefork.start(2)
    pid = prefork._zygote.pid
    start = time.monotonic()
    prefork.release()
    assert time.monotonic() - start < 2 and gone(pid)
    prefork.release()  # nothing left: a no-op


def test_a_zygote_for_other_worker_counts_is_not_taken(lib: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prefork.start(3)
    forks = parent_forks(monkeypatch)
    pid = prefork._zygote.pid
    assert bulk.render_files([lib], GBT, workers=2, cache=False) is not None
    assert len(forks) == 2 and gone(pid)


def test_a_failed_fork_means_no_zygote(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    before = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    monkeypatch.setattr(os, "fork", refuse)
    prefork.start(2)
    assert prefork._zygote is None
    if before is not None:
        assert len(os.listdir("/proc/self/fd")) == before  # its pipes closed again


def test_a_failed_worker_fork_means_the_serial_path(lib: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real, calls = os.fork, []

    def second_fails() -> int:
        calls.append(1)
        if len(calls) == 2:
            raise BlockingIOError(11, "Resource temporarily unavailable")
        return real()

    monkeypatch.setattr(os, "fork", second_fails)
    assert bulk.render_files([lib], GBT, workers=2, cache=False) is None


def test_small_libraries_release_it(tmp_path: Path) -> None:
    path = tmp_path / "small.bib"
    path.write_text(library(5), encoding="utf-8")
    prefork.start(2)
    pid = prefork._zygote.pid
    assert bulk.render_files([path], GBT, workers=2) is None  # below MIN_BYTES
    assert gone(pid)


def _citekit(module: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CITEKIT_RENDER_CACHE": "off"}
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, timeout=300,
                          env=env)


def test_the_command_prints_the_same_with_and_without_it(tmp_path: Path) -> None:
    path = tmp_path / "lib.bib"
    path.write_text(library(1500), encoding="utf-8")  # above MIN_BYTES: the bulk path
    assert path.stat().st_size > bulk.MIN_BYTES
    for args in (["format", "--library", str(path)], ["format", "--library", str(path), "--to", "html"],
                 ["format", "--library", str(path), "--title-case", "sentence"],  # a setting made after the fork
                 ["format", "--library", str(path), "--style", "gb-t-7714-2015-author-date"],
                 ["format", "--library", str(path), "--style", str(tmp_path / "missing.csl")]):
        launched, direct = _citekit("citekit", *args), _citekit("citekit.cli", *args)
        assert (launched.returncode, launched.stdout, launched.stderr) == (direct.returncode, direct.stdout,
                                                                          direct.stderr)
    assert launched.returncode == 2 and "missing.csl" in launched.stderr


def test_the_command_on_a_small_library_prints_it() -> None:
    proc = _citekit("citekit", "format")
    assert proc.returncode == 0 and proc.stdout.count("\n") >= 14


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="reads /proc")
def test_the_zygote_holds_none_of_the_callers_streams() -> None:
    # Else a caller reading the command's output would wait for the zygote as well.
    prefork.start(2)
    pid = prefork._zygote.pid
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in (0, 1, 2)]
        if links == [os.devnull] * 3:
            break
        time.sleep(0.005)
    assert links == [os.devnull] * 3


def _warm_with_one_changed(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "MIN_BYTES", 4000)
    assert bulk.render_files([path], GBT, workers=2) is not None  # fills the render cache
    text = path.read_text(encoding="utf-8")
    at = text.index("title = {", text.index("@", 5000))
    path.write_text(text[:at] + "title = {Changed " + text[at + len("title = {"):], encoding="utf-8")


def _document(done: object) -> list[tuple[str, object]]:
    assert done is not None
    return [(e.key, e.cache) for e in done[0]]  # type: ignore[index]


def test_a_warm_run_renders_its_changed_blocks_in_the_zygote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from citekit.render import blocks

    path = tmp_path / "lib.bib"
    path.write_text(library(300), encoding="utf-8")
    _warm_with_one_changed(path, monkeypatch)
    expected = _document(bulk.render_files([path], GBT, workers=2, cache=False))
    prefork.start(2)
    pid = prefork._zygote.pid
    here: list[object] = []
    real = blocks._render
    monkeypatch.setattr(blocks, "_render", lambda *a: here.append(a) or real(*a))  # after the fork: here only
    monkeypatch.setattr(blocks, "_all_fresh", lambda *a: pytest.fail("not a warm run"))
    assert _document(bulk.render_files([path], GBT, workers=2)) == expected
    assert here == [] and gone(pid)
    assert _document(bulk.render_files([path], GBT, workers=2)) == expected  # and what it stored reads back


def test_a_zygote_that_dies_on_a_warm_run_leaves_it_to_the_parent(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "lib.bib"
    path.write_text(library(300), encoding="utf-8")
    _warm_with_one_changed(path, monkeypatch)
    expected = _document(bulk.render_files([path], GBT, workers=2, cache=False))
    prefork.start(2)
    os.kill(prefork._zygote.pid, 9)
    assert _document(bulk.render_files([path], GBT, workers=2)) == expected
