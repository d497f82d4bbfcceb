"""Numbers, labels and page ranges (CSL 1.0.2 "Number", "Label", "Page Ranges", ``is-numeric``).

A number variable's value is read the way citeproc-js reads it: split at list separators
(``, `` ``; `` ``&`` ``and``) and range hyphens into parts, each an optional embedded label
(``p.``, ``fig.``, ``vol.`` ...), an optional alphabetic prefix ("particle": ``S`` in ``S213``)
and a number. The parts decide whether the value is numeric, whether its label is plural, and
how ranges are printed (page-range-format for pages, the locale's range delimiter otherwise).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from citekit.csl.nodes import Node, Tag, Text
from citekit.csl.variables import variable_value

if TYPE_CHECKING:
    from citekit.csl.context import Context
    from citekit.csl.locale import Locale
    from citekit.csl.style import El

EN_DASH = "\u2013"
# Embedded labels citeproc-js recognises in number values (its STATUTE_SUBDIV_STRINGS facts).
LABEL_ABBREVIATIONS = {
    "art.": "article", "bk.": "book", "ch.": "chapter", "subch.": "subchapter", "col.": "column",
    "fig.": "figure", "fol.": "folio", "l.": "line", "n.": "note", "no.": "issue", "op.": "opus",
    "p.": "page", "pp.": "page", "para.": "paragraph", "subpara.": "subparagraph", "pt.": "part",
    "r.": "rule", "sec.": "section", "subsec.": "subsection", "sv.": "sub-verbo", "sch.": "schedule",
    "tit.": "title", "vrs.": "verse", "vol.": "volume",
}
# Variables citeproc-js prints as numbers even through cs:text (ranges, embedded labels, "&"):
# evaluate.py renders these with ``number_text``.
TEXT_NUMBER_VARIABLES = frozenset({
    "locator", "page", "page-first", "chapter-number", "collection-number", "edition", "issue", "number",
    "number-of-pages", "number-of-volumes", "volume",
})
# Variables whose hyphens become the locale's page-range-delimiter between numbers.
_PAGE_DELIMITED = frozenset({"page", "locator", "issue", "volume", "edition", "number"})
_ESCAPED_HYPHEN = "\x00"
# Past 30 digits a value is text, not a number: nothing prints it as one, and int() of a
# 5,000-digit string exceeds the interpreter's conversion limit.
_NUMBER_RE = re.compile(r"^(?P<particle>[0-9]*[A-Za-z]+0*)?(?P<number>[0-9]{1,30})(?P<suffix>[A-Za-z]*)$")
_ROMAN_RE = re.compile(r"^[ivxlcdmIVXLCDM]+$")
_LABEL_RE = re.compile(r"^([a-z]+\.)\s*(\S.*)$", re.S)
_HYPHEN_RE = re.compile(r"^\s*[-\u2013\u2011]+\s*$")
_SPACES_RE = re.compile(r"\s+")


@dataclass(slots=True)
class Part:
    """One piece of a number value: ``fig. 333`` in ``367-368, fig. 333``.

    ``label`` is a term name (the embedded label, or the variable's own); ``joiner`` the
    separator written after the part (``""`` for the last one).
    """

    text: str
    label: str | None = None
    label_text: str = ""
    joiner: str = ""
    particle: str = ""
    number: str = ""
    suffix: str = ""

    @property
    def numeric(self) -> bool:
        return bool(self.number)

    @property
    def roman(self) -> bool:
        return bool(_ROMAN_RE.match(self.text))

    @property
    def hyphen(self) -> bool:
        return bool(_HYPHEN_RE.match(self.joiner))


def _joiner_re(and_term: str | None) -> re.Pattern[str]:
    ands = ["and"]
    if and_term and and_term.strip() and and_term.strip() != "and":
        ands.append(re.escape(and_term.strip()))
    words = "|".join(ands)
    return re.compile(rf"(\s*&\s*|,\s+(?:{words})\s+|\s+(?:{words})\s+|;\s+|,\s+|\s*[-\u2013\u2011]+\s*)")


_JOINERS: dict[str | None, re.Pattern[str]] = {}


def parse_number(value: Any, locale: Locale | None = None, default_label: str | None = None) -> list[Part]:
    """Split a number value into parts (labels recognised only when the locale has their term)."""
    text = str(value).strip() if value is not None else ""
    if not text:
        return []
    and_term = locale.term("and") if locale is not None else None
    joiner_re = _JOINERS.get(and_term)
    if joiner_re is None:
        joiner_re = _JOINERS[and_term] = _joiner_re(and_term)
    # An escaped hyphen (``3\-B``) is part of the text, never a range.
    pieces = joiner_re.split(text.replace("\\-", _ESCAPED_HYPHEN))
    parts: list[Part] = []
    label = default_label
    for i in range(0, len(pieces), 2):
        chunk = pieces[i].replace(_ESCAPED_HYPHEN, "-").strip()
        joiner = pieces[i + 1] if i + 1 < len(pieces) else ""
        part = Part(chunk, joiner=joiner)
        m = _LABEL_RE.match(chunk)
        if m and m.group(1) in LABEL_ABBREVIATIONS:
            term = LABEL_ABBREVIATIONS[m.group(1)]
            if locale is None or locale.term(term, "short"):
                label = term
                part.label_text = m.group(1)
                part.text = m.group(2).strip()
        part.label = label
        nm = _NUMBER_RE.match(part.text)
        if nm:
            part.particle = nm.group("particle") or ""
            part.number = nm.group("number")
            part.suffix = nm.group("suffix")
        parts.append(part)
    return parts


def is_numeric(value: Any) -> bool:
    """CSL ``is-numeric``: numbers with optional prefixes/suffixes (``D2``, ``2b``, ``5th``), joined
    by commas, hyphens, ampersands or "and" (``2, 4``, ``12-15``, ``2 & 4``)."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int):
        return value >= 0
    if isinstance(value, float):
        return value.is_integer() and value >= 0
    parts = parse_number(value)
    return bool(parts) and all(p.numeric for p in parts)


def _plural(parts: list[Part]) -> bool:
    """Contextual plural: the first label's group holds several numbers (a range or a list)."""
    if not parts:
        return False
    group = [parts[0]]
    for part in parts[1:]:
        if part.label != parts[0].label:
            break
        group.append(part)
    if len(group) < 2:
        return False
    if all(p.numeric and not p.suffix and p.particle == group[0].particle for p in group):
        return True
    return all(p.roman for p in group)


# -- page ranges ----------------------------------------------------------------------------------


def _minimize(begin: str, end: str, keep: int) -> str:
    """The end number without the leading digits it shares with begin (at least ``keep`` left)."""
    if len(begin) != len(end):
        return end
    i = 0
    while i < len(end) - keep and begin[i] == end[i]:
        i += 1
    return end[i:]


def _chicago15(begin: int, end: int) -> str:
    if begin > 100 and begin % 100 and begin // 100 == end // 100:
        return str(end % 100)
    if begin >= 10000:
        return str(end % 1000)
    return str(end)


def _chicago16(begin: int, end: int) -> str:
    if begin > 100 and begin % 100:
        for i in range(2, len(str(end))):
            divisor = 10**i
            if begin // divisor == end // divisor:
                return str(end % divisor)
    return str(end)


def _format_range(a: Part, b: Part, fmt: str | None, delimiter: str) -> str:
    """Two numbers of a page range, by page-range-format (CSL 1.0.2 "Page Ranges")."""
    begin, end = a.number, b.number
    if len(end) < len(begin):
        end = begin[: len(begin) - len(end)] + end
    if fmt is None or a.suffix or b.suffix or int(begin) >= int(end):
        return a.text + delimiter + b.text
    if fmt == "expanded":
        return f"{a.particle}{begin}{delimiter}{a.particle}{end}"
    if fmt == "minimal":
        short = _minimize(begin, end, 0)
    elif fmt == "minimal-two":
        short = _minimize(begin, end, 2)
    elif fmt in ("chicago", "chicago-15"):
        short = _chicago15(int(begin), int(end))
    elif fmt == "chicago-16":
        short = _chicago16(int(begin), int(end))
    else:
        return a.text + delimiter + b.text
    return f"{a.particle}{begin}{delimiter}{short}"


def _range_delimiter(locale: Locale | None, name: str = "page-range-delimiter") -> str:
    if locale is None:
        return EN_DASH
    term = locale.term(name)
    return term if term else EN_DASH


def _join_range(a: Part, b: Part, variable: str, fmt: str | None, locale: Locale | None,
                render: Callable[[Part], str] | None = None) -> str | None:
    """a and b joined as a range, or None when they are not one (the hyphen stays as written)."""
    same_label = a.label == b.label
    if a.numeric and b.numeric and same_label and a.particle == b.particle:
        if variable == "collection-number":
            delimiter = _range_delimiter(locale, "year-range-delimiter")
        elif variable in _PAGE_DELIMITED:
            delimiter = _range_delimiter(locale)
        else:
            return None
        if render is not None:
            return render(a) + delimiter + render(b)
        if variable == "page" or (variable == "locator" and a.label == "page"):
            return _format_range(a, b, fmt, delimiter)
        return a.text + delimiter + b.text
    if a.roman and b.roman and same_label and (variable in _PAGE_DELIMITED or variable == "collection-number"):
        return a.text + _range_delimiter(locale) + b.text
    return None


def _joiner_text(joiner: str, locale: Locale | None) -> str:
    if joiner.strip() == "&":
        amp = "&"
        if locale is not None:
            symbol = locale.term("and", "symbol")
            if symbol and symbol != locale.term("and"):
                amp = symbol
        return f" {amp} "
    if _HYPHEN_RE.match(joiner):
        return "-"
    return _SPACES_RE.sub(" ", joiner)


def _label_text(parts: list[Part], i: int, locale: Locale | None, form: str) -> str:
    part = parts[i]
    if locale is None or part.label is None:
        return part.label_text
    term = locale.term(part.label, form, _plural(parts[i:]))
    return term if term else part.label_text


def _render_parts(parts: list[Part], variable: str, fmt: str | None, locale: Locale | None,
                  render: Callable[[Part], str] | None = None, label_form: str = "short") -> str:
    """The parts back to text: ranges formatted, labels shown where they change."""
    out: list[str] = []
    i = 0
    own = parts[0].label if parts else None
    while i < len(parts):
        part = parts[i]
        previous = parts[i - 1].label if i else None
        show = part.label_text and (i > 0 and part.label != previous or (
            i == 0 and variable not in ("locator", "number") and part.label != variable))
        if show:
            out.append(_label_text(parts, i, locale, label_form) + " ")
        fmt_value = render if (render is not None and part.label == own) else None
        chain = i
        while chain < len(parts) and parts[chain].hyphen:
            chain += 1
        if chain - i >= 2 and chain < len(parts):
            # "62443-4-1" is a document number, not a range: citeproc-js keeps its hyphens.
            out.extend(p.text + p.joiner for p in parts[i:chain])
            last = parts[chain]
            out.append(last.text + (_joiner_text(last.joiner, locale) if last.joiner else ""))
            i = chain + 1
            continue
        if part.hyphen and i + 1 < len(parts) and not parts[i + 1].label_text:
            joined = _join_range(part, parts[i + 1], variable, fmt, locale, fmt_value)
            if joined is not None:
                out.append(joined)
                out.append(_joiner_text(parts[i + 1].joiner, locale) if parts[i + 1].joiner else "")
                i += 2
                continue
        out.append(fmt_value(part) if fmt_value is not None else part.text)
        if part.joiner:
            out.append(_joiner_text(part.joiner, locale))
        i += 1
    return "".join(out)


def page_range(value: str, fmt: str | None, locale: Locale | None = None) -> str:
    """A page value with its ranges formatted by ``page-range-format`` (expanded, minimal,
    minimal-two, chicago, chicago-15, chicago-16; None: only the delimiter changes) and joined
    with the locale's page-range-delimiter; lists and other text are left as written."""
    parts = parse_number(value)
    if not parts:
        return ""
    out: list[str] = []
    i = 0
    delimiter = _range_delimiter(locale)
    while i < len(parts):
        part = parts[i]
        if part.hyphen and i + 1 < len(parts):
            nxt = parts[i + 1]
            if part.numeric and nxt.numeric and part.particle == nxt.particle:
                out.append(_format_range(part, nxt, fmt, delimiter))
            elif part.roman and nxt.roman:
                out.append(part.text + delimiter + nxt.text)
            else:
                out.append(part.text + "-" + nxt.text)
            out.append(nxt.joiner if not _HYPHEN_RE.match(nxt.joiner) else "-")
            i += 2
            continue
        out.append(part.text + (part.joiner if not part.hyphen else "-"))
        i += 1
    return "".join(out)


# -- rendering ------------------------------------------------------------------------------------

_OWN_TERMS = {"number-of-pages": "page", "number-of-volumes": "volume", "chapter-number": "chapter",
              "collection-number": "collection-number"}


def _default_label(ctx: Context, variable: str) -> str:
    if variable == "locator":
        label = ctx.cite.label or "page"
        # CSL-JSON's "sub verbo" is the term sub-verbo.
        return label.replace(" ", "-") if " " in label and not ctx.locale.has_term(label) else label
    return variable


def _wrap(ctx: Context, el: El, children: list[Node]) -> Node | None:
    from citekit.csl.evaluate import wrap

    return wrap(ctx, el, children)


def number_text(ctx: Context, variable: str, value: Any) -> str:
    """A number variable's value as ``cs:text`` prints it: ranges (page-range-format for pages),
    the locale's ``&``, embedded labels where they change (``367–368, fig. 333``)."""
    label = variable if variable != "locator" else _default_label(ctx, variable)
    page_range, locale = ctx.style.attrs.get("page-range-format"), ctx.locale
    key = (str(value), variable, label, page_range, id(locale))
    found = _NUMBER_TEXTS.get(key)
    if found is None or found[0] is not locale:
        if len(_NUMBER_TEXTS) > 20_000:
            _NUMBER_TEXTS.clear()
        text = _render_parts(parse_number(value, locale, label), variable, page_range, locale)
        found = _NUMBER_TEXTS[key] = (locale, text)
    return found[1]


# number_text by everything it reads (the locale kept with its id, so the id is not reused).
_NUMBER_TEXTS: dict[tuple[Any, ...], tuple[Any, str]] = {}


def roman(n: int) -> str:
    """Lower-case roman numerals (citeproc-js: below 6000; the number itself otherwise)."""
    if not 0 < n < 6000:
        return str(n)
    out = []
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)


