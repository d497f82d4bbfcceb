"""CSL sorting: key folding, comparison and the stable item sort."""

from __future__ import annotations

import types
from typing import Any

import pytest

from citekit.csl import sorting
from citekit.csl.context import CiteInfo, Context
from citekit.csl.nodes import Text
from citekit.csl.style import El, Section, load_style

_STYLE = load_style("""<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" class="in-text">
  <info><id/><title/></info>
  <macro name="m"><text variable="title"/></macro>
  <citation><layout><text variable="title"/></layout></citation>
</style>""")


def _section(*keys: El) -> Section:
    sort = El("sort", {}, list(keys))
    return Section(El("bibliography", {}), [([], El("layout", {}))], sort)


def _key(**attrs: str) -> El:
    return El("key", dict(attrs))


def _ctx(item: dict[str, Any], lang: str = "en-US", number: int | None = None) -> Context:
    locale = types.SimpleNamespace(lang=lang)
    return Context(_STYLE, locale, item, mode="sort", cite=CiteInfo(citation_number=number))  # type: ignore[arg-type]


class _RenderingCtx:
    """Stands in for a Context whose macro renders the item's "out" field."""

    def __init__(self, item: dict[str, Any]) -> None:
        self.item = item
        self.mode = "bibliography"
        self.name_options: dict[str, str] = {"et-al-min": "3"}
        self.locale = types.SimpleNamespace(lang="en-US")
        self.seen: list[tuple[str, dict[str, str]]] = []

    def render(self, el: El) -> Text | None:
        self.seen.append((self.mode, dict(self.name_options)))
        out = self.item.get("out")
        return Text(out) if out else None


def test_fold_case_accents_punctuation_markup() -> None:
    assert sorting.fold("“Álvarez”, <i>Ñandú</i>!") == "alvarez nandu"
    assert sorting.fold("  Straße  Øre ") == "strasse ore"
    assert sorting.fold("[Untitled]") == "untitled"


def test_text_key_numeric_runs_and_spaces() -> None:
    key = sorting.text_key
    assert key("Book 9") < key("Book 10")
    assert key("A Hansen") < key("A kasernes") < key("Ab Delrahman")  # white space counts
    assert key("Aalto") < key("Álvarez")
    assert key("2") < key("a")  # digits before letters
    assert key("") is None and key("—") is None and key(None) is None


def test_locale_tailoring_after_z() -> None:
    assert sorting.text_key("Åse", "da-DK") > sorting.text_key("Zola", "da-DK")
    assert sorting.text_key("Åse", "en-US") < sorting.text_key("Zola", "en-US")


def test_compare_empty_last_both_directions() -> None:
    a, b, empty = sorting.text_key("a"), sorting.text_key("b"), None
    assert sorting.compare_keys([a], [b], [False]) == -1
    assert sorting.compare_keys([a], [b], [True]) == 1
    assert sorting.compare_keys([empty], [a], [False]) == 1
    assert sorting.compare_keys([empty], [a], [True]) == 1
    assert sorting.compare_keys([a, empty], [a, b], [False, True]) == 1
    assert sorting.compare_keys([a], [a], [False]) == 0


def test_variable_keys_text_number_citation_number() -> None:
    items = [{"id": "1", "title": "beta", "volume": "10"}, {"id": "2", "title": "Alpha", "volume": "9"},
             {"id": "3", "volume": "x"}]
    numbers = {"1": 3, "2": 1, "3": 2}

    def make(it: dict[str, Any]) -> Context:
        return _ctx(it, number=numbers[it["id"]])

    def order(*keys: El) -> list[str]:
        return [it["id"] for it in sorting.sort_items(items, _section(*keys), make)]

    assert order(_key(variable="title")) == ["2", "1", "3"]
    assert order(_key(variable="title", sort="descending")) == ["1", "2", "3"]
    assert order(_key(variable="volume")) == ["2", "1", "3"]  # 9 < 10 numerically; "x" after numbers
    assert order(_key(variable="citation-number", sort="descending")) == ["1", "3", "2"]


def test_sort_is_stable_and_keeps_order_without_keys() -> None:
    items = [{"id": str(i), "title": "same"} for i in range(5)]
    out = sorting.sort_items(items, _section(_key(variable="title")), _ctx)
    assert [it["id"] for it in out] == ["0", "1", "2", "3", "4"]
    section = Section(El("bibliography", {}), [([], El("layout", {}))], None)
    assert sorting.sort_items(items[::-1], section, _ctx) == items[::-1]


