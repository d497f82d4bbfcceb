"""The link cache: SQLite in the user cache directory, safe with several processes at once.

WAL mode lets readers and one writer work together, and a busy timeout makes a second process
wait for the lock instead of failing. Each state has its own time to live: ``ok`` for days,
``dead`` and ``error`` are always re-checked (but kept, so ``format --prefer-archive`` knows which
links are dead), archive captures are kept for good (a capture never changes).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DAY = 86400.0
# Seconds a cached state is served without re-checking.
STATE_TTL: dict[str, float] = {
    "ok": 7 * DAY,
    "redirected": 7 * DAY,
    "blocked": 1 * DAY,
    "dead": 0.0,  # failures are always re-checked (lychee, html-proofer do the same)
    "error": 0.0,
}
DOI_OK_TTL = 30 * DAY
ARCHIVE_FOUND_TTL = float("inf")
ARCHIVE_MISSING_TTL = 1 * DAY

_SCHEMA = """
CREATE TABLE IF NOT EXISTS links (
    target TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    http_status INTEGER,
    final_url TEXT,
    reason TEXT,
    checked_at REAL NOT NULL,
    extra TEXT
);
CREATE TABLE IF NOT EXISTS archives (
    url TEXT NOT NULL,
    target_ts TEXT NOT NULL,
    archive_url TEXT,
    archive_timestamp TEXT,
    source TEXT,
    looked_up_at REAL NOT NULL,
    PRIMARY KEY (url, target_ts)
);
"""


def default_cache_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("citekit")) / "links.sqlite3"


@dataclass
class CachedLink:
    target: str
    state: str
    http_status: int | None
    final_url: str
    reason: str
    checked_at: float
    extra: dict[str, Any]


@dataclass
class CachedArchive:
    archive_url: str | None
    archive_timestamp: str | None
    source: str
    looked_up_at: float


class LinkCache:
    """Thread-safe (one connection behind a lock) and process-safe (WAL + busy timeout)."""

    def __init__(self, path: str | Path, busy_timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), timeout=busy_timeout, check_same_thread=False,
                                   isolation_level=None)
        self._db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        with self._lock:
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> LinkCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- link states -------------------------------------------------------------------------
    def get_link(self, target: str, now: float | None = None, fresh_only: bool = True,
                 max_age: float | None = None) -> CachedLink | None:
        """The cached state; ``fresh_only`` applies the state's time to live, ``max_age`` caps any age."""
        with self._lock:
            row = self._db.execute(
                "SELECT target, state, http_status, final_url, reason, checked_at, extra FROM links "
                "WHERE target = ?", (target,)).fetchone()
        if row is None:
            return None
        link = CachedLink(row[0], row[1], row[2], row[3] or "", row[4] or "", row[5], json.loads(row[6] or "{}"))
        ttl = float("inf")
        if fresh_only:
            ttl = DOI_OK_TTL if target.startswith("doi:") and link.state == "ok" else STATE_TTL.get(link.state, 0)
        if max_age is not None:
            ttl = min(ttl, max_age)
        now = time.time() if now is None else now
        if now - link.checked_at >= ttl:
            return None
        return link

    def put_link(self, target: str, state: str, http_status: int | None, final_url: str, reason: str,
                 checked_at: float | None = None, extra: dict[str, Any] | None = None) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO links VALUES (?, ?, ?, ?, ?, ?, ?)",
                (target, state, http_status, final_url, reason,
                 time.time() if checked_at is None else checked_at, json.dumps(extra or {})))

    # -- archive look-ups -------------------------------------------------------------------
    def get_archive(self, url: str, target_ts: str, now: float | None = None) -> CachedArchive | None:
        with self._lock:
            row = self._db.execute(
                "SELECT archive_url, archive_timestamp, source, looked_up_at FROM archives "
                "WHERE url = ? AND target_ts = ?", (url, target_ts)).fetchone()
        if row is None:
            return None
        hit = CachedArchive(row[0], row[1], row[2] or "", row[3])
        ttl = ARCHIVE_FOUND_TTL if hit.archive_url else ARCHIVE_MISSING_TTL
        now = time.time() if now is None else now
        if now - hit.looked_up_at >= ttl:
            return None
        return hit

    def put_archive(self, url: str, target_ts: str, archive_url: str | None, archive_timestamp: str | None,
                    source: str, looked_up_at: float | None = None) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO archives VALUES (?, ?, ?, ?, ?, ?)",
                (url, target_ts, archive_url, archive_timestamp, source,
                 time.time() if looked_up_at is None else looked_up_at))

    def latest_archive(self, url: str) -> CachedArchive | None:
        """Any capture found for ``url`` (whatever the target date), the most recently looked up."""
        with self._lock:
            row = self._db.execute(
                "SELECT archive_url, archive_timestamp, source, looked_up_at FROM archives "
                "WHERE url = ? AND archive_url IS NOT NULL ORDER BY looked_up_at DESC LIMIT 1",
                (url,)).fetchone()
        return CachedArchive(row[0], row[1], row[2] or "", row[3]) if row else None
