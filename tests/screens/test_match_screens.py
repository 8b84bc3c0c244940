"""Match and Coverage: ranked peers with reasons, paused tags, languages, refusals, busy, the call
log, the heat map and filling a gap in one step. Each test asserts on the database and the screen."""

from __future__ import annotations

import sqlite3

import pytest
from rota_file import at, make_rota, text_of, until
from textual.worker import WorkerCancelled

from warmline.screens.app import make_app
from warmline.screens.coverage import PARTLY, UNCOVERED, CoverageScreen, HeatMap
from warmline.screens.confirm import ConfirmDialog
from warmline.screens.home import HomeScreen
from warmline.screens.match import MatchScreen
from warmline import calls, people, rota
from warmline.clock import now

WED, AFTERNOON = 2, 2  # the heat map's day and band indexes for Wednesday 12–18


@pytest.fixture
def line(tmp_path, monkeypatch, access_clock_follows_warmline_now):
    """Monday 23 Nov 08:00 New York. On shift now (07–11): cleo, dev, ana, and coord as backup.

    cleo offers grief and housing insecurity, has paused hearing voices, and speaks Spanish;
    dev offers domestic abuse survived (related to trauma); ana offers nothing. eli offers
    hearing voices on the 13–17 shift. Last week's log has a grief call on Wednesday at 14:00,
    and this Wednesday's 13–17 shift (ana, coord) has a free peer seat.
    """
    r = make_rota(tmp_path, monkeypatch)
    with r.db() as db:
        r.cleo = people.add(
            db, r.coord, handle="cleo", name="Cleo P.", tags=["grief", "housing-insecurity"],
            paused_tags=["hearing-voices"], languages=["lang-en", "lang-es"], tags_set_by_self=True,  # their own
        )
        r.dev = people.add(db, r.coord, handle="dev", name="Dev K.", tags=["domestic-abuse-survived"],
                           languages=["lang-en"], tags_set_by_self=True)
        r.eli = people.add(db, r.coord, handle="eli", name="Eli S.", tags=["hearing-voices"], languages=["lang-en"],
                           tags_set_by_self=True)
        calls.log_call(db, r.coord, ["grief"], at=at(18, 14))
    r.now_shift = r.shift(
        at(23, 7), at(23, 11), seats=4,
        on=((r.cleo, "peer"), (r.dev, "peer"), (r.ana, "peer"), (r.coord, "backup")),
    )
    r.next_shift = r.shift(at(23, 13), at(23, 17), on=((r.eli, "peer"), (r.coord, "backup")))
    r.wed_shift = r.shift(at(25, 13), at(25, 17), on=((r.ana, "peer"), (r.coord, "backup")))
    return r


async def settle(pilot) -> None:
    """Let workers finish and their results land. Unlike rota_file.settle, a worker cancelled
    meanwhile (an exclusive reload replacing another after the file changed) is not an error."""
    app = pilot.app
    for _ in range(10):
        await pilot.pause()
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:
            continue
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            return


def rows(screen) -> list[str]:
    table = screen.query_one("#match-candidates")
    return table.keys


def cells(screen, key: str) -> dict[str, str]:
    table = screen.query_one("#match-candidates")
    return {column: str(v) for column, v in zip(table.column_keys, table.get_row(key), strict=True)}


async def ask(pilot, needs: str = "", language: str = "", prefer: str = "") -> MatchScreen:
    """Type into the match form and press Enter in the needs field."""
    screen = pilot.app.screen
    assert isinstance(screen, MatchScreen)
    for field, value in (("#match-language", language), ("#match-prefer", prefer), ("#match-needs", needs)):
        screen.query_one(field).value = value
    screen.query_one("#match-needs").focus()
    await pilot.press("enter")
    await settle(pilot)
    return screen


async def open_match(pilot) -> MatchScreen:
    await settle(pilot)
    await pilot.press("m")
    await settle(pilot)
    assert isinstance(pilot.app.screen, MatchScreen)
    return pilot.app.screen


# ---------------------------------------------------------------- match


@pytest.mark.slow
async def test_match_ranks_the_peers_on_shift_with_their_reasons(line):
    app = make_app(line.path, actor=line.cleo)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_match(pilot)
        # Completion: the last comma-separated entry completes from the tag names (→ accepts).
        needs = screen.query_one("#match-needs")
        await pilot.press(*"gri")
        assert await until(pilot, lambda: needs._suggestion == "grief")
        await pilot.press("right", *", trau")
        assert await until(pilot, lambda: needs._suggestion == "grief, trauma")
        await pilot.press("right")
        assert needs.value == "grief, trauma"
        await pilot.press("enter")
        await settle(pilot)
        assert rows(screen) == ["cleo", "dev", "ana", "coord"]  # exact, related, none; backup last
        assert cells(screen, "cleo")["why"] == "shares: grief"
        assert cells(screen, "cleo")["peer"] == "cleo (you)"
        assert cells(screen, "dev")["why"] == "related: trauma → domestic abuse survived"
        assert cells(screen, "ana")["why"] == "no shared need"
        assert cells(screen, "coord")["seat"] == "backup"
        assert [cells(screen, k)["now"] for k in rows(screen)] == ["free"] * 4
        assert screen.query_one("#match-candidates").has_focus  # Enter moves to the results: b and l work
        assert "trauma" in text_of(screen.query_one("#match-unmet"))  # nobody shares it exactly
        assert "Caller: grief, trauma" in text_of(screen.query_one("#match-status"))
        assert "988" in text_of(screen.query_one("LineHeader"))


