"""Walkthroughs in a real terminal (issue 15): the whole job in the app, typed as a person would.

A volunteer sets their availability and a day off in "My settings", proposes a swap from one of
their shifts (the other person, in a second terminal on the same file, accepts it on Home), then
drops a shift within the cut-off and takes the cover request back. A coordinator, after `warmline init`
(the one CLI step), adds people, a coverage goal and a weekly series, auto-fills a month, and
Coverage shows the goal met. Every step is checked in the database too.

The terminals are test_tmux's (one tmux server and socket each, bounded polls, no fixed sleeps);
the clock is fixed (Monday 2026-11-23 08:00 in New York).
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXED_NOW, require_tool, warmline_script
from test_tmux import COORD_LOGIN, PASSPHRASE, STRANGER_LOGIN, WAIT, Terminal, base_env, cli, open_db

from warmline.views import words as labels


@contextlib.contextmanager
def app_terminal(tmp_path: Path, db: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[Terminal]:
    """`warmline --db DB ARGS` in its own tmux server (100 x 30), killed whatever happens."""
    term = Terminal(require_tool("tmux"), tmp_path)
    try:
        term.start([str(warmline_script()), "--db", str(db), *args], env or base_env(tmp_path, COORD_LOGIN))
        yield term
    finally:
        term.kill()


def quit_app(term: Terminal) -> None:
    """q on a screen (not in a field or a dialog), and the app ends cleanly."""
    term.keys("q")
    assert term.wait_exit() == 0


def poll(term: Terminal, ready, what: str, timeout: float = WAIT) -> str:
    """Poll the screen until ready(screen) holds; fail with the screen shown."""
    deadline = time.monotonic() + timeout
    shown = ""
    while time.monotonic() < deadline:
        shown = term.screen()
        if ready(shown):
            return shown
        time.sleep(0.1)
    pytest.fail(f"not on screen after {timeout:.0f} s: {what}\n--- screen ---\n{shown}", pytrace=False)


def palette(term: Terminal, title: str, *shown: str) -> str:
    """ctrl+p, the screen's title, enter: wait until the screen shows `shown`."""
    term.keys("C-p")
    term.wait_for("Search for commands")
    term.type(title)
    poll(term, lambda screen: screen.count(title) >= 2, f"{title!r} offered in the palette")  # typed, and listed
    term.keys("Enter")
    return term.wait_for(*shown)


# ---------------------------------------------------------------- a volunteer


def shift(tmp_path: Path, db: Path, start: str, end: str, *on: str) -> int:
    """A one-off shift (one peer seat, no backup seat) with `on` assigned as peers; its id."""
    out = cli(tmp_path, db, "shift", "add", "--start", start, "--end", end, "--seats", "1", "--backup", "0", "--json")
    shift_id = json.loads(out)["id"]
    for handle in on:
        cli(tmp_path, db, "assign", str(shift_id), handle)
    return shift_id


def when(db: Path, shift_id: int) -> str:
    """The shift as the app names it (Thu 26 Nov 17:00–21:00)."""
    from warmline import rota

    with open_db(db) as opened:
        return labels.when(rota.view(opened.conn, shift_id))


def peers(db: Path, shift_id: int) -> list[str]:
    from warmline import rota

    with open_db(db) as opened:
        return [a.handle for a in rota.view(opened.conn, shift_id).peers]


def sign_in(term: Terminal, handle: str) -> None:
    """Type the handle and the passphrase on the sign-in screen (each focus change waited for)."""
    term.wait_for("Sign in", "Handle", "Passphrase")
    typed(term, handle)
    in_handle = term.cursor()
    term.keys("Tab")
    term.wait_cursor_moves(in_handle)
    typed(term, PASSPHRASE, secret=True)
    term.keys("Enter")
    term.wait_for(f"{handle} · volunteer", "Your next shift")


