"""Finding the same work entered twice: same DOI, same normalised URL, or near-identical title + year.

Shared by ``lint`` (which reports each duplicate once) and ``dedupe`` (which merges them).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from urllib.parse import parse_qsl, urlencode, urlsplit

from citekit.bibtex.mapping import resolve_macros
from citekit.model import Entry

_DOI_PREFIX = re.compile(r"^\s*(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)
_TRACKING = re.compile(r"^(?:utm_\w+|fbclid|gclid|mc_cid|mc_eid)$", re.I)
_TEX_COMMAND = re.compile(r"\\[a-zA-Z]+\s*|\\.")
_NON_WORD = re.compile(r"[\W_]+")
_DIGITS = re.compile(r"\d+")
TITLE_SIMILARITY = 0.92


def normalise_doi(value: str) -> str:
    return _DOI_PREFIX.sub("", value).strip().lower()


def normalise_url(value: str) -> str:
    """A URL reduced to what identifies the page: scheme, ``www.``, default port, trailing slash,
    fragment and tracking parameters do not count."""
    value = value.strip()
    try:
        parts = urlsplit(value)
        port = parts.port if parts.port not in (None, 80, 443) else None
    except ValueError:  # a bracketed host left open, a port out of range: compare as written
        return value
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    netloc = f"{host}:{port}" if port else host
    path = parts.path.rstrip("/") or ""
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                             if not _TRACKING.match(k)))
    return f"{netloc}{path}" + (f"?{query}" if query else "")


def normalise_title(value: str) -> str:
    text = _TEX_COMMAND.sub("", value).replace("{", "").replace("}", "")
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NON_WORD.sub(" ", text).split())


def entry_year(entry: Entry, strings: dict[str, str] | None = None) -> str:
    for name in ("date", "year"):
        f = entry.fields.get(name)
        if f is not None:
            value = f.value if f.enclosing else resolve_macros(f.value, strings or {})
            m = re.search(r"\d{4}", value)
            if m:
                return m.group()
    return ""


def first_family(value: str) -> str:
    """The first creator's family name, normalised (``Rose, Scott and …`` → ``rose``)."""
    first = re.split(r"\s+and\s+", value.strip(), maxsplit=1)[0]
    family = first.split(",", 1)[0] if "," in first else (first.split() or [""])[-1]
    return normalise_title(family)


def _distinct(a: Entry, b: Entry, name: str) -> bool:
    """Both entries have ``name`` and the values differ: two parts of a series, two bills…"""
    fa, fb = a.fields.get(name), b.fields.get(name)
    if fa is None or fb is None:
        return False
    if name in ("author", "editor"):
        return first_family(fa.value) != first_family(fb.value)
    return _NON_WORD.sub("", fa.value).lower() != _NON_WORD.sub("", fb.value).lower()


@dataclass
class DuplicateGroup:
    """Entries describing one work, in library order; ``reasons`` explains every entry but the first."""

    entries: list[Entry]
    reasons: list[str] = field(default_factory=list)  # aligned with entries; "" for the first


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> bool:
        ri, rj = self.find(i), self.find(j)
        if ri == rj:
            return False
        self.parent[max(ri, rj)] = min(ri, rj)
        return True


def find_duplicates(
    entries: Sequence[Entry], strings: dict[str, dict[str, str]] | None = None
) -> list[DuplicateGroup]:
    """Groups of two or more entries that describe the same work.

    ``strings`` maps a file path to its ``@string`` macros (for years written as macros).
    Each later entry of a group gets one reason, naming the first match found for it.
    """
    strings = strings or {}
    uf = _UnionFind(len(entries))
    edges: dict[int, list[tuple[int, str]]] = defaultdict(list)

    def link(i: int, j: int, why: str) -> None:
        # only edges that join two groups are kept: they form a tree over each group
        if uf.union(i, j):
            edges[i].append((j, why))
            edges[j].append((i, why))

    by_doi: dict[str, int] = {}
    by_url: dict[str, int] = {}
    for j, e in enumerate(entries):
        doi = e.fields.get("doi")
        if doi is not None and doi.value.strip():
            d = normalise_doi(doi.value)
            if d in by_doi:
                link(by_doi[d], j, "same DOI")
            else:
                by_doi[d] = j
        url = e.fields.get("url")
        if url is not None and url.value.strip():
            u = normalise_url(url.value)
            i = by_url.get(u)
            if i is not None and not (_distinct(entries[i], e, "number") or _distinct(entries[i], e, "doi")):
                link(i, j, "same URL")
            elif i is None:
                by_url[u] = j

    # near-identical titles: compare only entries of the same year that share the first or the
    # last two title words, so the work stays linear in practice
    buckets: dict[tuple[str, str], list[int]] = defaultdict(list)
    titles: dict[int, str] = {}
    for j, e in enumerate(entries):
        t = e.fields.get("title")
        if t is None:
            continue
        norm = normalise_title(t.value)
        if len(norm) < 8:
            continue
        titles[j] = norm
        year = entry_year(e, strings.get(e.path))
        if not year:  # without a year, a shared title ("Epistulae") says too little
            continue
        words = norm.split()
        for block in {" ".join(words[:2]), " ".join(words[-2:])}:
            buckets[(year, block)].append(j)
    seen_pairs: set[tuple[int, int]] = set()
    for members in buckets.values():
        if len(members) < 2 or len(members) > 200:
            continue
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                i, j = members[x], members[y]
                if (i, j) in seen_pairs or uf.find(i) == uf.find(j):
                    continue
                seen_pairs.add((i, j))
                a, b = entries[i], entries[j]
                if any(_distinct(a, b, n) for n in ("number", "doi", "volume", "edition", "version", "author",
                                                    "editor")):
                    continue
                # "Annual Report FY 2018" and "… FY 2019", "Part 1" and "Part 2" are different works
                if _DIGITS.findall(titles[i]) != _DIGITS.findall(titles[j]):
                    continue
                if titles[i] == titles[j] or _similar(titles[i], titles[j]):
                    link(i, j, "same title and year")

    groups: dict[int, list[int]] = defaultdict(list)
    for j in range(len(entries)):
        groups[uf.find(j)].append(j)
    out = []
    for members in groups.values():
        if len(members) > 1:
            why_of: dict[int, str] = {}
            # walk the tree from the first entry: each later one is explained by its parent
            todo, seen = [members[0]], {members[0]}
            while todo:
                here = todo.pop()
                for there, why in edges[here]:
                    if there not in seen:
                        seen.add(there)
                        todo.append(there)
                        why_of[there] = f"{why} as {entries[here].key!r}"
            out.append(DuplicateGroup([entries[m] for m in members], [why_of.get(m, "") for m in members]))
    out.sort(key=lambda g: (g.entries[0].path, g.entries[0].start))
    return out


def _similar(a: str, b: str) -> bool:
    m = SequenceMatcher(None, a, b, autojunk=False)
    return m.real_quick_ratio() >= TITLE_SIMILARITY and m.quick_ratio() >= TITLE_SIMILARITY and (
        m.ratio() >= TITLE_SIMILARITY
    )
