"""`warmline serve` as a real process on loopback: the page over HTTP, the app over its websocket
(opening on the sign-in screen, whoever runs the server), and the refusals around it.

Only 127.0.0.1 is ever contacted; every wait is bounded and the server is stopped at the end.
"""

from __future__ import annotations

import asyncio
import signal
import time
import urllib.request
from pathlib import Path

import pytest

from serving import PASSPHRASE, free_port, open_tab, served_rota, serving, wait_for

WS_TIMEOUT = 30


def listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as in /proc/net/tcp) listening on `port`."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                found.add(address)
    return found


@pytest.fixture
def rota(run_cli):
    result = run_cli("init", "--name", "Served Line", "--tz", "America/New_York", "--coordinator", "boss")
    assert result.returncode == 0, result.stderr
    return run_cli


@pytest.fixture
def server(rota):
    """`warmline serve --port P` on the default host; yields (process, port); stopped afterwards."""
    # WARMLINE_AS must not decide who acts in the browser.
    with serving(rota, env={"WARMLINE_AS": "boss"}) as served:
        yield served.proc, served.port


async def _first_screen(port: int) -> bytes:
    """Open the websocket, say the browser's size, and collect what the app sends until sign-in shows."""
    import aiohttp

    received = b""
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(
            f"ws://127.0.0.1:{port}/ws?width=100&height=30", headers={"Origin": f"http://127.0.0.1:{port}"}
        ) as ws:
            await ws.send_json(["resize", {"width": 100, "height": 30}])
            deadline = time.monotonic() + WS_TIMEOUT
            while b"Sign in" not in received and time.monotonic() < deadline:
                try:
                    msg = await ws.receive(timeout=max(0.1, deadline - time.monotonic()))
                except asyncio.TimeoutError:
                    break
                if msg.type == aiohttp.WSMsgType.BINARY:
                    received += msg.data
                elif msg.type == aiohttp.WSMsgType.TEXT:
                    received += msg.data.encode()
                else:
                    break
    return received


@pytest.mark.slow
def test_the_page_and_the_app_are_served_on_loopback(server):
    proc, port = server
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
        page = response.read().decode()
    assert f"ws://127.0.0.1:{port}/ws" in page
    assert "Served Line" in page, "the page is titled with the line's name"
    assert listening_addresses(port) == {"0100007F"}, "bound to 127.0.0.1 only"
    screen = asyncio.run(_first_screen(port))
    assert screen, "the app sent nothing over the websocket"
    assert b"Sign in" in screen, "in a browser the app opens on sign-in, never as the server's user"


@pytest.mark.slow
def test_a_non_loopback_host_needs_public(rota):
    result = rota("serve", "--host", "0.0.0.0", "--port", str(free_port()))
    assert result.returncode == 1
    assert result.stderr.startswith("error: --host 0.0.0.0 would serve the rota beyond this machine")
    assert result.stderr.count("\n") == 1


@pytest.mark.slow
def test_a_missing_web_extra_is_a_clear_error(rota, tmp_path):
    shadow = tmp_path / "shadow"
    (shadow / "textual_serve").mkdir(parents=True)
    (shadow / "textual_serve" / "__init__.py").write_text("raise ImportError('not installed here')\n")
    result = rota("serve", "--port", str(free_port()), env={"PYTHONPATH": str(shadow)})
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: warmline serve needs textual-serve, which is not installed: pip install 'warmline[web]'"
    )


# -- sessions: caps, sign-in, idle sign-out, a fast stop (issue 12, class E)


@pytest.mark.slow
def test_the_page_names_its_line_escaped_and_fetches_nothing_elsewhere(run_cli):
    done = run_cli("init", "--name", "<b>Harbor</b> & Co", "--tz", "America/New_York", "--coordinator", "boss")
    assert done.returncode == 0, done.stderr
    with serving(run_cli) as served:
        with urllib.request.urlopen(served.url, timeout=5) as response:
            page = response.read().decode()
            policy = response.headers["Content-Security-Policy"]
        # the bundled font the page names is served from here
        with urllib.request.urlopen(served.url + "static/fonts/RobotoMono-VariableFont_wght.ttf", timeout=5) as response:
            assert response.status == 200 and len(response.read()) > 10_000
    assert "<title>&lt;b&gt;Harbor&lt;/b&gt; &amp; Co</title>" in page
    assert "<b>Harbor" not in page
    assert "googleapis" not in page and "https://" not in page, "no font host, no CDN"
    assert "@font-face" in page and "static/fonts/RobotoMono-VariableFont_wght.ttf" in page
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert f"connect-src 'self' ws://127.0.0.1:{served.port}" in policy


def _run(coro):
    return asyncio.run(coro)


