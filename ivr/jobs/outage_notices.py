"""Job: tell the subscribers of one resolved outage (social_bridge/outages/notices.py does the telling)."""
from __future__ import annotations

from ivr.jobs.runtime import services


def notify_outage_resolved(outage_id: str) -> int:
    return services().notices.notify(outage_id)
