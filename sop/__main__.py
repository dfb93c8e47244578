"""Command line: `python -m sop <command>`; `python -m sop --help` lists them."""

import sys

from sop.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
