"""Reports from the ledger: real calls through the voice webhooks, real messages through the inbox, items
claimed and completed through Claims, on real Redis; the report read back per day and per week, and the CLI."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from ivr.runtime import report_cli
from social_bridge.reports.export import csv_text
from social_bridge.reports.report import COLUMNS
from tests.conftest import ROME
from tests.e2e.test_call_scenarios import play
from tests.integration.test_call_endings import at_options, post
from tests.support.inbound import write


def work(nohold, clock, agent: str, seconds: float) -> str:
    """The agent takes the next item and completes it `seconds` later (the console renews the lease each
    minute meanwhile); the item's id."""
    claim = nohold.claims.claim_next(agent, ("it", "en"))
    assert claim is not None
    for _ in range(int(seconds // 60)):
        clock.advance(60)
        nohold.claims.renew(claim.item.id, claim.fence)
    clock.advance(seconds % 60)
    nohold.claims.complete(claim.item.id, claim.fence, "solved")
    return claim.item.id


def wednesday(nohold, phone, client, clock, social_jobs) -> None:
    """2 December: two contained calls, a booked callback, a caller who hangs up at the options, an SMS
    and a Messenger conversation; Anna handles two items (4 and 6 minutes), Bruno one (3 minutes)."""
    play(phone, "it_self_reset_link.yaml")
    play(phone, "en_self_bill.yaml")
    play(phone, "en_shortest_callback.yaml")
    at_options(client, nohold.settings)
    post(client, nohold.settings, "/voice/status", CallStatus="completed", CallDuration="30")
    write(nohold, "buongiorno non mi funziona internet da ieri", "+393471110001", "sms")
    write(nohold, "la bolletta di novembre è sbagliata", "3141592653", "messenger")
    social_jobs()
    work(nohold, clock, "anna", 240)
    work(nohold, clock, "anna", 360)
    work(nohold, clock, "bruno", 180)


@pytest.fixture
def week(app, nohold, phone, clock, social_jobs):
    clock.set(datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo(ROME)))
    wednesday(nohold, phone, app.test_client(), clock, social_jobs)
    clock.set(datetime(2026, 12, 3, 9, 30, tzinfo=ZoneInfo(ROME)))  # Thursday: one contained call
    play(phone, "it_self_slow_line.yaml")
    clock.set(datetime(2026, 12, 7, 9, 30, tzinfo=ZoneInfo(ROME)))  # the next Monday: one SMS, handled by Bruno
    write(nohold, "vorrei cambiare offerta", "+393471110002", "sms")
    social_jobs()
    work(nohold, clock, "bruno", 300)
    return app.extensions["social_bridge"].reports


def test_a_day_counts_what_happened_on_it_by_channel_and_reason(week):
    report = week.build(date(2026, 12, 1), date(2026, 12, 3))
    tuesday, wednesday, thursday = report.rows()
    assert tuesday["contacts"] == 0
    assert tuesday["containment_pct"] is None  # nobody called: no rate, not 0 %
    assert (wednesday["calls"], wednesday["contained"]) == (4, 2)
    assert wednesday["containment_pct"] == 50.0
    assert wednesday["hung_up_before_choosing"] == 1
    assert (wednesday["contacts_voice"], wednesday["contacts_sms"], wednesday["contacts_messenger"]) == (4, 1, 1)
    assert wednesday["contacts"] == 6
    assert wednesday["requests_callback"] == 1
    assert wednesday["requests_thread"] == 2
    assert wednesday["handled"] == 3
    assert wednesday["average_handle_seconds"] == 260  # (240 + 360 + 180) / 3
    assert (thursday["calls"], thursday["contained"], thursday["containment_pct"]) == (1, 1, 100.0)
    assert wednesday["intent_internet_down"] == 3  # the English callback, the hang-up at the options, the SMS
    assert wednesday["intent_account_access"] == 1
    assert wednesday["intent_billing"] == 2  # the English bill call and the Messenger message


def test_weeks_are_iso_weeks_summing_their_days_and_agents_the_whole_range(week):
    report = week.build(date(2026, 12, 1), date(2026, 12, 7), "week")
    first, second = report.rows()
    assert (first["period"], first["from"], first["to"]) == ("2026-W49", "2026-12-01", "2026-12-06")
    assert (second["period"], second["from"], second["to"]) == ("2026-W50", "2026-12-07", "2026-12-07")
    assert (first["calls"], first["contained"]) == (5, 3)
    assert first["containment_pct"] == 60.0
    assert (second["contacts_sms"], second["handled"], second["calls"]) == (1, 1, 0)
    assert report.agents() == [{"agent": "anna", "handled": 2, "average_handle_seconds": 300},
                               {"agent": "bruno", "handled": 2, "average_handle_seconds": 240}]


def test_a_completion_repeated_is_counted_once(week, nohold, clock, social_jobs):
    write(nohold, "il modem non si accende", "+393471110003", "sms")
    social_jobs()
    item_id = work(nohold, clock, "carla", 60)
    before = week.build(date(2026, 12, 7), date(2026, 12, 7)).rows()[0]["handled"]
    done = nohold.queue.get(item_id)
    nohold.claims.complete(item_id, done.fence, "solved")  # the script answers "ok" again: same fence, done
    assert week.build(date(2026, 12, 7), date(2026, 12, 7)).rows()[0]["handled"] == before


def test_the_cli_prints_a_csv_that_reads_back(week, capsys):
    assert report_cli.main(["--from", "2026-12-01", "--to", "2026-12-07", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["period"] for r in rows] == [f"2026-12-0{d}" for d in range(1, 8)]
    assert tuple(rows[0])[:len(COLUMNS)] == COLUMNS
    assert (rows[1]["calls"], rows[1]["contained"], rows[1]["handled"]) == ("4", "2", "3")
    assert rows[0]["containment_pct"] == ""
    assert rows[6]["contacts_sms"] == "1"
    assert tuple(rows[0])[-1] == "intent_other"
    assert csv_text(week.build(date(2026, 12, 1), date(2026, 12, 7))).splitlines()[1:] == \
        csv_text_lines(report_cli, capsys)  # the CLI prints what the console downloads


def csv_text_lines(cli, capsys) -> list[str]:
    assert cli.main(["--from", "2026-12-01", "--to", "2026-12-07", "--csv"]) == 0
    return capsys.readouterr().out.splitlines()[1:]


def test_the_cli_by_week_and_its_table(week, capsys):
    assert report_cli.main(["--from", "2026-12-01", "--to", "2026-12-07", "--by", "week", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["period"], r["calls"]) for r in rows] == [("2026-W49", "5"), ("2026-W50", "0")]
    assert report_cli.main(["--from", "2026-12-01", "--to", "2026-12-07"]) == 0
    text = capsys.readouterr().out
    assert "Handled per agent" in text
    assert [line.split()[:2] for line in text.splitlines() if line.startswith("  anna")] == [["anna", "2"]]


@pytest.mark.parametrize("start, end, words", [("2026-12-07", "2026-12-01", "before"),
                                               ("2025-01-01", "2026-12-01", "at most 366 days"),
                                               ("2026-13-01", "2026-12-01", "must look like")])
def test_the_cli_refuses_a_bad_range_with_a_sentence(capsys, start, end, words):
    assert report_cli.main(["--from", start, "--to", end]) == 2
    captured = capsys.readouterr()
    assert words in captured.err
    assert captured.out == ""
