"""Names as the disambiguation pass sees them (split out of ``disambiguate.py``).

Family, given-name and initials keys (citeproc-js's name registry keys: periods and spacing
folded, particles part of the family name), and the namesets a rendered cite shows, read from the
``names``/``name`` tags that ``names.py`` puts in its output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from citekit.csl.nodes import Node, Span, Tag

_FALLBACK_NAME_VARS = ("author", "editor", "translator", "director", "composer", "container-author")


def family_key(name: dict[str, Any]) -> str:
    """The family part of a name, particles included, periods and spacing folded (citeproc-js's pkey)."""
    parts = [str(name.get("non-dropping-particle") or ""), str(name.get("family") or "")]
    return _fold(" ".join(p for p in parts if p))


def given_key(name: dict[str, Any]) -> str:
    """The given name without periods; a lowercase trailing part (", jr.") is not part of it."""
    given = _fold(str(name.get("given") or ""))
    m = re.search(r"[,!]* ([^,]+)$", given)
    if m and m.group(1) == m.group(1).lower():
        given = given[: m.start()].rstrip()
    return given


def initials_key(name: dict[str, Any]) -> str:
    """The initials of the given name ("John M." and "J. M." both give "J M")."""
    parts = [p for p in re.split(r"[\s\-\u2010\u2011]+", given_key(name)) if p]
    return " ".join(p[0].upper() for p in parts)


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace(".", " ")).strip()


def is_person(name: Any) -> bool:
    return isinstance(name, dict) and bool(name.get("family")) and not name.get("literal")


def name_key(name: dict[str, Any]) -> str:
    """``names.name_key``: the key Disamb.givenname is indexed by."""
    from citekit.csl.names import name_key as key

    return key(name)


@dataclass(slots=True)
class Nameset:
    """One rendered cs:names output of a probe: the full name list and the names it showed."""

    names: list[dict[str, Any]]
    shown: list[dict[str, Any]]


def rendered_namesets(node: Node | None, item: dict[str, Any]) -> list[Nameset]:
    """The namesets a cite rendered, from the ``names``/``name`` tags of its output tree."""
    found: list[Nameset] = []

    def visit(n: Node, current: Nameset | None) -> None:
        if isinstance(n, Tag):
            if n.kind == "names":
                full: list[dict[str, Any]] = []
                for var in _variables(n.value):
                    value = item.get(var)
                    if isinstance(value, list):
                        full.extend(v for v in value if isinstance(v, dict))
                current = Nameset(full, [])
                found.append(current)
            elif n.kind == "name" and isinstance(n.value, dict):
                if current is None:
                    current = Nameset([], [])
                    found.append(current)
                current.shown.append(n.value)
                if n.value not in current.names:
                    current.names.append(n.value)
                return
        if isinstance(n, (Span, Tag)) or hasattr(n, "children"):
            for child in getattr(n, "children", ()):
                visit(child, current)

    if node is not None:
        visit(node, None)
    for ns in found:
        if not ns.shown:
            ns.shown = list(ns.names)
    if not found:  # the names module does not tag its output: fall back on the usual name variables
        for var in _FALLBACK_NAME_VARS:
            value = item.get(var)
            if isinstance(value, list) and value:
                names = [v for v in value if isinstance(v, dict)]
                found.append(Nameset(names, list(names)))
                break
    return found


def _variables(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return []
