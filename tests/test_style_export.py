"""``citekit styles export``: the built-in styles as plain CSL 1.0.2 (no CSL-M, no citekit: attributes)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import citeproc
import pytest
from lxml import etree

import citekit
from citekit.render import format_bibliography
from citekit.styleexport import CITEKIT_NS, CSL_NS, export_style
from citekit.styles import builtin_styles

CITEKIT = [sys.executable, "-m", "citekit.cli"]
BUILTIN = [s.name for s in builtin_styles()]
SCHEMA = Path(citeproc.__file__).parent / "data" / "schema" / "schemas" / "styles" / "csl.rng"
BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CITEKIT, *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("name", BUILTIN)
def test_export_is_plain_csl_and_renders(name: str, tmp_path: Path) -> None:
    exported = export_style(name)
    assert CITEKIT_NS not in exported.xml  # no namespace declaration, so no citekit: attribute either
    root = etree.fromstring(exported.xml.encode())
    assert all(not a.startswith("{") or a.startswith("{http://www.w3.org/XML/1998/namespace}")
               for el in root.iter() if isinstance(el.tag, str) for a in el.attrib)
    ns = {"cs": CSL_NS}
    assert root.xpath("//cs:institution", namespaces=ns) == []
    for section in root.xpath("cs:citation | cs:bibliography", namespaces=ns):
        layouts = section.xpath("cs:layout", namespaces=ns)
        assert len(layouts) == 1 and layouts[0].get("locale") is None
    assert not [t for t in root.iter(f"{{{CSL_NS}}}term") if t.get("name") == "citation-range-delimiter"]
    if SCHEMA.is_file():  # the CSL schema citeproc-py ships
        schema = etree.RelaxNG(etree.parse(str(SCHEMA)))
        assert schema.validate(root), str(schema.error_log)
    csl = tmp_path / f"{name}.csl"
    csl.write_text(exported.xml, encoding="utf-8")
    entries = format_bibliography(citekit.read_library().items(), csl)
    assert len(entries) == 14 and all(entries)


def test_losses_are_listed_one_line_each(tmp_path: Path) -> None:
    out = tmp_path / "gbt.csl"
    proc = run("styles", "export", "gb-t-7714-2015-numeric", "-o", str(out))
    assert proc.returncode == 0 and proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert all(line.startswith("citekit: not in CSL 1.0.2: ") for line in lines)
    text = proc.stderr
    for needle in ('<layout locale="en"> is dropped', "cs:institution", "citekit:omit-doi-in-url",
                   "citekit:whole-cjk-names", "citekit:collapse-min", "locator", "citation-range-delimiter",
                   "citekit:suffix-separator"):
        assert needle in text
    assert len(lines) == 8
    assert out.read_text(encoding="utf-8").startswith('<?xml version="1.0" encoding="utf-8"?>\n<style ')
    assert "Not expressible here:" in out.read_text(encoding="utf-8")  # the same list, in the file


def test_standard_styles_lose_nothing() -> None:
    proc = run("styles", "export", "nist")
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout.startswith("<?xml") and "[CSL 1.0.2 export]" in proc.stdout


def test_lang_keeps_the_english_layout() -> None:
    exported = export_style("gb-t-7714-2025-author-date", lang="en")
    root = etree.fromstring(exported.xml.encode())
    assert root.get("default-locale") == "en"
    assert any("the default layout is dropped for the en one" in line for line in exported.lost)
    items = citekit.read_library().items(["molnar2025china"])
    default = export_style("gb-t-7714-2025-author-date")
    assert "et al." in _render(exported.xml, items) and "等" in _render(default.xml, items)


def _etal_style(tmp_path: Path, citation_opts: str) -> str:
    """A minimal zh-CN author-date style whose cite is the first author, then 等."""
    path = tmp_path / "etal.csl"
    path.write_text(f"""<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" default-locale="zh-CN">
  <info><title>t</title><id>t</id><updated>2026-01-01T00:00:00+00:00</updated></info>
  <macro name="who"><names variable="author"><name form="short" delimiter="，"/></names></macro>
  <citation {citation_opts}><layout><text macro="who"/></layout></citation>
