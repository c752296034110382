"""Today at a glance on the supervisor's page: the day's containment, time on the line, the last week's chart."""
from __future__ import annotations

import html
import logging
import re
import time
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from social_bridge.web.console.glance import BAR_HEIGHT, BAR_TOP
from social_bridge.web.console.strings import STRINGS
from tests.conftest import ROME
from tests.integration.test_console import build_app, build_bridge, post, seed_agents, signed_in

try:  # the browser and its server, when Playwright and Chromium are here; the test below skips otherwise
    from tests.e2e.test_console_browser import browser, server, shot, sign_in  # noqa: F401  (fixtures)
except pytest.skip.Exception:
    browser = server = None

SVG = "{http://www.w3.org/2000/svg}"
# The week before the test clock's Wednesday 2 December 2026, oldest first: (calls, contained, call_seconds)
WEEK = [(40, 10, 40 * 90), (0, 0, 0), (20, 20, 20 * 60), (8, 0, 8 * 200), (60, 30, 60 * 125), (3, 2, 301),
        (50, 21, 50 * 107)]
RATES = [25, None, 100, 0, 50, 67, 42]  # whole percent, None where nobody called
AVERAGES = ["1:30", "—", "1:00", "3:20", "2:05", "1:40", "1:47"]


def week_before(clock, figures=WEEK):
    """A plain function where the app's metrics would be: the last days up to the clock's day in Rome."""
    asked = []

    def daily_stats(days: int) -> list[dict]:
        asked.append(days)
        today = datetime.fromtimestamp(clock(), ZoneInfo(ROME)).date()
        rows = [{"day": (today - timedelta(days=n)).isoformat()} for n in range(days - 1, -1, -1)]
        return [{**row, "calls": calls, "contained": contained, "call_seconds": seconds}
                for row, (calls, contained, seconds) in zip(rows, figures[-days:])]

    daily_stats.asked = asked
    return daily_stats


def console(redis_client, clock, **extras):
    bridge = build_bridge(redis_client, clock)
    for name, value in extras.items():  # the typed fields the composition root fills
        setattr(bridge, name, value)
    seed_agents(bridge)
    return build_app(bridge)


@pytest.fixture
def stats(clock):
    return week_before(clock)


@pytest.fixture
def app(redis_client, clock, stats):
    return console(redis_client, clock, daily_stats=stats)


