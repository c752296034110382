"""The reports page's charts as plain geometry for inline SVG (drawn by us: no library, no CDN, no script).

Contacts by channel: a stacked bar per period. Containment and service level: one line each on 0-100 %,
broken where a period has nothing to divide. Units are SVG user units (1 = 1 CSS pixel at full width).
"""
from __future__ import annotations

from social_bridge.reports.report import CHANNELS

LEFT, RIGHT, TOP, PLOT, BOTTOM = 40, 12, 12, 160, 34  # margins and the plot's height
WIDEST, NARROWEST, BAR_SHARE = 80, 3, 0.6  # a period's column, at most and at least; the bar's share of it
MAX_LABELS = 14  # period labels under the axis, at most (every n-th one beyond that)
SERIES = CHANNELS + ("other",)
LINES = (("containment_pct", "containment"), ("service_level_pct", "service_level"))


def _frame(rows: list[dict]) -> dict:
    count = max(1, len(rows))
    column = max(NARROWEST, min(WIDEST, 860 // count))
    width = LEFT + column * count + RIGHT
    step = max(1, -(-count // MAX_LABELS))  # ceil
    labels = [{"x": LEFT + column * (i + 0.5), "text": _short(row["period"]), "period": row["period"]}
              for i, row in enumerate(rows) if i % step == 0]
    return {"width": width, "height": TOP + PLOT + BOTTOM, "column": column, "left": LEFT, "top": TOP,
            "plot": PLOT, "base": TOP + PLOT, "right": width - RIGHT, "labels": labels, "label_y": TOP + PLOT + 16}


def _short(period: str) -> str:
    """2026-12-03 -> 03/12; 2026-W49 -> W49."""
    if "-W" in period:
        return period.split("-", 1)[1]
    return f"{period[8:10]}/{period[5:7]}"


def _nice(top: int) -> int:
    """A round maximum for the scale at or above `top` (1, 2, 5, 10, 20, 50 …)."""
    nice = 1
    while nice < top:
        for factor in (2, 5 / 2, 2):
            nice = int(nice * factor)
            if nice >= top:
                break
    return nice


def contacts_chart(rows: list[dict]) -> dict:
    """Stacked bars: per period one segment per channel with contacts, bottom up in CHANNELS order."""
    frame = _frame(rows)
    scale_max = _nice(max([row["contacts"] for row in rows] + [1]))
    unit = PLOT / scale_max
    bar = max(2.0, round(frame["column"] * BAR_SHARE, 1))
    bars = []
    for i, row in enumerate(rows):
        x, y, segments = LEFT + frame["column"] * i + (frame["column"] - bar) / 2, frame["base"], []
        for channel in SERIES:
            count = row[f"contacts_{channel}"]
            if count:
                height = round(count * unit, 2)
                y -= height
                segments.append({"channel": channel, "count": count, "y": round(y, 2), "height": height})
        bars.append({"period": row["period"], "x": round(x, 2), "width": bar, "total": row["contacts"],
                     "segments": segments})
    halves = (0, scale_max // 2, scale_max) if scale_max % 2 == 0 else (0, scale_max)  # no "2" halfway to 5
    ticks = [{"value": v, "y": round(frame["base"] - v * unit, 2)} for v in halves]
    return {**frame, "bars": bars, "ticks": ticks, "series": SERIES}


def rates_chart(rows: list[dict]) -> dict:
    """Two lines on 0-100 %: containment and service level; a period without a rate breaks its line."""
    frame = _frame(rows)
    lines = []
    for key, name in LINES:
        runs, run, dots = [], [], []
        for i, row in enumerate(rows):
            value = row[key]
            if value is None:
                runs, run = runs + ([run] if run else []), []
                continue
            x, y = round(LEFT + frame["column"] * (i + 0.5), 2), round(frame["base"] - value * PLOT / 100, 2)
            run.append(f"{x},{y}")
            dots.append({"x": x, "y": y, "value": value, "period": row["period"]})
        runs += [run] if run else []
        lines.append({"name": name, "key": key, "runs": [" ".join(r) for r in runs], "dots": dots})
    ticks = [{"value": v, "y": round(frame["base"] - v * PLOT / 100, 2)} for v in (0, 50, 100)]
    return {**frame, "lines": lines, "ticks": ticks}
