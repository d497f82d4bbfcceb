"""Every library entry exported to CSL-JSON, RIS, Zotero JSON and RDF keeps what Zotero needs.

Where ../shared is present, the writers are checked against what Zotero's own translators did
(translator-samples/): our RIS and RDF for Zotero's sample items must contain every line/value
Zotero's exporters wrote, and a small model of Zotero's RIS/RDF importers (itself checked against
Zotero's import of a sample file) must give back the intended types, numbers and keys.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from citekit.bibtex.reader import parse_bib
from citekit.export import FORMATS, export, key_in_extra
from citekit.zotero import ris as ris_mod
from citekit.zotero.mapping import csl_to_zotero
from citekit.zotero.rdf import items_to_rdf
from citekit.zotero.ris import item_to_ris
from citekit.zotero.schema import item_type
from tests.zotero.conftest import SAMPLES, needs_shared

INTENDED = {"bill": "bill", "report": "report", "webpage": "webpage", "article-journal": "journalArticle"}
NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "z": "http://www.zotero.org/namespaces/export#",
    "dc": "http://purl.org/dc/elements/1.1/", "dcterms": "http://purl.org/dc/terms/",
    "bib": "http://purl.org/net/biblio#", "foaf": "http://xmlns.com/foaf/0.1/",
    "prism": "http://prismstandard.org/namespaces/1.2/basic/", "vcard": "http://nwalsh.com/rdf/vCard#",
}


# ------------------------------------------------------------------ a model of Zotero's RIS import

def parse_ris(text: str) -> list[list[tuple[str, str]]]:
    records, cur = [], []
    for line in text.splitlines():
        m = re.match(r"^([A-Z][A-Z0-9])  - ?(.*)$", line)
        if not m:
            if cur and line.strip():
                cur[-1] = (cur[-1][0], cur[-1][1] + "\n" + line)
            continue
        tag, value = m.groups()
        if tag == "ER":
            records.append(cur)
            cur = []
        else:
            cur.append((tag, value.strip()))
    return records


def _ris_date(value: str) -> str:
    parts = [p for p in value.split("/")[:3]]
    return "-".join(p.zfill(2) if i else p for i, p in enumerate(parts) if p)


def ris_import(record: list[tuple[str, str]]) -> dict:
    """Zotero's RIS import for the tags citekit writes (RIS.js field map, import direction)."""
    import_types = {v: k for k, v in ris_mod.TYPE_TAGS.items()}
    import_types.update({"GOVDOC": "report", "STAND": "report", "WEB": "webpage", "GEN": "journalArticle"})
    ztype = import_types.get(record[0][1], "journalArticle")
    t = item_type(ztype)
    z: dict = {"itemType": ztype, "creators": [], "tags": []}
    creator_tags: dict[str, str] = {}
    for ctype, per in ris_mod._CREATOR_TAGS.items():
        tag = per.get(ztype) or per.get("*")
        if tag and ctype in t.creator_types:
            creator_tags.setdefault(tag, ctype)
    creator_tags.setdefault("AU", "author")
    creator_tags.setdefault("ED", "editor")
    for tag, value in record[1:]:
        field = None
        for ftag, default, specific in ris_mod._FIELDS:
            if ftag == tag:
                field = next((f for f, types in specific.items() if ztype in types), default)
        if tag in creator_tags and not (tag == "A2" and ztype == "case"):
            last, _, first = value.partition(", ")
            c = {"creatorType": creator_tags[tag]}
            c.update({"lastName": last, "firstName": first} if first else {"name": last})
            if c["creatorType"] not in t.creator_types:
                c["creatorType"] = t.primary  # desktop coerces invalid roles to the primary one
            z["creators"].append(c)
        elif tag == "KW":
            z["tags"].append({"tag": value})
        elif tag == "Y2":
            z["accessDate"] = _ris_date(value)
        elif tag == "M2":
            z["extra"] = value if "extra" not in z else z["extra"] + "; " + value
        elif tag in ("ID", "PY", "N1"):
            continue
        elif field and field in t.fields:
            z.setdefault(field, _ris_date(value) if tag == "DA" else value)
    return z


