"""The evaluator's shortcuts (compiled elements, type plans of cs:choose, a macro that is one
group run directly, the kept bibliography order, memoised sort keys) answer as the general rules do."""

from __future__ import annotations

from citekit.csl import Processor
from citekit.csl.sorting import text_key

NS = 'xmlns="http://purl.org/net/xbiblio/csl"'


def _style(bib: str, macros: str = "", sort: str = "") -> str:
    return (f'<style {NS} class="in-text" version="1.0"><info><title>t</title><id>t</id>'
            f"<updated>2026-01-01T00:00:00+00:00</updated></info>{macros}"
            f'<citation><layout><text variable="title"/></layout></citation>'
            f"<bibliography>{sort}<layout>{bib}</layout></bibliography></style>")


def _bib(csl: str, items: list[dict]) -> list[str]:
    return Processor(csl, items, fmt="text").bibliography()


# Type tests interleaved with a variable test and a disambiguate-free else: the type plan must
# keep the variable test in its place and stop at the first type branch that holds.
CHOOSE = _style("""<choose>
  <if type="book report" match="any"><text value="B"/></if>
  <else-if variable="URL"><text value="U"/></else-if>
  <else-if type="thesis"><text value="T"/></else-if>
  <else-if type="article-journal" match="none"><text value="N"/></else-if>
  <else><text value="J"/></else>
</choose>""")


def test_type_plans_keep_the_order_of_mixed_tests() -> None:
    items = [
        {"id": "a", "type": "book", "URL": "http://x"},
        {"id": "b", "type": "thesis", "URL": "http://x"},
        {"id": "c", "type": "thesis"},
        {"id": "d", "type": "article-journal"},
        {"id": "e", "type": "article-journal", "URL": "http://x"},
        {"id": "f", "type": "dataset"},
        {"id": "g", "type": "report"},
    ]
    # Twice: the second pass reads the plans the first one made.
    for _ in range(2):
        assert _bib(CHOOSE, items) == ["B", "U", "T", "J", "U", "N", "B"]


# A plain call of a macro that is one group: the group's implicit conditional and its count
# for the enclosing group are the same as through the call.
LONE = _style(
    '<text variable="title"/><group delimiter=", " prefix=": "><text value="Vol"/><text macro="vol"/></group>'
    '<group prefix=" [" suffix="]"><text value="x"/><text macro="vol"/></group>',
    macros='<macro name="vol"><group delimiter=" "><text term="volume" form="short"/>'
           '<text variable="volume"/></group></macro>')


def test_a_macro_that_is_one_group_counts_as_its_group() -> None:
    out = _bib(LONE, [{"id": "a", "type": "book", "title": "A", "volume": "3"},
                      {"id": "b", "type": "book", "title": "B"}])
    assert out == ["A: Vol, vol. 3 [xvol. 3]", "B"]  # as before the shortcut


SORTED = _style('<text variable="title"/>', sort='<sort><key variable="title"/></sort>')


def test_the_kept_order_follows_the_ids() -> None:
    items = [{"id": i, "type": "book", "title": t} for i, t in (("a", "Zeta"), ("b", "Alpha"), ("c", "Mu"))]
    proc = Processor(SORTED, items, fmt="text")
    assert proc.bibliography_order(["a", "b", "c"]) == ["b", "c", "a"]
    order = proc.bibliography_order(["a", "b", "c"])
    order.append("x")  # a caller's copy: the kept order is not changed
    assert proc.bibliography_order(["a", "b", "c"]) == ["b", "c", "a"]
    assert proc.bibliography_order(["a", "c"]) == ["c", "a"]


def test_text_keys_are_the_same_memoised() -> None:
    first = text_key("Édouard  Manet", "fr-FR")
    assert text_key("Édouard  Manet", "fr-FR") is first
    assert text_key("Édouard  Manet", "da-DK") == first  # no tailored letters in it
    assert text_key("", "en-US") is None and text_key(None) is None
