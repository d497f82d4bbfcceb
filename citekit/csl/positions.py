"""Cite positions (CSL 1.0.2 "Position"): first, subsequent, ibid, ibid-with-locator, near-note."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from citekit.csl.processor import Cite
    from citekit.csl.style import Style


def assign_positions(cites: list[Cite], style: Style) -> None:
    """Set each cite's position, near-note flag and first-reference note number, in document order."""
    section = style.citation
    distance = int(section.el.get("near-note-distance", "5")) if section is not None else 5
    first_note: dict[str, int] = {}
    last_note: dict[str, int] = {}
    # Citations in the running text (note number 0) and in footnotes are two sequences for ibid:
    # an in-text cite after a footnote still follows the previous in-text cite (citeproc-js).
    previous: dict[bool, Cite] = {}
    cluster_sizes: dict[tuple[str, int], int] = {}
    for cite in cites:
        for key in {("cluster", cite.cluster), _unit(cite)}:
            cluster_sizes[key] = cluster_sizes.get(key, 0) + 1
    for cite in cites:
        info = cite.info
        item_id = cite.item["id"]
        note = info.note_number or 0
        if cite.ref.position is not None:
            info.position = cite.ref.position
        elif item_id not in first_note:
            info.position = "first"
        elif (before := previous.get(note == 0)) is not None and before.item["id"] == item_id and _adjacent(
                before, cite, cluster_sizes):
            info.position = _ibid(before, cite)
        else:
            info.position = "subsequent"
        if item_id in first_note:
            info.first_reference_note_number = first_note[item_id]
            info.near_note = note - last_note[item_id] <= distance
        else:
            first_note[item_id] = note
        last_note[item_id] = note
        previous[note == 0] = cite


def _unit(cite: Cite) -> tuple[str, int]:
    """What "the preceding citation" is for ibid: the footnote (two citations in one footnote
    count as one), or the cluster for in-text citations."""
    note = cite.info.note_number or 0
    return ("note", note) if note else ("cluster", cite.cluster)


def _adjacent(previous: Cite, cite: Cite, sizes: dict[tuple[str, int], int]) -> bool:
    # Within one cluster the previous cite is adjacent; across clusters, the spec allows ibid only
    # when the preceding citation held that one cite alone: the preceding cluster in the same
    # footnote, else the whole preceding footnote (citeproc-js).
    if previous.cluster == cite.cluster:
        return True
    if _unit(previous) == _unit(cite):
        return sizes.get(("cluster", previous.cluster)) == 1
    return sizes.get(_unit(previous)) == 1


def _ibid(previous: Cite, cite: Cite) -> str:
    before, now = previous.ref.locator, cite.ref.locator
    if now is None:
        return "subsequent" if before is not None else "ibid"
    if before == now and (previous.ref.label or "page") == (cite.ref.label or "page"):
        return "ibid"
    return "ibid-with-locator"