@needs_shared(SAMPLES)
def test_ris_import_model_matches_zotero():
    records = parse_ris((SAMPLES / "inputs" / "in_ris.ris").read_text(encoding="utf-8"))
    zotero = [z for z in json.loads((SAMPLES / "outputs" / "in_ris.ris.import.json").read_text())
              if z["itemType"] != "note"]
    for rec, theirs in zip(records, zotero, strict=True):
        ours = ris_import(rec)
        for k, v in theirs.items():
            if k in ("key", "version", "creators", "tags", "extra") or (k == "date" and rec[0][1] == "GOVDOC"):
                continue
            assert ours.get(k) == v, (theirs["itemType"], k)
        assert ours["itemType"] == theirs["itemType"]


@needs_shared(SAMPLES)
def test_ris_contains_everything_zoteros_exporter_writes():
    items = json.loads((SAMPLES / "inputs" / "items.json").read_text(encoding="utf-8"))
    theirs = (SAMPLES / "outputs" / "export.ris.txt").read_text(encoding="utf-8").strip().split("\n\n")
    for z, their in zip(items, theirs, strict=True):
        ours = {line.rstrip() for line in item_to_ris(z).splitlines()}
        missing = {line.rstrip() for line in their.splitlines()} - ours
        assert not missing, (z["itemType"], missing)


@needs_shared(SAMPLES)
def test_rdf_contains_everything_zoteros_exporter_writes():
    items = json.loads((SAMPLES / "inputs" / "items.json").read_text(encoding="utf-8"))
    theirs = ET.fromstring((SAMPLES / "outputs" / "export.rdf_zotero.txt").read_text(encoding="utf-8"))
    ours = ET.fromstring(items_to_rdf(items))
    for t_el, o_el in zip(theirs, ours, strict=True):
        assert t_el.tag == o_el.tag
        missing = _leaves(t_el) - _leaves(o_el)
        missing = {m for m in missing if not m[0].endswith("displayTitle")}  # computed by Zotero
        assert not missing, missing


def _leaves(el, path: str = "") -> set[tuple[str, str]]:
    p = path + "/" + el.tag.split("}")[-1]
    kids = list(el)
    out = set() if kids else {(p, (el.text or "").strip())}
    for k in kids:
        out |= _leaves(k, p)
    return out


@needs_shared(SAMPLES)
def test_csl_mapping_matches_zoteros_csl_import():
    ins = json.loads((SAMPLES / "inputs" / "in_csl.json").read_text(encoding="utf-8"))
    outs = json.loads((SAMPLES / "outputs" / "in_csl.json.import.json").read_text(encoding="utf-8"))
    for item, theirs in zip(ins, outs, strict=True):
        ours = csl_to_zotero(item)
        if item["id"] == "billpub":
            continue  # Zotero turns a bill with a publisher into a hearing; citekit keeps the bill
        for k, v in theirs.items():
            if k in ("key", "version", "extra") or k in ("date", "dateEnacted"):
                continue  # Zotero spells date-parts out ("June 15, 2023"); citekit keeps ISO
            assert ours.get(k) == v, (item["id"], k)


# ------------------------------------------------------------------ the library in every format

def test_csljson_is_lossless(library_items):
    data = json.loads(export(library_items, "csljson"))
    assert len(data) == len(library_items)
    for item, out in zip(library_items, data, strict=True):
        assert out["citation-key"] == item["id"] and out["type"] == item["type"]
        for var in ("issued", "accessed"):
            if var in item:
                assert out[var]["date-parts"] == item[var]["date-parts"]
                assert re.fullmatch(r"\d{4}(-\d\d){0,2}", out[var]["raw"])
        # Better BibTeX's "Citation Key:" line in note, for Zotero versions that drop citation-key
        assert out["note"] == key_in_extra(item.get("note"), item["id"])
        assert out["note"].splitlines()[-1] == f"Citation Key: {item['id']}"
        assert {k: v for k, v in out.items() if k not in ("issued", "accessed", "note")} == {
            k: v for k, v in item.items() if k not in ("issued", "accessed", "note")}


