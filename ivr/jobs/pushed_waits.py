"""Job step of the minute sweep: wait updates to waiting customers (social_bridge/chat/pushed_waits.py decides)."""
from __future__ import annotations

from ivr.jobs.runtime import services


def push_waits() -> dict:
    """Called by ivr.jobs.sweep.sweep every minute; counts of updates sent."""
    pushed = services().pushed_waits
    return pushed.run() if pushed is not None else {}
