"""The Rota's week grid is readable in every theme a person may choose (issue 15: in a light
theme it drew white text on light grey). The grid draws its own lines, so its colours are checked
here: every character it draws has a WCAG contrast of at least 3:1 against its background (the
level for large or bold text; the grid's names, times and flags are its content)."""

from __future__ import annotations

from pathlib import Path

import pytest

from snapshots.snapshot_app import app_for, coordinator, demo  # noqa: F401  (demo is a fixture)

THEMES = ["textual-light", "textual-dark", "solarized-light", "nord"]


def _luminance(color) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = color.triplet
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(fg, bg) -> float:
    a, b = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


@pytest.mark.fast_tier_sample(4)
@pytest.mark.parametrize("theme", THEMES)
async def test_every_character_of_the_week_grid_is_readable(theme: str, demo: Path) -> None:
    from warmline.screens.week import WeekGrid

    app = app_for(demo, coordinator(demo))
    app.theme = theme
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        grid = app.screen.query_one(WeekGrid)
        worst: tuple[float, str] = (99.0, "")
        drawn = 0
        for y in range(grid.size.height):
            for segment in grid.render_line(y):
                text = "".join(ch for ch in segment.text if not ch.isspace() and not "\u2500" <= ch <= "\u259f")  # no bars or rules
                style = segment.style
                if not text or style is None or style.color is None or style.bgcolor is None:
                    continue
                drawn += len(text)
                ratio = contrast(style.color, style.bgcolor)
                if ratio < worst[0]:
                    worst = (ratio, text)
        assert drawn > 200, f"the grid drew almost nothing in {theme}"
        assert worst[0] >= 3.0, f"{theme}: {worst[1]!r} is drawn at a contrast of {worst[0]:.2f}:1"
