"""`python -m ivr report --from DATE --to DATE [--csv] [--by day|week]`: the reports as a table or CSV."""
from __future__ import annotations

import argparse
import sys
import time

from ivr.app.settings import load_settings
from ivr.runtime.embedded import ensure_embedded_redis
from ivr.runtime.metrics import DailyStats
from ivr.runtime.redis_client import state_client
from ivr.understanding.catalog import load_catalog
from social_bridge.chat.service_levels import ServiceLevels
from social_bridge.customers.satisfaction import Satisfaction
from social_bridge.reports.export import csv_text
from social_bridge.reports.ledger import Ledger
from social_bridge.reports.report import BY, RangeRefused, Report, Reports, parse_range
from social_bridge.reports.written import written_sources

# The table's columns: (heading, row key). The CSV has every column (docs/reports.md).
TABLE = (("period", "period"), ("contacts", "contacts"), ("voice", "contacts_voice"),
         ("messenger", "contacts_messenger"), ("whatsapp", "contacts_whatsapp"), ("sms", "contacts_sms"),
         ("x", "contacts_x"), ("contained%", "containment_pct"), ("hung up", "hung_up_before_choosing"),
         ("handled", "handled"), ("avg handle s", "average_handle_seconds"), ("reached", "callbacks_reached"),
         ("machine", "callbacks_machine"), ("failed", "callbacks_failed"),
         ("1st reply s", "first_response_average_seconds"), ("SL%", "service_level_pct"),
         ("CSAT", "satisfaction_average"))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ivr report",
                                     description="Contacts, containment, handling and callbacks per day or week.")
    parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD (the desk's time zone)")
    parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD (included)")
    parser.add_argument("--by", choices=BY, default="day", help="one row per day (default) or per ISO week")
    parser.add_argument("--csv", action="store_true", help="CSV on stdout (columns in docs/reports.md)")
    return parser


def build_reports(settings) -> Reports:
    """The reports over the configured Redis (the embedded one when REDIS_URL is unset)."""
    if not settings.redis_url and not settings.redis_cluster_url:
        settings = settings.with_overrides(redis_url=ensure_embedded_redis(settings.var_dir))
    client = state_client(settings, decode_responses=True)
    topics = load_catalog(settings.prompts_dir / "intents.yaml").topics
    # only their read APIs are used (records, summary): they need Redis, not the queue, channels or prompts
    levels = ServiceLevels(client, None, {}, {}, None)
    satisfaction = Satisfaction(client, None, None, None, None, timezone=settings.timezone)
    return Reports(Ledger(client, time.time, settings.timezone), calls=DailyStats(client).days, intents=topics,
                   others=written_sources(levels, satisfaction, settings.timezone))


def _cell(value) -> str:
    return "—" if value is None else str(value)


def table(report: Report) -> str:
    """A readable table: the main figures per period and the total, then handled per agent and contacts by intent."""
    rows = [*report.rows(), report.total.row(report.intents)]
    cells = [[heading for heading, _ in TABLE]] + [[_cell(row[key]) for _, key in TABLE] for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(TABLE))]
    lines = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(line, widths)))
             for line in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.insert(-1, lines[1])
    agents = report.agents()
    lines += ["", "Handled per agent" + ("" if agents else ": none")]
    lines += [f"  {a['agent']:<24} {a['handled']:>6}  avg {a['average_handle_seconds']} s" for a in agents]
    total = rows[-1]
    intents = [(name, total[f"intent_{name}"]) for name in report.intents] + [("other", total["intent_other"])]
    lines += ["", "Contacts by intent"] + [f"  {name:<24} {count:>6}" for name, count in intents if count]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None, out=None) -> int:
    out = out or sys.stdout
    args = _parser().parse_args(argv)
    try:
        first, last, by = parse_range(args.start, args.end, args.by)
    except RangeRefused as refused:
        print(f"python -m ivr report: {refused}", file=sys.stderr)
        return 2
    report = build_reports(load_settings()).build(first, last, by)
    out.write(csv_text(report) if args.csv else table(report))
    return 0