@pytest.mark.slow
def test_the_session_cap_holds_and_a_refused_tab_is_told_why(rota):
    import aiohttp

    with serving(rota, "--max-sessions", "2", "--max-signing-in", "2") as served:

        async def scenario():
            async with aiohttp.ClientSession() as session:
                first = await open_tab(session, served)
                second = await open_tab(session, served)
                assert await first.read_until(b"Sign in") and await second.read_until(b"Sign in")
                assert len(served.apps()) == 2
                third = await open_tab(session, served)
                code, reason = await third.wait_closed(10)
                assert code == 1013
                assert reason.startswith("This rota already has 2 sessions open (the most allowed)")
                assert len(served.apps()) == 2, "no process was started for the refused tab"
                await first.ws.close()
                assert wait_for(lambda: len(served.apps()) == 1, 5), "a closed tab's app ends"
                fourth = await open_tab(session, served)
                assert await fourth.read_until(b"Sign in"), "a freed place can be taken"

        _run(scenario())


@pytest.mark.slow
def test_tabs_not_signed_in_are_capped_and_a_sign_in_frees_a_place(run_cli):
    import aiohttp

    rota = served_rota(run_cli)
    with serving(rota, "--max-sessions", "3", "--max-signing-in", "1") as served:

        async def scenario():
            async with aiohttp.ClientSession() as session:
                first = await open_tab(session, served)
                assert await first.read_until(b"Sign in")
                second = await open_tab(session, served)
                code, reason = await second.wait_closed(10)
                assert (code, reason) == (1013, "Too many people are signing in at once: try again in a minute.")
                assert len(served.apps()) == 1
                await first.type("boss\r")
                await asyncio.sleep(1.0)  # the passphrase box has focus (the burst case is the browser test's)
                await first.type(PASSPHRASE + "\r")
                assert await first.read_until(b"boss \xc2\xb7 coordinator"), "signed in"
                third = None
                for _ in range(50):  # the app tells the server at once; bounded wait
                    third = await open_tab(session, served)
                    if await third.read_until(b"Sign in", 5):
                        break
                    await asyncio.sleep(0.1)
                assert third is not None and third.closed is None and b"Sign in" in third.received
                assert len(served.apps()) == 2

        _run(scenario())


@pytest.mark.slow
def test_an_idle_session_is_signed_out_and_its_app_ends(rota):
    import aiohttp

    with serving(rota, "--idle-minutes", "0.05") as served:  # 3 seconds

        async def scenario():
            async with aiohttp.ClientSession() as session:
                started = time.monotonic()
                tab = await open_tab(session, served)
                assert await tab.read_until(b"Sign in")
                code, reason = await tab.wait_closed(15)
                assert 2.9 < time.monotonic() - started < 12, "ended when idle 3 s, not before"
                assert code == 1000
                assert reason == "Sign-in closed after 3 seconds without use: press Restart to sign in again."
                assert wait_for(lambda: served.apps() == [], 5), "the idle tab's app ended"

        _run(scenario())


@pytest.mark.slow
def test_stopping_the_server_ends_every_session_within_3_seconds(rota):
    import aiohttp

    with serving(rota) as served:

        async def scenario():
            async with aiohttp.ClientSession() as session:
                tabs = [await open_tab(session, served) for _ in range(3)]
                for tab in tabs:
                    assert await tab.read_until(b"Sign in")
                apps = served.apps()
                assert len(apps) == 3
                started = time.monotonic()
                served.proc.send_signal(signal.SIGTERM)  # the server only, as Ctrl+C or systemd would
                for tab in tabs:
                    code, reason = await tab.wait_closed(5)
                    assert reason == "The server stopped: press Restart when it is back."
                served.proc.wait(timeout=5)
                assert time.monotonic() - started < 3
                assert not any(Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text()
                               .rsplit(")", 1)[1].split()[:1] for pid in apps), "its app processes ended too"

        _run(scenario())
        assert served.proc.returncode == 0


@pytest.mark.fast_tier_sample(3)
@pytest.mark.parametrize("option, value, message", [
    ("--max-sessions", "0", "error: --max-sessions 0 is out of range: give a number from 1 to 1000"),
    ("--max-signing-in", "-1", "error: --max-signing-in -1 is out of range: give a number from 1 to 1000"),
    ("--idle-minutes", "0", "error: --idle-minutes 0 is out of range: give minutes above 0 and at most 1440"),
])
def test_session_limits_out_of_range_are_refused_before_listening(rota, option, value, message):
    port = free_port()
    result = rota("serve", "--port", str(port), option, value)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [message]
    assert listening_addresses(port) == set()


@pytest.mark.slow
def test_the_settings_file_sets_the_limits(rota, tmp_path):
    settings = tmp_path / "settings.toml"
    settings.write_text("serve_max_sessions = 0\n")
    result = rota("serve", "--port", str(free_port()), env={"WARMLINE_CONFIG": str(settings)})
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: serve_max_sessions in {settings} is 0: give a whole number from 1 to 1000"
    settings.write_text("serve_max_sessions = 1\nserve_idle_minutes = 0.5\n")
    with serving(rota, env={"WARMLINE_CONFIG": str(settings)}) as served:
        with urllib.request.urlopen(served.url, timeout=5):
            pass
        served.proc.send_signal(signal.SIGTERM)
        served.proc.wait(timeout=5)
        banner = served.output()
    assert "at most 1 sessions" in banner and "idle sessions end after 30 seconds" in banner
