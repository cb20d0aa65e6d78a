"""``python -m symconv``: the same command line as the ``symconv`` script."""

import sys

from symconv.cli import main

if __name__ == "__main__":
    sys.exit(main())
