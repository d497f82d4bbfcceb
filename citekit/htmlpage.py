"""A whole, self-contained HTML page around the reference-list fragment of ``render_document``.

The fragment (citeproc-js's markup: ``csl-bib-body``, ``csl-entry``, ``csl-left-margin``,
``csl-right-inline``) stays the default output, for embedding; this module only wraps it: a
document language, a title and an inline style sheet, no external assets.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Mapping

TITLES = {"zh": "参考文献", "ja": "参考文献", "ko": "참고문헌", "de": "Literatur", "fr": "Références"}

# Shared by both layouts: a readable measure, CJK-capable fonts, and long URLs that wrap anywhere
# (``anywhere`` also lowers the min-content width, so nothing can push the column wider).
_BASE_CSS = """\
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { box-sizing: border-box; max-width: 46rem; margin: 0 auto; padding: 1.5rem 1rem;
  font: 1rem/1.6 system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", "PingFang SC",
  "Microsoft YaHei", sans-serif; color: #1b1b1b; background: #fff; overflow-wrap: anywhere; }
h1 { font-size: 1.4rem; line-height: 1.3; margin: 0 0 1rem; }
a { color: #0b57a4; }
.csl-bib-body { margin: 0; }
.csl-entry { margin: 0 0 .55em; overflow-wrap: anywhere; }
"""

# Numeric styles: the label sits in its own column, as wide as the widest label, and the entry
# text hangs beside it; flex keeps the two boxes side by side without overlapping.
_LABEL_CSS = """\
.csl-entry { display: flex; align-items: baseline; gap: .5em; }
.csl-left-margin { flex: 0 0 auto; min-width: {width}; text-align: right; white-space: nowrap;
  font-variant-numeric: tabular-nums; }
.csl-right-inline { flex: 1 1 auto; min-width: 0; }
"""

# Author-date styles: a hanging indent, as printed reference lists do.
_HANGING_CSS = """\
.csl-entry { padding-left: 2em; text-indent: -2em; }
"""

_ENTRY_ID = re.compile(r'(<div class="csl-entry") id="ref-([^"]*)"')
_LABEL = re.compile(r'<div class="csl-left-margin">(.*?)</div>', re.S)
_TAG = re.compile(r"<[^>]+>")


def primary_language(tag: str | None) -> str:
    """``zh-CN`` → ``zh``; empty for nothing."""
    return (tag or "").replace("_", "-").split("-")[0].lower()


def page_language(default_locale: str | None, languages: Iterable[str | None]) -> str:
    """The page's ``lang``: the style's default locale, else the entries' most common language, else ``en``."""
    if default_locale:
        return default_locale.replace("_", "-")
    counts = Counter(lang.replace("_", "-") for lang in languages if lang)
    return counts.most_common(1)[0][0] if counts else "en"


def _label_width(fragment: str) -> str:
    # ch is the width of "0": digits are tabular, brackets narrower, so this is an upper bound.
    labels = [html.unescape(_TAG.sub("", m.group(1))) for m in _LABEL.finditer(fragment)]
    longest = max((len(label) for label in labels), default=3)
    return f"{max(longest, 1) + 0.5:g}ch"


def standalone_page(fragment: str, *, lang: str = "en", title: str | None = None,
                    entry_languages: Mapping[str, str | None] | None = None) -> str:
    """A complete HTML5 page showing ``fragment``.

    ``entry_languages`` maps an entry's key to its language: entries in another language than the
    page get their own ``lang`` attribute (line breaking and fonts differ between Chinese and English).
    """
    page_primary = primary_language(lang)
    if entry_languages:
        def tag_entry(m: re.Match[str]) -> str:
            key = html.unescape(m.group(2))
            entry_lang = entry_languages.get(key)
            if entry_lang and primary_language(entry_lang) != page_primary:
                return f'{m.group(1)} id="ref-{m.group(2)}" lang="{html.escape(entry_lang.replace("_", "-"))}"'
            return m.group(0)

        fragment = _ENTRY_ID.sub(tag_entry, fragment)
    heading = title if title is not None else TITLES.get(page_primary, "References")
    css = _BASE_CSS + (_LABEL_CSS.replace("{width}", _label_width(fragment)) if "csl-left-margin" in fragment
                       else _HANGING_CSS)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{html.escape(lang)}">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="citekit">\n'
        f"<title>{html.escape(heading)}</title>\n"
        f"<style>\n{css}</style>\n"
        "</head>\n"
        "<body>\n"
        "<main>\n"
        f"<h1>{html.escape(heading)}</h1>\n"
        f"{fragment.rstrip()}\n"
        "</main>\n"
        "</body>\n"
        "</html>\n"
    )
