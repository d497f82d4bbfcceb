"""Hostile inputs, one per class of crash found (issue #10) and a few more: name -> (suffix, text)."""

from __future__ import annotations

import json


def _bib(fields: str, kind: str = "article", key: str = "k") -> str:
    return f"@{kind}{{{key},\n  title = {{T}},\n  author = {{Doe, Jane}},\n  date = {{2020}},\n{fields}\n}}\n"


CORPUS: dict[str, tuple[str, str]] = {
    "whitespace-doi": (".bib", _bib("  doi = { },")),
    "whitespace-every-field": (".bib", "@article{k,\n" + "".join(
        f"  {f} = {{ }},\n" for f in ("title", "author", "date", "doi", "url", "urldate", "journaltitle",
                                       "volume", "number", "pages", "congress", "editor", "isbn", "issn",
                                       "langid", "keywords", "note", "institution", "type")) + "}\n"),
    "empty-every-field": (".bib", "@report{k,\n" + "".join(
        f"  {f} = {{}},\n" for f in ("title", "author", "date", "doi", "url", "urldate", "number",
                                       "institution", "series", "location", "eventdate", "origdate")) + "}\n"),
    "deep-braces": (".bib", _bib("  note = " + "{" * 1000 + "x" + "}" * 1000 + ",")),
    "deep-emph": (".bib", _bib("  note = {" + "\\emph{" * 400 + "x" + "}" * 400 + "},")),
    "deep-title-commands": (".bib", "@article{k, title = {" + "\\textbf{" * 600 + "x" + "}" * 600 + "}}\n"),
    "huge-congress": (".bib", _bib("  congress = {" + "9" * 5000 + "},", kind="legislation")),
    "huge-volume": (".bib", _bib("  volume = {" + "1" * 5000 + "},\n  pages = {" + "2" * 5000 + "--3},")),
    "huge-year": (".bib", _bib("  year = {" + "9" * 5000 + "},\n  urldate = {" + "9" * 400 + "-01-01},")),
    "url-bad-port": (".bib", _bib("  url = {https://example.gov:99999/x},")),
    "url-bad-hosts": (".bib", _bib("  url = {http://[::1/x},\n  doi = {10.1/x},")
                      + _bib("  url = {https://exa mple.gov/},", key="k2")
                      + _bib("  url = {http://:80/},", key="k3")
                      + _bib("  url = {https://example.gov:-1/},", key="k4")),
    "bad-dates": (".bib", _bib("  urldate = {2021-13-45},\n  origdate = {0000-00-00},\n  eventdate = {2020/}")
                  .replace("date = {2020}", "date = {not a date}")),
    "nul-and-controls": (".bib", _bib("  note = {a\x00b\x01c\x1bd},")),
    "missing-comma": (".bib", "@article{k,\n  title = {T}\n  author = {Doe, Jane},\n  date = {2020}\n}\n"),
    "empty-key": (".bib", "@article{,\n  title = {T},\n  date = {2020}\n}\n"),
    "unclosed-entry": (".bib", "@article{k,\n  title = {T,\n  date = {2020}\n"),
    "only-garbage": (".bib", "}}}{{{@@@@\n@comment{\n@string{a = \n"),
    "string-loop": (".bib", "@string{a = b # a}\n@string{b = a # b}\n" + _bib("  note = a,")),
    "csl-deep-brackets": (".json", "[" * 100_000 + "]" * 100_000),
    "csl-deep-objects": (".json", '{"a":' * 50_000 + "1" + "}" * 50_000),
    "csl-surrogates": (".json", '[{"id": "k\\ud800", "type": "book", "title": "x\\udfff y"}]'),
    "csl-huge-numbers": (".json", json.dumps([{"id": "k", "type": "book", "title": "T",
                                               "issued": {"date-parts": [[int("9" * 4000)]]},
                                               "volume": int("9" * 4000), "page": "9" * 5000}])),
    "csl-wrong-shapes": (".json", json.dumps([{"id": "k", "type": "book", "author": "not a list",
                                               "issued": "2020", "title": ["a"]}, 3, None, "x",
                                              {"id": None, "type": 5}, {"id": "e", "type": "book", "editor": [5]}])),
    "csl-empty-values": (".json", json.dumps([{"id": "k", "type": "book", "title": " ", "author": [{}],
                                               "issued": {"date-parts": [[]]}, "URL": " ", "DOI": ""}])),
    "csl-bad-dates": (".json", json.dumps([{"id": "k", "type": "book", "title": "T",
                                            "issued": {"date-parts": [["x", 13, 99]]},
                                            "accessed": {"raw": "2021-99-99"}}])),
    "csl-nul": (".json", json.dumps([{"id": "k\x00", "type": "book", "title": "a\x00b", "URL": "http://a:99999/"}])),
    "csl-not-items": (".json", '{"items": 5}'),
    "csl-not-json": (".json", "[{'id': 1,}"),
}