def test_ris_keeps_types_numbers_keys(library_items):
    records = parse_ris(export(library_items, "ris"))
    assert len(records) == len(library_items)
    for item, rec in zip(library_items, records, strict=True):
        z = ris_import(rec)
        want = csl_to_zotero(item)
        assert z["itemType"] == INTENDED[item["type"]]
        for field in ("title", "billNumber", "reportNumber", "institution", "reportType", "url", "accessDate",
                      "date", "legislativeBody", "session", "publicationTitle", "volume", "issue", "place",
                      "seriesTitle", "DOI", "language"):
            assert z.get(field) == want.get(field), (item["id"], field)
        assert z["extra"] == f"Citation Key: {item['id']}"  # Zotero 8 moves this line into citationKey
        assert [c["creatorType"] for c in z["creators"]] == [c["creatorType"] for c in want["creators"]]
        assert z["tags"] == want["tags"]


# ------------------------------------------------------------------ a model of Zotero's RDF import

def rdf_import(text: str) -> list[dict]:
    """What Zotero's RDF importer reads from the predicates citekit writes."""
    root = ET.fromstring(text)
    out = []
    for el in root:
        ztype = el.findtext("z:itemType", namespaces=NS)
        t = item_type(ztype)
        z: dict = {"itemType": ztype, "creators": [], "tags": []}

        def put(generic: str, value: str | None, z=z, t=t) -> None:
            field = t.field_for(generic)
            if value and field:
                z[field] = value

        for child in el:
            tag = child.tag.split("}")[-1]
            if tag == "isPartOf":
                part = child[0]
                kind = part.tag.split("}")[-1]
                if kind == "Part":
                    put("section", part.findtext("dc:title", namespaces=NS))
                elif kind == "Series":
                    put("seriesTitle", part.findtext("dcterms:alternative", namespaces=NS))
                    put("seriesNumber", part.findtext("dc:identifier", namespaces=NS))
                elif kind == "CourtReporter":
                    put("number", part.findtext("prism:number", namespaces=NS))
                    put("reporter", part.findtext("dc:title", namespaces=NS))
                    put("volume", part.findtext("prism:volume", namespaces=NS))
                else:
                    put("publicationTitle", part.findtext("dc:title", namespaces=NS))
                    put("volume", part.findtext("prism:volume", namespaces=NS))
                    put("issue", part.findtext("prism:number", namespaces=NS))
                    issn = part.findtext("dc:identifier", namespaces=NS) or ""
                    if issn.startswith("ISSN "):  # a journal's ISSN, as Zotero's exporter writes it
                        put("ISSN", issn[5:])
            elif tag == "publisher":
                put("publisher", child.findtext(".//foaf:name", namespaces=NS))
                put("place", child.findtext(".//vcard:locality", namespaces=NS))
            elif child.find("rdf:Seq", NS) is not None:
                role = {"authors": "author", "editors": "editor", "contributors": "contributor"}.get(tag, tag[:-1])
                for person in child.iterfind(".//foaf:Person", NS):
                    given = person.findtext("foaf:givenName", namespaces=NS)
                    last = person.findtext("foaf:surname", namespaces=NS)
                    c = {"creatorType": role}
                    c.update({"firstName": given, "lastName": last} if given else {"name": last})
                    z["creators"].append(c)
            elif tag == "subject" and len(child):
                put("callNumber", child.findtext(".//rdf:value", namespaces=NS))
            elif tag == "subject":
                z["tags"].append({"tag": child.text})
            elif tag == "identifier":
                uri = child.findtext(".//rdf:value", namespaces=NS)
                if uri:
                    z["url"] = uri
                elif (child.text or "").startswith(("DOI ", "ISBN ")):
                    kind, _, value = child.text.partition(" ")
                    put(kind, value)
            elif tag == "dateSubmitted":
                z["accessDate"] = child.text[:10]
            elif tag == "description":
                z["extra"] = child.text
            elif tag != "itemType":
                generic = {"abstract": "abstractNote", "coverage": "archiveLocation"}.get(tag, tag)
                if tag == "edition" and child.tag.startswith("{http://prismstandard.org"):
                    # prism:edition is a standard's versionNumber; z:edition is the field itself
                    generic = "versionNumber" if t.field_for("versionNumber") else "edition"
                put(generic, child.text)
        out.append(z)
    return out


