"""``citekit check`` and ``citekit archive``: a thin layer over :mod:`citekit.links`.

Exit codes: 0 no actionable failure; 1 actionable failures (``--fail-on``, default dead);
2 usage or input errors (a file that failed to parse is reported and the rest still checked, then
2); 3 the checker could not run (no link could be reached at all; for ``archive``, the archive).
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from citekit.cli.common import fail
from citekit.errors import CitekitError

STATES = ("ok", "redirected", "dead", "blocked", "error", "excluded")


class Fmt(StrEnum):
    table = "table"
    json = "json"
    junit = "junit"
    sarif = "sarif"
    github = "github"
    markdown = "markdown"


class ArchiveMode(StrEnum):
    failing = "failing"
    all = "all"
    none = "none"


Paths = Annotated[Optional[list[Path]], typer.Argument(help=".bib files or folders, or 'bundled' (default: the project's library: [tool.citekit] library, else the .bib files here).")]
FormatOpt = Annotated[Optional[Fmt], typer.Option("--format", "-f", help="Report format (default: table, or from the --output suffix: .json, .xml, .sarif, .md).")]  # noqa: E501
_SUFFIX_FORMATS = {".json": Fmt.json, ".xml": Fmt.junit, ".sarif": Fmt.sarif, ".md": Fmt.markdown}


def _format(fmt: Fmt | None, output: Path | None) -> Fmt:
    if fmt is not None:
        return fmt
    return _SUFFIX_FORMATS.get(output.suffix.lower(), Fmt.table) if output else Fmt.table
OutputOpt = Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the report to this file.")]
WaybackOpt = Annotated[Optional[str], typer.Option("--wayback-url", envvar="CITEKIT_WAYBACK_URL", help="Wayback Machine base URL (pywb works too).")]  # noqa: E501
DoiOpt = Annotated[Optional[str], typer.Option("--doi-url", envvar="CITEKIT_DOI_URL", help="DOI proxy base URL.")]
TimegateOpt = Annotated[Optional[list[str]], typer.Option("--timegate", help="A Memento TimeGate prefix, e.g. https://archive.example/timegate/ (repeatable).")]  # noqa: E501
CacheOpt = Annotated[Optional[Path], typer.Option("--cache", help="Cache file (default: the user cache dir).")]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the cache.")]
TimeoutOpt = Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds per request.")]
RetriesOpt = Annotated[int, typer.Option("--retries", min=0, max=10, help="Retries for timeouts, resets, 429, 5xx.")]
MaxWaitOpt = Annotated[float, typer.Option("--max-retry-wait", min=0, help="Longest Retry-After honoured (s).")]
ConcOpt = Annotated[int, typer.Option("--concurrency", "-j", min=1, max=512, help="Requests in flight overall.")]
PerHostOpt = Annotated[int, typer.Option("--per-host", min=1, max=64, help="Requests in flight per host.")]
IntervalOpt = Annotated[float, typer.Option("--host-interval", min=0, help="Seconds between request starts to one host.")]  # noqa: E501
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
ExcludeOpt = Annotated[Optional[list[str]], typer.Option("--exclude", help="Do not check URLs matching this regex (repeatable).")]  # noqa: E501
IncludeOpt = Annotated[Optional[list[str]], typer.Option("--include", help="Check URLs matching this regex even if excluded (repeatable).")]  # noqa: E501
ExcludePathOpt = Annotated[Optional[list[str]], typer.Option("--exclude-path", help="Do not read .bib files matching this glob (repeatable).")]  # noqa: E501
AcceptOpt = Annotated[Optional[list[str]], typer.Option("--accept", help="Status codes that count as ok: 'CODES' or 'REGEX CODES', e.g. '403' or '^https://www\\.linkedin\\.com/ 999' (repeatable).")]  # noqa: E501
RemapOpt = Annotated[Optional[list[str]], typer.Option("--remap", help="Check another URL: 'REGEX REPLACEMENT' ($1, $name for groups; repeatable).")]  # noqa: E501
HeaderOpt = Annotated[Optional[list[str]], typer.Option("--header", help="'HOST=Name: value' sent only to HOST; a value $VAR is read from the environment (repeatable).")]  # noqa: E501
CacheAgeOpt = Annotated[Optional[str], typer.Option("--max-cache-age", help="Re-check cached answers older than this (e.g. 1d, 12h, 3600).")]  # noqa: E501
OfflineOpt = Annotated[Optional[bool], typer.Option("--offline/--online", help="Answer from the cache only; no network.")]  # noqa: E501


def _library(paths: list[Path] | None, rules):  # noqa: ANN001, ANN202 - Library is imported lazily
    """The readable files' entries, and the files (or blocks) that could not be read, as findings."""
    from citekit.bibtex.reader import bib_files, read_bib
    from citekit.links.results import InputProblem
    from citekit.model import Library

    files, problems = [], []
    for path in bib_files(paths or None):
        if rules.path_excluded(path):
            continue
        try:
            bib = read_bib(path)
        except CitekitError as exc:
            problems.append(InputProblem(exc.path or str(path), exc.line or 1, exc.message))
            continue
        files.append(bib)
        problems += [InputProblem(p.path, p.line, p.message) for p in bib.problems if p.code == "parse-error"]
    for p in problems:
        print(f"citekit: error: {p.file}:{p.line}: {p.message}", file=sys.stderr)
    return Library(files=files), problems


