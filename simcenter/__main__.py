"""``python -m simcenter``: the command line."""

import sys

from simcenter.cli import main

sys.exit(main())
