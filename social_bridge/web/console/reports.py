"""The supervisor's reports page (issue 19): a date range, per day or week, two charts drawn as inline SVG,
the figures, handled per agent, contacts by reason, and the same rows as CSV (/console/reports.csv)."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import Response, g, render_template, request

from social_bridge.reports.export import csv_name, csv_text
from social_bridge.reports.report import RangeRefused, parse_range
from social_bridge.web.console import bp
from social_bridge.web.console.auth import bridge, configured, supervisor_required
from social_bridge.web.console.report_charts import contacts_chart, rates_chart
from social_bridge.web.console.reports_strings import reports_strings
from social_bridge.web.console.views import timezone

DEFAULT_DAYS = 7  # the page opens on the last week, today included


@bp.context_processor
def _report_words():
    """The reports' words on every console page (the header's link for supervisors)."""
    return {"rp": reports_strings((g.get("ui") or {}).get("lang", "it"))}


def store():
    return configured("reports", "reports are not configured on this server")


def asked() -> tuple[str, str, str]:
    """from, to and by as the supervisor gave them; the last week by day when not given."""
    today = datetime.fromtimestamp(bridge().clock(), timezone()).date()
    start = request.args.get("from") or (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
    return start, request.args.get("to") or today.isoformat(), request.args.get("by") or "day"


def refusal(refused: RangeRefused) -> str:
    return reports_strings(g.ui.get("lang", "it"))[f"bad.{refused.code}"].format(**refused.values)


@bp.get("/reports")
@supervisor_required
def reports():
    start, end, by = asked()
    form = {"from": start, "to": end, "by": by}
    try:
        first, last, by = parse_range(start, end, by)
    except RangeRefused as refused:
        return render_template("console/reports.html", page="reports", form=form, error=refusal(refused)), 400
    report = store().build(first, last, by)
    rows = report.rows()
    names = {a.id: a.name for a in bridge().agents.all()}
    agents = [{**row, "name": names.get(row["agent"], row["agent"])} for row in report.agents()]
    total = report.total.row(report.intents)
    intents = sorted(((name, total[f"intent_{name}"]) for name in report.intents if total[f"intent_{name}"]),
                     key=lambda pair: -pair[1]) + ([("other", total["intent_other"])] if total["intent_other"] else [])
    return render_template("console/reports.html", page="reports", form=form, error=None, rows=rows, total=total,
                           agents=agents, intents=intents, contacts=contacts_chart(rows), rates=rates_chart(rows))


@bp.get("/reports.csv")
@supervisor_required
def reports_csv():
    try:
        first, last, by = parse_range(*asked())
    except RangeRefused as refused:
        return Response(refusal(refused) + "\n", status=400, mimetype="text/plain")
    report = store().build(first, last, by)
    return Response(csv_text(report), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{csv_name(report)}"'})