def test_macro_key_renders_in_sort_mode_with_name_overrides() -> None:
    ctxs: list[_RenderingCtx] = []

    def make(it: dict[str, Any]) -> _RenderingCtx:
        ctxs.append(_RenderingCtx(it))
        return ctxs[-1]

    items = [{"id": "a", "out": "Zeta"}, {"id": "b"}, {"id": "c", "out": "eta"}]
    key = _key(macro="m", **{"names-min": "1", "names-use-first": "1"})
    out = sorting.sort_items(items, _section(key), make)  # type: ignore[arg-type]
    assert [it["id"] for it in out] == ["c", "a", "b"]
    mode, options = ctxs[0].seen[0]
    assert mode == "sort"
    assert options["et-al-min"] == "1" and options["et-al-use-first"] == "1"
    assert options["et-al-subsequent-min"] == "1" and options["names-min"] == "1"


def test_date_variable_key_uses_date_sort_key(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("citekit.csl.dates")
    fake.date_sort_key = lambda value: "".join(f"{p:04d}" for p in value["date-parts"][0])  # type: ignore[attr-defined]
    monkeypatch.setitem(__import__("sys").modules, "citekit.csl.dates", fake)
    items = [{"id": "1", "issued": {"date-parts": [[2001]]}}, {"id": "2"},
             {"id": "3", "issued": {"date-parts": [[1999, 5]]}}]
    out = sorting.sort_items(items, _section(_key(variable="issued", sort="descending")), _ctx)
    assert [it["id"] for it in out] == ["1", "3", "2"]


def test_name_variable_key_uses_names_sort_key(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("citekit.csl.names")
    fake.names_sort_key = lambda ctx, var, key_el: " ".join(n["family"] for n in ctx.item.get(var, []))  # type: ignore[attr-defined]
    monkeypatch.setitem(__import__("sys").modules, "citekit.csl.names", fake)
    items = [{"id": "1", "author": [{"family": "Ölund"}]}, {"id": "2", "author": [{"family": "Adams"}]}, {"id": "3"}]
    out = sorting.sort_items(items, _section(_key(variable="author")), _ctx)
    assert [it["id"] for it in out] == ["2", "1", "3"]


def test_words_and_first_integer_of_numbers() -> None:
    key = sorting.text_key
    assert key("Dale") < key("Dalebout") and key("Dale, Bob") < key("Dalebout, Al")
    assert key("a 1") < key("a b") < key("a1")  # the word separator sorts before digits
    assert sorting._number_key("vol. 12b", None) == ((0, 12),)
    assert sorting._number_key(7, None) < sorting._number_key("10", None) < sorting._number_key("-3", None)
    assert sorting._number_key("ix", None) == ((1, "ix"),)


def test_citation_sort_adds_year_suffix_after_date_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("citekit.csl.dates")
    fake.date_sort_key = lambda value: str(value["date-parts"][0][0])  # type: ignore[attr-defined]
    monkeypatch.setitem(__import__("sys").modules, "citekit.csl.dates", fake)
    suffixes = {"x": 2, "y": 1, "z": 0}

    def make(it: dict[str, Any]) -> Context:
        ctx = _ctx(it)
        ctx.disamb.year_suffix = suffixes[it["id"]]
        return ctx

    items = [{"id": i, "issued": {"date-parts": [[2000]]}} for i in "xyz"]
    section = Section(El("citation", {}), [([], El("layout", {}))], El("sort", {}, [_key(variable="issued")]))
    assert [it["id"] for it in sorting.sort_items(items, section, make)] == ["z", "y", "x"]
    assert sorting.key_directions(section.sort, citation=True) == [False, False]
    bib = _section(_key(variable="issued"))
    assert [it["id"] for it in sorting.sort_items(items, bib, make)] == ["x", "y", "z"]


def test_keys_use_the_sorted_sections_name_options(monkeypatch: pytest.MonkeyPatch) -> None:
    style = load_style("""<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" class="in-text" initialize-with=".">
      <info><id/><title/></info>
      <citation et-al-min="3" et-al-use-first="1"><layout><text variable="title"/></layout></citation>
      <bibliography><layout><text variable="title"/></layout></bibliography>
    </style>""")
    seen: list[dict[str, str]] = []
    fake = types.ModuleType("citekit.csl.names")
    fake.names_sort_key = lambda ctx, var, key_el: seen.append(dict(ctx.name_options)) or "x"  # type: ignore[attr-defined]
    monkeypatch.setitem(__import__("sys").modules, "citekit.csl.names", fake)

    def make(it: dict[str, Any]) -> Context:  # as if the caller handed over citation options
        return Context(style, types.SimpleNamespace(lang="en-US"), it, mode="sort",  # type: ignore[arg-type]
                       name_options=style.name_options("citation"))

    sorting.sort_items([{"id": "1"}], _section(_key(variable="author")), make)
    assert seen == [{"initialize-with": "."}]
