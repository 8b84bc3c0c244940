"""`warmline serve` as a real process on loopback: the page over HTTP, the app over its websocket
(opening on the sign-in screen, whoever runs the server), and the refusals around it.

Only 127.0.0.1 is ever contacted; every wait is bounded and the server is stopped at the end.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

START_TIMEOUT = 30
WS_TIMEOUT = 30


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    port = free_port()
    env = dict(rota.env, WARMLINE_AS="boss")  # must not decide who acts in the browser
    proc = subprocess.Popen(
        [str(rota.script), "serve", "--port", str(port)],
        env=env, cwd=rota.workdir, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the app processes it starts go with it
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"warmline serve exited with {proc.returncode}:\n{proc.stdout.read().decode()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"warmline serve did not answer on port {port} within {START_TIMEOUT} s")
            time.sleep(0.2)
        yield proc, port
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # any app process left in the group
        except ProcessLookupError:
            pass
        proc.stdout.close()


async def _first_screen(port: int) -> bytes:
    """Open the websocket, say the browser's size, and collect what the app sends until sign-in shows."""
    import aiohttp

    received = b""
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"ws://127.0.0.1:{port}/ws?width=100&height=30") as ws:
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


def test_a_non_loopback_host_needs_public(rota):
    result = rota("serve", "--host", "0.0.0.0", "--port", str(free_port()))
    assert result.returncode == 1
    assert result.stderr.startswith("error: --host 0.0.0.0 would serve the rota beyond this machine")
    assert result.stderr.count("\n") == 1


def test_a_missing_web_extra_is_a_clear_error(rota, tmp_path):
    shadow = tmp_path / "shadow"
    (shadow / "textual_serve").mkdir(parents=True)
    (shadow / "textual_serve" / "__init__.py").write_text("raise ImportError('not installed here')\n")
    result = rota("serve", "--port", str(free_port()), env={"PYTHONPATH": str(shadow)})
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: warmline serve needs textual-serve, which is not installed: pip install 'warmline[web]'"
    )
