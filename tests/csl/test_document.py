"""The document API: a whole document's clusters in order, with positions, disambiguation,
collapsing and note numbers (the behaviours the suite's citation fixtures pin down)."""

from __future__ import annotations

from citekit.csl import CiteRef, Cluster, Processor

NS = 'xmlns="http://purl.org/net/xbiblio/csl"'


def style(citation: str, cls: str = "note", bib: str = "") -> str:
    return (f'<style {NS} class="{cls}" version="1.0"><info><title>t</title><id>t</id>'
            f"<updated>2026-01-01T00:00:00+00:00</updated></info>{citation}{bib}</style>")


ITEMS = [
    {"id": "doe", "type": "book", "title": "Alpha", "author": [{"family": "Doe", "given": "John"}],
     "issued": {"date-parts": [[2000]]}},
    {"id": "doe2", "type": "book", "title": "Beta", "author": [{"family": "Doe", "given": "Jane"}],
     "issued": {"date-parts": [[2000]]}},
    {"id": "roe", "type": "book", "title": "Gamma", "author": [{"family": "Roe", "given": "Richard"}],
     "issued": {"date-parts": [[2001]]}},
]

POSITIONS = style("""<citation near-note-distance="2"><layout delimiter="; ">
  <choose>
    <if position="ibid-with-locator"><text term="ibid" text-case="capitalize-first" suffix=", "/><text variable="locator"/></if>
    <else-if position="ibid"><text term="ibid" text-case="capitalize-first"/></else-if>
    <else-if position="near-note"><text variable="title"/><text value=" (near)"/></else-if>
    <else-if position="subsequent"><text variable="title"/><text variable="first-reference-note-number" prefix=" (n. " suffix=")"/></else-if>
    <else><names variable="author"/><text variable="title" prefix=", "/><text variable="locator" prefix=", "/></else>
  </choose></layout></citation>""")


def run(csl: str, clusters: list[Cluster], fmt: str = "text") -> list[str]:
    return Processor(csl, ITEMS, fmt=fmt).process(clusters)


def test_positions_follow_the_document() -> None:
    out = run(POSITIONS, [
        Cluster([CiteRef("doe", locator="3")], note_number=1),
        Cluster([CiteRef("doe", locator="4")], note_number=2),   # same item, new page
        Cluster([CiteRef("doe", locator="4")], note_number=3),   # same page again
        Cluster([CiteRef("roe")], note_number=4),
        Cluster([CiteRef("doe")], note_number=5),                # within two notes of note 3
        Cluster([CiteRef("roe"), CiteRef("doe2")], note_number=9),
        Cluster([CiteRef("roe")], note_number=10),               # after a two-cite note: not ibid, but near
    ])
    assert out == ["John Doe, Alpha, 3", "Ibid., 4", "Ibid.", "Richard Roe, Gamma", "Alpha (near)",
                   "Gamma (n. 4); Jane Doe, Beta", "Gamma (near)"]


def test_prefix_suffix_suppress_author_and_author_only() -> None:
    csl = style('<citation><layout prefix="(" suffix=")" delimiter="; "><group delimiter=" ">'
                '<names variable="author"><name form="short"/></names><date variable="issued"><date-part name="year"/>'
                "</date></group></layout></citation>", cls="in-text")
    out = run(csl, [Cluster([CiteRef("roe", prefix="see ", suffix=", ch. 2")]),
                    Cluster([CiteRef("roe", suppress_author=True)]),
                    Cluster([CiteRef("roe", author_only=True)])])
    assert out == ["(see Roe 2001, ch. 2)", "(2001)", "(Roe)"]


def test_disambiguation_adds_givennames_then_year_suffixes() -> None:
    given = style('<citation disambiguate-add-givenname="true"><layout delimiter="; "><group delimiter=" ">'
                  '<names variable="author"><name form="short" initialize-with=". "/></names>'
                  '<date variable="issued"><date-part name="year"/></date></group></layout></citation>', cls="in-text")
    mary = {**ITEMS[1], "id": "mary", "author": [{"family": "Doe", "given": "Mary"}]}
    proc = Processor(given, [*ITEMS, mary], fmt="text")
    # initials settle John and Mary; John and Jane need their whole given names
    assert proc.process([Cluster([CiteRef("doe"), CiteRef("mary"), CiteRef("roe")])]) == [
        "J. Doe 2000; M. Doe 2000; Roe 2001"]
    assert run(given, [Cluster([CiteRef("doe"), CiteRef("doe2")])]) == ["John Doe 2000; Jane Doe 2000"]
    full = given.replace('initialize-with=". "', "")
    suffix = full.replace('disambiguate-add-givenname="true"', 'disambiguate-add-year-suffix="true"')
    proc = Processor(suffix, ITEMS, fmt="text")
    assert proc.process([Cluster([CiteRef("doe"), CiteRef("doe2")])]) == ["Doe 2000a; Doe 2000b"]


def test_numbers_collapse_and_follow_first_citation() -> None:
    csl = style('<citation collapse="citation-number"><sort><key variable="citation-number"/></sort>'
                '<layout prefix="[" suffix="]" delimiter=","><text variable="citation-number"/></layout></citation>',
                cls="in-text",
                bib='<bibliography><layout><text variable="citation-number" suffix=". "/><text variable="title"/>'
                    "</layout></bibliography>")
    proc = Processor(csl, ITEMS, fmt="text")
    assert proc.process([Cluster([CiteRef("roe")]), Cluster([CiteRef("doe2"), CiteRef("doe"), CiteRef("roe")])]) == [
        "[1]", "[1–3]"]
    assert proc.bibliography() == ["1. Gamma", "2. Beta", "3. Alpha"]


def test_year_collapsing() -> None:
    csl = style('<citation collapse="year" disambiguate-add-year-suffix="true"><layout prefix="(" suffix=")" delimiter="; ">'
                '<group delimiter=" "><names variable="author"><name form="short"/></names>'
                '<date variable="issued"><date-part name="year"/></date></group></layout></citation>', cls="in-text")
    items = [{**ITEMS[0], "id": "a"}, {**ITEMS[0], "id": "b", "title": "Other", "issued": {"date-parts": [[2003]]}}]
    assert Processor(csl, items, fmt="text").process([Cluster([CiteRef("a"), CiteRef("b")])]) == ["(Doe 2000, 2003)"]


def test_html_output_of_a_cluster() -> None:
    csl = style('<citation><layout><text variable="title" font-style="italic"/></layout></citation>')
    items = [{"id": "x", "type": "book", "title": "Tom & <i>Jerry</i>"}]
    assert Processor(csl, items, fmt="html").process([Cluster([CiteRef("x")])]) == [
        '<i>Tom &#38; <span style="font-style:normal;">Jerry</span></i>']
