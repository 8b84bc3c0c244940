"""Push through Apprise, against real local endpoints on 127.0.0.1: an SMTP server (aiosmtpd) and an
HTTP JSON endpoint (http.server in a thread). The host's `warmline notify --once/--daemon --push-all`
delivers each person's notifications to their own destinations; a failing endpoint is retried with
the outbox's backoff; a destination's token shows in no output at all (settings text and JSON, the
audit, people show, notify list, delivery errors, the daemon's log lines).

The rota: ria (a volunteer, with a passphrase and two lived-experience tags) is on two shifts on
Tuesday that the coordinator cancels on Monday 08:00, so two 'cancelled' notifications are due for
her at once. The coordinator's login is this OS user, so `warmline notify --push-all` runs as them.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import warmline_script
from warmline import people, rota
from warmline.access import os_user
from warmline.db import open_db
from warmline.line import create

pytest.importorskip("apprise")
pytest.importorskip("aiosmtpd")

TZ = ZoneInfo("America/New_York")
NOW = "2026-11-23T08:00:00-05:00"
PASSPHRASE = "correct horse battery"
SMTP_SECRET = "SmtpPw7788Qx"
JSON_SECRET = "JsonTok99Zq41"
TAGS = ("leaving detox", "veteran")
TIMEOUT = 60


# ---------------------------------------------------------------- the endpoints


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    """aiosmtpd on 127.0.0.1 with AUTH (no TLS), keeping each message received."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        self.messages: list[bytes] = []
        self.port = free_port()
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                outer.messages.append(envelope.content)
                return "250 OK"

        def authenticate(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login == b"warm" and auth_data.password == SMTP_SECRET.encode()
            return AuthResult(success=ok)

        self.controller = Controller(
            Handler(), hostname="127.0.0.1", port=self.port, authenticator=authenticate, auth_require_tls=False
        )

    @property
    def url(self) -> str:
        # mailto:// (not mailtos://) with mode=insecure: plain SMTP, no STARTTLS, to a local server.
        return (
            f"mailto://warm:{SMTP_SECRET}@127.0.0.1:{self.port}"
            "?mode=insecure&from=rota@example.org&to=ria@example.org"
        )

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


class JsonEndpoint:
    """An HTTP server on 127.0.0.1 that answers POST /JSON_SECRET with `codes` in turn (then 200)."""

    def __init__(self, codes: tuple[int, ...] = ()) -> None:
        self.codes = list(codes)
        self.bodies: list[dict] = []
        self.statuses: list[int] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(min(length, 1_000_000))
                code = outer.codes.pop(0) if outer.codes else 200
                if self.path.strip("/") != JSON_SECRET:
                    code = 404
                outer.statuses.append(code)
                if code == 200:
                    outer.bodies.append(json.loads(raw))
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.port}/{JSON_SECRET}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


# ---------------------------------------------------------------- the rota and the CLI


@pytest.fixture
def rota_file(tmp_path, fixed_now):
    path = tmp_path / "push.db"
    db = open_db(path, create=True)
    try:
        create(db, name="T", tz="America/New_York", actor="coord", first_coordinator=("coord", "Cora", os_user()))
        coord = people.get(db.conn, "coord")
        people.add(db, coord, handle="ria", name="Ria", tags=list(TAGS), tags_set_by_self=True)  # her own: offered
        people.set_passphrase(db, coord, "ria", PASSPHRASE)
        for hour in (10, 14):
            start = datetime(2026, 11, 24, hour, tzinfo=TZ)
            s = rota.add_shift(db, coord, start=start, end=start.replace(hour=hour + 3), seats=1, backup=0)
            rota.assign(db, coord, s.id, "ria")
            rota.cancel_shift(db, coord, s.id)
    finally:
        db.close()
    return path


def env_for(path: Path, as_ria: bool = False, now: str = NOW) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARMLINE_")}
    env.update(WARMLINE_DB=str(path), WARMLINE_NOW=now, NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1")
    if as_ria:
        env.update(WARMLINE_AS="ria", WARMLINE_PASSPHRASE=PASSPHRASE)
    return env


def run(path: Path, *args: str, as_ria: bool = False, now: str = NOW) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(warmline_script()), *args],
        env=env_for(path, as_ria, now),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
        cwd=path.parent,
    )


def no_secret(*texts: str) -> None:
    for text in texts:
        for secret in (SMTP_SECRET, JSON_SECRET):
            assert secret not in text, f"a destination token leaked into: {text[:400]}"


