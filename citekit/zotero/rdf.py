"""Zotero RDF: the file format that keeps every field (notes §2.5).

Written in the shape Zotero's own "Zotero RDF" exporter produces (``bib:Legislation`` for bills
and statutes, ``bib:Report``, ``bib:Document`` for web pages, ``z:itemType`` on every item, role
lists such as ``z:sponsors`` / ``bib:authors`` as ``rdf:Seq`` of ``foaf:Person``, ``prism:number``,
``z:citationKey``), so Zotero's RDF importer maps it back field for field. Fields without a
dedicated predicate are written as ``z:<field>``, which the importer reads by name.
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import escape, quoteattr

from citekit.zotero.mapping import ZoteroItem
from citekit.zotero.schema import item_type

_HEAD = """<rdf:RDF
 xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns:z="http://www.zotero.org/namespaces/export#"
 xmlns:dcterms="http://purl.org/dc/terms/"
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:bib="http://purl.org/net/biblio#"
 xmlns:foaf="http://xmlns.com/foaf/0.1/"
 xmlns:prism="http://prismstandard.org/namespaces/1.2/basic/"
 xmlns:vcard="http://nwalsh.com/rdf/vCard#">
"""

_CLASS = {
    "bill": "bib:Legislation", "statute": "bib:Legislation", "hearing": "bib:Report", "report": "bib:Report",
    "webpage": "bib:Document", "case": "bib:Document", "journalArticle": "bib:Article", "book": "bib:Book",
    "bookSection": "bib:BookSection", "thesis": "bib:Thesis", "manuscript": "bib:Manuscript",
    "document": "rdf:Description", "standard": "rdf:Description", "conferencePaper": "rdf:Description",
}
# generic (base) field -> predicate, as Zotero's exporter writes them
_PREDICATES = {
    "title": "dc:title", "number": "prism:number", "authority": "z:authority", "date": "dc:date",
    "pages": "bib:pages", "rights": "dc:rights", "abstractNote": "dcterms:abstract", "type": "z:type",
    "volume": "prism:volume", "language": "z:language", "shortTitle": "z:shortTitle",
    "citationKey": "z:citationKey", "extra": "dc:description", "edition": "prism:edition",
    "versionNumber": "prism:edition", "archiveLocation": "dc:coverage",
}
_ROLE_LISTS = {"author": "bib:authors", "editor": "bib:editors", "contributor": "bib:contributors"}
# fields written inside a container (dcterms:isPartOf) or publisher block instead of as plain predicates
_HANDLED = {"url", "accessDate", "DOI", "ISBN", "callNumber", "extra"}


def _el(pred: str, value: str, indent: str = "        ") -> str:
    return f"{indent}<{pred}>{escape(str(value))}</{pred}>"


def _person(c: dict[str, str], indent: str) -> list[str]:
    out = [f"{indent}<rdf:li>", f"{indent}    <foaf:Person>"]
    if "name" in c:
        out.append(_el("foaf:surname", c["name"], indent + "        "))
    else:
        out.append(_el("foaf:surname", c.get("lastName", ""), indent + "        "))
        if c.get("firstName"):
            out.append(_el("foaf:givenName", c["firstName"], indent + "        "))
    out += [f"{indent}    </foaf:Person>", f"{indent}</rdf:li>"]
    return out


def item_to_rdf(z: ZoteroItem, about: str) -> str:
    ztype = z["itemType"]
    t = item_type(ztype)
    cls = _CLASS.get(ztype, "rdf:Description")
    lines = [f"    <{cls} rdf:about={quoteattr(about)}>", _el("z:itemType", ztype)]
    generic = {t.generic(f): f for f in t.fields if z.get(f) not in (None, "")}

    done: set[str] = set()

    def has(name: str) -> bool:
        if name in generic:
            done.add(generic[name])
            return True
        return False

    if ztype in ("bill", "statute") and has("section"):
        lines += ["        <dcterms:isPartOf>", f"           <bib:Part>{_el('dc:title', z['section'], '')}</bib:Part>",
                  "        </dcterms:isPartOf>"]
    if "seriesTitle" in generic or ("seriesNumber" in generic and ztype == "report"):
        lines += ["        <dcterms:isPartOf>", "            <bib:Series>"]
        if has("seriesTitle"):
            lines.append(_el("dcterms:alternative", z["seriesTitle"], "                "))
        if has("seriesNumber"):
            lines.append(_el("dc:identifier", z["seriesNumber"], "                "))
        lines += ["            </bib:Series>", "        </dcterms:isPartOf>"]
    if ztype == "case" and any(f in generic for f in ("number", "reporter", "volume")):
        lines += ["        <dcterms:isPartOf>", "            <bib:CourtReporter>"]
        for f, pred in (("number", "prism:number"), ("reporter", "dc:title"), ("volume", "prism:volume")):
            if f in generic and has(f):
                lines.append(_el(pred, z[generic[f]], "                "))
        lines += ["            </bib:CourtReporter>", "        </dcterms:isPartOf>"]
    if "publicationTitle" in generic and has("publicationTitle"):
        container = {"webpage": "z:Website", "journalArticle": "bib:Journal", "blogPost": "z:Blog"}.get(
            ztype, "bib:Periodical")
        lines += ["        <dcterms:isPartOf>", f"            <{container}>",
                  _el("dc:title", z[generic["publicationTitle"]], "                ")]
        for f, pred in (("volume", "prism:volume"), ("issue", "prism:number"), ("ISSN", "dc:identifier")):
            if ztype == "journalArticle" and f in generic and has(f):
                value = z[generic[f]] if f != "ISSN" else f"ISSN {z['ISSN']}"
                lines.append(_el(pred, value, "                "))
        lines += [f"            </{container}>", "        </dcterms:isPartOf>"]
    if has("publisher") or has("place"):
        lines += ["        <dc:publisher>", "            <foaf:Organization>"]
        if has("publisher"):
            lines.append(_el("foaf:name", z[generic["publisher"]], "                "))
        if has("place"):
            lines += ["                <vcard:adr>", "                    <vcard:Address>",
                      _el("vcard:locality", z[generic["place"]], "                       "),
                      "                    </vcard:Address>", "                </vcard:adr>"]
        lines += ["            </foaf:Organization>", "        </dc:publisher>"]
    by_role: dict[str, list[dict[str, str]]] = {}
    for c in z.get("creators", []):
        by_role.setdefault(c.get("creatorType", t.primary), []).append(c)
    for role, creators in by_role.items():
        pred = _ROLE_LISTS.get(role, f"z:{role}s")
        lines += [f"        <{pred}>", "            <rdf:Seq>"]
        for c in creators:
            lines += _person(c, "                ")
        lines += ["            </rdf:Seq>", f"        </{pred}>"]
    for tag in z.get("tags", []):
        lines.append(_el("dc:subject", tag["tag"]))
    for field in t.fields:
        value = z.get(field)
        gen = t.generic(field)
        if value in (None, "") or field in _HANDLED or field in done:
            continue
        pred = _PREDICATES.get(gen, f"z:{gen}")
        if gen == "edition" and "versionNumber" in t.fields:
            # A standard has both; Zotero's import reads prism:edition as its versionNumber.
            pred = "z:edition"
        lines.append(_el(pred, value))
    for ident in ("ISBN", "DOI"):
        if z.get(ident):
            lines.append(_el("dc:identifier", f"{ident} {z[ident]}"))
    if z.get("callNumber"):
        lines += ["        <dc:subject>", "            <dcterms:LCC>",
                  _el("rdf:value", z["callNumber"], "                "),
                  "            </dcterms:LCC>", "        </dc:subject>"]
    if z.get("url"):
        lines += ["        <dc:identifier>", "            <dcterms:URI>",
                  _el("rdf:value", z["url"], "                "), "            </dcterms:URI>",
                  "        </dc:identifier>"]
    if z.get("accessDate"):
        access = str(z["accessDate"])
        # Zotero's exporter writes its SQL form, "YYYY-MM-DD hh:mm:ss" (UTC)
        lines.append(_el("dcterms:dateSubmitted", access + " 00:00:00" if len(access) == 10 else access))
    if z.get("extra"):
        lines.append(_el("dc:description", z["extra"]))
    lines.append(f"    </{cls}>")
    return "\n".join(lines)


def items_to_rdf(items: Iterable[ZoteroItem]) -> str:
    body = []
    seen: set[str] = set()
    for i, z in enumerate(items, 1):
        about = str(z.get("url") or "")
        # items sharing a URL must stay apart, as in Zotero's exporter
        if not about or about in seen:
            about = f"#item_{i}"
        seen.add(about)
        body.append(item_to_rdf(z, about))
    return _HEAD + "\n".join(body) + "\n</rdf:RDF>\n"
