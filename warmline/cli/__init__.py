"""The `warmline` command: click commands that parse, call the core (and the views), and print.

One module per command group; root.py holds the group itself, its global options and the error
handling (exit codes: 0 done, 1 refused or invalid, one `error:` line on stderr, 2 usage), and
imports a group's module only when one of its commands runs (root.MODULES), so that a command
loads what it needs and no more. Every line the commands print goes through output.py (echo,
emit); the JSON shapes they print are warmline/views/json_shapes.py. The core loads inside the
commands that use it, and nothing here imports Textual (the app is imported only to open it).
"""

from __future__ import annotations

from .root import cli, main, run_guarded

__all__ = ["cli", "main", "run_guarded"]
