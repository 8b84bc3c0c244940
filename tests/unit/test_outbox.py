"""The notification outbox: every kind from its event, dedupe, expiry, quiet hours, retries, the
claim that stops two delivery loops sending one row twice, and privacy of the text.

Most tests deliver through `Recorder`, an in-process fake channel. The cross-process test uses
WARMLINE_NOTIFY_CHANNEL=file:PATH, a TEST SEAM that replaces the desktop with a channel that
appends each delivered id to a file (real desktop delivery is tests/system/test_desktop_notify.py).

The rota (Monday 23 Nov 2026, New York; the clock starts at 08:00):

    A  06:00–09:00   sam (peer), kai (backup)
    B  09:00–13:00   ria (peer), tom (backup)      the change at 09:00 is a handoff
    zed, lee are on no shift; coord is the coordinator.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from warmline import handoff, people, rota, swaps
from warmline.db import iso_utc, open_db
from warmline.notify import channels, delivery, outbox, queue
from warmline.notify.channels import ChannelError
from warmline.rota import SeriesChanges

TZ = ZoneInfo("America/New_York")
PASSPHRASE = "correct horse battery"


def at(hour: int, minute: int = 0, day: int = 23) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


def set_now(monkeypatch, moment: datetime) -> None:
    monkeypatch.setenv("WARMLINE_NOW", moment.isoformat())


class Recorder:
    """A fake channel (in-process): records what it was asked to show, or fails as told."""

    name = "fake"

    def __init__(self, fail: ChannelError | None = None) -> None:
        self.fail = fail
        self.sent: list[outbox.Notification] = []

    def send(self, n) -> None:
        if self.fail is not None:
            raise self.fail
        self.sent.append(n)


@pytest.fixture
def line(line_db, coordinator, fixed_now, access_clock_follows_warmline_now):
    db = line_db
    people.add(db, coordinator, handle="sam", name="Sam R", tags=["grief"], paused_tags=["hearing voices"], tags_set_by_self=True)
    people.add(db, coordinator, handle="kai", name="Kai")
    people.add(db, coordinator, handle="ria", name="Ria", tags=["leaving detox"], paused_tags=["veteran"], tags_set_by_self=True)
    people.add(db, coordinator, handle="tom", name="Tom")
    people.add(db, coordinator, handle="zed", name="Zed")
    people.add(db, coordinator, handle="lee", name="Lee")
    a = rota.add_shift(db, coordinator, start=at(6), end=at(9), seats=1, backup=1)
    b = rota.add_shift(db, coordinator, start=at(9), end=at(13), seats=1, backup=1)
    rota.assign(db, coordinator, a.id, "sam")
    rota.assign(db, coordinator, a.id, "kai", role="backup")
    rota.assign(db, coordinator, b.id, "ria")
    rota.assign(db, coordinator, b.id, "tom", role="backup")
    who = {h: people.get(db.conn, h) for h in ("sam", "kai", "ria", "tom", "zed", "lee", "coord")}
    return db, {"A": a.id, "B": b.id}, who


def refresh(db, moment: datetime) -> int:
    with db.transaction() as conn:
        return outbox.refresh(conn, moment, moment=moment)


def rows(db, **where) -> list[dict]:
    sql = "SELECT n.*, p.handle FROM notification n JOIN person p ON p.id = n.person_id"
    if where:
        sql += " WHERE " + " AND ".join(f"{'p.handle' if k == 'handle' else 'n.' + k} = ?" for k in where)
    return [dict(r) for r in db.conn.execute(sql + " ORDER BY n.id", tuple(where.values()))]


def handles(found: list[dict]) -> list[str]:
    return sorted(r["handle"] for r in found)


# ---------------------------------------------------------------- each kind from its event


def test_reminders_at_each_lead_time(line):
    db, shifts, who = line
    refresh(db, at(8))
    first = rows(db, kind="reminder")
    assert handles(first) == ["ria", "tom"]  # 60 min before B; A has started
    assert {r["title"] for r in first} == {"Shift in 1 h: Mon 09:00–13:00"}
    assert all(r["due_utc"] == iso_utc(at(8)) and r["expires_utc"] == iso_utc(at(9)) for r in first)
    refresh(db, at(8, 45))
    fifteen = [r for r in rows(db, kind="reminder") if r["title"].startswith("Shift in 15 min")]
    assert handles(fifteen) == ["ria", "tom"]
    assert fifteen[0]["title"] == "Shift in 15 min: Mon 09:00–13:00"
    assert "shift #%d" % shifts["B"] in fifteen[0]["body"]


def test_own_lead_times(line):
    db, shifts, who = line
    outbox.set_prefs(db, who["ria"], leads=(30,))
    refresh(db, at(8, 45))
    ria = rows(db, kind="reminder", handle="ria")
    assert [r["title"] for r in ria] == ["Shift in 30 min: Mon 09:00–13:00"]


def test_refresh_is_idempotent_and_the_key_unique(line):
    db, shifts, who = line
    assert refresh(db, at(8, 45)) > 0
    count = len(rows(db))
    assert refresh(db, at(8, 45)) == 0
    assert refresh(db, at(8, 46)) == 0
    assert len(rows(db)) == count
    import sqlite3

    some = rows(db)[0]
    with pytest.raises(sqlite3.IntegrityError):
        db.conn.execute(
            "INSERT INTO notification (person_id, kind, event_utc, due_utc, title, dedupe, created_at)"
            " VALUES (?, 'reminder', ?, ?, 'x', ?, ?)",
            (some["person_id"], some["event_utc"], some["due_utc"], some["dedupe"], some["created_at"]),
        )


def test_handoff_names_each_other(line):
    db, shifts, who = line
    refresh(db, at(8, 44))
    assert rows(db, kind="handoff") == []
    refresh(db, at(8, 45))
    found = {r["handle"]: r for r in rows(db, kind="handoff")}
    assert sorted(found) == ["kai", "ria", "sam", "tom"]
    assert found["sam"]["title"] == "Handoff in 15 min: Mon 09:00"
    assert found["sam"]["body"].startswith("You hand over to Ria and Tom at 09:00")
    assert found["ria"]["body"].startswith("Sam R and Kai hand over to you at 09:00")
    assert found["ria"]["expires_utc"] == iso_utc(at(9))


def test_note_waiting_when_a_note_is_written(line, monkeypatch):
    db, shifts, who = line
    set_now(monkeypatch, at(8, 40))
    note = handoff.write_note(db, who["sam"], shifts["A"], "Quiet so far.")
    found = rows(db, kind="note")
    assert handles(found) == ["ria", "tom"]
    assert found[0]["title"] == "Handoff note waiting: Mon 09:00–13:00"
    assert "Sam R left a note" in found[0]["body"] and "Quiet so far" not in found[0]["body"]
    # Someone who joins the next shift later is told by the next refresh; an ack retires a pending one.
    rota.unassign(db, who["coord"], shifts["B"], "tom")
    rota.assign(db, who["coord"], shifts["B"], "zed", role="backup")
    handoff.ack(db, who["ria"], note.id)
    refresh(db, at(8, 41))
    states = {r["handle"]: r["state"] for r in rows(db, kind="note")}
    assert states == {"ria": "expired", "tom": "expired", "zed": "pending"}


def test_unacknowledged_note_goes_to_the_backup_and_the_coordinators(line, monkeypatch):
    db, shifts, who = line
    set_now(monkeypatch, at(8, 40))
    note = handoff.write_note(db, who["sam"], shifts["A"], "Quiet so far.")
    handoff.ack(db, who["tom"], note.id)
    refresh(db, at(9, 14))
    assert rows(db, kind="unacked") == []
    refresh(db, at(9, 15))
    found = rows(db, kind="unacked")
    assert handles(found) == ["coord", "tom"]  # the backup of the next shift and the coordinator
    assert found[0]["title"] == "Handoff note not acknowledged: Mon 09:00–13:00"
    assert found[0]["body"].startswith("Ria has not acknowledged note #%d from Sam R" % note.id)
    # Once Ria acknowledges, the ones not yet sent are retired.
    set_now(monkeypatch, at(9, 16))
    handoff.ack(db, who["ria"], note.id)
    refresh(db, at(9, 16))
    assert {r["state"] for r in rows(db, kind="unacked")} == {"expired"}


def test_shift_changed_and_cancelled(line):
    db, shifts, who = line
    refresh(db, at(8))  # the 60-minute reminders for B
    rota.edit_shift(db, who["coord"], shifts["B"], start=at(10), end=at(14))
    changed = rows(db, kind="changed")
    assert handles(changed) == ["ria", "tom"]
    assert changed[0]["title"] == "Shift changed: Mon 23 Nov 09:00–13:00"
    assert changed[0]["body"] == "Now Mon 23 Nov 10:00–14:00 (shift #%d)." % shifts["B"]
    assert {r["state"] for r in rows(db, kind="reminder")} == {"expired"}  # they named the old time
    refresh(db, at(9))  # new reminders for the new time
    assert handles(rows(db, kind="reminder", state="pending")) == ["ria", "tom"]
    rota.edit_shift(db, who["coord"], shifts["B"], seats=2)  # seats only: nobody needs telling
    assert len(rows(db, kind="changed")) == 2
    rota.cancel_shift(db, who["coord"], shifts["B"])
    cancelled = rows(db, kind="cancelled")
    assert handles(cancelled) == ["ria", "tom"]
    assert cancelled[0]["title"] == "Shift cancelled: Mon 23 Nov 10:00–14:00"
    assert {r["state"] for r in rows(db, kind="reminder")} == {"expired"}


def test_series_edit_and_cancel(line):
    db, shifts, who = line
    series, made = rota.add_series(
        db, who["coord"], rule="FREQ=WEEKLY;BYDAY=WE", start=at(17, day=25), end=at(21, day=25), seats=1, backup=0
    )
    first = db.conn.execute("SELECT id FROM shift WHERE series_id = ? ORDER BY start_utc", (series.id,)).fetchone()[0]
    rota.assign(db, who["coord"], first, "zed")
    rota.edit_series(db, who["coord"], series.id, SeriesChanges(start_time=datetime(2026, 1, 1, 18).time()))
    changed = rows(db, kind="changed")
    assert handles(changed) == ["zed"]
    assert changed[0]["title"] == "Shift changed: Wed 25 Nov 17:00–21:00"
    assert changed[0]["body"].startswith("Now Wed 25 Nov 18:00–21:00")
    rota.cancel_series(db, who["coord"], series.id)
    assert handles(rows(db, kind="cancelled")) == ["zed"]


def test_cover_request_goes_to_eligible_people(line, monkeypatch):
    db, shifts, who = line
    rota.drop(db, who["ria"], shifts["B"])  # within 48 h: a cover request; ria stays on
    found = rows(db, kind="cover")
    # Not ria or tom (on it), not sam or kai (no rest after A ends at 09:00).
    assert handles(found) == ["coord", "lee", "zed"]
    assert found[0]["title"] == "Cover needed: Mon 23 Nov 09:00–13:00"
    assert found[0]["body"] == f"A peer seat is open on shift #{shifts['B']}. If you can take it: warmline claim {shifts['B']}"
    # Once someone takes it, the rest are not sent.
    rota.claim(db, who["zed"], shifts["B"])
    refresh(db, at(8))
    assert {r["handle"]: r["state"] for r in rows(db, kind="cover")} == {
        "coord": "expired", "lee": "expired", "zed": "expired"
    }


def test_reopened_seat_and_unassign_need_cover(line):
    db, shifts, who = line
    far = rota.add_shift(db, who["coord"], start=at(17, day=27), end=at(21, day=27), seats=1, backup=1)
    rota.assign(db, who["coord"], far.id, "lee")
    rota.assign(db, who["coord"], far.id, "kai", role="backup")
    rota.drop(db, who["lee"], far.id)  # more than 48 h ahead: the seat reopens
    assert handles(rows(db, kind="cover")) == ["coord", "ria", "sam", "tom", "zed"]  # not lee, not kai
    rota.unassign(db, who["coord"], far.id, "kai")
    backup = [r for r in rows(db, kind="cover") if "backup seat" in r["body"]]
    assert handles(backup) == ["coord", "lee", "ria", "sam", "tom", "zed"]  # lee left the peer seat: free again
    assert backup[0]["body"].endswith(f"warmline claim {far.id} --backup")


def test_cover_fan_out_is_capped(line):
    db, shifts, who = line
    for n in range(60):
        people.add(db, who["coord"], handle=f"v{n:02d}", name=f"V{n}")
    far = rota.add_shift(db, who["coord"], start=at(17, day=27), end=at(21, day=27), seats=1, backup=0)
    rota.assign(db, who["coord"], far.id, "lee")
    rota.drop(db, who["lee"], far.id)
    assert len(rows(db, kind="cover")) == outbox.COVER_FANOUT == 50


# ---------------------------------------------------------------- delivery


def test_delivery_sends_once_and_records_it(line):
    db, shifts, who = line
    fake = Recorder()
    out = delivery.deliver_due(db, who["ria"], targets=[fake], moment=at(8))
    assert [o.result for o in out] == ["sent"]
    assert [n.title for n in fake.sent] == ["Shift in 1 h: Mon 09:00–13:00"]
    assert delivery.deliver_due(db, who["ria"], targets=[fake], moment=at(8, 1)) == []
    assert len(fake.sent) == 1
    sent = rows(db, handle="ria")[0]
    assert sent["state"] == "sent" and sent["channel"] == "fake" and sent["sent_at"] == iso_utc(at(8))


def test_late_reminders_expire_instead_of_being_sent(line):
    db, shifts, who = line
    refresh(db, at(8))  # the 60-minute reminder is created, but nobody delivers it in time
    fake = Recorder()
    out = delivery.deliver_due(db, who["ria"], targets=[fake], moment=at(9, 5))
    assert fake.sent == []
    assert [(o.result, o.notification.kind) for o in out] == [("expired", "reminder")]
    assert out[0].describe(TZ).endswith("too late: the shift has started")
    assert rows(db, handle="ria")[0]["state"] == "expired"


def test_two_due_reminders_send_only_the_nearer(line):
    db, shifts, who = line
    fake = Recorder()
    out = delivery.deliver_due(db, who["ria"], targets=[fake], moment=at(8, 50))
    sent = [n.title for n in fake.sent]
    assert "Shift in 15 min: Mon 09:00–13:00" in sent and "Shift in 1 h: Mon 09:00–13:00" not in sent
    assert any(o.result == "expired" and "superseded" in o.notification.last_error for o in out)


def test_quiet_hours_hold_all_but_handoffs_until_they_end(line):
    db, shifts, who = line
    outbox.set_prefs(db, who["ria"], quiet=("22:00", "08:50"), leads=(15,))
    fake = Recorder()
    out = delivery.deliver_due(db, who["ria"], targets=[fake], moment=at(8, 45))
    assert [n.kind for n in fake.sent] == ["handoff"]
    held = [o for o in out if o.result == "held"]
    assert [o.notification.kind for o in held] == ["reminder"]
    assert held[0].when == at(8, 50)
    assert "quiet hours until 08:50" in held[0].describe(TZ)
    assert rows(db, kind="reminder", handle="ria")[0]["state"] == "pending"  # held, not dropped
    delivery.deliver_due(db, who["ria"], targets=[fake], moment=at(8, 50))
    assert [n.kind for n in fake.sent] == ["handoff", "reminder"]


def test_quiet_hours_within_a_day():
    prefs = outbox.Prefs(quiet=("13:00", "14:00"))
    assert outbox.quiet_until(prefs, at(12, 59), TZ) is None
    assert outbox.quiet_until(prefs, at(13), TZ) == at(14)
    assert outbox.quiet_until(prefs, at(14), TZ) is None
    overnight = outbox.Prefs(quiet=("22:00", "07:00"))
    assert outbox.quiet_until(overnight, at(23), TZ) == at(7, day=24)
    assert outbox.quiet_until(overnight, at(6, 59), TZ) == at(7)
    assert outbox.quiet_until(overnight, at(12), TZ) is None


def test_retries_back_off_then_fail(line):
    db, shifts, who = line
    broken = Recorder(fail=ChannelError("fake: the screen is busy"))
    moment = at(8)
    waits = []
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        out = delivery.deliver_due(db, who["ria"], targets=[broken], moment=moment)
        assert len(out) == 1, attempt
        row = rows(db, handle="ria")[0]
        assert row["attempts"] == attempt
        if attempt < outbox.MAX_ATTEMPTS:
            assert out[0].result == "retry" and row["state"] == "pending"
            retry_at = out[0].when
            waits.append(retry_at - moment)
            # Not before its time.
            assert delivery.deliver_due(db, who["ria"], targets=[broken], moment=retry_at - timedelta(seconds=1)) == []
            moment = retry_at
        else:
            assert out[0].result == "failed" and row["state"] == "failed"
            assert row["last_error"] == "fake: the screen is busy"
    assert waits == [timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert delivery.deliver_due(db, who["ria"], targets=[broken], moment=moment + timedelta(hours=1)) == []


def test_desktop_unavailable_fails_at_once_and_stays_for_the_app(line, monkeypatch):
    db, shifts, who = line
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    out = delivery.deliver_due(db, who["ria"], targets=[channels.DesktopChannel()], moment=at(8))
    assert [o.result for o in out] == ["failed"]
    assert out[0].error == "desktop unavailable: no D-Bus session (DBUS_SESSION_BUS_ADDRESS unset)"
    assert out[0].describe(TZ).endswith("shown in the app instead")
    row = rows(db, handle="ria")[0]
    assert row["state"] == "failed" and row["attempts"] == 1
    assert row["last_error"].startswith("desktop unavailable: ")
    # Still in the app, even for someone who turned the app channel off.
    outbox.set_prefs(db, who["ria"], channels=("desktop",))
    assert [n.id for n in outbox.pending_for_app(db.conn, who["ria"], at(8, 1))] == [row["id"]]


def test_a_crashed_send_is_requeued_after_five_minutes(line):
    db, shifts, who = line
    first = outbox.claim(db, who["ria"].id, moment=at(8))
    assert len(first.rows) == 1  # ... and this loop dies before finishing
    assert outbox.claim(db, who["ria"].id, moment=at(8, 4)).rows == []
    again = outbox.claim(db, who["ria"].id, moment=at(8, 5))
    assert [n.id for n in again.rows] == [first.rows[0].id]
    # The first loop's late result no longer counts; the second one's does.
    assert outbox.finish(db, first.token, [outbox.Result(first.rows[0].id, ("fake",))])[0].outcome == "lost"
    assert outbox.finish(db, again.token, [outbox.Result(again.rows[0].id, ("fake",))])[0].outcome == "sent"


def test_app_only_and_toasts(line):
    db, shifts, who = line
    outbox.set_prefs(db, who["ria"], channels=("app",))
    out = delivery.deliver_due(db, who["ria"], moment=at(8))
    assert [(o.result, o.channel) for o in out] == [("sent", "app")]
    toasts = outbox.pending_for_app(db.conn, who["ria"], at(8))
    assert [n.title for n in toasts] == ["Shift in 1 h: Mon 09:00–13:00"]
    assert outbox.mark_shown_in_app(db, who["tom"], [toasts[0].id]) == 0  # not tom's
    assert outbox.mark_shown_in_app(db, who["ria"], [toasts[0].id]) == 1
    assert outbox.pending_for_app(db.conn, who["ria"], at(8)) == []
    # Expired rows are never toasted.
    refresh(db, at(8, 45))
    assert outbox.pending_for_app(db.conn, who["ria"], at(9, 1)) == []


def test_terminal_channel_writes_bel_osc9_and_osc777():
    stream = io.StringIO()
    fake = outbox.Notification(
        1, 1, "reminder", 1, at(9), at(8), at(9), "Shift in 15 min; Mon\x1b]0;x\x07 09:00", "Body; ok\nnext",
        "sending", 0, None, None, None, None, None, at(8),
    )
    channels.TerminalChannel(stream).send(fake)
    text = stream.getvalue()
    # Controls in the text are shown as visible escapes (text.safe), never sent raw.
    assert text.startswith("\a\x1b]9;Shift in 15 min; Mon\\x1b]0;x\\x07 09:00: Body; ok next\x07")
    assert text.endswith("\x1b]777;notify;Shift in 15 min, Mon\\x1b]0,x\\x07 09:00;Body; ok next\x07")
    assert text.count("\x1b") == 2 and text.count("\x07") == 3


def test_settings(line):
    db, shifts, who = line
    assert outbox.get_prefs(db.conn, who["ria"].id) == outbox.Prefs(("desktop", "app"), (60, 15), None)
    prefs = outbox.set_prefs(db, who["ria"], channels=outbox.parse_channels("terminal,app"),
                             leads=outbox.parse_leads("15,90"), quiet=outbox.parse_quiet("22:00-7:00"))
    assert prefs == outbox.Prefs(("terminal", "app"), (90, 15), ("22:00", "07:00"))
    assert outbox.set_prefs(db, who["ria"], clear_quiet=True).quiet is None
    with pytest.raises(Exception, match="only coordinators"):
        outbox.set_prefs(db, who["ria"], "tom", leads=(5,))
    assert outbox.set_prefs(db, who["coord"], "tom", leads=()).leads == ()
    for bad, parse in (("sms", outbox.parse_channels), ("", outbox.parse_channels), ("0,15x", outbox.parse_leads),
                       ("2000", outbox.parse_leads), ("22-07", outbox.parse_quiet), ("07:00-07:00", outbox.parse_quiet)):
        with pytest.raises(Exception):
            parse(bad)


# ---------------------------------------------------------------- privacy

TAG_WORDS = ("grief", "hearing voices", "hearing-voices", "leaving detox", "leaving-detox", "veteran")


def test_no_tags_and_no_note_text_in_any_notification(line, monkeypatch):
    db, shifts, who = line
    far = rota.add_shift(db, who["coord"], start=at(17, day=27), end=at(21, day=27), seats=2, backup=0)
    rota.assign(db, who["coord"], far.id, "sam")
    rota.assign(db, who["coord"], far.id, "ria")
    set_now(monkeypatch, at(8, 40))
    handoff.write_note(db, who["sam"], shifts["A"], "Zanzibar came up; grief and leaving detox calls.")
    rota.drop(db, who["ria"], shifts["B"])
    rota.drop(db, who["sam"], far.id)
    rota.edit_shift(db, who["coord"], far.id, start=at(18, day=27), end=at(22, day=27))
    refresh(db, at(9, 20))
    set_now(monkeypatch, at(8, 45))
    refresh(db, at(8, 45))
    rota.cancel_shift(db, who["coord"], far.id)
    # A swap between two tagged people, on a line that needs approval: swap, swap-approval, swap-decided.
    give = rota.add_shift(db, who["coord"], start=at(17, day=28), end=at(21, day=28), seats=1, backup=0)
    take = rota.add_shift(db, who["coord"], start=at(17, day=29), end=at(21, day=29), seats=1, backup=0)
    rota.assign(db, who["coord"], give.id, "sam")
    rota.assign(db, who["coord"], take.id, "ria")
    swaps.set_need_approval(db, who["coord"], True)
    swaps.accept(db, who["ria"], swaps.propose(db, who["sam"], give.id, take.id, "ria").id)
    kinds = {r["kind"] for r in rows(db)}
    assert kinds == set(outbox.SHIFT_KINDS), kinds
    text = "\n".join(f"{r['title']}\n{r['body']}" for r in rows(db)).lower()
    for word in TAG_WORDS + ("zanzibar",):
        assert word not in text, word


# ---------------------------------------------------------------- real processes


def _cli(args: list[str], env: dict) -> subprocess.Popen:
    script = os.path.join(os.path.dirname(sys.executable), "warmline")
    return subprocess.Popen([script, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def busy_line(tmp_path, fixed_now):
    """ria (passphrase set) is on 24 future shifts that the coordinator then cancels: 24 notifications due."""
    from warmline.line import create

    path = tmp_path / "race.db"
    db = open_db(path, create=True)
    create(db, name="T", tz="America/New_York", actor="coord", first_coordinator=("coord", "C", None))
    coord = people.get(db.conn, "coord")
    people.add(db, coord, handle="ria", name="Ria", max_hours_week=168, max_shifts_week=50, min_rest_hours=0,
               max_overnights_month=31)
    people.set_passphrase(db, coord, "ria", PASSPHRASE)
    ids = []
    for n in range(24):
        s = rota.add_shift(db, coord, start=at(10 + n % 12, day=24 + n // 12), end=at(10 + n % 12, 50, day=24 + n // 12),
                           seats=1, backup=0)
        rota.assign(db, coord, s.id, "ria")
        ids.append(s.id)
    for sid in ids:
        rota.cancel_shift(db, coord, sid)
    assert db.conn.execute("SELECT count(*) FROM notification WHERE state = 'pending'").fetchone()[0] == 24
    db.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARMLINE_")}
    env.update(WARMLINE_DB=str(path), WARMLINE_NOW="2026-11-23T08:00:00-05:00", WARMLINE_AS="ria",
               WARMLINE_PASSPHRASE=PASSPHRASE)
    return path, env


@pytest.mark.slow
def test_concurrent_notify_once_processes_send_each_notification_exactly_once(busy_line, tmp_path):
    path, env = busy_line
    delivered = tmp_path / "delivered.txt"
    env["WARMLINE_NOTIFY_CHANNEL"] = f"file:{delivered}"  # the test seam: a file instead of the desktop
    procs = [_cli(["notify", "--once", "--json"], env) for _ in range(4)]
    reports = []
    for p in procs:
        out, err = p.communicate(timeout=30)
        assert p.returncode == 0, err
        reports.append(json.loads(out))
    ids = delivered.read_text().split()
    assert len(ids) == 24 and len(set(ids)) == 24
    sent = [r["id"] for report in reports for r in report if r["result"] == "sent"]
    assert sorted(sent) == sorted(map(int, ids))
    db = open_db(path)
    try:
        states = db.conn.execute("SELECT state, count(*) FROM notification GROUP BY state").fetchall()
        assert [tuple(r) for r in states] == [("sent", 24)]
    finally:
        db.close()


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_daemon_stops_cleanly_on_a_signal(busy_line, tmp_path, sig):
    path, env = busy_line
    delivered = tmp_path / "delivered.txt"
    env["WARMLINE_NOTIFY_CHANNEL"] = f"file:{delivered}"
    proc = _cli(["notify", "--daemon", "--interval", "30"], env)
    try:
        deadline = time.monotonic() + 20
        while not (delivered.exists() and len(delivered.read_text().split()) == 24):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the daemon delivered nothing"
            time.sleep(0.05)
        started = time.monotonic()
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=5)
        assert time.monotonic() - started < 2  # it does not sit out its 30 s sleep
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert f"stopped ({sig.name})" in err
    assert out.count("sent #") == 24


@pytest.mark.slow
def test_notify_once_without_a_desktop_says_why(busy_line):
    path, env = busy_line
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    proc = _cli(["notify", "--once"], env)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    lines = out.splitlines()
    assert len(lines) == 24
    assert all(
        line.endswith("desktop unavailable: no D-Bus session (DBUS_SESSION_BUS_ADDRESS unset); shown in the app instead")
        for line in lines
    ), lines[:3]


# ---------------------------------------------------------------- the desktop check (fake programs on PATH)


def _fake_programs(tmp_path, monkeypatch, programs: dict[str, str], *, only: bool = False) -> None:
    """Put small shell scripts named like the real tools first on PATH (a fake for what they answer)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in programs.items():
        path = bin_dir / name
        path.write_text("#!/bin/sh\n" + body + "\n")
        path.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir) if only else f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")


