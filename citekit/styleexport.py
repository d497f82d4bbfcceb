"""A citekit style as plain CSL 1.0.2, for pandoc, Zotero and citeproc-js.

citekit's built-in styles use two CSL-M extensions (one ``cs:layout`` per entry language;
``cs:institution``), citekit's own ``citekit:`` attributes and citeproc-js's
``citation-range-delimiter`` term. Plain CSL has none of them: this module rewrites the XML into
one standard style and says, one line each, what the standard cannot express.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from citekit.errors import CitekitError
from citekit.styles import resolve_style

CSL_NS = "http://purl.org/net/xbiblio/csl"
CITEKIT_NS = "https://citekit.dev/csl"
_C = f"{{{CSL_NS}}}"

# CSL 1.0.2 terms come from a closed list; these are other engines' extensions seen in styles.
NON_STANDARD_TERMS = {"citation-range-delimiter": "ranges of citation numbers print with an en dash (1–3), "
                                                  "not the style's {value!r} (a citeproc-js term outside CSL 1.0.2)"}

# What each citekit attribute did, and what an engine without it prints instead.
_LOST_ATTRIBUTES = {
    "omit-doi-in-url": "a DOI is printed even when the URL already contains it (GB/T 7714 8.7)",
    "whole-cjk-names": "Chinese, Japanese and Korean personal names given as family and given parts are "
                       "printed as the engine splits them, not as one name (give them as literal names)",
    "apostrophes": "apostrophes print as the engine prints them (’), not straight (')",
    "collapse-min": "two consecutive citation numbers print as a list ([2,3]), not as a range ([2-3]): "
                    "CSL collapses three or more",
    "initials": "every given name is initialised (Lemmon, E. W.), not only the first (Lemmon, E.)",
    "suffix-separator": "an inverted name's suffix follows the sort-separator (PEEBLES P Z Jr), not its own "
                        "separator (PEEBLES P Z, Jr)",
}


@dataclass
class ExportedStyle:
    """The CSL 1.0.2 text and what could not be expressed (one sentence per line)."""

    xml: str
    lost: list[str] = field(default_factory=list)


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _language_matches(layout_locale: str, lang: str) -> bool:
    wanted = lang.lower().replace("_", "-")
    return any(loc.lower() == wanted or loc.lower().split("-")[0] == wanted.split("-")[0]
               for loc in layout_locale.split())


def _one_layout(section: etree._Element, lang: str | None, default_locale: str | None,
                lost: list[str]) -> str | None:
    """Keep one ``cs:layout`` in ``section``: the one for ``lang``, else the one without a locale.

    Returns the kept layout's locale when it has one (the style's default locale must follow it).
    """
    layouts = [c for c in section if _local(c) == "layout"]
    if len(layouts) < 2 and not any(lay.get("locale") for lay in layouts):
        return None
    chosen = None
    if lang:
        chosen = next((lay for lay in layouts if lay.get("locale") and _language_matches(lay.get("locale"), lang)),
                      None)
    if chosen is None:
        chosen = next((lay for lay in layouts if not lay.get("locale")), layouts[-1])
    name = _local(section)
    kept_locale = chosen.get("locale")
    rendered_in = kept_locale or default_locale or "the engine's locale"
    for lay in layouts:
        if lay is chosen:
            continue
        lost.append(f"{name}: <layout locale=\"{lay.get('locale')}\"> is dropped (CSL 1.0.2 has one layout and "
                    f"no condition on an entry's language): those entries use the {kept_locale or 'default'} "
                    f"layout, with terms in {rendered_in} (e.g. 'et al.' or '等')" if lay.get("locale") else
                    f"{name}: the default layout is dropped for the {kept_locale} one: entries in other languages "
                    f"use it, with terms in {rendered_in} (e.g. 'et al.' or '等')")
        section.remove(lay)
    if kept_locale:
        del chosen.attrib["locale"]
    return kept_locale


def _locator_after(citation: etree._Element, lost: list[str]) -> None:
    """``citekit:locator="after"`` placed the locator after the whole citation; CSL puts it in each cite."""
    layout = next((c for c in citation if _local(c) == "layout"), None)
    if layout is None:
        return
    # the layout's own content stays one unit (its children have no delimiter between them)
    cite = etree.Element(_C + "group")
    cite.text, layout.text = layout.text, None
    for child in list(layout):
        cite.append(child)
    body = etree.SubElement(layout, _C + "group", delimiter=": ")
    body.append(cite)
    etree.SubElement(body, _C + "text", variable="locator")
    lost.append("citation: a cite's locator is printed inside the citation after a colon ([5: 12], "
                "(CRANE, 1972: 12)), not superscript after it ([5]12): CSL has no place after the layout's suffix")


_ET_AL_OPTIONS = ("et-al-min", "et-al-use-first", "et-al-subsequent-min", "et-al-subsequent-use-first",
                  "et-al-use-last", "delimiter-precedes-et-al", "name-as-sort-order")


def _contexts(root: etree._Element) -> dict[str, set[str]]:
    """For each macro, the sections whose layouts call it (``sort`` when a sort key reaches it)."""
    macros = {m.get("name"): m for m in root.iter(_C + "macro")}
    found: dict[str, set[str]] = {}
    for section in (c for c in root if _local(c) in ("citation", "bibliography")):
        for part in section:
            context = "sort" if _local(part) == "sort" else _local(section)
            todo = [part]
            while todo:
                el = todo.pop()
                for call in el.iter(_C + "text", _C + "key"):
                    name = call.get("macro")
                    if name in macros and context not in found.setdefault(name, set()):
                        found[name].add(context)
                        todo.append(macros[name])
    return found


def _shows_one_name(name: etree._Element, section: etree._Element, root: etree._Element) -> bool:
    """Whether a cs:name in ``section`` prints at most one name before et-al, whatever the cite."""
    def opt(key: str) -> str | None:
        return next((v for v in (name.get(key), section.get(key), root.get(key)) if v is not None), None)

    if opt("et-al-use-last") == "true" or section.get("disambiguate-add-names") == "true":
        return False
    first, least = opt("et-al-use-first"), opt("et-al-min")
    pairs = [(first, least), (opt("et-al-subsequent-use-first") or first, opt("et-al-subsequent-min") or least)]
    return all(f == "1" and m is not None and m.isdigit() and int(m) <= 2 for f, m in pairs)


def _no_space_before_cjk_et_al(root: etree._Element, style: Any, lost: list[str]) -> None:
    """One name, then an et-al term in a script without spaces (孙毅等): pandoc's citeproc puts a
    space before the term where citekit and citeproc-js put none (孙毅 等). Where the list can
    only ever show one name, the delimiter between names is never printed, so it can be the empty
    one that precedes et-al: every engine then joins name and term as citekit does."""
    from citekit.csl.locale import load_locale
    from citekit.csl.nameparts import STARTS_ROMANESQUE

    locale = load_locale(style, root.get("default-locale"))
    contexts = _contexts(root)
    sections = {_local(c): c for c in root if _local(c) in ("citation", "bibliography")}
    for name in root.iter(_C + "name"):
        names = name.getparent()
        etal = names.find(_C + "et-al")
        term = locale.term(etal.get("term", "et-al") if etal is not None else "et-al") or ""
        if not term or STARTS_ROMANESQUE.match(term):
            continue
        macro = next((a for a in name.iterancestors(_C + "macro")), None)
        where = contexts.get(macro.get("name"), set()) if macro is not None else {
            _local(a) for a in name.iterancestors(_C + "citation", _C + "bibliography")}
        printed = [sections[w] for w in where if w in sections]
        if not printed:
            continue
        rule = next((v for v in (name.get("delimiter-precedes-et-al"), *(s.get("delimiter-precedes-et-al")
                                                                        for s in printed),
                                 root.get("delimiter-precedes-et-al")) if v), "contextual")
        inverted = any(v for v in (name.get("name-as-sort-order"), *(s.get("name-as-sort-order") for s in printed),
                                   root.get("name-as-sort-order")))
        if rule == "always" or (rule == "after-inverted-name" and inverted):
            continue  # the delimiter precedes the term in every engine
        if "sort" in where or not all(_shows_one_name(name, s, root) for s in printed):
            # two names can show (or a sort key prints them all): the delimiter must stay
            if term[0].isspace():
                continue  # the term brings its own space: pandoc's adds nothing visible
            lost.append(f"names: pandoc's citeproc puts a space before the et-al term {term.strip()!r} "
                        f"({'macro ' + repr(macro.get('name')) if macro is not None else 'a cs:names'}), "
                        "where citekit and citeproc-js put none")
            continue
        name.set("delimiter", "")
        name.set("delimiter-precedes-et-al", "always")


def export_style(style: str | Path, *, lang: str | None = None) -> ExportedStyle:
    """``style`` (a built-in name or a ``.csl`` file) as plain CSL 1.0.2.

    ``lang`` picks which CSL-M layout survives (``en``: the English one); by default the layout
    for entries in other languages, the style's main one, is kept.
    """
    from citekit.render.engine import load_style

    path = resolve_style(style)
    load_style(path)  # the style must be valid for citekit first (errors name file and line)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        tree = etree.parse(str(path), parser)
    except etree.XMLSyntaxError as exc:
        raise CitekitError(f"not well-formed XML: {exc.msg}", path, exc.lineno) from None
    root = tree.getroot()
    lost: list[str] = []

    for section in (c for c in root if _local(c) in ("citation", "bibliography")):
        kept_locale = _one_layout(section, lang, root.get("default-locale"), lost)
        if kept_locale and section.tag == _C + "bibliography":
            root.set("default-locale", kept_locale)  # the layout was rendered in its own locale

    formatted = 0
    for el in list(root.iter(_C + "institution")):
        names = el.getparent()
        # The loss shows only where the personal name's parts are formatted (GB/T 2015's capitals).
        formatted += any(len(part.attrib) > 1 for part in names.iter(_C + "name-part") if part.get("name") == "family")
        names.remove(el)
    if formatted:
        lost.append("names: cs:institution (CSL-M) is dropped: institutional authors take the family name-part's "
                    "formatting, as personal names do (UNITED STATES CONGRESS where the style capitalises surnames)")

    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in [a for a in el.attrib if a.startswith(f"{{{CITEKIT_NS}}}")]:
            local = etree.QName(attr).localname
            value = el.attrib.pop(attr)
            if local == "locator" and value == "after":
                _locator_after(el, lost)
            elif local in _LOST_ATTRIBUTES:
                lost.append(f"citekit:{local}=\"{value}\": {_LOST_ATTRIBUTES[local]}")
            else:
                lost.append(f"citekit:{local}=\"{value}\" on cs:{_local(el)} is dropped")

    for term in list(root.iter(_C + "term")):
        why = NON_STANDARD_TERMS.get(term.get("name", ""))
        if why is not None and term.getparent() is not None:
            lost.append(f"term {term.get('name')}: {why.format(value=term.text or '')}")
            parent = term.getparent()
            parent.remove(term)
            if not len(parent) and parent.getparent() is not None:  # an empty cs:terms is invalid
                parent.getparent().remove(parent)

    _no_space_before_cjk_et_al(root, load_style(path), lost)

    lost = list(dict.fromkeys(lost))
    _mark_exported(root, path, lost)
    etree.cleanup_namespaces(root, top_nsmap={None: CSL_NS})
    etree.indent(root, space="  ")
    xml = etree.tostring(tree, encoding="utf-8", xml_declaration=True).decode("utf-8") + "\n"
    return ExportedStyle(xml.replace("<?xml version='1.0' encoding='utf-8'?>",
                                     '<?xml version="1.0" encoding="utf-8"?>', 1), lost)


def _mark_exported(root: etree._Element, source: Path, lost: list[str]) -> None:
    """Title and id say this is the CSL 1.0.2 export (Zotero keeps it apart from the original); a
    comment after ``cs:info`` lists what was lost."""
    info = root.find(_C + "info")
    if info is None:
        return
    notes = "".join(f"\n    - {line.replace('--', '- -')}" for line in lost) or "\n    nothing"
    info.addnext(etree.Comment(f"\n    Exported by citekit from {source.name} as plain CSL 1.0.2. "
                               f"Not expressible here:{notes}\n  "))
    title = info.find(_C + "title")
    if title is not None and title.text and "CSL 1.0.2" not in title.text:
        title.text = f"{title.text.strip()} [CSL 1.0.2 export]"
    ident = info.find(_C + "id")
    if ident is not None and ident.text and not ident.text.endswith("-csl102"):
        ident.text = ident.text.strip() + "-csl102"
    root.set("version", "1.0")


def write_export(style: str | Path, output: str | Path | None, *, lang: str | None = None) -> ExportedStyle:
    """Export ``style`` and write it to ``output`` (atomically); ``None``: only return it."""
    exported = export_style(style, lang=lang)
    if output is not None:
        from citekit.fileio import atomic_write

        atomic_write(output, exported.xml)
    return exported
