"""A CSL style as a typed tree: lxml reads the XML as citeproc-py's parser does, citekit compiles
and checks it.

Every problem a style can have that would otherwise surface mid-render (a missing or recursive
macro, a non-numeric ``et-al-min``, an unknown element or attribute value) is raised here as a
``StyleError`` naming the file and line.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from citekit.errors import CitekitError

CSL_NS = "http://purl.org/net/xbiblio/csl"
CITEKIT_NS = "https://citekit.dev/csl"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

INHERITABLE_NAME_OPTIONS = (
    "and", "delimiter-precedes-et-al", "delimiter-precedes-last", "et-al-min", "et-al-use-first",
    "et-al-use-last", "et-al-subsequent-min", "et-al-subsequent-use-first", "initialize",
    "initialize-with", "name-as-sort-order", "sort-separator", "name-form", "name-delimiter",
    "names-delimiter",
)
_INTEGER_ATTRS = {"et-al-min", "et-al-use-first", "et-al-subsequent-min", "et-al-subsequent-use-first",
                  "near-note-distance", "line-spacing", "entry-spacing", "limit-day-ordinals-to-day-1"}
_INTEGER_ATTRS.discard("limit-day-ordinals-to-day-1")

_RENDERING = {"text", "number", "label", "names", "date", "group", "choose"}
_KNOWN = _RENDERING | {
    "style", "info", "locale", "macro", "citation", "bibliography", "layout", "sort", "key", "name",
    "name-part", "et-al", "substitute", "date-part", "if", "else-if", "else", "terms", "term", "single",
    "multiple", "style-options", "date", "institution", "institution-part", "conditions", "condition",
}
_ENUMS = {
    "font-style": {"normal", "italic", "oblique"},
    "font-variant": {"normal", "small-caps"},
    "font-weight": {"normal", "bold", "light"},
    "text-decoration": {"none", "underline"},
    "vertical-align": {"baseline", "sup", "sub"},
    "text-case": {"lowercase", "uppercase", "capitalize-first", "capitalize-all", "title", "sentence"},
    "display": {"block", "left-margin", "right-inline", "indent"},
    "match": {"all", "any", "none", "nand"},
}


class StyleError(CitekitError):
    """A style that cannot be rendered: one line naming the file and the XML line."""


@dataclass(slots=True, eq=False)
class El:
    """One CSL element: local name, attributes (namespaced ones as ``prefix:name``), children."""

    name: str
    attrs: dict[str, str]
    children: list[El] = field(default_factory=list)
    line: int = 0
    text: str = ""
    # Filled in by evaluate.py when the element is first rendered: the element compiled into a
    # function of the context (``run``), and its children likewise (``run_children``). Kept on
    # the element so that they live and die with its style.
    run: Any = field(default=None, repr=False)
    run_children: Any = field(default=None, repr=False)

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.attrs.get(key, default)

    def find(self, name: str) -> El | None:
        for child in self.children:
            if child.name == name:
                return child
        return None

    def findall(self, name: str) -> list[El]:
        return [c for c in self.children if c.name == name]


@dataclass(slots=True, eq=False)
class Section:
    """``cs:citation`` or ``cs:bibliography``: its options, sort keys and layouts.

    ``layouts`` holds (locales, layout) pairs: the CSL-M ``<layout locale="en">`` extension,
    the plain layout with an empty locale list (last).
    """

    el: El
    layouts: list[tuple[list[str], El]]
    sort: El | None

    @property
    def layout(self) -> El:
        return self.layouts[-1][1]

    def layout_for(self, language: str | None) -> El:
        return self.choose_layout(language)[1]

    def choose_layout(self, language: str | None) -> tuple[str | None, El]:
        """The layout for an item's language and the locale it renders in (CSL-M: the layout's
        own locale; None: the style's)."""
        lang = (language or "").lower()
        if lang:
            for locales, layout in self.layouts:
                for loc in locales:
                    low = loc.lower()
                    if lang == low or lang.split("-")[0] == low.split("-")[0]:
                        return loc, layout
        for locales, layout in self.layouts:
            if not locales:
                return None, layout
        return self.layouts[0][0][0], self.layouts[0][1]


