"""``python -m citekit.pandoc``: the pandoc filter (as ``citekit-pandoc``)."""

import sys

from citekit.pandoc.filter import main

sys.exit(main(sys.argv[1:]))
