"""The Reports screen: the figures of `warmline report` for a week or a month, period keys like the
Rota's, coordinators only, need labels shown as text (never markup), checked against the core."""

from __future__ import annotations

import pytest
from rota_file import at, make_rota, settle

from warmline.screens.app import make_app
from warmline.screens.reports import ReportsScreen
from warmline.views.reports import shade
from tests.hostile import MARKUP, plant
from warmline import calls, matching


@pytest.fixture
def line(tmp_path, monkeypatch):
    return make_rota(tmp_path, monkeypatch)


def plain(screen, selector: str) -> str:
    widget = screen.query_one(selector)
    content = widget.render() if selector == "#reports-heat" else widget.content
    return getattr(content, "plain", str(content))


async def open_reports(pilot) -> ReportsScreen:
    await settle(pilot)
    await pilot.press("f")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ReportsScreen), pilot.app.screen
    return pilot.app.screen


def fill(line) -> None:
    """Two ended shifts in November (one with a backup), one in October; three calls."""
    line.shift(at(16, 9), at(16, 13), on=((line.ana, "peer"), (line.coord, "backup")))
    line.shift(at(17, 9), at(17, 15), seats=2, on=((line.ben, "peer"),))
    line.shift(at(20, 9, month=10), at(20, 13, month=10), on=((line.ana, "peer"),))
    with line.db() as db:
        for moment in (at(16, 10), at(16, 11), at(17, 10)):
            calls.log_call(db, line.coord, ["lang-es"], at=moment)


@pytest.mark.slow
async def test_the_month_figures_equal_the_core_and_keys_move_the_period(line):
    fill(line)
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_reports(pilot)
        assert screen.by == "month" and str(screen.first) == "2026-11-01"
        figures = plain(screen, "#reports-figures")
        # 4 h (ana) + 4 h (coord, backup) + 6 h (ben) = 14 volunteer hours; 3 people.
        assert "Volunteer hours         14.0 h" in figures and "10.0 h · 4.0 h" in figures
        assert "People who gave time    3" in figures
        assert "Shifts ended            2 · 10.0 h" in figures
        assert "Calls logged            3" in figures
        total = screen.data.period.total
        assert (total.shifts, total.calls, round(total.seat_hours, 1), round(total.seat_hours_covered, 1)) == (2, 3, 20.0, 10.0)
        assert "Report · November 2026" in str(screen.query_one("#reports-title").content)
        trend = plain(screen, "#reports-trend")
        assert trend.count("\n") == 5 and "▸2026-11" in trend and "2026-10" in trend
        assert "Spanish" in plain(screen, "#reports-needs")
        heat = plain(screen, "#reports-heat")
        rows = heat.splitlines()
        # Mon 16 Nov 10:00 and 11:00, Tue 17 Nov 10:00: one call each (two cells per hour).
        assert rows[1].startswith("Mon ") and rows[1][4 + 20 : 4 + 24] == "████" and rows[2][4 + 20 : 4 + 22] == "██"
        assert "busiest: 1 call an hour" in heat

        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert str(screen.first) == "2026-10-01" and screen.data.period.total.shifts == 1
        assert "4.0 h · 0.0 h" in plain(screen, "#reports-figures")
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot)
        assert str(screen.first) == "2026-12-01" and screen.data.period.total.shifts == 0
        await pilot.press("t")
        await settle(pilot)
        assert str(screen.first) == "2026-11-01"
        await pilot.press("w")
        await settle(pilot)
        assert screen.by == "week" and str(screen.first) == "2026-11-23"
        assert "week 48" in str(screen.query_one("#reports-title").content)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert str(screen.first) == "2026-11-16" and screen.data.period.total.shifts == 2


async def test_volunteers_cannot_open_reports(line):
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert not app.check_action("go", ("reports",))
        await pilot.press("f")
        await settle(pilot)
        assert not isinstance(app.screen, ReportsScreen)
        app.action_go("reports")
        await settle(pilot)
        assert not isinstance(app.screen, ReportsScreen)


async def test_the_core_refuses_a_volunteer_even_on_the_screen(line):
    """Pushed directly (bypassing the app's key check), the screen shows the core's refusal."""
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.push_screen(ReportsScreen())
        await settle(pilot)
        assert "only coordinators" in plain(app.screen, "#reports-message")
        assert plain(app.screen, "#reports-figures") == ""


@pytest.mark.slow
async def test_hostile_need_labels_are_text(line):
    fill(line)
    label = MARKUP[0] if MARKUP else "[bold red]x[/]"
    plant(line.path, "UPDATE tag SET label = ? WHERE id = 'lang-es'", (label + "\x1b[2J",))
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_reports(pilot)
        needs = plain(screen, "#reports-needs")
        assert "\x1b" not in needs and label[:10] in needs


async def test_help_and_palette_list_reports(line):
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_reports(pilot)
        from warmline.screens.help import key_rows

        rows = key_rows(screen)
        assert all(key != "f" for _, key, _ in rows)  # already here: `go('reports')` is off, as for every screen
        assert any(key == "[" for _, key, _ in rows) and any(key == "w" for _, key, _ in rows)
        from warmline.screens.app import WarmlineCommands

        names = [c[0] for c in WarmlineCommands(screen)._commands()]
        assert "Reports" in names


def test_shade_steps():
    assert [shade(v, 8) for v in (0, 1, 2, 3, 4, 8)] == [0, 1, 1, 2, 2, 4]
    assert shade(5, 0) == 0


@pytest.mark.slow
async def test_reports_fit_80_by_24(line):
    fill(line)
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_reports(pilot)
        footer = screen.query_one("KeysFooter")
        assert max(end for _, _, end in footer.spans) <= 80
        assert screen.query_one("#reports-figures").region.width >= 44
        assert screen.data.period.total.calls == 3
