"""The browser tests' shared parts: Debian's chromium through Playwright, its flags and window, screenshots,
one browser per test and a console tab signed in.

A browser test module starts with `sync_api = chromium_or_skip()` (skipped whole when Playwright or Chromium is
missing) and imports the `browser` fixture explicitly.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
VIEWPORT = {"width": 1280, "height": 800}
PASSWORD = "long enough secret"


def chromium_or_skip():
    """Playwright's sync API; the calling module is skipped when Playwright or Chromium is missing."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements-dev.txt")
    if not shutil.which(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)", allow_module_level=True)
    return sync_api


@pytest.fixture
def browser():
    sync_api = chromium_or_skip()
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"console-{name}.png"))


def signed_in(browser, url: str, name: str, password: str = PASSWORD, **context):
    """A new tab in a context of its own (Italian, Rome's time, 1280x800), signed in to the console as `name`."""
    tab = browser.new_context(**{"viewport": VIEWPORT, "locale": "it-IT", "timezone_id": "Europe/Rome",
                                 **context}).new_page()
    tab.goto(f"{url}/console/login")
    tab.fill("input[name=name]", name)
    tab.fill("input[name=password]", password)
    tab.click("button[type=submit]")
    tab.wait_for_url("**/console/")
    return tab
