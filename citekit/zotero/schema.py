"""Zotero's item types, fields and creator types, as citekit needs them (Zotero schema v41).

This is citekit's own compact table of facts from Zotero's published schema (the Web API serves
the same data at ``/schema``); the tests check it against the real ``schema.json`` when
``../shared`` is present. Each type lists its fields in the order of Zotero's item template,
``field=base`` where a type-specific field stands for a generic base field, and its creator
types with the primary one first (``*``).
"""

from __future__ import annotations

from functools import cache

_TYPES: dict[str, tuple[str, str]] = {
    "bill": ("title abstractNote billNumber=number code codeVolume=volume section codePages=pages "
             "legislativeBody=authority session history date DOI citationKey url accessDate shortTitle "
             "language rights extra", "sponsor* cosponsor contributor"),
    "statute": ("nameOfAct=title abstractNote code codeNumber publicLawNumber=number dateEnacted=date pages "
                "section session history DOI citationKey url accessDate shortTitle language rights extra",
                "author* contributor"),
    "hearing": ("title abstractNote committee publisher numberOfVolumes documentNumber=number pages "
                "legislativeBody=authority session history date place DOI citationKey url accessDate "
                "shortTitle language rights extra", "contributor*"),
    "case": ("caseName=title abstractNote court=authority dateDecided=date docketNumber=number reporter "
             "reporterVolume=volume firstPage=pages history DOI citationKey url accessDate shortTitle "
             "language rights extra", "author* counsel contributor"),
    "report": ("title abstractNote reportNumber=number reportType=type institution=publisher place date "
               "seriesTitle seriesNumber pages DOI ISBN citationKey url accessDate ISSN archive "
               "archiveLocation shortTitle language libraryCatalog callNumber rights extra",
               "author* editor contributor translator seriesEditor"),
    "webpage": ("title abstractNote websiteTitle=publicationTitle websiteType=type date publisher place DOI "
                "citationKey url accessDate shortTitle language rights extra", "author* contributor translator"),
    "document": ("title abstractNote type date publisher place DOI citationKey url accessDate archive "
                 "archiveLocation shortTitle language libraryCatalog callNumber rights extra",
                 "author* contributor editor translator reviewedAuthor"),
    "standard": ("title abstractNote organization=authority committee type number versionNumber edition "
                 "status date publisher place partNumber partTitle ISBN DOI citationKey url accessDate "
                 "archive archiveLocation shortTitle numPages language libraryCatalog callNumber rights extra",
                 "author* editor contributor"),
    "journalArticle": ("title abstractNote publicationTitle publisher place date volume issue section "
                       "partNumber partTitle pages series seriesTitle seriesText journalAbbreviation DOI "
                       "citationKey url accessDate PMID PMCID ISSN archive archiveLocation shortTitle "
                       "language libraryCatalog callNumber rights extra",
                       "author* contributor editor translator reviewedAuthor"),
    "book": ("title abstractNote series seriesNumber volume numberOfVolumes edition date publisher place "
             "originalDate originalPublisher originalPlace format=medium numPages ISBN DOI citationKey url "
             "accessDate ISSN archive archiveLocation shortTitle language libraryCatalog callNumber rights "
             "extra", "author* contributor editor translator seriesEditor"),
    "bookSection": ("title abstractNote bookTitle=publicationTitle series seriesNumber volume numberOfVolumes "
                    "edition date publisher place originalDate originalPublisher originalPlace format=medium "
                    "pages ISBN DOI citationKey url accessDate ISSN archive archiveLocation shortTitle "
                    "language libraryCatalog callNumber rights extra",
                    "author* contributor editor bookAuthor translator seriesEditor"),
    "conferencePaper": ("title abstractNote proceedingsTitle=publicationTitle conferenceName publisher place "
                        "date eventPlace volume issue numberOfVolumes pages series seriesNumber DOI ISBN "
                        "citationKey url accessDate ISSN archive archiveLocation shortTitle language "
                        "libraryCatalog callNumber rights extra",
                        "author* contributor editor translator seriesEditor"),
    "thesis": ("title abstractNote thesisType=type university=publisher place date series seriesNumber "
               "numPages DOI ISBN citationKey url accessDate ISSN archive archiveLocation shortTitle language "
               "libraryCatalog callNumber rights extra", "author* contributor"),
    "preprint": ("title abstractNote genre=type repository=publisher archiveID=number place date series "
                 "seriesNumber DOI citationKey url accessDate archive archiveLocation shortTitle language "
                 "libraryCatalog callNumber rights extra",
                 "author* contributor editor translator reviewedAuthor"),
    "blogPost": ("title abstractNote blogTitle=publicationTitle websiteType=type date DOI citationKey url "
                 "accessDate ISSN shortTitle language rights extra", "author* translator commenter contributor"),
    "newspaperArticle": ("title abstractNote publicationTitle publisher place date volume issue edition "
                         "section pages ISSN DOI citationKey url accessDate archive archiveLocation shortTitle "
                         "language libraryCatalog callNumber rights extra",
                         "author* contributor translator reviewedAuthor"),
    "magazineArticle": ("title abstractNote publicationTitle publisher place date volume issue pages ISSN DOI "
                        "citationKey url accessDate archive archiveLocation shortTitle language libraryCatalog "
                        "callNumber rights extra", "author* contributor translator reviewedAuthor"),
    "dataset": ("title abstractNote identifier=number type versionNumber date repository=publisher "
                "repositoryLocation=place format=medium DOI citationKey url accessDate archive archiveLocation "
                "shortTitle language libraryCatalog callNumber rights extra", "author* contributor"),
    "computerProgram": ("title abstractNote seriesTitle versionNumber date system company=publisher place "
                        "programmingLanguage rights citationKey url accessDate DOI ISBN archive archiveLocation "
                        "libraryCatalog callNumber shortTitle extra", "programmer* contributor"),
    "manuscript": ("title abstractNote manuscriptType=type institution=publisher place date numPages number DOI "
                   "citationKey url accessDate archive archiveLocation shortTitle language libraryCatalog "
                   "callNumber rights extra", "author* contributor translator"),
    "presentation": ("title abstractNote presentationType=type date meetingName place series "
                     "sessionTitle=publicationTitle DOI citationKey url accessDate shortTitle language rights "
                     "extra", "presenter* chair organizer contributor translator"),
}