def format_number(n: int, form: str, locale: Locale, gender: str | None = None) -> str:
    """One number in a ``cs:number`` form: numeric, ordinal, long-ordinal or roman."""
    if form == "ordinal":
        return f"{n}{locale.ordinal(n, gender)}"
    if form == "long-ordinal":
        long = locale.long_ordinal(n, gender)
        return long if long else f"{n}{locale.ordinal(n, gender)}"
    if form == "roman":
        return roman(n)
    return str(n)


def render_number(ctx: Context, el: El) -> Node | None:
    """``cs:number``: a numeric variable in its form; a non-numeric value printed as it is."""
    variable = el.get("variable")
    if not variable:
        return None
    value = variable_value(ctx, variable)
    present = value not in (None, "")
    ctx.note_variable(present)
    if not present:
        return None
    if ctx.in_substitute:
        ctx.suppressed.add(variable)
    parts = parse_number(value, ctx.locale, _default_label(ctx, variable))
    body: list[Node] = []
    if ctx.mode == "sort" and parts and all(p.numeric for p in parts):
        text = parts[0].number.rjust(20, "0")
    elif parts and all(p.numeric for p in parts):
        form = el.get("form", "numeric")
        locale = ctx.locale
        gender = locale.term_gender(parts[0].label or variable)

        def render(part: Part) -> str:
            if part.particle or part.suffix:
                return part.text
            return format_number(int(part.number), form, locale, gender)

        # The numeric form prints numbers as written (leading zeros kept, page ranges formatted).
        text = _render_parts(parts, variable, ctx.style.attrs.get("page-range-format"), locale,
                             render if form != "numeric" else None)
    else:
        text = _render_parts(parts, variable, ctx.style.attrs.get("page-range-format"), ctx.locale)
        if not any(c.isdigit() for c in text):
            # citeproc-js parses markup only in number fields with no digits at all.
            from citekit.csl.rich import parse_rich

            body = parse_rich(text)
    if text and not body:
        body = [Text(text)]
    if variable in ("locator", "citation-number"):
        body = [Tag(variable, value, body)]
    return _wrap(ctx, el, body)


