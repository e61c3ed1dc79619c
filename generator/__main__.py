"""`python -m generator ...`: the command line for authors and IT staff."""

import sys

from .cli import main

sys.exit(main())
