"""Write ``.bib`` files without losing a byte: edit only the spans of the entries that change.

Every writer here reads the file under :func:`citekit.fileio.file_lock`, computes the new text
by splicing replacement text into the original at entry spans, checks that each replacement
parses as one clean entry, and replaces the file with :func:`citekit.fileio.atomic_write`. A
file that failed to parse is refused unless ``force``: its failed blocks have no trustworthy
span, so a rewrite could not promise to keep them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from citekit.bibtex.layout import EntryLayout, FieldSpan, eol_after, line_start, newline_of, scan_entry, splice
from citekit.errors import CitekitError
from citekit.fileio import atomic_write, file_lock, read_text
from citekit.model import BibFile, Entry

_BARE_NUMBER = re.compile(r"[0-9]+")


# --------------------------------------------------------------------------------------------
# Formatting a whole entry
# --------------------------------------------------------------------------------------------


def enclose(value: str, prefer: str = "{", *, bare_numbers: bool = True) -> str:
    """``value`` with delimiters: bare if it is a plain number, quotes if asked and safe, else braces."""
    if bare_numbers and _BARE_NUMBER.fullmatch(value):
        return value
    if prefer == '"' and quote_safe(value):
        return f'"{value}"'
    return "{" + value + "}"


def quote_safe(value: str) -> bool:
    depth = 0
    for ch in value:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0:
            return False
    return depth == 0


def format_entry(
    entry_type: str,
    key: str,
    fields: Sequence[tuple[str, str]] | Mapping[str, str],
    *,
    indent: str = "  ",
    bare_numbers: bool = True,
) -> str:
    """The canonical biblatex layout: ``@type{key,`` then one ``name = {value},`` per line, ``}``.

    Values are the text that goes inside the delimiters (already LaTeX-safe); they are wrapped in
    braces unless they are a bare number (``bare_numbers=False``: braces always). No trailing newline.
    """
    pairs = list(fields.items()) if isinstance(fields, Mapping) else list(fields)
    lines = [f"@{entry_type}{{{key},"]
    lines.extend(f"{indent}{name} = {enclose(value, bare_numbers=bare_numbers)}," for name, value in pairs)
    lines.append("}")
    return "\n".join(lines)


def edit_entry_text(text: str, changes: Mapping[str, str | None]) -> str:
    """Set (str) or remove (None) fields in one entry's text, keeping its layout.

    Existing fields keep their place and delimiters; new fields go after the last field in the
    entry's own style (indent, ``=`` spacing and alignment, delimiters, trailing comma, name case).
    """
    layout = scan_entry(text)
    fields = layout.fields
    nl = newline_of(text)
    edits: list[tuple[int, int, str]] = []
    lower = {name.lower(): value for name, value in changes.items()}
    removed = {i for i, f in enumerate(fields) if f.name in lower and lower[f.name] is None}
    # a field written twice: set the first occurrence and drop the later ones
    seen: set[str] = set()
    for i, f in enumerate(fields):
        if f.name in lower and lower[f.name] is not None:
            if f.name in seen:
                removed.add(i)
            seen.add(f.name)
    kept = [i for i in range(len(fields)) if i not in removed]
    dominant = _dominant_enclosing(fields)

    done: set[str] = set()
    for i, f in enumerate(fields):
        value = lower.get(f.name)
        if i in removed or value is None or f.name in done:
            continue
        done.add(f.name)
        if f.enclosing == "{":
            new = "{" + value + "}"
        elif f.enclosing == '"':
            new = f'"{value}"' if quote_safe(value) else "{" + value + "}"
        else:  # bare number or macro: stays bare only if still a number
            new = enclose(value, dominant)
        if text[f.value_start:f.value_end] != new:
            edits.append((f.value_start, f.value_end, new))

    # removals: a field with a comma takes its whole line; the trailing run of removed fields
    # when the last field has no comma is cut from the end of the last kept value instead
    last_kept = kept[-1] if kept else None
    trailing_no_comma = bool(fields) and fields[-1].comma_end is None and (len(fields) - 1) in removed
    for i in sorted(removed):
        f = fields[i]
        if trailing_no_comma and (last_kept is None or i > last_kept):
            continue
        start = f.name_start
        ls = line_start(text, start)
        end = f.comma_end if f.comma_end is not None else f.value_end
        if ls is not None:
            eol = eol_after(text, end)
            if eol != end:  # the field had its line to itself: the line goes
                start, end = ls, eol
            elif ls > 0:  # something follows on its line: join that to the line before
                start = ls - (2 if text[:ls].endswith("\r\n") else 1)
        elif f.comma_end is not None:  # mid-line: take the blanks after its comma too
            while end < len(text) and text[end] in " \t":
                end += 1
        edits.append((start, end, ""))
    if trailing_no_comma:
        # the last kept field becomes the last field: it loses its comma, as the entry's style has it
        cut_from = fields[last_kept].value_end if last_kept is not None else layout.head_end
        edits.append((cut_from, fields[-1].value_end, ""))

    new_names = [n for n, v in changes.items() if v is not None and n.lower() not in done]
    if new_names:
        edits.append(_insertion(text, layout, kept, new_names, changes, dominant, nl, trailing_no_comma))
    return splice(text, edits)


def _dominant_enclosing(fields: list[FieldSpan]) -> str:
    quoted = sum(1 for f in fields if f.enclosing == '"')
    braced = sum(1 for f in fields if f.enclosing == "{")
    return '"' if quoted > braced else "{"


def _insertion(
    text: str,
    layout: EntryLayout,
    kept: list[int],
    names: list[str],
    changes: Mapping[str, str | None],
    dominant: str,
    nl: str,
    trailing_cut: bool,
) -> tuple[int, int, str]:
    fields = layout.fields
    sample = fields[kept[0]] if kept else None
    on_own_lines = True
    indent = "  "
    eq = " = "
    align = 0
    upper = False
    if sample is not None:
        ls = line_start(text, sample.name_start)
        on_own_lines = ls is not None
        if ls is not None:
            indent = text[ls:sample.name_start]
        gap = text[sample.name_end:sample.value_start]
        eq = (" " if gap.startswith(" ") else "") + gap.lstrip(" ") if "\n" not in gap else " = "
        # "=" aligned in a column across the entry's fields (judged on all of them, removed or not)
        widths = {f.value_start - f.name_start for f in fields}
        lengths = {f.name_end - f.name_start for f in fields}
        if len(fields) >= 2 and len(widths) == 1 and len(lengths) > 1 and gap.startswith(" "):
            align = widths.pop()
            eq = gap.lstrip(" ")
        names_raw = [text[fields[i].name_start:fields[i].name_end] for i in kept]
        upper = all(n.isupper() for n in names_raw if any(c.isalpha() for c in n))
    sep = nl + indent if on_own_lines else " "

    def one(name: str) -> str:
        shown = name.upper() if upper else name.lower()
        pad = " " * max(1, align - len(shown) - len(eq)) if align else ""
        return f"{shown}{pad}{eq}{enclose(changes[name] or '', dominant)}"

    pieces = [one(n) for n in names]
    if sample is None:
        # no fields left: insert right after "@type{key," in the canonical style
        body = "".join(f"{sep}{p}," for p in pieces)
        return (layout.head_end, layout.head_end, body)
    last = fields[kept[-1]]
    if last.comma_end is not None and not trailing_cut:
        body = "".join(f"{sep}{p}," for p in pieces)
        at = last.comma_end
        if on_own_lines:
            # blanks after the last comma stay on its line, so that removing the new field
            # again gives back the original bytes
            j = at
            while j < len(text) and text[j] in " \t":
                j += 1
            if text.startswith(("\n", "\r\n"), j):
                at = j
        return (at, at, body)
    body = "".join(f",{sep}{p}" for p in pieces)
    return (last.value_end, last.value_end, body)


# --------------------------------------------------------------------------------------------
# Files: read under lock, splice, check, write atomically
# --------------------------------------------------------------------------------------------


def _parse(text: str, path: Path) -> BibFile:
    from citekit.bibtex.reader import parse_bib  # the reader imports nothing from here

    return parse_bib(text, str(path))


def check_writable(bib: BibFile, force: bool) -> None:
    if not bib.parsed_cleanly and not force:
        first = next(p for p in bib.problems if p.code == "parse-error")
        raise CitekitError(
            f"refusing to rewrite a file that did not parse cleanly (line {first.line}: "
            f"{first.message}); fix it or use --force",
            bib.path,
        )


def _entry_index(bib: BibFile, keys: Iterable[str]) -> dict[str, Entry]:
    by_key: dict[str, list[Entry]] = {}
    for e in bib.entries:
        by_key.setdefault(e.key, []).append(e)
    out: dict[str, Entry] = {}
    for k in keys:
        found = by_key.get(k)
        if not found:
            raise CitekitError(f"no entry with key {k!r}", bib.path)
        if len(found) > 1:
            raise CitekitError(f"key {k!r} is used by more than one entry", bib.path, found[1].line)
        if not span_ok(bib.text, found[0]):
            raise CitekitError(f"cannot locate entry {k!r} exactly in the file; not rewriting it", bib.path)
        out[k] = found[0]
    return out


def span_ok(text: str, entry: Entry) -> bool:
    """The entry's span really starts with its own ``@type{key`` (a last check before editing)."""
    head = re.match(r"@\s*[A-Za-z_][\w-]*\s*[{(]\s*([^\s,{}()]*)", text[entry.start:entry.start + 400])
    return head is not None and head.group(1) == entry.key


