"""Reports through the JSON API and the console (issue 19): written requests answered and rated through the
real inbox, API and satisfaction question on real Redis; first response, service level and satisfaction
come from their own stores; supervisors only; bad ranges are a 400 with a sentence; the CSV download."""
from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest

from ivr.runtime import report_cli
from tests.integration.test_console import signed_in
from tests.support.agent_api import answered, api  # noqa: F401 (fixture)
from tests.support.inbound import write

DAY = "2026-12-02"  # the test clock's Wednesday


def served(nohold, api, social_jobs, clock, sender: str, waited: float, score: str) -> None:
    """A customer writes; Maria answers `waited` seconds later and completes; the customer rates it."""
    write(nohold, "ciao, la fibra va lentissima da ieri sera", sender)
    social_jobs()
    clock.advance(waited)
    answered(api)
    social_jobs()
    write(nohold, score, sender)
    social_jobs()


@pytest.fixture
def day(nohold, api, social_jobs, clock):
    """Two SMS requests: one answered in 5 minutes (rated 5), one in 40 (past SMS's 30-minute target, rated 2)."""
    served(nohold, api, social_jobs, clock, "+393471110001", 300, "5")
    served(nohold, api, social_jobs, clock, "+393471110002", 2400, "2")
    return api


def test_the_api_and_the_cli_give_first_response_service_level_and_satisfaction(day, capsys):
    answer = day("GET", f"/api/reports?from={DAY}&to={DAY}", who="sara")
    assert answer.status_code == 200
    [row] = answer.get_json()["rows"]
    assert row["first_response_average_seconds"] == 1350
    assert row["service_level_pct"] == 50.0
    assert (row["satisfaction_average"], row["satisfaction_answers"]) == (3.5, 2)
    assert (row["contacts_sms"], row["handled"]) == (2, 2)
    weekly = day("GET", f"/api/reports?from=2026-11-30&to={DAY}&by=week", who="sara").get_json()
    assert weekly["agents"] == [{"agent": "maria", "handled": 2, "average_handle_seconds": 0}]
    assert [r["period"] for r in weekly["rows"]] == ["2026-W49"]
    assert weekly["columns"][:4] == ["period", "from", "to", "contacts"]
    assert report_cli.main(["--from", DAY, "--to", DAY, "--csv"]) == 0
    [line] = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert (line["first_response_average_seconds"], line["service_level_pct"], line["satisfaction_average"]) == (
        "1350", "50.0", "3.5")


def test_an_agent_may_not_read_the_reports(api):
    answer = api("GET", f"/api/reports?from={DAY}&to={DAY}")
    assert answer.status_code == 403


@pytest.mark.parametrize("query, words", [("from=2026-12-05&to=2026-12-01", "before"),
                                          ("from=2025-01-01&to=2026-12-01", "at most 366 days"),
                                          ("from=ieri&to=2026-12-01", "must look like"),
                                          ("from=2026-12-01", "required"),
                                          ("from=2026-12-01&to=2026-12-02&by=month", "day' or 'week")])
def test_a_bad_range_is_a_400_with_a_sentence(api, query, words):
    answer = api("GET", f"/api/reports?{query}", who="sara")
    assert answer.status_code == 400
    assert words in answer.get_json()["message"]


# -- the console ------------------------------------------------------------------------------------------
def test_the_console_page_draws_the_charts_and_downloads_the_csv(app, day):
    sara = signed_in(app, "sara")
    page = sara.get(f"/console/reports?from=2026-12-01&to={DAY}").get_data(as_text=True)
    start = page.index('<svg xmlns="http://www.w3.org/2000/svg" id="contacts-chart"')
    svg = ET.fromstring(page[start:].split("</svg>")[0] + "</svg>")
    bars = [g for g in svg.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "bar"]
    assert [(g.get("data-period"), g.get("data-total")) for g in bars] == [("2026-12-01", "0"), (DAY, "2")]
    assert 'data-line="service_level"' in page
    assert 'data-agent="maria"' in page
    answer = sara.get(f"/console/reports.csv?from=2026-12-01&to={DAY}")
    assert answer.mimetype == "text/csv"
    assert "nohold-report-2026-12-01-2026-12-02-day.csv" in answer.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert [(r["period"], r["contacts_sms"], r["service_level_pct"]) for r in rows] == [
        ("2026-12-01", "0", ""), (DAY, "2", "50.0")]


def test_an_agent_gets_403_on_the_console_page_and_csv(app, api):
    client = signed_in(app, "maria")
    assert client.get("/console/reports").status_code == 403
    assert client.get("/console/reports.csv").status_code == 403


def test_the_console_refuses_a_reversed_range_in_words(app, api):
    answer = signed_in(app, "sara").get("/console/reports?from=2026-12-05&to=2026-12-01")
    assert answer.status_code == 400
    assert "viene prima di quella iniziale" in answer.get_data(as_text=True)