def open_my_shift(term: Terminal, row: int, db: Path, shift_id: int) -> None:
    """Enter on the row-th of Home's "Your shifts" (focused): the shift dialog, titled with its day."""
    from warmline import rota

    with open_db(db) as opened:
        view = rota.view(opened.conn, shift_id)
    term.keys("Home", *["Down"] * row, "Enter")  # the table's own keys, handled in order
    term.wait_for(f"{labels.day(view.shift.start_local)} {view.shift.start_local.year} · {labels.span(view)}", "Peers (")


@pytest.mark.slow
def test_a_volunteer_sets_availability_swaps_a_shift_and_withdraws_a_cover_request(tmp_path, monkeypatch):
    monkeypatch.setenv("WARMLINE_NOW", FIXED_NOW)  # labels and the checks below read the core's clock
    db = tmp_path / "rota.db"
    cli(tmp_path, db, "init", "--name", "Harbor Test Line", "--tz", "America/New_York", "--coordinator", "coord")
    for handle, name in (("ana", "Ana R"), ("ben", "Ben S")):
        cli(tmp_path, db, "people", "add", handle, "--name", name)
        cli(tmp_path, db, "people", "passphrase", handle, extra={"WARMLINE_NEW_PASSPHRASE": PASSPHRASE})
    soon = shift(tmp_path, db, "2026-11-24T17:00", "2026-11-24T21:00", "ana")  # within the 48 h cut-off
    mine = shift(tmp_path, db, "2026-11-26T17:00", "2026-11-26T21:00", "ana")  # the one ana gives
    theirs = shift(tmp_path, db, "2026-11-27T17:00", "2026-11-27T21:00", "ben")  # the one she takes
    saturday = shift(tmp_path, db, "2026-11-28T17:00", "2026-11-28T21:00", "ben")  # on her day off
    morning = shift(tmp_path, db, "2026-11-29T09:00", "2026-11-29T13:00", "ben")  # outside her window
    # The real uid is the coordinator's login: the app asks who you are only once nobody's it is.
    cli(tmp_path, db, "people", "edit", "coord", "--login", COORD_LOGIN)
    ana_env = base_env(tmp_path, STRANGER_LOGIN)

    with app_terminal(tmp_path, db, env=ana_env) as ana:
        sign_in(ana, "ana")
        ana.wait_for(when(db, soon), when(db, mine))

        # 1. Availability and a day off, in My settings.
        set_availability_and_a_day_off(ana)
        from warmline import availability, identity

        with open_db(db) as opened:
            mine_now = availability.of(opened.conn, identity.get(opened.conn, "ana"))
        assert [(w.weekday, f"{w.start:%H:%M}", f"{w.end:%H:%M}") for w in mine_now.available] == [
            (day, "16:00", "22:00") for day in range(7)
        ]
        assert mine_now.preferred == ()
        assert [(t.first_day.isoformat(), t.last_day.isoformat()) for t in mine_now.time_off] == [
            ("2026-11-28", "2026-11-28")
        ]

        # 2. A swap: s on Thursday's shift offers only what passes the rules for both.
        ana.keys("h")
        ana.wait_for("Your shifts")
        open_my_shift(ana, 1, db, mine)
        ana.keys("s")
        picker = ana.wait_for(when(db, theirs), "ben (peer)", "2 left out")  # Saturday's and Sunday's
        assert when(db, saturday) not in picker and when(db, morning) not in picker, picker
        ana.wait_for("No rule is broken: enter asks ben.")
        ana.keys("Enter")
        ana.wait_for("proposed: it waits for ben.")
        with open_db(db) as opened:
            from warmline import identity, swaps

            (swap,) = swaps.swaps(opened.conn, identity.get(opened.conn, "ana"), open_only=True)
        assert (swap.from_shift_id, swap.to_shift_id, swap.waiting_for) == (mine, theirs, "ben")
        ana.keys("Escape")
        ana.wait_gone("Peers (")
        ana.wait_for("Swaps for you", "waiting for ben")  # on her Home, until ben answers

        # ... ben, in a terminal of his own on the same file, sees it on his Home and accepts it.
        ben_env = base_env(tmp_path, STRANGER_LOGIN) | {"WARMLINE_PASSPHRASE": PASSPHRASE}
        with app_terminal(tmp_path, db, "--as", "ben", env=ben_env) as ben:
            ben.wait_for("ben · volunteer", "Your next shift")
            accept_swap_on_home(ben, swap.id)
            quit_app(ben)
        assert peers(db, mine) == ["ben"] and peers(db, theirs) == ["ana"]

        # 3. A drop within the cut-off asks for cover; w in the shift dialog takes it back.
        ana.wait_gone("waiting for ben")  # ana's Home has noticed: the swap is done
        ana.wait_for(when(db, theirs))
        open_my_shift(ana, 0, db, soon)
        ana.keys("d")
        ana.wait_for("Drop this shift? This asks for cover")
        ana.keys("y")
        ana.wait_for("Cover asked by: you")
        with open_db(db) as opened:
            from warmline import rota

            assert [c.handle for c in rota.view(opened.conn, soon).cover] == ["ana"]
        ana.keys("w")
        ana.wait_for("Cover request withdrawn: the shift stays yours.")
        ana.wait_gone("Cover asked by")
        ana.keys("Escape")
        ana.wait_gone("Peers (")
        quit_app(ana)

    from warmline import rota

    with open_db(db) as opened:
        view = rota.view(opened.conn, soon)
        assert [a.handle for a in view.peers] == ["ana"] and view.cover == []
        withdrawn = opened.conn.execute(
            "SELECT count(*) FROM cover_request WHERE shift_id = ? AND status = 'withdrawn'", (soon,)
        ).fetchone()[0]
    assert withdrawn == 1