@pytest.mark.slow
async def test_unmet_needs_paused_tags_and_languages(line):
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_match(pilot)
        await ask(pilot, "hearing voices")
        assert rows(screen) == ["ana", "cleo", "dev", "coord"]  # nobody fits: peers by handle, backup last
        for key in rows(screen):
            assert "hearing voices" not in " ".join(cells(screen, key).values())
            assert "shares" not in cells(screen, key)["why"]
        table = screen.query_one("#match-candidates")
        for row in range(table.row_count):  # the detail line of every row, too
            table.move_cursor(row=row)
            await pilot.pause()
            assert "hearing voices" not in text_of(screen.query_one("#match-detail"))
        unmet = text_of(screen.query_one("#match-unmet"))
        assert "Nobody on shift offers: hearing voices" in unmet
        assert "Next on shift who fits: hearing voices: Mon 23 Nov 13:00–17:00 eli" in unmet
        # A language is a requirement: only those who speak it are ranked.
        await ask(pilot, "grief", language="Spanish")
        assert rows(screen) == ["cleo"]
        assert cells(screen, "cleo")["why"] == "shares: grief · speaks Spanish"
        assert "3 more who don't speak Spanish" in text_of(screen.query_one("#match-status"))
        await ask(pilot, "grief", language="French")
        assert rows(screen) == []
        assert "nobody on shift speaks French" in text_of(screen.query_one("#match-status"))
        assert "Nobody on shift offers: grief, French" in text_of(screen.query_one("#match-unmet"))
        # A typo is the core's complaint, shown in place; the last answer stays.
        await ask(pilot, "grief", language="Klingon")
        assert "unknown language tag 'Klingon'" in text_of(screen.query_one("#match-message"))
        assert "-error" in screen.query_one("#match-message").classes


@pytest.mark.slow
async def test_a_volunteer_not_on_shift_sees_the_core_refusals(line):
    app = make_app(line.path, actor=line.ben)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("v")  # coverage is for coordinators: the key does nothing for volunteers
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        app.action_go("coverage")  # nor does the action (the palette does not offer it to them)
        await pilot.pause()
        assert any("Only coordinators" in str(n.message) for n in app._notifications)
        app.push_screen(CoverageScreen())  # were it opened anyway, the core's refusal is what shows
        await settle(pilot)
        refusal = app.screen.query_one("#coverage-refusal")
        assert refusal.display and "see the coverage report" in text_of(refusal)
        assert not app.screen.query_one("#gaps").display
        app.pop_screen()
        screen = await open_match(pilot)
        status = text_of(screen.query_one("#match-status"))
        assert "ben is not on a shift now: only the people on the current shift and coordinators" in status
        assert "-refused" in screen.query_one("#match-status").classes
        assert not screen.query_one("#match-candidates").display
        await ask(pilot, "grief")
        assert "ben is not on a shift now" in text_of(screen.query_one("#match-status"))
        assert "988" in text_of(screen.query_one("LineHeader"))
        assert not any(n.severity == "error" for n in app._notifications)  # calm: no error toast
        screen.action_busy(True)  # b is disabled here; were it pressed anyway, the core refuses
        await settle(pilot)
        assert "ben is not on a shift now" in text_of(screen.query_one("#match-message"))
        assert not line.audit("busy.on")


@pytest.mark.slow
async def test_b_marks_me_busy_and_free_and_l_logs_an_anonymous_call(line):
    app = make_app(line.path, actor=line.cleo)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_match(pilot)
        await ask(pilot, "grief")
        await pilot.press("b")
        await settle(pilot)
        with line.db() as db:
            seat = calls.on_shift(db.conn, line.cleo.id, now())
        assert seat is not None and seat.busy_since is not None and seat.shift_id == line.now_shift
        assert cells(screen, "cleo")["now"] == "BUSY"
        assert rows(screen)[-1] == "cleo"  # people on a call come last
        assert "ON A CALL" in text_of(screen.query_one("#match-status"))
        assert line.audit("busy.on")
        await pilot.press("b")
        await settle(pilot)
        with line.db() as db:
            assert calls.on_shift(db.conn, line.cleo.id, now()).busy_since is None
        assert cells(screen, "cleo")["now"] == "free"
        assert rows(screen)[0] == "cleo"
        assert line.audit("busy.off")
        # c logs the call (l is Load everywhere) with the needs asked (aliases and the language resolved), after a yes.
        await ask(pilot, "grief, eviction", language="es")
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "grief, housing insecurity, Spanish" in text_of(app.screen.query_one(".dialog-body"))
        await pilot.press("y")
        await settle(pilot)
        conn = sqlite3.connect(line.path)
        try:
            columns = [r[1] for r in conn.execute("PRAGMA table_info(call)")]
            logged = conn.execute("SELECT id, at_utc, taken_by FROM call ORDER BY id").fetchall()
            needs = {r[0] for r in conn.execute("SELECT tag_id FROM call_need WHERE call_id = ?", (logged[-1][0],))}
        finally:
            conn.close()
        assert columns == ["id", "at_utc", "taken_by"]  # no caller field of any kind
        assert len(logged) == 2 and logged[-1][2] == line.cleo.id
        assert logged[-1][1].startswith("2026-11-23T13:00")  # now, in UTC
        assert needs == {"grief", "housing-insecurity", "lang-es"}
        assert any(e.detail == "1 call, 3 needs; taken by cleo" for e in line.audit("call.log"))
        assert "Call logged" in text_of(screen.query_one("#match-message"))
        assert cells(screen, "cleo")["calls"] == "1"


