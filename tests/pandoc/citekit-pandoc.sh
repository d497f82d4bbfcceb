#!/bin/sh
# The filter as pandoc runs it (``--filter``), until the ``citekit-pandoc`` console script is installed.
exec "${CITEKIT_PYTHON:-python3}" -m citekit.pandoc "$@"
