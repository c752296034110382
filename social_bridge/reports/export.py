"""A report as CSV: one row per day or ISO week, the columns of Report.columns (docs/reports.md)."""
from __future__ import annotations

import csv
import io


def csv_text(report) -> str:
    """The CSV the CLI prints and the console downloads (the same bytes): a header, then a row per period.
    An empty cell is a figure that cannot be computed (a rate with nothing to divide)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(report.columns), lineterminator="\r\n")
    writer.writeheader()
    for row in report.rows():
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return out.getvalue()


def csv_name(report) -> str:
    """The download's file name, e.g. nohold-report-2026-12-01-2026-12-06-day.csv."""
    return f"nohold-report-{report.start.isoformat()}-{report.end.isoformat()}-{report.by}.csv"
