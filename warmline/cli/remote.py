"""`warmline keys`, `warmline ssh`, `warmline notify pull|confirm` and `notify --remote` (issue 14):
a line on many machines, each volunteer signing in with their own SSH key.

Parses, calls warmline.keys and warmline.notify.lease/remote, prints. `keys` and `ssh` are added to
`warmline` at the end (`notify pull|confirm` to `notify` by notify.py).
"""

from __future__ import annotations

import os
import sys

import click

from ..session import Context
from ..views.json_shapes import key_json
from .output import echo, emit, json_option, pass_ctx
from .root import cli


# ---------------------------------------------------------------- keys


@click.group("keys")
def keys_group() -> None:
    """Sign in over SSH with your own key: add, list and remove people's public keys.

    Each key becomes one line of a marked block in the rota account's authorized_keys
    (default ~/.ssh/authorized_keys), forcing `warmline ssh HANDLE`: whoever signs in
    with the key is that person, in the app or through a short list of commands.
    Coordinators manage anyone's keys; a volunteer adds and removes their own.

    \b
    Example:
      warmline keys add ana ana_ed25519.pub
    """


@keys_group.command("add")
@click.argument("handle")
@click.argument("pubkey_file", metavar="PUBKEY_FILE")
@click.option("--authorized-keys", "authorized_keys", metavar="PATH",
              help="The authorized_keys file to write (default: ~/.ssh/authorized_keys).")
@json_option
@pass_ctx
def keys_add(c: Context, handle: str, pubkey_file: str, authorized_keys: str | None, as_json: bool) -> None:
    """Add a person's public key (one line, as ssh-keygen wrote it; '-' reads it from stdin).

    Only `TYPE KEY [COMMENT]` of an SSH key type is accepted; options, a second line or
    anything else is refused. The key's line is written atomically (mode 0600); every
    line outside warmline's block stays as it was. Audited with the key's fingerprint.

    \b
    Examples:
      warmline keys add ana ana_ed25519.pub
      warmline keys add ana - < ana_ed25519.pub
      warmline keys add ana ana.pub --authorized-keys /home/rota/.ssh/authorized_keys
    """
    from .. import keys
    from ..errors import Invalid

    if not pubkey_file.strip():
        raise Invalid("PUBKEY_FILE is empty: give the .pub file, e.g. ~/.ssh/id_ed25519.pub")
    try:
        if pubkey_file == "-":
            raw = click.get_binary_stream("stdin").read(keys.MAX_KEY_TEXT + 1)
        else:
            with open(os.path.expanduser(pubkey_file), "rb") as fh:
                raw = fh.read(keys.MAX_KEY_TEXT + 1)
    except FileNotFoundError:
        raise Invalid(f"no file {pubkey_file}: give the .pub file of the key (ssh-keygen -t ed25519 makes one)") from None
    except IsADirectoryError:
        raise Invalid(f"{pubkey_file} is a directory: give the .pub file of the key") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid(f"{pubkey_file} is not a text file: give the .pub file of the key") from None
    key = keys.add(c.db(), c.actor(), handle, text, authorized_keys=authorized_keys)
    if as_json:
        emit(key_json(key))
        return
    echo(f"Added {key.handle}'s {key.key_type} key {key.fingerprint} to {key.authorized_keys}.")
    import socket

    from ..access import os_user

    dest = f"{os_user() or 'ACCOUNT'}@{socket.gethostname() or 'HOST'}"
    echo(f"{key.handle} signs in with `ssh -t {dest}`; their desktop notifications: `warmline notify --daemon --remote {dest}`.")


@keys_group.command("list")
@json_option
@pass_ctx
def keys_list(c: Context, as_json: bool) -> None:
    """List SSH keys: everyone's for coordinators, your own for volunteers.

    \b
    Example:
      warmline keys list --json
    """
    from .. import keys

    found = keys.listed(c.db().conn, c.actor())
    if as_json:
        emit([key_json(k) for k in found])
        return
    if not found:
        echo("No keys.")
        return
    tz = c.tz()
    for k in found:
        flag = "" if k.active else "  (inactive: left out of authorized_keys)"
        echo(f"{k.handle:<16} {k.key_type:<20} {k.fingerprint}  added {k.added_at.astimezone(tz):%Y-%m-%d} "
             f"by {k.added_by}  {k.comment}{flag}")


@keys_group.command("remove")
@click.argument("handle")
@click.argument("fingerprint")
@json_option
@pass_ctx
def keys_remove(c: Context, handle: str, fingerprint: str, as_json: bool) -> None:
    """Remove a person's key: its line leaves authorized_keys at once. Audited.

    \b
    Example:
      warmline keys remove ana SHA256:5Xk3...
    """
    from .. import keys

    key = keys.remove(c.db(), c.actor(), handle, fingerprint)
    if as_json:
        emit(key_json(key))
    else:
        echo(f"Removed {key.handle}'s key {key.fingerprint} from {key.authorized_keys}.")


# ---------------------------------------------------------------- the forced command


class KeyContext(Context):
    """A Context whose actor is the person a key signed in (no passphrase, no --as)."""

    def __init__(self, db_path, db, person) -> None:
        super().__init__(db_path, person.handle)
        self.use_config = False
        self._db = db
        self._actor = person


# Who acts, on which rota and when are the forced command's: a clock the client could set
# (WARMLINE_NOW, passed by an sshd with AcceptEnv) must not move any time-dependent decision.
_CLEARED = ("WARMLINE_AS", "WARMLINE_PASSPHRASE", "WARMLINE_NEW_PASSPHRASE", "WARMLINE_DB", "WARMLINE_NOW", "WARMLINE_CONFIG")


