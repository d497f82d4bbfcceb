"""Evaluation state handed to every rendering function (one per cite or entry being rendered)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from citekit.csl.locale import Locale
    from citekit.csl.nodes import Node
    from citekit.csl.style import El, Style


@dataclass(slots=True)
class Disamb:
    """Disambiguation settings for one cite (CSL 1.0.2 "Disambiguation"), set by disambiguate.py.

    ``add_names``: extra names shown beyond et-al-use-first (per names element, cumulative);
    ``givenname``: per-name expansion level keyed by ``names.name_key(name)``: 1 = initials
    (or given name when initialize is false), 2 = full given name; ``givenname_all``: the same
    level applied to every name (add-givenname as a whole-list rule);
    ``year_suffix``: 1-based suffix number (a, b, ...) or 0; ``condition``: how many of the
    style's ``disambiguate="true"`` tests are true (True: the first).
    """

    add_names: int = 0
    givenname: dict[str, int] = field(default_factory=dict)
    givenname_all: int = 0
    year_suffix: int = 0
    condition: int | bool = False


@dataclass(slots=True)
class CiteInfo:
    """The cite being rendered: locator, label, position (citation mode only)."""

    locator: str | None = None
    label: str | None = None  # a locator term name: page, chapter, ...
    position: str = "first"  # first | subsequent | ibid | ibid-with-locator
    near_note: bool = False
    first_reference_note_number: int | None = None
    citation_number: int | None = None
    note_number: int | None = None


@dataclass(slots=True)
class Context:
    """What an element renderer may read and record.

    ``mode`` is ``citation``, ``bibliography`` or ``sort`` (a sort key from a macro: names are
    rendered in sort order, numbers zero-padded, dates as sortable strings).
    ``name_options`` holds the inheritable name attributes in force (style, then citation or
    bibliography); ``names.py`` merges the element's own on top.
    ``suppressed`` names the variables already used by a ``cs:substitute`` (CSL: a substituted
    variable is suppressed in the rest of the output).
    ``called``/``rendered`` count variables a ``cs:group`` asked for and found (group
    suppression); renderers report through ``note_variable``.
    """

    style: Style
    locale: Locale
    item: dict[str, Any]
    mode: str = "bibliography"
    cite: CiteInfo = field(default_factory=CiteInfo)
    disamb: Disamb = field(default_factory=Disamb)
    name_options: dict[str, str] = field(default_factory=dict)
    suppressed: set[str] = field(default_factory=set)
    called: int = 0
    rendered: int = 0
    in_substitute: int = 0
    # cs:name, cs:et-al, cs:label, label-first flag and cs:institution of the cs:names whose
    # cs:substitute is being tried: a bare cs:names inside it inherits them.
    inherited_names: tuple[Any, ...] | None = None
    links: bool = False  # URL and DOI become links (citekit's own output; the test suite has none)
    # What happens to the first cs:names output: "suppress" drops it, "capture" records it in
    # ``captured``, "replace" puts ``captured`` in its place.
    author_mode: str | None = None
    captured: Node | None = None
    disamb_tests: int = 0  # disambiguate="true" tests met so far (see conditions._cond_disambiguate)
    year_suffix_done: bool = False  # the implicit year-suffix goes after the first rendered year only

    def note_variable(self, present: bool) -> None:
        """Record that a variable was asked for, and whether it produced output."""
        self.called += 1
        if present:
            self.rendered += 1

    def render(self, el: El) -> Node | None:
        """Evaluate one rendering element (text, names, date, group, choose, ...)."""
        from citekit.csl.evaluate import evaluate

        return evaluate(self, el)

    def render_children(self, el: El) -> list[Node]:
        """Evaluate an element's children, dropping empty results."""
        from citekit.csl.evaluate import evaluate_children

        return evaluate_children(self, el)
