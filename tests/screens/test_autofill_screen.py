"""Pilot tests for Auto-fill (issue 15: "auto-fill over a chosen range, with its reasons"): a coordinator
chooses the days (a quick choice or typed dates), sees the proposal with each placement's reasons and
the seats left open, and enter writes exactly the plan shown; a bad range is refused in the CLI's words
and nothing changes; esc discards; Load's `a` opens it on Load's weeks; it fits 80x24 under the banner."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rota_file import NOW, settle, text_of, until

from warmline.screens.app import make_app
from warmline.screens.autofill import AutofillDialog, AutofillScreen
from warmline.screens.plain import Input
from warmline.screens.widgets import KeysFooter, LineHeader

PLACED = re.compile(r"^\+ (.*\S)  (\S+) \((peer|backup)\)$")  # + when  who (role): a time, no shift id


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo line (seed 7) at Monday 23 Nov 2026, 08:00 New York: open seats in the coming weeks."""
    monkeypatch.setenv("WARMLINE_NOW", NOW)
    for name in ("WARMLINE_DB", "WARMLINE_AS", "WARMLINE_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)
    from warmline.db import open_db
    from warmline.demo import build

    path = tmp_path / "demo.db"
    with open_db(path, create=True) as db:
        build(db, seed=7)
    return path


def person(path: Path, coordinator: bool):
    from warmline import people
    from warmline.db import open_db

    with open_db(path) as db:
        return next(p for p in people.all_people(db.conn) if p.is_coordinator == coordinator and p.active)


def assignments(path: Path) -> set[tuple[int, str, str]]:
    """Every (shift, handle, role) on the rota."""
    from warmline.db import open_db

    with open_db(path) as db:
        rows = db.conn.execute(
            "SELECT a.shift_id, p.handle, a.role FROM assignment a JOIN person p ON p.id = a.person_id"
        ).fetchall()
    return {(int(s), h, r) for s, h, r in rows}


def applied_audits(path: Path) -> int:
    from warmline.db import open_db

    with open_db(path) as db:
        return db.conn.execute("SELECT count(*) FROM audit WHERE action = 'autofill.apply'").fetchone()[0]


async def open_autofill(app, pilot) -> AutofillScreen:
    await settle(pilot)
    app.action_go("autofill")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, AutofillScreen)
    assert await until(pilot, lambda: screen.form is not None)
    return screen


async def proposal_of(app, pilot) -> AutofillDialog:
    await settle(pilot)
    dialog = app.screen
    assert isinstance(dialog, AutofillDialog)
    assert await until(pilot, lambda: dialog.plan is not None, seconds=20)
    await settle(pilot)
    return dialog


def message(screen) -> str:
    return text_of(screen.query_one("#af-message"))


async def test_a_month_is_proposed_with_reasons_and_exactly_the_plan_shown_is_written(demo):
    before = assignments(demo)
    app = make_app(demo, actor=person(demo, True))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_autofill(app, pilot)
        # it opens on the week shown (the Rota not opened yet: this week)
        assert (screen.query_one("#af-from", Input).value, screen.query_one("#af-to", Input).value) == (
            "2026-11-23", "2026-11-29",
        )
        await pilot.click("#af-quick-2")  # Next 4 weeks
        assert screen.query_one("#af-to", Input).value == "2026-12-20"
        dialog = await proposal_of(app, pilot)
        assert text_of(dialog.query_one("#autofill-title")) == "Auto-fill Mon 23 Nov – Sun 20 Dec 2026"
        lines = text_of(dialog.query_one("#autofill-body")).splitlines()
        from warmline.recurrence import zone
        from warmline.views import words

        tz = zone(dialog.plan.tz)
        shift_at = {(words.between(p.start, p.end, tz), p.handle, p.role): p.shift_id for p in dialog.plan.proposal.placements}
        shown = {(shift_at[m[1], m[2], m[3]], m[2], m[3]) for m in map(PLACED.match, lines) if m}
        assert len(shown) >= 10  # a month of the demo's open seats
        for index, line in enumerate(lines):
            if PLACED.match(line):  # every placement says why, on the row under it
                why = lines[index + 1]
                assert why.startswith("    ") and re.search(r"\d+ → \d+(\.\d)? h in range$", why), why
        said = " ".join(lines)
        assert "offers: " in said and "goal: " in said  # the CLI's reasons
        assert "open seats filled" in text_of(dialog.query_one("#autofill-message"))
        assert shown == {(p.shift_id, p.handle, p.role) for p in dialog.plan.proposal.placements}
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert message(screen) == f"✓ Applied: {len(shown)} seats filled."
    assert assignments(demo) - before == shown  # what was shown, all of it, nothing else
    assert before <= assignments(demo)
    assert applied_audits(demo) == 1


