"""`warmline serve` in a real browser: headless Chromium (Debian's chromium + chromium-driver)
driven by selenium, against the real server on 127.0.0.1 (issue 12, class E).

Chromium runs with a host resolver that knows no host but 127.0.0.1, and its DevTools
network events (the performance log) give every URL the page asked for and every websocket
frame it received; the terminal's text is rebuilt from those frames with pyte.
"""

from __future__ import annotations

import json
import signal
import time
from urllib.parse import urlsplit

import pytest

from serving import (
    PASSPHRASE,
    PASSPHRASE_WORDS,
    SCREEN_TIMEOUT,
    chromium,
    network_events,
    requested_urls,
    screens,
    served_rota,
    serving,
    terminal_frames,
    terminal_size,
    wait_for,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.requires_tool("chromium", "chromedriver"),
]

LOCAL_SCHEMES = ("chrome", "chrome-extension", "data", "about", "blob", "devtools")


@pytest.fixture
def browser(tmp_path):
    pytest.importorskip("textual_serve", reason="the web extra (textual-serve) is not installed")
    driver = chromium(tmp_path)
    try:
        yield driver
    finally:
        driver.quit()


def _open(browser, served) -> list[dict]:
    """Load the page and wait until the app has drawn its sign-in screen; the events so far."""
    network_events(browser)  # drop what the browser did before (its own start page)
    browser.get(served.url)
    events: list[dict] = []

    def signed_in_screen_shown() -> bool:
        events.extend(network_events(browser))
        return b"Sign in" in b"".join(terminal_frames(events))

    assert wait_for(signed_in_screen_shown, SCREEN_TIMEOUT, 0.2), "the sign-in screen did not arrive in the page"
    return events


def test_the_page_makes_no_request_off_the_server_and_has_a_title(run_cli, browser):
    rota = served_rota(run_cli)
    with serving(rota) as served:
        events = _open(browser, served)
        time.sleep(1.0)  # anything the page fetches late (fonts, pings)
        events += network_events(browser)
        title = browser.title
        console = browser.get_log("browser")
    urls = requested_urls(events)
    assert served.url in urls and any(url.startswith(f"ws://127.0.0.1:{served.port}/ws") for url in urls)
    off_server = [
        url for url in urls
        if urlsplit(url).scheme not in LOCAL_SCHEMES and urlsplit(url).netloc != f"127.0.0.1:{served.port}"
    ]
    assert off_server == [], f"the page asked another host for {off_server}"
    assert any(url.endswith("/static/fonts/RobotoMono-VariableFont_wght.ttf") for url in urls), "the bundled font"
    assert title == "Served Line"
    blocked = [entry["message"] for entry in console if "Content Security Policy" in entry["message"]]
    assert blocked == [], f"the page tried something its policy forbids: {blocked}"


# Keys typed into the terminal in one go, as xterm.js sees a keyboard: keydown events on its
# textarea, all in one task of the page, so the websocket messages leave together.
BURST = """
const textarea = document.querySelector(".xterm-helper-textarea");
textarea.focus();
for (const ch of arguments[0]) {
  const enter = ch === "\\r";
  const key = {key: enter ? "Enter" : ch, code: enter ? "Enter" : "KeyA", keyCode: enter ? 13 : 65,
               bubbles: true, cancelable: true};
  textarea.dispatchEvent(new KeyboardEvent("keydown", key));
  textarea.dispatchEvent(new KeyboardEvent("keyup", key));
}
"""


def test_a_burst_sign_in_never_shows_the_passphrase(run_cli, browser):
    """Handle, Enter, passphrase, Enter arrive in one burst (a paste, a password manager, a laggy
    link), typed into the page's terminal in one go."""
    rota = served_rota(run_cli)
    with serving(rota) as served:
        events = _open(browser, served)
        browser.execute_script(BURST, f"boss\r{PASSPHRASE}\r")

        def home_shown() -> bool:
            events.extend(network_events(browser))
            return "boss · coordinator" in (screens(terminal_frames(events), terminal_size(events)) or [""])[-1]

        reached_home = wait_for(home_shown, SCREEN_TIMEOUT, 0.3)
    typed = "".join(
        json.loads(event["params"]["response"]["payloadData"])[1] for event in events
        if event["method"] == "Network.webSocketFrameSent" and event["params"]["response"]["payloadData"].startswith('["stdin"')
    )
    assert f"boss\r{PASSPHRASE}\r" in typed, "the burst reached the app as typed"
    shown = screens(terminal_frames(events), terminal_size(events))
    leaked = [text for text in shown if any(word in text for word in PASSPHRASE_WORDS)]
    assert not leaked, "the passphrase was shown on screen:\n" + leaked[0]
    assert reached_home, "the burst signed boss in:\n" + shown[-1]


def test_stopping_the_server_with_a_tab_open_takes_under_3_seconds(run_cli, browser):
    rota = served_rota(run_cli)
    with serving(rota) as served:
        _open(browser, served)
        apps = served.apps()
        assert len(apps) == 1
        started = time.monotonic()
        served.proc.send_signal(signal.SIGTERM)  # the server alone, as Ctrl+C or systemd stop would
        served.proc.wait(timeout=10)
        took = time.monotonic() - started
        assert wait_for(lambda: served.apps() == [], 1), "its app process ended with it"
        assert wait_for(
            lambda: "-closed" in (browser.find_element("css selector", "body").get_attribute("class") or ""), 5
        ), "the page shows the session ended"
        message = browser.find_element("css selector", ".closed-dialog .message").text
    assert took < 3, f"the server took {took:.1f} s to stop"
    assert message == "The server stopped: press Restart when it is back."
