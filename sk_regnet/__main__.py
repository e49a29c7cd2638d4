"""``python -m sk_regnet``: the same as the ``sk-regnet`` command."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
