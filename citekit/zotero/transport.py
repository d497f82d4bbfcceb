"""HTTP for the Zotero Web API: redirects that keep the key at home, and checked JSON shapes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from citekit.errors import CitekitError


class ZoteroAPIError(CitekitError):
    """A request-level failure of the Web API, with a message fit for the user."""


MAX_REDIRECTS = 5
_SECRET_HEADERS = ("zotero-api-key", "authorization")


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:  # a port out of range: an origin of its own, never the API's
        port = -1
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def json_shape(data: Any, expected: type, what: str) -> Any:
    if not isinstance(data, expected):
        found = type(data).__name__ if data is not None else "null"
        raise ZoteroAPIError(f"{what}: the Zotero API answered a JSON {found} where a "
                             f"{'list' if expected is list else 'object'} was expected")
    return data


def checked_json(resp: requests.Response, expected: type, what: str) -> Any:
    try:
        data = resp.json()
    except ValueError:
        raise ZoteroAPIError(f"{what}: the Zotero API answered something that is not JSON "
                             f"(HTTP {resp.status_code})") from None
    return json_shape(data, expected, what)


def as_int(value: Any, default: int = 0) -> int:
    """A version number or count from a header or a field; ``default`` when it is not one."""
    try:
        return int(str(value).strip()) if value is not None and len(str(value)) < 20 else default
    except ValueError:
        return default


def send(session: requests.Session, method: str, url: str, *, params: dict[str, Any] | None,
         data: bytes | None, headers: dict[str, str], timeout: float,
         notify: Callable[[str], None]) -> requests.Response:
    """One request, following redirects itself so that the key never reaches another host.

    requests drops ``Authorization`` on a cross-host redirect but not ``Zotero-API-Key``; here
    both are dropped, and ``notify`` is told before the other host is contacted.
    """
    home = _origin(url)
    for _hop in range(MAX_REDIRECTS + 1):
        resp = session.request(method, url, params=params, data=data, headers=headers,
                               timeout=timeout, allow_redirects=False)
        location = resp.headers.get("Location")
        if resp.status_code not in (301, 302, 303, 307, 308) or not location:
            return resp
        url, params = urljoin(resp.url or url, location), None
        if _origin(url) != home and any(h.lower() in _SECRET_HEADERS for h in headers):
            headers = {k: v for k, v in headers.items() if k.lower() not in _SECRET_HEADERS}
            notify(f"the Zotero API redirected to another host ({_origin(url)[1] or url}); "
                   "following without the API key")
        if resp.status_code == 303 or (resp.status_code in (301, 302) and method == "POST"):
            method, data = "GET", None
    raise ZoteroAPIError(f"the Zotero API redirected more than {MAX_REDIRECTS} times")
