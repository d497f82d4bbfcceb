"""``python -m citekit``: the citekit command."""

from citekit.cli import main

main()
