"""The HTTP and websocket side of `warmline serve`, on textual-serve's Server (the `web` extra).

Imported only by warmline.serve.serve(), after it has checked that textual-serve is installed.
What this adds to textual-serve:

- a websocket is accepted only from the served address (its Origin), refused with 403
  before anything starts;
- at most `max_sessions` app processes, and at most `max_signing_in` of them not yet
  signed in (each app process tells the server when someone signed in, by a meta packet
  on its stdout); a refused tab is told why;
- a session without a key press or mouse event for `idle_seconds` is ended (the person
  is signed out and the page says so); one not yet signed in after SIGN_IN_IDLE_SECONDS;
- the page is warmline's own (warmline/page.html): titled with the line's name, its font
  served from here, and a Content-Security-Policy that lets it fetch nothing elsewhere;
- stopping the server ends every session within a few seconds;
- plain log lines (textual-serve's rich tracebacks would print locals, e.g. keystrokes).
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
import shlex
import signal
import time
from collections.abc import Callable
from pathlib import Path

from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from . import serve_settings as settings
from .text import safe

log = logging.getLogger("warmline.serve")

PAGE = Path(__file__).with_name("page.html")
QUIT_GRACE = 1.0  # seconds an app is given to quit before it is terminated (then killed)
CLOSE_TIMEOUT = 1.0  # seconds to wait for a browser's answer to a websocket close
TRY_AGAIN_LATER = 1013  # websocket close code
WS_REASON_BYTES = 123  # a websocket close reason is at most 123 bytes


def _reason(text: str) -> bytes:
    data = text.encode("utf-8")
    return data if len(data) <= WS_REASON_BYTES else data[: WS_REASON_BYTES - 3].rstrip() + b"..."


def _duration(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        minutes = int(seconds // 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    whole = max(1, round(seconds))
    return f"{whole} second{'s' if whole != 1 else ''}"


class Session:
    """One browser tab: its app process and when it was last used."""

    def __init__(self) -> None:
        self.signed_in = False
        self.last_used = time.monotonic()
        self.websocket: web.WebSocketResponse | None = None
        self.service: WarmlineAppService | None = None

    def touch(self) -> None:
        self.last_used = time.monotonic()


class Sessions:
    """The open sessions and the two caps; admit() and release() never wait, so a check and
    its registration cannot interleave with another tab's."""

    def __init__(self, max_sessions: int, max_signing_in: int) -> None:
        self.max_sessions = max_sessions
        self.max_signing_in = min(max_signing_in, max_sessions)
        self.open: set[Session] = set()

    def signing_in(self) -> int:
        return sum(1 for session in self.open if not session.signed_in)

    def admit(self) -> Session | str:
        """A new Session, or the reason why not (the caps)."""
        if len(self.open) >= self.max_sessions:
            return (
                f"This rota already has {self.max_sessions} sessions open (the most allowed): "
                "close a tab you do not use, or try again later."
            )
        if self.signing_in() >= self.max_signing_in:
            return "Too many people are signing in at once: try again in a minute."
        session = Session()
        self.open.add(session)
        return session

    def release(self, session: Session) -> None:
        self.open.discard(session)


