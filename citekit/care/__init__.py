"""Library care: lint, tidy, dedupe and add-by-identifier for the curated ``.bib`` files."""