@dataclass(slots=True, eq=False)
class Style:
    """A loaded style. ``attrs`` are ``cs:style``'s; ``locales`` its ``cs:locale`` elements."""

    path: str
    root: El
    macros: dict[str, El]
    citation: Section | None
    bibliography: Section | None
    locales: list[El]
    _found: dict[str, bool] = field(default_factory=dict)
    _name_options: dict[str, dict[str, str]] = field(default_factory=dict)

    def contains(self, key: str, test: Callable[[El], bool]) -> bool:
        """Whether any element satisfies ``test`` (answered once per style and ``key``)."""
        found = self._found.get(key)
        if found is None:
            found = False
            stack = [self.root]
            while stack and not found:
                el = stack.pop()
                found = test(el)
                stack.extend(el.children)
            self._found[key] = found
        return found

    @property
    def attrs(self) -> dict[str, str]:
        return self.root.attrs

    @property
    def style_class(self) -> str:
        return self.root.attrs.get("class", "in-text")

    @property
    def default_locale(self) -> str | None:
        return self.root.attrs.get("default-locale")

    def name_options(self, mode: str) -> dict[str, str]:
        """The inheritable name options for ``citation`` or ``bibliography`` (style, then section).

        Made once per mode (a sort asks for every key of every item) and shared: read-only."""
        found = self._name_options.get(mode)
        if found is not None:
            return found
        opts = {k: v for k, v in self.root.attrs.items() if k in INHERITABLE_NAME_OPTIONS}
        section = self.citation if mode == "citation" else self.bibliography
        if section is not None:
            opts.update({k: v for k, v in section.el.attrs.items() if k in INHERITABLE_NAME_OPTIONS})
        self._name_options[mode] = opts
        return opts


def _attr_name(qname: str) -> str:
    if qname.startswith("{"):
        ns, local = qname[1:].split("}", 1)
        if ns == CITEKIT_NS:
            return "citekit:" + local
        if ns == "http://www.w3.org/XML/1998/namespace":
            return "xml:" + local
        return local
    return qname


_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)
MAX_DEPTH = 100  # real styles nest about 15 deep; the evaluator recurses once per level


def compile_element(node: Any, path: str = "<style>", depth: int = 0) -> El:
    """lxml element → El (comments and processing instructions dropped)."""
    if depth > MAX_DEPTH:
        raise StyleError(f"elements nested more than {MAX_DEPTH} deep", path, node.sourceline)
    tag = node.tag
    name = tag.split("}", 1)[1] if isinstance(tag, str) and tag.startswith("{") else str(tag)
    el = El(name, {_attr_name(k): v for k, v in node.attrib.items()}, line=node.sourceline or 0,
            text=(node.text or ""))
    for child in node:
        if isinstance(child.tag, str):
            el.children.append(compile_element(child, path, depth + 1))
    return el


def parse_xml(source: str | Path | bytes, what: str = "style") -> El:
    """Parse CSL XML (a path, or the text itself); a file read in an earlier run may come from
    ``xmlcache`` instead."""
    if isinstance(source, Path):
        from citekit.csl import xmlcache  # it builds on El: imported here, not at the top

        return xmlcache.tree(source, lambda path: _parse_xml(path, what))
    return _parse_xml(source, what)


def _parse_xml(source: str | Path | bytes, what: str) -> El:
    from lxml import etree  # only when a style is read

    label = str(source) if isinstance(source, Path) else f"<{what}>"
    try:
        if isinstance(source, Path):
            data = source.read_bytes()
        else:
            data = source.encode("utf-8", "surrogatepass") if isinstance(source, str) else source
        # The parser expands entities: a DOCTYPE could pull a local file into the output.
        doctype = _DOCTYPE.search(data[:65536])
        if doctype:
            line = data.count(b"\n", 0, doctype.start()) + 1
            raise StyleError("a DOCTYPE declaration is not allowed in CSL", label, line)
        # citeproc-py's CitationStylesXML parser, without its element classes, which compile_element
        # never uses: importing them costs more than the parse (a test holds the two to the same tree).
        parser = etree.XMLParser(remove_comments=True, encoding="UTF-8", no_network=True)
        root = etree.parse(io.BytesIO(data), parser).getroot()
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if getattr(exc, "lineno", None) else None
        raise StyleError(f"not well-formed XML: {exc.msg}", label, line) from None
    except OSError as exc:
        raise StyleError(f"cannot read: {exc.strerror or exc}", label) from None
    return compile_element(root, label)