BAD_RANGES = [
    ("2026-12-20", "2026-12-01", "✗ To is not after From: give a later To"),
    ("2026-11-01", "2026-11-20", "✗ the range ends 2026-11-20, in the past: auto-fill fills only future shifts"),
    ("2026-11-23", "2033-01-01", "✗ the range is longer than six years: give a shorter one"),
    ("soon", "2026-12-01", "✗ From 'soon' is not an ISO 8601 date-time"),
    ("2026-11-23", "2026-02-30", "✗ To '2026-02-30' is not a date: use YYYY-MM-DD"),
    ("2026-11-23", "", "✗ To is empty: give a date"),
]


@pytest.mark.slow
async def test_a_bad_range_is_refused_in_the_clis_words_and_nothing_changes(demo):
    before = assignments(demo)
    app = make_app(demo, actor=person(demo, True))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_autofill(app, pilot)
        for first, last, says in BAD_RANGES:
            screen.query_one("#af-from", Input).value = first
            screen.query_one("#af-to", Input).value = last
            screen.query_one("#af-to", Input).focus()
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen is screen, (first, last)  # no proposal was made
            assert message(screen).startswith(says), message(screen)
            assert screen.query_one("#af-from", Input).value == first  # what was typed stays
    assert assignments(demo) == before
    assert applied_audits(demo) == 0


@pytest.mark.slow
async def test_escape_discards_the_proposal_and_nothing_is_written(demo):
    before = assignments(demo)
    app = make_app(demo, actor=person(demo, True))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_autofill(app, pilot)
        await pilot.click("#af-quick-2")
        dialog = await proposal_of(app, pilot)
        assert dialog.plan.proposal.placements
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert message(screen) == "Discarded: nothing was written."
        await pilot.press("escape")  # and esc on the form goes back
        await settle(pilot)
        assert app.screen is app.get_screen("home")
    assert assignments(demo) == before
    assert applied_audits(demo) == 0


@pytest.mark.slow
async def test_a_on_load_rota_and_coverage_and_the_palette_open_it_for_coordinators_only(demo):
    from warmline.screens.app import WarmlineCommands
    from warmline.screens.load import LoadScreen
    from warmline.screens.rota import RotaScreen

    app = make_app(demo, actor=person(demo, True))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, LoadScreen)
        await pilot.press("right_square_bracket")  # Load shows 30 Nov – 27 Dec
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AutofillScreen)
        assert await until(pilot, lambda: screen.query_one("#af-to", Input).value == "2026-12-27")
        assert screen.query_one("#af-from", Input).value == "2026-11-30"
        shown = (("r", ["right_square_bracket"], ("2026-11-30", "2026-12-06")), ("v", [], ("2026-11-23", "2026-11-29")))
        for key, moves, days in shown:
            await pilot.press("escape")
            await settle(pilot)
            await pilot.press(key, *moves)  # the Rota on the next week; Coverage on this one
            await settle(pilot)
            await pilot.press("a")
            await settle(pilot)
            assert app.screen is screen, key
            assert await until(pilot, lambda: screen.query_one("#af-to", Input).value == days[1]), key
            assert screen.query_one("#af-from", Input).value == days[0]
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"Auto-fill")
        await pilot.pause(0.5)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AutofillScreen)

    volunteer = make_app(demo, actor=person(demo, False))
    async with volunteer.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "Auto-fill" not in [c[0] for c in WarmlineCommands(volunteer.screen)._commands()]
        volunteer.action_go("autofill")
        await settle(pilot)
        assert not isinstance(volunteer.screen, AutofillScreen)
        for key, kind in (("l", LoadScreen), ("r", RotaScreen)):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(volunteer.screen, kind)
            await pilot.press("a")
            await settle(pilot)
            assert isinstance(volunteer.screen, kind)  # a is not theirs
        assert not volunteer.is_screen_installed("autofill")


