"""`warmline serve` listens on loopback only unless told `--public`.

The server is started for real (when the `web` extra, textual-serve, is installed) and the
address it listens on is read from /proc/net/tcp{,6} for its port; then a connection to
this machine's own non-loopback address must fail. Only local addresses are contacted.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

START_TIMEOUT = 30


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening(port: int) -> set[str]:
    """Local addresses (hex, as /proc/net/tcp writes them) in LISTEN state on `port`."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == "0A":
                found.add(address)
    return found


def own_non_loopback_address() -> str | None:
    """This machine's IPv4 address towards the outside (no packet is sent: a UDP connect only picks a route)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere real
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


@pytest.fixture
def rota(run_cli):
    done = run_cli("init", "--name", "Served Line", "--tz", "America/New_York")
    assert done.returncode == 0, done.stderr
    return run_cli


@pytest.mark.slow
def test_serve_listens_on_loopback_only(rota):
    pytest.importorskip("textual_serve", reason="the web extra (textual-serve) is not installed")
    port = free_port()
    server = subprocess.Popen(
        [str(rota.script), "serve", "--port", str(port)],
        env=rota.env, cwd=rota.workdir, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not listening(port):
            if server.poll() is not None:
                pytest.fail(f"warmline serve exited with {server.returncode}: {server.stdout.read().decode()}")
            if time.monotonic() > deadline:
                pytest.fail(f"warmline serve did not listen on port {port} within {START_TIMEOUT} s")
            time.sleep(0.1)
        assert listening(port) == {"0100007F"}, "bound to 127.0.0.1 only (no 0.0.0.0, no IPv6 any)"
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
        outside = own_non_loopback_address()
        if outside is not None:
            with pytest.raises(OSError):
                socket.create_connection((outside, port), timeout=2).close()
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)
        server.stdout.close()


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "rota.example.org"])
def test_a_non_loopback_host_without_public_is_refused_before_listening(run_cli, host):
    port = free_port()
    done = run_cli("serve", "--host", host, "--port", str(port))  # refused before the rota is even opened
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"error: --host {host} would serve the rota beyond this machine: add --public if you mean it "
        "(and put a reverse proxy with TLS in front; see the README), or keep the default 127.0.0.1"
    ]
    assert done.stdout == "" and listening(port) == set()


def test_serve_never_passes_the_servers_identity_to_the_browsers_app():
    """Each browser tab's app opens on sign-in: the variables that would pick the actor are removed."""
    from warmline import serve

    assert {"WARMLINE_AS", "WARMLINE_PASSPHRASE", "WARMLINE_NEW_PASSPHRASE"} <= set(serve._IDENTITY_VARS)
    assert "WARMLINE_NOW" in serve._IDENTITY_VARS, "no clock override reaches the apps people sign in to"
    assert serve.DEFAULT_HOST == "127.0.0.1"
    assert "--as" not in serve.served_command(Path("/srv/r.db"))


# -- the Origin check: only pages from the served address may start an app (issue 12, class E)


FOREIGN_ORIGINS = (
    "http://evil.example",
    "https://127.0.0.1:{port}",  # another scheme is another origin
    "http://127.0.0.1:{other}",  # another port is another origin
    "http://127.0.0.1.evil.example:{port}",
    "null",  # a sandboxed iframe or a file:// page
    None,  # every browser sends one; a client that does not is refused too
)


@pytest.mark.slow
def test_a_websocket_from_a_foreign_origin_is_refused_before_any_app_starts(rota):
    pytest.importorskip("textual_serve", reason="the web extra (textual-serve) is not installed")
    import asyncio

    import aiohttp
    from serving import open_tab, serving

    with serving(rota) as served:

        async def attempt(origin: str | None) -> int:
            headers = {} if origin is None else {"Origin": origin}
            async with aiohttp.ClientSession() as session:
                try:
                    async with session.ws_connect(served.ws_url, headers=headers):
                        return 101
                except aiohttp.WSServerHandshakeError as refused:
                    return refused.status

        async def allowed(name: str) -> bool:
            async with aiohttp.ClientSession() as session:
                tab = await open_tab(session, served, origin=f"http://{name}:{served.port}")
                return await tab.read_until(b"Sign in")

        for origin in FOREIGN_ORIGINS:
            value = None if origin is None else origin.format(port=served.port, other=served.port + 1)
            assert asyncio.run(attempt(value)) == 403, value
        time.sleep(0.5)
        assert served.apps() == [], "no app process was started for any of them"
        # the served address and its loopback names may
        for name in ("127.0.0.1", "localhost", "[::1]"):
            assert asyncio.run(allowed(name)), name
        served.proc.send_signal(signal.SIGTERM)
        served.proc.wait(timeout=5)
        log = served.output()
    assert log.count("refused a websocket from origin") == len(FOREIGN_ORIGINS)


def test_with_a_public_url_its_origin_may_open_a_session_and_others_not():
    from warmline.serve import allowed_origins, origin_allowed

    allowed = allowed_origins("127.0.0.1", 8000, "https://rota.example.org")
    assert origin_allowed("https://rota.example.org", allowed)
    assert origin_allowed("https://ROTA.example.org:443", allowed)
    assert origin_allowed("http://localhost:8000", allowed)
    assert not origin_allowed("http://rota.example.org", allowed)
    assert not origin_allowed("https://rota.example.org.evil.example", allowed)
    assert not origin_allowed("https://evil.example", allowed)
    public = allowed_origins("0.0.0.0", 8000, None)
    assert not origin_allowed("http://localhost:8000", public), "loopback names only for a loopback bind"
    assert not origin_allowed("http://[::1", allowed) and not origin_allowed("http://x:99999", allowed)
