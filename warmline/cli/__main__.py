"""`python -m warmline.cli`: the command line, as the `warmline` script runs it for a command."""

from . import main

main()
