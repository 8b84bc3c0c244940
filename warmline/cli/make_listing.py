"""Writes warmline/cli/listing.py from the commands themselves: `python -m warmline.cli.make_listing`.

Run it after adding a top-level command or changing the first paragraph of one's docstring;
tests/unit/test_cli_package.py fails while listing.py is out of date.
"""

from __future__ import annotations

from pathlib import Path

from .root import cli

LISTING_PY = Path(__file__).with_name("listing.py")


def generate() -> str:
    """listing.py's text, with LISTING read from every command (all command modules imported)."""
    rows = {name: cmd.help.split("\n\n")[0] for name, cmd in sorted(cli.commands.items())
            if not cmd.hidden and not cmd.short_help and not cmd.deprecated and cmd.help}
    head = LISTING_PY.read_text(encoding="utf-8").split("LISTING: dict[str, str] = ", 1)[0]
    return head + "LISTING: dict[str, str] = {\n" + "".join(f"    {n!r}: {first!r},\n" for n, first in rows.items()) + "}\n"


if __name__ == "__main__":
    LISTING_PY.write_text(generate(), encoding="utf-8")
