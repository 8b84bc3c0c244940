"""`warmline export`, `import`, `backup`, `restore` and `replicate`: the rota in and out of other files.

`export sqlite` is in report.py (added to the export group at the end).
"""

from __future__ import annotations

import sys

import click

from ..session import Context, _passphrase_source
from .output import echo, emit, json_option, pass_ctx
from .report import export_sqlite
from .root import cli


def refuse_empty_path(value: str | None, what: str) -> None:
    """Refuse an empty file or directory name (e.g. an unset shell variable) instead of reading it as "here"."""
    if value is not None and not value.strip():
        from ..errors import Invalid

        raise Invalid(f"{what} is empty: give a file or directory name")


@cli.group("export")
def export_group() -> None:
    """Export calendars (iCalendar) and spreadsheets (CSV).

    \b
    Example:
      warmline export ics -o my-shifts.ics
    """


@export_group.command("ics")
@click.option("--person", metavar="H", help="Whose shifts (default: yours; others need a coordinator).")
@click.option("-o", "--output", "output", metavar="FILE", help="Write to FILE (mode 0644) instead of stdout.")
@click.option("--dir", "directory", metavar="DIR", help="Write the whole rota and one feed per active person into DIR (coordinators).")
@json_option
@pass_ctx
def export_ics(c: Context, person: str | None, output: str | None, directory: str | None, as_json: bool) -> None:
    """Export shifts as an iCalendar (.ics) file: your own, someone's, or feeds for everyone.

    Events keep stable UIDs, so importing a newer export updates them instead of adding
    copies; cancelled shifts, and shifts you were taken off, are marked cancelled. Each event reminds you at your notification
    lead times (default 60 and 15 minutes). Feeds hold no tags and, of other people, only
    first names. Files are written
    0644 (meant for publishing); --dir creates DIR 0755 and names each feed with a secret
    token kept in DIR/.warmline-feed-key, so a published URL cannot be guessed.

    \b
    Examples:
      warmline export ics -o ~/my-shifts.ics
      warmline export ics --person sam -o sam.ics
      warmline export ics --dir /var/www/warmline-feeds
    """
    from pathlib import Path

    from .. import rota
    from ..exchange import ics

    refuse_empty_path(output, "-o")
    refuse_empty_path(directory, "--dir")
    if directory and (output or person):
        raise click.UsageError("--dir writes everyone's feeds: give it without -o and --person")
    actor = c.actor()
    rota.extend_horizon(c.db())
    conn = c.db().conn
    if directory:
        feeds = ics.write_feeds(conn, actor, Path(directory).expanduser())
        if as_json:
            emit([{"handle": f.handle, "path": str(f.path)} for f in feeds])
            return
        for f in feeds:
            echo(f"{f.handle or '(whole rota)':<20} {f.path}")
        return
    data = ics.person_calendar(conn, actor, person)
    if output:
        path = ics.write_feed(Path(output).expanduser(), data)
        if as_json:
            emit({"handle": person or actor.handle, "path": str(path)})
        else:
            echo(f"Wrote {path}.")
        return
    click.get_binary_stream("stdout").write(data)


@export_group.command("csv")
@click.argument("kind", type=click.Choice(["rota", "hours"]))
@click.option("--from", "start", metavar="D", help="First day (rota: today; hours: the 1st of the month a year ago).")
@click.option("--to", "finish", metavar="D", help="Last day, inclusive (rota: four weeks on; hours: today).")
@click.option("-o", "--output", "output", metavar="FILE", help="Write to FILE (mode 0600) instead of stdout.")
@click.option("--excel", is_flag=True, help="For Excel: UTF-8 with a byte-order mark, lines ending in CRLF.")
@json_option
@pass_ctx
def export_csv(c: Context, kind: str, start: str | None, finish: str | None, output: str | None, excel: bool,
               as_json: bool) -> None:
    """Export the rota (one row per shift) or volunteer hours per person per month as CSV.

    rota: id, start, end (local ISO 8601), hours, seats, backup_seats, peers, backup
    (handles separated by |), open_seats, open_backup_seats, status. No tags.

    hours: handle, name, month, shifts, hours, peer_hours, backup_hours: shifts that
    have ended, counted in the month they start; real elapsed hours. Coordinators get
    everyone; a volunteer gets their own.

    A cell that a spreadsheet would read as a formula (it begins with =, +, -, @, a tab or
    a carriage return) gets a leading apostrophe; `import people` takes it off again.
    --excel writes UTF-8 with a byte-order mark and CRLF line ends, so Excel shows accents.

    \b
    Examples:
      warmline export csv rota --from 2026-11-23 --to 2026-12-20 -o rota.csv
      warmline export csv hours --excel -o hours.csv
      warmline export csv hours --from 2026-01-01 --to 2026-12-31 -o hours-2026.csv
    """
    from pathlib import Path

    from .. import rota
    from ..clock import now
    from ..exchange import csvio
    from ..times import day_range

    refuse_empty_path(output, "-o")
    actor = c.actor()
    tz = c.tz()
    moment = now()
    if kind == "rota":
        lo, hi = day_range(tz, moment, start, finish, default_days=28)  # refused before anything is written
        rota.extend_horizon(c.db())
        rows, header = csvio.rota_rows(c.db().conn, actor, lo, hi), csvio.ROTA_HEADER
    else:
        lo, hi = day_range(
            tz, moment, start or csvio.default_hours_start(tz, moment), finish or moment.astimezone(tz).date().isoformat()
        )
        rows, header = csvio.hours_rows(c.db().conn, actor, lo, hi), csvio.HOURS_HEADER
    if as_json and not output:
        emit(rows)
        return
    text = csvio.to_csv(header, rows, excel=excel)
    if output:
        path = csvio.write_private(Path(output).expanduser(), text)
        if as_json:
            emit({"kind": kind, "rows": len(rows), "path": str(path)})
        else:
            echo(f"Wrote {len(rows)} rows to {path}.")
        return
    click.get_binary_stream("stdout").write(text.encode("utf-8"))  # cells are safe (csv_cell); CRLF kept


