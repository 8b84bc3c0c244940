"""views.app_text.for_app: the core's messages as the app shows them, without CLI commands or tag ids."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import warmline
from warmline.views.app_text import for_app

CORE = Path(warmline.__file__).parent
FACES = ("cli", "views")  # their own texts are the CLI's or already the app's


def literal_text(node: ast.AST) -> str | None:
    """A string literal's text; an f-string's with each placeholder read as 7."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant) else "7" for part in node.values)
    return None


def core_hints() -> list[str]:
    """Every string literal of the core (not a docstring or comment) that names a CLI command in backticks."""
    found = []
    for path in sorted(CORE.rglob("*.py")):
        if path.relative_to(CORE).parts[0] in FACES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
                if isinstance(node.body[0], ast.Expr):
                    skip.add(id(node.body[0].value))
            if isinstance(node, ast.JoinedStr):
                skip.update(id(part) for part in node.values)
        for node in ast.walk(tree):
            text = literal_text(node)
            if text is not None and id(node) not in skip and "`warmline " in text and not text.startswith("#"):
                found.append(text)
    return found


COMMAND = re.compile(r"\bwarmline (?:[a-z]+ )*(?:list|show|edit|claim|accept|add|remove|deactivate|history|ssh)\b")


def test_the_core_has_cli_hints_to_rewrite():
    assert len(core_hints()) > 30


@pytest.mark.parametrize("text", core_hints())
def test_no_cli_command_is_left_in_a_core_message(text):
    shown = for_app(f"something is wrong{text}" if text[:1] in ":;,() " else text)
    assert "`" not in shown and not COMMAND.search(shown), shown
    assert not shown.endswith((":", ";", ",", "(", " ")), shown


@pytest.mark.parametrize(
    ("core", "app"),
    [
        (
            "unknown tag 'grif': did you mean grief (grief), hearing voices (hearing-voices) or debt (debt)? "
            "See `warmline tags list`.",
            "unknown tag 'grif': did you mean grief, hearing voices or debt?",
        ),
        ("'en' is the language tag English (lang-en), not a tag. See `warmline tags list`.",
         "'en' is the language tag English, not a tag."),
        ("no tag given: name one, or see `warmline tags list` for the tags this line uses", "no tag given: name one"),
        ("there is no handoff note 5: see `warmline handoff list`", "there is no handoff note 5"),
        ("A peer seat is open on shift #26. If you can take it: warmline claim 26 --backup",
         "A peer seat is open on shift #26. If you can take it: claim it on Home or the Rota"),
        ("Ana asks for a debrief (now). If you can talk now: warmline debrief accept 4",
         "Ana asks for a debrief (now). If you can talk now: accept it on Home"),
        ("ben would work 6 h (a coordinator may override with --force)", "ben would work 6 h (a coordinator may override it)"),
        ("shift 3 already runs from A to B: change its seats with `warmline shift edit 3 --seats N --backup N` instead",
         "shift 3 already runs from A to B: change its seats with Edit instead"),
        ("a shift needs at least one seat (0 peer + 0 backup given): give --seats or --backup above 0",
         "a shift needs at least one seat (0 peer + 0 backup given): give Seats or Backup above 0"),
        ("Read and acknowledge it in warmline (`warmline handoff list`).", "Read and acknowledge it in warmline."),
    ],
)
def test_the_app_says_it_in_its_own_words(core, app):
    assert for_app(core) == app


def test_names_and_handles_are_kept():
    assert for_app("Saved Ana R. (ana-r).") == "Saved Ana R. (ana-r)."
    assert for_app("Peers (1 of 2): ana") == "Peers (1 of 2): ana"
    assert for_app("grief is paused") == "grief is paused"
    assert re.search(r"\bsam\b", for_app("sam is not on shift 4"))
