"""`warmline tags`: the tags people offer and callers need (list, add)."""

from __future__ import annotations

import click

from ..session import Context
from ..text import safe
from .output import echo, emit, json_option, pass_ctx
from .root import cli


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