def set_availability_and_a_day_off(term: Terminal) -> None:
    """My settings: a window every day 16:00-22:00 (a: the window dialog), and Saturday 28 November
    off (t: the time-off dialog); each is saved as it is added."""
    palette(term, "My settings", "When you can take shifts", "Time off")
    term.keys("a")
    term.wait_for("Add a window when you can take shifts")
    press_button(term, "Every day", 9)  # from Mon past the seven days to the presets: Weekdays, Weekend, Every day
    poll(term, lambda shown: shown.count("▐X▌") == 7, "every day ticked")
    fill(term, "From", "16:00", before="To")
    fill(term, "To", "22:00")
    term.keys("C-s")
    term.wait_gone("Add a window when you can take shifts")
    term.wait_for("available Mon 16:00–22:00, Tue 16:00–22:00")  # as `availability list` says them
    term.keys("t")
    term.wait_for("Add time off", "First day")
    typed(term, "2026-11-28")
    term.keys("C-s")
    term.wait_gone("First day")  # the dialog closed
    term.wait_for("Sat 28 Nov 2026", "1 day")  # the row in Time off


def accept_swap_on_home(term: Terminal, swap_id: int) -> None:
    """The swap offered to me is on Home ("Swaps for you", which takes the focus): a asks, y accepts."""
    term.wait_for("Swaps for you", "ana asks you")
    term.wait_for("a Accept")  # the footer: the swap's row has the focus
    term.keys("a")
    term.wait_for("Accept this swap?")
    term.keys("y")
    term.wait_for(f"Swap {swap_id} done: the shifts are swapped.")


# ---------------------------------------------------------------- a coordinator


def cursor_in(term: Terminal, label: str, before: str | None = None) -> bool:
    """True when the terminal cursor (in the focused input) is right of `label` on its row, and left
    of `before` when that is on the row too (fields side by side: Start, End, Seats, Backup)."""
    x, y = (int(n) for n in term.cursor().split(","))
    lines = term.screen().splitlines()
    if y >= len(lines) or label not in lines[y]:
        return False
    line = lines[y]
    if line.index(label) >= x:
        return False
    return before is None or before not in line[line.index(label):] or line.index(before, line.index(label)) > x