def test_rdf_is_lossless(library_items):
    from tests.zotero.conftest import SCHEMA

    assert SCHEMA  # the model is of the shape Zotero's exporter writes (checked above when present)
    back = rdf_import(export(library_items, "zotero-rdf"))
    for item, z in zip(library_items, back, strict=True):
        want = csl_to_zotero(item)
        want["extra"] = key_in_extra(want.get("extra"), item["id"])  # for importers that drop z:citationKey
        assert z["itemType"] == INTENDED[item["type"]]
        assert {k: v for k, v in z.items() if k != "creators"} == {k: v for k, v in want.items() if k != "creators"}
        assert sorted(map(json.dumps, z["creators"])) == sorted(map(json.dumps, want["creators"]))


@pytest.mark.parametrize("dialect", ["biblatex", "bibtex"])
def test_bibtex_exports_parse_back_with_the_same_keys(library_items, dialect):
    text = export(library_items, dialect)
    bib = parse_bib(text, f"<{dialect}>")
    assert bib.parsed_cleanly
    assert [e.key for e in bib.entries] == [i["id"] for i in library_items]
    types = {e.key: e.entry_type for e in bib.entries}
    if dialect == "biblatex":
        assert types["congress2014revitalize"] == "legislation" and types["crs2019mep"] == "report"
        assert types["msi2019technician"] == "online"
    else:
        assert types["crs2019mep"] == "techreport"
    bill = next(e for e in bib.entries if e.key == "congress2014revitalize")
    assert bill.get("number") == "H.R. 2996"


def test_zotero_json_export(library_items):
    data = json.loads(export(library_items, "zotero-json"))
    assert [z["citationKey"] for z in data] == [i["id"] for i in library_items]
    assert all(FORMATS)


def test_rdf_is_lossless_for_other_types():
    from tests.zotero.test_mapping import HAND_ITEMS

    back = rdf_import(items_to_rdf([csl_to_zotero(i) for i in HAND_ITEMS]))
    for item, z in zip(HAND_ITEMS, back, strict=True):
        want = csl_to_zotero(item)
        assert {k: v for k, v in z.items() if k != "creators"} == {
            k: v for k, v in want.items() if k != "creators"}, item["id"]
        assert sorted(map(json.dumps, z["creators"])) == sorted(map(json.dumps, want["creators"]))


# ------------------------------------------------------------------ Zotero's own importers, when available

def _oracle_url() -> str | None:
    """A running Zotero translation-server (notes §5), e.g. ZOTERO_ORACLE_URL=http://127.0.0.1:1969."""
    import os

    import requests

    url = os.environ.get("ZOTERO_ORACLE_URL")
    if not url or not url.startswith(("http://127.", "http://localhost")):
        return None
    try:
        requests.get(url, timeout=2)
    except requests.RequestException:
        return None
    return url.rstrip("/")


@pytest.mark.parametrize("fmt", ["csljson", "ris", "zotero-rdf"])
def test_zoteros_importers_give_the_intended_items(fmt, library_items):
    import requests

    url = _oracle_url()
    if url is None:
        pytest.skip("no Zotero translation-server on loopback (set ZOTERO_ORACLE_URL)")
    resp = requests.post(f"{url}/import", data=export(library_items, fmt).encode(),
                         headers={"Content-Type": "text/plain"}, timeout=60)
    assert resp.status_code == 200, resp.text[:300]
    got = [z for z in resp.json() if z.get("itemType") not in ("note", "attachment")]
    assert len(got) == len(library_items)
    for item, z in zip(library_items, got, strict=True):
        want = csl_to_zotero(item)
        assert z["itemType"] == INTENDED[item["type"]], item["id"]
        for field in ("billNumber", "reportNumber", "institution", "url"):
            assert z.get(field) == want.get(field), (item["id"], field)
        if want.get("accessDate"):
            assert z.get("accessDate", "")[:10] == want["accessDate"]
        key_kept = z.get("citationKey") == item["id"] or f"Citation Key: {item['id']}" in z.get("extra", "")
        assert key_kept, item["id"]


# ------------------------------------------------------------------ a model of Zotero's CSL JSON import

