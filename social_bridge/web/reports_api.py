"""Reports in the JSON API (issue 19): `GET /api/reports?from=&to=&by=` for supervisors, the rows of the CSV as
JSON plus the total and handled per agent. A blueprint nested in the API's: its bearer-token check and errors apply.
"""
from __future__ import annotations

from flask import Blueprint, request

from social_bridge.reports.report import RangeRefused, parse_range
from social_bridge.web.api_access import configured, supervisors_only
from social_bridge.web.request_body import ApiError

bp = Blueprint("reports_api", __name__)


def reports():
    return configured("reports", "reports are not configured on this server")


@bp.get("/reports")
def report():
    supervisors_only("read the reports")
    args = request.args
    if not args.get("from") or not args.get("to"):
        raise ApiError(400, "bad_request", "from and to are required: dates like 2026-12-01 (both included)")
    try:
        first, last, by = parse_range(args["from"], args["to"], args.get("by", "day"))
    except RangeRefused as refused:
        raise ApiError(400, "bad_request", str(refused)) from None
    return reports().build(first, last, by).as_json()