@click.command("ssh")
@click.argument("handle")
@click.option("--key", "fingerprint", metavar="FINGERPRINT", help="The key's fingerprint (written by `keys add`; audited).")
@pass_ctx
def ssh_cmd(c: Context, handle: str, fingerprint: str | None) -> None:
    """The command sshd runs for a person's key (written by `keys add`; not typed by people).

    With no command from the ssh client it opens the app as HANDLE, without a passphrase
    (the key signed them in). With one (SSH_ORIGINAL_COMMAND) it runs it as HANDLE only if
    it is one of: notify pull [--json], notify confirm ID..., shifts --mine [--json],
    export ics. Anything else is refused in one line. Who acts and on which rota is fixed
    here: the client cannot change them.

    \b
    Example:
      warmline ssh ana --key SHA256:5Xk3...   (in authorized_keys: command="...")
    """
    from .. import keys
    from ..errors import Invalid

    for name in _CLEARED:
        os.environ.pop(name, None)  # the person is the key's, the rota is the forced command's
    original = os.environ.get("SSH_ORIGINAL_COMMAND")
    db = c.db()
    if original is None or not original.strip():
        if sys.stdin is None or not sys.stdin.isatty():
            raise Invalid("the app needs a terminal: connect with `ssh -t HOST` (or run a command, e.g. `ssh HOST shifts --mine`)")
        person = keys.key_signin(db, handle, fingerprint, interactive=True)
        from ..session import open_app

        open_app(KeyContext(c.db_path, db, person))
        c._db = None  # open_app closed it
        return
    person = keys.key_signin(db, handle, fingerprint, interactive=False)
    try:
        argv = keys.allowed_command(original)
    except Exception:
        keys.audit_refused_command(db, person, fingerprint, original.strip().split(None, 1)[0] if original.strip() else "")
        raise
    kc = KeyContext(c.db_path, db, person)
    _run_allowed(kc, argv)


def _run_allowed(kc: KeyContext, argv: list[str]) -> None:
    from .exchange import export_ics
    from .shifts import shifts_cmd

    if argv[:2] == ["notify", "pull"]:
        command, args = notify_pull, argv[2:]
    elif argv[:2] == ["notify", "confirm"]:
        command, args = notify_confirm, argv[2:]
    elif argv[0] == "shifts":
        command, args = shifts_cmd, argv[1:]
    else:
        command, args = export_ics, []
    command.main(args=args, prog_name=f"warmline {' '.join(argv[:2])}", obj=kc, standalone_mode=False)


# ---------------------------------------------------------------- notify pull / confirm (on the host)


@click.command("pull")
@json_option
@pass_ctx
def notify_pull(c: Context, as_json: bool) -> None:
    """Take your due notifications to show elsewhere; confirm them with `notify confirm`.

    What it returns is leased to you for 2 minutes; unconfirmed, it becomes due again.
    `warmline notify --remote` runs this over ssh (your key's forced command allows it).

    \b
    Example:
      warmline notify pull --json
    """
    from ..notify import lease
    from ..times import local_iso

    actor = c.actor()
    tz = c.tz()
    rows = lease.pull(c.db(), actor)
    if as_json:
        emit([
            {"id": n.id, "kind": n.kind, "shift_id": n.shift_id, "due": local_iso(n.due_utc, tz), "title": n.title, "body": n.body}
            for n in rows
        ])
        return
    for n in rows:
        echo(f"#{n.id} {n.title}: {n.body}")
    if not rows:
        echo(f"Nothing due for {actor.handle}.")


@click.command("confirm")
@click.argument("ids", nargs=-1, metavar="ID...")
@json_option
@pass_ctx
def notify_confirm(c: Context, ids: tuple[str, ...], as_json: bool) -> None:
    """Mark notifications you pulled (and showed) as delivered.

    \b
    Example:
      warmline notify confirm 12 13
    """
    from ..notify import lease

    done = lease.confirm(c.db(), c.actor(), lease.parse_ids(ids))
    if as_json:
        emit([{"id": d.id, "result": d.result} for d in done])
        return
    for d in done:
        echo(f"#{d.id} {d.result}")


# ---------------------------------------------------------------- notify --remote (on a volunteer's machine)


def notify_remote(dest: str, once: bool, interval: int, as_json: bool) -> None:
    """`warmline notify --once|--daemon --remote DEST`."""
    from ..notify import remote

    dest = remote.check_dest(dest)
    if once:
        outcomes = []

        def said(o) -> None:
            outcomes.append(o)
            if not as_json:
                echo(o.describe())  # as it happens: what was shown is said even if the confirm then fails

        try:
            remote.deliver_remote(dest, remote.ShownIds(dest), report=said)
        finally:
            if as_json:
                emit([o.as_json() for o in outcomes])
        if not outcomes and not as_json:
            echo(f"Nothing due from {dest}.")
        return

    def report(o) -> None:
        from datetime import datetime

        if as_json:
            from ..text import json_dumps

            echo(json_dumps(o.as_json(), indent=None))
        else:
            echo(f"{datetime.now():%H:%M:%S} {o.describe()}")

    def warn(message: str) -> None:
        echo(f"warning: {message}", err=True)

    echo(f"warmline notify: showing notifications from {dest} every {interval} s (stop with Ctrl-C or SIGTERM)", err=True)
    why = remote.run_remote_daemon(dest, interval=interval, report=report, warn=warn)
    echo(f"warmline notify: stopped ({why})", err=True)


cli.add_command(keys_group)
cli.add_command(ssh_cmd)
