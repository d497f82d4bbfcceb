"""What a link check produces: one :class:`LinkResult` per record, and the :class:`Report` around them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from citekit.links.archive import ArchiveStatus


@dataclass
class LinkResult:
    key: str
    field: str
    url: str
    state: str
    http_status: int | None
    final_url: str
    reason: str
    archive_url: str | None
    archive_timestamp: str | None
    suggestion: str | None
    checked_at: str
    file: str = ""
    line: int = 0
    accessed: str | None = None
    hops: list[dict[str, Any]] = field(default_factory=list)
    cached: bool = False
    suggestion_reason: str | None = None
    archive_source: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class InputProblem:
    """A file (or a block of one) that could not be read: a finding of its own in every report."""

    file: str
    line: int
    message: str


@dataclass
class Report:
    results: list[LinkResult]
    started_at: str
    finished_at: str
    duration: float
    unique_targets: int
    requests_made: int = 0
    archive: ArchiveStatus = field(default_factory=ArchiveStatus)
    problems: list[InputProblem] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        counts = {s: 0 for s in ("ok", "redirected", "dead", "blocked", "error", "excluded")}
        for r in self.results:
            counts[r.state] = counts.get(r.state, 0) + 1
        return {"total": len(self.results), "unique": self.unique_targets, **counts,
                "archived": sum(1 for r in self.results if r.archive_url),
                "input_errors": len(self.problems),
                "link_requests": self.requests_made,
                "archive_status": self.archive.state, "archive": self.archive.counts(),
                "duration_s": round(self.duration, 3)}
