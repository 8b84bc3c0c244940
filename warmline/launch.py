"""`warmline`'s entry point. Opening the app needs no command-line framework.

`warmline`, `warmline --db PATH` and `warmline --as HANDLE` (in any order, each at most once,
also as --db=PATH) open the app: read here, without importing click and the sixty commands of
warmline/cli/ (~25 ms of every start). So does a plain `warmline demo`: warmline.session.open_demo,
what the CLI's `demo` runs (the demo built if the file has none, its summary, the app). Anything
else (a command, --help, --version, an option written another way, an empty value) goes to
warmline.cli, which parses and explains as always.
Errors are reported by the CLI's own handler, with the same messages and exit codes.
So is `warmline [--db PATH] ssh HANDLE [--key FP]` when sshd runs it for a key with no command
from the client (the app, as the key's person); with a command it is the CLI's `ssh`.
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


def key_session(args: list[str]) -> tuple[str | None, str, str | None] | None:
    """(db, handle, fingerprint) of `warmline [--db PATH] ssh HANDLE [--key FP]` run by sshd for a key with
    no command from the client (it opens the app: warmline/cli/remote.py's `ssh`); else None."""
    if os.environ.get("SSH_ORIGINAL_COMMAND", "").strip() or not (sys.stdin is not None and sys.stdin.isatty()):
        return None
    db = None
    if args[:1] == ["--db"] and len(args) > 1:
        db, args = args[1], args[2:]
    if len(args) == 2 and args[0] == "ssh":
        return (db, args[1], None) if db is None or db.strip() else None
    if len(args) == 4 and args[0] == "ssh" and args[2] == "--key" and (db is None or db.strip()):
        return db, args[1], args[3]
    return None


def main(argv: list[str] | None = None) -> None:
    """Open the app for `warmline [--db PATH] [--as HANDLE]`; run the CLI for anything else."""
    args = sys.argv[1:] if argv is None else list(argv)
    demo = args == ["demo"]  # a plain `warmline demo`: the CLI's demo command, run from here
    options = {} if demo else app_options(args)
    key = key_session(args) if options is None else None
    if options is None and key is None:
        from .cli import main as cli_main

        cli_main(argv)
        return
    # No cyclic garbage collection while the app starts (importing creates many long-lived
    # objects, and collecting them would find nothing: ~30 ms of the start here). The app turns
    # it back on once its first screen is drawn (screens/app.py, collect_again); so does leaving.
    gc.disable()
    from .session import Context, open_app

    if key is not None:
        # A key's forced command (`warmline ssh HANDLE`): the key signed the person in; nothing the
        # client sends changes who acts or on which rota (issue 14).
        for name in ("WARMLINE_AS", "WARMLINE_PASSPHRASE", "WARMLINE_NEW_PASSPHRASE", "WARMLINE_DB", "WARMLINE_NOW", "WARMLINE_CONFIG"):
            os.environ.pop(name, None)
        context = Context(key[0], key[1])
        context.use_config = False
    else:
        # --as, else WARMLINE_AS when set and not empty (as click reads the option's envvar)
        context = Context(options.get("--db"), options.get("--as") or os.environ.get("WARMLINE_AS") or None)
    try:
        if key is not None:
            from .keys import key_signin

            context._actor = key_signin(context.db(), key[1], key[2], interactive=True)
        if demo:
            from .session import open_demo

            open_demo(context)
        else:
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
