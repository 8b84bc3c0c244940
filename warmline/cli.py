"""The `warmline` command: click commands that parse, call the core, and print.

Kept thin and quick to import: the core modules load inside the commands that use
them, and nothing here imports Textual (the TUI is imported only to open it).
Exit codes: 0 done, 1 refused or invalid (one `error:` line on stderr), 2 usage.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import click

from .cli_output import echo, emit, json_option, pass_ctx
from .session import Context, _passphrase_source
from .session import open_app as _open_app
from .text import safe

EPILOG = "Times are ISO 8601 in the line's zone unless they carry an offset. Docs: README.md."



def refuse_empty_path(value: str | None, what: str) -> None:
    """Refuse an empty file or directory name (e.g. an unset shell variable) instead of reading it as "here"."""
    if value is not None and not value.strip():
        from .errors import Invalid

        raise Invalid(f"{what} is empty: give a file or directory name")


def hours_text(h: float) -> str:
    return f"{h:.1f} h"


# ---------------------------------------------------------------- root


@click.group(
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EPILOG,
)
@click.option("--db", "db_path", metavar="PATH", help="The rota file (default: $WARMLINE_DB, else your data dir).")
@click.option("--as", "as_handle", metavar="HANDLE", envvar="WARMLINE_AS", help="Act as this person (env WARMLINE_AS).")
@click.version_option(package_name="warmline", message="warmline %(version)s")
@click.pass_context
def cli(ctx: click.Context, db_path: str | None, as_handle: str | None) -> None:
    """A terminal rota for peer-run warmlines.

    Run with no command to open the app.

    \b
    Example:
      warmline init --name "Harbor Peer Warmline" --tz America/New_York
    """
    ctx.obj = Context(db_path, as_handle)
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand is None:
        _open_app(ctx.obj)


# ---------------------------------------------------------------- set-up


def _default_handle(user: str | None) -> str:
    import re

    handle = re.sub(r"[^a-z0-9_-]+", "-", (user or "coordinator").lower()).strip("-")[:32]
    return handle if len(handle) >= 2 else "coordinator"


@cli.command()
@click.option("--name", required=True, help="The line's name, e.g. 'Harbor Peer Warmline'.")
@click.option(
    "--tz", required=True,
    help="The line's IANA time zone: a region's name, e.g. America/New_York, or UTC (fixed offsets such as EST are refused).",
)
@click.option("--coordinator", "handle", help="Your handle (default: from your OS login).")
@click.option("--escalation", help="The escalation text always shown, e.g. 'In crisis? Call or text 988'.")
@click.option("--drop-cutoff", type=int, default=48, show_default=True, help="Hours before a shift after which a drop needs cover.")
@json_option
@pass_ctx
def init(c: Context, name: str, tz: str, handle: str | None, escalation: str | None, drop_cutoff: int, as_json: bool) -> None:
    """Create a new line in an empty rota file; you become its first coordinator.

    \b
    Example:
      warmline init --name "Harbor Peer Warmline" --tz America/New_York --coordinator ana
    """
    from .access import os_user
    from .db import open_db
    from .line import DEFAULT_ESCALATION, create
    from .recurrence import zone

    zone(tz)  # refuse a bad zone before creating any file
    user = os_user()
    handle = handle or _default_handle(user)
    from .people import validate_handle

    validate_handle(handle)
    db = open_db(c.db_path, create=True)
    c._db = db
    line = create(
        db,
        name=name,
        tz=tz,
        escalation=escalation or DEFAULT_ESCALATION,
        drop_cutoff_hours=drop_cutoff,
        actor=handle,
        first_coordinator=(handle, handle, user),
    )
    if as_json:
        emit({"name": line.name, "tz": line.tz, "coordinator": handle, "login": user, "db": str(db.path)})
    else:
        echo(f"Created {line.name} ({line.tz}) in {db.path}; {handle} (OS user {user}) is its coordinator.")


@cli.command()
@click.option("--no-tui", is_flag=True, help="Only create and seed the demo data; do not open the app.")
@click.option("--seed", type=int, default=7, show_default=True, help="Random seed (the same seed builds the same line).")
@click.option("--people", "people_count", type=int, help="Number of volunteers (default 24; 120 with --round-the-clock).")
@click.option("--weeks", type=int, help="Weeks of rota (default 12: 4 back, 8 ahead; N >= 12: 4 back, N-4 ahead; fewer: a third back).")
@click.option("--round-the-clock", is_flag=True, help="A 24/7 rota of 4-hour shifts (4 peer seats, 1 backup).")
@pass_ctx
def demo(c: Context, no_tui: bool, seed: int, people_count: int | None, weeks: int | None, round_the_clock: bool) -> None:
    """Create a demo line (if needed) and open it as its coordinator.

    The demo lives in its own demo.db beside your real rota, unless --db is given.

    \b
    Examples:
      warmline demo
      warmline demo --no-tui --seed 3 --people 2000 --weeks 260 --round-the-clock
    """
    from .db import open_db, resolve_path
    from .demo import build, check_options

    check_options(seed=seed, people=people_count, weeks=weeks)  # before demo.db is created
    path, chosen = resolve_path(c.db_path)
    if not c.db_path:
        path = path.parent / "demo.db"
    db = open_db(path, create=True, make_parent=not c.db_path)
    c._db = db
    summary = build(db, seed=seed, people=people_count, weeks=weeks, round_the_clock=round_the_clock)
    echo(summary, err=no_tui is False)
    if no_tui:
        return
    c.as_handle = None  # the demo maps the OS user to its first coordinator
    c.use_config = False
    _open_app(c)


# ---------------------------------------------------------------- people


def _limit_options(f):
    f = click.option("--max-overnights", type=int, help="Max overnight shifts per month.")(f)
    f = click.option("--min-rest", type=float, help="Min rest hours between shifts.")(f)
    f = click.option("--max-shifts", type=int, help="Max shifts per ISO week.")(f)
    f = click.option("--max-hours", type=float, help="Max hours per ISO week.")(f)
    return f


def _person_options(f, *, old_tag_names: bool = False):
    # On `people edit` the tag options are --offer/--pause/--remove-tag; --tag/--paused-tag stay
    # there hidden, as deprecated older names for --offer/--pause, so scripts keep working.
    f = click.option(
        "--paused-tag", "paused_tags", multiple=True, metavar="TAG", hidden=old_tag_names,
        help="Deprecated: use --pause." if old_tag_names else "A tag kept but paused.",
    )(f)
    f = click.option(
        "--tag", "tags", multiple=True, metavar="TAG", hidden=old_tag_names,
        help="Deprecated: use --offer." if old_tag_names else "A lived-experience tag offered for matching.",
    )(f)
    f = click.option("--language", "languages", multiple=True, metavar="L", help="A language spoken (repeat).")(f)
    f = click.option("--pronouns", help="Optional pronouns, e.g. she/her.")(f)
    f = click.option("--login", help="The OS login that acts as this person without a passphrase.")(f)
    f = click.option("--role", type=click.Choice(["volunteer", "coordinator"]), help="Role.")(f)
    return _limit_options(f)


def person_json(p, tags: list[tuple[str, str]] | None = None, line=None, *, viewer) -> dict:
    from .people import login_seen_by

    data = {
        "handle": p.handle,
        "name": p.name,
        "role": p.role,
        "active": p.active,
        "languages": list(p.languages),
        "pronouns": p.pronouns,
    }
    if viewer.is_coordinator or viewer.id == p.id:  # an OS login is theirs and coordinators'
        data["login"] = login_seen_by(viewer, p)
    if line is not None and (viewer.is_coordinator or viewer.id == p.id):  # so are limits and rest
        limits = p.limits(line)
        data["limits"] = {
            "max_hours_week": limits.max_hours_week,
            "max_shifts_week": limits.max_shifts_week,
            "min_rest_hours": limits.min_rest_hours,
            "max_overnights_month": limits.max_overnights_month,
        }
    if tags is not None:
        data["tags"] = [{"id": t, "state": s} for t, s in tags]
    return data


@cli.group()
def people() -> None:
    """Add, list, show, edit and deactivate people.

    \b
    Example:
      warmline people list
    """


@people.command("add")
@click.argument("handle")
@click.option("--name", required=True, help="Display name.")
@_person_options
@json_option
@pass_ctx
def people_add(c: Context, handle, name, role, login, pronouns, languages, tags, paused_tags,
               max_hours, max_shifts, min_rest, max_overnights, as_json) -> None:
    """Add a person (coordinators).

    \b
    Example:
      warmline people add sam --name "Sam R" --language es --tag grief --max-hours 12
    """
    from . import people as svc

    person = svc.add(
        c.db(), c.actor(), handle=handle, name=name, role=role or "volunteer", login=login, pronouns=pronouns,
        languages=languages, tags=tags, paused_tags=paused_tags, max_hours_week=max_hours,
        max_shifts_week=max_shifts, min_rest_hours=min_rest, max_overnights_month=max_overnights,
    )
    if as_json:
        emit(person_json(person, svc.tags_of(c.db().conn, c.actor(), person), c.line(), viewer=c.actor()))
    else:
        echo(f"Added {person.handle} ({person.name}, {person.role}).")


@people.command("edit")
@click.argument("handle")
@click.option("--name", help="Display name.")
@lambda f: _person_options(f, old_tag_names=True)
@click.option("--offer", multiple=True, metavar="TAG", help="Offer a tag for matching (adds it if new).")
@click.option("--pause", multiple=True, metavar="TAG", help="Pause a tag: kept, not used for matching.")
@click.option("--remove-tag", multiple=True, metavar="TAG", help="Remove a tag.")
@click.option("--activate", is_flag=True, help="Reactivate an inactive person (coordinators).")
@click.option(
    "--restore-shifts", is_flag=True,
    help="Put them back on the seats their deactivation released that are still open (rules checked).",
)
@json_option
@pass_ctx
def people_edit(c: Context, handle, name, role, login, pronouns, languages, tags, paused_tags, max_hours,
                max_shifts, min_rest, max_overnights, offer, pause, remove_tag, activate, restore_shifts,
                as_json) -> None:
    """Edit a person: yourself (volunteers: limits only downwards), or anyone (coordinators).

    --language replaces the languages; --offer offers a tag, --pause pauses one and
    --remove-tag removes one (--tag and --paused-tag, older names, still work).

    \b
    Example:
      warmline people edit sam --pause grief --max-hours 8
    """
    from . import people as svc

    if tags or paused_tags:
        echo("note: --tag and --paused-tag on `people edit` are older names: use --offer and --pause", err=True)
    changes = svc.PersonChanges(
        name=name, role=role, login=login, pronouns=pronouns, languages=list(languages) if languages else None,
        max_hours_week=max_hours, max_shifts_week=max_shifts, min_rest_hours=min_rest,
        max_overnights_month=max_overnights, offer=tuple(offer) + tuple(tags),
        pause=tuple(pause) + tuple(paused_tags), remove_tags=tuple(remove_tag), active=True if activate else None,
    )
    from . import rota

    only_restore = restore_shifts and changes == svc.PersonChanges(offer=(), pause=(), remove_tags=())
    person = svc.get(c.db().conn, handle) if only_restore else svc.edit(c.db(), c.actor(), handle, changes)
    if activate:
        from .keys import sync_person

        sync_person(c.db(), c.actor(), handle)  # their SSH keys, if any, go back into authorized_keys
    restored: list = []
    skipped: list = []
    if restore_shifts or activate:
        seats = rota.released_seats(c.db().conn, c.actor(), handle)
        if seats and not restore_shifts and not as_json and sys.stdin.isatty():
            echo(f"{handle}'s deactivation released {len(seats)} seat{'s' if len(seats) != 1 else ''} still open:")
            for shift, role in seats:
                echo(f"  shift {shift.id} {shift.start_local:%a %Y-%m-%d %H:%M}–{shift.end_local:%H:%M} as {role}")
            restore_shifts = click.confirm(f"Put {handle} back on them?", default=False, err=True)
        if restore_shifts:
            restored, skipped = rota.restore_released(c.db(), c.actor(), handle)
        elif seats and not as_json:
            echo(f"{len(seats)} released seat(s) still open: `warmline people edit {handle} --restore-shifts` puts them back")
    if as_json:
        data = person_json(person, svc.tags_of(c.db().conn, c.actor(), person), c.line(), viewer=c.actor())
        if restore_shifts:
            data["restored_shifts"] = [s.id for s in restored]
            data["not_restored"] = [{"shift": s.id, "reason": why} for s, why in skipped]
        emit(data)
        return
    if not only_restore:
        echo(f"Updated {person.handle}.")
    if restore_shifts:
        echo(f"Back on {len(restored)} shift{'s' if len(restored) != 1 else ''}" + (
            f": {', '.join(str(s.id) for s in restored)}." if restored else "."))
        for shift, why in skipped:
            echo(f"  not shift {shift.id}: {why}")


@people.command("list")
@click.option("--active/--all", "active_only", default=False, help="Only active people (default: everyone).")
@json_option
@pass_ctx
def people_list(c: Context, active_only: bool, as_json: bool) -> None:
    """List people; coordinators also see each person's tags.

    \b
    Example:
      warmline people list --json
    """
    from . import people as svc

    actor = c.actor()
    conn = c.db().conn
    everyone = svc.all_people(conn, include_inactive=not active_only)
    if as_json:
        emit([person_json(p, svc.tags_of(conn, actor, p) if actor.is_coordinator else None, viewer=actor) for p in everyone])
        return
    for p in everyone:
        langs = ", ".join(t.removeprefix("lang-") for t in p.languages)
        state = "" if p.active else "  (inactive)"
        echo(f"{safe(p.handle):<20} {safe(p.name):<24} {p.role:<11} {safe(langs)}{state}")


@people.command("show")
@click.argument("handle")
@json_option
@pass_ctx
def people_show(c: Context, handle: str, as_json: bool) -> None:
    """Show one person; their tags only to themself and coordinators.

    \b
    Example:
      warmline people show sam
    """
    from . import people as svc

    actor = c.actor()
    conn = c.db().conn
    person = svc.get(conn, handle)
    tags = svc.tags_of(conn, actor, person) if (actor.is_coordinator or actor.id == person.id) else None
    data = person_json(person, tags, c.line(), viewer=actor)
    if as_json:
        emit(data)
        return
    echo(f"{safe(person.name)} ({safe(person.handle)}), {person.role}{'' if person.active else ', inactive'}")
    if person.pronouns:
        echo(f"  pronouns: {safe(person.pronouns)}")
    echo(f"  languages: {', '.join(person.languages) or '-'}")
    lim = data.get("limits")  # only to coordinators and the person themself
    if lim is not None:
        echo(
            f"  limits: {lim['max_hours_week']:g} h and {lim['max_shifts_week']} shifts a week, "
            f"{lim['min_rest_hours']:g} h rest, {lim['max_overnights_month']} overnights a month"
        )
    if tags is not None:
        offered = [t for t, s in tags if s == "offered"]
        paused = [t for t, s in tags if s == "paused"]
        echo(f"  offered: {', '.join(offered) or '-'}")
        echo(f"  paused: {', '.join(paused) or '-'}")


@people.command("deactivate")
@click.argument("handle")
@click.option("--yes", is_flag=True, help="Confirm releasing their future shifts without asking (needed without a terminal).")
@json_option
@pass_ctx
def people_deactivate(c: Context, handle: str, yes: bool, as_json: bool) -> None:
    """Deactivate a person and release their future shifts (coordinators).

    At a terminal you are asked to confirm, with the number of shifts released;
    elsewhere give --yes. `people edit HANDLE --activate --restore-shifts` later
    puts them back on the released seats still open.

    \b
    Example:
      warmline people deactivate sam --yes
    """
    from . import people as svc

    if not yes:
        count = svc.future_seats(c.db().conn, c.actor(), handle)
        what = f"deactivating {handle} releases them from {count} future shift{'s' if count != 1 else ''}"
        if not sys.stdin.isatty():
            raise click.ClickException(f"{what}: add --yes to confirm (no terminal to ask at); nothing was changed")
        if not click.confirm(what[0].upper() + what[1:] + ". Deactivate?", default=False, err=True):
            raise click.ClickException("not confirmed: nothing was changed")
    person, released = svc.deactivate(c.db(), c.actor(), handle)
    from .keys import sync_person

    sync_person(c.db(), c.actor(), handle)  # their SSH keys leave authorized_keys (warmline ssh refuses them anyway)
    if as_json:
        emit({"handle": person.handle, "active": person.active, "released_shifts": released})
    else:
        echo(f"Deactivated {handle}; released from {released} future shifts.")


@people.command("passphrase")
@click.argument("handle")
@pass_ctx
def people_passphrase(c: Context, handle: str) -> None:
    """Set a passphrase: your own, or anyone's (coordinators). Asked twice, or read from WARMLINE_NEW_PASSPHRASE.

    Changing your own, once you have one, also needs the current one: asked, or read from
    WARMLINE_PASSPHRASE.

    \b
    Example:
      warmline people passphrase sam
    """
    from . import people as svc
    from .errors import Invalid

    actor = c.actor()
    tty = bool(sys.stdin and sys.stdin.isatty())
    current = None
    if handle == actor.handle and actor.has_passphrase:
        current = os.environ.get("WARMLINE_PASSPHRASE")
        if current is None:
            if not tty:
                raise Invalid(
                    "changing your own passphrase needs your current one: run in a terminal to be asked, "
                    "or set WARMLINE_PASSPHRASE"
                )
            current = click.prompt("Current passphrase", hide_input=True, err=True)
    secret = os.environ.get("WARMLINE_NEW_PASSPHRASE")
    if secret is None:
        if not tty:
            raise Invalid("no passphrase given: run in a terminal to be asked, or set WARMLINE_NEW_PASSPHRASE")
        secret = click.prompt("New passphrase", hide_input=True, confirmation_prompt=True, err=True)
    svc.set_passphrase(c.db(), actor, handle, secret, current=current)
    echo(f"Passphrase set for {handle}.")


# ---------------------------------------------------------------- tags


@cli.group()
def tags() -> None:
    """List the line's tags, or add one.

    \b
    Example:
      warmline tags list --family language
    """


@tags.command("list")
@click.option("--family", type=click.Choice(["experience", "circumstance", "identity", "language"]), help="Only this family.")
@json_option
@pass_ctx
def tags_list(c: Context, family: str | None, as_json: bool) -> None:
    """List the tags people can offer (the taxonomy, not who holds them).

    \b
    Example:
      warmline tags list --family experience
    """
    from .tags import all_tags

    c.actor()
    found = all_tags(c.db().conn, family)
    if as_json:
        emit([{"id": t.id, "label": t.label, "family": t.family, "aliases": list(t.aliases)} for t in found])
        return
    for t in found:
        aliases = f"  ({', '.join(t.aliases)})" if t.aliases else ""
        echo(f"{t.family:<13} {safe(t.id):<28} {safe(t.label)}{safe(aliases)}")


@tags.command("add")
@click.argument("tag_id")
@click.option("--label", required=True, help="How the tag reads, e.g. 'gambling recovery'.")
@click.option("--family", required=True, type=click.Choice(["experience", "circumstance", "identity", "language"]), help="experience, circumstance, identity or language.")
@click.option("--alias", "aliases", multiple=True, help="Another name people may type (repeat).")
@json_option
@pass_ctx
def tags_add(c: Context, tag_id: str, label: str, family: str, aliases: tuple[str, ...], as_json: bool) -> None:
    """Add a tag to the line's taxonomy (coordinators).

    \b
    Example:
      warmline tags add gambling-recovery --label "gambling recovery" --family experience
    """
    from .tags import add

    tag = add(c.db(), c.actor(), tag_id=tag_id, label=label, family=family, aliases=aliases)
    if as_json:
        emit({"id": tag.id, "label": tag.label, "family": tag.family, "aliases": list(tag.aliases)})
    else:
        echo(f"Added tag {tag.id} ({tag.label}).")


# ---------------------------------------------------------------- shifts


def shift_json(v, tz) -> dict:
    from .times import local_iso

    s = v.shift
    return {
        "id": s.id,
        "series_id": s.series_id,
        "start": local_iso(s.start_utc, tz),
        "end": local_iso(s.end_utc, tz),
        "start_utc": s.start_utc.isoformat().replace("+00:00", "Z"),
        "end_utc": s.end_utc.isoformat().replace("+00:00", "Z"),
        "hours": round(s.hours, 4),
        "seats": s.seats,
        "backup_seats": s.backup_seats,
        "peers": [a.handle for a in v.peers],
        "backup": [a.handle for a in v.backups],
        "open_seats": v.open_seats,
        "open_backup_seats": v.open_backup_seats,
        "cover_requested": [r.handle for r in v.cover],
        "status": s.status,
        "note": s.note,
    }


def shift_line(v, tz) -> str:
    s = v.shift
    start = s.start_utc.astimezone(tz)
    end = s.end_utc.astimezone(tz)
    peers = ", ".join(a.handle for a in v.peers) or "-"
    backup = ", ".join(a.handle for a in v.backups) or "NO BACKUP" if s.backup_seats else "-"
    flags = []
    if s.status == "cancelled":
        flags.append("CANCELLED")
    else:
        if v.open_seats:
            flags.append(f"{v.open_seats} OPEN")
        if v.open_backup_seats:
            flags.append("backup open")
        if v.cover:
            flags.append("cover wanted: " + ", ".join(r.handle for r in v.cover))
    flag_text = f"  [{'; '.join(flags)}]" if flags else ""
    return (
        f"  #{s.id:<6} {start:%H:%M}–{end:%H:%M}  {hours_text(s.hours):>6}  "
        f"peers: {safe(peers)}  backup: {safe(backup)}{safe(flag_text)}"
    )


def _print_shifts(c: Context, start, finish, person, mine, open_only, as_json: bool = False) -> None:
    from . import rota
    from .clock import now
    from .people import get
    from .times import day_range

    actor = c.actor()
    tz = c.tz()
    lo, hi = day_range(tz, now(), start, finish)
    rota.extend_horizon(c.db())
    person_id = None
    if mine:
        person_id = actor.id
    elif person:
        person_id = get(c.db().conn, person).id
    found = rota.views(c.db().conn, lo, hi, person_id=person_id, open_only=open_only)
    if as_json:
        emit([shift_json(v, tz) for v in found])
        return
    line = c.line()
    echo(f"{safe(line.name)} — {safe(line.escalation)}")
    if not found:
        echo("No shifts in this range.")
    day = None
    for v in found:
        local = v.shift.start_utc.astimezone(tz)
        if local.date() != day:
            day = local.date()
            echo(f"{local:%a %d %b %Y}")
        echo(shift_line(v, tz))


@cli.command("shifts")
@click.option("--from", "start", metavar="D", help="First day or time (default: today).")
@click.option("--to", "finish", metavar="D", help="Last day (inclusive) or time (default: a week on).")
@click.option("--person", metavar="H", help="Only this person's shifts.")
@click.option("--mine", is_flag=True, help="Only your shifts.")
@click.option("--open", "open_only", is_flag=True, help="Only shifts with open seats or cover requests.")
@json_option
@pass_ctx
def shifts_cmd(c: Context, start, finish, person, mine, open_only, as_json) -> None:
    """List shifts with who is on them and the seats still open.

    \b
    Examples:
      warmline shifts --from 2026-11-23 --to 2026-11-29 --open
      warmline shifts --mine --json
    """
    if person and mine:
        raise click.UsageError("give --person or --mine, not both")
    _print_shifts(c, start, finish, person, mine, open_only, as_json)


@cli.group()
def shift() -> None:
    """Create, edit and cancel shifts (coordinators).

    \b
    Example:
      warmline shift add --start 2026-11-23T09:00 --end 2026-11-23T13:00
    """


@shift.command("add")
@click.option("--start", required=True, metavar="T", help="Start, e.g. 2026-11-23T09:00.")
@click.option(
    "--end", required=True, metavar="T",
    help="End, e.g. 2026-11-23T13:00; an overnight shift (or series) ends on the next day's date.",
)
@click.option("--seats", type=int, default=2, show_default=True, help="Peer seats (with --backup, at least one seat).")
@click.option("--backup", type=int, default=1, show_default=True, help="Backup seats.")
@click.option("--rrule", metavar="RULE", help="Repeat by an RFC 5545 rule, e.g. FREQ=WEEKLY;BYDAY=MO,WE,FR.")
@click.option("--until", metavar="DATE", help="With --rrule: the last day it may repeat on.")
@click.option("--note", default="", help="A note shown with the shift.")
@json_option
@pass_ctx
def shift_add(c: Context, start, end, seats, backup, rrule, until, note, as_json) -> None:
    """Create a shift, or with --rrule a recurring series.

    A shift that has already ended, one with no seat, and an exact duplicate (the
    same start and end as a scheduled shift, or the same series) are refused.

    \b
    Examples:
      warmline shift add --start 2026-11-23T09:00 --end 2026-11-23T13:00 --seats 2 --backup 1
      warmline shift add --start 2026-11-23T17:00 --end 2026-11-23T21:00 \\
          --rrule "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR" --until 2027-03-31
      warmline shift add --start 2026-11-23T22:00 --end 2026-11-24T06:00 --rrule FREQ=DAILY
    """
    from . import rota
    from .times import parse_day, parse_moment

    tz = c.tz()
    begin = parse_moment(start, tz, what="--start")
    finish = parse_moment(end, tz, what="--end")
    if until is not None and rrule is None:
        raise click.UsageError("--until goes with --rrule")
    if rrule is not None:  # an empty --rrule is refused by the core, not taken as "no repeat"
        # As for one shift, --end's date decides: an overnight series ends on the next day's date.
        series, made = rota.add_series(
            c.db(), c.actor(), rule=rrule, start=begin, end=finish, seats=seats, backup=backup,
            until=parse_day(until, what="--until") if until is not None else None, note=note,
        )
        if as_json:
            emit(series_json(series) | {"shifts_created": made})
        else:
            echo(f"Created series {series.id} with {made} shifts so far.")
        return
    s = rota.add_shift(c.db(), c.actor(), start=begin, end=finish, seats=seats, backup=backup, note=note)
    if as_json:
        emit(shift_json(rota.view(c.db().conn, s.id), tz))
    else:
        echo(f"Created shift {s.id}.")


@shift.command("edit")
@click.argument("shift_id", type=int)
@click.option("--start", metavar="T", help="New start.")
@click.option("--end", metavar="T", help="New end.")
@click.option("--seats", type=int, help="Peer seats.")
@click.option("--backup", type=int, help="Backup seats.")
@click.option("--note", help="The note.")
@click.option("--force", is_flag=True, help="Override rest/limit rules for the people on it (audited).")
@json_option
@pass_ctx
def shift_edit(c: Context, shift_id, start, end, seats, backup, note, force, as_json) -> None:
    """Edit one shift (a series occurrence is detached from its series).

    \b
    Example:
      warmline shift edit 12 --end 2026-11-23T14:00 --seats 3
    """
    from . import rota
    from .times import parse_moment

    tz = c.tz()
    s = rota.edit_shift(
        c.db(), c.actor(), shift_id,
        start=parse_moment(start, tz, what="--start") if start is not None else None,
        end=parse_moment(end, tz, what="--end") if end is not None else None,
        seats=seats, backup=backup, note=note, force=force,
    )
    if as_json:
        emit(shift_json(rota.view(c.db().conn, s.id), tz))
    else:
        echo(f"Updated shift {s.id}.")


@shift.command("cancel")
@click.argument("shift_id", type=int)
@json_option
@pass_ctx
def shift_cancel(c: Context, shift_id: int, as_json: bool) -> None:
    """Cancel one shift (one occurrence; the rest of its series stays).

    \b
    Example:
      warmline shift cancel 12
    """
    from . import rota

    s = rota.cancel_shift(c.db(), c.actor(), shift_id)
    if as_json:
        emit(shift_json(rota.view(c.db().conn, s.id), c.tz()))
    else:
        echo(f"Cancelled shift {s.id}.")


def series_json(s) -> dict:
    return {
        "id": s.id,
        "rule": s.rule,
        "first_day": s.first_day,
        "start_time": s.start_time,
        "end_time": s.end_time,
        "tz": s.tz,
        "seats": s.seats,
        "backup_seats": s.backup_seats,
        "until": s.until_day,
        "note": s.note,
        "status": s.status,
    }


@cli.group()
def series() -> None:
    """List, edit and cancel recurring series (coordinators edit).

    \b
    Example:
      warmline series list
    """


@series.command("list")
@json_option
@pass_ctx
def series_list(c: Context, as_json: bool) -> None:
    """List the series.

    \b
    Example:
      warmline series list --json
    """
    from . import rota

    c.actor()
    found = rota.all_series(c.db().conn)
    if as_json:
        emit([series_json(s) for s in found])
        return
    for s in found:
        until = f" until {s.until_day}" if s.until_day else ""
        echo(f"#{s.id:<4} {s.start_time}–{s.end_time} {s.rule} from {s.first_day}{until}  {s.seats}+{s.backup_seats} seats  {s.status}")


@series.command("edit")
@click.argument("series_id", type=int)
@click.option("--start-time", metavar="HH:MM", help="New local start time.")
@click.option("--end-time", metavar="HH:MM", help="New local end time (earlier than the start: next day).")
@click.option("--seats", type=int, help="Peer seats.")
@click.option("--backup", type=int, help="Backup seats.")
@click.option("--note", help="The note.")
@click.option("--until", metavar="DATE", help="The last day it may repeat on.")
@click.option("--no-until", is_flag=True, help="Repeat without an end.")
@click.option("--rrule", metavar="RULE", help="A new repeat rule.")
@click.option("--force", is_flag=True, help="Override rest/limit rules for the people on it (audited).")
@json_option
@pass_ctx
def series_edit(c: Context, series_id, start_time, end_time, seats, backup, note, until, no_until, rrule, force, as_json) -> None:
    """Edit a series: its future occurrences change, except ones edited on their own.

    \b
    Example:
      warmline series edit 3 --start-time 17:30 --end-time 21:30
    """
    from . import rota
    from .times import parse_day

    if until and no_until:
        raise click.UsageError("give --until or --no-until, not both")
    changes = rota.SeriesChanges(
        start_time=_clock_time(start_time, "--start-time"), end_time=_clock_time(end_time, "--end-time"),
        seats=seats, backup=backup, note=note, until=parse_day(until, what="--until") if until is not None else None,
        clear_until=no_until, rule=rrule,
    )
    s, changed = rota.edit_series(c.db(), c.actor(), series_id, changes, force=force)
    if as_json:
        emit(series_json(s) | {"shifts_changed": changed})
    else:
        echo(f"Updated series {s.id}; {changed} future shifts changed.")


def _clock_time(text: str | None, what: str):
    from datetime import time

    from .errors import Invalid

    if text is None:
        return None
    try:
        value = time.fromisoformat(text.strip())
        if len(text.strip()) not in (5, 8):
            raise ValueError
    except ValueError:
        raise Invalid(f"{what} {text[:20]!r} is not a time of day: use HH:MM, e.g. 17:30") from None
    return value


@series.command("cancel")
@click.argument("series_id", type=int)
@json_option
@pass_ctx
def series_cancel(c: Context, series_id: int, as_json: bool) -> None:
    """Cancel a series: it stops repeating and its future shifts are cancelled.

    \b
    Example:
      warmline series cancel 3
    """
    from . import rota

    s, count = rota.cancel_series(c.db(), c.actor(), series_id)
    if as_json:
        emit(series_json(s) | {"shifts_cancelled": count})
    else:
        echo(f"Cancelled series {s.id} and {count} future shifts.")


# ---------------------------------------------------------------- people on shifts


def assignment_json(a, extra: dict | None = None) -> dict:
    return {"shift_id": a.shift_id, "handle": a.handle, "role": a.role} | (extra or {})


@cli.command()
@click.argument("shift_id", type=int)
@click.argument("handle")
@click.option("--backup", is_flag=True, help="As backup rather than peer.")
@click.option("--force", is_flag=True, help="Override rest and limit rules (never seats or overlap); audited.")
@json_option
@pass_ctx
def assign(c: Context, shift_id: int, handle: str, backup: bool, force: bool, as_json: bool) -> None:
    """Put someone on a shift (coordinators).

    \b
    Example:
      warmline assign 12 sam --backup
    """
    from . import rota

    a = rota.assign(c.db(), c.actor(), shift_id, handle, role="backup" if backup else "peer", force=force)
    if as_json:
        emit(assignment_json(a))
    else:
        echo(f"{a.handle} is on shift {a.shift_id} as {a.role}.")


@cli.command()
@click.argument("shift_id", type=int)
@click.argument("handle")
@json_option
@pass_ctx
def unassign(c: Context, shift_id: int, handle: str, as_json: bool) -> None:
    """Take someone off a shift (coordinators).

    \b
    Example:
      warmline unassign 12 sam
    """
    from . import rota

    rota.unassign(c.db(), c.actor(), shift_id, handle)
    if as_json:
        emit({"shift_id": shift_id, "handle": handle, "removed": True})
    else:
        echo(f"{handle} is off shift {shift_id}.")


@cli.command()
@click.argument("shift_id", type=int)
@click.option("--backup", is_flag=True, help="Take a backup seat rather than a peer seat.")
@json_option
@pass_ctx
def claim(c: Context, shift_id: int, backup: bool, as_json: bool) -> None:
    """Take an open seat (or someone's cover request) on a shift.

    \b
    Example:
      warmline claim 12
    """
    from . import rota

    a = rota.claim(c.db(), c.actor(), shift_id, role="backup" if backup else "peer")
    if as_json:
        emit(assignment_json(a))
    else:
        echo(f"You are on shift {a.shift_id} as {a.role}.")


@cli.command("drop")
@click.argument("shift_id", type=int)
@json_option
@pass_ctx
def drop_cmd(c: Context, shift_id: int, as_json: bool) -> None:
    """Drop one of your shifts: the seat reopens, or within the cut-off a cover request opens.

    \b
    Example:
      warmline drop 12
    """
    from . import rota

    outcome = rota.drop(c.db(), c.actor(), shift_id)
    if as_json:
        emit({"shift_id": shift_id, "outcome": outcome})
    elif outcome == "reopened":
        echo(f"Dropped shift {shift_id}; the seat is open again.")
    else:
        echo(
            f"Shift {shift_id} is within the drop cut-off: a cover request is open and you stay on it until someone takes it."
        )


# ---------------------------------------------------------------- checking


@cli.command()
@json_option
@pass_ctx
def check(c: Context, as_json: bool) -> None:
    """Check the file's integrity and every rota invariant; exit 1 if any is broken.

    \b
    Example:
      warmline check
    """
    from . import rota
    from .errors import Refused
    from .schema import differences

    c.refuse_foreign_schema = False  # list what is foreign instead of refusing to open the file
    foreign = differences(c.db().conn, c.db().schema_version())
    if foreign:
        # Signing in may write (and a foreign trigger would run on that write): report without an actor.
        report = rota.CheckReport(errors=[f"schema: {d}" for d in foreign])
    else:
        c.actor()
        report = rota.check(c.db().conn)
    if as_json:
        emit({"ok": report.ok, "errors": report.errors, "warnings": report.warnings})
    else:
        for w in report.warnings:
            echo(f"warning: {w}")
        for e in report.errors:
            echo(f"problem: {e}")
        if report.ok:
            echo("ok: integrity and every rota invariant hold" + (f" ({len(report.warnings)} warnings)" if report.warnings else ""))
    if not report.ok:
        raise Refused(f"{len(report.errors)} problems found (listed above)")


@cli.command()
@click.option("--person", metavar="H", help="Only changes made by this person.")
@click.option("--limit", type=click.IntRange(1, 100000), default=200, show_default=True, help="How many entries.")
@json_option
@pass_ctx
def audit(c: Context, person: str | None, limit: int, as_json: bool) -> None:
    """Show the change log, newest first (coordinators).

    \b
    Example:
      warmline audit --person sam --limit 20
    """
    from . import audit as log

    found = log.entries(c.db().conn, c.actor(), actor=person, limit=limit)  # refuses those who may not read it
    if as_json:
        emit([e._asdict() for e in found])
        return
    for e in found:
        echo(f"{e.at}  {e.actor:<16} {e.action:<18} {e.subject:<12} {e.detail}")


# ---------------------------------------------------------------- matching, calls, coverage


def _tag_ref(tag) -> dict:
    return {"id": tag.id, "label": tag.label}


def match_json(result, tz, escalation: str) -> dict:
    from .times import local_iso

    return {
        "at": local_iso(result.at, tz),
        "needs": [_tag_ref(t) for t in result.needs],
        "language": _tag_ref(result.language) if result.language else None,
        "prefer": [_tag_ref(t) for t in result.prefer],
        "shifts": list(result.shift_ids),
        "candidates": [
            {
                "handle": m.handle,
                "name": m.name,
                "role": m.role,
                "shift_id": m.shift_id,
                "score": m.score,
                "shares": list(m.shares),
                "related": list(m.related),
                "preferences": list(m.preferences),
                "language": m.language,
                "busy": m.busy,
                "busy_since": local_iso(m.busy_since, tz) if m.busy_since else None,
                "calls_taken": m.calls_taken,
            }
            for m in result.candidates
        ],
        "unmet": [_tag_ref(t) for t in result.unmet],
        "next": [
            {
                "shift_id": n.shift_id,
                "start": local_iso(n.start, tz),
                "end": local_iso(n.end, tz),
                "need": n.need,
                "need_label": n.need_label,
                "handles": list(n.handles),
            }
            for n in result.next
        ],
        "without_language": result.without_language,
        "escalation": escalation,
    }


def _match_reasons(m) -> str:
    parts = []
    if m.shares:
        parts.append("shares: " + ", ".join(m.shares))
    if m.related:
        parts.append("related: " + ", ".join(m.related))
    if m.preferences:
        parts.append("also: " + ", ".join(m.preferences))
    if m.language:
        parts.append(f"speaks {m.language}")
    if m.calls_taken:
        parts.append(f"{m.calls_taken} call{'' if m.calls_taken == 1 else 's'} this shift")
    if m.busy:
        parts.append("ON A CALL")
    return " · ".join(parts) or "no shared need"


@cli.command("match")
@click.argument("needs", nargs=-1, metavar="TAG...")
@click.option("--at", metavar="T", help="Match at this time (default: now).")
@click.option("--language", metavar="L", help="A language the caller needs (a hard requirement).")
@click.option("--prefer", multiple=True, metavar="TAG", help="A preferred identity, e.g. woman or veteran (repeat).")
@json_option
@pass_ctx
def match_cmd(c: Context, needs, at, language, prefer, as_json) -> None:
    """Rank the people on shift for a caller's needs, with the reasons (on shift now, or coordinators).

    Needs shared exactly count most, then needs shared through a related tag, then
    preferences. Free peers come first, then backup; people on a call come last.
    When nobody on shift offers a need, the next shifts within 24 h that have
    someone who does are named.

    \b
    Examples:
      warmline match grief "housing insecurity"
      warmline match voices --language es --prefer woman --json
    """
    from .matching import match
    from .times import parse_moment

    if not (needs or language or prefer):
        raise click.UsageError("name at least one need (TAG), --language or --prefer")
    tz = c.tz()
    result = match(
        c.db().conn, c.actor(), list(needs), at=parse_moment(at, tz, what="--at") if at else None,
        language=language, prefer=list(prefer),
    )
    line = c.line()
    if as_json:
        emit(match_json(result, tz, line.escalation))
        return
    echo(f"{safe(line.name)} — {safe(line.escalation)}")
    asked = ", ".join(t.label for t in result.needs) or "no particular need"
    if result.language:
        asked += f" (in {result.language.label})"
    if result.prefer:
        asked += "; prefers " + ", ".join(t.label for t in result.prefer)
    echo(f"Caller: {asked} — at {result.at.astimezone(tz):%a %d %b %H:%M}")
    if not result.candidates:
        echo("Nobody on shift" + (f" speaks {result.language.label}." if result.without_language else " at that time."))
    for n, m in enumerate(result.candidates, start=1):
        echo(f"{n:>3}. {safe(m.handle):<16} {safe(m.name):<20} {m.role:<7} {m.score:>4}  {safe(_match_reasons(m))}")
    if result.unmet:
        echo("Nobody on shift offers: " + ", ".join(t.label for t in result.unmet))
        for nxt in result.next:
            start = nxt.start.astimezone(tz)
            echo(
                f"  {nxt.need_label or 'next on shift'}: shift {nxt.shift_id} {start:%a %H:%M}–{nxt.end.astimezone(tz):%H:%M}"
                f" ({', '.join(nxt.handles)})"
            )
        if not result.next:
            echo("  nobody offering it is on a shift in the next 24 h")


@cli.command("busy")
@click.argument("state", type=click.Choice(["on", "off"]))
@json_option
@pass_ctx
def busy_cmd(c: Context, state: str, as_json: bool) -> None:
    """Mark yourself on a call (on) or free (off) for your current shift; it clears when the shift ends.

    \b
    Example:
      warmline busy on
    """
    from .calls import set_busy
    from .times import local_iso

    tz = c.tz()
    result = set_busy(c.db(), c.actor(), state == "on")
    if as_json:
        emit(
            {
                "shift_id": result.shift_id,
                "handle": result.handle,
                "role": result.role,
                "busy": result.busy,
                "since": local_iso(result.since, tz) if result.since else None,
                "shift_end": local_iso(result.shift_end, tz),
                "changed": result.changed,
            }
        )
    elif result.busy:
        since = result.since.astimezone(tz)
        already = "already " if not result.changed else ""
        echo(f"You are {already}marked on a call since {since:%H:%M} (shift {result.shift_id}); `warmline busy off` when free.")
    else:
        echo(f"You are {'already ' if not result.changed else ''}free for calls (shift {result.shift_id}).")


@cli.group("call")
def call_group() -> None:
    """The anonymous call log: a time and need tags per call, nothing about the caller.

    \b
    Example:
      warmline call log grief "housing insecurity"
    """


@call_group.command("log")
@click.argument("needs", nargs=-1, metavar="TAG...")
@click.option("--at", metavar="T", help="When the call was (default: now).")
@click.option("--taken-by", metavar="H", help="Who took it (default: you, when you are on shift).")
@json_option
@pass_ctx
def call_log_cmd(c: Context, needs, at, taken_by, as_json) -> None:
    """Log a call's needs for demand statistics (people on shift and coordinators).

    Only the time, the need tags and who took it are kept.

    \b
    Example:
      warmline call log voices "leaving detox" --at 2026-11-23T10:40
    """
    from .calls import log_call
    from .clock import now
    from .tags import resolver
    from .times import local_iso, parse_moment

    tz = c.tz()
    when = parse_moment(at, tz, what="--at") if at else now()
    call_id = log_call(c.db(), c.actor(), list(needs), at=when, taken_by=taken_by)
    tags = resolver(c.db().conn).resolve_many(list(needs))
    if as_json:
        emit({"id": call_id, "at": local_iso(when, tz), "needs": [t.id for t in tags], "taken_by": taken_by})
    else:
        echo(f"Logged call {call_id} with {len(tags)} need{'' if len(tags) == 1 else 's'}.")


def goal_json(g) -> dict:
    return {
        "id": g.id,
        "tag": g.tag_id,
        "label": g.label,
        "days": g.days,
        "days_text": g.days_text,
        "from": f"{g.start:%H:%M}",
        "to": f"{g.end:%H:%M}",
        "min_people": g.min_people,
        "active": g.active,
        "created_at": g.created_at,
    }


@cli.group("goal")
def goal_group() -> None:
    """Coverage goals: at least N people offering a tag in a daily window (coordinators edit).

    \b
    Example:
      warmline goal add spanish --days daily --from 17:00 --to 21:00 --min 1
    """


@goal_group.command("add")
@click.argument("tag")
@click.option("--days", required=True, help="daily, weekdays, weekends, or days like MO,WE,FR.")
@click.option("--from", "start", required=True, metavar="HH:MM", help="Window start, local time.")
@click.option("--to", "finish", required=True, metavar="HH:MM", help="Window end (earlier than --from: next day).")
@click.option("--min", "min_people", type=int, default=1, show_default=True, help="People needed.")
@json_option
@pass_ctx
def goal_add_cmd(c: Context, tag, days, start, finish, min_people, as_json) -> None:
    """Declare a coverage goal (coordinators).

    \b
    Examples:
      warmline goal add spanish --days daily --from 17:00 --to 21:00
      warmline goal add "hearing voices" --days weekends --from 09:00 --to 09:00 --min 1
    """
    from .matching import add_goal

    goal = add_goal(
        c.db(), c.actor(), tag, days, _clock_time(start, "--from"), _clock_time(finish, "--to"), min_people
    )
    if as_json:
        emit(goal_json(goal))
    else:
        echo(f"Added goal {goal.id}: {goal.describe()}.")


@goal_group.command("list")
@click.option("--all", "include_removed", is_flag=True, help="Include removed goals.")
@json_option
@pass_ctx
def goal_list_cmd(c: Context, include_removed: bool, as_json: bool) -> None:
    """List the coverage goals.

    \b
    Example:
      warmline goal list --json
    """
    from .matching import goals

    c.actor()
    found = goals(c.db().conn, include_removed=include_removed)
    if as_json:
        emit([goal_json(g) for g in found])
        return
    if not found:
        echo("No coverage goals yet: add one with `warmline goal add`.")
    for g in found:
        echo(f"#{g.id:<4} {g.describe()}{'' if g.active else '  (removed)'}")


@goal_group.command("remove")
@click.argument("goal_id", type=int)
@json_option
@pass_ctx
def goal_remove_cmd(c: Context, goal_id: int, as_json: bool) -> None:
    """Remove a coverage goal (coordinators); it is kept, inactive, for the record.

    \b
    Example:
      warmline goal remove 3
    """
    from .matching import remove_goal

    goal = remove_goal(c.db(), c.actor(), goal_id)
    if as_json:
        emit(goal_json(goal))
    else:
        echo(f"Removed goal {goal.id} ({goal.describe()}).")


def coverage_json(report, tz) -> dict:
    from .times import local_iso

    return {
        "from": local_iso(report.start, tz),
        "to": local_iso(report.end, tz),
        "score": None if report.score is None else round(report.score, 4),
        "demand_total": round(report.demand_total, 4),
        "demand_covered": round(report.demand_covered, 4),
        "demand_weeks": report.demand_weeks,
        "goals": [goal_json(g) for g in report.goals],
        "shifts": [
            {
                "id": s.shift_id,
                "start": local_iso(s.start, tz),
                "end": local_iso(s.end, tz),
                "peers": list(s.peers),
                "backup": list(s.backup),
                "open_seats": s.open_seats,
                "open_backup_seats": s.open_backup_seats,
                "goals": [
                    {"goal_id": g.goal_id, "tag": g.tag_id, "label": g.label, "min_people": g.min_people,
                     "have": g.have, "met": g.met, "handles": list(g.handles)}
                    for g in s.goals
                ],
                "demand": [
                    {"tag": d.tag_id, "label": d.label, "expected": round(d.expected, 4), "covered": d.covered}
                    for d in s.demand
                ],
                "expected_calls": round(s.expected_calls, 4),
                "covered_calls": round(s.covered_calls, 4),
            }
            for s in report.shifts
        ],
        "gaps": [_gap_json(g, tz) for g in report.gaps],
        "past_gaps": [_gap_json(g, tz) for g in report.past_gaps],
        "demand_by_hour": {t: [round(v, 4) for v in row] for t, row in report.demand_by_hour.items()},
        "labels": report.labels,
    }


def _gap_json(g, tz) -> dict:
    from .times import local_iso

    return {
        "kind": g.kind,
        "shift_id": g.shift_id,
        "start": local_iso(g.start, tz),
        "end": local_iso(g.end, tz),
        "tag": g.tag_id,
        "label": g.label,
        "goal_id": g.goal_id,
        "need": g.need,
        "have": g.have,
        "expected": round(g.expected, 4),
        "fillable": g.fillable,
        "fillers": [{"handle": f.handle, "name": f.name, "shifts_in_range": f.shifts_in_range} for f in g.fillers],
        "no_shift": g.no_shift,
    }


@cli.command("coverage")
@click.option("--from", "start", metavar="D", help="First day or time (default: today).")
@click.option("--to", "finish", metavar="D", help="Last day (inclusive) or time (default: a week on).")
@json_option
@pass_ctx
def coverage_cmd(c: Context, start, finish, as_json) -> None:
    """Coverage of goals and of call-log demand for the shifts in a range, with gaps and who could fill them (coordinators).

    \b
    Example:
      warmline coverage --from 2026-11-23 --to 2026-11-29
    """
    from datetime import timedelta

    from .clock import now
    from .matching import coverage
    from .times import day_range

    tz = c.tz()
    lo, hi = day_range(tz, now(), start, finish)
    report = coverage(c.db().conn, c.actor(), lo, hi)
    if as_json:
        emit(coverage_json(report, tz))
        return
    first = report.start.astimezone(tz)
    last = (report.end - timedelta(seconds=1)).astimezone(tz)
    echo(f"Coverage {first:%a %d %b %Y} – {last:%a %d %b %Y}: {len(report.shifts)} shifts")
    if report.score is None:
        echo("  demand: no calls logged yet (`warmline call log`), so no demand score")
    else:
        echo(
            f"  demand covered: {report.score:.0%} of {report.demand_total:.1f} expected need-calls"
            f" (call log averaged over {report.demand_weeks} week{'' if report.demand_weeks == 1 else 's'})"
        )
    checks = [g for s in report.shifts for g in s.goals]
    if report.goals:
        echo(f"  goals: {sum(g.met for g in checks)} of {len(checks)} shift checks met ({len(report.goals)} goals)")
    else:
        echo("  goals: none yet (`warmline goal add`)")
    if report.past_gaps:
        n = len(report.past_gaps)
        echo(f"  {n} gap{'' if n == 1 else 's'} had already started (not listed; --json has them under past_gaps)")
    if not report.gaps:
        echo("No gaps ahead." if report.past_gaps else "No gaps.")
        return
    echo("Gaps to fill:")
    for g in report.gaps:
        start_local = g.start.astimezone(tz)
        shift = "no shift" if g.no_shift else f"#{g.shift_id}"
        when = f"{start_local:%a %d %b %H:%M}–{g.end.astimezone(tz):%H:%M} {shift}"
        if g.kind == "goal":
            what = f"{g.label}: {g.have} of {g.need} (goal {g.goal_id})"
        else:
            what = f"{g.label}: ~{g.expected:.1f} calls expected, nobody on shift offers it"
        if g.no_shift:
            fill = "no shift covers this: add one (`warmline shift add`)"
        elif g.fillers:
            fill = "could fill: " + ", ".join(f.handle for f in g.fillers)
        elif g.fillable:
            fill = "nobody eligible offers it"
        else:
            fill = "no free seat"
        echo(f"  {when}  {what}  — {fill}")


# ---------------------------------------------------------------- availability, time off, swaps, load, auto-fill (issue "5 of 7")


def _day_label(moment, tz) -> str:
    """'Mon 23 Nov 17:00–21:00' style start of a line (the caller adds the end)."""
    return f"{moment.astimezone(tz):%a %d %b %H:%M}"


def window_json(w) -> dict:
    from .matching import DAY_CODES

    return {"day": DAY_CODES[w.weekday], "weekday": w.weekday, "from": f"{w.start:%H:%M}", "to": f"{w.end:%H:%M}", "kind": w.kind}


def time_off_json(t) -> dict:
    return {
        "id": t.id, "handle": t.handle, "first_day": t.first_day.isoformat(), "last_day": t.last_day.isoformat(),
        "days": t.days, "created_at": t.created_at,
    }


def clash_json(k, tz) -> dict:
    from .times import local_iso

    return {"shift_id": k.shift_id, "start": local_iso(k.start, tz), "end": local_iso(k.end, tz), "handle": k.handle,
            "rule": k.rule, "message": k.message}


def availability_json(a) -> dict:
    return {
        "handle": a.handle,
        "any_time": a.any_time,
        "available": [window_json(w) for w in a.available],
        "preferred": [window_json(w) for w in a.preferred],
        "time_off": [time_off_json(t) for t in a.time_off],
    }


def _print_availability(a) -> None:
    from .availability import windows_text

    echo(f"{a.handle}: available {windows_text(a.available)}")
    if a.preferred:
        echo(f"  prefers {windows_text(a.preferred)}")
    for t in a.time_off:
        echo(f"  time off {t.id}: {t.describe()}")


def _print_clashes(clashes, tz, actor) -> None:
    for k in clashes:
        mine = k.handle == actor.handle
        what = f"drop it with `warmline drop {k.shift_id}`" if mine else f"`warmline unassign {k.shift_id} {k.handle}` or find cover"
        rule = "time off" if k.rule == "time-off" else "availability"
        echo(
            f"note: {'you are' if mine else k.handle + ' is'} still on #{k.shift_id} {_day_label(k.start, tz)}–"
            f"{k.end.astimezone(tz):%H:%M}, which {'your' if mine else 'their'} {rule} now rules out: {what}"
        )


def _change_out(c: Context, change, as_json: bool, what: str) -> None:
    tz = c.tz()
    if as_json:
        data = availability_json(change.availability) | {"clashes": [clash_json(k, tz) for k in change.clashes]}
        if change.time_off is not None:
            data["time_off_added"] = time_off_json(change.time_off)
        emit(data)
        return
    echo(what)
    _print_availability(change.availability)
    _print_clashes(change.clashes, tz, c.actor())


@cli.group("availability")
def availability_group() -> None:
    """When you can take shifts: weekly windows (none at all means any time), and preferred times.

    Claims, the assignment picker, cover requests and auto-fill follow them; a coordinator
    may override with --force (audited).

    \b
    Example:
      warmline availability set MO 17:00-21:00 WE,FR 09:00-13:00
    """


@availability_group.command("set")
@click.argument("windows", nargs=-1, required=True, metavar="DAYS HH:MM-HH:MM ...")
@click.option("--person", metavar="H", help="Someone else's (coordinators).")
@click.option("--preferred", is_flag=True, help="Set preferred windows (used by auto-fill) instead.")
@json_option
@pass_ctx
def availability_set(c: Context, windows, person, preferred, as_json) -> None:
    """Replace your weekly windows: days, then one or more local time ranges.

    Days are MO TU WE TH FR SA SU, lists like MO,WE, weekdays, weekends or daily. A range
    ending earlier than it starts runs past midnight (22:00-06:00); 00:00-00:00 is all day.

    \b
    Examples:
      warmline availability set MO 17:00-21:00 WE,FR 09:00-13:00
      warmline availability set --preferred weekends 10:00-16:00
      warmline availability set --person sam daily 22:00-06:00
    """
    from . import availability

    kind = "preferred" if preferred else "available"
    change = availability.set_windows(c.db(), c.actor(), person, availability.parse_windows(windows, kind=kind), kind=kind)
    _change_out(c, change, as_json, f"Set {kind} windows for {change.availability.handle}.")


@availability_group.command("clear")
@click.option("--person", metavar="H", help="Someone else's (coordinators).")
@click.option("--preferred", is_flag=True, help="Clear the preferred windows instead.")
@click.option("--all", "both", is_flag=True, help="Clear available and preferred windows.")
@json_option
@pass_ctx
def availability_clear(c: Context, person, preferred, both, as_json) -> None:
    """Clear your available windows: you are then available at any time.

    \b
    Example:
      warmline availability clear --preferred
    """
    from . import availability

    if preferred and both:
        raise click.UsageError("give --preferred or --all, not both")
    kind = None if both else "preferred" if preferred else "available"
    change = availability.clear(c.db(), c.actor(), person, kind=kind)
    _change_out(c, change, as_json, f"Cleared {'all' if both else kind} windows for {change.availability.handle}.")


@availability_group.command("list")
@click.option("--person", metavar="H", help="Someone else's (coordinators).")
@click.option("--all", "everyone", is_flag=True, help="Everyone's (coordinators).")
@json_option
@pass_ctx
def availability_list(c: Context, person, everyone, as_json) -> None:
    """Show your windows and upcoming time off (or someone's, or everyone's, for coordinators).

    \b
    Example:
      warmline availability list --all --json
    """
    from . import availability

    if person and everyone:
        raise click.UsageError("give --person or --all, not both")
    conn = c.db().conn
    found = availability.everyone(conn, c.actor()) if everyone else [availability.of(conn, c.actor(), person)]
    if as_json:
        emit([availability_json(a) for a in found])
        return
    for a in found:
        _print_availability(a)


@cli.group("timeoff")
def timeoff_group() -> None:
    """Days off (local days, both inclusive): nobody can put you on a shift then without --force.

    \b
    Example:
      warmline timeoff add 2026-12-24 2026-12-26
    """


@timeoff_group.command("add")
@click.argument("first")
@click.argument("last", required=False)
@click.option("--person", metavar="H", help="Someone else's (coordinators).")
@json_option
@pass_ctx
def timeoff_add(c: Context, first, last, person, as_json) -> None:
    """Add time off from FIRST to LAST (YYYY-MM-DD; LAST defaults to FIRST).

    Shifts you are already on in that time stay yours until you drop them; they are listed.

    \b
    Examples:
      warmline timeoff add 2026-12-24 2026-12-26
      warmline timeoff add --person sam 2026-12-01
    """
    from . import availability
    from .times import parse_day

    first_day = parse_day(first, what="FIRST")
    last_day = parse_day(last, what="LAST") if last else first_day
    change = availability.add_time_off(c.db(), c.actor(), person, first_day, last_day)
    _change_out(c, change, as_json, f"Added time off {change.time_off.id} for {change.time_off.handle}: {change.time_off.describe()}.")


@timeoff_group.command("list")
@click.option("--person", metavar="H", help="Someone else's (coordinators; without it coordinators see everyone's).")
@click.option("--past", is_flag=True, help="Include time off that has ended.")
@json_option
@pass_ctx
def timeoff_list(c: Context, person, past, as_json) -> None:
    """List upcoming time off: your own, or for coordinators everyone's.

    \b
    Example:
      warmline timeoff list --json
    """
    from . import availability

    found = availability.time_off(c.db().conn, c.actor(), person, include_past=past)
    if as_json:
        emit([time_off_json(t) for t in found])
        return
    if not found:
        echo("No time off.")
    for t in found:
        echo(f"{t.id:>5}  {t.handle:<16} {t.describe()}  ({t.days} day{'' if t.days == 1 else 's'})")


@timeoff_group.command("remove")
@click.argument("time_off_id", type=int)
@json_option
@pass_ctx
def timeoff_remove(c: Context, time_off_id: int, as_json: bool) -> None:
    """Remove one entry of time off (yours, or anyone's for coordinators).

    \b
    Example:
      warmline timeoff remove 3
    """
    from . import availability

    entry = availability.remove_time_off(c.db(), c.actor(), time_off_id)
    if as_json:
        emit(time_off_json(entry) | {"removed": True})
    else:
        echo(f"Removed time off {entry.id} ({entry.handle}: {entry.describe()}).")


def swap_json(s, tz) -> dict:
    from .times import local_iso

    return {
        "id": s.id, "status": s.status,
        "from": s.from_handle, "from_shift": s.from_shift_id, "from_start": local_iso(s.from_start, tz),
        "from_end": local_iso(s.from_end, tz),
        "to": s.to_handle, "to_shift": s.to_shift_id, "to_start": local_iso(s.to_start, tz), "to_end": local_iso(s.to_end, tz),
        "created_at": local_iso(s.created_at, tz), "decided_at": local_iso(s.decided_at, tz) if s.decided_at else None,
        "approved_by": s.approved_by, "waiting_for": s.waiting_for or None,
    }


def _swap_line(s, tz) -> str:
    give = f"#{s.from_shift_id} {_day_label(s.from_start, tz)}–{s.from_end.astimezone(tz):%H:%M}"
    take = f"#{s.to_shift_id} {_day_label(s.to_start, tz)}–{s.to_end.astimezone(tz):%H:%M}"
    waiting = f"  (waiting for {s.waiting_for})" if s.waiting_for else ""
    return f"{s.id:>5}  {s.status:<9} {s.from_handle} gives {give} for {s.to_handle}'s {take}{waiting}"


def _swap_out(c: Context, s, as_json: bool, text: str) -> None:
    if as_json:
        emit(swap_json(s, c.tz()))
    else:
        echo(text)


@cli.group("swap")
def swap_group() -> None:
    """Swap shifts: I take yours, you take mine, every rule checked for both of us in one step.

    \b
    Example:
      warmline swap propose 12 15 kim
    """


@swap_group.command("propose")
@click.argument("my_shift", type=int)
@click.argument("their_shift", type=int)
@click.argument("handle")
@json_option
@pass_ctx
def swap_propose(c: Context, my_shift: int, their_shift: int, handle: str, as_json: bool) -> None:
    """Offer your shift MY_SHIFT for HANDLE's shift THEIR_SHIFT.

    \b
    Example:
      warmline swap propose 12 15 kim
    """
    from . import swaps

    s = swaps.propose(c.db(), c.actor(), my_shift, their_shift, handle)
    _swap_out(c, s, as_json, f"Proposed swap {s.id}: {s.to_handle} can accept it with `warmline swap accept {s.id}`.")


def _swap_action(name: str, verb: str, help_text: str, example: str):
    @swap_group.command(name, help=f"{help_text}\n\n\b\nExample:\n  warmline swap {name} {example}")
    @click.argument("swap_id", type=int)
    @json_option
    @pass_ctx
    def command(c: Context, swap_id: int, as_json: bool) -> None:
        from . import swaps

        s = getattr(swaps, verb)(c.db(), c.actor(), swap_id)
        if s.status == "accepted":
            text = f"Accepted swap {s.id}; it waits for a coordinator's approval (`warmline swap approve {s.id}`)."
        elif s.status == "done":
            text = f"Swap {s.id} is done: {s.from_handle} is on #{s.to_shift_id}, {s.to_handle} on #{s.from_shift_id}."
        else:
            text = f"Swap {s.id} is {s.status}."
        _swap_out(c, s, as_json, text)

    command.__name__ = f"swap_{name}"
    return command


_swap_action("accept", "accept", "Accept a swap offered to you (done at once, or after a coordinator approves).", "3")
_swap_action("decline", "decline", "Decline a swap offered to you.", "3")
_swap_action("withdraw", "withdraw", "Withdraw a swap you proposed.", "3")
_swap_action("approve", "approve", "Approve an accepted swap and do it (coordinators, when the line needs approval).", "3")
_swap_action("refuse", "refuse", "Refuse a proposed or accepted swap (coordinators).", "3")


@swap_group.command("list")
@click.option("--open", "open_only", is_flag=True, help="Only swaps still proposed or waiting for approval.")
@json_option
@pass_ctx
def swap_list(c: Context, open_only: bool, as_json: bool) -> None:
    """List swaps, newest first: yours, or everyone's for coordinators.

    \b
    Example:
      warmline swap list --open --json
    """
    from . import swaps

    tz = c.tz()
    found = swaps.swaps(c.db().conn, c.actor(), open_only=open_only)
    if as_json:
        emit([swap_json(s, tz) for s in found])
        return
    if not found:
        echo("No swaps.")
    for s in found:
        echo(_swap_line(s, tz))


# ---------------------------------------------------------------- triads (issue 16, "5 of 6")


def _meeting_text(m, tz) -> str:
    narrator = f" · {m.narrator} narrates" if m.narrator else ""
    return f"{_day_label(m.start_utc, tz)}–{m.end_utc.astimezone(tz):%H:%M}{narrator}"


@cli.group("triad")
def triad_group() -> None:
    """Triads: three peers (sometimes four) who meet regularly to support each other.

    Joining is your own choice; coordinators form the triads and their meetings. Nothing
    said in a triad is recorded: warmline keeps only that a meeting is scheduled.

    \b
    Example:
      warmline triad join
    """


@triad_group.command("join")
@pass_ctx
def triad_join(c: Context) -> None:
    """Opt in to a triad (for yourself): the next `triad form` may place you in one.

    \b
    Example:
      warmline --as kim triad join
    """
    from . import triads

    if triads.join(c.db(), c.actor()):
        echo("You have opted in to triads: a coordinator places you in one at the next `warmline triad form`.")
    else:
        echo("You were already opted in to triads.")


@triad_group.command("leave")
@pass_ctx
def triad_leave(c: Context) -> None:
    """Opt out of triads (for yourself), and leave your triad if you are in one.

    \b
    Example:
      warmline --as kim triad leave
    """
    from . import triads

    said = triads.leave(c.db(), c.actor())
    echo(said[0].upper() + said[1:] + ".")


@triad_group.command("form")
@click.option("--from", "start", metavar="DATE", help="The first day a meeting may be on (default: today).")
@click.option("--apply", "do_apply", is_flag=True, help="Write the proposal (exactly the preview) in one audited transaction.")
@json_option
@pass_ctx
def triad_form(c: Context, start: str | None, do_apply: bool, as_json: bool) -> None:
    """Group the people who opted in into triads, each with a weekly or fortnightly meeting (coordinators).

    Groups of three (one or two groups of four when the count does not divide by three;
    never one or two alone: with 1, 2 or 5 waiting none is formed). Each meeting is an hour
    all members are available, clear of their shifts over the line's horizon. Without
    --apply nothing is written.

    \b
    Examples:
      warmline triad form --from 2026-12-07
      warmline triad form --from 2026-12-07 --apply --json
    """
    from . import triads

    db = c.db()
    proposal = triads.propose(db.conn, c.actor(), triads.parse_from(start))
    made: list[int] = []
    if do_apply and proposal.triads:
        made = triads.apply(db, c.actor(), proposal)
    if as_json:
        emit({**proposal.as_json(), "applied": bool(made), "triad_ids": made})
        return
    echo(
        f"Triads from {proposal.first_day:%a %d %b} to {proposal.last_day:%a %d %b %Y}: "
        f"{proposal.considered} opted in and not yet in a triad; {len(proposal.triads)} proposed"
    )
    for t in proposal.triads:
        echo(
            f"+ {', '.join(t.handles)}: {t.rule}, {triads.DAY_NAMES[t.weekday]} {t.start_time}–{t.end_time}"
            f" (first {t.first[:16].replace('T', ' ')}, {len(t.meetings)} meetings)"
        )
    for handle, why in proposal.left_out:
        echo(f"  not placed: {handle} — {why}")
    if proposal.note:
        echo(proposal.note)
    if made:
        echo(f"Applied: triads {', '.join(str(i) for i in made)} written with their meetings.")
    elif proposal.triads:
        echo(f"Nothing written: run again with --apply to form these {len(proposal.triads)} triads.")


@triad_group.command("list")
@json_option
@pass_ctx
def triad_list(c: Context, as_json: bool) -> None:
    """Triads with their members, next meeting and whose turn it is to narrate (yours; coordinators: all).

    \b
    Example:
      warmline triad list --json
    """
    from . import triads

    actor = c.actor()
    found = triads.listing(c.db().conn, actor)
    if as_json:
        emit([triads.triad_json(t, actor) for t in found])
        return
    if not found:
        echo("No triads." if actor.is_coordinator else "You are not in a triad.")
    tz = c.tz()
    for t in found:
        order = " → ".join(m.handle for m in t.members)
        echo(f"Triad {t.id}: {order} ({t.when()})")
        echo(f"  next: {_meeting_text(t.next_meeting, tz)}" if t.next_meeting else "  next: no meeting scheduled")


@triad_group.command("swap-turn")
@click.argument("handle")
@pass_ctx
def triad_swap_turn(c: Context, handle: str) -> None:
    """Swap your next turn as narrator with HANDLE's next turn (both of you in one triad).

    \b
    Example:
      warmline --as kim triad swap-turn sam
    """
    from . import triads

    mine, theirs = triads.swap_turn(c.db(), c.actor(), handle)
    tz = c.tz()
    echo(f"Swapped: you narrate {_meeting_text(mine, tz)}; {theirs.narrator} narrates {_meeting_text(theirs, tz)}.")


@cli.group("line")
def line_group() -> None:
    """The line's settings (coordinators change them).

    \b
    Example:
      warmline line set --swaps-need-approval yes
    """


@line_group.command("set")
@click.option("--swaps-need-approval", "approval", type=click.Choice(["yes", "no"]), required=True,
              help="Whether a coordinator must approve a swap after the other person accepts it.")
@json_option
@pass_ctx
def line_set(c: Context, approval: str, as_json: bool) -> None:
    """Change a line setting (coordinators).

    \b
    Example:
      warmline line set --swaps-need-approval yes
    """
    from . import swaps

    required = swaps.set_need_approval(c.db(), c.actor(), approval == "yes")
    if as_json:
        emit({"swaps_need_approval": required})
    else:
        echo(f"Swaps {'now need' if required else 'no longer need'} a coordinator's approval.")


def _week_range(c: Context, start: str | None, finish: str | None, *, default_days: int):
    """--from/--to as UTC bounds; --from defaults to this week's Monday."""
    from datetime import timedelta

    from .clock import now
    from .times import day_range

    tz = c.tz()
    if start is None:
        today = now().astimezone(tz).date()
        start = (today - timedelta(days=today.weekday())).isoformat()
    return day_range(tz, now(), start, finish, default_days=default_days)


def load_json(report, tz) -> dict:
    from .times import local_iso

    def person(p) -> dict:
        return {
            "handle": p.handle, "name": p.name, "role": p.role, "active": p.active,
            "limits": {"max_hours_week": p.limits.max_hours_week, "max_shifts_week": p.limits.max_shifts_week,
                       "min_rest_hours": p.limits.min_rest_hours, "max_overnights_month": p.limits.max_overnights_month},
            "hours_week": round(p.hours_week, 4), "shifts_week": p.shifts_week, "hours_month": round(p.hours_month, 4),
            "overnights_month": p.overnights_month, "hours": round(p.hours, 4), "shifts": p.shifts,
            "overnights": p.overnights, "streak": p.streak, "level": p.level or None,
            "weeks": [{"week": w.week.isoformat(), "hours": round(w.hours, 4), "shifts": w.shifts} for w in p.weeks],
        }

    spread = report.spread
    return {
        "from": local_iso(report.start, tz), "to": local_iso(report.end, tz),
        "week": report.week.isoformat(), "month": report.month.isoformat()[:7],
        "people": [person(p) for p in report.people],
        "flags": [
            {"handle": f.handle, "rule": f.rule, "level": f.level, "period": f.period.isoformat(), "value": round(f.value, 4),
             "limit": f.limit, "message": f.message}
            for f in report.flags
        ],
        "spread": None if spread is None else {
            "people": spread.people, "total_hours": round(spread.total_hours, 4), "mean_hours": round(spread.mean_hours, 4),
            "max_hours": round(spread.max_hours, 4), "min_hours": round(spread.min_hours, 4),
            "max_handles": list(spread.max_handles), "min_handles": list(spread.min_handles), "gini": round(spread.gini, 4),
        },
    }


@cli.command("load")
@click.option("--from", "start", metavar="D", help="First day (default: this week's Monday).")
@click.option("--to", "finish", metavar="D", help="Last day, inclusive (default: four weeks on).")
@json_option
@pass_ctx
def load_cmd(c: Context, start, finish, as_json) -> None:
    """Who works how much: this week and month, the range, streaks, limits near or over, and the spread.

    Coordinators see everyone; volunteers see only themselves.

    \b
    Examples:
      warmline load
      warmline load --from 2026-11-01 --to 2026-11-30 --json
    """
    from datetime import timedelta

    from .fairness import level_word, load

    tz = c.tz()
    lo, hi = _week_range(c, start, finish, default_days=28)
    report = load(c.db().conn, lo, hi, viewer=c.actor())
    if as_json:
        emit(load_json(report, tz))
        return
    last = hi.astimezone(tz) - timedelta(seconds=1)
    echo(f"Load {lo.astimezone(tz):%a %d %b} – {last:%a %d %b %Y}; this week from {report.week:%d %b}, this month {report.month:%B}")
    echo(f"{'handle':<16} {'week h':>11} {'month h':>8} {'nights':>6} {'range h':>8} {'shifts':>6} {'streak':>6}  flags")
    for p in report.people:
        flags = "; ".join(f"{level_word(f.level)} {f.rule} ({f.period.isoformat()})" for f in p.flags)
        echo(
            f"{p.handle:<16} {p.hours_week:>5.1f}/{p.limits.max_hours_week:<5g} {p.hours_month:>8.1f} "
            f"{p.overnights_month:>6} {p.hours:>8.1f} {p.shifts:>6} {p.streak:>6}  {flags}"
        )
    s = report.spread
    if s is not None and s.people:
        echo(
            f"Spread over {s.people} active volunteers: most {s.max_hours:.1f} h ({', '.join(s.max_handles[:3])}), "
            f"fewest {s.min_hours:.1f} h ({len(s.min_handles)} {'person' if len(s.min_handles) == 1 else 'people'}), "
            f"mean {s.mean_hours:.1f} h, Gini {s.gini:.2f}"
        )


def autofill_json(proposal, tz, applied: bool) -> dict:
    from .times import local_iso

    score = proposal.score
    return {
        "from": local_iso(proposal.start, tz), "to": local_iso(proposal.end, tz),
        "engine": proposal.engine, "requested": proposal.requested, "notice": proposal.notice or None,
        "optimal": proposal.optimal, "seconds": round(proposal.seconds, 3), "applied": applied,
        "open_seats": proposal.seats_open,
        "placements": [
            {"shift_id": p.shift_id, "start": local_iso(p.start, tz), "end": local_iso(p.end, tz), "handle": p.handle,
             "role": p.role, "preferred": p.preferred, "goals": list(p.goals), "needs": list(p.needs)}
            for p in proposal.placements
        ],
        "left_open": [
            {"shift_id": o.shift_id, "start": local_iso(o.start, tz), "end": local_iso(o.end, tz), "role": o.role,
             "count": o.count, "eligible": o.eligible, "reason": o.reason}
            for o in proposal.left_open
        ],
        "score": {"seats": score.seats, "goals": score.goals, "demand": score.demand,
                  "seat_hours": score.seat_hours, "fairness": score.fairness, "preferred": score.preferred},
        "gini_before": round(proposal.gini_before, 4), "gini_after": round(proposal.gini_after, 4),
    }


@cli.command("autofill")
@click.option("--from", "start", metavar="D", help="First day or time (default: today).")
@click.option("--to", "finish", metavar="D", help="Last day, inclusive (default: a week on).")
@click.option("--apply", "do_apply", is_flag=True, help="Write the proposal in one audited transaction (all or nothing).")
@click.option("--engine", type=click.Choice(["auto", "greedy", "cpsat"]), default="auto", show_default=True,
              help="cpsat needs `pip install 'warmline[solver]'`; auto uses it when installed.")
@click.option("--time-limit", type=click.FloatRange(min=0.1, max=3600), default=30.0, show_default=True, metavar="S",
              help="Seconds the solver may take.")
@json_option
@pass_ctx
def autofill_cmd(c: Context, start, finish, do_apply, engine, time_limit, as_json) -> None:
    """Propose people for the empty seats of future shifts, keeping every rule (coordinators).

    Every hard rule holds (availability, time off, overlap, rest, weekly and monthly limits,
    seats); then, in order: most seats filled, coverage goals and callers' demanded needs,
    hours shared fairly by each person's limit, and people's preferred times. Without
    --apply nothing is written.

    \b
    Examples:
      warmline autofill --from 2026-11-23 --to 2026-12-06
      warmline autofill --apply --engine greedy --json
    """
    from datetime import timedelta

    from . import autofill, rota
    from .clock import now
    from .times import day_range

    tz = c.tz()
    lo, hi = day_range(tz, now(), start, finish)
    rota.extend_horizon(c.db())

    def progress(message: str) -> None:
        echo(message, err=True)

    proposal = autofill.propose(
        c.db().conn, c.actor(), lo, hi, engine=engine, time_limit=time_limit, progress=None if as_json else progress
    )
    if proposal.notice and not as_json:
        echo(proposal.notice, err=True)
    applied = False
    if do_apply and proposal.placements:
        autofill.apply(c.db(), c.actor(), proposal)
        applied = True
    if as_json:
        emit(autofill_json(proposal, tz, applied))
        return
    last = hi.astimezone(tz) - timedelta(seconds=1)
    how = "CP-SAT" + (", optimal" if proposal.optimal else "") if proposal.engine == "cpsat" else "built-in heuristic"
    echo(
        f"Auto-fill {lo.astimezone(tz):%a %d %b} – {last:%a %d %b %Y}: {proposal.seats_open} open seats; "
        f"{len(proposal.placements)} proposed ({how}, {proposal.seconds:.1f} s)"
    )
    for p in proposal.placements:
        notes = [f"goal: {', '.join(p.goals)}"] if p.goals else []
        if p.needs:
            notes.append(f"offers: {', '.join(p.needs)}")
        if p.preferred:
            notes.append("preferred time")
        extra = f"  [{'; '.join(notes)}]" if notes else ""
        echo(f"+ {_day_label(p.start, tz)}–{p.end.astimezone(tz):%H:%M} #{p.shift_id}  {p.handle} ({p.role}){extra}")
    if proposal.left_open:
        echo("Left open:")
        for o in proposal.left_open:
            count = f" ×{o.count}" if o.count > 1 else ""
            echo(f"  {_day_label(o.start, tz)}–{o.end.astimezone(tz):%H:%M} #{o.shift_id}  {o.role}{count} — {o.reason}")
    s = proposal.score
    echo(
        f"Objective: {s.seats} seats ({s.seat_hours:g} h), {s.goals} towards coverage goals, "
        f"{s.demand} demand (expected calls of needs newly offered), {s.preferred} at preferred times; "
        f"hours spread (Gini) {proposal.gini_before:.2f} → {proposal.gini_after:.2f}"
    )
    if applied:
        echo(f"Applied: {len(proposal.placements)} assignments written in one audited transaction.")
    elif proposal.placements:
        echo(f"Nothing written: run again with --apply to make these {len(proposal.placements)} assignments.")


# ---------------------------------------------------------------- handoffs and notifications (issue "4 of 7")
# (handoff and notify commands go here)


def note_json(n, tz, viewer, moment) -> dict:
    from .times import local_iso

    mine = n.reader(viewer.id)
    return {
        "id": n.id,
        "shift_id": n.shift_id,
        "author": n.author_handle,
        "written_at": local_iso(n.created_at, tz),
        "next_shift_ids": list(n.next_shift_ids),
        "change_at": local_iso(n.change_at, tz) if n.change_at else None,
        "note": n.body,
        "readers": [
            {"handle": r.handle, "role": r.role, "acked_at": local_iso(r.acked_at, tz) if r.acked_at else None}
            for r in n.readers
        ],
        "unacked": [r.handle for r in n.unacked],
        "for_me": mine is not None,
        "acked": bool(mine and mine.acked_at),
        "overdue": n.overdue(moment),
    }


@cli.group()
def handoff() -> None:
    """Handoff notes from one shift to the next: write, read, acknowledge.

    Notes are screened: one that looks like it holds a phone number or an e-mail
    address is refused (callers are anonymous). The people on the next shift see
    it and acknowledge it; coordinators see notes not acknowledged 15 minutes
    after the change.

    \b
    Example:
      warmline handoff write 12 --note "Busy evening; two callers asked about housing."
    """


@handoff.command("write")
@click.argument("shift_id", type=int)
@click.option("--note", "text", required=True, metavar="TEXT", help="The note, up to 1000 characters ('-' reads it from stdin).")
@json_option
@pass_ctx
def handoff_write(c: Context, shift_id: int, text: str, as_json: bool) -> None:
    """Leave a note on your shift for the next one (people on the shift, or coordinators).

    \b
    Example:
      warmline handoff write 12 --note "Quiet night. Call 988 card is by the phone."
    """
    from . import handoff as notes
    from .clock import now

    if text == "-":
        text = sys.stdin.read()
    note = notes.write_note(c.db(), c.actor(), shift_id, text)
    if as_json:
        emit(note_json(note, c.tz(), c.actor(), now()))
    elif note.next_shift_ids:
        readers = ", ".join(r.handle for r in note.readers) or "nobody yet"
        echo(f"Left note {note.id} on shift {note.shift_id} for {note.next_label} (for {readers}).")
    else:
        echo(
            f"Left note {note.id} on shift {note.shift_id}; no shift starts within 24 h of its end yet, "
            "so it waits for whoever is put on the next one."
        )


@handoff.command("list")
@click.option("--unread", is_flag=True, help="Only notes you have not acknowledged.")
@json_option
@pass_ctx
def handoff_list(c: Context, unread: bool, as_json: bool) -> None:
    """Handoff notes for you from the last 7 days (coordinators: every note, and which are not acknowledged).

    \b
    Example:
      warmline handoff list --unread
    """
    from . import handoff as notes
    from .clock import now

    actor = c.actor()
    tz = c.tz()
    moment = now()
    found = notes.list_notes(c.db().conn, actor, unread_only=unread, moment=moment)
    if as_json:
        emit([note_json(n, tz, actor, moment) for n in found])
        return
    if not found:
        echo("No unread handoff notes for you." if unread else "No handoff notes for you in the last 7 days.")
        return
    for n in found:
        mine = n.reader(actor.id)
        if mine is not None:
            status = f"acknowledged {mine.acked_at.astimezone(tz):%a %H:%M}" if mine.acked_at else "unread: `warmline handoff ack " + str(n.id) + "`"
        elif n.author_id == actor.id:
            status = "written by you"
        else:
            status = ""
        target = f"for {n.next_label}" if n.next_shift_ids else "no next shift yet"
        echo(f"#{n.id}  shift {n.shift_id} → {target}  · from {n.author_name} at {n.created_at.astimezone(tz):%a %H:%M}"
                   + (f"  · {status}" if status else ""))
        for line in n.body.splitlines() or [""]:
            echo(f"    {line}")
        if actor.is_coordinator or n.author_id == actor.id:
            waiting = ", ".join(r.handle for r in n.unacked)
            if n.overdue(moment):
                echo(f"    NOT ACKNOWLEDGED 15 min after the change by: {waiting}")
            elif waiting:
                echo(f"    waiting for: {waiting}")
            elif n.readers:
                echo("    acknowledged by everyone on the next shift")


@handoff.command("ack")
@click.argument("note_id", type=int)
@json_option
@pass_ctx
def handoff_ack(c: Context, note_id: int, as_json: bool) -> None:
    """Acknowledge a handoff note for your shift.

    \b
    Example:
      warmline handoff ack 7
    """
    from . import handoff as notes
    from .clock import now

    actor = c.actor()
    before = None
    try:
        before = notes.get_note(c.db().conn, note_id).reader(actor.id)
    except Exception:  # noqa: BLE001 - ack() below gives the real refusal
        pass
    note = notes.ack(c.db(), actor, note_id)
    if as_json:
        emit(note_json(note, c.tz(), actor, now()))
    elif before is not None and before.acked_at is not None:
        echo(f"You had already acknowledged note {note.id}.")
    else:
        echo(f"Acknowledged note {note.id}.")


@cli.group("notify", invoke_without_command=True)
@click.option("--once", is_flag=True, help="Refresh, send what is due to you now, and exit.")
@click.option("--daemon", is_flag=True, help="Keep delivering until SIGTERM or Ctrl-C.")
@click.option("--interval", type=click.IntRange(1, 3600), default=30, show_default=True, metavar="S",
              help="Seconds between rounds with --daemon.")
@click.option("--remote", metavar="DEST", help="Show here your notifications from the rota on DEST, over ssh (your key).")
@click.option("--push-all", is_flag=True,
              help="On the host: deliver everyone's due notifications to their push destinations (coordinators).")
@json_option
@click.pass_context
def notify_cmd(
    ctx: click.Context, once: bool, daemon: bool, interval: int, remote: str | None, push_all: bool, as_json: bool
) -> None:
    """Deliver your notifications: reminders, handoffs, notes waiting, changes, cover requests.

    Delivers only your own (the OS user's person, or --as): a desktop belongs to one
    person. Each line says what was sent where, or why not ("desktop unavailable: …";
    such a notification is failed and shown in the app instead). Exits 0 when the run
    finished, even if some could not be shown. See `notify settings` for channels,
    reminder lead times, quiet hours and push destinations.

    With --push-all (the host's loop, run by a coordinator) it delivers instead each
    person's notifications to their own push destinations (`notify settings --push`),
    with the same retries and backoff; it needs `pip install 'warmline[push]'`.

    \b
    Examples:
      warmline notify --once
      warmline notify --daemon --interval 30
      warmline notify --daemon --push-all
      warmline notify --daemon --remote ana@rota.example.org
      warmline notify settings --channels desktop,app --lead 60,15 --quiet 22:00-07:00
    """
    if ctx.invoked_subcommand is not None:
        if once or daemon or remote is not None or push_all:
            raise click.UsageError("--once, --daemon, --remote and --push-all go without a subcommand")
        return
    if once == daemon:
        raise click.UsageError("give --once or --daemon (or a subcommand: settings, list, pull, confirm)")
    if push_all and remote is not None:
        raise click.UsageError("--push-all runs on the host: give it without --remote")
    if remote is not None:
        from .remote_cli import notify_remote

        notify_remote(remote, once, interval, as_json)  # nothing of this machine's rota is opened
        return
    c: Context = ctx.obj
    if once:
        _notify_once(c, as_json, push_all)
    else:
        _notify_daemon(c, interval, as_json, push_all)


def _push_whose(c: Context, push_all: bool) -> Callable[[Any], str]:
    """With --push-all, names whose notification an outcome is ("ana: "); else nothing."""
    if not push_all:
        return lambda o: ""
    from .people import get_by_id

    def whose(o) -> str:
        person = get_by_id(c.db().conn, o.notification.person_id)
        return f"{person.handle if person else '?'}: "

    return whose


def _notify_once(c: Context, as_json: bool, push_all: bool = False) -> None:
    from .notify.delivery import deliver_due, deliver_push_all

    actor = c.actor()
    tz = c.tz()
    outcomes = deliver_push_all(c.db(), actor) if push_all else deliver_due(c.db(), actor)
    whose = _push_whose(c, push_all)
    if as_json:
        emit([o.as_json(tz) for o in outcomes])
        return
    for o in outcomes:
        echo(whose(o) + o.describe(tz))
    if not outcomes:
        echo("Nothing due for anyone with a push destination." if push_all else f"Nothing due for {actor.handle}.")


def _notify_daemon(c: Context, interval: int, as_json: bool, push_all: bool = False) -> None:
    from .clock import now
    from .notify.delivery import run_daemon

    actor = c.actor()
    tz = c.tz()
    whose = _push_whose(c, push_all)
    if push_all and not actor.is_coordinator:
        from .errors import Refused

        raise Refused(f"only coordinators may deliver everyone's push notifications; {actor.handle} is a volunteer")

    def report(o) -> None:
        if as_json:
            from .text import json_dumps

            echo(json_dumps(o.as_json(tz), indent=None))
        else:
            echo(f"{now().astimezone(tz):%H:%M:%S} {whose(o)}{o.describe(tz)}")

    def warn(message: str) -> None:
        echo(f"warning: {message}", err=True)

    whom = "everyone's push" if push_all else f"{actor.handle}'s"
    echo(
        f"warmline notify: delivering {whom} notifications every {interval} s (stop with Ctrl-C or SIGTERM)",
        err=True,
    )
    why = run_daemon(c.db(), actor, interval=interval, report=report, warn=warn, push_all=push_all)
    echo(f"warmline notify: stopped ({why})", err=True)


def prefs_json(handle: str, prefs, push: list[str] | None = None) -> dict:
    return {
        "handle": handle,
        "channels": list(prefs.channels),
        "lead_minutes": list(prefs.leads),
        "quiet": "-".join(prefs.quiet) if prefs.quiet else None,
        "push": list(push or []),  # masked: the scheme and a number, never the URL
    }


@notify_cmd.command("settings")
@click.option("--person", metavar="H", help="Whose settings (default: yours; others need a coordinator).")
@click.option("--channels", metavar="LIST", help="Where to notify: any of desktop, terminal, app (comma-separated).")
@click.option("--lead", metavar="MINUTES", help="Reminder lead times in minutes (1 to 1440 each), e.g. 60,15; 'none' or 0 alone for no reminders.")
@click.option("--quiet", metavar="HH:MM-HH:MM", help="Quiet hours in the line's zone (only handoffs come through).")
@click.option("--no-quiet", is_flag=True, help="No quiet hours.")
@click.option("--push", "push_urls", metavar="URL", multiple=True,
              help="Add a push destination (an Apprise URL, or - to read it from standard input; repeatable; "
                   "your own only). Shown masked.")
@click.option("--no-push", is_flag=True, help="Remove all push destinations.")
@json_option
@pass_ctx
def notify_settings(c: Context, person, channels, lead, quiet, no_quiet, push_urls, no_push, as_json: bool) -> None:
    """Show or change how you are notified: channels, reminder lead times, quiet hours, push.

    Defaults: desktop and app; reminders 60 and 15 minutes before a shift; no quiet
    hours. During quiet hours everything except a handoff for your own shift waits
    until they end.

    Push destinations (`pip install 'warmline[push]'`) are Apprise URLs: ntfy, Gotify,
    Signal, Matrix, email, webhooks and more. Only you may add yours. A URL holds its
    service's token, so it is shown to everyone, coordinators too, only as its scheme
    and number: ntfys://*** (push 1). The host's `notify --daemon --push-all` sends
    through them.

    \b
    Examples:
      warmline notify settings --channels desktop,terminal,app --lead 30 --quiet 22:00-07:00
      warmline notify settings --push ntfys://ntfy.sh/a-long-random-topic
      warmline notify settings --push - < my-push-url.txt
      warmline notify settings --no-push
    """
    from .notify import outbox, push
    from .people import get as get_person

    actor = c.actor()
    target = get_person(c.db().conn, person) if person else actor
    if push_urls and no_push:
        from .errors import Invalid

        raise Invalid("give --push or --no-push, not both")
    if push_urls:
        push.refuse_adding_for_others(actor, target)
        # `--push -` reads the URL from standard input, so its token is not in the process list.
        urls = [click.get_text_stream("stdin").readline().rstrip("\r\n") if u == "-" else u for u in push_urls]
        push.add(c.db(), actor, urls)
    elif no_push:
        push.remove_all(c.db(), actor, target.handle)
    if channels is None and lead is None and quiet is None and not no_quiet:
        if target.id != actor.id:
            outbox.require_self_or_coordinator(actor, target)
        prefs = outbox.get_prefs(c.db().conn, target.id)
    else:
        prefs = outbox.set_prefs(
            c.db(),
            actor,
            target.handle,
            channels=outbox.parse_channels(channels) if channels is not None else None,
            leads=outbox.parse_leads(lead) if lead is not None else None,
            quiet=outbox.parse_quiet(quiet) if quiet is not None else None,
            clear_quiet=no_quiet,
        )
    pushes = push.masked(c.db().conn, target.id)
    if as_json:
        emit(prefs_json(target.handle, prefs, pushes))
        return
    leads = " and ".join(outbox.lead_text(m) for m in prefs.leads) or "none"
    echo(
        f"{target.handle}: channels {', '.join(prefs.channels)}; reminders {leads} before a shift; "
        f"quiet hours {'–'.join(prefs.quiet) if prefs.quiet else 'none'}; "
        f"push {', '.join(pushes) if pushes else 'none'}"
    )


@notify_cmd.command("list")
@click.option("--person", metavar="H", help="Whose notifications (default: yours; others need a coordinator).")
@click.option("--all", "include_old", is_flag=True, help="Include those due more than 7 days ago.")
@json_option
@pass_ctx
def notify_list(c: Context, person: str | None, include_old: bool, as_json: bool) -> None:
    """Your notifications and their state (pending, sent, failed and why, expired).

    \b
    Example:
      warmline notify list
    """
    from .notify import outbox
    from .people import get as get_person
    from .times import local_iso

    actor = c.actor()
    target = get_person(c.db().conn, person) if person else actor
    outbox.require_self_or_coordinator(actor, target)
    tz = c.tz()
    found = outbox.for_person(c.db().conn, target.id, include_old=include_old)
    if target.id != actor.id:  # who asked for a debrief is for the people asked, not a coordinator reading along
        from .debrief import private_view

        found = [private_view(n) for n in found]
    if as_json:
        emit(
            [
                {
                    "id": n.id,
                    "kind": n.kind,
                    "shift_id": n.shift_id,
                    "due": local_iso(n.due_utc, tz),
                    "title": n.title,
                    "body": n.body,
                    "state": n.state,
                    "attempts": n.attempts,
                    "channel": n.channel,
                    "last_error": n.last_error,
                    "shown_in_app": n.shown_in_app_at is not None,
                }
                for n in found
            ]
        )
        return
    if not found:
        echo(f"No notifications for {target.handle}.")
        return
    for n in found:
        line = f"#{n.id:<5} {n.due_utc.astimezone(tz):%a %d %b %H:%M}  {n.state:<8} {n.title}"
        if n.state in ("failed", "expired") and n.last_error:
            line += f"  ({n.last_error})"
        echo(line)


# Issue 14 (SSH keys, `warmline ssh`, notify pull/confirm/--remote): commands in their own module.
from .remote_cli import keys_group as _keys_group, notify_confirm as _notify_confirm  # noqa: E402
from .remote_cli import notify_pull as _notify_pull, ssh_cmd as _ssh_cmd  # noqa: E402

cli.add_command(_keys_group)
cli.add_command(_ssh_cmd)
notify_cmd.add_command(_notify_pull)
notify_cmd.add_command(_notify_confirm)

# Issue 16, part 2 (debriefs, `me export`, `people forget`): commands in their own module.
from .peer_cli import debrief_group as _debrief_group, me_group as _me_group  # noqa: E402
from .peer_cli import people_forget as _people_forget  # noqa: E402

cli.add_command(_debrief_group)
cli.add_command(_me_group)
people.add_command(_people_forget)


# ---------------------------------------------------------------- exchange, backup, serve, config (issue "6 of 7")
# (export, import, backup, restore, serve and config commands go here)


@cli.group("export")
def export_group() -> None:
    """Export calendars (iCalendar) and spreadsheets (CSV).

    \b
    Example:
      warmline export ics -o my-shifts.ics
    """


# Issue 17 (reports, the reporting copy): commands in their own module (click only; the core loads inside).
from .report_cli import export_sqlite as _export_sqlite, report_cmd as _report_cmd  # noqa: E402

cli.add_command(_report_cmd)
export_group.add_command(_export_sqlite)


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

    from . import rota
    from .exchange import ics

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

    from . import rota
    from .clock import now
    from .exchange import csvio
    from .times import day_range

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

    from .exchange import csvio

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

    from .exchange.backup import backup

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

    from .access import resolve_actor
    from .exchange.backup import restore

    if (src is None) == (replica is None):
        raise click.UsageError("give a backup file (SRC) or --from-replica DEST, one of them")
    if (at is not None or sftp_key is not None or sftp_host_key is not None) and replica is None:
        raise click.UsageError("--at, --sftp-key and --sftp-host-key go with --from-replica")
    c.close()  # restore opens the rota itself (and may find it too damaged to open)
    c._db = None

    def actor_for(db):
        return resolve_actor(db, c.as_handle, _passphrase_source)

    if replica is not None:
        from . import replicate

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
    from . import replicate

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


@cli.group("config")
def config_group() -> None:
    """This machine's settings file: where it is and what it says.

    \b
    Example:
      warmline config path
    """


@config_group.command("path")
def config_path_cmd() -> None:
    """Print the settings file's path ($WARMLINE_CONFIG, else the config directory).

    \b
    Example:
      warmline config path
    """
    from .config import path

    echo(str(path()))


@config_group.command("show")
@click.option("--example", is_flag=True, help="Print a commented example file instead.")
@json_option
def config_show_cmd(example: bool, as_json: bool) -> None:
    """Check the settings file and print the settings in effect.

    Settings: theme (a Textual theme), default_actor (a handle), notification_channels
    (any of desktop, terminal, app), and a [keys] table remapping the app's keys by
    action id (the app's help, ?, lists the ids). An unknown setting or a wrong value
    is an error.

    \b
    Examples:
      warmline config show
      warmline config show --example > ~/.config/warmline/config.toml
    """
    from .config import EXAMPLE, as_dict, load, path

    if example:
        echo(EXAMPLE, nl=False)
        return
    settings = as_dict(load())
    if as_json:
        emit(settings | {"path": str(path())})
        return
    from .text import json_dumps

    echo(f"# {path()}{'' if path().exists() else ' (not there: the defaults)'}")
    for key, value in settings.items():
        echo(f"{key} = {json_dumps(value, indent=None)}")


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback unless --public).")
@click.option("--port", type=int, default=8000, show_default=True, help="TCP port.")
@click.option("--public", is_flag=True, help="Allow a non-loopback --host (put TLS in a reverse proxy in front).")
@click.option("--public-url", metavar="URL", help="The URL browsers use, e.g. https://rota.example.org (behind a proxy).")
@click.option("--max-sessions", type=int, metavar="N",
              help="Browser sessions open at once (default: the serve_max_sessions setting, 20).")
@click.option("--max-signing-in", type=int, metavar="N",
              help="Of those, sessions not signed in yet (default: the serve_max_signing_in setting, 4).")
@click.option("--idle-minutes", type=float, metavar="M",
              help="Sign out a session unused this long (default: the serve_idle_minutes setting, 30).")
@pass_ctx
def serve_cmd(c: Context, host: str, port: int, public: bool, public_url: str | None, max_sessions: int | None,
              max_signing_in: int | None, idle_minutes: float | None) -> None:
    """Serve the app to web browsers (needs the extra: pip install 'warmline[web]').

    Each browser tab gets its own app, which opens on the sign-in screen: the person is
    whoever signs in, never the OS user running the server. Listens on 127.0.0.1 only,
    unless --public is given for another --host. Only pages from the served address (or
    --public-url) may open a session; sessions are capped, and idle ones signed out.

    \b
    Examples:
      warmline serve
      warmline serve --max-sessions 10 --idle-minutes 15
      warmline serve --host 0.0.0.0 --port 8000 --public --public-url https://rota.example.org
    """
    from .config import load
    from .serve import check_host, check_limits, check_port, check_public_url, public_warning, serve

    check_host(host, public)  # refuse before opening anything (and before warning about it)
    check_port(port)
    check_public_url(public_url)
    settings = load()
    max_sessions = settings.serve_max_sessions if max_sessions is None else max_sessions
    max_signing_in = settings.serve_max_signing_in if max_signing_in is None else max_signing_in
    idle_minutes = settings.serve_idle_minutes if idle_minutes is None else idle_minutes
    check_limits(max_sessions, max_signing_in, idle_minutes)
    path = c.db().path  # refuse a missing or foreign rota now, not in every browser tab
    title = c.line().name
    c.close()
    c._db = None
    if public:
        echo(public_warning(host, public_url), err=True)
    serve(path, host=host, port=port, public=public, public_url=public_url, title=title, max_sessions=max_sessions,
          max_signing_in=max_signing_in, idle_minutes=idle_minutes)


# ---------------------------------------------------------------- entry point


def main(argv: list[str] | None = None) -> None:
    """Run the CLI with warmline's exit codes and one-line errors."""
    code = run_guarded(lambda: cli.main(args=argv, prog_name="warmline", standalone_mode=False))
    sys.exit(code if isinstance(code, int) else 0)


def run_guarded(work: Callable[[], Any]) -> Any:
    """Run `work` and turn what it raises into warmline's exit codes and one-line errors
    (also used by warmline.launch, which opens the app without going through click)."""
    from .errors import WarmlineError

    try:
        return work()
    except click.MissingParameter as exc:
        # A BadParameter subclass, but a missing option or argument is a usage error: exit 2.
        _show_usage(exc)
        sys.exit(2)
    except click.BadParameter as exc:
        # A malformed value (a number that is not one) is invalid input: exit 1, one line.
        _fail(exc.format_message())
    except click.UsageError as exc:
        _show_usage(exc)
        sys.exit(2)
    except click.ClickException as exc:
        _fail(exc.format_message())
    except click.Abort:
        _fail("aborted: nothing was changed")
    except WarmlineError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        sys.exit(130)
    except OSError as exc:
        # A path the system refuses while it is looked at (a name too long, a loop of links, no permission).
        name = str(exc.filename or "")
        if len(name) > 80:
            name = f"{name[:40]}…{name[-30:]}"
        _fail(f"cannot use {name or 'a file'}: {exc.strerror or exc}")
    except Exception as exc:
        import sqlite3

        if isinstance(exc, sqlite3.Error):
            _fail(f"database error: {exc}: nothing was changed")
        raise


def _show_usage(exc: click.UsageError) -> None:
    """click's usage message, made safe: it may quote what was typed (an unknown option or command)."""
    import io

    buffer = io.StringIO()
    exc.show(file=buffer)
    click.echo(safe(buffer.getvalue(), multiline=True), err=True, nl=False)


def _fail(message: str) -> None:
    # The one place errors are printed: one line, and nothing in it acts on the terminal.
    click.echo("error: " + safe(" ".join(str(message).split())), err=True)
    sys.exit(1)


if __name__ == "__main__":
    main()
