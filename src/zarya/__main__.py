"""``python -m zarya``: the command line."""

import sys

from zarya.cli import main

sys.exit(main())
