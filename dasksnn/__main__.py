"""``python -m dasksnn``: the batch command (see :mod:`dasksnn.cli`)."""

import sys

from dasksnn.cli import main

sys.exit(main())
