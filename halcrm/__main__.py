"""Allows ``python -m halcrm``."""

from halcrm.cli import main

raise SystemExit(main())
