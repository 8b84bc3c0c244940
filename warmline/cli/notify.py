"""`warmline notify`: deliver notifications, and their settings and list.

`notify pull|confirm` and `--remote` are in remote.py (pull and confirm are added at the end).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from ..session import Context
from ..views.json_shapes import prefs_json
from .output import echo, emit, json_option, pass_ctx
from .remote import notify_confirm, notify_pull
from .root import cli


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
        from .remote import notify_remote

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
    from ..people import get_by_id

    def whose(o) -> str:
        person = get_by_id(c.db().conn, o.notification.person_id)
        return f"{person.handle if person else '?'}: "

    return whose


def _notify_once(c: Context, as_json: bool, push_all: bool = False) -> None:
    from ..notify.delivery import deliver_due, deliver_push_all

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
    from ..clock import now
    from ..notify.delivery import run_daemon

    actor = c.actor()
    tz = c.tz()
    whose = _push_whose(c, push_all)
    if push_all and not actor.is_coordinator:
        from ..errors import Refused

        raise Refused(f"only coordinators may deliver everyone's push notifications; {actor.handle} is a volunteer")

    def report(o) -> None:
        if as_json:
            from ..text import json_dumps

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
    from ..notify import outbox, push
    from ..people import get as get_person

    actor = c.actor()
    target = get_person(c.db().conn, person) if person else actor
    if push_urls and no_push:
        from ..errors import Invalid

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
    from ..notify import outbox
    from ..people import get as get_person
    from ..times import local_iso

    actor = c.actor()
    target = get_person(c.db().conn, person) if person else actor
    outbox.require_self_or_coordinator(actor, target)
    tz = c.tz()
    found = outbox.for_person(c.db().conn, target.id, include_old=include_old)
    if target.id != actor.id:  # who asked for a debrief is for the people asked, not a coordinator reading along
        from ..debrief import private_view

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


notify_cmd.add_command(notify_pull)  # remote.py: the rota's host side of `notify --remote`
notify_cmd.add_command(notify_confirm)
