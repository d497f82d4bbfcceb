"""Record archived copies in the .bib files: ``archiveurl``, ``archivedate``, ``urlstatus``.

Field choice (biblatex and BibTeX ignore unknown fields; IABot/Wikipedia CS1 use the same trio):
``url`` is never changed; ``archiveurl = {https://web.archive.org/web/<ts>/<url>}``,
``archivedate = {YYYY-MM-DD}`` (the capture's date) and ``urlstatus = {live|dead}`` (the CS1
vocabulary; ``citekit format --prefer-archive`` prints the archived URL when it is ``dead``).
Writes go through :func:`citekit.bibtex.writer.update_entries`: locked, atomic (temp file +
rename), and only the changed entries' bytes change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from citekit.errors import CitekitError
from citekit.links.records import LinkRecord
from citekit.links.results import LinkResult

Changes = dict[str, dict[str, dict[str, str]]]  # path -> key -> field -> value


def _date(ts: str | None) -> str:
    return f"{ts[:4]}-{ts[4:6]}-{ts[6:8]}" if ts and len(ts) >= 8 else ""


def plan_changes(records: Iterable[LinkRecord], results: Iterable[LinkResult], overwrite: bool = False) -> Changes:
    """Field edits per file and entry for the ``url`` results that found something to record."""
    out: Changes = {}
    for rec, res in zip(records, results, strict=True):
        if rec.field != "url" or not rec.path:
            continue
        fields: dict[str, str] = {}
        if res.archive_url and (rec.archive_url is None or (overwrite and rec.archive_url != res.archive_url)):
            fields["archiveurl"] = res.archive_url
            if _date(res.archive_timestamp):
                fields["archivedate"] = _date(res.archive_timestamp)
        status = {"dead": "dead", "ok": "live", "redirected": "live"}.get(res.state)
        current = str(rec.extra.get("urlstatus") or "")
        has_archive = bool(fields.get("archiveurl") or rec.archive_url)
        if status and has_archive and status != current:
            fields["urlstatus"] = status
        if fields:
            out.setdefault(rec.path, {})[rec.key] = fields
    return out


def write_changes(changes: Mapping[str, Mapping[str, Mapping[str, str]]]) -> dict[str, list[str]]:
    """Apply ``changes``; returns the keys whose text changed, per file."""
    try:
        from citekit.bibtex.writer import update_entries
    except ImportError as exc:  # pragma: no cover - the writer is part of the core
        raise CitekitError(f"archive --write is not available: {exc}") from None
    written: dict[str, list[str]] = {}
    for path, entries in changes.items():
        written[path] = update_entries(path, {k: dict(v) for k, v in entries.items()})
    return written
