"""One ambiguous group's way through the disambiguation methods (split out of ``disambiguate.py``).

The walk follows citeproc-js's (disambig_cites.js), which the test suite records: the group is a
work list; each scan renders its members with the settings tried so far and compares them with
the *first* member. Settings only move forward (one more given-name level, one more name, one
more ``disambiguate`` test); a step is kept when it frees the first member, frees the only other
one, or lowers the first member's clashes; members freed are settled with the kept settings.
When names are exhausted the walk goes on to the condition and then to year-suffixes, which go
to the members of a list that still clash, in bibliography order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from citekit.csl.context import Disamb
from citekit.csl.disambig_names import is_person, name_key

if TYPE_CHECKING:
    from citekit.csl.disambiguate import Options, _Probe


@dataclass(slots=True)
class Settings:
    """What a group tries on its members: extra names, given-name levels by position, the condition."""

    extra: int = 0
    levels: dict[int, int] = field(default_factory=dict)
    condition: int = 0

    def copy(self) -> Settings:
        return Settings(self.extra, dict(self.levels), self.condition)

    def applied(self, p: _Probe) -> Disamb:
        """The probe's own settings (global given names) with these on top."""
        base = p.disamb
        d = Disamb(max(base.add_names, self.extra), dict(base.givenname), base.givenname_all,
                   base.year_suffix, base.condition)
        if self.condition:
            d.condition = self.condition if self.condition > 1 else True
        if p.namesets:
            names = p.namesets[0].names
            for pos, level in self.levels.items():
                if pos < len(names) and is_person(names[pos]):
                    key = name_key(names[pos])
                    d.givenname[key] = max(level, d.givenname.get(key, 0))
        return d


Render = Callable[["_Probe", Disamb], str]