def test_a_silent_notify_send_failure_is_desktop_unavailable(tmp_path, monkeypatch):
    _fake_programs(tmp_path, monkeypatch, {
        "dbus-send": 'echo "method return"; echo "   boolean true"',
        "notify-send": 'echo "GDBus.Error: no way" >&2; exit 1',
    })
    with pytest.raises(channels.DesktopUnavailable) as caught:
        channels.send_desktop("t", "b")
    assert str(caught.value) == "desktop unavailable: notify-send failed (exit 1: GDBus.Error: no way)"
    assert caught.value.permanent


def test_nobody_owning_the_notifications_name_is_desktop_unavailable(tmp_path, monkeypatch):
    _fake_programs(tmp_path, monkeypatch, {
        "dbus-send": 'echo "method return"; echo "   boolean false"',
        "notify-send": "exit 0",
    })
    assert channels.desktop_problem() == (
        "no notification service on the D-Bus session (nothing owns org.freedesktop.Notifications)"
    )
    with pytest.raises(channels.DesktopUnavailable):
        channels.send_desktop("t", "b")


def test_an_unreachable_bus_is_desktop_unavailable(tmp_path, monkeypatch):
    _fake_programs(tmp_path, monkeypatch, {"dbus-send": 'echo "Failed to open connection" >&2; exit 1'})
    assert channels.desktop_problem() == "the D-Bus session is not reachable (Failed to open connection)"