@pytest.mark.slow
async def test_the_form_and_a_long_plan_fit_80x24_under_the_banner_and_the_plan_scrolls(demo):
    app = make_app(demo, actor=person(demo, True))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_autofill(app, pilot)
        for button in screen.query("#af-quick Button, #af-propose"):
            assert button.region.right <= 80 and button.region.bottom < 23, button.id
        await pilot.click("#af-quick-2")
        dialog = await proposal_of(app, pilot)
        header = dialog.query_one(LineHeader)
        assert header.region.y == 0 and header.escalation_text
        box = dialog.query_one("#autofill-dialog")
        footer = dialog.query_one(KeysFooter)
        assert box.region.y >= header.region.bottom and box.region.bottom <= footer.region.y
        summary = dialog.query_one("#autofill-message")
        assert summary.region.height >= 1 and box.region.contains_region(summary.region)  # always in sight
        diff = dialog.query_one("#autofill-diff")
        assert diff.virtual_size.height > diff.region.height  # a long plan...
        await pilot.press("pagedown")
        await settle(pilot)
        assert diff.scroll_y > 0  # ...scrolls
        assert isinstance(app.screen, AutofillDialog)  # and scrolling applied nothing


@pytest.mark.slow
async def test_names_in_the_plan_are_shown_as_text_never_markup_or_control(tmp_path, monkeypatch):
    from hostile import escaped_controls, plant
    from rota_file import at, make_rota

    line = make_rota(tmp_path, monkeypatch)
    line.shift(at(24, 9), at(24, 13), seats=2, backup=0)
    hostile = "[@click=app.quit]ana[/]\x1b]0;pwned\x07"
    plant(line.path, "UPDATE person SET handle = ? WHERE id = ?", (hostile, line.ana.id))
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_autofill(app, pilot)
        await pilot.press("enter")
        dialog = await proposal_of(app, pilot)
        assert hostile in {p.handle for p in dialog.plan.proposal.placements}
        body = text_of(dialog.query_one("#autofill-body"))
        assert "[@click=app.quit]ana[/]" in body  # the markup as typed, shown as text
        assert app.is_running and escaped_controls(app.export_screenshot()) == []


@pytest.mark.slow
async def test_a_plan_the_rota_has_moved_past_is_refused_whole_and_nothing_is_written(tmp_path, monkeypatch):
    from rota_file import at, make_rota

    from warmline import rota

    line = make_rota(tmp_path, monkeypatch)
    sid = line.shift(at(24, 9), at(24, 13), seats=1, backup=0)
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_autofill(app, pilot)
        await pilot.press("enter")
        dialog = await proposal_of(app, pilot)
        [placed] = dialog.plan.proposal.placements
        other = line.ana if placed.handle != "ana" else line.ben
        with line.db() as db:  # meanwhile, someone else fills the seat
            rota.assign(db, line.coord, sid, other.handle, role="peer", force=True)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog  # the refusal is said here, in the app's words
        said = text_of(dialog.query_one("#autofill-message"))
        assert "has no free peer seat any more; nothing was changed: run autofill again" in said
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
    assert [a.handle for a in line.view(sid).peers] == [other.handle]
    assert line.audit("autofill.apply") == []
