"""Home: my next shift with a live countdown, handoff notes for me, my shifts for four weeks, and open
seats I can take. In the last 30 minutes of a shift it offers the handoff note (w).

A coordinator's Home also leads with an inbox (warmline.views.inbox): swaps to approve, cover
wanted, notes not acknowledged, shifts with no backup this week, people at or over a limit; each
row acts with a key. It is read in a worker after Home's first frame, never on the start path.

Everyone's Home lists "Swaps for you" (warmline.views.swap.swaps_for_home), also read after the
first frame: a swap offered to me (a accepts, after asking; x declines) and the ones I proposed
(w withdraws); enter opens the Swaps screen."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widget import Widget

from warmline import handoff, rota, triads
from warmline.clock import now
from warmline.errors import WarmlineError
from warmline.model import ShiftView
from warmline.recurrence import zone
from warmline.views import home as home_words
from warmline.views import words

from .base import CommandList, WarmlineScreen
from .plain import Label, Static, plain
from .start import WEEKS_AHEAD, HomeData, load_home
from .table import KeyTable
from .widgets import KeysFooter, LineHeader

RELOAD_SECONDS = 30.0  # time alone changes Home too: the note offer, overdue notes
RETRY_SECONDS = 2.0  # after a first load that failed
PREVIEW_CHARS = 240


class HandoffCommands(CommandList):
    """Palette entries for Home's handoff keys (present only when they would work)."""

    def _commands(self) -> list[tuple[str, str, Any]]:
        screen = self.screen
        if not isinstance(screen, HomeScreen):
            return []
        found = []
        if screen.check_action("write_note", ()):
            found.append(
                ("Write a handoff note", "For the next shift, in the last 30 minutes of yours (w)", screen.action_write_note)
            )
        if screen.check_action("ack_note", ()):
            found.append(("Acknowledge handoff note", "The selected note for your shift (a)", screen.action_ack_note))
        if screen.data is not None:
            if screen.data.in_triads:
                found.append(("Leave triads", "Stop meeting in a peer-support triad (j)", screen.action_triads))
            else:
                found.append(("Join triads", "Meet two peers regularly to support each other (j)", screen.action_triads))
        found.append(("Ask for a debrief", "After a hard call: your backup and triad are told who and when (b)",
                      screen.action_debrief))
        return found


class NotesPanel(Vertical):
    """Handoff notes for me (and, for coordinators, notes not acknowledged): a title, the notes, a preview."""

    def __init__(self) -> None:
        super().__init__(id="handoff-panel")
        self.title = Label("Handoff notes for you", id="handoff-panel-title", classes="section-title")
        self.table = KeyTable(
            [("From", "from"), ("Change", "change"), ("Written", "written"), ("Status", "status")],
            id="handoff-notes",
        )
        self.preview = Static("", id="handoff-preview")

    def compose(self) -> ComposeResult:
        yield self.title
        yield self.table
        yield self.preview


class InboxPanel(Vertical):
    """A coordinator's inbox: a row per item that waits for them, or a calm line when none does."""

    DEFAULT_CSS = """
    InboxPanel {
        height: auto;
    }
    InboxPanel > #inbox {
        height: auto;
        max-height: 8;
        margin: 1 1 0 1;
    }
    InboxPanel > #inbox-empty {
        height: auto;
        padding: 0 1;
        margin-top: 1;
    }
    """

    def __init__(self) -> None:
        super().__init__(id="inbox-panel")
        self.table = KeyTable(
            [("Waiting for you", "what"), ("When", "when"), ("Details", "detail"), ("Key", "act")],
            caption="Inbox",
            shrink=("detail",),
            id="inbox",
        )
        self.empty = Static("", id="inbox-empty")

    def compose(self) -> ComposeResult:
        yield self.table
        yield self.empty


class SwapsPanel(Vertical):
    """Swaps for you: the open swaps I am in, a row each; its title says the keys (no room for a key column at 80)."""

    DEFAULT_CSS = """
    SwapsPanel {
        height: auto;
    }
    SwapsPanel > #home-swaps {
        height: auto;
        max-height: 5;
        margin: 1 1 0 1;
    }
    """

    def __init__(self) -> None:
        super().__init__(id="home-swaps-panel")
        self.table = KeyTable(
            [("Swap", "what"), ("You give", "give"), ("You take", "take")],
            caption="Swaps for you",
            shrink=("what",),
            id="home-swaps",
        )

    def compose(self) -> ComposeResult:
        yield self.table