class GroupRun:
    """The disambiguation of one group of probes that read the same."""

    def __init__(self, probes: list[_Probe], opts: Options, render: Render, bib_rank: Callable[[str], int],
                 condition_levels: int, more_names: Callable[[list[_Probe], int], None] | None = None) -> None:
        self.opts = opts
        self.more_names = more_names
        self.render = render
        self.bib_rank = bib_rank
        self.condition_levels = condition_levels
        self.modes: list[str] = []
        if opts.add_names or opts.by_cite_givens:
            self.modes.append("names")
        if opts.condition:
            self.modes.append("condition")
        if opts.year_suffix:
            self.modes.append("years")
        # the members with the fewest names first (citeproc-js: the other order can loop forever)
        self.members = sorted(probes, key=lambda p: (_name_count(p), p.item_id))
        self.names_max = _name_count(self.members[0]) if self.members else 0
        self.trial = Settings()
        self.kept = Settings()
        self.mode = 0
        self.settled: dict[str, Disamb] = {}
        self.cache: dict[tuple[object, ...], str] = {}

    def run(self) -> dict[str, Disamb]:
        """Each settled member's settings (members left out keep their own)."""
        if not self.modes or len(self.members) < 2:
            return {}
        lists: list[list[_Probe]] = [list(self.members)]
        rescan = True
        while lists:
            pos = 0  # the name the walk is at, from the first again for each list
            clashes = (1, 0)
            while lists and lists[0]:
                if rescan:
                    rescan, maxed = False, False
                else:
                    maxed, pos = self.advance(pos)
                current = lists[0]
                partners, others = self.scan(current)
                clashes = (clashes[1], len(partners) - 1)
                mode = self.modes[self.mode]
                if mode == "names":
                    rescan = self.names_step(lists, partners, others, clashes, maxed, pos)
                elif mode == "condition":
                    self.condition_step(lists, partners, others)
                else:
                    self.years_step(lists, clashes)
                if maxed and mode == "names":
                    if self.mode < len(self.modes) - 1:
                        self.mode += 1
                    elif len(lists) > 1:
                        lists[1] = []
            lists.pop(0)
        return self.settled

    # -- steps ------------------------------------------------------------------------------------

    def advance(self, pos: int) -> tuple[bool, int]:
        """Move the tried settings one step on; (whether the names are exhausted, the name position)."""
        mode = self.modes[self.mode]
        if mode != "names":
            return False, pos
        givens = self.opts.by_cite_givens
        grew = False
        if givens and pos < self.names_max and self.trial.levels.get(pos, 0) < 2:
            self.trial.levels[pos] = self.trial.levels.get(pos, 0) + 1
            grew = True
        if not grew and self.opts.add_names and pos < self.names_max:
            self.trial.extra += 1
            pos += 1
            if self.more_names is not None:
                self.more_names(self.members, self.trial.extra)
        names_done = not self.opts.add_names or pos >= self.names_max
        givens_done = not givens or pos >= self.names_max or self.trial.levels.get(pos, 0) >= 2
        return names_done and givens_done, pos

    def scan(self, members: list[_Probe]) -> tuple[list[_Probe], list[_Probe]]:
        """The members that read like the first one (itself included), and the others."""
        first = self.reading(members[0])
        partners, others = [members[0]], []
        for p in members[1:]:
            (partners if self.reading(p) == first else others).append(p)
        return partners, others

    def reading(self, p: _Probe) -> str:
        # a rescan tries nothing new: what was rendered under the same settings is not rendered again
        t = self.trial
        key = (p.item_id, t.extra, tuple(sorted(t.levels.items())), t.condition)
        text = self.cache.get(key)
        if text is None:
            text = self.cache[key] = self.render(p, t.applied(p))
        return text

    def keep_step(self, pos: int) -> None:
        # only what the last step changed is kept, with the names shown so far (citeproc-js's betterbase)
        if pos in self.trial.levels:
            self.kept.levels[pos] = self.trial.levels[pos]
        self.kept.extra = self.trial.extra

    def settle(self, p: _Probe, settings: Settings, year_suffix: int = 0) -> None:
        d = settings.applied(p)
        if year_suffix:
            d.year_suffix = year_suffix
        self.settled[p.item_id] = d

    def names_step(self, lists: list[list[_Probe]], partners: list[_Probe], others: list[_Probe],
                   clashes: tuple[int, int], maxed: bool, pos: int) -> bool:
        """Add-names and by-cite given names; True when the list is to be scanned again as it is."""
        before, now = clashes
        first = partners[0]
        if now == 0 and len(others) == 1:
            self.keep_step(pos)
            self.settle(first, self.kept)
            self.settle(others[0], self.kept)
            lists[0] = []
            return False
        if now == 0:
            self.keep_step(pos)
            self.settle(first, self.kept)
            lists[0] = others
            return bool(others)
        if len(others) == 1:
            self.keep_step(pos)
            self.settle(others[0], self.kept)
            lists[0] = partners
            return False
        if now < before:
            self.keep_step(pos)
            lists[0] = partners
            lists.append(others)
            return False
        if maxed:
            lists[0] = others
            lists.append(partners)
            if self.mode == len(self.modes) - 1:
                for p in partners:
                    self.settle(p, self.kept)
                lists[0] = []
        return False

    def condition_step(self, lists: list[list[_Probe]], partners: list[_Probe], others: list[_Probe]) -> None:
        """The disambiguate condition, as citeproc-js's results have it.

        Before year-suffixes it stays on only if it tells the whole list apart (else the suffixes do
        the work, without what the condition prints). Otherwise each member keeps the level (the
        number of tests turned on, where the evaluator counts them) at which it came apart; after
        name expansion, or when nothing tells them apart, the first level stays.
        """
        members = lists[0]
        lists[0] = []
        last = self.mode == len(self.modes) - 1
        self.trial.condition = 1
        if not last:
            if self.distinct(members):
                for p in members:
                    self.settle(p, self.with_condition(1))
                return
            self.trial.condition = 0
            self.mode = len(self.modes) - 1
            lists[0] = members
            return
        levels = 1 if "names" in self.modes else max(1, self.condition_levels)
        active = members
        for level in range(1, levels + 1):
            self.trial.condition = level
            readings: dict[str, list[_Probe]] = {}
            for p in active:
                readings.setdefault(self.reading(p), []).append(p)
            still = [p for group in readings.values() if len(group) > 1 for p in group]
            for p in active:
                if p not in still or level == levels:
                    self.settle(p, self.with_condition(level))
            active = still
            if not active:
                break
        self.trial.condition = 0

    def with_condition(self, level: int) -> Settings:
        kept = self.kept.copy()
        kept.condition = level
        return kept

    def distinct(self, members: list[_Probe]) -> bool:
        readings = [self.reading(p) for p in members]
        return len(set(readings)) == len(readings)

    def years_step(self, lists: list[list[_Probe]], clashes: tuple[int, int]) -> None:
        """Year-suffixes for a list whose first member still clashes, in bibliography order."""
        members = lists[0]
        if clashes[1]:
            ordered = sorted(members, key=lambda p: (self.bib_rank(p.item_id), p.item_id))
            for n, p in enumerate(ordered, start=1):
                self.settle(p, self.kept, year_suffix=n)
        lists[0] = []


def _name_count(p: _Probe) -> int:
    return len(p.namesets[0].names) if p.namesets else 0
