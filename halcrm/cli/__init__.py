"""The ``halcrm`` command line: one module per command group."""