class NextShift(Widget):
    """"Your next shift": when, with whom, and (in its last 30 minutes) the handoff-note offer."""

    COMPONENT_CLASSES = {"next-shift--title", "next-shift--offer"}

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.when: Text = Text("Loading…")
        self.who = ""
        self.offer = ""  # "" when there is no note to offer
        self.meeting = ""  # "" when I have no triad meeting coming

    def show(self, when: Text, who: str, offer: str, meeting: str = "") -> None:
        if (when, who, offer, meeting) != (self.when, self.who, self.offer, self.meeting):
            relayout = (
                bool(offer) != bool(self.offer) or bool(who) != bool(self.who) or bool(meeting) != bool(self.meeting)
            )
            self.when, self.who, self.offer, self.meeting = when, who, offer, meeting
            self.refresh(layout=relayout)

    def render(self) -> Text:
        text = Text(no_wrap=True)
        text.append("Your next shift", style=self.get_component_rich_style("next-shift--title"))
        for part in (self.when, self.who):
            if part:
                text.append("\n")
                text.append_text(plain(part if isinstance(part, Text) else Text(part), multiline=False))  # names: data
        if self.offer:
            text.append("\n")
            text.append(self.offer, style=self.get_component_rich_style("next-shift--offer"))
        if self.meeting:  # a narrator's handle: data, never markup
            text.append("\n")
            text.append_text(plain(Text(self.meeting), multiline=False))
        return text


