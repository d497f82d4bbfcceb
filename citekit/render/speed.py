"""Speed for citeproc-py 0.11.1: caches and fast paths that leave output unchanged.

citeproc-py re-evaluates xpath look-ups, locale options and formatter chains for every rendered
piece. These replacements cache what cannot change while a style is loaded (the engine keeps every
element proxy alive, so per-element caches persist and ids are never reused) and skip work for
elements that carry no formatting. Installed by :func:`citekit.render.patches.apply`; the render
tests and the memo tests compare output with and without them.
"""

from __future__ import annotations

import citeproc.string
from citeproc import model
from citeproc import source as csl_source
from citeproc.source.json import CiteProcJSON

from citekit.render import memo


def _reference(self: csl_source.CitationItem):
    # Looked up ~120 times per entry through two properties and a CustomDict; cache it on the item.
    try:
        return dict.__getitem__(self, "_citekit_reference")
    except KeyError:
        ref = self.bibliography.source[self.key]
        dict.__setitem__(self, "_citekit_reference", ref)
        return ref


# --- memoised macro and term look-ups (xpath on every call) -------------------------------------

def _get_macro(self, name):
    root = self.get_root()
    cache = root.__dict__.setdefault("_citekit_macros", {})
    try:
        return cache[name]
    except KeyError:
        macro = cache[name] = root.xpath_search(f"cs:macro[@name='{name}'][1]")[0]
        return macro


_original_get_term = model.CitationStylesElement.get_term


def _get_term(self, name, form=None, fallback_locale=True, zero_padded=False):
    root = self.get_root()
    locales = getattr(root, "locales", None)
    if locales is None:  # a Locale root: not cached
        return _original_get_term(self, name, form, fallback_locale, zero_padded)
    cache = root.__dict__.setdefault("_citekit_terms", {})
    # The locale list object is part of the key: multi-layout rendering swaps lists, and the
    # lists live as long as the style (they are kept in engine's cache), so ids are not reused.
    key = (id(locales), name, form, fallback_locale, zero_padded)
    try:
        return cache[key]
    except KeyError:
        term = cache[key] = _original_get_term(self, name, form, fallback_locale, zero_padded)
        return term


# --- ancestor look-ups by xpath on every call -------------------------------------------------
# get_layout and Name.get_option search the ancestors with xpath for every rendered variable.
# Element proxies are kept alive by the engine (LoadedStyle.keepalive), so caching on them is safe.

_ANCESTOR = "./ancestor::*[self::cs:citation or self::cs:bibliography][1]"


def _get_layout(self):
    try:
        return self.__dict__["_citekit_layout"]
    except KeyError:
        layout = self.__dict__["_citekit_layout"] = self.xpath_search("./ancestor-or-self::cs:layout[1]")[0]
        return layout


def _name_get_option(self, name, context=None, sort_options=None):
    if sort_options is not None and name in sort_options:
        value = sort_options[name]
    else:
        ctx = self if context is None else context
        parent = ctx.__dict__.get("_citekit_ancestor")
        if parent is None:
            parent = ctx.__dict__["_citekit_ancestor"] = ctx.xpath_search(_ANCESTOR)[0]
        if name in ("form", "delimiter"):
            value = self.get(name, parent.get_option("name-" + name))
        else:
            value = self.get(name, parent.get_option(name))
    if name in ("initialize-with-hyphen", "et-al-use-last"):
        value = value.lower() == "true"
    elif name.startswith("et-al"):
        value = int(value)
    return value


# --- per-element fast paths ---------------------------------------------------------------------
# Every rendered piece walks font-style, font-variant, font-weight, text-decoration and
# vertical-align (each fetching the formatter through the root), reads the locale's
# punctuation-in-quote option even when nothing is quoted, and re-finds the tree root. Elements
# that carry none of those attributes skip the work; results are identical.

_FORMAT_ATTRS = ("font-style", "font-variant", "font-weight", "text-decoration", "vertical-align")
_original_format = model.Formatted.format
_original_quote = model.Quoted.quote


def _format(self, string):
    plain = self.__dict__.get("_citekit_plain")
    if plain is None:
        plain = self.__dict__["_citekit_plain"] = not any(a in self.attrib for a in _FORMAT_ATTRS)
    if plain:
        return str(string) if isinstance(string, (int, float)) else string
    return _original_format(self, string)