class WarmlineAppService(AppService):
    """One app process, started without a shell, that can be ended quickly and says when
    someone signed in."""

    def __init__(self, argv: list[str], *, on_signed_in: Callable[[], None], **kwargs) -> None:
        super().__init__(shlex.join(argv), **kwargs)
        self.argv = argv
        self.on_signed_in = on_signed_in

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        environment = self._build_environment(width=width, height=height)
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def on_meta(self, data: bytes) -> None:
        try:
            meta = json.loads(data)
        except ValueError:
            return
        if isinstance(meta, dict) and meta.get("type") == settings.SIGNED_IN_META:
            self.on_signed_in()
            return
        await super().on_meta(data)

    @property
    def running(self) -> asyncio.Task[None] | None:
        return self._task

    async def end(self) -> None:
        """Ask the app to quit; terminate it after QUIT_GRACE seconds, kill it a second later."""
        task, process = self._task, self._process
        self._task = None
        if task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id),
                                       QUIT_GRACE)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.send_meta({"type": "quit"}), QUIT_GRACE)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(task), QUIT_GRACE)
        if process is not None and process.returncode is None:
            # An app that quit is reaped by asyncio's watcher; signalling it first would reap it
            # behind the watcher's back (subprocess polls before it signals).
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(process.wait(), QUIT_GRACE / 2)
        if process is not None and process.returncode is None:
            for stop in (process.terminate, process.kill):
                with contextlib.suppress(ProcessLookupError):
                    stop()
                try:
                    await asyncio.wait_for(process.wait(), QUIT_GRACE)
                    break
                except asyncio.TimeoutError:
                    continue
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


@web.middleware
async def _page_headers(request: web.Request, handler) -> web.StreamResponse:
    """No request off this server (CSP), no framing by another site, no referrer."""
    response = await handler(request)
    if not response.prepared:
        server: WarmlineServer = request.app["warmline.server"]
        response.headers["Content-Security-Policy"] = server.content_security_policy
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


