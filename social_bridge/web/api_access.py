"""Who may use an API route, and whether this server has the part it needs: one sentence for each refusal."""
from __future__ import annotations

from flask import current_app, g

from social_bridge.web.request_body import ApiError, json_body


def supervisors_only(doing: str) -> None:
    """403 "only supervisors <doing>" unless the token's agent is one. A body sent is read first, even where the
    route needs none: one nested too deeply is a 400 on every route, whoever sends it."""
    json_body()
    if not g.agent.is_supervisor:
        raise ApiError(403, "forbidden", f"only supervisors {doing}")


def configured(part: str, missing: str):
    """The Bridge's `part`, or 503 with the sentence `missing` when this server was built without it."""
    found = getattr(current_app.extensions["social_bridge"], part, None)
    if found is None:
        raise ApiError(503, "unavailable", missing)
    return found
