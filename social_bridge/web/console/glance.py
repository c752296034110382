"""Today at a glance on the supervisor's page: calls solved without an agent, time on the line, the last week."""
from __future__ import annotations

import logging
from datetime import date, datetime

from social_bridge.web.console import bp
from social_bridge.web.console.auth import bridge
from social_bridge.web.console.views import timezone

log = logging.getLogger(__name__)
DAYS = 7
# The chart's geometry in SVG units (1 unit = 1 CSS pixel): a row of rates, the bars, the day, the time on the line.
COLUMN, BAR_WIDTH, BAR_TOP, BAR_HEIGHT = 64, 28, 18, 44
RATE_Y, DAY_Y, TIME_Y, HEIGHT = 12, 75, 89, 94


def daily_glance() -> dict | None:
    """What the glance card shows, or None when the app has no daily figures (or they could not be read)."""
    stats = bridge().daily_stats
    if stats is None:
        return None
    try:
        rows = list(stats(DAYS))[-DAYS:]
    except Exception:  # the card is a nicety: never the reason the supervisor's page fails
        log.exception("console: daily stats unavailable, the glance card is left out")
        return None
    today = datetime.fromtimestamp(bridge().clock(), timezone()).date().isoformat()
    days = [figures(row, index, today) for index, row in enumerate(rows)]
    now = next((d for d in days if d["today"]), None) or figures({"day": today}, 0, today)
    chart = {"width": COLUMN * len(days), "height": HEIGHT, "bar_width": BAR_WIDTH, "bar_top": BAR_TOP,
             "bar_height": BAR_HEIGHT, "rate_y": RATE_Y, "day_y": DAY_Y, "time_y": TIME_Y}
    return {"today": now, "days": days, "chart": chart}


def figures(row: dict, index: int, today: str) -> dict:
    """One day: its counts, the share solved without an agent, the average call, and where its bar stands."""
    calls = max(0, int(row.get("calls") or 0))
    contained = min(calls, max(0, int(row.get("contained") or 0)))
    seconds = max(0, int(row.get("call_seconds") or 0))
    rate = (200 * contained + calls) // (2 * calls) if calls else None  # whole percent, halves up
    height = round(rate * BAR_HEIGHT / 100, 1) if calls else 0
    left = index * COLUMN
    when = date.fromisoformat(row["day"])
    return {"day": row["day"], "weekday": when.weekday(), "date": when.strftime("%d/%m"), "mday": when.day,
            "today": row["day"] == today, "calls": calls, "contained": contained, "rate": rate,
            "average": (2 * seconds + calls) // (2 * calls) if calls else None,
            "x": left + (COLUMN - BAR_WIDTH) / 2, "y": BAR_TOP + BAR_HEIGHT - height, "height": height,
            "middle": left + COLUMN / 2}


@bp.context_processor
def _glance_card():
    return {"daily_glance": daily_glance}  # called only by templates that show the card
