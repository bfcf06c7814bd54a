"""Start Tensor Playground: ``python main.py`` (the same as the ``tensor-playground`` command)."""

import sys

from playground.cli import main

if __name__ == "__main__":
    sys.exit(main())
