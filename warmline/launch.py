"""`warmline`'s entry point. Opening the app needs no command-line framework.

`warmline`, `warmline --db PATH` and `warmline --as HANDLE` (in any order, each at most once,
also as --db=PATH) open the app: read here, without importing click and the sixty commands of
warmline/cli.py (~25 ms of every start). Anything else (a command, --help, --version, an option
written another way, an empty value) goes to warmline.cli, which parses and explains as always.
Errors are reported by the CLI's own handler, with the same messages and exit codes.
"""

from __future__ import annotations

import gc
import os
import sys

_APP_OPTIONS = ("--db", "--as")


def app_options(args: list[str]) -> dict[str, str] | None:
    """The options of a plain `warmline` (opening the app), or None when the CLI should read `args`."""
    found: dict[str, str] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, value = arg.partition("=")
        if name not in _APP_OPTIONS or name in found:
            return None
        if not eq:
            if i + 1 >= len(args):
                return None
            value = args[i + 1]
            i += 1
        if not value.strip() or value.startswith("-"):
            return None  # the CLI explains
        found[name] = value
        i += 1
    return found


def main(argv: list[str] | None = None) -> None:
    """Open the app for `warmline [--db PATH] [--as HANDLE]`; run the CLI for anything else."""
    args = sys.argv[1:] if argv is None else list(argv)
    options = app_options(args)
    if options is None:
        from .cli import main as cli_main

        cli_main(argv)
        return
    # No cyclic garbage collection while the app starts (importing creates many long-lived
    # objects, and collecting them would find nothing: ~30 ms of the start here). The app turns
    # it back on once its first screen is drawn (screens/app.py, collect_again); so does leaving.
    gc.disable()
    from .session import Context, open_app

    # --as, else WARMLINE_AS when set and not empty (as click reads the option's envvar)
    context = Context(options.get("--db"), options.get("--as") or os.environ.get("WARMLINE_AS") or None)
    try:
        open_app(context)
    except (Exception, KeyboardInterrupt) as exc:
        from .cli import run_guarded

        failure = exc

        def again() -> None:
            raise failure

        run_guarded(again)  # exits with the CLI's message and code, or raises what it does not handle
        raise
    finally:
        context.close()
        gc.enable()
    sys.exit(0)


if __name__ == "__main__":
    main()
