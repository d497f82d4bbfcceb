r"""Writing ``paper.bbl`` in natbib's conventions from citekit's CSL engine.

* Numeric styles: ``\bibitem{key}``; natbib numbers the entries in ``.bbl`` order, which is the
  engine's bibliography order (first citation for GB/T), so ``\cite{a,b,c}`` under
  ``\usepackage[numbers,sort&compress]{natbib}`` prints [1-3].
* Author-date styles: ``\bibitem[{Author}({Year})]{key}``, so ``\citet`` prints "Author (Year)"
  and ``\citep`` "(Author, Year)". Both parts come from the engine: the cite rendered
  author-only, and rendered with the author suppressed (year suffixes included). Each part is
  braced, so a "(" in a corporate name does not end natbib's author.

natbib compresses only runs of three or more numbers, and none of its options (``\bibpunct``,
``\citestyle``) changes that. For a style with ``citekit:collapse-min="2"`` (GB/T 7714 10.1.2:
[2-3]) or a range dash other than natbib's en dash, the ``.bbl`` adjusts natbib's range
macro. The ``.bbl`` is read where ``\bibliography`` stands, usually after every ``\cite``, so the
adjustment is also written to the ``.aux``, which LaTeX reads at ``\begin{document}`` of the next
run: the same run in which the numbers from this ``.bbl`` first appear.

A document that loads citekit.sty (its ``.aux`` holds ``\citekit@cite`` clusters) gets every
citation's text instead (:mod:`citekit.latex.clusters`), defined before the list, where
citekit.sty reads them at ``\begin{document}``, and a list that needs neither natbib nor
``\bibcite``: labels as the style prints them, or a hanging indent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from citekit.csl.nodes import Node, Span, Tag
from citekit.csl.output import render
from citekit.csl.processor import NO_PRINTED_FORM, CiteRef, Cluster, Processor
from citekit.csl.style import Style
from citekit.latex.aux import AuxFile, AuxRef
from citekit.latex.clusters import format_clusters
from citekit.model import Item
from citekit.render.engine import RenderedEntry, is_numeric, load_style, processor, render_entries

# Characters a \bibitem key cannot hold: they end the argument, start a comment or a macro, or
# are parameters; whitespace and commas cannot be cited (\cite splits at commas).
_BAD_KEY = re.compile(r"[\\{}%#,\s]")


@dataclass
class Bbl:
    """A written bibliography: the ``.bbl`` text and what went wrong on the way."""

    text: str
    keys: list[str]  # the \bibitem keys, in order
    warnings: list[str] = field(default_factory=list)  # "file:line: message"
    errors: list[str] = field(default_factory=list)


def bad_key_reason(key: str) -> str | None:
    """Why ``key`` cannot be written as ``\\bibitem{key}``, or None when it can."""
    m = _BAD_KEY.search(key)
    if m is None:
        return None
    char = m.group(0)
    shown = {" ": "a space", "\t": "a tab", "\n": "a line break", ",": "a comma"}.get(char, repr(char))
    return f"it contains {shown}"


def select(aux: AuxFile, pool: Sequence[Item]) -> tuple[list[tuple[str, Item]], list[str]]:
    """(key as cited, item) in bibliography-input order, and warnings for keys not found.

    Keys match exactly, else case-insensitively (bibtex's rule); ``\\citation{*}`` adds every
    other entry in database order after the entries cited before it, as bibtex does.
    """
    exact: dict[str, Item] = {}
    folded: dict[str, Item] = {}
    for item in pool:
        exact.setdefault(str(item.get("id")), item)
        folded.setdefault(str(item.get("id")).lower(), item)
    chosen: list[tuple[str, Item]] = []
    taken: set[str] = set()
    warnings: list[str] = []

    def add(ref: AuxRef) -> None:
        item = exact.get(ref.value) or folded.get(ref.value.lower())
        if item is None:
            warnings.append(f'{ref.where}: I didn\'t find a database entry for "{ref.value}"')
        elif str(item["id"]) not in taken:
            taken.add(str(item["id"]))
            chosen.append((ref.value, item))

    refs = aux.keys()
    if aux.nocite_all is None:
        for ref in refs:
            add(ref)
        return chosen, warnings
    before = {r.value for r in aux.citations[:aux.cited_before_all]}
    for ref in refs:
        if ref.value in before:
            add(ref)
    for item in pool:
        if str(item["id"]) not in taken:
            taken.add(str(item["id"]))
            chosen.append((str(item["id"]), item))
    for ref in refs:  # cited after \citation{*}: already in, unless unknown
        if ref.value not in before:
            add(ref)
    return chosen, warnings


def write_bbl(aux: AuxFile, pool: Sequence[Item], style: str | Path, *, source: str = "") -> Bbl:
    """The ``.bbl`` for the citations of ``aux`` from the items of ``pool``."""
    chosen, warnings = select(aux, pool)
    errors: list[str] = []
    where = {r.value: r.where for r in aux.keys()}
    safe: list[tuple[str, Item]] = []
    for key, item in chosen:
        reason = bad_key_reason(key)
        if reason:  # never written: a '}' or '%' would end \bibitem's argument and inject TeX
            errors.append(f"{where.get(key, str(aux.path))}: key {key!r} cannot be a \\bibitem key "
                          f"({reason}); entry left out")
        else:
            safe.append((key, item))
    loaded = load_style(style)
    items = [dict(item, id=key) for key, item in safe]  # the key as cited is the one \cite looks up
    if aux.clusters:
        return _cited_bbl(aux, items, loaded, source, warnings, errors)
    numeric = is_numeric(loaded)
    entries = render_entries(items, loaded, fmt="latex") if items else []
    labels = {} if numeric or not items else author_year_labels(items, loaded)
    lines = [f"% Written by citekit latex{' from ' + source if source else ''} in style {Path(loaded.path).stem}.",
             r"\providecommand{\href}[2]{#2}",
             # A URL keeps % # & _ ~ as typed (the engine writes it raw inside \url{}); without
             # the url package or hyperref, this fallback reads it with those characters inert.
             r"\providecommand{\url}{\begingroup\catcode`\%=12 \catcode`\#=12 \catcode`\&=12 "
             r"\catcode`\_=12 \catcode`\~=12 \catcode`\^=12 \catcode`\$=12 \citekiturl}",
             r"\providecommand{\citekiturl}[1]{\texttt{#1}\endgroup}"]
    if numeric:
        lines += _numeric_setup(loaded, entries)
    lines.append(r"\begin{thebibliography}{" + str(max(len(entries), 1)) + "}")
    for e in entries:
        label, body = e.rendered("latex")
        opt = ""
        if e.key in labels:
            author, year = labels[e.key]
            opt = "[{" + author + "}({" + year + "})]"
        lines.append("")
        lines.append(rf"\bibitem{opt}{{{e.key}}}")
        lines.append(body if numeric or not label else f"{label} {body}")
    lines += ["", r"\end{thebibliography}"]
    return Bbl("\n".join(lines) + "\n", [e.key for e in entries], warnings, errors)


def _cited_bbl(aux: AuxFile, items: list[Item], style: Style, source: str, warnings: list[str],
               errors: list[str]) -> Bbl:
    """The ``.bbl`` of a citekit.sty document: each cluster's text, then the list."""
    proc = processor(items, style, "latex")
    keys = [str(i["id"]) for i in items]
    proc.register(keys)  # \nocite entries are numbered with the rest, in citation order
    ids: dict[str, str] = {}
    for key in keys:
        ids.setdefault(key, key)
        ids.setdefault(key.lower(), key)
    bad = {k: r for cl in aux.clusters for k in cl.keys if (r := bad_key_reason(k))}
    formatted = format_clusters(aux.clusters, proc, ids, bad)
    lines = [r"\csname citekitbbl\endcsname",  # citekit.sty reads up to \citekitdefsdone at \begin{document}
             f"% Written by citekit latex{' from ' + source if source else ''} in style {Path(style.path).stem} "
             "for citekit.sty.",
             r"\expandafter\ifx\csname citekitcluster\endcsname\relax\else",
             *formatted.lines,
             r"\fi",
             r"\csname citekitdefsdone\endcsname"]
    entries = [] if style.bibliography is None else [
        RenderedEntry(e.id, (e.label, e.body), proc.locale) for e in proc.bibliography_entries(keys)]
    if entries:
        lines += _list(entries)
    return Bbl("\n".join(lines) + "\n", [e.key for e in entries], warnings, errors + formatted.errors)


def _list(entries: Sequence[RenderedEntry]) -> list[str]:
    """thebibliography with the style's labels in a column, or without labels, hanging."""
    rendered = [e.rendered("latex") for e in entries]
    labels = [label for label, _ in rendered if label]
    if labels:
        widest = max(labels, key=len)
        lines = [r"\begingroup\csname citekitlabels\endcsname", r"\begin{thebibliography}{" + widest + "}"]
        for label, body in rendered:
            lines += ["", r"\item[{" + (label or "") + "}] " + body]
        return [*lines, "", r"\end{thebibliography}", r"\endgroup"]
    lines = [r"\begin{thebibliography}{}", r"\csname citekithanging\endcsname"]
    for _, body in rendered:
        lines += ["", r"\item[] " + body]
    return [*lines, "", r"\end{thebibliography}"]


def author_year_labels(items: Sequence[Item], style: Style) -> dict[str, tuple[str, str]]:
    """Key → (author, year) as the style cites them, for natbib's ``Author(Year)`` labels."""
    proc = processor(items, style, "latex")
    ids = [str(i["id"]) for i in items]
    clusters = [Cluster([CiteRef(k, author_only=True)]) for k in ids]
    clusters += [Cluster([CiteRef(k, suppress_author=True)]) for k in ids]
    nodes = proc.process_nodes(clusters)
    out = {}
    for i, key in enumerate(ids):
        author = _cite_text(proc, nodes[i])
        year = _cite_text(proc, nodes[len(ids) + i])
        if not author or NO_PRINTED_FORM in author:
            author = _cite_text(proc, proc.process_nodes([Cluster([CiteRef(key)])])[0]) or key
        # natbib tests the year with \if: an empty one would swallow the next token
        out[key] = (author, year or r"\relax")
    return out


def _cite_text(proc: Processor, node: Node | None) -> str:
    """One cite's text without the cluster's affixes: the ``item`` tag's contents."""
    stack: list[Node] = [node] if node is not None else []
    while stack:
        n = stack.pop()
        if isinstance(n, Tag) and n.kind == "item":
            return render(Span(list(n.children)), "latex", proc.locale).strip()
        if isinstance(n, (Span, Tag)) or hasattr(n, "children"):
            stack.extend(reversed(list(getattr(n, "children", []))))
    return ""


def range_dash(style: Style) -> tuple[str, bool]:
    """The dash the style puts between the first and last number of a range, and whether two
    consecutive numbers already make a range (``citekit:collapse-min="2"``)."""
    fake = [{"id": f"citekit-probe-{i}", "type": "book", "title": f"T{i}"} for i in range(3)]
    proc = Processor(style, fake, fmt="text")
    text = proc.process([Cluster([CiteRef(f["id"]) for f in fake])])[0]
    m = re.search(r"1(\D{1,3})3", text)
    pairs = style.citation is not None and style.citation.el.get("citekit:collapse-min") == "2"
    return (m.group(1) if m else "\u2013"), pairs


def _numeric_setup(style: Style, entries: Sequence) -> list[str]:
    lines: list[str] = []
    if entries:
        first = entries[0].rendered("latex")[0]
        m = re.fullmatch(r"(\D*)1(\D*)", first or "")
        if m is None or (m.group(1), m.group(2)) != ("[", "]"):
            # natbib prints the list's labels as [n]; the style wants another form, or none (an
            # entry that carries its own number)
            fmt_ = f"{m.group(1)}#1{m.group(2)}" if m else ""
            lines += [r"\providecommand{\bibnumfmt}[1]{}", rf"\renewcommand{{\bibnumfmt}}[1]{{{fmt_}}}"]
    dash, pairs = range_dash(style)
    if pairs or dash not in ("\u2013", "--"):
        lines += natbib_range_patch("--" if dash == "\u2013" else _tex_dash(dash), pairs)
    return lines


def _tex_dash(dash: str) -> str:
    return "".join({"\\": "", "{": "", "}": "", "%": "", "#": ""}.get(c, c) for c in dash) or "-"


def natbib_range_patch(dash: str, pairs: bool) -> list[str]:
    r"""TeX that makes natbib join ranges with ``dash`` and, with ``pairs``, compress two numbers.

    natbib builds the tail of a run through ``\def@NAT@last@yr``: called with ``\@citea`` (the
    separator) for the second number of a run and with ``--\NAT@penalty`` for every later one.
    The wrapper swaps the argument. It takes no parameters (``\afterassignment`` catches the
    argument), so it can be written to the ``.aux`` unchanged; ``#`` would be doubled there.
    """
    first = r"\citekit@dash" if pairs else r"\@citea"
    body = (r"\@ifundefined{citekit@natrange}{\global\let\citekit@natrange\def@NAT@last@yr}{}"
            r"\gdef\citekit@citea{\@citea}"
            rf"\gdef\citekit@dash{{{dash}\NAT@penalty}}"
            rf"\gdef\citekit@first{{{first}}}"
            r"\gdef\def@NAT@last@yr{\afterassignment\citekit@range\def\citekit@arg}"
            r"\gdef\citekit@range{\ifx\citekit@arg\citekit@citea\let\citekit@use\citekit@first"
            r"\else\let\citekit@use\citekit@dash\fi"
            r"\expandafter\citekit@natrange\expandafter{\citekit@use}}")
    return [r"\chardef\citekitatcode=\catcode`\@ \catcode`\@=11",
            r"\@ifundefined{def@NAT@last@yr}{}{%",
            r"\if@filesw\immediate\write\@auxout{\unexpanded{" + body + r"}}\fi",
            body + "}",
            r"\catcode`\@=\citekitatcode"]