def fill(
    term: Terminal, label: str, text: str, *, tabs: int = 1, before: str | None = None, secret: bool = False
) -> None:
    """Tab to the input labelled `label` (waiting for the cursor to be in it), then type `text` over what it
    held (a secret shows as dots: the row then has one per character)."""
    term.keys(*["Tab"] * tabs)
    deadline = time.monotonic() + WAIT
    while not cursor_in(term, label, before):
        if time.monotonic() > deadline:
            pytest.fail(f"the cursor never reached {label!r}\n--- screen ---\n{term.screen()}", pytrace=False)
        time.sleep(0.05)
    typed(term, text, secret=secret)


def typed(term: Terminal, text: str, *, secret: bool = False) -> None:
    """Type into the focused input and wait until it holds the text: the cursor right after it on its
    row (a placeholder with the same words has the cursor before it). A secret shows as dots.

    A priority key (ctrl+s) sent meanwhile could overtake the characters on their way to the input.
    """
    term.type(text)
    shown = "•" * len(text) if secret else text

    def landed(screen: str) -> bool:
        x, y = (int(n) for n in term.cursor().split(","))
        line = screen.splitlines()[y] if y < len(screen.splitlines()) else ""
        # Textual puts the terminal's cursor one cell after the input's caret (the caret's own cell is drawn).
        return any(line.find(shown, max(0, x - len(shown) - 1)) == x - len(shown) - gap for gap in (1, 0))

    poll(term, landed, f"{shown!r} typed in at the cursor")
    if secret:
        assert text not in term.screen()


def press_button(term: Terminal, label: str, tabs: int) -> None:
    """Tab `tabs` times to the button `label` (its style changes when it has the focus), then enter."""
    unfocused = term.style_of(label)
    term.keys(*["Tab"] * tabs)
    poll(term, lambda _shown: term.style_of(label) != unfocused, f"{label!r} focused")
    term.keys("Enter")


def add_person(term: Terminal, handle: str, name: str, languages: str, *, login: str = "", passphrase: str = "") -> None:
    """People, n: the Add-person form (Handle, Name, Role, Pronouns, Login, Languages, Offers, four
    limits, Passphrase, Again); ctrl+s adds."""
    term.keys("n")
    term.wait_for("Add a person", "Handle")
    typed(term, handle)
    fill(term, "Name", name)
    if login:
        fill(term, "Login", login, tabs=3)  # past Role and Pronouns
        fill(term, "Languages", languages)
    else:
        fill(term, "Languages", languages, tabs=4)
    if passphrase:
        fill(term, "Passphrase", passphrase, tabs=6, secret=True)  # past Offers and the four limits
        fill(term, "Again", passphrase, secret=True)
    term.keys("C-s")
    term.wait_for(f"Added {name} ({handle}).")
    term.wait_gone("Add a person")