# CSL item type -> Zotero item type (schema "csl.types", first Zotero type of each).
CSL_TO_ZOTERO_TYPE: dict[str, str] = {
    "article": "preprint", "article-journal": "journalArticle", "article-magazine": "magazineArticle",
    "article-newspaper": "newspaperArticle", "bill": "bill", "book": "book", "chapter": "bookSection",
    "dataset": "dataset", "document": "document", "hearing": "hearing", "legal_case": "case",
    "legislation": "statute", "manuscript": "manuscript", "paper-conference": "conferencePaper",
    "post-weblog": "blogPost", "report": "report", "software": "computerProgram", "speech": "presentation",
    "standard": "standard", "thesis": "thesis", "webpage": "webpage",
}
ZOTERO_TO_CSL_TYPE: dict[str, str] = {z: c for c, z in CSL_TO_ZOTERO_TYPE.items()}

# CSL text variable -> Zotero fields (base or type-specific names), first valid one wins.
CSL_TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title",), "abstract": ("abstractNote",), "archive": ("archive",),
    "archive_location": ("archiveLocation",), "authority": ("authority",), "call-number": ("callNumber",),
    "chapter-number": ("session",), "citation-key": ("citationKey",), "collection-number": ("seriesNumber",),
    "collection-title": ("seriesTitle", "series"), "container-title": ("publicationTitle", "reporter", "code"),
    "DOI": ("DOI",), "edition": ("edition",), "event-place": ("eventPlace",),
    "event-title": ("meetingName", "conferenceName"), "genre": ("type", "programmingLanguage"),
    "ISBN": ("ISBN",), "ISSN": ("ISSN",), "issue": ("issue",), "journalAbbreviation": ("journalAbbreviation",),
    "language": ("language",), "license": ("rights",), "medium": ("medium", "system"), "note": ("extra",),
    "number": ("number",), "number-of-pages": ("numPages",), "number-of-volumes": ("numberOfVolumes",),
    "original-publisher": ("originalPublisher",), "original-publisher-place": ("originalPlace",),
    "part-number": ("partNumber",), "part-title": ("partTitle",), "page": ("pages",), "PMID": ("PMID",),
    "PMCID": ("PMCID",), "publisher": ("publisher",), "publisher-place": ("place",),
    "references": ("history", "references"), "section": ("section", "committee"), "source": ("libraryCatalog",),
    "status": ("status",), "title-short": ("shortTitle",), "URL": ("url",), "version": ("versionNumber",),
    "volume": ("volume", "codeNumber"),
}
CSL_DATE_FIELDS: dict[str, str] = {"issued": "date", "accessed": "accessDate", "original-date": "originalDate"}

# Zotero creator type -> CSL name variable (the type's primary creator maps to "author").
CREATOR_TO_CSL: dict[str, str] = {
    "author": "author", "bookAuthor": "container-author", "chair": "chair", "contributor": "contributor",
    "editor": "editor", "organizer": "organizer", "reviewedAuthor": "reviewed-author",
    "seriesEditor": "collection-editor", "translator": "translator",
}
CSL_TO_CREATOR: dict[str, str] = {c: z for z, c in CREATOR_TO_CSL.items()}

ITEM_KEY_ALPHABET = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"


class ItemType:
    """Fields and creator types of one Zotero item type."""

    def __init__(self, name: str, fields: str, creators: str) -> None:
        self.name = name
        self.fields: list[str] = []
        self.base_of: dict[str, str] = {}  # type-specific field -> base field
        self.specific: dict[str, str] = {}  # base field -> type-specific field
        for spec in fields.split():
            field, _, base = spec.partition("=")
            self.fields.append(field)
            if base:
                self.base_of[field] = base
                self.specific[base] = field
        names = creators.split()
        self.primary = names[0].rstrip("*")
        self.creator_types = [n.rstrip("*") for n in names]

    def field_for(self, name: str) -> str | None:
        """The field this type stores ``name`` (a base or type-specific name) in, or None."""
        if name in self.base_of or name in self.fields:
            return name
        return self.specific.get(name)

    def generic(self, field: str) -> str:
        return self.base_of.get(field, field)


@cache
def item_type(name: str) -> ItemType:
    if name not in _TYPES:
        raise KeyError(name)
    fields, creators = _TYPES[name]
    return ItemType(name, fields, creators)


def item_types() -> list[str]:
    return list(_TYPES)