def outputs(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout + result.stderr


def notification_rows(path: Path) -> list[dict]:
    db = open_db(path)
    try:
        return [dict(r) for r in db.conn.execute("SELECT * FROM notification ORDER BY id")]
    finally:
        db.close()


def add_destinations(path: Path, *urls: str) -> subprocess.CompletedProcess[str]:
    args = ["notify", "settings"]
    for url in urls:
        args += ["--push", url]
    result = run(path, *args, as_ria=True)
    assert result.returncode == 0, result.stderr
    return result


# ---------------------------------------------------------------- settings: masked to everyone


@pytest.mark.slow
def test_destinations_are_shown_masked_to_everyone_and_never_written_out(rota_file):
    with SmtpServer() as smtp, JsonEndpoint() as endpoint:
        added = add_destinations(rota_file, smtp.url, endpoint.url)
        assert "push mailto://*** (push 1), json://*** (push 2)" in added.stdout
        mine = run(rota_file, "notify", "settings", "--json", as_ria=True)
        assert json.loads(mine.stdout)["push"] == ["mailto://*** (push 1)", "json://*** (push 2)"]
        # The coordinator sees the same masked forms and nothing more.
        theirs = run(rota_file, "notify", "settings", "--person", "ria", "--json")
        assert json.loads(theirs.stdout)["push"] == ["mailto://*** (push 1)", "json://*** (push 2)"]
        texts = [
            added, mine, theirs,
            run(rota_file, "notify", "settings", "--person", "ria"),
            run(rota_file, "audit"),
            run(rota_file, "audit", "--json"),
            run(rota_file, "people", "show", "ria"),
            run(rota_file, "people", "show", "ria", "--json"),
            run(rota_file, "notify", "list", "--person", "ria", "--json"),
        ]
        for result in texts:
            assert result.returncode == 0, result.stderr
            no_secret(outputs(result))
        audit_text = texts[4].stdout
        assert "added push 1 (mailto)" in audit_text and "added push 2 (json)" in audit_text
        # Adding the same URL again adds nothing; a coordinator cannot add one for ria.
        again = add_destinations(rota_file, endpoint.url)
        assert "(push 3)" not in again.stdout
        refused = run(rota_file, "notify", "settings", "--person", "ria", "--push", "json://127.0.0.1:9/coordtok55")
        assert refused.returncode == 1 and "only ria may add their own push destinations" in refused.stderr
        assert "coordtok55" not in outputs(refused)
    # The URLs are stored as given (the push channel needs them) and only there.
    db = open_db(rota_file)
    try:
        urls = [r[0] for r in db.conn.execute("SELECT url FROM push_destination ORDER BY id")]
        assert urls == [smtp.url, endpoint.url]
        everything_else = "\n".join(
            str(tuple(r)) for table in ("audit", "notification", "notify_pref")
            for r in db.conn.execute(f"SELECT * FROM {table}")
        )
        no_secret(everything_else)
    finally:
        db.close()
    # --no-push removes them all; a volunteer may not remove someone else's.
    volunteer = run(rota_file, "notify", "settings", "--person", "coord", "--no-push", as_ria=True)
    assert volunteer.returncode == 1 and volunteer.stderr.startswith("error: ")
    cleared = run(rota_file, "notify", "settings", "--no-push", "--json", as_ria=True)
    assert json.loads(cleared.stdout)["push"] == []


@pytest.mark.fast_tier_sample(4)
@pytest.mark.parametrize(
    "url, why",
    [
        ("nonsense-without-scheme-TokQ1", "has no scheme://"),
        ("zzzz://host/TokQ1", "Apprise does not understand that zzzz:// destination"),
        ("json://127.0.0.1/\x1b]0;TokQ1", "contains"),
        ("", "is empty"),
    ],
    ids=["no-scheme", "unknown-service", "control-character", "empty"],
)
def test_a_bad_destination_is_refused_without_quoting_it(rota_file, url, why):
    result = run(rota_file, "notify", "settings", "--push", url, as_ria=True)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and why in lines[0]
    assert "TokQ1" not in outputs(result)
    db = open_db(rota_file)
    try:
        assert db.conn.execute("SELECT count(*) FROM push_destination").fetchone()[0] == 0
    finally:
        db.close()


# ---------------------------------------------------------------- delivery


@pytest.mark.slow
def test_the_hosts_push_round_reaches_smtp_and_a_json_endpoint(rota_file):
    with SmtpServer() as smtp, JsonEndpoint() as endpoint:
        add_destinations(rota_file, smtp.url, endpoint.url)
        result = run(rota_file, "notify", "--once", "--push-all")
        assert result.returncode == 0, result.stderr
        no_secret(outputs(result))
        sent = [line for line in result.stdout.splitlines() if line.startswith("ria: sent ")]
        assert len(sent) == 2 and all(line.endswith("(push)") for line in sent), result.stdout
        # Each endpoint got both notifications: titles and bodies as the outbox wrote them.
        assert len(endpoint.bodies) == 2 and len(smtp.messages) == 2
        rows = notification_rows(rota_file)
        assert [(r["state"], r["channel"]) for r in rows] == [("sent", "push"), ("sent", "push")]
        assert sorted(b["title"] for b in endpoint.bodies) == sorted(r["title"] for r in rows)
        assert sorted(b["message"] for b in endpoint.bodies) == sorted(r["body"] for r in rows)
        letters = [email.message_from_bytes(m, policy=email.policy.default) for m in smtp.messages]
        assert sorted(str(m["Subject"]) for m in letters) == sorted(r["title"] for r in rows)
        assert sorted(m.get_body(preferencelist=("plain",)).get_content().strip() for m in letters) == sorted(
            r["body"] for r in rows
        )
        mail = "\n".join(m.as_string() for m in letters)
        # Times, shift numbers and names only: no tag reaches any endpoint.
        delivered = (mail + json.dumps(endpoint.bodies)).lower()
        for tag in TAGS:
            assert tag not in delivered
        # A second round sends nothing more.
        again = run(rota_file, "notify", "--once", "--push-all")
        assert "Nothing due for anyone with a push destination." in again.stdout
        assert len(endpoint.bodies) == 2 and len(smtp.messages) == 2


@pytest.mark.slow
def test_a_failing_endpoint_is_retried_with_backoff_then_succeeds(rota_file):
    with JsonEndpoint(codes=(500, 500)) as endpoint:
        add_destinations(rota_file, endpoint.url)
        first = run(rota_file, "notify", "--once", "--push-all", "--json")
        assert first.returncode == 0, first.stderr
        no_secret(outputs(first))
        report = json.loads(first.stdout)
        assert [r["result"] for r in report] == ["retry", "retry"]
        assert all(r["error"] == "push: json://*** (push 1) not reached" for r in report)
        rows = notification_rows(rota_file)
        assert [(r["state"], r["attempts"]) for r in rows] == [("pending", 1), ("pending", 1)]
        assert all(r["next_attempt_utc"] == "2026-11-23T13:00:30Z" for r in rows)  # 30 s later
        no_secret(json.dumps(rows))
        listed = run(rota_file, "notify", "list", "--person", "ria")
        no_secret(outputs(listed))
        # Before the backoff ends nothing is tried; after it, both go through.
        early = run(rota_file, "notify", "--once", "--push-all", now="2026-11-23T08:00:20-05:00")
        assert "Nothing due" in early.stdout and endpoint.statuses == [500, 500]
        later = run(rota_file, "notify", "--once", "--push-all", now="2026-11-23T08:00:31-05:00")
        assert later.returncode == 0, later.stderr
        no_secret(outputs(later))
        assert later.stdout.count("ria: sent ") == 2
        assert endpoint.statuses == [500, 500, 200, 200] and len(endpoint.bodies) == 2
        assert [(r["state"], r["attempts"]) for r in notification_rows(rota_file)] == [("sent", 1), ("sent", 1)]


@pytest.mark.slow
def test_the_daemons_log_lines_never_hold_a_token(rota_file):
    """`notify --daemon --push-all` against an endpoint that refuses everything and an SMTP server
    with the wrong password: its lines say what failed, naming the masked destinations only."""
    bad_smtp = f"mailto://warm:{SMTP_SECRET}@127.0.0.1:{free_port()}?mode=insecure&from=a@example.org&to=b@example.org"
    with JsonEndpoint(codes=(500,) * 50) as endpoint:
        add_destinations(rota_file, bad_smtp, endpoint.url)
        proc = subprocess.Popen(
            [str(warmline_script()), "notify", "--daemon", "--push-all", "--interval", "1"],
            env=env_for(rota_file), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            stdin=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            while len(endpoint.statuses) < 2:
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline, "the daemon tried nothing"
                time.sleep(0.05)
            time.sleep(0.5)
        finally:
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=15)
        assert proc.returncode == 0, err
        no_secret(out, err)
        failed = [line for line in out.splitlines() if "ria: not sent" in line]
        assert len(failed) == 2, out
        assert all("mailto://*** (push 1)" in line and "json://*** (push 2) not reached" in line for line in failed)
        assert "stopped (SIGTERM)" in err


@pytest.mark.slow
def test_a_volunteer_cannot_run_everyones_push_round(rota_file):
    result = run(rota_file, "notify", "--once", "--push-all", as_ria=True)
    assert result.returncode == 1
    assert result.stderr.startswith("error: only coordinators may deliver everyone's push notifications")


@pytest.mark.slow
def test_a_persons_own_round_also_pushes(rota_file):
    """`warmline notify --once` as ria herself sends through her push destinations beside her channels."""
    with JsonEndpoint() as endpoint:
        add_destinations(rota_file, endpoint.url)
        assert run(rota_file, "notify", "settings", "--channels", "app", as_ria=True).returncode == 0
        result = run(rota_file, "notify", "--once", as_ria=True)
        assert result.returncode == 0, result.stderr
        assert result.stdout.count("(push)") == 2 and len(endpoint.bodies) == 2
        no_secret(outputs(result))


# ---------------------------------------------------------------- Apprise stays off the start-up path


CHECK = """
import json, sys
{code}
print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'apprise')))
"""


@pytest.mark.fast_tier_sample(4)
@pytest.mark.parametrize(
    "code",
    [
        "import warmline.cli",
        "import warmline.notify.delivery, warmline.notify.push, warmline.notify.channels",
        "import warmline.screens.app, warmline.screens.in_app",
        "import sys\nsys.argv = ['warmline', '--help']\nfrom warmline.cli import cli\ntry:\n    cli.main(standalone_mode=False)\nexcept SystemExit:\n    pass",
    ],
    ids=["import-cli", "notify-package", "the-app", "help"],
)
def test_apprise_is_imported_only_to_send_or_check(code, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARMLINE_")}
    env["WARMLINE_DB"] = str(tmp_path / "unused.db")
    done = subprocess.run(
        [sys.executable, "-c", CHECK.format(code=code)], env=env, cwd=tmp_path, capture_output=True, text=True,
        timeout=TIMEOUT, stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_without_apprise_adding_a_destination_says_what_to_install(monkeypatch, line_db, coordinator):
    from warmline.errors import Invalid
    from warmline.notify import push

    monkeypatch.setitem(sys.modules, "apprise", None)  # as if it were not installed
    with pytest.raises(Invalid, match=r"pip install 'warmline\[push\]'"):
        push.add(line_db, coordinator, ["json://127.0.0.1:9/x"])
    assert push.destinations(line_db.conn, coordinator.id) == []


@pytest.mark.slow
def test_a_destination_read_from_standard_input_stays_out_of_the_process_list(rota_file):
    """`--push -` takes the URL from standard input (argv is visible to every user of the machine)."""
    with JsonEndpoint() as endpoint:
        done = subprocess.run(
            [str(warmline_script()), "notify", "settings", "--push", "-", "--json"],
            env=env_for(rota_file, as_ria=True), input=endpoint.url + "\n", capture_output=True, text=True,
            timeout=TIMEOUT, cwd=rota_file.parent,
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["push"] == ["json://*** (push 1)"]
        no_secret(done.stdout + done.stderr)
        result = run(rota_file, "notify", "--once", "--push-all")
        assert result.stdout.count("ria: sent ") == 2 and len(endpoint.bodies) == 2


@pytest.mark.slow
def test_one_destination_failing_beside_one_that_works_is_named_and_not_retried(rota_file):
    with JsonEndpoint() as good, JsonEndpoint(codes=(500,) * 10) as bad:
        add_destinations(rota_file, good.url, bad.url)
        result = run(rota_file, "notify", "--once", "--push-all")
        assert result.returncode == 0, result.stderr
        no_secret(outputs(result))
        sent = [line for line in result.stdout.splitlines() if line.startswith("ria: sent ")]
        assert len(sent) == 2 and all(line.endswith("(push); push: json://*** (push 2) not reached") for line in sent)
        rows = notification_rows(rota_file)
        assert [(r["state"], r["last_error"]) for r in rows] == [("sent", "push: json://*** (push 2) not reached")] * 2
        assert len(good.bodies) == 2 and bad.statuses == [500, 500]
