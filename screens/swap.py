"""Swaps: the open swaps I am in (all of them for coordinators), and the dialog that proposes one.

Every decision is the core's (warmline.swaps): the screen shows its refusals inline, word for word.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical

from warmline import swaps
from warmline.errors import WarmlineError
from warmline.recurrence import zone
from warmline.views import words
from warmline.views.swap import SwapList, SwapOption, SwapOptions, preview_swap, read_swaps, swap_options

from .base import CoreCalls, WarmlineScreen
from .modal import Dialog
from .plain import Label, Option, OptionList, Static
from .table import KeyTable
from .widgets import KeysFooter, LineHeader, Ordered


# ---------------------------------------------------------------- the list


class SwapsScreen(WarmlineScreen):
    """Open swaps: a accept, x decline, w withdraw; coordinators o approve, n refuse."""

    BINDINGS = [
        Binding("a", "decide('accept')", "Accept", id="swaps.accept"),
        Binding("x", "decide('decline')", "Decline", id="swaps.decline"),
        Binding("w", "decide('withdraw')", "Withdraw", id="swaps.withdraw"),
        Binding("o", "decide('approve')", "Approve", id="swaps.approve"),
        Binding("n", "decide('refuse')", "Refuse", tooltip="Refuse the swap (coordinators)", id="swaps.refuse"),
    ]

    def __init__(self) -> None:
        super().__init__(name="swaps")
        self.items: dict[str, swaps.Swap] = {}
        self.said = ""  # the last result or refusal shown (kept over the empty-list hint)
        self._wanted: str | None = None  # a swap to put the cursor on once its row is there (from Home)


    def compose(self) -> ComposeResult:
        yield LineHeader()
        yield Label("Open swaps", classes="section-title")
        yield KeyTable((("#", "id"), ("Gives", "gives"), ("For", "for"), ("Waiting for", "waiting")), id="swaps-table")
        yield Static("", id="swaps-message", classes="message")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#swaps-table").focus()

    def reload(self) -> None:
        self.call_core(read_swaps, self.actor, done=self._show, group="swaps", exclusive=True)

    def _show(self, data: SwapList) -> None:
        tz = zone(data.tz)
        me = self.actor.id
        self.items = {str(s.id): s for s in data.swaps}
        rows = []
        for s in data.swaps:
            giver = "you" if s.from_person_id == me else s.from_handle
            taker = "you" if s.to_person_id == me else s.to_handle
            waiting = "you" if s.waiting_for == self.actor.handle else s.waiting_for
            rows.append(
                (
                    str(s.id),
                    [
                        Ordered(str(s.id), -s.id),
                        Text(f"{giver}: {words.between(s.from_start, s.from_end, tz)}"),  # times, not shift ids
                        Text(f"{taker}: {words.between(s.to_start, s.to_end, tz)}"),
                        Text(waiting, style="bold" if waiting == "you" else ""),
                    ],
                )
            )
        self.query_one("#swaps-table", KeyTable).set_rows(rows)
        self._select_wanted()
        if not rows and not self.said:
            hint = "No open swaps. Propose one from a shift you are on (s in the shift's details)."
            self.query_one("#swaps-message", Static).update(hint)
        self.refresh_bindings()

    def select_swap(self, swap_id: int) -> None:
        """Put the cursor on this swap's row, now or when the rows arrive (Home opens Swaps so)."""
        self._wanted = str(swap_id)
        self._select_wanted()

    def _select_wanted(self) -> None:
        found = self.query("#swaps-table")
        if self._wanted is None or not found:
            return
        table = found.first(KeyTable)
        if table.has_key(self._wanted):
            table.move_cursor(row=table.get_row_index(self._wanted))
            self._wanted = None
            self.refresh_bindings()

    def say(self, message: str, *, error: bool = False) -> None:
        self.said = message
        widget = self.query_one("#swaps-message", Static)
        widget.update(message)
        widget.set_classes("message -error" if error else "message -ok")

    def current(self) -> swaps.Swap | None:
        found = self.query("#swaps-table")
        return self.items.get(found.first(KeyTable).cursor_key or "") if found else None

    @on(KeyTable.RowHighlighted, "#swaps-table")
    def _highlighted(self, _event: KeyTable.RowHighlighted) -> None:
        self.refresh_bindings()  # the keys follow the swap under the cursor

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "decide":
            # Only the keys this person can use on the swap under the cursor (greyed on an empty
            # list): the core still decides (and refuses) whatever arrives.
            (what,) = parameters
            swap, me = self.current(), self.actor
            if swap is None:
                return None if what in ("accept", "decline", "withdraw") or me.is_coordinator else False
            if what in ("accept", "decline"):
                return swap.to_person_id == me.id and swap.status == "proposed"
            if what == "withdraw":
                return swap.from_person_id == me.id
            if what == "approve":
                return me.is_coordinator and swap.status == "accepted"
            return me.is_coordinator  # refuse
        return True

    def action_decide(self, what: str) -> None:
        swap = self.current()
        if swap is None:
            self.say("No swap selected.", error=True)
            return
        fn = {
            "accept": swaps.accept,
            "decline": swaps.decline,
            "withdraw": swaps.withdraw,
            "approve": swaps.approve,
            "refuse": swaps.refuse,
        }[what]
        self.call_core(fn, self.actor, swap.id, done=self._decided, error=self._refused, group="swap-decide")

    def _decided(self, swap: swaps.Swap) -> None:
        said = {
            "done": "done: the shifts are swapped",
            "accepted": "accepted: it waits for a coordinator's approval",
            "declined": "declined",
            "withdrawn": "withdrawn",
            "refused": "refused",
        }
        message = f"Swap {swap.id} {said.get(swap.status, swap.status)}."
        self.say(message)
        self.app.notify(message)
        self.reload()

    def _refused(self, exc: WarmlineError) -> None:
        self.say(str(exc), error=True)