@cli.group("import")
def import_group() -> None:
    """Import people from a spreadsheet (CSV).

    \b
    Example:
      warmline import people volunteers.csv --dry-run
    """


@import_group.command("people")
@click.argument("file", metavar="FILE.csv")
@click.option("--dry-run", is_flag=True, help="Check every row and say what would change; write nothing.")
@json_option
@pass_ctx
def import_people_cmd(c: Context, file: str, dry_run: bool, as_json: bool) -> None:
    """Add or update people from a CSV file, all or nothing (coordinators).

    The first row names the columns (any case, in any order); handle and name are
    required: handle, name, role (volunteer|coordinator), login, languages, tags,
    paused_tags, max_hours, max_shifts, min_rest, max_overnights, pronouns.
    Several values in one cell are separated by | (e.g. es|en). Comma- and
    semicolon-separated files, UTF-8 with or without a BOM, are both read.

    Every bad row is listed with its row number (the header is row 1) and nothing is
    imported unless every row is good. A known handle is updated in the cells given
    (empty cells change nothing; tags are offered or paused, never removed); a known
    handle with the same values is skipped, so importing a file twice changes nothing.

    \b
    Examples:
      warmline import people volunteers.csv --dry-run
      warmline import people volunteers.csv
    """
    from pathlib import Path

    from ..exchange import csvio

    try:
        report = csvio.import_people(c.db(), c.actor(), Path(file).expanduser(), dry_run=dry_run)
    except csvio.BadRows as exc:
        for problem in exc.errors:
            echo(str(problem), err=True)
        raise
    if as_json:
        emit(
            {
                "dry_run": report.dry_run,
                "added": report.added,
                "updated": [{"handle": h, "fields": f} for h, f in report.updated],
                "unchanged": report.unchanged,
            }
        )
        return
    verb = ("would add", "would update") if dry_run else ("added", "updated")
    parts = [f"{verb[0]} {len(report.added)}", f"{verb[1]} {len(report.updated)}", f"{len(report.unchanged)} unchanged"]
    echo(("Dry run: " if dry_run else "Imported: ") + ", ".join(parts) + ".")
    for handle in report.added:
        echo(f"  + {handle}")
    for handle, changed in report.updated:
        echo(f"  ~ {handle}: {', '.join(changed)}")
    if dry_run:
        echo("Nothing was written (--dry-run).")


@cli.command("backup")
@click.argument("dest", metavar="DEST")
@json_option
@pass_ctx
def backup_cmd(c: Context, dest: str, as_json: bool) -> None:
    """Copy the rota to DEST safely while others use it, and verify the copy.

    Uses SQLite's online backup API, writes DEST with mode 0600, never overwrites a
    file, and checks the copy with PRAGMA integrity_check. DEST may be a directory:
    the copy is then named after the rota and the time.

    \b
    Examples:
      warmline backup ~/backups/warmline-2026-11-23.db
      warmline backup ~/backups/
    """
    from pathlib import Path

    from ..exchange.backup import backup

    refuse_empty_path(dest, "DEST")  # Path("") is ".": a backup would land wherever you stand
    result = backup(c.db(), Path(dest))
    if as_json:
        emit({"path": str(result.path), "bytes": result.bytes, "schema_version": result.schema_version,
              "integrity": result.integrity})
    else:
        echo(f"Backed up to {result.path} ({result.bytes} bytes); integrity check: {result.integrity}.")


@cli.command("restore")
@click.argument("src", metavar="SRC", required=False)
@click.option("--from-replica", "replica", metavar="DEST",
              help="Restore from a Litestream replica (see `warmline replicate`) instead of a backup file.")
