"""`warmline tags`: the tags people offer and callers need (list, add), and consent to them (accept, decline, history)."""

from __future__ import annotations

import click

from ..session import Context
from ..text import safe
from .output import echo, emit, json_option, pass_ctx
from .root import cli


@cli.group()
def tags() -> None:
    """List the line's tags or add one; accept or decline a tag proposed to you, read your consent history.

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
    from ..tags import all_tags

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
    from ..tags import add

    tag = add(c.db(), c.actor(), tag_id=tag_id, label=label, family=family, aliases=aliases)
    if as_json:
        emit({"id": tag.id, "label": tag.label, "family": tag.family, "aliases": list(tag.aliases)})
    else:
        echo(f"Added tag {tag.id} ({tag.label}).")


@tags.command("accept")
@click.argument("tag")
@json_option
@pass_ctx
def tags_accept(c: Context, tag: str, as_json: bool) -> None:
    """Accept a tag a coordinator proposed to you: from now on it is used for matching.

    \b
    Example:
      warmline tags accept grief
    """
    from ..consent import accept

    done = accept(c.db(), c.actor(), tag)
    if as_json:
        emit({"id": done.id, "label": done.label, "state": "offered"})
    else:
        echo(f"Accepted {safe(done.label)}: it is used for matching from now on (pause it with `warmline people edit --pause`).")


@tags.command("decline")
@click.argument("tag")
@json_option
@pass_ctx
def tags_decline(c: Context, tag: str, as_json: bool) -> None:
    """Decline a tag a coordinator proposed to you: it leaves your profile and is never used.

    \b
    Example:
      warmline tags decline grief
    """
    from ..consent import decline

    done = decline(c.db(), c.actor(), tag)
    if as_json:
        emit({"id": done.id, "label": done.label, "state": "declined"})
    else:
        echo(f"Declined {safe(done.label)}: it is not on your profile and is never used for matching.")


@tags.command("history")
@click.argument("handle", required=False)
@json_option
@pass_ctx
def tags_history(c: Context, handle: str | None, as_json: bool) -> None:
    """Your consent history: every tag proposed, accepted, declined, offered, paused or removed, and when.

    Coordinators may name anyone; a volunteer reads only their own.

    \b
    Example:
      warmline tags history
      warmline tags history sam --json
    """
    from ..consent import history_of
    from ..views.consent import what_text, when_text
    from ..views.json_shapes import consent_json

    person, steps = history_of(c.db(), c.actor(), handle)
    tz = c.tz()
    if as_json:
        emit([consent_json(s, tz, person.handle) for s in steps])
        return
    if not steps:
        echo(f"No consent history for {safe(person.handle)}: no tag was proposed, offered or paused.")
        return
    for s in steps:
        echo(f"{when_text(s, tz)}  {safe(s.label)}: {safe(what_text(s, person.handle))}")
