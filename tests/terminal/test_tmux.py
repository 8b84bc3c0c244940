"""Real-terminal tests: the installed `warmline` in tmux, driven by send-keys, read by capture-pane.

Each test builds the demo line with the installed CLI, starts `warmline --db PATH` in a
detached tmux session (100 × 30, its own server socket), types as a person would, waits
for text on the screen (bounded polls, no fixed sleeps), quits, and then checks the
database itself. The OS login the app sees is the real uid's name (LOGNAME/USER are set
to other names here and ignored): the demo maps that login to its first coordinator, so
the coordinator's test opens straight on Home, and the volunteer's tests clear it first,
which opens the app on its sign-in screen.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import FIXED_NOW, require_tool, warmline_script

from warmline.views import words as labels

COORD_LOGIN = "wl-coordinator"  # set as LOGNAME/USER, which warmline does not trust: it reads the real uid
STRANGER_LOGIN = "wl-nobody"  # likewise; a volunteer's test clears the real uid's login, so the app asks who you are
PASSPHRASE = "tidal harbour lantern"
WAIT = 20.0  # seconds any one thing may take to appear on screen
SGR = re.compile(r"\x1b\[[0-9;:]*m")


def base_env(tmp_path: Path, login: str) -> dict[str, str]:
    """The environment of every warmline process here: fixed clock, a chosen login, nothing inherited."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("WARMLINE_") and k not in ("LOGNAME", "USER", "LNAME", "USERNAME", "TMUX", "NO_COLOR")
    }
    env.update(
        WARMLINE_NOW=FIXED_NOW,
        LOGNAME=login,
        USER=login,
        XDG_DATA_HOME=str(tmp_path / "xdg-data"),
        XDG_CONFIG_HOME=str(tmp_path / "xdg-config"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def cli(tmp_path: Path, db: Path, *args: str, extra: dict[str, str] | None = None) -> str:
    env = base_env(tmp_path, COORD_LOGIN) | (extra or {})
    done = subprocess.run(
        [str(warmline_script()), "--db", str(db), *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, f"warmline {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """The demo line, built by the installed CLI; the coordinator login is mapped to its first coordinator."""
    if not warmline_script().exists():
        pytest.fail("the warmline console script is not installed beside this interpreter", pytrace=False)
    db = tmp_path / "demo.db"
    out = cli(tmp_path, db, "demo", "--no-tui")
    assert "you are coordinator" in out, out
    return db


class Terminal:
    """One tmux server (own socket) running one command in a 100 × 30 window."""

    def __init__(self, tmux: str, tmp_path: Path) -> None:
        self.tmux = tmux
        self.socket = f"warmline-test-{uuid.uuid4().hex[:12]}"
        self.tmp_path = tmp_path
        self.socket_path: Path | None = None

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.tmux, "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            timeout=15,
            check=check,
        )

    def start(self, command: list[str], env: dict[str, str]) -> None:
        # `env -i` so the app sees exactly `env`, whatever the tmux server inherited.
        line = " ".join(
            ["exec", "env", "-i", *(shlex.quote(f"{k}={v}") for k, v in env.items()), *map(shlex.quote, command)]
        )
        self._run("new-session", "-d", "-s", "main", "-x", "100", "-y", "30", line)
        self._run("set-option", "-t", "main", "remain-on-exit", "on")  # keep the pane to read how it ended
        found = self._run("display-message", "-p", "#{socket_path}", check=False).stdout.strip()
        self.socket_path = Path(found) if found else None

    def keys(self, *keys: str) -> None:
        """Named keys (Enter, Tab, Down, Escape...), one send-keys call each."""
        for key in keys:
            self._run("send-keys", "-t", "main", key)

    def type(self, text: str) -> None:
        """Literal text (no key names); Enter is sent separately, or it can be lost."""
        self._run("send-keys", "-t", "main", "-l", text)

    def screen(self) -> str:
        done = self._run("capture-pane", "-p", "-t", "main", check=False)
        return done.stdout

    def wait_for(self, *texts: str, timeout: float = WAIT) -> str:
        """Poll the screen until every text is on it; fail with the screen shown."""
        deadline = time.monotonic() + timeout
        shown = ""
        while time.monotonic() < deadline:
            shown = self.screen()
            if all(t in shown for t in texts):
                return shown
            time.sleep(0.1)
        pytest.fail(f"not on screen after {timeout:.0f} s: {texts!r}\n--- screen ---\n{shown}", pytrace=False)

    def cursor(self) -> str:
        """Where the terminal cursor is ("x,y"): Textual puts it in the focused input."""
        return self._run("display-message", "-p", "-t", "main", "#{cursor_x},#{cursor_y}", check=False).stdout.strip()

    def wait_cursor_moves(self, before: str, timeout: float = WAIT) -> None:
        """Wait until focus has moved to another input (the cursor leaves `before`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.cursor() != before:
                return
            time.sleep(0.05)
        pytest.fail(f"the cursor stayed at {before} for {timeout:.0f} s\n--- screen ---\n{self.screen()}", pytrace=False)

    def style_of(self, text: str) -> str | None:
        """The colours and attributes a table row containing `text` starts with (None if not shown).

        Lines with a "·" are skipped: those are Home's next-shift summary, not table rows.
        """
        styled = self._run("capture-pane", "-p", "-e", "-t", "main", check=False).stdout
        for line in styled.splitlines():
            plain = SGR.sub("", line)
            if text in plain and "·" not in plain:
                return "".join(SGR.findall(line[: line.index(text)]))
        return None

    def wait_style(self, text: str, style: str, timeout: float = WAIT) -> None:
        """Wait until the row with `text` is drawn in `style` (e.g. as the focused table's cursor row)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.style_of(text) == style:
                return
            time.sleep(0.05)
        pytest.fail(f"{text!r} not drawn as {style!r} in {timeout:.0f} s\n--- screen ---\n{self.screen()}", pytrace=False)

    def wait_gone(self, text: str, timeout: float = WAIT) -> None:
        """Poll the screen until `text` is no longer on it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text not in self.screen():
                return
            time.sleep(0.1)
        pytest.fail(f"still on screen after {timeout:.0f} s: {text!r}\n--- screen ---\n{self.screen()}", pytrace=False)

    def exited(self) -> bool:
        done = self._run("display-message", "-p", "-t", "main", "#{pane_dead}", check=False)
        return done.returncode != 0 or done.stdout.strip() == "1"

    def wait_exit(self, timeout: float = WAIT) -> int:
        """Wait for the command to end; return its exit status."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.exited():
                done = self._run("display-message", "-p", "-t", "main", "#{pane_dead_status}", check=False)
                return int(done.stdout.strip() or 0)
            time.sleep(0.1)
        pytest.fail(f"warmline did not exit within {timeout:.0f} s\n--- screen ---\n{self.screen()}", pytrace=False)

    def kill(self) -> None:
        self._run("kill-server", check=False)
        if self.socket_path is not None:
            self.socket_path.unlink(missing_ok=True)  # tmux leaves the socket file behind


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = Terminal(require_tool("tmux"), tmp_path)
    try:
        yield term
    finally:
        term.kill()


def open_db(path: Path):
    from warmline.db import open_db as _open

    return _open(path)


@pytest.mark.slow
def test_volunteer_signs_in_and_claims_an_open_seat(demo, terminal, tmp_path, monkeypatch):
    monkeypatch.setenv("WARMLINE_NOW", FIXED_NOW)  # the checks below read the core's clock too
    from warmline import people, rota
    from warmline.clock import now

    moment = now()
    with open_db(demo) as db:
        volunteers = sorted((p for p in people.all_people(db.conn) if not p.is_coordinator), key=lambda p: p.id)
        # A volunteer with at least two seats they could claim: the test moves to the second row.
        for person in volunteers:
            seats = sorted(rota.claimable(db.conn, person, moment, moment + timedelta(weeks=4)),
                           key=lambda v: (v.shift.start_utc, v.shift.id))
            rows = [i for i, v in enumerate(seats) if i >= 1 and v.open_seats and not v.cover]
            if rows:
                break
        else:
            pytest.fail("the demo has no volunteer with an open seat to claim")
        mine = sorted(
            (v for v in rota.views(db.conn, moment - timedelta(hours=24), moment + timedelta(weeks=4),
                                   person_id=person.id) if v.shift.end_utc > moment),
            key=lambda v: (v.shift.start_utc, v.shift.id),
        )
    assert mine, f"{person.handle} has no shift of their own: Home's first table would be empty"
    row = rows[0]
    target = seats[row]
    cli(tmp_path, demo, "people", "passphrase", person.handle, extra={"WARMLINE_NEW_PASSPHRASE": PASSPHRASE})
    from hostile import plant

    plant(demo, "UPDATE person SET login = NULL")  # the real uid is nobody now: the app asks who you are
    terminal.start([str(warmline_script()), "--db", str(demo)], base_env(tmp_path, STRANGER_LOGIN))
    terminal.wait_for("Sign in", "Handle", "Passphrase", "not signed in")
    # A key that moves focus is handled after it bubbles up to the app, so keys sent right
    # behind it can still land in the old field: wait for each focus change to show.
    terminal.type(person.handle)
    terminal.wait_for(f" {person.handle} ")
    in_handle = terminal.cursor()
    terminal.keys("Tab")
    terminal.wait_cursor_moves(in_handle)  # now in the passphrase field
    terminal.type(PASSPHRASE)
    terminal.wait_for("•" * len(PASSPHRASE))  # the passphrase field shows a dot per character
    terminal.keys("Enter")
    terminal.wait_for(f"{person.handle} · volunteer", "Your next shift", "Open seats you can take", labels.when(target))

    # The focused table's cursor row looks like this (the first of "Your shifts", focused at start):
    focused = terminal.style_of(labels.when(mine[0]))
    assert focused and terminal.style_of(labels.when(seats[0])) != focused, terminal.screen()
    terminal.keys("Tab")  # from "Your shifts" to "Open seats you can take"
    terminal.wait_style(labels.when(seats[0]), focused)
    for _ in range(row):
        terminal.keys("Down")
    terminal.keys("c")
    terminal.wait_for(f"You are on {labels.when(target)}. Thank you.")
    terminal.keys("q")
    assert terminal.wait_exit() == 0

    with open_db(demo) as db:
        view = rota.view(db.conn, target.shift.id)
        assert person.id in [a.person_id for a in view.peers]
        assert view.open_seats == target.open_seats - 1
        theirs = rota.views(db.conn, moment, moment + timedelta(weeks=4), person_id=person.id)
        assert target.shift.id in [v.shift.id for v in theirs]


@pytest.mark.slow
def test_coordinator_assigns_from_the_rota(demo, terminal, tmp_path, monkeypatch):
    monkeypatch.setenv("WARMLINE_NOW", FIXED_NOW)
    from warmline import people, rota
    from warmline.access import os_user
    from warmline.clock import now
    from warmline.line import get as get_line
    from warmline.recurrence import zone

    with open_db(demo) as db:
        coordinator = next(p for p in people.all_people(db.conn) if p.is_coordinator and p.login == os_user())
        local = now().astimezone(zone(get_line(db.conn).tz))
        start = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
        week = rota.views(db.conn, start, start + timedelta(days=7))
        days: list[list] = [[] for _ in range(7)]
        for v in week:
            days[(v.shift.start_local.date() - start.date()).days].append(v)
        # The first shift this week, after today, with an open peer seat.
        target_day, target_index = next(
            (d, i)
            for d in range(1, 7)
            for i, v in enumerate(days[d])
            if v.shift.status == "scheduled" and v.open_seats and not v.cover
        )
        target = days[target_day][target_index]
        found = rota.candidates(db.conn, coordinator, target.shift.id)
        pick = next(i for i, c in enumerate(found) if c.eligible)
        chosen = found[pick].person

    terminal.start([str(warmline_script()), "--db", str(demo)], base_env(tmp_path, COORD_LOGIN))
    terminal.wait_for(f"{coordinator.handle} · coordinator", "Your next shift")
    terminal.keys("r")
    terminal.wait_for("this week", "shifts ·", "enter: details")
    for _ in range(target_day):
        terminal.keys("Right")
    for _ in range(target_index):
        terminal.keys("Down")
    terminal.wait_for(f"{labels.when(target)} ·")  # the status line under the grid names the shift
    terminal.keys("Enter")
    terminal.wait_for("Peers (", "Backup (", "Assign")
    terminal.keys("a")
    terminal.wait_for(f"Assign to {labels.when(target)}", "can take this shift")
    for _ in range(pick):
        terminal.keys("Down")
    terminal.wait_for(f"{chosen.handle} can take this shift.")
    terminal.keys("Enter")
    terminal.wait_for(f"{chosen.handle} is on as peer.")
    terminal.keys("Escape")
    terminal.wait_gone("Peers (")  # the dialog closed (an escape followed at once by q would read as alt+q)
    terminal.keys("q")
    assert terminal.wait_exit() == 0

    with open_db(demo) as db:
        view = rota.view(db.conn, target.shift.id)
        assert chosen.id in [a.person_id for a in view.peers]
        assert view.open_seats == target.open_seats - 1


@pytest.mark.slow
def test_a_burst_sign_in_never_shows_the_passphrase(demo, tmp_path, monkeypatch):
    """Handle, Enter, passphrase and Enter in one send-keys (as a paste or a password manager
    types them): the passphrase never appears on the screen, and the person is signed in."""
    monkeypatch.setenv("WARMLINE_NOW", FIXED_NOW)
    from warmline import people

    with open_db(demo) as db:
        person = min((p for p in people.all_people(db.conn) if not p.is_coordinator and p.active), key=lambda p: p.id)
    cli(tmp_path, demo, "people", "passphrase", person.handle, extra={"WARMLINE_NEW_PASSPHRASE": PASSPHRASE})
    from hostile import plant

    plant(demo, "UPDATE person SET login = NULL")  # whoever runs this, the app asks who they are
    tmux = require_tool("tmux")
    for attempt in range(3):
        term = Terminal(tmux, tmp_path)
        try:
            term.start([str(warmline_script()), "--db", str(demo)], base_env(tmp_path, STRANGER_LOGIN))
            term.wait_for("Sign in", "Handle", "Passphrase", "not signed in")
            # One send-keys: tmux writes the whole burst to the terminal at once. The last try
            # types as a password manager does: handle, Tab, passphrase, Enter.
            between = "Tab" if attempt == 2 else "Enter"
            term._run("send-keys", "-t", "main", person.handle, between, PASSPHRASE, "Enter")
            deadline = time.monotonic() + WAIT
            shown = term.screen()
            while time.monotonic() < deadline:
                assert PASSPHRASE not in shown and "harbour" not in shown, f"try {attempt}: echoed\n{shown}"
                if f"{person.handle} · volunteer" in shown:
                    break
                time.sleep(0.05)
                shown = term.screen()
            else:
                pytest.fail(f"try {attempt}: not signed in after {WAIT:.0f} s\n--- screen ---\n{shown}", pytrace=False)
            term.keys("q")
            assert term.wait_exit() == 0
        finally:
            term.kill()


@pytest.mark.slow
def test_a_key_remapped_in_the_settings_file_in_a_real_terminal(demo, terminal, tmp_path):
    """[keys] in the settings file (read by the real entry point): g opens the rota, r no longer does."""
    env = base_env(tmp_path, COORD_LOGIN)
    settings = Path(env["XDG_CONFIG_HOME"]) / "warmline" / "config.toml"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text('[keys]\n"app.rota" = "g"\n')
    terminal.start([str(warmline_script()), "--db", str(demo)], env)
    home = terminal.wait_for("Your next shift", "g Rota")
    assert "r Rota" not in home
    terminal.keys("r", "F1")  # r does nothing now: the help opens on Home
    terminal.wait_for("Keys · Home", "app.rota")
    terminal.keys("Escape")
    terminal.wait_gone("Keys · Home")
    terminal.keys("g")
    terminal.wait_for("this week", "shifts ·")
    terminal.keys("q")
    assert terminal.wait_exit() == 0


@pytest.mark.slow
def test_a_wrong_passphrase_at_the_as_prompt_is_said_on_the_sign_in_screen(demo, terminal, tmp_path):
    """`warmline --as HANDLE` and a wrong passphrase at its prompt: the sign-in screen says why, with
    the handle filled in and the passphrase box focused (issue 15: it was blank, with no message)."""
    with open_db(demo) as db:
        from warmline import people

        volunteer = next(p for p in people.all_people(db.conn) if not p.is_coordinator and p.active)
    cli(tmp_path, demo, "people", "passphrase", volunteer.handle, extra={"WARMLINE_NEW_PASSPHRASE": PASSPHRASE})
    from hostile import plant

    plant(demo, "UPDATE person SET login = NULL")  # the real uid is nobody: --as asks for the passphrase
    terminal.start([str(warmline_script()), "--db", str(demo), "--as", volunteer.handle], base_env(tmp_path, STRANGER_LOGIN))
    terminal.wait_for("Passphrase")
    terminal.type("not the passphrase")
    terminal.keys("Enter")
    shown = terminal.wait_for("Sign in", f"cannot sign in as {volunteer.handle}", f" {volunteer.handle} ")
    assert "not the passphrase" not in shown
    terminal.type(PASSPHRASE)  # the passphrase box has the focus: type it again and go in
    terminal.wait_for("•" * len(PASSPHRASE))
    terminal.keys("Enter")
    terminal.wait_for(f"{volunteer.handle} · volunteer", "Your next shift")
