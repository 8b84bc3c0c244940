"""Match: a caller's needs → the peers on shift now, ranked, each with the reasons for their place.

Tags appear here only as reasons inside a match ("shares: grief"); nobody's list of
experiences is ever shown. The ranking, the refusal for people not on shift, the busy
mark and the call log all come from the core (warmline.matching, warmline.calls).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.suggester import Suggester
from textual.timer import Timer

from warmline import calls
from warmline.errors import Invalid
from warmline.matching import MatchCandidate, MatchResult
from warmline.recurrence import zone
from warmline.taxonomy import Resolver, Tag
from warmline.views import words
from warmline.views.match import (
    NO_SHARED_NEED,
    ON_A_CALL,
    MatchData,
    MatchQuery,
    call_count,
    load_match,
    reasons,
    split_entries,
    tag_names,
)

from .base import WarmlineScreen
from .confirm import ConfirmDialog
from .plain import Input, Label, Static
from .table import KeyTable
from .widgets import KeysFooter, LineHeader, Ordered

DEBOUNCE_SECONDS = 0.35
NEXT_PER_NEED_SHOWN = 2


# ---------------------------------------------------------------- typing tags


class SuggestLastEntry(Suggester):
    """Complete the last comma-separated entry from a list of names (case-insensitive).

    "grief, hou" suggests "grief, housing insecurity": what was typed is kept as typed, so the
    Input shows the rest of the name faintly and → accepts it. Names already given are skipped.
    """

    def __init__(self, names: Iterable[str]) -> None:
        super().__init__(use_cache=True, case_sensitive=True)
        self.names = list(names)
        self._folded = [n.casefold() for n in self.names]

    async def get_suggestion(self, value: str) -> str | None:
        head, comma, tail = value.rpartition(",")
        typed = tail.lstrip()
        if not typed:
            return None
        given = {e.casefold() for e in split_entries(head)} if comma else set()
        wanted = typed.casefold()
        for name, folded in zip(self.names, self._folded, strict=True):
            if folded.startswith(wanted) and len(name) > len(typed) and folded not in given:
                return value + name[len(typed) :]
        return None


# ---------------------------------------------------------------- the screen


class MatchScreen(WarmlineScreen):
    """Type the caller's needs (Enter runs the match); the peers on shift, best fit first, with reasons."""

    CSS_PATH = "match.tcss"

    BINDINGS = [
        Binding("slash", "edit_needs", "Needs", tooltip="Type the caller's needs", id="match.edit_needs"),
        Binding("b", "busy(True)", "On a call", tooltip="Mark yourself on a call", id="match.busy"),
        Binding("b", "busy(False)", "Free again", tooltip="Mark yourself free again", id="match.busy"),
        Binding("c", "log_call", "Log call", tooltip="Log this call with its needs (anonymous)", id="match.log_call"),
        Binding("escape", "to_results", "Results", show=False, id="match.to_results"),
    ]

    def __init__(self) -> None:
        super().__init__(name="match")
        self.query_now = MatchQuery()
        self.data: MatchData | None = None
        self.resolver: Resolver | None = None
        self._tags: tuple[Tag, ...] = ()
        self._debounce: Timer | None = None
        self._focus_results = False
        self._shown: MatchQuery | None = None  # the question whose answer the table shows
        self._asked = 0  # answers to earlier asks are dropped (rather than cancelling their workers)


    def compose(self) -> ComposeResult:
        yield LineHeader()
        with Vertical(id="match-body"):
            with Horizontal(classes="match-row"):
                yield Label("Needs", classes="match-label")
                yield Input(
                    placeholder="e.g. grief, housing (comma-separated; → completes, Enter matches)",  # fits 80 columns
                    id="match-needs",
                    compact=True,
                )
            with Horizontal(classes="match-row"):
                yield Label("Language", classes="match-label")
                yield Input(placeholder="any", id="match-language", compact=True)
                yield Label("Prefers", classes="match-label")
                yield Input(placeholder="e.g. woman, veteran (optional)", id="match-prefer", compact=True)
            yield Static("Loading who is on shift…", id="match-status")
            yield KeyTable(
                (("#", "rank"), ("Peer", "peer"), ("Seat", "seat"), ("Now", "now"), ("Calls", "calls"), ("Why", "why")),
                id="match-candidates",
            )
            yield Static("", id="match-detail")
            with VerticalScroll(id="match-next"):
                yield Static("", id="match-unmet")
            yield Static("", id="match-message", classes="message")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#match-needs", Input).focus()

    # -- asking

    def reload(self) -> None:
        """Re-run the last query (the database changed, or the screen came back)."""
        self._asked += 1
        asked = self._asked
        self.call_core(
            load_match, self.actor, self.query_now, done=lambda data: self._show(data, asked), group="match"
        )

    def _read_query(self) -> MatchQuery:
        return MatchQuery(
            tuple(split_entries(self.query_one("#match-needs", Input).value)),
            self.query_one("#match-language", Input).value.strip(),
            tuple(split_entries(self.query_one("#match-prefer", Input).value)),
        )

    def run_match(self, *, focus_results: bool = False) -> None:
        """Match what is typed now."""
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        self.query_now = self._read_query()
        self._focus_results = focus_results
        self.reload()

    def _complete(self, query: MatchQuery) -> bool:
        """True when every entry names a tag (so a match run while typing will not complain)."""
        if self.resolver is None:
            return False
        try:
            self.resolver.resolve_many(query.needs)
            self.resolver.resolve_many(query.prefer, family="identity")
            if query.language:
                self.resolver.resolve(query.language, family="language")
        except Invalid:
            return False
        return True

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        # Typing never waits on the database: a match runs after a short pause, and only once
        # every entry names a tag; Enter runs it at once and says what is wrong.
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        query = self._read_query()
        if query != self.query_now and self._complete(query):
            self._debounce = self.set_timer(DEBOUNCE_SECONDS, self.run_match)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.run_match(focus_results=True)

    # -- showing

    def _show(self, data: MatchData, asked: int | None = None) -> None:
        if (asked is not None and asked != self._asked) or data.query != self.query_now:
            return  # an older question (or an older reading of this one) answered late
        if data.tags != self._tags:
            self._set_tags(data.tags)
        if data.invalid is not None:
            # Keep the last answer on screen (and in self.data) while the needs are corrected.
            self.say(data.invalid, error=True)
            return
        self.data = data
        table = self.query_one("#match-candidates", KeyTable)
        status = self.query_one("#match-status", Static)
        table.display = data.refusal is None
        if data.refusal is not None:
            table.set_rows([])
            status.update(Text(self._calm(data.refusal)))
            status.set_class(True, "-refused")
            self._unmet(None)
            self.query_one("#match-detail", Static).update("")
            self.refresh_bindings()
            return
        status.set_class(False, "-refused")
        result = data.result
        assert result is not None
        me = data.me.handle if data.me else self.actor.handle
        rows = []
        for i, c in enumerate(result.candidates, start=1):
            why = reasons(c)
            rows.append(
                (
                    c.handle,
                    [
                        Ordered(str(i), i),
                        Text(f"{c.handle} (you)" if c.handle == me else c.handle),
                        c.role,
                        Text("BUSY", style="bold reverse") if c.busy else Text("free"),
                        str(c.calls_taken),
                        Text(why) if why else Text(NO_SHARED_NEED, style="dim"),
                    ],
                )
            )
        table.set_rows(rows)
        if data.query != self._shown and table.row_count:
            table.move_cursor(row=0, animate=False)  # a new question starts at the best fit
        self._shown = data.query
        status.update(self._status_text(data, result))
        self._unmet(result)
        self._detail()
        if self.query_one("#match-message").has_class("-error"):
            self.say("")  # the complaint was about an earlier question
        if self._focus_results:
            self._focus_results = False
            if table.row_count:
                table.focus()
        self.refresh_bindings()

    def _set_tags(self, tags: tuple[Tag, ...]) -> None:
        self._tags = tags
        self.resolver = Resolver(tags)
        needs = [t for t in tags if t.family != "language"]
        self.query_one("#match-needs", Input).suggester = SuggestLastEntry(tag_names(needs))
        self.query_one("#match-language", Input).suggester = SuggestLastEntry(
            tag_names(t for t in tags if t.family == "language")
        )
        self.query_one("#match-prefer", Input).suggester = SuggestLastEntry(
            tag_names(t for t in tags if t.family == "identity")
        )

    def _calm(self, refusal: str) -> str:
        return (
            f"{refusal}.\n"
            "When you are on a shift, this screen shows who on it fits a caller best. "
            "Your shifts are on Home (h)."
        )

    def _status_text(self, data: MatchData, result: MatchResult) -> Text:
        tz = zone(data.tz)
        local = result.at.astimezone(tz)
        text = Text()
        asked = ", ".join(t.label for t in result.needs)
        if result.language:
            asked += (" in " if asked else "speaks ") + result.language.label
        if result.prefer:
            asked += ("; " if asked else "") + "prefers " + ", ".join(t.label for t in result.prefer)
        if asked:
            text.append("Caller: ", style="bold")
            text.append(asked)
        else:
            text.append("On shift now", style="bold")
        text.append(f" · {words.day(local)} {local:%H:%M}")
        count = len(result.candidates)
        if not count:
            if result.without_language and result.language:
                text.append(f" · nobody on shift speaks {result.language.label}", style="bold")
            else:
                text.append(" · nobody is on shift now", style="bold")
        else:
            text.append(f" · {count} on shift")
            if result.without_language and result.language:
                text.append(f" ({result.without_language} more who don't speak {result.language.label})")
        seat = data.seat
        if seat is not None:
            busy = seat.busy_since is not None
            end = seat.end_utc.astimezone(tz)
            text.append(f" · you: {seat.role} until {end:%H:%M}, ")
            text.append(ON_A_CALL if busy else "free", style="bold" if busy else "")
        return text

    def _unmet(self, result: MatchResult | None) -> None:
        widget = self.query_one("#match-unmet", Static)
        box = self.query_one("#match-next")
        if result is None or not result.unmet:
            widget.update("")
            box.display = False
            return
        box.display = True
        tz = zone(self.data.tz) if self.data else None
        text = Text()
        text.append("Nobody on shift offers: ", style="bold")
        text.append(", ".join(t.label for t in result.unmet))
        if result.next and result.next[0].need is None:
            # A volunteer's match: the next shifts with everyone on them, no reasons (the core's choice).
            text.append("\nNext on shift: ", style="bold")
            shown = []
            for n in result.next[:NEXT_PER_NEED_SHOWN]:
                shown.append(f"{words.between(n.start, n.end, tz)} {', '.join(n.handles)}")
            text.append("; ".join(shown))
            widget.update(text)
            return
        text.append("\nNext on shift who fits: ", style="bold")
        by_need: dict[str, list] = {}
        for n in result.next:
            by_need.setdefault(n.need, []).append(n)
        parts = []
        for need in result.unmet:
            found = by_need.get(need.id, [])
            if not found:
                parts.append(f"{need.label}: nobody in the next 24 h")
                continue
            shown = []
            for n in found[:NEXT_PER_NEED_SHOWN]:
                shown.append(f"{words.between(n.start, n.end, tz)} {', '.join(n.handles)}")
            more = len(found) - NEXT_PER_NEED_SHOWN
            parts.append(f"{need.label}: " + "; ".join(shown) + (f" (+{more} later)" if more > 0 else ""))
        text.append(" · ".join(parts))
        widget.update(text)

    def _current(self) -> MatchCandidate | None:
        table = self.query_one("#match-candidates", KeyTable)
        if self.data is None or self.data.result is None or not table.row_count:
            return None
        key = table.cursor_key
        return next((c for c in self.data.result.candidates if c.handle == key), None)

    @on(KeyTable.RowHighlighted, "#match-candidates")
    def _detail(self) -> None:
        c = self._current()
        detail = self.query_one("#match-detail", Static)
        if c is None:
            detail.update("")
            return
        text = Text()
        text.append(f"{c.handle} ({c.name})", style="bold")
        text.append(f" · {c.role}")
        if c.busy and c.busy_since is not None and self.data is not None:
            since = c.busy_since.astimezone(zone(self.data.tz))
            text.append(f" · BUSY on a call since {since:%H:%M}", style="bold")
        text.append(f" · {call_count(c.calls_taken)} this shift")
        why = reasons(c)
        text.append(f" · {why or NO_SHARED_NEED}")
        detail.update(text)

    def say(self, message: str, *, error: bool = False) -> None:
        widget = self.query_one("#match-message", Static)
        widget.update(message)
        widget.set_classes("message -error" if error else "message -ok")

    # -- actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "busy":
            (on,) = parameters
            seat = self.data.seat if self.data else None
            if seat is None:
                return None if on else False  # shown (dimmed) only as "On a call" when not on shift
            busy = seat.busy_since is not None
            return on != busy  # the one that changes something
        if action == "log_call":
            return bool(self.data and self.data.result and (self.data.result.needs or self.data.result.language))
        return True

    def action_edit_needs(self) -> None:
        self.query_one("#match-needs", Input).focus()

    def action_to_results(self) -> None:
        table = self.query_one("#match-candidates", KeyTable)
        if table.row_count:
            table.focus()

    def action_busy(self, on: bool) -> None:
        def done(state: calls.BusyState) -> None:
            message = "You are on a call: others see you as BUSY." if state.busy else "You are free again."
            self.say(message)
            self.reload()

        self.call_core(calls.set_busy, self.actor, on, done=done, failed=lambda m: self.say(m, error=True))

    def action_log_call(self) -> None:
        result = self.data.result if self.data else None
        if result is None or not (result.needs or result.language):
            self.say("Type the caller's needs and press Enter first: a call is logged with its needs.", error=True)
            return
        tags = list(result.needs) + ([result.language] if result.language else [])
        named = ", ".join(t.label for t in tags)
        body = (
            f"Needs: {named}.\n"
            "Only the time and these needs are kept, with you as the one who took it "
            "when you are on shift. Nothing about the caller is stored."
        )
        self.app.push_screen(
            ConfirmDialog("Log this call?", body, yes="Log it", no="Don't"),
            lambda yes: self._log(tags) if yes else None,
        )

    def _log(self, tags: list[Tag]) -> None:
        named = ", ".join(t.label for t in tags)

        def done(_call_id: Any) -> None:
            self.say(f"Call logged ({named}). Thank you.")
            self.app.notify("Call logged.")
            self.reload()

        self.call_core(
            calls.log_call, self.actor, [t.id for t in tags], done=done, failed=lambda m: self.say(m, error=True)
        )


__all__ = ["MatchScreen", "SuggestLastEntry"]
