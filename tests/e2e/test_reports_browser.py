"""The reports page in a real browser (Debian chromium through Playwright): a supervisor opens it from the top
bar, sees the contacts drawn as stacked bars per day and the rates as lines, switches to weeks, and the
"Scarica CSV" button downloads the rows the CLI prints. The day's data comes through the real call flow,
the inbox and the queue's claims on real Redis."""
from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import ROME
from tests.e2e.test_call_scenarios import play
from tests.integration.test_reports import work, write
from tests.support.browser import PASSWORD, browser, chromium_or_skip, shot, signed_in  # noqa: F401 (fixture)
from tests.support.served import served

chromium_or_skip()

RANGE = "from=2026-12-01&to=2026-12-03"


@pytest.fixture
def server(app, nohold, phone, clock, social_jobs):
    nohold.bridge.agents.create("Sara", PASSWORD, role="supervisor", languages=("it", "en"))
    nohold.bridge.agents.create("Anna Bianchi", PASSWORD, languages=("it", "en"))
    clock.set(datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo(ROME)))
    play(phone, "it_self_reset_link.yaml")  # contained
    play(phone, "en_shortest_callback.yaml")  # a callback
    write(nohold, "buongiorno non mi funziona internet da ieri", "+393471110001", "sms")
    social_jobs()
    work(nohold, clock, "anna-bianchi", 240)
    clock.set(datetime(2026, 12, 3, 9, 30, tzinfo=ZoneInfo(ROME)))
    play(phone, "it_self_slow_line.yaml")  # contained
    with served(app) as url:
        yield url


@pytest.fixture
def page(server, browser):  # noqa: F811
    return signed_in(browser, server, "sara", accept_downloads=True)


def test_the_supervisor_sees_the_charts_and_downloads_the_csv(server, page):
    page.click("#nav-manage summary")  # the supervisor's pages sit in one menu
    page.click("#nav-reports")
    page.wait_for_url("**/console/reports")
    page.goto(f"{server}/console/reports?{RANGE}")
    bars = page.locator("#contacts-chart g.bar")
    assert bars.count() == 3
    wednesday = page.locator('#contacts-chart g.bar[data-period="2026-12-02"]')
    assert wednesday.get_attribute("data-total") == "3"
    assert wednesday.locator('rect[data-channel="voice"]').get_attribute("data-count") == "2"
    assert wednesday.locator('rect[data-channel="sms"]').get_attribute("data-count") == "1"
    assert wednesday.locator('rect[data-channel="voice"]').bounding_box()["height"] > 0  # drawn, not just there
    dots = page.locator('#rates-chart g[data-line="containment"] circle')
    assert [dots.nth(i).get_attribute("data-value") for i in range(dots.count())] == ["50.0", "100.0"]
    assert page.locator('#report-agents tr[data-agent="anna-bianchi"] td').first.inner_text() == "Anna Bianchi"
    shot(page, "reports-by-day")
    with page.expect_download() as done:
        page.click("#report-csv")
    download = done.value
    assert download.suggested_filename == "nohold-report-2026-12-01-2026-12-03-day.csv"
    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8").read())))
    assert [(r["period"], r["calls"], r["contained"], r["handled"]) for r in rows] == [
        ("2026-12-01", "0", "0", "0"), ("2026-12-02", "2", "1", "1"), ("2026-12-03", "1", "1", "0")]


def test_switching_to_weeks_redraws_one_bar_per_iso_week(server, page):
    page.goto(f"{server}/console/reports?{RANGE}")
    page.select_option("select[name=by]", "week")
    page.click("#report-range button[type=submit]")
    page.wait_for_url("**by=week**")
    bar = page.locator("#contacts-chart g.bar")
    assert bar.count() == 1
    assert (bar.get_attribute("data-period"), bar.get_attribute("data-total")) == ("2026-W49", "4")
    shot(page, "reports-by-week")
