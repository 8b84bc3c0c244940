"""Lived-experience tags stay private: only a match result (and the person and coordinators) may show them.

Runs the installed `warmline` as real processes: the OS user is the coordinator (from
`warmline init`), volunteers act with `--as` and a passphrase. Every output a volunteer
sees, the whole audit log, and the errors of refused commands are searched for each tag
label and id the volunteers hold, offered or paused.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

PASSPHRASE = "correct horse battery"
# The tags the volunteers hold (offered and paused), by label and id.
HELD = {
    "grief": "grief",
    "housing insecurity": "housing-insecurity",
    "hearing voices": "hearing-voices",
    "leaving detox": "leaving-detox",
    "veteran": "veteran",
    "domestic abuse survived": "domestic-abuse-survived",
}
PAUSED = {"hearing voices", "veteran"}
TAG_WORDS = re.compile(
    "|".join(rf"\b{re.escape(word)}\b" for pair in HELD.items() for word in pair), re.IGNORECASE
)


def leaks(text: str) -> list[str]:
    return sorted({m.group(0).lower() for m in TAG_WORDS.finditer(text)})


@pytest.fixture(scope="module")
def rota(tmp_path_factory):
    """sam (on the shift now) and ria (backup now, peer tomorrow) hold tags; tom holds none and is off shift.

    Built once for the module: the tests after it only read, or run commands that are refused.
    """
    from conftest import CliRunner

    workdir = tmp_path_factory.mktemp("privacy")
    run_cli = CliRunner(workdir)
    # Whether sam is on shift is decided by the real clock (never WARMLINE_NOW): the rota is built
    # around the real present, and the commands run without WARMLINE_NOW.
    run_cli.env.pop("WARMLINE_NOW")
    present = datetime.now(ZoneInfo("America/New_York")).replace(minute=0, second=0, microsecond=0)

    def ok(*args, env=None):
        result = run_cli(*args, env=env)
        assert result.returncode == 0, f"{args}: {result.stderr}"
        return result

    ok("init", "--name", "T", "--tz", "America/New_York")
    ok("people", "add", "sam", "--name", "Sam", "--tag", "grief", "--tag", "housing insecurity",
       "--paused-tag", "hearing voices", "--language", "es")
    ok("people", "add", "ria", "--name", "Ria", "--tag", "leaving detox", "--tag", "domestic abuse survived",
       "--paused-tag", "veteran")
    ok("people", "add", "tom", "--name", "Tom")
    for handle in ("sam", "ria", "tom"):
        ok("people", "passphrase", handle, env={"WARMLINE_NEW_PASSPHRASE": PASSPHRASE})
    # A coordinator's tags for a new person are proposals (issue 15, consent): each person accepts theirs.
    for handle, tag in (("sam", "grief"), ("sam", "housing insecurity"), ("ria", "leaving detox"),
                        ("ria", "domestic abuse survived")):
        ok("--as", handle, "tags", "accept", tag, env={"WARMLINE_PASSPHRASE": PASSPHRASE})
    for day in (0, 1):  # on now, and the same hours tomorrow
        start, end = present + timedelta(days=day, hours=-1), present + timedelta(days=day, hours=3)
        ok("shift", "add", "--start", f"{start:%Y-%m-%dT%H:%M}", "--end", f"{end:%Y-%m-%dT%H:%M}")
    ok("assign", "1", "sam")
    ok("assign", "1", "ria", "--backup")
    ok("assign", "2", "ria")
    # Things that write audit rows near tags: a goal, logged calls, busy marks, tag edits.
    ok("goal", "add", "leaving detox", "--days", "daily", "--from", "17:00", "--to", "21:00")
    ok("call", "log", "grief", "housing insecurity")
    ok("people", "edit", "ria", "--pause", "domestic abuse survived")
    # Resumed by ria herself: a coordinator's offer would only propose it (issue 15, consent).
    ok("--as", "ria", "people", "edit", "ria", "--offer", "domestic abuse survived",
       env={"WARMLINE_PASSPHRASE": PASSPHRASE})

    def as_(handle, *args):
        return run_cli("--as", handle, *args, env={"WARMLINE_PASSPHRASE": PASSPHRASE})

    assert as_("sam", "busy", "on").returncode == 0
    assert as_("sam", "call", "log", "voices", "leaving detox").returncode == 0
    assert as_("sam", "busy", "off").returncode == 0
    run_cli.present = present
    return run_cli, as_


@pytest.mark.slow
def test_volunteer_views_and_the_audit_log_never_show_tags(rota):
    run_cli, as_ = rota
    outputs = {}
    for viewer in ("tom", "sam"):
        for args in (
            ("shifts", "--json"),
            ("shifts",),
            ("shifts", "--from", f"{run_cli.present:%Y-%m-%d}", "--to", f"{run_cli.present + timedelta(days=2):%Y-%m-%d}",
             "--person", "ria", "--json"),
            ("people", "list", "--json"),
            ("people", "list"),
        ):
            outputs[(viewer, *args)] = as_(viewer, *args)
    for other in ("sam", "ria"):
        outputs[("tom", "people", "show", other)] = as_("tom", "people", "show", other)
        outputs[("tom", "people", "show", other, "--json")] = as_("tom", "people", "show", other, "--json")
    outputs[("sam", "people", "show", "ria", "--json")] = as_("sam", "people", "show", "ria", "--json")
    outputs[("coordinator", "audit", "--json")] = run_cli("audit", "--json", "--limit", "1000")
    outputs[("coordinator", "audit")] = run_cli("audit", "--limit", "1000")
    for key, result in outputs.items():
        assert result.returncode == 0, f"{key}: {result.stderr}"
        assert leaks(result.stdout + result.stderr) == [], key
    # The search itself works: a coordinator's list and sam's own page do show the tags.
    assert leaks(run_cli("people", "list", "--json").stdout) == sorted(HELD.values())  # people list shows ids
    assert "hearing-voices" in leaks(as_("sam", "people", "show", "sam", "--json").stdout)
    audit = json.loads(outputs[("coordinator", "audit", "--json")].stdout)
    actions = {e["action"] for e in audit}
    assert {"call.log", "goal.add", "busy.on", "busy.off", "person.edit"} <= actions  # the rows were searched


@pytest.mark.slow
def test_refused_commands_do_not_echo_tags(rota):
    run_cli, as_ = rota
    refused = [
        as_("tom", "match", "grief", "hearing voices", "--prefer", "veteran"),  # not on shift
        as_("tom", "match", "leaving detox", "--json"),
        as_("tom", "call", "log", "grief", "housing insecurity"),
        as_("tom", "busy", "on"),
        as_("tom", "coverage", "--json"),
        as_("tom", "goal", "add", "grief", "--days", "daily", "--from", "09:00", "--to", "17:00"),
        as_("ria", "goal", "remove", "1"),
        as_("sam", "people", "edit", "ria", "--pause", "grief"),
        as_("sam", "people", "add", "zed", "--name", "Zed", "--tag", "veteran"),
    ]
    for result in refused:
        assert result.returncode == 1, result.args
        assert result.stderr.startswith("error: "), result.stderr
        assert leaks(result.stdout + result.stderr) == [], (result.args, result.stderr)


@pytest.mark.slow
def test_only_a_match_result_shows_offered_tags_and_never_paused_ones(rota):
    run_cli, as_ = rota
    result = as_("sam", "match", "grief", "hearing voices", "trauma", "--prefer", "veteran", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    by = {c["handle"]: c for c in data["candidates"]}
    assert by["sam"]["shares"] == ["grief"]  # hearing voices is paused
    assert by["ria"]["related"] == ["trauma → domestic abuse survived"]
    assert by["ria"]["preferences"] == []  # veteran is paused
    for candidate in data["candidates"]:
        shown = json.dumps(candidate)
        assert not {p for p in PAUSED if p in shown}, candidate
    assert [t["id"] for t in data["unmet"]] == ["hearing-voices", "trauma"]
    # To a volunteer, the next shifts within 24 h name everyone on them and give no reason (ria is
    # on tomorrow and offers neither need: no tag chose her).
    assert [(n["shift_id"], n["handles"], n["need"], n["need_label"]) for n in data["next"]] == [(2, ["ria"], None, None)]
    text = as_("sam", "match", "voices").stdout
    assert "shares" not in text  # nobody offers it: sam's paused tag stays hidden
