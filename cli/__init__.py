"""The ``rtcm`` command line: one module per command group, the Typer app assembled in ``cli.app``."""