def _check_entry_text(new: str, path: Path, key_hint: str) -> None:
    """A replacement must parse as exactly one entry with no problems."""
    bib = _parse(new, path)
    if bib.problems or len(bib.entries) != 1:
        why = bib.problems[0].message if bib.problems else f"{len(bib.entries)} entries"
        raise CitekitError(f"new text for {key_hint!r} is not one clean entry ({why})", path)


def _to_newlines(new: str, nl: str) -> str:
    return new.replace("\r\n", "\n").replace("\n", nl) if nl != "\n" else new.replace("\r\n", "\n")


def _write(path: Path, text: str, bom: str, original: str, force: bool) -> None:
    if text != original:
        atomic_write(path, bom + text, force=force)


def splice_entries(text: str, bib: BibFile, replacements: Mapping[str, str | None]) -> str:
    """``text`` with each keyed entry replaced by its new text (None: removed with its line)."""
    index = _entry_index(bib, replacements)
    edits: list[tuple[int, int, str]] = []
    for key, new in replacements.items():
        e = index[key]
        if new is not None:
            edits.append((e.start, e.end, new))
            continue
        start, end = e.start, e.end
        ls = line_start(text, start)
        if ls is not None:
            start, end = ls, eol_after(text, end)
            # swallow one blank separator line so deletions do not leave growing gaps
            if (start == 0 or text[:start].endswith(("\n\n", "\r\n\r\n"))) and end != e.end:
                end = eol_after(text, end)
        edits.append((start, end, ""))
    return splice(text, edits)


