"""Helpers for the tests of `warmline serve`: start the real server on a free 127.0.0.1 port,
count the app processes it started, open websockets as a browser would, drive headless Chromium.

Only 127.0.0.1 is ever contacted; every wait is bounded; a started server is always stopped.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

START_TIMEOUT = 30
SCREEN_TIMEOUT = 30
PASSPHRASE = "plum-otter-quartz-91"  # boss's passphrase in served_rota
PASSPHRASE_WORDS = ("otter", "quartz")  # none of these is on any screen of a rota named "Served Line"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    """The live (not zombie) child processes of `pid`, from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry))
    return found


def wait_for(predicate, timeout: float, step: float = 0.05) -> bool:
    """Poll `predicate` until it is true or `timeout` seconds have passed; its last value."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(step)


@dataclass
class Served:
    proc: subprocess.Popen
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def apps(self) -> list[int]:
        return children(self.proc.pid)

    def output(self) -> str:
        """What the server printed (only once it has stopped)."""
        return self.proc.stdout.read().decode("utf-8", "replace") if self.proc.poll() is not None else ""


@contextlib.contextmanager
def serving(cli, *args: str, env: dict[str, str] | None = None) -> Iterator[Served]:
    """`warmline serve --port P ARGS` on the rota of `cli` (a CliRunner); stopped afterwards."""
    port = free_port()
    proc = subprocess.Popen(
        [str(cli.script), "serve", "--port", str(port), *args],
        env=dict(cli.env, **(env or {})), cwd=cli.workdir,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
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
        yield Served(proc, port)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # any app process left in the group
        proc.stdout.close()


def served_rota(run_cli):
    """A rota "Served Line" whose coordinator boss has the passphrase PASSPHRASE."""
    done = run_cli("init", "--name", "Served Line", "--tz", "America/New_York", "--coordinator", "boss")
    assert done.returncode == 0, done.stderr
    done = run_cli("--as", "boss", "people", "passphrase", "boss", env={"WARMLINE_NEW_PASSPHRASE": PASSPHRASE})
    assert done.returncode == 0, done.stderr
    return run_cli


class Tab:
    """A websocket to the server as a browser tab opens it (aiohttp), with what the app drew."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.received = b""
        self.closed: tuple[int | None, str] | None = None  # (close code, reason) once closed

    async def read_until(self, wanted: bytes, timeout: float = SCREEN_TIMEOUT) -> bool:
        """Collect the app's output until `wanted` is in it, the socket closes or time runs out."""
        import aiohttp

        deadline = time.monotonic() + timeout
        while wanted not in self.received and self.closed is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                msg = await self.ws.receive(timeout=remaining)
            except asyncio.TimeoutError:
                return False
            if msg.type == aiohttp.WSMsgType.BINARY:
                self.received += msg.data
            elif msg.type == aiohttp.WSMsgType.TEXT:
                continue
            else:
                self.closed = (self.ws.close_code, msg.extra or "")
        return wanted in self.received

    async def wait_closed(self, timeout: float) -> tuple[int | None, str] | None:
        await self.read_until(b"\x00never\x00", timeout)
        return self.closed

    async def type(self, text: str) -> None:
        await self.ws.send_json(["stdin", text])


async def open_tab(session, served: Served, *, origin: str | None = "", size=(100, 30)) -> Tab:
    """Open a websocket with Origin `origin` ("" for the served origin, None for none)."""
    headers = {} if origin is None else {"Origin": origin or served.origin}
    ws = await session.ws_connect(f"{served.ws_url}?width={size[0]}&height={size[1]}", headers=headers)
    tab = Tab(ws)
    with contextlib.suppress(ConnectionResetError):  # a refused tab is closed at once
        await ws.send_json(["resize", {"width": size[0], "height": size[1]}])
    return tab


# -- headless Chromium (Debian's chromium + chromium-driver), driven by selenium


def chromium(tmp_path: Path):
    """A headless Chromium that cannot resolve any host but 127.0.0.1, logging its network events."""
    from conftest import require_tool

    binary = require_tool("chromium")
    driver_path = require_tool("chromedriver")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    for argument in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--disable-extensions", f"--user-data-dir={profile}", "--window-size=1200,800",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(driver_path))
    driver.set_page_load_timeout(SCREEN_TIMEOUT)
    return driver


def network_events(driver) -> list[dict]:
    """The DevTools events recorded since the last call (Network.* and others)."""
    return [json.loads(entry["message"])["message"] for entry in driver.get_log("performance")]


def requested_urls(events: list[dict]) -> list[str]:
    """Every URL the page asked for: requests and websockets."""
    urls = []
    for event in events:
        if event["method"] == "Network.requestWillBeSent":
            urls.append(event["params"]["request"]["url"])
        elif event["method"] == "Network.webSocketCreated":
            urls.append(event["params"]["url"])
    return urls


def terminal_frames(events: list[dict]) -> list[bytes]:
    """The binary websocket frames the page received: what the app wrote to its terminal."""
    frames = []
    for event in events:
        if event["method"] == "Network.webSocketFrameReceived":
            response = event["params"]["response"]
            if response["opcode"] == 2:
                frames.append(base64.b64decode(response["payloadData"]))
    return frames


def terminal_size(events: list[dict]) -> tuple[int, int]:
    """The terminal size the page last told the server (its 'resize' message)."""
    size = (80, 24)
    for event in events:
        if event["method"] == "Network.webSocketFrameSent":
            try:
                message = json.loads(event["params"]["response"]["payloadData"])
            except ValueError:
                continue
            if isinstance(message, list) and message and message[0] == "resize":
                size = (message[1]["width"], message[1]["height"])
    return size


def screens(frames: list[bytes], size: tuple[int, int]) -> list[str]:
    """The terminal's text after each frame (pyte emulates the terminal, like xterm.js in the page)."""
    pyte = pytest.importorskip("pyte")
    screen = pyte.Screen(*size)
    stream = pyte.ByteStream(screen)
    shown = []
    for frame in frames:
        stream.feed(frame)
        shown.append("\n".join(line.rstrip() for line in screen.display))
    return shown
