"""python -m shoprules: the operator's command line."""

import sys

from .cli import main

sys.exit(main())
