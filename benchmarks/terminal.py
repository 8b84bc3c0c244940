"""Start-up in a real terminal (issue 13): `warmline` and `warmline demo` in tmux, against a bare app.

  warmline      `warmline --db DEMO`, the OS user signing in (the demo maps this machine's login
                to its first coordinator), to Home showing its data.
  warmline demo `warmline demo` with the demo already built (in its default place: the data
                directory is a temporary one), to Home showing its data.
  baseline      a bare Textual app showing one Label: a script run by the same python.

Each is timed in tmux (a server of its own per run, no configuration file, 100 x 30,
TERM=xterm-256color, the same environment for the three) from `tmux new-session` to the text
on the captured pane, polled every ~10 ms (benchmarks/common.py, time_in_tmux). Bytecode is
cached for all three alike (PYTHONPYCACHEPREFIX beside the scaled lines). Interleaved runs,
medians. Target: <= 1.3x the bare app for each. What a real terminal adds to the headless
figure of benchmarks/screens.py: the driver's start, the first full-screen paint's escape
sequences, the writes to the terminal.

Needs tmux (a missing tmux skips the figures, said on stderr). Run
`python -m benchmarks --only terminal`.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from .common import Figure, cache_dir, has_tmux, progress, time_in_tmux

RUNS = 9

BARE = '''
from textual.app import App
from textual.widgets import Label


class Bare(App):
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self):
        yield Label("warmline bare app")


Bare().run()
'''

# A row of Home's tables or its next-shift line, "Sun 6 Dec 10:00–16:00 ...", or the words shown
# when there is none: drawn only with Home's data (the tables' captions are there before it).
_ROW = re.compile(r"^ +(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} \w{3} \d\d:\d\d", re.M)
_NO_SHIFTS = "No shifts in the next four weeks"


def home_shown(pane: str) -> bool:
    return "Your shifts" in pane and (_ROW.search(pane) is not None or _NO_SHIFTS in pane)


def bare_shown(pane: str) -> bool:
    return "warmline bare app" in pane


def environment(tmp: Path) -> dict[str, str]:
    """What each command gets (and nothing else): a terminal, an empty home. The real clock, as a
    person has it (the demo is built around it), not WARMLINE_NOW."""
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    return {
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "PYTHONPYCACHEPREFIX": str(cache_dir() / "pycache"),
    }


def figures() -> list[Figure]:
    if not has_tmux("terminal"):
        return []
    warmline = str(Path(sys.executable).parent / "warmline")
    with tempfile.TemporaryDirectory(prefix="warmline-bench-tmux-") as tmp:
        env = environment(Path(tmp))
        bare_script = Path(tmp) / "bare.py"
        bare_script.write_text(BARE)
        # The demo in its default place (the data directory of this HOME), built once.
        subprocess.run([warmline, "demo", "--no-tui"], env=env, check=True, capture_output=True, timeout=120)
        demo_db = Path(tmp) / "home" / "data" / "warmline" / "demo.db"
        if not demo_db.exists():
            raise RuntimeError(f"`warmline demo --no-tui` did not build {demo_db}")
        commands = {
            "bare": ([sys.executable, str(bare_script)], bare_shown),
            "warmline": ([warmline, "--db", str(demo_db)], home_shown),
            "demo": ([warmline, "demo"], home_shown),
        }
        for command, shown in commands.values():  # warm the OS file cache and the bytecode; not counted
            time_in_tmux(command, env, shown)
        progress(f"start-up in tmux: {RUNS} interleaved runs of a bare Textual app, `warmline` and `warmline demo`")
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(RUNS):
            for name, (command, shown) in commands.items():
                times[name].append(time_in_tmux(command, env, shown))
    bare, home, demo = (statistics.median(times[name]) for name in ("bare", "warmline", "demo"))
    progress(
        f"tmux medians: bare {bare * 1000:.0f} ms, warmline {home * 1000:.0f} ms ({home / bare:.2f}x), "
        f"warmline demo {demo * 1000:.0f} ms ({demo / bare:.2f}x)"
    )
    return [
        Figure("tmux: `warmline` to Home with data", home, "s", "bare Textual app", bare, "≤ 1.3×", home <= 1.3 * bare),
        Figure("tmux: `warmline demo` (built) to Home", demo, "s", "bare Textual app", bare, "≤ 1.3×", demo <= 1.3 * bare),
    ]


if __name__ == "__main__":
    for figure in figures():
        print(figure)
