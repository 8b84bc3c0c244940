"""`warmline people`: add, edit, list, show and deactivate people, and set a passphrase.

`people forget` is in peer.py (added to the people group at the end).
"""

from __future__ import annotations

import os
import sys

import click

from ..session import Context
from ..text import safe
from ..views.json_shapes import person_json
from .output import echo, emit, json_option, pass_ctx
from .peer import people_forget
from .root import cli


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
    """Add a person (coordinators). Their --tag tags are proposed: used once they accept them.

    \b
    Example:
      warmline people add sam --name "Sam R" --language es --tag grief --max-hours 12
    """
    from .. import people as svc

    person = svc.add(
        c.db(), c.actor(), handle=handle, name=name, role=role or "volunteer", login=login, pronouns=pronouns,
        languages=languages, tags=tags, paused_tags=paused_tags, max_hours_week=max_hours,
        max_shifts_week=max_shifts, min_rest_hours=min_rest, max_overnights_month=max_overnights,
    )
    if as_json:
        emit(person_json(person, svc.tags_of(c.db().conn, c.actor(), person), c.line(), viewer=c.actor()))
        return
    echo(f"Added {person.handle} ({person.name}, {person.role}).")
    if tags:  # a coordinator's tags for someone are proposals (issue 15): say so, without naming them
        proposed = sum(1 for _t, state in svc.tags_of(c.db().conn, c.actor(), person) if state == "proposed")
        what = "1 tag" if proposed == 1 else f"{proposed} tags"
        used = "it is used for matching once they accept it" if proposed == 1 else "each is used once they accept it"
        echo(f"{what} proposed to {person.handle}; {used} (`warmline tags accept`).")


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
    from .. import people as svc

    if tags or paused_tags:
        echo("note: --tag and --paused-tag on `people edit` are older names: use --offer and --pause", err=True)
    changes = svc.PersonChanges(
        name=name, role=role, login=login, pronouns=pronouns, languages=list(languages) if languages else None,
        max_hours_week=max_hours, max_shifts_week=max_shifts, min_rest_hours=min_rest,
        max_overnights_month=max_overnights, offer=tuple(offer) + tuple(tags),
        pause=tuple(pause) + tuple(paused_tags), remove_tags=tuple(remove_tag), active=True if activate else None,
    )
    from .. import rota

    only_restore = restore_shifts and changes == svc.PersonChanges(offer=(), pause=(), remove_tags=())
    proposing = bool(changes.offer) and not only_restore and c.actor().handle != handle
    before = dict(svc.tags_of(c.db().conn, c.actor(), svc.get(c.db().conn, handle))) if proposing else {}
    person = svc.get(c.db().conn, handle) if only_restore else svc.edit(c.db(), c.actor(), handle, changes)
    # A coordinator's offer for someone else is a proposal (issue 15): say so, without naming the tag.
    proposed = sum(
        1 for t, s in svc.tags_of(c.db().conn, c.actor(), person) if s == "proposed" and before.get(t) != "proposed"
    ) if proposing else 0
    if activate:
        from ..keys import sync_person

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
    if proposed:
        what = "1 tag" if proposed == 1 else f"{proposed} tags"
        used = "it is used for matching once they accept it" if proposed == 1 else "each is used once they accept it"
        echo(f"{what} proposed to {person.handle}; {used} (`warmline tags accept`).")
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
    from .. import people as svc

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
    from .. import people as svc

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
        proposed = [t for t, s in tags if s == "proposed"]
        echo(f"  offered: {', '.join(offered) or '-'}")
        echo(f"  paused: {', '.join(paused) or '-'}")
        if proposed:  # waiting for the person to accept or decline (`warmline tags accept|decline`)
            echo(f"  proposed: {', '.join(proposed)}")


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
    from .. import people as svc

    if not yes:
        count = svc.future_seats(c.db().conn, c.actor(), handle)
        what = f"deactivating {handle} releases them from {count} future shift{'s' if count != 1 else ''}"
        if not sys.stdin.isatty():
            raise click.ClickException(f"{what}: add --yes to confirm (no terminal to ask at); nothing was changed")
        if not click.confirm(what[0].upper() + what[1:] + ". Deactivate?", default=False, err=True):
            raise click.ClickException("not confirmed: nothing was changed")
    person, released = svc.deactivate(c.db(), c.actor(), handle)
    from ..keys import sync_person

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
    from .. import people as svc
    from ..errors import Invalid

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


people.add_command(people_forget)  # peer.py: with `me export`, people's own data