def text_of(page: str) -> str:
    """What a person reads: tags out, entities decoded, runs of space made one."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page))).replace(" :", ":")


def card(page: str) -> str:
    match = re.search(r'<section class="card glance".*?</section>', page, re.S)
    assert match, "no glance card on the page"
    return match.group(0)


def chart(page: str) -> ET.Element:
    return ET.fromstring(re.search(r"<svg .*?</svg>", card(page), re.S).group(0))


def days_of(svg: ET.Element) -> list[dict]:
    return [{"classes": g.get("class").split(), "day": g.get("data-day"), "title": g.find(f"{SVG}title").text,
             "bar": g.find(f"{SVG}rect[@class='bar']").attrib, "track": g.find(f"{SVG}rect[@class='track']").attrib,
             **{t.get("class"): t.text for t in g.findall(f"{SVG}text")}}
            for g in svg.findall(f"{SVG}g")]


def test_the_supervisor_sees_todays_containment_and_time_on_the_line(app, stats):
    page = signed_in(app, "sara").get("/console/supervisor")
    assert page.status_code == 200
    shown = text_of(card(page.get_data(as_text=True)))
    assert "Oggi mer 02/12" in shown
    assert "Risolte senza operatore: 42 % (21 di 50)" in shown
    assert "Tempo medio in linea: 1:47" in shown
    assert stats.asked == [7]


def test_the_chart_has_a_bar_a_day_as_tall_as_the_days_containment(app):
    page = signed_in(app, "sara").get("/console/supervisor").get_data(as_text=True)
    days = days_of(chart(page))
    assert [d["day"] for d in days] == [f"2026-11-{n}" for n in range(26, 31)] + ["2026-12-01", "2026-12-02"]
    heights = [float(d["bar"]["height"]) for d in days]
    assert heights == pytest.approx([BAR_HEIGHT * (rate or 0) / 100 for rate in RATES], abs=0.05)
    assert heights[2] == BAR_HEIGHT
    assert heights[1] == heights[3] == 0
    for d in days:  # every bar stands on the same floor as its full-height track
        assert float(d["bar"]["y"]) + float(d["bar"]["height"]) == pytest.approx(BAR_TOP + BAR_HEIGHT)
        assert (float(d["track"]["height"]), d["bar"]["x"]) == (BAR_HEIGHT, d["track"]["x"])
    assert [d["rate"] for d in days] == [f"{r} %" if r is not None else "—" for r in RATES]
    assert [d["time"] for d in days] == AVERAGES
    assert [d["when"] for d in days] == ["gio 26", "ven 27", "sab 28", "dom 29", "lun 30", "mar 1", "oggi"]
    assert [("today" in d["classes"], "none" in d["classes"]) for d in days] == \
        [(False, False), (False, True)] + [(False, False)] * 4 + [(True, False)]


def test_each_bar_has_a_title_with_its_figures(app):
    days = days_of(chart(signed_in(app, "sara").get("/console/supervisor").get_data(as_text=True)))
    assert days[-1]["title"] == "mer 02/12: risolte senza operatore 42 % (21 di 50), tempo medio in linea 1:47"
    assert days[1]["title"] == "ven 27/11: nessuna chiamata"
    assert days[3]["title"] == "dom 29/11: risolte senza operatore 0 % (0 di 8), tempo medio in linea 3:20"


def test_the_live_body_carries_the_card_too(app):
    body = signed_in(app, "sara").get("/console/supervisor/body").get_data(as_text=True)
    assert len(days_of(chart(body))) == 7


def test_in_english(app):
    sara = signed_in(app, "sara")
    post(sara, "/console/language", lang="en", next="/console/supervisor")
    page = sara.get("/console/supervisor").get_data(as_text=True)
    shown = text_of(card(page))
    assert "Today Wed 02/12" in shown
    assert "Last 7 days" in shown
    assert "Solved without an agent: 42% (21 of 50)" in shown
    assert "Average time on the line: 1:47" in shown
    days = days_of(chart(page))
    assert days[-1]["title"] == "Wed 02/12: solved without an agent 42% (21 of 50), average time on the line 1:47"
    assert [d["when"] for d in days][-2:] == ["Tue 1", "today"]


def test_a_day_without_calls_yet_shows_dashes(redis_client, clock):
    quiet = week_before(clock, WEEK[:-1] + [(0, 0, 0)])
    page = signed_in(console(redis_client, clock, daily_stats=quiet), "sara").get("/console/supervisor")
    shown = text_of(card(page.get_data(as_text=True)))
    assert "Risolte senza operatore: — Tempo medio in linea: —" in shown
    today = days_of(chart(page.get_data(as_text=True)))[-1]
    assert (today["rate"], today["time"], today["bar"]["height"]) == ("—", "—", "0")
    assert today["classes"] == ["day", "today", "none"]


def test_halves_round_up_and_odd_figures_are_kept_in_bounds(redis_client, clock):
    odd = week_before(clock, [(8, 1, 0)] * 5 + [(4, 9, -5), (200, 1, 30)])  # 12.5 %, more solved than calls, 0.5 %
    days = days_of(chart(signed_in(console(redis_client, clock, daily_stats=odd), "sara")
                         .get("/console/supervisor").get_data(as_text=True)))
    assert [d["rate"] for d in days][-3:] == ["13 %", "100 %", "1 %"]
    assert [d["time"] for d in days][-3:] == ["0:00", "0:00", "0:00"]


def test_without_daily_stats_there_is_no_card(redis_client, clock):
    page = signed_in(console(redis_client, clock), "sara").get("/console/supervisor")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "glance" not in text
    assert "<svg" not in text
    assert "Risolte senza operatore" not in text


def test_a_failing_daily_stats_leaves_the_card_out_and_the_page_up(redis_client, clock, caplog):
    def broken(days):
        raise ConnectionError("metrics unreachable")

    with caplog.at_level(logging.ERROR, logger="social_bridge.web.console.glance"):
        page = signed_in(console(redis_client, clock, daily_stats=broken), "sara").get("/console/supervisor")
    assert page.status_code == 200
    assert "Risolte senza operatore" not in page.get_data(as_text=True)
    assert "daily stats unavailable" in caplog.text


@pytest.mark.parametrize("path", ["/console/supervisor", "/console/supervisor/body"])
def test_agents_get_403_and_no_figures(app, stats, path):
    answer = signed_in(app, "maria").get(path)
    assert answer.status_code == 403
    assert "Risolte senza operatore" not in answer.get_data(as_text=True)
    assert stats.asked == []


def test_both_languages_have_the_cards_labels():
    ours = {key for key in STRINGS["it"] if key.startswith("glance.")}
    assert ours == {key for key in STRINGS["en"] if key.startswith("glance.")}
    assert len(ours) >= 8
    assert all(len(STRINGS[lang]["glance.weekdays"].split()) == 7 for lang in STRINGS)


@pytest.mark.skipif(server is None, reason="no browser here: see tests/e2e/test_console_browser.py")
def test_the_card_in_chromium_at_1280x800(server, browser):
    server["bridge"].daily_stats = week_before(time.time)
    sara = sign_in(browser, server["url"], "sara")
    sara.goto(f"{server['url']}/console/supervisor")
    glance = sara.locator("section.glance")
    assert glance.locator("svg g.day").count() == 7
    box, strip = glance.bounding_box(), sara.locator("section.summary").bounding_box()
    assert box["height"] < 150
    assert box["x"] == strip["x"]
    assert box["x"] + box["width"] <= 1280
    assert sara.evaluate("document.documentElement.scrollWidth") <= 1280  # nothing spills sideways
    assert "42 %" in glance.inner_text()
    shot(sara, "glance")
