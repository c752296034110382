"""Satisfaction in the JSON API (issue 19): GET /api/satisfaction?from=&to= — supervisors read the 1-5 answers'
average, count and distribution, overall and per agent, team and channel. A blueprint nested in the API's:
its bearer-token check and errors apply."""
from __future__ import annotations

from flask import Blueprint, request

from social_bridge.web.api_access import configured, supervisors_only
from social_bridge.web.request_body import ApiError

bp = Blueprint("satisfaction_api", __name__)
DEFAULT_DAYS = 7  # without from: the week ending with `to` (default today, the desk's calendar)


def _satisfaction():
    return configured("satisfaction", "satisfaction is not configured on this server")


@bp.get("/satisfaction")
def satisfaction():
    supervisors_only("read satisfaction figures")
    found = _satisfaction()
    day_from, day_to = (request.args.get(name, "").strip() for name in ("from", "to"))
    try:
        day_from, day_to = (day_from, day_to or found.recent(1)[1]) if day_from else found.recent(DEFAULT_DAYS, day_to)
        summary = found.summary(day_from, day_to)
    except ValueError as bad:
        raise ApiError(400, "bad_request", f"from and to must be dates like 2026-12-01, from not after to and "
                                           f"at most a year apart ({bad})") from bad
    return {"from": day_from, "to": day_to, **summary}
