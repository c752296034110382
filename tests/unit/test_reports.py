"""The report's pure parts: reading a range, cutting it into days and ISO weeks, a period's rates, the charts."""
from __future__ import annotations

from datetime import date

import pytest

from social_bridge.reports.report import COLUMNS, Period, RangeRefused, parse_range, periods_of
from social_bridge.web.console.report_charts import PLOT, contacts_chart, rates_chart


@pytest.mark.parametrize("start, end, by, code", [("2026-12-05", "2026-12-01", "day", "reversed"),
                                                  ("2025-12-01", "2026-12-02", "day", "too_long"),
                                                  ("01/12/2026", "2026-12-02", "day", "malformed"),
                                                  ("2026-02-30", "2026-03-02", "day", "malformed"),
                                                  ("2026-12-01", "2026-12-02", "month", "by")])
def test_a_range_that_cannot_be_reported_is_refused_with_its_reason(start, end, by, code):
    with pytest.raises(RangeRefused) as refused:
        parse_range(start, end, by)
    assert refused.value.code == code


def test_366_days_is_the_longest_range():
    first, last, _ = parse_range("2027-01-01", "2028-01-01")  # 2027 has 365 days: 366 with the last
    assert (last - first).days + 1 == 366


def test_weeks_are_iso_weeks_clipped_to_the_range_across_a_new_year():
    weeks = periods_of(date(2026, 12, 24), date(2027, 1, 5), "week")
    assert [(label, start.isoformat(), end.isoformat()) for label, start, end in weeks] == [
        ("2026-W52", "2026-12-24", "2026-12-27"), ("2026-W53", "2026-12-28", "2027-01-03"),
        ("2027-W01", "2027-01-04", "2027-01-05")]


def test_a_period_divides_only_what_it_has():
    counts = {"calls": 3, "contained": 1, "contacts|channel=voice": 3, "contacts|channel=telegram": 2,
              "handled|agent=anna": 2, "handle_seconds|agent=anna": 301, "intent|intent=billing": 4,
              "intent|intent=unknown": 1}
    row = Period("2026-12-02", date(2026, 12, 2), date(2026, 12, 2), counts).row(("billing", "internet_down"))
    assert row["containment_pct"] == 33.3
    assert row["average_handle_seconds"] == 150  # 150.5 rounds to even
    assert (row["contacts"], row["contacts_other"]) == (5, 2)
    assert (row["intent_billing"], row["intent_internet_down"], row["intent_other"]) == (4, 0, 1)
    assert row["service_level_pct"] is None
    assert tuple(row)[:len(COLUMNS)] == COLUMNS


def rows(*totals):
    return [{"period": f"2026-12-0{i + 1}", "contacts": t, "contacts_voice": t, "contacts_messenger": 0,
             "contacts_whatsapp": 0, "contacts_sms": 0, "contacts_x": 0, "contacts_other": 0,
             "containment_pct": None if not t else 50.0, "service_level_pct": None} for i, t in enumerate(totals)]


def test_the_tallest_bar_fills_the_plot_on_a_round_scale():
    chart = contacts_chart(rows(0, 10, 4))
    heights = [sum(s["height"] for s in bar["segments"]) for bar in chart["bars"]]
    assert heights == [0, PLOT, PLOT * 4 / 10]
    assert [t["value"] for t in chart["ticks"]] == [0, 5, 10]


def test_a_day_without_a_rate_breaks_the_line():
    [containment, service] = rates_chart(rows(2, 0, 3, 1))["lines"]
    assert len(containment["runs"]) == 2
    assert [d["period"] for d in containment["dots"]] == ["2026-12-01", "2026-12-03", "2026-12-04"]
    assert service["runs"] == []