def label_term(ctx: Context, variable: str, parts: list[Part]) -> str:
    """The term a ``cs:label`` for a number variable prints."""
    if variable == "locator":
        return parts[0].label if parts and parts[0].label else _default_label(ctx, variable)
    if variable in ("page", "number") and parts and parts[0].label_text and parts[0].label:
        # A label written in the value ("no. 5", "p. 12") names the term, as for locators.
        label = parts[0].label
        return "number" if variable == "number" and label == "issue" and ctx.locale.has_term("number") else label
    if variable in _OWN_TERMS and not ctx.locale.has_term(variable):
        return _OWN_TERMS[variable]
    return variable


def label_plural(variable: str, value: Any, parts: list[Part]) -> bool:
    """Contextual plural for a number variable's label."""
    if variable.startswith("number-of-"):
        if parts and parts[0].numeric and not parts[0].particle:
            return int(parts[0].number) > 1
        return _plural(parts)
    return _plural(parts)


def render_label(ctx: Context, el: El, variable: str | None = None, *, count: int | None = None) -> Node | None:
    """``cs:label``: the term for a variable, singular or plural.

    Standalone, the variable is the element's; inside ``cs:names`` the names renderer passes the
    name variable (and, when it knows better than the item, how many names it printed). A label
    never counts as a rendered variable for group suppression.
    """
    name = variable or el.get("variable")
    if not name:
        return None
    locale = ctx.locale
    form = el.get("form", "long")
    if variable is not None:
        term = name
        if count is None:
            names = ctx.item.get("editor" if name == "editortranslator" else name)
            count = len(names) if isinstance(names, list) else 1
        plural = count > 1
    else:
        value = variable_value(ctx, name)
        if value in (None, ""):
            return None
        parts = parse_number(value, locale, _default_label(ctx, name))
        term = label_term(ctx, name, parts)
        plural = label_plural(name, value, parts)
    rule = el.get("plural", "contextual")
    if rule == "always":
        plural = True
    elif rule == "never":
        plural = False
    text = locale.term(term, form, plural)
    if not text:
        return None
    if el.get("strip-periods") == "true":
        text = text.replace(".", "")
    return _wrap(ctx, el, [Tag("term", term, [Text(text)])])
