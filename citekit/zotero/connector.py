"""Push into a running Zotero desktop through its connector server (127.0.0.1:23119, notes §4.1).

``/connector/ping`` says whether Zotero is running; ``/connector/import`` runs Zotero's own import
translators on the body (citekit sends Zotero RDF, the format that keeps every field) into the
collection selected in the Zotero window. No API key is involved. The connector cannot update
items it did not just create, so re-running imports again: use the Web API for syncing.
"""

from __future__ import annotations

import uuid
from typing import Any

import requests

from citekit.errors import CitekitError

CONNECTOR_URL = "http://127.0.0.1:23119"


class ZoteroNotRunning(CitekitError):
    pass


def ping(session: requests.Session, base_url: str = CONNECTOR_URL, timeout: float = 3.0) -> bool:
    """True when a Zotero desktop answers on the connector port."""
    try:
        resp = session.get(f"{base_url}/connector/ping", timeout=timeout)
    except (requests.ConnectionError, requests.Timeout):
        return False
    return resp.status_code == 200


def import_text(session: requests.Session, text: str, *, base_url: str = CONNECTOR_URL,
                content_type: str = "application/rdf+xml", timeout: float = 120.0) -> list[dict[str, Any]]:
    """Import ``text`` (Zotero RDF, CSL-JSON, RIS or BibTeX) into the running Zotero desktop.

    Returns the items Zotero reports as imported. Raises :class:`ZoteroNotRunning` with a clear
    message when nothing answers on the connector port.
    """
    if not ping(session, base_url):
        raise ZoteroNotRunning(
            f"Zotero is not running (nothing answers on {base_url}/connector/ping): start Zotero desktop, "
            "or push through the Web API with --zotero-library user:ID and ZOTERO_API_KEY")
    session_id = uuid.uuid4().hex
    try:
        resp = session.post(f"{base_url}/connector/import", params={"session": session_id},
                            data=text.encode("utf-8"), timeout=timeout,
                            headers={"Content-Type": content_type, "User-Agent": "citekit",
                                     "X-Zotero-Connector-API-Version": "3"})
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise ZoteroNotRunning(f"Zotero stopped answering during the import ({type(exc).__name__})") from None
    if resp.status_code == 400:
        raise CitekitError("Zotero found no import translator for the data (HTTP 400)")
    if resp.status_code not in (200, 201):
        raise CitekitError(f"Zotero connector import failed: HTTP {resp.status_code} {resp.text[:200]}")
    try:
        data = resp.json()
    except ValueError:
        return []
    return data if isinstance(data, list) else []
