"""Zotero export and sync: item JSON mapping, RIS, Zotero RDF, Web API push/pull, desktop connector."""