def _rules(paths: list[Path] | None, **flags):  # noqa: ANN003, ANN202
    from citekit.links.settings import load_rules

    start = paths[0] if paths else None
    try:
        return load_rules(start, **{k: (v or []) if k not in ("max_cache_age", "offline") else v
                                    for k, v in flags.items()})
    except CitekitError as exc:
        fail(str(exc))


def _options(**kw: object):  # noqa: ANN202
    from citekit.links.check import CheckOptions

    return CheckOptions(**kw)  # type: ignore[arg-type]


def _cache(path: Path | None, disabled: bool):  # noqa: ANN202
    if disabled:
        return None
    from citekit.links.cache import LinkCache, default_cache_path

    try:
        return LinkCache(path or default_cache_path())
    except Exception as exc:  # noqa: BLE001 - any cache failure means the checker cannot run
        print(f"citekit: error: cannot open the link cache: {exc}", file=sys.stderr)
        raise typer.Exit(3) from None


def _run(records: list, options, cache, quiet: bool):  # noqa: ANN001, ANN202
    from citekit.links.check import check_links

    show = not quiet and sys.stderr.isatty()
    if not show:
        return check_links(records, options, cache=cache)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("checking links"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("links", total=None)
        return check_links(records, options, cache=cache,
                           progress=lambda done, total: bar.update(task, completed=done, total=total))


def _emit(text: str, output: Path | None) -> None:
    if output:
        from citekit.fileio import atomic_write

        atomic_write(output, text)
    else:
        sys.stdout.write(text)


def _rich_table(report) -> None:  # noqa: ANN001
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from citekit.links.report import _detail, _sorted, archive_line, problem_lines, summary_line

    table = Table(show_lines=False)
    for col in ("state", "key", "link", "detail"):
        table.add_column(col, overflow="fold")
    colours = {"dead": "red", "error": "magenta", "blocked": "yellow", "redirected": "cyan", "ok": "green",
               "excluded": "dim"}
    for r in _sorted(report.results):
        if r.state != "ok":
            table.add_row(f"[{colours[r.state]}]{r.state}[/]", escape(r.key), escape(r.url), escape(_detail(r)))
    console = Console()
    for line in problem_lines(report):
        console.print(f"[red]{escape(line)}[/]")
    if table.row_count:
        console.print(table)
    console.print(escape(summary_line(report)))
    console.print(escape(archive_line(report)))


def check_command(
    paths: Paths = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    step_summary: Annotated[Optional[Path], typer.Option("--step-summary", help="Also append a Markdown summary here (e.g. $GITHUB_STEP_SUMMARY).")] = None,  # noqa: E501
    json_report: Annotated[Optional[Path], typer.Option("--json-report", help="Also write the JSON report to this file.")] = None,  # noqa: E501
    fail_on: Annotated[str, typer.Option("--fail-on", help="States that fail the run (comma list of dead,blocked,error,redirected).")] = "dead",  # noqa: E501
    allow_archived: Annotated[bool, typer.Option("--allow-archived", help="Dead links with an archived copy do not fail.")] = False,  # noqa: E501
    archive: Annotated[ArchiveMode, typer.Option("--archive", help="Look up archived copies for failing links, all links, or none.")] = ArchiveMode.failing,  # noqa: E501
    timegate: TimegateOpt = None,
    wayback_url: WaybackOpt = None,
    doi_url: DoiOpt = None,
    timeout: TimeoutOpt = 20.0,
    retries: RetriesOpt = 2,
    max_retry_wait: MaxWaitOpt = 60.0,
    concurrency: ConcOpt = 32,
    per_host: PerHostOpt = 4,
    host_interval: IntervalOpt = 0.05,
    head_host: Annotated[Optional[list[str]], typer.Option("--head-host", help="A host where HEAD is known to suffice (repeatable); GET confirms anything but 2xx.")] = None,  # noqa: E501
    exclude: ExcludeOpt = None,
    include: IncludeOpt = None,
    exclude_path: ExcludePathOpt = None,
    accept: AcceptOpt = None,
    remap: RemapOpt = None,
    header: HeaderOpt = None,
    max_cache_age: CacheAgeOpt = None,
    offline: OfflineOpt = None,
    cache: CacheOpt = None,
    no_cache: NoCacheOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Check every url and doi of the library; report dead links with archived copies."""
    fmt = _format(fmt, output)
    wanted = {s.strip() for s in fail_on.split(",") if s.strip()}
    unknown = wanted - set(STATES) or ({"ok", "excluded"} & wanted)
    if unknown:
        fail(f"--fail-on: unknown state(s) {', '.join(sorted(unknown))}; use dead, blocked, error, redirected")
    rules = _rules(paths, exclude=exclude, include=include, exclude_path=exclude_path, accept=accept, remap=remap,
                   headers=header, max_cache_age=max_cache_age, offline=offline)
    try:
        library, problems = _library(paths, rules)
    except CitekitError as exc:
        fail(str(exc))
    from citekit.links.check import actionable, network_down
    from citekit.links.records import records_from_library
    from citekit.links.report import render

    records = records_from_library(library)
    options = _options(timeout=timeout, retries=retries, max_retry_wait=max_retry_wait, concurrency=concurrency,
                       per_host=per_host, host_interval=host_interval, archive=archive.value,
                       wayback_url=wayback_url, doi_url=doi_url, timegates=list(timegate or []),
                       head_hosts={h.lower() for h in head_host or []}, rules=rules)
    report = _checked(records, options, _cache(cache, no_cache), quiet, problems)
    if fmt == Fmt.table and output is None and sys.stdout.isatty():
        _rich_table(report)
    else:
        _emit(render(report, fmt.value, wanted, allow_archived), output)
    if step_summary:
        with open(step_summary, "a", encoding="utf-8") as fh:
            fh.write(render(report, "markdown"))
    if json_report:
        _emit(render(report, "json"), json_report)
    if network_down(report):
        fail("no link could be reached (network down?): the check did not really run", 3)
    if problems:
        fail(f"{len(problems)} input error(s): those files were checked only in part", 2)
    if actionable(report, wanted, allow_archived):
        raise typer.Exit(1)


def _checked(records: list, options, store, quiet: bool, problems: list):  # noqa: ANN001, ANN202
    """The report, with the input problems; any failure of the checker itself is exit 3."""
    try:
        report = _run(records, options, store, quiet)
    except Exception as exc:  # noqa: BLE001 - report, do not trace back, and say the checker failed
        fail(f"the link checker could not run: {type(exc).__name__}: {exc}", 3)
    finally:
        if store is not None:
            store.close()
    report.problems = list(problems)
    return report


async def _save_all(report, wayback_url: str | None, poll: float) -> None:  # noqa: ANN001
    from citekit.links.archive import save_page_now
    from citekit.links.http import make_session

    session = make_session()
    try:
        for r in report.results:
            if r.archive_url or r.state not in ("ok", "redirected"):
                continue
            res = await save_page_now(session, r.url, wayback_url, poll_interval=poll)
            if res.snapshot:
                r.archive_url, r.archive_timestamp = res.snapshot.archive_url, res.snapshot.timestamp
                r.archive_source = res.snapshot.source
            print(f"citekit: save {r.url}: {res.status}{': ' + res.message if res.message else ''}",
                  file=sys.stderr)
    finally:
        await session.aclose()


def archive_command(
    paths: Paths = None,
    write: Annotated[bool, typer.Option("--write", help="Record archiveurl/archivedate/urlstatus in the entries.")] = False,  # noqa: E501
    save: Annotated[bool, typer.Option("--save", help="Ask Save Page Now to capture live links with no snapshot (keys: CITEKIT_IA_ACCESS_KEY/CITEKIT_IA_SECRET_KEY).")] = False,  # noqa: E501
    save_poll: Annotated[float, typer.Option("--save-poll-interval", min=0, hidden=True, help="Seconds between Save Page Now status polls.")] = 5.0,  # noqa: E501
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an archiveurl already in the entry.")] = False,  # noqa: E501
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    timegate: TimegateOpt = None,
    wayback_url: WaybackOpt = None,
    doi_url: DoiOpt = None,
    timeout: TimeoutOpt = 20.0,
    retries: RetriesOpt = 2,
    concurrency: ConcOpt = 32,
    per_host: PerHostOpt = 4,
    exclude: ExcludeOpt = None,
    include: IncludeOpt = None,
    exclude_path: ExcludePathOpt = None,
    remap: RemapOpt = None,
    header: HeaderOpt = None,
    cache: CacheOpt = None,
    no_cache: NoCacheOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Find the snapshot nearest each entry's urldate; --write records it in the .bib files."""
    import asyncio

    fmt = _format(fmt, output)
    rules = _rules(paths, exclude=exclude, include=include, exclude_path=exclude_path, remap=remap,
                   headers=header)
    try:
        library, problems = _library(paths, rules)
    except CitekitError as exc:
        fail(str(exc))
    from citekit.links.archive import spn_keys
    from citekit.links.records import records_from_library
    from citekit.links.report import archive_line, render
    from citekit.links.writeback import plan_changes, write_changes

    records = [r for r in records_from_library(library) if r.field == "url"]
    if save and spn_keys() is None:
        fail("--save needs CITEKIT_IA_ACCESS_KEY and CITEKIT_IA_SECRET_KEY in the environment")
    options = _options(timeout=timeout, retries=retries, concurrency=concurrency, per_host=per_host,
                       archive="all", wayback_url=wayback_url, doi_url=doi_url, timegates=list(timegate or []),
                       rules=rules)
    report = _checked(records, options, _cache(cache, no_cache), quiet, problems)
    if save:
        try:
            asyncio.run(_save_all(report, wayback_url, save_poll))
        except Exception as exc:  # noqa: BLE001
            fail(f"Save Page Now could not run: {type(exc).__name__}: {exc}", 3)
    if fmt == Fmt.table and output is None and sys.stdout.isatty():
        _rich_table(report)
    else:
        _emit(render(report, fmt.value), output)
    if write:
        # A file that failed to parse is never rewritten.
        broken = {p.file for p in problems}
        kept = [(rec, res) for rec, res in zip(records, report.results, strict=True) if rec.path not in broken]
        changes = plan_changes([k[0] for k in kept], [k[1] for k in kept], overwrite=overwrite)
        try:
            written = write_changes(changes)
        except CitekitError as exc:
            fail(str(exc))
        n = sum(len(keys) for keys in written.values())
        print(f"citekit: recorded archived copies in {n} entr{'y' if n == 1 else 'ies'} "
              f"of {len(written)} file(s)", file=sys.stderr)
    if report.archive.state == "unreachable":
        fail(f"the web archive could not be reached: {archive_line(report)}", 3)
    if problems:
        fail(f"{len(problems)} input error(s): those files were checked only in part", 2)


def register(app: typer.Typer) -> None:
    """Add ``check`` and ``archive`` to ``app``."""
    app.command("check")(check_command)
    app.command("archive")(archive_command)