def load_style(source: str | Path, *, label: str | None = None) -> Style:
    """Read and check a style from a path (a Path, or a string naming a file) or its XML text."""
    if isinstance(source, str) and "<" not in source and source.strip():
        source = Path(source)  # XML text always holds a "<"; anything else names a file
    path = label or (str(source) if isinstance(source, Path) else "<style>")
    root = parse_xml(source)
    if root.name != "style":
        raise StyleError(f"the root element is <{root.name}>, not <style>", path, root.line)
    macros: dict[str, El] = {}
    for m in root.findall("macro"):
        name = m.get("name")
        if not name:
            raise StyleError("<macro> without a name", path, m.line)
        macros.setdefault(name, m)
    sections: dict[str, Section | None] = {"citation": None, "bibliography": None}
    for key in sections:
        el = root.find(key)
        if el is None:
            continue
        layouts = el.findall("layout")
        if not layouts:
            raise StyleError(f"<{key}> has no <layout>", path, el.line)
        pairs = [((lay.get("locale") or "").split(), lay) for lay in layouts]
        pairs.sort(key=lambda p: not p[0])  # localized layouts first, the plain one last
        sections[key] = Section(el, pairs, el.find("sort"))
    style = Style(path, root, macros, sections["citation"], sections["bibliography"], root.findall("locale"))
    _check(style)
    return style


def _check(style: Style) -> None:
    path = style.path

    def visit(el: El) -> None:
        if el.name not in _KNOWN:
            raise StyleError(f"unknown element <{el.name}>", path, el.line)
        for key, value in el.attrs.items():
            if key in _INTEGER_ATTRS and not value.strip().isdigit():
                raise StyleError(f"{key}={value!r} on <{el.name}> is not a whole number", path, el.line)
            allowed = _ENUMS.get(key)
            if allowed and el.name not in ("locale", "info", "term") and value not in allowed:
                raise StyleError(f"{key}={value!r} on <{el.name}> is not one of {', '.join(sorted(allowed))}",
                                 path, el.line)
        if el.name == "text" and "macro" in el.attrs and el.attrs["macro"] not in style.macros:
            raise StyleError(f"undefined macro {el.attrs['macro']!r}", path, el.line)
        if el.name == "key" and "macro" in el.attrs and el.attrs["macro"] not in style.macros:
            raise StyleError(f"undefined macro {el.attrs['macro']!r}", path, el.line)
        if el.name == "info":
            return
        for child in el.children:
            visit(child)

    visit(style.root)
    # A macro that calls itself (directly or through others) would recurse forever.
    calls: dict[str, set[str]] = {}
    for name, macro in style.macros.items():
        found: set[str] = set()
        stack = list(macro.children)
        while stack:
            el = stack.pop()
            if el.name in ("text", "key") and "macro" in el.attrs:
                found.add(el.attrs["macro"])
            stack.extend(el.children)
        calls[name] = found
    state: dict[str, int] = {}

    def dfs(name: str, trail: list[str]) -> None:
        state[name] = 1
        for callee in sorted(calls.get(name, ())):
            if state.get(callee) == 1:
                cycle = " → ".join([*trail[trail.index(callee):], callee]) if callee in trail else callee
                raise StyleError(f"macro {callee!r} calls itself ({cycle})", path, style.macros[callee].line)
            if state.get(callee) is None:
                dfs(callee, [*trail, callee])
        state[name] = 2

    try:
        for name in style.macros:
            if state.get(name) is None:
                dfs(name, [name])
    except RecursionError:
        raise StyleError("macro calls nested too deeply", path) from None
    # Acyclic but very long chains of macro calls would still exhaust the evaluator's stack.
    depth: dict[str, int] = {}
    for name in _topological(calls):
        depth[name] = 1 + max((depth.get(c, 0) for c in calls.get(name, ())), default=0)
        if depth[name] > MAX_DEPTH // 2:
            raise StyleError(f"macro {name!r} starts a chain of more than {MAX_DEPTH // 2} macro calls",
                             path, style.macros[name].line)


def _topological(calls: dict[str, set[str]]) -> list[str]:
    """Macros, callees before callers (the graph is known to be acyclic)."""
    order: list[str] = []
    seen: set[str] = set()
    for root in calls:
        stack = [(root, iter(sorted(calls.get(root, ()))))]
        if root in seen:
            continue
        seen.add(root)
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                order.append(node)
                stack.pop()
            elif child not in seen and child in calls:
                seen.add(child)
                stack.append((child, iter(sorted(calls.get(child, ())))))
    return order