@pytest.mark.filterwarnings("ignore::UserWarning")  # plyer's own, when it looks for a backend
def test_without_notify_send_plyer_is_used_and_a_missing_backend_reported(tmp_path, monkeypatch):
    _fake_programs(tmp_path, monkeypatch, {"dbus-send": 'echo "   boolean true"'}, only=True)  # no notify-send
    from plyer import notification

    def no_backend(**kwargs):
        raise NotImplementedError()

    monkeypatch.setattr(notification, "notify", no_backend)
    with pytest.raises(channels.DesktopUnavailable, match="plyer has no notification backend"):
        channels.send_desktop("t", "b")
    calls = []
    monkeypatch.setattr(notification, "notify", lambda **kwargs: calls.append(kwargs))
    assert channels.send_desktop("Title", "Body") == "plyer"
    assert calls == [{"title": "Title", "message": "Body", "app_name": "warmline", "timeout": 10}]


def test_a_failing_hook_never_blocks_the_rota_change(line, monkeypatch):
    db, shifts, who = line

    def broken(*args, **kwargs):
        raise RuntimeError("bug in the outbox")

    monkeypatch.setattr(queue, "_insert", broken)  # the reactions to the rota live in notify/queue.py
    cancelled = rota.cancel_shift(db, who["coord"], shifts["B"])
    assert cancelled.status == "cancelled"
    assert rows(db) == []
    logged = db.conn.execute("SELECT actor, subject, detail FROM audit WHERE action = 'notify.failed'").fetchall()
    assert [tuple(r) for r in logged] == [("system", "shifts_cancelled", "RuntimeError: notifications not queued")]
    assert db.conn.execute("SELECT count(*) FROM audit WHERE action = 'shift.cancel'").fetchone()[0] == 1