</style>
""", encoding="utf-8")
    return export_style(path).xml


def test_one_name_then_cjk_et_al_has_no_space_in_any_engine(tmp_path: Path) -> None:
    # pandoc's citeproc joins "孙毅" and "等" with a space; with one name shown, the (never printed)
    # delimiter between names can be the empty one that precedes et-al
    xml = _etal_style(tmp_path, 'et-al-min="2" et-al-use-first="1"')
    assert '<name form="short" delimiter="" delimiter-precedes-et-al="always"/>' in xml
    # two names can show: the delimiter between them must stay
    for opts in ('et-al-min="3" et-al-use-first="1"', 'et-al-min="2" et-al-use-first="2"',
                 'et-al-min="2" et-al-use-first="1" disambiguate-add-names="true"'):
        assert '<name form="short" delimiter="，"/>' in _etal_style(tmp_path, opts), opts
        # ... and what pandoc then prints differently is listed
        assert "pandoc's citeproc puts a space before the et-al term '等' (macro 'who')" in _etal_style(
            tmp_path, opts), opts
    if shutil.which("pandoc") is None:
        return
    bench = _bench()
    items = bench.library_items()
    csl = tmp_path / "export.csl"
    csl.write_text(_etal_style(tmp_path, 'et-al-min="2" et-al-use-first="1"'), encoding="utf-8")
    theirs = bench.pandoc_rendering(csl, items, tmp_path)
    assert isinstance(theirs, dict), theirs
    assert theirs["citations"]["sun2021development"] == "孙毅等"


def _render(xml: str, items: list) -> str:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.csl"
        path.write_text(xml, encoding="utf-8")
        return format_bibliography(items, path)[0]


def test_styles_lists_with_and_without_list() -> None:
    plain, listed = run("styles"), run("styles", "list")
    assert plain.returncode == listed.returncode == 0 and plain.stdout == listed.stdout
    assert all(name in plain.stdout for name in BUILTIN)


def test_unknown_style_is_one_line() -> None:
    proc = run("styles", "export", "nosuch")
    assert proc.returncode == 2 and "unknown style 'nosuch'" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def _bench():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import style_export_check
    finally:
        sys.path.remove(str(BENCHMARKS))
    return style_export_check


PANDOC3 = os.environ.get("CITEKIT_PANDOC3") or str(Path.home() / ".cache" / "citekit-bench" / "pandoc3" / "pandoc")


@pytest.mark.parametrize("pandoc", ["pandoc", PANDOC3], ids=["pandoc", "pandoc-3.x"])
@pytest.mark.parametrize("name", ["nist", "gb-t-7714-2015-numeric", "gb-t-7714-2025-numeric", "bulletin-cas",
                                  "gb-t-7714-2015-author-date", "gb-t-7714-2025-author-date"])
def test_pandoc_renders_the_export_as_citekit_apart_from_what_is_listed(name: str, pandoc: str,
                                                                        tmp_path: Path) -> None:
    if shutil.which(pandoc) is None:
        pytest.skip(f"{pandoc} is not installed (pandoc 3.x: benchmarks/get_pandoc3.py or CITEKIT_PANDOC3)")
    bench = _bench()
    items = bench.library_items()
    csl = tmp_path / f"{name}.csl"
    csl.write_text(export_style(name).xml, encoding="utf-8")
    theirs = bench.pandoc_rendering(csl, items, tmp_path, pandoc)
    assert isinstance(theirs, dict), theirs
    ours, mine = bench.citekit_rendering(name, items), bench.citekit_rendering(csl, items)
    for part in ("bibliography", "citations"):
        same, listed, total, other = bench.compare(ours, mine, theirs, part)
        assert total == 14 and other == [], other
        if name == "nist":
            assert same == 14


def test_citeproc_js_renders_the_export_as_citekit_apart_from_what_is_listed(tmp_path: Path) -> None:
    module = Path.home() / ".cache" / "citekit-bench" / "citeproc-js" / "node_modules" / "citeproc"
    if shutil.which("node") is None or not module.is_dir():
        pytest.skip("citeproc-js is not installed (python benchmarks/csl_agreement.py installs it)")
    bench = _bench()
    items = bench.library_items()
    names = ["nist", "gb-t-7714-2015-numeric", "gb-t-7714-2015-author-date"]
    paths = {}
    for name in names:
        paths[name] = tmp_path / f"{name}.csl"
        paths[name].write_text(export_style(name).xml, encoding="utf-8")
    js = bench.citeproc_js_rendering(paths, items)
    for name in names:
        assert isinstance(js[name], dict), js[name]
        ours, mine = bench.citekit_rendering(name, items), bench.citekit_rendering(paths[name], items)
        for part in ("bibliography", "citations"):
            assert bench.compare(ours, mine, js[name], part)[3] == []
