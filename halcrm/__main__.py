"""Allows ``python -m halcrm``."""

from halcrm.cli.main import main

raise SystemExit(main())