def csl_import(item: dict, schema: dict) -> dict:
    """Zotero's itemFromCSLJSON, driven by schema.json's own CSL tables (independent of citekit's)."""
    types = {t["itemType"]: t for t in schema["itemTypes"]}
    ztype = schema["csl"]["types"].get(item["type"], ["document"])[0]
    if ztype == "bill" and (item.get("publisher") or item.get("number-of-volumes")):
        ztype = "hearing"
    fields = {f["field"]: f.get("baseField") for f in types[ztype]["fields"]}
    by_base = {b: f for f, b in fields.items() if b}
    z: dict = {"itemType": ztype, "creators": []}
    for var, candidates in schema["csl"]["fields"]["text"].items():
        if item.get(var) in (None, ""):
            continue
        for cand in candidates:
            field = cand if cand in fields else by_base.get(cand)
            if field:
                z.setdefault(field, str(item[var]))
                break
    for var, zfield in schema["csl"]["fields"]["date"].items():
        if item.get(var):
            field = zfield if zfield in fields else by_base.get(zfield)
            d = item[var]
            if field:
                parts = d["date-parts"][0]
                z[field] = d.get("raw") or "-".join([str(parts[0])] + [f"{p:02d}" for p in parts[1:]])
    primary = next(c["creatorType"] for c in types[ztype]["creatorTypes"] if c.get("primary"))
    valid = {c["creatorType"] for c in types[ztype]["creatorTypes"]}
    roles = {v: k for k, v in schema["csl"]["names"].items()}
    for var in ("author", "editor", "contributor", "translator", "collection-editor", "container-author"):
        for name in item.get(var, []):
            ctype = primary if var == "author" else roles.get(var, primary)
            z["creators"].append({"creatorType": ctype if ctype in valid else primary,
                                  **({"name": name["literal"]} if "literal" in name else
                                     {"lastName": name.get("family"), "firstName": name.get("given")})})
    return z


@needs_shared(SAMPLES)
def test_csl_import_model_matches_zotero():
    from tests.zotero.conftest import SCHEMA

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    ins = json.loads((SAMPLES / "inputs" / "in_csl.json").read_text(encoding="utf-8"))
    outs = json.loads((SAMPLES / "outputs" / "in_csl.json.import.json").read_text(encoding="utf-8"))
    for item, theirs in zip(ins, outs, strict=True):
        ours = csl_import(item, schema)
        for k, v in theirs.items():
            if k in ("key", "version", "tags", "creators") or k in ("date", "dateEnacted"):
                continue
            assert ours.get(k) == v, (item["id"], k)
        assert ours["itemType"] == theirs["itemType"]
        assert sorted(c["creatorType"] for c in ours["creators"]) == sorted(
            c["creatorType"] for c in theirs["creators"])


@needs_shared(SAMPLES)
def test_csljson_export_imports_as_intended(library_items):
    from tests.zotero.conftest import SCHEMA

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    for item in json.loads(export(library_items, "csljson")):
        z = csl_import(item, schema)
        want = csl_to_zotero(item)
        assert z["itemType"] == INTENDED[item["type"]]
        assert z["citationKey"] == item["id"]
        for k, v in want.items():
            if k not in ("tags", "extra"):  # CSL variables Zotero has no field for are dropped by its import
                assert z.get(k) == v, (item["id"], k)


@pytest.mark.parametrize("value", ["0", 0])
@pytest.mark.parametrize("ctype", ["article-journal", "article-magazine", "paper-conference"])
def test_rdf_keeps_an_issn_and_an_issue_of_zero(ctype, value):
    item = {"id": "zero", "type": ctype, "title": "T", "container-title": "J", "issue": value, "ISSN": value,
            "volume": value}
    z = rdf_import(export([item], "zotero-rdf"))[0]
    assert z.get("ISSN") == "0" and z.get("volume") == "0"
    if ctype != "paper-conference":  # a conference paper has no issue in Zotero's model
        assert z.get("issue") == "0"


def test_citation_key_also_in_extra_once():
    item = {"id": "k1", "type": "report", "title": "T", "note": "Citation Key: k1\nother"}
    assert json.loads(export([item], "csljson"))[0]["note"] == "Citation Key: k1\nother"
    assert key_in_extra("", "k1") == "Citation Key: k1"
    assert key_in_extra("a line", "k1") == "a line\nCitation Key: k1"
    assert "<dc:description>Citation Key: k1" in export([dict(item, note=None)], "zotero-rdf")


def test_the_cli_lists_the_export_formats():
    from citekit.cli.zotero import FORMATS as CLI_FORMATS

    assert CLI_FORMATS == FORMATS
