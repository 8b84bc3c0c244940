"""What every warmline screen shares: core calls in thread workers, results posted back.

A worker never touches a widget: it runs a core function on its own thread's
connection and hands the result to a callback on the app's thread. Screens hold
no SQL; they call the same service functions as the CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen
from textual.worker import get_current_worker

from warmline.errors import WarmlineError
from warmline.model import Person

from .start import thread_db

T = TypeVar("T")


class CoreCalls:
    """Mixin for screens and widgets: run a core function in a thread worker and get the result back."""

    @property
    def actor(self) -> Person:
        """The signed-in person (the app's)."""
        return self.app.actor  # type: ignore[attr-defined]

    def call_core(
        self,
        fn: Callable[..., T],
        *args: Any,
        done: Callable[[T], None] | None = None,
        failed: Callable[[str], None] | None = None,
        error: Callable[[WarmlineError], None] | None = None,
        group: str = "core",
        exclusive: bool = False,
        **kwargs: Any,
    ) -> None:
        """Run fn(db, *args, **kwargs) on a worker thread; then done(result) or failed(message) on the app thread.

        `error`, when given, receives the WarmlineError itself instead (e.g. to read RuleBroken.overridable).
        Either way the core's message is in the app's words (views/app_text.for_app: no CLI commands).
        An unexpected exception (a bug) is shown as an error notification rather than lost in the worker.
        """
        app = self.app  # type: ignore[attr-defined]
        path = app.db_path

        def work() -> None:
            worker = get_current_worker()
            try:
                result = fn(thread_db(path), *args, **kwargs)
            except WarmlineError as exc:
                if worker.is_cancelled:
                    return
                from warmline.views.app_text import for_app  # loaded on the first refusal, not at start

                exc.message = for_app(exc.message)  # this worker's own exception: shown once, in the app
                if error is not None:
                    app.call_from_thread(error, exc)
                elif failed is not None:
                    app.call_from_thread(failed, str(exc))
                else:
                    app.call_from_thread(app.notify, str(exc), severity="error", timeout=8)
                return
            except Exception as exc:  # a bug: say so on screen, keep the traceback in the worker's log
                if not worker.is_cancelled:
                    app.call_from_thread(app.notify, f"unexpected error: {exc!r}", severity="error", timeout=15)
                raise
            if not worker.is_cancelled and done is not None:
                app.call_from_thread(done, result)

        self.run_worker(work, thread=True, group=group, exclusive=exclusive, exit_on_error=False)  # type: ignore[attr-defined]


class WarmlineScreen(CoreCalls, Screen):
    """A screen that (re)loads its data through `reload()`; the app calls it when the database changes."""

    skip_resume_load = False  # set when this screen's data is already on its way (Home's prefetch)

    def on_screen_resume(self) -> None:
        if self.skip_resume_load:
            self.skip_resume_load = False
            return
        self.reload()

    def reload(self) -> None:
        """Load (or refresh) this screen's data. Override; must keep the cursor and any open form."""


class CommandList(Provider):
    """A command-palette provider over a list of (name, help, callback); subclasses give `_commands()`."""

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        raise NotImplementedError

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
