"""The supervisor page's part on written channels (issue 19): open chats past or near their first-response or
resolution target (social_bridge/chat/service_levels.py), and satisfaction over the last week per agent, team and
channel (social_bridge/customers/satisfaction.py). Its words: written_service_strings.py."""
from __future__ import annotations

from flask import g

from social_bridge.web.console import bp
from social_bridge.web.console.written_service_strings import written_service_strings

SHOWN = 100
SATISFACTION_DAYS = 7


@bp.context_processor
def _written_service_words():
    return {"ws": written_service_strings((g.get("ui") or {}).get("lang", "it"))}


def written_service(b) -> dict:
    """What the supervisor page shows (and supervisor.json returns) about written channels."""
    clocks = b.service_levels.live() if b.service_levels is not None else []
    rows = [{"id": c.item_id, "channel": c.channel, "clock": c.clock, "state": c.state, "elapsed": int(c.elapsed),
             "target": int(c.target), "status": c.status, "claimed_by": c.claimed_by or None} for c in clocks[:SHOWN]]
    satisfaction = None
    if b.satisfaction is not None:
        day_from, day_to = b.satisfaction.recent(SATISFACTION_DAYS)
        satisfaction = {"from": day_from, "to": day_to, **b.satisfaction.summary(day_from, day_to)}
    return {"clocks": rows, "breach_count": len({c.item_id for c in clocks if c.state == "breach"}),
            "satisfaction": satisfaction}
