"""The funders' HTML report in real headless Chromium: it renders (the screenshot is not one
colour), nothing on it asks for anything off the page, small counts read "<5", and hostile text
from the rota file stays text."""

from __future__ import annotations

import html
import json
import re
import struct
import zlib
from pathlib import Path

import pytest

from tests.conftest import CliRunner, require_tool
from tests.hostile import plant

pytestmark = [pytest.mark.slow, pytest.mark.requires_tool("chromium", "chromedriver")]

HOSTILE_LINE = '<script>alert(1)</script><img src="http://198.51.100.7/x.png"> Line'


def _chrome(tmp_path: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = require_tool("chromium")
    for arg in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1000,1400", f"--user-data-dir={tmp_path / 'profile'}",
        # Any name the page tried to reach would fail to resolve instead of leaving the machine.
        "--host-resolver-rules=MAP * ~NOTFOUND",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return webdriver.Chrome(service=Service(require_tool("chromedriver")), options=options)


def _distinct_rows(png: bytes) -> int:
    """Distinct scanlines of an 8-bit RGB/RGBA PNG, decoded with zlib alone (no imaging library)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, colour = 8, b"", 0, 0, 0
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos : pos + 8])
        data = png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", data[:10])
            assert depth == 8
        elif kind == b"IDAT":
            idat += data
        pos += 12 + length
    channels = {2: 3, 6: 4}[colour]
    raw = zlib.decompress(idat)
    stride = width * channels + 1
    rows, previous = set(), bytearray(width * channels)
    for y in range(height):
        line = raw[y * stride : (y + 1) * stride]
        kind, row = line[0], bytearray(line[1:])
        for i in range(len(row)):
            left = row[i - channels] if i >= channels else 0
            up = previous[i]
            ul = previous[i - channels] if i >= channels else 0
            if kind == 1:
                row[i] = (row[i] + left) & 0xFF
            elif kind == 2:
                row[i] = (row[i] + up) & 0xFF
            elif kind == 3:
                row[i] = (row[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - ul
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - ul)
                pred = left if pa <= pb and pa <= pc else (up if pb <= pc else ul)
                row[i] = (row[i] + pred) & 0xFF
        rows.add(bytes(row))
        previous = row
    return len(rows)


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> tuple[Path, dict]:
    run = CliRunner(tmp_path_factory.mktemp("html"))
    assert run("--db", str(run.db), "demo", "--no-tui").returncode == 0
    plant(run.db, "UPDATE line SET name = ?", (HOSTILE_LINE,))
    out = run.workdir / "report.html"
    args = ("--from", "2026-10-26", "--to", "2026-11-22", "--by", "week")
    result = run("report", *args, "--html", str(out))
    assert result.returncode == 0, result.stderr
    exact = json.loads(run("report", *args, "--json").stdout)
    return out, exact


def test_the_page_is_self_contained_and_protects_small_counts(page):
    out, exact = page
    source = out.read_text()
    tags = re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>", source)
    names = {name.lower() for name, _ in tags}
    assert names.isdisjoint({"script", "link", "img", "iframe", "object", "embed", "image", "use", "a", "base"})
    assert not [attrs for _, attrs in tags if re.search(r"\b(src|href|srcset|xlink:href|action)\s*=", attrs)]
    assert "@import" not in source and "url(" not in source
    assert html.escape(HOSTILE_LINE) in source  # the planted name is text, escaped
    small = [n for n in exact["needs"] if 0 < n["calls"] < 5 or 0 < n["met"] < 5]
    assert small, "the demo has needs met fewer than five times"
    for n in exact["needs"]:
        row = f"<td>{html.escape(n['label'])}</td><td>{n['family']}</td>"
        assert row in source
        shown = source.split(row, 1)[1].split("</tr>", 1)[0]
        for count in (n["calls"], n["met"]):
            assert (f"<td>&lt;5</td>" if 0 < count < 5 else f"<td>{count}</td>") in shown
    heat = [v for row in exact["heatmap"]["calls"] for v in row]
    assert source.count(">&lt;5</text>") == sum(1 for v in heat if 0 < v < 5)


def test_headless_chromium_renders_it_with_no_outside_request(page, tmp_path):
    out, _ = page
    driver = _chrome(tmp_path)
    try:
        driver.get(out.as_uri())
        assert driver.execute_script("return document.readyState") == "complete"
        title = driver.title
        svgs = driver.execute_script("return document.querySelectorAll('svg').length")
        scripts_ran = driver.execute_script("return window.__pwned === undefined ? 0 : 1")
        resources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        png = driver.get_screenshot_as_png()
        log = driver.get_log("performance")
    finally:
        driver.quit()
    assert "<script>" in title  # the hostile name shows as text in the title, not as markup
    assert svgs == 3 and scripts_ran == 0
    assert resources == []
    requested = []
    for entry in log:
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requested.append(message["params"]["request"]["url"])
    assert requested and [u for u in requested if u.split(":", 1)[0] not in ("file", "chrome", "data", "about")] == []
    assert out.as_uri() in requested
    assert _distinct_rows(png) > 20  # text, bars and a heat map: far from one colour


def test_the_page_prints_on_a4(page, tmp_path):
    """Chromium's own print-to-PDF, on A4: a few pages, not one per chart."""
    import base64

    out, _ = page
    driver = _chrome(tmp_path)
    try:
        driver.get(out.as_uri())
        pdf = driver.execute_cdp_cmd(
            "Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69, "preferCSSPageSize": True, "printBackground": True}
        )
    finally:
        driver.quit()
    data = base64.b64decode(pdf["data"])
    assert data.startswith(b"%PDF")
    pages = data.count(b"/Type /Page") - data.count(b"/Type /Pages")
    assert 1 <= pages <= 4
    # A4 is 595 × 842 points (Chromium writes e.g. "/MediaBox [0 0 594.95996 841.91998]").
    boxes = re.findall(rb"/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]", data)
    assert boxes and all(abs(float(w) - 595.3) < 1 and abs(float(h) - 841.9) < 1 for w, h in boxes)
