"""Push to and pull from a Zotero library through the Web API v3 (notes §3).

Guarantees, and how:

* **No duplicates, even when a response is lost.** Every item gets a deterministic Zotero key
  derived from its citation key (and remembered in the sync state), and is created with
  ``version: 0`` ("create with this key"), so the server can never make a second copy. Each batch
  carries its own ``Zotero-Write-Token``; a batch whose response was lost is retried with the same
  token, and a 412 on that retry means "already applied": the items are then looked up by key.
* **Nothing lost to rate limits.** 429/503 are retried after ``Retry-After`` (bounded), and a
  ``Backoff`` header on any response delays the next request.
* **Conflicts are reported, not overwritten.** Updates carry the version last written, so an item
  edited in Zotero since fails alone (412, reported by citation key) unless ``force`` is given;
  within one run every batch after the first carries ``If-Unmodified-Since-Version``, so a
  concurrent writer stops the run with a clear message.
* At most 50 objects per request (the API's limit).

The API key is sent in the ``Zotero-API-Key`` header only; it is never part of a URL, a message
or the state file. Redirects are followed by hand: to the same host with the key, to another host
without the key or any ``Authorization`` header, and only after saying so. Every answer is
checked against the JSON shape expected (a list of items, a dict of results), with a one-line
error otherwise.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import requests

from citekit.errors import CitekitError
from citekit.model import Item
from citekit.secrets import redact
from citekit.zotero.mapping import ZoteroItem, csl_to_zotero, zotero_to_csl
from citekit.zotero.schema import ITEM_KEY_ALPHABET
from citekit.zotero.state import ItemState, LibraryState
from citekit.zotero.transport import ZoteroAPIError, as_int, checked_json, json_shape, send

API_URL = "https://api.zotero.org"
BATCH = 50
_DROPPED = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


class ConflictError(ZoteroAPIError):
    pass


def library_prefix(spec: str) -> str:
    """``user:1234`` / ``group:5678`` (or ``users/1234``) -> ``/users/1234``."""
    m = re.fullmatch(r"\s*(user|group)s?[:/](\d+)\s*", spec)
    if not m:
        raise CitekitError(f"bad Zotero library {spec!r}: use user:ID or group:ID")
    return f"/{m.group(1)}s/{m.group(2)}"


def item_key_for(citation_key: str, prefix: str) -> str:
    """A stable 8-character Zotero key for a citation key in one library."""
    digest = int.from_bytes(hashlib.sha256(f"{prefix}\0{citation_key}".encode()).digest()[:8], "big")
    chars = []
    for _ in range(8):
        digest, r = divmod(digest, len(ITEM_KEY_ALPHABET))
        chars.append(ITEM_KEY_ALPHABET[r])
    return "".join(chars)


def content_hash(z: ZoteroItem) -> str:
    return hashlib.sha256(json.dumps(z, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:20]


class ZoteroClient:
    """Requests to one Zotero library, honouring Retry-After and Backoff with bounded retries."""

    def __init__(self, session: requests.Session, library: str, api_key: str | None, *,
                 base_url: str = API_URL, sleep: Callable[[float], None] = time.sleep,
                 max_retries: int = 5, max_wait: float = 120.0, timeout: float = 30.0,
                 notify: Callable[[str], None] | None = None) -> None:
        self.session = session
        self.notify = notify or (lambda _message: None)
        self.prefix = library_prefix(library)
        self.base_url = base_url.rstrip("/")
        self._key = api_key
        self.sleep = sleep
        self.max_retries = max_retries
        self.max_wait = max_wait
        self.timeout = timeout
        self.requests = 0
        self.waited = 0.0
        self._not_before = 0.0

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        h = {"Zotero-API-Version": "3", "User-Agent": "citekit"}
        if self._key:
            h["Zotero-API-Key"] = self._key
        h.update(extra or {})
        return h

    def _wait(self, seconds: float) -> None:
        seconds = min(max(seconds, 0.0), self.max_wait)
        if seconds:
            self.waited += seconds
            self.sleep(seconds)

    def request(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                body: Any = None, headers: dict[str, str] | None = None) -> requests.Response:
        """One API call; 429/503 are retried after Retry-After, at most ``max_retries`` times."""
        url = self.base_url + self.prefix + path
        for attempt in range(self.max_retries + 1):
            delay = self._not_before - time.monotonic()
            if delay > 0:
                self._wait(delay)
                self._not_before = 0.0
            self.requests += 1
            data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
            hdrs = self._headers(headers)
            if data is not None:
                hdrs["Content-Type"] = "application/json"
            try:
                resp = send(self.session, method, url, params=params, data=data, headers=hdrs,
                            timeout=self.timeout, notify=self.notify)
            except _DROPPED:
                if method != "GET" or attempt == self.max_retries:
                    raise  # a write may have been applied: the caller decides (write tokens)
                self._wait(2.0 ** attempt)
                continue
            backoff = _seconds(resp.headers.get("Backoff"))
            if backoff:
                self._not_before = time.monotonic() + min(backoff, self.max_wait)
            if resp.status_code in (429, 503) and attempt < self.max_retries:
                retry = _seconds(resp.headers.get("Retry-After"))
                self._wait(retry if retry is not None else 2.0 ** attempt)
                continue
            if resp.status_code in (429, 503):
                raise ZoteroAPIError(f"Zotero API still answering {resp.status_code} after "
                                     f"{self.max_retries} retries; try again later")
            if resp.status_code == 403:
                raise ZoteroAPIError("Zotero API refused the key (403): check ZOTERO_API_KEY and its "
                                     f"write access to {self.prefix.strip('/')}")
            return resp
        raise AssertionError("unreachable")

    def error_text(self, resp: requests.Response) -> str:
        """The start of an error answer, with the key (should the server echo it) redacted."""
        return redact(" ".join(resp.text[:200].split()), [self._key] if self._key else [])

    def get_json(self, path: str, params: dict[str, Any] | None = None,
                 expected: type = list) -> tuple[Any, requests.Response]:
        resp = self.request("GET", path, params=params)
        if resp.status_code != 200:
            raise ZoteroAPIError(f"GET {path}: HTTP {resp.status_code}: {self.error_text(resp)}")
        return checked_json(resp, expected, f"GET {path}"), resp


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


# ------------------------------------------------------------------------------------ push

@dataclass
class PushReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # citation key -> reason
    requests: int = 0
    waited: float = 0.0
    library_version: int = 0


@dataclass
class _Op:
    citekey: str
    obj: ZoteroItem  # with key and version
    hash: str
    kind: str  # "create" | "update"


def plan_push(items: Iterable[Item], lib: LibraryState, prefix: str,
              collection_key: str | None = None) -> tuple[list[_Op], list[str]]:
    """Operations needed to bring Zotero up to ``items``, and the keys that are unchanged."""
    ops: list[_Op] = []
    unchanged: list[str] = []
    for item in items:
        z = csl_to_zotero(item)
        citekey = str(z.get("citationKey") or item.get("id"))
        if collection_key:
            z["collections"] = [collection_key]
        h = content_hash(z)
        st = lib.items.get(citekey)
        if st is None:
            obj = dict(z, key=item_key_for(citekey, prefix), version=0)
            ops.append(_Op(citekey, obj, h, "create"))
        elif st.hash == h:
            unchanged.append(citekey)
        else:
            ops.append(_Op(citekey, dict(z, key=st.key, version=st.version), h, "update"))
    return ops, unchanged


def ensure_collection(client: ZoteroClient, lib: LibraryState, name: str) -> str:
    """The key of the top-level collection ``name``, created if missing."""
    if name in lib.collections:
        return lib.collections[name]
    start = 0
    while True:
        data, resp = client.get_json("/collections", {"limit": 100, "start": start})
        for c in data:
            d = c.get("data") if isinstance(c, dict) else None
            if not isinstance(d, dict) or not isinstance(c.get("key"), str):
                raise ZoteroAPIError("GET /collections: a collection without data or key in the answer")
            if d.get("name") == name and not d.get("parentCollection"):
                lib.collections[name] = c["key"]
                return c["key"]
        start += 100
        if start >= as_int(resp.headers.get("Total-Results"), len(data)) or not data:
            break
    token = uuid.uuid4().hex
    for _attempt in range(client.max_retries + 1):
        try:
            resp = client.request("POST", "/collections", body=[{"name": name, "parentCollection": False}],
                                  headers={"Zotero-Write-Token": token})
        except _DROPPED:
            continue  # retried with the same token: never two collections
        if resp.status_code == 412:  # token already used: it was created, the answer was lost
            lib.collections.pop(name, None)
            data, _ = client.get_json("/collections", {"limit": 100})
            found = [c["key"] for c in data
                     if isinstance(c, dict) and isinstance(c.get("data"), dict) and c["data"].get("name") == name]
            if found:
                lib.collections[name] = found[0]
                return found[0]
        break
    else:
        raise ZoteroAPIError(f"could not create collection {name!r}: the connection kept failing")
    result = checked_json(resp, dict, "POST /collections") if resp.status_code == 200 else {}
    success = result.get("success")
    if not isinstance(success, dict) or not isinstance(success.get("0"), str):
        detail = json.dumps(result.get("failed", {}))[:200] if result else client.error_text(resp)
        raise ZoteroAPIError(f"could not create collection {name!r}: HTTP {resp.status_code} "
                             f"{redact(detail, [client._key] if client._key else [])}")
    lib.collections[name] = success["0"]
    lib.library_version = as_int(resp.headers.get("Last-Modified-Version"), lib.library_version)
    return lib.collections[name]


class Pusher:
    """Runs a push plan batch by batch, recording each result in the sync state as it lands."""

    def __init__(self, client: ZoteroClient, lib: LibraryState, save: Callable[[], None],
                 force: bool = False) -> None:
        self.client = client
        self.lib = lib
        self.save = save
        self.force = force
        self.report = PushReport()
        self.version: int | None = None  # library version to assert; None until the first answer
        self._saved_at = 0.0

    def _checkpoint(self, final: bool = False) -> None:
        # Saved at most once a second while running (and always at the end): a crash in between
        # costs nothing but requests, since re-creating a known key is refused and adopted.
        now = time.monotonic()
        if final or now - self._saved_at >= 1.0:
            self.save()
            self._saved_at = now

    def run(self, ops: list[_Op]) -> PushReport:
        try:
            for i in range(0, len(ops), BATCH):
                self._batch(ops[i:i + BATCH], retry_conflicts=True)
        finally:
            self._checkpoint(final=True)
        self.report.requests = self.client.requests
        self.report.waited = self.client.waited
        self.report.library_version = self.lib.library_version
        return self.report

    def _batch(self, ops: list[_Op], retry_conflicts: bool) -> None:
        if not ops:
            return
        token = uuid.uuid4().hex
        body = [op.obj for op in ops]
        maybe_applied = False
        for _attempt in range(self.client.max_retries + 1):
            headers = {"Zotero-Write-Token": token}
            if self.version is not None:
                headers["If-Unmodified-Since-Version"] = str(self.version)
            try:
                resp = self.client.request("POST", "/items", body=body, headers=headers)
            except _DROPPED:
                maybe_applied = True  # the server may have applied it: same token, so never twice
                continue
            if resp.status_code == 412 and maybe_applied:
                self._reconcile(ops, retry_conflicts)
                return
            if resp.status_code == 412:
                raise ConflictError(
                    f"Zotero library {self.client.prefix.strip('/')} was modified by someone else during "
                    f"the push ({self.client.error_text(resp)}); nothing of this batch was written — run the push "
                    "again (entries already pushed are recorded)")
            if resp.status_code == 428:
                raise ZoteroAPIError("Zotero API requires a version precondition (428): "
                                     f"{self.client.error_text(resp)}")
            if resp.status_code != 200:
                raise ZoteroAPIError(f"POST /items: HTTP {resp.status_code}: {self.client.error_text(resp)}")
            result = checked_json(resp, dict, "POST /items")
            self._record(ops, result, as_int(resp.headers.get("Last-Modified-Version")), retry_conflicts)
            return
        raise ZoteroAPIError("Zotero API connection kept failing; run the push again "
                             "(nothing is duplicated on a re-run)")

    def _record(self, ops: list[_Op], result: dict[str, Any], version: int, retry_conflicts: bool) -> None:
        if version:
            self.version = version
            self.lib.library_version = version
        conflicts: list[_Op] = []
        recreate: list[_Op] = []  # deleted in Zotero, pushed again with --force
        groups = {name: result.get(name) for name in ("successful", "success", "unchanged", "failed")}
        for name, group in groups.items():
            if group is not None and not isinstance(group, dict):
                raise ZoteroAPIError(f"POST /items: '{name}' in the answer is not a JSON object")
        successful, success, unchanged, failed = (g or {} for g in groups.values())
        for i, op in enumerate(ops):
            idx = str(i)
            if idx in successful:
                one = successful[idx]
                self._done(op, as_int(one.get("version") if isinstance(one, dict) else None, version))
            elif idx in success:
                self._done(op, version)
            elif idx in unchanged:
                self.lib.items[op.citekey] = ItemState(op.obj["key"], int(op.obj["version"]), op.hash)
                self.report.unchanged.append(op.citekey)
            else:
                fail = failed.get(idx)
                if not isinstance(fail, dict):
                    fail = {"code": 0, "message": "no result for this item"}
                code = as_int(fail.get("code"))
                if code == 412 and retry_conflicts and (op.kind == "create" or self.force):
                    conflicts.append(op)  # exists already (lost state) or edited in Zotero with --force
                elif code == 404 and retry_conflicts and self.force:
                    recreate.append(_Op(op.citekey, dict(op.obj, version=0), op.hash, "create"))
                else:
                    message = redact(str(fail.get("message", ""))[:300], [self.client._key] if self.client._key else [])
                    self.report.failed[op.citekey] = _failure_message(op, code, message)
        self._checkpoint()
        if conflicts:
            self._adopt(conflicts)
        if recreate:
            self._batch(recreate, retry_conflicts=False)

    def _done(self, op: _Op, version: int) -> None:
        self.lib.items[op.citekey] = ItemState(op.obj["key"], version, op.hash)
        (self.report.created if op.kind == "create" else self.report.updated).append(op.citekey)

    def _current(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        data, resp = self.client.get_json("/items", {"itemKey": ",".join(keys), "format": "json",
                                                      "limit": len(keys), "includeTrashed": 1})
        version = as_int(resp.headers.get("Last-Modified-Version"))
        if version:
            self.version = version
            self.lib.library_version = version
        return {d["key"]: d for d in data
                if isinstance(d, dict) and isinstance(d.get("key"), str) and as_int(d.get("version"), -1) >= 0}

    def _reconcile(self, ops: list[_Op], retry_conflicts: bool) -> None:
        """A batch whose response was lost: find out what the server applied, resend the rest."""
        current = self._current([op.obj["key"] for op in ops])
        resend: list[_Op] = []
        for op in ops:
            remote = current.get(op.obj["key"])
            applied = remote is not None and (op.kind == "create" or int(remote["version"]) > int(op.obj["version"]))
            if applied:
                self._done(op, int(remote["version"]))
            else:
                resend.append(op)
        self._checkpoint()
        self._batch(resend, retry_conflicts)

    def _adopt(self, ops: list[_Op]) -> None:
        """Items whose key already exists (state lost) or changed remotely (--force): update in place."""
        current = self._current([op.obj["key"] for op in ops])
        again = []
        for op in ops:
            remote = current.get(op.obj["key"])
            if remote is None:
                self.report.failed[op.citekey] = "exists in Zotero but could not be read back"
                continue
            again.append(_Op(op.citekey, dict(op.obj, version=int(remote["version"])), op.hash, "update"))
        self._batch(again, retry_conflicts=False)


def _failure_message(op: _Op, code: int, message: str) -> str:
    if code == 412:
        return (f"changed in Zotero since the last push ({message}); pull it first, "
                "or push with --force to overwrite")
    if code == 428:
        return f"precondition required (428): {message}"
    if code == 404:
        return f"deleted in Zotero ({message}); push with --force to create it again"
    return f"{code}: {message}" if code else message


def push(client: ZoteroClient, items: Iterable[Item], lib: LibraryState, save: Callable[[], None], *,
         collection: str | None = None, force: bool = False) -> PushReport:
    """Create or update ``items`` in the library; the state is saved after every batch."""
    collection_key = ensure_collection(client, lib, collection) if collection else None
    ops, unchanged = plan_push(items, lib, client.prefix, collection_key)
    pusher = Pusher(client, lib, save, force=force)
    pusher.report.unchanged.extend(unchanged)
    return pusher.run(ops)


# ------------------------------------------------------------------------------------ pull

@dataclass
class PullResult:
    items: list[Item]
    library_version: int
    deleted: list[str]
    requests: int


def pull(client: ZoteroClient, lib: LibraryState, since: int | None = None, page_size: int = 100) -> PullResult:
    """Items changed since ``since`` (default: the last pull), as CSL items with citation keys."""
    since = lib.pulled_version if since is None else since
    out: list[Item] = []
    start = 0
    version = since
    while True:
        data, resp = client.get_json("/items", {"since": since, "format": "json", "limit": page_size,
                                                 "start": start})
        version = as_int(resp.headers.get("Last-Modified-Version"), version)
        for obj in data:
            d = obj.get("data", obj) if isinstance(obj, dict) else None
            if not isinstance(d, dict) or not isinstance(d.get("key"), str):
                raise ZoteroAPIError("GET /items: an item without data or key in the answer")
            if d.get("itemType") in ("note", "attachment", "annotation") or d.get("deleted"):
                continue
            item = zotero_to_csl(d)
            citekey = str(item.get("citation-key") or f"zotero-{d['key'].lower()}")
            item["citation-key"] = item["id"] = citekey
            out.append(item)
            remote_version = as_int(obj.get("version", d.get("version")))
            prev = lib.items.get(citekey)
            if prev is None or (prev.key == d["key"] and prev.version != remote_version):
                # changed in Zotero: the next push sends it once more with the new version
                # (the server answers "unchanged" when it is identical)
                lib.items[citekey] = ItemState(d["key"], remote_version, "")
        start += len(data)
        total = as_int(resp.headers.get("Total-Results"), start)
        if not data or start >= total:
            break
    deleted_data, _ = client.get_json("/deleted", {"since": since}, expected=dict)
    deleted = json_shape(deleted_data.get("items", []), list, "GET /deleted: items")
    lib.pulled_version = max(lib.pulled_version, version)
    lib.library_version = max(lib.library_version, version)
    return PullResult(out, version, [str(k) for k in deleted], client.requests)