def test_the_daemon_survives_a_round_that_fails_with_a_database_error(line, monkeypatch):
    """A raw SQLite error in one round (not a WarmlineError) is reported and the next round runs."""
    import sqlite3

    db, _, who = line
    rounds: list[str] = []
    real = delivery.deliver_due

    def flaky(db_, person, **kwargs):
        rounds.append("round")
        if len(rounds) == 1:
            raise sqlite3.OperationalError("disk I/O error")
        return real(db_, person, **kwargs)

    monkeypatch.setattr(delivery, "deliver_due", flaky)
    warnings: list[str] = []
    stopped = delivery.run_daemon(
        db, who["sam"], interval=0.01, report=lambda _o: None, warn=warnings.append, stream=io.StringIO(), max_ticks=2
    )
    assert stopped == "done" and len(rounds) == 2
    assert len(warnings) == 1 and "disk I/O error" in warnings[0] and "trying again" in warnings[0]


def test_a_reminder_body_ends_in_one_full_stop_when_a_name_ends_in_one(line):
    db, shifts, who = line
    people.edit(db, people.get(db.conn, "coord"), "tom", people.PersonChanges(name="Tom R."))
    refresh(db, at(8))
    ria = next(r for r in rows(db, kind="reminder") if r["person_id"] == who["ria"].id)
    assert ria["body"].endswith("With Tom R.") and ".." not in ria["body"]
