"""Benchmark: export 5,000 entries and push them to the loopback Zotero Web API emulation.

Run: ``python benchmarks/bench_zotero.py [N]``. Prints wall times and request counts; the target
(issue 4) is under 10 s and at most 100 requests for 5,000 entries. The emulation runs in a
separate process so client and server do not share one interpreter lock.
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from citekit.bibtex.reader import read_library  # noqa: E402
from citekit.export import FORMATS, export  # noqa: E402
from citekit.zotero.state import SyncState  # noqa: E402
from citekit.zotero.webapi import ZoteroClient, push  # noqa: E402

API_KEY = "bench-key"


def _serve(queue: multiprocessing.Queue) -> None:
    spec = importlib.util.spec_from_file_location("zotero_api", ROOT / "tests" / "servers" / "zotero_api.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["zotero_api"] = mod
    spec.loader.exec_module(mod)
    schema = ROOT.parent / "shared" / "zotero" / "schema.json"
    emu = mod.ZoteroAPIEmulator(api_key=API_KEY, schema_path=schema if schema.exists() else None)
    queue.put(emu.url)
    emu.server.serve_forever()


def entries(n: int) -> list[dict]:
    """``n`` distinct items cloned from the bundled library (bills, reports, web pages, articles)."""
    base = read_library().items()
    out = []
    for i in range(n):
        item = dict(base[i % len(base)])
        key = f"{item['id']}-{i}"
        item["id"] = item["citation-key"] = key
        item["title"] = f"{item['title']} ({i})"
        out.append(item)
    return out


def main(n: int = 5000) -> None:
    items = entries(n)
    print(f"entries: {n}")
    for fmt in FORMATS:
        t = time.perf_counter()
        text = export(items, fmt)
        print(f"export {fmt:12} {time.perf_counter() - t:6.2f} s  {len(text) / 1e6:6.1f} MB")
    queue: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=_serve, args=(queue,), daemon=True)
    server.start()
    url = queue.get(timeout=30)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            state = SyncState.load(Path(tmp) / ".citekit-zotero.json")
            lib = state.library("users/1")
            client = ZoteroClient(requests.Session(), "user:1", API_KEY, base_url=url)
            t = time.perf_counter()
            report = push(client, items, lib, state.save)  # export to Zotero JSON + push + state
            elapsed = time.perf_counter() - t
            print(f"push (export + upload + state): {elapsed:.2f} s, {report.requests} requests, "
                  f"{len(report.created)} created, {len(report.failed)} failed")
            again = ZoteroClient(requests.Session(), "user:1", API_KEY, base_url=url)
            t = time.perf_counter()
            rerun = push(again, items, lib, state.save)
            print(f"re-run (nothing changed): {time.perf_counter() - t:.2f} s, {rerun.requests} requests, "
                  f"{len(rerun.unchanged)} unchanged")
            ok = elapsed < 10 and report.requests <= 100 and len(report.created) == n
            print(f"target (< 10 s, <= 100 requests): {'met' if ok else 'NOT met'}")
    finally:
        server.terminate()
        server.join()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