@click.option("--at", "at", metavar="TIME", help="With --from-replica: the rota as it was at TIME (ISO 8601).")
@click.option("--sftp-key", metavar="FILE", help="With an sftp:// replica: the private key to log in with.")
@click.option("--sftp-host-key", metavar="FILE", help="With an sftp:// replica: the server's public host key (checked).")
@json_option
@pass_ctx
def restore_cmd(
    c: Context, src: str | None, replica: str | None, at: str | None, sftp_key: str | None, sftp_host_key: str | None,
    as_json: bool,
) -> None:
    """Replace the rota with a backup, keeping the current one aside (coordinators).

    Refuses a file that is not a warmline rota, is damaged, was written by a newer
    warmline, breaks a rule `warmline check` checks, or holds any table, column,
    index, trigger or view warmline did not create; the rota is then left untouched.
    The current rota is kept as NAME.before-restore-YYYYmmddTHHMMSS (mode 0600). An
    older backup is upgraded. A rota too damaged to open (or holding schema objects
    warmline did not create) is moved aside without asking who you are.

    With --from-replica DEST, Litestream first rebuilds the rota from the replica
    `warmline replicate DEST` keeps (the latest, or as it was --at TIME) into a private
    temporary directory; that copy then goes through the same checks and swap.

    \b
    Examples:
      warmline restore ~/backups/warmline-2026-11-23.db
      warmline restore --from-replica /srv/warmline-replica
      warmline restore --from-replica s3://bucket/warmline --at 2026-11-23T09:00
    """
    from pathlib import Path

    from ..access import resolve_actor
    from ..exchange.backup import restore

    if (src is None) == (replica is None):
        raise click.UsageError("give a backup file (SRC) or --from-replica DEST, one of them")
    if (at is not None or sftp_key is not None or sftp_host_key is not None) and replica is None:
        raise click.UsageError("--at, --sftp-key and --sftp-host-key go with --from-replica")
    c.close()  # restore opens the rota itself (and may find it too damaged to open)
    c._db = None

    def actor_for(db):
        return resolve_actor(db, c.as_handle, _passphrase_source)

    if replica is not None:
        from .. import replicate

        sftp = replicate.sftp_options(replica, sftp_key, sftp_host_key)
        when = replicate.parse_at(at, c.db_path) if at is not None else None
        result = replicate.restore_from_replica(replica, at=when, sftp=sftp, db_path=c.db_path, actor_for=actor_for)
        src = replicate.shown(replicate.replica_url(replica)) + (f" as at {at}" if at else "")
    else:
        result = restore(Path(src), db_path=c.db_path, actor_for=actor_for)
    if as_json:
        emit({"path": str(result.path), "kept_as": str(result.kept_as) if result.kept_as else None,
              "from_version": result.from_version, "schema_version": result.schema_version})
        return
    echo(f"Restored {result.path} from {src}.")
    if result.kept_as:
        echo(f"The previous rota is kept as {result.kept_as}.")
    if result.from_version < result.schema_version:
        echo(f"The backup was upgraded from schema {result.from_version} to {result.schema_version}.")


@cli.command("replicate")
@click.argument("dest", metavar="DEST")
@click.option("--sync-interval", default="1s", show_default=True, metavar="DURATION",
              help="How often Litestream ships new changes (e.g. 1s, 10s).")
@click.option("--sftp-key", metavar="FILE", help="For an sftp:// DEST: the private key to log in with.")
@click.option("--sftp-host-key", metavar="FILE",
              help="For an sftp:// DEST: the server's public host key (a .pub file or ssh-keyscan's line), checked.")
@pass_ctx
def replicate_cmd(c: Context, dest: str, sync_interval: str, sftp_key: str | None, sftp_host_key: str | None) -> None:
    """Replicate the rota continuously to DEST with Litestream, in the foreground.

    DEST is a directory, or a URL Litestream accepts (file://, sftp://, s3:// and
    S3-compatible, gs://, abs://); S3 credentials come from Litestream's usual
    variables (e.g. LITESTREAM_ACCESS_KEY_ID); an sftp:// DEST logs in with
    --sftp-key and checks the server against --sftp-host-key. Runs until SIGTERM or
    Ctrl-C (for a systemd unit); restore with `warmline restore --from-replica DEST`.
    Needs `pip install 'warmline[replicate]'`.

    \b
    Examples:
      warmline replicate /srv/warmline-replica
      warmline replicate s3://my-bucket/warmline --sync-interval 10s
      warmline replicate sftp://backup@host.example.org/srv/replica \\
          --sftp-key ~/.ssh/id_ed25519 --sftp-host-key host_ed25519.pub
    """
    from .. import replicate

    sftp = replicate.sftp_options(dest, sftp_key, sftp_host_key)
    c.close()  # Litestream reads the rota itself; warmline holds no connection while it runs

    def started(r) -> None:
        echo(f"warmline replicate: {r.db_path} to {r.url} every {sync_interval} (stop with Ctrl-C or SIGTERM)", err=True)

    code = replicate.run(dest, db_path=c.db_path, sync_interval=sync_interval, sftp=sftp, started=started)
    if code in (0, -signal_number("SIGTERM"), -signal_number("SIGINT")):
        echo(f"warmline replicate: litestream stopped (exit {code})", err=True)
        return
    echo(f"error: litestream stopped with exit {code}: its own messages above say why", err=True)
    sys.exit(1)


def signal_number(name: str) -> int:
    import signal

    return int(getattr(signal, name))


export_group.add_command(export_sqlite)  # report.py: the reporting copy
