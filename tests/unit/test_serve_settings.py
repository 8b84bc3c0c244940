"""The settings of `warmline serve` (issue 12, class E): the session caps and the idle time in
the settings file, and the served origins, without starting a server."""

from __future__ import annotations

import pytest

from warmline import config, serve
from warmline.errors import Invalid


def test_the_defaults_are_the_servers():
    defaults = config.Config()
    assert defaults.serve_max_sessions == serve.DEFAULT_MAX_SESSIONS == 20
    assert defaults.serve_max_signing_in == serve.DEFAULT_MAX_SIGNING_IN == 4
    assert defaults.serve_idle_minutes == serve.DEFAULT_IDLE_MINUTES == 30
    assert {"serve_max_sessions", "serve_max_signing_in", "serve_idle_minutes"} <= set(config.as_dict(defaults))
    example = config.parse(config.EXAMPLE)
    assert (example.serve_max_sessions, example.serve_max_signing_in, example.serve_idle_minutes) == (20, 4, 30.0)


def test_the_settings_file_sets_the_limits():
    parsed = config.parse("serve_max_sessions = 8\nserve_max_signing_in = 2\nserve_idle_minutes = 7.5\n")
    assert (parsed.serve_max_sessions, parsed.serve_max_signing_in, parsed.serve_idle_minutes) == (8, 2, 7.5)


@pytest.mark.parametrize("text, message", [
    ("serve_max_sessions = 0", "serve_max_sessions in the settings is 0: give a whole number from 1 to 1000"),
    ("serve_max_sessions = 2.5", "serve_max_sessions in the settings must be a whole number from 1 to 1000, not a number"),
    ("serve_max_signing_in = true", "serve_max_signing_in in the settings must be a whole number from 1 to 1000, not true/false"),
    ("serve_idle_minutes = 0", "serve_idle_minutes in the settings is 0: give a number of minutes above 0 and at most 1440"),
    ("serve_idle_minutes = nan", "serve_idle_minutes in the settings is nan: give a number of minutes above 0 and at most 1440"),
    ('serve_idle_minutes = "30"', "serve_idle_minutes in the settings must be a number of minutes above 0 and at most 1440, not a string"),
])
def test_a_wrong_limit_is_an_error_naming_the_setting(text, message):
    with pytest.raises(Invalid) as refused:
        config.parse(text)
    assert str(refused.value) == message


def test_limits_on_the_command_line_are_checked():
    serve.check_limits(1, 1, 0.05)
    for args in ((0, 1, 30.0), (1001, 1, 30.0), (1, 0, 30.0), (1, 1, 0.0), (1, 1, -1.0), (1, 1, 1441.0), (1, 1, float("nan"))):
        with pytest.raises(Invalid):
            serve.check_limits(*args)


def test_the_page_and_its_websocket_are_addressed_from_the_public_url():
    assert serve.websocket_url("http://127.0.0.1:8000") == "ws://127.0.0.1:8000/ws"
    assert serve.websocket_url("https://rota.example.org/") == "wss://rota.example.org/ws"
    assert serve.origin_text("wss://rota.example.org/ws") == "wss://rota.example.org"


def test_the_served_app_runs_without_a_shell():
    argv = serve.served_argv("/srv/rota; rm -rf ~.db")
    assert argv[1:4] == ["-m", "warmline.serve", "--db"] and argv[4].endswith("/srv/rota; rm -rf ~.db")


def _served_app(path):
    from warmline.screens.served import ServedApp

    return ServedApp(path)


def _terminal_app(path):
    from warmline.screens.app import WarmlineApp

    return WarmlineApp(path, actor=None)


@pytest.mark.parametrize("make", [_served_app, _terminal_app], ids=["served", "terminal"])
async def test_a_crash_report_leaves_out_the_locals(line_db, capsys, make):
    """A crash report goes to the server's log or the terminal, where others may see it: no locals
    (e.g. a passphrase), in the browser's app and the terminal's alike."""
    app = make(line_db.path)

    def sign_in_step() -> None:
        passphrase = "-".join(["plum", "otter", "quartz"])  # noqa: F841 - the local that must not be printed
        raise RuntimeError("the step failed")

    with pytest.raises(RuntimeError):
        async with app.run_test():
            try:
                sign_in_step()
            except RuntimeError as error:
                app._handle_exception(error)
    report = capsys.readouterr()
    printed = report.err + report.out
    assert "the step failed" in printed, "the crash is still reported"
    assert "plum-otter" not in printed
