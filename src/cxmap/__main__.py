"""`python -m cxmap` runs the command line."""

from cxmap.cli.app import main

main()