# ---------------------------------------------------------------- proposing


class SwapDialog(CoreCalls, Dialog["swaps.Swap | None"]):
    """Pick someone's shift to take for mine (only those that pass the rules: the rest are counted
    in one line); the core's check runs again as you move; enter proposes."""

    BINDINGS = [
        Binding("enter", "propose", "Propose", priority=True, id="swap.propose"),
        Binding("escape", "back", "Back", id="swap.back"),
    ]

    def __init__(self, my_shift: int) -> None:
        super().__init__()
        self.my_shift = my_shift
        self.options: list[SwapOption] = []


    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="swap-dialog"):
            yield Label("Propose a swap", id="swap-title", classes="dialog-title")
            yield Static("", id="swap-left-out", classes="hint")
            yield OptionList(id="swap-options")
            yield Static("", id="swap-problems", classes="message")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.call_core(swap_options, self.actor, self.my_shift, done=self._show, error=self._refused, group="swap-opts")

    def _show(self, data: SwapOptions) -> None:
        self.options = data.options
        self.query_one("#swap-title", Label).update(f"Swap {words.when(data.mine)} for…")
        options = self.query_one("#swap-options", OptionList)
        options.clear_options()
        options.add_options([Option(o.said, id=str(i)) for i, o in enumerate(self.options)])
        self.query_one("#swap-left-out", Static).update(data.left_out_text)  # how many the rules left out, and why
        if self.options:
            options.highlighted = 0
            options.focus()
        elif data.left_out:
            self.say("No shift in these two weeks passes the rules for both of you.")
        else:
            self.say("Nobody else has a shift in these two weeks to swap with.")

    def selected(self) -> SwapOption | None:
        index = self.query_one("#swap-options", OptionList).highlighted
        return self.options[index] if index is not None and 0 <= index < len(self.options) else None

    @on(OptionList.OptionHighlighted)
    def _preview(self) -> None:
        option = self.selected()
        if option is not None:
            self.call_core(
                preview_swap,
                self.actor,
                self.my_shift,
                option,
                done=lambda problems: self._previewed(option, problems),
                group="swap-preview",
                exclusive=True,
            )

    def _previewed(self, option: SwapOption, problems: list[str]) -> None:
        if option is not self.selected():
            return
        if problems:
            self.say("\n".join(problems), error=True)
        else:
            self.say(f"No rule is broken: enter asks {option.handle}.")

    def say(self, message: str, *, error: bool = False) -> None:
        widget = self.query_one("#swap-problems", Static)
        widget.update(message)
        widget.set_classes("message -error" if error else "message -ok")

    def action_propose(self) -> None:
        option = self.selected()
        if option is None:
            return
        self.call_core(
            swaps.propose,
            self.actor,
            self.my_shift,
            option.shift_id,
            option.handle,
            done=self._proposed,
            error=self._refused,
            group="swap-propose",
        )

    def _proposed(self, swap: swaps.Swap) -> None:
        self.dismiss(swap)  # the shift dialog says so

    def _refused(self, exc: WarmlineError) -> None:
        self.say(str(exc), error=True)

    def action_back(self) -> None:
        self.dismiss(None)


__all__ = ["SwapDialog", "SwapsScreen"]
