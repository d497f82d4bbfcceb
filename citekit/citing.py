"""Which keys a manuscript cites, in order: Markdown, LaTeX sources and LaTeX ``.aux`` files.

A manuscript is read in its own grammar: Markdown through pandoc's reader when ``pandoc`` is on
PATH (else citekit's own reader, which knows code, comments and front matter), LaTeX sources
without comments and verbatim text, and LaTeX ``.aux`` files as BibTeX and biblatex write them.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path

from citekit.errors import CitekitError
from citekit.fileio import read_text


@dataclass(frozen=True, slots=True)
class Citation:
    """One citation of ``key`` in a manuscript; ``line`` is 1-based (None when it cannot be placed)."""

    key: str
    line: int | None
    path: Path | None = None  # when not the manuscript itself (a chapter's .aux)


ALL = "*"  # \nocite{*}, nocite: '@*': every entry of the library

LATEX_SUFFIXES = (".tex", ".ltx", ".sty", ".cls")

# ---------------------------------------------------------------- Markdown (pandoc's grammar)

# A key: letters, digits and _, with :.#$%&-+?<>~/ inside (each followed by a letter or digit), or
# anything braced; never right after a word character (an e-mail address) or a backslash.
_MD_CITE = re.compile(r"(?<![\w@\\])@(?:\{([^{}]*)\}|(\w(?:\w|[:.#$%&\-+?<>~/](?=\w))*))")
# Inline constructs that are not prose, each blanked out (newlines kept, so lines stay put).
_MD_INLINE = re.compile(
    r"<!--.*?-->"                                        # HTML comment
    r"|(?P<ticks>`+)(?:(?!\n[ \t]*\n).)+?(?<!`)(?P=ticks)(?!`)"  # inline code, within a paragraph
    r"|\\[@\\]"                                          # escaped @ (or an escaped backslash)
    r"|<[A-Za-z][\w+.-]*:[^\s<>]*>"                      # autolink
    r"|\]\([^)\s]*",                                     # link destination
    re.S)
_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_YAML_KEY = re.compile(r"^[A-Za-z_][\w -]*:(?:\s|$)")


def _blank(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def _yaml_end(lines: list[str], start: int) -> int | None:
    """The closing ``---``/``...`` line of a YAML block opened at ``start``, if it is one."""
    if start + 1 >= len(lines) or not lines[start + 1].strip() or not _YAML_KEY.match(lines[start + 1]):
        return None
    for j in range(start + 1, len(lines)):
        if lines[j].rstrip() in ("---", "..."):
            return j
    return None


def _nocite(lines: list[str], start: int, end: int) -> list[Citation]:
    """Keys of the ``nocite:`` field of the YAML block between lines ``start`` and ``end``."""
    out: list[Citation] = []
    inside = False
    for j in range(start + 1, end):
        line = lines[j]
        if _YAML_KEY.match(line):
            inside = line.startswith("nocite:")
            line = line[len("nocite:"):] if inside else line
        elif line.strip() and not line[0].isspace():
            inside = False
        if inside:
            out += [Citation(m.group(1) or m.group(2), j + 1) for m in _MD_CITE.finditer(line)]
    return out


def markdown_citations_own(text: str) -> list[Citation]:
    """Citations in pandoc Markdown, in order, read by citekit (no pandoc needed).

    Skipped as pandoc skips them: fenced (``` and ~~~) and indented code blocks, inline code,
    HTML comments, autolinks and link targets, ``\\@``, and YAML metadata blocks, whose
    ``nocite:`` keys come after the text's citations.
    """
    lines = text.split("\n")
    masked: list[str] = []
    nocite: list[Citation] = []
    i, prev_blank, in_list, in_code = 0, True, False, False
    while i < len(lines):
        line = lines[i]
        if line.rstrip() == "---" and prev_blank:
            end = _yaml_end(lines, i)
            if end is not None:
                nocite += _nocite(lines, i, end)
                masked += [""] * (end - i + 1)
                i, prev_blank, in_code = end + 1, False, False
                continue
        fence = _FENCE.match(line)
        if fence and not (fence.group(2)[0] == "`" and "`" in fence.group(3)):
            mark = fence.group(2)
            close = re.compile(rf"^ {{0,3}}{re.escape(mark[0])}{{{len(mark)},}}[ \t]*$")
            end = next((j for j in range(i + 1, len(lines)) if close.match(lines[j])), len(lines) - 1)
            masked += [""] * (end - i + 1)
            i, prev_blank, in_code = end + 1, False, False
            continue
        blank = not line.strip()
        indented = line.startswith(("    ", "\t"))
        if not blank and indented and (in_code or (prev_blank and not in_list)):
            in_code = True  # an indented code block: after a blank line, outside a list
            masked.append("")
        else:
            if not blank:
                in_code = False
                if not indented:
                    in_list = bool(_LIST_ITEM.match(line)) or (in_list and not prev_blank)
            masked.append(line)
        prev_blank = blank
        i += 1
    body = _MD_INLINE.sub(lambda m: _blank(m.group(0)), "\n".join(masked))
    return _cites_with_lines(body) + nocite


def _cites_with_lines(body: str) -> list[Citation]:
    out = []
    line, last = 1, 0
    for m in _MD_CITE.finditer(body):
        line += body.count("\n", last, m.start())
        last = m.start()
        key = m.group(1) if m.group(1) is not None else m.group(2)
        if key.strip():
            out.append(Citation(key.strip(), line))
    return out


def _pandoc_cites(node: object, out: list[str]) -> None:
    if isinstance(node, dict):
        if node.get("t") == "Cite":
            out.extend(str(c.get("citationId", "")) for c in node["c"][0])
            return
        for value in node.values():
            _pandoc_cites(value, out)
    elif isinstance(node, list):
        for value in node:
            _pandoc_cites(value, out)


PANDOC_TIMEOUT = 60


def markdown_citations_pandoc(path: Path, text: str, pandoc: str) -> list[Citation]:
    """Citations as pandoc's Markdown reader finds them (text, then ``nocite``), placed on their lines.

    pandoc's JSON has no source positions for Markdown, so each key is placed at its next
    occurrence found by citekit's own reader, or else by a search of the raw text.
    """
    try:
        proc = subprocess.run([pandoc, "-f", "markdown", "-t", "json", str(path)], capture_output=True,
                              text=True, encoding="utf-8", errors="replace", timeout=PANDOC_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        # pandoc's reader is super-linear on pathological nesting; a paper takes well under 1 s
        raise CitekitError(f"pandoc did not finish reading it in {PANDOC_TIMEOUT} s", path) from None
    except OSError as exc:
        raise CitekitError(f"cannot run pandoc ({pandoc}): {exc.strerror or exc}", path) from None
    if proc.returncode != 0:
        detail = proc.stderr.strip().splitlines()
        raise CitekitError(f"pandoc could not read it: {detail[-1] if detail else proc.returncode}", path)
    doc = json.loads(proc.stdout)
    keys: list[str] = []
    _pandoc_cites(doc.get("blocks", []), keys)
    _pandoc_cites((doc.get("meta") or {}).get("nocite"), keys)
    found: dict[str, deque[int | None]] = defaultdict(deque)
    for c in markdown_citations_own(text):
        found[c.key].append(c.line)
    out = []
    for key in keys:
        if found[key]:
            line = found[key].popleft()
        else:
            m = re.search(rf"@\{{?{re.escape(key)}", text)
            line = text.count("\n", 0, m.start()) + 1 if m else None
        out.append(Citation(key, line))
    return out


# ---------------------------------------------------------------- LaTeX sources and .aux files

_VERBATIM = re.compile(r"\\begin\{(verbatim\*?|Verbatim\*?|lstlisting|minted|comment|alltt|BVerbatim|LVerbatim)\}"
                       r".*?\\end\{\1\}", re.S)
_VERB = re.compile(r"\\(?:verb|lstinline)\*?([^\w\s{])[^\n]*?\1")
_COMMENT = re.compile(r"(?<!\\)((?:\\\\)*)%[^\n]*")
# \cite, \citep, \parencite, \textcite, \autocite*, \footcite, \nocite, \cites (biblatex multicite), …
_TEX_CMD = re.compile(r"\\([A-Za-z]*[cC]ite[A-Za-z]*|citation)\*?(?![A-Za-z])")
# Commands with "cite" in their name that define or configure rather than cite.
_NOT_CITING = re.compile(r"^(?:Declare|Provide|New|Renew|new|renew|def|provide)|^cite(?:style|setup|color|punct)")
_TEX_ARG = re.compile(r"\s*(?:\[[^\]]*\]|\([^)]*\))")
_TEX_KEYS = re.compile(r"\s*\{([^{}]*)\}")


def latex_citations(text: str) -> list[Citation]:
    """``\\cite``-family citations in a LaTeX source, skipping comments and verbatim material."""
    body = _VERBATIM.sub(lambda m: _blank(m.group(0)), text)
    body = _VERB.sub(lambda m: _blank(m.group(0)), body)
    body = _COMMENT.sub(lambda m: m.group(1) + _blank(m.group(0)[len(m.group(1)):]), body)
    out: list[Citation] = []
    for m in _TEX_CMD.finditer(body):
        name = m.group(1)
        if _NOT_CITING.match(name):
            continue
        pos = m.end()
        while True:  # optional arguments, then the keys; multicite commands repeat the pair
            while (opt := _TEX_ARG.match(body, pos)) is not None:
                pos = opt.end()
            keys = _TEX_KEYS.match(body, pos)
            if keys is None:
                break
            line = body.count("\n", 0, keys.start(1)) + 1
            out += [Citation(k.strip(), line) for k in keys.group(1).split(",") if k.strip()]
            pos = keys.end()
            if not name.endswith("cites"):
                break
    return out


# ---------------------------------------------------------------- any manuscript


def citations_in(path: str | Path, *, use_pandoc: bool | None = None) -> list[Citation]:
    """Every citation in a manuscript, in document order (``.md`` and others: pandoc Markdown).

    ``use_pandoc``: None uses pandoc when it is on PATH; False always uses citekit's reader.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".aux":
        return _read_aux(path)
    text, _ = read_text(path)
    if suffix in LATEX_SUFFIXES:
        return latex_citations(text)
    pandoc = shutil.which("pandoc") if use_pandoc is not False else None
    if pandoc:
        return markdown_citations_pandoc(path, text, pandoc)
    return markdown_citations_own(text)


def _read_aux(path: Path) -> list[Citation]:
    """``.aux`` citations (BibTeX's and biblatex's) through the reader ``citekit latex`` uses."""
    from citekit.latex.aux import read_aux

    aux = read_aux(path)
    out = [Citation(r.value, r.line, r.path) for r in aux.citations]
    if aux.nocite_all is not None:
        out.insert(aux.cited_before_all, Citation(ALL, aux.nocite_all.line, aux.nocite_all.path))
    return out
