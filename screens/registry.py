"""The app's screens, one entry each: adding a screen is one `Entry` in `SCREENS`.

The app builds from this table its screen-switching key bindings (footer, help), its
check of who may open what, the command palette's "go to" commands and the style sheet
each screen needs. No Textual here: importing this costs nothing at start-up.
"""

from __future__ import annotations

EVERYONE = "everyone"
COORDINATORS = "coordinators"


class Entry:
    """One screen: `key` switches to it (binding id `app.NAME`); `who` may open it.

    A plain class, not a dataclass: this module is on the start-up path, and a dataclass
    costs a millisecond to build.
    """

    __slots__ = ("name", "key", "title", "help", "module", "cls", "who", "key_for_coordinators", "footer", "stylesheet")

    def __init__(
        self,
        name: str,
        key: str | None,  # None: palette only
        title: str,  # the footer's word, and the palette's name
        help: str,  # one line: what the screen shows (palette)
        module: str,
        cls: str,
        *,
        who: str = EVERYONE,  # EVERYONE or COORDINATORS
        key_for_coordinators: bool = True,  # False: the key is someone else's for coordinators (`p` is People)
        footer: bool = True,  # shown in the footer (80 columns hold only a few)
        stylesheet: str | None = "forms.tcss",  # in screens/, added to the app's style sheet when first opened
    ) -> None:
        self.name, self.key, self.title, self.help, self.module, self.cls = name, key, title, help, module, cls
        self.who, self.key_for_coordinators, self.footer, self.stylesheet = who, key_for_coordinators, footer, stylesheet

    def __repr__(self) -> str:
        return f"Entry({self.name!r}, key={self.key!r})"

    @property
    def binding_id(self) -> str:
        return f"app.{self.name}"

    def may_open(self, is_coordinator: bool) -> bool:
        return is_coordinator or self.who == EVERYONE


SCREENS: tuple[Entry, ...] = (
    Entry("home", "h", "Home", "Your next shift, your shifts and open seats", "warmline.screens.home", "HomeScreen",
          stylesheet=None),
    Entry("rota", "r", "Rota", "The week grid", "warmline.screens.rota", "RotaScreen", stylesheet="rota.tcss"),
    Entry("people", "p", "People", "Volunteers and coordinators", "warmline.screens.people", "PeopleScreen",
          who=COORDINATORS),
    Entry("profile", "p", "Profile", "Your details, limits and the experiences you offer", "warmline.screens.profile",
          "ProfileScreen", key_for_coordinators=False),
    Entry("audit", "u", "Audit", "The change log", "warmline.screens.audit", "AuditScreen", who=COORDINATORS),
    # Off the footer: it has no room for them at 80 columns. Help (?) and the palette list them.
    Entry("match", "m", "Match", "Caller's needs → peers on shift, with reasons", "warmline.screens.match", "MatchScreen",
          footer=False),
    Entry("coverage", "v", "Coverage", "Needs × hours heat map, gaps and who could fill them", "warmline.screens.coverage",
          "CoverageScreen", who=COORDINATORS, footer=False),
    Entry("load", "l", "Load", "Hours per person over four weeks, limits and the spread", "warmline.screens.load",
          "LoadScreen", footer=False),
    # f: figures for funders
    Entry("reports", "f", "Reports", "Hours, cover, backup, goals, calls and needs met, by week or month",
          "warmline.screens.reports", "ReportsScreen", who=COORDINATORS, footer=False),
    Entry("swaps", None, "Swaps", "Open swaps: accept, decline, withdraw", "warmline.screens.swap", "SwapsScreen"),
    Entry("series", None, "Series", "Repeating series: rule, next shift, seats; edit or cancel one",
          "warmline.screens.series", "SeriesScreen", who=COORDINATORS, footer=False, stylesheet="series.tcss"),
    Entry("exports", None, "Exports", "Your shifts as a calendar file; coordinators: feeds, rota and hours (CSV)",
          "warmline.screens.exports", "ExportsScreen", footer=False, stylesheet="exports.tcss"),
    Entry("check", None, "Check", "The file's integrity and every rota rule, checked",
          "warmline.screens.check", "CheckScreen", who=COORDINATORS, footer=False, stylesheet="check.tcss"),
    Entry("my_settings", None, "My settings", "When you can take shifts, your time off, how you are notified",
          "warmline.screens.my_settings", "MySettingsScreen", footer=False),
    Entry("handoff_history", None, "Handoff history", "Handoff notes for you and by you, acknowledged ones too",
          "warmline.screens.handoff_history", "HandoffHistoryScreen", footer=False, stylesheet="handoff_history.tcss"),
    Entry("line_settings", None, "Line settings", "The line's name, escalation text, drop cut-off and swap approval",
          "warmline.screens.line_settings", "LineSettingsScreen", who=COORDINATORS, footer=False),
    Entry("autofill", None, "Auto-fill", "Choose the days, see the proposal with its reasons, apply or discard it",
          "warmline.screens.autofill", "AutofillScreen", who=COORDINATORS, footer=False),
    Entry("goals", None, "Goals", "Coverage goals and whether this week meets them: add, edit, remove",
          "warmline.screens.goals", "GoalsScreen", who=COORDINATORS, footer=False),
    Entry("tags", None, "Tags", "The line's tags, how many people offer each: add one",
          "warmline.screens.tags", "TagsScreen", who=COORDINATORS, footer=False),
)

BY_NAME = {entry.name: entry for entry in SCREENS}