@pytest.mark.slow
async def test_reload_updates_by_key_and_keeps_the_cursor(line):
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_match(pilot)
        await ask(pilot, "grief, trauma")
        table = screen.query_one("#match-candidates")
        table.move_cursor(row=1)
        await pilot.pause()
        with line.db() as other:  # another process: cleo goes on a call
            calls.set_busy(other, line.cleo, True)
        assert await until(pilot, lambda: rows(screen)[-1] == "cleo")
        assert table.cursor_key == "dev"
        assert table.get_row("dev")[1].plain == "dev"


# ---------------------------------------------------------------- coverage


def grief_row(screen):
    return next(r for r in screen.query_one(HeatMap).rows if r.label == "grief")


def gap_rows(screen) -> dict[str, list[str]]:
    table = screen.query_one("#gaps")
    return {key: [str(c) for c in table.get_row(key)] for key in table.keys}


async def open_coverage(pilot) -> CoverageScreen:
    await settle(pilot)
    await pilot.press("v")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CoverageScreen)
    return pilot.app.screen


@pytest.mark.slow
async def test_coverage_heat_map_gaps_and_filling_a_gap_in_one_step(line):
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_coverage(pilot)
        assert "Mon 23 – Sun 29 Nov 2026 · this week" in text_of(screen.query_one("#coverage-title"))
        cell = grief_row(screen).cells[WED * 4 + AFTERNOON]
        assert (cell.glyph, cell.mark) == ("█", UNCOVERED)  # one call a week, nobody offering grief then
        assert all(c.glyph == "·" for i, c in enumerate(grief_row(screen).cells) if i != WED * 4 + AFTERNOON)
        drawn = text_of(screen.query_one(HeatMap)).splitlines()
        assert "Wed 25" in drawn[0] and "N M A E" in drawn[1]
        assert any(row.startswith("grief") and "█✗" in row for row in drawn)  # readable without colour
        assert "✗ not covered" in text_of(screen.query_one("#heat-legend"))
        gaps = gap_rows(screen)
        assert list(gaps) == [f"demand:{line.wed_shift}:grief:0"]
        assert gaps[f"demand:{line.wed_shift}:grief:0"][:4] == ["Wed 25 13–17", "grief", "~1.0 calls", "cleo"]
        assert "1 gap, 1 fillable" in text_of(screen.query_one("#coverage-summary"))
        assert "Enter: put cleo (Cleo P., 1 shift this week) on it as peer" in text_of(
            screen.query_one("#gap-detail")
        )
        # Filling it is one step: the cursor starts on the first suggestion of the first gap.
        await pilot.press("enter")
        await settle(pilot)
        assert [a.handle for a in line.view(line.wed_shift).peers] == ["ana", "cleo"]
        assert "cleo as peer" in line.audit("assign")[-1].detail
        assert "cleo is on Wed 25 Nov 13:00 as peer" in text_of(screen.query_one("#coverage-message"))
        assert gap_rows(screen) == {}  # the gap is gone after the reload
        cell = grief_row(screen).cells[WED * 4 + AFTERNOON]
        assert cell.mark == ""  # 13–17 covers 13:00–14:00 and the hour of the call: all of it
        assert "No gaps ahead this week." in text_of(screen.query_one("#gap-detail"))
        # The weeks move with [ and ]; next week's Wednesday has no shift, so its grief is uncovered.
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert "next week" in text_of(screen.query_one("#coverage-title"))
        assert grief_row(screen).cells[WED * 4 + AFTERNOON].mark in (UNCOVERED, PARTLY)


async def test_a_refused_fill_is_shown_in_place(line):
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_coverage(pilot)
        with line.db() as other:  # someone else takes the free seat first
            rota.assign(other, line.coord, line.wed_shift, "ben", force=True)
        screen.action_fill()  # before this screen has heard of it
        assert await until(pilot, lambda: "no free peer seat" in text_of(screen.query_one("#coverage-message")))
        assert "-error" in screen.query_one("#coverage-message").classes
        assert "cleo" not in [a.handle for a in line.view(line.wed_shift).peers]
        assert isinstance(app.screen, CoverageScreen)  # no dialog: the refusal sits under the gaps