@pytest.mark.slow
def test_a_coordinator_goes_from_init_to_an_autofilled_goal_covered_month_in_the_app(tmp_path, monkeypatch):
    monkeypatch.setenv("WARMLINE_NOW", FIXED_NOW)
    db = tmp_path / "rota.db"
    # The one CLI step: the real uid's login becomes the coordinator's, so the app opens on Home.
    cli(tmp_path, db, "init", "--name", "Harbor Test Line", "--tz", "America/New_York", "--coordinator", "coord")

    with app_terminal(tmp_path, db) as term:
        term.wait_for("coord · coordinator", "Your next shift")

        # People: three volunteers, two of them speaking Spanish; one signs in with a passphrase,
        # one with their login on this computer.
        term.keys("p")
        term.wait_for("People", "Filter by handle")
        add_person(term, "ana-r", "Ana Ruiz", "Spanish, English", passphrase=PASSPHRASE)
        add_person(term, "ben-s", "Ben Soto", "Spanish", login="bsoto")
        add_person(term, "cy-k", "Cy Kim", "English")

        # A goal: someone speaking Spanish every evening, 17:00-21:00.
        palette(term, "Goals", "Coverage goals", "n adds")
        term.keys("n")
        term.wait_for("Add a coverage goal", "Tag or language")
        typed(term, "Spanish")
        fill(term, "From", "17:00", tabs=2)  # past Days ("daily" already)
        fill(term, "To", "21:00")
        term.keys("C-s")
        term.wait_for("Added the goal: Spanish, every day 17:00–21:00, at least 1.")

        # A weekly series: every day 17:00-21:00 from today to 20 December, one peer seat.
        term.keys("r")
        term.wait_for("this week", "shifts ·")
        term.keys("n")
        term.wait_for("New shift", "Repeat")
        fill(term, "Until", "2026-12-20")
        fill(term, "Start", "17:00", before="End")
        fill(term, "End", "21:00", before="Seats")
        fill(term, "Seats", "1", before="Backup")
        fill(term, "Backup", "0")
        # Past the four time presets and the seven days to the day presets: Weekdays, Weekend, Every day.
        press_button(term, "Every day", 14)
        poll(term, lambda shown: shown.count("▐X▌") == 7, "every day ticked")
        term.keys("C-s")
        term.wait_for("Created")
        term.wait_gone("New shift")

        # Auto-fill the four weeks: From is this Monday already; To, then enter proposes.
        palette(term, "Auto-fill", "nothing is written until you apply it", "2026-11-23")
        fill(term, "To", "2026-12-20")
        term.keys("Enter")
        term.wait_for("28 of 28 open seats filled", "goal: Spanish", timeout=40)
        term.keys("Enter")
        term.wait_for("Applied: 28 seats filled.")

        # Coverage: each of the four weeks has its goal met and no gap.
        term.keys("Escape")  # out of the To field and the screen: Home
        term.wait_for("Your next shift")
        term.keys("v")
        term.wait_for("shifts ·")
        term.keys("t")  # this week, whichever week Coverage opens on
        for week, sunday in enumerate(("Sun 29 Nov 2026", "Sun 6 Dec 2026", "Sun 13 Dec 2026", "Sun 20 Dec 2026")):
            if week:
                term.type("]")
            term.wait_for(sunday, "7 shifts", "goals 7/7", "0 gaps")
        palette(term, "Goals", "1 goal · all met")  # and Goals says so for this week
        term.keys("h")
        term.wait_for("Your next shift", "Open seats you can take")
        quit_app(term)

    from datetime import datetime

    from warmline import coverage, identity, rota
    from warmline.recurrence import zone

    with open_db(db) as opened:
        conn = opened.conn
        ana, ben, cy = (identity.get(conn, h) for h in ("ana-r", "ben-s", "cy-k"))
        assert [p.active for p in (ana, ben, cy)] == [True, True, True]
        assert ben.login == "bsoto" and ana.login is None and not ana.is_coordinator
        assert ana.has_passphrase and not ben.has_passphrase and not cy.has_passphrase
        assert (set(ana.languages), ben.languages, cy.languages) == ({"lang-es", "lang-en"}, ("lang-es",), ("lang-en",))
        coord = identity.get(conn, "coord")
        (goal,) = coverage.goals(conn)
        assert goal.describe() == "Spanish, every day 17:00–21:00, at least 1"
        tz = zone("America/New_York")
        start, end = datetime(2026, 11, 23, tzinfo=tz), datetime(2026, 12, 21, tzinfo=tz)
        views = rota.views(conn, start, end)
        (series,) = {rota.get_series(conn, v.shift.series_id) for v in views}
        assert (series.rule, series.first_day, series.until_day) == (
            "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU", "2026-11-23", "2026-12-20"
        )
        assert (series.start_time, series.end_time, series.seats, series.backup_seats) == ("17:00", "21:00", 1, 0)
        assert len(views) == 28 and all(v.shift.series_id is not None for v in views)
        assert all(len(v.peers) == 1 and v.open_seats == 0 for v in views)
        report = coverage.coverage(conn, coord, start, end)
        assert len(report.shifts) == 28 and all(s.goals_met for s in report.shifts)
        assert report.gaps == () and report.past_gaps == ()
        assert {h for s in report.shifts for h in s.peers} <= {"ana-r", "ben-s"}
