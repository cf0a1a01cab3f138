"""`python -m govcrawl.cli`: the command line."""

from govcrawl.cli import main

main()