class HomeScreen(WarmlineScreen):
    """Where everyone starts: what is next for me and what I could pick up."""

    BINDINGS = [
        Binding("c", "claim", "Claim seat", id="home.claim"),
        Binding("d", "drop", "Drop shift", id="home.drop"),
        # Swaps for you (only while that table has focus, so they come before the note keys a and w).
        Binding("a", "accept_swap", "Accept", tooltip="Accept the swap offered to you (Swaps for you)", id="home.accept_swap"),
        Binding("x", "decline_swap", "Decline", tooltip="Decline the swap offered to you (Swaps for you)", id="home.decline_swap"),
        Binding("w", "withdraw_swap", "Withdraw", tooltip="Withdraw the swap you proposed (Swaps for you)", id="home.withdraw_swap"),
        # Short words: with c and d, a coordinator's footer must still fit 80 columns. Help shows the tooltips.
        Binding("w", "write_note", "Note", tooltip="Write a handoff note for the next shift", id="home.write_note"),
        Binding("a", "ack_note", "Ack", tooltip="Acknowledge the selected handoff note (you read it)", id="home.ack_note"),
        # Off the footer (it must fit 80 columns); in Help and the command palette.
        Binding("j", "triads", "Triads", tooltip="Join triads (peer support), or leave them", show=False, id="home.triads"),
        Binding("b", "debrief", "Debrief", tooltip="Ask for a debrief after a hard call (on shift or within 2 h)", show=False, id="home.debrief"),
        # A coordinator's inbox, on a swap waiting for approval (shown only there).
        Binding("o", "approve_swap", "Approve", tooltip="Approve the selected swap (the inbox)", id="home.approve_swap"),
        Binding("x", "refuse_swap", "Refuse", tooltip="Refuse the selected swap (the inbox)", id="home.refuse_swap"),
    ]
    COMMANDS = {HandoffCommands}

    def __init__(self) -> None:
        super().__init__(name="home")
        self.data: HomeData | None = None
        self._early: HomeData | None = None  # loaded before the widgets were mounted
        self._early_error = ""  # or the message of a load that failed then
        self._notes: NotesPanel | None = None  # the handoff panel, once there was a note
        self.inbox: Any = None  # a coordinator's inbox (warmline.views.inbox.Inbox), once read
        self._inbox: InboxPanel | None = None  # its panel, mounted with the first inbox
        self.swaps: list[Any] | None = None  # Swaps for you (warmline.views.swap.HomeSwap), once read
        self._swaps: SwapsPanel | None = None  # their panel, mounted with the first swap
        self._offers_seen: set[str] = set()  # swaps offered to me already shown (a new one takes the focus once)

    def prefetch(self) -> None:
        """Start loading now, before the screen is composed (the app's first screen): the data
        often lands before the first paint, so Home is drawn once, with it."""
        self.skip_resume_load = True  # the first resume need not load again
        app: Any = self.app
        app.call_core(load_home, self.actor, done=self._arrived, failed=self._prefetch_failed, group="home")

    def adopt(self, loading: Future[HomeData]) -> None:
        """Take Home's data from a load begun before the app started (warmline.screens.start.begin)."""
        self.skip_resume_load = True
        app: Any = self.app

        def landed(done: Future[HomeData]) -> None:  # on the app's thread
            try:
                data = done.result()
            except WarmlineError as exc:
                self._prefetch_failed(str(exc))
            except Exception as exc:  # a bug: say so, as call_core does
                app.notify(f"unexpected error: {exc!r}", severity="error", timeout=15)
            else:
                self._arrived(data)

        if loading.done():
            landed(loading)
        else:
            loading.add_done_callback(lambda done: app.call_from_thread(landed, done))

    def _arrived(self, data: HomeData) -> None:
        app: Any = self.app
        if app.line is None:
            app.line = data.line  # the header draws the line's name and escalation text from the start
        if self.is_mounted:
            self._show(data)
        else:
            self._early = data  # shown on mount

    def _prefetch_failed(self, message: str) -> None:
        if self.is_mounted:
            self._retry_after(message)
        else:
            self._early_error = message  # said on mount

    def _retry_after(self, message: str) -> None:
        """Say why Home could not load (e.g. the file is busy) and try again in a moment."""
        self._say(message, error=True)
        self.set_timer(RETRY_SECONDS, self.reload)


    def compose(self) -> ComposeResult:
        # Few widgets, each drawing several lines: every widget costs start-up time (styling,
        # layout, a render); the handoff panel is mounted the first time a note is there.
        yield LineHeader()
        yield NextShift(id="next-shift")
        yield KeyTable(
            [("When", "when"), ("Hours", "hours"), ("With", "with"), ("Backup", "backup"), ("Status", "status")],
            caption=f"Your shifts · next {WEEKS_AHEAD} weeks",
            id="upcoming",
        )
        yield KeyTable(
            [("When", "when"), ("Hours", "hours"), ("Open", "open"), ("On it", "on"), ("Backup", "backup")],
            caption="Open seats you can take",
            id="open-seats",
        )
        yield KeysFooter()  # (the message line below the tables is mounted with the first message)

    def _handoff_panel(self) -> NotesPanel:
        """The panel of handoff notes (mounted above my shifts the first time there is a note)."""
        if self._notes is None:
            self._notes = NotesPanel()
            self._notes.display = False
            self.mount(self._notes, before=self.query_one("#upcoming"))
        return self._notes

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)
        self.set_interval(RELOAD_SECONDS, self.reload)
        self.query_one("#upcoming", KeyTable).focus()
        early, self._early = self._early, None
        if early is not None:
            self._show(early)
        elif self._early_error:
            self._retry_after(self._early_error)

    def reload(self) -> None:
        self.call_core(load_home, self.actor, done=self._show, group="home", exclusive=True)
        if self.inbox is not None:
            self.load_inbox()
        if self.swaps is not None:
            self.load_swaps()

    def load_inbox(self) -> None:
        """A coordinator's inbox, read in a worker (never on the start path: after Home's first frame)."""
        if not self.actor.is_coordinator:
            return
        from warmline.views.inbox import read_inbox

        self.call_core(read_inbox, self.actor, done=self._show_inbox, group="inbox", exclusive=True)

    def load_swaps(self) -> None:
        """Swaps for you, read in a worker (after Home's first frame, never on the start path)."""
        from warmline.views.swap import swaps_for_home

        self.call_core(swaps_for_home, self.actor, done=self._show_swaps, group="home-swaps", exclusive=True)

    # -- showing

    def _show(self, data: HomeData) -> None:
        if not self.query("#upcoming"):
            return  # the app is closing: the widgets are gone
        first = self.data is None
        self.data = data
        me = self.actor.id
        rows = []
        for v in data.mine:
            rows.append(
                (
                    str(v.shift.id),
                    [
                        words.when(v),
                        words.hours(v.shift.hours),
                        words.handles(v.peers, except_id=me) or "—",
                        words.backup_text(v, me),
                        self._status(v),
                    ],
                )
            )
        self.query_one("#upcoming", KeyTable).set_rows(rows)
        rows = []
        for v in data.open:
            opening = words.open_text(v) or "COVER"  # the shift dialog says for whom
            rows.append(
                (
                    str(v.shift.id),
                    [
                        words.when(v),
                        words.hours(v.shift.hours),
                        opening,
                        words.handles(v.peers) or "—",
                        words.backup_text(v),
                    ],
                )
            )
        self.query_one("#open-seats", KeyTable).set_rows(rows)
        upcoming = self.query_one("#upcoming", KeyTable)
        if first and not data.mine and rows and upcoming.has_focus:
            self.query_one("#open-seats", KeyTable).focus()  # nothing of mine: c claims from here
        self._show_notes(data, first=first)
        self._tick()
        self.refresh_bindings()
        if first:
            self.call_after_refresh(self.app.home_shown)  # type: ignore[attr-defined]
            if self.actor.is_coordinator:
                self.call_after_refresh(self.load_inbox)  # after the first frame
            self.call_after_refresh(self.load_swaps)

    def _show_inbox(self, inbox: Any) -> None:
        """The coordinator's inbox: a row per item, the key that acts in its last column."""
        if not self.query("#upcoming"):
            return  # the app is closing
        first = self.inbox is None
        self.inbox = inbox
        if self._inbox is None:
            self._inbox = InboxPanel()
            self.mount(self._inbox, after=self.query_one("#next-shift"))
        panel = self._inbox
        table = panel.table
        rows = [(i.key, [i.what, i.when or "—", Text(i.detail), Text(i.act, style="bold")]) for i in inbox.items]
        table.set_rows(rows)
        count = len(rows)
        table.caption = f"Inbox · {count} {'item waits' if count == 1 else 'items wait'} for you"
        table.refresh()
        table.display = bool(rows)
        from warmline.views.inbox import EMPTY

        panel.empty.update("" if rows else Text(f"Inbox · {EMPTY}"))
        panel.empty.display = not rows
        if not rows and table.has_focus:
            self.query_one("#upcoming", KeyTable).focus()
        elif first and rows and getattr(self.app.focused, "id", None) in (None, "upcoming", "open-seats"):
            # A coordinator's Home leads with what waits for them (a note for their own shift stays first).
            # Without scrolling: the inbox sits under "Your next shift", which must stay in sight at 80x24
            # (scrolling it into view before it was laid out left Home 3 rows down, or not, by timing).
            focus = lambda: table.focus(scroll_visible=False)  # noqa: E731
            focus() if table.is_mounted else self.call_after_refresh(focus)
        self.call_after_refresh(self.refresh_bindings)

    def _show_swaps(self, found: list[Any]) -> None:
        """Swaps for you: a row per open swap I am in (mounted with the first; hidden when none)."""
        if not self.query("#upcoming"):
            return  # the app is closing
        self.swaps = found
        if self._swaps is None:
            if not found:
                return  # no swap yet: no panel
            self._swaps = SwapsPanel()
            after = self._inbox if self._inbox is not None else self.query_one("#next-shift")
            self.mount(self._swaps, after=after)
        panel = self._swaps
        table = panel.table
        from warmline.views.swap import home_caption

        table.set_rows([(h.key, [Text(h.what, style="bold" if h.answer else ""), h.give, h.take]) for h in found])
        offers = {h.key for h in found if h.answer}
        new, self._offers_seen = offers - self._offers_seen, self._offers_seen | offers
        table.caption = home_caption(found)
        table.refresh()
        panel.display = bool(found)
        if not found and table.has_focus:
            self.query_one("#upcoming", KeyTable).focus()
        elif new and getattr(self.app.focused, "id", None) in (None, "upcoming", "open-seats"):
            # A new swap offered to me waits for my answer: it takes the focus once (not from a note or the inbox).
            table.focus() if table.is_mounted else self.call_after_refresh(table.focus)
        self.call_after_refresh(self.refresh_bindings)

    def _swap_row(self) -> Any:
        """The row of Swaps for you under the cursor when that table has focus, else None."""
        if self._swaps is None or not self.swaps or not self._swaps.table.has_focus:
            return None
        key = self._swaps.table.cursor_key
        return next((h for h in self.swaps if h.key == key), None)

    def _inbox_item(self) -> Any:
        """The inbox item under the cursor when the inbox has focus, else None."""
        if self._inbox is None or self.inbox is None or not self._inbox.table.has_focus:
            return None
        return self.inbox.find(self._inbox.table.cursor_key)

    @on(KeyTable.RowHighlighted, "#inbox")
    def _inbox_highlighted(self, _event: KeyTable.RowHighlighted) -> None:
        self.refresh_bindings()

    def on_descendant_focus(self, _event: Any) -> None:
        self.refresh_bindings()  # c, o and x follow the focused table

    def _show_notes(self, data: HomeData, *, first: bool = False) -> None:
        """Notes for me, newest first (a coordinator's overdue notes are rows of the inbox instead)."""
        tz = zone(data.line.tz)
        rows = []
        for n in sorted(data.notes, key=lambda n: (-n.created_at.timestamp(), n.id)):  # newest first
            rows.append(
                (
                    f"note-{n.id}",
                    [
                        n.author_name,
                        f"{n.change_at.astimezone(tz):%a %H:%M}" if n.change_at else "—",  # the next shift's start
                        f"{n.created_at.astimezone(tz):%a %H:%M}",
                        Text("unread · a acknowledges", style="bold"),
                    ],
                )
            )
        if not rows and self._notes is None:
            return  # no note yet: no panel
        panel = self._handoff_panel()
        table = panel.table
        appearing = bool(rows) and not panel.display
        table.set_rows(rows)
        panel.title.update("Handoff notes for you")
        if table.has_focus and not rows:
            self.query_one("#upcoming", KeyTable).focus()
        panel.display = bool(rows)
        upcoming = self.query_one("#upcoming", KeyTable)
        if appearing and data.notes and (first or upcoming.has_focus):
            # A note for my shift is the first thing to read (once the panel is mounted).
            table.focus() if table.is_mounted else self.call_after_refresh(table.focus)
            self.call_after_refresh(self.refresh_bindings)  # the footer follows the focus
        self._preview()

    def _note_at_cursor(self) -> handoff.HandoffNote | None:
        if self.data is None:
            return None
        key = self._notes.table.cursor_key if self._notes else None
        return next((n for n in self.data.notes if f"note-{n.id}" == key), None)

    def _preview(self) -> None:
        note = self._note_at_cursor()
        if self._notes is None:
            return
        preview = self._notes.preview
        if note is None:
            preview.update("")
            return
        body = note.body
        if len(body) > PREVIEW_CHARS:
            body = body[:PREVIEW_CHARS].rstrip() + "… (enter reads it all)"
        preview.update(Text(body))

    @on(KeyTable.RowHighlighted, "#handoff-notes")
    def _note_highlighted(self, _event: KeyTable.RowHighlighted) -> None:
        self._preview()
        self.refresh_bindings()

    def _status(self, v: ShiftView) -> Text:
        word = words.status(v, self.actor.id)
        style = "" if word == "covered" else "bold"
        return Text(word, style=style)

    def _next(self) -> ShiftView | None:
        if self.data is None:
            return None
        return next((v for v in self.data.mine if v.shift.status == "scheduled"), None)

    def _tick(self) -> None:
        """Redraw the next shift and its countdown from the clock (static when WARMLINE_NOW fixes it)."""
        if self.data is None or not self.query("#next-shift"):
            return  # no data yet, or the app is closing and the widgets are gone
        shown = self.query_one("#next-shift", NextShift)
        offer = self._offer()
        v = self._next()
        meeting = self._meeting()
        if v is None:
            if self.data.open:
                said = "No shifts in the next four weeks. Open seats you can take are listed below."
            elif self.actor.is_coordinator:  # a new line: say where its first shift is made
                said = "No shifts in the next four weeks, and no open seats: make shifts on the Rota (r, then n)."
            else:
                said = "No shifts in the next four weeks, and no open seats to take just now."
            shown.show(Text(said), "", offer, meeting)
            return
        moment = self.app.clock()  # type: ignore[attr-defined]
        if v.shift.start_utc <= moment:
            timing = f"on now · ends in {words.countdown(v.shift.end_utc - moment)}"
        else:
            timing = f"starts in {words.countdown(v.shift.start_utc - moment)}"
        text = Text()
        text.append(words.when(v), style="bold")
        text.append(f" · {words.hours(v.shift.hours)} · ")
        text.append(timing, style="bold")
        me = self.actor.id
        peers = words.handles(v.peers, except_id=me) or "nobody else yet"
        backup = words.backup_text(v, me, none=f"{words.NO_BACKUP} yet")
        line = f"With {peers} · backup {backup}"
        if v.open_seats:
            line += f" · {words.open_text(v)}"
        shown.show(text, line, offer, meeting)

    def _meeting(self) -> str:
        assert self.data is not None
        return home_words.meeting_line(self.data.meeting, self.actor.id)

    def _offer(self) -> str:
        assert self.data is not None
        shift = self.data.write_shift
        return home_words.note_offer(shift.end_utc if shift else None, self.app.clock())  # type: ignore[attr-defined]

    def _say(self, message: str, *, error: bool = False) -> None:
        classes = "message -error" if error else "message -ok"
        found = self.query("#home-message")
        if found:
            widget = found.first(Static)
            widget.update(message)
            widget.set_classes(classes)
        else:
            self.mount(Static(message, id="home-message", classes=classes), after=self.query_one("#open-seats"))

    # -- actions

    def _selected(self, table_id: str, views: list[ShiftView]) -> ShiftView | None:
        key = self.query_one(table_id, KeyTable).cursor_key
        return next((v for v in views if str(v.shift.id) == key), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("accept_swap", "decline_swap"):
            row = self._swap_row()
            return row is not None and row.answer
        if action == "withdraw_swap":
            row = self._swap_row()
            return row is not None and row.withdraw
        if action in ("claim", "drop") and self._swaps is not None and self._swaps.table.has_focus:
            return False  # they act on Open seats and Your shifts (the footer keeps 80 columns)
        if action in ("approve_swap", "refuse_swap"):
            item = self._inbox_item()
            return item is not None and item.kind == "swap"
        if action in ("claim", "drop") and self._inbox is not None and self._inbox.table.has_focus:
            return False  # they act on Open seats and Your shifts, not on the inbox (the footer keeps 80 columns)
        if action == "claim":
            return bool(self.data and self.data.open)
        if action == "drop":
            return bool(self.data and any(v.shift.status == "scheduled" for v in self.data.mine))
        if action == "write_note":
            return bool(self.data and self.data.write_shift is not None)
        if action == "ack_note":
            return bool(self.data and self.data.notes)
        return True

    def action_triads(self) -> None:
        """Join triads, or (asked first: it may end one's triad) leave them."""
        if self.data is None:
            return
        if not self.data.in_triads:
            self.call_core(
                triads.join,
                self.actor,
                done=lambda _j: self._changed("You have opted in to triads: a coordinator places you in one."),
                failed=lambda m: self._say(m, error=True),
            )
            return
        from .confirm import ConfirmDialog

        body = (
            "You will no longer be placed in a triad. If you are in one, you leave it; "
            "with fewer than three left it ends and its meetings are cancelled."
        )
        self.app.push_screen(ConfirmDialog("Leave triads?", body, yes="Leave", no="Stay"), self._leave_triads)

    def _leave_triads(self, yes: bool | None) -> None:
        if not yes:
            return
        self.call_core(
            triads.leave,
            self.actor,
            done=lambda said: self._changed(said[0].upper() + said[1:] + "."),
            failed=lambda m: self._say(m, error=True),
        )

    def action_debrief(self) -> None:
        """Ask for a debrief, after confirming: the shift's backup and one's triad are told who asks and when."""
        from .confirm import ConfirmDialog

        body = (
            "Your shift's backup and your triad are told that you ask for a debrief, and when: nothing else. "
            "If nobody takes it within 15 minutes, the coordinators are told."
        )
        self.app.push_screen(ConfirmDialog("Ask for a debrief?", body, yes="Ask", no="Not now"), self._ask_debrief)

    def _ask_debrief(self, yes: bool | None) -> None:
        if not yes:
            return
        from warmline import debrief

        self.call_core(debrief.request, self.actor, done=self._debrief_asked, failed=lambda m: self._say(m, error=True))

    def _debrief_asked(self, result) -> None:
        asked, told = result
        self._changed(home_words.debrief_asked(asked.id, told))

    def action_claim(self) -> None:
        """Claim the seat selected in Open seats (only when that table has focus); within the drop
        cut-off ask first: such a claim cannot be undone by dropping, only by asking for cover."""
        if self.data is None:
            return
        if not self.query_one("#open-seats", KeyTable).has_focus:
            self._say("c claims the seat selected in Open seats you can take: move there first (tab).", error=True)
            return
        v = self._selected("#open-seats", self.data.open)
        if v is None:
            return
        line = self.data.line
        if line.drop_asks_cover(v.shift.start_utc, now()):
            from .confirm import ConfirmDialog

            body = (
                f"{words.when(v)}. Within {line.drop_cutoff_hours:g} h of the start you can't drop it, "
                "only ask for cover."
            )
            self.app.push_screen(
                ConfirmDialog("Claim it?", body, yes="Claim it", no="Not now"),
                lambda yes: self._claim(v) if yes else None,
            )
            return
        self._claim(v)

    def _claim(self, v: ShiftView) -> None:
        self.call_core(
            rota.claim,
            self.actor,
            v.shift.id,
            done=lambda _a: self._changed(f"You are on {words.when(v)}. Thank you."),
            failed=lambda m: self._say(m, error=True),
        )

    def action_drop(self) -> None:
        if self.data is None:
            return
        v = self._selected("#upcoming", self.data.mine)
        if v is None:
            return
        if v.shift.status != "scheduled":
            self._say(f"{words.when(v)} is cancelled: there is nothing to drop.", error=True)
            return
        from .confirm import ConfirmDialog
        from .dialogs import drop_explained

        title, body = drop_explained(v, self.data.line, now())
        self.app.push_screen(ConfirmDialog(title, body, yes="Drop it", no="Keep it"), lambda yes: self._drop(v, yes))

    def _drop(self, v: ShiftView, yes: bool | None) -> None:
        if not yes:
            return

        def dropped(outcome: str) -> None:
            if outcome == "reopened":
                self._changed(f"Dropped {words.when(v)}: the seat is open again.")
            else:
                self._changed(f"Cover requested for {words.when(v)}: you stay on until someone takes it.")

        self.call_core(rota.drop, self.actor, v.shift.id, done=dropped, failed=lambda m: self._say(m, error=True))

    def _changed(self, message: str) -> None:
        self._say(message)
        self.app.notify(message)
        self.reload()

    # -- the coordinator's inbox

    def action_approve_swap(self) -> None:
        self._decide_swap("approve")

    def action_refuse_swap(self) -> None:
        self._decide_swap("refuse")

    def _decide_swap(self, what: str) -> None:
        item = self._inbox_item()
        if item is None or item.kind != "swap":
            self._say("o and x act on a swap selected in the inbox.", error=True)
            return
        from warmline import swaps

        fn = swaps.approve if what == "approve" else swaps.refuse
        said = "approved: the shifts are swapped" if what == "approve" else "refused: nothing changes"
        self.call_core(
            fn,
            self.actor,
            item.ref,
            done=lambda s: self._changed(f"Swap {s.id} {said}."),
            failed=lambda m: self._say(m, error=True),
        )

    # -- swaps for you

    def action_accept_swap(self) -> None:
        """Accept the swap offered to me, after asking (it may be done at once and cannot be undone here)."""
        row = self._swap_row()
        if row is None or not row.answer:
            return
        from warmline.views.swap import accept_question

        from .confirm import ConfirmDialog

        title, body = accept_question(row)
        self.app.push_screen(
            ConfirmDialog(title, body, yes="Accept", no="Not now"),
            lambda yes: self._answer_swap(row, "accept") if yes else None,
        )

    def action_decline_swap(self) -> None:
        row = self._swap_row()
        if row is not None and row.answer:
            self._answer_swap(row, "decline")

    def action_withdraw_swap(self) -> None:
        row = self._swap_row()
        if row is not None and row.withdraw:
            self._answer_swap(row, "withdraw")

    def _open_swaps(self, swap_id: int | None) -> None:
        """The Swaps screen, its cursor on this swap."""
        app: Any = self.app
        app.action_go("swaps")
        if swap_id is not None and app.is_screen_installed("swaps"):
            select = getattr(app.get_screen("swaps"), "select_swap", None)
            if callable(select):
                select(swap_id)

    def _answer_swap(self, row: Any, what: str) -> None:
        from warmline import swaps

        fn = {"accept": swaps.accept, "decline": swaps.decline, "withdraw": swaps.withdraw}[what]
        said = {
            "done": "done: the shifts are swapped",
            "accepted": "accepted: it waits for a coordinator's approval",
            "declined": f"declined: {row.other} is told",
            "withdrawn": f"withdrawn: {row.other} is told",
        }
        self.call_core(
            fn,
            self.actor,
            row.swap_id,
            done=lambda s: self._changed(f"Swap {s.id} {said.get(s.status, s.status)}."),
            failed=lambda m: self._say(m, error=True),
        )

    def _open_item(self, key: str | None) -> None:
        """Enter on an inbox row: the shift (to assign cover or a backup), the note, the person's Load, the swaps."""
        item = self.inbox.find(key) if self.inbox is not None else None
        if item is None:
            return
        if item.kind in ("cover", "backup"):
            from .dialogs import ShiftDialog

            self.app.push_screen(ShiftDialog(item.ref))
        elif item.kind == "note":
            note = self.inbox.note(item.ref)
            if note is not None:
                from .handoff import NoteDialog

                mine = note.reader(self.actor.id)
                reader = mine is not None and mine.acked_at is None  # on the next shift themself: a acknowledges
                self.app.push_screen(
                    NoteDialog(note, reader=reader, tz=zone(self.inbox.tz)), lambda ack: self._ack(note) if ack else None
                )
        elif item.kind == "limit":
            app: Any = self.app
            app.action_go("load")
            if app.is_screen_installed("load"):
                load = app.get_screen("load")
                select = getattr(load, "select_person", None)
                if callable(select):
                    select(item.ref)
        elif item.kind == "swap":
            self._open_swaps(item.ref)

    # -- handoff notes

    def action_write_note(self) -> None:
        if self.data is None or self.data.write_shift is None:
            return
        from .handoff import HandoffDialog

        self.app.push_screen(HandoffDialog(self.data.write_shift.id), self._note_sent)

    def _note_sent(self, note: handoff.HandoffNote | None) -> None:
        if note is None:
            return
        readers = ", ".join(r.handle for r in note.readers)
        self._changed(f"Handoff note sent{' to ' + readers if readers else ''}. Thank you.")

    def _for_me(self, note: handoff.HandoffNote) -> bool:
        return self.data is not None and any(n.id == note.id for n in self.data.notes)

    def action_ack_note(self) -> None:
        if self.data is None:
            return
        note = self._note_at_cursor()
        if note is None and len(self.data.notes) == 1:
            note = self.data.notes[0]
        if note is None or not self._for_me(note):
            self._say("Only the people on the next shift acknowledge a note: select one marked unread.", error=True)
            return
        self._ack(note)

    def _ack(self, note: handoff.HandoffNote) -> None:
        self.call_core(
            handoff.ack,
            self.actor,
            note.id,
            done=lambda _n: self._changed(f"Acknowledged {note.author_name}'s handoff note."),
            failed=lambda m: self._say(m, error=True),
        )

    def _read_note(self, note: handoff.HandoffNote) -> None:
        if self.data is None:
            return
        reader = self._for_me(note)

        def answered(ack: bool | None) -> None:
            if ack:
                self._ack(note)

        from .handoff import NoteDialog

        self.app.push_screen(NoteDialog(note, reader=reader, tz=zone(self.data.line.tz)), answered)

    @on(KeyTable.RowSelected)
    def _open(self, event: KeyTable.RowSelected) -> None:
        key = event.key
        if event.table.id == "inbox":
            self._open_item(key)
            return
        if event.table.id == "home-swaps":
            row = next((h for h in self.swaps or () if h.key == key), None)
            self._open_swaps(row.swap_id if row else None)
            return
        if event.table.id == "handoff-notes":
            note = self._note_at_cursor()
            if note is not None:
                self._read_note(note)
            return
        from .dialogs import ShiftDialog

        self.app.push_screen(ShiftDialog(int(key)))