class WarmlineServer(Server):
    """textual-serve's Server with warmline's checks (see the module's docstring)."""

    def __init__(
        self, argv: list[str], *, host: str, port: int, title: str, public_url: str | None,
        max_sessions: int, max_signing_in: int, idle_seconds: float,
    ) -> None:
        super().__init__(shlex.join(argv), host=host, port=port, title=safe(title), public_url=public_url)
        self.argv = argv
        self.sessions = Sessions(max_sessions, max_signing_in)
        self.idle_seconds = idle_seconds
        self.sign_in_idle_seconds = min(idle_seconds, settings.SIGN_IN_IDLE_SECONDS)
        self.allowed_origins = settings.allowed_origins(host, port, public_url)
        self.websocket_url = settings.websocket_url(self.public_url)
        self.content_security_policy = (
            "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            f"font-src 'self'; img-src 'self' data:; connect-src 'self' {settings.origin_text(self.websocket_url)}; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
        )
        self._stopping = False

    # -- logging and start-up: plain lines, no locals in tracebacks

    def initialize_logging(self) -> None:
        logging.basicConfig(level="INFO", format="%(message)s")
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)

    async def on_startup(self, app: web.Application) -> None:
        print(
            f"warmline: serving {self.title!r} on {self.public_url} (at most {self.sessions.max_sessions} sessions, "
            f"{self.sessions.max_signing_in} signing in at once; idle sessions end after {_duration(self.idle_seconds)}). "
            "Press Ctrl+C to stop.",
            flush=True,
        )

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app["warmline.server"] = self
        app.middlewares.append(_page_headers)
        return app

    def serve(self, debug: bool = False) -> None:
        """Serve until SIGINT/SIGTERM; then end every session (a few seconds at most)."""
        self.debug = False
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(signum, self.request_exit)
        web.run_app(
            self._make_app(), host=self.host, port=self.port, handle_signals=False, loop=loop,
            shutdown_timeout=QUIT_GRACE + 1, print=lambda *args: None, access_log=None,
        )

    async def on_shutdown(self, app: web.Application) -> None:
        self._stopping = True
        sessions = list(self.sessions.open)
        if sessions:
            await asyncio.gather(
                *(self._end(session, "The server stopped: press Restart when it is back.") for session in sessions),
                return_exceptions=True,
            )

    # -- the page

    async def handle_index(self, request: web.Request) -> web.Response:
        font_size = min(max(to_int(request.query.get("fontsize", "16"), 16), 6), 64)
        page = PAGE.read_text(encoding="utf-8")
        for name, value in (
            ("title", self.title), ("websocket_url", self.websocket_url), ("font_size", str(font_size)),
        ):
            page = page.replace("{{" + name + "}}", html.escape(value, quote=True))
        return web.Response(text=page, content_type="text/html", charset="utf-8")

    # -- the websocket: one app process per tab

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if not settings.origin_allowed(origin, self.allowed_origins):
            log.warning("refused a websocket from origin %s (not the served address)", safe(origin or "(none)")[:200])
            raise web.HTTPForbidden(
                text="This page's origin may not open a session here: open the rota at its own address.\n"
            )
        websocket = web.WebSocketResponse(heartbeat=15, timeout=CLOSE_TIMEOUT)
        admitted = self.sessions.admit() if not self._stopping else "The server is stopping."
        try:
            await websocket.prepare(request)
        except BaseException:
            if isinstance(admitted, Session):
                self.sessions.release(admitted)
            raise
        if not isinstance(admitted, Session):
            log.info("refused a session: %s", admitted)
            await websocket.close(code=TRY_AGAIN_LATER, message=_reason(admitted))
            return websocket
        session = admitted
        session.websocket = websocket
        width = min(max(to_int(request.query.get("width", "80"), 80), 10), 1000)
        height = min(max(to_int(request.query.get("height", "24"), 24), 5), 1000)

        def signed_in() -> None:
            session.signed_in = True
            session.touch()

        service = WarmlineAppService(
            self.argv, on_signed_in=signed_in, write_bytes=websocket.send_bytes, write_str=websocket.send_str,
            close=websocket.close, download_manager=self.download_manager, debug=False,
        )
        session.service = service
        watch: asyncio.Task[None] | None = None
        try:
            await service.start(width, height)
            watch = asyncio.create_task(self._watch(session))
            await self._relay(websocket, service, session)
        except asyncio.CancelledError:
            pass
        except Exception as error:  # noqa: BLE001 - one tab's failure must not stop the server
            log.error("a session failed: %s", safe(str(error))[:300])
        finally:
            if watch is not None:
                watch.cancel()
            await service.end()
            self.sessions.release(session)
            if not websocket.closed:
                with contextlib.suppress(Exception):
                    await websocket.close()
        return websocket

    async def _relay(self, websocket: web.WebSocketResponse, service: WarmlineAppService, session: Session) -> None:
        """The browser's messages to the app: keys and mouse (which count as use), size, focus, ping."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
            except ValueError:
                continue
            if not isinstance(envelope, list) or not envelope:
                continue
            kind = envelope[0]
            data = envelope[1] if len(envelope) > 1 else None
            if kind == "stdin" and isinstance(data, str):
                session.touch()
                await service.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                width, height = data.get("width"), data.get("height")
                if isinstance(width, int) and isinstance(height, int) and 0 < width <= 1000 and 0 < height <= 1000:
                    await service.set_terminal_size(width, height)
            elif kind == "ping" and isinstance(data, str):
                await websocket.send_json(["pong", data[:40]])
            elif kind == "blur":
                await service.blur()
            elif kind == "focus":
                await service.focus()

    async def _watch(self, session: Session) -> None:
        """End the session when it has been idle too long, or when its app has ended."""
        service = session.service
        assert service is not None
        while True:
            limit = self.idle_seconds if session.signed_in else self.sign_in_idle_seconds
            remaining = session.last_used + limit - time.monotonic()
            if remaining <= 0:
                what = "Signed out" if session.signed_in else "Sign-in closed"
                await self._end(session, f"{what} after {_duration(limit)} without use: press Restart to sign in again.")
                return
            task = service.running
            if task is None:
                return
            await asyncio.wait([task], timeout=remaining)
            if task.done():
                await self._end(session, "The app ended: press Restart to open it again.")
                return

    async def _end(self, session: Session, reason: str) -> None:
        """Close the tab's websocket with a reason, and end its app."""
        websocket, service = session.websocket, session.service
        if websocket is not None and not websocket.closed:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(websocket.close(code=1000, message=_reason(reason)), CLOSE_TIMEOUT + 0.5)
        if service is not None:
            await service.end()
