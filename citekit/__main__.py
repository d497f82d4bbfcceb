"""``python -m citekit``: the citekit command."""

from citekit.launch import main

main()
