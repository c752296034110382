"""Job: tell the subscribers of one resolved outage (ivr/chat/outage_notices.py does the telling)."""
from __future__ import annotations

from ivr.chat.outage_notices import notify
from ivr.jobs.runtime import services


def notify_outage_resolved(outage_id: str) -> int:
    return notify(services(), outage_id)
