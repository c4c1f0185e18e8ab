"""``python -m ivr.cli``: the same as the ``ivr`` console script."""

from ivr.cli.main import main

raise SystemExit(main())
