"""What every CLI module prints through: safe text, safe JSON, and the shared click helpers.

Every line a command prints goes through `echo` (text.safe: control characters become visible
escapes, newlines kept) or `emit` (text.json_dumps); a test fails on any other print in the CLI
modules (tests/security/test_hostile_output.py).
"""

from __future__ import annotations

from typing import Any

import click

from ..session import Context
from ..text import safe

pass_ctx = click.make_pass_decorator(Context)


def echo(message: Any = None, *, err: bool = False, nl: bool = True) -> None:
    """Print text made safe for a terminal: every control character that came from stored or
    typed text (escapes, C1, bidi overrides) becomes a visible escape (text.safe); newlines kept.
    Bytes (a file's content) pass unchanged."""
    if message is not None and not isinstance(message, (bytes, bytearray)):
        message = safe(message, multiline=True)
    click.echo(message, err=err, nl=nl)


def emit(data: Any) -> None:
    """Print JSON (lists of rows at the top level), every control character escaped (text.json_dumps)."""
    from ..text import json_dumps

    click.echo(json_dumps(data))


def json_option(f):
    """The `--json` flag every read command and every change command takes."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(f)
