"""The core's messages in the app's words: `for_app` rewrites what a message says about the CLI.

The core's refusals and notifications are written for the command line ("see `warmline tags list`",
"If you can take it: warmline claim 26", "(a coordinator may override with --force)"), and the same
text reaches the app. Rather than give every raise site a second, app-facing hint (a hundred of
them, in modules the faces must not shape), the app rewrites the message where it shows it: the
screens' core calls (screens/base.py, `call_core`) and the in-app toasts (screens/in_app.py) pass
every message through `for_app` once. What the app has its own way to do is said in the app's
words (Edit, Active, Languages, Home); a pointer to a CLI listing is dropped, as the app shows the
list on screen; a tag is named by its label ("grief", not "grief (grief)"), a language never by its
id ("English", not "English (lang-en)").

tests/unit/test_app_text.py runs every CLI hint in the core's source through it.
"""

from __future__ import annotations

import re

# (pattern, replacement), in order: the specific first, then the generic ones.
_SPECIFIC: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r" ?\(a coordinator may override with --force\)", " (a coordinator may override it)"),
        (r"If you can take it: warmline claim \d+(?: --backup)?", "If you can take it: claim it on Home or the Rota"),
        (r"If you can talk now: warmline debrief accept \d+", "If you can talk now: accept it on Home"),
        (r"use `warmline people deactivate` to deactivate someone", "untick Active to deactivate someone"),
        (r"change its seats with `warmline shift edit [^`]*` instead", "change its seats with Edit instead"),
        (r"change it with `warmline series edit [^`]*` instead", "edit the whole series instead"),
        (r"reactivate them first \(`warmline people edit [^`]*`\)", "reactivate them first (tick Active)"),
        (r"deactivate them first \(`warmline people deactivate [^`]*`\)", "deactivate them first (untick Active)"),
        (r"languages are set with `warmline people edit --language`", "languages are set under Languages"),
        (r"run `warmline (autofill|triad form)` again", r"run \1 again"),
        (r"give --seats or --backup above 0", "give Seats or Backup above 0"),
        (r"give it with --language, not as a tag", "give it under Languages, not as a tag"),
        (r" \(an overnight shift ends the next day: --end [^)]*\)", " (an overnight shift ends the next day)"),
        (r"\(see `warmline [a-z]+ edit --help`\)", ""),
    )
)

_GENERIC: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r" ?See `warmline [^`]*`\.", ""),  # a sentence of its own: "See `warmline tags list`."
        (r" ?\((?:see )?`warmline [^`]*`[^)]*\)", ""),  # "(`warmline tags history`)"
        # "…: see `warmline tags list` for the tags this line uses" / "…, or see `…`" / "; see `…`"
        (r"(?:[:;,]| or| and)? ?(?:or )?[Ss]ee `warmline [^`]*`(?: for [^.;]*| shows it)?", ""),
        (r" with `warmline [^`]*`", ""),  # "ask a coordinator to add your login with `warmline people edit …`"
        (r"`warmline ([a-z]+)[^`]*`", r"\1"),  # anything left: the command's word alone, no backticks
    )
)

# "grief (grief)", "hearing voices (hearing-voices)", "English (lang-en)": a label and its id.
_LABEL_AND_ID = re.compile(r"(?P<label>[^\s,(][^,(:;]*?) \((?P<id>[a-z0-9]+(?:-[a-z0-9]+)*)\)")


def _slug(label: str) -> str:
    return re.sub(r"[\s_]+", "-", label.strip().casefold())


def _label_only(match: re.Match[str]) -> str:
    """The label alone when the parenthesis is its id (the last words of the label) or a language's id."""
    label, tag_id = match.group("label"), match.group("id")
    words = _slug(label).split("-")
    if tag_id.startswith("lang-") or "-".join(words[-(tag_id.count("-") + 1) :]) == tag_id:
        return label
    return match.group(0)


def for_app(message: str) -> str:
    """`message` (the core's, written for the CLI) as the app says it: no CLI commands, no tag ids."""
    text = message
    for pattern, replacement in _SPECIFIC:
        text = pattern.sub(replacement, text)
    for pattern, replacement in _GENERIC:
        text = pattern.sub(replacement, text)
    text = _LABEL_AND_ID.sub(_label_only, text)
    text = re.sub(r" {2,}", " ", text).strip()
    text = re.sub(r"[:;,]\s*$", "", text)  # a clause that only pointed to the CLI leaves nothing dangling
    return re.sub(r"\s+([.?!])$", r"\1", text)


__all__ = ["for_app"]