def update_entries(
    path: str | Path, changes: Mapping[str, Mapping[str, str | None]], *, force: bool = False
) -> list[str]:
    """Set (str) or remove (None) fields of the named entries; return the keys whose text changed.

    Only those entries' bytes change; new fields follow each entry's own layout.
    """
    path = Path(path)
    with file_lock(path):
        text, bom = read_text(path)
        bib = _parse(text, path)
        check_writable(bib, force)
        index = _entry_index(bib, changes)
        replacements: dict[str, str | None] = {}
        for key, fields in changes.items():
            e = index[key]
            old = text[e.start:e.end]
            try:
                new = edit_entry_text(old, fields)
            except ValueError as exc:
                raise CitekitError(f"cannot edit entry {key!r}: {exc}", path, e.line) from None
            if new != old:
                _check_entry_text(new, path, key)
                replacements[key] = new
        if replacements:
            _write(path, splice_entries(text, bib, replacements), bom, text, force)
        return list(replacements)


def replace_entries(
    path: str | Path, replacements: Mapping[str, str | None], *, force: bool = False
) -> list[str]:
    """Replace whole entries by key with new text, or delete them (None). Returns changed keys."""
    return edit_entries(path, {k: (lambda _old, new=new: new) for k, new in replacements.items()}, force=force)


def edit_entries(
    path: str | Path, edits: Mapping[str, Callable[[str], str | None]], *, force: bool = False
) -> list[str]:
    """Like :func:`replace_entries`, but each new text is computed from the entry's current text
    under the file's lock, so a concurrent writer can never be overwritten."""
    path = Path(path)
    with file_lock(path):
        text, bom = read_text(path)
        bib = _parse(text, path)
        check_writable(bib, force)
        index = _entry_index(bib, edits)
        nl = newline_of(text)
        todo: dict[str, str | None] = {}
        for key, fn in edits.items():
            old = text[index[key].start:index[key].end]
            new = fn(old)
            if new is None:
                todo[key] = None
                continue
            new = _to_newlines(new.strip("\r\n"), nl)
            if new != old:
                _check_entry_text(new, path, key)
                todo[key] = new
        if todo:
            _write(path, splice_entries(text, bib, todo), bom, text, force)
        return list(todo)


def append_entries(path: str | Path, texts: Sequence[str], *, force: bool = False) -> list[str]:
    """Append entries at the end of the file (created if missing), one blank line apart.

    Refuses keys already in the file. Returns the appended keys.
    """
    path = Path(path)
    with file_lock(path):
        if path.exists():
            text, bom = read_text(path)
        else:
            text, bom = "", ""
        bib = _parse(text, path)
        check_writable(bib, force)
        existing = {e.key for e in bib.entries}
        nl = newline_of(text) if text else "\n"
        keys: list[str] = []
        pieces: list[str] = []
        for new in texts:
            new = _to_newlines(new.strip("\r\n"), nl)
            one = _parse(new, path)
            if one.problems or len(one.entries) != 1:
                why = one.problems[0].message if one.problems else f"{len(one.entries)} entries"
                raise CitekitError(f"text to append is not one clean entry ({why})", path)
            key = one.entries[0].key
            if key in existing or key in keys:
                raise CitekitError(f"key {key!r} is already in the file", path)
            keys.append(key)
            pieces.append(new)
        if not pieces:
            return []
        out = text
        if out and not out.endswith("\n"):
            out += nl
        if out.strip():
            out += nl
        out += (nl + nl).join(pieces) + nl
        atomic_write(path, bom + out, force=force)
        return keys
