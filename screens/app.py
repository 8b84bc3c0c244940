"""The warmline App and its one factory, `make_app`, used by the CLI and the tests.

Screens are installed by name and switched with single keys, as screens/registry.py lists
them (one entry per screen). The App owns what is shared (db_path, actor, line) and watches the file:
another process's write shows up on every open screen within about two seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.screen import ModalScreen, Screen

from warmline import clock as warmline_clock
from warmline import rota
from warmline.errors import DatabaseError, WarmlineError
from warmline.line import get as get_line
from warmline.model import Line, Person

from .base import CommandList, CoreCalls
from .registry import BY_NAME, SCREENS
from .in_app import InAppDelivery
from .start import Started, close_thread_db, read_data_version

POLL_SECONDS = 1.0
FIRST_DELIVERY_SECONDS = 0.5  # after Home first shows its data
GC_AT_THE_LATEST = 2.0  # garbage collection is back on this long after the start, whatever shows



def _load_start(db: Any) -> Line:
    """Materialise series up to the horizon (a no-op when up to date), then read the line."""
    # Busy or read-only: the rota still reads; the next start (or another process) extends it.
    with contextlib.suppress(WarmlineError):
        rota.extend_horizon(db)
    return get_line(db.conn)


class WarmlineCommands(CommandList):
    """The command palette: every action of the screen it was opened on (read from the same bindings
    as the help, screens/actions.py), every screen this person may open, and a few app-wide ones."""

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        from .actions import palette_actions, registered_name

        app: WarmlineApp = self.app  # type: ignore[assignment]
        screen = self.screen
        found: list[tuple[str, str, Callable[[], Any]]] = []
        for action in palette_actions(screen):
            found.append(
                (action.what, f"{action.group} · {action.key}", partial(app.run_action, action.action, action.node))
            )
        if app.actor is None:
            return [c for c in found if c[0] in ("Help", "Quit")]
        names = {name for name, _help, _callback in found}
        for entry in SCREENS:
            if entry.may_open(app.actor.is_coordinator) and entry.title not in names:
                found.append((entry.title, entry.help, partial(app.action_go, entry.name)))
        if registered_name(screen) != "rota":  # on the rota these are the screen's own keys, above
            found += [
                ("Today", "Show today in the rota", partial(app.rota_action, "today")),
                ("Next week", "Show the next week in the rota", partial(app.rota_action, "week", 1)),
                ("Previous week", "Show the previous week in the rota", partial(app.rota_action, "week", -1)),
            ]
            if app.actor.is_coordinator:
                found.append(
                    ("New shift", "Create a shift or a repeating series", partial(app.rota_action, "new_shift"))
                )
        if app.actor.is_coordinator:
            found.append(
                (
                    "Auto-fill the next 4 weeks",
                    "Coordinators: propose people for open seats, then apply or discard",
                    app.action_autofill,
                )
            )
        return found


class WarmlineApp(InAppDelivery, CoreCalls, App[None]):
    """A terminal rota for a peer-run warmline."""

    CSS_PATH = "app.tcss"
    actor: Person | None = None  # the signed-in person (a plain attribute here: the screens' `actor` reads it)
    TITLE = "warmline"
    COMMANDS = App.COMMANDS | {WarmlineCommands}
    # Every binding has an id: the settings file's [keys] table remaps it (App.set_keymap; screens/actions.py).
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="app.quit_in_field"),
        *(  # one per screen with a key, from the registry (screens/registry.py)
            Binding(entry.key, f"go('{entry.name}')", entry.title, show=entry.footer, id=entry.binding_id)
            for entry in SCREENS
            if entry.key
        ),
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        # works while typing in a field, too
        Binding("f1", "help", "Help", show=False, priority=True, id="app.help_in_field"),
    ]

    def __init__(
        self,
        db_path: Path,
        *,
        actor: Person | None = None,
        clock: Callable[[], datetime] | None = None,
        notifier: Any = None,
        started: Started | None = None,
        keys: Mapping[str, str] | None = None,
        refused: tuple[str, str] | None = None,
    ) -> None:
        super().__init__()
        self._keys = dict(keys or {})  # binding id -> key(s), from the settings file's [keys]
        self.db_path = Path(db_path)
        self.actor: Person | None = actor
        self.line: Line | None = None
        self.clock: Callable[[], datetime] = clock or warmline_clock.now
        self.notifier = notifier
        self._poll_pool: ThreadPoolExecutor | None = None
        self._baseline: Future[int] | None = None  # the first data_version, read before any screen loads
        self._data_version: int | None = None
        self._started = started
        self._refused = refused or ("", "")  # (handle, why): a sign-in refused before the app opened
        if started is not None:  # the CLI began reading the file before Textual was imported
            self._poll_pool, self._baseline = started.pool, started.baseline

    # -- start-up

    def on_mount(self) -> None:
        if self._keys:
            self.set_keymap(self._keys)
        # The first screen composes at once; its data and the line arrive from workers. The line
        # (and the horizon extended) is read once the first frame is drawn: its worker would take
        # turns with that frame for the interpreter (Home brings the line with its own data).
        self.call_after_refresh(
            self.call_core, _load_start, done=self._line_loaded, failed=self._start_failed, group="start"
        )
        self._start_watching()
        self.set_timer(GC_AT_THE_LATEST, collect_again)  # e.g. on the sign-in screen
        self.set_interval(POLL_SECONDS, self._poll)
        self.start_delivery()  # the signed-in person's notifications, as toasts (screens/in_app.py)
        if self.actor is None:
            from .signin import SignInScreen

            self.push_screen(SignInScreen(*self._refused), self._signed_in)

    def _start_watching(self, *, wait: bool = False) -> None:
        """Open the poll thread's connection and read the file's first data_version (once).

        The baseline must be read before any screen reads its data, or a write landing in
        between would go unseen; `wait` holds the caller until it is (a few ms), for a screen
        about to load. Without a baseline the first poll reloads every screen, to be safe.
        """
        if self._poll_pool is None:
            self._poll_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warmline-poll")
            self._baseline = self._poll_pool.submit(read_data_version, self.db_path)
        if wait and self._baseline is not None:
            with contextlib.suppress(Exception):  # busy or unreadable: no baseline, the first poll reloads
                self._baseline.result(timeout=2.0)

    # -- style sheets: app.tcss is read at start (header, footer, Home); the rest when first needed

    def use_css(self, name: str) -> None:
        """Add screens/NAME to the app's style sheet if it is not there yet (parsed on its own, once)."""
        path = Path(__file__).with_name(name)
        if not self.stylesheet.has_source(str(path), ""):
            self.stylesheet.read(path)

    def _css_for(self, screen: Screen | str) -> None:
        name = screen if isinstance(screen, str) else getattr(screen, "name", None)
        entry = BY_NAME.get(name or "")
        sheet = entry.stylesheet if entry is not None else "forms.tcss"  # dialogs use the forms' sheet
        if sheet:
            self.use_css(sheet)

    def push_screen(self, screen: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        self._css_for(screen)
        return super().push_screen(screen, *args, **kwargs)

    def get_default_screen(self) -> Screen:
        """Home is the first screen when someone is signed in (one screen to build, not two)."""
        if self.actor is None:
            return super().get_default_screen()
        from .home import HomeScreen

        home = HomeScreen()
        self.install_screen(home, "home")
        early = self._started.home if self._started is not None else None
        if early is not None:
            home.adopt(early)
        else:
            self._start_watching(wait=True)
            home.prefetch()
        return home

    def _open_home(self) -> None:
        self.action_go("home")
        # The first delivery waits for Home's data (home_shown): the first screen comes first.

    def home_shown(self) -> None:
        """Home has drawn its first data: deliver this person's notifications (toasts) a moment
        later, so the delivery (its imports, the desktop check) does not hold up the first frames."""
        collect_again()
        self.set_timer(FIRST_DELIVERY_SECONDS, self.deliver_notifications)

    def _signed_in(self, person: Person | None) -> None:
        if person is None:
            self.exit()
            return
        self.actor = person
        self._open_home()

    def _line_loaded(self, line: Line) -> None:
        self.line = line
        self._refresh_headers()

    def _start_failed(self, message: str) -> None:
        self.notify(message, title="This rota cannot be opened", severity="error", timeout=30)

    def _refresh_headers(self) -> None:
        from .widgets import LineHeader

        for screen in self.screen_stack:
            for header in screen.query(LineHeader):
                header.tick()

    # -- watching the file

    async def _poll(self) -> None:
        """Compare PRAGMA data_version on the poll thread's own connection; reload on a change.

        data_version is per connection, so every reading must come from the same one: a
        one-thread executor owns it. (Textual's thread workers run on a shared pool, so each
        tick could land on another connection; and a never-ending worker would keep
        `app.workers.wait_for_complete()` from ever returning.)
        """
        if self._poll_pool is None:
            return
        loop = asyncio.get_running_loop()
        try:
            version = await loop.run_in_executor(self._poll_pool, read_data_version, self.db_path)
        except (WarmlineError, DatabaseError, RuntimeError):
            return  # the file is busy or the app is closing: try again next tick
        if self._data_version is None and self._baseline is not None and self._baseline.done():
            with contextlib.suppress(Exception):
                self._data_version = self._baseline.result()
        # With no baseline (it could not be read) the first reading reloads every screen, to be safe.
        if version != self._data_version:
            self.data_changed()
        self._data_version = version

    def data_changed(self) -> None:
        """The database changed (here or in another process): reload the line and every open screen."""
        self.call_core(get_line_of, done=self._line_loaded, group="line", exclusive=True)
        for screen in self.screen_stack:
            reload = getattr(screen, "reload", None)
            if callable(reload):
                reload()
        self.deliver_notifications(if_waiting=True)  # e.g. a coordinator's edit queued one for this person

    def on_unmount(self) -> None:
        pool, self._poll_pool = self._poll_pool, None
        if pool is not None:
            pool.submit(close_thread_db)
            pool.shutdown(wait=False)

    # -- screens

    def _showing(self, name: str) -> bool:
        return self.is_screen_installed(name) and self.get_screen(name) is self.screen

    def _modal_open(self) -> bool:
        return isinstance(self.screen, ModalScreen)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "go":
            (name,) = parameters or ("",)
            entry = BY_NAME.get(str(name))
            if entry is None or self.actor is None or self._showing(entry.name):
                return False  # not signed in yet, or already there (keeps the footer short)
            coordinator = self.actor.is_coordinator
            # Coordinators reach their profile from the palette; `p` is People for them.
            return entry.may_open(coordinator) and (entry.key_for_coordinators or not coordinator)
        return True

    def _screen_factory(self, name: str) -> Callable[[], Screen] | None:
        entry = BY_NAME[name]
        try:
            module = importlib.import_module(entry.module)
        except ImportError as exc:
            self.log.error(f"importing {entry.module}: {exc!r}")
            self.notify(f"The {entry.title} screen is not available yet.", severity="warning")
            return None
        factory = getattr(module, entry.cls, None)
        if factory is None:
            self.notify(f"The {entry.title} screen is not available yet.", severity="warning")
        return factory

    def action_go(self, name: str) -> None:
        """Show a screen by name (installing it the first time)."""
        if self.actor is None or self._modal_open():
            return
        entry = BY_NAME.get(name)
        if entry is None:
            return
        if not entry.may_open(self.actor.is_coordinator):
            self.notify(f"Only coordinators can open {entry.title}.", severity="warning")  # its name, not its id
            return
        self._css_for(name)
        if not self.is_screen_installed(name):
            factory = self._screen_factory(name)
            if factory is None:
                return
            self.install_screen(factory(), name)
        target = self.get_screen(name)
        if self.screen is target:
            return
        if target in self.screen_stack:  # Home, under the screen shown: back to it
            self.pop_screen()
            return
        if len(self.screen_stack) > 1 and not isinstance(self.screen, ModalScreen):
            self.switch_screen(name)
        else:
            self.push_screen(name)

    def rota_action(self, action: str, *args: Any) -> None:
        """Run a rota action from the command palette, opening the rota first."""
        self.action_go("rota")
        if self.is_screen_installed("rota"):
            screen = self.get_screen("rota")
            self.call_after_refresh(getattr(screen, f"action_{action}"), *args)

    def action_autofill(self) -> None:
        """Coordinators: auto-fill's proposal for the next four weeks, in a dialog that applies or discards it."""
        if self.actor is None or not self.actor.is_coordinator or self._modal_open():
            return
        from .load import AutofillDialog, next_weeks

        self.push_screen(AutofillDialog(*next_weeks()))

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: Any = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """A toast whose words are shown as they are: messages quote names, tags and notes (data, never
        markup), made printable (screens/plain.py). `markup` is ignored: no toast here uses markup."""
        from .plain import shown

        super().notify(
            shown(message, multiline=True), title=shown(title), severity=severity, timeout=timeout, markup=False
        )

    def _fatal_error(self) -> None:
        """A crash is reported without the local variables Textual would print beside the
        traceback: they may hold what someone typed (a passphrase) or another person's data."""
        import rich
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        traceback = Traceback(show_locals=False, width=None, suppress=[rich])
        self._exit_renderables.append(Segments(self.console.render(traceback, self.console.options)))
        self._close_messages_no_wait()

    def action_help(self) -> None:
        from .help import HelpDialog

        if isinstance(self.screen, HelpDialog):
            return
        self.push_screen(HelpDialog(self.screen))

    def get_system_commands(self, screen: Screen):  # type: ignore[override]
        """Textual's own commands (theme, keys, screenshot) without its Quit: ours is in WarmlineCommands."""
        for command in super().get_system_commands(screen):
            if command.title != "Quit":
                yield command


def collect_again() -> None:
    """Turn cyclic garbage collection back on after the start (warmline.launch turns it off while
    the app starts); what the start built is frozen first, so later collections do not walk it."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def get_line_of(db: Any) -> Line:
    """The line's settings (re-read after any change to the file)."""
    return get_line(db.conn)


def make_app(
    db_path: Path | str,
    *,
    actor: Person | None = None,
    clock: Callable[[], datetime] | None = None,
    notifier: Any = None,
    started: Started | None = None,
    keys: Mapping[str, str] | None = None,
    refused: tuple[str, str] | None = None,
) -> WarmlineApp:
    """The app on this rota file. actor=None opens on the sign-in screen; clock drives the UI's
    header and countdowns (the core always uses warmline.clock.now); notifier (a channel, or a list of
    them) replaces the person's desktop/terminal channels when the app delivers their notifications
    (None: their own choice; see screens/in_app.py); started is warmline.screens.start.begin()'s work, begun
    before Textual was imported (the CLI's way in); keys remaps key bindings by id (the settings
    file's [keys], warmline.config); refused is (handle, why) of a sign-in refused before the app
    opened: the sign-in screen shows why, with the handle filled in."""
    return WarmlineApp(
        Path(db_path), actor=actor, clock=clock, notifier=notifier, started=started, keys=keys, refused=refused
    )


__all__ = ["WarmlineApp", "WarmlineCommands", "make_app"]
