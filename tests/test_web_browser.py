"""End to end in a real browser: Playwright drives Debian's chromium against ``zarya serve``
started as a subprocess on a free loopback port. Type "Astana", pick the suggestion, see the
passes, open a sky chart, watch the live map ask /api/now; the keyboard alone works too.

The browser is /usr/bin/chromium (``apt-get install chromium``; .ci/run installs it). Where
it is missing the tests fail under CI (``CI`` set) and are skipped elsewhere. Set
``ZARYA_WEB_SCREENSHOT=1`` to rewrite docs/web.png from this run.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        pytest.fail(
            f"{CHROMIUM} is missing: .ci/run must install Debian's chromium before the tests",
            pytrace=False,
        )
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from .clock import STALE_NOW, frozen_zarya  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, seeded_store_file: Path) -> Iterator[str]:
    """``zarya serve --port 0`` in its own process, its own element store, its clock frozen
    at a "now" past the stored history (tests/clock.py); its base URL."""
    home = tmp_path_factory.mktemp("zarya-serve")
    shutil.copyfile(seeded_store_file, home / "elements.sqlite")
    env = dict(os.environ, ZARYA_HOME=str(home))
    proc = subprocess.Popen(
        frozen_zarya(STALE_NOW, "serve", "--host", "127.0.0.1", "--port", "0",
                     "--log-level", "info", "--no-refresh"),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(
        target=lambda: [lines.put(line) for line in proc.stderr], daemon=True
    )
    reader.start()
    url = None
    deadline = time.monotonic() + 30
    seen = []
    while url is None and time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            if proc.poll() is not None:
                break
            continue
        seen.append(line)
        found = re.search(r"running on (http://127\.0\.0\.1:\d+)", line)
        url = found.group(1) if found else None
    if url is None:
        proc.kill()
        pytest.fail("zarya serve did not start:\n" + "".join(seen), pytrace=False)
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            proc.kill()
            proc.wait()
        reader.join(timeout=10)
        proc.stderr.close()


@pytest.fixture(scope="module")
def browser():
    # Chromium puts its singleton socket under TMPDIR, and a socket's path is at most 107
    # bytes: under a long TMPDIR (a deep CI workspace, say) it would not start
    short = tempfile.mkdtemp(prefix="zarya-chromium-", dir="/tmp")
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS,
                                  env={**os.environ, "TMPDIR": short})
            yield b
            b.close()
    finally:
        shutil.rmtree(short, ignore_errors=True)


@pytest.fixture
def page(browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 1400}, locale="en-GB")
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    deliberate = "the server responded with a status of 422"  # a refusal we asked for
    yield pg
    context.close()
    errors = [e for e in errors if deliberate not in e]
    assert not errors, errors  # no script errors, no CSP violations


def test_pick_astana_see_passes_open_a_sky_chart(server, page, tmp_path):
    page.goto(f"{server}/?from=2016-04-04")
    expect(page.locator("#sat-marker")).to_have_count(1)  # the map, before any place
    box = page.get_by_role("combobox", name="Place")
    box.press_sequentially("Astana", delay=40)
    option = page.get_by_role("option", name=re.compile(r"^Astana, KZ"))
    expect(option).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    option.click()
    page.wait_for_url(re.compile(r"place=Astana"))
    expect(page.get_by_role("heading", name="Visible passes over Astana, KZ")).to_be_visible()
    rows = page.locator("tr.pass")
    assert rows.count() >= 10
    expect(page.get_by_text("Asia/Almaty").first).to_be_visible()
    first = rows.first
    expect(first.locator("td").first).to_contain_text(re.compile(r"\d\d:\d\d:\d\d from \w+"))
    # open the first pass's sky chart, in place
    with page.expect_response(re.compile(r"/charts/sky\.svg\?")) as chart:
        first.get_by_role("link", name=re.compile("Sky chart")).click()
    assert chart.value.status == 200
    image = page.locator("#chart-1 img")
    expect(image).to_be_visible()
    page.wait_for_function("() => document.querySelector('#chart-1 img').naturalWidth > 0")
    expect(first.get_by_role("link", name=re.compile("Sky chart"))).to_have_attribute(
        "aria-expanded", "true"
    )
    # the live map asks where the station is (the replay clock runs from the start)
    with page.expect_response(re.compile(r"/api/now\?at=2016-04-04T"), timeout=8000) as now:
        pass
    assert now.value.status == 200
    expect(page.locator("#map-caption")).to_contain_text("km up")
    shot = tmp_path / "web.png"
    page.screenshot(path=str(shot), clip={"x": 0, "y": 0, "width": 1280, "height": 1400})
    assert shot.stat().st_size > 20_000
    if os.environ.get("ZARYA_WEB_SCREENSHOT"):
        shutil.copyfile(shot, ROOT / "docs" / "web.png")


def test_keyboard_alone(server, page):
    page.goto(f"{server}/?from=2016-04-04&days=3")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the home link
    page.keyboard.press("Tab")
    expect(page.locator("#place")).to_be_focused()
    page.keyboard.type("Pari", delay=40)
    expect(page.get_by_role("option").first).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#place")).to_have_attribute("aria-activedescendant", "place-option-0")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"place=Paris"))
    expect(page.get_by_role("heading", level=2).first).to_contain_text("Paris, FR")


def test_the_browsers_location(server, browser):
    context = browser.new_context(
        geolocation={"latitude": 51.1694, "longitude": 71.4491}, permissions=["geolocation"]
    )
    try:
        page = context.new_page()
        page.goto(f"{server}/?from=2016-04-04&days=2")
        page.get_by_role("button", name="use my location").click()
        page.wait_for_url(re.compile(r"lat=51\.17&lon=71\.45"))
        expect(page.get_by_role("heading", level=2).first).to_contain_text("My location")
        assert page.locator("tr.pass").count() >= 1
    finally:
        context.close()


def test_stale_today_is_said_plainly(server, page):
    """The server's "today" is STALE_NOW: past the stored history, whatever day it is."""
    page.goto(f"{server}/?place=Astana")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("No predictions for these dates")
    expect(alert).to_contain_text("until fresher ones are imported")
    alert.get_by_role("link", name=re.compile("2016-04-04")).click()
    page.wait_for_url(re.compile(r"from=2016-04-04"))
    assert page.locator("tr.pass").count() >= 1


def raw(base: str, target: str) -> bytes:
    """One HTTP/1.1 request with the target exactly as written."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return data


@pytest.mark.parametrize(
    "target",
    ["/static/../pyproject.toml", "/static/..%2fpyproject.toml",
     "/static/%2e%2e/pyproject.toml", "/static/%2e%2e%2fpyproject.toml",
     "/static/..%5c..%5cpyproject.toml", "/static//etc/passwd", "/../pyproject.toml"],
)
def test_no_traversal_on_the_wire(server, target):
    answer = raw(server, target)
    status = answer.split(b"\r\n", 1)[0]
    assert status.split()[1] in (b"404", b"400"), status
    assert b"[project]" not in answer and b"root:" not in answer
