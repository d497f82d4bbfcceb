"""A Zotero Web API v3 emulation on loopback, for citekit's push/pull tests and benchmark.

It follows the documented write semantics (shared/notes/zotero.md §3): a version per library
bumped once per successful write request, ``Zotero-Write-Token`` (412 on reuse), request-level
``If-Unmodified-Since-Version`` (412), per-object ``version`` checks (428 without any
precondition, 412 on a stale or ``0`` version for an existing key, 404 for a missing key), 413
over 50 objects, per-object 400 for invalid fields or creator types (validated against Zotero's
``schema.json`` when given, else citekit's own table), and the ``successful``/``success``/
``unchanged``/``failed`` result object keyed by request index. Faults can be queued: a 429 with
``Retry-After``, a ``Backoff`` header, a response dropped after the batch was applied, a
concurrent edit of the library or of one item.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

KEY_CHARS = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"
Schema = dict[str, tuple[set[str], set[str]]]  # itemType -> (fields, creator types)


def load_schema(path: str | Path | None = None) -> Schema:
    """Field and creator-type sets per item type: Zotero's schema.json if given, else citekit's."""
    if path and Path(path).exists():
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return {
            t["itemType"]: ({f["field"] for f in t["fields"]}, {c["creatorType"] for c in t["creatorTypes"]})
            for t in data["itemTypes"]
        }
    from citekit.zotero.schema import item_type, item_types

    return {n: (set(item_type(n).fields), set(item_type(n).creator_types)) for n in item_types()}


@dataclass
class Library:
    version: int = 0
    items: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> {"version", "data"}
    collections: dict[str, dict[str, Any]] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)  # key -> version when deleted


@dataclass
class Fault:
    kind: str  # "429", "503", "drop" (apply, then no response), "backoff", "bump" (someone else writes first)
    method: str = "POST"
    path_part: str = "/items"
    seconds: int = 1
    skip: int = 0  # let this many matching requests through first


class ZoteroAPIEmulator:
    def __init__(self, api_key: str = "test-api-key", host: str = "127.0.0.1",
                 schema_path: str | Path | None = None, user_id: int = 1234) -> None:
        self.api_key = api_key
        self.user_id = user_id
        self.schema = load_schema(schema_path)
        self.libraries: dict[str, Library] = {}
        self.tokens: set[tuple[str, str]] = set()
        self.faults: list[Fault] = []
        self.log: list[tuple[str, str, int]] = []  # (method, path, status); status 0 = dropped
        self.batch_sizes: list[int] = []  # objects per write request received
        self.lock = threading.RLock()
        self.on_write: Callable[[ZoteroAPIEmulator], None] | None = None
        handler = type("Handler", (_Handler,), {"emu": self})
        self.server = ThreadingHTTPServer((host, 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # -- lifecycle
    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> ZoteroAPIEmulator:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> ZoteroAPIEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- helpers for tests
    def library(self, prefix: str) -> Library:
        return self.libraries.setdefault(prefix, Library())

    def add_fault(self, kind: str, **kw: Any) -> None:
        self.faults.append(Fault(kind, **kw))

    def items_by_citation_key(self, prefix: str) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for obj in self.library(prefix).items.values():
            out.setdefault(obj["data"].get("citationKey", ""), []).append(obj)
        return out

    def edit_item(self, prefix: str, key: str, **fields: Any) -> None:
        """An edit made in Zotero by someone else: bumps the library and the item version."""
        with self.lock:
            lib = self.library(prefix)
            lib.version += 1
            obj = lib.items[key]
            obj["data"].update(fields)
            obj["version"] = obj["data"]["version"] = lib.version

    def delete_item(self, prefix: str, key: str) -> None:
        """An item deleted (and emptied from the trash) in Zotero."""
        with self.lock:
            lib = self.library(prefix)
            lib.version += 1
            del lib.items[key]
            lib.deleted[key] = lib.version

    def take_fault(self, method: str, path: str) -> Fault | None:
        """The fault for this request, if one is due; every queued fault counts matching requests."""
        fired = None
        with self.lock:
            for f in list(self.faults):
                if f.method != method or f.path_part not in path:
                    continue
                if f.skip:
                    f.skip -= 1
                elif fired is None:
                    fired = f
                    self.faults.remove(f)
        return fired

    # -- validation
    def validate(self, data: dict[str, Any]) -> str | None:
        itype = data.get("itemType")
        if itype not in self.schema:
            return f"'{itype}' is not a valid itemType"
        fields, creators = self.schema[itype]
        meta = {"key", "version", "itemType", "creators", "tags", "collections", "relations", "deleted",
                "dateAdded", "dateModified"}
        for k in data:
            if k not in meta and k not in fields:
                return f"'{k}' is not a valid field for type '{itype}'"
        for c in data.get("creators", []):
            if c.get("creatorType") not in creators:
                return f"'{c.get('creatorType')}' is not a valid creator type for item type '{itype}'"
            if "name" in c and ("firstName" in c or "lastName" in c):
                return "Creator must have either 'name' or 'firstName'/'lastName', not both"
        for t in data.get("tags", []):
            if not isinstance(t, dict) or not t.get("tag"):
                return "Tag must be an object with a non-empty 'tag'"
        access = data.get("accessDate")
        if access and not _iso_like(str(access)):
            return f"'{access}' is not a valid accessDate"
        return None


def _iso_like(text: str) -> bool:
    import re

    return text == "CURRENT_TIMESTAMP" or bool(
        re.match(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}:\d{2}Z?)?$", text))


def _new_key() -> str:
    return "".join(random.choice(KEY_CHARS) for _ in range(8))


class _Handler(BaseHTTPRequestHandler):
    emu: ZoteroAPIEmulator
    protocol_version = "HTTP/1.1"
    # headers and body in one segment, sent at once: otherwise Nagle + delayed ACK add ~40 ms a request
    disable_nagle_algorithm = True
    wbufsize = 1 << 16

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    # -- plumbing
    def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        raw = b"" if body is None else (body if isinstance(body, bytes) else
                                        json.dumps(body).encode() if not isinstance(body, str) else body.encode())
        self.send_response(status)
        self.send_header("Zotero-API-Version", "3")
        ctype = "application/json" if body is not None and not isinstance(body, str) else "text/plain"
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(raw)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(raw)
        self.emu.log.append((self.command, self.path, status))

    def _auth_ok(self) -> bool:
        key = self.headers.get("Zotero-API-Key")
        auth = self.headers.get("Authorization", "")
        if not key and auth.startswith("Bearer "):
            key = auth[7:]
        return key == self.emu.api_key

    def _route(self) -> tuple[str, str, dict[str, list[str]]] | None:
        parts = urlsplit(self.path)
        segs = parts.path.strip("/").split("/")
        if len(segs) < 3 or segs[0] not in ("users", "groups"):
            return None
        return f"/{segs[0]}/{segs[1]}", "/".join(segs[2:]), parse_qs(parts.query)

    def _body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _pre(self) -> tuple[str, str, dict[str, list[str]], Fault | None] | None:
        route = self._route()
        if route is None:
            self._send(404, "Not found")
            return None
        if not self._auth_ok():
            self._send(403, "Invalid key")
            return None
        fault = self.emu.take_fault(self.command, self.path)
        if fault and fault.kind in ("429", "503"):
            self._body()
            self._send(int(fault.kind), "Rate limit exceeded" if fault.kind == "429" else "Service unavailable",
                       {"Retry-After": str(fault.seconds)})
            return None
        return (*route, fault)

    # -- GET
    def do_GET(self) -> None:  # noqa: N802
        pre = self._pre()
        if pre is None:
            return
        prefix, rest, q, fault = pre
        emu = self.emu
        if fault and fault.kind == "drop":
            self.close_connection = True
            emu.log.append((self.command, self.path, 0))
            return
        with emu.lock:
            lib = emu.library(prefix)
            headers = {"Last-Modified-Version": str(lib.version)}
            if fault and fault.kind == "backoff":
                headers["Backoff"] = str(fault.seconds)
            since = int(q.get("since", ["0"])[0])
            if rest in ("items", "items/top"):
                objs = [o for k, o in sorted(lib.items.items()) if o["version"] > since]
                if "itemKey" in q:
                    wanted = set(q["itemKey"][0].split(","))
                    objs = [o for o in objs if o["data"]["key"] in wanted]
                fmt = q.get("format", ["json"])[0]
                if fmt == "versions":
                    self._send(200, {o["data"]["key"]: o["version"] for o in objs}, headers)
                    return
                start = int(q.get("start", ["0"])[0])
                limit = min(int(q.get("limit", ["25"])[0]), 100)
                page = objs[start:start + limit]
                headers["Total-Results"] = str(len(objs))
                if start + limit < len(objs):
                    nxt = f"{emu.url}{prefix}/{rest}?since={since}&format=json&limit={limit}&start={start + limit}"
                    headers["Link"] = f'<{nxt}>; rel="next"'
                body = [{"key": o["data"]["key"], "version": o["version"], "library": {"type": "user"},
                         "data": o["data"]} for o in page]
                self._send(200, body, headers)
            elif rest == "collections":
                body = [{"key": k, "version": c["version"], "data": c["data"]} for k, c in lib.collections.items()]
                headers["Total-Results"] = str(len(body))
                self._send(200, body, headers)
            elif rest == "deleted":
                self._send(200, {"items": [k for k, v in lib.deleted.items() if v > since], "collections": []},
                           headers)
            else:
                self._send(404, "Not found")

    # -- POST
    def do_POST(self) -> None:  # noqa: N802
        pre = self._pre()
        if pre is None:
            return
        prefix, rest, q, fault = pre
        raw = self._body()
        emu = self.emu
        try:
            objs = json.loads(raw or b"null")
        except ValueError:
            self._send(400, "Invalid JSON")
            return
        if not isinstance(objs, list):
            self._send(400, "Uploaded data must be a JSON array")
            return
        emu.batch_sizes.append(len(objs))
        if len(objs) > 50:
            self._send(413, f"Cannot add more than 50 {rest} at a time")
            return
        token = self.headers.get("Zotero-Write-Token")
        if token is not None and not (5 <= len(token) <= 32):
            self._send(400, "Invalid Zotero-Write-Token")
            return
        with emu.lock:
            lib = emu.library(prefix)
            if fault and fault.kind == "bump":
                lib.version += 1  # a concurrent writer got in first
            if token and (emu.api_key, token) in emu.tokens:
                self._send(412, "Write token already used")
                return
            iusv = self.headers.get("If-Unmodified-Since-Version")
            if iusv is not None and lib.version > int(iusv):
                self._send(412, f"Library has been modified since specified version "
                                f"(expected {iusv}, found {lib.version})")
                return
            if rest == "collections":
                result = self._write_collections(lib, objs)
            elif rest == "items":
                result = self._write_items(lib, objs, iusv is not None)
            else:
                self._send(404, "Not found")
                return
            if token:
                emu.tokens.add((emu.api_key, token))
            headers = {"Last-Modified-Version": str(lib.version)}
            if fault and fault.kind == "backoff":
                headers["Backoff"] = str(fault.seconds)
        if fault and fault.kind == "drop":
            # the batch was applied, but the client never hears about it
            self.close_connection = True
            self.emu.log.append((self.command, self.path, 0))
            return
        self._send(200, result, headers)

    def _write_collections(self, lib: Library, objs: list[Any]) -> dict[str, Any]:
        res: dict[str, Any] = {"successful": {}, "success": {}, "unchanged": {}, "failed": {}}
        new_version = lib.version + 1
        for i, obj in enumerate(objs):
            name = obj.get("name") if isinstance(obj, dict) else None
            if not name:
                res["failed"][str(i)] = {"code": 400, "message": "Collection name cannot be empty"}
                continue
            key = obj.get("key") or _new_key()
            data = {"key": key, "version": new_version, "name": name,
                    "parentCollection": obj.get("parentCollection") or False, "relations": {}}
            lib.collections[key] = {"version": new_version, "data": data}
            res["successful"][str(i)] = {"key": key, "version": new_version, "data": data}
            res["success"][str(i)] = key
        if res["success"]:
            lib.version = new_version
        return res

    def _write_items(self, lib: Library, objs: list[Any], has_iusv: bool) -> dict[str, Any]:
        res: dict[str, Any] = {"successful": {}, "success": {}, "unchanged": {}, "failed": {}}
        new_version = lib.version + 1
        changed = False
        for i, obj in enumerate(objs):
            idx = str(i)
            if not isinstance(obj, dict):
                res["failed"][idx] = {"code": 400, "message": "Invalid item object"}
                continue
            key = obj.get("key")
            version = obj.get("version")
            existing = lib.items.get(key) if key else None

            def fail(code: int, message: str, key: str | None = key, idx: str = idx) -> None:
                res["failed"][idx] = {"key": key, "code": code, "message": message}

            if key and version is None and not has_iusv:
                fail(428, "Either If-Unmodified-Since-Version or 'version' property must be provided "
                          "for 'key'-based writes")
                continue
            if existing is not None and version is not None and version != existing["version"]:
                fail(412, f"Item has been modified since specified version "
                          f"(expected {version}, found {existing['version']})")
                continue
            if existing is None and key and version:
                fail(404, f"Item {key} doesn't exist")
                continue
            data = dict(existing["data"]) if existing else {}
            data.update({k: v for k, v in obj.items() if k not in ("key", "version")})
            for k in [k for k, v in data.items() if v == "" and k not in ("key", "version")]:
                del data[k]
            data.setdefault("creators", [])
            data.setdefault("tags", [])
            data.setdefault("collections", [])
            data.setdefault("relations", {})
            problem = self.emu.validate({k: v for k, v in data.items() if k not in ("key", "version")})
            if problem:
                fail(400, problem)
                continue
            for ckey in data["collections"]:
                if ckey not in lib.collections:
                    fail(409, f"Collection {ckey} not found")
                    break
            else:
                if existing is not None and _same(existing["data"], data):
                    res["unchanged"][idx] = key
                    continue
                key = key or _new_key()
                data["key"] = key
                data["version"] = new_version
                lib.items[key] = {"version": new_version, "data": data}
                lib.deleted.pop(key, None)
                changed = True
                res["successful"][idx] = {"key": key, "version": new_version, "data": data}
                res["success"][idx] = key
        if changed:
            lib.version = new_version
        return res


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    strip = ("key", "version")
    return {k: v for k, v in a.items() if k not in strip} == {k: v for k, v in b.items() if k not in strip}
