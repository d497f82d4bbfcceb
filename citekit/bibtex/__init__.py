"""BibTeX/biblatex storage: read (reader), map to and from CSL-JSON (mapping), write (writer)."""