_original_wrap = model.Affixed.wrap


def _wrap(self, string):
    if string is not None and "prefix" not in self.attrib and "suffix" not in self.attrib:
        return string
    return _original_wrap(self, string)


def _quote(self, string):
    if self.get("quotes", "false").lower() != "true":
        return string
    return _original_quote(self, string)


def _get_root(self):
    try:
        return self.__dict__["_citekit_root"]
    except KeyError:
        root = self.__dict__["_citekit_root"] = self.getroottree().getroot()
        return root


def _get_formatter(self):
    root = self.get_root()
    if isinstance(root, model.Locale):
        return root.style.formatter
    return root.formatter


def _is_locale_date(self) -> bool:
    try:
        return self.__dict__["_citekit_locale_date"]
    except KeyError:
        value = self.__dict__["_citekit_locale_date"] = bool(self.xpath_search("./ancestor::cs:locale[1]"))
        return value


def _get_date(self, form):
    root = self.get_root()
    cache = root.__dict__.setdefault("_citekit_dates", {})
    key = (id(root.locales), form)
    if key not in cache:
        for locale in root.locales:
            try:
                cache[key] = locale.get_date(form)
                break
            except IndexError:
                continue
        else:
            cache[key] = None
    return cache[key]


_original_locale_get_term = model.Locale.get_term
_MISSING = object()


def _locale_get_term(self, name, form=None, zero_padded=False):
    cache = self.__dict__.setdefault("_citekit_locale_terms", {})
    key = (name, form, zero_padded)
    term = cache.get(key, None)
    if term is None:
        try:
            term = _original_locale_get_term(self, name, form, zero_padded)
        except IndexError:
            term = _MISSING
        cache[key] = term
    if term is _MISSING:
        raise IndexError(name)
    return term


def _parent_delimiter(self, context=None):
    ctx = self if context is None else context
    parent = ctx.__dict__.get("_citekit_ancestor")
    if parent is None:
        parent = ctx.__dict__["_citekit_ancestor"] = ctx.xpath_search(_ANCESTOR)[0]
    return parent.get_option("names-delimiter")


def _substitute(self):
    try:
        return self.__dict__["_citekit_substitute"]
    except KeyError:
        found = self.xpath_search("./cs:substitute[1]")
        result = self.__dict__["_citekit_substitute"] = found[0] if found else None
        return result


def _et_al(self):
    element = self.__dict__.get("_citekit_et_al", _MISSING)
    if element is _MISSING:
        found = self.xpath_search("./following-sibling::cs:et-al[1]")
        element = self.__dict__["_citekit_et_al"] = found[0] if found else None
    return element.render() if element is not None else self.get_single_term(name="et-al")


_original_parse_string = CiteProcJSON.parse_string


def _parse_string(self, string):
    # Most values carry no <span class="nocase">: build the one-piece MixedString directly instead
    # of concatenating onto an empty one (which goes through an exception and a seam check).
    string = str(string)
    if "<span" not in string.lower():
        mixed = citeproc.string.MixedString
        return mixed([citeproc.string.String(string)]) if string else mixed()
    return _original_parse_string(self, string)


def apply() -> None:
    csl_source.CitationItem.reference = property(_reference)
    model.CitationStylesElement.get_macro = _get_macro
    model.CitationStylesElement.get_term = _get_term
    model.CitationStylesElement.get_layout = _get_layout
    model.Name.get_option = _name_get_option
    model.Formatted.format = _format
    model.Quoted.quote = _quote
    model.Affixed.wrap = _wrap
    model.CitationStylesElement.get_root = _get_root
    model.CitationStylesElement.get_formatter = _get_formatter
    model.Date.is_locale_date = _is_locale_date
    model.CitationStylesElement.get_date = _get_date
    model.Locale.get_term = _locale_get_term
    CiteProcJSON.parse_string = _parse_string
    model.Names.get_parent_delimiter = _parent_delimiter
    model.Names.substitute = _substitute
    model.Name.et_al = _et_al
    model.Text.render = memo.text_render  # macro calls looked up by their inputs (see memo.py)
